/*
 * export_benchstat.c - the plan of an export written in the Go benchmark
 * data format (golang.org/design/14313), which benchstat reads: comment
 * lines (what the export is, what it leaves out), "key: value"
 * configuration lines, then one "BenchmarkName N value ns/op [value B/s]
 * [value msgs/s]" line per timed sample.
 */
#include "export.h"

#include <stdio.h>
#include <string.h>

#include "export_plan.h"

/* The Go format's units for the throughput metrics (ET_ order). */
static const char *const export_thr_unit[ET_N] = { "B/s", "msgs/s" };

const char *export_goarch(const char *machine)
{
	static const char *const map[][2] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "arm64", "arm64" },
		{ "i386", "386" },     { "i486", "386" },      { "i586", "386" },
		{ "i686", "386" },     { "armv6l", "arm" },    { "armv7l", "arm" },
		{ "ppc64", "ppc64" },  { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
		{ "riscv64", "riscv64" }, { "loongarch64", "loong64" }, { "mips64", "mips64" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(machine, map[i][0]) == 0)
			return map[i][1];
	return machine;
}

/* s with each line break written as a space: in the text format a line
 * break would end the line and start one a reader takes for data. */
static void export_go_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
}

/* "key: value" ("key:" when there is no value). */
static void export_go_config(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s:", key);
	if (value && value[0]) {
		fputc(' ', f);
		export_go_text(f, value);
	}
	fputc('\n', f);
}

void export_benchstat(FILE *f, const struct export_run *r, const struct export_plan *p)
{
	/* Configuration keys and the meta key each comes from. */
	static const char *const keys[][2] = {
		{ "cpu", "cpu_model" },           { "host", "host" },
		{ "kernel", "kernel_release" },   { "kernel-version", "kernel_version" },
		{ "run-id", "run_id" },           { "primbench-version", "primbench_version" },
		{ "git-sha", "git_sha" },         { "cpu-count", "cpu_count" },
		{ "topology", "topology" },       { "tsc-hz", "tsc_hz" },
		{ "clock-source", "clock_source" }, { "accel", "accel" },
		{ "counters-mode", "counters_mode" }, { "rounds", "rounds" },
		{ "seed", "seed" },               { "ci-method", "ci_method" },
		{ "started-utc", "started_utc" }, { "complete", "complete" },
	};
	const char *arch = export_meta_get(r, "arch");
	const char *lo = p->left_out;

	fprintf(f, "# primbench %s (%s) export --format benchstat of ", PRIMBENCH_VERSION,
		PRIMBENCH_GIT_SHA);
	export_go_text(f, r->dir);
	fputc('\n', f);
	fputs("# One result line per timed sample, in round order: N is the operations it "
	      "timed, ns/op their mean (ns_per_op); B/s and msgs/s are the same sample's "
	      "bytes_per_s and msgs_per_s.\n", f);
	fputs("# primbench compare judges a change on round medians; benchstat takes every "
	      "sample as independent.\n", f);
	/* One comment line per sentence (a sentence holds no line break). */
	while (*lo) {
		size_t n = strcspn(lo, "\n");

		fprintf(f, "# left out: %.*s\n", (int)n, lo);
		lo += n;
		lo += *lo == '\n';
	}
	export_go_config(f, "goos", "linux");
	export_go_config(f, "goarch", arch ? export_goarch(arch) : NULL);
	export_go_config(f, "pkg", "primbench");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (export_meta_get(r, keys[i][1]))
			export_go_config(f, keys[i][0], export_meta_get(r, keys[i][1]));
	fputc('\n', f);
	for (size_t c = 0; c < p->ncfg; c++) {
		const struct export_cfg *cfg = &p->cfg[c];

		for (size_t i = 0; i < cfg->n; i++) {
			double v = export_value(r, &cfg->smp[i]);

			fprintf(f, "%s %s ", cfg->name, r->smp.rows[cfg->smp[i].row][r->smp_iters]);
			export_num(f, v);
			fputs(" ns/op", f);
			for (int t = 0; t < ET_N; t++) {
				if (!export_thr_value(r, cfg, t, i, &v))
					continue;
				fputc(' ', f);
				export_num(f, v);
				fprintf(f, " %s", export_thr_unit[t]);
			}
			fputc('\n', f);
		}
	}
}
