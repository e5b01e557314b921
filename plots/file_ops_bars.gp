# file_ops_bars.gp - file system calls: one bar group per call, one colour
# per file system (render.sh moves the variant's @tmpfs / @outfs suffix
# into the placement column), log y: lseek's nanoseconds and fsync's
# milliseconds on one axis.
W = 1100
load plotdir."/_common.gp"
set title fig_title("File operations: cost of one call per file system (log y; bar: median, whisker: 95% CI)".(xnote eq "" ? "" : " (".xnote.")"))
set ylabel "ns_per_op: median (log scale)"
set xlabel "call (bench file_ops; create_unlink: one create + one unlink); colour: file system (tmpfs = /dev/shm, outfs = the file system of --out)"
@LOG_TIME_Y
bar_ylog = 1
load plotdir."/_bars.gp"
