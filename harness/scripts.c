/*
 * scripts.c - the commands plot and report.
 *
 * The figures and the report are made by shell and gnuplot scripts
 * (plots/render.sh, plots/report.sh and the plots/NAME.gp files), which read the CSVs with
 * csvq (tests/tools/csvq.c, on harness/csv.c).  These commands check their
 * arguments, find the scripts and csvq that belong to this binary, and
 * exec the script: `make plots` and `make report` call them too, so an
 * installed primbench and a source tree draw with the same code.
 *
 * Where things are looked for.  The scripts: $PRIMBENCH_DATADIR, else
 * <bindir>/plots, else <bindir>/../share/primbench, where <bindir> is the
 * folder of /proc/self/exe (symbolic links resolved).  csvq: $CSVQ, else
 * <bindir>/build/csvq, else <bindir>/../libexec/primbench/csvq.  The
 * folders are found from the binary, not compiled in, for the same reason
 * as primbench-helper's (bench/proc_create.c): a binary staged under
 * DESTDIR, unpacked under /opt or run from its build tree then uses the
 * files installed with it, never those of another installation at the
 * configured prefix; and `make install PREFIX=...` after a plain `make`
 * installs a binary that needs no rebuilding.
 */
#include "scripts.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* One of the two commands. */
struct scripts_def {
	const char *name;        /* "plot" or "report" */
	const char *script;      /* the script it runs, in the data folder */
	bool takes_out;          /* accepts --out FILE and --link-prefix PREFIX */
	const char *usage;       /* its --help, before the found paths */
};

static const struct scripts_def scripts_defs[] = {
	{
		.name = "plot",
		.script = "render.sh",
		.takes_out = false,
		.usage =
		"usage: primbench plot RUN\n"
		"\n"
		"Draw the figures of the results folder RUN into RUN/plots/, each as PNG and\n"
		"SVG, with gnuplot (GNU parallel runs one job per CPU).  A family without rows\n"
		"in RUN gets no figure; every compare CSV in RUN (compare.csv,\n"
		"compare-vs-*.csv) gets one.  Figures of an earlier plot are replaced.\n"
		"\n"
		"options:\n"
		"  --help               this text\n"
		"\n"
		"environment: PRIMBENCH_DATADIR (the scripts' folder), CSVQ (the CSV reader),\n"
		"GNUPLOT (default gnuplot).\n"
		"exit status: 0 drawn (possibly nothing), 1 a figure failed to render, 2 bad\n"
		"usage or input (one line on stderr, nothing written).\n",
	},
	{
		.name = "report",
		.script = "report.sh",
		.takes_out = true,
		.usage =
		"usage: primbench report RUN [--out FILE] [--link-prefix PREFIX]\n"
		"       primbench report RUN1 RUN2 [RUN...] [--out DIR]\n"
		"\n"
		"Write the Markdown report of the results folder RUN: host fingerprint, method,\n"
		"a section per family with its figures (those primbench plot RUN drew) and its\n"
		"headline numbers, the comparisons in RUN, and caveats.  Every number is\n"
		"copied from the CSVs.\n"
		"\n"
		"With several runs (kernels, hosts or configurations), the matrix report\n"
		"(plots/matrix.sh) into the new folder DIR: the runs, what compare called\n"
		"changed in each against RUN1, and per family a figure of every headline key\n"
		"in every run relative to RUN1 with a table of the numbers.  No run is changed.\n"
		"\n"
		"options:\n"
		"  --out FILE, -o FILE  where to write (default RUN/REPORT.md; - for stdout);\n"
		"                       with several runs a folder that does not exist yet\n"
		"                       (default ./matrix-<UTC time>)\n"
		"  --link-prefix PREFIX put PREFIX before every image link, which is otherwise\n"
		"                       relative to RUN (plots/<figure>.png)\n"
		"  --help               this text\n"
		"\n"
		"environment: PRIMBENCH_DATADIR (the scripts' folder), CSVQ (the CSV reader).\n"
		"exit status: 0 written, 2 bad usage or input (one line on stderr, nothing\n"
		"written).\n",
	},
};

/* The folder of the running binary, into buf.  0 or -errno. */
static int scripts_bindir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n < 0)
		return -errno;
	if ((size_t)n >= len - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	return 0;
}

/* "dir/name" into buf; true when it fits and access(mode) allows it. */
static bool scripts_have(char *buf, size_t len, const char *dir, const char *name, int mode)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n > 0 && (size_t)n < len && access(buf, mode) == 0;
}

/* A data folder holds both scripts. */
static bool scripts_is_datadir(const char *dir)
{
	char path[PATH_MAX];

	return scripts_have(path, sizeof(path), dir, "render.sh", R_OK) &&
	       scripts_have(path, sizeof(path), dir, "report.sh", R_OK);
}

/* An executable regular file. */
static bool scripts_is_program(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * The first candidate <bindir>/rel[i] that passes ok, into buf with its
 * "..", "." and symbolic links resolved (as given when that fails).  0 found,
 * -ENOENT none, -errno when the binary's folder cannot be read.
 */
static int scripts_search(char *buf, size_t len, const char *const *rel, size_t nrel,
			  bool (*ok)(const char *))
{
	char bindir[PATH_MAX];
	int rc = scripts_bindir(bindir, sizeof(bindir));

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < nrel; i++) {
		char real[PATH_MAX];

		if (!scripts_have(buf, len, bindir, rel[i], F_OK) || !ok(buf))
			continue;
		/* "bin/../share/primbench" as the folder it is, for --help
		 * and for the scripts' own messages. */
		if (realpath(buf, real) && strlen(real) < len)
			memcpy(buf, real, strlen(real) + 1);
		return 0;
	}
	return -ENOENT;
}

int scripts_datadir(char *buf, size_t len)
{
	static const char *const rel[] = { "plots", "../share/primbench" };
	const char *env = getenv(SCRIPTS_ENV_DATADIR);

	if (env && *env) {
		if ((size_t)snprintf(buf, len, "%s", env) >= len)
			return -ENAMETOOLONG;
		return scripts_is_datadir(buf) ? 0 : -ENOENT;
	}
	return scripts_search(buf, len, rel, sizeof(rel) / sizeof(rel[0]), scripts_is_datadir);
}

int scripts_csvq(char *buf, size_t len)
{
	static const char *const rel[] = { "build/csvq", "../libexec/primbench/csvq" };
	const char *env = getenv("CSVQ");

	if (env && *env) {
		if ((size_t)snprintf(buf, len, "%s", env) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	return scripts_search(buf, len, rel, sizeof(rel) / sizeof(rel[0]), scripts_is_program);
}

/* --help: the usage, then which scripts and csvq this binary would use. */
static int scripts_help(const struct scripts_def *d)
{
	char path[PATH_MAX];

	fputs(d->usage, stdout);
	printf("\nscripts: %s\n", scripts_datadir(path, sizeof(path)) == 0 ? path : "(not found)");
	printf("csvq:    %s\n", scripts_csvq(path, sizeof(path)) == 0 ? path :
	       "(not found: the scripts build a private copy from a source tree)");
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "primbench: %s --help: writing to stdout failed: %s\n",
			d->name, strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

/* RUN must be a results folder: summary.csv and meta.csv, regular files. */
static int scripts_check_run(const struct scripts_def *d, const char *run)
{
	static const char *const need[] = { "summary.csv", "meta.csv" };
	char path[PATH_MAX];
	struct stat st;

	if (!*run)
		return cli_usage_error("%s: empty run folder name%s", d->name, "");
	if (stat(run, &st) < 0)
		return cli_usage_error("%s '%s': %s", d->name, run, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_usage_error("%s '%s': not a folder (expected a results folder, "
				       "results/<host>_<kernel>_<UTC>)", d->name, run);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", run, need[i]) >= (int)sizeof(path))
			return cli_usage_error("%s '%.64s...': path too long%s", d->name, run, "");
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			return cli_usage_error("%s '%s': not a results folder (no %s)",
					       d->name, run, need[i]);
	}
	return 0;
}

/* --out FILE: "-" (stdout), or a file that is not a folder, in a folder
 * that exists and is writable (report.sh writes FILE.tmp.PID there and
 * renames it). */
static int scripts_check_out(const char *out)
{
	char parent[PATH_MAX];
	struct stat st;
	char *dir;

	if (strcmp(out, "-") == 0)
		return 0;
	if (!*out)
		return cli_usage_error("report --out '': empty path%s", "");
	if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
		return cli_usage_error("report --out '%s': is a folder (expected a file, or -)", out);
	if ((size_t)snprintf(parent, sizeof(parent), "%s", out) >= sizeof(parent))
		return cli_usage_error("report --out '%.64s...': path too long%s", out, "");
	dir = dirname(parent);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cli_usage_error("report --out '%s': its folder does not exist%s", out, "");
	if (access(dir, W_OK | X_OK) < 0)
		return cli_usage_error("report --out '%s': cannot write in its folder (%s)",
				       out, strerror(errno));
	return 0;
}

/* Match "--name VALUE", "--name=VALUE" or (short != NULL) "-o VALUE" at
 * argv[*i]: 1 matched (*val set, *i past the value), 0 not this option,
 * EXIT_USAGE (after one line) when its value is missing. */
static int scripts_opt(const struct scripts_def *d, int argc, char **argv, int *i,
		       const char *name, const char *shrt, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) == 0 && a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (strcmp(a, name) != 0 && !(shrt && strcmp(a, shrt) == 0))
		return 0;
	if (*i + 1 >= argc)
		return cli_usage_error("%s %s: missing value%s", d->name, a, "");
	*val = argv[++*i];
	return 1;
}

int scripts_cmd(int argc, char **argv)
{
	const struct scripts_def *d = NULL;
	const char *run = NULL, *out = NULL, *prefix = NULL;
	char datadir[PATH_MAX], script[PATH_MAX], csvq[PATH_MAX], self[PATH_MAX];
	const char *runs[SCRIPTS_MAX_RUNS];
	const char *sargv[SCRIPTS_MAX_RUNS + 8];
	int nruns = 0;
	bool opts_done = false;
	int nargs = 0, rc;

	for (size_t i = 0; i < sizeof(scripts_defs) / sizeof(scripts_defs[0]); i++)
		if (strcmp(argv[0], scripts_defs[i].name) == 0)
			d = &scripts_defs[i];
	if (!d)
		return cli_usage_error("unknown command '%s'%s", argv[0], "");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!opts_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0))
			return scripts_help(d);
		if (!opts_done && strcmp(a, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (!opts_done && d->takes_out) {
			rc = scripts_opt(d, argc, argv, &i, "--out", "-o", &out);
			if (rc == 0)
				rc = scripts_opt(d, argc, argv, &i, "--link-prefix", NULL, &prefix);
			if (rc == EXIT_USAGE)
				return rc;
			if (rc == 1)
				continue;
		}
		if (!opts_done && a[0] == '-' && a[1])
			return cli_usage_error("unknown option '%s' for '%s' (see primbench %s --help)",
					       a, d->name, d->name);
		if (run && !d->takes_out)
			return cli_usage_error("%s: unexpected argument '%s': one results folder, "
					       "RUN, is accepted", d->name, a);
		if (nruns == SCRIPTS_MAX_RUNS)
			return cli_usage_error("%s: more than %d results folders", d->name,
					       SCRIPTS_MAX_RUNS);
		rc = scripts_check_run(d, a);
		if (rc)
			return rc;
		runs[nruns++] = run = a;
	}
	if (!run)
		return cli_usage_error("%s: missing RUN, the results folder (see primbench %s --help)",
				       d->name, d->name);
	if (nruns > 1 && prefix)
		return cli_usage_error("%s --link-prefix: for one run only (the matrix report "
				       "of %d runs links its own figures)", d->name, nruns);
	if (nruns == 1 && out) {
		rc = scripts_check_out(out);
		if (rc)
			return rc;
	}
	rc = scripts_datadir(datadir, sizeof(datadir));
	if (rc < 0) {
		const char *env = getenv(SCRIPTS_ENV_DATADIR);

		if (env && *env)
			return cli_usage_error("%s: %s='%s' holds no render.sh and report.sh",
					       d->name, SCRIPTS_ENV_DATADIR, env);
		return cli_usage_error("%s: the plot scripts are not next to this binary (plots/ "
				       "or ../share/primbench: %s); set %s", d->name, strerror(-rc),
				       SCRIPTS_ENV_DATADIR);
	}
	if (snprintf(script, sizeof(script), "%s/%s", datadir,
		     nruns > 1 ? "matrix.sh" : d->script) >= (int)sizeof(script))
		return cli_usage_error("%s: the scripts' folder '%.64s...' is too long%s", d->name,
				       datadir, "");
	/* Without one, the scripts build a private csvq (a source tree) or
	 * say in one line that they cannot. */
	if (scripts_csvq(csvq, sizeof(csvq)) == 0 && setenv("CSVQ", csvq, 1) < 0) {
		fprintf(stderr, "primbench: %s: cannot set CSVQ: %s\n", d->name, strerror(errno));
		return 1;
	}
	sargv[nargs++] = "sh";
	sargv[nargs++] = script;
	if (nruns > 1) {
		/* matrix.sh runs compare with this very binary. */
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n >= 0 && (size_t)n < sizeof(self) - 1)
			self[n] = '\0';
		if (n < 0 || (size_t)n >= sizeof(self) - 1 || setenv("PRIMBENCH", self, 1) < 0) {
			fprintf(stderr, "primbench: %s: cannot name this binary for compare: %s\n",
				d->name, strerror(n >= 0 && (size_t)n >= sizeof(self) - 1 ? ENAMETOOLONG : errno));
			return 1;
		}
	}
	for (int i = 0; i < nruns; i++)
		sargv[nargs++] = runs[i];
	if (out) {
		sargv[nargs++] = "-o";
		sargv[nargs++] = out;
	}
	if (prefix) {
		sargv[nargs++] = "--link-prefix";
		sargv[nargs++] = prefix;
	}
	sargv[nargs] = NULL;
	fflush(NULL);
	execv("/bin/sh", (char *const *)sargv);
	fprintf(stderr, "primbench: %s: cannot run /bin/sh %s: %s\n", d->name, script, strerror(errno));
	return 1;
}
