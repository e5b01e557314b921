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
	set title M
	set ylabel M.((M[strlen(M) - 2:] eq "_ns") ? ", in µs" : ((M[strlen(M) - 3:] eq "_pct") ? ", % of time" : ""))
	in_place(p) = strcol("placement") eq word(placements, p) && strcol("metric") eq M
	load plotdir."/_bars.gp"
}
unset multiplot
