/*
 * topo.c - host topology (hwloc), placements, binding and its check.
 *
 * The topology is loaded once; each PU is then reduced to the four objects
 * the placements compare (its core, its cache-sharing domain, its package
 * and its home NUMA node), so that finding a placement is a scan over PU
 * pairs with pointer comparisons.
 *
 * How the CPUs of a placement are chosen (the same rule for every kind):
 *   1. Candidate PUs are scanned from the highest OS index down, worker 0
 *      first, then for each worker 0 its partner, also highest first; the
 *      first pair that has the placement's relation wins.  So worker 0 gets
 *      the highest CPU that has any partner, and worker 1 the highest
 *      partner of it.
 *   2. The scan is done first without OS CPU 0, and only if no pair exists
 *      then with it: CPU 0 takes most device interrupts and housekeeping
 *      timers, which would add noise to exactly the switch and hand-off
 *      costs being measured.  (Highest-first alone does not ensure this:
 *      the highest CPU's only partner may be CPU 0 while another pair
 *      avoids it.)
 *   3. Worker 0's CPU is never lower than worker 1's: the pair is (higher,
 *      lower), distinct except for same-cpu.
 *   4. cross-numa prefers two nodes of one package, so that it measures a
 *      NUMA hop and not a package hop (cross-package measures that); only
 *      when no package spans two nodes does it take nodes in two packages.
 *
 * Relations (DESIGN.md's table, made precise):
 *   - A PU's core is its Core ancestor; a PU without one (some synthetic or
 *     odd firmware topologies) counts as its own core.
 *   - A PU's sharing domain is its outermost cache ancestor, i.e. its
 *     last-level cache.  Caches nest, so two PUs with different LLCs share
 *     no cache at all.  A topology without cache objects (some VMs and
 *     containers expose none) gets the package as the sharing domain: two
 *     cores of one package are then "same-cache", and cross-cache is never
 *     offered, since nothing says any cache is private.
 *   - A PU's package is its Package ancestor; without one, the whole machine
 *     counts as one package (so cross-package is not offered).
 *   - A PU's home NUMA node is the node with the smallest cpuset containing
 *     it (the most local one), first by logical index on ties.  Comparing
 *     whole nodesets would fail on hosts with a memory-only node (CXL, HBM)
 *     attached at machine level: every PU would share that node.
 */
#include "topo.h"

#include <errno.h>
#include <hwloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the placements need to know about one PU; objects compare by identity. */
struct topo_pu {
	int os;              /* OS index, the CPU number sched_getcpu() returns */
	hwloc_obj_t core;    /* its core, or the PU itself when there is no Core */
	hwloc_obj_t domain;  /* its last-level cache, else its package */
	hwloc_obj_t package; /* its package, else the machine root */
	hwloc_obj_t numa;    /* its home NUMA node (most local) */
};

struct topo {
	hwloc_topology_t hw;  /* the loaded topology, owned */
	bool thissystem;      /* hwloc can bind only when it describes this host */
	struct topo_pu *pus;  /* every PU, highest OS index first */
	int npus;             /* entries in pus */
};

/* CLI and CSV names of the placements, as DESIGN.md spells them. */
static const char *const topo_names[TOPO_NPLACEMENTS] = {
	[TOPO_SAME_CPU] = "same-cpu",
	[TOPO_SMT] = "smt",
	[TOPO_SAME_CACHE] = "same-cache",
	[TOPO_CROSS_CACHE] = "cross-cache",
	[TOPO_CROSS_NUMA] = "cross-numa",
	[TOPO_CROSS_PACKAGE] = "cross-package",
	[TOPO_SINGLE] = "single",
	[TOPO_UNPINNED] = "unpinned",
};

const char *topo_placement_name(enum topo_placement p)
{
	if ((unsigned)p >= TOPO_NPLACEMENTS)
		return NULL;
	return topo_names[p];
}

int topo_placement_parse(const char *name)
{
	if (!name)
		return -1;
	for (int p = 0; p < TOPO_NPLACEMENTS; p++)
		if (strcmp(name, topo_names[p]) == 0)
			return p;
	return -1;
}

bool topo_placement_pair(enum topo_placement p)
{
	return p < TOPO_SINGLE;
}

/* The nearest ancestor of obj of the given type, or NULL. */
static hwloc_obj_t topo_ancestor(hwloc_obj_t obj, hwloc_obj_type_t type)
{
	for (obj = obj->parent; obj; obj = obj->parent)
		if (obj->type == type)
			return obj;
	return NULL;
}

/* The outermost cache above obj (its last-level cache), or NULL. */
static hwloc_obj_t topo_llc(hwloc_obj_t obj)
{
	hwloc_obj_t llc = NULL;

	for (obj = obj->parent; obj; obj = obj->parent)
		if (hwloc_obj_type_is_cache(obj->type))
			llc = obj;
	return llc;
}

/* The NUMA node with the smallest cpuset that contains pu; NULL if none does. */
static hwloc_obj_t topo_home_node(hwloc_topology_t hw, hwloc_obj_t pu)
{
	hwloc_obj_t node = NULL, best = NULL;

	while ((node = hwloc_get_next_obj_by_type(hw, HWLOC_OBJ_NUMANODE, node))) {
		if (!node->cpuset || !hwloc_bitmap_isset(node->cpuset, pu->os_index))
			continue;
		if (!best || hwloc_bitmap_weight(node->cpuset) <
			     hwloc_bitmap_weight(best->cpuset))
			best = node;
	}
	return best;
}

/* qsort order for struct topo_pu: highest OS index first. */
static int topo_cmp_os_desc(const void *a, const void *b)
{
	const struct topo_pu *x = a, *y = b;

	return (y->os > x->os) - (y->os < x->os);
}

/* Fill t->pus from the loaded topology.  0 or -errno. */
static int topo_index_pus(struct topo *t)
{
	hwloc_obj_t pu = NULL;
	int n = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_PU);

	if (n <= 0)
		return -ENODEV;
	t->pus = calloc((size_t)n, sizeof(*t->pus));
	if (!t->pus)
		return -ENOMEM;
	while ((pu = hwloc_get_next_obj_by_type(t->hw, HWLOC_OBJ_PU, pu)) &&
	       t->npus < n) {
		struct topo_pu *p = &t->pus[t->npus++];

		p->os = (int)pu->os_index;
		p->core = topo_ancestor(pu, HWLOC_OBJ_CORE);
		if (!p->core)
			p->core = pu;
		p->package = topo_ancestor(pu, HWLOC_OBJ_PACKAGE);
		if (!p->package)
			p->package = hwloc_get_root_obj(t->hw);
		p->domain = topo_llc(pu);
		if (!p->domain)
			p->domain = p->package;
		p->numa = topo_home_node(t->hw, pu);
	}
	qsort(t->pus, (size_t)t->npus, sizeof(*t->pus), topo_cmp_os_desc);
	return 0;
}

int topo_open(struct topo **t, const char *source)
{
	struct topo *nt;
	size_t len = source ? strlen(source) : 0;
	int err;

	*t = NULL;
	nt = calloc(1, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	if (hwloc_topology_init(&nt->hw) < 0) {
		err = -errno;
		goto out_free;
	}
	/* hwloc does not always set errno on a bad source: default to EINVAL. */
	errno = EINVAL;
	if (source && len >= 4 && strcmp(source + len - 4, ".xml") == 0)
		err = hwloc_topology_set_xml(nt->hw, source);
	else if (source)
		err = hwloc_topology_set_synthetic(nt->hw, source);
	else
		err = 0;
	if (err < 0 || hwloc_topology_load(nt->hw) < 0) {
		err = errno ? -errno : -EINVAL;
		goto out_destroy;
	}
	nt->thissystem = hwloc_topology_is_thissystem(nt->hw);
	err = topo_index_pus(nt);
	if (err)
		goto out_destroy;
	*t = nt;
	return 0;

out_destroy:
	free(nt->pus);
	hwloc_topology_destroy(nt->hw);
out_free:
	free(nt);
	return err;
}

void topo_close(struct topo *t)
{
	if (!t)
		return;
	free(t->pus);
	hwloc_topology_destroy(t->hw);
	free(t);
}

/* Whether two PUs stand in the relation placement p asks for. */
static bool topo_related(enum topo_placement p, const struct topo_pu *a,
			 const struct topo_pu *b)
{
	switch (p) {
	case TOPO_SAME_CPU:
	case TOPO_SINGLE:
		return a == b;
	case TOPO_SMT:
		return a != b && a->core == b->core;
	case TOPO_SAME_CACHE:
		return a->core != b->core && a->domain == b->domain;
	case TOPO_CROSS_CACHE:
		return a->package == b->package && a->domain != b->domain;
	case TOPO_CROSS_NUMA:
		return a->numa != b->numa;
	case TOPO_CROSS_PACKAGE:
		return a->package != b->package;
	default:
		return false;
	}
}

/*
 * Find the pair for placement p by the rule in the file comment; with
 * one_package, both PUs must also be in one package.  True if found.
 */
static bool topo_find(const struct topo *t, enum topo_placement p,
		      bool one_package, struct topo_place *out)
{
	for (int pass = 0; pass < 2; pass++) {
		bool avoid_cpu0 = pass == 0;

		for (int i = 0; i < t->npus; i++) {
			const struct topo_pu *a = &t->pus[i];

			if (avoid_cpu0 && a->os == 0)
				continue;
			for (int j = 0; j < t->npus; j++) {
				const struct topo_pu *b = &t->pus[j];

				if (avoid_cpu0 && b->os == 0)
					continue;
				if (one_package && a->package != b->package)
					continue;
				if (!topo_related(p, a, b))
					continue;
				out->kind = p;
				out->cpu[0] = a->os;
				out->cpu[1] = p == TOPO_SINGLE ? -1 : b->os;
				return true;
			}
		}
	}
	return false;
}

int topo_placements(const struct topo *t, struct topo_place *out, int max)
{
	int n = 0;

	for (int p = 0; p < TOPO_NPLACEMENTS && n < max; p++) {
		struct topo_place pl = { .kind = p, .cpu = { -1, -1 } };
		bool found;

		if (p == TOPO_UNPINNED)
			found = true;
		else if (p == TOPO_CROSS_NUMA)
			found = topo_find(t, p, true, &pl) ||
				topo_find(t, p, false, &pl);
		else
			found = topo_find(t, p, false, &pl);
		if (found)
			out[n++] = pl;
	}
	return n;
}

int topo_bind(const struct topo *t, int cpu)
{
	hwloc_bitmap_t set = NULL;
	cpu_set_t *mask = NULL;
	size_t size;
	int err = 0;

	if (cpu < 0)
		return 0;
	/*
	 * hwloc binds only a topology that describes this host; for one loaded
	 * from XML or a synthetic string it reports success and does nothing,
	 * so it is not asked at all then.
	 */
	if (t->thissystem) {
		set = hwloc_bitmap_alloc();
		if (set && hwloc_bitmap_only(set, (unsigned)cpu) == 0 &&
		    hwloc_set_cpubind(t->hw, set, HWLOC_CPUBIND_THREAD) == 0)
			goto out;
	}
	mask = CPU_ALLOC((size_t)cpu + 1);
	if (!mask) {
		err = -ENOMEM;
		goto out;
	}
	size = CPU_ALLOC_SIZE((size_t)cpu + 1);
	CPU_ZERO_S(size, mask);
	CPU_SET_S((size_t)cpu, size, mask);
	/* pid 0 is the calling thread, as with HWLOC_CPUBIND_THREAD. */
	if (sched_setaffinity(0, size, mask) < 0)
		err = -errno;
out:
	if (mask)
		CPU_FREE(mask);
	hwloc_bitmap_free(set);
	return err;
}

const char *topo_bind_method(const struct topo *t)
{
	const struct hwloc_topology_support *sup = hwloc_topology_get_support(t->hw);

	/* The same test topo_bind makes, asked once: hwloc binds only a
	 * topology of this host, and only with an OS backend that can. */
	if (t->thissystem && sup && sup->cpubind && sup->cpubind->set_thisthread_cpubind)
		return "hwloc";
	return "sched_setaffinity (hwloc cannot bind here)";
}

int topo_verify(int cpu)
{
	if (cpu < 0)
		return 0;
	return sched_getcpu() == cpu ? 0 : -EXDEV;
}

int topo_npus(const struct topo *t)
{
	return t->npus;
}

int topo_cpu(const struct topo *t, int i)
{
	/* pus[] is highest first; callers want ascending order. */
	return i >= 0 && i < t->npus ? t->pus[t->npus - 1 - i].os : -1;
}

int topo_ncores(const struct topo *t)
{
	int n = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_CORE);

	/* Without Core objects each PU counts as its own core, as in placements. */
	return n > 0 ? n : t->npus;
}

int topo_npackages(const struct topo *t)
{
	int n = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_PACKAGE);

	/* Without Package objects the machine counts as one, as in placements. */
	return n > 0 ? n : 1;
}

int topo_numa_nodes(const struct topo *t)
{
	int n = hwloc_get_nbobjs_by_type(t->hw, HWLOC_OBJ_NUMANODE);

	return n > 0 ? n : 1;
}

bool topo_smt(const struct topo *t)
{
	hwloc_obj_t core = NULL;

	while ((core = hwloc_get_next_obj_by_type(t->hw, HWLOC_OBJ_CORE, core)))
		if (hwloc_bitmap_weight(core->cpuset) > 1)
			return true;
	return false;
}

/* "32 MiB", "512 KiB" or "100 B": the largest binary unit that divides exactly. */
static void topo_format_size(char *buf, size_t len, unsigned long long bytes)
{
	if (bytes && bytes % (1ULL << 20) == 0)
		snprintf(buf, len, "%llu MiB", bytes >> 20);
	else if (bytes && bytes % (1ULL << 10) == 0)
		snprintf(buf, len, "%llu KiB", bytes >> 10);
	else
		snprintf(buf, len, "%llu B", bytes);
}

/*
 * The last-level cache part of the summary: the outermost cache level, its
 * size and count, and how many cores the first one covers.  Heterogeneous
 * hosts are described by their first LLC.
 */
static void topo_llc_summary(const struct topo *t, char *buf, size_t len)
{
	int depth = hwloc_topology_get_depth(t->hw);

	for (int d = 0; d < depth; d++) {
		hwloc_obj_t llc = hwloc_get_obj_by_depth(t->hw, d, 0);
		char size[32];
		int cores;

		if (!llc || !hwloc_obj_type_is_cache(llc->type))
			continue;
		cores = hwloc_get_nbobjs_inside_cpuset_by_type(t->hw, llc->cpuset,
							       HWLOC_OBJ_CORE);
		if (cores <= 0)
			cores = hwloc_bitmap_weight(llc->cpuset);
		topo_format_size(size, sizeof(size), llc->attr->cache.size);
		snprintf(buf, len, "L%u %s x%d (%d core%s each)",
			 llc->attr->cache.depth, size,
			 hwloc_get_nbobjs_by_depth(t->hw, d), cores,
			 cores == 1 ? "" : "s");
		return;
	}
	snprintf(buf, len, "no caches");
}

void topo_summary(const struct topo *t, char *buf, size_t len)
{
	char llc[96];
	int pk = topo_npackages(t), nn = topo_numa_nodes(t);
	int nc = topo_ncores(t), np = topo_npus(t);

	topo_llc_summary(t, llc, sizeof(llc));
	snprintf(buf, len, "%d package%s, %d NUMA node%s, %d core%s, %d PU%s, %s",
		 pk, pk == 1 ? "" : "s", nn, nn == 1 ? "" : "s",
		 nc, nc == 1 ? "" : "s", np, np == 1 ? "" : "s", llc);
}
