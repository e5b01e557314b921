/*
 * test_fileio.c - unit tests of harness/fileio.c and harness/note.c.
 *
 * Expected file contents, modes and notes are literals written by hand
 * from the contracts in fileio.h and note.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileio.h"
#include "note.h"

/* A fresh folder for one test, removed by rm_dir. */
static void make_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/primbench-test-fileio.XXXXXX");
	assert_non_null(mkdtemp(dir));
}

/* Remove dir and the plain files in it. */
static void rm_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(dir);
}

/* Entries of dir (not . or ..). */
static int count_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* The whole of a small file, NUL-terminated, into buf. */
static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = 0;
	close(fd);
}

/* write_all through a pipe: every byte, in order. */
static void test_write_all(void **state)
{
	char big[200000], back[200000];
	int p[2];
	size_t got = 0;
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	assert_int_equal(pipe(p), 0);
	/* More than a pipe holds: the writer blocks, so a child writes. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(fileio_write_all(p[1], big, sizeof(big)) == 0 ? 0 : 1);
	}
	close(p[1]);
	while (got < sizeof(back)) {
		ssize_t n = read(p[0], back + got, sizeof(back) - got);

		assert_true(n > 0);
		got += (size_t)n;
	}
	close(p[0]);
	assert_memory_equal(big, back, sizeof(big));
	assert_int_equal(fileio_write_all(-1, "x", 1), -EBADF);
	assert_int_equal(fileio_write_all(-1, "", 0), 0);
}

/* replace: a new file, then over an old one; no temporary file left. */
static void test_replace(void **state)
{
	char dir[64], path[PATH_MAX], buf[64];
	struct stat sb;
	mode_t old = umask(022);

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/f.csv", dir);
	assert_int_equal(fileio_replace(path, "a,b\n", 4, 0), 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "a,b\n");
	assert_int_equal(fileio_replace(path, "c\n", 2, 0), 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "c\n");
	assert_int_equal(count_entries(dir), 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	rm_dir(dir);
	umask(old);
}

/* The mode: 0644 less the umask, or 0644 whatever it is. */
static void test_replace_mode(void **state)
{
	char dir[64], path[PATH_MAX];
	struct stat sb;
	mode_t old = umask(077);

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/umask", dir);
	assert_int_equal(fileio_replace(path, "x", 1, 0), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/exact", dir);
	assert_int_equal(fileio_replace(path, "x", 1, FILEIO_MODE_0644), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	umask(old);
	rm_dir(dir);
}

/* Errors: no folder, a name too long for tmp, a rename onto a folder;
 * nothing left behind. */
static void test_replace_errors(void **state)
{
	char dir[64], path[PATH_MAX], tmp[16];

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/no/such", dir);
	assert_int_equal(fileio_replace(path, "x", 1, 0), -ENOENT);
	assert_int_equal(fileio_tmp_open("a-long-name", tmp, sizeof(tmp), 0), -ENAMETOOLONG);
	snprintf(path, sizeof(path), "%s/sub", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(fileio_replace(path, "x", 1, 0), -EISDIR);
	assert_int_equal(count_entries(dir), 1);
	assert_int_equal(rmdir(path), 0);
	rm_dir(dir);
}

/* Two temporary files next to one path get two names. */
static void test_tmp_unique(void **state)
{
	char dir[64], path[PATH_MAX], t1[PATH_MAX + FILEIO_TMP_EXTRA], t2[sizeof(t1)];
	int a, b;

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	a = fileio_tmp_open(path, t1, sizeof(t1), 0);
	b = fileio_tmp_open(path, t2, sizeof(t2), 0);
	assert_true(a >= 0 && b >= 0);
	assert_string_not_equal(t1, t2);
	assert_int_equal(strncmp(t1, path, strlen(path)), 0);
	assert_int_equal(strncmp(t1 + strlen(path), ".tmp.", 5), 0);
	assert_int_equal(strlen(t1), strlen(path) + FILEIO_TMP_EXTRA);
	assert_int_equal(fileio_tmp_commit(a, t1, path, "1", 1), 0);
	assert_int_equal(fileio_tmp_commit(b, t2, path, "2", 1), 0);
	assert_int_equal(count_entries(dir), 1);
	rm_dir(dir);
}

/* note_append: separators, and the cut at the buffer's size. */
static void test_note_append(void **state)
{
	char n[16] = "";

	(void)state;
	note_append(n, sizeof(n), "%s", "one");
	assert_string_equal(n, "one");
	note_append(n, sizeof(n), "t%d", 2);
	assert_string_equal(n, "one; t2");
	note_append(n, sizeof(n), "%s", "three-long");
	assert_string_equal(n, "one; t2; three-");   /* 15 bytes and the NUL */
	note_append(n, sizeof(n), "%s", "more");
	assert_string_equal(n, "one; t2; three-");   /* full: as it was */
	/* 12 bytes: "; " and one byte fit; 11: two; 13: not even one. */
	snprintf(n, sizeof(n), "%s", "abcdefghijkl");
	note_append(n, sizeof(n), "%s", "xyz");
	assert_string_equal(n, "abcdefghijkl; x");
	snprintf(n, sizeof(n), "%s", "abcdefghijk");
	note_append(n, sizeof(n), "%s", "xyz");
	assert_string_equal(n, "abcdefghijk; xy");
	snprintf(n, sizeof(n), "%s", "abcdefghijklm");
	note_append(n, sizeof(n), "%s", "xyz");
	assert_string_equal(n, "abcdefghijklm");
	/* An empty note takes the text alone. */
	n[0] = 0;
	note_append(n, sizeof(n), "%s", "0123456789abcdefXYZ");
	assert_string_equal(n, "0123456789abcde");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_all),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_replace_mode),
		cmocka_unit_test(test_replace_errors),
		cmocka_unit_test(test_tmp_unique),
		cmocka_unit_test(test_note_append),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
