# syscall_entry.gp - kernel entry: cost of one call per variant (getppid is
# the bare entry + exit floor; the vDSO variant never enters the kernel).
load plotdir."/_common.gp"
set title fig_title("Kernel entry: cost of one call per variant (bar: median, whisker: 95% CI)")
set ylabel "ns_per_op: median (".yunit.")"
set xlabel "variant (benches syscall_entry, syscall_getppid)"
load plotdir."/_bars.gp"
