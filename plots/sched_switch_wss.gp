# sched_switch_wss.gp - context switch round trip vs the working set each
# side touches per hand-off, one panel per placement, one line per variant.
# Working set 0 cannot sit on a log axis; it is in sched_switch_bars.
W = 1300
H = 620
load plotdir."/_common.gp"
NP = words(placements)
set multiplot layout 1, NP title fig_title("Context switch round trip vs working set (log-log; points: median, bars: 95% CI; wss 0 in the bar chart)")
@LOG_BYTES_X
@LOG_TIME_Y
set xlabel "working set touched per hand-off, wss_bytes (log2 scale)"
set ylabel "ns_per_op = one round trip (log scale)"
do for [p = 1:NP] {
	P = word(placements, p)
	set title "placement ".P
	PK = P
	in_panel(v) = strcol("placement") eq P ? v : NaN
	load plotdir."/_lines.gp"
}
unset multiplot
