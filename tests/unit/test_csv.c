/*
 * test_csv.c - unit tests of harness/csv.c.
 *
 * Expected bytes are literals written by hand from RFC 4180's rules (quote a
 * field holding a comma, quote, CR or LF; double embedded quotes), never
 * output of the code under test.  Expected number strings are C printf's
 * "%.15g"/"%.16g"/"%.17g", cross-checked with Python's '%.*g' % (p, x) and
 * float() round trip.  Expected line numbers are counted by hand in the
 * input literals.
 */
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "csv.h"

/* A read stream over n bytes of s (which may hold NUL bytes). */
static FILE *test_csv_mem(const char *s, size_t n)
{
	FILE *f;

	/* glibc's fmemopen refuses size 0; /dev/null is the empty file. */
	if (n == 0)
		f = fopen("/dev/null", "r");
	else
		f = fmemopen((void *)(uintptr_t)s, n, "r");
	assert_non_null(f);
	return f;
}

/* A temporary file holding n bytes of s; the caller unlinks path. */
static void test_csv_tmpfile(char *path, size_t len, const char *s, size_t n)
{
	int fd;

	snprintf(path, len, "/tmp/test_csv.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

/* ---- writer ------------------------------------------------------------ */

static void test_buf_row_plain(void **state)
{
	struct csv_buf b = { 0 };
	const char *row1[] = { "a", "b c", " d " };
	const char *row2[] = { "1.5", "", NULL, "x" };
	static const char want[] = "a,b c, d \n1.5,,,x\n";

	(void)state;
	assert_int_equal(csv_buf_row(&b, row1, 3), 0);
	assert_int_equal(csv_buf_row(&b, row2, 4), 0);
	assert_int_equal(b.len, sizeof(want) - 1);
	assert_memory_equal(b.data, want, b.len);
	csv_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_buf_row_quoting(void **state)
{
	struct csv_buf b = { 0 };
	const char *row[] = { "a,b", "say \"hi\"", "l1\nl2", "cr\rx", "\"",
			      "", "plain" };
	/* Hand-written from RFC 4180 section 2, rules 6 and 7. */
	static const char want[] =
		"\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",\"cr\rx\",\"\"\"\",,plain\n";

	(void)state;
	assert_int_equal(csv_buf_row(&b, row, 7), 0);
	assert_int_equal(b.len, sizeof(want) - 1);
	assert_memory_equal(b.data, want, b.len);
	csv_buf_free(&b);
}

static void test_buf_row_lone_empty(void **state)
{
	struct csv_buf b = { 0 };
	const char *empty[] = { "" };
	const char *null[] = { NULL };

	(void)state;
	/* A lone empty field would be an empty line; it is written as "". */
	assert_int_equal(csv_buf_row(&b, empty, 1), 0);
	assert_int_equal(csv_buf_row(&b, null, 1), 0);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "\"\"\n\"\"\n", 6);
	csv_buf_free(&b);
}

static void test_buf_row_invalid(void **state)
{
	struct csv_buf b = { 0 };
	const char *ok[] = { "k", "v" };
	const char *many[CSV_MAX_FIELDS + 1];
	const char *big_row[1];
	char *big;
	size_t i;

	(void)state;
	assert_int_equal(csv_buf_row(&b, ok, 2), 0);
	assert_int_equal(b.len, 4);

	assert_int_equal(csv_buf_row(&b, ok, 0), -EINVAL);
	for (i = 0; i < CSV_MAX_FIELDS + 1; i++)
		many[i] = "f";
	assert_int_equal(csv_buf_row(&b, many, CSV_MAX_FIELDS + 1), -EINVAL);

	big = malloc(CSV_MAX_FIELD + 2);
	assert_non_null(big);
	memset(big, 'x', CSV_MAX_FIELD + 1);
	big[CSV_MAX_FIELD + 1] = '\0';
	big_row[0] = big;
	assert_int_equal(csv_buf_row(&b, big_row, 1), -EINVAL);
	/* Every failure left the buffer as it was: no half rows. */
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "k,v\n", 4);

	/* The limits themselves are allowed. */
	big[CSV_MAX_FIELD] = '\0';
	assert_int_equal(csv_buf_row(&b, big_row, 1), 0);
	assert_int_equal(b.len, 4 + CSV_MAX_FIELD + 1);
	assert_int_equal(csv_buf_row(&b, many, CSV_MAX_FIELDS), 0);
	assert_int_equal(b.len, 4 + CSV_MAX_FIELD + 1 + 2 * CSV_MAX_FIELDS);
	free(big);
	csv_buf_free(&b);
}

static void test_fmt_double(void **state)
{
	static const struct {
		double v;          /* input */
		const char *want;  /* C printf, checked with Python */
	} cases[] = {
		{ 1e6, "1000000" },                   /* %.15g, no exponent */
		{ 1e14, "100000000000000" },
		{ 123456789012345.0, "123456789012345" },
		{ 1e15, "1e+15" },                    /* %g's switch point */
		{ 0.1, "0.1" },
		{ 1.5, "1.5" },
		{ 12345.678, "12345.678" },
		{ 2.5e-7, "2.5e-07" },
		{ 1.0 / 3.0, "0.3333333333333333" },  /* needs %.16g */
		{ 9007199254740992.0, "9007199254740992" }, /* 2^53, %.16g */
		{ 0.1 + 0.2, "0.30000000000000004" }, /* needs %.17g */
		{ DBL_MAX, "1.7976931348623157e+308" },
		{ 1e300, "1e+300" },
		{ -2.0, "-2" },
		{ 0.0, "0" },
		{ -0.0, "-0" },
		{ INFINITY, "inf" },
		{ -INFINITY, "-inf" },
		{ NAN, "" },
	};
	char buf[CSV_DOUBLE_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		csv_fmt_double(buf, sizeof(buf), cases[i].v);
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_fmt_double_round_trip(void **state)
{
	static const double vals[] = {
		0.1, 1.0 / 3.0, 2.0 / 3.0, M_PI, M_E, DBL_MAX, DBL_MIN,
		4.9406564584124654e-324, -1.2345678901234567e-308, 1e-5,
		123.456e78, 0.30000000000000004, 299792458.0, 6.02214076e23,
	};
	char buf[CSV_DOUBLE_LEN];
	double back;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		csv_fmt_double(buf, sizeof(buf), vals[i]);
		assert_int_equal(csv_parse_double(buf, &back, 0), 0);
		assert_memory_equal(&back, &vals[i], sizeof(double));
	}
}

static void test_fmt_double_short_buf(void **state)
{
	char buf[8] = "zzzzzzz";

	(void)state;
	/* Truncated like snprintf, always terminated. */
	csv_fmt_double(buf, 4, 0.1 + 0.2);
	assert_string_equal(buf, "0.3");
	csv_fmt_double(buf, 0, 1.0);
	assert_string_equal(buf, "0.3");
}

/* ---- reader ------------------------------------------------------------ */

static void test_read_basic(void **state)
{
	static const char in[] = "a,b,c\nd,,f\n";
	struct csv_reader r;
	FILE *f = test_csv_mem(in, sizeof(in) - 1);

	(void)state;
	csv_reader_init(&r, f);
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.line, 1);
	assert_int_equal(r.nfields, 3);
	assert_string_equal(csv_field(&r, 0), "a");
	assert_string_equal(csv_field(&r, 1), "b");
	assert_string_equal(csv_field(&r, 2), "c");
	assert_null(csv_field(&r, 3));
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.line, 2);
	assert_int_equal(r.nfields, 3);
	assert_string_equal(csv_field(&r, 0), "d");
	assert_string_equal(csv_field(&r, 1), "");
	assert_string_equal(csv_field(&r, 2), "f");
	assert_int_equal(csv_read_row(&r), 0);
	assert_int_equal(csv_read_row(&r), 0);
	csv_reader_free(&r);
	fclose(f);
}

static void test_read_crlf_and_last_row(void **state)
{
	/* CRLF, LF and a last row without a line end, mixed. */
	static const char in[] = "a,b\r\nc,d\ne,\"f\r\ng\"\r\nh,i";
	struct csv_reader r;
	FILE *f = test_csv_mem(in, sizeof(in) - 1);

	(void)state;
	csv_reader_init(&r, f);
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(csv_field(&r, 1), "b");
	assert_int_equal(csv_read_row(&r), 1);
	assert_string_equal(csv_field(&r, 0), "c");
	assert_string_equal(csv_field(&r, 1), "d");
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.line, 3);
	/* A CRLF inside quotes is data, kept as is. */
	assert_string_equal(csv_field(&r, 1), "f\r\ng");
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.line, 5);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(csv_field(&r, 0), "h");
	assert_string_equal(csv_field(&r, 1), "i");
	assert_int_equal(csv_read_row(&r), 0);
	csv_reader_free(&r);
	fclose(f);
}

static void test_read_quoted(void **state)
{
	static const char in[] =
		"\"a,b\",\"x\"\"y\",\"l1\nl2\",\"\"\n"
		"next,\"\"\"\"\n";
	struct csv_reader r;
	FILE *f = test_csv_mem(in, sizeof(in) - 1);

	(void)state;
	csv_reader_init(&r, f);
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.line, 1);
	assert_int_equal(r.nfields, 4);
	assert_string_equal(csv_field(&r, 0), "a,b");
	assert_string_equal(csv_field(&r, 1), "x\"y");
	assert_string_equal(csv_field(&r, 2), "l1\nl2");
	assert_string_equal(csv_field(&r, 3), "");
	assert_int_equal(csv_read_row(&r), 1);
	/* The quoted newline moved the next row to line 3. */
	assert_int_equal(r.line, 3);
	assert_string_equal(csv_field(&r, 0), "next");
	assert_string_equal(csv_field(&r, 1), "\"");
	assert_int_equal(csv_read_row(&r), 0);
	csv_reader_free(&r);
	fclose(f);
}

static void test_read_empty_fields_and_lines(void **state)
{
	static const char in[] = ",,\na\n\nb,\n\"\"\nc,";
	struct csv_reader r;
	FILE *f = test_csv_mem(in, sizeof(in) - 1);

	(void)state;
	csv_reader_init(&r, f);
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.nfields, 3);
	assert_string_equal(csv_field(&r, 2), "");
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.nfields, 1);
	assert_string_equal(csv_field(&r, 0), "a");
	/* An empty line is a row of one empty field (see csv.h). */
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.line, 3);
	assert_int_equal(r.nfields, 1);
	assert_string_equal(csv_field(&r, 0), "");
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(csv_field(&r, 0), "b");
	assert_string_equal(csv_field(&r, 1), "");
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.nfields, 1);
	assert_string_equal(csv_field(&r, 0), "");
	/* A trailing comma at end of file still ends a field. */
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.line, 6);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(csv_field(&r, 0), "c");
	assert_string_equal(csv_field(&r, 1), "");
	assert_int_equal(csv_read_row(&r), 0);
	csv_reader_free(&r);
	fclose(f);
}

static void test_read_empty_input(void **state)
{
	struct csv_reader r;
	FILE *f = test_csv_mem("", 0);

	(void)state;
	csv_reader_init(&r, f);
	assert_int_equal(csv_read_row(&r), 0);
	assert_int_equal(r.nfields, 0);
	csv_reader_free(&r);
	fclose(f);
}

/* Read in (n bytes); rows_ok rows must read, then -EINVAL with r.err equal
 * to want. */
static void test_csv_expect_error(const char *in, size_t n, int rows_ok,
				  const char *want)
{
	struct csv_reader r;
	FILE *f = test_csv_mem(in, n);
	int i;

	csv_reader_init(&r, f);
	for (i = 0; i < rows_ok; i++)
		assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(csv_read_row(&r), -EINVAL);
	assert_string_equal(r.err, want);
	/* Sticky: a strict reader does not resynchronise. */
	assert_int_equal(csv_read_row(&r), -EINVAL);
	assert_int_equal(r.nfields, 0);
	csv_reader_free(&r);
	fclose(f);
}

#define TEST_CSV_ERR(lit, rows_ok, want) \
	test_csv_expect_error(lit, sizeof(lit) - 1, rows_ok, want)

static void test_read_malformed(void **state)
{
	(void)state;
	/* The error names the line where the quote opened. */
	TEST_CSV_ERR("a,b\nc,\"open\nmore\n", 1,
		     "line 2: quoted field never closed");
	TEST_CSV_ERR("a,b\nc,d\"e\n", 1,
		     "line 2: quote inside an unquoted field");
	TEST_CSV_ERR(" \"a\"\n", 0,
		     "line 1: quote inside an unquoted field");
	TEST_CSV_ERR("a\n\"x\"y,z\n", 1,
		     "line 2: byte 0x79 after closing quote (only a comma or "
		     "line end may follow)");
	TEST_CSV_ERR("\"x\" ,y\n", 0,
		     "line 1: byte 0x20 after closing quote (only a comma or "
		     "line end may follow)");
	/* The bad byte is on line 4 of a row that starts on line 2. */
	TEST_CSV_ERR("h\n\"a\nb\nc\"x\n", 1,
		     "line 4: byte 0x78 after closing quote (only a comma or "
		     "line end may follow)");
	TEST_CSV_ERR("a\nb\0c\n", 1, "line 2: NUL byte");
	TEST_CSV_ERR("a\n\"b\0\"\n", 1, "line 2: NUL byte");
	TEST_CSV_ERR("a\rb\n", 0, "line 1: CR not followed by LF");
	TEST_CSV_ERR("a\nb\r", 1, "line 2: CR not followed by LF");
	TEST_CSV_ERR("\"a\"\rb", 0, "line 1: CR not followed by LF");
}

static void test_read_field_limit(void **state)
{
	const size_t n = 4 + CSV_MAX_FIELD + 2;
	struct csv_reader r;
	char *in;
	FILE *f;

	(void)state;
	/* Exactly CSV_MAX_FIELD bytes on line 3 is fine. */
	in = malloc(n + 2);
	assert_non_null(in);
	memcpy(in, "a\nb\n", 4);
	memset(in + 4, 'x', CSV_MAX_FIELD);
	memcpy(in + 4 + CSV_MAX_FIELD, "\n", 1);
	f = test_csv_mem(in, 4 + CSV_MAX_FIELD + 1);
	csv_reader_init(&r, f);
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(strlen(csv_field(&r, 0)), CSV_MAX_FIELD);
	assert_int_equal(csv_read_row(&r), 0);
	csv_reader_free(&r);
	fclose(f);

	/* One more byte is not. */
	memset(in + 4, 'x', CSV_MAX_FIELD + 1);
	in[4 + CSV_MAX_FIELD + 1] = '\n';
	test_csv_expect_error(in, n, 2, "line 3: field longer than 65536 bytes");

	/* Quoting does not count: CSV_MAX_FIELD quotes, each doubled. */
	free(in);
	in = malloc(2 * CSV_MAX_FIELD + 3);
	assert_non_null(in);
	in[0] = '"';
	memset(in + 1, '"', 2 * CSV_MAX_FIELD);
	in[2 * CSV_MAX_FIELD + 1] = '"';
	in[2 * CSV_MAX_FIELD + 2] = '\n';
	f = test_csv_mem(in, 2 * CSV_MAX_FIELD + 3);
	csv_reader_init(&r, f);
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.nfields, 1);
	assert_int_equal(strlen(csv_field(&r, 0)), CSV_MAX_FIELD);
	assert_int_equal(csv_field(&r, 0)[CSV_MAX_FIELD - 1], '"');
	csv_reader_free(&r);
	fclose(f);
	free(in);
}

static void test_read_fields_limit(void **state)
{
	struct csv_reader r;
	char in[2 * (CSV_MAX_FIELDS + 1) + 2];
	size_t i;
	FILE *f;

	(void)state;
	/* "f,f,...,f\n" with CSV_MAX_FIELDS fields: accepted. */
	for (i = 0; i < CSV_MAX_FIELDS; i++) {
		in[2 * i] = 'f';
		in[2 * i + 1] = ',';
	}
	in[2 * CSV_MAX_FIELDS - 1] = '\n';
	f = test_csv_mem(in, 2 * CSV_MAX_FIELDS);
	csv_reader_init(&r, f);
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.nfields, CSV_MAX_FIELDS);
	assert_int_equal(csv_read_row(&r), 0);
	csv_reader_free(&r);
	fclose(f);

	/* One more (a trailing comma makes an empty one) is refused. */
	in[2 * CSV_MAX_FIELDS - 1] = ',';
	in[2 * CSV_MAX_FIELDS] = '\n';
	test_csv_expect_error(in, 2 * CSV_MAX_FIELDS + 1, 0,
			      "line 1: more than 512 fields");
}

static void test_round_trip(void **state)
{
	const char *rows[][5] = {
		{ "plain", "with,comma", "with \"quote\"", "two\nlines", "" },
		{ NULL, "\r\n", "\"", ",", "\"\"" },
		{ "", "", "", "", "" },
		{ " lead", "trail ", "a\rb", "\"a\",\"b\"", "\xc3\xa9t\xc3\xa9" },
	};
	const char *lone[] = { NULL };
	struct csv_buf b = { 0 };
	struct csv_reader r;
	size_t i, j;
	FILE *f;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(csv_buf_row(&b, rows[i], 5), 0);
	assert_int_equal(csv_buf_row(&b, lone, 1), 0);

	f = test_csv_mem(b.data, b.len);
	csv_reader_init(&r, f);
	for (i = 0; i < 4; i++) {
		assert_int_equal(csv_read_row(&r), 1);
		assert_int_equal(r.nfields, 5);
		for (j = 0; j < 5; j++)
			assert_string_equal(csv_field(&r, j),
					    rows[i][j] ? rows[i][j] : "");
	}
	assert_int_equal(csv_read_row(&r), 1);
	assert_int_equal(r.nfields, 1);
	assert_string_equal(csv_field(&r, 0), "");
	assert_int_equal(csv_read_row(&r), 0);
	csv_reader_free(&r);
	fclose(f);
	csv_buf_free(&b);
}

/* ---- table ------------------------------------------------------------- */

static void test_table_load(void **state)
{
	static const char in[] =
		"bench,variant,p50\r\n"
		"proc_create,fork,\"1,5\"\r\n"
		"mm_cow,\"page \"\"4k\"\"\",2.5\r\n";
	struct csv_table t;
	char path[64];

	(void)state;
	test_csv_tmpfile(path, sizeof(path), in, sizeof(in) - 1);
	assert_int_equal(csv_table_load(&t, path), 0);
	unlink(path);
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.header[2], "p50");
	assert_int_equal(csv_table_col(&t, "bench"), 0);
	assert_int_equal(csv_table_col(&t, "variant"), 1);
	assert_int_equal(csv_table_col(&t, "p50"), 2);
	assert_int_equal(csv_table_col(&t, "p5"), -1);
	assert_int_equal(csv_table_col(&t, ""), -1);
	assert_string_equal(t.rows[0][0], "proc_create");
	assert_string_equal(t.rows[0][2], "1,5");
	assert_string_equal(t.rows[1][1], "page \"4k\"");
	assert_string_equal(t.rows[1][2], "2.5");
	csv_table_free(&t);
	assert_int_equal(t.nrows, 0);
	assert_int_equal(t.ncols, 0);
	csv_table_free(&t);
}

static void test_table_many_rows(void **state)
{
	struct csv_buf b = { 0 };
	const char *hdr[] = { "i", "sq" };
	char a[16], s[16];
	const char *row[] = { a, s };
	struct csv_table t;
	FILE *f;
	int i;

	(void)state;
	/* Enough rows to grow the row array several times. */
	assert_int_equal(csv_buf_row(&b, hdr, 2), 0);
	for (i = 0; i < 1000; i++) {
		snprintf(a, sizeof(a), "%d", i);
		snprintf(s, sizeof(s), "%d", i * i);
		assert_int_equal(csv_buf_row(&b, row, 2), 0);
	}
	f = test_csv_mem(b.data, b.len);
	assert_int_equal(csv_table_load_stream(&t, f, "sq.csv"), 0);
	fclose(f);
	assert_int_equal(t.nrows, 1000);
	assert_string_equal(t.rows[999][0], "999");
	assert_string_equal(t.rows[999][1], "998001");
	assert_string_equal(t.rows[12][1], "144");
	csv_table_free(&t);
	csv_buf_free(&b);
}

static void test_table_header_only(void **state)
{
	static const char in[] = "a,b,c\n";
	struct csv_table t;
	FILE *f = test_csv_mem(in, sizeof(in) - 1);

	(void)state;
	assert_int_equal(csv_table_load_stream(&t, f, "h.csv"), 0);
	fclose(f);
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.nrows, 0);
	assert_int_equal(csv_table_col(&t, "c"), 2);
	csv_table_free(&t);
}

/* Load in (n bytes) as name; expect rc and t.err equal to want. */
static void test_csv_table_expect(const char *in, size_t n, int rc,
				  const char *want)
{
	struct csv_table t;
	FILE *f = test_csv_mem(in, n);

	assert_int_equal(csv_table_load_stream(&t, f, "summary.csv"), rc);
	fclose(f);
	assert_string_equal(t.err, want);
	assert_int_equal(t.nrows, 0);
	assert_null(t.rows);
	assert_null(t.header);
	csv_table_free(&t);
}

#define TEST_CSV_TABLE(lit, want) \
	test_csv_table_expect(lit, sizeof(lit) - 1, -EINVAL, want)

static void test_table_errors(void **state)
{
	(void)state;
	test_csv_table_expect("", 0, -EINVAL, "summary.csv: no header");
	TEST_CSV_TABLE("a,b,c\n1,2,3\n1,2\n",
		       "summary.csv:3: 2 fields, header has 3");
	TEST_CSV_TABLE("a,b,c\n1,2,3,4\n",
		       "summary.csv:2: 4 fields, header has 3");
	/* The row count is by line, so a quoted newline shifts it. */
	TEST_CSV_TABLE("a,b\n\"x\ny\",2\n3\n",
		       "summary.csv:4: 1 field, header has 2");
	/* An empty line is a row of one empty field: an error here. */
	TEST_CSV_TABLE("a,b,c\n1,2,3\n\n4,5,6\n",
		       "summary.csv:3: 1 field, header has 3");
	TEST_CSV_TABLE("a,b,c\n1,2,3\n\n",
		       "summary.csv:3: 1 field, header has 3");
	TEST_CSV_TABLE("a,b,a\n1,2,3\n",
		       "summary.csv:1: duplicate column \"a\" (columns 1 and 3)");
	TEST_CSV_TABLE("a,,c\n1,2,3\n",
		       "summary.csv:1: column 2 has no name");
	TEST_CSV_TABLE("\na,b\n", "summary.csv:1: column 1 has no name");
	/* Reader errors get the same "file:line: " form. */
	TEST_CSV_TABLE("a,b\n1,2\n3,x\"y\n",
		       "summary.csv:3: quote inside an unquoted field");
	TEST_CSV_TABLE("a,b\n1,\"2\n",
		       "summary.csv:2: quoted field never closed");
	TEST_CSV_TABLE("a,\"b\n", "summary.csv:1: quoted field never closed");
	TEST_CSV_TABLE("a,b\0\n", "summary.csv:1: NUL byte");
}

static void test_table_single_column_empty_line(void **state)
{
	static const char in[] = "v\n1\n\n2\n";
	struct csv_table t;
	FILE *f = test_csv_mem(in, sizeof(in) - 1);

	(void)state;
	/* With one column, the same rule makes an empty line an empty value. */
	assert_int_equal(csv_table_load_stream(&t, f, "v.csv"), 0);
	fclose(f);
	assert_int_equal(t.nrows, 3);
	assert_string_equal(t.rows[0][0], "1");
	assert_string_equal(t.rows[1][0], "");
	assert_string_equal(t.rows[2][0], "2");
	csv_table_free(&t);
}

static void test_table_load_missing(void **state)
{
	struct csv_table t;

	(void)state;
	assert_int_equal(csv_table_load(&t, "/nonexistent/summary.csv"),
			 -ENOENT);
	assert_string_equal(t.err,
			    "/nonexistent/summary.csv: No such file or directory");
	csv_table_free(&t);
}

static void test_table_load_empty_file(void **state)
{
	struct csv_table t;
	char path[64], want[128];

	(void)state;
	test_csv_tmpfile(path, sizeof(path), "", 0);
	assert_int_equal(csv_table_load(&t, path), -EINVAL);
	unlink(path);
	snprintf(want, sizeof(want), "%s: no header", path);
	assert_string_equal(t.err, want);
}

static void test_table_load_read_error(void **state)
{
	struct csv_table t;
	FILE *f;

	(void)state;
	/* fopen of a directory succeeds; the first read fails (EISDIR). */
	f = fopen("/", "r");
	assert_non_null(f);
	assert_int_equal(csv_table_load_stream(&t, f, "/"), -EIO);
	fclose(f);
	assert_string_equal(t.err, "/:1: read error");
	assert_null(t.header);
}

/*
 * Only a regular file is read.  A FIFO with a writer that would hand it a
 * whole, valid CSV and then close: read as a file, it would load (the old
 * behaviour, with no writer it blocked forever); it must be refused before
 * a byte is read, with -EINVAL.  The writer is a child blocked in its
 * open() until a reader opens the FIFO; it is killed either way, so no
 * step depends on timing.  A character device and a directory are refused
 * the same way.
 */
static void test_table_load_not_regular(void **state)
{
	static const char csv[] = "a,b\n1,2\n";
	struct csv_table t;
	char dir[64], fifo[96], want[160];
	pid_t pid;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_csv.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/summary.csv", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(fifo, O_WRONLY);

		if (fd >= 0 && write(fd, csv, sizeof(csv) - 1) == (ssize_t)(sizeof(csv) - 1))
			_exit(0);
		_exit(1);
	}
	assert_int_equal(csv_table_load(&t, fifo), -EINVAL);
	snprintf(want, sizeof(want), "%s: a FIFO, not a regular file", fifo);
	assert_string_equal(t.err, want);
	assert_null(t.header);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	unlink(fifo);
	rmdir(dir);

	assert_int_equal(csv_table_load(&t, "/dev/null"), -EINVAL);
	assert_string_equal(t.err, "/dev/null: a character device, not a regular file");
	assert_int_equal(csv_table_load(&t, "/"), -EISDIR);
	assert_string_equal(t.err, "/: a directory, not a regular file");
	assert_null(t.header);
}

/* ---- numbers ----------------------------------------------------------- */

static void test_parse_double(void **state)
{
	static const struct {
		const char *s;     /* field */
		double want;       /* by hand */
	} good[] = {
		{ "1.5", 1.5 },
		{ "-2", -2.0 },
		{ "+3", 3.0 },
		{ "1e3", 1000.0 },
		{ "1E-3", 0.001 },
		{ ".5", 0.5 },
		{ "5.", 5.0 },
		{ "0x10", 16.0 },  /* strtod takes C99 hex floats */
		{ "1000000", 1e6 },
		{ "1.7976931348623157e308", DBL_MAX },
		{ "1e-400", 0.0 }, /* underflow: strtod's nearest, kept */
	};
	static const char *const bad[] = {
		"", " 1", "\t1", "1 ", "1\n", "abc", "1.5x", "1,5", "--1",
		"e5", "1e", "0x", "nan", "NaN", "inf", "-inf", "Infinity",
		"1e999", "-1e999", "1.8e308",
	};
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 42.0;
		assert_int_equal(csv_parse_double(good[i].s, &v, 0), 0);
		assert_true(v == good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42.0;
		assert_int_equal(csv_parse_double(bad[i], &v, 0), -EINVAL);
		assert_true(v == 42.0);
	}
	v = 42.0;
	assert_int_equal(csv_parse_double(NULL, &v, 1), -EINVAL);
	assert_true(v == 42.0);

	/* Sign of zero survives. */
	assert_int_equal(csv_parse_double("-0", &v, 0), 0);
	assert_true(v == 0.0 && signbit(v));
	/* Smallest subnormal: ERANGE from glibc, but a real value. */
	assert_int_equal(csv_parse_double("4.9406564584124654e-324", &v, 0), 0);
	assert_true(v == 4.9406564584124654e-324);
}

static void test_parse_double_nonfinite(void **state)
{
	double v;

	(void)state;
	assert_int_equal(csv_parse_double("nan", &v, 1), 0);
	assert_true(isnan(v));
	assert_int_equal(csv_parse_double("inf", &v, 1), 0);
	assert_true(isinf(v) && v > 0);
	assert_int_equal(csv_parse_double("-inf", &v, 1), 0);
	assert_true(isinf(v) && v < 0);
	assert_int_equal(csv_parse_double("Infinity", &v, 1), 0);
	assert_true(isinf(v) && v > 0);
	/* Overflow is an error even when infinities are allowed: the file
	 * held a number we cannot represent, not an infinity. */
	v = 42.0;
	assert_int_equal(csv_parse_double("1e999", &v, 1), -EINVAL);
	assert_int_equal(csv_parse_double("-1e999", &v, 1), -EINVAL);
	assert_int_equal(csv_parse_double("inf ", &v, 1), -EINVAL);
	assert_true(v == 42.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_row_plain),
		cmocka_unit_test(test_buf_row_quoting),
		cmocka_unit_test(test_buf_row_lone_empty),
		cmocka_unit_test(test_buf_row_invalid),
		cmocka_unit_test(test_fmt_double),
		cmocka_unit_test(test_fmt_double_round_trip),
		cmocka_unit_test(test_fmt_double_short_buf),
		cmocka_unit_test(test_read_basic),
		cmocka_unit_test(test_read_crlf_and_last_row),
		cmocka_unit_test(test_read_quoted),
		cmocka_unit_test(test_read_empty_fields_and_lines),
		cmocka_unit_test(test_read_empty_input),
		cmocka_unit_test(test_read_malformed),
		cmocka_unit_test(test_read_field_limit),
		cmocka_unit_test(test_read_fields_limit),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_table_load),
		cmocka_unit_test(test_table_many_rows),
		cmocka_unit_test(test_table_header_only),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_table_single_column_empty_line),
		cmocka_unit_test(test_table_load_missing),
		cmocka_unit_test(test_table_load_empty_file),
		cmocka_unit_test(test_table_load_read_error),
		cmocka_unit_test(test_table_load_not_regular),
		cmocka_unit_test(test_parse_double),
		cmocka_unit_test(test_parse_double_nonfinite),
	};

	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
