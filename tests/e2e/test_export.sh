#!/bin/sh
# test_export.sh - primbench export on two small real runs, read by the
# tools the formats are for:
#   - gbench-json: valid JSON (python3 -m json.tool); one iteration entry
#     per ns_per_op sample; Debian's own google/benchmark compare.py
#     (libbenchmark-tools, under Debian's python3 with scipy) parses both
#     exports and prints rows for every exported name, its aggregates and
#     the geomean;
#   - benchstat: every line is a comment, a blank, a configuration line or
#     a result line of the Go benchmark format (golang.org/design/14313),
#     checked with a regular expression; one result line per sample;
#   - stdout and --out give the same bytes; --out leaves no temporary file;
#   - bad input (no run, unknown format, --out inside the run, a folder, a
#     missing parent) exits 2 with one line on stderr and writes nothing;
#   - the runs are never changed.
# Deterministic: what is checked is structure and counts, never a timing.
. tests/e2e/lib.sh
set -u
P=$PRIMBENCH
# Debian's python3 (a python3 earlier in PATH, such as pyenv's, may lack scipy).
PY=/usr/bin/python3
COMPARE=/usr/share/benchmark/compare.py
[ -x "$PY" ] || { echo "no /usr/bin/python3 (tests/deps.sh test installs python3)"; exit 77; }
[ -f "$COMPARE" ] || { echo "no $COMPARE (tests/deps.sh test installs libbenchmark-tools)"; exit 77; }
"$PY" -c 'import scipy, numpy' 2>/dev/null ||
	{ echo "Debian's python3 lacks scipy/numpy (tests/deps.sh test installs python3-scipy)"; exit 77; }

runs=""
for s in a b; do
	d=$($P run --quick --filter '^(null|syscall_getppid)/' --rounds 3 --out "$WORK/$s" \
		--print-dir 2>/dev/null) || fail "run $s"
	runs="$runs $d"
	ls -lR --time-style=full-iso "$d" > "$WORK/$s.before"
	(cd "$d" && md5sum ./*) > "$WORK/$s.md5"
done
set -- $runs
a=$1 b=$2

# --- gbench-json ---------------------------------------------------------------
check "export a (gbench-json, --out)" $P export "$a" --out "$WORK/a.json"
check "export b (--format gbench-json)" $P export --format gbench-json "$b" --out "$WORK/b.json"
$P export "$a" > "$WORK/a.stdout.json" || fail "export a on stdout"
check "stdout and --out give the same bytes" cmp -s "$WORK/a.json" "$WORK/a.stdout.json"
for s in a b; do
	check "$s.json is valid JSON" "$PY" -m json.tool "$WORK/$s.json" /dev/null
done
# One iteration entry per ns_per_op sample, named as the CSV keys say.
for s in a b; do
	eval d=\$$s
	want=$(csvq "$d/samples.csv" -n metric=ns_per_op)
	got=$("$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for e in d["benchmarks"] if e["run_type"] == "iteration"))' "$WORK/$s.json")
	check "$s.json: $got iteration entries, as many as ns_per_op samples ($want)" [ "$got" -eq "$want" ]
done
"$PY" - "$WORK/a.json" <<'EOF' || fail "a.json's context or names"
import json, sys
d = json.load(open(sys.argv[1]))
c = d["context"]
for k in ("date", "host_name", "num_cpus", "mhz_per_cpu", "library_build_type",
          "kernel_release", "run_id", "primbench_left_out", "primbench_cpu_time"):
    assert k in c, k
assert isinstance(c["num_cpus"], int) and isinstance(c["mhz_per_cpu"], int)
assert "task_clock_ns_per_op" in c["primbench_left_out"]
names = {e["name"] for e in d["benchmarks"]}
for n in ("null/empty/single", "syscall_getppid/getppid/single",
          "null/empty/single_median", "syscall_getppid/getppid/single_cv"):
    assert n in names, n
for e in d["benchmarks"]:
    assert e["time_unit"] == "ns" and e["real_time"] == e["cpu_time"]
    assert e["run_type"] in ("iteration", "aggregate")
EOF
echo "ok: a.json has the host facts, what is left out, and the names"

# google/benchmark's compare.py, as Debian ships it.
"$PY" "$COMPARE" --no-color benchmarks "$WORK/a.json" "$WORK/b.json" > "$WORK/compare.txt" 2>&1 ||
	fail "compare.py failed: $(tail -n 5 "$WORK/compare.txt")"
echo "compare.py's table:"
sed 's/^/    /' "$WORK/compare.txt"
check "compare.py: its header" grep -q '^Benchmark  *Time  *CPU  *Time Old  *Time New' "$WORK/compare.txt"
for n in null/empty/single syscall_getppid/getppid/single; do
	k=$(grep -c "^$n  " "$WORK/compare.txt")
	check "compare.py: $k rows for $n's samples" [ "$k" -eq "$(csvq "$a/samples.csv" -n metric=ns_per_op \
		bench="${n%%/*}")" ]
	for agg in mean median stddev cv min max p90 p99; do
		check "compare.py: a row for ${n}_$agg" grep -q "^${n}_$agg  " "$WORK/compare.txt"
	done
	check "compare.py: the U test of $n" grep -q "^${n}_pvalue  " "$WORK/compare.txt"
done
check "compare.py: OVERALL_GEOMEAN" grep -q '^OVERALL_GEOMEAN  ' "$WORK/compare.txt"

# --- benchstat ---------------------------------------------------------------------
check "export a (benchstat)" $P export "$a" --format benchstat --out "$WORK/a.txt"
echo "benchstat export (head):"
sed -n '1,40p' "$WORK/a.txt" | sed 's/^/    /'
# The grammar: a result line is a name (Benchmark, then a non-lower-case
# character, no space), N, then value/unit pairs with values strconv.ParseFloat
# reads; a configuration line is a key without spaces or upper case, a colon,
# and a value after a space (or none); blank and '#' lines are ignored by readers.
num='[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?'
bad=$(grep -nvE "^(\$|#.*|[^[:space:][:upper:]:]+:( .*)?|Benchmark[^[:space:][:lower:]][^[:space:]]* [0-9]+( $num [^[:space:]]+)+)\$" "$WORK/a.txt")
check "every benchstat line fits the grammar${bad:+: $bad}" [ -z "$bad" ]
check "result lines report ns/op first" \
	sh -c '! grep "^Benchmark" "$1" | grep -qvE "^[^ ]+ [0-9]+ [^ ]+ ns/op( |$)"' sh "$WORK/a.txt"
n=$(grep -c '^Benchmark' "$WORK/a.txt")
check "one result line per ns_per_op sample ($n)" [ "$n" -eq "$(csvq "$a/samples.csv" -n metric=ns_per_op)" ]
for k in goos goarch cpu pkg kernel run-id; do
	check "configuration line $k" grep -q "^$k: " "$WORK/a.txt"
done
check "goos is linux" grep -qx 'goos: linux' "$WORK/a.txt"
check "names: BenchmarkNull/empty/single" grep -q '^BenchmarkNull/empty/single ' "$WORK/a.txt"
check "names: BenchmarkSyscall_getppid/getppid/single" \
	grep -q '^BenchmarkSyscall_getppid/getppid/single ' "$WORK/a.txt"
check "it says what is left out" grep -q '^# left out: .*task_clock_ns_per_op' "$WORK/a.txt"

# --- bad input ------------------------------------------------------------------------
# bad NAME PATTERN ARGS...: exit 2, PATTERN in one line on stderr, nothing
# on stdout, no file made.
bad() {
	name=$1 pat=$2
	shift 2
	$P export "$@" > "$WORK/bad.out" 2> "$WORK/bad.err"
	rc=$?
	[ "$rc" -eq 2 ] || fail "$name: exit $rc, want 2"
	[ "$(wc -l < "$WORK/bad.err")" -eq 1 ] || fail "$name: not one line on stderr: $(cat "$WORK/bad.err")"
	grep -q -- "$pat" "$WORK/bad.err" || fail "$name: no '$pat' in: $(cat "$WORK/bad.err")"
	[ ! -s "$WORK/bad.out" ] || fail "$name: something on stdout"
	echo "ok: $name: exit 2 ($(cat "$WORK/bad.err"))"
}
bad "no such run" "run folder '" "$WORK/nope"
bad "not a run" "not a results folder" "$WORK"
bad "unknown format" "unknown format (accepted: gbench-json, benchstat)" "$a" --format csv
bad "--out inside the run" "inside the run folder" "$a" --out "$a/x.json"
bad "--out a folder" "is a folder" "$a" --out "$WORK"
bad "--out without a parent" "parent folder does not exist" "$a" --out "$WORK/no/such/x.json"
bad "no RUN" "expected one RUN folder" --format benchstat
bad "two RUNs" "expected one RUN folder" "$a" "$b"
check "nothing made by the bad cases" [ ! -e "$WORK/no" -a ! -e "$a/x.json" ]
mkdir "$WORK/gz"
cp "$a/meta.csv" "$a/summary.csv" "$WORK/gz/"
gzip -c "$a/samples.csv" > "$WORK/gz/samples.csv.gz"
bad "gzipped samples" "is compressed: gunzip it first" "$WORK/gz"

# --- the help, and what stays as it was --------------------------------------------------
$P export --help > "$WORK/help.txt" || fail "export --help"
for o in --format --out --help; do
	check "export --help lists $o" grep -q -- "  $o" "$WORK/help.txt"
done
check "export --help lists the exit statuses" grep -q '^exit status: 0 written; 1' "$WORK/help.txt"
check "primbench --help lists export" sh -c "$P --help | grep -q '^  export  '"
check "no temporary file left" [ -z "$(find "$WORK" -maxdepth 1 -name '*.tmp*')" ]
for s in a b; do
	eval d=\$$s
	ls -lR --time-style=full-iso "$d" > "$WORK/$s.after"
	check "run $s unchanged (listing)" cmp -s "$WORK/$s.before" "$WORK/$s.after"
	check "run $s unchanged (contents)" sh -c 'cd "$1" && md5sum -c --quiet "$2"' sh "$d" "$WORK/$s.md5"
done
check "no debris" no_debris
