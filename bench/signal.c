/*
 * signal - what a signal costs: installing a handler, delivering one to
 * yourself, and a signal ping-pong between two processes.
 *
 * What is measured, per variant (all use SIGUSR1):
 *
 *   sigaction_install  `iters` sigaction() calls, alternating between two
 *                      handlers so that every call really changes the
 *                      action (one rt_sigaction system call each).  Whole
 *                      run() timed.
 *   raise_roundtrip    `iters` raise() calls with the signal unblocked and
 *                      a handler installed: the signal is delivered on the
 *                      way back from the system call, so one op is
 *                      raise -> kernel -> signal frame -> handler ->
 *                      rt_sigreturn -> back in raise.  glibc's raise() is
 *                      gettid + getpid + tgkill (strace, glibc 2.36: no
 *                      pid caching, no mask juggling for the calling
 *                      thread), so this row has two cheap system calls on
 *                      top of the delivery.
 *   tgkill_roundtrip   the same delivery with one syscall(SYS_tgkill) and
 *                      the ids cached in setup: raise_roundtrip minus
 *                      tgkill_roundtrip is what the C library adds.
 *   kill_pingpong      two processes (worker 0 and a forked peer, pinned at
 *                      each two-worker placement) with SIGUSR1 blocked;
 *                      each waits with sigwaitinfo() and answers with
 *                      kill().  One op is a round trip: two kills and two
 *                      wake-ups; a one-way hand-off is half of it.  The
 *                      timed window (bench_window_begin/end) holds only
 *                      the round trips.  Before and after the window one
 *                      untimed round trip asks the peer to snapshot its own
 *                      context switches (getrusage), which are added to
 *                      worker 0's counted ones (bench_add_count), so
 *                      ctxsw_per_op is both processes' switches (less
 *                      the peer's block that ends the first snapshot's
 *                      round trip).  Validation: at same-cpu every
 *                      hand-off must switch, so about 2 per round trip,
 *                      judged by bench_valid_pingpong() against the one
 *                      ping-pong tolerance in bench.h (1.5..3, halfway
 *                      to the wrong counts 1 - one side missing - and 4 -
 *                      counted twice).
 *
 * Blocked signals and sigwaitinfo() are used for the ping-pong rather than
 * handlers so that the round trip is the queueing and wake-up path, not
 * signal-frame setup (which the raise rows measure).  Worker 0 also waits
 * for SIGCHLD: a peer that dies turns into a failed row at once rather
 * than a watchdog timeout.  Non-realtime signals do not queue, but a strict
 * ping-pong has at most one in flight each way, and a SIGUSR1 from any
 * other sender is ignored by its si_pid.
 *
 * The one file-scope variable, sig_hits, is the handler's count: a signal
 * handler gets no pointer to the state, and the count is what proves that
 * every raise was delivered exactly once.
 *
 * Test-only fault injection (PRIMBENCH_INJECT, kill_pingpong only):
 * "signal:hang" - the peer stops answering after setup (watchdog timeout);
 * "signal:crash" - the peer exits at its first request (failed row).
 */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The benchmark's signal: it means nothing to the runner, and its default
 * action (terminate) makes a mistake in the blocking visible at once. */
#define SIG_BENCH SIGUSR1

/* What a configuration times. */
enum sig_op { SIG_OP_INSTALL, SIG_OP_RAISE, SIG_OP_TGKILL, SIG_OP_PINGPONG };

/* Requests from worker 0 to the peer, in the shared page. */
enum sig_cmd { SIG_CMD_NONE = 0, SIG_CMD_SNAPSHOT };

/* The page worker 0 and the ping-pong peer share. */
struct sig_shared {
	int cmd;                 /* enum sig_cmd for the next signal; the peer resets it */
	int peer_err;            /* 0, or -errno: the peer could not start (pin, pdeathsig) */
	uint64_t peer_switches;  /* peer's ru_nvcsw + ru_nivcsw at its last snapshot */
};

/* Per-configuration state. */
struct sig_state {
	enum sig_op op;            /* which variant */
	struct sigaction act[2];   /* the two handlers sigaction_install alternates */
	struct sigaction old_act;  /* SIG_BENCH's action before setup */
	bool act_saved;            /* old_act holds it: restore in teardown */
	sigset_t wait_set;         /* ping-pong: SIG_BENCH + SIGCHLD, what worker 0
				      waits for; else SIG_BENCH, unblocked */
	sigset_t old_mask;         /* the signal mask before setup */
	bool mask_saved;           /* old_mask holds it: restore in teardown */
	pid_t pid;                 /* this process, for tgkill */
	pid_t tid;                 /* this thread, for tgkill */
	pid_t peer;                /* the ping-pong peer, 0 if none */
	struct sig_shared *sh;     /* shared page, NULL if none */
};

/* Handler entries (see the header comment for why this is file-scope). */
static volatile sig_atomic_t sig_hits;

static void sig_on_a(int sig)
{
	(void)sig;
	sig_hits++;
}

/* A second handler, so that alternating installs change the action. */
static void sig_on_b(int sig)
{
	(void)sig;
	sig_hits++;
}

/*
 * The peer process: pin, say ready (or why not), then answer every
 * SIG_BENCH from the parent with one, snapshotting its context switches
 * first when asked.  Never returns.
 */
static void sig_peer_main(const struct bench_ctx *ctx, struct sig_shared *sh, pid_t parent)
{
	enum bench_fault fault = bench_inject_fault(ctx);
	sigset_t set;
	int rc;

	rc = bench_child_init();
	if (rc == 0)
		rc = bench_pin_peer(ctx);
	sh->peer_err = rc;
	kill(parent, SIG_BENCH);
	if (rc < 0)
		_exit(1);
	sigemptyset(&set);
	sigaddset(&set, SIG_BENCH);
	for (;;) {
		siginfo_t si;

		if (sigwaitinfo(&set, &si) < 0 || si.si_pid != parent)
			continue;
		if (fault == BENCH_FAULT_HANG)
			for (;;)
				pause(); /* SIG_BENCH stays blocked: only SIGKILL ends this */
		if (fault == BENCH_FAULT_CRASH)
			_exit(3);
		if (__atomic_load_n(&sh->cmd, __ATOMIC_ACQUIRE) == SIG_CMD_SNAPSHOT) {
			sh->peer_switches = bench_switches_now(RUSAGE_SELF);
			__atomic_store_n(&sh->cmd, SIG_CMD_NONE, __ATOMIC_RELEASE);
		}
		kill(parent, SIG_BENCH);
	}
}

/* Wait for SIG_BENCH from the peer.  0, -ECHILD when the peer died, or
 * -errno. */
static int sig_wait_peer(struct sig_state *st)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&st->wait_set, &si);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (sig == SIGCHLD) {
			if (si.si_code == CLD_EXITED || si.si_code == CLD_KILLED ||
			    si.si_code == CLD_DUMPED)
				return -ECHILD;
			continue; /* stopped/continued: it will answer later */
		}
		if (si.si_pid == st->peer)
			return 0;
	}
}

/* One round trip: signal the peer, wait for its answer.  0 or -errno. */
static int sig_roundtrip(struct sig_state *st)
{
	if (kill(st->peer, SIG_BENCH) < 0)
		return -errno;
	return sig_wait_peer(st);
}

/* An untimed round trip in which the peer records its context switches. */
static int sig_peer_switches(struct sig_state *st, uint64_t *out)
{
	int rc;

	__atomic_store_n(&st->sh->cmd, SIG_CMD_SNAPSHOT, __ATOMIC_RELEASE);
	rc = sig_roundtrip(st);
	if (rc < 0)
		return rc;
	*out = __atomic_load_n(&st->sh->peer_switches, __ATOMIC_ACQUIRE);
	return 0;
}

/* Block the signals, fork and pin the peer, wait until it is ready. */
static int sig_setup_pingpong(struct bench_ctx *ctx, struct sig_state *st)
{
	pid_t parent = getpid();
	int rc;

	st->sh = mmap(NULL, sizeof(*st->sh), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st->sh == MAP_FAILED) {
		rc = -errno;
		st->sh = NULL;
		return bench_fail(ctx, rc, "mmap of the shared page: %s", strerror(-rc));
	}
	/* Blocked before the fork: the peer inherits the mask, and a signal
	 * that arrives before either side waits stays pending. */
	sigemptyset(&st->wait_set);
	sigaddset(&st->wait_set, SIG_BENCH);
	sigaddset(&st->wait_set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &st->wait_set, &st->old_mask) < 0)
		return -errno;
	st->mask_saved = true;

	st->peer = fork();
	if (st->peer < 0) {
		rc = -errno;
		st->peer = 0;
		if (rc == -EAGAIN)
			return bench_skip(ctx, "fork of the peer: %s (RLIMIT_NPROC?)", strerror(-rc));
		return bench_fail(ctx, rc, "fork of the peer: %s", strerror(-rc));
	}
	if (st->peer == 0)
		sig_peer_main(ctx, st->sh, parent);

	rc = sig_wait_peer(st);
	if (rc < 0)
		return bench_fail(ctx, rc, "peer did not start: %s", strerror(-rc));
	if (st->sh->peer_err < 0)
		return bench_fail(ctx, st->sh->peer_err, "peer cannot run on CPU %d: %s",
				  bench_cpu(ctx, 1), strerror(-st->sh->peer_err));
	return 0;
}

static void sig_teardown(struct bench_ctx *ctx, void *state);

static int sig_setup(struct bench_ctx *ctx, void **state)
{
	const char *name = bench_variant(ctx)->name;
	struct sig_state *st = calloc(1, sizeof(*st));
	int rc = 0;

	if (!st)
		return -ENOMEM;
	st->pid = getpid();
	st->tid = (pid_t)syscall(SYS_gettid);
	sigemptyset(&st->act[0].sa_mask);
	sigemptyset(&st->act[1].sa_mask);
	st->act[0].sa_handler = sig_on_a;
	st->act[1].sa_handler = sig_on_b;
	st->act[0].sa_flags = st->act[1].sa_flags = SA_RESTART;

	if (strcmp(name, "kill_pingpong") == 0) {
		st->op = SIG_OP_PINGPONG;
		rc = sig_setup_pingpong(ctx, st);
		if (rc < 0)
			goto out_teardown;
	} else {
		st->op = strcmp(name, "sigaction_install") == 0 ? SIG_OP_INSTALL :
			 strcmp(name, "raise_roundtrip") == 0 ? SIG_OP_RAISE : SIG_OP_TGKILL;
		if (sigaction(SIG_BENCH, &st->act[0], &st->old_act) < 0) {
			rc = -errno;
			goto out_teardown;
		}
		st->act_saved = true;
		/* Delivery on the way out of the system call needs the signal
		 * unblocked, whatever mask the runner left us. */
		sigemptyset(&st->wait_set);
		sigaddset(&st->wait_set, SIG_BENCH);
		if (sigprocmask(SIG_UNBLOCK, &st->wait_set, &st->old_mask) < 0) {
			rc = -errno;
			goto out_teardown;
		}
		st->mask_saved = true;
	}
	*state = st;
	return 0;

out_teardown:
	sig_teardown(ctx, st);
	return rc;
}

/* `iters` self-deliveries through raise() or a bare tgkill; every one must
 * have entered the handler. */
static int sig_run_self(struct bench_ctx *ctx, struct sig_state *st, uint64_t iters)
{
	sig_hits = 0;
	if (st->op == SIG_OP_RAISE) {
		for (uint64_t i = 0; i < iters; i++)
			raise(SIG_BENCH);
	} else {
		for (uint64_t i = 0; i < iters; i++)
			syscall(SYS_tgkill, st->pid, st->tid, SIG_BENCH);
	}
	if ((uint64_t)sig_hits != iters)
		return bench_fail(ctx, -EPROTO, "handler ran %ld times for %llu signals",
				  (long)sig_hits, (unsigned long long)iters);
	return 0;
}

/* `iters` timed round trips between two untimed peer snapshots. */
static int sig_run_pingpong(struct bench_ctx *ctx, struct sig_state *st, uint64_t iters)
{
	uint64_t before, after;
	int rc;

	rc = sig_peer_switches(st, &before);
	if (rc < 0)
		goto out_fail;
	bench_window_begin(ctx);
	for (uint64_t i = 0; i < iters && rc == 0; i++)
		rc = sig_roundtrip(st);
	bench_window_end(ctx);
	if (rc < 0)
		goto out_fail;
	rc = sig_peer_switches(st, &after);
	if (rc < 0)
		goto out_fail;
	/* The peer's first block after the first snapshot ends that
	 * untimed round trip, not a timed one. */
	bench_add_count(ctx, PMU_CTX_SWITCHES, after > before ? after - before - 1 : 0);
	return 0;

out_fail:
	return bench_fail(ctx, rc, "%s", rc == -ECHILD ? "the peer process died" : strerror(-rc));
}

static int sig_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct sig_state *st = state;

	switch (st->op) {
	case SIG_OP_INSTALL:
		for (uint64_t i = 0; i < iters; i++)
			if (sigaction(SIG_BENCH, &st->act[i & 1], NULL) < 0)
				return bench_fail(ctx, -errno, "sigaction: %s", strerror(errno));
		return 0;
	case SIG_OP_RAISE:
	case SIG_OP_TGKILL:
		return sig_run_self(ctx, st, iters);
	case SIG_OP_PINGPONG:
		return sig_run_pingpong(ctx, st, iters);
	}
	return -EINVAL;
}

/* Also the cleanup of a failed setup: every step checks what exists. */
static void sig_teardown(struct bench_ctx *ctx, void *state)
{
	struct sig_state *st = state;

	(void)ctx;
	bench_reap(st->peer);
	if (st->mask_saved) {
		/* Drop what the peer's last answer or death left pending, so
		 * unblocking cannot kill us with SIGUSR1's default action. */
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&st->wait_set, NULL, &zero) > 0)
			;
		sigprocmask(SIG_SETMASK, &st->old_mask, NULL);
	}
	if (st->act_saved)
		sigaction(SIG_BENCH, &st->old_act, NULL);
	if (st->sh)
		munmap(st->sh, sizeof(*st->sh));
	free(st);
}

static const struct bench_variant sig_variants[] = {
	{ .name = "sigaction_install", .summary = "sigaction(SIGUSR1): install a handler (alternating two)" },
	{ .name = "raise_roundtrip", .summary = "raise(SIGUSR1) -> handler -> return, glibc's raise" },
	{ .name = "tgkill_roundtrip", .summary = "tgkill(self) -> handler -> return, one system call" },
	{ .name = "kill_pingpong", .summary = "two processes: kill + sigwaitinfo round trip",
	  .flags = BENCH_V_PAIR, .validate = bench_valid_pingpong },
	{ .name = NULL },
};

const struct bench_desc bench_signal = {
	.name = "signal",
	.summary = "signals: handler install, self-delivery, two-process ping-pong",
	.unit = "signal op (ping-pong: round trip)",
	.variants = sig_variants,
	.setup = sig_setup,
	.run = sig_run,
	.teardown = sig_teardown,
};
