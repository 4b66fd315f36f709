#!/usr/bin/env bash
# bench_mxcheck.sh -- mx-check --all over many customer domains against a
# private NSD on loopback (make bench runs it after bench.sh).
#
#	N=5000 bash tests/bench_mxcheck.sh
#
# Writes a spool with tests/tools/spoolgen whose recipients are spread
# over N domains (d0.example ...), one zone "example" holding every
# domain's MX set (one in ten with a mistake planted), then times
# `mxtop mx-check --all --dns-server` at several --parallel settings and
# prints domains per second.  Only loopback DNS: the server is ours.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
: "${MXTOP:=$top/mxtop}"
: "${TOOLS:=$top/build/tools}"
: "${N:=5000}"
. "$here/dns/nsd.lib"
for p in nsd dig python3; do
	command -v "$p" > /dev/null || { echo "bench_mxcheck: $p missing" \
	    "(make deps installs it)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "bench_mxcheck: needs root (nsd)"; exit 77; }
tmp=$(mktemp -d /tmp/mxtop-bench-dns.XXXXXX)
chmod 755 "$tmp"
trap 'nsd_stop; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/zones" "$tmp/spool"

"$TOOLS/spoolgen" "$tmp/spool" $((2 * N)) "$N" > /dev/null || exit 1
python3 - "$N" > "$tmp/zones/example.zone" <<'PY'
import sys
n = int(sys.argv[1])
print('$ORIGIN example.\n$TTL 3600')
print('@ IN SOA ns1 hostmaster 1 3600 900 604800 300\n@ IN NS ns1')
print('ns1 IN A 127.0.0.1\nmx2.relay IN A 192.0.2.25')
for i in range(n):
    d = 'd%d' % i
    kind = i % 10
    print('%s MX 10 mail.%s' % (d, d))
    if kind != 1:
        print('%s MX 20 mx2.relay.example.' % d)   # kind 1: relay-missing
    if kind == 2:
        print('mail.%s CNAME srv.%s\nsrv.%s A 198.51.%d.%d' %
              (d, d, d, i // 250 % 256, i % 250 + 1))
    elif kind != 3:                                # kind 3: unresolvable
        print('mail.%s A 198.51.%d.%d' % (d, i // 250 % 256, i % 250 + 1))
        print('mail.%s AAAA 2001:db8::%x' % (d, i + 1))
PY
port=$(nsd_port)
NSD_SERVERS=2 nsd_start "$tmp" "$port" example > /dev/null || exit 1
echo "nsd on 127.0.0.1:$port: zone example, $(grep -c ' MX ' \
    "$tmp/zones/example.zone") MX records for $N domains"

for par in 1 8 32 64; do
	t0=$(date +%s.%N)
	"$MXTOP" -s "$tmp/spool" mx-check --all --parallel "$par" \
	    --dns-server "127.0.0.1:$port" --relay-name mx2.relay.example \
	    --format json > "$tmp/out.json"
	rc=$?
	t1=$(date +%s.%N)
	python3 - "$tmp/out.json" "$N" "$par" "$t0" "$t1" "$rc" <<'PY' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
n, par, t0, t1, rc = (int(sys.argv[2]), sys.argv[3], float(sys.argv[4]),
    float(sys.argv[5]), int(sys.argv[6]))
ds = doc['domains']
errors = sum(1 for d in ds if d['error'])
found = sum(1 for d in ds if d['findings'])
secs = t1 - t0
print('mx-check --all --parallel %-2s %5d domains in %6.2f s: %7.0f domains/s '
      '(%d with findings, %d errors, exit %d)' %
      (par, len(ds), secs, len(ds) / secs, found, errors, rc))
# Kinds 1, 2 and 3 of every ten have their finding, the rest none.
want = sum(1 for i in range(n) if i % 10 in (1, 2, 3))
if len(ds) != n or errors or found != want:
    print('bench_mxcheck: wrong results (want %d domains, %d with '
          'findings)' % (n, want), file=sys.stderr)
    sys.exit(1)
PY
done
