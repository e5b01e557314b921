#!/bin/sh
# matrix.sh RUN1 RUN2 [RUN...] [-o DIR] - the kernel-matrix report: several
# runs (kernels, hosts or configurations) side by side, against the first.
#
#   DIR/MATRIX.md        the runs, then per benchmark family a figure and a
#                        table of its headline keys in every run, then what
#                        `primbench compare RUN1 RUNi` called changed
#   DIR/plots/*.png,svg  one figure per family (plots/matrix.gp)
#   DIR/compare-N.csv    compare's CSV of RUN1 against run N
#
# A headline key is a configuration's ns_per_op at its smallest sweep point
# (the bar figures' choice), by bench/variant and placement; os_noise has
# none (its ns_per_op is a spin loop's, its metrics describe the host).  The figure
# draws, per key and run, the run's median relative to RUN1's median, with
# the run's own 95% CI scaled the same way: the bars say how much that run
# moved between its own rounds, the verdicts (compare, rounds as the unit)
# say whether a difference from RUN1 is real.  Nothing is recomputed: the
# numbers are the CSVs', the verdicts compare's.
#
# DIR must not exist (default ./matrix-<UTC time>); it is written under a
# temporary name and renamed when complete.  No run folder is changed.
# Environment: CSVQ as in render.sh; PRIMBENCH, the binary (default: the
# tree's ./primbench).  Exit 0, or 2 on bad usage or input.
set -eu

usage() { echo "usage: sh plots/matrix.sh RUN1 RUN2 [RUN...] [-o DIR]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
export LC_ALL=C
TAB=$(printf '\t')

dest="" runs="" n=0
while [ $# -gt 0 ]; do
	case $1 in
	-o) [ $# -ge 2 ] || usage; dest=$2; shift 2 ;;
	-*) echo "matrix.sh: unknown option '$1' (accepted: -o DIR)" >&2; exit 2 ;;
	*)
		r=${1%/}
		[ -f "$r/summary.csv" ] && [ -f "$r/meta.csv" ] ||
			{ echo "matrix.sh: $r: not a run folder (no summary.csv and meta.csv)" >&2; exit 2; }
		case $r in *"$TAB"*|*"
"*) echo "matrix.sh: $r: a tab or newline in a run path is not supported" >&2; exit 2 ;; esac
		runs="$runs$r$TAB" n=$((n + 1))
		shift
		;;
	esac
done
[ "$n" -ge 2 ] || { echo "matrix.sh: give at least two runs (the first is the reference)" >&2; exit 2; }
[ -n "$dest" ] || dest=matrix-$(date -u +%Y%m%dT%H%M%SZ)
dest=${dest%/}
[ ! -e "$dest" ] || { echo "matrix.sh: $dest exists; name a new folder with -o" >&2; exit 2; }
parent=$(dirname "$dest")
[ -d "$parent" ] && [ -w "$parent" ] || { echo "matrix.sh: $parent: not a writable folder" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/primbench-matrix.XXXXXX")
part=$(mktemp -d "$parent/.matrix.XXXXXX")
trap 'rm -rf "$tmp" "$part"' EXIT
trap 'exit 130' INT TERM
mkdir "$part/plots"

csvq=${CSVQ:-$top/build/csvq}
[ -x "$csvq" ] || { echo "matrix.sh: $csvq: no csvq (run make first, or set CSVQ)" >&2; exit 2; }
bin=${PRIMBENCH:-$top/primbench}
[ -x "$bin" ] || { echo "matrix.sh: $bin: no primbench binary (run make first, or set PRIMBENCH)" >&2; exit 2; }
gnuplot=${GNUPLOT:-gnuplot}

# --- the runs -------------------------------------------------------------------
# runs.tsv: index, folder, label (kernel release and host; "#i" added where
# two runs would read the same), run_id, cpu, rounds, complete.
i=0
printf '%s' "$runs" | tr '\t' '\n' | while IFS= read -r r; do
	i=$((i + 1))
	"$csvq" "$r/meta.csv" -t key,value | awk -F"$TAB" -v OFS="$TAB" -v i="$i" -v r="$r" '
		NR > 1 { m[$1] = $2 }
		END { print i, r, m["kernel_release"] " (" m["host"] ")", m["run_id"], m["cpu_model"] ", " m["cpu_count"] " CPUs", \
			(m["rounds"] == "" ? 1 : m["rounds"]), m["complete"] }'
done | awk -F"$TAB" -v OFS="$TAB" '{ c[$3]++; row[NR] = $0; lab[NR] = $3 }
	END { for (j = 1; j <= NR; j++) { split(row[j], a, "\t"); if (c[a[3]] > 1) a[3] = a[3] " #" j
		print a[1], a[2], a[3], a[4], a[5], a[6], a[7] } }' > "$tmp/runs.tsv"

# --- headline keys ------------------------------------------------------------------
# heads.tsv: run index, bench, key (variant@placement), p50, ci95_lo, ci95_hi,
# n, x - ns_per_op rows that ran, each configuration at its smallest x.
while IFS="$TAB" read -r i r _; do
	"$csvq" "$r/summary.csv" -t bench,variant,x,placement,metric,status,p50,ci95_lo,ci95_hi,n metric=ns_per_op status=ok |
		awk -F"$TAB" -v OFS="$TAB" -v i="$i" '
			NR == 1 || $1 == "os_noise" { next }
			{ k = $1 SUBSEP $2 SUBSEP $4
			  if (!(k in best) || ($3 != "" && $3 + 0 < x[k] + 0)) { best[k] = $0; x[k] = $3 }
			  if (!(k in seen)) { seen[k] = 1; order[++m] = k } }
			END { for (j = 1; j <= m; j++) { split(best[order[j]], a, "\t")
				print i, a[1], a[2] "@" a[4], a[7], a[8], a[9], a[10], a[3] } }'
done < "$tmp/runs.tsv" > "$tmp/heads.tsv"

# rel.tsv: bench, key, key index within its bench, run index, change of the
# median against RUN1's in percent, and the run's CI on the same scale.
# Only keys RUN1 has; a key another run lacks is a gap in that run's line.
awk -F"$TAB" -v OFS="$TAB" '
	$1 == 1 { base[$2 SUBSEP $3] = $4; if (!ki[$2 SUBSEP $3]) ki[$2 SUBSEP $3] = ++nk[$2] }
	{ row[NR] = $0 }
	END {
		for (j = 1; j <= NR; j++) {
			split(row[j], a, "\t"); k = a[2] SUBSEP a[3]
			if (!(k in base) || base[k] + 0 <= 0) continue
			lo = (a[5] == "") ? "" : 100 * (a[5] / base[k] - 1)
			hi = (a[6] == "") ? "" : 100 * (a[6] / base[k] - 1)
			print a[2], a[3], ki[k], a[1], 100 * (a[4] / base[k] - 1), lo, hi
		}
	}' "$tmp/heads.tsv" > "$tmp/rel.tsv"

# --- compare each run with the first -------------------------------------------------
run1=$(awk -F"$TAB" '$1 == 1 { print $2 }' "$tmp/runs.tsv")
while IFS="$TAB" read -r i r _; do
	[ "$i" -gt 1 ] || continue
	set +e
	"$bin" compare --out "$part/compare-$i.csv" "$run1" "$r" > "$tmp/compare-$i.txt" 2> "$tmp/compare-$i.err"
	echo $? > "$tmp/compare-$i.rc"
	set -e
	[ "$(cat "$tmp/compare-$i.rc")" -ne 2 ] ||
		{ echo "matrix.sh: compare $run1 $r: $(head -n 1 "$tmp/compare-$i.err")" >&2; exit 2; }
done < "$tmp/runs.tsv"

# --- figures -------------------------------------------------------------------------
labels=$(awk -F"$TAB" '{ printf "%s%s", (NR > 1 ? "\t" : ""), $3 }' "$tmp/runs.tsv")
caption="reference: run 1, $(awk -F"$TAB" '$1 == 1 { print $3 ", " $4 }' "$tmp/runs.tsv")"
gq() { printf '%s' "$1" | sed "s/'/''/g"; }
for b in $(cut -f 1 "$tmp/rel.tsv" | awk '!s[$0]++'); do
	awk -F"$TAB" -v OFS="$TAB" -v b="$b" 'BEGIN { print "key", "ki", "run", "rel", "lo", "hi" }
		$1 == b { print $2, $3, $4, $5, $6, $7 }' "$tmp/rel.tsv" > "$tmp/fig-$b.tsv"
	keys=$(awk -F"$TAB" 'NR > 1 && !s[$2]++ { printf "%s ", $1 }' "$tmp/fig-$b.tsv")
	for t in png svg; do
		"$gnuplot" -e "term='$t'" -e "plotdir='$(gq "$here")'" -e "data='$(gq "$tmp/fig-$b.tsv")'" \
			-e "out='$(gq "$part/plots/matrix_$b")'" -e "bench='$b'" -e "keys='$(gq "$keys")'" \
			-e "runlabels='$(gq "$labels")'" -e "nruns=$n" -e "caption='$(gq "$caption")'" \
			"$here/matrix.gp" > "$tmp/gp.log" 2>&1 ||
			{ cat "$tmp/gp.log" >&2; echo "matrix.sh: figure of $b failed" >&2; exit 2; }
	done
done

# --- MATRIX.md -----------------------------------------------------------------------
status_word() {
	case $1 in
	0) echo "pass (no gated key slower)" ;;
	1) echo "a gated key slower" ;;
	3) echo "inconclusive" ;;
	*) echo "exit $1" ;;
	esac
}
{
	echo "# primbench matrix: $n runs against run 1"
	echo
	echo "| run | label | run_id | CPU | rounds | complete |"
	echo "|---|---|---|---|---|---|"
	awk -F"$TAB" '{ gsub(/\|/, "\\|"); printf "| %s | %s | %s | %s | %s | %s |\n", $1, $3, $4, $5, $6, $7 }' "$tmp/runs.tsv"
	echo
	echo "A headline key is a configuration's ns_per_op at its smallest sweep point."
	echo "**Each figure shows, per key and run, the run's median relative to run 1's median (0% = the same; + = slower), with that run's own 95% CI on the same scale: the bars are the run's variation between its own rounds; whether a difference from run 1 is real is compare's verdict, which judges rounds (see harness/compare.c).**"
	echo
	echo "## What compare called changed against run 1"
	echo
	echo "| run | gate | gated slower | faster | same | undecided | n/a | gone | geomean (> 1 = slower) |"
	echo "|---|---|---|---|---|---|---|---|---|"
	while IFS="$TAB" read -r i _ label _; do
		[ "$i" -gt 1 ] || continue
		rc=$(cat "$tmp/compare-$i.rc")
		geo=$(grep -m 1 -o 'Geomean over the tested gated keys (> 1 = slower): [^,]*' "$tmp/compare-$i.txt" | sed 's/.*: //' || true)
		"$csvq" "$part/compare-$i.csv" -t gated,verdict | awk -F"$TAB" -v i="$i" -v l="$label" -v g="$(status_word "$rc")" -v geo="${geo:--}" '
			NR > 1 && $1 == "1" { c[$2]++ }
			END { gsub(/\|/, "\\|", l)
				printf "| %s %s | %s | %d | %d | %d | %d | %d | %d | %s |\n", i, l, g, c["slower"], c["faster"], c["same"], c["undecided"], c["n/a"], c["gone"], geo }'
	done < "$tmp/runs.tsv"
	echo
	for b in $(cut -f 1 "$tmp/rel.tsv" | awk '!s[$0]++'); do
		echo "## $b"
		echo
		printf '![%s across the runs](plots/matrix_%s.png)\n\n' "$b" "$b"
		# One row per key: each run's p50 [95% CI] and, for runs 2.., compare's verdict.
		for f in "$part"/compare-*.csv; do
			j=${f##*/compare-}; j=${j%.csv}
			"$csvq" "$f" -t bench,variant,x,placement,metric,verdict,change_pct bench="$b" metric=ns_per_op |
				awk -F"$TAB" -v OFS="$TAB" -v j="$j" 'NR > 1 { print j, $2 "@" $4, $3, $6, $7 }'
		done > "$tmp/verdicts-$b.tsv"
		awk -F"$TAB" -v b="$b" -v n="$n" -v labels="$labels" '
			function t(v) { return v >= 1e6 ? sprintf("%.4g ms", v / 1e6) : (v >= 1e4 ? sprintf("%.4g µs", v / 1e3) : sprintf("%.4g ns", v)) }
			FILENAME ~ /verdicts/ { v[$1 SUBSEP $2 SUBSEP $3] = $4 (($5 == "") ? "" : sprintf(" %+.1f%%", $5)); next }
			$2 == b { k = $3; if (!(k in seen)) { seen[k] = 1; order[++m] = k }
				cell[k SUBSEP $1] = t($4) " " (($5 == "" || $6 == "") ? "[n/a]" : "[" t($5) ", " t($6) "]")
				hx[k SUBSEP $1] = $8 }
			END {
				split(labels, L, "\t")
				printf "| key (variant@placement) |"; for (i = 1; i <= n; i++) printf " %d %s |", i, L[i]; print ""
				printf "|---|"; for (i = 1; i <= n; i++) printf "---|"; print ""
				for (j = 1; j <= m; j++) {
					k = order[j]; printf "| %s |", k
					for (i = 1; i <= n; i++) {
						c = (k SUBSEP i) in cell ? cell[k SUBSEP i] : "-"
						q = i SUBSEP k SUBSEP hx[k SUBSEP i]
						if (i > 1 && (q in v)) c = c " (" v[q] ")"
						printf " %s |", c
					}
					print ""
				}
				print ""
			}' "$tmp/verdicts-$b.tsv" "$tmp/heads.tsv"
	done
} > "$part/MATRIX.md"

mv "$part" "$dest"
trap 'rm -rf "$tmp"' EXIT
echo "matrix.sh: $dest/MATRIX.md ($n runs)" >&2
