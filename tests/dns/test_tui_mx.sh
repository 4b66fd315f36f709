#!/usr/bin/env bash
# test_tui_mx.sh -- the TUI's M against a real DNS server: NSD on a
# random loopback port (nsd.lib) says proseware.example's MX is an IP
# address.  In tmux (a private server), on the sample spool: the TUI
# sends no DNS until M is pressed on proseware's row; then its Diagnose
# screen shows the mx-is-ip finding with the record, and the status line
# counts the findings.  Under strace every packet goes to the test's
# server.  Run as root (NSD binds as root and drops nothing here).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need nsd dig strace tmux python3
[ "$(id -u)" = 0 ] || { echo "not root: skipped (nsd needs root here)"; exit 77; }
tmp=$(mktemp -d /tmp/mxtop-tmx.XXXXXX)
chmod 755 "$tmp"
T="tmux -L mxtmx$$ -f /dev/null"
. "$here/nsd.lib"
trap '$T kill-server 2> /dev/null; nsd_stop; rm -rf "$tmp"' EXIT
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
zone relay.example 'mx2 A 192.0.2.25'
if nsd_start "$tmp" "$port" proseware.example relay.example > "$tmp/err" 2>&1
then
	ok "nsd serves on 127.0.0.1:$port"
else
	bad "nsd does not start:"; sed 's/^/# /' "$tmp/err"; t_done; exit
fi

wait_for() {	# PATTERN: polls the pane, 30 s at most
	local i
	for i in $(seq 300); do
		$T capture-pane -p | grep -q -F -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
now=$(cat "$SAMPLE/now")
# LeakSanitizer cannot run under ptrace (make sanitize).
$T new-session -d -x 120 -y 40 "env TERM=tmux-256color LANG=C.UTF-8 \
    ASAN_OPTIONS=detect_leaks=0 strace -f -qq \
    -e trace=connect,sendto,sendmsg,sendmmsg -o $tmp/trace $MXTOP \
    -s $SAMPLE --now $now --since 7d --dns-server 127.0.0.1:$port \
    --relay-name mx2.relay.example -d 1; echo MXTOP-EXITED \$?; sleep 60"
wait_for "proseware.example" && ok "the TUI is up" || bad "the TUI did not come up"
$T send-keys / "domain:proseware.example" Enter
wait_for "filter domain:proseware.example"
sleep 1
if grep -q 'sin_port=htons('"$port"')' "$tmp/trace"; then
	bad "DNS sent before M"
else
	ok "no DNS before M"
fi
$T send-keys M
if wait_for "mx-is-ip" && wait_for "1 finding"; then
	ok "M: the Diagnose screen shows mx-is-ip, the status line 1 finding"
else
	bad "M: no finding shown:"
	$T capture-pane -p | grep -v '^$' | sed 's/^/# /' | tail -15
fi
$T capture-pane -p | grep -q "10.11.12.13" && ok "M: the record is shown" ||
    bad "M: no 10.11.12.13 record"
$T send-keys q q
wait_for "MXTOP-EXITED 0" && ok "quit after M, exit 0" || bad "no clean exit"
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
grep -q '^destinations [1-9][0-9]* bad 0$' "$tmp/dest" &&
    ok "strace: every packet to 127.0.0.1:$port ($(tail -1 "$tmp/dest"))" ||
    bad "strace: $(cat "$tmp/dest")"
t_done
