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
