/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * An application of the installed files: built out of tree with
 * pkg-config libdpdk-net-mrnic, it calls the driver's API on net_mrnic
 * ports that EAL created from --vdev with the driver EAL loaded by itself
 * (no -d), or that the program creates with rte_vdev_init() when there
 * are none. A region created afterwards is mapped to both ports, and the
 * device translates exactly what the library's table says, then nothing
 * once the region is gone.
 *
 * Exit status 0 when every check holds; the failing check is printed.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <rte_extmem.h>
#include <rte_pmd_mrnic.h>

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		printf("mrnic-api: FAIL: " __VA_ARGS__); \
		printf(" (rte_errno %s)\n", rte_strerror(rte_errno)); \
		return 1; \
	} \
} while (0)

static int
check_port(uint16_t port, const uint8_t *buf, size_t len)
{
	rte_iova_t iova = RTE_BAD_IOVA;
	uint16_t peer;

	CHECK(rte_pmd_mrnic_mr_mode(port) == RTE_PMD_MRNIC_MR_EXTMEM,
		"port %u: mr mode", port);
	CHECK(rte_pmd_mrnic_peer(port, &peer) == 0 && peer != port,
		"port %u: peer", port);
	CHECK(rte_pmd_mrnic_dma_mapped(port, buf, len) == 1,
		"port %u: region not mapped on the device", port);
	CHECK(rte_pmd_mrnic_translate(port, buf + 4096, 64, &iova) == 0,
		"port %u: translate", port);
	CHECK(iova == rte_extmem_virt2iova(buf + 4096),
		"port %u: device IOVA 0x%" PRIx64 " != table's 0x%" PRIx64,
		port, iova, rte_extmem_virt2iova(buf + 4096));
	printf("mrnic-api: port %u (peer %u) translates %p to 0x%" PRIx64 "\n",
		port, peer, (const void *)(buf + 4096), iova);
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	uint16_t ports[2], port, n = 0;
	rte_iova_t iova;

	if (rte_eal_init(argc, argv) < 0) {
		printf("mrnic-api: FAIL: rte_eal_init: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	RTE_ETH_FOREACH_DEV(port)
		if (n < 2 && rte_pmd_mrnic_mr_mode(port) >= 0)
			ports[n++] = port;
	if (n == 0) {
		/* no --vdev: create the pair from the application */
		CHECK(rte_vdev_init("net_mrnic_app0", "mr=extmem") == 0 &&
			rte_vdev_init("net_mrnic_app1", "mr=extmem") == 0,
			"rte_vdev_init");
		CHECK(rte_eth_dev_get_port_by_name("net_mrnic_app0",
			&ports[0]) == 0 && rte_eth_dev_get_port_by_name(
			"net_mrnic_app1", &ports[1]) == 0, "ports");
		n = 2;
		printf("mrnic-api: created net_mrnic_app0/1 with rte_vdev_init\n");
	} else {
		printf("mrnic-api: %u net_mrnic ports from --vdev\n", n);
	}
	CHECK(n == 2, "expected two net_mrnic ports, found %u", n);

	rte_extmem_region_params_init(&rp);
	rp.name = "mrnic_api_app";
	rp.len = 1 << 20;
	r = rte_extmem_region_create(&rp);
	CHECK(r != NULL, "region");
	CHECK(rte_extmem_region_info_get(r, &info) == 0, "region info");
	if (check_port(ports[0], info.addr, info.len) != 0 ||
			check_port(ports[1], info.addr, info.len) != 0)
		return 1;
	/* memory the device was never given is not translated */
	CHECK(rte_pmd_mrnic_translate(ports[0], &rp, sizeof(rp), &iova) != 0 &&
		rte_errno == EFAULT, "unmapped stack buffer translated");
	CHECK(rte_extmem_region_destroy(r) == 0, "region destroy");
	CHECK(rte_pmd_mrnic_translate(ports[0], info.addr, 64, &iova) != 0 &&
		rte_errno == EFAULT, "destroyed region still translated");
	RTE_ETH_FOREACH_DEV(port)
		rte_eth_dev_close(port);
	rte_eal_cleanup();
	printf("mrnic-api: OK\n");
	return 0;
}
