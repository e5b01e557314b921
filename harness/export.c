/*
 * export.c - a run folder's CSVs in google/benchmark's JSON or the Go
 * benchmark format (see export.h for what each holds).
 *
 * What maps to what, and why:
 *
 * - One configuration (bench, variant, sweep, x, placement) with an
 *   ns_per_op row that ran (status ok) and has samples becomes one
 *   benchmark.  Its name is built by export_name(); gbench's family is the
 *   (bench, variant) pair, its instances the sweep points and placements.
 * - Every timed sample is one result: gbench "iteration" entries (one per
 *   repetition, repetition_index counting the samples of all rounds in
 *   round order, iterations = the sample's operations, the round in the
 *   label), benchstat lines (N = the sample's operations).  A sample is the
 *   mean over its iterations, as a gbench repetition or a Go result is.
 * - real_time is ns_per_op.  primbench times wall clock only; the task
 *   clock comes from a separate counting pass with other samples, so
 *   cpu_time repeats real_time (and the context says so) rather than pair
 *   two unrelated numbers.
 * - bytes_per_s and msgs_per_s of the same sample (same round and sample
 *   index) go on the same entry: gbench's counters bytes_per_second and
 *   items_per_second, benchstat's B/s and msgs/s.
 * - gbench aggregates are summary.csv's own statistics over all samples
 *   (mean, median = p50, stddev, cv, min, max, p90, p99, ci95_lo,
 *   ci95_hi), not recomputed here; an empty statistic is left out, never
 *   written as NaN (which is not JSON).
 * - Every meta.csv key is copied into gbench's context as a string (the
 *   host fingerprint stays with the numbers); benchstat gets the ones a Go
 *   reader knows (goos, goarch, cpu, pkg) and primbench's main ones.
 *
 * This file is the command and the plan (which configurations, what is
 * left out); export_load.c loads the run, export_gbench.c and
 * export_benchstat.c write the formats from the plan (export_plan.h).
 * Nothing is written until the whole export is built in memory; the run
 * folder is only read, and --out inside it is refused.  --out is written
 * by fileio_write_out, as compare --out is.
 */
#include "export.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "export_plan.h"
#include "fileio.h"
#include "output.h"

/* The throughput metrics' names (ET_ order). */
static const char *const export_thr_metric[ET_N] = { "bytes_per_s", "msgs_per_s" };

const struct export_agg export_aggs[EXPORT_NAGG] = {
	{ "mean", "mean", 1 },     { "median", "p50", 1 },   { "stddev", "stddev", 1 },
	{ "cv", "cv_pct", 100 },   { "min", "min", 1 },      { "max", "max", 1 },
	{ "p90", "p90", 1 },       { "p99", "p99", 1 },      { "ci95_lo", "ci95_lo", 1 },
	{ "ci95_hi", "ci95_hi", 1 },
};

/* ------------------------------------------------------------------------
 * Names and escaping.
 */

/* Append s percent-encoded at buf[*pos]; -ENAMETOOLONG when it does not
 * fit (with its NUL). */
static int export_put_part(char *buf, size_t len, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '+' || c == '-';

		if (*pos + (safe ? 1 : 3) >= len)
			return -ENAMETOOLONG;
		if (safe) {
			buf[(*pos)++] = (char)c;
		} else {
			buf[(*pos)++] = '%';
			buf[(*pos)++] = hex[c >> 4];
			buf[(*pos)++] = hex[c & 15];
		}
	}
	buf[*pos] = 0;
	return 0;
}

/* Append a literal (a separator, the prefix) at buf[*pos]. */
static int export_put_lit(char *buf, size_t len, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos + n >= len)
		return -ENAMETOOLONG;
	memcpy(buf + *pos, s, n + 1);
	*pos += n;
	return 0;
}

int export_name(char *buf, size_t len, enum export_format f, const char *bench,
		const char *variant, const char *sweep, const char *x, const char *placement)
{
	int go = f == EXPORT_BENCHSTAT;
	size_t pos = 0, start, i;
	int rc = 0;

	if (len == 0)
		return -ENAMETOOLONG;
	buf[0] = 0;
	if (go)
		rc = export_put_lit(buf, len, &pos, "Benchmark");
	start = pos;
	if (rc == 0)
		rc = export_put_part(buf, len, &pos, bench);
	/* Go's convention: "Benchmark" then an upper-case letter. */
	if (rc == 0 && go && buf[start] >= 'a' && buf[start] <= 'z')
		buf[start] = (char)(buf[start] - 'a' + 'A');
	if (rc == 0)
		rc = export_put_lit(buf, len, &pos, "/");
	if (rc == 0)
		rc = export_put_part(buf, len, &pos, variant);
	if (rc == 0 && sweep[0]) {
		rc = export_put_lit(buf, len, &pos, "/");
		if (rc == 0)
			rc = export_put_part(buf, len, &pos, sweep);
		if (rc == 0)
			rc = export_put_lit(buf, len, &pos, go ? "=" : ":");
		if (rc == 0)
			rc = export_put_part(buf, len, &pos, x);
	}
	if (rc == 0)
		rc = export_put_lit(buf, len, &pos, "/");
	if (rc == 0)
		rc = export_put_part(buf, len, &pos, placement);
	/* benchstat reads a final "-8" as GOMAXPROCS 8: encode that '-'. */
	for (i = pos; rc == 0 && go && i > 0 && buf[i - 1] >= '0' && buf[i - 1] <= '9'; i--)
		;
	if (rc == 0 && go && i < pos && i > 0 && buf[i - 1] == '-') {
		if (pos + 2 >= len) {
			rc = -ENAMETOOLONG;
		} else {
			memmove(buf + i + 2, buf + i, pos - i + 1);
			memcpy(buf + i - 1, "%2D", 3);
			pos += 2;
		}
	}
	if (rc < 0)
		buf[0] = 0;
	return rc < 0 ? rc : (int)pos;
}

/* ------------------------------------------------------------------------
 * What is exported.
 */

double export_sum_num(const struct export_run *r, long row, int col)
{
	double v;

	if (row < 0 || csv_parse_double(r->sum.rows[row][col], &v, 0) < 0)
		return NAN;
	return v;
}

/* Check the samples of one configuration: a finite value and a whole
 * number of iterations each.  0 or EXIT_USAGE. */
static int export_check_samples(const struct export_run *r, const struct export_ref *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *const *row = r->smp.rows[s[i].row];
		unsigned long long it;
		double v;

		if (csv_parse_double(row[r->smp_value], &v, 0) < 0)
			return cli_usage_error("export: %s/samples.csv:%zu: value '%s' is not a "
					       "finite number", r->dir, s[i].row + 2, row[r->smp_value]);
		if (export_parse_count(row[r->smp_iters], &it) < 0 || it == 0)
			return cli_usage_error("export: %s/samples.csv:%zu: iters '%s' is not a whole "
					       "number from 1", r->dir, s[i].row + 2, row[r->smp_iters]);
	}
	return 0;
}

/* The lists of configurations the left-out sentences name. */
enum {
	EL_VALIDATION,           /* exported, but validation=fail */
	EL_SKIPPED,              /* status skipped */
	EL_FAILED,               /* status failed or timeout */
	EL_NO_SAMPLES,           /* an ns_per_op row, no ns_per_op samples */
	EL_NO_TIME,              /* a throughput row, no ns_per_op row */
	EL_N
};

/* A growing list of names for one left-out sentence. */
struct export_list {
	FILE *f;                 /* open_memstream over buf */
	char *buf;               /* the names, ", "-separated */
	size_t len;              /* its length */
	size_t n;                /* names in it */
};

static int export_list_open(struct export_list *l)
{
	memset(l, 0, sizeof(*l));
	l->f = open_memstream(&l->buf, &l->len);
	return l->f ? 0 : -ENOMEM;
}

/* Add a name; a line break in it (a hostile metric name) becomes a space,
 * since the sentences are kept one a line. */
static void export_list_add(struct export_list *l, const char *name)
{
	fputs(l->n++ ? ", " : "", l->f);
	for (; *name; name++)
		fputc(*name == '\n' || *name == '\r' ? ' ' : *name, l->f);
}

/* Close l and append "<what> (<n>): <names>" as one sentence to out
 * (NULL: only close it). */
static int export_list_close(struct export_list *l, FILE *out, const char *what)
{
	int rc = fclose(l->f) == 0 ? 0 : -ENOMEM;

	if (rc == 0 && out && l->n)
		fprintf(out, "%s%s (%zu): %s", ftell(out) ? "\n" : "", what, l->n, l->buf);
	free(l->buf);
	return rc;
}

/* Whether metric is one export carries (the time or a throughput). */
static int export_mapped(const char *metric)
{
	return strcmp(metric, "ns_per_op") == 0 || strcmp(metric, export_thr_metric[ET_BYTES]) == 0 ||
	       strcmp(metric, export_thr_metric[ET_MSGS]) == 0;
}

/* The name of summary row i in format f into buf; 0 or EXIT_USAGE. */
static int export_row_name(const struct export_run *r, size_t i, enum export_format f,
			   char *buf, size_t len)
{
	char *const *row = r->sum.rows[i];

	if (!row[r->sum_key[EK_BENCH]][0] || !row[r->sum_key[EK_VARIANT]][0] ||
	    !row[r->sum_key[EK_PLACEMENT]][0])
		return cli_usage_error("export: %s/summary.csv:%zu: empty bench, variant or "
				       "placement", r->dir, i + 2);
	if (export_name(buf, len, f, row[r->sum_key[EK_BENCH]], row[r->sum_key[EK_VARIANT]],
			row[r->sum_key[EK_SWEEP]], row[r->sum_key[EK_X]],
			row[r->sum_key[EK_PLACEMENT]]) < 0)
		return cli_usage_error("export: %s/summary.csv:%zu: the configuration's name is "
				       "longer than %d bytes", r->dir, i + 2, EXPORT_NAME_MAX - 1);
	return 0;
}

/* The sentences of what is left out, one a line, into p->left_out; the
 * lists are closed.  0 or -ENOMEM. */
static int export_left_out(const struct export_run *r, struct export_plan *p,
			   enum export_format f, struct export_list lists[EL_N])
{
	/* What each list's sentence says of its configurations. */
	static const char *const what[EL_N] = {
		[EL_VALIDATION] = "the self-check failed (validation=fail) on these exported "
				  "configurations",
		[EL_SKIPPED] = "configurations skipped",
		[EL_FAILED] = "configurations that failed or timed out",
		[EL_NO_SAMPLES] = "configurations with no ns_per_op samples",
		[EL_NO_TIME] = "configurations with no ns_per_op row (a throughput needs a time "
			       "to ride on)",
	};
	FILE *out = open_memstream(&p->left_out, &p->left_out_len);
	struct export_list metrics;
	int rc;

	if (!out || export_list_open(&metrics) < 0) {
		if (out)
			fclose(out);
		for (int l = 0; l < EL_N; l++)
			export_list_close(&lists[l], NULL, NULL);
		return -ENOMEM;
	}
	/* Other metrics, each named once, in the order summary.csv has them. */
	for (size_t i = 0; i < r->sum.nrows; i++) {
		const char *m = r->sum.rows[i][r->sum_metric];
		size_t j;

		if (export_mapped(m))
			continue;
		for (j = 0; j < i && strcmp(r->sum.rows[j][r->sum_metric], m) != 0; j++)
			;
		if (j == i)
			export_list_add(&metrics, m);
	}
	rc = export_list_close(&metrics, out, "metrics other than ns_per_op, bytes_per_s and "
			       "msgs_per_s (the counters and derived metrics, which the run's CSVs "
			       "keep)");
	fprintf(out, "%s%s", ftell(out) ? "\n" : "",
		f == EXPORT_GBENCH_JSON ?
		"summary.csv's mad, between_cv_pct, rounds, validation and note columns" :
		"summary.csv (benchstat computes its own statistics from the samples), "
		"with its validation and note columns");
	for (int l = 0; l < EL_N; l++)
		if (export_list_close(&lists[l], out, what[l]) < 0)
			rc = -ENOMEM;
	if (fclose(out) != 0)
		rc = -ENOMEM;
	p->left_joined = rc == 0 ? malloc(2 * p->left_out_len + 1) : NULL;
	if (!p->left_joined)
		return -ENOMEM;
	for (size_t i = 0, n = 0; i <= p->left_out_len; i++) {
		if (p->left_out[i] == '\n')
			p->left_joined[n++] = ';';
		p->left_joined[n++] = p->left_out[i] == '\n' ? ' ' : p->left_out[i];
	}
	return 0;
}

/* One configuration of summary row i: its samples, throughputs, indices.
 * 0, or EXIT_USAGE for a bad sample. */
static int export_cfg_fill(const struct export_run *r, struct export_plan *p, size_t i,
			   enum export_format f)
{
	struct export_cfg *c = &p->cfg[p->ncfg];
	const struct export_ref *self = &r->sums[r->sum_ref[i]];
	unsigned nfamily = 0;
	int found = 0, rc;

	memset(c, 0, sizeof(*c));
	c->row = i;
	c->smp = export_find(r->smps, r->smp.nrows, self, "ns_per_op", &c->n);
	rc = export_check_samples(r, c->smp, c->n);
	for (int t = 0; rc == 0 && t < ET_N; t++) {
		size_t cnt;
		const struct export_ref *s = export_find(r->sums, r->sum.nrows, self,
							 export_thr_metric[t], &cnt);

		c->thr_row[t] = s ? (long)s->row : -1;
		c->thr[t] = export_find(r->smps, r->smp.nrows, self, export_thr_metric[t],
					&c->thr_n[t]);
		rc = export_check_samples(r, c->thr[t], c->thr_n[t]);
	}
	if (rc == 0)
		rc = export_row_name(r, i, f, c->name, sizeof(c->name));
	if (rc)
		return rc;
	/* The family of an earlier configuration of the same (bench,
	 * variant), one instance further (the last one seen is the latest);
	 * else the next family. */
	for (size_t j = 0; j < p->ncfg; j++) {
		const struct export_cfg *o = &p->cfg[j];

		if (o->family + 1 > nfamily)
			nfamily = o->family + 1;
		if (strcmp(r->sums[r->sum_ref[o->row]].k[EK_BENCH], self->k[EK_BENCH]) == 0 &&
		    strcmp(r->sums[r->sum_ref[o->row]].k[EK_VARIANT], self->k[EK_VARIANT]) == 0) {
			c->family = o->family;
			c->instance = o->instance + 1;
			found = 1;
		}
	}
	if (!found)
		c->family = nfamily;
	p->ncfg++;
	return 0;
}

/* Plan the export of r in format f.  0, EXIT_USAGE or 1 (memory). */
static int export_plan_build(const struct export_run *r, struct export_plan *p,
			     enum export_format f)
{
	struct export_list lists[EL_N];
	char name[EXPORT_NAME_MAX];
	int rc = 0, nl = 0;

	memset(p, 0, sizeof(*p));
	p->cfg = calloc(r->sum.nrows ? r->sum.nrows : 1, sizeof(*p->cfg));
	for (nl = 0; p->cfg && nl < EL_N; nl++)
		if (export_list_open(&lists[nl]) < 0)
			break;
	if (!p->cfg || nl < EL_N) {
		while (nl-- > 0)
			export_list_close(&lists[nl], NULL, NULL);
		fprintf(stderr, "primbench: export: out of memory\n");
		return 1;
	}
	for (size_t i = 0; rc == 0 && i < r->sum.nrows; i++) {
		char *const *row = r->sum.rows[i];
		const char *status = row[r->sum_status];
		size_t cnt;

		if (strcmp(row[r->sum_metric], "ns_per_op") != 0) {
			/* A throughput of a configuration that has no time, named
			 * once (by bytes_per_s when it has both). */
			const struct export_ref *self = &r->sums[r->sum_ref[i]];
			int bytes = strcmp(row[r->sum_metric], export_thr_metric[ET_BYTES]) == 0;

			if (export_mapped(row[r->sum_metric]) && strcmp(status, "ok") == 0 &&
			    !export_find(r->sums, r->sum.nrows, self, "ns_per_op", &cnt) &&
			    (bytes || !export_find(r->sums, r->sum.nrows, self,
						   export_thr_metric[ET_BYTES], &cnt)) &&
			    (rc = export_row_name(r, i, f, name, sizeof(name))) == 0)
				export_list_add(&lists[EL_NO_TIME], name);
			continue;
		}
		rc = export_row_name(r, i, f, name, sizeof(name));
		if (rc)
			break;
		if (strcmp(status, "skipped") == 0) {
			export_list_add(&lists[EL_SKIPPED], name);
		} else if (strcmp(status, "ok") != 0) {
			export_list_add(&lists[EL_FAILED], name);
		} else {
			rc = export_cfg_fill(r, p, i, f);
			if (rc == 0 && p->cfg[p->ncfg - 1].n == 0) {
				export_list_add(&lists[EL_NO_SAMPLES], name);
				p->ncfg--;
			} else if (rc == 0 && strcmp(row[r->sum_validation], "fail") == 0) {
				export_list_add(&lists[EL_VALIDATION], name);
			}
		}
	}
	if (export_left_out(r, p, f, lists) < 0 && rc == 0) {
		fprintf(stderr, "primbench: export: out of memory\n");
		rc = 1;
	}
	return rc;
}

static void export_plan_free(struct export_plan *p)
{
	free(p->cfg);
	free(p->left_out);
	free(p->left_joined);
}

/* ------------------------------------------------------------------------
 * What the writers read (declared in export_plan.h).
 */

void export_num(FILE *f, double v)
{
	char buf[CSV_DOUBLE_LEN];

	csv_fmt_double(buf, sizeof(buf), v);
	fputs(buf, f);
}

double export_value(const struct export_run *r, const struct export_ref *s)
{
	double v = NAN;

	csv_parse_double(r->smp.rows[s->row][r->smp_value], &v, 0);
	return v;
}

int export_thr_value(const struct export_run *r, const struct export_cfg *c, int t,
		     size_t i, double *v)
{
	for (size_t j = 0; j < c->thr_n[t]; j++)
		if (c->thr[t][j].round == c->smp[i].round && c->thr[t][j].sample == c->smp[i].sample) {
			*v = export_value(r, &c->thr[t][j]);
			return 1;
		}
	return 0;
}

/* ------------------------------------------------------------------------
 * The command.
 */

static const char export_usage[] =
	"usage: primbench export RUN [--format F] [--out FILE]\n"
	"\n"
	"Writes the results folder RUN in another tool's format, on stdout or to FILE.\n"
	"RUN is only read.\n"
	"\n"
	"options:\n"
	"  --format F   gbench-json (default): google/benchmark's JSON output, for its\n"
	"               tools/compare.py and the dashboards that read that format;\n"
	"               one iteration entry per timed sample, summary.csv's statistics\n"
	"               as aggregates, the host fingerprint in \"context\"\n"
	"               benchstat: the Go benchmark format (configuration lines, one\n"
	"               \"BenchmarkName N value ns/op\" line per timed sample)\n"
	"  --out FILE   write FILE atomically (a FIFO or device is written as it is);\n"
	"               not inside RUN\n"
	"  --help       this text\n"
	"\n"
	"Names: bench/variant[/sweep:x]/placement (benchstat: BenchmarkBench/variant\n"
	"[/sweep=x]/placement), each part percent-encoded outside [A-Za-z0-9_.+-].\n"
	"Only ns_per_op is a time; bytes_per_s and msgs_per_s ride on the same sample\n"
	"(bytes_per_second and items_per_second; B/s and msgs/s).  What is left out\n"
	"(counters, other metrics, validation, notes, configurations that did not run)\n"
	"is listed in the export: context primbench_left_out, or \"# left out:\" lines.\n"
	"\n"
	"exit status: 0 written; 1 the output could not be written; 2 bad usage or\n"
	"input (one line on stderr, nothing written).\n";

/* --out must not name a file inside the run: export never writes there. */
static int export_check_not_inside(const char *run, const char *out)
{
	char rr[PATH_MAX], ro[PATH_MAX], copy[PATH_MAX];
	size_t n;
	int inside = 0;

	if (!realpath(run, rr))
		return 0;
	n = strlen(rr);
	if (realpath(out, ro))
		inside = strncmp(ro, rr, n) == 0 && (ro[n] == '/' || ro[n] == 0);
	snprintf(copy, sizeof(copy), "%s", out);
	if (!inside && realpath(dirname(copy), ro))
		inside = strncmp(ro, rr, n) == 0 && (ro[n] == '/' || ro[n] == 0);
	if (inside)
		return cli_usage_error("export: --out '%s' is inside the run folder '%s': export "
				       "never writes into the run it reads", out, run);
	return 0;
}

/* export's options: spelled whole (no abbreviations), -h for --help. */
enum { EOPT_FORMAT = 256, EOPT_OUT, EOPT_HELP = 'h' };
static const struct option export_long_opts[] = {
	{ "format", required_argument, NULL, EOPT_FORMAT },
	{ "out", required_argument, NULL, EOPT_OUT },
	{ "help", no_argument, NULL, EOPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* The command line of export. */
struct export_args {
	enum export_format fmt;  /* --format */
	const char *out;         /* --out, NULL: stdout */
	const char *run;         /* the first folder given */
	int nrun;                /* folders given (one is right) */
	int help;                /* --help */
};

/* One option or argument (a cli_arg_fn): 0, or EXIT_USAGE after one line. */
static int export_parse_arg(void *ctx, const struct cli_arg *a)
{
	struct export_args *e = ctx;

	if (a->missing)
		return cli_usage_error("export: %s: missing value", a->text);
	switch (a->opt) {
	case CLI_ARG:
		if (e->nrun++ == 0)
			e->run = a->value;
		return 0;
	case CLI_SEP:
		return 0;
	case EOPT_FORMAT:
		if (strcmp(a->value, "gbench-json") == 0)
			e->fmt = EXPORT_GBENCH_JSON;
		else if (strcmp(a->value, "benchstat") == 0)
			e->fmt = EXPORT_BENCHSTAT;
		else
			return cli_usage_error("export: --format '%s': unknown format (accepted: "
					       "gbench-json, benchstat)", a->value);
		return 0;
	case EOPT_OUT:
		e->out = a->value;
		return 0;
	case EOPT_HELP:
		e->help = 1;
		return 0;
	default:
		return cli_usage_error("unknown option '%s' for 'export' (see primbench export "
				       "--help)", a->text);
	}
}

int export_cmd(int argc, char **argv)
{
	static const struct cli_getopt_spec spec = {
		.opts = export_long_opts, .shorts = "h", .args_among_opts = true, .exact = true,
	};
	struct export_args e = { .fmt = EXPORT_GBENCH_JSON };
	const char *out, *run;
	enum export_format fmt;
	struct export_run r;
	struct export_plan p;
	char *text = NULL, err[PATH_MAX + 128];
	size_t text_len = 0;
	FILE *f;
	int rc;

	rc = cli_getopt(&spec, argc, argv, export_parse_arg, &e);
	if (rc)
		return rc;
	if (e.help) {
		fputs(export_usage, stdout);
		return 0;
	}
	if (e.nrun != 1)
		return cli_usage_error("export: expected one RUN folder (got %d; see primbench "
				       "export --help)", e.nrun);
	run = e.run;
	out = e.out;
	fmt = e.fmt;
	if (out && (cli_check_out_file(out) || export_check_not_inside(run, out)))
		return EXIT_USAGE;
	rc = export_run_load(&r, run);
	if (rc == 0)
		rc = export_plan_build(&r, &p, fmt);
	else
		memset(&p, 0, sizeof(p));
	if (rc == 0 && !(f = open_memstream(&text, &text_len))) {
		fprintf(stderr, "primbench: export: out of memory\n");
		rc = 1;
	}
	if (rc == 0) {
		if (fmt == EXPORT_GBENCH_JSON)
			export_gbench(f, &r, &p);
		else
			export_benchstat(f, &r, &p);
		if (fclose(f) != 0) {
			fprintf(stderr, "primbench: export: out of memory\n");
			rc = 1;
		}
	}
	if (rc == 0 && p.ncfg == 0)
		fprintf(stderr, "primbench: export: warning: no configuration of '%s' has ns_per_op "
			"samples that ran; the export holds none\n", run);
	if (rc == 0 && out && fileio_write_out(out, text, text_len, err, sizeof(err)) < 0) {
		fprintf(stderr, "primbench: export: %s\n", err);
		rc = 1;
	} else if (rc == 0 && !out) {
		fwrite(text, 1, text_len, stdout);
	}
	free(text);
	export_plan_free(&p);
	export_run_free(&r);
	return rc;
}
