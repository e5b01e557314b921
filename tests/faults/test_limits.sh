#!/bin/sh
# test_limits.sh - resource pressure gives clear skipped/failed rows or a
# clear error, never a crash or a corrupt CSV.
#
# 1. RLIMIT_NPROC of 1 and 2 processes (as nobody: root ignores the limit),
#    the first variant of every family: every configuration still gets a
#    row; no row says "killed by signal"; exit 1 exactly when a row failed.
# 2. RLIMIT_AS of 512 MiB, the first variant of every family: sweep points
#    of 512 MiB and more (x in bytes) cannot be mapped, so they must not be
#    `ok`; they are skipped or failed with a reason, and nothing crashes.
# 3. A full disk for --out (a 64 KiB tmpfs, pre-filled to leave 0..24 KiB):
#    exit 0 with a complete folder, or exit 1/2 with a "No space left"
#    line; either way every CSV that exists parses, meta (if any) says
#    complete=false after an error, and no folder is left without meta.
# Needs root (namespaces, setpriv, mount); skipped otherwise.
. tests/e2e/lib.sh
. tests/faults/lib.sh
[ "$(id -u)" = 0 ] || { echo "skip: needs root (setpriv, prlimit for another user, mount)"; exit 77; }
faults_isolate "$@"
set -u
mkdir -p "$WORK/cwd"
chmod 755 "$WORK/cwd"
cd "$WORK/cwd" || fail "no scratch folder"
tried=0

# The first variant of every family, as one --filter.
filter=""
for f in $(pb_families); do
	v=$(pb_variants "$f" | head -n 1)
	filter="$filter${filter:+|}^$f/$v\$"
done
common="--quick --reps 5 --budget-ms 30 --placement same-cpu,single --timeout 20"

# rows_sane DIR RC WHAT: every row has a known status, nothing crashed, and
# the exit status is the one the rows call for.
rows_sane() {
	csvq "$1/summary.csv" >/dev/null || fail "$3: summary.csv does not parse"
	csvq "$1/summary.csv" status | grep -vxE 'ok|skipped|failed|timeout' && fail "$3: unknown status"
	csvq "$1/summary.csv" note | grep -i 'killed by signal' && fail "$3: a benchmark crashed"
	csvq "$1/summary.csv" note status=skipped | grep -qx '' && fail "$3: a skipped row without a reason"
	csvq "$1/summary.csv" note status=failed | grep -qx '' && fail "$3: a failed row without a reason"
	bad=$(( $(csvq "$1/summary.csv" -n status=failed) + $(csvq "$1/summary.csv" -n status=timeout) ))
	if [ "$bad" -gt 0 ]; then want=1; else want=0; fi
	[ "$2" -eq "$want" ] || fail "$3: exit $2 but $bad failed/timeout rows"
}

# --- 1. RLIMIT_NPROC ------------------------------------------------------------------
chmod 711 "$WORK"
for n in 1 2; do
	out=$WORK/nproc$n
	mkdir -p "$out" && chmod 777 "$out"
	# shellcheck disable=SC2086
	setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nproc=$n \
		"$PRIMBENCH" run $common --filter "$filter" --out "$out" --progress >/dev/null 2>"$out.log"
	rc=$?
	tried=$((tried + 1))
	[ "$rc" -le 1 ] || fail "RLIMIT_NPROC=$n: exit $rc: $(tail -n 2 "$out.log")"
	d=$(run_dir "$out")
	[ -n "$d" ] || fail "RLIMIT_NPROC=$n: no results folder"
	rows_sane "$d" "$rc" "RLIMIT_NPROC=$n"
	started=$(faults_started "$out.log")
	have=$(faults_configs "$d")
	[ "$have" -eq "$started" ] || fail "RLIMIT_NPROC=$n: $started configurations, $have with rows (rows lost)"
	echo "ok: RLIMIT_NPROC=$n: exit $rc; $(csvq "$d/summary.csv" -n status=ok metric=ns_per_op) ok," \
	     "$(csvq "$d/summary.csv" -n status=skipped) skipped, $(csvq "$d/summary.csv" -n status=failed) failed rows;" \
	     "e.g. $( (csvq "$d/summary.csv" note status=skipped; csvq "$d/summary.csv" note status=failed) | head -n 1)"
done

# --- 2. RLIMIT_AS ----------------------------------------------------------------------
as=$((512 * 1024 * 1024))
out=$WORK/as
mkdir -p "$out"
# shellcheck disable=SC2086
prlimit --as=$as "$PRIMBENCH" run $common --filter "$filter" --out "$out" --progress >/dev/null 2>"$out.log"
rc=$?
tried=$((tried + 1))
[ "$rc" -le 1 ] || fail "RLIMIT_AS: exit $rc: $(tail -n 2 "$out.log")"
d=$(run_dir "$out")
[ -n "$d" ] || fail "RLIMIT_AS: no results folder"
rows_sane "$d" "$rc" "RLIMIT_AS"
started=$(faults_started "$out.log")
[ "$(faults_configs "$d")" -eq "$started" ] || fail "RLIMIT_AS: rows lost"
for c in sweep x status metric; do csvq "$d/summary.csv" $c > "$WORK/as.$c"; done
big=$(paste -d '|' "$WORK/as.sweep" "$WORK/as.x" "$WORK/as.status" "$WORK/as.metric" |
	awk -F '|' -v as=$as '$1 ~ /_bytes$/ && $2 != "" && $2 + 0 >= as && $4 == "ns_per_op" { n++; if ($3 == "ok") ok++ }
		END { print n + 0, ok + 0 }')
set -- $big
[ "$2" -eq 0 ] || fail "RLIMIT_AS=512 MiB: $2 sweep points of >= 512 MiB report ok"
echo "ok: RLIMIT_AS=512 MiB: exit $rc; $1 sweep points >= 512 MiB, none ok, e.g. $(csvq "$d/summary.csv" note status=skipped | head -n 1)"

# --- 3. a full disk -----------------------------------------------------------------------
tiny=$WORK/tiny
mkdir -p "$tiny"
trap 'umount "$tiny" 2>/dev/null' EXIT
for free in 0 2048 4096 8192 12288 16384 24576; do
	mount -t tmpfs -o size=64k none "$tiny" || fail "cannot mount a tmpfs"
	head -c $((65536 - free)) /dev/zero > "$tiny/fill" 2>/dev/null
	"$PRIMBENCH" run --quick --reps 5 --budget-ms 30 --filter '^(null|syscall_getppid)/' \
		--out "$tiny/out" >/dev/null 2>"$WORK/err"
	rc=$?
	tried=$((tried + 1))
	msg=$(grep -v 'results in' "$WORK/err")
	case $rc in
	0) d=$(run_dir "$tiny/out")
	   [ "$(csvq "$d/meta.csv" value key=complete)" = true ] || fail "disk full ($free B free): exit 0, incomplete" ;;
	1 | 2) [ "$(echo "$msg" | wc -l)" -eq 1 ] && echo "$msg" | grep -q '^primbench: .*No space left' ||
		   fail "disk full ($free B free): exit $rc without one clear line: $msg" ;;
	*) fail "disk full ($free B free): exit $rc" ;;
	esac
	n=0
	faults_results "$tiny/out" || n=$?
	[ "$n" -eq 0 ] || fail "disk full ($free B free): exit $rc left a bad results folder ($msg)"
	if [ "$rc" -ne 0 ]; then
		for d in "$tiny/out"/* "$tiny/out"/.[!.]*; do
			[ -f "$d/meta.csv" ] || continue
			[ "$(csvq "$d/meta.csv" value key=complete)" = false ] || fail "disk full: exit $rc but complete is not false"
		done
	fi
	echo "ok: $free B free: exit $rc${msg:+: $msg}"
	umount "$tiny"
done
trap - EXIT
table limit_runs "$tried"
echo "ok: $tried runs under RLIMIT_NPROC, RLIMIT_AS and a full disk"
