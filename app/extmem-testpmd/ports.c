/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#include <errno.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "etp.h"

/* The pair of ports created when none is given. */
static const char * const mrnic_names[] = { "net_mrnic0", "net_mrnic1" };

static uint16_t ports[RTE_MAX_ETHPORTS];
static uint16_t nb_ports;
static char names[RTE_MAX_ETHPORTS][RTE_ETH_NAME_MAX_LEN];
static bool started[RTE_MAX_ETHPORTS];
/* xstats of a DMA device's faults (net_mrnic): Rx and Tx buffers */
static const char * const dma_fault_names[2] = {
	"rx_dma_fault_errors", "tx_dma_fault_errors"
};
static uint64_t dma_fault_id[RTE_MAX_ETHPORTS][2];
static bool has_dma_fault[RTE_MAX_ETHPORTS];

uint16_t
etp_nb_ports(void)
{
	return nb_ports;
}

uint16_t
etp_port_id(uint16_t idx)
{
	return ports[idx];
}

/* Ports forward in pairs (0 <-> 1, 2 <-> 3); an odd last port to itself. */
uint16_t
etp_peer_idx(uint16_t idx)
{
	uint16_t peer = idx ^ 1;

	return peer < nb_ports ? peer : idx;
}

static void
collect_ports(void)
{
	uint16_t pid;

	nb_ports = 0;
	RTE_ETH_FOREACH_DEV(pid) {
		if (rte_eth_dev_get_name_by_port(pid, names[nb_ports]) != 0)
			snprintf(names[nb_ports], sizeof(names[0]), "port%u",
				pid);
		ports[nb_ports++] = pid;
	}
}

const char *
etp_port_name(uint16_t idx)
{
	return names[idx];
}

int
etp_ports_probe(bool *created_mrnic)
{
	unsigned int i;
	int ret;

	*created_mrnic = false;
	collect_ports();
	if (nb_ports > 0)
		return 0;
	for (i = 0; i < RTE_DIM(mrnic_names); i++) {
		/* > 0: no driver took the name; < 0: the driver's probe
		 * failed, -errno (rte_vdev_init() sets no errno)
		 */
		ret = rte_vdev_init(mrnic_names[i], etp_cfg.mrnic_args);
		if (ret != 0) {
			if (ret > 0)
				fprintf(stderr, "no port given and %s cannot "
					"be created: no net_mrnic driver in "
					"the process (link it or load it with "
					"-d)\n", mrnic_names[i]);
			else if (etp_cfg.mrnic_args != NULL)
				fprintf(stderr, "no port given and %s cannot "
					"be created with --mrnic-args %s: %s\n",
					mrnic_names[i], etp_cfg.mrnic_args,
					strerror(-ret));
			else
				fprintf(stderr, "no port given and %s cannot "
					"be created: %s\n", mrnic_names[i],
					strerror(-ret));
			while (i-- > 0)
				rte_vdev_uninit(mrnic_names[i]);
			return -1;
		}
	}
	*created_mrnic = true;
	collect_ports();
	return nb_ports > 0 ? 0 : -1;
}

static uint16_t
ring_size(uint16_t asked, uint16_t dflt)
{
	if (asked != 0)
		return asked;
	return dflt != 0 ? dflt : 512;
}

uint32_t
etp_mbufs_needed(void)
{
	const struct etp_config *c = &etp_cfg;
	struct rte_eth_dev_info info;
	uint64_t n = 0;
	uint16_t i;

	for (i = 0; i < nb_ports; i++) {
		uint16_t rxd = 512, txd = 512;

		if (rte_eth_dev_info_get(ports[i], &info) == 0) {
			rxd = ring_size(c->nb_rxd,
				info.default_rxportconf.ring_size);
			txd = ring_size(c->nb_txd,
				info.default_txportconf.ring_size);
		}
		n += (uint64_t)c->nb_rxq * rxd + (uint64_t)c->nb_txq * txd;
		n += (uint64_t)RTE_MAX(c->nb_rxq, c->nb_txq) * c->burst * 2;
	}
	/* A per-lcore cache may hold up to 1.5 times its size. */
	n += (uint64_t)(c->nb_cores + 1) * c->mb_cache * 3 / 2;
	n = RTE_MAX(n * 2, (uint64_t)8192);
	return (uint32_t)RTE_MIN(n, (uint64_t)UINT32_MAX / 2);
}

static int
port_setup(uint16_t pid, struct rte_mempool *pool)
{
	const struct etp_config *c = &etp_cfg;
	struct rte_eth_conf conf;
	int socket = rte_eth_dev_socket_id(pid);
	uint16_t q, rxd = c->nb_rxd, txd = c->nb_txd;
	int ret;

	memset(&conf, 0, sizeof(conf));
	if (socket < 0)
		socket = SOCKET_ID_ANY;
	ret = rte_eth_dev_configure(pid, c->nb_rxq, c->nb_txq, &conf);
	if (ret != 0) {
		fprintf(stderr, "port %u: configure %u rxq %u txq: %s\n",
			pid, c->nb_rxq, c->nb_txq, strerror(-ret));
		return -1;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &rxd, &txd);
	if (ret != 0 && ret != -ENOTSUP) {
		fprintf(stderr, "port %u: descriptors: %s\n", pid,
			strerror(-ret));
		return -1;
	}
	for (q = 0; q < c->nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(pid, q, rxd, socket, NULL, pool);
		if (ret != 0) {
			fprintf(stderr, "port %u: rx queue %u: %s\n", pid, q,
				strerror(-ret));
			return -1;
		}
	}
	for (q = 0; q < c->nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(pid, q, txd, socket, NULL);
		if (ret != 0) {
			fprintf(stderr, "port %u: tx queue %u: %s\n", pid, q,
				strerror(-ret));
			return -1;
		}
	}
	ret = rte_eth_dev_start(pid);
	if (ret != 0) {
		fprintf(stderr, "port %u: start: %s\n", pid, strerror(-ret));
		return -1;
	}
	started[pid] = true;
	/* Not every driver has promiscuous mode; forwarding works anyway. */
	(void)rte_eth_promiscuous_enable(pid);
	has_dma_fault[pid] = rte_eth_xstats_get_id_by_name(pid,
			dma_fault_names[0], &dma_fault_id[pid][0]) == 0 &&
		rte_eth_xstats_get_id_by_name(pid, dma_fault_names[1],
			&dma_fault_id[pid][1]) == 0;
	(void)rte_eth_stats_reset(pid);
	(void)rte_eth_xstats_reset(pid);
	return 0;
}

int
etp_ports_configure(struct rte_mempool *pool)
{
	uint16_t i;

	for (i = 0; i < nb_ports; i++)
		if (port_setup(ports[i], pool) != 0)
			return -1;
	return 0;
}

int
etp_port_stats_get(uint16_t pid, struct etp_port_stats *st)
{
	struct rte_eth_stats s;

	memset(st, 0, sizeof(*st));
	if (rte_eth_stats_get(pid, &s) != 0)
		return -1;
	st->rx_packets = s.ipackets;
	st->tx_packets = s.opackets;
	st->rx_bytes = s.ibytes;
	st->tx_bytes = s.obytes;
	st->rx_missed = s.imissed;
	st->rx_errors = s.ierrors;
	st->tx_errors = s.oerrors;
	st->rx_nombuf = s.rx_nombuf;
	if (has_dma_fault[pid]) {
		uint64_t v[2];

		st->has_dma_fault = rte_eth_xstats_get_by_id(pid,
			dma_fault_id[pid], v, 2) == 2;
		if (st->has_dma_fault)
			st->dma_fault = v[0] + v[1];
	}
	return 0;
}

/* Receive and free what the ports still hold in their receive queues. */
void
etp_ports_drain(void)
{
	struct rte_mbuf *pkts[ETP_MAX_BURST];
	uint16_t i, q, n;
	unsigned int rounds;

	for (i = 0; i < nb_ports; i++) {
		if (!started[ports[i]])
			continue;
		for (q = 0; q < etp_cfg.nb_rxq; q++) {
			for (rounds = 0; rounds < 100000; rounds++) {
				n = rte_eth_rx_burst(ports[i], q, pkts,
					ETP_MAX_BURST);
				if (n == 0)
					break;
				rte_pktmbuf_free_bulk(pkts, n);
			}
		}
	}
}

void
etp_ports_stop_close(void)
{
	uint16_t i, pid;
	int ret;

	for (i = 0; i < nb_ports; i++) {
		pid = ports[i];
		if (started[pid]) {
			ret = rte_eth_dev_stop(pid);
			if (ret != 0)
				fprintf(stderr, "port %u: stop: %s\n", pid,
					strerror(-ret));
			started[pid] = false;
		}
		ret = rte_eth_dev_close(pid);
		if (ret != 0)
			fprintf(stderr, "port %u: close: %s\n", pid,
				strerror(-ret));
	}
}
