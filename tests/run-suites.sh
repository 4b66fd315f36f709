#!/usr/bin/env bash
# run-suites.sh -- runs test suites one after another and counts them:
# exit 0 passed, 77 skipped (the suite says why), anything else failed.
#	run-suites.sh SUITE...	(a program, or a .sh file run with bash)
# Exits 1 when any suite failed.  MXTOP, TOOLS and SAMPLE are passed on.
npass=0 nskip=0 nfail=0 failed=""
for s in "$@"; do
	[ -e "$s" ] || continue
	echo "== $s"
	t0=$SECONDS
	case $s in
	*.sh) bash "$s" ;;
	*) MXTOP_SAMPLE=${SAMPLE:-} "$s" ;;
	esac
	rc=$?
	echo "-- $s: $((SECONDS - t0))s"
	case $rc in
	0) npass=$((npass + 1)) ;;
	77) nskip=$((nskip + 1)); echo "-- $s: skipped" ;;
	*) nfail=$((nfail + 1)); failed="$failed $s"
	   echo "-- $s: FAILED (exit $rc)" ;;
	esac
done
echo "== suites: $npass passed, $nskip skipped, $nfail failed"
[ -z "$failed" ] || { echo "== failed:$failed"; exit 1; }
