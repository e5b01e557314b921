# _bars.gp - grouped bars with 95% CI whiskers; loaded by bar figures after
# _common.gp and after they set their title and labels.  Not a figure.
#
# One group per word of `series` (x axis), one bar per placement (colour).
# Bar height is the CSV's p50, the whisker spans ci95_lo..ci95_hi, the label
# above is p50 as written (3 significant digits, whole numbers from 1000).  The whisker is drawn as a
# vector from ci95_lo to ci95_hi (yerrorbars would punch a hole at p50).  A row that did not run
# (status skipped/failed/timeout) gets no bar but its status written on the
# axis; a row whose validation failed is hatched red and named in the key.
# Colours follow the placement (plt, _common.gp), the same in every figure.
# The y axis starts at 0, so bar heights compare honestly (unless bar_ylog).

# yscale (a string from render.sh) turns ns into the axis unit.  bar_extra,
# when a figure sets it, is one more plot element (", ..."), drawn last.
if (!exists("bar_extra")) { bar_extra = "" }
YS = exists("yscale") ? yscale + 0 : 1
NP = words(placements)
NS = words(series)
BW = 0.8 / NP
xpos(p) = word_index(strcol("series"), series, 1) + (p - (NP + 1) / 2.0) * BW
set boxwidth BW absolute
set xrange [0.4 : NS + 0.6]
# bar_ylog (a figure may set it, with bar_ylo): a log y axis from bar_ylo,
# for a panel whose marks span decades; bars then start at bar_ylo.
if (exists("bar_ylog") && bar_ylog) {
	set logscale y 10
	set yrange [bar_ylo : *]
} else {
	unset logscale y
	set yrange [0 : *]
}
set offsets 0, 0, graph 0.12, 0
set xtics () rotate by -25 left nomirror
do for [i = 1:NS] { set xtics add (word(series, i) i) }
set key left top horizontal
set style fill solid 0.55 border -1

plot for [p = 1:NP] data using (xpos(p)):(in_place(p) ? ok(column("p50")) * YS : NaN) \
		with boxes lt plt(p) title word(placements, p), \
	for [p = 1:NP] data using (xpos(p)):(in_place(p) ? ok(column("ci95_lo")) * YS : NaN):(0):((column("ci95_hi") - column("ci95_lo")) * YS) \
		with vectors heads size screen 0.006, 90 lc rgb "black" lw 1.2 dt solid notitle, \
	for [p = 1:NP] data using (xpos(p)):(in_place(p) ? ok(column("ci95_hi")) * YS : NaN):(num_label(column("p50") * YS)) \
		with labels offset 0, 0.7 font ",8" notitle, \
	for [p = 1:NP] data using (xpos(p)):(in_place(p) ? is_fail(column("p50")) * YS : NaN) \
		with boxes fs pattern 4 transparent border lc rgb "red" lc rgb "red" \
		title (nfail > 0 && p == 1 ? "validation failed" : ""), \
	for [p = 1:NP] data using (xpos(p)):(in_place(p) ? not_ok(0) : NaN):(strcol("status")) \
		with labels rotate by 90 left offset 0, 0.3 font ",8" tc rgb "#aa0000" notitle @bar_extra
