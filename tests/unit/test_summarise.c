/*
 * test_summarise.c - a configuration's visits over rounds -> summary rows:
 * the batch-medians CI against values computed by hand, the one-round
 * cases, status and self-check combination, unnamed metrics, and the
 * per-round fit.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "summarise.h"

#define assert_close(a, b, tol)                                                 \
	do {                                                                    \
		double a_ = (a), b_ = (b);                                      \
		if (!(fabs(a_ - b_) <= (tol)))                                  \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);     \
	} while (0)

/* Passes when the median faults_per_op is 1, fails otherwise. */
static enum bench_valid one_fault(const struct bench_judge *j, char *note, size_t len)
{
	double f = j->metric(j, "faults_per_op");

	if (isnan(f))
		return BENCH_VALID_NA;
	snprintf(note, len, "faults %g", f);
	return f == 1 ? BENCH_VALID_PASS : BENCH_VALID_FAIL;
}

/* Fails when any sample of faults_per_op exceeds 1 (bench_judge_max);
 * the note gives the largest and the median. */
static enum bench_valid no_fault_above_one(const struct bench_judge *j, char *note, size_t len)
{
	double worst = bench_judge_max(j, "faults_per_op");

	if (isnan(worst))
		return BENCH_VALID_NA;
	snprintf(note, len, "max %g median %g", worst, j->metric(j, "faults_per_op"));
	return worst <= 1 ? BENCH_VALID_PASS : BENCH_VALID_FAIL;
}

static const double sizes[] = { 1048576, 2097152, 4194304 };
static const struct bench_variant variants[] = {
	{ .name = "plain", .summary = "s" },
	{ .name = "checked", .summary = "s", .validate = one_fault },
	{ .name = "swept", .summary = "s", .sweep = "rss_bytes", .xs = sizes, .nx = 3,
	  .flags = BENCH_V_FIT_PER_MIB },
	{ .name = "maxed", .summary = "s", .validate = no_fault_above_one },
	{ .name = NULL },
};
static const struct bench_desc desc = { .name = "fake", .summary = "s", .unit = "op",
					.variants = variants };

static struct runner_config config(int v, double x)
{
	return (struct runner_config){ .desc = &desc, .var = &variants[v],
				       .has_x = variants[v].xs != NULL, .x = x,
				       .place = { .kind = TOPO_SINGLE, .cpu = { 0, -1 } } };
}

/* A visit with ns_per_op values v[0..n) (and a counted faults_per_op of
 * faults per sample when faults >= 0); storage is static per call site. */
struct visit {
	struct runner_result r;
	uint64_t iters[16], count_iters[16];
	double ns[16], flt[16];
};

static void make_visit(struct visit *vi, const struct runner_config *c, enum runner_status st,
		       const double *v, size_t n, double faults)
{
	memset(vi, 0, sizeof(*vi));
	vi->r.cfg = c;
	vi->r.status = st;
	vi->r.pin_ok = true;
	vi->r.iters = vi->iters;
	vi->r.count_iters = vi->count_iters;
	vi->r.nsamples = n;
	for (size_t i = 0; i < n; i++) {
		vi->ns[i] = v[i];
		vi->iters[i] = 100;
		vi->flt[i] = faults;
		vi->count_iters[i] = 10;
	}
	if (n == 0)
		return;
	snprintf(vi->r.metric[0].name, BENCH_NAME_MAX, "ns_per_op");
	snprintf(vi->r.metric[0].unit, BENCH_NAME_MAX, "ns");
	vi->r.metric[0].v = vi->ns;
	vi->r.metric[0].n = n;
	vi->r.nmetrics = 1;
	if (faults >= 0) {
		snprintf(vi->r.metric[1].name, BENCH_NAME_MAX, "faults_per_op");
		snprintf(vi->r.metric[1].unit, BENCH_NAME_MAX, "faults/op");
		vi->r.metric[1].v = vi->flt;
		vi->r.metric[1].n = n;
		vi->r.metric[1].counted = true;
		vi->r.ncounted = n;
		vi->r.nmetrics = 2;
	}
}

/* Rows collected from summ_emit. */
struct rows {
	struct summ_row r[16];
	char metric[16][BENCH_NAME_MAX];
	char note[16][512];
	double fit_v[16][8];
	size_t n;
};

static int collect(void *arg, const struct summ_row *row)
{
	struct rows *rs = arg;

	assert_true(rs->n < 16);
	rs->r[rs->n] = *row;
	snprintf(rs->metric[rs->n], BENCH_NAME_MAX, "%s", row->metric);
	snprintf(rs->note[rs->n], sizeof(rs->note[0]), "%s", row->note);
	rs->r[rs->n].metric = rs->metric[rs->n];
	rs->r[rs->n].note = rs->note[rs->n];
	for (size_t i = 0; i < row->fit_n && i < 8; i++)
		rs->fit_v[rs->n][i] = row->fit_v[i];
	rs->n++;
	return 0;
}

/* Five rounds of two samples: round medians 10, 11, 12, 13, 14 (the mean
 * of each pair).  p50 of all ten = 12; on the log scale the CI is
 * 12 * exp(+- t(0.975, 4) * sd(ln 10 .. ln 14) / sqrt(5)); between CV =
 * 100 sqrt(2.5)/12 (of the medians themselves). */
static void test_batch_ci_over_rounds(void **state)
{
	struct runner_config c = config(0, 0);
	struct summ s;
	struct visit vi;
	struct rows rs = { .n = 0 };
	const double t4 = 2.7764451051977987;

	(void)state;
	assert_int_equal(summ_init(&s, &c, 1, 5), 0);
	for (unsigned k = 1; k <= 5; k++) {
		double v[2] = { 9.0 + k - 0.5, 9.0 + k + 0.5 };

		make_visit(&vi, &c, RUN_OK, v, 2, -1);
		assert_int_equal(summ_add(&s, 0, k, &vi.r), 0);
	}
	assert_int_equal(summ_emit(&s, collect, &rs), 0);
	assert_int_equal(rs.n, 1);
	assert_string_equal(rs.metric[0], "ns_per_op");
	assert_int_equal(rs.r[0].s.n, 10);
	assert_int_equal(rs.r[0].rounds, 5);
	assert_int_equal(rs.r[0].iters, 100);
	assert_close(rs.r[0].s.p50, 12.0, 1e-12);
	{
		double l[5], m = 0, ss = 0, half;

		for (int k = 0; k < 5; k++)
			m += (l[k] = log(10.0 + k)) / 5;
		for (int k = 0; k < 5; k++)
			ss += (l[k] - m) * (l[k] - m);
		half = t4 * sqrt(ss / 4) / sqrt(5.0);
		assert_close(rs.r[0].s.ci95_lo, 12.0 * exp(-half), 1e-6);
		assert_close(rs.r[0].s.ci95_hi, 12.0 * exp(half), 1e-6);
	}
	assert_close(rs.r[0].between_cv_pct, 100.0 * sqrt(2.5) / 12.0, 1e-9);
	assert_int_equal(rs.r[0].status, RUN_OK);
	summ_free(&s);
}

/* One round: the window's own CI when the run had one round; none when a
 * run of five was left with one. */
static void test_one_round(void **state)
{
	struct runner_config c = config(0, 0);
	const double v[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct summ s;
	struct visit vi;
	struct rows rs = { .n = 0 };

	(void)state;
	assert_int_equal(summ_init(&s, &c, 1, 1), 0);
	make_visit(&vi, &c, RUN_OK, v, 8, -1);
	assert_int_equal(summ_add(&s, 0, 1, &vi.r), 0);
	assert_int_equal(summ_emit(&s, collect, &rs), 0);
	/* Order statistics of n = 8: the 1st and 8th values (96.1%). */
	assert_close(rs.r[0].s.ci95_lo, 1, 0);
	assert_close(rs.r[0].s.ci95_hi, 8, 0);
	assert_true(isnan(rs.r[0].between_cv_pct));
	summ_free(&s);

	rs.n = 0;
	assert_int_equal(summ_init(&s, &c, 1, 5), 0);
	assert_int_equal(summ_add(&s, 0, 1, &vi.r), 0);
	assert_int_equal(summ_emit(&s, collect, &rs), 0);
	assert_int_equal(rs.r[0].rounds, 1);
	assert_true(isnan(rs.r[0].s.ci95_lo) && isnan(rs.r[0].s.ci95_hi));
	summ_free(&s);
}

/* The first visit that is not ok sets status and note; samples of the ok
 * rounds are kept; a configuration never visited has no row; an unnamed
 * metric (a visit cut short) is dropped, not written under an empty key. */
static void test_status_and_unnamed(void **state)
{
	struct runner_config c[3] = { config(0, 0), config(0, 0), config(0, 0) };
	const double v[2] = { 5, 6 };
	struct summ s;
	struct visit vi;
	struct rows rs = { .n = 0 };

	(void)state;
	assert_int_equal(summ_init(&s, c, 3, 5), 0);
	make_visit(&vi, &c[0], RUN_OK, v, 2, -1);
	assert_int_equal(summ_add(&s, 0, 1, &vi.r), 0);
	make_visit(&vi, &c[0], RUN_TIMEOUT, v, 2, -1);
	snprintf(vi.r.note, sizeof(vi.r.note), "killed by the watchdog");
	/* The extra metric of a cut visit never got its name. */
	vi.r.metric[1] = vi.r.metric[0];
	vi.r.metric[1].name[0] = 0;
	vi.r.nmetrics = 2;
	assert_int_equal(summ_add(&s, 0, 2, &vi.r), 0);
	make_visit(&vi, &c[1], RUN_SKIPPED, NULL, 0, -1);
	snprintf(vi.r.note, sizeof(vi.r.note), "no such primitive");
	assert_int_equal(summ_add(&s, 1, 1, &vi.r), 0);
	assert_int_equal(summ_add(&s, 1, 0, &vi.r), -EINVAL);
	assert_int_equal(summ_add(&s, 7, 1, &vi.r), -EINVAL);
	assert_int_equal(summ_emit(&s, collect, &rs), 0);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.r[0].status, RUN_TIMEOUT);
	assert_string_equal(rs.note[0], "round 2: killed by the watchdog");
	assert_string_equal(rs.metric[0], "ns_per_op");
	assert_int_equal(rs.r[0].s.n, 4);
	assert_int_equal(rs.r[0].rounds, 2);
	assert_int_equal(rs.r[1].status, RUN_SKIPPED);
	assert_string_equal(rs.metric[1], "ns_per_op");
	assert_int_equal(rs.r[1].s.n, 0);
	assert_string_equal(rs.note[1], "no such primitive");
	summ_free(&s);
}

/* Self-checks on the pooled medians, once; worker 0 off its CPU in any
 * visit fails the configuration. */
static void test_validation(void **state)
{
	struct runner_config c[2] = { config(1, 0), config(1, 0) };
	const double v[2] = { 5, 6 };
	struct summ s;
	struct visit vi;
	struct rows rs = { .n = 0 };

	(void)state;
	assert_int_equal(summ_init(&s, c, 2, 3), 0);
	for (unsigned k = 1; k <= 3; k++) {
		/* Faults 1, 1, 3: the pooled median is 1, so the check passes. */
		make_visit(&vi, &c[0], RUN_OK, v, 2, k == 3 ? 3 : 1);
		assert_int_equal(summ_add(&s, 0, k, &vi.r), 0);
		make_visit(&vi, &c[1], RUN_OK, v, 2, 1);
		vi.r.pin_ok = k != 2;
		assert_int_equal(summ_add(&s, 1, k, &vi.r), 0);
	}
	assert_int_equal(summ_emit(&s, collect, &rs), 0);
	assert_int_equal(rs.n, 4);
	assert_int_equal(rs.r[0].valid, BENCH_VALID_PASS);
	assert_non_null(strstr(rs.note[0], "faults 1"));
	assert_int_equal(rs.r[2].valid, BENCH_VALID_FAIL);
	assert_non_null(strstr(rs.note[2], "worker 0 was not on its CPU"));
	summ_free(&s);
}

/*
 * metric_max is the largest sample over every round, where metric is the
 * pooled median: faults 1, 1, 3 in three rounds have median 1 and max 3,
 * so a check that one bad sample must fail (sched_switch's peer_off_cpu)
 * fails, though the median is clean.
 */
static void test_judge_max_over_rounds(void **state)
{
	struct runner_config c = config(3, 0);
	const double v[2] = { 5, 6 };
	struct summ s;
	struct visit vi;
	struct rows rs = { .n = 0 };

	(void)state;
	assert_int_equal(summ_init(&s, &c, 1, 3), 0);
	for (unsigned k = 1; k <= 3; k++) {
		make_visit(&vi, &c, RUN_OK, v, 2, k == 3 ? 3 : 1);
		assert_int_equal(summ_add(&s, 0, k, &vi.r), 0);
	}
	assert_int_equal(summ_emit(&s, collect, &rs), 0);
	assert_true(rs.n >= 1);
	assert_int_equal(rs.r[0].valid, BENCH_VALID_FAIL);
	assert_non_null(strstr(rs.note[0], "max 3 median 1"));
	summ_free(&s);
}

/* ns_per_mib: one slope per round over that round's point medians; the
 * row's p50 is the slope of the pooled medians, its samples the round
 * slopes, its CI the batch CI of those. */
static void test_fit_per_round(void **state)
{
	struct runner_config c[3] = { config(2, sizes[0]), config(2, sizes[1]), config(2, sizes[2]) };
	/* ns = 100 + slope_k * MiB with slope 10, 12, 14 in rounds 1..3. */
	const double slope[3] = { 10, 12, 14 };
	struct summ s;
	struct visit vi;
	struct rows rs = { .n = 0 };
	const double t2 = 4.302652729911275;

	(void)state;
	assert_int_equal(summ_init(&s, c, 3, 3), 0);
	for (unsigned k = 1; k <= 3; k++) {
		for (int p = 0; p < 3; p++) {
			double v[1] = { 100 + slope[k - 1] * sizes[p] / 1048576.0 };

			make_visit(&vi, &c[p], RUN_OK, v, 1, -1);
			assert_int_equal(summ_add(&s, (size_t)p, k, &vi.r), 0);
		}
	}
	assert_int_equal(summ_emit(&s, collect, &rs), 0);
	assert_int_equal(rs.n, 4);
	assert_string_equal(rs.metric[3], "ns_per_mib");
	assert_true(rs.r[3].fit);
	assert_int_equal(rs.r[3].fit_n, 3);
	assert_close(rs.fit_v[3][0], 10, 1e-9);
	assert_close(rs.fit_v[3][2], 14, 1e-9);
	/* Pooled medians are the round-2 line: slope 12. */
	assert_close(rs.r[3].s.p50, 12, 1e-9);
	assert_close(rs.r[3].s.ci95_lo, 12 - t2 * 2 / sqrt(3), 1e-6);
	assert_close(rs.r[3].s.ci95_hi, 12 + t2 * 2 / sqrt(3), 1e-6);
	assert_int_equal(rs.r[3].rounds, 3);
	summ_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_ci_over_rounds),
		cmocka_unit_test(test_one_round),
		cmocka_unit_test(test_status_and_unnamed),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_judge_max_over_rounds),
		cmocka_unit_test(test_fit_per_round),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
