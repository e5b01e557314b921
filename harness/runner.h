/*
 * runner.h - plan the configurations, measure each in a supervised child,
 * hand the raw samples to the reporter.
 */
#ifndef PRIMBENCH_RUNNER_H
#define PRIMBENCH_RUNNER_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench.h"
#include "topo.h"

/* What `primbench run` was asked to do (validated by main.c). */
struct runner_opts {
	const regex_t *filter;     /* matched against "bench/variant"; NULL: all */
	bool quick;                /* fewer samples, smaller budget */
	unsigned reps;             /* samples per configuration (K) */
	double min_sample_ms;      /* floor on one sample's length; 0: automatic */
	double budget_ms;          /* time one configuration should take */
	uint32_t events;           /* pmu event mask */
	uint32_t placements;       /* mask of enum topo_placement; 0: default set */
	double timeout_s;          /* watchdog per configuration */
	bool progress;             /* progress lines on stderr */
	bool progress_tty;         /* stderr is a terminal: redraw one line */
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
#define RUNNER_MAX_METRICS (3 + PMU_NEVENTS + BENCH_MAX_EXTRA)

/* Everything measured for one configuration. */
struct runner_result {
	const struct runner_config *cfg;    /* what was run */
	enum runner_status status;          /* ok/skipped/failed/timeout */
	char note[2 * BENCH_NOTE_MAX];      /* reason, bench note, counter notes */
	enum bench_valid valid;             /* self-check outcome */
	char valid_note[BENCH_NOTE_MAX];    /* why it failed / n/a */
	size_t nsamples;                    /* timed samples received */
	size_t ncounted;                    /* counting-pass samples received */
	bool multiplexed;                   /* a counting sample was multiplexed */
	uint64_t *iters;                    /* iterations per timed sample */
	uint64_t *count_iters;              /* iterations per counting sample */
	size_t nmetrics;                    /* metrics below */
	struct runner_metric metric[RUNNER_MAX_METRICS]; /* ns_per_op first */
};

/* Callbacks to the reporter: one finished configuration, and one fitted
 * slope over a variant's sweep. */
struct runner_sink {
	int (*result)(void *arg, const struct runner_result *r);
	int (*fit)(void *arg, const struct runner_config *cfg, size_t npoints,
		   double slope, double lo, double hi, double intercept);
	void *arg;
};

/* All configurations the options select on this topology (malloc'd). */
int runner_plan(const struct runner_opts *o, const struct topo *t,
		struct runner_config **out, size_t *n);
/*
 * Measure every planned configuration, feeding each result to the sink.
 * Returns 0 (all ran; skips allowed), 1 (some failed or timed out), or
 * 128+signal when SIGINT/SIGTERM stopped the run (finished results were
 * already given to the sink).
 */
int runner_run(const struct runner_opts *o, const struct topo *t,
	       const struct runner_config *cfg, size_t n, const struct runner_sink *sink);
/* Install SIGINT/SIGTERM handlers that stop runner_run cleanly. */
void runner_signals(void);

#endif
