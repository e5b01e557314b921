/*
 * test_stats.c - unit tests for harness/stats.c.
 *
 * Every expected value is worked by hand in the comment beside it, or comes
 * from a reference tool named there: SciPy 1.10.1 (scipy.stats on Debian 12)
 * or an independent Python transcription of the splitmix64/xoshiro reference
 * code.  None is taken from stats.c's own output.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* cmocka's assert_float_equal rounds to float; tests here need doubles. */
#define ASSERT_NEAR(got, want, tol) \
	check_near((got), (want), (tol), #got, __FILE__, __LINE__)

static void check_near(double got, double want, double tol, const char *expr,
		       const char *file, int line)
{
	/* Equality first: infinities match only that way (inf - inf is NaN). */
	if (got == want || fabs(got - want) <= tol)
		return;
	print_error("%s = %.17g, want %.17g +- %g\n", expr, got, want, tol);
	_fail(file, line);
}

static const double one_to_ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

static void test_quantile_type7(void **state)
{
	(void)state;
	/* R: quantile(1:10, c(0, .25, .5, .9, .99, 1)) (type 7, h = 9q):
	 * 1, 3.25, 5.5, 9.1, 9.91, 10. */
	ASSERT_NEAR(stats_quantile_sorted(one_to_ten, 10, 0.0), 1.0, 0);
	ASSERT_NEAR(stats_quantile_sorted(one_to_ten, 10, 0.25), 3.25, 1e-12);
	ASSERT_NEAR(stats_quantile_sorted(one_to_ten, 10, 0.5), 5.5, 1e-12);
	ASSERT_NEAR(stats_quantile_sorted(one_to_ten, 10, 0.9), 9.1, 1e-12);
	ASSERT_NEAR(stats_quantile_sorted(one_to_ten, 10, 0.99), 9.91, 1e-12);
	ASSERT_NEAR(stats_quantile_sorted(one_to_ten, 10, 1.0), 10.0, 0);
}

static void test_quantile_edges(void **state)
{
	const double one[] = { 42.0 };
	const double inf_tail[] = { 1, 4, INFINITY, INFINITY };

	(void)state;
	assert_true(isnan(stats_quantile_sorted(one_to_ten, 0, 0.5)));
	assert_true(isnan(stats_quantile_sorted(one_to_ten, 10, -0.1)));
	assert_true(isnan(stats_quantile_sorted(one_to_ten, 10, 1.1)));
	assert_true(isnan(stats_quantile_sorted(one_to_ten, 10, NAN)));
	/* Infinite values (bootstrap replicates of an undefined ratio) stay
	 * infinite instead of turning into inf - inf = NaN: h = 2.7 and 1.5
	 * both land on or next to an infinity. */
	ASSERT_NEAR(stats_quantile_sorted(inf_tail, 4, 0.9), INFINITY, 0);
	ASSERT_NEAR(stats_quantile_sorted(inf_tail, 4, 0.5), INFINITY, 0);
	/* h = 3 * 0.25 = 0.75: 1 + 0.75 * (4 - 1) = 3.25, finite part intact. */
	ASSERT_NEAR(stats_quantile_sorted(inf_tail, 4, 0.25), 3.25, 1e-15);
	/* A single value is every quantile of itself. */
	ASSERT_NEAR(stats_quantile_sorted(one, 1, 0.0), 42.0, 0);
	ASSERT_NEAR(stats_quantile_sorted(one, 1, 0.99), 42.0, 0);
}

static void test_mean_stddev(void **state)
{
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	/* Large offset, small spread: 1e9 + {1, 2, 3}, stddev 1 exactly. */
	const double big[] = { 1e9 + 1, 1e9 + 2, 1e9 + 3 };

	(void)state;
	/* mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
	 * sample variance 32/7, stddev sqrt(32/7) = 2.1380899352993950. */
	ASSERT_NEAR(stats_mean(x, 8), 5.0, 1e-15);
	ASSERT_NEAR(stats_stddev(x, 8), sqrt(32.0 / 7.0), 1e-14);
	ASSERT_NEAR(stats_stddev(x, 8), 2.1380899352993950, 1e-14);
	ASSERT_NEAR(stats_stddev(big, 3), 1.0, 1e-9);
	assert_true(isnan(stats_mean(x, 0)));
	assert_true(isnan(stats_stddev(x, 0)));
	assert_true(isnan(stats_stddev(x, 1)));
}

static void test_median_mad(void **state)
{
	const double odd[] = { 9, 1, 6, 2, 4, 1, 2 };
	const double even[] = { 5, 4, 5, 4, 9, 2, 7, 4 };
	double keep[ARRAY_LEN(odd)];

	(void)state;
	memcpy(keep, odd, sizeof(odd));
	/* sorted 1 1 2 2 4 6 9: median 2; |x-2| = 1 1 0 0 2 4 7, sorted
	 * 0 0 1 1 2 4 7: MAD 1 (the textbook example). */
	ASSERT_NEAR(stats_median(odd, 7), 2.0, 0);
	ASSERT_NEAR(stats_mad(odd, 7), 1.0, 0);
	assert_memory_equal(odd, keep, sizeof(odd));
	/* sorted 2 4 4 4 5 5 7 9: median (4+5)/2 = 4.5; |x-4.5| sorted
	 * 0.5 x5, 2.5 x2, 4.5: MAD 0.5. */
	ASSERT_NEAR(stats_median(even, 8), 4.5, 0);
	ASSERT_NEAR(stats_mad(even, 8), 0.5, 0);
	/* 1..10 in order: median 5.5; |x-5.5| = 0.5 .. 4.5 twice each: MAD 2.5. */
	ASSERT_NEAR(stats_median(one_to_ten, 10), 5.5, 0);
	ASSERT_NEAR(stats_mad(one_to_ten, 10), 2.5, 0);
}

static void test_median_mad_edges(void **state)
{
	const double one[] = { 3.5 };
	const double with_nan[] = { 1, NAN, 3 };

	(void)state;
	assert_true(isnan(stats_median(one, 0)));
	ASSERT_NEAR(stats_median(one, 1), 3.5, 0);
	/* One sample has no spread: MAD is not claimed. */
	assert_true(isnan(stats_mad(one, 1)));
	assert_true(isnan(stats_mad(one, 0)));
	assert_true(isnan(stats_median(with_nan, 3)));
	assert_true(isnan(stats_mad(with_nan, 3)));
	assert_true(isnan(stats_mean(with_nan, 3)));
	assert_true(isnan(stats_stddev(with_nan, 3)));
}

/* qsort comparator for the reference median below. */
static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/*
 * The median selects in place rather than sorting; check it against the
 * middle of a libc qsort (the reference) on many sizes, with heavy
 * duplication, already-sorted and reversed input, where a selection
 * algorithm's partitioning is most likely to go wrong.
 */
static void test_median_vs_sort(void **state)
{
	double x[257], sorted[257];
	struct stats_rng r;

	(void)state;
	stats_rng_seed(&r, 12345);
	for (size_t n = 1; n <= ARRAY_LEN(x); n++) {
		for (int shape = 0; shape < 4; shape++) {
			double want;

			for (size_t i = 0; i < n; i++) {
				if (shape == 0)
					x[i] = (double)(stats_rng_next(&r) % 1000);
				else if (shape == 1)
					x[i] = (double)(stats_rng_next(&r) % 3);
				else if (shape == 2)
					x[i] = (double)i;
				else
					x[i] = (double)(n - i);
			}
			memcpy(sorted, x, n * sizeof(*x));
			qsort(sorted, n, sizeof(*x), cmp_double);
			want = n % 2 ? sorted[n / 2] :
				       (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
			ASSERT_NEAR(stats_median(x, n), want, 0);
		}
	}
}

static void test_median_ci_table(void **state)
{
	double x[1000], lo, hi;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(x); i++)
		x[i] = (double)(i + 1); /* x_(k) = k, so the bounds are the ranks */

	/* n = 10: 1 - 2 P(B <= 1) = 1 - 2 * 11/1024 = 0.97852 >= 0.95, while
	 * j = 3 gives 1 - 2 * 56/1024 = 0.8906: (x_(2), x_(9)). */
	assert_int_equal(stats_median_ci(x, 10, 0.95, &lo, &hi), 0);
	ASSERT_NEAR(lo, 2, 0);
	ASSERT_NEAR(hi, 9, 0);
	/* n = 6: 1 - 2/64 = 0.96875: (x_(1), x_(6)). */
	assert_int_equal(stats_median_ci(x, 6, 0.95, &lo, &hi), 0);
	ASSERT_NEAR(lo, 1, 0);
	ASSERT_NEAR(hi, 6, 0);
	/* n = 20: P(B <= 5) = 21700/2^20, coverage 0.95861; P(B <= 6) =
	 * 60460/2^20 is too much: (x_(6), x_(15)). */
	assert_int_equal(stats_median_ci(x, 20, 0.95, &lo, &hi), 0);
	ASSERT_NEAR(lo, 6, 0);
	ASSERT_NEAR(hi, 15, 0);
	/* scipy.stats.binom: n = 100 -> (40, 61), coverage 0.96480;
	 * n = 1000 -> (469, 532), coverage 0.95371. */
	assert_int_equal(stats_median_ci(x, 100, 0.95, &lo, &hi), 0);
	ASSERT_NEAR(lo, 40, 0);
	ASSERT_NEAR(hi, 61, 0);
	assert_int_equal(stats_median_ci(x, 1000, 0.95, &lo, &hi), 0);
	ASSERT_NEAR(lo, 469, 0);
	ASSERT_NEAR(hi, 532, 0);
	/* 99%: n = 10 -> (1, 10) (0.99805); n = 20 -> (4, 17) (0.99742);
	 * n = 8 -> (1, 8) (0.99219); n = 7: 1 - 2/128 = 0.984 < 0.99. */
	assert_int_equal(stats_median_ci(x, 10, 0.99, &lo, &hi), 0);
	ASSERT_NEAR(lo, 1, 0);
	ASSERT_NEAR(hi, 10, 0);
	assert_int_equal(stats_median_ci(x, 20, 0.99, &lo, &hi), 0);
	ASSERT_NEAR(lo, 4, 0);
	ASSERT_NEAR(hi, 17, 0);
	assert_int_equal(stats_median_ci(x, 8, 0.99, &lo, &hi), 0);
	ASSERT_NEAR(lo, 1, 0);
	ASSERT_NEAR(hi, 8, 0);
	assert_int_equal(stats_median_ci(x, 7, 0.99, &lo, &hi), -EDOM);
	/* Coverage exactly conf counts: n = 5 covers 1 - 2/32 = 0.9375. */
	assert_int_equal(stats_median_ci(x, 5, 0.9375, &lo, &hi), 0);
	ASSERT_NEAR(lo, 1, 0);
	ASSERT_NEAR(hi, 5, 0);
}

static void test_median_ci_edges(void **state)
{
	const double x[] = { 1, 2, 3, 4, 5, 6 };
	const double with_nan[] = { 1, 2, 3, 4, 5, NAN };
	double lo = 0, hi = 0;

	(void)state;
	/* n = 5 at 95%: even (min, max) covers only 0.9375. */
	assert_int_equal(stats_median_ci(x, 5, 0.95, &lo, &hi), -EDOM);
	assert_true(isnan(lo) && isnan(hi));
	assert_int_equal(stats_median_ci(x, 1, 0.95, &lo, &hi), -EDOM);
	assert_int_equal(stats_median_ci(x, 0, 0.95, &lo, &hi), -EDOM);
	assert_int_equal(stats_median_ci(x, 6, 0.0, &lo, &hi), -EINVAL);
	assert_int_equal(stats_median_ci(x, 6, 1.0, &lo, &hi), -EINVAL);
	assert_int_equal(stats_median_ci(x, 6, NAN, &lo, &hi), -EINVAL);
	assert_int_equal(stats_median_ci(with_nan, 6, 0.95, &lo, &hi), -EINVAL);
}

static void test_summarize(void **state)
{
	const double x[] = { 7, 3, 10, 1, 5, 9, 2, 8, 6, 4 }; /* 1..10 shuffled */
	double keep[ARRAY_LEN(x)];
	struct stats_summary s;

	(void)state;
	memcpy(keep, x, sizeof(x));
	assert_int_equal(stats_summarize(x, ARRAY_LEN(x), &s), 0);
	assert_memory_equal(x, keep, sizeof(x));
	assert_int_equal(s.n, 10);
	ASSERT_NEAR(s.min, 1, 0);
	ASSERT_NEAR(s.max, 10, 0);
	ASSERT_NEAR(s.p50, 5.5, 1e-12);
	ASSERT_NEAR(s.p90, 9.1, 1e-12);
	ASSERT_NEAR(s.p99, 9.91, 1e-12);
	ASSERT_NEAR(s.mean, 5.5, 1e-12);
	/* sum (k - 5.5)^2 over 1..10 = 82.5; sqrt(82.5/9) = 3.0276503540974917. */
	ASSERT_NEAR(s.stddev, 3.0276503540974917, 1e-12);
	ASSERT_NEAR(s.mad, 2.5, 0);
	ASSERT_NEAR(s.ci95_lo, 2, 0);
	ASSERT_NEAR(s.ci95_hi, 9, 0);
	/* 100 * 3.0276503540974917 / 5.5 = 55.048188256318031. */
	ASSERT_NEAR(s.cv_pct, 55.048188256318031, 1e-10);
}

static void test_summarize_edges(void **state)
{
	const double one[] = { 12.5 };
	const double five[] = { 5, 4, 3, 2, 1 };
	const double with_nan[] = { 1, 2, NAN };
	const double zero_mean[] = { -1, 1 };
	struct stats_summary s;

	(void)state;
	assert_int_equal(stats_summarize(one, 0, &s), -EINVAL);
	assert_int_equal(stats_summarize(with_nan, 3, &s), -EINVAL);
	assert_int_equal(stats_summarize(one, 1, NULL), -EINVAL);

	/* One sample: its value is min, max and every quantile; no spread
	 * and no interval are claimed. */
	assert_int_equal(stats_summarize(one, 1, &s), 0);
	assert_int_equal(s.n, 1);
	ASSERT_NEAR(s.min, 12.5, 0);
	ASSERT_NEAR(s.p50, 12.5, 0);
	ASSERT_NEAR(s.p99, 12.5, 0);
	ASSERT_NEAR(s.max, 12.5, 0);
	ASSERT_NEAR(s.mean, 12.5, 0);
	assert_true(isnan(s.stddev));
	assert_true(isnan(s.mad));
	assert_true(isnan(s.cv_pct));
	assert_true(isnan(s.ci95_lo) && isnan(s.ci95_hi));

	/* n = 5: spread exists (stddev sqrt(10/4)) but no 95% median CI. */
	assert_int_equal(stats_summarize(five, 5, &s), 0);
	ASSERT_NEAR(s.stddev, sqrt(2.5), 1e-14);
	ASSERT_NEAR(s.mad, 1.0, 0);
	assert_true(isnan(s.ci95_lo) && isnan(s.ci95_hi));

	/* A zero mean has no coefficient of variation. */
	assert_int_equal(stats_summarize(zero_mean, 2, &s), 0);
	assert_true(isnan(s.cv_pct));
}

static void test_rng(void **state)
{
	struct stats_rng r = { { 1, 2, 3, 4 } };
	struct stats_rng r2;
	/* xoshiro256** from state {1,2,3,4}: the rand_xoshiro test vector,
	 * rechecked with a Python transcription of xoshiro256starstar.c. */
	const uint64_t want[] = { 11520ULL, 0ULL, 1509978240ULL,
				  1215971899390074240ULL, 1216172134540287360ULL };

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		assert_true(stats_rng_next(&r) == want[i]);

	/* Seeding is splitmix64 from the seed: its first outputs for seed 0
	 * are Vigna's published e220a8397b1dcdaf, 6e789e6aa1b965f4, ... */
	stats_rng_seed(&r, 0);
	assert_true(r.s[0] == 0xe220a8397b1dcdafULL);
	assert_true(r.s[1] == 0x6e789e6aa1b965f4ULL);
	assert_true(r.s[2] == 0x06c45d188009454fULL);
	assert_true(r.s[3] == 0xf88bb8a8724c81ecULL);
	/* Seed 42, then xoshiro256** (Python transcription). */
	stats_rng_seed(&r, 42);
	assert_true(stats_rng_next(&r) == 0x15780b2e0c2ec716ULL);
	assert_true(stats_rng_next(&r) == 0x6104d9866d113a7eULL);
	assert_true(stats_rng_next(&r) == 0xae17533239e499a1ULL);
	/* Same seed, same stream. */
	stats_rng_seed(&r, 7);
	stats_rng_seed(&r2, 7);
	for (int i = 0; i < 100; i++)
		assert_true(stats_rng_next(&r) == stats_rng_next(&r2));
}

static void test_mann_whitney_exact(void **state)
{
	const double a3[] = { 1, 2, 3 }, b3[] = { 4, 5, 6 };
	const double c3[] = { 1, 3, 5 }, d3[] = { 2, 4, 6 };
	const double a4[] = { 1, 2, 3, 5 }, b5[] = { 4, 6, 7, 8, 9 };
	const double a7[] = { 1.5, 2.5, 3.1, 7.2, 8.8, 9.9, 12.0 };
	const double b9[] = { 2.0, 3.3, 4.4, 5.5, 6.1, 10.5, 11.1, 13.0, 14.2 };
	double lo20[20], hi20[20], odd20[20], even20[20], u;

	(void)state;
	/* Complete separation, 3 v 3: U = 0; P(U <= 0) = 1/C(6,3) = 1/20;
	 * two-sided p = 0.1 (scipy mannwhitneyu method='exact': 0.1). */
	ASSERT_NEAR(stats_mann_whitney(a3, 3, b3, 3, &u), 0.1, 1e-12);
	ASSERT_NEAR(u, 0, 0);
	/* Swapped: U of a is 9 = 3*3, same p. */
	ASSERT_NEAR(stats_mann_whitney(b3, 3, a3, 3, &u), 0.1, 1e-12);
	ASSERT_NEAR(u, 9, 0);
	/* Interleaved: U = 0+1+2 = 3.  Counts of U = 0..9 for 3 v 3 are
	 * 1 1 2 3 3 3 3 2 1 1, so P(U <= 3) = 7/20 and p = 0.7 (scipy: 0.7). */
	ASSERT_NEAR(stats_mann_whitney(c3, 3, d3, 3, &u), 0.7, 1e-12);
	ASSERT_NEAR(u, 3, 0);
	/* 4 v 5, only 5 > 4: U = 1; P(U <= 1) = 2/126; p = 4/126
	 * (scipy: 0.031746031746031744). */
	ASSERT_NEAR(stats_mann_whitney(a4, 4, b5, 5, &u), 4.0 / 126.0, 1e-12);
	ASSERT_NEAR(u, 1, 0);
	/* 7 v 9 mixed, scipy exact: U = 24, p = 0.46975524475524477. */
	ASSERT_NEAR(stats_mann_whitney(a7, 7, b9, 9, &u), 0.46975524475524477, 1e-12);
	ASSERT_NEAR(u, 24, 0);

	for (int i = 0; i < 20; i++) {
		lo20[i] = i + 1;
		hi20[i] = i + 21;
		odd20[i] = 2 * i + 1;
		even20[i] = 2 * i + 2;
	}
	/* The largest exact case, separated: p = 2/C(40,20)
	 * = 1.4508889103849684e-11 (scipy agrees). */
	ASSERT_NEAR(stats_mann_whitney(lo20, 20, hi20, 20, &u), 2.0 / 137846528820.0, 1e-20);
	ASSERT_NEAR(u, 0, 0);
	/* Alternating samples look alike: U = 0+1+...+19 = 190 against a
	 * mean of 200; scipy exact p = 0.799407187161697. */
	ASSERT_NEAR(stats_mann_whitney(odd20, 20, even20, 20, &u), 0.799407187161697, 1e-12);
	ASSERT_NEAR(u, 190, 0);
	/* A sample against itself: every value is tied, so the normal path
	 * runs; U = 3 pairs greater + 3 ties * 0.5 = 4.5 = the mean: p = 1. */
	ASSERT_NEAR(stats_mann_whitney(c3, 3, c3, 3, &u), 1.0, 0);
	ASSERT_NEAR(u, 4.5, 0);
}

static void test_mann_whitney_normal(void **state)
{
	const double a[] = { 1, 2, 2, 3 }, b[] = { 2, 3, 3, 4, 5 };
	const double same[] = { 5, 5, 5 };
	double a25[25], b25[25], u;

	(void)state;
	/*
	 * Ties force the normal path.  Pooled ranks: 1 -> 1; the three 2s share
	 * ranks 2..4 -> 3; the three 3s share 5..7 -> 6; 4 -> 8; 5 -> 9.
	 * R_a = 1 + 3 + 3 + 6 = 13, U = 13 - 4*5/2 = 3 (by pairs: 0 + 0.5 +
	 * 0.5 + (1 + 0.5 + 0.5) = 3).  Mean 10; tie term 2 * (27 - 3) = 48;
	 * var = 20/12 * (10 - 48/72) = 140/9; z = (7 - 0.5) / sqrt(140/9)
	 * = 1.6480..., p = erfc(z / sqrt 2) = 0.09934224785346528 (scipy
	 * asymptotic, use_continuity=True, gives the same).
	 */
	ASSERT_NEAR(stats_mann_whitney(a, 4, b, 5, &u), 0.09934224785346528, 1e-12);
	ASSERT_NEAR(u, 3, 0);
	ASSERT_NEAR(stats_mann_whitney(a, 4, b, 5, NULL),
		    erfc(6.5 / sqrt(140.0 / 9.0) / sqrt(2.0)), 1e-12);

	/* Beyond 20 a side, no ties: U = 0, mean 312.5, var 625*51/12,
	 * z = 312 / 51.538..., p = 1.4156562248495537e-09 (scipy asymptotic). */
	for (int i = 0; i < 25; i++) {
		a25[i] = i + 1;
		b25[i] = i + 26;
	}
	ASSERT_NEAR(stats_mann_whitney(a25, 25, b25, 25, &u), 1.4156562248495537e-09, 1e-20);
	ASSERT_NEAR(u, 0, 0);
	/* Everything tied: zero variance, no evidence, p = 1; U = 9 * 0.5. */
	ASSERT_NEAR(stats_mann_whitney(same, 3, same, 3, &u), 1.0, 0);
	ASSERT_NEAR(u, 4.5, 0);
}

static void test_mann_whitney_edges(void **state)
{
	const double a[] = { 1, 2, 3 }, with_nan[] = { 1, NAN, 3 };
	double u = 0;

	(void)state;
	assert_true(isnan(stats_mann_whitney(a, 0, a, 3, &u)));
	assert_true(isnan(u));
	assert_true(isnan(stats_mann_whitney(a, 3, a, 0, NULL)));
	assert_true(isnan(stats_mann_whitney(with_nan, 3, a, 3, &u)));
	/* One value a side is legal: 1 v 1, U = 0, p = 2 * 1/2 -> 1. */
	ASSERT_NEAR(stats_mann_whitney(a, 1, a + 1, 1, &u), 1.0, 0);
	ASSERT_NEAR(u, 0, 0);
}

static void test_ratio_ci(void **state)
{
	const double a[] = { 100, 102, 98, 101, 99, 103, 97, 100, 104, 96 };
	const double b[] = { 150, 153, 147, 151, 149, 155, 145, 152, 148, 150 };
	const double two[] = { 2, 2, 2, 2 }, three[] = { 3, 3, 3, 3, 3 };
	double r, lo, hi, r2, lo2, hi2;

	(void)state;
	/* median(a) = 100, median(b) = 150 (sorted middles 149,150 and
	 * 150,151 -> 150): ratio 1.5 exactly. */
	assert_int_equal(stats_ratio_ci(a, 10, b, 10, 0.95, 2000, 1, &r, &lo, &hi), 0);
	ASSERT_NEAR(r, 1.5, 1e-15);
	/* Every resampled median lies within its sample's range, so every
	 * replicate, and both bounds, lie in [min b / max a, max b / min a]
	 * = [145/104, 155/96]; and a percentile interval brackets the
	 * ratio of these symmetric samples. */
	assert_true(lo >= 145.0 / 104.0 && hi <= 155.0 / 96.0);
	assert_true(lo <= r && r <= hi);
	assert_true(lo < hi);
	/* A wider confidence gives an interval at least as wide. */
	assert_int_equal(stats_ratio_ci(a, 10, b, 10, 0.5, 2000, 1, &r2, &lo2, &hi2), 0);
	assert_true(lo <= lo2 && hi2 <= hi);
	/* Same seed, same answer. */
	assert_int_equal(stats_ratio_ci(a, 10, b, 10, 0.95, 2000, 1, &r2, &lo2, &hi2), 0);
	assert_true(r2 == r && lo2 == lo && hi2 == hi);

	/* Constant samples: every replicate is 3/2, so the CI collapses. */
	assert_int_equal(stats_ratio_ci(two, 4, three, 5, 0.95, 100, 9, &r, &lo, &hi), 0);
	ASSERT_NEAR(r, 1.5, 0);
	ASSERT_NEAR(lo, 1.5, 0);
	ASSERT_NEAR(hi, 1.5, 0);
}

/*
 * Unequal sizes, one side constant, so each replicate is the bootstrap median
 * M of nine draws from {1..9}: P(M <= k) = P(Bin(9, k/9) >= 5), which is
 * 0.0014 for k = 1 and 0.0304 for k = 2 (scipy.stats.binom), and by
 * symmetry P(M >= 8) = 0.0304, P(M = 9) = 0.0014.  So the 2.5% and 97.5%
 * points are exactly 2 and 8; with 20000 replicates the counts below 2 and
 * 8 miss the 500th order statistic by more than 4 standard deviations.  An
 * upper point taken at conf instead of (1+conf)/2 would give 7, and
 * resampling only part of the longer side could not reach 8.
 */
static void test_ratio_ci_uneven(void **state)
{
	const double c[] = { 1, 1 }, v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	double r, lo, hi;

	(void)state;
	assert_int_equal(stats_ratio_ci(c, 2, v, 9, 0.95, 20000, 3, &r, &lo, &hi), 0);
	ASSERT_NEAR(r, 5.0, 0);
	ASSERT_NEAR(lo, 2.0, 0);
	ASSERT_NEAR(hi, 8.0, 0);
	/* Mirror image: ratio 1/5, interval 1/8 .. 1/2. */
	assert_int_equal(stats_ratio_ci(v, 9, c, 2, 0.95, 20000, 3, &r, &lo, &hi), 0);
	ASSERT_NEAR(r, 0.2, 1e-15);
	ASSERT_NEAR(lo, 0.125, 1e-15);
	ASSERT_NEAR(hi, 0.5, 1e-15);
}

static void test_ratio_ci_edges(void **state)
{
	const double a[] = { 1, 2, 3 }, neg[] = { 1, -1, 3 }, n[] = { 1, NAN, 3 };
	const double z[] = { 0, 0, 3 }, inf3[] = { 1, INFINITY, 3 };
	double r, lo, hi;

	(void)state;
	assert_int_equal(stats_ratio_ci(a, 1, a, 3, 0.95, 100, 1, &r, &lo, &hi), -EINVAL);
	assert_int_equal(stats_ratio_ci(a, 3, a, 0, 0.95, 100, 1, &r, &lo, &hi), -EINVAL);
	assert_int_equal(stats_ratio_ci(a, 3, a, 3, 1.0, 100, 1, &r, &lo, &hi), -EINVAL);
	assert_int_equal(stats_ratio_ci(a, 3, a, 3, 0.95, 0, 1, &r, &lo, &hi), -EINVAL);
	assert_int_equal(stats_ratio_ci(n, 3, a, 3, 0.95, 100, 1, &r, &lo, &hi), -EINVAL);
	assert_int_equal(stats_ratio_ci(inf3, 3, a, 3, 0.95, 100, 1, &r, &lo, &hi), -EINVAL);
	assert_int_equal(stats_ratio_ci(neg, 3, a, 3, 0.95, 100, 1, &r, &lo, &hi), -EDOM);
	assert_int_equal(stats_ratio_ci(a, 3, neg, 3, 0.95, 100, 1, &r, &lo, &hi), -EDOM);
	/* median(a) = 0: no ratio at all. */
	assert_int_equal(stats_ratio_ci(z, 3, a, 3, 0.95, 100, 1, &r, &lo, &hi), -EDOM);
	/* median(b) = 0 is a ratio of 0, not an error. */
	assert_int_equal(stats_ratio_ci(a, 3, z, 3, 0.95, 100, 1, &r, &lo, &hi), 0);
	ASSERT_NEAR(r, 0.0, 0);
}

/*
 * Zeros in the base (a counter that is often 0): a = {0,0,1,1,1}, b = all 1.
 * median(a) = 1, ratio 1.  A resampled a-median is 0 when at least 3 of 5
 * draws are 0: P(Bin(5, 0.4) >= 3) = 0.317 > 0.025, so the upper point is
 * a +inf replicate; the rest are 1/1 = 1, so the lower point is 1.
 */
static void test_ratio_ci_zero_base(void **state)
{
	const double a[] = { 0, 0, 1, 1, 1 }, b[] = { 1, 1, 1, 1, 1 };
	double r, lo, hi;

	(void)state;
	assert_int_equal(stats_ratio_ci(a, 5, b, 5, 0.95, 1000, 5, &r, &lo, &hi), 0);
	ASSERT_NEAR(r, 1.0, 0);
	ASSERT_NEAR(lo, 1.0, 0);
	assert_true(isinf(hi) && hi > 0);
}

static void test_holm(void **state)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.005 };
	const double big[] = { 0.5, 0.3, 0.6 };
	const double bad[] = { 0.5, 1.5 }, nan2[] = { 0.5, NAN };
	double adj[4], inplace[3];

	(void)state;
	/* Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06,
	 * 0.04 -> running max 0.02, 0.03, 0.06, 0.06; back in input order: */
	assert_int_equal(stats_holm(p, 4, adj), 0);
	ASSERT_NEAR(adj[0], 0.03, 1e-15);
	ASSERT_NEAR(adj[1], 0.06, 1e-15);
	ASSERT_NEAR(adj[2], 0.06, 1e-15);
	ASSERT_NEAR(adj[3], 0.02, 1e-15);
	/* In place, with capping: 0.3*3 = 0.9, 0.5*2 = 1.0, 0.6*1 -> max 1.0. */
	memcpy(inplace, big, sizeof(big));
	assert_int_equal(stats_holm(inplace, 3, inplace), 0);
	ASSERT_NEAR(inplace[0], 1.0, 0);
	ASSERT_NEAR(inplace[1], 0.9, 1e-15);
	ASSERT_NEAR(inplace[2], 1.0, 0);
	assert_int_equal(stats_holm(p, 0, adj), 0);
	assert_int_equal(stats_holm(bad, 2, adj), -EINVAL);
	assert_int_equal(stats_holm(nan2, 2, adj), -EINVAL);
}

static void test_linfit(void **state)
{
	const double x[] = { 0, 1, 2, 3, 4 }, y[] = { 1, 3, 5, 7, 9 };
	const double x2[] = { 1, 2, 3, 4, 5 }, y2[] = { 2, 4, 5, 4, 5 };
	const double flat[] = { 2, 2, 2 }, yn[] = { 1, NAN, 3 };
	double b, a, lo, hi;

	(void)state;
	/* y = 1 + 2x exactly: residuals 0, zero-width CI. */
	assert_int_equal(stats_linfit(x, y, 5, &b, &a, &lo, &hi), 0);
	ASSERT_NEAR(b, 2.0, 0);
	ASSERT_NEAR(a, 1.0, 0);
	ASSERT_NEAR(lo, 2.0, 0);
	ASSERT_NEAR(hi, 2.0, 0);
	/* Sxx = 10, Sxy = 6: slope 0.6, intercept 4 - 1.8 = 2.2; residuals
	 * -0.8 0.6 1 -0.6 -0.2, SSE 2.4, se = sqrt(0.8/10); t(.975, 3) =
	 * 3.182446305284263; scipy linregress: CI (-0.30013174529143005,
	 * 1.5001317452914302). */
	assert_int_equal(stats_linfit(x2, y2, 5, &b, &a, &lo, &hi), 0);
	ASSERT_NEAR(b, 0.6, 1e-14);
	ASSERT_NEAR(a, 2.2, 1e-14);
	ASSERT_NEAR(lo, -0.30013174529143005, 1e-9);
	ASSERT_NEAR(hi, 1.5001317452914302, 1e-9);

	assert_int_equal(stats_linfit(x, y, 2, &b, &a, &lo, &hi), -EDOM);
	assert_int_equal(stats_linfit(flat, y, 3, &b, &a, &lo, &hi), -EDOM);
	assert_int_equal(stats_linfit(x, yn, 3, &b, &a, &lo, &hi), -EINVAL);
}

static void test_t_quantile(void **state)
{
	(void)state;
	/* Tables / scipy.stats.t.ppf(0.975, df). */
	ASSERT_NEAR(stats_t_quantile(0.975, 1), 12.706204736432095, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.975, 2), 4.302652729911275, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.975, 3), 3.182446305284263, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.975, 5), 2.5705818366147395, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.975, 10), 2.2281388519649385, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.975, 30), 2.0422724563012373, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.975, 1e6), 1.9599663568141066, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.975, 1e8), 1.9599640082627663, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.975, INFINITY), 1.959963984540054, 1e-6);
	/* Closed forms: df = 1 is Cauchy, t = tan(pi (p - 1/2)); df = 2 has
	 * t = (2p - 1) / sqrt(2 p (1 - p)). */
	ASSERT_NEAR(stats_t_quantile(0.995, 1), tan(M_PI * 0.495), 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.9999, 1), tan(M_PI * 0.4999), 1e-4);
	ASSERT_NEAR(stats_t_quantile(0.9, 2), 0.8 / sqrt(2 * 0.9 * 0.1), 1e-9);
	/* scipy: t.ppf(0.995, 5), t.ppf(0.995, 30), t.ppf(0.6, 4). */
	ASSERT_NEAR(stats_t_quantile(0.995, 5), 4.032142983557536, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.995, 30), 2.7499956535670305, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.6, 4), 0.2707222947059493, 1e-6);
	/* Lower tail is the mirror image. */
	ASSERT_NEAR(stats_t_quantile(0.025, 10), -2.2281388519649385, 1e-6);
	ASSERT_NEAR(stats_t_quantile(0.5, 7), 0.0, 0);
	assert_true(isnan(stats_t_quantile(0.0, 5)));
	assert_true(isnan(stats_t_quantile(1.0, 5)));
	assert_true(isnan(stats_t_quantile(0.975, 0)));
	assert_true(isnan(stats_t_quantile(NAN, 5)));
	assert_true(isnan(stats_t_quantile(0.975, NAN)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantile_type7),
		cmocka_unit_test(test_quantile_edges),
		cmocka_unit_test(test_mean_stddev),
		cmocka_unit_test(test_median_mad),
		cmocka_unit_test(test_median_mad_edges),
		cmocka_unit_test(test_median_vs_sort),
		cmocka_unit_test(test_median_ci_table),
		cmocka_unit_test(test_median_ci_edges),
		cmocka_unit_test(test_summarize),
		cmocka_unit_test(test_summarize_edges),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_mann_whitney_exact),
		cmocka_unit_test(test_mann_whitney_normal),
		cmocka_unit_test(test_mann_whitney_edges),
		cmocka_unit_test(test_ratio_ci),
		cmocka_unit_test(test_ratio_ci_uneven),
		cmocka_unit_test(test_ratio_ci_edges),
		cmocka_unit_test(test_ratio_ci_zero_base),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_linfit),
		cmocka_unit_test(test_t_quantile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
