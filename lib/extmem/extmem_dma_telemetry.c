/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Telemetry of the DMA dispatcher: /extmem/dma_domains, every IOMMU domain
 * with its devices, regions and mapping entries used and left (the limits
 * report). The handler runs in EAL's telemetry thread and uses only the
 * locked public API.
 */

#include <errno.h>
#include <limits.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "extmem_private.h"
#include "rte_extmem_dma.h"

static int
tel_domain_cb(const char *name, void *arg)
{
	struct rte_extmem_dma_domain_info info;
	struct rte_tel_data *d;

	if (rte_extmem_dma_domain_info_get(name, &info) != 0)
		return 0;
	d = rte_tel_data_alloc();
	if (d == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "shared",
		!!(info.flags & RTE_EXTMEM_DMA_DOMAIN_F_SHARED));
	rte_tel_data_add_dict_u64(d, "eal_maps_heap",
		!!(info.flags & RTE_EXTMEM_DMA_DOMAIN_F_EAL_HEAP));
	rte_tel_data_add_dict_u64(d, "n_devs", info.n_devs);
	rte_tel_data_add_dict_u64(d, "n_regions", info.n_regions);
	rte_tel_data_add_dict_u64(d, "entries_used", info.n_entries);
	/* 0: no known limit, and then nothing is "left" to report */
	rte_tel_data_add_dict_u64(d, "max_entries", info.max_entries);
	if (info.max_entries != 0)
		rte_tel_data_add_dict_u64(d, "entries_left",
			info.entries_left);
	rte_tel_data_add_dict_u64(d, "map_calls", info.map_calls);
	rte_tel_data_add_dict_u64(d, "unmap_calls", info.unmap_calls);
	if (rte_tel_data_add_dict_container(arg, name, d, 0) != 0) {
		rte_tel_data_free(d);
		return -ENOSPC;
	}
	return 0;
}

static int
tel_dma_domains(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	int ret;

	if (params != NULL && params[0] != '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	ret = rte_extmem_dma_domain_walk(tel_domain_cb, d);
	return ret < 0 ? ret : 0;
}

RTE_INIT(extmem_dma_telemetry_init)
{
	rte_telemetry_register_cmd("/extmem/dma_domains", tel_dma_domains,
		"Returns every DMA (IOMMU) domain with its devices, regions, "
		"mapping entries used, maximum (0: unknown) and left, and "
		"calls made. Takes no parameters");
}
