/*
 * test_mm_alloc.c - the mm_alloc family's sweep and validate callbacks,
 * fed medians by hand through a fake struct bench_judge.
 *
 * Expected values worked by hand for 4 KiB pages: 1 MiB = 256 pages, so a
 * touch of it must take about 256 faults (accepted [0.95 x 256 - 0.5,
 * 1.1 x 256 + 2] = [242.7, 283.6]); 2 MiB THP pages would give 0.5 per
 * MiB instead.  Untouched brk/mmap must take < 0.5 faults per op.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench.h"
#include "fake_judge.h"

extern const struct bench_desc bench_mm_alloc;

/* A variant without a validator (malloc, mmap_populate) judges n/a. */
static enum bench_valid judge(const char *var, double x, double faults, double minor)
{
	assert_non_null(fake_variant(&bench_mm_alloc, var));
	return fake_judge_faults(&bench_mm_alloc, var, x, faults, minor);
}

static void test_sweep(void **state)
{
	static const char *const names[] = {
		"brk", "mmap", "mmap_populate", "brk_touch", "mmap_touch", "malloc",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct bench_variant *v = fake_variant(&bench_mm_alloc, names[i]);
		double want = 4096;

		assert_non_null(v);
		assert_string_equal(v->sweep, "size_bytes");
		/* 4 KiB to 1 GiB in powers of 4: 4 KiB x 4^0 .. 4^9. */
		assert_int_equal(v->nx, 10);
		for (size_t k = 0; k < v->nx; k++, want *= 4)
			assert_true(v->xs[k] == want);
		assert_true(v->xs[9] == 1073741824.0);
		assert_false(v->flags & BENCH_V_PAIR);
	}
}

static void test_touch_one_fault_per_page(void **state)
{
	(void)state;
	if (sysconf(_SC_PAGESIZE) != 4096)
		skip();
	assert_int_equal(judge("mmap_touch", 1048576, 256, 256), BENCH_VALID_PASS);
	assert_int_equal(judge("brk_touch", 1048576, 243, 243), BENCH_VALID_PASS);
	assert_int_equal(judge("brk_touch", 1048576, 283, 283), BENCH_VALID_PASS);
	/* One page: 1 fault. */
	assert_int_equal(judge("brk_touch", 4096, 1, 1), BENCH_VALID_PASS);
	/* 1 GiB = 262144 pages. */
	assert_int_equal(judge("mmap_touch", 1073741824, 262144, 262144), BENCH_VALID_PASS);
}

static void test_touch_wrong_count_fails(void **state)
{
	(void)state;
	if (sysconf(_SC_PAGESIZE) != 4096)
		skip();
	/* THP: one fault per 2 MiB, so 0.5 for 1 MiB. */
	assert_int_equal(judge("mmap_touch", 1048576, 0.5, 0.5), BENCH_VALID_FAIL);
	/* Nothing touched, half the pages, or twice. */
	assert_int_equal(judge("mmap_touch", 1048576, 0, 0), BENCH_VALID_FAIL);
	assert_int_equal(judge("brk_touch", 1048576, 128, 128), BENCH_VALID_FAIL);
	assert_int_equal(judge("brk_touch", 1048576, 512, 512), BENCH_VALID_FAIL);
	assert_int_equal(judge("brk_touch", 4096, 0, 0), BENCH_VALID_FAIL);
}

static void test_falls_back_to_minor_faults(void **state)
{
	(void)state;
	if (sysconf(_SC_PAGESIZE) != 4096)
		skip();
	assert_int_equal(judge("mmap_touch", 16384, NAN, 4), BENCH_VALID_PASS);
	assert_int_equal(judge("mmap_touch", 16384, NAN, NAN), BENCH_VALID_NA);
}

static void test_untouched_takes_no_fault(void **state)
{
	(void)state;
	assert_int_equal(judge("brk", 1073741824, 0, 0), BENCH_VALID_PASS);
	assert_int_equal(judge("mmap", 4096, 0.2, 0.2), BENCH_VALID_PASS);
	assert_int_equal(judge("mmap", 4096, 1, 1), BENCH_VALID_FAIL);
	assert_int_equal(judge("brk", 65536, 16, 16), BENCH_VALID_FAIL);
	/* malloc and populate have no check. */
	assert_int_equal(judge("malloc", 4096, 5, 5), BENCH_VALID_NA);
	assert_int_equal(judge("mmap_populate", 4096, 5, 5), BENCH_VALID_NA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_touch_one_fault_per_page),
		cmocka_unit_test(test_touch_wrong_count_fails),
		cmocka_unit_test(test_falls_back_to_minor_faults),
		cmocka_unit_test(test_untouched_takes_no_fault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
