/*
 * test_scripts.c - plot and report: where the scripts and csvq are found,
 * and the arguments refused before anything runs.
 *
 * Run from the repository root (tests/run_unit.sh does): plots/ and
 * tests/fixtures/plots are found by relative path.  The test binary lives
 * in build/tests/, where neither plots/ nor ../share/primbench exists, so
 * without PRIMBENCH_DATADIR nothing is found.  No case reaches the exec:
 * each one is refused first (EXIT_USAGE) or is a lookup only.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"
#include "scripts.h"

/* scripts_cmd on a NULL-terminated list of words (the first the command). */
static int cmd(const char *first, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	argv[argc++] = (char *)first;
	va_start(ap, first);
	for (char *a = va_arg(ap, char *); a && argc < 15; a = va_arg(ap, char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return scripts_cmd(argc, argv);
}

static void test_datadir(void **state)
{
	char buf[PATH_MAX];

	(void)state;
	setenv(SCRIPTS_ENV_DATADIR, "plots", 1);
	assert_int_equal(scripts_datadir(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "plots");
	/* A folder without both scripts is not one, even when named. */
	setenv(SCRIPTS_ENV_DATADIR, "tests", 1);
	assert_int_equal(scripts_datadir(buf, sizeof(buf)), -ENOENT);
	assert_int_equal(scripts_datadir(buf, 4), -ENAMETOOLONG);
	/* Empty is unset: the lookup next to build/tests/ finds nothing. */
	setenv(SCRIPTS_ENV_DATADIR, "", 1);
	assert_int_equal(scripts_datadir(buf, sizeof(buf)), -ENOENT);
	unsetenv(SCRIPTS_ENV_DATADIR);
	assert_int_equal(scripts_datadir(buf, sizeof(buf)), -ENOENT);
}

static void test_csvq(void **state)
{
	char buf[PATH_MAX];

	(void)state;
	setenv("CSVQ", "/some/csvq", 1);
	assert_int_equal(scripts_csvq(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/some/csvq");
	/* build/tests/build/csvq and build/libexec/primbench/csvq: absent. */
	unsetenv("CSVQ");
	assert_int_equal(scripts_csvq(buf, sizeof(buf)), -ENOENT);
}

static void test_bad_usage(void **state)
{
	const char *fx = "tests/fixtures/plots";

	(void)state;
	setenv(SCRIPTS_ENV_DATADIR, "plots", 1);
	assert_int_equal(cmd("plot", NULL), EXIT_USAGE);
	assert_int_equal(cmd("report", NULL), EXIT_USAGE);
	assert_int_equal(cmd("plot", fx, fx, NULL), EXIT_USAGE);
	assert_int_equal(cmd("plot", "--bogus", fx, NULL), EXIT_USAGE);
	/* plot takes no --out. */
	assert_int_equal(cmd("plot", fx, "--out", "x", NULL), EXIT_USAGE);
	assert_int_equal(cmd("plot", "", NULL), EXIT_USAGE);
	/* Not results folders: missing, a file, a folder without the CSVs. */
	assert_int_equal(cmd("plot", "tests/no-such-run", NULL), EXIT_USAGE);
	assert_int_equal(cmd("plot", "Makefile", NULL), EXIT_USAGE);
	assert_int_equal(cmd("report", "tests", NULL), EXIT_USAGE);
	/* After --, a word with a dash is RUN, here one that does not exist. */
	assert_int_equal(cmd("plot", "--", "--bogus", NULL), EXIT_USAGE);
	assert_int_equal(cmd("report", fx, "--out", NULL), EXIT_USAGE);
	assert_int_equal(cmd("report", fx, "-o", "", NULL), EXIT_USAGE);
	assert_int_equal(cmd("report", fx, "--out=/tmp", NULL), EXIT_USAGE);
	assert_int_equal(cmd("report", fx, "-o", "/no-such-dir/REPORT.md", NULL), EXIT_USAGE);
	assert_int_equal(cmd("report", fx, "--link-prefix", NULL), EXIT_USAGE);
	/* All good but the scripts' folder. */
	setenv(SCRIPTS_ENV_DATADIR, "tests", 1);
	assert_int_equal(cmd("plot", fx, NULL), EXIT_USAGE);
	assert_int_equal(cmd("report", fx, "-o", "-", "--link-prefix=x/", NULL), EXIT_USAGE);
	unsetenv(SCRIPTS_ENV_DATADIR);
	assert_int_equal(cmd("report", fx, NULL), EXIT_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datadir),
		cmocka_unit_test(test_csvq),
		cmocka_unit_test(test_bad_usage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
