/*
 * ipc_unix - throughput and one-way latency of a Unix stream socket, as a
 * reference for the other IPC families.
 *
 * What is measured (shared loop, check and timing: bench/lib/ipc_transport.c):
 *   stream      `sweep=msg_bytes` 64 B .. 1 MiB over socketpair(AF_UNIX,
 *               SOCK_STREAM) with the default buffers: `iters` messages
 *               written, each read whole and checked byte for byte by the
 *               receiver, timed until it has confirmed them all.
 *   stream_lat  ping-pong of a 64 B message over two socket pairs; an
 *               operation is half a round trip (ns_per_op = one-way latency).
 * Known bias: default socket buffers (net.core.wmem_default) decide how much
 * of a large message is in flight at once; a 1 MiB message crosses in
 * several chunks, as it would for any user of the socket.
 *
 * Test-only fault injection: PRIMBENCH_INJECT=ipc_unix:hang|crash|corrupt.
 */
#include "bench.h"
#include "lib/ipc_transport.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Both ends exist before the fork: the sender keeps fd, the receiver fd2. */
static int unix_create(struct ipc_chan *ch)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return bench_fail(ch->ctx, -errno, "socketpair: %s", strerror(errno));
	ch->fd = sv[0];
	ch->fd2 = sv[1];
	return 0;
}

static int unix_open_end(struct ipc_chan *ch, enum ipc_dir dir)
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

static const struct ipc_ops unix_ops = {
	.name = "unix stream",
	.obj = IPC_OBJ_NONE,
	.create = unix_create,
	.open_end = unix_open_end,
	.send = ipc_fd_send,
	.recv = ipc_fd_recv,
	.close = ipc_fd_close,
};

static const struct bench_variant unix_variants[] = {
	{ .name = "stream", .summary = "AF_UNIX stream socket: one message written, read, checked",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	{ .name = "stream_lat", .summary = "64 B ping-pong over stream sockets; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	{ .name = NULL },
};

static int unix_setup(struct bench_ctx *ctx, void **state)
{
	struct ipc_cfg cfg = {
		.ops = &unix_ops,
		.latency = bench_variant(ctx) == &unix_variants[1],
	};

	cfg.msg_bytes = cfg.latency ? IPC_LAT_BYTES : (size_t)bench_x(ctx);
	return ipc_setup(ctx, state, &cfg);
}

const struct bench_desc bench_ipc_unix = {
	.name = "ipc_unix",
	.summary = "Unix stream socket throughput and one-way latency (reference)",
	.unit = "message delivered and checked (lat: half a round trip)",
	.variants = unix_variants,
	.setup = unix_setup,
	.run = ipc_run,
	.teardown = ipc_teardown,
};
