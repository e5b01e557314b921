/*
 * estimate.c - how long a planned run will take, for `run --dry-run`.
 *
 * The model follows what the runner really does with each configuration
 * (measure.c, plan.c, prefill.c), visit by visit:
 *
 *   T = plan_sample_target_ns(): the length of one sample.
 *   An operation that fits a sample (cost < T): calibration grows the
 *   iterations to a call of T..1.3T, so a call is taken as 1.15 T.  The
 *   first visit pays calibration (~1.3 T), a warm-up call, its timed
 *   samples, the counting pass's calibration (~1.3 T) and its samples;
 *   each later visit a warm-up and the samples of each pass (the
 *   counting pass follows the warm timed pass and takes no warm-up).
 *   A slower operation (cost >= T) runs once per call: the first visit
 *   makes 2 calibration calls, a warm-up, its samples, 1 counting
 *   calibration call and its counting samples; later visits only their
 *   samples (plus a warm-up when a call is under 10 ms); the
 *   samples are cut to what fits the budget but never below the minimum
 *   (RUNNER_MIN_SAMPLES over all rounds), which is why a 1 GiB point takes
 *   far more than --budget-ms.
 *   Every visit also costs ESTIMATE_VISIT_NS (the supervising child's fork,
 *   the benchmark's setup and teardown, reaping), and a BENCH_V_PREFILL
 *   visit's fork copies the page tables of its x bytes
 *   (ESTIMATE_PREFILL_FORK_NS_PER_BYTE); each prefill size is written
 *   once per round (ESTIMATE_FILL_NS_PER_BYTE).
 *   Under --quick, a point whose 8 calls would exceed 2 s is taken as
 *   skipped by its benchmark (mm_alloc's and file_ops's --quick rule):
 *   one visit, no samples.
 *
 * What an operation costs cannot be known before it runs.  When --out
 * holds an earlier complete run of this host (meta complete=true, host =
 * this host's name), the p50 of each configuration's ns_per_op there is
 * its cost, and a configuration skipped there is taken as skipped again
 * (the listing says so); the others are assumed to fit a sample.  The
 * estimate line says which run was used and how many configurations it
 * covered.
 *
 * Checked on a 2-CPU KVM guest against the reference run of 2026-12-01
 * (the full suite of then: 285 s real): the model without the per-visit
 * cost gave 247 s over 1560 visits, so ~24 ms a visit; 20 ms is used.
 * With it, --quick estimates 70 s (real 62-75 s) and the full suite 336 s
 * (real 306-318 s; its 78 configurations newer than the history are
 * assumed to fit a sample).  With the budgets of 2026-12-01 evening (300
 * ms, --quick 90 ms, no counting warm-up): --quick 60 s (real 52-56 s),
 * full 254 s (real 278-288 s: 10% low; why was not looked into).
 */
#include "estimate.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "visit.h"

/* Fork of the supervising child, setup, teardown and reaping, per visit. */
#define ESTIMATE_VISIT_NS 20e6
/* Where a call of an operation that fits a sample lands: T..1.3T. */
#define ESTIMATE_CALL_OF_T 1.15
/* Calibration's last, overshooting call (grow by 1.3 x the ratio). */
#define ESTIMATE_CAL_OF_T 1.3
/* A call this long is its own warm-up (measure.c RUNNER_SELF_WARM_NS). */
#define ESTIMATE_SELF_WARM_NS 10e6
/* Writing prefill memory, 4 KiB pages: ~1 s per GiB here (prefill.c). */
#define ESTIMATE_FILL_NS_PER_BYTE 1.0
/* A fork that inherits the prefill copies its page tables and the child's
 * exit frees them: ~50 ms per GiB here (proc_create fork at 1 GiB). */
#define ESTIMATE_PREFILL_FORK_NS_PER_BYTE 0.05
/* --quick: points whose calls would take longer than this are skipped
 * by their benchmark (MA_QUICK_POINT_NS, FO_QUICK_POINT_NS; 8 calls). */
#define ESTIMATE_QUICK_POINT_NS 2e9
#define ESTIMATE_QUICK_OPS 8

/* "bench/variant/x/placement" of c into buf. */
static void estimate_key(const struct runner_config *c, char *buf, size_t len)
{
	if (c->has_x)
		snprintf(buf, len, "%s/%s/%.0f/%s", c->desc->name, c->var->name, c->x,
			 topo_placement_name(c->place.kind));
	else
		snprintf(buf, len, "%s/%s//%s", c->desc->name, c->var->name,
			 topo_placement_name(c->place.kind));
}

/* The newest complete run of this host under out_dir into path (by its
 * started_utc); 0 if found, -ENOENT if not. */
static int estimate_find_history(const char *out_dir, char *path, size_t len)
{
	char host[256], prefix[260], best[32] = "";
	DIR *d = opendir(out_dir);
	struct dirent *de;

	if (!d)
		return -ENOENT;
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = 0;
	snprintf(prefix, sizeof(prefix), "%s_", host);
	while ((de = readdir(d))) {
		struct csv_table m;
		char meta[4096];
		const char *started = NULL;
		bool complete = false, same_host = false;
		int kc, vc;

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(meta, sizeof(meta), "%s/%s/meta.csv", out_dir, de->d_name);
		if (csv_table_load(&m, meta) < 0)
			continue;
		kc = csv_table_col(&m, "key");
		vc = csv_table_col(&m, "value");
		for (size_t i = 0; kc >= 0 && vc >= 0 && i < m.nrows; i++) {
			const char *k = m.rows[i][kc], *v = m.rows[i][vc];

			if (strcmp(k, "complete") == 0)
				complete = strcmp(v, "true") == 0;
			else if (strcmp(k, "host") == 0)
				same_host = strcmp(v, host) == 0;
			else if (strcmp(k, "started_utc") == 0)
				started = v;
		}
		/* A path too long for path is passed over, never truncated. */
		if (complete && same_host && started && strcmp(started, best) > 0 &&
		    (size_t)snprintf(path, len, "%s/%s", out_dir, de->d_name) < len)
			snprintf(best, sizeof(best), "%s", started);
		csv_table_free(&m);
	}
	closedir(d);
	return best[0] ? 0 : -ENOENT;
}

/* From the history's summary.csv: each configuration's cost (*op_ns, 0 if
 * unknown) and its skip note (e->note[i], when it was skipped there). */
static int estimate_load_history(struct estimate *e, const struct runner_config *cfg,
				 size_t n, double *op_ns)
{
	struct csv_table s;
	char path[4096];
	int c[8];
	const char *names[8] = { "bench", "variant", "x", "placement", "metric", "p50",
				 "status", "note" };

	snprintf(path, sizeof(path), "%s/summary.csv", e->history);
	if (csv_table_load(&s, path) < 0)
		return -ENOENT;
	for (int k = 0; k < 8; k++)
		if ((c[k] = csv_table_col(&s, names[k])) < 0)
			goto out;
	for (size_t i = 0; i < n; i++) {
		char want[256], have[1024];

		estimate_key(&cfg[i], want, sizeof(want));
		for (size_t r = 0; r < s.nrows; r++) {
			char **row = s.rows[r];
			double p50;

			if (strcmp(row[c[4]], "ns_per_op") != 0)
				continue;
			snprintf(have, sizeof(have), "%s/%s/%s/%s", row[c[0]], row[c[1]], row[c[2]],
				 row[c[3]]);
			if (strcmp(want, have) != 0)
				continue;
			e->from_history++;
			if (strcmp(row[c[6]], "skipped") == 0) {
				if (asprintf(&e->note[i], "skipped in the earlier run: %s", row[c[7]]) < 0) {
					e->note[i] = NULL;
					csv_table_free(&s);
					return -ENOMEM;
				}
			} else if (csv_parse_double(row[c[5]], &p50, 0) == 0) {
				op_ns[i] = p50;
			}
			break;
		}
	}
out:
	csv_table_free(&s);
	return 0;
}

/* Nanoseconds all visits of one configuration take whose operation costs
 * op_ns (0: unknown, assumed to fit a sample of T ns). */
static double estimate_config_ns(const struct runner_opts *o, double t_ns, double op_ns)
{
	double vr = plan_visit_reps(o), cr = o->events ? plan_visit_count_reps(o) : 0;
	double counting = o->events ? 1 : 0, later = o->rounds - 1.0;

	if (op_ns < t_ns) {
		double call = ESTIMATE_CALL_OF_T * t_ns, cal = ESTIMATE_CAL_OF_T * t_ns;
		double first = cal + call + vr * call + counting * cal + cr * call;

		return first + later * ((1 + vr) * call + counting * cr * call);
	} else {
		double fit = o->budget_ms * 1e6 / o->rounds / op_ns * RUNNER_COUNT_DIV /
			     (RUNNER_COUNT_DIV + 1);
		double least = plan_per_visit(RUNNER_MIN_SAMPLES, o->rounds);
		double warm = op_ns >= ESTIMATE_SELF_WARM_NS ? 0 : 1;

		if (fit < vr) {
			vr = fit < least ? least : (double)(unsigned)fit;
			cr = o->events ? least : 0;
		}
		return op_ns * (2 + 1 + vr + counting + cr) +
		       later * op_ns * (warm + vr + cr);
	}
}

int estimate_run(const struct runner_opts *o, const struct runner_config *cfg, size_t n,
		 const char *out_dir, double overhead_ns, struct estimate *e)
{
	double *op_ns = calloc(n ? n : 1, sizeof(*op_ns));
	double t_ns = plan_sample_target_ns(o, overhead_ns), total_ns = 0;
	double filled[RUNNER_MAX_PREFILL];
	size_t nfilled = 0;
	int rc = 0;

	memset(e, 0, sizeof(*e));
	e->note = calloc(n ? n : 1, sizeof(*e->note));
	e->n = n;
	if (!op_ns || !e->note) {
		free(op_ns);
		return -ENOMEM;
	}
	if (estimate_find_history(out_dir, e->history, sizeof(e->history)) == 0)
		rc = estimate_load_history(e, cfg, n, op_ns);
	if (rc == -ENOENT) {
		e->history[0] = 0;
		rc = 0;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct runner_config *c = &cfg[i];

		if (!e->note[i] && o->quick &&
		    op_ns[i] * ESTIMATE_QUICK_OPS > ESTIMATE_QUICK_POINT_NS &&
		    asprintf(&e->note[i], "likely skipped by --quick: %.0f ms an operation in the "
			     "earlier run", op_ns[i] / 1e6) < 0) {
			e->note[i] = NULL;
			rc = -ENOMEM;
			break;
		}
		if (e->note[i]) {
			/* Skipped: one visit, its setup, no samples. */
			total_ns += ESTIMATE_VISIT_NS;
			continue;
		}
		total_ns += estimate_config_ns(o, t_ns, op_ns[i]) + o->rounds * ESTIMATE_VISIT_NS;
		if ((c->var->flags & BENCH_V_PREFILL) && c->x > 0) {
			bool seen = false;

			total_ns += o->rounds * c->x * ESTIMATE_PREFILL_FORK_NS_PER_BYTE;
			for (size_t k = 0; k < nfilled; k++)
				seen |= filled[k] == c->x;
			if (!seen && nfilled < RUNNER_MAX_PREFILL) {
				filled[nfilled++] = c->x;
				e->prefill_s += o->rounds * c->x * ESTIMATE_FILL_NS_PER_BYTE / 1e9;
			}
		}
	}
	e->total_s = total_ns / 1e9 + e->prefill_s;
	free(op_ns);
	return rc;
}

void estimate_print(const struct estimate *e, const struct runner_opts *o, size_t n, FILE *f)
{
	fprintf(f, "primbench: %zu configurations x %u rounds: an estimate of about %.*f s "
		"(%.0f ms a visit for fork, setup and teardown; %.1f s of prefill; ",
		n, o->rounds, e->total_s < 10 ? 1 : 0, e->total_s, ESTIMATE_VISIT_NS / 1e6, e->prefill_s);
	if (e->history[0])
		fprintf(f, "operation costs of %zu configurations from %s, the others assumed "
			"to fit a sample)\n", e->from_history, e->history);
	else
		fprintf(f, "no earlier run of this host under --out: every operation assumed to "
			"fit a sample, so slow points such as 1 GiB fills are underestimated)\n");
}

void estimate_free(struct estimate *e)
{
	for (size_t i = 0; e->note && i < e->n; i++)
		free(e->note[i]);
	free(e->note);
	e->note = NULL;
}
