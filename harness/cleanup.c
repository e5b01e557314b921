/*
 * cleanup.c - the kernel objects that must not outlive a run: SysV ids,
 * POSIX names, files and scratch folders a benchmark creates, tracked in a page shared by
 * primbench, its supervising child and the workers, so that whoever
 * survives removes them (bench.h: bench_unique_name, bench_track,
 * bench_untrack, bench_scratch_dir; cleanup.h: the runner's side).  Also
 * the sweep of leftovers of earlier, killed runs.
 *
 * Why a shared page: the supervising child sweeps on PDEATHSIG or
 * SIGTERM, primbench after killing a hung child; both must see the same
 * slots, and a sweep may run in a signal handler, so a slot is claimed
 * with a compare-and-swap and removal uses system calls only.
 */
#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "bench.h"
#include "ctx.h"

/* Slots in the shared page; a benchmark holds a handful at a time. */
#define CLEANUP_SLOTS 64

/* One tracked object.  state: 0 free, 1 being written, 2 valid, 3 being
 * removed (its fields are whole: a sweeper that died mid-removal leaves a
 * slot that another sweep may finish). */
struct cleanup_slot {
	int state;          /* claimed with a CAS so a signal handler never
			       sees a half-written slot */
	int kind;           /* enum bench_obj */
	int id;             /* SysV id */
	char name[PATH_MAX]; /* POSIX name, file or folder path (a scratch
				folder under --out can be long) */
};

/* The page shared by primbench, its supervising child and the workers. */
struct cleanup_page {
	unsigned seq;                   /* unique-name counter */
	pid_t owner;                    /* primbench's pid: part of every name */
	struct cleanup_slot slot[CLEANUP_SLOTS]; /* tracked objects */
};

/* Set once by cleanup_init() in the main process, before any fork. */
static struct cleanup_page *tracked;

int cleanup_init(void)
{
	void *p = mmap(NULL, sizeof(*tracked), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	tracked = p;
	tracked->owner = getpid();
	return 0;
}

int bench_unique_name(struct bench_ctx *ctx, char *buf, size_t len, const char *tag)
{
	unsigned seq;
	int n;

	(void)ctx;
	if (!tracked)
		return -EINVAL;
	seq = __atomic_add_fetch(&tracked->seq, 1, __ATOMIC_SEQ_CST);
	n = snprintf(buf, len, "/primbench-%d-%u-%s", (int)tracked->owner, seq, tag);
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

int bench_track(struct bench_ctx *ctx, enum bench_obj kind, int id, const char *name)
{
	(void)ctx;
	if (!tracked)
		return -EINVAL;
	/* A cut path would name some other object to remove. */
	if (name && strlen(name) >= sizeof(tracked->slot[0].name))
		return -ENAMETOOLONG;
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		int expect = 0;
		struct cleanup_slot *s = &tracked->slot[i];

		if (!__atomic_compare_exchange_n(&s->state, &expect, 1, false,
						 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			continue;
		s->kind = kind;
		s->id = id;
		snprintf(s->name, sizeof(s->name), "%s", name ? name : "");
		__atomic_store_n(&s->state, 2, __ATOMIC_SEQ_CST);
		return 0;
	}
	return -ENOSPC;
}

static bool cleanup_match(const struct cleanup_slot *s, enum bench_obj kind, int id,
			  const char *name)
{
	if (s->kind != (int)kind)
		return false;
	return name ? strcmp(s->name, name) == 0 : s->id == id;
}

void bench_untrack(struct bench_ctx *ctx, enum bench_obj kind, int id, const char *name)
{
	(void)ctx;
	if (!tracked)
		return;
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		struct cleanup_slot *s = &tracked->slot[i];
		int expect = 2;

		if (__atomic_load_n(&s->state, __ATOMIC_SEQ_CST) == 2 &&
		    cleanup_match(s, kind, id, name) &&
		    __atomic_compare_exchange_n(&s->state, &expect, 0, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			return;
	}
}

void bench_hold_term(sigset_t *old)
{
	sigset_t term;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, old);
}

/*
 * Remove the folder path and the plain files directly in it; only system
 * calls (getdents64, unlinkat, rmdir), so safe in a signal handler.  A
 * subfolder is left (unlinkat without AT_REMOVEDIR fails on it), and so
 * then is the folder: scratch folders hold plain files only.  The scan
 * restarts until a pass removes nothing, since entries removed while a
 * directory is read may move the ones not read yet.
 */
static void cleanup_remove_dir(const char *path)
{
	char buf[4096] __attribute__((aligned(8)));
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool removed = true;

	for (int pass = 0; fd >= 0 && removed && pass < 64; pass++) {
		ssize_t n;

		removed = false;
		if (lseek(fd, 0, SEEK_SET) < 0)
			break;
		while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; off < n;) {
				struct dirent64 *d = (struct dirent64 *)(buf + off);

				off += d->d_reclen;
				if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
					continue;
				if (unlinkat(fd, d->d_name, 0) == 0)
					removed = true;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	rmdir(path);
}

/* Remove one object; only system calls, so safe in a signal handler. */
static void cleanup_remove(const struct cleanup_slot *s)
{
	switch (s->kind) {
	case BENCH_OBJ_SYSV_SHM:
		shmctl(s->id, IPC_RMID, NULL);
		break;
	case BENCH_OBJ_SYSV_MSG:
		msgctl(s->id, IPC_RMID, NULL);
		break;
	case BENCH_OBJ_SYSV_SEM:
		semctl(s->id, 0, IPC_RMID);
		break;
	case BENCH_OBJ_POSIX_SHM:
		shm_unlink(s->name);
		break;
	case BENCH_OBJ_POSIX_MQ:
		mq_unlink(s->name);
		break;
	case BENCH_OBJ_POSIX_SEM:
		/* sem_unlink("/x") removes /dev/shm/sem.x */
		{
			char path[128];

			snprintf(path, sizeof(path), "/dev/shm/sem.%s", s->name + 1);
			unlink(path);
		}
		break;
	case BENCH_OBJ_FILE:
		unlink(s->name);
		break;
	case BENCH_OBJ_DIR:
		cleanup_remove_dir(s->name);
		break;
	}
}

int cleanup_sweep(bool alone)
{
	int n = 0;

	if (!tracked)
		return 0;
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		struct cleanup_slot *s = &tracked->slot[i];
		int expect = 2;

		/* The supervising child and its workers may sweep at once (they
		 * share the SIGTERM handler), and either can be SIGKILLed with
		 * a slot claimed: alone, nothing else is alive, so a slot left
		 * being removed is finished here. */
		if (__atomic_compare_exchange_n(&s->state, &expect, 3, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) ||
		    (alone && expect == 3)) {
			cleanup_remove(s);
			__atomic_store_n(&s->state, 0, __ATOMIC_SEQ_CST);
			n++;
		}
	}
	return n;
}

/* Remove "<dir>/<prefix>primbench-<pid>-..." entries whose pid is dead. */
static void cleanup_sweep_dir(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t plen = strlen(prefix);

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX + 256];
		long pid;
		char *end;

		if (strncmp(e->d_name, prefix, plen) != 0 ||
		    strncmp(e->d_name + plen, "primbench-", 10) != 0)
			continue;
		pid = strtol(e->d_name + plen + 10, &end, 10);
		if (end == e->d_name + plen + 10 || *end != '-' || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		/* A scratch folder (bench_scratch_dir) goes with its files. */
		if (unlink(path) < 0 && (errno == EISDIR || errno == EPERM))
			cleanup_remove_dir(path);
	}
	closedir(d);
}

void cleanup_sweep_stale(const char *out_dir)
{
	cleanup_sweep_dir("/dev/shm", "");
	cleanup_sweep_dir("/dev/shm", "sem.");
	cleanup_sweep_dir("/dev/mqueue", "");
	if (out_dir)
		cleanup_sweep_dir(out_dir, ".");
}

/* --- scratch folders ------------------------------------------------------------ */

int bench_scratch_dir(struct bench_ctx *ctx, enum bench_fs fs, const char *tag,
		      char *buf, size_t len)
{
	char name[128], parent[PATH_MAX];
	struct statfs sf;
	int rc, n;

	rc = bench_unique_name(ctx, name, sizeof(name), tag);
	if (rc < 0)
		return rc;
	if (fs == BENCH_FS_TMPFS) {
		/* The host's tmpfs, not a private mount: a private tmpfs
		 * needs a user and a mount namespace, whose unmapped
		 * credentials would change what the --out file system and
		 * the counters see in the same process. */
		if (statfs("/dev/shm", &sf) < 0)
			return -errno;
		if (sf.f_type != 0x01021994)  /* TMPFS_MAGIC */
			return -ENODEV;
		n = snprintf(buf, len, "/dev/shm%s", name);
	} else {
		if (!ctx->out_dir)
			return -ENOENT;
		/* Absolute: primbench, whose cwd is the same today, must find
		 * it after the child is gone whatever happens to the cwd. */
		if (!realpath(ctx->out_dir, parent))
			return -errno;
		n = snprintf(buf, len, "%s/.%s", parent, name + 1);
	}
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	/* Tracked first: a kill between mkdir and the record would leave a
	 * folder nobody knows of; a record of a folder not made yet costs
	 * one failed rmdir. */
	rc = bench_track(ctx, BENCH_OBJ_DIR, 0, buf);
	if (rc < 0)
		return rc;
	if (mkdir(buf, 0700) < 0) {
		rc = -errno;
		bench_untrack(ctx, BENCH_OBJ_DIR, 0, buf);
		return rc;
	}
	return 0;
}

const char *bench_fs_type(const char *path, char *buf, size_t len)
{
	/* statfs(2)'s f_type values (linux/magic.h) of the file systems a
	 * results folder is likely to live on. */
	static const struct { unsigned long magic; const char *name; } known[] = {
		{ 0x01021994, "tmpfs" }, { 0xef53, "ext4" }, { 0x58465342, "xfs" },
		{ 0x9123683e, "btrfs" }, { 0x794c7630, "overlay" }, { 0x2fc12fc1, "zfs" },
		{ 0xf2f52010, "f2fs" }, { 0x6969, "nfs" }, { 0xff534d42, "cifs" },
		{ 0x01021997, "9p" }, { 0x65735546, "fuse" }, { 0x858458f6, "ramfs" },
		{ 0x4d44, "vfat" }, { 0x5346544e, "ntfs" }, { 0xca451a4e, "bcachefs" },
	};
	struct statfs sf;

	if (statfs(path, &sf) < 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if ((unsigned long)sf.f_type == known[i].magic) {
			snprintf(buf, len, "%s", known[i].name);
			return buf;
		}
	snprintf(buf, len, "0x%lx", (unsigned long)sf.f_type);
	return buf;
}

int bench_scratch_remove(struct bench_ctx *ctx, const char *dir)
{
	int rc;

	cleanup_remove_dir(dir);
	rc = access(dir, F_OK) == 0 ? -ENOTEMPTY : 0;
	if (rc == 0)
		bench_untrack(ctx, BENCH_OBJ_DIR, 0, dir);
	return rc;
}

