#!/usr/bin/env bash
# test_drain.sh -- probe, verify and drain against real Exim 4.96 and
# the project's fake primaries (fakesmtp "users": 250 for the known
# users, 550 for the rest).  A primary that was offline while a
# harvest attack's junk and real mail queued comes back:
#   - verify marks exactly the recipients the fake primary rejects;
#   - drain delivers exactly the messages with a valid recipient (the
#     fake primary's received Message-IDs), removes exactly the messages
#     whose every recipient was rejected, without a bounce (no "<= <>
#     R=<id>" in the main log), marks the rejected recipients of the
#     others done with -Mmd and leaves a shared message's other
#     domain's recipient pending; with --bounce-rejected the bounces
#     appear;
#   - a primary that turns to tarpitting after 50 RCPTs stops verify
#     with its report, and drain then removes nothing unverified;
#   - every connection mxtop (and the Exim it runs) makes goes to
#     127.0.0.0/8 (strace).
# The oracles are Exim's: exim -bp, the main log, the fake primaries'
# mailboxes and transcripts, the users file they answer from.
# No set -e/-u: the sandbox library is not written for them.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 python3 timeout strace
. "$here/sandbox.sh"

sb_start
AUD=$SB_DIR/audit.log
mx() {
	"$MXTOP" -s "$SB_SPOOL" --exim-config "$SB_CONF" --audit "$AUD" \
	    --timeout 3 "$@"
}
queued() { sb_exim -bp | awk 'NF >= 3 && $3 ~ /-/ { print $3 }' | sort; }
mids() {	# Message-IDs of the given queue ids (from their -H files)
	local id
	for id in "$@"; do
		grep -a -o -i -E 'Message-ID: <[^>]*>' "$SB_SPOOL/input/$id-H" |
		    sed 's/^[^<]*//'
	done | sort
}
received() {	# Message-IDs a fake primary received
	grep -a -h -o -i -E '^Message-ID: <[^>]*>' "$SB_MAIL/$1"/* \
	    2> /dev/null | sed 's/^[^<]*//' | sort
}
bounced() {	# how many of the ids have a bounce (<= <> R=id) in the log
	local id n=0
	for id in "$@"; do
		grep -q "<= <> R=$id " "$SB_LOG/mainlog" && n=$((n + 1))
	done
	echo $n
}

# ---- The backlog: d.example's primary is offline while mail comes. ----
# Known users u1..u12; junk to j1..; other.example is another customer
# (offline all along).
for i in $(seq 12); do echo "u$i"; done > "$SB_DIR/users"
sb_primary d.example offline
sb_primary other.example offline
V=() J=() S=() X=()
for i in $(seq 12); do V+=("$(sb_send -f "n$i@partners.example" "u$i@d.example")"); done
for i in $(seq 20); do J+=("$(sb_send -f "spam$i@forged.example" "j$i@d.example")"); done
for i in $(seq 5); do J+=("$(sb_send -f "spam@forged.example" "ja$i@d.example" "jb$i@d.example")"); done
for i in $(seq 4); do S+=("$(sb_send -f "m$i@partners.example" "u$i@d.example" "js$i@d.example")"); done
for i in $(seq 3); do X+=("$(sb_send -f "x$i@partners.example" "jx$i@d.example" "p$i@other.example")"); done
sb_queue_run > /dev/null 2>&1
n=$(queued | wc -l)
[ "$n" = 44 ] && ok "44 messages queued for the offline primary (12 real, 25 junk, 4 mixed, 3 shared)" ||
    bad "queued: $n"

# ---- probe: offline now; then it is back. ----
mx probe d.example > "$SB_DIR/p0.txt" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^d.example: offline' "$SB_DIR/p0.txt" &&
    grep -q 'route (exim -bt): router relay, transport remote_smtp' "$SB_DIR/p0.txt" &&
    ok "probe: offline, the route from exim -bt (exit 1)" ||
    { bad "probe offline: exit $rc"; sed 's/^/# /' "$SB_DIR/p0.txt"; }
mkdir -p "$SB_MAIL/d.example"
TR=$SB_DIR/d.transcript
sb_primary d.example users -u "$SB_DIR/users" -d "$SB_MAIL/d.example" -x "$TR"
mx probe d.example --format json > "$SB_DIR/p1.json" 2> "$SB_DIR/p1.err"
rc=$?
python3 - "$SB_DIR/p1.json" "${SB_ADDR[d.example]}" "$SB_PORT" <<'EOF' && [ $rc = 0 ] &&
import json, sys
d = json.load(open(sys.argv[1]))["domains"][0]
assert d["class"] == "ok", d["class"]
assert d["route"]["source"] == "exim -bt" and d["route"]["router"] == "relay"
assert d["route"]["hosts"][0] == {"name": sys.argv[2], "address": sys.argv[2],
    "port": int(sys.argv[3])}, d["route"]["hosts"]
steps = [s["step"] for s in d["steps"]]
assert steps[:5] == ["connect", "banner", "ehlo", "mail", "rcpt-random"], steps
assert steps[-2:] == ["rset", "quit"], steps
ehlo = [s for s in d["steps"] if s["step"] == "ehlo"][0]
assert ehlo["command"] == "EHLO relay.test", ehlo   # exim -bP primary_hostname
EOF
ok "probe: ok, at the host and port exim -bt names, EHLO with Exim's primary_hostname" ||
    { bad "probe back: exit $rc"; sed 's/^/# /' "$SB_DIR/p1.err" "$SB_DIR/p1.json" | head -20; }

mx probe --all --format json > "$SB_DIR/pall.json" 2> /dev/null
rc=$?
python3 - "$SB_DIR/pall.json" <<'EOF' && [ $rc = 1 ] &&
import json, sys
d = {x["domain"]: x["class"] for x in json.load(open(sys.argv[1]))["domains"]}
assert d == {"d.example": "ok", "other.example": "offline"}, d
EOF
ok "probe --all: every customer domain with mail queued (d ok, other offline; exit 1)" ||
    bad "probe --all: exit $rc: $(head -c 300 "$SB_DIR/pall.json")"

# ---- verify marks exactly what the primary rejects. ----
: > "$TR"
mx verify --domain d.example --rate 50/s --format json > "$SB_DIR/v.json" 2> "$SB_DIR/v.err"
rc=$?
python3 - "$SB_DIR/v.json" "$SB_DIR/users" "$TR" <<'EOF' && [ $rc = 0 ] &&
import json, sys
d = json.load(open(sys.argv[1]))["domains"][0]
users = set(l.strip() for l in open(sys.argv[2]) if l.strip())
asked = [l.split(" ", 1)[1].strip() for l in open(sys.argv[3]) if " RCPT TO:" in l]
asked = [a[len("RCPT TO:<"):-1] for a in asked]
assert len(asked) == len(set(asked)) == 49, len(asked)      # each once
res = {r["address"]: r["result"] for r in d["results"]}
assert set(res) == set(asked), set(res) ^ set(asked)
for a, r in res.items():
    want = "accepted" if a.split("@")[0] in users else "rejected"
    assert r == want, (a, r)
assert d["accepted"] == 16 - 4 and d["rejected"] == 37, (d["accepted"], d["rejected"])
assert not any(" DATA" in l for l in open(sys.argv[3]))
EOF
ok "verify: exactly the fake primary's unknown users rejected (37), its users accepted (12), each asked once, no DATA" ||
    { bad "verify: exit $rc"; sed 's/^/# /' "$SB_DIR/v.err" | head; }
want=$(printf '%s\n' "${J[@]}" "${S[@]}" "${X[@]}" | sort | tr '\n' ' ')
got=$(mx list --domain d.example --verified rejected --format ids | sort | tr '\n' ' ')
[ "$got" = "$want" ] && ok "list --verified rejected: the 32 messages with a rejected recipient" ||
    bad "--verified rejected: $got"

# ---- drain: the plan, then the real thing. ----
mx drain --domain d.example --dry-run > "$SB_DIR/dry.txt" 2>&1
rc=$?
grep -q 'drain: 25 messages to remove, 16 to flush, 0 left queued' "$SB_DIR/dry.txt" &&
    grep -q '(exim -Mrm), 7 recipients of 7 other messages (exim -Mmd)' "$SB_DIR/dry.txt" &&
    [ "$(grep -c -- "-C $SB_CONF -oB 1 -M " "$SB_DIR/dry.txt")" = 16 ] &&
    [ $rc = 0 ] && ok "drain --dry-run: 25 to remove (-Mrm), 7 recipients -Mmd, 16 to flush" ||
    { bad "drain dry run: exit $rc"; sed 's/^/# /' "$SB_DIR/dry.txt" | head -30; }
[ "$(queued | wc -l)" = 44 ] || bad "the dry run changed the queue"
want_mids=$(mids "${V[@]}" "${S[@]}")
: > "$TR"
mx drain --domain d.example --rate 20/s --yes > "$SB_DIR/drain.txt" 2>&1
rc=$?
sleep 1
got_mids=$(received d.example)
[ "$got_mids" = "$want_mids" ] && [ "$(echo "$got_mids" | wc -l)" = 16 ] &&
    ok "drain delivered exactly the 16 messages with a valid recipient (the fake primary's mailbox)" ||
    { bad "delivered: $(echo "$got_mids" | wc -l)"; sed 's/^/# /' "$SB_DIR/drain.txt" | head -40; }
left=$(queued | tr '\n' ' ')
xs=$(printf '%s\n' "${X[@]}" | sort | tr '\n' ' ')
[ "$left" = "$xs" ] && ok "only the 3 shared messages are left (for other.example)" ||
    bad "left: $left"
bp=$(sb_exim -bp)
okx=1
for i in 1 2 3; do
	echo "$bp" | grep -A3 "${X[$((i - 1))]}" | grep -q "D jx$i@d.example" &&
	    echo "$bp" | grep -A3 "${X[$((i - 1))]}" | grep -q "^ *p$i@other.example" || okx=0
done
[ $okx = 1 ] && ok "shared messages: the rejected recipient marked done (-Mmd), other.example's pending" ||
    { bad "shared messages"; echo "$bp" | sed 's/^/# /' | head -20; }
nb=$(bounced "${J[@]}" "${S[@]}" "${X[@]}")
[ "$nb" = 0 ] && ! grep -q "j1@d.example.*\*\*" "$SB_LOG/mainlog" &&
    ok "no bounce for any removal (no <= <> R=id in the main log)" || bad "$nb bounces"
# Exim's delivery sessions (those with DATA) never named a rejected one.
ndel=$(awk '{ s[$1] = s[$1] "\n" $0 } END { for (p in s) if (s[p] ~ / DATA/) print s[p] }' "$TR" |
    grep -c ' RCPT TO:')
awk '{ s[$1] = s[$1] "\n" $0 } END { for (p in s) if (s[p] ~ / DATA/) print s[p] }' "$TR" |
    grep -q -i ' RCPT TO:<j' && bad "the flush sent a rejected recipient to the primary" ||
    { [ "$ndel" = 16 ] && ok "Exim's deliveries offered the primary the 16 valid recipients only" ||
      bad "deliveries offered $ndel recipients"; }
nrm=$(grep -c 'action=drain-delete .*result=done .*reply=".*550 5.1.1' "$AUD")
[ "$nrm" = 32 ] && [ "$(grep -c 'action=drain-flush .*result=done' "$AUD")" = 16 ] &&
    [ $rc = 0 ] && ok "audit log: 32 removals each with the primary's 550, 16 flushes; exit 0" ||
    { bad "audit: $nrm removals, exit $rc"; tail -3 "$AUD" | sed 's/^/# /'; }

# ---- --bounce-rejected: the senders get their bounces. ----
sb_primary b.example offline
B=() BV=()
for i in $(seq 4); do B+=("$(sb_send -f "s$i@partners.example" "jb$i@b.example")"); done
for i in 1 2; do BV+=("$(sb_send -f "s$i@partners.example" "u$i@b.example")"); done
mkdir -p "$SB_MAIL/b.example"
sb_primary b.example users -u "$SB_DIR/users" -d "$SB_MAIL/b.example"
mx drain --domain b.example --bounce-rejected --rate 20/s --yes > "$SB_DIR/bb.txt" 2>&1
rc=$?
sleep 1
nb=$(bounced "${B[@]}")
[ "$nb" = 4 ] && [ "$(received b.example | wc -l)" = 2 ] &&
    [ "$(grep -c 'action=drain-bounce .*result=done' "$AUD")" = 4 ] && [ $rc = 0 ] &&
    ok "--bounce-rejected: 4 bounces (<= <> R=id), the 2 real ones delivered" ||
    { bad "bounce-rejected: $nb bounces, exit $rc"; sed 's/^/# /' "$SB_DIR/bb.txt" | head -20; }

# ---- A primary that tarpits after 50 RCPTs. ----
sb_primary t.example offline
T=()
declare -A TRC=()	# id -> its recipients
for i in $(seq 40); do
	id=$(sb_send "tj$i@t.example"); T+=("$id"); TRC[$id]="tj$i@t.example"
done
for i in $(seq 30); do
	k=$((i % 12 + 1))
	id=$(sb_send "u${k}x$i@t.example" "u$k@t.example"); T+=("$id")
	TRC[$id]="u${k}x$i@t.example u$k@t.example"
done
sb_queue_run > /dev/null 2>&1
sb_primary t.example users -u "$SB_DIR/users" -T 50
before=$(queued | md5sum)
t0=$(date +%s.%N)
mx verify --domain t.example --rate 100/s --timeout 2 --format json > "$SB_DIR/tv.json" 2> "$SB_DIR/tv.err"
rc=$?
t1=$(date +%s.%N)
python3 - "$SB_DIR/tv.json" <<'PY' && [ $rc = 1 ] &&
import json, sys
d = json.load(open(sys.argv[1]))["domains"][0]
assert d["accepted"] + d["rejected"] == 50, d
assert "stopped answering" in d["stopped"], d["stopped"]
assert d["total"] == 82 and d["left"] + d["unknown"] == 32, d
PY
ok "verify stops at the tarpit: 50 answered, 32 left, with why ($(t_elapsed "$t0" "$t1")s)" ||
    { bad "tarpit verify: exit $rc"; sed 's/^/# /' "$SB_DIR/tv.err" "$SB_DIR/tv.json" | head; }
mx drain --domain t.example --yes > "$SB_DIR/td.txt" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^t.example: probe: tarpit' "$SB_DIR/td.txt" &&
    [ "$(queued | md5sum)" = "$before" ] &&
    ok "drain against the tarpitting primary: probe says tarpit, nothing removed (exit 1)" ||
    { bad "tarpit drain: exit $rc"; sed 's/^/# /' "$SB_DIR/td.txt" | head; }
# Restarted, it answers 14 RCPTs: drain probes (4), verifies what has
# no answer until the tarpit (10 more), removes only what was
# rejected, flushes nothing.
sb_primary t.example users -u "$SB_DIR/users" -T 14
mx drain --domain t.example --yes --rate 100/s --timeout 2 > "$SB_DIR/td2.txt" 2>&1
rc=$?
state=$(ls "$SB_DIR"/verify-*.tsv)
res() {	# the state file's result for an address
	awk -F'\t' -v a="$1" '$4 == a { r = $2 } END { print r == "" ? "none" : r }' "$state"
}
bp=$(sb_exim -bp)
nrm=0 bad_rm=0 bad_keep=0 unasked=0
# Each removal the audit log names: the whole message, or -Mmd of the
# recipients=...; every recipient removed was answered 5xx.
while read -r line; do
	id=$(sed -E 's/.* id=([^ ]+) .*/\1/' <<< "$line")
	if [[ $line == *" recipients="* ]]; then
		gone=$(sed -E 's/.* recipients=([^ ]+) .*/\1/' <<< "$line" | tr , ' ')
	else
		gone=${TRC[$id]}
	fi
	nrm=$((nrm + 1))
	for a in $gone; do
		[ "$(res "$a")" = rejected ] || bad_rm=$((bad_rm + 1))
	done
done < <(grep 'action=drain-delete .*domains=t.example .*result=done' "$AUD")
# What was not removed is still pending, and some of it never answered.
for id in "${T[@]}"; do
	[ -e "$SB_SPOOL/input/$id-H" ] || continue
	for a in ${TRC[$id]}; do
		echo "$bp" | grep -A3 "$id" | grep -q -E "^ +$a\$" || continue
		r=$(res "$a")
		[ "$r" = rejected ] && bad_keep=$((bad_keep + 1))
		{ [ "$r" = unknown ] || [ "$r" = none ]; } && unasked=$((unasked + 1))
	done
done
[ $rc = 1 ] && grep -q 'verify stopped early: only what the primary rejected is removed; no flush' "$SB_DIR/td2.txt" &&
    [ $nrm -gt 0 ] && [ $bad_rm = 0 ] && [ $bad_keep = 0 ] && [ $unasked -gt 0 ] &&
    ! grep -q 'action=drain-flush .*t.example' "$AUD" &&
    ok "drain after the tarpit stopped verify: $nrm messages removed, only recipients answered 5xx; $unasked never answered still pending; no flush" ||
    { bad "partial drain: exit $rc removed $nrm bad_rm=$bad_rm bad_keep=$bad_keep unasked=$unasked"
      sed 's/^/# /' "$SB_DIR/td2.txt" | head -30; }

# ---- Every connection goes to 127.0.0.0/8. ----
sb_primary d.example users -u "$SB_DIR/users"
sb_send u1@d.example j99@d.example > /dev/null
strace -f -qq -e trace=connect -o "$SB_DIR/strace.txt" \
    env ASAN_OPTIONS=detect_leaks=0 "$MXTOP" -s "$SB_SPOOL" \
    --exim-config "$SB_CONF" --audit "$AUD" --timeout 3 \
    drain --domain d.example --yes --max-verify-age 1s > "$SB_DIR/st.out" 2>&1
inet=$(grep -E 'sa_family=AF_INET6?' "$SB_DIR/strace.txt" | wc -l)
off=$(grep -E 'sa_family=AF_INET6?' "$SB_DIR/strace.txt" |
    grep -v -E 'inet_addr\("127\.' | grep -v -E 'inet_pton\(AF_INET6, "::ffff:127\.' )
[ "$inet" -gt 0 ] && [ -z "$off" ] &&
    ok "strace: all $inet IP connections of drain (probe, verify, Exim's flush) to 127.0.0.0/8" ||
    { bad "strace: $inet connections, off loopback:"; echo "$off" | head -5 | sed 's/^/# /'; }
t_done
