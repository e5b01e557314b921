/*
 * supervise.c - one visit of a configuration in a supervised child, the
 * watchdog over it, reaping, cleanup of its kernel objects, and the
 * signals that stop or pause the run.
 *
 * Every configuration runs in a fresh supervising child:
 *   - the child is the leader of its own process group, so the watchdog can
 *     kill it and every worker it forked with one kill(-pgid);
 *   - it dies with primbench (PR_SET_PDEATHSIG SIGTERM); its SIGTERM handler
 *     removes the configuration's tracked IPC objects and kills its group;
 *   - it pins itself as worker 0, opens the counters, runs setup, warms up,
 *     calibrates, takes the samples and streams each one to primbench over
 *     a pipe (records < PIPE_BUF, so each write is atomic), then tears down.
 * primbench waits on the pipe with the configuration's deadline.  A child
 * that overruns it is killed (status timeout); one that dies is a failure.
 * Either way the samples already received are kept, the tracked objects
 * are removed, and the suite goes on.
 *
 * primbench is a child subreaper (runner.c), so that a worker that escaped
 * its group is re-parented here and reaped after the visit (reap_adopted).
 */
#include "visit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"

/* How long a killed configuration may take to die. */
#define RUNNER_REAP_S 10
/* How long a stopped visit's child gets to run its SIGTERM handler (remove
 * its objects, kill its group) before primbench kills the group itself.
 * The handler runs as soon as a window with SIGTERM held ends (an object
 * made and not yet recorded, bench/lib/ipc_transport.c), or when one long
 * system call returns; a SIGKILL sent at once could land inside such a
 * window and leave the object. */
#define RUNNER_STOP_GRACE_S 2

/* Signal that stopped the run (0: none); the running child's pid;
 * nanoseconds primbench spent stopped by SIGTSTP (the watchdog does not
 * count them). */
static volatile sig_atomic_t stop_signal;
static volatile pid_t current_child;
static volatile long long paused_ns;

/* SIGTERM in the child (PDEATHSIG when primbench dies, or primbench's own
 * stop): remove tracked objects, then kill the whole group, us included. */
static void child_on_term(int sig)
{
	(void)sig;
	cleanup_sweep(false);
	kill(0, SIGKILL);
	_exit(128 + SIGTERM);
}

/* A stop signal: note it, and SIGTERM the running visit's supervising
 * child, whose handler removes the objects and then kills its group (a
 * worker sent SIGTERM too would kill the group, the child included, from
 * its own handler, maybe inside the child's held window). */
static void on_stop(int sig)
{
	stop_signal = sig;
	if (current_child > 0)
		kill(current_child, SIGTERM);
}

/*
 * Ctrl-Z: the supervising child runs in its own process group, which the
 * terminal's SIGTSTP does not reach, so stop it with us, stop, and on
 * SIGCONT let it go on.  The time stopped is not the benchmark's: it is
 * added to paused_ns, which the watchdog leaves out.  Only
 * async-signal-safe calls.
 */
static void on_tstp(int sig)
{
	struct timespec t0, t1;
	pid_t child = current_child;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (child > 0)
		kill(-child, SIGSTOP);
	raise(SIGSTOP);
	/* Here again after SIGCONT. */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	paused_ns += (long long)(t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec);
	if (child > 0)
		kill(-child, SIGCONT);
}

/*
 * Every signal whose default would end primbench without closing the
 * results folder stops the run cleanly (complete=false) instead: the
 * terminal and kill's (INT, TERM, HUP, QUIT), timers a parent may send
 * (ALRM, VTALRM, PROF), USR1/USR2, and CPU/file-size limits (XCPU, XFSZ).
 * SIGPIPE is ignored: a closed pipe on stderr (--progress | head) is an
 * EPIPE on that write, not a reason to lose the run.  Installed before the
 * results folder exists, so that no early signal leaves a .partial folder.
 */
void runner_signals(void)
{
	static const int stops[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGALRM, SIGVTALRM,
				     SIGPROF, SIGUSR1, SIGUSR2, SIGXCPU, SIGXFSZ };
	struct sigaction sa = { .sa_handler = on_stop };
	struct sigaction ts = { .sa_handler = on_tstp, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaddset(&sa.sa_mask, stops[i]);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaction(stops[i], &sa, NULL);
	sigemptyset(&ts.sa_mask);
	sigaction(SIGTSTP, &ts, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int runner_stopped(void)
{
	return stop_signal;
}

/* The watchdog's clock: runner_now_s() less the time primbench was stopped. */
static double watch_s(void)
{
	return runner_now_s() - (double)paused_ns / 1e9;
}

/* Read exactly len bytes or hit EOF/deadline (on watch_s()).  What is
 * already in the pipe is read even past the deadline: it is progress the
 * benchmark made while primbench was not looking (stopped by SIGSTOP, say).
 * 1 record, 0 EOF, -ETIME, -EINTR (stop signal), -errno. */
static int read_record(int fd, void *buf, size_t len, double deadline)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - watch_s();
		int rc;
		ssize_t n;

		if (stop_signal)
			return -EINTR;
		rc = poll(&p, 1, left > 0 ? (int)(left * 1000) + 1 : 0);
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc <= 0) {
			if (left <= 0)
				return -ETIME;
			continue;
		}
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return got ? -EPROTO : 0;
		got += (size_t)n;
	}
	return 1;
}

/* Sleep *nap_ns, then double it up to 10 ms: a child killed a moment ago
 * is usually gone within microseconds, and a fixed 10 ms nap per visit
 * would add seconds to a run of a thousand visits. */
static void nap(long *nap_ns)
{
	struct timespec ts = { 0, *nap_ns };

	nanosleep(&ts, NULL);
	if (*nap_ns < 10000000)
		*nap_ns *= 2;
}

/* Wait at most s seconds for the child to exit by itself; it is left a
 * zombie (WNOWAIT), so that its pid, which names its group, is not reused
 * before reap_group() kills the group. */
static void await_exit(pid_t pid, double s)
{
	double give_up = runner_now_s() + s;
	long nap_ns = 50000;

	for (;;) {
		siginfo_t si = { 0 };

		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 && errno != EINTR)
			return;
		if (si.si_pid == pid || runner_now_s() > give_up)
			return;
		nap(&nap_ns);
	}
}

/*
 * Kill the child's whole group and reap the child.  SIGKILL cannot be
 * caught, but a task stuck in the kernel (an emulator's lost interrupt, a
 * driver bug) can take a long time to die: wait at most RUNNER_REAP_S so the
 * suite goes on.  0 or -ETIME (the child is left unreaped).
 */
static int reap_group(pid_t pid, int *wstatus)
{
	double give_up = runner_now_s() + RUNNER_REAP_S;
	long nap_ns = 50000;

	kill(-pid, SIGKILL);
	for (;;) {
		pid_t w = waitpid(pid, wstatus, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			return 0;
		if (runner_now_s() > give_up)
			return -ETIME;
		nap(&nap_ns);
	}
}

/*
 * primbench is a child subreaper (runner_run): a worker orphaned by its
 * supervising child is re-parented to primbench, not to init.  After each
 * configuration, kill whatever was adopted (a worker that escaped its
 * process group) and reap it, so neither a live process nor a zombie
 * outlives the configuration.  The children are listed by the kernel in
 * /proc/self/task/<tid>/children; without that file, only zombies are
 * reaped.
 */
static void reap_adopted(void)
{
	char path[64];
	double give_up = runner_now_s() + RUNNER_REAP_S;
	long nap_ns = 50000;
	FILE *f;
	int pid;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	f = fopen(path, "r");
	if (f) {
		while (fscanf(f, "%d", &pid) == 1)
			kill(pid, SIGKILL);
		fclose(f);
	}
	for (;;) {
		pid_t w = waitpid(-1, NULL, WNOHANG);

		if (w < 0 && errno != EINTR)
			return;                 /* ECHILD: nothing left */
		if (w == 0) {
			if (runner_now_s() > give_up)
				return;
			nap(&nap_ns);
		}
	}
}

/* A visit that could not start: a failed result with one row saying why
 * (no metric got a sample: compact to none). */
static int visit_failed(struct runner_result *r, const char *what, int err)
{
	r->status = RUN_FAILED;
	r->harness_errno = err;
	snprintf(r->note, sizeof(r->note), "%s: %s", what, strerror(err));
	result_compact(r);
	return 0;
}

/* Visit one configuration in a supervised child, which inherits pf (NULL:
 * none); fill r, and cal from the first visit that calibrated.  0, or
 * -ENOMEM (r is then empty). */
int supervise_visit(const struct runner_opts *o, const struct topo *t,
		    const struct runner_config *c, struct runner_cal *cal,
		    const struct runner_prefill *pf, uint64_t layout_seed,
		    struct runner_result *r)
{
	size_t cap = plan_sample_cap(o, cal);
	struct msg_done done = { 0 };
	bool have_done = false, stopped = false, reaped;
	double deadline = watch_s() + o->timeout_s;
	int pfd[2], wstatus = 0, rc = 0;
	pid_t pid, parent = getpid();

	result_init(r, c);
	r->iters = calloc(cap, sizeof(uint64_t));
	r->count_iters = calloc(cap, sizeof(uint64_t));
	if (!r->iters || !r->count_iters)
		return -ENOMEM;
	/* EMFILE/ENFILE are limits of this process, not memory: the visit
	 * fails with the real reason and the suite goes on. */
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return visit_failed(r, "pipe to the supervising child", errno);

	fflush(NULL);
	/* This child, and only this one, inherits the prefill. */
	if (pf && madvise(pf->p, pf->bytes, MADV_DOFORK) < 0)
		pf = NULL;
	pid = fork();
	if (pf && pid != 0)
		madvise(pf->p, pf->bytes, MADV_DONTFORK);
	if (pid < 0) {
		rc = errno;
		close(pfd[0]);
		close(pfd[1]);
		return visit_failed(r, "fork of the supervising child", rc);
	}
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = child_on_term };

		close(pfd[0]);
		setpgid(0, 0);
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		/* primbench died before prctl(): we were reparented, to init
		 * or to a subreaper (systemd --user, a container's init), so
		 * compare with the pid we had, not with 1. */
		if (getppid() != parent)
			raise(SIGTERM);
		measure_child(o, t, c, cal, pf, layout_seed, pfd[1]);
		_exit(0);
	}
	/* Both sides set the group: whichever runs first wins the race with
	 * a kill(-pid) that would otherwise miss. */
	setpgid(pid, pid);
	current_child = pid;
	close(pfd[1]);

	for (;;) {
		union { uint32_t type; struct msg_sample s; struct msg_done d; } u;
		int got = read_record(pfd[0], &u.type, sizeof(u.type), deadline);

		if (got == 1) {
			size_t len = u.type == MSG_DONE ? sizeof(u.d) : sizeof(u.s);

			if (u.type != MSG_SAMPLE && u.type != MSG_COUNT && u.type != MSG_DONE) {
				got = -EPROTO;
			} else {
				got = read_record(pfd[0], (char *)&u + sizeof(u.type),
						  len - sizeof(u.type), deadline);
			}
		}
		if (got == 1 && u.type != MSG_DONE) {
			if (result_add(r, cap, &u.s) < 0) {
				got = -EPROTO;
			} else {
				/* A sample is progress: the watchdog is for a
				 * visit that sends nothing for --timeout. */
				deadline = watch_s() + o->timeout_s;
				continue;
			}
		}
		if (got == 1 && u.type == MSG_DONE) {
			done = u.d;
			have_done = true;
			continue;
		}
		if (got == -ETIME) {
			r->status = RUN_TIMEOUT;
			snprintf(r->note, sizeof(r->note),
				 "killed by the watchdog after %.0f s (--timeout)", o->timeout_s);
		} else if (got == -EINTR) {
			stopped = true;
			r->status = RUN_FAILED;
			snprintf(r->note, sizeof(r->note), "interrupted by %s", strsignal(stop_signal));
		} else if (got < 0) {
			r->status = RUN_FAILED;
			snprintf(r->note, sizeof(r->note), "bad record from the benchmark process");
		}
		break;
	}
	close(pfd[0]);
	if (stopped) {
		/* on_stop sent it already, unless it came before current_child
		 * was set; a second SIGTERM is one pending signal. */
		kill(pid, SIGTERM);
		await_exit(pid, RUNNER_STOP_GRACE_S);
	}
	/* The group goes in every case: a worker that outlived a normal exit
	 * is a benchmark bug, and this is the safety net for it. */
	reaped = reap_group(pid, &wstatus) == 0;
	if (!reaped && r->status == RUN_OK) {
		r->status = RUN_FAILED;
		snprintf(r->note, sizeof(r->note),
			 "benchmark process did not die within %d s of SIGKILL", RUNNER_REAP_S);
	}
	current_child = 0;
	reap_adopted();
	/* Alone when the group is gone: finish removals a killed sweeper left. */
	cleanup_sweep(reaped);
	result_finish(r, &done, have_done, wstatus, cal);
	return 0;
}
