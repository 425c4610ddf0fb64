/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Basic and extended statistics. Rx queue counters that the peer's Tx
 * queues produce are atomic; the others have a single writer (the queue's
 * lcore). A reset zeroes them, as most PMDs do: an increment racing with
 * the reset may survive it.
 */

#include <string.h>

#include "mrnic.h"

/*
 * Names follow ethdev's scheme: direction (rx, tx, or none for the port's
 * table), details, unit last. Counters first; the gauges at the end are
 * states, not counts, and a reset leaves them alone.
 */
enum mrnic_xstat {
	MRNIC_XS_RX_DMA_PKTS,
	MRNIC_XS_RX_DMA_FAULT,
	MRNIC_XS_RX_FILTERED,
	MRNIC_XS_RX_MR_HIT,
	MRNIC_XS_RX_MR_MISS,
	MRNIC_XS_TX_DMA_FAULT,
	MRNIC_XS_TX_MR_HIT,
	MRNIC_XS_TX_MR_MISS,
	MRNIC_XS_MR_REG,
	/* gauges */
	MRNIC_XS_MR_ENTRIES,
	MRNIC_XS_MR_GEN,
	MRNIC_XS_N
};

static const char *const mrnic_xstat_names[MRNIC_XS_N] = {
	[MRNIC_XS_RX_DMA_PKTS] = "rx_dma_packets",
	[MRNIC_XS_RX_DMA_FAULT] = "rx_dma_fault_errors",
	[MRNIC_XS_RX_FILTERED] = "rx_filtered_packets",
	[MRNIC_XS_RX_MR_HIT] = "rx_mr_cache_hits",
	[MRNIC_XS_RX_MR_MISS] = "rx_mr_cache_misses",
	[MRNIC_XS_TX_DMA_FAULT] = "tx_dma_fault_errors",
	[MRNIC_XS_TX_MR_HIT] = "tx_mr_cache_hits",
	[MRNIC_XS_TX_MR_MISS] = "tx_mr_cache_misses",
	[MRNIC_XS_MR_REG] = "mr_miss_registrations",
	[MRNIC_XS_MR_ENTRIES] = "mr_entries",
	[MRNIC_XS_MR_GEN] = "mr_generation",
};

static uint64_t
ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void
zero(uint64_t *p)
{
	__atomic_store_n(p, 0, __ATOMIC_RELAXED);
}

int
mrnic_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct mrnic_port *port = dev->data->dev_private;
	unsigned int i;

	for (i = 0; i < MRNIC_MAX_QUEUES; i++) {
		const struct mrnic_rxq *rxq = port->rxqs[i];
		const struct mrnic_txq *txq = port->txqs[i];

		if (rxq != NULL) {
			uint64_t p = ld(&rxq->ipackets), b = ld(&rxq->ibytes);
			uint64_t e = ld(&rxq->errors);

			st->ipackets += p;
			st->ibytes += b;
			st->imissed += ld(&rxq->missed);
			st->ierrors += e;
			st->rx_nombuf += ld(&rxq->nombuf);
			if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
				st->q_ipackets[i] = p;
				st->q_ibytes[i] = b;
				st->q_errors[i] = e;
			}
		}
		if (txq != NULL) {
			uint64_t p = ld(&txq->opackets), b = ld(&txq->obytes);

			st->opackets += p;
			st->obytes += b;
			st->oerrors += ld(&txq->oerrors);
			if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
				st->q_opackets[i] = p;
				st->q_obytes[i] = b;
			}
		}
	}
	return 0;
}

int
mrnic_stats_reset(struct rte_eth_dev *dev)
{
	struct mrnic_port *port = dev->data->dev_private;
	unsigned int i;

	for (i = 0; i < MRNIC_MAX_QUEUES; i++) {
		struct mrnic_rxq *rxq = port->rxqs[i];
		struct mrnic_txq *txq = port->txqs[i];

		if (rxq != NULL) {
			zero(&rxq->ipackets);
			zero(&rxq->ibytes);
			zero(&rxq->missed);
			zero(&rxq->errors);
			zero(&rxq->nombuf);
		}
		if (txq != NULL) {
			zero(&txq->opackets);
			zero(&txq->obytes);
			zero(&txq->oerrors);
		}
	}
	return 0;
}

/* Lookups made in this port's MR table: by its own Tx queues (source
 * buffers: tx) and by its peer's Tx queues (this port's Rx buffers: rx).
 * With v NULL, zero them instead.
 */
static void
mrnic_mr_lookups(struct mrnic_port *port, uint64_t *v)
{
	struct mrnic_port *peer;
	unsigned int i;

	mrnic_ctl_lock();
	peer = port->peer;
	for (i = 0; i < MRNIC_MAX_QUEUES; i++) {
		struct mrnic_txq *own = port->txqs[i];
		struct mrnic_txq *other = peer->txqs[i];

		if (own != NULL && v != NULL) {
			v[MRNIC_XS_TX_MR_HIT] += ld(&own->src.hit);
			v[MRNIC_XS_TX_MR_MISS] += ld(&own->src.miss);
		} else if (own != NULL) {
			zero(&own->src.hit);
			zero(&own->src.miss);
		}
		if (other != NULL && v != NULL) {
			v[MRNIC_XS_RX_MR_HIT] += ld(&other->dst.hit);
			v[MRNIC_XS_RX_MR_MISS] += ld(&other->dst.miss);
		} else if (other != NULL) {
			zero(&other->dst.hit);
			zero(&other->dst.miss);
		}
	}
	mrnic_ctl_unlock();
}

static void
mrnic_xstats_collect(struct mrnic_port *port, uint64_t v[MRNIC_XS_N])
{
	unsigned int i;

	memset(v, 0, sizeof(uint64_t) * MRNIC_XS_N);
	for (i = 0; i < MRNIC_MAX_QUEUES; i++) {
		const struct mrnic_rxq *rxq = port->rxqs[i];
		const struct mrnic_txq *txq = port->txqs[i];

		if (txq != NULL)
			v[MRNIC_XS_TX_DMA_FAULT] += ld(&txq->dma_fault);
		if (rxq != NULL) {
			v[MRNIC_XS_RX_DMA_FAULT] += ld(&rxq->dma_fault);
			v[MRNIC_XS_RX_DMA_PKTS] += ld(&rxq->dma_pkts);
			v[MRNIC_XS_RX_FILTERED] += ld(&rxq->filtered);
		}
	}
	mrnic_mr_lookups(port, v);
	v[MRNIC_XS_MR_REG] = ld(&port->mrt->reg_on_miss);
	v[MRNIC_XS_MR_ENTRIES] = mrnic_mr_entries(port->mrt);
	v[MRNIC_XS_MR_GEN] = __atomic_load_n(&port->mrt->gen,
		__ATOMIC_RELAXED);
}

int
mrnic_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
	unsigned int n)
{
	uint64_t v[MRNIC_XS_N];
	unsigned int i;

	if (xs == NULL || n < MRNIC_XS_N)
		return MRNIC_XS_N;
	mrnic_xstats_collect(dev->data->dev_private, v);
	for (i = 0; i < MRNIC_XS_N; i++) {
		xs[i].id = i;
		xs[i].value = v[i];
	}
	return MRNIC_XS_N;
}

int
mrnic_xstats_get_names(struct rte_eth_dev *dev __rte_unused,
	struct rte_eth_xstat_name *names, unsigned int size)
{
	unsigned int i;

	if (names == NULL || size < MRNIC_XS_N)
		return MRNIC_XS_N;
	for (i = 0; i < MRNIC_XS_N; i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s",
			mrnic_xstat_names[i]);
	return MRNIC_XS_N;
}

int
mrnic_xstats_reset(struct rte_eth_dev *dev)
{
	struct mrnic_port *port = dev->data->dev_private;
	unsigned int i;

	/* counters only: mr_entries and mr_generation are gauges */
	for (i = 0; i < MRNIC_MAX_QUEUES; i++) {
		struct mrnic_rxq *rxq = port->rxqs[i];
		struct mrnic_txq *txq = port->txqs[i];

		if (txq != NULL)
			zero(&txq->dma_fault);
		if (rxq != NULL) {
			zero(&rxq->dma_fault);
			zero(&rxq->dma_pkts);
			zero(&rxq->filtered);
		}
	}
	mrnic_mr_lookups(port, NULL);
	zero(&port->mrt->reg_on_miss);
	return mrnic_stats_reset(dev);
}
