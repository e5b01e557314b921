/*
 * test_compare.c - compare: the pure core on hand-made samples, and the
 * command on synthetic runs whose truth is known.
 *
 * Synthetic runs are generated here into a temporary folder: Gaussian
 * samples value = mu * (1 + noise * z), z from Box-Muller over the stats.h
 * PRNG with a fixed seed, so every run of the test sees the same numbers.
 * Reference values (exact Mann-Whitney p, Student t quantile, geomean CI)
 * were computed by hand with Python's math module; each assert says how.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "compare.h"
#include "csv.h"
#include "stats.h"

/* cmocka 1.1 has no double assert; this one prints both values. */
#define assert_close(a, b, tol)                                                 \
	do {                                                                    \
		double a_ = (a), b_ = (b);                                      \
		if (!(fabs(a_ - b_) <= (tol)))                                  \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);     \
	} while (0)

/* ------------------------------------------------------------------------
 * Pure core.
 */

/* An item with both sides present, borrowing the arrays. */
static struct compare_item item_of(const char *bench, const char *metric,
				   const double *base, size_t nb,
				   const double *cand, size_t nc)
{
	struct compare_item it;

	memset(&it, 0, sizeof(it));
	it.bench = bench;
	it.variant = "v";
	it.sweep = "";
	it.x = "";
	it.placement = "single";
	it.metric = metric;
	it.unit = "";
	it.base = base;
	it.base_n = nb;
	it.cand = cand;
	it.cand_n = nc;
	it.in_base = nb > 0;
	it.in_cand = nc > 0;
	return it;
}

static void test_classify(void **state)
{
	int hib, gated;

	(void)state;
	compare_classify_metric("ns_per_op", &hib, &gated);
	assert_int_equal(hib, 0);
	assert_int_equal(gated, 1);
	compare_classify_metric("ns_per_mib", &hib, &gated);
	assert_int_equal(hib, 0);
	assert_int_equal(gated, 1);
	compare_classify_metric("gap_ns", &hib, &gated);
	assert_int_equal(hib, 0);
	assert_int_equal(gated, 1);
	compare_classify_metric("bytes_per_s", &hib, &gated);
	assert_int_equal(hib, 1);
	assert_int_equal(gated, 1);
	compare_classify_metric("msgs_per_s", &hib, &gated);
	assert_int_equal(hib, 1);
	assert_int_equal(gated, 1);
	compare_classify_metric("faults_per_op", &hib, &gated);
	assert_int_equal(hib, 0);
	assert_int_equal(gated, 0);
	compare_classify_metric("ctxsw_per_op", &hib, &gated);
	assert_int_equal(gated, 0);
	compare_classify_metric("cycles_per_op", &hib, &gated);
	assert_int_equal(gated, 0);
}

/* Complete separation, 6 against 6: the numbers follow by hand. */
static void test_core_hand_values(void **state)
{
	static const double base[6] = { 100, 101, 102, 103, 104, 105 };
	static const double cand[6] = { 115, 110, 114, 111, 113, 112 };
	struct compare_item it[2];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	it[0] = item_of("fam", "ns_per_op", base, 6, cand, 6);
	it[1] = item_of("fam", "ns_per_byte", base, 6, cand, 6);
	assert_int_equal(compare_evaluate(it, 2, &o, &s), 0);

	/* Medians 102.5 and 112.5; 112.5/102.5 - 1 = 9.7561%. */
	assert_close(it[0].base_p50, 102.5, 1e-12);
	assert_close(it[0].cand_p50, 112.5, 1e-12);
	assert_close(it[0].change_pct, 9.756097560975618, 1e-9);
	/* Exact two-sided U p for complete separation: 2 / C(12,6) = 2/924. */
	assert_close(it[0].p_value, 0.0021645021645021645, 1e-9);
	/* Holm with two equal p-values: both adjust to 2p. */
	assert_close(it[0].p_adj, 2 * 0.0021645021645021645, 1e-9);
	assert_close(it[1].p_adj, 2 * 0.0021645021645021645, 1e-9);
	/* Every resampled median ratio lies in [110/105, 115/100]. */
	assert_true(it[0].ci95_lo_pct >= 100.0 * (110.0 / 105.0 - 1) - 1e-9);
	assert_true(it[0].ci95_hi_pct <= 15.0 + 1e-9);
	assert_true(it[0].ci95_lo_pct <= it[0].change_pct);
	assert_true(it[0].ci95_hi_pct >= it[0].change_pct);
	assert_int_equal(it[0].verdict, COMPARE_SLOWER);
	assert_int_equal(it[1].verdict, COMPARE_SLOWER);
	assert_int_equal(s.count[COMPARE_SLOWER], 2);
	assert_int_equal(s.gated_tested, 2);
	assert_true(s.regression);
	compare_summary_free(&s);
}

/* Geomean over two keys with ratios 1.21 and 1: sqrt(1.21) = 1.1; CI is
 * exp(mean +- t(0.975, 1) * sd / sqrt(2)) of the logs, t = tan(0.475 pi)
 * = 12.7062, giving [0.327679, 3.692637] (Python math). */
static void test_core_geomean(void **state)
{
	static const double a[5] = { 98, 99, 100, 101, 102 };
	static const double b[5] = { 119, 120, 121, 122, 123 };
	static const double tput_b[5] = { 98, 99, 100, 101, 102 };
	static const double tput_c[5] = { 98, 99, 100, 101, 102 };
	struct compare_item it[2];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	it[0] = item_of("fam", "ns_per_op", a, 5, b, 5);
	it[1] = item_of("fam", "bytes_per_s", tput_b, 5, tput_c, 5);
	assert_int_equal(compare_evaluate(it, 2, &o, &s), 0);
	/* 5 vs 5 separated: p = 2 / C(10,5) = 0.0079365; Holm over two keys
	 * doubles it past 0.01, so even this clean 21% shift is `same`. */
	assert_close(it[0].p_value, 0.007936507936507936, 1e-9);
	assert_close(it[0].p_adj, 2 * 0.007936507936507936, 1e-9);
	assert_int_equal(it[0].verdict, COMPARE_SAME);
	assert_non_null(strstr(it[0].note, "not significant"));
	assert_int_equal(it[1].verdict, COMPARE_SAME);
	assert_int_equal(s.overall.k, 2);
	assert_close(s.overall.geomean, 1.1, 1e-9);
	assert_close(s.overall.lo, 0.32767910816766466, 1e-6);
	assert_close(s.overall.hi, 3.6926370032137505, 1e-6);
	assert_int_equal(s.nfamily, 1);
	assert_string_equal(s.family[0].family, "fam");
	assert_close(s.family[0].geomean, 1.1, 1e-9);
	assert_false(s.regression);
	compare_summary_free(&s);
}

/* Throughput: higher is better, and the geomean orientation flips. */
static void test_core_direction(void **state)
{
	static const double lo[6] = { 100, 101, 102, 103, 104, 105 };
	static const double hi[6] = { 110, 111, 112, 113, 114, 115 };
	struct compare_item it[1];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	it[0] = item_of("ipc", "bytes_per_s", lo, 6, hi, 6);
	assert_int_equal(compare_evaluate(it, 1, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_FASTER);
	assert_true(it[0].higher_is_better);
	/* Oriented ratio base/cand = 102.5/112.5 < 1: faster. */
	assert_close(s.overall.geomean, 102.5 / 112.5, 1e-12);
	assert_false(s.regression);
	compare_summary_free(&s);

	it[0] = item_of("ipc", "bytes_per_s", hi, 6, lo, 6);
	assert_int_equal(compare_evaluate(it, 1, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_SLOWER);
	assert_true(s.regression);
	compare_summary_free(&s);
}

/* Counters get a verdict but neither gate nor enter the geomean, and
 * they form their own Holm family. */
static void test_core_counter(void **state)
{
	static const double one[6] = { 1.00, 1.01, 1.02, 1.03, 1.04, 1.05 };
	static const double two[6] = { 2.00, 2.01, 2.02, 2.03, 2.04, 2.05 };
	static const double zero[6] = { 0, 0, 0, 0, 0, 0 };
	struct compare_item it[2];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	it[0] = item_of("mm_cow", "faults_per_op", one, 6, two, 6);
	it[1] = item_of("mm_cow", "migrations_per_op", zero, 6, zero, 6);
	assert_int_equal(compare_evaluate(it, 2, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_SLOWER);
	assert_non_null(strstr(it[0].note, "not gated"));
	/* Only one counter was tested (0 vs 0 has no ratio): p_adj == p. */
	assert_int_equal(s.counter_tested, 1);
	assert_int_equal(s.gated_tested, 0);
	assert_close(it[0].p_adj, it[0].p_value, 0);
	assert_int_equal(it[1].verdict, COMPARE_SAME);
	assert_false(s.regression);
	assert_int_equal(s.overall.k, 0);
	assert_true(isnan(s.overall.geomean));
	compare_summary_free(&s);
}

/* Fewer than 5 samples on a side: no verdict, whatever the data say. */
static void test_core_min_samples(void **state)
{
	static const double a[5] = { 100, 101, 102, 103, 104 };
	static const double b[5] = { 200, 201, 202, 203, 204 };
	struct compare_item it[1];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	it[0] = item_of("f", "ns_per_op", a, 5, b, 4);
	assert_int_equal(compare_evaluate(it, 1, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_NA);
	assert_false(it[0].tested);
	assert_true(isnan(it[0].p_value));
	assert_non_null(strstr(it[0].note, "fewer than 5"));
	compare_summary_free(&s);

	/* The same data with 5 a side: 2/252 < 0.01, a verdict. */
	it[0] = item_of("f", "ns_per_op", a, 5, b, 5);
	assert_int_equal(compare_evaluate(it, 1, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_SLOWER);
	compare_summary_free(&s);
}

/* Significant and past the threshold, but no usable CI: no claim.  Base is
 * 6 zeros and 7 tens (median 10); about 4 in 10 resamples have median 0, so
 * the upper end of the ratio CI is infinite and the CI is undefined. */
static void test_core_ci_guard(void **state)
{
	static const double a[13] = { 0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 10, 10, 10 };
	static const double b[13] = { 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
	struct compare_item it[1];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	it[0] = item_of("f", "ns_per_op", a, 13, b, 13);
	assert_int_equal(compare_evaluate(it, 1, &o, &s), 0);
	assert_true(it[0].tested);
	/* Complete separation of 13 against 13: p far below 0.01. */
	assert_true(it[0].p_adj < 1e-4);
	assert_close(it[0].change_pct, 160.0, 1e-9);
	assert_true(isnan(it[0].ci95_hi_pct));
	assert_int_equal(it[0].verdict, COMPARE_SAME);
	assert_non_null(strstr(it[0].note, "CI"));
	compare_summary_free(&s);
}

static void test_core_presence_and_status(void **state)
{
	static const double a[5] = { 100, 101, 102, 103, 104 };
	struct compare_item it[4];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	it[0] = item_of("f", "ns_per_op", NULL, 0, a, 5);
	it[1] = item_of("f", "ns_per_op", a, 5, NULL, 0);
	it[2] = item_of("f", "ns_per_op", a, 5, a, 5);
	it[2].skip_note = "cand skipped: no vfork";
	it[3] = item_of("f", "ns_per_op", a, 5, a, 5);
	assert_int_equal(compare_evaluate(it, 4, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_NEW);
	assert_int_equal(it[1].verdict, COMPARE_GONE);
	assert_int_equal(it[2].verdict, COMPARE_SKIPPED);
	assert_string_equal(it[2].note, "cand skipped: no vfork");
	assert_int_equal(it[3].verdict, COMPARE_SAME);
	/* Only the one tested key is in the Holm family. */
	assert_int_equal(s.gated_tested, 1);
	assert_int_equal(s.count[COMPARE_NEW], 1);
	assert_int_equal(s.count[COMPARE_GONE], 1);
	assert_int_equal(s.count[COMPARE_SKIPPED], 1);
	compare_summary_free(&s);

	/* Not comparable: a clear shift still gets n/a with the reason. */
	o.comparable = 0;
	o.na_note = "different accelerators";
	it[0] = item_of("f", "ns_per_op", a, 5, a, 5);
	assert_int_equal(compare_evaluate(it, 1, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_NA);
	assert_string_equal(it[0].note, "different accelerators");
	compare_summary_free(&s);

	o.comparable = 1;
	o.alpha = 1.5;
	assert_int_equal(compare_evaluate(it, 1, &o, &s), -EINVAL);
}

/* ------------------------------------------------------------------------
 * Synthetic runs on disk.
 */

/* Room for a captured stdout. */
#define OUT_LEN 65536
/* compare.csv has 19 columns (the contract in the brief). */
#define COMPARE_NCOLS_EXPECTED 19

/* The test's temporary folder (created in the group setup). */
struct fixture {
	char root[64];            /* mkdtemp folder holding every test's runs */
};

/* Standard normal from the stats.h PRNG (Box-Muller). */
static double gauss(struct stats_rng *r)
{
	double u1 = ((double)(stats_rng_next(r) >> 11) + 1.0) * 0x1p-53;
	double u2 = (double)(stats_rng_next(r) >> 11) * 0x1p-53;

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* One key of a synthetic run. */
struct spec {
	const char *bench;        /* family */
	const char *variant;      /* primitive */
	const char *metric;       /* metric name */
	size_t n;                 /* samples */
	double mu;                /* true centre */
	double noise;             /* relative standard deviation */
	uint64_t seed;            /* PRNG seed of this key's samples */
	const char *status;       /* summary status; NULL = ok */
};

/* Ways to spoil a run for the bad-input tests. */
enum flaw { FLAW_NONE, FLAW_NO_VALUE_COL, FLAW_BAD_SCHEMA, FLAW_NAN, FLAW_SCHEMA2 };

static void path_join(char *buf, size_t len, const char *a, const char *b)
{
	assert_true((size_t)snprintf(buf, len, "%s/%s", a, b) < len);
}

/* Write meta.csv, summary.csv and samples.csv of one run into dir. */
static void write_run(const char *dir, const char *accel, const char *complete,
		      const struct spec *sp, size_t nsp, enum flaw flaw)
{
	const char *schema = flaw == FLAW_SCHEMA2 ? "2" : "1";
	char path[512];
	struct stats_rng r;
	FILE *f;
	size_t i, j;
	double v;

	assert_int_equal(mkdir(dir, 0755), 0);

	path_join(path, sizeof(path), dir, "meta.csv");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "key,value\nschema,%s\nrun_id,%s\nhost,testhost\n"
		"kernel_release,%s\ncomplete,%s\n", schema, dir,
		strstr(dir, "cand") ? "6.6.0" : "6.1.0", complete);
	if (accel) /* NULL: a run from before meta had accel */
		fprintf(f, "accel,%s\n", accel);
	fclose(f);

	path_join(path, sizeof(path), dir, "summary.csv");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,"
		"min,p50,mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,"
		"validation,status,note\n");
	for (i = 0; i < nsp; i++)
		fprintf(f, "%s,r,%s,%s,,,single,%s,ns,%zu,1,,,,,,,,,,,,n/a,%s,%s\n",
			schema, sp[i].bench, sp[i].variant, sp[i].metric, sp[i].n,
			sp[i].status ? sp[i].status : "ok",
			sp[i].status ? "\"no such primitive, here\"" : "");
	fclose(f);

	path_join(path, sizeof(path), dir, "samples.csv");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "schema,run_id,bench,variant,sweep,x,placement,metric,sample,iters%s\n",
		flaw == FLAW_NO_VALUE_COL ? ",val" : ",value");
	for (i = 0; i < nsp; i++) {
		stats_rng_seed(&r, sp[i].seed);
		for (j = 0; j < sp[i].n; j++) {
			v = sp[i].mu * (1.0 + sp[i].noise * gauss(&r));
			fprintf(f, "%s,r,%s,%s,,,single,%s,%zu,1000,",
				flaw == FLAW_BAD_SCHEMA && j == 2 ? "one" : schema,
				sp[i].bench, sp[i].variant, sp[i].metric, j);
			if (flaw == FLAW_NAN && j == 3)
				fprintf(f, "nan\n");
			else
				fprintf(f, "%.17g\n", v);
		}
	}
	fclose(f);
}

/* Make <root>/<name>/{base,cand} paths (the folders are not created). */
static void case_dirs(void **state, const char *name, char *base, char *cand,
		      size_t len)
{
	const struct fixture *fx = *state;
	char dir[256];

	path_join(dir, sizeof(dir), fx->root, name);
	assert_int_equal(mkdir(dir, 0755), 0);
	path_join(base, len, dir, "base");
	path_join(cand, len, dir, "cand");
}

/* Run compare_cmd with stdout and stderr captured into files next to the
 * runs' parent folder.  Returns the exit status. */
static int run_compare(void **state, char *out_buf, size_t out_len, char *err_buf,
		       size_t err_len, int argc, const char **argv)
{
	const struct fixture *fx = *state;
	char opath[256], epath[256];
	int so, se, fo, fe, rc;
	FILE *f;
	size_t n;

	path_join(opath, sizeof(opath), fx->root, "stdout.txt");
	path_join(epath, sizeof(epath), fx->root, "stderr.txt");
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	fo = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fe = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(so >= 0 && se >= 0 && fo >= 0 && fe >= 0);
	dup2(fo, 1);
	dup2(fe, 2);
	rc = compare_cmd(argc, (char **)argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	close(fo);
	close(fe);

	f = fopen(opath, "r");
	assert_non_null(f);
	n = fread(out_buf, 1, out_len - 1, f);
	out_buf[n] = '\0';
	fclose(f);
	f = fopen(epath, "r");
	assert_non_null(f);
	n = fread(err_buf, 1, err_len - 1, f);
	err_buf[n] = '\0';
	fclose(f);
	return rc;
}

/* The verdict compare.csv at path gives (bench, variant, metric), copied
 * into buf; "" if the key is absent. */
static void verdict_of(const char *path, const char *bench, const char *variant,
		       const char *metric, char *buf, size_t len)
{
	struct csv_table t;
	int cb, cv, cm, cverd;
	size_t i;

	assert_int_equal(csv_table_load(&t, path), 0);
	assert_int_equal((int)t.ncols, COMPARE_NCOLS_EXPECTED);
	cb = csv_table_col(&t, "bench");
	cv = csv_table_col(&t, "variant");
	cm = csv_table_col(&t, "metric");
	cverd = csv_table_col(&t, "verdict");
	assert_true(cb >= 0 && cv >= 0 && cm >= 0 && cverd >= 0);
	buf[0] = '\0';
	for (i = 0; i < t.nrows; i++)
		if (strcmp(t.rows[i][cb], bench) == 0 && strcmp(t.rows[i][cv], variant) == 0 &&
		    strcmp(t.rows[i][cm], metric) == 0)
			snprintf(buf, len, "%s", t.rows[i][cverd]);
	csv_table_free(&t);
}

/* Count the verdict in every row of compare.csv at path. */
static size_t count_verdict(const char *path, const char *verdict)
{
	struct csv_table t;
	size_t i, n = 0;
	int c;

	assert_int_equal(csv_table_load(&t, path), 0);
	c = csv_table_col(&t, "verdict");
	assert_true(c >= 0);
	for (i = 0; i < t.nrows; i++)
		n += strcmp(t.rows[i][c], verdict) == 0;
	csv_table_free(&t);
	return n;
}

/* Entries of a folder, not counting . and .. */
static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Identical distributions, ten keys: nothing may be claimed. */
static void test_cmd_identical(void **state)
{
	struct spec b[10], c[10];
	char base[256], cand[256], csv[320], out[OUT_LEN], err[4096];
	const char *argv[] = { "compare", NULL, NULL };
	static const char *const variants[10] = { "fork", "vfork", "clone", "spawn",
		"a", "b", "c", "d", "e", "f" };
	size_t i;

	case_dirs(state, "identical", base, cand, sizeof(base));
	for (i = 0; i < 10; i++) {
		b[i] = (struct spec){ "proc_create", variants[i], "ns_per_op", 30,
				      1000.0 * (double)(i + 1), 0.05, 100 + i, NULL };
		c[i] = b[i];
		c[i].seed = 200 + i; /* same distribution, fresh draws */
	}
	write_run(base, "kvm", "true", b, 10, FLAW_NONE);
	write_run(cand, "kvm", "true", c, 10, FLAW_NONE);
	argv[1] = base;
	argv[2] = cand;
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 3, argv), 0);
	path_join(csv, sizeof(csv), cand, "compare-vs-base.csv");
	assert_int_equal(count_verdict(csv, "slower"), 0);
	assert_int_equal(count_verdict(csv, "faster"), 0);
	assert_int_equal(count_verdict(csv, "same"), 10);
	/* The fingerprint names the kernel change. */
	assert_non_null(strstr(out, "kernel_release"));
	assert_non_null(strstr(out, "Holm-Bonferroni"));
	assert_string_equal(err, "");
}

/* The standard pair used below: one ns_per_op key, 30 samples, 1% noise,
 * candidate shifted by shift (relative). */
static int shifted_pair(void **state, const char *name, double shift, size_t n,
			double noise, const char *base_accel, const char *cand_accel, char *csv, size_t csv_len,
			char *out, char *err, const char *extra_opt)
{
	struct spec b, c;
	char base[256], cand[256];
	const char *argv[] = { "compare", NULL, NULL, NULL };
	int argc = 1;

	case_dirs(state, name, base, cand, sizeof(base));
	b = (struct spec){ "mm_cow", "write", "ns_per_op", n, 5000.0, noise, 7, NULL };
	c = b;
	c.mu *= 1.0 + shift;
	c.seed = 8;
	write_run(base, base_accel, "true", &b, 1, FLAW_NONE);
	write_run(cand, cand_accel, "true", &c, 1, FLAW_NONE);
	if (extra_opt)
		argv[argc++] = extra_opt;
	argv[argc++] = base;
	argv[argc++] = cand;
	path_join(csv, csv_len, cand, "compare-vs-base.csv");
	return run_compare(state, out, OUT_LEN, err, 4096, argc, argv);
}

static void test_cmd_shift_found(void **state)
{
	char csv[320], v[32], out[OUT_LEN], err[4096];

	assert_int_equal(shifted_pair(state, "shift10", 0.10, 30, 0.01, "kvm", "kvm", csv,
				      sizeof(csv), out, err, NULL), 1);
	verdict_of(csv, "mm_cow", "write", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "slower");
	assert_non_null(strstr(out, "REGRESSION"));
}

static void test_cmd_under_threshold(void **state)
{
	char csv[320], v[32], out[OUT_LEN], err[4096];

	assert_int_equal(shifted_pair(state, "shift2", 0.02, 30, 0.01, "kvm", "kvm", csv,
				      sizeof(csv), out, err, NULL), 0);
	verdict_of(csv, "mm_cow", "write", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "same");
}

/* 20% noise, 5 samples: a true 10% shift is not something to claim. */
static void test_cmd_noisy_not_claimed(void **state)
{
	char csv[320], v[32], out[OUT_LEN], err[4096];

	assert_int_equal(shifted_pair(state, "noisy", 0.10, 5, 0.20, "kvm", "kvm", csv,
				      sizeof(csv), out, err, NULL), 0);
	verdict_of(csv, "mm_cow", "write", "ns_per_op", v, sizeof(v));
	assert_string_not_equal(v, "slower");
	assert_string_not_equal(v, "");
}

static void test_cmd_four_samples(void **state)
{
	char csv[320], v[32], out[OUT_LEN], err[4096];

	assert_int_equal(shifted_pair(state, "four", 0.50, 4, 0.01, "kvm", "kvm", csv,
				      sizeof(csv), out, err, NULL), 0);
	verdict_of(csv, "mm_cow", "write", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "n/a");
}

/* tcg against kvm: verdicts refused; with --force the shift is found. */
static void test_cmd_accel(void **state)
{
	char csv[320], v[32], out[OUT_LEN], err[4096];

	assert_int_equal(shifted_pair(state, "accel", 0.10, 30, 0.01, "kvm", "tcg", csv,
				      sizeof(csv), out, err, NULL), 0);
	verdict_of(csv, "mm_cow", "write", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "n/a");
	assert_non_null(strstr(out, "different accelerators"));

	assert_int_equal(shifted_pair(state, "accelforce", 0.10, 30, 0.01, "kvm", "tcg", csv,
				      sizeof(csv), out, err, "--force"), 1);
	verdict_of(csv, "mm_cow", "write", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "slower");

	/* tcg against a run that does not say: still not comparable. */
	assert_int_equal(shifted_pair(state, "accelnone", 0.10, 30, 0.01, NULL, "tcg", csv,
				      sizeof(csv), out, err, NULL), 0);
	verdict_of(csv, "mm_cow", "write", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "n/a");
}

/* bytes_per_s up 10% is faster; new and gone keys; a skipped key; the
 * markdown report puts slower rows first. */
static void test_cmd_direction_presence_md(void **state)
{
	struct spec b[4], c[4];
	char base[256], cand[256], csv[320], v[32], out[OUT_LEN], err[4096];
	const char *argv[] = { "compare", "--format", "md", "--out", csv, base, cand };
	const char *slow, *fast;

	case_dirs(state, "mixed", base, cand, sizeof(base));
	b[0] = (struct spec){ "ipc_pipe", "pipe", "bytes_per_s", 30, 1e9, 0.01, 1, NULL };
	b[1] = (struct spec){ "ipc_pipe", "old", "ns_per_op", 30, 100, 0.01, 2, NULL };
	b[2] = (struct spec){ "proc_create", "vfork", "ns_per_op", 30, 100, 0.01, 3, NULL };
	b[3] = (struct spec){ "proc_create", "fork", "ns_per_op", 30, 1e5, 0.01, 4, NULL };
	c[0] = b[0];
	c[0].mu *= 1.10;
	c[0].seed = 11;
	c[1] = (struct spec){ "ipc_pipe", "new", "ns_per_op", 30, 100, 0.01, 12, NULL };
	c[2] = b[2];
	c[2].n = 0;
	c[2].status = "skipped";
	c[3] = b[3];
	c[3].mu *= 1.25;
	c[3].seed = 14;
	write_run(base, "kvm", "true", b, 4, FLAW_NONE);
	write_run(cand, "kvm", "false", c, 4, FLAW_NONE);
	path_join(csv, sizeof(csv), base, "../my-compare.csv");

	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 7, argv), 1);
	verdict_of(csv, "ipc_pipe", "pipe", "bytes_per_s", v, sizeof(v));
	assert_string_equal(v, "faster");
	verdict_of(csv, "ipc_pipe", "new", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "new");
	verdict_of(csv, "ipc_pipe", "old", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "gone");
	verdict_of(csv, "proc_create", "vfork", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "skipped");
	verdict_of(csv, "proc_create", "fork", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "slower");
	/* The skip reason (a quoted field with a comma) reaches the note. */
	assert_non_null(strstr(out, "cand skipped: no such primitive, here"));
	/* Bold summary line, slower rows before faster ones. */
	assert_non_null(strstr(out, "\n**REGRESSION: 1 slower, 1 faster"));
	slow = strstr(out, "| **slower** |");
	fast = strstr(out, "| **faster** |");
	assert_non_null(slow);
	assert_non_null(fast);
	assert_true(slow < fast);
	/* complete=false warns, on stderr only. */
	assert_non_null(strstr(err, "incomplete"));
	/* --out was honoured: no default file in the candidate folder. */
	assert_int_equal(count_entries(cand), 3);
}

/* Each bad input: exit 2, one line on stderr, nothing on stdout, no file. */
static void bad_case(void **state, const char *name, enum flaw bflaw, enum flaw cflaw,
		     int remove_base, const char *want)
{
	struct spec s = { "mm_cow", "write", "ns_per_op", 10, 100, 0.01, 5, NULL };
	char base[256], cand[256], out[OUT_LEN], err[4096], *nl;
	const char *argv[] = { "compare", NULL, NULL };

	case_dirs(state, name, base, cand, sizeof(base));
	if (!remove_base)
		write_run(base, "kvm", "true", &s, 1, bflaw);
	write_run(cand, "kvm", "true", &s, 1, cflaw);
	argv[1] = base;
	argv[2] = cand;
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 3, argv), 2);
	assert_string_equal(out, "");
	nl = strchr(err, '\n');
	assert_non_null(nl);
	assert_string_equal(nl + 1, "");
	assert_non_null(strstr(err, want));
	assert_int_equal(count_entries(cand), 3);
}

static void test_cmd_bad_inputs(void **state)
{
	char out[OUT_LEN], err[4096];
	const char *argv[] = { "compare", "--format", "html", "a", "b" };

	bad_case(state, "nocol", FLAW_NONE, FLAW_NO_VALUE_COL, 0, "missing column 'value'");
	bad_case(state, "schema", FLAW_BAD_SCHEMA, FLAW_NONE, 0, "schema 'one'");
	bad_case(state, "nan", FLAW_NONE, FLAW_NAN, 0, "value 'nan'");
	bad_case(state, "nofolder", FLAW_NONE, FLAW_NONE, 1, "base folder");
	bad_case(state, "schema2", FLAW_NONE, FLAW_SCHEMA2, 0, "schema versions differ");
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 5, argv), 2);
	assert_non_null(strstr(err, "--format 'html'"));
}

static int group_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->root, sizeof(fx->root), "/tmp/test_compare.XXXXXX");
	if (!mkdtemp(fx->root)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_teardown(void **state)
{
	struct fixture *fx = *state;
	int rc = nftw(fx->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(fx);
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_core_hand_values),
		cmocka_unit_test(test_core_geomean),
		cmocka_unit_test(test_core_direction),
		cmocka_unit_test(test_core_counter),
		cmocka_unit_test(test_core_min_samples),
		cmocka_unit_test(test_core_ci_guard),
		cmocka_unit_test(test_core_presence_and_status),
		cmocka_unit_test(test_cmd_identical),
		cmocka_unit_test(test_cmd_shift_found),
		cmocka_unit_test(test_cmd_under_threshold),
		cmocka_unit_test(test_cmd_noisy_not_claimed),
		cmocka_unit_test(test_cmd_four_samples),
		cmocka_unit_test(test_cmd_accel),
		cmocka_unit_test(test_cmd_direction_presence_md),
		cmocka_unit_test(test_cmd_bad_inputs),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
