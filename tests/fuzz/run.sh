#!/usr/bin/env bash
# run.sh -- makes each harness's seed corpus, then runs the harnesses one
# after another (never two fuzzers at once), each for FUZZ_SECONDS.
#	run.sh BUILDDIR NAME...		(make fuzz calls it; BUILDDIR holds
#					 fuzz_NAME, built by the Makefile)
# Environment: FUZZ_SECONDS (default 15; 0 only runs the seeds once),
# FUZZ_RUNS (also stop after that many executions), FUZZ_NICE (a nice(1)
# level), FUZZ_ARGS (more libFuzzer options).  The corpus grows in
# BUILDDIR/corpus-NAME/, crashes land in BUILDDIR/artifacts/, libFuzzer's
# output in BUILDDIR/log-NAME.txt.  Exits 1 when any harness failed.
set -u
O=$1
shift
secs=${FUZZ_SECONDS:-15}
here=tests/fuzz
sample=sample-spool
logs=tests/data/logs

# One seed per shape of line: digits and addresses masked, first kept.
shapes() {	# OUTDIR PREFIX FILE...
	local out=$1 pre=$2
	shift 2
	cat "$@" 2>/dev/null | awk -v out="$out" -v pre="$pre" '{
		s = $0; gsub(/[0-9]+/, "0", s)
		gsub(/[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+/, "a@b", s)
		if (seen[s]++) next
		f = sprintf("%s/%s%05d", out, pre, ++n); print > f; close(f)
	}'
}

# Copies the generated seeds of NAME into DIR (existing entries stay).
seeds() {	# NAME DIR
	local f d=$2
	case $1 in
	hdr)	find "$sample/input" -name '*-H' -exec cp {} "$d/" \; ;;
	logline)
		shapes "$d" main- "$sample/log/mainlog"
		# Each msglog, its shapes in file order (history's input).
		for f in "$sample"/msglog/*; do
			[ -f "$f" ] || continue
			awk '{ s = $0; gsub(/[0-9]+/, "0", s)
			    if (!seen[s]++) print }' "$f" > "$d/msglog-${f##*/}"
		done
		for f in "$logs"/*.log; do cp "$f" "$d/log-${f##*/}"; done ;;
	gz)	for f in "$logs"/*.gz "$sample"/log/*.gz; do
			[ -f "$f" ] && cp "$f" "$d/gz-${f##*/}"
		done
		cp "$logs/rotated.log" "$d/plain-rotated.log" ;;
	text)	# Real header text, with what a hostile one adds.
		for f in $(ls "$sample"/input/*-H | head -n 8); do
			cp "$f" "$d/"
		done ;;
	esac
	for f in "$here/seeds-$1" "$here/$1-seeds"; do
		[ -d "$f" ] && cp "$f"/* "$d/" 2>/dev/null
	done
	return 0
}

stat_of() {	# LOG NAME: libFuzzer's final figure NAME
	sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

mkdir -p "$O/artifacts"
failed=""
for name in "$@"; do
	bin=$O/fuzz_$name
	corpus=$O/corpus-$name
	log=$O/log-$name.txt
	mkdir -p "$corpus"
	seeds "$name" "$corpus"
	args=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1
	    "-artifact_prefix=$O/artifacts/$name-")
	if [ "$secs" -gt 0 ]; then
		args+=("-max_total_time=$secs")
	else
		args+=(-runs=0)
	fi
	[ -n "${FUZZ_RUNS:-}" ] && args+=("-runs=$FUZZ_RUNS")
	[ -f "$here/$name.dict" ] && args+=("-dict=$here/$name.dict")
	# shellcheck disable=SC2206
	args+=(${FUZZ_ARGS:-})
	echo "== fuzz $name: $(ls "$corpus" | wc -l) inputs, ${secs}s"
	start=$(date +%s)
	${FUZZ_NICE:+nice -n "$FUZZ_NICE"} "$bin" "${args[@]}" "$corpus" \
	    > "$log" 2>&1
	rc=$?
	end=$(date +%s)
	cov=$(grep -a -E '^#[0-9]+' "$log" | tail -n 1 |
	    sed -nE 's/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/cov \1 ft \2 corp \3/p')
	echo "-- fuzz $name: exit $rc, $(stat_of "$log" number_of_executed_units) execs" \
	    "in $((end - start))s, ${cov:-no stats}, corpus $(ls "$corpus" | wc -l)"
	if [ "$rc" -ne 0 ]; then
		failed="$failed $name"
		grep -a -E '^(==[0-9]+==ERROR|SUMMARY|.*check failed|.*runtime error|artifact_prefix)' "$log" | head -n 8
		grep -a -E '^    #[0-9]+ ' "$log" | grep -v -E 'fuzzer::|libc|_start|sanitizer|abort' | head -n 6
		echo "-- fuzz $name: FAILED, see $log"
	fi
done
[ -z "$failed" ] || { echo "== fuzz failed:$failed"; exit 1; }
echo "== fuzz: ok"
