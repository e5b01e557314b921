# sock_lat.gp - loopback sockets: one-way latency (half a round trip) of
# the TCP, UDP and Unix round trips, and one TCP connection's life, per
# placement (log y: a connection costs several round trips).
load plotdir."/_common.gp"
set title fig_title("Loopback sockets: one-way latency and TCP connect (log y; bar: median, whisker: 95% CI)")
set ylabel "ns_per_op: median (log scale)"
set xlabel "bench/variant (*_lat: half a round trip of 1 B for tcp and udp, 64 B for unix; connect: socket + connect + accept + close); colour: placement"
@LOG_TIME_Y
bar_ylog = 1
load plotdir."/_bars.gp"
