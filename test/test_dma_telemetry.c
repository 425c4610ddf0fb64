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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <rte_errno.h>

#include <rte_extmem.h>
#include <rte_extmem_dma.h>

#include "test.h"
#include "test_dma_util.h"

#define CLIENT "/usr/bin/dpdk-telemetry.py"
#define OUT_MAX 16384

/* Run the client with the commands on its stdin; its output, or NULL. */
static char *
tel_query(const char *cmds)
{
	char cmd[1024];
	size_t len = 0;
	char *out;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "printf '%s' | python3 %s -f %s 2>&1",
		cmds, CLIENT, extmem_test_file_prefix);
	out = calloc(1, OUT_MAX);
	f = out == NULL ? NULL : popen(cmd, "r");
	if (f == NULL) {
		free(out);
		return NULL;
	}
	while (len < OUT_MAX - 1 && fgets(out + len, OUT_MAX - len, f) != NULL)
		len += strlen(out + len);
	st = pclose(f);
	if (st != 0)
		printf("    client exit status %d\n", st);
	return out;
}

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
	char sock[256], *out;
	struct test_ureg u;
	struct stat sb;
	bool ok = true;

	if (access(CLIENT, R_OK) != 0)
		TEST_SKIP("%s is not installed", CLIENT);
	if (extmem_test_file_prefix[0] == '\0')
		TEST_SKIP("the test runs without --file-prefix");
	snprintf(sock, sizeof(sock), "%s/dpdk/%s/dpdk_telemetry.v2",
		getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR") ?
		getenv("XDG_RUNTIME_DIR") : "/tmp", extmem_test_file_prefix);
	if (stat(sock, &sb) != 0)
		TEST_SKIP("no telemetry socket %s (EAL telemetry disabled?)",
			sock);

	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_telA0",
		"domain=telA,domain_entries=10,peer=self"), 0, "probe");
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_telA1",
		"domain=telA,domain_entries=10,peer=self"), 0, "probe");
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_telO", "peer=self"), 0,
		"probe");
	TEST_ASSERT_EQ(rte_extmem_dma_sync(), 0, "probing");
	TEST_ASSERT_NOT_NULL(test_ureg_create(&u, "tel_dma", 4, tel_iovas, 0),
		"region: %s", rte_strerror(rte_errno));

	out = tel_query("/extmem/dma_domains\\n"
		"/extmem/dma_domain_info,telA\\n"
		"/extmem/dma_domain_info,net_mrnic_telO\\n"
		"/extmem/dma_domain_info,nosuch\\n"
		"/extmem/dma_domain_info\\n"
		"/extmem/dma_domains,extra\\n");
	TEST_ASSERT_NOT_NULL(out, "client output");
	printf("%s", out);
	EXPECT(out, "{\"/extmem/dma_domains\": [\"telA\", "
		"\"net_mrnic_telO\"]}");
	/* mapped once for two ports: 3 runs, 3 calls */
	EXPECT(out, "{\"/extmem/dma_domain_info\": {\"name\": \"telA\", "
		"\"shared\": 1, \"eal_maps_heap\": 0, \"n_devs\": 2, "
		"\"n_regions\": 1, \"entries_used\": 3, \"max_entries\": 10, "
		"\"entries_left\": 7, \"map_calls\": 3, \"unmap_calls\": 0}}");
	/* no known limit: no entries_left */
	EXPECT(out, "{\"/extmem/dma_domain_info\": {\"name\": "
		"\"net_mrnic_telO\", \"shared\": 0, \"eal_maps_heap\": 0, "
		"\"n_devs\": 1, \"n_regions\": 1, \"entries_used\": 3, "
		"\"max_entries\": 0, \"map_calls\": 3, \"unmap_calls\": 0}}");
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
