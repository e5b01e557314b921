/*
 * registry.h - the table of benchmark families, built from bench/list.h.
 */
#ifndef PRIMBENCH_REGISTRY_H
#define PRIMBENCH_REGISTRY_H

#include "bench.h"

#define BENCH(name) extern const struct bench_desc bench_##name;
#include "../bench/list.h"
#undef BENCH

/* Every family, in list order, NULL-terminated. */
extern const struct bench_desc *const registry_benches[];

#endif
