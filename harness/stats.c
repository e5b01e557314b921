/*
 * stats.c - pure statistics on arrays of doubles.
 *
 * Every function here is a pure function of its arguments: no file-scope
 * state, no clock, no output.  lgamma_r() is used instead of lgamma() because
 * the latter writes the global signgam, which would make these functions
 * unsafe to call from two threads at once.
 *
 * NaN policy: a NaN sample is a bug upstream (a sample the runner failed to
 * take), never a value to summarise, so functions that return a double give
 * NAN for any NaN input and functions that return an int give -EINVAL.  No
 * function silently drops a NaN.  stats_quantile_sorted alone trusts its
 * input, which the caller has sorted and so already screened.
 */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Above this many degrees of freedom the t quantile is the normal quantile
 * plus its first Cornish-Fisher term: the remainder, O(1/df^2), is below
 * 1e-8 there even at p = 0.9999, while the incomplete beta would need
 * O(sqrt(df)) continued-fraction terms per evaluation and loses digits to
 * the lgamma differences of large numbers. */
#define STATS_T_NORMAL_DF 1e5

/* One p-value of a BH family, remembered with where it came from. */
struct stats_p_item {
	double p;   /* unadjusted p-value */
	size_t idx; /* its index in the caller's array, where adj goes */
};

static int stats_has_nan(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isnan(x[i]))
			return 1;
	return 0;
}

/* qsort comparator for NaN-free doubles (stats_sort's). */
static int stats_cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

void stats_sort(double *x, size_t n)
{
	if (n < 2)
		return;
	qsort(x, n, sizeof(*x), stats_cmp_double);
}

/* Ascending p, ties broken by index so the order does not depend on qsort. */
static int stats_cmp_p(const void *pa, const void *pb)
{
	const struct stats_p_item *a = pa, *b = pb;

	if (a->p != b->p)
		return (a->p > b->p) - (a->p < b->p);
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/*
 * k-th smallest (0-based) of NaN-free x[0..n-1], n >= 1, by Hoare/Wirth
 * selection in place: expected O(n), which keeps a bootstrap of thousands of
 * medians cheap where a sort per resample would not be.  On return
 * x[0..k-1] <= x[k] <= x[k+1..n-1].
 */
static double stats_select(double *x, size_t n, size_t k)
{
	ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;

	while (l < r) {
		double pivot = x[kk];
		ptrdiff_t i = l, j = r;

		do {
			while (x[i] < pivot)
				i++;
			while (pivot < x[j])
				j--;
			if (i <= j) {
				double t = x[i];

				x[i] = x[j];
				x[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			r = j;
	}
	return x[kk];
}

/*
 * Median of NaN-free x[0..n-1], n >= 1, reordering x.  The even case uses
 * the same interpolation as stats_quantile_sorted(x, n, 0.5), so the median
 * agrees bit for bit with the summary's p50.
 */
static double stats_median_inplace(double *x, size_t n)
{
	size_t k = n / 2;
	double hi = stats_select(x, n, k), lo;

	if (n % 2)
		return hi;
	/* After selection the lower middle is the largest of x[0..k-1]. */
	lo = x[0];
	for (size_t i = 1; i < k; i++)
		if (x[i] > lo)
			lo = x[i];
	return lo + 0.5 * (hi - lo);
}

double stats_quantile_sorted(const double *x, size_t n, double q)
{
	double h, frac;
	size_t lo;

	if (n == 0 || !(q >= 0.0 && q <= 1.0))
		return NAN;
	/* R type 7: h = (n-1)q on 0-based indices, interpolate x[h] linearly. */
	h = (double)(n - 1) * q;
	lo = (size_t)floor(h);
	if (lo >= n - 1)
		return x[n - 1];
	frac = h - (double)lo;
	/* Equal neighbours need no interpolation, and for two infinities
	 * (bootstrap replicates of an undefined ratio) it would give
	 * inf + frac * (inf - inf) = NaN. */
	if (frac == 0.0 || x[lo] == x[lo + 1])
		return x[lo];
	return x[lo] + frac * (x[lo + 1] - x[lo]);
}

double stats_mean(const double *x, size_t n)
{
	double sum = 0.0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	return sum / (double)n;
}

double stats_stddev(const double *x, size_t n)
{
	double mean, ss = 0.0;

	if (n < 2)
		return NAN;
	/* Two passes, sum of squared deviations from the mean: the one-pass
	 * sum(x^2) - n*mean^2 cancels catastrophically for timings whose spread
	 * is small beside their size (1e6 ns +- 10 ns). */
	mean = stats_mean(x, n);
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	return sqrt(ss / (double)(n - 1));
}

double stats_median(const double *x, size_t n)
{
	double *copy, m;

	if (n == 0 || stats_has_nan(x, n))
		return NAN;
	copy = malloc(n * sizeof(*copy));
	if (!copy)
		return NAN;
	memcpy(copy, x, n * sizeof(*copy));
	m = stats_median_inplace(copy, n);
	free(copy);
	return m;
}

double stats_mad(const double *x, size_t n)
{
	double *dev, m;

	/* One sample has no spread to speak of; zero would claim one. */
	if (n < 2 || stats_has_nan(x, n))
		return NAN;
	dev = malloc(n * sizeof(*dev));
	if (!dev)
		return NAN;
	memcpy(dev, x, n * sizeof(*dev));
	m = stats_median_inplace(dev, n);
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(dev[i] - m);
	m = stats_median_inplace(dev, n);
	free(dev);
	return m;
}

/*
 * Coverage rule.  For a continuous distribution the number B of samples
 * below the true median is binomial(n, 1/2), so the interval between the
 * order statistics x_(j) and x_(n-j+1) (1-based) misses the median exactly
 * when B <= j-1 or B >= n-j+1, and its coverage is
 *     C(j) = 1 - 2 P(B <= j-1).
 * C falls as j grows (the interval narrows), so we take the largest j >= 1
 * with C(j) >= conf, i.e. the narrowest symmetric pair that still covers.
 * If even j = 1 (min, max) covers less than conf, there is no such interval
 * and we return -EDOM; for conf = 0.95 that is n < 6 (C(1) = 1 - 2^(1-n)).
 * The binomial pmf is carried in logs so that n in the millions does not
 * underflow 2^-n to zero before the first useful term.  A relative slack of
 * 1e-12 on the comparison keeps a coverage equal to conf (0.9375 for n = 5)
 * from being lost to rounding in 1 - conf.
 */
int stats_median_ci(const double *sorted, size_t n, double conf, double *lo, double *hi)
{
	double alpha, log_pmf, cdf = 0.0;
	size_t j = 0;

	if (!lo || !hi)
		return -EINVAL;
	*lo = NAN;
	*hi = NAN;
	if (!(conf > 0.0 && conf < 1.0) || (n && !sorted) || stats_has_nan(sorted, n))
		return -EINVAL;
	if (n < 2)
		return -EDOM;
	alpha = 1.0 - conf;
	log_pmf = -(double)n * M_LN2;
	for (size_t k = 0; k < (n + 1) / 2; k++) {
		cdf += exp(log_pmf);
		if (2.0 * cdf > alpha * (1.0 + 1e-12))
			break;
		j = k + 1;
		log_pmf += log((double)(n - k) / (double)(k + 1));
	}
	if (j == 0)
		return -EDOM;
	*lo = sorted[j - 1];
	*hi = sorted[n - j];
	return 0;
}

int stats_summarize(const double *x, size_t n, struct stats_summary *s)
{
	double *sorted, mean, sd, med, ci_lo, ci_hi;

	if (!s || n == 0 || !x || stats_has_nan(x, n))
		return -EINVAL;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, x, n * sizeof(*sorted));
	stats_sort(sorted, n);

	/* Mean and stddev from the caller's order, so they equal what
	 * stats_mean/stats_stddev give for the same array. */
	mean = stats_mean(x, n);
	sd = stats_stddev(x, n);
	med = stats_quantile_sorted(sorted, n, 0.5);
	s->n = n;
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->p50 = med;
	s->p90 = stats_quantile_sorted(sorted, n, 0.90);
	s->p99 = stats_quantile_sorted(sorted, n, 0.99);
	s->mean = mean;
	s->stddev = sd;
	/* A zero mean has no relative spread; say so rather than print inf. */
	s->cv_pct = (n < 2 || mean == 0.0) ? NAN : 100.0 * sd / mean;
	if (stats_median_ci(sorted, n, 0.95, &ci_lo, &ci_hi)) {
		ci_lo = NAN;
		ci_hi = NAN;
	}
	s->ci95_lo = ci_lo;
	s->ci95_hi = ci_hi;
	s->mad = stats_mad(sorted, n);
	free(sorted);
	return 0;
}

/* splitmix64 step (Vigna's reference): used only to expand a 64-bit seed
 * into xoshiro's 256-bit state, as the xoshiro authors recommend. */
static uint64_t stats_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void stats_rng_seed(struct stats_rng *r, uint64_t seed)
{
	uint64_t sm = seed;

	/* splitmix64 is a bijection of its state, so four successive outputs
	 * are never all zero: the one state xoshiro must avoid. */
	for (int i = 0; i < 4; i++)
		r->s[i] = stats_splitmix64(&sm);
}

static uint64_t stats_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman & Vigna). */
uint64_t stats_rng_next(struct stats_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = stats_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = stats_rotl(s[3], 45);
	return result;
}

/*
 * Continued fraction for the regularized incomplete beta I_x(a, b), by the
 * modified Lentz method; converges quickly for x < (a+1)/(a+b+2), in
 * O(sqrt(max(a, b))) terms.
 */
static double stats_betacf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (int m = 1; m <= 100000; m++) {
		double m2 = 2.0 * m, aa, del;

		/* Even step of the fraction. */
		aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		/* Odd step. */
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < eps)
			break;
	}
	return h;
}

/* Regularized incomplete beta I_x(a, b); xc = 1 - x, passed separately so
 * that an x within rounding of 1 keeps its digits. */
static double stats_ibeta(double a, double b, double x, double xc)
{
	int sign;
	double front;

	if (x <= 0.0)
		return 0.0;
	if (xc <= 0.0)
		return 1.0;
	front = exp(lgamma_r(a + b, &sign) - lgamma_r(a, &sign) - lgamma_r(b, &sign) +
		    a * log(x) + b * log(xc));
	if (x < (a + 1.0) / (a + b + 2.0))
		return front * stats_betacf(a, b, x) / a;
	return 1.0 - front * stats_betacf(b, a, xc) / b;
}

/* P(|T| > t) for t >= 0: I_{df/(df+t^2)}(df/2, 1/2), or the normal tail
 * erfc(t / sqrt 2) when df is infinite. */
static double stats_t_two_tail(double t, double df)
{
	double t2 = t * t;

	if (isinf(df))
		return erfc(t / M_SQRT2);
	return stats_ibeta(df / 2.0, 0.5, df / (df + t2), t2 / (df + t2));
}

/*
 * Solve P(|T| > t) = tail for t >= 0 by bisection: the tail falls strictly
 * in t, so bisection cannot miss, and stops at a relative width of 1e-13,
 * far inside the 1e-4 the callers need.
 */
static double stats_t_solve(double tail, double df)
{
	double lo = 0.0, hi = 1.0;

	while (stats_t_two_tail(hi, df) > tail && hi < 1e300) {
		lo = hi;
		hi *= 2.0;
	}
	for (int i = 0; i < 2000 && hi - lo > 1e-13 * hi; i++) {
		double mid = lo + (hi - lo) / 2.0;

		if (stats_t_two_tail(mid, df) > tail)
			lo = mid;
		else
			hi = mid;
	}
	return lo + (hi - lo) / 2.0;
}

/*
 * Quantile function of Student's t: the t with P(T <= t) = p, so p = 0.975
 * gives the half-width factor of a two-sided 95% interval.  NAN unless
 * 0 < p < 1 and df > 0.  df may be fractional or INFINITY (normal).
 */
double stats_t_quantile(double p, double df)
{
	double z;

	if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
		return NAN;
	if (p == 0.5)
		return 0.0;
	if (p < 0.5)
		return -stats_t_quantile(1.0 - p, df);
	if (df > STATS_T_NORMAL_DF) {
		/* Cornish-Fisher: t = z + (z^3 + z) / (4 df) + O(df^-2). */
		z = stats_t_solve(2.0 * (1.0 - p), INFINITY);
		return z + (z * z * z + z) / (4.0 * df);
	}
	return stats_t_solve(2.0 * (1.0 - p), df);
}

double stats_t_p_two_sided(double t, double df)
{
	if (isnan(t) || !(df > 0.0))
		return NAN;
	return stats_t_two_tail(fabs(t), df);
}

/*
 * Welch: d = mean(b) - mean(a), se = sqrt(s_a^2/na + s_b^2/nb), and the
 * Welch-Satterthwaite degrees of freedom
 *     df = se^4 / ((s_a^2/na)^2/(na-1) + (s_b^2/nb)^2/(nb-1)).
 * With se == 0 (both sides constant) there is no noise to test against:
 * p is 1 for d == 0 and 0 otherwise, the interval is the point d, and df
 * is na + nb - 2.
 */
int stats_welch(const double *a, size_t na, const double *b, size_t nb, double conf,
		struct stats_welch *w)
{
	double va, vb, qa, qb, t;

	if (!a || !b || !w || !(conf > 0.0 && conf < 1.0))
		return -EINVAL;
	if (na < 2 || nb < 2)
		return -EDOM;
	if (stats_has_nan(a, na) || stats_has_nan(b, nb))
		return -EINVAL;
	va = stats_stddev(a, na);
	vb = stats_stddev(b, nb);
	qa = va * va / (double)na;
	qb = vb * vb / (double)nb;
	w->diff = stats_mean(b, nb) - stats_mean(a, na);
	w->se = sqrt(qa + qb);
	if (w->se == 0.0) {
		w->df = (double)(na + nb - 2);
		w->t = w->diff == 0.0 ? 0.0 : copysign(INFINITY, w->diff);
		w->p = w->diff == 0.0 ? 1.0 : 0.0;
		w->lo = w->hi = w->diff;
		return 0;
	}
	w->df = (qa + qb) * (qa + qb) /
		(qa * qa / (double)(na - 1) + qb * qb / (double)(nb - 1));
	w->t = w->diff / w->se;
	w->p = stats_t_two_tail(fabs(w->t), w->df);
	t = stats_t_quantile(0.5 + conf / 2.0, w->df);
	w->lo = w->diff - t * w->se;
	w->hi = w->diff + t * w->se;
	return 0;
}

/*
 * Benjamini-Hochberg step-up: with p sorted ascending p_(1) <= ... <= p_(n),
 *     adj_(i) = min_{k >= i} min(1, n p_(k) / k),
 * the running minimum from the top making adjusted values monotone in p.
 * A key is a discovery at FDR q when adj < q.  adj may be p.
 */
int stats_bh(const double *p, size_t n, double *adj)
{
	struct stats_p_item *items;
	double running = 1.0;

	if (n == 0)
		return 0;
	if (!p || !adj)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!(p[i] >= 0.0 && p[i] <= 1.0))
			return -EINVAL;
	items = malloc(n * sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		items[i] = (struct stats_p_item){ .p = p[i], .idx = i };
	qsort(items, n, sizeof(*items), stats_cmp_p);
	for (size_t i = n; i-- > 0;) {
		double v = fmin(1.0, (double)n * items[i].p / (double)(i + 1));

		running = fmin(running, v);
		adj[items[i].idx] = running;
	}
	free(items);
	return 0;
}

/*
 * Batch medians: the R round medians are R independent estimates (each
 * round is a fresh process at a shuffled time), so their standard deviation
 * over sqrt(R) is the standard error of an estimate built from all rounds,
 * whatever the noise inside a round and the correlation between its samples.
 */
int stats_batch_ci(const double *rm, size_t r, double center, double conf,
		   double *lo, double *hi)
{
	double half;

	if (!lo || !hi)
		return -EINVAL;
	*lo = *hi = NAN;
	if (!rm || !(conf > 0.0 && conf < 1.0) || !isfinite(center))
		return -EINVAL;
	if (r < 2)
		return -EDOM;
	if (stats_has_nan(rm, r))
		return -EINVAL;
	half = stats_t_quantile(0.5 + conf / 2.0, (double)(r - 1)) * stats_stddev(rm, r) /
	       sqrt((double)r);
	*lo = center - half;
	*hi = center + half;
	return 0;
}

/*
 * Times and rates are positive and their noise multiplicative (a slow
 * round is slow by a factor): on the log scale the same batch interval is
 * symmetric in ratios and cannot reach below 0, which the linear one does
 * for a key whose rounds differ by a factor (a lower bound under 0 ns).
 */
int stats_batch_ci_log(const double *rm, size_t r, double center, double conf,
		       double *lo, double *hi)
{
	double *l;
	int rc;

	/* NULL, NaN, a bad conf or too few rounds: as stats_batch_ci says. */
	if (!rm || r < 2 || stats_has_nan(rm, r) || !isfinite(center))
		return stats_batch_ci(rm, r, center, conf, lo, hi);
	if (!lo || !hi)
		return -EINVAL;
	*lo = *hi = NAN;
	if (!(center > 0.0))
		return -EDOM;
	for (size_t i = 0; i < r; i++)
		if (!(rm[i] > 0.0))
			return -EDOM;
	l = malloc(r * sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < r; i++)
		l[i] = log(rm[i]);
	rc = stats_batch_ci(l, r, log(center), conf, lo, hi);
	free(l);
	if (rc == 0) {
		*lo = exp(*lo);
		*hi = exp(*hi);
	}
	return rc;
}

/* Least squares with centred sums (stable when x is large, e.g. bytes). */
int stats_slope(const double *x, const double *y, size_t n, double *slope,
		double *intercept)
{
	double mx, my, sxx = 0.0, sxy = 0.0;

	if (!x || !y || !slope || !intercept)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return -EINVAL;
	if (n < 2)
		return -EDOM;
	mx = stats_mean(x, n);
	my = stats_mean(y, n);
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (sxx == 0.0)
		return -EDOM;
	*slope = sxy / sxx;
	*intercept = my - *slope * mx;
	return 0;
}
