/*
 * pmu.c - performance counters of the calling thread.
 *
 * Encoding.  Each event has a libpfm4 name on libpfm's "perf" pseudo-PMU
 * ("perf::PERF_COUNT_HW_CPU_CYCLES", ...).  Those names encode to the
 * kernel's generic event ids, which mean the same thing on every vendor's
 * PMU, so numbers stay comparable between hosts; a model-specific name
 * (e.g. amd64_fam19h_zen3::...) would not.  libpfm's "perf" PMU exists on
 * every Linux host, PMU or not, so the names also encode on a VM without
 * one.  When libpfm is absent at build time (no HAVE_LIBPFM), failed to
 * initialise, or cannot encode a name, the same generic ids are filled in
 * directly from the perf ABI; libpfm's error is kept in the reason.
 *
 * Opening.  All events go into one group (one read(2) returns them all,
 * and the kernel schedules them onto the PMU together, so they cover the
 * same instants), led by a page-fault event (see pmu_open_order).  Reads
 * use PERF_FORMAT_GROUP | PERF_FORMAT_ID on the leader: one syscall per
 * group instead of one per event keeps the reading's own cost small and
 * equal for every event, and the ids tie each value to its event without
 * trusting the order of siblings.  Siblings carry the times but not
 * PERF_FORMAT_GROUP, so that a read of a sibling's own fd gives its own
 * time_running (a group read gives only the leader's): that is how
 * pmu_group_open() checks that every member really got scheduled.  No
 * inherit: only the calling thread counts (a group cannot be read with
 * PERF_FORMAT_GROUP when inherited anyway); a benchmark's children are
 * the runner's concern.
 *
 * Enabling.  The leader is opened disabled and enabled (one ioctl) once
 * every sibling has joined; siblings are opened enabled, so the group
 * starts as one.  Why not open the leader enabled: on Linux 6.18 (this
 * project's KVM guest) a sibling from another software PMU that joined a
 * group already counting was not scheduled until the thread's next
 * context switch - task-clock (the perf_task_clock PMU) under a
 * page-fault leader (perf_swevent) had its own time_running at 0 while
 * the group's grew, so a benchmark that never blocks (syscall_getppid, a
 * page-touching loop) read task-clock as exactly 0 in every sample
 * (issue 13; 44 of 50 fresh opens here).  The kernel reschedules a group
 * on PERF_EVENT_IOC_ENABLE of its leader, and then every member, of any
 * PMU, goes on with it.  Callers take two readings and subtract.
 *
 * Checking.  After enabling, each sibling's own time_running must
 * advance over a short spin while its leader's does; one that does not
 * was never scheduled and is made unavailable with that reason, never
 * left to read 0.  A reading
 * that is not a measurement anyway (a group that did not run between two
 * readings, a task-clock that did not move while its group ran) is told
 * apart by pmu_reading_delta(), which gives NAN for it.
 *
 * If the group cannot hold an event (a sibling fails with an error other
 * than "no such event" or "not permitted") or never gets onto the PMU
 * (time_running stays 0 while time_enabled grows), everything is reopened
 * as two groups: the software events, which always fit, and the hardware
 * events.  A hardware group that still never runs is marked unavailable.
 * A hardware group that runs part of the time is kept: the caller sees it
 * through pmu_reading_multiplexed(), never hidden.
 *
 * Privilege ladder (see enum pmu_mode):
 *   1. PMU_MODE_KERNEL_USER: exclude_kernel=0, as DESIGN.md asks.
 *   2. If any event is refused with EACCES/EPERM (perf_event_paranoid >= 2
 *      without CAP_PERFMON), reopen everything with exclude_kernel=1:
 *      PMU_MODE_USER_ONLY.  In that mode the kernel attributes context
 *      switches and CPU migrations to kernel mode, so perf counts them as
 *      0 (checked on 6.x: "cs:u" reads 0), and page faults taken inside a
 *      syscall (copy_to_user into a fresh page) are lost too.  A silently
 *      short count is worse than none, so in this mode faults and context
 *      switches come from getrusage(RUSAGE_THREAD), which counts both
 *      modes, and cpu-migrations is unavailable.  Such an event is
 *      available with fd == -1 and a reason naming its source.
 *   3. If nothing could be opened because perf_event_open was refused
 *      (EACCES/EPERM, e.g. Debian's perf_event_paranoid=3) or is missing
 *      (ENOSYS): PMU_MODE_RUSAGE, where getrusage gives faults and context
 *      switches and everything else is unavailable.  getrusage has no
 *      enabled/running times: they read 0, so such events never look
 *      multiplexed.
 *
 * Test-only hook: PRIMBENCH_PMU_FORCE, read by pmu_group_open(), starts
 * the ladder lower or forces the split: "user" (begin at USER_ONLY),
 * "rusage" (go straight to RUSAGE), "split" (two groups at once), "late"
 * (leaders opened enabled, so siblings join a counting group: the way
 * that left task-clock unscheduled, kept so the check stays tested).  Empty
 * or unset: normal behaviour; anything else makes pmu_group_open() return
 * -EINVAL so that a typo cannot make a test pass vacuously.
 */
#include "pmu.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Before libpfm's header: it then skips its own copy of these ABI types. */
#include <linux/perf_event.h>

#ifdef HAVE_LIBPFM
#include <pthread.h>
#include <perfmon/pfmlib_perf_event.h>
#endif

#define PMU_ALL_MASK ((uint32_t)((1u << PMU_NEVENTS) - 1))

/* Everything pmu.c knows about one event. */
struct pmu_event_def {
	struct pmu_event_info info; /* the public facts */
	const char *pfm_name;       /* libpfm4 name on its "perf" pseudo-PMU */
	uint32_t type;              /* perf ABI type when libpfm is not used */
	uint64_t config;            /* perf ABI config when libpfm is not used */
	bool in_rusage;             /* getrusage(RUSAGE_THREAD) can count it */
	bool never_zero;            /* counts whenever the thread runs, so a
				       delta of 0 over an interval its group
				       ran is a failed read, not a count */
};

/* The cache event "dTLB load misses" in the perf ABI's encoding. */
#define PMU_DTLB_LOAD_MISS_CONFIG                                        \
	((uint64_t)PERF_COUNT_HW_CACHE_DTLB |                            \
	 ((uint64_t)PERF_COUNT_HW_CACHE_OP_READ << 8) |                  \
	 ((uint64_t)PERF_COUNT_HW_CACHE_RESULT_MISS << 16))

static const struct pmu_event_def pmu_defs[PMU_NEVENTS] = {
	[PMU_TASK_CLOCK] = {
		{ "task-clock", "task_clock_ns_per_op", "ns/op", false },
		"perf::PERF_COUNT_SW_TASK_CLOCK",
		PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, false, true },
	[PMU_PAGE_FAULTS] = {
		{ "page-faults", "faults_per_op", "faults/op", false },
		"perf::PERF_COUNT_SW_PAGE_FAULTS",
		PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, true },
	[PMU_MINOR_FAULTS] = {
		{ "minor-faults", "minor_faults_per_op", "faults/op", false },
		"perf::PERF_COUNT_SW_PAGE_FAULTS_MIN",
		PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN, true },
	[PMU_MAJOR_FAULTS] = {
		{ "major-faults", "major_faults_per_op", "faults/op", false },
		"perf::PERF_COUNT_SW_PAGE_FAULTS_MAJ",
		PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ, true },
	[PMU_CTX_SWITCHES] = {
		{ "context-switches", "ctxsw_per_op", "switches/op", false },
		"perf::PERF_COUNT_SW_CONTEXT_SWITCHES",
		PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, true },
	[PMU_CPU_MIGRATIONS] = {
		{ "cpu-migrations", "migrations_per_op", "migrations/op", false },
		"perf::PERF_COUNT_SW_CPU_MIGRATIONS",
		PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, false },
	[PMU_CYCLES] = {
		{ "cycles", "cycles_per_op", "cycles/op", true },
		"perf::PERF_COUNT_HW_CPU_CYCLES",
		PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, false, true },
	[PMU_INSTRUCTIONS] = {
		{ "instructions", "instructions_per_op", "instructions/op", true },
		"perf::PERF_COUNT_HW_INSTRUCTIONS",
		PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, false, true },
	[PMU_CACHE_MISSES] = {
		{ "cache-misses", "cache_misses_per_op", "misses/op", true },
		"perf::PERF_COUNT_HW_CACHE_MISSES",
		PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, false },
	[PMU_BRANCH_MISSES] = {
		{ "branch-misses", "branch_misses_per_op", "misses/op", true },
		"perf::PERF_COUNT_HW_BRANCH_MISSES",
		PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, false },
	[PMU_DTLB_MISSES] = {
		{ "dtlb-load-misses", "dtlb_misses_per_op", "misses/op", true },
		"perf::PERF_COUNT_HW_CACHE_DTLB:READ:MISS",
		PERF_TYPE_HW_CACHE, PMU_DTLB_LOAD_MISS_CONFIG, false },
};

/*
 * Order of opening, so the first event of each group leads it: a
 * page-fault event, the most common kind.  (Before the leader was opened
 * disabled - see "Enabling" at the top - a task-clock leader left its
 * page-fault and context-switch siblings at 0, and a page-fault leader
 * its task-clock sibling: the same unscheduled cross-PMU sibling.)
 */
static const enum pmu_event pmu_open_order[PMU_NEVENTS] = {
	PMU_PAGE_FAULTS, PMU_MINOR_FAULTS, PMU_MAJOR_FAULTS, PMU_CTX_SWITCHES,
	PMU_CPU_MIGRATIONS, PMU_TASK_CLOCK, PMU_CYCLES, PMU_INSTRUCTIONS,
	PMU_CACHE_MISSES, PMU_BRANCH_MISSES, PMU_DTLB_MISSES,
};

/* What PRIMBENCH_PMU_FORCE asked for (tests only). */
enum pmu_force {
	PMU_FORCE_NONE = 0, /* normal ladder */
	PMU_FORCE_USER,     /* start at PMU_MODE_USER_ONLY */
	PMU_FORCE_RUSAGE,   /* go straight to PMU_MODE_RUSAGE */
	PMU_FORCE_SPLIT,    /* open a software and a hardware group at once */
	PMU_FORCE_LATE,     /* leaders opened enabled: siblings join late */
};

/* Outcome of one attempt at opening every event in one mode. */
struct pmu_attempt {
	int opened;      /* events that got an fd */
	int refused_err; /* EACCES/EPERM/ENOSYS seen, 0 if none */
	bool need_split; /* the single group could not hold or run the events */
};

#ifdef HAVE_LIBPFM
/* pfm_initialize() is not thread-safe and must run once per process:
 * this is the module's only mutable file-scope state. */
static pthread_once_t pmu_pfm_once = PTHREAD_ONCE_INIT;
/* Result of pfm_initialize(), PFM_SUCCESS once it worked. */
static int pmu_pfm_status = PFM_ERR_NOINIT;

static void pmu_pfm_init(void)
{
	pmu_pfm_status = pfm_initialize();
}
#endif

const struct pmu_event_info *pmu_event_info(enum pmu_event ev)
{
	if ((unsigned)ev >= PMU_NEVENTS)
		return NULL;
	return &pmu_defs[ev].info;
}

/* Index of the event whose name is the n bytes at s, or -1. */
static int pmu_lookup_n(const char *s, size_t n)
{
	for (int i = 0; i < PMU_NEVENTS; i++) {
		const char *name = pmu_defs[i].info.name;

		if (strlen(name) == n && memcmp(name, s, n) == 0)
			return i;
	}
	return -1;
}

/* Mask of the software (hardware=false) or hardware events. */
static uint32_t pmu_kind_mask(bool hardware)
{
	uint32_t m = 0;

	for (int i = 0; i < PMU_NEVENTS; i++)
		if (pmu_defs[i].info.hardware == hardware)
			m |= 1u << i;
	return m;
}

int pmu_parse_events(const char *list, uint32_t *mask, char *bad, size_t badlen)
{
	uint32_t m = 0;
	const char *p = list;

	if (bad && badlen)
		bad[0] = '\0';
	if (!list || !mask)
		return -EINVAL;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *tok = p;
		int idx;

		/* Blanks around a name are a typing accident, not a new name. */
		while (n && (*tok == ' ' || *tok == '\t')) {
			tok++;
			n--;
		}
		while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			n--;

		if (n == 3 && memcmp(tok, "all", 3) == 0)
			m |= PMU_ALL_MASK;
		else if (n == 4 && memcmp(tok, "none", 4) == 0)
			; /* adds nothing: "none" alone is the empty mask */
		else if (n == 2 && memcmp(tok, "sw", 2) == 0)
			m |= pmu_kind_mask(false);
		else if (n == 2 && memcmp(tok, "hw", 2) == 0)
			m |= pmu_kind_mask(true);
		else if ((idx = pmu_lookup_n(tok, n)) >= 0)
			m |= 1u << idx;
		else {
			if (bad && badlen)
				snprintf(bad, badlen, "%.*s", (int)n, tok);
			return -EINVAL;
		}
		if (!end)
			break;
		p = end + 1;
	}
	*mask = m;
	return 0;
}

uint32_t pmu_default_mask(void)
{
	return PMU_ALL_MASK;
}

const char *pmu_mode_name(enum pmu_mode mode)
{
	switch (mode) {
	case PMU_MODE_NONE:
		return "none";
	case PMU_MODE_KERNEL_USER:
		return "kernel_user";
	case PMU_MODE_USER_ONLY:
		return "user_only";
	case PMU_MODE_RUSAGE:
		return "rusage";
	}
	return "unknown";
}

/* "EACCES" for EACCES; a number when glibc has no name for it. */
static const char *pmu_errname(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "unknown errno";
}

/* /proc/sys/kernel/perf_event_paranoid as text ("2"), "?" if unreadable. */
static const char *pmu_paranoid(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v;

	snprintf(buf, len, "?");
	if (!f)
		return buf;
	if (fscanf(f, "%d", &v) == 1)
		snprintf(buf, len, "%d", v);
	fclose(f);
	return buf;
}

static void pmu_set_reason(struct pmu_event_state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pmu_set_reason(struct pmu_event_state *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
}

/* Why perf_event_open failed with err, in words; pfm_why is libpfm's
 * complaint if the name did not encode ("" if it did). */
static void pmu_explain(struct pmu_event_state *s, enum pmu_event ev, int err,
			const char *pfm_why)
{
	const char *sep = pfm_why[0] ? "; " : "";
	char par[16];

	s->err = err;
	if (err == EACCES || err == EPERM) {
		pmu_set_reason(s, "not permitted: perf_event_paranoid=%s (%s)%s%s",
			       pmu_paranoid(par, sizeof(par)), pmu_errname(err), sep, pfm_why);
	} else if (pmu_defs[ev].info.hardware &&
		   (err == ENOENT || err == EOPNOTSUPP || err == ENODEV)) {
		pmu_set_reason(s, "no hardware PMU (%s)%s%s", pmu_errname(err), sep, pfm_why);
	} else {
		pmu_set_reason(s, "perf_event_open: %s (%s)%s%s", strerror(err),
			       pmu_errname(err), sep, pfm_why);
	}
}

/*
 * Fill attr's event selection for ev: libpfm when built with it and it
 * can, else the generic perf id.  On a libpfm failure its message goes to
 * pfm_why ("" otherwise) and the generic id is still filled in.
 */
static void pmu_encode(enum pmu_event ev, struct perf_event_attr *attr,
		       char *pfm_why, size_t whylen)
{
	memset(attr, 0, sizeof(*attr));
	pfm_why[0] = '\0';
#ifdef HAVE_LIBPFM
	pthread_once(&pmu_pfm_once, pmu_pfm_init);
	if (pmu_pfm_status == PFM_SUCCESS) {
		pfm_perf_encode_arg_t arg;
		int rc;

		memset(&arg, 0, sizeof(arg));
		arg.attr = attr;
		arg.size = sizeof(arg);
		/* PLM0|PLM3 = kernel + user; the mode's exclude_kernel is set
		 * by the caller afterwards, so one encoding serves both modes. */
		rc = pfm_get_os_event_encoding(pmu_defs[ev].pfm_name, PFM_PLM0 | PFM_PLM3,
					       PFM_OS_PERF_EVENT_EXT, &arg);
		if (rc == PFM_SUCCESS)
			return;
		snprintf(pfm_why, whylen, "libpfm: %s", pfm_strerror(rc));
		memset(attr, 0, sizeof(*attr));
	} else {
		snprintf(pfm_why, whylen, "libpfm: %s", pfm_strerror(pmu_pfm_status));
	}
#else
	(void)whylen;
#endif
	attr->type = pmu_defs[ev].type;
	attr->config = pmu_defs[ev].config;
}

static int pmu_sys_perf_event_open(struct perf_event_attr *attr, int group_fd)
{
	/* pid 0, cpu -1: this thread, wherever it runs. */
	return (int)syscall(SYS_perf_event_open, attr, 0, -1, group_fd,
			    PERF_FLAG_FD_CLOEXEC);
}

/* Start every event from "not open, unavailable, no reason". */
static void pmu_reset(struct pmu_group *g, uint32_t mask)
{
	memset(g, 0, sizeof(*g));
	g->mode = PMU_MODE_NONE;
	g->mask = mask;
	for (int i = 0; i < PMU_NEVENTS; i++) {
		g->ev[i].fd = -1;
		g->ev[i].group = -1;
	}
}

/* Close every perf fd; states and reasons are kept for the caller. */
static void pmu_close_fds(struct pmu_group *g)
{
	for (int i = 0; i < PMU_NEVENTS; i++) {
		if (g->ev[i].fd >= 0)
			close(g->ev[i].fd);
		g->ev[i].fd = -1;
	}
}

/*
 * One read(2) of the group led by event lead: fills value/times of every
 * member, matched by id.  0, or -errno (-EIO on a short read, which is
 * what a group in error state returns).
 */
static int pmu_read_leader(const struct pmu_group *g, int lead, struct pmu_reading *r)
{
	/* nr, time_enabled, time_running, then {value, id} per member. */
	uint64_t buf[3 + 2 * PMU_NEVENTS];
	ssize_t n = read(g->ev[lead].fd, buf, sizeof(buf));
	uint64_t nr;

	if (n < 0)
		return -errno;
	if ((size_t)n < 3 * sizeof(uint64_t))
		return -EIO;
	nr = buf[0];
	if (nr > PMU_NEVENTS || (size_t)n < (3 + 2 * nr) * sizeof(uint64_t))
		return -EIO;
	for (uint64_t k = 0; k < nr; k++) {
		uint64_t value = buf[3 + 2 * k];
		uint64_t id = buf[4 + 2 * k];

		for (int i = 0; i < PMU_NEVENTS; i++) {
			if (g->ev[i].group != lead || g->ev[i].fd < 0 || g->ev[i].id != id)
				continue;
			/* A group is scheduled as one: its times are the leader's. */
			r->value[i] = value;
			r->time_enabled[i] = buf[1];
			r->time_running[i] = buf[2];
			r->got |= 1u << i;
			r->timed |= 1u << i;
		}
	}
	return 0;
}

/*
 * Did the group led by lead get onto the PMU?  Two reads around a short
 * spin: time_enabled grows whenever the thread runs, time_running only
 * when the group is really counting.
 */
static bool pmu_group_ran(const struct pmu_group *g, int lead)
{
	struct pmu_reading a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (pmu_read_leader(g, lead, &a))
		return false;
	for (volatile int i = 0; i < 20000; i++)
		;
	if (pmu_read_leader(g, lead, &b))
		return false;
	return b.time_running[lead] > a.time_running[lead];
}

/*
 * Close every member of the group led by lead and make it unavailable
 * with err and the reason fmt.  Returns how many were closed.
 */
static int pmu_drop_group(struct pmu_group *g, int lead, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int pmu_drop_group(struct pmu_group *g, int lead, int err, const char *fmt, ...)
{
	char reason[sizeof(g->ev[0].reason)];
	va_list ap;
	int n = 0;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	/* Siblings first: closing a leader first would turn each sibling
	 * into a group of its own for the moment in between. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < PMU_NEVENTS; i++) {
			struct pmu_event_state *s = &g->ev[i];

			if (s->group != lead || s->fd < 0 || (pass == 0) == (i == lead))
				continue;
			close(s->fd);
			s->fd = -1;
			s->group = -1;
			s->available = false;
			s->err = err;
			snprintf(s->reason, sizeof(s->reason), "%s", reason);
			n++;
		}
	}
	return n;
}

/* The event's own time_running from a read of its own fd: a leader's
 * group read and a sibling's single read both put it at word 2.  0 on a
 * failed read. */
static uint64_t pmu_own_running(const struct pmu_event_state *s)
{
	uint64_t buf[3 + 2 * PMU_NEVENTS];
	ssize_t n = read(s->fd, buf, sizeof(buf));

	return n >= (ssize_t)(3 * sizeof(uint64_t)) ? buf[2] : 0;
}

/*
 * Make unavailable every open sibling that was never scheduled with its
 * group: over a short spin its leader's time_running advances and its
 * own does not.  (A group that is off the PMU as a whole - a multiplexed
 * hardware group - moves neither, and is left to pmu_group_ran() and to
 * pmu_reading_delta().)  Returns how many events were closed.
 */
static int pmu_drop_unscheduled(struct pmu_group *g)
{
	uint64_t before[PMU_NEVENTS], after[PMU_NEVENTS];
	int n = 0;

	for (int i = 0; i < PMU_NEVENTS; i++)
		before[i] = g->ev[i].fd >= 0 ? pmu_own_running(&g->ev[i]) : 0;
	for (volatile int i = 0; i < 20000; i++)
		;
	for (int i = 0; i < PMU_NEVENTS; i++)
		after[i] = g->ev[i].fd >= 0 ? pmu_own_running(&g->ev[i]) : 0;
	for (int i = 0; i < PMU_NEVENTS; i++) {
		struct pmu_event_state *s = &g->ev[i];
		int lead = s->group;

		if (s->fd < 0 || lead == i || lead < 0)
			continue;
		if (after[lead] <= before[lead] || after[i] > before[i])
			continue;
		close(s->fd);
		s->fd = -1;
		s->group = -1;
		s->available = false;
		s->err = EBUSY;
		pmu_set_reason(s, "never scheduled with its group (own time_running stayed %llu ns)",
			       (unsigned long long)after[i]);
		n++;
	}
	return n;
}

/* Group leader fd for an event of this kind, -1 to start a new group. */
static int pmu_leader_fd(const struct pmu_group *g, const int *leader, int kind)
{
	return leader[kind] >= 0 ? g->ev[leader[kind]].fd : -1;
}

/*
 * Open every event of g->mask in g->mode: one group, or (split) one group
 * of software and one of hardware events.  Unavailable events get their
 * reason; the outcome tells the caller whether to climb down the ladder
 * or split.  Events served by getrusage in USER_ONLY mode are marked here.
 * late: leaders opened enabled (PRIMBENCH_PMU_FORCE=late), else each
 * leader is enabled once its group is complete.
 */
static struct pmu_attempt pmu_try_open(struct pmu_group *g, bool split, bool late)
{
	struct pmu_attempt at = { 0, 0, false };
	int leader[2] = { -1, -1 }; /* [0] software or only group, [1] hardware */
	bool user_only = g->mode == PMU_MODE_USER_ONLY;

	for (int k = 0; k < PMU_NEVENTS; k++) {
		enum pmu_event i = pmu_open_order[k];
		struct pmu_event_state *s = &g->ev[i];
		int kind = split && pmu_defs[i].info.hardware ? 1 : 0;
		struct perf_event_attr attr;
		char pfm_why[64];
		int gfd, fd, err;

		s->fd = -1;
		s->group = -1;
		s->available = false;
		s->err = 0;
		s->id = 0;
		s->reason[0] = '\0';
		if (!(g->mask & (1u << i)))
			continue;

		if (user_only && pmu_defs[i].in_rusage) {
			/* perf would miss the kernel-side part (see top). */
			s->available = true;
			pmu_set_reason(s, "getrusage(RUSAGE_THREAD): exclude_kernel would miss kernel-side events");
			continue;
		}
		if (user_only && i == PMU_CPU_MIGRATIONS) {
			char par[16];

			s->err = EACCES;
			pmu_set_reason(s, "counts 0 under exclude_kernel (perf_event_paranoid=%s)",
				       pmu_paranoid(par, sizeof(par)));
			continue;
		}

		pmu_encode(i, &attr, pfm_why, sizeof(pfm_why));
		gfd = pmu_leader_fd(g, leader, kind);
		attr.size = sizeof(attr);
		/* A leader starts disabled and is enabled with its group
		 * complete (see "Enabling" at the top); a sibling is enabled
		 * and starts with its leader. */
		attr.disabled = gfd < 0 && !late;
		attr.inherit = 0;
		attr.exclude_user = 0;
		attr.exclude_kernel = user_only;
		attr.exclude_hv = 1;
		/* The group read is the leader's; a sibling's own read gives
		 * its own times (see "Checking"). */
		attr.read_format = PERF_FORMAT_ID |
				   PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
		if (gfd < 0)
			attr.read_format |= PERF_FORMAT_GROUP;

		fd = pmu_sys_perf_event_open(&attr, gfd);
		if (fd < 0) {
			err = errno;
			pmu_explain(s, i, err, pfm_why);
			if (err == EACCES || err == EPERM || err == ENOSYS)
				at.refused_err = err;
			else if (gfd >= 0 && !split &&
				 err != ENOENT && err != EOPNOTSUPP && err != ENODEV)
				at.need_split = true;
			continue;
		}
		if (ioctl(fd, PERF_EVENT_IOC_ID, &s->id) < 0) {
			err = errno;
			close(fd);
			s->err = err;
			pmu_set_reason(s, "PERF_EVENT_IOC_ID: %s (%s)", strerror(err),
				       pmu_errname(err));
			continue;
		}
		s->fd = fd;
		if (leader[kind] < 0)
			leader[kind] = i;
		s->group = leader[kind];
		s->available = true;
		at.opened++;
		if (pfm_why[0])
			pmu_set_reason(s, "%s; used the generic perf id", pfm_why);
	}

	/* Start each complete group.  A leader that cannot be enabled
	 * leaves its whole group uncounted. */
	for (int kind = 0; kind < 2 && !late; kind++) {
		int lead = leader[kind];

		int err;

		if (lead < 0 || ioctl(g->ev[lead].fd, PERF_EVENT_IOC_ENABLE, 0) == 0)
			continue;
		err = errno;
		at.opened -= pmu_drop_group(g, lead, err, "PERF_EVENT_IOC_ENABLE: %s (%s)",
					    strerror(err), pmu_errname(err));
	}

	/* Only hardware events can fail to get onto the PMU as a group. */
	for (int kind = 0; kind < 2; kind++) {
		int lead = leader[kind];
		bool has_hw = false;

		if (lead < 0)
			continue;
		for (int i = 0; i < PMU_NEVENTS; i++)
			if (g->ev[i].group == lead && pmu_defs[i].info.hardware)
				has_hw = true;
		if (!has_hw || pmu_group_ran(g, lead))
			continue;
		if (!split) {
			at.need_split = true;
			continue;
		}
		at.opened -= pmu_drop_group(g, lead, EBUSY, "%s",
					    "hardware group never ran on the PMU (time_running=0)");
	}
	if (!at.need_split)
		at.opened -= pmu_drop_unscheduled(g);

	/* With some hardware event counting, ENOENT means this PMU lacks the
	 * event, not that there is no PMU. */
	if (g->mask & pmu_kind_mask(true) & pmu_group_available(g)) {
		for (int i = 0; i < PMU_NEVENTS; i++) {
			struct pmu_event_state *s = &g->ev[i];

			if (pmu_defs[i].info.hardware && !s->available &&
			    strncmp(s->reason, "no hardware PMU", 15) == 0)
				pmu_set_reason(s, "not supported by this PMU (%s)",
					       pmu_errname(s->err));
		}
	}
	return at;
}

/* Everything getrusage can give is available, the rest carries why not. */
static void pmu_open_rusage(struct pmu_group *g, int err, const char *why)
{
	pmu_close_fds(g);
	g->mode = PMU_MODE_RUSAGE;
	for (int i = 0; i < PMU_NEVENTS; i++) {
		struct pmu_event_state *s = &g->ev[i];

		s->fd = -1;
		s->group = -1;
		s->id = 0;
		s->available = false;
		s->err = 0;
		s->reason[0] = '\0';
		if (!(g->mask & (1u << i)))
			continue;
		if (pmu_defs[i].in_rusage) {
			s->available = true;
			pmu_set_reason(s, "getrusage(RUSAGE_THREAD): %s", why);
		} else {
			s->err = err;
			pmu_set_reason(s, "%s; getrusage has no such count", why);
		}
	}
}

/* Parse PRIMBENCH_PMU_FORCE; -EINVAL for an unknown value. */
static int pmu_read_force(enum pmu_force *force)
{
	const char *v = getenv("PRIMBENCH_PMU_FORCE");

	*force = PMU_FORCE_NONE;
	if (!v || !v[0])
		return 0;
	if (strcmp(v, "user") == 0)
		*force = PMU_FORCE_USER;
	else if (strcmp(v, "rusage") == 0)
		*force = PMU_FORCE_RUSAGE;
	else if (strcmp(v, "split") == 0)
		*force = PMU_FORCE_SPLIT;
	else if (strcmp(v, "late") == 0)
		*force = PMU_FORCE_LATE;
	else
		return -EINVAL;
	return 0;
}

/*
 * Let a migration the kernel has not charged yet land before the first
 * reading.  Linux counts a task's CPU migration at the task's next
 * sched-in (set_task_cpu() only sets task->sched_migrated), and charges
 * and clears it only while some cpu-migrations event exists on the
 * system.  A migration made while none did - worker 0's own pinning,
 * right after the previous configuration closed its events - stays
 * pending, and went to the first event opened later at the thread's first
 * context switch: exactly one migration in the first counted sample of
 * pinned configurations whose worker never moved (the scheduler's
 * sched_migrate_task tracepoint showed no move after the pinning).  A
 * 1 us sleep is a sched-out and a sched-in now, before any reading.
 */
static void pmu_settle(void)
{
	const struct timespec nap = { 0, 1000 };

	nanosleep(&nap, NULL);
}

int pmu_group_open(struct pmu_group *g, uint32_t mask)
{
	enum pmu_force force;
	struct pmu_attempt at;
	bool split;
	char why[64];

	if (!g)
		return -EINVAL;
	pmu_reset(g, mask);
	if ((mask & ~PMU_ALL_MASK) || pmu_read_force(&force))
		return -EINVAL;
	if (!mask)
		return 0;
	if (force == PMU_FORCE_RUSAGE) {
		pmu_open_rusage(g, ENOTSUP, "forced by PRIMBENCH_PMU_FORCE");
		return 0;
	}

	split = force == PMU_FORCE_SPLIT;
	g->mode = force == PMU_FORCE_USER ? PMU_MODE_USER_ONLY : PMU_MODE_KERNEL_USER;
	for (;;) {
		at = pmu_try_open(g, split, force == PMU_FORCE_LATE);
		if (at.refused_err && g->mode == PMU_MODE_KERNEL_USER) {
			/* Kernel-mode counting refused: all events drop to
			 * user-only together, so one mode describes them all. */
			pmu_close_fds(g);
			g->mode = PMU_MODE_USER_ONLY;
			continue;
		}
		if (at.refused_err && at.opened == 0) {
			char par[16];

			pmu_close_fds(g);
			if (at.refused_err == ENOSYS)
				snprintf(why, sizeof(why), "no perf_event_open (ENOSYS)");
			else
				snprintf(why, sizeof(why), "not permitted: perf_event_paranoid=%s (%s)",
					 pmu_paranoid(par, sizeof(par)), pmu_errname(at.refused_err));
			pmu_open_rusage(g, at.refused_err, why);
			return 0;
		}
		if (at.need_split && !split) {
			pmu_close_fds(g);
			split = true;
			continue;
		}
		pmu_settle();
		return 0;
	}
}

/* getrusage(RUSAGE_THREAD) into the events that are served by it. */
static int pmu_read_rusage(const struct pmu_group *g, struct pmu_reading *r)
{
	struct rusage ru;
	uint64_t v[PMU_NEVENTS];

	if (getrusage(RUSAGE_THREAD, &ru))
		return -errno;
	memset(v, 0, sizeof(v));
	v[PMU_MINOR_FAULTS] = (uint64_t)ru.ru_minflt;
	v[PMU_MAJOR_FAULTS] = (uint64_t)ru.ru_majflt;
	v[PMU_PAGE_FAULTS] = (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
	v[PMU_CTX_SWITCHES] = (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
	for (int i = 0; i < PMU_NEVENTS; i++) {
		if (g->ev[i].available && g->ev[i].fd < 0) {
			r->value[i] = v[i];
			r->got |= 1u << i;
		}
	}
	return 0;
}

int pmu_group_read(const struct pmu_group *g, struct pmu_reading *r)
{
	bool want_rusage = false;
	int rc;

	if (!g || !r)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	if (g->mode == PMU_MODE_NONE)
		return 0;
	for (int i = 0; i < PMU_NEVENTS; i++) {
		const struct pmu_event_state *s = &g->ev[i];

		if (!s->available)
			continue;
		if (s->fd < 0) {
			want_rusage = true;
			continue;
		}
		if (s->group != i)
			continue;
		rc = pmu_read_leader(g, i, r);
		if (rc)
			return rc;
	}
	if (want_rusage)
		return pmu_read_rusage(g, r);
	return 0;
}

void pmu_group_close(struct pmu_group *g)
{
	if (!g)
		return;
	/* Only a perf mode owns fds: a zeroed struct (fd 0) is left alone. */
	if (g->mode == PMU_MODE_KERNEL_USER || g->mode == PMU_MODE_USER_ONLY)
		pmu_close_fds(g);
	pmu_reset(g, 0);
}

uint32_t pmu_group_available(const struct pmu_group *g)
{
	uint32_t m = 0;

	if (!g)
		return 0;
	for (int i = 0; i < PMU_NEVENTS; i++)
		if (g->ev[i].available)
			m |= 1u << i;
	return m;
}

double pmu_reading_delta(const struct pmu_reading *a, const struct pmu_reading *b,
			 enum pmu_event ev, char *why, size_t whylen)
{
	uint32_t bit;

	if ((unsigned)ev >= PMU_NEVENTS) {
		if (why && whylen)
			snprintf(why, whylen, "no such event (%d)", (int)ev);
		return NAN;
	}
	bit = 1u << ev;
	if (!(a->got & b->got & bit)) {
		if (why && whylen)
			snprintf(why, whylen, "%s not read", pmu_defs[ev].info.name);
		return NAN;
	}
	/* getrusage values carry no times: a plain difference. */
	if (!(a->timed & b->timed & bit))
		return (double)(b->value[ev] - a->value[ev]);
	if (b->time_running[ev] <= a->time_running[ev]) {
		if (why && whylen)
			snprintf(why, whylen, "%s: its group did not run between the reads "
				 "(time_running did not advance)", pmu_defs[ev].info.name);
		return NAN;
	}
	if (pmu_defs[ev].never_zero && b->value[ev] == a->value[ev]) {
		if (why && whylen)
			snprintf(why, whylen, "%s did not advance although its group ran "
				 "(never scheduled): a failed read, not a count",
				 pmu_defs[ev].info.name);
		return NAN;
	}
	return (double)(b->value[ev] - a->value[ev]);
}

bool pmu_reading_multiplexed(const struct pmu_reading *a, const struct pmu_reading *b,
			     uint32_t mask)
{
	for (int i = 0; i < PMU_NEVENTS; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (b->time_running[i] - a->time_running[i] <
		    b->time_enabled[i] - a->time_enabled[i])
			return true;
	}
	return false;
}
