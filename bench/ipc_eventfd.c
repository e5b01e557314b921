/*
 * ipc_eventfd - one-way wake-up latency through eventfd, the floor under
 * every IPC latency (a counter and a wake-up, no payload).
 *
 * What is measured (shared loop and timing: bench/lib/ipc_transport.c):
 *   lat  ping-pong over two eventfds: the sender write()s 8 bytes (the
 *        message's sequence word, seq + 1, never 0) to the first, the
 *        receiver read()s it, checks it and writes it to the second, which
 *        the sender reads and checks.  An operation is half a round trip
 *        (ns_per_op = one-way latency).  The message is the 8-byte counter
 *        itself (msg_bytes 8): eventfd carries nothing else.
 * Latency only: eventfd adds up what is written, so it has no throughput
 * of messages to speak of.  Known bias: none beyond the shared loop's.
 *
 * Test-only fault injection: PRIMBENCH_INJECT=ipc_eventfd:hang|crash|corrupt
 * (corrupt flips a bit of the sequence word).
 */
#include "bench.h"
#include "lib/ipc_transport.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>

/* An eventfd's read and write move exactly this many bytes. */
#define EVENTFD_BYTES 8

/* One descriptor, inherited by the fork and used by both processes. */
static int efd_create(struct ipc_chan *ch)
{
	ch->fd = eventfd(0, EFD_CLOEXEC);
	if (ch->fd < 0)
		return bench_fail(ch->ctx, -errno, "eventfd: %s", strerror(errno));
	return 0;
}

static int efd_open_end(struct ipc_chan *ch, enum ipc_dir dir)
{
	(void)ch;
	(void)dir;
	return 0;
}

static const struct ipc_ops efd_ops = {
	.name = "eventfd",
	.obj = IPC_OBJ_NONE,
	.create = efd_create,
	.open_end = efd_open_end,
	.send = ipc_fd_send,
	.recv = ipc_fd_recv,
	.close = ipc_fd_close,
};

static const struct bench_variant efd_variants[] = {
	{ .name = "lat", .summary = "8 B ping-pong over two eventfds; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	{ .name = NULL },
};

static int efd_setup(struct bench_ctx *ctx, void **state)
{
	struct ipc_cfg cfg = {
		.ops = &efd_ops, .msg_bytes = EVENTFD_BYTES, .latency = true,
	};

	return ipc_setup(ctx, state, &cfg);
}

const struct bench_desc bench_ipc_eventfd = {
	.name = "ipc_eventfd",
	.summary = "eventfd one-way wake-up latency (reference, latency only)",
	.unit = "half a round trip",
	.variants = efd_variants,
	.setup = efd_setup,
	.run = ipc_run,
	.teardown = ipc_teardown,
};
