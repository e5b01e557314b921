/*
 * test_benchapi.c - unit tests of harness/benchapi.c's test-only fault
 * injection: reading the words of PRIMBENCH_INJECT, and the hold handshake
 * the tests use instead of waiting a fixed time for a configuration.
 *
 * Expected values are the contract in bench.h: "hold=PATH" writes the
 * holding process's pid and a newline to PATH and returns only once PATH
 * is removed.  The holder is a forked child; the parent (the "test") waits
 * for PATH, checks the pid in it, and releases it.
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
#include <time.h>
#include <unistd.h>

#include <sys/wait.h>

#include <cmocka.h>

#include "ctx.h"

static void test_inject_has(void **state)
{
	struct bench_ctx ctx = { .inject = "no-ipcns,hold=/tmp/x" };

	(void)state;
	assert_true(bench_inject_has(&ctx, "no-ipcns"));
	assert_false(bench_inject_has(&ctx, "no"));        /* a prefix is not a word */
	assert_false(bench_inject_has(&ctx, "hold"));      /* nor is hold=PATH "hold" */
	assert_false(bench_inject_has(&ctx, "hang"));
	ctx.inject = "hang";
	assert_true(bench_inject_has(&ctx, "hang"));
	ctx.inject = NULL;
	assert_false(bench_inject_has(&ctx, "hang"));
}

/* No hold asked: bench_inject_hold returns at once with 0. */
static void test_hold_not_asked(void **state)
{
	struct bench_ctx ctx = { .inject = "hang" };

	(void)state;
	assert_int_equal(bench_inject_hold(&ctx), 0);
	ctx.inject = NULL;
	assert_int_equal(bench_inject_hold(&ctx), 0);
}

/* A path that cannot be written: a failed status with the reason. */
static void test_hold_unwritable(void **state)
{
	struct bench_ctx ctx = { .inject = "hold=/nonexistent-dir/mark" };

	(void)state;
	assert_int_equal(bench_inject_hold(&ctx), -ENOENT);
	assert_int_equal(ctx.status, CTX_FAILED);
	assert_non_null(strstr(ctx.note, "/nonexistent-dir/mark"));
}

/* The handshake: the child holds, the mark names it, removing the mark
 * releases it, and the hold then returns 0. */
static void test_hold_handshake(void **state)
{
	const struct timespec nap = { 0, 1000000 };
	char dir[] = "/tmp/test_benchapi.XXXXXX", mark[64], inj[80], tmp[72];
	int status, got = 0;
	pid_t pid;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(mark, sizeof(mark), "%s/mark", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", mark);
	snprintf(inj, sizeof(inj), "no-ipcns,hold=%s", mark);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct bench_ctx ctx = { .inject = inj };

		_exit(bench_inject_hold(&ctx) == 0 ? 0 : 1);
	}
	/* As long as the child lives (it never ends by itself while held). */
	while (access(mark, F_OK) != 0) {
		assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
		nanosleep(&nap, NULL);
	}
	f = fopen(mark, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &got), 1);
	fclose(f);
	assert_int_equal(got, pid);
	assert_int_equal(access(tmp, F_OK), -1);           /* renamed, not left */
	/* Still held: the child has not returned. */
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	assert_int_equal(unlink(mark), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Released once: PATH.done is left, and a later round's hold returns
	 * at once without writing the mark. */
	snprintf(tmp, sizeof(tmp), "%s.done", mark);
	assert_int_equal(access(tmp, F_OK), 0);
	{
		struct bench_ctx ctx = { .inject = inj };

		assert_int_equal(bench_inject_hold(&ctx), 0);
	}
	assert_int_equal(access(mark, F_OK), -1);
	assert_int_equal(unlink(tmp), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_has),
		cmocka_unit_test(test_hold_not_asked),
		cmocka_unit_test(test_hold_unwritable),
		cmocka_unit_test(test_hold_handshake),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
