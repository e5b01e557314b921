/*
 * ipc_tcp - TCP over loopback (127.0.0.1): stream throughput, one-byte
 * round trip, and the cost of a connection.
 *
 * What is measured:
 *   stream      `sweep=msg_bytes` 64 B .. 1 MiB over one TCP connection
 *               with the default buffers: `iters` messages written, each
 *               read whole and checked byte for byte by the receiver,
 *               timed until it has confirmed them all (the loop, check and
 *               timing are bench/lib/ipc_transport.c's, as for ipc_unix).
 *   stream_lat  ping-pong of a 1-byte message over two connections (one
 *               per direction, as every *_lat of the IPC families), with
 *               TCP_NODELAY; an op is half a round trip.  The byte is the
 *               low byte of the message's sequence number, checked on both
 *               sides (bench/lib/ipc_transport.h).
 *   connect     one connection's life: socket(), connect() to a listener
 *               served by the peer process, which accept()s and close()s
 *               it; the connecting side waits for that close (its read()
 *               ends, or, when the server on another CPU was quicker, its
 *               connect() returns the reset) and closes its end.  The
 *               whole run() is timed.
 * Sender/receiver (client/server) are two processes pinned at each
 * two-worker placement.  Known bias: on loopback the packets are
 * processed in the sending CPU's softirq, so "one CPU" and "two CPUs"
 * differ in who is woken where, not in a NIC; TCP's default buffers
 * (net.ipv4.tcp_wmem/tcp_rmem, autotuned) decide how much of a large
 * message is in flight.  connect's close is abortive (SO_LINGER 0 on the
 * accepted socket, an RST): a graceful close would leave one TIME_WAIT
 * socket per connection for 60 s, which would use up the ephemeral ports
 * within a sample (and, on the host's loopback, outlive the run); the
 * handshake and the accept are the same either way.
 *
 * Where: a private network namespace when the child may make one, else
 * the host's loopback (the note says which); ports chosen by the kernel;
 * nothing is left listening (bench/lib/sock_loop.h).
 *
 * Test-only fault injection: PRIMBENCH_INJECT=ipc_tcp:hang|crash|corrupt
 * (stream and stream_lat; bench/lib/ipc_transport.c); "hold=PATH" holds
 * connect's setup with its listener live (bench_inject_hold); "no-netns"
 * uses the host's loopback (bench/lib/sock_loop.h).
 */
#include "bench.h"
#include "lib/ipc_transport.h"
#include "lib/sock_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The round trip's message: one byte, as lmbench's lat_tcp. */
#define TCP_LAT_BYTES 1
/* Connections the listener may queue (the client makes one at a time). */
#define TCP_BACKLOG 16

/* The connection is made before the fork (listener closed at once): the
 * sender keeps the connecting end, the receiver the accepted one. */
static int tcp_create(struct ipc_chan *ch)
{
	const char *what = "?";
	int sv[2], rc = sock_tcp_pair(sv, &what);

	if (rc < 0)
		return bench_fail(ch->ctx, rc, "%s: %s", what, strerror(-rc));
	ch->fd = sv[0];
	ch->fd2 = sv[1];
	return 0;
}

static const struct ipc_ops tcp_ops = {
	.name = "tcp",
	.obj = IPC_OBJ_NONE,
	.create = tcp_create,
	.open_end = ipc_pair_open_end,
	.send = ipc_fd_send,
	.recv = ipc_fd_recv,
	.close = ipc_fd_close,
};

/* Per-configuration state of the connect variant (worker 0, the client). */
struct tcp_conn_state {
	struct sockaddr_in addr; /* the listener's address (kernel-chosen port) */
	pid_t server;            /* the peer that accepts, 0 before the fork */
};

static void tcp_server(struct bench_ctx *ctx, int lfd, int ready) __attribute__((noreturn));

/* The peer: pin, say ready, then accept and abort-close forever (it dies
 * with worker 0: PR_SET_PDEATHSIG, or bench_reap in teardown). */
static void tcp_server(struct bench_ctx *ctx, int lfd, int ready)
{
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };

	if (bench_child_init() < 0 || bench_pin_peer(ctx) < 0)
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	close(ready);
	for (;;) {
		int a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (a < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		if (setsockopt(a, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst)) < 0)
			_exit(1);
		close(a);
	}
}

static void tcp_conn_teardown(struct bench_ctx *ctx, void *state)
{
	struct tcp_conn_state *st = state;

	(void)ctx;
	if (st->server > 0)
		bench_reap(st->server);
	free(st);
}

static int tcp_conn_setup(struct bench_ctx *ctx, void **state, const char *note)
{
	struct tcp_conn_state *st = calloc(1, sizeof(*st));
	const char *what = "?";
	int lfd = -1, p[2] = { -1, -1 }, rc;
	char b;

	if (!st)
		return -ENOMEM;
	rc = sock_tcp_listen(&lfd, &st->addr, TCP_BACKLOG, &what);
	if (rc < 0) {
		rc = bench_fail(ctx, rc, "%s: %s", what, strerror(-rc));
		goto out_teardown;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		rc = bench_fail(ctx, -errno, "pipe2: %s", strerror(errno));
		goto out_teardown;
	}
	st->server = fork();
	if (st->server < 0) {
		st->server = 0;
		rc = bench_spawn_error(ctx, "fork of the server", errno);
		goto out_teardown;
	}
	if (st->server == 0) {
		close(p[0]);
		tcp_server(ctx, lfd, p[1]);
	}
	/* Only the server holds the listener from here: if it dies, the
	 * next connect() is refused and the row fails, never hangs. */
	close(lfd);
	lfd = -1;
	close(p[1]);
	p[1] = -1;
	if (read(p[0], &b, 1) != 1) {
		rc = bench_fail(ctx, -EPIPE, "tcp connect: the server could not start (pinning?)");
		goto out_teardown;
	}
	close(p[0]);
	p[0] = -1;
	if (note[0])
		bench_note(ctx, "%s", note);
	/* Test-only: hold here with the listener live (a kill test). */
	rc = bench_inject_hold(ctx);
	if (rc < 0)
		goto out_teardown;
	*state = st;
	return 0;

out_teardown:
	if (lfd >= 0)
		close(lfd);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	tcp_conn_teardown(ctx, st);
	return rc;
}

/* One connection: connect, then wait for the server's abortive close.
 * 0, or -errno with *what naming the call that failed. */
static int tcp_conn_once(int c, const struct sockaddr_in *addr, const char **what)
{
	ssize_t r;
	char b;

	if (connect(c, (const struct sockaddr *)addr, sizeof(*addr)) < 0) {
		/* ECONNRESET: the server, on another CPU, accepted and reset
		 * the connection before connect() returned; the whole life
		 * happened (a listener that is gone gives ECONNREFUSED). */
		if (errno == ECONNRESET)
			return 0;
		*what = "connect 127.0.0.1";
		return -errno;
	}
	do
		r = read(c, &b, 1);
	while (r < 0 && errno == EINTR);
	/* The server's abortive close: a reset (or end of file). */
	if (r == 0 || (r < 0 && errno == ECONNRESET))
		return 0;
	*what = "read (the server's close)";
	return r > 0 ? -EPROTO : -errno;
}

/* iters connections: socket, connect, wait for the server's close, close. */
static int tcp_conn_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct tcp_conn_state *st = state;

	for (uint64_t i = 0; i < iters; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		const char *what = "?";
		int rc;

		if (c < 0)
			return bench_fail(ctx, -errno, "socket: %s", strerror(errno));
		rc = tcp_conn_once(c, &st->addr, &what);
		close(c);
		if (rc < 0)
			return bench_fail(ctx, rc, "tcp connect: %s: %s (connection %llu of %llu)",
					  what, strerror(-rc), (unsigned long long)i + 1,
					  (unsigned long long)iters);
	}
	return 0;
}

/* Which variant, by index in tcp_variants. */
enum tcp_var { TCP_STREAM, TCP_STREAM_LAT, TCP_CONNECT };

static const struct bench_variant tcp_variants[] = {
	[TCP_STREAM] = { .name = "stream", .summary = "TCP over 127.0.0.1: one message written, read, checked",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	[TCP_STREAM_LAT] = { .name = "stream_lat", .summary = "1 B ping-pong over TCP (TCP_NODELAY); op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	[TCP_CONNECT] = { .name = "connect", .summary = "socket + connect + the peer's accept and close + close",
	  .flags = BENCH_V_PAIR },
	{ .name = NULL },
};

/* Tagged so that run/teardown know which kind of state they hold. */
struct tcp_state {
	enum tcp_var var;        /* the configuration's variant */
	void *inner;             /* ipc_setup's state, or a tcp_conn_state */
};

static int tcp_setup(struct bench_ctx *ctx, void **state)
{
	enum tcp_var v = (enum tcp_var)(bench_variant(ctx) - tcp_variants);
	struct tcp_state *st = calloc(1, sizeof(*st));
	struct ipc_cfg cfg = { .ops = &tcp_ops, .latency = v == TCP_STREAM_LAT };
	int rc;

	if (!st)
		return -ENOMEM;
	st->var = v;
	rc = sock_private_net(ctx, cfg.note, sizeof(cfg.note));
	if (rc == 0 && v == TCP_CONNECT) {
		rc = tcp_conn_setup(ctx, &st->inner, cfg.note);
	} else if (rc == 0) {
		cfg.msg_bytes = cfg.latency ? TCP_LAT_BYTES : (size_t)bench_x(ctx);
		rc = ipc_setup(ctx, &st->inner, &cfg);
	}
	if (rc < 0) {
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static int tcp_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct tcp_state *st = state;

	if (st->var == TCP_CONNECT)
		return tcp_conn_run(ctx, st->inner, iters);
	return ipc_run(ctx, st->inner, iters);
}

static void tcp_teardown(struct bench_ctx *ctx, void *state)
{
	struct tcp_state *st = state;

	if (st->var == TCP_CONNECT)
		tcp_conn_teardown(ctx, st->inner);
	else
		ipc_teardown(ctx, st->inner);
	free(st);
}

const struct bench_desc bench_ipc_tcp = {
	.name = "ipc_tcp",
	.summary = "TCP over loopback: stream throughput, 1 B round trip, connect + accept + close",
	.unit = "message delivered and checked (lat: half a round trip; connect: one connection)",
	.variants = tcp_variants,
	.setup = tcp_setup,
	.run = tcp_run,
	.teardown = tcp_teardown,
};
