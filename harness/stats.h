/*
 * stats.h - pure statistics on arrays of doubles.
 *
 * No function here allocates global state, reads the clock or prints.
 * Functions that need sorted input say so; random resampling takes an
 * explicit seed, so results are reproducible.  A NaN input is never
 * summarised: functions returning double give NAN, those returning int
 * give -EINVAL (stats_quantile_sorted trusts its sorted input).
 */
#ifndef PRIMBENCH_STATS_H
#define PRIMBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* The summary of one metric's samples, as summary.csv holds it. */
struct stats_summary {
	size_t n;                    /* samples */
	double min, p50, mean, p90, p99, max;
	double stddev;               /* sample stddev (n-1); NAN if n < 2 */
	double mad;                  /* median |x - p50|, unscaled; NAN if n < 2 */
	double ci95_lo, ci95_hi;     /* 95% CI of the median; NAN if n too small */
	double cv_pct;               /* 100 * stddev / mean; NAN if n < 2 */
};

/* Quantile q in [0,1] of sorted x (linear interpolation, R type 7). */
double stats_quantile_sorted(const double *x, size_t n, double q);
double stats_mean(const double *x, size_t n);
double stats_stddev(const double *x, size_t n);
/* Median of x (any order; x is not modified). NAN if n == 0. */
double stats_median(const double *x, size_t n);
/* Median absolute deviation (unscaled) of x; NAN if n < 2. */
double stats_mad(const double *x, size_t n);
/* Distribution-free 95% CI of the median from order statistics of sorted x
 * (binomial); -EDOM if n is too small for 95% coverage (n < 6).
 * -EINVAL unless 0 < conf < 1.  *lo and *hi are NAN on any error. */
int stats_median_ci(const double *sorted, size_t n, double conf, double *lo, double *hi);
/* Fill s from x (copied and sorted internally).  0 or -EINVAL (n == 0
 * or a NaN sample), -ENOMEM. */
int stats_summarize(const double *x, size_t n, struct stats_summary *s);

/* Deterministic PRNG (splitmix64 seeded xoshiro256**). */
struct stats_rng { uint64_t s[4]; };
void stats_rng_seed(struct stats_rng *r, uint64_t seed);
uint64_t stats_rng_next(struct stats_rng *r);

/* Two-sided Mann-Whitney U test of a vs b: exact for small samples without
 * ties (na, nb <= 20), else normal approximation with tie correction and
 * continuity correction.  Returns p in [0,1]; NAN if na or nb is 0.  *u_out
 * (may be NULL) gets U of a. */
double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
			  double *u_out);
/* Ratio of medians median(b)/median(a) with a percentile bootstrap CI
 * (reps resamples, seed).  0, -EINVAL (na or nb < 2, conf outside (0,1),
 * reps == 0, a non-finite value), -EDOM (a value < 0, or median(a) == 0),
 * -ENOMEM.  A resample whose median(a) is 0 counts as +inf, so *hi may be
 * INFINITY. */
int stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
		   double conf, unsigned reps, uint64_t seed,
		   double *ratio, double *lo, double *hi);
/* Holm-Bonferroni: adjusted p-values (monotone, capped at 1) into adj,
 * which may be p.  0, -EINVAL (a p outside [0,1]), -ENOMEM. */
int stats_holm(const double *p, size_t n, double *adj);
/* Least squares y = a + b x; slope b with a 95% CI from its standard error
 * (Student t, n-2 df).  0, or -EDOM if n < 3 or x is constant, -EINVAL
 * for a non-finite value. */
int stats_linfit(const double *x, const double *y, size_t n,
		 double *slope, double *intercept, double *slope_lo, double *slope_hi);
/* Two-sided Student t quantile for df degrees of freedom (e.g. 0.975).
 * The t with P(T <= t) = p; NAN unless 0 < p < 1 and df > 0; df may be
 * fractional or INFINITY. */
double stats_t_quantile(double p, double df);

#endif
