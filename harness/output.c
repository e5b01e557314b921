/*
 * output.c - the CSV writer of a run (see output.h for the guarantees).
 * It is handed finished rows: samples as each visit ends, summary rows
 * (computed by summarise.c) once the rounds are over.
 */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "fileio.h"

static const char *const summary_header[] = {
	"schema", "run_id", "bench", "variant", "sweep", "x", "placement", "metric", "unit",
	"n", "iters", "min", "p50", "mean", "p90", "p99", "max", "stddev", "mad",
	"ci95_lo", "ci95_hi", "cv_pct", "validation", "status", "note", "rounds",
	"between_cv_pct",
};
#define SUMMARY_COLS (sizeof(summary_header) / sizeof(summary_header[0]))

static const char *const samples_header[] = {
	"schema", "run_id", "bench", "variant", "sweep", "x", "placement", "metric",
	"sample", "iters", "value", "round",
};
#define SAMPLES_COLS (sizeof(samples_header) / sizeof(samples_header[0]))

static const char *const status_name[] = { "ok", "skipped", "failed", "timeout" };
static const char *const valid_name[] = { "n/a", "pass", "fail" };

/* Host and kernel as they may appear in a folder name. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '-'))
			*s = '-';
}

/* UTC now: "20261121T233000Z" for folder names (compact) or ISO 8601. */
static void utc_now(char *buf, size_t len, bool compact)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	if (compact)
		strftime(buf, len, "%Y%m%dT%H%M%SZ", &tm);
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_buf(int fd, const struct csv_buf *b)
{
	return fileio_write_all(fd, b->data, b->len);
}

static int open_csv(const char *dir, const char *name, const char *const *hdr, size_t n)
{
	char path[PATH_MAX + 64], tmp[PATH_MAX + 64];
	struct csv_buf b = { 0 };
	int fd, rc;

	/* Written under a temporary name and renamed once the header is in:
	 * a run killed in between never leaves an empty or half-headed CSV
	 * (the fd stays valid across the rename). */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = csv_buf_row(&b, hdr, n);
	if (rc == 0)
		rc = write_buf(fd, &b);
	csv_buf_free(&b);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fd);
		unlink(tmp);
		return rc;
	}
	return fd;
}

/* meta.csv replaced atomically (fileio_replace), so a reader never sees
 * half of it. */
static int write_meta(const char *dir, const struct meta *m)
{
	char path[PATH_MAX + 64];
	struct csv_buf b = { 0 };
	const char *hdr[] = { "key", "value" };
	int rc;

	snprintf(path, sizeof(path), "%s/meta.csv", dir);
	rc = csv_buf_row(&b, hdr, 2);
	for (size_t i = 0; rc == 0 && i < m->n; i++) {
		const char *row[2] = { m->kv[i].key, m->kv[i].value };

		rc = csv_buf_row(&b, row, 2);
	}
	if (rc == 0)
		rc = fileio_replace(path, b.data, b.len, 0);
	csv_buf_free(&b);
	return rc;
}

/* Undo a failed output_open: nothing of the run may be left behind. */
static void discard_partial(struct output *o)
{
	static const char *const files[] = {
		"summary.csv", "samples.csv", "meta.csv", "summary.csv.tmp", "samples.csv.tmp",
	};
	char path[PATH_MAX + 64];

	if (o->summary_fd >= 0)
		close(o->summary_fd);
	if (o->samples_fd >= 0)
		close(o->samples_fd);
	o->summary_fd = o->samples_fd = -1;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", o->tmp, files[i]);
		unlink(path);
	}
	rmdir(o->tmp);
}

/* The folder exists: write meta (complete=false) and the CSV headers. */
static int open_files(struct output *o, struct meta *meta)
{
	char stamp[32];
	int rc;

	rc = meta_set(meta, "schema", "%d", OUTPUT_SCHEMA);
	rc |= meta_set(meta, "run_id", "%s", o->run_id);
	utc_now(stamp, sizeof(stamp), false);
	rc |= meta_set(meta, "started_utc", "%s", stamp);
	rc |= meta_set(meta, "finished_utc", "%s", "");
	rc |= meta_set(meta, "complete", "false");
	if (rc)
		return -ENOMEM;
	rc = write_meta(o->tmp, meta);
	if (rc < 0)
		return rc;
	o->summary_fd = open_csv(o->tmp, "summary.csv", summary_header, SUMMARY_COLS);
	if (o->summary_fd < 0)
		return o->summary_fd;
	o->samples_fd = open_csv(o->tmp, "samples.csv", samples_header, SAMPLES_COLS);
	if (o->samples_fd < 0)
		return o->samples_fd;
	return 0;
}

int output_open(struct output *o, const char *parent, struct meta *meta)
{
	char host[128], kernel[128], stamp[32];
	struct stat st;
	int rc;

	memset(o, 0, sizeof(*o));
	o->summary_fd = o->samples_fd = -1;
	o->meta = meta;
	snprintf(host, sizeof(host), "%s", meta_get(meta, "host") ? meta_get(meta, "host") : "host");
	snprintf(kernel, sizeof(kernel), "%s",
		 meta_get(meta, "kernel_release") ? meta_get(meta, "kernel_release") : "kernel");
	sanitize(host);
	sanitize(kernel);

	if (mkdir(parent, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (stat(parent, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* The name has one-second resolution: a run started in the same
	 * second as another into the same folder waits for the next second
	 * rather than change the name's format.  mkdir() is the lock. */
	for (int tries = 0;; tries++) {
		utc_now(stamp, sizeof(stamp), true);
		snprintf(o->run_id, sizeof(o->run_id), "%s_%s_%s", host, kernel, stamp);
		snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.partial", parent, o->run_id);
		snprintf(o->final, sizeof(o->final), "%s/%s", parent, o->run_id);
		if (access(o->final, F_OK) == 0)
			errno = EEXIST;
		else if (mkdir(o->tmp, 0755) == 0)
			break;
		if (errno != EEXIST || tries == 5)
			return -errno;
		sleep(1);
	}
	rc = open_files(o, meta);
	if (rc < 0)
		discard_partial(o);
	return rc;
}

/* The key columns shared by both files. */
struct row_key {
	char schema[8], x[40];
	const char *bench, *variant, *sweep, *placement;
};

static void row_key(struct row_key *k, const struct runner_config *c)
{
	snprintf(k->schema, sizeof(k->schema), "%d", OUTPUT_SCHEMA);
	k->bench = c->desc->name;
	k->variant = c->var->name;
	k->sweep = c->has_x ? c->var->sweep : "";
	if (c->has_x)
		csv_fmt_double(k->x, sizeof(k->x), c->x);
	else
		k->x[0] = 0;
	k->placement = topo_placement_name(c->place.kind);
}

/* Append one summary row; NAN fields are written empty. */
static int summary_row(struct csv_buf *b, const char *run_id, const struct row_key *k,
		       const struct summ_row *r)
{
	char num[14][40], iters[24];
	const struct stats_summary *s = &r->s;
	const double v[12] = { NAN, s->min, s->p50, s->mean, s->p90, s->p99, s->max,
			       s->stddev, s->mad, s->ci95_lo, s->ci95_hi, s->cv_pct };
	const char *row[SUMMARY_COLS];

	snprintf(num[0], sizeof(num[0]), "%zu", s->n);
	for (int i = 1; i < 12; i++)
		csv_fmt_double(num[i], sizeof(num[i]), v[i]);
	iters[0] = 0;
	if (r->iters)
		snprintf(iters, sizeof(iters), "%llu", (unsigned long long)r->iters);
	num[12][0] = 0;
	if (r->rounds)
		snprintf(num[12], sizeof(num[12]), "%u", r->rounds);
	csv_fmt_double(num[13], sizeof(num[13]), r->between_cv_pct);
	row[0] = k->schema;
	row[1] = run_id;
	row[2] = k->bench;
	row[3] = k->variant;
	row[4] = k->sweep;
	row[5] = k->x;
	row[6] = k->placement;
	row[7] = r->metric;
	row[8] = r->unit;
	row[9] = num[0];
	row[10] = iters;
	for (int i = 1; i < 12; i++)
		row[10 + i] = num[i];
	row[22] = valid_name[r->valid];
	row[23] = status_name[r->status];
	row[24] = r->note;
	row[25] = num[12];
	row[26] = num[13];
	return csv_buf_row(b, row, SUMMARY_COLS);
}

/* samples.csv rows: values v[0..n) with their rounds (round NULL: all in
 * one_round, numbered from 0 within it; else one value per round, each
 * sample 0) and iterations (iters NULL: the column is empty). */
static int samples_rows(struct csv_buf *b, const char *run_id, const struct row_key *k,
			const char *metric, const double *v, const unsigned *round,
			unsigned one_round, const uint64_t *iters, size_t n)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		char idx[24], it[24], val[40], rnd[16];
		const char *row[SAMPLES_COLS] = {
			k->schema, run_id, k->bench, k->variant, k->sweep, k->x,
			k->placement, metric, idx, it, val, rnd,
		};

		snprintf(idx, sizeof(idx), "%zu", round ? 0 : i);
		it[0] = 0;
		if (iters)
			snprintf(it, sizeof(it), "%llu", (unsigned long long)iters[i]);
		csv_fmt_double(val, sizeof(val), v[i]);
		snprintf(rnd, sizeof(rnd), "%u", round ? round[i] : one_round);
		rc = csv_buf_row(b, row, SAMPLES_COLS);
	}
	return rc;
}

/* Cut a file back to `at` bytes after a failed append. */
static void rollback(int fd, off_t at)
{
	if (at >= 0 && ftruncate(fd, at) == 0)
		lseek(fd, at, SEEK_SET);
}

/*
 * Append rows to both files.  A full disk can make write() stop mid-row;
 * both files are then cut back to where they were, so that neither ends
 * in half a row (which a reader could take for a short number) and
 * summary.csv never has rows whose samples are missing.
 */
static int flush_bufs(struct output *o, struct csv_buf *sum, struct csv_buf *smp)
{
	off_t sum_at = lseek(o->summary_fd, 0, SEEK_CUR);
	off_t smp_at = lseek(o->samples_fd, 0, SEEK_CUR);
	int rc = write_buf(o->samples_fd, smp);

	if (rc == 0)
		rc = write_buf(o->summary_fd, sum);
	if (rc < 0) {
		rollback(o->summary_fd, sum_at);
		rollback(o->samples_fd, smp_at);
		if (!o->err)
			o->err = rc;
	}
	return rc;
}

int output_visit(struct output *o, unsigned round, const struct runner_result *r)
{
	struct csv_buf sum = { 0 }, smp = { 0 };
	struct row_key k;
	int rc = 0;

	if (o->err)
		return o->err;
	row_key(&k, r->cfg);
	for (size_t i = 0; rc == 0 && i < r->nmetrics; i++) {
		const struct runner_metric *m = &r->metric[i];

		/* Unnamed (a visit cut short): summarise drops them too. */
		if (!m->name[0])
			continue;
		rc = samples_rows(&smp, o->run_id, &k, m->name, m->v, NULL, round,
				  m->counted ? r->count_iters : r->iters, m->n);
	}
	if (rc == 0)
		rc = flush_bufs(o, &sum, &smp);
	csv_buf_free(&smp);
	return rc;
}

int output_row(void *arg, const struct summ_row *r)
{
	struct output *o = arg;
	struct csv_buf sum = { 0 }, smp = { 0 };
	struct row_key k;
	int rc;

	if (o->err)
		return o->err;
	row_key(&k, r->cfg);
	if (r->fit)
		k.x[0] = 0;
	rc = summary_row(&sum, o->run_id, &k, r);
	if (rc == 0 && r->fit_n)
		rc = samples_rows(&smp, o->run_id, &k, r->metric, r->fit_v, r->fit_round, 0,
				  NULL, r->fit_n);
	if (rc == 0)
		rc = flush_bufs(o, &sum, &smp);
	csv_buf_free(&sum);
	csv_buf_free(&smp);
	return rc;
}

int output_close(struct output *o, bool complete)
{
	int fds[2] = { o->summary_fd, o->samples_fd }, mrc, rc = 0;
	char stamp[32];

	/* Every fd is closed even when a sync fails; the first error wins. */
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		if (fsync(fds[i]) < 0 && !rc)
			rc = -errno;
		if (close(fds[i]) < 0 && !rc)
			rc = -errno;
	}
	o->summary_fd = o->samples_fd = -1;
	if (o->err || rc)
		complete = false;
	utc_now(stamp, sizeof(stamp), false);
	if (meta_set(o->meta, "finished_utc", "%s", stamp) < 0 ||
	    meta_set(o->meta, "complete", "%s", complete ? "true" : "false") < 0)
		rc = rc ? rc : -ENOMEM;
	/* write_meta's own errno (ENOSPC on a full disk), not a generic EIO. */
	mrc = write_meta(o->tmp, o->meta);
	if (mrc < 0 && !rc)
		rc = mrc;
	if (rename(o->tmp, o->final) < 0 && !rc)
		rc = -errno;
	return o->err ? o->err : rc;
}
