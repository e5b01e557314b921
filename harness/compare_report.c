/*
 * compare_report.c - what a comparison found, written out: compare.csv
 * (built in memory; --out writes it with fileio_write_out), the text report for a
 * terminal and the markdown report for a pull-request comment.  The
 * reporters only print; every number was computed before them.
 */
#include "compare_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of compare.csv, in order. */
#define COMPARE_NCOLS 23
static const char *const compare_csv_header[COMPARE_NCOLS] = {
	"schema", "bench", "variant", "sweep", "x", "placement", "metric",
	"unit", "base_n", "cand_n", "base_p50", "cand_p50", "change_pct",
	"ci95_lo_pct", "ci95_hi_pct", "p_value", "p_adj", "verdict", "note",
	"base_rounds", "cand_rounds", "mde_pct", "gated",
};

/* Build compare.csv in memory.  0 or -ENOMEM. */
int compare_csv_build(const struct compare_item *items, size_t n, struct csv_buf *b)
{
	char num[12][40];
	const char *f[COMPARE_NCOLS];
	size_t i;
	int rc;

	rc = csv_buf_row(b, compare_csv_header, COMPARE_NCOLS);
	for (i = 0; i < n && rc == 0; i++) {
		const struct compare_item *it = &items[i];

		snprintf(num[0], sizeof(num[0]), "%zu", it->base_n);
		snprintf(num[1], sizeof(num[1]), "%zu", it->cand_n);
		csv_fmt_double(num[2], sizeof(num[2]), it->base_p50);
		csv_fmt_double(num[3], sizeof(num[3]), it->cand_p50);
		csv_fmt_double(num[4], sizeof(num[4]), it->change_pct);
		csv_fmt_double(num[5], sizeof(num[5]), it->ci95_lo_pct);
		csv_fmt_double(num[6], sizeof(num[6]), it->ci95_hi_pct);
		csv_fmt_double(num[7], sizeof(num[7]), it->p_value);
		csv_fmt_double(num[8], sizeof(num[8]), it->p_adj);
		snprintf(num[9], sizeof(num[9]), "%zu", it->base_rounds);
		snprintf(num[10], sizeof(num[10]), "%zu", it->cand_rounds);
		csv_fmt_double(num[11], sizeof(num[11]), it->mde_pct);
		f[0] = COMPARE_SCHEMA;
		f[1] = it->bench;
		f[2] = it->variant;
		f[3] = it->sweep;
		f[4] = it->x;
		f[5] = it->placement;
		f[6] = it->metric;
		f[7] = it->unit;
		f[8] = num[0];
		f[9] = num[1];
		f[10] = num[2];
		f[11] = num[3];
		f[12] = num[4];
		f[13] = num[5];
		f[14] = num[6];
		f[15] = num[7];
		f[16] = num[8];
		f[17] = compare_verdict_name(it->verdict);
		f[18] = it->note;
		f[19] = num[9];
		f[20] = num[10];
		f[21] = num[11];
		f[22] = it->gated ? "1" : "0";
		rc = csv_buf_row(b, f, COMPARE_NCOLS);
	}
	return rc;
}

/* Human number: enough digits to see a 1% change, no exponent below 1e6. */
static void compare_fmt_num(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1e6 || fabs(v) < 100)
		snprintf(buf, len, "%.4g", v);
	else
		snprintf(buf, len, "%.1f", v);
}

/* Columns of the human tables. */
enum { COL_VERDICT, COL_BENCH, COL_VARIANT, COL_SWEEP, COL_PLACEMENT, COL_METRIC,
       COL_BASE, COL_CAND, COL_CHANGE, COL_CI, COL_MDE, COL_ROUNDS, COL_PADJ, COL_NOTE,
       COL_N };
static const char *const compare_col_titles[COL_N] = {
	"verdict", "bench", "variant", "sweep", "placement", "metric",
	"base_p50", "cand_p50", "change", "ci95", "mde", "rounds", "p_adj", "note",
};
/* Right-aligned (numeric) columns. */
#define COMPARE_COL_NUMERIC(c) ((c) >= COL_BASE && (c) <= COL_PADJ)

/* "+1.2%" or "-" for a percentage. */
static void compare_fmt_pct(char *buf, size_t len, double v)
{
	if (isfinite(v))
		snprintf(buf, len, "%+.1f%%", v);
	else
		snprintf(buf, len, "-");
}

/* Text of one cell of the human tables. */
static void compare_cell(const struct compare_item *it, int col, char *buf, size_t len)
{
	switch (col) {
	case COL_VERDICT:
		snprintf(buf, len, "%s", compare_verdict_name(it->verdict));
		break;
	case COL_BENCH:
		snprintf(buf, len, "%s", it->bench);
		break;
	case COL_VARIANT:
		snprintf(buf, len, "%s", it->variant);
		break;
	case COL_SWEEP:
		if (it->sweep[0] || it->x[0])
			snprintf(buf, len, "%s=%s", it->sweep, it->x);
		else
			snprintf(buf, len, "-");
		break;
	case COL_PLACEMENT:
		snprintf(buf, len, "%s", it->placement[0] ? it->placement : "-");
		break;
	case COL_METRIC:
		snprintf(buf, len, "%s", it->metric);
		break;
	case COL_BASE:
		compare_fmt_num(buf, len, it->base_p50);
		break;
	case COL_CAND:
		compare_fmt_num(buf, len, it->cand_p50);
		break;
	case COL_CHANGE:
		compare_fmt_pct(buf, len, it->change_pct);
		break;
	case COL_CI:
		if (isfinite(it->ci95_lo_pct) && isfinite(it->ci95_hi_pct))
			snprintf(buf, len, "[%+.1f, %+.1f]", it->ci95_lo_pct, it->ci95_hi_pct);
		else
			snprintf(buf, len, "-");
		break;
	case COL_MDE:
		if (isfinite(it->mde_pct))
			snprintf(buf, len, "%.1f%%", it->mde_pct);
		else
			snprintf(buf, len, "-");
		break;
	case COL_ROUNDS:
		snprintf(buf, len, "%zu/%zu", it->base_rounds, it->cand_rounds);
		break;
	case COL_PADJ:
		if (isfinite(it->p_adj))
			snprintf(buf, len, "%.2g", it->p_adj);
		else
			snprintf(buf, len, "-");
		break;
	default:
		snprintf(buf, len, "%s", it->note);
		break;
	}
}

/* Whether a key is listed: with --all every key; else the gated keys that
 * changed, could not be decided, or are gone. */
static int compare_shown(const struct compare_report *rep, const struct compare_item *it)
{
	if (rep->all)
		return 1;
	return it->gated && (it->verdict == COMPARE_SLOWER || it->verdict == COMPARE_FASTER ||
			     it->verdict == COMPARE_UNDECIDED || it->verdict == COMPARE_GONE);
}

/* "x1.0312 (+3.1%), 95% CI [+1.0%, +5.2%], 12 keys, median mde 4.1%" for
 * a geomean. */
static void compare_fmt_geo(char *buf, size_t len, const struct compare_geo *g)
{
	int used;

	if (g->k == 0)
		used = snprintf(buf, len, "no keys with a verdict");
	else if (isfinite(g->lo))
		used = snprintf(buf, len, "x%.4f (%+.1f%%), 95%% CI [%+.1f%%, %+.1f%%], %zu key%s",
				g->geomean, 100 * (g->geomean - 1), 100 * (g->lo - 1),
				100 * (g->hi - 1), g->k, g->k == 1 ? "" : "s");
	else
		used = snprintf(buf, len, "x%.4f (%+.1f%%), no CI from %zu key", g->geomean,
				100 * (g->geomean - 1), g->k);
	if (isfinite(g->mde_median) && used > 0 && (size_t)used < len)
		snprintf(buf + used, len - (size_t)used, ", median mde %.1f%%", g->mde_median);
}

/* Whether the sides ran on a host in a different state (compare_verdict.c). */
static int compare_host_differs(const struct compare_host *h)
{
	if (!h->n[0] || !h->n[1])
		return 0;
	if (h->split)
		return fabs(h->slow_pct[1] - h->slow_pct[0]) > COMPARE_PROBE_SHARE_DIFF_PCT;
	return h->p50[1] / h->p50[0] > COMPARE_PROBE_SPLIT_RATIO ||
	       h->p50[0] / h->p50[1] > COMPARE_PROBE_SPLIT_RATIO;
}

/* One sentence on the host probe of both sides; nothing without one. */
static void compare_print_host(FILE *f, const struct compare_host *h, const char *lead)
{
	if (!h->n[0] || !h->n[1]) {
		if (h->n[0] || h->n[1])
			fprintf(f, "%sHost probe: only the %s has one (an older run).\n", lead,
				h->n[0] ? "base" : "candidate");
		return;
	}
	if (h->split)
		fprintf(f, "%sHost probe: two speeds (%.2fx apart, split at %.2f ns a turn: "
			"the slow one had less of the CPU, as under a busy SMT sibling); slow in %.0f%% of "
			"base samples, %.0f%% of candidate samples.\n", lead, h->ratio, h->cut,
			h->slow_pct[0], h->slow_pct[1]);
	else
		fprintf(f, "%sHost probe: one speed, median %.2f ns a turn (base), %.2f "
			"(candidate).\n", lead, h->p50[0], h->p50[1]);
}

/* The one paragraph a CI log needs: counts, decidability, geomean, result. */
static void compare_print_summary(FILE *f, const struct compare_report *rep, const char *bold)
{
	const struct compare_summary *s = rep->sum;
	char geo[200];

	compare_fmt_geo(geo, sizeof(geo), &s->overall);
	fprintf(f, "%sResult: %s%s\n", bold,
		rep->status == 0 ? "pass" : rep->status == 1 ? "REGRESSION" : "INCONCLUSIVE",
		bold);
	if (rep->reason[0])
		fprintf(f, "Reason: %s.\n", rep->reason);
	fprintf(f, "Gated keys (one per configuration: ns_per_op): %zu slower, %zu faster, "
		"%zu same, %zu undecided, %zu n/a, %zu skipped, %zu gone, %zu new; "
		"%zu of %zu that ran on both sides decidable (%.0f%%). ",
		s->gated_count[COMPARE_SLOWER], s->gated_count[COMPARE_FASTER],
		s->gated_count[COMPARE_SAME], s->gated_count[COMPARE_UNDECIDED],
		s->gated_count[COMPARE_NA], s->gated_count[COMPARE_SKIPPED],
		s->gated_count[COMPARE_GONE], s->gated_count[COMPARE_NEW],
		s->gated_decidable, s->gated_present,
		s->gated_present ? 100.0 * (double)s->gated_decidable / (double)s->gated_present : 0.0);
	fprintf(f, "Geomean over the tested gated keys (> 1 = slower): %s. ", geo);
	fprintf(f, "Other keys (derived metrics, counters): %zu slower, %zu faster, "
		"not gated.\n",
		s->count[COMPARE_SLOWER] - s->gated_count[COMPARE_SLOWER],
		s->count[COMPARE_FASTER] - s->gated_count[COMPARE_FASTER]);
	compare_print_host(f, &rep->host, "");
}

/* The method, one sentence per line, each line prefixed with lead. */
static void compare_print_method(FILE *f, const struct compare_report *rep,
				 const char *lead)
{
	const struct compare_opts *o = rep->opts;

	fprintf(f, "%sUnit: the round (a fresh process at a shuffled time); each side gives "
		"one median per round of each of its runs (%zu runs in all).\n", lead,
		rep->runs->n);
	fprintf(f, "%sTest: Welch t on the log round medians, two-sided; Benjamini-Hochberg "
		"over the %zu gated keys tested (false discovery rate %g); other keys "
		"(%zu tested) in their own family.\n", lead, rep->sum->gated_tested, o->alpha,
		rep->sum->counter_tested);
	fprintf(f, "%sChange: exp(mean log cand - mean log base) - 1, signed as the metric "
		"moves; 95%% CI from the same t.\n", lead);
	fprintf(f, "%sVerdict slower/faster needs p_adj < %g, a CI excluding 0 and |change| > "
		"%g%%; mde is the smallest |change| the pair could have called alone "
		"(p < alpha/m); mde > threshold is undecided; fewer than %d rounds a side "
		"is n/a.\n", lead, o->alpha, o->threshold_pct, COMPARE_MIN_ROUNDS);
}

/* What a reader must see before trusting any row; one line each. */
static void compare_print_warnings(FILE *f, const struct compare_report *rep,
				   const char *lead)
{
	if (!rep->opts->comparable)
		fprintf(f, "%sVerdicts withheld: %s.\n", lead, rep->opts->na_note);
	if (rep->accel_forced)
		fprintf(f, "%sAccelerators differ; verdicts given only because of "
			"--force.\n", lead);
	if (rep->hardware[0])
		fprintf(f, "%sDifferent hardware: %s.\n", lead, rep->hardware);
	if (compare_host_differs(&rep->host) && rep->host.split)
		fprintf(f, "%sThe host was in a different state: its probe loop ran slow in "
			"%.0f%% of base samples and %.0f%% of candidate samples; a change "
			"common to many keys may be that.\n", lead, rep->host.slow_pct[0],
			rep->host.slow_pct[1]);
	else if (compare_host_differs(&rep->host))
		fprintf(f, "%sThe host was in a different state: its probe loop took a "
			"median %.2f ns a turn in the base and %.2f in the candidate; a change "
			"common to many keys may be that.\n", lead, rep->host.p50[0],
			rep->host.p50[1]);
	if (rep->incomplete[0])
		fprintf(f, "%sA base run is incomplete (meta complete=false).\n", lead);
	if (rep->incomplete[1])
		fprintf(f, "%sA candidate run is incomplete (meta complete=false).\n", lead);
}

static void compare_print_sides(FILE *f, const struct compare_report *rep, const char *lead)
{
	for (int side = 0; side < 2; side++) {
		fprintf(f, "%s%s:", lead, side ? "cand" : "base");
		for (size_t i = 0; i < rep->runs->n; i++)
			if (rep->runs->r[i].side == side)
				fprintf(f, " %s", rep->runs->r[i].dir);
		fputc('\n', f);
	}
}

void compare_print_text(FILE *f, const struct compare_report *rep)
{
	size_t w[COL_N], i, l, shown = 0;
	char cell[512];
	int c;

	fprintf(f, "primbench compare\n");
	compare_print_sides(f, rep, "  ");
	compare_print_warnings(f, rep, "WARNING: ");
	fputc('\n', f);
	compare_print_summary(f, rep, "");
	fprintf(f, "\nFingerprint differences (meta.csv of the first run of each side):\n");
	if (rep->nfp == 0)
		fprintf(f, "  none\n");
	for (i = 0, l = 0; i < rep->nfp; i++)
		if (strlen(rep->fp[i].key) > l)
			l = strlen(rep->fp[i].key);
	for (i = 0; i < rep->nfp; i++)
		fprintf(f, "  %-*s  %s -> %s\n", (int)l, rep->fp[i].key,
			rep->fp[i].base ? rep->fp[i].base : "(absent)",
			rep->fp[i].cand ? rep->fp[i].cand : "(absent)");
	fputc('\n', f);

	for (c = 0; c < COL_N; c++)
		w[c] = strlen(compare_col_titles[c]);
	for (i = 0; i < rep->n; i++) {
		if (!compare_shown(rep, &rep->items[i]))
			continue;
		shown++;
		for (c = 0; c < COL_N; c++) {
			compare_cell(&rep->items[i], c, cell, sizeof(cell));
			if (strlen(cell) > w[c])
				w[c] = strlen(cell);
		}
	}
	if (shown) {
		for (c = 0; c < COL_N - 1; c++)
			fprintf(f, COMPARE_COL_NUMERIC(c) ? "%*s  " : "%-*s  ", (int)w[c],
				compare_col_titles[c]);
		fprintf(f, "%s\n", compare_col_titles[COL_N - 1]);
	}
	for (i = 0; i < rep->n; i++) {
		if (!compare_shown(rep, &rep->items[i]))
			continue;
		for (c = 0; c < COL_N; c++) {
			compare_cell(&rep->items[i], c, cell, sizeof(cell));
			if (c == COL_N - 1)
				fprintf(f, "%s\n", cell);
			else
				fprintf(f, COMPARE_COL_NUMERIC(c) ? "%*s  " : "%-*s  ", (int)w[c], cell);
		}
	}
	if (!shown)
		fprintf(f, "%s\n", rep->all ? "(no keys in either run)"
			: "No gated key changed, is undecided or gone (--all lists every key).");
	else if (!rep->all)
		fprintf(f, "(%zu of %zu keys listed; --all lists every key)\n", shown, rep->n);

	if (rep->sum->nfamily) {
		fprintf(f, "\nGeomean of oriented ratios per family (> 1 = slower):\n");
		for (i = 0, l = 0; i < rep->sum->nfamily; i++)
			if (strlen(rep->sum->family[i].family) > l)
				l = strlen(rep->sum->family[i].family);
		for (i = 0; i < rep->sum->nfamily; i++) {
			compare_fmt_geo(cell, sizeof(cell), &rep->sum->family[i]);
			fprintf(f, "  %-*s  %s\n", (int)l, rep->sum->family[i].family, cell);
		}
	}
	fprintf(f, "\nMethod:\n");
	compare_print_method(f, rep, "  ");
}

/* A markdown table cell: '|' escaped, line breaks flattened. */
static void compare_md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void compare_md_row(FILE *f, const struct compare_item *it)
{
	char cell[512];
	int c;

	fputs("|", f);
	for (c = 0; c < COL_N; c++) {
		compare_cell(it, c, cell, sizeof(cell));
		fputc(' ', f);
		if (c == COL_VERDICT && (it->verdict == COMPARE_SLOWER ||
					 it->verdict == COMPARE_FASTER))
			fprintf(f, "**%s**", cell);
		else
			compare_md_cell(f, cell);
		fputs(" |", f);
	}
	fputc('\n', f);
}

static void compare_md_header(FILE *f)
{
	int c;

	fputs("|", f);
	for (c = 0; c < COL_N; c++)
		fprintf(f, " %s |", compare_col_titles[c]);
	fputs("\n|", f);
	for (c = 0; c < COL_N; c++)
		fputs(COMPARE_COL_NUMERIC(c) ? " ---: |" : " --- |", f);
	fputc('\n', f);
}

/* A pull-request comment must stay under GitHub's 65,536 characters: rows
 * stop at this many bytes, and the rest is counted, not shown. */
#define COMPARE_MD_BUDGET 56000

void compare_print_md(FILE *f, const struct compare_report *rep)
{
	/* Slower first: that is what a reviewer opens the comment for. */
	static const enum compare_verdict order[] = {
		COMPARE_SLOWER, COMPARE_FASTER, COMPARE_UNDECIDED, COMPARE_GONE, COMPARE_NEW,
		COMPARE_SKIPPED, COMPARE_NA, COMPARE_SAME,
	};
	size_t i, j, shown = 0, left = 0;
	long start = ftell(f);

	fputs("### primbench compare\n\n", f);
	compare_print_warnings(f, rep, "> **Warning:** ");
	if (!rep->opts->comparable || rep->accel_forced || rep->hardware[0] ||
	    compare_host_differs(&rep->host) || rep->incomplete[0] || rep->incomplete[1])
		fputc('\n', f);
	compare_print_summary(f, rep, "**");
	fputc('\n', f);

	if (rep->nfp) {
		fputs("<details><summary>Fingerprint differences (meta.csv)</summary>\n\n"
		      "| key | base | cand |\n| --- | --- | --- |\n", f);
		for (i = 0; i < rep->nfp; i++) {
			fputs("| ", f);
			compare_md_cell(f, rep->fp[i].key);
			fputs(" | ", f);
			compare_md_cell(f, rep->fp[i].base ? rep->fp[i].base : "(absent)");
			fputs(" | ", f);
			compare_md_cell(f, rep->fp[i].cand ? rep->fp[i].cand : "(absent)");
			fputs(" |\n", f);
		}
		fputs("\n</details>\n\n", f);
	} else {
		fputs("Fingerprint: no meta.csv differences.\n\n", f);
	}

	for (i = 0; i < rep->n; i++)
		shown += compare_shown(rep, &rep->items[i]);
	if (shown) {
		compare_md_header(f);
		for (j = 0; j < sizeof(order) / sizeof(order[0]); j++) {
			for (i = 0; i < rep->n; i++) {
				const struct compare_item *it = &rep->items[i];

				if (it->verdict != order[j] || !compare_shown(rep, it))
					continue;
				if (start >= 0 && ftell(f) - start > COMPARE_MD_BUDGET)
					left++;
				else
					compare_md_row(f, it);
			}
		}
		if (left)
			fprintf(f, "\n%zu more row%s not shown (size limit of a comment); "
				"compare --out FILE writes every key.\n", left, left == 1 ? "" : "s");
		fputc('\n', f);
	} else {
		fputs("No gated key changed, is undecided or gone.\n\n", f);
	}
	compare_print_method(f, rep, "- ");
}
