/*
 * topo.h - host topology (hwloc), placements, binding and its check.
 *
 * A placement is where the (at most two) workers of a configuration run:
 * see DESIGN.md's table.  Only the placements the topology offers are
 * produced.  CPUs are OS (logical) indexes, as sched_getcpu() returns them.
 */
#ifndef PRIMBENCH_TOPO_H
#define PRIMBENCH_TOPO_H

#include <stdbool.h>
#include <stddef.h>

/* The placements, in DESIGN.md order. */
enum topo_placement {
	TOPO_SAME_CPU, TOPO_SMT, TOPO_SAME_CACHE, TOPO_CROSS_CACHE,
	TOPO_CROSS_NUMA, TOPO_CROSS_PACKAGE, TOPO_SINGLE, TOPO_UNPINNED,
	TOPO_NPLACEMENTS
};

/* One concrete placement on this host. */
struct topo_place {
	enum topo_placement kind; /* which placement */
	int cpu[2];               /* OS CPU of worker 0 and 1; -1 = unpinned */
};

struct topo;

/*
 * Load the topology: of this host when source is NULL, else from an hwloc
 * XML file (path ending in ".xml") or an hwloc synthetic description
 * ("pack:2 numa:1 core:4 pu:2").  0 or -errno; *t is NULL on error.
 */
int topo_open(struct topo **t, const char *source);
void topo_close(struct topo *t);

/* Name <-> kind ("same-cpu" ...); topo_placement_parse returns -1 if unknown. */
const char *topo_placement_name(enum topo_placement p);
int topo_placement_parse(const char *name);
/* True for placements with two workers. */
bool topo_placement_pair(enum topo_placement p);

/*
 * The placements this host offers, in DESIGN.md order, each with its CPUs
 * chosen (away from CPU 0 where possible: it takes most device interrupts).
 * Writes at most max; returns how many it wrote (TOPO_NPLACEMENTS always fits).
 */
int topo_placements(const struct topo *t, struct topo_place *out, int max);

/* Bind the calling thread to one OS CPU (hwloc, falling back to
 * sched_setaffinity); cpu < 0 is a no-op.  0 or -errno. */
int topo_bind(const struct topo *t, int cpu);
/* Verify: the calling thread runs on cpu now.  0 or -EXDEV. */
int topo_verify(int cpu);

/* Facts for meta.csv. */
int topo_npus(const struct topo *t);
/* OS index of the i-th PU in ascending order (0 <= i < topo_npus), else -1. */
int topo_cpu(const struct topo *t, int i);
int topo_ncores(const struct topo *t);
int topo_npackages(const struct topo *t);
int topo_numa_nodes(const struct topo *t);
bool topo_smt(const struct topo *t);
/*
 * One-line summary, e.g. "1 package, 1 NUMA node, 2 cores, 2 PUs, L3 32 MiB
 * x1 (2 cores each)": the last-level cache's size, count and cores per copy,
 * or "no caches"; truncated to fit len.
 */
void topo_summary(const struct topo *t, char *buf, size_t len);
/* How topo_bind pins on this topology: "hwloc", or "sched_setaffinity
 * (...)" when hwloc has no binding support here (a topology not of this
 * host, or hwloc without its Linux backend). */
const char *topo_bind_method(const struct topo *t);

#endif
