#!/usr/bin/env bash
# test_tui.sh -- the TUI against real Exim, in tmux: a customer's primary
# is offline with a backlog; it recovers; the operator flushes the domain
# from the Domains screen (f, rate, Enter), watches the progress bar and
# sees the domain drain; then freezes a message from the Messages screen.
# Exim's own view (the fake primary's mailbox, the spool) is the oracle.
# Needs root (the sandbox), exim4, tmux; exit 77 without tmux.
# No set -e/-u: the sandbox library is not written for them.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${MXTOP:=$top/mxtop}"
: "${TOOLS:=$top/build/tools}"
: "${SAMPLE:=$top/sample-spool}"
export TOOLS
. "$top/tests/testlib.sh"
t_need tmux exim4 timeout

: "${SB_PORT:=$((5000 + $$ % 2000 * 2 + 1))}"
. "$here/sandbox.sh"

fail=0
ok() { echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; $T capture-pane -p | sed 's/^/| /'; }
T="tmux -L mxte$$ -f /dev/null"

wait_for() {	# pattern [seconds]
	local i n=$(( ${2:-10} * 10 ))
	for i in $(seq 1 $n); do
		$T capture-pane -p | grep -q -F -- "$1" && return 0
		sleep 0.1
	done
	bad "waiting for '$1'"
	return 1
}

sb_start
trap '$T kill-server 2>/dev/null; sb_stop' EXIT
sb_primary northwind.example offline
sb_primary contoso.example offline
sb_send_n 12 -f 'news%n@partners.example' 'user%n@northwind.example' \
    > /dev/null
sb_send_n 3 'a%n@contoso.example' > /dev/null
# A message shared by two customers, for D on one of them.
sb_primary fabrikam.example offline
sb_primary tailspin.example offline
shared=$(sb_send s1@fabrikam.example s2@tailspin.example)
sb_send_n 2 'b%n@fabrikam.example' > /dev/null
sb_queue_run > /dev/null 2>&1
# The primary recovers.
sb_primary northwind.example accept

$T new-session -d -x 100 -y 30 "env TERM=tmux-256color LANG=C.UTF-8 \
    $MXTOP -s $SB_SPOOL --exim $EXIM --exim-config $SB_CONF \
    --audit $SB_DIR/audit.log -d 1; echo MXTOP-EXITED \$?; sleep 60"
wait_for "northwind.example" && ok "TUI shows the backlog"
# Put the cursor on northwind (sorted by messages: the first row).
$T send-keys / "domain:northwind.example" Enter
wait_for "filter domain:northwind.example"
$T send-keys f
wait_for "Flush 12 messages at a rate" && wait_for "selected, per domain" &&
    ok "flush plan on a screen of its own, a rate proposed"
$T send-keys C-u 20/s Enter
wait_for "Flush 12 messages at 20/s" && ok "then confirmed like the CLI"
$T send-keys y
wait_for "flush: 12 messages in" 60 && ok "flush ran to its result line"
$T capture-pane -p | grep -q "12 done" && ok "12 delivered" ||
    bad "not 12 done"
n=$(ls "$SB_MAIL/northwind.example" 2>/dev/null | wc -l)
[ "$n" -ge 12 ] && ok "primary got $n messages" || bad "primary got $n"
wait_for "no match for filter domain:northwind.example" 15 &&
    ok "northwind drained from the screen"
# Freeze one contoso message from the Messages screen.
$T send-keys / C-u "domain:contoso.example" Enter
wait_for "filter domain:contoso.example"
$T send-keys Enter
wait_for "RECIPIENTS"
$T send-keys F
wait_for "Freeze 1 message"
$T send-keys y
wait_for "freeze: 1 message in" 30 && ok "freeze ran"
wait_for " F" 15
[ "$(sb_exim -bp | grep -c '\*\*\* frozen')" -eq 1 ] &&
    ok "exim -bp shows one frozen" || bad "exim -bp frozen count"
[ -s "$SB_DIR/audit.log" ] && ok "audit log written" || bad "no audit log"
# D on fabrikam's row: its recipients only; the shared message stays for
# tailspin (exim -Mmd), the plan says so first.
$T send-keys q / C-u "domain:fabrikam.example" Enter
wait_for "filter domain:fabrikam.example"
$T send-keys D
wait_for "Delete 3 messages" && wait_for "1 shared message" &&
    ok "D: the plan counts the shared message apart (exim -Mmd)"
$T send-keys y
wait_for "delete: 3 messages in" 30 && ok "delete ran"
bp=$(sb_exim -bp)
echo "$bp" | grep -A3 "$shared" | grep -q "D s1@fabrikam.example" &&
    echo "$bp" | grep -A3 "$shared" | grep -q "^ *s2@tailspin.example" &&
    [ "$(echo "$bp" | grep -c '@fabrikam.example' )" = 1 ] &&
    ok "D on fabrikam: s1@ marked done in $shared, s2@tailspin still pending, fabrikam's own gone" ||
    { bad "D on fabrikam"; echo "$bp" | sed 's/^/# /'; }
$T send-keys q q
wait_for "MXTOP-EXITED 0" && ok "quit"

[ $fail -eq 0 ] && echo "test_tui: ok" ||
    echo "test_tui: failed"
[ $fail -eq 0 ]
