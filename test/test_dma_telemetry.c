/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Telemetry of the DMA domains, read by the stock dpdk-telemetry.py client
 * run against this process: /extmem/dma_domains lists a shared domain of
 * two net_mrnic ports and the own domain of a third, and
 * /extmem/dma_domain_info gives their entries used, maximum and left.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <rte_errno.h>

#include <rte_extmem.h>
#include <rte_extmem_devmap.h>

#include "test.h"
#include "test_dma_util.h"
#include "test_telemetry_util.h"

#define EXPECT(out, s) do { \
	if (strstr(out, s) == NULL) { \
		TEST_LOG("telemetry output lacks '%s'", s); \
		ok = false; \
	} \
} while (0)

/* 4 pages in 3 runs whatever the IOVA mode: caller IOVAs */
static const rte_iova_t tel_iovas[] = {
	0x10000000, 0x10001000, 0x20000000, 0x30000000,
};

static int
test_dma_domain_telemetry(void)
{
	struct test_ureg u;
	bool ok = true;
	char *out;
	int ret;

	ret = test_tel_available();
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_telA0",
		"domain=telA,domain_entries=10,peer=self"), 0, "probe");
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_telA1",
		"domain=telA,domain_entries=10,peer=self"), 0, "probe");
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_telO", "peer=self"), 0,
		"probe");
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "probing");
	TEST_ASSERT_NOT_NULL(test_ureg_create(&u, "tel_dma", 4, tel_iovas, 0),
		"region: %s", rte_strerror(rte_errno));

	out = test_tel_run("/extmem/dma_domains\n"
		"/extmem/dma_domain_info,telA\n"
		"/extmem/dma_domain_info,net_mrnic_telO\n"
		"/extmem/dma_domain_info,nosuch\n"
		"/extmem/dma_domain_info\n"
		"/extmem/dma_domains,extra\n");
	TEST_ASSERT_NOT_NULL(out, "client output");
	printf("%s", out);
	EXPECT(out, "{\"/extmem/dma_domains\": [\"telA\", "
		"\"net_mrnic_telO\"]}");
	/* mapped once for two ports: 3 runs, 3 calls */
	EXPECT(out, "{\"/extmem/dma_domain_info\": {\"name\": \"telA\", "
		"\"shared\": 1, \"eal_maps_heap\": 0, \"n_devs\": 2, "
		"\"n_regions\": 1, \"entries_used\": 3, \"max_entries\": 10, "
		"\"entries_left\": 7, \"map_calls\": 3, \"unmap_calls\": 0}}");
	/* a device's own domain, no known limit: the same keys,
	 * entries_left UINT_MAX as in rte_extmem_devmap_domain_info
	 */
	EXPECT(out, "{\"/extmem/dma_domain_info\": {\"name\": "
		"\"net_mrnic_telO\", \"shared\": 0, \"eal_maps_heap\": 0, "
		"\"n_devs\": 1, \"n_regions\": 1, \"entries_used\": 3, "
		"\"max_entries\": 0, \"entries_left\": 4294967295, "
		"\"map_calls\": 3, \"unmap_calls\": 0}}");
	/* unknown name, missing or extra parameter: null */
	EXPECT(out, "{\"/extmem/dma_domain_info\": null}\n"
		"{\"/extmem/dma_domain_info\": null}\n"
		"{\"/extmem/dma_domains\": null}");
	free(out);
	TEST_ASSERT(ok, "telemetry output as expected (above)");

	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_telA0"), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_telA1"), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_telO"), 0, "remove");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_domain_telemetry, test_dma_domain_telemetry, 0);
