/*
 * test_output.c - unit tests of harness/output.c's error paths.
 *
 * output_close() must report the error that really happened (the -errno
 * of the call that failed, e.g. ENOSPC on a full disk, never a generic
 * EIO) and must close both CSV files even when their fsync() fails.
 * Failures are made without root and without a full disk: fsync() of a
 * pipe fails with EINVAL (a pipe is dup2()ed over summary.csv's fd), and
 * meta.csv cannot be written into a folder that was removed (ENOENT).
 */
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
#include <unistd.h>

#include <cmocka.h>

#include "meta.h"
#include "output.h"

/* A results folder opened under a fresh temporary parent. */
struct fixture {
	char parent[64];     /* mkdtemp folder, the --out of the run */
	struct meta meta;    /* the little meta output_open needs */
	struct output out;   /* the open results folder */
};

static int fx_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->parent, sizeof(fx->parent), "/tmp/test_output.XXXXXX");
	if (!mkdtemp(fx->parent) ||
	    meta_set(&fx->meta, "host", "testhost") < 0 ||
	    meta_set(&fx->meta, "kernel_release", "testkernel") < 0 ||
	    output_open(&fx->out, fx->parent, &fx->meta) < 0) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

/* Remove a folder of plain files (the run folder, the parent). */
static void rm_dir(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int fx_teardown(void **state)
{
	struct fixture *fx = *state;

	rm_dir(fx->parent);
	meta_free(&fx->meta);
	free(fx);
	return 0;
}

/* True if fd is an open file descriptor. */
static int fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* A normal close: 0, both fds closed, the folder renamed, complete=true. */
static void test_close_ok(void **state)
{
	struct fixture *fx = *state;
	int sfd = fx->out.summary_fd, pfd = fx->out.samples_fd;

	assert_true(fd_open(sfd) && fd_open(pfd));
	assert_int_equal(output_close(&fx->out, true), 0);
	assert_false(fd_open(sfd));
	assert_false(fd_open(pfd));
	assert_int_equal(access(fx->out.final, F_OK), 0);
	assert_string_equal(meta_get(&fx->meta, "complete"), "true");
}

/* fsync() of summary.csv fails: its error is returned, and both files are
 * still closed (before the fix, a failed fsync skipped the close). */
static void test_close_after_failed_fsync(void **state)
{
	struct fixture *fx = *state;
	int sfd = fx->out.summary_fd, pfd = fx->out.samples_fd;
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(dup2(p[0], sfd), sfd);
	close(p[0]);
	close(p[1]);
	assert_int_equal(fsync(sfd), -1);  /* the premise: a pipe cannot be synced */
	assert_int_equal(output_close(&fx->out, true), -EINVAL);
	assert_false(fd_open(sfd));
	assert_false(fd_open(pfd));
	assert_string_equal(meta_get(&fx->meta, "complete"), "false");
}

/* meta.csv cannot be written: output_close returns that call's -errno
 * (here ENOENT: the folder is gone), not -EIO. */
static void test_meta_error_passes_through(void **state)
{
	struct fixture *fx = *state;

	rm_dir(fx->out.tmp);
	assert_int_equal(output_close(&fx->out, true), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_close_ok, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_close_after_failed_fsync, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_meta_error_passes_through, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
