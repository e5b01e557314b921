# sched_switch_bars.gp - context switch: ping-pong round trip per variant,
# one bar per placement (same-cpu forces a switch per hand-off; other
# placements add a wake-up IPI), at the smallest working set.
load plotdir."/_common.gp"
set title fig_title("Context switch: one round trip per variant and placement at ".xnote." (bar: median, whisker: 95% CI)")
set ylabel "ns_per_op = one round trip: median (".yunit.")"
set xlabel "variant (bench sched_switch); colour: placement"
load plotdir."/_bars.gp"
