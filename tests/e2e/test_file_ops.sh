#!/bin/sh
# test_file_ops.sh - file_ops end to end: a --quick run of every variant
# (both file systems) has its rows in the schema-2 columns, ok (fsync on
# --out's file system may be skipped with its estimate as the reason),
# read and write validated as page-cache hits, each row's note naming its
# file system, the extra metrics (bytes_per_s, ns_create/ns_unlink,
# blocks_in_per_op) there; and no scratch folder is left in /dev/shm or
# --out: after a normal run, an injected crash, an injected hang cut by
# the watchdog, a kill -9 of primbench while a configuration holds (the
# hold-injection handshake, no sleep), and a leftover of a dead pid, which
# the next run removes.  Never a timing.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH

# scratch PARENT...: the scratch folders of ours under each PARENT.
scratch() {
	for d in "$@"; do
		ls -a "$d" 2>/dev/null | grep -E '^\.?primbench-[0-9]+-[0-9]+-file_ops$' | sed "s,^,$d/,"
	done
}
mkdir -p "$WORK/res"

# --- the quick run ------------------------------------------------------------------------
start=$(date +%s)
dir=$($P run --quick --rounds 2 --filter '^file_ops/' --out "$WORK/res" --print-dir 2>"$WORK/err") ||
	fail "quick run exited $?: $(cat "$WORK/err")"
echo "quick run took $(( $(date +%s) - start )) s"
S=$dir/summary.csv
want='schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,min,p50,mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,validation,status,note,rounds,between_cv_pct'
[ "$(head -n 1 "$S")" = "$want" ] || fail "summary.csv header: $(head -n 1 "$S")"
csvq "$S" >/dev/null || fail "summary.csv does not parse"
[ "$(csvq "$S" -n bench=file_ops schema=2)" = "$(csvq "$S" -n)" ] || fail "a row is not schema 2 of file_ops"

# row VARIANT X: the ns_per_op row is there and ok (or fsync@outfs
# skipped with the reason), with the file system in its note.
row() {
	rv=$1 x=$2
	key="bench=file_ops variant=$rv x=$x placement=single"
	# shellcheck disable=SC2086
	[ "$(csvq "$S" -n $key metric=ns_per_op)" = 1 ] || fail "$rv $x: not one ns_per_op row"
	# shellcheck disable=SC2086
	st=$(csvq "$S" status $key metric=ns_per_op)
	# shellcheck disable=SC2086
	note=$(csvq "$S" note $key metric=ns_per_op)
	# shellcheck disable=SC2086
	val=$(csvq "$S" validation $key metric=ns_per_op)
	if [ "$rv" = fsync@outfs ] && [ "$st" = skipped ]; then
		echo "$note" | grep -q 'one fsync took' || fail "fsync@outfs skipped without its estimate: $note"
		echo "ok: fsync@outfs skipped: $note"
		return
	fi
	[ "$st" = ok ] || fail "$rv $x: status $st: $note"
	valid_or_migrated "$val" "$note" || fail "$rv $x: validation $val: $note"
	case $rv in
	*@tmpfs) echo "$note" | grep -q 'on tmpfs (/dev/shm)' || fail "$rv $x: note does not name tmpfs: $note" ;;
	*@outfs) echo "$note" | grep -Eq 'on [^ ]+ \(the file system of --out\)' ||
		fail "$rv $x: note does not name the file system of --out: $note" ;;
	esac
}
for fs in tmpfs outfs; do
	for v in open_close stat fstat lseek fsync; do
		row "$v@$fs" ""
	done
	for x in 0 4096 10240; do   # --quick: both ends and the middle
		row "create_unlink@$fs" "$x"
		for m in ns_create ns_unlink; do
			[ "$(csvq "$S" -n variant="create_unlink@$fs" x="$x" metric=$m status=ok)" = 1 ] ||
				fail "create_unlink@$fs $x: no $m row"
		done
	done
	for io in read write; do
		for x in 64 4096 1048576; do
			row "$io@$fs" "$x"
			[ "$val" = pass ] || fail "$io@$fs $x: page-cache check not made ($val): $note"
			for m in bytes_per_s blocks_in_per_op; do
				[ "$(csvq "$S" -n variant="$io@$fs" x="$x" metric=$m status=ok)" = 1 ] ||
					fail "$io@$fs $x: no $m row"
			done
			[ "$(csvq "$S" p50 variant="$io@$fs" x="$x" metric=blocks_in_per_op)" = 0 ] ||
				fail "$io@$fs $x: blocks read from the device"
		done
	done
done
[ "$(csvq "$S" -n metric=ns_per_op)" = 28 ] || fail "not 28 configurations: $(csvq "$S" -n metric=ns_per_op)"
[ -z "$(scratch "$WORK/res" /dev/shm)" ] || fail "scratch folders left: $(scratch "$WORK/res" /dev/shm)"
echo "ok: 28 configurations, schema, statuses, page-cache checks, file system named, nothing left"

# --- crash and hang with the folder made: removed by the runner ---------------------------
PRIMBENCH_INJECT=file_ops:crash "$P" run --quick --rounds 1 --filter '^file_ops/(stat@tmpfs|stat@outfs)$' \
	--out "$WORK/crash" >/dev/null 2>&1
[ $? -eq 1 ] || fail "an injected crash must make the run exit 1"
d=$(run_dir "$WORK/crash")
[ "$(csvq "$d/summary.csv" -n metric=ns_per_op status=failed)" = 2 ] || fail "crash: not 2 failed rows"
[ -z "$(scratch "$WORK/crash" /dev/shm)" ] || fail "crash: scratch folders left: $(scratch "$WORK/crash" /dev/shm)"
PRIMBENCH_INJECT=file_ops:hang "$P" run --quick --rounds 1 --timeout 2 --filter '^file_ops/lseek@outfs$' \
	--out "$WORK/hang" >/dev/null 2>&1
[ $? -eq 1 ] || fail "an injected hang must make the run exit 1"
d=$(run_dir "$WORK/hang")
[ "$(csvq "$d/summary.csv" status metric=ns_per_op)" = timeout ] || fail "hang: not a timeout row"
[ -z "$(scratch "$WORK/hang" /dev/shm)" ] || fail "hang: scratch folders left: $(scratch "$WORK/hang" /dev/shm)"
echo "ok: crash -> failed, hang -> timeout, no scratch folder left"

# --- kill -9 of primbench while a configuration holds ---------------------------------------
for v in create_unlink@tmpfs create_unlink@outfs; do
	mark=$WORK/hold-$v
	mkdir -p "$WORK/kill"
	PRIMBENCH_INJECT=file_ops:hold=$mark "$P" run --quick --rounds 1 --filter "^file_ops/$v\$" \
		--out "$WORK/kill" >/dev/null 2>&1 &
	pb=$!
	while [ ! -s "$mark" ] && alive "$pb"; do sleep 0.01; done
	[ -s "$mark" ] || fail "kill $v: primbench ended before the hold"
	child=$(cat "$mark")
	# Held in setup: the folder is there, with its data file.
	held=$(scratch "$WORK/kill" /dev/shm)
	[ "$(echo "$held" | grep -c .)" = 1 ] || fail "kill $v: not one scratch folder while held: $held"
	[ -f "$held/data" ] || fail "kill $v: no data file in $held"
	case $v in
	*@tmpfs) case $held in /dev/shm/*) ;; *) fail "kill $v: folder not in /dev/shm: $held" ;; esac ;;
	*@outfs) case $held in "$WORK/kill/".*) ;; *) fail "kill $v: folder not in --out: $held" ;; esac ;;
	esac
	kill -9 "$pb"
	wait "$pb" 2>/dev/null
	# The child's PDEATHSIG handler sweeps the cleanup list, then dies.
	i=0
	while kill -0 "$child" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.01; i=$((i + 1)); done
	kill -0 "$child" 2>/dev/null && fail "kill $v: the supervising child $child outlived primbench"
	[ ! -e "$held" ] || fail "kill $v: $held left after kill -9: $(ls -a "$held")"
	rm -f "$mark" "$mark.done"
done
echo "ok: kill -9 of primbench mid-configuration leaves no scratch folder"

# --- a dead pid's leftovers: the next run removes them --------------------------------------
dead=999999
while kill -0 "$dead" 2>/dev/null; do dead=$((dead - 1)); done
mkdir -p "$WORK/stale/.primbench-$dead-1-file_ops" "/dev/shm/primbench-$dead-1-file_ops" ||
	fail "cannot make the stale folders"
: > "$WORK/stale/.primbench-$dead-1-file_ops/data"
: > "/dev/shm/primbench-$dead-1-file_ops/c1"
$P run --quick --rounds 1 --filter '^file_ops/fstat@tmpfs$' --out "$WORK/stale" >/dev/null 2>&1 ||
	fail "stale run exited $?"
[ ! -e "$WORK/stale/.primbench-$dead-1-file_ops" ] || fail "a dead pid's folder in --out was not removed"
[ ! -e "/dev/shm/primbench-$dead-1-file_ops" ] || fail "a dead pid's folder in /dev/shm was not removed"
echo "ok: a killed run's leftovers are removed by the next run"

no_debris || fail "debris left"
echo "ok: nothing left behind"
