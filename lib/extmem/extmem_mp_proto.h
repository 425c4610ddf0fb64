/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_MP_PROTO_H
#define EXTMEM_MP_PROTO_H

/*
 * The protocol between the primary's library and its secondaries
 * (doc/guides/prog_guide/multiprocess.rst).
 *
 * Transport: a SOCK_SEQPACKET unix socket "extmem_mp" in EAL's runtime
 * directory, one connection per secondary, served by one thread of the
 * primary. Not rte_mp: a request of rte_mp reaches every secondary,
 * stock tools without this library included, and those never answer an
 * unknown action once their EAL is up, so every change would wait for
 * the full timeout; a connection tells at once that its process died
 * (end of file), and carries file descriptors and any number of
 * messages. A region's IOVA runs (up to one per page, megabytes for a
 * large region of 4K pages in PA mode) travel in a memfd next to the
 * region's own file descriptor, never in the 256 bytes of an rte_mp
 * message.
 *
 * Messages are fixed-size records; a secondary says HELLO, receives the
 * snapshot (SNAP_REGION ..., SNAP_END at change number S) and then every
 * change numbered after S, in order, answering each with an ACK of its
 * number. A removal is two-phase: PREPARE (may it go? EBUSY while the
 * secondary has users of the region), then REMOVE or CANCEL.
 *
 * A heap chunk is added in three steps (EAL's allocator of every process
 * may hand it out as soon as the primary adds it to EAL's heap, so every
 * secondary maps it before): ADD with eal_later (map, no EAL attach),
 * the primary's rte_malloc_heap_memory_add(), ATTACH
 * (rte_malloc_heap_memory_attach()); and taken back in three: DETACH
 * (rte_malloc_heap_memory_detach(), still mapped), the primary's
 * rte_malloc_heap_memory_remove(), REMOVE (unmap). A chunk EAL does not
 * let go of stays mapped everywhere.
 *
 * A secondary asks the primary to create (CREATE) or destroy (DESTROY) a
 * region for it; the primary does it as any change (the ADD or the
 * removal reaches every secondary, the requester included) and then
 * answers DONE with the request's number. One request per connection is
 * outstanding at a time: the primary answers a second one at once with
 * DONE EBUSY (of its own number) and does nothing for it. A secondary
 * that stops waiting (its timeout) sends ABANDON with the request's
 * number before anything else: the primary drops the request if it has
 * not started it, and otherwise destroys again the region the request
 * made, before it does the connection's next request; a DONE that still
 * comes for it is ignored.
 */

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "extmem_private.h"

#define EXTMEM_MP_SOCKET "extmem_mp"
#define EXTMEM_MP_MAGIC 0x584d504du	/* "XMPM" */
#define EXTMEM_MP_VERSION 3
#define EXTMEM_MP_TEXT 160

enum extmem_mp_type {
	EXTMEM_MP_HELLO = 1,	/* S -> P: attach me */
	EXTMEM_MP_SNAP_REGION,	/* P -> S: a region of the snapshot */
	EXTMEM_MP_SNAP_END,	/* P -> S: snapshot complete at seq */
	EXTMEM_MP_ADD,		/* P -> S: region added (change seq) */
	EXTMEM_MP_PREPARE,	/* P -> S: may the region go? */
	EXTMEM_MP_CANCEL,	/* P -> S: it stays */
	EXTMEM_MP_REMOVE,	/* P -> S: it is gone: detach, unmap */
	EXTMEM_MP_ACK,		/* S -> P: change seq done, result */
	EXTMEM_MP_CREATE,	/* S -> P: create region r for me (seq: id) */
	EXTMEM_MP_DESTROY,	/* S -> P: destroy my region r.name */
	EXTMEM_MP_DONE,		/* P -> S: request seq done, result */
	EXTMEM_MP_ATTACH,	/* P -> S: EAL's heap lists it now: attach */
	EXTMEM_MP_DETACH,	/* P -> S: EAL's heap lets go: detach, keep */
	EXTMEM_MP_ABANDON,	/* S -> P: request seq is given up: undo it */
};

/* How the primary registered a region with EAL. */
enum extmem_mp_eal {
	EXTMEM_MP_EAL_EXTMEM = 1,	/* rte_extmem_register() */
	EXTMEM_MP_EAL_HEAP,		/* a chunk of a heap */
};

/* A region as the primary describes it. */
struct extmem_mp_region_desc {
	char name[RTE_EXTMEM_NAMESIZE];
	char heap[RTE_EXTMEM_NAMESIZE];
	uint64_t va;
	uint64_t len;
	uint64_t page_sz;
	uint64_t fd_offset;
	uint64_t flags;
	int32_t socket_id;
	int32_t numa_node;
	uint32_t backing;
	uint32_t id;
	uint32_t n_runs;	/* records in the runs memfd */
	uint32_t n_bad_iova;
	uint32_t n_iova_runs;
	uint8_t shared;		/* a memory fd travels with it */
	uint8_t eal;		/* enum extmem_mp_eal */
	uint8_t eal_later;	/* heap chunk: map now, EAL attach on ATTACH */
	uint8_t removing;	/* PREPAREd: no new user (a joiner's snapshot) */
	uint8_t prot;		/* PROT_READ/PROT_WRITE to map it with */
};

struct extmem_mp_msg {
	uint32_t magic;
	uint16_t version;
	uint16_t type;		/* enum extmem_mp_type */
	uint64_t seq;		/* change number */
	int32_t pid;		/* sender */
	int32_t result;		/* ACK: 0 or an errno */
	struct extmem_mp_region_desc r;
	char text[EXTMEM_MP_TEXT];	/* ACK: what failed */
};

/* File descriptors a message carries at most (memory, runs). */
#define EXTMEM_MP_MAX_FDS 2

/* A message of type t, change seq, from this process. */
void extmem_mp_msg_init(struct extmem_mp_msg *m, enum extmem_mp_type t,
	uint64_t seq);
/* The socket path of this EAL instance; -1 if it does not fit. */
int extmem_mp_socket_path(char *buf, size_t size);
/*
 * Send m with n fds (MSG_NOSIGNAL); 0, or -1 with errno.
 */
int extmem_mp_send(int sock, const struct extmem_mp_msg *m, const int *fds,
	unsigned int n);
/* The same with more sendmsg() flags (MSG_DONTWAIT: errno EAGAIN). */
int extmem_mp_send_flags(int sock, const struct extmem_mp_msg *m,
	const int *fds, unsigned int n, int flags);
/*
 * Receive one message and up to EXTMEM_MP_MAX_FDS fds (the others are
 * closed; missing ones are -1): 1 on a message, 2 on a message whose
 * descriptors did not all arrive (MSG_CTRUNC; none is returned), 0 at end
 * of file, -1 with errno on an error or a malformed message.
 */
int extmem_mp_recv(int sock, struct extmem_mp_msg *m,
	int fds[EXTMEM_MP_MAX_FDS]);
/* A memfd holding the n runs of a region (sealed), or -1. */
int extmem_mp_runs_write(const struct extmem_iova_run *runs, unsigned int n);
/* Read n runs from a memfd into a new array (free()), or NULL. */
struct extmem_iova_run *extmem_mp_runs_read(int fd, unsigned int n);
/* *dl: ms milliseconds from now on CLOCK_MONOTONIC. */
void extmem_mp_deadline(struct timespec *dl, long ms);
/* Test hook: sleep EXTMEM_MP_TEST_DELAY_US microseconds (if set). */
void extmem_mp_test_delay(void);

#endif /* EXTMEM_MP_PROTO_H */
