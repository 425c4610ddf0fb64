/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * net_mrnic ports in one shared DMA domain behave like devices of one VFIO
 * container: one table for all of them, a repeated overlapping map
 * accepted without effect, an unmap through any port removing the range
 * for all, an entry limit, a table outliving the removal of one port.
 * The memory is a region opted out of automatic mapping (EAL's
 * rte_dev_dma_map() wants memory it knows), mapped with rte_dev_dma_map()
 * directly.
 */

#include <errno.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <rte_extmem.h>
#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_dma_util.h"

#define V0 "net_mrnic_vfio0"
#define V1 "net_mrnic_vfio1"
#define PG TEST_PG
#define NPG 16

static int
port_of(const char *name, uint16_t *port, struct rte_device **dev)
{
	struct rte_eth_dev_info info;

	TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name(name, port), 0,
		"port of %s", name);
	TEST_ASSERT_EQ(rte_eth_dev_info_get(*port, &info), 0, "info");
	*dev = info.device;
	return TEST_SUCCESS;
}

static int
test_mrnic_domain_table(void)
{
	struct rte_device *d0, *d1;
	uint16_t p0, p1;
	rte_iova_t iova = 0x70000000;
	struct test_ureg u;
	unsigned int i;
	uint8_t *buf;

	TEST_ASSERT_NOT_NULL(test_ureg_create(&u, "mrnic_vfio", NPG, NULL,
		RTE_EXTMEM_REGION_F_NO_DEVMAP), "region: %s",
		rte_strerror(rte_errno));
	buf = u.buf;
	TEST_ASSERT_EQ(rte_vdev_init(V0, "domain=domV,domain_entries=3"), 0,
		"probe " V0);
	TEST_ASSERT_EQ(rte_vdev_init(V1, "domain=domV,domain_entries=3"), 0,
		"probe " V1);
	TEST_RUN(port_of(V0, &p0, &d0));
	TEST_RUN(port_of(V1, &p1, &d1));

	/* one table: mapped through one port, seen by the other */
	TEST_ASSERT_EQ(rte_dev_dma_map(d0, buf, iova, 4 * PG), 0, "map");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p1, buf, 4 * PG), 1,
		"seen by " V1);
	/* mapped again through the other: accepted, no second entry */
	TEST_ASSERT_EQ(rte_dev_dma_map(d1, buf, iova, 4 * PG), 0,
		"repeated map (VFIO's EEXIST)");
	TEST_ASSERT_EQ(rte_dev_dma_map(d1, buf + PG, iova + PG, PG), 0,
		"overlapping map");
	/* an unmap through one port removes it for both */
	TEST_ASSERT_EQ(rte_dev_dma_unmap(d1, buf, iova, 4 * PG), 0, "unmap");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p0, buf, PG), 0,
		"gone for " V0 " too");
	TEST_ASSERT_ERRNO(rte_dev_dma_unmap(d0, buf, iova, 4 * PG), ENOENT,
		"the repeated map added nothing");

	/* the limit: 3 entries, whichever port maps them */
	for (i = 0; i < 3; i++)
		TEST_ASSERT_EQ(rte_dev_dma_map(i % 2 ? d1 : d0, buf + i * PG,
			iova + i * 2 * PG, PG), 0, "map %u", i);
	TEST_ASSERT_ERRNO(rte_dev_dma_map(d0, buf + 3 * PG, iova + 6 * PG,
		PG), ENOSPC, "a 4th entry");
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p0, buf + 3 * PG, PG), 0,
		"not mapped");
	TEST_ASSERT_EQ(rte_dev_dma_unmap(d1, buf, iova, PG), 0, "unmap 0");
	TEST_ASSERT_EQ(rte_dev_dma_map(d0, buf + 3 * PG, iova + 6 * PG, PG),
		0, "room again");

	/* one port goes: the domain's table stays with the other */
	TEST_ASSERT_EQ(rte_vdev_uninit(V0), 0, "remove " V0);
	for (i = 1; i < 4; i++)
		TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(p1, buf + i * PG, PG),
			1, "page %u still mapped", i);
	for (i = 1; i < 4; i++)
		TEST_ASSERT_EQ(rte_dev_dma_unmap(d1, buf + i * PG,
			iova + i * 2 * PG, PG), 0, "unmap %u", i);
	TEST_ASSERT_EQ(rte_vdev_uninit(V1), 0, "remove " V1);
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mrnic_domain_table, test_mrnic_domain_table, 0);
