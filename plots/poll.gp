# poll.gp - readiness of one of N pipes vs N: select, poll, epoll_wait, the
# write+read floor and epoll_ctl ADD+DEL, one line each (log-log).
load plotdir."/_common.gp"
set title fig_title("Event polling: learn that 1 of N pipes is ready (log-log; points: median, bars: 95% CI)")
set logscale x 10
set xtics (1, 10, 100, 1000)
@LOG_TIME_Y
set xlabel "descriptors watched, fds (log scale)"
set ylabel "ns_per_op = write + wait + read (epoll_ctl: ADD + DEL)"
in_panel(v) = v
load plotdir."/_lines.gp"
