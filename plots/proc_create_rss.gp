# proc_create_rss.gp - process creation cost vs the parent's resident set:
# one line per variant (fork's page-table copy grows with RSS; vfork, clone_vm
# and posix_spawn share the parent's mm and stay flat).  Left panel ns_per_op
# (create to reap), right panel ns_to_child (create until the child runs)
# when the run has it.  Both axes log.
W = 1300
H = 620
load plotdir."/_common.gp"
NM = words(metrics)
set multiplot layout 1, NM title fig_title("Process creation cost vs parent RSS (log-log; points: median, bars: 95% CI)")
@LOG_BYTES_X
@LOG_TIME_Y
set xlabel "parent resident set, rss_bytes (log2 scale)"
do for [m = 1:NM] {
	M = word(metrics, m)
	set title M.(M eq "ns_per_op" ? ": create + exit + reap" : (M eq "ns_to_child" ? ": create until the child runs" : ""))
	set ylabel M." (log scale)"
	PK = M
	in_panel(v) = strcol("metric") eq M ? v : NaN
	load plotdir."/_lines.gp"
}
unset multiplot
