/*
 * pmu.h - performance counters of the calling thread.
 *
 * Event names go through libpfm4 (pfm_get_os_event_encoding) when it was
 * found at build time (HAVE_LIBPFM), else through the perf_event ABI's
 * generic ids.  Counters count user and kernel mode; if the kernel refuses
 * kernel-mode counting (perf_event_paranoid), they fall back to user-only,
 * and if perf_event_open is refused entirely, to getrusage(RUSAGE_THREAD)
 * for what it can give (faults, context switches).  The mode used is
 * reported, never hidden; so are time_enabled/time_running.
 */
#ifndef PRIMBENCH_PMU_H
#define PRIMBENCH_PMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The events primbench knows.  Software events first. */
enum pmu_event {
	PMU_TASK_CLOCK,        /* "task-clock", ns on CPU */
	PMU_PAGE_FAULTS,       /* "page-faults" */
	PMU_MINOR_FAULTS,      /* "minor-faults" */
	PMU_MAJOR_FAULTS,      /* "major-faults" */
	PMU_CTX_SWITCHES,      /* "context-switches" */
	PMU_CPU_MIGRATIONS,    /* "cpu-migrations" */
	PMU_CYCLES,            /* "cycles" (hardware) */
	PMU_INSTRUCTIONS,      /* "instructions" */
	PMU_CACHE_MISSES,      /* "cache-misses" (LLC) */
	PMU_BRANCH_MISSES,     /* "branch-misses" */
	PMU_DTLB_MISSES,       /* "dtlb-load-misses" */
	PMU_NEVENTS
};

/* How the counters were obtained. */
enum pmu_mode {
	PMU_MODE_NONE = 0,     /* nothing opened (not yet, or --events none) */
	PMU_MODE_KERNEL_USER,  /* perf_event_open, user + kernel */
	PMU_MODE_USER_ONLY,    /* perf_event_open, exclude_kernel (paranoid) */
	PMU_MODE_RUSAGE,       /* getrusage(RUSAGE_THREAD) */
};

/* Static facts about one event. */
struct pmu_event_info {
	const char *name;      /* CLI / libpfm name, e.g. "minor-faults" */
	const char *metric;    /* CSV metric, e.g. "minor_faults_per_op" */
	const char *unit;      /* CSV unit, e.g. "faults/op" */
	bool hardware;         /* needs a hardware PMU */
};

const struct pmu_event_info *pmu_event_info(enum pmu_event ev);
/* Parse a comma-separated event list ("all", "none", "sw", "hw" or names)
 * into a bit mask; -EINVAL with the bad name copied to bad[]. */
int pmu_parse_events(const char *list, uint32_t *mask, char *bad, size_t badlen);
/* The default mask: every event. */
uint32_t pmu_default_mask(void);
const char *pmu_mode_name(enum pmu_mode mode);

/* Per-event state of an open set of counters. */
struct pmu_event_state {
	int fd;                /* perf fd, -1 if not open */
	uint64_t id;           /* kernel id (PERF_EVENT_IOC_ID): matches group reads */
	int group;             /* index of its group leader's event, -1 */
	bool available;        /* counts something */
	int err;               /* errno that made it unavailable, 0 if available */
	char reason[96];       /* why unavailable: "no hardware PMU (ENOENT)" ... */
};

/* The counters of one thread. */
struct pmu_group {
	enum pmu_mode mode;                     /* how they count */
	uint32_t mask;                          /* events requested */
	struct pmu_event_state ev[PMU_NEVENTS]; /* per event */
};

/* One read of all counters. */
struct pmu_reading {
	uint64_t value[PMU_NEVENTS];        /* raw (not scaled) counts */
	uint64_t time_enabled[PMU_NEVENTS]; /* ns its group was enabled */
	uint64_t time_running[PMU_NEVENTS]; /* ns its group was on the PMU */
	uint32_t got;                       /* events this read gave a value */
	uint32_t timed;                     /* of those, read from perf: the
					       times above are their group's
					       (getrusage values have none) */
};

/*
 * Open the events in mask for the calling thread (pid 0, any CPU, no
 * inherit), as few groups as the kernel accepts (ideally one), enabled.
 * Never fails for an unavailable event: it is marked with its reason.
 * Returns 0, or -errno only for a bad argument.
 */
int pmu_group_open(struct pmu_group *g, uint32_t mask);
/* Read every available counter.  0 or -errno. */
int pmu_group_read(const struct pmu_group *g, struct pmu_reading *r);
/* Close everything; g can be opened again. */
void pmu_group_close(struct pmu_group *g);
/* Mask of the events that count. */
uint32_t pmu_group_available(const struct pmu_group *g);
/*
 * The count of ev between readings a and b, or NAN when that delta is not
 * a measurement: ev was not read in both; its perf group did not run in
 * between (time_running did not advance); or ev counts whenever the
 * thread runs (task-clock, cycles, instructions), its group ran, and it
 * did not move - a counter that was never scheduled, which would
 * otherwise be written as a real 0 (issue 13).  On NAN the reason goes to
 * why[] (may be NULL).
 */
double pmu_reading_delta(const struct pmu_reading *a, const struct pmu_reading *b,
			 enum pmu_event ev, char *why, size_t whylen);
/* True when some event ran for less time than it was enabled. */
bool pmu_reading_multiplexed(const struct pmu_reading *a, const struct pmu_reading *b,
			     uint32_t mask);

#endif
