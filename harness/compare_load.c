/*
 * compare_load.c - the runs of a comparison read from their folders: a
 * folder given on the command line expanded into runs, each run's
 * meta.csv, summary.csv and samples.csv loaded and checked, and the meta
 * keys that differ between the two sides.  Every check runs before
 * anything is written, so that bad input leaves no file behind.
 */
#include "compare_load.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The key columns' names, in join order. */
static const char *const compare_key_names[COMPARE_NKEY] = {
	"bench", "variant", "sweep", "x", "placement", "metric",
};

/* Meta keys that differ between any two runs and so say nothing. */
static const char *const compare_meta_ignored[] = {
	"run_id", "started_utc", "finished_utc", "seed", "run_args",
	/* Re-measured at every start: they differ in the last digits between
	 * any two runs; a real change is reported as "different hardware". */
	"tsc_hz", "timer_overhead_ns",
};

/* Highest run schema this reader knows. */
#define COMPARE_RUN_SCHEMA_MAX 2

int compare_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *compare_meta_get(const struct compare_run *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->meta.nrows; i++)
		if (strcmp(r->meta.rows[i][r->meta_key], key) == 0)
			return r->meta.rows[i][r->meta_value];
	return NULL;
}

/* Strict positive integer (a schema version).  0 or -EINVAL. */
static int compare_parse_schema(const char *s, long *out)
{
	char *end;
	long v;

	if (!s[0] || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < 1)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Find a required column.  0 or -EINVAL with err set. */
static int compare_col(const struct csv_table *t, const char *path, const char *name,
		       int *col, char *err, size_t len)
{
	*col = csv_table_col(t, name);
	if (*col < 0)
		return compare_err(err, len, "%s: missing column '%s'", path, name);
	return 0;
}

/* Load one CSV file of a run into t.  0 or -errno with err set. */
static int compare_load_table(const char *dir, const char *file, struct csv_table *t,
			      char *path, size_t path_len, char *err, size_t len)
{
	int rc;

	if ((size_t)snprintf(path, path_len, "%s/%s", dir, file) >= path_len)
		return compare_err(err, len, "%s/%s: path too long", dir, file);
	rc = csv_table_load(t, path);
	if (rc < 0)
		snprintf(err, len, "%s", t->err);
	return rc;
}

/* Check the schema column of every row against the run's schema. */
static int compare_check_schema(const struct compare_run *r, const struct csv_table *t,
				int col, const char *path, char *err, size_t len)
{
	size_t i;
	long v;

	for (i = 0; i < t->nrows; i++) {
		if (compare_parse_schema(t->rows[i][col], &v) < 0 || v != r->schema)
			return compare_err(err, len,
					   "%s:%zu: schema '%s' (meta.csv says %ld)",
					   path, i + 2, t->rows[i][col], r->schema);
	}
	return 0;
}

/* x is a number or empty, per the CSV contract; anything else would also
 * break the key order.  0 or -EINVAL. */
static int compare_check_x(const struct csv_table *t, int col, const char *path,
			   char *err, size_t len)
{
	const char *x;
	size_t i;
	double v;

	for (i = 0; i < t->nrows; i++) {
		x = t->rows[i][col];
		if (x[0] && csv_parse_double(x, &v, 0) < 0)
			return compare_err(err, len, "%s:%zu: x '%s' is not a number",
					   path, i + 2, x);
	}
	return 0;
}

/* Every row's run_id (when the file has the column) is the meta's: rows
 * pasted in from another run would otherwise be judged as this one's. */
static int compare_check_run_id(const struct compare_run *r, const struct csv_table *t,
				const char *path, char *err, size_t len)
{
	const char *id = compare_meta_get(r, "run_id");
	int col = csv_table_col(t, "run_id");

	if (!id || col < 0)
		return 0;
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i][col], id) != 0)
			return compare_err(err, len, "%s:%zu: run_id '%s' is not the run's (%s)",
					   path, i + 2, t->rows[i][col], id);
	return 0;
}

/* A round: a whole number from 1.  0 or -EINVAL. */
int compare_parse_round(const char *s, unsigned *out)
{
	long v;

	if (compare_parse_schema(s, &v) < 0 || v > 1000000)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

int compare_run_load(struct compare_run *r, char *err, size_t len)
{
	static const char *const statuses[] = { "ok", "skipped", "failed", "timeout" };
	const char *dir = r->dir;
	char path[PATH_MAX];
	const char *schema, *st, *complete;
	size_t i, j;
	unsigned rnd;
	double v;
	int rc, k;

	rc = compare_load_table(dir, "meta.csv", &r->meta, path, sizeof(path), err, len);
	if (rc < 0)
		goto out_free;
	rc = compare_col(&r->meta, path, "key", &r->meta_key, err, len);
	if (rc == 0)
		rc = compare_col(&r->meta, path, "value", &r->meta_value, err, len);
	if (rc < 0)
		goto out_free;
	schema = compare_meta_get(r, "schema");
	if (!schema) {
		rc = compare_err(err, len, "%s: no 'schema' key", path);
		goto out_free;
	}
	if (compare_parse_schema(schema, &r->schema) < 0) {
		rc = compare_err(err, len, "%s: schema '%s' is not a positive integer",
				 path, schema);
		goto out_free;
	}
	if (r->schema > COMPARE_RUN_SCHEMA_MAX) {
		rc = compare_err(err, len, "%s: schema %ld is newer than this primbench reads "
				 "(1 to %d)", path, r->schema, COMPARE_RUN_SCHEMA_MAX);
		goto out_free;
	}
	complete = compare_meta_get(r, "complete");
	r->incomplete = !complete || strcmp(complete, "true") != 0;

	rc = compare_load_table(dir, "summary.csv", &r->summary, path, sizeof(path),
				err, len);
	if (rc < 0)
		goto out_free;
	for (k = 0; k < COMPARE_NKEY && rc == 0; k++)
		rc = compare_col(&r->summary, path, compare_key_names[k], &r->sum_key[k],
				 err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "schema", &r->sum_schema, err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "unit", &r->sum_unit, err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "status", &r->sum_status, err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "note", &r->sum_note, err, len);
	if (rc == 0)
		rc = compare_col(&r->summary, path, "validation", &r->sum_validation,
				 err, len);
	if (rc == 0)
		rc = compare_check_schema(r, &r->summary, r->sum_schema, path, err, len);
	if (rc == 0)
		rc = compare_check_run_id(r, &r->summary, path, err, len);
	if (rc == 0)
		rc = compare_check_x(&r->summary, r->sum_key[KEY_X], path, err, len);
	if (rc < 0)
		goto out_free;
	for (i = 0; i < r->summary.nrows; i++) {
		st = r->summary.rows[i][r->sum_status];
		for (j = 0; j < sizeof(statuses) / sizeof(statuses[0]); j++)
			if (strcmp(st, statuses[j]) == 0)
				break;
		if (j == sizeof(statuses) / sizeof(statuses[0])) {
			rc = compare_err(err, len, "%s:%zu: status '%s' is not one of "
					 "ok, skipped, failed, timeout", path, i + 2, st);
			goto out_free;
		}
		if (j == 0)
			r->ok_rows++;
	}

	rc = compare_load_table(dir, "samples.csv", &r->samples, path, sizeof(path),
				err, len);
	if (rc < 0)
		goto out_free;
	for (k = 0; k < COMPARE_NKEY && rc == 0; k++)
		rc = compare_col(&r->samples, path, compare_key_names[k], &r->smp_key[k],
				 err, len);
	if (rc == 0)
		rc = compare_col(&r->samples, path, "schema", &r->smp_schema, err, len);
	if (rc == 0)
		rc = compare_col(&r->samples, path, "value", &r->smp_value, err, len);
	r->smp_round = -1;
	if (rc == 0 && r->schema >= 2)
		rc = compare_col(&r->samples, path, "round", &r->smp_round, err, len);
	if (rc == 0)
		rc = compare_check_schema(r, &r->samples, r->smp_schema, path, err, len);
	if (rc == 0)
		rc = compare_check_run_id(r, &r->samples, path, err, len);
	if (rc == 0)
		rc = compare_check_x(&r->samples, r->smp_key[KEY_X], path, err, len);
	if (rc < 0)
		goto out_free;
	for (i = 0; i < r->samples.nrows; i++) {
		if (csv_parse_double(r->samples.rows[i][r->smp_value], &v, 0) < 0) {
			rc = compare_err(err, len, "%s:%zu: value '%s' is not a finite number",
					 path, i + 2, r->samples.rows[i][r->smp_value]);
			goto out_free;
		}
		if (r->smp_round >= 0 &&
		    compare_parse_round(r->samples.rows[i][r->smp_round], &rnd) < 0) {
			rc = compare_err(err, len, "%s:%zu: round '%s' is not a whole number from 1",
					 path, i + 2, r->samples.rows[i][r->smp_round]);
			goto out_free;
		}
	}
	return 0;

out_free:
	csv_table_free(&r->samples);
	csv_table_free(&r->summary);
	csv_table_free(&r->meta);
	return rc;
}

void compare_run_free(struct compare_run *r)
{
	csv_table_free(&r->samples);
	csv_table_free(&r->summary);
	csv_table_free(&r->meta);
	free(r->dir);
	r->dir = NULL;
}

/* Append an empty run for dir on side to l.  0 or -EINVAL with err set. */
static int compare_runs_add(struct compare_runs *l, const char *dir, int side,
			    char *err, size_t len)
{
	struct compare_run *r;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct compare_run *g = realloc(l->r, cap * sizeof(*g));

		if (!g)
			return compare_err(err, len, "out of memory");
		l->r = g;
		l->cap = cap;
	}
	r = &l->r[l->n];
	memset(r, 0, sizeof(*r));
	r->side = side;
	r->label = side ? "cand" : "base";
	r->dir = strdup(dir);
	if (!r->dir)
		return compare_err(err, len, "out of memory");
	l->n++;
	return 0;
}

static int compare_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int compare_expand(struct compare_runs *l, const char *arg, int side, char *err,
		   size_t len)
{
	char path[PATH_MAX], **names = NULL;
	size_t nn = 0, cap = 0, before = l->n;
	struct dirent *e;
	struct stat sb;
	DIR *d;
	int rc = 0;

	if (stat(arg, &sb) < 0)
		return compare_err(err, len, "%s folder '%s': %s", side ? "cand" : "base", arg,
				   strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return compare_err(err, len, "%s '%s' is not a results folder",
				   side ? "cand" : "base", arg);
	if ((size_t)snprintf(path, sizeof(path), "%s/meta.csv", arg) >= sizeof(path))
		return compare_err(err, len, "%s: path too long", arg);
	if (access(path, F_OK) == 0)
		return compare_runs_add(l, arg, side, err, len);
	d = opendir(arg);
	if (!d)
		return compare_err(err, len, "%s: %s", arg, strerror(errno));
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/meta.csv", arg, e->d_name) >=
		    sizeof(path) || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
			continue;
		if (nn == cap) {
			char **g = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*g));

			if (!g) {
				rc = compare_err(err, len, "out of memory");
				break;
			}
			names = g;
		}
		names[nn] = malloc(strlen(arg) + strlen(e->d_name) + 2);
		if (!names[nn]) {
			rc = compare_err(err, len, "out of memory");
			break;
		}
		sprintf(names[nn++], "%s/%s", arg, e->d_name);
	}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof(*names), compare_name_cmp);
	for (size_t i = 0; rc == 0 && i < nn; i++)
		rc = compare_runs_add(l, names[i], side, err, len);
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc == 0 && l->n == before)
		return compare_err(err, len, "%s '%s' is not a results folder (no meta.csv in it "
				   "or in any folder inside it)", side ? "cand" : "base", arg);
	return rc;
}

static int compare_meta_ignored_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(compare_meta_ignored) / sizeof(compare_meta_ignored[0]); i++)
		if (strcmp(key, compare_meta_ignored[i]) == 0)
			return 1;
	return 0;
}

size_t compare_fingerprint(const struct compare_run *runs, struct compare_fp *fp)
{
	const struct compare_run *b = &runs[0], *c = &runs[1];
	const char *key, *bv, *cv;
	size_t i, n = 0;

	for (i = 0; i < b->meta.nrows; i++) {
		key = b->meta.rows[i][b->meta_key];
		if (compare_meta_ignored_key(key))
			continue;
		bv = b->meta.rows[i][b->meta_value];
		cv = compare_meta_get(c, key);
		if (compare_meta_get(b, key) != bv)
			continue; /* a repeated key: the first row is the one used */
		if (!cv || strcmp(bv, cv) != 0) {
			fp[n].key = key;
			fp[n].base = bv;
			fp[n].cand = cv;
			n++;
		}
	}
	for (i = 0; i < c->meta.nrows; i++) {
		key = c->meta.rows[i][c->meta_key];
		if (compare_meta_ignored_key(key) || compare_meta_get(b, key) ||
		    compare_meta_get(c, key) != c->meta.rows[i][c->meta_value])
			continue;
		fp[n].key = key;
		fp[n].base = NULL;
		fp[n].cand = c->meta.rows[i][c->meta_value];
		n++;
	}
	return n;
}

double compare_meta_num(const struct compare_run *r, const char *key)
{
	const char *s = compare_meta_get(r, key);
	double v;

	return s && csv_parse_double(s, &v, 0) == 0 ? v : NAN;
}
