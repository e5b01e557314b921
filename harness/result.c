/*
 * result.c - a visit's records, as the supervising child streams them
 * (visit.h), gathered into its runner_result: one array of values per
 * metric, the per-operation rates computed from each sample's operations
 * and elapsed time (ns_per_op, bytes_per_s, msgs_per_s, counter deltas per
 * operation), then the visit's status and note from its MSG_DONE.  The
 * statistics over samples and rounds are summarise.c's, not this file's.
 */
#include "note.h"
#include "visit.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ctx.h"

/* Append v to metric m, allocating its cap values on first use. */
static int metric_push(struct runner_metric *m, size_t cap, double v)
{
	if (!m->v) {
		m->v = calloc(cap, sizeof(double));
		if (!m->v)
			return -ENOMEM;
	}
	m->v[m->n++] = v;
	return 0;
}

/* Metric slots of a result: 0 ns_per_op, 1 bytes_per_s, 2 msgs_per_s,
 * 3 host_probe_ns, 4.. counters, then extras.  Unused slots are dropped
 * before reporting. */
#define SLOT_NS 0
#define SLOT_BPS 1
#define SLOT_MPS 2
#define SLOT_PROBE 3
#define SLOT_CNT 4
#define SLOT_EXTRA (SLOT_CNT + PMU_NEVENTS)

void result_init(struct runner_result *r, const struct runner_config *c)
{
	memset(r, 0, sizeof(*r));
	r->cfg = c;
	r->nmetrics = SLOT_EXTRA + BENCH_MAX_EXTRA;
	snprintf(r->metric[SLOT_NS].name, BENCH_NAME_MAX, "ns_per_op");
	snprintf(r->metric[SLOT_NS].unit, BENCH_NAME_MAX, "ns");
	snprintf(r->metric[SLOT_BPS].name, BENCH_NAME_MAX, "bytes_per_s");
	snprintf(r->metric[SLOT_BPS].unit, BENCH_NAME_MAX, "B/s");
	snprintf(r->metric[SLOT_MPS].name, BENCH_NAME_MAX, "msgs_per_s");
	snprintf(r->metric[SLOT_MPS].unit, BENCH_NAME_MAX, "msgs/s");
	snprintf(r->metric[SLOT_PROBE].name, BENCH_NAME_MAX, "host_probe_ns");
	snprintf(r->metric[SLOT_PROBE].unit, BENCH_NAME_MAX, "ns/turn");
	for (int e = 0; e < PMU_NEVENTS; e++) {
		snprintf(r->metric[SLOT_CNT + e].name, BENCH_NAME_MAX, "%s",
			 pmu_event_info(e)->metric);
		snprintf(r->metric[SLOT_CNT + e].unit, BENCH_NAME_MAX, "%s",
			 pmu_event_info(e)->unit);
		r->metric[SLOT_CNT + e].counted = true;
	}
}

/* A timed sample: wall-time metrics and the benchmark's extras. */
static int add_timed(struct runner_result *r, size_t cap, const struct msg_sample *m)
{
	double ops = m->ops ? (double)m->ops : 1;
	int rc = 0;

	if (r->nsamples == cap)
		return -E2BIG;
	r->iters[r->nsamples++] = m->iters;
	rc |= metric_push(&r->metric[SLOT_NS], cap, m->elapsed_ns / ops);
	if (m->bytes && m->elapsed_ns > 0) {
		rc |= metric_push(&r->metric[SLOT_BPS], cap, (double)m->bytes * 1e9 / m->elapsed_ns);
		rc |= metric_push(&r->metric[SLOT_MPS], cap, ops * 1e9 / m->elapsed_ns);
	}
	if (m->probe_ns > 0)
		rc |= metric_push(&r->metric[SLOT_PROBE], cap, m->probe_ns);
	for (int i = 0; i < BENCH_MAX_EXTRA; i++)
		if (!isnan(m->extra[i]))
			rc |= metric_push(&r->metric[SLOT_EXTRA + i], cap, m->extra[i]);
	return rc ? -ENOMEM : 0;
}

/* A counted sample: counter deltas per operation. */
static int add_counted(struct runner_result *r, size_t cap, const struct msg_sample *m)
{
	double ops = m->ops ? (double)m->ops : 1;
	int rc = 0;

	if (r->ncounted == cap)
		return -E2BIG;
	r->count_iters[r->ncounted++] = m->iters;
	if (m->multiplexed)
		r->multiplexed = true;
	for (int e = 0; e < PMU_NEVENTS; e++)
		if (!isnan(m->count[e]))
			rc |= metric_push(&r->metric[SLOT_CNT + e], cap, m->count[e] / ops);
	return rc ? -ENOMEM : 0;
}

void result_compact(struct runner_result *r)
{
	size_t j = 0;

	for (size_t i = 0; i < r->nmetrics; i++) {
		struct runner_metric *m = &r->metric[i];

		size_t want = m->counted ? r->ncounted : r->nsamples;

		if (m->n == 0 || (m->n != want && i != SLOT_NS)) {
			free(m->v);
			continue;
		}
		if (j != i)
			r->metric[j] = *m;
		j++;
	}
	for (size_t i = j; i < r->nmetrics; i++)
		memset(&r->metric[i], 0, sizeof(r->metric[i]));
	r->nmetrics = j;
}

void result_free(struct runner_result *r)
{
	for (size_t i = 0; i < r->nmetrics; i++)
		free(r->metric[i].v);
	free(r->iters);
	free(r->count_iters);
}

/* Why a child that sent no MSG_DONE ended, from its wait status, into buf. */
static const char *status_reason(int wstatus, char *buf, size_t len)
{
	if (WIFSIGNALED(wstatus))
		snprintf(buf, len, "benchmark process killed by signal %d (%s)",
			 WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
	else
		snprintf(buf, len, "benchmark process exited with status %d before finishing",
			 WEXITSTATUS(wstatus));
	return buf;
}

int result_add(struct runner_result *r, size_t cap, const struct msg_sample *m)
{
	return m->type == MSG_SAMPLE ? add_timed(r, cap, m) : add_counted(r, cap, m);
}

void result_finish(struct runner_result *r, const struct msg_done *done, bool have_done,
		   int wstatus, struct runner_cal *cal)
{
	if (r->status == RUN_OK) {
		if (!have_done) {
			r->status = RUN_FAILED;
			status_reason(wstatus, r->note, sizeof(r->note));
		} else if (done->status == CTX_SKIPPED) {
			r->status = RUN_SKIPPED;
			snprintf(r->note, sizeof(r->note), "%s", done->note);
		} else if (done->rc < 0 || done->status == CTX_FAILED) {
			r->status = RUN_FAILED;
			if (done->note[0])
				snprintf(r->note, sizeof(r->note), "%s", done->note);
			else
				snprintf(r->note, sizeof(r->note), "%s", strerror(-done->rc));
		} else {
			snprintf(r->note, sizeof(r->note), "%s", done->note);
		}
	}
	for (unsigned i = 0; have_done && i < done->nextra && i < BENCH_MAX_EXTRA; i++) {
		struct runner_metric *m = &r->metric[SLOT_EXTRA + i];

		snprintf(m->name, BENCH_NAME_MAX, "%s", done->extra_name[i]);
		snprintf(m->unit, BENCH_NAME_MAX, "%s", done->extra_unit[i]);
	}
	if (r->multiplexed)
		note_append(r->note, sizeof(r->note),
			    "counters multiplexed (time_running < time_enabled): counts are raw, not scaled");
	if (have_done && done->pmu_mode == PMU_MODE_USER_ONLY)
		note_append(r->note, sizeof(r->note), "counters user-mode only (perf_event_paranoid)");
	if (have_done && done->pmu_mode == PMU_MODE_RUSAGE)
		note_append(r->note, sizeof(r->note), "counters from getrusage");
	r->pin_ok = !have_done || done->pin_ok;
	if (r->status == RUN_OK && !cal->known) {
		cal->known = true;
		cal->iters = done->iters;
		cal->count_iters = done->count_iters;
		cal->reps = done->reps;
		cal->count_reps = done->count_reps;
		cal->call_ns = done->call_ns;
	}
	result_compact(r);
}
