/*
 * clock.c - the run's timer.
 *
 * Why the TSC: reading it costs a few ns and does not enter the kernel,
 * so it disturbs the timed window less than clock_gettime() can on a host
 * whose clocksource is not vDSO-capable.  It is used only when the CPU says
 * the TSC is invariant (CPUID 0x80000007 EDX bit 8: constant rate across
 * P-/C-states) - otherwise CLOCK_MONOTONIC_RAW, which never slews with NTP.
 *
 * Calibration: the TSC rate is measured against CLOCK_MONOTONIC_RAW over
 * CLOCK_CAL_NS, taking the pair of reads with the tightest bracket at each
 * end so a preemption during calibration cannot skew it.
 *
 * Overhead: the median of many back-to-back clock_now_ns() deltas.  The
 * runner subtracts it once per sample (a sample is bracketed by one pair
 * of reads), and calibrates samples to last >= 100x it (so it is < 1%).
 *
 * State: one calibrated struct, written once by clock_init() in the main
 * process before any fork, read-only afterwards (children inherit it).
 */
#include "clock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#define CLOCK_HAVE_TSC 1
#endif

#include "stats.h"

/* How long the TSC is calibrated against CLOCK_MONOTONIC_RAW. */
#define CLOCK_CAL_NS 40000000ull
/* Back-to-back reads used to measure the overhead. */
#define CLOCK_OVERHEAD_READS 2001

/* The calibrated clock: set by clock_init(), read-only afterwards. */
static struct {
	struct clock_info info;  /* what meta.csv reports */
	double ns_per_tick;      /* 1e9 / tsc_hz */
	uint64_t tsc0;           /* TSC at calibration: origin of ns */
} clk;

static uint64_t mono_raw_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#ifdef CLOCK_HAVE_TSC
/* rdtsc fenced on both sides: lfence before so earlier instructions have
 * completed, and after so later ones cannot start before the read. */
static inline uint64_t tsc_read(void)
{
	uint64_t t;

	_mm_lfence();
	t = __rdtsc();
	_mm_lfence();
	return t;
}

static int tsc_invariant(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x80000007)
		return 0;
	__get_cpuid(0x80000007, &a, &b, &c, &d);
	return (d >> 8) & 1;
}

/* One (tsc, mono) pair whose bracketing TSC reads are closest. */
static void tsc_mono_pair(uint64_t *tsc, uint64_t *mono)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 50; i++) {
		uint64_t t0 = tsc_read();
		uint64_t m = mono_raw_ns();
		uint64_t t1 = tsc_read();

		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			*mono = m;
		}
	}
}

static double tsc_calibrate(void)
{
	uint64_t t0, m0, t1, m1;
	struct timespec nap = { 0, 1000000 };

	tsc_mono_pair(&t0, &m0);
	do
		nanosleep(&nap, NULL);
	while (mono_raw_ns() - m0 < CLOCK_CAL_NS);
	tsc_mono_pair(&t1, &m1);
	return (double)(t1 - t0) * 1e9 / (double)(m1 - m0);
}
#endif

uint64_t clock_now_ns(void)
{
#ifdef CLOCK_HAVE_TSC
	if (clk.info.source == CLOCK_SRC_TSC)
		return (uint64_t)((double)(tsc_read() - clk.tsc0) * clk.ns_per_tick);
#endif
	return mono_raw_ns();
}

static double clock_overhead(void)
{
	double d[CLOCK_OVERHEAD_READS];

	for (int i = 0; i < CLOCK_OVERHEAD_READS; i++) {
		uint64_t a = clock_now_ns();
		uint64_t b = clock_now_ns();

		d[i] = (double)(b - a);
	}
	stats_sort(d, CLOCK_OVERHEAD_READS);
	return d[CLOCK_OVERHEAD_READS / 2];
}

void clock_init(int force_source)
{
	memset(&clk, 0, sizeof(clk));
	clk.info.source = CLOCK_SRC_MONO_RAW;
	clk.info.why = "no invariant TSC on this CPU";
#ifdef CLOCK_HAVE_TSC
	if (force_source == CLOCK_SRC_MONO_RAW) {
		clk.info.why = "forced";
	} else if (tsc_invariant() || force_source == CLOCK_SRC_TSC) {
		clk.info.tsc_hz = tsc_calibrate();
		if (clk.info.tsc_hz > 1e6 && isfinite(clk.info.tsc_hz)) {
			clk.ns_per_tick = 1e9 / clk.info.tsc_hz;
			clk.tsc0 = tsc_read();
			clk.info.source = CLOCK_SRC_TSC;
			clk.info.why = "invariant TSC (CPUID 80000007H EDX[8]), calibrated against CLOCK_MONOTONIC_RAW";
		} else {
			clk.info.tsc_hz = 0;
			clk.info.why = "TSC calibration gave an implausible rate";
		}
	}
#else
	(void)force_source;
	clk.info.why = "not x86: no TSC";
#endif
	clk.info.overhead_ns = clock_overhead();
}

const struct clock_info *clock_info(void)
{
	return &clk.info;
}

const char *clock_source_name(enum clock_source s)
{
	return s == CLOCK_SRC_TSC ? "tsc" : "CLOCK_MONOTONIC_RAW";
}
