/*
 * test_export.c - unit tests of harness/export.c: the names it builds and
 * how it escapes them, its JSON strings, and the command on a small run
 * folder written here (so every expected line is known by hand).
 *
 * Expected names and strings are written out by hand from the rules in
 * export.h (percent-encoding outside [A-Za-z0-9_.+-] with upper-case hex,
 * as RFC 3986 spells it; JSON escapes from RFC 8259), never produced by the
 * code under test.  Expected numbers are the CSV's own digits: export
 * writes a value back in its shortest round-trip form, which for the
 * values below is how they are written in the CSV.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "export.h"

/* ---- names ------------------------------------------------------------- */

/* One name and what it must be, written out by hand. */
struct name_case {
	enum export_format f;    /* the format */
	const char *k[5];        /* bench, variant, sweep, x, placement */
	const char *want;        /* the name */
};

static const struct name_case name_cases[] = {
	{ EXPORT_GBENCH_JSON, { "proc_create", "fork", "rss_bytes", "4194304", "single" },
	  "proc_create/fork/rss_bytes:4194304/single" },
	{ EXPORT_BENCHSTAT, { "proc_create", "fork", "rss_bytes", "4194304", "single" },
	  "BenchmarkProc_create/fork/rss_bytes=4194304/single" },
	/* No sweep: no sweep part, whatever x holds. */
	{ EXPORT_GBENCH_JSON, { "null", "empty", "", "", "single" }, "null/empty/single" },
	{ EXPORT_GBENCH_JSON, { "null", "empty", "", "7", "single" }, "null/empty/single" },
	{ EXPORT_BENCHSTAT, { "null", "empty", "", "", "single" }, "BenchmarkNull/empty/single" },
	{ EXPORT_GBENCH_JSON, { "ipc_pipe", "pipe", "msg_bytes", "1e+20", "same-cpu" },
	  "ipc_pipe/pipe/msg_bytes:1e+20/same-cpu" },
	/* Only a lower-case first letter changes; a hyphen without final
	 * digits stays. */
	{ EXPORT_BENCHSTAT, { "Zed", "v", "", "", "single" }, "BenchmarkZed/v/single" },
	{ EXPORT_BENCHSTAT, { "9x", "v", "", "", "single" }, "Benchmark9x/v/single" },
	{ EXPORT_BENCHSTAT, { "sched_switch", "pipe", "", "", "same-cpu" },
	  "BenchmarkSched_switch/pipe/same-cpu" },
	/* Space, the separators '/', ':' and '=', and '%' itself. */
	{ EXPORT_GBENCH_JSON, { "a b", "x/y", "k=v", "1:2", "50%" }, "a%20b/x%2Fy/k%3Dv:1%3A2/50%25" },
	{ EXPORT_BENCHSTAT, { "a b", "x/y", "k=v", "1:2", "50%" },
	  "BenchmarkA%20b/x%2Fy/k%3Dv=1%3A2/50%25" },
	/* Quote, backslash, tab, newline, and UTF-8 bytes (U+00E9 is C3 A9). */
	{ EXPORT_GBENCH_JSON, { "q\"b\\", "t\tn\n", "", "", "caf\xc3\xa9" },
	  "q%22b%5C/t%09n%0A/caf%C3%A9" },
	/* A benchstat name must not end in "-<digits>" (GOMAXPROCS). */
	{ EXPORT_BENCHSTAT, { "b", "v", "", "", "cpu-12" }, "BenchmarkB/v/cpu%2D12" },
	{ EXPORT_GBENCH_JSON, { "b", "v", "", "", "cpu-12" }, "b/v/cpu-12" },
	/* Digits alone at the end are not a GOMAXPROCS suffix. */
	{ EXPORT_BENCHSTAT, { "b", "v", "", "", "12" }, "BenchmarkB/v/12" },
};

static void test_names(void **state)
{
	char buf[EXPORT_NAME_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];
		int n = export_name(buf, sizeof(buf), c->f, c->k[0], c->k[1], c->k[2], c->k[3],
				    c->k[4]);

		if (strcmp(buf, c->want) != 0 || n != (int)strlen(c->want))
			fail_msg("case %zu: '%s' (%d), want '%s'", i, buf, n, c->want);
	}
}

static void test_name_too_long(void **state)
{
	char buf[32];

	(void)state;
	/* "null/empty/single" is 17 bytes: 18 with its NUL fit, 17 do not. */
	assert_int_equal(export_name(buf, 18, EXPORT_GBENCH_JSON, "null", "empty", "", "", "single"),
			 17);
	assert_int_equal(export_name(buf, 17, EXPORT_GBENCH_JSON, "null", "empty", "", "", "single"),
			 -ENAMETOOLONG);
	assert_string_equal(buf, "");
	/* An escape that would cross the end is not cut in half. */
	assert_int_equal(export_name(buf, 8, EXPORT_GBENCH_JSON, "abcde f", "v", "", "", "p"),
			 -ENAMETOOLONG);
	assert_string_equal(buf, "");
	/* "BenchmarkB/v/cpu-1" fits in 19, its encoded form needs 21. */
	assert_int_equal(export_name(buf, 19, EXPORT_BENCHSTAT, "b", "v", "", "", "cpu-1"),
			 -ENAMETOOLONG);
	assert_int_equal(export_name(buf, 21, EXPORT_BENCHSTAT, "b", "v", "", "", "cpu-1"), 20);
	assert_string_equal(buf, "BenchmarkB/v/cpu%2D1");
}

/* ---- JSON strings -------------------------------------------------------- */

/* export_json_string(s) as a NUL-terminated string, into buf. */
static void json_of(const char *s, char *buf, size_t len)
{
	char *mem = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&mem, &n);

	assert_non_null(f);
	export_json_string(f, s);
	assert_int_equal(fclose(f), 0);
	assert_true(n < len);
	memcpy(buf, mem, n + 1);
	free(mem);
}

static void test_json_string(void **state)
{
	char buf[256];

	(void)state;
	json_of("plain", buf, sizeof(buf));
	assert_string_equal(buf, "\"plain\"");
	json_of("a\"b\\c/d", buf, sizeof(buf));
	assert_string_equal(buf, "\"a\\\"b\\\\c/d\"");
	json_of("\n\t\r\x01\x1f\x7f", buf, sizeof(buf));
	assert_string_equal(buf, "\"\\n\\t\\r\\u0001\\u001f\x7f\"");
	/* Valid UTF-8 of 2, 3 and 4 bytes passes: U+00E9, U+20AC, U+1F600. */
	json_of("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", buf, sizeof(buf));
	assert_string_equal(buf, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* Not UTF-8: a stray byte, an overlong '/', a surrogate, a cut
	 * sequence, past U+10FFFF: each byte U+FFFD. */
	json_of("a\xff" "b", buf, sizeof(buf));
	assert_string_equal(buf, "\"a\\ufffdb\"");
	json_of("\xc0\xaf", buf, sizeof(buf));
	assert_string_equal(buf, "\"\\ufffd\\ufffd\"");
	json_of("\xed\xa0\x80", buf, sizeof(buf));
	assert_string_equal(buf, "\"\\ufffd\\ufffd\\ufffd\"");
	json_of("\xe2\x82", buf, sizeof(buf));
	assert_string_equal(buf, "\"\\ufffd\\ufffd\"");
	json_of("\xf4\x90\x80\x80", buf, sizeof(buf));
	assert_string_equal(buf, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_goarch(void **state)
{
	(void)state;
	assert_string_equal(export_goarch("x86_64"), "amd64");
	assert_string_equal(export_goarch("aarch64"), "arm64");
	assert_string_equal(export_goarch("i686"), "386");
	assert_string_equal(export_goarch("armv7l"), "arm");
	assert_string_equal(export_goarch("riscv64"), "riscv64");
	assert_string_equal(export_goarch("sparc64"), "sparc64");
}

/* ---- the command on a small run -------------------------------------------- */

/* The folder the command tests work in. */
struct fixture {
	char root[64];           /* mkdtemp folder */
	char run[128];           /* root/run: the run folder */
};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static const char meta_csv[] =
	"key,value\n"
	"schema,2\n"
	"run_id,h_k_20260101T000000Z\n"
	"primbench_version,0.1.0\n"
	"git_sha,abcdef012345\n"
	"host,h\n"
	"kernel_release,6.1.0-test\n"
	"arch,aarch64\n"
	"cpu_model,\"Test CPU, rev 2\"\n"
	"cpu_count,4\n"
	"topology,\"1 package, 1 NUMA node, 2 cores, 4 PUs, L3 8 MiB x1 (2 cores each)\"\n"
	"cpufreq_governor,performance\n"
	"tsc_hz,2500000000\n"
	"cflags,-O2 -g\n"
	"started_utc,2026-01-01T00:00:00Z\n"
	"complete,true\n";

#define SUM_HEAD "schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,min,p50," \
		 "mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,validation,status,note," \
		 "rounds,between_cv_pct\n"
#define SUM_ROW(key, metric, p50, valid, status) \
	"2,h_k_20260101T000000Z," key "," metric ",u,4,1000,1," p50 ",2,3,3,3,0.5,0.25,1,3,10," \
	valid "," status ",,2,5\n"
static const char summary_csv[] =
	SUM_HEAD
	SUM_ROW("ipc_pipe,pipe,msg_bytes,4096,same-cpu", "ns_per_op", "2", "pass", "ok")
	SUM_ROW("ipc_pipe,pipe,msg_bytes,4096,same-cpu", "bytes_per_s", "2048000000", "pass", "ok")
	SUM_ROW("ipc_pipe,pipe,msg_bytes,4096,same-cpu", "ctxsw_per_op", "2", "pass", "ok")
	SUM_ROW("ipc_pipe,pipe,msg_bytes,65536,same-cpu", "ns_per_op", "30", "fail", "ok")
	SUM_ROW("mm_alloc,brk,size_bytes,65536,single", "ns_per_op", "", "n/a", "skipped")
	SUM_ROW("null,empty,,,single", "ns_per_op", "0.75", "pass", "ok")
	SUM_ROW("ipc_shm,posix,msg_bytes,64,same-cpu", "msgs_per_s", "7", "n/a", "ok");

#define SMP_HEAD "schema,run_id,bench,variant,sweep,x,placement,metric,sample,iters,value,round\n"
#define SMP(key, metric, sample, iters, value, round) \
	"2,h_k_20260101T000000Z," key "," metric "," sample "," iters "," value "," round "\n"
#define PIPE4K "ipc_pipe,pipe,msg_bytes,4096,same-cpu"
/* Rounds out of order, as visits write them; round 2 before round 1. */
static const char samples_csv[] =
	SMP_HEAD
	SMP(PIPE4K, "ns_per_op", "0", "1000", "2.5", "2")
	SMP(PIPE4K, "bytes_per_s", "0", "1000", "1638400000", "2")
	SMP(PIPE4K, "ns_per_op", "1", "1000", "1.5", "2")
	SMP(PIPE4K, "bytes_per_s", "1", "1000", "2730666666.5", "2")
	SMP(PIPE4K, "ns_per_op", "0", "999", "2", "1")
	SMP(PIPE4K, "bytes_per_s", "0", "999", "2048000000", "1")
	SMP(PIPE4K, "ns_per_op", "1", "999", "3", "1")
	SMP(PIPE4K, "ctxsw_per_op", "0", "10", "2", "1")
	SMP("ipc_pipe,pipe,msg_bytes,65536,same-cpu", "ns_per_op", "0", "10", "30", "1")
	SMP("null,empty,,,single", "ns_per_op", "0", "100000", "0.75", "1")
	SMP("ipc_shm,posix,msg_bytes,64,same-cpu", "msgs_per_s", "0", "10", "7", "1");

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->root, sizeof(fx->root), "/tmp/test_export.XXXXXX");
	if (!mkdtemp(fx->root))
		return -1;
	snprintf(fx->run, sizeof(fx->run), "%s/run", fx->root);
	if (mkdir(fx->run, 0755) < 0)
		return -1;
	write_file(fx->run, "meta.csv", meta_csv);
	write_file(fx->run, "summary.csv", summary_csv);
	write_file(fx->run, "samples.csv", samples_csv);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

/*
 * Run `primbench export ARGS...` in a child (getopt's state and any exit
 * stay there), stdout into root/out.txt, stderr into root/err.txt; its
 * exit status.
 */
static int run_export(const struct fixture *fx, const char *const *args)
{
	char *argv[16] = { (char *)"export" };
	char out[128], err[128];
	int argc = 1, status;
	pid_t pid;

	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	snprintf(out, sizeof(out), "%s/out.txt", fx->root);
	snprintf(err, sizeof(err), "%s/err.txt", fx->root);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(99);
		status = export_cmd(argc, argv);
		fflush(NULL);
		_exit(status);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* The whole of root/name (at most len - 1 bytes), NUL-terminated. */
static char *slurp(const struct fixture *fx, const char *name, char *buf, size_t len)
{
	char path[160];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", fx->root, name);
	f = fopen(path, "r");
	buf[0] = 0;
	if (!f)
		return buf;
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* How many times needle is in hay. */
static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The lines of text that start with prefix, joined, into buf. */
static char *lines_with(const char *text, const char *prefix, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");

		if (starts_with(p, prefix) && used + n + 2 < len) {
			memcpy(buf + used, p, n);
			used += n;
			buf[used++] = '\n';
			buf[used] = 0;
		}
		p += n + (p[n] == '\n');
	}
	return buf;
}

static void test_cmd_benchstat(void **state)
{
	const struct fixture *fx = *state;
	char out[160], text[16384], lines[4096];
	const char *args[] = { "--format", "benchstat", fx->run, "--out", out, NULL };

	snprintf(out, sizeof(out), "%s/run.txt", fx->root);
	assert_int_equal(run_export(fx, args), 0);
	slurp(fx, "run.txt", text, sizeof(text));
	/* Samples by round, then sample; B/s with the sample taken with it. */
	assert_string_equal(lines_with(text, "Benchmark", lines, sizeof(lines)),
			    "BenchmarkIpc_pipe/pipe/msg_bytes=4096/same-cpu 999 2 ns/op 2048000000 B/s\n"
			    "BenchmarkIpc_pipe/pipe/msg_bytes=4096/same-cpu 999 3 ns/op\n"
			    "BenchmarkIpc_pipe/pipe/msg_bytes=4096/same-cpu 1000 2.5 ns/op 1638400000 B/s\n"
			    "BenchmarkIpc_pipe/pipe/msg_bytes=4096/same-cpu 1000 1.5 ns/op 2730666666.5 B/s\n"
			    "BenchmarkIpc_pipe/pipe/msg_bytes=65536/same-cpu 10 30 ns/op\n"
			    "BenchmarkNull/empty/single 100000 0.75 ns/op\n");
	assert_non_null(strstr(text, "\ngoos: linux\ngoarch: arm64\npkg: primbench\n"
				     "cpu: Test CPU, rev 2\n"));
	assert_non_null(strstr(text, "\nkernel: 6.1.0-test\n"));
	assert_non_null(strstr(text, "\nrun-id: h_k_20260101T000000Z\n"));
	/* What is left out, one comment line each, by name. */
	assert_non_null(strstr(text, "\n# left out: metrics other than ns_per_op, bytes_per_s and "
				     "msgs_per_s (the counters and derived metrics, which the "
				     "run's CSVs keep) (1): ctxsw_per_op\n"));
	assert_non_null(strstr(text, "\n# left out: configurations skipped (1): "
				     "BenchmarkMm_alloc/brk/size_bytes=65536/single\n"));
	assert_non_null(strstr(text, "(validation=fail) on these exported configurations (1): "
				     "BenchmarkIpc_pipe/pipe/msg_bytes=65536/same-cpu\n"));
	assert_non_null(strstr(text, "no ns_per_op row (a throughput needs a time to ride on) "
				     "(1): BenchmarkIpc_shm/posix/msg_bytes=64/same-cpu\n"));
	/* Nothing written on stdout, nothing said on stderr. */
	assert_string_equal(slurp(fx, "out.txt", lines, sizeof(lines)), "");
	assert_string_equal(slurp(fx, "err.txt", lines, sizeof(lines)), "");
}

static void test_cmd_gbench(void **state)
{
	const struct fixture *fx = *state;
	char text[32768], err[512];
	const char *args[] = { fx->run, NULL };

	/* Default format, on stdout. */
	assert_int_equal(run_export(fx, args), 0);
	slurp(fx, "out.txt", text, sizeof(text));
	assert_string_equal(slurp(fx, "err.txt", err, sizeof(err)), "");
	assert_true(starts_with(text, "{\n  \"context\": {\n    \"date\": "
				      "\"2026-01-01T00:00:00+00:00\",\n    \"host_name\": \"h\",\n"));
	assert_non_null(strstr(text, "\"num_cpus\": 4,\n    \"mhz_per_cpu\": 2500,\n"
				     "    \"cpu_scaling_enabled\": false,\n"));
	/* The LLC: 8 MiB, shared by 2 cores of 2 PUs each. */
	assert_non_null(strstr(text, "\"level\": 3,\n        \"size\": 8388608,\n"
				     "        \"num_sharing\": 4\n"));
	assert_non_null(strstr(text, "\"library_build_type\": \"release\""));
	assert_non_null(strstr(text, "\"cpu_model\": \"Test CPU, rev 2\""));
	assert_non_null(strstr(text, "configurations skipped (1): mm_alloc/brk/size_bytes:65536/single"));
	/* 4 + 1 + 1 samples; 10 aggregates for each of the 3 configurations
	 * (the fixture's rows have every statistic). */
	assert_int_equal(count_of(text, "\"run_type\": \"iteration\""), 6);
	assert_int_equal(count_of(text, "\"run_type\": \"aggregate\""), 30);
	/* The third sample in round order: round 2's first, with its B/s. */
	assert_non_null(strstr(text,
			       "\"name\": \"ipc_pipe/pipe/msg_bytes:4096/same-cpu\",\n"
			       "      \"family_index\": 0,\n"
			       "      \"per_family_instance_index\": 0,\n"
			       "      \"run_name\": \"ipc_pipe/pipe/msg_bytes:4096/same-cpu\",\n"
			       "      \"run_type\": \"iteration\",\n"
			       "      \"repetitions\": 4,\n"
			       "      \"repetition_index\": 2,\n"
			       "      \"threads\": 1,\n"
			       "      \"iterations\": 1000,\n"
			       "      \"real_time\": 2.5,\n"
			       "      \"cpu_time\": 2.5,\n"
			       "      \"time_unit\": \"ns\",\n"
			       "      \"bytes_per_second\": 1638400000,\n"
			       "      \"label\": \"round 2 sample 0\"\n"));
	/* The second instance of the family; null is the next family. */
	assert_non_null(strstr(text, "\"name\": \"ipc_pipe/pipe/msg_bytes:65536/same-cpu\",\n"
				     "      \"family_index\": 0,\n"
				     "      \"per_family_instance_index\": 1,\n"));
	assert_non_null(strstr(text, "\"name\": \"null/empty/single\",\n"
				     "      \"family_index\": 1,\n"));
	/* An aggregate: the median is summary.csv's p50, its counter the
	 * bytes_per_s row's p50; cv is a fraction. */
	assert_non_null(strstr(text,
			       "\"name\": \"ipc_pipe/pipe/msg_bytes:4096/same-cpu_median\",\n"
			       "      \"family_index\": 0,\n"
			       "      \"per_family_instance_index\": 0,\n"
			       "      \"run_name\": \"ipc_pipe/pipe/msg_bytes:4096/same-cpu\",\n"
			       "      \"run_type\": \"aggregate\",\n"
			       "      \"repetitions\": 4,\n"
			       "      \"threads\": 1,\n"
			       "      \"aggregate_name\": \"median\",\n"
			       "      \"aggregate_unit\": \"time\",\n"
			       "      \"iterations\": 4,\n"
			       "      \"real_time\": 2,\n"
			       "      \"cpu_time\": 2,\n"
			       "      \"time_unit\": \"ns\",\n"
			       "      \"bytes_per_second\": 2048000000\n"));
	assert_non_null(strstr(text, "\"aggregate_name\": \"cv\",\n"
				     "      \"aggregate_unit\": \"percentage\",\n"
				     "      \"iterations\": 4,\n      \"real_time\": 0.1,\n"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_non_null(strstr(text, "\n  ]\n}\n"));
}

/* `export ARGS` exits 2 with want in its one line on stderr, nothing on
 * stdout, and leaves the run folder as it was (three files). */
static void bad_case(const struct fixture *fx, const char *const *args, const char *want)
{
	char out[256], err[1024];
	struct stat st;
	size_t n = 0;
	char path[160];
	static const char *const files[] = { "meta.csv", "summary.csv", "samples.csv" };

	assert_int_equal(run_export(fx, args), 2);
	slurp(fx, "err.txt", err, sizeof(err));
	if (!strstr(err, want))
		fail_msg("stderr '%s' has no '%s'", err, want);
	assert_int_equal(count_of(err, "\n"), 1);
	assert_string_equal(slurp(fx, "out.txt", out, sizeof(out)), "");
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", fx->run, files[i]);
		n += stat(path, &st) == 0;
	}
	assert_int_equal(n, 3);
}

static void test_cmd_bad_inputs(void **state)
{
	const struct fixture *fx = *state;
	char nope[160], inside[160], noparent[160], gz[160], folder[160];
	const char *a1[] = { nope, NULL };
	const char *a2[] = { "--format", "csv", fx->run, NULL };
	const char *a3[] = { fx->run, "--out", inside, NULL };
	const char *a4[] = { fx->run, "--out", noparent, NULL };
	const char *a5[] = { gz, NULL };
	const char *a6[] = { fx->run, "--out", folder, NULL };
	const char *a7[] = { NULL };
	const char *a8[] = { fx->run, fx->run, NULL };
	const char *a9[] = { "--bogus", fx->run, NULL };
	const char *a10[] = { fx->run, "--format", NULL };

	snprintf(nope, sizeof(nope), "%s/nope", fx->root);
	snprintf(inside, sizeof(inside), "%s/export.json", fx->run);
	snprintf(noparent, sizeof(noparent), "%s/no/such/x.json", fx->root);
	snprintf(folder, sizeof(folder), "%s", fx->root);
	bad_case(fx, a1, "run folder '");
	bad_case(fx, a2, "--format 'csv': unknown format (accepted: gbench-json, benchstat)");
	bad_case(fx, a3, "is inside the run folder");
	snprintf(inside, sizeof(inside), "%s/", fx->run);
	bad_case(fx, a3, "is a folder");
	bad_case(fx, a4, "parent folder does not exist");
	bad_case(fx, a6, "is a folder");
	bad_case(fx, a7, "expected one RUN folder (got 0");
	bad_case(fx, a8, "expected one RUN folder (got 2");
	bad_case(fx, a9, "unknown option '--bogus'");
	bad_case(fx, a10, "--format: missing value");

	/* A run whose samples are gzipped (as the committed reference run's). */
	snprintf(gz, sizeof(gz), "%s/gz", fx->root);
	assert_int_equal(mkdir(gz, 0755), 0);
	write_file(gz, "meta.csv", meta_csv);
	write_file(gz, "summary.csv", summary_csv);
	write_file(gz, "samples.csv.gz", "not really gzip");
	bad_case(fx, a5, "is compressed: gunzip it first");
	/* A schema this primbench does not read. */
	write_file(gz, "meta.csv", "key,value\nschema,3\n");
	bad_case(fx, a5, "schema '3': this primbench reads schema 1 to 2");
	/* A sample value that is not a number. */
	write_file(gz, "meta.csv", meta_csv);
	write_file(gz, "samples.csv",
		   SMP_HEAD SMP("null,empty,,,single", "ns_per_op", "0", "100000", "abc", "1"));
	bad_case(fx, a5, "samples.csv:2: value 'abc' is not a finite number");
	write_file(gz, "samples.csv",
		   SMP_HEAD SMP("null,empty,,,single", "ns_per_op", "0", "many", "1", "1"));
	bad_case(fx, a5, "samples.csv:2: iters 'many' is not a whole number from 1");
	write_file(gz, "samples.csv",
		   SMP_HEAD SMP("null,empty,,,single", "ns_per_op", "0", "1", "1", "0"));
	bad_case(fx, a5, "samples.csv:2: round '0' is not a whole number from 1");
}

/* A schema-1 run (no round column) reads as one round. */
static void test_cmd_schema1(void **state)
{
	const struct fixture *fx = *state;
	char dir[160], text[8192], lines[1024];
	const char *args[] = { "--format", "benchstat", dir, NULL };

	snprintf(dir, sizeof(dir), "%s/s1", fx->root);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file(dir, "meta.csv", "key,value\nschema,1\nrun_id,r\narch,x86_64\n");
	write_file(dir, "summary.csv", SUM_HEAD SUM_ROW("null,empty,,,single", "ns_per_op", "1",
							"pass", "ok"));
	write_file(dir, "samples.csv",
		   "schema,run_id,bench,variant,sweep,x,placement,metric,sample,iters,value\n"
		   "1,r,null,empty,,,single,ns_per_op,1,10,1.25\n"
		   "1,r,null,empty,,,single,ns_per_op,0,10,0.5\n");
	assert_int_equal(run_export(fx, args), 0);
	slurp(fx, "out.txt", text, sizeof(text));
	assert_string_equal(lines_with(text, "Benchmark", lines, sizeof(lines)),
			    "BenchmarkNull/empty/single 10 0.5 ns/op\n"
			    "BenchmarkNull/empty/single 10 1.25 ns/op\n");
	assert_non_null(strstr(text, "\ngoarch: amd64\n"));
	/* meta says nothing of complete=true: a warning, still exit 0. */
	assert_non_null(strstr(slurp(fx, "err.txt", lines, sizeof(lines)), "is incomplete"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_goarch),
		cmocka_unit_test_setup_teardown(test_cmd_benchstat, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_gbench, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_bad_inputs, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cmd_schema1, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
