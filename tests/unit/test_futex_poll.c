/*
 * test_futex_poll.c - issue 17's futex and poll validators, fed medians
 * by hand through a fake struct bench_judge.
 *
 * Expected verdicts follow the rules in bench/futex.c's and bench/poll.c's
 * header comments, worked by hand: lock_unlock passes with 0 futex calls
 * and at most 0.01 switches per op; wake_nowaiter with 0 woken; wake_n
 * with N woken (down to 0.99 N); cmp_requeue with exactly N requeued;
 * pi_handoff is the same-cpu ping-pong rule (1.5..3 switches); the poll
 * variants pass at most 0.1 switches per op.  An unmeasured metric is n/a.
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

extern const struct bench_desc bench_futex;
extern const struct bench_desc bench_poll;

/* The fake configuration's metrics: name -> median. */
struct fake { const char *name[3]; double v[3]; };

static double fake_metric(const struct bench_judge *j, const char *name)
{
	const struct fake *f = j->priv;

	for (int i = 0; i < 3; i++)
		if (f->name[i] && strcmp(f->name[i], name) == 0)
			return f->v[i];
	return NAN;
}

/* Judge variant vn of d at placement and x with the metrics in f. */
static enum bench_valid judge(const struct bench_desc *d, const char *vn, const char *placement,
			      double x, const struct fake *f)
{
	const struct bench_variant *v = fake_variant(d, vn);
	char note[BENCH_NOTE_MAX] = "";
	struct bench_judge j = {
		.variant = vn, .x = x, .placement = placement, .pinned = true,
		.metric = fake_metric, .priv = f,
	};

	assert_non_null(v);
	assert_non_null(v->validate);
	return v->validate(&j, note, sizeof(note));
}

static void test_futex_variants(void **state)
{
	const char *want[] = { "lock_unlock", "wake_nowaiter", "wake_n", "cmp_requeue", "pi_handoff" };

	(void)state;
	for (size_t i = 0; i < 5; i++)
		assert_non_null(fake_variant(&bench_futex, want[i]));
	assert_true(fake_variant(&bench_futex, "wake_n")->flags & BENCH_V_PAIR);
	assert_true(fake_variant(&bench_futex, "pi_handoff")->flags & BENCH_V_PAIR);
	assert_string_equal(fake_variant(&bench_futex, "wake_n")->sweep, "waiters");
}

static void test_lock_unlock(void **state)
{
	struct fake ok = { { "futex_calls_per_op", "ctxsw_per_op" }, { 0, 0.001 } };
	struct fake calls = { { "futex_calls_per_op", "ctxsw_per_op" }, { 1e-6, 0 } };
	struct fake blocked = { { "futex_calls_per_op", "ctxsw_per_op" }, { 0, 0.5 } };
	struct fake edge = { { "futex_calls_per_op", "ctxsw_per_op" }, { 0, 0.01 } };
	struct fake nocs = { { "futex_calls_per_op" }, { 0 } };
	struct fake none = { { NULL }, { 0 } };

	(void)state;
	assert_int_equal(judge(&bench_futex, "lock_unlock", "single", NAN, &ok), BENCH_VALID_PASS);
	assert_int_equal(judge(&bench_futex, "lock_unlock", "single", NAN, &calls), BENCH_VALID_FAIL);
	assert_int_equal(judge(&bench_futex, "lock_unlock", "single", NAN, &blocked), BENCH_VALID_FAIL);
	assert_int_equal(judge(&bench_futex, "lock_unlock", "single", NAN, &edge), BENCH_VALID_PASS);
	assert_int_equal(judge(&bench_futex, "lock_unlock", "single", NAN, &nocs), BENCH_VALID_PASS);
	assert_int_equal(judge(&bench_futex, "lock_unlock", "single", NAN, &none), BENCH_VALID_NA);
}

static void test_wakes(void **state)
{
	struct fake zero = { { "woken_per_op" }, { 0 } };
	struct fake one = { { "woken_per_op" }, { 1 } };
	struct fake all8 = { { "woken_per_op" }, { 8 } };
	struct fake most8 = { { "woken_per_op" }, { 7.93 } };   /* 0.991 x 8 */
	struct fake few8 = { { "woken_per_op" }, { 7.9 } };     /* 0.9875 x 8 */
	struct fake over8 = { { "woken_per_op" }, { 9 } };
	struct fake none = { { NULL }, { 0 } };

	(void)state;
	assert_int_equal(judge(&bench_futex, "wake_nowaiter", "single", NAN, &zero), BENCH_VALID_PASS);
	assert_int_equal(judge(&bench_futex, "wake_nowaiter", "single", NAN, &one), BENCH_VALID_FAIL);
	assert_int_equal(judge(&bench_futex, "wake_nowaiter", "single", NAN, &none), BENCH_VALID_NA);
	assert_int_equal(judge(&bench_futex, "wake_n", "same-cpu", 8, &all8), BENCH_VALID_PASS);
	assert_int_equal(judge(&bench_futex, "wake_n", "same-cpu", 8, &most8), BENCH_VALID_PASS);
	assert_int_equal(judge(&bench_futex, "wake_n", "same-cpu", 8, &few8), BENCH_VALID_FAIL);
	assert_int_equal(judge(&bench_futex, "wake_n", "same-cache", 8, &over8), BENCH_VALID_FAIL);
	assert_int_equal(judge(&bench_futex, "wake_n", "same-cache", 1, &one), BENCH_VALID_PASS);
	assert_int_equal(judge(&bench_futex, "wake_n", "same-cache", 8, &none), BENCH_VALID_NA);
}

static void test_requeue(void **state)
{
	struct fake r16 = { { "requeued_per_op" }, { 16 } };
	struct fake r15 = { { "requeued_per_op" }, { 15.99 } };

	(void)state;
	assert_int_equal(judge(&bench_futex, "cmp_requeue", "single", 16, &r16), BENCH_VALID_PASS);
	assert_int_equal(judge(&bench_futex, "cmp_requeue", "single", 16, &r15), BENCH_VALID_FAIL);
	assert_int_equal(judge(&bench_futex, "cmp_requeue", "single", 4, &r16), BENCH_VALID_FAIL);
}

static void test_pi(void **state)
{
	struct fake two = { { "ctxsw_per_op" }, { 2.0 } };
	struct fake six = { { "ctxsw_per_op" }, { 6.0 } };

	(void)state;
	assert_int_equal(judge(&bench_futex, "pi_handoff", "same-cpu", NAN, &two), BENCH_VALID_PASS);
	assert_int_equal(judge(&bench_futex, "pi_handoff", "same-cpu", NAN, &six), BENCH_VALID_FAIL);
	assert_int_equal(judge(&bench_futex, "pi_handoff", "same-cache", NAN, &six), BENCH_VALID_NA);
}

static void test_poll(void **state)
{
	const char *vs[] = { "select", "poll", "epoll_wait", "write_read", "epoll_ctl",
			     "select_tcp", "poll_tcp", "epoll_wait_tcp", "write_read_tcp" };
	struct fake quiet = { { "ctxsw_per_op" }, { 0.001 } };
	struct fake edge = { { "ctxsw_per_op" }, { 0.1 } };
	struct fake slept = { { "ctxsw_per_op" }, { 1.0 } };
	struct fake none = { { NULL }, { 0 } };

	(void)state;
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
		const struct bench_variant *v = fake_variant(&bench_poll, vs[i]);

		assert_non_null(v);
		assert_string_equal(v->sweep, "fds");
		assert_int_equal(v->nx, 4);
		assert_true(v->xs[0] == 1 && v->xs[3] == 1000);
		assert_int_equal(judge(&bench_poll, vs[i], "single", 100, &quiet), BENCH_VALID_PASS);
		assert_int_equal(judge(&bench_poll, vs[i], "single", 100, &edge), BENCH_VALID_PASS);
		assert_int_equal(judge(&bench_poll, vs[i], "single", 100, &slept), BENCH_VALID_FAIL);
		assert_int_equal(judge(&bench_poll, vs[i], "single", 100, &none), BENCH_VALID_NA);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_futex_variants),
		cmocka_unit_test(test_lock_unlock),
		cmocka_unit_test(test_wakes),
		cmocka_unit_test(test_requeue),
		cmocka_unit_test(test_pi),
		cmocka_unit_test(test_poll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
