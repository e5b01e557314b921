#!/bin/sh
# nopfm.sh - what `make test-nopfm` runs on the build without libpfm4: a
# quick baseline run completes, meta says libpfm is absent, the software
# counters still open and every hardware event is either available (generic
# perf ids) or listed as unavailable with a reason.  Tallies one "nopfm" line.
set -u
: "${PRIMBENCH:?set PRIMBENCH to the NO_LIBPFM=1 binary}"
: "${CSVQ:?set CSVQ to build/csvq}"
tally=${TALLY:-build/test-tally}
work=$(mktemp -d /tmp/primbench-nopfm.XXXXXX)
trap 'rm -rf "$work"' EXIT
problem=""
"$PRIMBENCH" run --quick --reps 5 --budget-ms 30 --filter '^(null|syscall_getppid)/' \
	--out "$work" --print-dir > "$work/dir" 2> "$work/err" || problem="exit $?: $(tail -n 2 "$work/err")"
d=$(cat "$work/dir")
m=$d/meta.csv
if [ -z "$problem" ]; then
	q() { "$CSVQ" "$m" value key="$1"; }
	case "$(q libpfm)" in no*) ;; *) problem="meta libpfm is '$(q libpfm)'" ;; esac
	[ "$(q complete)" = true ] || problem="$problem; not complete"
	for ev in task-clock page-faults context-switches; do
		q counters_available | grep -qw -- "$ev" || problem="$problem; $ev not available"
	done
	for ev in cycles instructions; do
		{ q counters_available | grep -qw -- "$ev" || q counters_unavailable | grep -q -- "$ev ("; } ||
			problem="$problem; $ev neither available nor unavailable with a reason"
	done
	[ "$("$CSVQ" "$d/summary.csv" -n status=ok metric=ns_per_op)" -ge 2 ] || problem="$problem; baselines not ok"
fi
if [ -z "$problem" ]; then
	echo "nopfm: ok ($(q libpfm); counters: $(q counters_mode); unavailable: $(q counters_unavailable))"
	echo "nopfm 1 0 0" >> "$tally"
else
	echo "nopfm: FAILED: $problem"
	echo "nopfm 0 1 0" >> "$tally"
	exit 1
fi
