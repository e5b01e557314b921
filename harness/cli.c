/*
 * cli.c - command-line parsing and validation for run, list and info.
 *
 * Every option is validated before anything is written: a bad value gets
 * one line on stderr naming it and what is accepted, and exit status 2.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char cli_usage_text[] =
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
	"  --quick              10 samples in 5 rounds, ~0.12 s per configuration, at\n"
	"                       most 4 points of each sweep (both ends kept)\n"
	"  --rounds R           visit every configuration R times, each time in a fresh\n"
	"                       process, in an order shuffled per round (default 5)\n"
	"  --seed N             seed of that shuffle (default: random; meta records it)\n"
	"  --reps N             timed samples per configuration over all rounds\n"
	"                       (default 30, quick 10)\n"
	"  --budget-ms MS       time per configuration over all rounds (default 600,\n"
	"                       quick 120)\n"
	"  --min-sample-ms MS   floor on one sample's length (default: the budget\n"
	"                       divided among all samples and warm-ups)\n"
	"  --events LIST        counters: all, none, sw, hw or names (see info)\n"
	"  --placement LIST     same-cpu,smt,same-cache,cross-cache,cross-numa,\n"
	"                       cross-package,single,unpinned (default: all pinned)\n"
	"  --out DIR            parent folder of the run (default results)\n"
	"  --timeout S          watchdog per configuration (default 60)\n"
	"  --progress           progress on stderr even when it is not a terminal\n"
	"  --print-dir          print the run's folder on stdout at the end\n"
	"  --dry-run            print the configurations the options select, run nothing\n"
	"list/info options:\n"
	"  --topology SRC       use an hwloc XML file or synthetic string instead of this host\n"
	"\n"
	"\n"
	"The summary's p50 is the median of all samples; its 95% CI (ci95_lo, ci95_hi)\n"
	"is p50 +- t(0.975, R-1) * sd(round medians) / sqrt(R): it holds the noise\n"
	"between rounds (fresh processes at shuffled times), not only that inside one\n"
	"window.  With --rounds 1 it is the order-statistics CI of that one window.\n"
	"\n"
	"exit status: 0 all ran (skips allowed), 1 a benchmark failed or timed out,\n"
	"2 bad usage or input, 128+N stopped by signal N.\n";

int cli_usage_error(const char *fmt, ...)
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
int cli_check_out_dir(const char *dir)
{
	struct stat st;
	char parent[PATH_MAX];
	char *slash;

	if (!*dir)
		return cli_usage_error("--out '%s': empty path%s", dir, "");
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return cli_usage_error("--out '%s': exists and is not a directory%s", dir, "");
		if (access(dir, W_OK | X_OK) < 0)
			return cli_usage_error("--out '%s': not writable (%s)", dir, strerror(errno));
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
		return cli_usage_error("--out '%s': parent folder does not exist%s", dir, "");
	if (access(parent, W_OK | X_OK) < 0)
		return cli_usage_error("--out '%s': cannot create it (%s)", dir, strerror(errno));
	return 0;
}

enum { OPT_FILTER = 256, OPT_QUICK, OPT_ROUNDS, OPT_SEED, OPT_REPS, OPT_BUDGET, OPT_MINSAMPLE, OPT_EVENTS,
       OPT_PLACEMENT, OPT_OUT, OPT_TIMEOUT, OPT_PROGRESS, OPT_PRINTDIR, OPT_TOPOLOGY, OPT_DRYRUN,
       OPT_HELP };

static const struct option long_opts[] = {
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "quick", no_argument, NULL, OPT_QUICK },
	{ "rounds", required_argument, NULL, OPT_ROUNDS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "budget-ms", required_argument, NULL, OPT_BUDGET },
	{ "min-sample-ms", required_argument, NULL, OPT_MINSAMPLE },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "placement", required_argument, NULL, OPT_PLACEMENT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "print-dir", no_argument, NULL, OPT_PRINTDIR },
	{ "dry-run", no_argument, NULL, OPT_DRYRUN },
	{ "topology", required_argument, NULL, OPT_TOPOLOGY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};


int cli_parse(const char *cmd, int argc, char **argv, struct cli *c)
{
	double v;
	char bad[64];
	int opt;

	memset(c, 0, sizeof(*c));
	c->run.reps = 30;
	c->run.rounds = CLI_DEFAULT_ROUNDS;
	c->run.budget_ms = 600;
	c->run.timeout_s = 60;
	c->run.events = pmu_default_mask();
	c->out = "results";
	c->run.progress = c->run.progress_tty = isatty(STDERR_FILENO);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+:", long_opts, NULL)) != -1) {
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
				return cli_usage_error("--filter '%s': bad regular expression: %s", optarg, err);
			}
			c->have_re = true;
			break;
		}
		case OPT_QUICK:
			c->run.quick = true;
			break;
		case OPT_ROUNDS:
			if (parse_num("--rounds", optarg, 1, 1000, &v) < 0)
				return EXIT_USAGE;
			if (v != floor(v))
				return cli_usage_error("--rounds '%s': expected a whole number from 1 to 1000%s",
						   optarg, "");
			c->run.rounds = (unsigned)v;
			break;
		case OPT_SEED: {
			char *end;
			unsigned long long seed;

			errno = 0;
			seed = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || optarg[0] == '-')
				return cli_usage_error("--seed '%s': expected a whole number from 0 to %llu",
						       optarg, (unsigned long long)UINT64_MAX);
			c->run.seed = seed;
			c->seed_set = true;
			break;
		}
		case OPT_REPS:
			if (parse_num("--reps", optarg, 2, 100000, &v) < 0)
				return EXIT_USAGE;
			if (v != floor(v))
				return cli_usage_error("--reps '%s': expected a whole number from 2 to 100000%s",
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
				return cli_usage_error("--events: unknown event '%s' (see primbench info; or all, none, sw, hw)%s", bad, "");
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
		case OPT_DRYRUN:
			c->dry_run = true;
			break;
		case OPT_TOPOLOGY:
			c->topology = optarg;
			break;
		case OPT_HELP:
			c->help = true;
			return 0;
		case ':':
			return cli_usage_error("%s: missing value%s", argv[optind - 1], "");
		default:
			return cli_usage_error("unknown option '%s' for '%s' (see primbench --help)",
					   argv[optind - 1], cmd);
		}
	}
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s' for '%s'", argv[optind], cmd);
	if (c->run.quick) {
		if (!c->reps_set)
			c->run.reps = 10;
		if (!c->budget_set)
			c->run.budget_ms = 120;
	}
	if (c->run.reps < c->run.rounds)
		return cli_usage_error("--reps %u is fewer than --rounds %u: every round needs a sample%s",
				       c->run.reps, c->run.rounds, "");
	if (!c->seed_set) {
		/* A fresh order each run, recorded in meta so it can be replayed. */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		c->run.seed = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^
			      ((uint64_t)getpid() << 32);
	}
	c->run.filter = c->have_re ? &c->re : NULL;
	return 0;
}

