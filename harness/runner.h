/*
 * runner.h - plan the configurations, measure each in a supervised child,
 * round after round, and hand each visit's raw samples to the sink.
 * (Implemented by runner.c, plan.c, prefill.c, supervise.c, measure.c and
 * result.c; visit.h is what they share among themselves.)
 */
#ifndef PRIMBENCH_RUNNER_H
#define PRIMBENCH_RUNNER_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench.h"
#include "topo.h"

/* Most sweeps one run can narrow with --x, and most points per sweep. */
#define RUNNER_MAX_XSEL 8
#define RUNNER_MAX_XVALS 32

/* --x SWEEP=V,...: the points of one sweep to run. */
struct runner_xsel {
	char sweep[BENCH_NAME_MAX];   /* the sweep's CSV name ("rss_bytes") */
	double v[RUNNER_MAX_XVALS];   /* the points asked for, in bytes for a _bytes sweep */
	size_t n;                     /* how many (>= 1) */
};

/* What `primbench run` was asked to do (validated by main.c). */
struct runner_opts {
	const regex_t *filter;     /* matched against "bench/variant"; NULL: all */
	/* --x: with any, only variants whose sweep one of these names run,
	 * and only at the points it lists (--quick thins them no further). */
	struct runner_xsel xsel[RUNNER_MAX_XSEL];
	size_t nxsel;              /* entries of xsel in use */
	bool quick;                /* fewer samples, smaller budget */
	unsigned reps;             /* timed samples per configuration, all rounds (K) */
	unsigned rounds;           /* visits of every configuration (R >= 1) */
	uint64_t seed;             /* seed of the per-round shuffle */
	double min_sample_ms;      /* floor on one sample's length; 0: automatic */
	double budget_ms;          /* time one configuration should take, all rounds */
	uint32_t events;           /* pmu event mask */
	uint32_t placements;       /* mask of enum topo_placement; 0: default set */
	double timeout_s;          /* watchdog per configuration */
	bool progress;             /* progress lines on stderr */
	bool progress_tty;         /* stderr is a terminal: redraw one line */
	const char *out_dir;       /* --out: where BENCH_FS_OUT scratch folders
				      go (bench_scratch_dir); NULL: none */
};

/* One configuration: a variant at one sweep point and placement. */
struct runner_config {
	const struct bench_desc *desc;     /* family */
	const struct bench_variant *var;   /* variant */
	bool has_x;                        /* the variant sweeps */
	double x;                          /* sweep value */
	struct topo_place place;           /* placement */
};

/* Outcome of a configuration. */
enum runner_status { RUN_OK = 0, RUN_SKIPPED, RUN_FAILED, RUN_TIMEOUT };

/* Samples of one metric of one configuration. */
struct runner_metric {
	char name[BENCH_NAME_MAX];  /* CSV metric */
	char unit[BENCH_NAME_MAX];  /* CSV unit */
	double *v;                  /* one value per sample (NAN: not measured) */
	size_t n;                   /* values */
	bool counted;               /* from the counting pass (iters: count_iters) */
};

/* Most metrics a configuration can have. */
#define RUNNER_MAX_METRICS (4 + PMU_NEVENTS + BENCH_MAX_EXTRA)

/* Everything measured in one visit of a configuration. */
struct runner_result {
	const struct runner_config *cfg;    /* what was run */
	bool pin_ok;                        /* worker 0 was on its CPU after the samples */
	int harness_errno;                  /* the harness could not start the visit (pipe, fork) */
	enum runner_status status;          /* ok/skipped/failed/timeout */
	char note[2 * BENCH_NOTE_MAX];      /* reason, bench note, counter notes */
	size_t nsamples;                    /* timed samples received */
	size_t ncounted;                    /* counting-pass samples received */
	bool multiplexed;                   /* a counting sample was multiplexed */
	uint64_t *iters;                    /* iterations per timed sample */
	uint64_t *count_iters;              /* iterations per counting sample */
	size_t nmetrics;                    /* metrics below */
	struct runner_metric metric[RUNNER_MAX_METRICS]; /* ns_per_op first */
};

/* Where each visit goes: configuration index idx (into the planned array),
 * its round (from 1), and what was measured.  A negative return marks the
 * run as failed (status 1) but does not stop it. */
struct runner_sink {
	int (*result)(void *arg, size_t idx, unsigned round, const struct runner_result *r);
	void *arg;
};

/* Told one reason a line (no "primbench: " prefix, no newline). */
typedef void (*runner_say_fn)(void *arg, const char *line);
/*
 * All configurations the options select on this topology (malloc'd).
 * What was asked for and left out is told to say (when not NULL), one
 * line per reason, before it returns: a --placement this topology does
 * not offer; variants that --placement leaves without a placement (one
 * worker runs only at single or unpinned, two workers only at the
 * two-worker placements); a --placement no selected variant can use; a
 * --x point that some selected variants do not have; variants --filter
 * matches that sweep nothing --x names.  Nothing is told without
 * --placement or --x.  0 or -ENOMEM.
 */
int runner_plan(const struct runner_opts *o, const struct topo *t,
		struct runner_config **out, size_t *n, runner_say_fn say, void *arg);
/*
 * Check --x against the variants --filter selects: each sweep it names
 * must be swept by one of them, and each point must be a point of one of
 * them.  0, or -EINVAL with the one-line reason (naming the valid
 * sweeps or points) in err.
 */
int runner_check_points(const struct runner_opts *o, char *err, size_t len);
/* True for a sweep whose values are bytes (its name ends in "_bytes"):
 * --x takes B, KiB, MiB and GiB for it. */
bool runner_sweep_is_bytes(const char *sweep);
/* A sweep value as --x takes it: in the largest of GiB, MiB, KiB that
 * holds it whole for a bytes sweep ("4MiB", "0"), else the number. */
void runner_format_x(const char *sweep, double x, char *buf, size_t len);
/*
 * Measure every planned configuration in o->rounds rounds, each round in
 * an order shuffled from o->seed, feeding every visit to the sink.  A
 * configuration that was skipped, failed or timed out is not visited
 * again.  Returns 0 (all ran; skips allowed), 1 (some failed or timed
 * out), 128+signal when SIGINT/SIGTERM stopped the run, -ENOMEM when it
 * had to stop, or the -errno of the first visit the harness itself could
 * not start (no pipe or fork: EMFILE, EAGAIN; the others went on).
 * Finished visits were given to the sink in every case.
 */
int runner_run(const struct runner_opts *o, const struct topo *t,
	       const struct runner_config *cfg, size_t n, const struct runner_sink *sink);
/* Install the handlers that stop runner_run cleanly (SIGINT, SIGTERM and
 * every other signal that would end primbench; SIGTSTP stops the
 * benchmark with it; SIGPIPE ignored).  Call before making the folder. */
void runner_signals(void);
/* The stop signal that has arrived, 0 if none. */
int runner_stopped(void);

#endif
