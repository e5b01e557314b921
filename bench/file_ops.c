/*
 * file_ops - the file system calls a program makes most: open + close,
 * stat, fstat, lseek, create + unlink of small files (lmbench's lat_fs:
 * 0, 1, 4 and 10 KiB), read and write through the page cache across sizes,
 * and a 4 KiB write made durable with fsync; each on two file systems.
 *
 * The file system is the variant's suffix, "<op>@tmpfs" or "<op>@outfs":
 * the CSV contract has no column for it (placement is the CPU layout,
 * sweep the one swept parameter), and a variant is what `--filter` and
 * compare key on, so "read@outfs" on one host joins "read@outfs" on
 * another.  The note of every row names the file system's type:
 *   @tmpfs  a private folder in /dev/shm, the host's tmpfs (not a private
 *           tmpfs mount: that needs a user and a mount namespace, whose
 *           unmapped credentials would change what the counters and the
 *           other file system see in the same process);
 *   @outfs  a private folder in --out, on whatever holds the results
 *           (ext4, xfs, overlay, ...: the note says which).
 * The folder comes from bench_scratch_dir(): tracked in the runner's
 * cleanup list before it exists, so that it and its files are removed
 * whatever ends the configuration - teardown, a crash, the watchdog, or
 * primbench killed (SIGKILL: the supervising child's PDEATHSIG handler
 * sweeps the cleanup list); a later run removes those of a primbench whose
 * whole process group was killed.
 *
 * What is timed: run() whole, iters operations back to back, on files
 * made in setup (their pages are in the page cache: every read below is
 * a page-cache hit, and the read and write checks say so):
 *   open_close     openat(dir, "data", O_RDONLY) + close;
 *   stat, fstat    fstatat(dir, "data") / fstat(fd);
 *   lseek          lseek(fd, 0 or 4096, SEEK_SET), alternating;
 *   create_unlink  lmbench lat_fs: create x bytes' files one after the
 *                  other (openat O_CREAT|O_EXCL, write x bytes, close),
 *                  then unlink them all; one operation = one create + one
 *                  unlink; ns_create and ns_unlink report each phase per
 *                  file (the directory grows to iters entries meanwhile);
 *   read, write    pread / pwrite of x bytes at offset 0 of a file of x
 *                  bytes (64 B, 4 KiB, 1 MiB), bytes_per_s from the runner; the
 *                  write overwrites pages that are already there and dirty,
 *                  so it copies into the page cache and never allocates;
 *   fsync          pwrite of 4 KiB at offset 0, then fsync: one dirty page
 *                  and its metadata made durable (tmpfs: fsync is a no-op).
 * Paths are relative to the folder (openat/fstatat on its descriptor):
 * one lookup in the file system's directory, not a walk of --out's depth.
 *
 * Self-validation: read and write must take no block input (getrusage
 * ru_inblock, per operation as blocks_in_per_op): the data came from the
 * page cache, not the device.  The others have no counter that checks
 * them (n/a).
 *
 * Cost: --quick times one fsync in setup and skips the point if the
 * warm-up, calibration and five samples would take over 2 s (a slow
 * disk); without --quick, if one fsync takes over 1 s.  The data files
 * are at most 1 MiB and are overwritten in place; the created files are
 * unlinked within the sample, before writeback would write them.
 *
 * Known bias: each run() starts with the folder as the last run() left
 * it; ext4 and others keep deleted entries' slots, so create_unlink sees
 * a directory whose size is the largest sample's count.  fsync on @outfs
 * measures this host's disk and its cache policy as much as the kernel.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* The data file's name in the folder. */
#define FO_DATA "data"
/* Bytes of the data file for the calls that do not read it. */
#define FO_DATA_BYTES 8192
/* The fsync variant's write. */
#define FO_FSYNC_BYTES 4096
/* fsync bound: --quick skips a point whose FO_QUICK_OPS operations
 * (warm-up, calibration, the minimum samples) would take longer than
 * FO_QUICK_POINT_NS; a full run skips one fsync slower than FO_SLOW_NS. */
#define FO_QUICK_POINT_NS 2e9
#define FO_QUICK_OPS 8
#define FO_SLOW_NS 1e9
/* Block input per operation above which a read was not a cache hit. */
#define FO_BLOCKS_IN_MAX 0.01

/* The call one operation makes. */
enum fo_op {
	FO_OPEN_CLOSE, FO_STAT, FO_FSTAT, FO_LSEEK, FO_CREATE_UNLINK,
	FO_READ, FO_WRITE, FO_FSYNC,
};

/* What a variant is made of. */
struct fo_kind {
	const char *variant; /* the variant's name in fo_variants[] */
	enum fo_op op;       /* the call */
	enum bench_fs fs;    /* where its files live */
};

static const struct fo_kind fo_kinds[] = {
	{ "open_close@tmpfs", FO_OPEN_CLOSE, BENCH_FS_TMPFS },
	{ "stat@tmpfs", FO_STAT, BENCH_FS_TMPFS },
	{ "fstat@tmpfs", FO_FSTAT, BENCH_FS_TMPFS },
	{ "lseek@tmpfs", FO_LSEEK, BENCH_FS_TMPFS },
	{ "create_unlink@tmpfs", FO_CREATE_UNLINK, BENCH_FS_TMPFS },
	{ "read@tmpfs", FO_READ, BENCH_FS_TMPFS },
	{ "write@tmpfs", FO_WRITE, BENCH_FS_TMPFS },
	{ "fsync@tmpfs", FO_FSYNC, BENCH_FS_TMPFS },
	{ "open_close@outfs", FO_OPEN_CLOSE, BENCH_FS_OUT },
	{ "stat@outfs", FO_STAT, BENCH_FS_OUT },
	{ "fstat@outfs", FO_FSTAT, BENCH_FS_OUT },
	{ "lseek@outfs", FO_LSEEK, BENCH_FS_OUT },
	{ "create_unlink@outfs", FO_CREATE_UNLINK, BENCH_FS_OUT },
	{ "read@outfs", FO_READ, BENCH_FS_OUT },
	{ "write@outfs", FO_WRITE, BENCH_FS_OUT },
	{ "fsync@outfs", FO_FSYNC, BENCH_FS_OUT },
	{ NULL, FO_OPEN_CLOSE, BENCH_FS_TMPFS },
};

/* Per-configuration state. */
struct fo_state {
	struct fo_kind kind;      /* this variant */
	char dir[PATH_MAX];       /* the private folder (bench_scratch_dir) */
	char fstype[32];          /* its file system's type, for the note */
	int dirfd;                /* the folder, for the *at() calls; -1 */
	int fd;                   /* the data file, read-write; -1 */
	size_t size;              /* bytes per read/write/created file */
	unsigned char *buf;       /* size bytes (at least FO_FSYNC_BYTES), touched */
	uint64_t seq;             /* create_unlink: files created so far (names) */
};

/* "c" and n in hex into name (at least 18 bytes): a cheap unique name, so
 * that formatting it costs little next to the create it names. */
static void fo_name(char *name, uint64_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *p = name;

	*p++ = 'c';
	do {
		*p++ = hex[n & 15];
		n >>= 4;
	} while (n);
	*p = '\0';
}

/* Write len bytes of buf at offset 0 of fd, whole.  0 or -errno. */
static int fo_fill(int fd, const unsigned char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = pwrite(fd, buf + done, len - done, (off_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		done += (size_t)w;
	}
	return 0;
}

/* A file system error in setup: no room or no permission is this host's
 * limit (skipped), anything else a failure. */
static int fo_setup_error(struct bench_ctx *ctx, const struct fo_state *st, const char *what,
			  int rc)
{
	if (rc == -ENOSPC || rc == -EDQUOT || rc == -EACCES || rc == -EPERM || rc == -EROFS)
		return bench_skip(ctx, "%s in %s (%s): %s", what, st->dir, st->fstype, strerror(-rc));
	return bench_fail(ctx, rc, "%s in %s (%s): %s", what, st->dir, st->fstype, strerror(-rc));
}

/* One fsync operation: the 4 KiB write, then fsync.  0 or -errno. */
static int fo_fsync_once(struct fo_state *st)
{
	if (pwrite(st->fd, st->buf, FO_FSYNC_BYTES, 0) != FO_FSYNC_BYTES)
		return errno ? -errno : -EIO;
	return fsync(st->fd) < 0 ? -errno : 0;
}

/* fsync: one timed operation against the bounds in the header.  0, or
 * bench_skip()'s value with the estimate as the reason. */
static int fo_bound_fsync(struct bench_ctx *ctx, struct fo_state *st)
{
	uint64_t t0 = bench_now_ns();
	double ns;
	int rc = fo_fsync_once(st);

	if (rc < 0)
		return fo_setup_error(ctx, st, "probe write + fsync", rc);
	ns = (double)(bench_now_ns() - t0);
	if (bench_quick(ctx) && ns * FO_QUICK_OPS > FO_QUICK_POINT_NS)
		return bench_skip(ctx, "--quick: one fsync took %.0f ms on %s, about %.1f s for "
				  "this point; run without --quick for it", ns / 1e6, st->fstype,
				  ns * FO_QUICK_OPS / 1e9);
	if (ns > FO_SLOW_NS)
		return bench_skip(ctx, "one fsync took %.1f s on %s: too slow to sample", ns / 1e9,
				  st->fstype);
	return 0;
}

static void fo_teardown(struct bench_ctx *ctx, void *state);

static int fo_setup(struct bench_ctx *ctx, void **state)
{
	const struct bench_variant *v = bench_variant(ctx);
	const struct fo_kind *k = fo_kinds;
	struct fo_state *st;
	size_t data;
	int rc;

	while (k->variant && strcmp(k->variant, v->name) != 0)
		k++;
	if (!k->variant)
		return bench_fail(ctx, -EINVAL, "no file operation for variant %s", v->name);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->kind = *k;
	st->dirfd = -1;
	st->fd = -1;
	st->size = (k->op == FO_READ || k->op == FO_WRITE || k->op == FO_CREATE_UNLINK) ?
		(size_t)bench_x(ctx) : 0;
	rc = bench_scratch_dir(ctx, k->fs, "file_ops", st->dir, sizeof(st->dir));
	if (rc < 0) {
		free(st);
		if (rc == -ENODEV)
			return bench_skip(ctx, "/dev/shm is not a tmpfs on this host");
		if (rc == -ENOSPC || rc == -EACCES || rc == -EROFS || rc == -EDQUOT)
			return bench_skip(ctx, "no private folder on the %s file system: %s",
					  k->fs == BENCH_FS_TMPFS ? "tmpfs" : "--out", strerror(-rc));
		return bench_fail(ctx, rc, "making a private folder on the %s file system: %s",
				  k->fs == BENCH_FS_TMPFS ? "tmpfs" : "--out", strerror(-rc));
	}
	/* From here teardown releases whatever was made. */
	*state = st;
	bench_fs_type(st->dir, st->fstype, sizeof(st->fstype));
	bench_note(ctx, "on %s (%s)", st->fstype,
		   k->fs == BENCH_FS_TMPFS ? "/dev/shm" : "the file system of --out");
	st->dirfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->dirfd < 0) {
		rc = fo_setup_error(ctx, st, "open of the folder", -errno);
		goto out;
	}
	data = st->size > FO_DATA_BYTES ? st->size : FO_DATA_BYTES;
	st->buf = aligned_alloc(4096, (data + 4095) & ~(size_t)4095);
	if (!st->buf) {
		rc = -ENOMEM;
		goto out;
	}
	/* Touched: the buffer's first-use faults stay out of the samples. */
	memset(st->buf, 0x5a, data);
	st->fd = openat(st->dirfd, FO_DATA, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (st->fd < 0) {
		rc = fo_setup_error(ctx, st, "create of the data file", -errno);
		goto out;
	}
	/* Written, so every page is in the page cache before the samples. */
	rc = fo_fill(st->fd, st->buf, k->op == FO_READ || k->op == FO_WRITE ? st->size : data);
	if (rc < 0) {
		rc = fo_setup_error(ctx, st, "writing the data file", rc);
		goto out;
	}
	if (k->op == FO_FSYNC) {
		rc = fo_bound_fsync(ctx, st);
		if (rc < 0)
			goto out;
	}
	/* Test-only: hang, crash or hold with the folder and its file there. */
	rc = bench_inject_self(ctx);
	if (rc < 0)
		goto out;
	return 0;

out:
	fo_teardown(ctx, st);
	*state = NULL;
	return rc;
}

/* create_unlink: iters files created, then all unlinked.  0 or -errno. */
static int fo_create_unlink(struct bench_ctx *ctx, struct fo_state *st, uint64_t iters)
{
	uint64_t first = st->seq, t0, t1, t2;
	char name[24];

	t0 = bench_now_ns();
	for (uint64_t i = 0; i < iters; i++) {
		int fd;

		fo_name(name, st->seq++);
		fd = openat(st->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		if (st->size && write(fd, st->buf, st->size) != (ssize_t)st->size) {
			int err = errno ? errno : EIO;

			close(fd);
			return -err;
		}
		if (close(fd) < 0)
			return -errno;
	}
	t1 = bench_now_ns();
	for (uint64_t n = first; n < st->seq; n++) {
		fo_name(name, n);
		if (unlinkat(st->dirfd, name, 0) < 0)
			return -errno;
	}
	t2 = bench_now_ns();
	bench_sample_metric(ctx, "ns_create", "ns", (double)(t1 - t0) / (double)iters);
	bench_sample_metric(ctx, "ns_unlink", "ns", (double)(t2 - t1) / (double)iters);
	return 0;
}

/* One operation of the simple calls.  0 or -errno. */
static int fo_once(struct fo_state *st, uint64_t i)
{
	struct stat sb;
	ssize_t n;
	int fd;

	switch (st->kind.op) {
	case FO_OPEN_CLOSE:
		fd = openat(st->dirfd, FO_DATA, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		return close(fd) < 0 ? -errno : 0;
	case FO_STAT:
		return fstatat(st->dirfd, FO_DATA, &sb, 0) < 0 ? -errno : 0;
	case FO_FSTAT:
		return fstat(st->fd, &sb) < 0 ? -errno : 0;
	case FO_LSEEK:
		return lseek(st->fd, (i & 1) ? 4096 : 0, SEEK_SET) < 0 ? -errno : 0;
	case FO_READ:
		n = pread(st->fd, st->buf, st->size, 0);
		return n == (ssize_t)st->size ? 0 : n < 0 ? -errno : -EIO;
	case FO_WRITE:
		n = pwrite(st->fd, st->buf, st->size, 0);
		return n == (ssize_t)st->size ? 0 : n < 0 ? -errno : -EIO;
	case FO_FSYNC:
		return fo_fsync_once(st);
	case FO_CREATE_UNLINK:
	default:
		return -EINVAL;
	}
}

static int fo_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct fo_state *st = state;
	bool io = st->kind.op == FO_READ || st->kind.op == FO_WRITE;
	struct rusage r0, r1;
	int rc = 0;

	/* Block input over the whole call: a read that missed the page cache
	 * shows here, not in any fault count. */
	if (io)
		getrusage(RUSAGE_THREAD, &r0);
	if (st->kind.op == FO_CREATE_UNLINK) {
		rc = fo_create_unlink(ctx, st, iters);
	} else {
		for (uint64_t i = 0; i < iters && rc == 0; i++)
			rc = fo_once(st, i);
	}
	if (rc < 0)
		return bench_fail(ctx, rc, "%s on %s: %s", st->kind.variant, st->fstype,
				  strerror(-rc));
	if (io) {
		getrusage(RUSAGE_THREAD, &r1);
		bench_set_bytes(ctx, iters * st->size);
		bench_sample_metric(ctx, "blocks_in_per_op", "blocks/op",
				    (double)(r1.ru_inblock - r0.ru_inblock) / (double)iters);
	}
	return 0;
}

static void fo_teardown(struct bench_ctx *ctx, void *state)
{
	struct fo_state *st = state;

	if (st->fd >= 0)
		close(st->fd);
	if (st->dirfd >= 0)
		close(st->dirfd);
	/* Removes the data file and any created file a failed sample left. */
	bench_scratch_remove(ctx, st->dir);
	free(st->buf);
	free(st);
}

/* read and write: no block input, so the data came from the page cache. */
static enum bench_valid fo_validate_cached(const struct bench_judge *j, char *note, size_t len)
{
	double b = j->metric(j, "blocks_in_per_op");

	if (isnan(b)) {
		snprintf(note, len, "no block-input count: page-cache check not made");
		return BENCH_VALID_NA;
	}
	if (b > FO_BLOCKS_IN_MAX) {
		snprintf(note, len, "%.3g blocks read from the device per op: not a page-cache hit", b);
		return BENCH_VALID_FAIL;
	}
	return BENCH_VALID_PASS;
}

/* lmbench lat_fs's file sizes. */
static const double fo_create_sizes[] = { 0.0, 1024.0, 4096.0, 10240.0 };
/* read/write sizes, 64 B to 1 MiB: the call's fixed cost (a cache line's
 * copy), one page, and a copy whose bandwidth dominates.  Three points,
 * not more: each is a configuration on each file system, and the family's
 * --quick run should stay near 5 s on a 2-CPU host. */
static const double fo_io_sizes[] = { 64.0, 4096.0, 1048576.0 };

#define FO_PLAIN(vname, text) { .name = vname, .summary = text }
#define FO_SWEPT(vname, text, sizes, check) {                                 \
		.name = vname, .summary = text, .sweep = "size_bytes",          \
		.xs = sizes, .nx = sizeof(sizes) / sizeof(sizes[0]),            \
		.validate = (check),                                            \
	}
/* One file system's variants; names match fo_kinds[]. */
#define FO_VARIANTS(fs, where)                                                  \
	FO_PLAIN("open_close@" fs, "openat(O_RDONLY) + close of a file " where),   \
	FO_PLAIN("stat@" fs, "fstatat of a file by name " where),                  \
	FO_PLAIN("fstat@" fs, "fstat of an open file " where),                     \
	FO_PLAIN("lseek@" fs, "lseek(SEEK_SET) on a file " where),                 \
	FO_SWEPT("create_unlink@" fs, "create + write x bytes + close, later unlink (lat_fs) " where, \
		 fo_create_sizes, NULL),                                          \
	FO_SWEPT("read@" fs, "pread of x bytes from the page cache " where,        \
		 fo_io_sizes, fo_validate_cached),                                \
	FO_SWEPT("write@" fs, "pwrite of x bytes into cached pages " where,        \
		 fo_io_sizes, fo_validate_cached),                                \
	FO_PLAIN("fsync@" fs, "pwrite 4 KiB + fsync " where)

static const struct bench_variant fo_variants[] = {
	FO_VARIANTS("tmpfs", "in /dev/shm (tmpfs)"),
	FO_VARIANTS("outfs", "on the file system of --out"),
	{ .name = NULL },
};

const struct bench_desc bench_file_ops = {
	.name = "file_ops",
	.summary = "file system calls (open, stat, lseek, create/unlink, read/write, fsync) on tmpfs and --out's fs",
	.unit = "one call (create_unlink: one create + one unlink)",
	.variants = fo_variants,
	.setup = fo_setup,
	.run = fo_run,
	.teardown = fo_teardown,
};
