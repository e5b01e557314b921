/*
 * meta.c - the host fingerprint.
 *
 * Why so much: most "kernel regressions" turn out to be configuration -
 * mitigations, THP, the governor, the command line - so every run records
 * them and compare diffs them first.
 */
#include "meta.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "clock.h"

int meta_set(struct meta *m, const char *key, const char *fmt, ...)
{
	char *v = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	/* One line per value: meta.csv is key,value rows. */
	for (char *p = v; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	for (size_t i = 0; i < m->n; i++) {
		if (strcmp(m->kv[i].key, key) == 0) {
			free(m->kv[i].value);
			m->kv[i].value = v;
			return 0;
		}
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct meta_kv *kv = realloc(m->kv, cap * sizeof(*kv));

		if (!kv) {
			free(v);
			return -ENOMEM;
		}
		m->kv = kv;
		m->cap = cap;
	}
	m->kv[m->n].key = strdup(key);
	m->kv[m->n].value = v;
	if (!m->kv[m->n].key) {
		free(v);
		return -ENOMEM;
	}
	m->n++;
	return 0;
}

const char *meta_get(const struct meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->kv[i].key, key) == 0)
			return m->kv[i].value;
	return NULL;
}

void meta_free(struct meta *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->kv[i].key);
		free(m->kv[i].value);
	}
	free(m->kv);
	memset(m, 0, sizeof(*m));
}

/* First line of a file, trimmed, or "unknown". */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	else
		snprintf(buf, len, "unknown");
	fclose(f);
}

/* The value of "key<TAB>: value" in /proc/cpuinfo's first CPU. */
static void cpuinfo_field(const char *key, char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon || strncmp(line, key, strlen(key)) != 0)
			continue;
		colon++;
		while (*colon == ' ')
			colon++;
		colon[strcspn(colon, "\n")] = 0;
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

/* One vuln.<name> row per file of the mitigations directory. */
static int meta_mitigations(struct meta *m)
{
	const char *dir = "/sys/devices/system/cpu/vulnerabilities";
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	int rc = 0;

	if (n < 0)
		return meta_set(m, "mitigations", "unknown (%s unreadable)", dir);
	rc = meta_set(m, "mitigations", "%s", "see vuln.*");
	for (int i = 0; i < n; i++) {
		char path[512], key[300], val[256];

		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			snprintf(key, sizeof(key), "vuln.%s", ents[i]->d_name);
			read_line(path, val, sizeof(val));
			rc |= meta_set(m, key, "%s", val);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* The bracketed choice in "always [madvise] never". */
static void bracketed(const char *s, char *out, size_t len)
{
	const char *a = strchr(s, '['), *b = a ? strchr(a, ']') : NULL;

	if (a && b)
		snprintf(out, len, "%.*s", (int)(b - a - 1), a + 1);
	else
		snprintf(out, len, "%s", s);
}

/*
 * The accelerator the timings were taken under, and how that is known:
 * PRIMBENCH_ACCEL when the runner that started us knows (ci/kernel-vm sets
 * it inside its guest); else the hypervisor's CPUID signature (leaf
 * 0x40000000, read only when CPUID.1:ECX bit 31 says a hypervisor is
 * there): "KVMKVMKVM" kvm, "TCGTCGTCGTCG" tcg (QEMU's emulator), "Microsoft Hv"
 * hyperv, "VMwareVMware" vmware, "XenVMMXenVMM" xen; else DMI's system
 * vendor naming QEMU (an emulator without that leaf); else native.
 */
static void meta_accel(char *accel, size_t alen, char *why, size_t wlen)
{
	const char *env = getenv("PRIMBENCH_ACCEL");
	char vendor[128];

	if (env && *env) {
		snprintf(accel, alen, "%s", env);
		snprintf(why, wlen, "PRIMBENCH_ACCEL");
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	{
		static const struct { const char *sig, *name; } hv[] = {
			{ "KVMKVMKVM", "kvm" }, { "TCGTCGTCGTCG", "tcg" },
			{ "Microsoft Hv", "hyperv" }, { "VMwareVMware", "vmware" },
			{ "XenVMMXenVMM", "xen" }, { "ACRNACRNACRN", "acrn" },
			{ " lrpepyh  vr", "parallels" }, { "bhyve bhyve ", "bhyve" },
		};
		unsigned a, b, c, d;
		char sig[13];

		if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
			__cpuid(0x40000000, a, b, c, d);
			memcpy(sig, &b, 4);
			memcpy(sig + 4, &c, 4);
			memcpy(sig + 8, &d, 4);
			sig[12] = 0;
			for (size_t i = 0; i < sizeof(hv) / sizeof(hv[0]); i++) {
				if (strcmp(sig, hv[i].sig) == 0) {
					snprintf(accel, alen, "%s", hv[i].name);
					snprintf(why, wlen, "cpuid hypervisor signature '%s'", sig);
					return;
				}
			}
			snprintf(accel, alen, "hypervisor");
			snprintf(why, wlen, "cpuid: a hypervisor, signature '%s'", sig);
			return;
		}
	}
#endif
	read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor));
	if (strstr(vendor, "QEMU")) {
		snprintf(accel, alen, "tcg");
		snprintf(why, wlen, "DMI sys_vendor '%.64s' with no hypervisor CPUID leaf", vendor);
		return;
	}
	snprintf(accel, alen, "native");
	snprintf(why, wlen, "no hypervisor seen (cpuid, DMI)");
}

/* CONFIG_HZ from /boot/config-<release>, else from /proc/config.gz
 * (through gzip, to avoid linking zlib for one line). */
static void config_hz(const char *release, char *buf, size_t len)
{
	char path[512], line[256];
	bool piped = false;
	FILE *f;

	snprintf(buf, len, "unknown");
	snprintf(path, sizeof(path), "/boot/config-%s", release);
	f = fopen(path, "r");
	if (!f && access("/proc/config.gz", R_OK) == 0) {
		f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r");
		piped = f != NULL;
	}
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "CONFIG_HZ=", 10) == 0) {
			line[strcspn(line, "\n")] = 0;
			snprintf(buf, len, "%s", line + 10);
			break;
		}
	if (piped) {
		/* Drain so gzip exits on EOF, not on SIGPIPE. */
		while (fgets(line, sizeof(line), f))
			;
		pclose(f);
	} else {
		fclose(f);
	}
}

static int meta_counters(struct meta *m, const struct pmu_group *g)
{
	char avail[512] = "", unavail[2048] = "";
	size_t a = 0, u = 0;

	for (int e = 0; e < PMU_NEVENTS; e++) {
		const struct pmu_event_state *s = &g->ev[e];

		if (!(g->mask & (1u << e)))
			continue;
		if (s->available)
			a += (size_t)snprintf(avail + a, a < sizeof(avail) ? sizeof(avail) - a : 0,
					      "%s%s", a ? " " : "", pmu_event_info(e)->name);
		else
			u += (size_t)snprintf(unavail + u, u < sizeof(unavail) ? sizeof(unavail) - u : 0,
					      "%s%s (%s)", u ? "; " : "", pmu_event_info(e)->name,
					      s->reason);
	}
	return meta_set(m, "counters_available", "%s", a ? avail : "none") |
	       meta_set(m, "counters_unavailable", "%s", u ? unavail : "none") |
	       meta_set(m, "counters_mode", "%s", pmu_mode_name(g->mode));
}

int meta_collect(struct meta *m, const struct topo *t, const struct pmu_group *probe)
{
	const struct clock_info *ci = clock_info();
	struct utsname u;
	char buf[1024], host[256];
	int rc = 0;

	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = 0;

	rc |= meta_set(m, "primbench_version", "%s", PRIMBENCH_VERSION);
	rc |= meta_set(m, "git_sha", "%s", PRIMBENCH_GIT_SHA);
	rc |= meta_set(m, "host", "%s", host);
	rc |= meta_set(m, "kernel_release", "%s", u.release);
	rc |= meta_set(m, "kernel_version", "%s", u.version);
	read_line("/proc/cmdline", buf, sizeof(buf));
	rc |= meta_set(m, "kernel_cmdline", "%s", buf);
	rc |= meta_set(m, "arch", "%s", u.machine);
	cpuinfo_field("model name", buf, sizeof(buf));
	rc |= meta_set(m, "cpu_model", "%s", buf);
	cpuinfo_field("microcode", buf, sizeof(buf));
	rc |= meta_set(m, "microcode", "%s", buf);
	rc |= meta_set(m, "cpu_count", "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	topo_summary(t, buf, sizeof(buf));
	rc |= meta_set(m, "topology", "%s", buf);
	rc |= meta_set(m, "cores", "%d", topo_ncores(t));
	rc |= meta_set(m, "smt", "%s", topo_smt(t) ? "yes" : "no");
	rc |= meta_set(m, "numa_nodes", "%d", topo_numa_nodes(t));
	rc |= meta_set(m, "packages", "%d", topo_npackages(t));
	rc |= meta_set(m, "binding", "%s", topo_bind_method(t));
	read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof(buf));
	rc |= meta_set(m, "cpufreq_governor", "%s", buf);
	{
		char raw[256];

		read_line("/sys/kernel/mm/transparent_hugepage/enabled", raw, sizeof(raw));
		bracketed(raw, buf, sizeof(buf));
		rc |= meta_set(m, "thp_enabled", "%s", buf);
		read_line("/sys/kernel/mm/transparent_hugepage/defrag", raw, sizeof(raw));
		bracketed(raw, buf, sizeof(buf));
		rc |= meta_set(m, "thp_defrag", "%s", buf);
	}
	rc |= meta_mitigations(m);
	read_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof(buf));
	rc |= meta_set(m, "perf_event_paranoid", "%s", buf);
	rc |= meta_counters(m, probe);
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", buf, sizeof(buf));
	rc |= meta_set(m, "kernel_clocksource", "%s", buf);
	rc |= meta_set(m, "clock_source", "%s", clock_source_name(ci->source));
	rc |= meta_set(m, "clock_source_why", "%s", ci->why);
	rc |= meta_set(m, "tsc_hz", "%.0f", ci->tsc_hz);
	rc |= meta_set(m, "timer_overhead_ns", "%.2f", ci->overhead_ns);
	rc |= meta_set(m, "counting", "%s",
		       "separate pass: no counter is open during timed samples");
	config_hz(u.release, buf, sizeof(buf));
	rc |= meta_set(m, "config_hz", "%s", buf);
	rc |= meta_set(m, "uid", "%d", (int)geteuid());
	/* compare withholds verdicts between an emulator and hardware. */
	{
		char why[160];

		meta_accel(buf, sizeof(buf), why, sizeof(why));
		rc |= meta_set(m, "accel", "%s", buf);
		rc |= meta_set(m, "accel_source", "%s", why);
	}
#ifdef __VERSION__
	rc |= meta_set(m, "compiler", "%s", __VERSION__);
#else
	rc |= meta_set(m, "compiler", "unknown");
#endif
	rc |= meta_set(m, "cflags", "%s", PRIMBENCH_CFLAGS);
#ifdef HAVE_LIBPFM
	rc |= meta_set(m, "libpfm", "yes");
#else
	rc |= meta_set(m, "libpfm", "no (built without libpfm4: generic perf event ids)");
#endif
	return rc ? -ENOMEM : 0;
}
