#!/bin/sh
# smoke.sh - the short run `make check` does after the unit tests: the
# whole suite once, tiny budgets, one placement per variant (same-cpu,
# single), then what a broken build or harness trips at once:
#   - exit 0, the folder renamed, meta complete=true, the three CSVs parse;
#   - every family `primbench list` shows has rows;
#   - no row failed or timed out, no benchmark died by a signal, every
#     skipped row says why;
#   - nothing of the run is left running.
# Nothing about speed is judged: --timeout 300 only bounds a hang.
# Tallies one "smoke" line into TALLY.
set -u
: "${PRIMBENCH:?set PRIMBENCH to the binary}"
: "${CSVQ:?set CSVQ to build/csvq}"
tally=${TALLY:-build/test-tally}
mkdir -p "$(dirname "$tally")"
work=$(mktemp -d /tmp/primbench-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$PRIMBENCH" run --quick --reps 5 --budget-ms 5 --placement same-cpu,single --timeout 300 \
	--out "$work" --print-dir > "$work/dir" 2> "$work/err"
rc=$?
d=$(cat "$work/dir")
problem=""
[ "$rc" -eq 0 ] || problem="exit $rc: $(tail -n 2 "$work/err")"
if [ -n "$d" ] && [ -f "$d/summary.csv" ]; then
	case "$(basename "$d")" in .*) problem="$problem; the folder kept its .partial name" ;; esac
	for f in summary samples meta; do
		"$CSVQ" "$d/$f.csv" > /dev/null 2>&1 || problem="$problem; $f.csv does not parse"
	done
	[ "$("$CSVQ" "$d/meta.csv" value key=complete)" = true ] || problem="$problem; meta complete is not true"
	"$CSVQ" "$d/summary.csv" bench | sort -u > "$work/ran"
	"$PRIMBENCH" list | awk '/^placements/ { exit } /^[a-z0-9_]+ - / { print $1 }' | sort > "$work/listed"
	missing=$(comm -23 "$work/listed" "$work/ran" | tr '\n' ' ')
	[ -z "$missing" ] || problem="$problem; no rows for: $missing"
	bad=$(( $("$CSVQ" "$d/summary.csv" -n status=failed) + $("$CSVQ" "$d/summary.csv" -n status=timeout) ))
	[ "$bad" -eq 0 ] || problem="$problem; $bad failed or timeout rows, e.g. $(
		"$CSVQ" "$d/summary.csv" -t bench,variant,status,note status=failed | sed -n 2p)$(
		"$CSVQ" "$d/summary.csv" -t bench,variant,status,note status=timeout | sed -n 2p)"
	"$CSVQ" "$d/summary.csv" note | grep -qi 'killed by signal' && problem="$problem; a benchmark died by a signal"
	"$CSVQ" "$d/summary.csv" note status=skipped | grep -qx '' && problem="$problem; a skipped row without a reason"
else
	problem="$problem; no results folder"
fi
# primbench reaps everything before it exits: any process still naming the
# folder is left behind.
left=$(pgrep -r R,S,D,T,t,W,I -f -- "$work")
[ -z "$left" ] || problem="$problem; processes left: $(echo $left)"

if [ -z "$problem" ]; then
	echo "smoke: ok ($("$CSVQ" "$d/summary.csv" -n metric=ns_per_op) configurations," \
	     "$("$CSVQ" "$d/summary.csv" -n status=skipped metric=ns_per_op) skipped)"
	echo "smoke 1 0 0" >> "$tally"
else
	echo "smoke: FAILED:$problem"
	echo "smoke 0 1 0" >> "$tally"
	exit 1
fi
