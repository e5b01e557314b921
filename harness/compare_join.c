/*
 * compare_join.c - the rows of every run of both sides joined on their key
 * (bench, variant, sweep, x, placement, metric) into one compare_item per
 * key: a sort of every row, then one pass over the groups of equal keys.
 */
#include "compare_load.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "note.h"

/* Order of keys: text parts by strcmp; x empty first, then numerically
 * (x was checked to be empty or a number, so this is a total order). */
static int compare_key_cmp(const struct compare_ref *a, const struct compare_ref *b)
{
	int k, c, ae, be;

	for (k = 0; k < COMPARE_NKEY; k++) {
		if (k != KEY_X) {
			c = strcmp(a->k[k], b->k[k]);
			if (c)
				return c;
			continue;
		}
		ae = !a->k[k][0];
		be = !b->k[k][0];
		if (ae != be)
			return ae ? -1 : 1;
		if (!ae && a->x != b->x)
			return a->x < b->x ? -1 : 1;
	}
	return 0;
}

/* Key, then side, then summary rows after samples, then run and round:
 * each side's samples of one round end up next to each other. */
static int compare_ref_cmp(const void *pa, const void *pb)
{
	const struct compare_ref *a = pa, *b = pb;
	int c = compare_key_cmp(a, b);

	if (c)
		return c;
	if (a->side != b->side)
		return a->side - b->side;
	if (a->is_summary != b->is_summary)
		return a->is_summary - b->is_summary;
	if (a->run != b->run)
		return a->run < b->run ? -1 : 1;
	if (a->round != b->round)
		return a->round < b->round ? -1 : 1;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* Add one table's rows to refs at *n. */
static void compare_add_refs(struct compare_ref *refs, size_t *n, const struct compare_run *run,
			     unsigned run_idx, int is_summary)
{
	const struct csv_table *t = is_summary ? &run->summary : &run->samples;
	const int *keycol = is_summary ? run->sum_key : run->smp_key;
	size_t i;
	int k;

	for (i = 0; i < t->nrows; i++) {
		struct compare_ref *r = &refs[(*n)++];

		for (k = 0; k < COMPARE_NKEY; k++)
			r->k[k] = t->rows[i][keycol[k]];
		r->x = NAN;
		if (r->k[KEY_X][0])
			csv_parse_double(r->k[KEY_X], &r->x, 0);
		r->side = run->side;
		r->is_summary = is_summary;
		r->run = run_idx;
		r->round = 1;
		if (!is_summary && run->smp_round >= 0)
			compare_parse_round(t->rows[i][run->smp_round], &r->round);
		r->row = i;
		r->value = NAN;
		if (!is_summary)
			csv_parse_double(t->rows[i][run->smp_value], &r->value, 0);
	}
}

/* Describe a non-ok summary row of one run into buf ("base skipped: why"). */
static void compare_skip_text(char *buf, size_t len, const struct compare_run *r,
			      size_t row)
{
	const char *note = r->summary.rows[row][r->sum_note];

	note_append(buf, len, "%s %s%s%s", r->label, r->summary.rows[row][r->sum_status],
		    note[0] ? ": " : "", note);
}

/* Build one item from refs[lo, hi), which share one key. */
static int compare_join_item(struct compare_join *j, size_t lo, size_t hi,
			     const struct compare_runs *runs, char *err, size_t len)
{
	struct compare_item *it = &j->items[j->nitems];
	struct compare_join_extra *ex = &j->extra[j->nitems];
	const struct compare_ref *r, *prev_sum = NULL;
	const struct compare_run *run;
	size_t i;

	memset(it, 0, sizeof(*it));
	memset(ex, 0, sizeof(*ex));
	it->bench = j->refs[lo].k[KEY_BENCH];
	it->variant = j->refs[lo].k[KEY_VARIANT];
	it->sweep = j->refs[lo].k[KEY_SWEEP];
	it->x = j->refs[lo].k[KEY_X];
	it->placement = j->refs[lo].k[KEY_PLACEMENT];
	it->metric = j->refs[lo].k[KEY_METRIC];
	it->unit = "";

	for (i = lo; i < hi; i++) {
		r = &j->refs[i];
		run = &runs->r[r->run];
		if (r->side == 0)
			it->in_base = 1;
		else
			it->in_cand = 1;
		if (!r->is_summary) {
			j->vals[i] = r->value;
			/* Rounds of different runs are different rounds. */
			j->units[i] = r->run * 1000003u + r->round;
			if (r->side == 0 && it->base_n++ == 0) {
				it->base = &j->vals[i];
				it->base_round = &j->units[i];
			}
			if (r->side == 1 && it->cand_n++ == 0) {
				it->cand = &j->vals[i];
				it->cand_round = &j->units[i];
			}
			continue;
		}
		if (prev_sum && prev_sum->run == r->run)
			return compare_err(err, len, "%s/summary.csv:%zu: second row for "
					   "%s/%s/%s=%s/%s/%s", run->dir, r->row + 2,
					   it->bench, it->variant, it->sweep, it->x,
					   it->placement, it->metric);
		prev_sum = r;
		if (!it->unit[0])
			it->unit = run->summary.rows[r->row][run->sum_unit];
		if (strcmp(run->summary.rows[r->row][run->sum_status], "ok") != 0)
			compare_skip_text(ex->skip, sizeof(ex->skip), run, r->row);
		if (strcmp(run->summary.rows[r->row][run->sum_validation], "fail") == 0)
			note_append(ex->extra, sizeof(ex->extra), "validation=fail in %s",
				    run->label);
	}
	it->skip_note = ex->skip[0] ? ex->skip : NULL;
	it->extra_note = ex->extra[0] ? ex->extra : NULL;
	j->nitems++;
	return 0;
}

int compare_join(struct compare_join *j, const struct compare_runs *runs, char *err,
		 size_t len)
{
	size_t total = 0, n = 0, lo, hi;
	int rc;

	memset(j, 0, sizeof(*j));
	for (size_t i = 0; i < runs->n; i++)
		total += runs->r[i].samples.nrows + runs->r[i].summary.nrows;
	j->refs = malloc((total ? total : 1) * sizeof(*j->refs));
	j->vals = malloc((total ? total : 1) * sizeof(*j->vals));
	j->units = malloc((total ? total : 1) * sizeof(*j->units));
	j->items = malloc((total ? total : 1) * sizeof(*j->items));
	j->extra = malloc((total ? total : 1) * sizeof(*j->extra));
	if (!j->refs || !j->vals || !j->units || !j->items || !j->extra) {
		snprintf(err, len, "out of memory joining %zu rows", total);
		return -ENOMEM;
	}
	for (size_t i = 0; i < runs->n; i++) {
		compare_add_refs(j->refs, &n, &runs->r[i], (unsigned)i, 0);
		compare_add_refs(j->refs, &n, &runs->r[i], (unsigned)i, 1);
	}
	qsort(j->refs, n, sizeof(*j->refs), compare_ref_cmp);
	for (lo = 0; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && compare_key_cmp(&j->refs[lo], &j->refs[hi]) == 0;
		     hi++)
			;
		rc = compare_join_item(j, lo, hi, runs, err, len);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void compare_join_free(struct compare_join *j)
{
	free(j->extra);
	free(j->items);
	free(j->units);
	free(j->vals);
	free(j->refs);
	memset(j, 0, sizeof(*j));
}
