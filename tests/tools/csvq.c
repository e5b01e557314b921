/*
 * csvq - a tiny query tool over primbench CSVs for the end-to-end tests,
 * built on harness/csv.c so that quoted notes with commas are read right.
 *
 *   csvq FILE                         check: parses, every row full; prints rows
 *   csvq FILE COL [NAME=VALUE ...]    print COL of the rows matching all filters
 *   csvq FILE -n [NAME=VALUE ...]     print how many rows match
 *   csvq FILE -t COL,COL,... [NAME=VALUE ...]
 *                                     print those columns of the matching rows
 *                                     as tab-separated text under a header line
 *
 * -t is for plots/render.sh: gnuplot 5.4 mis-splits quoted fields with
 * doubled quotes, so the plots read this tab-separated selection instead of
 * the CSV.  A tab, CR or LF inside a field is printed as a space, so that a
 * row stays one line of the right number of fields; numbers never hold one.
 *
 * Exit 0 on success, 1 on a bad file (message on stderr), 2 on bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "csv.h"

/* Print one field for -t: tab, CR and LF become spaces (see the header). */
static void put_tsv_field(const char *f)
{
	for (; *f; f++)
		putchar(*f == '\t' || *f == '\r' || *f == '\n' ? ' ' : *f);
}

/* Resolve the comma-separated column list of -t into cols[] (at most max).
 * Returns the number of columns, or -1 with a message on stderr. */
static int parse_cols(const struct csv_table *t, const char *path, const char *list,
		      int *cols, int max)
{
	int n = 0;

	while (*list) {
		size_t len = strcspn(list, ",");
		char name[128];

		if (len == 0 || len >= sizeof(name) || n == max) {
			fprintf(stderr, "csvq: bad column list '%s'\n", list);
			return -1;
		}
		snprintf(name, sizeof(name), "%.*s", (int)len, list);
		cols[n] = csv_table_col(t, name);
		if (cols[n] < 0) {
			fprintf(stderr, "csvq: %s: no column '%s'\n", path, name);
			return -1;
		}
		n++;
		list += len;
		if (*list == ',')
			list++;
	}
	return n;
}

static int row_matches(const struct csv_table *t, size_t r, int nf, char **filters)
{
	for (int i = 0; i < nf; i++) {
		const char *eq = strchr(filters[i], '=');
		char name[128];
		int c;

		if (!eq || (size_t)(eq - filters[i]) >= sizeof(name))
			return -1;
		snprintf(name, sizeof(name), "%.*s", (int)(eq - filters[i]), filters[i]);
		c = csv_table_col(t, name);
		if (c < 0)
			return -1;
		if (strcmp(t->rows[r][c], eq + 1) != 0)
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct csv_table t;
	int col = -1, count = 0, rc = 0, ncols = 0, nf;
	int cols[CSV_MAX_FIELDS];
	char **filters;
	size_t matched = 0;

	if (argc < 2 || (argc == 3 && strcmp(argv[2], "-t") == 0)) {
		fprintf(stderr, "usage: csvq FILE [COL|-n|-t COL,COL...] [NAME=VALUE ...]\n");
		return 2;
	}
	if (csv_table_load(&t, argv[1]) < 0) {
		fprintf(stderr, "csvq: %s\n", t.err);
		return 1;
	}
	if (argc == 2) {
		printf("%zu rows, %zu columns\n", t.nrows, t.ncols);
		goto out;
	}
	filters = argv + 3;
	nf = argc - 3;
	if (strcmp(argv[2], "-n") == 0) {
		count = 1;
	} else if (strcmp(argv[2], "-t") == 0) {
		ncols = parse_cols(&t, argv[1], argv[3], cols, CSV_MAX_FIELDS);
		if (ncols < 0) {
			rc = 2;
			goto out;
		}
		filters++;
		nf--;
		for (int i = 0; i < ncols; i++) {
			put_tsv_field(t.header[cols[i]]);
			putchar(i + 1 < ncols ? '\t' : '\n');
		}
	} else if ((col = csv_table_col(&t, argv[2])) < 0) {
		fprintf(stderr, "csvq: %s: no column '%s'\n", argv[1], argv[2]);
		rc = 2;
		goto out;
	}
	for (size_t r = 0; r < t.nrows; r++) {
		int m = row_matches(&t, r, nf, filters);

		if (m < 0) {
			fprintf(stderr, "csvq: bad filter (NAME=VALUE with a known column)\n");
			rc = 2;
			goto out;
		}
		if (!m)
			continue;
		matched++;
		if (ncols > 0) {
			for (int i = 0; i < ncols; i++) {
				put_tsv_field(t.rows[r][cols[i]]);
				putchar(i + 1 < ncols ? '\t' : '\n');
			}
		} else if (!count) {
			printf("%s\n", t.rows[r][col]);
		}
	}
	if (count)
		printf("%zu\n", matched);
out:
	csv_table_free(&t);
	return rc;
}
