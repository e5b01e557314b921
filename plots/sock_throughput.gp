# sock_throughput.gp - TCP stream throughput over loopback vs message size,
# beside the Unix stream and datagram sockets; one line per mechanism
# (bench/variant), one panel per placement (log-log).
W = 1300
H = 620
load plotdir."/_common.gp"
NP = words(placements)
set multiplot layout 1, NP title fig_title("Socket throughput vs message size: TCP over 127.0.0.1 and AF_UNIX (log-log; points: median, bars: 95% CI)")
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
