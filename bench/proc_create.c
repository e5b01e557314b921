/*
 * proc_create - what it costs to create an execution context, and how that
 * cost grows with the creator's address space.
 *
 * What is measured: `iters` creations of a child that does nothing but exit,
 * each reaped before the next, timed as the whole run() call: from the
 * creating call in the parent to the parent's return from the reap
 * (waitpid, pthread_join, or the CLONE_CHILD_CLEARTID futex).  ns_per_op is
 * therefore create + child run + exit + reap, the cost a shell or a server
 * pays per short-lived child.  Variants:
 *   fork, vfork                      glibc's wrappers
 *   clone_process                    clone(SIGCHLD): a process, nothing shared
 *   clone_vm                         clone(CLONE_VM|CLONE_VFORK): vfork with
 *                                    a stack of its own
 *   clone_thread                     clone(CLONE_VM|FS|FILES|SIGHAND|THREAD),
 *                                    joined through CLONE_CHILD_CLEARTID
 *   clone3                           clone3() with process semantics (the
 *                                    same as clone_process, newer entry)
 *   pthread_create                   pthread_create + pthread_join
 *   fork_exec, vfork_exec,           the child execs the static helper
 *   posix_spawn                      (primbench-helper, exits 0 at once), so
 *                                    exec costs the kernel, not ld.so
 *   fork_exec_dyn                    fork + exec of the dynamic /bin/true:
 *                                    the difference to fork_exec is ld.so's
 *                                    (at the 4 MiB point only)
 *   fork_untouched                   fork with the sweep's memory mapped but
 *                                    never written (no page tables to copy)
 *   fork_thp                         fork with the memory in MADV_HUGEPAGE
 *                                    2 MiB pages (one PMD per 2 MiB to copy)
 *
 * Sweep rss_bytes: in setup the supervising child (the parent of every
 * child here) maps that much anonymous memory and writes every page
 * (MADV_NOHUGEPAGE, so it is 4 KiB pages, except fork_thp), on top of
 * primbench's own few MiB.  fork copies one PTE per page and the child's
 * exit zaps them, so fork-like variants grow linearly; CLONE_VM variants
 * (vfork, clone_vm, threads, posix_spawn, vfork_exec) share the mm and
 * should stay flat.  The runner fits ns_per_op against rss in MiB
 * (ns_per_mib rows).  A point that does not fit MemAvailable is skipped.
 * Filling 1 GiB costs about a second on a small VM: for the written 4 KiB
 * kinds the runner fills each size once per round and every visit inherits
 * it copy-on-write (BENCH_V_PREFILL, prefill.c), so the pages are shared
 * with primbench and write-protected - as they are after this process's
 * first fork in any case, i.e. in every sample after the warm-up.  The
 * untouched and THP kinds are cheap to make and make their own.
 *
 * ns_to_child (extra metric, ns): the parent reads the clock right before
 * the creating call; the child's first action is to store the clock in a
 * MAP_SHARED page.  The difference is the time until the child's first
 * instruction of our code.  It is reported for every variant whose child
 * runs our code: for vfork and clone_vm too, because "the parent sleeps"
 * does not make the child start for free (the kernel still builds a task);
 * it is where the cost of copying page tables shows up for fork and not
 * for vfork.  It is not reported for the exec variants: posix_spawn gives
 * no hook, and a stamp before exec would repeat fork's/vfork's number.
 *
 * Placement: `single`.  The child inherits the parent's CPU affinity, so
 * parent and child share CPU 1: the parent of fork runs on until it blocks
 * in waitpid, while vfork's parent is suspended until the child exits or
 * execs - that difference is part of what is measured.
 *
 * Counters: the parent's own thread counters (its COW faults on its stack
 * after fork, its context switches) plus, for process children, the
 * child's faults and context switches from wait4()'s rusage.  Thread
 * children's own counts are not added (no per-thread rusage after exit).
 *
 * Known bias: includes the reap; includes one clock read (~30 ns) per
 * creation for ns_to_child; every process child also calls
 * bench_child_init() (prctl(PR_SET_PDEATHSIG) + getppid, two system calls)
 * so that it dies with the parent.  posix_spawn's child cannot do that: it
 * is in the supervising child's process group, which the runner kills.
 * Thread children skip it (they die with the process anyway).
 *
 * Limits: EAGAIN (RLIMIT_NPROC, pid or thread limits) or ENOMEM from the
 * creating call, or memory that cannot be mapped, give a `skipped` row
 * with the reason; no child is left behind.
 *
 * Fault injection (test only, PRIMBENCH_INJECT=proc_create:<what>): "hang"
 * makes every child that runs our code block forever (the watchdog must
 * end it); "crash" makes it SIGKILL itself (for thread variants that is
 * the whole benchmark process).  Exec variants ignore it.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PC_MIB (1024.0 * 1024.0)
/* Size and alignment of a PMD-mapped transparent huge page (x86-64). */
#define PC_HUGE_BYTES (2ul << 20)
/* Stack of the clone() children: they run a few calls deep. */
#define PC_STACK_BYTES (64ul << 10)
/* Memory kept free beyond the sweep's, for the children's page tables
 * and everyone else on the host. */
#define PC_MEM_MARGIN_BYTES (128ul << 20)
/* The dynamically linked program fork_exec_dyn runs. */
#define PC_DYN_PROGRAM "/bin/true"

/* How the child is made. */
enum pc_kind {
	PC_FORK, PC_VFORK, PC_CLONE_PROCESS, PC_CLONE_VM, PC_CLONE_THREAD,
	PC_CLONE3, PC_PTHREAD, PC_FORK_EXEC, PC_VFORK_EXEC, PC_POSIX_SPAWN,
};

/* What the sweep's memory is. */
enum pc_mem {
	PC_MEM_TOUCHED,   /* 4 KiB pages, every page written */
	PC_MEM_UNTOUCHED, /* mapped, never written: no page tables */
	PC_MEM_THP,       /* MADV_HUGEPAGE, 2 MiB aligned, written */
};

/* What the child execs, for the exec kinds. */
enum pc_prog { PC_PROG_NONE, PC_PROG_HELPER, PC_PROG_DYN };

/* Variant ids: the index into pc_variants[] and pc_specs[]. */
enum pc_variant_id {
	PV_FORK, PV_FORK_UNTOUCHED, PV_FORK_THP, PV_VFORK, PV_CLONE_PROCESS,
	PV_CLONE_VM, PV_CLONE_THREAD, PV_CLONE3, PV_PTHREAD, PV_FORK_EXEC,
	PV_VFORK_EXEC, PV_POSIX_SPAWN, PV_FORK_EXEC_DYN, PV_COUNT
};

/* How one variant is run. */
struct pc_spec {
	enum pc_kind kind;    /* creating call */
	enum pc_mem mem;      /* what the swept memory is */
	enum pc_prog prog;    /* what the child execs */
};

static const struct pc_spec pc_specs[PV_COUNT] = {
	[PV_FORK] = { PC_FORK, PC_MEM_TOUCHED, PC_PROG_NONE },
	[PV_FORK_UNTOUCHED] = { PC_FORK, PC_MEM_UNTOUCHED, PC_PROG_NONE },
	[PV_FORK_THP] = { PC_FORK, PC_MEM_THP, PC_PROG_NONE },
	[PV_VFORK] = { PC_VFORK, PC_MEM_TOUCHED, PC_PROG_NONE },
	[PV_CLONE_PROCESS] = { PC_CLONE_PROCESS, PC_MEM_TOUCHED, PC_PROG_NONE },
	[PV_CLONE_VM] = { PC_CLONE_VM, PC_MEM_TOUCHED, PC_PROG_NONE },
	[PV_CLONE_THREAD] = { PC_CLONE_THREAD, PC_MEM_TOUCHED, PC_PROG_NONE },
	[PV_CLONE3] = { PC_CLONE3, PC_MEM_TOUCHED, PC_PROG_NONE },
	[PV_PTHREAD] = { PC_PTHREAD, PC_MEM_TOUCHED, PC_PROG_NONE },
	[PV_FORK_EXEC] = { PC_FORK_EXEC, PC_MEM_TOUCHED, PC_PROG_HELPER },
	[PV_VFORK_EXEC] = { PC_VFORK_EXEC, PC_MEM_TOUCHED, PC_PROG_HELPER },
	[PV_POSIX_SPAWN] = { PC_POSIX_SPAWN, PC_MEM_TOUCHED, PC_PROG_HELPER },
	[PV_FORK_EXEC_DYN] = { PC_FORK_EXEC, PC_MEM_TOUCHED, PC_PROG_DYN },
};

/* The variants, defined with the descriptor; indexed by enum pc_variant_id. */
static const struct bench_variant pc_variants[PV_COUNT + 1];

/* The page the child stamps; MAP_SHARED so a process child's store is
 * seen by the parent. */
struct pc_shared {
	uint64_t child_ns;    /* bench_now_ns() at the child's first action */
};

/* Per-configuration state. */
struct pc_state {
	const struct pc_spec *spec;   /* this variant's recipe */
	char *map;                    /* the sweep's mapping, NULL if none */
	size_t map_len;               /* its length (with alignment slack) */
	struct pc_shared *shared;     /* the stamp page */
	char *stack;                  /* clone() children's stack, NULL if none */
	int ctid;                     /* CLONE_CHILD_CLEARTID word of clone_thread:
				         1 while the thread lives, 0 once gone */
	enum bench_fault inject;      /* test-only fault of the children */
	char prog[PATH_MAX];          /* program the exec variants run */
	char *argv[2];                /* its argv: { prog, NULL } */
};

/* The exec'd programs get an empty environment: the helper needs none and
 * /bin/true's loader then does the same work on every host. */
static char *const pc_envp[] = { NULL };

/*
 * The body of every child that runs our code: stamp the clock first, then
 * (process children) arrange to die with the parent, then the test-only
 * injection.  Only async-signal-safe, TLS-free steps: a clone_thread or
 * clone_vm child shares (or lacks) libc's per-thread state.  Returns the
 * exit status.
 */
static int pc_child_body(struct pc_state *st, bool is_process)
{
	st->shared->child_ns = bench_now_ns();
	if (is_process && bench_child_init() < 0)
		return 126;
	if (st->inject == BENCH_FAULT_HANG)
		for (;;)
			syscall(SYS_pause);
	if (st->inject == BENCH_FAULT_CRASH)
		syscall(SYS_kill, syscall(SYS_getpid), SIGKILL);
	return 0;
}

/* clone() entry of a process child (clone_process, clone_vm). */
static int pc_clone_process_main(void *arg)
{
	return pc_child_body(arg, true);
}

/* clone() entry of clone_thread; returning makes glibc's clone call
 * SYS_exit, which ends this thread only. */
static int pc_clone_thread_main(void *arg)
{
	return pc_child_body(arg, false);
}

/* pthread_create entry. */
static void *pc_pthread_main(void *arg)
{
	pc_child_body(arg, false);
	return NULL;
}

/* Reap a process child; add its faults and switches (wait4's rusage) to
 * the sample; a child that did not exit 0 is a failure. */
static int pc_reap(struct bench_ctx *ctx, pid_t pid)
{
	struct rusage ru;
	int rc = bench_wait_child(ctx, pid, &ru);

	if (rc < 0)
		return rc;
	bench_add_count(ctx, PMU_MINOR_FAULTS, (uint64_t)ru.ru_minflt);
	bench_add_count(ctx, PMU_MAJOR_FAULTS, (uint64_t)ru.ru_majflt);
	bench_add_count(ctx, PMU_PAGE_FAULTS, (uint64_t)(ru.ru_minflt + ru.ru_majflt));
	bench_add_count(ctx, PMU_CTX_SWITCHES, bench_rusage_switches(&ru));
	return 0;
}

/* clone_thread: start the thread, wait until the kernel clears ctid at
 * its exit (a shared futex wake, as glibc's pthread_join waits). */
static int pc_clone_thread(struct bench_ctx *ctx, struct pc_state *st)
{
	const int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			  CLONE_THREAD | CLONE_CHILD_CLEARTID;
	int v;

	__atomic_store_n(&st->ctid, 1, __ATOMIC_SEQ_CST);
	if (clone(pc_clone_thread_main, st->stack + PC_STACK_BYTES, flags, st,
		  NULL, NULL, &st->ctid) < 0)
		return bench_spawn_error(ctx, "clone(CLONE_THREAD)", errno);
	while ((v = __atomic_load_n(&st->ctid, __ATOMIC_SEQ_CST)) != 0)
		syscall(SYS_futex, &st->ctid, FUTEX_WAIT, v, NULL, NULL, 0);
	return 0;
}

/* clone3 with process semantics: no new stack, so the child returns here
 * on its copy of ours, like fork's. */
static pid_t pc_clone3(struct pc_state *st)
{
	struct clone_args args = { .exit_signal = SIGCHLD };
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid == 0)
		_exit(pc_child_body(st, true));
	return (pid_t)pid;
}

/* The exec variants' child, after fork or vfork. */
static void pc_exec_child(const struct pc_state *st)
{
	if (bench_child_init() < 0)
		_exit(126);
	execve(st->prog, st->argv, pc_envp);
	_exit(127);
}

/* One creation, run to the child's end and reaped.  0 or the -errno of
 * bench_skip/bench_fail. */
static int pc_create_one(struct bench_ctx *ctx, struct pc_state *st)
{
	pthread_t thr;
	pid_t pid;
	int err;

	switch (st->spec->kind) {
	case PC_FORK:
		pid = fork();
		if (pid == 0)
			_exit(pc_child_body(st, true));
		if (pid < 0)
			return bench_spawn_error(ctx, "fork", errno);
		return pc_reap(ctx, pid);
	case PC_VFORK:
		pid = vfork();
		if (pid == 0)
			_exit(pc_child_body(st, true));
		if (pid < 0)
			return bench_spawn_error(ctx, "vfork", errno);
		return pc_reap(ctx, pid);
	case PC_CLONE_PROCESS:
		pid = clone(pc_clone_process_main, st->stack + PC_STACK_BYTES, SIGCHLD, st);
		if (pid < 0)
			return bench_spawn_error(ctx, "clone(SIGCHLD)", errno);
		return pc_reap(ctx, pid);
	case PC_CLONE_VM:
		pid = clone(pc_clone_process_main, st->stack + PC_STACK_BYTES,
			    CLONE_VM | CLONE_VFORK | SIGCHLD, st);
		if (pid < 0)
			return bench_spawn_error(ctx, "clone(CLONE_VM|CLONE_VFORK)", errno);
		return pc_reap(ctx, pid);
	case PC_CLONE_THREAD:
		return pc_clone_thread(ctx, st);
	case PC_CLONE3:
		pid = pc_clone3(st);
		if (pid < 0)
			return bench_spawn_error(ctx, "clone3", errno);
		return pc_reap(ctx, pid);
	case PC_PTHREAD:
		err = pthread_create(&thr, NULL, pc_pthread_main, st);
		if (err)
			return bench_spawn_error(ctx, "pthread_create", err);
		err = pthread_join(thr, NULL);
		return err ? bench_fail(ctx, -err, "pthread_join: %s", strerror(err)) : 0;
	case PC_FORK_EXEC:
		pid = fork();
		if (pid == 0)
			pc_exec_child(st);
		if (pid < 0)
			return bench_spawn_error(ctx, "fork", errno);
		return pc_reap(ctx, pid);
	case PC_VFORK_EXEC:
		pid = vfork();
		if (pid == 0)
			pc_exec_child(st);
		if (pid < 0)
			return bench_spawn_error(ctx, "vfork", errno);
		return pc_reap(ctx, pid);
	case PC_POSIX_SPAWN:
		err = posix_spawn(&pid, st->prog, NULL, NULL, st->argv, pc_envp);
		if (err)
			return bench_spawn_error(ctx, "posix_spawn", err);
		return pc_reap(ctx, pid);
	}
	return -EINVAL;
}

/* Do `iters` creations (timed: the whole call). */
static int pc_run(struct bench_ctx *ctx, void *state, uint64_t iters)
{
	struct pc_state *st = state;
	bool stamps = st->spec->prog == PC_PROG_NONE;

	for (uint64_t i = 0; i < iters; i++) {
		uint64_t t0;
		int rc;

		st->shared->child_ns = 0;
		t0 = bench_now_ns();
		rc = pc_create_one(ctx, st);
		if (rc < 0)
			return rc;
		if (!stamps)
			continue;
		if (st->shared->child_ns < t0)
			return bench_fail(ctx, 0, "the child did not stamp the clock");
		bench_sample_metric(ctx, "ns_to_child", "ns", (double)(st->shared->child_ns - t0));
	}
	return 0;
}

/* A "Key:   <n> kB" line of a /proc file, in kB; -errno if absent. */
static long pc_proc_kb(const char *path, const char *key)
{
	char buf[4096];
	size_t klen = strlen(key);
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	for (char *line = buf; line; ) {
		char *next = strchr(line, '\n');

		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			return strtol(line + klen + 1, NULL, 10);
		line = next ? next + 1 : NULL;
	}
	return -ENOENT;
}

/* Map (and for the written kinds, fault in) the sweep's memory.  Skips
 * when it cannot be had. */
static int pc_map_rss(struct bench_ctx *ctx, struct pc_state *st, size_t bytes)
{
	long avail_kb = pc_proc_kb("/proc/meminfo", "MemAvailable");
	long huge0 = 0, huge1;
	char *p;
	int rc;

	if (bytes == 0)
		return 0;
	if (st->spec->mem == PC_MEM_TOUCHED) {
		size_t len;
		void *pre = bench_prefilled(ctx, &len);

		if (pre && len == bytes) {
			st->map = pre;
			st->map_len = len;
			return 0;
		}
	}
	if (avail_kb >= 0 && bytes + PC_MEM_MARGIN_BYTES > (size_t)avail_kb * 1024)
		return bench_skip(ctx, "rss_bytes=%zu does not fit: MemAvailable is %ld MiB (%lu MiB kept free)",
				  bytes, avail_kb / 1024, PC_MEM_MARGIN_BYTES >> 20);
	st->map_len = bytes + (st->spec->mem == PC_MEM_THP ? PC_HUGE_BYTES : 0);
	st->map = mmap(NULL, st->map_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->map == MAP_FAILED) {
		int err = errno;

		st->map = NULL;
		return bench_skip(ctx, "cannot map rss_bytes=%zu: %s", bytes, strerror(err));
	}
	p = st->map;
	if (st->spec->mem == PC_MEM_UNTOUCHED)
		return 0;
	if (st->spec->mem == PC_MEM_THP) {
		/* Huge pages need 2 MiB-aligned 2 MiB extents. */
		p = (char *)(((uintptr_t)p + PC_HUGE_BYTES - 1) & ~(PC_HUGE_BYTES - 1));
		huge0 = pc_proc_kb("/proc/self/smaps_rollup", "AnonHugePages");
		if (madvise(p, bytes, MADV_HUGEPAGE) < 0)
			return bench_skip(ctx, "madvise(MADV_HUGEPAGE): %s (no THP?)", strerror(errno));
	} else if (madvise(p, bytes, MADV_NOHUGEPAGE) < 0 && errno != EINVAL) {
		/* EINVAL: a kernel without THP, which is 4 KiB pages anyway. */
		return bench_fail(ctx, -errno, "madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	}
	/* Populating by madvise is cheaper than a fault per page; both leave
	 * every page written (bench_populate_write: in 64 MiB steps, so that
	 * the PDEATHSIG SIGTERM is handled between them). */
	rc = bench_populate_write(p, bytes);
	if (rc < 0)
		return bench_skip(ctx, "cannot populate rss_bytes=%zu: %s", bytes, strerror(-rc));
	if (st->spec->mem != PC_MEM_THP)
		return 0;
	huge1 = pc_proc_kb("/proc/self/smaps_rollup", "AnonHugePages");
	if (huge1 - huge0 <= 0)
		return bench_skip(ctx, "no transparent huge pages obtained for %zu MiB (AnonHugePages unchanged)",
				  bytes >> 20);
	bench_note(ctx, "fork_thp: %ld of %zu MiB in huge pages (AnonHugePages)",
		   (huge1 - huge0) / 1024, bytes >> 20);
	return 0;
}

/* The program the exec variants run: PRIMBENCH_HELPER, else the helper
 * next to the binary, in its build folder, or in ../libexec/primbench. */
static int pc_find_program(struct bench_ctx *ctx, struct pc_state *st)
{
	static const char *const rel[] = {
		"build/primbench-helper", "primbench-helper",
		"../libexec/primbench/primbench-helper",
	};
	const char *env = getenv("PRIMBENCH_HELPER");
	char self[PATH_MAX];
	ssize_t n;

	if (st->spec->prog == PC_PROG_DYN) {
		snprintf(st->prog, sizeof(st->prog), "%s", PC_DYN_PROGRAM);
		if (access(st->prog, X_OK) < 0)
			return bench_skip(ctx, "%s is not executable here", PC_DYN_PROGRAM);
		return 0;
	}
	if (env) {
		snprintf(st->prog, sizeof(st->prog), "%s", env);
		if (access(st->prog, X_OK) < 0)
			return bench_skip(ctx, "PRIMBENCH_HELPER=%s is not executable", env);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return bench_skip(ctx, "cannot read /proc/self/exe to find primbench-helper: %s",
				  strerror(errno));
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		int len = snprintf(st->prog, sizeof(st->prog), "%s/%s", self, rel[i]);

		if (len > 0 && (size_t)len < sizeof(st->prog) && access(st->prog, X_OK) == 0)
			return 0;
	}
	return bench_skip(ctx, "primbench-helper not found next to %s (build it, or set PRIMBENCH_HELPER)",
			  self);
}

static void pc_teardown(struct bench_ctx *ctx, void *state)
{
	struct pc_state *st = state;

	(void)ctx;
	if (st->stack)
		munmap(st->stack, PC_STACK_BYTES);
	if (st->map)
		munmap(st->map, st->map_len);
	if (st->shared)
		munmap(st->shared, sizeof(*st->shared));
	free(st);
}

static int pc_setup(struct bench_ctx *ctx, void **state)
{
	const struct bench_variant *v = bench_variant(ctx);
	struct pc_state *st = calloc(1, sizeof(*st));
	int rc;

	if (!st)
		return -ENOMEM;
	st->spec = &pc_specs[v - pc_variants];
	st->inject = bench_inject_fault(ctx);
	st->shared = mmap(NULL, sizeof(*st->shared), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st->shared == MAP_FAILED) {
		rc = -errno;
		st->shared = NULL;
		goto out_free;
	}
	if (st->spec->kind == PC_CLONE_PROCESS || st->spec->kind == PC_CLONE_VM ||
	    st->spec->kind == PC_CLONE_THREAD) {
		st->stack = mmap(NULL, PC_STACK_BYTES, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (st->stack == MAP_FAILED) {
			rc = -errno;
			st->stack = NULL;
			goto out_free;
		}
	}
	/* clone3 with a too-small size is EINVAL where it exists. */
	if (st->spec->kind == PC_CLONE3 && syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS) {
		rc = bench_skip(ctx, "clone3: ENOSYS (kernel before 5.3, or filtered)");
		goto out_free;
	}
	if (st->spec->prog != PC_PROG_NONE) {
		rc = pc_find_program(ctx, st);
		if (rc < 0)
			goto out_free;
		st->argv[0] = st->prog;
		if (st->spec->prog == PC_PROG_HELPER)
			bench_note(ctx, "exec: %s", st->prog);
	}
	rc = pc_map_rss(ctx, st, (size_t)bench_x(ctx));
	if (rc < 0)
		goto out_free;
	*state = st;
	return 0;
out_free:
	pc_teardown(ctx, st);
	return rc;
}

/* The rss_bytes sweep: 4 MiB, 64 MiB, 256 MiB, 1 GiB.  --quick stops at
 * 256 MiB: the 1 GiB point costs ~1 s of prefill a round and ~0.2 s a
 * visit of each of its 12 variants here (a quarter of a quick run). */
static const double pc_rss_xs[] = { 4 * PC_MIB, 64 * PC_MIB, 256 * PC_MIB, 1024 * PC_MIB };
#define PC_NX (sizeof(pc_rss_xs) / sizeof(pc_rss_xs[0]))
#define PC_QUICK_NX 3
/* Written 4 KiB memory comes from the runner's prefill (see the top). */
#define PC_FLAGS (BENCH_V_FIT_PER_MIB | BENCH_V_PREFILL)
#define PC_VARIANT_F(id, vname, text, vflags) \
	[id] = { .name = vname, .summary = text, .sweep = "rss_bytes", .xs = pc_rss_xs, \
		 .nx = PC_NX, .quick_nx = PC_QUICK_NX, .flags = vflags }
#define PC_VARIANT(id, vname, text) PC_VARIANT_F(id, vname, text, PC_FLAGS)

static const struct bench_variant pc_variants[PV_COUNT + 1] = {
	PC_VARIANT(PV_FORK, "fork", "fork + _exit + waitpid; parent RSS written, 4 KiB pages"),
	PC_VARIANT_F(PV_FORK_UNTOUCHED, "fork_untouched",
		     "fork with the rss_bytes mapped but never written (mapped_untouched)",
		     BENCH_V_FIT_PER_MIB),
	PC_VARIANT_F(PV_FORK_THP, "fork_thp", "fork with the rss_bytes in MADV_HUGEPAGE 2 MiB pages",
		     BENCH_V_FIT_PER_MIB),
	PC_VARIANT(PV_VFORK, "vfork", "vfork + _exit + waitpid (parent suspended)"),
	PC_VARIANT(PV_CLONE_PROCESS, "clone_process", "clone(SIGCHLD), nothing shared, + waitpid"),
	PC_VARIANT(PV_CLONE_VM, "clone_vm", "clone(CLONE_VM|CLONE_VFORK) + waitpid"),
	PC_VARIANT(PV_CLONE_THREAD, "clone_thread",
		   "clone(VM|FS|FILES|SIGHAND|THREAD), joined by CLONE_CHILD_CLEARTID futex"),
	PC_VARIANT(PV_CLONE3, "clone3", "clone3() with process semantics + waitpid"),
	PC_VARIANT(PV_PTHREAD, "pthread_create", "pthread_create + pthread_join"),
	PC_VARIANT(PV_FORK_EXEC, "fork_exec", "fork + execve(static helper) + waitpid"),
	PC_VARIANT(PV_VFORK_EXEC, "vfork_exec", "vfork + execve(static helper) + waitpid"),
	PC_VARIANT(PV_POSIX_SPAWN, "posix_spawn", "posix_spawn(static helper) + waitpid"),
	/* One point: its difference to fork_exec (ld.so's work) does not
	 * depend on the parent's RSS, and the sweep costs ~3 s here. */
	[PV_FORK_EXEC_DYN] = {
		.name = "fork_exec_dyn", .summary = "fork + execve(/bin/true, dynamic) + waitpid",
		.sweep = "rss_bytes", .xs = pc_rss_xs, .nx = 1,
	},
	[PV_COUNT] = { .name = NULL },
};

const struct bench_desc bench_proc_create = {
	.name = "proc_create",
	.summary = "fork/vfork/clone/clone3/pthread/exec/posix_spawn vs the parent's RSS",
	.unit = "create + child exit + reap",
	.variants = pc_variants,
	.setup = pc_setup,
	.run = pc_run,
	.teardown = pc_teardown,
};
