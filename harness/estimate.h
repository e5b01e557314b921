/*
 * estimate.h - what `run --dry-run` says a run will take (estimate.c).
 */
#ifndef PRIMBENCH_ESTIMATE_H
#define PRIMBENCH_ESTIMATE_H

#include <stdio.h>

#include "runner.h"

/* The estimate of a planned run. */
struct estimate {
	double total_s;          /* the whole run, seconds */
	double prefill_s;        /* of which the once-per-run prefill */
	size_t from_history;     /* configurations whose operation cost came from history */
	char history[256];       /* that earlier run's folder, "" if none */
	char **note;             /* per configuration: why it will likely be skipped, or NULL */
	size_t n;                /* configurations (entries of note) */
};

/* Estimate the run of the n configurations cfg under o, reading the
 * newest complete earlier run of this host under out_dir, if any.
 * 0 or -ENOMEM; estimate_free() in both cases. */
int estimate_run(const struct runner_opts *o, const struct runner_config *cfg, size_t n,
		 const char *out_dir, double overhead_ns, struct estimate *e);
/* The estimate line, with what it assumes, on f. */
void estimate_print(const struct estimate *e, const struct runner_opts *o, size_t n, FILE *f);
void estimate_free(struct estimate *e);

#endif
