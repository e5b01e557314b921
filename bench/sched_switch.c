/*
 * sched_switch - what handing the CPU to another task costs: a context
 * switch when both tasks share one CPU, a wake-up when they do not.
 *
 * What is measured.  Worker 0 (the runner's pinned thread) and a peer play
 * ping-pong; one operation is one round trip: worker 0 touches its working
 * set, hands the turn to the peer, the peer touches its own working set and
 * hands the turn back.  run() is timed whole (iters round trips back to
 * back, nothing else in the interval).  Variants:
 *   proc_pipe     peer is a forked process; one byte over two pipes
 *                 (lmbench lat_ctx's method);
 *   proc_futex    peer is a forked process; a futex word in MAP_SHARED memory;
 *   thread_futex  peer is a thread of this process, the same futex protocol
 *                 and the same (shared, not FUTEX_PRIVATE) futex operations,
 *                 so that proc_futex - thread_futex is the address-space
 *                 switch and nothing else;
 *   proc_yield, thread_yield
 *                 a shared turn word polled around sched_yield(): the
 *                 hand-off is the scheduler picking the other runnable task.
 * The runner runs every variant at every two-worker placement (same-cpu,
 * smt, same-cache, cross-cache, cross-numa, ...).  The yield variants are
 * only a hand-off on one CPU: elsewhere both sides would spin on their own
 * CPUs and nothing would be handed over, so those configurations are
 * skipped with that reason rather than reported as a number that means
 * something else (the descriptor cannot restrict a variant's placements).
 *
 * Metrics.  ns_per_op is the round trip.  The derived per-hand-off cost is
 * an extra metric whose name says what it is: "ns_per_switch" on same-cpu
 * (each hand-off is a context switch), "ns_per_wakeup" on two CPUs (each
 * hand-off wakes a task on the other CPU; no switch is forced), and
 * "ns_per_handoff" unpinned (either).  It is
 *     (round trip - 2 x overhead) / 2
 * where overhead is the hand-off primitive alone in one task, measured in
 * setup() of the same configuration before the peer exists: for proc_pipe
 * a 1-byte write plus a 1-byte read on worker 0's pipe to the peer, both
 * of whose ends only worker 0 holds yet (lmbench's subtraction); for the
 * futex variants a FUTEX_WAKE with no waiter plus a FUTEX_WAIT that
 * returns EAGAIN at once; for the yield variants one
 * sched_yield() with nothing else runnable.  The overhead is the least of
 * five batch means (interference only ever adds, and it is subtracted from
 * every sample, so its own noise must be small); its value is in the note.
 * At wss_bytes > 0 the derived value includes both sides' touches - that is
 * the point of the sweep: the refill cost after the other side ran.
 *
 * Working set (sweep wss_bytes: 0, 16 KiB, 256 KiB, 4 MiB): each side owns
 * a private buffer of that size, pre-faulted before the samples, and writes
 * one byte per 64-byte line of it before each hand-off, so a switch that
 * evicted it (caches, TLB) shows up as refill time.  Each side maps and
 * first-touches its own buffer on its own CPU - worker 0 in setup (the
 * runner pinned it before), the peer, process or thread alike, after it
 * has pinned itself - because the kernel puts an anonymous page on the
 * node of the CPU that first writes it.  (A thread peer's buffer faulted
 * by worker 0 would sit on worker 0's node at cross-numa, and proc_futex -
 * thread_futex would hold a local/remote memory difference besides the
 * address-space switch.)  The peer then asks the kernel where its pages
 * are (move_pages, query only): "peer_wss_off_node" is the number of them
 * not on the node of the CPU it runs on; absent where move_pages is not
 * available (a kernel without NUMA).
 *
 * Counters.  The runner counts worker 0's thread only; the peer measures
 * itself with getrusage (RUSAGE_SELF for a process, RUSAGE_THREAD for a
 * thread: ru_nvcsw + ru_nivcsw) and worker 0 adds the delta with
 * bench_add_count().  The peer snapshots at the last round trip of every
 * run() (the command says "ping and snapshot"; the getrusage call adds one
 * syscall to one round trip in iters), and setup() takes the first one, so
 * between two snapshots the peer waits exactly iters times, as worker 0
 * does: ctxsw_per_op is about 2 on same-cpu.  At each snapshot the peer
 * also checks sched_getcpu() against its CPU; "peer_off_cpu" is the
 * cumulative count of failed checks since setup (non-decreasing, so its
 * largest sample - the last - counts every miss of the configuration).
 *
 * Self-validation: on same-cpu ctxsw_per_op must be the ping-pong's two
 * switches per round trip within bench.h's one tolerance
 * (BENCH_PINGPONG_SWITCHES, bench_pingpong_switches()); when
 * pinned, peer_off_cpu must be 0 in every sample - judged by its largest
 * sample (bench_judge_max), as the runner judges worker 0's migrations
 * counter: one miss anywhere fails - and peer_wss_off_node must be 0.
 *
 * Known bias: the futex variants wake unconditionally (one FUTEX_WAKE per
 * hand-off even if the other side is not asleep yet), as the overhead
 * subtraction assumes; the yield variants on a busy CPU may run a third
 * task in between (their round trip then includes it).
 *
 * Test-only fault injection (PRIMBENCH_INJECT=sched_switch:<what>):
 * "hang" - the peer blocks forever at its first command (so setup never
 * returns and the watchdog must kill the configuration); "crash" - the
 * peer dies by SIGSEGV at its first command (a process peer: worker 0
 * sees EOF / the child's exit and fails the configuration; a thread peer
 * takes the whole benchmark process down).
 */
#include "bench.h"
#include "lib/wss.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Overhead measurement: batches and hand-off primitives per batch. */
#define SS_OVH_BATCHES 5
#define SS_OVH_REPS 2000
/* The yield loops look for a dead peer every this many yields. */
#define SS_YIELD_CHECK 0xffffu

/* How the two sides hand the turn over (pipe, futex, yield: below). */
struct ss_ops;

/* What a variant is made of. */
struct ss_kind {
	const char *variant;        /* the variant's name in ss_variants[] */
	const struct ss_ops *ops;   /* hand-off mechanism */
	bool thread;                /* the peer is a thread here, not a forked process */
};

/* Commands worker 0 gives the peer: the turn word's value, or the byte sent. */
enum ss_cmd {
	SS_TURN_W0 = 0, /* (turn word only) worker 0's turn: the peer waits */
	SS_CMD_PING,    /* touch, hand back */
	SS_CMD_SNAP,    /* touch, snapshot the peer's counters, hand back */
	SS_CMD_QUIT,    /* return */
};

/* The page both sides share (MAP_SHARED, so also across fork). */
struct ss_shared {
	uint32_t turn;          /* futex/yield: SS_TURN_W0 or the peer's command */
	uint32_t quit;          /* set by teardown: the peer returns at its next wait */
	uint32_t scratch;       /* futex word nobody waits on (overhead measurement) */
	int32_t peer_err;       /* -errno if the peer could not start, else 0 */
	uint64_t peer_csw;      /* peer's ru_nvcsw + ru_nivcsw at its last snapshot */
	uint64_t peer_off_cpu;  /* snapshots at which the peer was not on its CPU */
	int64_t peer_off_node;  /* pages of the peer's working set not on its
				   CPU's node after its first touch; -1 if
				   unknown (no move_pages, or wss 0) */
};

/* Per-configuration state (worker 0's; a process peer works on its copy). */
struct ss_state {
	struct bench_ctx *ctx;       /* for the peer's bench_pin_peer() */
	struct ss_kind kind;         /* this variant's mechanism and peer type */
	struct ss_shared *sh;        /* the shared page */
	int to_peer[2];              /* pipe mechanism: worker 0 -> peer, else -1 */
	int to_w0[2];                /* pipe mechanism: peer -> worker 0, else -1 */
	pid_t pid;                   /* process peer, 0 when none (or reaped) */
	pthread_t tid;               /* thread peer */
	bool have_thread;            /* tid is running and must be joined */
	int peer_cpu;                /* CPU the peer must stay on, -1 unpinned */
	enum bench_fault inject;     /* bench_inject_fault(): hang, crash or none */
	size_t wss;                  /* bytes each side touches per hand-off */
	unsigned char *buf0;         /* worker 0's working set (NULL if wss 0);
					the peer maps its own (see header) */
	unsigned char mark;          /* value worker 0 writes (changes: stores stay real) */
	uint64_t last_csw;           /* peer_csw at the previous snapshot */
	double ovh_ns;               /* one hand-off primitive alone (see header) */
	const char *per_name;        /* derived metric's name for this placement */
	bool sigchld_set;            /* old_chld must be restored */
	bool sigpipe_set;            /* old_pipe must be restored */
	struct sigaction old_chld;   /* SIGCHLD action before setup */
	struct sigaction old_pipe;   /* SIGPIPE action before setup */
};

static long ss_futex(uint32_t *word, int op, uint32_t val)
{
	return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/*
 * Pages of buf[0..len) that are not on the NUMA node of the CPU the caller
 * runs on (getcpu), asked of the kernel with move_pages() in query mode
 * (nodes NULL: nothing moves); a page that is not present counts as off
 * its node.  -1 when it cannot be told: no move_pages (ENOSYS without
 * CONFIG_NUMA, EPERM under a seccomp filter) or no memory for the query.
 */
static int64_t ss_pages_off_node(unsigned char *buf, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = (len + pg - 1) / pg;
	unsigned cpu, node;
	int64_t off = -1;
	void **pages;
	int *status;

	if (n == 0 || getcpu(&cpu, &node) < 0)
		return -1;
	pages = calloc(n, sizeof(*pages));
	status = calloc(n, sizeof(*status));
	if (!pages || !status)
		goto out_free;
	for (size_t i = 0; i < n; i++)
		pages[i] = buf + i * pg;
	if (syscall(SYS_move_pages, 0, (unsigned long)n, pages, NULL, status, 0) < 0)
		goto out_free;
	off = 0;
	for (size_t i = 0; i < n; i++)
		if (status[i] < 0 || (unsigned)status[i] != node)
			off++;
out_free:
	free(status);
	free(pages);
	return off;
}

/* --- the mechanisms --------------------------------------------------------------- */

/*
 * One hand-off mechanism: the peer's side (wait for a command, hand the turn
 * back), worker 0's side (one round trip) and the overhead subtracted from
 * it (the primitive alone, in worker 0, before the peer exists).
 */
struct ss_ops {
	/* The primitive the overhead times, as the note names it. */
	const char *overhead_what;
	/* Non-NULL: the mechanism hands over only between tasks on one CPU;
	 * the start of the skip reason elsewhere. */
	const char *one_cpu_only;
	/* Make the channel, before the overhead and the peer (NULL: the shared
	 * page is the channel).  0 or a bench_fail() code. */
	int (*open)(struct bench_ctx *ctx, struct ss_state *st);
	/* After the fork, in each process: close the ends only the other side
	 * uses, so that a dead peer reads as end of file (NULL: none). */
	void (*keep_ends)(struct ss_state *st, bool peer);
	/* Peer: wait for worker 0's next command; SS_CMD_QUIT when told or
	 * worker 0 is gone. */
	enum ss_cmd (*peer_wait)(struct ss_state *st);
	/* Peer: hand the turn back to worker 0.  0, or -errno when it is gone. */
	int (*peer_reply)(struct ss_state *st);
	/* Worker 0: give the peer cmd, wait for the turn to come back.
	 * 0, -EPIPE when the peer died, or -errno. */
	int (*roundtrip)(struct ss_state *st, enum ss_cmd cmd);
	/* Worker 0, no peer yet: the primitive alone reps times (timed by the
	 * caller).  0, or -1 when it failed. */
	int (*overhead)(struct ss_state *st, unsigned reps);
};

/* True when the peer is known to be gone (a process peer that exited; it
 * is reaped here).  A thread peer cannot die alone. */
static bool ss_peer_gone(struct ss_state *st)
{
	int status;

	if (st->kind.thread || st->pid <= 0)
		return false;
	if (waitpid(st->pid, &status, WNOHANG) != st->pid)
		return false;
	st->pid = 0;
	return true;
}

/* Pipe: one byte each way over two pipes (lmbench lat_ctx). */

static int ss_pipe_open(struct bench_ctx *ctx, struct ss_state *st)
{
	if (pipe2(st->to_peer, O_CLOEXEC) < 0 || pipe2(st->to_w0, O_CLOEXEC) < 0)
		return bench_fail(ctx, -errno, "pipe2: %s", strerror(errno));
	return 0;
}

static void ss_pipe_keep_ends(struct ss_state *st, bool peer)
{
	/* The peer writes to_w0 and reads to_peer; worker 0 the reverse. */
	int *out = peer ? st->to_w0 : st->to_peer;
	int *in = peer ? st->to_peer : st->to_w0;

	close(out[0]);
	close(in[1]);
	out[0] = in[1] = -1;
}

static enum ss_cmd ss_pipe_peer_wait(struct ss_state *st)
{
	char c;

	for (;;) {
		ssize_t n = read(st->to_peer[0], &c, 1);

		if (n == 1)
			return (enum ss_cmd)c;
		if (n == 0 || errno != EINTR)
			return SS_CMD_QUIT;
	}
}

static int ss_pipe_peer_reply(struct ss_state *st)
{
	char c = 0;

	while (write(st->to_w0[1], &c, 1) != 1)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int ss_pipe_roundtrip(struct ss_state *st, enum ss_cmd cmd)
{
	char c = (char)cmd;

	/* SIGPIPE is ignored: a dead reader gives EPIPE here. */
	while (write(st->to_peer[1], &c, 1) != 1) {
		if (errno != EINTR)
			return -errno;
		if (ss_peer_gone(st))
			return -EPIPE;
	}
	for (;;) {
		ssize_t n = read(st->to_w0[0], &c, 1);

		if (n == 1)
			return 0;
		if (n == 0)
			return -EPIPE;
		if (errno != EINTR)
			return -errno;
		if (ss_peer_gone(st))
			return -EPIPE;
	}
}

/* A 1-byte write and read on worker 0's pipe to the peer, which has no
 * reader but worker 0 yet: the pipe's cost without a hand-off. */
static int ss_pipe_overhead(struct ss_state *st, unsigned reps)
{
	char c = 0;

	for (unsigned i = 0; i < reps; i++)
		if (write(st->to_peer[1], &c, 1) != 1 || read(st->to_peer[0], &c, 1) != 1)
			return -1;
	return 0;
}

static const struct ss_ops ss_pipe_ops = {
	.overhead_what = "1-byte pipe write+read",
	.open = ss_pipe_open,
	.keep_ends = ss_pipe_keep_ends,
	.peer_wait = ss_pipe_peer_wait,
	.peer_reply = ss_pipe_peer_reply,
	.roundtrip = ss_pipe_roundtrip,
	.overhead = ss_pipe_overhead,
};

/* Futex: the turn word in the shared page, FUTEX_WAIT until it changes,
 * FUTEX_WAKE after each change (shared futexes, also for threads). */

static enum ss_cmd ss_futex_peer_wait(struct ss_state *st)
{
	struct ss_shared *sh = st->sh;
	uint32_t v;

	while ((v = __atomic_load_n(&sh->turn, __ATOMIC_ACQUIRE)) == SS_TURN_W0 &&
	       !__atomic_load_n(&sh->quit, __ATOMIC_ACQUIRE))
		ss_futex(&sh->turn, FUTEX_WAIT, SS_TURN_W0);
	return __atomic_load_n(&sh->quit, __ATOMIC_ACQUIRE) ? SS_CMD_QUIT : (enum ss_cmd)v;
}

static int ss_futex_peer_reply(struct ss_state *st)
{
	__atomic_store_n(&st->sh->turn, SS_TURN_W0, __ATOMIC_RELEASE);
	ss_futex(&st->sh->turn, FUTEX_WAKE, 1);
	return 0;
}

static int ss_futex_roundtrip(struct ss_state *st, enum ss_cmd cmd)
{
	struct ss_shared *sh = st->sh;

	__atomic_store_n(&sh->turn, cmd, __ATOMIC_RELEASE);
	ss_futex(&sh->turn, FUTEX_WAKE, 1);
	/* SIGCHLD (handler without SA_RESTART) breaks the wait with
	 * EINTR when a process peer dies; nothing costs extra otherwise. */
	while (__atomic_load_n(&sh->turn, __ATOMIC_ACQUIRE) != SS_TURN_W0)
		if (ss_futex(&sh->turn, FUTEX_WAIT, cmd) < 0 && errno == EINTR &&
		    ss_peer_gone(st))
			return -EPIPE;
	return 0;
}

static int ss_futex_overhead(struct ss_state *st, unsigned reps)
{
	for (unsigned i = 0; i < reps; i++) {
		ss_futex(&st->sh->scratch, FUTEX_WAKE, 1);
		/* scratch is 0: the wait returns EAGAIN at once. */
		ss_futex(&st->sh->scratch, FUTEX_WAIT, 1);
	}
	return 0;
}

static const struct ss_ops ss_futex_ops = {
	.overhead_what = "FUTEX_WAKE (no waiter) + FUTEX_WAIT (EAGAIN)",
	.peer_wait = ss_futex_peer_wait,
	.peer_reply = ss_futex_peer_reply,
	.roundtrip = ss_futex_roundtrip,
	.overhead = ss_futex_overhead,
};

/* Yield: the turn word polled around sched_yield(); a hand-off only when
 * both tasks share one CPU. */

static enum ss_cmd ss_yield_peer_wait(struct ss_state *st)
{
	struct ss_shared *sh = st->sh;
	uint32_t v;

	while ((v = __atomic_load_n(&sh->turn, __ATOMIC_ACQUIRE)) == SS_TURN_W0 &&
	       !__atomic_load_n(&sh->quit, __ATOMIC_ACQUIRE))
		sched_yield();
	return __atomic_load_n(&sh->quit, __ATOMIC_ACQUIRE) ? SS_CMD_QUIT : (enum ss_cmd)v;
}

static int ss_yield_peer_reply(struct ss_state *st)
{
	__atomic_store_n(&st->sh->turn, SS_TURN_W0, __ATOMIC_RELEASE);
	return 0;
}

static int ss_yield_roundtrip(struct ss_state *st, enum ss_cmd cmd)
{
	struct ss_shared *sh = st->sh;
	unsigned spins = 0;

	__atomic_store_n(&sh->turn, cmd, __ATOMIC_RELEASE);
	while (__atomic_load_n(&sh->turn, __ATOMIC_ACQUIRE) != SS_TURN_W0) {
		sched_yield();
		if ((++spins & SS_YIELD_CHECK) == 0 && ss_peer_gone(st))
			return -EPIPE;
	}
	return 0;
}

static int ss_yield_overhead(struct ss_state *st, unsigned reps)
{
	(void)st;
	for (unsigned i = 0; i < reps; i++)
		sched_yield();
	return 0;
}

static const struct ss_ops ss_yield_ops = {
	.overhead_what = "sched_yield",
	.one_cpu_only = "sched_yield hands over only between tasks on one CPU",
	.peer_wait = ss_yield_peer_wait,
	.peer_reply = ss_yield_peer_reply,
	.roundtrip = ss_yield_roundtrip,
	.overhead = ss_yield_overhead,
};

static const struct ss_kind ss_kinds[] = {
	{ "proc_pipe", &ss_pipe_ops, false },
	{ "proc_futex", &ss_futex_ops, false },
	{ "thread_futex", &ss_futex_ops, true },
	{ "proc_yield", &ss_yield_ops, false },
	{ "thread_yield", &ss_yield_ops, true },
	{ NULL, NULL, false },
};

/* --- the peer ---------------------------------------------------------------------- */

/* Record the peer's context switches and whether it is on its CPU. */
static void ss_peer_snapshot(struct ss_state *st)
{
	st->sh->peer_csw = bench_switches_now(st->kind.thread ? RUSAGE_THREAD : RUSAGE_SELF);
	if (st->peer_cpu >= 0 && sched_getcpu() != st->peer_cpu)
		st->sh->peer_off_cpu++;
}

/* The peer's life: pin, own working set, then serve commands until told to
 * stop.  Errors in starting go to sh->peer_err; the peer still answers, so
 * that worker 0 learns of them at its first round trip instead of hanging. */
static void ss_peer_main(struct ss_state *st)
{
	unsigned char *buf = NULL;
	unsigned char mark = 0;
	int rc = bench_pin_peer(st->ctx);

	st->sh->peer_off_node = -1;
	if (rc == 0 && st->wss) {
		/* Mapped and first touched here, pinned: its pages come from
		 * the peer CPU's node, for a thread peer as for a process. */
		buf = wss_new(st->wss);
		if (!buf)
			rc = -errno;
		else
			st->sh->peer_off_node = ss_pages_off_node(buf, st->wss);
	}
	st->sh->peer_err = rc;
	for (;;) {
		enum ss_cmd cmd = st->kind.ops->peer_wait(st);

		if (cmd == SS_CMD_QUIT)
			break;
		if (st->inject == BENCH_FAULT_HANG)
			for (;;)
				pause();
		if (st->inject == BENCH_FAULT_CRASH)
			raise(SIGSEGV);
		wss_touch(buf, rc == 0 ? st->wss : 0, ++mark);
		if (cmd == SS_CMD_SNAP)
			ss_peer_snapshot(st);
		if (st->kind.ops->peer_reply(st) < 0)
			break;
	}
	if (buf)
		munmap(buf, st->wss);
}

static void *ss_peer_thread(void *arg)
{
	ss_peer_main(arg);
	return NULL;
}

/* --- worker 0 ---------------------------------------------------------------------- */

/* Mean cost of one hand-off primitive with no peer, in one batch of reps. */
static double ss_overhead_batch(struct ss_state *st, unsigned reps)
{
	uint64_t t0 = bench_now_ns();

	if (st->kind.ops->overhead(st, reps) < 0)
		return NAN;
	return (double)(bench_now_ns() - t0) / reps;
}

/* The overhead subtracted from the round trip (see the header): the least
 * of SS_OVH_BATCHES batch means.  0 or -errno. */
static int ss_overhead(struct ss_state *st)
{
	double best = INFINITY;

	for (int b = 0; b < SS_OVH_BATCHES; b++) {
		double v = ss_overhead_batch(st, SS_OVH_REPS);

		if (v < best)
			best = v;
	}
	if (isnan(best) || isinf(best))
		return -EIO;
	st->ovh_ns = best;
	return 0;
}

/* SIGCHLD only has to interrupt a blocking wait; the waiter checks waitpid. */
static void ss_on_sigchld(int sig)
{
	(void)sig;
}

/* Signal dispositions for a process peer: SIGCHLD interrupts waits (no
 * SA_RESTART), SIGPIPE is ignored so a dead reader gives EPIPE, not death. */
static int ss_signals(struct ss_state *st)
{
	struct sigaction chld = { .sa_handler = ss_on_sigchld };
	struct sigaction ign = { .sa_handler = SIG_IGN };

	sigemptyset(&chld.sa_mask);
	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGCHLD, &chld, &st->old_chld) < 0)
		return -errno;
	st->sigchld_set = true;
	if (sigaction(SIGPIPE, &ign, &st->old_pipe) < 0)
		return -errno;
	st->sigpipe_set = true;
	return 0;
}

/* Start the peer (fork or thread).  0 or -errno. */
static int ss_peer_start(struct bench_ctx *ctx, struct ss_state *st)
{
	int rc;

	if (st->kind.thread) {
		rc = pthread_create(&st->tid, NULL, ss_peer_thread, st);
		if (rc)
			return -rc;
		st->have_thread = true;
		return 0;
	}
	rc = ss_signals(st);
	if (rc < 0)
		return rc;
	/* Forked from worker 0, the supervising child's main thread, so the
	 * peer's PDEATHSIG stays armed until teardown. */
	st->pid = fork();
	if (st->pid < 0) {
		rc = -errno;
		st->pid = 0;
		return rc == -EAGAIN ? bench_skip(ctx, "fork: EAGAIN (RLIMIT_NPROC or pid limit)") : rc;
	}
	if (st->pid == 0) {
		if (bench_child_init() < 0)
			_exit(127);
		if (st->kind.ops->keep_ends)
			st->kind.ops->keep_ends(st, true);
		ss_peer_main(st);
		_exit(0);
	}
	/* Only the peer keeps its ends, so its death reads as EOF. */
	if (st->kind.ops->keep_ends)
		st->kind.ops->keep_ends(st, false);
	return 0;
}

/* Name of the derived metric at this placement (see the header). */
static const char *ss_per_name(const struct bench_ctx *ctx)
{
	int c0 = bench_cpu(ctx, 0), c1 = bench_cpu(ctx, 1);

	if (c0 < 0 || c1 < 0)
		return "ns_per_handoff";
	return c0 == c1 ? "ns_per_switch" : "ns_per_wakeup";
}

static void ss_teardown(struct bench_ctx *ctx, void *state);

static int ss_setup(struct bench_ctx *ctx, void **state)
{
	const struct bench_variant *v = bench_variant(ctx);
	const struct ss_kind *k = ss_kinds;
	struct ss_state *st;
	int c0 = bench_cpu(ctx, 0), c1 = bench_cpu(ctx, 1);
	int rc;

	while (k->variant && strcmp(k->variant, v->name) != 0)
		k++;
	if (!k->variant)
		return bench_fail(ctx, -EINVAL, "no mechanism for variant %s", v->name);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->ctx = ctx;
	st->kind = *k;
	st->to_peer[0] = st->to_peer[1] = st->to_w0[0] = st->to_w0[1] = -1;
	st->peer_cpu = c1;
	st->inject = bench_inject_fault(ctx);
	st->wss = (size_t)bench_x(ctx);
	st->per_name = ss_per_name(ctx);
	*state = st;

	if (st->kind.ops->one_cpu_only && (c0 < 0 || c0 != c1)) {
		rc = bench_skip(ctx, "%s; at %s each side would spin on its own CPU (no hand-off)",
				st->kind.ops->one_cpu_only, bench_placement(ctx));
		goto out_fail;
	}
	st->sh = mmap(NULL, sizeof(*st->sh), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st->sh == MAP_FAILED) {
		st->sh = NULL;
		rc = bench_fail(ctx, -errno, "mmap of the shared page: %s", strerror(errno));
		goto out_fail;
	}
	if (st->kind.ops->open) {
		rc = st->kind.ops->open(ctx, st);
		if (rc < 0)
			goto out_fail;
	}
	/* Before the peer exists: the primitive alone, nothing else runnable. */
	rc = ss_overhead(st);
	if (rc < 0) {
		rc = bench_fail(ctx, rc, "measuring the hand-off overhead: %s", strerror(-rc));
		goto out_fail;
	}
	rc = ss_peer_start(ctx, st);
	if (rc < 0) {
		if (rc != -EOPNOTSUPP)
			rc = bench_fail(ctx, rc, "starting the peer: %s", strerror(-rc));
		goto out_fail;
	}
	/* The first snapshot: the baseline of the first run's delta. */
	rc = st->kind.ops->roundtrip(st, SS_CMD_SNAP);
	if (rc < 0) {
		rc = bench_fail(ctx, rc, "first hand-off: %s", rc == -EPIPE ? "the peer died" : strerror(-rc));
		goto out_fail;
	}
	if (st->sh->peer_err < 0) {
		rc = bench_fail(ctx, st->sh->peer_err, "peer could not start (pin to CPU %d or working set): %s",
				c1, strerror(-st->sh->peer_err));
		goto out_fail;
	}
	st->last_csw = st->sh->peer_csw;
	/* Mapped after the fork: a process peer has no copy-on-write share of it. */
	if (st->wss) {
		st->buf0 = wss_new(st->wss);
		if (!st->buf0) {
			rc = bench_fail(ctx, -errno, "working set of %zu bytes: %s", st->wss, strerror(errno));
			goto out_fail;
		}
	}
	bench_note(ctx, "%s = (round trip - 2 x %.0f ns)/2; %.0f ns = %s alone in one task, measured in setup",
		   st->per_name, st->ovh_ns, st->ovh_ns, st->kind.ops->overhead_what);
	return 0;

out_fail:
	ss_teardown(ctx, st);
	*state = NULL;
	return rc;
}

static int ss_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct ss_state *st = state;
	uint64_t t0, t1, csw;
	int rc;

	t0 = bench_now_ns();
	for (uint64_t i = 0; i < iters; i++) {
		wss_touch(st->buf0, st->wss, ++st->mark);
		rc = st->kind.ops->roundtrip(st, i + 1 == iters ? SS_CMD_SNAP : SS_CMD_PING);
		if (rc < 0)
			return bench_fail(ctx, rc, "hand-off %llu: %s", (unsigned long long)i,
					  rc == -EPIPE ? "the peer died" : strerror(-rc));
	}
	t1 = bench_now_ns();
	/* The peer wrote these before its last reply, which we have seen. */
	csw = st->sh->peer_csw;
	bench_add_count(ctx, PMU_CTX_SWITCHES, csw - st->last_csw);
	st->last_csw = csw;
	bench_sample_metric(ctx, st->per_name, "ns",
			    ((double)(t1 - t0) / (double)iters - 2 * st->ovh_ns) / 2);
	bench_sample_metric(ctx, "peer_off_cpu", "checks", (double)st->sh->peer_off_cpu);
	if (st->sh->peer_off_node >= 0)
		bench_sample_metric(ctx, "peer_wss_off_node", "pages",
				    (double)st->sh->peer_off_node);
	return 0;
}

static void ss_teardown(struct bench_ctx *ctx, void *state)
{
	struct ss_state *st = state;

	(void)ctx;
	if (!st)
		return;
	if (st->sh) {
		/* A thread peer returns at its next wait; a process peer is killed. */
		__atomic_store_n(&st->sh->quit, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&st->sh->turn, SS_CMD_QUIT, __ATOMIC_RELEASE);
		ss_futex(&st->sh->turn, FUTEX_WAKE, 1);
	}
	for (int i = 0; i < 2; i++) {
		if (st->to_peer[i] >= 0)
			close(st->to_peer[i]);
		if (st->to_w0[i] >= 0)
			close(st->to_w0[i]);
	}
	if (st->have_thread)
		pthread_join(st->tid, NULL);
	bench_reap(st->pid);
	if (st->sigchld_set)
		sigaction(SIGCHLD, &st->old_chld, NULL);
	if (st->sigpipe_set)
		sigaction(SIGPIPE, &st->old_pipe, NULL);
	if (st->buf0)
		munmap(st->buf0, st->wss);
	if (st->sh)
		munmap(st->sh, sizeof(*st->sh));
	free(st);
}

/*
 * On same-cpu a round trip is two context switches (each side blocks or
 * yields once); elsewhere no switch count is implied.  When pinned the peer
 * must never have been found off its CPU, and its working set must lie on
 * its CPU's node.
 */
static enum bench_valid ss_validate(const struct bench_judge *j, char *note, size_t len)
{
	/* Cumulative since setup, so the largest sample counts every miss;
	 * the median would miss one after the middle sample.  One miss
	 * anywhere fails, as one migration of worker 0 does. */
	double off = bench_judge_max(j, "peer_off_cpu");
	double csw = j->metric(j, "ctxsw_per_op");
	/* Fixed in setup, the same in every sample. */
	double off_node = bench_judge_max(j, "peer_wss_off_node");

	if (j->pinned && !isnan(off) && off > 0) {
		snprintf(note, len, "the peer was found off its CPU (%.0f checks)", off);
		return BENCH_VALID_FAIL;
	}
	if (j->pinned && !isnan(off_node) && off_node > 0) {
		snprintf(note, len, "%.0f pages of the peer's working set are not on its CPU's node",
			 off_node);
		return BENCH_VALID_FAIL;
	}
	if (strcmp(j->placement, "same-cpu") != 0)
		return j->pinned && !isnan(off) ? BENCH_VALID_PASS : BENCH_VALID_NA;
	/* An op is one round trip. */
	return bench_pingpong_switches("ctxsw_per_op", csw, 1, note, len);
}

/* Working sets: none, well inside L1/L2, about an L2, beyond most L2s. */
static const double ss_wss[] = { 0, 16 << 10, 256 << 10, 4 << 20 };

#define SS_VARIANT(vname, text) {                                            \
		.name = vname, .summary = text, .sweep = "wss_bytes",         \
		.xs = ss_wss, .nx = sizeof(ss_wss) / sizeof(ss_wss[0]),       \
		.flags = BENCH_V_PAIR, .validate = ss_validate, \
	}

static const struct bench_variant ss_variants[] = {
	SS_VARIANT("proc_pipe", "two processes, one byte each way over two pipes (lmbench)"),
	SS_VARIANT("proc_futex", "two processes, a futex word in shared memory"),
	SS_VARIANT("thread_futex", "two threads of one process, the same futex ping-pong"),
	SS_VARIANT("proc_yield", "two processes on one CPU, sched_yield until the turn comes back"),
	SS_VARIANT("thread_yield", "two threads on one CPU, sched_yield until the turn comes back"),
	{ .name = NULL },
};

const struct bench_desc bench_sched_switch = {
	.name = "sched_switch",
	.summary = "context switch (same CPU) or wake-up (two CPUs) per hand-off",
	.unit = "round trip (two hand-offs)",
	.variants = ss_variants,
	.setup = ss_setup,
	.run = ss_run,
	.teardown = ss_teardown,
};
