/*
 * test_syscall_signal_sem_noise.c - issue 9's descriptors and the
 * ping-pong validate callbacks, fed medians by hand through a fake
 * struct bench_judge.
 *
 * Expected verdicts follow from the rule in bench/signal.c's and
 * bench/sem.c's header comments, worked by hand: on same-cpu a round trip
 * is two context switches (one per side), accepted 1.5..3 inclusive; any
 * other placement, or an unmeasured count, is n/a.  The expected variant
 * lists and sweep are the issue's, copied from it, not from the code.
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

extern const struct bench_desc bench_syscall_entry;
extern const struct bench_desc bench_signal;
extern const struct bench_desc bench_sem;
extern const struct bench_desc bench_os_noise;

static double fake_metric(const struct bench_judge *j, const char *name)
{
	const double *ctxsw = j->priv;

	return strcmp(name, "ctxsw_per_op") == 0 ? *ctxsw : NAN;
}

static size_t nvariants(const struct bench_desc *d)
{
	size_t n = 0;

	while (d->variants[n].name)
		n++;
	return n;
}

static enum bench_valid judge(const struct bench_variant *v, const char *placement,
			      double ctxsw, char *note, size_t len)
{
	struct bench_judge j = {
		.variant = v->name, .x = NAN, .placement = placement, .pinned = true,
		.metric = fake_metric, .priv = &ctxsw,
	};

	note[0] = 0;
	return v->validate(&j, note, len);
}

/* The three ping-pong variants the same rule applies to. */
static const struct bench_variant *pingpong(size_t i)
{
	switch (i) {
	case 0:
		return fake_variant(&bench_signal, "kill_pingpong");
	case 1:
		return fake_variant(&bench_sem, "posix_sem");
	default:
		return fake_variant(&bench_sem, "sysv_sem");
	}
}

static void test_pingpong_variants_are_pairs(void **state)
{
	(void)state;
	for (size_t i = 0; i < 3; i++) {
		const struct bench_variant *v = pingpong(i);

		assert_non_null(v);
		assert_non_null(v->validate);
		assert_true(v->flags & BENCH_V_PAIR);
		assert_null(v->xs);
	}
}

static void test_same_cpu_two_switches_pass(void **state)
{
	char note[BENCH_NOTE_MAX];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(judge(pingpong(i), "same-cpu", 2.0, note, sizeof(note)), BENCH_VALID_PASS);
		assert_int_equal(judge(pingpong(i), "same-cpu", 2.05, note, sizeof(note)), BENCH_VALID_PASS);
		/* The band's edges are inside it. */
		assert_int_equal(judge(pingpong(i), "same-cpu", 1.5, note, sizeof(note)), BENCH_VALID_PASS);
		assert_int_equal(judge(pingpong(i), "same-cpu", 3.0, note, sizeof(note)), BENCH_VALID_PASS);
	}
}

static void test_same_cpu_wrong_counts_fail(void **state)
{
	/* 1: one side's switches missing; 4: counted twice; 0: none. */
	static const double bad[] = { 0.0, 1.0, 1.49, 3.01, 4.0 };
	char note[BENCH_NOTE_MAX];

	(void)state;
	for (size_t i = 0; i < 3; i++)
		for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			assert_int_equal(judge(pingpong(i), "same-cpu", bad[k], note, sizeof(note)),
					 BENCH_VALID_FAIL);
			assert_non_null(strstr(note, "context switches"));
		}
	judge(pingpong(1), "same-cpu", 1.0, note, sizeof(note));
	assert_non_null(strstr(note, "1.00"));
}

static void test_other_placements_and_unmeasured_are_na(void **state)
{
	char note[BENCH_NOTE_MAX];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		/* Across CPUs a waiter may find the post already there: no rule. */
		assert_int_equal(judge(pingpong(i), "same-cache", 1.0, note, sizeof(note)), BENCH_VALID_NA);
		assert_int_equal(judge(pingpong(i), "cross-numa", 0.0, note, sizeof(note)), BENCH_VALID_NA);
		assert_int_equal(judge(pingpong(i), "same-cpu", NAN, note, sizeof(note)), BENCH_VALID_NA);
		assert_string_equal(note, "");
	}
}

static void test_syscall_entry_variants(void **state)
{
	static const char *const names[] = {
		"getpid_syscall", "clock_gettime_vdso", "clock_gettime_syscall",
		"close_ebadf", "read_devzero_1b", "write_devnull_1b",
	};

	(void)state;
	assert_string_equal(bench_syscall_entry.name, "syscall_entry");
	assert_int_equal(nvariants(&bench_syscall_entry), 6);
	for (size_t i = 0; i < 6; i++) {
		const struct bench_variant *v = fake_variant(&bench_syscall_entry, names[i]);

		assert_non_null(v);
		assert_false(v->flags & BENCH_V_PAIR);
	}
}

static void test_signal_variants(void **state)
{
	static const char *const single[] = { "sigaction_install", "raise_roundtrip", "tgkill_roundtrip" };

	(void)state;
	assert_int_equal(nvariants(&bench_signal), 4);
	for (size_t i = 0; i < 3; i++) {
		const struct bench_variant *v = fake_variant(&bench_signal, single[i]);

		assert_non_null(v);
		assert_false(v->flags & BENCH_V_PAIR);
	}
	assert_int_equal(nvariants(&bench_sem), 2);
}

static void test_os_noise_runs_per_cpu(void **state)
{
	const struct bench_variant *v = fake_variant(&bench_os_noise, "spin");

	(void)state;
	assert_int_equal(nvariants(&bench_os_noise), 1);
	assert_non_null(v);
	assert_false(v->flags & BENCH_V_PAIR);
	/* The runner plans one configuration per CPU of the host. */
	assert_true(v->flags & BENCH_V_PER_CPU);
	assert_string_equal(v->sweep, "cpu");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pingpong_variants_are_pairs),
		cmocka_unit_test(test_same_cpu_two_switches_pass),
		cmocka_unit_test(test_same_cpu_wrong_counts_fail),
		cmocka_unit_test(test_other_placements_and_unmeasured_are_na),
		cmocka_unit_test(test_syscall_entry_variants),
		cmocka_unit_test(test_signal_variants),
		cmocka_unit_test(test_os_noise_runs_per_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
