# sock_throughput.gp - TCP stream throughput over loopback vs message size,
# beside the Unix stream and datagram sockets; one line per mechanism
# (bench/variant), one panel per placement (log-log): ipc_throughput.gp's
# layout on render.sh's narrower selection.
tp_title = "Socket throughput vs message size: TCP over 127.0.0.1 and AF_UNIX"
load plotdir."/ipc_throughput.gp"
