/*
 * compare.h - two result sets -> per-key deltas, significance and a verdict.
 *
 * Two layers.  The core (compare_evaluate) takes keys that already hold both
 * runs' samples and fills in medians, change, CI, p-values and verdicts; it
 * touches no file and is what the unit tests drive with known truth.  The
 * command (compare_cmd) loads two results folders, joins them into keys,
 * calls the core and writes compare.csv plus a report on stdout.  The method
 * behind a verdict is written out at the top of compare.c.
 */
#ifndef PRIMBENCH_COMPARE_H
#define PRIMBENCH_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* The schema of compare.csv itself (its first column). */
#define COMPARE_SCHEMA "1"
/* Fewest samples a side needs before a verdict is attempted. */
#define COMPARE_MIN_SAMPLES 5
/* Defaults of the command-line options. */
#define COMPARE_DEFAULT_THRESHOLD_PCT 5.0
#define COMPARE_DEFAULT_ALPHA 0.01
#define COMPARE_DEFAULT_REPS 2000u
#define COMPARE_DEFAULT_SEED UINT64_C(0x7072696d62656e63) /* "primbenc" */

enum compare_verdict {
	COMPARE_FASTER,   /* significant change past the threshold, better */
	COMPARE_SLOWER,   /* significant change past the threshold, worse */
	COMPARE_SAME,     /* tested; no significant change past the threshold */
	COMPARE_NEW,      /* key only in the candidate run */
	COMPARE_GONE,     /* key only in the base run */
	COMPARE_SKIPPED,  /* a side's status is skipped/failed/timeout */
	COMPARE_NA,       /* no verdict possible (too few samples, not comparable) */
	COMPARE_NVERDICTS /* number of verdicts; not a verdict */
};

/* Knobs of one comparison. */
struct compare_opts {
	double threshold_pct;  /* |change| must exceed this to be a verdict */
	double alpha;          /* family-wise error rate for the Holm step-down */
	unsigned reps;         /* bootstrap resamples for the ratio CI */
	uint64_t seed;         /* bootstrap seed, the same for every key */
	int comparable;        /* 0: timings not comparable, every tested key is n/a */
	const char *na_note;   /* the reason given when comparable == 0 */
};

/* One joined key: inputs set by the caller, outputs by compare_evaluate.
 * The strings and sample arrays are borrowed, never freed here. */
struct compare_item {
	const char *bench;       /* benchmark family, the geomean's grouping */
	const char *variant;     /* primitive within the family */
	const char *sweep;       /* swept parameter name, "" if none */
	const char *x;           /* swept value as written, "" if none */
	const char *placement;   /* worker placement */
	const char *metric;      /* metric name; decides direction and gating */
	const char *unit;        /* unit from summary.csv, "" if unknown */
	const double *base;      /* base samples (any order) */
	size_t base_n;           /* number of base samples */
	const double *cand;      /* candidate samples (any order) */
	size_t cand_n;           /* number of candidate samples */
	int in_base;             /* key present in the base run */
	int in_cand;             /* key present in the candidate run */
	const char *skip_note;   /* non-NULL: a side did not run ok; the reason */
	const char *extra_note;  /* non-NULL: appended to the note (validation) */

	int higher_is_better;    /* out: metric improves upward (throughput) */
	int gated;               /* out: time/throughput metric: counts for exit status */
	int tested;              /* out: reached the U test and the bootstrap */
	double base_p50;         /* out: median of base, NAN if none */
	double cand_p50;         /* out: median of cand, NAN if none */
	double change_pct;       /* out: 100 * (cand_p50 / base_p50 - 1), NAN if untested */
	double ci95_lo_pct;      /* out: 95% CI of change_pct, low end */
	double ci95_hi_pct;      /* out: 95% CI of change_pct, high end */
	double p_value;          /* out: two-sided Mann-Whitney U p-value */
	double p_adj;            /* out: Holm-adjusted p-value within its family */
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
};

/* What a whole comparison found. */
struct compare_summary {
	size_t count[COMPARE_NVERDICTS]; /* keys per verdict, gated or not */
	size_t gated_tested;     /* gated keys in the Holm family */
	size_t counter_tested;   /* counter keys in their own Holm family */
	int regression;          /* some gated key is slower: exit status 1 */
	struct compare_geo overall;      /* over every gated key with a verdict */
	struct compare_geo *family;      /* per bench family, in first-seen order */
	size_t nfamily;          /* entries in family */
};

/* Name of a verdict as written in compare.csv ("faster", ..., "n/a"). */
const char *compare_verdict_name(enum compare_verdict v);
/* Orientation and gating of a metric name: *_per_s is higher-is-better,
 * everything else lower-is-better; ns_per_*, *_ns and *_per_s gate. */
void compare_classify_metric(const char *metric, int *higher_is_better, int *gated);
/* Fill o with the defaults above (comparable = 1). */
void compare_opts_default(struct compare_opts *o);
/* Evaluate n items in place and summarise them into s (zeroed first; free
 * with compare_summary_free).  0, -EINVAL (bad opts), -ENOMEM. */
int compare_evaluate(struct compare_item *items, size_t n,
		     const struct compare_opts *o, struct compare_summary *s);
void compare_summary_free(struct compare_summary *s);

/* `primbench compare [options] BASE CAND`; argv[0] is "compare".  Returns the
 * process exit status: 0 no gated regression, 1 a gated key is slower,
 * 2 usage or input error (one line on stderr, nothing written). */
int compare_cmd(int argc, char **argv);

#endif
