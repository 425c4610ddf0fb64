/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_MRNIC_UTIL_H
#define TEST_MRNIC_UTIL_H

/* Helpers of the net_mrnic tests: a started pair of ports, packets with
 * known bytes, xstats by name.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#define MRNIC_T_NAMESZ 48

/** Two net_mrnic ports paired by name (a -> b and b -> a). */
struct mrnic_t_pair {
	char name[2][MRNIC_T_NAMESZ];
	uint16_t port[2];
	uint16_t nq;
	bool started;
};

/**
 * Probe "net_mrnic_<tag>a" and "net_mrnic_<tag>b" (peer of each other)
 * with mr=<mode>, configure nq Rx and Tx queues of nb_desc descriptors
 * (Rx buffers from mp[i], Rx scatter if asked) and start both.
 */
int mrnic_t_pair_create(struct mrnic_t_pair *p, const char *tag,
	const char *mode, uint16_t nq, uint16_t nb_desc,
	struct rte_mempool *mp0, struct rte_mempool *mp1, bool scatter);

/**
 * Probe the vdev name with mr=<mode>,peer=<peer> and then the devargs of
 * extra ("" or ",key=value..."), and give its port: TEST_SUCCESS or
 * TEST_FAILED.
 */
int mrnic_t_probe(const char *name, const char *mode, const char *peer,
	const char *extra, uint16_t *port);

/** Stop, close and remove both ports (any state). */
void mrnic_t_pair_destroy(struct mrnic_t_pair *p);

/** Port of an ethdev by name (asserted to exist): TEST_SUCCESS or TEST_FAILED. */
int mrnic_t_port(const char *name, uint16_t *port);

/** The device of a port, NULL if the port is unknown. */
struct rte_device *mrnic_t_port_dev(uint16_t port);

/** Value of an xstat of a port, UINT64_MAX if unknown. */
uint64_t mrnic_t_xstat(uint16_t port, const char *name);

/** Sum of the rx_ and tx_ xstats "<dir>_<name>" of a port (UINT64_MAX if
 * either is unknown), e.g. "dma_fault_errors", "mr_cache_hits".
 */
uint64_t mrnic_t_xstat_rxtx(uint16_t port, const char *name);

/** pktmbuf pool on EAL memory, SOCKET_ID_ANY. */
struct rte_mempool *mrnic_t_pool(const char *name, unsigned int n,
	uint16_t data_room);

/**
 * pktmbuf pool whose objects live in [addr, addr + len) (memory EAL
 * knows, e.g. a region): mbuf headers and data both there.
 */
struct rte_mempool *mrnic_t_pool_on(const char *name, unsigned int n,
	uint16_t data_room, void *addr, size_t len, size_t pg_sz);

/** Fill len bytes with a pattern derived from seed. */
void mrnic_t_pattern(uint8_t *dst, uint32_t len, uint32_t seed);

/**
 * A packet of len bytes (pattern seed) in nseg segments from mp, with a
 * broadcast Ethernet destination. NULL if the pool is empty.
 */
struct rte_mbuf *mrnic_t_pkt(struct rte_mempool *mp, uint32_t len,
	unsigned int nseg, uint32_t seed);

/** Compare a received packet (any segmentation) with the pattern. */
int mrnic_t_pkt_check(const struct rte_mbuf *m, uint32_t len, uint32_t seed);

/**
 * Send n packets of the given length (seed + i) on port/queue, receive
 * them on rx_port/rx_queue and check each; returns TEST_SUCCESS or
 * TEST_FAILED.
 */
int mrnic_t_roundtrip(struct rte_mempool *mp, uint16_t tx_port,
	uint16_t tx_queue, uint16_t rx_port, uint16_t rx_queue, unsigned int n,
	uint32_t len, unsigned int nseg, uint32_t seed);

/** Receive everything pending on every queue of a port and free it. */
unsigned int mrnic_t_drain(uint16_t port, uint16_t nq);

#endif /* TEST_MRNIC_UTIL_H */
