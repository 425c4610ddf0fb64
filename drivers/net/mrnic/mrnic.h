/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef MRNIC_H
#define MRNIC_H

/*
 * What the files of the mrnic PMD share.
 *
 * Multi-process: a port's state (struct mrnic_port, the ethdev's private
 * data), its queues, Rx rings, MR tables and domains live in EAL memory,
 * at the same address in every process of the application, and point only
 * at such memory: a secondary process that attached the port runs the
 * datapath and reads the counters over the very same state. What stays
 * process-local is named where it is: the control lock and the lists of
 * ports and domains (the primary's, for pairing and quiescence), and the
 * MR table's dma_map accounting (mrnic_mr.h), which only the primary
 * reads and writes. Control operations are the primary's.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <ethdev_driver.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "mrnic_mr.h"

extern int mrnic_logtype;
#define MRNIC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, mrnic_logtype, "MRNIC: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

#define MRNIC_DRIVER_NAME net_mrnic
#define MRNIC_MAX_QUEUES 16
#define MRNIC_DEFAULT_QUEUES 8
#define MRNIC_MAX_SEGS 64		/* segments per packet, Tx and Rx */
#define MRNIC_MAX_PKTLEN 16384
#define MRNIC_BURST 32			/* packets per reader section */
#define MRNIC_MIN_DESC 32
#define MRNIC_MAX_DESC 8192

struct mrnic_port;

/* What the device writes on an Rx queue: a completion descriptor. */
struct mrnic_rx_desc {
	struct rte_mbuf *m;	/* first Rx buffer, chain filled */
	rte_iova_t iova;	/* IOVA the device wrote to (first buffer) */
	uint32_t len;		/* packet length */
	uint32_t key;		/* MR key of the first Rx buffer */
};

struct mrnic_rxq {
	struct mrnic_port *port;
	uint16_t qid;
	struct rte_ring *ring;		/* MPSC ring of mrnic_rx_desc */
	struct rte_mempool *mp;
	uint16_t buf_room;		/* data room after headroom */
	/* consumer (Rx burst) counters */
	uint64_t ipackets;
	uint64_t ibytes;
	/* producer counters (the peer's Tx queues): atomic */
	uint64_t missed;		/* ring full */
	uint64_t nombuf;		/* no Rx buffer */
	uint64_t errors;		/* too long, or dma_fault */
	uint64_t dma_fault;		/* Rx buffer not mapped */
	uint64_t dma_pkts;		/* packets written into Rx buffers */
	uint64_t filtered;		/* not for this port's MAC */
};

/* Source or destination buffer of a DMA, as the device sees it. */
struct mrnic_dma_desc {
	uintptr_t va;
	rte_iova_t iova;
	uint32_t len;
	uint32_t key;
};

struct mrnic_txq {
	struct mrnic_port *port;
	uint16_t qid;
	uint16_t nb_desc;
	/* reader section counter: odd while inside a burst */
	uint64_t seq;
	/* process that runs the queue's bursts (written on change only), so
	 * that a wait for a section abandoned by a killed process ends
	 */
	int pid;
	struct mrnic_mr_ctrl src;	/* own device's table */
	struct mrnic_mr_ctrl dst;	/* peer device's table */
	uint64_t opackets;
	uint64_t obytes;
	uint64_t oerrors;
	uint64_t dma_fault;		/* source buffer not mapped */
	struct mrnic_dma_desc sdesc[MRNIC_MAX_SEGS];
	struct mrnic_dma_desc ddesc[MRNIC_MAX_SEGS];
} __rte_cache_aligned;

struct mrnic_port {
	TAILQ_ENTRY(mrnic_port) next;	/* primary's list of ports */
	/* the ethdev's shared data: struct rte_eth_dev (rte_eth_devices[])
	 * is process-local, see mrnic_eth()
	 */
	struct rte_eth_dev_data *data;
	char name[RTE_DEV_NAME_MAX_LEN];
	char peer_name[RTE_DEV_NAME_MAX_LEN];	/* devarg, "" auto */
	bool auto_pair;		/* pairs by creation order */
	struct mrnic_port *peer;	/* self when looping back (atomic) */
	uint32_t started;	/* atomic */
	uint16_t max_queues;
	struct rte_ether_addr mac;
	struct mrnic_mr_table mr;	/* own table (no shared domain) */
	struct mrnic_mr_table *mrt;	/* table in use: &mr or a domain's */
	bool mem_cb;		/* memory event callback registered */
	bool closed;		/* dev_close done: the table is gone */
	struct mrnic_txq *txqs[MRNIC_MAX_QUEUES];
	struct mrnic_rxq *rxqs[MRNIC_MAX_QUEUES];
};

/* This process's ethdev of a port (control path). */
static inline struct rte_eth_dev *
mrnic_eth(const struct mrnic_port *port)
{
	return &rte_eth_devices[port->data->port_id];
}

/* Refuse a control operation outside the primary process: -E_RTE_SECONDARY
 * and a log line naming the operation, nothing changed; 0 in the primary.
 */
int mrnic_primary_only(const struct mrnic_port *port, const char *op);

/* Global control lock (a mutex): pairing, queue arrays, quiescence. Its
 * holder may wait for Tx reader sections; the datapath never takes it.
 * Never held while allocating or freeing EAL memory (memory event
 * callbacks take it) nor across a call that can call back into the driver.
 */
void mrnic_ctl_lock(void);
void mrnic_ctl_unlock(void);

/* Wait until no Tx queue reading @p port's MR table (its own and its
 * peer's) is inside a burst that began before the call.
 */
void mrnic_quiesce(void *port);
/* Same for the Tx queues of one port (caller holds the control lock). */
void mrnic_quiesce_txqs(struct mrnic_port *port);
/* Same for the Tx queues of every port (readers of a shared table). */
void mrnic_quiesce_all(void);

/* Shared DMA domains (mrnic_domain.c): the table of a domain, made on its
 * first port; NULL with rte_errno (EEXIST: other parameters, ENOMEM).
 */
struct mrnic_mr_table *mrnic_domain_get(const char *name,
	enum mrnic_mr_mode mode, uint32_t max_map, bool eal_heap);
/* A port of the domain is closed; the last one frees the table. */
void mrnic_domain_put(struct mrnic_mr_table *tbl);

/* Process id of this process (cached at the first probe). */
extern int mrnic_pid;

/* rxtx */
uint16_t mrnic_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n);
uint16_t mrnic_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n);
void mrnic_rxq_drain(struct mrnic_rxq *rxq);

/* Enter/leave the reader section of a Tx queue. */
static __rte_always_inline void
mrnic_txq_enter(struct mrnic_txq *q)
{
	uint64_t seq = q->seq;

	if (unlikely(q->pid != mrnic_pid)) {
		/* taken over: odd if the last process died in a section
		 * (stays odd, with a new value for a waiter)
		 */
		__atomic_store_n(&q->pid, mrnic_pid, __ATOMIC_RELAXED);
		seq += seq & 1;
	}
	__atomic_store_n(&q->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static __rte_always_inline void
mrnic_txq_leave(struct mrnic_txq *q)
{
	__atomic_store_n(&q->seq, q->seq + 1, __ATOMIC_RELEASE);
}

/* stats (mrnic_stats.c) */
int mrnic_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st);
int mrnic_stats_reset(struct rte_eth_dev *dev);
int mrnic_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
	unsigned int n);
int mrnic_xstats_get_names(struct rte_eth_dev *dev,
	struct rte_eth_xstat_name *names, unsigned int size);
int mrnic_xstats_reset(struct rte_eth_dev *dev);

/* Port of an ethdev port id, NULL (rte_errno set) if not an mrnic port. */
struct mrnic_port *mrnic_port_get(uint16_t port_id);

#endif /* MRNIC_H */
