#!/bin/sh
# test_select.sh - choosing what runs: --x points by value with sizes,
# --filter's unanchored rule and its exact =NAME form, and the lines that
# say what --placement and --x left out (one per reason, on stderr, before
# the run), with their exit statuses.  The plans are made with --dry-run
# on the simulated topologies of tests/fixtures/topo, so they do not
# depend on this host: a one-node VM (same-cpu, same-cache, single,
# unpinned) and a two-package, four-node host with SMT.  One short real
# run shows that what can run runs.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
ONE=tests/fixtures/topo/host-1pack-2core-l3.xml
FOUR=tests/fixtures/topo/2pack-2numa-2l3-4core-2pu-linuxsmt.xml
# plan ARG...: `run --dry-run ARG...`: stdout to $WORK/out, stderr without
# the estimate line to $WORK/err; the exit status in $rc.  --out names a
# folder with no earlier run, whose skips the listing would mark.
plan() {
	"$P" run --dry-run --out "$WORK/none" "$@" > "$WORK/out" 2> "$WORK/err.all"
	rc=$?
	grep -v '^primbench: [0-9]* configurations x [0-9]* rounds' "$WORK/err.all" > "$WORK/err"
	[ ! -e "$WORK/none" ] || fail "--dry-run created its --out folder"
}
# same FILE TEXT: FILE holds exactly TEXT (lines).
same() { printf '%s\n' "$2" | cmp -s - "$1"; }

# --- --x: exactly the points asked for, by size ----------------------------------------
plan --topology "$ONE" --filter =proc_create/fork --x rss_bytes=4MiB,64MiB
check "--x: exit 0 ($rc: $(cat "$WORK/err"))" [ "$rc" -eq 0 ]
check "--x: the two points, at single ($(cat "$WORK/out"))" same "$WORK/out" \
"proc_create/fork rss_bytes=4194304 @single
proc_create/fork rss_bytes=67108864 @single"
check "--x: nothing left out, nothing said" [ ! -s "$WORK/err" ]
plan --topology "$ONE" --filter =proc_create/fork --x rss_bytes=4194304,1GiB --quick
check "--x: plain bytes and GiB, kept by --quick" same "$WORK/out" \
"proc_create/fork rss_bytes=4194304 @single
proc_create/fork rss_bytes=1073741824 @single"
plan --topology "$ONE" --filter '^mm_alloc/brk$' --x size_bytes=16KiB --quick
check "--x: a point --quick would drop runs when asked" same "$WORK/out" \
"mm_alloc/brk size_bytes=16384 @single"

# A point no selected variant has: refused in one line naming theirs.
plan --topology "$ONE" --filter =proc_create/fork --x rss_bytes=5MiB
check "--x 5MiB: exit 2" [ "$rc" -eq 2 ]
check "--x 5MiB: one line naming the points ($(cat "$WORK/err.all"))" same "$WORK/err.all" \
"primbench: --x rss_bytes=5MiB: not a sweep point of the selected variants (their rss_bytes points: 4MiB, 64MiB, 256MiB, 1GiB)"
check "--x 5MiB: nothing on stdout" [ ! -s "$WORK/out" ]
plan --x pages=4KiB
check "--x pages=4KiB: a count takes no unit" grep -qx "primbench: --x 'pages=4KiB': '4KiB': pages is a count, not bytes: plain numbers only" "$WORK/err"
check "--x pages=4KiB: exit 2" [ "$rc" -eq 2 ]

# A point only some variants have: they are named, the rest runs.
plan --topology "$ONE" --filter =proc_create --x rss_bytes=64MiB
check "--x 64MiB: exit 0" [ "$rc" -eq 0 ]
check "--x 64MiB: fork_exec_dyn named ($(cat "$WORK/err"))" same "$WORK/err" \
"primbench: --x rss_bytes=64MiB: not a point of proc_create/fork_exec_dyn; left out there"
check "--x 64MiB: every other variant at 64 MiB" [ "$(grep -c ' rss_bytes=67108864 @single$' "$WORK/out")" -eq 12 ]
check "--x 64MiB: nothing else" [ "$(wc -l < "$WORK/out")" -eq 12 ]

# --- --filter: unanchored, and the exact form -----------------------------------------
plan --topology "$ONE" --filter null
check "--filter null also matches write_devnull_1b" grep -q '^syscall_entry/write_devnull_1b ' "$WORK/out"
plan --topology "$ONE" --filter =null
check "--filter =null: only null/empty ($(cat "$WORK/out"))" same "$WORK/out" "null/empty @single"
plan --topology "$ONE" --filter =null/empty,syscall_getppid
check "--filter =null/empty,syscall_getppid" same "$WORK/out" \
"null/empty @single
syscall_getppid/getppid @single"
plan --filter =nul
check "--filter =nul: exit 2" [ "$rc" -eq 2 ]
check "--filter =nul: one line" same "$WORK/err.all" \
"primbench: --filter '=nul': no family or bench/variant named 'nul' (see primbench list)"

# --- --placement: what the host lacks, what the variants cannot use ---------------------
plan --topology "$ONE" --filter =sched_switch/proc_pipe --x wss_bytes=0 --placement same-cpu,cross-numa
check "one node: exit 0" [ "$rc" -eq 0 ]
check "one node: same-cpu runs ($(cat "$WORK/out"))" same "$WORK/out" "sched_switch/proc_pipe wss_bytes=0 @same-cpu"
check "one node: cross-numa is said to be missing ($(cat "$WORK/err"))" same "$WORK/err" \
"primbench: --placement cross-numa: this host does not offer it (1 NUMA node); left out (this host offers same-cpu, same-cache, single, unpinned)"
plan --topology "$FOUR" --filter =sched_switch/proc_pipe --x wss_bytes=0 --placement same-cpu,cross-numa
check "four nodes: both run, nothing said ($(cat "$WORK/err"))" [ ! -s "$WORK/err" ]
check "four nodes: both placements" same "$WORK/out" \
"sched_switch/proc_pipe wss_bytes=0 @same-cpu
sched_switch/proc_pipe wss_bytes=0 @cross-numa"

# A one-worker family asked for same-cpu: said, and the rest runs.
plan --topology "$ONE" --filter =null,sched_switch/proc_pipe --placement same-cpu
check "null with same-cpu: exit 0" [ "$rc" -eq 0 ]
check "null with same-cpu: proc_pipe runs" [ "$(grep -c '^sched_switch/proc_pipe .*@same-cpu$' "$WORK/out")" -eq 4 ]
check "null with same-cpu: null is said to be left out ($(cat "$WORK/err"))" same "$WORK/err" \
"primbench: left out null (one worker: runs only at single or unpinned, and --placement names neither)"
# Nothing at all remains: the reason, then the error, exit 2, nothing written.
"$P" run --filter =null --placement same-cpu --out "$WORK/o" > "$WORK/out" 2> "$WORK/err"
rc=$?
check "only null with same-cpu: exit 2" [ "$rc" -eq 2 ]
check "only null with same-cpu: the reason, then the error ($(cat "$WORK/err"))" same "$WORK/err" \
"primbench: left out null (one worker: runs only at single or unpinned, and --placement names neither)
primbench: nothing to run: --filter '=null' and --placement select no configuration on this host (see primbench list)"
check "only null with same-cpu: nothing written" [ ! -e "$WORK/o" ]
# One worker at single and two at smt, each where it can: nothing said.
plan --topology "$FOUR" --filter =null/empty,sched_switch/proc_pipe --placement single,smt
check "smt and single: each runs where it can" same "$WORK/out" \
"null/empty @single
sched_switch/proc_pipe wss_bytes=0 @smt
sched_switch/proc_pipe wss_bytes=16384 @smt
sched_switch/proc_pipe wss_bytes=262144 @smt
sched_switch/proc_pipe wss_bytes=4194304 @smt"
check "smt and single: nothing said ($(cat "$WORK/err"))" [ ! -s "$WORK/err" ]
# What --filter names and --x leaves out (it sweeps nothing --x names).
plan --topology "$FOUR" --filter =null/empty,sched_switch/proc_pipe --placement single,smt --x wss_bytes=0
check "--x leaves null out, and says so ($(cat "$WORK/err"))" same "$WORK/err" \
"primbench: --placement single: no selected variant has one worker; left out
primbench: left out null (--filter matches it, but it sweeps nothing --x names)"
check "--x: proc_pipe at its one point" same "$WORK/out" "sched_switch/proc_pipe wss_bytes=0 @smt"
plan --topology "$ONE" --filter =sched_switch/proc_pipe --placement single,same-cpu
check "single unused: said ($(cat "$WORK/err"))" same "$WORK/err" \
"primbench: --placement single: no selected variant has one worker; left out"
check "--topology without --dry-run is refused" sh -c '"$1" run --topology "$2" --out "$3/o" 2>/dev/null; [ $? -eq 2 ] && [ ! -e "$3/o" ]' sh "$P" "$ONE" "$WORK"

# --- a real run on this host: what can run runs ------------------------------------------
if "$P" list | sed -n '/^placements on this host:/,$p' | grep -q '^  cross-numa '; then
	want="primbench: --placement cross-numa: no selected variant has two workers; left out"
else
	want="primbench: --placement cross-numa: this host does not offer it"
fi
dir=$("$P" run --quick --rounds 2 --reps 2 --budget-ms 20 --filter =null --placement single,cross-numa \
	--out "$WORK/res" --print-dir 2> "$WORK/err")
check "run: exit 0 ($(cat "$WORK/err"))" [ $? -eq 0 ]
check "run: the cross-numa line ($want), before the results" sh -c \
	'grep -n -- "$1" "$2" | head -n 1 | grep -q "^1:"' sh "$want" "$WORK/err"
check "run: null/empty ran at single" [ "$(csvq "$dir/summary.csv" status bench=null variant=empty placement=single metric=ns_per_op)" = ok ]
check "run: nothing else ran" [ "$(csvq "$dir/summary.csv" -n metric=ns_per_op)" = 1 ]
check "run: meta records the selection" grep -q '^run_args,.*=null' "$dir/meta.csv"
no_debris || fail "debris left"
