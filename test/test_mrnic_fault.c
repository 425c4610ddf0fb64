/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * net_mrnic never touches memory it was not given: Tx buffers in plain
 * malloc'd memory (made unreadable, so a read would crash the test) and a
 * mempool on a region created with DMA opted out fault on Tx, Rx buffers
 * there fault on Rx and stay unwritten; once the region is given through
 * rte_dev_dma_map() traffic flows, and after rte_dev_dma_unmap() it
 * faults again.
 */

#include <string.h>
#include <sys/mman.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <rte_extmem.h>
#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_dma_util.h"
#include "test_mrnic_util.h"

#define DROOM 2048
#define REG_PAGES 512	/* 2 MiB */
#define NPKT 16

static void
noop_free_cb(void *addr __rte_unused, void *opaque __rte_unused)
{
}

/* Send NPKT packets from mp on port tx; return how many arrived. */
static int
send_from(struct rte_mempool *mp, uint16_t tx, uint16_t rx, uint32_t seed,
	unsigned int *arrived)
{
	struct rte_mbuf *m[NPKT], *r[NPKT];
	unsigned int i, got = 0, tries;

	for (i = 0; i < NPKT; i++) {
		m[i] = mrnic_t_pkt(mp, 1000, 1, seed + i);
		TEST_ASSERT_NOT_NULL(m[i], "packet from %s", mp->name);
	}
	TEST_ASSERT_EQ(rte_eth_tx_burst(tx, 0, m, NPKT), NPKT, "Tx takes all");
	for (tries = 0; tries < 20 && got < NPKT; tries++)
		got += rte_eth_rx_burst(rx, 0, r + got, NPKT - got);
	for (i = 0; i < got; i++) {
		int ret = mrnic_t_pkt_check(r[i], 1000, seed + i);

		rte_pktmbuf_free(r[i]);
		if (ret != TEST_SUCCESS)
			return ret;
	}
	*arrived = got;
	return TEST_SUCCESS;
}

/* NPKT packets from rmp, memory the device of p's first port does not
 * have: none arrives, each one is a Tx DMA fault.
 */
static int
send_faults(struct rte_mempool *rmp, const struct mrnic_t_pair *p,
	uint32_t seed, const char *when)
{
	uint64_t f = mrnic_t_xstat(p->port[0], "tx_dma_fault_errors");
	unsigned int got;

	TEST_RUN(send_from(rmp, p->port[0], p->port[1], seed, &got));
	TEST_ASSERT_EQ(got, 0, "nothing sent %s", when);
	TEST_ASSERT_EQ(mrnic_t_xstat(p->port[0], "tx_dma_fault_errors"),
		f + NPKT, "one fault per packet %s", when);
	return TEST_SUCCESS;
}

/* A Tx buffer the device was never given, and that nobody may read. */
static int
fault_unreadable(struct rte_mempool *mp, const struct mrnic_t_pair *p)
{
	struct rte_mbuf_ext_shared_info shinfo;
	uint64_t f0 = mrnic_t_xstat(p->port[0], "tx_dma_fault_errors");
	uint64_t d1 = mrnic_t_xstat(p->port[1], "rx_dma_packets");
	struct rte_mbuf *m;
	uint8_t *pg;

	pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(pg != MAP_FAILED, "mmap");
	mrnic_t_pattern(pg, 8192, 1);
	TEST_ASSERT_EQ(mprotect(pg, 8192, PROT_NONE), 0, "mprotect");
	memset(&shinfo, 0, sizeof(shinfo));
	shinfo.free_cb = noop_free_cb;
	rte_mbuf_ext_refcnt_set(&shinfo, 1);
	m = rte_pktmbuf_alloc(mp);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	rte_mbuf_ext_refcnt_update(&shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, pg, RTE_BAD_IOVA, 8192, &shinfo);
	m->data_off = 64;
	m->data_len = 1500;
	m->pkt_len = 1500;
	/* a read of pg would kill the test here */
	TEST_ASSERT_EQ(rte_eth_tx_burst(p->port[0], 0, &m, 1), 1, "Tx");
	TEST_ASSERT_EQ(mrnic_t_drain(p->port[1], 1), 0, "nothing arrives");
	TEST_ASSERT_EQ(mrnic_t_xstat(p->port[0], "tx_dma_fault_errors"), f0 + 1,
		"Tx DMA fault counted");
	TEST_ASSERT_EQ(mrnic_t_xstat(p->port[1], "rx_dma_packets"), d1,
		"no DMA into the peer");
	TEST_ASSERT_EQ(rte_mbuf_ext_refcnt_read(&shinfo), 1,
		"the faulted mbuf was freed");
	munmap(pg, 8192);
	return TEST_SUCCESS;
}

/* The NPKT Rx faults of the receiver p->port[1] are input errors; a basic
 * stats reset clears them there, an xstats reset in the xstat too.
 */
static int
fault_stats_reset(const struct mrnic_t_pair *p)
{
	struct rte_eth_stats st;

	TEST_ASSERT_EQ(rte_eth_stats_get(p->port[1], &st), 0, "stats");
	TEST_ASSERT_EQ(st.ierrors, NPKT, "Rx faults are input errors");
	TEST_ASSERT_EQ(st.q_errors[0], NPKT, "of queue 0");
	TEST_ASSERT_EQ(rte_eth_stats_reset(p->port[1]), 0, "stats reset");
	TEST_ASSERT_EQ(rte_eth_stats_get(p->port[1], &st), 0, "stats");
	TEST_ASSERT_EQ(st.ierrors, 0, "stats reset clears ierrors");
	TEST_ASSERT_EQ(st.q_errors[0], 0, "and the queue's errors");
	TEST_ASSERT_EQ(mrnic_t_xstat(p->port[1], "rx_dma_fault_errors"), NPKT,
		"the xstat keeps counting until an xstats reset");
	TEST_ASSERT_EQ(rte_eth_xstats_reset(p->port[1]), 0, "xstats reset");
	TEST_ASSERT_EQ(mrnic_t_xstat(p->port[1], "rx_dma_fault_errors"), 0,
		"xstats reset clears it");
	TEST_ASSERT_EQ(rte_eth_stats_get(p->port[1], &st), 0, "stats");
	TEST_ASSERT_EQ(st.ierrors, 0, "ierrors still 0");
	return TEST_SUCCESS;
}

/* Is any 32-byte piece of a packet pattern inside [buf, buf + len)? */
static bool
pattern_in(const uint8_t *buf, size_t len, uint32_t seed)
{
	uint8_t pat[1000];

	mrnic_t_pattern(pat, sizeof(pat), seed);
	return memmem(buf, len, pat + 100, 32) != NULL;
}

/* A region whose IOVAs the library does not know: the device uses the
 * IOVA it was given through dma_map.
 */
static int
fault_no_iova(const char *mode, uint16_t port, struct rte_device *dev)
{
	const rte_iova_t given = 0x7000000;
	struct test_ureg u;
	rte_iova_t iova;
	char name[64];

	snprintf(name, sizeof(name), "mrnic_ftn_%s", mode);
	TEST_ASSERT_NOT_NULL(test_ureg_create(&u, name, 4, NULL,
		RTE_EXTMEM_REGION_F_NO_DEVMAP | RTE_EXTMEM_REGION_F_NO_IOVA),
		"region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_virt2iova(u.buf), RTE_BAD_IOVA, "no IOVA");
	TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(port, u.buf, 64, &iova) < 0,
		EFAULT, "not given");
	TEST_ASSERT_EQ(rte_dev_dma_map(dev, u.buf, given, u.len), 0, "map");
	TEST_ASSERT_EQ(rte_pmd_mrnic_translate(port, (uint8_t *)u.buf + 5000,
		64, &iova), 0, "given through dma_map");
	TEST_ASSERT_EQ(iova, given + 5000, "the IOVA it was given");
	TEST_ASSERT_EQ(rte_dev_dma_unmap(dev, u.buf, given, u.len), 0, "unmap");
	TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(port, u.buf, 64, &iova) < 0,
		EFAULT, "taken back");
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy");
	return TEST_SUCCESS;
}

static int
fault(const char *mode)
{
	struct rte_mempool *mp = NULL, *rmp = NULL;
	struct mrnic_t_pair p, q;
	struct test_ureg u;
	struct rte_device *d0, *dq1;
	rte_iova_t iova, xi;
	unsigned int got;
	uint64_t f, gen, ent;
	char tag[32], name[64];
	int ret = TEST_FAILED;

	memset(&p, 0, sizeof(p));
	memset(&q, 0, sizeof(q));
	snprintf(name, sizeof(name), "mrnic_ft_%s", mode);
	mp = mrnic_t_pool(name, 1024, DROOM);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	snprintf(name, sizeof(name), "mrnic_ftr_%s", mode);
	if (test_ureg_create(&u, name, REG_PAGES, NULL,
			RTE_EXTMEM_REGION_F_NO_DEVMAP) == NULL) {
		rte_mempool_free(mp);
		TEST_ASSERT(0, "region: %s", rte_strerror(rte_errno));
	}
	/* half the region: Tx pool, other half: Rx pool */
	snprintf(name, sizeof(name), "mrnic_ftt_%s", mode);
	rmp = mrnic_t_pool_on(name, 256, DROOM, u.buf, u.len / 2, TEST_PG);
	snprintf(tag, sizeof(tag), "ft%s", mode);
	if (rmp == NULL ||
			mrnic_t_pair_create(&p, tag, mode, 1, 128, mp, mp,
				false) != TEST_SUCCESS)
		goto out;
	d0 = mrnic_t_port_dev(p.port[0]);
	if (d0 == NULL)
		goto out;

	if (fault_unreadable(mp, &p) != TEST_SUCCESS)
		goto out;

	/* Tx from the opted-out region: the device was never given it */
	if (send_faults(rmp, &p, 1000, "from unmapped memory") != TEST_SUCCESS)
		goto out;
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p.port[0], u.buf, u.len), 0,
		"not mapped");

	/* give it: rte_dev_dma_map() reaches the driver's hook */
	iova = rte_extmem_virt2iova(u.buf);
	TEST_ASSERT_NE(iova, RTE_BAD_IOVA, "region IOVA");
	ent = mrnic_t_xstat(p.port[0], "mr_entries");
	TEST_ASSERT_EQ(rte_dev_dma_map(d0, u.buf, iova, u.len), 0,
		"dma_map: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(mrnic_t_xstat(p.port[0], "mr_entries"), ent + 1,
		"one MR entry");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p.port[0], u.buf, u.len), 1,
		"mapped");
	TEST_ASSERT_EQ(rte_pmd_mrnic_translate(p.port[0],
		(uint8_t *)u.buf + 5000, 100, &xi), 0, "translate");
	TEST_ASSERT_EQ(xi, strcmp(mode, "extmem") == 0 ?
		rte_extmem_virt2iova((uint8_t *)u.buf + 5000) : iova + 5000,
		"IOVA the device uses");
	/* the same range again, or a part of it: EEXIST */
	TEST_ASSERT_ERRNO(rte_dev_dma_map(d0, u.buf, iova, u.len) < 0, EEXIST,
		"double map");
	TEST_ASSERT_ERRNO(rte_dev_dma_map(d0, (uint8_t *)u.buf + TEST_PG,
		iova + TEST_PG, TEST_PG) < 0, EEXIST, "overlapping map");
	TEST_ASSERT_ERRNO(rte_dev_dma_unmap(d0, u.buf, iova, TEST_PG) < 0,
		ENOENT, "unmap of a range that was not mapped as such");

	f = mrnic_t_xstat_rxtx(p.port[0], "dma_fault_errors");
	if (send_from(rmp, p.port[0], p.port[1], 2000, &got) != TEST_SUCCESS)
		goto out;
	TEST_ASSERT_EQ(got, NPKT, "mapped memory is sent, bytes intact");
	TEST_ASSERT_EQ(mrnic_t_xstat_rxtx(p.port[0], "dma_fault_errors"), f,
		"no fault");

	/* take it back: traffic from it faults again, nothing is read */
	gen = mrnic_t_xstat(p.port[0], "mr_generation");
	TEST_ASSERT_EQ(rte_dev_dma_unmap(d0, u.buf, iova, u.len), 0,
		"dma_unmap: %s", rte_strerror(rte_errno));
	TEST_ASSERT_GT(mrnic_t_xstat(p.port[0], "mr_generation"), gen,
		"queue caches flushed");
	TEST_ASSERT_EQ(mrnic_t_xstat(p.port[0], "mr_entries"), ent,
		"entry gone");
	if (send_faults(rmp, &p, 3000, "after unmap") != TEST_SUCCESS)
		goto out;
	TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(p.port[0], u.buf, 64, &xi)
		< 0, EFAULT, "translate after unmap");

	/* Rx buffers in the opted-out region: the peer faults, writes none */
	snprintf(tag, sizeof(tag), "fq%s", mode);
	if (mrnic_t_pair_create(&q, tag, mode, 1, 128, mp, rmp, false) !=
			TEST_SUCCESS)
		goto out;
	if (send_from(mp, q.port[0], q.port[1], 4000, &got) != TEST_SUCCESS)
		goto out;
	TEST_ASSERT_EQ(got, 0, "nothing received into unmapped buffers");
	TEST_ASSERT_EQ(mrnic_t_xstat(q.port[1], "rx_dma_fault_errors"), NPKT,
		"Rx DMA faults on the receiving port");
	if (fault_stats_reset(&q) != TEST_SUCCESS)
		goto out;
	TEST_ASSERT_EQ(mrnic_t_xstat_rxtx(q.port[0], "dma_fault_errors"), 0,
		"the sender had nothing to fault on");
	TEST_ASSERT(!pattern_in(u.buf, u.len / 2, 4000),
		"the unmapped Rx buffers were not written");
	dq1 = mrnic_t_port_dev(q.port[1]);
	TEST_ASSERT_NOT_NULL(dq1, "device");
	TEST_ASSERT_EQ(rte_dev_dma_map(dq1, u.buf, iova, u.len), 0,
		"dma_map on the receiver");
	if (send_from(mp, q.port[0], q.port[1], 5000, &got) != TEST_SUCCESS)
		goto out;
	TEST_ASSERT_EQ(got, NPKT, "received once mapped");
	TEST_ASSERT(pattern_in(u.buf, u.len / 2, 5000),
		"the search finds what the device wrote into mapped buffers");
	TEST_ASSERT_EQ(rte_dev_dma_unmap(dq1, u.buf, iova, u.len), 0,
		"dma_unmap on the receiver");
	if (fault_no_iova(mode, p.port[0], d0) != TEST_SUCCESS)
		goto out;
	ret = TEST_SUCCESS;
out:
	mrnic_t_pair_destroy(&q);
	mrnic_t_pair_destroy(&p);
	if (rmp != NULL) {
		TEST_ASSERT_EQ(rte_mempool_avail_count(rmp), 256,
			"region pool complete");
		rte_mempool_free(rmp);
	}
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), 1024, "pool complete");
	rte_mempool_free(mp);
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy region: %s",
		rte_strerror(rte_errno));
	return ret;
}

REGISTER_EXTMEM_TEST_ARG(mrnic_fault_cache, fault, "cache", 0);
REGISTER_EXTMEM_TEST_ARG(mrnic_fault_extmem, fault, "extmem", 0);
