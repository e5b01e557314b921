# test_ipc.sh - the IPC families (ipc_pipe, ipc_mq, ipc_shm, ipc_unix,
# ipc_eventfd): every variant x size x placement row, limits never clamped
# silently, integrity failures and dead or hung receivers turned into rows,
# and nothing left behind - not even when primbench is killed with SIGKILL
# in the middle of each family.
set -u
. tests/e2e/lib.sh

CSVQ=${CSVQ:-$(dirname "$PRIMBENCH")/csvq}
[ -x "$CSVQ" ] || { echo "csvq not built next to primbench (set CSVQ)"; exit 77; }
BIN=$(readlink -f "$PRIMBENCH")
# --quick keeps 3 of the 8 sizes: both ends and the middle (plan.c,
# sweep_point_runs): 64 B, 16 KiB and 1 MiB.
SIZES="64 16384 1048576"
FAST="--quick --reps 5 --budget-ms 50"

# The two-worker placements this host offers ("same-cpu  CPUs 1 and 1").
PAIRS=$("$PRIMBENCH" list | awk '/^placements/ { p = 1; next } p && / and / { print $1 }')
[ -n "$PAIRS" ] || { echo "no two-worker placement on this host"; exit 77; }

# Processes running this very binary (other primbench builds may run beside us).
ours() {
	for p in $(pgrep -x primbench); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$BIN" ] && echo "$p"
	done
}
# POSIX message queues of the host namespace: /dev/mqueue when mounted, else
# through a private mount of the mqueue file system (changes nothing outside).
mq_list() {
	if [ -d /dev/mqueue ] && mountpoint -q /dev/mqueue 2>/dev/null; then
		ls -a /dev/mqueue
	elif [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
		mkdir -p "$WORK/mq"
		unshare -m sh -c "mount -t mqueue none '$WORK/mq' && ls -a '$WORK/mq'" 2>/dev/null
	fi
}
# Everything that must be exactly as before.
snapshot() { ipcs; echo "-- /dev/shm"; ls -a /dev/shm; echo "-- mqueue"; mq_list; }
# same_as FILE: the state is FILE's: nothing was added.  Waits up to 3 s for
# objects that concurrent tests of other families may hold to go (a leak
# stays forever).  Something of FILE that has gone is printed, not failed:
# on a shared host other tests remove their own objects while this runs;
# on a quiet one (CI) nothing goes, so the check is then exact.
same_as() {
	sort "$1" > "$WORK/then.sorted"
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
		snapshot > "$WORK/now" 2>&1
		sort "$WORK/now" > "$WORK/now.sorted"
		if [ -z "$(comm -13 "$WORK/then.sorted" "$WORK/now.sorted")" ]; then
			comm -23 "$WORK/then.sorted" "$WORK/now.sorted" | sed 's/^/note: gone since the start (not ours): /'
			return 0
		fi
		sleep 0.2
	done
	echo "added:"
	comm -13 "$WORK/then.sorted" "$WORK/now.sorted"
	return 1
}
# gone: none of our processes left.  The dying (PDEATHSIG after a kill)
# are waited for; only a process still there after 60 s is left behind.
gone() {
	for _ in $(seq 600); do [ -z "$(ours)" ] && return 0; sleep 0.1; done
	echo "left: $(ours)"
	return 1
}
# get DIR COL FILTER...: a column of summary.csv's matching rows.
get() { d=$1; c=$2; shift 2; "$CSVQ" "$d/summary.csv" "$c" "$@"; }

snapshot > "$WORK/before" 2>&1

# --- 1. every row, all ok (or skipped naming the limit) ------------------------
"$PRIMBENCH" run $FAST --filter '^ipc_' --out "$WORK/all" > "$WORK/all.log" 2>&1
check "quick run of every ipc_ family exits 0" [ $? -eq 0 ]
R=$(run_dir "$WORK/all")
check "CSV parses" "$CSVQ" "$R/summary.csv" > /dev/null
LIMITS='msgsize_max|msg_max|msgmax|msgmnb|RLIMIT_MSGQUEUE|pipe-max-size'
rows=0
for pl in $PAIRS; do
	for fv in ipc_pipe/pipe ipc_pipe/pipe_big ipc_mq/posix ipc_mq/sysv ipc_shm/posix \
		  ipc_shm/sysv ipc_unix/stream; do
		b=${fv%/*} v=${fv#*/}
		for x in $SIZES; do
			st=$(get "$R" status bench="$b" variant="$v" x="$x" placement="$pl" metric=ns_per_op)
			note=$(get "$R" note bench="$b" variant="$v" x="$x" placement="$pl" metric=ns_per_op)
			rows=$((rows + 1))
			case $st in
			ok)
				[ "$("$CSVQ" "$R/summary.csv" -n bench="$b" variant="$v" x="$x" placement="$pl" \
					metric=bytes_per_s status=ok)" = 1 ] || fail "$fv x=$x @$pl: no bytes_per_s"
				[ "$("$CSVQ" "$R/summary.csv" -n bench="$b" variant="$v" x="$x" placement="$pl" \
					metric=msgs_per_s status=ok)" = 1 ] || fail "$fv x=$x @$pl: no msgs_per_s" ;;
			skipped)
				echo "$note" | grep -Eq "$LIMITS" || fail "$fv x=$x @$pl skipped without naming a limit: $note" ;;
			*) fail "$fv x=$x @$pl: status '$st' ($note)" ;;
			esac
		done
	done
	for fv in ipc_pipe/pipe_lat ipc_mq/posix_lat ipc_mq/sysv_lat ipc_shm/posix_lat \
		  ipc_shm/sysv_lat ipc_unix/stream_lat ipc_eventfd/lat; do
		b=${fv%/*} v=${fv#*/}
		st=$(get "$R" status bench="$b" variant="$v" placement="$pl" metric=ns_per_op)
		[ "$st" = ok ] || fail "$fv @$pl: status '$st'"
		[ "$("$CSVQ" "$R/summary.csv" -n bench="$b" variant="$v" placement="$pl" metric=bytes_per_s)" = 0 ] ||
			fail "$fv: a latency variant reports bytes_per_s"
		val=$(get "$R" validation bench="$b" variant="$v" placement="$pl" metric=ns_per_op)
		note=$(get "$R" note bench="$b" variant="$v" placement="$pl" metric=ns_per_op)
		[ "$val" != fail ] || valid_or_migrated "$val" "$note" || fail "$fv @$pl: validation failed: $note"
		rows=$((rows + 1))
	done
done
echo "ok: $rows configurations, each ok or skipped with its limit named"
check "no failed or timeout row" [ "$("$CSVQ" "$R/summary.csv" -n status=failed)" = 0 -a \
	"$("$CSVQ" "$R/summary.csv" -n status=timeout)" = 0 ]

# Never clamped silently: a size above the host limit ran in a private
# namespace (and says so) or was skipped naming the limit.
msgsize_max=$(cat /proc/sys/fs/mqueue/msgsize_max)
msgmax=$(cat /proc/sys/kernel/msgmax)
for pl in $PAIRS; do
	for x in $SIZES; do
		for v in posix sysv; do
			lim=$msgsize_max; [ $v = sysv ] && lim=$msgmax
			[ "$x" -gt "$lim" ] || continue
			st=$(get "$R" status bench=ipc_mq variant=$v x="$x" placement="$pl" metric=ns_per_op)
			note=$(get "$R" note bench=ipc_mq variant=$v x="$x" placement="$pl" metric=ns_per_op)
			case "$st:$note" in
			ok:*"private IPC namespace"*) ;;
			skipped:*) ;;
			*) fail "ipc_mq/$v x=$x > $lim @$pl: '$st' without a namespace note: $note" ;;
			esac
		done
	done
done
echo "ok: message queue sizes above the host limits are noted or skipped"
check "nothing left after the quick run" same_as "$WORK/before"
check "no process left after the quick run" gone

# --- 2. without the right to a private namespace: skipped, limit named ------------
if [ "$(id -u)" = 0 ] && command -v capsh >/dev/null; then
	capsh --drop=cap_sys_admin -- -c "\"$PRIMBENCH\" run $FAST --placement same-cpu \
		--filter '^ipc_mq/(posix|sysv)\$' --out \"$WORK/nocap\"" > "$WORK/nocap.log" 2>&1
	check "run without CAP_SYS_ADMIN exits 0" [ $? -eq 0 ]
	N=$(run_dir "$WORK/nocap")
	for x in $SIZES; do
		st=$(get "$N" status bench=ipc_mq variant=posix x="$x" metric=ns_per_op)
		note=$(get "$N" note bench=ipc_mq variant=posix x="$x" metric=ns_per_op)
		if [ "$x" -gt "$msgsize_max" ]; then
			[ "$st" = skipped ] || fail "posix x=$x without CAP_SYS_ADMIN: '$st'"
			echo "$note" | grep -Eq "msgsize_max $msgsize_max|RLIMIT_MSGQUEUE" ||
				fail "posix x=$x: skip note does not name msgsize_max $msgsize_max: $note"
		else
			[ "$st" = ok ] || fail "posix x=$x fits the host limits but is '$st': $note"
		fi
		st=$(get "$N" status bench=ipc_mq variant=sysv x="$x" metric=ns_per_op)
		note=$(get "$N" note bench=ipc_mq variant=sysv x="$x" metric=ns_per_op)
		if [ "$x" -gt "$msgmax" ]; then
			[ "$st" = skipped ] && echo "$note" | grep -q "msgmax $msgmax" ||
				fail "sysv x=$x without CAP_SYS_ADMIN: '$st' $note"
		elif [ "$st" = skipped ]; then
			echo "$note" | grep -q "msgmnb" || fail "sysv x=$x skipped for another reason: $note"
		fi
	done
	echo "ok: without CAP_SYS_ADMIN, sizes above the limits are skipped naming them"
else
	echo "note: not root or no capsh: the no-privilege skip path is not tested"
fi

# --- 3. injected faults become rows, the suite goes on ------------------------------
# A hang needs a short --timeout (the watchdog ends it); a crash or a
# corruption ends the configuration by itself, so there the timeout is long
# and nothing that merely runs slowly can turn into a timeout row.
for fv in ipc_pipe/pipe_lat ipc_shm/posix_lat ipc_mq/sysv_lat; do
	b=${fv%/*}
	for inj in crash corrupt hang; do
		t=60
		[ $inj = hang ] && t=2
		PRIMBENCH_INJECT="$b:$inj" "$PRIMBENCH" run $FAST --placement same-cpu --timeout $t \
			--filter "^$fv\$|^ipc_eventfd/lat\$" --out "$WORK/inj-$b-$inj" > /dev/null 2>&1
		rc=$?
		I=$(run_dir "$WORK/inj-$b-$inj")
		st=$(get "$I" status bench="$b" metric=ns_per_op)
		note=$(get "$I" note bench="$b" metric=ns_per_op)
		case "$inj:$st:$note" in
		crash:failed:*"receiver was killed by signal"*) ;;
		corrupt:failed:*"integrity check failed"*) ;;
		hang:timeout:*) ;;
		*) fail "$b:$inj gave '$st': $note" ;;
		esac
		[ $rc -eq 1 ] || fail "$b:$inj: exit $rc, want 1"
		[ "$(get "$I" status bench=ipc_eventfd metric=ns_per_op)" = ok ] || fail "$b:$inj: the suite did not go on"
	done
done
echo "ok: crash -> failed (receiver named), corrupt -> failed (integrity), hang -> timeout"
check "nothing left after the injected faults" same_as "$WORK/before"
check "no process left after the injected faults" gone

# --- 4. SIGKILL in the middle of each family ------------------------------------------
# kill_mid NAME UNTIL-CMD INJECT ARGS...: start a run whose receiver hangs
# (INJECT), wait until UNTIL-CMD holds - a state the hang keeps for as
# long as it takes to see it, on a machine of any speed - SIGKILL
# primbench, check.  --timeout 600 only bounds a hang of the test itself.
kill_mid() {
	name=$1 until=$2 inject=$3; shift 3
	sysv_ids m > "$WORK/ids.m"
	sysv_ids q > "$WORK/ids.q"
	PRIMBENCH_INJECT="$inject" "$PRIMBENCH" run "$@" --timeout 600 --out "$WORK/kill-$name" > /dev/null 2>&1 &
	pid=$!
	until eval "$until"; do
		alive $pid || { wait $pid; fail "$name: primbench exited $? before its mid-point"; }
		sleep 0.05
	done
	kill -9 $pid
	wait $pid 2>/dev/null
	gone || fail "$name: processes left after SIGKILL"
	same_as "$WORK/before" || fail "$name: IPC objects, /dev/shm or mqueue entries left after SIGKILL"
	echo "ok: SIGKILL mid-$name leaves nothing"
}
# sysv_ids m|q: the ids of the host's SysV segments or queues.
sysv_ids() { ipcs -"$1" 2>/dev/null | awk '/^0x/ { print $2 }' | sort; }
# new_sysv m|q: one that was not there when kill_mid started (an id, not a
# count: other tests on the host may make and remove theirs meanwhile).
new_sysv() { [ -n "$(sysv_ids "$1" | comm -13 "$WORK/ids.$1" -)" ]; }
# A receiver exists: primbench -> supervising child -> receiver; with
# <family>:hang it stays, stopped at its first command, the sender blocked.
receiver_up() { for c in $(pgrep -P $pid); do pgrep -P "$c" > /dev/null && return 0; done; return 1; }
for f in ipc_pipe ipc_mq ipc_shm ipc_unix ipc_eventfd; do
	kill_mid "$f" receiver_up "$f:hang" --quick --budget-ms 400 --filter "^$f/"
done
# Objects that still have names when the kill lands (the receiver stops
# before saying it is ready, or at its first command for a SysV queue).
kill_mid shm-posix-name "ls /dev/shm | grep -q primbench" ipc_shm:hang_setup \
	--quick --filter '^ipc_shm/posix$' --placement same-cpu
kill_mid shm-sysv-id 'new_sysv m' \
	ipc_shm:hang_setup --quick --filter '^ipc_shm/sysv$' --placement same-cpu
# A SysV queue lives in a private IPC namespace when primbench may unshare
# one (bench/ipc_mq.c); ipc_mq:hang_host keeps it in the host namespace,
# tracked, with the receiver stopped at its first receive (and skips the
# points that need a private namespace, whichever the shuffle puts first).
kill_mid mq-sysv-id 'new_sysv q' \
	ipc_mq:hang_host --quick --filter '^ipc_mq/sysv$' --placement same-cpu
# In its private namespace, seen from inside (the supervising child's).
ns_queue() {
	for c in $(pgrep -P $pid); do
		[ "$(nsenter --target "$c" --ipc ipcs -q 2>/dev/null | grep -c '^0x')" -gt 0 ] && return 0
	done
	return 1
}
if [ "$(id -u)" = 0 ] && command -v nsenter >/dev/null; then
	kill_mid mq-sysv-ns ns_queue ipc_mq:hang --quick --filter '^ipc_mq/sysv$' --placement same-cpu
fi
if [ -n "$(mq_list)" ]; then
	kill_mid mq-posix-name "mq_list | grep -q primbench" ipc_mq:hang_setup,host_only \
		--quick --filter '^ipc_mq/posix$' --placement same-cpu
fi
exit 0
