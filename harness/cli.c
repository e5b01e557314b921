/*
 * cli.c - command-line parsing and validation for run, list and info.
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
	"                       divided among the timed and counting samples of all\n"
	"                       rounds, a warm-up per pass and visit, and calibration)\n"
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

/* A path or pattern as a message shows it: whole, or its first 40 bytes
 * (a message stays one readable line however long the value). */
static void cli_shown(const char *v, char *buf, size_t len)
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

/* Skip the bracket expression that starts at re[i] == '[': the index just
 * after its closing ']', or the end of re when it is never closed (regcomp
 * then says so).  A ']' first in the list is a member; so are the
 * contents of [:class:], [=equiv=] and [.coll.]. */
static size_t cli_filter_bracket(const char *re, size_t i)
{
	i++;
	if (re[i] == '^')
		i++;
	if (re[i] == ']')
		i++;
	while (re[i] && re[i] != ']') {
		if (re[i] == '[' && (re[i + 1] == ':' || re[i + 1] == '=' || re[i + 1] == '.')) {
			char end = re[i + 1];

			for (i += 2; re[i] && !(re[i] == end && re[i + 1] == ']'); i++)
				;
			if (re[i])
				i += 2;
			continue;
		}
		i++;
	}
	return re[i] ? i + 1 : i;
}

/* An interval "{m}", "{m,}", "{m,n}" or "{,n}" at re[i] == '{': its
 * bounds (*upper ULONG_MAX when open), how many copies of the element
 * before it regcomp builds (glibc copies the element's tree once per count;
 * {m,} is m copies and a star), and the index after its '}'.  0 when it is
 * not a well-formed interval (regcomp decides what it is then). */
static size_t cli_filter_interval(const char *re, size_t i, unsigned long *copies,
				  unsigned long *lower, unsigned long *upper)
{
	unsigned long m = 0, n = 0;
	bool have_m = false, have_n = false, comma = false;

	for (i++; isdigit((unsigned char)re[i]); i++, have_m = true)
		if (m <= CLI_FILTER_MAX_COST)
			m = m * 10 + (unsigned long)(re[i] - '0');
	if (re[i] == ',') {
		comma = true;
		for (i++; isdigit((unsigned char)re[i]); i++, have_n = true)
			if (n <= CLI_FILTER_MAX_COST)
				n = n * 10 + (unsigned long)(re[i] - '0');
	}
	if (re[i] != '}' || (!have_m && !have_n))
		return 0;
	*lower = m;
	*upper = have_n ? n : comma ? ULONG_MAX : m;
	*copies = have_n ? n : comma ? m + 1 : m;
	if (*copies == 0)
		*copies = 1;
	return i + 1;
}

/* One open group of a --filter pattern while cli_filter_check() reads it. */
struct cli_re_group {
	unsigned long long cost;   /* nodes so far, repetitions expanded */
	bool any_null;             /* a finished alternative matches "" */
	bool prefix_null;          /* this alternative matches "" before its last element */
	bool branch_null;          /* ... and with it */
};

/*
 * Refuse a --filter that would crash or stall regcomp/regexec, before it
 * is compiled.  What was measured with glibc 2.36: regcomp recurses once
 * per nesting level (15 000 nested parentheses overflowed the stack:
 * SIGSEGV); it builds one copy of an element per count of a repetition,
 * so nested counts multiply (((a{255}){255}){255} took 13 s and 3.4 GB);
 * a star over something that already matches the empty string makes its
 * time exponential (((a*)*|(b*)*){20} 3.3 s, two more copies four times
 * that; ((.*)*){400} 0.15 s, cubic); and back-references are matched by
 * backtracking ("(.*)*" six times with \1..\6 ran past 60 s).  So a
 * pattern may have at most CLI_FILTER_MAX_BYTES, parentheses nested at
 * most CLI_FILTER_MAX_DEPTH deep, at most CLI_FILTER_MAX_COST nodes once
 * every repetition is expanded (an atom, a bracket, a star, an option, a
 * repetition and an alternative are one each, a group two more than what
 * it holds), no *, + or {m,n} (n > 1) over what can match the empty
 * string ("(.*)*", "(a|)+", "x**"), and no back-reference.  A filter is
 * matched against "bench/variant", a few dozen bytes: these bounds are far
 * above any useful filter, and the hardest patterns found within them
 * compile in under a millisecond.  The reading needs no exact grammar: what it misreads is
 * still compiled by regcomp, which rejects what is malformed.  0, or
 * EXIT_USAGE after one line on stderr.
 */
static int cli_filter_check(const char *re)
{
	struct cli_re_group g[CLI_FILTER_MAX_DEPTH + 1];
	unsigned long long last = 0, total;
	bool have_last = false, last_null = false;
	size_t depth = 0, i = 0, next;
	char shown[96];

	cli_shown(re, shown, sizeof(shown));
	if (strlen(re) > CLI_FILTER_MAX_BYTES)
		return cli_usage_error("--filter '%s': longer than the %d bytes accepted",
				       shown, CLI_FILTER_MAX_BYTES);
	g[0] = (struct cli_re_group){ .prefix_null = true, .branch_null = true };
	while (re[i]) {
		unsigned long copies = 0, lower = 0, upper = 0;
		bool repeat = false, element = false, elem_null = false;
		unsigned long long elem_cost = 1;
		char op = re[i];

		if (op == '(') {
			if (depth == CLI_FILTER_MAX_DEPTH)
				return cli_usage_error("--filter '%s': parentheses nested deeper than "
						       "the %d levels accepted", shown,
						       CLI_FILTER_MAX_DEPTH);
			g[++depth] = (struct cli_re_group){ .prefix_null = true, .branch_null = true };
			have_last = false;
			i++;
		} else if (op == ')' && depth > 0) {
			/* The group, its contents and its two subexpression
			 * nodes, is one element for what follows it. */
			elem_null = g[depth].any_null || g[depth].branch_null;
			elem_cost = g[depth].cost + 2;
			depth--;
			element = true;
			i++;
		} else if (op == '|') {
			g[depth].any_null |= g[depth].branch_null;
			g[depth].prefix_null = g[depth].branch_null = true;
			g[depth].cost += 1;
			have_last = false;
			i++;
		} else if (op == '[') {
			element = true;
			i = cli_filter_bracket(re, i);
		} else if (op == '\\' && re[i + 1] >= '1' && re[i + 1] <= '9') {
			return cli_usage_error("--filter '%s': back-reference \\%c not accepted "
					       "(matching one can take exponential time)",
					       shown, re[i + 1]);
		} else if (op == '\\') {
			/* Word and buffer boundaries match the empty string. */
			element = true;
			elem_null = re[i + 1] && strchr("bB<>`'", re[i + 1]) != NULL;
			i += re[i + 1] ? 2 : 1;
		} else if (op == '^' || op == '$') {
			element = true;
			elem_null = true;
			i++;
		} else if ((op == '*' || op == '?' || op == '+') && have_last) {
			repeat = true;
			copies = op == '+' ? 2 : 1;
			lower = op == '+' ? 1 : 0;
			upper = op == '?' ? 1 : ULONG_MAX;
			i++;
		} else if (op == '{' && have_last &&
			   (next = cli_filter_interval(re, i, &copies, &lower, &upper)) != 0) {
			repeat = true;
			i = next;
		} else {
			element = true;
			i++;
		}
		if (element) {
			/* A new last element of the current alternative. */
			g[depth].prefix_null = g[depth].branch_null;
			last = elem_cost;
			last_null = elem_null;
			have_last = true;
			g[depth].cost += last;
			g[depth].branch_null = g[depth].prefix_null && last_null;
		}
		if (repeat) {
			if (last_null && upper > 1)
				return cli_usage_error("--filter '%s': '%c' repeats what can match the "
						       "empty string, as in (.*)* (matching it can take "
						       "exponential time)", shown, op);
			/* The element, counted once, is copied copies - 1 more
			 * times under one repetition node; saturate, the sum
			 * is only compared. */
			if (last > CLI_FILTER_MAX_COST)
				last = CLI_FILTER_MAX_COST + 1;
			g[depth].cost += last * (copies - 1) + 1;
			last = last * copies + 1;
			last_null = last_null || lower == 0;
			g[depth].branch_null = g[depth].prefix_null && last_null;
		}
		total = 0;
		for (size_t d = 0; d <= depth; d++)
			total += g[d].cost;
		if (total > CLI_FILTER_MAX_COST)
			return cli_usage_error("--filter '%s': its repetitions expand it to more than the "
					       "%d nodes accepted (nested counts such as {n} multiply)",
					       shown, CLI_FILTER_MAX_COST);
	}
	return 0;
}

/* The variant or family a --filter =NAME names: 0 when NAME is
 * "bench/variant" or "bench" of the registry, else -ENOENT. */
static int cli_filter_name(const char *name, size_t len)
{
	for (size_t b = 0; registry_benches[b]; b++) {
		const struct bench_desc *d = registry_benches[b];
		size_t dl = strlen(d->name);

		if (len < dl || strncmp(name, d->name, dl) != 0)
			continue;
		if (len == dl)
			return 0;
		if (name[dl] != '/')
			continue;
		for (const struct bench_variant *v = d->variants; v->name; v++)
			if (strlen(v->name) == len - dl - 1 && strncmp(name + dl + 1, v->name, len - dl - 1) == 0)
				return 0;
	}
	return -ENOENT;
}

/*
 * --filter =NAME,...: the exact names, as the anchored expression
 * ^(NAME|bench/.*|...)$ (every character outside [A-Za-z0-9_/] escaped)
 * in re (len bytes).  0, or EXIT_USAGE after one line naming an unknown
 * or empty name.
 */
static int cli_filter_exact(const char *list, char *re, size_t len)
{
	size_t used = 0;
	char shown[96];

	cli_shown(list - 1, shown, sizeof(shown));
	if (strlen(list) >= CLI_FILTER_MAX_BYTES)
		return cli_usage_error("--filter '%s': longer than the %d bytes accepted",
				       shown, CLI_FILTER_MAX_BYTES);
	used += (size_t)snprintf(re, len, "^(");
	for (const char *p = list;; ) {
		size_t n = strcspn(p, ",");

		if (n == 0)
			return cli_usage_error("--filter '%s': an empty name (expected =NAME,... of "
					       "families or bench/variant names)", shown);
		if (cli_filter_name(p, n) < 0)
			return cli_usage_error("--filter '%s': no family or bench/variant named "
					       "'%.*s' (see primbench list)", shown, (int)n, p);
		if (used + 2 * n + 8 >= len)
			return cli_usage_error("--filter '%s': longer than the %d bytes accepted",
					       shown, CLI_FILTER_MAX_BYTES);
		if (p != list)
			re[used++] = '|';
		for (size_t i = 0; i < n; i++) {
			if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != '/')
				re[used++] = '\\';
			re[used++] = p[i];
		}
		/* A family: every variant of it. */
		if (!memchr(p, '/', n))
			used += (size_t)snprintf(re + used, len - used, "/.*");
		if (!p[n])
			break;
		p += n + 1;
	}
	snprintf(re + used, len - used, ")$");
	return 0;
}

/*
 * One point of --x for sweep: a whole or decimal number, with (for a
 * _bytes sweep) B, KiB, MiB or GiB after it.  0, or -EINVAL after one
 * line naming the option's word (arg) and what is accepted.
 */
static int cli_parse_point(const char *arg, const char *sweep, const char *s, size_t n,
			   double *out)
{
	static const struct { const char *name; double size; } unit[] = {
		{ "", 1 }, { "B", 1 }, { "KiB", 1024.0 }, { "MiB", 1048576.0 }, { "GiB", 1073741824.0 },
	};
	bool bytes = runner_sweep_is_bytes(sweep);
	char num[64];
	size_t digits = 0, i = 0;
	bool dot = false;

	for (; i < n && (isdigit((unsigned char)s[i]) || (s[i] == '.' && !dot)); i++) {
		dot |= s[i] == '.';
		digits += s[i] != '.';
	}
	if (digits == 0 || i >= sizeof(num))
		goto bad;
	memcpy(num, s, i);
	num[i] = 0;
	for (size_t u = 0; u < sizeof(unit) / sizeof(unit[0]); u++) {
		if (strlen(unit[u].name) != n - i || strncmp(s + i, unit[u].name, n - i) != 0)
			continue;
		if (u > 0 && !bytes)
			break;
		*out = strtod(num, NULL) * unit[u].size;
		if (!isfinite(*out))
			goto bad;
		return 0;
	}
	if (!bytes && i < n) {
		fprintf(stderr, "primbench: --x '%s': '%.*s': %s is a count, not bytes: plain "
			"numbers only\n", arg, (int)n, s, sweep);
		return -EINVAL;
	}
bad:
	fprintf(stderr, "primbench: --x '%s': '%.*s': expected %s\n", arg, (int)n, s,
		bytes ? "a number, with B, KiB, MiB or GiB after it (4MiB)" : "a number");
	return -EINVAL;
}

/*
 * --x SWEEP=V,...: the sweep must be one a variant of the registry sweeps
 * through a list of points (not os_noise's per-CPU one); a second --x
 * for the same sweep replaces the first.  0, or EXIT_USAGE after one
 * line on stderr.  Whether the points are the selected variants' is
 * checked once every option is read (runner_check_points).
 */
static int cli_parse_x(struct cli *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct runner_xsel xs = { .n = 0 };
	char sweeps[256] = "";
	bool known = false;
	size_t sl = eq ? (size_t)(eq - arg) : 0, i;

	if (!eq || sl == 0 || sl >= sizeof(xs.sweep))
		return cli_usage_error("--x '%s': expected SWEEP=VALUE,... (as in rss_bytes=4MiB,64MiB)",
				       arg);
	memcpy(xs.sweep, arg, sl);
	xs.sweep[sl] = 0;
	for (size_t b = 0; registry_benches[b]; b++)
		for (const struct bench_variant *v = registry_benches[b]->variants; v->name; v++) {
			char item[BENCH_NAME_MAX + 2];

			if (!v->xs || (v->flags & BENCH_V_PER_CPU))
				continue;
			known |= strcmp(v->sweep, xs.sweep) == 0;
			snprintf(item, sizeof(item), " %s,", v->sweep);
			if (!strstr(sweeps, item) && strlen(sweeps) + strlen(item) < sizeof(sweeps))
				strcat(sweeps, item);
		}
	if (!known) {
		sweeps[strlen(sweeps) - 1] = 0;
		return cli_usage_error("--x '%s': no variant sweeps '%s' (sweeps:%s)", arg, xs.sweep,
				       sweeps);
	}
	for (const char *p = eq + 1;; ) {
		size_t n = strcspn(p, ",");

		if (xs.n == RUNNER_MAX_XVALS)
			return cli_usage_error("--x '%s': more than the %d points accepted", arg,
					       RUNNER_MAX_XVALS);
		if (cli_parse_point(arg, xs.sweep, p, n, &xs.v[xs.n]) < 0)
			return EXIT_USAGE;
		xs.n++;
		if (!p[n])
			break;
		p += n + 1;
	}
	for (i = 0; i < c->run.nxsel && strcmp(c->run.xsel[i].sweep, xs.sweep) != 0; i++)
		;
	if (i == RUNNER_MAX_XSEL)
		return cli_usage_error("--x '%s': more than the %d sweeps accepted", arg,
				       RUNNER_MAX_XSEL);
	c->run.xsel[i] = xs;
	if (i == c->run.nxsel)
		c->run.nxsel++;
	return 0;
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
	c->run.budget_ms = 600;
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
			c->run.budget_ms = 120;
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

