#!/usr/bin/env bash
# test_tui_recover.sh -- p and R in the TUI against real Exim, in tmux:
# p on a domain row probes its primary and the row shows the verdict and
# its age (column PROBE); R opens the Recover screen: probe verdict,
# verify progress, the plan; y removes what the primary rejected and
# flushes the rest paced.  A second domain is cancelled with x during
# its verify and nothing is removed or flushed.  Oracles: exim -bp, the
# fake primary's mailbox, the audit log, the verify state file.
# Needs root (the sandbox), exim4, tmux; exit 77 without tmux.
# No set -e/-u: the sandbox library is not written for them.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${MXTOP:=$top/mxtop}"
: "${TOOLS:=$top/build/tools}"
export TOOLS
. "$top/tests/testlib.sh"
t_need tmux exim4 timeout python3
. "$here/sandbox.sh"

T="tmux -L mxtr$$ -f /dev/null"
screen() { $T capture-pane -p; }
fails() { bad "$*"; screen | sed 's/^/| /'; }
wait_for() {	# pattern [seconds]
	local i n=$(( ${2:-10} * 10 ))
	for i in $(seq 1 $n); do
		screen | grep -q -F -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

sb_start
trap '$T kill-server 2>/dev/null; sb_stop' EXIT
for i in $(seq 6); do echo "u$i"; done > "$SB_DIR/users"
sb_primary d.example offline
sb_primary s.example offline
V=() J=()
for i in $(seq 6); do V+=("$(sb_send "u$i@d.example")"); done
for i in $(seq 8); do J+=("$(sb_send "junk$i@d.example")"); done
for i in $(seq 30); do sb_send "x$i@s.example" > /dev/null; done
sb_queue_run > /dev/null 2>&1
mkdir -p "$SB_MAIL/d.example"
sb_primary d.example users -u "$SB_DIR/users" -d "$SB_MAIL/d.example"
# s.example's primary answers slowly: its verify can be cancelled.
sb_primary s.example users -u "$SB_DIR/users" -w 300

$T new-session -d -x 132 -y 40 "env TERM=tmux-256color LANG=C.UTF-8 \
    $MXTOP -s $SB_SPOOL --exim-config $SB_CONF --audit $SB_DIR/audit.log \
    --timeout 5 --rate 20/s -d 2; echo MXTOP-EXITED \$?; sleep 60"
wait_for "d.example" && ok "TUI shows the backlog" || fails "no backlog"
screen | grep -q PROBE && fails "a PROBE column before any probe" ||
    ok "no PROBE column before any probe"

# ---- p: probe the row's primary. ----
$T send-keys / "domain:d.example" Enter
wait_for "filter domain:d.example"
$T send-keys p
wait_for "probe d.example: ok" 15 && ok "p: the status line gives the verdict" ||
    fails "p: no verdict"
wait_for "PROBE" && screen | grep -E '^ *d\.example .* ok [0-9]+s' > /dev/null &&
    ok "p: the row shows PROBE ok and its age" || fails "no PROBE column"

# ---- R: the Recover screen, then y. ----
$T send-keys R
wait_for "Recover d.example" && ok "R opens the Recover screen" ||
    fails "no Recover screen"
wait_for "drain: 8 messages to remove, 6 to flush, 0 left queued" 30 &&
    screen | grep -q "probe: ok" && screen | grep -q "verify d.example 14/14" &&
    screen | grep -q "accepted 6  rejected 8" &&
    ok "Recover: probe verdict, verify progress (14/14, 6 accepted, 8 rejected), the plan" ||
    fails "Recover: no plan"
[ "$(sb_exim -bp | grep -c '@d.example')" = 14 ] &&
    ok "nothing done before y" || fails "the queue changed before y"
$T send-keys y
wait_for "drain-flush: 6/6" 60 && wait_for "done" 10 &&
    ok "y: removals, then the paced flush to its end" || fails "no flush"
sleep 1
n=$(ls "$SB_MAIL/d.example" | wc -l)
left=$(sb_exim -bp | grep -c '@d.example')
[ "$n" = 6 ] && [ "$left" = 0 ] && ok "the primary got the 6 real messages; the 8 junk are gone" ||
    fails "delivered $n, $left left"
nb=0
for id in "${J[@]}"; do grep -q "<= <> R=$id " "$SB_LOG/mainlog" && nb=$((nb + 1)); done
[ "$nb" = 0 ] && [ "$(grep -c 'action=drain-delete .*result=done .*reply=".*550' "$SB_DIR/audit.log")" = 8 ] &&
    [ "$(grep -c 'action=drain-flush .*result=done' "$SB_DIR/audit.log")" = 6 ] &&
    ok "no bounces; audit: 8 removals with the primary's 550, 6 flushes" ||
    fails "audit or bounces ($nb)"

# ---- R on s.example, cancelled with x during its verify. ----
$T send-keys q / C-u "domain:s.example" Enter
wait_for "filter domain:s.example"
before=$(sb_exim -bp | md5sum)
$T send-keys R
wait_for "verify s.example 3/30" 30 && $T send-keys x
wait_for "cancelled: the answers so far are kept" 30 &&
    ok "x during verify: cancelled, the answers kept" || fails "no cancel"
[ "$(sb_exim -bp | md5sum)" = "$before" ] && ok "cancelled: the queue unchanged" ||
    fails "the queue changed after a cancel"
state=$(ls "$SB_DIR"/verify-*.tsv 2> /dev/null)
ns=$(grep -c '@s.example' "$state" 2> /dev/null)
[ -n "$state" ] && [ "$ns" -gt 0 ] && [ "$ns" -lt 30 ] &&
    ok "the verify state file holds the $ns answers before the cancel" ||
    fails "state file: $ns answers for s.example"
$T send-keys q q
wait_for "MXTOP-EXITED 0" 30 && ok "quit" || fails "no clean exit"
t_done
