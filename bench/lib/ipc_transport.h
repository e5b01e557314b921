/*
 * ipc_transport.h - the machinery the IPC families share: one sender/receiver
 * loop, one integrity check, one way of reporting, one limit policy.
 *
 * Why this is in bench/lib/: it is benchmark method, not harness, but no
 * family of its own.  Each C file directly in bench/ holds exactly one
 * family (bench/list.h lists every one, and tests/e2e/test_registry.sh
 * checks it); bench/lib/ holds what several families share and registers
 * nothing.  The families - ipc_pipe, ipc_mq, ipc_shm, ipc_unix,
 * ipc_eventfd, ipc_tcp, ipc_udp - must measure the same way so that
 * their numbers compare.  Each family file only describes its mechanism
 * as a struct ipc_ops (how to create an object, open one end of it, send
 * and receive one message, remove and close it) plus its limits;
 * everything below is written once here.
 *
 * Process model.  Worker 0 (the runner's supervising child, already pinned)
 * is the sender and, for latency, the ping side.  ipc_setup() creates the
 * channel objects, forks the receiver (bench_child_init, bench_pin_peer),
 * lets both ends open the objects the way two unrelated processes would (by
 * name or id), and removes the names/ids as soon as both ends hold them.
 * The receiver stays alive across run() calls and is driven over a
 * SOCK_SEQPACKET control socket: one command per run() ("receive N
 * messages", "echo N messages"), one reply (how many messages arrived
 * intact, the first bad one, the receiver's context switches and faults).
 *
 * Messages.  Every message is msg_bytes long.  Its first 8 bytes hold
 * seq + 1 (never 0, so an eventfd can carry it; a message shorter than 8
 * bytes, the sockets' one-byte round trip, holds that word's low bytes
 * only); the rest is a pattern of
 * 64-bit words derived from (seq % IPC_NBODY, word index).  The sender keeps
 * IPC_NBODY prebuilt bodies and only stamps the 8-byte sequence word before
 * each send, so producing a message costs no pass over it; the receiver
 * checks every byte it got against the pattern (a message out of order,
 * lost, duplicated, truncated or corrupted fails the check), and a mismatch
 * fails the row.
 */
#ifndef PRIMBENCH_IPC_TRANSPORT_H
#define PRIMBENCH_IPC_TRANSPORT_H

#include <mqueue.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bench.h"

/* Writable bytes before every message buffer handed to send()/recv(), so
 * a mechanism that needs a header in front of the payload (SysV msgsnd's
 * mtype) writes it in place instead of copying the message. */
#define IPC_HEADROOM 64
/* Distinct message bodies: message seq carries body seq % IPC_NBODY. */
#define IPC_NBODY 4
/* The latency variants' message size. */
#define IPC_LAT_BYTES 64
/* The throughput sweep: 64 B to 1 MiB in powers of 4. */
#define IPC_NSIZES 8
/* Longest POSIX object name, with its NUL. */
#define IPC_NAME_MAX 96
/* Extra metric: the receiver's context switches per operation (also
 * included in ctxsw_per_op, which covers both processes). */
#define IPC_RX_CTXSW "rx_ctxsw_per_op"
/* Mechanisms without a nameable kernel object (pipe, socket, eventfd). */
#define IPC_OBJ_NONE (-1)

/* The msg_bytes sweep shared by every throughput variant. */
extern const double ipc_msg_sizes[IPC_NSIZES];

/* Which way a process uses a channel. */
enum ipc_dir { IPC_TX, IPC_RX };

struct ipc_chan;

/*
 * One mechanism.  A channel carries messages one way; latency uses two.
 * Contract of every callback: 0 or -errno, errno-faithful; on failure the
 * callback sets ch->what to the failing call's name, for the note.
 */
struct ipc_ops {
	const char *name;        /* for notes: "pipe", "POSIX mq", ... */
	int obj;                 /* enum bench_obj of the object create() makes,
				    or IPC_OBJ_NONE; tracked by the caller */
	const char *tag;         /* a named (POSIX) object: the tag of its
				    run-unique name, which the caller puts in
				    ch->name and tracks before create() runs;
				    NULL for a SysV id or no object */
	bool remove_late;        /* the object cannot be removed while in use
				    (a SysV message queue has no attach: IPC_RMID
				    destroys it at once); removed at teardown */
	/* In the sender, before the receiver exists: make the object (fill
	 * ch->fd/fd2/id/mq; a named one under the ch->name it was given).
	 * May call bench_skip(ch->ctx, ...) for a host limit and return its
	 * value. */
	int (*create)(struct ipc_chan *ch);
	/* In each process after the fork: open this process's end as an
	 * unrelated process would (by name or id) and drop what it inherited
	 * but does not use.  ch->creator tells the sender from the receiver. */
	int (*open_end)(struct ipc_chan *ch, enum ipc_dir dir);
	/* In the sender: unlink the name / IPC_RMID the id.  NULL if none. */
	int (*remove)(struct ipc_chan *ch);
	/* Send one message of exactly len bytes (IPC_HEADROOM before buf). */
	int (*send)(struct ipc_chan *ch, void *buf, size_t len);
	/* Receive one message of exactly len bytes into buf (IPC_HEADROOM
	 * before it); a message of another size is -EMSGSIZE, never cut. */
	int (*recv)(struct ipc_chan *ch, void *buf, size_t len);
	/* Release this process's descriptors and mappings (not the object). */
	void (*close)(struct ipc_chan *ch);
};

/* One direction of one mechanism, as one process sees it. */
struct ipc_chan {
	const struct ipc_ops *ops;  /* the mechanism */
	struct bench_ctx *ctx;      /* for bench_skip/bench_fail/unique names */
	size_t msg_bytes;           /* every message's exact size */
	long param;                 /* mechanism parameter (pipe size, queue depth) */
	bool creator;               /* this process made the object (the sender) */
	bool track;                 /* object goes in the runner's cleanup list; false in
				       a private IPC namespace (see ipc_fit_limits) */
	bool tracked;               /* it is in the cleanup list now */
	bool removed;               /* its name/id is gone already */
	pid_t peer;                 /* the receiver, in the sender; 0 in the receiver */
	int fd;                     /* this process's descriptor, -1 if none */
	int fd2;                    /* a second descriptor until open_end, -1 */
	int id;                     /* SysV id, -1 if none */
	mqd_t mq;                   /* POSIX message queue descriptor, -1 if none */
	char name[IPC_NAME_MAX];    /* POSIX name, "" if none */
	void *mem;                  /* shared mapping, NULL if none */
	size_t mem_bytes;           /* its length */
	const char *what;           /* the call that failed last, for notes */
	char *note;                 /* where ipc_chan_note() appends (setup only) */
	size_t note_len;            /* its size */
};

/* What a family's setup() hands to ipc_setup(). */
struct ipc_cfg {
	const struct ipc_ops *ops;  /* mechanism */
	size_t msg_bytes;           /* message size (>= 1) */
	bool latency;               /* ping-pong over two channels, else one-way */
	long param;                 /* copied to each channel's param */
	bool private_ns;            /* set by ipc_fit_limits(): objects live in a
				       private IPC namespace */
	char note[BENCH_NOTE_MAX];  /* what setup learned; becomes the rows' note */
};

/* One /proc/sys limit a configuration needs. */
struct ipc_limit {
	const char *path;           /* e.g. "/proc/sys/fs/mqueue/msgsize_max" */
	const char *need;           /* what needs it, e.g. "msg_bytes" */
	long want;                  /* least value needed */
};

/* --- the shared benchmark body (bench_desc callbacks) ------------------- */

/* Create the channel(s) of cfg, fork and pin the receiver, open both
 * ends, remove names/ids, prebuild the bodies.  0, -errno (bench_fail
 * called), or bench_skip()'s value. */
int ipc_setup(struct bench_ctx *ctx, void **state, const struct ipc_cfg *cfg);
/* Throughput: send iters messages and wait until the receiver confirms
 * all of them intact; bytes = iters * msg_bytes.  Latency: iters round
 * trips, reported as 2 * iters one-way operations.  The whole call is
 * timed (one control-socket round trip per call is inside it). */
int ipc_run(struct bench_ctx *ctx, void *state, uint64_t iters);
/* Kill and reap the receiver, close and remove everything, restore the
 * signal dispositions setup changed. */
void ipc_teardown(struct bench_ctx *ctx, void *state);
/* Validation for latency variants: at same-cpu every one-way hand-off
 * must switch tasks, so ctxsw_per_op (both processes) is about 1, i.e. 2
 * per round trip, judged by bench_pingpong_switches() (bench.h). */
enum bench_valid ipc_validate_latency(const struct bench_judge *j, char *note, size_t len);

/* --- limits ------------------------------------------------------------------ */

/* Check every limit; if one is short, move the calling process into a
 * private IPC namespace (unshare(CLONE_NEWIPC)) and raise the limits
 * there, noting it in cfg->note and setting cfg->private_ns; if that is
 * not allowed, skip naming the limit and its value.  Never clamps.
 * 0 (fits), bench_skip()'s value, or -errno (bench_fail called). */
int ipc_fit_limits(struct bench_ctx *ctx, struct ipc_cfg *cfg,
		   const struct ipc_limit *lim, size_t n);
/* Read a /proc/sys integer.  0 or -errno. */
int ipc_read_long(const char *path, long *v);
/* Append "; "-separated text to cfg->note. */
void ipc_note_add(struct ipc_cfg *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same for a channel during create(). */
void ipc_chan_note(struct ipc_chan *ch, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --- helpers for mechanisms ---------------------------------------------------- */

/* After EINTR/timeout in a blocking call: true to retry, false when the
 * peer (the receiver, seen from the sender) has exited. */
bool ipc_retry(const struct ipc_chan *ch);
/* Byte-stream send/receive of exactly len bytes on ch->fd (pipe, stream
 * socket, eventfd).  A peer that closed its end gives -EPIPE. */
int ipc_fd_send(struct ipc_chan *ch, void *buf, size_t len);
int ipc_fd_recv(struct ipc_chan *ch, void *buf, size_t len);
/* Datagram send/receive of exactly one message of len bytes on ch->fd
 * (AF_UNIX or UDP datagram socket): one send, one recv; a datagram of
 * another length is -EMSGSIZE, never cut or joined. */
int ipc_dgram_send(struct ipc_chan *ch, void *buf, size_t len);
int ipc_dgram_recv(struct ipc_chan *ch, void *buf, size_t len);
/* open_end for a connected pair made before the fork (socketpair, an
 * accepted TCP connection, two connected UDP sockets): the sender keeps
 * ch->fd, the receiver ch->fd2; each closes the other. */
int ipc_pair_open_end(struct ipc_chan *ch, enum ipc_dir dir);
/* Close ch->fd and ch->fd2 if open. */
void ipc_fd_close(struct ipc_chan *ch);

/* --- messages (pure functions) ---------------------------------------------------- */

/* Word i (>= 1) of body b's pattern. */
uint64_t ipc_pattern_word(uint64_t body, uint64_t i);
/* Fill buf[8..len) with body b's pattern (the sequence word is left). */
void ipc_msg_fill(void *buf, size_t len, uint64_t body);
/* Write message seq's sequence word (seq + 1) into buf[0..8). */
void ipc_msg_stamp(void *buf, uint64_t seq);
/* True when buf holds exactly message seq of len bytes; else false with
 * the offset of the first wrong byte in *bad_off.  A message shorter than
 * 8 bytes is the low len bytes of the sequence word; len 0 is never valid. */
bool ipc_msg_check(const void *buf, size_t len, uint64_t seq, size_t *bad_off);

#endif
