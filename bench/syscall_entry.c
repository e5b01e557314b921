/*
 * syscall_entry - what entering the kernel costs, beside syscall_getppid.
 *
 * What is measured: `iters` calls of one cheap system call, timed as the
 * whole run() call (calibration makes the two clock reads negligible).
 * The variants isolate the pieces of a kernel entry:
 *
 *   getpid_syscall         syscall(SYS_getpid): entry + exit + the least
 *                          work; glibc cached getpid() until 2.25, so the
 *                          raw call is used to be sure the kernel is entered.
 *   clock_gettime_vdso     clock_gettime(CLOCK_MONOTONIC) through glibc,
 *                          which calls the vDSO: no kernel entry at all
 *                          while the clocksource is vDSO-capable (tsc,
 *                          kvm-clock); the clocksource is written in note.
 *   clock_gettime_syscall  the same read through syscall(SYS_clock_gettime):
 *                          the difference to the vDSO row is the trap itself.
 *   close_ebadf            syscall(SYS_close, -1): a call that fails at once
 *                          (EBADF) - entry, fd-table lookup, error return.
 *   read_devzero_1b        syscall(SYS_read) of 1 byte from /dev/zero: the
 *                          smallest call that goes through the VFS (fdget,
 *                          rw_verify_area, ->read_iter) and copies to user.
 *   write_devnull_1b       syscall(SYS_write) of 1 byte to /dev/null: VFS
 *                          path without any copy.
 *
 * Every raw call goes through glibc's syscall() (a few instructions) rather
 * than the named wrappers, which add cancellation-point checks; the read
 * and write results are checked in the loop (a compare and branch, well
 * under a nanosecond), so a row never times a call that silently failed.
 * Known bias: the mitigations of the host (see vuln.* in meta.csv) sit in
 * every row except the vDSO one, which is the point of the comparison.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The primitive a configuration times. */
enum sys_op {
	SYS_OP_GETPID, SYS_OP_CLOCK_VDSO, SYS_OP_CLOCK_SYSCALL,
	SYS_OP_CLOSE_EBADF, SYS_OP_READ_ZERO, SYS_OP_WRITE_NULL,
};

/* Per-configuration state. */
struct sys_state {
	enum sys_op op;       /* which call run() makes */
	int fd;               /* /dev/zero or /dev/null for read/write, else -1 */
	char byte;            /* the 1-byte buffer read into / written from */
	struct timespec ts;   /* clock_gettime's output */
	long sink;            /* sum of results (never read; stops dead-code removal) */
};

/* Variant name -> operation, in the order of the variant table. */
static const char *const sys_names[] = {
	[SYS_OP_GETPID] = "getpid_syscall",
	[SYS_OP_CLOCK_VDSO] = "clock_gettime_vdso",
	[SYS_OP_CLOCK_SYSCALL] = "clock_gettime_syscall",
	[SYS_OP_CLOSE_EBADF] = "close_ebadf",
	[SYS_OP_READ_ZERO] = "read_devzero_1b",
	[SYS_OP_WRITE_NULL] = "write_devnull_1b",
};

static int sys_op_of(const char *name)
{
	for (size_t i = 0; i < sizeof(sys_names) / sizeof(sys_names[0]); i++)
		if (strcmp(sys_names[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

/* Write the current clocksource into the configuration's note, so a row
 * whose "vDSO" read fell back to the syscall (hpet, acpi_pm) says why. */
static void sys_note_clocksource(struct bench_ctx *ctx)
{
	char cs[64] = "unknown";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");

	if (f) {
		if (fgets(cs, sizeof(cs), f))
			cs[strcspn(cs, "\n")] = 0;
		fclose(f);
	}
	bench_note(ctx, "clocksource=%s", cs);
}

static int sys_setup(struct bench_ctx *ctx, void **state)
{
	struct sys_state *st;
	int op = sys_op_of(bench_variant(ctx)->name);
	int rc;

	if (op < 0)
		return bench_fail(ctx, op, "unknown variant %s", bench_variant(ctx)->name);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->op = (enum sys_op)op;
	st->fd = -1;

	switch (st->op) {
	case SYS_OP_CLOCK_VDSO:
		/* Without a vDSO glibc makes the syscall: the row would
		 * repeat clock_gettime_syscall under a wrong name. */
		if (getauxval(AT_SYSINFO_EHDR) == 0) {
			rc = bench_skip(ctx, "no vDSO mapped (AT_SYSINFO_EHDR is 0): clock_gettime is the syscall here");
			goto out_free;
		}
		sys_note_clocksource(ctx);
		break;
	case SYS_OP_CLOCK_SYSCALL:
		sys_note_clocksource(ctx);
		break;
	case SYS_OP_CLOSE_EBADF:
		/* The row is only "a failing call" if it does fail, with EBADF. */
		if (syscall(SYS_close, -1) != -1 || errno != EBADF) {
			rc = bench_fail(ctx, -EPROTO, "close(-1) did not fail with EBADF");
			goto out_free;
		}
		break;
	case SYS_OP_READ_ZERO:
	case SYS_OP_WRITE_NULL:
		st->fd = open(st->op == SYS_OP_READ_ZERO ? "/dev/zero" : "/dev/null",
			      (st->op == SYS_OP_READ_ZERO ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
		if (st->fd < 0) {
			int err = errno;

			rc = bench_skip(ctx, "cannot open %s: %s",
					st->op == SYS_OP_READ_ZERO ? "/dev/zero" : "/dev/null",
					strerror(err));
			goto out_free;
		}
		break;
	case SYS_OP_GETPID:
		break;
	}
	*state = st;
	return 0;

out_free:
	free(st);
	return rc;
}

/* `iters` calls of the configured primitive; 0, or a failure when a
 * read/write did not move its byte. */
static int sys_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct sys_state *st = state;

	switch (st->op) {
	case SYS_OP_GETPID:
		for (uint64_t i = 0; i < iters; i++)
			st->sink += syscall(SYS_getpid);
		break;
	case SYS_OP_CLOCK_VDSO:
		for (uint64_t i = 0; i < iters; i++) {
			clock_gettime(CLOCK_MONOTONIC, &st->ts);
			st->sink += st->ts.tv_nsec;
		}
		break;
	case SYS_OP_CLOCK_SYSCALL:
		for (uint64_t i = 0; i < iters; i++) {
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &st->ts);
			st->sink += st->ts.tv_nsec;
		}
		break;
	case SYS_OP_CLOSE_EBADF:
		for (uint64_t i = 0; i < iters; i++)
			st->sink += syscall(SYS_close, -1);
		break;
	case SYS_OP_READ_ZERO:
		for (uint64_t i = 0; i < iters; i++) {
			long r = syscall(SYS_read, st->fd, &st->byte, 1);

			if (r != 1)
				return bench_fail(ctx, r < 0 ? -errno : -EIO,
						  "read of /dev/zero returned %ld, not 1 byte", r);
		}
		break;
	case SYS_OP_WRITE_NULL:
		for (uint64_t i = 0; i < iters; i++) {
			long r = syscall(SYS_write, st->fd, &st->byte, 1);

			if (r != 1)
				return bench_fail(ctx, r < 0 ? -errno : -EIO,
						  "write to /dev/null returned %ld, not 1 byte", r);
		}
		break;
	}
	return 0;
}

static void sys_teardown(struct bench_ctx *ctx, void *state)
{
	struct sys_state *st = state;

	(void)ctx;
	if (st->fd >= 0)
		close(st->fd);
	free(st);
}

static const struct bench_variant sys_variants[] = {
	{ .name = "getpid_syscall", .summary = "syscall(SYS_getpid): entry + exit, no libc caching" },
	{ .name = "clock_gettime_vdso", .summary = "clock_gettime(CLOCK_MONOTONIC) via the vDSO: no kernel entry" },
	{ .name = "clock_gettime_syscall", .summary = "syscall(SYS_clock_gettime): the same read through the trap" },
	{ .name = "close_ebadf", .summary = "syscall(SYS_close, -1): a call that fails with EBADF" },
	{ .name = "read_devzero_1b", .summary = "read 1 byte from /dev/zero: VFS path + copy to user" },
	{ .name = "write_devnull_1b", .summary = "write 1 byte to /dev/null: VFS path, no copy" },
	{ .name = NULL },
};

const struct bench_desc bench_syscall_entry = {
	.name = "syscall_entry",
	.summary = "kernel entry: raw syscalls vs the vDSO, a failing call, 1-byte read/write",
	.unit = "call",
	.variants = sys_variants,
	.setup = sys_setup,
	.run = sys_run,
	.teardown = sys_teardown,
};
