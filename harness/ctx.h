/*
 * ctx.h - the runner's side of struct bench_ctx (harness-internal).
 *
 * Benchmarks see struct bench_ctx only through bench.h's functions
 * (benchapi.c); measure.c fills it per configuration and drains it per
 * sample.
 */
#ifndef PRIMBENCH_CTX_H
#define PRIMBENCH_CTX_H

#include "bench.h"
#include "cleanup.h"
#include "pmu.h"
#include "topo.h"

/* Status a benchmark can give itself. */
enum ctx_status { CTX_OK = 0, CTX_SKIPPED, CTX_FAILED };

/* What one run() call left behind; reset before every call. */
struct ctx_sample {
	bool window_open;                 /* inside bench_window_begin/end */
	unsigned windows;                 /* windows closed in this call */
	uint64_t win_t0;                  /* clock at the open window's begin */
	struct pmu_reading win_r0;        /* counters at the open window's begin */
	double win_ns;                    /* wall ns summed over windows */
	double win_count[PMU_NEVENTS];    /* counter deltas summed over windows */
	bool win_multiplexed;             /* some window was multiplexed */
	bool elapsed_set;                 /* bench_add_elapsed_ns() was called */
	double elapsed_ns;                /* its sum */
	bool ops_set;                     /* bench_set_ops() was called */
	uint64_t ops;                     /* its value */
	uint64_t bytes;                   /* bench_set_bytes() */
	uint32_t add_mask;                /* events bench_add_count() touched */
	double add_count[PMU_NEVENTS];    /* their sums */
	bool counts_elsewhere;            /* bench_counts_elsewhere(): drop the
					     calling thread's counts */
	double extra_sum[BENCH_MAX_EXTRA]; /* bench_sample_metric() sums */
	unsigned extra_n[BENCH_MAX_EXTRA]; /* and counts (averaged) */
};

/* One configuration being measured, in the supervising child. */
struct bench_ctx {
	const struct bench_desc *desc;     /* family */
	const struct bench_variant *var;   /* variant */
	double x;                          /* sweep value, 0 if none */
	struct topo_place place;           /* placement and its CPUs */
	const struct topo *topo;           /* for binding */
	bool quick;                        /* --quick */
	const char *inject;                /* PRIMBENCH_INJECT's <what>, or NULL */
	const char *out_dir;               /* --out, for BENCH_FS_OUT scratch
					      folders; NULL: none */
	struct pmu_group *pmu;             /* counters of worker 0 */
	double overhead_ns;                /* timer overhead, subtracted per read pair */
	void *prefill;                     /* BENCH_V_PREFILL memory, or NULL */
	size_t prefill_len;                /* its length */
	struct ctx_sample s;               /* the current run() call */
	unsigned nextra;                   /* extra metric names in use */
	char extra_name[BENCH_MAX_EXTRA][BENCH_NAME_MAX]; /* their names */
	char extra_unit[BENCH_MAX_EXTRA][BENCH_NAME_MAX]; /* and units */
	enum ctx_status status;            /* set by bench_skip/bench_fail */
	char note[BENCH_NOTE_MAX];         /* reason or free note */
	uint32_t unmeasured;               /* events some window could not
					      measure (a failed counter read):
					      their samples are NAN */
	char unmeasured_why[128];          /* the first such read's reason,
					      kept in note (bench_note too) */
};

/* Reset the per-call state before a run() call. */
void ctx_sample_reset(struct bench_ctx *ctx);


#endif
