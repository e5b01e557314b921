#!/bin/sh
# test_compare.sh - compare and ci/gate end to end on a real run.  Every
# check here is deterministic: it holds whatever this machine's noise, since
# a run compared with itself has no change at all, and the gate's failures
# are made by editing a copy (incomplete, keys gone, empty).
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
a=$($P run --quick --filter '^(null|syscall_getppid)/' --out "$WORK/a" --print-dir 2>/dev/null) || fail "run A"
ls -lR "$a" > "$WORK/a.before"

# --- a run against itself -----------------------------------------------------------
$P compare --min-decidable 0 --out "$WORK/self.csv" "$a" "$a" > "$WORK/self.txt" 2> "$WORK/self.err" ||
	fail "a run against itself must exit 0 with --min-decidable 0: $(cat "$WORK/self.err")"
csvq "$WORK/self.csv" >/dev/null || fail "compare.csv does not parse"
[ "$(csvq "$WORK/self.csv" -n metric=ns_per_op gated=1)" -eq 2 ] || fail "self-compare: expected 2 gated keys"
[ "$(csvq "$WORK/self.csv" -n base_rounds=5 metric=ns_per_op)" -eq 2 ] || fail "self-compare: 5 rounds a side"
for v in $(csvq "$WORK/self.csv" change_pct metric=ns_per_op); do
	[ "$v" = 0 ] || fail "self-compare: change $v, not 0"
done
[ "$(csvq "$WORK/self.csv" -n verdict=slower)" -eq 0 ] && [ "$(csvq "$WORK/self.csv" -n verdict=faster)" -eq 0 ] ||
	fail "self-compare: a verdict on identical data"
echo "ok: a run against itself: change 0 on every gated key, no verdict"

# Several runs a side pool their rounds: BASE -- CAND CAND.
$P compare --min-decidable 0 --out "$WORK/pool.csv" "$a" -- "$a" "$a" > /dev/null 2>&1 || fail "pooled compare"
[ "$(csvq "$WORK/pool.csv" -n cand_rounds=10 metric=ns_per_op)" -eq 2 ] || fail "two runs a side: 10 rounds"
echo "ok: two candidate runs pool to 10 rounds"

# --out into a FIFO: written as it is (a reader is already waiting on it).
mkfifo "$WORK/fifo"
cat "$WORK/fifo" > "$WORK/from-fifo" &
reader=$!
$P compare --min-decidable 0 --out "$WORK/fifo" "$a" "$a" > /dev/null 2>&1 || fail "compare --out FIFO"
wait $reader
[ -p "$WORK/fifo" ] || fail "the FIFO was replaced"
cmp -s "$WORK/from-fifo" "$WORK/self.csv" || fail "the FIFO did not get compare.csv"
echo "ok: --out onto a FIFO writes into it and leaves it a FIFO"

# compare changes no run it reads.
ls -lR "$a" > "$WORK/a.after"
cmp -s "$WORK/a.before" "$WORK/a.after" || fail "compare wrote into the run it read"
echo "ok: the run folder is unchanged"

# --- the gate cannot pass by accident ------------------------------------------------------
# gate_case NAME WANT PATTERN: compare A with WORK/NAME, expect the exit
# status and PATTERN in the one-line reason on stderr.
gate_case() {
	$P compare --min-decidable 0 "$a" "$WORK/$1" > "$WORK/$1.txt" 2> "$WORK/$1.err"
	rc=$?
	[ "$rc" -eq "$2" ] || fail "$1: exit $rc, want $2: $(cat "$WORK/$1.err")"
	grep -q "$3" "$WORK/$1.err" || fail "$1: no '$3' on stderr: $(cat "$WORK/$1.err")"
	echo "ok: $1: exit $rc ($(tail -n 1 "$WORK/$1.err"))"
}
cp -r "$a" "$WORK/incomplete"
sed -i 's/^complete,true$/complete,false/' "$WORK/incomplete/meta.csv"
gate_case incomplete 3 'a candidate run is incomplete'
cp -r "$a" "$WORK/gone"
for f in summary samples; do grep -v ',syscall_getppid,' "$a/$f.csv" > "$WORK/gone/$f.csv"; done
gate_case gone 3 '1 gated key of the base is not in the candidate'
mkdir "$WORK/empty"
cp "$a/meta.csv" "$WORK/empty/"
for f in summary samples; do head -n 1 "$a/$f.csv" > "$WORK/empty/$f.csv"; done
gate_case empty 3 'the candidate has no row that ran'

# --- bad input -----------------------------------------------------------------------------
$P compare "$a" "$WORK/nope" > "$WORK/out" 2> "$WORK/err"; rc=$?
[ "$rc" -eq 2 ] || fail "missing folder: exit $rc"
[ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "missing folder: not one line on stderr"
[ ! -s "$WORK/out" ] || fail "missing folder: a report on stdout"
$P compare --threshold abc "$a" "$a" 2>/dev/null; [ $? -eq 2 ] || fail "bad --threshold must exit 2"
$P compare --help | grep -q '^exit status: 0 no gated key slower' || fail "compare --help lists no exit status"
for o in --threshold --alpha --min-decidable --format --all --out --force; do
	$P compare --help | grep -q -- "  $o" || fail "compare --help does not list $o"
done
echo "ok: bad input exits 2; --help lists every option and the exit statuses"

# --- ci/gate passes the status through -----------------------------------------------------------
PRIMBENCH=$P sh ci/gate "$a" "$a" --min-decidable 0 > "$WORK/gate.md" || fail "gate on identical runs must pass"
grep -q 'primbench gate: pass' "$WORK/gate.md" || fail "gate did not say pass"
PRIMBENCH=$P sh ci/gate "$a" "$WORK/incomplete" --min-decidable 0 > "$WORK/gate3.md" 2>/dev/null; rc=$?
[ "$rc" -eq 3 ] || fail "gate on an incomplete candidate: exit $rc, want 3"
grep -q 'primbench gate: FAIL, inconclusive.*incomplete' "$WORK/gate3.md" || fail "gate did not say why"
# A folder of runs is a side.
mkdir "$WORK/runs" && cp -r "$a" "$WORK/runs/r1" && cp -r "$a" "$WORK/runs/r2"
PRIMBENCH=$P sh ci/gate "$a" "$WORK/runs" --min-decidable 0 > "$WORK/gate2.md" || fail "gate with a folder of runs"
grep -q '2 gated keys tested' "$WORK/gate2.md" || fail "gate with a folder of runs: method line"
PRIMBENCH=$P sh ci/gate "$a" "$WORK/nope" > /dev/null 2>&1; [ $? -eq 2 ] || fail "gate must pass exit 2 through"
echo "ok: ci/gate: pass, inconclusive (3), folder of runs, bad input (2)"
no_debris || fail "debris left"
