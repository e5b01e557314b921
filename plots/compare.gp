# compare.gp - a comparison (a compare CSV of `primbench compare --out`): one
# row per gated key (ns_per_op, one per configuration), the change of the
# candidate against the base in percent with the 95% CI that compare wrote
# (Welch t on the log round medians).  + is slower (worse) on every row.
# Colour is compare's verdict: red slower, green faster, grey same, orange
# undecided (the runs could not have seen a change past the threshold).
# Keys without a change (skipped, new, gone, n/a) say so in text.  The axis
# is +-span (render.sh: the CIs' extent, 10 to 50%); a value beyond it is
# drawn at the edge with its number.
H = 160 + 18 * (rows + 0)
W = 1100
load plotdir."/_common.gp"
# The title goes on the canvas (a multiplot title), not over the plot area,
# which the long key labels push to the right.
set multiplot layout 1, 1 title fig_title("Comparison ".base.": change of ns_per_op, candidate vs base (bars: 95% CI over rounds)")
set xlabel "change, %   (+ = slower = worse;  - = faster = better)"
set ylabel ""
set xrange [-span : span]
set yrange [rows + 0.7 : 0.3]
set ytics () font ",8" nomirror
set xtics auto
set grid xtics noytics
set key outside top center horizontal
set border 1
set lmargin at screen 0.42
clip(v) = v > span ? span : v < -span ? -span : v
v(s) = strcol("verdict") eq s ? clip(column("change_pct")) : NaN
lo(s) = strcol("verdict") eq s ? clip(column("ci95_lo_pct")) : NaN
hi(s) = strcol("verdict") eq s ? clip(column("ci95_hi_pct")) : NaN
off(x) = (x ne "" && abs(real(x)) > span) ? sprintf("%+.0f%%", real(x)) : ""
set arrow 1 from 0, graph 0 to 0, graph 1 nohead lc rgb "black" lw 1 back
plot data using (v("slower")):(column("row")):(lo("slower")):(hi("slower")):ytic(strcol("label")) \
		with xerrorbars pt 7 ps 1 lc rgb "#c0392b" lw 1.5 title "slower (worse)", \
	data using (v("faster")):(column("row")):(lo("faster")):(hi("faster")) \
		with xerrorbars pt 7 ps 1 lc rgb "#1e8449" lw 1.5 title "faster (better)", \
	data using (v("same")):(column("row")):(lo("same")):(hi("same")) \
		with xerrorbars pt 6 ps 1 lc rgb "#7f7f7f" lw 1.2 title "same", \
	data using (v("undecided")):(column("row")):(lo("undecided")):(hi("undecided")) \
		with xerrorbars pt 4 ps 1 lc rgb "#d68910" lw 1.2 title "undecided (noise hides the threshold)", \
	data using (strcol("change_pct") ne "" && abs(column("change_pct")) > span ? clip(column("change_pct")) : NaN):(column("row")):(off(strcol("change_pct"))) \
		with labels offset 0, 0.7 font ",8" tc rgb "#333333" notitle, \
	data using (strcol("status") ne "ok" ? 0 : NaN):(column("row")):(strcol("verdict")) \
		with labels left offset 0.5, 0 font ",8" tc rgb "#555555" notitle
unset multiplot
