/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Telemetry of the DMA dispatcher: /extmem/dma_domains (the names of every
 * IOMMU domain) and /extmem/dma_domain_info,<name> (its devices, regions,
 * mapping entries used, maximum and left: the limits report). Handlers
 * run in EAL's telemetry thread and use only the locked public API. A bad
 * parameter returns -EINVAL and an unknown name -ENOENT (the client then
 * shows null).
 */

#include <errno.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_telemetry.h>

#include "extmem_private.h"
#include "rte_extmem_devmap.h"

static int
tel_domain_name_cb(const char *name, void *arg)
{
	return rte_tel_data_add_array_string(arg, name) != 0 ? -ENOSPC : 0;
}

static int
tel_dma_domains(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	int ret;

	if (params != NULL && params[0] != '\0')
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	ret = rte_extmem_devmap_domain_walk(tel_domain_name_cb, d);
	return ret < 0 ? ret : 0;
}

static int
tel_dma_domain_info(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct rte_extmem_devmap_domain_info info;

	if (!extmem_name_valid(params, RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE))
		return -EINVAL;
	if (rte_extmem_devmap_domain_info_get(params, &info) != 0)
		return -rte_errno;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", params);
	rte_tel_data_add_dict_u64(d, "shared",
		!!(info.flags & RTE_EXTMEM_DEVMAP_DOMAIN_F_SHARED));
	rte_tel_data_add_dict_u64(d, "eal_maps_heap",
		!!(info.flags & RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP));
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
	return 0;
}

static void
extmem_dma_telemetry_register(void)
{
	/* EAL refuses help texts of RTE_TEL_MAX_STRING_LEN (64) or more */
	rte_telemetry_register_cmd("/extmem/dma_domains", tel_dma_domains,
		"Returns the DMA domain names. Takes no parameters");
	rte_telemetry_register_cmd("/extmem/dma_domain_info",
		tel_dma_domain_info,
		"Returns a DMA domain's entries. Parameters: domain name");
}

/* Registered when the library is used in the process (extmem_lazy_add()). */
RTE_INIT(extmem_dma_telemetry_init)
{
	extmem_lazy_add(extmem_dma_telemetry_register);
}
