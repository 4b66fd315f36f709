# testlib.sh -- what every shell test shares (sourced): where things are,
# the ok/FAIL counters and the closing "N passed, M failed" line.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${MXTOP:=$top/mxtop}"
: "${TOOLS:=$top/build/tools}"
: "${SAMPLE:=$top/sample-spool}"
export TOOLS
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
# The closing line; the status is the test's.
t_done() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; }
# Seconds from t0 to t1 (date +%s.%N values), two decimals; empty (and a
# failing status) when either is not a number, so a check that uses it
# cannot pass without its measurement.
t_elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9]+(\.[0-9]+)?$/ || b !~ /^[0-9]+(\.[0-9]+)?$/)
			exit 1
		printf "%.2f\n", b - a }'
}
# Skips the suite (exit 77, counted as skipped) unless every program named
# is on PATH.  `make deps` installs them all; this names what is missing.
t_need() {
	local p miss=""
	for p in "$@"; do command -v "$p" > /dev/null 2>&1 || miss="$miss $p"; done
	[ -z "$miss" ] && return 0
	echo "missing:$miss: skipped (make deps installs them)"
	exit 77
}
