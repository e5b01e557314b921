/*
 * test_file_ops.c - the file_ops family's variants, sweeps and validate
 * callback, fed medians by hand through a fake struct bench_judge; and the
 * harness's scratch folder (bench_scratch_dir) that the family's files
 * live in: made on the file system asked for, tracked, and removed with
 * its files by the cleanup sweep the runner makes when a configuration
 * dies (the path the SIGKILL of primbench takes).
 *
 * Expected values: read and write pass with no block input per operation
 * (blocks_in_per_op <= 0.01: at most one 512-byte block per hundred
 * operations, which a cache hit never reaches) and fail with one; without
 * the count the check is n/a.  The other variants have no check.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctx.h"
#include "fake_judge.h"

extern const struct bench_desc bench_file_ops;

static double fake_metric(const struct bench_judge *j, const char *name)
{
	const double *blocks = j->priv;

	return strcmp(name, "blocks_in_per_op") == 0 ? *blocks : NAN;
}

static enum bench_valid judge(const char *var, double x, double blocks_in)
{
	const struct bench_variant *v = fake_variant(&bench_file_ops, var);
	struct bench_judge j = {
		.variant = var, .x = x, .placement = "single", .pinned = true,
		.metric = fake_metric, .priv = &blocks_in,
	};
	char note[256] = "";
	enum bench_valid r;

	assert_non_null(v);
	if (!v->validate)
		return BENCH_VALID_NA;
	r = v->validate(&j, note, sizeof(note));
	/* A verdict other than pass says why. */
	if (r != BENCH_VALID_PASS)
		assert_true(note[0] != '\0');
	return r;
}

static void test_variants(void **state)
{
	static const char *const ops[] = {
		"open_close", "stat", "fstat", "lseek", "create_unlink", "read", "write", "fsync",
	};
	static const char *const fs[] = { "tmpfs", "outfs" };
	size_t n = 0;

	(void)state;
	for (const struct bench_variant *v = bench_file_ops.variants; v->name; v++)
		n++;
	/* Every operation on both file systems, nothing else. */
	assert_int_equal(n, 16);
	for (size_t f = 0; f < 2; f++)
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			char name[64];
			const struct bench_variant *v;

			snprintf(name, sizeof(name), "%s@%s", ops[i], fs[f]);
			v = fake_variant(&bench_file_ops, name);
			assert_non_null(v);
			assert_false(v->flags & BENCH_V_PAIR);
		}
}

static void test_sweeps(void **state)
{
	static const double lat_fs[] = { 0, 1024, 4096, 10240 };
	const struct bench_variant *v;

	(void)state;
	/* lmbench lat_fs's sizes. */
	v = fake_variant(&bench_file_ops, "create_unlink@outfs");
	assert_string_equal(v->sweep, "size_bytes");
	assert_int_equal(v->nx, 4);
	for (size_t i = 0; i < 4; i++)
		assert_true(v->xs[i] == lat_fs[i]);
	/* 64 B .. 1 MiB, ascending. */
	v = fake_variant(&bench_file_ops, "read@tmpfs");
	assert_string_equal(v->sweep, "size_bytes");
	assert_true(v->xs[0] == 64 && v->xs[v->nx - 1] == 1048576);
	for (size_t i = 1; i < v->nx; i++)
		assert_true(v->xs[i] > v->xs[i - 1]);
	assert_null(fake_variant(&bench_file_ops, "stat@tmpfs")->sweep);
	assert_null(fake_variant(&bench_file_ops, "fsync@outfs")->sweep);
}

static void test_cached_check(void **state)
{
	(void)state;
	assert_int_equal(judge("read@outfs", 4096, 0), BENCH_VALID_PASS);
	assert_int_equal(judge("write@tmpfs", 1048576, 0), BENCH_VALID_PASS);
	assert_int_equal(judge("read@outfs", 64, 0.01), BENCH_VALID_PASS);
	/* 8 blocks = one 4 KiB page read from the device per operation. */
	assert_int_equal(judge("read@outfs", 4096, 8), BENCH_VALID_FAIL);
	assert_int_equal(judge("write@outfs", 64, 0.02), BENCH_VALID_FAIL);
	assert_int_equal(judge("read@tmpfs", 64, NAN), BENCH_VALID_NA);
	/* The calls with no counter to check them. */
	assert_int_equal(judge("open_close@tmpfs", 0, 8), BENCH_VALID_NA);
	assert_int_equal(judge("fsync@outfs", 0, 8), BENCH_VALID_NA);
	assert_int_equal(judge("create_unlink@outfs", 0, 8), BENCH_VALID_NA);
}

/* A folder tracked like the family's, with files in it, removed by the
 * cleanup sweep; then the stale sweep's refusal of a live pid's folder. */
static void test_scratch_dir_swept(void **state)
{
	char parent[] = "/tmp/primbench-test-XXXXXX";
	char dir[PATH_MAX], file[PATH_MAX + 16];
	struct bench_ctx ctx = { 0 };
	struct stat sb;

	(void)state;
	assert_non_null(mkdtemp(parent));
	ctx.out_dir = parent;
	assert_int_equal(cleanup_init(), 0);
	assert_int_equal(bench_scratch_dir(&ctx, BENCH_FS_OUT, "t", dir, sizeof(dir)), 0);
	assert_int_equal(strncmp(dir, parent, strlen(parent)), 0);
	assert_non_null(strstr(dir, "/.primbench-"));
	assert_int_equal(stat(dir, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0700);
	for (int i = 0; i < 300; i++) {
		int fd;

		snprintf(file, sizeof(file), "%s/f%d", dir, i);
		fd = open(file, O_WRONLY | O_CREAT, 0600);
		assert_true(fd >= 0);
		close(fd);
	}
	/* What the supervising child's SIGTERM handler does. */
	assert_int_equal(cleanup_sweep(false), 1);
	assert_int_equal(stat(dir, &sb), -1);
	assert_int_equal(errno, ENOENT);
	/* Untracked once removed: nothing left to sweep. */
	assert_int_equal(cleanup_sweep(true), 0);

	/* The normal end: bench_scratch_remove, then nothing to sweep. */
	assert_int_equal(bench_scratch_dir(&ctx, BENCH_FS_OUT, "t", dir, sizeof(dir)), 0);
	snprintf(file, sizeof(file), "%s/data", dir);
	close(open(file, O_WRONLY | O_CREAT, 0600));
	assert_int_equal(bench_scratch_remove(&ctx, dir), 0);
	assert_int_equal(stat(dir, &sb), -1);
	assert_int_equal(cleanup_sweep(true), 0);

	/* A live primbench's folder (ours) survives the stale sweep. */
	assert_int_equal(bench_scratch_dir(&ctx, BENCH_FS_OUT, "t", dir, sizeof(dir)), 0);
	cleanup_sweep_stale(parent);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(bench_scratch_remove(&ctx, dir), 0);
	assert_int_equal(rmdir(parent), 0);

	/* No --out: no folder. */
	ctx.out_dir = NULL;
	assert_int_equal(bench_scratch_dir(&ctx, BENCH_FS_OUT, "t", dir, sizeof(dir)), -ENOENT);
}

static void test_fs_type(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(bench_fs_type("/proc", buf, sizeof(buf)), "0x9fa0");
	assert_string_equal(bench_fs_type("/no/such/path", buf, sizeof(buf)), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_sweeps),
		cmocka_unit_test(test_cached_check),
		cmocka_unit_test(test_scratch_dir_swept),
		cmocka_unit_test(test_fs_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
