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

/* Largest sample per side for which stats_mann_whitney uses the exact null
 * distribution (the contract in stats.h); it also bounds the count table at
 * 20*20+1 int64_t, small enough for the stack. */
#define STATS_MW_EXACT_MAX 20

/* Above this many degrees of freedom the t quantile is the normal quantile
 * plus its first Cornish-Fisher term: the remainder, O(1/df^2), is below
 * 1e-8 there even at p = 0.9999, while the incomplete beta would need
 * O(sqrt(df)) continued-fraction terms per evaluation and loses digits to
 * the lgamma differences of large numbers. */
#define STATS_T_NORMAL_DF 1e5

/* One value of the pooled sample of a two-sample rank test. */
struct stats_tagged {
	double v;   /* the observation */
	int from_a; /* 1 if it came from sample a, 0 if from sample b */
};

/* One p-value of a Holm family, remembered with where it came from. */
struct stats_holm_item {
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

/* qsort comparator for NaN-free doubles. */
static int stats_cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

static int stats_cmp_tagged(const void *pa, const void *pb)
{
	const struct stats_tagged *a = pa, *b = pb;

	return (a->v > b->v) - (a->v < b->v);
}

/* Ascending p, ties broken by index so the order does not depend on qsort. */
static int stats_cmp_holm(const void *pa, const void *pb)
{
	const struct stats_holm_item *a = pa, *b = pb;

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
	qsort(sorted, n, sizeof(*sorted), stats_cmp_double);

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

/* Uniform integer in [0, n), n >= 1, without modulo bias: draws below
 * 2^64 mod n are rejected so the rest split evenly into n classes. */
static uint64_t stats_rng_below(struct stats_rng *r, uint64_t n)
{
	uint64_t limit = -n % n;
	uint64_t v;

	do
		v = stats_rng_next(r);
	while (v < limit);
	return v % n;
}

/*
 * Exact two-sided p of U = u (an integer) for sample sizes m, n <= 20 with
 * no ties.  Under H0 every arrangement of the m + n ranks is equally likely,
 * and the number of arrangements with U = k is the coefficient of q^k in the
 * Gaussian binomial
 *     [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i),
 * which is the Mann-Whitney (1947) count recurrence in closed form.  We build
 * it as a DP over counts: multiply by (1 - q^(n+i)), then divide by
 * (1 - q^i) (a running sum with stride i).  Both steps only read lower
 * powers, so truncating at the final degree m*n is exact; every
 * intermediate is below 2 * C(40,20) < 2^39, exact in int64_t.
 * p = min(1, 2 min(P(U <= u), P(U >= u))), as R's wilcox.test and scipy.
 */
static double stats_mw_exact_p(size_t m, size_t n, double u)
{
	int64_t c[STATS_MW_EXACT_MAX * STATS_MW_EXACT_MAX + 1] = { 0 };
	size_t deg = m * n, uk = (size_t)u;
	double total = 0.0, le = 0.0, ge = 0.0, p;

	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		for (size_t k = deg; k >= n + i; k--)
			c[k] -= c[k - (n + i)];
		for (size_t k = i; k <= deg; k++)
			c[k] += c[k - i];
	}
	for (size_t k = 0; k <= deg; k++) {
		total += (double)c[k];
		if (k <= uk)
			le += (double)c[k];
		if (k >= uk)
			ge += (double)c[k];
	}
	p = 2.0 * fmin(le, ge) / total;
	return fmin(p, 1.0);
}

/*
 * U convention: U of a counts the pairs (a_i, b_j) with a_i > b_j, plus one
 * half for each tie a_i == b_j; so U(a) + U(b) = na * nb, and a large U
 * means a tends to be larger.  Computed from mid-ranks of the pooled sample,
 * U = R_a - na(na+1)/2, in O(N log N).
 *
 * Normal approximation: mean na nb / 2, variance
 *     na nb / 12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))
 * over tie groups of size t, and z = max(0, |U - mean| - 1/2) / sd
 * (continuity correction), p = 2 (1 - Phi(z)) = erfc(z / sqrt 2).  If every
 * value is tied the variance is zero and there is no evidence either way:
 * p = 1.  NAN (and *u_out NAN) for an empty side, a NaN, or no memory.
 */
double stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
			  double *u_out)
{
	struct stats_tagged *pool;
	size_t n = na + nb;
	double rank_sum_a = 0.0, tie_sum = 0.0, u, p;
	int ties = 0;

	if (u_out)
		*u_out = NAN;
	if (na == 0 || nb == 0 || !a || !b || stats_has_nan(a, na) || stats_has_nan(b, nb))
		return NAN;
	pool = malloc(n * sizeof(*pool));
	if (!pool)
		return NAN;
	for (size_t i = 0; i < na; i++)
		pool[i] = (struct stats_tagged){ .v = a[i], .from_a = 1 };
	for (size_t i = 0; i < nb; i++)
		pool[na + i] = (struct stats_tagged){ .v = b[i], .from_a = 0 };
	qsort(pool, n, sizeof(*pool), stats_cmp_tagged);

	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		double t, mid_rank;

		while (j < n && pool[j].v == pool[i].v)
			j++;
		/* Ranks i+1 .. j share their mean. */
		mid_rank = ((double)(i + 1) + (double)j) / 2.0;
		t = (double)(j - i);
		if (j - i > 1) {
			ties = 1;
			tie_sum += t * t * t - t;
		}
		for (size_t k = i; k < j; k++)
			if (pool[k].from_a)
				rank_sum_a += mid_rank;
		i = j;
	}
	free(pool);
	u = rank_sum_a - (double)na * ((double)na + 1.0) / 2.0;
	if (u_out)
		*u_out = u;

	if (!ties && na <= STATS_MW_EXACT_MAX && nb <= STATS_MW_EXACT_MAX) {
		p = stats_mw_exact_p(na, nb, u);
	} else {
		double nn = (double)n;
		double mu = (double)na * (double)nb / 2.0;
		double var = (double)na * (double)nb / 12.0 *
			     ((nn + 1.0) - tie_sum / (nn * (nn - 1.0)));
		double z;

		if (!(var > 0.0))
			return 1.0;
		z = fmax(0.0, fabs(u - mu) - 0.5) / sqrt(var);
		p = fmin(1.0, erfc(z / M_SQRT2));
	}
	return p;
}

/*
 * Ratio of medians with a percentile bootstrap: each of reps replicates
 * resamples a (na draws with replacement) and then b (nb draws), both
 * independently, and takes median(b*)/median(a*); the interval is the
 * (1-conf)/2 and (1+conf)/2 type-7 quantiles of the replicates.  A ratio is
 * meant for non-negative quantities (times, rates, counter deltas): a
 * negative value, or median(a) == 0 (no finite ratio at all), gives -EDOM.
 * Zeros are allowed, so a counter that is mostly 0 can still be compared;
 * a replicate whose resampled a-median is 0 has no finite ratio and counts
 * as +inf, which widens the interval (to inf if enough replicates do)
 * rather than being silently dropped.  Fewer than two samples on a side
 * give -EINVAL: one value has no sampling distribution.
 */
int stats_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
		   double conf, unsigned reps, uint64_t seed,
		   double *ratio, double *lo, double *hi)
{
	struct stats_rng rng;
	double *ra, *rb, *rep, med_a;
	int ret = -ENOMEM;

	if (!a || !b || !ratio || !lo || !hi || na < 2 || nb < 2 || reps == 0 ||
	    !(conf > 0.0 && conf < 1.0))
		return -EINVAL;
	for (size_t i = 0; i < na; i++)
		if (!isfinite(a[i]))
			return -EINVAL;
	for (size_t i = 0; i < nb; i++)
		if (!isfinite(b[i]))
			return -EINVAL;
	for (size_t i = 0; i < na; i++)
		if (a[i] < 0.0)
			return -EDOM;
	for (size_t i = 0; i < nb; i++)
		if (b[i] < 0.0)
			return -EDOM;

	ra = malloc(na * sizeof(*ra));
	if (!ra)
		goto out;
	rb = malloc(nb * sizeof(*rb));
	if (!rb)
		goto out_free_a;
	rep = malloc((size_t)reps * sizeof(*rep));
	if (!rep)
		goto out_free_b;

	memcpy(ra, a, na * sizeof(*ra));
	memcpy(rb, b, nb * sizeof(*rb));
	med_a = stats_median_inplace(ra, na);
	if (med_a == 0.0) {
		ret = -EDOM;
		goto out_free_rep;
	}
	*ratio = stats_median_inplace(rb, nb) / med_a;

	stats_rng_seed(&rng, seed);
	for (unsigned r = 0; r < reps; r++) {
		for (size_t i = 0; i < na; i++)
			ra[i] = a[stats_rng_below(&rng, na)];
		for (size_t i = 0; i < nb; i++)
			rb[i] = b[stats_rng_below(&rng, nb)];
		med_a = stats_median_inplace(ra, na);
		/* Explicit, because 0/0 would be a NaN that no sort can place. */
		rep[r] = med_a == 0.0 ? INFINITY : stats_median_inplace(rb, nb) / med_a;
	}
	qsort(rep, reps, sizeof(*rep), stats_cmp_double);
	*lo = stats_quantile_sorted(rep, reps, (1.0 - conf) / 2.0);
	*hi = stats_quantile_sorted(rep, reps, (1.0 + conf) / 2.0);
	ret = 0;

out_free_rep:
	free(rep);
out_free_b:
	free(rb);
out_free_a:
	free(ra);
out:
	return ret;
}

/*
 * Holm step-down: with p sorted ascending p_(1) <= ... <= p_(n),
 *     adj_(i) = max_{k <= i} min(1, (n - k + 1) p_(k)),
 * the running max making adjusted values monotone in p.  adj may be p.
 * 0; -EINVAL for a p-value outside [0, 1] or NaN; -ENOMEM.
 */
int stats_holm(const double *p, size_t n, double *adj)
{
	struct stats_holm_item *items;
	double running = 0.0;

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
		items[i] = (struct stats_holm_item){ .p = p[i], .idx = i };
	qsort(items, n, sizeof(*items), stats_cmp_holm);
	for (size_t i = 0; i < n; i++) {
		double v = fmin(1.0, (double)(n - i) * items[i].p);

		running = fmax(running, v);
		adj[items[i].idx] = running;
	}
	free(items);
	return 0;
}

/*
 * Ordinary least squares with centred sums (stable when x is large, e.g.
 * byte sizes).  The slope's standard error is sqrt(s^2 / Sxx) with
 * s^2 = SSE / (n - 2), and the CI is slope +- t(0.975, n-2) * se.
 * 0; -EINVAL for NULL or non-finite input; -EDOM if n < 3 (no residual
 * degree of freedom) or x is constant (no slope).
 */
int stats_linfit(const double *x, const double *y, size_t n,
		 double *slope, double *intercept, double *slope_lo, double *slope_hi)
{
	double mx, my, sxx = 0.0, sxy = 0.0, sse = 0.0, b, a, se, t;

	if (!x || !y || !slope || !intercept || !slope_lo || !slope_hi)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]) || !isfinite(y[i]))
			return -EINVAL;
	if (n < 3)
		return -EDOM;
	mx = stats_mean(x, n);
	my = stats_mean(y, n);
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	if (sxx == 0.0)
		return -EDOM;
	b = sxy / sxx;
	a = my - b * mx;
	for (size_t i = 0; i < n; i++) {
		double r = y[i] - (a + b * x[i]);

		sse += r * r;
	}
	se = sqrt(sse / (double)(n - 2) / sxx);
	t = stats_t_quantile(0.975, (double)(n - 2));
	*slope = b;
	*intercept = a;
	*slope_lo = b - t * se;
	*slope_hi = b + t * se;
	return 0;
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
