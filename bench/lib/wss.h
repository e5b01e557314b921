/*
 * wss.h - a task's private working set, touched per hand-off: what the
 * switch families (sched_switch, ctx_ring) share, so that their touches
 * are one and the same and a ring of two can be read against the
 * ping-pong.
 */
#ifndef PRIMBENCH_WSS_H
#define PRIMBENCH_WSS_H

#include <stddef.h>

/* Bytes between two writes of the touch: one per cache line. */
#define WSS_LINE 64

/* Write one byte (v) per WSS_LINE bytes of buf[0..len); nothing when len
 * is 0.  Stores, not loads: a store cannot be skipped, and the line is
 * then the task's own (dirty) when another task's turn evicts it. */
void wss_touch(unsigned char *buf, size_t len, unsigned char v);
/* A private anonymous mapping of len bytes, every page written, so that
 * the samples see cache refill, not first-touch page faults; NULL when
 * len is 0 or on failure (errno set).  The caller munmaps it.  Map it in
 * the task that uses it, after it is pinned: the kernel puts an anonymous
 * page on the node of the CPU that first writes it. */
unsigned char *wss_new(size_t len);

#endif
