/*
 * bench.h - the contract between a benchmark and the runner.
 *
 * A benchmark family is one file in bench/ that ends in one exported
 * `const struct bench_desc bench_<name>`, listed once in bench/list.h.
 * It sets up, runs `iters` iterations of its operation when asked, may
 * narrow the timed window, says how many operations it did, and tears down.
 * It never prints, never computes statistics and never chooses a format:
 * everything it learns goes into the bench_ctx through the functions below,
 * and the runner turns that into samples, rows and validations.
 *
 * Process model (supervise.c, measure.c): every configuration runs in a
 * fresh supervising child of primbench, in its own process group, with a
 * watchdog in the parent.  Worker 0 is the supervising child's main
 * thread, already pinned for the placement when setup() is called.  A
 * benchmark that needs a peer (flag BENCH_V_PAIR) creates it itself
 * (fork/thread) and pins it with bench_pin_peer().
 */
#ifndef PRIMBENCH_BENCH_H
#define PRIMBENCH_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "note.h" /* note_append(): for a benchmark's own note buffers */
#include "pmu.h"

/* Most extra per-sample metrics one variant may report (bench_sample_metric). */
#define BENCH_MAX_EXTRA 4
/* Longest metric or unit name, including the terminating NUL. */
#define BENCH_NAME_MAX 32
/* Longest note (skip reason, failure, validation), including the NUL. */
#define BENCH_NOTE_MAX 256

/* Variant flags. */
enum bench_vflag {
	/* Two workers: run at every two-worker placement the host offers. */
	BENCH_V_PAIR = 1u << 0,
	/* Fit ns_per_op against the sweep (x in bytes) and emit an ns_per_mib row. */
	BENCH_V_FIT_PER_MIB = 1u << 1,
	/* One worker, run once on every CPU of the host (sweep "cpu", x = the
	 * OS CPU number, placement single); xs are ignored. */
	BENCH_V_PER_CPU = 1u << 2,
	/* The runner fills x bytes of anonymous memory (4 KiB pages, every
	 * page written) once per round, on worker 0's CPU, and every visit
	 * inherits it through fork, copy-on-write (bench_prefilled()): for
	 * variants whose set-up would otherwise write that much memory at
	 * every visit of every round. */
	BENCH_V_PREFILL = 1u << 3,
};

struct bench_ctx;

/*
 * What a validate() callback sees: the medians of the configuration's
 * metrics, and their largest samples.  metric() and metric_max() return
 * NAN for a metric that was not measured.
 */
struct bench_judge {
	const char *variant;     /* variant name */
	double x;                /* sweep value, NAN if the variant has no sweep */
	const char *placement;   /* placement name */
	bool pinned;             /* workers were pinned (not "unpinned") */
	/* Median of a metric by name ("faults_per_op", ...), NAN if absent. */
	double (*metric)(const struct bench_judge *j, const char *name);
	/* Largest sample of a metric by name, NAN if absent: for a count
	 * that must be 0 in every sample (a pinned worker found off its
	 * CPU), where one sample is enough to fail.  NULL where the caller
	 * has only medians: read it through bench_judge_max(). */
	double (*metric_max)(const struct bench_judge *j, const char *name);
	const void *priv;        /* runner-private, for metric() */
};

/* j->metric_max(j, name), or the median where j has no metric_max (which
 * misses a count that became nonzero after the middle sample). */
double bench_judge_max(const struct bench_judge *j, const char *name);

/* Result of a validate() callback. */
enum bench_valid { BENCH_VALID_NA = 0, BENCH_VALID_PASS, BENCH_VALID_FAIL };

/* One variant of a family: the primitive, its sweep and its checks. */
struct bench_variant {
	const char *name;        /* CSV `variant`, e.g. "fork" */
	const char *summary;     /* one line for `primbench list` */
	const char *sweep;       /* CSV `sweep` name ("rss_bytes"), NULL if none */
	const double *xs;        /* sweep values, ascending; NULL if no sweep */
	size_t nx;               /* number of xs */
	size_t quick_nx;         /* --quick takes from the first quick_nx xs
				  * only (0: from all of them) */
	unsigned flags;          /* enum bench_vflag */
	/* Optional: judge the configuration; write the reason into note.
	 * Must be a pure function of its inputs. */
	enum bench_valid (*validate)(const struct bench_judge *j, char *note, size_t len);
};

/* A benchmark family. */
struct bench_desc {
	const char *name;        /* CSV `bench`, e.g. "proc_create" */
	const char *summary;     /* one line for `primbench list` */
	const char *unit;        /* what one operation is, e.g. "fork+exit+wait" */
	const struct bench_variant *variants; /* terminated by { .name = NULL } */
	/* Allocate state for ctx's variant/x/placement.  0, -errno, or the value
	 * of bench_skip() when the host lacks the primitive. */
	int (*setup)(struct bench_ctx *ctx, void **state);
	/* Do `iters` operations.  0 or -errno (or bench_skip()). */
	int (*run)(struct bench_ctx *ctx, void *state, uint64_t iters);
	/* Release everything setup made: memory, children (killed and reaped),
	 * IPC objects.  Called whenever setup returned 0. */
	void (*teardown)(struct bench_ctx *ctx, void *state);
	unsigned flags;          /* reserved, 0 */
};

/* --- what a benchmark may read ------------------------------------------ */

const struct bench_variant *bench_variant(const struct bench_ctx *ctx);
/* The sweep value of this configuration (0 if the variant has no sweep). */
double bench_x(const struct bench_ctx *ctx);
/* The placement's name ("same-cpu", "single", ...). */
const char *bench_placement(const struct bench_ctx *ctx);
/* Logical (OS) CPU of worker i (0 = caller, 1 = peer), -1 when unpinned. */
int bench_cpu(const struct bench_ctx *ctx, int i);
/* Nanoseconds from the run's calibrated clock; usable in any process or
 * thread forked from the runner (the calibration is inherited). */
uint64_t bench_now_ns(void);
/* The memory the runner filled for a BENCH_V_PREFILL variant: x bytes,
 * MADV_NOHUGEPAGE, every 4 KiB page written, inherited through fork (its
 * pages are shared copy-on-write with primbench, and its PTEs read-only,
 * as a process's are after its first fork).  NULL when the variant did not
 * ask or the runner could not have it; then the benchmark fills its own.
 * The benchmark owns this mapping: it may write or unmap it. */
void *bench_prefilled(const struct bench_ctx *ctx, size_t *len);
/* True when the run is --quick (a benchmark may use fewer inner steps). */
bool bench_quick(const struct bench_ctx *ctx);
/* Test-only fault injection: the value of PRIMBENCH_INJECT if it names this
 * family ("<bench>:<what>"), as <what>; NULL otherwise. */
const char *bench_inject(const struct bench_ctx *ctx);
/* True if <what> is, or is one of the comma-separated words of, the
 * injection for this family ("sem:no-ipcns,hold=/tmp/m" has "no-ipcns"). */
bool bench_inject_has(const struct bench_ctx *ctx, const char *word);
/*
 * Test-only handshake: when the injection has the word "hold=PATH", write
 * the calling process's pid and a newline to PATH (as PATH.tmp, renamed, so
 * a reader never sees half of it), then wait until PATH is removed, polling
 * every 10 ms.  A test that needs a live configuration (to stop, crash or
 * interrupt it) waits for PATH instead of guessing how long a run takes,
 * and releases it by removing PATH.  Once per run: the release leaves
 * PATH.done, and the visits of later rounds do not hold.  0 (also when no
 * hold is asked), or bench_fail()'s -errno when PATH cannot be written.
 */
int bench_inject_hold(struct bench_ctx *ctx);
/*
 * Test-only stop in a window: when the injection has the word
 * "term_in_create", send primbench SIGTERM and wait until primbench's stop
 * has sent the caller its SIGTERM (pending: the caller holds SIGTERM while
 * it makes an object and records it, bench_track), then return.  A stop
 * that killed at once, before the object was recorded, left it behind
 * (tests/faults/test_create_window.sh puts every stop here).  For the
 * supervising child only (primbench is its parent).
 */
void bench_inject_term(const struct bench_ctx *ctx);
/*
 * The test-only faults of a family that has no peer process to fault
 * (null, syscall_getppid), for its setup to call: "hang" blocks forever
 * (the watchdog must cut it); "crash" dies of SIGSEGV with core dumps off
 * (a failed row; no core file in the caller's folder); "hold=PATH" is
 * bench_inject_hold().  Returns 0, or bench_fail()'s -errno.
 */
int bench_inject_self(struct bench_ctx *ctx);
/* A test-only fault a family's peer or child acts on; how it hangs or
 * dies is the family's (a clone_vm child has no libc thread state to
 * raise() with, say). */
enum bench_fault {
	BENCH_FAULT_NONE = 0,   /* no injection, or one that is not below */
	BENCH_FAULT_HANG,       /* the injection is "hang": block forever */
	BENCH_FAULT_CRASH,      /* the injection is "crash": die */
};
/* Which bench_fault the injection for this family asks for. */
enum bench_fault bench_inject_fault(const struct bench_ctx *ctx);

/* --- what a benchmark may report (during run) --------------------------- */

/* Narrow the timed window: wall time and counters of the calling thread are
 * taken between begin and end; several windows in one run() add up.  Without
 * any window the whole run() call is timed. */
void bench_window_begin(struct bench_ctx *ctx);
void bench_window_end(struct bench_ctx *ctx);
/* Replace this sample's wall time with ns measured elsewhere (e.g. by a
 * child, with bench_now_ns()).  Several calls in one run() add up. */
void bench_add_elapsed_ns(struct bench_ctx *ctx, uint64_t ns);
/* Operations done in this run() (default: iters). */
void bench_set_ops(struct bench_ctx *ctx, uint64_t ops);
/* Add a counter delta measured elsewhere (a peer process, a child's
 * getrusage) to this sample's count of ev.  Marks ev as measured. */
void bench_add_count(struct bench_ctx *ctx, enum pmu_event ev, uint64_t delta);
/* The calling thread's counters do not describe this run()'s operations
 * (a child measured them around its own window, e.g. with getrusage):
 * drop them for this sample.  Only the counts given with bench_add_count()
 * are reported; every other event is unmeasured in this sample.  Without
 * it, the thread's counts (which include the thread's own faults after a
 * fork) would be added to the child's. */
void bench_counts_elsewhere(struct bench_ctx *ctx);
/* Bytes moved in this run(): the runner then reports bytes_per_s and
 * msgs_per_s (ops per second). */
void bench_set_bytes(struct bench_ctx *ctx, uint64_t bytes);
/* An extra per-sample metric value for this run(), already per operation
 * (e.g. "ns_to_child", "ns"); at most BENCH_MAX_EXTRA names per variant.
 * Several calls with the same name in one run() are averaged. */
void bench_sample_metric(struct bench_ctx *ctx, const char *metric,
			 const char *unit, double value);
/* A free-text note for the configuration's rows (what happened, e.g.
 * "THP: 512 faults per 2 MiB, split"); the last one wins. */
void bench_note(struct bench_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Quantiles of raw values a benchmark collected that are not its samples
 * (os_noise's gap lengths), by the harness's one method (stats.c, R type
 * 7): q[i] = the ps[i] quantile of v[0..n), ps[i] in [0, 1] (0 is the least,
 * 1 the largest).  v is sorted in place.  Every q[i] is NAN when n is 0.
 * The statistics stay the harness's; the benchmark only chooses which
 * quantiles its note or metric reports.
 */
void bench_quantiles(double *v, size_t n, const double *ps, double *q, size_t nq);
/* Mark the configuration skipped with a reason; returns -EOPNOTSUPP for the
 * caller to return from setup or run. */
int bench_skip(struct bench_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Mark the configuration failed with a reason; returns -EPROTO (or the
 * given -errno if nonzero) for the caller to return. */
int bench_fail(struct bench_ctx *ctx, int neg_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- workers and cleanup ------------------------------------------------ */

/* In a freshly forked child: die with the parent (PR_SET_PDEATHSIG SIGKILL,
 * and the race with an already-dead parent closed).  0 or -errno. */
int bench_child_init(void);
/* Pin the calling thread/process as worker i of the placement and verify it
 * with sched_getcpu().  No-op when unpinned.  0 or -errno. */
int bench_pin(const struct bench_ctx *ctx, int i);
/* Shorthand for bench_pin(ctx, 1). */
int bench_pin_peer(const struct bench_ctx *ctx);
/* Kill (SIGKILL) and reap a child; safe on pid <= 0.  Returns its wait status
 * or -errno. */
int bench_reap(pid_t pid);

/* Wait for a child that should exit 0 (waitpid, retried on EINTR); its
 * resource use goes to *ru if ru is not NULL.  A signal or a non-zero exit
 * status becomes bench_fail() with the reason.  0 or the failure's -errno. */
int bench_wait_child(struct bench_ctx *ctx, pid_t pid, struct rusage *ru);
/* Creating a process or thread (`what`: "fork", "clone3", ...) failed with
 * errno err: EAGAIN and ENOMEM are limits of this host, so the point is
 * skipped naming RLIMIT_NPROC or memory; anything else fails.  Returns
 * what bench_skip()/bench_fail() return. */
int bench_spawn_error(struct bench_ctx *ctx, const char *what, int err);
/* Context switches, voluntary and involuntary (ru_nvcsw + ru_nivcsw), in
 * a getrusage() or wait4() result. */
uint64_t bench_rusage_switches(const struct rusage *ru);
/* Context switches so far of the calling process (who RUSAGE_SELF) or
 * thread (RUSAGE_THREAD), from getrusage(); 0 if getrusage fails. */
uint64_t bench_switches_now(int who);
/*
 * Write every 4 KiB page of [p, p + len): MADV_POPULATE_WRITE (one call
 * per 64 MiB step instead of a fault per page), or, on a kernel without
 * it (EINVAL: before Linux 5.14), a store to each page.  In steps so that
 * a signal (the PDEATHSIG SIGTERM that cleans up when primbench dies) is
 * handled between them, not only after a whole GiB.  0, or the -errno of
 * another madvise failure (ENOMEM, EFAULT, ...: nothing more is written).
 */
int bench_populate_write(void *p, size_t len);
/*
 * Context switches a same-CPU ping-pong makes per round trip, both sides
 * counted: neither side runs while the other does, so each of the two
 * hand-offs switches once.  The one definition that sched_switch, sem,
 * signal and the IPC families judge against.
 */
#define BENCH_PINGPONG_SWITCHES 2.0
/*
 * The accepted range, [1.5, 3]: halfway from 2 to the nearest wrong
 * count.  A count that is wrong is wrong by a whole side or a whole
 * hand-off: one side not counted reads 1, a side counted twice (or every
 * hand-off switching twice) reads 4.  The right count only drifts a
 * little: a preemption by other load on the CPU adds one switch now and
 * then, and the two sides' counting windows differ at their edges by a
 * hand-off or so.  A value nearer 2 than 1 or 4 is the right count plus
 * that drift; one nearer a wrong count is taken for it.
 */
#define BENCH_PINGPONG_SWITCHES_LO 1.5
#define BENCH_PINGPONG_SWITCHES_HI 3.0
/*
 * Judge switches per round trip of a same-CPU ping-pong against the
 * above: BENCH_VALID_PASS inside [LO, HI], else BENCH_VALID_FAIL with the
 * count in note; NAN gives BENCH_VALID_NA with a note.  metric names what
 * was measured, as the note should call it ("ctxsw_per_op"); per_op is
 * the metric's value and ops_per_rt how many of its operations make a
 * round trip (1 for a round-trip op, 2 for a one-way message).
 */
enum bench_valid bench_pingpong_switches(const char *metric, double per_op, double ops_per_rt,
					 char *note, size_t len);
/* A validate() for same-CPU ping-pongs whose op is one round trip:
 * bench_pingpong_switches() on ctxsw_per_op; other placements or no
 * count: n/a. */
enum bench_valid bench_valid_pingpong(const struct bench_judge *j, char *note, size_t len);

/* Kinds of kernel objects that can outlive a process. */
enum bench_obj {
	BENCH_OBJ_SYSV_SHM, BENCH_OBJ_SYSV_MSG, BENCH_OBJ_SYSV_SEM,
	BENCH_OBJ_POSIX_SHM, BENCH_OBJ_POSIX_MQ, BENCH_OBJ_POSIX_SEM,
	BENCH_OBJ_FILE,
	/* A folder and the files directly in it (bench_scratch_dir). */
	BENCH_OBJ_DIR,
};
/* A run-unique POSIX name "/primbench-<pid>-<seq>-<tag>" in buf. */
int bench_unique_name(struct bench_ctx *ctx, char *buf, size_t len, const char *tag);
/* Record an object so that the runner removes it if the benchmark dies,
 * times out or primbench is killed before the benchmark releases it.
 * Call right after creating it (a name may be recorded before: see
 * bench_hold_term); call bench_untrack() right after removing
 * (IPC_RMID / unlink) it.  id is the SysV id (name NULL) or the POSIX name
 * / file path (id ignored; at most PATH_MAX - 1 bytes).  0, -ENOSPC or
 * -ENAMETOOLONG. */
int bench_track(struct bench_ctx *ctx, enum bench_obj kind, int id, const char *name);
void bench_untrack(struct bench_ctx *ctx, enum bench_obj kind, int id, const char *name);
/* Hold SIGTERM off (its handler sweeps the cleanup list) from making an
 * object to recording it, and from removing it to forgetting it, so the
 * sweep never sees one that exists but is not recorded;
 * sigprocmask(SIG_SETMASK, old, NULL) ends the hold.  SIGKILL cannot be
 * held: a POSIX name, run-unique, is best recorded before its object is
 * made, so that nothing falls between; a SysV id exists only after. */
void bench_hold_term(sigset_t *old);

/* File systems a benchmark can ask for a scratch folder on. */
enum bench_fs {
	BENCH_FS_TMPFS, /* the host's tmpfs, /dev/shm */
	BENCH_FS_OUT,   /* the file system that holds the run's --out folder */
};
/*
 * Make a private, empty folder (mode 0700) for this configuration's files
 * on fs, and its absolute path in buf:
 *   BENCH_FS_TMPFS  /dev/shm/primbench-<pid>-<seq>-<tag>
 *   BENCH_FS_OUT    <--out>/.primbench-<pid>-<seq>-<tag>
 * (<pid> is primbench's, as in bench_unique_name()).  The folder is
 * tracked (BENCH_OBJ_DIR) before it is made, so that no moment exists
 * when it is there and unknown to the cleanup list: whatever ends the
 * configuration (teardown, crash, watchdog, primbench killed), the runner
 * removes the folder and every file directly in it; a later run's start
 * removes those of a primbench that died with its whole process group.
 * Keep only plain files in it, no subfolders.  0; -ENODEV when /dev/shm
 * is not a tmpfs; -ENOENT when the run has no --out (unit tests); or
 * -errno of mkdir/realpath/bench_track.
 */
int bench_scratch_dir(struct bench_ctx *ctx, enum bench_fs fs, const char *tag,
		      char *buf, size_t len);
/* The type of the file system that holds path ("tmpfs", "ext4", "xfs",
 * "btrfs", "overlay", ...; "0x<magic>" for one not known here), in buf,
 * for a row's note.  buf, or "?" when statfs fails. */
const char *bench_fs_type(const char *path, char *buf, size_t len);
/* Remove a folder from bench_scratch_dir() and the files in it, and
 * untrack it.  0 or -errno of the final rmdir. */
int bench_scratch_remove(struct bench_ctx *ctx, const char *dir);

#endif
