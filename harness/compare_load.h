/*
 * compare_load.h - the runs of a comparison: loading and checking their
 * folders (compare_load.c) and joining their rows into keys
 * (compare_join.c).  Internal to compare; compare.h is the interface.
 */
#ifndef PRIMBENCH_COMPARE_LOAD_H
#define PRIMBENCH_COMPARE_LOAD_H

#include <stddef.h>

#include "compare.h"
#include "csv.h"

/* The key columns, in join order. */
#define COMPARE_NKEY 6
enum { KEY_BENCH, KEY_VARIANT, KEY_SWEEP, KEY_X, KEY_PLACEMENT, KEY_METRIC };

/* One results folder, loaded and validated. */
struct compare_run {
	char *dir;                    /* folder (owned) */
	const char *label;            /* "base" or "cand", for messages */
	int side;                     /* 0 base, 1 candidate */
	struct csv_table summary;     /* summary.csv */
	struct csv_table samples;     /* samples.csv */
	struct csv_table meta;        /* meta.csv */
	int sum_key[COMPARE_NKEY];    /* summary.csv column of each key part */
	int sum_schema;               /* summary.csv "schema" column */
	int sum_unit;                 /* summary.csv "unit" column */
	int sum_status;               /* summary.csv "status" column */
	int sum_note;                 /* summary.csv "note" column */
	int sum_validation;           /* summary.csv "validation" column */
	int smp_key[COMPARE_NKEY];    /* samples.csv column of each key part */
	int smp_schema;               /* samples.csv "schema" column */
	int smp_value;                /* samples.csv "value" column */
	int smp_round;                /* samples.csv "round" column, -1 (schema 1) */
	int meta_key;                 /* meta.csv "key" column */
	int meta_value;               /* meta.csv "value" column */
	long schema;                  /* schema version, one for the whole run */
	int incomplete;               /* meta complete=false */
	size_t ok_rows;               /* summary rows with status ok */
};

/* A growable list of runs. */
struct compare_runs {
	struct compare_run *r;        /* entries */
	size_t n, cap;                /* used, allocated */
};

/* One meta key whose value differs (NULL: absent on that side). */
struct compare_fp {
	const char *key;              /* meta key */
	const char *base;             /* base value, NULL if absent */
	const char *cand;             /* candidate value, NULL if absent */
};

/* One row of a run's samples.csv or summary.csv, for the sort-join. */
struct compare_ref {
	const char *k[COMPARE_NKEY];  /* key parts, borrowed from the table */
	double x;                     /* numeric x; NAN when x is empty */
	int side;                     /* 0 base, 1 candidate */
	int is_summary;               /* 0 a samples.csv row, 1 a summary.csv row */
	unsigned run;                 /* index of the run in the list */
	unsigned round;               /* round within its run (1 for schema 1) */
	size_t row;                   /* row index in its table */
	double value;                 /* the sample value (samples rows only) */
};

/* Storage for what the join derives per item (the items borrow it). */
struct compare_join_extra {
	char skip[256];               /* skip_note text */
	char extra[64];               /* extra_note text (validation) */
};

/* Everything the join allocates. */
struct compare_join {
	struct compare_ref *refs;     /* every row of every run, sorted by key */
	double *vals;                 /* sample values in refs order */
	unsigned *units;              /* round ids in refs order: one per (run, round) */
	struct compare_item *items;   /* one per distinct key, in key order */
	struct compare_join_extra *extra; /* parallel to items */
	size_t nitems;                /* items filled */
};

/* Report a one-line error into err. Always returns -EINVAL. */
int compare_err(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A run's meta value for key (the first row with it), NULL if absent. */
const char *compare_meta_get(const struct compare_run *r, const char *key);
/* A meta value of a run as a number, NAN if absent or not one. */
double compare_meta_num(const struct compare_run *r, const char *key);
/* A round: a whole number from 1.  0 or -EINVAL. */
int compare_parse_round(const char *s, unsigned *out);
/* A folder given on the command line: a run (it has meta.csv), or a folder
 * whose sub-folders are runs (each with meta.csv), taken in name order,
 * added to l for side (0 base, 1 cand).  Hidden entries (a .partial run
 * still being written) are not runs.  0 or -EINVAL with err set. */
int compare_expand(struct compare_runs *l, const char *arg, int side, char *err, size_t len);
/* Load and validate one results folder.  0 or -errno with err set; on
 * error nothing stays allocated but r->dir. */
int compare_run_load(struct compare_run *r, char *err, size_t len);
/* Free what compare_runs_add and compare_run_load allocated. */
void compare_run_free(struct compare_run *r);
/* Every meta key whose value differs, base order first, then keys only the
 * candidate has.  runs[0] is the base, runs[1] the candidate; fp must hold
 * base + cand meta rows.  Returns the count. */
size_t compare_fingerprint(const struct compare_run *runs, struct compare_fp *fp);
/* Join every run into j->items, one per distinct key, in key order.  0,
 * -ENOMEM, or -EINVAL with err set (a key with two summary rows in one
 * run).  The caller calls compare_join_free in every case. */
int compare_join(struct compare_join *j, const struct compare_runs *runs, char *err, size_t len);
void compare_join_free(struct compare_join *j);

#endif
