/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test.h"
#include "test_mrnic_util.h"

int
mrnic_t_probe(const char *name, const char *mode, const char *peer,
	const char *extra, uint16_t *port)
{
	char args[128];

	snprintf(args, sizeof(args), "mr=%s,peer=%s%s", mode, peer, extra);
	TEST_ASSERT_EQ(rte_vdev_init(name, args), 0, "probe %s,%s", name,
		args);
	TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name(name, port), 0,
		"port of %s", name);
	return TEST_SUCCESS;
}

int
mrnic_t_pair_create(struct mrnic_t_pair *p, const char *tag,
	const char *mode, uint16_t nq, uint16_t nb_desc,
	struct rte_mempool *mp0, struct rte_mempool *mp1, bool scatter)
{
	struct rte_eth_conf conf;
	unsigned int i;
	uint16_t q;

	memset(p, 0, sizeof(*p));
	p->nq = nq;
	snprintf(p->name[0], MRNIC_T_NAMESZ, "net_mrnic_%sa", tag);
	snprintf(p->name[1], MRNIC_T_NAMESZ, "net_mrnic_%sb", tag);
	for (i = 0; i < 2; i++)
		TEST_RUN(mrnic_t_probe(p->name[i], mode, p->name[1 - i], "",
			&p->port[i]));
	memset(&conf, 0, sizeof(conf));
	if (scatter)
		conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	for (i = 0; i < 2; i++) {
		uint16_t port = p->port[i];

		TEST_ASSERT_EQ(rte_eth_dev_configure(port, nq, nq, &conf), 0,
			"configure port %u", port);
		for (q = 0; q < nq; q++) {
			TEST_ASSERT_EQ(rte_eth_rx_queue_setup(port, q, nb_desc,
				SOCKET_ID_ANY, NULL, i == 0 ? mp0 : mp1), 0,
				"rxq %u of port %u", q, port);
			TEST_ASSERT_EQ(rte_eth_tx_queue_setup(port, q, nb_desc,
				SOCKET_ID_ANY, NULL), 0, "txq %u of port %u", q,
				port);
		}
	}
	for (i = 0; i < 2; i++)
		TEST_ASSERT_EQ(rte_eth_dev_start(p->port[i]), 0, "start %u",
			p->port[i]);
	p->started = true;
	return TEST_SUCCESS;
}

void
mrnic_t_pair_destroy(struct mrnic_t_pair *p)
{
	unsigned int i;
	uint16_t port;

	for (i = 0; i < 2; i++) {
		if (p->name[i][0] == '\0' ||
				rte_eth_dev_get_port_by_name(p->name[i], &port) != 0)
			continue;
		rte_eth_dev_stop(port);
	}
	for (i = 0; i < 2; i++) {
		if (p->name[i][0] != '\0' &&
				rte_eth_dev_get_port_by_name(p->name[i], &port) == 0)
			rte_vdev_uninit(p->name[i]);
		p->name[i][0] = '\0';
	}
	p->started = false;
}

int
mrnic_t_port(const char *name, uint16_t *port)
{
	TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name(name, port), 0, "port %s",
		name);
	return TEST_SUCCESS;
}

struct rte_device *
mrnic_t_port_dev(uint16_t port)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(port, &info) != 0)
		return NULL;
	return info.device;
}

uint64_t
mrnic_t_xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0)
		return UINT64_MAX;
	if (rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

uint64_t
mrnic_t_xstat_rxtx(uint16_t port, const char *name)
{
	char rx[RTE_ETH_XSTATS_NAME_SIZE], tx[RTE_ETH_XSTATS_NAME_SIZE];
	uint64_t r, t;

	snprintf(rx, sizeof(rx), "rx_%s", name);
	snprintf(tx, sizeof(tx), "tx_%s", name);
	r = mrnic_t_xstat(port, rx);
	t = mrnic_t_xstat(port, tx);
	return r == UINT64_MAX || t == UINT64_MAX ? UINT64_MAX : r + t;
}

struct rte_mempool *
mrnic_t_pool(const char *name, unsigned int n, uint16_t data_room)
{
	return rte_pktmbuf_pool_create(name, n, 0, 0,
		data_room + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
}

struct rte_mempool *
mrnic_t_pool_on(const char *name, unsigned int n, uint16_t data_room,
	void *addr, size_t len, size_t pg_sz)
{
	struct rte_pktmbuf_pool_private priv;
	struct rte_mempool *mp;
	int ret;

	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) +
		RTE_PKTMBUF_HEADROOM + data_room, 0, sizeof(priv),
		SOCKET_ID_ANY, 0);
	if (mp == NULL)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, "ring_mp_mc", NULL) != 0)
		goto fail;
	memset(&priv, 0, sizeof(priv));
	priv.mbuf_data_room_size = RTE_PKTMBUF_HEADROOM + data_room;
	rte_pktmbuf_pool_init(mp, &priv);
	ret = rte_mempool_populate_virt(mp, addr, len, pg_sz, NULL, NULL);
	if (ret <= 0) {
		rte_errno = ret < 0 ? -ret : ENOMEM;
		goto fail;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
fail:
	rte_mempool_free(mp);
	return NULL;
}

void
mrnic_t_pattern(uint8_t *dst, uint32_t len, uint32_t seed)
{
	uint32_t i, x = seed * 2654435761u + 1;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		dst[i] = (uint8_t)x;
	}
	/* a broadcast destination, so no MAC filter drops it */
	if (len >= RTE_ETHER_ADDR_LEN)
		memset(dst, 0xff, RTE_ETHER_ADDR_LEN);
}

struct rte_mbuf *
mrnic_t_pkt(struct rte_mempool *mp, uint32_t len, unsigned int nseg,
	uint32_t seed)
{
	uint8_t buf[16384];
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t off = 0;
	unsigned int s;

	if (len > sizeof(buf) || nseg == 0)
		return NULL;
	mrnic_t_pattern(buf, len, seed);
	for (s = 0; s < nseg; s++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t chunk = s + 1 == nseg ? len - off : len / nseg;
		char *d;

		if (m == NULL || chunk > rte_pktmbuf_tailroom(m)) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(head);
			return NULL;
		}
		d = rte_pktmbuf_append(m, (uint16_t)chunk);
		memcpy(d, buf + off, chunk);
		off += chunk;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += chunk;
		}
		last = m;
	}
	return head;
}

int
mrnic_t_pkt_check(const struct rte_mbuf *m, uint32_t len, uint32_t seed)
{
	uint8_t want[16384], got[16384];
	const uint8_t *p;

	TEST_ASSERT_EQ(m->pkt_len, len, "received packet length");
	TEST_ASSERT(len <= sizeof(got), "length");
	p = rte_pktmbuf_read(m, 0, len, got);
	TEST_ASSERT_NOT_NULL(p, "read packet");
	mrnic_t_pattern(want, len, seed);
	TEST_ASSERT_MEM_EQ(p, want, len, "packet bytes (seed %u)", seed);
	return TEST_SUCCESS;
}

int
mrnic_t_roundtrip(struct rte_mempool *mp, uint16_t tx_port,
	uint16_t tx_queue, uint16_t rx_port, uint16_t rx_queue, unsigned int n,
	uint32_t len, unsigned int nseg, uint32_t seed)
{
	struct rte_mbuf *pkts[64], *rx[64];
	unsigned int i, got = 0, tries;
	uint16_t sent;

	TEST_ASSERT(n <= RTE_DIM(pkts), "burst too large");
	for (i = 0; i < n; i++) {
		pkts[i] = mrnic_t_pkt(mp, len, nseg, seed + i);
		TEST_ASSERT_NOT_NULL(pkts[i], "packet %u of %u bytes", i, len);
	}
	sent = rte_eth_tx_burst(tx_port, tx_queue, pkts, (uint16_t)n);
	TEST_ASSERT_EQ(sent, n, "Tx burst takes everything");
	for (tries = 0; tries < 100 && got < n; tries++)
		got += rte_eth_rx_burst(rx_port, rx_queue, rx + got,
			(uint16_t)(n - got));
	TEST_ASSERT_EQ(got, n, "received on port %u queue %u", rx_port,
		rx_queue);
	for (i = 0; i < n; i++) {
		int ret = mrnic_t_pkt_check(rx[i], len, seed + i);

		if (ret == TEST_SUCCESS && rx[i]->port != rx_port)
			ret = TEST_FAILED;
		if (ret != TEST_SUCCESS) {
			TEST_LOG("packet %u (port field %u)", i, rx[i]->port);
			rte_pktmbuf_free_bulk(rx + i, n - i);
			return TEST_FAILED;
		}
		rte_pktmbuf_free(rx[i]);
	}
	return TEST_SUCCESS;
}

unsigned int
mrnic_t_drain(uint16_t port, uint16_t nq)
{
	struct rte_mbuf *rx[32];
	unsigned int total = 0, n;
	uint16_t q;

	for (q = 0; q < nq; q++) {
		do {
			n = rte_eth_rx_burst(port, q, rx, RTE_DIM(rx));
			rte_pktmbuf_free_bulk(rx, n);
			total += n;
		} while (n > 0);
	}
	return total;
}
