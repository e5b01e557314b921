# file_ops_io.gp - pread / pwrite through the page cache: throughput vs
# size, log-log, one line per variant (call @ file system).
W = 1000
H = 620
load plotdir."/_common.gp"
set title fig_title("File read/write through the page cache: throughput vs size (log-log; points: median, bars: 95% CI)")
@LOG_BYTES_X
set logscale y 10
set format y "%.0s %cB/s"
set xlabel "bytes per call, size_bytes (log2 scale)"
set ylabel "bytes_per_s (log scale; k = 10^3, M = 10^6, G = 10^9)"
in_panel(v) = v
load plotdir."/_lines.gp"
