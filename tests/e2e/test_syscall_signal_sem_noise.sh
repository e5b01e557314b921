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
# After primbench is SIGKILLed its children go by PDEATHSIG, in their own
# time: they are waited for, and only a process still there after 60 s
# (a leak, not a slow machine) fails.
mine_gone() {
	i=0
	while left=$(pgrep -f -- "--out $WORK/$1( |\$)"); do
		[ $i -lt 600 ] || { echo "left processes of $1: $(echo $left)"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
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
valid_or_migrated "$(csvq "$S" validation bench=signal variant=kill_pingpong placement=same-cpu metric=ns_per_op)" \
	"$(csvq "$S" note bench=signal variant=kill_pingpong placement=same-cpu metric=ns_per_op)" ||
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
	valid_or_migrated "$(csvq "$S" validation bench=sem variant=$v placement=same-cpu metric=ns_per_op)" \
		"$(csvq "$S" note bench=sem variant=$v placement=same-cpu metric=ns_per_op)" ||
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
# noise.awk: per sample (one spin: ns_per_op x iters is its span), the
# gaps it counted are a whole number n = gaps_per_s x span; each is longer
# than the threshold and none longer than gap_max_ns, so
#   n x threshold < stolen <= n x gap_max,
#   threshold < gap_p50 <= gap_max <= stolen <= span
# (stolen = stolen_pct / 100 x span), and a spin without gaps has all of
# them 0.  A metric taken over another span, from another spin, or with
# another threshold breaks one of these.  Prints "pooled NSUM SPAN MAX",
# the least over rounds of the gaps, span and longest gap of the samples.
cat > "$WORK/noise.awk" <<'EOF'
function err(msg) { printf "sample %s: %s; ", k, msg; bad = 1 }
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
$c["metric"] ~ /^(ns_per_op|gaps_per_s|stolen_pct|gap_p50_ns|gap_max_ns)$/ {
	r = ("round" in c) ? $c["round"] : 1
	key = r "/" $c["sample"]
	v[key, $c["metric"]] = $c["value"] + 0
	it[key, $c["metric"]] = $c["iters"]
	rnd[key] = r
}
END {
	split("ns_per_op gaps_per_s stolen_pct gap_p50_ns gap_max_ns", ms, " ")
	for (k in rnd) {
		for (i = 1; i <= 5; i++)
			if (!((k, ms[i]) in v) || it[k, ms[i]] != it[k, "ns_per_op"]) { err("no " ms[i] " of the same spin"); break }
		if (i <= 5) continue
		span = v[k, "ns_per_op"] * it[k, "ns_per_op"]
		g = v[k, "gaps_per_s"] * span / 1e9
		n = int(g + 0.5)
		stolen = v[k, "stolen_pct"] / 100 * span
		p50 = v[k, "gap_p50_ns"]; mx = v[k, "gap_max_ns"]
		if (g < 0 || g - n > 0.01 || n - g > 0.01) err("gaps_per_s x span = " g " gaps, not a whole number")
		else if (n == 0) {
			if (stolen != 0 || p50 != 0 || mx != 0) err("no gap, yet stolen " stolen " p50 " p50 " max " mx)
		} else {
			if (stolen <= n * thr * (1 - 1e-3)) err(n " gaps stole " stolen " ns, not more than " n " x threshold " thr)
			if (stolen > n * mx * (1 + 1e-3)) err(n " gaps stole " stolen " ns, more than " n " x the longest " mx)
			if (!(p50 > thr && p50 <= mx)) err("gap_p50 " p50 " not in (threshold " thr ", gap_max " mx "]")
			if (mx > stolen * (1 + 1e-3) || stolen > span * (1 + 1e-3))
				err("gap_max " mx " <= stolen " stolen " <= span " span " does not hold")
		}
		nsum[rnd[k]] += n; spun[rnd[k]] += span
		if (mx > smax[rnd[k]]) smax[rnd[k]] = mx
	}
	first = 1
	for (r in nsum) {
		if (first || nsum[r] < a) a = nsum[r]
		if (first || spun[r] < b) b = spun[r]
		if (first || smax[r] < m) m = smax[r]
		first = 0
	}
	if (first) { print "no samples"; exit 1 }
	printf "pooled %d %.0f %.0f\n", a, b, m
	exit bad
}
EOF
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
	note=$(csvq "$S" note bench=os_noise x=$cpu metric=ns_per_op)
	thr=$(echo "$note" | sed -n 's/^threshold \([0-9]*\) ns.*/\1/p')
	case $thr in '' | *[!0-9]*) fail "os_noise cpu $cpu: note lacks the threshold: $note" ;; esac
	[ "$thr" -ge 1000 ] || fail "os_noise cpu $cpu: threshold $thr ns below 1000"
	# Each sample's metrics describe one spin, and must agree with each
	# other and with its length (see noise.awk above).
	cols=sample,metric,iters,value
	[ -n "$(col "$D/samples.csv" round)" ] && cols=round,$cols
	csvq "$D/samples.csv" -t "$cols" bench=os_noise x=$cpu > "$WORK/noise.tsv"
	pooled=$(awk -F '\t' -v thr="$thr" -f "$WORK/noise.awk" "$WORK/noise.tsv") ||
		fail "os_noise cpu $cpu: samples inconsistent: $pooled"
	# The note pools every gap of the configuration (warm-up, calibration
	# and counting spins too): at least the gaps and spin time of the
	# timed samples, its longest gap at least theirs, its quantiles
	# ordered and above the threshold.  With rounds, the note is one
	# round's: it is held to the least any round's samples had.
	set -- $pooled
	nsum=$2 spun=$3 smax=$4
	case $note in
	*" no gap in "*)
		[ "$nsum" -eq 0 ] || fail "os_noise cpu $cpu: the note says no gap, the samples counted $nsum: $note" ;;
	*" gaps in "*)
		set -- $(echo "$note" | sed -n 's/^threshold [0-9]* ns; \([0-9]*\) gaps in \([0-9.]*\) s (all spins): p50 \([0-9]*\) p99 \([0-9]*\) max \([0-9]*\) ns.*/\1 \2 \3 \4 \5/p')
		[ $# -eq 5 ] || fail "os_noise cpu $cpu: note not 'N gaps in S s: p50 p99 max': $note"
		full=0
		case $note in *"pool full"*) full=1 ;; esac
		awk -v n="$1" -v s="$2" -v p50="$3" -v p99="$4" -v mx="$5" -v thr="$thr" -v full=$full \
			-v nsum="$nsum" -v spun="$spun" -v smax="$smax" 'BEGIN {
			if (!(thr < p50 && p50 <= p99 && p99 <= mx)) { print "quantiles " p50 " " p99 " " mx " vs threshold " thr; exit 1 }
			if (s + 0.005 < spun / 1e9) { print "spun " s " s, the samples alone " spun / 1e9 " s"; exit 1 }
			if (!full && n < nsum) { print n " gaps pooled, the samples counted " nsum; exit 1 }
			if (!full && mx < smax) { print "pooled max " mx " ns below a sample max " smax " ns"; exit 1 } }' > "$WORK/noise.err" ||
			fail "os_noise cpu $cpu: note and samples disagree: $(cat "$WORK/noise.err"): $note" ;;
	*) fail "os_noise cpu $cpu: note has no gap profile: $note" ;;
	esac
	cpu=$cpu_next
done
check "os_noise: no process left" mine_gone noise
echo "ok: os_noise: cpus 0..$((CONF - 1)) measured, one row each, metrics consistent"

# --- injected faults -------------------------------------------------------------------
# A peer that stops answering: a timeout row (the watchdog), then the run
# goes on to the next family (sem is not injected).  --timeout 3, not 1:
# the configuration that must run after it has to fit the same limit.
INJ=signal:hang; runq sighang --quick --reps 5 --budget-ms 50 --timeout 3 \
	--placement same-cpu --filter '^signal/kill_pingpong|^sem/posix_sem'
[ "$RC" -eq 1 ] || fail "signal:hang: exit $RC, expected 1"
[ "$(csvq "$S" status bench=signal variant=kill_pingpong metric=ns_per_op)" = timeout ] ||
	fail "signal:hang: kill_pingpong is not a timeout row"
csvq "$S" note bench=signal variant=kill_pingpong metric=ns_per_op | grep -q watchdog ||
	fail "signal:hang: the timeout row does not say the watchdog cut it"
ok_row sem posix_sem same-cpu
check "signal:hang: no process left" mine_gone sighang

INJ=signal:crash; runq sigcrash --quick --reps 5 --budget-ms 50 --timeout 60 \
	--placement same-cpu --filter '^signal/kill_pingpong'
[ "$(csvq "$S" status bench=signal metric=ns_per_op)" = failed ] || fail "signal:crash: no failed row"
csvq "$S" note bench=signal metric=ns_per_op | grep -q 'peer process died' || fail "signal:crash: note lacks the reason"
check "signal:crash: no process left" mine_gone sigcrash

INJ=sem:hang; runq semhang --quick --reps 5 --budget-ms 50 --timeout 1 \
	--placement same-cpu --filter '^sem/sysv_sem'
[ "$(csvq "$S" status bench=sem metric=ns_per_op)" = timeout ] || fail "sem:hang: no timeout row"
check "sem:hang: no process left" mine_gone semhang
INJ=

(cd "$WORK" && PRIMBENCH_INJECT=sem:crash "$P" run --quick --reps 5 --budget-ms 50 --timeout 60 \
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
# sem_ids: the ids of the SysV semaphore sets visible here.
sem_ids() { ipcs -s 2>/dev/null | awk '/^0x/ { print $2 }' | sort; }
# kill_mid NAME [no-ipcns]: a sysv_sem run whose first run() holds (sem's
# hold=MARK, bench_inject_hold: the set made, the peer up); SIGKILL
# primbench once MARK appears - mid-configuration on a machine of any
# speed - then nothing of it may remain.  With no-ipcns the set is in this
# namespace and tracked: a new set must be there while held, and go with
# primbench.  --timeout 600 only guards against a hang.
kill_mid() {
	mkdir -p "$WORK/$1"
	mark=$WORK/$1.hold
	sem_ids > "$WORK/$1.ids"
	PRIMBENCH_INJECT=sem:${2:+$2,}hold=$mark "$P" run --quick --reps 5 --placement same-cpu \
		--timeout 600 --filter '^sem/sysv_sem' --out "$WORK/$1" > /dev/null 2>&1 &
	pid=$!
	while [ ! -s "$mark" ]; do
		alive "$pid" || { wait "$pid"; fail "$1: primbench exited $? before sem held"; }
		sleep 0.02
	done
	sem_ids | comm -13 "$WORK/$1.ids" - > "$WORK/$1.new"
	if [ "${2:-}" = no-ipcns ] && [ ! -s "$WORK/$1.new" ]; then
		kill -9 "$pid"
		fail "$1: no tracked semaphore set while sem holds its configuration"
	fi
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	mine_gone "$1" || fail "$1: processes outlived SIGKILL of primbench"
	rm -f "$mark"
	left=$(sem_ids | comm -12 "$WORK/$1.new" -)
	[ -z "$left" ] || fail "$1: semaphore set(s) $(echo $left) outlived SIGKILL of primbench"
}
kill_mid killtracked no-ipcns
kill_mid killns
echo "ok: SIGKILL of primbench mid-sem leaves no process and no semaphore set"

check "no debris" no_debris
