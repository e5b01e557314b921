# futex.gp - futex(2): wake of N waiters and requeue of N vs N, one panel
# per placement, one line per variant (log-log).  The unswept variants are
# in futex_bars.
W = 1300
H = 620
load plotdir."/_common.gp"
NP = words(placements)
set multiplot layout 1, NP title fig_title("futex: wake / requeue of N waiters vs N (log-log; points: median, bars: 95% CI)")
@LOG_COUNT_X
@LOG_TIME_Y
set xlabel "waiters asleep, N (log2 scale)"
set ylabel "ns_per_op = one FUTEX_WAKE / FUTEX_CMP_REQUEUE call (log scale)"
do for [p = 1:NP] {
	P = word(placements, p)
	set title "placement ".P
	PK = P
	in_panel(v) = strcol("placement") eq P ? v : NaN
	load plotdir."/_lines.gp"
}
unset multiplot
