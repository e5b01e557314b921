# compare.gp - a comparison (a compare CSV of `primbench compare`): one row
# per gated key (time and throughput metrics), the change of the median,
# candidate vs base, in percent with the 95% bootstrap CI that compare wrote.
# Colour is compare's verdict: red slower (worse), green faster (better),
# grey same.  Keys without a change (skipped, new, gone, n/a) say so in text.
# For *_per_s metrics a positive change is better, for the others worse.
H = 160 + 18 * (rows + 0)
W = 1100
load plotdir."/_common.gp"
# The title goes on the canvas (a multiplot title), not over the plot area,
# which the long key labels push to the right.
set multiplot layout 1, 1 title fig_title("Comparison ".base.": change of the median, candidate (this run) vs base (bars: 95% CI)")
set xlabel "change_pct: 100 * (cand p50 / base p50 - 1), %   (for *_per_s, + is better; otherwise + is worse)"
set ylabel ""
set yrange [rows + 0.7 : 0.3]
set ytics () font ",8" nomirror
set xtics auto
set grid xtics noytics
set key outside top center horizontal
set border 1
set lmargin at screen 0.42
v(s) = strcol("verdict") eq s ? column("change_pct") : NaN
set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "black" lw 1 back
plot data using (v("slower")):(column("row")):(column("ci95_lo_pct")):(column("ci95_hi_pct")):ytic(strcol("label")) \
		with xerrorbars pt 7 ps 1 lc rgb "#c0392b" lw 1.5 title "slower (worse)", \
	data using (v("faster")):(column("row")):(column("ci95_lo_pct")):(column("ci95_hi_pct")) \
		with xerrorbars pt 7 ps 1 lc rgb "#1e8449" lw 1.5 title "faster (better)", \
	data using (v("same")):(column("row")):(column("ci95_lo_pct")):(column("ci95_hi_pct")) \
		with xerrorbars pt 6 ps 1 lc rgb "#7f7f7f" lw 1.2 title "same (no significant change past the threshold)", \
	data using (strcol("status") ne "ok" ? 0 : NaN):(column("row")):(strcol("verdict")) \
		with labels left offset 0.5, 0 font ",8" tc rgb "#555555" notitle
unset multiplot
