/*
 * runner.c - warm-up, calibration, samples, watchdog, child isolation.
 *
 * Every configuration runs in a fresh supervising child:
 *   - the child is the leader of its own process group, so the watchdog can
 *     kill it and every worker it forked with one kill(-pgid);
 *   - it dies with primbench (PR_SET_PDEATHSIG SIGTERM); its SIGTERM handler
 *     removes the configuration's tracked IPC objects and kills its group;
 *   - it pins itself as worker 0, opens the counters, runs setup, warms up,
 *     calibrates, takes the samples and streams each one to primbench over
 *     a pipe (records < PIPE_BUF, so each write is atomic), then tears down.
 * primbench waits on the pipe with the configuration's deadline.  A child
 * that overruns it is killed (status timeout); one that dies is a failure.
 * Either way the samples already received are kept, the tracked objects
 * are removed, and the suite goes on.
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
 * Filling memory is the one set-up that would multiply the suite's time:
 * proc_create writes up to 1 GiB (about a second here) before it can fork
 * with that RSS.  Its variants ask (BENCH_V_PREFILL) for the runner to fill
 * each size once per run, pinned to worker 0's CPU so the pages come from
 * its node, and keep it with MADV_DONTFORK; for the visits that want it,
 * the region is switched to MADV_DOFORK around the fork of the supervising
 * child, which so inherits it copy-on-write (a PTE copy, ~40 ms per GiB,
 * instead of the fill).  The child's pages are then shared with primbench
 * and write-protected - the state a process's pages are in after its first
 * fork anyway, which is the state the fork benchmarks measure after their
 * warm-up.
 *
 * Layout: every visit is a fork of the same primbench, and ASLR happens at
 * exec, so without more every visit of a run would see one virtual layout
 * and the next run another.  Costs that depend on where a mapping lands
 * (mm_alloc's 1 GiB brk and mmap swapped 5.5 and 13 us between two runs
 * here, consistently over all rounds of each) would then be run-level
 * effects, invisible to the rounds and called changes by compare.  So each
 * visit first shifts its mmap base and its break by a random 0..1 GiB
 * (an inaccessible reservation and an untouched sbrk, seeded from --seed):
 * where mappings land varies between rounds, where the statistics see it.
 * Skipped under an RLIMIT_AS or RLIMIT_DATA, whose room the benchmark needs.
 *
 * Calibration: a sample must last at least 100x the timer overhead (so the
 * overhead is < 1% of it) and at least the --min-sample-ms floor; by default
 * the floor is the configuration's budget divided among its samples, so a
 * configuration takes about --budget-ms.  Iterations double (or jump by the
 * measured ratio) until a run() call lasts that long - its whole wall time,
 * even when the benchmark times a narrower window, since the budget is wall
 * time.  An operation too slow for the budget runs once per sample, with
 * fewer samples (never fewer than
 * RUNNER_MIN_SAMPLES, the least a comparison will judge).
 *
 * Two passes: the timed samples run with no counter open, then a shorter
 * counting pass (RUNNER_COUNT_DIV times fewer samples, at least
 * RUNNER_MIN_SAMPLES) runs with the requested counters open, its
 * iterations re-calibrated (count_iters()).  Why: an open
 * perf event is saved and restored on every context switch of the thread;
 * measured on a KVM guest with a virtual PMU, a same-CPU futex round trip
 * (two switches) took 5.7 us with no event open, 8.2 us with one software
 * event per thread, 40.6 us with one hardware event per thread and about
 * 165 us with every counter primbench opens.  Counting in its own pass
 * keeps every time free of that cost; counter metrics (and the checks built
 * on them) come from the counting pass only.
 *
 * Timing: one clock read before run() and one after; the median cost of a
 * read pair (clock.c) is subtracted once.  A benchmark may narrow the
 * window (bench_window_begin/end) or supply wall time measured elsewhere
 * (bench_add_elapsed_ns); counters follow the same window.
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ctx.h"
#include "registry.h"
#include "stats.h"

/* The fewest samples a configuration may end with, over all rounds. */
#define RUNNER_MIN_SAMPLES 5
/* How long a killed configuration may take to die. */
#define RUNNER_REAP_S 10
/* Most sweep points of one variant a --quick run takes. */
#define RUNNER_QUICK_POINTS 4
/* The counting pass takes reps / RUNNER_COUNT_DIV samples. */
#define RUNNER_COUNT_DIV 3
/* A call at least this long is its own warm-up: cold caches and first
 * faults cost microseconds, under 0.1% of it, so later visits of such a
 * configuration take no extra warm-up call (a 1 GiB touched mm_alloc
 * point costs ~0.7 s a call here). */
#define RUNNER_SELF_WARM_NS 10e6
/* Each visit shifts its mmap base and break by up to this (see the top). */
#define RUNNER_LAYOUT_SPAN (1ull << 30)
/* Calibration stops growing iterations past this. */
#define RUNNER_MAX_ITERS (1ull << 40)

/* Records from the supervising child. */
enum msg_type { MSG_SAMPLE = 1, MSG_COUNT = 2, MSG_DONE = 3 };

/* One sample: timed (MSG_SAMPLE, counters NAN) or counted (MSG_COUNT). */
struct msg_sample {
	uint32_t type;                      /* MSG_SAMPLE or MSG_COUNT */
	uint32_t multiplexed;               /* counters were multiplexed */
	uint64_t iters;                     /* iterations asked */
	uint64_t ops;                       /* operations done */
	uint64_t bytes;                     /* bytes moved, 0 if not reported */
	double elapsed_ns;                  /* timed window, overhead subtracted */
	double wall_ns;                     /* the whole run() call (calibration) */
	double count[PMU_NEVENTS];          /* counter deltas, NAN if unmeasured */
	double extra[BENCH_MAX_EXTRA];      /* extra metrics, NAN if none */
};

/* End of a configuration. */
struct msg_done {
	uint32_t type;                      /* MSG_DONE */
	int32_t rc;                         /* 0 or -errno */
	int32_t status;                     /* enum ctx_status */
	uint32_t pmu_mode;                  /* enum pmu_mode */
	uint32_t nextra;                    /* extra metric names below */
	uint32_t pin_ok;                    /* worker 0 stayed on its CPU */
	uint32_t reps;                      /* timed samples this visit took */
	uint32_t count_reps;                /* counting samples this visit took */
	uint64_t iters;                     /* iterations per timed sample */
	uint64_t count_iters;               /* iterations per counting sample */
	double call_ns;                     /* wall time of one call at iters */
	char extra_name[BENCH_MAX_EXTRA][BENCH_NAME_MAX]; /* names */
	char extra_unit[BENCH_MAX_EXTRA][BENCH_NAME_MAX]; /* units */
	char note[BENCH_NOTE_MAX];          /* skip/failure reason or note */
};

_Static_assert(sizeof(struct msg_done) < 4096, "records must fit PIPE_BUF");
_Static_assert(sizeof(struct msg_sample) < 4096, "records must fit PIPE_BUF");

/* What the first visit of a configuration learnt, for the later ones. */
struct runner_cal {
	bool known;             /* a visit calibrated: later visits reuse it */
	bool done;              /* skipped, failed or timed out: not revisited */
	uint64_t iters;         /* iterations per timed sample */
	uint64_t count_iters;   /* iterations per counting sample */
	unsigned reps;          /* timed samples per visit */
	unsigned count_reps;    /* counting samples per visit */
	double call_ns;         /* wall time of one call at iters */
};

/* Most BENCH_V_PREFILL regions a run keeps (sizes x CPUs). */
#define RUNNER_MAX_PREFILL 16
/* Memory a prefill leaves free for everything else. */
#define RUNNER_PREFILL_MARGIN_BYTES (256ul << 20)
/* Populate in steps so a stop signal is seen between them. */
#define RUNNER_PREFILL_STEP (64ul << 20)

/* One filled region (BENCH_V_PREFILL), kept for the whole run. */
struct runner_prefill {
	size_t bytes;           /* its length */
	int cpu;                /* the CPU it was filled on */
	void *p;                /* the mapping; NULL: could not be had */
};

/* Signal that stopped the run (0: none); the running child's pid;
 * nanoseconds primbench spent stopped by SIGTSTP (the watchdog does not
 * count them). */
static volatile sig_atomic_t stop_signal;
static volatile pid_t current_child;
static volatile long long paused_ns;

/* --- planning ------------------------------------------------------------- */

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

/* --- the supervising child ---------------------------------------------------- */

/* SIGTERM in the child (PDEATHSIG when primbench dies, or primbench's own
 * stop): remove tracked objects, then kill the whole group, us included. */
static void child_on_term(int sig)
{
	(void)sig;
	ctx_registry_sweep(false);
	kill(0, SIGKILL);
	_exit(128 + SIGTERM);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* One timed run() call: fills msg (elapsed, ops, counters, extras). */
static int measure(struct bench_ctx *ctx, void *state, uint64_t iters, struct msg_sample *m)
{
	struct pmu_reading r0, r1;
	uint32_t avail = pmu_group_available(ctx->pmu);
	uint64_t t0, t1;
	int rc;

	ctx_sample_reset(ctx);
	pmu_group_read(ctx->pmu, &r0);
	t0 = clock_now_ns();
	rc = ctx->desc->run(ctx, state, iters);
	t1 = clock_now_ns();
	pmu_group_read(ctx->pmu, &r1);
	if (rc < 0)
		return rc;

	memset(m, 0, sizeof(*m));
	m->type = MSG_SAMPLE;
	m->iters = iters;
	m->ops = ctx->s.ops_set ? ctx->s.ops : iters;
	m->bytes = ctx->s.bytes;
	m->wall_ns = (double)(t1 - t0);
	if (ctx->s.elapsed_set)
		m->elapsed_ns = ctx->s.elapsed_ns;
	else if (ctx->s.windows)
		m->elapsed_ns = ctx->s.win_ns;
	else
		m->elapsed_ns = (double)(t1 - t0) - ctx->overhead_ns;
	if (m->elapsed_ns < 0)
		m->elapsed_ns = 0;
	for (int e = 0; e < PMU_NEVENTS; e++) {
		bool have = (avail & (1u << e)) && !ctx->s.counts_elsewhere;

		/* A delta that is not a measurement (a counter never
		 * scheduled) is NAN: the metric is then left out of this
		 * visit rather than written as 0. */
		if (have)
			m->count[e] = ctx->s.windows ? ctx->s.win_count[e]
						     : pmu_reading_delta(&r0, &r1, e, NULL, 0);
		else
			m->count[e] = (ctx->s.add_mask & (1u << e)) ? 0 : NAN;
		if (ctx->s.add_mask & (1u << e))
			m->count[e] += ctx->s.add_count[e];
	}
	m->multiplexed = ctx->s.windows ? ctx->s.win_multiplexed
					: pmu_reading_multiplexed(&r0, &r1, avail);
	for (unsigned i = 0; i < BENCH_MAX_EXTRA; i++)
		m->extra[i] = ctx->s.extra_n[i] ? ctx->s.extra_sum[i] / ctx->s.extra_n[i] : NAN;
	return 0;
}

/* ceil(total / rounds), at least 1: a share of samples for one visit. */
static unsigned per_visit(unsigned total, unsigned rounds)
{
	unsigned v = (total + rounds - 1) / rounds;

	return v ? v : 1;
}

/* Timed samples one visit takes. */
static unsigned visit_reps(const struct runner_opts *o)
{
	return per_visit(o->reps, o->rounds);
}

/* Counting samples one visit takes: the counting pass has reps /
 * RUNNER_COUNT_DIV samples over all rounds, at least RUNNER_MIN_SAMPLES. */
static unsigned visit_count_reps(const struct runner_opts *o)
{
	unsigned total = o->reps / RUNNER_COUNT_DIV;

	return per_visit(total < RUNNER_MIN_SAMPLES ? RUNNER_MIN_SAMPLES : total, o->rounds);
}

/* How long one sample should last. */
static double sample_target_ns(const struct runner_opts *o, double overhead_ns)
{
	double floor_ns = 100.0 * (overhead_ns > 1 ? overhead_ns : 1);
	/* The budget covers, over all rounds, the timed samples, the counting
	 * samples, one warm-up call before each pass of each visit, and about
	 * four samples' worth of calibration in the first visit. */
	double slots = o->rounds * (visit_reps(o) + visit_count_reps(o) + 2.0) + 4.0;
	double want = o->min_sample_ms > 0 ? o->min_sample_ms * 1e6 : o->budget_ms * 1e6 / slots;

	return want > floor_ns ? want : floor_ns;
}

/*
 * Find the iterations whose run() call lasts about target: grow from *itp
 * until a call lasts at least target, then come back down while a call
 * lasts more than twice that - the cost per iteration need not be linear
 * in iters (a ring buffer absorbs a short burst without waking its reader;
 * a long one makes the writer wait), so a big jump can overshoot.  *m holds
 * the last measurement.  0 or -errno.
 */
static int fit_iters(struct bench_ctx *ctx, void *state, double target, uint64_t *itp,
		     struct msg_sample *m)
{
	uint64_t it = *itp;
	int rc;

	for (;;) {
		double grow;

		rc = measure(ctx, state, it, m);
		if (rc < 0)
			return rc;
		if (m->wall_ns >= target || it >= RUNNER_MAX_ITERS)
			break;
		grow = m->wall_ns > 0 ? 1.3 * target / m->wall_ns : 1000;
		if (grow < 2)
			grow = 2;
		if (grow > 1000)
			grow = 1000;
		it = (uint64_t)((double)it * grow);
	}
	for (int k = 0; k < 4 && it > 1 && m->wall_ns > 2 * target; k++) {
		double shrunk = (double)it * target / m->wall_ns;

		it = shrunk < 1 ? 1 : (uint64_t)shrunk;
		rc = measure(ctx, state, it, m);
		if (rc < 0)
			return rc;
	}
	*itp = it;
	return 0;
}

/* Warm up and calibrate in the first visit: returns iterations per sample
 * (>= 1) in *iters, how many timed and counting samples per visit fit the
 * budget in *reps and *count_reps, and one call's wall time in *call_ns. */
static int calibrate(const struct runner_opts *o, struct bench_ctx *ctx, void *state,
		     uint64_t *iters, unsigned *reps, unsigned *count_reps, double *call_ns)
{
	struct msg_sample m;
	uint64_t it = 1;
	int rc;

	/* The first call pays for cold caches, page faults and lazy binding. */
	rc = measure(ctx, state, 1, &m);
	if (rc == 0)
		rc = fit_iters(ctx, state, sample_target_ns(o, ctx->overhead_ns), &it, &m);
	if (rc < 0)
		return rc;
	*iters = it;
	*reps = visit_reps(o);
	*count_reps = visit_count_reps(o);
	*call_ns = m.wall_ns;
	/* A slow operation: fewer samples, so the configuration stays near
	 * its budget - but never fewer than RUNNER_MIN_SAMPLES over all
	 * rounds, in each pass. */
	if (it == 1 && m.wall_ns > 0) {
		double fit = o->budget_ms * 1e6 / o->rounds / m.wall_ns * RUNNER_COUNT_DIV /
			     (RUNNER_COUNT_DIV + 1);
		unsigned least = per_visit(RUNNER_MIN_SAMPLES, o->rounds);

		if (fit < *reps) {
			*reps = fit < least ? least : (unsigned)fit;
			*count_reps = least;
		}
	}
	return 0;
}

/* Take reps samples of iters iterations and stream them as records of
 * the given type.  0 or the first error. */
static int take_samples(struct bench_ctx *ctx, void *state, uint64_t iters, unsigned reps,
			uint32_t type, int fd)
{
	int rc = 0;

	for (unsigned k = 0; rc == 0 && k < reps; k++) {
		struct msg_sample m;

		rc = measure(ctx, state, iters, &m);
		if (rc < 0)
			break;
		m.type = type;
		if (type == MSG_SAMPLE)
			for (int e = 0; e < PMU_NEVENTS; e++)
				m.count[e] = NAN;
		rc = write_all(fd, &m, sizeof(m));
	}
	return rc;
}

/*
 * Iterations for the counting pass.  With counters open an operation can
 * be far slower (the per-switch PMU cost above), so the timed pass's count
 * could overrun the budget many times: start from 1/32 of it and fit again.
 * Counts are reported per operation, so the iteration count does not change
 * them.  0 or -errno.
 */
static int count_iters(const struct runner_opts *o, struct bench_ctx *ctx, void *state,
		       uint64_t *iters)
{
	struct msg_sample m;

	*iters = *iters / 32 ? *iters / 32 : 1;
	return fit_iters(ctx, state, sample_target_ns(o, ctx->overhead_ns), iters, &m);
}

/*
 * The supervising child: pin, set up, then the timed pass and the counting
 * pass.  The first visit of a configuration (cal->known false) calibrates;
 * later visits take cal's iteration and sample counts, each pass after one
 * warm-up call at its count.  What it used goes back in MSG_DONE.
 */
/* Shift this visit's mmap base and break by random page counts below
 * RUNNER_LAYOUT_SPAN (see the top); nothing under an address-space or data
 * limit.  Failures leave the layout as it was. */
static void shift_layout(uint64_t seed)
{
	struct rlimit as, data;
	struct stats_rng rng;
	uint64_t pages = RUNNER_LAYOUT_SPAN / 4096;

	if (getrlimit(RLIMIT_AS, &as) < 0 || as.rlim_cur != RLIM_INFINITY ||
	    getrlimit(RLIMIT_DATA, &data) < 0 || data.rlim_cur != RLIM_INFINITY)
		return;
	stats_rng_seed(&rng, seed);
	mmap(NULL, (size_t)(stats_rng_next(&rng) % pages + 1) * 4096, PROT_NONE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	sbrk((intptr_t)((stats_rng_next(&rng) % pages) * 4096));
}

static void child_main(const struct runner_opts *o, const struct topo *t,
		       const struct runner_config *c, const struct runner_cal *cal,
		       const struct runner_prefill *pf, uint64_t layout_seed, int fd)
{
	struct pmu_group pmu;
	struct bench_ctx ctx = {
		.desc = c->desc, .var = c->var, .x = c->x, .place = c->place,
		.topo = t, .quick = o->quick, .pmu = &pmu,
		.overhead_ns = clock_info()->overhead_ns,
		.prefill = pf ? pf->p : NULL, .prefill_len = pf ? pf->bytes : 0,
	};
	struct msg_done done = { .type = MSG_DONE, .pin_ok = 1 };
	const char *inj = getenv("PRIMBENCH_INJECT");
	struct msg_sample m;
	void *state = NULL;
	uint64_t iters = cal->iters, count_it = cal->count_iters;
	unsigned reps = cal->reps, count_reps = cal->count_reps;
	double call_ns = cal->call_ns;
	/* A later visit of a configuration whose call is its own warm-up. */
	bool warm = cal->known && call_ns >= RUNNER_SELF_WARM_NS;
	int rc;

	/* Fault injection for tests: "<bench>:<what>". */
	if (inj && strncmp(inj, c->desc->name, strlen(c->desc->name)) == 0 &&
	    inj[strlen(c->desc->name)] == ':')
		ctx.inject = inj + strlen(c->desc->name) + 1;

	/* Pin before setup: memory the benchmark allocates then comes from
	 * worker 0's NUMA node. */
	shift_layout(layout_seed);
	pmu_group_open(&pmu, 0);
	rc = bench_pin(&ctx, 0);
	if (rc < 0) {
		bench_fail(&ctx, rc, "cannot pin worker 0 to CPU %d: %s",
			   c->place.cpu[0], strerror(-rc));
		goto out_send;
	}
	rc = c->desc->setup(&ctx, &state);
	if (rc < 0)
		goto out_send;
	/* Warm-up, calibration and the timed pass: no counter open. */
	if (!cal->known)
		rc = calibrate(o, &ctx, state, &iters, &reps, &count_reps, &call_ns);
	/* One call at the final count: the warm-up proper. */
	if (rc == 0 && !warm)
		rc = measure(&ctx, state, iters, &m);
	if (rc == 0)
		rc = take_samples(&ctx, state, iters, reps, MSG_SAMPLE, fd);
	/* The counting pass: counters open, its own iteration count. */
	if (rc == 0 && o->events) {
		pmu_group_open(&pmu, o->events);
		done.pmu_mode = pmu.mode;
		if (!cal->known) {
			count_it = iters;
			rc = count_iters(o, &ctx, state, &count_it);
		} else if (!warm) {
			rc = measure(&ctx, state, count_it, &m);
		}
		if (rc == 0)
			rc = take_samples(&ctx, state, count_it, count_reps, MSG_COUNT, fd);
		pmu_group_close(&pmu);   /* back to "nothing open" for teardown */
	}
	if (c->place.cpu[0] >= 0 && topo_verify(c->place.cpu[0]) < 0)
		done.pin_ok = 0;
	c->desc->teardown(&ctx, state);
out_send:
	done.rc = rc;
	done.status = ctx.status;
	done.nextra = ctx.nextra;
	done.iters = iters;
	done.count_iters = count_it;
	done.reps = reps;
	done.count_reps = count_reps;
	done.call_ns = call_ns;
	memcpy(done.extra_name, ctx.extra_name, sizeof(done.extra_name));
	memcpy(done.extra_unit, ctx.extra_unit, sizeof(done.extra_unit));
	snprintf(done.note, sizeof(done.note), "%s", ctx.note);
	write_all(fd, &done, sizeof(done));
}

/* --- primbench's side ------------------------------------------------------------ */

static void on_stop(int sig)
{
	stop_signal = sig;
	if (current_child > 0)
		kill(-current_child, SIGTERM);
}

/*
 * Ctrl-Z: the supervising child runs in its own process group, which the
 * terminal's SIGTSTP does not reach, so stop it with us, stop, and on
 * SIGCONT let it go on.  The time stopped is not the benchmark's: it is
 * added to paused_ns, which the watchdog leaves out.  Only
 * async-signal-safe calls.
 */
static void on_tstp(int sig)
{
	struct timespec t0, t1;
	pid_t child = current_child;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (child > 0)
		kill(-child, SIGSTOP);
	raise(SIGSTOP);
	/* Here again after SIGCONT. */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	paused_ns += (long long)(t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec);
	if (child > 0)
		kill(-child, SIGCONT);
}

/*
 * Every signal whose default would end primbench without closing the
 * results folder stops the run cleanly (complete=false) instead: the
 * terminal and kill's (INT, TERM, HUP, QUIT), timers a parent may send
 * (ALRM, VTALRM, PROF), USR1/USR2, and CPU/file-size limits (XCPU, XFSZ).
 * SIGPIPE is ignored: a closed pipe on stderr (--progress | head) is an
 * EPIPE on that write, not a reason to lose the run.  Installed before the
 * results folder exists, so that no early signal leaves a .partial folder.
 */
void runner_signals(void)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGVTALRM,
				     SIGPROF, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ };
	struct sigaction sa = { .sa_handler = on_stop };
	struct sigaction ts = { .sa_handler = on_tstp, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaddset(&sa.sa_mask, stops[i]);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaction(stops[i], &sa, NULL);
	sigemptyset(&ts.sa_mask);
	sigaction(SIGTSTP, &ts, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int runner_stopped(void)
{
	return stop_signal;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The watchdog's clock: now_s() less the time primbench was stopped. */
static double watch_s(void)
{
	return now_s() - (double)paused_ns / 1e9;
}

static int metric_push(struct runner_metric *m, size_t cap, double v)
{
	if (!m->v) {
		m->v = calloc(cap, sizeof(double));
		if (!m->v)
			return -ENOMEM;
	}
	m->v[m->n++] = v;
	return 0;
}

/* Metric slots of a result: 0 ns_per_op, 1 bytes_per_s, 2 msgs_per_s,
 * 3.. counters, then extras.  Unused slots are dropped before reporting. */
#define SLOT_NS 0
#define SLOT_BPS 1
#define SLOT_MPS 2
#define SLOT_CNT 3
#define SLOT_EXTRA (SLOT_CNT + PMU_NEVENTS)

static void result_init(struct runner_result *r, const struct runner_config *c)
{
	memset(r, 0, sizeof(*r));
	r->cfg = c;
	r->nmetrics = SLOT_EXTRA + BENCH_MAX_EXTRA;
	snprintf(r->metric[SLOT_NS].name, BENCH_NAME_MAX, "ns_per_op");
	snprintf(r->metric[SLOT_NS].unit, BENCH_NAME_MAX, "ns");
	snprintf(r->metric[SLOT_BPS].name, BENCH_NAME_MAX, "bytes_per_s");
	snprintf(r->metric[SLOT_BPS].unit, BENCH_NAME_MAX, "B/s");
	snprintf(r->metric[SLOT_MPS].name, BENCH_NAME_MAX, "msgs_per_s");
	snprintf(r->metric[SLOT_MPS].unit, BENCH_NAME_MAX, "msgs/s");
	for (int e = 0; e < PMU_NEVENTS; e++) {
		snprintf(r->metric[SLOT_CNT + e].name, BENCH_NAME_MAX, "%s",
			 pmu_event_info(e)->metric);
		snprintf(r->metric[SLOT_CNT + e].unit, BENCH_NAME_MAX, "%s",
			 pmu_event_info(e)->unit);
		r->metric[SLOT_CNT + e].counted = true;
	}
}

/* A timed sample: wall-time metrics and the benchmark's extras. */
static int result_add(struct runner_result *r, size_t cap, const struct msg_sample *m)
{
	double ops = m->ops ? (double)m->ops : 1;
	int rc = 0;

	if (r->nsamples == cap)
		return -E2BIG;
	r->iters[r->nsamples++] = m->iters;
	rc |= metric_push(&r->metric[SLOT_NS], cap, m->elapsed_ns / ops);
	if (m->bytes && m->elapsed_ns > 0) {
		rc |= metric_push(&r->metric[SLOT_BPS], cap, (double)m->bytes * 1e9 / m->elapsed_ns);
		rc |= metric_push(&r->metric[SLOT_MPS], cap, ops * 1e9 / m->elapsed_ns);
	}
	for (int i = 0; i < BENCH_MAX_EXTRA; i++)
		if (!isnan(m->extra[i]))
			rc |= metric_push(&r->metric[SLOT_EXTRA + i], cap, m->extra[i]);
	return rc ? -ENOMEM : 0;
}

/* A counted sample: counter deltas per operation. */
static int result_add_counts(struct runner_result *r, size_t cap, const struct msg_sample *m)
{
	double ops = m->ops ? (double)m->ops : 1;
	int rc = 0;

	if (r->ncounted == cap)
		return -E2BIG;
	r->count_iters[r->ncounted++] = m->iters;
	if (m->multiplexed)
		r->multiplexed = true;
	for (int e = 0; e < PMU_NEVENTS; e++)
		if (!isnan(m->count[e]))
			rc |= metric_push(&r->metric[SLOT_CNT + e], cap, m->count[e] / ops);
	return rc ? -ENOMEM : 0;
}

/* Keep the metrics that got a value in every sample, in slot order. */
static void result_compact(struct runner_result *r)
{
	size_t j = 0;

	for (size_t i = 0; i < r->nmetrics; i++) {
		struct runner_metric *m = &r->metric[i];

		size_t want = m->counted ? r->ncounted : r->nsamples;

		if (m->n == 0 || (m->n != want && i != SLOT_NS)) {
			free(m->v);
			continue;
		}
		if (j != i)
			r->metric[j] = *m;
		j++;
	}
	for (size_t i = j; i < r->nmetrics; i++)
		memset(&r->metric[i], 0, sizeof(r->metric[i]));
	r->nmetrics = j;
}

static void result_free(struct runner_result *r)
{
	for (size_t i = 0; i < r->nmetrics; i++)
		free(r->metric[i].v);
	free(r->iters);
	free(r->count_iters);
}

static const char *status_reason(int wstatus, char *buf, size_t len)
{
	if (WIFSIGNALED(wstatus))
		snprintf(buf, len, "benchmark process killed by signal %d (%s)",
			 WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
	else
		snprintf(buf, len, "benchmark process exited with status %d before finishing",
			 WEXITSTATUS(wstatus));
	return buf;
}

static void note_append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (!*s)
		return;
	snprintf(buf + n, len - n, "%s%s", n ? "; " : "", s);
}

/* Read exactly len bytes or hit EOF/deadline (on watch_s()).  What is
 * already in the pipe is read even past the deadline: it is progress the
 * benchmark made while primbench was not looking (stopped by SIGSTOP, say).
 * 1 record, 0 EOF, -ETIME, -EINTR (stop signal), -errno. */
static int read_record(int fd, void *buf, size_t len, double deadline)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - watch_s();
		int rc;
		ssize_t n;

		if (stop_signal)
			return -EINTR;
		rc = poll(&p, 1, left > 0 ? (int)(left * 1000) + 1 : 0);
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc <= 0) {
			if (left <= 0)
				return -ETIME;
			continue;
		}
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return got ? -EPROTO : 0;
		got += (size_t)n;
	}
	return 1;
}

/* Largest sample count we accept from one visit: the calibrated share,
 * or the default share before calibration (slow operations only shrink
 * it), plus the counting pass's. */
static size_t sample_cap(const struct runner_opts *o, const struct runner_cal *cal)
{
	size_t timed = cal->known ? cal->reps : visit_reps(o);
	size_t counted = cal->known ? cal->count_reps : visit_count_reps(o);

	return (timed > counted ? timed : counted) + 8;
}

/* Sleep *nap_ns, then double it up to 10 ms: a child killed a moment ago
 * is usually gone within microseconds, and a fixed 10 ms nap per visit
 * would add seconds to a run of a thousand visits. */
static void nap(long *nap_ns)
{
	struct timespec ts = { 0, *nap_ns };

	nanosleep(&ts, NULL);
	if (*nap_ns < 10000000)
		*nap_ns *= 2;
}

/*
 * Kill the child's whole group and reap the child.  SIGKILL cannot be
 * caught, but a task stuck in the kernel (an emulator's lost interrupt, a
 * driver bug) can take a long time to die: wait at most RUNNER_REAP_S so the
 * suite goes on.  0 or -ETIME (the child is left unreaped).
 */
static int reap_group(pid_t pid, int *wstatus)
{
	double give_up = now_s() + RUNNER_REAP_S;
	long nap_ns = 50000;

	kill(-pid, SIGKILL);
	for (;;) {
		pid_t w = waitpid(pid, wstatus, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			return 0;
		if (now_s() > give_up)
			return -ETIME;
		nap(&nap_ns);
	}
}

/*
 * primbench is a child subreaper (runner_run): a worker orphaned by its
 * supervising child is re-parented to primbench, not to init.  After each
 * configuration, kill whatever was adopted (a worker that escaped its
 * process group) and reap it, so neither a live process nor a zombie
 * outlives the configuration.  The children are listed by the kernel in
 * /proc/self/task/<tid>/children; without that file, only zombies are
 * reaped.
 */
static void reap_adopted(void)
{
	char path[64];
	double give_up = now_s() + RUNNER_REAP_S;
	long nap_ns = 50000;
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	f = fopen(path, "r");
	if (f) {
		while (fscanf(f, "%d", &pid) == 1)
			kill(pid, SIGKILL);
		fclose(f);
	}
	for (;;) {
		pid_t w = waitpid(-1, NULL, WNOHANG);

		if (w < 0 && errno != EINTR)
			return;                 /* ECHILD: nothing left */
		if (w == 0) {
			if (now_s() > give_up)
				return;
			nap(&nap_ns);
		}
	}
}

/* A visit that could not start: a failed result with one row saying why
 * (no metric got a sample: compact to none). */
static int visit_failed(struct runner_result *r, const char *what, int err)
{
	r->status = RUN_FAILED;
	r->harness_errno = err;
	snprintf(r->note, sizeof(r->note), "%s: %s", what, strerror(err));
	result_compact(r);
	return 0;
}

/* MemAvailable in bytes, or -1 if /proc/meminfo does not say. */
static long long mem_available(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Map and write bytes of 4 KiB pages while pinned to cpu (so that they
 * come from its node), then keep them out of every fork (MADV_DONTFORK).
 * NULL when it cannot be had (no room, a limit): the benchmark then fills
 * its own memory, as without a prefill. */
static void *prefill_fill(size_t bytes, int cpu)
{
	long long avail = mem_available();
	cpu_set_t old, one;
	bool pinned = false;
	char *p;

	if (avail >= 0 && (long long)(bytes + RUNNER_PREFILL_MARGIN_BYTES) > avail)
		return NULL;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	if (cpu >= 0 && sched_getaffinity(0, sizeof(old), &old) == 0) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	}
	for (size_t off = 0; off < bytes && !stop_signal; off += RUNNER_PREFILL_STEP) {
		size_t len = bytes - off < RUNNER_PREFILL_STEP ? bytes - off : RUNNER_PREFILL_STEP;

		if (madvise(p + off, len, MADV_POPULATE_WRITE) == 0)
			continue;
		for (size_t i = 0; i < len; i += 4096)
			p[off + i] = 1;
	}
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	if (stop_signal || madvise(p, bytes, MADV_DONTFORK) < 0) {
		munmap(p, bytes);
		return NULL;
	}
	return p;
}

/* The prefill a configuration asks for, filled on first use; NULL if it
 * asks for none or it cannot be had. */
static struct runner_prefill *prefill_get(struct runner_prefill *pool, size_t *npool,
					  const struct runner_config *c)
{
	size_t bytes = (size_t)c->x;
	int cpu = c->place.cpu[0];

	if (!(c->var->flags & BENCH_V_PREFILL) || bytes == 0)
		return NULL;
	for (size_t i = 0; i < *npool; i++)
		if (pool[i].bytes == bytes && pool[i].cpu == cpu)
			return pool[i].p ? &pool[i] : NULL;
	if (*npool == RUNNER_MAX_PREFILL)
		return NULL;
	pool[*npool] = (struct runner_prefill){ .bytes = bytes, .cpu = cpu,
						.p = prefill_fill(bytes, cpu) };
	return pool[(*npool)++].p ? &pool[*npool - 1] : NULL;
}

/* Visit one configuration in a supervised child, which inherits pf (NULL:
 * none); fill r, and cal from the first visit that calibrated.  0, or
 * -ENOMEM (r is then empty). */
static int supervise(const struct runner_opts *o, const struct topo *t,
		     const struct runner_config *c, struct runner_cal *cal,
		     const struct runner_prefill *pf, uint64_t layout_seed,
		     struct runner_result *r)
{
	size_t cap = sample_cap(o, cal);
	struct msg_done done = { 0 };
	bool have_done = false, reaped;
	double deadline = watch_s() + o->timeout_s;
	int pfd[2], wstatus = 0, rc = 0;
	pid_t pid, parent = getpid();

	result_init(r, c);
	r->iters = calloc(cap, sizeof(uint64_t));
	r->count_iters = calloc(cap, sizeof(uint64_t));
	if (!r->iters || !r->count_iters)
		return -ENOMEM;
	/* EMFILE/ENFILE are limits of this process, not memory: the visit
	 * fails with the real reason and the suite goes on. */
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return visit_failed(r, "pipe to the supervising child", errno);

	fflush(NULL);
	/* This child, and only this one, inherits the prefill. */
	if (pf && madvise(pf->p, pf->bytes, MADV_DOFORK) < 0)
		pf = NULL;
	pid = fork();
	if (pf && pid != 0)
		madvise(pf->p, pf->bytes, MADV_DONTFORK);
	if (pid < 0) {
		rc = errno;
		close(pfd[0]);
		close(pfd[1]);
		return visit_failed(r, "fork of the supervising child", rc);
	}
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = child_on_term };

		close(pfd[0]);
		setpgid(0, 0);
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		/* primbench died before prctl(): we were reparented, to init
		 * or to a subreaper (systemd --user, a container's init), so
		 * compare with the pid we had, not with 1. */
		if (getppid() != parent)
			raise(SIGTERM);
		child_main(o, t, c, cal, pf, layout_seed, pfd[1]);
		_exit(0);
	}
	/* Both sides set the group: whichever runs first wins the race with
	 * a kill(-pid) that would otherwise miss. */
	setpgid(pid, pid);
	current_child = pid;
	close(pfd[1]);

	for (;;) {
		union { uint32_t type; struct msg_sample s; struct msg_done d; } u;
		int got = read_record(pfd[0], &u.type, sizeof(u.type), deadline);

		if (got == 1) {
			size_t len = u.type == MSG_DONE ? sizeof(u.d) : sizeof(u.s);

			if (u.type != MSG_SAMPLE && u.type != MSG_COUNT && u.type != MSG_DONE) {
				got = -EPROTO;
			} else {
				got = read_record(pfd[0], (char *)&u + sizeof(u.type),
						  len - sizeof(u.type), deadline);
			}
		}
		if (got == 1 && u.type != MSG_DONE) {
			if ((u.type == MSG_SAMPLE ? result_add(r, cap, &u.s)
						  : result_add_counts(r, cap, &u.s)) < 0) {
				got = -EPROTO;
			} else {
				/* A sample is progress: the watchdog is for a
				 * visit that sends nothing for --timeout. */
				deadline = watch_s() + o->timeout_s;
				continue;
			}
		}
		if (got == 1 && u.type == MSG_DONE) {
			done = u.d;
			have_done = true;
			continue;
		}
		if (got == -ETIME) {
			r->status = RUN_TIMEOUT;
			snprintf(r->note, sizeof(r->note),
				 "killed by the watchdog after %.0f s (--timeout)", o->timeout_s);
		} else if (got == -EINTR) {
			r->status = RUN_FAILED;
			snprintf(r->note, sizeof(r->note), "interrupted by %s", strsignal(stop_signal));
		} else if (got < 0) {
			r->status = RUN_FAILED;
			snprintf(r->note, sizeof(r->note), "bad record from the benchmark process");
		}
		break;
	}
	close(pfd[0]);
	/* The group goes in every case: a worker that outlived a normal exit
	 * is a benchmark bug, and this is the safety net for it. */
	reaped = reap_group(pid, &wstatus) == 0;
	if (!reaped && r->status == RUN_OK) {
		r->status = RUN_FAILED;
		snprintf(r->note, sizeof(r->note),
			 "benchmark process did not die within %d s of SIGKILL", RUNNER_REAP_S);
	}
	current_child = 0;
	reap_adopted();
	/* Alone when the group is gone: finish removals a killed sweeper left. */
	ctx_registry_sweep(reaped);

	if (r->status == RUN_OK) {
		if (!have_done) {
			r->status = RUN_FAILED;
			status_reason(wstatus, r->note, sizeof(r->note));
		} else if (done.status == CTX_SKIPPED) {
			r->status = RUN_SKIPPED;
			snprintf(r->note, sizeof(r->note), "%s", done.note);
		} else if (done.rc < 0 || done.status == CTX_FAILED) {
			r->status = RUN_FAILED;
			if (done.note[0])
				snprintf(r->note, sizeof(r->note), "%s", done.note);
			else
				snprintf(r->note, sizeof(r->note), "%s", strerror(-done.rc));
		} else {
			snprintf(r->note, sizeof(r->note), "%s", done.note);
		}
	}
	for (unsigned i = 0; have_done && i < done.nextra && i < BENCH_MAX_EXTRA; i++) {
		struct runner_metric *m = &r->metric[SLOT_EXTRA + i];

		snprintf(m->name, BENCH_NAME_MAX, "%s", done.extra_name[i]);
		snprintf(m->unit, BENCH_NAME_MAX, "%s", done.extra_unit[i]);
	}
	if (r->multiplexed)
		note_append(r->note, sizeof(r->note),
			    "counters multiplexed (time_running < time_enabled): counts are raw, not scaled");
	if (have_done && done.pmu_mode == PMU_MODE_USER_ONLY)
		note_append(r->note, sizeof(r->note), "counters user-mode only (perf_event_paranoid)");
	if (have_done && done.pmu_mode == PMU_MODE_RUSAGE)
		note_append(r->note, sizeof(r->note), "counters from getrusage");
	r->pin_ok = !have_done || done.pin_ok;
	if (r->status == RUN_OK && !cal->known) {
		cal->known = true;
		cal->iters = done.iters;
		cal->count_iters = done.count_iters;
		cal->reps = done.reps;
		cal->count_reps = done.count_reps;
		cal->call_ns = done.call_ns;
	}
	result_compact(r);
	return 0;
}

static void progress(const struct runner_opts *o, size_t i, size_t n, double t0,
		     unsigned round, const struct runner_config *c)
{
	char x[32] = "";

	if (!o->progress)
		return;
	if (c->has_x)
		snprintf(x, sizeof(x), " %s=%.0f", c->var->sweep, c->x);
	/* On a terminal one line is redrawn; in a log, one line each. */
	fprintf(stderr, "%s[%zu/%zu r%u %5.1fs] %s/%s%s @%s%s", o->progress_tty ? "\r\033[K" : "",
		i + 1, n, round, now_s() - t0, c->desc->name, c->var->name, x,
		topo_placement_name(c->place.kind), o->progress_tty ? "" : "\n");
	fflush(stderr);
}

/* The visiting order of one round: a Fisher-Yates shuffle of 0..n-1. */
static void round_order(size_t *order, size_t n, struct stats_rng *rng)
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

int runner_run(const struct runner_opts *o, const struct topo *t,
	       const struct runner_config *cfg, size_t n, const struct runner_sink *sink)
{
	struct runner_cal *cal = calloc(n ? n : 1, sizeof(*cal));
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	struct runner_prefill prefill[RUNNER_MAX_PREFILL];
	size_t nprefill = 0;
	size_t visits = 0, planned = n * o->rounds;
	struct stats_rng rng;
	double t0 = now_s();
	int status = 0, harness_errno = 0;

	if (!cal || !order) {
		status = -ENOMEM;
		goto out;
	}
	/* Adopt orphaned workers, so that reap_adopted() can end them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	stats_rng_seed(&rng, o->seed);

	for (unsigned round = 1; round <= o->rounds && !stop_signal; round++) {
		round_order(order, n, &rng);
		for (size_t k = 0; k < n && !stop_signal; k++) {
			size_t i = order[k];
			struct runner_result r;

			if (cal[i].done) {
				planned--;
				continue;
			}
			progress(o, visits++, planned, t0, round, &cfg[i]);
			if (supervise(o, t, &cfg[i], &cal[i],
				      prefill_get(prefill, &nprefill, &cfg[i]),
				      stats_rng_next(&rng), &r) < 0) {
				result_free(&r);
				status = -ENOMEM;
				goto out;
			}
			if (stop_signal) {
				result_free(&r);
				break;
			}
			if (r.status != RUN_OK)
				cal[i].done = true;
			if (r.status == RUN_FAILED || r.status == RUN_TIMEOUT)
				status = 1;
			if (r.harness_errno && !harness_errno)
				harness_errno = r.harness_errno;
			if (sink->result(sink->arg, i, round, &r) < 0)
				status = 1;
			result_free(&r);
		}
	}
out:
	for (size_t i = 0; i < nprefill; i++)
		if (prefill[i].p)
			munmap(prefill[i].p, prefill[i].bytes);
	free(cal);
	free(order);
	if (o->progress)
		fprintf(stderr, "%s%zu visits of %zu configurations in %.1f s%s\n",
			o->progress_tty ? "\r\033[K" : "", visits, n, now_s() - t0,
			status < 0 || stop_signal ? " (stopped)" : "");
	if (status < 0)
		return status;
	if (stop_signal)
		return 128 + stop_signal;
	return harness_errno ? -harness_errno : status;
}
