/*
 * compare_report.h - the reporters of compare (compare_report.c): what
 * they are handed, compare.csv, the text and markdown reports.  Internal
 * to compare; compare.h is the interface.
 */
#ifndef PRIMBENCH_COMPARE_REPORT_H
#define PRIMBENCH_COMPARE_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "compare.h"
#include "compare_load.h"
#include "csv.h"

enum compare_format { COMPARE_FMT_TEXT, COMPARE_FMT_MD, COMPARE_FMT_CSV };

/* Everything a reporter needs. */
struct compare_report {
	const struct compare_runs *runs; /* every run, base first */
	const struct compare_fp *fp;  /* fingerprint differences (first runs) */
	size_t nfp;                   /* entries in fp */
	char hardware[512];           /* "different hardware: ..." or "" */
	struct compare_host host;     /* the host's state on each side */
	const struct compare_opts *opts; /* options used */
	int accel_forced;             /* accelerators differ and --force was given */
	int incomplete[2];            /* a base / cand run says complete=false */
	const struct compare_item *items; /* every key, in key order */
	size_t n;                     /* entries in items */
	const struct compare_summary *sum; /* counts and geomeans */
	int all;                      /* --all: every key, not only what matters */
	int status;                   /* the exit status */
	char reason[512];             /* why the gate failed or could not judge */
};

/* compare.csv of the items, header first, into b.  0 or -ENOMEM. */
int compare_csv_build(const struct compare_item *items, size_t n, struct csv_buf *b);
/* The text report: sides, warnings, summary, fingerprint, keys, geomeans
 * per family, method. */
void compare_print_text(FILE *f, const struct compare_report *rep);
/* The markdown report, under a pull-request comment's size (f must be
 * seekable for the budget to hold: a memory stream). */
void compare_print_md(FILE *f, const struct compare_report *rep);

#endif
