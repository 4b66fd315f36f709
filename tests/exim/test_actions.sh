#!/usr/bin/env bash
# test_actions.sh -- mxtop flush/bounce/delete/freeze/thaw against real
# Exim 4.96.  Exim's own view is the oracle: the fake primary's mailbox,
# `exim -bp`, the spool files.  Every exim that mxtop starts goes through
# a wrapper that records its argv, so the test can prove that nothing but
# "-C <config> -M<x> <valid ids>" ever reached an argv.
# No set -e/-u: the sandbox library is not written for them.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 python3 timeout
. "$here/sandbox.sh"

idre='^[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}$'
# Read-only questions mxtop asks Exim (where it logs, which spool, which
# domains are customers), never with a spool id or an address in them.
queries='-bP|-be|log_file_path|spool_directory|\$\{if match_domain\{[A-Za-z0-9._-]+\}\{\+relay_to_domains\}\{1\}\{0\}\}'
# Whether any action ran (an action flag reached exim) since ARGS was
# emptied.
acted() { grep -q -x -E -e '-M|-Mg|-Mrm|-Mf|-Mt|-Mmd' "$ARGS"; }

sb_start
AUD=$SB_DIR/audit.log
ARGS=$SB_DIR/argv.log
# The recording wrapper: one line per argument, "--" between runs.
cat > "$SB_DIR/exim-wrap" <<EOF
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >> "$ARGS"
echo -- >> "$ARGS"
exec $EXIM "\$@"
EOF
chmod 755 "$SB_DIR/exim-wrap"
mx() {
	"$MXTOP" -s "$SB_SPOOL" --exim "$SB_DIR/exim-wrap" \
	    --exim-config "$SB_CONF" --audit "$AUD" "$@"
}
# The spool as files with inode, size and mtime: "nothing changed".
spool_state() {
	(cd "$SB_SPOOL" && find input msglog -type f -printf '%p %i %s %T@\n' |
	    sort)
}
ids_of() {	# ids with a pending recipient in domain $1
	"$MXTOP" -s "$SB_SPOOL" list --domain "$1" --format ids
}

# ---- The queue: northwind's primary is offline with 50 messages. ----
sb_primary northwind.example offline
sb_primary contoso.example offline
sb_primary fabrikam.example stall
sb_primary lucerne.example offline
sb_primary wingtip.example offline
sb_send_n 50 -f 'news%n@partners.example' 'user%n@northwind.example' \
    > /dev/null
sb_send_n 8 -f 'orders@vendor.example' 'a%n@contoso.example' > /dev/null
sb_send_n 6 'slow%n@fabrikam.example' > /dev/null
sb_send_n 9 'l%n@lucerne.example' > /dev/null
sb_send_n 10 'w%n@wingtip.example' > /dev/null
sb_queue_run > /dev/null 2>&1
# A file whose name is a shell injection, in input/.
touch "$SB_SPOOL/input/1tAbcD-\$(touch PWNED)-H" \
    "$SB_SPOOL/input/;touch PWNED;-H" "$SB_SPOOL/input/1tAbcD-000123-Xy;id-H"
nw=$(ids_of northwind.example | sort)
n=$(echo "$nw" | grep -c .)
[ "$n" = 50 ] && ok "50 messages queued for northwind" ||
    bad "northwind has $n messages"

# ---- Safety: no --yes and no terminal; --dry-run. ----
before=$(spool_state)
: > "$ARGS"
mx flush --domain northwind.example < /dev/null > "$SB_DIR/out" 2>&1
rc=$?
if [ $rc = 1 ] && [ "$before" = "$(spool_state)" ] && ! acted &&
    grep -q '^flush: 50 messages, 50 selected recipients' "$SB_DIR/out" &&
    grep -q 'add --yes' "$SB_DIR/out"; then
	ok "no --yes, no terminal: plan printed, exit 1, nothing run"
else
	bad "no --yes/no tty: rc=$rc"; sed 's/^/# /' "$SB_DIR/out"
fi
mx delete --older-than 0s --dry-run > "$SB_DIR/dry" 2>&1
rc=$?
if [ $rc = 0 ] && [ "$before" = "$(spool_state)" ] && ! acted &&
    grep -q -- "exim-wrap -C $SB_CONF -Mrm " "$SB_DIR/dry" &&
    [ "$(grep -o -E '[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}' \
    "$SB_DIR/dry" | sort -u | wc -l)" -ge 83 ] &&
    ! grep -q -E 'PWNED|;id' "$SB_DIR/dry"; then
	ok "--dry-run prints the exact argv, changes nothing"
else
	bad "--dry-run: rc=$rc"; sed 's/^/# /' "$SB_DIR/dry" | head
fi
mx flush --domain northwind.example --dry-run > "$SB_DIR/dry" 2>&1
if [ "$(grep -c -- "-C $SB_CONF -oB 1 -M [0-9A-Za-z-]*\$" "$SB_DIR/dry")" = 50 ]
then
	ok "--dry-run flush: one exim -M per message"
else
	bad "--dry-run flush"; sed 's/^/# /' "$SB_DIR/dry" | head
fi
printf '%s\n' "$(echo "$nw" | head -1)" '1tAbcD-$(touch PWNED)' \
    > "$SB_DIR/ids"
mx freeze --ids-from "$SB_DIR/ids" --yes > "$SB_DIR/out" 2>&1
rc=$?
if [ $rc = 2 ] && ! acted && grep -q 'line 2: not a message id' \
    "$SB_DIR/out"; then
	ok "--ids-from: a hostile line is refused before anything runs"
else
	bad "--ids-from hostile: rc=$rc"; sed 's/^/# /' "$SB_DIR/out"
fi

# ---- The primary is back: flush delivers exactly the 50. ----
others=$(cd "$SB_SPOOL" && for id in $(ids_of contoso.example); do
	find input msglog -name "$id*" -printf '%p %i %s %T@\n'; done | sort)
# Message-IDs of the 50, from their -H files.
want=$(for id in $nw; do
	grep -a -o -i -E 'Message-ID: <[^>]*>' "$SB_SPOOL/input/$id-H"
done | sed 's/^[^<]*//' | sort)
sb_primary northwind.example accept
t0=$(date +%s.%N)
mx flush --domain northwind.example --yes --parallel 4 --format json \
    > "$SB_DIR/flush.json" 2> "$SB_DIR/flush.err"
rc=$?
t1=$(date +%s.%N)
got=$(grep -a -h -o -i -E '^Message-ID: <[^>]*>' \
    "$SB_MAIL/northwind.example"/* 2> /dev/null | sed 's/^[^<]*//' | sort)
ndone=$(grep -c '"result":"done"' "$SB_DIR/flush.json")
el=$(t_elapsed "$t0" "$t1")
if [ $rc = 0 ] && [ "$ndone" = 50 ] && [ -n "$el" ]; then
	ok "flush: 50 results \"done\", exit 0 (${el}s)"
else
	bad "flush: rc=$rc, $ndone done"; sed 's/^/# /' "$SB_DIR/flush.err"
	head -5 "$SB_DIR/flush.json" | sed 's/^/# /'
fi
if [ "$(echo "$got" | grep -c .)" = 50 ] && [ "$got" = "$want" ]; then
	ok "the fake primary received exactly those 50 (Message-IDs)"
else
	bad "primary got $(echo "$got" | grep -c .) messages, not the 50"
fi
if ! sb_exim -bp | grep -q '@northwind\.example'; then
	ok "northwind is empty in exim -bp"
else
	bad "northwind still in exim -bp"
fi
now=$(cd "$SB_SPOOL" && for id in $(ids_of contoso.example); do
	find input msglog -name "$id*" -printf '%p %i %s %T@\n'; done | sort)
if [ -n "$others" ] && [ "$others" = "$now" ]; then
	ok "other domains untouched (ids and files unchanged)"
else
	bad "contoso changed"
fi
if python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    assert set(o) >= {"id", "action", "result", "detail"}, o
    assert o["action"] == "flush"
' "$SB_DIR/flush.json"; then
	ok "--format json: one object per message with id/action/result/detail"
else
	bad "json output malformed"
fi
if [ "$(grep -c ' action=flush .*result=done' "$AUD")" = 50 ] &&
    grep -q 'selection="--domain northwind.example"' "$AUD" &&
    grep -q 'user=root' "$AUD" && grep -q "audit log: $AUD" \
    "$SB_DIR/flush.err"; then
	ok "audit log: one line per message, user, selection; path in summary"
else
	bad "audit log"; head -3 "$AUD" | sed 's/^/# /'
fi
# Every argument that reached exim: wrapper path aside, only -C, the
# config, the action flag and valid ids.
if [ -s "$ARGS" ] && ! grep -v -x -E -e '--' -e '-C' -e "$SB_CONF" \
    -e '-M|-Mg|-Mrm|-Mf|-Mt|-oB|1' -e "$idre" -e "$queries" "$ARGS" |
    grep -q . &&
    [ ! -e "$SB_SPOOL/PWNED" ] && [ ! -e PWNED ]; then
	ok "argv held only -C, the config, the flag and valid ids"
else
	bad "unexpected argv"; grep -v -x -E -e '--' -e "$idre" "$ARGS" | head
fi

# ---- The primary still tarpits: deferred, class tarpit, nothing lost. ----
fab=$(ids_of fabrikam.example | sort)
mx flush --domain fabrikam.example --yes --parallel 6 --format json \
    > "$SB_DIR/tarpit.json" 2> "$SB_DIR/tarpit.err"
rc=$?
nt=$(grep -c '"result":"deferred".*"class":"tarpit"' "$SB_DIR/tarpit.json")
if [ $rc = 1 ] && [ "$nt" = 6 ] &&
    [ "$(ids_of fabrikam.example | sort)" = "$fab" ]; then
	ok "tarpit: 6 deferred again with class tarpit, all still queued"
else
	bad "tarpit: rc=$rc, $nt tarpit"; cat "$SB_DIR/tarpit.json" |
	    sed 's/^/# /'
fi
t0=$(date +%s.%N)
mx flush --domain fabrikam.example --yes --parallel 2 --rate 10/s \
    --adaptive > "$SB_DIR/adapt.out" 2>&1
rc=$?
t1=$(date +%s.%N)
if [ $rc = 1 ] && grep -q 'stopped early: the primary is in trouble' \
    "$SB_DIR/adapt.out" && grep -q ' skipped *the primary' \
    "$SB_DIR/adapt.out" && grep -q 'rate over time: 0.0s:10.00/s .*:5.00/s' \
    "$SB_DIR/adapt.out" &&
    [ "$(ids_of fabrikam.example | sort)" = "$fab" ] &&
    el=$(t_elapsed "$t0" "$t1"); then
	ok "--adaptive: slows down and stops (${el}s)"
else
	bad "--adaptive: rc=$rc"; sed 's/^/# /' "$SB_DIR/adapt.out"
fi

# ---- Pacing: 10 flushes at 2/s take at least 4.5 s. ----
sb_primary wingtip.example accept
t0=$(date +%s.%N)
mx flush --domain wingtip.example --yes --rate 2/s --parallel 4 \
    > "$SB_DIR/rate.out" 2>&1
rc=$?
t1=$(date +%s.%N)
el=$(t_elapsed "$t0" "$t1")
if [ $rc = 0 ] && [ -n "$el" ] &&
    awk -v e="$el" 'BEGIN { exit !(e >= 4.5) }' &&
    [ "$(ls "$SB_MAIL/wingtip.example" | wc -l)" = 10 ]; then
	ok "--rate 2/s: 10 flushes took ${el}s"
else
	bad "--rate 2/s: rc=$rc, ${el}s"; sed 's/^/# /' "$SB_DIR/rate.out"
fi

# ---- freeze / thaw / bounce / delete on lucerne. ----
set -- $(ids_of lucerne.example | sort)
if [ $# = 9 ]; then ok "9 lucerne messages"; else bad "lucerne: $#"; fi
printf '%s\n' "$1" "$2" "$3" | mx freeze --ids-from - --yes \
    > "$SB_DIR/out" 2>&1
rc=$?
nf=$(sb_exim -bp | grep -c -E "($1|$2|$3) .*\\*\\*\\* frozen \\*\\*\\*")
if [ $rc = 0 ] && [ "$nf" = 3 ] && [ "$(grep -c ' done ' "$SB_DIR/out")" = 3 ]
then
	ok "freeze (ids from stdin): exim -bp shows 3 frozen"
else
	bad "freeze: rc=$rc nf=$nf"; sed 's/^/# /' "$SB_DIR/out"
fi
mx thaw --id "$1" --id "$2" --yes > "$SB_DIR/out" 2>&1
rc=$?
nf=$(sb_exim -bp | grep -c -E "($1|$2|$3) .*\\*\\*\\* frozen \\*\\*\\*")
if [ $rc = 0 ] && [ "$nf" = 1 ] && grep -q "$1 *done *Message $1 is no longer frozen" "$SB_DIR/out"; then
	ok "thaw: exim -bp shows 1 frozen left"
else
	bad "thaw: rc=$rc nf=$nf"; sed 's/^/# /' "$SB_DIR/out"
fi
nb0=$(sb_exim -bp | grep -c -E '^ *[0-9]+[mhd] .* <>')
mx bounce --id "$4" --id "$5" --yes > "$SB_DIR/out" 2>&1
rc=$?
nb1=$(sb_exim -bp | grep -c -E '^ *[0-9]+[mhd] .* <>')
if [ $rc = 0 ] && [ $((nb1 - nb0)) = 2 ] &&
    ! sb_exim -bp | grep -q -E "$4|$5"; then
	ok "bounce: 2 gone, 2 bounces with sender <> queued"
else
	bad "bounce: rc=$rc, bounces $nb0 -> $nb1"; sed 's/^/# /' "$SB_DIR/out"
fi
mx delete --id "$6" --id "$7" --yes > "$SB_DIR/out" 2>&1
rc=$?
nb2=$(sb_exim -bp | grep -c -E '^ *[0-9]+[mhd] .* <>')
if [ $rc = 0 ] && [ "$nb2" = "$nb1" ] &&
    ! sb_exim -bp | grep -q -E "$6|$7" &&
    grep -q "$6 *done *Message $6 has been removed" "$SB_DIR/out"; then
	ok "delete: 2 gone, no bounce"
else
	bad "delete: rc=$rc, bounces $nb1 -> $nb2"; sed 's/^/# /' "$SB_DIR/out"
fi
# Gone before we got to it: a message the plan saw, changed meanwhile.
# (A second mxtop deletes it between the plan and the act is hard to
# time; an id that vanished is the same path.)
mx delete --id "$6" --yes > "$SB_DIR/out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q 'the selection matches no message' "$SB_DIR/out"; then
	ok "an id no longer queued: the selection matches nothing, exit 1"
else
	bad "gone id: rc=$rc"; sed 's/^/# /' "$SB_DIR/out"
fi
# Locked: hold Exim's lock on -D as a delivery would.
python3 - "$SB_SPOOL/input/$8-D" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 26, 0)
open(sys.argv[1] + ".held", "w").close()
time.sleep(5)
PY
lp=$!
for i in $(seq 50); do [ -e "$SB_SPOOL/input/$8-D.held" ] && break; sleep 0.1; done
mx freeze --id "$8" --yes > "$SB_DIR/out" 2>&1
rc=$?
kill $lp 2> /dev/null; wait $lp 2> /dev/null
rm -f "$SB_SPOOL/input/$8-D.held"
if [ $rc = 1 ] && grep -q "$8 *locked" "$SB_DIR/out" &&
    ! sb_exim -bp | grep -q "$8 .*frozen"; then
	ok "locked message: reported locked, not touched, exit 1"
else
	bad "locked: rc=$rc"; sed 's/^/# /' "$SB_DIR/out"
fi
# On a terminal: small plans want "y", big ones the count typed.
q() { printf '%q ' "$@"; }
mxq="$(q "$MXTOP" -s "$SB_SPOOL" --exim "$SB_DIR/exim-wrap" \
    --exim-config "$SB_CONF" --audit "$AUD")"
printf 'n\n' | script -qec "$mxq freeze --id $9" /dev/null \
    > "$SB_DIR/out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q 'freeze 1 message? \[y/N\]' "$SB_DIR/out" &&
    ! sb_exim -bp | grep -q "$9 .*frozen"; then
	ok "terminal: 'n' to a small plan does nothing"
else
	bad "tty n: rc=$rc"; sed 's/^/# /' "$SB_DIR/out"
fi
printf 'y\n' | script -qec "$mxq freeze --id $9" /dev/null \
    > "$SB_DIR/out" 2>&1
rc=$?
if [ $rc = 0 ] && sb_exim -bp | grep -q "$9 .*frozen"; then
	ok "terminal: 'y' to a small plan acts"
else
	bad "tty y: rc=$rc"; sed 's/^/# /' "$SB_DIR/out"
fi
before=$(spool_state)
total=$(sb_exim -bpc)
printf 'y\n' | script -qec "$mxq freeze --older-than 0s" /dev/null \
    > "$SB_DIR/out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "Type $total to freeze $total messages" \
    "$SB_DIR/out" && [ "$before" = "$(spool_state)" ]; then
	ok "terminal: a big plan wants the count typed, 'y' is not enough"
else
	bad "tty big: rc=$rc"; sed 's/^/# /' "$SB_DIR/out"
fi
# Ctrl-C: the running exim finishes, the rest is skipped, exit 1.
"$MXTOP" -s "$SB_SPOOL" --exim "$SB_DIR/exim-wrap" --exim-config "$SB_CONF" \
    --audit "$AUD" flush --domain fabrikam.example --yes \
    > "$SB_DIR/int.out" 2>&1 &
mp=$!
sleep 1
kill -INT $mp
wait $mp
rc=$?
if [ $rc = 1 ] && grep -q 'interrupted; waiting for 1 running exim' \
    "$SB_DIR/int.out" && [ "$(grep -c ' deferred ' "$SB_DIR/int.out")" = 1 ] &&
    [ "$(grep -c ' skipped  *interrupted' "$SB_DIR/int.out")" = 5 ] &&
    [ "$(ids_of fabrikam.example | sort)" = "$fab" ]; then
	ok "SIGINT: the running exim finished, 5 skipped, exit 1"
else
	bad "SIGINT: rc=$rc"; sed 's/^/# /' "$SB_DIR/int.out"
fi
if [ ! -e "$SB_SPOOL/PWNED" ] && [ ! -e PWNED ] &&
    ! grep -v -x -E -e '--' -e '-C' -e "$SB_CONF" \
    -e '-M|-Mg|-Mrm|-Mf|-Mt|-oB|1' -e "$idre" -e "$queries" "$ARGS" |
    grep -q .; then
	ok "still nothing but valid ids in any argv; nothing ran a shell"
else
	bad "argv check at the end"
fi

sb_stop
t_done
