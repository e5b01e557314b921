# mm_cow.gp - copy-on-write and first-touch fault cost per page vs the number
# of pages written, one line per variant.  Left: ns_per_op (the op is one
# page), log-log.  Right: minor faults per page, the check that a COW write
# of N pages took N faults (about 1/512 with transparent huge pages).
W = 1300
H = 620
load plotdir."/_common.gp"
NM = words(metrics)
set multiplot layout 1, NM title fig_title("Page faults: cost per page vs pages written (points: median, bars: 95% CI)")
@LOG_COUNT_X
set xlabel "pages written per op, pages (log2 scale)"
do for [m = 1:NM] {
	M = word(metrics, m)
	if (M eq "ns_per_op") {
		set title "ns per page (log-log)"
		set ylabel "ns_per_op = ns per page (log scale)"
		@LOG_TIME_Y
	} else {
		set title M." (log-log; 1 = one fault per page)"
		set ylabel M." = faults per page (log scale)"
		# Powers of 2 as tics (1/512 is a THP fault per 2 MiB), so that a
		# range within one decade still has labels.
		set logscale y 2
		set ytics ()
		do for [k = -12:8] { set ytics add (sprintf("%g", 2.0**k) 2.0**k) }
		if (exists("flo")) { set yrange [flo + 0 : fhi + 0] }
	}
	PK = M
	in_panel(v) = strcol("metric") eq M ? v : NaN
	load plotdir."/_lines.gp"
}
unset multiplot
