#!/bin/sh
# test_proc_create.sh - proc_create end to end: every variant x rss_bytes
# point has its rows, all ok at the single placement; every swept variant
# gets an ns_per_mib fit row; the variants whose child runs our code report
# ns_to_child, the exec variants do not; fork_thp says it got huge pages.
# To stay fast, half the variants run the whole sweep and the other half
# run under a 768 MiB RLIMIT_AS, which also checks that the 1 GiB point is
# then skipped with the reason (filling 1 GiB costs seconds here).
# Under RLIMIT_NPROC (as an unused unprivileged uid: root ignores it) the
# creating call's EAGAIN becomes `skipped` rows with the reason; an
# injected hang becomes a timeout row and the run goes on, an injected
# crash a failed row; no process of the run is left behind.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH

sweep="4194304 67108864 268435456 1073741824"
execs="fork_exec vfork_exec posix_spawn"
full="fork fork_untouched fork_thp vfork clone_thread posix_spawn"
capped="clone_process clone_vm clone3 pthread_create fork_exec vfork_exec"

# A variant the host cannot run is a skip with a reason, never a failure;
# only these may be skipped (clone3 on kernels before 5.3, THP off, a point
# that does not fit MemAvailable).
may_skip() {
	case "$1" in
	clone3) echo "$2" | grep -q 'clone3: ENOSYS' ;;
	fork_thp) echo "$2" | grep -Eq 'huge pages|MADV_HUGEPAGE|does not fit' ;;
	*) echo "$2" | grep -q 'does not fit' ;;
	esac
}

# check_variant SUMMARY VARIANT CAPPED: its rows at every point; CAPPED=1:
# the 1 GiB point must be skipped for RLIMIT_AS.
check_variant() {
	S=$1 v=$2
	for x in $sweep; do
		if [ "$3" = 1 ] && [ "$x" = 1073741824 ]; then
			[ "$(csvq "$S" status variant="$v" x=$x metric=ns_per_op)" = skipped ] ||
				fail "RLIMIT_AS: $v 1 GiB not skipped"
			csvq "$S" note variant="$v" x=$x metric=ns_per_op | grep -q 'cannot map' ||
				fail "RLIMIT_AS: $v 1 GiB skipped without the reason"
			continue
		fi
		k="bench=proc_create variant=$v sweep=rss_bytes x=$x placement=single"
		# shellcheck disable=SC2086
		[ "$(csvq "$S" -n $k metric=ns_per_op)" = 1 ] || fail "$v $x: no ns_per_op row"
		# shellcheck disable=SC2086
		st=$(csvq "$S" status $k metric=ns_per_op)
		# shellcheck disable=SC2086
		note=$(csvq "$S" note $k metric=ns_per_op)
		if [ "$st" = skipped ] && may_skip "$v" "$note"; then
			echo "ok: $v $x skipped: $note"
			continue
		fi
		[ "$st" = ok ] || fail "$v $x: status $st: $note"
		# shellcheck disable=SC2086
		[ "$(csvq "$S" validation $k metric=ns_per_op)" != fail ] || fail "$v $x: validation failed: $note"
		# shellcheck disable=SC2086
		n=$(csvq "$S" -n $k metric=ns_to_child)
		case " $execs " in
		*" $v "*) [ "$n" = 0 ] || fail "$v $x: an exec variant must not report ns_to_child" ;;
		*) [ "$n" = 1 ] || fail "$v $x: no ns_to_child row" ;;
		esac
		# shellcheck disable=SC2086
		[ "$(csvq "$S" -n $k metric=minor_faults_per_op)" = 1 ] || fail "$v $x: no minor_faults_per_op row"
		[ "$v" != fork_thp ] || echo "$note" | grep -q 'in huge pages' ||
			fail "fork_thp $x: the note does not say how much was huge: $note"
	done
	[ "$(csvq "$S" -n variant="$v" metric=ns_per_mib placement=single)" = 1 ] || fail "$v: no ns_per_mib row"
	[ "$(csvq "$S" status variant="$v" metric=ns_per_mib)" = ok ] || fail "$v: ns_per_mib not ok"
}

start=$(date +%s)
# --x: the whole sweep (--quick alone stops at 256 MiB).
dir=$($P run --quick --budget-ms 50 --filter "proc_create/($(echo $full | tr ' ' '|')|fork_exec_dyn)\$" \
	--x rss_bytes=4MiB,64MiB,256MiB,1GiB --out "$WORK/res" --print-dir 2>"$WORK/err") || fail "quick run exited $?: $(cat "$WORK/err")"
echo "quick run (whole sweep) took $(( $(date +%s) - start )) s"
csvq "$dir/summary.csv" >/dev/null || fail "summary.csv does not parse"
for v in $full; do check_variant "$dir/summary.csv" "$v" 0; done
[ "$(csvq "$dir/summary.csv" status variant=fork_exec_dyn x=4194304 metric=ns_per_op)" = ok ] ||
	fail "fork_exec_dyn did not run"
# No other placement than single: one worker.
[ "$(csvq "$dir/summary.csv" -n bench=proc_create placement=same-cpu)" = 0 ] || fail "proc_create ran at a pair placement"

start=$(date +%s)
prlimit --as=$((768 << 20)) "$P" run --quick --budget-ms 50 --filter "proc_create/($(echo $capped | tr ' ' '|'))\$" \
	--x rss_bytes=4MiB,64MiB,256MiB,1GiB --out "$WORK/as" >/dev/null 2>"$WORK/err" || fail "RLIMIT_AS run exited $?: $(cat "$WORK/err")"
echo "quick run (RLIMIT_AS 768 MiB) took $(( $(date +%s) - start )) s"
d=$(run_dir "$WORK/as")
for v in $capped; do check_variant "$d/summary.csv" "$v" 1; done
echo "ok: rows, statuses, ns_to_child, ns_per_mib, fork_thp note; RLIMIT_AS -> 1 GiB skipped with the reason"

# --- RLIMIT_NPROC, as an unused uid: EAGAIN -> skipped with the reason, nothing left --------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && command -v prlimit >/dev/null; then
	mkdir "$WORK/np" && chmod 1777 "$WORK/np" && chmod a+x "$WORK" || fail "cannot prepare $WORK/np"
	claim_uid || fail "no free uid in 64000..64999 for the RLIMIT_NPROC run"
	uid=$CLAIMED_UID
	# 2 tasks for the uid: primbench and its supervising child; the
	# benchmark's child (or thread: they count too) is one too many.  The
	# 768 MiB RLIMIT_AS spares pthread_create's 1 GiB fill.
	prlimit --nproc=2 --as=$((768 << 20)) setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		"$P" run --quick --budget-ms 50 --filter 'proc_create/(fork_untouched|pthread_create|posix_spawn|fork_exec_dyn)$' \
		--out "$WORK/np" >/dev/null 2>"$WORK/err" || fail "RLIMIT_NPROC run exited $?: $(cat "$WORK/err")"
	d=$(run_dir "$WORK/np")
	for v in fork_untouched pthread_create posix_spawn fork_exec_dyn; do
		st=$(csvq "$d/summary.csv" status variant="$v" x=4194304 metric=ns_per_op)
		note=$(csvq "$d/summary.csv" note variant="$v" x=4194304 metric=ns_per_op)
		[ "$st" = skipped ] || fail "RLIMIT_NPROC: $v not skipped: $st: $note"
		echo "$note" | grep -q 'EAGAIN (RLIMIT_NPROC=2' ||
			fail "RLIMIT_NPROC: $v skipped without the reason: $note"
	done
	# primbench has exited and reaps everything before it does: any
	# process of the uid now, even a zombie, is left behind.
	if pgrep -u "$uid" >/dev/null; then fail "RLIMIT_NPROC: processes of uid $uid left: $(pgrep -a -u "$uid")"; fi
	echo "ok: RLIMIT_NPROC -> skipped with the reason, no child left"
else
	echo "skip part: RLIMIT_NPROC needs root (to drop to nobody), setpriv and prlimit"
fi

# --- injected faults: hang -> timeout and the run goes on; crash -> failed ----------
# --timeout 2: fork_exec_dyn, which must run after the hung configurations,
# has to fit the same limit (its budget is 50 ms).
PRIMBENCH_INJECT=proc_create:hang "$P" run --quick --budget-ms 50 --timeout 2 \
	--filter 'proc_create/(fork_untouched|fork_exec_dyn)$' --out "$WORK/hang" >/dev/null 2>&1
[ $? -eq 1 ] || fail "an injected hang must make the run exit 1"
d=$(run_dir "$WORK/hang")
[ "$(csvq "$d/summary.csv" -n variant=fork_untouched metric=ns_per_op status=timeout)" = 3 ] ||
	fail "hang: not 3 timeout rows (--quick: 3 points)"
[ "$(csvq "$d/summary.csv" status variant=fork_exec_dyn metric=ns_per_op)" = ok ] ||
	fail "hang: the run did not go on (exec variants ignore the injection)"
PRIMBENCH_INJECT=proc_create:crash "$P" run --quick --budget-ms 50 \
	--filter 'proc_create/fork_untouched$' --out "$WORK/crash" >/dev/null 2>&1
[ $? -eq 1 ] || fail "an injected crash must make the run exit 1"
d=$(run_dir "$WORK/crash")
[ "$(csvq "$d/summary.csv" -n variant=fork_untouched metric=ns_per_op status=failed)" = 3 ] ||
	fail "crash: not 3 failed rows (--quick: 3 points)"
csvq "$d/summary.csv" note variant=fork_untouched x=4194304 metric=ns_per_op | grep -q 'killed by signal' ||
	fail "crash: the failure does not say why"
echo "ok: injected hang -> timeout, crash -> failed"

no_debris || fail "debris left"
echo "ok: nothing left behind"
