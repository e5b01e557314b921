#!/bin/sh
# test_futex.sh - the futex family end to end: every variant's rows exist
# at the placements the host offers, are ok and pass their checks (the
# uncontended mutex makes no futex call, a wake with no waiter wakes none,
# wake_n wakes the N it gathered, cmp_requeue moves N, the same-cpu PI
# hand-off switches twice a round trip); the schema holds; no thread,
# process or file outlives the run.  Never a timing.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH

pair_places() {
	"$P" list | sed -n '/^placements on this host:/,$p' | awk 'NR > 1 { print $1 }' |
		grep -vx -e single -e unpinned
}
PAIRS=$(pair_places)
[ -n "$PAIRS" ] || fail "list shows no two-worker placement"
"$P" list | grep -q '^futex - ' || fail "futex is not in primbench list"

mkdir -p "$WORK/fx"
"$P" run --quick --rounds 2 --filter '^futex/' --out "$WORK/fx" > "$WORK/fx.log" 2>&1 ||
	fail "futex run exited $?: $(tail -n 3 "$WORK/fx.log")"
D=$(run_dir "$WORK/fx")
S=$D/summary.csv
head -n 1 "$S" | grep -q '^schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,min,p50,mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,validation,status,note,rounds,between_cv_pct' ||
	fail "summary.csv header is not schema 2's"
[ "$(csvq "$S" -n bench=futex status=ok)" -gt 0 ] || fail "no ok futex row"
[ "$(csvq "$S" -n bench=futex metric=ns_per_op)" = "$(csvq "$S" -n bench=futex metric=ns_per_op status=ok)" ] ||
	fail "a futex configuration did not run: $(csvq "$S" -t variant,x,placement,status,note bench=futex metric=ns_per_op | grep -v '	ok	')"

# row VARIANT PLACEMENT METRIC [X]: the row's validation (exactly one row).
row() {
	set -- bench=futex variant="$1" placement="$2" metric="$3" ${4:+"x=$4"}
	[ "$(csvq "$S" -n "$@")" = 1 ] || fail "$*: not exactly one row"
	csvq "$S" validation "$@"
}
for v in lock_unlock wake_nowaiter; do
	[ "$(row $v single ns_per_op)" = pass ] || fail "$v: validation $(csvq "$S" note bench=futex variant=$v metric=ns_per_op)"
done
[ "$(csvq "$S" p50 bench=futex variant=lock_unlock metric=futex_calls_per_op)" = 0 ] ||
	fail "lock_unlock: futex calls on the uncontended path"
[ "$(csvq "$S" p50 bench=futex variant=wake_nowaiter metric=woken_per_op)" = 0 ] ||
	fail "wake_nowaiter: woke a thread"
# --quick keeps three of the five waiter counts: both ends and the middle.
xs=$(csvq "$S" x bench=futex variant=cmp_requeue metric=ns_per_op | sort -n | tr '\n' ' ')
[ "$xs" = "1 4 16 " ] || fail "cmp_requeue: waiter points '$xs' under --quick, expected 1 4 16"
for x in $xs; do
	[ "$(row cmp_requeue single ns_per_op "$x")" = pass ] || fail "cmp_requeue x=$x: validation failed"
	[ "$(csvq "$S" p50 bench=futex variant=cmp_requeue metric=requeued_per_op x="$x")" = "$x" ] ||
		fail "cmp_requeue x=$x: requeued_per_op is not $x"
	for pl in $PAIRS; do
		[ "$(row wake_n "$pl" ns_per_op "$x")" = pass ] ||
			fail "wake_n x=$x @$pl: $(csvq "$S" note bench=futex variant=wake_n x="$x" placement="$pl" metric=ns_per_op)"
	done
done
for pl in $PAIRS; do
	[ "$(csvq "$S" -n bench=futex variant=pi_handoff placement="$pl" metric=ns_per_op status=ok)" = 1 ] ||
		fail "pi_handoff @$pl: no ok row"
	[ "$(csvq "$S" -n bench=futex variant=pi_handoff placement="$pl" metric=ctxsw_per_op)" = 1 ] ||
		fail "pi_handoff @$pl: no ctxsw_per_op row"
done
# The same-cpu PI hand-off switches exactly twice a round trip (the
# requeue protocol never retries a hand-off): the check must pass, and the
# median count is 2 (within 0.1: a foreign task preempting a worker adds
# a switch now and then; the old retried hand-off made about 6).
case " $(echo $PAIRS) " in
*" same-cpu "*)
	pv=$(row pi_handoff same-cpu ns_per_op)
	[ "$pv" = pass ] ||
		fail "pi_handoff @same-cpu: validation '$pv': $(csvq "$S" note bench=futex variant=pi_handoff placement=same-cpu metric=ns_per_op)"
	pc=$(csvq "$S" p50 bench=futex variant=pi_handoff placement=same-cpu metric=ctxsw_per_op)
	awk -v c="$pc" 'BEGIN { exit !(c != "" && c + 0 > 1.9 && c + 0 < 2.1) }' ||
		fail "pi_handoff @same-cpu: ctxsw_per_op p50 '$pc', expected 2"
	[ "$(csvq "$S" -n bench=futex variant=pi_handoff placement=same-cpu metric=lock_pi_per_op)" = 1 ] ||
		fail "pi_handoff @same-cpu: no lock_pi_per_op row" ;;
esac
echo "ok: futex: 5 variants at $(echo "$PAIRS" | tr '\n' ' ')ok, checks pass"
check "no debris" no_debris
