/*
 * test_sock.c - the loopback socket families' descriptors and validators
 * (ipc_tcp, ipc_udp, ipc_unix's datagram variants), and bench/lib/sock_loop.c
 * in a private network namespace: pairs carry bytes, and the listener of a
 * pair is gone once the pair is made (nothing is left listening).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench.h"
#include "fake_judge.h"
#include "../../bench/lib/ipc_transport.h"
#include "../../bench/lib/sock_loop.h"

extern const struct bench_desc bench_ipc_tcp;
extern const struct bench_desc bench_ipc_udp;
extern const struct bench_desc bench_ipc_unix;

/* The fake configuration's metrics. */
struct fake { double ctxsw; double rx; };

static double fake_metric(const struct bench_judge *j, const char *name)
{
	const struct fake *f = j->priv;

	if (strcmp(name, "ctxsw_per_op") == 0)
		return f->ctxsw;
	if (strcmp(name, IPC_RX_CTXSW) == 0)
		return f->rx;
	return NAN;
}

static enum bench_valid judge(const struct bench_variant *v, const char *placement,
			      double ctxsw, double rx)
{
	struct fake f = { ctxsw, rx };
	char note[BENCH_NOTE_MAX] = "";
	struct bench_judge j = {
		.variant = v->name, .x = NAN, .placement = placement, .pinned = true,
		.metric = fake_metric, .priv = &f,
	};

	return v->validate(&j, note, sizeof(note));
}

/* Every round trip is a two-worker ping-pong judged by the IPC rule: at
 * same-cpu one switch per one-way op (both sides), n/a elsewhere. */
static void test_latency_variants(void **state)
{
	const struct { const struct bench_desc *d; const char *v; } lat[] = {
		{ &bench_ipc_tcp, "stream_lat" }, { &bench_ipc_udp, "dgram_lat" },
		{ &bench_ipc_unix, "dgram_lat" }, { &bench_ipc_unix, "stream_lat" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lat) / sizeof(lat[0]); i++) {
		const struct bench_variant *v = fake_variant(lat[i].d, lat[i].v);

		assert_non_null(v);
		assert_true(v->flags & BENCH_V_PAIR);
		assert_null(v->sweep);
		assert_true(v->validate == ipc_validate_latency);
		assert_int_equal(judge(v, "same-cpu", 1.0, 0.5), BENCH_VALID_PASS);
		/* the sender's switches not counted: all of them are the receiver's */
		assert_int_equal(judge(v, "same-cpu", 0.5, 0.5), BENCH_VALID_NA);
		/* one switch per round trip, not two */
		assert_int_equal(judge(v, "same-cpu", 0.5, 0.25), BENCH_VALID_FAIL);
		/* twice the switches a hand-off makes */
		assert_int_equal(judge(v, "same-cpu", 2.0, 1.0), BENCH_VALID_FAIL);
		assert_int_equal(judge(v, "same-cache", 2.0, 1.0), BENCH_VALID_NA);
	}
}

/* The throughput sweeps are the IPC families' one sweep; connect is a
 * pair with no counter rule to judge by. */
static void test_stream_and_connect(void **state)
{
	const struct bench_variant *tcp = fake_variant(&bench_ipc_tcp, "stream");
	const struct bench_variant *dg = fake_variant(&bench_ipc_unix, "dgram");
	const struct bench_variant *conn = fake_variant(&bench_ipc_tcp, "connect");

	(void)state;
	assert_non_null(tcp);
	assert_non_null(dg);
	assert_non_null(conn);
	assert_true(tcp->xs == ipc_msg_sizes && tcp->nx == IPC_NSIZES);
	assert_true(dg->xs == ipc_msg_sizes && dg->nx == IPC_NSIZES);
	assert_string_equal(tcp->sweep, "msg_bytes");
	assert_true(tcp->flags & BENCH_V_FIT_PER_MIB);
	assert_true(conn->flags & BENCH_V_PAIR);
	assert_null(conn->validate);
	assert_null(fake_variant(&bench_ipc_udp, "stream"));
}

/* In a child in a private network namespace (the test's own namespace is
 * left alone): a TCP pair and a UDP pair each carry a byte both ways, and
 * the TCP pair's listener is closed (a second connect to its port is
 * refused).  Exit status: 0 ok, 77 no namespace here, else the failed step. */
static int sock_child(void)
{
	struct sockaddr_in addr;
	socklen_t alen = sizeof(addr);
	const char *what = "?";
	int sv[2], uv[2], c;
	char b = 'x', note[BENCH_NOTE_MAX] = "";

	/* ctx is only used to fail, after the namespace was made */
	if (sock_private_net(NULL, note, sizeof(note)) != 0)
		return 2;
	if (strncmp(note, "private network namespace", 25) != 0)
		return 77;
	if (sock_tcp_pair(sv, &what) < 0)
		return 3;
	if (write(sv[0], &b, 1) != 1 || read(sv[1], &b, 1) != 1 || write(sv[1], &b, 1) != 1 ||
	    read(sv[0], &b, 1) != 1)
		return 4;
	if (getpeername(sv[0], (struct sockaddr *)&addr, &alen) < 0)
		return 5;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr)) == 0 || errno != ECONNREFUSED)
		return 6;
	if (sock_udp_pair(uv, &what) < 0)
		return 7;
	if (send(uv[0], &b, 1, 0) != 1 || recv(uv[1], &b, 1, 0) != 1 || send(uv[1], &b, 1, 0) != 1 ||
	    recv(uv[0], &b, 1, 0) != 1)
		return 8;
	return 0;
}

static void test_sock_loop(void **state)
{
	int st = 0;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(sock_child());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latency_variants),
		cmocka_unit_test(test_stream_and_connect),
		cmocka_unit_test(test_sock_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
