#!/bin/sh
# test_create_window.sh - a stop between making an IPC object and its
# registration for cleanup (issue 14, item 11; issue 12's CI).
#
# primbench's stop used to send SIGTERM to the supervising child and
# SIGKILL right after.  The child holds SIGTERM while it makes an object
# and records it (bench/lib/ipc_transport.c), but SIGKILL cannot be held:
# a SysV queue was once left after SIGTERM during ipc_mq/sysv, and a POSIX
# shm ring (/dev/shm/primbench-*) after SIGINT during ipc_shm/posix, made
# and not yet recorded.  PRIMBENCH_INJECT=<family>:term_in_create puts the
# stop in that window every time: with the object just made, the child
# sends SIGTERM to primbench and waits until primbench's SIGTERM to it is
# pending, then goes on.  Nothing may outlive the run, for every kind of
# object: a named one (POSIX shm, POSIX mq) is recorded before it is made;
# a SysV id after, so there it is primbench's stop, which lets the child's
# handler run before it kills, that removes it (the SysV queue also in the
# host namespace: no-ipcns; sem's SysV set in both).  Then normal runs of
# ipc_mq/sysv, in the private namespace and in the host one, tracked: rows
# ok, their note naming the namespace, nothing left.  Checks see exactly this test's
# objects: the script runs in its own IPC and mount namespace
# (faults/lib.sh), and is skipped (77) where that is not permitted.
# Nothing depends on timing: the stop waits for the child's signal.
. tests/e2e/lib.sh
. tests/faults/lib.sh
faults_isolate "$@"
set -u
[ "$FAULTS_NS" = 1 ] || { echo "skip: no private IPC namespace for exact listings (unshare not permitted here)"; exit 77; }
mkdir -p "$WORK/cwd"
cd "$WORK/cwd" || fail "no scratch folder"
common="--quick --reps 5 --budget-ms 30 --placement same-cpu --timeout 20"

# --- 1. SIGTERM to primbench between making an object and recording it ----------------------
n_stops=0
for case in ipc_mq/sysv: ipc_mq/sysv_lat: ipc_mq/sysv:no-ipcns ipc_mq/posix: \
	    ipc_shm/posix: ipc_shm/posix_lat: ipc_shm/sysv: sem/sysv_sem: sem/sysv_sem:no-ipcns; do
	fv=${case%%:*} extra=${case#*:}
	fam=${fv%/*}
	what="$fv${extra:+ ($extra)}"
	out=$WORK/term-$n_stops
	mkdir -p "$out"
	faults_objects | sort > "$WORK/before"
	PRIMBENCH_INJECT=$fam:term_in_create${extra:+,$extra}
	export PRIMBENCH_INJECT
	faults_launch "$out" "$WORK/pid" run $common --filter "^$fv\$" --out "$out" 2> "$out.log"
	unset PRIMBENCH_INJECT
	pid=$(cat "$WORK/pid")
	wait "$faults_bg"
	rc=$?
	[ $rc -eq 143 ] || fail "$what: stopped in the window: exit $rc, want 143 (SIGTERM): $(tail -n 2 "$out.log")"
	n=0
	faults_debris "$out" "$pid" "$WORK/before" || n=$?
	[ $n -eq 0 ] || fail "$what: the stop between making the object and recording it left the above"
	m=0
	faults_results "$out" || m=$?
	[ $m -eq 0 ] || fail "$what: the results folder is not whole"
	[ "$(csvq "$(run_dir "$out")/meta.csv" value key=complete)" = false ] || fail "$what: meta says complete"
	echo "ok: $what: SIGTERM between making the object and recording it: exit 143, nothing left"
	n_stops=$((n_stops + 1))
done
table create_window_stops "$n_stops"

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
