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
	/* shorter than the sequence word: never valid */
	assert_false(ipc_msg_check(buf, 4, 41, &off));
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
		cmocka_unit_test(test_validate_latency),
		cmocka_unit_test(test_read_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
