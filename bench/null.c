/*
 * null - an empty operation.
 *
 * What is measured: a loop of `iters` iterations whose body is a compiler
 * barrier (so the loop is not deleted), timed as the whole run() call.
 * Why: it proves what the harness itself adds per operation - calibration
 * makes the two clock reads and the call negligible, so the result should
 * be the cost of one loop iteration, well under 1 ns.  A larger number
 * means the timing method, not the host, is off.
 *
 * Test-only fault injection (PRIMBENCH_INJECT, bench_inject_self() in
 * setup): "null:hang" blocks forever, "null:crash" dies of SIGSEGV,
 * "null:hold=PATH" writes the supervising child's pid to PATH and waits
 * until PATH is removed: the tests' handshake for a configuration that is
 * alive for as long as they need it (tests/faults/test_watchdog.sh,
 * tests/e2e/test_harness.sh).
 */
#include "bench.h"

#include <errno.h>
#include <stdlib.h>

/* No state: the operation is empty. */
struct null_state {
	int unused; /* keeps the struct non-empty (ISO C) */
};

static int null_setup(struct bench_ctx *ctx, void **state)
{
	struct null_state *st;
	int rc = bench_inject_self(ctx);

	if (rc < 0)
		return rc;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	*state = st;
	return 0;
}

static int null_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	(void)ctx;
	(void)state;
	for (uint64_t i = 0; i < iters; i++)
		__asm__ volatile("" ::: "memory");
	return 0;
}

static void null_teardown(struct bench_ctx *ctx, void *state)
{
	(void)ctx;
	free(state);
}

static const struct bench_variant null_variants[] = {
	{ .name = "empty", .summary = "empty loop iteration: the harness's floor" },
	{ .name = NULL },
};

const struct bench_desc bench_null = {
	.name = "null",
	.summary = "an empty operation (proves the harness adds ~0 ns per op)",
	.unit = "loop iteration",
	.variants = null_variants,
	.setup = null_setup,
	.run = null_run,
	.teardown = null_teardown,
};
