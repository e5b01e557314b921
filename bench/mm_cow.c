/*
 * mm_cow - what one copy-on-write fault costs, next to the faults that
 * make it interpretable.
 *
 * One operation is one 4 KiB page; ns_per_op is ns per page and
 * minor_faults_per_op is faults per page.  Sweep `pages` = N, the pages
 * touched per round.  Variants and their timed windows:
 *
 *   cow               the parent holds N written pages (MADV_NOHUGEPAGE,
 *                     populated in setup) and forks; the child writes one
 *                     byte per page.  The window is the child's write loop
 *                     only: fork, the child's start-up and the reap are
 *                     outside it.
 *   first_touch       write fault on fresh anonymous memory (zero-fill):
 *                     per round a new N-page MADV_NOHUGEPAGE mapping, the
 *                     writes in a bench_window, mmap/munmap outside it.
 *   read_then_write   the same mapping read (each read maps the shared
 *                     zero page: one fault) then written (one more fault:
 *                     copy from the zero page): 2 faults per page.
 *   cow_thp           cow on a 2 MiB-aligned MADV_HUGEPAGE region (N a
 *                     multiple of 512).  What the kernel does is read off
 *                     the fault count: 512 per 2 MiB means it split the
 *                     huge PMD and copied 4 KiB pages (Linux >= 5.8); 1
 *                     per 2 MiB would mean it copied the whole huge page.
 *                     The note and the validation say which.  Setup skips
 *                     the point if populating did not give huge pages.
 *   cow_parent_writes the parent forks a child that signals it is alive
 *                     and blocks; the parent writes one byte per page, then
 *                     lets the child exit.  Each write copies, since the
 *                     child still maps the page.  The window is the
 *                     parent's write loop only.
 *
 * How the fork variants measure: the writing thread reads bench_now_ns(),
 * CLOCK_THREAD_CPUTIME_ID and getrusage(RUSAGE_THREAD) around exactly its
 * loop (cow_measure_writes) - in the child, which reports through a
 * MAP_SHARED page, or in the parent.  Not bench_window_begin/end: after a
 * fork, the harness's own bookkeeping writes land on copy-on-write stack
 * pages and would fault (and take microseconds) inside the window.  The
 * calling thread's perf counters are dropped for these samples
 * (bench_counts_elsewhere), so the fault, task-clock and context-switch
 * rows are the loop's alone; hardware counters are not reported for them.
 *
 * Pre-faulting: every page other than the measured ones that the measuring
 * side touches (its stack after fork, the result page, which fork does not
 * copy, and the text of the clock and the loop) is touched before the
 * counters are read, so the window's fault count is the region's.
 * Self-validation: minor faults per round must be in [E, E + max(2,
 * ceil(E/100))] for the expected count E = k*N (k = 1, 2 for
 * read_then_write, 1/512 for cow_thp's whole-page copy; see cow_slack
 * for why the slack follows E, not N); the rows get validation=pass|fail
 * with the observed count in the note.
 *
 * Calibration: for small N a round is mostly fork and reap, outside the
 * window, so reaching the runner's sample length in window time would take
 * thousands of forks.  run() therefore stops after COW_WALL_CAP_*_NS of
 * wall time and reports the pages it did (bench_set_ops); the calibrator
 * may then ask for far more iterations than are done (samples.csv's
 * `iters` is what was asked, not what was done).
 *
 * Known bias: each round adds one clock-read pair (~30 ns here) to the
 * window of the fork variants - 1% at N=1, nothing at N >= 64.
 * Placement `single`: the child inherits the parent's CPU.
 *
 * Limits: EAGAIN (RLIMIT_NPROC) or ENOMEM from fork, or memory that cannot
 * be mapped, give a `skipped` row with the reason; no child is left.
 *
 * Fault injection (test only, PRIMBENCH_INJECT=mm_cow:<what>): "hang"
 * makes the child block forever, "crash" makes it SIGKILL itself; the
 * variants without a child ignore it.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COW_PAGE 4096ul
/* A PMD-mapped transparent huge page (x86-64): size and 4 KiB pages in it. */
#define COW_HUGE_BYTES (2ul << 20)
#define COW_PAGES_PER_HUGE (COW_HUGE_BYTES / COW_PAGE)
/* Wall time after which run() stops (see the header): about the runner's
 * sample length under --quick and by default (the budget divided among
 * all samples, warm-ups and calibration: plan_sample_target_ns()). */
#define COW_WALL_CAP_QUICK_NS 4000000ull
#define COW_WALL_CAP_NS 6000000ull

/* Variant ids: the index into cow_variants[]. */
enum cow_kind {
	COW_CHILD, COW_FIRST_TOUCH, COW_READ_THEN_WRITE, COW_THP, COW_PARENT_WRITES,
	COW_NKINDS
};

/* What a measuring child reports (MAP_SHARED page). */
struct cow_result {
	int done;             /* the child wrote the fields below */
	uint64_t window_ns;   /* bench_now_ns() around its write loop */
	uint64_t minflt;      /* ru_minflt delta over the window */
	uint64_t majflt;      /* ru_majflt delta */
	uint64_t csw;         /* ru_nvcsw + ru_nivcsw delta */
	uint64_t cpu_ns;      /* CLOCK_THREAD_CPUTIME_ID delta */
};

/* Per-configuration state. */
struct cow_state {
	enum cow_kind kind;        /* variant */
	size_t npages;             /* N */
	size_t len;                /* N * 4 KiB */
	char *map;                 /* the parent's region mapping, NULL if none */
	size_t map_len;            /* its length (with THP alignment slack) */
	char *region;              /* the N pages (2 MiB aligned for cow_thp) */
	struct cow_result *res;    /* the child's report page */
	pid_t child;               /* a live cow_parent_writes child, 0 if none */
	enum bench_fault inject;   /* test-only fault of the children */
	uint64_t wall_cap_ns;      /* run() stops after this much wall time */
	char value;                /* byte written this round (changes per round) */
	long sink;                 /* sum of read_then_write's reads */
};

/* The variants, defined with the descriptor. */
static const struct bench_variant cow_variants[COW_NKINDS + 1];

/* Write one byte into each of n pages: the operation being measured. */
static void cow_write_pages(char *p, size_t n, char v)
{
	volatile char *q = p;

	for (size_t i = 0; i < n; i++)
		q[i * COW_PAGE] = v;
}

/* Read one byte of each of n pages. */
static long cow_read_pages(const char *p, size_t n)
{
	const volatile char *q = p;
	long sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += q[i * COW_PAGE];
	return sum;
}

/* Test-only injection in a child: block forever, or die. */
static void cow_child_inject(const struct cow_state *st)
{
	if (st->inject == BENCH_FAULT_HANG)
		for (;;)
			pause();
	if (st->inject == BENCH_FAULT_CRASH)
		raise(SIGKILL);
}

static uint64_t cow_ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

/*
 * Time and count one write pass over the region in the calling thread,
 * just after a fork: clock, task clock and getrusage(RUSAGE_THREAD) are
 * read around exactly the loop, and *out is filled afterwards.  Used
 * instead of bench_window_begin/end because after a fork the harness's
 * own bookkeeping writes (the bench context lives on a stack that fork
 * made copy-on-write) would fault inside the window.
 */
static void cow_measure_writes(const struct cow_state *st, struct cow_result *out)
{
	struct rusage r0, r1;
	struct timespec c0, c1;
	uint64_t t0, t1;

	/* Fault in, before the counters are read, what the window touches
	 * besides the region: these stack slots and the text of the clock
	 * and the loop (fork copies no PTEs of file-backed text, so a first
	 * call in a child faults). */
	(void)bench_now_ns();
	cow_write_pages(st->region, 0, st->value);
	getrusage(RUSAGE_THREAD, &r1);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	getrusage(RUSAGE_THREAD, &r0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	t0 = bench_now_ns();
	cow_write_pages(st->region, st->npages, st->value);
	t1 = bench_now_ns();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	getrusage(RUSAGE_THREAD, &r1);
	out->window_ns = t1 - t0;
	out->minflt = (uint64_t)(r1.ru_minflt - r0.ru_minflt);
	out->majflt = (uint64_t)(r1.ru_majflt - r0.ru_majflt);
	out->csw = bench_rusage_switches(&r1) - bench_rusage_switches(&r0);
	out->cpu_ns = cow_ts_ns(&c1) - cow_ts_ns(&c0);
	out->done = 1;
}

/* Add a measured pass to the sample (the calling thread's own counters
 * are dropped: bench_counts_elsewhere in cow_run). */
static void cow_report(struct bench_ctx *ctx, const struct cow_result *res)
{
	bench_add_elapsed_ns(ctx, res->window_ns);
	bench_add_count(ctx, PMU_MINOR_FAULTS, res->minflt);
	bench_add_count(ctx, PMU_MAJOR_FAULTS, res->majflt);
	bench_add_count(ctx, PMU_PAGE_FAULTS, res->minflt + res->majflt);
	bench_add_count(ctx, PMU_CTX_SWITCHES, res->csw);
	bench_add_count(ctx, PMU_TASK_CLOCK, res->cpu_ns);
}

/* The cow / cow_thp child: measure its own writes into the result page
 * (MAP_SHARED: touched first, since fork does not copy its PTEs), exit. */
static void cow_child_writes(struct cow_state *st)
{
	if (bench_child_init() < 0)
		_exit(126);
	cow_child_inject(st);
	st->res->done = 0;
	cow_measure_writes(st, st->res);
	_exit(0);
}

/* One cow / cow_thp round: fork, the child measures, reap, take its
 * report. */
static int cow_round_child(struct bench_ctx *ctx, struct cow_state *st)
{
	struct cow_result *res = st->res;
	pid_t pid;
	int rc;

	res->done = 0;
	pid = fork();
	if (pid == 0)
		cow_child_writes(st);
	if (pid < 0)
		return bench_spawn_error(ctx, "fork", errno);
	rc = bench_wait_child(ctx, pid, NULL);
	if (rc < 0)
		return rc;
	if (!res->done)
		return bench_fail(ctx, 0, "the child exited without its report");
	cow_report(ctx, res);
	if (st->kind == COW_THP)
		bench_note(ctx, "cow_thp: %.1f faults per 2 MiB in the child (%s)",
			   (double)res->minflt * COW_PAGES_PER_HUGE / (double)st->npages,
			   res->minflt >= st->npages ? "huge PMD split, 4 KiB pages copied"
						     : "whole huge pages copied");
	return 0;
}

/* A fresh N-page anonymous mapping in 4 KiB pages. */
static char *cow_map_fresh(struct bench_ctx *ctx, size_t len, int *rc)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		*rc = bench_skip(ctx, "cannot map %zu bytes: %s", len, strerror(errno));
		return NULL;
	}
	/* EINVAL: a kernel without THP, 4 KiB pages anyway. */
	if (madvise(p, len, MADV_NOHUGEPAGE) < 0 && errno != EINVAL) {
		*rc = bench_fail(ctx, -errno, "madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
		munmap(p, len);
		return NULL;
	}
	return p;
}

/* One first_touch / read_then_write round on a fresh mapping; only the
 * touches are in the window. */
static int cow_round_fresh(struct bench_ctx *ctx, struct cow_state *st)
{
	int rc = 0;
	char *p = cow_map_fresh(ctx, st->len, &rc);

	if (!p)
		return rc;
	bench_window_begin(ctx);
	if (st->kind == COW_READ_THEN_WRITE)
		st->sink += cow_read_pages(p, st->npages);
	cow_write_pages(p, st->npages, st->value);
	bench_window_end(ctx);
	munmap(p, st->len);
	return 0;
}

/* Read or write exactly one byte on a pipe; 1 done, 0 EOF, -errno. */
static int cow_pipe_byte(int fd, bool write_it)
{
	char c = 'x';
	ssize_t n;

	do
		n = write_it ? write(fd, &c, 1) : read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (int)n;
}

/* The cow_parent_writes child: say it is alive, hold the mm until told. */
static void cow_child_hold(const struct cow_state *st, int ready_w, int go_r)
{
	if (bench_child_init() < 0)
		_exit(126);
	cow_child_inject(st);
	if (cow_pipe_byte(ready_w, true) != 1)
		_exit(125);
	/* A byte or EOF (the parent went away): either way, leave. */
	cow_pipe_byte(go_r, false);
	_exit(0);
}

/* One cow_parent_writes round.  Pipes are per round so that a child that
 * dies early shows as EOF instead of a parent blocked forever. */
static int cow_round_parent(struct bench_ctx *ctx, struct cow_state *st)
{
	struct cow_result res = { 0 };
	int ready[2], go[2];
	int rc;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return bench_fail(ctx, -errno, "pipe: %s", strerror(errno));
	if (pipe2(go, O_CLOEXEC) < 0) {
		rc = bench_fail(ctx, -errno, "pipe: %s", strerror(errno));
		goto out_ready;
	}
	st->child = fork();
	if (st->child == 0) {
		close(ready[0]);
		close(go[1]);
		cow_child_hold(st, ready[1], go[0]);
	}
	if (st->child < 0) {
		st->child = 0;
		rc = bench_spawn_error(ctx, "fork", errno);
		goto out_go;
	}
	close(ready[1]);
	ready[1] = -1;
	rc = cow_pipe_byte(ready[0], false);
	if (rc < 0) {
		bench_reap(st->child);
		st->child = 0;
		rc = bench_fail(ctx, rc, "read from the child: %s", strerror(-rc));
		goto out_go;
	}
	if (rc == 0) {
		/* EOF: the child is gone; its status says why. */
		rc = bench_wait_child(ctx, st->child, NULL);
		st->child = 0;
		if (rc == 0)
			rc = bench_fail(ctx, 0, "the child exited before it was ready");
		goto out_go;
	}
	cow_measure_writes(st, &res);
	cow_pipe_byte(go[1], true);
	rc = bench_wait_child(ctx, st->child, NULL);
	st->child = 0;
	if (rc == 0)
		cow_report(ctx, &res);
out_go:
	close(go[0]);
	close(go[1]);
out_ready:
	close(ready[0]);
	if (ready[1] >= 0)
		close(ready[1]);
	return rc;
}

/* `iters` rounds of N pages each, or fewer when the wall-time cap is
 * reached; reports the pages done.  Timed per the variant (header). */
static int cow_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct cow_state *st = state;
	uint64_t start = bench_now_ns(), rounds = 0;
	int rc = 0;

	if (st->kind != COW_FIRST_TOUCH && st->kind != COW_READ_THEN_WRITE)
		bench_counts_elsewhere(ctx);
	while (rounds < iters) {
		/* A new byte each round, so no round writes what is there. */
		st->value++;
		switch (st->kind) {
		case COW_CHILD:
		case COW_THP:
			rc = cow_round_child(ctx, st);
			break;
		case COW_FIRST_TOUCH:
		case COW_READ_THEN_WRITE:
			rc = cow_round_fresh(ctx, st);
			break;
		case COW_PARENT_WRITES:
			rc = cow_round_parent(ctx, st);
			break;
		case COW_NKINDS:
			return -EINVAL;
		}
		if (rc < 0)
			return rc;
		rounds++;
		if (bench_now_ns() - start > st->wall_cap_ns)
			break;
	}
	bench_set_ops(ctx, rounds * st->npages);
	return 0;
}

/* The parent's region for the COW variants: N written pages, 4 KiB or
 * (cow_thp) 2 MiB-aligned huge pages, whose fault count tells that the
 * kernel really gave huge pages. */
static int cow_map_region(struct bench_ctx *ctx, struct cow_state *st)
{
	bool thp = st->kind == COW_THP;
	struct rusage r0, r1;
	long faults;
	int rc;

	st->map_len = st->len + (thp ? COW_HUGE_BYTES : 0);
	st->map = mmap(NULL, st->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->map == MAP_FAILED) {
		st->map = NULL;
		return bench_skip(ctx, "cannot map %zu bytes: %s", st->map_len, strerror(errno));
	}
	st->region = st->map;
	if (thp) {
		st->region = (char *)(((uintptr_t)st->map + COW_HUGE_BYTES - 1) & ~(COW_HUGE_BYTES - 1));
		if (madvise(st->region, st->len, MADV_HUGEPAGE) < 0)
			return bench_skip(ctx, "madvise(MADV_HUGEPAGE): %s (no THP?)", strerror(errno));
	} else if (madvise(st->region, st->len, MADV_NOHUGEPAGE) < 0 && errno != EINVAL) {
		return bench_fail(ctx, -errno, "madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	}
	getrusage(RUSAGE_SELF, &r0);
	rc = bench_populate_write(st->region, st->len);
	if (rc < 0)
		return bench_skip(ctx, "cannot populate %zu bytes: %s", st->len, strerror(-rc));
	getrusage(RUSAGE_SELF, &r1);
	faults = r1.ru_minflt - r0.ru_minflt;
	/* One fault per huge page populated; 4 KiB pages would take 512. */
	if (thp && (size_t)faults >= st->npages / 2)
		return bench_skip(ctx, "no transparent huge pages: populating %zu pages took %ld faults",
				  st->npages, faults);
	return 0;
}

static void cow_teardown(struct bench_ctx *ctx, void *state)
{
	struct cow_state *st = state;

	(void)ctx;
	bench_reap(st->child);
	if (st->map)
		munmap(st->map, st->map_len);
	if (st->res)
		munmap(st->res, sizeof(*st->res));
	free(st);
}

static int cow_setup(struct bench_ctx *ctx, void **state)
{
	struct cow_state *st = calloc(1, sizeof(*st));
	int rc = 0;

	if (!st)
		return -ENOMEM;
	st->kind = (enum cow_kind)(bench_variant(ctx) - cow_variants);
	st->npages = (size_t)bench_x(ctx);
	st->len = st->npages * COW_PAGE;
	st->wall_cap_ns = bench_quick(ctx) ? COW_WALL_CAP_QUICK_NS : COW_WALL_CAP_NS;
	st->inject = bench_inject_fault(ctx);
	st->res = mmap(NULL, sizeof(*st->res), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st->res == MAP_FAILED) {
		rc = -errno;
		st->res = NULL;
		goto out_free;
	}
	if (st->kind != COW_FIRST_TOUCH && st->kind != COW_READ_THEN_WRITE) {
		rc = cow_map_region(ctx, st);
		if (rc < 0)
			goto out_free;
	}
	*state = st;
	return 0;
out_free:
	cow_teardown(ctx, st);
	return rc;
}

/*
 * Allowed extra faults over an expected count of want faults.  Extra
 * faults come in two kinds: a few the measuring side takes however large
 * the region (a stack page or the result page that escaped the
 * pre-faulting; hence the floor of 2), and ones that come in proportion
 * to the faults the kernel takes (on a multi-node host, NUMA-balancing
 * hinting faults, which count as minor faults), allowed at 1% of them.
 * So the slack follows the faults expected, not N: the whole-copy case of
 * cow_thp expects N/512 faults, and a slack taken from N (ceil(16384/100)
 * = 164 at N = 16384) accepted 32..196 faults there - up to five stray
 * faults per real one, a mix of split and whole copies passed as "whole".
 */
static double cow_slack(double want)
{
	return fmax(2.0, ceil(want / 100.0));
}

/*
 * The fault check: faults per round (minor_faults_per_op x N) must be in
 * [k*N, k*N + slack(k*N)].  Pure: reads only j.
 */
static enum bench_valid cow_check(const struct bench_judge *j, double k,
				  char *note, size_t len)
{
	double per_page = j->metric(j, "minor_faults_per_op");
	double n = j->x, want = k * n, got = per_page * n;

	if (isnan(per_page) || isnan(n)) {
		snprintf(note, len, "minor-fault counter not measured");
		return BENCH_VALID_NA;
	}
	snprintf(note, len, "%.4g minor faults per %.0f pages (expected %.0f..%.0f)",
		 got, n, want, want + cow_slack(want));
	/* 1e-6: the median is of ratios, not of integers. */
	if (got < want - 1e-6 * want || got > want + cow_slack(want) + 1e-6 * want)
		return BENCH_VALID_FAIL;
	return BENCH_VALID_PASS;
}

/* cow, first_touch, cow_parent_writes: one fault per page. */
static enum bench_valid cow_validate_one(const struct bench_judge *j, char *note, size_t len)
{
	return cow_check(j, 1.0, note, len);
}

/* read_then_write: the zero-page read fault, then the write fault. */
static enum bench_valid cow_validate_two(const struct bench_judge *j, char *note, size_t len)
{
	return cow_check(j, 2.0, note, len);
}

/* cow_thp: either the kernel split the PMD and copied 4 KiB pages (one
 * fault per page) or it copied whole huge pages (one per 512 pages);
 * anything else fails.  The note says which happened. */
static enum bench_valid cow_validate_thp(const struct bench_judge *j, char *note, size_t len)
{
	char detail[BENCH_NOTE_MAX];
	enum bench_valid v = cow_check(j, 1.0, detail, sizeof(detail));

	if (v == BENCH_VALID_PASS) {
		snprintf(note, len, "split: PMD split, 4 KiB pages copied; %s", detail);
		return v;
	}
	if (v == BENCH_VALID_NA) {
		snprintf(note, len, "%s", detail);
		return v;
	}
	v = cow_check(j, 1.0 / COW_PAGES_PER_HUGE, detail, sizeof(detail));
	snprintf(note, len, "%s: %s", v == BENCH_VALID_PASS ? "whole: 2 MiB pages copied"
			    : "neither split nor whole-page copy", detail);
	return v;
}

/* pages: 1, 64, 1024, 16384 (4 KiB .. 64 MiB); cow_thp: 1 and 32 huge pages. */
static const double cow_pages_xs[] = { 1, 64, 1024, 16384 };
static const double cow_thp_xs[] = { 512, 16384 };

static const struct bench_variant cow_variants[COW_NKINDS + 1] = {
	[COW_CHILD] = {
		.name = "cow", .summary = "child writes 1 byte/page of the parent's N pages after fork",
		.sweep = "pages", .xs = cow_pages_xs, .nx = 4, .validate = cow_validate_one,
	},
	[COW_FIRST_TOUCH] = {
		.name = "first_touch", .summary = "write fault on fresh anonymous memory (zero-fill)",
		.sweep = "pages", .xs = cow_pages_xs, .nx = 4, .validate = cow_validate_one,
	},
	[COW_READ_THEN_WRITE] = {
		.name = "read_then_write", .summary = "zero-page read fault, then the write fault",
		.sweep = "pages", .xs = cow_pages_xs, .nx = 4, .validate = cow_validate_two,
	},
	[COW_THP] = {
		.name = "cow_thp", .summary = "cow on MADV_HUGEPAGE 2 MiB pages: split or whole copy",
		.sweep = "pages", .xs = cow_thp_xs, .nx = 2, .validate = cow_validate_thp,
	},
	[COW_PARENT_WRITES] = {
		.name = "cow_parent_writes", .summary = "parent writes its N pages while the forked child lives",
		.sweep = "pages", .xs = cow_pages_xs, .nx = 4, .validate = cow_validate_one,
	},
	[COW_NKINDS] = { .name = NULL },
};

const struct bench_desc bench_mm_cow = {
	.name = "mm_cow",
	.summary = "copy-on-write fault cost per 4 KiB page, with zero-fill and THP companions",
	.unit = "page",
	.variants = cow_variants,
	.setup = cow_setup,
	.run = cow_run,
	.teardown = cow_teardown,
};
