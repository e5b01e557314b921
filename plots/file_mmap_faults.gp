# file_mmap_faults.gp - a page fault on a file page in the page cache
# against anonymous faults: one bar group per variant, one colour per
# metric (render.sh puts the metric in the placement column): ns_per_op is
# one touch = one fault, ns_per_page the same time over the pages that
# fault mapped (fault-around maps several file pages per fault).
load plotdir."/_common.gp"
set title fig_title("Page faults: file page (page-cache hit) vs anonymous (bar: median, whisker: 95% CI)")
set ylabel "median (".yunit.")"
set xlabel "variant (bench file_mmap); colour: ns_per_op = per fault, ns_per_page = per page mapped"
load plotdir."/_bars.gp"
