/*
 * clock.h - the run's timer: invariant TSC calibrated against
 * CLOCK_MONOTONIC_RAW where the CPU has one, else CLOCK_MONOTONIC_RAW.
 */
#ifndef PRIMBENCH_CLOCK_H
#define PRIMBENCH_CLOCK_H

#include <stdint.h>

/* Which source clock_now_ns() reads. */
enum clock_source { CLOCK_SRC_MONO_RAW = 0, CLOCK_SRC_TSC };

/* Facts about the calibrated clock, for meta.csv. */
struct clock_info {
	enum clock_source source; /* what clock_now_ns() reads */
	double tsc_hz;            /* calibrated TSC frequency, 0 if unused */
	double overhead_ns;       /* median cost of one clock_now_ns() pair delta */
	const char *why;          /* why this source was chosen */
};

/* Choose and calibrate (about 50 ms).  force_source < 0: automatic; else
 * the given source (tests).  Call once in the main process before forking. */
void clock_init(int force_source);
/* Nanoseconds since an arbitrary origin; monotonic. */
uint64_t clock_now_ns(void);
const struct clock_info *clock_info(void);
const char *clock_source_name(enum clock_source s);

#endif
