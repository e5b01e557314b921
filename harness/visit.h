/*
 * visit.h - what the runner's files share about one visit of a
 * configuration (private to the runner: runner.c, plan.c, measure.c,
 * supervise.c, result.c, prefill.c; everyone else includes runner.h).
 *
 *   plan.c       configurations, their rounds and order, the per-visit
 *                budget (samples and sample length)
 *   prefill.c    BENCH_V_PREFILL memory, filled once per round
 *   supervise.c  the supervising child's isolation, the watchdog, reaping,
 *                signals
 *   measure.c    in the child: warm-up, calibration, samples, counting pass
 *   result.c     the child's records -> a visit's runner_result
 *   runner.c     the round loop that ties them together
 *   estimate.c   the --dry-run estimate: a model of the above, visit by visit
 */
#ifndef PRIMBENCH_VISIT_H
#define PRIMBENCH_VISIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "runner.h"
#include "stats.h"

/* The fewest samples a configuration may end with, over all rounds. */
#define RUNNER_MIN_SAMPLES 5
/* The counting pass takes reps / RUNNER_COUNT_DIV samples. */
#define RUNNER_COUNT_DIV 3

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
	double probe_ns;                    /* host probe around it (measure.c) */
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

/* One filled region (BENCH_V_PREFILL), kept for the whole run. */
struct runner_prefill {
	size_t bytes;           /* its length */
	int cpu;                /* the CPU it was filled on */
	void *p;                /* the mapping; NULL: could not be had */
};

/* Most BENCH_V_PREFILL regions a run keeps (sizes x CPUs). */
#define RUNNER_MAX_PREFILL 16

/* Seconds on CLOCK_MONOTONIC. */
static inline double runner_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- plan.c: the budget of one visit ---------------------------------------- */

/* ceil(total / rounds), at least 1: a share of samples for one visit. */
unsigned plan_per_visit(unsigned total, unsigned rounds);
/* Timed samples one visit takes. */
unsigned plan_visit_reps(const struct runner_opts *o);
/* Counting samples one visit takes. */
unsigned plan_visit_count_reps(const struct runner_opts *o);
/* How long one sample should last, given the timer overhead. */
double plan_sample_target_ns(const struct runner_opts *o, double overhead_ns);
/* Largest sample count accepted from one visit. */
size_t plan_sample_cap(const struct runner_opts *o, const struct runner_cal *cal);
/* The visiting order of one round: a Fisher-Yates shuffle of 0..n-1. */
void plan_round_order(size_t *order, size_t n, struct stats_rng *rng);

/* --- measure.c: the supervising child's work ------------------------------- */

/* Pin, set up, warm up, calibrate (first visit) or reuse cal, take the
 * timed and the counting samples, tear down; every record to fd. */
void measure_child(const struct runner_opts *o, const struct topo *t,
		   const struct runner_config *c, const struct runner_cal *cal,
		   const struct runner_prefill *pf, uint64_t layout_seed, int fd);

/* --- supervise.c: one visit in a supervised child --------------------------- */

/* Visit c in a supervised child, which inherits pf (NULL: none); fill r,
 * and cal from the first visit that calibrated.  0, or -ENOMEM. */
int supervise_visit(const struct runner_opts *o, const struct topo *t,
		    const struct runner_config *c, struct runner_cal *cal,
		    const struct runner_prefill *pf, uint64_t layout_seed,
		    struct runner_result *r);

/* --- result.c: records -> runner_result ---------------------------------------- */

/* An empty result of c with every metric slot named. */
void result_init(struct runner_result *r, const struct runner_config *c);
/* Add a timed (MSG_SAMPLE) or counted (MSG_COUNT) sample; at most cap of
 * each.  0, -E2BIG past cap, -ENOMEM. */
int result_add(struct runner_result *r, size_t cap, const struct msg_sample *m);
/* Status, note and extra names from the child's MSG_DONE (have_done
 * false: none came; wstatus says how the child ended), the counter notes,
 * cal from a first visit that ran; then drop the empty metrics. */
void result_finish(struct runner_result *r, const struct msg_done *done, bool have_done,
		   int wstatus, struct runner_cal *cal);
/* Keep the metrics that got a value in every sample, in slot order. */
void result_compact(struct runner_result *r);
/* Free what result_init and result_add allocated. */
void result_free(struct runner_result *r);

/* --- prefill.c ---------------------------------------------------------------- */

/* The prefill c asks for, filled on first use into pool (*npool entries,
 * at most RUNNER_MAX_PREFILL); NULL if it asks for none or it cannot be had. */
struct runner_prefill *prefill_get(struct runner_prefill *pool, size_t *npool,
				   const struct runner_config *c);
/* Unmap every region of the pool. */
void prefill_release(struct runner_prefill *pool, size_t npool);

#endif
