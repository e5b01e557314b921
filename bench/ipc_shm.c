/*
 * ipc_shm - throughput and one-way latency of a shared-memory ring:
 * POSIX (shm_open + mmap) and System V (shmget + shmat) memory, the same
 * single-producer single-consumer ring on both.
 *
 * What is measured (shared loop, check and timing: bench/lib/ipc_transport.c):
 *   posix, sysv  `sweep=msg_bytes` 64 B .. 1 MiB: the sender copies `iters`
 *                messages into ring slots, the receiver copies each out into
 *                its own buffer and checks every byte; timed until it has
 *                confirmed them all.  Copying in and out is deliberate: it is
 *                what the other mechanisms do in the kernel, so the numbers
 *                compare (a zero-copy ring would measure something else).
 *   posix_lat, sysv_lat  ping-pong of a 64 B message over two rings; an
 *                operation is half a round trip (one-way latency).
 *
 * The ring: a 4 KiB header page (producer and consumer counters on their
 * own cache lines) and nslots slots of msg_bytes (rounded to 64 B), with
 * nslots = 256 KiB / slot, at least 4 and at most 1024 - a buffer of the
 * order of a socket's.  Who waits sleeps in FUTEX_WAIT on the other side's
 * counter (a shared futex: no FUTEX_PRIVATE_FLAG, the two are separate
 * processes); the other side issues FUTEX_WAKE only when the waiter has
 * raised its flag, so a ring that never runs empty or full makes no system
 * call at all.  No spinning: a wait is a sleep, as in the other families.
 * Waits time out every 100 ms to check that the peer is alive.
 *
 * Cleanup: names are run-unique; the POSIX object is unlinked and the SysV
 * segment IPC_RMID'd as soon as both processes have it mapped, so nothing
 * is left under /dev/shm or in ipcs even if everything is killed.
 *
 * Known bias: none beyond the shared loop's; both processes prefault the
 * whole ring in setup (MAP_POPULATE, or a read of every page after shmat),
 * so no timed message takes a first-touch fault.  The POSIX object is
 * reserved with posix_fallocate() first, so a /dev/shm too small for it is
 * a skipped row naming ENOSPC, not a SIGBUS; no /dev/shm at all is skipped
 * too (SysV segments do not live there and still run).
 *
 * Test-only fault injection: PRIMBENCH_INJECT=ipc_shm:hang|crash|corrupt.
 */
#include "bench.h"
#include "lib/ipc_transport.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Header page: counters first, slots from here on. */
#define RING_HDR_BYTES 4096
/* Slot alignment: a cache line, so neighbouring slots never share one. */
#define RING_SLOT_ALIGN 64
/* Ring buffer size the slot count aims for. */
#define RING_TARGET_BYTES (256 * 1024)
/* Fewest and most slots. */
#define RING_MIN_SLOTS 4
#define RING_MAX_SLOTS 1024
/* A futex wait gives up after this long to check the peer. */
#define RING_WAIT_NS 100000000L

/* The shared header.  Each side writes one line only. */
struct ring_hdr {
	uint32_t head;           /* messages published (producer writes; futex word) */
	uint32_t tx_wait;        /* producer sleeps (or is about to) on tail */
	char pad0[56];           /* keeps the consumer's line separate */
	uint32_t tail;           /* messages consumed (consumer writes; futex word) */
	uint32_t rx_wait;        /* consumer sleeps (or is about to) on head */
	char pad1[56];           /* rest of the line */
};

_Static_assert(sizeof(struct ring_hdr) <= RING_HDR_BYTES, "header fits its page");

/* Slot geometry of a ring for msg_bytes. */
static size_t ring_slot_bytes(size_t msg_bytes)
{
	return (msg_bytes + RING_SLOT_ALIGN - 1) / RING_SLOT_ALIGN * RING_SLOT_ALIGN;
}

static uint32_t ring_nslots(size_t msg_bytes)
{
	size_t n = RING_TARGET_BYTES / ring_slot_bytes(msg_bytes);

	if (n < RING_MIN_SLOTS)
		n = RING_MIN_SLOTS;
	if (n > RING_MAX_SLOTS)
		n = RING_MAX_SLOTS;
	return (uint32_t)n;
}

static size_t ring_bytes(size_t msg_bytes)
{
	return RING_HDR_BYTES + (size_t)ring_nslots(msg_bytes) * ring_slot_bytes(msg_bytes);
}

static unsigned char *ring_slot(const struct ipc_chan *ch, uint32_t n)
{
	return (unsigned char *)ch->mem + RING_HDR_BYTES +
	       (size_t)(n % ring_nslots(ch->msg_bytes)) * ring_slot_bytes(ch->msg_bytes);
}

static long ring_futex(uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

/*
 * Wait until *word != stuck.  The waiter raises its flag, then looks at the
 * word again before sleeping; the other side stores the word, then reads
 * the flag (all sequentially consistent), so one of the two always sees
 * the other: no lost wake-up.  FUTEX_WAIT re-checks *word == stuck in the
 * kernel, which closes the rest.  0, or -EPIPE when the peer is gone.
 */
static int ring_wait(struct ipc_chan *ch, uint32_t *word, uint32_t *flag, uint32_t stuck)
{
	const struct timespec ts = { 0, RING_WAIT_NS };

	if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != stuck)
		return 0;
	for (;;) {
		__atomic_store_n(flag, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != stuck)
			break;
		if (ring_futex(word, FUTEX_WAIT, stuck, &ts) < 0 &&
		    (errno == ETIMEDOUT || errno == EINTR) && !ipc_retry(ch)) {
			__atomic_store_n(flag, 0, __ATOMIC_RELAXED);
			ch->what = "futex wait";
			return -EPIPE;
		}
	}
	__atomic_store_n(flag, 0, __ATOMIC_RELAXED);
	return 0;
}

/* Publish a counter, then wake the other side if it said it sleeps. */
static void ring_publish(uint32_t *word, uint32_t val, uint32_t *flag)
{
	__atomic_store_n(word, val, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(flag, __ATOMIC_SEQ_CST))
		ring_futex(word, FUTEX_WAKE, 1, NULL);
}

static int ring_send(struct ipc_chan *ch, void *buf, size_t len)
{
	struct ring_hdr *r = ch->mem;
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
	int rc;

	/* Full while tail == head - nslots. */
	rc = ring_wait(ch, &r->tail, &r->tx_wait, head - ring_nslots(ch->msg_bytes));
	if (rc < 0)
		return rc;
	memcpy(ring_slot(ch, head), buf, len);
	ring_publish(&r->head, head + 1, &r->rx_wait);
	return 0;
}

static int ring_recv(struct ipc_chan *ch, void *buf, size_t len)
{
	struct ring_hdr *r = ch->mem;
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
	int rc;

	/* Empty while head == tail. */
	rc = ring_wait(ch, &r->head, &r->rx_wait, tail);
	if (rc < 0)
		return rc;
	memcpy(buf, ring_slot(ch, tail), len);
	ring_publish(&r->tail, tail + 1, &r->tx_wait);
	return 0;
}

/* --- POSIX shared memory ------------------------------------------------------------ */

static int pshm_create(struct ipc_chan *ch)
{
	int rc;

	ch->mem_bytes = ring_bytes(ch->msg_bytes);
	ch->fd = shm_open(ch->name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (ch->fd < 0) {
		int e = errno;

		ch->name[0] = 0;
		/* The host lacks the facility: no /dev/shm (glibc opens
		 * /dev/shm/<name>: ENOENT; older ones say ENOSYS), one that
		 * is read-only or not ours to write, or out of inodes. */
		if (e == ENOENT || e == ENOSYS)
			return bench_skip(ch->ctx, "shm_open: %s (%s): no /dev/shm to hold POSIX "
					  "shared memory", strerror(e), e == ENOENT ? "ENOENT" : "ENOSYS");
		if (e == EROFS || e == EACCES || e == ENOSPC)
			return bench_skip(ch->ctx, "shm_open: %s (%s): /dev/shm cannot take a new object",
					  strerror(e), e == EROFS ? "EROFS" : e == EACCES ? "EACCES" : "ENOSPC");
		return bench_fail(ch->ctx, -e, "shm_open(%s): %s", ch->name, strerror(e));
	}
	/* A fresh object reads as zeros: head = tail = 0, both flags down.
	 * Then every byte is reserved: tmpfs takes an ftruncate beyond its
	 * free space and allocates a page only at its first touch, which on
	 * a full /dev/shm is SIGBUS (the prefault of open_end() killed the
	 * benchmark).  posix_fallocate() fails with ENOSPC instead, before
	 * the object is mapped. */
	rc = ftruncate(ch->fd, (off_t)ch->mem_bytes) < 0 ? errno : 0;
	if (rc == 0)
		rc = posix_fallocate(ch->fd, 0, (off_t)ch->mem_bytes);
	if (rc != 0) {
		int e = rc;

		close(ch->fd);
		ch->fd = -1;
		shm_unlink(ch->name);
		ch->name[0] = 0;
		if (e == ENOSPC || e == EFBIG)
			return bench_skip(ch->ctx, "reserving a %zu B /dev/shm object: %s (%s): "
					  "/dev/shm is full or too small", ch->mem_bytes, strerror(e),
					  e == ENOSPC ? "ENOSPC" : "EFBIG");
		return bench_fail(ch->ctx, -e, "ftruncate/posix_fallocate(%zu): %s", ch->mem_bytes,
				  strerror(e));
	}
	return 0;
}

/* The sender maps the object it created; the receiver drops the inherited
 * descriptor and opens the object by name.  Both prefault the mapping so
 * that no timed message takes the first-touch faults. */
static int pshm_open_end(struct ipc_chan *ch, enum ipc_dir dir)
{
	(void)dir;
	if (!ch->creator) {
		close(ch->fd);
		ch->fd = shm_open(ch->name, O_RDWR | O_CLOEXEC, 0);
		if (ch->fd < 0) {
			ch->what = "shm_open by name";
			return -errno;
		}
	}
	ch->mem = mmap(NULL, ch->mem_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       ch->fd, 0);
	if (ch->mem == MAP_FAILED) {
		ch->mem = NULL;
		ch->what = "mmap";
		return -errno;
	}
	close(ch->fd);
	ch->fd = -1;
	return 0;
}

static int pshm_remove(struct ipc_chan *ch)
{
	return shm_unlink(ch->name) < 0 && errno != ENOENT ? -errno : 0;
}

static void pshm_close(struct ipc_chan *ch)
{
	if (ch->mem)
		munmap(ch->mem, ch->mem_bytes);
	ch->mem = NULL;
	ipc_fd_close(ch);
}

static const struct ipc_ops pshm_ops = {
	.name = "POSIX shm ring",
	.obj = BENCH_OBJ_POSIX_SHM,
	.tag = "shm",
	.create = pshm_create,
	.open_end = pshm_open_end,
	.remove = pshm_remove,
	.send = ring_send,
	.recv = ring_recv,
	.close = pshm_close,
};

/* --- System V shared memory ------------------------------------------------------------- */

static int sshm_create(struct ipc_chan *ch)
{
	ch->mem_bytes = ring_bytes(ch->msg_bytes);
	ch->id = shmget(IPC_PRIVATE, ch->mem_bytes, IPC_CREAT | 0600);
	if (ch->id < 0) {
		int e = errno;

		if (e == EINVAL || e == ENOSPC || e == ENOMEM)
			return bench_skip(ch->ctx, "shmget(%zu B): %s (shmmax, shmall or shmmni)",
					  ch->mem_bytes, strerror(e));
		return bench_fail(ch->ctx, -e, "shmget(%zu B): %s", ch->mem_bytes, strerror(e));
	}
	return 0;
}

/* Each process attaches by id after the fork (nothing attached is
 * inherited), then touches every page so no timed message faults. */
static int sshm_open_end(struct ipc_chan *ch, enum ipc_dir dir)
{
	void *p = shmat(ch->id, NULL, 0);

	(void)dir;
	if (p == (void *)-1) {
		ch->what = "shmat";
		return -errno;
	}
	ch->mem = p;
	for (size_t off = 0; off < ch->mem_bytes; off += 4096)
		__atomic_load_n((volatile unsigned char *)p + off, __ATOMIC_RELAXED);
	return 0;
}

static int sshm_remove(struct ipc_chan *ch)
{
	return shmctl(ch->id, IPC_RMID, NULL) < 0 && errno != EINVAL && errno != EIDRM ? -errno : 0;
}

static void sshm_close(struct ipc_chan *ch)
{
	if (ch->mem)
		shmdt(ch->mem);
	ch->mem = NULL;
}

static const struct ipc_ops sshm_ops = {
	.name = "SysV shm ring",
	.obj = BENCH_OBJ_SYSV_SHM,
	.create = sshm_create,
	.open_end = sshm_open_end,
	.remove = sshm_remove,
	.send = ring_send,
	.recv = ring_recv,
	.close = sshm_close,
};

/* --- the family ----------------------------------------------------------------------------- */

static const struct bench_variant shm_variants[] = {
	{ .name = "posix", .summary = "SPSC ring in POSIX shm, futex wake-ups: copy in, copy out, check",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	{ .name = "sysv", .summary = "SPSC ring in SysV shm, futex wake-ups: copy in, copy out, check",
	  .sweep = "msg_bytes", .xs = ipc_msg_sizes, .nx = IPC_NSIZES,
	  .flags = BENCH_V_PAIR | BENCH_V_FIT_PER_MIB },
	{ .name = "posix_lat", .summary = "64 B ping-pong over two POSIX shm rings; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	{ .name = "sysv_lat", .summary = "64 B ping-pong over two SysV shm rings; op = half a round trip",
	  .flags = BENCH_V_PAIR, .validate = ipc_validate_latency },
	{ .name = NULL },
};

static int shm_setup(struct bench_ctx *ctx, void **state)
{
	const struct bench_variant *v = bench_variant(ctx);
	struct ipc_cfg cfg = {
		.ops = (v == &shm_variants[0] || v == &shm_variants[2]) ? &pshm_ops : &sshm_ops,
		.latency = v == &shm_variants[2] || v == &shm_variants[3],
	};

	cfg.msg_bytes = cfg.latency ? IPC_LAT_BYTES : (size_t)bench_x(ctx);
	ipc_note_add(&cfg, "ring of %u x %zu B slots", ring_nslots(cfg.msg_bytes),
		     ring_slot_bytes(cfg.msg_bytes));
	return ipc_setup(ctx, state, &cfg);
}

const struct bench_desc bench_ipc_shm = {
	.name = "ipc_shm",
	.summary = "shared-memory SPSC ring (POSIX, SysV) throughput and one-way latency",
	.unit = "message delivered and checked (lat: half a round trip)",
	.variants = shm_variants,
	.setup = shm_setup,
	.run = ipc_run,
	.teardown = ipc_teardown,
};
