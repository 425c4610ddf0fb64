/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Telemetry: /extmem/regions, /extmem/region_info,<name>, /extmem/heaps,
 * /extmem/heap_info,<name>. Handlers run in EAL's telemetry thread and use
 * only the locked public API. Addresses are hex strings. A bad parameter returns -EINVAL and an
 * unknown name -ENOENT (the client then shows null).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_telemetry.h>

#include "extmem_heap_private.h"

/* Commands without parameters refuse any. */
static int
tel_no_params(const char *params)
{
	return params != NULL && params[0] != '\0' ? -EINVAL : 0;
}

/* A name parameter: 1 to RTE_EXTMEM_NAMESIZE - 1 characters. */
static int
tel_name_param(const char *params)
{
	return extmem_name_valid(params, RTE_EXTMEM_NAMESIZE) ? 0 : -EINVAL;
}

static int
tel_region_name_cb(const struct rte_extmem_region *region __rte_unused,
	const struct rte_extmem_region_info *info, void *arg)
{
	return rte_tel_data_add_array_string(arg, info->name) != 0;
}

static int
tel_regions(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	if (tel_no_params(params) != 0)
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	rte_extmem_region_walk(tel_region_name_cb, d);
	return 0;
}

static int
tel_region_info(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	struct rte_extmem_heap *h;
	unsigned int n_alloc;
	char addr[24];
	size_t bytes;

	if (tel_name_param(params) != 0)
		return -EINVAL;
	r = rte_extmem_region_lookup(params);
	if (r == NULL || rte_extmem_region_info_get(r, &info) != 0)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", info.name);
	rte_tel_data_add_dict_string(d, "backing",
		rte_extmem_backing_name(info.backing));
	snprintf(addr, sizeof(addr), "0x%" PRIxPTR, (uintptr_t)info.addr);
	rte_tel_data_add_dict_string(d, "addr", addr);
	rte_tel_data_add_dict_u64(d, "len", info.len);
	rte_tel_data_add_dict_u64(d, "page_sz", info.page_sz);
	rte_tel_data_add_dict_u64(d, "n_pages", info.n_pages);
	rte_tel_data_add_dict_int(d, "numa_node", info.numa_node);
	rte_tel_data_add_dict_u64(d, "n_bad_iova", info.n_bad_iova);
	rte_tel_data_add_dict_u64(d, "n_iova_runs", info.n_iova_runs);
	rte_tel_data_add_dict_u64(d, "users", info.users);
	rte_tel_data_add_dict_string(d, "heap", info.heap);
	rte_tel_data_add_dict_int(d, "socket_id", info.socket_id);
	rte_tel_data_add_dict_u64(d, "flags", info.flags);
	rte_tel_data_add_dict_u64(d, "id", info.id);
	if (info.heap[0] != '\0') {
		h = rte_extmem_heap_lookup(info.heap);
		if (h != NULL && rte_extmem_heap_region_usage(h, r, &n_alloc,
				&bytes) == 0) {
			rte_tel_data_add_dict_u64(d, "heap_alloc_count",
				n_alloc);
			rte_tel_data_add_dict_u64(d, "heap_alloc_bytes", bytes);
		}
	}
	return 0;
}

static int
tel_heap_name_cb(const struct rte_extmem_heap *heap __rte_unused,
	const struct rte_extmem_heap_info *info, void *arg)
{
	return rte_tel_data_add_array_string(arg, info->name) != 0;
}

static int
tel_heaps(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	if (tel_no_params(params) != 0)
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	rte_extmem_heap_walk(tel_heap_name_cb, d);
	return 0;
}

static int
tel_heap_info(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct rte_extmem_region_info rinfo;
	struct rte_extmem_heap_info info;
	struct rte_extmem_region *regions[RTE_TEL_MAX_ARRAY_ENTRIES];
	struct rte_tel_data *names;
	struct rte_extmem_heap *h;
	int i, n;

	if (tel_name_param(params) != 0)
		return -EINVAL;
	h = rte_extmem_heap_lookup(params);
	if (h == NULL)
		return rte_errno == ENOENT ? -ENOENT : -EINVAL;
	/* The heap may go away between calls: each call checks it. */
	if (rte_extmem_heap_info_get(h, &info) != 0)
		return -ENOENT;
	n = rte_extmem_heap_regions_get(h, regions, RTE_DIM(regions));
	if (n < 0)
		return -ENOENT;
	names = rte_tel_data_alloc();
	if (names == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	for (i = 0; i < RTE_MIN(n, (int)RTE_DIM(regions)); i++)
		if (rte_extmem_region_info_get(regions[i], &rinfo) == 0)
			rte_tel_data_add_array_string(names, rinfo.name);

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", info.name);
	rte_tel_data_add_dict_int(d, "socket_id", info.socket_id);
	rte_tel_data_add_dict_u64(d, "size", info.size);
	rte_tel_data_add_dict_u64(d, "free", info.free);
	rte_tel_data_add_dict_u64(d, "greatest_free", info.greatest_free);
	rte_tel_data_add_dict_u64(d, "alloc_count", info.alloc_count);
	rte_tel_data_add_dict_u64(d, "alloc_bytes", info.alloc_bytes);
	rte_tel_data_add_dict_u64(d, "free_count", info.free_count);
	rte_tel_data_add_dict_u64(d, "n_regions", info.n_regions);
	rte_tel_data_add_dict_u64(d, "min_page_sz", info.min_page_sz);
	rte_tel_data_add_dict_u64(d, "grow_len", info.grow_len);
	rte_tel_data_add_dict_u64(d, "max_len", info.max_len);
	rte_tel_data_add_dict_u64(d, "n_grown", info.n_grown);
	rte_tel_data_add_dict_u64(d, "n_grow_failed", info.n_grow_failed);
	rte_tel_data_add_dict_u64(d, "flags", info.flags);
	rte_tel_data_add_dict_string(d, "pool", info.pool);
	rte_tel_data_add_dict_container(d, "regions", names, 0);
	return 0;
}

static void
extmem_telemetry_register(void)
{
	rte_telemetry_register_cmd("/extmem/regions", tel_regions,
		"Returns the names of all external memory regions. "
		"Takes no parameters");
	rte_telemetry_register_cmd("/extmem/region_info", tel_region_info,
		"Returns the description of a region. Parameters: region name");
	rte_telemetry_register_cmd("/extmem/heaps", tel_heaps,
		"Returns the names of the external heaps of librte_extmem. "
		"Takes no parameters");
	rte_telemetry_register_cmd("/extmem/heap_info", tel_heap_info,
		"Returns the description and statistics of a heap. "
		"Parameters: heap name");
}

/* Registered when the library is used in the process (extmem_lazy_add()). */
RTE_INIT(extmem_telemetry_init)
{
	extmem_lazy_add(extmem_telemetry_register);
}
