/*
 * fake_judge.h - what the validator unit tests share (included by
 * tests/unit/test_*.c only): a variant found by name, and a bench_judge
 * whose metric() answers from a table of (name, value) pairs.
 */
#ifndef PRIMBENCH_TEST_FAKE_JUDGE_H
#define PRIMBENCH_TEST_FAKE_JUDGE_H

#include <math.h>
#include <string.h>

#include "bench.h"

/* The variant of d named name, or NULL. */
static inline const struct bench_variant *fake_variant(const struct bench_desc *d, const char *name)
{
	for (const struct bench_variant *v = d->variants; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

/* One metric a fake judge knows; a table ends with a NULL name. */
struct fake_value {
	const char *name;
	double v;
};

/* metric() of a judge whose priv is a fake_value table: the value of
 * name, NAN for a name the table lacks (unmeasured). */
static inline double fake_table_metric(const struct bench_judge *j, const char *name)
{
	for (const struct fake_value *f = j->priv; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f->v;
	return NAN;
}

/* The verdict of variant var of d at sweep point x, pinned at `single`,
 * for the fault counters given (NAN: unmeasured, as a judge reads a
 * counter that did not open); BENCH_VALID_NA for a variant that is not
 * there or has no validator. */
static inline enum bench_valid fake_judge_faults(const struct bench_desc *d, const char *var,
						 double x, double faults, double minor)
{
	const struct bench_variant *v = fake_variant(d, var);
	const struct fake_value m[] = {
		{ "faults_per_op", faults }, { "minor_faults_per_op", minor }, { NULL, 0 },
	};
	struct bench_judge j = {
		.variant = var, .x = x, .placement = "single", .pinned = true,
		.metric = fake_table_metric, .priv = m,
	};
	char note[256] = "";

	if (!v || !v->validate)
		return BENCH_VALID_NA;
	return v->validate(&j, note, sizeof(note));
}

#endif
