#!/bin/sh
# test_mq_window.sh - the window between msgget() and the queue's
# registration for cleanup (issue 14, item 11).
#
# A SysV queue was once left after SIGTERM during ipc_mq/sysv: primbench's
# stop sends SIGTERM to the supervising child and SIGKILL right after, and a
# SIGKILL between msgget() and bench_track() left a queue the registry never
# knew of.  ipc_mq:term_after_msgget puts the stop in that window every time:
# right after its first msgget() the supervising child sends SIGTERM to
# primbench itself and waits to be killed.  The queue must not outlive the
# run (bench/ipc_mq.c makes it in a private IPC namespace that dies with the
# child).  Then a normal run, in the private namespace and (no-ipcns) in the
# host one, tracked: rows ok, their note naming the namespace, nothing left.
# Checks see exactly this test's objects: the script runs in its own IPC and
# mount namespace (faults/lib.sh), and is skipped (77) where that is not
# permitted.  Nothing depends on timing: the stop waits for the kill.
. tests/e2e/lib.sh
. tests/faults/lib.sh
faults_isolate "$@"
set -u
[ "$FAULTS_NS" = 1 ] || { echo "skip: no private IPC namespace for exact listings (unshare not permitted here)"; exit 77; }
mkdir -p "$WORK/cwd"
cd "$WORK/cwd" || fail "no scratch folder"
common="--quick --reps 5 --budget-ms 30 --placement same-cpu --timeout 20"

# --- 1. SIGTERM to primbench between msgget and the registry -------------------------------
for v in sysv sysv_lat; do
	out=$WORK/term-$v
	mkdir -p "$out"
	faults_objects | sort > "$WORK/before"
	PRIMBENCH_INJECT=ipc_mq:term_after_msgget
	export PRIMBENCH_INJECT
	faults_launch "$out" "$WORK/pid" run $common --filter "^ipc_mq/$v\$" --out "$out" 2> "$out.log"
	unset PRIMBENCH_INJECT
	pid=$(cat "$WORK/pid")
	wait "$faults_bg"
	rc=$?
	[ $rc -eq 143 ] || fail "$v: stopped in the window: exit $rc, want 143 (SIGTERM): $(tail -n 2 "$out.log")"
	n=0
	faults_debris "$out" "$pid" "$WORK/before" || n=$?
	[ $n -eq 0 ] || fail "$v: the stop between msgget and the registry left the above"
	m=0
	faults_results "$out" || m=$?
	[ $m -eq 0 ] || fail "$v: the results folder is not whole"
	[ "$(csvq "$(run_dir "$out")/meta.csv" value key=complete)" = false ] || fail "$v: meta says complete"
	echo "ok: ipc_mq/$v: SIGTERM between msgget and the registry: exit 143, no queue, no process left"
done
table mq_window_stops 2

# --- 2. normal runs, private and host namespace ----------------------------------------------
for inj in "" no-ipcns; do
	out=$WORK/run-${inj:-ns}
	faults_objects | sort > "$WORK/before"
	PRIMBENCH_INJECT=${inj:+ipc_mq:$inj} "$PRIMBENCH" run $common --filter '^ipc_mq/sysv(_lat)?$' \
		--out "$out" > /dev/null 2> "$out.log"
	rc=$?
	[ $rc -eq 0 ] || fail "ipc_mq sysv ${inj:-(private namespace)}: exit $rc: $(tail -n 2 "$out.log")"
	d=$(run_dir "$out")
	want="queue in a private IPC namespace"
	[ -n "$inj" ] && want="queue in the host IPC namespace (tracked)"
	for x in 64; do   # (--quick: 64 B, 16 KiB, 1 MiB; above 8 KiB the limits are raised and the note says so)
		note=$(csvq "$d/summary.csv" note variant=sysv x=$x metric=ns_per_op)
		[ "$(csvq "$d/summary.csv" status variant=sysv x=$x metric=ns_per_op)" = ok ] ||
			fail "${inj:-private}: sysv x=$x did not run: $note"
		[ "$note" = "$want" ] || fail "${inj:-private}: sysv x=$x note '$note', want '$want'"
	done
	faults_objects | sort > "$WORK/after"
	cmp -s "$WORK/before" "$WORK/after" || fail "${inj:-private}: left $(comm -13 "$WORK/before" "$WORK/after")"
	echo "ok: ipc_mq sysv, ${inj:-private namespace}: rows ok, note '$want', nothing left"
done
exit 0
