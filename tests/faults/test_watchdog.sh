#!/bin/sh
# test_watchdog.sh - a benchmark whose process or peer hangs or dies is cut
# by the watchdog within --timeout, gets a timeout/failed row, and the next
# configuration runs.
#
# 1. The first family holds its configuration (PRIMBENCH_INJECT=
#    <family>:hold=MARK, bench_inject_hold): its supervising child writes
#    its pid to MARK and waits until MARK is removed.  That is the
#    handshake: the test acts on a child it knows is alive, then removes
#    MARK.  Not acted on, the configuration ends ok (the control; the hold
#    is once per run, so later rounds' visits go on); stopped
#    (SIGSTOP: a hang nothing in the benchmark can help) it must be cut by
#    the watchdog; killed by SIGSEGV it must get a failed row.  Either way
#    the next family must still run: with --rounds 2 its second-round visit
#    comes after the first family's failed one, whatever the shuffle.
# 2. Every family that supports PRIMBENCH_INJECT (faults/lib.sh,
#    pb_injectable): variants are tried in order with "<family>:hang" until
#    one gives a timeout row, then with "<family>:crash" until one gives a
#    failed row.  The families the hardening issue names (sched_switch,
#    ipc_pipe, ipc_shm, signal, sem) must; for the others a miss is a note.
#    Families run three at a time, each in its own namespace (a hung
#    configuration sleeps, so they do not compete for the CPUs).
#    Crash runs get a long --timeout: a crash ends the configuration by
#    itself, and no configuration may be cut for being slow.
# For every run: exit 0 or 1 (1 where a row failed or timed out), a row
# for every configuration that started, every CSV parses, nothing left
# behind.  No run is judged by how long it took:
# the timeout rows (their note names the watchdog) show the watchdog cut
# what hung, on a machine of any speed.
. tests/e2e/lib.sh
. tests/faults/lib.sh
T=1
faults_isolate "$@"
set -u
mkdir -p "$WORK/cwd"
cd "$WORK/cwd" || fail "no scratch folder"

# check_run NAME: the checks every run here gets (rc, out, log set).
check_run() {
	[ "$rc" -le 1 ] || fail "$1: primbench exited $rc: $(tail -n 3 "$log")"
	n=0
	faults_debris "$out" "$pid" "$WORK/before" || n=$?
	faults_results "$out" || n=$((n + $?))
	[ "$n" -eq 0 ] || fail "$1: left debris or a bad results folder"
	d=$(run_dir "$out")
	[ -n "$d" ] || fail "$1: no results folder"
	started=$(faults_started "$log")
	have=$(faults_configs "$d")
	[ "$have" -eq "$started" ] || fail "$1: $started configurations started, $have have rows"
}

# start OUTNAME ARGS...: run primbench in the background (pid, out, log set),
# with --timeout RUN_TIMEOUT (default T).
start() {
	out=$WORK/$1
	log=$WORK/$1.log
	shift
	mkdir -p "$out"
	faults_objects | sort > "$WORK/before"
	faults_launch "$out" "$WORK/pid" run --quick --reps 5 --budget-ms 30 --timeout "${RUN_TIMEOUT:-$T}" \
		--progress --out "$out" "$@" 2>"$log"
	pid=$(cat "$WORK/pid")
}

# injected FAMILY: part 2 for one family; prints "result FAMILY HANG CRASH"
# (the variant that timed out / failed, or -).
injected() {
	fam=$1 hang=- crash=-
	for what in hang crash; do
		for v in $(pb_variants "$fam"); do
			# One pinned placement; unpinned too when that alone would
			# leave a single configuration (the next one must run).
			pl=same-cpu,single
			"$PRIMBENCH" list | awk -v f="$fam" -v v="$v" '
				/^[^ ]/ { cur = $1 } cur == f && $1 == v { getline; exit !/sweep/ }' ||
				pl=$pl,unpinned
			RUN_TIMEOUT=$T
			[ $what = crash ] && RUN_TIMEOUT=60
			PRIMBENCH_INJECT=$fam:$what start "$fam-$v-$what" --filter "^$fam/$v\$" --placement "$pl"
			wait "$faults_bg"
			rc=$?
			check_run "$fam/$v $what"
			d=$(run_dir "$out")
			if [ $what = hang ]; then
				k=$(csvq "$d/summary.csv" -n status=timeout)
				[ "$k" -gt 0 ] || continue
				csvq "$d/summary.csv" note status=timeout | grep -vq 'watchdog' &&
					fail "$fam/$v: a timeout row does not say the watchdog cut it"
				[ "$rc" -eq 1 ] || fail "$fam/$v hang: exit $rc, expected 1"
				hang=$v
				echo "  $fam/$v hang: $k timeout rows, every configuration has rows"
			else
				k=$(csvq "$d/summary.csv" -n status=failed)
				[ "$k" -gt 0 ] || continue
				csvq "$d/summary.csv" note status=failed | grep -qx '' &&
					fail "$fam/$v: a failed row without a note"
				[ "$rc" -eq 1 ] || fail "$fam/$v crash: exit $rc, expected 1"
				crash=$v
				echo "  $fam/$v crash: $k failed rows: $(csvq "$d/summary.csv" note status=failed | head -n 1)"
			fi
			table watchdog_timeout_rows "$(csvq "$d/summary.csv" -n status=timeout)"
			table watchdog_failed_rows "$(csvq "$d/summary.csv" -n status=failed)"
			break
		done
	done
	echo "result $fam $hang $crash"
}

# A child invocation for one family (see the parallel loop below).
if [ "${1:-}" = family ]; then
	injected "$2"
	exit 0
fi

# --- 1. a held configuration: left alone, stopped, or crashed ---------------
fams=$(pb_families)
first=$(echo "$fams" | head -n 1)
second=$(echo "$fams" | sed -n 2p)
[ -n "$second" ] || fail "need two families"
grep -Eq 'bench_inject_(self|hold)' "$FAULTS_REPO/bench/$first.c" ||
	fail "$first, the first family, does not honour PRIMBENCH_INJECT=$first:hold=PATH"

# held WHAT TIMEOUT: run the first two families, the first held; when the
# hold's mark names the child, do WHAT to it (none, STOP or SEGV), then
# release the hold.  Sets rc, out, log, pid; acted=no when the child was
# gone before WHAT reached it (the watchdog came first).
held() {
	mark=$WORK/hold-$1
	rm -f "$mark"
	RUN_TIMEOUT=$2 PRIMBENCH_INJECT=$first:hold=$mark start "child-$1" \
		--filter "^($first|$second)/" --placement single --rounds 2
	while [ ! -s "$mark" ] && faults_running "$pid"; do sleep 0.01; done
	if [ ! -s "$mark" ]; then
		wait "$faults_bg"
		fail "$1: primbench exited $? before $first held its configuration: $(tail -n 3 "$log")"
	fi
	child=$(cat "$mark")
	acted=yes
	case $1 in
	STOP)
		# Released only once the stop took effect (state T), so the
		# child cannot see the release first.
		if kill -STOP "$child" 2>/dev/null; then
			while [ -e "/proc/$child" ] &&
			      [ "$(awk '{ print $3 }' "/proc/$child/stat" 2>/dev/null)" != T ]; do sleep 0.01; done
			[ -e "/proc/$child" ] || acted=no
		else
			acted=no
		fi ;;
	SEGV) kill -SEGV "$child" 2>/dev/null || acted=no ;;
	esac
	# Released, the hold is done for the run (MARK.done): the next
	# round's visits go on.
	rm -f "$mark"
	wait "$faults_bg"
	rc=$?
}

for what in none STOP SEGV; do
	case $what in
	none) want=ok want_rc=0 ;;
	STOP) want=timeout want_rc=1 ;;
	SEGV) want=failed want_rc=1 ;;
	esac
	# STOP must land within --timeout, or the watchdog cuts the held child
	# first; then try again with twice the timeout.  The other two never
	# need the watchdog: a long timeout only guards against a hang.
	t=60
	[ $what = STOP ] && t=$T
	while :; do
		held $what $t
		[ $acted = yes ] && break
		[ $what = STOP ] && [ "$t" -lt 64 ] || fail "SIG$what: the child was gone before the signal (exit $rc)"
		echo "note: the watchdog ended the held child before SIGSTOP at --timeout $t; again at $((t * 2))"
		t=$((t * 2))
	done
	[ "$rc" -eq "$want_rc" ] || fail "$what to the supervising child: exit $rc, expected $want_rc"
	check_run "$what to the supervising child"
	d=$(run_dir "$out")
	got=$(csvq "$d/summary.csv" status bench="$first" metric=ns_per_op)
	note=$(csvq "$d/summary.csv" note bench="$first" metric=ns_per_op)
	[ "$got" = $want ] || fail "$what to the supervising child: $first is '$got' ($note), expected $want"
	case $what in
	STOP) echo "$note" | grep -q watchdog || fail "SIGSTOP: the timeout row does not name the watchdog: $note" ;;
	SEGV) echo "$note" | grep -q 'signal 11' || fail "SIGSEGV: the failed row does not name the signal: $note" ;;
	esac
	[ "$(csvq "$d/summary.csv" -n bench="$second" status=ok metric=ns_per_op)" -gt 0 ] ||
		fail "$what to the supervising child: $second did not run after it"
	echo "ok: $what to the held supervising child -> $want row${note:+ ($note)}, next family ran"
done

# --- 2. injected hangs and crashes ---------------------------------------------
RUN_TIMEOUT=
inj=""
for f in $fams; do pb_injectable "$f" && inj="$inj $f"; done
[ -n "$inj" ] || { echo "skip: no family supports PRIMBENCH_INJECT yet"; exit 77; }
echo "families with fault injection:$inj"
: > "$WORK/results"
# collect: wait for the batch of family runs, keep their results.
collect() {
	for p in $batch; do
		wait "${p%%:*}" || { cat "$WORK/fam.${p#*:}"; fail "${p#*:}: injection test failed"; }
		grep -v -e '^note: ' -e '^result ' "$WORK/fam.${p#*:}"
		grep '^result ' "$WORK/fam.${p#*:}" >> "$WORK/results"
	done
	batch=""
}
if [ "$FAULTS_NS" = 1 ]; then
	# Three at a time, each in a namespace of its own (FAULTS_NS unset).
	batch=""
	nb=0
	for f in $inj; do
		(cd "$FAULTS_REPO" && FAULTS_NS='' exec sh "$0" family "$f") > "$WORK/fam.$f" 2>&1 &
		batch="$batch $!:$f"
		nb=$((nb + 1))
		[ $((nb % 3)) -eq 0 ] && collect
	done
	collect
else
	for f in $inj; do injected "$f" | tee -a "$WORK/results"; done
fi

bad=""
while read -r _ f hang crash; do
	case " $FAULTS_REQUIRED " in *" $f "*) req=1 ;; *) req=0 ;; esac
	for w in hang crash; do
		eval "v=\$$w"
		if [ "$v" = - ]; then
			if [ $req = 1 ]; then bad="$bad $f:$w"; else echo "note: $f does not honour $f:$w in any variant"; fi
		fi
	done
	table watchdog_families 1
done < "$WORK/results"
[ -z "$bad" ] || fail "no timeout/failed row for:$bad (the issue requires these families to honour PRIMBENCH_INJECT)"
echo "ok: injected hangs become timeout rows (the watchdog, --timeout $T) and crashes failed rows; the suite goes on"
