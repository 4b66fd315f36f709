#!/usr/bin/env bash
# test_diagnose_dns.sh -- diagnose --dns against a real DNS server: NSD on
# a random loopback port (nsd.lib) serving the sample spool's story:
# proseware.example (class dns) has an MX that is an IP address,
# woodgrove.example (class loop) a name of its own with the relay's
# address, contoso.example (class tarpit) a relay-missing mistake that
# diagnose must not look up unless it is named.  The planted findings
# must show in the text and the JSON of the diagnosis, and under strace
# no DNS packet goes anywhere but the test's server, and none at all
# without --dns (the TUI's entry point, cmd_mxdiag_check() on many
# threads at once, is tests/unit/check_mxdiag.c's).  Run as root (NSD
# binds as root and drops nothing here).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need nsd dig strace python3
[ "$(id -u)" = 0 ] || { echo "not root: skipped (nsd needs root here)"; exit 77; }
tmp=$(mktemp -d /tmp/mxtop-ddns.XXXXXX)
chmod 755 "$tmp"
. "$here/nsd.lib"
trap 'nsd_stop; rm -rf "$tmp"' EXIT
port=$(nsd_port)
[ -n "$port" ] || { bad "no free port"; t_done; exit; }

mkdir -p "$tmp/zones"
zone() {	# NAME RECORDS...
	local z=$1
	shift
	{
		printf '$ORIGIN %s.\n$TTL 3600\n' "$z"
		printf '@ IN SOA ns1 hostmaster ( 1 3600 900 604800 300 )\n'
		printf '@ IN NS ns1\nns1 IN A 127.0.0.1\n'
		printf '%s\n' "$@"
	} > "$tmp/zones/$z.zone"
}
zone proseware.example '@ MX 10 10.11.12.13.' '@ MX 20 mx2.relay.example.'
zone woodgrove.example '@ MX 10 mail' '@ MX 20 backup' \
    'mail A 198.51.100.10' 'backup A 192.0.2.25'
zone contoso.example '@ MX 10 mail' 'mail A 198.51.100.11'
zone relay.example 'mx2 A 192.0.2.25'
if nsd_start "$tmp" "$port" proseware.example woodgrove.example \
    contoso.example relay.example > "$tmp/err" 2>&1; then
	ok "nsd serves on 127.0.0.1:$port"
else
	bad "nsd does not start:"; sed 's/^/# /' "$tmp/err"; t_done; exit
fi

now=$(cat "$SAMPLE/now")
S=(-s "$SAMPLE" --now "$now" --since 7d)
dns=(--dns --dns-server "127.0.0.1:$port" --relay-name mx2.relay.example)
trace() {	# FILE CMD...: the sockets' destinations of CMD into FILE
	local f=$1
	shift
	# LeakSanitizer cannot run under ptrace (make sanitize).
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    strace -f -qq -e trace=connect,sendto,sendmsg,sendmmsg -o "$f" "$@"
}
# dests TRACE: "destinations N bad M" (bad: not the test's server).
dests() {
	python3 - "$1" "$port" <<'EOF'
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
}
expect() {	# STATUS WHAT CMD...
	local want=$1 what=$2 rc
	shift 2
	"$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"
	else bad "$what: exit $rc, wanted $want"; sed 's/^/# /' "$tmp/err" | head -5
	fi
}
# part DOMAIN FILE: the domain's part of diagnose's text.
part() {
	awk -v d="$1" '$0 == d { f = 1; print; next }
	    f && /^[^ ]/ { exit } f' "$2"
}

# --- text, under strace ---
trace "$tmp/trace" "$MXTOP" "${S[@]}" diagnose "${dns[@]}" > "$tmp/diag.txt" \
    2> "$tmp/err"
rc=$?
[ "$rc" = 0 ] && ok "diagnose --dns: exit 0" || { bad "diagnose --dns: exit $rc"; sed 's/^/# /' "$tmp/err"; }
part proseware.example "$tmp/diag.txt" > "$tmp/pw"
if grep -qx '  dns:        mx-check now: 1 finding' "$tmp/pw" &&
    grep -qx '    mx-is-ip' "$tmp/pw" &&
    grep -qx '      proseware.example. MX 10 10.11.12.13.' "$tmp/pw" &&
    grep -q '^      why: An MX record must name a host' "$tmp/pw" &&
    grep -q '^      fix: Give the mail server a host name' "$tmp/pw"; then
	ok "text: proseware.example (dns): mx-is-ip with its record, why and fix"
else
	bad "text: proseware.example:"; sed 's/^/# /' "$tmp/pw" | tail -15
fi
# The DNS part comes after the log's evidence, before the advice.
if awk '/^  evidence:/ { e = NR } /^  dns:/ { d = NR } /^  advice:/ { a = NR }
    END { exit !(e && d > e && a > d) }' "$tmp/pw"; then
	ok "text: evidence, then dns, then advice"
else
	bad "text: order of the parts"
fi
part woodgrove.example "$tmp/diag.txt" > "$tmp/wg"
if grep -qx '    alias-a-to-relay' "$tmp/wg" &&
    grep -qx '      backup.woodgrove.example. A 192.0.2.25' "$tmp/wg" &&
    grep -qx '    MX 20 backup.woodgrove.example 192.0.2.25 \[relay\]' "$tmp/wg"
then
	ok "text: woodgrove.example (loop): alias-a-to-relay, the relay's address from its name"
else
	bad "text: woodgrove.example:"; sed 's/^/# /' "$tmp/wg" | tail -15
fi
n=$(grep -c '^  dns:' "$tmp/diag.txt")
[ "$n" = 2 ] && ok "text: a dns part for the dns and loop domains only" || bad "text: $n dns parts"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/diag.txt"; then
	bad "raw control bytes in the text"
else
	ok "text: no raw control byte"
fi
dests "$tmp/trace" > "$tmp/dest"
if grep -q '^destinations [1-9][0-9]* bad 0$' "$tmp/dest"; then
	ok "strace --dns: every packet to 127.0.0.1:$port ($(tail -1 "$tmp/dest"))"
else
	bad "strace --dns: $(cat "$tmp/dest")"
fi

# --- JSON ---
expect 0 "diagnose --dns --format json" "$MXTOP" "${S[@]}" diagnose "${dns[@]}" \
    --format json
if python3 - "$tmp/out" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
m = {d['domain']: d for d in doc['domains']}
def codes(d):
    return [f['code'] for f in m[d]['dns']['findings']]
assert codes('proseware.example') == ['mx-is-ip'], codes('proseware.example')
assert codes('woodgrove.example') == ['alias-a-to-relay']
f = m['woodgrove.example']['dns']['findings'][0]
assert f['records'] == ['woodgrove.example. MX 20 backup.woodgrove.example.',
    'backup.woodgrove.example. A 192.0.2.25'], f['records']
assert f['why'] and f['fix']
assert m['proseware.example']['dns']['mx'][0]['host'] == '10.11.12.13'
assert m['proseware.example']['dns']['error'] is None
for d, x in m.items():
    if x['class'] not in ('dns', 'loop'):
        assert x['dns'] is None, d
EOF
then ok "json: the planted findings in \"dns\", null for the other classes"
else bad "json: $(head -c 300 "$tmp/out")"
fi
expect 0 "diagnose --format json without --dns" "$MXTOP" "${S[@]}" diagnose \
    --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all(x["dns"] is None for x in d["domains"])' "$tmp/out" &&
    ok "json without --dns: every \"dns\" null" || bad "json without --dns"

# --- a named domain is looked up whatever its class ---
expect 0 "diagnose contoso.example --dns (tarpit)" "$MXTOP" "${S[@]}" diagnose \
    contoso.example "${dns[@]}"
grep -qx '    relay-missing' "$tmp/out" && ok "named: contoso.example's relay-missing" || bad "named: $(grep -A3 'dns:' "$tmp/out")"

# --- no DNS unless asked ---
trace "$tmp/trace" "$MXTOP" "${S[@]}" diagnose > /dev/null 2>&1
if grep -qE 'AF_INET6?|sin6?_port' "$tmp/trace"; then
	bad "without --dns: a packet was sent:"; grep -E 'AF_INET' "$tmp/trace" | head -3 | sed 's/^/# /'
else
	ok "strace without --dns: no IP socket used ($(wc -l < "$tmp/trace") calls traced)"
fi
trace "$tmp/trace" "$MXTOP" "${S[@]}" --format json diagnose proseware.example \
    > /dev/null 2>&1
grep -qE 'AF_INET6?|sin6?_port' "$tmp/trace" && bad "diagnose DOMAIN without --dns: a packet" ||
    ok "strace diagnose proseware.example without --dns: none"
trace "$tmp/trace" "$MXTOP" "${S[@]}" diagnose --domain contoso.example \
    "${dns[@]}" > "$tmp/out" 2>&1
if grep -qE 'AF_INET6?|sin6?_port' "$tmp/trace"; then
	bad "--dns with no dns or loop domain selected: a packet was sent"
elif grep -q '^  dns:' "$tmp/out"; then
	bad "--dns with no dns or loop domain: a dns part"
else
	ok "--dns with no dns or loop domain selected: no packet, not even the relay's"
fi

# --- a server that refuses, and usage errors ---
expect 0 "a refusing server: the diagnosis all the same" "$MXTOP" "${S[@]}" \
    diagnose proseware.example --dns --dns-server 127.0.0.1:1 --timeout 1 \
    --relay-name mx2.relay.example --relay-addr 192.0.2.25
grep -q '^  dns:        mx-check now: not checked' "$tmp/out" && grep -q 'class:      dns' "$tmp/out" &&
    ok "refused: not checked, said in the diagnosis" || bad "refused: $(grep dns: "$tmp/out")"
grep -q '^mxtop: diagnose --dns: proseware.example: the MX lookup of proseware.example failed' "$tmp/err" &&
    ok "refused: said on stderr" || bad "refused: stderr $(cat "$tmp/err")"
one_line() {	# WHAT: the error is one line
	[ "$(wc -l < "$tmp/err")" = 1 ] && [ ! -s "$tmp/out" ] &&
	    ok "$1: one line, no output" || bad "$1: $(cat "$tmp/err")"
}
expect 2 "--dns-server without --dns" "$MXTOP" "${S[@]}" diagnose \
    --dns-server "127.0.0.1:$port"
one_line "--dns-server without --dns"
expect 2 "--relay-name without --dns" "$MXTOP" "${S[@]}" diagnose \
    --relay-name mx2.relay.example
one_line "--relay-name without --dns"
expect 2 "--dns with a bad --dns-server" "$MXTOP" "${S[@]}" diagnose --dns \
    --dns-server 127.0.0.1:99999
one_line "--dns with a bad --dns-server"
expect 2 "--dns with --zone" "$MXTOP" "${S[@]}" diagnose --dns \
    --zone "$tmp/zones/proseware.example.zone"
one_line "--dns with --zone"
expect 2 "--dns with a bad --relay-addr" "$MXTOP" "${S[@]}" diagnose "${dns[@]}" \
    --relay-addr 1.2.3
one_line "--dns with a bad --relay-addr"
t_done
