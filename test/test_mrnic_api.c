/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * net_mrnic control path: devargs, pairing by name and by creation order,
 * loopback, device info, link state, and the driver-specific API
 * (rte_pmd_mrnic.h) with its input validation.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_mrnic_util.h"
#include "vdev_recorder.h"

static int
peer_is(const char *name, const char *peer)
{
	uint16_t p, q, want;

	TEST_RUN(mrnic_t_port(name, &p));
	TEST_RUN(mrnic_t_port(peer, &want));
	TEST_ASSERT_EQ(rte_pmd_mrnic_peer(p, &q), 0, "peer of %s", name);
	TEST_ASSERT_EQ(q, want, "%s pairs with %s", name, peer);
	return TEST_SUCCESS;
}

static int
api_devargs(void)
{
	static const char *const bad[] = {
		"mr=bogus", "mr=", "queues=0", "queues=17", "queues=x",
		"peer=", "colour=blue",
	};
	struct rte_eth_dev_info info;
	unsigned int i;
	uint16_t p;

	for (i = 0; i < RTE_DIM(bad); i++)
		TEST_ASSERT(rte_vdev_init("net_mrnic_apibad", bad[i]) != 0,
			"devargs '%s' refused", bad[i]);
	TEST_ASSERT_NE(rte_eth_dev_get_port_by_name("net_mrnic_apibad", &p), 0,
		"no port left behind");

	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_apiq", "queues=3,mr=off,"
		"peer=self"), 0, "probe");
	TEST_RUN(mrnic_t_port("net_mrnic_apiq", &p));
	TEST_ASSERT_EQ(rte_eth_dev_info_get(p, &info), 0, "info");
	TEST_ASSERT_EQ(info.max_rx_queues, 3, "queues devarg");
	TEST_ASSERT_EQ(info.max_tx_queues, 3, "queues devarg");
	TEST_ASSERT(strcmp(info.driver_name, "net_mrnic") == 0, "driver %s",
		info.driver_name);
	TEST_ASSERT(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER,
		"Rx scatter");
	TEST_ASSERT(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS,
		"Tx multi-segment");
	TEST_ASSERT_EQ(rte_pmd_mrnic_mr_mode(p), RTE_PMD_MRNIC_MR_OFF, "mode");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_apiq"), 0, "remove");

	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_apim", "peer=self"), 0,
		"probe");
	TEST_RUN(mrnic_t_port("net_mrnic_apim", &p));
	TEST_ASSERT_EQ(rte_pmd_mrnic_mr_mode(p), RTE_PMD_MRNIC_MR_CACHE,
		"cache is the default");
	TEST_ASSERT_EQ(rte_eth_dev_info_get(p, &info), 0, "info");
	TEST_ASSERT_EQ(info.max_rx_queues, 8, "default queues");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_apim"), 0, "remove");
	return TEST_SUCCESS;
}

static int
api_pairing(void)
{
	/* by creation order */
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_api0", NULL), 0, "probe 0");
	TEST_RUN(peer_is("net_mrnic_api0", "net_mrnic_api0"));
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_api1", NULL), 0, "probe 1");
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_api2", NULL), 0, "probe 2");
	TEST_RUN(peer_is("net_mrnic_api0", "net_mrnic_api1"));
	TEST_RUN(peer_is("net_mrnic_api1", "net_mrnic_api0"));
	TEST_RUN(peer_is("net_mrnic_api2", "net_mrnic_api2"));
	/* by name, before the named port exists; self */
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_api3", "peer=net_mrnic_api5"),
		0, "probe 3");
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_api4", "peer=self"), 0,
		"probe 4");
	TEST_RUN(peer_is("net_mrnic_api3", "net_mrnic_api3"));
	TEST_RUN(peer_is("net_mrnic_api4", "net_mrnic_api4"));
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_api5", NULL), 0, "probe 5");
	TEST_RUN(peer_is("net_mrnic_api3", "net_mrnic_api5"));
	TEST_RUN(peer_is("net_mrnic_api5", "net_mrnic_api3"));
	/* the automatic port left pairs with the next automatic one */
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_api6", NULL), 0, "probe 6");
	TEST_RUN(peer_is("net_mrnic_api2", "net_mrnic_api6"));
	/* a peer that goes away leaves a port looping back */
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_api1"), 0, "remove 1");
	TEST_RUN(peer_is("net_mrnic_api0", "net_mrnic_api0"));
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_api0"), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_api2"), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_api3"), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_api4"), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_api5"), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_api6"), 0, "remove");
	return TEST_SUCCESS;
}

static int
link_is(uint16_t port, int up)
{
	struct rte_eth_link link;

	TEST_ASSERT_EQ(rte_eth_link_get_nowait(port, &link), 0, "link");
	TEST_ASSERT_EQ(link.link_status, up, "link of port %u", port);
	if (up)
		TEST_ASSERT_EQ(link.link_speed, RTE_ETH_SPEED_NUM_100G, "speed");
	return TEST_SUCCESS;
}

/* Link, promiscuous mode (the receiver's MAC filter), stop/start. */
static int
api_link_filter(void)
{
	struct rte_ether_addr mac1;
	struct rte_mempool *mp;
	struct mrnic_t_pair p;
	struct rte_mbuf *m;
	int ret = TEST_FAILED;

	mp = mrnic_t_pool("mrnic_api_lf", 512, 2048);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	if (mrnic_t_pair_create(&p, "apil", "cache", 1, 64, mp, mp, false) !=
			TEST_SUCCESS)
		goto out;
	if (link_is(p.port[0], 1) || link_is(p.port[1], 1))
		goto out;
	/* a unicast frame for another MAC is dropped without promiscuous */
	TEST_ASSERT_EQ(rte_eth_macaddr_get(p.port[1], &mac1), 0, "mac");
	TEST_ASSERT(rte_is_unicast_ether_addr(&mac1) &&
		rte_is_local_admin_ether_addr(&mac1), "locally administered");
	TEST_ASSERT_EQ(rte_eth_promiscuous_disable(p.port[1]), 0, "promisc");
	TEST_ASSERT_EQ(rte_eth_allmulticast_disable(p.port[1]), 0, "allmulti");
	m = mrnic_t_pkt(mp, 100, 1, 5);
	TEST_ASSERT_NOT_NULL(m, "pkt");
	memset(rte_pktmbuf_mtod(m, uint8_t *), 0x02, RTE_ETHER_ADDR_LEN);
	TEST_ASSERT_EQ(rte_eth_tx_burst(p.port[0], 0, &m, 1), 1, "Tx");
	TEST_ASSERT_EQ(mrnic_t_drain(p.port[1], 1), 0, "filtered");
	TEST_ASSERT_EQ(mrnic_t_xstat(p.port[1], "rx_filtered_packets"), 1,
		"counted");
	m = mrnic_t_pkt(mp, 100, 1, 6);
	TEST_ASSERT_NOT_NULL(m, "pkt");
	rte_ether_addr_copy(&mac1, rte_pktmbuf_mtod(m, struct rte_ether_addr *));
	TEST_ASSERT_EQ(rte_eth_tx_burst(p.port[0], 0, &m, 1), 1, "Tx");
	TEST_ASSERT_EQ(mrnic_t_drain(p.port[1], 1), 1, "for our MAC");
	if (mrnic_t_roundtrip(mp, p.port[0], 0, p.port[1], 0, 4, 64, 1, 8))
		goto out;	/* broadcast passes */
	TEST_ASSERT_EQ(rte_eth_promiscuous_enable(p.port[1]), 0, "promisc");

	/* the peer stops: link down both sides, Tx is dropped */
	TEST_ASSERT_EQ(rte_eth_dev_stop(p.port[1]), 0, "stop");
	if (link_is(p.port[0], 0) || link_is(p.port[1], 0))
		goto out;
	m = mrnic_t_pkt(mp, 100, 1, 7);
	TEST_ASSERT_NOT_NULL(m, "pkt");
	TEST_ASSERT_EQ(rte_eth_tx_burst(p.port[0], 0, &m, 1), 1, "Tx");
	TEST_ASSERT_EQ(rte_eth_dev_start(p.port[1]), 0, "start");
	if (link_is(p.port[0], 1))
		goto out;
	TEST_ASSERT_EQ(mrnic_t_drain(p.port[1], 1), 0, "lost while down");
	ret = mrnic_t_roundtrip(mp, p.port[0], 0, p.port[1], 0, 4, 64, 1, 9);
out:
	mrnic_t_pair_destroy(&p);
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), 512, "mbufs back");
	rte_mempool_free(mp);
	return ret;
}

static int
api_translate(void)
{
	const char *modes[] = { "cache", "extmem", "off" };
	unsigned int i;
	size_t o;
	uint8_t *eal, *heap;
	rte_iova_t iova;
	uint16_t p, rec;
	char name[32], args[32];

	TEST_ASSERT_ERRNO(rte_pmd_mrnic_mr_mode(RTE_MAX_ETHPORTS) < 0, ENODEV,
		"invalid port");
	TEST_ASSERT_EQ(rte_vdev_init(VDEV_REC_DRIVER "_mrnicapi", NULL), 0,
		"recorder");
	TEST_RUN(mrnic_t_port(VDEV_REC_DRIVER "_mrnicapi", &rec));
	TEST_ASSERT_ERRNO(rte_pmd_mrnic_mr_mode(rec) < 0, ENOTSUP,
		"not an mrnic port");
	TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(rec, &p, 1, &iova) < 0,
		ENOTSUP, "not an mrnic port");
	TEST_ASSERT_EQ(rte_vdev_uninit(VDEV_REC_DRIVER "_mrnicapi"), 0, "rm");

	eal = rte_malloc("mrnic_api", 16u << 20, 4096);
	TEST_ASSERT_NOT_NULL(eal, "rte_malloc");
	heap = malloc(65536);
	TEST_ASSERT_NOT_NULL(heap, "malloc");
	for (i = 0; i < RTE_DIM(modes); i++) {
		const void *addrs[3] = { eal + 100, heap + 100, eal + 60000 };
		const uint32_t lens[3] = { 1000, 1000, 5000 };
		rte_iova_t iovas[3];
		struct rte_eth_conf conf;
		bool off = i == 2;

		snprintf(name, sizeof(name), "net_mrnic_apit%u", i);
		snprintf(args, sizeof(args), "mr=%s,peer=self", modes[i]);
		TEST_ASSERT_EQ(rte_vdev_init(name, args), 0, "probe");
		TEST_RUN(mrnic_t_port(name, &p));
		TEST_ASSERT_EQ(rte_pmd_mrnic_mr_mode(p), (int)i, "mode");
		/* EAL memory: implicitly DMA-able, registered on miss */
		TEST_ASSERT_EQ(rte_pmd_mrnic_translate(p, eal + 10, 100, &iova),
			0, "EAL memory (%s)", modes[i]);
		TEST_ASSERT_EQ(iova, off ? (uintptr_t)(eal + 10) :
			rte_mem_virt2iova(eal + 10), "IOVA (%s)", modes[i]);
		TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p, eal, 4096), 0,
			"registered on miss, not given by dma_map");
		/* every page of EAL memory, IOVA-contiguous or not */
		for (o = 0; !off && o < (16u << 20); o += 65536 + 4000) {
			TEST_ASSERT_EQ(rte_pmd_mrnic_translate(p, eal + o, 200,
				&iova), 0, "offset %zu", o);
			TEST_ASSERT_EQ(iova, rte_mem_virt2iova(eal + o),
				"IOVA at offset %zu (%s)", o, modes[i]);
		}
		if (off) {
			TEST_ASSERT_EQ(rte_pmd_mrnic_translate(p, heap, 10,
				&iova), 0, "off validates nothing");
		} else {
			TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(p, heap, 10,
				&iova) < 0, EFAULT, "malloc'd memory (%s)",
				modes[i]);
		}
		TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(p, NULL, 10, &iova)
			< 0, EINVAL, "NULL address");
		TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(p, eal, 0, &iova)
			< 0, EINVAL, "zero length");
		TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(p, eal, 1, NULL)
			< 0, EINVAL, "NULL iova");
		TEST_ASSERT_ERRNO(rte_pmd_mrnic_dma_mapped(p, eal, 0) < 0,
			EINVAL, "zero length");
		TEST_ASSERT_ERRNO(rte_pmd_mrnic_peer(p, NULL) < 0, EINVAL,
			"NULL peer");

		/* through a Tx queue's datapath caches */
		TEST_ASSERT_ERRNO(rte_pmd_mrnic_xlate_burst(p, 0, addrs, lens,
			iovas, 3) < 0, EINVAL, "queue not set up");
		memset(&conf, 0, sizeof(conf));
		TEST_ASSERT_EQ(rte_eth_dev_configure(p, 1, 1, &conf), 0, "cfg");
		TEST_ASSERT_EQ(rte_eth_tx_queue_setup(p, 0, 64, SOCKET_ID_ANY,
			NULL), 0, "txq");
		TEST_ASSERT_EQ(rte_pmd_mrnic_xlate_burst(p, 0, addrs, lens,
			iovas, 3), off ? 3 : 2, "translated (%s)", modes[i]);
		TEST_ASSERT_EQ(iovas[0], off ? (uintptr_t)addrs[0] :
			rte_mem_virt2iova(addrs[0]), "first");
		TEST_ASSERT_EQ(iovas[1], off ? (uintptr_t)addrs[1] :
			RTE_BAD_IOVA, "malloc'd memory");
		TEST_ASSERT_EQ(iovas[2], off ? (uintptr_t)addrs[2] :
			rte_mem_virt2iova(addrs[2]), "third");
		if (!off)
			TEST_ASSERT_GT(mrnic_t_xstat_rxtx(p, "mr_cache_hits") +
				mrnic_t_xstat_rxtx(p, "mr_cache_misses"), 0,
				"counted as queue lookups");
		TEST_ASSERT_ERRNO(rte_pmd_mrnic_xlate_burst(p, 0, NULL, lens,
			iovas, 3) < 0, EINVAL, "NULL addrs");
		TEST_ASSERT_EQ(rte_vdev_uninit(name), 0, "remove");
		TEST_ASSERT_ERRNO(rte_pmd_mrnic_mr_mode(p) < 0, ENODEV,
			"removed port");
	}
	free(heap);
	rte_free(eal);
	return TEST_SUCCESS;
}

static int
test_mrnic_api(void)
{
	TEST_RUN(api_devargs());
	TEST_RUN(api_pairing());
	TEST_RUN(api_link_filter());
	TEST_RUN(api_translate());
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mrnic_api, test_mrnic_api, 0);
