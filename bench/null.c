/*
 * null - an empty operation.
 *
 * What is measured: a loop of `iters` iterations whose body is a compiler
 * barrier (so the loop is not deleted), timed as the whole run() call.
 * Why: it proves what the harness itself adds per operation - calibration
 * makes the two clock reads and the call negligible, so the result should
 * be the cost of one loop iteration, well under 1 ns.  A larger number
 * means the timing method, not the host, is off.
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
	struct null_state *st = calloc(1, sizeof(*st));

	(void)ctx;
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
