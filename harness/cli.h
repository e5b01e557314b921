/*
 * cli.h - parsing and validating the options of run, list and info.
 */
#ifndef PRIMBENCH_CLI_H
#define PRIMBENCH_CLI_H

#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <stdbool.h>

#include "runner.h"

/* Exit status of a usage or input error. */
#define EXIT_USAGE 2
/* Rounds of a run unless --rounds says otherwise. */
#define CLI_DEFAULT_ROUNDS 5
/* --budget-ms by default and under --quick: the full suite in about 5
 * minutes and --quick in about a minute on a 2-CPU host (README). */
#define CLI_DEFAULT_BUDGET_MS 300
#define CLI_QUICK_BUDGET_MS 90

/* Bytes a run writes under --out beyond its path: "/." + the run id (at
 * most the 320 bytes of struct output's run_id) + ".partial" +
 * "/samples.csv.tmp", rounded up.  An --out this close to PATH_MAX is
 * refused before anything is created. */
#define CLI_OUT_RESERVE 352
/* What a --filter pattern may cost (see cli_filter_check in cli.c). */
#define CLI_FILTER_MAX_BYTES 1024
#define CLI_FILTER_MAX_DEPTH 32
#define CLI_FILTER_MAX_COST 2048

/* Everything the command line asked for. */
struct cli {
	struct runner_opts run;  /* run options */
	regex_t re;              /* compiled --filter */
	bool have_re;            /* re is compiled */
	const char *filter;      /* its source */
	char xs[512];            /* the --x values as given, space-separated (meta run_args) */
	const char *out;         /* --out (out_buf, or the argument when too long to copy) */
	char out_buf[PATH_MAX];  /* --out without its trailing slashes */
	const char *topology;    /* --topology */
	bool print_dir;          /* --print-dir */
	bool dry_run;            /* --dry-run: print the plan only */
	bool reps_set, budget_set; /* given explicitly (not --quick defaults) */
	bool seed_set;           /* --seed was given */
	bool help;               /* --help was given */
};

/* One option or argument of a command line, as cli_getopt hands it over. */
struct cli_arg {
	int opt;                 /* the option's val in the table; CLI_ARG, CLI_SEP or CLI_UNKNOWN */
	const char *value;       /* the option's value, the argument; NULL if none or missing */
	bool missing;            /* the option takes a value and the command line ended first */
	const char *text;        /* the command-line word it came from, as typed */
};
/* cli_arg.opt of what is not an option of the table. */
#define CLI_ARG (-2)         /* an argument (value holds it) */
#define CLI_SEP (-3)         /* the "--" that ends the options */
#define CLI_UNKNOWN (-4)     /* an option the table does not have, or given a value it takes none */

/* How a command's options are read (getopt_long underneath). */
struct cli_getopt_spec {
	const struct option *opts; /* long options, ending in a zero entry */
	const char *shorts;      /* short options, as getopt's optstring without its prefix */
	/* false: the first argument ends the options (it and every word after
	 * it come back as CLI_ARG); true: arguments come back in their place
	 * among the options, until "--". */
	bool args_among_opts;
	/* Every option spelled whole: no abbreviated long option ("--thresh"
	 * for "--threshold"), no cluster of short ones ("-hx"); such a word is
	 * CLI_UNKNOWN. */
	bool exact;
};
/* Called once per option or argument, in command-line order; 0 goes on,
 * anything else stops cli_getopt, which returns it. */
typedef int (*cli_arg_fn)(void *ctx, const struct cli_arg *a);
/* Read argv[1..argc) (argv[0] is the command) by spec, handing each
 * option and argument to fn; after "--", CLI_SEP and then every word as
 * CLI_ARG.  0, or what fn returned to stop. */
int cli_getopt(const struct cli_getopt_spec *spec, int argc, char **argv, cli_arg_fn fn,
	       void *ctx);

/* The text of --help. */
extern const char cli_usage_text[];
/* Print "primbench: <message>" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A path or pattern as a message shows it, into buf: whole, or its first
 * 40 bytes (a message stays one readable line however long the value). */
void cli_shown(const char *v, char *buf, size_t len);
/* Parse argv (argv[0] is the command) into c: 0, or EXIT_USAGE after one
 * line on stderr.  On success with --filter, c->re must be regfree()d. */
int cli_parse(const char *cmd, int argc, char **argv, struct cli *c);
/* --out must be a directory that exists and is writable, or that can be
 * created in an existing writable parent.  0 or EXIT_USAGE. */
int cli_check_out_dir(const char *dir);
/* --out names a file to write (export): not a folder, and either a FIFO or
 * device that is writable, or a path in an existing writable folder.
 * 0 or EXIT_USAGE. */
int cli_check_out_file(const char *path);

#endif
