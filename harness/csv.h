/*
 * csv.h - CSV writer and reader (RFC 4180 quoting).
 *
 * The writer quotes a field when it holds a comma, a quote, CR or LF, and
 * doubles embedded quotes; it ends rows with LF (RFC 4180 says CRLF; LF is
 * what awk, gnuplot and every Unix tool expect, and the reader takes both).
 * The reader is strict: a malformed file is an error with its line number,
 * never a guess.
 *
 * An empty line is a row of one empty field (as RFC 4180 reads it), so in a
 * table whose header has more than one column it is an error like any other
 * short row.  The writer never produces one: a row of one empty field is
 * written as "" so that it reads back as itself.
 */
#ifndef PRIMBENCH_CSV_H
#define PRIMBENCH_CSV_H

#include <stddef.h>
#include <stdio.h>

/* Limits that keep a hostile file from exhausting memory. */
#define CSV_MAX_FIELD 65536   /* bytes in one field */
#define CSV_MAX_FIELDS 512    /* fields in one row */
/* Enough room for any csv_fmt_double() output ("-1.2345678901234567e-308"). */
#define CSV_DOUBLE_LEN 32

/* Append one row to an in-memory buffer (grown as needed).  A NULL field is
 * written empty.  Start from a zeroed struct; set len = 0 to reuse it.
 * 0, -ENOMEM, or -EINVAL (n == 0, n > CSV_MAX_FIELDS or a field longer than
 * CSV_MAX_FIELD: the writer never writes what the reader would reject).  On
 * error the buffer is unchanged, so it never holds half a row. */
struct csv_buf {
	char *data;            /* rows written so far, not NUL-terminated */
	size_t len;            /* bytes used in data */
	size_t cap;            /* bytes allocated for data */
};
int csv_buf_row(struct csv_buf *b, const char *const *fields, size_t n);
void csv_buf_free(struct csv_buf *b);
/* Format a double for CSV: shortest round-trip-safe "%.*g" of precisions
 * 15, 16, 17 (so 1000000 is "1000000"); NAN -> ""; infinities "inf" and
 * "-inf".  len >= CSV_DOUBLE_LEN never truncates. */
void csv_fmt_double(char *buf, size_t len, double v);

/* A streaming reader. */
struct csv_reader {
	FILE *f;               /* input */
	unsigned long line;    /* 1-based line of the current row's start */
	char *buf;             /* field storage of the current row */
	size_t buf_cap;        /* bytes allocated for buf */
	size_t *off;           /* field offsets into buf */
	size_t nfields;        /* fields in the current row */
	char err[128];         /* description of the last error */
	unsigned long next_line; /* line where the next row starts */
	int state;             /* 0 more to read, 1 end of file, <0 sticky error */
};
void csv_reader_init(struct csv_reader *r, FILE *f);
/* Read the next row: 1 (row read; fields via csv_field), 0 (end of file),
 * -EINVAL (malformed: unterminated quote, stray quote, NUL byte, bare CR,
 * over the limits; r->err says what and where, as "line N: ..."), -ENOMEM,
 * -EIO.  After an error every later call returns the same error: a strict
 * reader does not try to resynchronise. */
int csv_read_row(struct csv_reader *r);
/* Field i of the current row (NUL-terminated), or NULL if i >= nfields. */
const char *csv_field(const struct csv_reader *r, size_t i);
void csv_reader_free(struct csv_reader *r);

/* A whole file loaded, with the header row used to find columns by name. */
struct csv_table {
	size_t ncols;          /* columns in the header */
	char **header;         /* column names */
	size_t nrows;          /* data rows */
	char ***rows;          /* rows[i][j], every row has ncols fields */
	char err[192];         /* description of the last error */
};
/* Load path; every row must have as many fields as the header.  0, or
 * -errno with t->err set ("summary.csv:12: 3 fields, header has 25").
 * Errors: path is not a regular file (-EISDIR for a directory, -EINVAL for
 * a FIFO, device or socket, refused without reading, so a FIFO never
 * blocks), an empty file ("no header"), an empty or duplicate column name,
 * any reader error.  On error t holds no rows and needs no csv_table_free
 * (calling it is harmless). */
int csv_table_load(struct csv_table *t, const char *path);
/* The same from an open stream; name stands for the file in t->err. */
int csv_table_load_stream(struct csv_table *t, FILE *f, const char *name);
/* Column index by name, or -1. */
int csv_table_col(const struct csv_table *t, const char *name);
void csv_table_free(struct csv_table *t);
/* Strict number parse of a whole field (no leading space, no trailing junk,
 * not empty, finite unless allow_nonfinite; overflow is an error, underflow
 * gives strtod's nearest value).  0 or -EINVAL (*out untouched). */
int csv_parse_double(const char *s, double *out, int allow_nonfinite);

#endif
