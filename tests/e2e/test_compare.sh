#!/bin/sh
# test_compare.sh - compare and ci/gate end to end on real runs: a run
# against itself is all `same` with exit 0; an A/A pair of quick runs never
# exits 2 and writes a parseable compare.csv; bad input exits 2 and writes
# nothing; the gate passes the status through.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
a=$($P run --quick --filter '^(null|syscall_getppid)/' --out "$WORK/a" --print-dir 2>/dev/null) || fail "run A"
b=$($P run --quick --filter '^(null|syscall_getppid)/' --out "$WORK/b" --print-dir 2>/dev/null) || fail "run B"

$P compare --out "$WORK/self.csv" "$a" "$a" > "$WORK/self.txt" || fail "a run against itself must exit 0"
csvq "$WORK/self.csv" >/dev/null || fail "compare.csv does not parse"
n=$(csvq "$WORK/self.csv" -n metric=ns_per_op)
[ "$n" -eq 2 ] || fail "self-compare: expected 2 ns_per_op keys, got $n"
[ "$(csvq "$WORK/self.csv" -n metric=ns_per_op verdict=same)" -eq 2 ] || fail "self-compare: not all same"
echo "ok: a run against itself is all same"

$P compare --out "$WORK/ab.csv" "$a" "$b" > "$WORK/ab.txt"
rc=$?
[ "$rc" -le 1 ] || fail "A/A compare exited $rc"
csvq "$WORK/ab.csv" >/dev/null || fail "A/A compare.csv does not parse"
echo "ok: A/A compare exits $rc; verdicts: $(csvq "$WORK/ab.csv" verdict metric=ns_per_op | sort | uniq -c | tr '\n' ' ')"

$P compare "$a" "$WORK/nope" > "$WORK/out" 2> "$WORK/err"; rc=$?
[ "$rc" -eq 2 ] || fail "missing folder: exit $rc"
[ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "missing folder: not one line on stderr"
$P compare --threshold abc "$a" "$b" 2>/dev/null; [ $? -eq 2 ] || fail "bad --threshold must exit 2"
echo "ok: bad input exits 2"

PRIMBENCH=$P sh ci/gate "$a" "$a" > "$WORK/gate.md" || fail "gate on identical runs must pass"
grep -q 'primbench gate: pass' "$WORK/gate.md" || fail "gate did not say pass"
PRIMBENCH=$P sh ci/gate "$a" "$WORK/nope" > /dev/null 2>&1; [ $? -eq 2 ] || fail "gate must pass exit 2 through"
echo "ok: ci/gate"
