# os_noise.gp - the OS noise profile: each summary metric of bench os_noise
# (gap percentiles, largest gap, share of time stolen, gaps per second) in its
# own panel, one bar per variant (and CPU, when it sweeps cpu) and placement.  Bars are the CSV's medians
# over samples with their 95% CI; the per-sample values in time order are in
# os_noise_samples.  CPUs that did not run (a cpu sweep past the host's CPU
# count) are left out here and listed in the report.
NM = words(metrics)
W = 200 + 280 * NM
H = 600
load plotdir."/_common.gp"
set multiplot layout 1, NM title fig_title("OS noise profile per variant and CPU (bars: median over samples, whiskers: 95% CI)")
do for [m = 1:NM] {
	M = word(metrics, m)
	yscale = (M[strlen(M) - 2:] eq "_ns") ? "0.001" : "1"
	# gap_max_ns is each sample's longest gap; its bar is the median of those
	# per-window maxima, so the largest gap of the whole run (the CSV's max
	# over samples) is marked beside it.
	if (M eq "gap_max_ns") {
		set title "gap_max_ns (log): bar = median of the\nper-sample maxima, ◆ = largest gap of the run"
		bar_ylog = 1
		bar_ylo = 1
		bar_extra = ', for [p = 1:NP] data using (xpos(p)):(in_place(p) ? ok(column("max")) * YS : NaN) with points pt 13 ps 1.6 lc rgb "black" notitle, for [p = 1:NP] data using (xpos(p)):(in_place(p) ? ok(column("max")) * YS : NaN):(num_label(column("max") * YS)) with labels offset 2.5, 0 font ",8" notitle'
	} else {
		set title M
		bar_ylog = 0
		bar_extra = ""
	}
	set ylabel M.((M[strlen(M) - 2:] eq "_ns") ? ", in µs" : ((M[strlen(M) - 3:] eq "_pct") ? ", % of time" : ""))
	in_place(p) = strcol("placement") eq word(placements, p) && strcol("metric") eq M
	load plotdir."/_bars.gp"
}
unset multiplot
