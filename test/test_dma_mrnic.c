/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * End to end with the mrnic driver: regions reach its memory-region table
 * through the dispatcher's rte_dev_dma_map() calls (one MR entry per IOVA
 * run), at region creation and when a port is probed later, and leave it
 * on destruction.
 */

#include <errno.h>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include <rte_extmem.h>
#include <rte_extmem_devmap.h>
#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_dma_util.h"
#include "test_mrnic_util.h"

#define M0 "net_mrnic_dmae2e0"
#define M1 "net_mrnic_dmae2e1"

static int
mr_entries(uint16_t port, uint64_t *v)
{
	*v = mrnic_t_xstat(port, "mr_entries");
	TEST_ASSERT_NE(*v, UINT64_MAX, "xstat mr_entries of port %u", port);
	return TEST_SUCCESS;
}

static int
test_dma_mrnic(void)
{
	struct rte_extmem_devmap_mapping_info mi;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r, *late;
	struct rte_device *d0, *d1;
	uint64_t before, after;
	uint16_t p0, p1;

	d0 = test_vdev_probe(M0, "peer=self");
	TEST_ASSERT_NOT_NULL(d0, "probe " M0);
	TEST_RUN(mrnic_t_port(M0, &p0));
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "probing");
	TEST_RUN(mr_entries(p0, &before));

	/* a region created while the port exists */
	r = test_anon_region("dma_mrnic", 64, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info");
	TEST_ASSERT_EQ(test_is_mapped(r, d0), 1, "dispatcher");
	TEST_ASSERT_EQ(rte_extmem_devmap_mapping_info_get(r, rte_dev_name(d0),
		&mi), 0, "info");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p0, info.addr, info.len), 1,
		"the driver has the whole region mapped");
	TEST_RUN(mr_entries(p0, &after));
	TEST_ASSERT_EQ(after - before, mi.n_chunks,
		"one MR entry per IOVA run");
	TEST_LOG("%u pages in %u MR entries (IOVA mode %s)", info.n_pages,
		mi.n_chunks, rte_eal_iova_mode() == RTE_IOVA_VA ? "va" : "pa");

	/* a port probed later gets the existing region */
	d1 = test_vdev_probe(M1, "peer=self");
	TEST_ASSERT_NOT_NULL(d1, "probe " M1);
	TEST_RUN(mrnic_t_port(M1, &p1));
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "probing");
	TEST_ASSERT_EQ(test_is_mapped(r, d1), 1, "replayed");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p1, info.addr, info.len), 1,
		"replayed into the driver");

	/* and one created now goes to both */
	late = test_anon_region("dma_mrnic_late", 8, 0);
	TEST_ASSERT_NOT_NULL(late, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(late, &info), 0, "info");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p0, info.addr, info.len), 1,
		"on " M0);
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p1, info.addr, info.len), 1,
		"on " M1);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(late), 0, "destroy");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p0, info.addr, info.len), 0,
		"gone from " M0);
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p1, info.addr, info.len), 0,
		"gone from " M1);

	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p0, info.addr, info.len), 0,
		"unmapped from the driver");
	TEST_RUN(mr_entries(p0, &after));
	TEST_ASSERT_EQ(after, before, "MR entries back");
	TEST_ASSERT_EQ(rte_dev_remove(d1), 0, "remove");
	TEST_ASSERT_EQ(rte_dev_remove(d0), 0, "remove");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_mrnic, test_dma_mrnic, 0);
