# ipc_latency_cdf.gp - IPC latency distribution: the empirical CDF of the
# samples in samples.csv, one line per mechanism, one panel per placement.
# Each sample is the mean over one sample's calibrated iterations, so this
# is the distribution of per-sample means (run-to-run spread), not of single
# messages: tails of individual messages are averaged away.
W = 1300
H = 620
load plotdir."/_common.gp"
NP = words(placements)
NS = words(series)
set multiplot layout 1, NP title fig_title("IPC one-way latency: CDF of samples (each sample = mean over its iterations)")
@LOG_TIME_X
set xlabel "ns_per_op = one-way latency, per sample (log scale)"
set ylabel "fraction of samples <= x"
set yrange [0 : 1.02]
set ytics 0.25
set key below center horizontal Left reverse samplen 2 maxcols 4
# Room under the axis for its label and a key of three rows.
set bmargin 8
do for [p = 1:NP] {
	P = word(placements, p)
	set title "placement ".P
	plot for [i = 1:NS] data using (strcol("placement") eq P && in_series(i) ? column("value") : NaN):(1) \
		smooth cnormal with steps lt slt(i) title (strstrt(have, " ".word(series, i)."@".P." ") > 0 ? word(series, i) : "")
}
unset multiplot
