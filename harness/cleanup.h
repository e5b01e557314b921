/*
 * cleanup.h - the runner's side of the objects that must not outlive a run
 * (SysV ids, POSIX names, files; benchmarks track them with bench.h's
 * bench_track).  Included through ctx.h, where the runner found these
 * before cleanup.c was split out of benchapi.c; the names keep their ctx_
 * prefix until their callers (main.c, runner.c) move to cleanup_.
 */
#ifndef PRIMBENCH_CLEANUP_H
#define PRIMBENCH_CLEANUP_H

#include <stdbool.h>

/*
 * The tracked objects live in a MAP_SHARED page made by the main process
 * before any fork, so that whoever survives - the supervising child on
 * PDEATHSIG, or primbench after killing a hung child - can remove them.
 * 0 or -errno.
 */
int cleanup_init(void);
/* Remove every tracked object; async-signal-safe.  Returns how many.
 * alone: no other process of the configuration is alive (primbench after
 * reaping the group), so slots left mid-removal by a killed sweeper are
 * finished too. */
int cleanup_sweep(bool alone);
/* Remove leftovers of earlier, killed primbench processes (POSIX names
 * and scratch folders carry the creating pid; only dead pids' are
 * removed): in /dev/shm, /dev/mqueue and, when out_dir is not NULL, the
 * scratch folders in out_dir (bench_scratch_dir). */
void cleanup_sweep_stale(const char *out_dir);

#endif
