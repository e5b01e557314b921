#!/bin/sh
# test_hostile_io.sh - descriptors and paths a hostile or careless caller
# hands primbench (issue 14, items 3 and 12):
#   - stdin, stdout or stderr closed (`2>&-`): the run's CSVs parse and hold
#     no progress line (summary.csv used to be opened on fd 2 and get them);
#   - list and info writing into a full device: exit 1 and one line, not 0;
#   - `--out newdir/` (trailing slash) is accepted, the folder printed
#     without "//";
#   - an --out too long for the run's files under it is refused with one
#     line and creates nothing (it used to leave an empty folder).
# Nothing here depends on timing.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
RUN="run --quick --reps 5 --budget-ms 20"

# --- 1. closed descriptors ---------------------------------------------------------
# check_run DIR: one run folder under DIR whose CSVs parse, with the rows
# of both configurations and no progress line, and meta complete=true.
check_run() {
	d=$(run_dir "$1")
	[ -n "$d" ] && [ -d "$d" ] || fail "$1: no run folder"
	for f in summary samples meta; do
		csvq "$d/$f.csv" > /dev/null || fail "$1: $f.csv does not parse"
		! grep -qE '^\[ *[0-9]+/|^primbench: ' "$d/$f.csv" || fail "$1: $f.csv holds progress or messages: $(grep -E '^\[ *[0-9]+/|^primbench: ' "$d/$f.csv" | head -n 2)"
	done
	[ "$(csvq "$d/meta.csv" value key=complete)" = true ] || fail "$1: meta complete is not true"
	[ "$(csvq "$d/summary.csv" -n bench=null status=ok)" -gt 0 ] || fail "$1: no null row"
	[ "$(csvq "$d/summary.csv" -n bench=ipc_pipe variant=pipe status=ok)" -gt 0 ] || fail "$1: no ipc_pipe/pipe row"
}
filter='^(null|ipc_pipe/pipe$)'
$P $RUN --filter "$filter" --placement same-cpu,single --progress --out "$WORK/fd2" 2>&- > /dev/null
check "stderr closed: exit 0" [ $? -eq 0 ]
check_run "$WORK/fd2"
echo "ok: stderr closed: the CSVs are whole, no progress line in them"
$P $RUN --filter "$filter" --placement same-cpu,single --progress --print-dir --out "$WORK/fd1" >&- 2> /dev/null
check "stdout closed: exit 0" [ $? -eq 0 ]
check_run "$WORK/fd1"
$P $RUN --filter "$filter" --placement same-cpu,single --out "$WORK/fd0" --print-dir <&- > "$WORK/fd0.out" 2> /dev/null
check "stdin closed: exit 0" [ $? -eq 0 ]
check_run "$WORK/fd0"
check "stdin closed: --print-dir still prints the folder" [ "$(cat "$WORK/fd0.out")" = "$(run_dir "$WORK/fd0")" ]
$P $RUN --filter "$filter" --placement same-cpu,single --progress --print-dir --out "$WORK/fdall" <&- >&- 2>&-
check "all three closed: exit 0" [ $? -eq 0 ]
check_run "$WORK/fdall"
$P list <&- >&- 2>&-
check "list with all three closed: exit 0 (written to /dev/null)" [ $? -eq 0 ]
echo "ok: stdin, stdout or all three closed: the CSVs are whole"

# --- 2. write errors on stdout -----------------------------------------------------------
if [ -c /dev/full ] && [ -w /dev/full ]; then
	for cmd in list info --help --version; do
		$P $cmd > /dev/full 2> "$WORK/err"
		rc=$?
		[ $rc -eq 1 ] || fail "$cmd > /dev/full: exit $rc, want 1: $(cat "$WORK/err")"
		[ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "$cmd > /dev/full: $(wc -l < "$WORK/err") lines on stderr"
		grep -q "^primbench: $cmd: writing to stdout failed: " "$WORK/err" ||
			fail "$cmd > /dev/full: $(cat "$WORK/err")"
		$P $cmd > /dev/null || fail "$cmd > /dev/null failed"
		echo "ok: $cmd > /dev/full: exit 1: $(cat "$WORK/err")"
	done
	# run --print-dir: the run is made, but the folder could not be told.
	$P run --quick --rounds 1 --filter '^null/' --out "$WORK/pd" --print-dir > /dev/full 2> "$WORK/err"
	rc=$?
	[ $rc -eq 1 ] || fail "run --print-dir > /dev/full: exit $rc, want 1"
	grep -q "^primbench: run --print-dir: writing to stdout failed: " "$WORK/err" ||
		fail "run --print-dir > /dev/full: $(cat "$WORK/err")"
	echo "ok: run --print-dir > /dev/full: exit 1"
else
	echo "note: no writable /dev/full: write errors on stdout not tested"
fi

# --- 3. --out with trailing slashes -----------------------------------------------------
for o in "$WORK/newdir/" "$WORK/newdir2///"; do
	printed=$($P $RUN --filter '^null/' --out "$o" --print-dir 2> "$WORK/err")
	rc=$?
	[ $rc -eq 0 ] || fail "--out '$o': exit $rc: $(cat "$WORK/err")"
	base=$(echo "$o" | sed 's,/*$,,')
	[ "$printed" = "$(run_dir "$base")" ] || fail "--out '$o': printed '$printed', folder '$(run_dir "$base")'"
	case $printed in *//*) fail "--out '$o': printed '$printed' with //" ;; esac
	csvq "$printed/summary.csv" > /dev/null || fail "--out '$o': summary.csv does not parse"
done
echo "ok: --out newdir/ and newdir2/// are accepted; the folder is printed without //"

# --- 4. an --out too long for what the run writes under it -----------------------------
# Folders of 200-byte names up to 4046 bytes, all created: --out is then a
# missing last folder of 4050 bytes in an existing, writable parent.
deep=$WORK/long
while [ ${#deep} -lt 3840 ]; do deep=$deep/$(printf '%0200d' 0 | tr 0 d); done
deep=$deep/$(printf "%0$((4046 - ${#deep} - 1))d" 0 | tr 0 e)
mkdir -p "$deep" || fail "cannot make the deep folder (${#deep} bytes)"
o=$deep/new
[ ${#o} -eq 4050 ] || fail "the long --out has ${#o} bytes, not 4050"
$P $RUN --filter '^null/' --out "$o" > "$WORK/out" 2> "$WORK/err"
rc=$?
[ $rc -eq 2 ] || fail "--out of ${#o} bytes: exit $rc, want 2: $(head -c 300 "$WORK/err")"
[ "$(wc -l < "$WORK/err")" -eq 1 ] || fail "--out of ${#o} bytes: $(wc -l < "$WORK/err") lines on stderr"
grep -q "too long" "$WORK/err" || fail "--out of ${#o} bytes: $(head -c 300 "$WORK/err")"
[ ! -e "$o" ] || fail "--out of ${#o} bytes was refused but created"
[ -z "$(ls -A "$deep")" ] || fail "--out of ${#o} bytes left $(ls -A "$deep")"
[ ! -s "$WORK/out" ] || fail "--out of ${#o} bytes: something on stdout"
echo "ok: --out of ${#o} bytes: exit 2, nothing created: $(head -c 160 "$WORK/err")"
exit 0
