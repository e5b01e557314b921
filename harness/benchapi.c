/*
 * benchapi.c - the functions bench.h offers to benchmarks: reading the
 * configuration, reporting, workers and self-checks.  The objects that
 * must not outlive a run (bench_track and its runner side) are cleanup.c's.
 */
#include "ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "stats.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels say EINVAL */
#endif
/* bench_populate_write() advises in steps of this. */
#define BENCH_POPULATE_STEP (64ul << 20)

/* --- reading the configuration ------------------------------------------ */

const struct bench_variant *bench_variant(const struct bench_ctx *ctx)
{
	return ctx->var;
}

double bench_x(const struct bench_ctx *ctx)
{
	return ctx->x;
}

const char *bench_placement(const struct bench_ctx *ctx)
{
	return topo_placement_name(ctx->place.kind);
}

int bench_cpu(const struct bench_ctx *ctx, int i)
{
	return (i == 0 || i == 1) ? ctx->place.cpu[i] : -1;
}

uint64_t bench_now_ns(void)
{
	return clock_now_ns();
}

bool bench_quick(const struct bench_ctx *ctx)
{
	return ctx->quick;
}

void *bench_prefilled(const struct bench_ctx *ctx, size_t *len)
{
	*len = ctx->prefill ? ctx->prefill_len : 0;
	return ctx->prefill;
}

const char *bench_inject(const struct bench_ctx *ctx)
{
	return ctx->inject;
}

/* The word of the injection that starts with prefix (its length in *len),
 * or NULL. */
static const char *inject_word(const struct bench_ctx *ctx, const char *prefix, size_t *len)
{
	size_t n = strlen(prefix);

	for (const char *w = ctx->inject; w && *w;) {
		const char *comma = strchr(w, ',');

		*len = comma ? (size_t)(comma - w) : strlen(w);
		if (*len >= n && strncmp(w, prefix, n) == 0)
			return w;
		w = comma ? comma + 1 : NULL;
	}
	return NULL;
}

bool bench_inject_has(const struct bench_ctx *ctx, const char *word)
{
	size_t len;
	const char *w = inject_word(ctx, word, &len);

	return w && len == strlen(word);
}

int bench_inject_hold(struct bench_ctx *ctx)
{
	const struct timespec nap = { 0, 10000000 };
	char path[PATH_MAX], tmp[PATH_MAX + 8], done[PATH_MAX + 8];
	size_t len;
	const char *w = inject_word(ctx, "hold=", &len);
	int fd, err;

	if (!w)
		return 0;
	len -= strlen("hold=");
	if (len == 0 || len >= sizeof(path))
		return bench_fail(ctx, -EINVAL, "PRIMBENCH_INJECT hold= needs a path shorter than %d",
				  PATH_MAX);
	memcpy(path, w + strlen("hold="), len);
	path[len] = '\0';
	snprintf(done, sizeof(done), "%s.done", path);
	/* Released once already: later rounds' visits go on. */
	if (access(done, F_OK) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	err = fd < 0 ? errno : 0;
	if (fd >= 0) {
		if (dprintf(fd, "%d\n", (int)getpid()) < 0)
			err = errno;
		if (close(fd) < 0 && !err)
			err = errno;
	}
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err)
		return bench_fail(ctx, -err, "PRIMBENCH_INJECT hold: cannot write %s: %s", path,
				  strerror(err));
	/* Polling, not a timeout: the test decides when this ends. */
	while (access(path, F_OK) == 0)
		nanosleep(&nap, NULL);
	fd = open(done, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return 0;
}

enum bench_fault bench_inject_fault(const struct bench_ctx *ctx)
{
	const char *inj = ctx->inject;

	if (inj && strcmp(inj, "hang") == 0)
		return BENCH_FAULT_HANG;
	if (inj && strcmp(inj, "crash") == 0)
		return BENCH_FAULT_CRASH;
	return BENCH_FAULT_NONE;
}

void bench_inject_term(const struct bench_ctx *ctx)
{
	const struct timespec nap = { 0, 1000000 };
	sigset_t pending;

	if (!bench_inject_has(ctx, "term_in_create"))
		return;
	kill(getppid(), SIGTERM);
	for (;;) {
		if (sigpending(&pending) == 0 && sigismember(&pending, SIGTERM))
			return;
		nanosleep(&nap, NULL);
	}
}

int bench_inject_self(struct bench_ctx *ctx)
{
	enum bench_fault fault = bench_inject_fault(ctx);

	if (fault == BENCH_FAULT_HANG)
		for (;;)
			pause();
	if (fault == BENCH_FAULT_CRASH) {
		struct rlimit nocore = { 0, 0 };

		/* RLIMIT_CORE 0 for a core file pattern; not dumpable for a
		 * core pipe, which ignores the limit. */
		setrlimit(RLIMIT_CORE, &nocore);
		prctl(PR_SET_DUMPABLE, 0);
		raise(SIGSEGV);
		_exit(128 + SIGSEGV);
	}
	return bench_inject_hold(ctx);
}

/* --- reporting ------------------------------------------------------------ */

void ctx_sample_reset(struct bench_ctx *ctx)
{
	memset(&ctx->s, 0, sizeof(ctx->s));
}

void bench_window_begin(struct bench_ctx *ctx)
{
	/* Counters first, clock last: the counter read stays outside the
	 * timed window. */
	pmu_group_read(ctx->pmu, &ctx->s.win_r0);
	ctx->s.window_open = true;
	ctx->s.win_t0 = clock_now_ns();
}

/* Append the counter-read reason to the note, once. */
static void ctx_note_unmeasured(struct bench_ctx *ctx)
{
	size_t n = strlen(ctx->note);

	if (!ctx->unmeasured || strstr(ctx->note, ctx->unmeasured_why))
		return;
	snprintf(ctx->note + n, sizeof(ctx->note) - n, "%scounter sample dropped: %s",
		 n ? "; " : "", ctx->unmeasured_why);
}

void bench_window_end(struct bench_ctx *ctx)
{
	uint64_t t1 = clock_now_ns();
	struct pmu_reading r1;
	uint32_t avail = pmu_group_available(ctx->pmu);

	if (!ctx->s.window_open)
		return;
	pmu_group_read(ctx->pmu, &r1);
	ctx->s.window_open = false;
	ctx->s.windows++;
	ctx->s.win_ns += (double)(t1 - ctx->s.win_t0) - ctx->overhead_ns;
	for (int e = 0; e < PMU_NEVENTS; e++) {
		char why[sizeof(ctx->unmeasured_why)];
		double d;

		if (!(avail & (1u << e)))
			continue;
		/* A delta that is not a measurement (issue 13: task-clock
		 * never scheduled, read as 0) is NAN, and NAN sums to NAN:
		 * the sample is reported unmeasured, never as a count. */
		d = pmu_reading_delta(&ctx->s.win_r0, &r1, e, why, sizeof(why));
		ctx->s.win_count[e] += d;
		if (isnan(d) && !(ctx->unmeasured & (1u << e))) {
			if (!ctx->unmeasured)
				snprintf(ctx->unmeasured_why, sizeof(ctx->unmeasured_why), "%s", why);
			ctx->unmeasured |= 1u << e;
			ctx_note_unmeasured(ctx);
		}
	}
	if (pmu_reading_multiplexed(&ctx->s.win_r0, &r1, avail))
		ctx->s.win_multiplexed = true;
}

void bench_add_elapsed_ns(struct bench_ctx *ctx, uint64_t ns)
{
	ctx->s.elapsed_set = true;
	ctx->s.elapsed_ns += (double)ns;
}

void bench_set_ops(struct bench_ctx *ctx, uint64_t ops)
{
	ctx->s.ops_set = true;
	ctx->s.ops = ops;
}

void bench_add_count(struct bench_ctx *ctx, enum pmu_event ev, uint64_t delta)
{
	if ((unsigned)ev >= PMU_NEVENTS)
		return;
	ctx->s.add_mask |= 1u << ev;
	ctx->s.add_count[ev] += (double)delta;
}

void bench_counts_elsewhere(struct bench_ctx *ctx)
{
	ctx->s.counts_elsewhere = true;
}

void bench_set_bytes(struct bench_ctx *ctx, uint64_t bytes)
{
	ctx->s.bytes = bytes;
}

void bench_sample_metric(struct bench_ctx *ctx, const char *metric,
			 const char *unit, double value)
{
	unsigned i;

	for (i = 0; i < ctx->nextra; i++)
		if (strcmp(ctx->extra_name[i], metric) == 0)
			break;
	if (i == ctx->nextra) {
		if (i == BENCH_MAX_EXTRA)
			return;
		snprintf(ctx->extra_name[i], BENCH_NAME_MAX, "%s", metric);
		snprintf(ctx->extra_unit[i], BENCH_NAME_MAX, "%s", unit);
		ctx->nextra++;
	}
	ctx->s.extra_sum[i] += value;
	ctx->s.extra_n[i]++;
}

void bench_note(struct bench_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->note, sizeof(ctx->note), fmt, ap);
	va_end(ap);
	/* The benchmark's note replaces its earlier one, not the harness's
	 * word that a counter sample was dropped. */
	ctx_note_unmeasured(ctx);
}

void bench_quantiles(double *v, size_t n, const double *ps, double *q, size_t nq)
{
	stats_sort(v, n);
	for (size_t i = 0; i < nq; i++)
		q[i] = stats_quantile_sorted(v, n, ps[i]);
}

int bench_skip(struct bench_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->note, sizeof(ctx->note), fmt, ap);
	va_end(ap);
	ctx->status = CTX_SKIPPED;
	return -EOPNOTSUPP;
}

int bench_fail(struct bench_ctx *ctx, int neg_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->note, sizeof(ctx->note), fmt, ap);
	va_end(ap);
	ctx->status = CTX_FAILED;
	return neg_errno ? neg_errno : -EPROTO;
}

/* --- workers ---------------------------------------------------------------- */

int bench_child_init(void)
{
	pid_t parent = getppid();

	/* PDEATHSIG fires when the thread that forked us exits; benchmarks
	 * fork from the supervising child's main thread, which lives until
	 * teardown has reaped us.  Checking getppid() afterwards closes the
	 * race with a parent that died before prctl(). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -errno;
	if (getppid() != parent)
		_exit(127);
	return 0;
}

int bench_pin(const struct bench_ctx *ctx, int i)
{
	int cpu = bench_cpu(ctx, i);
	int rc;

	if (cpu < 0)
		return 0;
	rc = topo_bind(ctx->topo, cpu);
	if (rc < 0)
		return rc;
	return topo_verify(cpu);
}

int bench_pin_peer(const struct bench_ctx *ctx)
{
	return bench_pin(ctx, 1);
}

int bench_reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return 0;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

int bench_wait_child(struct bench_ctx *ctx, pid_t pid, struct rusage *ru)
{
	int status;

	while (wait4(pid, &status, 0, ru) < 0) {
		int err = errno;

		if (err != EINTR)
			return bench_fail(ctx, -err, "wait4: %s", strerror(err));
	}
	if (WIFSIGNALED(status))
		return bench_fail(ctx, 0, "child killed by signal %d (%s)",
				  WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (WEXITSTATUS(status) == 127)
		return bench_fail(ctx, 0, "child exited with status 127 (could not exec?)");
	if (WEXITSTATUS(status) != 0)
		return bench_fail(ctx, 0, "child exited with status %d", WEXITSTATUS(status));
	return 0;
}

int bench_spawn_error(struct bench_ctx *ctx, const char *what, int err)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	char lim[32] = "unlimited";

	getrlimit(RLIMIT_NPROC, &rl);
	if (rl.rlim_cur != RLIM_INFINITY)
		snprintf(lim, sizeof(lim), "%llu", (unsigned long long)rl.rlim_cur);
	if (err == EAGAIN)
		return bench_skip(ctx, "%s: EAGAIN (RLIMIT_NPROC=%s, or the pid/thread limit)",
				  what, lim);
	if (err == ENOMEM)
		return bench_skip(ctx, "%s: ENOMEM (not enough memory for the child)", what);
	return bench_fail(ctx, -err, "%s: %s", what, strerror(err));
}

double bench_judge_max(const struct bench_judge *j, const char *name)
{
	return j->metric_max ? j->metric_max(j, name) : j->metric(j, name);
}

enum bench_valid bench_pingpong_switches(const char *metric, double per_op, double ops_per_rt,
					 char *note, size_t len)
{
	double rt = per_op * ops_per_rt;

	if (isnan(rt)) {
		snprintf(note, len, "no context-switch count: same-cpu check not made");
		return BENCH_VALID_NA;
	}
	if (rt >= BENCH_PINGPONG_SWITCHES_LO && rt <= BENCH_PINGPONG_SWITCHES_HI)
		return BENCH_VALID_PASS;
	if (ops_per_rt == 1)
		snprintf(note, len, "same-cpu round trip made %.2f context switches (%s), "
			 "expected %.0f, accepted [%.1f, %.1f]", rt, metric,
			 BENCH_PINGPONG_SWITCHES, BENCH_PINGPONG_SWITCHES_LO,
			 BENCH_PINGPONG_SWITCHES_HI);
	else
		snprintf(note, len, "same-cpu round trip made %.2f context switches (%s %.3g x %.0f ops "
			 "per round trip), expected %.0f, accepted [%.1f, %.1f]", rt, metric, per_op,
			 ops_per_rt, BENCH_PINGPONG_SWITCHES, BENCH_PINGPONG_SWITCHES_LO,
			 BENCH_PINGPONG_SWITCHES_HI);
	return BENCH_VALID_FAIL;
}

enum bench_valid bench_valid_pingpong(const struct bench_judge *j, char *note, size_t len)
{
	double cs = j->metric(j, "ctxsw_per_op");

	if (strcmp(j->placement, "same-cpu") != 0 || isnan(cs))
		return BENCH_VALID_NA;
	return bench_pingpong_switches("ctxsw_per_op", cs, 1, note, len);
}

uint64_t bench_rusage_switches(const struct rusage *ru)
{
	return (uint64_t)ru->ru_nvcsw + (uint64_t)ru->ru_nivcsw;
}

uint64_t bench_switches_now(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) < 0)
		return 0;
	return bench_rusage_switches(&ru);
}

int bench_populate_write(void *p, size_t len)
{
	char *c = p;

	for (size_t off = 0; off < len; off += BENCH_POPULATE_STEP) {
		size_t n = len - off < BENCH_POPULATE_STEP ? len - off : BENCH_POPULATE_STEP;

		if (madvise(c + off, n, MADV_POPULATE_WRITE) == 0)
			continue;
		if (errno != EINVAL)
			return -errno;
		for (size_t i = 0; i < n; i += 4096)
			((volatile char *)c)[off + i] = 1;
	}
	return 0;
}
