# os_noise_samples.gp - OS noise over time, as far as the data goes: every
# sample of each gap metric (*_ns) and time-share metric (*_pct) of bench
# os_noise, in the order taken (sample index = time).  A sample covers a
# window of many gaps, so this is the noise of each window, not the length
# of each gap against time (primbench keeps no per-gap record).
NM = words(metrics)
W = 1300
H = 300 + 120 * NM
load plotdir."/_common.gp"
NS = words(series)
NP = words(placements)
set multiplot layout NM, 1 title fig_title("OS noise per sample, in the order taken (one point per sample window)")
set xlabel "sample index (time order)"
set key outside right top vertical Left reverse samplen 2
do for [m = 1:NM] {
	M = word(metrics, m)
	if (M[strlen(M) - 2:] eq "_ns") {
		@LOG_TIME_Y
		set ylabel M." (log scale)"
	} else {
		unset logscale y
		set ytics auto
		set format y "%g"
		set ylabel M
	}
	set title M
	plot for [i = 1:NS] for [p = 1:NP] data using (column("sample")):(strcol("metric") eq M && in_series(i) && in_place(p) ? column("value") : NaN) \
		with linespoints lt ((i - 1) * NP + p) title word(series, i)." ".word(placements, p)
}
unset multiplot
