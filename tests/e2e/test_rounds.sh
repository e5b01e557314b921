#!/bin/sh
# test_rounds.sh - rounds: every configuration visited R times in an order
# shuffled from a recorded seed; schema-2 columns; the CI method in meta;
# the option checks; a run whose harness could not start its visits is
# complete=false and fails the gate.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
F='^(null|syscall_getppid|syscall_entry)/'

# --- R rounds, each configuration in each, the seed recorded --------------------------
d=$($P run --quick --rounds 4 --reps 8 --seed 42 --filter "$F" --out "$WORK/r4" --print-dir --progress \
	2> "$WORK/r4.err") || fail "run --rounds 4: $(cat "$WORK/r4.err")"
[ "$(csvq "$d/meta.csv" value key=rounds)" = 4 ] || fail "meta rounds"
[ "$(csvq "$d/meta.csv" value key=seed)" = 42 ] || fail "meta seed"
csvq "$d/meta.csv" value key=ci_method | grep -q '^batch-medians-t' || fail "meta ci_method"
nconf=$(csvq "$d/summary.csv" -n metric=ns_per_op)
[ "$nconf" -ge 8 ] || fail "expected at least 8 configurations, got $nconf"
# Every configuration has samples in rounds 1..4, two timed samples each.
for r in 1 2 3 4; do
	[ "$(csvq "$d/samples.csv" -n metric=ns_per_op round=$r)" -eq $((2 * nconf)) ] ||
		fail "round $r: not two ns_per_op samples of every configuration"
done
[ "$(csvq "$d/samples.csv" -n round=5)" -eq 0 ] || fail "a fifth round"
[ "$(csvq "$d/summary.csv" -n metric=ns_per_op rounds=4)" -eq "$nconf" ] || fail "summary rounds column"
for v in $(csvq "$d/summary.csv" between_cv_pct metric=ns_per_op); do
	case $v in '' | *[!0-9.e+-]*) fail "between_cv_pct '$v' is not a number" ;; esac
done
for b in $(csvq "$d/summary.csv" ci95_lo metric=ns_per_op); do [ -n "$b" ] || fail "an empty CI with 4 rounds"; done
echo "ok: 4 rounds x $nconf configurations, meta rounds/seed/ci_method, schema-2 columns"

# The order of visits is the seed's: the same seed gives the same order,
# and each round is a permutation of the configurations.
grep '^config ' "$WORK/r4.err" | sed 's/^config .* ETA [^:]*: //' > "$WORK/order42"
[ "$(wc -l < "$WORK/order42")" -eq $((4 * nconf)) ] || fail "progress lines: not 4 x $nconf visits"
$P run --quick --rounds 4 --reps 8 --seed 42 --filter "$F" --out "$WORK/r4b" --progress 2> "$WORK/r4b.err" >/dev/null ||
	fail "second run with seed 42"
grep '^config ' "$WORK/r4b.err" | sed 's/^config .* ETA [^:]*: //' > "$WORK/order42b"
cmp -s "$WORK/order42" "$WORK/order42b" || fail "seed 42 twice: different orders"
head -n "$nconf" "$WORK/order42" | sort > "$WORK/round1"
tail -n "$nconf" "$WORK/order42" | sort > "$WORK/round4"
cmp -s "$WORK/round1" "$WORK/round4" || fail "round 4 is not a permutation of round 1"
head -n "$nconf" "$WORK/order42" > "$WORK/ord1"
sed -n "$((nconf + 1)),$((2 * nconf))p" "$WORK/order42" > "$WORK/ord2"
sed -n "$((2 * nconf + 1)),$((3 * nconf))p" "$WORK/order42" > "$WORK/ord3"
if cmp -s "$WORK/ord1" "$WORK/ord2" && cmp -s "$WORK/ord2" "$WORK/ord3"; then fail "three rounds in one order: not shuffled"; fi
echo "ok: the seed fixes the order; every round visits every configuration, shuffled"

# --- one round: the window's CI, named as such ----------------------------------------------
d1=$($P run --quick --rounds 1 --filter '^null/' --out "$WORK/r1" --print-dir 2>/dev/null) || fail "run --rounds 1"
csvq "$d1/meta.csv" value key=ci_method | grep -q '^order-statistics' || fail "--rounds 1: ci_method"
[ "$(csvq "$d1/summary.csv" rounds metric=ns_per_op)" = 1 ] || fail "--rounds 1: rounds column"
[ -z "$(csvq "$d1/summary.csv" between_cv_pct metric=ns_per_op)" ] || fail "--rounds 1: a between-round CV"
echo "ok: --rounds 1 says order-statistics and has no between-round CV"

# --- options --------------------------------------------------------------------------------------
for bad in "--rounds 0" "--rounds 1.5" "--rounds x" "--seed -1" "--seed abc" "--reps 3 --rounds 4"; do
	# shellcheck disable=SC2086
	$P run $bad --filter '^null/' --out "$WORK/bad" > "$WORK/bad.out" 2> "$WORK/bad.err"; rc=$?
	[ "$rc" -eq 2 ] || fail "run $bad: exit $rc, want 2"
	[ "$(wc -l < "$WORK/bad.err")" -eq 1 ] || fail "run $bad: not one line on stderr"
	[ ! -e "$WORK/bad" ] || fail "run $bad: wrote $WORK/bad"
done
$P run --help | grep -q -- '--rounds R' || fail "run --help does not list --rounds"
$P run --help | grep -q 'sd(log round medians)' || fail "run --help does not say what the CI is"
echo "ok: bad --rounds/--seed/--reps exit 2 with one line, nothing written; --help says what the CI is"

# --- the harness cannot start its visits: failed rows with the errno, complete=false ---------------------
if command -v prlimit > /dev/null; then
	prlimit --nofile=5 "$P" run --quick --filter '^(null|syscall_getppid)/' --out "$WORK/fd" \
		> /dev/null 2> "$WORK/fd.err"; rc=$?
	[ "$rc" -eq 1 ] || fail "EMFILE run: exit $rc, want 1: $(cat "$WORK/fd.err")"
	grep -q 'Too many open files' "$WORK/fd.err" || fail "EMFILE run: the errno is not named"
	fd=$(run_dir "$WORK/fd")
	[ "$(csvq "$fd/meta.csv" value key=complete)" = false ] || fail "EMFILE run: complete is not false"
	[ "$(csvq "$fd/summary.csv" -n status=failed metric=ns_per_op)" -eq 2 ] || fail "EMFILE run: not two failed rows"
	csvq "$fd/summary.csv" note metric=ns_per_op | grep -q 'Too many open files' || fail "EMFILE run: rows without the reason"
	$P compare --min-decidable 0 "$d" "$fd" > /dev/null 2> "$WORK/fdcmp.err"; rc=$?
	[ "$rc" -eq 3 ] || fail "compare against the EMFILE run: exit $rc, want 3"
	echo "ok: EMFILE -> failed rows naming it, complete=false, exit 1; compare of it exits 3"
else
	echo "skip part: no prlimit"
fi
no_debris || fail "debris left"
