/*
 * file_mmap - file-backed mappings: the cost of mapping and unmapping a
 * file, and of a page fault on a file page that is in the page cache,
 * against one on anonymous memory.
 *
 * What is measured:
 *   mmap_munmap      mmap(PROT_READ, MAP_SHARED) of x bytes of a file on
 *                    the file system of --out, then munmap; no page is
 *                    touched.  run() timed whole.  The file is sparse
 *                    (ftruncate), so its size costs neither disk nor memory.
 *   fault_file@tmpfs, fault_file@outfs
 *                    a read of one byte of a page of a file mapping
 *                    (MAP_SHARED, PROT_READ, MADV_RANDOM) whose page is in
 *                    the page cache: a minor fault that finds the page and
 *                    maps it - no I/O, no allocation.
 *   fault_anon_read  a read of a page of a fresh anonymous mapping: the
 *                    fault maps the shared zero page.
 *   fault_anon_write a write to such a page: the fault allocates and
 *                    zeroes a page (mm_alloc's touch, one page at a time).
 * For the fault variants one operation is one touch, and only the touches
 * are timed (bench_window_begin/end around each pass over a fresh 4 MiB
 * mapping; the mmap and munmap between passes are outside the window).
 * ns_per_page spreads the same time over the pages the faults mapped.
 *
 * Fault-around: a read fault on a file mapping maps the cached pages
 * around it too (fault_around_bytes, 64 KiB by default: 16 pages), and a
 * large folio in the page cache may be mapped whole.  MADV_RANDOM does not
 * turn that off on every kernel (6.18 maps 16 pages per fault with it),
 * and fault_around_bytes is only in debugfs.  So setup measures what this
 * kernel does: it touches every page of one mapping and counts its minor
 * faults (getrusage), rounds pages per fault to a power of two, and then
 * touches one page in every that many - each touch one fault.  The note
 * says the stride.  The file is written 4 KiB at a time, so its page cache
 * holds small folios (a 2 MiB write makes ext4 keep a 2 MiB folio, mapped
 * in one fault).  Transparent huge pages are disabled for the process
 * (PR_SET_THP_DISABLE), as in mm_alloc: the anonymous variants fault 4 KiB
 * pages, one per touch.
 *
 * Self-validation: every fault variant must take about one minor fault per
 * operation (minor_faults_per_op in [0.9, 1.1]; faults_per_op when the
 * minor count is unavailable), i.e. the stride found in setup holds for
 * the whole run; mmap_munmap, which touches nothing, less than half a
 * fault per operation.
 *
 * Files: made in a private folder (bench_scratch_dir, tracked by the
 * runner's cleanup list), opened, and unlinked with the folder at
 * once: from then on the file is only an open descriptor, which the kernel
 * frees with the process however it ends, and its dirty pages are dropped
 * without writeback.
 *
 * Known bias: the file fault is measured on pages that stay in the page
 * cache between passes, and the touch order is ascending, which is what
 * fault-around favours; a random order would map fewer pages per fault.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* Bytes of one fault pass's mapping (and of the faulted file). */
#define FM_FAULT_BYTES (4ul << 20)
/* Accepted minor faults per operation of a fault variant. */
#define FM_FAULT_LO 0.9
#define FM_FAULT_HI 1.1
/* Largest stride a measurement may give: one PMD's pages. */
#define FM_MAX_STRIDE 512

/* What a variant does. */
enum fm_op { FM_MMAP_MUNMAP, FM_FAULT_FILE, FM_FAULT_ANON_READ, FM_FAULT_ANON_WRITE };

/* What a variant is made of. */
struct fm_kind {
	const char *variant; /* the variant's name in fm_variants[] */
	enum fm_op op;       /* what one operation is */
	enum bench_fs fs;    /* where the file lives (file variants) */
};

static const struct fm_kind fm_kinds[] = {
	{ "mmap_munmap@outfs", FM_MMAP_MUNMAP, BENCH_FS_OUT },
	{ "fault_file@tmpfs", FM_FAULT_FILE, BENCH_FS_TMPFS },
	{ "fault_file@outfs", FM_FAULT_FILE, BENCH_FS_OUT },
	{ "fault_anon_read", FM_FAULT_ANON_READ, BENCH_FS_TMPFS },
	{ "fault_anon_write", FM_FAULT_ANON_WRITE, BENCH_FS_TMPFS },
	{ NULL, FM_MMAP_MUNMAP, BENCH_FS_TMPFS },
};

/* Per-configuration state. */
struct fm_state {
	struct fm_kind kind;   /* this variant */
	int fd;                /* the (unlinked) file; -1 for anonymous */
	size_t map_bytes;      /* bytes of each mapping */
	size_t page;           /* page size */
	size_t stride;         /* pages per fault, measured: touch 1 in stride */
	int thp_was;           /* PR_GET_THP_DISABLE before setup, -1 unknown */
	char fstype[32];       /* the file's file system, for the note */
};

static long fm_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? ru.ru_minflt : -1;
}

/* A fresh mapping of st->map_bytes the variant's way; MAP_FAILED with
 * errno on failure. */
static void *fm_map(const struct fm_state *st)
{
	void *p;

	if (st->fd < 0)
		return mmap(NULL, st->map_bytes, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = mmap(NULL, st->map_bytes, PROT_READ, MAP_SHARED, st->fd, 0);
	/* Asked for, though not every kernel honours it (see the header). */
	if (p != MAP_FAILED && st->kind.op == FM_FAULT_FILE)
		madvise(p, st->map_bytes, MADV_RANDOM);
	return p;
}

/* Touch n pages of p, one in every st->stride, from the first. */
static void fm_touch(const struct fm_state *st, unsigned char *p, size_t n)
{
	volatile unsigned char *q = p;
	size_t step = st->stride * st->page;
	unsigned char sink = 0;

	if (st->kind.op == FM_FAULT_ANON_WRITE) {
		for (size_t i = 0; i < n; i++)
			q[i * step] = 1;
		return;
	}
	for (size_t i = 0; i < n; i++)
		sink += q[i * step];
	__asm__ volatile("" : : "r"(sink));
}

/* Pages one fault maps here: touch every page of one mapping, count the
 * minor faults, round pages per fault to a power of two.  0 or -errno. */
static int fm_measure_stride(struct fm_state *st, size_t *faults_seen)
{
	size_t pages = st->map_bytes / st->page, ppf;
	unsigned char *p;
	long f0, f1;

	st->stride = 1;
	p = fm_map(st);
	if (p == MAP_FAILED)
		return -errno;
	f0 = fm_minflt();
	fm_touch(st, p, pages);
	f1 = fm_minflt();
	munmap(p, st->map_bytes);
	if (f0 < 0 || f1 <= f0)
		return -EPROTO;
	*faults_seen = (size_t)(f1 - f0);
	/* Nearest power of two to pages / faults (33 faults for 512 pages
	 * is 16 per fault, one extra where the mapping is not aligned). */
	ppf = (pages + *faults_seen / 2) / *faults_seen;
	while (st->stride * 2 <= FM_MAX_STRIDE && st->stride * 3 / 2 < ppf)
		st->stride *= 2;
	return 0;
}

/* The variant's file, in a private folder removed at once: a descriptor
 * the kernel frees with the process.  bytes are written 4 KiB at a time
 * (small folios) unless sparse.  0 or the value of bench_skip/bench_fail. */
static int fm_file(struct bench_ctx *ctx, struct fm_state *st, size_t bytes, bool sparse)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	unsigned char page[4096];
	const char *where = st->kind.fs == BENCH_FS_TMPFS ? "tmpfs" : "--out";
	int rc, err = 0;

	rc = bench_scratch_dir(ctx, st->kind.fs, "file_mmap", dir, sizeof(dir));
	if (rc == -ENODEV)
		return bench_skip(ctx, "/dev/shm is not a tmpfs on this host");
	if (rc < 0)
		return bench_fail(ctx, rc, "making a private folder on the %s file system: %s",
				  where, strerror(-rc));
	bench_fs_type(dir, st->fstype, sizeof(st->fstype));
	snprintf(path, sizeof(path), "%s/data", dir);
	st->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (st->fd < 0)
		err = errno;
	else
		unlink(path);
	memset(page, 0x5a, sizeof(page));
	if (!err && sparse && ftruncate(st->fd, (off_t)bytes) < 0)
		err = errno;
	for (size_t off = 0; !err && !sparse && off < bytes; off += sizeof(page))
		if (pwrite(st->fd, page, sizeof(page), (off_t)off) != (ssize_t)sizeof(page))
			err = errno ? errno : EIO;
	rc = bench_scratch_remove(ctx, dir);
	if (!err && rc < 0)
		err = -rc;
	if (!err)
		return 0;
	if (err == ENOSPC || err == EDQUOT || err == EFBIG)
		return bench_skip(ctx, "a %zu-byte file on %s (%s): %s", bytes, st->fstype, where,
				  strerror(err));
	return bench_fail(ctx, -err, "a %zu-byte file on %s (%s): %s", bytes, st->fstype, where,
			  strerror(err));
}

static void fm_teardown(struct bench_ctx *ctx, void *state);

static int fm_setup(struct bench_ctx *ctx, void **state)
{
	const struct bench_variant *v = bench_variant(ctx);
	const struct fm_kind *k = fm_kinds;
	struct fm_state *st;
	size_t faults = 0;
	int rc;

	while (k->variant && strcmp(k->variant, v->name) != 0)
		k++;
	if (!k->variant)
		return bench_fail(ctx, -EINVAL, "no mapping for variant %s", v->name);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->kind = *k;
	st->fd = -1;
	st->page = (size_t)sysconf(_SC_PAGESIZE);
	st->stride = 1;
	st->thp_was = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);
	*state = st;
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0) {
		rc = bench_fail(ctx, -errno, "PR_SET_THP_DISABLE: %s", strerror(errno));
		goto out;
	}
	if (k->op == FM_MMAP_MUNMAP) {
		st->map_bytes = (size_t)bench_x(ctx);
		rc = fm_file(ctx, st, st->map_bytes, true);
		if (rc < 0)
			goto out;
		bench_note(ctx, "a sparse file on %s (the file system of --out)", st->fstype);
	} else {
		st->map_bytes = FM_FAULT_BYTES;
		if (k->op == FM_FAULT_FILE) {
			rc = fm_file(ctx, st, st->map_bytes, false);
			if (rc < 0)
				goto out;
		}
		rc = fm_measure_stride(st, &faults);
		if (rc < 0) {
			rc = bench_fail(ctx, rc, "measuring pages per fault: %s", strerror(-rc));
			goto out;
		}
		if (k->op == FM_FAULT_FILE)
			bench_note(ctx, "page-cache hit on %s (%s): %zu minor faults for %zu pages "
				   "touched in setup, so 1 page in %zu touched (%s)", st->fstype,
				   k->fs == BENCH_FS_TMPFS ? "/dev/shm" : "the file system of --out",
				   faults, st->map_bytes / st->page, st->stride,
				   st->stride > 1 ? "fault-around maps the rest" : "one page per fault");
		else
			bench_note(ctx, "anonymous, THP off: %zu minor faults for %zu pages touched in "
				   "setup, so %s", faults, st->map_bytes / st->page,
				   st->stride > 1 ? "1 page in a stride touched" : "every page touched");
	}
	/* Test-only: hang, crash or hold once everything is made. */
	rc = bench_inject_self(ctx);
	if (rc < 0)
		goto out;
	return 0;

out:
	fm_teardown(ctx, st);
	*state = NULL;
	return rc;
}

/* mmap_munmap: iters map + unmap pairs.  0 or -errno. */
static int fm_run_map(struct fm_state *st, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++) {
		void *p = fm_map(st);

		if (p == MAP_FAILED)
			return -errno;
		if (munmap(p, st->map_bytes) < 0)
			return -errno;
	}
	return 0;
}

static int fm_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct fm_state *st = state;
	size_t per_map = st->map_bytes / st->page / st->stride;
	uint64_t done = 0, ns = 0;
	int rc = 0;

	if (st->kind.op == FM_MMAP_MUNMAP) {
		rc = fm_run_map(st, iters);
		if (rc < 0)
			return bench_fail(ctx, rc, "mmap/munmap of %zu bytes: %s", st->map_bytes,
					  strerror(-rc));
		return 0;
	}
	/* Pass after pass over fresh mappings, only the touches timed. */
	while (done < iters) {
		size_t n = iters - done < per_map ? (size_t)(iters - done) : per_map;
		unsigned char *p = fm_map(st);
		uint64_t t0;

		if (p == MAP_FAILED)
			return bench_fail(ctx, -errno, "mmap of %zu bytes: %s", st->map_bytes,
					  strerror(errno));
		bench_window_begin(ctx);
		t0 = bench_now_ns();
		fm_touch(st, p, n);
		ns += bench_now_ns() - t0;
		bench_window_end(ctx);
		munmap(p, st->map_bytes);
		done += n;
	}
	bench_sample_metric(ctx, "ns_per_page", "ns",
			    (double)ns / (double)iters / (double)st->stride);
	return 0;
}

static void fm_teardown(struct bench_ctx *ctx, void *state)
{
	struct fm_state *st = state;

	(void)ctx;
	if (st->fd >= 0)
		close(st->fd);
	if (st->thp_was >= 0)
		prctl(PR_SET_THP_DISABLE, st->thp_was, 0, 0, 0);
	free(st);
}

/* The minor-fault count per operation (page faults when it is missing). */
static double fm_faults(const struct bench_judge *j)
{
	double f = j->metric(j, "minor_faults_per_op");

	return isnan(f) ? j->metric(j, "faults_per_op") : f;
}

/* Fault variants: one minor fault per touch at the measured stride. */
static enum bench_valid fm_validate_fault(const struct bench_judge *j, char *note, size_t len)
{
	double f = fm_faults(j);

	if (isnan(f)) {
		snprintf(note, len, "no page-fault count: fault check not made");
		return BENCH_VALID_NA;
	}
	if (f < FM_FAULT_LO || f > FM_FAULT_HI) {
		snprintf(note, len, "%.3g minor faults per touch, expected 1 (accepted [%.1f, %.1f])",
			 f, FM_FAULT_LO, FM_FAULT_HI);
		return BENCH_VALID_FAIL;
	}
	return BENCH_VALID_PASS;
}

/* mmap_munmap: nothing is touched, so nothing may fault. */
static enum bench_valid fm_validate_untouched(const struct bench_judge *j, char *note, size_t len)
{
	double f = fm_faults(j);

	if (isnan(f)) {
		snprintf(note, len, "no page-fault count: fault check not made");
		return BENCH_VALID_NA;
	}
	if (f >= 0.5) {
		snprintf(note, len, "%.3g page faults per mmap + munmap, but no page is touched", f);
		return BENCH_VALID_FAIL;
	}
	return BENCH_VALID_PASS;
}

/* 4 KiB to 256 MiB in powers of 16. */
static const double fm_sizes[] = { 4096.0, 65536.0, 1048576.0, 16777216.0, 268435456.0 };

static const struct bench_variant fm_variants[] = {
	{ .name = "mmap_munmap@outfs", .summary = "mmap + munmap of x bytes of a file on --out's fs, untouched",
	  .sweep = "size_bytes", .xs = fm_sizes, .nx = sizeof(fm_sizes) / sizeof(fm_sizes[0]),
	  .validate = fm_validate_untouched },
	{ .name = "fault_file@tmpfs", .summary = "read fault on a cached page of a tmpfs file mapping",
	  .validate = fm_validate_fault },
	{ .name = "fault_file@outfs", .summary = "read fault on a cached page of a file on --out's fs",
	  .validate = fm_validate_fault },
	{ .name = "fault_anon_read", .summary = "read fault on anonymous memory (maps the zero page)",
	  .validate = fm_validate_fault },
	{ .name = "fault_anon_write", .summary = "write fault on anonymous memory (allocate + zero a page)",
	  .validate = fm_validate_fault },
	{ .name = NULL },
};

const struct bench_desc bench_file_mmap = {
	.name = "file_mmap",
	.summary = "file-backed mappings: mmap + munmap of a file; page-cache-hit fault vs anonymous fault",
	.unit = "one mmap + munmap, or one page touched (one fault)",
	.variants = fm_variants,
	.setup = fm_setup,
	.run = fm_run,
	.teardown = fm_teardown,
};
