/*
 * compare.h - runs of a base and a candidate -> per-key changes judged on
 * rounds, a verdict per key, and a gate.
 *
 * Two layers.  The core (compare_evaluate) takes keys that already hold
 * both sides' samples, each tagged with its round, and fills in round
 * medians, change, CI, p-values, minimum detectable effects and verdicts;
 * it touches no file and is what the unit tests drive with known truth.
 * The command (compare_cmd) loads the runs, joins them into keys, calls
 * the core and reports.  The method is written out at the top of
 * compare_verdict.c.
 */
#ifndef PRIMBENCH_COMPARE_H
#define PRIMBENCH_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* The schema of compare.csv itself (its first column). */
#define COMPARE_SCHEMA "2"
/* Fewest rounds a side needs before a key is tested. */
#define COMPARE_MIN_ROUNDS 3
/* Defaults of the command-line options. */
#define COMPARE_DEFAULT_THRESHOLD_PCT 5.0
#define COMPARE_DEFAULT_ALPHA 0.05
#define COMPARE_DEFAULT_MIN_DECIDABLE_PCT 50.0

/* The per-sample host probe (measure.c): read for the host-state line,
 * never judged as a key. */
#define COMPARE_PROBE_METRIC "host_probe_ns"
/* The probe's samples split into two host states when the means of the
 * two groups are at least this far apart (ratio) ... */
#define COMPARE_PROBE_SPLIT_RATIO 1.3
/* ... and each group holds at least this share of all probe samples. */
#define COMPARE_PROBE_MIN_SHARE 0.02
/* The sides' shares of slow-state samples differing by more than this
 * (percentage points) is a warning: the timings are not like for like. */
#define COMPARE_PROBE_SHARE_DIFF_PCT 10.0

/* Exit status of compare: the gate could not judge (keys gone, an
 * incomplete or empty candidate, too few decidable keys). */
#define COMPARE_EXIT_INCONCLUSIVE 3

enum compare_verdict {
	COMPARE_FASTER,    /* significant change past the threshold, better */
	COMPARE_SLOWER,    /* significant change past the threshold, worse */
	COMPARE_SAME,      /* tested; no change past the threshold, and one would have been seen */
	COMPARE_UNDECIDED, /* tested; no verdict, and the runs could not have seen one */
	COMPARE_NEW,       /* key only in the candidate */
	COMPARE_GONE,      /* key only in the base */
	COMPARE_SKIPPED,   /* a side's status is skipped/failed/timeout */
	COMPARE_NA,        /* no test possible (too few rounds, not comparable) */
	COMPARE_NVERDICTS  /* number of verdicts; not a verdict */
};

/* Knobs of one comparison. */
struct compare_opts {
	double threshold_pct;  /* |change| must exceed this to be a verdict */
	double alpha;          /* false discovery rate of the Benjamini-Hochberg step */
	int comparable;        /* 0: timings not comparable, every key is n/a */
	const char *na_note;   /* the reason given when comparable == 0 */
};

/* One joined key: inputs set by the caller, outputs by compare_evaluate.
 * The strings and arrays are borrowed, never freed here. */
struct compare_item {
	const char *bench;       /* benchmark family, the geomean's grouping */
	const char *variant;     /* primitive within the family */
	const char *sweep;       /* swept parameter name, "" if none */
	const char *x;           /* swept value as written, "" if none */
	const char *placement;   /* worker placement */
	const char *metric;      /* metric name; decides direction and gating */
	const char *unit;        /* unit from summary.csv, "" if unknown */
	const double *base;      /* base samples, grouped by round */
	const unsigned *base_round; /* round id of each base sample (equal ids adjacent) */
	size_t base_n;           /* number of base samples */
	const double *cand;      /* candidate samples, grouped by round */
	const unsigned *cand_round; /* round id of each candidate sample */
	size_t cand_n;           /* number of candidate samples */
	int in_base;             /* key present in the base runs */
	int in_cand;             /* key present in the candidate runs */
	const char *skip_note;   /* non-NULL: a side did not run ok; the reason */
	const char *extra_note;  /* non-NULL: appended to the note (validation) */

	int higher_is_better;    /* out: metric improves upward (throughput) */
	int gated;               /* out: the configuration's one gated decision */
	int tested;              /* out: reached the test */
	size_t base_rounds;      /* out: rounds on the base side */
	size_t cand_rounds;      /* out: rounds on the candidate side */
	double base_p50;         /* out: median of base samples, NAN if none */
	double cand_p50;         /* out: median of candidate samples, NAN if none */
	double change_pct;       /* out: 100 * (exp(mean log cand rm - mean log base rm) - 1) */
	double ci95_lo_pct;      /* out: 95% CI of change_pct, low end */
	double ci95_hi_pct;      /* out: 95% CI of change_pct, high end */
	double p_value;          /* out: two-sided Welch t p-value on log round medians */
	double p_adj;            /* out: Benjamini-Hochberg adjusted p within its family */
	double se_log;           /* out: standard error of the log ratio */
	double df;               /* out: Welch degrees of freedom */
	double mde_pct;          /* out: smallest |change| this pair could have called */
	enum compare_verdict verdict; /* out: the verdict */
	char note[256];          /* out: why, for anything a reader would ask about */
};

/* Geometric mean of oriented ratios (>1 = slower) over a group of keys. */
struct compare_geo {
	const char *family;      /* bench family, or NULL for all gated keys */
	size_t k;                /* keys in the mean */
	double geomean;          /* exp(mean(log r)); NAN if k == 0 */
	double lo;               /* 95% t-interval on log r, exponentiated; NAN if k < 2 */
	double hi;               /* upper end of that interval */
	double mde_median;       /* median mde_pct of the group's tested gated
				  * keys (in the geomean or not); NAN if none */
};

/* What a whole comparison found. */
struct compare_summary {
	size_t count[COMPARE_NVERDICTS]; /* keys per verdict, gated or not */
	size_t gated_count[COMPARE_NVERDICTS]; /* gated keys per verdict */
	size_t gated_tested;     /* gated keys in the BH family */
	size_t counter_tested;   /* other keys in their own BH family */
	size_t gated_present;    /* gated keys that ran ok on both sides */
	size_t gated_decidable;  /* of those, faster/slower/same */
	int regression;          /* some gated key is slower */
	struct compare_geo overall;      /* over every tested gated key */
	struct compare_geo *family;      /* per bench family, in first-seen order */
	size_t nfamily;          /* entries in family */
};

/* The host's state during both sides' samples, from their probe. */
struct compare_host {
	size_t n[2];             /* probe samples: base, candidate (0: no probe) */
	double p50[2];           /* their medians, ns per turn; NAN if none */
	int split;               /* the pooled samples fall into two speeds */
	double cut;              /* ns per turn between them (split only) */
	double ratio;            /* mean of the slow group / mean of the fast one */
	double slow_pct[2];      /* share of each side's samples above cut */
};

/* Name of a verdict as written in compare.csv ("faster", ..., "n/a"). */
const char *compare_verdict_name(enum compare_verdict v);
/* Orientation and gating of a key (see the top of compare_verdict.c). */
void compare_classify_metric(const char *bench, const char *metric, int *higher_is_better,
			     int *gated);
/* Fill o with the defaults above (comparable = 1). */
void compare_opts_default(struct compare_opts *o);
/* The pure steps of compare_evaluate, for their unit tests: */
/* The smallest |change| in percent that a key with standard error se_log
 * (of the log ratio) and df degrees of freedom could have called alone in
 * a Benjamini-Hochberg family of m keys at false discovery rate alpha:
 * 100 * (exp(t(1 - alpha / 2m, df) * se_log) - 1). */
double compare_mde_pct(double se_log, double df, size_t m, double alpha);
/* The verdict of a tested key from its p_adj, CI, change, mde_pct and
 * higher_is_better (the rules at the top of compare_verdict.c); the reason
 * for same or undecided is appended to it->note. */
void compare_decide(struct compare_item *it, const struct compare_opts *o);
/* Geometric mean of k log ratios, exp(mean), and its 95% Student t
 * interval over the keys, into g's k, geomean, lo and hi (NAN where k is
 * too small: 0 for the mean, 1 for the interval); g->family untouched. */
void compare_geomean(struct compare_geo *g, const double *logs, size_t k);
/* Evaluate n items in place and summarise them into s (zeroed first; free
 * with compare_summary_free).  0, -EINVAL (bad opts), -ENOMEM. */
int compare_evaluate(struct compare_item *items, size_t n,
		     const struct compare_opts *o, struct compare_summary *s);
void compare_summary_free(struct compare_summary *s);
/* Pool the COMPARE_PROBE_METRIC samples of the items of both sides and
 * describe the host's state into h (the rule at the top of
 * compare_verdict.c).  0 or -ENOMEM. */
int compare_host_state(const struct compare_item *items, size_t n, struct compare_host *h);
/* The split of the logs of a probe's samples, sorted ascending (n >= 2):
 * the cut that maximises the between-group variance (Otsu), into *cut
 * (a log) and the ratio of the groups' geometric means into *ratio; the
 * index of the first value of the upper group is returned. */
size_t compare_probe_split(const double *sorted_logs, size_t n, double *cut, double *ratio);

/* `primbench compare [options] BASE... [--] CAND...`; argv[0] is "compare".
 * Returns the process exit status: 0 no gated regression, 1 a gated key is
 * slower, 2 usage or input error (one line on stderr, nothing written),
 * COMPARE_EXIT_INCONCLUSIVE the gate could not judge. */
int compare_cmd(int argc, char **argv);

#endif
