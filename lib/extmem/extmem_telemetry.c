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
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_telemetry.h>

#include "extmem_heap_private.h"
#include "extmem_telemetry_private.h"

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
	return extmem_tel_add_name(arg, info->name);
}

static int
tel_regions(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	if (extmem_tel_list_start(params, d) != 0)
		return -EINVAL;
	rte_extmem_region_walk(tel_region_name_cb, d);
	return 0;
}

#define REGION_U(m) EXTMEM_TEL_U(struct rte_extmem_region_info, m)
#define REGION_I(m) EXTMEM_TEL_I(struct rte_extmem_region_info, m)
/* What /extmem/region_info gives of the info after name, backing, addr. */
static const struct extmem_tel_field region_fields[] = {
	REGION_U(len), REGION_U(page_sz), REGION_U(n_pages),
	REGION_I(numa_node), REGION_U(n_bad_iova), REGION_U(n_iova_runs),
	REGION_U(users),
	EXTMEM_TEL_S(struct rte_extmem_region_info, heap),
	REGION_I(socket_id), REGION_U(flags), REGION_U(id),
	REGION_U(shared), REGION_U(fd_offset),
};

static int
tel_region_info(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	struct rte_extmem_heap *h;
	unsigned int n_alloc;
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
	extmem_tel_add_hex(d, "addr", (uintptr_t)info.addr);
	extmem_tel_add_fields(d, &info, region_fields, RTE_DIM(region_fields));
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
	return extmem_tel_add_name(arg, info->name);
}

static int
tel_heaps(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	if (extmem_tel_list_start(params, d) != 0)
		return -EINVAL;
	rte_extmem_heap_walk(tel_heap_name_cb, d);
	return 0;
}

#define HEAP_U(m) EXTMEM_TEL_U(struct rte_extmem_heap_info, m)
/* What /extmem/heap_info gives of the info, before its regions. */
static const struct extmem_tel_field heap_fields[] = {
	EXTMEM_TEL_S(struct rte_extmem_heap_info, name),
	EXTMEM_TEL_I(struct rte_extmem_heap_info, socket_id),
	HEAP_U(size), HEAP_U(free), HEAP_U(greatest_free),
	HEAP_U(alloc_count), HEAP_U(alloc_bytes), HEAP_U(free_count),
	HEAP_U(n_regions), HEAP_U(min_page_sz), HEAP_U(grow_len),
	HEAP_U(max_len), HEAP_U(n_grown), HEAP_U(n_grow_failed),
	HEAP_U(flags),
	EXTMEM_TEL_S(struct rte_extmem_heap_info, pool),
};

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
	extmem_tel_add_fields(d, &info, heap_fields, RTE_DIM(heap_fields));
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
