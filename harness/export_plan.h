/*
 * export_plan.h - what export's files share: the run as loaded, the plan
 * of what is exported, and the helpers both writers read it with.
 * export.c loads and plans (and is the command); export_gbench.c and
 * export_benchstat.c each write one format from the plan.  Internal to
 * export; export.h is the interface.
 */
#ifndef PRIMBENCH_EXPORT_PLAN_H
#define PRIMBENCH_EXPORT_PLAN_H

#include <stddef.h>
#include <stdio.h>

#include "csv.h"
#include "export.h"

/* The key columns of a configuration, in the order names are built. */
enum { EK_BENCH, EK_VARIANT, EK_SWEEP, EK_X, EK_PLACEMENT, EK_N };

/* One row of summary.csv or samples.csv, for sorting and looking up. */
struct export_ref {
	const char *k[EK_N];     /* key parts, borrowed from the table */
	const char *metric;      /* metric name */
	unsigned long long round; /* samples: round (1 in schema 1); summary: 0 */
	unsigned long long sample; /* samples: index within its round; summary: 0 */
	size_t row;              /* row index in its table */
};

/* The throughput metrics that ride on a time result (bytes_per_s,
 * msgs_per_s; export.c's export_thr_metric names them, and each writer
 * has its own names for them in this order). */
enum { ET_BYTES, ET_MSGS, ET_N };

/* A summary.csv statistic written as a gbench aggregate. */
struct export_agg {
	const char *name;        /* aggregate_name */
	const char *col;         /* summary.csv column */
	double div;              /* cv_pct is a percentage, gbench's cv a fraction */
};
/* How many, and which (export.c): loading finds their columns, gbench
 * writes them. */
#define EXPORT_NAGG 10
extern const struct export_agg export_aggs[EXPORT_NAGG];

/* A run folder, loaded. */
struct export_run {
	const char *dir;         /* the folder as given */
	struct csv_table meta;   /* meta.csv */
	struct csv_table sum;    /* summary.csv */
	struct csv_table smp;    /* samples.csv */
	int meta_key, meta_value; /* meta.csv columns */
	int sum_key[EK_N];       /* summary.csv key columns */
	int sum_metric, sum_n, sum_status, sum_validation; /* summary.csv columns */
	int sum_agg[EXPORT_NAGG]; /* summary.csv column of each aggregate */
	int smp_key[EK_N];       /* samples.csv key columns */
	int smp_metric, smp_sample, smp_iters, smp_value; /* samples.csv columns */
	int smp_round;           /* samples.csv round column, -1 in schema 1 */
	struct export_ref *sums; /* summary rows, sorted */
	size_t *sum_ref;         /* sum_ref[row]: where summary row `row` is in sums */
	struct export_ref *smps; /* samples rows, sorted */
};

/* One exported configuration. */
struct export_cfg {
	size_t row;              /* its ns_per_op row in summary.csv */
	const struct export_ref *smp; /* its ns_per_op samples, by round then sample */
	size_t n;                /* how many */
	long thr_row[ET_N];      /* summary row of each throughput metric, -1 if none */
	const struct export_ref *thr[ET_N]; /* each throughput metric's samples */
	size_t thr_n[ET_N];      /* how many */
	unsigned family;         /* gbench family_index: its (bench, variant) */
	unsigned instance;       /* gbench per_family_instance_index */
	char name[EXPORT_NAME_MAX]; /* the name in the chosen format */
};

/* What the export holds, and what it leaves out. */
struct export_plan {
	struct export_cfg *cfg;  /* the configurations exported, in summary order */
	size_t ncfg;             /* how many */
	char *left_out;          /* what is left out: sentences, one a line */
	size_t left_out_len;     /* its length */
	char *left_joined;       /* the same on one line, "; " between sentences */
};

/* A whole number of 1 to 18 digits (a round, a sample index, iterations).
 * 0 or -EINVAL. */
int export_parse_count(const char *s, unsigned long long *out);
/* meta.csv's value of key (the first row that has it), or NULL. */
const char *export_meta_get(const struct export_run *r, const char *key);
/* export_load.c: the run folder dir into r (0, or EXIT_USAGE after one
 * line); its memory back; the refs of (key of like, metric) in sorted
 * refs[0..n), the first and their count in *count (NULL, 0: none). */
int export_run_load(struct export_run *r, const char *dir);
void export_run_free(struct export_run *r);
const struct export_ref *export_find(const struct export_ref *refs, size_t n,
				     const struct export_ref *like, const char *metric,
				     size_t *count);
/* Field `col` of summary row `row` as a number; NAN when empty, not one,
 * or row < 0. */
double export_sum_num(const struct export_run *r, long row, int col);
/* The value of a sample (checked to be a number when it was planned). */
double export_value(const struct export_run *r, const struct export_ref *s);
/* Throughput t of ns_per_op sample i of c: the sample of that metric with
 * the same round and index, into *v.  1 found, 0 none. */
int export_thr_value(const struct export_run *r, const struct export_cfg *c, int t,
		     size_t i, double *v);
/* A finite number, in the shortest form that reads back the same (as
 * JSON and as the Go format's value alike). */
void export_num(FILE *f, double v);

/* The export of r as planned in p, to f: google/benchmark JSON
 * (export_gbench.c), the Go benchmark format (export_benchstat.c). */
void export_gbench(FILE *f, const struct export_run *r, const struct export_plan *p);
void export_benchstat(FILE *f, const struct export_run *r, const struct export_plan *p);

#endif
