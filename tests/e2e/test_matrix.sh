#!/bin/sh
# plots/matrix.sh: the kernel-matrix report of three runs (two real ones and
# a copy), what it writes, and its refusals.  Never a timing.
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
M="env CSVQ=$CSVQ PRIMBENCH=$PRIMBENCH sh $top/plots/matrix.sh"
for s in a b; do
	"$PRIMBENCH" run --quick --rounds 3 --filter '^(null|syscall_getppid|sem)/' --out "$WORK/$s" > /dev/null 2>&1 ||
		fail "run $s"
done
A=$(run_dir "$WORK/a") B=$(run_dir "$WORK/b")
cp -r "$A" "$WORK/copy"
sums() { find "$A" "$B" "$WORK/copy" -type f | sort | xargs md5sum; }
before=$(sums)

$M "$A" "$B" "$WORK/copy" -o "$WORK/mx" 2> "$WORK/err"
check "three runs give exit 0" [ $? -eq 0 ]
R=$WORK/mx/MATRIX.md
check "MATRIX.md written" [ -s "$R" ]
check "one row per run in the runs table" [ "$(grep -c '^| [123] | ' "$R")" -eq 3 ]
check "a section per family that ran" [ "$(grep -c '^## \(null\|syscall_getppid\|sem\)$' "$R")" -eq 3 ]
check "no os_noise section" sh -c "! grep -q '^## os_noise' '$R'"
for b in null syscall_getppid sem; do
	check "figure of $b (PNG)" [ -s "$WORK/mx/plots/matrix_$b.png" ]
	check "figure of $b (SVG)" [ -s "$WORK/mx/plots/matrix_$b.svg" ]
	check "the report links the figure of $b" grep -q "(plots/matrix_$b.png)" "$R"
done
check "compare CSV of run 2 against run 1" [ -s "$WORK/mx/compare-2.csv" ]
check "compare CSV of run 3 against run 1" [ -s "$WORK/mx/compare-3.csv" ]
check "no compare CSV of run 1 against itself" [ ! -e "$WORK/mx/compare-1.csv" ]
check "the copy of run 1 has no gated verdict and a change of exactly 0" \
	sh -c "awk -F'|' '/^\| 3 /' '$R' | grep -q '| 0 | 0 |'"
check "every headline cell of the copy equals run 1's" \
	sh -c "grep '^| empty@single' '$R' | awk -F' [|] ' '{ split(\$2, a, \" [(]\"); split(\$4, c, \" [(]\"); exit !(a[1] == c[1]) }'"
check "labels of identical runs are told apart" grep -q '#3 |' "$R"
check "runs read, not changed" [ "$(sums)" = "$before" ]

# Refusals: one line on stderr, exit 2, nothing written.
refuse() {
	desc=$1; shift
	$M "$@" > "$WORK/out" 2> "$WORK/err"; rc=$?
	check "$desc: exit 2" [ $rc -eq 2 ]
	check "$desc: one line on stderr" [ "$(wc -l < "$WORK/err")" -eq 1 ]
}
refuse "one run" "$A" -o "$WORK/one"
check "one run: no folder" [ ! -e "$WORK/one" ]
refuse "existing -o" "$A" "$B" -o "$WORK/mx"
refuse "not a run folder" "$A" "$WORK" -o "$WORK/bad"
refuse "unknown option" "$A" "$B" --bogus
# The command: primbench report with several runs is this report.
"$PRIMBENCH" report "$A" "$B" -o "$WORK/cmd" > /dev/null 2>&1
check "primbench report A B: exit 0" [ $? -eq 0 ]
check "primbench report A B: MATRIX.md of 2 runs" [ "$(grep -c '^| [12] | ' "$WORK/cmd/MATRIX.md")" -eq 2 ]
"$PRIMBENCH" report "$A" "$B" --link-prefix x/ > /dev/null 2> "$WORK/err"
rc=$?
check "primbench report A B --link-prefix: exit 2" [ $rc -eq 2 ]
check "primbench report A B --link-prefix: one line on stderr" [ "$(wc -l < "$WORK/err")" -eq 1 ]
check "no temporary folder left" sh -c "! ls -a '$WORK' | grep -q '^\.matrix'"
echo "matrix: all checks passed"
