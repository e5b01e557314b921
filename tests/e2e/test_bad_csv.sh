#!/bin/sh
# test_bad_csv.sh - bad CSV input to `primbench compare` (and to the plots,
# where plots/render.sh and gnuplot are installed): a clear error or a
# correct result, never a crash (exit >= 128) or a sanitizer report.
#
# 1. The cases in tests/fixtures/bad_csv (see generate.sh there), each
#    compared both ways against the good folder it was made from, with the
#    expectation its `case` file states ("same" cases must give exactly the
#    verdicts of comparing the good folder with itself).
# 2. Inputs too big for the repository: a 1 MB note, a 10 MB line, a field
#    of exactly the reader's limit, a summary of 50 000 rows.
# 3. A live quick run cut at 8 pseudo-random offsets and with 8 pseudo-random
#    bytes overwritten (BAD_CSV_MUTATIONS=N for more): any outcome but a
#    crash.
# Run it with an ASan build (PRIMBENCH=build/asan/primbench) to also catch
# memory errors that do not crash.
. tests/e2e/lib.sh
set -u
export LC_ALL=C
P=$PRIMBENCH
good=tests/fixtures/compare/base
tried=0 crashes=0

# mkcase NAME SRC: WORK/c/NAME = the good folder with case SRC laid over it.
mkcase() {
	rm -rf "$WORK/c/$1"
	mkdir -p "$WORK/c/$1"
	cp "$good"/*.csv "$WORK/c/$1/"
	[ -n "$2" ] || return 0
	for f in "$2"/*.csv; do [ -f "$f" ] && cp "$f" "$WORK/c/$1/"; done
	sed -n 's/^remove //p' "$2/case" | while read -r f; do rm -f "$WORK/c/$1/$f"; done
}

# cmp_run BASE CAND: compare them; sets rc; the report in WORK/stdout,
# stderr in WORK/stderr, compare.csv in WORK/cmp.csv.
cmp_run() {
	rm -f "$WORK/cmp.csv"
	tried=$((tried + 1))
	# --min-decidable 0: the fixtures are schema-1 runs (one round, never
	# decidable); this test is about reading bad input, not about the gate.
	"$P" compare --min-decidable 0 --format csv --out "$WORK/cmp.csv" "$1" "$2" \
		> "$WORK/stdout" 2> "$WORK/stderr"
	rc=$?
	if [ "$rc" -ge 128 ] || grep -qi -e 'sanitizer' -e 'runtime error' "$WORK/stderr"; then
		crashes=$((crashes + 1))
		fail "compare $1 $2 crashed (exit $rc): $(head -c 600 "$WORK/stderr")"
	fi
}

# expect WHAT DESC: check the last cmp_run against WHAT (see generate.sh).
expect() {
	case "$1:$rc" in
	error:2 | any:2)
		[ "$(wc -l < "$WORK/stderr")" -eq 1 ] && grep -q '^primbench' "$WORK/stderr" ||
			fail "$2: exit 2 without one 'primbench' line: $(head -c 300 "$WORK/stderr")"
		[ ! -e "$WORK/cmp.csv" ] || fail "$2: exit 2 but compare.csv was written"
		[ ! -s "$WORK/stdout" ] || fail "$2: exit 2 but a report on stdout" ;;
	result:0 | result:1 | result:3 | same:0 | any:0 | any:1 | any:3)
		csvq "$WORK/cmp.csv" >/dev/null || fail "$2: compare.csv does not parse"
		cmp -s "$WORK/cmp.csv" "$WORK/stdout" || fail "$2: --format csv differs from compare.csv" ;;
	*) fail "$2: exit $rc, expected $1: $(head -c 300 "$WORK/stderr")" ;;
	esac
	if [ "$1" = same ]; then
		csvq "$WORK/cmp.csv" verdict > "$WORK/verdicts"
		cmp -s "$WORK/verdicts" "$WORK/ref.verdicts" || fail "$2: verdicts differ from the good input's"
		csvq "$WORK/cmp.csv" change_pct > "$WORK/changes"
		cmp -s "$WORK/changes" "$WORK/ref.changes" || fail "$2: changes differ from the good input's"
	fi
	return 0
}

# --- 1. the fixture cases ------------------------------------------------------------------
mkcase good ""
mkcase good2 ""
cmp_run "$WORK/c/good" "$WORK/c/good2"
[ "$rc" -eq 0 ] || fail "the good folder against itself: exit $rc: $(cat "$WORK/stderr")"
csvq "$WORK/cmp.csv" verdict > "$WORK/ref.verdicts"
csvq "$WORK/cmp.csv" change_pct > "$WORK/ref.changes"
ncase=0
for c in tests/fixtures/bad_csv/*/; do
	c=${c%/}
	name=$(basename "$c")
	what=$(sed -n 's/^expect //p' "$c/case")
	why=$(sed -n 's/^why //p' "$c/case")
	mkcase "$name" "$c"
	cmp_run "$WORK/c/good" "$WORK/c/$name"
	expect "$what" "$name (as CAND: $why)"
	r1=$rc
	cmp_run "$WORK/c/$name" "$WORK/c/good"
	expect "$what" "$name (as BASE: $why)"
	msg=""
	[ "$rc" = 2 ] && msg=": $(cat "$WORK/stderr")"
	echo "ok: $name: $what (exit $r1 / $rc)$msg"
	ncase=$((ncase + 1))
done
[ "$ncase" -ge 40 ] || fail "only $ncase fixture cases"

# --- 2. inputs too big to keep ------------------------------------------------------------------
big() { # big NAME EXPECT FILE AWK-PROGRAM: FILE of the good folder rewritten by AWK.
	mkcase "$1" ""
	awk -F, -v OFS=, "$4" "$good/$3" > "$WORK/c/$1/$3"
	cmp_run "$WORK/c/good" "$WORK/c/$1"
	expect "$2" "$1"
	echo "ok: $1: $2 (exit $rc)"
}
pad='function pad(n,  s) { s = "x"; while (length(s) < n) s = s s; return substr(s, 1, n) }'
big note_1mb error summary.csv "$pad NR == 2 { \$25 = pad(1048576) } { print }"
big line_10mb error summary.csv "$pad { print } END { printf \"%s\", pad(10485760) }"
big field_at_limit any summary.csv "$pad NR == 2 { \$25 = pad(65536) } { print }"
big field_over_limit error summary.csv "$pad NR == 2 { \$25 = pad(65537) } { print }"
big rows_50k result summary.csv 'NR > 1 { for (i = 0; i < 5000; i++) { v = $4; $4 = v "_" i; print; $4 = v } next } { print }'

# --- 2b. files that are not regular files --------------------------------------------------------
# A FIFO in place of a CSV, with a writer that would feed it the good file:
# read as a file it compared as "same" (and with no writer compare blocked
# forever in open); it must be refused with one line, exit 2, and nothing
# read.  The writer blocks in its open until a reader comes, so it is killed
# afterwards whatever happened: nothing here depends on timing.
for f in summary.csv samples.csv meta.csv; do
	mkcase "fifo_$f" ""
	rm -f "$WORK/c/fifo_$f/$f"
	mkfifo "$WORK/c/fifo_$f/$f" || fail "mkfifo"
	cat "$good/$f" > "$WORK/c/fifo_$f/$f" 2>/dev/null &
	writer=$!
	cmp_run "$WORK/c/good" "$WORK/c/fifo_$f"
	kill "$writer" 2>/dev/null
	wait "$writer" 2>/dev/null
	expect error "$f is a FIFO"
	grep -q "$f: a FIFO, not a regular file" "$WORK/stderr" || fail "$f as a FIFO: $(cat "$WORK/stderr")"
	echo "ok: $f as a FIFO: exit $rc: $(cat "$WORK/stderr")"
done
# A symbolic link to a device (endless zeros) and a directory in place of a CSV.
mkcase dev_summary ""
ln -sf /dev/zero "$WORK/c/dev_summary/summary.csv"
cmp_run "$WORK/c/dev_summary" "$WORK/c/good"
expect error "summary.csv -> /dev/zero"
grep -q "a character device, not a regular file" "$WORK/stderr" || fail "/dev/zero: $(cat "$WORK/stderr")"
mkcase dir_meta ""
rm -f "$WORK/c/dir_meta/meta.csv" && mkdir "$WORK/c/dir_meta/meta.csv"
cmp_run "$WORK/c/good" "$WORK/c/dir_meta"
expect error "meta.csv is a directory"
echo "ok: a device and a directory in place of a CSV: exit 2, one line"

# --- 3. a live run, cut and overwritten ------------------------------------------------------------
$P run --quick --reps 5 --budget-ms 20 --filter '^(null|syscall_getppid)/' --out "$WORK/live" \
	--print-dir > "$WORK/livedir" 2>/dev/null || fail "the quick run failed"
live=$(cat "$WORK/livedir")
i=0
nmut=${BAD_CSV_MUTATIONS:-16}
while [ $i -lt "$nmut" ]; do
	f=summary.csv
	[ $((i % 3)) -eq 1 ] && f=samples.csv
	[ $((i % 3)) -eq 2 ] && f=meta.csv
	size=$(wc -c < "$live/$f")
	off=$(awk -v n="$i" -v s="$size" 'BEGIN { srand(n + 1); print int(rand() * s) }')
	rm -rf "$WORK/m" && cp -r "$live" "$WORK/m"
	if [ $((i % 2)) -eq 0 ]; then
		head -c "$off" "$live/$f" > "$WORK/m/$f"
	else
		# One byte replaced by a pseudo-random one, the rest kept.
		{ head -c "$off" "$live/$f"
		  awk -v n="$i" 'BEGIN { srand(n + 99); printf "%c", int(rand() * 255) + 1 }'
		  tail -c +$((off + 2)) "$live/$f"; } > "$WORK/m/$f"
	fi
	cmp_run "$live" "$WORK/m"
	expect any "live run, $f cut/overwritten at byte $off"
	cmp_run "$WORK/m" "$live"
	expect any "live run, $f cut/overwritten at byte $off (as BASE)"
	i=$((i + 1))
done
echo "ok: $nmut mutations of a live run"

# --- the plots, where they can be drawn --------------------------------------------------------
if [ -f plots/render.sh ] && command -v gnuplot >/dev/null && command -v parallel >/dev/null; then
	np=0
	for name in trunc_summary_midrow no_note_column garbage quotes_commas_note all_skipped \
		    note_1mb; do
		[ -d "$WORK/c/$name" ] || continue
		rm -rf "$WORK/plot" && cp -r "$WORK/c/$name" "$WORK/plot"
		CSVQ=$CSVQ sh plots/render.sh "$WORK/plot" > "$WORK/stdout" 2> "$WORK/stderr"
		prc=$?
		tried=$((tried + 1))
		np=$((np + 1))
		[ "$prc" -lt 128 ] || { crashes=$((crashes + 1)); fail "plots crashed on $name (exit $prc)"; }
		case $prc in
		0) ;;
		1 | 2) [ -s "$WORK/stderr" ] || fail "plots: $name: exit $prc without a message" ;;
		*) fail "plots: $name: exit $prc: $(head -c 300 "$WORK/stderr")" ;;
		esac
	done
	echo "ok: plots on $np bad folders: an error or a drawing, never a crash"
else
	echo "note: plots not checked (plots/render.sh, gnuplot or parallel missing)"
fi

echo "ok: $tried bad CSV inputs, $crashes crashes"
[ -n "${FAULTS_TABLE:-}" ] && echo "csv_inputs_tried $tried" >> "$FAULTS_TABLE"
exit 0
