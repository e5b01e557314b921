/*
 * sock_loop.c - a private network namespace and loopback socket pairs
 * (see sock_loop.h for why, and for what is never left behind).
 */
#include "sock_loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "note.h"

/* Bring the namespace's lo up (a new namespace has it down). */
static int sock_lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
		goto out_close;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		rc = -errno;
out_close:
	close(fd);
	return rc;
}

int sock_private_net(struct bench_ctx *ctx, char *note, size_t len)
{
	int rc;

	/* Test-only: "no-netns" takes the fallback path on purpose, so that a
	 * test can see (ss) and then miss the family's sockets on the host. */
	if (ctx && bench_inject_has(ctx, "no-netns")) {
		note_append(note, len, "host loopback (no private network namespace: "
			    "test injection no-netns)");
		return 0;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		note_append(note, len, "host loopback (no private network namespace: "
			    "unshare(CLONE_NEWNET): %s)", strerror(errno));
		return 0;
	}
	rc = sock_lo_up();
	if (rc < 0)
		return bench_fail(ctx, rc, "bringing lo up in a private network namespace: %s",
				  strerror(-rc));
	note_append(note, len, "private network namespace, 127.0.0.1");
	return 0;
}

static void sock_loopback(struct sockaddr_in *a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = 0;
}

/* Bind fd to 127.0.0.1 port 0 and read back the port the kernel chose. */
static int sock_bind_any(int fd, struct sockaddr_in *addr, const char **what)
{
	socklen_t alen = sizeof(*addr);

	sock_loopback(addr);
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) < 0) {
		*what = "bind 127.0.0.1:0";
		return -errno;
	}
	if (getsockname(fd, (struct sockaddr *)addr, &alen) < 0) {
		*what = "getsockname";
		return -errno;
	}
	return 0;
}

int sock_tcp_listen(int *lfd, struct sockaddr_in *addr, int backlog, const char **what)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0) {
		*what = "socket(AF_INET, SOCK_STREAM)";
		return -errno;
	}
	rc = sock_bind_any(fd, addr, what);
	if (rc == 0 && listen(fd, backlog) < 0) {
		*what = "listen";
		rc = -errno;
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*lfd = fd;
	return 0;
}

int sock_tcp_connect_pair(int lfd, const struct sockaddr_in *addr, int sv[2], const char **what)
{
	int one = 1, rc = 0;
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), a = -1;

	if (c < 0) {
		*what = "socket(AF_INET, SOCK_STREAM)";
		return -errno;
	}
	/* On loopback the handshake completes inside connect(); accept then
	 * finds the connection queued. */
	if (connect(c, (const struct sockaddr *)addr, sizeof(*addr)) < 0) {
		*what = "connect 127.0.0.1";
		rc = -errno;
		goto out_close;
	}
	a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (a < 0) {
		*what = "accept4";
		rc = -errno;
		goto out_close;
	}
	if (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
		*what = "setsockopt TCP_NODELAY";
		rc = -errno;
		goto out_close;
	}
	sv[0] = c;
	sv[1] = a;
	return 0;

out_close:
	close(c);
	if (a >= 0)
		close(a);
	return rc;
}

int sock_tcp_pair(int sv[2], const char **what)
{
	struct sockaddr_in addr;
	int lfd, rc;

	rc = sock_tcp_listen(&lfd, &addr, 1, what);
	if (rc < 0)
		return rc;
	rc = sock_tcp_connect_pair(lfd, &addr, sv, what);
	close(lfd);
	return rc;
}

int sock_udp_pair(int sv[2], const char **what)
{
	struct sockaddr_in a[2];
	int fd[2] = { -1, -1 }, rc = 0;

	for (int i = 0; i < 2; i++) {
		fd[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd[i] < 0) {
			*what = "socket(AF_INET, SOCK_DGRAM)";
			rc = -errno;
			goto out_close;
		}
		rc = sock_bind_any(fd[i], &a[i], what);
		if (rc < 0)
			goto out_close;
	}
	for (int i = 0; i < 2; i++) {
		if (connect(fd[i], (struct sockaddr *)&a[1 - i], sizeof(a[1 - i])) < 0) {
			*what = "connect (UDP)";
			rc = -errno;
			goto out_close;
		}
	}
	sv[0] = fd[0];
	sv[1] = fd[1];
	return 0;

out_close:
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return rc;
}
