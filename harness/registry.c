/*
 * registry.c - expands bench/list.h into the table of families.
 */
#include "registry.h"

const struct bench_desc *const registry_benches[] = {
#define BENCH(name) &bench_##name,
#include "../bench/list.h"
#undef BENCH
	NULL
};
