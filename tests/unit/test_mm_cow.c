/*
 * test_mm_cow.c - mm_cow's sweeps and validate callbacks, fed medians by
 * hand through a fake struct bench_judge; and proc_create's descriptor
 * (which variants are swept and fitted).
 *
 * Expected values worked by hand.  The rule: faults per round (the median
 * of minor_faults_per_op times N pages) must lie in [E, E + slack] for the
 * expected count E = k*N, slack = max(2, ceil(E / 100)):
 *   N = 1      slack 2   -> cow accepts 1..3 faults, 4 fails, 0 fails
 *   N = 1024   slack 11  -> cow accepts 1024..1035, 1036 and 1023 fail
 *   N = 64, k = 2 (read_then_write): slack 2 -> 128..130
 *   cow_thp, N = 512: 512 faults (split, 4 KiB copies) or 1 fault (the
 *   whole 2 MiB page copied) pass; 256 faults (neither) fails.
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

extern const struct bench_desc bench_mm_cow;
extern const struct bench_desc bench_proc_create;

/* The one median a fake judge knows: minor_faults_per_op. */
static double fake_metric(const struct bench_judge *j, const char *name)
{
	const double *minor = j->priv;

	return strcmp(name, "minor_faults_per_op") == 0 ? *minor : NAN;
}

/* Judge mm_cow variant `var` at N = pages with `faults` faults per round;
 * the note goes to note[]. */
static enum bench_valid judge(const char *var, double pages, double faults,
			      char *note, size_t len)
{
	const struct bench_variant *v = fake_variant(&bench_mm_cow, var);
	double per_page = faults / pages;
	struct bench_judge j = {
		.variant = var, .x = pages, .placement = "single", .pinned = true,
		.metric = fake_metric, .priv = &per_page,
	};

	assert_non_null(v);
	assert_non_null(v->validate);
	note[0] = '\0';
	return v->validate(&j, note, len);
}

static enum bench_valid judge1(const char *var, double pages, double faults)
{
	char note[BENCH_NOTE_MAX];

	return judge(var, pages, faults, note, sizeof(note));
}

static void test_sweeps(void **state)
{
	static const char *const four_k[] = {
		"cow", "first_touch", "read_then_write", "cow_parent_writes",
	};
	const struct bench_variant *thp = fake_variant(&bench_mm_cow, "cow_thp");

	(void)state;
	for (size_t i = 0; i < sizeof(four_k) / sizeof(four_k[0]); i++) {
		const struct bench_variant *v = fake_variant(&bench_mm_cow, four_k[i]);

		assert_non_null(v);
		assert_string_equal(v->sweep, "pages");
		/* The points: 1, 64, 1024, 16384 pages. */
		assert_int_equal(v->nx, 4);
		assert_true(v->xs[0] == 1 && v->xs[1] == 64 && v->xs[2] == 1024 && v->xs[3] == 16384);
	}
	/* Whole 2 MiB pages: multiples of 512. */
	assert_non_null(thp);
	for (size_t k = 0; k < thp->nx; k++)
		assert_true(fmod(thp->xs[k], 512) == 0);
}

static void test_one_fault_per_page(void **state)
{
	(void)state;
	assert_int_equal(judge1("cow", 1, 1), BENCH_VALID_PASS);
	assert_int_equal(judge1("cow", 1, 3), BENCH_VALID_PASS);
	assert_int_equal(judge1("cow", 1, 4), BENCH_VALID_FAIL);
	assert_int_equal(judge1("cow", 1, 0), BENCH_VALID_FAIL);
	assert_int_equal(judge1("cow", 1024, 1024), BENCH_VALID_PASS);
	assert_int_equal(judge1("cow", 1024, 1035), BENCH_VALID_PASS);
	assert_int_equal(judge1("cow", 1024, 1036), BENCH_VALID_FAIL);
	assert_int_equal(judge1("cow", 1024, 1023), BENCH_VALID_FAIL);
	assert_int_equal(judge1("first_touch", 64, 64), BENCH_VALID_PASS);
	assert_int_equal(judge1("first_touch", 64, 67), BENCH_VALID_FAIL);
	assert_int_equal(judge1("cow_parent_writes", 16384, 16384), BENCH_VALID_PASS);
	/* 2 x N is what read_then_write does, never a COW of N pages. */
	assert_int_equal(judge1("cow_parent_writes", 16384, 32768), BENCH_VALID_FAIL);
}

static void test_read_then_write(void **state)
{
	(void)state;
	assert_int_equal(judge1("read_then_write", 64, 128), BENCH_VALID_PASS);
	assert_int_equal(judge1("read_then_write", 64, 130), BENCH_VALID_PASS);
	assert_int_equal(judge1("read_then_write", 64, 131), BENCH_VALID_FAIL);
	/* No zero-page read fault: one per page is a failure here. */
	assert_int_equal(judge1("read_then_write", 64, 64), BENCH_VALID_FAIL);
}

static void test_thp(void **state)
{
	char note[BENCH_NOTE_MAX];

	(void)state;
	assert_int_equal(judge("cow_thp", 512, 512, note, sizeof(note)), BENCH_VALID_PASS);
	assert_non_null(strstr(note, "split"));
	assert_int_equal(judge("cow_thp", 512, 1, note, sizeof(note)), BENCH_VALID_PASS);
	assert_non_null(strstr(note, "whole"));
	assert_int_equal(judge("cow_thp", 16384, 32, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("cow_thp", 512, 256, note, sizeof(note)), BENCH_VALID_FAIL);
}

/*
 * The slack is taken from the expected count, not from N (issue 13): the
 * whole-copy case at N = 16384 expects 16384/512 = 32 faults, slack
 * max(2, ceil(32/100)) = 2, so 32..34 pass.  With the slack taken from N
 * (ceil(16384/100) = 164) it accepted 32..196, i.e. up to 164 stray
 * faults against 32 real ones.  At N = 512 the whole copy is 1 fault:
 * 1..3 pass, 4 fails, 0 fails.  read_then_write at N = 16384 expects
 * 32768 faults: slack ceil(327.68) = 328, so 33096 passes and 33097 fails.
 */
static void test_slack_from_expected_count(void **state)
{
	char note[BENCH_NOTE_MAX];

	(void)state;
	assert_int_equal(judge("cow_thp", 16384, 32, note, sizeof(note)), BENCH_VALID_PASS);
	assert_non_null(strstr(note, "whole"));
	assert_non_null(strstr(note, "32..34"));
	assert_int_equal(judge1("cow_thp", 16384, 34), BENCH_VALID_PASS);
	assert_int_equal(judge1("cow_thp", 16384, 35), BENCH_VALID_FAIL);
	assert_int_equal(judge1("cow_thp", 16384, 100), BENCH_VALID_FAIL);
	assert_int_equal(judge1("cow_thp", 16384, 196), BENCH_VALID_FAIL);
	assert_int_equal(judge1("cow_thp", 16384, 31), BENCH_VALID_FAIL);
	/* The split case at the same N keeps 1% of 16384 faults: 164. */
	assert_int_equal(judge1("cow_thp", 16384, 16548), BENCH_VALID_PASS);
	assert_int_equal(judge1("cow_thp", 16384, 16549), BENCH_VALID_FAIL);
	assert_int_equal(judge1("cow_thp", 512, 3), BENCH_VALID_PASS);
	assert_int_equal(judge1("cow_thp", 512, 4), BENCH_VALID_FAIL);
	assert_int_equal(judge1("cow_thp", 512, 0), BENCH_VALID_FAIL);
	assert_int_equal(judge1("read_then_write", 16384, 33096), BENCH_VALID_PASS);
	assert_int_equal(judge1("read_then_write", 16384, 33097), BENCH_VALID_FAIL);
}

static void test_unmeasured(void **state)
{
	(void)state;
	assert_int_equal(judge1("cow", 64, NAN), BENCH_VALID_NA);
	assert_int_equal(judge1("cow_thp", 512, NAN), BENCH_VALID_NA);
}

static void test_proc_create_variants(void **state)
{
	static const char *const names[] = {
		"fork", "fork_untouched", "fork_thp", "vfork", "clone_process", "clone_vm",
		"clone_thread", "clone3", "pthread_create", "fork_exec", "vfork_exec",
		"posix_spawn",
	};
	const struct bench_variant *dyn = fake_variant(&bench_proc_create, "fork_exec_dyn");

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct bench_variant *v = fake_variant(&bench_proc_create, names[i]);

		assert_non_null(v);
		assert_string_equal(v->sweep, "rss_bytes");
		/* 4 MiB, 64 MiB, 256 MiB, 1 GiB, with an ns_per_mib fit. */
		assert_int_equal(v->nx, 4);
		assert_true(v->xs[0] == 4194304 && v->xs[3] == 1073741824);
		assert_true(v->flags & BENCH_V_FIT_PER_MIB);
		assert_false(v->flags & BENCH_V_PAIR);
	}
	assert_non_null(dyn);
	assert_int_equal(dyn->nx, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweeps),
		cmocka_unit_test(test_one_fault_per_page),
		cmocka_unit_test(test_read_then_write),
		cmocka_unit_test(test_thp),
		cmocka_unit_test(test_slack_from_expected_count),
		cmocka_unit_test(test_unmeasured),
		cmocka_unit_test(test_proc_create_variants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
