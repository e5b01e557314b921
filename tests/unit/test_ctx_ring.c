/*
 * test_ctx_ring.c - the ctx_ring family's sweeps and validate callback,
 * fed medians by hand through a fake struct bench_judge.
 *
 * The expected verdicts follow from the rule in bench/ctx_ring.c's header,
 * worked by hand: on same-cpu a hop is at least one context switch and
 * less than two, all N tasks counted (accepted: [0.75, 2)); the other
 * tasks not counted read 0.5 at N = 2 and less beyond, a switch counted
 * twice reads 2 or more; a pinned task found off its CPU fails anywhere.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bench.h"
#include "fake_judge.h"

extern const struct bench_desc bench_ctx_ring;

/* The medians (and largest samples) a fake judge answers with. */
struct fake_medians {
	double ctxsw;        /* ctxsw_per_op, NAN if unmeasured */
	double off_cpu;      /* tasks_off_cpu's median, NAN if unmeasured */
	double off_cpu_max;  /* tasks_off_cpu's largest sample */
};

static double fake_metric(const struct bench_judge *j, const char *name)
{
	const struct fake_medians *m = j->priv;

	if (strcmp(name, "ctxsw_per_op") == 0)
		return m->ctxsw;
	if (strcmp(name, "tasks_off_cpu") == 0)
		return m->off_cpu;
	return NAN;
}

static double fake_metric_max(const struct bench_judge *j, const char *name)
{
	const struct fake_medians *m = j->priv;

	if (strcmp(name, "tasks_off_cpu") == 0)
		return m->off_cpu_max;
	return fake_metric(j, name);
}

static enum bench_valid judge(const char *var, const char *placement, bool pinned,
			      double ctxsw, double off_cpu, char *note, size_t len)
{
	const struct bench_variant *v = fake_variant(&bench_ctx_ring, var);
	struct fake_medians m = { ctxsw, off_cpu, off_cpu };
	struct bench_judge j = {
		.variant = var, .x = 8, .placement = placement, .pinned = pinned,
		.metric = fake_metric, .metric_max = fake_metric_max, .priv = &m,
	};

	assert_non_null(v);
	assert_non_null(v->validate);
	note[0] = 0;
	return v->validate(&j, note, len);
}

/* Every variant: two workers (placements), swept by tasks, even counts
 * from 2 to 64, both ends in every sweep. */
static void test_every_variant_sweeps_tasks(void **state)
{
	static const char *const names[] = { "proc_0k", "proc_16k", "proc_256k", "thread_0k" };
	size_t n = 0;

	(void)state;
	for (const struct bench_variant *v = bench_ctx_ring.variants; v->name; v++)
		n++;
	assert_int_equal(n, sizeof(names) / sizeof(names[0]));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct bench_variant *v = fake_variant(&bench_ctx_ring, names[i]);

		assert_non_null(v);
		assert_non_null(v->validate);
		assert_true(v->flags & BENCH_V_PAIR);
		assert_string_equal(v->sweep, "tasks");
		assert_true(v->nx >= 3);
		assert_true(v->xs[0] == 2 && v->xs[v->nx - 1] == 64);
		for (size_t k = 0; k < v->nx; k++) {
			assert_true((int)v->xs[k] % 2 == 0);
			assert_true(k == 0 || v->xs[k] > v->xs[k - 1]);
		}
	}
	/* The two full curves: lat_ctx's 2, 4, 8, 16, 32, 64. */
	assert_int_equal(fake_variant(&bench_ctx_ring, "proc_0k")->nx, 6);
	assert_int_equal(fake_variant(&bench_ctx_ring, "proc_256k")->nx, 6);
}

static void test_same_cpu_one_switch_per_hop(void **state)
{
	char note[256];

	(void)state;
	/* 1 (no preemption, or N = 2), 1.4 (about 0.4 preemptions a hop),
	 * and both ends of [0.75, 2). */
	assert_int_equal(judge("proc_0k", "same-cpu", true, 1.0, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("proc_256k", "same-cpu", true, 1.46, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("thread_0k", "same-cpu", true, 0.75, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("proc_16k", "same-cpu", true, 1.99, 0, note, sizeof(note)), BENCH_VALID_PASS);
}

static void test_same_cpu_wrong_count_fails(void **state)
{
	char note[256];

	(void)state;
	/* 0.5: only worker 0 counted at N = 2 (the others missing). */
	assert_int_equal(judge("proc_0k", "same-cpu", true, 0.5, 0, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_non_null(strstr(note, "ctxsw_per_op"));
	assert_non_null(strstr(note, "per hop"));
	/* 2.0: every switch counted twice - the high end is open. */
	assert_int_equal(judge("proc_0k", "same-cpu", true, 2.0, 0, note, sizeof(note)), BENCH_VALID_FAIL);
	/* Just below the low end; far above. */
	assert_int_equal(judge("thread_0k", "same-cpu", true, 0.74, 0, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_int_equal(judge("proc_256k", "same-cpu", true, 2.9, 0, note, sizeof(note)), BENCH_VALID_FAIL);
}

/* The low end is bench.h's ping-pong range per round trip, halved: a
 * ring of two is that ping-pong. */
static void test_low_end_is_the_pingpong_range_halved(void **state)
{
	char note[256];
	double lo = BENCH_PINGPONG_SWITCHES_LO / 2;

	(void)state;
	assert_true(lo == 0.75);
	assert_int_equal(judge("proc_0k", "same-cpu", true, lo, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("proc_0k", "same-cpu", true, nextafter(lo, 0), 0, note, sizeof(note)),
			 BENCH_VALID_FAIL);
}

static void test_no_counter_is_na(void **state)
{
	char note[256];

	(void)state;
	assert_int_equal(judge("proc_0k", "same-cpu", true, NAN, 0, note, sizeof(note)), BENCH_VALID_NA);
	assert_true(note[0] != 0);
}

static void test_spread_needs_no_switch_count(void **state)
{
	char note[256];

	(void)state;
	/* Across CPUs a task may find the token already there. */
	assert_int_equal(judge("proc_0k", "same-cache", true, 0.6, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("thread_0k", "cross-numa", true, 2.5, 0, note, sizeof(note)), BENCH_VALID_PASS);
	/* Unpinned: nothing to check. */
	assert_int_equal(judge("proc_0k", "unpinned", false, 1.3, NAN, note, sizeof(note)), BENCH_VALID_NA);
}

static void test_task_off_cpu_fails(void **state)
{
	char note[256];

	(void)state;
	assert_int_equal(judge("proc_0k", "same-cpu", true, 1.0, 1, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_non_null(strstr(note, "off its CPU"));
	assert_int_equal(judge("thread_0k", "same-cache", true, 1.0, 3, note, sizeof(note)), BENCH_VALID_FAIL);
}

/* tasks_off_cpu is cumulative: a miss after the middle sample leaves the
 * median at 0 and the largest sample at 1, which must fail. */
static void test_late_miss_fails(void **state)
{
	struct fake_medians m = { 1.0, 0, 1 };
	struct bench_judge j = {
		.variant = "proc_0k", .x = 64, .placement = "same-cpu", .pinned = true,
		.metric = fake_metric, .metric_max = fake_metric_max, .priv = &m,
	};
	char note[256] = "";

	(void)state;
	assert_int_equal(fake_variant(&bench_ctx_ring, "proc_0k")->validate(&j, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_non_null(strstr(note, "off its CPU"));
	m.off_cpu_max = 0;
	assert_int_equal(fake_variant(&bench_ctx_ring, "proc_0k")->validate(&j, note, sizeof(note)), BENCH_VALID_PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_variant_sweeps_tasks),
		cmocka_unit_test(test_same_cpu_one_switch_per_hop),
		cmocka_unit_test(test_same_cpu_wrong_count_fails),
		cmocka_unit_test(test_low_end_is_the_pingpong_range_halved),
		cmocka_unit_test(test_no_counter_is_na),
		cmocka_unit_test(test_spread_needs_no_switch_count),
		cmocka_unit_test(test_task_off_cpu_fails),
		cmocka_unit_test(test_late_miss_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
