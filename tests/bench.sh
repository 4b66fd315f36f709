#!/usr/bin/env bash
# bench.sh -- mxtop against Exim's own tools on one large spool (make bench).
#
#	N=100000 bash tests/bench.sh                 # flat spool (the default)
#	N=1000000 SPLIT=1 BENCH_DIR=/work/perf bash tests/bench.sh
#
# Builds a spool of N messages with tests/tools/spoolgen (split into
# input/<c>/ with SPLIT=1) inside a real-Exim sandbox, checks that
# `exim -bp` accepts every file, then prints, side by side, the ratios of
# issue 13 (warm cache; the timed commands run in RUNS rounds, 3, one of
# each a round, best of each: this machine's speed varies by half
# between runs minutes apart, and one run each is not a ratio).  A warm
# cache needs the spool in memory: where idle page cache is reclaimed
# (a DAMON pageout scheme, as on our build machines), give BENCH_DIR a
# tmpfs of its own (1M split: 12 GiB and 3.1M inodes):
#	mount -t tmpfs -o size=20g,nr_inodes=5m tmpfs /work/shm
# The ratios:
#   summary / (exim -bp | exiqsumm)                     target <= 0.20
#   summary / floor (-H open+read+close, -D fstatat, 2 threads)  <= 1.3
#   list --format ids / exim -bpc                              <= 2
#   peak RSS of summary, bytes a message                       <= 200
#   the TUI's refresh with nothing changed: CPU / CPU of one exim -bp
#                                                              <= 0.03
#   after 1% churn (0.5% of -H rewritten and renamed into place, 0.25%
#   completed, 0.25% new): seconds until the TUI shows the new totals
#   (<= 3), and the refresh's CPU / one exim -bp's (<= 0.1)
#   the TUI's first table (marked partial), seconds           <= 0.5
#   the TUI's RSS, bytes a message (<= 200), and after 100 refreshes /
#   after the first (<= 1.10)
# The refresh CPU is measured with tests/tools/refreshcheck (the TUI's
# own scan path, load_live_scan(), then stats_build()); the rest on the
# real TUI in tmux (TUI=0 skips it).  With BENCH_DIR the spool is made
# once in BENCH_DIR/spool-N-SPLIT and reused (the churn keeps it valid).
# From N=200000 on, the slow extras (list --format json, export,
# diagnose of a LOGSIZE-MiB log) are skipped unless EXTRAS=1.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
: "${MXTOP:=$top/mxtop}"
: "${TOOLS:=$top/build/tools}"
: "${N:=100000}"
: "${SPLIT:=0}"
: "${LOGSIZE:=1024}"
: "${TUI:=1}"
: "${RUNS:=3}"
if [ -z "${EXTRAS-}" ]; then EXTRAS=1; [ "$N" -ge 200000 ] && EXTRAS=0; fi
export TOOLS
: "${SB_PORT:=$((3000 + $$ % 2000 * 2))}"
. "$here/exim/sandbox.sh"

if [ "$SPLIT" = 1 ]; then sb_start --split; else sb_start; fi
SPOOL=$SB_SPOOL
if [ -n "${BENCH_DIR-}" ]; then
	SPOOL=$BENCH_DIR/spool-$N-$SPLIT
	mkdir -p "$SPOOL/log"
	sed -i "s|^spool_directory = .*|spool_directory = $SPOOL|" "$SB_CONF"
fi
if [ ! -d "$SPOOL/input" ] || [ -z "$(ls -A "$SPOOL/input" 2>/dev/null)" ]; then
	echo "generating $N messages in $SPOOL ..."
	"$TOOLS/spoolgen" "$SPOOL" "$N" 500 "$SPLIT" || exit 1
fi
mkdir -p "$SPOOL/log" "$SPOOL/db"
[ "$(stat -c %U "$SPOOL/input")" = Debian-exim ] ||
    chown -R Debian-exim:Debian-exim "$SPOOL"
: >> "$SPOOL/log/mainlog"
EX="$EXIM -C $SB_CONF"
count=$($EX -bpc)
echo "exim -bpc: $count messages"
if [ "$count" != "$N" ]; then
	echo "bench: exim does not see $N messages" >&2
	exit 1
fi

# Best wall time of RUNS runs, in seconds, of a shell command.
best() {
	python3 - "$1" "$RUNS" <<'EOF'
import subprocess, sys, time
best = None
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    subprocess.run(['bash', '-c', sys.argv[1]], check=True,
                   stdout=subprocess.DEVNULL)
    d = time.perf_counter() - t
    best = d if best is None or d < best else best
print('%.3f' % best)
EOF
}

# Shell commands run in RUNS rounds (each once a round, in order): the
# best wall time of each, in seconds, on stdout; each round's times and
# its ratios summary/exiqsumm and summary/floor (the first three
# commands) on stderr.
rounds() {
	python3 - "$RUNS" "$@" <<'EOF'
import subprocess, sys, time
runs, cmds = int(sys.argv[1]), sys.argv[2:]
best = [None] * len(cmds)
for r in range(runs):
    got = []
    for i, c in enumerate(cmds):
        t = time.perf_counter()
        subprocess.run(['bash', '-c', c], check=True,
                       stdout=subprocess.DEVNULL)
        d = time.perf_counter() - t
        got.append(d)
        best[i] = d if best[i] is None or d < best[i] else best[i]
    print('round %d: %s; summary/exiqsumm %.3f, summary/floor %.3f' %
          (r + 1, ' '.join('%.3f' % d for d in got), got[1] / got[0],
           got[1] / got[2]), file=sys.stderr)
print(' '.join('%.3f' % b for b in best))
EOF
}

# "wall cpu maxrss_kib" of one run of a command (children's CPU).
run1() {
	python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print('%.3f %.3f %d' % (time.perf_counter() - t, r.ru_utime + r.ru_stime,
                        r.ru_maxrss))
EOF
}

t_elapsed() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.3f' % (a/b if b else 0))" "$1" "$2"; }

# Warm the cache: one look at every file (the msglogs too: the TUI and
# list --format json read them all).
"$TOOLS/spoolfloor" "$SPOOL" 2 > /dev/null
[ -d "$SPOOL/msglog" ] &&
	find "$SPOOL/msglog" -type f -exec cat {} + > /dev/null
# One exim -bp: its CPU, and every file accepted.
read -r _ cpu_bp _ < <(run1 bash -c "$EX -bp > $SB_DIR/bp.txt")
bad=$(grep -c 'spool format error' "$SB_DIR/bp.txt")
echo "exim -bp: CPU ${cpu_bp}s, format errors: $bad"
[ "$bad" = 0 ] || { echo "bench: exim rejects generated files" >&2; exit 1; }
# The five timed commands in RUNS rounds, one of each per round, so that
# a slow spell of this machine (seen: +30% for a minute) falls on all of
# them alike; the best of each, and each round's own ratios.
read -r t_qs t_mx t_floor t_bpc t_ids < <(rounds "$EX -bp | exiqsumm" \
    "$MXTOP -s $SPOOL summary" "$TOOLS/spoolfloor $SPOOL 2" "$EX -bpc" \
    "$MXTOP -s $SPOOL list --format ids")
read -r _ _ kib < <(run1 "$MXTOP" -s "$SPOOL" summary)
# The ids-only path lists directories only: it must still name every
# message exim -bp names, in exim -bp's order (by the time field, then
# what follows the pid; ids alike in both keep either order).
"$MXTOP" -s "$SPOOL" list --format ids > "$SB_DIR/ids.txt"
ids_same=$(python3 "$here/exim/compare_bp.py" --ids "$SB_DIR/bp.txt" \
    "$SB_DIR/ids.txt")
case $ids_same in yes*) ;; *)
	echo "bench: list --format ids differs from exim -bp: $ids_same" >&2
	exit 1 ;; esac
bpm() { python3 -c "print(round($1*1024/$N))"; }

if [ "$EXTRAS" = 1 ]; then
	t_mx1=$(best "$MXTOP -s $SPOOL --threads 1 summary")
	t_list=$(best "$MXTOP -s $SPOOL list --format json")
	rm -f "$SB_DIR/all.tar.gz"
	read -r t_exp _ kib_exp < <(run1 "$MXTOP" -s "$SPOOL" export \
	    --older-than 0s -o "$SB_DIR/all.tar.gz")
	log=$SB_DIR/biglog
	mkdir -p "$log"
	src=$top/sample-spool/log/mainlog
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
		t_log=$(best "$MXTOP -s $SPOOL -l $log --since 36500d diagnose --format json")
	fi
fi

# 1% churn as Exim makes it: -H rewritten beside and renamed into
# place, completions (-D then -H), new messages (-D, then -H renamed in).
churn() {
	python3 - "$SPOOL" "$N" "${1:-13}" <<'EOF'
import os, random, sys
spool, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(int(sys.argv[3]))
heads = []
for root, dirs, files in os.walk(os.path.join(spool, 'input')):
    heads += [os.path.join(root, f) for f in files if f.endswith('-H')]
rnd.shuffle(heads)
k = max(4, n // 100)
rew, gone, new = heads[:k // 2], heads[k // 2:3 * k // 4], heads[3 * k // 4:k]
def put(path, data):
    d = os.path.dirname(path)
    tmp = os.path.join(d, 'hdr.' + os.path.basename(path)[:-2])
    with open(tmp, 'wb') as f:
        f.write(data)
    os.rename(tmp, path)
for h in rew:
    put(h, open(h, 'rb').read())
for h in gone:
    os.unlink(h[:-1] + 'D')
    os.unlink(h)
added = 0
for i, h in enumerate(new):
    old = os.path.basename(h)[:-2]
    if len(old) != 16:
        continue
    d = os.path.dirname(h)
    j = i
    while True:
        nid = old[:7] + 'z' + '%05d' % j + old[13:]
        if not os.path.exists(os.path.join(d, nid + '-H')):
            break
        j += 1
    body = open(h[:-1] + 'D', 'rb').read().replace(old.encode(), nid.encode(), 1)
    with open(os.path.join(d, nid + '-D'), 'wb') as f:
        f.write(body)
    put(os.path.join(d, nid + '-H'),
        open(h, 'rb').read().replace(old.encode(), nid.encode(), 1))
    added += 1
print(n - len(gone) + added)
EOF
}

tui_first= tui_lat= cpu_quiet= cpu_churn= tui_rss1= tui_rss100= tui_rssc= rc_rss=
dirs_churn= rc_rssc1= rc_rssc5= tui_rssc5=
if [ "$TUI" = 1 ] && command -v tmux > /dev/null; then
	T="tmux -L mxb$$ -f /dev/null"
	pane() { $T capture-pane -p 2> /dev/null; }
	msgs() { pane | sed -n 's/^ *\([0-9][0-9]*\) msgs .*/\1/p' | head -1; }
	t0=$(date +%s.%N)
	$T new-session -d -x 100 -y 30 "env TERM=tmux-256color LANG=C.UTF-8 \
	    $MXTOP -s $SPOOL -l $SPOOL/log -d 0.2"
	partial=
	for i in $(seq 6000); do
		p=$(pane)
		if echo "$p" | grep -q ' msgs '; then
			tui_first=$(t_elapsed "$t0" "$(date +%s.%N)")
			echo "$p" | grep -q '(partial)' && partial=" (partial)"
			break
		fi
		sleep 0.01
	done
	# The whole spool in, then the RSS after the first refresh.
	loaded=
	for i in $(seq 6000); do
		p=$(pane)
		echo "$p" | grep -q ' msgs ' && ! echo "$p" |
		    grep -q -e '(partial)' -e 'scanning' -e 'reading the logs' &&
		    { loaded=1; break; }
		sleep 0.1
	done
	[ -n "$loaded" ] || echo "bench: the TUI had not loaded the whole" \
	    "spool after 6000 looks: its figures are of a partial load" >&2
	pid=$($T list-panes -F '#{pane_pid}')
	[ "$(cat /proc/$pid/comm 2> /dev/null)" = mxtop ] ||
	    pid=$(pgrep -P "$pid" mxtop | head -1)
	sleep 1
	tui_rss1=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status)
	# refreshcheck: the same path, its CPU refresh by refresh (fifos:
	# a coproc's descriptors are not seen in $(...)).
	mkfifo "$SB_DIR/rc.in" "$SB_DIR/rc.out"
	"$TOOLS/refreshcheck" -l "$SPOOL/log" "$SPOOL" < "$SB_DIR/rc.in" \
	    > "$SB_DIR/rc.out" &
	rcpid=$!
	exec {RCW}> "$SB_DIR/rc.in" {RCR}< "$SB_DIR/rc.out"
	# Lines of one "time N" command: refresh lines, then rss.
	rc_time() {
		local l
		echo "time $1" >&"$RCW"
		: > "$SB_DIR/rc.lines"
		while IFS= read -r l <&"$RCR"; do
			echo "$l" >> "$SB_DIR/rc.lines"
			case $l in rss*) break ;; esac
		done
	}
	rc_time 1
	rc_time 10
	cpu_quiet=$(sed -n 's/^refresh .* cpu \([0-9.]*\).*/\1/p' \
	    "$SB_DIR/rc.lines" | sort -n | awk '{ v[NR] = $1 }
	    END { print v[int((NR + 1) / 2)] }')
	rc_rss=$(awk '/^rss/ { print $2 }' "$SB_DIR/rc.lines")
	# 100 refreshes of the TUI (-d 0.2), then its RSS again.
	sleep "$(python3 -c "print(round(100 * (0.2 + ${cpu_quiet:-0}) + 1, 1))")"
	tui_rss100=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status)
	# 1% churn: until the TUI shows the new totals.
	want=$(churn)
	t1=$(date +%s.%N)
	for i in $(seq 3000); do
		[ "$(msgs)" = "$want" ] && break
		sleep 0.02
	done
	[ "$(msgs)" = "$want" ] && tui_lat=$(t_elapsed "$t1" "$(date +%s.%N)")
	sleep 2
	tui_rssc=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status)
	rc_time 1
	cpu_churn=$(sed -n 's/^refresh .* cpu \([0-9.]*\).*/\1/p' \
	    "$SB_DIR/rc.lines")
	dirs_churn=$(sed -n 's/^refresh .* dirs \([0-9]*\).*/\1/p' \
	    "$SB_DIR/rc.lines")
	rc_rssc1=$(awk '/^rss/ { print $2 }' "$SB_DIR/rc.lines")
	# Four more churns: memory stays where it is.
	for s in 14 15 16 17; do
		churn "$s" > /dev/null
		rc_time 1
	done
	rc_rssc5=$(awk '/^rss/ { print $2 }' "$SB_DIR/rc.lines")
	sleep 2
	tui_rssc5=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status)
	echo quit >&"$RCW"
	wait "$rcpid" 2> /dev/null
	exec {RCW}>&- {RCR}<&-
	$T kill-server 2> /dev/null
fi

kind=flat; [ "$SPLIT" = 1 ] && kind=split
echo
echo "spool: $N messages ($kind), 500 domains; warm cache, best of $RUNS rounds"
printf '%-46s %9s   %-22s %s\n' "" "seconds" "ratio (target)" ""
printf '%-46s %9s\n' "exim -bp | exiqsumm" "$t_qs"
printf '%-46s %9s   %-22s\n' "mxtop summary" "$t_mx" \
    "$(ratio "$t_mx" "$t_qs") of exiqsumm (<= 0.20)"
printf '%-46s %9s   %-22s\n' "floor: -H open/read/close + -D fstatat, 2 thr" \
    "$t_floor" "$(ratio "$t_mx" "$t_floor") summary/floor (<= 1.3)"
printf '%-46s %9s\n' "exim -bpc" "$t_bpc"
printf '%-46s %9s   %-22s\n' "mxtop list --format ids" "$t_ids" \
    "$(ratio "$t_ids" "$t_bpc") of exim -bpc (<= 2)"
printf '%-46s %9s   %s\n' "  its ids the same as exim -bp's" "" "$ids_same"
printf '%-46s %9s   %s B/message (<= 200)\n' "mxtop summary peak RSS (KiB)" \
    "$kib" "$(bpm "$kib")"
printf '%-46s %9s\n' "one exim -bp, CPU" "$cpu_bp"
if [ -n "$cpu_quiet" ]; then
	printf '%-46s %9s   %-22s\n' "TUI refresh, nothing changed, CPU (median)" \
	    "$cpu_quiet" "$(ratio "$cpu_quiet" "$cpu_bp") of exim -bp (<= 0.03)"
	printf '%-46s %9s   %-22s %s\n' "TUI refresh after 1% churn, CPU" \
	    "${cpu_churn:--}" "$(ratio "${cpu_churn:-0}" "$cpu_bp") of exim -bp (<= 0.1)" \
	    "(${dirs_churn:-?} directories listed)"
	printf '%-46s %9s   (<= 3)\n' "TUI new totals after 1% churn" \
	    "${tui_lat:-never}"
	printf '%-46s %9s   (<= 0.5)%s\n' "TUI first table" "${tui_first:--}" \
	    "$partial"
	printf '%-46s %9s   %s B/message (<= 200)\n' "TUI RSS after the first refresh (KiB)" \
	    "$tui_rss1" "$(bpm "$tui_rss1")"
	printf '%-46s %9s   %s of the first (<= 1.10)\n' \
	    "TUI RSS after 100 refreshes (KiB)" "$tui_rss100" \
	    "$(ratio "$tui_rss100" "$tui_rss1")"
	printf '%-46s %9s   %s of the first\n' \
	    "TUI RSS after the churn (a new snapshot, KiB)" "$tui_rssc" \
	    "$(ratio "${tui_rssc:-0}" "$tui_rss1")"
	printf '%-46s %9s   %s B/message\n' "refreshcheck RSS (KiB)" \
	    "$rc_rss" "$(bpm "${rc_rss:-0}")"
	printf '%-46s %9s   %s of after the first churn\n' \
	    "refreshcheck RSS after 5 churns (KiB)" "$rc_rssc5" \
	    "$(ratio "${rc_rssc5:-0}" "${rc_rssc1:-1}")"
	printf '%-46s %9s   %s of after the first refresh\n' \
	    "TUI RSS after 5 churns (KiB)" "$tui_rssc5" \
	    "$(ratio "${tui_rssc5:-0}" "$tui_rss1")"
fi
if [ "$EXTRAS" = 1 ]; then
	printf '%-46s %9s\n' "mxtop summary (--threads 1)" "$t_mx1"
	printf '%-46s %9s\n' "mxtop list --format json (+ every msglog)" "$t_list"
	printf '%-46s %9s   peak RSS %s KiB\n' \
	    "mxtop export, every message, tar.gz" "$t_exp" "$kib_exp"
	[ -n "${t_log-}" ] && printf '%-46s %9s   %s MiB/s\n' \
	    "mxtop diagnose, ${LOGSIZE} MiB main log" "$t_log" \
	    "$(python3 -c "print(round($LOGSIZE/$t_log))")"
fi
sb_stop
