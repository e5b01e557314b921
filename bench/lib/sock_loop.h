/*
 * sock_loop.h - loopback TCP/UDP sockets for the families that measure
 * them (ipc_tcp, ipc_udp, poll's *_tcp variants): a private network
 * namespace, and connected pairs on 127.0.0.1 with kernel-chosen ports.
 *
 * Why a private network namespace: the supervising child is a fresh
 * process per configuration, so unshare(CLONE_NEWNET) there gives it a
 * network stack of its own (only a loopback device, brought up here);
 * no port of the host is taken, no listener is visible to the host, no
 * firewall rule or sysctl of the host applies, and every socket made
 * inside (TIME_WAIT ones included) goes with the namespace when the
 * child exits.  Where unshare is refused (no CAP_SYS_ADMIN, a seccomp
 * filter, a container), the host's loopback is used and the note says so.
 *
 * Nothing is left listening: a listener exists only while a pair is
 * connected (sock_tcp_pair closes it before returning), or, for
 * ipc_tcp/connect, for the configuration's life in its own two
 * processes; a socket dies with the last process that holds it, so a
 * crash or a SIGKILL closes it too (the peers die by PR_SET_PDEATHSIG).
 */
#ifndef PRIMBENCH_SOCK_LOOP_H
#define PRIMBENCH_SOCK_LOOP_H

#include <netinet/in.h>
#include <stddef.h>

#include "bench.h"

/*
 * Move the calling process into a private network namespace with lo up.
 * 0 in either case, with what happened appended to note ("private network
 * namespace" or "host loopback: unshare(CLONE_NEWNET): <why>"); -errno
 * (bench_fail called) when the namespace was made but lo would not come up.
 * Test-only: the injection word "no-netns" (PRIMBENCH_INJECT=<family>:no-netns)
 * takes the host-loopback path without trying.  ctx may be NULL (tests).
 */
int sock_private_net(struct bench_ctx *ctx, char *note, size_t len);
/* A TCP listener on 127.0.0.1, port chosen by the kernel (bind port 0;
 * getsockname into *addr).  0 or -errno, *what naming the failed call. */
int sock_tcp_listen(int *lfd, struct sockaddr_in *addr, int backlog, const char **what);
/* One connection through listener lfd at addr: sv[0] the connecting end,
 * sv[1] the accepted one; TCP_NODELAY on both (a one-byte message must
 * leave at once, not wait for Nagle and the peer's delayed ACK).  Both
 * close-on-exec.  0 or -errno with *what. */
int sock_tcp_connect_pair(int lfd, const struct sockaddr_in *addr, int sv[2], const char **what);
/* One TCP connection over a listener that is closed before returning. */
int sock_tcp_pair(int sv[2], const char **what);
/* Two UDP sockets on 127.0.0.1, kernel-chosen ports, each connect()ed to
 * the other (so send/recv need no address and a stray datagram from
 * elsewhere is not delivered).  0 or -errno with *what. */
int sock_udp_pair(int sv[2], const char **what);

#endif
