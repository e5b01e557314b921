# signal.gp - signal delivery: cost per variant and placement.
load plotdir."/_common.gp"
set title fig_title("Signals: cost per variant and placement (bar: median, whisker: 95% CI)".(xnote eq "" ? "" : " (".xnote.")"))
set ylabel "ns_per_op: median (".yunit.")"
set xlabel "variant (bench signal); colour: placement"
load plotdir."/_bars.gp"
