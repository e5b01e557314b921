/*
 * ipc_pipe - throughput and one-way latency of a pipe between two processes.
 *
 * What is measured (the loop, the check and the timing are the shared ones
 * of bench/lib/ipc_transport.c; read its header for the exact interval):
 *   pipe      `sweep=msg_bytes` 64 B .. 1 MiB: the sender write()s `iters`
 *             messages into a pipe with the default buffer (16 pages), the
 *             receiver read()s each one whole and checks every byte; timed
 *             until the receiver has confirmed them all.  bytes_per_s and
 *             msgs_per_s.
 *   pipe_big  the same with the buffer raised to 1 MiB (F_SETPIPE_SZ; the
 *             default pipe-max-size), so a whole 1 MiB message fits.
 *   pipe_lat  ping-pong of a 64 B message over two default pipes; an
 *             operation is half a round trip (ns_per_op = one-way latency).
 * Sender and receiver are separate processes, pinned at each two-worker
 * placement.  Known bias: a message larger than the buffer is moved in
 * several write/read pairs, which is the pipe's real cost for it.
 *
 * Test-only fault injection: PRIMBENCH_INJECT=ipc_pipe:hang|crash|corrupt
 * (see bench/lib/ipc_transport.c).
 */
#include "bench.h"
#include "lib/ipc_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* pipe_big's buffer: the default /proc/sys/fs/pipe-max-size, so no
 * privilege is needed. */
#define PIPE_BIG_BYTES (1L << 20)

/* The pipe is made before the fork; each process keeps its end.
 * ch->fd: read end, ch->fd2: write end, until open_end(). */
static int pipe_create(struct ipc_chan *ch)
{
	int fds[2];
	int got;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return bench_fail(ch->ctx, -errno, "pipe2: %s", strerror(errno));
	ch->fd = fds[0];
	ch->fd2 = fds[1];
	if (ch->param > 0 && fcntl(fds[1], F_SETPIPE_SZ, (int)ch->param) < 0) {
		int e = errno;

		ipc_fd_close(ch);
		/* EPERM: above pipe-max-size or over pipe-user-pages-soft. */
		if (e == EPERM)
			return bench_skip(ch->ctx, "F_SETPIPE_SZ %ld: %s (pipe-max-size or "
					  "pipe-user-pages-soft)", ch->param, strerror(e));
		return bench_fail(ch->ctx, -e, "F_SETPIPE_SZ %ld: %s", ch->param, strerror(e));
	}
	got = fcntl(fds[1], F_GETPIPE_SZ);
	if (got < 0 || (ch->param > 0 && got != ch->param)) {
		int e = got < 0 ? errno : EPROTO;

		ipc_fd_close(ch);
		return bench_fail(ch->ctx, -e, "pipe buffer is %d B, asked %ld", got, ch->param);
	}
	ipc_chan_note(ch, "pipe buffer %d B%s", got, ch->param > 0 ? " (F_SETPIPE_SZ)" : "");
	return 0;
}

static int pipe_open_end(struct ipc_chan *ch, enum ipc_dir dir)
{
	if (dir == IPC_TX) {
		close(ch->fd);
		ch->fd = ch->fd2;
	} else {
		close(ch->fd2);
	}
	ch->fd2 = -1;
	return 0;
}

static const struct ipc_ops pipe_ops = {
	.name = "pipe",
	.obj = IPC_OBJ_NONE,
	.create = pipe_create,
	.open_end = pipe_open_end,
	.send = ipc_fd_send,
	.recv = ipc_fd_recv,
	.close = ipc_fd_close,
};

static const struct bench_variant pipe_variants[] = {
	{ .name = "pipe", .summary = "pipe, default buffer: one message written, read, checked",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	{ .name = "pipe_big", .summary = "pipe with a 1 MiB buffer (F_SETPIPE_SZ)",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	{ .name = "pipe_lat", .summary = "64 B ping-pong over two pipes; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	{ .name = NULL },
};

static int pipe_setup(struct bench_ctx *ctx, void **state)
{
	const struct bench_variant *v = bench_variant(ctx);
	struct ipc_cfg cfg = {
		.ops = &pipe_ops,
		.latency = v == &pipe_variants[2],
		.param = v == &pipe_variants[1] ? PIPE_BIG_BYTES : 0,
	};

	cfg.msg_bytes = cfg.latency ? IPC_LAT_BYTES : (size_t)bench_x(ctx);
	return ipc_setup(ctx, state, &cfg);
}

const struct bench_desc bench_ipc_pipe = {
	.name = "ipc_pipe",
	.summary = "pipe throughput (64 B .. 1 MiB messages) and one-way latency",
	.unit = "message delivered and checked (lat: half a round trip)",
	.variants = pipe_variants,
	.setup = pipe_setup,
	.run = ipc_run,
	.teardown = ipc_teardown,
};
