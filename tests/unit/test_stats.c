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

static void test_sort(void **state)
{
	double x[] = { 3, -1, 2.5, 3, 0, -7 };
	const double want[] = { -7, -1, 0, 2.5, 3, 3 };
	double one[] = { 5 };

	(void)state;
	/* By hand: ascending, the tie of 3 kept twice. */
	stats_sort(x, ARRAY_LEN(x));
	for (size_t i = 0; i < ARRAY_LEN(x); i++)
		ASSERT_NEAR(x[i], want[i], 0);
	stats_sort(one, 1);
	ASSERT_NEAR(one[0], 5, 0);
	/* Nothing to sort: no access, no crash. */
	stats_sort(NULL, 0);
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

static void test_welch(void **state)
{
	/* R: t.test(extra ~ group, data = sleep), Welch: t = -1.8608,
	 * df = 17.776, p-value = 0.07939, 95% CI -3.3654832 0.2054832
	 * (mean(group 1) - mean(group 2)); here a = group 2, b = group 1. */
	const double g1[] = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 };
	const double g2[] = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 };
	/* Equal n and variance: df = 2(n-1) = 2, where P(|T| > t) has the
	 * closed form 1 - t / sqrt(2 + t^2).  a = {1, 3}, b = {4, 6}: d = 3,
	 * se = sqrt(2/2 + 2/2), t = 3/sqrt(2). */
	const double a2[] = { 1, 3 }, b2[] = { 4, 6 };
	const double c3[] = { 5, 5, 5 }, d3[] = { 7, 7, 7 }, nan2[] = { 1, NAN };
	struct stats_welch w;
	double t = 3.0 / sqrt(2.0);

	(void)state;
	assert_int_equal(stats_welch(g2, 10, g1, 10, 0.95, &w), 0);
	ASSERT_NEAR(w.diff, -1.58, 1e-12);
	ASSERT_NEAR(w.t, -1.8608, 1e-4);
	ASSERT_NEAR(w.df, 17.776, 1e-3);
	ASSERT_NEAR(w.p, 0.07939, 1e-5);
	ASSERT_NEAR(w.lo, -3.3654832, 1e-6);
	ASSERT_NEAR(w.hi, 0.2054832, 1e-6);

	assert_int_equal(stats_welch(a2, 2, b2, 2, 0.95, &w), 0);
	ASSERT_NEAR(w.df, 2.0, 1e-12);
	ASSERT_NEAR(w.t, t, 1e-12);
	ASSERT_NEAR(w.p, 1.0 - t / sqrt(2.0 + t * t), 1e-10);
	ASSERT_NEAR(w.hi - w.diff, 4.302652729911275 * sqrt(2.0), 1e-5);

	/* No noise at all: no test, a point interval. */
	assert_int_equal(stats_welch(c3, 3, d3, 3, 0.95, &w), 0);
	ASSERT_NEAR(w.p, 0.0, 0);
	ASSERT_NEAR(w.lo, 2.0, 0);
	assert_int_equal(stats_welch(c3, 3, c3, 3, 0.95, &w), 0);
	ASSERT_NEAR(w.p, 1.0, 0);

	assert_int_equal(stats_welch(a2, 1, b2, 2, 0.95, &w), -EDOM);
	assert_int_equal(stats_welch(nan2, 2, b2, 2, 0.95, &w), -EINVAL);
	assert_int_equal(stats_welch(a2, 2, b2, 2, 1.0, &w), -EINVAL);
	/* The two-sided t tail: closed forms for df 1 and 2. */
	ASSERT_NEAR(stats_t_p_two_sided(1.0, 1), 0.5, 1e-12);
	ASSERT_NEAR(stats_t_p_two_sided(-2.0, 2), 1.0 - 2.0 / sqrt(6.0), 1e-12);
	assert_true(isnan(stats_t_p_two_sided(1.0, 0)));
}

static void test_bh(void **state)
{
	const double p[] = { 0.01, 0.04, 0.03, 0.005 };
	const double big[] = { 0.5, 0.3, 0.6 };
	const double bad[] = { 0.5, 1.5 }, nan2[] = { 0.5, NAN };
	double adj[4], inplace[3];

	(void)state;
	/* Sorted 0.005, 0.01, 0.03, 0.04: n p / rank = 0.02, 0.02, 0.04, 0.04;
	 * running minimum from the top leaves them; back in input order: */
	assert_int_equal(stats_bh(p, 4, adj), 0);
	ASSERT_NEAR(adj[0], 0.02, 1e-15);
	ASSERT_NEAR(adj[1], 0.04, 1e-15);
	ASSERT_NEAR(adj[2], 0.04, 1e-15);
	ASSERT_NEAR(adj[3], 0.02, 1e-15);
	/* In place, monotone: 0.3*3/1 = 0.9, 0.5*3/2 = 0.75, 0.6*3/3 = 0.6;
	 * from the top: 0.6, min(0.75, 0.6), min(0.9, 0.6). */
	memcpy(inplace, big, sizeof(big));
	assert_int_equal(stats_bh(inplace, 3, inplace), 0);
	ASSERT_NEAR(inplace[0], 0.6, 1e-15);
	ASSERT_NEAR(inplace[1], 0.6, 1e-15);
	ASSERT_NEAR(inplace[2], 0.6, 1e-15);
	assert_int_equal(stats_bh(p, 0, adj), 0);
	assert_int_equal(stats_bh(bad, 2, adj), -EINVAL);
	assert_int_equal(stats_bh(nan2, 2, adj), -EINVAL);
}

static void test_batch_ci(void **state)
{
	const double rm[] = { 1, 2, 3, 4, 5 }, one[] = { 4 }, nan2[] = { 1, NAN };
	double lo, hi;

	(void)state;
	/* sd = sqrt(2.5), / sqrt(5) = sqrt(0.5); t(0.975, 4) = 2.7764451051977987. */
	assert_int_equal(stats_batch_ci(rm, 5, 3.0, 0.95, &lo, &hi), 0);
	ASSERT_NEAR(lo, 3.0 - 2.7764451051977987 * sqrt(0.5), 1e-6);
	ASSERT_NEAR(hi, 3.0 + 2.7764451051977987 * sqrt(0.5), 1e-6);
	/* Centred where asked (the pooled median), not on the mean. */
	assert_int_equal(stats_batch_ci(rm, 5, 2.0, 0.95, &lo, &hi), 0);
	ASSERT_NEAR((lo + hi) / 2, 2.0, 1e-12);
	assert_int_equal(stats_batch_ci(one, 1, 4.0, 0.95, &lo, &hi), -EDOM);
	assert_true(isnan(lo) && isnan(hi));
	assert_int_equal(stats_batch_ci(nan2, 2, 1.0, 0.95, &lo, &hi), -EINVAL);
}

static void test_batch_ci_log(void **state)
{
	/* log: 0, ln 2, ln 4, ln 8, ln 16 = k ln 2, k = 0..4: sd = ln 2 * sqrt(2.5). */
	const double rm[] = { 1, 2, 4, 8, 16 }, zero[] = { 0, 1, 2 }, neg[] = { -1, 2 };
	const double half = 2.7764451051977987 * log(2.0) * sqrt(2.5) / sqrt(5.0);
	double lo, hi;

	(void)state;
	assert_int_equal(stats_batch_ci_log(rm, 5, 4.0, 0.95, &lo, &hi), 0);
	ASSERT_NEAR(lo, 4.0 * exp(-half), 1e-9);
	ASSERT_NEAR(hi, 4.0 * exp(half), 1e-9);
	/* Symmetric in ratio about the centre, and above 0 where the linear
	 * interval of the same rounds reaches below it. */
	ASSERT_NEAR(lo * hi, 16.0, 1e-9);
	assert_true(lo > 0);
	assert_int_equal(stats_batch_ci(rm, 5, 4.0, 0.95, &lo, &hi), 0);
	assert_true(lo < 0);
	/* Not a positive quantity: -EDOM, for the caller to fall back. */
	assert_int_equal(stats_batch_ci_log(zero, 3, 1.0, 0.95, &lo, &hi), -EDOM);
	assert_true(isnan(lo) && isnan(hi));
	assert_int_equal(stats_batch_ci_log(neg, 2, 1.0, 0.95, &lo, &hi), -EDOM);
	assert_int_equal(stats_batch_ci_log(rm, 5, 0.0, 0.95, &lo, &hi), -EDOM);
	assert_int_equal(stats_batch_ci_log(rm, 1, 1.0, 0.95, &lo, &hi), -EDOM);
}

static void test_slope(void **state)
{
	const double x[] = { 0, 1, 2, 3, 4 }, y[] = { 1, 3, 5, 7, 9 };
	const double x2[] = { 1, 2, 3, 4, 5 }, y2[] = { 2, 4, 5, 4, 5 };
	const double flat[] = { 2, 2, 2 }, yn[] = { 1, NAN, 3 };
	double b, a;

	(void)state;
	assert_int_equal(stats_slope(x, y, 5, &b, &a), 0);
	ASSERT_NEAR(b, 2.0, 0);
	ASSERT_NEAR(a, 1.0, 0);
	/* Sxx = 10, Sxy = 6: slope 0.6, intercept 4 - 1.8 = 2.2. */
	assert_int_equal(stats_slope(x2, y2, 5, &b, &a), 0);
	ASSERT_NEAR(b, 0.6, 1e-14);
	ASSERT_NEAR(a, 2.2, 1e-14);
	/* Two points are enough for a slope. */
	assert_int_equal(stats_slope(x, y, 2, &b, &a), 0);
	ASSERT_NEAR(b, 2.0, 0);
	assert_int_equal(stats_slope(x, y, 1, &b, &a), -EDOM);
	assert_int_equal(stats_slope(flat, y, 3, &b, &a), -EDOM);
	assert_int_equal(stats_slope(x, yn, 3, &b, &a), -EINVAL);
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
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_mean_stddev),
		cmocka_unit_test(test_median_mad),
		cmocka_unit_test(test_median_mad_edges),
		cmocka_unit_test(test_median_vs_sort),
		cmocka_unit_test(test_median_ci_table),
		cmocka_unit_test(test_median_ci_edges),
		cmocka_unit_test(test_summarize),
		cmocka_unit_test(test_summarize_edges),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_welch),
		cmocka_unit_test(test_bh),
		cmocka_unit_test(test_batch_ci),
		cmocka_unit_test(test_batch_ci_log),
		cmocka_unit_test(test_slope),
		cmocka_unit_test(test_t_quantile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
