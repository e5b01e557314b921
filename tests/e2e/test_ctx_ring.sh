#!/bin/sh
# test_ctx_ring.sh - ctx_ring end to end: a --quick run of two rounds has a
# row for every variant x tasks x two-worker placement, in the CSV schema;
# every row ran, except proc_16k, which --quick skips with its reason;
# same-cpu rows validate (context switches per hop, all tasks counted) and
# name their derived metric ns_per_switch, two-CPU rows ns_per_wakeup;
# every note gives the subtracted overhead; an injected crash of the last
# task fails its configurations with the reason; nothing is left behind.
# No timing is judged.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH

# The two-worker placements this host offers ("same-cpu  CPUs 1 and 1").
pairs=$($P list | awk '/^placements on this host/ { on = 1; next } on && / CPUs [0-9]+ and [0-9]+/ { print $1 }')
[ -n "$pairs" ] || { echo "this host offers no two-worker placement"; exit 77; }
echo "placements: $(echo $pairs)"

dir=$($P run --quick --rounds 2 --filter '^ctx_ring/' --out "$WORK/res" --print-dir 2>"$WORK/err") ||
	fail "quick run exited $?: $(cat "$WORK/err")"
S=$dir/summary.csv
csvq "$S" >/dev/null || fail "summary.csv does not parse"
[ "$(head -n 1 "$S")" = "schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,min,p50,mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,validation,status,note,rounds,between_cv_pct" ] ||
	fail "summary.csv header: $(head -n 1 "$S")"
[ "$(csvq "$S" -n schema=2)" -gt 0 ] && [ "$(csvq "$S" -n)" = "$(csvq "$S" -n schema=2)" ] ||
	fail "not every row is schema 2"

# --quick takes 2, 16, 64 of the six-point sweeps (both ends and the
# middle), all of the three-point ones.
for v in proc_0k proc_16k proc_256k thread_0k; do
	case $v in proc_16k | thread_0k) xs="2 8 64" ;; *) xs="2 16 64" ;; esac
	for p in $pairs; do
		for x in $xs; do
			k="bench=ctx_ring variant=$v placement=$p sweep=tasks x=$x"
			# shellcheck disable=SC2086
			[ "$(csvq "$S" -n $k metric=ns_per_op)" = 1 ] || fail "$v $p $x: no ns_per_op row"
			# shellcheck disable=SC2086
			st=$(csvq "$S" status $k metric=ns_per_op)
			# shellcheck disable=SC2086
			note=$(csvq "$S" note $k metric=ns_per_op)
			if [ $v = proc_16k ]; then
				[ "$st" = skipped ] || fail "$v $p $x: status $st under --quick, expected skipped"
				case $note in *--quick*) ;; *) fail "$v $p $x: skipped without its reason: $note" ;; esac
				continue
			fi
			[ "$st" = ok ] || fail "$v $p $x: status $st: $note"
			# shellcheck disable=SC2086
			[ "$(csvq "$S" rounds $k metric=ns_per_op)" = 2 ] || fail "$v $p $x: not 2 rounds"
			# shellcheck disable=SC2086
			valid=$(csvq "$S" validation $k metric=ns_per_op)
			valid_or_migrated "$valid" "$note" || fail "$v $p $x: validation $valid: $note"
			case $note in *"alone in one task, measured in setup"*) ;;
			*) fail "$v $p $x: the note does not give the subtracted overhead: $note" ;; esac
			# shellcheck disable=SC2086
			[ "$(csvq "$S" p50 $k metric=tasks_off_cpu)" = 0 ] || fail "$v $p $x: a task was off its CPU"
			# shellcheck disable=SC2086
			[ "$(csvq "$S" -n $k metric=invol_ctxsw_per_op)" = 1 ] || fail "$v $p $x: no invol_ctxsw_per_op row"
			if [ "$p" = same-cpu ]; then
				# shellcheck disable=SC2086
				[ "$(csvq "$S" -n $k metric=ns_per_switch)" = 1 ] || fail "$v same-cpu $x: no ns_per_switch row"
				# shellcheck disable=SC2086
				[ "$(csvq "$S" -n $k metric=ns_per_wakeup)" = 0 ] || fail "$v same-cpu $x: a switch is no wake-up"
			else
				# shellcheck disable=SC2086
				[ "$(csvq "$S" -n $k metric=ns_per_wakeup)" = 1 ] || fail "$v $p $x: no ns_per_wakeup row"
				# shellcheck disable=SC2086
				[ "$(csvq "$S" -n $k metric=ns_per_switch)" = 0 ] || fail "$v $p $x: across CPUs it is no switch"
			fi
		done
	done
done
echo "ok: every variant x tasks x placement: schema, statuses, validations, metric names, notes"
no_debris || fail "debris after the run"

# --- an injected crash of the last task: failed rows with the reason, nothing left ---
p1=$(echo "$pairs" | head -n 1)
PRIMBENCH_INJECT=ctx_ring:crash $P run --quick --rounds 1 --budget-ms 50 --timeout 60 \
	--filter '^ctx_ring/proc_0k$' --placement "$p1" --out "$WORK/crash" >/dev/null 2>"$WORK/err"
rc=$?
[ "$rc" -eq 1 ] || fail "crash: exit $rc, expected 1"
d=$(run_dir "$WORK/crash")
[ "$(csvq "$d/summary.csv" -n variant=proc_0k metric=ns_per_op status=failed)" = 3 ] ||
	fail "crash: proc_0k rows not failed: $(csvq "$d/summary.csv" status variant=proc_0k metric=ns_per_op | tr '\n' ' ')"
csvq "$d/summary.csv" note variant=proc_0k x=64 metric=ns_per_op | grep -q 'a task died' ||
	fail "crash: the note lacks the reason"
no_debris || fail "debris after the crash"
echo "ok: injected crash -> failed rows with a reason, every task reaped"
