/*
 * test_cli.c - option parsing and validation of run/list/info.
 *
 * Expected values are the documented defaults and limits of --help; every
 * bad input must give EXIT_USAGE (the one-line message goes to stderr).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "pmu.h"
#include "topo.h"

/* Parse a NULL-terminated list of words as the arguments of `run`. */
static int parse(struct cli *c, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	int rc;

	argv[argc++] = (char *)"run";
	va_start(ap, c);
	for (char *a = va_arg(ap, char *); a && argc < 31; a = va_arg(ap, char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	rc = cli_parse("run", argc, argv, c);
	if (rc == 0 && c->have_re)
		regfree(&c->re);
	return rc;
}

static void test_defaults(void **state)
{
	struct cli c;

	(void)state;
	assert_int_equal(parse(&c, NULL), 0);
	assert_int_equal(c.run.reps, 30);
	assert_true(c.run.budget_ms == 300);
	assert_true(c.run.timeout_s == 60);
	assert_true(c.run.min_sample_ms == 0);
	assert_string_equal(c.out, "results");
	assert_int_equal(c.run.placements, 0);
	assert_int_equal(c.run.events, pmu_default_mask());
	assert_null(c.run.filter);
	assert_false(c.run.quick);
}

static void test_quick_defaults_and_overrides(void **state)
{
	struct cli c;

	(void)state;
	assert_int_equal(parse(&c, "--quick", NULL), 0);
	assert_true(c.run.quick);
	assert_int_equal(c.run.reps, 10);
	assert_true(c.run.budget_ms == 90);
	/* An explicit value wins over --quick's default, in either order. */
	assert_int_equal(parse(&c, "--reps", "7", "--quick", "--budget-ms", "50", NULL), 0);
	assert_int_equal(c.run.reps, 7);
	assert_true(c.run.budget_ms == 50);
}

static void test_values(void **state)
{
	struct cli c;

	(void)state;
	assert_int_equal(parse(&c, "--filter", "null|sys", "--min-sample-ms", "2.5",
			       "--timeout", "3", "--out", "/tmp", "--placement",
			       "same-cpu,cross-numa", "--events", "minor-faults,cycles", NULL), 0);
	assert_non_null(c.run.filter);
	assert_true(c.run.min_sample_ms == 2.5);
	assert_true(c.run.timeout_s == 3);
	assert_string_equal(c.out, "/tmp");
	assert_int_equal(c.run.placements, (1u << TOPO_SAME_CPU) | (1u << TOPO_CROSS_NUMA));
	assert_int_equal(c.run.events, (1u << PMU_MINOR_FAULTS) | (1u << PMU_CYCLES));
}

static void test_bad_values(void **state)
{
	struct cli c;

	(void)state;
	assert_int_equal(parse(&c, "--reps", "x", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--reps", "1", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--reps", "2.5", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--reps", "", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--reps", "-3", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--reps", "1e30", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--reps", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--budget-ms", "0", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--budget-ms", "nan", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--min-sample-ms", "-1", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--timeout", "inf", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--timeout", "10s", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--placement", "same-core", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--placement", ",", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--events", "cycles,bogus", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--filter", "(", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--frobnicate", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "extra", NULL), EXIT_USAGE);
}

/* Filters that crashed or stalled glibc's regcomp/regexec are refused
 * before they are compiled (issue 14); ordinary filters still compile. */
static void test_filter_bounds(void **state)
{
	static const char *const good[] = {
		"^(null|syscall_getppid)/", "^sched_switch/proc_yield$", ".*", "(.*)",
		"ipc_(mq|shm)/(posix|sysv)(_lat)?$", "^(ipc|sem)+_", "[[:alpha:]]{3}_",
		"\\bnull\\b", "(a*)?x", "[\\1]", "(a{40}){20}",
	};
	static const char *const bad[] = {
		"(.*)*", "(a|)+", "x**", "^*", "(a*){3}", "((a*)*|(b*)*){20}",
		"(.)\\1", "(.*)*(.*)*(.*)*(.*)*(.*)*(.*)*\\1\\2\\3\\4\\5\\6x",
		"((a{255}){255}){255}", "(a{1000}){1000}", "a{32767}", "a{,20000}",
	};
	char nest[2 * (CLI_FILTER_MAX_DEPTH + 1) + 2], *big;
	struct cli c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(parse(&c, "--filter", good[i], NULL), 0);
		assert_non_null(c.run.filter);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(&c, "--filter", bad[i], NULL), EXIT_USAGE);
	/* Nesting: CLI_FILTER_MAX_DEPTH levels compile, one more is refused. */
	memset(nest, 0, sizeof(nest));
	memset(nest, '(', CLI_FILTER_MAX_DEPTH);
	nest[CLI_FILTER_MAX_DEPTH] = 'x';
	memset(nest + CLI_FILTER_MAX_DEPTH + 1, ')', CLI_FILTER_MAX_DEPTH);
	assert_int_equal(parse(&c, "--filter", nest, NULL), 0);
	memset(nest, 0, sizeof(nest));
	memset(nest, '(', CLI_FILTER_MAX_DEPTH + 1);
	nest[CLI_FILTER_MAX_DEPTH + 1] = 'x';
	memset(nest + CLI_FILTER_MAX_DEPTH + 2, ')', CLI_FILTER_MAX_DEPTH + 1);
	assert_int_equal(parse(&c, "--filter", nest, NULL), EXIT_USAGE);
	/* Length: CLI_FILTER_MAX_BYTES compile, one more is refused; 15 000
	 * nested parentheses (SIGSEGV in regcomp) are refused by length. */
	big = malloc(30002);
	assert_non_null(big);
	memset(big, 'z', CLI_FILTER_MAX_BYTES);
	big[CLI_FILTER_MAX_BYTES] = 0;
	assert_int_equal(parse(&c, "--filter", big, NULL), 0);
	big[CLI_FILTER_MAX_BYTES] = 'z';
	big[CLI_FILTER_MAX_BYTES + 1] = 0;
	assert_int_equal(parse(&c, "--filter", big, NULL), EXIT_USAGE);
	memset(big, '(', 15000);
	big[15000] = 'x';
	memset(big + 15001, ')', 15000);
	big[30001] = 0;
	assert_int_equal(parse(&c, "--filter", big, NULL), EXIT_USAGE);
	free(big);
}

#define MIB 1048576.0

/* --x: sizes in B, KiB, MiB, GiB or plain for a _bytes sweep, plain for
 * a count; a second --x of one sweep replaces the first. */
static void test_x_sizes(void **state)
{
	struct cli c;

	(void)state;
	assert_int_equal(parse(&c, "--x", "rss_bytes=4MiB,64MiB,1GiB", NULL), 0);
	assert_int_equal(c.run.nxsel, 1);
	assert_string_equal(c.run.xsel[0].sweep, "rss_bytes");
	assert_int_equal(c.run.xsel[0].n, 3);
	assert_true(c.run.xsel[0].v[0] == 4 * MIB);
	assert_true(c.run.xsel[0].v[1] == 64 * MIB);
	assert_true(c.run.xsel[0].v[2] == 1024 * MIB);
	assert_string_equal(c.xs, "rss_bytes=4MiB,64MiB,1GiB");
	assert_int_equal(parse(&c, "--x", "rss_bytes=4194304,268435456B", NULL), 0);
	assert_true(c.run.xsel[0].v[0] == 4 * MIB && c.run.xsel[0].v[1] == 256 * MIB);
	assert_int_equal(parse(&c, "--x", "size_bytes=4KiB,16384,0.25MiB", NULL), 0);
	assert_true(c.run.xsel[0].v[0] == 4096 && c.run.xsel[0].v[1] == 16384 &&
		    c.run.xsel[0].v[2] == 262144);
	assert_int_equal(parse(&c, "--x", "wss_bytes=0", NULL), 0);
	assert_true(c.run.xsel[0].v[0] == 0);
	assert_int_equal(parse(&c, "--x", "pages=1,64", "--x", "rss_bytes=4MiB", NULL), 0);
	assert_int_equal(c.run.nxsel, 2);
	assert_string_equal(c.run.xsel[0].sweep, "pages");
	assert_string_equal(c.run.xsel[1].sweep, "rss_bytes");
	assert_int_equal(parse(&c, "--x", "pages=1", "--x", "pages=64", NULL), 0);
	assert_int_equal(c.run.nxsel, 1);
	assert_int_equal(c.run.xsel[0].n, 1);
	assert_true(c.run.xsel[0].v[0] == 64);
	assert_int_equal(parse(&c, "--filter", "=proc_create/fork", "--x=rss_bytes=64MiB", NULL), 0);
	assert_int_equal(parse(&c, NULL), 0);
	assert_int_equal(c.run.nxsel, 0);
}

/* Bad --x values, and points that are not the selected variants'. */
static void test_x_bad(void **state)
{
	static const char *const bad[] = {
		"rss_bytes", "=4MiB", "rss_bytes=", "rss_bytes=4MB", "rss_bytes=4 MiB",
		"rss_bytes=4mib", "rss_bytes=4M", "rss_bytes=-1", "rss_bytes=1e3",
		"rss_bytes=0x10", "rss_bytes=inf", "rss_bytes=nan", "rss_bytes=.",
		"rss_bytes=4MiB,,64MiB", "rss_bytes=4MiB,", "rss_bytes=,4MiB",
		"rss_bytes=1..2MiB", "pages=4KiB", "pages=1B", "nosuch=1", "cpu=0",
		"RSS_BYTES=4MiB", "rss_bytes=5MiB", "rss_bytes=4KiB", "pages=2",
	};
	char many[512] = "pages=1";
	struct cli c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(&c, "--x", bad[i], NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--x", NULL), EXIT_USAGE);
	for (int i = 1; i < RUNNER_MAX_XVALS; i++)
		strcat(many, ",1");
	assert_int_equal(parse(&c, "--x", many, NULL), 0);
	strcat(many, ",1");
	assert_int_equal(parse(&c, "--x", many, NULL), EXIT_USAGE);
	/* No variant that the filter selects sweeps rss_bytes, or has 64 MiB. */
	assert_int_equal(parse(&c, "--filter", "null", "--x", "rss_bytes=4MiB", NULL), EXIT_USAGE);
	assert_int_equal(parse(&c, "--x", "rss_bytes=64MiB", "--filter", "=proc_create/fork_exec_dyn",
			       NULL), EXIT_USAGE);
}

/* Whether the --filter of `run --filter f` matches key. */
static bool filter_matches(const char *f, const char *key)
{
	char *argv[] = { (char *)"run", (char *)"--filter", (char *)f, NULL };
	struct cli c;
	bool m;

	assert_int_equal(cli_parse("run", 3, argv, &c), 0);
	assert_true(c.have_re);
	m = regexec(&c.re, key, 0, NULL, 0) == 0;
	regfree(&c.re);
	return m;
}

/* A plain --filter matches anywhere; =NAME,... matches exactly a
 * family's variants or a bench/variant. */
static void test_filter_exact(void **state)
{
	static const char *const bad[] = {
		"=", "=nul", "=null,", "=,null", "=null/nope", "=null/empty/x", "=null/",
		"=/empty", "=^null", "=null|sched_switch", "=Null",
	};
	struct cli c;

	(void)state;
	assert_true(filter_matches("null", "syscall_entry/write_devnull_1b"));
	assert_false(filter_matches("=null", "syscall_entry/write_devnull_1b"));
	assert_true(filter_matches("=null", "null/empty"));
	assert_true(filter_matches("=null/empty", "null/empty"));
	assert_true(filter_matches("=sched_switch", "sched_switch/proc_pipe"));
	assert_false(filter_matches("=sched_switch/proc_pipe", "sched_switch/proc_pipe_x"));
	assert_false(filter_matches("=sched_switch/proc_pipe", "sched_switch/proc_futex"));
	assert_true(filter_matches("=null,syscall_getppid/getppid", "syscall_getppid/getppid"));
	assert_true(filter_matches("=file_ops/stat@tmpfs", "file_ops/stat@tmpfs"));
	assert_false(filter_matches("=file_ops/stat@tmpfs", "file_ops/stat@outfs"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(&c, "--filter", bad[i], NULL), EXIT_USAGE);
}

static void test_help(void **state)
{
	struct cli c;

	(void)state;
	assert_int_equal(parse(&c, "--help", NULL), 0);
	assert_true(c.help);
}

static void test_out_dir(void **state)
{
	char dir[] = "/tmp/primbench-cli.XXXXXX";
	char file[64], sub[64], deep[96], slash[96], lng[PATH_MAX + 8];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/file", dir);
	snprintf(sub, sizeof(sub), "%s/new", dir);
	snprintf(deep, sizeof(deep), "%s/no/such/parent", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(cli_check_out_dir(dir), 0);
	assert_int_equal(cli_check_out_dir(sub), 0);      /* creatable */
	assert_int_equal(cli_check_out_dir(file), EXIT_USAGE); /* a file */
	assert_int_equal(cli_check_out_dir(deep), EXIT_USAGE); /* no parent */
	assert_int_equal(cli_check_out_dir(""), EXIT_USAGE);
	/* A trailing slash names the same folder: creatable in dir. */
	snprintf(slash, sizeof(slash), "%s/new/", dir);
	assert_int_equal(cli_check_out_dir(slash), 0);
	snprintf(slash, sizeof(slash), "%s/new///", dir);
	assert_int_equal(cli_check_out_dir(slash), 0);
	snprintf(slash, sizeof(slash), "%s/", dir);
	assert_int_equal(cli_check_out_dir(slash), 0);
	/* Too long for the run's folder and files under it: refused, even
	 * in an existing parent; one byte less than the limit is not. */
	memset(lng, 0, sizeof(lng));
	snprintf(lng, sizeof(lng), "%s/", dir);
	memset(lng + strlen(lng), 'n', PATH_MAX - CLI_OUT_RESERVE - strlen(lng));
	assert_int_equal(strlen(lng), PATH_MAX - CLI_OUT_RESERVE);
	assert_int_equal(cli_check_out_dir(lng), EXIT_USAGE);
	lng[strlen(lng) - 1] = 0;
	/* Still too long for one name (ENAMETOOLONG): refused too, by stat. */
	assert_int_equal(cli_check_out_dir(lng), EXIT_USAGE);
	/* Checking writes nothing. */
	assert_int_equal(access(sub, F_OK), -1);
	unlink(file);
	rmdir(dir);
}

/* --out keeps no trailing slash (paths under it have no "//"); "/" stays. */
static void test_out_trailing_slash(void **state)
{
	struct cli c;

	(void)state;
	assert_int_equal(parse(&c, "--out", "/tmp/", NULL), 0);
	assert_string_equal(c.out, "/tmp");
	assert_int_equal(parse(&c, "--out", "res///", NULL), 0);
	assert_string_equal(c.out, "res");
	assert_int_equal(parse(&c, "--out", "/", NULL), 0);
	assert_string_equal(c.out, "/");
	assert_int_equal(parse(&c, "--out", "//", NULL), 0);
	assert_string_equal(c.out, "/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_quick_defaults_and_overrides),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_filter_bounds),
		cmocka_unit_test(test_x_sizes),
		cmocka_unit_test(test_x_bad),
		cmocka_unit_test(test_filter_exact),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_out_dir),
		cmocka_unit_test(test_out_trailing_slash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
