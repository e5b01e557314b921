/*
 * compare.c - did the candidate make any primitive slower, and is it real?
 *
 * `primbench compare BASE... -- CAND...` (or `compare BASE CAND`) joins the
 * runs of each side on the key (bench, variant, sweep, x, placement,
 * metric) and gives each key a verdict.  A side may be several runs (or a
 * folder that holds several runs): their rounds are pooled, the way
 * benchstat pools -count runs.  What a verdict means, exactly:
 *
 * Unit of evidence.  A run visits every configuration in R rounds, each in
 * a fresh process at a shuffled time (runner.c).  The samples inside one
 * round share that process's window - its physical pages, the scheduler's
 * state, the host's neighbours at that moment - so they are not independent
 * draws from the host, and a test on samples calls every change between two
 * windows significant.  The round is the unit: for a key, each side gives
 * its round medians m_1..m_R (one number per round of every run of that
 * side), and only those enter the test.  Schema-1 runs read as one round,
 * so they are loaded and shown but never tested.
 *
 * Effect size.  On the log scale, d = mean(log m_cand) - mean(log m_base);
 * change = 100 * (exp(d) - 1), in percent, signed as the metric moves (for
 * a throughput a positive change is better).  Logs, because costs combine
 * multiplicatively and a ratio is what a reader asks for.
 *
 * Test and CI.  Welch's t test on the log round medians (unequal variances,
 * Welch-Satterthwaite degrees of freedom), two-sided; the 95% CI of d is
 * d +- t(0.975, df) * se, exponentiated.  A round median is a median of
 * several samples, so it is close to normal even when samples are skewed;
 * with COMPARE_MIN_ROUNDS (3) or more rounds a side the test has at least
 * ~2 degrees of freedom.  Fewer rounds give `n/a`, never a verdict.
 *
 * Multiple comparisons.  A run has hundreds of gated keys.  Their p-values
 * are adjusted together by Benjamini-Hochberg (false discovery rate
 * --alpha, default 0.05): among the keys called changed, the expected
 * share of false calls is at most alpha; and when nothing changed at all
 * (an A/A pair) the chance of even one call is at most alpha.  BH keeps the
 * power that Holm's family-wise control loses when a real change moves
 * many keys at once.  Keys that do not gate form a second, separate family.
 *
 * Verdict.  A tested key is `slower` or `faster` when p_adj < alpha, the CI
 * excludes 0 and |change| > --threshold (default 5%).  Otherwise it is
 * `same` when the pair could have seen a change past the threshold, and
 * `undecided` when it could not.
 *
 * Minimum detectable effect (mde_pct).  The smallest |change| this pair of
 * runs could have called, were it the only key that moved: its p would have
 * to pass BH at rank 1, p < alpha / m over the m tested keys of its family,
 * so mde = 100 * (exp(t(1 - alpha / 2m, df) * se) - 1).  A key whose mde
 * exceeds the threshold is `undecided`, not `same`: its noise hides a
 * change of the size the gate exists to catch.
 *
 * Direction and gating.  One configuration is one gated decision: its
 * ns_per_op.  bytes_per_s and msgs_per_s restate ns_per_op of the same
 * configuration; ns_per_mib, ns_to_child, ns_per_switch and the like are
 * derived from it; counters (faults, switches, cycles) explain a change
 * rather than being one.  They get verdicts for the reader, by the same
 * rules in their own BH family, but do not set the exit status.  os_noise
 * does not gate at all: its metrics measure the host's interrupts and
 * neighbours, which differ between two runs on one host by more than any
 * kernel change the gate is for; fewer and shorter gaps (gaps_per_s,
 * gap_*_ns, stolen_pct) are better.  Every *_per_s but gaps_per_s is
 * better when higher; every other metric is better when lower.
 *
 * Gate (exit status).  1 when a gated key is `slower`.  Otherwise
 * COMPARE_EXIT_INCONCLUSIVE (3) when the gate cannot speak for the
 * candidate: a gated key is gone, a candidate run is incomplete (meta
 * complete=false) or has no row that ran, or fewer than --min-decidable
 * percent (default 50) of the gated keys that ran on both sides are
 * decidable (`faster`, `slower` or `same`) - which is also what happens
 * when verdicts are withheld across accelerators.  0 otherwise.
 *
 * Summary.  For every tested gated key, the ratio r = exp(d) oriented so
 * that r > 1 always means slower.  The geomean is exp(mean(log r)) per
 * bench family and over all; its 95% CI is the Student t interval on the
 * log ratios over keys, which treats keys as independent (they are not
 * quite: a family's variants share code paths); read it as indicative.
 *
 * Comparability.  Timings taken under an emulator (meta accel=tcg) are not
 * comparable with hardware-assisted ones (kvm, hyperv, native, ...): when
 * one side is emulated and the other is not, every key is `n/a` unless
 * --force.  Meta keys that differ are listed
 * first, and a change of hardware (tsc_hz, the timer's overhead or the
 * null loop moving by more than their noise) is said in so many words.
 */
#include "compare.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "stats.h"

/* The key columns, in join order. */
#define COMPARE_NKEY 6
enum { KEY_BENCH, KEY_VARIANT, KEY_SWEEP, KEY_X, KEY_PLACEMENT, KEY_METRIC };
static const char *const compare_key_names[COMPARE_NKEY] = {
	"bench", "variant", "sweep", "x", "placement", "metric",
};

/* Columns of compare.csv, in order. */
#define COMPARE_NCOLS 23
static const char *const compare_csv_header[COMPARE_NCOLS] = {
	"schema", "bench", "variant", "sweep", "x", "placement", "metric",
	"unit", "base_n", "cand_n", "base_p50", "cand_p50", "change_pct",
	"ci95_lo_pct", "ci95_hi_pct", "p_value", "p_adj", "verdict", "note",
	"base_rounds", "cand_rounds", "mde_pct", "gated",
};

/* Meta keys that differ between any two runs and so say nothing. */
static const char *const compare_meta_ignored[] = {
	"run_id", "started_utc", "finished_utc", "seed", "run_args",
	/* Re-measured at every start: they differ in the last digits between
	 * any two runs; a real change is reported as "different hardware". */
	"tsc_hz", "timer_overhead_ns",
};

/* Highest run schema this reader knows. */
#define COMPARE_RUN_SCHEMA_MAX 2

const char *compare_verdict_name(enum compare_verdict v)
{
	static const char *const names[COMPARE_NVERDICTS] = {
		[COMPARE_FASTER] = "faster", [COMPARE_SLOWER] = "slower",
		[COMPARE_SAME] = "same", [COMPARE_UNDECIDED] = "undecided",
		[COMPARE_NEW] = "new", [COMPARE_GONE] = "gone",
		[COMPARE_SKIPPED] = "skipped", [COMPARE_NA] = "n/a",
	};

	return (unsigned)v < COMPARE_NVERDICTS ? names[v] : "?";
}

static int compare_str_ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

void compare_classify_metric(const char *bench, const char *metric, int *higher_is_better,
			     int *gated)
{
	*higher_is_better = compare_str_ends(metric, "_per_s") && strcmp(metric, "gaps_per_s") != 0;
	*gated = strcmp(metric, "ns_per_op") == 0 && strcmp(bench, "os_noise") != 0;
}

void compare_opts_default(struct compare_opts *o)
{
	o->threshold_pct = COMPARE_DEFAULT_THRESHOLD_PCT;
	o->alpha = COMPARE_DEFAULT_ALPHA;
	o->comparable = 1;
	o->na_note = NULL;
}

/* Append to it->note, "; "-separated, truncating rather than failing. */
static void compare_note(struct compare_item *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void compare_note(struct compare_item *it, const char *fmt, ...)
{
	size_t len = strlen(it->note);
	va_list ap;

	if (len && len + 3 < sizeof(it->note)) {
		memcpy(it->note + len, "; ", 3);
		len += 2;
	}
	if (len + 1 >= sizeof(it->note))
		return;
	va_start(ap, fmt);
	vsnprintf(it->note + len, sizeof(it->note) - len, fmt, ap);
	va_end(ap);
}

/* Logs of the round medians of v (grouped by round id) into out; returns
 * the number of rounds, or 0 when a round median is not > 0 (*bad set). */
static size_t compare_log_round_medians(const double *v, const unsigned *round, size_t n,
					double *out, int *bad)
{
	size_t nr = 0;

	for (size_t lo = 0, hi; lo < n; lo = hi) {
		double m;

		for (hi = lo + 1; hi < n && round[hi] == round[lo]; hi++)
			;
		m = stats_median(v + lo, hi - lo);
		if (!(m > 0)) {
			*bad = 1;
			return 0;
		}
		out[nr++] = log(m);
	}
	return nr;
}

/* The number of distinct round ids in a grouped array. */
static size_t compare_count_rounds(const unsigned *round, size_t n)
{
	size_t nr = n ? 1 : 0;

	for (size_t i = 1; i < n; i++)
		if (round[i] != round[i - 1])
			nr++;
	return nr;
}

/* First stage for one key: medians, and for keys that can be tested the
 * change, its CI, the raw p-value and the standard error.  The verdict
 * waits for the BH step.  0 or -ENOMEM. */
static int compare_eval_one(struct compare_item *it, const struct compare_opts *o)
{
	struct stats_welch w;
	double *la = NULL, *lb = NULL;
	size_t na, nb;
	int bad = 0, rc = 0;

	compare_classify_metric(it->bench, it->metric, &it->higher_is_better, &it->gated);
	it->tested = 0;
	it->base_rounds = compare_count_rounds(it->base_round, it->base_n);
	it->cand_rounds = compare_count_rounds(it->cand_round, it->cand_n);
	it->base_p50 = it->base_n ? stats_median(it->base, it->base_n) : NAN;
	it->cand_p50 = it->cand_n ? stats_median(it->cand, it->cand_n) : NAN;
	it->change_pct = it->ci95_lo_pct = it->ci95_hi_pct = NAN;
	it->p_value = it->p_adj = it->se_log = it->df = it->mde_pct = NAN;
	it->verdict = COMPARE_NA;
	it->note[0] = '\0';

	if (!it->in_base || !it->in_cand) {
		if (it->in_cand) {
			it->verdict = COMPARE_NEW;
			compare_note(it, "only in candidate");
		} else if (it->in_base) {
			it->verdict = COMPARE_GONE;
			compare_note(it, "only in base");
		} else {
			compare_note(it, "in neither run");
		}
		if (it->skip_note)
			compare_note(it, "%s", it->skip_note);
		return 0;
	}
	if (it->skip_note) {
		it->verdict = COMPARE_SKIPPED;
		compare_note(it, "%s", it->skip_note);
		return 0;
	}
	if (!o->comparable) {
		compare_note(it, "%s", o->na_note ? o->na_note : "runs not comparable");
		return 0;
	}
	if (it->base_rounds < COMPARE_MIN_ROUNDS || it->cand_rounds < COMPARE_MIN_ROUNDS) {
		compare_note(it, "fewer than %d rounds a side (base %zu, cand %zu): the noise "
			     "between rounds cannot be estimated", COMPARE_MIN_ROUNDS,
			     it->base_rounds, it->cand_rounds);
		return 0;
	}
	if (it->base_p50 == 0 && it->cand_p50 == 0) {
		/* Typical of counters (no migrations either side): nothing moved,
		 * but there is no ratio to test or to put in a geomean. */
		it->verdict = COMPARE_SAME;
		it->change_pct = 0;
		compare_note(it, "both medians are 0");
		return 0;
	}
	la = malloc(it->base_n * sizeof(*la));
	lb = malloc(it->cand_n * sizeof(*lb));
	if (!la || !lb) {
		rc = -ENOMEM;
		goto out;
	}
	na = compare_log_round_medians(it->base, it->base_round, it->base_n, la, &bad);
	nb = compare_log_round_medians(it->cand, it->cand_round, it->cand_n, lb, &bad);
	if (bad || stats_welch(la, na, lb, nb, 0.95, &w) < 0) {
		compare_note(it, "a round median <= 0: relative change undefined");
		goto out;
	}
	it->change_pct = 100.0 * expm1(w.diff);
	it->ci95_lo_pct = 100.0 * expm1(w.lo);
	it->ci95_hi_pct = 100.0 * expm1(w.hi);
	it->p_value = w.p;
	it->se_log = w.se;
	it->df = w.df;
	it->tested = 1;
out:
	free(la);
	free(lb);
	return rc;
}

/* BH-adjust the p-values of the tested keys whose gated flag equals
 * want_gated (one family), and give each its mde.  Returns the family
 * size, or -ENOMEM. */
static long compare_bh_family(struct compare_item *items, size_t n, int want_gated,
			      double alpha, size_t *idx, double *p, double *adj)
{
	size_t i, k = 0;
	int rc;

	for (i = 0; i < n; i++) {
		if (items[i].tested && items[i].gated == want_gated) {
			idx[k] = i;
			p[k] = items[i].p_value;
			k++;
		}
	}
	if (k == 0)
		return 0;
	rc = stats_bh(p, k, adj);
	if (rc < 0)
		return rc;
	for (i = 0; i < k; i++) {
		struct compare_item *it = &items[idx[i]];
		double t = stats_t_quantile(1.0 - alpha / (2.0 * (double)k), it->df);

		it->p_adj = adj[i];
		it->mde_pct = 100.0 * expm1(t * it->se_log);
	}
	return (long)k;
}

/* Second stage for a tested key: the conditions of the header. */
static void compare_decide(struct compare_item *it, const struct compare_opts *o)
{
	int significant = it->p_adj < o->alpha;
	int ci_excludes = it->ci95_lo_pct > 0 || it->ci95_hi_pct < 0;
	int past = fabs(it->change_pct) > o->threshold_pct;
	int worse;

	if (significant && ci_excludes && past) {
		worse = it->higher_is_better ? it->change_pct < 0 : it->change_pct > 0;
		it->verdict = worse ? COMPARE_SLOWER : COMPARE_FASTER;
		return;
	}
	if (significant) {
		it->verdict = COMPARE_SAME;
		compare_note(it, "a change of %+.1f%%, within the %g%% threshold",
			     it->change_pct, o->threshold_pct);
		return;
	}
	if (!(it->mde_pct <= o->threshold_pct)) {
		it->verdict = COMPARE_UNDECIDED;
		compare_note(it, "could only have called |change| > %.1f%% (threshold %g%%)",
			     it->mde_pct, o->threshold_pct);
		return;
	}
	it->verdict = COMPARE_SAME;
	compare_note(it, "not significant (p_adj %.2g >= %g)", it->p_adj, o->alpha);
}

/* The oriented ratio of a tested key: > 1 means slower. */
static double compare_oriented_ratio(const struct compare_item *it)
{
	double r = 1.0 + it->change_pct / 100.0;

	return it->higher_is_better ? 1.0 / r : r;
}

/* Is a key part of the geomean: gated and tested. */
static int compare_in_geomean(const struct compare_item *it)
{
	double r;

	if (!it->gated || !it->tested)
		return 0;
	r = compare_oriented_ratio(it);
	return isfinite(r) && r > 0;
}

/* Geomean with a t-interval from k log ratios. */
static void compare_geo_fill(struct compare_geo *g, const double *logs, size_t k)
{
	double m, sd, t, half;

	g->k = k;
	g->geomean = g->lo = g->hi = NAN;
	if (k == 0)
		return;
	m = stats_mean(logs, k);
	g->geomean = exp(m);
	if (k < 2)
		return;
	sd = stats_stddev(logs, k);
	t = stats_t_quantile(0.975, (double)(k - 1));
	half = t * sd / sqrt((double)k);
	g->lo = exp(m - half);
	g->hi = exp(m + half);
}

/* Counts, decidability, regression flag and geomeans.  0 or -ENOMEM. */
static int compare_summarize(const struct compare_item *items, size_t n,
			     struct compare_summary *s)
{
	double *logs;
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		enum compare_verdict v = items[i].verdict;

		s->count[v]++;
		if (!items[i].gated)
			continue;
		s->gated_count[v]++;
		if (v == COMPARE_SLOWER)
			s->regression = 1;
		if (v == COMPARE_FASTER || v == COMPARE_SLOWER || v == COMPARE_SAME ||
		    v == COMPARE_UNDECIDED || v == COMPARE_NA)
			s->gated_present++;
		if (v == COMPARE_FASTER || v == COMPARE_SLOWER || v == COMPARE_SAME)
			s->gated_decidable++;
	}
	logs = malloc((n ? n : 1) * sizeof(*logs));
	s->family = malloc((n ? n : 1) * sizeof(*s->family));
	if (!logs || !s->family) {
		free(logs);
		free(s->family);
		s->family = NULL;
		return -ENOMEM;
	}

	for (i = 0, k = 0; i < n; i++)
		if (compare_in_geomean(&items[i]))
			logs[k++] = log(compare_oriented_ratio(&items[i]));
	s->overall.family = NULL;
	compare_geo_fill(&s->overall, logs, k);

	/* Families in first-seen order; quadratic in the number of families,
	 * which is a handful. */
	for (i = 0; i < n; i++) {
		if (!compare_in_geomean(&items[i]))
			continue;
		for (j = 0; j < s->nfamily; j++)
			if (strcmp(s->family[j].family, items[i].bench) == 0)
				break;
		if (j < s->nfamily)
			continue;
		for (j = i, k = 0; j < n; j++)
			if (compare_in_geomean(&items[j]) &&
			    strcmp(items[j].bench, items[i].bench) == 0)
				logs[k++] = log(compare_oriented_ratio(&items[j]));
		s->family[s->nfamily].family = items[i].bench;
		compare_geo_fill(&s->family[s->nfamily], logs, k);
		s->nfamily++;
	}
	free(logs);
	return 0;
}

int compare_evaluate(struct compare_item *items, size_t n,
		     const struct compare_opts *o, struct compare_summary *s)
{
	size_t *idx = NULL;
	double *p = NULL, *adj = NULL;
	size_t i;
	long k;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!(o->alpha > 0 && o->alpha < 1) || !(o->threshold_pct >= 0) ||
	    !isfinite(o->threshold_pct))
		return -EINVAL;

	for (i = 0; i < n; i++) {
		rc = compare_eval_one(&items[i], o);
		if (rc < 0)
			return rc;
	}

	rc = -ENOMEM;
	idx = malloc((n ? n : 1) * sizeof(*idx));
	p = malloc((n ? n : 1) * sizeof(*p));
	adj = malloc((n ? n : 1) * sizeof(*adj));
	if (!idx || !p || !adj)
		goto out_free;
	k = compare_bh_family(items, n, 1, o->alpha, idx, p, adj);
	if (k < 0) {
		rc = (int)k;
		goto out_free;
	}
	s->gated_tested = (size_t)k;
	k = compare_bh_family(items, n, 0, o->alpha, idx, p, adj);
	if (k < 0) {
		rc = (int)k;
		goto out_free;
	}
	s->counter_tested = (size_t)k;

	for (i = 0; i < n; i++) {
		if (items[i].tested)
			compare_decide(&items[i], o);
		if (items[i].extra_note)
			compare_note(&items[i], "%s", items[i].extra_note);
		if (!items[i].gated && items[i].tested)
			compare_note(&items[i], "not gated");
	}
	rc = compare_summarize(items, n, s);
out_free:
	free(adj);
	free(p);
	free(idx);
	return rc;
}

void compare_summary_free(struct compare_summary *s)
{
	free(s->family);
	s->family = NULL;
	s->nfamily = 0;
}

/* ------------------------------------------------------------------------
 * Loading results folders.  Every check here runs before anything is
 * written, so that bad input leaves no file behind.
 */

/* One results folder, loaded and validated. */
struct compare_run {
	char *dir;                    /* folder (owned) */
	const char *label;            /* "base" or "cand", for messages */
	int side;                     /* 0 base, 1 candidate */
	struct csv_table summary;     /* summary.csv */
	struct csv_table samples;     /* samples.csv */
	struct csv_table meta;        /* meta.csv */
	int sum_key[COMPARE_NKEY];    /* summary.csv column of each key part */
	int sum_schema;               /* summary.csv "schema" column */
	int sum_unit;                 /* summary.csv "unit" column */
	int sum_status;               /* summary.csv "status" column */
	int sum_note;                 /* summary.csv "note" column */
	int sum_validation;           /* summary.csv "validation" column */
	int smp_key[COMPARE_NKEY];    /* samples.csv column of each key part */
	int smp_schema;               /* samples.csv "schema" column */
	int smp_value;                /* samples.csv "value" column */
	int smp_round;                /* samples.csv "round" column, -1 (schema 1) */
	int meta_key;                 /* meta.csv "key" column */
	int meta_value;               /* meta.csv "value" column */
	long schema;                  /* schema version, one for the whole run */
	int incomplete;               /* meta complete=false */
	size_t ok_rows;               /* summary rows with status ok */
};

/* Report a one-line error into err. Always returns -EINVAL. */
static int compare_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int compare_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *compare_meta_get(const struct compare_run *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->meta.nrows; i++)
		if (strcmp(r->meta.rows[i][r->meta_key], key) == 0)
			return r->meta.rows[i][r->meta_value];
	return NULL;
}

/* Strict positive integer (a schema version).  0 or -EINVAL. */
static int compare_parse_schema(const char *s, long *out)
{
	char *end;
	long v;

	if (!s[0] || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < 1)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Find a required column.  0 or -EINVAL with err set. */
static int compare_col(const struct csv_table *t, const char *path, const char *name,
		       int *col, char *err, size_t len)
{
	*col = csv_table_col(t, name);
	if (*col < 0)
		return compare_err(err, len, "%s: missing column '%s'", path, name);
	return 0;
}

/* Load one CSV file of a run into t.  0 or -errno with err set. */
static int compare_load_table(const char *dir, const char *file, struct csv_table *t,
			      char *path, size_t path_len, char *err, size_t len)
{
	int rc;

	if ((size_t)snprintf(path, path_len, "%s/%s", dir, file) >= path_len)
		return compare_err(err, len, "%s/%s: path too long", dir, file);
	rc = csv_table_load(t, path);
	if (rc < 0)
		snprintf(err, len, "%s", t->err);
	return rc;
}

/* Check the schema column of every row against the run's schema. */
static int compare_check_schema(const struct compare_run *r, const struct csv_table *t,
				int col, const char *path, char *err, size_t len)
{
	size_t i;
	long v;

	for (i = 0; i < t->nrows; i++) {
		if (compare_parse_schema(t->rows[i][col], &v) < 0 || v != r->schema)
			return compare_err(err, len,
					   "%s:%zu: schema '%s' (meta.csv says %ld)",
					   path, i + 2, t->rows[i][col], r->schema);
	}
	return 0;
}

/* x is a number or empty, per the CSV contract; anything else would also
 * break the key order.  0 or -EINVAL. */
static int compare_check_x(const struct csv_table *t, int col, const char *path,
			   char *err, size_t len)
{
	const char *x;
	size_t i;
	double v;

	for (i = 0; i < t->nrows; i++) {
		x = t->rows[i][col];
		if (x[0] && csv_parse_double(x, &v, 0) < 0)
			return compare_err(err, len, "%s:%zu: x '%s' is not a number",
					   path, i + 2, x);
	}
	return 0;
}

/* Every row's run_id (when the file has the column) is the meta's: rows
 * pasted in from another run would otherwise be judged as this one's. */
static int compare_check_run_id(const struct compare_run *r, const struct csv_table *t,
				const char *path, char *err, size_t len)
{
	const char *id = compare_meta_get(r, "run_id");
	int col = csv_table_col(t, "run_id");

	if (!id || col < 0)
		return 0;
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i][col], id) != 0)
			return compare_err(err, len, "%s:%zu: run_id '%s' is not the run's (%s)",
					   path, i + 2, t->rows[i][col], id);
	return 0;
}

/* A round: a whole number from 1.  0 or -EINVAL. */
static int compare_parse_round(const char *s, unsigned *out)
{
	long v;

	if (compare_parse_schema(s, &v) < 0 || v > 1000000)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* Load and validate one results folder.  0 or -errno with err set; on
 * error nothing stays allocated but r->dir. */
static int compare_run_load(struct compare_run *r, char *err, size_t len)
{
	static const char *const statuses[] = { "ok", "skipped", "failed", "timeout" };
	const char *dir = r->dir;
	char path[PATH_MAX];
	const char *schema, *st, *complete;
	size_t i, j;
	unsigned rnd;
	double v;
	int rc, k;

	rc = compare_load_table(dir, "meta.csv", &r->meta, path, sizeof(path), err, len);
	if (rc < 0)
		goto out_free;
	rc = compare_col(&r->meta, path, "key", &r->meta_key, err, len);
	if (rc == 0)
		rc = compare_col(&r->meta, path, "value", &r->meta_value, err, len);
	if (rc < 0)
		goto out_free;
	schema = compare_meta_get(r, "schema");
	if (!schema) {
		rc = compare_err(err, len, "%s: no 'schema' key", path);
		goto out_free;
	}
	if (compare_parse_schema(schema, &r->schema) < 0) {
		rc = compare_err(err, len, "%s: schema '%s' is not a positive integer",
				 path, schema);
		goto out_free;
	}
	if (r->schema > COMPARE_RUN_SCHEMA_MAX) {
		rc = compare_err(err, len, "%s: schema %ld is newer than this primbench reads "
				 "(1 to %d)", path, r->schema, COMPARE_RUN_SCHEMA_MAX);
		goto out_free;
	}
	complete = compare_meta_get(r, "complete");
	r->incomplete = !complete || strcmp(complete, "true") != 0;

	rc = compare_load_table(dir, "summary.csv", &r->summary, path, sizeof(path),
				err, len);
	if (rc < 0)
		goto out_free;
	for (k = 0; k < COMPARE_NKEY && rc == 0; k++)
		rc = compare_col(&r->summary, path, compare_key_names[k], &r->sum_key[k],
				 err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "schema", &r->sum_schema, err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "unit", &r->sum_unit, err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "status", &r->sum_status, err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "note", &r->sum_note, err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "validation", &r->sum_validation,
				 err, len);
	if (rc == 0)
		rc = compare_check_schema(r, &r->summary, r->sum_schema, path, err, len);
	if (rc == 0)
		rc = compare_check_run_id(r, &r->summary, path, err, len);
	if (rc == 0)
		rc = compare_check_x(&r->summary, r->sum_key[KEY_X], path, err, len);
	if (rc < 0)
		goto out_free;
	for (i = 0; i < r->summary.nrows; i++) {
		st = r->summary.rows[i][r->sum_status];
		for (j = 0; j < sizeof(statuses) / sizeof(statuses[0]); j++)
			if (strcmp(st, statuses[j]) == 0)
				break;
		if (j == sizeof(statuses) / sizeof(statuses[0])) {
			rc = compare_err(err, len, "%s:%zu: status '%s' is not one of "
					 "ok, skipped, failed, timeout", path, i + 2, st);
			goto out_free;
		}
		if (j == 0)
			r->ok_rows++;
	}

	rc = compare_load_table(dir, "samples.csv", &r->samples, path, sizeof(path),
				err, len);
	if (rc < 0)
		goto out_free;
	for (k = 0; k < COMPARE_NKEY && rc == 0; k++)
		rc = compare_col(&r->samples, path, compare_key_names[k], &r->smp_key[k],
				 err, len);
	if (rc == 0)
		rc = compare_col(&r->samples, path, "schema", &r->smp_schema, err, len);
	if (rc == 0)
		rc = compare_col(&r->samples, path, "value", &r->smp_value, err, len);
	r->smp_round = -1;
	if (rc == 0 && r->schema >= 2)
		rc = compare_col(&r->samples, path, "round", &r->smp_round, err, len);
	if (rc == 0)
		rc = compare_check_schema(r, &r->samples, r->smp_schema, path, err, len);
	if (rc == 0)
		rc = compare_check_run_id(r, &r->samples, path, err, len);
	if (rc == 0)
		rc = compare_check_x(&r->samples, r->smp_key[KEY_X], path, err, len);
	if (rc < 0)
		goto out_free;
	for (i = 0; i < r->samples.nrows; i++) {
		if (csv_parse_double(r->samples.rows[i][r->smp_value], &v, 0) < 0) {
			rc = compare_err(err, len, "%s:%zu: value '%s' is not a finite number",
					 path, i + 2, r->samples.rows[i][r->smp_value]);
			goto out_free;
		}
		if (r->smp_round >= 0 &&
		    compare_parse_round(r->samples.rows[i][r->smp_round], &rnd) < 0) {
			rc = compare_err(err, len, "%s:%zu: round '%s' is not a whole number from 1",
					 path, i + 2, r->samples.rows[i][r->smp_round]);
			goto out_free;
		}
	}
	return 0;

out_free:
	csv_table_free(&r->samples);
	csv_table_free(&r->summary);
	csv_table_free(&r->meta);
	return rc;
}

static void compare_run_free(struct compare_run *r)
{
	csv_table_free(&r->samples);
	csv_table_free(&r->summary);
	csv_table_free(&r->meta);
	free(r->dir);
	r->dir = NULL;
}

/* A growable list of runs. */
struct compare_runs {
	struct compare_run *r;        /* entries */
	size_t n, cap;                /* used, allocated */
};

static int compare_runs_add(struct compare_runs *l, const char *dir, int side,
			    char *err, size_t len)
{
	struct compare_run *r;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct compare_run *g = realloc(l->r, cap * sizeof(*g));

		if (!g)
			return compare_err(err, len, "out of memory");
		l->r = g;
		l->cap = cap;
	}
	r = &l->r[l->n];
	memset(r, 0, sizeof(*r));
	r->side = side;
	r->label = side ? "cand" : "base";
	r->dir = strdup(dir);
	if (!r->dir)
		return compare_err(err, len, "out of memory");
	l->n++;
	return 0;
}

static int compare_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder given on the command line: a run (it has meta.csv), or a folder
 * whose sub-folders are runs (each with meta.csv), taken in name order.
 * Hidden entries (a .partial run still being written) are not runs. */
static int compare_expand(struct compare_runs *l, const char *arg, int side, char *err,
			  size_t len)
{
	char path[PATH_MAX], **names = NULL;
	size_t nn = 0, cap = 0, before = l->n;
	struct dirent *e;
	struct stat sb;
	DIR *d;
	int rc = 0;

	if (stat(arg, &sb) < 0)
		return compare_err(err, len, "%s folder '%s': %s", side ? "cand" : "base", arg,
				   strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return compare_err(err, len, "%s '%s' is not a results folder",
				   side ? "cand" : "base", arg);
	if ((size_t)snprintf(path, sizeof(path), "%s/meta.csv", arg) >= sizeof(path))
		return compare_err(err, len, "%s: path too long", arg);
	if (access(path, F_OK) == 0)
		return compare_runs_add(l, arg, side, err, len);
	d = opendir(arg);
	if (!d)
		return compare_err(err, len, "%s: %s", arg, strerror(errno));
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/meta.csv", arg, e->d_name) >=
		    sizeof(path) || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
			continue;
		if (nn == cap) {
			char **g = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*g));

			if (!g) {
				rc = compare_err(err, len, "out of memory");
				break;
			}
			names = g;
		}
		names[nn] = malloc(strlen(arg) + strlen(e->d_name) + 2);
		if (!names[nn]) {
			rc = compare_err(err, len, "out of memory");
			break;
		}
		sprintf(names[nn++], "%s/%s", arg, e->d_name);
	}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof(*names), compare_name_cmp);
	for (size_t i = 0; rc == 0 && i < nn; i++)
		rc = compare_runs_add(l, names[i], side, err, len);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc == 0 && l->n == before)
		return compare_err(err, len, "%s '%s' is not a results folder (no meta.csv in it "
				   "or in any folder inside it)", side ? "cand" : "base", arg);
	return rc;
}

/* ------------------------------------------------------------------------
 * Joining the runs into items.
 */

/* One row of a run's samples.csv or summary.csv, for the sort-join. */
struct compare_ref {
	const char *k[COMPARE_NKEY];  /* key parts, borrowed from the table */
	double x;                     /* numeric x; NAN when x is empty */
	int side;                     /* 0 base, 1 candidate */
	int is_summary;               /* 0 a samples.csv row, 1 a summary.csv row */
	unsigned run;                 /* index of the run in the list */
	unsigned round;               /* round within its run (1 for schema 1) */
	size_t row;                   /* row index in its table */
	double value;                 /* the sample value (samples rows only) */
};

/* Storage for what the join derives per item (the items borrow it). */
struct compare_join_extra {
	char skip[256];               /* skip_note text */
	char extra[64];               /* extra_note text (validation) */
};

/* Everything the join allocates. */
struct compare_join {
	struct compare_ref *refs;     /* every row of every run, sorted by key */
	double *vals;                 /* sample values in refs order */
	unsigned *units;              /* round ids in refs order: one per (run, round) */
	struct compare_item *items;   /* one per distinct key, in key order */
	struct compare_join_extra *extra; /* parallel to items */
	size_t nitems;                /* items filled */
};

/* Order of keys: text parts by strcmp; x empty first, then numerically
 * (x was checked to be empty or a number, so this is a total order). */
static int compare_key_cmp(const struct compare_ref *a, const struct compare_ref *b)
{
	int k, c, ae, be;

	for (k = 0; k < COMPARE_NKEY; k++) {
		if (k != KEY_X) {
			c = strcmp(a->k[k], b->k[k]);
			if (c)
				return c;
			continue;
		}
		ae = !a->k[k][0];
		be = !b->k[k][0];
		if (ae != be)
			return ae ? -1 : 1;
		if (!ae && a->x != b->x)
			return a->x < b->x ? -1 : 1;
	}
	return 0;
}

/* Key, then side, then summary rows after samples, then run and round:
 * each side's samples of one round end up next to each other. */
static int compare_ref_cmp(const void *pa, const void *pb)
{
	const struct compare_ref *a = pa, *b = pb;
	int c = compare_key_cmp(a, b);

	if (c)
		return c;
	if (a->side != b->side)
		return a->side - b->side;
	if (a->is_summary != b->is_summary)
		return a->is_summary - b->is_summary;
	if (a->run != b->run)
		return a->run < b->run ? -1 : 1;
	if (a->round != b->round)
		return a->round < b->round ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* Add one table's rows to refs at *n. */
static void compare_add_refs(struct compare_ref *refs, size_t *n, const struct compare_run *run,
			     unsigned run_idx, int is_summary)
{
	const struct csv_table *t = is_summary ? &run->summary : &run->samples;
	const int *keycol = is_summary ? run->sum_key : run->smp_key;
	size_t i;
	int k;

	for (i = 0; i < t->nrows; i++) {
		struct compare_ref *r = &refs[(*n)++];

		for (k = 0; k < COMPARE_NKEY; k++)
			r->k[k] = t->rows[i][keycol[k]];
		r->x = NAN;
		if (r->k[KEY_X][0])
			csv_parse_double(r->k[KEY_X], &r->x, 0);
		r->side = run->side;
		r->is_summary = is_summary;
		r->run = run_idx;
		r->round = 1;
		if (!is_summary && run->smp_round >= 0)
			compare_parse_round(t->rows[i][run->smp_round], &r->round);
		r->row = i;
		r->value = NAN;
		if (!is_summary)
			csv_parse_double(t->rows[i][run->smp_value], &r->value, 0);
	}
}

/* Describe a non-ok summary row of one run into buf ("base skipped: why"). */
static void compare_skip_text(char *buf, size_t len, const struct compare_run *r,
			      size_t row)
{
	size_t used = strlen(buf);
	const char *note = r->summary.rows[row][r->sum_note];

	if (used + 1 >= len)
		return;
	snprintf(buf + used, len - used, "%s%s %s%s%s", used ? "; " : "", r->label,
		 r->summary.rows[row][r->sum_status], note[0] ? ": " : "", note);
}

/* Build one item from refs[lo, hi), which share one key. */
static int compare_join_item(struct compare_join *j, size_t lo, size_t hi,
			     const struct compare_runs *runs, char *err, size_t len)
{
	struct compare_item *it = &j->items[j->nitems];
	struct compare_join_extra *ex = &j->extra[j->nitems];
	const struct compare_ref *r, *prev_sum = NULL;
	const struct compare_run *run;
	size_t i;

	memset(it, 0, sizeof(*it));
	memset(ex, 0, sizeof(*ex));
	it->bench = j->refs[lo].k[KEY_BENCH];
	it->variant = j->refs[lo].k[KEY_VARIANT];
	it->sweep = j->refs[lo].k[KEY_SWEEP];
	it->x = j->refs[lo].k[KEY_X];
	it->placement = j->refs[lo].k[KEY_PLACEMENT];
	it->metric = j->refs[lo].k[KEY_METRIC];
	it->unit = "";

	for (i = lo; i < hi; i++) {
		r = &j->refs[i];
		run = &runs->r[r->run];
		if (r->side == 0)
			it->in_base = 1;
		else
			it->in_cand = 1;
		if (!r->is_summary) {
			j->vals[i] = r->value;
			/* Rounds of different runs are different rounds. */
			j->units[i] = r->run * 1000003u + r->round;
			if (r->side == 0 && it->base_n++ == 0) {
				it->base = &j->vals[i];
				it->base_round = &j->units[i];
			}
			if (r->side == 1 && it->cand_n++ == 0) {
				it->cand = &j->vals[i];
				it->cand_round = &j->units[i];
			}
			continue;
		}
		if (prev_sum && prev_sum->run == r->run)
			return compare_err(err, len, "%s/summary.csv:%zu: second row for "
					   "%s/%s/%s=%s/%s/%s", run->dir, r->row + 2,
					   it->bench, it->variant, it->sweep, it->x,
					   it->placement, it->metric);
		prev_sum = r;
		if (!it->unit[0])
			it->unit = run->summary.rows[r->row][run->sum_unit];
		if (strcmp(run->summary.rows[r->row][run->sum_status], "ok") != 0)
			compare_skip_text(ex->skip, sizeof(ex->skip), run, r->row);
		if (strcmp(run->summary.rows[r->row][run->sum_validation], "fail") == 0) {
			size_t used = strlen(ex->extra);

			if (used + 1 < sizeof(ex->extra))
				snprintf(ex->extra + used, sizeof(ex->extra) - used,
					 "%svalidation=fail in %s", used ? "; " : "", run->label);
		}
	}
	it->skip_note = ex->skip[0] ? ex->skip : NULL;
	it->extra_note = ex->extra[0] ? ex->extra : NULL;
	j->nitems++;
	return 0;
}

/* Join every run into j->items, one per distinct key, in key order.  0,
 * -ENOMEM, or -EINVAL with err set (a key with two summary rows in one
 * run).  The caller calls compare_join_free in every case. */
static int compare_join(struct compare_join *j, const struct compare_runs *runs,
			char *err, size_t len)
{
	size_t total = 0, n = 0, lo, hi;
	int rc;

	memset(j, 0, sizeof(*j));
	for (size_t i = 0; i < runs->n; i++)
		total += runs->r[i].samples.nrows + runs->r[i].summary.nrows;
	j->refs = malloc((total ? total : 1) * sizeof(*j->refs));
	j->vals = malloc((total ? total : 1) * sizeof(*j->vals));
	j->units = malloc((total ? total : 1) * sizeof(*j->units));
	j->items = malloc((total ? total : 1) * sizeof(*j->items));
	j->extra = malloc((total ? total : 1) * sizeof(*j->extra));
	if (!j->refs || !j->vals || !j->units || !j->items || !j->extra) {
		snprintf(err, len, "out of memory joining %zu rows", total);
		return -ENOMEM;
	}
	for (size_t i = 0; i < runs->n; i++) {
		compare_add_refs(j->refs, &n, &runs->r[i], (unsigned)i, 0);
		compare_add_refs(j->refs, &n, &runs->r[i], (unsigned)i, 1);
	}
	qsort(j->refs, n, sizeof(*j->refs), compare_ref_cmp);
	for (lo = 0; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && compare_key_cmp(&j->refs[lo], &j->refs[hi]) == 0;
		     hi++)
			;
		rc = compare_join_item(j, lo, hi, runs, err, len);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void compare_join_free(struct compare_join *j)
{
	free(j->extra);
	free(j->items);
	free(j->units);
	free(j->vals);
	free(j->refs);
	memset(j, 0, sizeof(*j));
}

/* ------------------------------------------------------------------------
 * Reporting.
 */

enum compare_format { COMPARE_FMT_TEXT, COMPARE_FMT_MD, COMPARE_FMT_CSV };

/* One meta key whose value differs (NULL: absent on that side). */
struct compare_fp {
	const char *key;              /* meta key */
	const char *base;             /* base value, NULL if absent */
	const char *cand;             /* candidate value, NULL if absent */
};

/* Everything a reporter needs. */
struct compare_report {
	const struct compare_runs *runs; /* every run, base first */
	const struct compare_fp *fp;  /* fingerprint differences (first runs) */
	size_t nfp;                   /* entries in fp */
	char hardware[512];           /* "different hardware: ..." or "" */
	const struct compare_opts *opts; /* options used */
	int accel_forced;             /* accelerators differ and --force was given */
	int incomplete[2];            /* a base / cand run says complete=false */
	const struct compare_item *items; /* every key, in key order */
	size_t n;                     /* entries in items */
	const struct compare_summary *sum; /* counts and geomeans */
	int all;                      /* --all: every key, not only what matters */
	int status;                   /* the exit status */
	char reason[512];             /* why the gate failed or could not judge */
};

/* Build compare.csv in memory.  0 or -ENOMEM. */
static int compare_csv_build(const struct compare_item *items, size_t n, struct csv_buf *b)
{
	char num[12][40];
	const char *f[COMPARE_NCOLS];
	size_t i;
	int rc;

	rc = csv_buf_row(b, compare_csv_header, COMPARE_NCOLS);
	for (i = 0; i < n && rc == 0; i++) {
		const struct compare_item *it = &items[i];

		snprintf(num[0], sizeof(num[0]), "%zu", it->base_n);
		snprintf(num[1], sizeof(num[1]), "%zu", it->cand_n);
		csv_fmt_double(num[2], sizeof(num[2]), it->base_p50);
		csv_fmt_double(num[3], sizeof(num[3]), it->cand_p50);
		csv_fmt_double(num[4], sizeof(num[4]), it->change_pct);
		csv_fmt_double(num[5], sizeof(num[5]), it->ci95_lo_pct);
		csv_fmt_double(num[6], sizeof(num[6]), it->ci95_hi_pct);
		csv_fmt_double(num[7], sizeof(num[7]), it->p_value);
		csv_fmt_double(num[8], sizeof(num[8]), it->p_adj);
		snprintf(num[9], sizeof(num[9]), "%zu", it->base_rounds);
		snprintf(num[10], sizeof(num[10]), "%zu", it->cand_rounds);
		csv_fmt_double(num[11], sizeof(num[11]), it->mde_pct);
		f[0] = COMPARE_SCHEMA;
		f[1] = it->bench;
		f[2] = it->variant;
		f[3] = it->sweep;
		f[4] = it->x;
		f[5] = it->placement;
		f[6] = it->metric;
		f[7] = it->unit;
		f[8] = num[0];
		f[9] = num[1];
		f[10] = num[2];
		f[11] = num[3];
		f[12] = num[4];
		f[13] = num[5];
		f[14] = num[6];
		f[15] = num[7];
		f[16] = num[8];
		f[17] = compare_verdict_name(it->verdict);
		f[18] = it->note;
		f[19] = num[9];
		f[20] = num[10];
		f[21] = num[11];
		f[22] = it->gated ? "1" : "0";
		rc = csv_buf_row(b, f, COMPARE_NCOLS);
	}
	return rc;
}

/* write(2) all of buf to fd.  0 or -errno. */
static int compare_write_fd(int fd, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	return 0;
}

/*
 * Write buf to path.  A regular file (or a new one) is written atomically:
 * a temporary file in the same folder, fsync, rename - through a symlink
 * to the file it names, so the link survives.  Anything else that exists
 * (a FIFO, a character device such as /dev/stdout or /dev/null) is opened
 * and written as it is: replacing it with a regular file would destroy it.
 * 0 or -errno with err set; on error no temporary file remains.
 */
static int compare_write_out(const char *path, const char *buf, size_t len,
			     char *err, size_t errlen)
{
	char tmp[PATH_MAX], real[PATH_MAX];
	struct stat sb;
	int fd, rc = 0;

	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if (S_ISDIR(sb.st_mode)) {
			compare_err(err, errlen, "--out '%s' is a folder", path);
			return -EISDIR;
		}
		fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || (rc = compare_write_fd(fd, buf, len)) < 0) {
			rc = rc ? rc : -errno;
			compare_err(err, errlen, "cannot write %s: %s", path, strerror(-rc));
			if (fd >= 0)
				close(fd);
			return rc;
		}
		if (close(fd) < 0) {
			rc = -errno;
			compare_err(err, errlen, "cannot write %s: %s", path, strerror(-rc));
		}
		return rc;
	}
	/* Through a symlink: replace the file it names, not the link (which
	 * may name a file that does not exist yet). */
	if (realpath(path, real)) {
		path = real;
	} else if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		char target[PATH_MAX];
		ssize_t tl = readlink(path, target, sizeof(target) - 1);
		const char *slash = strrchr(path, '/');

		if (tl <= 0) {
			rc = -errno;
			compare_err(err, errlen, "cannot follow %s: %s", path, strerror(errno));
			return rc ? rc : -EINVAL;
		}
		target[tl] = 0;
		if (target[0] == '/' || !slash)
			tl = snprintf(real, sizeof(real), "%s", target);
		else
			tl = snprintf(real, sizeof(real), "%.*s/%.*s", (int)(slash - path), path,
				      (int)(sizeof(real) / 2), target);
		if (tl < 0 || (size_t)tl >= sizeof(real)) {
			compare_err(err, errlen, "%s: path too long", path);
			return -ENAMETOOLONG;
		}
		path = real;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp)) {
		compare_err(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		compare_err(err, errlen, "cannot create %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = compare_write_fd(fd, buf, len);
	/* fchmod: mkstemp makes 0600, but a results file is for everyone. */
	if (rc == 0 && (fchmod(fd, 0644) < 0 || fsync(fd) < 0))
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		compare_err(err, errlen, "cannot write %s: %s", path, strerror(-rc));
		unlink(tmp);
	}
	return rc;
}

/* Human number: enough digits to see a 1% change, no exponent below 1e6. */
static void compare_fmt_num(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1e6 || fabs(v) < 100)
		snprintf(buf, len, "%.4g", v);
	else
		snprintf(buf, len, "%.1f", v);
}

/* Columns of the human tables. */
enum { COL_VERDICT, COL_BENCH, COL_VARIANT, COL_SWEEP, COL_PLACEMENT, COL_METRIC,
       COL_BASE, COL_CAND, COL_CHANGE, COL_CI, COL_MDE, COL_ROUNDS, COL_PADJ, COL_NOTE,
       COL_N };
static const char *const compare_col_titles[COL_N] = {
	"verdict", "bench", "variant", "sweep", "placement", "metric",
	"base_p50", "cand_p50", "change", "ci95", "mde", "rounds", "p_adj", "note",
};
/* Right-aligned (numeric) columns. */
#define COMPARE_COL_NUMERIC(c) ((c) >= COL_BASE && (c) <= COL_PADJ)

/* "+1.2%" or "-" for a percentage. */
static void compare_fmt_pct(char *buf, size_t len, double v)
{
	if (isfinite(v))
		snprintf(buf, len, "%+.1f%%", v);
	else
		snprintf(buf, len, "-");
}

/* Text of one cell of the human tables. */
static void compare_cell(const struct compare_item *it, int col, char *buf, size_t len)
{
	switch (col) {
	case COL_VERDICT:
		snprintf(buf, len, "%s", compare_verdict_name(it->verdict));
		break;
	case COL_BENCH:
		snprintf(buf, len, "%s", it->bench);
		break;
	case COL_VARIANT:
		snprintf(buf, len, "%s", it->variant);
		break;
	case COL_SWEEP:
		if (it->sweep[0] || it->x[0])
			snprintf(buf, len, "%s=%s", it->sweep, it->x);
		else
			snprintf(buf, len, "-");
		break;
	case COL_PLACEMENT:
		snprintf(buf, len, "%s", it->placement[0] ? it->placement : "-");
		break;
	case COL_METRIC:
		snprintf(buf, len, "%s", it->metric);
		break;
	case COL_BASE:
		compare_fmt_num(buf, len, it->base_p50);
		break;
	case COL_CAND:
		compare_fmt_num(buf, len, it->cand_p50);
		break;
	case COL_CHANGE:
		compare_fmt_pct(buf, len, it->change_pct);
		break;
	case COL_CI:
		if (isfinite(it->ci95_lo_pct) && isfinite(it->ci95_hi_pct))
			snprintf(buf, len, "[%+.1f, %+.1f]", it->ci95_lo_pct, it->ci95_hi_pct);
		else
			snprintf(buf, len, "-");
		break;
	case COL_MDE:
		if (isfinite(it->mde_pct))
			snprintf(buf, len, "%.1f%%", it->mde_pct);
		else
			snprintf(buf, len, "-");
		break;
	case COL_ROUNDS:
		snprintf(buf, len, "%zu/%zu", it->base_rounds, it->cand_rounds);
		break;
	case COL_PADJ:
		if (isfinite(it->p_adj))
			snprintf(buf, len, "%.2g", it->p_adj);
		else
			snprintf(buf, len, "-");
		break;
	default:
		snprintf(buf, len, "%s", it->note);
		break;
	}
}

/* Whether a key is listed: with --all every key; else the gated keys that
 * changed, could not be decided, or are gone. */
static int compare_shown(const struct compare_report *rep, const struct compare_item *it)
{
	if (rep->all)
		return 1;
	return it->gated && (it->verdict == COMPARE_SLOWER || it->verdict == COMPARE_FASTER ||
			     it->verdict == COMPARE_UNDECIDED || it->verdict == COMPARE_GONE);
}

/* "+3.1% [+1.0%, +5.2%] over 12 keys" for a geomean. */
static void compare_fmt_geo(char *buf, size_t len, const struct compare_geo *g)
{
	if (g->k == 0)
		snprintf(buf, len, "no keys with a verdict");
	else if (isfinite(g->lo))
		snprintf(buf, len, "x%.4f (%+.1f%%), 95%% CI [%+.1f%%, %+.1f%%], %zu key%s",
			 g->geomean, 100 * (g->geomean - 1), 100 * (g->lo - 1),
			 100 * (g->hi - 1), g->k, g->k == 1 ? "" : "s");
	else
		snprintf(buf, len, "x%.4f (%+.1f%%), no CI from %zu key", g->geomean,
			 100 * (g->geomean - 1), g->k);
}

/* The one paragraph a CI log needs: counts, decidability, geomean, result. */
static void compare_print_summary(FILE *f, const struct compare_report *rep, const char *bold)
{
	const struct compare_summary *s = rep->sum;
	char geo[200];

	compare_fmt_geo(geo, sizeof(geo), &s->overall);
	fprintf(f, "%sResult: %s%s\n", bold,
		rep->status == 0 ? "pass" : rep->status == 1 ? "REGRESSION" : "INCONCLUSIVE",
		bold);
	if (rep->reason[0])
		fprintf(f, "Reason: %s.\n", rep->reason);
	fprintf(f, "Gated keys (one per configuration: ns_per_op): %zu slower, %zu faster, "
		"%zu same, %zu undecided, %zu n/a, %zu skipped, %zu gone, %zu new; "
		"%zu of %zu that ran on both sides decidable (%.0f%%). ",
		s->gated_count[COMPARE_SLOWER], s->gated_count[COMPARE_FASTER],
		s->gated_count[COMPARE_SAME], s->gated_count[COMPARE_UNDECIDED],
		s->gated_count[COMPARE_NA], s->gated_count[COMPARE_SKIPPED],
		s->gated_count[COMPARE_GONE], s->gated_count[COMPARE_NEW],
		s->gated_decidable, s->gated_present,
		s->gated_present ? 100.0 * (double)s->gated_decidable / (double)s->gated_present : 0.0);
	fprintf(f, "Geomean over the tested gated keys (> 1 = slower): %s. ", geo);
	fprintf(f, "Other keys (derived metrics, counters): %zu slower, %zu faster, "
		"not gated.\n",
		s->count[COMPARE_SLOWER] - s->gated_count[COMPARE_SLOWER],
		s->count[COMPARE_FASTER] - s->gated_count[COMPARE_FASTER]);
}

/* The method, one sentence per line, each line prefixed with lead. */
static void compare_print_method(FILE *f, const struct compare_report *rep,
				 const char *lead)
{
	const struct compare_opts *o = rep->opts;

	fprintf(f, "%sUnit: the round (a fresh process at a shuffled time); each side gives "
		"one median per round of each of its runs (%zu runs in all).\n", lead,
		rep->runs->n);
	fprintf(f, "%sTest: Welch t on the log round medians, two-sided; Benjamini-Hochberg "
		"over the %zu gated keys tested (false discovery rate %g); other keys "
		"(%zu tested) in their own family.\n", lead, rep->sum->gated_tested, o->alpha,
		rep->sum->counter_tested);
	fprintf(f, "%sChange: exp(mean log cand - mean log base) - 1, signed as the metric "
		"moves; 95%% CI from the same t.\n", lead);
	fprintf(f, "%sVerdict slower/faster needs p_adj < %g, a CI excluding 0 and |change| > "
		"%g%%; mde is the smallest |change| the pair could have called alone "
		"(p < alpha/m); mde > threshold is undecided; fewer than %d rounds a side "
		"is n/a.\n", lead, o->alpha, o->threshold_pct, COMPARE_MIN_ROUNDS);
}

/* What a reader must see before trusting any row; one line each. */
static void compare_print_warnings(FILE *f, const struct compare_report *rep,
				   const char *lead)
{
	if (!rep->opts->comparable)
		fprintf(f, "%sVerdicts withheld: %s.\n", lead, rep->opts->na_note);
	if (rep->accel_forced)
		fprintf(f, "%sAccelerators differ; verdicts given only because of "
			"--force.\n", lead);
	if (rep->hardware[0])
		fprintf(f, "%sDifferent hardware: %s.\n", lead, rep->hardware);
	if (rep->incomplete[0])
		fprintf(f, "%sA base run is incomplete (meta complete=false).\n", lead);
	if (rep->incomplete[1])
		fprintf(f, "%sA candidate run is incomplete (meta complete=false).\n", lead);
}

static void compare_print_sides(FILE *f, const struct compare_report *rep, const char *lead)
{
	for (int side = 0; side < 2; side++) {
		fprintf(f, "%s%s:", lead, side ? "cand" : "base");
		for (size_t i = 0; i < rep->runs->n; i++)
			if (rep->runs->r[i].side == side)
				fprintf(f, " %s", rep->runs->r[i].dir);
		fputc('\n', f);
	}
}

static void compare_print_text(FILE *f, const struct compare_report *rep)
{
	size_t w[COL_N], i, l, shown = 0;
	char cell[512];
	int c;

	fprintf(f, "primbench compare\n");
	compare_print_sides(f, rep, "  ");
	compare_print_warnings(f, rep, "WARNING: ");
	fputc('\n', f);
	compare_print_summary(f, rep, "");
	fprintf(f, "\nFingerprint differences (meta.csv of the first run of each side):\n");
	if (rep->nfp == 0)
		fprintf(f, "  none\n");
	for (i = 0, l = 0; i < rep->nfp; i++)
		if (strlen(rep->fp[i].key) > l)
			l = strlen(rep->fp[i].key);
	for (i = 0; i < rep->nfp; i++)
		fprintf(f, "  %-*s  %s -> %s\n", (int)l, rep->fp[i].key,
			rep->fp[i].base ? rep->fp[i].base : "(absent)",
			rep->fp[i].cand ? rep->fp[i].cand : "(absent)");
	fputc('\n', f);

	for (c = 0; c < COL_N; c++)
		w[c] = strlen(compare_col_titles[c]);
	for (i = 0; i < rep->n; i++) {
		if (!compare_shown(rep, &rep->items[i]))
			continue;
		shown++;
		for (c = 0; c < COL_N; c++) {
			compare_cell(&rep->items[i], c, cell, sizeof(cell));
			if (strlen(cell) > w[c])
				w[c] = strlen(cell);
		}
	}
	if (shown) {
		for (c = 0; c < COL_N - 1; c++)
			fprintf(f, COMPARE_COL_NUMERIC(c) ? "%*s  " : "%-*s  ", (int)w[c],
				compare_col_titles[c]);
		fprintf(f, "%s\n", compare_col_titles[COL_N - 1]);
	}
	for (i = 0; i < rep->n; i++) {
		if (!compare_shown(rep, &rep->items[i]))
			continue;
		for (c = 0; c < COL_N; c++) {
			compare_cell(&rep->items[i], c, cell, sizeof(cell));
			if (c == COL_N - 1)
				fprintf(f, "%s\n", cell);
			else
				fprintf(f, COMPARE_COL_NUMERIC(c) ? "%*s  " : "%-*s  ", (int)w[c], cell);
		}
	}
	if (!shown)
		fprintf(f, "%s\n", rep->all ? "(no keys in either run)"
			: "No gated key changed, is undecided or gone (--all lists every key).");
	else if (!rep->all)
		fprintf(f, "(%zu of %zu keys listed; --all lists every key)\n", shown, rep->n);

	if (rep->sum->nfamily) {
		fprintf(f, "\nGeomean of oriented ratios per family (> 1 = slower):\n");
		for (i = 0, l = 0; i < rep->sum->nfamily; i++)
			if (strlen(rep->sum->family[i].family) > l)
				l = strlen(rep->sum->family[i].family);
		for (i = 0; i < rep->sum->nfamily; i++) {
			compare_fmt_geo(cell, sizeof(cell), &rep->sum->family[i]);
			fprintf(f, "  %-*s  %s\n", (int)l, rep->sum->family[i].family, cell);
		}
	}
	fprintf(f, "\nMethod:\n");
	compare_print_method(f, rep, "  ");
}

/* A markdown table cell: '|' escaped, line breaks flattened. */
static void compare_md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void compare_md_row(FILE *f, const struct compare_item *it)
{
	char cell[512];
	int c;

	fputs("|", f);
	for (c = 0; c < COL_N; c++) {
		compare_cell(it, c, cell, sizeof(cell));
		fputc(' ', f);
		if (c == COL_VERDICT && (it->verdict == COMPARE_SLOWER ||
					 it->verdict == COMPARE_FASTER))
			fprintf(f, "**%s**", cell);
		else
			compare_md_cell(f, cell);
		fputs(" |", f);
	}
	fputc('\n', f);
}

static void compare_md_header(FILE *f)
{
	int c;

	fputs("|", f);
	for (c = 0; c < COL_N; c++)
		fprintf(f, " %s |", compare_col_titles[c]);
	fputs("\n|", f);
	for (c = 0; c < COL_N; c++)
		fputs(COMPARE_COL_NUMERIC(c) ? " ---: |" : " --- |", f);
	fputc('\n', f);
}

/* A pull-request comment must stay under GitHub's 65,536 characters: rows
 * stop at this many bytes, and the rest is counted, not shown. */
#define COMPARE_MD_BUDGET 56000

static void compare_print_md(FILE *f, const struct compare_report *rep)
{
	/* Slower first: that is what a reviewer opens the comment for. */
	static const enum compare_verdict order[] = {
		COMPARE_SLOWER, COMPARE_FASTER, COMPARE_UNDECIDED, COMPARE_GONE, COMPARE_NEW,
		COMPARE_SKIPPED, COMPARE_NA, COMPARE_SAME,
	};
	size_t i, j, shown = 0, left = 0;
	long start = ftell(f);

	fputs("### primbench compare\n\n", f);
	compare_print_warnings(f, rep, "> **Warning:** ");
	if (!rep->opts->comparable || rep->accel_forced || rep->hardware[0] ||
	    rep->incomplete[0] || rep->incomplete[1])
		fputc('\n', f);
	compare_print_summary(f, rep, "**");
	fputc('\n', f);

	if (rep->nfp) {
		fputs("<details><summary>Fingerprint differences (meta.csv)</summary>\n\n"
		      "| key | base | cand |\n| --- | --- | --- |\n", f);
		for (i = 0; i < rep->nfp; i++) {
			fputs("| ", f);
			compare_md_cell(f, rep->fp[i].key);
			fputs(" | ", f);
			compare_md_cell(f, rep->fp[i].base ? rep->fp[i].base : "(absent)");
			fputs(" | ", f);
			compare_md_cell(f, rep->fp[i].cand ? rep->fp[i].cand : "(absent)");
			fputs(" |\n", f);
		}
		fputs("\n</details>\n\n", f);
	} else {
		fputs("Fingerprint: no meta.csv differences.\n\n", f);
	}

	for (i = 0; i < rep->n; i++)
		shown += compare_shown(rep, &rep->items[i]);
	if (shown) {
		compare_md_header(f);
		for (j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
			for (i = 0; i < rep->n; i++) {
				const struct compare_item *it = &rep->items[i];

				if (it->verdict != order[j] || !compare_shown(rep, it))
					continue;
				if (start >= 0 && ftell(f) - start > COMPARE_MD_BUDGET)
					left++;
				else
					compare_md_row(f, it);
			}
		}
		if (left)
			fprintf(f, "\n%zu more row%s not shown (size limit of a comment); "
				"compare --out FILE writes every key.\n", left, left == 1 ? "" : "s");
		fputc('\n', f);
	} else {
		fputs("No gated key changed, is undecided or gone.\n\n", f);
	}
	compare_print_method(f, rep, "- ");
}

/* ------------------------------------------------------------------------
 * The command.
 */

/* Parsed command line. */
struct compare_args {
	struct compare_opts opts;     /* statistics knobs */
	enum compare_format format;   /* stdout format */
	const char *out;              /* compare.csv path, NULL: none */
	int force;                    /* give verdicts across accelerators */
	int all;                      /* list every key */
	double min_decidable_pct;     /* gate: least share of decidable gated keys */
	const char **pos;             /* positional folders (argv entries) */
	size_t npos;                  /* entries in pos */
	size_t nbase;                 /* how many of them are base (the rest cand) */
	int help;                     /* --help: print usage, exit 0 */
};

static const char compare_usage[] =
	"usage: primbench compare [options] BASE CAND\n"
	"       primbench compare [options] BASE... -- CAND...\n"
	"\n"
	"Each BASE or CAND is a results folder, or a folder of results folders; the\n"
	"rounds of every run of a side are pooled.\n"
	"\n"
	"options:\n"
	"  --threshold PCT      |change| a verdict needs (default 5)\n"
	"  --alpha Q            false discovery rate of the Benjamini-Hochberg step\n"
	"                       (default 0.05)\n"
	"  --min-decidable PCT  the gate fails (exit 3) when fewer than PCT percent of\n"
	"                       the gated keys that ran on both sides are decidable\n"
	"                       (default 50)\n"
	"  --format F           text (default), md (a pull-request comment under\n"
	"                       65,536 characters) or csv (compare.csv on stdout)\n"
	"  --all                list every key, not only gated keys that changed,\n"
	"                       are undecided or gone\n"
	"  --out FILE           also write compare.csv to FILE (a FIFO or device is\n"
	"                       written as it is; nothing else is ever written)\n"
	"  --force              give verdicts across different accelerators\n"
	"  --help               this text\n"
	"\n"
	"exit status: 0 no gated key slower; 1 a gated key is slower; 2 bad usage\n"
	"or input (one line on stderr, nothing written); 3 inconclusive: a gated key\n"
	"is gone, a candidate run is incomplete or empty, or too few gated keys are\n"
	"decidable (also when verdicts are withheld across accelerators).\n";

/* Match "--name VALUE" or "--name=VALUE" at argv[*i].  1 matched (value
 * set, *i advanced past a separate value), 0 not this option, -1 value
 * missing. */
static int compare_opt_value(int argc, char **argv, int *i, const char *name,
			     const char **value)
{
	const char *a = argv[*i];
	size_t l = strlen(name);

	if (strncmp(a, name, l) != 0)
		return 0;
	if (a[l] == '=') {
		*value = a + l + 1;
		return 1;
	}
	if (a[l] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*value = argv[++*i];
	return 1;
}

/* Parse argv into a.  0 or -EINVAL with err set. */
static int compare_parse_args(int argc, char **argv, struct compare_args *a,
			      char *err, size_t len)
{
	const char *v;
	int i, m, seen_sep = 0;
	double d;

	memset(a, 0, sizeof(*a));
	compare_opts_default(&a->opts);
	a->format = COMPARE_FMT_TEXT;
	a->min_decidable_pct = COMPARE_DEFAULT_MIN_DECIDABLE_PCT;
	a->pos = calloc((size_t)argc + 1, sizeof(*a->pos));
	if (!a->pos)
		return compare_err(err, len, "out of memory");
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (arg[0] != '-' || !arg[1]) {
			a->pos[a->npos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			if (seen_sep++)
				return compare_err(err, len, "a second '--': BASE... -- CAND... "
						   "has one");
			a->nbase = a->npos;
			continue;
		}
		if (seen_sep)
			return compare_err(err, len, "option '%s' after '--': options go "
					   "first", arg);
		if (strcmp(arg, "--force") == 0) {
			a->force = 1;
		} else if (strcmp(arg, "--all") == 0) {
			a->all = 1;
		} else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			a->help = 1;
		} else if ((m = compare_opt_value(argc, argv, &i, "--threshold", &v))) {
			if (m < 0 || csv_parse_double(v, &d, 0) < 0 || d < 0 || d > 1000)
				return compare_err(err, len, "--threshold '%s': expected a "
						   "percentage from 0 to 1000", m < 0 ? "" : v);
			a->opts.threshold_pct = d;
		} else if ((m = compare_opt_value(argc, argv, &i, "--alpha", &v))) {
			if (m < 0 || csv_parse_double(v, &d, 0) < 0 || !(d > 0 && d < 1))
				return compare_err(err, len, "--alpha '%s': expected a number "
						   "between 0 and 1", m < 0 ? "" : v);
			a->opts.alpha = d;
		} else if ((m = compare_opt_value(argc, argv, &i, "--min-decidable", &v))) {
			if (m < 0 || csv_parse_double(v, &d, 0) < 0 || d < 0 || d > 100)
				return compare_err(err, len, "--min-decidable '%s': expected a "
						   "percentage from 0 to 100", m < 0 ? "" : v);
			a->min_decidable_pct = d;
		} else if ((m = compare_opt_value(argc, argv, &i, "--format", &v))) {
			if (m > 0 && strcmp(v, "text") == 0)
				a->format = COMPARE_FMT_TEXT;
			else if (m > 0 && strcmp(v, "md") == 0)
				a->format = COMPARE_FMT_MD;
			else if (m > 0 && strcmp(v, "csv") == 0)
				a->format = COMPARE_FMT_CSV;
			else
				return compare_err(err, len, "--format '%s': expected text, "
						   "md or csv", m < 0 ? "" : v);
		} else if ((m = compare_opt_value(argc, argv, &i, "--out", &v))) {
			if (m < 0 || !v[0])
				return compare_err(err, len, "--out: expected a file path");
			a->out = v;
		} else {
			return compare_err(err, len, "unknown option '%s' (see primbench "
					   "compare --help)", arg);
		}
	}
	if (a->help)
		return 0;
	if (!seen_sep) {
		if (a->npos != 2)
			return compare_err(err, len, "expected BASE CAND, or BASE... -- CAND... "
					   "(got %zu folder%s; see primbench compare --help)",
					   a->npos, a->npos == 1 ? "" : "s");
		a->nbase = 1;
	}
	if (a->nbase == 0 || a->nbase == a->npos)
		return compare_err(err, len, "expected at least one BASE and one CAND folder "
				   "around '--'");
	return 0;
}

static int compare_is_tcg(const char *accel)
{
	return accel && strcmp(accel, "tcg") == 0;
}

static int compare_meta_ignored_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(compare_meta_ignored) / sizeof(compare_meta_ignored[0]); i++)
		if (strcmp(key, compare_meta_ignored[i]) == 0)
			return 1;
	return 0;
}

/* Every meta key whose value differs, base order first, then keys only the
 * candidate has.  fp must hold base + cand meta rows.  Returns the count. */
static size_t compare_fingerprint(const struct compare_run *runs, struct compare_fp *fp)
{
	const struct compare_run *b = &runs[0], *c = &runs[1];
	const char *key, *bv, *cv;
	size_t i, n = 0;

	for (i = 0; i < b->meta.nrows; i++) {
		key = b->meta.rows[i][b->meta_key];
		if (compare_meta_ignored_key(key))
			continue;
		bv = b->meta.rows[i][b->meta_value];
		cv = compare_meta_get(c, key);
		if (compare_meta_get(b, key) != bv)
			continue; /* a repeated key: the first row is the one used */
		if (!cv || strcmp(bv, cv) != 0) {
			fp[n].key = key;
			fp[n].base = bv;
			fp[n].cand = cv;
			n++;
		}
	}
	for (i = 0; i < c->meta.nrows; i++) {
		key = c->meta.rows[i][c->meta_key];
		if (compare_meta_ignored_key(key) || compare_meta_get(b, key) ||
		    compare_meta_get(c, key) != c->meta.rows[i][c->meta_value])
			continue;
		fp[n].key = key;
		fp[n].base = NULL;
		fp[n].cand = c->meta.rows[i][c->meta_value];
		n++;
	}
	return n;
}

/* A meta value of a run as a number, NAN if absent or not one. */
static double compare_meta_num(const struct compare_run *r, const char *key)
{
	const char *s = compare_meta_get(r, key);
	double v;

	return s && csv_parse_double(s, &v, 0) == 0 ? v : NAN;
}

/*
 * Has the hardware changed between the first runs of each side?  tsc_hz
 * is calibrated against CLOCK_MONOTONIC_RAW to a few ppm, so a 0.1%
 * difference is another clock; the timer's overhead repeats within a few
 * ns on one host; the null loop is tested like any key and counts when its
 * change is significant and past 2%.  Writes "" or the differences.
 */
static void compare_hardware(const struct compare_run *b, const struct compare_run *c,
			     const struct compare_item *items, size_t n, char *buf, size_t len)
{
	double tb = compare_meta_num(b, "tsc_hz"), tc = compare_meta_num(c, "tsc_hz");
	double ob = compare_meta_num(b, "timer_overhead_ns");
	double oc = compare_meta_num(c, "timer_overhead_ns");
	size_t used = 0;

	buf[0] = 0;
	if (isfinite(tb) && isfinite(tc) && tb > 0 && fabs(tc / tb - 1) > 0.001)
		used += (size_t)snprintf(buf + used, len - used, "tsc_hz %.0f -> %.0f", tb, tc);
	if (used < len && isfinite(ob) && isfinite(oc) && fabs(oc - ob) > 2 &&
	    fabs(oc - ob) > 0.25 * fmin(ob, oc))
		used += (size_t)snprintf(buf + used, len - used, "%stimer overhead %.1f -> %.1f ns",
					 used ? "; " : "", ob, oc);
	for (size_t i = 0; used < len && i < n; i++) {
		const struct compare_item *it = &items[i];

		if (strcmp(it->bench, "null") || strcmp(it->metric, "ns_per_op") || !it->tested)
			continue;
		if (it->p_value < 0.01 && fabs(it->change_pct) > 2 &&
		    (it->ci95_lo_pct > 0 || it->ci95_hi_pct < 0))
			used += (size_t)snprintf(buf + used, len - used,
						 "%snull loop (%s) %+.1f%% [%+.1f, %+.1f]",
						 used ? "; " : "", it->variant, it->change_pct,
						 it->ci95_lo_pct, it->ci95_hi_pct);
	}
}

/* The gate's status and its one-line reason. */
static int compare_gate(const struct compare_report *rep, double min_decidable_pct,
			size_t cand_ok_rows, char *reason, size_t len)
{
	const struct compare_summary *s = rep->sum;
	double share = s->gated_present ? 100.0 * (double)s->gated_decidable /
					  (double)s->gated_present : 0.0;

	reason[0] = 0;
	if (s->regression) {
		snprintf(reason, len, "%zu gated key%s slower", s->gated_count[COMPARE_SLOWER],
			 s->gated_count[COMPARE_SLOWER] == 1 ? " is" : "s are");
		return 1;
	}
	if (cand_ok_rows == 0) {
		snprintf(reason, len, "the candidate has no row that ran (empty or every "
			 "configuration skipped or failed)");
		return COMPARE_EXIT_INCONCLUSIVE;
	}
	if (rep->incomplete[1]) {
		snprintf(reason, len, "a candidate run is incomplete (meta complete=false)");
		return COMPARE_EXIT_INCONCLUSIVE;
	}
	if (s->gated_count[COMPARE_GONE]) {
		snprintf(reason, len, "%zu gated key%s of the base %s not in the candidate",
			 s->gated_count[COMPARE_GONE], s->gated_count[COMPARE_GONE] == 1 ? "" : "s",
			 s->gated_count[COMPARE_GONE] == 1 ? "is" : "are");
		return COMPARE_EXIT_INCONCLUSIVE;
	}
	if (s->gated_present == 0 || share < min_decidable_pct) {
		snprintf(reason, len, "%zu of %zu gated keys decidable (%.0f%%), fewer than "
			 "--min-decidable %g%%%s%s", s->gated_decidable, s->gated_present, share,
			 min_decidable_pct, rep->opts->comparable ? "" : ": ",
			 rep->opts->comparable ? "" : rep->opts->na_note);
		return COMPARE_EXIT_INCONCLUSIVE;
	}
	return 0;
}

int compare_cmd(int argc, char **argv)
{
	struct compare_runs runs = { 0 };
	struct compare_join join;
	struct compare_summary sum;
	struct compare_report rep;
	struct compare_args a;
	struct compare_fp *fp = NULL;
	struct csv_buf csv = { NULL, 0, 0 };
	char err[512], na_note[256];
	const struct compare_run *first[2] = { NULL, NULL };
	const char *ba, *ca;
	char *md = NULL;
	size_t md_len = 0, cand_ok = 0, nmeta = 0;
	int rc, status = 2, accel_differs = 0;

	memset(&join, 0, sizeof(join));
	memset(&sum, 0, sizeof(sum));
	memset(&rep, 0, sizeof(rep));
	err[0] = '\0';
	if (compare_parse_args(argc, argv, &a, err, sizeof(err)) < 0)
		goto out;
	if (a.help) {
		fputs(compare_usage, stdout);
		status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
		if (status)
			compare_err(err, sizeof(err), "writing the help: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < a.npos; i++)
		if (compare_expand(&runs, a.pos[i], i >= a.nbase, err, sizeof(err)) < 0)
			goto out;
	for (size_t i = 0; i < runs.n; i++) {
		struct compare_run *r = &runs.r[i];

		if (compare_run_load(r, err, sizeof(err)) < 0)
			goto out;
		nmeta += r->meta.nrows;
		if (!first[r->side])
			first[r->side] = r;
		if (r->incomplete)
			rep.incomplete[r->side] = 1;
		if (r->side)
			cand_ok += r->ok_rows;
	}

	/* Verdicts across an emulator boundary would be about the emulator. */
	for (size_t i = 0; i < runs.n && !accel_differs; i++) {
		ba = compare_meta_get(first[0], "accel");
		ca = compare_meta_get(&runs.r[i], "accel");
		/* kvm, hyperv, native...: hardware runs the code, and timings
		 * compare as those of two hosts do; an emulator's do not. */
		accel_differs = compare_is_tcg(ba) != compare_is_tcg(ca) ||
				(compare_is_tcg(ba) && strcmp(ba, ca) != 0);
		if (accel_differs)
			snprintf(na_note, sizeof(na_note), "different accelerators (%s, %s): "
				 "timings not comparable; use --force", ba ? ba : "unknown",
				 ca ? ca : "unknown");
	}
	if (accel_differs && !a.force) {
		a.opts.comparable = 0;
		a.opts.na_note = na_note;
	}

	fp = malloc((nmeta + 1) * sizeof(*fp));
	if (!fp) {
		compare_err(err, sizeof(err), "out of memory");
		goto out;
	}
	{
		const struct compare_run pair[2] = { *first[0], *first[1] };

		rep.nfp = compare_fingerprint(pair, fp);
	}
	if (compare_join(&join, &runs, err, sizeof(err)) < 0)
		goto out;
	rc = compare_evaluate(join.items, join.nitems, &a.opts, &sum);
	if (rc < 0) {
		compare_err(err, sizeof(err), "evaluating: %s", strerror(-rc));
		goto out;
	}
	if (compare_csv_build(join.items, join.nitems, &csv) < 0) {
		compare_err(err, sizeof(err), "out of memory building compare.csv");
		goto out;
	}
	rep.runs = &runs;
	rep.fp = fp;
	rep.opts = &a.opts;
	rep.accel_forced = accel_differs && a.force;
	rep.items = join.items;
	rep.n = join.nitems;
	rep.sum = &sum;
	rep.all = a.all;
	compare_hardware(first[0], first[1], join.items, join.nitems, rep.hardware,
			 sizeof(rep.hardware));
	rep.status = compare_gate(&rep, a.min_decidable_pct, cand_ok, rep.reason,
				  sizeof(rep.reason));
	if (a.out && compare_write_out(a.out, csv.data, csv.len, err, sizeof(err)) < 0)
		goto out;

	for (size_t i = 0; i < runs.n; i++)
		if (runs.r[i].incomplete)
			fprintf(stderr, "primbench compare: warning: %s run '%s' is incomplete "
				"(meta complete=false)\n", runs.r[i].label, runs.r[i].dir);
	if (a.format == COMPARE_FMT_CSV) {
		fwrite(csv.data, 1, csv.len, stdout);
	} else if (a.format == COMPARE_FMT_MD) {
		/* In memory first, so that the size budget can be measured. */
		FILE *m = open_memstream(&md, &md_len);

		if (!m) {
			compare_err(err, sizeof(err), "out of memory");
			goto out;
		}
		compare_print_md(m, &rep);
		fclose(m);
		fwrite(md, 1, md_len, stdout);
	} else {
		compare_print_text(stdout, &rep);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		compare_err(err, sizeof(err), "writing the report: %s", strerror(errno));
		goto out;
	}
	status = rep.status;
	if (status == COMPARE_EXIT_INCONCLUSIVE)
		fprintf(stderr, "primbench compare: inconclusive: %s\n", rep.reason);

out:
	free(md);
	csv_buf_free(&csv);
	compare_summary_free(&sum);
	compare_join_free(&join);
	free(fp);
	for (size_t i = 0; i < runs.n; i++)
		compare_run_free(&runs.r[i]);
	free(runs.r);
	free(a.pos);
	if (status == 2)
		fprintf(stderr, "primbench compare: %s\n", err);
	return status;
}
