/*
 * test_sched_switch.c - the sched_switch family's sweep and validate
 * callback, fed medians by hand through a fake struct bench_judge.
 *
 * The expected verdicts follow from the rule in bench/sched_switch.c's
 * header, worked by hand: on same-cpu a round trip is two context switches
 * (accepted: [1.8, 2.5]); a pinned peer found off its CPU fails anywhere.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bench.h"

extern const struct bench_desc bench_sched_switch;

/* The medians a fake judge answers with. */
struct fake_medians {
	double ctxsw;    /* ctxsw_per_op, NAN if unmeasured */
	double off_cpu;  /* peer_off_cpu, NAN if unmeasured */
};

static double fake_metric(const struct bench_judge *j, const char *name)
{
	const struct fake_medians *m = j->priv;

	if (strcmp(name, "ctxsw_per_op") == 0)
		return m->ctxsw;
	if (strcmp(name, "peer_off_cpu") == 0)
		return m->off_cpu;
	return NAN;
}

static const struct bench_variant *variant(const char *name)
{
	for (const struct bench_variant *v = bench_sched_switch.variants; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

static enum bench_valid judge(const char *var, const char *placement, bool pinned,
			      double ctxsw, double off_cpu, char *note, size_t len)
{
	const struct bench_variant *v = variant(var);
	struct fake_medians m = { ctxsw, off_cpu };
	struct bench_judge j = {
		.variant = var, .x = 0, .placement = placement, .pinned = pinned,
		.metric = fake_metric, .priv = &m,
	};

	assert_non_null(v);
	assert_non_null(v->validate);
	note[0] = 0;
	return v->validate(&j, note, len);
}

static void test_every_variant_validates(void **state)
{
	static const char *const names[] = {
		"proc_pipe", "proc_futex", "thread_futex", "proc_yield", "thread_yield",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct bench_variant *v = variant(names[i]);

		assert_non_null(v);
		assert_non_null(v->validate);
		assert_true(v->flags & BENCH_V_PAIR);
		assert_string_equal(v->sweep, "wss_bytes");
		/* The sweep: 0, 16 KiB, 256 KiB, 4 MiB. */
		assert_int_equal(v->nx, 4);
		assert_true(v->xs[0] == 0 && v->xs[1] == 16384 && v->xs[2] == 262144 &&
			    v->xs[3] == 4194304);
	}
}

static void test_same_cpu_two_switches(void **state)
{
	char note[256];

	(void)state;
	/* 2.0 and both ends of [1.8, 2.5] pass. */
	assert_int_equal(judge("proc_pipe", "same-cpu", true, 2.0, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("thread_futex", "same-cpu", true, 1.8, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("proc_yield", "same-cpu", true, 2.5, 0, note, sizeof(note)), BENCH_VALID_PASS);
}

static void test_same_cpu_wrong_count_fails(void **state)
{
	char note[256];

	(void)state;
	/* 1.0: only one side's switches were counted (the peer's missing). */
	assert_int_equal(judge("proc_futex", "same-cpu", true, 1.0, 0, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_non_null(strstr(note, "ctxsw_per_op"));
	/* 4.0: twice too many (e.g. preempted at every hand-off). */
	assert_int_equal(judge("proc_futex", "same-cpu", true, 4.0, 0, note, sizeof(note)), BENCH_VALID_FAIL);
	/* Just outside both ends. */
	assert_int_equal(judge("proc_pipe", "same-cpu", true, 1.79, 0, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_int_equal(judge("proc_pipe", "same-cpu", true, 2.51, 0, note, sizeof(note)), BENCH_VALID_FAIL);
}

static void test_no_counter_is_na(void **state)
{
	char note[256];

	(void)state;
	assert_int_equal(judge("proc_pipe", "same-cpu", true, NAN, 0, note, sizeof(note)), BENCH_VALID_NA);
	assert_true(note[0] != 0);
}

static void test_cross_cpu_needs_no_switch_count(void **state)
{
	char note[256];

	(void)state;
	/* A wake-up across CPUs may or may not switch: 1.0 is fine there. */
	assert_int_equal(judge("proc_futex", "same-cache", true, 1.0, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("proc_futex", "cross-numa", true, 2.0, 0, note, sizeof(note)), BENCH_VALID_PASS);
	/* Unpinned: nothing to check. */
	assert_int_equal(judge("proc_futex", "unpinned", false, 1.3, NAN, note, sizeof(note)), BENCH_VALID_NA);
}

static void test_peer_off_cpu_fails(void **state)
{
	char note[256];

	(void)state;
	assert_int_equal(judge("proc_pipe", "same-cpu", true, 2.0, 1, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_non_null(strstr(note, "off its CPU"));
	assert_int_equal(judge("thread_futex", "same-cache", true, 2.0, 3, note, sizeof(note)), BENCH_VALID_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_variant_validates),
		cmocka_unit_test(test_same_cpu_two_switches),
		cmocka_unit_test(test_same_cpu_wrong_count_fails),
		cmocka_unit_test(test_no_counter_is_na),
		cmocka_unit_test(test_cross_cpu_needs_no_switch_count),
		cmocka_unit_test(test_peer_off_cpu_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
