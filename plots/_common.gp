# _common.gp - loaded by every figure script; not a figure itself.
#
# The figure scripts read a tab-separated selection that plots/render.sh made
# from summary.csv/samples.csv with build/csvq (gnuplot 5.4 mis-splits quoted
# CSV fields with doubled quotes, so it never reads the CSV directly).  Every
# column is selected by its header name.  Variables set by render.sh:
#   data        the selection (header line, then rows sorted by series, placement, x)
#   out         output path without extension
#   term        "png" or "svg"
#   caption     host, kernel, CPU and run id, for the title
#   series      word list: one line/bar group per word, matched against column "series"
#   placements  word list of the placements present in the selection
#   nfail       rows with validation=fail in the selection (0: no marker in the key)
#   nbad        rows whose status is not ok (0: no "skipped" label in the key)
# A figure may set W and H (pixels) before loading this file.
#
# Nothing here computes a statistic: values are drawn as the CSV holds them;
# the only arithmetic is positioning (bar offsets) and unit scaling for axes.

if (!exists("W")) W = 1000
if (!exists("H")) H = 600
if (term eq "svg") {
	set terminal svg size W, H dynamic noenhanced font "sans,11" background "white"
	set output out.".svg"
} else {
	set terminal pngcairo size W, H noenhanced font "sans,10" background "white"
	set output out.".png"
}
set datafile separator "\t"
set encoding utf8
set grid back lc rgb "#dddddd"
set key left top noopaque samplen 2 spacing 1.1 font ",9"
set border 3
set tics nomirror out

# A palette that stays distinct in grey print: colour, dash and point type
# all change from one series to the next.
set linetype 1 lc rgb "#1f77b4" lw 2 pt 7 ps 0.9 dt 1
set linetype 2 lc rgb "#d62728" lw 2 pt 5 ps 0.9 dt 1
set linetype 3 lc rgb "#2ca02c" lw 2 pt 9 ps 1.0 dt 1
set linetype 4 lc rgb "#9467bd" lw 2 pt 11 ps 1.0 dt 1
set linetype 5 lc rgb "#ff7f0e" lw 2 pt 13 ps 1.0 dt 1
set linetype 6 lc rgb "#8c564b" lw 2 pt 6 ps 0.9 dt 2
set linetype 7 lc rgb "#e377c2" lw 2 pt 4 ps 0.9 dt 2
set linetype 8 lc rgb "#7f7f7f" lw 2 pt 8 ps 1.0 dt 2
set linetype 9 lc rgb "#bcbd22" lw 2 pt 10 ps 1.0 dt 2
set linetype 10 lc rgb "#17becf" lw 2 pt 12 ps 1.0 dt 2
set linetype 11 lc rgb "#393b79" lw 2 pt 1 ps 1.0 dt 3
set linetype 12 lc rgb "#637939" lw 2 pt 2 ps 1.0 dt 3
set linetype 13 lc rgb "#000000" lw 2 pt 3 ps 1.0 dt 3
set linetype 14 lc rgb "#b15928" lw 2 pt 14 ps 1.0 dt 4
set linetype 15 lc rgb "#6a3d9a" lw 2 pt 15 ps 1.0 dt 4
set linetype 16 lc rgb "#33a02c" lw 2 pt 3 ps 1.0 dt 5
set linetype cycle 16

# Row predicates.  ok(): a value only from a row that ran; anything else is
# undefined, which breaks a line instead of joining across the hole.
ok(v) = strcol("status") eq "ok" ? v : NaN
in_series(i) = strcol("series") eq word(series, i)
in_place(p) = strcol("placement") eq word(placements, p)
is_fail(v) = strcol("validation") eq "fail" ? v : NaN
not_ok(v) = strcol("status") ne "ok" ? v : NaN
# The line type of a series or placement by name: render.sh's series_lt and
# place_lt (" name=type ...") give each name the same type in every figure;
# a name they lack (a figure that renamed its series) falls back to FALLBACK.
if (!exists("series_lt")) { series_lt = "" }
if (!exists("place_lt")) { place_lt = "" }
lt_in(map, s, fallback) = strstrt(map, " ".s."=") == 0 ? fallback : \
	int(substr(map, strstrt(map, " ".s."=") + strlen(s) + 2, strstrt(map, " ".s."=") + strlen(s) + 3) + 0)
slt(i) = lt_in(series_lt, word(series, i), i)
plt(p) = lt_in(place_lt, word(placements, p), p)
# Position of word s in list l (1-based; 0 if absent), for bar positions.
word_index(s, l, i) = i > words(l) ? 0 : (word(l, i) eq s ? i : word_index(s, l, i + 1))

# Title: the figure's own line, then the host line every figure carries.
fig_title(t) = t."\n".caption

# Axis helpers.  Byte counts are shown with binary prefixes; "log" is said
# in the axis label wherever a scale is logarithmic.
MiB = 1048576.0
bytes_label(v) = v >= 1073741824 ? sprintf("%g GiB", v / 1073741824) : \
	(v >= MiB ? sprintf("%g MiB", v / MiB) : \
	(v >= 1024 ? sprintf("%g KiB", v / 1024) : sprintf("%g B", v)))
ns_label(v) = v >= 1e9 ? sprintf("%g s", v / 1e9) : (v >= 1e6 ? sprintf("%g ms", v / 1e6) : \
	(v >= 1e3 ? sprintf("%g µs", v / 1e3) : sprintf("%g ns", v)))
# @LOG_BYTES_X: log2 x axis of byte counts, a labelled tic every factor of 4.
LOG_BYTES_X = "set logscale x 2; set xtics (); do for [k = 0:42:2] { set xtics add (bytes_label(2.0**k) 2.0**k) }"
# @LOG_COUNT_X: log2 x axis of plain counts, a labelled tic every factor of 4.
LOG_COUNT_X = "set logscale x 2; set xtics (); do for [k = 0:40:2] { set xtics add (sprintf('%g', 2.0**k) 2.0**k) }"
# @LOG_TIME_Y / @LOG_TIME_X: log10 axis of nanoseconds, tics at 1-2-5 with ns/µs/ms/s labels.
LOG_TIME_Y = "set logscale y 10; set ytics (); set mytics 10; do for [k = -1:10] { set ytics add (ns_label(10.0**k) 10.0**k, ns_label(2 * 10.0**k) 2 * 10.0**k, ns_label(5 * 10.0**k) 5 * 10.0**k) }"
LOG_TIME_X = "set logscale x 10; set xtics (); set mxtics 10; do for [k = -1:10] { set xtics add (ns_label(10.0**k) 10.0**k, ns_label(2 * 10.0**k) 2 * 10.0**k, ns_label(5 * 10.0**k) 5 * 10.0**k) }"
# A value as a label: 3 significant digits, but never 1.2e+03.
num_label(v) = abs(v) >= 1000 ? sprintf("%.0f", v) : sprintf("%.3g", v)
