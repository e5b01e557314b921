/*
 * ipc_mq - throughput and one-way latency of message queues: POSIX
 * (mq_open) and System V (msgget).
 *
 * What is measured (shared loop, check and timing: bench/lib/ipc_transport.c):
 *   posix, sysv  `sweep=msg_bytes` 64 B .. 1 MiB: the sender sends `iters`
 *                messages of exactly msg_bytes, the receiver receives each
 *                whole and checks every byte; timed until it has confirmed
 *                them all.  Queue depth: IPC_MQ_DEPTH messages (the default
 *                msg_max), for both kinds, so they compare.
 *   posix_lat, sysv_lat  ping-pong of a 64 B message over two queues; an
 *                operation is half a round trip (one-way latency).
 *
 * Limits are never clamped.  A point whose message or queue does not fit
 * the host's limits - POSIX msgsize_max and msg_max
 * (/proc/sys/fs/mqueue), SysV msgmax and msgmnb (/proc/sys/kernel) - runs
 * in a private IPC namespace with those limits raised when the process may
 * (unshare(CLONE_NEWIPC); the note says so and what was raised), and is
 * skipped naming the limit and its value when it may not.  The hard caps
 * are far above 1 MiB (msgsize_max: HARD_MSGSIZEMAX 16 MiB; msgmax and
 * msgmnb: INT_MAX).  POSIX queues are also charged to RLIMIT_MSGQUEUE
 * (depth x (msg_bytes + kernel overhead)), which a private namespace does
 * not lift: the depth is then lowered to what fits and the note gives it,
 * and a point where not even one message fits is skipped naming the limit.
 *
 * Cleanup: names are run-unique; a POSIX queue is unlinked as soon as both
 * processes have opened it.  A SysV queue has no "attach" (IPC_RMID
 * destroys it at once, queued messages included), so it lives until
 * teardown, and a cleanup-list entry cannot cover all of that time: a
 * SysV id exists only once msgget() made it, and a SIGKILL that lands
 * between msgget() and bench_track() (the watchdog's) leaves a queue
 * nobody knew of (seen once in tests/faults/test_kill_points.sh, when
 * primbench's stop still killed right after its SIGTERM).  So a SysV
 * queue is made in a private IPC namespace whenever the process may
 * unshare one (mq_sysv_own_ns()): the namespace is held only by the
 * supervising child and the receiver, and when both are gone, however
 * they die, the kernel frees it and every queue in it; nothing is
 * tracked.  Without that privilege the queue lives in the host namespace
 * and is tracked, with SIGTERM held around msgget and bench_track
 * (ipc_transport.c), and primbench's stop waits for the SIGTERM handler;
 * only the watchdog's SIGKILL window is left.  The note says which.  A
 * point whose limits need raising runs in a private namespace anyway.
 *
 * Known bias: msgsnd/msgrcv need a `long mtype` in front of the payload;
 * it is written into headroom before the message, not copied.
 *
 * Test-only fault injection: PRIMBENCH_INJECT=ipc_mq:hang|crash|corrupt;
 * ipc_mq:no-ipcns keeps SysV queues in the host namespace (the tracked
 * path); ipc_mq:hang_host does too, and the receiver stops at its first
 * SysV receive (a tracked queue that stays, for cleanup tests); the word
 * host_only (e.g. ipc_mq:hang_setup,host_only) - and hang_host itself -
 * skips every point whose limits only a private namespace gives, so that
 * what a cleanup test waits for is in the host namespace, whichever point
 * the shuffled order visits first;
 * ipc_mq:term_in_create (any IPC family, ipc_transport.c) stops the run
 * between msgget() and bench_track(), every time.
 */
#include "bench.h"
#include "lib/ipc_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <unistd.h>

/* Messages a queue holds: the kernel's default msg_max, so POSIX queues
 * need no raise for it, and SysV queues are sized to match. */
#define IPC_MQ_DEPTH 10
/* Bytes RLIMIT_MSGQUEUE is charged per POSIX message beyond its payload:
 * struct msg_msg and a share of the priority tree (about 96 B on 64-bit),
 * rounded up. */
#define MQ_MSG_OVERHEAD 128

/* SysV message: the mtype that precedes the payload in headroom. */
struct sysv_hdr {
	long mtype; /* always 1 (msgrcv with msgtyp 0 takes any) */
};

/* --- POSIX ---------------------------------------------------------------------- */

static int pmq_create(struct ipc_chan *ch)
{
	struct mq_attr want = { .mq_maxmsg = ch->param, .mq_msgsize = (long)ch->msg_bytes };
	struct mq_attr got;

	ch->mq = mq_open(ch->name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &want);
	if (ch->mq == (mqd_t)-1) {
		int e = errno;

		ch->name[0] = 0;
		if (e == EMFILE)
			return bench_skip(ch->ctx, "mq_open: RLIMIT_MSGQUEUE: a %ld-message queue of "
					  "%zu B does not fit this user's message queue bytes",
					  want.mq_maxmsg, ch->msg_bytes);
		if (e == ENOSPC)
			return bench_skip(ch->ctx, "mq_open: queues_max reached "
					  "(/proc/sys/fs/mqueue/queues_max)");
		return bench_fail(ch->ctx, -e, "mq_open(%s, msgsize %zu, maxmsg %ld): %s",
				  ch->name, ch->msg_bytes, want.mq_maxmsg, strerror(e));
	}
	/* The size used is the size reported: check the kernel took it. */
	if (mq_getattr(ch->mq, &got) < 0 || got.mq_msgsize != want.mq_msgsize ||
	    got.mq_maxmsg != want.mq_maxmsg) {
		mq_close(ch->mq);
		ch->mq = (mqd_t)-1;
		mq_unlink(ch->name);
		ch->name[0] = 0;
		return bench_fail(ch->ctx, -EPROTO, "mq_getattr: queue is not %ld x %zu B",
				  want.mq_maxmsg, ch->msg_bytes);
	}
	return 0;
}

/* The sender keeps the descriptor it created with; the receiver drops the
 * inherited one and opens the queue by name, as an unrelated process. */
static int pmq_open_end(struct ipc_chan *ch, enum ipc_dir dir)
{
	if (ch->creator)
		return 0;
	mq_close(ch->mq);
	ch->mq = mq_open(ch->name, (dir == IPC_TX ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (ch->mq == (mqd_t)-1) {
		ch->what = "mq_open by name";
		return -errno;
	}
	return 0;
}

static int pmq_remove(struct ipc_chan *ch)
{
	return mq_unlink(ch->name) < 0 && errno != ENOENT ? -errno : 0;
}

static int pmq_send(struct ipc_chan *ch, void *buf, size_t len)
{
	while (mq_send(ch->mq, buf, len, 0) < 0) {
		if (errno == EINTR && ipc_retry(ch))
			continue;
		ch->what = "mq_send";
		return errno == EINTR ? -EPIPE : -errno;
	}
	return 0;
}

static int pmq_recv(struct ipc_chan *ch, void *buf, size_t len)
{
	ssize_t n;

	while ((n = mq_receive(ch->mq, buf, len, NULL)) < 0) {
		if (errno == EINTR && ipc_retry(ch))
			continue;
		ch->what = "mq_receive";
		return errno == EINTR ? -EPIPE : -errno;
	}
	if ((size_t)n != len) {
		ch->what = "mq_receive (wrong size)";
		return -EMSGSIZE;
	}
	return 0;
}

static void pmq_close(struct ipc_chan *ch)
{
	if (ch->mq != (mqd_t)-1)
		mq_close(ch->mq);
	ch->mq = (mqd_t)-1;
}

static const struct ipc_ops pmq_ops = {
	.name = "POSIX mq",
	.obj = BENCH_OBJ_POSIX_MQ,
	.tag = "mq",
	.create = pmq_create,
	.open_end = pmq_open_end,
	.remove = pmq_remove,
	.send = pmq_send,
	.recv = pmq_recv,
	.close = pmq_close,
};

/* --- System V -------------------------------------------------------------------- */

static int smq_create(struct ipc_chan *ch)
{
	long qbytes = ch->param * (long)ch->msg_bytes;
	struct msqid_ds ds;
	int e;

	ch->id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (ch->id < 0) {
		e = errno;
		if (e == ENOSPC)
			return bench_skip(ch->ctx, "msgget: msgmni reached (/proc/sys/kernel/msgmni)");
		return bench_fail(ch->ctx, -e, "msgget: %s", strerror(e));
	}
	/* Depth IPC_MQ_DEPTH messages, as the POSIX queue: msg_qbytes starts
	 * at msgmnb, which ipc_fit_limits() made at least this large, and
	 * lowering it needs no privilege. */
	if (msgctl(ch->id, IPC_STAT, &ds) < 0)
		goto out_rmid;
	ds.msg_qbytes = (msglen_t)qbytes;
	if (msgctl(ch->id, IPC_SET, &ds) < 0)
		goto out_rmid;
	return 0;

out_rmid:
	e = errno;
	msgctl(ch->id, IPC_RMID, NULL);
	ch->id = -1;
	return bench_fail(ch->ctx, -e, "msgctl(IPC_SET msg_qbytes %ld): %s", qbytes, strerror(e));
}

static int smq_open_end(struct ipc_chan *ch, enum ipc_dir dir)
{
	(void)ch;
	(void)dir;
	return 0;
}

static int smq_remove(struct ipc_chan *ch)
{
	return msgctl(ch->id, IPC_RMID, NULL) < 0 && errno != EINVAL && errno != EIDRM ? -errno : 0;
}

static int smq_send(struct ipc_chan *ch, void *buf, size_t len)
{
	struct sysv_hdr *h = (struct sysv_hdr *)((char *)buf - sizeof(*h));

	h->mtype = 1;
	while (msgsnd(ch->id, h, len, 0) < 0) {
		if (errno == EINTR && ipc_retry(ch))
			continue;
		ch->what = "msgsnd";
		return errno == EINTR ? -EPIPE : -errno;
	}
	return 0;
}

static int smq_recv(struct ipc_chan *ch, void *buf, size_t len)
{
	struct sysv_hdr *h = (struct sysv_hdr *)((char *)buf - sizeof(*h));
	const char *inj = bench_inject(ch->ctx);
	ssize_t n;

	if (inj && strcmp(inj, "hang_host") == 0) {
		for (;;)
			pause();
	}
	/* No MSG_NOERROR: a longer message is E2BIG, never cut short. */
	while ((n = msgrcv(ch->id, h, len, 0, 0)) < 0) {
		if (errno == EINTR && ipc_retry(ch))
			continue;
		ch->what = "msgrcv";
		return errno == EINTR ? -EPIPE : -errno;
	}
	if ((size_t)n != len) {
		ch->what = "msgrcv (wrong size)";
		return -EMSGSIZE;
	}
	return 0;
}

static void smq_close(struct ipc_chan *ch)
{
	(void)ch;
}

static const struct ipc_ops smq_ops = {
	.name = "SysV mq",
	.obj = BENCH_OBJ_SYSV_MSG,
	.remove_late = true,
	.create = smq_create,
	.open_end = smq_open_end,
	.remove = smq_remove,
	.send = smq_send,
	.recv = smq_recv,
	.close = smq_close,
};

/* --- the family ------------------------------------------------------------------------- */

static const struct bench_variant mq_variants[] = {
	{ .name = "posix", .summary = "POSIX mq (mq_open), depth 10: one message sent, received, checked",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	{ .name = "sysv", .summary = "SysV msg queue (msgget), depth 10: one message sent, received, checked",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	{ .name = "posix_lat", .summary = "64 B ping-pong over two POSIX queues; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	{ .name = "sysv_lat", .summary = "64 B ping-pong over two SysV queues; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	{ .name = NULL },
};

/*
 * RLIMIT_MSGQUEUE bounds the bytes of all this user's POSIX queues; a
 * private namespace does not lift it.  Raise the soft limit to the hard
 * one (allowed unprivileged; the supervising child is a fresh process per
 * configuration), then give the depth that fits: IPC_MQ_DEPTH, or fewer
 * (noted), or a skip naming the limit.
 */
static int mq_posix_depth(struct bench_ctx *ctx, struct ipc_cfg *cfg, int nqueues)
{
	struct rlimit rl;
	unsigned long long per_msg = cfg->msg_bytes + MQ_MSG_OVERHEAD;
	unsigned long long fit;

	if (getrlimit(RLIMIT_MSGQUEUE, &rl) < 0)
		return bench_fail(ctx, -errno, "getrlimit(RLIMIT_MSGQUEUE): %s", strerror(errno));
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_MSGQUEUE, &rl);
		getrlimit(RLIMIT_MSGQUEUE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		fit = IPC_MQ_DEPTH;
	else
		fit = (unsigned long long)rl.rlim_cur / nqueues / per_msg;
	if (fit < 1)
		return bench_skip(ctx, "RLIMIT_MSGQUEUE %llu B < %llu B for one %zu B message "
				  "(hard limit; raising it needs CAP_SYS_RESOURCE)",
				  (unsigned long long)rl.rlim_cur, per_msg, cfg->msg_bytes);
	cfg->param = fit < IPC_MQ_DEPTH ? (long)fit : IPC_MQ_DEPTH;
	if (cfg->param < IPC_MQ_DEPTH)
		ipc_note_add(cfg, "queue depth %ld, not %d: RLIMIT_MSGQUEUE %llu B", cfg->param,
			     IPC_MQ_DEPTH, (unsigned long long)rl.rlim_cur);
	return 0;
}

/* Write a /proc/sys integer.  0 or -errno. */
static int mq_write_long(const char *path, long v)
{
	FILE *f = fopen(path, "we");
	int rc = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%ld\n", v) < 0)
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/*
 * Move the calling process (the supervising child, before the queue and
 * the receiver exist) into a private IPC namespace for its SysV queue, so
 * that the queue dies with the namespace (see the header).  A new
 * namespace starts from the kernel's defaults (msgmax 8192, msgmnb 16384),
 * which can be below what the host allowed and ipc_fit_limits() found
 * enough: lim[] that fall short are raised in it to what this point needs
 * (a limit does not change the cost of a message).  When any step is not
 * allowed, the process goes back to the host namespace (setns) and the
 * queue is tracked instead.  True when the queue will be private.
 */
static bool mq_sysv_own_ns(struct bench_ctx *ctx, const struct ipc_limit *lim, size_t n)
{
	int host;

	if (bench_inject_has(ctx, "no-ipcns") || bench_inject_has(ctx, "hang_host"))
		return false;
	host = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (host < 0)
		return false;   /* no way back: stay in the host namespace */
	if (unshare(CLONE_NEWIPC) < 0) {
		close(host);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		long v;

		if (ipc_read_long(lim[i].path, &v) < 0 ||
		    (v < lim[i].want && mq_write_long(lim[i].path, lim[i].want) < 0)) {
			bool back = setns(host, CLONE_NEWIPC) == 0;

			close(host);
			/* Not back: the private namespace stays, and its
			 * short limit fails the point with msgsnd's error. */
			return !back;
		}
	}
	close(host);
	return true;
}

static int mq_setup(struct bench_ctx *ctx, void **state)
{
	const struct bench_variant *v = bench_variant(ctx);
	bool posix = v == &mq_variants[0] || v == &mq_variants[2];
	struct ipc_cfg cfg = {
		.ops = posix ? &pmq_ops : &smq_ops,
		.latency = v == &mq_variants[2] || v == &mq_variants[3],
		.param = IPC_MQ_DEPTH,
	};
	struct ipc_limit lim[2];
	int rc;

	cfg.msg_bytes = cfg.latency ? IPC_LAT_BYTES : (size_t)bench_x(ctx);
	if (posix) {
		rc = mq_posix_depth(ctx, &cfg, cfg.latency ? 2 : 1);
		if (rc < 0)
			return rc;
		lim[0] = (struct ipc_limit){ "/proc/sys/fs/mqueue/msgsize_max", "msg_bytes",
					     (long)cfg.msg_bytes };
		lim[1] = (struct ipc_limit){ "/proc/sys/fs/mqueue/msg_max", "queue depth",
					     cfg.param };
	} else {
		lim[0] = (struct ipc_limit){ "/proc/sys/kernel/msgmax", "msg_bytes",
					     (long)cfg.msg_bytes };
		lim[1] = (struct ipc_limit){ "/proc/sys/kernel/msgmnb", "queue bytes (10 x msg_bytes)",
					     cfg.param * (long)cfg.msg_bytes };
	}
	rc = ipc_fit_limits(ctx, &cfg, lim, 2);
	if (rc < 0)
		return rc;
	if (cfg.private_ns && (bench_inject_has(ctx, "host_only") || bench_inject_has(ctx, "hang_host")))
		return bench_skip(ctx, "PRIMBENCH_INJECT %s: msg_bytes=%zu needs a private IPC namespace",
				  bench_inject(ctx), cfg.msg_bytes);
	if (!posix && !cfg.private_ns) {
		cfg.private_ns = mq_sysv_own_ns(ctx, lim, 2);
		ipc_note_add(&cfg, "%s", cfg.private_ns ? "queue in a private IPC namespace"
							 : "queue in the host IPC namespace (tracked)");
	}
	return ipc_setup(ctx, state, &cfg);
}

const struct bench_desc bench_ipc_mq = {
	.name = "ipc_mq",
	.summary = "message queue (POSIX, SysV) throughput and one-way latency",
	.unit = "message delivered and checked (lat: half a round trip)",
	.variants = mq_variants,
	.setup = mq_setup,
	.run = ipc_run,
	.teardown = ipc_teardown,
};
