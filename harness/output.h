/*
 * output.h - the results folder: summary.csv, samples.csv, meta.csv.
 *
 * The run is written under "<parent>/.<run_id>.partial/" and renamed to
 * "<parent>/<run_id>/" when it ends (complete or interrupted); meta.csv
 * is rewritten atomically (temp + rename) with complete=true|false.  Rows of
 * one configuration go out in one write(), so a SIGKILL never leaves half
 * a row.  A folder that still has the .partial name was killed; its meta
 * says complete=false.
 */
#ifndef PRIMBENCH_OUTPUT_H
#define PRIMBENCH_OUTPUT_H

#include <limits.h>
#include <stdbool.h>

#include "meta.h"
#include "runner.h"

/* CSV schema version written in every row and in meta. */
#define OUTPUT_SCHEMA 1

/* An open results folder. */
struct output {
	char run_id[320];        /* <host>_<kernel>_<UTC> */
	char tmp[PATH_MAX];      /* the .partial folder while running */
	char final[PATH_MAX];    /* the folder once closed */
	int summary_fd;          /* summary.csv */
	int samples_fd;          /* samples.csv */
	struct meta *meta;       /* fingerprint, rewritten at close */
	int err;                 /* first write error (-errno), 0 if none */
};

/* Create the folder under parent (made if missing) and write the CSV
 * headers and meta (complete=false).  0 or -errno (message on stderr). */
int output_open(struct output *o, const char *parent, struct meta *meta);
/* runner_sink callbacks (arg = struct output *). */
int output_result(void *arg, const struct runner_result *r);
int output_fit(void *arg, const struct runner_config *cfg, size_t npoints,
	       double slope, double lo, double hi, double intercept);
/* Finish: meta with complete and finished_utc, rename to the final name.
 * 0 or -errno. */
int output_close(struct output *o, bool complete);

#endif
