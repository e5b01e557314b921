/*
 * meta.h - the host fingerprint: key/value pairs for meta.csv and `info`.
 */
#ifndef PRIMBENCH_META_H
#define PRIMBENCH_META_H

#include <stddef.h>

#include "pmu.h"
#include "topo.h"

/* One key and its value. */
struct meta_kv {
	char *key;    /* e.g. "kernel_release" */
	char *value;  /* free text, one line */
};

/* An ordered set of keys (setting a key again replaces its value). */
struct meta {
	struct meta_kv *kv;  /* pairs in insertion order */
	size_t n, cap;       /* used, allocated */
};

int meta_set(struct meta *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Value of key, or NULL. */
const char *meta_get(const struct meta *m, const char *key);
/*
 * Fill the fingerprint of DESIGN.md: kernel, CPU, topology, mitigations,
 * THP, governor, paranoid, counters (from probe, a group opened with the
 * run's events), clock, compiler.  Unreadable sources become "unknown"
 * with no error: a container without /sys still runs.
 */
int meta_collect(struct meta *m, const struct topo *t, const struct pmu_group *probe);
void meta_free(struct meta *m);

#endif
