#!/usr/bin/env bash
# test_mxcheck.sh -- mx-check against a real DNS server: NSD on a random
# loopback port (its own config, zones, pid and state files in a
# temporary directory; no system service, no port 53), serving one zone
# per mistake of the issue plus a correct one.  The live lookups
# (--dns-server) must find exactly the planted findings; the same zones
# read as zone files, as dig AXFR text and as dig's full output of the
# queries a support engineer would paste must give the same findings,
# records included; under strace no DNS packet goes anywhere but the
# test's server.  Run as root (NSD binds as root and drops nothing here).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need nsd dig strace python3
[ "$(id -u)" = 0 ] || { echo "not root: skipped (nsd needs root here)"; exit 77; }
tmp=$(mktemp -d /tmp/mxtop-dns.XXXXXX)
chmod 755 "$tmp"
hole_pid=
. "$here/nsd.lib"
cleanup() {
	nsd_stop
	[ -n "$hole_pid" ] && kill "$hole_pid" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
port=$(nsd_port)
[ -n "$port" ] || { bad "no free port"; t_done; exit; }

# --- the zones: name, records (after SOA and NS), expected findings ---
mkdir -p "$tmp/zones" "$tmp/spool/input"
cases=$tmp/cases
cat > "$cases" <<'EOF'
good.example|@ MX 10 mail;@ MX 20 mx2.relay.example.;mail A 198.51.100.10;mail AAAA 2001:db8::10|
ip.example|@ MX 10 10.11.12.13.;@ MX 20 mx2.relay.example.|mx-is-ip
ip6.example|@ MX 10 2001:db8::1.;@ MX 20 mx2.relay.example.|mx-is-ip
ip6literal.example|@ MX 10 [IPv6:2001:db8::25].;@ MX 20 mx2.relay.example.|mx-is-ip
cname.example|@ MX 10 mail;@ MX 20 mx2.relay.example.;mail CNAME server;server A 198.51.100.11|mx-is-cname
only.example|@ MX 20 mx2.relay.example.|relay-only-mx
preferred.example|@ MX 20 mx2.relay.example.;@ MX 50 mail;mail A 198.51.100.12|relay-preferred
missing.example|@ MX 10 mail;mail A 198.51.100.13|relay-missing
aliasa.example|@ MX 10 mail;@ MX 20 backup;mail A 198.51.100.14;backup A 192.0.2.25|alias-a-to-relay
aliasrr.example|@ MX 10 mail;@ MX 20 backup;mail A 198.51.100.15;backup A 192.0.2.25;backup A 192.0.2.26|alias-a-to-relay
aliascname.example|@ MX 10 mail;@ MX 20 backup;mail A 198.51.100.16;backup CNAME mx2.relay.example.|alias-cname-to-relay
nxtarget.example|@ MX 10 mail;@ MX 20 mx2.relay.example.|mx-unresolvable
noaddr.example|@ MX 10 mail;@ MX 20 mx2.relay.example.;mail TXT "no address here"|mx-unresolvable
private.example|@ MX 10 mail;@ MX 20 mx2.relay.example.;mail A 10.1.2.3|mx-private-address
loopback.example|@ MX 10 mail;@ MX 20 mx2.relay.example.;mail A 127.0.0.1|mx-private-address
hostile.example|@ MX 10 \027[2J\007.hostile.example.;@ MX 20 mx2.relay.example.|mx-unresolvable
relay.example|mx2 A 192.0.2.25;mx2 A 192.0.2.26|
EOF
while IFS='|' read -r zone recs _; do
	{
		printf '$ORIGIN %s.\n$TTL 3600\n' "$zone"
		printf '@ IN SOA ns1 hostmaster ( 1 3600 900\n\t604800 300 )\n'
		printf '@ IN NS ns1\nns1 IN A 127.0.0.1\n'
		echo "$recs" | tr ';' '\n'
	} > "$tmp/zones/$zone.zone"
done < "$cases"
domains=$(grep -v '^relay\.' "$cases" | cut -d'|' -f1)
if nsd_start "$tmp" "$port" $(cut -d'|' -f1 "$cases") > "$tmp/err" 2>&1
then
	ok "nsd serves on 127.0.0.1:$port and [::1]:$port"
else
	bad "nsd does not start:"; sed 's/^/# /' "$tmp/err"; t_done; exit
fi

relay=(--relay-name mx2.relay.example --relay-addr 192.0.2.25
    --relay-addr 192.0.2.26)
mx() { "$MXTOP" -s "$tmp/spool" mx-check "$@"; }

# findings FILE: "domain: code code ..." per domain, from JSON; with
# records when RECORDS=1.
findings() {
	RECORDS=${RECORDS:-0} python3 - "$1" <<'EOF'
import json, os, sys
doc = json.load(open(sys.argv[1]))
for d in doc['domains']:
    if os.environ['RECORDS'] == '1':
        for f in d['findings']:
            print(d['domain'], f['code'], ' | '.join(f['records']))
        if not d['findings']:
            print(d['domain'], '-')
    else:
        print(d['domain'] + ':', ' '.join(f['code'] for f in d['findings']))
EOF
}
expected() {
	grep -v '^relay\.' "$cases" | while IFS='|' read -r zone _ codes; do
		echo "$zone: ${codes//,/ }"
	done
}
expected > "$tmp/want"

# --- live lookups, under strace ---
strace -f -qq -e trace=connect,sendto,sendmsg,sendmmsg -o "$tmp/trace" \
    "$MXTOP" -s "$tmp/spool" mx-check --dns-server "127.0.0.1:$port" \
    "${relay[@]}" --format json $domains > "$tmp/live.json" 2> "$tmp/err"
rc=$?
[ "$rc" = 1 ] && ok "live: exit 1 (findings)" || { bad "live: exit $rc"; sed 's/^/# /' "$tmp/err"; }
findings "$tmp/live.json" > "$tmp/got" 2> "$tmp/err"
if diff "$tmp/want" "$tmp/got" > "$tmp/diff"; then
	ok "live: exactly the planted findings ($(wc -l < "$tmp/got") domains)"
else
	bad "live findings differ:"; sed 's/^/# /' "$tmp/diff" "$tmp/err"
fi
# Where every packet went: only to the test's server.
python3 - "$tmp/trace" "$port" > "$tmp/dest" <<'EOF'
import re, sys
port = sys.argv[2]
n = bad = 0
for line in open(sys.argv[1]):
    for m in re.finditer(r'sin6?_port=htons\((\d+)\)[^}]*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")', line):
        n += 1
        addr = m.group(2) or m.group(3)
        if m.group(1) != port or addr not in ('127.0.0.1', '::1'):
            bad += 1
            print('elsewhere:', line.strip())
print('destinations', n, 'bad', bad)
EOF
if grep -q '^destinations [1-9][0-9]* bad 0$' "$tmp/dest"; then
	ok "strace: every packet to 127.0.0.1:$port ($(tail -1 "$tmp/dest"))"
else
	bad "strace: $(cat "$tmp/dest")"
fi
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); \
    assert d["relay"]["addresses"] == ["192.0.2.25", "192.0.2.26"]; \
    m = {x["domain"]: x for x in d["domains"]}; \
    c = m["cname.example"]["mx"][0]; \
    assert c["cname"] == ["server.cname.example"] and c["addresses"] == ["198.51.100.11"]; \
    assert m["aliascname.example"]["mx"][1]["relay"] is True; \
    assert m["good.example"]["mx"][0]["addresses"] == ["198.51.100.10", "2001:db8::10"]; \
    assert all(x["error"] is None for x in d["domains"])' "$tmp/live.json"
then ok "live: MX sets, CNAME chains (across zones), addresses"
else bad "live: JSON details"
fi

# The correct domain alone: exit 0; text output with no raw control byte.
expect() {	# STATUS WHAT CMD...
	local want=$1 what=$2 rc
	shift 2
	"$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"
	else bad "$what: exit $rc, wanted $want"; sed 's/^/# /' "$tmp/err" | head -5
	fi
}
expect 0 "the correct domain" mx --dns-server "127.0.0.1:$port" "${relay[@]}" \
    good.example
grep -q '^good.example: ok$' "$tmp/out" && ok "text: ok line" || bad "text: $(head -3 "$tmp/out")"
expect 1 "text output of every domain" mx --dns-server "127.0.0.1:$port" \
    "${relay[@]}" $domains
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out"; then
	bad "raw control bytes in text output"
elif grep -qF 'MX 10 \027\0912j\007.hostile.example' "$tmp/out"; then
	ok "hostile names shown escaped"
else
	bad "hostile name not shown: $(grep -A2 hostile "$tmp/out" | head -3)"
fi
expect 1 "IPv6 server [::1]:$port" mx --dns-server "[::1]:$port" "${relay[@]}" \
    --format json only.example
grep -q '"code":"relay-only-mx"' "$tmp/out" && ok "IPv6 server: finding" || bad "IPv6 server: $(head -c 300 "$tmp/out")"

# --- the same zones as zone files ---
# --zone is given at most 16 times: the last files go in one (a zone file
# may hold several zones, each after its $ORIGIN).
zargs=()
: > "$tmp/more.zone"
for f in "$tmp"/zones/*.zone; do
	if [ ${#zargs[@]} -lt 30 ]; then zargs+=(--zone "$f")
	else cat "$f" >> "$tmp/more.zone"
	fi
done
zargs+=(--zone "$tmp/more.zone")
expect 1 "zone files" mx "${zargs[@]}" "${relay[@]}" --format json $domains
cp "$tmp/out" "$tmp/zone.json"
RECORDS=1 findings "$tmp/live.json" > "$tmp/live.rec"
RECORDS=1 findings "$tmp/zone.json" > "$tmp/zone.rec"
if diff "$tmp/live.rec" "$tmp/zone.rec" > "$tmp/diff"; then
	ok "zone files: the same findings and records as live"
else
	bad "zone files differ:"; sed 's/^/# /' "$tmp/diff"
fi

# --- the same zones as dig text ---
digq() { dig @127.0.0.1 -p "$port" +time=2 +tries=1 "$@"; }
for z in $(cut -d'|' -f1 "$cases"); do
	digq "$z" AXFR +noall +answer
done > "$tmp/axfr.txt"
expect 1 "dig AXFR +noall +answer on stdin" mx --zone - "${relay[@]}" \
    --format json $domains < "$tmp/axfr.txt"
RECORDS=1 findings "$tmp/out" > "$tmp/axfr.rec"
if diff "$tmp/live.rec" "$tmp/axfr.rec" > "$tmp/diff"; then
	ok "dig AXFR: the same findings and records as live"
else
	bad "dig AXFR differs:"; sed 's/^/# /' "$tmp/diff"
fi
# What a support engineer pastes: dig's full output of the MX query and
# of each target's A and AAAA (and the relay's own name).
{
	digq mx2.relay.example A
	for d in $domains; do
		digq "$d" MX
		for h in $(digq +short "$d" MX | awk '{ print $2 }'); do
			case $h in
			[0-9]*.[0-9]*.[0-9]*.[0-9]*.|*:*) continue ;;
			esac
			digq "$h" A
			digq "$h" AAAA
		done
	done
} > "$tmp/paste.txt"
grep -q 'status: NXDOMAIN' "$tmp/paste.txt" && ok "the paste holds an NXDOMAIN" || bad "no NXDOMAIN in the paste"
expect 1 "dig's full output on stdin" mx --zone - "${relay[@]}" --format json \
    $domains < "$tmp/paste.txt"
RECORDS=1 findings "$tmp/out" > "$tmp/paste.rec"
if diff "$tmp/live.rec" "$tmp/paste.rec" > "$tmp/diff"; then
	ok "dig full output: the same findings and records as live"
else
	bad "dig full output differs:"; sed 's/^/# /' "$tmp/diff"
fi
# The usual paste, dig MX +noall +answer alone: what the MX set tells.
digq only.example MX +noall +answer > "$tmp/mx.txt"
expect 1 "dig MX +noall +answer: relay-only-mx" mx --zone - "${relay[@]}" \
    only.example < "$tmp/mx.txt"
grep -q '^  relay-only-mx$' "$tmp/out" && ok "pasted MX set: the finding" || bad "pasted MX set: $(head -5 "$tmp/out")"
digq cname.example MX +noall +answer > "$tmp/mx.txt"
expect 0 "dig MX +noall +answer: no guess about targets" mx --zone - \
    "${relay[@]}" cname.example < "$tmp/mx.txt"
grep -q 'not in the data: the A/AAAA of mail.cname.example' "$tmp/out" && ok "unknown targets are named" || bad "no note: $(cat "$tmp/out")"

# --- --all: the domains with mail queued in the spool ---
msg() {	# ID SENDER RCPT [FLAG]: a minimal -H and -D
	{
		printf '%s-H\nDebian-exim 102 105\n<%s>\n1735689600 0\n' "$1" "$2"
		printf -- '-received_time_usec .000001\n%sXX\n1\n%s\n\n' "${4:+$4
}" "$3"
		printf '012  Subject: hi\n'
	} > "$tmp/spool/input/$1-H"
	printf '%s-D\nbody\n' "$1" > "$tmp/spool/input/$1-D"
}
msg 1tSm9Y-000W7E-01 a@sender.test u@only.example
msg 1tSm9Y-000W7E-02 b@sender.test u@MISSING.example
msg 1tSm9Y-000W7E-03 '' bounced@outside.test -localerror
expect 1 "--all" mx --all --dns-server "127.0.0.1:$port" "${relay[@]}" \
    --format json
got=$(python3 -c 'import json,sys; print(" ".join(d["domain"] for d in json.load(open(sys.argv[1]))["domains"]))' "$tmp/out")
[ "$got" = "missing.example only.example" ] && ok "--all: the queued domains, not Exim's own bounces" || bad "--all: $got"

# --- failures: exit 2, quickly ---
expect 2 "a refusing server" mx --dns-server "127.0.0.1:1" --timeout 1 \
    "${relay[@]}" good.example
grep -q 'good.example: the MX lookup of good.example failed (MX good.example: nothing listens there' "$tmp/err" && ok "refused: said so" || bad "refused: $(cat "$tmp/err")"
# NSD answers REFUSED for a zone it does not serve: said as such, not as
# a timeout (glibc gives both the same errno).
expect 2 "a zone the server does not serve" mx --dns-server "127.0.0.1:$port" \
    --timeout 1 "${relay[@]}" not-served.zz
grep -q 'not-served.zz: REFUSED)' "$tmp/err" && ok "REFUSED: said so" || bad "REFUSED: $(cat "$tmp/err")"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    s.recv(4096)
' > "$tmp/hole" &
hole_pid=$!
for _ in $(seq 50); do [ -s "$tmp/hole" ] && break; sleep 0.1; done
t0=$(date +%s.%N)
expect 2 "a silent server, --timeout 1" mx --dns-server "127.0.0.1:$(cat "$tmp/hole")" \
    --timeout 1 "${relay[@]}" good.example
t1=$(date +%s.%N)
secs=$(t_elapsed "$t0" "$t1")
grep -q 'timed out' "$tmp/err" && ok "silent: timed out ($secs s)" || bad "silent: $(cat "$tmp/err")"
if [ -n "$secs" ] && awk -v s="$secs" 'BEGIN { exit !(s >= 2 && s < 15) }'; then
	ok "silent: retried, then gave up ($secs s for relay names and domain)"
else
	bad "silent: took $secs s"
fi
kill "$hole_pid" 2> /dev/null; hole_pid=

# --- usage errors: exit 2 ---
expect 2 "no domain" mx "${relay[@]}"
expect 2 "--zone with --dns-server" mx --zone "$tmp/axfr.txt" \
    --dns-server 127.0.0.1 "${relay[@]}" good.example
expect 2 "bad --dns-server" mx --dns-server 127.0.0.1:99999 "${relay[@]}" good.example
expect 2 "bad --relay-addr" mx --dns-server "127.0.0.1:$port" --relay-addr 1.2.3 \
    good.example
expect 2 "bad domain" mx --zone "$tmp/axfr.txt" "${relay[@]}" 'a..b'
expect 2 "--all-customers (not yet)" mx --all-customers "${relay[@]}"
expect 2 "a missing zone file" mx --zone "$tmp/nonexistent" "${relay[@]}" good.example
expect 2 "a domain the data does not hold" mx --zone "$tmp/axfr.txt" "${relay[@]}" \
    not-there.test
t_done
