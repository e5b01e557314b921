/*
 * runner.c - the run: every planned configuration, round after round,
 * each round in its shuffled order, each visit in a supervised child, each
 * finished visit handed to the sink.
 *
 * The parts, one file each (visit.h is what they share):
 *   plan.c       which configurations, in which order, the budget of a visit
 *   prefill.c    memory some variants want written, filled once per round
 *   supervise.c  the child's isolation, watchdog, reaping, stop signals
 *   measure.c    in the child: warm-up, calibration, samples, counting pass
 *   result.c     the child's records -> the visit's runner_result
 * The statistics over a configuration's visits are summarise.c's.
 */
#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "visit.h"

/* What the progress line knows about the run so far. */
struct progress {
	double t0;              /* when the run started (runner_now_s) */
	double done_s;          /* seconds the finished visits took, all of them */
	size_t done;            /* finished visits */
	double *last_s;         /* per configuration: its latest visit's seconds, 0: none yet */
};

/*
 * Seconds the visits still to come should take.  From the time the
 * finished visits took: a configuration visited before is assumed to take
 * as long as its latest visit (its first visit also calibrated, so that
 * overestimates a little until round 2 replaces it); one not visited yet
 * is assumed to take the mean of all finished visits.  A configuration
 * that was skipped, failed or timed out is not visited again and counts 0.
 * cur is the position in this round's order of the visit about to start
 * (it is counted as to come).
 */
static double progress_eta_s(const struct progress *pg, const struct runner_cal *cal,
			     const size_t *order, size_t n, size_t cur, unsigned round,
			     unsigned rounds)
{
	double mean_s = pg->done ? pg->done_s / (double)pg->done : 0, eta = 0;

	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		/* This round's visit if it is still to come, and the later rounds'. */
		unsigned left = rounds - round + (k >= cur);

		if (cal[i].done)
			continue;
		eta += left * (pg->last_s[i] > 0 ? pg->last_s[i] : mean_s);
	}
	return eta;
}

/* "1h02m", "4m05s" or "37s": a span of seconds for a person. */
static void progress_span(char *buf, size_t len, double s)
{
	long t = s > 0 ? (long)(s + 0.5) : 0;

	if (t >= 3600)
		snprintf(buf, len, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, len, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, len, "%lds", t);
}

/*
 * The status line before a visit: configuration i of the round's n (those
 * still visited), round r of R, elapsed time, the ETA, and what runs now.
 * On a terminal one line is redrawn in place; with --progress into a log,
 * one line each.
 */
static void progress(const struct runner_opts *o, const struct progress *pg, size_t i,
		     size_t n, unsigned round, double eta_s, const struct runner_config *c)
{
	char x[32] = "", el[32], eta[32];

	if (!o->progress)
		return;
	if (c->has_x)
		snprintf(x, sizeof(x), " %s=%.0f", c->var->sweep, c->x);
	progress_span(el, sizeof(el), runner_now_s() - pg->t0);
	if (pg->done)
		progress_span(eta, sizeof(eta), eta_s);
	else
		snprintf(eta, sizeof(eta), "?");
	fprintf(stderr, "%sconfig %zu/%zu round %u/%u elapsed %s ETA %s: %s/%s%s @%s%s",
		o->progress_tty ? "\r\033[K" : "", i, n, round, o->rounds, el, eta,
		c->desc->name, c->var->name, x, topo_placement_name(c->place.kind),
		o->progress_tty ? "" : "\n");
	fflush(stderr);
}

int runner_run(const struct runner_opts *o, const struct topo *t,
	       const struct runner_config *cfg, size_t n, const struct runner_sink *sink)
{
	struct runner_cal *cal = calloc(n ? n : 1, sizeof(*cal));
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	struct runner_prefill prefill[RUNNER_MAX_PREFILL];
	size_t nprefill = 0;
	size_t visits = 0;
	struct stats_rng rng;
	struct progress pg = { .t0 = runner_now_s() };
	int status = 0, harness_errno = 0;

	pg.last_s = calloc(n ? n : 1, sizeof(*pg.last_s));
	if (!cal || !order || !pg.last_s) {
		status = -ENOMEM;
		goto out;
	}
	/* Adopt orphaned workers, so that reap_adopted() (supervise.c) can end them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	stats_rng_seed(&rng, o->seed);

	for (unsigned round = 1; round <= o->rounds && !runner_stopped(); round++) {
		size_t in_round = 0, of_round = 0;

		plan_round_order(order, n, &rng);
		/* A fresh fill per round (prefill.c says why). */
		prefill_release(prefill, nprefill);
		nprefill = 0;
		for (size_t k = 0; k < n; k++)
			of_round += !cal[order[k]].done;
		for (size_t k = 0; k < n && !runner_stopped(); k++) {
			size_t i = order[k];
			struct runner_result r;
			double v0;

			if (cal[i].done)
				continue;
			if (o->progress)
				progress(o, &pg, ++in_round, of_round, round,
					 progress_eta_s(&pg, cal, order, n, k, round, o->rounds), &cfg[i]);
			visits++;
			v0 = runner_now_s();
			if (supervise_visit(o, t, &cfg[i], &cal[i],
					    prefill_get(prefill, &nprefill, &cfg[i]),
					    stats_rng_next(&rng), &r) < 0) {
				result_free(&r);
				status = -ENOMEM;
				goto out;
			}
			if (runner_stopped()) {
				result_free(&r);
				break;
			}
			pg.last_s[i] = runner_now_s() - v0;
			pg.done_s += pg.last_s[i];
			pg.done++;
			if (r.status != RUN_OK)
				cal[i].done = true;
			if (r.status == RUN_FAILED || r.status == RUN_TIMEOUT)
				status = 1;
			if (r.harness_errno && !harness_errno)
				harness_errno = r.harness_errno;
			if (sink->result(sink->arg, i, round, &r) < 0)
				status = 1;
			result_free(&r);
		}
	}
out:
	prefill_release(prefill, nprefill);
	free(cal);
	free(order);
	free(pg.last_s);
	/* The plain final line replaces the status line. */
	if (o->progress)
		fprintf(stderr, "%sdone: %zu visits of %zu configurations in %u rounds, %.1f s%s\n",
			o->progress_tty ? "\r\033[K" : "", visits, n, o->rounds,
			runner_now_s() - pg.t0,
			status < 0 || runner_stopped() ? " (stopped)" : "");
	if (status < 0)
		return status;
	if (runner_stopped())
		return 128 + runner_stopped();
	return harness_errno ? -harness_errno : status;
}
