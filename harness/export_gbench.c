/*
 * export_gbench.c - the plan of an export written as google/benchmark's
 * JSON output (export.c's header says what maps to what): a "context"
 * object with the host facts and every meta.csv key, then one "iteration"
 * entry per timed sample and summary.csv's statistics as "aggregate"
 * entries, configuration by configuration.
 */
#include "export.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "export_plan.h"

/* gbench's counters for the throughput metrics (ET_ order). */
static const char *const export_thr_counter[ET_N] = { "bytes_per_second", "items_per_second" };

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
static size_t export_utf8_len(const unsigned char *s)
{
	unsigned cp;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void export_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f), p++;
		} else if (*p == '\t') {
			fputs("\\t", f), p++;
		} else if (*p == '\r') {
			fputs("\\r", f), p++;
		} else if (*p < 0x20) {
			fprintf(f, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, f);
		} else if ((n = export_utf8_len(p)) != 0) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fputs("\\ufffd", f), p++;
		}
	}
	fputc('"', f);
}

/* "  key": "value" or "key": number, each after a comma but the first. */
static void export_json_kv(FILE *f, int *first, const char *indent, const char *key,
			   const char *value)
{
	fprintf(f, "%s\n%s", *first ? "" : ",", indent);
	*first = 0;
	export_json_string(f, key);
	fputs(": ", f);
	export_json_string(f, value);
}

static void export_json_key(FILE *f, int *first, const char *indent, const char *key)
{
	fprintf(f, "%s\n%s", *first ? "" : ",", indent);
	*first = 0;
	export_json_string(f, key);
	fputs(": ", f);
}

/* gbench's "date": meta's started_utc with its zone as an offset
 * ("2026-12-01T15:53:21+00:00"); the compact form of schema-1 runs too. */
static void export_date(const char *utc, char *buf, size_t len)
{
	unsigned y, mo, d, h, mi, s;
	char z;

	if (sscanf(utc, "%4u-%2u-%2uT%2u:%2u:%2u%c", &y, &mo, &d, &h, &mi, &s, &z) == 7 ||
	    sscanf(utc, "%4u%2u%2uT%2u%2u%2u%c", &y, &mo, &d, &h, &mi, &s, &z) == 7) {
		if (z == 'Z') {
			snprintf(buf, len, "%04u-%02u-%02uT%02u:%02u:%02u+00:00", y, mo, d, h, mi, s);
			return;
		}
	}
	snprintf(buf, len, "%s", utc);
}

/*
 * gbench's "caches", from what meta's topology says of the last-level
 * cache ("..., 2 cores, 2 PUs, L3 32 MiB x1 (2 cores each)"); the other
 * levels are not in meta.  num_sharing counts logical CPUs, as gbench's
 * does.  An empty array when the summary does not read that way.
 */
static void export_caches(FILE *f, const char *topology)
{
	unsigned level = 0;
	unsigned long long size = 0;
	int count = 0, each = 0, cores = 0, pus = 0;
	char unit[4] = "";
	const char *p = topology;

	while (p && *p) {
		char word[8];
		int v;

		while (*p == ' ' || *p == ',')
			p++;
		if (sscanf(p, "L%u %llu %3s x%d (%d core", &level, &size, unit, &count, &each) == 5)
			break;
		if (sscanf(p, "%d %5s", &v, word) == 2 && strncmp(word, "core", 4) == 0)
			cores = v;
		else if (sscanf(p, "%d %5s", &v, word) == 2 && strncmp(word, "PU", 2) == 0)
			pus = v;
		p = strchr(p, ',');
	}
	fputs("[", f);
	if (p && *p && size && each > 0) {
		size <<= strcmp(unit, "MiB") == 0 ? 20 : strcmp(unit, "KiB") == 0 ? 10 : 0;
		if (cores > 0 && pus % cores == 0)
			each *= pus / cores;
		fprintf(f, "\n      {\n        \"type\": \"%s\",\n        \"level\": %u,\n"
			"        \"size\": %llu,\n        \"num_sharing\": %d\n      }\n    ",
			level > 1 ? "Unified" : "Data", level, size, each);
	}
	fputs("]", f);
}

/* Whether a meta key is one of the context keys written above it. */
static int export_gbench_reserved(const char *key)
{
	static const char *const keys[] = {
		"date", "host_name", "executable", "num_cpus", "mhz_per_cpu",
		"cpu_scaling_enabled", "caches", "library_version", "library_build_type",
		"json_schema_version", "primbench_export", "primbench_samples",
		"primbench_cpu_time", "primbench_left_out",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

static void export_gbench_context(FILE *f, const struct export_run *r,
				  const struct export_plan *p)
{
	const char *in = "    ", *v;
	char buf[128];
	double num;
	int first = 1;

	fputs("{\n  \"context\": {", f);
	if ((v = export_meta_get(r, "started_utc")) && v[0]) {
		export_date(v, buf, sizeof(buf));
		export_json_kv(f, &first, in, "date", buf);
	}
	if ((v = export_meta_get(r, "host")))
		export_json_kv(f, &first, in, "host_name", v);
	export_json_kv(f, &first, in, "executable", "primbench");
	if ((v = export_meta_get(r, "cpu_count")) && csv_parse_double(v, &num, 0) == 0 && num >= 1) {
		export_json_key(f, &first, in, "num_cpus");
		fprintf(f, "%.0f", floor(num));
	}
	/* gbench's mhz_per_cpu is the cycle counter's rate; the TSC's is ours. */
	if ((v = export_meta_get(r, "tsc_hz")) && csv_parse_double(v, &num, 0) == 0 && num > 0) {
		export_json_key(f, &first, in, "mhz_per_cpu");
		fprintf(f, "%.0f", round(num / 1e6));
	}
	/* gbench says scaling is enabled unless the governor is performance. */
	v = export_meta_get(r, "cpufreq_governor");
	if (v && v[0] && strcmp(v, "unknown") != 0) {
		export_json_key(f, &first, in, "cpu_scaling_enabled");
		fputs(strcmp(v, "performance") == 0 ? "false" : "true", f);
	}
	export_json_key(f, &first, in, "caches");
	export_caches(f, export_meta_get(r, "topology"));
	snprintf(buf, sizeof(buf), "primbench %s (%s)",
		 export_meta_get(r, "primbench_version") ? export_meta_get(r, "primbench_version") : "?",
		 export_meta_get(r, "git_sha") ? export_meta_get(r, "git_sha") : "?");
	export_json_kv(f, &first, in, "library_version", buf);
	/* gbench's is NDEBUG's; primbench's is whether it was optimised. */
	v = export_meta_get(r, "cflags");
	export_json_kv(f, &first, in, "library_build_type",
		       v && strstr(v, "-O") && !strstr(v, "-O0") ? "release" : "debug");
	export_json_key(f, &first, in, "json_schema_version");
	fputs("1", f);
	snprintf(buf, sizeof(buf), "primbench %s (%s) export --format gbench-json",
		 PRIMBENCH_VERSION, PRIMBENCH_GIT_SHA);
	export_json_kv(f, &first, in, "primbench_export", buf);
	export_json_kv(f, &first, in, "primbench_samples",
		       "each iteration entry is one timed sample (iterations: the operations "
		       "it timed; real_time: their mean, ns_per_op; label: its round); "
		       "repetitions counts the samples of all rounds; the aggregates are "
		       "summary.csv's over all samples. primbench compare judges a change on "
		       "round medians; compare.py's U test takes every sample as independent");
	export_json_kv(f, &first, in, "primbench_cpu_time",
		       "cpu_time repeats real_time: primbench times wall clock only (its task "
		       "clock is counted in a separate pass, with other samples)");
	export_json_kv(f, &first, in, "primbench_left_out", p->left_joined);
	/* The whole fingerprint, each key once (the first row of a repeat). */
	for (size_t i = 0; i < r->meta.nrows; i++) {
		const char *key = r->meta.rows[i][r->meta_key];

		if (export_meta_get(r, key) != r->meta.rows[i][r->meta_value])
			continue;
		if (export_gbench_reserved(key)) {
			snprintf(buf, sizeof(buf), "meta.%.100s", key);
			key = buf;
		}
		export_json_kv(f, &first, in, key, r->meta.rows[i][r->meta_value]);
	}
	fputs("\n  },\n  \"benchmarks\": [", f);
}

/* The fields every entry of a configuration starts with.  The name needs
 * no JSON escaping: export_name() percent-encodes every byte but
 * [A-Za-z0-9_.+-] and its separators. */
static void export_gbench_head(FILE *f, const struct export_cfg *c, const char *suffix,
			       const char *run_type)
{
	fputs("\n    {\n      \"name\": ", f);
	fprintf(f, "\"%s%s\",\n", c->name, suffix);
	fprintf(f, "      \"family_index\": %u,\n      \"per_family_instance_index\": %u,\n",
		c->family, c->instance);
	fprintf(f, "      \"run_name\": \"%s\",\n      \"run_type\": \"%s\",\n", c->name, run_type);
	fprintf(f, "      \"repetitions\": %zu,\n", c->n);
}

static void export_gbench_cfg(FILE *f, const struct export_run *r, const struct export_cfg *c,
			      int *first)
{
	char *const *sum = r->sum.rows[c->row];
	unsigned long long n = 0;
	double v;

	for (size_t i = 0; i < c->n; i++) {
		char *const *row = r->smp.rows[c->smp[i].row];

		v = export_value(r, &c->smp[i]);
		fputs(*first ? "" : ",", f);
		*first = 0;
		export_gbench_head(f, c, "", "iteration");
		fprintf(f, "      \"repetition_index\": %zu,\n      \"threads\": 1,\n", i);
		fprintf(f, "      \"iterations\": %s,\n      \"real_time\": ", row[r->smp_iters]);
		export_num(f, v);
		fputs(",\n      \"cpu_time\": ", f);
		export_num(f, v);
		fputs(",\n      \"time_unit\": \"ns\"", f);
		for (int t = 0; t < ET_N; t++) {
			if (!export_thr_value(r, c, t, i, &v))
				continue;
			fprintf(f, ",\n      \"%s\": ", export_thr_counter[t]);
			export_num(f, v);
		}
		fprintf(f, ",\n      \"label\": \"round %llu sample %llu\"\n    }",
			c->smp[i].round, c->smp[i].sample);
	}
	/* gbench's aggregate iterations: how many repetitions it was taken over. */
	if (export_parse_count(sum[r->sum_n], &n) < 0)
		n = c->n;
	for (size_t a = 0; a < EXPORT_NAGG; a++) {
		char suffix[16];
		double thr;

		v = export_sum_num(r, (long)c->row, r->sum_agg[a]);
		if (!isfinite(v))
			continue;
		snprintf(suffix, sizeof(suffix), "_%s", export_aggs[a].name);
		fputs(",", f);
		export_gbench_head(f, c, suffix, "aggregate");
		fprintf(f, "      \"threads\": 1,\n      \"aggregate_name\": \"%s\",\n"
			"      \"aggregate_unit\": \"%s\",\n      \"iterations\": %llu,\n"
			"      \"real_time\": ", export_aggs[a].name,
			export_aggs[a].div == 1 ? "time" : "percentage", n);
		export_num(f, v / export_aggs[a].div);
		fputs(",\n      \"cpu_time\": ", f);
		export_num(f, v / export_aggs[a].div);
		fputs(",\n      \"time_unit\": \"ns\"", f);
		for (int t = 0; t < ET_N; t++) {
			thr = export_sum_num(r, c->thr_row[t], r->sum_agg[a]);
			if (!isfinite(thr))
				continue;
			fprintf(f, ",\n      \"%s\": ", export_thr_counter[t]);
			export_num(f, thr / export_aggs[a].div);
		}
		fputs("\n    }", f);
	}
}

void export_gbench(FILE *f, const struct export_run *r, const struct export_plan *p)
{
	int first = 1;

	export_gbench_context(f, r, p);
	for (size_t i = 0; i < p->ncfg; i++)
		export_gbench_cfg(f, r, &p->cfg[i], &first);
	fputs("\n  ]\n}\n", f);
}
