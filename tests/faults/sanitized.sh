#!/bin/sh
# sanitized.sh - what `make test-asan` runs after the unit tests, with
# PRIMBENCH built with -fsanitize=address,undefined:
#   1. a quick run of the whole suite (2 rounds, tiny budget, one placement per
#      variant): no sanitizer report on stderr (benchmark processes share
#      it), no row whose benchmark process died by a signal (ASan aborts);
#   2. the bad-input end-to-end scripts (test_cli_fuzz.sh, test_bad_csv.sh),
#      so that compare's CSV reading runs under ASan and LSan too.
# ASAN_OPTIONS/UBSAN_OPTIONS come from the caller (abort on the first
# report, leaks checked at exit).  Tallies one "asan" line.
set -u
: "${PRIMBENCH:?set PRIMBENCH to the sanitized binary}"
: "${CSVQ:?set CSVQ to build/csvq}"
tally=${TALLY:-build/test-tally}
pass=0 fail=0
work=$(mktemp -d /tmp/primbench-asan.XXXXXX)
trap 'rm -rf "$work"' EXIT

start=$(date +%s)
"$PRIMBENCH" run --quick --rounds 2 --reps 5 --budget-ms 5 --placement same-cpu,single --timeout 60 \
	--out "$work" --print-dir > "$work/dir" 2> "$work/err"
rc=$?
d=$(cat "$work/dir")
problem=""
[ "$rc" -le 1 ] || problem="exit $rc"
grep -E 'Sanitizer|runtime error:' "$work/err" > "$work/reports" && problem="$problem sanitizer reports"
if [ -n "$d" ] && [ -f "$d/summary.csv" ]; then
	"$CSVQ" "$d/summary.csv" note | grep -i 'killed by signal' | sort -u > "$work/crashed"
	[ -s "$work/crashed" ] && problem="$problem crashed benchmarks"
	failed=$("$CSVQ" "$d/summary.csv" -n status=failed)
else
	problem="$problem no results"
	failed='?'
fi
if [ -z "$problem" ]; then
	pass=$((pass + 1))
	echo "asan suite: ok ($(( $(date +%s) - start ))s, $("$CSVQ" "$d/summary.csv" -n) rows, $failed failed rows)"
else
	fail=$((fail + 1))
	echo "asan suite: FAILED:$problem"
	head -n 40 "$work/reports" "$work/crashed" 2>/dev/null | sed 's/^/    /'
	grep -B2 -A25 -m1 -E 'ERROR: |runtime error:' "$work/err" | sed 's/^/    /'
fi

for t in test_cli_fuzz test_bad_csv; do
	[ -f "tests/e2e/$t.sh" ] || continue
	if ONLY=$t TALLY=$work/tally sh tests/run_scripts.sh asan-e2e tests/e2e; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "asan $pass $fail 0" >> "$tally"
[ "$fail" -eq 0 ]
