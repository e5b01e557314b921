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

static void progress(const struct runner_opts *o, size_t i, size_t n, double t0,
		     unsigned round, const struct runner_config *c)
{
	char x[32] = "";

	if (!o->progress)
		return;
	if (c->has_x)
		snprintf(x, sizeof(x), " %s=%.0f", c->var->sweep, c->x);
	/* On a terminal one line is redrawn; in a log, one line each. */
	fprintf(stderr, "%s[%zu/%zu r%u %5.1fs] %s/%s%s @%s%s", o->progress_tty ? "\r\033[K" : "",
		i + 1, n, round, runner_now_s() - t0, c->desc->name, c->var->name, x,
		topo_placement_name(c->place.kind), o->progress_tty ? "" : "\n");
	fflush(stderr);
}

int runner_run(const struct runner_opts *o, const struct topo *t,
	       const struct runner_config *cfg, size_t n, const struct runner_sink *sink)
{
	struct runner_cal *cal = calloc(n ? n : 1, sizeof(*cal));
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	struct runner_prefill prefill[RUNNER_MAX_PREFILL];
	size_t nprefill = 0;
	size_t visits = 0, planned = n * o->rounds;
	struct stats_rng rng;
	double t0 = runner_now_s();
	int status = 0, harness_errno = 0;

	if (!cal || !order) {
		status = -ENOMEM;
		goto out;
	}
	/* Adopt orphaned workers, so that reap_adopted() (supervise.c) can end them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	stats_rng_seed(&rng, o->seed);

	for (unsigned round = 1; round <= o->rounds && !runner_stopped(); round++) {
		plan_round_order(order, n, &rng);
		/* A fresh fill per round (prefill.c says why). */
		prefill_release(prefill, nprefill);
		nprefill = 0;
		for (size_t k = 0; k < n && !runner_stopped(); k++) {
			size_t i = order[k];
			struct runner_result r;

			if (cal[i].done) {
				planned--;
				continue;
			}
			progress(o, visits++, planned, t0, round, &cfg[i]);
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
	if (o->progress)
		fprintf(stderr, "%s%zu visits of %zu configurations in %.1f s%s\n",
			o->progress_tty ? "\r\033[K" : "", visits, n, runner_now_s() - t0,
			status < 0 || runner_stopped() ? " (stopped)" : "");
	if (status < 0)
		return status;
	if (runner_stopped())
		return 128 + runner_stopped();
	return harness_errno ? -harness_errno : status;
}
