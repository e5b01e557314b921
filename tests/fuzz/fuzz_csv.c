/*
 * fuzz_csv.c - libFuzzer target for the CSV reader, table loader, writer
 * and number functions.
 *
 * Build and run (seeds in tests/fuzz/corpus_csv, copied so the corpus can
 * grow outside the tree):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *         -Iharness harness/csv.c tests/fuzz/fuzz_csv.c -o /tmp/fuzz_csv
 *   cp -r tests/fuzz/corpus_csv /tmp/corpus_csv
 *   /tmp/fuzz_csv -max_total_time=120 /tmp/corpus_csv
 *
 * Besides the sanitizers, it checks properties that must hold for any
 * input, and traps when one does not:
 *   - every row the reader accepts is writable, and reads back identical
 *     (writer and reader agree on quoting);
 *   - every number csv_parse_double accepts formats with csv_fmt_double
 *     and parses back to the same bits;
 *   - csv_table_load_stream succeeds exactly when the reader reads every
 *     row without error, the input has a row, all rows have the header's
 *     field count and the header names are non-empty and distinct; then the
 *     table holds the same rows, and csv_table_col finds each column.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A read stream over the input; glibc's fmemopen refuses size 0. */
static FILE *fuzz_csv_open(const uint8_t *data, size_t size)
{
	if (size == 0)
		return fopen("/dev/null", "r");
	return fmemopen((void *)(uintptr_t)data, size, "r");
}

/* Write the reader's current row, read it back, and trap unless the two
 * agree field for field. */
static void fuzz_csv_round_trip(const struct csv_reader *r)
{
	const char *fields[CSV_MAX_FIELDS];
	struct csv_buf b = { 0 };
	struct csv_reader back;
	size_t i;
	FILE *f;

	for (i = 0; i < r->nfields; i++)
		fields[i] = csv_field(r, i);
	if (csv_buf_row(&b, fields, r->nfields) != 0)
		__builtin_trap();
	f = fmemopen(b.data, b.len, "r");
	if (!f)
		abort();
	csv_reader_init(&back, f);
	if (csv_read_row(&back) != 1 || back.nfields != r->nfields)
		__builtin_trap();
	for (i = 0; i < r->nfields; i++)
		if (strcmp(csv_field(&back, i), fields[i]) != 0)
			__builtin_trap();
	if (csv_read_row(&back) != 0)
		__builtin_trap();
	csv_reader_free(&back);
	fclose(f);
	csv_buf_free(&b);
}

/* Parse s; if it is a number, format and re-parse it and trap unless the
 * bits survive. */
static void fuzz_csv_number(const char *s)
{
	char buf[CSV_DOUBLE_LEN];
	double v, back;

	if (csv_parse_double(s, &v, 1) != 0)
		return;
	csv_fmt_double(buf, sizeof(buf), v);
	if (v != v) {
		if (buf[0] != '\0')
			__builtin_trap();
		return;
	}
	if (csv_parse_double(buf, &back, 1) != 0 ||
	    memcmp(&back, &v, sizeof(v)) != 0)
		__builtin_trap();
}

/* Does column name s occur among the first n names? */
static int fuzz_csv_seen(char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return 1;
	return 0;
}

/* Trap unless the table's row k (0 = header) is the reader's row. */
static void fuzz_csv_same_row(const struct csv_table *t, size_t k,
			      const struct csv_reader *r)
{
	char *const *row = k == 0 ? t->header : t->rows[k - 1];
	size_t i;

	if (k > t->nrows || r->nfields != t->ncols)
		__builtin_trap();
	for (i = 0; i < t->ncols; i++)
		if (strcmp(row[i], csv_field(r, i)) != 0)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader r;
	struct csv_table t;
	size_t rows = 0, ncols = 0, i;
	int rc, table_ok = 1, trc;
	char **hdr = NULL;
	FILE *f;

	/* Pass 1: the table loader. */
	f = fuzz_csv_open(data, size);
	if (!f)
		abort();
	trc = csv_table_load_stream(&t, f, "fuzz.csv");
	fclose(f);
	if (trc != 0 && (t.err[0] == '\0' || t.header || t.rows))
		__builtin_trap();

	/* Pass 2: the reader alone, with its properties, and its rows
	 * compared with the table's. */
	f = fuzz_csv_open(data, size);
	if (!f)
		abort();
	csv_reader_init(&r, f);
	while ((rc = csv_read_row(&r)) == 1) {
		if (rows == 0) {
			ncols = r.nfields;
			hdr = calloc(ncols, sizeof(*hdr));
			if (!hdr)
				abort();
			for (i = 0; i < ncols; i++) {
				const char *s = csv_field(&r, i);

				if (!s[0] || fuzz_csv_seen(hdr, i, s))
					table_ok = 0;
				hdr[i] = strdup(s);
				if (!hdr[i])
					abort();
			}
		} else if (r.nfields != ncols) {
			table_ok = 0;
		}
		if (trc == 0)
			fuzz_csv_same_row(&t, rows, &r);
		if (csv_field(&r, r.nfields) != NULL)
			__builtin_trap();
		fuzz_csv_round_trip(&r);
		for (i = 0; i < r.nfields; i++)
			fuzz_csv_number(csv_field(&r, i));
		rows++;
	}
	if (rc < 0 || rows == 0)
		table_ok = 0;
	/* Errors stick; end of file stays end of file. */
	if (csv_read_row(&r) != (rc < 0 ? rc : 0))
		__builtin_trap();
	csv_reader_free(&r);
	fclose(f);

	/* The loader accepted exactly what it should have. */
	if ((trc == 0) != table_ok)
		__builtin_trap();
	if (trc == 0) {
		if (t.ncols != ncols || t.nrows != rows - 1)
			__builtin_trap();
		for (i = 0; i < t.ncols; i++)
			if (csv_table_col(&t, hdr[i]) != (int)i)
				__builtin_trap();
	}
	csv_table_free(&t);

	for (i = 0; hdr && i < ncols; i++)
		free(hdr[i]);
	free(hdr);
	return 0;
}
