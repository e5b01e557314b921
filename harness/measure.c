/*
 * measure.c - the supervising child's work: lay out, pin, set up, warm up,
 * calibrate, take the timed samples, then the counting pass, tear down,
 * streaming every sample to primbench as a record (visit.h) on a pipe
 * (records < PIPE_BUF, so each write is atomic).
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
 * the floor is the configuration's budget divided among its samples
 * (plan_sample_target_ns), so a configuration takes about --budget-ms.
 * Iterations double (or jump by the measured ratio) until a run() call
 * lasts that long - its whole wall time, even when the benchmark times a
 * narrower window, since the budget is wall time.  An operation too slow
 * for the budget runs once per sample, with fewer samples (never fewer
 * than RUNNER_MIN_SAMPLES, the least a comparison will judge).
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
 * Host probe: just before and just after each sample (outside its timed
 * window) the child times RUNNER_PROBE_ITERS turns of a store-load loop
 * and records the slower of the two, in ns per turn, as the sample's
 * host_probe_ns.  The loop does no system call and touches one cache line,
 * so it moves only with what the CPU itself gives this thread: on the
 * 2-vCPU KVM guest this was written on, the two vCPUs are SMT siblings of
 * one host core, and the loop took 0.68 ns a turn while the sibling was
 * idle and 1.0-1.7 ns while another tenant ran on it, with getppid at
 * ~212 ns and ~277 ns in the same windows.  compare reports, from it, in
 * what share of each side's samples the host was slow (compare_verdict.c);
 * it costs 2 x ~15-35 us a sample.
 *
 * Timing: one clock read before run() and one after; the median cost of a
 * read pair (clock.c) is subtracted once.  A benchmark may narrow the
 * window (bench_window_begin/end) or supply wall time measured elsewhere
 * (bench_add_elapsed_ns); counters follow the same window.
 */
#include "fileio.h"
#include "visit.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "ctx.h"

/* A call at least this long is its own warm-up: cold caches and first
 * faults cost microseconds, under 0.1% of it, so later visits of such a
 * configuration take no extra warm-up call (a 1 GiB touched mm_alloc
 * point costs ~0.7 s a call here). */
#define RUNNER_SELF_WARM_NS 10e6
/* Each visit shifts its mmap base and break by up to this (see the top). */
#define RUNNER_LAYOUT_SPAN (1ull << 30)
/* Calibration stops growing iterations past this. */
#define RUNNER_MAX_ITERS (1ull << 40)
/* Turns of the host probe's loop (see the top). */
#define RUNNER_PROBE_ITERS 20000u

/* ns per turn of a store-load loop: the host probe (see the top). */
static double host_probe(void)
{
	volatile uint32_t turn;
	uint64_t t0 = clock_now_ns();

	for (turn = 0; turn < RUNNER_PROBE_ITERS; turn++)
		;
	return (double)(clock_now_ns() - t0) / RUNNER_PROBE_ITERS;
}

/* One timed run() call: fills msg (elapsed, ops, counters, extras). */
static int measure(struct bench_ctx *ctx, void *state, uint64_t iters, struct msg_sample *m)
{
	struct pmu_reading r0, r1;
	uint32_t avail = pmu_group_available(ctx->pmu);
	double probe0, probe1;
	uint64_t t0, t1;
	int rc;

	ctx_sample_reset(ctx);
	probe0 = host_probe();
	pmu_group_read(ctx->pmu, &r0);
	t0 = clock_now_ns();
	rc = ctx->desc->run(ctx, state, iters);
	t1 = clock_now_ns();
	pmu_group_read(ctx->pmu, &r1);
	probe1 = host_probe();
	if (rc < 0)
		return rc;

	memset(m, 0, sizeof(*m));
	m->probe_ns = probe0 > probe1 ? probe0 : probe1;
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
		rc = fit_iters(ctx, state, plan_sample_target_ns(o, ctx->overhead_ns), &it, &m);
	if (rc < 0)
		return rc;
	*iters = it;
	*reps = plan_visit_reps(o);
	*count_reps = plan_visit_count_reps(o);
	*call_ns = m.wall_ns;
	/* A slow operation: fewer samples, so the configuration stays near
	 * its budget - but never fewer than RUNNER_MIN_SAMPLES over all
	 * rounds, in each pass. */
	if (it == 1 && m.wall_ns > 0) {
		double fit = o->budget_ms * 1e6 / o->rounds / m.wall_ns * RUNNER_COUNT_DIV /
			     (RUNNER_COUNT_DIV + 1);
		unsigned least = plan_per_visit(RUNNER_MIN_SAMPLES, o->rounds);

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
		rc = fileio_write_all(fd, &m, sizeof(m));
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
	return fit_iters(ctx, state, plan_sample_target_ns(o, ctx->overhead_ns), iters, &m);
}

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

/*
 * The supervising child: pin, set up, then the timed pass and the counting
 * pass.  The first visit of a configuration (cal->known false) calibrates;
 * later visits take cal's iteration and sample counts, the timed pass
 * after one warm-up call at its count.  What it used goes back in MSG_DONE.
 */
void measure_child(const struct runner_opts *o, const struct topo *t,
		   const struct runner_config *c, const struct runner_cal *cal,
		   const struct runner_prefill *pf, uint64_t layout_seed, int fd)
{
	struct pmu_group pmu;
	struct bench_ctx ctx = {
		.desc = c->desc, .var = c->var, .x = c->x, .place = c->place,
		.topo = t, .quick = o->quick, .pmu = &pmu, .out_dir = o->out_dir,
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
		/* No warm-up of its own: the timed pass just ran the same
		 * state, and counts per operation do not depend on a first
		 * call's timing. */
		if (!cal->known) {
			count_it = iters;
			rc = count_iters(o, &ctx, state, &count_it);
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
	fileio_write_all(fd, &done, sizeof(done));
}
