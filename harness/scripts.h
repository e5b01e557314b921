/*
 * scripts.h - the commands plot and report, which run the gnuplot scripts
 * and the report generator shipped with primbench (plots/ in the source
 * tree, share/primbench when installed).
 */
#ifndef PRIMBENCH_SCRIPTS_H
#define PRIMBENCH_SCRIPTS_H

#include <stddef.h>

/* The environment variable that names the scripts' folder, overriding the
 * lookup next to the binary. */
#define SCRIPTS_ENV_DATADIR "PRIMBENCH_DATADIR"

/*
 * The folder that holds render.sh and report.sh: $PRIMBENCH_DATADIR when
 * set and not empty, else the first of <bindir>/plots (the source tree,
 * ./primbench at its root) and <bindir>/../share/primbench (installed
 * under any prefix, or staged under a DESTDIR), where <bindir> is the
 * folder of /proc/self/exe.  Writes it into buf (len bytes).  0 found;
 * -ENOENT none found (or $PRIMBENCH_DATADIR lacks the scripts); another
 * -errno when /proc/self/exe cannot be read or the path does not fit.
 */
int scripts_datadir(char *buf, size_t len);

/*
 * The csvq the scripts read CSVs with: $CSVQ when set and not empty, else
 * the first executable of <bindir>/build/csvq (the source tree) and
 * <bindir>/../libexec/primbench/csvq (installed, next to
 * primbench-helper).  0 found (in buf), -ENOENT none (the scripts then
 * build a private copy, which only a source tree can), another -errno as
 * for scripts_datadir.
 */
int scripts_csvq(char *buf, size_t len);

/*
 * `primbench plot RUN` and `primbench report RUN [--out FILE]
 * [--link-prefix PREFIX]`: argv[0] is "plot" or "report".  Checks every
 * argument (RUN must hold summary.csv and meta.csv), finds the scripts
 * and csvq, and replaces primbench by `sh render.sh RUN` or
 * `sh report.sh RUN ...` (several RUNs: `sh matrix.sh RUN... [-o DIR]`,
 * with PRIMBENCH naming this binary) with CSVQ set, whose exit status becomes
 * primbench's (0 done, 1 a figure failed to render, 2 bad input).
 * Returns only on --help (0, or 1 when stdout fails), on bad usage or
 * input (EXIT_USAGE after one line on stderr, nothing written), or when
 * /bin/sh cannot be run (1).
 */
/* Results folders one matrix report takes. */
#define SCRIPTS_MAX_RUNS 64

int scripts_cmd(int argc, char **argv);

#endif
