/*
 * test_benchapi.c - unit tests of harness/benchapi.c's test-only fault
 * injection: reading the words of PRIMBENCH_INJECT, and the hold handshake
 * the tests use instead of waiting a fixed time for a configuration; and of
 * bench_quantiles, the statistics a family hands its raw data to.
 *
 * Expected values are the contract in bench.h: "hold=PATH" writes the
 * holding process's pid and a newline to PATH and returns only once PATH
 * is removed.  The holder is a forked child; the parent (the "test") waits
 * for PATH, checks the pid in it, and releases it.
 *
 * Also the small helpers bench files share: the hang/crash fault word,
 * the context-switch sum of a getrusage result, and populating memory.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/resource.h>
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

/* Values and quantiles worked by hand (R type 7, h = (n-1)p). */
static void test_quantiles(void **state)
{
	double gaps[] = { 9000, 1000, 5000, 3000, 7000 };
	const double ps[] = { 0.5, 0.99, 1.0, 0.0, 0.25 };
	double q[5];

	(void)state;
	bench_quantiles(gaps, 5, ps, q, 5);
	/* sorted 1000 3000 5000 7000 9000; p50: h = 2 -> 5000; p99: h = 3.96
	 * -> 7000 + 0.96 * 2000 = 8920; max 9000; min 1000; p25: h = 1 -> 3000. */
	assert_true(q[0] == 5000 && q[2] == 9000 && q[3] == 1000 && q[4] == 3000);
	assert_true(fabs(q[1] - 8920) < 1e-9);
	/* Sorted in place, as the contract says. */
	assert_true(gaps[0] == 1000 && gaps[4] == 9000);
	/* No values: every quantile is NAN. */
	bench_quantiles(gaps, 0, ps, q, 2);
	assert_true(isnan(q[0]) && isnan(q[1]));
}

/* Only the whole injection "hang" or "crash" is a fault word. */
static void test_inject_fault(void **state)
{
	struct bench_ctx ctx = { .inject = "hang" };

	(void)state;
	assert_int_equal(bench_inject_fault(&ctx), BENCH_FAULT_HANG);
	ctx.inject = "crash";
	assert_int_equal(bench_inject_fault(&ctx), BENCH_FAULT_CRASH);
	ctx.inject = "hang_setup";
	assert_int_equal(bench_inject_fault(&ctx), BENCH_FAULT_NONE);
	ctx.inject = "crash,hold=/tmp/x";
	assert_int_equal(bench_inject_fault(&ctx), BENCH_FAULT_NONE);
	ctx.inject = NULL;
	assert_int_equal(bench_inject_fault(&ctx), BENCH_FAULT_NONE);
}

/* Voluntary plus involuntary; the live reading never goes backwards. */
static void test_switches(void **state)
{
	struct rusage ru = { .ru_nvcsw = 7, .ru_nivcsw = 5 };
	uint64_t a, b;

	(void)state;
	assert_int_equal(bench_rusage_switches(&ru), 12);
	a = bench_switches_now(RUSAGE_SELF);
	b = bench_switches_now(RUSAGE_SELF);
	assert_true(b >= a);
	assert_true(bench_switches_now(RUSAGE_THREAD) <= bench_switches_now(RUSAGE_SELF));
}

/* Every page written (a page of a fresh mapping reads 0 until then);
 * a bad range is an error, not a crash. */
static void test_populate_write(void **state)
{
	size_t len = 8 * 4096;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char vec[8];

	(void)state;
	assert_true(p != MAP_FAILED);
	assert_int_equal(bench_populate_write(p, len), 0);
	assert_int_equal(mincore(p, len, vec), 0);
	for (int i = 0; i < 8; i++)
		assert_true(vec[i] & 1);
	assert_int_equal(munmap(p, len), 0);
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	/* Read-only: MADV_POPULATE_WRITE refuses (EFAULT); a kernel without
	 * it says EINVAL and the fallback would fault, so only where it has. */
	if (madvise(p, 4096, 23 /* MADV_POPULATE_WRITE */) < 0 && errno != EINVAL)
		assert_true(bench_populate_write(p, len) < 0);
	assert_int_equal(munmap(p, len), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inject_has),
		cmocka_unit_test(test_hold_not_asked),
		cmocka_unit_test(test_hold_unwritable),
		cmocka_unit_test(test_hold_handshake),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_inject_fault),
		cmocka_unit_test(test_switches),
		cmocka_unit_test(test_populate_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
