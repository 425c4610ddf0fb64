/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The driver SDK headers were found and work: a vdev PMD compiled against
 * them (net_extmem_rec) is probed as an ethdev port, receives dma_map and
 * dma_unmap through the generic rte_dev_dma_map() and is removed again.
 */

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "test.h"
#include "vdev_recorder.h"

static int
test_sdk_vdev_probe(void)
{
	const char *name = VDEV_REC_DRIVER "_sdk0";
	unsigned int probes = vdev_rec_probes();
	uint16_t nports = rte_eth_dev_count_avail();
	struct rte_eth_dev_info info;
	struct rte_device *dev;
	uint16_t port;
	uint8_t buf[8192] __rte_aligned(4096);
	int ret;

	ret = rte_dev_probe(name);
	TEST_ASSERT_EQ(ret, 0, "rte_dev_probe(%s)", name);
	TEST_ASSERT_EQ(vdev_rec_probes(), probes + 1, "probe count");
	TEST_ASSERT_EQ(rte_eth_dev_count_avail(), nports + 1, "port count");
	TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name(name, &port), 0,
		"port of %s", name);
	TEST_ASSERT_EQ(rte_eth_dev_info_get(port, &info), 0, "dev info");
	TEST_ASSERT_EQ(info.max_rx_queues, 1, "driver's dev_infos_get used");
	TEST_ASSERT_NOT_NULL(info.driver_name, "driver name");
	TEST_ASSERT(strcmp(info.driver_name, VDEV_REC_DRIVER) == 0,
		"driver name %s", info.driver_name);

	/* rte_dev_dma_map() reaches the driver's vdev hook. */
	dev = info.device;
	vdev_rec_reset();
	ret = rte_extmem_register(buf, sizeof(buf), NULL, 0, 4096);
	TEST_ASSERT_EQ(ret, 0, "rte_extmem_register: %s",
		rte_strerror(rte_errno));
	ret = rte_dev_dma_map(dev, buf, 0x1000, sizeof(buf));
	TEST_ASSERT_EQ(ret, 0, "rte_dev_dma_map");
	ret = rte_dev_dma_unmap(dev, buf, 0x1000, sizeof(buf));
	TEST_ASSERT_EQ(ret, 0, "rte_dev_dma_unmap");
	TEST_ASSERT_EQ(rte_extmem_unregister(buf, sizeof(buf)), 0, "unreg");
	TEST_ASSERT_EQ(vdev_rec_ncalls(), 2, "recorded hook calls");
	TEST_ASSERT_EQ(vdev_rec_call(0)->map, 1, "first call is map");
	TEST_ASSERT_EQ(vdev_rec_call(0)->va, (uintptr_t)buf, "va");
	TEST_ASSERT_EQ(vdev_rec_call(0)->iova, 0x1000, "iova");
	TEST_ASSERT_EQ(vdev_rec_call(0)->len, sizeof(buf), "len");
	TEST_ASSERT_EQ(vdev_rec_call(1)->map, 0, "second call is unmap");

	ret = rte_dev_remove(dev);
	TEST_ASSERT_EQ(ret, 0, "rte_dev_remove");
	TEST_ASSERT_EQ(rte_eth_dev_count_avail(), nports, "port gone");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(sdk_vdev_probe, test_sdk_vdev_probe, 0);
