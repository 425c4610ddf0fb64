/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* What the run registered and mapped: the regions and their DMA state. */

#include <inttypes.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_extmem.h>
#include <rte_extmem_devmap.h>

#include "etp.h"
#include "etp_mem.h"

static void
human(char *buf, size_t len, uint64_t v)
{
	if (v >= (1ULL << 30) && v % (1ULL << 30) == 0)
		snprintf(buf, len, "%" PRIu64 "G", v >> 30);
	else if (v >= (1ULL << 20) && v % (1ULL << 20) == 0)
		snprintf(buf, len, "%" PRIu64 "M", v >> 20);
	else if (v >= (1ULL << 10) && v % (1ULL << 10) == 0)
		snprintf(buf, len, "%" PRIu64 "K", v >> 10);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

static void
report_mapping(const struct rte_extmem_region *r)
{
	struct rte_extmem_devmap_mapping_info mi;
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev_info info;
	uint16_t i, pid;
	int m;

	printf("    DMA-mapped on:");
	for (i = 0; i < etp_nb_ports(); i++) {
		pid = etp_port_id(i);
		if (rte_eth_dev_info_get(pid, &info) != 0)
			continue;
		m = rte_extmem_devmap_mapping_info_get(r,
			rte_dev_name(info.device),
			&mi) == 0 ? 1 : rte_errno == ENOENT ? 0 : -1;
		if (rte_eth_dev_get_name_by_port(pid, name) != 0)
			snprintf(name, sizeof(name), "port%u", pid);
		printf(" %s=%s", name, m == 1 ? "yes" : m == 0 ? "no" : "?");
	}
	printf("\n");
}

static int
print_region(const struct rte_extmem_region *r,
	const struct rte_extmem_region_info *info, void *arg __rte_unused)
{
	char len[24], pg[24];

	human(len, sizeof(len), info->len);
	human(pg, sizeof(pg), info->page_sz);
	printf("  region %-16s %6s at %p: %s backing, %u x %s pages, "
		"%u IOVA-contiguous run(s)%s%s%s, %s\n", info->name, len,
		info->addr, rte_extmem_backing_name(info->backing),
		info->n_pages, pg, info->n_iova_runs,
		info->heap[0] ? ", heap " : "", info->heap,
		info->n_bad_iova ? ", some IOVAs unknown" : "",
		info->shared ? "shared" : "not shared");
	report_mapping(r);
	return 0;
}

/* Why a region of this app is not shareable. */
static const char *
private_reason(const struct rte_extmem_region_info *info)
{
	switch (info->backing) {
	case RTE_EXTMEM_BACKING_ANON:
		return "private anonymous 4K pages (xmemshared shares 4K "
			"pages)";
	case RTE_EXTMEM_BACKING_ANON_THP:
		return "transparent hugepages, which this kernel gives only to "
			"private memory (transparent_hugepage/shmem_enabled)";
	case RTE_EXTMEM_BACKING_USER:
	case RTE_EXTMEM_BACKING_DEVICE:
		return "the memory has no file descriptor";
	default:
		return "private memory requested";
	}
}

static int
report_private(const struct rte_extmem_region *r __rte_unused,
	const struct rte_extmem_region_info *info, void *arg __rte_unused)
{
	if (!info->shared)
		printf("memory not shared with secondary processes: region %s "
			"(%s backing%s%s): %s; secondaries (dpdk-proc-info, "
			"dpdk-pdump, dpdk-dumpcap) cannot map it\n", info->name,
			rte_extmem_backing_name(info->backing),
			info->heap[0] ? ", heap " : "", info->heap,
			private_reason(info));
	return 0;
}

void
etp_mem_report_sharing(void)
{
	rte_extmem_region_walk(report_private, NULL);
}

void
etp_mem_report(const struct etp_mem *mem)
{
	char pg[24];
	int n;

	human(pg, sizeof(pg), mem->page_sz);
	printf("memory: mp-alloc %s, backing %s, page size %s, pool %s "
		"(%u mbufs of %u bytes)\n", mem->mode_name,
		mem->backing_name ? mem->backing_name : "?",
		mem->page_sz ? pg : "?", mem->pool ? mem->pool->name : "-",
		mem->pool ? mem->pool->size : 0,
		mem->pool ? mem->pool->elt_size : 0);
	n = rte_extmem_region_walk(NULL, NULL);
	if (n <= 0) {
		printf("  no external memory registered (EAL memory only)\n");
		return;
	}
	printf("registered external memory (%d region(s)):\n", n);
	rte_extmem_region_walk(print_region, NULL);
}
