#!/bin/sh
# render.sh RUN - draw the figures of one run into RUN/plots/ (PNG and SVG).
#
# For each figure this script selects the rows it needs from RUN/summary.csv
# (or samples.csv, or a compare CSV) with build/csvq, primbench's own RFC 4180
# reader, into a tab-separated file with a header line, sorted by series,
# placement and x; then gnuplot draws it with plots/<figure>.gp.  gnuplot
# never reads the CSVs itself: 5.4 mis-splits quoted fields with doubled
# quotes, which the `note` column may hold.  Selecting, sorting and choosing
# axis units happen here; no statistic is computed (every number drawn is
# one the CSV holds).
#
# A figure whose selection has no row that ran is not drawn; a family absent
# from the run therefore gives no figure and no error.  Figures are rendered
# concurrently with GNU parallel, one job per CPU.
#
# Environment: CSVQ (default build/csvq; built into a temporary folder from
# tests/tools/csvq.c if missing), GNUPLOT (default gnuplot).
# Exit: 0 drawn (possibly nothing), 1 a figure failed to render, 2 bad usage.
set -eu

usage() { echo "usage: sh plots/render.sh results/<run>" >&2; exit 2; }
[ $# -eq 1 ] || usage
run=${1%/}
[ -f "$run/summary.csv" ] || { echo "render.sh: $run/summary.csv: no such file" >&2; exit 2; }
[ -f "$run/meta.csv" ] || { echo "render.sh: $run/meta.csv: no such file" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
gnuplot=${GNUPLOT:-gnuplot}
command -v "$gnuplot" >/dev/null || { echo "render.sh: gnuplot not found (make deps installs gnuplot-nox)" >&2; exit 2; }
command -v parallel >/dev/null || { echo "render.sh: GNU parallel not found (make deps installs it)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/primbench-plots.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
TAB=$(printf '\t')
export LC_ALL=C

me=render.sh
. "$here/_csvq.sh"

out=$run/plots
mkdir -p "$out"

# --- the host line every title carries -------------------------------------
meta() { "$csvq" "$run/meta.csv" value key="$1" | head -n 1; }
caption="host $(meta host) | Linux $(meta kernel_release) | $(meta cpu_model), $(meta cpu_count) CPUs | run $(meta run_id)"
[ "$(meta complete)" = true ] || caption="$caption | INCOMPLETE RUN"

# --- selections ----------------------------------------------------------------
cols=bench,variant,sweep,x,placement,metric,unit,n,p50,ci95_lo,ci95_hi,validation,status,max
"$csvq" "$run/summary.csv" -t "$cols" > "$tmp/summary.tsv"

# sel NAME MODE ROWS METRICS: rows of summary.tsv where the awk expression
# ROWS holds and either METRICS holds or the row did not run (f("col") reads
# a column by name; a configuration that did not run has a single ns_per_op
# row, whatever metrics it would have had) into $tmp/NAME.tsv with a leading
# column "series" (MODE v: the variant; bv: bench/variant; vx: the variant
# and its sweep value, "spin:cpu=1", for one bar each), sorted by series,
# placement, x.  Records the series and placements in first-seen (run) order.
sel() {
	awk -F"$TAB" -v OFS="$TAB" -v mode="$2" '
		function f(n) { return $(c[n]) }
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print "series", $0; next }
		('"$3"') && (('"$4"') || f("status") != "ok") {
			s = (mode == "bv") ? f("bench") "/" f("variant") : f("variant")
			if (mode == "vx" && f("sweep") != "") s = s ":" f("sweep") "=" f("x")
			print s, $0
		}
	' "$tmp/summary.tsv" > "$tmp/$1.raw"
	sort_sel "$1"
}

# sort_sel NAME: $tmp/NAME.raw -> $tmp/NAME.tsv (header first, then by
# series, placement, metric, x ascending, so that each line's points are
# contiguous); series and placement lists in run order.  A configuration
# that did not run has one row (metric ns_per_op, see harness/output.c); it
# is repeated under every metric of the selection, because it is a hole in
# each of them, and each line must break there.
sort_sel() {
	awk -F"$TAB" -v OFS="$TAB" '
		NR == FNR { if (FNR == 1) { for (i = 1; i <= NF; i++) c[$i] = i }
			else if ($c["status"] == "ok" && !($7 in m)) { m[$7] = 1; ms[++nm] = $7 }
			next }
		FNR == 1 { next }
		$c["status"] == "ok" || nm == 0 { print; next }
		{ for (j = 1; j <= nm; j++) { $7 = ms[j]; print } }
	' "$tmp/$1.raw" "$tmp/$1.raw" > "$tmp/$1.body"
	{ head -n 1 "$tmp/$1.raw"; sort -t "$TAB" -s -k1,1 -k6,6 -k7,7 -k5,5g "$tmp/$1.body"; } > "$tmp/$1.tsv"
	series=$(tail -n +2 "$tmp/$1.raw" | awk -F"$TAB" '!s[$1]++ { printf "%s ", $1 }')
	placements=$(tail -n +2 "$tmp/$1.raw" | awk -F"$TAB" '!s[$6]++ { printf "%s ", $6 }')
}

# keep_min_x NAME: keep only each (series, placement)'s smallest x (all rows
# when x is empty), for bar charts of swept families.
keep_min_x() {
	awk -F"$TAB" 'NR == FNR { if (FNR > 1) { k = $1 SUBSEP $6; if (!(k in m) || ($5 != "" && $5 + 0 < m[k] + 0)) m[k] = $5 } next }
		FNR == 1 || $5 == m[$1 SUBSEP $6]' "$tmp/$1.tsv" "$tmp/$1.tsv" > "$tmp/$1.min"
	mv "$tmp/$1.min" "$tmp/$1.tsv"
}

# drop_not_ok NAME: remove the rows that did not run, and series left empty.
drop_not_ok() {
	awk -F"$TAB" 'function f(n) { return $(c[n]) }
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
		f("status") == "ok"' "$tmp/$1.tsv" > "$tmp/$1.ok"
	mv "$tmp/$1.ok" "$tmp/$1.tsv"
	cp "$tmp/$1.tsv" "$tmp/$1.raw"
	series=$(tail -n +2 "$tmp/$1.raw" | awk -F"$TAB" '!s[$1]++ { printf "%s ", $1 }')
	placements=$(tail -n +2 "$tmp/$1.raw" | awk -F"$TAB" '!s[$6]++ { printf "%s ", $6 }')
}

# count NAME COND: rows of $tmp/NAME.tsv where COND holds (f() as in sel).
count() {
	awk -F"$TAB" 'function f(n) { return $(c[n]) }
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		'"($2)"' { k++ } END { print k + 0 }' "$tmp/$1.tsv"
}

# words_of NAME COL COND: distinct values of COL where COND holds, run order.
words_of() {
	awk -F"$TAB" 'function f(n) { return $(c[n]) }
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		('"$3"') && !s[f("'"$2"'")]++ { printf "%s ", f("'"$2"'") }' "$tmp/$1.raw"
}

# human_x NAME: the distinct x of a bar selection, for the subtitle
# ("rss_bytes = 4 MiB"); byte sweeps get binary units.
human_x() {
	awk -F"$TAB" 'NR > 1 && $5 != "" && !s[$4 "=" $5]++ {
		v = $5 + 0; t = $5
		if ($4 ~ /_bytes$/) {
			if (v >= 1073741824) t = sprintf("%g GiB", v / 1073741824)
			else if (v >= 1048576) t = sprintf("%g MiB", v / 1048576)
			else if (v >= 1024) t = sprintf("%g KiB", v / 1024)
			else t = sprintf("%g B", v)
		}
		printf "%s%s = %s", (n++ ? ", " : ""), $4, t }' "$tmp/$1.tsv"
}

# time_unit NAME: scale and unit for a linear time axis (largest p50 that ran).
time_unit() {
	awk -F"$TAB" 'NR > 1 && $14 == "ok" && $10 + 0 > m { m = $10 + 0 }
		END { if (m >= 1e6) print "0.000001 ms"; else if (m >= 1e4) print "0.001 µs"; else print "1 ns" }' "$tmp/$1.tsv"
}

# xr NAME: xlo=/xhi= for a log x axis, a factor 1.5 beyond the smallest and
# largest positive x of the selection, so that no point sits on the frame.
xr() {
	awk -F"$TAB" 'NR > 1 && $5 != "" && $5 + 0 > 0 { v = $5 + 0; if (!n++ || v < lo) lo = v; if (v > hi) hi = v }
		END { if (n) printf "xlo:=%.17g xhi:=%.17g\n", lo / 1.5, hi * 1.5 }' "$tmp/$1.tsv"
}

gq() { printf '%s' "$1" | sed "s/'/''/g"; }

# colours KIND WORD...: "name=type ..." - a fixed gnuplot line type (colour,
# dash, point) per name, so that a placement or an IPC mechanism has one
# colour in every figure.  KIND place: the placements of DESIGN.md in a fixed
# order; KIND series: the IPC mechanisms (a latency variant, *_lat, is drawn
# as its mechanism); any other name takes the lowest type that no name of
# the same figure holds, in run order.
colours() {
	kind=$1
	shift
	[ $# -gt 0 ] || return 0
	printf '%s\n' "$@" | awk -v kind="$kind" '
		BEGIN {
			if (kind == "place")
				n = split("single same-cpu smt same-cache cross-cache cross-numa cross-package unpinned", t, " ")
			else
				n = split("ipc_pipe/pipe ipc_pipe/pipe_big ipc_mq/posix ipc_mq/sysv ipc_shm/posix ipc_shm/sysv ipc_unix/stream ipc_eventfd" \
					" ipc_unix/dgram ipc_tcp/stream ipc_udp/dgram ipc_tcp/connect", t, " ")
			for (i = 1; i <= n; i++) fixed[t[i]] = i
		}
		{ k = $0; sub(/_lat$/, "", k); sub(/^ipc_eventfd\/.*/, "ipc_eventfd", k)
		  name[NR] = $0; key[NR] = k; if (k in fixed) used[fixed[k]] = 1 }
		END {
			lt = 1
			for (i = 1; i <= NR; i++) {
				if (key[i] in fixed) v = fixed[key[i]]
				else { while (lt in used) lt++; v = lt; used[lt] = 1 }
				printf "%s=%d ", name[i], v
			}
		}'
}

# fig NAME SCRIPT [VAR=VALUE | VAR:=NUMBER ...]: queue NAME for drawing with plots/SCRIPT.gp
# when its selection $tmp/NAME.tsv has a row that ran.
figs=""
fig() {
	name=$1 script=$2
	shift 2
	if [ "$(count "$name" 'f("status") == "ok"')" -eq 0 ]; then
		echo "render.sh: $name: no data in this run, not drawn" >&2
		return 0
	fi
	{
		echo "plotdir = '$(gq "$here")'"
		echo "data = '$(gq "$tmp/$name.tsv")'"
		echo "out = '$(gq "$out/$name")'"
		echo "caption = '$(gq "$caption")'"
		echo "series = '$(gq "$series")'"
		echo "placements = '$(gq "$placements")'"
		echo "series_lt = ' $(gq "$(colours series $series)")'"
		echo "place_lt = ' $(gq "$(colours place $placements)")'"
		echo "nfail = $(count "$name" 'f("validation") == "fail"')"
		echo "nbad = $(count "$name" 'f("status") != "ok"')"
		# " series@metric series@placement ... ": which series have data in
		# which panel, so that a panel's key lists only what it draws.
		echo "have = ' $(awk -F"$TAB" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$(c["status"]) == "ok" {
				if (!s[$1 "@" $7]++) printf "%s@%s ", $1, $7
				if (!s[$1 "@" $6]++) printf "%s@%s ", $1, $6
			}' "$tmp/$name.tsv")'"
		# NAME=VALUE is a string; NAME:=VALUE a number, written bare
		# (gnuplot's string-to-number conversion rejects "1e-05").
		for kv in "$@"; do
			case $kv in
			*:=*) echo "${kv%%:=*} = ${kv#*:=}" ;;
			*) echo "${kv%%=*} = '$(gq "${kv#*=}")'" ;;
			esac
		done
	} > "$tmp/$name.vars"
	figs="$figs $name:$script"
}

# relabel NAME HOW: put another grouping in the series and placement
# columns of $tmp/NAME.tsv, for bar figures whose colours are not CPU
# placements, and re-sort.  HOW fs: a variant "op@fs" becomes series "op"
# and placement "fs" (file_ops: one colour per file system); HOW metric:
# the placement becomes the metric (one colour per metric).
relabel() {
	awk -F"$TAB" -v OFS="$TAB" -v how="$2" 'NR == 1 { print; next }
		how == "fs" { i = index($1, "@"); if (i) { $6 = substr($1, i + 1); $1 = substr($1, 1, i - 1) } }
		how == "metric" { $6 = $7 }
		{ print }' "$tmp/$1.tsv" > "$tmp/$1.raw"
	{ head -n 1 "$tmp/$1.raw"; tail -n +2 "$tmp/$1.raw" | sort -t "$TAB" -s -k1,1 -k6,6 -k7,7 -k5,5g; } > "$tmp/$1.tsv"
	series=$(tail -n +2 "$tmp/$1.raw" | awk -F"$TAB" '!s[$1]++ { printf "%s ", $1 }')
	placements=$(tail -n +2 "$tmp/$1.raw" | awk -F"$TAB" '!s[$6]++ { printf "%s ", $6 }')
}

# ylo NAME: half the smallest p50 that ran, the floor of a log bar axis.
ylo() {
	awk -F"$TAB" 'NR > 1 && $14 == "ok" && $10 + 0 > 0 && (!n++ || $10 + 0 < m) { m = $10 + 0 }
		END { printf "%.17g\n", n ? m / 2 : 1 }' "$tmp/$1.tsv"
}

# --- the figures -------------------------------------------------------------

# Process creation: bars at the smallest parent RSS; cost vs RSS.
sel proc_create_bars v 'f("bench") == "proc_create"' 'f("metric") == "ns_per_op"'
keep_min_x proc_create_bars
set -- $(time_unit proc_create_bars)
fig proc_create_bars proc_create_bars yscale:="$1" yunit="$2" xnote="$(human_x proc_create_bars)"

sel proc_create_rss v 'f("bench") == "proc_create" && f("x") != ""' 'f("metric") == "ns_per_op" || f("metric") == "ns_to_child"'
fig proc_create_rss proc_create_rss $(xr proc_create_rss) metrics="$(words_of proc_create_rss metric 1)"

# COW: ns per page and faults per page vs pages.
sel mm_cow v 'f("bench") == "mm_cow" && f("x") != ""' 'f("metric") == "ns_per_op" || f("metric") == "minor_faults_per_op"'
# The faults panel's y range: a factor 2 around its values, so that a line
# at exactly 1 fault per page does not lie on the frame.
fr=$(awk -F"$TAB" 'NR > 1 && $7 == "minor_faults_per_op" && $14 == "ok" && $10 + 0 > 0 {
	v = $10 + 0; if (!n++ || v < lo) lo = v; if (v > hi) hi = v }
	END { if (n) printf "flo:=%.17g fhi:=%.17g\n", lo / 2, hi * 2 }' "$tmp/mm_cow.tsv")
fig mm_cow mm_cow $(xr mm_cow) $fr metrics="$(words_of mm_cow metric 1)"

# Context switch: variant x placement bars at the smallest working set; cost vs working set.
sel sched_switch_bars v 'f("bench") == "sched_switch"' 'f("metric") == "ns_per_op"'
keep_min_x sched_switch_bars
set -- $(time_unit sched_switch_bars)
fig sched_switch_bars sched_switch_bars yscale:="$1" yunit="$2" xnote="$(human_x sched_switch_bars)"

# wss 0 has no place on a log axis; it is the bar chart's point.
sel sched_switch_wss v 'f("bench") == "sched_switch" && f("x") != "" && f("x") + 0 > 0' 'f("metric") == "ns_per_op"'
fig sched_switch_wss sched_switch_wss $(xr sched_switch_wss)

# Context switch among N tasks: the per-hop cost after the hand-off
# overhead against N, one line per variant (ring kind and working set),
# one panel per placement (the derived metric is named per placement).
sel ctx_ring v 'f("bench") == "ctx_ring" && f("x") != ""' 'f("metric") ~ /^ns_per_(switch|wakeup|handoff)$/'
fig ctx_ring ctx_ring $(xr ctx_ring)

# Allocation: untouched and touched variants in two panels, split by name
# (a variant that writes its memory says so: *touch*, *populate*).
sel mm_alloc v 'f("bench") == "mm_alloc" && f("x") != ""' 'f("metric") == "ns_per_op"'
fig mm_alloc mm_alloc $(xr mm_alloc) \
	touched="$(words_of mm_alloc variant 'f("variant") ~ /touch|populate/')" \
	untouched="$(words_of mm_alloc variant 'f("variant") !~ /touch|populate/')"

# IPC throughput: one line per mechanism (bench/variant), one panel per placement.
sel ipc_throughput bv 'f("bench") ~ /^ipc_/ && f("x") != "" && f("variant") !~ /lat/' 'f("metric") == "bytes_per_s"'
fig ipc_throughput ipc_throughput $(xr ipc_throughput)

# IPC latency: samples of the latency variants (named *lat*, or unswept
# ns_per_op rows), at their smallest x if swept.
sel ipc_lat_keys bv 'f("bench") ~ /^ipc_/ && (f("variant") ~ /lat/ || f("sweep") == "") && f("variant") != "connect"' 'f("metric") == "ns_per_op"'
keep_min_x ipc_lat_keys
if [ "$(count ipc_lat_keys 'f("status") == "ok"')" -gt 0 ] && [ -f "$run/samples.csv" ]; then
	"$csvq" "$run/samples.csv" -t bench,variant,sweep,x,placement,metric,sample,value metric=ns_per_op |
		awk -F"$TAB" -v OFS="$TAB" '
			NR == FNR { if (FNR > 1 && $14 == "ok") k[$2 SUBSEP $3 SUBSEP $5 SUBSEP $6] = $1; next }
			FNR == 1 { print "series", $0, "status", "validation"; next }
			($1 SUBSEP $2 SUBSEP $4 SUBSEP $5) in k { print k[$1 SUBSEP $2 SUBSEP $4 SUBSEP $5], $0, "ok", "n/a" }
		' "$tmp/ipc_lat_keys.tsv" - > "$tmp/ipc_latency_cdf.raw"
	sort_sel ipc_latency_cdf
	fig ipc_latency_cdf ipc_latency_cdf
fi

# Loopback sockets: the round trips' one-way latency and TCP connect per
# placement (log y); TCP stream throughput vs size beside AF_UNIX's.  Drawn
# only when TCP or UDP ran: AF_UNIX alone is the IPC figures' already.
sel sock_lat bv 'f("bench") ~ /^ipc_(tcp|udp|unix)$/ && (f("variant") ~ /_lat$/ || f("variant") == "connect")' 'f("metric") == "ns_per_op"'
if [ "$(count sock_lat 'f("bench") ~ /^ipc_(tcp|udp)$/ && f("status") == "ok"')" -gt 0 ]; then
	fig sock_lat sock_lat bar_ylo:="$(ylo sock_lat)"
fi
sel sock_throughput bv 'f("bench") ~ /^ipc_(tcp|unix)$/ && f("x") != "" && f("variant") ~ /^(stream|dgram)$/' 'f("metric") == "bytes_per_s"'
if [ "$(count sock_throughput 'f("bench") == "ipc_tcp" && f("status") == "ok"')" -gt 0 ]; then
	fig sock_throughput sock_throughput $(xr sock_throughput)
fi

# File operations: one bar group per call (create_unlink at its smallest
# file), one colour per file system (the variant's @suffix), log y: the
# calls span lseek's ns to fsync's ms.  Read/write throughput vs size.
sel file_ops_bars v 'f("bench") == "file_ops" && f("variant") !~ /^(read|write)@/' 'f("metric") == "ns_per_op"'
keep_min_x file_ops_bars
relabel file_ops_bars fs
fig file_ops_bars file_ops_bars bar_ylo:="$(ylo file_ops_bars)" xnote="$(human_x file_ops_bars)"

sel file_ops_io v 'f("bench") == "file_ops" && f("variant") ~ /^(read|write)@/' 'f("metric") == "bytes_per_s"'
fig file_ops_io file_ops_io $(xr file_ops_io)

# Page faults: file page (page-cache hit) against anonymous, per fault
# (ns_per_op: one touch, one fault) and per page mapped (ns_per_page).
sel file_mmap_faults v 'f("bench") == "file_mmap" && f("variant") ~ /^fault_/' 'f("metric") == "ns_per_op" || f("metric") == "ns_per_page"'
relabel file_mmap_faults metric
set -- $(time_unit file_mmap_faults)
fig file_mmap_faults file_mmap_faults yscale:="$1" yunit="$2"

# Kernel entry, signals, semaphores: bars per variant x placement.
sel syscall_entry v 'f("bench") == "syscall_entry" || f("bench") == "syscall_getppid"' 'f("metric") == "ns_per_op"'
keep_min_x syscall_entry
set -- $(time_unit syscall_entry)
fig syscall_entry syscall_entry yscale:="$1" yunit="$2"

sel signal v 'f("bench") == "signal"' 'f("metric") == "ns_per_op"'
keep_min_x signal
set -- $(time_unit signal)
fig signal signal yscale:="$1" yunit="$2" xnote="$(human_x signal)"

sel sem v 'f("bench") == "sem"' 'f("metric") == "ns_per_op"'
keep_min_x sem
set -- $(time_unit sem)
fig sem sem yscale:="$1" yunit="$2" xnote="$(human_x sem)"

# futex: bars of the unswept variants (log y: 10 ns to 100 µs); wake_n
# and cmp_requeue against N, one panel per placement.
sel futex_bars v 'f("bench") == "futex" && f("sweep") == ""' 'f("metric") == "ns_per_op"'
fig futex_bars futex_bars yscale:=1 yunit=ns
sel futex v 'f("bench") == "futex" && f("x") != ""' 'f("metric") == "ns_per_op"'
fig futex futex $(xr futex)

# Event polling: latency vs descriptors watched, one line per mechanism.
sel poll v 'f("bench") == "poll" && f("x") != ""' 'f("metric") == "ns_per_op"'
fig poll poll $(xr poll)

# OS noise: its summary metrics, and each sample in time order.
# Counter metrics and ns_per_op (*_per_op) are left to the report.
# os_noise sweeps the CPU it runs on: one bar per variant and CPU.
sel os_noise vx 'f("bench") == "os_noise"' 'f("metric") !~ /_per_op$/ && f("metric") != "host_probe_ns"'
# A CPU that did not run is one the host lacks (cpu sweeps past cpu_count):
# it would only crowd the axis; the report's caveats list it.
drop_not_ok os_noise
fig os_noise os_noise metrics="$(words_of os_noise metric 'f("status") == "ok"')"

if [ -f "$run/samples.csv" ] && [ "$(count os_noise 'f("status") == "ok"')" -gt 0 ]; then
	"$csvq" "$run/samples.csv" -t bench,variant,sweep,x,placement,metric,sample,value bench=os_noise |
		awk -F"$TAB" -v OFS="$TAB" 'NR == 1 { print "series", $0, "status", "validation"; next }
			$6 ~ /_ns$|_pct$/ && $6 != "host_probe_ns" { print $2 ($3 == "" ? "" : ":" $3 "=" $4), $0, "ok", "n/a" }' > "$tmp/os_noise_samples.raw"
	{ head -n 1 "$tmp/os_noise_samples.raw"; tail -n +2 "$tmp/os_noise_samples.raw" | sort -t "$TAB" -s -k1,1 -k6,6 -k7,7 -k8,8n; } > "$tmp/os_noise_samples.tsv"
	series=$(tail -n +2 "$tmp/os_noise_samples.raw" | awk -F"$TAB" '!s[$1]++ { printf "%s ", $1 }')
	placements=$(tail -n +2 "$tmp/os_noise_samples.raw" | awk -F"$TAB" '!s[$6]++ { printf "%s ", $6 }')
	fig os_noise_samples os_noise_samples metrics="$(words_of os_noise_samples metric 1)"
fi

# Comparisons: every compare CSV put in the run folder (compare writes one
# only where --out says).  Only the gated keys (one per configuration:
# ns_per_op, so + is always slower); a schema-1 compare.csv, which has no
# "gated" column, gives its ns_per_op rows.
for c in "$run"/compare.csv "$run"/compare-vs-*.csv; do
	[ -f "$c" ] || continue
	name=$(basename "$c" .csv)
	gcol=gated
	head -n 1 "$c" | grep -q '[,]gated$' || gcol=metric
	"$csvq" "$c" -t bench,variant,x,placement,metric,unit,change_pct,ci95_lo_pct,ci95_hi_pct,verdict,$gcol |
		awk -F"$TAB" -v OFS="$TAB" 'NR == 1 { print "series", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "status", "validation", "row"; next }
			$11 == "1" || $11 == "ns_per_op" {
				print $1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ($7 == "" ? "none" : "ok"), "n/a", ++n
			}' > "$tmp/$name.tsv"
	[ "$(wc -l < "$tmp/$name.tsv")" -gt 1 ] || continue
	# A row label says which key it is: bench/variant, x, placement, metric.
	awk -F"$TAB" -v OFS="$TAB" 'NR == 1 { print $0, "label"; next }
		{ print $0, $2 "/" $3 ($4 == "" ? "" : " x=" $4) " " $5 " " $6 }' \
		"$tmp/$name.tsv" > "$tmp/$name.lab"
	mv "$tmp/$name.lab" "$tmp/$name.tsv"
	series="" placements=""
	rows=$(($(wc -l < "$tmp/$name.tsv") - 1))
	# The axis: wide enough for the CIs, at least +-10% and at most +-50%,
	# so that a +-20% change never collapses onto zero next to one wild
	# key; values beyond the edge are drawn at it and labelled.
	span=$(awk -F"$TAB" 'NR > 1 { for (i = 8; i <= 10; i++) if ($i != "") { v = $i < 0 ? -$i : $i; if (v > m) m = v } }
		END { m = m < 10 ? 10 : m > 50 ? 50 : m; printf "%.0f", m * 1.1 }' "$tmp/$name.tsv")
	# nfail/nbad mean nothing here; the figure colours by verdict.
	fig "$name" compare rows:="$rows" span:="$span" base="$(basename "$c")"
done

# --- draw ------------------------------------------------------------------------
# Remove figures of an earlier render, so that a figure whose data is gone
# does not linger.
for f in "$out"/*.png "$out"/*.svg; do
	b=$(basename "$f"); b=${b%.*}
	case $b in compare*) rm -f "$f" ;; *) [ ! -f "$here/$b.gp" ] || rm -f "$f" ;; esac
done
[ -n "$figs" ] || { echo "render.sh: nothing to draw in $run" >&2; exit 0; }
for f in $figs; do
	for t in png svg; do
		printf '%s\t%s\t%s\n' "${f%%:*}" "${f#*:}" "$t"
	done
done > "$tmp/jobs"
export GNUPLOT_CMD="$gnuplot" PLOT_TMP="$tmp" PLOT_DIR="$here"
# One job per CPU, each a gnuplot process drawing one figure in one format.
if ! parallel --will-cite -j "$(nproc)" --colsep "$TAB" \
	'"$GNUPLOT_CMD" -e "term='"'"'{3}'"'"'" "$PLOT_TMP/{1}.vars" "$PLOT_DIR/{2}.gp" > "$PLOT_TMP/{1}.{3}.log" 2>&1 || { cat "$PLOT_TMP/{1}.{3}.log" >&2; exit 1; }' \
	< "$tmp/jobs"; then
	echo "render.sh: some figures failed to render (gnuplot's messages above)" >&2
	exit 1
fi
n=$(wc -l < "$tmp/jobs")
echo "render.sh: $((n / 2)) figures (PNG + SVG) in $out" >&2
