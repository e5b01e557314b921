#!/bin/sh
# test_progress.sh - the status line on a terminal: under a pseudo-terminal
# (util-linux script) one line redrawn in place ("\r\033[K" before each),
# "config i/N round r/R elapsed T ETA T: bench/variant ... @placement",
# i/N reaching N and r/R reaching R, then a plain final line; nothing of it
# when stderr is not a terminal.  Formats and counts only, never a time.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
F='^(null|syscall_getppid)/'
command -v script >/dev/null || { echo "skip: no script(1) (util-linux)"; exit 77; }

# --- on a terminal -------------------------------------------------------------------------
# script -q (no banner) -f (flush) -e (its exit status) -c CMD; stdout goes
# to a file so that only stderr reaches the terminal.
script -qfec "$P run --quick --rounds 3 --reps 6 --filter '$F' --out '$WORK/tty' --events none \
	> '$WORK/tty.out'" "$WORK/tty.typescript" > "$WORK/tty.screen" 2>&1 ||
	fail "run under a pty: $(cat "$WORK/tty.screen")"
# The status lines are separated by "\r\033[K", not newlines.
tr '\r' '\n' < "$WORK/tty.screen" | sed 's/^\x1b\[K//' | grep -v '^$' > "$WORK/tty.lines"
grep -q "$(printf '\r\033\\[K')config 1/" "$WORK/tty.screen" || fail "no status line redrawn with CR + erase"
status_re='^config [0-9]+/[0-9]+ round [0-9]+/3 elapsed [0-9hms]+ ETA ([0-9hms]+|\?): [a-z_]+/[a-z_0-9]+( [a-z_]+=[0-9]+)? @[a-z-]+$'
grep '^config ' "$WORK/tty.lines" > "$WORK/tty.status"
[ -s "$WORK/tty.status" ] || fail "no status line: $(cat "$WORK/tty.screen")"
bad=$(grep -Ev "$status_re" "$WORK/tty.status" | head -n 1)
[ -z "$bad" ] || fail "status line format: '$bad'"
n=$(sed -n 's,^config [0-9]*/\([0-9]*\) .*,\1,p' "$WORK/tty.status" | sort -u)
[ "$n" -eq 2 ] || fail "N is not the 2 configurations: $n"
for r in 1 2 3; do
	grep -q "^config 2/2 round $r/3 " "$WORK/tty.status" || fail "round $r does not reach config 2/2"
	grep -q "^config 1/2 round $r/3 " "$WORK/tty.status" || fail "round $r has no config 1/2"
done
[ "$(wc -l < "$WORK/tty.status")" -eq 6 ] || fail "not one status line per visit (6)"
# The first line knows no visit yet; every later one has a time for its ETA.
head -n 1 "$WORK/tty.status" | grep -q 'ETA ?:' || fail "first ETA is not '?'"
tail -n +2 "$WORK/tty.status" | grep -q 'ETA ?:' && fail "a later ETA is '?'"
last=$(grep -v '^config ' "$WORK/tty.lines" | grep -v '^primbench: results in' | tail -n 1)
echo "$last" | grep -Eq '^done: 6 visits of 2 configurations in 3 rounds, [0-9.]+ s$' ||
	fail "final line: '$last'"
# The final line ends with a newline and follows an erase of the status line.
grep -q "$(printf '\r\033\\[K')done: " "$WORK/tty.screen" || fail "final line does not erase the status line"
echo "ok: status line under a pty: i/N and r/R reach 2/2 and 3/3, plain final line"

# --- not a terminal: nothing -----------------------------------------------------------------
$P run --quick --rounds 3 --reps 6 --filter "$F" --out "$WORK/log" --events none \
	> /dev/null 2> "$WORK/log.err" || fail "run into a log: $(cat "$WORK/log.err")"
grep -Eq 'config |done: |ETA' "$WORK/log.err" && fail "progress in a log: $(cat "$WORK/log.err")"
grep -q "$(printf '\r')" "$WORK/log.err" && fail "a carriage return in a log"
echo "ok: stderr not a terminal: no status line"

# --- --progress into a log: one plain line per visit, no CR ---------------------------------------
$P run --quick --rounds 3 --reps 6 --filter "$F" --out "$WORK/plog" --events none --progress \
	> /dev/null 2> "$WORK/plog.err" || fail "run --progress: $(cat "$WORK/plog.err")"
[ "$(grep -Ec "$status_re" "$WORK/plog.err")" -eq 6 ] || fail "--progress: not 6 status lines"
grep -q "$(printf '\r')" "$WORK/plog.err" && fail "--progress into a log: a carriage return"
echo "ok: --progress into a log: one line per visit"

# --- --dry-run's estimate: its line says it is an estimate and what it assumes --------------
mkdir -p "$WORK/empty"
$P run --dry-run --quick --filter "$F" --out "$WORK/empty" > "$WORK/dry.out" 2> "$WORK/dry.err" ||
	fail "dry-run: $(cat "$WORK/dry.err")"
grep -Eq '^primbench: 2 configurations x 5 rounds: an estimate of about [0-9.]+ s \(.* ms a visit .*no earlier run of this host under --out: every operation assumed to fit a sample' \
	"$WORK/dry.err" || fail "estimate line without history: $(cat "$WORK/dry.err")"
# With the earlier complete run of this host (the one above) in --out.
$P run --dry-run --quick --filter "$F" --out "$WORK/log" > /dev/null 2> "$WORK/dryh.err" ||
	fail "dry-run with history: $(cat "$WORK/dryh.err")"
grep -q "operation costs of 2 configurations from $WORK/log/" "$WORK/dryh.err" ||
	fail "estimate line with history: $(cat "$WORK/dryh.err")"
echo "ok: --dry-run estimate line, with and without an earlier run"
