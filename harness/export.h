/*
 * export.h - a run folder's CSVs in another tool's format.
 *
 * `primbench export RUN [--format F] [--out FILE]` reads RUN's meta.csv,
 * summary.csv and samples.csv (never writing into RUN) and writes one of:
 *
 *   gbench-json  google/benchmark's JSON output (what its tools/compare.py
 *                and the dashboards that ingest that format read): a
 *                "context" object with the host facts and every meta.csv
 *                key, and a "benchmarks" array with one "iteration" entry
 *                per timed sample and summary.csv's statistics as
 *                "aggregate" entries.
 *   benchstat    the Go benchmark data format (golang.org/design/14313):
 *                "key: value" configuration lines, then one
 *                "BenchmarkName N value ns/op [value B/s] [value msgs/s]"
 *                line per timed sample.
 *
 * Only ns_per_op is a time (real_time, ns/op); bytes_per_s and msgs_per_s
 * ride on the same entry or line as throughput.  Everything else (the
 * counters, other metrics, validation, notes, configurations that did not
 * run) is left out, and the export says so: the context key
 * "primbench_left_out", or "# left out:" comment lines.
 */
#ifndef PRIMBENCH_EXPORT_H
#define PRIMBENCH_EXPORT_H

#include <stddef.h>
#include <stdio.h>

/* The formats export writes. */
enum export_format {
	EXPORT_GBENCH_JSON,      /* google/benchmark JSON */
	EXPORT_BENCHSTAT,        /* Go benchmark text format */
};

/* Longest benchmark name export builds, NUL included. */
#define EXPORT_NAME_MAX 4096

/*
 * The benchmark name of one configuration, into buf (len bytes):
 *   gbench-json "bench/variant[/sweep:x]/placement"
 *   benchstat   "BenchmarkBench/variant[/sweep=x]/placement" (the first
 *               letter of bench upper-cased, as Go's names have it)
 * sweep "" leaves its part out (x is then ignored).  Each of the five
 * values is percent-encoded outside [A-Za-z0-9_.+-] ("%2F" for '/', "%20"
 * for a space, "%25" for '%'), so a name holds no space, separator or byte
 * a reader would split on, and two configurations never share a name; in
 * benchstat a final "-<digits>" would read as GOMAXPROCS, so that '-' is
 * encoded too.  Returns the name's length, or -ENAMETOOLONG (buf then "")
 * when it does not fit.
 */
int export_name(char *buf, size_t len, enum export_format f, const char *bench,
		const char *variant, const char *sweep, const char *x, const char *placement);

/* Write s to f as a JSON string literal, quotes included: '"', '\\' and
 * control characters escaped, valid UTF-8 kept as it is, any byte that is
 * not part of valid UTF-8 written as U+FFFD (JSON text must be UTF-8). */
void export_json_string(FILE *f, const char *s);

/* Go's GOARCH for a uname machine name (x86_64 -> amd64, aarch64 -> arm64,
 * i686 -> 386, ...); other names are returned as they are. */
const char *export_goarch(const char *machine);

/* `primbench export RUN [--format F] [--out FILE]`; argv[0] is "export".
 * The export goes to FILE (written atomically) or stdout.  Returns the
 * exit status: 0 written; 1 the output could not be written, or out of
 * memory; 2 bad usage or input (one line on stderr, nothing written). */
int export_cmd(int argc, char **argv);

#endif
