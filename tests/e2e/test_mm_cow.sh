#!/bin/sh
# test_mm_cow.sh - mm_cow end to end: every variant x pages point has its
# rows, ok, and its fault self-check passes (the 4 KiB variants: minor
# faults per round in [k*N, k*N + max(2, N/100)], k = 2 for
# read_then_write; cow_thp: split or whole copy, and the note says which);
# the counter rows are there (minor_faults_per_op, faults_per_op);
# under RLIMIT_NPROC (as an unused uid) the fork variants are skipped with the
# reason and first_touch still runs; an injected hang becomes a timeout
# row, a crash a failed row; no process of the run is left behind.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
[ "$(getconf PAGESIZE)" = 4096 ] || { echo "fault counts here assume 4 KiB pages"; exit 77; }

start=$(date +%s)
dir=$($P run --quick --budget-ms 50 --filter 'mm_cow' --x pages=1,64,512,1024,16384 --out "$WORK/res" --print-dir 2>"$WORK/err") ||
	fail "quick run exited $?: $(cat "$WORK/err")"
echo "quick run took $(( $(date +%s) - start )) s"
S=$dir/summary.csv
csvq "$S" >/dev/null || fail "summary.csv does not parse"

# check VARIANT PAGES K: the row is ok, validation pass, and the faults per
# round (minor_faults_per_op x N) are k*N .. k*N + slack.
check() {
	v=$1 x=$2 k=$3
	key="bench=mm_cow variant=$v sweep=pages x=$x placement=single"
	# shellcheck disable=SC2086
	[ "$(csvq "$S" -n $key metric=ns_per_op)" = 1 ] || fail "$v $x: no ns_per_op row"
	# shellcheck disable=SC2086
	note=$(csvq "$S" note $key metric=ns_per_op)
	# shellcheck disable=SC2086
	st=$(csvq "$S" status $key metric=ns_per_op)
	if [ "$v" = cow_thp ] && [ "$st" = skipped ]; then
		echo "$note" | grep -q 'no transparent huge pages\|MADV_HUGEPAGE' || fail "cow_thp $x: skipped: $note"
		echo "ok: cow_thp $x skipped: $note"
		return
	fi
	[ "$st" = ok ] || fail "$v $x: status $st: $note"
	# shellcheck disable=SC2086
	valid_or_migrated "$(csvq "$S" validation $key metric=ns_per_op)" "$note" ||
		fail "$v $x: validation not pass: $note"
	for m in minor_faults_per_op faults_per_op task_clock_ns_per_op; do
		# shellcheck disable=SC2086
		[ "$(csvq "$S" -n $key metric=$m)" = 1 ] || fail "$v $x: no $m row"
	done
	# shellcheck disable=SC2086
	f=$(csvq "$S" p50 $key metric=minor_faults_per_op)
	awk -v f="$f" -v n="$x" -v k="$k" 'BEGIN {
		s = n / 100; if (s != int(s)) s = int(s) + 1; if (s < 2) s = 2
		got = f * n; exit !(got >= k * n - 1e-6 * n && got <= k * n + s + 1e-6 * n) }' ||
		fail "$v $x: $f faults per page, expected $k per page"
}
for x in 1 64 1024 16384; do
	check cow "$x" 1
	check first_touch "$x" 1
	check read_then_write "$x" 2
	check cow_parent_writes "$x" 1
done
for x in 512 16384; do
	check cow_thp "$x" 1
	[ "$st" = ok ] || continue
	csvq "$S" note variant=cow_thp x="$x" metric=ns_per_op | grep -q 'faults per 2 MiB' ||
		fail "cow_thp $x: the note does not say what happened"
done
echo "ok: rows, statuses, fault self-checks, cow_thp note"

# --- RLIMIT_NPROC, as an unused uid: fork's EAGAIN -> skipped with the reason ---------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && command -v prlimit >/dev/null; then
	mkdir "$WORK/np" && chmod 1777 "$WORK/np" && chmod a+x "$WORK" || fail "cannot prepare $WORK/np"
	claim_uid || fail "no free uid in 64000..64999 for the RLIMIT_NPROC run"
	uid=$CLAIMED_UID
	# 2 tasks for the uid: primbench and its supervising child.
	prlimit --nproc=2 setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		"$P" run --quick --budget-ms 50 --filter 'mm_cow/(cow_thp|cow_parent_writes|first_touch)$' \
		--out "$WORK/np" >/dev/null 2>"$WORK/err" || fail "RLIMIT_NPROC run exited $?: $(cat "$WORK/err")"
	d=$(run_dir "$WORK/np")
	for v in cow_thp cow_parent_writes; do
		[ "$(csvq "$d/summary.csv" -n variant=$v metric=ns_per_op status=skipped)" -ge 2 ] ||
			fail "RLIMIT_NPROC: $v not skipped"
		csvq "$d/summary.csv" note variant=$v metric=ns_per_op | grep -q 'fork: EAGAIN' ||
			fail "RLIMIT_NPROC: $v skipped without the reason: $(csvq "$d/summary.csv" note variant=$v metric=ns_per_op | head -n 1)"
	done
	[ "$(csvq "$d/summary.csv" status variant=first_touch x=1024 metric=ns_per_op)" = ok ] ||
		fail "RLIMIT_NPROC: first_touch (no child) did not run"
	# primbench has exited and reaps everything before it does: any
	# process of the uid now, even a zombie, is left behind.
	if pgrep -u "$uid" >/dev/null; then fail "RLIMIT_NPROC: processes of uid $uid left: $(pgrep -a -u "$uid")"; fi
	echo "ok: RLIMIT_NPROC -> fork variants skipped with the reason, no child left"
else
	echo "skip part: RLIMIT_NPROC needs root (to drop to nobody), setpriv and prlimit"
fi

# --- injected faults: hang -> timeout and the run goes on; crash -> failed ----------
PRIMBENCH_INJECT=mm_cow:hang "$P" run --quick --budget-ms 50 --timeout 3 \
	--filter 'mm_cow/(cow_thp|first_touch)$' --out "$WORK/hang" >/dev/null 2>&1
[ $? -eq 1 ] || fail "an injected hang must make the run exit 1"
d=$(run_dir "$WORK/hang")
[ "$(csvq "$d/summary.csv" -n variant=cow_thp metric=ns_per_op status=timeout)" = 2 ] ||
	fail "hang: not 2 timeout rows"
[ "$(csvq "$d/summary.csv" -n variant=first_touch metric=ns_per_op status=ok)" = 3 ] ||
	fail "hang: the run did not go on (first_touch has no child to hang)"
PRIMBENCH_INJECT=mm_cow:crash "$P" run --quick --budget-ms 50 \
	--filter 'mm_cow/cow_parent_writes$' --out "$WORK/crash" >/dev/null 2>&1
[ $? -eq 1 ] || fail "an injected crash must make the run exit 1"
d=$(run_dir "$WORK/crash")
[ "$(csvq "$d/summary.csv" -n variant=cow_parent_writes metric=ns_per_op status=failed)" = 3 ] ||
	fail "crash: not 3 failed rows (--quick: 3 points)"
csvq "$d/summary.csv" note variant=cow_parent_writes x=1024 metric=ns_per_op | grep -q 'killed by signal' ||
	fail "crash: the failure does not say why"
echo "ok: injected hang -> timeout, crash -> failed"

no_debris || fail "debris left"
echo "ok: nothing left behind"
