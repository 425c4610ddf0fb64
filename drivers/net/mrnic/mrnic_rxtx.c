/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Datapath. A Tx burst is the device at work: for every packet it builds
 * source DMA descriptors (VA, IOVA, key per segment) through its MR table,
 * takes Rx buffers from the peer's Rx queue mempool, translates them
 * through the peer's MR table, copies ("DMA") and posts a completion
 * descriptor on the peer's Rx ring (multi-producer, single-consumer,
 * lock-free). A buffer that does not translate is never touched: the
 * packet is dropped and counted as a DMA fault.
 *
 * All of that happens inside the Tx queue's reader section (see
 * mrnic_txq_enter()); the transmitted mbufs (and Rx buffers of dropped
 * packets) are freed only after leaving it, so an mbuf free callback may
 * unmap memory without waiting for its own queue.
 *
 * Any process may run the bursts of a queue it was given (one process per
 * queue at a time): every pointer followed here leads to EAL memory. The
 * MR table of the queue's own port grows, when a registration found it
 * full, after a burst (outside the reader section; the port is alive
 * while its queues are used, its peer may not be).
 */

#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_ring_elem.h>

#include "mrnic.h"

enum mrnic_dma_res {
	MRNIC_DMA_OK = 0,
	MRNIC_DMA_TX_ERR,	/* malformed or too many segments */
	MRNIC_DMA_SRC_FAULT,	/* a Tx buffer is not mapped */
	MRNIC_DMA_DST_FAULT,	/* an Rx buffer is not mapped */
	MRNIC_DMA_NOMBUF,	/* no Rx buffer */
	MRNIC_DMA_RX_ERR,	/* does not fit (no scatter) */
	MRNIC_DMA_FILTERED,	/* not for the receiver's MAC */
};

/* Would the receiving port accept this destination MAC? */
static inline bool
mrnic_rx_accept(const struct mrnic_port *rx, const struct rte_ether_addr *d)
{
	const struct rte_eth_dev_data *data = rx->data;

	if (data->promiscuous)
		return true;
	if (rte_is_broadcast_ether_addr(d))
		return true;
	if (rte_is_multicast_ether_addr(d))
		return data->all_multicast != 0;
	return rte_is_same_ether_addr(d, &data->mac_addrs[0]);
}

/* Build the source descriptors of pkt; *len receives the packet length. */
static inline enum mrnic_dma_res
mrnic_dma_src(struct mrnic_txq *txq, struct rte_mbuf *pkt, bool xlate,
	unsigned int *nsp, uint32_t *len)
{
	struct rte_mbuf *seg;
	unsigned int ns = 0;
	uint32_t total = 0;

	for (seg = pkt; seg != NULL; seg = seg->next) {
		struct mrnic_dma_desc *d;

		if (seg->data_len == 0)
			continue;
		if (ns == MRNIC_MAX_SEGS)
			return MRNIC_DMA_TX_ERR;
		d = &txq->sdesc[ns++];
		d->va = rte_pktmbuf_mtod(seg, uintptr_t);
		d->len = seg->data_len;
		total += seg->data_len;
		if (!xlate) {
			d->iova = rte_pktmbuf_iova(seg);
			d->key = 0;
		} else if (mrnic_mr_xlate(&txq->src, d->va, d->len, &d->iova,
				&d->key) < 0) {
			return MRNIC_DMA_SRC_FAULT;
		}
	}
	if (total != pkt->pkt_len || total > MRNIC_MAX_PKTLEN)
		return MRNIC_DMA_TX_ERR;
	*nsp = ns;
	*len = total;
	return MRNIC_DMA_OK;
}

/* Take and translate the Rx buffers for len bytes. */
static inline enum mrnic_dma_res
mrnic_dma_dst(struct mrnic_txq *txq, struct mrnic_rxq *rxq, uint32_t len,
	bool xlate, bool scatter, struct rte_mbuf **bufs, unsigned int *ndp)
{
	unsigned int nd, i;
	uint32_t left = len;

	nd = len == 0 ? 1 : (len + rxq->buf_room - 1) / rxq->buf_room;
	if (nd > 1 && !scatter)
		return MRNIC_DMA_RX_ERR;
	if (nd > MRNIC_MAX_SEGS)
		return MRNIC_DMA_RX_ERR;
	if (rte_pktmbuf_alloc_bulk(rxq->mp, bufs, nd) != 0)
		return MRNIC_DMA_NOMBUF;
	for (i = 0; i < nd; i++) {
		struct mrnic_dma_desc *d = &txq->ddesc[i];

		d->va = rte_pktmbuf_mtod(bufs[i], uintptr_t);
		d->len = RTE_MIN(left, (uint32_t)rxq->buf_room);
		left -= d->len;
		if (!xlate) {
			d->iova = rte_pktmbuf_iova(bufs[i]);
			d->key = 0;
		} else if (mrnic_mr_xlate(&txq->dst, d->va,
				RTE_MAX(d->len, 1u), &d->iova, &d->key) < 0) {
			*ndp = nd;
			return MRNIC_DMA_DST_FAULT;
		}
	}
	*ndp = nd;
	return MRNIC_DMA_OK;
}

/* Copy between the descriptor lists (the "DMA") and chain the Rx buffers. */
static inline void
mrnic_dma_copy(struct mrnic_txq *txq, struct rte_mbuf **bufs, unsigned int nd,
	uint32_t len, uint16_t rx_port)
{
	unsigned int si = 0, di;
	uint32_t soff = 0;

	for (di = 0; di < nd; di++) {
		const struct mrnic_dma_desc *d = &txq->ddesc[di];
		uint32_t doff = 0;

		while (doff < d->len) {
			const struct mrnic_dma_desc *s = &txq->sdesc[si];
			uint32_t n = RTE_MIN(d->len - doff, s->len - soff);

			rte_memcpy((void *)(d->va + doff),
				(const void *)(s->va + soff), n);
			doff += n;
			soff += n;
			if (soff == s->len) {
				si++;
				soff = 0;
			}
		}
		bufs[di]->data_len = (uint16_t)d->len;
		bufs[di]->next = di + 1 < nd ? bufs[di + 1] : NULL;
	}
	bufs[0]->pkt_len = len;
	bufs[0]->nb_segs = (uint16_t)nd;
	bufs[0]->port = rx_port;
}

static enum mrnic_dma_res
mrnic_dma_pkt(struct mrnic_txq *txq, struct mrnic_port *peer,
	struct mrnic_rxq *rxq, struct rte_mbuf *pkt, bool xlate,
	struct mrnic_rx_desc *rd, struct rte_mbuf **drop)
{
	struct rte_mbuf *bufs[MRNIC_MAX_SEGS];
	unsigned int ns, nd = 0, i;
	enum mrnic_dma_res res;
	bool scatter;
	uint32_t len;

	*drop = NULL;
	res = mrnic_dma_src(txq, pkt, xlate, &ns, &len);
	if (res != MRNIC_DMA_OK)
		return res;
	/* the receiver's MAC filter reads the header it was given */
	if (len >= RTE_ETHER_HDR_LEN && txq->sdesc[0].len >= RTE_ETHER_ADDR_LEN &&
			!mrnic_rx_accept(peer, (const struct rte_ether_addr *)
				txq->sdesc[0].va))
		return MRNIC_DMA_FILTERED;
	scatter = peer->data->scattered_rx ||
		(peer->data->dev_conf.rxmode.offloads &
			RTE_ETH_RX_OFFLOAD_SCATTER);
	res = mrnic_dma_dst(txq, rxq, len, xlate, scatter, bufs, &nd);
	if (res != MRNIC_DMA_OK) {
		if (res == MRNIC_DMA_DST_FAULT) {
			/* chain the untouched buffers for one free */
			for (i = 0; i < nd; i++) {
				bufs[i]->next = i + 1 < nd ? bufs[i + 1] : NULL;
				bufs[i]->data_len = 0;
			}
			bufs[0]->nb_segs = (uint16_t)nd;
			bufs[0]->pkt_len = 0;
			*drop = bufs[0];
		}
		return res;
	}
	mrnic_dma_copy(txq, bufs, nd, len, peer->data->port_id);
	rd->m = bufs[0];
	rd->iova = txq->ddesc[0].iova;
	rd->len = len;
	rd->key = txq->ddesc[0].key;
	return MRNIC_DMA_OK;
}

/* One reader section: up to MRNIC_BURST packets. Fills to_free. */
static unsigned int
mrnic_tx_chunk(struct mrnic_txq *txq, struct rte_mbuf **pkts, uint16_t k,
	struct rte_mbuf **to_free)
{
	struct mrnic_rx_desc rd[MRNIC_BURST];
	struct mrnic_port *port = txq->port;
	struct mrnic_port *peer;
	struct mrnic_rxq *rxq = NULL;
	unsigned int nfree = 0, nd = 0, space, enq, i;
	uint64_t missed = 0, nombuf = 0, rxerr = 0, dfault = 0, filtered = 0;
	bool xlate;
	uint16_t nrxq;

	for (i = 0; i < k; i++)
		to_free[nfree++] = pkts[i];
	peer = __atomic_load_n(&port->peer, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&port->started, __ATOMIC_ACQUIRE) &&
			__atomic_load_n(&peer->started, __ATOMIC_ACQUIRE)) {
		nrxq = peer->data->nb_rx_queues;
		if (nrxq > 0)
			rxq = peer->rxqs[txq->qid % nrxq];
	}
	if (rxq == NULL) {
		/* link down: the wire drops everything */
		txq->oerrors += k;
		return nfree;
	}
	xlate = port->mrt->mode != MRNIC_MR_OFF;
	if (xlate) {
		mrnic_mr_ctrl_sync(&txq->src, port->mrt);
		mrnic_mr_ctrl_sync(&txq->dst, peer->mrt);
	}
	space = rte_ring_free_count(rxq->ring);
	for (i = 0; i < k; i++) {
		struct rte_mbuf *pkt = pkts[i];
		struct rte_mbuf *drop;
		enum mrnic_dma_res res;

		if (nd >= space) {
			txq->opackets++;
			txq->obytes += pkt->pkt_len;
			missed++;
			continue;
		}
		res = mrnic_dma_pkt(txq, peer, rxq, pkt, xlate, &rd[nd], &drop);
		if (drop != NULL)
			to_free[nfree++] = drop;
		switch (res) {
		case MRNIC_DMA_TX_ERR:
			txq->oerrors++;
			continue;
		case MRNIC_DMA_SRC_FAULT:
			txq->dma_fault++;
			txq->oerrors++;
			continue;
		case MRNIC_DMA_OK:
			nd++;
			break;
		case MRNIC_DMA_DST_FAULT:
			dfault++;
			rxerr++;
			break;
		case MRNIC_DMA_NOMBUF:
			nombuf++;
			break;
		case MRNIC_DMA_RX_ERR:
			rxerr++;
			break;
		case MRNIC_DMA_FILTERED:
			filtered++;
			break;
		}
		/* on the wire */
		txq->opackets++;
		txq->obytes += pkt->pkt_len;
	}
	enq = nd == 0 ? 0 : rte_ring_mp_enqueue_burst_elem(rxq->ring, rd,
		sizeof(rd[0]), nd, NULL);
	for (i = enq; i < nd; i++) {
		to_free[nfree++] = rd[i].m;
		missed++;
	}
	if (enq > 0)
		__atomic_add_fetch(&rxq->dma_pkts, enq, __ATOMIC_RELAXED);
	if (missed > 0)
		__atomic_add_fetch(&rxq->missed, missed, __ATOMIC_RELAXED);
	if (nombuf > 0)
		__atomic_add_fetch(&rxq->nombuf, nombuf, __ATOMIC_RELAXED);
	if (rxerr > 0)
		__atomic_add_fetch(&rxq->errors, rxerr, __ATOMIC_RELAXED);
	if (dfault > 0)
		__atomic_add_fetch(&rxq->dma_fault, dfault, __ATOMIC_RELAXED);
	if (filtered > 0)
		__atomic_add_fetch(&rxq->filtered, filtered, __ATOMIC_RELAXED);
	return nfree;
}

uint16_t
mrnic_tx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *to_free[2 * MRNIC_BURST];
	struct mrnic_txq *txq = q;
	uint16_t done = 0;

	while (done < n) {
		uint16_t k = RTE_MIN(n - done, MRNIC_BURST);
		unsigned int nfree;

		mrnic_txq_enter(txq);
		nfree = mrnic_tx_chunk(txq, pkts + done, k, to_free);
		mrnic_txq_leave(txq);
		/* completions: after the reader section (see file comment) */
		rte_pktmbuf_free_bulk(to_free, nfree);
		done += k;
	}
	mrnic_mr_grow_pending(txq->port->mrt);
	return n;
}

uint16_t
mrnic_rx_burst(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	struct mrnic_rx_desc rd[MRNIC_BURST];
	struct mrnic_rxq *rxq = q;
	uint16_t got = 0;
	uint64_t bytes = 0;

	while (got < n) {
		unsigned int k = RTE_MIN(n - got, MRNIC_BURST), m, i;

		m = rte_ring_sc_dequeue_burst_elem(rxq->ring, rd, sizeof(rd[0]),
			k, NULL);
		for (i = 0; i < m; i++) {
			pkts[got + i] = rd[i].m;
			bytes += rd[i].len;
		}
		got += m;
		if (m < k)
			break;
	}
	rxq->ipackets += got;
	rxq->ibytes += bytes;
	/* Rx buffers register on miss in the receiver's table */
	mrnic_mr_grow_pending(rxq->port->mrt);
	return got;
}

void
mrnic_rxq_drain(struct mrnic_rxq *rxq)
{
	struct mrnic_rx_desc rd[MRNIC_BURST];
	unsigned int m, i;

	do {
		m = rte_ring_sc_dequeue_burst_elem(rxq->ring, rd, sizeof(rd[0]),
			MRNIC_BURST, NULL);
		for (i = 0; i < m; i++)
			rte_pktmbuf_free(rd[i].m);
	} while (m > 0);
}
