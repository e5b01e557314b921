#!/bin/sh
# test_sched_switch.sh - sched_switch end to end: every variant x wss_bytes x
# two-worker placement has its row; same-cpu rows validate (about 2 context
# switches per round trip, counted on both sides); the derived metric is
# named ns_per_switch on same-cpu and ns_per_wakeup across CPUs; the yield
# variants are skipped with a reason off same-cpu; the same check holds
# with getrusage counters; an injected peer hang becomes a timeout row and
# the run goes on; an injected peer crash becomes a failed row; nothing is
# left behind.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH


# The two-worker placements this host offers ("same-cpu  CPUs 1 and 1").
pairs=$($P list | awk '/^placements on this host/ { on = 1; next } on && / CPUs [0-9]+ and [0-9]+/ { print $1 }')
[ -n "$pairs" ] || { echo "this host offers no two-worker placement"; exit 77; }
echo "placements: $(echo $pairs)"

# between V LO HI: LO <= V <= HI (V a number).
between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 >= lo && v + 0 <= hi) }'; }

# --- a quick run: rows, statuses, metrics, validations --------------------------------
start=$(date +%s)
# --x: four points of the sweep, so that both sides of the 16 KiB line
# are checked (--quick alone takes 0, 256 KiB and 4 MiB).
dir=$($P run --quick --budget-ms 50 --filter 'sched_switch' --x wss_bytes=0,16384,262144,4194304 --out "$WORK/res" --print-dir 2>"$WORK/err") ||
	fail "quick run exited $?: $(cat "$WORK/err")"
echo "quick run took $(( $(date +%s) - start )) s"
S=$dir/summary.csv
csvq "$S" >/dev/null || fail "summary.csv does not parse"
for v in proc_pipe proc_futex thread_futex proc_yield thread_yield; do
	for p in $pairs; do
		for x in 0 16384 262144 4194304; do
			k="bench=sched_switch variant=$v placement=$p sweep=wss_bytes x=$x"
			# shellcheck disable=SC2086
			[ "$(csvq "$S" -n $k metric=ns_per_op)" = 1 ] || fail "$v $p $x: no ns_per_op row"
			# shellcheck disable=SC2086
			st=$(csvq "$S" status $k metric=ns_per_op)
			case "$v:$p" in
			*_yield:same-cpu) ;;
			*_yield:*)
				[ "$st" = skipped ] || fail "$v at $p: status $st, expected skipped"
				# shellcheck disable=SC2086
				csvq "$S" note $k metric=ns_per_op | grep -q 'one CPU' ||
					fail "$v at $p: skip without its reason"
				continue ;;
			esac
			[ "$st" = ok ] || fail "$v $p $x: status $st: $(csvq "$S" note $k metric=ns_per_op)"
			# shellcheck disable=SC2086
			valid=$(csvq "$S" validation $k metric=ns_per_op)
			# shellcheck disable=SC2086
			c=$(csvq "$S" p50 $k metric=ctxsw_per_op)
			if [ "$valid" != pass ]; then
				# A long round trip (big working set) on a CPU shared with
				# other work is preempted by it: extra switches, a true
				# validation=fail, but foreign load, not a bug.  The short
				# ones must pass; any must count both sides (>= 1.5, the bound of
				# BENCH_PINGPONG_* in harness/bench.h).
				# shellcheck disable=SC2086
				note=$(csvq "$S" note $k metric=ns_per_op)
				if valid_or_migrated "$valid" "$note"; then
					:
				elif [ "$x" -le 16384 ] || [ "$p" != same-cpu ] || ! between "$c" 3 1000; then
					fail "$v $p $x: validation $valid: $note"
				fi
				echo "warning: $v $p $x: $c switches per round trip (other load on the CPU?)"
			fi
			# shellcheck disable=SC2086
			[ "$(csvq "$S" p50 $k metric=peer_off_cpu)" = 0 ] || fail "$v $p $x: peer_off_cpu not 0"
			# shellcheck disable=SC2086
			[ "$(csvq "$S" p50 $k metric=migrations_per_op)" = 0 ] || fail "$v $p $x: worker 0 migrated"
			# shellcheck disable=SC2086
			csvq "$S" note $k metric=ns_per_op | grep -q 'alone in one task, measured in setup' ||
				fail "$v $p $x: the note does not give the subtracted overhead"
			if [ "$p" = same-cpu ]; then
				if [ "$x" -le 16384 ]; then
					between "$c" 1.5 3 || fail "$v same-cpu $x: ctxsw_per_op $c, expected about 2"
				else
					between "$c" 1.5 1000 || fail "$v same-cpu $x: ctxsw_per_op $c: a side is not counted"
				fi
				# shellcheck disable=SC2086
				[ "$(csvq "$S" -n $k metric=ns_per_switch)" = 1 ] || fail "$v same-cpu $x: no ns_per_switch row"
				# shellcheck disable=SC2086
				[ "$(csvq "$S" -n $k metric=ns_per_wakeup)" = 0 ] || fail "$v same-cpu $x: a wake-up is not a switch"
			else
				# shellcheck disable=SC2086
				[ "$(csvq "$S" -n $k metric=ns_per_wakeup)" = 1 ] || fail "$v $p $x: no ns_per_wakeup row"
				# shellcheck disable=SC2086
				[ "$(csvq "$S" -n $k metric=ns_per_switch)" = 0 ] || fail "$v $p $x: across CPUs it is no switch"
			fi
		done
	done
done
echo "ok: every variant x wss x placement, statuses, validations, metric names"

# --- counters from getrusage: the peer's switches still add up to ~2 -----------------
if echo "$pairs" | grep -qx same-cpu; then
	d=$(PRIMBENCH_PMU_FORCE=rusage $P run --quick --budget-ms 50 --filter 'sched_switch/(proc|thread)_futex' \
		--placement same-cpu --out "$WORK/rusage" --print-dir 2>"$WORK/err") ||
		fail "rusage run exited $?: $(cat "$WORK/err")"
	for v in proc_futex thread_futex; do
		c=$(csvq "$d/summary.csv" p50 variant=$v x=0 metric=ctxsw_per_op)
		between "$c" 1.5 3 || fail "rusage counters: $v ctxsw_per_op $c"
		valid_or_migrated "$(csvq "$d/summary.csv" validation variant=$v x=0 metric=ns_per_op)" \
			"$(csvq "$d/summary.csv" note variant=$v x=0 metric=ns_per_op)" ||
			fail "rusage counters: $v not validated"
	done
	echo "ok: getrusage counters: ctxsw_per_op about 2 on same-cpu"
fi
no_debris || fail "debris after the runs"

# --- an injected hang of the peer: timeout rows (the watchdog), the run goes on -------
# How long it took is not judged: the timeout rows naming the watchdog show
# it cut each hang.
p1=$(echo "$pairs" | head -n 1)
PRIMBENCH_INJECT=sched_switch:hang $P run --quick --budget-ms 50 --timeout 2 \
	--filter 'sched_switch/proc_futex|mm_alloc/brk$' --placement "$p1,single" \
	--out "$WORK/hang" >/dev/null 2>"$WORK/err"
rc=$?
[ "$rc" -eq 1 ] || fail "hang: exit $rc, expected 1 (timeouts)"
d=$(run_dir "$WORK/hang")
[ "$(csvq "$d/summary.csv" -n variant=proc_futex status=timeout)" = 3 ] ||
	fail "hang: expected 3 timeout rows (--quick: 3 points), got $(csvq "$d/summary.csv" -n variant=proc_futex status=timeout)"
csvq "$d/summary.csv" note variant=proc_futex status=timeout | grep -vq watchdog &&
	fail "hang: a timeout row does not say the watchdog cut it"
[ "$(csvq "$d/summary.csv" -n bench=mm_alloc variant=brk metric=ns_per_op status=ok)" = 3 ] ||
	fail "hang: the configurations after the hung ones did not run"
no_debris || fail "debris after the hang"
echo "ok: injected hang -> 3 timeout rows, later configurations ok, nothing left"

# --- an injected crash of the peer: failed rows, nothing left ---------------------------
PRIMBENCH_INJECT=sched_switch:crash $P run --quick --budget-ms 50 --timeout 60 \
	--filter 'sched_switch/(proc_pipe|thread_futex)' --placement "$p1" \
	--out "$WORK/crash" >/dev/null 2>"$WORK/err"
rc=$?
[ "$rc" -eq 1 ] || fail "crash: exit $rc, expected 1"
d=$(run_dir "$WORK/crash")
[ "$(csvq "$d/summary.csv" -n variant=proc_pipe status=failed)" = 3 ] || fail "crash: proc_pipe rows not failed"
csvq "$d/summary.csv" note variant=proc_pipe x=0 | grep -q 'peer died' || fail "crash: proc_pipe note lacks the reason"
[ "$(csvq "$d/summary.csv" -n variant=thread_futex status=failed)" = 3 ] || fail "crash: thread_futex rows not failed"
no_debris || fail "debris after the crash"
echo "ok: injected crash -> failed rows with a reason, nothing left"
