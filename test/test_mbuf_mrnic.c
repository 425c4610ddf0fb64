/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Case 3 end to end over a pair of net_mrnic ports (mr=extmem): slices of
 * a CPU-readable device-backed region (IOVA runs of a few pages, so many
 * slices are chains), half of them behind a host header (header/data
 * split), are transmitted on one port and arrive byte-identical on the
 * other, with no DMA fault and one owner callback per slice. Slices of a
 * region with DMA opted out are never read by the device: they fault and
 * are dropped, and their callbacks still run.
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_extmem.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>
#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_mbuf.h"
#include "test_mrnic_util.h"

#define PG 4096u
#define DEV_LEN (4u << 20)
#define IOVA_BASE 0x500000000000ULL
#define N_PKTS 96u
#define N_FAULT 8u
#define MAX_LEN 9000u
#define HDR_LEN 14u

struct sent {
	uint32_t len;
	uint8_t *bytes;	/* what the peer must receive */
};

static uint64_t
faults(const struct mrnic_t_pair *p)
{
	return mrnic_t_xstat_rxtx(p->port[0], "dma_fault_errors") +
		mrnic_t_xstat_rxtx(p->port[1], "dma_fault_errors");
}

/* Transmit all of pkts on port 0 (the device frees them). */
static int
send_all(const struct mrnic_t_pair *p, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int sent = 0, tries = 0;

	while (sent < n && tries++ < 1000) {
		sent += rte_eth_tx_burst(p->port[0], 0, pkts + sent,
			(uint16_t)RTE_MIN(n - sent, 32u));
		if (sent < n)
			rte_delay_us(100);
	}
	TEST_ASSERT_EQ(sent, n, "packets accepted by the Tx queue");
	return TEST_SUCCESS;
}

/* Receive up to n packets on port 1 (waiting a little for stragglers). */
static unsigned int
recv_all(const struct mrnic_t_pair *p, struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int got = 0, idle = 0;
	uint16_t k;

	while (got < n && idle < 200) {
		k = rte_eth_rx_burst(p->port[1], 0, pkts + got,
			(uint16_t)RTE_MIN(n - got, 32u));
		got += k;
		if (k == 0) {
			idle++;
			rte_delay_us(500);
		}
	}
	return got;
}

static int
check_received(struct rte_mbuf **rx, const struct sent *tx, unsigned int n)
{
	uint8_t *buf = malloc(MAX_LEN + HDR_LEN);
	unsigned int i;
	const uint8_t *d;

	TEST_ASSERT_NOT_NULL(buf, "malloc");
	for (i = 0; i < n; i++) {
		TEST_ASSERT_EQ(rx[i]->pkt_len, tx[i].len, "length of packet %u",
			i);
		d = rte_pktmbuf_read(rx[i], 0, rx[i]->pkt_len, buf);
		TEST_ASSERT_NOT_NULL(d, "read packet %u", i);
		TEST_ASSERT_MEM_EQ(d, tx[i].bytes, tx[i].len, "packet %u", i);
	}
	free(buf);
	return TEST_SUCCESS;
}

static int
test_mbuf_slice_mrnic(void)
{
	static const struct rte_ether_hdr eth = {
		.dst_addr.addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		.src_addr.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 },
		.ether_type = RTE_BE16(0x88b5),
	};
	struct rte_mbuf *tx[N_PKTS], *rx[N_PKTS];
	struct rte_mempool *rx_pool, *hdr_pool;
	struct rte_extmem_slicer *s, *s_nodma;
	struct rte_extmem_region *r, *r_nodma;
	struct test_cb_count cb, cb_nodma;
	struct rte_extmem_slicer_info st;
	struct test_devmem d, d2;
	struct mrnic_t_pair pair;
	struct sent sent[N_PKTS];
	unsigned int i, nseg_total = 0, got;
	uint64_t x = 88172645463325252ULL, faults0;
	rte_iova_t *iovas, iovas2[16];
	uint8_t *dev;

	/* the "device" memory: readable by the CPU so that the test can
	 * fill it as the device would and compare what arrives
	 */
	TEST_ASSERT_EQ(test_devmem_map(&d, DEV_LEN, PG, PROT_READ | PROT_WRITE),
		0, "map");
	TEST_ASSERT_EQ(test_devmem_map(&d2, 16 * PG, PG,
		PROT_READ | PROT_WRITE), 0, "map");
	dev = d.addr;
	for (i = 0; i < DEV_LEN; i++)
		dev[i] = (uint8_t)(i * 7 + (i >> 12));
	memset(d2.addr, 0xa5, d2.len);
	iovas = calloc(DEV_LEN / PG, sizeof(*iovas));
	TEST_ASSERT_NOT_NULL(iovas, "calloc");
	test_fake_iovas(iovas, DEV_LEN / PG, PG, IOVA_BASE, 3);
	test_fake_iovas(iovas2, RTE_DIM(iovas2), PG, IOVA_BASE + (1ULL << 32),
		0);

	rx_pool = mrnic_t_pool("mbs_e2e_rx", 1024, MAX_LEN + HDR_LEN);
	hdr_pool = rte_pktmbuf_pool_create("mbs_e2e_hdr", 256, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	TEST_ASSERT(rx_pool != NULL && hdr_pool != NULL, "pools: %s",
		rte_strerror(rte_errno));
	TEST_RUN(mrnic_t_pair_create(&pair, "mbs", "extmem", 1, 512, rx_pool,
		rx_pool, false));
	TEST_ASSERT_EQ(rte_eth_promiscuous_enable(pair.port[1]), 0, "promisc");

	r = test_device_region("mbs_e2e", &d, PG, iovas, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	r_nodma = test_device_region("mbs_e2e_nodma", &d2, PG, iovas2,
		RTE_EXTMEM_REGION_F_NO_DEVMAP);
	TEST_ASSERT_NOT_NULL(r_nodma, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(pair.port[0], d.addr, d.len), 1,
		"device region mapped to the device");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(pair.port[0], d2.addr, d2.len),
		0, "opted-out region not mapped");
	s = test_slicer("mbs_e2e", r, 1024, 0, &cb);
	s_nodma = test_slicer("mbs_e2e_nodma", r_nodma, 64, 0, &cb_nodma);
	TEST_ASSERT(s != NULL && s_nodma != NULL, "slicers: %s",
		rte_strerror(rte_errno));

	/* slices, half of them behind a host Ethernet header */
	faults0 = faults(&pair);
	for (i = 0; i < N_PKTS; i++) {
		size_t len, off;
		bool hdr = i % 2 == 1;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = 60 + x % (MAX_LEN - 60);
		off = (x >> 20) % (DEV_LEN - len);
		tx[i] = hdr ? rte_extmem_slice_alloc_hdr(s, hdr_pool, &eth,
			HDR_LEN,
			off, len) : rte_extmem_slice_alloc(s, off, len);
		TEST_ASSERT_NOT_NULL(tx[i], "slice %u: %s", i,
			rte_strerror(rte_errno));
		nseg_total += tx[i]->nb_segs;
		sent[i].len = (uint32_t)len + (hdr ? HDR_LEN : 0);
		sent[i].bytes = malloc(sent[i].len);
		TEST_ASSERT_NOT_NULL(sent[i].bytes, "malloc");
		if (hdr)
			memcpy(sent[i].bytes, &eth, HDR_LEN);
		memcpy(sent[i].bytes + (hdr ? HDR_LEN : 0), dev + off, len);
	}
	TEST_ASSERT_GT(nseg_total, N_PKTS + N_PKTS / 2,
		"chains from IOVA discontinuities");
	TEST_RUN(send_all(&pair, tx, N_PKTS));
	got = recv_all(&pair, rx, N_PKTS);
	TEST_ASSERT_EQ(got, N_PKTS, "packets received on the peer");
	TEST_RUN(check_received(rx, sent, N_PKTS));
	rte_pktmbuf_free_bulk(rx, got);
	TEST_ASSERT_EQ(faults(&pair), faults0, "no DMA fault");
	TEST_ASSERT_EQ(cb.calls, N_PKTS, "every slice released by the device");
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s, &st), 0, "stats");
	TEST_ASSERT_EQ(st.in_flight, 0, "in flight");
	TEST_LOG("%u packets, %u segments, byte-identical on the peer", N_PKTS,
		nseg_total);

	/* memory the device was never given: faults, nothing arrives */
	for (i = 0; i < N_FAULT; i++) {
		tx[i] = rte_extmem_slice_alloc(s_nodma, i * 1000, 1000);
		TEST_ASSERT_NOT_NULL(tx[i], "slice: %s", rte_strerror(rte_errno));
	}
	TEST_RUN(send_all(&pair, tx, N_FAULT));
	got = recv_all(&pair, rx, N_FAULT);
	rte_pktmbuf_free_bulk(rx, got);
	TEST_ASSERT_EQ(got, 0, "nothing received from unmapped memory");
	TEST_ASSERT_EQ(faults(&pair), faults0 + N_FAULT, "a fault per packet");
	TEST_ASSERT_EQ(cb_nodma.calls, N_FAULT, "dropped slices released");

	/* everything back */
	mrnic_t_pair_destroy(&pair);
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s), 0, "free: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s_nodma), 0, "free: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r_nodma), 0, "destroy");
	TEST_ASSERT_EQ(rte_mempool_full(hdr_pool), 1, "header mbufs back");
	rte_mempool_free(hdr_pool);
	rte_mempool_free(rx_pool);
	for (i = 0; i < N_PKTS; i++)
		free(sent[i].bytes);
	free(iovas);
	test_devmem_unmap(&d);
	test_devmem_unmap(&d2);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mbuf_slice_mrnic, test_mbuf_slice_mrnic, 0);
