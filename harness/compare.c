/*
 * compare.c - `primbench compare`: the command line, the runs loaded and
 * joined (compare_load.c, compare_join.c), the verdicts
 * (compare_verdict.c, where the method is written out), the checks of
 * comparability and hardware, the gate's exit status, and the reports
 * (compare_report.c).
 */
#include "compare.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare_load.h"
#include "compare_report.h"
#include "csv.h"
#include "fileio.h"

/* Parsed command line. */
struct compare_args {
	struct compare_opts opts;     /* statistics knobs */
	enum compare_format format;   /* stdout format */
	const char *out;              /* compare.csv path, NULL: none */
	int force;                    /* give verdicts across accelerators */
	int all;                      /* list every key */
	double min_decidable_pct;     /* gate: least share of decidable gated keys */
	const char **pos;             /* positional folders (argv entries) */
	size_t npos;                  /* entries in pos */
	size_t nbase;                 /* how many of them are base (the rest cand) */
	int help;                     /* --help: print usage, exit 0 */
};

static const char compare_usage[] =
	"usage: primbench compare [options] BASE CAND\n"
	"       primbench compare [options] BASE... -- CAND...\n"
	"\n"
	"Each BASE or CAND is a results folder, or a folder of results folders; the\n"
	"rounds of every run of a side are pooled.\n"
	"\n"
	"options:\n"
	"  --threshold PCT      |change| a verdict needs (default 5)\n"
	"  --alpha Q            false discovery rate of the Benjamini-Hochberg step\n"
	"                       (default 0.05)\n"
	"  --min-decidable PCT  the gate fails (exit 3) when fewer than PCT percent of\n"
	"                       the gated keys that ran on both sides are decidable\n"
	"                       (default 50)\n"
	"  --format F           text (default), md (a pull-request comment under\n"
	"                       65,536 characters) or csv (compare.csv on stdout)\n"
	"  --all                list every key, not only gated keys that changed,\n"
	"                       are undecided or gone\n"
	"  --out FILE           also write compare.csv to FILE (a FIFO or device is\n"
	"                       written as it is; nothing else is ever written)\n"
	"  --force              give verdicts across different accelerators\n"
	"  --help               this text\n"
	"\n"
	"exit status: 0 no gated key slower; 1 a gated key is slower; 2 bad usage\n"
	"or input (one line on stderr, nothing written); 3 inconclusive: a gated key\n"
	"is gone, a candidate run is incomplete or empty, or too few gated keys are\n"
	"decidable (also when verdicts are withheld across accelerators).\n";

enum { COPT_THRESHOLD = 256, COPT_ALPHA, COPT_MIN_DECIDABLE, COPT_FORMAT, COPT_ALL, COPT_OUT,
       COPT_FORCE, COPT_HELP = 'h' };

/* compare's options: spelled whole (no abbreviations), -h for --help. */
static const struct option compare_long_opts[] = {
	{ "threshold", required_argument, NULL, COPT_THRESHOLD },
	{ "alpha", required_argument, NULL, COPT_ALPHA },
	{ "min-decidable", required_argument, NULL, COPT_MIN_DECIDABLE },
	{ "format", required_argument, NULL, COPT_FORMAT },
	{ "all", no_argument, NULL, COPT_ALL },
	{ "out", required_argument, NULL, COPT_OUT },
	{ "force", no_argument, NULL, COPT_FORCE },
	{ "help", no_argument, NULL, COPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* What compare_parse_arg reads into. */
struct compare_parse_ctx {
	struct compare_args *a;       /* the command line so far */
	int seen_sep;                 /* "--" was given */
	char *err;                    /* the one-line error */
	size_t len;                   /* bytes in err */
};

/* One option or folder (a cli_arg_fn): 0 or -EINVAL with err set.  A
 * missing value reads as "" in the messages. */
static int compare_parse_arg(void *ctx, const struct cli_arg *c)
{
	struct compare_parse_ctx *p = ctx;
	struct compare_args *a = p->a;
	const char *v = c->missing ? "" : c->value;
	double d;

	switch (c->opt) {
	case CLI_ARG:
		/* After "--" every word is a folder, but one that looks like
		 * an option is a mistake rather than a folder's name. */
		if (p->seen_sep && v[0] == '-' && v[1]) {
			if (strcmp(v, "--") == 0)
				return compare_err(p->err, p->len, "a second '--': BASE... -- CAND... "
						   "has one");
			return compare_err(p->err, p->len, "option '%s' after '--': options go "
					   "first", v);
		}
		a->pos[a->npos++] = v;
		return 0;
	case CLI_SEP:
		p->seen_sep = 1;
		a->nbase = a->npos;
		return 0;
	case COPT_FORCE:
		a->force = 1;
		return 0;
	case COPT_ALL:
		a->all = 1;
		return 0;
	case COPT_HELP:
		a->help = 1;
		return 0;
	case COPT_THRESHOLD:
		if (c->missing || csv_parse_double(v, &d, 0) < 0 || d < 0 || d > 1000)
			return compare_err(p->err, p->len, "--threshold '%s': expected a "
					   "percentage from 0 to 1000", v);
		a->opts.threshold_pct = d;
		return 0;
	case COPT_ALPHA:
		if (c->missing || csv_parse_double(v, &d, 0) < 0 || !(d > 0 && d < 1))
			return compare_err(p->err, p->len, "--alpha '%s': expected a number "
					   "between 0 and 1", v);
		a->opts.alpha = d;
		return 0;
	case COPT_MIN_DECIDABLE:
		if (c->missing || csv_parse_double(v, &d, 0) < 0 || d < 0 || d > 100)
			return compare_err(p->err, p->len, "--min-decidable '%s': expected a "
					   "percentage from 0 to 100", v);
		a->min_decidable_pct = d;
		return 0;
	case COPT_FORMAT:
		if (!c->missing && strcmp(v, "text") == 0)
			a->format = COMPARE_FMT_TEXT;
		else if (!c->missing && strcmp(v, "md") == 0)
			a->format = COMPARE_FMT_MD;
		else if (!c->missing && strcmp(v, "csv") == 0)
			a->format = COMPARE_FMT_CSV;
		else
			return compare_err(p->err, p->len, "--format '%s': expected text, "
					   "md or csv", v);
		return 0;
	case COPT_OUT:
		if (c->missing || !v[0])
			return compare_err(p->err, p->len, "--out: expected a file path");
		a->out = v;
		return 0;
	default:
		return compare_err(p->err, p->len, "unknown option '%s' (see primbench "
				   "compare --help)", c->text);
	}
}

/* Parse argv into a (by cli_getopt, as every command's options are).  0
 * or -EINVAL with err set. */
static int compare_parse_args(int argc, char **argv, struct compare_args *a,
			      char *err, size_t len)
{
	static const struct cli_getopt_spec spec = {
		.opts = compare_long_opts, .shorts = "h", .args_among_opts = true, .exact = true,
	};
	struct compare_parse_ctx p = { a, 0, err, len };
	int rc;

	memset(a, 0, sizeof(*a));
	compare_opts_default(&a->opts);
	a->format = COMPARE_FMT_TEXT;
	a->min_decidable_pct = COMPARE_DEFAULT_MIN_DECIDABLE_PCT;
	a->pos = calloc((size_t)argc + 1, sizeof(*a->pos));
	if (!a->pos)
		return compare_err(err, len, "out of memory");
	rc = cli_getopt(&spec, argc, argv, compare_parse_arg, &p);
	if (rc)
		return rc;
	if (a->help)
		return 0;
	if (!p.seen_sep) {
		if (a->npos != 2)
			return compare_err(err, len, "expected BASE CAND, or BASE... -- CAND... "
					   "(got %zu folder%s; see primbench compare --help)",
					   a->npos, a->npos == 1 ? "" : "s");
		a->nbase = 1;
	}
	if (a->nbase == 0 || a->nbase == a->npos)
		return compare_err(err, len, "expected at least one BASE and one CAND folder "
				   "around '--'");
	return 0;
}

static int compare_is_tcg(const char *accel)
{
	return accel && strcmp(accel, "tcg") == 0;
}

/*
 * Has the hardware changed between the first runs of each side?  tsc_hz
 * is calibrated against CLOCK_MONOTONIC_RAW to a few ppm, so a 0.1%
 * difference is another clock; the timer's overhead repeats within a few
 * ns on one host; the null loop is tested like any key and counts when its
 * change is significant and past 2%.  Writes "" or the differences.
 */
static void compare_hardware(const struct compare_run *b, const struct compare_run *c,
			     const struct compare_item *items, size_t n, char *buf, size_t len)
{
	double tb = compare_meta_num(b, "tsc_hz"), tc = compare_meta_num(c, "tsc_hz");
	double ob = compare_meta_num(b, "timer_overhead_ns");
	double oc = compare_meta_num(c, "timer_overhead_ns");
	size_t used = 0;

	buf[0] = 0;
	if (isfinite(tb) && isfinite(tc) && tb > 0 && fabs(tc / tb - 1) > 0.001)
		used += (size_t)snprintf(buf + used, len - used, "tsc_hz %.0f -> %.0f", tb, tc);
	if (used < len && isfinite(ob) && isfinite(oc) && fabs(oc - ob) > 2 &&
	    fabs(oc - ob) > 0.25 * fmin(ob, oc))
		used += (size_t)snprintf(buf + used, len - used, "%stimer overhead %.1f -> %.1f ns",
					 used ? "; " : "", ob, oc);
	for (size_t i = 0; used < len && i < n; i++) {
		const struct compare_item *it = &items[i];

		if (strcmp(it->bench, "null") || strcmp(it->metric, "ns_per_op") || !it->tested)
			continue;
		if (it->p_value < 0.01 && fabs(it->change_pct) > 2 &&
		    (it->ci95_lo_pct > 0 || it->ci95_hi_pct < 0))
			used += (size_t)snprintf(buf + used, len - used,
						 "%snull loop (%s) %+.1f%% [%+.1f, %+.1f]",
						 used ? "; " : "", it->variant, it->change_pct,
						 it->ci95_lo_pct, it->ci95_hi_pct);
	}
}

/* The gate's status and its one-line reason. */
static int compare_gate(const struct compare_report *rep, double min_decidable_pct,
			size_t cand_ok_rows, char *reason, size_t len)
{
	const struct compare_summary *s = rep->sum;
	double share = s->gated_present ? 100.0 * (double)s->gated_decidable /
					  (double)s->gated_present : 0.0;

	reason[0] = 0;
	if (s->regression) {
		snprintf(reason, len, "%zu gated key%s slower", s->gated_count[COMPARE_SLOWER],
			 s->gated_count[COMPARE_SLOWER] == 1 ? " is" : "s are");
		return 1;
	}
	if (cand_ok_rows == 0) {
		snprintf(reason, len, "the candidate has no row that ran (empty or every "
			 "configuration skipped or failed)");
		return COMPARE_EXIT_INCONCLUSIVE;
	}
	if (rep->incomplete[1]) {
		snprintf(reason, len, "a candidate run is incomplete (meta complete=false)");
		return COMPARE_EXIT_INCONCLUSIVE;
	}
	if (s->gated_count[COMPARE_GONE]) {
		snprintf(reason, len, "%zu gated key%s of the base %s not in the candidate",
			 s->gated_count[COMPARE_GONE], s->gated_count[COMPARE_GONE] == 1 ? "" : "s",
			 s->gated_count[COMPARE_GONE] == 1 ? "is" : "are");
		return COMPARE_EXIT_INCONCLUSIVE;
	}
	if (s->gated_present == 0 || share < min_decidable_pct) {
		int used = snprintf(reason, len, "%zu of %zu gated keys decidable (%.0f%%), fewer "
				    "than --min-decidable %g%%%s%s", s->gated_decidable,
				    s->gated_present, share, min_decidable_pct,
				    rep->opts->comparable ? "" : ": ",
				    rep->opts->comparable ? "" : rep->opts->na_note);

		/* Too noisy rather than not comparable: say how noisy, and what
		 * narrows it. */
		if (rep->opts->comparable && isfinite(s->overall.mde_median) &&
		    s->overall.mde_median > rep->opts->threshold_pct && used > 0 &&
		    (size_t)used < len)
			snprintf(reason + used, len - (size_t)used, "; half of them could only "
				 "have called a change past %.0f%% (threshold %g%%): more rounds "
				 "or runs a side, or a quieter host, narrow that",
				 s->overall.mde_median, rep->opts->threshold_pct);
		return COMPARE_EXIT_INCONCLUSIVE;
	}
	return 0;
}

int compare_cmd(int argc, char **argv)
{
	struct compare_runs runs = { 0 };
	struct compare_join join;
	struct compare_summary sum;
	struct compare_report rep;
	struct compare_args a;
	struct compare_fp *fp = NULL;
	struct csv_buf csv = { NULL, 0, 0 };
	char err[512], na_note[256];
	const struct compare_run *first[2] = { NULL, NULL };
	const char *ba, *ca;
	char *md = NULL;
	size_t md_len = 0, cand_ok = 0, nmeta = 0;
	int rc, status = 2, accel_differs = 0;

	memset(&join, 0, sizeof(join));
	memset(&sum, 0, sizeof(sum));
	memset(&rep, 0, sizeof(rep));
	err[0] = '\0';
	if (compare_parse_args(argc, argv, &a, err, sizeof(err)) < 0)
		goto out;
	if (a.help) {
		fputs(compare_usage, stdout);
		status = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 2;
		if (status)
			compare_err(err, sizeof(err), "writing the help: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < a.npos; i++)
		if (compare_expand(&runs, a.pos[i], i >= a.nbase, err, sizeof(err)) < 0)
			goto out;
	for (size_t i = 0; i < runs.n; i++) {
		struct compare_run *r = &runs.r[i];

		if (compare_run_load(r, err, sizeof(err)) < 0)
			goto out;
		nmeta += r->meta.nrows;
		if (!first[r->side])
			first[r->side] = r;
		if (r->incomplete)
			rep.incomplete[r->side] = 1;
		if (r->side)
			cand_ok += r->ok_rows;
	}

	/* Verdicts across an emulator boundary would be about the emulator. */
	for (size_t i = 0; i < runs.n && !accel_differs; i++) {
		ba = compare_meta_get(first[0], "accel");
		ca = compare_meta_get(&runs.r[i], "accel");
		/* kvm, hyperv, native...: hardware runs the code, and timings
		 * compare as those of two hosts do; an emulator's do not. */
		accel_differs = compare_is_tcg(ba) != compare_is_tcg(ca) ||
				(compare_is_tcg(ba) && strcmp(ba, ca) != 0);
		if (accel_differs)
			snprintf(na_note, sizeof(na_note), "different accelerators (%s, %s): "
				 "timings not comparable; use --force", ba ? ba : "unknown",
				 ca ? ca : "unknown");
	}
	if (accel_differs && !a.force) {
		a.opts.comparable = 0;
		a.opts.na_note = na_note;
	}

	fp = malloc((nmeta + 1) * sizeof(*fp));
	if (!fp) {
		compare_err(err, sizeof(err), "out of memory");
		goto out;
	}
	{
		const struct compare_run pair[2] = { *first[0], *first[1] };

		rep.nfp = compare_fingerprint(pair, fp);
	}
	if (compare_join(&join, &runs, err, sizeof(err)) < 0)
		goto out;
	rc = compare_evaluate(join.items, join.nitems, &a.opts, &sum);
	if (rc < 0) {
		compare_err(err, sizeof(err), "evaluating: %s", strerror(-rc));
		goto out;
	}
	if (compare_csv_build(join.items, join.nitems, &csv) < 0) {
		compare_err(err, sizeof(err), "out of memory building compare.csv");
		goto out;
	}
	rep.runs = &runs;
	rep.fp = fp;
	rep.opts = &a.opts;
	rep.accel_forced = accel_differs && a.force;
	rep.items = join.items;
	rep.n = join.nitems;
	rep.sum = &sum;
	rep.all = a.all;
	compare_hardware(first[0], first[1], join.items, join.nitems, rep.hardware,
			 sizeof(rep.hardware));
	if (compare_host_state(join.items, join.nitems, &rep.host) < 0) {
		compare_err(err, sizeof(err), "out of memory");
		goto out;
	}
	rep.status = compare_gate(&rep, a.min_decidable_pct, cand_ok, rep.reason,
				  sizeof(rep.reason));
	if (a.out && fileio_write_out(a.out, csv.data, csv.len, err, sizeof(err)) < 0)
		goto out;

	for (size_t i = 0; i < runs.n; i++)
		if (runs.r[i].incomplete)
			fprintf(stderr, "primbench compare: warning: %s run '%s' is incomplete "
				"(meta complete=false)\n", runs.r[i].label, runs.r[i].dir);
	if (a.format == COMPARE_FMT_CSV) {
		fwrite(csv.data, 1, csv.len, stdout);
	} else if (a.format == COMPARE_FMT_MD) {
		/* In memory first, so that the size budget can be measured. */
		FILE *m = open_memstream(&md, &md_len);

		if (!m) {
			compare_err(err, sizeof(err), "out of memory");
			goto out;
		}
		compare_print_md(m, &rep);
		fclose(m);
		fwrite(md, 1, md_len, stdout);
	} else {
		compare_print_text(stdout, &rep);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		compare_err(err, sizeof(err), "writing the report: %s", strerror(errno));
		goto out;
	}
	status = rep.status;
	if (status == COMPARE_EXIT_INCONCLUSIVE)
		fprintf(stderr, "primbench compare: inconclusive: %s\n", rep.reason);

out:
	free(md);
	csv_buf_free(&csv);
	compare_summary_free(&sum);
	compare_join_free(&join);
	free(fp);
	for (size_t i = 0; i < runs.n; i++)
		compare_run_free(&runs.r[i]);
	free(runs.r);
	free(a.pos);
	if (status == 2)
		fprintf(stderr, "primbench compare: %s\n", err);
	return status;
}

