/*
 * main.c - dispatch of the commands run, list, info, compare, plot, report and
 * export.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "compare.h"
#include "ctx.h"
#include "estimate.h"
#include "export.h"
#include "meta.h"
#include "output.h"
#include "pmu.h"
#include "registry.h"
#include "runner.h"
#include "scripts.h"
#include "summarise.h"
#include "topo.h"

/* Where each visit of `run` goes: its samples to the CSV at once, and to
 * the summary, which is written when the rounds are over. */
struct run_sink {
	struct output *out;      /* the results folder */
	struct summ *summ;       /* every configuration's samples so far */
};

static int run_visit(void *arg, size_t idx, unsigned round, const struct runner_result *r)
{
	struct run_sink *rs = arg;
	int rc = output_visit(rs->out, round, r);
	int rc2 = summ_add(rs->summ, idx, round, r);

	return rc < 0 ? rc : rc2;
}

/*
 * Make descriptors 0, 1 and 2 safe before anything is opened: one that is
 * closed (`2>&-`) is opened on /dev/null.  Otherwise the first file
 * primbench opens (summary.csv) takes its number, and what is meant for
 * stderr (progress lines) lands inside the results.  0, or -errno when
 * /dev/null cannot be opened (primbench then stops: it cannot write
 * anything safely).
 */
static int main_safe_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int got;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free number: fd itself, since 0..fd-1 are open. */
		got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (got < 0)
			return -errno;
		if (got != fd) {
			int rc = dup2(got, fd) < 0 ? -errno : 0;

			close(got);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/*
 * list and info write only to stdout: a write error there (a full disk,
 * `> /dev/full`, a closed pipe) must not end in exit 0.  Flush and look at
 * the stream's error flag once, at the end.  0, or 1 after one line on
 * stderr.
 */
static int main_check_stdout(const char *cmd)
{
	int err = 0;

	if (fflush(stdout) == EOF)
		err = errno;
	else if (ferror(stdout))
		err = EIO;
	if (!err)
		return 0;
	fprintf(stderr, "primbench: %s: writing to stdout failed: %s\n", cmd, strerror(err));
	return 1;
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
			if (v->flags & BENCH_V_PER_CPU) {
				printf("  %-20s   sweep %s: every CPU of the host\n", "", v->sweep);
			} else if (v->sweep) {
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
	return main_check_stdout("list");
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
	if (main_check_stdout("info"))
		return 1;
	return rc ? 1 : 0;
}

/* runner_plan's say: what was left out, a line each, before the run. */
static void run_say(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "primbench: %s\n", line);
}

static int cmd_run(struct cli *c)
{
	struct runner_config *cfg = NULL;
	struct topo *t = NULL;
	struct pmu_group probe;
	struct meta m = { 0 };
	struct output o;
	struct runner_sink sink;
	struct run_sink rs;
	struct summ summ;
	size_t n = 0;
	int rc, status;
	bool complete;

	/* A plan can be shown for another host; a run measures this one. */
	if (c->topology && !c->dry_run)
		return cli_usage_error("--topology is for list, info and run --dry-run; run "
				       "measures this host");
	rc = cli_check_out_dir(c->out);
	if (rc)
		return rc;
	rc = open_topology(c->topology, &t);
	if (rc)
		return rc;
	if (runner_plan(&c->run, t, &cfg, &n, run_say, NULL) < 0) {
		status = 1;
		goto out_topo;
	}
	if (n == 0) {
		status = cli_usage_error("nothing to run: --filter '%s'%s and --placement select no configuration on this host (see primbench list)",
				     c->filter ? c->filter : "", c->run.nxsel ? ", --x" : "");
		goto out_cfg;
	}
	if (c->dry_run) {
		struct estimate est;

		status = estimate_run(&c->run, cfg, n, c->out, clock_info()->overhead_ns, &est) < 0;
		for (size_t i = 0; !status && i < n; i++) {
			printf("%s/%s", cfg[i].desc->name, cfg[i].var->name);
			if (cfg[i].has_x)
				printf(" %s=%.0f", cfg[i].var->sweep, cfg[i].x);
			printf(" @%s", topo_placement_name(cfg[i].place.kind));
			printf(est.note[i] ? "  (%s)\n" : "\n", est.note[i]);
		}
		if (!status)
			estimate_print(&est, &c->run, n, stderr);
		estimate_free(&est);
		goto out_cfg;
	}
	if (cleanup_init() < 0) {
		fprintf(stderr, "primbench: cannot map the cleanup list: %s\n", strerror(errno));
		status = 1;
		goto out_cfg;
	}
	/* From here on every way to end closes the folder or leaves none. */
	runner_signals();
	cleanup_sweep_stale(c->out);
	if (summ_init(&summ, cfg, n, c->run.rounds) < 0) {
		fprintf(stderr, "primbench: out of memory for %zu configurations\n", n);
		status = 1;
		goto out_cfg;
	}
	pmu_group_open(&probe, c->run.events);
	rc = meta_collect(&m, t, &probe);
	pmu_group_close(&probe);
	if (rc == 0)
		rc = meta_set(&m, "run_args", "%s%s%s%s reps=%u rounds=%u budget_ms=%g min_sample_ms=%g timeout_s=%g",
			      c->run.quick ? "quick " : "", c->filter ? c->filter : "(all)",
			      c->xs[0] ? " x=" : "", c->xs,
			      c->run.reps, c->run.rounds, c->run.budget_ms, c->run.min_sample_ms,
			      c->run.timeout_s);
	if (rc == 0)
		rc = meta_set(&m, "rounds", "%u", c->run.rounds);
	if (rc == 0)
		rc = meta_set(&m, "seed", "%llu", (unsigned long long)c->run.seed);
	if (rc == 0)
		rc = meta_set(&m, "ci_method", "%s",
			      c->run.rounds > 1 ? SUMM_CI_ROUNDS : SUMM_CI_ONE_ROUND);
	if (rc == 0)
		rc = meta_set(&m, "layout", "%s",
			      "each visit shifts its mmap base and break by a random 0..1 GiB "
			      "(from seed), unless RLIMIT_AS or RLIMIT_DATA is set");
	if (rc != 0) {
		fprintf(stderr, "primbench: collecting the host fingerprint: %s\n",
			strerror(rc < 0 ? -rc : ENOMEM));
		status = 1;
		goto out_meta;
	}
	/* A stop before the folder exists leaves nothing at all. */
	if (runner_stopped()) {
		status = 128 + runner_stopped();
		goto out_meta;
	}
	rc = output_open(&o, c->out, &m);
	if (rc < 0) {
		fprintf(stderr, "primbench: cannot create the results folder in '%s': %s\n",
			c->out, strerror(-rc));
		status = rc == -ENOSPC || rc == -EROFS ? 1 : EXIT_USAGE;
		goto out_meta;
	}
	rs = (struct run_sink){ .out = &o, .summ = &summ };
	/* Benchmarks that measure the file system under --out make their
	 * scratch folders there (bench_scratch_dir). */
	c->run.out_dir = c->out;
	sink = (struct runner_sink){ .result = run_visit, .arg = &rs };
	status = runner_run(&c->run, t, cfg, n, &sink);
	complete = status == 0 || status == 1;
	if (status == -ENOMEM) {
		fprintf(stderr, "primbench: the run stopped: %s\n", strerror(-status));
		status = 1;
	} else if (status < 0) {
		fprintf(stderr, "primbench: some configurations could not be started: %s "
			"(their rows say so; meta says complete=false)\n", strerror(-status));
		status = 1;
	}
	/* Also after an interrupt: the visits that finished are summarised,
	 * and meta says complete=false. */
	rc = summ_emit(&summ, output_row, &o);
	if (rc < 0 && status == 0)
		status = 1;
	rc = output_close(&o, complete && rc == 0);
	if (rc < 0) {
		fprintf(stderr, "primbench: writing %s: %s\n", o.final, strerror(-rc));
		if (status == 0)
			status = 1;
	}
	fprintf(stderr, "primbench: results in %s\n", o.final);
	if (c->print_dir) {
		printf("%s\n", o.final);
		if (main_check_stdout("run --print-dir") && status == 0)
			status = 1;
	}
out_meta:
	meta_free(&m);
	summ_free(&summ);
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

	rc = main_safe_fds();
	if (rc < 0) {
		fprintf(stderr, "primbench: descriptor 0, 1 or 2 is closed and /dev/null "
			"cannot be opened in its place: %s\n", strerror(-rc));
		return 1;
	}
	if (argc < 2) {
		fputs(cli_usage_text, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(cli_usage_text, stdout);
		return main_check_stdout("--help");
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("primbench %s (%s)\n", PRIMBENCH_VERSION, PRIMBENCH_GIT_SHA);
		return main_check_stdout("--version");
	}
	if (strcmp(cmd, "compare") == 0)
		return compare_cmd(argc - 1, argv + 1);
	if (strcmp(cmd, "plot") == 0 || strcmp(cmd, "report") == 0)
		return scripts_cmd(argc - 1, argv + 1);
	/* export writes on stdout unless --out is given: its errors there
	 * must not end in exit 0 either. */
	if (strcmp(cmd, "export") == 0) {
		rc = export_cmd(argc - 1, argv + 1);
		return rc ? rc : main_check_stdout("export");
	}
	if (strcmp(cmd, "run") && strcmp(cmd, "list") && strcmp(cmd, "info"))
		return cli_usage_error("unknown command '%s' (accepted: run, list, info, compare, "
				       "plot, report, export)", cmd);
	rc = cli_parse(cmd, argc - 1, argv + 1, &c);
	if (rc)
		goto out;
	if (c.help) {
		fputs(cli_usage_text, stdout);
		rc = main_check_stdout("--help");
		goto out;
	}
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
