# matrix.gp - one family across several runs (plots/matrix.sh): per headline
# key, each run's median relative to run 1's median in percent (+ = slower),
# with that run's own 95% CI on the same scale; one colour per run.
# Variables from matrix.sh: data (key, ki, run, rel, lo, hi), out, term,
# bench, keys (word list, in ki order), runlabels (tab-separated), nruns,
# caption.
NK = words(keys)
W = 300 + 46 * NK * (nruns > 3 ? 1.5 : 1)
W = W < 900 ? 900 : W
H = 620
load plotdir."/_common.gp"
set title fig_title(bench.": median relative to run 1 per headline key (+ = slower; bars: each run's 95% CI)")
set datafile separator "\t"
set xrange [0.4 : NK + 0.6]
set xtics () rotate by -30 left nomirror font ",8"
do for [i = 1:NK] { set xtics add (word(keys, i) i) }
set ylabel "change of the median against run 1, %"
set format y "%+g%%"
# At least +-10%, so that small changes do not fill the axis.
stats data using (column("lo")) nooutput
ymin = STATS_min
stats data using (column("hi")) nooutput
ymax = STATS_max
ymin = ymin > -10 ? -10 : ymin
ymax = ymax < 10 ? 10 : ymax
set yrange [ymin * 1.1 : ymax * 1.1]
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb "black" lw 1 back
set key below center horizontal
OW = 0.7 / nruns
xoff(r) = (r - (nruns + 1) / 2.0) * OW
label_of(r) = r <= 0 ? "" : system("printf '%s' '".runlabels."' | cut -f ".r)
plot for [r = 1:nruns] data using (column("ki") + xoff(r)):(column("run") == r ? column("rel") : NaN):(column("lo")):(column("hi")) \
	with yerrorbars lt r pt 7 ps 0.9 lw 1.2 title sprintf("%d %s", r, label_of(r))
