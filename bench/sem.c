/*
 * sem - semaphore hand-off between two processes: POSIX semaphores in
 * shared memory and SysV semaphore sets.
 *
 * What is measured: a ping-pong between worker 0 and a forked peer, pinned
 * at each two-worker placement.  Worker 0 posts "ping" and waits on
 * "pong"; the peer waits on "ping" and posts "pong".  One op is a round
 * trip (two hand-offs); a one-way hand-off is half of it.  The timed
 * window (bench_window_begin/end) holds only the round trips.  Before and
 * after it, one untimed round trip asks the peer to snapshot its context
 * switches (getrusage), which are added to worker 0's counted ones
 * (bench_add_count): ctxsw_per_op is both processes' switches (less the
 * peer's block that ends the first snapshot's round trip).  Validation: at
 * same-cpu every hand-off must switch, about 2 per round trip, judged by
 * bench_valid_pingpong() against the one ping-pong tolerance in bench.h
 * (1.5..3, halfway to the wrong counts 1 - one side missing - and 4 -
 * counted twice).
 *
 *   posix_sem  two sem_t in a MAP_SHARED|MAP_ANONYMOUS page, sem_init with
 *              pshared=1.  They have no name at all, so there is nothing to
 *              unlink and nothing that can outlive the two processes; a
 *              named sem_open pair would only add a /dev/shm file to the
 *              same futex path.  glibc's sem_wait is an atomic decrement
 *              when the count is positive and futex_wait otherwise;
 *              sem_post calls futex_wake only when a waiter is recorded.
 *   sysv_sem   one set of two semaphores; each side does semop(+1) on the
 *              other's semaphore then semop(-1) on its own: two system
 *              calls per hand-off, always.  (One semop with both operations
 *              would not do: a semop is all-or-nothing, so it would wait
 *              for the -1 before doing the +1 - a deadlock.)
 *
 * Lifetime of the SysV set.  IPC_RMID on a semaphore set destroys it at
 * once (waiters get EIDRM): unlike shared memory there is no attach count,
 * so it cannot be marked for removal "as soon as both sides hold it" and
 * still be used.  Instead:
 *   - setup first tries unshare(CLONE_NEWIPC).  The supervising child is a
 *     fresh process per configuration, so the set then lives in a private
 *     IPC namespace held only by it and the peer; when both are gone -
 *     teardown, the watchdog's kill of the process group, or primbench's
 *     death (PDEATHSIG) - the kernel frees the namespace and every set in
 *     it.  Nothing can leak, and other users' ipcs never see it.  The set
 *     is not bench_track()ed in this mode: the runner sweeps from the
 *     host's namespace, where the same id could name somebody else's set.
 *   - without that privilege (EPERM) or without IPC namespaces (EINVAL)
 *     the set lives in the host namespace: bench_track() right after
 *     semget, so the runner removes it if anything dies.
 *   In both modes teardown removes it with IPC_RMID after reaping the peer.
 *   The note says which mode a row ran in.
 *
 * Test-only fault injection (PRIMBENCH_INJECT): "sem:hang" - the peer
 * stops answering after setup (watchdog timeout); "sem:crash" - worker 0
 * dies of SIGSEGV in run(), core dump disabled (failed row; the runner must
 * still clean up); "sem:no-ipcns" - skip the namespace, to exercise the
 * tracked path; "hold=PATH" (alone or after a comma: "sem:no-ipcns,hold=
 * PATH") - the first run() waits in bench_inject_hold() with the set made
 * and the peer up, so a test can kill primbench mid-configuration on a
 * machine of any speed; "term_in_create" - stop the run between semget
 * and bench_track (bench_inject_term).
 */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <unistd.h>

/* How long setup waits for the peer to say it is ready. */
#define SEMB_START_S 10

/* The two directions: worker 0 posts PING, the peer posts PONG. */
enum semb_side { SEMB_PING = 0, SEMB_PONG = 1 };

/* Which semaphore API a configuration uses. */
enum semb_kind { SEMB_POSIX, SEMB_SYSV };


/* Requests from worker 0 to the peer, in the shared page. */
enum semb_cmd { SEMB_CMD_NONE = 0, SEMB_CMD_SNAPSHOT };

/* semctl's fourth argument; the caller must define it (semctl(2)). */
union semb_semun {
	int val;                 /* SETVAL */
	struct semid_ds *buf;    /* IPC_STAT, IPC_SET (unused) */
	unsigned short *array;   /* GETALL, SETALL (unused) */
};

/* The page worker 0 and the peer share. */
struct semb_shared {
	sem_t sem[2];            /* POSIX semaphores, by enum semb_side */
	int cmd;                 /* enum semb_cmd for the next ping; the peer resets it */
	int peer_err;            /* 0, or -errno: the peer could not start */
	uint64_t peer_switches;  /* peer's ru_nvcsw + ru_nivcsw at its last snapshot */
};

/* Per-configuration state. */
struct sem_state {
	enum semb_kind kind;     /* POSIX or SysV */
	enum bench_fault fault;  /* test-only injection */
	struct semb_shared *sh;  /* shared page, NULL until mapped */
	int posix_inited;        /* sem_t's initialised (0..2): destroyed in teardown */
	int semid;               /* SysV set, -1 if none */
	bool tracked;            /* semid is in the runner's cleanup list */
	bool own_ns;             /* the set lives in our private IPC namespace */
	pid_t peer;              /* the peer process, 0 if none */
	bool held;               /* the test-only hold (bench_inject_hold) is done */
};

/* Post one side's semaphore.  0 or -errno. */
static int semb_post(const struct sem_state *st, enum semb_side side)
{
	if (st->kind == SEMB_POSIX)
		return sem_post(&st->sh->sem[side]) < 0 ? -errno : 0;
	for (;;) {
		struct sembuf op = { .sem_num = (unsigned short)side, .sem_op = 1 };

		if (semop(st->semid, &op, 1) == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* Wait on one side's semaphore, retrying interruptions.  0 or -errno. */
static int semb_wait(const struct sem_state *st, enum semb_side side)
{
	for (;;) {
		int rc;

		if (st->kind == SEMB_POSIX) {
			rc = sem_wait(&st->sh->sem[side]);
		} else {
			struct sembuf op = { .sem_num = (unsigned short)side, .sem_op = -1 };

			rc = semop(st->semid, &op, 1);
		}
		if (rc == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

/* Wait at most SEMB_START_S for the peer's first PONG.  0, -ETIMEDOUT or
 * -errno. */
static int semb_wait_ready(const struct sem_state *st)
{
	for (;;) {
		int rc;

		if (st->kind == SEMB_POSIX) {
			struct timespec abs;

			clock_gettime(CLOCK_REALTIME, &abs);
			abs.tv_sec += SEMB_START_S;
			rc = sem_timedwait(&st->sh->sem[SEMB_PONG], &abs);
		} else {
			struct sembuf op = { .sem_num = SEMB_PONG, .sem_op = -1 };
			struct timespec rel = { .tv_sec = SEMB_START_S };

			rc = semtimedop(st->semid, &op, 1, &rel);
		}
		if (rc == 0)
			return 0;
		if (errno == EAGAIN)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/*
 * The peer process: pin, say ready (or why not), then answer every PING
 * with a PONG, snapshotting its context switches first when asked.
 * Never returns.
 */
static void semb_peer_main(const struct bench_ctx *ctx, const struct sem_state *st)
{
	struct semb_shared *sh = st->sh;
	int rc;

	rc = bench_child_init();
	if (rc == 0)
		rc = bench_pin_peer(ctx);
	sh->peer_err = rc;
	semb_post(st, SEMB_PONG);
	if (rc < 0)
		_exit(1);
	for (;;) {
		if (semb_wait(st, SEMB_PING) < 0)
			_exit(2);
		if (st->fault == BENCH_FAULT_HANG)
			for (;;)
				pause();
		if (__atomic_load_n(&sh->cmd, __ATOMIC_ACQUIRE) == SEMB_CMD_SNAPSHOT) {
			sh->peer_switches = bench_switches_now(RUSAGE_SELF);
			__atomic_store_n(&sh->cmd, SEMB_CMD_NONE, __ATOMIC_RELEASE);
		}
		if (semb_post(st, SEMB_PONG) < 0)
			_exit(2);
	}
}

/* One round trip.  0 or -errno. */
static int semb_roundtrip(const struct sem_state *st)
{
	int rc = semb_post(st, SEMB_PING);

	return rc < 0 ? rc : semb_wait(st, SEMB_PONG);
}

/* An untimed round trip in which the peer records its context switches. */
static int semb_peer_switches(const struct sem_state *st, uint64_t *out)
{
	int rc;

	__atomic_store_n(&st->sh->cmd, SEMB_CMD_SNAPSHOT, __ATOMIC_RELEASE);
	rc = semb_roundtrip(st);
	if (rc < 0)
		return rc;
	*out = __atomic_load_n(&st->sh->peer_switches, __ATOMIC_ACQUIRE);
	return 0;
}

/* semget, and in the host namespace bench_track, with SIGTERM held between:
 * the runner's SIGTERM handler sweeps the cleanup list, and a set made but
 * not recorded yet would be missed (primbench's stop waits for the
 * handler, so it runs after the record). */
static int semb_make_set(struct bench_ctx *ctx, struct sem_state *st)
{
	sigset_t old;
	int rc = 0;

	bench_hold_term(&old);
	st->semid = semget(IPC_PRIVATE, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (st->semid < 0) {
		rc = -errno;
		if (rc == -ENOSPC || rc == -ENOSYS)
			rc = bench_skip(ctx, "semget: %s (SEMMNI/SEMMNS limit, or no SysV IPC)",
					strerror(-rc));
		else
			rc = bench_fail(ctx, rc, "semget: %s", strerror(-rc));
	} else {
		bench_inject_term(ctx);
		if (!st->own_ns) {
			rc = bench_track(ctx, BENCH_OBJ_SYSV_SEM, st->semid, NULL);
			if (rc < 0)
				rc = bench_fail(ctx, rc, "cannot track the semaphore set: %s",
						strerror(-rc));
			else
				st->tracked = true;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Make the SysV set (in a private IPC namespace when allowed), zeroed. */
static int semb_setup_sysv(struct bench_ctx *ctx, struct sem_state *st)
{
	union semb_semun zero = { .val = 0 };
	int rc;

	/* Any failure (EPERM without CAP_SYS_ADMIN, EINVAL without
	 * CONFIG_IPC_NS, ENOSPC at max_ipc_namespaces) means the host
	 * namespace and the runner's cleanup list instead. */
	if (!bench_inject_has(ctx, "no-ipcns"))
		st->own_ns = unshare(CLONE_NEWIPC) == 0;
	rc = semb_make_set(ctx, st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < 2; i++)
		if (semctl(st->semid, i, SETVAL, zero) < 0) {
			rc = -errno;
			return bench_fail(ctx, rc, "semctl SETVAL: %s", strerror(-rc));
		}
	bench_note(ctx, "%s", st->own_ns ? "set in a private IPC namespace"
					 : "set in the host IPC namespace (tracked)");
	return 0;
}

static void semb_teardown(struct bench_ctx *ctx, void *state);

static int semb_setup(struct bench_ctx *ctx, void **state)
{
	struct sem_state *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return -ENOMEM;
	st->semid = -1;
	st->kind = strcmp(bench_variant(ctx)->name, "sysv_sem") == 0 ? SEMB_SYSV : SEMB_POSIX;
	st->fault = bench_inject_fault(ctx);

	st->sh = mmap(NULL, sizeof(*st->sh), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st->sh == MAP_FAILED) {
		rc = -errno;
		st->sh = NULL;
		rc = bench_fail(ctx, rc, "mmap of the shared page: %s", strerror(-rc));
		goto out_teardown;
	}
	if (st->kind == SEMB_POSIX) {
		for (; st->posix_inited < 2; st->posix_inited++)
			if (sem_init(&st->sh->sem[st->posix_inited], 1, 0) < 0) {
				int err = errno;

				rc = bench_skip(ctx, "sem_init(pshared=1): %s", strerror(err));
				goto out_teardown;
			}
	} else {
		rc = semb_setup_sysv(ctx, st);
		if (rc < 0)
			goto out_teardown;
	}

	st->peer = fork();
	if (st->peer < 0) {
		rc = -errno;
		st->peer = 0;
		if (rc == -EAGAIN)
			rc = bench_skip(ctx, "fork of the peer: %s (RLIMIT_NPROC?)", strerror(-rc));
		else
			rc = bench_fail(ctx, rc, "fork of the peer: %s", strerror(-rc));
		goto out_teardown;
	}
	if (st->peer == 0)
		semb_peer_main(ctx, st);

	rc = semb_wait_ready(st);
	if (rc < 0) {
		rc = bench_fail(ctx, rc, "peer did not start: %s", strerror(-rc));
		goto out_teardown;
	}
	if (st->sh->peer_err < 0) {
		rc = bench_fail(ctx, st->sh->peer_err, "peer cannot run on CPU %d: %s",
				bench_cpu(ctx, 1), strerror(-st->sh->peer_err));
		goto out_teardown;
	}
	*state = st;
	return 0;

out_teardown:
	semb_teardown(ctx, st);
	return rc;
}

/* `iters` timed round trips between two untimed peer snapshots. */
static int semb_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct sem_state *st = state;
	uint64_t before, after;
	int rc;

	if (!st->held) {
		st->held = true;
		rc = bench_inject_hold(ctx);
		if (rc < 0)
			return rc;
	}
	if (st->fault == BENCH_FAULT_CRASH) {
		struct rlimit nocore = { 0, 0 };

		/* A crash that leaves no core file behind: RLIMIT_CORE 0 for
		 * a file pattern, not dumpable for a pipe (which ignores the
		 * limit). */
		setrlimit(RLIMIT_CORE, &nocore);
		prctl(PR_SET_DUMPABLE, 0);
		raise(SIGSEGV);
	}
	rc = semb_peer_switches(st, &before);
	if (rc < 0)
		goto out_fail;
	bench_window_begin(ctx);
	for (uint64_t i = 0; i < iters && rc == 0; i++)
		rc = semb_roundtrip(st);
	bench_window_end(ctx);
	if (rc < 0)
		goto out_fail;
	rc = semb_peer_switches(st, &after);
	if (rc < 0)
		goto out_fail;
	/* The peer's first block after the first snapshot ends that
	 * untimed round trip, not a timed one. */
	bench_add_count(ctx, PMU_CTX_SWITCHES, after > before ? after - before - 1 : 0);
	return 0;

out_fail:
	return bench_fail(ctx, rc, "hand-off: %s", strerror(-rc));
}

/* Also the cleanup of a failed setup: every step checks what exists. */
static void semb_teardown(struct bench_ctx *ctx, void *state)
{
	struct sem_state *st = state;

	bench_reap(st->peer);
	if (st->semid >= 0) {
		semctl(st->semid, 0, IPC_RMID);
		if (st->tracked)
			bench_untrack(ctx, BENCH_OBJ_SYSV_SEM, st->semid, NULL);
	}
	while (st->posix_inited > 0)
		sem_destroy(&st->sh->sem[--st->posix_inited]);
	if (st->sh)
		munmap(st->sh, sizeof(*st->sh));
	free(st);
}

static const struct bench_variant semb_variants[] = {
	{ .name = "posix_sem", .summary = "sem_post/sem_wait, unnamed sem_t in shared memory (pshared)",
	  .flags = BENCH_V_PAIR, .validate = bench_valid_pingpong },
	{ .name = "sysv_sem", .summary = "semop +1/-1 on a two-semaphore SysV set",
	  .flags = BENCH_V_PAIR, .validate = bench_valid_pingpong },
	{ .name = NULL },
};

const struct bench_desc bench_sem = {
	.name = "sem",
	.summary = "semaphore hand-off between two processes: POSIX (shared sem_t) and SysV",
	.unit = "round trip (2 hand-offs)",
	.variants = semb_variants,
	.setup = semb_setup,
	.run = semb_run,
	.teardown = semb_teardown,
};
