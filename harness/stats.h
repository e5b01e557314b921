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

/* Sort x[0..n) ascending in place (NaN-free input): the one comparator of
 * doubles in primbench. */
void stats_sort(double *x, size_t n);
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

/* Two-sided Student t quantile for df degrees of freedom (e.g. 0.975).
 * The t with P(T <= t) = p; NAN unless 0 < p < 1 and df > 0; df may be
 * fractional or INFINITY. */
double stats_t_quantile(double p, double df);
/* P(|T| > |t|) for Student's t with df degrees of freedom; NAN unless
 * df > 0 and t is a number. */
double stats_t_p_two_sided(double t, double df);

/* Welch's two-sample t test of mean(b) - mean(a), unequal variances. */
struct stats_welch {
	double diff;   /* mean(b) - mean(a) */
	double se;     /* standard error of diff */
	double df;     /* Welch-Satterthwaite degrees of freedom */
	double t;      /* diff / se (+-INFINITY when se == 0 and diff != 0) */
	double p;      /* two-sided p-value */
	double lo, hi; /* conf interval of diff (t quantile, df) */
};
/* 0; -EDOM if na or nb < 2; -EINVAL for NULL, NaN or conf outside (0,1). */
int stats_welch(const double *a, size_t na, const double *b, size_t nb, double conf,
		struct stats_welch *w);
/* Benjamini-Hochberg adjusted p-values (monotone, capped at 1) into adj,
 * which may be p.  0, -EINVAL (a p outside [0,1]), -ENOMEM. */
int stats_bh(const double *p, size_t n, double *adj);
/* conf interval center +- t(conf, r-1) * sd(rm) / sqrt(r) from r round
 * medians (batch medians).  0; -EDOM if r < 2; -EINVAL (NaN, bad conf).
 * *lo and *hi are NAN on any error. */
int stats_batch_ci(const double *rm, size_t r, double center, double conf,
		   double *lo, double *hi);
/* The same on the log scale, for a positive quantity: center *
 * exp(+- t(conf, r-1) * sd(log rm) / sqrt(r)), never below 0.  -EDOM also
 * when center or a round median is not > 0 (then use stats_batch_ci). */
int stats_batch_ci_log(const double *rm, size_t r, double center, double conf,
		       double *lo, double *hi);
/* Least-squares slope and intercept of y on x.  0; -EDOM if n < 2 or x is
 * constant; -EINVAL for NULL or non-finite input. */
int stats_slope(const double *x, const double *y, size_t n, double *slope,
		double *intercept);

#endif
