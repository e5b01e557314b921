/*
 * test_plan.c - which configurations runner_plan selects, and the lines
 * it says about what was asked for and left out (--placement, --x), on
 * the simulated topologies of tests/fixtures/topo: the one-node
 * development VM (host-1pack-2core-l3.xml: same-cpu, same-cache, single,
 * unpinned) and a two-package, four-node host with SMT
 * (2pack-2numa-2l3-4core-2pu-linuxsmt.xml: every placement).
 *
 * Expected lines are written out whole: they are what a user reads.  The
 * sweep points are the registry's own (proc_create sweeps rss_bytes 4, 64,
 * 256 MiB and 1 GiB; fork_exec_dyn only 4 MiB), as `primbench list`
 * shows them.
 */
#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runner.h"
#include "topo.h"

#ifndef TOPO_FIXTURES
#define TOPO_FIXTURES "tests/fixtures/topo"
#endif

#define ONE_NODE_XML TOPO_FIXTURES "/host-1pack-2core-l3.xml"
#define FOUR_NODE_XML TOPO_FIXTURES "/2pack-2numa-2l3-4core-2pu-linuxsmt.xml"

#define MIB 1048576.0

/* The lines runner_plan said. */
struct said {
	char line[8][512];  /* the first eight */
	size_t n;           /* how many in all */
};

static void say(void *arg, const char *line)
{
	struct said *s = arg;

	if (s->n < 8)
		snprintf(s->line[s->n], sizeof(s->line[0]), "%s", line);
	s->n++;
}

/* What one plan made. */
struct planned {
	struct runner_config *cfg;  /* the configurations */
	size_t n;                   /* how many */
	struct said said;           /* and what was said */
};

/* Plan o with the --filter re (NULL: none) on the topology in xml. */
static void plan(const char *xml, const char *re, struct runner_opts *o, struct planned *p)
{
	struct topo *t;
	regex_t rx;

	memset(p, 0, sizeof(*p));
	if (re) {
		assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
		o->filter = &rx;
	}
	assert_int_equal(topo_open(&t, xml), 0);
	assert_int_equal(runner_plan(o, t, &p->cfg, &p->n, say, &p->said), 0);
	topo_close(t);
	if (re)
		regfree(&rx);
	o->filter = NULL;
}

/* Plan o with --filter re on xml: n configurations, all at placement at
 * (TOPO_NPLACEMENTS: anywhere), and the one line said is line (NULL:
 * nothing said). */
static void plan_says(const char *xml, const char *re, struct runner_opts *o, size_t n,
		      enum topo_placement at, const char *line)
{
	struct planned p;

	plan(xml, re, o, &p);
	assert_int_equal(p.n, n);
	for (size_t i = 0; at != TOPO_NPLACEMENTS && i < p.n; i++)
		assert_int_equal(p.cfg[i].place.kind, at);
	assert_int_equal(p.said.n, line ? 1 : 0);
	if (line)
		assert_string_equal(p.said.line[0], line);
	free(p.cfg);
}

/* How many of p's configurations are at placement k. */
static size_t count_at(const struct planned *p, enum topo_placement k)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->cfg[i].place.kind == k;
	return n;
}

/* A one-node host asked for same-cpu and cross-numa runs same-cpu and
 * says that it lacks cross-numa; a four-node host runs both, silently. */
static void test_cross_numa_one_node_vs_four(void **state)
{
	struct runner_opts o = { .placements = (1u << TOPO_SAME_CPU) | (1u << TOPO_CROSS_NUMA) };
	struct planned p;

	(void)state;
	plan_says(ONE_NODE_XML, "^sched_switch/proc_pipe$", &o, 4, TOPO_SAME_CPU,
		  "--placement cross-numa: this host does not offer it (1 NUMA node); left out "
		  "(this host offers same-cpu, same-cache, single, unpinned)");

	plan(FOUR_NODE_XML, "^sched_switch/proc_pipe$", &o, &p);
	assert_int_equal(p.n, 8);
	assert_int_equal(count_at(&p, TOPO_SAME_CPU), 4);
	assert_int_equal(count_at(&p, TOPO_CROSS_NUMA), 4);
	assert_int_equal(p.said.n, 0);
	free(p.cfg);
}

/* Every placement the one-node host lacks is told, each on its line;
 * without --placement nothing is told (the four-node host, which has them
 * all, is a case of test_placement_lines). */
static void test_lacking_placements_each_a_line(void **state)
{
	struct runner_opts o = { .placements = (1u << TOPO_SMT) | (1u << TOPO_CROSS_PACKAGE) |
					       (1u << TOPO_SAME_CPU) };
	struct planned p;

	(void)state;
	plan(ONE_NODE_XML, "^sched_switch/proc_pipe$", &o, &p);
	assert_int_equal(p.n, 4);
	assert_int_equal(p.said.n, 2);
	assert_string_equal(p.said.line[0], "--placement smt: this host does not offer it; left out "
			    "(this host offers same-cpu, same-cache, single, unpinned)");
	assert_string_equal(p.said.line[1], "--placement cross-package: this host does not offer it "
			    "(1 package); left out (this host offers same-cpu, same-cache, single, "
			    "unpinned)");
	free(p.cfg);

	o.placements = 0;
	plan(ONE_NODE_XML, NULL, &o, &p);
	assert_true(p.n > 0);
	assert_int_equal(p.said.n, 0);
	free(p.cfg);
}

#define P(k) (1u << TOPO_##k)

/* What --placement leaves out, case by case: a one-worker family asked
 * for a two-worker placement is left out with its reason and the rest
 * runs (alone, nothing runs: main.c then exits 2, and only the family's
 * line is said); a per-CPU variant runs at single only, not unpinned; a
 * placement the host offers that no selected variant can use is told; a
 * two-worker variant asked for single only is left out. */
static void test_placement_lines(void **state)
{
	static const char one_worker[] = "left out null (one worker: runs only at single or "
					 "unpinned, and --placement names neither)";
	static const struct {
		const char *xml, *re;      /* topology, --filter */
		uint32_t placements;       /* --placement */
		size_t n;                  /* configurations planned */
		enum topo_placement at;    /* all at this placement */
		const char *line;          /* the one line said */
	} cases[] = {
		{ ONE_NODE_XML, "^(null/empty|sched_switch/proc_pipe)$", P(SAME_CPU), 4, TOPO_SAME_CPU,
		  one_worker },
		{ FOUR_NODE_XML, "^null/", P(SAME_CPU), 0, TOPO_NPLACEMENTS, one_worker },
		{ ONE_NODE_XML, "^os_noise/", P(UNPINNED), 0, TOPO_NPLACEMENTS,
		  "left out os_noise (one worker on every CPU: runs only at single, and "
		  "--placement does not name it)" },
		{ ONE_NODE_XML, "^sched_switch/proc_pipe$", P(SINGLE) | P(SAME_CPU), 4, TOPO_SAME_CPU,
		  "--placement single: no selected variant has one worker; left out" },
		{ ONE_NODE_XML, "^(null/empty|sched_switch/proc_pipe)$", P(SINGLE), 1, TOPO_SINGLE,
		  "left out sched_switch/proc_pipe (two workers: runs only at two-worker "
		  "placements, and --placement names none that this host offers)" },
		{ FOUR_NODE_XML, "^sched_switch/proc_pipe$", P(SMT) | P(CROSS_PACKAGE) | P(SAME_CPU), 12,
		  TOPO_NPLACEMENTS, NULL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct runner_opts o = { .placements = cases[i].placements };

		plan_says(cases[i].xml, cases[i].re, &o, cases[i].n, cases[i].at, cases[i].line);
	}
}

/* --x runs exactly the points asked for (--quick does not thin them); a
 * point that only some variants have is told, naming the others. */
static void test_x_points(void **state)
{
	struct runner_opts o = { .nxsel = 1 };
	struct planned p;

	(void)state;
	snprintf(o.xsel[0].sweep, sizeof(o.xsel[0].sweep), "rss_bytes");
	o.xsel[0].v[0] = 4 * MIB;
	o.xsel[0].v[1] = 64 * MIB;
	o.xsel[0].n = 2;
	plan(ONE_NODE_XML, "^proc_create/fork$", &o, &p);
	assert_int_equal(p.n, 2);
	assert_true(p.cfg[0].x == 4 * MIB && p.cfg[1].x == 64 * MIB);
	assert_int_equal(p.cfg[0].place.kind, TOPO_SINGLE);
	assert_int_equal(p.said.n, 0);
	free(p.cfg);

	o.xsel[0].v[0] = 64 * MIB;
	o.xsel[0].n = 1;
	plan(ONE_NODE_XML, "^proc_create/", &o, &p);
	for (size_t i = 0; i < p.n; i++)
		assert_true(p.cfg[i].x == 64 * MIB);
	assert_int_equal(p.said.n, 1);
	assert_string_equal(p.said.line[0], "--x rss_bytes=64MiB: not a point of "
			    "proc_create/fork_exec_dyn; left out there");
	free(p.cfg);

	/* mm_alloc/brk's 16 KiB is not among --quick's four points. */
	snprintf(o.xsel[0].sweep, sizeof(o.xsel[0].sweep), "size_bytes");
	o.xsel[0].v[0] = 16384;
	o.quick = true;
	plan(ONE_NODE_XML, "^mm_alloc/brk$", &o, &p);
	assert_int_equal(p.n, 1);
	assert_true(p.cfg[0].x == 16384);
	free(p.cfg);
	o.quick = false;

	/* With a --filter, what it matches that sweeps nothing --x names is
	 * told; without one, --x alone chose, and only the variants that
	 * sweep size_bytes without a 16 KiB point are told of. */
	plan_says(ONE_NODE_XML, "^(null/empty|mm_alloc/brk)$", &o, 1, TOPO_SINGLE,
		  "left out null (--filter matches it, but it sweeps "
		  "nothing --x names)");
	plan(ONE_NODE_XML, NULL, &o, &p);
	assert_int_equal(p.said.n, 1);
	assert_non_null(strstr(p.said.line[0], "--x size_bytes=16KiB: not a point of file_ops"));
	assert_null(strstr(p.said.line[0], "null"));
	for (size_t i = 0; i < p.n; i++)
		assert_string_equal(p.cfg[i].var->sweep, "size_bytes");
	free(p.cfg);
}

/* The refusals of runner_check_points name the valid sweeps or points. */
static void test_check_points(void **state)
{
	struct runner_opts o = { .nxsel = 1 };
	char err[512];
	regex_t rx;

	(void)state;
	snprintf(o.xsel[0].sweep, sizeof(o.xsel[0].sweep), "rss_bytes");
	o.xsel[0].v[0] = 4 * MIB;
	o.xsel[0].v[1] = 5 * MIB;
	o.xsel[0].n = 2;
	assert_int_equal(regcomp(&rx, "^proc_create/", REG_EXTENDED | REG_NOSUB), 0);
	o.filter = &rx;
	assert_int_equal(runner_check_points(&o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--x rss_bytes=5MiB: not a sweep point of the selected variants "
			    "(their rss_bytes points: 4MiB, 64MiB, 256MiB, 1GiB)");
	o.xsel[0].n = 1;
	assert_int_equal(runner_check_points(&o, err, sizeof(err)), 0);
	regfree(&rx);

	/* 64 MiB is a point of proc_create, not of fork_exec_dyn alone. */
	assert_int_equal(regcomp(&rx, "^proc_create/fork_exec_dyn$", REG_EXTENDED | REG_NOSUB), 0);
	o.xsel[0].v[0] = 64 * MIB;
	assert_int_equal(runner_check_points(&o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--x rss_bytes=64MiB: not a sweep point of the selected variants "
			    "(their rss_bytes points: 4MiB)");
	regfree(&rx);

	assert_int_equal(regcomp(&rx, "^(null|mm_cow)/", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(runner_check_points(&o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--x rss_bytes: no variant that --filter selects sweeps rss_bytes "
			    "(sweeps there: pages)");
	regfree(&rx);
	assert_int_equal(regcomp(&rx, "^null/", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(runner_check_points(&o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--x rss_bytes: no variant that --filter selects sweeps rss_bytes "
			    "(they sweep nothing)");
	regfree(&rx);
}

static void test_format_x(void **state)
{
	char b[32];

	(void)state;
	runner_format_x("rss_bytes", 4 * MIB, b, sizeof(b));
	assert_string_equal(b, "4MiB");
	runner_format_x("size_bytes", 1073741824.0, b, sizeof(b));
	assert_string_equal(b, "1GiB");
	runner_format_x("wss_bytes", 16384, b, sizeof(b));
	assert_string_equal(b, "16KiB");
	runner_format_x("wss_bytes", 0, b, sizeof(b));
	assert_string_equal(b, "0");
	runner_format_x("msg_bytes", 1536 + 1, b, sizeof(b));
	assert_string_equal(b, "1537");
	runner_format_x("pages", 1024, b, sizeof(b));
	assert_string_equal(b, "1024");
	assert_true(runner_sweep_is_bytes("rss_bytes"));
	assert_false(runner_sweep_is_bytes("pages"));
	assert_false(runner_sweep_is_bytes("_bytesx"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cross_numa_one_node_vs_four),
		cmocka_unit_test(test_lacking_placements_each_a_line),
		cmocka_unit_test(test_placement_lines),
		cmocka_unit_test(test_x_points),
		cmocka_unit_test(test_check_points),
		cmocka_unit_test(test_format_x),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
