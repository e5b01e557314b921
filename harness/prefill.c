/*
 * prefill.c - memory a BENCH_V_PREFILL variant wants written, filled once
 * per round instead of once per visit.
 *
 * Filling memory is the one set-up that would multiply the suite's time:
 * proc_create writes up to 1 GiB (about a second here) before it can fork
 * with that RSS.  Its variants ask (BENCH_V_PREFILL) for the runner to fill
 * each size once per round, pinned to worker 0's CPU so the pages come from
 * its node, and keep it with MADV_DONTFORK; for the visits that want it,
 * the region is switched to MADV_DOFORK around the fork of the supervising
 * child, which so inherits it copy-on-write (a PTE copy, ~40 ms per GiB,
 * instead of the fill).  The child's pages are then shared with primbench
 * and write-protected - the state a process's pages are in after its first
 * fork anyway, which is the state the fork benchmarks measure after their
 * warm-up.
 *
 * Why per round and not once per run: which physical pages a fill gets
 * moves what a fork of them costs.  Filled once per run, fork at 256 MiB
 * took 17-25 ms in every round of one run and 9-13 ms in every round of
 * the next (same host, back to back): a difference between runs that the
 * rounds could not see, and compare called it (-48%).  Refilled at the
 * start of every round (on first use; freed before), the pages differ from
 * round to round, so that variation is inside the run where the statistics
 * see it - at the cost of one fill per size per round.
 */
#include "visit.h"

#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>

/* Memory a prefill leaves free for everything else. */
#define RUNNER_PREFILL_MARGIN_BYTES (256ul << 20)
/* Populate in steps so a stop signal is seen between them. */
#define RUNNER_PREFILL_STEP (64ul << 20)

/* MemAvailable in bytes, or -1 if /proc/meminfo does not say. */
static long long mem_available(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* Map and write bytes of 4 KiB pages while pinned to cpu (so that they
 * come from its node), then keep them out of every fork (MADV_DONTFORK).
 * NULL when it cannot be had (no room, a limit, a failed populate): the
 * benchmark then fills its own memory, as without a prefill. */
static void *prefill_fill(size_t bytes, int cpu)
{
	long long avail = mem_available();
	cpu_set_t old, one;
	bool pinned = false;
	int rc = 0;
	char *p;

	if (avail >= 0 && (long long)(bytes + RUNNER_PREFILL_MARGIN_BYTES) > avail)
		return NULL;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	if (cpu >= 0 && sched_getaffinity(0, sizeof(old), &old) == 0) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
	}
	for (size_t off = 0; rc == 0 && off < bytes && !runner_stopped(); off += RUNNER_PREFILL_STEP) {
		size_t len = bytes - off < RUNNER_PREFILL_STEP ? bytes - off : RUNNER_PREFILL_STEP;

		rc = bench_populate_write(p + off, len);
	}
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	if (rc < 0 || runner_stopped() || madvise(p, bytes, MADV_DONTFORK) < 0) {
		munmap(p, bytes);
		return NULL;
	}
	return p;
}

/* The prefill a configuration asks for, filled on first use; NULL if it
 * asks for none or it cannot be had. */
struct runner_prefill *prefill_get(struct runner_prefill *pool, size_t *npool,
				   const struct runner_config *c)
{
	size_t bytes = (size_t)c->x;
	int cpu = c->place.cpu[0];

	if (!(c->var->flags & BENCH_V_PREFILL) || bytes == 0)
		return NULL;
	for (size_t i = 0; i < *npool; i++)
		if (pool[i].bytes == bytes && pool[i].cpu == cpu)
			return pool[i].p ? &pool[i] : NULL;
	if (*npool == RUNNER_MAX_PREFILL)
		return NULL;
	pool[*npool] = (struct runner_prefill){ .bytes = bytes, .cpu = cpu,
						.p = prefill_fill(bytes, cpu) };
	return pool[(*npool)++].p ? &pool[*npool - 1] : NULL;
}

void prefill_release(struct runner_prefill *pool, size_t npool)
{
	for (size_t i = 0; i < npool; i++)
		if (pool[i].p)
			munmap(pool[i].p, pool[i].bytes);
}
