/*
 * syscall_getppid - the cheapest entry into the kernel.
 *
 * What is measured: `iters` calls of syscall(SYS_getppid), timed as the
 * whole run() call.  getppid is used because glibc never caches it (it did
 * cache getpid once) and the kernel does almost nothing for it, so the
 * number is the system-call entry and exit path itself - including
 * whatever the host's mitigations add (see vuln.* in meta.csv).  Every
 * other primitive's cost sits on this floor.
 *
 * Test-only fault injection (PRIMBENCH_INJECT, bench_inject_self() in
 * setup): "syscall_getppid:hang", ":crash" and ":hold=PATH" as in null.c;
 * the second family in the list, so a test can hold a configuration after
 * null's has finished (tests/e2e/test_harness.sh interrupts a run there).
 */
#include "bench.h"

#include <errno.h>
#include <stdlib.h>

#include <sys/syscall.h>
#include <unistd.h>

/* Per-run state: the last result, kept so the call cannot be elided. */
struct getppid_state {
	long sink; /* sum of results (never read; stops dead-code removal) */
};

static int getppid_setup(struct bench_ctx *ctx, void **state)
{
	struct getppid_state *st;
	int rc = bench_inject_self(ctx);

	if (rc < 0)
		return rc;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	*state = st;
	return 0;
}

static int getppid_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct getppid_state *st = state;

	(void)ctx;
	for (uint64_t i = 0; i < iters; i++)
		st->sink += syscall(SYS_getppid);
	return 0;
}

static void getppid_teardown(struct bench_ctx *ctx, void *state)
{
	(void)ctx;
	free(state);
}

static const struct bench_variant getppid_variants[] = {
	{ .name = "getppid", .summary = "syscall(SYS_getppid): kernel entry + exit" },
	{ .name = NULL },
};

const struct bench_desc bench_syscall_getppid = {
	.name = "syscall_getppid",
	.summary = "the cheapest kernel entry: the floor under every other number",
	.unit = "syscall",
	.variants = getppid_variants,
	.setup = getppid_setup,
	.run = getppid_run,
	.teardown = getppid_teardown,
};
