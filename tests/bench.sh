#!/usr/bin/env bash
# bench.sh -- mxtop against Exim's own tools on one large spool (make bench).
#
#	N=100000 LOGSIZE=1024 bash tests/bench.sh
#
# Builds a spool of N messages with tests/tools/spoolgen inside a real-Exim
# sandbox, checks that `exim -bp` accepts every file, then times, warm
# cache, best of 3: mxtop summary, exim -bpc, exim -bp | exiqsumm, and the
# floor of reading every -H once (cat); reports mxtop's peak RSS per
# message, the cost of reading every msglog (mxtop list), and the scan of
# a LOGSIZE-MiB main log window (mxtop diagnose).  Prints ratios.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
: "${MXTOP:=$top/mxtop}"
: "${TOOLS:=$top/build/tools}"
: "${N:=100000}"
: "${LOGSIZE:=1024}"
export TOOLS
: "${SB_PORT:=$((3000 + $$ % 2000 * 2))}"
. "$here/exim/sandbox.sh"

sb_start
echo "generating $N messages in $SB_SPOOL ..."
"$TOOLS/spoolgen" "$SB_SPOOL" "$N" 500 || exit 1
count=$(sb_exim -bpc)
bad=$(sb_exim -bp | grep -c 'spool format error')
echo "exim -bpc: $count messages; exim -bp format errors: $bad"
if [ "$count" != "$N" ] || [ "$bad" != 0 ]; then
	echo "bench: exim does not accept the generated spool" >&2
	exit 1
fi

# Best wall time of 3 runs, in seconds, of a shell command.
best() {
	python3 - "$1" <<'EOF'
import resource, subprocess, sys, time
best = None
for _ in range(3):
    t = time.perf_counter()
    subprocess.run(['bash', '-c', sys.argv[1]], check=True,
                   stdout=subprocess.DEVNULL)
    d = time.perf_counter() - t
    best = d if best is None or d < best else best
print('%.3f' % best)
EOF
}

# Peak RSS in KiB of one run of a command.
rss() {
	python3 - "$@" <<'EOF'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
}

EX="$EXIM -C $SB_CONF"
t_mx=$(best "$MXTOP -s $SB_SPOOL summary")
t_mx1=$(best "$MXTOP -s $SB_SPOOL --threads 1 summary")
t_bpc=$(best "$EX -bpc")
t_qs=$(best "$EX -bp | exiqsumm")
t_cat=$(best "find $SB_SPOOL/input -name '*-H' -print0 | xargs -0 cat")
t_list=$(best "$MXTOP -s $SB_SPOOL list --format json")
kib=$(rss "$MXTOP" -s "$SB_SPOOL" summary)
# Export of the whole queue: time and peak RSS (constant memory: the
# archive is streamed; RSS is the snapshot's, as for list).
rm -f "$SB_DIR/all.tar.gz"
t_exp=$(python3 - "$MXTOP" "$SB_SPOOL" "$SB_DIR/all.tar.gz" <<'EOF'
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run([sys.argv[1], '-s', sys.argv[2], 'export', '--older-than',
                '0s', '-o', sys.argv[3]], check=True,
               stdout=subprocess.DEVNULL)
print('%.3f %d' % (time.perf_counter() - t,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
EOF
)
kib_list=$(rss "$MXTOP" -s "$SB_SPOOL" list --format json)

# A main log window of LOGSIZE MiB, made of real lines (repeated).
log=$SB_DIR/biglog
mkdir -p "$log"
src=$top/sample-spool/log/mainlog
[ -s "$src" ] || src=$SB_LOG/mainlog
if [ -s "$src" ]; then
	python3 - "$src" "$log/mainlog" "$LOGSIZE" <<'EOF'
import sys
lines = open(sys.argv[1], 'rb').read()
want = int(sys.argv[3]) << 20
with open(sys.argv[2], 'wb') as f:
    n = 0
    while n < want:
        f.write(lines)
        n += len(lines)
EOF
	t_log=$(best "$MXTOP -s $SB_SPOOL -l $log --since 100000d diagnose --format json")
else
	t_log=
fi

ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.2f' % (a/b if b else 0))" "$1" "$2"; }
echo
echo "spool: $N messages (flat), 500 domains; warm cache, best of 3"
printf '%-42s %8ss\n' "mxtop summary (all cores)" "$t_mx"
printf '%-42s %8ss\n' "mxtop summary (--threads 1)" "$t_mx1"
printf '%-42s %8ss   mxtop/this %s\n' "exim -bpc" "$t_bpc" "$(ratio "$t_mx" "$t_bpc")"
printf '%-42s %8ss   mxtop/this %s\n' "exim -bp | exiqsumm" "$t_qs" "$(ratio "$t_mx" "$t_qs")"
printf '%-42s %8ss   mxtop/this %s\n' "cat every -H (floor)" "$t_cat" "$(ratio "$t_mx" "$t_cat")"
printf '%-42s %8ss\n' "mxtop list --format json (+ every msglog)" "$t_list"
printf '%-42s %8s KiB, %s bytes/message\n' "mxtop summary peak RSS" "$kib" \
    "$(python3 -c "print(round($kib*1024/$N))")"
printf '%-42s %8ss   peak RSS %s KiB (list: %s KiB)\n' \
    "mxtop export, every message, tar.gz" "${t_exp% *}" "${t_exp#* }" \
    "$kib_list"
[ -n "$t_log" ] && printf '%-42s %8ss   %s MiB/s\n' \
    "mxtop diagnose, ${LOGSIZE} MiB main log" "$t_log" \
    "$(python3 -c "print(round($LOGSIZE/$t_log))")"
sb_stop
