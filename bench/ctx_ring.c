/*
 * ctx_ring - context switches among N tasks: lmbench's `lat_ctx -s SIZE N`.
 *
 * What is measured.  N tasks form a ring; task i reads a one-byte token
 * from pipe i-1, touches its own working set, and writes the token into
 * pipe i, which task i+1 (mod N) reads.  Task 0 is worker 0 (the runner's
 * pinned thread); tasks 1..N-1 are forked processes (variants proc_*) or
 * threads of this process (thread_*).  One operation is one hop (one
 * hand-off of the token from one task to the next); run() passes the
 * token round ceil(iters / N) whole laps and reports laps x N hops
 * (bench_set_ops), timed whole.  So ns_per_op = total time / hops.
 *
 * Why pipes for the threads too (not futexes): the thread ring then runs
 * the very same hand-off as the process ring, so proc_0k - thread_0k at
 * one N is the address-space switch (page tables, TLB) and nothing else,
 * and the two share one overhead subtraction.  (The futex
 * hand-off is sched_switch's thread_futex.)
 *
 * Sweep "tasks": N = 2, 4, 8, 16, 32, 64 (--quick: 2, 8, 16, 64); proc_16k
 * and thread_0k take 2, 8, 64 (the family's time: see cr_tasks_few).  The
 * working set is part of the variant's name (the CSV has one sweep):
 * proc_0k, proc_16k, proc_256k, thread_0k; --quick skips proc_16k, the
 * sweep's middle, with that reason.  Each task owns a
 * private buffer of that size, mapped and first touched by the task
 * itself after it pinned itself (its pages come from its CPU's node), and
 * writes one byte per 64-byte line of it before every hand-off - the
 * same touch as sched_switch, so that a ring of two is its ping-pong.
 * As the ring grows, the others' working sets evict a task's own before
 * its turn comes back: the curve shows cache and TLB pressure against
 * the run queue's length.
 *
 * Placements.  same-cpu: all N tasks on one CPU, so every hop is a context
 * switch.  A two-CPU placement (smt, same-cache, cross-cache, cross-numa,
 * ...): the tasks alternate between its two CPUs (task i on worker i mod 2's
 * CPU; N is even, so every hop, N-1 -> 0 included, crosses): every hop is
 * a wake-up on the other CPU, whose sleeping task blocks after it.  That
 * is "spread" over the CPUs the topology offers, the harness's placements
 * being pairs.  unpinned (on request): left to the scheduler.
 *
 * Metrics and the subtraction.  The derived per-hop cost is an extra
 * metric named for what a hop is at the placement, as in sched_switch:
 * "ns_per_switch" on same-cpu, "ns_per_wakeup" on two CPUs,
 * "ns_per_handoff" unpinned.  It is
 *     ns_per_op (one hop) - overhead,
 *     overhead = pipe_ns + touch_ns,
 * lmbench lat_ctx's subtraction: pipe_ns is a 1-byte write plus a 1-byte
 * read on pipe 0 while worker 0 still holds both of its ends (no other
 * task exists yet: the token pass without a switch); touch_ns is worker
 * 0's touch of its own working set, repeated, so warm in its caches (0 at
 * 0k).  Each is the least of five batch means in setup() of the same
 * configuration (interference only ever adds, and it is subtracted from
 * every sample); both values are in the note.  What remains is the switch
 * (or wake-up) itself plus the refill of the task's working set that the
 * other tasks' turns evicted - that refill is the point of the sweep.
 *
 * Counters.  The runner counts worker 0's thread only; every other task
 * snapshots its own context switches (getrusage RUSAGE_SELF for a
 * process, RUSAGE_THREAD for a thread: ru_nvcsw + ru_nivcsw) into a
 * shared page when it passes the snapshot token, which run() sends on its
 * last lap (setup() sends one first: the baseline), so between two
 * snapshots each task waited exactly laps times, as worker 0 did; run()
 * adds their sum's delta with bench_add_count().  ctxsw_per_op is then all
 * N tasks' switches per hop (counting pass only): on one CPU each task
 * blocks once per lap of N hops, so 1, plus the preemptions.
 * "invol_ctxsw_per_op" is the involuntary part (ru_nivcsw: a woken task
 * preempted its waker before the waker's read blocked it), every task's
 * from getrusage, worker 0's (RUSAGE_THREAD) around run(), in every
 * sample.  A preempted hop may cost a second switch, so where
 * invol_ctxsw_per_op is not 0 ns_per_switch is per hop, not strictly per
 * switch (lmbench's number is the same).  At each snapshot a task also
 * checks sched_getcpu() against its CPU; "tasks_off_cpu" is the
 * cumulative count of failed checks over all tasks since setup.
 *
 * Self-validation: on same-cpu ctxsw_per_op must be in
 * [CR_SWITCHES_PER_HOP_LO, CR_SWITCHES_PER_HOP_HI) (below: at least one
 * switch a hop, less than two); when pinned, tasks_off_cpu must be 0 in
 * every sample (judged by its largest sample, as the runner judges worker
 * 0's migrations).  Elsewhere no
 * switch count is implied (a task may find the token already there).
 * What the range cannot see: worker 0's own switches missing from the
 * count reads (N-1)/N per hop, inside the range from N = 4 on (N = 2
 * catches it).
 *
 * Known bias: the ring's pipes are N different pipes, so each hop's
 * write and read touch pipe state the previous lap left cold; the
 * overhead's pipe is warm.  That difference is counted as switch cost,
 * as in lmbench.  A preemption by foreign load on a shared CPU adds a
 * switch (and its time) to a hop now and then.
 *
 * Nothing outlives a configuration: a dead task closes its pipe ends, so
 * the next one reads end of file and returns, and so on round the ring
 * to worker 0 (whose read then fails the configuration instead of
 * hanging); teardown kills and reaps every process (bench_reap) or
 * closes worker 0's write end, which ends every thread the same way, and
 * joins them.  A task that hangs is the runner's watchdog's (it kills the
 * process group).
 *
 * Test-only fault injection (PRIMBENCH_INJECT=ctx_ring:<what>), acted on
 * by the last task at its first token: "hang" blocks forever (the
 * watchdog must cut the configuration); "crash" dies of SIGSEGV (a process
 * ring fails the configuration with the reason; a thread takes the whole
 * benchmark process down).
 */
#include "bench.h"
#include "lib/wss.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* Most tasks in a ring (the largest sweep point). */
#define CR_MAX_TASKS 64
/* Overhead measurement: batches, pipe write+reads and touches per batch. */
#define CR_OVH_BATCHES 5
#define CR_OVH_PIPE_REPS 500
#define CR_OVH_TOUCH_REPS 50

/*
 * Context switches per hop of a ring on one CPU, all tasks counted
 * (ctxsw_per_op).  The right count is at least 1 - the token reaches the
 * next task only once the CPU has switched to it - and less than 2: a
 * woken task may preempt its waker between the write and the read that
 * would have blocked it (an involuntary switch), and the waker then
 * either blocks later (a second switch that hop) or, at N = 2, finds the
 * token already back and does not block at all (Linux 6.18's EEVDF in a
 * KVM guest: about 0.4 preemptions per hop at every N, invol_ctxsw_per_op;
 * ctxsw_per_op 1.0 at N = 2 and about 1.4 from N = 8 on).  The wrong counts: the
 * other tasks not counted reads at most 2/N of a hop's two, 0.5 at N = 2
 * and below from N = 4; a switch counted twice reads at least 2.  So
 * the accepted range is [0.75, 2): the low end is halfway from 1 to 0.5,
 * as bench.h's ping-pong range per round trip halved (a ring of two is
 * that ping-pong, its round trip two hops); the high end is the first
 * wrong count itself, since the right one comes up to it.  Foreign load
 * preempting a task adds to the count now and then.
 */
#define CR_SWITCHES_PER_HOP 1.0
#define CR_SWITCHES_PER_HOP_LO (BENCH_PINGPONG_SWITCHES_LO / 2)
#define CR_SWITCHES_PER_HOP_HI 2.0

/* The token's value: what the task that receives it does besides passing it. */
enum cr_cmd {
	CR_PING = 1, /* touch, pass on */
	CR_SNAP,     /* touch, snapshot the task's counters, pass on */
};

/* What a variant is made of. */
struct cr_kind {
	const char *variant;  /* the variant's name in cr_variants[] */
	bool thread;          /* tasks 1..N-1 are threads here, not processes */
	size_t wss;           /* bytes each task touches per hand-off */
	bool full_only;       /* skipped under --quick (see cr_kinds[]) */
};

/* The page all tasks share (MAP_SHARED, so also across fork). */
struct cr_shared {
	int32_t err[CR_MAX_TASKS];   /* task i's start error (-errno), else 0 */
	uint64_t vcsw[CR_MAX_TASKS]; /* task i's ru_nvcsw (voluntary) at its last snapshot */
	uint64_t icsw[CR_MAX_TASKS]; /* task i's ru_nivcsw (involuntary) then */
	uint64_t off_cpu;            /* snapshots at which a task was off its CPU (atomic) */
};

struct cr_state;

/* One of tasks 1..N-1 (task 0 is worker 0). */
struct cr_task {
	struct cr_state *st;  /* the ring it belongs to */
	int idx;              /* its place in the ring, 1..N-1 */
	pid_t pid;            /* process task, 0 when none (or reaped) */
	pthread_t tid;        /* thread task */
	bool have_thread;     /* tid is running and must be joined */
};

/* Per-configuration state (worker 0's; a process task works on its copy). */
struct cr_state {
	struct bench_ctx *ctx;       /* for the tasks' bench_pin() */
	const struct cr_kind *kind;  /* this variant's task type and working set */
	int n;                       /* tasks in the ring, worker 0 included */
	int fd[CR_MAX_TASKS][2];     /* fd[i]: the pipe from task i to task i+1 mod n;
					-1 where closed (or this process lacks it) */
	struct cr_task task[CR_MAX_TASKS]; /* task[1..n-1] */
	struct cr_shared *sh;        /* the shared page */
	enum bench_fault inject;     /* bench_inject_fault(): hang, crash or none */
	unsigned char *buf0;         /* worker 0's working set (NULL at 0k) */
	unsigned char mark;          /* value worker 0 writes (changes: stores stay real) */
	uint64_t last_vcsw;          /* sum of sh->vcsw[1..n-1] at the previous snapshot */
	uint64_t last_icsw;          /* sum of sh->icsw[1..n-1] then */
	double pipe_ns;              /* 1-byte pipe write + read, no switch (see header) */
	double touch_ns;             /* one warm touch of worker 0's working set */
	const char *per_name;        /* derived metric's name for this placement */
	bool sigpipe_set;            /* old_pipe must be restored */
	struct sigaction old_pipe;   /* SIGPIPE action before setup */
};

static void cr_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Write the token; 0, or -errno (-EPIPE: the next task is gone). */
static int cr_put(int fd, char c)
{
	while (write(fd, &c, 1) != 1)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Read the token into *c; 0, -EPIPE at end of file (the previous task is
 * gone), or -errno. */
static int cr_get(int fd, char *c)
{
	for (;;) {
		ssize_t r = read(fd, c, 1);

		if (r == 1)
			return 0;
		if (r == 0)
			return -EPIPE;
		if (errno != EINTR)
			return -errno;
	}
}

/* --- tasks 1..N-1 ------------------------------------------------------------------ */

/* Record task i's context switches and whether it is on its CPU. */
static void cr_snapshot(struct cr_state *st, int i)
{
	int cpu = bench_cpu(st->ctx, i % 2);
	struct rusage ru;

	if (getrusage(st->kind->thread ? RUSAGE_THREAD : RUSAGE_SELF, &ru) == 0) {
		st->sh->vcsw[i] = (uint64_t)ru.ru_nvcsw;
		st->sh->icsw[i] = (uint64_t)ru.ru_nivcsw;
	}
	if (cpu >= 0 && sched_getcpu() != cpu)
		__atomic_fetch_add(&st->sh->off_cpu, 1, __ATOMIC_RELAXED);
}

/* Task i's life: pin, own working set, then pass the token on until the
 * ring breaks (end of file from task i-1, or task i+1 gone).  A start
 * error goes to sh->err[i]; the task still passes the token, so that
 * worker 0 learns of it after its first lap instead of hanging. */
static void cr_task_main(struct cr_state *st, int i)
{
	int in = st->fd[i - 1][0], out = st->fd[i][1];
	size_t wss = st->kind->wss;
	unsigned char *buf = NULL;
	unsigned char mark = 0;
	/* Spread: tasks alternate between the placement's two CPUs. */
	int rc = bench_pin(st->ctx, i % 2);
	char c;

	if (rc == 0 && wss) {
		/* Mapped and first touched here, pinned: its pages come from
		 * this task's CPU's node, for a thread as for a process. */
		buf = wss_new(wss);
		if (!buf)
			rc = -errno;
	}
	st->sh->err[i] = rc;
	while (cr_get(in, &c) == 0) {
		if (i == st->n - 1 && st->inject == BENCH_FAULT_HANG)
			for (;;)
				pause();
		if (i == st->n - 1 && st->inject == BENCH_FAULT_CRASH)
			raise(SIGSEGV);
		wss_touch(buf, rc == 0 ? wss : 0, ++mark);
		if (c == CR_SNAP)
			cr_snapshot(st, i);
		if (cr_put(out, c) < 0)
			break;
	}
	if (buf)
		munmap(buf, wss);
}

static void *cr_thread_main(void *arg)
{
	struct cr_task *t = arg;

	cr_task_main(t->st, t->idx);
	/* The next thread's read sees end of file: the ring ends in order. */
	cr_close(&t->st->fd[t->idx][1]);
	return NULL;
}

/* Start task i (fork or thread).  0, or bench_spawn_error()'s code. */
static int cr_task_start(struct bench_ctx *ctx, struct cr_state *st, int i)
{
	struct cr_task *t = &st->task[i];
	int rc;

	t->st = st;
	t->idx = i;
	if (st->kind->thread) {
		rc = pthread_create(&t->tid, NULL, cr_thread_main, t);
		if (rc)
			return bench_spawn_error(ctx, "pthread_create", rc);
		t->have_thread = true;
		return 0;
	}
	/* Forked from worker 0, the supervising child's main thread, so the
	 * task's PDEATHSIG stays armed until teardown. */
	t->pid = fork();
	if (t->pid < 0) {
		rc = errno;
		t->pid = 0;
		return bench_spawn_error(ctx, "fork", rc);
	}
	if (t->pid == 0) {
		if (bench_child_init() < 0)
			_exit(127);
		/* Only its own two ends: a dead neighbour reads as end of
		 * file or EPIPE, never as a pipe someone else keeps open. */
		for (int k = 0; k < st->n; k++) {
			if (k != i - 1)
				cr_close(&st->fd[k][0]);
			if (k != i)
				cr_close(&st->fd[k][1]);
		}
		cr_task_main(st, i);
		_exit(0);
	}
	return 0;
}

/* --- worker 0 ---------------------------------------------------------------------- */

/* Mean ns of one 1-byte write + read on pipe 0 (both ends still worker
 * 0's), over reps; NAN when the pipe fails. */
static double cr_pipe_batch(struct cr_state *st, unsigned reps)
{
	uint64_t t0 = bench_now_ns();
	char c = 0;

	for (unsigned k = 0; k < reps; k++)
		if (cr_put(st->fd[0][1], c) < 0 || cr_get(st->fd[0][0], &c) < 0)
			return NAN;
	return (double)(bench_now_ns() - t0) / reps;
}

/* Mean ns of one touch of worker 0's (warm) working set, over reps. */
static double cr_touch_batch(struct cr_state *st, unsigned reps)
{
	uint64_t t0 = bench_now_ns();

	for (unsigned k = 0; k < reps; k++)
		wss_touch(st->buf0, st->kind->wss, ++st->mark);
	return (double)(bench_now_ns() - t0) / reps;
}

/* The overhead subtracted from a hop (see the header): pipe_ns and
 * touch_ns, each the least of CR_OVH_BATCHES batch means.  0 or -EIO. */
static int cr_overhead(struct cr_state *st)
{
	double pipe = INFINITY, touch = INFINITY;

	/* One untimed touch: the first after the fill may still miss. */
	wss_touch(st->buf0, st->kind->wss, ++st->mark);
	for (int b = 0; b < CR_OVH_BATCHES; b++) {
		double p = cr_pipe_batch(st, CR_OVH_PIPE_REPS);
		double t = st->kind->wss ? cr_touch_batch(st, CR_OVH_TOUCH_REPS) : 0;

		if (isnan(p))
			return -EIO;
		pipe = p < pipe ? p : pipe;
		touch = t < touch ? t : touch;
	}
	st->pipe_ns = pipe;
	st->touch_ns = touch;
	return 0;
}

/* Sum of tasks 1..N-1's voluntary (invol false) or involuntary context
 * switches at their last snapshot. */
static uint64_t cr_peer_switches(const struct cr_state *st, bool invol)
{
	uint64_t sum = 0;

	for (int i = 1; i < st->n; i++)
		sum += invol ? st->sh->icsw[i] : st->sh->vcsw[i];
	return sum;
}

/* Worker 0's involuntary context switches so far (getrusage
 * RUSAGE_THREAD; 0 if it fails). */
static uint64_t cr_self_invol(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? (uint64_t)ru.ru_nivcsw : 0;
}

/* One lap: touch, send c, wait for it to come back round.  0, -EPIPE when
 * a task died, or -errno. */
static int cr_lap(struct cr_state *st, char c)
{
	int rc;

	wss_touch(st->buf0, st->kind->wss, ++st->mark);
	rc = cr_put(st->fd[0][1], c);
	if (rc == 0)
		rc = cr_get(st->fd[st->n - 1][0], &c);
	return rc;
}

/* Name of the derived metric at this placement (see the header). */
static const char *cr_per_name(const struct bench_ctx *ctx)
{
	int c0 = bench_cpu(ctx, 0), c1 = bench_cpu(ctx, 1);

	if (c0 < 0 || c1 < 0)
		return "ns_per_handoff";
	return c0 == c1 ? "ns_per_switch" : "ns_per_wakeup";
}

/* proc_16k is the middle of the working-set sweep: --quick runs its ends. */
static const struct cr_kind cr_kinds[] = {
	{ "proc_0k", false, 0, false },
	{ "proc_16k", false, 16 << 10, true },
	{ "proc_256k", false, 256 << 10, false },
	{ "thread_0k", true, 0, false },
	{ NULL, false, 0, false },
};

static void cr_teardown(struct bench_ctx *ctx, void *state);

static int cr_setup(struct bench_ctx *ctx, void **state)
{
	const struct bench_variant *v = bench_variant(ctx);
	const struct cr_kind *k = cr_kinds;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct cr_state *st;
	double x = bench_x(ctx);
	int rc;

	while (k->variant && strcmp(k->variant, v->name) != 0)
		k++;
	if (!k->variant)
		return bench_fail(ctx, -EINVAL, "no ring kind for variant %s", v->name);
	if (x < 2 || x > CR_MAX_TASKS || (int)x % 2)
		return bench_fail(ctx, -EINVAL, "tasks %g: an even count in [2, %d] expected",
				  x, CR_MAX_TASKS);
	if (k->full_only && bench_quick(ctx))
		return bench_skip(ctx, "--quick runs the working-set sweep's ends (0k, 256k); "
				  "run without --quick for %s", k->variant);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->ctx = ctx;
	st->kind = k;
	st->n = (int)x;
	for (int i = 0; i < CR_MAX_TASKS; i++)
		st->fd[i][0] = st->fd[i][1] = -1;
	st->inject = bench_inject_fault(ctx);
	st->per_name = cr_per_name(ctx);
	*state = st;

	st->sh = mmap(NULL, sizeof(*st->sh), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st->sh == MAP_FAILED) {
		st->sh = NULL;
		rc = bench_fail(ctx, -errno, "mmap of the shared page: %s", strerror(errno));
		goto out_fail;
	}
	/* A dead reader gives EPIPE, not death, here and in every task. */
	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, &ign, &st->old_pipe) < 0) {
		rc = bench_fail(ctx, -errno, "sigaction(SIGPIPE): %s", strerror(errno));
		goto out_fail;
	}
	st->sigpipe_set = true;
	for (int i = 0; i < st->n; i++) {
		if (pipe2(st->fd[i], O_CLOEXEC) < 0) {
			rc = errno == EMFILE || errno == ENFILE
				? bench_skip(ctx, "pipe2: %s (%d pipes needed)", strerror(errno), st->n)
				: bench_fail(ctx, -errno, "pipe2: %s", strerror(errno));
			goto out_fail;
		}
	}
	/* Worker 0's own working set; not inherited by the forked tasks
	 * (no copy-on-write share of it, and no way for them to touch it). */
	if (k->wss) {
		st->buf0 = wss_new(k->wss);
		if (!st->buf0 || madvise(st->buf0, k->wss, MADV_DONTFORK) < 0) {
			rc = bench_fail(ctx, -errno, "working set of %zu bytes: %s", k->wss,
					strerror(errno));
			goto out_fail;
		}
	}
	/* Before any other task exists: the token pass alone, nothing else
	 * runnable on this CPU. */
	rc = cr_overhead(st);
	if (rc < 0) {
		rc = bench_fail(ctx, rc, "measuring the hand-off overhead: %s", strerror(-rc));
		goto out_fail;
	}
	for (int i = 1; i < st->n; i++) {
		rc = cr_task_start(ctx, st, i);
		if (rc < 0)
			goto out_fail;
	}
	if (!k->thread) {
		/* Worker 0 keeps only its two ends, so a dead task's end of
		 * file travels round to it. */
		for (int i = 0; i < st->n; i++) {
			if (i != st->n - 1)
				cr_close(&st->fd[i][0]);
			if (i != 0)
				cr_close(&st->fd[i][1]);
		}
	}
	/* The first snapshot: the baseline of the first run's delta. */
	rc = cr_lap(st, CR_SNAP);
	if (rc < 0) {
		rc = bench_fail(ctx, rc, "first lap: %s", rc == -EPIPE ? "a task died" : strerror(-rc));
		goto out_fail;
	}
	for (int i = 1; i < st->n; i++) {
		if (st->sh->err[i] < 0) {
			rc = bench_fail(ctx, st->sh->err[i],
					"task %d could not start (pin to CPU %d or working set): %s",
					i, bench_cpu(ctx, i % 2), strerror(-st->sh->err[i]));
			goto out_fail;
		}
	}
	st->last_vcsw = cr_peer_switches(st, false);
	st->last_icsw = cr_peer_switches(st, true);
	bench_note(ctx, "%s = ns_per_op (one hop) - %.0f ns; %.0f ns = 1-byte pipe write+read (%.0f) "
		   "+ warm touch of the working set (%.0f), alone in one task, measured in setup",
		   st->per_name, st->pipe_ns + st->touch_ns, st->pipe_ns + st->touch_ns,
		   st->pipe_ns, st->touch_ns);
	return 0;

out_fail:
	cr_teardown(ctx, st);
	*state = NULL;
	return rc;
}

static int cr_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct cr_state *st = state;
	uint64_t laps = (iters + st->n - 1) / st->n, hops = laps * st->n;
	uint64_t t0, t1, vcsw, icsw, i0, i1;
	int rc;

	i0 = cr_self_invol();
	t0 = bench_now_ns();
	for (uint64_t l = 0; l < laps; l++) {
		rc = cr_lap(st, l + 1 == laps ? CR_SNAP : CR_PING);
		if (rc < 0)
			return bench_fail(ctx, rc, "lap %llu: %s", (unsigned long long)l,
					  rc == -EPIPE ? "a task died" : strerror(-rc));
	}
	t1 = bench_now_ns();
	i1 = cr_self_invol();
	bench_set_ops(ctx, hops);
	/* Every task wrote its snapshot before passing the token on, and
	 * the token is back. */
	vcsw = cr_peer_switches(st, false) - st->last_vcsw;
	icsw = cr_peer_switches(st, true) - st->last_icsw;
	st->last_vcsw += vcsw;
	st->last_icsw += icsw;
	/* ctxsw_per_op: worker 0's count (the runner's) plus the others'. */
	bench_add_count(ctx, PMU_CTX_SWITCHES, vcsw + icsw);
	/* Every task's, worker 0's included, from getrusage, in every
	 * sample: how many hops cost a preemption besides the block. */
	bench_sample_metric(ctx, "invol_ctxsw_per_op", "switches",
			    (double)(icsw + i1 - i0) / (double)hops);
	bench_sample_metric(ctx, st->per_name, "ns",
			    (double)(t1 - t0) / (double)hops - st->pipe_ns - st->touch_ns);
	bench_sample_metric(ctx, "tasks_off_cpu", "checks",
			    (double)__atomic_load_n(&st->sh->off_cpu, __ATOMIC_RELAXED));
	return 0;
}

static void cr_teardown(struct bench_ctx *ctx, void *state)
{
	struct cr_state *st = state;

	(void)ctx;
	if (!st)
		return;
	if (st->kind->thread) {
		/* Thread 1 reads end of file, closes its write end and
		 * returns, and so on round the ring. */
		cr_close(&st->fd[0][1]);
		for (int i = 1; i < st->n; i++)
			if (st->task[i].have_thread)
				pthread_join(st->task[i].tid, NULL);
	} else {
		for (int i = 1; i < st->n; i++)
			bench_reap(st->task[i].pid);
	}
	for (int i = 0; i < CR_MAX_TASKS; i++) {
		cr_close(&st->fd[i][0]);
		cr_close(&st->fd[i][1]);
	}
	if (st->sigpipe_set)
		sigaction(SIGPIPE, &st->old_pipe, NULL);
	if (st->buf0)
		munmap(st->buf0, st->kind->wss);
	if (st->sh)
		munmap(st->sh, sizeof(*st->sh));
	free(st);
}

/*
 * On same-cpu every hop is one context switch, or two when the waker was
 * preempted, all tasks counted (the range: CR_SWITCHES_PER_HOP_*);
 * elsewhere no switch count is implied.
 * When pinned, no task may ever have been found off its CPU.
 */
static enum bench_valid cr_validate(const struct bench_judge *j, char *note, size_t len)
{
	/* Cumulative since setup: the largest sample counts every miss. */
	double off = bench_judge_max(j, "tasks_off_cpu");
	double csw = j->metric(j, "ctxsw_per_op");

	if (j->pinned && !isnan(off) && off > 0) {
		snprintf(note, len, "a task was found off its CPU (%.0f checks)", off);
		return BENCH_VALID_FAIL;
	}
	if (strcmp(j->placement, "same-cpu") != 0)
		return j->pinned && !isnan(off) ? BENCH_VALID_PASS : BENCH_VALID_NA;
	if (isnan(csw)) {
		snprintf(note, len, "no context-switch count: same-cpu check not made");
		return BENCH_VALID_NA;
	}
	if (csw >= CR_SWITCHES_PER_HOP_LO && csw < CR_SWITCHES_PER_HOP_HI)
		return BENCH_VALID_PASS;
	snprintf(note, len, "same-cpu ring made %.2f context switches per hop (ctxsw_per_op), "
		 "expected %.0f plus preemptions, accepted [%.2f, %.2f)", csw,
		 CR_SWITCHES_PER_HOP, CR_SWITCHES_PER_HOP_LO, CR_SWITCHES_PER_HOP_HI);
	return BENCH_VALID_FAIL;
}

/* Tasks in the ring (lmbench's lat_ctx curve goes on to 96 and more; 64
 * already holds 16 MiB of working sets at 256k).  The middle working set
 * and the thread ring take three points of it (the ends and 8, where the
 * 16k sets outgrow L1): each configuration costs about 0.8 s of a full
 * run at two placements, and the family is held to about 25 s. */
static const double cr_tasks[] = { 2, 4, 8, 16, 32, 64 };
static const double cr_tasks_few[] = { 2, 8, 64 };

#define CR_VARIANT(vname, ns, text) {                                        \
		.name = vname, .summary = text, .sweep = "tasks",             \
		.xs = ns, .nx = sizeof(ns) / sizeof(ns[0]),                   \
		.flags = BENCH_V_PAIR, .validate = cr_validate,               \
	}

static const struct bench_variant cr_variants[] = {
	CR_VARIANT("proc_0k", cr_tasks, "ring of N processes, 1-byte token over pipes, no working set (lat_ctx -s 0)"),
	CR_VARIANT("proc_16k", cr_tasks_few, "ring of N processes, each touches its own 16 KiB per hop (lat_ctx -s 16)"),
	CR_VARIANT("proc_256k", cr_tasks, "ring of N processes, each touches its own 256 KiB per hop"),
	CR_VARIANT("thread_0k", cr_tasks_few, "ring of N threads of one process, the same pipes, no working set"),
	{ .name = NULL },
};

const struct bench_desc bench_ctx_ring = {
	.name = "ctx_ring",
	.summary = "context switch among N tasks: a token round a ring of processes or threads (lat_ctx)",
	.unit = "hop (one task hands the token to the next)",
	.variants = cr_variants,
	.setup = cr_setup,
	.run = cr_run,
	.teardown = cr_teardown,
};
