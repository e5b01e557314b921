/*
 * plan.c - which configurations run, in which order, and how much of the
 * budget each visit gets.
 *
 * Rounds: the run visits every configuration --rounds times, each round in
 * an order shuffled from --seed (Fisher-Yates on the recorded seed), so a
 * slow drift of the host (a neighbour, the frequency, the page allocator's
 * state) spreads over all configurations instead of landing on one, and
 * each visit is a fresh child (new physical pages, new scheduler state).
 * The samples of one visit share all of that; the visits do not, which is
 * why the statistics (summarise.c) take the round as the unit of evidence.
 * The configuration's budget and samples are split across its rounds.
 * Calibration is paid once: the first visit calibrates and reports its
 * iteration counts, later visits reuse them (one warm-up call each), so
 * every sample of a configuration has the same iteration count.  Costly
 * set-up (proc_create's and mm_alloc's 1 GiB fills) runs once per visit,
 * inside the visit's budget share, since a fresh child is the point of a
 * round; skipped, failed and timed-out configurations are not revisited.
 * (Filling memory, the one set-up that would multiply the suite's time,
 * is done once per round instead: prefill.c.)
 *
 * Budget: by default a sample lasts the configuration's budget divided
 * among all its samples, warm-ups and calibration calls over all rounds,
 * so that a configuration takes about --budget-ms (measure.c calibrates
 * to it).
 */
#include "visit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "registry.h"

/* Most sweep points of one variant a --quick run takes. */
#define RUNNER_QUICK_POINTS 4

/* Whether variant v runs at placement p under the options. */
static bool placement_allowed(const struct runner_opts *o, const struct bench_variant *v,
			      enum topo_placement p)
{
	bool pair = topo_placement_pair(p);

	if ((v->flags & BENCH_V_PAIR) ? (!pair && p != TOPO_UNPINNED) : (pair))
		return false;
	if (o->placements)
		return o->placements & (1u << p);
	/* Default: every pinned placement; unpinned only when asked, since
	 * it measures the scheduler's choice, not the primitive. */
	return p != TOPO_UNPINNED;
}

/*
 * Whether sweep point i of n runs.  --quick keeps at most RUNNER_QUICK_POINTS
 * points spread evenly by index, both ends included, so a quick run still
 * shows each curve's shape; a full run takes every point.
 */
static bool sweep_point_runs(const struct runner_opts *o, size_t i, size_t n)
{
	if (!o->quick || n <= RUNNER_QUICK_POINTS)
		return true;
	for (size_t k = 0; k < RUNNER_QUICK_POINTS; k++)
		if (i == (k * (n - 1) + (RUNNER_QUICK_POINTS - 1) / 2) / (RUNNER_QUICK_POINTS - 1))
			return true;
	return false;
}

/* A growable array of configurations. */
struct plan {
	struct runner_config *c;  /* entries */
	size_t len, cap;          /* used, allocated */
};

/* Append c to p.  0 or -ENOMEM. */
static int plan_add(struct plan *p, const struct runner_config *c)
{
	if (p->len == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct runner_config *g = realloc(p->c, cap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		p->c = g;
		p->cap = cap;
	}
	p->c[p->len++] = *c;
	return 0;
}

/* Every (sweep point, placement) of one variant. */
static int plan_variant(struct plan *p, const struct runner_opts *o, const struct topo *t,
			const struct bench_desc *d, const struct bench_variant *v)
{
	struct topo_place pl[TOPO_NPLACEMENTS];
	int npl = topo_placements(t, pl, TOPO_NPLACEMENTS);
	size_t nx = v->xs ? v->nx : 1;
	int rc = 0;

	if (v->flags & BENCH_V_PER_CPU) {
		/* One configuration per CPU of this host, pinned there. */
		if (o->placements && !(o->placements & (1u << TOPO_SINGLE)))
			return 0;
		for (int i = 0; rc == 0 && i < topo_npus(t); i++) {
			struct runner_config c = {
				.desc = d, .var = v, .has_x = true, .x = topo_cpu(t, i),
				.place = { .kind = TOPO_SINGLE, .cpu = { topo_cpu(t, i), -1 } },
			};

			rc = plan_add(p, &c);
		}
		return rc;
	}
	for (int k = 0; rc == 0 && k < npl; k++) {
		if (!placement_allowed(o, v, pl[k].kind))
			continue;
		for (size_t i = 0; rc == 0 && i < nx; i++) {
			struct runner_config c = {
				.desc = d, .var = v, .has_x = v->xs != NULL,
				.x = v->xs ? v->xs[i] : 0, .place = pl[k],
			};

			if (sweep_point_runs(o, i, nx))
				rc = plan_add(p, &c);
		}
	}
	return rc;
}

int runner_plan(const struct runner_opts *o, const struct topo *t,
		struct runner_config **out, size_t *n)
{
	struct plan p = { 0 };
	int rc = 0;

	for (size_t b = 0; rc == 0 && registry_benches[b]; b++) {
		const struct bench_desc *d = registry_benches[b];

		for (const struct bench_variant *v = d->variants; rc == 0 && v->name; v++) {
			char key[128];

			snprintf(key, sizeof(key), "%s/%s", d->name, v->name);
			if (o->filter && regexec(o->filter, key, 0, NULL, 0) != 0)
				continue;
			rc = plan_variant(&p, o, t, d, v);
		}
	}
	if (rc < 0) {
		free(p.c);
		return rc;
	}
	*out = p.c;
	*n = p.len;
	return 0;
}

/* --- the budget of one visit ------------------------------------------------ */

unsigned plan_per_visit(unsigned total, unsigned rounds)
{
	unsigned v = (total + rounds - 1) / rounds;

	return v ? v : 1;
}

unsigned plan_visit_reps(const struct runner_opts *o)
{
	return plan_per_visit(o->reps, o->rounds);
}

/* The counting pass has reps / RUNNER_COUNT_DIV samples over all rounds,
 * at least RUNNER_MIN_SAMPLES. */
unsigned plan_visit_count_reps(const struct runner_opts *o)
{
	unsigned total = o->reps / RUNNER_COUNT_DIV;

	return plan_per_visit(total < RUNNER_MIN_SAMPLES ? RUNNER_MIN_SAMPLES : total, o->rounds);
}

/* At least 100x the timer overhead (so the overhead is < 1% of it), and
 * at least --min-sample-ms, or by default the budget's share. */
double plan_sample_target_ns(const struct runner_opts *o, double overhead_ns)
{
	double floor_ns = 100.0 * (overhead_ns > 1 ? overhead_ns : 1);
	/* The budget covers, over all rounds, the timed samples, the counting
	 * samples, one warm-up call before each pass of each visit, and about
	 * four samples' worth of calibration in the first visit. */
	double slots = o->rounds * (plan_visit_reps(o) + plan_visit_count_reps(o) + 2.0) + 4.0;
	double want = o->min_sample_ms > 0 ? o->min_sample_ms * 1e6 : o->budget_ms * 1e6 / slots;

	return want > floor_ns ? want : floor_ns;
}

/* The calibrated share, or the default share before calibration (slow
 * operations only shrink it), plus the counting pass's. */
size_t plan_sample_cap(const struct runner_opts *o, const struct runner_cal *cal)
{
	size_t timed = cal->known ? cal->reps : plan_visit_reps(o);
	size_t counted = cal->known ? cal->count_reps : plan_visit_count_reps(o);

	return (timed > counted ? timed : counted) + 8;
}


/* The visiting order of one round: a Fisher-Yates shuffle of 0..n-1. */
void plan_round_order(size_t *order, size_t n, struct stats_rng *rng)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(stats_rng_next(rng) % i);
		size_t tmp = order[i - 1];

		order[i - 1] = order[j];
		order[j] = tmp;
	}
}
