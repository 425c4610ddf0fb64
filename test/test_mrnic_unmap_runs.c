/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * net_mrnic's table when many runs are unmapped: a region of scattered 4K
 * device pages (automatic device mapping off) is given to a port one page
 * at a time with rte_dev_dma_map(); every other page is then unmapped in
 * ascending order (the driver keeps unmapped entries in place and drops
 * them in bulk), and the port must still translate exactly the mapped
 * pages, refuse the unmapped ones, count its entries right, refuse a
 * second unmap of a page, take the pages back, and end empty. Both MR
 * modes; the time unmapping takes is the perf tool's (scale --scale-dma).
 */

#include <stdlib.h>
#include <sys/mman.h>

#include <rte_dev.h>
#include <rte_errno.h>

#include <rte_extmem.h>
#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_mrnic_util.h"
#include "test_region_util.h"

#define PG 4096UL
#define N_PAGES 4096u	/* 16 MiB */
#define IOVA0 0x300000000000ULL

/* Translate page i of base on the port's Tx queue 0: its IOVA or BAD. */
static rte_iova_t
port_xlate(uint16_t port, const uint8_t *base, unsigned int i)
{
	const void *a = base + (size_t)i * PG + 128;
	uint32_t len = 64;
	rte_iova_t io = 0;

	/* 1 translated (io its IOVA), or 0 (io RTE_BAD_IOVA) */
	if (rte_pmd_mrnic_xlate_burst(port, 0, &a, &len, &io, 1) < 0)
		return 0;
	return io;
}

/* Every page: translated to iovas[i] + 128 if mapped[i], refused if not. */
static int
check_pages(uint16_t port, const uint8_t *base, const rte_iova_t *iovas,
	const bool *mapped, const char *when)
{
	unsigned int i, n = 0;

	for (i = 0; i < N_PAGES; i++) {
		rte_iova_t exp = mapped[i] ? iovas[i] + 128 : RTE_BAD_IOVA;

		TEST_ASSERT_EQ(port_xlate(port, base, i), exp, "page %u %s",
			i, when);
		TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(port, base +
			(size_t)i * PG, PG), mapped[i] ? 1 : 0,
			"page %u mapped %s", i, when);
		n += mapped[i];
	}
	TEST_ASSERT_EQ(mrnic_t_xstat(port, "mr_entries"), n, "entries %s",
		when);
	return TEST_SUCCESS;
}

static int
unmap_runs(const char *mode)
{
	static rte_iova_t iovas[N_PAGES];
	static bool mapped[N_PAGES];
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	struct rte_mempool *mp;
	struct rte_device *dev;
	struct mrnic_t_pair pair;
	uint8_t *raw, *base;
	unsigned int i;
	int ret;

	raw = mmap(NULL, (N_PAGES + 1) * PG, PROT_NONE, MAP_PRIVATE |
		MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	base = raw + PG;
	/* scattered: no two neighbours contiguous, one run per page */
	for (i = 0; i < N_PAGES; i++)
		iovas[i] = IOVA0 + (size_t)((i * 7 + 3) % N_PAGES) * PG;
	test_region_params(&p, "unmap_runs", RTE_EXTMEM_BACKING_DEVICE, base,
		N_PAGES * PG);
	p.page_sz = PG;
	p.iovas = iovas;
	p.n_iovas = N_PAGES;
	p.flags |= RTE_EXTMEM_REGION_F_NO_DEVMAP;
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	mp = mrnic_t_pool("unmap_runs_mp", 511, 2048);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	TEST_RUN(mrnic_t_pair_create(&pair, "unmap", mode, 1, 128, mp, mp,
		false));
	dev = mrnic_t_port_dev(pair.port[0]);
	TEST_ASSERT_NOT_NULL(dev, "device");

	TEST_RUN(check_pages(pair.port[0], base, iovas, mapped, "at first"));
	for (i = 0; i < N_PAGES; i++) {
		TEST_ASSERT_EQ(rte_dev_dma_map(dev, base + (size_t)i * PG,
			iovas[i], PG), 0, "map page %u: %s", i,
			rte_strerror(rte_errno));
		mapped[i] = true;
	}
	TEST_RUN(check_pages(pair.port[0], base, iovas, mapped, "mapped"));
	/* every other page, ascending: unmapped entries pile up in front */
	for (i = 1; i < N_PAGES; i += 2) {
		TEST_ASSERT_EQ(rte_dev_dma_unmap(dev, base + (size_t)i * PG,
			iovas[i], PG), 0, "unmap page %u: %s", i,
			rte_strerror(rte_errno));
		mapped[i] = false;
		if (i == N_PAGES / 4 + 1)
			TEST_RUN(check_pages(pair.port[0], base, iovas,
				mapped, "a quarter unmapped"));
	}
	TEST_RUN(check_pages(pair.port[0], base, iovas, mapped,
		"half unmapped"));
	ret = rte_dev_dma_unmap(dev, base + PG, iovas[1], PG);
	TEST_ASSERT(ret != 0, "a second unmap of page 1 is refused");
	/* back, in descending order this time */
	for (i = N_PAGES; i-- > 0; ) {
		if ((i & 1) == 0)
			continue;
		TEST_ASSERT_EQ(rte_dev_dma_map(dev, base + (size_t)i * PG,
			iovas[i], PG), 0, "map page %u again: %s", i,
			rte_strerror(rte_errno));
		mapped[i] = true;
	}
	TEST_RUN(check_pages(pair.port[0], base, iovas, mapped, "remapped"));
	for (i = 0; i < N_PAGES; i++) {
		TEST_ASSERT_EQ(rte_dev_dma_unmap(dev, base + (size_t)i * PG,
			iovas[i], PG), 0, "unmap page %u: %s", i,
			rte_strerror(rte_errno));
		mapped[i] = false;
	}
	TEST_RUN(check_pages(pair.port[0], base, iovas, mapped, "at the end"));

	mrnic_t_pair_destroy(&pair);
	rte_mempool_free(mp);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	munmap(raw, (N_PAGES + 1) * PG);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST_ARG(mrnic_unmap_runs_cache, unmap_runs, "cache", 0);
REGISTER_EXTMEM_TEST_ARG(mrnic_unmap_runs_extmem, unmap_runs, "extmem", 0);
