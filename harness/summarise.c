/*
 * summarise.c - a configuration's visits, over all rounds -> summary rows.
 *
 * Two levels of noise.  The samples of one visit come from one process in
 * one short window: they share its physical pages, its cache colouring,
 * the scheduler's state and whatever the host's neighbours did then.  The
 * visits (rounds) do not.  A CI computed from the samples alone describes
 * that window, and is far narrower than the spread between two runs; so
 * the CI here takes the round as the unit:
 *
 *   p50            the median of all samples of all rounds;
 *   round medians  m_1..m_R, the median of each round's samples;
 *   ci95           p50 * exp(+- t(0.975, R-1) * sd(log m) / sqrt(R))  (batch
 *                  medians on the log scale): sd(log m) holds both levels
 *                  (a round median varies with the samples inside it and
 *                  with the round), R-1 degrees of freedom keep the
 *                  interval honest for few rounds, and the log scale keeps
 *                  it in ratios, above 0 (a time's noise is a factor);
 *                  where a round median is <= 0 (a counter at 0, a
 *                  slope), p50 +- t(0.975, R-1) * sd(m) / sqrt(R);
 *   between_cv_pct 100 * sd(m) / mean(m).
 *
 * A run of one round (--rounds 1) has only the first level: its CI is the
 * order-statistics CI of the median of that round's samples, and meta
 * ci_method says so.  In a run of several rounds, a configuration left with
 * one (the others failed or were interrupted) gets no CI at all.
 *
 * The ns_per_mib fit is done the same way: a least-squares slope of the
 * per-point medians against x, one per round (its samples) and one over
 * the pooled medians (its p50), with the batch CI of the round slopes.
 *
 * Status: a configuration is ok while every visit was; the first visit
 * that was skipped, failed or timed out sets its status and note (the
 * runner does not visit it again).  Self-checks run once, on the pooled
 * medians, after all rounds.
 */
#include "summarise.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int summ_init(struct summ *s, const struct runner_config *cfg, size_t n, unsigned rounds)
{
	memset(s, 0, sizeof(*s));
	s->c = calloc(n ? n : 1, sizeof(*s->c));
	if (!s->c)
		return -ENOMEM;
	s->n = n;
	s->rounds = rounds;
	for (size_t i = 0; i < n; i++)
		s->c[i].cfg = &cfg[i];
	return 0;
}

void summ_free(struct summ *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t k = 0; k < s->c[i].nm; k++) {
			free(s->c[i].m[k].v);
			free(s->c[i].m[k].round);
			free(s->c[i].m[k].iters);
		}
	}
	free(s->c);
	memset(s, 0, sizeof(*s));
}

/* The configuration's metric of that name, added if new; NULL if full. */
static struct summ_metric *summ_metric_get(struct summ_config *c, const struct runner_metric *rm)
{
	for (size_t k = 0; k < c->nm; k++)
		if (strcmp(c->m[k].name, rm->name) == 0)
			return &c->m[k];
	if (c->nm == RUNNER_MAX_METRICS)
		return NULL;
	snprintf(c->m[c->nm].name, BENCH_NAME_MAX, "%s", rm->name);
	snprintf(c->m[c->nm].unit, BENCH_NAME_MAX, "%s", rm->unit);
	c->m[c->nm].counted = rm->counted;
	return &c->m[c->nm++];
}

static int summ_metric_push(struct summ_metric *m, double v, unsigned round, uint64_t iters)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		double *nv = realloc(m->v, cap * sizeof(*nv));
		unsigned *nr = nv ? realloc(m->round, cap * sizeof(*nr)) : NULL;
		uint64_t *ni = nr ? realloc(m->iters, cap * sizeof(*ni)) : NULL;

		if (nv)
			m->v = nv;
		if (nr)
			m->round = nr;
		if (!ni)
			return -ENOMEM;
		m->iters = ni;
		m->cap = cap;
	}
	m->v[m->n] = v;
	m->round[m->n] = round;
	m->iters[m->n++] = iters;
	return 0;
}

int summ_add(struct summ *s, size_t idx, unsigned round, const struct runner_result *r)
{
	struct summ_config *c;

	if (idx >= s->n || round == 0)
		return -EINVAL;
	c = &s->c[idx];
	c->visits++;
	if (!r->pin_ok)
		c->pin_failed = true;
	if (c->status == RUN_OK && r->status == RUN_OK) {
		c->ok_visits++;
		snprintf(c->note, sizeof(c->note), "%s", r->note);
	} else if (c->status == RUN_OK) {
		c->status = r->status;
		if (c->ok_visits)
			snprintf(c->note, sizeof(c->note), "round %u: %.480s", round, r->note);
		else
			snprintf(c->note, sizeof(c->note), "%s", r->note);
	}
	for (size_t i = 0; i < r->nmetrics; i++) {
		const struct runner_metric *rm = &r->metric[i];
		const uint64_t *it = rm->counted ? r->count_iters : r->iters;
		struct summ_metric *m;

		/* A visit cut short before its last record never named its
		 * extra metrics: unnamed values cannot be told apart, so
		 * they are dropped rather than written under an empty key. */
		if (!rm->name[0] || rm->n == 0)
			continue;
		m = summ_metric_get(c, rm);
		if (!m)
			return -ENOMEM;
		for (size_t k = 0; k < rm->n; k++)
			if (summ_metric_push(m, rm->v[k], round, it[k]) < 0)
				return -ENOMEM;
	}
	return 0;
}

size_t summ_round_medians(const struct summ_metric *m, double *rm)
{
	size_t nr = 0;

	for (size_t lo = 0, hi; lo < m->n; lo = hi) {
		for (hi = lo + 1; hi < m->n && m->round[hi] == m->round[lo]; hi++)
			;
		rm[nr++] = stats_median(m->v + lo, hi - lo);
	}
	return nr;
}

int summ_metric_stats(const struct summ_metric *m, unsigned run_rounds,
		      struct stats_summary *s, unsigned *rounds, double *between_cv_pct)
{
	double *rm;
	size_t nr;
	int rc;

	rc = stats_summarize(m->v, m->n, s);
	if (rc < 0)
		return rc;
	rm = malloc(m->n * sizeof(*rm));
	if (!rm)
		return -ENOMEM;
	nr = summ_round_medians(m, rm);
	*rounds = (unsigned)nr;
	*between_cv_pct = NAN;
	if (nr >= 2) {
		double mean = stats_mean(rm, nr);

		if (mean != 0)
			*between_cv_pct = 100.0 * stats_stddev(rm, nr) / fabs(mean);
		/* Positive: on the log scale; a zero or negative round median
		 * (a counter that reads 0, a slope): linear. */
		if (stats_batch_ci_log(rm, nr, s->p50, 0.95, &s->ci95_lo, &s->ci95_hi) == -EDOM)
			stats_batch_ci(rm, nr, s->p50, 0.95, &s->ci95_lo, &s->ci95_hi);
	} else if (run_rounds > 1) {
		/* The run's method needs two rounds; the one-window CI would
		 * claim far more than this configuration's data holds. */
		s->ci95_lo = s->ci95_hi = NAN;
	}
	free(rm);
	return 0;
}

/* --- self-checks ---------------------------------------------------------- */

static const struct summ_metric *summ_find(const struct summ_config *c, const char *name)
{
	for (size_t k = 0; k < c->nm; k++)
		if (strcmp(c->m[k].name, name) == 0)
			return &c->m[k];
	return NULL;
}

static double summ_judge_metric(const struct bench_judge *j, const char *name)
{
	const struct summ_metric *m = summ_find(j->priv, name);

	return m && m->n ? stats_median(m->v, m->n) : NAN;
}

/* The largest sample of a metric over every visit, for checks where one
 * sample is enough to fail (bench.h's metric_max). */
static double summ_judge_metric_max(const struct bench_judge *j, const char *name)
{
	const struct summ_metric *m = summ_find(j->priv, name);
	double worst = NAN;

	for (size_t i = 0; m && i < m->n; i++)
		if (isnan(worst) || m->v[i] > worst)
			worst = m->v[i];
	return worst;
}

static void summ_note_append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (!*s || n + 1 >= len)
		return;
	snprintf(buf + n, len - n, "%s%s", n ? "; " : "", s);
}

/*
 * Worker 0 stayed pinned in every visit (sched_getcpu and the migrations
 * counter), then the variant's own check on the pooled medians (and, via
 * metric_max, the largest pooled samples).  Any fail -> fail; else any
 * pass -> pass; else n/a.  Reasons go to note.
 */
static enum bench_valid summ_validate(const struct summ_config *c, char *note, size_t len)
{
	const struct runner_config *cfg = c->cfg;
	struct bench_judge j = {
		.variant = cfg->var->name, .x = cfg->has_x ? cfg->x : NAN,
		.placement = topo_placement_name(cfg->place.kind),
		.pinned = cfg->place.cpu[0] >= 0, .metric = summ_judge_metric,
		.metric_max = summ_judge_metric_max, .priv = c,
	};
	char buf[BENCH_NOTE_MAX] = "";
	bool pass = false, fail = false;

	note[0] = 0;
	if (c->status != RUN_OK || c->ok_visits == 0)
		return BENCH_VALID_NA;
	if (j.pinned) {
		const struct summ_metric *mig = summ_find(c, pmu_event_info(PMU_CPU_MIGRATIONS)->metric);

		if (c->pin_failed) {
			fail = true;
			summ_note_append(note, len, "worker 0 was not on its CPU after the samples");
		} else if (mig) {
			double worst = 0;

			/* Every counted sample, not the median: one migration
			 * is one too many for a pinned worker. */
			for (size_t i = 0; i < mig->n; i++)
				if (mig->v[i] > worst)
					worst = mig->v[i];
			if (worst > 0) {
				fail = true;
				snprintf(buf, sizeof(buf), "pinned but migrated (max %.3g migrations/op)", worst);
				summ_note_append(note, len, buf);
			} else {
				pass = true;
			}
		}
	}
	if (cfg->var->validate) {
		buf[0] = 0;
		switch (cfg->var->validate(&j, buf, sizeof(buf))) {
		case BENCH_VALID_PASS:
			pass = true;
			break;
		case BENCH_VALID_FAIL:
			fail = true;
			break;
		case BENCH_VALID_NA:
			break;
		}
		summ_note_append(note, len, buf);
	}
	return fail ? BENCH_VALID_FAIL : pass ? BENCH_VALID_PASS : BENCH_VALID_NA;
}

/* --- rows ----------------------------------------------------------------- */

/* The iterations of a metric: one number if every sample used the same. */
static uint64_t summ_iters(const struct summ_metric *m)
{
	for (size_t i = 1; i < m->n; i++)
		if (m->iters[i] != m->iters[0])
			return 0;
	return m->n ? m->iters[0] : 0;
}

static int summ_emit_config(const struct summ *s, const struct summ_config *c,
			    summ_row_fn fn, void *arg)
{
	char vnote[BENCH_NOTE_MAX], note[3 * BENCH_NOTE_MAX + 8];
	struct summ_row row = {
		.cfg = c->cfg, .status = c->status, .note = note, .between_cv_pct = NAN,
	};
	int rc = 0;

	row.valid = summ_validate(c, vnote, sizeof(vnote));
	snprintf(note, sizeof(note), "%s%s%s", c->note, c->note[0] && vnote[0] ? "; " : "", vnote);
	if (c->nm == 0) {
		/* Nothing measured (skipped, failed in setup, timed out before a
		 * sample): one ns_per_op row that says why. */
		row.metric = "ns_per_op";
		row.unit = "ns";
		row.s = (struct stats_summary){ .n = 0 };
		row.s.min = row.s.p50 = row.s.mean = row.s.p90 = row.s.p99 = row.s.max = NAN;
		row.s.stddev = row.s.mad = row.s.ci95_lo = row.s.ci95_hi = row.s.cv_pct = NAN;
		return fn(arg, &row);
	}
	for (size_t k = 0; rc == 0 && k < c->nm; k++) {
		const struct summ_metric *m = &c->m[k];

		rc = summ_metric_stats(m, s->rounds, &row.s, &row.rounds, &row.between_cv_pct);
		if (rc < 0)
			break;
		row.metric = m->name;
		row.unit = m->unit;
		row.iters = summ_iters(m);
		rc = fn(arg, &row);
	}
	return rc;
}

/* Configurations [lo, hi) of the plan are one variant's sweep at one
 * placement: fit ns_per_op (round medians) against x in MiB. */
static int summ_emit_fit(const struct summ *s, size_t lo, size_t hi, summ_row_fn fn, void *arg)
{
	size_t npts = hi - lo, nfit = 0, nx = 0;
	double *x = calloc(npts, sizeof(double)), *y = calloc(npts, sizeof(double));
	double *slope = calloc(s->rounds, sizeof(double));
	unsigned *sround = calloc(s->rounds, sizeof(unsigned));
	double b, a, lo_ci = NAN, hi_ci = NAN;
	char note[320];
	int rc = 0;

	if (!x || !y || !slope || !sround) {
		rc = -ENOMEM;
		goto out;
	}
	/* One slope per round, over the points measured in that round. */
	for (unsigned r = 1; r <= s->rounds; r++) {
		size_t k = 0;

		for (size_t i = lo; i < hi; i++) {
			const struct summ_config *c = &s->c[i];
			const struct summ_metric *m = summ_find(c, "ns_per_op");
			size_t a0, a1;

			if (c->status != RUN_OK || !m)
				continue;
			for (a0 = 0; a0 < m->n && m->round[a0] != r; a0++)
				;
			for (a1 = a0; a1 < m->n && m->round[a1] == r; a1++)
				;
			if (a1 == a0)
				continue;
			x[k] = c->cfg->x / (1024.0 * 1024.0);
			y[k++] = stats_median(m->v + a0, a1 - a0);
		}
		if (stats_slope(x, y, k, &b, &a) == 0) {
			slope[nfit] = b;
			sround[nfit++] = r;
		}
	}
	/* The estimate: the slope of the pooled per-point medians. */
	for (size_t i = lo; i < hi; i++) {
		const struct summ_config *c = &s->c[i];
		const struct summ_metric *m = summ_find(c, "ns_per_op");

		if (c->status != RUN_OK || !m || m->n == 0)
			continue;
		x[nx] = c->cfg->x / (1024.0 * 1024.0);
		y[nx++] = stats_median(m->v, m->n);
	}
	if (nfit == 0 || stats_slope(x, y, nx, &b, &a) < 0)
		goto out;
	stats_batch_ci(slope, nfit, b, 0.95, &lo_ci, &hi_ci);
	snprintf(note, sizeof(note),
		 "least-squares slope of per-point medians of ns_per_op vs %s in MiB over %zu points; "
		 "intercept %.4g ns; samples are per-round slopes; CI: batch t over %zu rounds",
		 s->c[lo].cfg->var->sweep, nx, a, nfit);
	{
		struct summ_row row = {
			.cfg = s->c[lo].cfg, .fit = true, .metric = "ns_per_mib", .unit = "ns/MiB",
			.rounds = (unsigned)nfit, .valid = BENCH_VALID_NA, .status = RUN_OK,
			.note = note, .fit_v = slope, .fit_round = sround, .fit_n = nfit,
		};
		double mean = stats_mean(slope, nfit);

		row.s = (struct stats_summary){ .n = nfit, .p50 = b, .mean = mean,
						.ci95_lo = lo_ci, .ci95_hi = hi_ci };
		row.s.min = row.s.p90 = row.s.p99 = row.s.max = row.s.mad = NAN;
		row.s.stddev = nfit >= 2 ? stats_stddev(slope, nfit) : NAN;
		row.s.cv_pct = NAN;
		row.between_cv_pct = nfit >= 2 && mean != 0 ? 100.0 * row.s.stddev / fabs(mean) : NAN;
		rc = fn(arg, &row);
	}
out:
	free(x);
	free(y);
	free(slope);
	free(sround);
	return rc;
}

static bool summ_same_group(const struct runner_config *a, const struct runner_config *b)
{
	return a->var == b->var && a->place.kind == b->place.kind;
}

int summ_emit(const struct summ *s, summ_row_fn fn, void *arg)
{
	int rc = 0;

	for (size_t i = 0, lo = 0; rc == 0 && i < s->n; i++) {
		const struct runner_config *c = s->c[i].cfg;

		if (i > 0 && !summ_same_group(s->c[i - 1].cfg, c))
			lo = i;
		if (s->c[i].visits)
			rc = summ_emit_config(s, &s->c[i], fn, arg);
		if (rc == 0 && (c->var->flags & BENCH_V_FIT_PER_MIB) &&
		    (i + 1 == s->n || !summ_same_group(s->c[i + 1].cfg, c)))
			rc = summ_emit_fit(s, lo, i + 1, fn, arg);
	}
	return rc;
}
