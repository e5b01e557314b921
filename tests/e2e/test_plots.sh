#!/bin/sh
# test_plots.sh - plots/render.sh and plots/report.sh on a fixed run.
#
# tests/fixtures/plots is a small hand-made run folder (every family, a
# failed point in the middle of a line, a skipped tail, a failed validation,
# a note with commas and doubled quotes, a compare.csv).  It is copied into
# $WORK first; nothing is written into tests/.  Checks:
#   - every expected figure exists as a PNG (PNG signature) and an SVG
#     (starts with <?xml or <svg, ends with </svg>);
#   - the report exists, every image it links to exists, and it carries the
#     notes of the skipped/failed rows and the failed validation verbatim;
#   - --link-prefix produces links that resolve from the prefix's base;
#   - a run without some families draws no figure for them and no error,
#     and a stale figure of theirs is removed;
#   - if the repository's top-level REPORT.md exists, its images exist.
# No timing is asserted.
. tests/e2e/lib.sh
command -v gnuplot >/dev/null || { echo "gnuplot not installed (make deps)"; exit 77; }
command -v parallel >/dev/null || { echo "GNU parallel not installed (make deps)"; exit 77; }
: "${WORK:?}"
# CSVQ comes from make test-e2e; without it render.sh builds its own.
[ -n "${CSVQ:-}" ] && export CSVQ

figures="proc_create_bars proc_create_rss mm_cow sched_switch_bars sched_switch_wss mm_alloc
	ipc_throughput ipc_latency_cdf syscall_entry signal sem os_noise os_noise_samples compare"

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
is_svg() {
	head -c 200 "$1" | tr -d '\n' | grep -Eq '^[[:space:]]*(<\?xml|<svg)' &&
		[ "$(tail -c 64 "$1" | tr -d ' \n\t' | tail -c 6)" = "</svg>" ]
}
# links FILE: the image paths a Markdown file links to, one per line.
links() { grep -o '!\[[^]]*\]([^)]*)' "$1" | sed 's/.*](\(.*\))$/\1/'; }

run=$WORK/fixture
cp -R tests/fixtures/plots "$run"
check "render.sh draws the fixture" sh plots/render.sh "$run"
for f in $figures; do
	check "$f.png is a PNG" is_png "$run/plots/$f.png"
	check "$f.svg is an SVG" is_svg "$run/plots/$f.svg"
done
n=$(ls "$run/plots" | wc -l)
check "exactly the expected files (got $n)" [ "$n" -eq $(( $(echo $figures | wc -w) * 2 )) ]

check "report.sh writes REPORT.md" sh plots/report.sh "$run"
check "REPORT.md exists" [ -s "$run/REPORT.md" ]
nl=$(links "$run/REPORT.md" | wc -l)
check "REPORT.md links each figure once ($nl links)" [ "$nl" -eq $(echo $figures | wc -w) ]
for l in $(links "$run/REPORT.md"); do
	check "report link $l exists" [ -f "$run/$l" ]
done
# Notes are read with the project's CSV reader: commas and doubled quotes survive.
check "report quotes the failed row's note" grep -qF 'exec of "primbench-helper" failed, errno 2 (ENOENT)' "$run/REPORT.md"
check "report lists the failed validation" grep -qF 'expected ~1 minor fault per page, saw 0.502 (8225 of 16384)' "$run/REPORT.md"
check "report names absent placements" grep -q 'cross-numa' "$run/REPORT.md"
check "report has the host fingerprint" grep -qF '| kernel_release | 6.1.0-fixture |' "$run/REPORT.md"

# The top-level copy: links prefixed so that they resolve from the repository root.
sh plots/report.sh "$run" -o - --link-prefix fixture/ > "$WORK/TOP.md"
check "prefixed report written" [ -s "$WORK/TOP.md" ]
for l in $(links "$WORK/TOP.md"); do
	check "prefixed link $l exists" [ -f "$WORK/$l" ]
done
check "report.sh rejects an unknown option" sh -c '! sh plots/report.sh "$1" --bogus 2>/dev/null' sh "$run"
check "render.sh rejects a folder without summary.csv" sh -c '! sh plots/render.sh "$1" 2>/dev/null' sh "$WORK/nowhere"

# Families missing from the data: no figure, no error, stale figures removed.
part=$WORK/partial
cp -R "$run" "$part"
grep -v -e ',mm_cow,' -e ',ipc_' -e ',os_noise,' "$run/summary.csv" > "$part/summary.csv"
grep -v -e ',ipc_' -e ',os_noise,' "$run/samples.csv" > "$part/samples.csv"
rm -f "$part/compare.csv"
check "render.sh draws a partial run" sh plots/render.sh "$part"
for f in mm_cow ipc_throughput ipc_latency_cdf os_noise os_noise_samples compare; do
	check "no $f figure without its data" sh -c '[ ! -e "$1.png" ] && [ ! -e "$1.svg" ]' sh "$part/plots/$f"
done
check "proc_create still drawn" is_png "$part/plots/proc_create_rss.png"
check "report.sh on the partial run" sh plots/report.sh "$part"
check "partial report names the absent families" grep -q 'Families with no rows in this run.*mm_cow' "$part/REPORT.md"
for l in $(links "$part/REPORT.md"); do
	check "partial report link $l exists" [ -f "$part/$l" ]
done

# A run with none of the plotted families draws nothing and succeeds.
empty=$WORK/empty
mkdir -p "$empty"
cp "$run/meta.csv" "$empty/"
head -n 1 "$run/summary.csv" > "$empty/summary.csv"
head -n 1 "$run/samples.csv" > "$empty/samples.csv"
check "render.sh on a run without rows" sh plots/render.sh "$empty"
check "report.sh on a run without rows" sh plots/report.sh "$empty"

# One placement's panel with only skipped points (a clean run of
# sched_switch/proc_yield, which hands over only on one CPU): the panel says
# "did not run" and the figure is drawn; gnuplot used to stop on autoscaling
# y over no point, and render.sh then exited 1 (make plots: 2).
yield=$WORK/yield
mkdir -p "$yield"
cp "$run/meta.csv" "$yield/"
head -n 1 "$run/samples.csv" > "$yield/samples.csv"
{
	head -n 1 "$run/summary.csv"
	id=fixture-host_6.1.0-fixture_20250101T000000Z
	for x in 0 16384 262144 4194304; do
		echo "1,$id,sched_switch,proc_yield,wss_bytes,$x,same-cpu,ns_per_op,ns,10,100,5000,5200,5210,5400,5400,5400,90,60,5100,5300,1.7,pass,ok,"
		echo "1,$id,sched_switch,proc_yield,wss_bytes,$x,same-cache,ns_per_op,ns,0,,,,,,,,,,,,,n/a,skipped,\"sched_yield hands over only between tasks on one CPU; at same-cache, no hand-off\""
	done
} > "$yield/summary.csv"
check "render.sh draws a run whose same-cache panel only skipped" sh plots/render.sh "$yield"
check "sched_switch_wss.png drawn" is_png "$yield/plots/sched_switch_wss.png"
check "sched_switch_wss.svg drawn" is_svg "$yield/plots/sched_switch_wss.svg"
check "the empty panel says it did not run" grep -q 'did not run (see' "$yield/plots/sched_switch_wss.svg"
check "sched_switch_bars drawn" is_png "$yield/plots/sched_switch_bars.png"

# The committed top-level report, once there is one.
if [ -f REPORT.md ]; then
	for l in $(links REPORT.md); do
		check "REPORT.md link $l exists" [ -f "$l" ]
	done
fi
check "fixture untouched" sh -c '[ ! -e tests/fixtures/plots/plots ] && [ ! -e tests/fixtures/plots/REPORT.md ]'

# An absent CI is n/a, never [0, 0], and each point shows its own n: one
# round of 2 samples has no CI (order statistics need 6).
nr=$("$PRIMBENCH" run --quick --rounds 1 --reps 2 --filter '^null/' --out "$WORK/nci" --print-dir 2>/dev/null) ||
	fail "run with no CI"
[ -z "$("$CSVQ" "$nr/summary.csv" ci95_lo metric=ns_per_op)" ] || fail "2 samples got a CI"
check "report.sh on a run without CIs" sh plots/report.sh "$nr"
check "an absent CI reads [n/a]" grep -q '| null/empty | single | ns_per_op | - | [^|]* \[n/a\] ns (n 2, 1 round) |' "$nr/REPORT.md"
check "no [0, 0] CI" sh -c "! grep -q '\[0, 0\]' '$nr/REPORT.md'"
echo "plots: all checks passed"
