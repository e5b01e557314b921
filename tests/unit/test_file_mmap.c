/*
 * test_file_mmap.c - the file_mmap family's variants and validate
 * callbacks, fed medians by hand through a fake struct bench_judge.
 *
 * Expected values: a fault variant's operation is one touch at the stride
 * setup measured, so it must take one minor fault (accepted [0.9, 1.1]);
 * 1/16 (every page touched while fault-around maps 16) or 2 (each touch
 * faulting twice) fail.  The page-fault count stands in when the minor
 * count is missing.  mmap_munmap touches nothing: < 0.5 faults per op.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bench.h"
#include "fake_judge.h"

extern const struct bench_desc bench_file_mmap;

/* Every file_mmap variant has a validator. */
static enum bench_valid judge(const char *var, double x, double faults, double minor)
{
	const struct bench_variant *v = fake_variant(&bench_file_mmap, var);

	assert_non_null(v);
	assert_non_null(v->validate);
	return fake_judge_faults(&bench_file_mmap, var, x, faults, minor);
}

static void test_variants(void **state)
{
	static const char *const names[] = {
		"mmap_munmap@outfs", "fault_file@tmpfs", "fault_file@outfs",
		"fault_anon_read", "fault_anon_write",
	};
	const struct bench_variant *v = bench_file_mmap.variants;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++, v++) {
		assert_non_null(v->name);
		assert_string_equal(v->name, names[i]);
		/* Only mmap_munmap sweeps: 4 KiB .. 256 MiB. */
		if (i == 0) {
			assert_string_equal(v->sweep, "size_bytes");
			assert_true(v->xs[0] == 4096 && v->xs[v->nx - 1] == 268435456);
		} else {
			assert_null(v->sweep);
		}
	}
	assert_null(v->name);
}

static void test_fault_one_per_touch(void **state)
{
	(void)state;
	assert_int_equal(judge("fault_file@outfs", NAN, 1, 1), BENCH_VALID_PASS);
	assert_int_equal(judge("fault_file@tmpfs", NAN, 1.05, 1.05), BENCH_VALID_PASS);
	assert_int_equal(judge("fault_anon_write", NAN, 0.95, 0.95), BENCH_VALID_PASS);
	assert_int_equal(judge("fault_anon_read", NAN, 1, 1), BENCH_VALID_PASS);
	/* Fault-around unaccounted for: 16 pages per fault. */
	assert_int_equal(judge("fault_file@outfs", NAN, 0.0625, 0.0625), BENCH_VALID_FAIL);
	assert_int_equal(judge("fault_anon_write", NAN, 2, 2), BENCH_VALID_FAIL);
	assert_int_equal(judge("fault_anon_read", NAN, 0, 0), BENCH_VALID_FAIL);
	/* Minor count missing: the page-fault count; both missing: n/a. */
	assert_int_equal(judge("fault_file@tmpfs", NAN, 1, NAN), BENCH_VALID_PASS);
	assert_int_equal(judge("fault_file@tmpfs", NAN, 3, NAN), BENCH_VALID_FAIL);
	assert_int_equal(judge("fault_file@tmpfs", NAN, NAN, NAN), BENCH_VALID_NA);
}

static void test_map_untouched(void **state)
{
	(void)state;
	assert_int_equal(judge("mmap_munmap@outfs", 268435456, 0, 0), BENCH_VALID_PASS);
	assert_int_equal(judge("mmap_munmap@outfs", 4096, 0.4, 0.4), BENCH_VALID_PASS);
	assert_int_equal(judge("mmap_munmap@outfs", 4096, 1, 1), BENCH_VALID_FAIL);
	assert_int_equal(judge("mmap_munmap@outfs", 4096, NAN, NAN), BENCH_VALID_NA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_fault_one_per_touch),
		cmocka_unit_test(test_map_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
