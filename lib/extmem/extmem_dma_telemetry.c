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
#include "extmem_telemetry_private.h"
#include "rte_extmem_devmap.h"

static int
tel_domain_name_cb(const char *name, void *arg)
{
	return extmem_tel_add_name(arg, name);
}

static int
tel_dma_domains(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	int ret;

	if (extmem_tel_list_start(params, d) != 0)
		return -EINVAL;
	ret = rte_extmem_devmap_domain_walk(tel_domain_name_cb, d);
	return ret < 0 ? ret : 0;
}

#define DOMAIN_U(m) EXTMEM_TEL_U(struct rte_extmem_devmap_domain_info, m)
/* What /extmem/dma_domain_info gives of the info: the same keys for
 * every domain (shared or a device's own, with or without a limit).
 */
static const struct extmem_tel_field domain_fields[] = {
	DOMAIN_U(n_devs), DOMAIN_U(n_regions),
	EXTMEM_TEL_FIELD("entries_used", EXTMEM_TEL_UINT,
		struct rte_extmem_devmap_domain_info, n_entries),
	/* 0: no known limit, and then entries_left is UINT_MAX */
	DOMAIN_U(max_entries), DOMAIN_U(entries_left),
	DOMAIN_U(map_calls), DOMAIN_U(unmap_calls),
};

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
	extmem_tel_add_fields(d, &info, domain_fields, RTE_DIM(domain_fields));
	return 0;
}

static void
extmem_dma_telemetry_register(void)
{
	/* EAL refuses help texts of RTE_TEL_MAX_STRING_LEN (128) or more */
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
