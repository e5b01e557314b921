/*
 * cli.c - command-line parsing and validation for run, list and info (what
 * --filter and --x select is checked by cli_select.c).
 *
 * Every option is validated before anything is written: a bad value gets
 * one line on stderr naming it and what is accepted, and exit status 2.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_select.h"
#include "registry.h"

const char cli_usage_text[] =
	"usage: primbench COMMAND [options]\n"
	"\n"
	"commands:\n"
	"  run       run the benchmarks, write results/<host>_<kernel>_<UTC>/\n"
	"  list      benchmarks, variants, sweeps and this host's placements\n"
	"  info      host fingerprint and which counters open here (and why not)\n"
	"  compare   BASE CAND: what changed between two runs (see compare --help)\n"
	"  plot      RUN: draw a run's figures into RUN/plots/ (see plot --help)\n"
	"  report    RUN: write RUN/REPORT.md (see report --help)\n"
	"  export    RUN: a run in google/benchmark JSON or Go benchstat format\n"
	"            (see export --help)\n"
	"\n"
	"run options:\n"
	"  --filter REGEX       only variants whose \"bench/variant\" the POSIX extended\n"
	"                       regular expression matches anywhere, unanchored: null\n"
	"                       also matches syscall_entry/write_devnull_1b; anchor it\n"
	"                       ('^null/') or use =NAME,... (at most 1024 bytes; no\n"
	"                       back-references, no repetition of what can match\n"
	"                       empty, as in (.*)*)\n"
	"  --filter =NAME,...   exactly these: a family (every variant of it) or a\n"
	"                       bench/variant, as primbench list names them\n"
	"  --x SWEEP=V,...      only variants that sweep SWEEP, at the points V (of\n"
	"                       primbench list; a _bytes sweep takes B, KiB, MiB, GiB:\n"
	"                       rss_bytes=4MiB,64MiB); a point none of them has is\n"
	"                       refused; repeat for another sweep; --quick keeps them\n"
	"  --quick              10 samples in 5 rounds, ~0.09 s per configuration, at\n"
	"                       most 3 points of each sweep (both ends and the middle)\n"
	"  --rounds R           visit every configuration R times, each time in a fresh\n"
	"                       process, in an order shuffled per round (default 5)\n"
	"  --seed N             seed of that shuffle (default: random; meta records it)\n"
	"  --reps N             timed samples per configuration over all rounds\n"
	"                       (default 30, quick 10)\n"
	"  --budget-ms MS       time per configuration over all rounds (default 300,\n"
	"                       quick 90)\n"
	"  --min-sample-ms MS   floor on one sample's length (default: the budget\n"
	"                       divided among the timed and counting samples of all\n"
	"                       rounds, a warm-up per visit, and calibration)\n"
	"  --events LIST        counters: all, none, sw, hw or names (see info)\n"
	"  --placement LIST     same-cpu,smt,same-cache,cross-cache,cross-numa,\n"
	"                       cross-package,single,unpinned (default: all pinned);\n"
	"                       one the host lacks, or that no selected variant has,\n"
	"                       is left out with a line on stderr, and the rest runs\n"
	"  --out DIR            parent folder of the run (default results)\n"
	"  --timeout S          watchdog: a visit whose benchmark sends no sample for S\n"
	"                       seconds is killed (default 60; time primbench spends\n"
	"                       stopped by Ctrl-Z does not count)\n"
	"  --progress           progress on stderr even when it is not a terminal (on\n"
	"                       one: a status line with config i/N, round r/R,\n"
	"                       elapsed time and an ETA from the finished visits)\n"
	"  --print-dir          print the run's folder on stdout at the end\n"
	"  --dry-run            print the configurations the options select, run nothing;\n"
	"                       estimate the time, from --out's newest complete run of\n"
	"                       this host if any (points it skipped are marked);\n"
	"                       with --topology SRC, plan as on that topology\n"
	"list/info options:\n"
	"  --topology SRC       use an hwloc XML file or synthetic string instead of this host\n"
	"\n"
	"\n"
	"The summary's p50 is the median of all samples; its 95% CI (ci95_lo, ci95_hi)\n"
	"is p50 * exp(+- t(0.975, R-1) * sd(log round medians) / sqrt(R)) (linear\n"
	"where a round median is <= 0): it holds the noise between rounds (fresh\n"
	"processes at shuffled times), not only that inside one window.  With\n"
	"--rounds 1 it is the order-statistics CI of that one window.\n"
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

void cli_shown(const char *v, char *buf, size_t len)
{
	size_t n = strlen(v);

	if (n <= 64)
		snprintf(buf, len, "%s", v);
	else
		snprintf(buf, len, "%.40s... (%zu bytes)", v, n);
}

/* The folder path would be created in (or replaced in, for a file) exists
 * and is writable.  The parent of "a/b/" is "a": trailing slashes are
 * dropped first (but a lone "/" is kept).  0 or EXIT_USAGE, naming the
 * option's value as shown. */
static int cli_check_parent(const char *path, const char *shown)
{
	char parent[PATH_MAX];
	size_t len;
	struct stat st;
	char *slash;

	snprintf(parent, sizeof(parent), "%s", path);
	len = strlen(parent);
	while (len > 1 && parent[len - 1] == '/')
		parent[--len] = 0;
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		snprintf(parent, sizeof(parent), ".");
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
		return cli_usage_error("--out '%s': parent folder does not exist", shown);
	if (access(parent, W_OK | X_OK) < 0)
		return cli_usage_error("--out '%s': cannot create it (%s)", shown, strerror(errno));
	return 0;
}

/* --out must be a directory we can create or write into, with room under
 * it for what the run writes (CLI_OUT_RESERVE): a path the kernel would
 * refuse halfway through output_open() used to leave --out created and
 * empty.  Trailing slashes ("newdir/") name the same folder. */
int cli_check_out_dir(const char *dir)
{
	struct stat st;
	char shown[96];
	size_t len = strlen(dir);

	cli_shown(dir, shown, sizeof(shown));
	if (!*dir)
		return cli_usage_error("--out '%s': empty path", dir);
	if (len + CLI_OUT_RESERVE >= PATH_MAX)
		return cli_usage_error("--out '%s': too long: at most %d bytes, so that the run's "
				       "folder and files under it fit in PATH_MAX (%d)",
				       shown, PATH_MAX - 1 - CLI_OUT_RESERVE, PATH_MAX);
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return cli_usage_error("--out '%s': exists and is not a directory", shown);
		if (access(dir, W_OK | X_OK) < 0)
			return cli_usage_error("--out '%s': not writable (%s)", shown, strerror(errno));
		return 0;
	}
	if (errno != ENOENT)
		return cli_usage_error("--out '%s': %s", shown, strerror(errno));
	return cli_check_parent(dir, shown);
}

int cli_check_out_file(const char *path)
{
	struct stat st;
	char shown[96];

	cli_shown(path, shown, sizeof(shown));
	if (!*path)
		return cli_usage_error("--out '%s': empty path", path);
	if (strlen(path) >= PATH_MAX)
		return cli_usage_error("--out '%s': longer than PATH_MAX (%d)", shown, PATH_MAX);
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return cli_usage_error("--out '%s': is a folder (expected a file)", shown);
		/* A FIFO or a device is written into as it is (fileio_write_out). */
		if (!S_ISREG(st.st_mode) && access(path, W_OK) < 0)
			return cli_usage_error("--out '%s': not writable (%s)", shown, strerror(errno));
		if (!S_ISREG(st.st_mode))
			return 0;
	} else if (errno != ENOENT) {
		return cli_usage_error("--out '%s': %s", shown, strerror(errno));
	}
	return cli_check_parent(path, shown);
}

enum { OPT_FILTER = 256, OPT_QUICK, OPT_ROUNDS, OPT_SEED, OPT_REPS, OPT_BUDGET, OPT_MINSAMPLE, OPT_EVENTS,
       OPT_PLACEMENT, OPT_OUT, OPT_TIMEOUT, OPT_PROGRESS, OPT_PRINTDIR, OPT_TOPOLOGY, OPT_DRYRUN,
       OPT_X, OPT_HELP };

static const struct option long_opts[] = {
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "x", required_argument, NULL, OPT_X },
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


/* Is the word w whole for spec->exact: an argument, "--", a long option
 * of the table by its full name ("--name" or "--name=value"), or a single
 * short option ("-c"; getopt says whether it is one). */
static bool cli_word_whole(const struct cli_getopt_spec *spec, const char *w)
{
	size_t n;

	if (w[0] != '-' || !w[1])
		return true;
	if (w[1] != '-')
		return w[2] == '\0';
	if (!w[2])
		return true;
	n = strcspn(w + 2, "=");
	for (const struct option *o = spec->opts; o->name; o++)
		if (strlen(o->name) == n && strncmp(o->name, w + 2, n) == 0)
			return true;
	return false;
}

int cli_getopt(const struct cli_getopt_spec *spec, int argc, char **argv, cli_arg_fn fn,
	       void *ctx)
{
	char optstring[64];
	struct cli_arg a;
	int at, opt, rc;

	/* '+': stop at the first argument, '-': hand arguments over in
	 * place; ':': a missing value is told apart from an unknown option. */
	snprintf(optstring, sizeof(optstring), "%s:%s", spec->args_among_opts ? "-" : "+",
		 spec->shorts ? spec->shorts : "");
	opterr = 0;
	/* 0, not 1: glibc then starts afresh, forgetting a word left half read
	 * and the ordering of an earlier parse in this process. */
	optind = 0;
	for (;;) {
		at = optind ? optind : 1;
		opt = getopt_long(argc, argv, optstring, spec->opts, NULL);
		if (opt == -1)
			break;
		memset(&a, 0, sizeof(a));
		a.text = argv[at];
		if (opt == 1) {
			a.opt = CLI_ARG;
			a.value = optarg;
		} else if (opt == '?' || (spec->exact && !cli_word_whole(spec, argv[at]))) {
			/* Unknown, or (exact) what getopt_long took as an
			 * abbreviation or a cluster. */
			a.opt = CLI_UNKNOWN;
		} else if (opt == ':') {
			a.opt = optopt;
			a.missing = true;
		} else {
			a.opt = opt;
			a.value = optarg;
		}
		rc = fn(ctx, &a);
		if (rc)
			return rc;
	}
	/* getopt_long stopped at the first argument, or just after "--". */
	if (at < argc && optind == at + 1 && strcmp(argv[at], "--") == 0) {
		a = (struct cli_arg){ .opt = CLI_SEP, .text = argv[at] };
		rc = fn(ctx, &a);
		if (rc)
			return rc;
	}
	for (int i = optind; i < argc; i++) {
		a = (struct cli_arg){ .opt = CLI_ARG, .value = argv[i], .text = argv[i] };
		rc = fn(ctx, &a);
		if (rc)
			return rc;
	}
	return 0;
}

/* What cli_parse_arg fills in. */
struct cli_parse_ctx {
	struct cli *c;           /* the options read so far */
	const char *cmd;         /* the command, for messages */
};

/* One option or argument of run, list or info (a cli_arg_fn): 0, or
 * EXIT_USAGE after one line on stderr, or 1 at --help. */
static int cli_parse_arg(void *ctx, const struct cli_arg *a)
{
	struct cli_parse_ctx *p = ctx;
	struct cli *c = p->c;
	double v;
	char bad[64];

	if (a->missing)
		return cli_usage_error("%s: missing value", a->text);
	switch (a->opt) {
	case OPT_FILTER: {
		char exact[2 * CLI_FILTER_MAX_BYTES + 16];
		const char *re = a->value;
		int rc;

		c->filter = a->value;
		if (c->have_re)
			regfree(&c->re);
		c->have_re = false;
		if (a->value[0] == '=') {
			/* Exact names, made into an anchored expression of
			 * names only: nothing for cli_filter_check to bound. */
			if (cli_filter_exact(a->value + 1, exact, sizeof(exact)))
				return EXIT_USAGE;
			re = exact;
		} else if (cli_filter_check(a->value)) {
			return EXIT_USAGE;
		}
		rc = regcomp(&c->re, re, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char err[128];

			regerror(rc, &c->re, err, sizeof(err));
			return cli_usage_error("--filter '%s': bad regular expression: %s", a->value, err);
		}
		c->have_re = true;
		break;
	}
	case OPT_X:
		if (cli_parse_x(c, a->value))
			return EXIT_USAGE;
		if (strlen(c->xs) + strlen(a->value) + 2 < sizeof(c->xs))
			snprintf(c->xs + strlen(c->xs), sizeof(c->xs) - strlen(c->xs), "%s%s",
				 c->xs[0] ? " " : "", a->value);
		break;
	case OPT_QUICK:
		c->run.quick = true;
		break;
	case OPT_ROUNDS:
		if (parse_num("--rounds", a->value, 1, 1000, &v) < 0)
			return EXIT_USAGE;
		if (v != floor(v))
			return cli_usage_error("--rounds '%s': expected a whole number from 1 to 1000",
					   a->value);
		c->run.rounds = (unsigned)v;
		break;
	case OPT_SEED: {
		char *end;
		unsigned long long seed;

		errno = 0;
		seed = strtoull(a->value, &end, 10);
		if (!*a->value || *end || errno || a->value[0] == '-')
			return cli_usage_error("--seed '%s': expected a whole number from 0 to %llu",
					       a->value, (unsigned long long)UINT64_MAX);
		c->run.seed = seed;
		c->seed_set = true;
		break;
	}
	case OPT_REPS:
		if (parse_num("--reps", a->value, 2, 100000, &v) < 0)
			return EXIT_USAGE;
		if (v != floor(v))
			return cli_usage_error("--reps '%s': expected a whole number from 2 to 100000",
					   a->value);
		c->run.reps = (unsigned)v;
		c->reps_set = true;
		break;
	case OPT_BUDGET:
		if (parse_num("--budget-ms", a->value, 1, 3600000, &c->run.budget_ms) < 0)
			return EXIT_USAGE;
		c->budget_set = true;
		break;
	case OPT_MINSAMPLE:
		if (parse_num("--min-sample-ms", a->value, 0, 600000, &c->run.min_sample_ms) < 0)
			return EXIT_USAGE;
		break;
	case OPT_EVENTS:
		if (pmu_parse_events(a->value, &c->run.events, bad, sizeof(bad)) < 0)
			return cli_usage_error("--events: unknown event '%s' (see primbench info; or all, none, sw, hw)", bad);
		break;
	case OPT_PLACEMENT:
		if (parse_placements(a->value, &c->run.placements) < 0)
			return EXIT_USAGE;
		break;
	case OPT_OUT: {
		size_t n = strlen(a->value);

		/* "newdir/" names newdir: without the slash, paths built
		 * under it have no "//" (and --print-dir shows it
		 * plainly).  A path too long to copy is left as given;
		 * cli_check_out_dir() refuses it. */
		c->out = a->value;
		if (n < sizeof(c->out_buf)) {
			memcpy(c->out_buf, a->value, n + 1);
			while (n > 1 && c->out_buf[n - 1] == '/')
				c->out_buf[--n] = 0;
			c->out = c->out_buf;
		}
		break;
	}
	case OPT_TIMEOUT:
		if (parse_num("--timeout", a->value, 0.1, 86400, &c->run.timeout_s) < 0)
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
		c->topology = a->value;
		break;
	case OPT_HELP:
		/* --help ends the reading: what follows it is not checked. */
		c->help = true;
		return 1;
	case CLI_SEP:
		return 0;
	case CLI_ARG:
		return cli_usage_error("unexpected argument '%s' for '%s'", a->value, p->cmd);
	default:
		return cli_usage_error("unknown option '%s' for '%s' (see primbench --help)",
				       a->text, p->cmd);
	}
	return 0;
}

int cli_parse(const char *cmd, int argc, char **argv, struct cli *c)
{
	static const struct cli_getopt_spec spec = { .opts = long_opts };
	struct cli_parse_ctx p = { c, cmd };
	int rc;

	memset(c, 0, sizeof(*c));
	c->run.reps = 30;
	c->run.rounds = CLI_DEFAULT_ROUNDS;
	c->run.budget_ms = CLI_DEFAULT_BUDGET_MS;
	c->run.timeout_s = 60;
	c->run.events = pmu_default_mask();
	c->out = "results";
	c->run.progress = c->run.progress_tty = isatty(STDERR_FILENO);
	rc = cli_getopt(&spec, argc, argv, cli_parse_arg, &p);
	if (c->help)
		return 0;
	if (rc)
		return rc;
	if (c->run.quick) {
		if (!c->reps_set)
			c->run.reps = 10;
		if (!c->budget_set)
			c->run.budget_ms = CLI_QUICK_BUDGET_MS;
	}
	if (c->run.reps < c->run.rounds)
		return cli_usage_error("--reps %u is fewer than --rounds %u: every round needs a sample",
				       c->run.reps, c->run.rounds);
	if (!c->seed_set) {
		/* A fresh order each run, recorded in meta so it can be replayed. */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		c->run.seed = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec ^
			      ((uint64_t)getpid() << 32);
	}
	c->run.filter = c->have_re ? &c->re : NULL;
	if (c->run.nxsel) {
		char err[1024];

		if (runner_check_points(&c->run, err, sizeof(err)) < 0) {
			if (c->have_re)
				regfree(&c->re);
			c->have_re = false;
			c->run.filter = NULL;
			return cli_usage_error("%s", err);
		}
	}
	return 0;
}

