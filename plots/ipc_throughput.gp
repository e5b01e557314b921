# ipc_throughput.gp - IPC throughput vs message size, log-log, one line per
# mechanism (bench/variant), one panel per placement.
W = 1300
H = 620
load plotdir."/_common.gp"
NP = words(placements)
# tp_title: another figure's title when it loads this script (sock_throughput.gp).
if (!exists("tp_title")) { tp_title = "IPC throughput vs message size" }
set multiplot layout 1, NP title fig_title(tp_title." (log-log; points: median, bars: 95% CI)")
@LOG_BYTES_X
set logscale y 10
set format y "%.0s %cB/s"
set xlabel "message size, msg_bytes (log2 scale)"
set ylabel "bytes_per_s (log scale; k = 10^3, M = 10^6, G = 10^9)"
set key left top
do for [p = 1:NP] {
	P = word(placements, p)
	set title "placement ".P
	PK = P
	in_panel(v) = strcol("placement") eq P ? v : NaN
	load plotdir."/_lines.gp"
}
unset multiplot
