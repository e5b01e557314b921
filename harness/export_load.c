/*
 * export_load.c - a run folder loaded for export: meta.csv, summary.csv and
 * samples.csv read with csv.c, their columns found by name, and each
 * table's rows indexed by key, metric, round and sample (sorted), so that
 * the plan (export.c) and the writers find a configuration's rows.  A run
 * that is not one - a missing or compressed file, a column missing, a
 * number that is not one - is refused in one line (EXIT_USAGE).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "export_plan.h"
#include "output.h"

/* The key columns' names in summary.csv and samples.csv (EK_ order). */
static const char *const export_key_cols[EK_N] = {
	"bench", "variant", "sweep", "x", "placement",
};

/* ------------------------------------------------------------------------
 * Loading the run.
 */

int export_parse_count(const char *s, unsigned long long *out)
{
	size_t n = strspn(s, "0123456789");

	if (n == 0 || n > 18 || s[n])
		return -EINVAL;
	*out = strtoull(s, NULL, 10);
	return 0;
}

/* Key, then metric, then round and sample: a configuration's samples of one
 * metric end up together, in the order they were taken. */
static int export_ref_cmp(const void *pa, const void *pb)
{
	const struct export_ref *a = pa, *b = pb;
	int c;

	for (int k = 0; k < EK_N; k++)
		if ((c = strcmp(a->k[k], b->k[k])) != 0)
			return c;
	if ((c = strcmp(a->metric, b->metric)) != 0)
		return c;
	if (a->round != b->round)
		return a->round < b->round ? -1 : 1;
	if (a->sample != b->sample)
		return a->sample < b->sample ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* The refs of (key of `like`, metric) in sorted refs[0..n): the first, and
 * their count in *count (0: NULL). */
const struct export_ref *export_find(const struct export_ref *refs, size_t n,
				     const struct export_ref *like, const char *metric,
				     size_t *count)
{
	struct export_ref probe = *like;
	size_t lo = 0, hi = n, end;

	probe.metric = metric;
	probe.round = probe.sample = 0;
	probe.row = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (export_ref_cmp(&refs[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < n; end++) {
		int same = strcmp(refs[end].metric, metric) == 0;

		for (int k = 0; same && k < EK_N; k++)
			same = strcmp(refs[end].k[k], like->k[k]) == 0;
		if (!same)
			break;
	}
	*count = end - lo;
	return end > lo ? &refs[lo] : NULL;
}

const char *export_meta_get(const struct export_run *r, const char *key)
{
	for (size_t i = 0; i < r->meta.nrows; i++)
		if (strcmp(r->meta.rows[i][r->meta_key], key) == 0)
			return r->meta.rows[i][r->meta_value];
	return NULL;
}

/* Load RUN/name into t.  0 or EXIT_USAGE after one line on stderr. */
static int export_load_table(const struct export_run *r, const char *name, struct csv_table *t)
{
	char path[PATH_MAX + 32], gz[PATH_MAX + 40];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", r->dir, name) >= sizeof(path))
		return cli_usage_error("export: '%s': path too long", r->dir);
	snprintf(gz, sizeof(gz), "%s.gz", path);
	if (stat(path, &st) < 0 && errno == ENOENT && stat(gz, &st) == 0)
		return cli_usage_error("export: %s is compressed: gunzip it first (export reads %s)",
				       gz, name);
	if (csv_table_load(t, path) < 0)
		return cli_usage_error("export: %s", t->err);
	return 0;
}

/* The column `name` of t into *col; EXIT_USAGE after one line if it has none. */
static int export_col(const struct export_run *r, const struct csv_table *t, const char *file,
		      const char *name, int *col)
{
	*col = csv_table_col(t, name);
	if (*col < 0)
		return cli_usage_error("export: %s/%s: missing column '%s'", r->dir, file, name);
	return 0;
}

/* Sorted refs over the rows of t (samples: with round and sample parsed).
 * 0, EXIT_USAGE (a bad round or sample index) or 1 (out of memory). */
static int export_index(const struct export_run *r, const struct csv_table *t, int samples,
			struct export_ref **out)
{
	const int *key = samples ? r->smp_key : r->sum_key;
	struct export_ref *refs = calloc(t->nrows ? t->nrows : 1, sizeof(*refs));

	if (!refs) {
		fprintf(stderr, "primbench: export: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < t->nrows; i++) {
		struct export_ref *e = &refs[i];
		int bad = -1;

		for (int k = 0; k < EK_N; k++)
			e->k[k] = t->rows[i][key[k]];
		e->metric = t->rows[i][samples ? r->smp_metric : r->sum_metric];
		e->row = i;
		e->round = samples ? 1 : 0;
		if (samples && r->smp_round >= 0 &&
		    (export_parse_count(t->rows[i][r->smp_round], &e->round) < 0 || e->round == 0))
			bad = r->smp_round;
		else if (samples && export_parse_count(t->rows[i][r->smp_sample], &e->sample) < 0)
			bad = r->smp_sample;
		if (bad >= 0) {
			free(refs);
			return cli_usage_error("export: %s/samples.csv:%zu: %s '%s' is not a whole "
					       "number%s", r->dir, i + 2, t->header[bad],
					       t->rows[i][bad], bad == r->smp_round ? " from 1" : "");
		}
	}
	qsort(refs, t->nrows, sizeof(*refs), export_ref_cmp);
	*out = refs;
	return 0;
}

/* The inverse of r->sums' order, so that a summary row finds its ref.
 * 0 or 1 (out of memory). */
static int export_sum_refs(struct export_run *r)
{
	r->sum_ref = calloc(r->sum.nrows ? r->sum.nrows : 1, sizeof(*r->sum_ref));
	if (!r->sum_ref) {
		fprintf(stderr, "primbench: export: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < r->sum.nrows; i++)
		r->sum_ref[r->sums[i].row] = i;
	return 0;
}

void export_run_free(struct export_run *r)
{
	csv_table_free(&r->meta);
	csv_table_free(&r->sum);
	csv_table_free(&r->smp);
	free(r->sums);
	free(r->sum_ref);
	free(r->smps);
}

/* Load and check RUN.  0, EXIT_USAGE (one line on stderr) or 1 (memory). */
int export_run_load(struct export_run *r, const char *dir)
{
	const char *schema, *complete;
	unsigned long long v;
	struct stat st;
	char path[PATH_MAX + 16];
	int rc;

	memset(r, 0, sizeof(*r));
	r->dir = dir;
	if (stat(dir, &st) < 0)
		return cli_usage_error("export: run folder '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_usage_error("export: '%s' is not a results folder (not a folder)", dir);
	if ((size_t)snprintf(path, sizeof(path), "%s/meta.csv", dir) >= sizeof(path))
		return cli_usage_error("export: '%s': path too long", dir);
	if (access(path, F_OK) < 0)
		return cli_usage_error("export: '%s' is not a results folder (no meta.csv)", dir);
	rc = export_load_table(r, "meta.csv", &r->meta);
	if (rc == 0)
		rc = export_col(r, &r->meta, "meta.csv", "key", &r->meta_key);
	if (rc == 0)
		rc = export_col(r, &r->meta, "meta.csv", "value", &r->meta_value);
	if (rc)
		return rc;
	schema = export_meta_get(r, "schema");
	if (!schema || export_parse_count(schema, &v) < 0 || v < 1 || v > OUTPUT_SCHEMA)
		return cli_usage_error("export: %s/meta.csv: schema '%s': this primbench reads "
				       "schema 1 to %d", dir, schema ? schema : "(none)", OUTPUT_SCHEMA);
	complete = export_meta_get(r, "complete");
	if (!complete || strcmp(complete, "true") != 0)
		fprintf(stderr, "primbench: export: warning: run '%s' is incomplete (meta "
			"complete=false); exported as it is\n", dir);

	{
		/* The columns export reads, besides the keys and statistics. */
		const struct {
			struct csv_table *t;    /* its table */
			const char *file;       /* the table's file */
			const char *name;       /* the column */
			int *col;               /* where its index goes */
		} cols[] = {
			{ &r->sum, "summary.csv", "metric", &r->sum_metric },
			{ &r->sum, "summary.csv", "n", &r->sum_n },
			{ &r->sum, "summary.csv", "status", &r->sum_status },
			{ &r->sum, "summary.csv", "validation", &r->sum_validation },
			{ &r->smp, "samples.csv", "metric", &r->smp_metric },
			{ &r->smp, "samples.csv", "sample", &r->smp_sample },
			{ &r->smp, "samples.csv", "iters", &r->smp_iters },
			{ &r->smp, "samples.csv", "value", &r->smp_value },
		};

		rc = export_load_table(r, "summary.csv", &r->sum);
		if (rc == 0)
			rc = export_load_table(r, "samples.csv", &r->smp);
		for (int k = 0; rc == 0 && k < EK_N; k++) {
			rc = export_col(r, &r->sum, "summary.csv", export_key_cols[k], &r->sum_key[k]);
			if (rc == 0)
				rc = export_col(r, &r->smp, "samples.csv", export_key_cols[k],
						&r->smp_key[k]);
		}
		for (size_t c = 0; rc == 0 && c < sizeof(cols) / sizeof(cols[0]); c++)
			rc = export_col(r, cols[c].t, cols[c].file, cols[c].name, cols[c].col);
		for (size_t a = 0; rc == 0 && a < EXPORT_NAGG; a++)
			rc = export_col(r, &r->sum, "summary.csv", export_aggs[a].col, &r->sum_agg[a]);
	}
	/* Schema 1 has no round column: its samples are one round. */
	r->smp_round = -1;
	if (rc == 0 && v >= 2)
		rc = export_col(r, &r->smp, "samples.csv", "round", &r->smp_round);
	if (rc == 0)
		rc = export_index(r, &r->sum, 0, &r->sums);
	if (rc == 0)
		rc = export_sum_refs(r);
	if (rc == 0)
		rc = export_index(r, &r->smp, 1, &r->smps);
	return rc;
}
