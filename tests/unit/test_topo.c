/*
 * test_topo.c - unit tests for harness/topo.c.
 *
 * Expected placements are worked out by hand from each topology's shape
 * (drawn next to each test) and the choice rule in topo.c's header comment:
 * PUs scanned highest OS index first, CPU 0 only when no pair avoids it.
 * Independently of those numbers, every pair returned is checked against
 * hwloc itself (a second topology loaded here, related through
 * hwloc_get_common_ancestor_obj), not against topo.c's own bookkeeping.
 *
 * Fixtures are read from TOPO_FIXTURES (default: tests/fixtures/topo, so run
 * from the repository root); tests/fixtures/topo/README says how each was
 * made.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <hwloc.h>

#include "topo.h"

#ifndef TOPO_FIXTURES
#define TOPO_FIXTURES "tests/fixtures/topo"
#endif

#define HOST_XML TOPO_FIXTURES "/host-1pack-2core-l3.xml"
#define BIG_XML TOPO_FIXTURES "/2pack-2numa-2l3-4core-2pu-linuxsmt.xml"
#define NOCACHE_XML TOPO_FIXTURES "/nocache-2pack-2core.xml"
#define SHUFFLED_XML TOPO_FIXTURES "/numa-2pack-2node-shuffled.xml"

/* The big synthetic host: 2 packages x 2 NUMA x 2 L3 x 4 cores x 2 PUs. */
#define BIG_SYNTH "pack:2 numa:2 l3:2 core:4 pu:2"

/* Whether any cache at or above obj: then every PU below obj shares it. */
static bool ref_under_cache(hwloc_obj_t obj)
{
	for (; obj; obj = obj->parent)
		if (hwloc_obj_type_is_cache(obj->type))
			return true;
	return false;
}

static bool ref_has_caches(hwloc_topology_t hw)
{
	for (hwloc_obj_type_t ty = HWLOC_OBJ_L1CACHE; ty <= HWLOC_OBJ_L3ICACHE; ty++)
		if (hwloc_get_nbobjs_by_type(hw, ty) > 0)
			return true;
	return false;
}

/* Check with hwloc, as the reference, that place's CPUs are related as its kind claims. */
static void ref_check_place(hwloc_topology_t hw, const struct topo_place *pl)
{
	hwloc_obj_t a, b, anc, pka, pkb, ca, cb, node = NULL;
	bool only_a, only_b;

	if (pl->kind == TOPO_UNPINNED) {
		assert_int_equal(pl->cpu[0], -1);
		assert_int_equal(pl->cpu[1], -1);
		return;
	}
	a = hwloc_get_pu_obj_by_os_index(hw, (unsigned)pl->cpu[0]);
	assert_non_null(a);
	if (pl->kind == TOPO_SINGLE) {
		assert_int_equal(pl->cpu[1], -1);
		return;
	}
	b = hwloc_get_pu_obj_by_os_index(hw, (unsigned)pl->cpu[1]);
	assert_non_null(b);
	if (pl->kind == TOPO_SAME_CPU) {
		assert_int_equal(pl->cpu[0], pl->cpu[1]);
		return;
	}
	assert_true(pl->cpu[0] > pl->cpu[1]);
	anc = hwloc_get_common_ancestor_obj(hw, a, b);
	pka = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_PACKAGE, a);
	pkb = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_PACKAGE, b);
	ca = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_CORE, a);
	cb = hwloc_get_ancestor_obj_by_type(hw, HWLOC_OBJ_CORE, b);
	switch (pl->kind) {
	case TOPO_SMT:
		assert_int_equal(anc->type, HWLOC_OBJ_CORE);
		break;
	case TOPO_SAME_CACHE:
		assert_ptr_not_equal(ca, cb);
		if (ref_has_caches(hw))
			assert_true(ref_under_cache(anc));
		else
			assert_ptr_equal(pka, pkb);
		break;
	case TOPO_CROSS_CACHE:
		assert_ptr_equal(pka, pkb);
		assert_false(ref_under_cache(anc));
		break;
	case TOPO_CROSS_NUMA:
		/* Each has a node the other is not local to (a node at machine level is local to both). */
		only_a = only_b = false;
		while ((node = hwloc_get_next_obj_by_type(hw, HWLOC_OBJ_NUMANODE, node))) {
			bool in_a = hwloc_bitmap_isset(node->cpuset, a->os_index);
			bool in_b = hwloc_bitmap_isset(node->cpuset, b->os_index);

			only_a |= in_a && !in_b;
			only_b |= in_b && !in_a;
		}
		assert_true(only_a && only_b);
		break;
	case TOPO_CROSS_PACKAGE:
		assert_non_null(pka);
		assert_non_null(pkb);
		assert_ptr_not_equal(pka, pkb);
		break;
	default:
		fail_msg("unexpected kind %d", pl->kind);
	}
}

/*
 * Open source with topo and with plain hwloc, and check that topo's
 * placements are exactly want[0..n) and each is related as claimed.
 */
static void check_placements(const char *source, const struct topo_place *want, int n)
{
	struct topo *t;
	struct topo_place got[TOPO_NPLACEMENTS + 1];
	hwloc_topology_t hw;
	int ngot;

	assert_int_equal(topo_open(&t, source), 0);
	ngot = topo_placements(t, got, TOPO_NPLACEMENTS + 1);
	for (int i = 0; i < n && i < ngot; i++) {
		assert_string_equal(topo_placement_name(got[i].kind),
				    topo_placement_name(want[i].kind));
		assert_int_equal(got[i].cpu[0], want[i].cpu[0]);
		assert_int_equal(got[i].cpu[1], want[i].cpu[1]);
	}
	assert_int_equal(ngot, n);

	assert_int_equal(hwloc_topology_init(&hw), 0);
	if (strstr(source, ".xml"))
		assert_int_equal(hwloc_topology_set_xml(hw, source), 0);
	else
		assert_int_equal(hwloc_topology_set_synthetic(hw, source), 0);
	assert_int_equal(hwloc_topology_load(hw), 0);
	for (int i = 0; i < ngot; i++)
		ref_check_place(hw, &got[i]);
	hwloc_topology_destroy(hw);
	topo_close(t);
}

/* Check the meta.csv facts and summary of source against hand-read values. */
static void check_facts(const char *source, int npackages, int nnodes, int ncores,
			int npus, bool smt, const char *summary)
{
	struct topo *t;
	char buf[256];

	assert_int_equal(topo_open(&t, source), 0);
	assert_int_equal(topo_npackages(t), npackages);
	assert_int_equal(topo_numa_nodes(t), nnodes);
	assert_int_equal(topo_ncores(t), ncores);
	assert_int_equal(topo_npus(t), npus);
	assert_int_equal(topo_smt(t), smt);
	topo_summary(t, buf, sizeof(buf));
	assert_string_equal(buf, summary);
	topo_close(t);
}

static void test_names(void **state)
{
	static const char *const names[TOPO_NPLACEMENTS] = {
		"same-cpu", "smt", "same-cache", "cross-cache",
		"cross-numa", "cross-package", "single", "unpinned",
	};

	(void)state;
	for (int p = 0; p < TOPO_NPLACEMENTS; p++) {
		assert_string_equal(topo_placement_name(p), names[p]);
		assert_int_equal(topo_placement_parse(names[p]), p);
		assert_int_equal(topo_placement_pair(p), p <= TOPO_CROSS_PACKAGE);
	}
	assert_null(topo_placement_name(TOPO_NPLACEMENTS));
	assert_int_equal(topo_placement_parse("bogus"), -1);
	assert_int_equal(topo_placement_parse("Same-CPU"), -1);
	assert_int_equal(topo_placement_parse(""), -1);
	assert_int_equal(topo_placement_parse(NULL), -1);
	assert_false(topo_placement_pair(TOPO_SINGLE));
	assert_false(topo_placement_pair(TOPO_UNPINNED));
}

/*
 * This machine's shape (hwloc-ls): one package, one L3 over two cores,
 * each core with its own L2, one PU each.  The two cores share the L3, so
 * the pair is same-cache; CPU 0 is unavoidable for a pair.
 */
static const struct topo_place host_want[] = {
	{ TOPO_SAME_CPU, { 1, 1 } },
	{ TOPO_SAME_CACHE, { 1, 0 } },
	{ TOPO_SINGLE, { 1, -1 } },
	{ TOPO_UNPINNED, { -1, -1 } },
};

static void test_host_shape_synthetic(void **state)
{
	(void)state;
	check_placements("pack:1 numa:1 l3:1 l2:2 core:1 pu:1", host_want, 4);
	/* hwloc's synthetic L3 is 16 MiB unless given a size. */
	check_facts("pack:1 numa:1 l3:1 l2:2 core:1 pu:1", 1, 1, 2, 2, false,
		    "1 package, 1 NUMA node, 2 cores, 2 PUs, L3 16 MiB x1 (2 cores each)");
}

static void test_host_shape_xml(void **state)
{
	(void)state;
	check_placements(HOST_XML, host_want, 4);
	/* 32 MB L3: hwloc-ls on the machine the fixture was taken from. */
	check_facts(HOST_XML, 1, 1, 2, 2, false,
		    "1 package, 1 NUMA node, 2 cores, 2 PUs, L3 32 MiB x1 (2 cores each)");
}

/*
 * BIG_SYNTH, OS indexes in logical order: core c = PUs 2c, 2c+1;
 * L3 l = PUs 8l..8l+7; NUMA n = PUs 16n..16n+15; package k = PUs 32k..32k+31.
 * From 63 (core 31, L3 7, NUMA 3, package 1): smt 62; same-cache 61 (62 is
 * its own core); cross-cache 55 (L3 6, same package); cross-numa 47 (NUMA 2,
 * still package 1: one package preferred); cross-package 31.
 */
static void test_big_synthetic(void **state)
{
	static const struct topo_place want[] = {
		{ TOPO_SAME_CPU, { 63, 63 } },
		{ TOPO_SMT, { 63, 62 } },
		{ TOPO_SAME_CACHE, { 63, 61 } },
		{ TOPO_CROSS_CACHE, { 63, 55 } },
		{ TOPO_CROSS_NUMA, { 63, 47 } },
		{ TOPO_CROSS_PACKAGE, { 63, 31 } },
		{ TOPO_SINGLE, { 63, -1 } },
		{ TOPO_UNPINNED, { -1, -1 } },
	};

	(void)state;
	check_placements(BIG_SYNTH, want, 8);
	check_facts(BIG_SYNTH, 2, 4, 32, 64, true,
		    "2 packages, 4 NUMA nodes, 32 cores, 64 PUs, L3 16 MiB x8 (4 cores each)");
}

/*
 * The same shape exported to XML with Linux's x86 numbering: core c's PUs
 * are c and c+32.  From 63 (core 31, L3 7 = cores 28-31, NUMA 3 = cores
 * 24-31, package 1 = cores 16-31): smt 31; same-cache 62 (core 30);
 * cross-cache 59 (core 27, L3 6); cross-numa 55 (core 23, NUMA 2, package 1);
 * cross-package 47 (core 15).
 */
static void test_big_xml_linux_numbering(void **state)
{
	static const struct topo_place want[] = {
		{ TOPO_SAME_CPU, { 63, 63 } },
		{ TOPO_SMT, { 63, 31 } },
		{ TOPO_SAME_CACHE, { 63, 62 } },
		{ TOPO_CROSS_CACHE, { 63, 59 } },
		{ TOPO_CROSS_NUMA, { 63, 55 } },
		{ TOPO_CROSS_PACKAGE, { 63, 47 } },
		{ TOPO_SINGLE, { 63, -1 } },
		{ TOPO_UNPINNED, { -1, -1 } },
	};
	struct topo *t;
	struct topo_place got[TOPO_NPLACEMENTS];
	int n;

	(void)state;
	check_placements(BIG_XML, want, 8);
	check_facts(BIG_XML, 2, 4, 32, 64, true,
		    "2 packages, 4 NUMA nodes, 32 cores, 64 PUs, L3 16 MiB x8 (4 cores each)");

	/* CPU 0 is avoidable for every placement here. */
	assert_int_equal(topo_open(&t, BIG_XML), 0);
	n = topo_placements(t, got, TOPO_NPLACEMENTS);
	for (int i = 0; i < n; i++) {
		assert_int_not_equal(got[i].cpu[0], 0);
		assert_int_not_equal(got[i].cpu[1], 0);
	}
	topo_close(t);
}

/* One PU: nothing to pair but itself. */
static void test_single_pu(void **state)
{
	static const struct topo_place want[] = {
		{ TOPO_SAME_CPU, { 0, 0 } },
		{ TOPO_SINGLE, { 0, -1 } },
		{ TOPO_UNPINNED, { -1, -1 } },
	};

	(void)state;
	check_placements("pack:1 core:1 pu:1", want, 3);
	check_facts("pack:1 core:1 pu:1", 1, 1, 1, 1, false,
		    "1 package, 1 NUMA node, 1 core, 1 PU, no caches");
}

/*
 * No caches, packages {0,1} and {2,3}, one NUMA node: the package is the
 * sharing domain, so 3,2 is same-cache and cross-cache is not offered.
 */
static void test_no_cache_synthetic(void **state)
{
	static const struct topo_place want[] = {
		{ TOPO_SAME_CPU, { 3, 3 } },
		{ TOPO_SAME_CACHE, { 3, 2 } },
		{ TOPO_CROSS_PACKAGE, { 3, 1 } },
		{ TOPO_SINGLE, { 3, -1 } },
		{ TOPO_UNPINNED, { -1, -1 } },
	};

	(void)state;
	check_placements("pack:2 core:2 pu:1", want, 5);
	check_facts("pack:2 core:2 pu:1", 2, 1, 4, 4, false,
		    "2 packages, 1 NUMA node, 4 cores, 4 PUs, no caches");
}

/*
 * The XML fixture adds one NUMA node per package: no package spans two
 * nodes, so cross-numa falls back to two packages (3,1).
 */
static void test_no_cache_xml(void **state)
{
	static const struct topo_place want[] = {
		{ TOPO_SAME_CPU, { 3, 3 } },
		{ TOPO_SAME_CACHE, { 3, 2 } },
		{ TOPO_CROSS_NUMA, { 3, 1 } },
		{ TOPO_CROSS_PACKAGE, { 3, 1 } },
		{ TOPO_SINGLE, { 3, -1 } },
		{ TOPO_UNPINNED, { -1, -1 } },
	};

	(void)state;
	check_placements(NOCACHE_XML, want, 6);
	check_facts(NOCACHE_XML, 2, 2, 4, 4, false,
		    "2 packages, 2 NUMA nodes, 4 cores, 4 PUs, no caches");
}

/*
 * SHUFFLED_XML (lstopo-no-graphics -i it): package 0 = nodes {0,1} and
 * {2,6}, package 1 = nodes {3,4} and {5,7}; no caches.  CPU 7's highest
 * partner in another node is 6, in the other package; cross-numa must
 * still stay in package 1 and take 4.
 */
static void test_cross_numa_one_package(void **state)
{
	static const struct topo_place want[] = {
		{ TOPO_SAME_CPU, { 7, 7 } },
		{ TOPO_SAME_CACHE, { 7, 5 } },
		{ TOPO_CROSS_NUMA, { 7, 4 } },
		{ TOPO_CROSS_PACKAGE, { 7, 6 } },
		{ TOPO_SINGLE, { 7, -1 } },
		{ TOPO_UNPINNED, { -1, -1 } },
	};

	(void)state;
	check_placements(SHUFFLED_XML, want, 6);
	check_facts(SHUFFLED_XML, 2, 4, 8, 8, false,
		    "2 packages, 4 NUMA nodes, 8 cores, 8 PUs, no caches");
}

/*
 * A memory-only node at machine level (as CXL memory shows up) is local to
 * every PU; the package nodes {0,1} and {2,3} still make 3,1 cross-numa.
 */
static void test_cross_numa_memory_node(void **state)
{
	static const struct topo_place want[] = {
		{ TOPO_SAME_CPU, { 3, 3 } },
		{ TOPO_SAME_CACHE, { 3, 2 } },
		{ TOPO_CROSS_NUMA, { 3, 1 } },
		{ TOPO_CROSS_PACKAGE, { 3, 1 } },
		{ TOPO_SINGLE, { 3, -1 } },
		{ TOPO_UNPINNED, { -1, -1 } },
	};

	(void)state;
	check_placements("[numa] pack:2 [numa] core:2 pu:1", want, 6);
	check_facts("[numa] pack:2 [numa] core:2 pu:1", 2, 3, 4, 4, false,
		    "2 packages, 3 NUMA nodes, 4 cores, 4 PUs, no caches");
}

/* Private L2 per core and nothing shared: cross-cache, never same-cache. */
static void test_private_caches(void **state)
{
	static const struct topo_place want[] = {
		{ TOPO_SAME_CPU, { 3, 3 } },
		{ TOPO_CROSS_CACHE, { 3, 2 } },
		{ TOPO_SINGLE, { 3, -1 } },
		{ TOPO_UNPINNED, { -1, -1 } },
	};

	(void)state;
	check_placements("pack:1 l2:4 core:1 pu:1", want, 4);
	check_facts("pack:1 l2:4 core:1 pu:1", 1, 1, 4, 4, false,
		    "1 package, 1 NUMA node, 4 cores, 4 PUs, L2 4 MiB x4 (1 core each)");
}

/*
 * Packages {0,3} and {1,2} (lstopo -i shows it): CPU 3's only same-package
 * partner is CPU 0, so highest-first alone would give same-cache 3,0; the
 * pair that avoids CPU 0 is 2,1.
 */
static void test_avoids_cpu0(void **state)
{
	static const struct topo_place want[] = {
		{ TOPO_SAME_CPU, { 3, 3 } },
		{ TOPO_SAME_CACHE, { 2, 1 } },
		{ TOPO_CROSS_PACKAGE, { 3, 2 } },
		{ TOPO_SINGLE, { 3, -1 } },
		{ TOPO_UNPINNED, { -1, -1 } },
	};

	(void)state;
	check_placements("pack:2 core:2 pu:1(indexes=0,3,1,2)", want, 5);
}

static void test_placements_max(void **state)
{
	struct topo *t;
	struct topo_place got[2];

	(void)state;
	assert_int_equal(topo_open(&t, BIG_SYNTH), 0);
	assert_int_equal(topo_placements(t, got, 0), 0);
	assert_int_equal(topo_placements(t, got, 2), 2);
	assert_int_equal(got[0].kind, TOPO_SAME_CPU);
	assert_int_equal(got[1].kind, TOPO_SMT);
	assert_int_equal(got[1].cpu[0], 63);
	assert_int_equal(got[1].cpu[1], 62);
	topo_close(t);
}

static void test_summary_truncates(void **state)
{
	struct topo *t;
	char buf[9];

	(void)state;
	assert_int_equal(topo_open(&t, BIG_SYNTH), 0);
	memset(buf, 'x', sizeof(buf));
	topo_summary(t, buf, sizeof(buf));
	assert_string_equal(buf, "2 packag");
	topo_close(t);
}

static void test_open_errors(void **state)
{
	static int sentinel; /* a non-NULL value topo_open must overwrite */
	struct topo *t = (struct topo *)&sentinel;

	(void)state;
	assert_true(topo_open(&t, "bogus:3 pu:2") < 0);
	assert_null(t);
	t = (struct topo *)&sentinel;
	assert_true(topo_open(&t, TOPO_FIXTURES "/does-not-exist.xml") < 0);
	assert_null(t);
	topo_close(NULL);
}

/* The kernel's view of which CPUs this thread may use: the reference. */
static void get_affinity(cpu_set_t *set)
{
	CPU_ZERO(set);
	assert_int_equal(sched_getaffinity(0, sizeof(*set), set), 0);
}

static void test_this_host(void **state)
{
	struct topo *t;
	struct topo_place got[TOPO_NPLACEMENTS];
	cpu_set_t allowed;
	int n;

	(void)state;
	get_affinity(&allowed);
	assert_int_equal(topo_open(&t, NULL), 0);
	assert_int_equal(topo_npus(t), CPU_COUNT(&allowed));
	n = topo_placements(t, got, TOPO_NPLACEMENTS);
	assert_true(n >= 3);
	assert_int_equal(got[0].kind, TOPO_SAME_CPU);
	assert_int_equal(got[n - 2].kind, TOPO_SINGLE);
	assert_true(CPU_ISSET(got[n - 2].cpu[0], &allowed));
	assert_int_equal(got[n - 1].kind, TOPO_UNPINNED);
	topo_close(t);
}

/* Bind to cpu through t, then check with sched_getcpu and the kernel's mask. */
static void bind_and_check(const struct topo *t, int cpu)
{
	cpu_set_t now;

	assert_int_equal(topo_bind(t, cpu), 0);
	assert_int_equal(topo_verify(cpu), 0);
	assert_int_equal(sched_getcpu(), cpu);
	get_affinity(&now);
	assert_int_equal(CPU_COUNT(&now), 1);
	assert_true(CPU_ISSET(cpu, &now));
}

/*
 * Bind on this host through hwloc (topology of this system) and through the
 * sched_setaffinity fallback (a synthetic topology hwloc will not bind).
 * Needs CPUs 0 and 1; the thread's mask is restored afterwards.
 */
static void test_bind_verify(void **state)
{
	static const char *const sources[] = { NULL, "pack:1 core:2 pu:1" };
	cpu_set_t orig;
	struct topo *t;

	(void)state;
	get_affinity(&orig);
	if (!CPU_ISSET(0, &orig) || !CPU_ISSET(1, &orig))
		skip();
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		assert_int_equal(topo_open(&t, sources[i]), 0);
		bind_and_check(t, 0);
		assert_int_equal(topo_verify(1), -EXDEV);
		bind_and_check(t, 1);
		assert_int_equal(topo_verify(0), -EXDEV);
		bind_and_check(t, 0);
		topo_close(t);
	}
	assert_int_equal(sched_setaffinity(0, sizeof(orig), &orig), 0);
}

static void test_bind_edges(void **state)
{
	cpu_set_t orig, now;
	struct topo *t;

	(void)state;
	get_affinity(&orig);
	assert_int_equal(topo_open(&t, NULL), 0);
	/* Unpinned: no-op, mask unchanged, nothing to verify. */
	assert_int_equal(topo_bind(t, -1), 0);
	assert_int_equal(topo_verify(-1), 0);
	get_affinity(&now);
	assert_true(CPU_EQUAL(&now, &orig));
	/* A CPU that does not exist: hwloc and the fallback both refuse it. */
	assert_int_equal(topo_bind(t, 4000), -EINVAL);
	get_affinity(&now);
	assert_true(CPU_EQUAL(&now, &orig));
	topo_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_host_shape_synthetic),
		cmocka_unit_test(test_host_shape_xml),
		cmocka_unit_test(test_big_synthetic),
		cmocka_unit_test(test_big_xml_linux_numbering),
		cmocka_unit_test(test_single_pu),
		cmocka_unit_test(test_no_cache_synthetic),
		cmocka_unit_test(test_no_cache_xml),
		cmocka_unit_test(test_cross_numa_one_package),
		cmocka_unit_test(test_cross_numa_memory_node),
		cmocka_unit_test(test_private_caches),
		cmocka_unit_test(test_avoids_cpu0),
		cmocka_unit_test(test_placements_max),
		cmocka_unit_test(test_summary_truncates),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_this_host),
		cmocka_unit_test(test_bind_verify),
		cmocka_unit_test(test_bind_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
