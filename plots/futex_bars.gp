# futex_bars.gp - futex(2): the unswept variants per placement.
load plotdir."/_common.gp"
set title fig_title("futex: uncontended mutex, wake with no waiter, PI hand-off (bar: median, whisker: 95% CI)")
set ylabel "ns_per_op: median (".yunit.")"
set xlabel "variant (bench futex); colour: placement"
bar_ylog = 1
bar_ylo = 1
load plotdir."/_bars.gp"
