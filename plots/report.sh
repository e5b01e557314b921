#!/bin/sh
# report.sh RUN [-o FILE] [--link-prefix PREFIX] - write the Markdown report
# of one run: host fingerprint, method, a section per benchmark family with
# its figures (rendered by plots/render.sh into RUN/plots/) and a table of
# headline numbers, comparisons found in the folder, and caveats (rows that
# did not run, failed validations, placements this host lacks, counters that
# did not open).
#
#   -o FILE              where to write (default RUN/REPORT.md; - = stdout)
#   --link-prefix PREFIX put PREFIX before every image link, which is
#                        otherwise relative to RUN (plots/<figure>.png); the
#                        top-level REPORT.md is made with
#                        sh plots/report.sh results/<run> -o REPORT.md --link-prefix results/<run>/
#
# Every number is copied from the CSVs (read with build/csvq, primbench's own
# CSV reader), formatted to 4 significant digits; nothing is recomputed.
# Environment: CSVQ as in render.sh.  Exit 0, or 2 on bad usage or input.
set -eu

usage() { echo "usage: sh plots/report.sh results/<run> [-o FILE] [--link-prefix PREFIX]" >&2; exit 2; }
[ $# -ge 1 ] || usage
run=${1%/}
shift
dest="" prefix=""
while [ $# -gt 0 ]; do
	case $1 in
	-o) [ $# -ge 2 ] || usage; dest=$2; shift 2 ;;
	--link-prefix) [ $# -ge 2 ] || usage; prefix=$2; shift 2 ;;
	*) echo "report.sh: unknown option '$1' (accepted: -o FILE, --link-prefix PREFIX)" >&2; exit 2 ;;
	esac
done
[ -f "$run/summary.csv" ] || { echo "report.sh: $run/summary.csv: no such file" >&2; exit 2; }
[ -f "$run/meta.csv" ] || { echo "report.sh: $run/meta.csv: no such file" >&2; exit 2; }
[ -n "$dest" ] || dest=$run/REPORT.md
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
export LC_ALL=C
TAB=$(printf '\t')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/primbench-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

me=report.sh
. "$here/_csvq.sh"

# Schema 2 adds rounds and between_cv_pct; a schema-1 run has one round.
if head -n 1 "$run/summary.csv" | grep -q ',rounds,between_cv_pct'; then
	"$csvq" "$run/summary.csv" -t bench,variant,sweep,x,placement,metric,unit,n,p50,ci95_lo,ci95_hi,validation,status,note,rounds,between_cv_pct \
		> "$tmp/summary.tsv"
else
	"$csvq" "$run/summary.csv" -t bench,variant,sweep,x,placement,metric,unit,n,p50,ci95_lo,ci95_hi,validation,status,note |
		awk -F"$TAB" -v OFS="$TAB" 'NR == 1 { print $0, "rounds", "between_cv_pct"; next } { print $0, 1, "" }' \
		> "$tmp/summary.tsv"
fi
"$csvq" "$run/meta.csv" -t key,value > "$tmp/meta.tsv"
meta() { awk -F"$TAB" -v k="$1" 'NR > 1 && $1 == k { print $2; exit }' "$tmp/meta.tsv"; }

# Markdown cell: a pipe would end the cell.
md() { printf '%s' "$1" | sed 's/|/\\|/g'; }

# image FIGURE ALT: a link to RUN/plots/FIGURE.png when render.sh drew it.
image() {
	if [ -f "$run/plots/$1.png" ]; then
		printf '![%s](%splots/%s.png)\n\n' "$2" "$prefix" "$1"
	fi
}

# headline BENCH_RE METRIC_RE: one table row per (bench, variant, placement,
# metric) that ran: p50 and its 95% CI at the smallest x and, if the variant
# is swept, at the largest; in run order.  Times get ns/µs/ms, rates k/M/G.
headline() {
	awk -F"$TAB" -v bre="$1" -v mre="$2" '
		function scale(v, u) {
			if (u == "ns") {
				if (v >= 1e6) { su = "ms"; return 1e-6 }
				if (v >= 1e4) { su = "µs"; return 1e-3 }
				su = "ns"; return 1
			}
			if (u ~ /\/s$/) {
				b = (u == "bytes/s") ? "B/s" : u
				if (v >= 1e9) { su = "G" b; return 1e-9 }
				if (v >= 1e6) { su = "M" b; return 1e-6 }
				if (v >= 1e3) { su = "k" b; return 1e-3 }
			}
			su = u; return 1
		}
		# p50 [95% CI] unit, and that point'"'"'s own samples and rounds; a CI
		# the CSV leaves empty is n/a, never [0, 0].
		function cell(r,    a, f, ci) {
			split(r, a, "\t")
			f = scale(a[9] + 0, a[7])
			ci = (a[10] == "" || a[11] == "") ? "[n/a]" : sprintf("[%s, %s]", fmt(a[10] * f), fmt(a[11] * f))
			return sprintf("%s %s %s (n %s, %s round%s)", fmt(a[9] * f), ci, su, a[8], a[15], a[15] == 1 ? "" : "s")
		}
		# 4 significant digits, but 12345 rather than 1.234e+04.
		function fmt(v) { return (v >= 1000 || v <= -1000) && v < 1e7 && v > -1e7 ? sprintf("%.0f", v) : sprintf("%.4g", v) }
		function hx(s, v) {
			if (v == "") return "-"
			if (s !~ /_bytes$/) return s "=" v
			if (v >= 1073741824) return (v / 1073741824) " GiB"
			if (v >= 1048576) return (v / 1048576) " MiB"
			if (v >= 1024) return (v / 1024) " KiB"
			return v " B"
		}
		NR == 1 { next }
		$1 ~ bre && $6 ~ mre && $13 == "ok" {
			k = $1 SUBSEP $2 SUBSEP $5 SUBSEP $6
			if (!(k in seen)) { seen[k] = 1; order[++n] = k; lo[k] = hi[k] = NR; val[k] = "" }
			if ($4 != "" && $4 + 0 < x[lo[k]] + 0) lo[k] = NR
			if ($4 != "" && $4 + 0 > x[hi[k]] + 0) hi[k] = NR
			if ($12 == "fail") val[k] = "fail"
			else if (val[k] == "") val[k] = $12
			row[NR] = $0; x[NR] = $4; sw[NR] = $3
		}
		END {
			if (!n) exit
			print "| bench/variant | placement | metric | at | p50 [95% CI] | at | p50 [95% CI] | validation |"
			print "|---|---|---|---|---|---|---|---|"
			for (i = 1; i <= n; i++) {
				k = order[i]
				split(row[lo[k]], a, "\t")
				far = (hi[k] != lo[k]) ? hx(sw[hi[k]], x[hi[k]]) " | " cell(row[hi[k]]) : " | "
				printf "| %s/%s | %s | %s | %s | %s | %s | %s |\n", a[1], a[2], a[5], a[6], hx(a[3], a[4]), cell(row[lo[k]]), far, val[k]
			}
			print ""
		}' "$tmp/summary.tsv"
}

has() { awk -F"$TAB" -v bre="$1" 'NR > 1 && $1 ~ bre { f = 1; exit } END { exit !f }' "$tmp/summary.tsv"; }

{
	echo "# primbench report: $(meta run_id)"
	echo
	if [ "$(meta complete)" != true ]; then
		echo "> **Incomplete run** (meta complete=$(meta complete)): the run was interrupted; families after the interruption are missing."
		echo
	fi
	echo "Run from $(meta started_utc) to $(meta finished_utc) with \`$(meta run_args)\`; primbench $(meta primbench_version) at $(meta git_sha)."
	echo "Each figure title names the host and kernel; figures are in \`plots/\` as PNG and SVG."
	echo
	echo "## Host"
	echo
	echo "| key | value |"
	echo "|---|---|"
	for k in host kernel_release kernel_version kernel_cmdline arch cpu_model microcode cpu_count topology smt \
		numa_nodes packages cpufreq_governor thp_enabled thp_defrag accel clock_source clock_source_why tsc_hz \
		timer_overhead_ns config_hz perf_event_paranoid counters_mode counters_available counters_unavailable \
		compiler cflags libpfm uid; do
		v=$(meta "$k")
		[ -n "$v" ] && printf '| %s | %s |\n' "$k" "$(md "$v")"
	done
	echo
	echo "Mitigations (/sys/devices/system/cpu/vulnerabilities):"
	echo
	echo "| vulnerability | state |"
	echo "|---|---|"
	awk -F"$TAB" 'NR > 1 && $1 ~ /^vuln\./ { sub(/^vuln\./, "", $1); gsub(/\|/, "\\|", $2); printf "| %s | %s |\n", $1, $2 }' "$tmp/meta.tsv"
	echo
	echo "## Method"
	echo
	why=$(meta clock_source_why)
	echo "Time is read from $(meta clock_source)${why:+ ($why)}; the timer's own overhead ($(meta timer_overhead_ns) ns) is measured and subtracted."
	echo "Iterations per sample are calibrated so that one sample lasts long enough for that overhead to stay under 1% of it; after warm-up the runner takes the samples, and each summary row holds the median (p50) of all samples with a 95% confidence interval, the spread and the tail."
	echo "Samples are taken in $(meta rounds) rounds: every configuration is visited once per round, each time in a fresh process, in an order shuffled per round (seed $(meta seed))."
	if [ "$(meta rounds)" -gt 1 ] 2>/dev/null; then
		echo "**The CI in the tables is p50 · exp(± t(0.975, R−1) · sd(log round medians) / √R): it describes how much the median moved between rounds of this run on this host (fresh processes at shuffled times), not only the noise inside one short window, and says nothing about another host or kernel.**"
	else
		echo "**With one round, the CI in the tables is the order-statistics CI of the median of that one window's samples: it says nothing about the noise between windows, which is usually larger.**"
	fi
	echo "Each cell gives that point's own sample count n and its rounds; [n/a] is a CI the data cannot support (fewer than two rounds)."
	echo "Two-worker benchmarks run at every placement the topology offers, bound with hwloc and checked (sched_getcpu, zero migrations)."
	echo "Counters (kernel and user mode; mode $(meta counters_mode)) are read in a separate, shorter counting pass after the timed samples, so no open perf event adds its context-switch cost to a time."
	echo "They check results where they can: a COW write of N pages should take about N minor faults, a same-CPU ping-pong round trip about 2 context switches; a failed check is kept with validation=fail and listed below."
	echo "Figures draw the CSV's p50 and ci95_lo..ci95_hi as written; a configuration that did not run breaks its line and is marked, never interpolated."
	echo

	if has '^proc_create$'; then
		echo "## Process creation (proc_create)"
		echo
		echo "Cost of creating a process or thread, letting it run to exit and reaping it, per variant, and its growth with the parent's resident set: fork copies page tables (and marks pages COW) in proportion to RSS; vfork, clone_vm, threads and posix_spawn share the parent's mm and should stay flat. ns_per_mib is the fitted slope of ns_per_op against RSS."
		echo
		image proc_create_bars "process creation per variant"
		image proc_create_rss "process creation vs parent RSS"
		headline '^proc_create$' '^(ns_per_op|ns_to_child|ns_per_mib)$'
	fi
	if has '^mm_cow$'; then
		echo "## Copy-on-write and first touch (mm_cow)"
		echo
		echo "Cost per page written (ns_per_op: the op is one page) against the number of pages, and the minor faults per page that validate it: about 1 for 4 KiB COW and first touch, about 1/512 per page once transparent huge pages are in play."
		echo
		image mm_cow "COW cost per page vs pages"
		headline '^mm_cow$' '^(ns_per_op|minor_faults_per_op)$'
	fi
	if has '^sched_switch$'; then
		echo "## Context switch (sched_switch)"
		echo
		echo "Ping-pong round trips between two workers, per mechanism and placement: same-cpu forces a switch per hand-off; across CPUs each hand-off is a wake-up (an IPI, costly in a guest) and the cache lines move. The second figure adds a working set that each side touches per hand-off."
		echo
		image sched_switch_bars "context switch per variant and placement"
		image sched_switch_wss "context switch vs working set"
		headline '^sched_switch$' '^(ns_per_op|ns_per_switch|ns_per_wakeup)$'
	fi
	if has '^ctx_ring$'; then
		echo "## Context switch among N tasks (ctx_ring)"
		echo
		echo "lmbench's lat_ctx curve: a 1-byte token passed round a ring of N processes (proc_*) or N threads of one process (thread_*, the same pipes, so the difference is the address-space switch), each task touching its own working set (the variant's suffix) before it passes the token on. ns_per_op is one hop (total time / hops). The figure draws the hop less the hand-off overhead measured in the same process before the other tasks exist (a 1-byte pipe write + read and a warm touch of the working set, both in each row's note): ns_per_switch on same-cpu, where every hop is a context switch, and ns_per_wakeup on two CPUs, where the tasks alternate CPUs and every hop wakes the other one. As N grows the other tasks' working sets evict a task's own before its turn comes back: the rise is cache and TLB refill. invol_ctxsw_per_op counts the hops whose wake-up preempted the waker before it blocked (a second switch in that hop); each same-cpu row is validated at between 1 and 2 context switches per hop, every task counted."
		echo
		image ctx_ring "context switch among N tasks vs N"
		headline '^ctx_ring$' '^(ns_per_op|ns_per_switch|ns_per_wakeup|ctxsw_per_op|invol_ctxsw_per_op)$'
	fi
	if has '^mm_alloc$'; then
		echo "## Allocation (mm_alloc)"
		echo
		echo "Allocate + free against size: brk and mmap without touching cost a VMA operation, flat in size; touching or populating pays a fault (or a pre-fault) per page, linear in size; malloc switches from its heap to mmap above its threshold."
		echo
		image mm_alloc "allocation cost vs size"
		headline '^mm_alloc$' '^ns_per_op$'
	fi
	if has '^ipc_'; then
		echo "## IPC (ipc_*)"
		echo
		echo "Throughput against message size, one line per mechanism (bench/variant), one panel per placement; and the distribution of one-way latency. The latency CDF is of per-sample means (each sample averages its calibrated iterations), so it shows run-to-run spread, not single-message tails."
		echo
		image ipc_throughput "IPC throughput vs message size"
		image ipc_latency_cdf "IPC latency CDF"
		# ipc_tcp and ipc_udp: their rows are the next section's.
		headline '^ipc_(pipe|mq|shm|unix|eventfd)$' '^(bytes_per_s|ns_per_op)$'
	fi
	if has '^ipc_(tcp|udp)$'; then
		echo "## Loopback sockets (ipc_tcp, ipc_udp; ipc_unix for reference)"
		echo
		echo "TCP and UDP over 127.0.0.1, in a private network namespace of the configuration's own process (the note says when the host's loopback was used instead), ports chosen by the kernel, nothing left listening. *_lat is half a round trip of a 1-byte message for TCP (TCP_NODELAY) and UDP, 64 B for the Unix stream and datagram sockets beside them; connect is one TCP connection's life: socket, connect, the peer process's accept and abortive close (SO_LINGER 0, so no TIME_WAIT is left), close. TCP stream throughput is the IPC engine's (every byte checked by the receiver) against message size, with AF_UNIX stream and datagram for reference. On loopback the packets are processed in the sending CPU's softirq."
		echo
		image sock_lat "loopback sockets: one-way latency and connect"
		image sock_throughput "socket throughput vs message size"
		headline '^ipc_(tcp|udp)$' '^(bytes_per_s|ns_per_op)$'
	fi
	if has '^(syscall_entry|syscall_getppid|null)$'; then
		echo "## Kernel entry (syscall_entry, syscall_getppid, null)"
		echo
		echo "The floor under every other number: a bare system call, the same read through the vDSO (no kernel entry) and through the trap, and calls that do a little VFS work. null is the harness's own loop floor."
		echo
		image syscall_entry "kernel entry cost per variant"
		headline '^(syscall_entry|syscall_getppid|null)$' '^ns_per_op$'
	fi
	if has '^signal$'; then
		echo "## Signals (signal)"
		echo
		image signal "signal cost per variant and placement"
		headline '^signal$' '^ns_per_op$'
	fi
	if has '^sem$'; then
		echo "## Semaphores (sem)"
		echo
		image sem "semaphore cost per variant and placement"
		headline '^sem$' '^ns_per_op$'
	fi
	if has '^futex$'; then
		echo "## futex (futex)"
		echo
		echo "The kernel's wait queue under every lock: an uncontended futex-word mutex (no system call: validated by its own count of futex calls), FUTEX_WAKE with nobody waiting, one wake of N gathered sleepers and a requeue of N (against N, per placement), and a priority-inheritance lock handed between two threads (round trip)."
		echo
		image futex_bars "futex cost per unswept variant and placement"
		image futex "futex wake and requeue vs waiters"
		headline '^futex$' '^ns_per_op$'
	fi
	if has '^poll$'; then
		echo "## Event polling (poll)"
		echo
		echo "Write a byte into one of N pipes (*_tcp: N loopback TCP connections), learn which is ready, read it back: select and poll walk all N descriptors, epoll_wait returns the ready one, so the curves part with N. write_read is the floor without any wait; epoll_ctl is an ADD + DEL into a set of N."
		echo
		image poll "event polling latency vs descriptors"
		headline '^poll$' '^ns_per_op$'
	fi
	if has '^os_noise$'; then
		echo "## OS noise (os_noise)"
		echo
		echo "How much of a busy CPU the OS and the hypervisor take: the gaps a tight loop sees between consecutive clock reads. The second figure shows each sample window in time order; primbench keeps no per-gap record, so gap length against time is shown at the granularity of a sample window."
		echo
		image os_noise "OS noise profile"
		image os_noise_samples "OS noise per sample"
		headline '^os_noise$' '^(gap_.*_ns|stolen_pct|gaps_per_s)$'
	fi
	if has '^file_ops$'; then
		echo "## File operations (file_ops)"
		echo
		echo "The file system calls, each on two file systems named by the variant's suffix: @tmpfs is a private folder in /dev/shm, @outfs one on the file system that holds the results (each row's note names its type). open_close, stat, fstat and lseek work on one file (paths relative to the folder: one lookup, not a walk of --out's depth); create_unlink is lmbench's lat_fs, files of 0, 1, 4 and 10 KiB created one after the other and then unlinked (ns_create and ns_unlink split the operation); read and write copy through the page cache, validated by zero block input (blocks_in_per_op); fsync makes one 4 KiB write durable, a no-op on tmpfs and the disk's latency elsewhere. The folder is tracked by the runner's cleanup list and removed whatever ends the run."
		echo
		image file_ops_bars "file operations per call and file system"
		image file_ops_io "file read/write throughput vs size"
		headline '^file_ops$' '^(ns_per_op|bytes_per_s|ns_create|ns_unlink)$'
	fi
	if has '^file_mmap$'; then
		echo "## File-backed mappings (file_mmap)"
		echo
		echo "mmap + munmap of a file against its size (a sparse file on the file system of --out, untouched: no fault may happen), and a page fault on a file page already in the page cache against anonymous faults (a read maps the zero page; a write allocates and zeroes a page). A read fault on a file maps the cached pages around it too (fault-around), so setup counts the faults of one pass over every page and the timed passes touch one page per fault; the note gives the count, ns_per_op is per fault and ns_per_page per page mapped, and each fault variant is validated at one minor fault per touch."
		echo
		image file_mmap_faults "page fault: file page vs anonymous"
		headline '^file_mmap$' '^(ns_per_op|ns_per_page|minor_faults_per_op)$'
	fi
	others=$(awk -F"$TAB" 'NR > 1 && $1 !~ /^(proc_create|mm_cow|sched_switch|ctx_ring|mm_alloc|ipc_.*|syscall_entry|syscall_getppid|null|signal|sem|futex|poll|os_noise|file_ops|file_mmap)$/ && !s[$1]++ { printf "%s ", $1 }' "$tmp/summary.tsv")
	for b in $others; do
		echo "## $b"
		echo
		echo "(No figure is defined for this family; headline numbers only.)"
		echo
		headline "^$b\$" '^(ns_per_op|bytes_per_s)$'
	done

	for c in "$run"/compare.csv "$run"/compare-vs-*.csv; do
		[ -f "$c" ] || continue
		name=$(basename "$c" .csv)
		echo "## Comparison: $(basename "$c")"
		echo
		"$csvq" "$c" -t bench,variant,x,placement,metric,change_pct,ci95_lo_pct,ci95_hi_pct,verdict,note > "$tmp/cmp.tsv"
		awk -F"$TAB" 'NR > 1 { v[$9]++ } END { printf "Verdicts over all keys:"; for (k in v) printf " %s %d;", k, v[k]; print "" }' "$tmp/cmp.tsv" | sed 's/;$/./'
		echo
		image "$name" "comparison $name"
		awk -F"$TAB" '
			function num(v) { return v == "" ? "" : sprintf("%+.1f%%", v) }
			NR > 1 && ($9 == "slower" || $9 == "faster" || $9 == "undecided") {
				if (!n++) { print "| verdict | bench | variant | x | placement | metric | change | 95% CI | note |"; print "|---|---|---|---|---|---|---:|---|---|" }
				gsub(/\|/, "\\|", $10)
				printf "| %s | %s | %s | %s | %s | %s | %s | [%s, %s] | %s |\n", $9, $1, $2, $3, $4, $5, num($6), num($7), num($8), $10
			}
			END { if (n) print ""; else print "No key changed significantly past the threshold, and none was undecided.\n" }' "$tmp/cmp.tsv"
	done

	echo "## Caveats"
	echo
	awk -F"$TAB" '
		NR > 1 && $13 != "ok" {
			if (!n++) { print "Configurations that did not run (no figure point, no headline row):"; print ""; print "| bench | variant | x | placement | status | note |"; print "|---|---|---|---|---|---|" }
			gsub(/\|/, "\\|", $14)
			printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, ($3 == "" ? "" : $3 "=" $4), $5, $13, $14
		}
		END { if (n) print ""; else print "Every configuration ran (no skipped, failed or timed-out rows).\n" }' "$tmp/summary.tsv"
	awk -F"$TAB" '
		NR > 1 && $12 == "fail" && !seen[$1 SUBSEP $2 SUBSEP $4 SUBSEP $5]++ {
			if (!n++) { print "Failed validations (the numbers are kept and drawn with a red mark; treat them with suspicion):"; print ""; print "| bench | variant | x | placement | note |"; print "|---|---|---|---|---|" }
			gsub(/\|/, "\\|", $14)
			printf "| %s | %s | %s | %s | %s |\n", $1, $2, ($3 == "" ? "" : $3 "=" $4), $5, $14
		}
		END { if (n) print ""; else print "No validation failed.\n" }' "$tmp/summary.tsv"
	present=$(awk -F"$TAB" 'NR > 1 && !s[$5]++ { printf "%s%s", (n++ ? " " : ""), $5 }' "$tmp/summary.tsv")
	missing=""
	for p in same-cpu smt same-cache cross-cache cross-numa cross-package; do
		case " $present " in *" $p "*) ;; *) missing="$missing $p" ;; esac
	done
	echo "Placements in this run: ${present:-none}."
	[ -z "$missing" ] || echo "Placements this host does not offer (or this run did not use), so absent from every figure:$missing (topology: $(meta topology); smt=$(meta smt), numa_nodes=$(meta numa_nodes), packages=$(meta packages))."
	echo
	cu=$(meta counters_unavailable)
	[ -z "$cu" ] || [ "$cu" = none ] || { echo "Counters that did not open: $(md "$cu")."; echo; }
	expected="proc_create mm_cow sched_switch ctx_ring mm_alloc ipc_pipe ipc_mq ipc_shm ipc_unix ipc_eventfd syscall_entry signal sem futex poll os_noise file_ops file_mmap"
	expected="$expected ipc_tcp ipc_udp"
	absent=""
	for b in $expected; do has "^$b\$" || absent="$absent $b"; done
	[ -z "$absent" ] || { echo "Families with no rows in this run (no section, no figure):$absent."; echo; }
	case $(meta accel) in tcg*) echo "This run was under an emulator (accel=$(meta accel)): timings describe the emulator, not the hardware."; echo ;; esac
} > "$tmp/report.md"

if [ "$dest" = - ]; then
	cat "$tmp/report.md"
else
	cp "$tmp/report.md" "$dest.tmp.$$" && mv "$dest.tmp.$$" "$dest"
fi
