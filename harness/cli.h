/*
 * cli.h - parsing and validating the options of run, list and info.
 */
#ifndef PRIMBENCH_CLI_H
#define PRIMBENCH_CLI_H

#include <limits.h>
#include <regex.h>
#include <stdbool.h>

#include "runner.h"

/* Exit status of a usage or input error. */
#define EXIT_USAGE 2
/* Rounds of a run unless --rounds says otherwise. */
#define CLI_DEFAULT_ROUNDS 5

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
	const char *out;         /* --out (out_buf, or the argument when too long to copy) */
	char out_buf[PATH_MAX];  /* --out without its trailing slashes */
	const char *topology;    /* --topology */
	bool print_dir;          /* --print-dir */
	bool dry_run;            /* --dry-run: print the plan only */
	bool reps_set, budget_set; /* given explicitly (not --quick defaults) */
	bool seed_set;           /* --seed was given */
	bool help;               /* --help was given */
};

/* The text of --help. */
extern const char cli_usage_text[];
/* Print "primbench: <message>" on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parse argv (argv[0] is the command) into c: 0, or EXIT_USAGE after one
 * line on stderr.  On success with --filter, c->re must be regfree()d. */
int cli_parse(const char *cmd, int argc, char **argv, struct cli *c);
/* --out must be a directory that exists and is writable, or that can be
 * created in an existing writable parent.  0 or EXIT_USAGE. */
int cli_check_out_dir(const char *dir);

#endif
