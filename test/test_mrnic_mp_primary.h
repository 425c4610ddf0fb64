/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_MRNIC_MP_PRIMARY_H
#define TEST_MRNIC_MP_PRIMARY_H

/*
 * The primary's side of the net_mrnic multi-process tests
 * (test_mrnic_mp*.c): a started pair of ports on native pools, the
 * secondary (dpdk-extmem-test-secondary-mrnic, named by
 * EXTMEM_TEST_SECONDARY_MRNIC) started with commands, its answers read
 * and checked (test_mrnic_mp_util.h has the protocol).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <rte_mempool.h>

#include "test_mrnic_util.h"

#define MP_NQ 2
#define MP_NDESC 512
#define MP_N 48
#define MP_LEN 200
#define MP_TIMEOUT 60

/* The primary's side of one test. */
struct mrnic_mp_ctx {
	struct mrnic_t_pair pair;
	struct rte_mempool *rx[2];	/* Rx buffers of port a, port b */
	struct rte_mempool *tx;		/* the secondary's Tx pool */
	struct rte_mempool *ptx;	/* the primary's Tx pool */
	struct rte_mempool *rxb1;	/* Rx buffers of queue 1 of port b */
	pid_t pid;
	int fd;
	unsigned int nreport;	/* reports read from the secondary */
	unsigned int nxlate;	/* translations checked */
};

/* TEST_SKIPPED (with the reason) where secondaries cannot run, else
 * TEST_SUCCESS.
 */
int mrnic_mp_skip(void);
/* Pools and the started pair "net_mrnic_mpa"/"net_mrnic_mpb" (mr=mode),
 * queue 1 of b on a pool of its own.
 */
int mrnic_mp_init(struct mrnic_mp_ctx *c, const char *mode);
/* Kill a secondary still running; close and free everything. */
void mrnic_mp_fini(struct mrnic_mp_ctx *c);
/* Start the secondary with commands (';' between them). */
int mrnic_mp_spawn(struct mrnic_mp_ctx *c, const char *cmds);
/*
 * Read the secondary's lines until one starting with until (copied into
 * last if not NULL); reports are kept in order, every "xlate" line is
 * checked against this process's IOVA; a "fail" line or the end first
 * fails.
 */
int mrnic_mp_read_until(struct mrnic_mp_ctx *c, const char *until,
	char *last, size_t len);
/* Wait for the secondary's "end 0" and exit status 0. */
int mrnic_mp_join(struct mrnic_mp_ctx *c);
/* The secondary's i-th report is what this process sees of port now. */
int mrnic_mp_same_view(unsigned int i, uint16_t port);
/*
 * mrnic_mp_join(), then the secondary's two reports are what this process
 * sees of the pair's ports (report 0: port a, report 1: port b).
 */
int mrnic_mp_join_views(struct mrnic_mp_ctx *c);
/* A per-queue counter of port, UINT64_MAX if unknown. */
uint64_t mrnic_mp_q_stat(uint16_t port, uint16_t q, bool rx, bool bytes);
/* oerrors of port, UINT64_MAX if unknown. */
uint64_t mrnic_mp_oerrors(uint16_t port);
/* Receive n packets of MP_LEN bytes (seed + i) and check their bytes. */
int mrnic_mp_receive(uint16_t port, uint16_t q, unsigned int n,
	uint32_t seed);
/*
 * To a secondary receiving with "rx": wait for its "ready", transmit n
 * packets of MP_LEN bytes (seed + i) from mp on port/queue, then it must
 * say "received <n> ok <n>".
 */
int mrnic_mp_send(struct mrnic_mp_ctx *c, struct rte_mempool *mp,
	uint16_t port, uint16_t q, unsigned int n, uint32_t seed);

#endif /* TEST_MRNIC_MP_PRIMARY_H */
