/*
 * summarise.h - a configuration's visits, over all rounds -> summary rows.
 *
 * The runner hands every visit (one configuration in one round) to
 * summ_add(), which keeps its samples with their round.  Once the rounds
 * are over, summ_emit() turns each configuration into its summary rows:
 * the pooled distribution of every metric, the spread of its round
 * medians, a 95% CI that accounts for both levels of noise, the combined
 * status, the self-checks on the pooled medians, and the ns_per_mib fits.
 * Nothing here writes a file: the rows go to a callback (output.c).
 */
#ifndef PRIMBENCH_SUMMARISE_H
#define PRIMBENCH_SUMMARISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runner.h"
#include "stats.h"

/* The CI method of the summary, as meta `ci_method` names it. */
#define SUMM_CI_ROUNDS "batch-medians-t-log: p50 * exp(+- t(0.975, R-1) * sd(log round medians) / sqrt(R)); " \
	"p50 +- t(0.975, R-1) * sd(round medians) / sqrt(R) where a round median is <= 0"
#define SUMM_CI_ONE_ROUND "order-statistics: binomial CI of the median of one round's samples"

/* One metric's samples over all visits of a configuration. */
struct summ_metric {
	char name[BENCH_NAME_MAX];   /* CSV metric */
	char unit[BENCH_NAME_MAX];   /* CSV unit */
	bool counted;                /* from the counting pass */
	double *v;                   /* values, in visit order */
	unsigned *round;             /* round of each value (ascending) */
	uint64_t *iters;             /* iterations of each value's sample */
	size_t n, cap;               /* used, allocated */
};

/* Everything the visits of one configuration gave. */
struct summ_config {
	const struct runner_config *cfg;        /* the configuration */
	enum runner_status status;              /* ok until a visit was not */
	char note[2 * BENCH_NOTE_MAX + 16];     /* reason, bench note, counter notes */
	unsigned visits;                        /* visits seen */
	unsigned ok_visits;                     /* visits that ended ok */
	bool pin_failed;                        /* a visit found worker 0 off its CPU */
	size_t nm;                              /* metrics below */
	struct summ_metric m[RUNNER_MAX_METRICS]; /* by name, first seen first */
};

/* All configurations of a run. */
struct summ {
	struct summ_config *c;       /* one per planned configuration */
	size_t n;                    /* entries in c */
	unsigned rounds;             /* rounds the run asked for */
};

/* One summary.csv row; strings and arrays are borrowed from the summ. */
struct summ_row {
	const struct runner_config *cfg;  /* key: bench, variant, sweep, x, placement */
	bool fit;                    /* a fit over the sweep: x is empty */
	const char *metric, *unit;   /* CSV metric and unit */
	struct stats_summary s;      /* pooled over all rounds; CI over rounds */
	uint64_t iters;              /* iterations per sample, 0 if they differ */
	unsigned rounds;             /* rounds that contributed */
	double between_cv_pct;       /* CV of the round medians; NAN if rounds < 2 */
	enum bench_valid valid;      /* self-check of the configuration */
	enum runner_status status;   /* combined status */
	const char *note;            /* free text */
	/* Samples behind a fit row (per-round slopes), else NULL/0. */
	const double *fit_v;
	const unsigned *fit_round;
	size_t fit_n;
};

/* The summary row callback: 0 or -errno (stops summ_emit). */
typedef int (*summ_row_fn)(void *arg, const struct summ_row *row);

/* n configurations, rounds asked.  0 or -ENOMEM. */
int summ_init(struct summ *s, const struct runner_config *cfg, size_t n, unsigned rounds);
/* Keep one visit (configuration idx, round from 1).  0 or -ENOMEM/-EINVAL. */
int summ_add(struct summ *s, size_t idx, unsigned round, const struct runner_result *r);
/* Rows of every configuration that was visited, in plan order, each
 * variant's fit after its sweep's last point.  0 or the first error. */
int summ_emit(const struct summ *s, summ_row_fn fn, void *arg);
void summ_free(struct summ *s);

/* Median of each round's values of m, in round order, into rm (room for
 * m->n); returns the number of rounds.  Pure. */
size_t summ_round_medians(const struct summ_metric *m, double *rm);
/*
 * The summary of m as a row holds it: pooled stats, rounds, between-round
 * CV, and the CI: batch medians over rounds when there are >= 2; the
 * order-statistics CI of one round only when the run had one round
 * (run_rounds == 1); otherwise NAN.  0, -EINVAL (no values), -ENOMEM.
 */
int summ_metric_stats(const struct summ_metric *m, unsigned run_rounds,
		      struct stats_summary *s, unsigned *rounds, double *between_cv_pct);

#endif
