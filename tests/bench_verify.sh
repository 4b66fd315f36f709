#!/usr/bin/env bash
# bench_verify.sh -- verify and drain speed and pacing (issue 11; not a
# timed test: it prints figures, and fails only when pacing breaks its
# promise).
#
#	N=10000 bash tests/bench_verify.sh
#
# 1. verify of N distinct recipients (a fifth of them known users)
#    against a local fake primary (tests/tools/fakesmtp users: 250 for
#    them, 550 for the rest) with the rate unlimited (--rate 1000000/s):
#    recipients per second and mxtop's CPU per recipient (user + system,
#    from getrusage of the child), at --parallel 1 and 4;
# 2. a paced verify (--rate 500/s): the rate it kept;
# 3. with root and Exim 4.96: a paced drain in the real-Exim sandbox
#    (--rate 10/s): the start of every `exim -M`, as drain's JSON
#    results give it (mxtop's own clock, the token bucket's), must keep
#    within 5% of 10/s and never above it: no k starts closer together
#    than (k-1)/rate.  The paced verify of 2. is judged the same way by
#    its "sent" times.
# Only loopback: the fake primaries are on 127.0.1.N.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
: "${MXTOP:=$top/mxtop}"
: "${TOOLS:=$top/build/tools}"
: "${N:=10000}"
: "${DRAIN_N:=120}"
command -v python3 > /dev/null || { echo "bench_verify: python3 missing"; exit 77; }
[ -x "$TOOLS/fakesmtp" ] || { echo "bench_verify: make tools first"; exit 77; }
tmp=$(mktemp -d /tmp/mxtop-bench-verify.XXXXXX)
chmod 755 "$tmp"
fpid=
trap '[ -n "$fpid" ] && kill "$fpid" 2> /dev/null; rm -rf "$tmp"' EXIT
port=$((20000 + RANDOM % 30000))
fail=0

# A spool of N messages, one recipient each: u<i> are users for i % 5 == 0.
python3 - "$tmp/spool" "$N" "$tmp/users" <<'PY'
import os, sys
sp, n = sys.argv[1], int(sys.argv[2])
os.makedirs(sp + "/input"); os.makedirs(sp + "/msglog")
users = open(sys.argv[3], "w")
a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
for i in range(n):
    mid = "1tSm9Y-%s%s%s%s%s%s-00" % tuple(a[(i // 62 ** k) % 62] for k in range(5, -1, -1))
    r = "u%d@bench.example" % i if i % 5 == 0 else "junk%d@bench.example" % i
    if i % 5 == 0:
        users.write("u%d\n" % i)
    h = "%s-H\nDebian-exim 102 105\n<s@partners.example>\n1735689600 0\n" \
        "-received_time_usec .000001\nXX\n1\n%s\n\n011  Subject: x\n" % (mid, r)
    open("%s/input/%s-H" % (sp, mid), "w").write(h)
    open("%s/input/%s-D" % (sp, mid), "w").write(mid + "-D\nbody\n")
PY
( "$TOOLS/fakesmtp" -a 127.0.1.200 -p "$port" -m users -u "$tmp/users" \
    -t 3600 -P "$tmp/pid" < /dev/null 2> "$tmp/fake.err" & )
for _ in $(seq 100); do [ -s "$tmp/pid" ] && break; sleep 0.05; done
fpid=$(cat "$tmp/pid")

# run LABEL ARGS...: one verify, fresh state; prints the figures.
run() {
	local label=$1
	shift
	rm -f "$tmp"/verify-*.tsv
	python3 - "$tmp/out.json" "$MXTOP" -s "$tmp/spool" -l /dev/null \
	    --audit "$tmp/audit.log" --host "127.0.1.200:$port" \
	    --helo relay.test verify --domain bench.example --format json \
	    "$@" <<'PY'
import json, resource, subprocess, sys, time
out, argv = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
with open(out, "w") as f:
    rc = subprocess.call(argv, stdout=f, stderr=subprocess.DEVNULL)
el = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
d = json.load(open(out))["domains"][0]
n = d["accepted"] + d["rejected"]
cpu = ru.ru_utime + ru.ru_stime
print("%.0f %.3f %.1f %d %d %d %s" % (n / el, el, cpu / max(n, 1) * 1e6,
    n, d["accepted"], d["rejected"], rc))
PY
}
echo "== verify of $N recipients, fake primary on loopback, rate unlimited"
printf '%-28s %10s %8s %12s %6s\n' "run" "rcpts/s" "secs" "CPU us/rcpt" "asked"
for cfg in "parallel 1, batch 20:--parallel 1" \
    "parallel 4, batch 20:--parallel 4" \
    "parallel 4, batch 500:--parallel 4 --batch 500"; do
	label=${cfg%%:*}
	# shellcheck disable=SC2086
	read -r rps el cpu n acc rej rc <<< "$(run "$label" --rate 1000000/s ${cfg#*:})"
	printf '%-28s %10s %8s %12s %6s\n' "$label" "$rps" "$el" "$cpu" "$n"
	if [ "$n" != "$N" ] || [ "$acc" != $((N / 5)) ] || [ "$rc" != 0 ]; then
		echo "bench_verify: $label: asked $n, accepted $acc, exit $rc"
		fail=1
	fi
done

echo "== a paced verify: 2000 recipients at --rate 500/s, --parallel 2"
rm -f "$tmp"/verify-*.tsv
read -r rps el cpu n acc rej rc <<< "$(run paced --rate 500/s --parallel 2 \
    --rcpt '~^(u|junk)(1?[0-9]{1,3}|1[0-9]{3})@')"
# pace FILE RATE WANT: the send times mxtop recorded (its own clock, the
# one its token bucket reads) against the rate.
pace() {
	python3 - "$@" <<'PY'
import json, sys
f, rate, want = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
t = sorted(float(x) for x in open(f) if x.strip())
n = len(t)
if n < 2:
    print("bench_verify: %d starts recorded" % n); sys.exit(1)
span = t[-1] - t[0]
got = (n - 1) / span
gap = min(b - a for a, b in zip(t, t[1:]))
# Never above: no k starts within less than (k-1)/rate, for any k.
worst = max((j - i) / (t[j] - t[i]) for i in range(n)
    for j in range(i + 1, min(n, i + 200)))
print("  %d started in %.2fs: %.2f/s (limit %g/s, %.1f%% of it); closest "
    "%.4fs apart (1/rate %.4fs); fastest window %.2f/s" % (n, span, got,
    rate, 100 * got / rate, gap, 1 / rate, worst))
if n != want or got < 0.95 * rate or worst > rate * (1 + 1e-6):
    print("bench_verify: the pace broke its promise"); sys.exit(1)
PY
}
python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["domains"][0]["results"]:
    print(r["sent"])' "$tmp/out.json" > "$tmp/sent"
echo "  verify: exit $rc, ${el}s"
pace "$tmp/sent" 500 2000 || fail=1

# ---- 3. a paced drain against real Exim ----
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/exim4 ]; then
	echo "== paced drain: skipped (needs root and exim4)"
	exit $fail
fi
echo "== a paced drain in the real-Exim sandbox: $DRAIN_N messages at --rate 10/s"
(
	. "$here/exim/sandbox.sh"
	sb_start
	for i in $(seq 5); do echo "u$i"; done > "$SB_DIR/users"
	sb_primary d.example offline
	for i in $(seq "$DRAIN_N"); do
		sb_send "u$((i % 5 + 1))@d.example" > /dev/null
	done
	for i in $(seq 20); do sb_send "junk$i@d.example" > /dev/null; done
	sb_primary d.example users -u "$SB_DIR/users"
	mx() { "$MXTOP" -s "$SB_SPOOL" --exim-config "$SB_CONF" \
	    --audit "$SB_DIR/audit.log" "$@"; }
	mx verify --domain d.example --rate 100/s > /dev/null 2>&1
	t0=$(date +%s.%N)
	mx drain --domain d.example --rate 10/s --parallel 4 --yes \
	    --format json > "$SB_DIR/drain.json" 2> "$SB_DIR/drain.err"
	rc=$?
	t1=$(date +%s.%N)
	echo "  drain: exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')s in all"
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["action"] == "drain-flush" and o["result"] == "done":
        print(o["started"])' "$SB_DIR/drain.json" > "$SB_DIR/started"
	pace "$SB_DIR/started" 10 "$DRAIN_N" || exit 1
	[ $rc = 0 ] || exit 1
) || fail=1
exit $fail
