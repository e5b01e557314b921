#!/bin/sh
# test_syscall_signal_sem_noise.sh - issue 9's families end to end:
# syscall_entry, signal, sem and os_noise.  Every variant's rows exist at the
# placements the host offers and are ok; the same-cpu ping-pongs pass their
# context-switch check; os_noise's metrics are present and consistent; the
# injected faults (peer hang, peer or bench crash) become timeout/failed rows
# and the run goes on; and no process, core file or SysV semaphore set
# outlives a run, even when primbench is SIGKILLed in the middle of sem.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
CONF=$(getconf _NPROCESSORS_ONLN)

# runq NAME ARGS...: a run into $WORK/NAME with PRIMBENCH_INJECT=$INJ;
# sets RC, D (folder), S (summary).
INJ=
runq() {
	name=$1
	shift
	mkdir -p "$WORK/$name"
	PRIMBENCH_INJECT=$INJ "$P" run --out "$WORK/$name" "$@" > "$WORK/$name.log" 2>&1
	RC=$?
	D=$(run_dir "$WORK/$name")
	[ -n "$D" ] || fail "$name: no run folder (exit $RC): $(tail -n 3 "$WORK/$name.log")"
	S=$D/summary.csv
}
# mine_gone NAME: no process of the run into $WORK/NAME is left (the
# supervising child and peers are forks of primbench: same command line).
mine_gone() {
	sleep 0.3
	left=$(pgrep -f -- "--out $WORK/$1( |\$)" || true)
	[ -z "$left" ] || { echo "left processes of $1: $left"; return 1; }
}
# nsets: SysV semaphore sets visible in this IPC namespace.
nsets() { ipcs -s 2>/dev/null | grep -cE '^0x'; }
# pair_places: the two-worker placements this host offers (from `list`).
pair_places() {
	"$P" list | sed -n '/^placements on this host:/,$p' | awk 'NR > 1 { print $1 }' |
		grep -vx -e single -e unpinned
}
# ok_row BENCH VARIANT PLACEMENT [METRIC [X]]: exactly one such row, status ok.
ok_row() {
	set -- bench="$1" variant="$2" placement="$3" metric="${4:-ns_per_op}" ${5:+"x=$5"}
	[ "$(csvq "$S" -n "$@" status=ok)" = 1 ] ||
		fail "$*: no ok row ($(csvq "$S" status "$@") $(csvq "$S" note "$@" | head -n 1))"
}
# num_between V LO HI: LO <= V <= HI (floating point).
num_between() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 >= lo && v + 0 <= hi) }'; }
PAIRS=$(pair_places)
[ -n "$PAIRS" ] || fail "list shows no two-worker placement"
SETS_BEFORE=$(nsets)

# --- syscall_entry ---------------------------------------------------------------
runq se --quick --reps 5 --budget-ms 50 --filter '^syscall_entry/'
[ "$RC" -eq 0 ] || fail "syscall_entry run exited $RC: $(tail -n 3 "$WORK/se.log")"
for v in getpid_syscall clock_gettime_vdso clock_gettime_syscall close_ebadf read_devzero_1b write_devnull_1b; do
	ok_row syscall_entry $v single
done
[ "$(csvq "$S" -n bench=syscall_entry metric=ns_per_op)" = 6 ] || fail "syscall_entry: not 6 configurations"
csvq "$S" note bench=syscall_entry variant=clock_gettime_syscall metric=ns_per_op | grep -q 'clocksource=' ||
	fail "clock_gettime_syscall: no clocksource in the note"
echo "ok: syscall_entry: 6 variants ok, clocksource noted"

# --- signal ------------------------------------------------------------------------
runq sig --quick --reps 5 --budget-ms 50 --filter '^signal/'
[ "$RC" -eq 0 ] || fail "signal run exited $RC: $(tail -n 3 "$WORK/sig.log")"
for v in sigaction_install raise_roundtrip tgkill_roundtrip; do
	ok_row signal $v single
done
for pl in $PAIRS; do
	ok_row signal kill_pingpong "$pl"
	ok_row signal kill_pingpong "$pl" ctxsw_per_op
done
[ "$(csvq "$S" validation bench=signal variant=kill_pingpong placement=same-cpu metric=ns_per_op)" = pass ] ||
	fail "kill_pingpong @same-cpu: validation $(csvq "$S" validation bench=signal variant=kill_pingpong placement=same-cpu metric=ns_per_op): $(csvq "$S" note bench=signal variant=kill_pingpong placement=same-cpu metric=ns_per_op)"
check "signal: no process left" mine_gone sig
echo "ok: signal: 3 single variants, ping-pong at $(echo "$PAIRS" | tr "\n" " "), same-cpu check passes"

# --- sem -------------------------------------------------------------------------------
runq sem --quick --reps 5 --budget-ms 50 --filter '^sem/'
[ "$RC" -eq 0 ] || fail "sem run exited $RC: $(tail -n 3 "$WORK/sem.log")"
for v in posix_sem sysv_sem; do
	for pl in $PAIRS; do
		ok_row sem $v "$pl"
		ok_row sem $v "$pl" ctxsw_per_op
	done
	[ "$(csvq "$S" validation bench=sem variant=$v placement=same-cpu metric=ns_per_op)" = pass ] ||
		fail "$v @same-cpu: validation: $(csvq "$S" note bench=sem variant=$v placement=same-cpu metric=ns_per_op)"
done
csvq "$S" note bench=sem variant=sysv_sem metric=ns_per_op | grep -Eq 'private IPC namespace|host IPC namespace \(tracked\)' ||
	fail "sysv_sem: the note does not say where the set lived"
check "sem: no process left" mine_gone sem
[ "$(nsets)" -le "$SETS_BEFORE" ] || fail "sem: $(nsets) semaphore sets after the run, $SETS_BEFORE before"
echo "ok: sem: posix and sysv at $(echo "$PAIRS" | tr "\n" " "), same-cpu checks pass, no set left"

# --- os_noise -------------------------------------------------------------------------
runq noise --quick --reps 5 --budget-ms 200 --filter '^os_noise/'
[ "$RC" -eq 0 ] || fail "os_noise run exited $RC: $(tail -n 3 "$WORK/noise.log")"
[ "$(csvq "$D/meta.csv" -n key=config_hz)" = 1 ] || fail "meta.csv lacks config_hz"
# One configuration per CPU of this host, and no other.
[ "$(csvq "$S" -n bench=os_noise metric=ns_per_op)" -eq "$CONF" ] ||
	fail "os_noise: $(csvq "$S" -n bench=os_noise metric=ns_per_op) rows, host has $CONF CPUs"
cpu=0
while [ "$cpu" -lt "$CONF" ]; do
	st=$(csvq "$S" status bench=os_noise variant=spin x=$cpu metric=ns_per_op)
	cpu_next=$((cpu + 1))
	if [ "$st" = skipped ]; then
		csvq "$S" note bench=os_noise x=$cpu metric=ns_per_op | grep -q offline ||
			fail "os_noise cpu $cpu skipped without reason"
		cpu=$cpu_next
		continue
	fi
	for m in ns_per_op gaps_per_s stolen_pct gap_p50_ns gap_max_ns ctxsw_per_op task_clock_ns_per_op; do
		ok_row os_noise spin single $m $cpu
	done
	# The unit of each metric bounds it: a fraction of time, gaps of at
	# least the threshold, a per-sample max at least its median.
	stolen=$(csvq "$S" max bench=os_noise x=$cpu metric=stolen_pct)
	num_between "$stolen" 0 100 || fail "os_noise cpu $cpu: stolen_pct max $stolen outside [0, 100]"
	p50=$(csvq "$S" p50 bench=os_noise x=$cpu metric=gap_p50_ns)
	mx=$(csvq "$S" p50 bench=os_noise x=$cpu metric=gap_max_ns)
	awk -v a="$p50" -v b="$mx" 'BEGIN { exit !(b + 0 >= a + 0) }' ||
		fail "os_noise cpu $cpu: median gap_max_ns $mx below median gap_p50_ns $p50"
	note=$(csvq "$S" note bench=os_noise x=$cpu metric=ns_per_op)
	thr=$(echo "$note" | sed -n 's/^threshold \([0-9]*\) ns.*/\1/p')
	case $thr in '' | *[!0-9]*) fail "os_noise cpu $cpu: note lacks the threshold: $note" ;; esac
	[ "$thr" -ge 1000 ] || fail "os_noise cpu $cpu: threshold $thr ns below 1000"
	gmax=$(csvq "$S" max bench=os_noise x=$cpu metric=gap_max_ns)
	awk -v g="$gmax" -v t="$thr" 'BEGIN { exit !(g + 0 == 0 || g + 0 > t + 0) }' ||
		fail "os_noise cpu $cpu: a gap of $gmax ns is not above the threshold $thr"
	if echo "$note" | grep -q ' gaps in '; then
		echo "$note" | grep -Eq 'p50 [0-9]+ p99 [0-9]+ max [0-9]+ ns' || fail "os_noise cpu $cpu: note lacks p50/p99/max: $note"
	fi
	cpu=$cpu_next
done
check "os_noise: no process left" mine_gone noise
echo "ok: os_noise: cpus 0..$((CONF - 1)) measured, one row each, metrics consistent"

# --- injected faults -------------------------------------------------------------------
# A peer that stops answering: a timeout row within --timeout, then the run
# goes on to the next family (sem is not injected).
start=$(date +%s)
INJ=signal:hang; runq sighang --quick --reps 5 --budget-ms 50 --timeout 1 \
	--placement same-cpu --filter '^signal/kill_pingpong|^sem/posix_sem'
[ "$RC" -eq 1 ] || fail "signal:hang: exit $RC, expected 1"
[ "$(csvq "$S" status bench=signal variant=kill_pingpong metric=ns_per_op)" = timeout ] ||
	fail "signal:hang: kill_pingpong is not a timeout row"
ok_row sem posix_sem same-cpu
[ $(( $(date +%s) - start )) -lt 30 ] || fail "signal:hang: the watchdog did not stop it"
check "signal:hang: no process left" mine_gone sighang

INJ=signal:crash; runq sigcrash --quick --reps 5 --budget-ms 50 --timeout 5 \
	--placement same-cpu --filter '^signal/kill_pingpong'
[ "$(csvq "$S" status bench=signal metric=ns_per_op)" = failed ] || fail "signal:crash: no failed row"
csvq "$S" note bench=signal metric=ns_per_op | grep -q 'peer process died' || fail "signal:crash: note lacks the reason"
check "signal:crash: no process left" mine_gone sigcrash

INJ=sem:hang; runq semhang --quick --reps 5 --budget-ms 50 --timeout 1 \
	--placement same-cpu --filter '^sem/sysv_sem'
[ "$(csvq "$S" status bench=sem metric=ns_per_op)" = timeout ] || fail "sem:hang: no timeout row"
check "sem:hang: no process left" mine_gone semhang
INJ=

(cd "$WORK" && PRIMBENCH_INJECT=sem:crash "$P" run --quick --reps 5 --budget-ms 50 --timeout 5 \
	--placement same-cpu --filter '^sem/' --out "$WORK/semcrash" >/dev/null 2>&1)
D=$(run_dir "$WORK/semcrash")
S=$D/summary.csv
[ "$(csvq "$S" -n bench=sem metric=ns_per_op status=failed)" = 2 ] || fail "sem:crash: not 2 failed rows"
csvq "$S" note bench=sem variant=sysv_sem metric=ns_per_op | grep -q 'signal 11' || fail "sem:crash: note lacks the signal"
for f in "$WORK"/core*; do [ ! -e "$f" ] || fail "sem:crash left a core file: $f"; done
check "sem:crash: no process left" mine_gone semcrash
[ "$(nsets)" -le "$SETS_BEFORE" ] || fail "sem:crash: a semaphore set outlived the crash"
echo "ok: injected hang -> timeout, crash -> failed, run goes on"

# --- SIGKILL of primbench in the middle of sem --------------------------------------
# kill_mid NAME INJECT: start a long sysv_sem run, wait until it measures,
# SIGKILL primbench; then nothing of it may remain.  With no-ipcns the set is
# in this namespace and tracked: it must appear, then go with primbench.
kill_mid() {
	mkdir -p "$WORK/$1"
	PRIMBENCH_INJECT=$2 "$P" run --reps 5 --budget-ms 8000 --placement same-cpu \
		--filter '^sem/sysv_sem' --out "$WORK/$1" > /dev/null 2>&1 &
	pid=$!
	seen=0
	for _ in $(seq 1 50); do
		sleep 0.1
		if [ "$2" = sem:no-ipcns ] && [ "$(nsets)" -gt "$SETS_BEFORE" ]; then seen=1; break; fi
		[ "$2" != sem:no-ipcns ] && [ -n "$(pgrep -P "$pid")" ] && sleep 0.5 && break
	done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	if [ "$2" = sem:no-ipcns ]; then
		[ "$seen" = 1 ] || fail "$1: the tracked semaphore set never appeared"
	fi
	mine_gone "$1" || fail "$1: processes outlived SIGKILL of primbench"
	[ "$(nsets)" -le "$SETS_BEFORE" ] || fail "$1: $(nsets) semaphore sets after SIGKILL, $SETS_BEFORE before"
}
kill_mid killtracked sem:no-ipcns
kill_mid killns ""
echo "ok: SIGKILL of primbench mid-sem leaves no process and no semaphore set"

check "no debris" no_debris
