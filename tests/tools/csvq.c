/*
 * csvq - a tiny query tool over primbench CSVs for the end-to-end tests,
 * built on harness/csv.c so that quoted notes with commas are read right.
 *
 *   csvq FILE                         check: parses, every row full; prints rows
 *   csvq FILE COL [NAME=VALUE ...]    print COL of the rows matching all filters
 *   csvq FILE -n [NAME=VALUE ...]     print how many rows match
 *
 * Exit 0 on success, 1 on a bad file (message on stderr), 2 on bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "csv.h"

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
	int col = -1, count = 0, rc = 0;
	size_t matched = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: csvq FILE [COL|-n] [NAME=VALUE ...]\n");
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
	if (strcmp(argv[2], "-n") == 0) {
		count = 1;
	} else if ((col = csv_table_col(&t, argv[2])) < 0) {
		fprintf(stderr, "csvq: %s: no column '%s'\n", argv[1], argv[2]);
		rc = 2;
		goto out;
	}
	for (size_t r = 0; r < t.nrows; r++) {
		int m = row_matches(&t, r, argc - 3, argv + 3);

		if (m < 0) {
			fprintf(stderr, "csvq: bad filter (NAME=VALUE with a known column)\n");
			rc = 2;
			goto out;
		}
		if (!m)
			continue;
		matched++;
		if (!count)
			printf("%s\n", t.rows[r][col]);
	}
	if (count)
		printf("%zu\n", matched);
out:
	csv_table_free(&t);
	return rc;
}
