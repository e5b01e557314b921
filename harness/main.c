/*
 * main.c - the command line: run, list, info, compare.
 *
 * Every option is validated before anything is written: a bad value gets
 * one line on stderr naming it and what is accepted, and exit status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "compare.h"
#include "ctx.h"
#include "meta.h"
#include "output.h"
#include "pmu.h"
#include "registry.h"
#include "runner.h"
#include "topo.h"

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: primbench COMMAND [options]\n"
	"\n"
	"commands:\n"
	"  run       run the benchmarks, write results/<host>_<kernel>_<UTC>/\n"
	"  list      benchmarks, variants, sweeps and this host's placements\n"
	"  info      host fingerprint and which counters open here (and why not)\n"
	"  compare   BASE CAND: what changed between two runs (see compare --help)\n"
	"\n"
	"run options:\n"
	"  --filter REGEX       only benchmarks whose \"bench/variant\" matches\n"
	"  --quick              10 samples, ~0.2 s per configuration\n"
	"  --reps N             samples per configuration (default 30, quick 10)\n"
	"  --budget-ms MS       time per configuration (default 1000, quick 200)\n"
	"  --min-sample-ms MS   floor on one sample's length (default: budget/(reps+4))\n"
	"  --events LIST        counters: all, none, sw, hw or names (see info)\n"
	"  --placement LIST     same-cpu,smt,same-cache,cross-cache,cross-numa,\n"
	"                       cross-package,single,unpinned (default: all pinned)\n"
	"  --out DIR            parent folder of the run (default results)\n"
	"  --timeout S          watchdog per configuration (default 60)\n"
	"  --progress           progress on stderr even when it is not a terminal\n"
	"  --print-dir          print the run's folder on stdout at the end\n"
	"list/info options:\n"
	"  --topology SRC       use an hwloc XML file or synthetic string instead of this host\n"
	"\n"
	"exit status: 0 all ran (skips allowed), 1 a benchmark failed or timed out,\n"
	"2 bad usage or input, 128+N stopped by signal N.\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr, exit status 2. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "primbench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Strict decimal parse of a whole string into [lo, hi]. */
static int parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;
	char range[96];

	errno = 0;
	v = strtod(s, &end);
	snprintf(range, sizeof(range), "a number from %g to %g", lo, hi);
	if (!*s || *end || errno || !isfinite(v) || v < lo || v > hi) {
		fprintf(stderr, "primbench: %s '%s': expected %s\n", opt, s, range);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_placements(const char *list, uint32_t *mask)
{
	char *dup = strdup(list), *save = NULL;
	int rc = 0;

	if (!dup)
		return -ENOMEM;
	*mask = 0;
	for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int p = topo_placement_parse(tok);

		if (p < 0) {
			fprintf(stderr, "primbench: --placement '%s': unknown placement "
				"(accepted: same-cpu, smt, same-cache, cross-cache, cross-numa, "
				"cross-package, single, unpinned)\n", tok);
			rc = -EINVAL;
			break;
		}
		*mask |= 1u << p;
	}
	if (rc == 0 && *mask == 0) {
		fprintf(stderr, "primbench: --placement '%s': empty list\n", list);
		rc = -EINVAL;
	}
	free(dup);
	return rc;
}

/* --out must be a directory we can create or write into. */
static int check_out_dir(const char *dir)
{
	struct stat st;
	char parent[PATH_MAX];
	char *slash;

	if (!*dir)
		return usage_error("--out '%s': empty path%s", dir, "");
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return usage_error("--out '%s': exists and is not a directory%s", dir, "");
		if (access(dir, W_OK | X_OK) < 0)
			return usage_error("--out '%s': not writable (%s)", dir, strerror(errno));
		return 0;
	}
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		snprintf(parent, sizeof(parent), ".");
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
		return usage_error("--out '%s': parent folder does not exist%s", dir, "");
	if (access(parent, W_OK | X_OK) < 0)
		return usage_error("--out '%s': cannot create it (%s)", dir, strerror(errno));
	return 0;
}

static int open_topology(const char *src, struct topo **t)
{
	int rc = topo_open(t, src);

	if (rc < 0) {
		fprintf(stderr, "primbench: cannot load topology%s%s: %s\n",
			src ? " " : "", src ? src : "", strerror(-rc));
		return EXIT_USAGE;
	}
	return 0;
}

enum { OPT_FILTER = 256, OPT_QUICK, OPT_REPS, OPT_BUDGET, OPT_MINSAMPLE, OPT_EVENTS,
       OPT_PLACEMENT, OPT_OUT, OPT_TIMEOUT, OPT_PROGRESS, OPT_PRINTDIR, OPT_TOPOLOGY,
       OPT_HELP };

static const struct option long_opts[] = {
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "quick", no_argument, NULL, OPT_QUICK },
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "budget-ms", required_argument, NULL, OPT_BUDGET },
	{ "min-sample-ms", required_argument, NULL, OPT_MINSAMPLE },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "placement", required_argument, NULL, OPT_PLACEMENT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "print-dir", no_argument, NULL, OPT_PRINTDIR },
	{ "topology", required_argument, NULL, OPT_TOPOLOGY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Everything the command line asked for. */
struct cli {
	struct runner_opts run;  /* run options */
	regex_t re;              /* compiled --filter */
	bool have_re;            /* re is compiled */
	const char *filter;      /* its source */
	const char *out;         /* --out */
	const char *topology;    /* --topology */
	bool print_dir;          /* --print-dir */
	bool reps_set, budget_set; /* given explicitly (not --quick defaults) */
};

static int parse_cli(const char *cmd, int argc, char **argv, struct cli *c)
{
	double v;
	char bad[64];
	int opt;

	memset(c, 0, sizeof(*c));
	c->run.reps = 30;
	c->run.budget_ms = 1000;
	c->run.timeout_s = 60;
	c->run.events = pmu_default_mask();
	c->out = "results";
	c->run.progress = isatty(STDERR_FILENO);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", long_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_FILTER: {
			int rc;

			c->filter = optarg;
			if (c->have_re)
				regfree(&c->re);
			rc = regcomp(&c->re, optarg, REG_EXTENDED | REG_NOSUB);
			if (rc != 0) {
				char err[128];

				regerror(rc, &c->re, err, sizeof(err));
				return usage_error("--filter '%s': bad regular expression: %s", optarg, err);
			}
			c->have_re = true;
			break;
		}
		case OPT_QUICK:
			c->run.quick = true;
			break;
		case OPT_REPS:
			if (parse_num("--reps", optarg, 2, 100000, &v) < 0)
				return EXIT_USAGE;
			if (v != floor(v))
				return usage_error("--reps '%s': expected a whole number from 2 to 100000%s",
						   optarg, "");
			c->run.reps = (unsigned)v;
			c->reps_set = true;
			break;
		case OPT_BUDGET:
			if (parse_num("--budget-ms", optarg, 1, 3600000, &c->run.budget_ms) < 0)
				return EXIT_USAGE;
			c->budget_set = true;
			break;
		case OPT_MINSAMPLE:
			if (parse_num("--min-sample-ms", optarg, 0, 600000, &c->run.min_sample_ms) < 0)
				return EXIT_USAGE;
			break;
		case OPT_EVENTS:
			if (pmu_parse_events(optarg, &c->run.events, bad, sizeof(bad)) < 0)
				return usage_error("--events: unknown event '%s' (see primbench info; or all, none, sw, hw)%s", bad, "");
			break;
		case OPT_PLACEMENT:
			if (parse_placements(optarg, &c->run.placements) < 0)
				return EXIT_USAGE;
			break;
		case OPT_OUT:
			c->out = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_num("--timeout", optarg, 0.1, 86400, &c->run.timeout_s) < 0)
				return EXIT_USAGE;
			break;
		case OPT_PROGRESS:
			c->run.progress = true;
			break;
		case OPT_PRINTDIR:
			c->print_dir = true;
			break;
		case OPT_TOPOLOGY:
			c->topology = optarg;
			break;
		case OPT_HELP:
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			return usage_error("%s: missing value%s", argv[optind - 1], "");
		default:
			return usage_error("unknown option '%s' for '%s' (see primbench --help)",
					   argv[optind - 1], cmd);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s' for '%s'", argv[optind], cmd);
	if (c->run.quick) {
		if (!c->reps_set)
			c->run.reps = 10;
		if (!c->budget_set)
			c->run.budget_ms = 200;
	}
	c->run.filter = c->have_re ? &c->re : NULL;
	return 0;
}

static int cmd_list(struct cli *c)
{
	struct topo *t;
	struct topo_place pl[TOPO_NPLACEMENTS];
	int npl, rc = open_topology(c->topology, &t);

	if (rc)
		return rc;
	for (size_t b = 0; registry_benches[b]; b++) {
		const struct bench_desc *d = registry_benches[b];

		printf("%s - %s (op: %s)\n", d->name, d->summary, d->unit);
		for (const struct bench_variant *v = d->variants; v->name; v++) {
			printf("  %-20s %s%s\n", v->name, v->summary,
			       (v->flags & BENCH_V_PAIR) ? " [two workers]" : "");
			if (v->sweep) {
				printf("  %-20s   sweep %s:", "", v->sweep);
				for (size_t i = 0; i < v->nx; i++)
					printf(" %.0f", v->xs[i]);
				printf("\n");
			}
		}
	}
	npl = topo_placements(t, pl, TOPO_NPLACEMENTS);
	printf("\nplacements on this host:\n");
	for (int i = 0; i < npl; i++) {
		printf("  %-14s", topo_placement_name(pl[i].kind));
		if (pl[i].cpu[0] < 0)
			printf(" left to the scheduler%s\n",
			       pl[i].kind == TOPO_UNPINNED ? " (run only with --placement unpinned)" : "");
		else if (topo_placement_pair(pl[i].kind))
			printf(" CPUs %d and %d\n", pl[i].cpu[0], pl[i].cpu[1]);
		else
			printf(" CPU %d\n", pl[i].cpu[0]);
	}
	topo_close(t);
	return 0;
}

static int cmd_info(struct cli *c)
{
	struct topo *t;
	struct pmu_group g;
	struct meta m = { 0 };
	int rc = open_topology(c->topology, &t);

	if (rc)
		return rc;
	pmu_group_open(&g, c->run.events);
	rc = meta_collect(&m, t, &g);
	for (size_t i = 0; rc == 0 && i < m.n; i++)
		printf("%-22s %s\n", m.kv[i].key, m.kv[i].value);
	printf("\ncounters (mode: %s):\n", pmu_mode_name(g.mode));
	for (int e = 0; e < PMU_NEVENTS; e++) {
		if (!(g.mask & (1u << e)))
			continue;
		printf("  %-18s %s%s%s\n", pmu_event_info(e)->name,
		       g.ev[e].available ? "available" : "unavailable: ",
		       g.ev[e].available ? "" : g.ev[e].reason,
		       pmu_event_info(e)->hardware ? "" : " [software]");
	}
	pmu_group_close(&g);
	meta_free(&m);
	topo_close(t);
	return rc ? 1 : 0;
}

static int cmd_run(struct cli *c)
{
	struct runner_config *cfg = NULL;
	struct topo *t = NULL;
	struct pmu_group probe;
	struct meta m = { 0 };
	struct output o;
	struct runner_sink sink;
	size_t n = 0;
	int rc, status;

	if (c->topology)
		return usage_error("--topology%s is for list and info; run measures this host%s", "", "");
	rc = check_out_dir(c->out);
	if (rc)
		return rc;
	rc = open_topology(NULL, &t);
	if (rc)
		return rc;
	if (runner_plan(&c->run, t, &cfg, &n) < 0) {
		status = 1;
		goto out_topo;
	}
	if (n == 0) {
		status = usage_error("nothing to run: --filter '%s' and --placement select no configuration on this host%s",
				     c->filter ? c->filter : "", " (see primbench list)");
		goto out_cfg;
	}
	if (ctx_registry_init() < 0) {
		fprintf(stderr, "primbench: cannot map the cleanup registry: %s\n", strerror(errno));
		status = 1;
		goto out_cfg;
	}
	ctx_sweep_stale();
	pmu_group_open(&probe, c->run.events);
	rc = meta_collect(&m, t, &probe);
	pmu_group_close(&probe);
	meta_set(&m, "run_args", "%s%s reps=%u budget_ms=%g min_sample_ms=%g timeout_s=%g",
		 c->run.quick ? "quick " : "", c->filter ? c->filter : "(all)",
		 c->run.reps, c->run.budget_ms, c->run.min_sample_ms, c->run.timeout_s);
	rc = output_open(&o, c->out, &m);
	if (rc < 0) {
		fprintf(stderr, "primbench: cannot create the results folder in '%s': %s\n",
			c->out, strerror(-rc));
		status = rc == -ENOSPC || rc == -EROFS ? 1 : EXIT_USAGE;
		goto out_meta;
	}
	runner_signals();
	sink = (struct runner_sink){ .result = output_result, .fit = output_fit, .arg = &o };
	status = runner_run(&c->run, t, cfg, n, &sink);
	rc = output_close(&o, status == 0 || status == 1);
	if (rc < 0) {
		fprintf(stderr, "primbench: writing %s: %s\n", o.final, strerror(-rc));
		if (status == 0)
			status = 1;
	}
	fprintf(stderr, "primbench: results in %s\n", o.final);
	if (c->print_dir)
		printf("%s\n", o.final);
out_meta:
	meta_free(&m);
out_cfg:
	free(cfg);
out_topo:
	topo_close(t);
	return status;
}

int main(int argc, char **argv)
{
	struct cli c;
	const char *cmd;
	int rc;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("primbench %s (%s)\n", PRIMBENCH_VERSION, PRIMBENCH_GIT_SHA);
		return 0;
	}
	if (strcmp(cmd, "compare") == 0)
		return compare_cmd(argc - 1, argv + 1);
	if (strcmp(cmd, "run") && strcmp(cmd, "list") && strcmp(cmd, "info"))
		return usage_error("unknown command '%s' (accepted: run, list, info, compare)%s", cmd, "");
	rc = parse_cli(cmd, argc - 1, argv + 1, &c);
	if (rc)
		goto out;
	/* list and info only read: run options are accepted but meaningless. */
	if (strcmp(cmd, "run") == 0) {
		clock_init(-1);
		rc = cmd_run(&c);
	} else if (strcmp(cmd, "list") == 0) {
		rc = cmd_list(&c);
	} else {
		clock_init(-1);
		rc = cmd_info(&c);
	}
out:
	if (c.have_re)
		regfree(&c.re);
	return rc;
}
