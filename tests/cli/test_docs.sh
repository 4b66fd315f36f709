#!/usr/bin/env bash
# test_docs.sh -- the README and mxtop.1 cannot go stale.
#
# 1. The README's sample screen is what the command written above it
#    prints on the sample spool (UPDATE_README=1 rewrites the block).
# 2. Every example command of the README (indented lines that run mxtop)
#    and of mxtop.1 (.Dl $ ...) is run, in order, in one scratch
#    directory, on the sample spool: example.com stands for the sample's
#    contoso.example, actions get --dry-run, mx-check and diagnose --dns
#    ask a private NSD on a loopback port (the test's zones), ssh is a
#    local cat.  Each must exit as mxtop.1 documents: 0; check 0..3 as
#    its first word says; mx-check 0 without findings, 1 with; never a
#    usage error.
# 3. The KEYS section of mxtop.1 names every key of the TUI's help.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need python3 dig nsd
[ "$(id -u)" = 0 ] || { echo "not root: skipped (nsd needs root here)"; exit 77; }
readme=$top/README
man=$top/mxtop.1
now=$(cat "$SAMPLE/now")
tmp=$(mktemp -d /tmp/mxtop-docs.XXXXXX)
chmod 755 "$tmp"
. "$top/tests/dns/nsd.lib"
trap 'nsd_stop; rm -rf "$tmp"' EXIT

# --- 1. the sample screen ---
# The block: the indented lines after the line naming the command.
cmdline=$(grep -o 'mxtop -s sample-spool [^`]*--once[^`]*' "$readme" | head -1)
awk -v c="$cmdline" '
	f == 0 && index($0, c) { f = 1; next }
	f == 1 && /^    / { f = 2 }
	f == 2 && !/^    / { exit }
	f == 2 { print substr($0, 5) }' "$readme" > "$tmp/readme.screen"
# The header's host name is the machine's: compare it as HOST.
host() { sed '1s/^\(mxtop\) [^ ]* */\1 HOST /; 1s/  */ /g'; }
if [ -z "$cmdline" ]; then
	bad "README: no sample-screen command (mxtop -s sample-spool ... --once)"
else
	(cd "$top" && eval "\"$MXTOP\" ${cmdline#mxtop }") > "$tmp/screen" \
	    2> "$tmp/err"
	if [ -n "$UPDATE_README" ]; then
		python3 - "$readme" "$cmdline" "$tmp/screen" <<'EOF'
import sys
path, cmd, new = sys.argv[1:]
lines = open(path).read().split('\n')
i = next(k for k, l in enumerate(lines) if cmd in l) + 1
while not lines[i].startswith('    '):
    i += 1
j = i
while j < len(lines) and lines[j].startswith('    '):
    j += 1
block = ['    ' + l for l in open(new).read().rstrip('\n').split('\n')]
open(path, 'w').write('\n'.join(lines[:i] + block + lines[j:]))
EOF
		cp "$tmp/screen" "$tmp/readme.screen"
	fi
	if [ ! -s "$tmp/screen" ]; then
		bad "sample screen: no output"; sed 's/^/# /' "$tmp/err"
	elif diff <(host < "$tmp/readme.screen") <(host < "$tmp/screen") \
	    > "$tmp/diff"; then
		ok "README sample screen = $cmdline ($(wc -l < "$tmp/screen") lines)"
	else
		bad "README sample screen differs (UPDATE_README=1 $0 rewrites it):"
		sed 's/^/# /' "$tmp/diff" | head -20
	fi
fi

# --- 2. the examples ---
# README: indented lines that run mxtop (not the screen block, whose first
# word is mxtop too but which has no option); mxtop.1: .Dl $ lines.
awk '/^    / && (/^    mxtop -/ || /^    mxtop [a-z-]+( |$)/ || /\| *mxtop /) &&
	!/ as of / { sub(/^    /, ""); print }' "$readme" | grep -v ' msgs ' \
    > "$tmp/ex.readme"
grep '^\.Dl \$ ' "$man" | sed 's/^\.Dl \$ //; s/\\e/\\/g; s/\\&//g;
    s/\\(dq/"/g' > "$tmp/ex.man"
# The same bsdtar line is run after its export when the README has it.
grep '^    bsdtar ' "$readme" | sed 's/^    //' > "$tmp/ex.bsdtar"
n_readme=$(wc -l < "$tmp/ex.readme")
n_man=$(wc -l < "$tmp/ex.man")
[ "$n_readme" -ge 10 ] && [ "$n_man" -ge 10 ] &&
    ok "examples: $n_readme in README, $n_man in mxtop.1" ||
    bad "examples: only $n_readme in README, $n_man in mxtop.1"

# A private NSD serving every sample domain (primary mail.D, the relay
# mx2.relay.example as backup) and the relay's zone.
port=$(nsd_port)
mkdir -p "$tmp/zones" "$tmp/run"
doms=$(ls "$SAMPLE/input" | head -0; "$MXTOP" -s "$SAMPLE" --now "$now" \
    --since 7d summary --format csv | awk -F, 'NR > 1 && $1 != "TOTAL" {
	print $1 }')
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
# The sample's story: proseware's MX is an IP address (class dns),
# woodgrove aliased a name of its own to the relay (class loop).
for d in $doms; do
	case $d in
	proseware.example) zone "$d" '@ MX 10 10.11.12.13.' \
	    '@ MX 20 mx2.relay.example.' ;;
	woodgrove.example) zone "$d" '@ MX 10 mail' '@ MX 20 backup' \
	    'mail A 198.51.100.10' 'backup A 192.0.2.25' ;;
	*) zone "$d" '@ MX 10 mail' '@ MX 20 mx2.relay.example.' \
	    'mail A 198.51.100.10' ;;
	esac
done
codes='mx-is-ip|mx-is-cname|relay-only-mx|relay-preferred|relay-missing'
codes="$codes|alias-a-to-relay|alias-cname-to-relay|mx-unresolvable"
codes="$codes|mx-private-address"
zone relay.example 'mx2 A 192.0.2.25'
if [ -n "$port" ] && nsd_start "$tmp" "$port" $doms relay.example \
    > "$tmp/err" 2>&1; then
	ok "nsd serves the sample's $(echo $doms | wc -w) domains on 127.0.0.1:$port"
else
	bad "nsd does not start"; sed 's/^/# /' "$tmp/err"
fi
cp "$tmp/zones/contoso.example.zone" "$tmp/run/contoso.example.zone"
relay="--relay-name mx2.relay.example --relay-addr 192.0.2.25"
id=$("$MXTOP" -s "$SAMPLE" --now "$now" --since 7d list --domain contoso.example --format ids |
    head -1)

# How an example runs here (see the top of the file).
adapt() {
	local l=$1
	l=${l//example.com/contoso.example}
	l=${l//\"\$(cat sample-spool\/now)\"/$now}
	l=$(sed -E 's/(^|[ |] *)mxtop -s [^ ]+/\1mxtop/g;
	    s/ssh [a-z]+ '\''([^'\'']*)'\''/\1/;
	    s/[0-9][0-9A-Za-z]{5}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4}/ID/g;
	    s/(^|[ |] *)dig /\1dig @127.0.0.1 -p PORT /' <<< "$l")
	l=${l//ID/$id}
	l=${l//PORT/$port}
	# mx-check asks the test's NSD, and knows the relay.
	if [[ $l == *"mxtop mx-check"* ]]; then
		l=$(sed -E 's/--dns-server [^ ]+//' <<< "$l")
		[[ $l == *--zone* ]] || l=${l/mxtop mx-check/mxtop mx-check --dns-server 127.0.0.1:$port}
		l=${l/mxtop mx-check/mxtop mx-check $relay}
	fi
	# So does diagnose --dns.
	if [[ $l =~ mxtop\ diagnose.*\ --dns( |$) ]]; then
		l=$(sed -E 's/--dns-server [^ ]+//' <<< "$l")
		l=${l/mxtop diagnose/mxtop diagnose --dns-server 127.0.0.1:$port $relay}
	fi
	# Actions plan only; probe, verify and drain talk to no primary.
	if [[ $l =~ mxtop\ (flush|bounce|delete|freeze|thaw|probe|verify|drain)\  ]] &&
	    [[ $l != *--dry-run* ]]; then
		l="$l --dry-run"
	fi
	l=${l//mxtop /M }
	echo "$l"
}
# What an example must exit with, by its last mxtop command.
run_example() {	# SOURCE LINE
	local src=$1 line=$2 cmd rc want sub
	cmd=$(adapt "$line")
	sub=$(grep -oE '(^|[|] *)M [^|]*' <<< "$cmd" | tail -1 |
	    grep -oE ' (summary|list|show|diagnose|check|flush|bounce|delete|freeze|thaw|export|mx-check|tui|probe|verify|drain) ' |
	    head -1 | tr -d ' ')
	[ -n "$sub" ] || sub=tui
	(
		cd "$tmp/run" &&
		M() { "$MXTOP" -s "$SAMPLE" --now "$now" --since 7d "$@"; } &&
		eval "$cmd"
	) > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	case $sub in
	check)
		case $(awk '{ print $2; exit }' "$tmp/out") in
		OK) want=0 ;; WARNING) want=1 ;; CRITICAL) want=2 ;; *) want=3 ;;
		esac ;;
	mx-check)
		if grep -qE "$codes" "$tmp/out"; then want=1; else want=0; fi ;;
	*) want=0 ;;
	esac
	if [ "$rc" = "$want" ] && ! grep -q 'unknown \|usage' "$tmp/err"; then
		ok "$src: $line (exit $rc)"
	else
		bad "$src: $line: exit $rc, wanted $want; ran: $cmd"
		sed 's/^/# /' "$tmp/err" "$tmp/out" | head -8
	fi
}
while IFS= read -r line; do
	line=${line%%  #*}
	run_example README "$line"
	if [[ $line == *"mxtop export"* ]]; then
		while IFS= read -r b; do run_example README "$b"; done \
		    < "$tmp/ex.bsdtar"
	fi
done < "$tmp/ex.readme"
while IFS= read -r line; do
	run_example mxtop.1 "$line"
done < "$tmp/ex.man"

# --- 3. the options and the keys ---
miss=
for o in $("$MXTOP" --help | grep -oE '(^|[ ,])--[a-z][a-z-]*' |
    sed 's/^[ ,]*--//' | sort -u); do
	grep -qE "Fl -$o( |$)" "$man" || miss="$miss --$o"
done
[ -z "$miss" ] && ok "mxtop.1 describes every option of --help" ||
    bad "mxtop.1 lacks:$miss"
# And each option mxtop.1 describes (.It Fl -x) is one mxtop takes.
miss=
for o in $(grep -oE '^\.It Fl -[a-z][a-z-]*' "$man" | sed 's/.*Fl -//' |
    sort -u); do
	"$MXTOP" --help | grep -qE -- "--$o([] =,[]|$)" || miss="$miss --$o"
done
[ -z "$miss" ] && ok "--help lists every option mxtop.1 describes" ||
    bad "--help lacks:$miss"
keys=$(sed -n '/^\.Sh KEYS/,/^\.Sh /p' "$man")
miss=
for k in $(grep -o '{ [^,]*, "[^"]*", S_' "$top/src/tui/view_key.c" |
    sed 's/.*, "\([^"]*\)".*/\1/' | sort -u); do
	# As mdoc writes it: "Ic k", "Ic \&k", ", k" or "; Ic k", then a
	# space or the line's end.
	printf '%s\n' "$keys" | sed 's/\\&//g; s/$/ /' |
	    grep -qF -e "Ic $k " -e ", $k " || miss="$miss $k"
done
[ -z "$miss" ] && ok "mxtop.1 KEYS names every key of the help" ||
    bad "mxtop.1 KEYS lacks:$miss"
t_done
