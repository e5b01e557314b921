/*
 * ipc_transport.c - the IPC families' shared sender/receiver loop,
 * integrity check, reporting and limit policy (see ipc_transport.h for
 * why it lives in bench/lib/ and for the process model).
 *
 * What is timed (ipc_run, the whole call):
 *   throughput: one command over the control socket, `iters` messages sent
 *   back to back, the receiver receiving and checking every byte of each,
 *   and its reply coming back.  An operation is one message delivered and
 *   verified; the window covers delivery, not just queuing.
 *   latency: `iters` round trips of a small message (the receiver checks
 *   it and echoes it, the sender checks the echo), reported as 2 * iters
 *   operations, so ns_per_op is half a round trip (one-way latency).
 * Known bias: one control round trip per run() call (microseconds against
 * samples of milliseconds); the receiver's check is inside the window on
 * purpose (a message counts once it is known intact); the sender stamps an
 * 8-byte sequence word per message.  Counters: worker 0's own (perf) plus
 * the receiver's context switches and minor faults from getrusage deltas
 * around each command (bench_add_count), so *_per_op covers both ends.
 *
 * A dead receiver must not leave the sender blocked: writes to a pipe or
 * socket fail with EPIPE (SIGPIPE is ignored during the configuration),
 * the control socket reads end of file, and every other blocking call
 * (message queues, futex, eventfd) is interrupted by SIGCHLD, whose
 * handler is installed without SA_RESTART; the futex waits also time out
 * every 100 ms to re-check.  A hung receiver is left to the runner's
 * watchdog (--timeout).
 *
 * Test-only fault injection (PRIMBENCH_INJECT="<family>:<what>", <what>
 * one word or several, comma-separated: bench_inject_has()):
 *   hang    - the receiver stops at its first command and never reads;
 *   hang_setup - the receiver stops after opening its ends, before saying
 *             it is ready: names and ids still exist (cleanup tests);
 *   crash   - the receiver dies (SIGSEGV, no core) at its first command;
 *   corrupt - the sender flips one byte of the first message of every
 *             run() call, which the integrity check must catch.
 */
#include "ipc_transport.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Pattern constants: odd 64-bit mixers (golden ratio, splitmix64), so
 * that neighbouring words and bodies differ in every byte. */
#define IPC_K_BODY 0x9E3779B97F4A7C15ull
#define IPC_K_WORD 0xBF58476D1CE4E5B9ull
/* Most limits one ipc_fit_limits() call checks. */
#define IPC_MAX_LIMITS 8
/* Message buffers are laid out on this alignment (a cache line). */
#define IPC_ALIGN 64

const double ipc_msg_sizes[IPC_NSIZES] = {
	64, 256, 1024, 4096, 16384, 65536, 262144, 1048576,
};

/* Commands over the control socket. */
enum ipc_cmd_op {
	IPC_CMD_RECV = 1,   /* receive and check `count` messages */
	IPC_CMD_ECHO = 2,   /* receive, check and send back `count` messages */
};

/* One command: sender -> receiver. */
struct ipc_cmd {
	uint32_t op;        /* enum ipc_cmd_op */
	uint32_t pad;       /* explicit padding (the struct crosses a socket) */
	uint64_t count;     /* messages */
	uint64_t seq0;      /* sequence number of the first one */
};

/* One reply: receiver -> sender (also the "ready" after setup). */
struct ipc_reply {
	int32_t rc;         /* 0, or -errno of the receiver's failed call */
	uint32_t pad;       /* explicit padding */
	uint64_t good;      /* messages received intact */
	uint64_t bad;       /* messages that failed the check */
	uint64_t bad_seq;   /* the first bad message's sequence number */
	uint64_t bad_off;   /* its first wrong byte */
	uint64_t ctxsw;     /* receiver's context switches during the command */
	uint64_t minflt;    /* receiver's minor faults during the command */
	char what[64];      /* the receiver's failed call, "" if none */
};

/* Per-configuration state of the sender (worker 0). */
struct ipc_state {
	struct ipc_cfg cfg;              /* configuration, note included */
	struct ipc_chan ch[2];           /* [0] sender -> receiver, [1] back (latency) */
	int nch;                         /* channels in use: 1 or 2 */
	int ctl;                         /* sender's end of the control socket, -1 */
	pid_t rx_pid;                    /* the receiver, 0 before the fork */
	unsigned char *mem;              /* one allocation: bodies, then rxbuf */
	size_t mem_bytes;                /* its size */
	unsigned char *body[IPC_NBODY];  /* prebuilt messages, IPC_HEADROOM before each */
	unsigned char *rxbuf;            /* where the sender receives echoes */
	uint64_t seq;                    /* next message's sequence number */
	bool sig_saved;                  /* old_chld/old_pipe must be restored */
	struct sigaction old_chld;       /* SIGCHLD disposition before setup */
	struct sigaction old_pipe;       /* SIGPIPE disposition before setup */
};

/*
 * Set by the SIGCHLD handler: the receiver (the sender's only child)
 * exited.  File-scope because a signal handler has no other way to say
 * so; the sender checks it before each blocking call, which closes most
 * of the window in which a SIGCHLD lands just before the call blocks.
 */
static volatile sig_atomic_t ipc_child_exited;

static void ipc_on_chld(int sig)
{
	(void)sig;
	ipc_child_exited = 1;
}

/* --- messages ------------------------------------------------------------------- */

uint64_t ipc_pattern_word(uint64_t body, uint64_t i)
{
	return (body + 1) * IPC_K_BODY + i * IPC_K_WORD;
}

/* Byte off (>= 8) of body b's pattern: words are little-endian by definition. */
static unsigned char ipc_pattern_byte(uint64_t body, size_t off)
{
	return (unsigned char)(ipc_pattern_word(body, off / 8) >> (8 * (off % 8)));
}

/* Byte off of message seq, sequence word included. */
static unsigned char ipc_msg_byte(uint64_t seq, size_t off)
{
	if (off < 8)
		return (unsigned char)((seq + 1) >> (8 * off));
	return ipc_pattern_byte(seq % IPC_NBODY, off);
}

void ipc_msg_fill(void *buf, size_t len, uint64_t body)
{
	unsigned char *p = buf;
	size_t n = len / 8;

	for (size_t i = 1; i < n; i++) {
		uint64_t w = htole64(ipc_pattern_word(body, i));

		memcpy(p + 8 * i, &w, 8);
	}
	for (size_t off = (n ? n : 1) * 8; off < len; off++)
		p[off] = ipc_pattern_byte(body, off);
}

void ipc_msg_stamp(void *buf, uint64_t seq)
{
	uint64_t w = htole64(seq + 1);

	memcpy(buf, &w, 8);
}

bool ipc_msg_check(const void *buf, size_t len, uint64_t seq, size_t *bad_off)
{
	const unsigned char *p = buf;
	uint64_t body = seq % IPC_NBODY, w;
	uint64_t k = (body + 1) * IPC_K_BODY;
	uint64_t d[4] = { 0, 0, 0, 0 }, e[4];
	size_t n = len / 8, i = 1;

	if (len == 0) {
		*bad_off = 0;
		return false;
	}
	/* A message shorter than the sequence word (a one-byte round trip)
	 * is the low bytes of that word: order and loss are still seen,
	 * modulo 256^len. */
	if (len < 8) {
		for (size_t off = 0; off < len; off++) {
			if (p[off] != ipc_msg_byte(seq, off)) {
				*bad_off = off;
				return false;
			}
		}
		return true;
	}
	memcpy(&w, p, 8);
	d[0] = le64toh(w) ^ (seq + 1);
	/* Four independent expected-value chains: the check runs at several
	 * words per cycle, well above the copy it follows. */
	for (int j = 0; j < 4; j++)
		e[j] = k + (uint64_t)(1 + j) * IPC_K_WORD;
	for (; i + 4 <= n; i += 4) {
		for (int j = 0; j < 4; j++) {
			memcpy(&w, p + 8 * (i + (size_t)j), 8);
			d[j] |= le64toh(w) ^ e[j];
			e[j] += 4 * IPC_K_WORD;
		}
	}
	for (; i < n; i++) {
		memcpy(&w, p + 8 * i, 8);
		d[0] |= le64toh(w) ^ (k + i * IPC_K_WORD);
	}
	for (size_t off = n * 8; off < len; off++)
		d[0] |= p[off] ^ ipc_pattern_byte(body, off);
	if ((d[0] | d[1] | d[2] | d[3]) == 0)
		return true;
	/* Rare path: find the first wrong byte for the note. */
	for (size_t off = 0; off < len; off++) {
		if (p[off] != ipc_msg_byte(seq, off)) {
			*bad_off = off;
			return false;
		}
	}
	*bad_off = 0;
	return false;
}

/* --- notes and limits -------------------------------------------------------------- */

void ipc_note_add(struct ipc_cfg *cfg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_vappend(cfg->note, sizeof(cfg->note), fmt, ap);
	va_end(ap);
}

void ipc_chan_note(struct ipc_chan *ch, const char *fmt, ...)
{
	char text[BENCH_NOTE_MAX];
	va_list ap;

	if (!ch->note)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* Both channels of a latency pair say the same thing: say it once. */
	if (!strstr(ch->note, text))
		note_append(ch->note, ch->note_len, "%s", text);
}

int ipc_read_long(const char *path, long *v)
{
	char buf[64];
	char *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		rc = -errno;
		goto out_close;
	}
	buf[n] = 0;
	errno = 0;
	*v = strtol(buf, &end, 10);
	if (errno || end == buf)
		rc = -EINVAL;
out_close:
	close(fd);
	return rc;
}

static int ipc_write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int len = snprintf(buf, sizeof(buf), "%ld\n", v);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)len) != len)
		rc = errno ? -errno : -EIO;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

static const char *ipc_limit_name(const struct ipc_limit *l)
{
	const char *s = strrchr(l->path, '/');

	return s ? s + 1 : l->path;
}

/*
 * Why a private namespace and not the host's sysctl: the limits are per IPC
 * namespace, the supervising child is a fresh process per configuration,
 * so raising them there changes nothing for anyone else and ends with the
 * configuration; and every object made inside dies with the namespace,
 * the strongest cleanup there is.
 */
int ipc_fit_limits(struct bench_ctx *ctx, struct ipc_cfg *cfg,
		   const struct ipc_limit *lim, size_t n)
{
	long have[IPC_MAX_LIMITS];
	char raised[160] = "";
	size_t s = n, used = 0;
	int rc;

	if (n > IPC_MAX_LIMITS)
		return bench_fail(ctx, -EINVAL, "too many limits (%zu)", n);
	for (size_t i = 0; i < n; i++) {
		rc = ipc_read_long(lim[i].path, &have[i]);
		if (rc < 0)
			return bench_fail(ctx, rc, "reading %s: %s", lim[i].path, strerror(-rc));
		if (s == n && have[i] < lim[i].want)
			s = i;
	}
	if (s == n)
		return 0;
	if (unshare(CLONE_NEWIPC) < 0) {
		int e = errno;

		return bench_skip(ctx, "%s %ld > %s %ld (%s); no private IPC namespace to "
				  "raise it in: unshare(CLONE_NEWIPC): %s",
				  lim[s].need, lim[s].want, ipc_limit_name(&lim[s]), have[s],
				  lim[s].path, strerror(e));
	}
	cfg->private_ns = true;
	/* A new namespace starts from the kernel's defaults, not the host's
	 * values: read them again. */
	for (size_t i = 0; i < n; i++) {
		long ns_v;

		rc = ipc_read_long(lim[i].path, &ns_v);
		if (rc < 0)
			return bench_fail(ctx, rc, "reading %s in a private IPC namespace: %s",
					  lim[i].path, strerror(-rc));
		if (ns_v >= lim[i].want)
			continue;
		rc = ipc_write_long(lim[i].path, lim[i].want);
		if (rc < 0)
			return bench_skip(ctx, "%s %ld > %s %ld (%s); cannot raise it in a "
					  "private IPC namespace: %s", lim[i].need, lim[i].want,
					  ipc_limit_name(&lim[i]), have[i], lim[i].path, strerror(-rc));
		if (used < sizeof(raised))
			used += (size_t)snprintf(raised + used, sizeof(raised) - used, "%s%s %ld->%ld",
						 used ? ", " : "", ipc_limit_name(&lim[i]),
						 ns_v, lim[i].want);
	}
	ipc_note_add(cfg, "ran in a private IPC namespace (host %s %ld < %s %ld): raised %s",
		     ipc_limit_name(&lim[s]), have[s], lim[s].need, lim[s].want, raised);
	return 0;
}

/* --- helpers for mechanisms ------------------------------------------------------ */

bool ipc_retry(const struct ipc_chan *ch)
{
	siginfo_t si;

	if (ch->peer <= 0)
		return true;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)ch->peer, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno != ECHILD;
	return si.si_pid == 0;
}

int ipc_fd_send(struct ipc_chan *ch, void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(ch->fd, p, len);

		if (w < 0) {
			if (errno == EINTR && ipc_retry(ch))
				continue;
			ch->what = "write";
			return errno == EINTR ? -EPIPE : -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int ipc_fd_recv(struct ipc_chan *ch, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t r = read(ch->fd, p, len);

		if (r < 0) {
			if (errno == EINTR && ipc_retry(ch))
				continue;
			ch->what = "read";
			return errno == EINTR ? -EPIPE : -errno;
		}
		if (r == 0) {
			ch->what = "read (end of file)";
			return -EPIPE;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int ipc_dgram_send(struct ipc_chan *ch, void *buf, size_t len)
{
	for (;;) {
		ssize_t w = send(ch->fd, buf, len, 0);

		if (w == (ssize_t)len)
			return 0;
		if (w >= 0) {
			ch->what = "send (datagram cut short)";
			return -EMSGSIZE;
		}
		if (errno == EINTR && ipc_retry(ch))
			continue;
		ch->what = "send";
		return errno == EINTR ? -EPIPE : -errno;
	}
}

int ipc_dgram_recv(struct ipc_chan *ch, void *buf, size_t len)
{
	for (;;) {
		/* MSG_TRUNC: the datagram's real length, so that a longer one
		 * is reported, not silently cut to len. */
		ssize_t r = recv(ch->fd, buf, len, MSG_TRUNC);

		if (r == (ssize_t)len)
			return 0;
		if (r >= 0) {
			ch->what = "recv (datagram of another size)";
			return -EMSGSIZE;
		}
		if (errno == EINTR && ipc_retry(ch))
			continue;
		ch->what = "recv";
		return errno == EINTR ? -EPIPE : -errno;
	}
}

int ipc_pair_open_end(struct ipc_chan *ch, enum ipc_dir dir)
{
	(void)dir;
	if (ch->creator) {
		close(ch->fd2);
	} else {
		close(ch->fd);
		ch->fd = ch->fd2;
	}
	ch->fd2 = -1;
	return 0;
}

void ipc_fd_close(struct ipc_chan *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	if (ch->fd2 >= 0)
		close(ch->fd2);
	ch->fd = -1;
	ch->fd2 = -1;
}

/* --- objects: create, remove, with SIGTERM held off ----------------------------------- */

static void ipc_track_args(const struct ipc_chan *ch, int *id, const char **name)
{
	bool sysv = ch->ops->obj == BENCH_OBJ_SYSV_SHM || ch->ops->obj == BENCH_OBJ_SYSV_MSG ||
		    ch->ops->obj == BENCH_OBJ_SYSV_SEM;

	*id = sysv ? ch->id : -1;
	*name = sysv ? NULL : ch->name;
}

/* Put the channel's object in the cleanup list (ch->tracked).  If the list
 * is full, nothing was recorded and the caller fails the point. */
static int ipc_chan_track(struct ipc_chan *ch)
{
	int id, rc;
	const char *name;

	ipc_track_args(ch, &id, &name);
	rc = bench_track(ch->ctx, (enum bench_obj)ch->ops->obj, id, name);
	if (rc < 0)
		return bench_fail(ch->ctx, rc, "%s: the cleanup list is full", ch->ops->name);
	ch->tracked = true;
	return 0;
}

/*
 * Make the channel's object and record it for cleanup, SIGTERM held.  A
 * named object is recorded before it exists: no kill, not even a SIGKILL,
 * can then fall between making and recording it (a sweep that removes a
 * name never made removes nothing, and the names are run-unique).  A SysV
 * id exists only once made, so it is recorded right after; the SIGKILL
 * window left there is closed where it matters by a private namespace
 * (ipc_mq) and by primbench's stop, which lets the child's SIGTERM handler
 * run before it kills (supervise.c).
 */
static int ipc_chan_create(struct ipc_chan *ch)
{
	bool track = ch->ops->obj != IPC_OBJ_NONE && ch->track;
	char name[IPC_NAME_MAX] = "";
	sigset_t old;
	int rc = 0;

	bench_hold_term(&old);
	if (ch->ops->tag) {
		rc = bench_unique_name(ch->ctx, ch->name, sizeof(ch->name), ch->ops->tag);
		if (rc < 0)
			rc = bench_fail(ch->ctx, rc, "%s: naming the object: %s", ch->ops->name,
					strerror(-rc));
		else if (track)
			rc = ipc_chan_track(ch);
		memcpy(name, ch->name, sizeof(name));
		if (rc < 0)
			ch->name[0] = 0;
	}
	if (rc == 0)
		rc = ch->ops->create(ch);
	if (rc == 0)
		bench_inject_term(ch->ctx);
	if (rc == 0 && track && !ch->tracked) {
		rc = ipc_chan_track(ch);
		if (rc < 0) {
			ch->ops->close(ch);
			if (ch->ops->remove)
				ch->ops->remove(ch);
		}
	}
	/* create() failed after its name was recorded: it made nothing. */
	if (rc < 0 && ch->tracked && ch->ops->tag) {
		bench_untrack(ch->ctx, (enum bench_obj)ch->ops->obj, -1, name);
		ch->tracked = false;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Unlink / IPC_RMID the channel's object (in the sender), once. */
static int ipc_chan_remove(struct ipc_chan *ch)
{
	sigset_t old;
	int rc = 0;

	if (!ch->creator || ch->removed || !ch->ops->remove ||
	    (ch->id < 0 && !ch->name[0]))
		return 0;
	bench_hold_term(&old);
	rc = ch->ops->remove(ch);
	if (rc == 0) {
		ch->removed = true;
		if (ch->tracked) {
			int id;
			const char *name;

			ipc_track_args(ch, &id, &name);
			bench_untrack(ch->ctx, (enum bench_obj)ch->ops->obj, id, name);
			ch->tracked = false;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* --- the receiver ---------------------------------------------------------------------- */

static void ipc_rusage(uint64_t *ctxsw, uint64_t *minflt)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*ctxsw = bench_rusage_switches(&ru);
	*minflt = (uint64_t)ru.ru_minflt;
}

static void ipc_reply_fail(struct ipc_reply *rep, int rc, const char *what)
{
	rep->rc = rc;
	snprintf(rep->what, sizeof(rep->what), "%s", what ? what : "?");
}

/* Serve one command: receive (and echo) cmd->count messages, check each. */
static void ipc_serve(struct ipc_state *st, const struct ipc_cmd *cmd, unsigned char *buf,
		      struct ipc_reply *rep)
{
	struct ipc_chan *in = &st->ch[0], *out = &st->ch[1];
	size_t len = st->cfg.msg_bytes;
	uint64_t cs0, mf0, cs1, mf1;

	memset(rep, 0, sizeof(*rep));
	ipc_rusage(&cs0, &mf0);
	for (uint64_t i = 0; i < cmd->count; i++) {
		uint64_t seq = cmd->seq0 + i;
		size_t off;
		int rc = in->ops->recv(in, buf, len);

		if (rc < 0) {
			ipc_reply_fail(rep, rc, in->what);
			break;
		}
		if (ipc_msg_check(buf, len, seq, &off)) {
			rep->good++;
		} else if (rep->bad++ == 0) {
			rep->bad_seq = seq;
			rep->bad_off = off;
		}
		if (cmd->op == IPC_CMD_ECHO) {
			rc = out->ops->send(out, buf, len);
			if (rc < 0) {
				ipc_reply_fail(rep, rc, out->what);
				break;
			}
		}
	}
	ipc_rusage(&cs1, &mf1);
	rep->ctxsw = cs1 - cs0;
	rep->minflt = mf1 - mf0;
}

/* Test-only faults: `stage` is "setup" before the receiver says it is
 * ready (its objects still have names), "run" at its first command. */
static void ipc_inject_receiver(const struct bench_ctx *ctx, const char *stage)
{
	bool at_setup = bench_inject_has(ctx, "hang_setup");

	if ((strcmp(stage, "setup") == 0) != at_setup)
		return;
	if (at_setup || bench_inject_has(ctx, "hang")) {
		for (;;)
			pause();
	}
	if (bench_inject_has(ctx, "crash")) {
		struct rlimit none = { 0, 0 };

		/* A crash, but no core file in the caller's directory. */
		setrlimit(RLIMIT_CORE, &none);
		prctl(PR_SET_DUMPABLE, 0);
		raise(SIGSEGV);
		_exit(128 + SIGSEGV);
	}
}

static void ipc_receiver(struct bench_ctx *ctx, struct ipc_state *st, int ctl)
	__attribute__((noreturn));

/* The receiver process: open its ends, say ready, serve commands until the
 * control socket closes.  Never returns. */
static void ipc_receiver(struct bench_ctx *ctx, struct ipc_state *st, int ctl)
{
	struct ipc_reply rep;
	unsigned char *mem = NULL;
	bool first = true;
	int rc;

	memset(&rep, 0, sizeof(rep));
	rc = bench_child_init();
	if (rc < 0) {
		ipc_reply_fail(&rep, rc, "prctl(PR_SET_PDEATHSIG)");
		goto out_ready;
	}
	rc = bench_pin_peer(ctx);
	if (rc < 0) {
		ipc_reply_fail(&rep, rc, "pinning the receiver");
		goto out_ready;
	}
	for (int i = 0; i < st->nch; i++) {
		struct ipc_chan *ch = &st->ch[i];

		ch->creator = false;
		ch->track = false;
		ch->tracked = false;
		ch->peer = 0;
		ch->note = NULL;
		rc = ch->ops->open_end(ch, i == 0 ? IPC_RX : IPC_TX);
		if (rc < 0) {
			ipc_reply_fail(&rep, rc, ch->what);
			goto out_ready;
		}
	}
	if (posix_memalign((void **)&mem, IPC_ALIGN, IPC_HEADROOM + st->cfg.msg_bytes) != 0) {
		ipc_reply_fail(&rep, -ENOMEM, "allocating the receive buffer");
		goto out_ready;
	}
	/* Touch the buffer now, not in the first timed message. */
	memset(mem, 0, IPC_HEADROOM + st->cfg.msg_bytes);
	ipc_inject_receiver(ctx, "setup");
out_ready:
	if (send(ctl, &rep, sizeof(rep), MSG_NOSIGNAL) != (ssize_t)sizeof(rep) || rep.rc)
		_exit(1);
	for (;;) {
		struct ipc_cmd cmd;
		ssize_t n = recv(ctl, &cmd, sizeof(cmd), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(cmd))
			_exit(n == 0 ? 0 : 1);
		if (first)
			ipc_inject_receiver(ctx, "run");
		first = false;
		ipc_serve(st, &cmd, mem + IPC_HEADROOM, &rep);
		if (send(ctl, &rep, sizeof(rep), MSG_NOSIGNAL) != (ssize_t)sizeof(rep) || rep.rc)
			_exit(1);
	}
}

/* --- the sender's side ---------------------------------------------------------------------- */

/* How the receiver ended, for a note; waits for it when `dying`. */
static void ipc_peer_desc(pid_t pid, bool dying, char *buf, size_t len)
{
	siginfo_t si;
	int flags = WEXITED | WNOWAIT | (dying ? 0 : WNOHANG);

	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, flags) < 0 && errno == EINTR)
		;
	if (si.si_pid == 0)
		snprintf(buf, len, "is still running");
	else if (si.si_code == CLD_EXITED)
		snprintf(buf, len, "exited with status %d", si.si_status);
	else
		snprintf(buf, len, "was killed by signal %d (%s)", si.si_status,
			 strsignal(si.si_status));
}

/* Read one reply.  1 got it, 0 end of file (receiver gone), -errno. */
static int ipc_ctl_reply(struct ipc_state *st, struct ipc_reply *rep, bool wait)
{
	for (;;) {
		ssize_t n = recv(st->ctl, rep, sizeof(*rep), wait ? 0 : MSG_DONTWAIT);

		if (n == (ssize_t)sizeof(*rep))
			return 1;
		if (n == 0)
			return 0;
		if (n > 0)
			return -EPROTO;
		if (errno != EINTR)
			return -errno;
	}
}

static int ipc_ctl_cmd(struct ipc_state *st, const struct ipc_cmd *cmd)
{
	for (;;) {
		ssize_t n = send(st->ctl, cmd, sizeof(*cmd), MSG_NOSIGNAL);

		if (n == (ssize_t)sizeof(*cmd))
			return 0;
		if (n >= 0)
			return -EPROTO;
		if (errno != EINTR)
			return -errno;
	}
}

/* The receiver stopped answering: fail with how it ended and what it said. */
static int ipc_fail_peer(struct bench_ctx *ctx, struct ipc_state *st, const char *during)
{
	struct ipc_reply rep;
	char how[96];

	ipc_peer_desc(st->rx_pid, true, how, sizeof(how));
	if (ipc_ctl_reply(st, &rep, false) == 1 && rep.rc < 0)
		return bench_fail(ctx, -EPIPE, "%s: receiver %s after %s: %s", st->cfg.ops->name,
				  how, rep.what, strerror(-rep.rc));
	return bench_fail(ctx, -EPIPE, "%s: receiver %s %s", st->cfg.ops->name, how, during);
}

/* Send one message from the sender; -EPIPE if the receiver is gone. */
static int ipc_send_one(struct ipc_state *st, unsigned char *msg, bool corrupt)
{
	struct ipc_chan *ch = &st->ch[0];
	size_t len = st->cfg.msg_bytes;
	int rc;

	if (ipc_child_exited && !ipc_retry(ch))
		return -EPIPE;
	ipc_msg_stamp(msg, st->seq);
	if (corrupt)
		msg[len / 2] ^= 0x40;
	rc = ch->ops->send(ch, msg, len);
	if (corrupt)
		msg[len / 2] ^= 0x40;
	return rc;
}

/* The sender's loop.  *done = messages (round trips) completed. */
static int ipc_sender(struct ipc_state *st, uint64_t iters, bool corrupt, uint64_t *done,
		      uint64_t *bad_seq, size_t *bad_off)
{
	struct ipc_chan *back = &st->ch[1];
	size_t len = st->cfg.msg_bytes;
	int rc = 0;

	for (*done = 0; *done < iters; (*done)++, st->seq++) {
		unsigned char *msg = st->body[st->seq % IPC_NBODY];

		rc = ipc_send_one(st, msg, corrupt && *done == 0);
		if (rc < 0)
			return rc;
		if (!st->cfg.latency)
			continue;
		if (ipc_child_exited && !ipc_retry(back))
			return -EPIPE;
		rc = back->ops->recv(back, st->rxbuf, len);
		if (rc < 0)
			return rc;
		if (!ipc_msg_check(st->rxbuf, len, st->seq, bad_off) && *bad_seq == UINT64_MAX)
			*bad_seq = st->seq;
	}
	return 0;
}

int ipc_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct ipc_state *st = state;
	const char *inj = bench_inject(ctx);
	struct ipc_cmd cmd = {
		.op = st->cfg.latency ? IPC_CMD_ECHO : IPC_CMD_RECV,
		.count = iters, .seq0 = st->seq,
	};
	struct ipc_reply rep;
	uint64_t done = 0, echo_bad = UINT64_MAX, ops;
	size_t echo_off = 0;
	int rc;

	rc = ipc_ctl_cmd(st, &cmd);
	if (rc < 0)
		return ipc_fail_peer(ctx, st, "before the command");
	rc = ipc_sender(st, iters, inj && strcmp(inj, "corrupt") == 0, &done,
			&echo_bad, &echo_off);
	if (rc < 0) {
		const struct ipc_chan *bad = st->ch[0].what ? &st->ch[0] : &st->ch[1];
		char at[64];

		if (rc == -EPIPE || !ipc_retry(&st->ch[0])) {
			snprintf(at, sizeof(at), "at message %llu of %llu",
				 (unsigned long long)done + 1, (unsigned long long)iters);
			return ipc_fail_peer(ctx, st, at);
		}
		return bench_fail(ctx, rc, "%s: %s: %s (message %llu of %llu)", st->cfg.ops->name,
				  bad->what ? bad->what : "?", strerror(-rc),
				  (unsigned long long)done + 1, (unsigned long long)iters);
	}
	rc = ipc_ctl_reply(st, &rep, true);
	if (rc <= 0)
		return ipc_fail_peer(ctx, st, "before confirming the messages");
	if (rep.rc < 0)
		return bench_fail(ctx, rep.rc, "%s: receiver: %s: %s", st->cfg.ops->name,
				  rep.what, strerror(-rep.rc));
	if (rep.bad)
		return bench_fail(ctx, -EPROTO, "%s: integrity check failed: %llu of %llu messages "
				  "wrong (first: message %llu, byte %llu)", st->cfg.ops->name,
				  (unsigned long long)rep.bad, (unsigned long long)iters,
				  (unsigned long long)rep.bad_seq, (unsigned long long)rep.bad_off);
	if (rep.good != iters)
		return bench_fail(ctx, -EPROTO, "%s: receiver confirmed %llu of %llu messages",
				  st->cfg.ops->name, (unsigned long long)rep.good,
				  (unsigned long long)iters);
	if (echo_bad != UINT64_MAX)
		return bench_fail(ctx, -EPROTO, "%s: integrity check failed on an echo (message "
				  "%llu, byte %zu)", st->cfg.ops->name,
				  (unsigned long long)echo_bad, echo_off);
	bench_add_count(ctx, PMU_CTX_SWITCHES, rep.ctxsw);
	bench_add_count(ctx, PMU_MINOR_FAULTS, rep.minflt);
	ops = st->cfg.latency ? 2 * iters : iters;
	/* The receiver's share on its own: with worker 0's counters off
	 * (--events none) ctxsw_per_op holds only this, and the validation
	 * must be able to tell. */
	bench_sample_metric(ctx, IPC_RX_CTXSW, "switches/op", (double)rep.ctxsw / (double)ops);
	if (st->cfg.latency)
		bench_set_ops(ctx, ops);
	else
		bench_set_bytes(ctx, iters * st->cfg.msg_bytes);
	return 0;
}

/* --- setup and teardown ----------------------------------------------------------------------- */

static int ipc_signals(struct ipc_state *st)
{
	struct sigaction chld = { .sa_handler = ipc_on_chld, .sa_flags = SA_NOCLDSTOP };
	struct sigaction ign = { .sa_handler = SIG_IGN };

	/* No SA_RESTART: a blocked call must come back with EINTR when the
	 * receiver dies.  SIGPIPE ignored: a write to a dead receiver's pipe
	 * or socket must return EPIPE, not kill worker 0. */
	sigemptyset(&chld.sa_mask);
	sigemptyset(&ign.sa_mask);
	ipc_child_exited = 0;
	if (sigaction(SIGCHLD, &chld, &st->old_chld) < 0)
		return -errno;
	if (sigaction(SIGPIPE, &ign, &st->old_pipe) < 0) {
		int rc = -errno;

		sigaction(SIGCHLD, &st->old_chld, NULL);
		return rc;
	}
	st->sig_saved = true;
	return 0;
}

/* The sender's message bodies and echo buffer, built after the fork so
 * that no page is shared copy-on-write with the receiver. */
static int ipc_buffers(struct ipc_state *st)
{
	size_t len = st->cfg.msg_bytes;
	size_t stride = IPC_HEADROOM + (len + IPC_ALIGN - 1) / IPC_ALIGN * IPC_ALIGN;

	st->mem_bytes = stride * (IPC_NBODY + 1);
	if (posix_memalign((void **)&st->mem, 4096, st->mem_bytes) != 0) {
		st->mem = NULL;
		return -ENOMEM;
	}
	memset(st->mem, 0, st->mem_bytes);
	for (int b = 0; b < IPC_NBODY; b++) {
		st->body[b] = st->mem + (size_t)b * stride + IPC_HEADROOM;
		ipc_msg_fill(st->body[b], len, (uint64_t)b);
	}
	st->rxbuf = st->mem + (size_t)IPC_NBODY * stride + IPC_HEADROOM;
	return 0;
}

int ipc_setup(struct bench_ctx *ctx, void **state, const struct ipc_cfg *cfg)
{
	struct ipc_state *st = calloc(1, sizeof(*st));
	struct ipc_reply rep;
	int sv[2], rc;
	pid_t pid;

	if (!st)
		return -ENOMEM;
	st->cfg = *cfg;
	st->ctl = -1;
	st->nch = cfg->latency ? 2 : 1;
	for (int i = 0; i < 2; i++) {
		struct ipc_chan *ch = &st->ch[i];

		ch->fd = ch->fd2 = ch->id = -1;
		ch->mq = (mqd_t)-1;
	}
	if (cfg->msg_bytes < 1) {
		rc = bench_fail(ctx, -EINVAL, "msg_bytes %zu < 1", cfg->msg_bytes);
		goto out_free;
	}
	rc = ipc_signals(st);
	if (rc < 0) {
		rc = bench_fail(ctx, rc, "sigaction: %s", strerror(-rc));
		goto out_free;
	}
	for (int i = 0; i < st->nch; i++) {
		struct ipc_chan *ch = &st->ch[i];

		ch->ops = cfg->ops;
		ch->ctx = ctx;
		ch->msg_bytes = cfg->msg_bytes;
		ch->param = cfg->param;
		ch->creator = true;
		/* In a private namespace the objects die with it; the runner's
		 * cleanup sweep runs in the host namespace, where a SysV id
		 * from ours would name somebody else's object. */
		ch->track = !cfg->private_ns;
		ch->note = st->cfg.note;
		ch->note_len = sizeof(st->cfg.note);
		rc = ipc_chan_create(ch);
		if (rc < 0)
			goto out_teardown;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = bench_fail(ctx, -errno, "socketpair: %s", strerror(errno));
		goto out_teardown;
	}
	/* Fork from this (the main) thread: the receiver's PDEATHSIG follows it. */
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		if (e == EAGAIN)
			rc = bench_skip(ctx, "fork of the receiver: %s (RLIMIT_NPROC?)", strerror(e));
		else
			rc = bench_fail(ctx, -e, "fork of the receiver: %s", strerror(e));
		goto out_teardown;
	}
	if (pid == 0) {
		close(sv[0]);
		ipc_receiver(ctx, st, sv[1]);
	}
	close(sv[1]);
	st->ctl = sv[0];
	st->rx_pid = pid;
	for (int i = 0; i < st->nch; i++) {
		struct ipc_chan *ch = &st->ch[i];

		ch->peer = pid;
		rc = ch->ops->open_end(ch, i == 0 ? IPC_TX : IPC_RX);
		if (rc < 0) {
			rc = bench_fail(ctx, rc, "%s: %s: %s", cfg->ops->name, ch->what, strerror(-rc));
			goto out_teardown;
		}
	}
	rc = ipc_ctl_reply(st, &rep, true);
	if (rc <= 0) {
		rc = ipc_fail_peer(ctx, st, "before it was ready");
		goto out_teardown;
	}
	if (rep.rc < 0) {
		rc = bench_fail(ctx, rep.rc, "%s: receiver: %s: %s", cfg->ops->name, rep.what,
				strerror(-rep.rc));
		goto out_teardown;
	}
	/* Both ends hold the objects now: names and ids can go. */
	for (int i = 0; i < st->nch; i++) {
		struct ipc_chan *ch = &st->ch[i];

		if (ch->ops->remove_late)
			continue;
		rc = ipc_chan_remove(ch);
		if (rc < 0) {
			rc = bench_fail(ctx, rc, "%s: removing the object: %s", cfg->ops->name,
					strerror(-rc));
			goto out_teardown;
		}
	}
	rc = ipc_buffers(st);
	if (rc < 0) {
		rc = bench_fail(ctx, rc, "allocating %zu B of message buffers", st->mem_bytes);
		goto out_teardown;
	}
	for (int i = 0; i < st->nch; i++)
		st->ch[i].note = NULL;
	if (st->cfg.note[0])
		bench_note(ctx, "%s", st->cfg.note);
	*state = st;
	return 0;

out_teardown:
	ipc_teardown(ctx, st);
	return rc;
out_free:
	free(st);
	return rc;
}

void ipc_teardown(struct bench_ctx *ctx, void *state)
{
	struct ipc_state *st = state;

	(void)ctx;
	if (!st)
		return;
	if (st->rx_pid > 0)
		bench_reap(st->rx_pid);
	if (st->ctl >= 0)
		close(st->ctl);
	for (int i = 0; i < 2; i++) {
		struct ipc_chan *ch = &st->ch[i];

		if (!ch->ops)
			continue;
		ch->ops->close(ch);
		ipc_chan_remove(ch);
	}
	free(st->mem);
	if (st->sig_saved) {
		sigaction(SIGPIPE, &st->old_pipe, NULL);
		sigaction(SIGCHLD, &st->old_chld, NULL);
	}
	free(st);
}

enum bench_valid ipc_validate_latency(const struct bench_judge *j, char *note, size_t len)
{
	double cs, rx;

	if (strcmp(j->placement, "same-cpu") != 0)
		return BENCH_VALID_NA;
	cs = j->metric(j, "ctxsw_per_op");
	rx = j->metric(j, IPC_RX_CTXSW);
	if (isnan(cs) || isnan(rx))
		return BENCH_VALID_NA;
	/* The sender blocks once per round trip (0.5 per op): if its share is
	 * missing, its counters were off and the total means nothing. */
	if (cs - rx < 0.25) {
		snprintf(note, len, "sender's context switches not counted (--events?)");
		return BENCH_VALID_NA;
	}
	/* One CPU, no spinning: each one-way hand-off blocks the side that
	 * sent and runs the other, one switch.  An op is one one-way
	 * message, so a round trip is 2 ops: judged per round trip by the
	 * one ping-pong rule (bench.h). */
	return bench_pingpong_switches("ctxsw_per_op", cs, 2, note, len);
}
