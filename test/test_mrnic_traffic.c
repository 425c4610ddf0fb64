/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * net_mrnic moves packets between paired ports (and a port looping back
 * to itself) in every translation mode: single and multi-segment mbufs,
 * external buffers in EAL memory, several queues, Rx scatter, exact bytes
 * and counters.
 */

#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_mrnic_util.h"

#define DROOM 2048

static void
ext_free_cb(void *addr __rte_unused, void *opaque __rte_unused)
{
}

/* External-buffer mbufs over rte_malloc memory cross the link intact. */
static int
traffic_extbuf(struct rte_mempool *mp, const struct mrnic_t_pair *p)
{
	struct rte_mbuf_ext_shared_info *shinfo;
	struct rte_mbuf *m[4], *rx[4];
	uint16_t len = 4096, i, got = 0, tries;
	uint8_t *buf;

	buf = rte_malloc("mrnic_extbuf", 4 * 8192, 4096);
	TEST_ASSERT_NOT_NULL(buf, "rte_malloc");
	shinfo = rte_malloc("mrnic_shinfo", sizeof(*shinfo), 0);
	TEST_ASSERT_NOT_NULL(shinfo, "rte_malloc shinfo");
	shinfo->free_cb = ext_free_cb;
	shinfo->fcb_opaque = NULL;
	rte_mbuf_ext_refcnt_set(shinfo, 1);
	for (i = 0; i < 4; i++) {
		uint8_t *d = buf + i * 8192 + 100;

		mrnic_t_pattern(d, len, 7000 + i);
		m[i] = rte_pktmbuf_alloc(mp);
		TEST_ASSERT_NOT_NULL(m[i], "mbuf");
		rte_mbuf_ext_refcnt_update(shinfo, 1);
		rte_pktmbuf_attach_extbuf(m[i], d, rte_mem_virt2iova(d),
			len, shinfo);
		m[i]->data_off = 0;
		m[i]->data_len = len;
		m[i]->pkt_len = len;
	}
	TEST_ASSERT_EQ(rte_eth_tx_burst(p->port[0], 0, m, 4), 4, "Tx");
	for (tries = 0; tries < 100 && got < 4; tries++)
		got += rte_eth_rx_burst(p->port[1], 0, rx + got, 4 - got);
	TEST_ASSERT_EQ(got, 4, "received");
	for (i = 0; i < 4; i++) {
		/* 4096 bytes need two 2048-byte Rx buffers: scatter is on */
		TEST_ASSERT_EQ(rx[i]->nb_segs, 2, "scattered into two buffers");
		TEST_RUN(mrnic_t_pkt_check(rx[i], len, 7000 + i));
		rte_pktmbuf_free(rx[i]);
	}
	TEST_ASSERT_EQ(rte_mbuf_ext_refcnt_read(shinfo), 1,
		"every Tx mbuf released its external buffer");
	rte_free(shinfo);
	rte_free(buf);
	return TEST_SUCCESS;
}

/* Too long for one Rx buffer without scatter: dropped, counted. */
static int
traffic_no_scatter(struct rte_mempool *mp, const struct mrnic_t_pair *p)
{
	struct rte_eth_stats st0, st1;
	struct rte_mbuf *m;

	TEST_ASSERT_EQ(rte_eth_stats_get(p->port[1], &st0), 0, "stats");
	m = mrnic_t_pkt(mp, 3000, 2, 99);
	TEST_ASSERT_NOT_NULL(m, "packet");
	TEST_ASSERT_EQ(rte_eth_tx_burst(p->port[0], 0, &m, 1), 1, "Tx");
	TEST_ASSERT_EQ(mrnic_t_drain(p->port[1], p->nq), 0, "not received");
	TEST_ASSERT_EQ(rte_eth_stats_get(p->port[1], &st1), 0, "stats");
	TEST_ASSERT_EQ(st1.ierrors, st0.ierrors + 1, "Rx error counted");
	return TEST_SUCCESS;
}

static int
traffic_loopback(const char *mode, struct rte_mempool *mp)
{
	char name[64], args[64];
	struct rte_eth_conf conf;
	uint16_t port, peer;
	int ret;

	snprintf(name, sizeof(name), "net_mrnic_lb%s", mode);
	snprintf(args, sizeof(args), "mr=%s,peer=self", mode);
	TEST_ASSERT_EQ(rte_vdev_init(name, args), 0, "probe %s", name);
	TEST_RUN(mrnic_t_port(name, &port));
	TEST_ASSERT_EQ(rte_pmd_mrnic_peer(port, &peer), 0, "peer");
	TEST_ASSERT_EQ(peer, port, "loops back");
	memset(&conf, 0, sizeof(conf));
	TEST_ASSERT_EQ(rte_eth_dev_configure(port, 1, 1, &conf), 0, "conf");
	TEST_ASSERT_EQ(rte_eth_rx_queue_setup(port, 0, 128, SOCKET_ID_ANY,
		NULL, mp), 0, "rxq");
	TEST_ASSERT_EQ(rte_eth_tx_queue_setup(port, 0, 128, SOCKET_ID_ANY,
		NULL), 0, "txq");
	TEST_ASSERT_EQ(rte_eth_dev_start(port), 0, "start");
	ret = mrnic_t_roundtrip(mp, port, 0, port, 0, 16, 700, 2, 500);
	rte_eth_dev_stop(port);
	rte_vdev_uninit(name);
	return ret;
}

static int
traffic(const char *mode)
{
	bool off = strcmp(mode, "off") == 0;
	struct rte_eth_stats st;
	struct mrnic_t_pair p;
	struct rte_mempool *mp;
	char tag[32], pname[64];
	uint64_t hit, miss, ent, gen;
	int ret = TEST_FAILED;
	unsigned int i;

	snprintf(pname, sizeof(pname), "mrnic_tr_%s", mode);
	mp = mrnic_t_pool(pname, 2048, DROOM);
	TEST_ASSERT_NOT_NULL(mp, "pool: %s", rte_strerror(rte_errno));
	snprintf(tag, sizeof(tag), "tr%s", mode);
	if (mrnic_t_pair_create(&p, tag, mode, 2, 256, mp, mp, false) !=
			TEST_SUCCESS)
		goto out;

	/* both directions, both queues (Tx queue i feeds peer Rx queue i) */
	if (mrnic_t_roundtrip(mp, p.port[0], 0, p.port[1], 0, 32, 60, 1, 1) ||
			mrnic_t_roundtrip(mp, p.port[0], 1, p.port[1], 1, 8, 1514,
				1, 100) ||
			mrnic_t_roundtrip(mp, p.port[1], 0, p.port[0], 0, 8, DROOM,
				1, 200) ||
			mrnic_t_roundtrip(mp, p.port[1], 1, p.port[0], 1, 8, 1200,
				4, 300))
		goto out;
	if (traffic_no_scatter(mp, &p) != TEST_SUCCESS)
		goto out;

	for (i = 0; i < 2; i++) {
		TEST_ASSERT_EQ(mrnic_t_xstat_rxtx(p.port[i],
			"dma_fault_errors"), 0,
			"no DMA fault on port %u", p.port[i]);
		TEST_ASSERT_EQ(rte_eth_stats_get(p.port[i], &st), 0, "stats");
		hit = mrnic_t_xstat_rxtx(p.port[i], "mr_cache_hits");
		miss = mrnic_t_xstat_rxtx(p.port[i], "mr_cache_misses");
		TEST_LOG("%s port %u: ipackets %" PRIu64 " opackets %" PRIu64
			" hit %" PRIu64 " miss %" PRIu64 " reg %" PRIu64
			" entries %" PRIu64, mode, p.port[i], st.ipackets,
			st.opackets, hit, miss,
			mrnic_t_xstat(p.port[i], "mr_miss_registrations"),
			mrnic_t_xstat(p.port[i], "mr_entries"));
		if (off) {
			TEST_ASSERT_EQ(hit + miss, 0, "no lookup in mode off");
			continue;
		}
		/* port i's table: its Tx sources and its Rx buffers */
		TEST_ASSERT_GE(hit + miss, st.opackets + st.ipackets,
			"lookups");
		TEST_ASSERT_GE(mrnic_t_xstat(p.port[i],
			"mr_miss_registrations"), 1,
			"EAL memory registered on the first miss");
		TEST_ASSERT_GE(mrnic_t_xstat(p.port[i], "mr_entries"), 1,
			"entries");
	}
	TEST_ASSERT_EQ(rte_eth_stats_get(p.port[1], &st), 0, "stats");
	TEST_ASSERT_EQ(st.ipackets, 32 + 8 + 0, "port 1 received");
	TEST_ASSERT_EQ(st.opackets, 16, "port 1 sent");
	TEST_ASSERT_EQ(mrnic_t_xstat(p.port[1], "rx_dma_packets"), 40,
		"DMA'd into port 1");
	TEST_ASSERT_EQ(st.q_ipackets[0], 32, "queue 0");
	TEST_ASSERT_EQ(st.q_ipackets[1], 8, "queue 1");

	/* xstats reset: counters go to 0, gauges stay */
	ent = mrnic_t_xstat(p.port[1], "mr_entries");
	gen = mrnic_t_xstat(p.port[1], "mr_generation");
	TEST_ASSERT(ent != UINT64_MAX && gen != UINT64_MAX, "gauges");
	TEST_ASSERT_EQ(rte_eth_xstats_reset(p.port[1]), 0, "reset");
	TEST_ASSERT_EQ(mrnic_t_xstat(p.port[1], "mr_entries"), ent,
		"mr_entries is a gauge");
	TEST_ASSERT_EQ(mrnic_t_xstat(p.port[1], "mr_generation"), gen,
		"mr_generation is a gauge");
	TEST_ASSERT_EQ(mrnic_t_xstat(p.port[1], "mr_miss_registrations"), 0,
		"reset");
	TEST_ASSERT_EQ(mrnic_t_xstat(p.port[1], "rx_dma_packets"), 0, "reset");
	TEST_ASSERT_EQ(mrnic_t_xstat_rxtx(p.port[1], "mr_cache_hits"), 0,
		"reset");

	/* again with Rx scatter: big packets chain Rx buffers */
	mrnic_t_pair_destroy(&p);
	snprintf(tag, sizeof(tag), "trs%s", mode);
	if (mrnic_t_pair_create(&p, tag, mode, 1, 256, mp, mp, true) !=
			TEST_SUCCESS)
		goto out;
	if (mrnic_t_roundtrip(mp, p.port[0], 0, p.port[1], 0, 4, 3000, 2, 400)
			|| mrnic_t_roundtrip(mp, p.port[0], 0, p.port[1], 0, 2,
				9000, 5, 450) ||
			traffic_extbuf(mp, &p) != TEST_SUCCESS)
		goto out;
	TEST_ASSERT_EQ(mrnic_t_xstat_rxtx(p.port[0], "dma_fault_errors"), 0,
		"no fault");
	TEST_ASSERT_EQ(mrnic_t_xstat_rxtx(p.port[1], "dma_fault_errors"), 0,
		"no fault");
	mrnic_t_pair_destroy(&p);

	ret = traffic_loopback(mode, mp);
out:
	mrnic_t_pair_destroy(&p);
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), 2048,
		"every mbuf back in the pool");
	rte_mempool_free(mp);
	return ret;
}

REGISTER_EXTMEM_TEST_ARG(mrnic_traffic_cache, traffic, "cache", 0);
REGISTER_EXTMEM_TEST_ARG(mrnic_traffic_extmem, traffic, "extmem", 0);
REGISTER_EXTMEM_TEST_ARG(mrnic_traffic_off, traffic, "off", 0);
