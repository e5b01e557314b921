/*
 * ipc_unix - throughput and one-way latency of Unix stream and datagram
 * sockets, as a reference for the other IPC families.
 *
 * What is measured (shared loop, check and timing: bench/lib/ipc_transport.c):
 *   stream      `sweep=msg_bytes` 64 B .. 1 MiB over socketpair(AF_UNIX,
 *               SOCK_STREAM) with the default buffers: `iters` messages
 *               written, each read whole and checked byte for byte by the
 *               receiver, timed until it has confirmed them all.
 *   stream_lat  ping-pong of a 64 B message over two socket pairs; an
 *               operation is half a round trip (ns_per_op = one-way latency).
 *   dgram       the same sweep over socketpair(AF_UNIX, SOCK_DGRAM): one
 *               message is one datagram (one send, one recv, never split).
 *   dgram_lat   64 B ping-pong over two datagram pairs, as stream_lat.
 * Why the datagram variants are here and not in a family of their own:
 * this family is AF_UNIX, whatever the socket type; it needs no network
 * stack and no namespace, and its stream and dgram rows then sit side by
 * side under one bench name (ipc_tcp and ipc_udp are AF_INET's).
 * Known bias: default socket buffers (net.core.wmem_default) decide how much
 * of a large message is in flight at once; a 1 MiB stream message crosses in
 * several chunks, as it would for any user of the socket.  A datagram must
 * fit the sender's buffer whole: dgram raises SO_SNDBUF to the message
 * size plus the kernel's overhead (up to net.core.wmem_max, no privilege
 * used) and skips, naming the limit, a size that still does not fit; an
 * AF_UNIX datagram is never dropped (a full queue blocks the sender).
 *
 * Test-only fault injection: PRIMBENCH_INJECT=ipc_unix:hang|crash|corrupt.
 */
#include "bench.h"
#include "lib/ipc_transport.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room a datagram needs in the send buffer beyond its payload (skb
 * overhead; the kernel checks len > sk_sndbuf - 32). */
#define UNIX_DGRAM_SLACK 4096

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

/* A datagram pair whose send buffer holds one whole message, or a skip. */
static int unix_dgram_create(struct ipc_chan *ch)
{
	int sv[2], want, got = 0;
	socklen_t glen = sizeof(got);
	long wmem_max = -1;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return bench_fail(ch->ctx, -errno, "socketpair: %s", strerror(errno));
	ch->fd = sv[0];
	ch->fd2 = sv[1];
	want = (int)ch->msg_bytes + UNIX_DGRAM_SLACK;
	/* The kernel doubles the value given (for its bookkeeping) and caps
	 * it at 2 * wmem_max: ask for half, read back what it granted. */
	if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){ want / 2 + 1 }, sizeof(int)) < 0 ||
	    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &got, &glen) < 0) {
		int e = errno;

		ipc_fd_close(ch);
		return bench_fail(ch->ctx, -e, "SO_SNDBUF: %s", strerror(e));
	}
	if (got < want) {
		ipc_fd_close(ch);
		ipc_read_long("/proc/sys/net/core/wmem_max", &wmem_max);
		return bench_skip(ch->ctx, "msg_bytes %zu: datagram does not fit the send buffer "
				  "(SO_SNDBUF %d B; net.core.wmem_max %ld)", ch->msg_bytes, got,
				  wmem_max);
	}
	return 0;
}

static const struct ipc_ops unix_ops = {
	.name = "unix stream",
	.obj = IPC_OBJ_NONE,
	.create = unix_create,
	.open_end = ipc_pair_open_end,
	.send = ipc_fd_send,
	.recv = ipc_fd_recv,
	.close = ipc_fd_close,
};

static const struct ipc_ops unix_dgram_ops = {
	.name = "unix dgram",
	.obj = IPC_OBJ_NONE,
	.create = unix_dgram_create,
	.open_end = ipc_pair_open_end,
	.send = ipc_dgram_send,
	.recv = ipc_dgram_recv,
	.close = ipc_fd_close,
};

/* Which ops and pattern each variant uses, by index in unix_variants. */
enum unix_var { UNIX_STREAM, UNIX_STREAM_LAT, UNIX_DGRAM, UNIX_DGRAM_LAT };

static const struct bench_variant unix_variants[] = {
	[UNIX_STREAM] = { .name = "stream", .summary = "AF_UNIX stream socket: one message written, read, checked",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	[UNIX_STREAM_LAT] = { .name = "stream_lat", .summary = "64 B ping-pong over stream sockets; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	[UNIX_DGRAM] = { .name = "dgram", .summary = "AF_UNIX datagram socket: one message = one datagram, checked",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	[UNIX_DGRAM_LAT] = { .name = "dgram_lat", .summary = "64 B ping-pong over datagram sockets; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	{ .name = NULL },
};

static int unix_setup(struct bench_ctx *ctx, void **state)
{
	enum unix_var v = (enum unix_var)(bench_variant(ctx) - unix_variants);
	struct ipc_cfg cfg = {
		.ops = v == UNIX_DGRAM || v == UNIX_DGRAM_LAT ? &unix_dgram_ops : &unix_ops,
		.latency = v == UNIX_STREAM_LAT || v == UNIX_DGRAM_LAT,
	};

	cfg.msg_bytes = cfg.latency ? IPC_LAT_BYTES : (size_t)bench_x(ctx);
	return ipc_setup(ctx, state, &cfg);
}

const struct bench_desc bench_ipc_unix = {
	.name = "ipc_unix",
	.summary = "Unix stream and datagram socket throughput and one-way latency (reference)",
	.unit = "message delivered and checked (lat: half a round trip)",
	.variants = unix_variants,
	.setup = unix_setup,
	.run = ipc_run,
	.teardown = ipc_teardown,
};
