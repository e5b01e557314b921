# proc_create_bars.gp - process creation: one bar per variant, median cost
# of one create + run to exit + reap (ns_per_op) with its 95% CI, at the
# smallest parent RSS of the sweep (render.sh keeps only those rows).
load plotdir."/_common.gp"
set title fig_title("Process creation: cost per variant at ".xnote." (bar: median, whisker: 95% CI)")
set ylabel "ns_per_op: median (".yunit.")"
set xlabel "variant (bench proc_create)"
load plotdir."/_bars.gp"
