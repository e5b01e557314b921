#!/bin/sh
# test_shm_space.sh - ipc_shm on a /dev/shm too small for its rings, and on
# a host with no /dev/shm at all (issue 14, item 5).
#
# 1. A 128 KiB tmpfs on /dev/shm (in a private mount namespace): the 64 B
#    ring (68 KiB) fits, the 1 KiB, 64 KiB and 1 MiB rings (260 KiB, 260 KiB,
#    4 MiB) do not.  Those must be `skipped` rows whose note names ENOSPC
#    (tmpfs took the ftruncate and the first touch of a page it could not
#    back was SIGBUS: `failed`, "killed by signal 7"); the run exits 0, SysV
#    rings (not on /dev/shm) run, and nothing is left on the small tmpfs.
# 2. No /dev/shm at all (a private mount namespace whose /dev is a fresh
#    tmpfs holding only null, zero, full, random, urandom and tty, bound
#    from the real one): the POSIX rows are `skipped` naming the missing
#    /dev/shm (they were `failed` with shm_open's ENOENT); SysV still runs.
# Sizes are fixed, not measured: the outcome is the same on any host.
# Needs a private mount namespace (root, or unprivileged user namespaces):
# skipped (77) with the reason where unshare is not permitted.
. tests/e2e/lib.sh
. tests/faults/lib.sh
faults_isolate "$@"
set -u
[ "$FAULTS_NS" = 1 ] || { echo "skip: no private mount namespace (unshare --mount not permitted here)"; exit 77; }
mkdir -p "$WORK/cwd"
cd "$WORK/cwd" || fail "no scratch folder"
common="--quick --reps 5 --budget-ms 30 --placement same-cpu --timeout 20"
filter='^ipc_shm/(posix|posix_lat|sysv)$'

# rows DIR: the ns_per_op rows of the run under DIR, "variant x status note".
rows() {
	d=$(run_dir "$1")
	[ -f "$d/summary.csv" ] || fail "$1: no summary.csv"
	csvq "$d/summary.csv" -t variant,x,status,note metric=ns_per_op | tail -n +2
}

# --- 1. a /dev/shm too small ------------------------------------------------------------
mount -t tmpfs -o size=128k,mode=1777 none /dev/shm || fail "cannot mount a small tmpfs on /dev/shm"
out=$WORK/small
"$PRIMBENCH" run $common --filter "$filter" --out "$out" > /dev/null 2> "$out.log"
rc=$?
[ $rc -eq 0 ] || fail "small /dev/shm: exit $rc: $(tail -n 3 "$out.log")"
rows "$out" > "$WORK/small.rows"
sed 's/^/    /' "$WORK/small.rows"
TAB=$(printf '\t')
grep -q "^posix${TAB}64${TAB}ok" "$WORK/small.rows" || fail "small /dev/shm: posix 64 B (68 KiB ring, fits) did not run"
for x in 16384 1048576; do   # --quick: the middle and the top
	grep "^posix${TAB}$x${TAB}" "$WORK/small.rows" | grep -q "${TAB}skipped${TAB}.*ENOSPC" ||
		fail "small /dev/shm: posix x=$x is not skipped naming ENOSPC: $(grep "^posix${TAB}$x${TAB}" "$WORK/small.rows")"
done
grep "^posix_lat${TAB}" "$WORK/small.rows" | grep -q "${TAB}skipped${TAB}.*ENOSPC" ||
	fail "small /dev/shm: posix_lat (two 68 KiB rings) is not skipped naming ENOSPC"
! grep -q "${TAB}failed${TAB}" "$WORK/small.rows" || fail "small /dev/shm: a failed row"
[ "$(grep -c "^sysv${TAB}[0-9]*${TAB}ok" "$WORK/small.rows")" -eq 3 ] || fail "small /dev/shm: SysV rings did not all run"
[ -z "$(ls -A /dev/shm)" ] || fail "small /dev/shm: left $(ls -A /dev/shm)"
umount /dev/shm
echo "ok: a 128 KiB /dev/shm: the rings that do not fit are skipped naming ENOSPC, exit 0, nothing left"

# --- 2. no /dev/shm at all ----------------------------------------------------------------
out=$WORK/noshm
mkdir -p "$WORK/olddev"
# shellcheck disable=SC2016
unshare --mount --propagation private sh -c '
	mount --bind /dev "$1" && mount -t tmpfs -o mode=755 none /dev || exit 90
	for n in null zero full random urandom tty; do
		[ -e "$1/$n" ] || continue
		: > "/dev/$n" && mount --bind "$1/$n" "/dev/$n" || exit 91
	done
	umount -l "$1"
	[ ! -e /dev/shm ] || exit 92
	shift
	exec "$@"' sh "$WORK/olddev" \
	"$PRIMBENCH" run $common --filter "$filter" --out "$out" > /dev/null 2> "$out.log"
rc=$?
[ $rc -ne 90 ] && [ $rc -ne 91 ] && [ $rc -ne 92 ] || fail "no /dev/shm: could not set up the namespace ($rc)"
[ $rc -eq 0 ] || fail "no /dev/shm: exit $rc: $(tail -n 3 "$out.log")"
rows "$out" > "$WORK/noshm.rows"
sed 's/^/    /' "$WORK/noshm.rows"
n=$(grep -c "^posix" "$WORK/noshm.rows")
[ "$n" -eq 4 ] || fail "no /dev/shm: $n POSIX rows, want 4 (--quick: 3 sizes and the latency ring)"
[ "$(grep "^posix" "$WORK/noshm.rows" | grep -c "${TAB}skipped${TAB}.*no /dev/shm")" -eq "$n" ] ||
	fail "no /dev/shm: POSIX rows not all skipped naming /dev/shm: $(grep "^posix" "$WORK/noshm.rows" | head -n 1)"
[ "$(grep -c "^sysv${TAB}[0-9]*${TAB}ok" "$WORK/noshm.rows")" -eq 3 ] || fail "no /dev/shm: SysV rings did not all run"
echo "ok: no /dev/shm: POSIX rows skipped with the reason, SysV ran, exit 0"
exit 0
