# ctx_ring.gp - context switch among N tasks (lmbench lat_ctx): the cost
# per hop after the hand-off overhead, against the tasks in the ring, one
# panel per placement, one line per variant (process or thread ring and
# its working set).  y is ns_per_switch on same-cpu (every hop a switch),
# ns_per_wakeup on two CPUs (every hop a wake-up on the other CPU),
# ns_per_handoff unpinned: ns_per_op - (pipe write+read + warm touch),
# the subtraction the rows' notes give.
W = 1300
H = 620
load plotdir."/_common.gp"
NP = words(placements)
set multiplot layout 1, NP title fig_title("Context switch among N tasks: a token round a ring (log-log; points: median, bars: 95% CI)")
# Every power of two labelled: the sweep is 2, 4, ..., 64.
set logscale x 2
set xtics ()
do for [k = 0:10] { set xtics add (sprintf('%g', 2.0**k) 2.0**k) }
@LOG_TIME_Y
set xlabel "tasks in the ring, N (log2 scale)"
set ylabel "one hop - hand-off overhead (log scale)"
# The metric a panel draws, by placement (bench/ctx_ring.c's names).
per_metric(P) = P eq "same-cpu" ? "ns_per_switch" : (P eq "unpinned" ? "ns_per_handoff" : "ns_per_wakeup")
do for [p = 1:NP] {
	P = word(placements, p)
	set title "placement ".P.": ".per_metric(P)
	PK = P
	in_panel(v) = strcol("placement") eq P ? v : NaN
	load plotdir."/_lines.gp"
}
unset multiplot
