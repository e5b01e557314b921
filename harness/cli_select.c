/*
 * cli_select.c - what --filter and --x select, checked before anything
 * runs: the --filter regular expression's sanity check (a pattern whose
 * matching could explode is refused), the exact form --filter =NAME,...
 * (families and bench/variant names, anchored), and --x SWEEP=V,... with
 * byte sizes (B, KiB, MiB, GiB) for byte sweeps.  cli.c calls these from
 * its option parser; each refusal is one line and EXIT_USAGE.
 */
#include "cli_select.h"


#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"


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
int cli_filter_check(const char *re)
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
int cli_filter_exact(const char *list, char *re, size_t len)
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
int cli_parse_x(struct cli *c, const char *arg)
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
