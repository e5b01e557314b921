#!/bin/sh
# test_mm_alloc.sh - mm_alloc end to end: every variant x size_bytes has its
# row; rows are ok, or (filled points under --quick) skipped with the time
# estimate as the reason; the touch variants take one page fault per page
# and report ns_per_page; untouched brk/mmap take none; the malloc rows say
# which of brk and mmap served them; a lowered RLIMIT_AS skips the big
# points with a reason instead of failing; nothing is left behind.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH

[ "$(getconf PAGESIZE)" = 4096 ] || { echo "fault counts here assume 4 KiB pages"; exit 77; }

# --quick keeps 3 of the 10 sizes: both ends and the middle (plan.c,
# sweep_point_runs).
sizes="4096 4194304 1073741824"

start=$(date +%s)
dir=$($P run --quick --budget-ms 50 --filter 'mm_alloc' --out "$WORK/res" --print-dir 2>"$WORK/err") ||
	fail "quick run exited $?: $(cat "$WORK/err")"
echo "quick run took $(( $(date +%s) - start )) s"
S=$dir/summary.csv
csvq "$S" >/dev/null || fail "summary.csv does not parse"
for v in brk mmap mmap_populate brk_touch mmap_touch malloc; do
	for x in $sizes; do
		k="bench=mm_alloc variant=$v placement=single sweep=size_bytes x=$x"
		# shellcheck disable=SC2086
		[ "$(csvq "$S" -n $k metric=ns_per_op)" = 1 ] || fail "$v $x: no ns_per_op row"
		# shellcheck disable=SC2086
		st=$(csvq "$S" status $k metric=ns_per_op)
		# shellcheck disable=SC2086
		note=$(csvq "$S" note $k metric=ns_per_op)
		if [ "$st" = skipped ]; then
			case "$v" in
			mmap_populate|*_touch) echo "$note" | grep -q -- '--quick: about' ||
				fail "$v $x: skipped without the time estimate: $note" ;;
			*) fail "$v $x: skipped: $note" ;;
			esac
			continue
		fi
		[ "$st" = ok ] || fail "$v $x: status $st: $note"
		# shellcheck disable=SC2086
		valid=$(csvq "$S" validation $k metric=ns_per_op)
		# shellcheck disable=SC2086
		f=$(csvq "$S" p50 $k metric=faults_per_op)
		case "$v" in
		brk|mmap|*_touch) valid_or_migrated "$valid" "$note" || fail "$v $x: validation $valid: $note" ;;
		esac
		case "$v" in
		*_touch)
			pages=$((x / 4096))
			awk -v f="$f" -v n="$pages" 'BEGIN { exit !(f >= 0.95 * n - 0.5 && f <= 1.1 * n + 2) }' ||
				fail "$v $x: $f page faults per op for $pages pages"
			# shellcheck disable=SC2086
			[ "$(csvq "$S" -n $k metric=ns_per_page)" = 1 ] || fail "$v $x: no ns_per_page row" ;;
		brk|mmap)
			awk -v f="$f" 'BEGIN { exit !(f < 0.5) }' || fail "$v $x: $f faults per op, nothing is touched" ;;
		malloc)
			echo "$note" | grep -Eq 'first block from (brk heap|mmap)' ||
				fail "malloc $x: the note does not say what served it: $note" ;;
		esac
	done
done
# The small points always run: none of them may be skipped even under --quick.
for v in mmap_populate brk_touch mmap_touch; do
	[ "$(csvq "$S" status variant=$v x=4194304 metric=ns_per_op)" = ok ] || fail "$v 4 MiB did not run"
done
# glibc serves 4 KiB from the heap and 1 GiB (beyond its 32 MiB threshold cap) by mmap.
csvq "$S" note variant=malloc x=4096 metric=ns_per_op | grep -q '0 from mmap' || fail "malloc 4 KiB: not from the heap"
csvq "$S" note variant=malloc x=1073741824 metric=ns_per_op | grep -q ' 0 from the brk heap' ||
	fail "malloc 1 GiB: not from mmap"
echo "ok: rows, statuses, fault checks, ns_per_page, malloc notes"

# --- a lowered address-space limit: the big points are skipped, with the reason ------
if command -v prlimit >/dev/null; then
	prlimit --as=$((768 << 20)) $P run --quick --budget-ms 50 --filter 'mm_alloc/(brk|mmap|malloc)$' \
		--out "$WORK/as" >/dev/null 2>"$WORK/err" || fail "RLIMIT_AS run exited $?: $(cat "$WORK/err")"
	d=$(run_dir "$WORK/as")
	for v in brk mmap malloc; do
		[ "$(csvq "$d/summary.csv" status variant=$v x=1073741824)" = skipped ] ||
			fail "RLIMIT_AS: $v 1 GiB not skipped"
		csvq "$d/summary.csv" note variant=$v x=1073741824 | grep -q 'cannot allocate' ||
			fail "RLIMIT_AS: $v 1 GiB skip has no reason"
		[ "$(csvq "$d/summary.csv" status variant=$v x=4096 metric=ns_per_op)" = ok ] ||
			fail "RLIMIT_AS: $v 4 KiB did not run"
	done
	echo "ok: RLIMIT_AS -> 1 GiB points skipped with the reason"
fi
no_debris || fail "debris left"
echo "ok: nothing left behind"
