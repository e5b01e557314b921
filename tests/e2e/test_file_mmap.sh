#!/bin/sh
# test_file_mmap.sh - file_mmap end to end: a --quick run has every row
# ok in the schema-2 columns; each fault variant takes one minor fault per
# touch (its validation passes, and minor_faults_per_op is 1 within the
# check's range), its note says how many pages one fault mapped in setup
# and which stride that gave (file pages: fault-around; anonymous: every
# page), ns_per_page is there; mmap_munmap faults on nothing.  Its files
# are unlinked with their folder in setup: while a configuration holds
# (hold injection) no scratch folder exists, and a kill -9 of primbench
# then leaves no process and nothing in /dev/shm or --out.  Never a timing.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
[ "$(getconf PAGESIZE)" = 4096 ] || { echo "fault counts here assume 4 KiB pages"; exit 77; }

scratch() {
	for d in "$@"; do
		ls -a "$d" 2>/dev/null | grep -E '^\.?primbench-[0-9]+-[0-9]+-file_mmap$' | sed "s,^,$d/,"
	done
}
mkdir -p "$WORK/res"
start=$(date +%s)
dir=$($P run --quick --rounds 2 --filter '^file_mmap/' --out "$WORK/res" --print-dir 2>"$WORK/err") ||
	fail "quick run exited $?: $(cat "$WORK/err")"
echo "quick run took $(( $(date +%s) - start )) s"
S=$dir/summary.csv
want='schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,min,p50,mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,validation,status,note,rounds,between_cv_pct'
[ "$(head -n 1 "$S")" = "$want" ] || fail "summary.csv header: $(head -n 1 "$S")"
[ "$(csvq "$S" -n bench=file_mmap schema=2)" = "$(csvq "$S" -n)" ] || fail "a row is not schema 2 of file_mmap"

for v in fault_file@tmpfs fault_file@outfs fault_anon_read fault_anon_write; do
	key="variant=$v placement=single"
	# shellcheck disable=SC2086
	st=$(csvq "$S" status $key metric=ns_per_op)
	# shellcheck disable=SC2086
	note=$(csvq "$S" note $key metric=ns_per_op)
	[ "$st" = ok ] || fail "$v: status $st: $note"
	# shellcheck disable=SC2086
	valid_or_migrated "$(csvq "$S" validation $key metric=ns_per_op)" "$note" || fail "$v: validation: $note"
	# shellcheck disable=SC2086
	f=$(csvq "$S" p50 $key metric=minor_faults_per_op)
	awk -v f="$f" 'BEGIN { exit !(f >= 0.9 && f <= 1.1) }' || fail "$v: $f minor faults per touch"
	# shellcheck disable=SC2086
	[ "$(csvq "$S" -n $key metric=ns_per_page status=ok)" = 1 ] || fail "$v: no ns_per_page row"
	case $v in
	fault_file@*) echo "$note" | grep -Eq '^page-cache hit on [^ ]+ .*: [0-9]+ minor faults for 1024 pages touched in setup, so 1 page in [0-9]+ touched' ||
		fail "$v: the note does not say what one fault mapped: $note" ;;
	fault_anon_*) echo "$note" | grep -q 'every page touched' || fail "$v: anonymous faults not one per page: $note" ;;
	esac
	echo "ok: $v: $f minor faults per touch; $note"
done
# --quick takes both ends and the middle of the five sizes.
for x in 4096 1048576 268435456; do
	key="variant=mmap_munmap@outfs x=$x"
	# shellcheck disable=SC2086
	[ "$(csvq "$S" status $key metric=ns_per_op)" = ok ] || fail "mmap_munmap $x: $(csvq "$S" note $key metric=ns_per_op)"
	# shellcheck disable=SC2086
	valid_or_migrated "$(csvq "$S" validation $key metric=ns_per_op)" "$(csvq "$S" note $key metric=ns_per_op)" ||
		fail "mmap_munmap $x: validation"
done
[ "$(csvq "$S" -n metric=ns_per_op)" = 7 ] || fail "not 7 configurations"
[ -z "$(scratch "$WORK/res" /dev/shm)" ] || fail "scratch folders left: $(scratch "$WORK/res" /dev/shm)"
echo "ok: 7 configurations, fault checks, notes, nothing left"

# --- kill -9 of primbench while fault_file holds: nothing was left to clean ------------------
for v in fault_file@tmpfs fault_file@outfs; do
	mark=$WORK/hold-$v
	mkdir -p "$WORK/kill"
	PRIMBENCH_INJECT=file_mmap:hold=$mark "$P" run --quick --rounds 1 --filter "^file_mmap/$v\$" \
		--out "$WORK/kill" >/dev/null 2>&1 &
	pb=$!
	while [ ! -s "$mark" ] && alive "$pb"; do sleep 0.01; done
	[ -s "$mark" ] || fail "kill $v: primbench ended before the hold"
	child=$(cat "$mark")
	# The file is only an open descriptor now: no folder, no name.
	[ -z "$(scratch "$WORK/kill" /dev/shm)" ] || fail "kill $v: a scratch folder while held: $(scratch "$WORK/kill" /dev/shm)"
	ls -l "/proc/$child/fd" 2>/dev/null | grep -q '/data (deleted)' || fail "kill $v: the child holds no unlinked data file"
	kill -9 "$pb"
	wait "$pb" 2>/dev/null
	i=0
	while kill -0 "$child" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.01; i=$((i + 1)); done
	kill -0 "$child" 2>/dev/null && fail "kill $v: the supervising child $child outlived primbench"
	[ -z "$(scratch "$WORK/kill" /dev/shm)" ] || fail "kill $v: scratch folders left"
	rm -f "$mark" "$mark.done"
done
echo "ok: kill -9 of primbench mid-configuration leaves nothing"

no_debris || fail "debris left"
echo "ok: nothing left behind"
