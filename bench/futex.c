/*
 * futex - what the futex(2) operations cost that every lock, condition
 * variable and semaphore of the C library is built on.
 *
 * What is measured, per variant (all futexes are process-private,
 * FUTEX_PRIVATE_FLAG, as glibc's are for a process-private mutex; the
 * words sit on cache lines of their own):
 *
 *   lock_unlock    `iters` lock + unlock pairs of an uncontended futex-word
 *                  mutex (Drepper's "Futexes are tricky" mutex 2: lock is
 *                  a CAS 0 -> 1, unlock an exchange to 0; only a contended
 *                  word, 2, makes a futex call).  Whole run() timed: two
 *                  atomic read-modify-writes per op, no system call.
 *                  Validation: the mutex counts the futex calls its slow
 *                  paths make (futex_calls_per_op, must be exactly 0: no
 *                  other call is in the loop), and the thread's context
 *                  switches must stay below 0.01 per op (a blocked lock
 *                  would switch once).  The task clock is no check of
 *                  "no system call" (a system call is on-CPU time too), so
 *                  it is reported, not judged.
 *   wake_nowaiter  `iters` FUTEX_WAKE(nr 1) calls on a word nobody waits
 *                  on: entry, hash of the key, an empty bucket (the
 *                  waiter count lets the kernel skip its lock), exit.
 *                  Whole run() timed.  Validation: every call returned 0
 *                  woken (woken_per_op 0).
 *   wake_n         N waiter threads (sweep `waiters`) sleep in FUTEX_WAIT;
 *                  one op is one FUTEX_WAKE(nr INT_MAX) that wakes all N.
 *                  Before each op, untimed, the waiters are gathered with
 *                  FUTEX_CMP_REQUEUE(nr_wake 0) onto a second word: its
 *                  return value is how many really sleep in the kernel, so
 *                  the op starts only when all N do (perf bench futex wake
 *                  sleeps 100 ms and hopes).  The timed window
 *                  (bench_window_begin/end) holds only the wake call(s);
 *                  the waiters running and going back to sleep are
 *                  outside it.  Validation: the one timed call woke
 *                  N (woken_per_op in [0.99 N, N]: a waiter that wakes
 *                  spuriously after the gather is back on the first word,
 *                  and the next gather finds it).  Run at each two-worker placement: the waker
 *                  is worker 0, every waiter is pinned on worker 1's CPU,
 *                  so same-cpu wakes onto the waker's own run queue and
 *                  the others onto a remote one (an IPI, or a queued
 *                  wake-up).  At same-cpu the waiters are SCHED_BATCH
 *                  (fx_batch): a woken SCHED_OTHER waiter would preempt
 *                  the waker before it reads the clock, and the window
 *                  would hold that waiter's run; ctxsw_per_op (window
 *                  only) says how often the waker was still switched out.
 *                  Known bias: at N > 1 the window includes the woken
 *                  waiters' pressure on the waker's CPU (remote wake-up
 *                  queues, IPIs), which is part of waking N.
 *   cmp_requeue    N waiter threads (sweep `waiters`, unpinned: they only
 *                  sleep) asleep on word A; one op is one
 *                  FUTEX_CMP_REQUEUE(nr_wake 0, nr_requeue INT_MAX) that
 *                  moves all N to word B, the next one back: the move a
 *                  condition-variable broadcast makes onto its mutex, with
 *                  no wake-up (the wake of one is wake_n at N = 1).  The
 *                  waiters stay asleep throughout, so ops run back to back
 *                  and the whole run() is timed.  Validation:
 *                  requeued_per_op is N.
 *   pi_handoff     a priority-inheritance lock handed between worker 0 and
 *                  a peer thread pinned at each two-worker placement.  One
 *                  op is a round trip: exactly one hand-off each way, each
 *                  through the kernel's rt_mutex (no user-space fast path
 *                  is taken); the window holds only the round trips.  The
 *                  hand-off (fx_pi_pass), by the owner:
 *                    1. bump the baton word (only an owner writes it);
 *                    2. FUTEX_CMP_REQUEUE_PI(baton -> lock, nr_wake 1):
 *                       the other side, asleep on the baton, is moved onto
 *                       the lock's rt_mutex as a waiter (the caller owns
 *                       the lock, so it is queued, not woken);
 *                    3. FUTEX_UNLOCK_PI: the kernel hands the lock to that
 *                       waiter and wakes it;
 *                    4. FUTEX_WAIT_REQUEUE_PI(baton, the value of 1): sleep
 *                       until the other side does 2 and 3 in its turn.
 *                  If the other side ran before 4 (it preempted the giver
 *                  on its wake-up, or runs on another CPU) and bumped the
 *                  baton, 4 refuses (EAGAIN): the other side has owned the
 *                  lock since 3, so FUTEX_LOCK_PI takes it back, blocking
 *                  until it is handed over, or at once if it was freed for
 *                  lack of a waiter (lock_pi_per_op counts these).
 *                  Either way a side takes the lock only after the other
 *                  has held it: never the retried hand-off of a protocol
 *                  that unlocks when it sees FUTEX_WAITERS and locks again
 *                  (the kernel leaves that bit set on a word it hands over,
 *                  so such an owner can unlock before the other side has
 *                  blocked, and take its own lock back: 6 switches a round
 *                  trip at same-cpu, measured on 6.18).  Each side sleeps
 *                  once per round trip, so at same-cpu a round trip
 *                  switches exactly twice, preempted giver or not.  Both
 *                  threads are SCHED_OTHER at one nice level, so nothing
 *                  is boosted: this is the PI path's cost, not inheritance
 *                  at work; at same-cpu both are SCHED_BATCH (fx_batch), so
 *                  that a woken owner does not preempt the giver before
 *                  step 4 and most hand-offs take the same path, the
 *                  requeue (lock_pi_per_op 0 to 0.2 measured on a shared
 *                  6.18 host, about 0.5 without SCHED_BATCH).  Known bias: the window mixes the two paths'
 *                  costs in the share lock_pi_per_op reports (across CPUs
 *                  too, where the receiver can run before the giver
 *                  sleeps).  As in sem, an untimed
 *                  round trip before and after the window has the peer
 *                  snapshot its own context switches (getrusage
 *                  RUSAGE_THREAD), added to worker 0's; at same-cpu a
 *                  round trip must switch about twice
 *                  (bench_valid_pingpong).  Every acquisition is checked:
 *                  the word must name the caller as owner.
 *
 * Threads, not processes: a private futex is the common case, and the
 * waiters then need no shared mapping.  Every thread is joined in
 * teardown: a stop flag, a change of every word, and wakes on all of them;
 * a hung configuration is cut by the runner's watchdog, which kills the
 * whole supervising child and its threads with it.
 */
#include "bench.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Most waiter threads of a wake_n / cmp_requeue point. */
#define FX_MAX_WAITERS 64
/* How long anything waits for a thread to arrive (sleep, block) before the
 * configuration fails rather than spins until the watchdog. */
#define FX_WAIT_NS 5000000000ull
/* A cache line, so that the words do not share one with the flags. */
#define FX_LINE 64

/* What a configuration times. */
enum fx_op { FX_LOCK, FX_WAKE_NONE, FX_WAKE_N, FX_REQUEUE, FX_PI };

/* Requests from worker 0 to the PI peer, read when it holds the lock. */
enum fx_cmd { FX_CMD_NONE = 0, FX_CMD_SNAPSHOT };

/* Per-configuration state; allocated FX_LINE-aligned. */
struct futex_state {
	uint32_t word __attribute__((aligned(FX_LINE)));  /* the mutex, the
				       woken word, requeue's word A */
	uint32_t word2 __attribute__((aligned(FX_LINE))); /* wake_n's gathering
				       word, requeue's word B */
	uint32_t pi __attribute__((aligned(FX_LINE)));    /* the PI lock: owner
				       TID | FUTEX_WAITERS, 0 when free */
	uint32_t baton __attribute__((aligned(FX_LINE))); /* PI: the word a
				       side sleeps on to be requeued onto pi;
				       bumped by each owner (atomic) */
	/* Below: flags and counts, apart from the words. */
	int stop __attribute__((aligned(FX_LINE)));       /* teardown: threads return */
	int started;               /* threads that are up (atomic) */
	int thread_err;            /* first -errno a thread met (atomic) */
	int cmd;                   /* enum fx_cmd for the PI peer */
	uint64_t peer_switches;    /* PI peer's switches at its last snapshot */
	uint64_t lock_pi;          /* PI: hand-offs taken by FUTEX_LOCK_PI (atomic) */
	uint32_t peer_tid;         /* PI peer's TID */
	uint32_t self_tid;         /* worker 0's TID */
	enum fx_op op;             /* which variant */
	unsigned nwaiters;         /* N of wake_n / cmp_requeue */
	bool pin_waiters;          /* wake_n: waiters on worker 1's CPU */
	const struct bench_ctx *ctx; /* for the threads' bench_pin() */
	pthread_t tids[FX_MAX_WAITERS]; /* threads started, nthreads of them */
	unsigned nthreads;         /* threads to join in teardown */
	uint64_t calls;            /* lock_unlock: futex calls of the slow paths */
	bool on_b;                 /* cmp_requeue: the waiters sleep on word2 */
	bool batch;                /* worker 0 was made SCHED_BATCH (pi_handoff) */
};

/* futex(2); arg4 is the timeout or, for the requeues, nr_requeue. */
static long fx_call(uint32_t *uaddr, int op, uint32_t val, uintptr_t arg4,
		    uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, (void *)arg4, uaddr2, val3);
}

static uint32_t fx_load(const uint32_t *w)
{
	return __atomic_load_n(w, __ATOMIC_ACQUIRE);
}

/* Record a thread's error, the first one wins. */
static void fx_thread_error(struct futex_state *st, int err)
{
	int zero = 0;

	__atomic_compare_exchange_n(&st->thread_err, &zero, err, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/*
 * SCHED_BATCH for the calling thread: CFS then never lets it preempt the
 * running thread when it is woken (check_preempt_wakeup_fair returns early
 * for a non-SCHED_NORMAL wakee), the rest of its scheduling unchanged.
 * Why: without it a woken waiter or PI owner preempts its waker on the
 * waker's return from the system call, on one CPU nearly every time, and
 * the waker's window then holds the wakee's run (wake_n), or the hand-off
 * takes its second path (pi_handoff: the receiver runs before the giver
 * sleeps, and the giver takes the lock back with FUTEX_LOCK_PI: about
 * half the hand-offs on 6.18).
 * Only at same-cpu: across CPUs a wakee cannot preempt its waker, and a
 * SCHED_BATCH wakee would wait behind whatever else runs on its CPU
 * rather than preempt it (10x slower hand-offs on a shared host).
 * Unprivileged.  0 or -errno.
 */
static int fx_batch(const struct bench_ctx *ctx)
{
	struct sched_param p = { .sched_priority = 0 };

	if (bench_cpu(ctx, 0) < 0 || bench_cpu(ctx, 0) != bench_cpu(ctx, 1))
		return 0;
	return -pthread_setschedparam(pthread_self(), SCHED_BATCH, &p);
}

/* --- lock_unlock: the futex-word mutex ------------------------------------- */

/* Lock: 0 free, 1 locked, 2 locked with (possible) waiters. */
static void fx_mutex_lock(struct futex_state *st)
{
	uint32_t c = 0;

	if (__atomic_compare_exchange_n(&st->word, &c, 1, false,
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	if (c != 2)
		c = __atomic_exchange_n(&st->word, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		st->calls++;
		fx_call(&st->word, FUTEX_WAIT_PRIVATE, 2, 0, NULL, 0);
		c = __atomic_exchange_n(&st->word, 2, __ATOMIC_ACQUIRE);
	}
}

static void fx_mutex_unlock(struct futex_state *st)
{
	if (__atomic_exchange_n(&st->word, 0, __ATOMIC_RELEASE) == 2) {
		st->calls++;
		fx_call(&st->word, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);
	}
}

/* --- waiters (wake_n, cmp_requeue) ----------------------------------------- */

/* A waiter: sleep on word at its current value until stop.  Woken (or
 * refused because the value moved on), it reads the word again. */
static void *fx_waiter(void *arg)
{
	struct futex_state *st = arg;

	if (st->pin_waiters) {
		int rc = bench_pin(st->ctx, 1);

		if (rc == 0)
			rc = fx_batch(st->ctx);
		if (rc < 0)
			fx_thread_error(st, rc);
	}
	__atomic_add_fetch(&st->started, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		uint32_t v = fx_load(&st->word);

		if (__atomic_load_n(&st->stop, __ATOMIC_SEQ_CST))
			return NULL;
		if (fx_call(&st->word, FUTEX_WAIT_PRIVATE, v, 0, NULL, 0) < 0 &&
		    errno != EAGAIN && errno != EINTR) {
			fx_thread_error(st, -errno);
			return NULL;
		}
	}
}

/*
 * Move every waiter asleep on `from` (whose value must be val) to `to`
 * until n have moved, yielding between tries so that waiters sharing this
 * CPU can get to sleep.  The kernel's return value counts sleepers, so
 * this is the proof that all n are in FUTEX_WAIT.  0, -ETIMEDOUT, -EPROTO
 * (more than n moved, or the value changed) or -errno.
 */
static int fx_gather(struct futex_state *st, uint32_t *from, uint32_t *to, uint32_t val, unsigned n)
{
	uint64_t deadline = bench_now_ns() + FX_WAIT_NS;
	unsigned got = 0;

	for (;;) {
		long r = fx_call(from, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, to, val);

		if (r < 0)
			return errno == EAGAIN ? -EPROTO : -errno;
		got += (unsigned)r;
		if (got >= n)
			return got == n ? 0 : -EPROTO;
		if (__atomic_load_n(&st->thread_err, __ATOMIC_SEQ_CST))
			return st->thread_err;
		if (bench_now_ns() > deadline)
			return -ETIMEDOUT;
		sched_yield();
	}
}

/* --- pi_handoff -------------------------------------------------------------- */

/* FUTEX_LOCK_PI, retried on EINTR; then the word must name self. */
static int fx_pi_lock(struct futex_state *st, uint32_t self)
{
	while (fx_call(&st->pi, FUTEX_LOCK_PI_PRIVATE, 0, 0, NULL, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return (fx_load(&st->pi) & FUTEX_TID_MASK) == self ? 0 : -EPROTO;
}

/*
 * Steps 1 to 3 of the hand-off (see the header): bump the baton, move the
 * other side from the baton onto the lock if it sleeps there, unlock.
 * The caller owns the lock.  The new baton value into *baton.  0 or -errno.
 */
static int fx_pi_give(struct futex_state *st, uint32_t *baton)
{
	*baton = __atomic_add_fetch(&st->baton, 1, __ATOMIC_SEQ_CST);
	/* nr_wake must be 1 for a PI requeue; the caller holds the lock, so
	 * the one waiter is requeued onto it rather than woken. */
	if (fx_call(&st->baton, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 1, &st->pi, *baton) < 0)
		return -errno;
	if (fx_call(&st->pi, FUTEX_UNLOCK_PI_PRIVATE, 0, 0, NULL, 0) < 0)
		return -errno;
	return 0;
}

/*
 * One hand-off and back, by the owner: give (steps 1-3), then sleep on the
 * baton until requeued and handed the lock (step 4), or, when the baton
 * has moved on (the other side owned the lock before this side slept),
 * take it with FUTEX_LOCK_PI (counted in st->lock_pi).  EINTR before the
 * requeue repeats step 4 with the same value: taking the lock then could
 * take it before the other side had it.  Returns owning the lock.  0 or
 * -errno (-EPROTO: the word does not name self).
 */
static int fx_pi_pass(struct futex_state *st, uint32_t self)
{
	uint32_t baton;
	int rc = fx_pi_give(st, &baton);

	while (rc == 0 &&
	       fx_call(&st->baton, FUTEX_WAIT_REQUEUE_PI_PRIVATE, baton, 0, &st->pi, 0) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		__atomic_add_fetch(&st->lock_pi, 1, __ATOMIC_SEQ_CST);
		return fx_pi_lock(st, self);
	}
	if (rc < 0)
		return rc;
	return (fx_load(&st->pi) & FUTEX_TID_MASK) == self ? 0 : -EPROTO;
}

/* The PI peer: pin, block for the lock, then pass it back until stop;
 * snapshot its switches when asked.  At stop, or after an error (which it
 * records), it gives the lock up (steps 1-3) so that worker 0 is not left
 * asleep on the baton, and returns. */
static void *fx_pi_peer(void *arg)
{
	struct futex_state *st = arg;
	int rc = bench_pin(st->ctx, 1);
	uint32_t baton;

	if (rc == 0)
		rc = fx_batch(st->ctx);
	st->peer_tid = (uint32_t)syscall(SYS_gettid);
	if (rc < 0)
		fx_thread_error(st, rc);
	__atomic_add_fetch(&st->started, 1, __ATOMIC_SEQ_CST);
	if (rc < 0)
		return NULL;
	rc = fx_pi_lock(st, st->peer_tid);
	while (rc == 0 && !__atomic_load_n(&st->stop, __ATOMIC_SEQ_CST)) {
		if (__atomic_load_n(&st->cmd, __ATOMIC_ACQUIRE) == FX_CMD_SNAPSHOT) {
			struct rusage ru;

			getrusage(RUSAGE_THREAD, &ru);
			st->peer_switches = (uint64_t)(ru.ru_nvcsw + ru.ru_nivcsw);
			__atomic_store_n(&st->cmd, FX_CMD_NONE, __ATOMIC_RELEASE);
		}
		rc = fx_pi_pass(st, st->peer_tid);
	}
	if (rc < 0)
		fx_thread_error(st, rc);
	if ((fx_load(&st->pi) & FUTEX_TID_MASK) == st->peer_tid)
		fx_pi_give(st, &baton);
	return NULL;
}

/* One round trip from worker 0 (which holds the lock).  0 or -errno;
 * a peer error wins over what it causes. */
static int fx_pi_roundtrip(struct futex_state *st)
{
	int rc = fx_pi_pass(st, st->self_tid);
	int perr = __atomic_load_n(&st->thread_err, __ATOMIC_SEQ_CST);

	return perr ? perr : rc;
}

/* --- setup, run, teardown ----------------------------------------------------- */

/* Start n threads running fn; skip on EAGAIN (a limit of this host). */
static int fx_start(struct bench_ctx *ctx, struct futex_state *st, unsigned n,
		    void *(*fn)(void *))
{
	uint64_t deadline;

	for (; st->nthreads < n; st->nthreads++) {
		int rc = pthread_create(&st->tids[st->nthreads], NULL, fn, st);

		if (rc)
			return bench_spawn_error(ctx, "pthread_create", rc);
	}
	deadline = bench_now_ns() + FX_WAIT_NS;
	while (__atomic_load_n(&st->started, __ATOMIC_SEQ_CST) < (int)n) {
		if (bench_now_ns() > deadline)
			return bench_fail(ctx, -ETIMEDOUT, "threads did not start");
		sched_yield();
	}
	if (st->thread_err)
		return bench_fail(ctx, st->thread_err, "thread cannot run on CPU %d: %s",
				  bench_cpu(ctx, 1), strerror(-st->thread_err));
	return 0;
}

static void fx_teardown(struct bench_ctx *ctx, void *state);

static int fx_setup(struct bench_ctx *ctx, void **state)
{
	static const char *const names[] = {
		[FX_LOCK] = "lock_unlock", [FX_WAKE_NONE] = "wake_nowaiter",
		[FX_WAKE_N] = "wake_n", [FX_REQUEUE] = "cmp_requeue", [FX_PI] = "pi_handoff",
	};
	struct futex_state *st;
	int rc = 0;

	if (posix_memalign((void **)&st, FX_LINE, sizeof(*st)))
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	st->ctx = ctx;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(bench_variant(ctx)->name, names[i]) == 0)
			st->op = (enum fx_op)i;
	st->self_tid = (uint32_t)syscall(SYS_gettid);
	if (st->op == FX_WAKE_N || st->op == FX_REQUEUE) {
		double x = bench_x(ctx);

		if (!(x >= 1 && x <= FX_MAX_WAITERS)) {
			rc = bench_fail(ctx, -EINVAL, "waiters %g outside 1..%d", x, FX_MAX_WAITERS);
			goto out_teardown;
		}
		st->nwaiters = (unsigned)x;
		st->pin_waiters = st->op == FX_WAKE_N;
		rc = fx_start(ctx, st, st->nwaiters, fx_waiter);
		if (rc == 0 && st->op == FX_REQUEUE) {
			/* All N asleep on word2 (B) before the first op. */
			rc = fx_gather(st, &st->word, &st->word2, 0, st->nwaiters);
			st->on_b = true;
			if (rc < 0)
				rc = bench_fail(ctx, rc, "waiters did not fall asleep: %s", strerror(-rc));
		}
	} else if (st->op == FX_PI) {
		/* Worker 0 owns the lock before the peer exists. */
		rc = fx_batch(ctx);
		if (rc < 0) {
			rc = bench_fail(ctx, rc, "SCHED_BATCH: %s", strerror(-rc));
			goto out_teardown;
		}
		st->batch = true;
		rc = fx_pi_lock(st, st->self_tid);
		if (rc < 0) {
			rc = rc == -ENOSYS ? bench_skip(ctx, "FUTEX_LOCK_PI: %s (no PI futexes)",
							strerror(-rc))
					   : bench_fail(ctx, rc, "FUTEX_LOCK_PI: %s", strerror(-rc));
			goto out_teardown;
		}
		rc = fx_start(ctx, st, 1, fx_pi_peer);
	}
	if (rc < 0)
		goto out_teardown;
	*state = st;
	return 0;

out_teardown:
	fx_teardown(ctx, st);
	return rc;
}

/* lock_unlock: the whole call timed; the slow paths' calls reported. */
static int fx_run_lock(struct bench_ctx *ctx, struct futex_state *st, uint64_t iters)
{
	st->calls = 0;
	for (uint64_t i = 0; i < iters; i++) {
		fx_mutex_lock(st);
		fx_mutex_unlock(st);
	}
	bench_sample_metric(ctx, "futex_calls_per_op", "calls/op", (double)st->calls / (double)iters);
	return 0;
}

/* wake_nowaiter: the whole call timed; the woken counts reported. */
static int fx_run_wake_none(struct bench_ctx *ctx, struct futex_state *st, uint64_t iters)
{
	uint64_t woken = 0;

	for (uint64_t i = 0; i < iters; i++) {
		long r = fx_call(&st->word, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0);

		if (r < 0)
			return bench_fail(ctx, -errno, "FUTEX_WAKE: %s", strerror(errno));
		woken += (uint64_t)r;
	}
	bench_sample_metric(ctx, "woken_per_op", "threads/op", (double)woken / (double)iters);
	return 0;
}

/* wake_n: per op, gather (untimed), then one timed wake of all N. */
static int fx_run_wake_n(struct bench_ctx *ctx, struct futex_state *st, uint64_t iters)
{
	uint64_t woken = 0;
	int rc;

	for (uint64_t i = 0; i < iters; i++) {
		uint32_t v = fx_load(&st->word);
		unsigned got;
		long r;

		rc = fx_gather(st, &st->word, &st->word2, v, st->nwaiters);
		if (rc < 0)
			return bench_fail(ctx, rc, "waiters did not fall asleep: %s", strerror(-rc));
		/* Woken, a waiter reads the new value and sleeps on it. */
		__atomic_store_n(&st->word, v + 1, __ATOMIC_SEQ_CST);
		bench_window_begin(ctx);
		r = fx_call(&st->word2, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
		bench_window_end(ctx);
		if (r < 0)
			return bench_fail(ctx, -errno, "FUTEX_WAKE: %s", strerror(errno));
		/* A waiter that left word2 by itself (a spurious wake-up
		 * re-queues it on word: futex_wait retries on its own
		 * address) is not woken here; the next gather finds it. */
		got = (unsigned)r;
		woken += got;
	}
	bench_sample_metric(ctx, "woken_per_op", "threads/op", (double)woken / (double)iters);
	return 0;
}

/* cmp_requeue: all N from one word to the other per op, whole call timed. */
static int fx_run_requeue(struct bench_ctx *ctx, struct futex_state *st, uint64_t iters)
{
	uint64_t moved = 0;

	for (uint64_t i = 0; i < iters; i++) {
		uint32_t *from = st->on_b ? &st->word2 : &st->word;
		uint32_t *to = st->on_b ? &st->word : &st->word2;
		long r = fx_call(from, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, to, 0);

		if (r < 0)
			return bench_fail(ctx, -errno, "FUTEX_CMP_REQUEUE: %s", strerror(errno));
		moved += (uint64_t)r;
		st->on_b = !st->on_b;
	}
	bench_sample_metric(ctx, "requeued_per_op", "threads/op", (double)moved / (double)iters);
	return 0;
}

/* An untimed PI round trip in which the peer records its switches. */
static int fx_pi_snapshot(struct futex_state *st, uint64_t *out)
{
	int rc;

	__atomic_store_n(&st->cmd, FX_CMD_SNAPSHOT, __ATOMIC_RELEASE);
	rc = fx_pi_roundtrip(st);
	*out = st->peer_switches;
	return rc;
}

/* pi_handoff: timed round trips between two untimed snapshots. */
static int fx_run_pi(struct bench_ctx *ctx, struct futex_state *st, uint64_t iters)
{
	uint64_t before = 0, after = 0, lock_pi;
	int rc = fx_pi_snapshot(st, &before);

	if (rc < 0)
		goto out_fail;
	/* Both sides count; when worker 0 holds the lock again, the peer's
	 * hand-offs of the timed round trips are all counted. */
	lock_pi = __atomic_load_n(&st->lock_pi, __ATOMIC_SEQ_CST);
	bench_window_begin(ctx);
	for (uint64_t i = 0; i < iters && rc == 0; i++)
		rc = fx_pi_roundtrip(st);
	bench_window_end(ctx);
	lock_pi = __atomic_load_n(&st->lock_pi, __ATOMIC_SEQ_CST) - lock_pi;
	bench_sample_metric(ctx, "lock_pi_per_op", "hand-offs/op", (double)lock_pi / (double)iters);
	if (rc == 0)
		rc = fx_pi_snapshot(st, &after);
	if (rc < 0)
		goto out_fail;
	/* The peer's first block after the first snapshot ends that
	 * untimed round trip, not a timed one (as in sem). */
	bench_add_count(ctx, PMU_CTX_SWITCHES, after > before ? after - before - 1 : 0);
	return 0;

out_fail:
	return bench_fail(ctx, rc, "PI hand-off: %s", strerror(-rc));
}

static int fx_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct futex_state *st = state;

	switch (st->op) {
	case FX_LOCK:
		return fx_run_lock(ctx, st, iters);
	case FX_WAKE_NONE:
		return fx_run_wake_none(ctx, st, iters);
	case FX_WAKE_N:
		return fx_run_wake_n(ctx, st, iters);
	case FX_REQUEUE:
		return fx_run_requeue(ctx, st, iters);
	default:
		return fx_run_pi(ctx, st, iters);
	}
}

/* Also the cleanup of a failed setup: stop every thread and join it. */
static void fx_teardown(struct bench_ctx *ctx, void *state)
{
	struct futex_state *st = state;

	(void)ctx;
	__atomic_store_n(&st->stop, 1, __ATOMIC_SEQ_CST);
	if (st->op == FX_PI) {
		uint32_t baton;

		/* The peer sleeps for the lock (or is on its way): give it
		 * over, and it sees stop, gives it up and returns. */
		if ((fx_load(&st->pi) & FUTEX_TID_MASK) == st->self_tid)
			fx_pi_give(st, &baton);
	} else {
		/* A new value refuses any waiter on its way to sleep; the wakes
		 * reach those asleep on either word. */
		__atomic_add_fetch(&st->word, 1, __ATOMIC_SEQ_CST);
		fx_call(&st->word, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
		fx_call(&st->word2, FUTEX_WAKE_PRIVATE, INT_MAX, 0, NULL, 0);
	}
	for (unsigned i = 0; i < st->nthreads; i++)
		pthread_join(st->tids[i], NULL);
	if (st->batch) {
		struct sched_param p = { .sched_priority = 0 };

		pthread_setschedparam(pthread_self(), SCHED_OTHER, &p);
	}
	free(st);
}

/* --- validation --------------------------------------------------------------- */

/* Judge a per-op count that must equal want exactly (it is a whole count
 * over whole ops); NAN: n/a. */
static enum bench_valid fx_exact(const struct bench_judge *j, const char *metric, double want,
				 const char *what, char *note, size_t len)
{
	double v = j->metric(j, metric);

	if (isnan(v))
		return BENCH_VALID_NA;
	if (fabs(v - want) > 1e-9) {
		snprintf(note, len, "%s = %.6g, expected %g: %s", metric, v, want, what);
		return BENCH_VALID_FAIL;
	}
	return BENCH_VALID_PASS;
}

/* lock_unlock: no futex call, no block. */
static enum bench_valid fx_valid_lock(const struct bench_judge *j, char *note, size_t len)
{
	double cs = j->metric(j, "ctxsw_per_op");
	enum bench_valid v = fx_exact(j, "futex_calls_per_op", 0,
				      "the uncontended path entered the kernel", note, len);

	if (v != BENCH_VALID_PASS)
		return v;
	if (!isnan(cs) && cs > 0.01) {
		snprintf(note, len, "ctxsw_per_op = %.3g > 0.01: the uncontended lock blocked", cs);
		return BENCH_VALID_FAIL;
	}
	return BENCH_VALID_PASS;
}

static enum bench_valid fx_valid_nowaiter(const struct bench_judge *j, char *note, size_t len)
{
	return fx_exact(j, "woken_per_op", 0, "a wake with no waiter woke a thread", note, len);
}

/* The share of wake_n's waiters a wake may miss: a waiter that wakes
 * spuriously between the gather and the wake is asleep on the other word
 * (rare: a stale wake-up from an earlier operation); a wake that finds
 * fewer than this was not waking N. */
#define FX_WOKEN_MIN 0.99

/* wake_n: the one timed call woke (nearly) all N. */
static enum bench_valid fx_valid_wake_n(const struct bench_judge *j, char *note, size_t len)
{
	double w = j->metric(j, "woken_per_op");

	if (isnan(w) || isnan(j->x))
		return BENCH_VALID_NA;
	if (w > j->x + 1e-9 || w < FX_WOKEN_MIN * j->x) {
		snprintf(note, len, "woken_per_op = %.6g, expected %g (at least %g): one FUTEX_WAKE did not wake the waiters found asleep",
			 w, j->x, FX_WOKEN_MIN * j->x);
		return BENCH_VALID_FAIL;
	}
	return BENCH_VALID_PASS;
}

static enum bench_valid fx_valid_requeue(const struct bench_judge *j, char *note, size_t len)
{
	return fx_exact(j, "requeued_per_op", j->x, "not every waiter was requeued", note, len);
}

/* Waiter counts: the wake and requeue curves, up to 8x the CPUs of a
 * small host. */
static const double fx_waiters_xs[] = { 1, 2, 4, 8, 16 };

static const struct bench_variant fx_variants[] = {
	{ .name = "lock_unlock", .summary = "uncontended futex-word mutex lock + unlock (user space, no syscall)",
	  .validate = fx_valid_lock },
	{ .name = "wake_nowaiter", .summary = "FUTEX_WAKE of a word nobody waits on",
	  .validate = fx_valid_nowaiter },
	{ .name = "wake_n", .summary = "one FUTEX_WAKE of N sleeping waiters (on worker 1's CPU); op = the wake",
	  .sweep = "waiters", .xs = fx_waiters_xs, .nx = 5, .flags = BENCH_V_PAIR,
	  .validate = fx_valid_wake_n },
	{ .name = "cmp_requeue", .summary = "FUTEX_CMP_REQUEUE of N sleeping waiters to another word, none woken",
	  .sweep = "waiters", .xs = fx_waiters_xs, .nx = 5, .validate = fx_valid_requeue },
	{ .name = "pi_handoff", .summary = "PI lock hand-off between two threads (CMP_REQUEUE_PI, UNLOCK_PI, WAIT_REQUEUE_PI); op = round trip",
	  .flags = BENCH_V_PAIR, .validate = bench_valid_pingpong },
	{ .name = NULL },
};

const struct bench_desc bench_futex = {
	.name = "futex",
	.summary = "futex(2): uncontended mutex, wake with none/N waiters, requeue, PI hand-off",
	.unit = "variant's op (lock+unlock, wake call, requeue call, PI round trip)",
	.variants = fx_variants,
	.setup = fx_setup,
	.run = fx_run,
	.teardown = fx_teardown,
};
