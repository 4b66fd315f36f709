#!/usr/bin/env bash
# test_probe.sh -- probe and verify as a user runs them, against the
# project's fake primary (tests/tools/fakesmtp) on loopback addresses
# 127.0.1.N, one per mode; no Exim (--host names the primary, --helo the
# relay).  The fake primary's transcript is the oracle for what was
# sent: never DATA, the probe's steps in order, each recipient asked
# once.  Then verify's results, the state file, the verified: selection
# and its expiry, a fresh run that asks nothing, verify stopping on a
# tarpit and on 421, drain --dry-run's plan, and a hostile primary
# whose replies never reach the terminal raw.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need python3 timeout
[ -x "$TOOLS/fakesmtp" ] || { echo "no $TOOLS/fakesmtp (make tools)"; exit 77; }
tmp=$(mktemp -d /tmp/mxtop-probe.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 30000))
now=1735700000

# A spool: ex.example has good users (alice, bob) and junk; one message
# is shared with other.example.
sp=$tmp/spool
mkdir -p "$sp/input" "$sp/msglog"
msg() {	# ID RCPT...
	local id=$1 r
	shift
	{
		printf '%s-H\nDebian-exim 102 105\n<sender@partners.example>\n' "$id"
		printf '1735689600 0\n-received_time_usec .000001\nXX\n%d\n' $#
		for r in "$@"; do printf '%s\n' "$r"; done
		printf '\n011  Subject: x\n'
	} > "$sp/input/$id-H"
	printf '%s-D\nbody\n' "$id" > "$sp/input/$id-D"
}
m1=1tSm9Y-000W7E-01; m2=1tSm9Y-000W7E-02; m3=1tSm9Y-000W7E-03
m4=1tSm9Y-000W7E-04
msg $m1 alice@ex.example
msg $m2 junk1@ex.example junk2@ex.example
msg $m3 bob@ex.example junk3@ex.example
msg $m4 carol@other.example junk4@ex.example
printf 'alice\nbob@ex.example\n' > "$tmp/users"

n=0
fake() {	# MODE [ARGS]: starts a fake primary, sets addr and tr
	n=$((n + 1))
	addr=127.0.1.$((100 + n))
	tr=$tmp/tr.$n
	rm -f "$tmp/pid"
	( "$TOOLS/fakesmtp" -a "$addr" -p "$port" -m "$@" -t 120 -x "$tr" \
	    -P "$tmp/pid" < /dev/null 2>> "$tmp/fake.err" & )
	for _ in $(seq 100); do [ -s "$tmp/pid" ] && break; sleep 0.05; done
	pids+=("$(cat "$tmp/pid")")
}
mx() {	# no Exim: the fake primary is named, so is the relay
	"$MXTOP" -s "$sp" -l /dev/null --now "$now" --audit "$tmp/audit.log" \
	    --host "$addr:$port" --helo relay.test --timeout 2 "$@"
}
class_of() {	# JSON file: the first domain's class
	python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["domains"][0]["class"])' "$1"
}

# ---- probe: each mode's verdict ----
while read -r want mode args; do
	if [ "$mode" = offline ]; then
		n=$((n + 1)); addr=127.0.1.$((100 + n)); tr=/dev/null
	else
		# shellcheck disable=SC2086
		fake $mode $args
	fi
	mx probe ex.example --format json > "$tmp/p.json" 2> "$tmp/p.err"
	rc=$?
	got=$(class_of "$tmp/p.json" 2> /dev/null)
	wrc=1; [ "$want" = ok ] && wrc=0
	if [ "$got" = "$want" ] && [ $rc = $wrc ]; then
		ok "probe: $mode${args:+ $args} is $want (exit $rc)"
	else
		bad "probe: $mode $args: class $got exit $rc, wanted $want"
		sed 's/^/# /' "$tmp/p.err" "$tmp/p.json" | head -20
	fi
	if [ -s "$tr" ] && grep -q -i -E '^[0-9]+ (DATA|BDAT|STARTTLS)' "$tr"; then
		bad "probe: $mode: the fake primary was sent DATA or STARTTLS"
	fi
done <<EOF
ok users -u $tmp/users
accepts-all accept
softreject users -u $tmp/users -c 450
tarpit stall
tarpit stall-rcpt
ratelimit ratelimit
blocked blocked
tls-required tls
tarpit users -u $tmp/users -w 1000
tarpit users -u $tmp/users -T 1
ratelimit users -u $tmp/users -L 1
offline offline
EOF
cat "$tmp"/tr.* | grep -q -i -E '^[0-9]+ (DATA|BDAT|STARTTLS)' &&
    bad "some probe sent DATA or STARTTLS" ||
    ok "no probe ever sent DATA or STARTTLS (the transcripts)"

# The dialogue of a probe, as the fake primary saw it.
fake users -u "$tmp/users"
mx --sample 2 --probe-sender probe@relay.test probe ex.example \
    > "$tmp/p.txt" 2>&1
cut -d' ' -f2- "$tr" | sed -E 's/mxtop-probe-[0-9a-f]{16}/RANDOM/' \
    > "$tmp/dialogue"
printf '%s\n' 'connect 127.0.0.1' 'EHLO relay.test' \
    'MAIL FROM:<probe@relay.test>' 'RCPT TO:<RANDOM@ex.example>' \
    'RCPT TO:<alice@ex.example>' 'RCPT TO:<junk4@ex.example>' RSET QUIT \
    > "$tmp/want"
if cmp -s "$tmp/dialogue" "$tmp/want"; then
	ok "probe: connect, EHLO, MAIL, RCPT random + 2 samples, RSET, QUIT"
else
	bad "probe dialogue"; diff "$tmp/want" "$tmp/dialogue" | sed 's/^/# /'
fi
for s in connect banner ehlo mail rcpt-random rcpt rset quit; do
	grep -q "^    $s " "$tmp/p.txt" || { bad "probe text lacks step $s"; break; }
done && ok "probe text: every step with its reply and latency"

# ---- verify ----
fake users -u "$tmp/users"
mx verify --domain ex.example --rate 50/s --format json > "$tmp/v.json" \
    2> "$tmp/v.err"
rc=$?
if [ $rc = 0 ] && python3 - "$tmp/v.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
dom = d["domains"][0]
res = {r["address"]: r["result"] for r in dom["results"]}
assert res == {"alice@ex.example": "accepted", "bob@ex.example": "accepted",
    "junk1@ex.example": "rejected", "junk2@ex.example": "rejected",
    "junk3@ex.example": "rejected", "junk4@ex.example": "rejected"}, res
assert dom["accepted"] == 2 and dom["rejected"] == 4 and dom["left"] == 0
assert dom["stopped"] is None
assert all(r["code"] in (250, 550) for r in dom["results"])
EOF
then
	ok "verify: 2 accepted, 4 rejected, as the fake primary's user list says"
else
	bad "verify: exit $rc"; sed 's/^/# /' "$tmp/v.err" "$tmp/v.json" | head
fi
asked=$(grep -c ' RCPT TO:' "$tr")
[ "$asked" = 6 ] && ! grep -q -i ' DATA' "$tr" &&
    ok "verify: each recipient asked once (6 RCPT), no DATA" ||
    bad "verify: $asked RCPTs asked"
state=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state_file"])' "$tmp/v.json")
case $state in
"$tmp"/verify-*.tsv) [ -f "$state" ] && ! ls "$sp" | grep -q verify &&
	ok "verify: results in $(basename "$state") beside the audit log, not in the spool" ||
	bad "state file $state" ;;
*) bad "state file at $state" ;;
esac
ids() { mx list "$@" --format ids | sort | tr '\n' ' '; }
got=$(ids --domain ex.example --verified rejected)
[ "$got" = "$m2 $m3 $m4 " ] && ok "list --verified rejected: $got" ||
    bad "--verified rejected: $got"
got=$(ids --domain ex.example --verified accepted)
[ "$got" = "$m1 $m3 " ] && ok "list --verified accepted: $got" ||
    bad "--verified accepted: $got"
# Results carry the real time of the answer: two hours on, they expire.
later=$(($(date +%s) + 7200))
got=$(mx --now $later list --verified rejected --format ids | wc -l)
got2=$(mx --now $later --max-verify-age 2d list --verified rejected --format ids | wc -l)
[ "$got" = 0 ] && [ "$got2" = 3 ] &&
    ok "results older than --max-verify-age (1h) read as unknown; 2d keeps them" ||
    bad "expiry: $got, $got2"
before=$(grep -c ' RCPT TO:' "$tr")
mx verify --domain ex.example > "$tmp/v2.txt" 2>&1
[ "$(grep -c ' RCPT TO:' "$tr")" = "$before" ] &&
    grep -q '6 with a fresh answer' "$tmp/v2.txt" &&
    ok "verify again: fresh answers are not asked again" ||
    { bad "second verify asked again"; sed 's/^/# /' "$tmp/v2.txt"; }

# ---- drain --dry-run: the plan from those answers ----
mx drain --domain ex.example --dry-run > "$tmp/d.txt" 2>&1
rc=$?
grep -q "drain: 1 message to remove, 2 to flush, 0 left queued" "$tmp/d.txt" &&
    grep -q -- "-Mrm $m2\$" "$tmp/d.txt" &&
    grep -q -- "-Mmd $m3 junk3@ex.example\$" "$tmp/d.txt" &&
    grep -q -- "-Mmd $m4 junk4@ex.example\$" "$tmp/d.txt" &&
    grep -q -- "-oB 1 -M $m1\$" "$tmp/d.txt" &&
    grep -q -- "-oB 1 -M $m3\$" "$tmp/d.txt" && [ $rc = 0 ] &&
    ok "drain --dry-run: -Mrm the all-rejected, -Mmd the rejected of the others, flush the accepted" ||
    { bad "drain dry run: exit $rc"; sed 's/^/# /' "$tmp/d.txt"; }
mx drain --domain ex.example --dry-run --bounce-rejected --format json \
    > "$tmp/d.json" 2> /dev/null
python3 - "$tmp/d.json" "$m2" <<'EOF' && ok "drain --bounce-rejected --dry-run: -Mg of the all-rejected only (json)" || bad "drain bounce plan"
import json, sys
d = json.load(open(sys.argv[1]))
rm = [i for i in d["remove"]["items"] if i["how"] != "skip"]
assert d["remove"]["action"] == "bounce", d["remove"]["action"]
assert [i["id"] for i in rm] == [sys.argv[2]], rm
assert "-Mg " in rm[0]["argv"]
assert d["flush"]["messages"] == 2 and d["left"]["messages"] == 0
EOF

# ---- verify stops when the primary gets into trouble ----
rm -f "$state"
fake users -u "$tmp/users" -T 2
t0=$(date +%s)
mx verify --domain ex.example --rate 50/s --timeout 1 --format json \
    > "$tmp/v3.json" 2> "$tmp/v3.err"
rc=$?
if [ $rc = 1 ] && python3 - "$tmp/v3.json" <<'EOF'
import json, sys
dom = json.load(open(sys.argv[1]))["domains"][0]
assert "stopped answering" in dom["stopped"], dom["stopped"]
assert dom["accepted"] + dom["rejected"] == 2, dom
assert dom["left"] + dom["unknown"] == 4, dom
EOF
then
	ok "verify: a primary that tarpits after 2 RCPTs stops the run, with how far it got ($(($(date +%s) - t0))s)"
else
	bad "verify tarpit stop: exit $rc"; sed 's/^/# /' "$tmp/v3.err" "$tmp/v3.json"
fi
fake users -u "$tmp/users" -L 3
mx verify --domain ex.example --rate 50/s > "$tmp/v4.txt" 2>&1
rc=$?
grep -q 'stopped early: the primary is rate-limiting: 421' "$tmp/v4.txt" &&
    [ $rc = 1 ] && ok "verify: 421 stops the run at once" ||
    { bad "verify 421: exit $rc"; sed 's/^/# /' "$tmp/v4.txt"; }

# ---- a hostile primary: escape sequences, long lines, 200-line replies ----
hport=$((port + 1))
python3 - "$hport" > "$tmp/hostile.log" 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.1.99", int(sys.argv[1]))); s.listen(1); s.settimeout(30)
c, _ = s.accept(); c.settimeout(10)
c.sendall(b"220 \x1b]0;pwned\x07\x1b[2J evil \xff\xfe\r\n")
f = c.makefile("rb")
for line in f:
    w = line.split()[0].upper() if line.split() else b""
    if w == b"EHLO":
        c.sendall(b"".join(b"250-" + b"\x1b[31m" * 50 + b"x" * 3000 + b"\r\n" for _ in range(200)) + b"250 ok\r\n")
    elif w == b"RCPT":
        c.sendall(b"550 5.1.1 \x00\x1b[1mno such\x9b31m user\r\n")
    elif w == b"QUIT":
        c.sendall(b"221 bye\r\n"); break
    else:
        c.sendall(b"250 \x07ok\r\n")
EOF
hpid=$!
pids+=("$hpid")
sleep 0.5
"$MXTOP" -s "$sp" -l /dev/null --host "127.0.1.99:$hport" --helo relay.test \
    --timeout 3 probe ex.example > "$tmp/h.txt" 2>&1
rc=$?
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/h.txt"; then
	bad "hostile primary: raw control bytes on the terminal"
elif [ $rc = 0 ] && grep -q '^ex.example: ok' "$tmp/h.txt" &&
    grep -q '\^\[\]0;pwned' "$tmp/h.txt"; then
	ok "hostile primary: 200 long reply lines, NUL, ESC, C1 and bad UTF-8 shown escaped; verdict ok"
else
	bad "hostile primary: exit $rc"; sed 's/^/# /' "$tmp/h.txt" | cut -c1-200 | head
fi

# ---- usage ----
"$MXTOP" -s "$sp" probe > /dev/null 2>&1; rc1=$?
"$MXTOP" -s "$sp" verify > /dev/null 2>&1; rc2=$?
"$MXTOP" -s "$sp" --verified maybe list > /dev/null 2>&1; rc3=$?
"$MXTOP" -s "$sp" --host 'x;y' --helo h probe ex.example > "$tmp/u.txt" 2>&1; rc4=$?
[ $rc1 = 2 ] && [ $rc2 = 2 ] && [ $rc3 = 2 ] && [ $rc4 = 1 ] &&
    grep -q 'not IP' "$tmp/u.txt" &&
    ok "usage: probe without domains, verify without selection, --verified maybe (exit 2); --host garbage connects nowhere" ||
    bad "usage: $rc1 $rc2 $rc3 $rc4"
t_done
