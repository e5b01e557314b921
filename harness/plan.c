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
 * Selection: --filter matches "bench/variant"; --x narrows to variants
 * that sweep a parameter it names, at the points it lists; --placement to
 * the placements it lists that this host offers.  What was asked for and
 * cannot run is told on stderr, a reason a line (runner_plan's say), and
 * the rest runs: only an empty plan is an error (main.c).
 *
 * Budget: by default a sample lasts the configuration's budget divided
 * among all its samples, warm-ups and calibration calls over all rounds,
 * so that a configuration takes about --budget-ms (measure.c calibrates
 * to it).
 */
#include "visit.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

/* Most sweep points of one variant a --quick run takes. */
#define RUNNER_QUICK_POINTS 3

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

/* The --x entry for variant v's sweep, NULL when none names it (or v has
 * no list of points to choose from: a per-CPU sweep is the host's CPUs). */
static const struct runner_xsel *plan_xsel(const struct runner_opts *o,
					   const struct bench_variant *v)
{
	if (!v->sweep || !v->xs || (v->flags & BENCH_V_PER_CPU))
		return NULL;
	for (size_t i = 0; i < o->nxsel; i++)
		if (strcmp(o->xsel[i].sweep, v->sweep) == 0)
			return &o->xsel[i];
	return NULL;
}

/* Whether x is one of the values of s. */
static bool plan_xsel_has(const struct runner_xsel *s, double x)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == x)
			return true;
	return false;
}

/* Whether x is a sweep point of v. */
static bool plan_variant_has(const struct bench_variant *v, double x)
{
	for (size_t i = 0; i < v->nx; i++)
		if (v->xs[i] == x)
			return true;
	return false;
}

/* Whether --filter matches "bench/variant". */
static bool plan_matches(const struct runner_opts *o, const struct bench_desc *d,
			 const struct bench_variant *v)
{
	char key[128];

	if (!o->filter)
		return true;
	snprintf(key, sizeof(key), "%s/%s", d->name, v->name);
	return regexec(o->filter, key, 0, NULL, 0) == 0;
}

/* Whether the variant is selected: --filter matches it and, with --x, it
 * sweeps a parameter --x names. */
static bool plan_selected(const struct runner_opts *o, const struct bench_desc *d,
			  const struct bench_variant *v)
{
	return plan_matches(o, d, v) && (o->nxsel == 0 || plan_xsel(o, v) != NULL);
}

/* Every (sweep point, placement) of one variant. */
static int plan_variant(struct plan *p, const struct runner_opts *o, const struct topo *t,
			const struct bench_desc *d, const struct bench_variant *v)
{
	struct topo_place pl[TOPO_NPLACEMENTS];
	int npl = topo_placements(t, pl, TOPO_NPLACEMENTS);
	size_t nx = v->xs ? v->nx : 1;
	/* The points a --quick run chooses from. */
	size_t qnx = o->quick && v->quick_nx && v->quick_nx < nx ? v->quick_nx : nx;
	const struct runner_xsel *xs = plan_xsel(o, v);
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

			/* The points --x asks for run, --quick or not. */
			if (xs ? plan_xsel_has(xs, c.x) : i < qnx && sweep_point_runs(o, i, qnx))
				rc = plan_add(p, &c);
		}
	}
	return rc;
}

/* --- saying what was left out ----------------------------------------------- */

/* Append to the string in buf (len bytes); what does not fit is cut,
 * ending in "...". */
static void plan_cat(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void plan_cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int w;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (w >= 0 && (size_t)w >= len - used && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

bool runner_sweep_is_bytes(const char *sweep)
{
	size_t n = strlen(sweep);

	return n >= 6 && strcmp(sweep + n - 6, "_bytes") == 0;
}

void runner_format_x(const char *sweep, double x, char *buf, size_t len)
{
	static const struct { const char *name; double size; } unit[] = {
		{ "GiB", 1073741824.0 }, { "MiB", 1048576.0 }, { "KiB", 1024.0 },
	};

	if (runner_sweep_is_bytes(sweep) && x > 0)
		for (size_t i = 0; i < sizeof(unit) / sizeof(unit[0]); i++)
			if (fmod(x, unit[i].size) == 0) {
				snprintf(buf, len, "%.0f%s", x / unit[i].size, unit[i].name);
				return;
			}
	snprintf(buf, len, "%.15g", x);
}

/* Why a selected variant has nothing planned, for plan_say. */
enum plan_why {
	PLAN_RAN = 0,        /* planned, not selected, or left without a --x point */
	PLAN_ONE_WORKER,     /* one worker; --placement names neither single nor unpinned */
	PLAN_PER_CPU,        /* one worker on every CPU; --placement does not name single */
	PLAN_TWO_WORKERS,    /* two workers; --placement names no two-worker placement offered */
	PLAN_NO_SWEEP,       /* --filter matches it, but it sweeps nothing --x names */
	PLAN_NWHY
};

/* Append to buf the variants whose mark (one per variant, in registry
 * order) is why: a family by its name when every variant of it is marked
 * so, else each as "bench/variant". */
static void plan_names(char *buf, size_t len, const unsigned char *mark, unsigned char why)
{
	size_t k = 0;
	bool first = true;

	for (size_t b = 0; registry_benches[b]; b++) {
		const struct bench_desc *d = registry_benches[b];
		size_t k0 = k, all = 0, hit = 0;

		for (const struct bench_variant *v = d->variants; v->name; v++, k++) {
			all++;
			hit += mark[k] == why;
		}
		for (const struct bench_variant *v = d->variants; hit && v->name; v++, k0++) {
			if (hit == all) {
				plan_cat(buf, len, "%s%s", first ? "" : ", ", d->name);
				first = false;
				break;
			}
			if (mark[k0] == why) {
				plan_cat(buf, len, "%s%s/%s", first ? "" : ", ", d->name, v->name);
				first = false;
			}
		}
	}
}

/* The placements o asks for that the plan does not use (used: mask of
 * the planned ones), each with its reason, to say. */
static void plan_say_placements(const struct runner_opts *o, const struct topo *t,
				uint32_t used, size_t nplanned, runner_say_fn say, void *arg)
{
	struct topo_place pl[TOPO_NPLACEMENTS];
	int npl = topo_placements(t, pl, TOPO_NPLACEMENTS);
	uint32_t offered = 0;
	bool sel_pair = false, sel_one = false, sel_unpinned = false;
	char line[512];

	for (int i = 0; i < npl; i++)
		offered |= 1u << pl[i].kind;
	for (size_t b = 0; registry_benches[b]; b++)
		for (const struct bench_variant *v = registry_benches[b]->variants; v->name; v++) {
			if (!plan_selected(o, registry_benches[b], v))
				continue;
			sel_pair |= (v->flags & BENCH_V_PAIR) != 0;
			sel_one |= !(v->flags & BENCH_V_PAIR);
			sel_unpinned |= !(v->flags & BENCH_V_PER_CPU);
		}
	for (int p = 0; p < TOPO_NPLACEMENTS; p++) {
		const char *name = topo_placement_name((enum topo_placement)p);

		if (!(o->placements & (1u << p)) || (used & (1u << p)))
			continue;
		line[0] = 0;
		if (!(offered & (1u << p))) {
			plan_cat(line, sizeof(line), "--placement %s: this host does not offer it", name);
			if (p == TOPO_CROSS_NUMA || p == TOPO_CROSS_PACKAGE) {
				int n = p == TOPO_CROSS_NUMA ? topo_numa_nodes(t) : topo_npackages(t);

				plan_cat(line, sizeof(line), " (%d %s%s)", n,
					 p == TOPO_CROSS_NUMA ? "NUMA node" : "package", n == 1 ? "" : "s");
			}
			plan_cat(line, sizeof(line), "; left out (this host offers");
			for (int i = 0; i < npl; i++)
				plan_cat(line, sizeof(line), "%s %s", i ? "," : "",
					 topo_placement_name(pl[i].kind));
			plan_cat(line, sizeof(line), ")");
		} else if (nplanned == 0) {
			/* Nothing runs at all: the lines on the variants say why. */
			continue;
		} else if (p == TOPO_UNPINNED && !sel_unpinned) {
			plan_cat(line, sizeof(line), "--placement unpinned: no selected variant runs "
				 "unpinned (a per-CPU variant is pinned); left out");
		} else if (topo_placement_pair((enum topo_placement)p) && !sel_pair) {
			plan_cat(line, sizeof(line), "--placement %s: no selected variant has two "
				 "workers; left out", name);
		} else if (p == TOPO_SINGLE && !sel_one) {
			plan_cat(line, sizeof(line), "--placement single: no selected variant has one "
				 "worker; left out");
		} else {
			/* Its variants lost all their points to --x: told with the points. */
			continue;
		}
		say(arg, line);
	}
}

/* Tell the reasons for what o asked and the plan left out (runner_plan's
 * contract).  used: mask of the placements planned; mark: enum plan_why
 * per variant (nvar); nplanned: configurations planned.  -ENOMEM or 0. */
static int plan_say(const struct runner_opts *o, const struct topo *t, uint32_t used,
		    const unsigned char *mark, size_t nvar, size_t nplanned,
		    runner_say_fn say, void *arg)
{
	static const char *const why_text[PLAN_NWHY] = {
		[PLAN_ONE_WORKER] = "one worker: runs only at single or unpinned, and "
				    "--placement names neither",
		[PLAN_PER_CPU] = "one worker on every CPU: runs only at single, and "
				 "--placement does not name it",
		[PLAN_TWO_WORKERS] = "two workers: runs only at two-worker placements, and "
				     "--placement names none that this host offers",
		[PLAN_NO_SWEEP] = "--filter matches it, but it sweeps nothing --x names",
	};
	unsigned char *miss;
	char line[1024];

	if (o->placements)
		plan_say_placements(o, t, used, nplanned, say, arg);
	for (unsigned why = PLAN_ONE_WORKER; why < PLAN_NWHY; why++) {
		bool any = false;

		for (size_t k = 0; k < nvar; k++)
			any |= mark[k] == why;
		if (!any)
			continue;
		snprintf(line, sizeof(line), "left out ");
		plan_names(line, sizeof(line), mark, (unsigned char)why);
		plan_cat(line, sizeof(line), " (%s)", why_text[why]);
		say(arg, line);
	}
	miss = malloc(nvar ? nvar : 1);
	if (!miss)
		return -ENOMEM;
	for (size_t s = 0; s < o->nxsel; s++) {
		const struct runner_xsel *xs = &o->xsel[s];

		for (size_t i = 0; i < xs->n; i++) {
			char shown[32];
			bool any = false;
			size_t k = 0;

			memset(miss, 0, nvar);
			for (size_t b = 0; registry_benches[b]; b++)
				for (const struct bench_variant *v = registry_benches[b]->variants;
				     v->name; v++, k++)
					if (plan_selected(o, registry_benches[b], v) &&
					    plan_xsel(o, v) == xs && !plan_variant_has(v, xs->v[i])) {
						miss[k] = 1;
						any = true;
					}
			if (!any)
				continue;
			runner_format_x(xs->sweep, xs->v[i], shown, sizeof(shown));
			snprintf(line, sizeof(line), "--x %s=%s: not a point of ", xs->sweep, shown);
			plan_names(line, sizeof(line), miss, 1);
			plan_cat(line, sizeof(line), "; left out there");
			say(arg, line);
		}
	}
	free(miss);
	return 0;
}

int runner_plan(const struct runner_opts *o, const struct topo *t,
		struct runner_config **out, size_t *n, runner_say_fn say, void *arg)
{
	struct plan p = { 0 };
	unsigned char *mark;
	size_t nvar = 0, k = 0;
	uint32_t used = 0;
	int rc = 0;

	for (size_t b = 0; registry_benches[b]; b++)
		for (const struct bench_variant *v = registry_benches[b]->variants; v->name; v++)
			nvar++;
	/* One enum plan_why per variant, in registry order. */
	mark = calloc(nvar ? nvar : 1, 1);
	if (!mark)
		return -ENOMEM;
	for (size_t b = 0; rc == 0 && registry_benches[b]; b++) {
		const struct bench_desc *d = registry_benches[b];

		for (const struct bench_variant *v = d->variants; rc == 0 && v->name; v++, k++) {
			const struct runner_xsel *xs = plan_xsel(o, v);
			size_t before = p.len;
			bool has_point = !xs;

			if (!plan_selected(o, d, v)) {
				/* Told only when a --filter chose it: without
				 * one, --x alone says which variants run. */
				if (o->filter && plan_matches(o, d, v))
					mark[k] = PLAN_NO_SWEEP;
				continue;
			}
			rc = plan_variant(&p, o, t, d, v);
			for (size_t i = before; i < p.len; i++)
				used |= 1u << p.c[i].place.kind;
			for (size_t i = 0; xs && i < xs->n; i++)
				has_point |= plan_variant_has(v, xs->v[i]);
			/* A variant that --x leaves without a point is told
			 * of with that point; one that --placement leaves
			 * without a placement is marked here. */
			if (rc == 0 && p.len == before && has_point && o->placements)
				mark[k] = (v->flags & BENCH_V_PER_CPU) ? PLAN_PER_CPU
					  : (v->flags & BENCH_V_PAIR) ? PLAN_TWO_WORKERS
					  : PLAN_ONE_WORKER;
		}
	}
	if (rc == 0 && say)
		rc = plan_say(o, t, used, mark, nvar, p.len, say, arg);
	free(mark);
	if (rc < 0) {
		free(p.c);
		return rc;
	}
	*out = p.c;
	*n = p.len;
	return 0;
}

/* Insert x into the ascending, duplicate-free list pts (*n of at most
 * max; a point past max is dropped: the message then lists fewer). */
static void plan_point_add(double *pts, size_t *n, size_t max, double x)
{
	size_t i = 0;

	while (i < *n && pts[i] < x)
		i++;
	if ((i < *n && pts[i] == x) || *n == max)
		return;
	memmove(pts + i + 1, pts + i, (*n - i) * sizeof(*pts));
	pts[i] = x;
	(*n)++;
}

int runner_check_points(const struct runner_opts *o, char *err, size_t len)
{
	for (size_t s = 0; s < o->nxsel; s++) {
		const struct runner_xsel *xs = &o->xsel[s];
		double pts[64];
		size_t npts = 0;
		char shown[32], sweeps[256] = "";
		bool any = false;

		for (size_t b = 0; registry_benches[b]; b++)
			for (const struct bench_variant *v = registry_benches[b]->variants; v->name; v++) {
				char item[BENCH_NAME_MAX + 2];

				if (!plan_matches(o, registry_benches[b], v) || !v->xs ||
				    (v->flags & BENCH_V_PER_CPU))
					continue;
				if (strcmp(v->sweep, xs->sweep) != 0) {
					/* A list of the other sweeps, each once. */
					snprintf(item, sizeof(item), " %s,", v->sweep);
					if (!strstr(sweeps, item))
						plan_cat(sweeps, sizeof(sweeps), "%s", item);
					continue;
				}
				any = true;
				for (size_t i = 0; i < v->nx; i++)
					plan_point_add(pts, &npts, sizeof(pts) / sizeof(pts[0]), v->xs[i]);
			}
		if (!any) {
			size_t sl = strlen(sweeps);

			if (sl && sweeps[sl - 1] == ',')
				sweeps[sl - 1] = 0;
			snprintf(err, len, "--x %s: no variant %ssweeps %s (%s%s)", xs->sweep,
				 o->filter ? "that --filter selects " : "", xs->sweep,
				 sweeps[0] ? "sweeps there:" : "they sweep nothing", sweeps);
			return -EINVAL;
		}
		for (size_t i = 0; i < xs->n; i++) {
			bool found = false;

			for (size_t j = 0; j < npts; j++)
				found |= pts[j] == xs->v[i];
			if (found)
				continue;
			runner_format_x(xs->sweep, xs->v[i], shown, sizeof(shown));
			snprintf(err, len, "--x %s=%s: not a sweep point of the selected variants "
				 "(their %s points:", xs->sweep, shown, xs->sweep);
			for (size_t j = 0; j < npts; j++) {
				runner_format_x(xs->sweep, pts[j], shown, sizeof(shown));
				plan_cat(err, len, "%s %s", j ? "," : "", shown);
			}
			plan_cat(err, len, ")");
			return -EINVAL;
		}
	}
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
	 * samples, one warm-up call in each visit (before the timed pass; the
	 * counting pass follows it warm), and about four samples' worth of
	 * calibration in the first visit. */
	double slots = o->rounds * (plan_visit_reps(o) + plan_visit_count_reps(o) + 1.0) + 4.0;
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
