/*
 * csv.c - CSV writer and reader (RFC 4180 quoting).
 *
 * The writer builds whole rows in memory so that a caller can hand a
 * configuration's rows to one write(): a run killed by SIGKILL then leaves
 * whole rows or none, never half of one.
 *
 * The reader is a four-state machine fed one byte at a time (getc), so it
 * needs no look-ahead buffer of its own and a field may hold any byte but
 * NUL.  It accepts LF and CRLF row ends, and a last row without one.  It
 * rejects rather than guesses: a quote inside an unquoted field, anything
 * but a comma or a row end after a closing quote, a CR not followed by LF
 * outside quotes, a NUL byte, a quote never closed, and anything over
 * CSV_MAX_FIELD / CSV_MAX_FIELDS.  Each error names its line.
 *
 * Numbers are written and parsed with the C library in the "C" locale
 * (primbench never calls setlocale), so the decimal point is always '.'.
 */
#include "csv.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- writer ------------------------------------------------------------ */

/* Bytes field s (of length len) takes on the wire; *quote says whether it
 * must be quoted.  RFC 4180 needs quotes for comma, quote, CR and LF only;
 * quoting nothing else keeps the file easy for awk and gnuplot. */
static size_t csv_wire_len(const char *s, size_t len, int *quote)
{
	size_t quotes = 0, i;

	*quote = strpbrk(s, ",\"\r\n") != NULL;
	if (!*quote)
		return len;
	for (i = 0; i < len; i++)
		quotes += s[i] == '"';
	return len + quotes + 2;
}

int csv_buf_row(struct csv_buf *b, const char *const *fields, size_t n)
{
	size_t need = 0, cap, i;
	char *p;
	int quote;

	if (n == 0 || n > CSV_MAX_FIELDS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const char *s = fields[i] ? fields[i] : "";
		size_t len = strlen(s);

		/* The writer never produces what the reader rejects. */
		if (len > CSV_MAX_FIELD)
			return -EINVAL;
		need += csv_wire_len(s, len, &quote) + 1; /* + ',' or '\n' */
	}
	/* A lone empty field would be an empty line; "" keeps it a row. */
	if (n == 1 && (!fields[0] || !fields[0][0]))
		need += 2;
	if (need > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	if (b->len + need > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + need)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p)
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}

	p = b->data + b->len;
	if (n == 1 && (!fields[0] || !fields[0][0])) {
		*p++ = '"';
		*p++ = '"';
	}
	for (i = 0; i < n; i++) {
		const char *s = fields[i] ? fields[i] : "";
		size_t len = strlen(s), j;

		if (i > 0)
			*p++ = ',';
		csv_wire_len(s, len, &quote);
		if (!quote) {
			memcpy(p, s, len);
			p += len;
			continue;
		}
		*p++ = '"';
		for (j = 0; j < len; j++) {
			if (s[j] == '"')
				*p++ = '"';
			*p++ = s[j];
		}
		*p++ = '"';
	}
	*p++ = '\n';
	b->len = (size_t)(p - b->data);
	return 0;
}

void csv_buf_free(struct csv_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void csv_fmt_double(char *buf, size_t len, double v)
{
	char tmp[CSV_DOUBLE_LEN];
	int prec;

	if (len == 0)
		return;
	if (isnan(v)) {
		buf[0] = '\0';
		return;
	}
	/* 15 significant digits always survive text -> double -> text, so most
	 * measured values print as a person would write them; 17 always
	 * survive double -> text -> double.  Take the first that round-trips.
	 * Formatting into tmp keeps a short caller buffer from spoiling the
	 * check. */
	for (prec = 15; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(tmp, sizeof(tmp), "%.17g", v);
	snprintf(buf, len, "%s", tmp);
}

/* ---- reader ------------------------------------------------------------ */

void csv_reader_init(struct csv_reader *r, FILE *f)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->next_line = 1;
}

/* Record error rc at line, as "line N: what"; it sticks (see csv.h).
 * csv_table_load_stream relies on the "line " prefix. */
__attribute__((format(printf, 4, 5)))
static int csv_reader_fail(struct csv_reader *r, int rc, unsigned long line,
			   const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->err, sizeof(r->err), "line %lu: ", line);
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->nfields = 0;
	r->state = rc;
	return rc;
}

/* Append byte c to the row buffer at *len.  0 or -ENOMEM. */
static int csv_reader_put(struct csv_reader *r, size_t *len, char c)
{
	size_t cap;
	char *p;

	if (*len == r->buf_cap) {
		cap = r->buf_cap ? r->buf_cap * 2 : 256;
		p = realloc(r->buf, cap);
		if (!p)
			return -ENOMEM;
		r->buf = p;
		r->buf_cap = cap;
	}
	r->buf[(*len)++] = c;
	return 0;
}

/* Where the machine is within a row. */
enum csv_state {
	CSV_FIELD_START,       /* before a field's first byte (not yet begun) */
	CSV_UNQUOTED,          /* inside an unquoted field */
	CSV_QUOTED,            /* inside quotes */
	CSV_QUOTE_IN_QUOTED,   /* just after a quote inside quotes: "" or end */
};

int csv_read_row(struct csv_reader *r)
{
	enum csv_state st = CSV_FIELD_START;
	unsigned long line = r->next_line; /* physical line of the byte read */
	unsigned long qline = 0;   /* line of the open quote, for the error */
	size_t len = 0;            /* bytes used in r->buf */
	size_t flen = 0;           /* bytes in the current field */
	int c, rc;

	if (r->state < 0)
		return r->state;
	if (r->state > 0)
		return 0;
	r->nfields = 0;
	r->line = line;
	/* Fixed size: the field count is capped, so grow-on-demand would only
	 * add a path to test. */
	if (!r->off) {
		r->off = malloc(CSV_MAX_FIELDS * sizeof(*r->off));
		if (!r->off)
			return csv_reader_fail(r, -ENOMEM, line,
					       "out of memory");
	}

	for (;;) {
		c = getc(r->f);
		if (c == EOF && ferror(r->f))
			return csv_reader_fail(r, -EIO, line, "read error");
		if (c == '\0')
			return csv_reader_fail(r, -EINVAL, line, "NUL byte");

		if (st == CSV_FIELD_START) {
			/* End of file before a row's first byte: no row. */
			if (c == EOF && r->nfields == 0) {
				r->state = 1;
				return 0;
			}
			if (r->nfields == CSV_MAX_FIELDS)
				return csv_reader_fail(r, -EINVAL, line,
						       "more than %d fields",
						       CSV_MAX_FIELDS);
			r->off[r->nfields] = len;
			flen = 0;
			if (c == '"') {
				st = CSV_QUOTED;
				qline = line;
				continue;
			}
			st = CSV_UNQUOTED;
		} else if (st == CSV_QUOTED) {
			if (c == EOF)
				return csv_reader_fail(r, -EINVAL, qline,
						       "quoted field never closed");
			if (c == '"') {
				st = CSV_QUOTE_IN_QUOTED;
				continue;
			}
			if (c == '\n')
				line++;
			goto put;
		} else if (st == CSV_QUOTE_IN_QUOTED) {
			if (c == '"') {
				st = CSV_QUOTED;
				goto put;
			}
			if (c != ',' && c != '\n' && c != '\r' && c != EOF)
				return csv_reader_fail(r, -EINVAL, line,
						       "byte 0x%02x after closing "
						       "quote (only a comma or "
						       "line end may follow)", c);
		}

		/* CSV_UNQUOTED, or a field that just ended: c ends it or is
		 * one of its bytes. */
		if (c == '"')
			return csv_reader_fail(r, -EINVAL, line,
					       "quote inside an unquoted field");
		if (c == '\r') {
			c = getc(r->f);
			if (c != '\n') {
				if (c == EOF && ferror(r->f))
					return csv_reader_fail(r, -EIO, line,
							       "read error");
				return csv_reader_fail(r, -EINVAL, line,
						       "CR not followed by LF");
			}
		}
		if (c == ',' || c == '\n' || c == EOF) {
			rc = csv_reader_put(r, &len, '\0');
			if (rc < 0)
				return csv_reader_fail(r, rc, line,
						       "out of memory");
			r->nfields++;
			if (c == ',') {
				st = CSV_FIELD_START;
				continue;
			}
			if (c == EOF)
				r->state = 1;  /* getc again could block */
			else
				line++;
			r->next_line = line;
			return 1;
		}
put:
		if (flen == CSV_MAX_FIELD)
			return csv_reader_fail(r, -EINVAL, line,
					       "field longer than %d bytes",
					       CSV_MAX_FIELD);
		rc = csv_reader_put(r, &len, (char)c);
		if (rc < 0)
			return csv_reader_fail(r, rc, line, "out of memory");
		flen++;
	}
}

const char *csv_field(const struct csv_reader *r, size_t i)
{
	if (i >= r->nfields)
		return NULL;
	return r->buf + r->off[i];
}

void csv_reader_free(struct csv_reader *r)
{
	free(r->buf);
	free(r->off);
	r->buf = NULL;
	r->off = NULL;
	r->buf_cap = 0;
	r->nfields = 0;
}

/* ---- table ------------------------------------------------------------- */

/* Copy the reader's current row into one allocation: the pointer array
 * followed by the strings, so a row is freed with one free().  NULL on
 * ENOMEM. */
static char **csv_table_copy_row(const struct csv_reader *r)
{
	const char *last = r->buf + r->off[r->nfields - 1];
	size_t bytes = r->off[r->nfields - 1] + strlen(last) + 1;
	size_t ptrs = r->nfields * sizeof(char *);
	char **row;
	char *s;
	size_t i;

	row = malloc(ptrs + bytes);
	if (!row)
		return NULL;
	s = (char *)row + ptrs;
	memcpy(s, r->buf, bytes);
	for (i = 0; i < r->nfields; i++)
		row[i] = s + r->off[i];
	return row;
}

/* Check that every column has a name and no name repeats: a lookup by name
 * must have exactly one answer.  0 or -EINVAL with t->err set. */
static int csv_table_check_header(struct csv_table *t, const char *name,
				  unsigned long line)
{
	size_t i, j;

	for (i = 0; i < t->ncols; i++) {
		if (!t->header[i][0]) {
			snprintf(t->err, sizeof(t->err),
				 "%s:%lu: column %zu has no name", name, line,
				 i + 1);
			return -EINVAL;
		}
		/* Quadratic, but ncols <= CSV_MAX_FIELDS. */
		for (j = 0; j < i; j++) {
			if (strcmp(t->header[i], t->header[j]) == 0) {
				snprintf(t->err, sizeof(t->err),
					 "%s:%lu: duplicate column \"%s\" "
					 "(columns %zu and %zu)", name, line,
					 t->header[i], j + 1, i + 1);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int csv_table_load_stream(struct csv_table *t, FILE *f, const char *name)
{
	struct csv_reader r;
	size_t cap = 0;
	char ***rows;
	char **row;
	int rc;

	memset(t, 0, sizeof(*t));
	csv_reader_init(&r, f);

	rc = csv_read_row(&r);
	if (rc < 0)
		goto out_reader;
	if (rc == 0) {
		snprintf(t->err, sizeof(t->err), "%s: no header", name);
		rc = -EINVAL;
		goto out_free;
	}
	t->header = csv_table_copy_row(&r);
	if (!t->header)
		goto out_nomem;
	t->ncols = r.nfields;
	rc = csv_table_check_header(t, name, r.line);
	if (rc < 0)
		goto out_free;

	while ((rc = csv_read_row(&r)) == 1) {
		if (r.nfields != t->ncols) {
			snprintf(t->err, sizeof(t->err),
				 "%s:%lu: %zu field%s, header has %zu", name,
				 r.line, r.nfields, r.nfields == 1 ? "" : "s",
				 t->ncols);
			rc = -EINVAL;
			goto out_free;
		}
		if (t->nrows == cap) {
			cap = cap ? cap * 2 : 64;
			rows = realloc(t->rows, cap * sizeof(*rows));
			if (!rows)
				goto out_nomem;
			t->rows = rows;
		}
		row = csv_table_copy_row(&r);
		if (!row)
			goto out_nomem;
		t->rows[t->nrows++] = row;
	}
	if (rc < 0)
		goto out_reader;
	csv_reader_free(&r);
	return 0;

out_nomem:
	snprintf(t->err, sizeof(t->err), "%s:%lu: out of memory", name,
		 r.line);
	rc = -ENOMEM;
	goto out_free;
out_reader:
	/* r.err is "line N: what"; make it "name:N: what", as compilers do. */
	snprintf(t->err, sizeof(t->err), "%s:%s", name,
		 strncmp(r.err, "line ", 5) == 0 ? r.err + 5 : r.err);
out_free:
	csv_reader_free(&r);
	csv_table_free(t);
	return rc;
}

/* What a file that is not a regular one is, for the error message. */
static const char *csv_file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a plain file";
}

int csv_table_load(struct csv_table *t, const char *path)
{
	struct stat st;
	FILE *f;
	int fd, fl, rc;

	memset(t, 0, sizeof(*t));
	/* Only a regular file is read.  O_NONBLOCK: opening a FIFO for
	 * reading would otherwise wait for a writer that may never come
	 * (compare blocked forever); with it open() returns at once, and
	 * fstat() of what was opened (not stat() of the name, which could
	 * be swapped in between) refuses a FIFO, a device (a tty, /dev/zero)
	 * or a directory before a byte is read.  O_NOCTTY: a terminal named
	 * as a CSV must not become our controlling one.  Close-on-exec: the
	 * runner forks benchmark children. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(t->err, sizeof(t->err), "%s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(t->err, sizeof(t->err), "%s: %s", path, strerror(-rc));
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		snprintf(t->err, sizeof(t->err), "%s: %s, not a regular file", path,
			 S_ISDIR(st.st_mode) ? "a directory" : csv_file_kind(st.st_mode));
		close(fd);
		return rc;
	}
	/* A regular file ignores O_NONBLOCK; clear it all the same, so that
	 * the stream reads as any other. */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0 || (f = fdopen(fd, "r")) == NULL) {
		rc = -errno;
		snprintf(t->err, sizeof(t->err), "%s: %s", path, strerror(-rc));
		close(fd);
		return rc;
	}
	rc = csv_table_load_stream(t, f, path);
	fclose(f);
	return rc;
}

int csv_table_col(const struct csv_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->header[i], name) == 0)
			return (int)i;
	return -1;
}

/* Frees what a load allocated; t->err is kept so that a caller may free
 * first and report after. */
void csv_table_free(struct csv_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		free(t->rows[i]);
	free(t->rows);
	free(t->header);
	t->rows = NULL;
	t->header = NULL;
	t->nrows = 0;
	t->ncols = 0;
}

int csv_parse_double(const char *s, double *out, int allow_nonfinite)
{
	char *end;
	double v;

	/* strtod would skip leading space; a strict field has none. */
	if (!s || !s[0] || isspace((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0')
		return -EINVAL;
	/* Overflow gives +-HUGE_VAL (inf) with ERANGE: a value we cannot hold,
	 * not an infinity the file asked for.  Underflow also sets ERANGE but
	 * gives the nearest value (0 or subnormal), which is kept. */
	if (errno == ERANGE && isinf(v))
		return -EINVAL;
	if (!allow_nonfinite && !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}
