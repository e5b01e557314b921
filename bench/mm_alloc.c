/*
 * mm_alloc - getting memory from the kernel and giving it back: moving the
 * program break (brk) against mapping anonymous memory (mmap), and what
 * glibc's malloc does with the same sizes.
 *
 * What is measured: one operation is one allocate + release of size_bytes
 * (sweep: 4 KiB to 1 GiB in powers of 4), run() timed whole (iters
 * operations back to back):
 *   brk            sbrk(+n), sbrk(-n): the break moves, no page is touched;
 *   mmap           mmap(MAP_PRIVATE|MAP_ANONYMOUS), munmap: no page touched;
 *   mmap_populate  the same with MAP_POPULATE: the kernel allocates and
 *                  zeroes every page inside mmap (no fault per page);
 *   brk_touch,
 *   mmap_touch     allocate, write one byte to every page, release: one page
 *                  fault (allocate + zero a page) per page; also reported as
 *                  "ns_per_page" = (run() time / iters) / pages, i.e. the
 *                  whole operation spread over its pages;
 *   malloc         glibc malloc(n) + free(): whatever glibc chooses.
 *
 * Where malloc's memory came from is observed, not assumed: at the first
 * operation of every run() the block's address is compared with the brk
 * heap, [&end, sbrk(0)) - inside means the main arena's heap (brk), outside
 * means a private mapping (mmap).  glibc's threshold (M_MMAP_THRESHOLD,
 * 128 KiB at start) is dynamic: freeing an mmapped block larger than the
 * threshold raises it to that size (up to 32 MiB on 64-bit), so a size
 * between the two is served by mmap at first and by the heap afterwards.
 * The note of each malloc row says which was seen, first and afterwards.
 *
 * brk in a process that also uses malloc: glibc's main arena grows its heap
 * with sbrk, so the break is moved and restored within one operation with
 * no malloc in between; run() calls nothing that allocates.
 *
 * Transparent huge pages are disabled for the configuration's process
 * (PR_SET_THP_DISABLE) so that every host measures 4 KiB pages - the
 * fault-per-page check depends on it, and THP is its own question; the
 * host's setting is in meta.csv (thp_enabled).
 *
 * Self-validation: the touch variants must take about one page fault per
 * page (faults_per_op within [0.95 x pages - 0.5, 1.1 x pages + 2]);
 * brk and mmap, which touch nothing, must take less than half a fault per
 * operation.
 *
 * Budget: a filled point (touch, populate) costs about its pages times the
 * fault cost, and the runner needs about 8 operations for the fewest samples
 * (5).  Under --quick, setup times one 16 MiB operation, scales it to the
 * point's size and skips the point (with that estimate as the reason) if
 * the 8 operations would take over 2 s - on a slow virtual host the 1 GiB
 * points take seconds each.  Without --quick every point runs.
 *
 * Known bias: the brk variants see the heap's current top, which glibc may
 * have left anywhere; the malloc observation sees the glibc state inherited
 * from primbench (its threshold may already have been raised there).
 */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <unistd.h>

/* --quick: a point whose operations would take longer than this in all
 * (MA_QUICK_OPS of them: warm-up, calibration, the minimum 5 samples) is
 * skipped; the filled 1 GiB points take seconds per operation on a slow
 * (virtual) host, which alone would exceed the quick run's budget. */
#define MA_QUICK_POINT_NS 2e9
#define MA_QUICK_OPS 8
/* Size of the timed probe behind that estimate. */
#define MA_PROBE_BYTES (16ul << 20)
/* Free memory a touching variant leaves to everything else. */
#define MA_SPARE_BYTES (256ull << 20)
/* Page-fault check of the touch variants (see the header). */
#define MA_FAULT_LO 0.95
#define MA_FAULT_HI 1.1
#define MA_FAULT_SLACK_LO 0.5
#define MA_FAULT_SLACK_HI 2.0

/* End of the program's data (the brk heap lies above it): see end(3). */
extern char end;

/* How the memory is obtained and released. */
enum ma_how {
	MA_BRK,           /* sbrk(+n) / sbrk(-n) */
	MA_MMAP,          /* mmap / munmap */
	MA_MMAP_POPULATE, /* mmap(MAP_POPULATE) / munmap */
	MA_MALLOC,        /* malloc / free */
};

/* What a variant is made of. */
struct ma_kind {
	const char *variant; /* the variant's name in ma_variants[] */
	enum ma_how how;     /* allocator */
	bool touch;          /* write every page before releasing */
};

static const struct ma_kind ma_kinds[] = {
	{ "brk", MA_BRK, false },
	{ "mmap", MA_MMAP, false },
	{ "mmap_populate", MA_MMAP_POPULATE, false },
	{ "brk_touch", MA_BRK, true },
	{ "mmap_touch", MA_MMAP, true },
	{ "malloc", MA_MALLOC, false },
	{ NULL, MA_BRK, false },
};

/* Where malloc's block was found. */
enum ma_where { MA_WHERE_NONE = 0, MA_WHERE_HEAP, MA_WHERE_MMAP };

/* Per-configuration state. */
struct ma_state {
	struct ma_kind kind;       /* this variant */
	size_t size;               /* bytes per allocation (the sweep value) */
	size_t page;               /* page size */
	size_t pages;              /* size / page, rounded up */
	int thp_was;               /* PR_GET_THP_DISABLE before setup, -1 unknown */
	unsigned char mark;        /* value the touch writes (changes each op) */
	enum ma_where first;       /* malloc: where the first block of all lay */
	long first_brk_delta;      /* malloc: break movement during that first malloc */
	unsigned long runs_heap;   /* malloc: runs whose first block lay in the heap */
	unsigned long runs_mmap;   /* malloc: runs whose first block lay elsewhere */
};

/* Write one byte in every page of p[0..len). */
static void ma_touch(unsigned char *p, size_t len, size_t page, unsigned char v)
{
	volatile unsigned char *q = p;

	for (size_t off = 0; off < len; off += page)
		q[off] = v;
}

/* Allocate len bytes the variant's way; NULL with errno on failure. */
static void *ma_alloc(const struct ma_state *st, size_t len)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *p;

	switch (st->kind.how) {
	case MA_BRK:
		p = sbrk((intptr_t)len);
		return p == (void *)-1 ? NULL : p;
	case MA_MMAP_POPULATE:
		flags |= MAP_POPULATE;
		/* fall through */
	case MA_MMAP:
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	case MA_MALLOC:
	default:
		p = malloc(len);
		/* The pointer escapes: the compiler may not pair malloc with
		 * free and delete both. */
		__asm__ volatile("" : : "r"(p) : "memory");
		return p;
	}
}

/* Release what ma_alloc(st, len) returned.  0 or -errno. */
static int ma_release(const struct ma_state *st, void *p, size_t len)
{
	switch (st->kind.how) {
	case MA_BRK:
		return sbrk(-(intptr_t)len) == (void *)-1 ? -errno : 0;
	case MA_MMAP_POPULATE:
	case MA_MMAP:
		return munmap(p, len) < 0 ? -errno : 0;
	case MA_MALLOC:
	default:
		free(p);
		return 0;
	}
}

/* One operation of len bytes without observation: allocate, touch if the
 * variant does, release.  0 or -errno. */
static int ma_once(struct ma_state *st, size_t len)
{
	unsigned char *p = ma_alloc(st, len);

	if (!p)
		return -errno;
	if (st->kind.touch)
		ma_touch(p, len, st->page, ++st->mark);
	return ma_release(st, p, len);
}

/*
 * --quick only: nanoseconds one operation at st->size is expected to take,
 * from one timed operation at MA_PROBE_BYTES scaled by size (the cost of
 * a filled allocation is linear in its pages); 0 when not worth asking.
 */
static double ma_quick_estimate_ns(struct ma_state *st)
{
	uint64_t t0;

	if (!st->kind.touch && st->kind.how != MA_MMAP_POPULATE)
		return 0;
	if (st->size <= MA_PROBE_BYTES)
		return 0;
	t0 = bench_now_ns();
	if (ma_once(st, MA_PROBE_BYTES) < 0)
		return 0;
	return (double)(bench_now_ns() - t0) * (double)st->size / (double)MA_PROBE_BYTES;
}

/* Is p inside the brk heap right now? */
static bool ma_in_heap(const void *p)
{
	const char *c = p;

	return c >= &end && c < (const char *)sbrk(0);
}

/* malloc rows: what was observed, into the configuration's note. */
static void ma_note_malloc(struct bench_ctx *ctx, const struct ma_state *st)
{
	const char *first = st->first == MA_WHERE_HEAP ? "brk heap" : "mmap";
	const char *later = !st->runs_mmap ? "brk heap" : !st->runs_heap ? "mmap" : "both";

	bench_note(ctx, "malloc(%zu): first block from %s (break moved %+ld B); "
		   "runs since: %lu from the brk heap, %lu from mmap (%s)%s",
		   st->size, first, st->first_brk_delta, st->runs_heap, st->runs_mmap, later,
		   st->first == MA_WHERE_MMAP && !st->runs_mmap ?
		   "; glibc raised its mmap threshold after freeing the mmapped block" : "");
}

/* Classify one malloc'ed block (the first of a run). */
static void ma_observe(struct ma_state *st, const void *p, const char *brk_before)
{
	bool heap = ma_in_heap(p);

	if (st->first == MA_WHERE_NONE) {
		st->first = heap ? MA_WHERE_HEAP : MA_WHERE_MMAP;
		st->first_brk_delta = (const char *)sbrk(0) - brk_before;
		return;
	}
	if (heap)
		st->runs_heap++;
	else
		st->runs_mmap++;
}

static int ma_setup(struct bench_ctx *ctx, void **state)
{
	const struct bench_variant *v = bench_variant(ctx);
	const struct ma_kind *k = ma_kinds;
	struct ma_state *st;
	struct sysinfo si;
	void *p;
	int rc;

	while (k->variant && strcmp(k->variant, v->name) != 0)
		k++;
	if (!k->variant)
		return bench_fail(ctx, -EINVAL, "no allocator for variant %s", v->name);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->kind = *k;
	st->size = (size_t)bench_x(ctx);
	st->page = (size_t)sysconf(_SC_PAGESIZE);
	st->pages = (st->size + st->page - 1) / st->page;
	st->thp_was = prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0);

	/* Memory that will really be used must be there: better a skip than
	 * the OOM killer. */
	if ((k->touch || k->how == MA_MMAP_POPULATE) && sysinfo(&si) == 0 &&
	    (unsigned long long)(si.freeram + si.bufferram) * si.mem_unit <
	    st->size + MA_SPARE_BYTES) {
		rc = bench_skip(ctx, "needs %zu MiB of free memory, %llu MiB free", st->size >> 20,
				(unsigned long long)(si.freeram + si.bufferram) * si.mem_unit >> 20);
		goto out_free;
	}
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0) {
		rc = bench_fail(ctx, -errno, "PR_SET_THP_DISABLE: %s", strerror(errno));
		goto out_free;
	}
	/* One allocation, not touched: a limit (RLIMIT_AS, RLIMIT_DATA,
	 * overcommit) that refuses the size is a skip, not a failure. */
	p = ma_alloc(st, st->size);
	if (!p) {
		rc = bench_skip(ctx, "cannot allocate %zu bytes with %s here: %s "
				"(RLIMIT_AS, RLIMIT_DATA or overcommit)",
				st->size, k->variant, strerror(errno));
		goto out_thp;
	}
	rc = ma_release(st, p, st->size);
	if (rc < 0) {
		rc = bench_fail(ctx, rc, "releasing the probe allocation: %s", strerror(-rc));
		goto out_thp;
	}
	if (bench_quick(ctx)) {
		double est = ma_quick_estimate_ns(st);

		if (est * MA_QUICK_OPS > MA_QUICK_POINT_NS) {
			rc = bench_skip(ctx, "--quick: about %.1f s here (%d operations of %.2f s, "
					"estimated from %lu MiB); run without --quick for this point",
					est * MA_QUICK_OPS / 1e9, MA_QUICK_OPS, est / 1e9,
					MA_PROBE_BYTES >> 20);
			goto out_thp;
		}
	}
	*state = st;
	return 0;

out_thp:
	if (st->thp_was >= 0)
		prctl(PR_SET_THP_DISABLE, st->thp_was, 0, 0, 0);
out_free:
	free(st);
	return rc;
}

/* The first malloc of a run, observed: where the block lay.  0 or -errno. */
static int ma_once_observed(struct ma_state *st)
{
	const char *brk_before = sbrk(0);
	void *p = ma_alloc(st, st->size);

	if (!p)
		return -errno;
	ma_observe(st, p, brk_before);
	return ma_release(st, p, st->size);
}

static int ma_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct ma_state *st = state;
	uint64_t t0 = bench_now_ns();
	int rc;

	for (uint64_t i = 0; i < iters; i++) {
		rc = (i == 0 && st->kind.how == MA_MALLOC) ? ma_once_observed(st)
							   : ma_once(st, st->size);
		if (rc < 0)
			return bench_fail(ctx, rc, "%s of %zu bytes, operation %llu: %s",
					  st->kind.variant, st->size, (unsigned long long)i,
					  strerror(-rc));
	}
	if (st->kind.touch)
		bench_sample_metric(ctx, "ns_per_page", "ns",
				    (double)(bench_now_ns() - t0) / (double)iters / (double)st->pages);
	if (st->kind.how == MA_MALLOC)
		ma_note_malloc(ctx, st);
	return 0;
}

static void ma_teardown(struct bench_ctx *ctx, void *state)
{
	struct ma_state *st = state;

	(void)ctx;
	if (st->thp_was >= 0)
		prctl(PR_SET_THP_DISABLE, st->thp_was, 0, 0, 0);
	free(st);
}

/* The page-fault count of the configuration, per operation. */
static double ma_faults(const struct bench_judge *j)
{
	double f = j->metric(j, "faults_per_op");

	return isnan(f) ? j->metric(j, "minor_faults_per_op") : f;
}

/* Touch variants: about one fault per page (4 KiB pages: THP is off). */
static enum bench_valid ma_validate_touch(const struct bench_judge *j, char *note, size_t len)
{
	double pages = ceil(j->x / (double)sysconf(_SC_PAGESIZE));
	double f = ma_faults(j);
	double lo = MA_FAULT_LO * pages - MA_FAULT_SLACK_LO;
	double hi = MA_FAULT_HI * pages + MA_FAULT_SLACK_HI;

	if (isnan(f) || isnan(pages)) {
		snprintf(note, len, "no page-fault count: fault check not made");
		return BENCH_VALID_NA;
	}
	if (f < lo || f > hi) {
		snprintf(note, len, "%.6g page faults per op for %.0f pages, expected one per page", f, pages);
		return BENCH_VALID_FAIL;
	}
	return BENCH_VALID_PASS;
}

/* brk and mmap without touching: nothing may fault. */
static enum bench_valid ma_validate_untouched(const struct bench_judge *j, char *note, size_t len)
{
	double f = ma_faults(j);

	if (isnan(f)) {
		snprintf(note, len, "no page-fault count: fault check not made");
		return BENCH_VALID_NA;
	}
	if (f >= 0.5) {
		snprintf(note, len, "%.3g page faults per op, but no page is touched", f);
		return BENCH_VALID_FAIL;
	}
	return BENCH_VALID_PASS;
}

/* 4 KiB to 1 GiB in powers of 4. */
static const double ma_sizes[] = {
	4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0,
	16777216.0, 67108864.0, 268435456.0, 1073741824.0,
};

#define MA_VARIANT(vname, text, vflags, check) {                              \
		.name = vname, .summary = text, .sweep = "size_bytes",          \
		.xs = ma_sizes, .nx = sizeof(ma_sizes) / sizeof(ma_sizes[0]),   \
		.flags = (vflags), .validate = (check),                         \
	}

static const struct bench_variant ma_variants[] = {
	MA_VARIANT("brk", "sbrk(+n) then sbrk(-n): the break moves, nothing touched",
		   0, ma_validate_untouched),
	MA_VARIANT("mmap", "anonymous mmap + munmap, nothing touched",
		   0, ma_validate_untouched),
	MA_VARIANT("mmap_populate", "mmap(MAP_POPULATE) + munmap: the kernel fills every page",
		   BENCH_V_FIT_PER_MIB, NULL),
	MA_VARIANT("brk_touch", "sbrk(+n), write every page, sbrk(-n): a fault per page",
		   BENCH_V_FIT_PER_MIB, ma_validate_touch),
	MA_VARIANT("mmap_touch", "mmap, write every page, munmap: a fault per page",
		   BENCH_V_FIT_PER_MIB, ma_validate_touch),
	MA_VARIANT("malloc", "glibc malloc + free; the note says whether brk or mmap served it",
		   0, NULL),
	{ .name = NULL },
};

const struct bench_desc bench_mm_alloc = {
	.name = "mm_alloc",
	.summary = "brk vs mmap (and glibc malloc): allocate + release, touched or not",
	.unit = "allocate + release of size_bytes",
	.variants = ma_variants,
	.setup = ma_setup,
	.run = ma_run,
	.teardown = ma_teardown,
};
