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
#include "summarise.h"

/* CSV schema version written in every row and in meta. */
#define OUTPUT_SCHEMA 2

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
/* samples.csv rows of one visit (its round from 1), written as it ends,
 * so that a killed run keeps every finished visit's samples.  0 or -errno. */
int output_visit(struct output *o, unsigned round, const struct runner_result *r);
/* One summary.csv row (and the samples behind a fit row); a summ_row_fn
 * with arg = struct output *.  0 or -errno. */
int output_row(void *arg, const struct summ_row *r);
/* Finish: meta with complete and finished_utc, rename to the final name.
 * 0 or -errno. */
int output_close(struct output *o, bool complete);

#endif
