#!/bin/sh
# test_signals.sh - every way primbench can end leaves a closed folder with
# complete=false, or nothing: SIGUSR1 and SIGALRM mid-run; SIGPIPE on
# stderr (--progress into a closed pipe) is no reason to lose the run; a
# SIGSTOP of primbench does not turn a visit that finished meanwhile into a
# watchdog kill; Ctrl-Z (SIGTSTP) stops the benchmark with primbench.
# Each live configuration is found by the hold handshake
# (PRIMBENCH_INJECT=<bench>:hold=MARK), never by timing.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
F='^(null|syscall_getppid)/'
# wait_mark MARK PID: until the held configuration writes MARK; fails if
# primbench PID ended first.
wait_mark() {
	while [ ! -s "$1" ]; do
		alive "$2" || { wait "$2"; fail "primbench exited $? before the hold at $1"; }
		sleep 0.02
	done
}
# state PID: the process state letter (R, S, T, Z...).
state() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }
# closed DIR: one results folder under DIR, renamed (no .partial), with
# complete=false.
closed() {
	ls -a "$1" | grep -q partial && fail "$2: a .partial folder was left"
	d=$(run_dir "$1")
	[ -n "$d" ] || fail "$2: no results folder"
	[ "$(csvq "$d/meta.csv" value key=complete)" = false ] || fail "$2: complete is not false"
	csvq "$d/summary.csv" > /dev/null || fail "$2: summary.csv does not parse"
}

# --- fatal-by-default signals stop the run cleanly --------------------------------------
for sn in USR1:10 ALRM:14 QUIT:3; do
	sig=${sn%:*} num=${sn#*:}
	PRIMBENCH_INJECT=syscall_getppid:hold=$WORK/m-$sig $P run --quick --filter "$F" --timeout 600 \
		--out "$WORK/$sig" > /dev/null 2>&1 &
	pid=$!
	wait_mark "$WORK/m-$sig" $pid
	kill -$sig $pid
	wait $pid
	rc=$?
	[ "$rc" -eq $((128 + num)) ] || fail "SIG$sig: exit $rc, want $((128 + num))"
	closed "$WORK/$sig" "SIG$sig"
	echo "ok: SIG$sig mid-run -> exit $rc, folder closed with complete=false"
done

# --- SIGPIPE: --progress into a pipe whose reader has gone ----------------------------------
mkfifo "$WORK/errpipe"
head -c 10 < "$WORK/errpipe" > /dev/null &
hpid=$!
PRIMBENCH_INJECT=syscall_getppid:hold=$WORK/m-pipe $P run --quick --progress --filter "$F" --timeout 600 \
	--out "$WORK/pipe" > /dev/null 2> "$WORK/errpipe" &
pid=$!
wait_mark "$WORK/m-pipe" $pid
wait $hpid              # head has read its 10 bytes and closed the pipe
rm -f "$WORK/m-pipe"    # what primbench prints from now on meets EPIPE
wait $pid
rc=$?
[ "$rc" -eq 0 ] || fail "progress into a closed pipe: exit $rc, want 0"
d=$(run_dir "$WORK/pipe")
[ "$(csvq "$d/meta.csv" value key=complete)" = true ] || fail "SIGPIPE: the run is not complete"
ls -a "$WORK/pipe" | grep -q partial && fail "SIGPIPE: a .partial folder was left"
echo "ok: --progress into a closed pipe: exit 0, the run complete"

# --- SIGSTOP of primbench while its visit finishes ----------------------------------------------
PRIMBENCH_INJECT=null:hold=$WORK/m-stop $P run --quick --rounds 1 --filter '^null/' --timeout 1 \
	--out "$WORK/stop" > /dev/null 2>&1 &
pid=$!
wait_mark "$WORK/m-stop" $pid
child=$(cat "$WORK/m-stop")
kill -STOP $pid
rm -f "$WORK/m-stop"
# The visit finishes and its child exits (a zombie: its parent is stopped).
while alive "$child"; do sleep 0.02; done
# Past the --timeout while stopped: the samples are in the pipe.
sleep 1.5
kill -CONT $pid
wait $pid
rc=$?
[ "$rc" -eq 0 ] || fail "SIGSTOP of primbench: exit $rc, want 0"
d=$(run_dir "$WORK/stop")
[ "$(csvq "$d/summary.csv" status bench=null metric=ns_per_op)" = ok ] ||
	fail "SIGSTOP of primbench: $(csvq "$d/summary.csv" note bench=null metric=ns_per_op)"
echo "ok: a visit that finished while primbench was stopped is ok, not a watchdog kill"

# --- Ctrl-Z: SIGTSTP stops the benchmark too ------------------------------------------------------
PRIMBENCH_INJECT=null:hold=$WORK/m-tstp $P run --quick --rounds 1 --filter '^null/' --timeout 600 \
	--out "$WORK/tstp" > /dev/null 2>&1 &
pid=$!
wait_mark "$WORK/m-tstp" $pid
child=$(cat "$WORK/m-tstp")
kill -TSTP $pid
while [ "$(state $pid)" != T ]; do alive $pid || fail "SIGTSTP: primbench ended"; sleep 0.02; done
while [ "$(state $child)" != T ]; do alive $child || fail "SIGTSTP: the child ended"; sleep 0.02; done
echo "ok: SIGTSTP stopped primbench and its supervising child"
kill -CONT $pid
while [ "$(state $child)" = T ]; do alive $child || break; sleep 0.02; done
rm -f "$WORK/m-tstp"
wait $pid
rc=$?
[ "$rc" -eq 0 ] || fail "after SIGTSTP and SIGCONT: exit $rc, want 0"
echo "ok: SIGCONT let both go on; the run ended with exit 0"
no_debris || fail "debris left"
