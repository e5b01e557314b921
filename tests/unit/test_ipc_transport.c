/*
 * test_ipc_transport.c - the pure parts of bench/lib/ipc_transport.c: the
 * message pattern and its check, the latency validation, /proc/sys reads.
 *
 * Expected pattern values were computed with bc(1) from the definition
 * word(b, i) = (b + 1) * 0x9E3779B97F4A7C15 + i * 0xBF58476D1CE4E5B9 mod 2^64
 * (little-endian bytes), not with the code under test:
 *   echo 'obase=16; ibase=16; (9E3779B97F4A7C15 + BF58476D1CE4E5B9) % 10000000000000000' | bc
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../bench/lib/ipc_transport.h"

static void test_pattern_word_by_hand(void **state)
{
	(void)state;
	/* bc: (9E37..15 + BF58..B9) mod 2^64 */
	assert_true(ipc_pattern_word(0, 1) == 0x5D8FC1269C2F61CEull);
	/* bc: (2 * 9E37..15 + BF58..B9) mod 2^64 */
	assert_true(ipc_pattern_word(1, 1) == 0xFBC73AE01B79DDE3ull);
	/* bc: (2 * 9E37..15 + 2 * BF58..B9) mod 2^64 */
	assert_true(ipc_pattern_word(1, 2) == 0xBB1F824D385EC39Cull);
}

/* Message 5 (body 5 % 4 = 1) of 13 bytes, byte by byte. */
static void test_message_bytes_by_hand(void **state)
{
	static const unsigned char want[13] = {
		0x06, 0, 0, 0, 0, 0, 0, 0,            /* seq + 1 = 6, little-endian */
		0xE3, 0xDD, 0x79, 0x1B, 0xE0,         /* low 5 bytes of word(1, 1) */
	};
	unsigned char buf[13];
	size_t off = 99;

	(void)state;
	memset(buf, 0xAA, sizeof(buf));
	ipc_msg_fill(buf, sizeof(buf), 5 % IPC_NBODY);
	ipc_msg_stamp(buf, 5);
	assert_memory_equal(buf, want, sizeof(want));
	assert_true(ipc_msg_check(want, sizeof(want), 5, &off));
}

/* Every single-byte corruption is found, at its offset. */
static void test_check_finds_each_byte(void **state)
{
	unsigned char buf[200];

	(void)state;
	ipc_msg_fill(buf, sizeof(buf), 7 % IPC_NBODY);
	ipc_msg_stamp(buf, 7);
	for (size_t i = 0; i < sizeof(buf); i++) {
		size_t off = 12345;

		buf[i] ^= 0x01;
		assert_false(ipc_msg_check(buf, sizeof(buf), 7, &off));
		assert_int_equal(off, i);
		buf[i] ^= 0x01;
	}
	assert_true(ipc_msg_check(buf, sizeof(buf), 7, &(size_t){ 0 }));
}

/* The wrong message, lost or reordered, fails even when the body matches. */
static void test_check_sequence(void **state)
{
	unsigned char buf[64];
	size_t off = 99;

	(void)state;
	ipc_msg_fill(buf, sizeof(buf), 1);
	ipc_msg_stamp(buf, 1);
	/* seq 5 has the same body (5 % 4 == 1): only the sequence word differs */
	assert_false(ipc_msg_check(buf, sizeof(buf), 5, &off));
	assert_int_equal(off, 0);
	/* right sequence word, wrong body: first pattern byte */
	ipc_msg_stamp(buf, 2);
	assert_false(ipc_msg_check(buf, sizeof(buf), 2, &off));
	assert_int_equal(off, 8);
	/* an 8-byte message (eventfd) is its sequence word alone */
	ipc_msg_stamp(buf, 41);
	assert_true(ipc_msg_check(buf, 8, 41, &off));
	assert_false(ipc_msg_check(buf, 8, 40, &off));
	/* shorter than the sequence word: its low bytes (the sockets'
	 * one-byte round trip), so order is still seen modulo 256^len */
	assert_true(ipc_msg_check(buf, 4, 41, &off));
	assert_false(ipc_msg_check(buf, 4, 40, &off));
	assert_int_equal(off, 0);
	/* an empty message is never valid */
	assert_false(ipc_msg_check(buf, 0, 41, &off));
}

/* One-byte messages, by hand: message seq is the byte (seq + 1) & 0xff. */
static void test_one_byte_messages(void **state)
{
	unsigned char b[8];
	size_t off = 99;

	(void)state;
	b[0] = 0x01;
	assert_true(ipc_msg_check(b, 1, 0, &off));
	b[0] = 0x2A;
	assert_true(ipc_msg_check(b, 1, 41, &off));
	assert_false(ipc_msg_check(b, 1, 42, &off));
	assert_int_equal(off, 0);
	/* seq 255: (255 + 1) & 0xff = 0x00; seq 511 the same byte again */
	b[0] = 0x00;
	assert_true(ipc_msg_check(b, 1, 255, &off));
	assert_true(ipc_msg_check(b, 1, 511, &off));
	/* the stamp writes the whole word, the check reads only len bytes */
	memset(b, 0xAA, sizeof(b));
	ipc_msg_stamp(b, 41);
	b[1] = 0xEE;
	assert_true(ipc_msg_check(b, 1, 41, &off));
	assert_false(ipc_msg_check(b, 2, 41, &off));
	assert_int_equal(off, 1);
}

/* A datagram of another size than asked is -EMSGSIZE, never cut; one of
 * the right size arrives whole (AF_UNIX datagram pair, no network). */
static void test_dgram_exact_size(void **state)
{
	unsigned char out[IPC_HEADROOM + 64], in[IPC_HEADROOM + 64];
	struct ipc_chan tx = { .fd = -1, .fd2 = -1 }, rx = { .fd = -1, .fd2 = -1 };
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	tx.fd = sv[0];
	rx.fd = sv[1];
	ipc_msg_fill(out + IPC_HEADROOM, 64, 3);
	ipc_msg_stamp(out + IPC_HEADROOM, 3);
	assert_int_equal(ipc_dgram_send(&tx, out + IPC_HEADROOM, 64), 0);
	assert_int_equal(ipc_dgram_recv(&rx, in + IPC_HEADROOM, 64), 0);
	assert_memory_equal(in + IPC_HEADROOM, out + IPC_HEADROOM, 64);
	/* longer than asked: reported, not cut to 16 bytes */
	assert_int_equal(ipc_dgram_send(&tx, out + IPC_HEADROOM, 64), 0);
	assert_int_equal(ipc_dgram_recv(&rx, in + IPC_HEADROOM, 16), -EMSGSIZE);
	assert_non_null(rx.what);
	/* shorter than asked: reported too */
	assert_int_equal(ipc_dgram_send(&tx, out + IPC_HEADROOM, 8), 0);
	assert_int_equal(ipc_dgram_recv(&rx, in + IPC_HEADROOM, 64), -EMSGSIZE);
	ipc_fd_close(&tx);
	ipc_fd_close(&rx);
}

/* ipc_pair_open_end: the creator keeps fd, the other process fd2; each
 * closes the end it does not use. */
static void test_pair_open_end(void **state)
{
	struct ipc_chan a = { .creator = true }, b = { .creator = false };
	int sv[2], tv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tv), 0);
	a.fd = sv[0];
	a.fd2 = sv[1];
	b.fd = tv[0];
	b.fd2 = tv[1];
	assert_int_equal(ipc_pair_open_end(&a, IPC_TX), 0);
	assert_int_equal(ipc_pair_open_end(&b, IPC_RX), 0);
	assert_int_equal(a.fd, sv[0]);
	assert_int_equal(b.fd, tv[1]);
	assert_int_equal(a.fd2, -1);
	assert_int_equal(b.fd2, -1);
	assert_int_equal(fcntl(sv[1], F_GETFD), -1);
	assert_int_equal(fcntl(tv[0], F_GETFD), -1);
	ipc_fd_close(&a);
	ipc_fd_close(&b);
}

/* --- validation, through a fake judge -------------------------------------- */

/* Metric values the fake judge returns. */
struct fake_metrics {
	double ctxsw; /* ctxsw_per_op (both processes) */
	double rx;    /* rx_ctxsw_per_op */
};

static double fake_metric(const struct bench_judge *j, const char *name)
{
	const struct fake_metrics *m = j->priv;

	if (strcmp(name, "ctxsw_per_op") == 0)
		return m->ctxsw;
	if (strcmp(name, IPC_RX_CTXSW) == 0)
		return m->rx;
	return NAN;
}

static enum bench_valid judge(const char *placement, double ctxsw, double rx)
{
	struct fake_metrics m = { ctxsw, rx };
	struct bench_judge j = {
		.variant = "pipe_lat", .x = NAN, .placement = placement, .pinned = true,
		.metric = fake_metric, .priv = &m,
	};
	char note[256] = "";

	return ipc_validate_latency(&j, note, sizeof(note));
}

static void test_validate_latency(void **state)
{
	(void)state;
	/* one switch per one-way message: half the sender's, half the
	 * receiver's; a round trip is 2 ops, judged by bench.h's one range
	 * of [1.5, 3] switches per round trip = [0.75, 1.5] per op */
	assert_int_equal(judge("same-cpu", 1.0, 0.5), BENCH_VALID_PASS);
	assert_int_equal(judge("same-cpu", 1.4, 0.7), BENCH_VALID_PASS);
	assert_int_equal(judge("same-cpu", 0.75, 0.4), BENCH_VALID_PASS);
	assert_int_equal(judge("same-cpu", 1.5, 0.75), BENCH_VALID_PASS);
	/* twice as many switches as hand-offs, or too few */
	assert_int_equal(judge("same-cpu", 2.0, 1.0), BENCH_VALID_FAIL);
	assert_int_equal(judge("same-cpu", 1.51, 0.75), BENCH_VALID_FAIL);
	assert_int_equal(judge("same-cpu", 0.7, 0.3), BENCH_VALID_FAIL);
	/* the sender's counters were off: only the receiver's share is there */
	assert_int_equal(judge("same-cpu", 0.5, 0.5), BENCH_VALID_NA);
	assert_int_equal(judge("same-cpu", NAN, 0.5), BENCH_VALID_NA);
	/* across CPUs a hand-off need not switch: nothing to judge */
	assert_int_equal(judge("same-cache", 2.0, 1.0), BENCH_VALID_NA);
}

static void test_read_long(void **state)
{
	char path[] = "/tmp/test_ipc_transport.XXXXXX";
	int fd = mkstemp(path);
	long v = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "8192\n", 5), 5);
	close(fd);
	assert_int_equal(ipc_read_long(path, &v), 0);
	assert_int_equal(v, 8192);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
	assert_int_equal(ipc_read_long(path, &v), -EINVAL);
	unlink(path);
	assert_int_equal(ipc_read_long(path, &v), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_word_by_hand),
		cmocka_unit_test(test_message_bytes_by_hand),
		cmocka_unit_test(test_check_finds_each_byte),
		cmocka_unit_test(test_check_sequence),
		cmocka_unit_test(test_one_byte_messages),
		cmocka_unit_test(test_dgram_exact_size),
		cmocka_unit_test(test_pair_open_end),
		cmocka_unit_test(test_validate_latency),
		cmocka_unit_test(test_read_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
