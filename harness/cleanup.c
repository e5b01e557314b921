/*
 * cleanup.c - the kernel objects that must not outlive a run: SysV ids,
 * POSIX names and files a benchmark creates, tracked in a page shared by
 * primbench, its supervising child and the workers, so that whoever
 * survives removes them (bench.h: bench_unique_name, bench_track,
 * bench_untrack; cleanup.h: the runner's side).  Also the sweep of
 * leftovers of earlier, killed runs.
 *
 * Why a shared page: the supervising child sweeps on PDEATHSIG or
 * SIGTERM, primbench after killing a hung child; both must see the same
 * slots, and a sweep may run in a signal handler, so a slot is claimed
 * with a compare-and-swap and removal uses system calls only.
 */
#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
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
#include <unistd.h>

#include "bench.h"

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
	char name[96];      /* POSIX name or file path */
};

/* The page shared by primbench, its supervising child and the workers. */
struct cleanup_page {
	unsigned seq;                   /* unique-name counter */
	pid_t owner;                    /* primbench's pid: part of every name */
	struct cleanup_slot slot[CLEANUP_SLOTS]; /* tracked objects */
};

/* Set once by ctx_registry_init() in the main process, before any fork. */
static struct cleanup_page *tracked;

int ctx_registry_init(void)
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
	}
}

int ctx_registry_sweep(bool alone)
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
		char path[512];
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
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

void ctx_sweep_stale(void)
{
	cleanup_sweep_dir("/dev/shm", "");
	cleanup_sweep_dir("/dev/shm", "sem.");
	cleanup_sweep_dir("/dev/mqueue", "");
}
