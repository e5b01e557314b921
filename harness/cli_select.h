/* cli_select.h - what --filter and --x select (cli_select.c). */
#ifndef PRIMBENCH_CLI_SELECT_H
#define PRIMBENCH_CLI_SELECT_H

#include <stddef.h>

#include "cli.h"

/* 0, or EXIT_USAGE after one line: a --filter pattern whose nesting or
 * repetition would make matching explode. */
int cli_filter_check(const char *re);
/* --filter =NAME,...: the anchored expression into re (len bytes); 0, or
 * EXIT_USAGE after one line for a name that is no family or bench/variant. */
int cli_filter_exact(const char *list, char *re, size_t len);
/* --x SWEEP=V,...: adds the points to c; 0, or EXIT_USAGE after one line. */
int cli_parse_x(struct cli *c, const char *arg);

#endif
