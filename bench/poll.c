/*
 * poll - how long it takes to learn that one of N descriptors is ready,
 * with select(2), poll(2) and epoll_wait(2), and what epoll_ctl costs.
 *
 * The descriptors are the read ends of N pipes (sweep `fds`: 1 to 1000),
 * all watched for input; the *_tcp variants watch N TCP sockets instead
 * (the accepted ends of N connections over 127.0.0.1, written through
 * their connecting ends, TCP_NODELAY), the second kind of descriptor a
 * server polls.  One op, per variant (single worker, pinned):
 *
 *   select      write 1 byte into pipe k, select() over all N read ends
 *               (the fd_set copied from a template first, as select
 *               overwrites it), scan the N bits for the ready one (what a
 *               select caller must do), read the byte back.
 *   poll        the same with poll() over an array of N pollfd, and a
 *               scan of the N revents.
 *   epoll_wait  the same with epoll_wait(maxevents 1) on an epoll set that
 *               holds all N (level-triggered, added in setup): the ready
 *               descriptor comes back by itself, no scan.
 *   write_read  the write and the read alone, no wait: the floor under
 *               the three above (subtract it for the wait's own cost).
 *   epoll_ctl   EPOLL_CTL_ADD then EPOLL_CTL_DEL of one more pipe's read
 *               end into an epoll set that holds the N (the tree the
 *               insert walks grows with N); op = the pair.
 *   select_tcp, poll_tcp, epoll_wait_tcp, write_read_tcp
 *               the first four over TCP sockets.  A 1-byte write on
 *               loopback is delivered in the writer's own softirq before
 *               write() returns, so the socket is ready before the wait
 *               as a pipe is (the no-block validation checks it).  No
 *               epoll_ctl_tcp: the insert's cost is the tree's, not the
 *               file's.  The sockets live in a private network namespace
 *               (or the host's loopback, noted; bench/lib/sock_loop.h);
 *               the one listener is closed once the N are connected.
 *
 * The whole run() is timed: the two clock reads are made negligible by
 * calibration, and the write and the read are in the window (write_read
 * measures them).  k rotates over the N pipes, so no one descriptor is
 * favoured; every wait is checked to report exactly pipe k ready, and
 * every write and read to move 1 byte (a wrong result fails the row).
 * The descriptor is ready before the wait, so no op blocks: validation is
 * fewer than 0.1 context switches per op (a wait that slept would switch
 * about once).  Known bias: select and poll copy N entries into the
 * kernel and walk N files' poll methods, and the user-space scan is O(N)
 * too; that is the point of the curve.
 *
 * Descriptors: 2N + 3 are needed (one more, the listener, while TCP pairs
 * are made).  The soft RLIMIT_NOFILE of the
 * supervising child (a fresh process per configuration, so nothing else
 * is touched) is raised up to the hard limit as needed; a point that still
 * cannot get its descriptors is skipped with the reason.  The write ends
 * are moved to FD_SETSIZE and above (when the limit allows), so that the
 * N read ends are the low, compact descriptors every variant watches;
 * select cannot watch a descriptor at or above FD_SETSIZE, and a point
 * that would need one is skipped with the reason.  Every descriptor is
 * closed in teardown (and by the kernel when the child exits).
 */
#include "bench.h"
#include "lib/sock_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

/* Descriptors beyond the pipes: stdio, the epoll set, slack for the
 * runner's own (counters, its pipe to primbench). */
#define PL_SLACK_FDS 32
/* Most context switches per op that still mean "never blocked". */
#define PL_CTXSW_MAX 0.1

/* What a configuration times. */
enum pl_op { PL_SELECT, PL_POLL, PL_EPOLL_WAIT, PL_WRITE_READ, PL_EPOLL_CTL };

/* Per-configuration state. */
struct poll_state {
	enum pl_op op;           /* which variant */
	bool tcp;                /* TCP sockets instead of pipes (*_tcp) */
	unsigned n;              /* descriptors watched */
	unsigned npipes;         /* pipes (or connections) open (n, plus one for epoll_ctl) */
	int *rfd;                /* read ends (accepted sockets), npipes of them, -1 when closed */
	int *wfd;                /* write ends (connecting sockets) */
	int ep;                  /* epoll set, -1 if none */
	struct pollfd *pfd;      /* poll's array */
	fd_set set;              /* select's template: every read end */
	int nfds;                /* select's nfds: highest read end + 1 */
	unsigned next;           /* k: the pipe the next op makes ready */
};

/* Raise RLIMIT_NOFILE's soft limit to at least need (up to the hard
 * limit).  0, or -EMFILE when the hard limit is too low. */
static int pl_nofile(struct bench_ctx *ctx, rlim_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return bench_fail(ctx, -errno, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		return -EMFILE;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	return 0;
}

/* Open npipes pipes (or TCP connections through one listener, closed at
 * the end), read ends low; write ends at FD_SETSIZE and above when
 * move_high.  Every descriptor non-blocking, so that a read with nothing
 * to read fails the row instead of hanging.  0 or -errno (EMFILE/ENFILE:
 * the caller skips), *what naming the failed call. */
static int pl_pipes(struct poll_state *st, bool move_high, const char **what)
{
	struct sockaddr_in addr;
	int lfd = -1, rc = 0;

	if (st->tcp) {
		rc = sock_tcp_listen(&lfd, &addr, 1, what);
		if (rc < 0)
			return rc;
	}
	for (unsigned i = 0; i < st->npipes; i++) {
		int p[2];

		if (st->tcp) {
			int sv[2];

			rc = sock_tcp_connect_pair(lfd, &addr, sv, what);
			if (rc < 0)
				break;
			/* read end = the accepted socket, write end = the connecting one */
			p[0] = sv[1];
			p[1] = sv[0];
			st->rfd[i] = p[0];
			st->wfd[i] = p[1];
			if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(p[1], F_SETFL, O_NONBLOCK) < 0) {
				*what = "fcntl(O_NONBLOCK)";
				rc = -errno;
				break;
			}
		} else if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
			*what = "pipe2";
			rc = -errno;
			break;
		}
		st->rfd[i] = p[0];
		st->wfd[i] = p[1];
		if (move_high) {
			int w = fcntl(p[1], F_DUPFD_CLOEXEC, FD_SETSIZE);

			if (w < 0) {
				*what = "fcntl(F_DUPFD_CLOEXEC)";
				rc = -errno;
				break;
			}
			close(p[1]);
			st->wfd[i] = w;
		}
	}
	if (lfd >= 0)
		close(lfd);
	return rc;
}

static void pl_teardown(struct bench_ctx *ctx, void *state);

static int pl_setup(struct bench_ctx *ctx, void **state)
{
	static const char *const names[] = {
		[PL_SELECT] = "select", [PL_POLL] = "poll", [PL_EPOLL_WAIT] = "epoll_wait",
		[PL_WRITE_READ] = "write_read", [PL_EPOLL_CTL] = "epoll_ctl",
	};
	struct poll_state *st = calloc(1, sizeof(*st));
	const char *vname = bench_variant(ctx)->name, *what = "?";
	size_t vlen;
	char note[BENCH_NOTE_MAX] = "";
	double x = bench_x(ctx);
	rlim_t need, high;
	int rc;

	if (!st)
		return -ENOMEM;
	st->ep = -1;
	/* "<op>" or "<op>_tcp" */
	vlen = strlen(vname);
	st->tcp = vlen > 4 && strcmp(vname + vlen - 4, "_tcp") == 0;
	if (st->tcp)
		vlen -= 4;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == vlen && strncmp(vname, names[i], vlen) == 0)
			st->op = (enum pl_op)i;
	if (!(x >= 1 && x <= 1e6)) {
		rc = bench_fail(ctx, -EINVAL, "fds %g outside 1..1000000", x);
		goto out_teardown;
	}
	st->n = (unsigned)x;
	st->npipes = st->n + (st->op == PL_EPOLL_CTL);
	st->rfd = malloc(st->npipes * sizeof(*st->rfd));
	st->wfd = malloc(st->npipes * sizeof(*st->wfd));
	if (!st->rfd || !st->wfd) {
		rc = -ENOMEM;
		goto out_teardown;
	}
	for (unsigned i = 0; i < st->npipes; i++)
		st->rfd[i] = st->wfd[i] = -1;

	need = 2 * (rlim_t)st->npipes + PL_SLACK_FDS;
	high = FD_SETSIZE + (rlim_t)st->npipes + PL_SLACK_FDS;
	/* Write ends above FD_SETSIZE if the hard limit allows it, else
	 * interleaved (select then may have to skip). */
	bool move_high = pl_nofile(ctx, high > need ? high : need) == 0;

	if (!move_high) {
		rc = pl_nofile(ctx, need);
		if (rc < 0) {
			struct rlimit rl = { 0, 0 };

			getrlimit(RLIMIT_NOFILE, &rl);
			rc = bench_skip(ctx, "needs %llu descriptors; RLIMIT_NOFILE hard limit %llu",
					(unsigned long long)need, (unsigned long long)rl.rlim_max);
			goto out_teardown;
		}
	}
	if (st->tcp) {
		rc = sock_private_net(ctx, note, sizeof(note));
		if (rc < 0)
			goto out_teardown;
		bench_note(ctx, "%s", note);
	}
	rc = pl_pipes(st, move_high, &what);
	if (rc == -EMFILE || rc == -ENFILE) {
		rc = bench_skip(ctx, "%u %s: %s", st->npipes, st->tcp ? "TCP connections" : "pipes",
				strerror(-rc));
		goto out_teardown;
	} else if (rc < 0) {
		rc = bench_fail(ctx, rc, "%s: %s", what, strerror(-rc));
		goto out_teardown;
	}

	FD_ZERO(&st->set);
	for (unsigned i = 0; i < st->n; i++) {
		if (st->rfd[i] + 1 > st->nfds)
			st->nfds = st->rfd[i] + 1;
		if (st->op == PL_SELECT && st->rfd[i] >= FD_SETSIZE) {
			rc = bench_skip(ctx, "read end fd %d >= FD_SETSIZE (%d): select cannot watch it",
					st->rfd[i], FD_SETSIZE);
			goto out_teardown;
		}
		if (st->op == PL_SELECT)
			FD_SET(st->rfd[i], &st->set);
	}
	if (st->op == PL_POLL) {
		st->pfd = calloc(st->n, sizeof(*st->pfd));
		if (!st->pfd) {
			rc = -ENOMEM;
			goto out_teardown;
		}
		for (unsigned i = 0; i < st->n; i++)
			st->pfd[i] = (struct pollfd){ .fd = st->rfd[i], .events = POLLIN };
	}
	if (st->op == PL_EPOLL_WAIT || st->op == PL_EPOLL_CTL) {
		st->ep = epoll_create1(EPOLL_CLOEXEC);
		if (st->ep < 0) {
			rc = -errno;
			rc = rc == -ENOSYS ? bench_skip(ctx, "epoll_create1: %s", strerror(-rc))
					   : bench_fail(ctx, rc, "epoll_create1: %s", strerror(-rc));
			goto out_teardown;
		}
		for (unsigned i = 0; i < st->n; i++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

			if (epoll_ctl(st->ep, EPOLL_CTL_ADD, st->rfd[i], &ev) < 0) {
				rc = -errno;
				rc = rc == -ENOSPC ? bench_skip(ctx, "epoll_ctl ADD: %s (max_user_watches)",
								strerror(-rc))
						   : bench_fail(ctx, rc, "epoll_ctl ADD: %s", strerror(-rc));
				goto out_teardown;
			}
		}
	}
	*state = st;
	return 0;

out_teardown:
	pl_teardown(ctx, st);
	return rc;
}

/* Wait for pipe k with the configuration's mechanism and check that it,
 * and only it, is reported.  0, -EPROTO or -errno. */
static int pl_wait(struct poll_state *st, unsigned k)
{
	int r, ready = 0;

	switch (st->op) {
	case PL_SELECT: {
		fd_set s = st->set;

		r = select(st->nfds, &s, NULL, NULL, NULL);
		if (r < 0)
			return -errno;
		for (unsigned i = 0; i < st->n; i++)
			if (FD_ISSET(st->rfd[i], &s))
				ready += i == k ? 1 : 2;
		break;
	}
	case PL_POLL:
		r = poll(st->pfd, st->n, -1);
		if (r < 0)
			return -errno;
		for (unsigned i = 0; i < st->n; i++)
			if (st->pfd[i].revents)
				ready += i == k && st->pfd[i].revents == POLLIN ? 1 : 2;
		break;
	case PL_EPOLL_WAIT: {
		struct epoll_event ev;

		r = epoll_wait(st->ep, &ev, 1, -1);
		if (r < 0)
			return -errno;
		ready = r == 1 && ev.data.u32 == k && ev.events == EPOLLIN ? 1 : 2;
		break;
	}
	default:
		return 0;
	}
	return r == 1 && ready == 1 ? 0 : -EPROTO;
}

static int pl_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct poll_state *st = state;
	char b = 'x';
	int rc;

	if (st->op == PL_EPOLL_CTL) {
		int fd = st->rfd[st->n];

		for (uint64_t i = 0; i < iters; i++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u32 = st->n };

			if (epoll_ctl(st->ep, EPOLL_CTL_ADD, fd, &ev) < 0 ||
			    epoll_ctl(st->ep, EPOLL_CTL_DEL, fd, NULL) < 0)
				return bench_fail(ctx, -errno, "epoll_ctl: %s", strerror(errno));
		}
		return 0;
	}
	for (uint64_t i = 0; i < iters; i++) {
		unsigned k = st->next;

		st->next = k + 1 == st->n ? 0 : k + 1;
		if (write(st->wfd[k], &b, 1) != 1)
			return bench_fail(ctx, -errno, "write to %s %u: %s", st->tcp ? "socket" : "pipe", k, strerror(errno));
		rc = pl_wait(st, k);
		if (rc < 0)
			return bench_fail(ctx, rc, "%s: %s", bench_variant(ctx)->name,
					  rc == -EPROTO ? "did not report exactly the one ready pipe"
							: strerror(-rc));
		if (read(st->rfd[k], &b, 1) != 1)
			return bench_fail(ctx, -errno, "read from %s %u: %s", st->tcp ? "socket" : "pipe", k, strerror(errno));
	}
	return 0;
}

/* Also the cleanup of a failed setup: closes what is open. */
static void pl_teardown(struct bench_ctx *ctx, void *state)
{
	struct poll_state *st = state;

	(void)ctx;
	if (st->ep >= 0)
		close(st->ep);
	for (unsigned i = 0; st->rfd && st->wfd && i < st->npipes; i++) {
		if (st->rfd[i] >= 0)
			close(st->rfd[i]);
		if (st->wfd[i] >= 0)
			close(st->wfd[i]);
	}
	free(st->rfd);
	free(st->wfd);
	free(st->pfd);
	free(st);
}

/* No op may block: the descriptor is ready before every wait. */
static enum bench_valid pl_valid_noblock(const struct bench_judge *j, char *note, size_t len)
{
	double cs = j->metric(j, "ctxsw_per_op");

	if (isnan(cs))
		return BENCH_VALID_NA;
	if (cs > PL_CTXSW_MAX) {
		snprintf(note, len, "ctxsw_per_op = %.3g > %g: the wait blocked on a ready descriptor",
			 cs, PL_CTXSW_MAX);
		return BENCH_VALID_FAIL;
	}
	return BENCH_VALID_PASS;
}

/* Descriptors watched: the decades lmbench's and perf's curves span. */
static const double pl_fds_xs[] = { 1, 10, 100, 1000 };

#define PL_VARIANT(nm, text) \
	{ .name = (nm), .summary = (text), .sweep = "fds", .xs = pl_fds_xs, .nx = 4, \
	  .validate = pl_valid_noblock }

static const struct bench_variant pl_variants[] = {
	PL_VARIANT("select", "write 1 B to one of N pipes, select() over N, scan, read it back"),
	PL_VARIANT("poll", "write 1 B to one of N pipes, poll() over N, scan, read it back"),
	PL_VARIANT("epoll_wait", "write 1 B to one of N pipes, epoll_wait() on a set of N, read it back"),
	PL_VARIANT("write_read", "the write and the read alone (the floor of the three above)"),
	PL_VARIANT("epoll_ctl", "EPOLL_CTL_ADD + EPOLL_CTL_DEL of one fd into a set of N"),
	PL_VARIANT("select_tcp", "write 1 B to one of N TCP sockets, select() over N, scan, read it back"),
	PL_VARIANT("poll_tcp", "write 1 B to one of N TCP sockets, poll() over N, scan, read it back"),
	PL_VARIANT("epoll_wait_tcp", "write 1 B to one of N TCP sockets, epoll_wait() on a set of N, read it back"),
	PL_VARIANT("write_read_tcp", "the TCP write and read alone (the floor of the three above)"),
	{ .name = NULL },
};

const struct bench_desc bench_poll = {
	.name = "poll",
	.summary = "readiness of one of N pipes or TCP sockets: select vs poll vs epoll_wait, and epoll_ctl cost",
	.unit = "write + wait + read (epoll_ctl: ADD + DEL)",
	.variants = pl_variants,
	.setup = pl_setup,
	.run = pl_run,
	.teardown = pl_teardown,
};
