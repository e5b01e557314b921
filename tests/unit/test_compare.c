/*
 * test_compare.c - compare: the pure core on synthetic rounds whose truth
 * is known, and the command on synthetic runs written to disk.
 *
 * Synthetic samples: value = mu * (1 + shift) * (1 + between * z_round) *
 * (1 + within * z), with z from Box-Muller over the stats.h PRNG and fixed
 * seeds, so every run of the test sees the same numbers.  between is the
 * noise that a whole round shares (a fresh process, another moment of the
 * host), within the noise of samples inside a round.
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

/* Standard normal from the stats.h PRNG (Box-Muller). */
static double gauss(struct stats_rng *r)
{
	double u1 = ((double)(stats_rng_next(r) >> 11) + 1.0) * 0x1p-53;
	double u2 = (double)(stats_rng_next(r) >> 11) * 0x1p-53;

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* One side of one key: rounds x per samples, with its own storage. */
struct side {
	double v[512];            /* samples, grouped by round */
	unsigned round[512];      /* round of each sample */
	size_t n;                 /* samples */
};

/* Fill s with rounds x per samples around mu, shared round noise between
 * and sample noise within (both relative standard deviations). */
static void gen_side(struct side *s, double mu, unsigned rounds, unsigned per,
		     double between, double within, uint64_t seed)
{
	struct stats_rng r;

	assert_true(rounds * per <= 512);
	stats_rng_seed(&r, seed);
	s->n = 0;
	for (unsigned k = 1; k <= rounds; k++) {
		double centre = mu * (1.0 + between * gauss(&r));

		for (unsigned i = 0; i < per; i++) {
			s->v[s->n] = centre * (1.0 + within * gauss(&r));
			s->round[s->n++] = k;
		}
	}
}

/* An item of two generated sides, borrowing them. */
static struct compare_item item_of(const char *bench, const char *variant, const char *metric,
				   const struct side *b, const struct side *c)
{
	struct compare_item it;

	memset(&it, 0, sizeof(it));
	it.bench = bench;
	it.variant = variant;
	it.sweep = "";
	it.x = "";
	it.placement = "single";
	it.metric = metric;
	it.unit = "";
	it.base = b ? b->v : NULL;
	it.base_round = b ? b->round : NULL;
	it.base_n = b ? b->n : 0;
	it.cand = c ? c->v : NULL;
	it.cand_round = c ? c->round : NULL;
	it.cand_n = c ? c->n : 0;
	it.in_base = b != NULL;
	it.in_cand = c != NULL;
	return it;
}

static void test_classify(void **state)
{
	int hib, gated;

	(void)state;
	compare_classify_metric("proc_create", "ns_per_op", &hib, &gated);
	assert_true(!hib && gated);
	/* Derived from ns_per_op of the same configuration: not a second decision. */
	compare_classify_metric("proc_create", "ns_per_mib", &hib, &gated);
	assert_true(!hib && !gated);
	compare_classify_metric("proc_create", "ns_to_child", &hib, &gated);
	assert_true(!hib && !gated);
	compare_classify_metric("ipc_pipe", "bytes_per_s", &hib, &gated);
	assert_true(hib && !gated);
	compare_classify_metric("ipc_pipe", "msgs_per_s", &hib, &gated);
	assert_true(hib && !gated);
	compare_classify_metric("mm_cow", "faults_per_op", &hib, &gated);
	assert_true(!hib && !gated);
	/* Noise: fewer gaps are better, and it never gates. */
	compare_classify_metric("os_noise", "gaps_per_s", &hib, &gated);
	assert_true(!hib && !gated);
	compare_classify_metric("os_noise", "ns_per_op", &hib, &gated);
	assert_true(!hib && !gated);
}

/* Keys whose rounds wander by 3% while samples inside a round agree to
 * 0.2%: a test on samples would call most of them changed.  Judged on
 * rounds, an A/A pair gives no verdict. */
static void test_core_aa_round_shifts(void **state)
{
	enum { NKEY = 300 };
	static struct side b[NKEY], c[NKEY];
	static struct compare_item it[NKEY];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	for (int i = 0; i < NKEY; i++) {
		gen_side(&b[i], 1000.0 + i, 5, 6, 0.03, 0.002, 1000 + (uint64_t)i);
		gen_side(&c[i], 1000.0 + i, 5, 6, 0.03, 0.002, 5000 + (uint64_t)i);
		it[i] = item_of("syscall_entry", "k", "ns_per_op", &b[i], &c[i]);
	}
	assert_int_equal(compare_evaluate(it, NKEY, &o, &s), 0);
	assert_int_equal(s.count[COMPARE_SLOWER], 0);
	assert_int_equal(s.count[COMPARE_FASTER], 0);
	assert_int_equal(s.gated_tested, NKEY);
	assert_int_equal(s.regression, 0);
	for (int i = 0; i < NKEY; i++) {
		assert_int_equal(it[i].base_rounds, 5);
		assert_true(isfinite(it[i].mde_pct));
	}
	compare_summary_free(&s);
}

/* The minimum detectable effect by hand: with df = 2 the t quantile has
 * the closed form t(p) = (2p - 1) / sqrt(2p(1 - p)); t(0.975, 2) =
 * 0.95 / sqrt(0.04875) = 4.3026527, so se 0.01 in a family of one at
 * alpha 0.05 gives 100 * (exp(0.043026527) - 1) = 4.3965588%.  A family
 * of 2 needs t(0.9875, 2) = 0.975 / sqrt(0.0246875) = 6.2053468: 6.4019234%. */
static void test_mde(void **state)
{
	(void)state;
	assert_close(compare_mde_pct(0.01, 2, 1, 0.05), 4.3965588, 1e-5);
	assert_close(compare_mde_pct(0.01, 2, 2, 0.05), 6.4019234, 1e-5);
	assert_close(compare_mde_pct(0, 2, 1, 0.05), 0, 0);
}

/* decide_case: the verdict of one tested key. */
static enum compare_verdict decide_case(double change, double lo, double hi, double p_adj,
					double mde, int higher_is_better, char *note, size_t len)
{
	struct compare_opts o;
	struct compare_item it;

	compare_opts_default(&o);
	memset(&it, 0, sizeof(it));
	it.change_pct = change;
	it.ci95_lo_pct = lo;
	it.ci95_hi_pct = hi;
	it.p_adj = p_adj;
	it.mde_pct = mde;
	it.higher_is_better = higher_is_better;
	compare_decide(&it, &o);
	snprintf(note, len, "%s", it.note);
	return it.verdict;
}

/* The verdict rules at the top of compare_verdict.c, one condition at a
 * time (threshold 5%, alpha 0.05). */
static void test_decide(void **state)
{
	char note[256];

	(void)state;
	/* Significant, CI excluding 0, past the threshold: the direction. */
	assert_int_equal(decide_case(8, 6, 10, 0.01, 2, 0, note, sizeof(note)), COMPARE_SLOWER);
	assert_string_equal(note, "");
	assert_int_equal(decide_case(-8, -10, -6, 0.01, 2, 0, note, sizeof(note)), COMPARE_FASTER);
	assert_int_equal(decide_case(8, 6, 10, 0.01, 2, 1, note, sizeof(note)), COMPARE_FASTER);
	assert_int_equal(decide_case(-8, -10, -6, 0.01, 2, 1, note, sizeof(note)), COMPARE_SLOWER);
	/* Significant but within the threshold: same, and why. */
	assert_int_equal(decide_case(3, 1, 5, 0.01, 2, 0, note, sizeof(note)), COMPARE_SAME);
	assert_string_equal(note, "a change of +3.0%, within the 5% threshold");
	/* Past the threshold but the CI holds 0 (p_adj says significant):
	 * no direction. */
	assert_int_equal(decide_case(8, -1, 17, 0.01, 2, 0, note, sizeof(note)), COMPARE_SAME);
	/* Not significant: undecided when the pair could not have seen 5%. */
	assert_int_equal(decide_case(8, -1, 17, 0.2, 12.5, 0, note, sizeof(note)),
			 COMPARE_UNDECIDED);
	assert_string_equal(note, "could only have called |change| > 12.5% (threshold 5%)");
	assert_int_equal(decide_case(1, -1, 3, 0.2, NAN, 0, note, sizeof(note)), COMPARE_UNDECIDED);
	/* ... and same when it could have. */
	assert_int_equal(decide_case(1, -1, 3, 0.2, 4, 0, note, sizeof(note)), COMPARE_SAME);
	assert_string_equal(note, "not significant (p_adj 0.2 >= 0.05)");
	assert_int_equal(decide_case(1, -1, 3, 0.2, 5, 0, note, sizeof(note)), COMPARE_SAME);
}

/* Geomean by hand: log ratios log 1.1 and log 1.21 have mean 1.5 log 1.1,
 * geomean 1.1^1.5 = 1.1536897; sd log(1.1) / sqrt 2 = 0.067394; t(0.975, 1)
 * = tan(0.475 pi) = 12.706205, half width 12.706205 * 0.067394 / sqrt 2 =
 * 0.6055153: [exp(0.1429653 - 0.6055153), exp(0.1429653 + 0.6055153)] =
 * [0.6296759, 2.1137859]. */
static void test_geomean(void **state)
{
	const double logs[2] = { log(1.1), log(1.21) };
	struct compare_geo g = { .family = "f" };

	(void)state;
	compare_geomean(&g, logs, 2);
	assert_int_equal(g.k, 2);
	assert_string_equal(g.family, "f");
	assert_close(g.geomean, 1.1536897, 1e-6);
	assert_close(g.lo, 0.6296759, 1e-6);
	assert_close(g.hi, 2.1137859, 1e-6);
	compare_geomean(&g, logs, 1);
	assert_close(g.geomean, 1.1, 1e-12);
	assert_true(isnan(g.lo) && isnan(g.hi));
	compare_geomean(&g, logs, 0);
	assert_int_equal(g.k, 0);
	assert_true(isnan(g.geomean));
}

/* A real shift larger than the between-round noise is found, in the
 * direction the metric says. */
static void test_core_real_shift(void **state)
{
	struct side b, c, d, tb, tc;
	struct compare_item it[3];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	gen_side(&b, 5000, 5, 6, 0.01, 0.005, 7);
	gen_side(&c, 5500, 5, 6, 0.01, 0.005, 8);
	gen_side(&d, 4500, 5, 6, 0.01, 0.005, 9);
	gen_side(&tb, 1e9, 5, 6, 0.01, 0.005, 10);
	gen_side(&tc, 1.1e9, 5, 6, 0.01, 0.005, 11);
	it[0] = item_of("mm_cow", "up", "ns_per_op", &b, &c);
	it[1] = item_of("mm_cow", "down", "ns_per_op", &b, &d);
	it[2] = item_of("ipc_pipe", "pipe", "bytes_per_s", &tb, &tc);
	assert_int_equal(compare_evaluate(it, 3, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_SLOWER);
	assert_true(it[0].ci95_lo_pct > 5 && it[0].ci95_hi_pct < 15);
	assert_int_equal(it[1].verdict, COMPARE_FASTER);
	/* Throughput up is better; it is reported, and does not gate. */
	assert_int_equal(it[2].verdict, COMPARE_FASTER);
	assert_int_equal(it[2].gated, 0);
	assert_int_equal(s.regression, 1);
	assert_int_equal(s.gated_tested, 2);
	assert_int_equal(s.counter_tested, 1);
	compare_summary_free(&s);
}

/* The estimate is built from round medians and logs, exactly. */
static void test_core_hand_values(void **state)
{
	const double bv[] = { 100, 104, 102, 99, 98 }, cv[] = { 110, 112, 108 };
	const unsigned br[] = { 1, 1, 2, 3, 3 }, cr[] = { 1, 2, 3 };
	/* Round medians: base 102, 102, 98.5; cand 110, 112, 108. */
	const double lb[] = { log(102), log(102), log(98.5) };
	const double lc[] = { log(110), log(112), log(108) };
	struct compare_item it;
	struct compare_summary s;
	struct compare_opts o;
	struct stats_welch w;

	(void)state;
	compare_opts_default(&o);
	memset(&it, 0, sizeof(it));
	it.bench = "f";
	it.variant = it.sweep = it.x = it.unit = "";
	it.placement = "single";
	it.metric = "ns_per_op";
	it.base = bv;
	it.base_round = br;
	it.base_n = 5;
	it.cand = cv;
	it.cand_round = cr;
	it.cand_n = 3;
	it.in_base = it.in_cand = 1;
	assert_int_equal(compare_evaluate(&it, 1, &o, &s), 0);
	assert_int_equal(stats_welch(lb, 3, lc, 3, 0.95, &w), 0);
	assert_int_equal(it.base_rounds, 3);
	assert_int_equal(it.cand_rounds, 3);
	assert_close(it.base_p50, 100, 0);
	assert_close(it.cand_p50, 110, 0);
	assert_close(it.change_pct, 100 * (exp(w.diff) - 1), 1e-9);
	assert_close(it.ci95_lo_pct, 100 * (exp(w.lo) - 1), 1e-9);
	assert_close(it.p_value, w.p, 1e-12);
	/* One tested key: BH leaves p; mde at alpha / (2 * 1). */
	assert_close(it.p_adj, w.p, 1e-12);
	assert_close(it.mde_pct, 100 * (exp(stats_t_quantile(1 - 0.05 / 2, w.df) * w.se) - 1), 1e-9);
	compare_summary_free(&s);
}

/* Fewer rounds than the method needs: n/a, never a verdict. */
static void test_core_few_rounds(void **state)
{
	struct side b, c, one_b, one_c;
	struct compare_item it[2];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	gen_side(&b, 100, 2, 10, 0.001, 0.001, 1);
	gen_side(&c, 150, 2, 10, 0.001, 0.001, 2);
	/* A schema-1 run: every sample in one round. */
	gen_side(&one_b, 100, 1, 30, 0.001, 0.001, 3);
	gen_side(&one_c, 150, 1, 30, 0.001, 0.001, 4);
	it[0] = item_of("f", "two", "ns_per_op", &b, &c);
	it[1] = item_of("f", "one", "ns_per_op", &one_b, &one_c);
	assert_int_equal(compare_evaluate(it, 2, &o, &s), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(it[i].verdict, COMPARE_NA);
		assert_int_equal(it[i].tested, 0);
		assert_non_null(strstr(it[i].note, "fewer than 3 rounds"));
	}
	assert_int_equal(s.gated_present, 2);
	assert_int_equal(s.gated_decidable, 0);
	compare_summary_free(&s);
}

/* A key shaped like a quick run (5 rounds of 2 samples) among 200 others:
 * syscall_getppid made 10% slower in every round is found, and nothing
 * else is called. */
static void test_core_planted_getppid(void **state)
{
	enum { NKEY = 200 };
	static struct side b[NKEY], c[NKEY];
	static struct compare_item it[NKEY];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	for (int i = 0; i < NKEY; i++) {
		double mu = i == 0 ? 190.0 : 500.0 + 10 * i;

		gen_side(&b[i], mu, 5, 2, 0.007, 0.005, 300 + (uint64_t)i);
		gen_side(&c[i], i == 0 ? mu * 1.10 : mu, 5, 2, 0.007, 0.005, 900 + (uint64_t)i);
		it[i] = item_of(i == 0 ? "syscall_getppid" : "ipc_pipe", i == 0 ? "getppid" : "k",
				"ns_per_op", &b[i], &c[i]);
	}
	assert_int_equal(compare_evaluate(it, NKEY, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_SLOWER);
	assert_true(it[0].mde_pct < 10);
	assert_int_equal(s.count[COMPARE_SLOWER], 1);
	assert_int_equal(s.count[COMPARE_FASTER], 0);
	assert_int_equal(s.regression, 1);
	compare_summary_free(&s);
}

/* -37% seen through 30% round noise: not `same` - the pair could not have
 * called it, so it is undecided, with the mde in the note. */
static void test_core_undecided(void **state)
{
	struct side b, c, q1, q2;
	struct compare_item it[2];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	/* Round medians by hand: base 1.0, 1.3, 0.7; cand 0.63, 0.9, 0.4 (x 1e6):
	 * d = -0.46 on the log scale with se 0.30 - t = -1.6, p ~ 0.2. */
	b.n = c.n = 3;
	for (unsigned k = 0; k < 3; k++) {
		static const double bv[] = { 1.0e6, 1.3e6, 0.7e6 }, cv[] = { 0.63e6, 0.9e6, 0.4e6 };

		b.v[k] = bv[k];
		c.v[k] = cv[k];
		b.round[k] = c.round[k] = k + 1;
	}
	/* A quiet key: A/A with 0.3% round noise is decided `same`. */
	gen_side(&q1, 200, 5, 4, 0.003, 0.002, 23);
	gen_side(&q2, 200, 5, 4, 0.003, 0.002, 24);
	it[0] = item_of("proc_create", "fork", "ns_per_op", &b, &c);
	it[1] = item_of("syscall_getppid", "getppid", "ns_per_op", &q1, &q2);
	assert_int_equal(compare_evaluate(it, 2, &o, &s), 0);
	if (it[0].verdict != COMPARE_UNDECIDED)
		fail_msg("%s %g [%g %g] p %g adj %g mde %g", compare_verdict_name(it[0].verdict),
			 it[0].change_pct, it[0].ci95_lo_pct, it[0].ci95_hi_pct, it[0].p_value,
			 it[0].p_adj, it[0].mde_pct);
	assert_true(it[0].mde_pct > o.threshold_pct);
	assert_non_null(strstr(it[0].note, "could only have called"));
	assert_int_equal(it[1].verdict, COMPARE_SAME);
	assert_true(it[1].mde_pct < o.threshold_pct);
	assert_int_equal(s.gated_present, 2);
	assert_int_equal(s.gated_decidable, 1);
	assert_close(s.overall.mde_median, (it[0].mde_pct + it[1].mde_pct) / 2, 1e-9);
	assert_int_equal(s.nfamily, 2);
	assert_close(s.family[0].mde_median, it[0].mde_pct, 1e-9);
	compare_summary_free(&s);
}

/* A real kernel change moves many keys: BH keeps the power to call them
 * (40 of 100 keys 8% slower, 2.5% round noise), with no false call among
 * the 60 that did not move. */
static void test_core_many_changed(void **state)
{
	enum { NKEY = 100, NMOVED = 40 };
	static struct side b[NKEY], c[NKEY];
	static struct compare_item it[NKEY];
	struct compare_summary s;
	struct compare_opts o;
	size_t found = 0, false_calls = 0;

	(void)state;
	compare_opts_default(&o);
	for (int i = 0; i < NKEY; i++) {
		gen_side(&b[i], 1000, 5, 6, 0.025, 0.005, 40 + (uint64_t)i);
		gen_side(&c[i], i < NMOVED ? 1080 : 1000, 5, 6, 0.025, 0.005, 400 + (uint64_t)i);
		it[i] = item_of("sched_switch", "k", "ns_per_op", &b[i], &c[i]);
	}
	assert_int_equal(compare_evaluate(it, NKEY, &o, &s), 0);
	for (int i = 0; i < NKEY; i++) {
		if (i < NMOVED)
			found += it[i].verdict == COMPARE_SLOWER;
		else
			false_calls += it[i].verdict == COMPARE_SLOWER ||
				       it[i].verdict == COMPARE_FASTER;
	}
	assert_true(found >= 30);
	assert_int_equal(false_calls, 0);
	compare_summary_free(&s);
}

/* new, gone, skipped, both medians 0, not comparable, bad options. */
static void test_core_presence_and_status(void **state)
{
	struct side a, z;
	struct compare_item it[5];
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	compare_opts_default(&o);
	gen_side(&a, 100, 5, 2, 0.01, 0.01, 1);
	gen_side(&z, 0, 5, 2, 0, 0, 2);
	it[0] = item_of("f", "new", "ns_per_op", NULL, &a);
	it[1] = item_of("f", "gone", "ns_per_op", &a, NULL);
	it[2] = item_of("f", "skip", "ns_per_op", &a, &a);
	it[2].skip_note = "cand skipped: no such primitive";
	it[3] = item_of("f", "zero", "migrations_per_op", &z, &z);
	it[4] = item_of("f", "same", "ns_per_op", &a, &a);
	assert_int_equal(compare_evaluate(it, 5, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_NEW);
	assert_int_equal(it[1].verdict, COMPARE_GONE);
	assert_int_equal(it[2].verdict, COMPARE_SKIPPED);
	assert_non_null(strstr(it[2].note, "no such primitive"));
	assert_int_equal(it[3].verdict, COMPARE_SAME);
	assert_int_equal(it[4].verdict, COMPARE_SAME);
	assert_close(it[4].change_pct, 0, 1e-12);
	assert_int_equal(s.gated_count[COMPARE_GONE], 1);
	assert_int_equal(s.gated_present, 1);
	compare_summary_free(&s);

	/* Not comparable: a clear shift still gets n/a with the reason. */
	o.comparable = 0;
	o.na_note = "different accelerators";
	assert_int_equal(compare_evaluate(&it[4], 1, &o, &s), 0);
	assert_int_equal(it[4].verdict, COMPARE_NA);
	assert_string_equal(it[4].note, "different accelerators");
	compare_summary_free(&s);

	o.comparable = 1;
	o.alpha = 1.5;
	assert_int_equal(compare_evaluate(it, 1, &o, &s), -EINVAL);
}

/* ------------------------------------------------------------------------
 * Synthetic runs on disk.
 */

/* Room for a captured stdout. */
#define OUT_LEN (1 << 20)
/* compare.csv's columns. */
#define COMPARE_NCOLS_EXPECTED 23

/* The test's temporary folder (created in the group setup). */
struct fixture {
	char root[64];            /* mkdtemp folder holding every test's runs */
};

/* One key of a synthetic run. */
struct spec {
	const char *bench;        /* family */
	const char *variant;      /* primitive */
	const char *metric;       /* metric name */
	unsigned rounds;          /* rounds */
	unsigned per;             /* samples per round */
	double mu;                /* true centre */
	double between;           /* relative sd shared by a round */
	uint64_t seed;            /* PRNG seed of this key's samples */
	const char *status;       /* summary status; NULL = ok */
};

/* Ways to spoil a run for the bad-input tests. */
enum flaw { FLAW_NONE, FLAW_NO_VALUE_COL, FLAW_BAD_SCHEMA, FLAW_NAN, FLAW_SCHEMA3,
	    FLAW_BAD_ROUND, FLAW_RUN_ID, FLAW_SCHEMA1 };

static void path_join(char *buf, size_t len, const char *a, const char *b)
{
	assert_true((size_t)snprintf(buf, len, "%s/%s", a, b) < len);
}

/* Write meta.csv, summary.csv and samples.csv of one run into dir. */
static void write_run(const char *dir, const char *accel, const char *complete,
		      const struct spec *sp, size_t nsp, enum flaw flaw)
{
	const char *schema = flaw == FLAW_SCHEMA3 ? "3" : flaw == FLAW_SCHEMA1 ? "1" : "2";
	char path[512];
	struct stats_rng r;
	FILE *f;
	size_t i;

	assert_int_equal(mkdir(dir, 0755), 0);

	path_join(path, sizeof(path), dir, "meta.csv");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "key,value\nschema,%s\nrun_id,r\nhost,testhost\n"
		"kernel_release,%s\ncomplete,%s\ntsc_hz,2000000000\n", schema,
		strstr(dir, "cand") ? "6.6.0" : "6.1.0", complete);
	if (accel) /* NULL: a run from before meta had accel */
		fprintf(f, "accel,%s\n", accel);
	fclose(f);

	path_join(path, sizeof(path), dir, "summary.csv");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "schema,run_id,bench,variant,sweep,x,placement,metric,unit,n,iters,"
		"min,p50,mean,p90,p99,max,stddev,mad,ci95_lo,ci95_hi,cv_pct,"
		"validation,status,note,rounds,between_cv_pct\n");
	for (i = 0; i < nsp; i++)
		fprintf(f, "%s,r,%s,%s,,,single,%s,ns,%u,1,,,,,,,,,,,,n/a,%s,%s,%u,\n",
			schema, sp[i].bench, sp[i].variant, sp[i].metric, sp[i].rounds * sp[i].per,
			sp[i].status ? sp[i].status : "ok",
			sp[i].status ? "\"no such primitive, here\"" : "", sp[i].rounds);
	fclose(f);

	path_join(path, sizeof(path), dir, "samples.csv");
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "schema,run_id,bench,variant,sweep,x,placement,metric,sample,iters%s%s\n",
		flaw == FLAW_NO_VALUE_COL ? ",val" : ",value",
		flaw == FLAW_SCHEMA1 ? "" : ",round");
	for (i = 0; i < nsp; i++) {
		stats_rng_seed(&r, sp[i].seed);
		for (unsigned k = 1; k <= sp[i].rounds; k++) {
			double centre = sp[i].mu * (1.0 + sp[i].between * gauss(&r));

			for (unsigned j = 0; j < sp[i].per; j++) {
				double v = centre * (1.0 + 0.002 * gauss(&r));

				fprintf(f, "%s,%s,%s,%s,,,single,%s,%u,1000,",
					flaw == FLAW_BAD_SCHEMA && j == 1 ? "one" : schema,
					flaw == FLAW_RUN_ID && k == 2 ? "other" : "r",
					sp[i].bench, sp[i].variant, sp[i].metric, j);
				if (flaw == FLAW_NAN && j == 1)
					fprintf(f, "nan");
				else
					fprintf(f, "%.17g", v);
				if (flaw == FLAW_BAD_ROUND && k == 2)
					fprintf(f, ",two\n");
				else if (flaw != FLAW_SCHEMA1)
					fprintf(f, ",%u\n", k);
				else
					fprintf(f, "\n");
			}
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
 * into buf; "" if the key is absent.  Also checks the column count. */
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

/* A field of the first compare.csv row of (bench, variant). */
static void field_of(const char *path, const char *variant, const char *col, char *buf,
		     size_t len)
{
	struct csv_table t;
	int cv, cc;

	assert_int_equal(csv_table_load(&t, path), 0);
	cv = csv_table_col(&t, "variant");
	cc = csv_table_col(&t, col);
	assert_true(cv >= 0 && cc >= 0);
	buf[0] = 0;
	for (size_t i = 0; i < t.nrows; i++)
		if (strcmp(t.rows[i][cv], variant) == 0) {
			snprintf(buf, len, "%s", t.rows[i][cc]);
			break;
		}
	csv_table_free(&t);
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

/* Ten keys, 5 rounds of 6 samples, 1% round noise. */
static void ten_keys(struct spec *sp, uint64_t seed, double shift0)
{
	static const char *const variants[10] = { "fork", "vfork", "clone", "spawn",
		"a", "b", "c", "d", "e", "f" };

	for (size_t i = 0; i < 10; i++)
		sp[i] = (struct spec){ "proc_create", variants[i], "ns_per_op", 5, 6,
				       1000.0 * (double)(i + 1) * (i == 0 ? 1.0 + shift0 : 1.0),
				       0.01, seed + i, NULL };
}

/* A/A: exit 0, nothing claimed, nothing written anywhere. */
static void test_cmd_identical(void **state)
{
	struct spec b[10], c[10];
	char base[256], cand[256], out[OUT_LEN], err[4096];
	const char *argv[] = { "compare", NULL, NULL };

	case_dirs(state, "identical", base, cand, sizeof(base));
	ten_keys(b, 100, 0);
	ten_keys(c, 200, 0);
	write_run(base, "kvm", "true", b, 10, FLAW_NONE);
	write_run(cand, "kvm", "true", c, 10, FLAW_NONE);
	argv[1] = base;
	argv[2] = cand;
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 3, argv), 0);
	assert_non_null(strstr(out, "Result: pass"));
	assert_non_null(strstr(out, "0 slower, 0 faster, 10 same"));
	/* The fingerprint names the kernel change. */
	assert_non_null(strstr(out, "kernel_release"));
	assert_non_null(strstr(out, "Benjamini-Hochberg"));
	assert_string_equal(err, "");
	/* compare changes no run: no file in either folder. */
	assert_int_equal(count_entries(cand), 3);
	assert_int_equal(count_entries(base), 3);
}

/* A 10% shift of one key: exit 1, slower in compare.csv (--out). */
static void test_cmd_shift_found(void **state)
{
	struct spec b[10], c[10];
	char base[256], cand[256], csv[320], v[32], out[OUT_LEN], err[4096];
	const char *argv[] = { "compare", "--out", csv, base, cand };

	case_dirs(state, "shift", base, cand, sizeof(base));
	ten_keys(b, 100, 0);
	ten_keys(c, 200, 0.10);
	write_run(base, "kvm", "true", b, 10, FLAW_NONE);
	write_run(cand, "kvm", "true", c, 10, FLAW_NONE);
	path_join(csv, sizeof(csv), base, "../compare.csv");
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 5, argv), 1);
	verdict_of(csv, "proc_create", "fork", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "slower");
	verdict_of(csv, "proc_create", "vfork", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "same");
	assert_non_null(strstr(out, "Result: REGRESSION"));
	/* By default only what matters is listed: the one slower key. */
	assert_non_null(strstr(out, "(1 of 10 keys listed"));
}

/* Several runs a side pool their rounds: after `--`, or as a folder that
 * holds runs. */
static void test_cmd_several_runs(void **state)
{
	const struct fixture *fx = *state;
	struct spec b[10];
	char dir[256], b1[300], b2[300], c1[300], c2[300], out[OUT_LEN], err[4096], csv[320],
		v[32];
	const char *argv[] = { "compare", "--out", csv, b1, b2, "--", c1, c2 };
	const char *argv2[] = { "compare", "--out", csv, NULL, NULL };

	path_join(dir, sizeof(dir), fx->root, "several");
	assert_int_equal(mkdir(dir, 0755), 0);
	path_join(b1, sizeof(b1), dir, "base1");
	path_join(b2, sizeof(b2), dir, "base2");
	path_join(c1, sizeof(c1), dir, "cands");
	assert_int_equal(mkdir(c1, 0755), 0);
	path_join(c2, sizeof(c2), c1, "cand2");
	path_join(c1, sizeof(c1), dir, "cands/cand1");
	path_join(csv, sizeof(csv), dir, "compare.csv");
	ten_keys(b, 10, 0);
	write_run(b1, "kvm", "true", b, 10, FLAW_NONE);
	ten_keys(b, 20, 0);
	write_run(b2, "kvm", "true", b, 10, FLAW_NONE);
	ten_keys(b, 30, 0);
	write_run(c1, "kvm", "true", b, 10, FLAW_NONE);
	ten_keys(b, 40, 0);
	write_run(c2, "kvm", "true", b, 10, FLAW_NONE);
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 8, argv), 0);
	field_of(csv, "fork", "base_rounds", v, sizeof(v));
	assert_string_equal(v, "10");
	field_of(csv, "fork", "cand_rounds", v, sizeof(v));
	assert_string_equal(v, "10");
	/* The folder of runs: the same pooling. */
	argv2[3] = b1;
	path_join(c2, sizeof(c2), dir, "cands");
	argv2[4] = c2;
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 5, argv2), 0);
	field_of(csv, "fork", "base_rounds", v, sizeof(v));
	assert_string_equal(v, "5");
	field_of(csv, "fork", "cand_rounds", v, sizeof(v));
	assert_string_equal(v, "10");
}

/* The gate cannot pass by accident: tcg against kvm, every key gone, an
 * empty or incomplete candidate, schema-1 runs (one round: undecidable)
 * each exit 3 with a reason. */
static void gate_case(void **state, const char *name, const char *cand_accel,
		      const char *complete, int cand_keys, const char *cand_status,
		      enum flaw flaw, const char *extra, int want, const char *reason)
{
	struct spec b[10], c[10];
	char base[256], cand[256], out[OUT_LEN], err[4096];
	const char *argv[] = { "compare", NULL, NULL, NULL };
	int argc = 1;

	case_dirs(state, name, base, cand, sizeof(base));
	ten_keys(b, 100, 0);
	ten_keys(c, 200, 0.10);
	static const char *const others[10] = { "o0", "o1", "o2", "o3", "o4", "o5", "o6",
						"o7", "o8", "o9" };

	for (int i = 0; i < 10; i++) {
		if (cand_keys == 0)
			c[i].variant = others[i];
		c[i].status = cand_status;
	}
	write_run(base, flaw == FLAW_SCHEMA1 ? NULL : "kvm", "true", b, 10, flaw);
	write_run(cand, cand_accel, complete, c, 10, flaw);
	if (extra)
		argv[argc++] = extra;
	argv[argc++] = base;
	argv[argc++] = cand;
	if (run_compare(state, out, sizeof(out), err, sizeof(err), argc, argv) != want)
		fail_msg("%s: %s", name, err);
	if (reason) {
		assert_non_null(strstr(out, reason));
		assert_non_null(strstr(err, reason));
	}
}

static void test_cmd_gate(void **state)
{
	gate_case(state, "tcg", "tcg", "true", 1, NULL, FLAW_NONE, NULL,
		  COMPARE_EXIT_INCONCLUSIVE, "different accelerators");
	/* With --force the shift is found. */
	gate_case(state, "tcgforce", "tcg", "true", 1, NULL, FLAW_NONE, "--force", 1, NULL);
	gate_case(state, "allgone", "kvm", "true", 0, NULL, FLAW_NONE, NULL,
		  COMPARE_EXIT_INCONCLUSIVE, "10 gated keys of the base are not in the candidate");
	gate_case(state, "empty", "kvm", "true", 1, "skipped", FLAW_NONE, NULL,
		  COMPARE_EXIT_INCONCLUSIVE, "the candidate has no row that ran");
	gate_case(state, "incomplete", "kvm", "false", 1, NULL, FLAW_NONE, "--threshold=20",
		  COMPARE_EXIT_INCONCLUSIVE, "a candidate run is incomplete");
	gate_case(state, "schema1", NULL, "true", 1, NULL, FLAW_SCHEMA1, NULL,
		  COMPARE_EXIT_INCONCLUSIVE, "0 of 10 gated keys decidable");
	/* --min-decidable 0 accepts what schema-1 runs can give. */
	gate_case(state, "schema1any", NULL, "true", 1, NULL, FLAW_SCHEMA1,
		  "--min-decidable=0", 0, NULL);
}

/* The pull-request comment stays under GitHub's 65,536 characters even when
 * thousands of keys are listed. */
static void test_cmd_md_size(void **state)
{
	enum { NKEY = 2000 };
	static struct spec b[NKEY], c[NKEY];
	static char names[NKEY][16];
	static char out[OUT_LEN];
	char base[256], cand[256], err[4096];
	const char *argv[] = { "compare", "--format", "md", "--all", base, cand };

	case_dirs(state, "mdsize", base, cand, sizeof(base));
	for (int i = 0; i < NKEY; i++) {
		snprintf(names[i], sizeof(names[i]), "v%04d", i);
		/* 30% round noise: every key undecided, with a long note. */
		b[i] = (struct spec){ "ipc_mq", names[i], "ns_per_op", 3, 1, 1000, 0.3,
				      (uint64_t)i, NULL };
		c[i] = b[i];
		c[i].seed += 7777;
	}
	write_run(base, "kvm", "true", b, NKEY, FLAW_NONE);
	write_run(cand, "kvm", "true", c, NKEY, FLAW_NONE);
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 6, argv),
			 COMPARE_EXIT_INCONCLUSIVE);
	assert_true(strlen(out) < 65536);
	assert_non_null(strstr(out, "more rows not shown"));
	assert_non_null(strstr(out, "**Result: INCONCLUSIVE**"));
}

/* --out onto something that is not a regular file writes into it and
 * leaves it what it was; through a symlink, the file it names is written. */
static void test_cmd_out_targets(void **state)
{
	const struct fixture *fx = *state;
	struct spec b[10];
	char base[256], cand[256], out[OUT_LEN], err[4096], link[320], target[320], v[32];
	const char *argv[] = { "compare", "--out", "/dev/null", base, cand };
	struct stat sb;

	case_dirs(state, "outs", base, cand, sizeof(base));
	ten_keys(b, 1, 0);
	write_run(base, "kvm", "true", b, 10, FLAW_NONE);
	ten_keys(b, 2, 0);
	write_run(cand, "kvm", "true", b, 10, FLAW_NONE);
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 5, argv), 0);
	assert_int_equal(stat("/dev/null", &sb), 0);
	assert_true(S_ISCHR(sb.st_mode));
	path_join(target, sizeof(target), fx->root, "outs/real.csv");
	path_join(link, sizeof(link), fx->root, "outs/link.csv");
	assert_int_equal(symlink(target, link), 0);
	argv[2] = link;
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 5, argv), 0);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	verdict_of(target, "proc_create", "fork", "ns_per_op", v, sizeof(v));
	assert_string_equal(v, "same");
}

/* Each bad input: exit 2, one line on stderr, nothing on stdout, no file. */
static void bad_case(void **state, const char *name, enum flaw bflaw, enum flaw cflaw,
		     int remove_base, const char *want)
{
	struct spec s = { "mm_cow", "write", "ns_per_op", 3, 2, 100, 0.01, 5, NULL };
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
	const char *argv2[] = { "compare", "a", "--", "b", "--", "c" };
	const char *argv3[] = { "compare", "a" };

	bad_case(state, "nocol", FLAW_NONE, FLAW_NO_VALUE_COL, 0, "missing column 'value'");
	bad_case(state, "schema", FLAW_BAD_SCHEMA, FLAW_NONE, 0, "schema 'one'");
	bad_case(state, "nan", FLAW_NONE, FLAW_NAN, 0, "value 'nan'");
	bad_case(state, "nofolder", FLAW_NONE, FLAW_NONE, 1, "base folder");
	bad_case(state, "schema3", FLAW_NONE, FLAW_SCHEMA3, 0, "schema 3 is newer");
	bad_case(state, "round", FLAW_NONE, FLAW_BAD_ROUND, 0, "round 'two'");
	bad_case(state, "runid", FLAW_RUN_ID, FLAW_NONE, 0, "run_id 'other'");
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 5, argv), 2);
	assert_non_null(strstr(err, "--format 'html'"));
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 6, argv2), 2);
	assert_non_null(strstr(err, "a second '--'"));
	assert_int_equal(run_compare(state, out, sizeof(out), err, sizeof(err), 2, argv3), 2);
	assert_non_null(strstr(err, "expected BASE CAND"));
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

/* Otsu's split by hand: logs {0, 0, 0, 1, 1, 1} split before index 3,
 * at 0.5, with the groups' means e apart; equal values do not split. */
static void test_probe_split(void **state)
{
	const double two[] = { 0, 0, 0, 1, 1, 1 }, flat[] = { 2, 2, 2, 2 };
	const double skew[] = { 0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.7 };
	double cut = NAN, ratio = NAN;

	(void)state;
	assert_int_equal(compare_probe_split(two, 6, &cut, &ratio), 3);
	assert_close(cut, 0.5, 1e-12);
	assert_close(ratio, exp(1.0), 1e-12);
	assert_int_equal(compare_probe_split(flat, 4, &cut, &ratio), 4);
	assert_close(ratio, 1.0, 0);
	/* One outlier: the split isolates it (the share rule then refuses
	 * a group of 1 in 10 only below COMPARE_PROBE_MIN_SHARE). */
	assert_int_equal(compare_probe_split(skew, 10, &cut, &ratio), 9);
	assert_close(cut, (0.08 + 0.7) / 2, 1e-12);
}

/* Probe samples of two keys on each side: `slow_base` and `slow_cand` of
 * every 10 samples at 1.5 ns a turn, the rest at 0.7, each +-1%. */
static void host_sides(struct side *s, unsigned slow, uint64_t seed)
{
	struct stats_rng r;

	stats_rng_seed(&r, seed);
	s->n = 0;
	for (unsigned k = 0; k < 50; k++) {
		s->v[s->n] = (k % 10 < slow ? 1.5 : 0.7) * (1.0 + 0.01 * gauss(&r));
		s->round[s->n++] = k / 10 + 1;
	}
}

static void test_host_state(void **state)
{
	static struct side b[2], c[2], t;
	struct compare_item it[3];
	struct compare_host h;
	struct compare_summary s;
	struct compare_opts o;

	(void)state;
	host_sides(&b[0], 2, 1);
	host_sides(&b[1], 2, 2);
	host_sides(&c[0], 6, 3);
	host_sides(&c[1], 6, 4);
	it[0] = item_of("syscall_getppid", "getppid", COMPARE_PROBE_METRIC, &b[0], &c[0]);
	it[1] = item_of("sem", "post_wait", COMPARE_PROBE_METRIC, &b[1], &c[1]);
	gen_side(&t, 200, 5, 2, 0.01, 0.01, 9);
	it[2] = item_of("sem", "post_wait", "ns_per_op", &t, &t);
	assert_int_equal(compare_host_state(it, 3, &h), 0);
	assert_int_equal(h.n[0], 100);
	assert_int_equal(h.n[1], 100);
	assert_true(h.split);
	assert_true(h.cut > 0.75 && h.cut < 1.4);
	assert_close(h.ratio, 1.5 / 0.7, 0.05);
	assert_close(h.slow_pct[0], 20.0, 1e-9);
	assert_close(h.slow_pct[1], 60.0, 1e-9);

	/* One speed on both sides: no split, medians only. */
	host_sides(&b[0], 0, 5);
	host_sides(&c[0], 0, 6);
	assert_int_equal(compare_host_state(it, 1, &h), 0);
	assert_false(h.split);
	assert_close(h.p50[0], 0.7, 0.02);
	assert_close(h.p50[1], 0.7, 0.02);
	assert_true(isnan(h.slow_pct[0]));

	/* No probe at all (schema-1 runs, older runs): nothing. */
	assert_int_equal(compare_host_state(&it[2], 1, &h), 0);
	assert_int_equal(h.n[0] + h.n[1], 0);

	/* The probe is never judged: n/a, not tested, in no BH family. */
	compare_opts_default(&o);
	assert_int_equal(compare_evaluate(it, 3, &o, &s), 0);
	assert_int_equal(it[0].verdict, COMPARE_NA);
	assert_false(it[0].tested);
	assert_int_equal(s.counter_tested, 0);
	assert_int_equal(s.gated_tested, 1);
	compare_summary_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_mde),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_geomean),
		cmocka_unit_test(test_probe_split),
		cmocka_unit_test(test_host_state),
		cmocka_unit_test(test_core_aa_round_shifts),
		cmocka_unit_test(test_core_real_shift),
		cmocka_unit_test(test_core_hand_values),
		cmocka_unit_test(test_core_few_rounds),
		cmocka_unit_test(test_core_planted_getppid),
		cmocka_unit_test(test_core_undecided),
		cmocka_unit_test(test_core_many_changed),
		cmocka_unit_test(test_core_presence_and_status),
		cmocka_unit_test(test_cmd_identical),
		cmocka_unit_test(test_cmd_shift_found),
		cmocka_unit_test(test_cmd_several_runs),
		cmocka_unit_test(test_cmd_gate),
		cmocka_unit_test(test_cmd_md_size),
		cmocka_unit_test(test_cmd_out_targets),
		cmocka_unit_test(test_cmd_bad_inputs),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
