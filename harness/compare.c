/*
 * compare.c - did the candidate run make any primitive slower, and is it real?
 *
 * `primbench compare BASE CAND` joins two results folders on the key
 * (bench, variant, sweep, x, placement, metric) and gives each key a verdict.
 * What a verdict means, exactly:
 *
 * Data.  For one key, base has samples a_1..a_n and the candidate b_1..b_m;
 * each sample is one value from samples.csv (for ns_per_op: the mean cost of
 * one operation over that sample's calibrated iterations).  Samples are
 * treated as independent draws.  They are taken one after another on one
 * host, so slow drift (frequency, thermal, a noisy neighbour) makes them
 * somewhat autocorrelated; the test below then overstates significance, which
 * is one reason a verdict also needs a change larger than the threshold.
 *
 * Effect size.  change = 100 * (median(b) / median(a) - 1), in percent,
 * signed as the metric moves (for bytes_per_s a positive change is better).
 * Medians, not means: one preempted sample must not move the estimate.
 *
 * Confidence interval.  A 95% percentile bootstrap of the ratio of medians
 * (stats_ratio_ci): each side is resampled with replacement independently,
 * COMPARE_DEFAULT_REPS (2000) times, and the 2.5th and 97.5th percentiles of
 * median(b*)/median(a*) are the ends.  The seed is fixed and the same for
 * every key, so a key's numbers depend only on its own samples and a rerun
 * of compare prints the same table.  With few samples the bootstrap median
 * is coarse (it can only take sample values), so it is a guard, not the test.
 *
 * Test.  Two-sided Mann-Whitney U (stats_mann_whitney): exact when both
 * sides have at most 20 samples and there are no ties, otherwise the normal
 * approximation with tie and continuity correction.  The null hypothesis is
 * that a and b come from one distribution; it needs no normality, which
 * timing samples (right-skewed, multi-modal) do not have.
 *
 * Multiple comparisons.  A run has hundreds of keys; at alpha = 0.01 a few
 * would look "significant" by chance alone.  The p-values of all gated keys
 * that reached the test are adjusted together with Holm-Bonferroni
 * (stats_holm), which bounds the probability of even one false "slower" or
 * "faster" among them at alpha, whatever the dependence between keys.  Counter
 * keys form a second, separate Holm family so that they neither dilute nor
 * borrow the gate's power.
 *
 * Verdict.  A tested key is `slower` or `faster` only when all three hold:
 *   p_adj < alpha (default 0.01),
 *   the 95% CI of the change excludes 0,
 *   |change| > threshold (default 5%);
 * the sign of the change and the metric's direction then say which.  Anything
 * else is `same`, with the failed condition in the note.  `same` is not proof
 * of equality: when the CI is wider than the threshold, the run could not have
 * seen a regression of that size; read the CI.
 * Keys that are not tested: `new` (only in CAND), `gone` (only in BASE),
 * `skipped` (either side's summary status is skipped/failed/timeout; the note
 * says which and why), `n/a` (fewer than COMPARE_MIN_SAMPLES = 5 samples on a
 * side, a median <= 0, or runs whose timings are not comparable).  Five is the
 * floor because with 4 against 4 the smallest possible two-sided exact p is
 * 2/70 = 0.029, so no verdict at alpha 0.01 could ever be reached; with 5
 * against 5 it is 2/252 = 0.0079.
 *
 * Direction and gating.  Metrics named *_per_s (bytes_per_s, msgs_per_s) are
 * better when higher; every other metric (ns_per_op, ns_per_mib, gap_ns,
 * faults_per_op, ...) is better when lower.  Only time and throughput metrics
 * (ns_per_*, *_ns, *_per_s) gate: the exit status is 1 when any of them is
 * `slower`.  Counter metrics (faults_per_op, ctxsw_per_op, migrations_per_op,
 * cycles_per_op, ...) get verdicts by the same rules, for the reader, but
 * never set the exit status and never enter the geomean: a kernel that takes
 * one more fault per fork is news, not by itself a regression.
 *
 * Summary.  For every gated key with a faster/slower/same verdict, the ratio
 * r = median(b)/median(a) for lower-is-better metrics and median(a)/median(b)
 * for higher-is-better ones, so that r > 1 always means slower.  The geomean
 * is exp(mean(log r)) per bench family and over all gated keys; its 95% CI is
 * the Student t interval on the log ratios (k - 1 degrees of freedom, k keys),
 * exponentiated.  That interval treats keys as independent, which they are
 * not quite (a family's variants share code paths); read it as indicative.
 *
 * Comparability.  Timings taken under an emulator (meta accel=tcg) are not
 * comparable with hardware-assisted ones.  When the runs' accel values differ,
 * or one is tcg and the other is not (or unknown), every tested key is `n/a`
 * unless --force.  Meta keys that differ (kernel, cmdline, mitigations,
 * governor, THP, compiler, flags, CPU, ...) are listed first in the report,
 * since they are the usual explanation of a verdict.
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
#define COMPARE_NCOLS 19
static const char *const compare_csv_header[COMPARE_NCOLS] = {
	"schema", "bench", "variant", "sweep", "x", "placement", "metric",
	"unit", "base_n", "cand_n", "base_p50", "cand_p50", "change_pct",
	"ci95_lo_pct", "ci95_hi_pct", "p_value", "p_adj", "verdict", "note",
};

/* Meta keys that differ between any two runs and so say nothing. */
static const char *const compare_meta_ignored[] = {
	"run_id", "started_utc", "finished_utc",
	/* Re-measured at every start: they differ in the last digits between
	 * any two runs, and would bury the differences that matter. */
	"tsc_hz", "timer_overhead_ns",
};

const char *compare_verdict_name(enum compare_verdict v)
{
	static const char *const names[COMPARE_NVERDICTS] = {
		[COMPARE_FASTER] = "faster", [COMPARE_SLOWER] = "slower",
		[COMPARE_SAME] = "same", [COMPARE_NEW] = "new",
		[COMPARE_GONE] = "gone", [COMPARE_SKIPPED] = "skipped",
		[COMPARE_NA] = "n/a",
	};

	return (unsigned)v < COMPARE_NVERDICTS ? names[v] : "?";
}

static int compare_str_ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

void compare_classify_metric(const char *metric, int *higher_is_better, int *gated)
{
	int per_s = compare_str_ends(metric, "_per_s");
	int time = strncmp(metric, "ns_per_", 7) == 0 ||
		   compare_str_ends(metric, "_ns") || strcmp(metric, "ns") == 0;

	*higher_is_better = per_s;
	*gated = per_s || time;
}

void compare_opts_default(struct compare_opts *o)
{
	o->threshold_pct = COMPARE_DEFAULT_THRESHOLD_PCT;
	o->alpha = COMPARE_DEFAULT_ALPHA;
	o->reps = COMPARE_DEFAULT_REPS;
	o->seed = COMPARE_DEFAULT_SEED;
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

/* First stage for one key: medians, and for keys that can be tested the
 * change, its CI and the raw p-value.  The verdict of a tested key waits for
 * the Holm step.  0 or -ENOMEM. */
static int compare_eval_one(struct compare_item *it, const struct compare_opts *o)
{
	double ratio, lo, hi, p;
	int rc;

	compare_classify_metric(it->metric, &it->higher_is_better, &it->gated);
	it->tested = 0;
	it->base_p50 = it->base_n ? stats_median(it->base, it->base_n) : NAN;
	it->cand_p50 = it->cand_n ? stats_median(it->cand, it->cand_n) : NAN;
	it->change_pct = it->ci95_lo_pct = it->ci95_hi_pct = NAN;
	it->p_value = it->p_adj = NAN;
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
	if (it->base_n < COMPARE_MIN_SAMPLES || it->cand_n < COMPARE_MIN_SAMPLES) {
		compare_note(it, "fewer than %d samples a side (base %zu, cand %zu)",
			     COMPARE_MIN_SAMPLES, it->base_n, it->cand_n);
		return 0;
	}
	if (!o->comparable) {
		compare_note(it, "%s", o->na_note ? o->na_note : "runs not comparable");
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
	if (!(it->base_p50 > 0) || !(it->cand_p50 >= 0)) {
		compare_note(it, "median <= 0: relative change undefined");
		return 0;
	}

	rc = stats_ratio_ci(it->base, it->base_n, it->cand, it->cand_n, 0.95,
			    o->reps, o->seed, &ratio, &lo, &hi);
	if (rc == -ENOMEM)
		return rc;
	it->change_pct = 100.0 * (it->cand_p50 / it->base_p50 - 1.0);
	if (rc == 0 && isfinite(lo) && isfinite(hi)) {
		it->ci95_lo_pct = 100.0 * (lo - 1.0);
		it->ci95_hi_pct = 100.0 * (hi - 1.0);
	} else {
		/* A resampled base median of 0 makes the ratio infinite: the CI
		 * is then undefined, and with it any claim. */
		compare_note(it, "CI undefined");
	}
	p = stats_mann_whitney(it->base, it->base_n, it->cand, it->cand_n, NULL);
	/* NAN arises only when every value ties; the limit is "no evidence". */
	it->p_value = isnan(p) ? 1.0 : p;
	it->tested = 1;
	return 0;
}

/* Holm-adjust the p-values of the tested keys whose gated flag equals
 * want_gated (one family).  Returns the family size, or -ENOMEM. */
static long compare_holm_family(struct compare_item *items, size_t n, int want_gated,
				size_t *idx, double *p, double *adj)
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
	rc = stats_holm(p, k, adj);
	if (rc < 0)
		return rc;
	for (i = 0; i < k; i++)
		items[idx[i]].p_adj = adj[i];
	return (long)k;
}

/* Second stage for a tested key: the three conditions of the header. */
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
	it->verdict = COMPARE_SAME;
	if (!past)
		compare_note(it, "|change| within %g%% threshold", o->threshold_pct);
	if (!significant)
		compare_note(it, "not significant (p_adj %.2g >= %g)", it->p_adj, o->alpha);
	else if (!ci_excludes && !isnan(it->ci95_lo_pct))
		compare_note(it, "CI includes 0");
}

/* The oriented ratio of a tested key: > 1 means slower. */
static double compare_oriented_ratio(const struct compare_item *it)
{
	return it->higher_is_better ? it->base_p50 / it->cand_p50
				    : it->cand_p50 / it->base_p50;
}

/* Is a key part of the geomean: gated, tested, with a real verdict. */
static int compare_in_geomean(const struct compare_item *it)
{
	double r;

	if (!it->gated || !it->tested)
		return 0;
	if (it->verdict != COMPARE_FASTER && it->verdict != COMPARE_SLOWER &&
	    it->verdict != COMPARE_SAME)
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

/* Counts, regression flag and geomeans.  0 or -ENOMEM. */
static int compare_summarize(const struct compare_item *items, size_t n,
			     struct compare_summary *s)
{
	double *logs;
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		s->count[items[i].verdict]++;
		if (items[i].gated && items[i].verdict == COMPARE_SLOWER)
			s->regression = 1;
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
	    !isfinite(o->threshold_pct) || o->reps == 0)
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
	k = compare_holm_family(items, n, 1, idx, p, adj);
	if (k < 0) {
		rc = (int)k;
		goto out_free;
	}
	s->gated_tested = (size_t)k;
	k = compare_holm_family(items, n, 0, idx, p, adj);
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
		if (!items[i].gated)
			compare_note(&items[i], "counter: not gated");
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
 * Loading a results folder.  Every check here runs before anything is
 * written, so that bad input leaves no file behind.
 */

/* One results folder, loaded and validated. */
struct compare_run {
	const char *dir;              /* folder as given on the command line */
	const char *label;            /* "base" or "cand", for messages */
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
	int meta_key;                 /* meta.csv "key" column */
	int meta_value;               /* meta.csv "value" column */
	long schema;                  /* schema version, one for the whole run */
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

/* Load and validate one results folder.  0 or -errno with err set; on
 * error nothing stays allocated. */
static int compare_run_load(struct compare_run *r, const char *dir, const char *label,
			    char *err, size_t len)
{
	static const char *const statuses[] = { "ok", "skipped", "failed", "timeout" };
	char path[PATH_MAX];
	const char *schema, *st;
	struct stat sb;
	size_t i, j;
	double v;
	int rc, k;

	memset(r, 0, sizeof(*r));
	r->dir = dir;
	r->label = label;
	if (stat(dir, &sb) < 0)
		return compare_err(err, len, "%s folder '%s': %s", label, dir,
				   strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return compare_err(err, len, "%s '%s' is not a results folder", label, dir);

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
	if (rc == 0)
		rc = compare_check_schema(r, &r->samples, r->smp_schema, path, err, len);
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
}

/* ------------------------------------------------------------------------
 * Joining two runs into items.
 */

/* One row of either run's samples.csv or summary.csv, for the sort-join. */
struct compare_ref {
	const char *k[COMPARE_NKEY];  /* key parts, borrowed from the table */
	double x;                     /* numeric x; NAN when x is empty */
	int side;                     /* 0 base, 1 candidate */
	int is_summary;               /* 0 a samples.csv row, 1 a summary.csv row */
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
	struct compare_ref *refs;     /* every row of both runs, sorted by key */
	double *vals;                 /* sample values in refs order */
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
	return a->row < b->row ? -1 : a->row > b->row;
}

/* Add one table's rows to refs at *n. */
static void compare_add_refs(struct compare_ref *refs, size_t *n, const struct csv_table *t,
			     const int *keycol, int valcol, int side, int is_summary)
{
	size_t i;
	int k;

	for (i = 0; i < t->nrows; i++) {
		struct compare_ref *r = &refs[(*n)++];

		for (k = 0; k < COMPARE_NKEY; k++)
			r->k[k] = t->rows[i][keycol[k]];
		r->x = NAN;
		if (r->k[KEY_X][0])
			csv_parse_double(r->k[KEY_X], &r->x, 0);
		r->side = side;
		r->is_summary = is_summary;
		r->row = i;
		r->value = NAN;
		if (valcol >= 0)
			csv_parse_double(t->rows[i][valcol], &r->value, 0);
	}
}

/* Describe a non-ok summary row of one side into buf ("base skipped: why"). */
static void compare_skip_text(char *buf, size_t len, const struct compare_run *r,
			      size_t row)
{
	size_t used = strlen(buf);
	const char *note = r->summary.rows[row][r->sum_note];

	snprintf(buf + used, len - used, "%s%s %s%s%s", used ? "; " : "", r->label,
		 r->summary.rows[row][r->sum_status], note[0] ? ": " : "", note);
}

/* Build one item from refs[lo, hi), which share one key. */
static int compare_join_item(struct compare_join *j, size_t lo, size_t hi,
			     const struct compare_run *runs, char *err, size_t len)
{
	struct compare_item *it = &j->items[j->nitems];
	struct compare_join_extra *ex = &j->extra[j->nitems];
	const struct compare_ref *r;
	size_t i, nsum[2] = { 0, 0 };
	const struct compare_run *run;

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
		run = &runs[r->side];
		if (r->side == 0)
			it->in_base = 1;
		else
			it->in_cand = 1;
		if (!r->is_summary) {
			j->vals[i] = r->value;
			if (r->side == 0 && it->base_n++ == 0)
				it->base = &j->vals[i];
			if (r->side == 1 && it->cand_n++ == 0)
				it->cand = &j->vals[i];
			continue;
		}
		if (++nsum[r->side] > 1)
			return compare_err(err, len, "%s/summary.csv:%zu: second row for "
					   "%s/%s/%s=%s/%s/%s", run->dir, r->row + 2,
					   it->bench, it->variant, it->sweep, it->x,
					   it->placement, it->metric);
		if (!it->unit[0])
			it->unit = run->summary.rows[r->row][run->sum_unit];
		if (strcmp(run->summary.rows[r->row][run->sum_status], "ok") != 0)
			compare_skip_text(ex->skip, sizeof(ex->skip), run, r->row);
		if (strcmp(run->summary.rows[r->row][run->sum_validation], "fail") == 0) {
			size_t used = strlen(ex->extra);

			snprintf(ex->extra + used, sizeof(ex->extra) - used,
				 "%svalidation=fail in %s", used ? "; " : "", run->label);
		}
	}
	it->skip_note = ex->skip[0] ? ex->skip : NULL;
	it->extra_note = ex->extra[0] ? ex->extra : NULL;
	j->nitems++;
	return 0;
}

/* Join both runs into j->items, one per distinct key, in key order.  0,
 * -ENOMEM, or -EINVAL with err set (a key with two summary rows on one
 * side).  The caller calls compare_join_free in every case. */
static int compare_join(struct compare_join *j, const struct compare_run *runs,
			char *err, size_t len)
{
	size_t total = 0, n = 0, lo, hi;
	int side, rc;

	memset(j, 0, sizeof(*j));
	for (side = 0; side < 2; side++)
		total += runs[side].samples.nrows + runs[side].summary.nrows;
	j->refs = malloc((total ? total : 1) * sizeof(*j->refs));
	j->vals = malloc((total ? total : 1) * sizeof(*j->vals));
	j->items = malloc((total ? total : 1) * sizeof(*j->items));
	j->extra = malloc((total ? total : 1) * sizeof(*j->extra));
	if (!j->refs || !j->vals || !j->items || !j->extra) {
		rc = -ENOMEM;
		snprintf(err, len, "out of memory joining %zu rows", total);
		return rc;
	}
	for (side = 0; side < 2; side++) {
		compare_add_refs(j->refs, &n, &runs[side].samples, runs[side].smp_key,
				 runs[side].smp_value, side, 0);
		compare_add_refs(j->refs, &n, &runs[side].summary, runs[side].sum_key,
				 -1, side, 1);
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
	const char *base_dir;         /* BASE as given */
	const char *cand_dir;         /* CAND as given */
	const struct compare_fp *fp;  /* fingerprint differences */
	size_t nfp;                   /* entries in fp */
	const struct compare_opts *opts; /* options used */
	int accel_forced;             /* accelerators differ and --force was given */
	int incomplete[2];            /* base, cand meta says complete=false */
	const struct compare_item *items; /* every key, in key order */
	size_t n;                     /* entries in items */
	const struct compare_summary *sum; /* counts and geomeans */
	const char *out_path;         /* where compare.csv went */
};

/* Build compare.csv in memory.  0 or -ENOMEM. */
static int compare_csv_build(const struct compare_item *items, size_t n, struct csv_buf *b)
{
	char num[9][40];
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
		rc = csv_buf_row(b, f, COMPARE_NCOLS);
	}
	return rc;
}

/* Write buf to path atomically: a temporary file in the same folder,
 * fsync, rename.  0 or -errno with err set; on error no file remains. */
static int compare_write_atomic(const char *path, const char *buf, size_t len,
				char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	size_t off = 0;
	ssize_t w;
	int fd, rc = 0;

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
	while (off < len) {
		w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -errno;
			goto out_unlink;
		}
		off += (size_t)w;
	}
	/* fchmod: mkstemp makes 0600, but a results file is for everyone. */
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	if (close(fd) < 0) {
		rc = -errno;
		fd = -1;
		goto out_unlink;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = -errno;
		goto out_unlink;
	}
	return 0;

out_unlink:
	compare_err(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
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
       COL_BASE, COL_CAND, COL_CHANGE, COL_CI, COL_PADJ, COL_NOTE, COL_N };
static const char *const compare_col_titles[COL_N] = {
	"verdict", "bench", "variant", "sweep", "placement", "metric",
	"base_p50", "cand_p50", "change", "ci95", "p_adj", "note",
};

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
		if (isfinite(it->change_pct))
			snprintf(buf, len, "%+.1f%%", it->change_pct);
		else
			snprintf(buf, len, "-");
		break;
	case COL_CI:
		if (isfinite(it->ci95_lo_pct))
			snprintf(buf, len, "[%+.1f, %+.1f]", it->ci95_lo_pct,
				 it->ci95_hi_pct);
		else
			snprintf(buf, len, "-");
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

static void compare_fmt_counts(char *buf, size_t len, const struct compare_summary *s)
{
	snprintf(buf, len, "%zu slower, %zu faster, %zu same, %zu new, %zu gone, "
		 "%zu skipped, %zu n/a",
		 s->count[COMPARE_SLOWER], s->count[COMPARE_FASTER],
		 s->count[COMPARE_SAME], s->count[COMPARE_NEW], s->count[COMPARE_GONE],
		 s->count[COMPARE_SKIPPED], s->count[COMPARE_NA]);
}

/* The method, one sentence per line, each line prefixed with lead. */
static void compare_print_method(FILE *f, const struct compare_report *rep,
				 const char *lead)
{
	const struct compare_opts *o = rep->opts;

	fprintf(f, "%sTest: two-sided Mann-Whitney U per key; Holm-Bonferroni correction "
		"over the %zu gated keys tested (family-wise alpha %g).\n",
		lead, rep->sum->gated_tested, o->alpha);
	fprintf(f, "%sChange: median(cand)/median(base) - 1, signed as the metric "
		"moves (for *_per_s, + is faster); 95%% CI by percentile bootstrap of "
		"the ratio of medians (%u resamples, fixed seed).\n", lead, o->reps);
	fprintf(f, "%sVerdict slower/faster needs p_adj < %g, a CI excluding 0 and "
		"|change| > %g%%; fewer than %d samples a side gives n/a.\n",
		lead, o->alpha, o->threshold_pct, COMPARE_MIN_SAMPLES);
	fprintf(f, "%sOnly time/throughput metrics (ns_per_*, *_ns, *_per_s) gate the "
		"exit status and the geomean; counter metrics (%zu tested) are "
		"Holm-corrected separately and reported only.\n",
		lead, rep->sum->counter_tested);
	fprintf(f, "%sGeomean: of cand/base ratios oriented so that > 1 = slower; 95%% CI "
		"is a Student t interval on the log ratios over keys.\n", lead);
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
	if (rep->incomplete[0])
		fprintf(f, "%sThe base run is incomplete (meta complete=false).\n", lead);
	if (rep->incomplete[1])
		fprintf(f, "%sThe candidate run is incomplete (meta complete=false).\n",
			lead);
}

static void compare_print_text(FILE *f, const struct compare_report *rep)
{
	size_t w[COL_N], i, l;
	char cell[512], geo[160];
	int c;

	fprintf(f, "primbench compare\n  base: %s\n  cand: %s\n", rep->base_dir,
		rep->cand_dir);
	compare_print_warnings(f, rep, "WARNING: ");
	fputc('\n', f);
	fprintf(f, "Fingerprint differences (meta.csv):\n");
	if (rep->nfp == 0)
		fprintf(f, "  none\n");
	for (i = 0, l = 0; i < rep->nfp; i++)
		if (strlen(rep->fp[i].key) > l)
			l = strlen(rep->fp[i].key);
	for (i = 0; i < rep->nfp; i++)
		fprintf(f, "  %-*s  %s -> %s\n", (int)l, rep->fp[i].key,
			rep->fp[i].base ? rep->fp[i].base : "(absent)",
			rep->fp[i].cand ? rep->fp[i].cand : "(absent)");
	fprintf(f, "\nMethod:\n");
	compare_print_method(f, rep, "  ");
	fprintf(f, "\n");

	for (c = 0; c < COL_N; c++)
		w[c] = strlen(compare_col_titles[c]);
	for (i = 0; i < rep->n; i++) {
		for (c = 0; c < COL_N; c++) {
			compare_cell(&rep->items[i], c, cell, sizeof(cell));
			if (strlen(cell) > w[c])
				w[c] = strlen(cell);
		}
	}
	for (c = 0; c < COL_N - 1; c++)
		fprintf(f, c >= COL_BASE && c <= COL_PADJ ? "%*s  " : "%-*s  ", (int)w[c],
			compare_col_titles[c]);
	fprintf(f, "%s\n", compare_col_titles[COL_N - 1]);
	for (i = 0; i < rep->n; i++) {
		for (c = 0; c < COL_N; c++) {
			compare_cell(&rep->items[i], c, cell, sizeof(cell));
			if (c == COL_N - 1)
				fprintf(f, "%s\n", cell);
			else if (c >= COL_BASE && c <= COL_PADJ)
				fprintf(f, "%*s  ", (int)w[c], cell);
			else
				fprintf(f, "%-*s  ", (int)w[c], cell);
		}
	}
	if (rep->n == 0)
		fprintf(f, "(no keys in either run)\n");

	fprintf(f, "\nGeomean of oriented ratios (> 1 = slower):\n");
	l = strlen("overall");
	for (i = 0; i < rep->sum->nfamily; i++)
		if (strlen(rep->sum->family[i].family) > l)
			l = strlen(rep->sum->family[i].family);
	compare_fmt_geo(geo, sizeof(geo), &rep->sum->overall);
	fprintf(f, "  %-*s  %s\n", (int)l, "overall", geo);
	for (i = 0; i < rep->sum->nfamily; i++) {
		compare_fmt_geo(geo, sizeof(geo), &rep->sum->family[i]);
		fprintf(f, "  %-*s  %s\n", (int)l, rep->sum->family[i].family, geo);
	}
	compare_fmt_counts(cell, sizeof(cell), rep->sum);
	fprintf(f, "\nCounts: %s\n", cell);
	fprintf(f, "Result: %s\n", rep->sum->regression
		? "REGRESSION: a gated key is slower (exit 1)"
		: "no gated key is slower (exit 0)");
	fprintf(f, "compare.csv: %s\n", rep->out_path);
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
		fputs(c >= COL_BASE && c <= COL_PADJ ? " ---: |" : " --- |", f);
	fputc('\n', f);
}

static void compare_print_md(FILE *f, const struct compare_report *rep)
{
	/* Slower first: that is what a reviewer opens the comment for. */
	static const enum compare_verdict order[] = {
		COMPARE_SLOWER, COMPARE_FASTER, COMPARE_NEW, COMPARE_GONE,
		COMPARE_SKIPPED, COMPARE_NA,
	};
	const struct compare_summary *s = rep->sum;
	char counts[256], geo[160];
	size_t i, j, shown = 0;

	fputs("### primbench compare: `", f);
	compare_md_cell(f, rep->base_dir);
	fputs("` → `", f);
	compare_md_cell(f, rep->cand_dir);
	fputs("`\n\n", f);
	compare_fmt_counts(counts, sizeof(counts), s);
	compare_fmt_geo(geo, sizeof(geo), &s->overall);
	fprintf(f, "**%s: %s; geomean: %s**\n\n",
		s->regression ? "REGRESSION" : "No regression", counts, geo);
	fprintf(f, "Mann-Whitney U with Holm-Bonferroni correction over %zu gated keys "
		"(alpha %g), 95%% bootstrap CI of the median ratio, threshold %g%%; "
		"method at the end.\n\n", s->gated_tested, rep->opts->alpha,
		rep->opts->threshold_pct);
	compare_print_warnings(f, rep, "> **Warning:** ");
	if (!rep->opts->comparable || rep->accel_forced || rep->incomplete[0] ||
	    rep->incomplete[1])
		fputc('\n', f);

	if (rep->nfp) {
		fputs("Fingerprint differences (meta.csv):\n\n| key | base | cand |\n"
		      "| --- | --- | --- |\n", f);
		for (i = 0; i < rep->nfp; i++) {
			fputs("| ", f);
			compare_md_cell(f, rep->fp[i].key);
			fputs(" | ", f);
			compare_md_cell(f, rep->fp[i].base ? rep->fp[i].base : "(absent)");
			fputs(" | ", f);
			compare_md_cell(f, rep->fp[i].cand ? rep->fp[i].cand : "(absent)");
			fputs(" |\n", f);
		}
		fputc('\n', f);
	} else {
		fputs("Fingerprint: no meta.csv differences.\n\n", f);
	}

	for (j = 0; j < sizeof(order) / sizeof(order[0]); j++)
		shown += s->count[order[j]];
	if (shown) {
		compare_md_header(f);
		for (j = 0; j < sizeof(order) / sizeof(order[0]); j++)
			for (i = 0; i < rep->n; i++)
				if (rep->items[i].verdict == order[j])
					compare_md_row(f, &rep->items[i]);
		fputc('\n', f);
	}
	if (s->count[COMPARE_SAME]) {
		fprintf(f, "<details><summary>%zu key%s unchanged (same)</summary>\n\n",
			s->count[COMPARE_SAME], s->count[COMPARE_SAME] == 1 ? "" : "s");
		compare_md_header(f);
		for (i = 0; i < rep->n; i++)
			if (rep->items[i].verdict == COMPARE_SAME)
				compare_md_row(f, &rep->items[i]);
		fputs("\n</details>\n\n", f);
	}

	if (s->nfamily) {
		fputs("| family | geomean (> 1 = slower) |\n| --- | --- |\n", f);
		for (i = 0; i < s->nfamily; i++) {
			compare_fmt_geo(geo, sizeof(geo), &s->family[i]);
			fputs("| ", f);
			compare_md_cell(f, s->family[i].family);
			fprintf(f, " | %s |\n", geo);
		}
		fputc('\n', f);
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
	const char *out;              /* compare.csv path, NULL for the default */
	int force;                    /* give verdicts across accelerators */
	const char *base;             /* BASE folder */
	const char *cand;             /* CAND folder */
	int help;                     /* --help: print usage, exit 0 */
};

static const char compare_usage[] =
	"usage: primbench compare [--threshold PCT] [--alpha A] [--format text|md|csv] "
	"[--out FILE] [--force] BASE CAND";

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
	int i, m, npos = 0, only_pos = 0;
	double d;

	memset(a, 0, sizeof(*a));
	compare_opts_default(&a->opts);
	a->format = COMPARE_FMT_TEXT;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (only_pos || arg[0] != '-' || !arg[1]) {
			if (npos == 2)
				return compare_err(err, len, "unexpected argument '%s'; %s",
						   arg, compare_usage);
			if (npos++ == 0)
				a->base = arg;
			else
				a->cand = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			only_pos = 1;
		} else if (strcmp(arg, "--force") == 0) {
			a->force = 1;
		} else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			a->help = 1;
		} else if ((m = compare_opt_value(argc, argv, &i, "--threshold", &v))) {
			if (m < 0 || csv_parse_double(v, &d, 0) < 0 || d < 0)
				return compare_err(err, len, "--threshold '%s': expected a "
						   "percentage >= 0", m < 0 ? "" : v);
			a->opts.threshold_pct = d;
		} else if ((m = compare_opt_value(argc, argv, &i, "--alpha", &v))) {
			if (m < 0 || csv_parse_double(v, &d, 0) < 0 || !(d > 0 && d < 1))
				return compare_err(err, len, "--alpha '%s': expected a number "
						   "between 0 and 1", m < 0 ? "" : v);
			a->opts.alpha = d;
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
			return compare_err(err, len, "unknown option '%s'; %s", arg,
					   compare_usage);
		}
	}
	if (!a->help && npos != 2)
		return compare_err(err, len, "expected BASE and CAND results folders; %s",
				   compare_usage);
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

/* The default compare.csv path: <CAND>/compare-vs-<basename BASE>.csv. */
static int compare_default_out(const char *base, const char *cand, char *buf, size_t len,
			       char *err, size_t errlen)
{
	char real[PATH_MAX];
	const char *name;

	/* realpath so that "." and "results/run/" still give a real name. */
	if (!realpath(base, real))
		return compare_err(err, errlen, "base folder '%s': %s", base,
				   strerror(errno));
	name = strrchr(real, '/');
	name = name && name[1] ? name + 1 : real;
	if ((size_t)snprintf(buf, len, "%s/compare-vs-%s.csv", cand, name) >= len)
		return compare_err(err, errlen, "%s/compare-vs-%s.csv: path too long",
				   cand, name);
	return 0;
}

int compare_cmd(int argc, char **argv)
{
	struct compare_run runs[2];
	struct compare_join join;
	struct compare_summary sum;
	struct compare_report rep;
	struct compare_args a;
	struct compare_fp *fp = NULL;
	struct csv_buf csv = { NULL, 0, 0 };
	char err[512], out_path[PATH_MAX], na_note[256];
	const char *ba, *ca, *complete;
	size_t nfp;
	int rc, status = 2, side, accel_differs;

	memset(&join, 0, sizeof(join));
	memset(&sum, 0, sizeof(sum));
	memset(&rep, 0, sizeof(rep));
	err[0] = '\0';
	if (compare_parse_args(argc, argv, &a, err, sizeof(err)) < 0)
		goto out_report;
	if (a.help) {
		printf("%s\n", compare_usage);
		return 0;
	}
	if (compare_run_load(&runs[0], a.base, "base", err, sizeof(err)) < 0)
		goto out_report;
	if (compare_run_load(&runs[1], a.cand, "cand", err, sizeof(err)) < 0)
		goto out_base;
	if (runs[0].schema != runs[1].schema) {
		compare_err(err, sizeof(err), "schema versions differ: base %ld, cand %ld",
			    runs[0].schema, runs[1].schema);
		goto out_runs;
	}
	if (a.out) {
		if ((size_t)snprintf(out_path, sizeof(out_path), "%s", a.out) >=
		    sizeof(out_path)) {
			compare_err(err, sizeof(err), "--out: path too long");
			goto out_runs;
		}
	} else if (compare_default_out(a.base, a.cand, out_path, sizeof(out_path), err,
				       sizeof(err)) < 0) {
		goto out_runs;
	}

	/* Verdicts across an emulator boundary would be about the emulator. */
	ba = compare_meta_get(&runs[0], "accel");
	ca = compare_meta_get(&runs[1], "accel");
	accel_differs = (ba && ca && strcmp(ba, ca) != 0) ||
			compare_is_tcg(ba) != compare_is_tcg(ca);
	if (accel_differs) {
		snprintf(na_note, sizeof(na_note), "different accelerators (base %s, cand %s): "
			 "timings not comparable; use --force", ba ? ba : "unknown",
			 ca ? ca : "unknown");
		if (!a.force) {
			a.opts.comparable = 0;
			a.opts.na_note = na_note;
		}
	}
	for (side = 0; side < 2; side++) {
		complete = compare_meta_get(&runs[side], "complete");
		rep.incomplete[side] = complete && strcmp(complete, "false") == 0;
	}

	fp = malloc((runs[0].meta.nrows + runs[1].meta.nrows + 1) * sizeof(*fp));
	if (!fp) {
		compare_err(err, sizeof(err), "out of memory");
		goto out_runs;
	}
	nfp = compare_fingerprint(runs, fp);

	if (compare_join(&join, runs, err, sizeof(err)) < 0)
		goto out_join;
	rc = compare_evaluate(join.items, join.nitems, &a.opts, &sum);
	if (rc < 0) {
		compare_err(err, sizeof(err), "evaluating: %s", strerror(-rc));
		goto out_join;
	}
	if (compare_csv_build(join.items, join.nitems, &csv) < 0) {
		compare_err(err, sizeof(err), "out of memory building compare.csv");
		goto out_sum;
	}
	if (compare_write_atomic(out_path, csv.data, csv.len, err, sizeof(err)) < 0)
		goto out_sum;

	/* Warned only now, so that a failed compare says one thing: why. */
	for (side = 0; side < 2; side++)
		if (rep.incomplete[side])
			fprintf(stderr, "primbench compare: warning: %s run '%s' is incomplete "
				"(meta complete=false)\n", runs[side].label, runs[side].dir);
	rep.base_dir = a.base;
	rep.cand_dir = a.cand;
	rep.fp = fp;
	rep.nfp = nfp;
	rep.opts = &a.opts;
	rep.accel_forced = accel_differs && a.force;
	rep.items = join.items;
	rep.n = join.nitems;
	rep.sum = &sum;
	rep.out_path = out_path;
	if (a.format == COMPARE_FMT_CSV)
		fwrite(csv.data, 1, csv.len, stdout);
	else if (a.format == COMPARE_FMT_MD)
		compare_print_md(stdout, &rep);
	else
		compare_print_text(stdout, &rep);
	fflush(stdout);
	status = sum.regression ? 1 : 0;

out_sum:
	csv_buf_free(&csv);
	compare_summary_free(&sum);
out_join:
	compare_join_free(&join);
	free(fp);
out_runs:
	compare_run_free(&runs[1]);
out_base:
	compare_run_free(&runs[0]);
out_report:
	if (status == 2)
		fprintf(stderr, "primbench compare: %s\n", err);
	return status;
}
