/*
 * test_sched_switch.c - the sched_switch family's sweep and validate
 * callback, fed medians by hand through a fake struct bench_judge.
 *
 * The expected verdicts follow from the rule in bench/sched_switch.c's
 * header, worked by hand: on same-cpu a round trip is two context switches
 * (accepted: bench.h's one ping-pong range, [1.5, 3]); a pinned peer found
 * off its CPU fails anywhere.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench.h"
#include "fake_judge.h"
#include "ctx.h"
#include "../../bench/lib/ipc_transport.h"
#include "topo.h"

extern const struct bench_desc bench_sched_switch;

/* The medians a fake judge answers with. */
struct fake_medians {
	double ctxsw;    /* ctxsw_per_op, NAN if unmeasured */
	double off_cpu;  /* peer_off_cpu, NAN if unmeasured */
	double off_node; /* peer_wss_off_node, NAN if unmeasured */
};

static double fake_metric(const struct bench_judge *j, const char *name)
{
	const struct fake_medians *m = j->priv;

	if (strcmp(name, "ctxsw_per_op") == 0)
		return m->ctxsw;
	if (strcmp(name, "peer_off_cpu") == 0)
		return m->off_cpu;
	if (strcmp(name, "peer_wss_off_node") == 0)
		return m->off_node;
	return NAN;
}

static enum bench_valid judge(const char *var, const char *placement, bool pinned,
			      double ctxsw, double off_cpu, char *note, size_t len)
{
	const struct bench_variant *v = fake_variant(&bench_sched_switch, var);
	struct fake_medians m = { ctxsw, off_cpu, NAN };
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
		const struct bench_variant *v = fake_variant(&bench_sched_switch, names[i]);

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
	/* 2.0 and both ends of [1.5, 3] pass. */
	assert_int_equal(judge("proc_pipe", "same-cpu", true, 2.0, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("thread_futex", "same-cpu", true, 1.5, 0, note, sizeof(note)), BENCH_VALID_PASS);
	assert_int_equal(judge("proc_yield", "same-cpu", true, 3.0, 0, note, sizeof(note)), BENCH_VALID_PASS);
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
	assert_int_equal(judge("proc_pipe", "same-cpu", true, 1.49, 0, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_int_equal(judge("proc_pipe", "same-cpu", true, 3.01, 0, note, sizeof(note)), BENCH_VALID_FAIL);
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

/* Largest samples: peer_off_cpu's is max_off_cpu, every other metric's
 * its median. */
static double fake_metric_max(const struct bench_judge *j, const char *name)
{
	const double *max_off_cpu = j->priv;

	if (strcmp(name, "peer_off_cpu") == 0)
		return *max_off_cpu;
	return NAN;
}

/* Medians for the cumulative-counter test: off_cpu 0 (most samples saw no
 * miss), the rest in range. */
static double fake_metric_late_miss(const struct bench_judge *j, const char *name)
{
	(void)j;
	if (strcmp(name, "ctxsw_per_op") == 0)
		return 2.0;
	if (strcmp(name, "peer_off_cpu") == 0)
		return 0;
	return NAN;
}

/*
 * peer_off_cpu is cumulative (checks failed since setup), so a miss after
 * the middle sample leaves the median at 0: the samples 0 0 0 0 1 have
 * median 0 and max 1.  One miss anywhere must fail the configuration, as
 * one migration of worker 0 does (the runner judges that by the largest
 * sample): the check must look at the largest sample.
 */
static void test_peer_late_miss_fails(void **state)
{
	double max_off_cpu = 1;
	struct bench_judge j = {
		.variant = "proc_pipe", .x = 0, .placement = "same-cpu", .pinned = true,
		.metric = fake_metric_late_miss, .metric_max = fake_metric_max, .priv = &max_off_cpu,
	};
	char note[256] = "";

	(void)state;
	assert_int_equal(fake_variant(&bench_sched_switch, "proc_pipe")->validate(&j, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_non_null(strstr(note, "off its CPU"));
	j.placement = "cross-numa";
	assert_int_equal(fake_variant(&bench_sched_switch, "thread_futex")->validate(&j, note, sizeof(note)), BENCH_VALID_FAIL);
	/* No miss in any sample: pass. */
	max_off_cpu = 0;
	j.placement = "same-cpu";
	assert_int_equal(fake_variant(&bench_sched_switch, "proc_pipe")->validate(&j, note, sizeof(note)), BENCH_VALID_PASS);
}

/* ctxsw_per_op and the IPC receiver's share, for ipc_validate_latency. */
struct fake_ipc {
	double ctxsw;  /* per one-way message (the IPC op) */
	double rx;     /* the receiver's part of it */
};

static double fake_ipc_metric(const struct bench_judge *j, const char *name)
{
	const struct fake_ipc *m = j->priv;

	if (strcmp(name, "ctxsw_per_op") == 0)
		return m->ctxsw;
	if (strcmp(name, IPC_RX_CTXSW) == 0)
		return m->rx;
	return NAN;
}

/*
 * "Two switches per same-CPU round trip" is judged in three places:
 * sched_switch's validate, bench_valid_pingpong (sem, signal) and
 * ipc_validate_latency (the IPC families, whose op is a one-way message,
 * so a round trip is 2 ops).  Fed the same switches per round trip, all
 * three must give the same verdict: one definition, one tolerance.  (The
 * IPC receiver's share is set to half, so that its separate "sender not
 * counted" check stays out of the way.)
 */
static void test_one_tolerance_everywhere(void **state)
{
	static const double per_rt[] = {
		1.0, 1.49, 1.5, 1.6, 1.79, 1.8, 2.0, 2.5, 2.51, 2.9, 3.0, 3.01, 4.0,
	};
	char note[256];

	(void)state;
	for (size_t i = 0; i < sizeof(per_rt) / sizeof(per_rt[0]); i++) {
		double v = per_rt[i];
		struct fake_medians m = { v, 0, NAN };
		struct fake_ipc mi = { v / 2, v / 4 };
		struct bench_judge j = {
			.variant = "x", .x = 0, .placement = "same-cpu", .pinned = true,
			.metric = fake_metric, .priv = &m,
		};
		struct bench_judge ji = j;
		enum bench_valid ss, pp, ipc;

		ji.metric = fake_ipc_metric;
		ji.priv = &mi;
		note[0] = 0;
		ss = fake_variant(&bench_sched_switch, "proc_futex")->validate(&j, note, sizeof(note));
		pp = bench_valid_pingpong(&j, note, sizeof(note));
		ipc = ipc_validate_latency(&ji, note, sizeof(note));
		if (ss != pp || pp != ipc)
			print_message("  %.2f switches/round trip: sched_switch %d, pingpong %d, ipc %d\n",
				      v, ss, pp, ipc);
		assert_int_equal(ss, pp);
		assert_int_equal(pp, ipc);
		/* ... and it is bench.h's one range. */
		assert_int_equal(ss, v >= BENCH_PINGPONG_SWITCHES_LO && v <= BENCH_PINGPONG_SWITCHES_HI
				     ? BENCH_VALID_PASS : BENCH_VALID_FAIL);
	}
	assert_true(BENCH_PINGPONG_SWITCHES == 2.0);
	/* The IPC note speaks of its own op and of the round trip. */
	{
		struct fake_ipc mi = { 2.0, 1.0 };
		struct bench_judge ji = {
			.variant = "x", .placement = "same-cpu", .pinned = true,
			.metric = fake_ipc_metric, .priv = &mi,
		};

		note[0] = 0;
		assert_int_equal(ipc_validate_latency(&ji, note, sizeof(note)), BENCH_VALID_FAIL);
		assert_non_null(strstr(note, "round trip made 4.00 context switches"));
	}
}

/*
 * A two-node host at cross-numa (as tests/fixtures/topo's two-node XMLs
 * give: the two CPUs on different nodes): a working set whose 64 pages
 * all sit on the other node fails, as does a single page; 0 passes.
 */
static void test_peer_wss_off_node_fails(void **state)
{
	const struct bench_variant *v = fake_variant(&bench_sched_switch, "thread_futex");
	struct fake_medians m = { 1.0, 0, 64 };
	struct bench_judge j = {
		.variant = "thread_futex", .x = 262144, .placement = "cross-numa", .pinned = true,
		.metric = fake_metric, .priv = &m,
	};
	char note[256] = "";

	(void)state;
	assert_int_equal(v->validate(&j, note, sizeof(note)), BENCH_VALID_FAIL);
	assert_non_null(strstr(note, "node"));
	m.off_node = 1;
	assert_int_equal(v->validate(&j, note, sizeof(note)), BENCH_VALID_FAIL);
	m.off_node = 0;
	assert_int_equal(v->validate(&j, note, sizeof(note)), BENCH_VALID_PASS);
	/* Not measured (wss 0, or no move_pages): nothing to hold against it. */
	m.off_node = NAN;
	assert_int_equal(v->validate(&j, note, sizeof(note)), BENCH_VALID_PASS);
}

/* --- the thread peer's working set, on the real host ------------------------ */

/* Minor faults of thread tid of this process (/proc/self/task/<tid>/stat,
 * field 10), or -1. */
static long thread_minflt(pid_t tid)
{
	char path[64], buf[1024], *p;
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) != NULL) {
		/* After "comm)": state ppid pgrp session tty_nr tpgid flags minflt */
		if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %ld", &v) != 1)
			v = -1;
	}
	fclose(f);
	return v;
}

/* The one thread of this process that is not the caller, or -1. */
static pid_t other_thread(void)
{
	DIR *d = opendir("/proc/self/task");
	pid_t self = (pid_t)syscall(SYS_gettid), found = -1;
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		pid_t tid = (pid_t)atoi(e->d_name);

		if (tid > 0 && tid != self) {
			found = tid;
			n++;
		}
	}
	closedir(d);
	return n == 1 ? found : -1;
}

/*
 * Issue 13: the thread peer's working set was allocated and first touched
 * by worker 0 before the peer existed, so at cross-numa it lay on worker
 * 0's node.  The kernel puts a page where the thread that first writes it
 * runs, so what must hold is that the peer thread itself took the page
 * faults of its working set - all wss/page of them, counted by the kernel
 * per thread - and that the benchmark found every page of it on the peer
 * CPU's node (peer_wss_off_node = 0; move_pages() after the first touch).
 * 256 KiB: no transparent huge page fits in it, so one page is one fault.
 * Runs the real thread_futex setup/run/teardown on this host's CPUs.
 */
static void test_thread_peer_first_touches_its_working_set(void **state)
{
	const double wss = 256 << 10;
	long pages = (long)wss / sysconf(_SC_PAGESIZE);
	struct bench_ctx ctx;
	struct topo *t;
	cpu_set_t orig;
	int cpus[2], n = 0;
	void *st = NULL;
	long minflt;
	pid_t peer;
	int found = -1;
	(void)state;

	assert_int_equal(sched_getaffinity(0, sizeof(orig), &orig), 0);
	for (int c = CPU_SETSIZE - 1; c >= 0 && n < 2; c--)
		if (CPU_ISSET(c, &orig))
			cpus[n++] = c;
	if (n == 1)
		cpus[1] = cpus[0];
	assert_int_equal(topo_open(&t, NULL), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.desc = &bench_sched_switch;
	ctx.var = fake_variant(&bench_sched_switch, "thread_futex");
	ctx.x = wss;
	ctx.place.kind = cpus[0] == cpus[1] ? TOPO_SAME_CPU : TOPO_SAME_CACHE;
	ctx.place.cpu[0] = cpus[0];
	ctx.place.cpu[1] = cpus[1];
	ctx.topo = t;
	/* The runner pins worker 0 before setup. */
	assert_int_equal(topo_bind(t, cpus[0]), 0);

	assert_int_equal(ctx.desc->setup(&ctx, &st), 0);
	peer = other_thread();
	assert_true(peer > 0);
	minflt = thread_minflt(peer);
	print_message("  peer thread %d on CPU %d: %ld minor faults for a %ld-page working set\n",
		      (int)peer, cpus[1], minflt, pages);
	assert_true(minflt >= pages);

	ctx_sample_reset(&ctx);
	assert_int_equal(ctx.desc->run(&ctx, st, 10), 0);
	for (unsigned i = 0; i < ctx.nextra; i++)
		if (strcmp(ctx.extra_name[i], "peer_wss_off_node") == 0)
			found = (int)i;
	/* move_pages() exists wherever the kernel has NUMA support. */
	if (syscall(SYS_move_pages, 0, 0UL, NULL, NULL, NULL, 0) == 0 || errno != ENOSYS) {
		assert_true(found >= 0);
		assert_int_equal(ctx.s.extra_n[found], 1);
		assert_true(ctx.s.extra_sum[found] == 0.0);
	}
	ctx.desc->teardown(&ctx, st);
	assert_int_equal(sched_setaffinity(0, sizeof(orig), &orig), 0);
	topo_close(t);
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
		cmocka_unit_test(test_peer_late_miss_fails),
		cmocka_unit_test(test_peer_wss_off_node_fails),
		cmocka_unit_test(test_one_tolerance_everywhere),
		cmocka_unit_test(test_thread_peer_first_touches_its_working_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
