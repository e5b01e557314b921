# mm_alloc.gp - allocation cost vs size, brk vs mmap vs malloc, log-log.
# Left panel: variants that only map (the kernel reserves address space);
# right panel: variants that also write or pre-fault every page (named
# *touch* / *populate*; render.sh splits them by name).
W = 1300
H = 620
load plotdir."/_common.gp"
set multiplot layout 1, 2 title fig_title("Allocation: cost of one allocate + free vs size (log-log; points: median, bars: 95% CI)")
@LOG_BYTES_X
@LOG_TIME_Y
set xlabel "allocation size, size_bytes (log2 scale)"
set ylabel "ns_per_op = allocate + free (log scale)"
in_panel(v) = v
all_series = series
do for [k = 1:2] {
	series = (k == 1) ? untouched : touched
	set title (k == 1) ? "untouched: address space only" : "touched: every page written or populated"
	if (words(series) > 0) {
		load plotdir."/_lines.gp"
	} else {
		unset logscale
		set xrange [0:1]
		set yrange [0:1]
		unset xtics
		unset ytics
		set label 1 "no such variants in this run" at 0.5, 0.5 center
		plot NaN notitle
		unset label 1
	}
}
series = all_series
unset multiplot
