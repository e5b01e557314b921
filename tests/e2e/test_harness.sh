#!/bin/sh
# test_harness.sh - the harness end to end on the two baselines: CLI exit
# codes, the results folder and its CSV schema, meta keys, the samples
# behind the summary, interrupt handling, and no process left behind.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH

# --- bad input: exit 2, one line, nothing written -------------------------------
for args in "frob" "run --reps x" "run --reps 1" "run --timeout -1" "run --placement nowhere" \
	    "run --events bogus" "run --filter (" "run --bogus" \
	    "run --budget-ms 0" "run --min-sample-ms abc" "run --reps" "run extra"; do
	# shellcheck disable=SC2086
	$P $args --out "$WORK/bad" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ "$rc" -eq 2 ] || fail "'$args' exited $rc, expected 2"
	[ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "'$args' printed $(wc -l < "$WORK/err") lines on stderr"
	grep -q '^primbench: ' "$WORK/err" || fail "'$args': message lacks the 'primbench:' prefix"
	[ ! -e "$WORK/bad" ] || fail "'$args' wrote $WORK/bad"
done
: > "$WORK/afile"
$P run --out "$WORK/afile" 2>"$WORK/err"; [ $? -eq 2 ] || fail "--out pointing at a file must exit 2"
$P run --out "$WORK/no/such/dir" 2>"$WORK/err"; [ $? -eq 2 ] || fail "--out in a missing parent must exit 2"
[ ! -e "$WORK/no" ] || fail "--out in a missing parent created something"
echo "ok: bad input gives exit 2, one line, nothing written"
$P --version | grep -q '^primbench ' || fail "--version"
$P --help | grep -q 'usage: primbench' || fail "--help"
$P run --filter 'matches-nothing' --out "$WORK/none" 2>/dev/null; [ $? -eq 2 ] || fail "empty selection must exit 2"
[ ! -e "$WORK/none" ] || fail "empty selection wrote a folder"

# --- list and info ---------------------------------------------------------------------
$P list > "$WORK/list" || fail "list"
grep -q '^null ' "$WORK/list" && grep -q '^syscall_getppid ' "$WORK/list" || fail "list lacks the baselines"
grep -q 'same-cpu' "$WORK/list" || fail "list shows no placements"
$P info > "$WORK/info" || fail "info"
for ev in task-clock page-faults minor-faults context-switches cpu-migrations; do
	grep -Eq "^  $ev +available" "$WORK/info" || fail "info: software event $ev not available"
done
grep -Eq '^  cycles +(available|unavailable: .+)' "$WORK/info" || fail "info: cycles line without a reason"
echo "ok: list and info"

# --- a quick run of the baselines ----------------------------------------------------
start=$(date +%s)
dir=$($P run --quick --filter '^(null|syscall_getppid)/' --out "$WORK/res" --print-dir 2>"$WORK/err") ||
	fail "quick run exited $?: $(cat "$WORK/err")"
echo "quick baseline run took $(( $(date +%s) - start )) s"
[ -d "$dir" ] || fail "no results folder $dir"
case "$(basename "$dir")" in *_*_[0-9]*T[0-9]*Z) ;; *) fail "folder name $(basename "$dir")";; esac
ls -a "$WORK/res" | grep -q partial && fail "a .partial folder was left"

want='schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,min,p50,mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,validation,status,note,rounds,between_cv_pct'
[ "$(head -n 1 "$dir/summary.csv")" = "$want" ] || fail "summary.csv header differs from DESIGN.md"
want='schema,run_id,bench,variant,sweep,x,placement,metric,sample,iters,value,round'
[ "$(head -n 1 "$dir/samples.csv")" = "$want" ] || fail "samples.csv header differs from DESIGN.md"
for f in summary samples meta; do csvq "$dir/$f.csv" >/dev/null || fail "$f.csv does not parse"; done

for k in schema run_id primbench_version git_sha host kernel_release kernel_version kernel_cmdline \
	 arch cpu_model cpu_count topology smt numa_nodes cpufreq_governor thp_enabled mitigations \
	 perf_event_paranoid counters_available counters_unavailable clock_source tsc_hz \
	 timer_overhead_ns compiler cflags started_utc finished_utc complete; do
	[ "$(csvq "$dir/meta.csv" -n key="$k")" = 1 ] || fail "meta.csv lacks $k"
done
[ "$(csvq "$dir/meta.csv" value key=complete)" = true ] || fail "complete is not true"
if [ -d /sys/devices/system/cpu/vulnerabilities ]; then
	n=$(ls /sys/devices/system/cpu/vulnerabilities | wc -l)
	[ "$(csvq "$dir/meta.csv" key | grep -c '^vuln\.')" -eq "$n" ] || fail "meta lacks vuln.* rows"
fi
echo "ok: folder, headers, meta keys"

# Every row: schema 2, this run's id, status ok, n = 10 samples (quick).
run_id=$(csvq "$dir/meta.csv" value key=run_id)
[ "$(csvq "$dir/summary.csv" -n schema=2 run_id="$run_id" status=ok)" = "$(csvq "$dir/summary.csv" -n)" ] ||
	fail "a summary row is not schema 2 / this run / ok"
for b in null syscall_getppid; do
	[ "$(csvq "$dir/summary.csv" -n bench=$b metric=ns_per_op placement=single)" = 1 ] || fail "$b: no ns_per_op row"
	[ "$(csvq "$dir/summary.csv" n bench=$b metric=ns_per_op)" = 10 ] || fail "$b: n is not 10"
	[ "$(csvq "$dir/samples.csv" -n bench=$b metric=ns_per_op)" = 10 ] || fail "$b: samples.csv has not 10 samples"
	[ "$(csvq "$dir/summary.csv" -n bench=$b metric=minor_faults_per_op)" = 1 ] || fail "$b: no counter rows"
	valid_or_migrated "$(csvq "$dir/summary.csv" validation bench=$b metric=ns_per_op)" \
		"$(csvq "$dir/summary.csv" note bench=$b metric=ns_per_op)" || fail "$b: pinned run not validated"
done
# What null costs is the benchmark's to say, not a test's (no timing is
# asserted here).  What must hold on any machine: every sample is a finite
# number, every sample's iterations a positive integer, and the summary is
# made of exactly these samples (n, min and max are theirs).
for b in null syscall_getppid; do
	csvq "$dir/samples.csv" -t iters,value bench=$b metric=ns_per_op > "$WORK/s.tsv"
	set -- $(csvq "$dir/summary.csv" -t n,min,max bench=$b metric=ns_per_op | sed -n 2p)
	awk -F '\t' -v n="$1" -v lo="$2" -v hi="$3" '
		function num(v) { return v ~ /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/ }
		NR == 1 { next }
		!num($2) || $1 !~ /^[1-9][0-9]*$/ { print "sample " NR - 1 ": iters " $1 ", value " $2; bad = 1 }
		{ k++; v = $2 + 0; if (k == 1 || v < mn) mn = v; if (k == 1 || v > mx) mx = v }
		END { if (!num(lo) || !num(hi)) { print "summary min/max " lo "/" hi " not numbers"; exit 1 }
		      if (k != n) { print k " samples, summary n " n; exit 1 }
		      if (mn != lo + 0 || mx != hi + 0) { print "samples span " mn ".." mx ", summary " lo ".." hi; exit 1 }
		      exit bad }' "$WORK/s.tsv" > "$WORK/s.err" || fail "$b: samples and summary disagree: $(cat "$WORK/s.err")"
done
null=$(csvq "$dir/summary.csv" p50 bench=null metric=ns_per_op)
echo "ok: rows, samples, validations; the summary is made of the samples (null p50 = $null ns/op)"

# p50 lies within [min, max] and the CI brackets p50, for every row with a CI.
for m in ns_per_op; do
	for b in null syscall_getppid; do
		set -- $(csvq "$dir/summary.csv" min bench=$b metric=$m) $(csvq "$dir/summary.csv" p50 bench=$b metric=$m) \
		       $(csvq "$dir/summary.csv" max bench=$b metric=$m) $(csvq "$dir/summary.csv" ci95_lo bench=$b metric=$m) \
		       $(csvq "$dir/summary.csv" ci95_hi bench=$b metric=$m)
		awk -v a="$1" -v p="$2" -v z="$3" -v lo="$4" -v hi="$5" \
			'BEGIN { exit !(a <= p && p <= z && lo <= p && p <= hi) }' || fail "$b: min/p50/max/CI out of order"
	done
done
echo "ok: summary statistics are ordered"

# --- SIGINT keeps finished rows and says complete=false ---------------------------------------
# Interrupted while syscall_getppid holds its configuration (PRIMBENCH_INJECT
# hold, bench_inject_hold): null has finished and primbench is mid-run, on a
# machine of any speed.  --timeout 600 only guards against a hang.
# wait_hold MARK PID: until the held configuration names itself in MARK;
# fails if primbench PID ended first.
wait_hold() {
	while [ ! -s "$1" ]; do
		alive "$2" || { wait "$2"; fail "primbench exited $? before the hold at $1"; }
		sleep 0.02
	done
}
# --seed 1 visits null first in round 1 (the order is the seed's, which
# test_rounds.sh checks), so the hold is reached after null's first visit.
PRIMBENCH_INJECT=syscall_getppid:hold=$WORK/hold-int $P run --filter '^(null|syscall_getppid)/' --quick \
	--seed 1 --timeout 600 --out "$WORK/int" >/dev/null 2>&1 &
pid=$!
wait_hold "$WORK/hold-int" $pid
kill -INT $pid
wait $pid
rc=$?
[ "$rc" -eq 130 ] || fail "SIGINT: exit $rc, expected 130"
d=$(run_dir "$WORK/int")
[ -n "$d" ] || fail "SIGINT: no results folder (or it kept its .partial name)"
[ "$(csvq "$d/meta.csv" value key=complete)" = false ] || fail "SIGINT: complete is not false"
csvq "$d/summary.csv" >/dev/null || fail "SIGINT: summary.csv does not parse"
[ "$(csvq "$d/summary.csv" -n bench=null metric=ns_per_op status=ok rounds=1)" = 1 ] ||
	fail "SIGINT: the finished null visit was lost"
[ "$(csvq "$d/samples.csv" -n bench=null metric=ns_per_op round=1)" = 2 ] || fail "SIGINT: null's samples were lost"
echo "ok: SIGINT -> 130, finished rows kept, complete=false"

# --- SIGTERM: 143, and handled (a default-action death writes no meta) -------------
PRIMBENCH_INJECT=null:hold=$WORK/hold-term $P run --filter '^null/' --quick --timeout 600 \
	--out "$WORK/term" >/dev/null 2>&1 &
pid=$!
wait_hold "$WORK/hold-term" $pid
kill -TERM $pid
wait $pid
rc=$?
[ "$rc" -eq 143 ] || fail "SIGTERM: exit $rc, expected 143"
d=$(run_dir "$WORK/term")
[ -n "$d" ] || fail "SIGTERM: no results folder (or it kept its .partial name)"
[ "$(csvq "$d/meta.csv" value key=complete)" = false ] || fail "SIGTERM: complete is not false"
echo "ok: SIGTERM -> 143, folder closed with complete=false"

# --- unprivileged run -------------------------------------------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 711 "$WORK" && mkdir -p "$WORK/nobody" && chmod 777 "$WORK/nobody"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$P" run --quick --filter '^(null|syscall_getppid)/' --out "$WORK/nobody" >/dev/null 2>"$WORK/err" ||
		fail "unprivileged run failed: $(cat "$WORK/err")"
	d=$(run_dir "$WORK/nobody")
	[ "$(csvq "$d/meta.csv" value key=uid)" = 65534 ] || fail "unprivileged run: uid not recorded"
	csvq "$d/meta.csv" value key=counters_mode | grep -Eq 'kernel_user|user_only|rusage' || fail "unprivileged: no counters mode"
	echo "ok: unprivileged run completes (counters: $(csvq "$d/meta.csv" value key=counters_mode))"
fi

no_debris || fail "debris left"
echo "ok: nothing left behind"
