/*
 * ipc_udp - UDP over loopback (127.0.0.1): one-byte round trip.
 *
 * What is measured (shared loop, check and timing: bench/lib/ipc_transport.c):
 *   dgram_lat   ping-pong of a 1-byte datagram over two pairs of connected
 *               UDP sockets (one per direction); an op is half a round
 *               trip (ns_per_op = one-way latency), as every *_lat of the
 *               IPC families.  The byte is the low byte of the message's
 *               sequence number, checked on both sides, so a lost,
 *               duplicated or reordered datagram fails the row.
 * Sender and receiver are two processes pinned at each two-worker
 * placement.  Why no throughput variant: UDP has no flow control, so a
 * sender that outruns its receiver loses datagrams on loopback too, and
 * the rate would measure the drop policy; ipc_unix/dgram is the datagram
 * throughput that cannot lose.  Known bias: on loopback the datagram is
 * delivered in the sending CPU's softirq.  A datagram lost anyway (one in
 * flight at a time: not expected) would leave its receiver waiting:
 * SO_RCVTIMEO of 1 s turns that into a failed row, not a watchdog timeout.
 *
 * Where: a private network namespace when the child may make one, else
 * the host's loopback (the note says which); ports chosen by the kernel;
 * nothing listens (bench/lib/sock_loop.h).
 *
 * Test-only fault injection: PRIMBENCH_INJECT=ipc_udp:hang|crash|corrupt.
 */
#include "bench.h"
#include "lib/ipc_transport.h"
#include "lib/sock_loop.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

/* The round trip's message: one byte, as lmbench's lat_udp. */
#define UDP_LAT_BYTES 1
/* Longest wait for one datagram before the row fails (see the header). */
#define UDP_RCV_TIMEOUT_S 1

static int udp_create(struct ipc_chan *ch)
{
	struct timeval tv = { .tv_sec = UDP_RCV_TIMEOUT_S };
	const char *what = "?";
	int sv[2], rc = sock_udp_pair(sv, &what);

	if (rc < 0)
		return bench_fail(ch->ctx, rc, "%s: %s", what, strerror(-rc));
	ch->fd = sv[0];
	ch->fd2 = sv[1];
	for (int i = 0; i < 2; i++) {
		if (setsockopt(sv[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
			int e = errno;

			ipc_fd_close(ch);
			return bench_fail(ch->ctx, -e, "SO_RCVTIMEO: %s", strerror(e));
		}
	}
	return 0;
}

static const struct ipc_ops udp_ops = {
	.name = "udp",
	.obj = IPC_OBJ_NONE,
	.create = udp_create,
	.open_end = ipc_pair_open_end,
	.send = ipc_dgram_send,
	.recv = ipc_dgram_recv,
	.close = ipc_fd_close,
};

static const struct bench_variant udp_variants[] = {
	{ .name = "dgram_lat", .summary = "1 B ping-pong over UDP; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	{ .name = NULL },
};

static int udp_setup(struct bench_ctx *ctx, void **state)
{
	struct ipc_cfg cfg = { .ops = &udp_ops, .latency = true, .msg_bytes = UDP_LAT_BYTES };
	int rc = sock_private_net(ctx, cfg.note, sizeof(cfg.note));

	if (rc < 0)
		return rc;
	return ipc_setup(ctx, state, &cfg);
}

const struct bench_desc bench_ipc_udp = {
	.name = "ipc_udp",
	.summary = "UDP over loopback: 1 B round trip",
	.unit = "half a round trip",
	.variants = udp_variants,
	.setup = udp_setup,
	.run = ipc_run,
	.teardown = ipc_teardown,
};
