#!/bin/sh
# test_hostile_io.sh - descriptors and paths a hostile or careless caller
# hands primbench (issue 14, item 3):
#   - stdin, stdout or stderr closed (`2>&-`): the run's CSVs parse and hold
#     no progress line (summary.csv used to be opened on fd 2 and get them).
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

exit 0
