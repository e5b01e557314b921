#!/bin/sh
# test_behaviour.sh - `primbench compare` gives, byte for byte, the output
# and exit status recorded in tests/fixtures/behaviour/ on the committed
# runs: the synthetic pair in tests/fixtures/compare/, the reference run in
# results/ (against itself, pooled, and against a copy made slower, faster,
# with keys gone, new and skipped), every case of tests/fixtures/bad_csv/,
# compare's command-line errors, and those of run, list and info (whose
# options one parser reads).  The golden files were made by the code
# before a refactoring, so that reshaping compare changes nothing a user
# sees.  Only the temporary folder's name is replaced (by WORK).
#
# BEHAVIOUR_UPDATE=1 writes the golden files instead of checking them; do
# that only for a change of behaviour that is meant, and say so in the
# commit.
. tests/e2e/lib.sh
set -u
export LC_ALL=C
P=$PRIMBENCH
G=tests/fixtures/behaviour
F=tests/fixtures/compare
# The reference run: the families below of the run once committed under
# results/ (vm_6.18.44-fc-v1045_20261201T145004Z), kept here so that a new
# reference run there does not change what this test compares.
ref=$G/ref
[ -f "$ref/samples.csv.gz" ] || fail "no $ref/samples.csv.gz"

# --- the runs ------------------------------------------------------------------------
# A: the reference run with its samples unpacked, cut to a few families
# (null, syscall_*, signal, sem, mm_cow's cow and first_touch, ipc_eventfd,
# os_noise) so that the golden files stay small.  B: A with syscall_entry
# 30% slower, mm_cow 30% faster, signal's raise_roundtrip gone,
# syscall_getppid renamed (its keys gone, and new under the other name) and
# sem's posix_sem rows marked skipped.  The key and status columns come
# before the only quoted one (note), so awk's fields are right for them.
A=$WORK/A
B=$WORK/B
mkdir -p "$A" "$B"
keep='$3 ~ /^(null|syscall_getppid|syscall_entry|signal|sem|ipc_eventfd|os_noise)$/ ||
	($3 == "mm_cow" && ($4 == "cow" || $4 == "first_touch"))'
awk -F, "NR == 1 || $keep" "$ref/summary.csv" > "$A/summary.csv"
gunzip -c "$ref/samples.csv.gz" | awk -F, "NR == 1 || $keep" > "$A/samples.csv"
cp "$ref/meta.csv" "$A/"
vcol=$(col "$A/samples.csv" value)
scol=$(col "$A/summary.csv" status)
# What B drops and renames, in both files.
edit='$3 == "signal" && $4 == "raise_roundtrip" { next }
	$3 == "syscall_getppid" { $3 = "syscall_getppid2" }'
awk -F, -v OFS=, -v v="$vcol" "$edit"'
	NR > 1 && $3 == "syscall_entry" { $v = sprintf("%.6f", $v * 1.3) }
	NR > 1 && $3 == "mm_cow" { $v = sprintf("%.6f", $v * 0.7) }
	{ print }' "$A/samples.csv" > "$B/samples.csv"
awk -F, -v OFS=, -v s="$scol" "$edit"'
	$3 == "sem" && $4 == "posix_sem" && $s == "ok" { $s = "skipped" }
	{ print }' "$A/summary.csv" > "$B/summary.csv"
cp "$A/meta.csv" "$B/meta.csv"

# --- the cases -----------------------------------------------------------------------
# case NAME ARGS...: run compare ARGS; write WORK/got/NAME: the exit status,
# stdout, stderr and the --out file (ARGS say WORK/NAME.csv for it).
mkdir -p "$WORK/got"
GOLDEN_CMD=compare
case_() { run_case "$@"; }
# run_case NAME ARGS...: the same for the command GOLDEN_CMD.
run_case() {
	name=$1
	shift
	rm -f "$WORK/$name.csv"
	"$P" "$GOLDEN_CMD" "$@" > "$WORK/stdout" 2> "$WORK/stderr" < /dev/null
	rc=$?
	{
		echo "exit $rc ($GOLDEN_CMD $*)"
		echo "--- stdout"
		if [ -n "${HEAD_ONLY:-}" ]; then head -n 1 "$WORK/stdout"; else cat "$WORK/stdout"; fi
		echo "--- stderr"
		cat "$WORK/stderr"
		if [ -e "$WORK/$name.csv" ]; then
			echo "--- $name.csv"
			cat "$WORK/$name.csv"
		fi
	} | sed "s,$WORK,WORK,g" >> "$WORK/got/$GOLDEN"
}

# Synthetic schema-1 runs (every key n/a: one round a side).
GOLDEN=fixtures.txt
case_ text "$F/base" "$F/cand"
case_ all --all "$F/base" "$F/cand"
case_ md --format md "$F/base" "$F/cand"
case_ mdall --format=md --all "$F/base" "$F/cand"
case_ csv --format csv --out "$WORK/csv.csv" "$F/base" "$F/cand"
case_ swap --min-decidable 0 --threshold 1 "$F/cand" "$F/base"
case_ pooled "$F/base" "$F/base" -- "$F/cand"

# The reference run (5 rounds): verdicts of every kind.
GOLDEN=run.txt
case_ self "$A" "$A"
case_ self0 --min-decidable 0 --out "$WORK/self0.csv" "$A" "$A"
case_ ab --out "$WORK/ab.csv" "$A" "$B"
case_ aball --all --threshold 2 --alpha 0.1 "$A" "$B"
case_ abmd --format md "$A" "$B"
case_ abmdall --format md --all "$A" "$B"
case_ abcsv --format csv "$A" "$B"
case_ ba --min-decidable 10 "$B" "$A"
case_ pool2 "$A" "$A" -- "$B" "$B"
mkdir -p "$WORK/runs"
cp -r "$A" "$WORK/runs/r1"
cp -r "$B" "$WORK/runs/r2"
case_ folder "$WORK/runs" "$A"
cp -r "$B" "$WORK/incomplete"
sed -i 's/^complete,true$/complete,false/' "$WORK/incomplete/meta.csv"
case_ incomplete "$A" "$WORK/incomplete"
cp -r "$A" "$WORK/tcg"
echo "accel,tcg" >> "$WORK/tcg/meta.csv"
case_ tcg "$A" "$WORK/tcg"
case_ tcgforce --force "$A" "$WORK/tcg"
case_ nosamples "$A" "$ref"

# Every bad-CSV case against the good folder it was made from, both ways.
GOLDEN=bad_csv.txt
for c in tests/fixtures/bad_csv/*/; do
	c=${c%/}
	n=${c##*/}
	rm -rf "$WORK/c"
	mkdir -p "$WORK/c"
	cp "$F/base"/*.csv "$WORK/c/"
	for f in "$c"/*.csv; do [ -f "$f" ] && cp "$f" "$WORK/c/"; done
	sed -n 's/^remove //p' "$c/case" | while read -r f; do rm -f "$WORK/c/$f"; done
	echo "=== $n" >> "$WORK/got/$GOLDEN"
	case_ bad --min-decidable 0 --format csv "$F/base" "$WORK/c"
	case_ bad --min-decidable 0 "$WORK/c" "$F/base"
done

# The command line: its errors and statuses.
GOLDEN=cli.txt
b=$F/base c=$F/cand
case_ e1
case_ e2 "$b"
case_ e3 "$b" "$c" "$b"
case_ e4 --bogus "$b" "$c"
for v in -1 abc nan inf 1e999 '' 1001 0 5.5; do case_ e5 --threshold "$v" "$b" "$c"; done
for v in 0 1 -0.5 2 nan abc '' 0.2; do case_ e6 --alpha "$v" "$b" "$c"; done
for v in -1 101 abc '' 100; do case_ e7 --min-decidable "$v" "$b" "$c"; done
for v in xml '' TEXT csv; do case_ e8 --format "$v" "$b" "$c"; done
for o in --threshold --alpha --min-decidable --format --out; do case_ e9 "$b" "$c" "$o"; done
case_ e10 --out '' "$b" "$c"
case_ e11 "$b" "$c" --out "$WORK/no/such/compare.csv"
case_ e12 -x "$b" "$c"
case_ e13 -xy "$b" "$c"
case_ e14 -h
case_ e15 --help
case_ e16 --help --bogus
case_ e17 --help "$b"
case_ e18 --thresh=5 "$b" "$c"
case_ e19 --force=1 "$b" "$c"
case_ e20 --al "$b" "$c"
case_ e21 "$b" -- "$c" --all
case_ e22 "$b" -- "$c" -- "$b"
case_ e23 --threshold=7 --alpha=0.2 --min-decidable=0 "$b" "$c"
case_ e24 "$b" --all "$c"
case_ e25 -- "$b" "$c"
case_ e26 "$b" "$c" --
case_ e27 - "$c"
case_ e28 --out -- "$b"
case_ e29 --all --all --force "$b" "$c"
case_ e30 --format text --format csv "$b" "$c"
case_ e31 "$b" "$WORK/nope"
case_ e32 --threshold= "$b" "$c"
case_ e33 --out= "$b" "$c"
case_ e34 --helpx "$b" "$c"
case_ e35 -hx "$b" "$c"

# The other commands' command lines, which share compare's option parser:
# errors and --help only (nothing runs).
GOLDEN=cli_run.txt
for cmd in run list info; do
	case_() { name=$1; shift; GOLDEN_CMD=$cmd; run_case "$name" "$@"; }
	case_ r1 -xy
	case_ r2 -x
	case_ r3 --topo
	case_ r4 --filter
	case_ r5 --quick=3
	case_ r6 --bogus
	case_ r7 extra
	case_ r8 -- extra
	case_ r9 --reps 1
	case_ r10 --rounds 2.5
	# Only the first line of the help: its text is not the parser's.
	HEAD_ONLY=1
	case_ r11 --help --bogus
	case_ r12 --he
	HEAD_ONLY=
	case_ r13 --quick --reps 3 --rounds 4
	case_ r14 --seed -1
	case_ r15 --placement same-core
	case_ r16 --events bogus
	case_ r17 --filter '(a'
	case_ r18 --timeout=0
	case_ r20 - x
done

# --- check (or record) ---------------------------------------------------------------
for g in fixtures.txt run.txt bad_csv.txt cli.txt cli_run.txt; do
	if [ -n "${BEHAVIOUR_UPDATE:-}" ]; then
		mkdir -p "$G"
		cp "$WORK/got/$g" "$G/$g"
		echo "ok: wrote $G/$g"
		continue
	fi
	[ -f "$G/$g" ] || fail "no golden file $G/$g (BEHAVIOUR_UPDATE=1 makes it)"
	diff -u "$G/$g" "$WORK/got/$g" > "$WORK/diff" ||
		fail "the output differs from $G/$g: $(head -c 3000 "$WORK/diff")"
	echo "ok: $g as recorded ($(grep -c '^exit [0-9]' "$G/$g") commands)"
done
