/*
 * compare_verdict.c - did the candidate make any primitive slower, and is it
 * real?  The statistics of a verdict: pure functions on joined keys.
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
 * Host state.  Every sample carries a host probe (host_probe_ns, measure.c:
 * a fixed store-load loop timed around it), which moves only with what
 * the CPU gives the thread - an SMT sibling or a neighbour busy on the
 * host.  compare pools the probe samples of both sides; when they fall
 * into two speeds (Otsu's split of their logs, the groups' means at least
 * COMPARE_PROBE_SPLIT_RATIO apart, each group at least
 * COMPARE_PROBE_MIN_SHARE of the samples) it reports each side's share of
 * slow-state samples, and warns when the shares differ by more than
 * COMPARE_PROBE_SHARE_DIFF_PCT points (or, with one speed, when the
 * medians differ by more than the split ratio): the two sides then ran on
 * a host in a different state, and a change common to many keys may be
 * that.  The probe describes the host, so its keys are never judged.
 * Verdicts are not adjusted for it: on the host this was written on, the
 * timings inside the slow state vary by the neighbour's kind of load
 * (getppid 265-318 ns), so a two-state correction leaves most of the
 * between-round noise in place.
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
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "note.h"
#include "stats.h"

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
	va_list ap;

	va_start(ap, fmt);
	note_vappend(it->note, sizeof(it->note), fmt, ap);
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
	if (strcmp(it->metric, COMPARE_PROBE_METRIC) == 0) {
		compare_note(it, "describes the host, not the primitive (the host-state line)");
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
		it->p_adj = adj[i];
		it->mde_pct = compare_mde_pct(it->se_log, it->df, k, alpha);
	}
	return (long)k;
}

double compare_mde_pct(double se_log, double df, size_t m, double alpha)
{
	double t = stats_t_quantile(1.0 - alpha / (2.0 * (double)m), df);

	return 100.0 * expm1(t * se_log);
}

/* Second stage for a tested key: the conditions of the header. */
void compare_decide(struct compare_item *it, const struct compare_opts *o)
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

void compare_geomean(struct compare_geo *g, const double *logs, size_t k)
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

/* The median mde_pct of the tested gated keys of family bench (NULL:
 * all), using buf (n values) as scratch; NAN if there are none. */
static double compare_mde_median(const struct compare_item *items, size_t n, const char *bench,
				 double *buf)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (items[i].gated && items[i].tested && isfinite(items[i].mde_pct) &&
		    (!bench || strcmp(items[i].bench, bench) == 0))
			buf[k++] = items[i].mde_pct;
	return k ? stats_median(buf, k) : NAN;
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
	compare_geomean(&s->overall, logs, k);
	s->overall.mde_median = compare_mde_median(items, n, NULL, logs);

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
		compare_geomean(&s->family[s->nfamily], logs, k);
		s->family[s->nfamily].mde_median = compare_mde_median(items, n, items[i].bench, logs);
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

size_t compare_probe_split(const double *sorted_logs, size_t n, double *cut, double *ratio)
{
	double total = 0, below = 0, best = -1;
	size_t at = 1;

	for (size_t i = 0; i < n; i++)
		total += sorted_logs[i];
	/* Split before index i: [0, i) and [i, n). */
	for (size_t i = 1; i < n; i++) {
		double w0, m0, m1, between;

		below += sorted_logs[i - 1];
		if (sorted_logs[i] == sorted_logs[i - 1])
			continue;
		w0 = (double)i / (double)n;
		m0 = below / (double)i;
		m1 = (total - below) / (double)(n - i);
		between = w0 * (1 - w0) * (m1 - m0) * (m1 - m0);
		if (between > best) {
			best = between;
			at = i;
			*cut = (sorted_logs[i - 1] + sorted_logs[i]) / 2;
			*ratio = exp(m1 - m0);
		}
	}
	if (best < 0) {
		*cut = sorted_logs[n - 1];
		*ratio = 1;
		return n;
	}
	return at;
}

/* The positive probe samples of one side (cand 0: base) into out; their
 * number. */
static size_t compare_probe_values(const struct compare_item *items, size_t n, int cand,
				   double *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const double *v = cand ? items[i].cand : items[i].base;
		size_t nv = cand ? items[i].cand_n : items[i].base_n;

		if (strcmp(items[i].metric, COMPARE_PROBE_METRIC) != 0)
			continue;
		for (size_t j = 0; j < nv; j++)
			if (v[j] > 0)
				out[k++] = v[j];
	}
	return k;
}

int compare_host_state(const struct compare_item *items, size_t n, struct compare_host *h)
{
	size_t total = 0, k = 0, at;
	double *all, *side[2];

	memset(h, 0, sizeof(*h));
	h->p50[0] = h->p50[1] = h->cut = h->ratio = NAN;
	h->slow_pct[0] = h->slow_pct[1] = NAN;
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].metric, COMPARE_PROBE_METRIC) == 0)
			total += items[i].base_n + items[i].cand_n;
	if (total == 0)
		return 0;
	all = malloc(2 * total * sizeof(*all));
	if (!all)
		return -ENOMEM;
	side[0] = all + total;
	h->n[0] = compare_probe_values(items, n, 0, side[0]);
	side[1] = side[0] + h->n[0];
	h->n[1] = compare_probe_values(items, n, 1, side[1]);
	for (int s = 0; s < 2; s++) {
		if (h->n[s])
			h->p50[s] = stats_median(side[s], h->n[s]);
		for (size_t j = 0; j < h->n[s]; j++)
			all[k++] = log(side[s][j]);
	}
	if (k >= 2) {
		stats_sort(all, k);
		at = compare_probe_split(all, k, &h->cut, &h->ratio);
		h->split = h->ratio >= COMPARE_PROBE_SPLIT_RATIO &&
			   (double)at >= COMPARE_PROBE_MIN_SHARE * (double)k &&
			   (double)(k - at) >= COMPARE_PROBE_MIN_SHARE * (double)k;
		h->cut = exp(h->cut);
	}
	for (int s = 0; h->split && s < 2; s++) {
		size_t slow = 0;

		for (size_t j = 0; j < h->n[s]; j++)
			slow += side[s][j] > h->cut;
		h->slow_pct[s] = h->n[s] ? 100.0 * (double)slow / (double)h->n[s] : NAN;
	}
	if (!h->split)
		h->cut = h->ratio = NAN;
	free(all);
	return 0;
}
