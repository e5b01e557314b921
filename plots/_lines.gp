# _lines.gp - one panel of lines, one per word of `series`, with 95% CI bars;
# loaded by line figures after _common.gp, their axis set-up, and a
# definition of in_panel(v) (v for a row of this panel, NaN otherwise).
# Not a figure.
#
# y is the CSV's p50 and the error bar spans ci95_lo..ci95_hi.  A row that
# did not run is undefined, so the line breaks there rather than joining the
# points either side (`with linespoints` breaks at an undefined point;
# `yerrorlines` would not, hence lines and bars are drawn separately); its x
# is marked with a cross on the bottom edge in the series' colour.  Rows
# whose validation failed get a red ring.  A series has the same colour in
# every figure (slt, _common.gp).

NS = words(series)
# A series is in this panel's key only if it has a point here (PK, set by
# the figure, names the panel's metric or placement; `have` comes from
# render.sh).
in_key(i) = !exists("PK") || strstrt(have, " ".word(series, i)."@".PK." ") > 0
if (exists("xlo")) { set xrange [xlo + 0 : xhi + 0] }
set key below center horizontal Left reverse samplen 2 maxcols 4
set xtics norotate
set y2range [0 : 1]
unset y2tics
# Every column of a point is undefined outside its series and panel, or
# autoscaling would stretch to the error bars of rows not drawn here.
line_v(i, c) = in_panel(in_series(i) ? ok(column(c)) : NaN)
# A row of one of this panel's series (a figure may split its series over
# panels, as mm_alloc does): only those get a validation ring here.
panel_series(v) = strstrt(" ".series." ", " ".strcol("series")." ") > 0 ? v : NaN
# A panel with no point that ran (every row of its placement or metric was
# skipped, failed or timed out: sched_switch/proc_yield runs only same-cpu)
# says "did not run" over the crosses of its rows.  Autoscaling y over no
# point is an error in gnuplot that would lose the whole figure, so y gets a
# fixed range with its tic labels hidden (the numbers would mean nothing),
# both put back for the next panel.
if (exists("PK") && strstrt(have, "@".PK." ") == 0) {
	set yrange [1 : 10]
	set ytics textcolor bgnd
	set label 99 "did not run (see the rows' notes)" at graph 0.5, 0.5 center front
	plot for [i = 1:NS] data using (column("x")):(in_panel(in_series(i) ? not_ok(0.03) : NaN)) axes x1y2 \
		with points pt 2 ps 1.6 lw 2 lt slt(i) title (i == 1 ? "did not run" : "")
	unset label 99
	set ytics textcolor default
	set yrange [*:*]
} else {
	plot for [i = 1:NS] data using (column("x")):(line_v(i, "p50")):(line_v(i, "ci95_lo")):(line_v(i, "ci95_hi")) \
			with yerrorbars lt slt(i) lw 1 notitle, \
		for [i = 1:NS] data using (column("x")):(line_v(i, "p50")) \
			with linespoints lt slt(i) title (in_key(i) ? word(series, i) : ""), \
		data using (column("x")):(in_panel(panel_series(is_fail(column("p50"))))) with points pt 6 ps 2.4 lw 1.5 lc rgb "red" notitle, \
		for [i = 1:NS] data using (column("x")):(in_panel(in_series(i) ? not_ok(0.03) : NaN)) axes x1y2 \
			with points pt 2 ps 1.6 lw 2 lt slt(i) notitle, \
		keyentry with points pt 6 ps 1.6 lw 1.5 lc rgb "red" title (nfail > 0 ? "validation failed" : ""), \
		keyentry with points pt 2 ps 1.4 lw 2 lc rgb "black" title (nbad > 0 ? "did not run" : "")
}
