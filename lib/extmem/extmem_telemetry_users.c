/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Telemetry of what uses the regions:
 *   /extmem/dma_map           region -> devices it is mapped on
 *   /extmem/dma_devices       device -> dispatcher state (pending, failed..)
 *   /extmem/dma_dev_info,<device>
 *   /extmem/slicers, /extmem/slicer_info,<name>
 *   /extmem/subscribers       event subscribers in delivery order
 *   /extmem/pools, /extmem/pool_info,<name>   pools made by the library
 * The DMA commands read the dispatcher through rte_extmem_devmap.h only; the
 * devices are those of the ethdev ports, their faults the ports' "fault"
 * xstats. Addresses are hex strings. Names used as dictionary keys have
 * the characters telemetry refuses in keys replaced by '_'.
 * A bad parameter returns -EINVAL and an unknown name -ENOENT (the client
 * shows null).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "extmem_private.h"
#include "extmem_telemetry_private.h"
#include "extmem_walk_private.h"
#include "rte_extmem_devmap.h"
#include "rte_extmem_heap.h"
#include "rte_extmem_mbuf.h"

#define TEL_MAX_DEVS 64

/* Is the region mapped on the device? (Not mapped is ENOENT.) */
static bool
region_is_mapped(const struct rte_extmem_region *r,
	const struct rte_device *dev)
{
	struct rte_extmem_devmap_mapping_info mi;

	return rte_extmem_devmap_mapping_info_get(r, rte_dev_name(dev),
		&mi) == 0;
}

/* The devices of the ethdev ports, each once. */
static unsigned int
tel_port_devices(struct rte_device *devs[], unsigned int max)
{
	struct rte_eth_dev_info info;
	unsigned int n = 0, i;
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port) {
		if (rte_eth_dev_info_get(port, &info) != 0 ||
				info.device == NULL)
			continue;
		for (i = 0; i < n; i++)
			if (devs[i] == info.device)
				break;
		if (i == n && n < max)
			devs[n++] = info.device;
	}
	return n;
}

static const char *
tel_dev_state_name(enum rte_extmem_devmap_dev_state s)
{
	static const char * const names[] = {
		[RTE_EXTMEM_DEVMAP_DEV_UNKNOWN] = "unknown",
		[RTE_EXTMEM_DEVMAP_DEV_PENDING] = "pending",
		[RTE_EXTMEM_DEVMAP_DEV_ACTIVE] = "active",
		[RTE_EXTMEM_DEVMAP_DEV_NO_DMA] = "no_dma",
		[RTE_EXTMEM_DEVMAP_DEV_FAILED] = "failed",
	};

	return (unsigned int)s < RTE_DIM(names) && names[s] != NULL ?
		names[s] : "?";
}

/*
 * The regions, collected by a walk and queried after it: the DMA queries
 * take the library's lock, which the walk holds. A region destroyed in
 * between is refused by the query (not a live region) and left out.
 */
struct tel_regions {
	unsigned int n;
	struct {
		const struct rte_extmem_region *r;
		char name[RTE_EXTMEM_NAMESIZE];
	} e[RTE_TEL_MAX_DICT_ENTRIES];
};

static int
tel_regions_cb(const struct rte_extmem_region *region,
	const struct rte_extmem_region_info *info, void *arg)
{
	struct tel_regions *t = arg;

	if (t->n == RTE_DIM(t->e))
		return 1;
	t->e[t->n].r = region;
	snprintf(t->e[t->n].name, sizeof(t->e[t->n].name), "%s", info->name);
	t->n++;
	return 0;
}

static struct tel_regions *
tel_regions_collect(void)
{
	struct tel_regions *t = calloc(1, sizeof(*t));

	if (t != NULL)
		rte_extmem_region_walk(tel_regions_cb, t);
	return t;
}

static int
tel_dma_map(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct rte_device *devs[TEL_MAX_DEVS];
	struct rte_tel_data *names;
	struct tel_regions *t;
	unsigned int n_devs, i, j;
	int ret = 0;

	if (extmem_tel_no_params(params) != 0)
		return -EINVAL;
	n_devs = tel_port_devices(devs, RTE_DIM(devs));
	t = tel_regions_collect();
	if (t == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	for (i = 0; i < t->n && ret == 0; i++) {
		names = rte_tel_data_alloc();
		if (names == NULL) {
			ret = -ENOMEM;
			break;
		}
		rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
		for (j = 0; j < n_devs; j++)
			if (region_is_mapped(t->e[i].r, devs[j]))
				rte_tel_data_add_array_string(names,
					rte_dev_name(devs[j]));
		extmem_tel_add_container(d, t->e[i].name, names);
	}
	free(t);
	return ret;
}

static int
tel_dma_devices(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	char key[RTE_TEL_MAX_STRING_LEN];
	struct rte_device *devs[TEL_MAX_DEVS];
	struct rte_extmem_devmap_dev_info info;
	unsigned int n, i;

	if (extmem_tel_no_params(params) != 0)
		return -EINVAL;
	n = tel_port_devices(devs, RTE_DIM(devs));
	rte_tel_data_start_dict(d);
	for (i = 0; i < n; i++)
		if (rte_extmem_devmap_dev_info_get(rte_dev_name(devs[i]),
				&info) == 0)
			rte_tel_data_add_dict_string(d, extmem_tel_key(key,
				sizeof(key), rte_dev_name(devs[i])),
				tel_dev_state_name(info.state));
	return 0;
}

/*
 * DMA faults a device counted: the sum over its ethdev ports of the
 * extended statistics whose name says "fault" (net_mrnic's
 * rx/tx_dma_fault_errors; 0 for drivers without such counters).
 */
static uint64_t
tel_dev_faults(const struct rte_device *dev)
{
	struct rte_eth_xstat_name *names;
	struct rte_eth_dev_info info;
	struct rte_eth_xstat *xs;
	uint64_t sum = 0;
	uint16_t port;
	int n, i;

	RTE_ETH_FOREACH_DEV(port) {
		if (rte_eth_dev_info_get(port, &info) != 0 ||
				info.device != dev)
			continue;
		n = rte_eth_xstats_get_names(port, NULL, 0);
		if (n <= 0)
			continue;
		names = calloc(n, sizeof(*names));
		xs = calloc(n, sizeof(*xs));
		if (names != NULL && xs != NULL &&
				rte_eth_xstats_get_names(port, names, n) == n &&
				rte_eth_xstats_get(port, xs, n) == n)
			for (i = 0; i < n; i++)
				if (xs[i].id < (uint64_t)n && strstr(
						names[xs[i].id].name, "fault"))
					sum += xs[i].value;
		free(names);
		free(xs);
	}
	return sum;
}

#define DEV_U(m) EXTMEM_TEL_U(struct rte_extmem_devmap_dev_info, m)
/* What /extmem/dma_dev_info gives of the info as it is. */
static const struct extmem_tel_field dev_fields[] = {
	DEV_U(n_ports), DEV_U(n_regions), DEV_U(n_chunks), DEV_U(map_calls),
	DEV_U(unmap_calls),
};

static int
tel_dma_dev_info(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct rte_device *devs[TEL_MAX_DEVS], *dev = NULL;
	struct rte_extmem_devmap_dev_info info;
	struct rte_tel_data *names;
	struct tel_regions *t;
	unsigned int n, i;

	if (params == NULL || params[0] == '\0' ||
			strnlen(params, RTE_EXTMEM_DEVMAP_DEV_NAMESIZE) ==
			RTE_EXTMEM_DEVMAP_DEV_NAMESIZE)
		return -EINVAL;
	if (rte_extmem_devmap_dev_info_get(params, &info) != 0)
		return -EINVAL;
	if (info.state == RTE_EXTMEM_DEVMAP_DEV_UNKNOWN && info.auto_enabled)
		return -ENOENT;
	n = tel_port_devices(devs, RTE_DIM(devs));
	for (i = 0; i < n; i++)
		if (strcmp(rte_dev_name(devs[i]), params) == 0)
			dev = devs[i];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", params);
	rte_tel_data_add_dict_string(d, "state",
		tel_dev_state_name(info.state));
	rte_tel_data_add_dict_int(d, "automatic", info.automatic);
	rte_tel_data_add_dict_int(d, "opted_out", !info.auto_enabled);
	extmem_tel_add_fields(d, &info, dev_fields, RTE_DIM(dev_fields));
	rte_tel_data_add_dict_string(d, "error",
		info.error == 0 ? "" : rte_strerror(info.error));
	if (dev != NULL)
		rte_tel_data_add_dict_u64(d, "dma_faults", tel_dev_faults(dev));
	if (dev != NULL) {
		names = rte_tel_data_alloc();
		t = tel_regions_collect();
		if (names == NULL || t == NULL) {
			rte_tel_data_free(names);
			free(t);
			return -ENOMEM;
		}
		rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
		for (i = 0; i < t->n; i++)
			if (region_is_mapped(t->e[i].r, dev))
				rte_tel_data_add_array_string(names,
					t->e[i].name);
		free(t);
		extmem_tel_add_container(d, "regions", names);
	}
	return 0;
}

static int
tel_slicer_name_cb(const struct extmem_slicer_view *v, void *arg)
{
	return extmem_tel_add_name(arg, v->name);
}

static int
tel_slicers(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	if (extmem_tel_list_start(params, d) != 0)
		return -EINVAL;
	extmem_slicer_walk(tel_slicer_name_cb, d);
	return 0;
}

struct tel_slicer_find {
	const char *name;
	struct extmem_slicer_view v;
	char region[RTE_EXTMEM_NAMESIZE];
	char pool[RTE_MEMPOOL_NAMESIZE];
	bool found;
};

static int
tel_slicer_find_cb(const struct extmem_slicer_view *v, void *arg)
{
	struct tel_slicer_find *f = arg;

	if (strcmp(v->name, f->name) != 0)
		return 0;
	f->v = *v;
	snprintf(f->region, sizeof(f->region), "%s", v->region);
	snprintf(f->pool, sizeof(f->pool), "%s", v->mp->name);
	f->found = true;
	return 1;
}

#define SLICER_U(m) EXTMEM_TEL_U(struct rte_extmem_slicer_info, m)
/* What /extmem/slicer_info gives of the info: before callbacks_pending,
 * then after it.
 */
static const struct extmem_tel_field slicer_fields[] = {
	SLICER_U(slices), SLICER_U(segments), SLICER_U(freed),
	SLICER_U(in_flight),
};
static const struct extmem_tel_field slicer_fail_fields[] = {
	SLICER_U(fails), SLICER_U(set_aside),
};

static int
tel_slicer_info(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct tel_slicer_find f = { .name = params };
	struct rte_extmem_slicer_info st;

	if (!extmem_name_valid(params, RTE_EXTMEM_NAMESIZE))
		return -EINVAL;
	extmem_slicer_walk(tel_slicer_find_cb, &f);
	/* the slicer may be freed between the walk and here: look again */
	if (!f.found || rte_extmem_slicer_lookup(params) != f.v.slicer ||
			rte_extmem_slicer_info_get(f.v.slicer, &st) != 0)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", params);
	rte_tel_data_add_dict_string(d, "region", f.region);
	rte_tel_data_add_dict_string(d, "pool", f.pool);
	extmem_tel_add_hex(d, "free_cb", f.v.free_cb);
	extmem_tel_add_fields(d, &st, slicer_fields, RTE_DIM(slicer_fields));
	rte_tel_data_add_dict_u64(d, "callbacks_pending",
		f.v.free_cb != 0 ? st.in_flight : 0);
	extmem_tel_add_fields(d, &st, slicer_fail_fields,
		RTE_DIM(slicer_fail_fields));
	return 0;
}

static int
tel_subscriber_cb(const struct extmem_subscriber_view *v, void *arg)
{
	struct rte_tel_data *d = arg, *s;

	s = rte_tel_data_alloc();
	if (s == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(s);
	rte_tel_data_add_dict_string(s, "name", v->name);
	extmem_tel_add_hex(s, "callback", v->cb);
	extmem_tel_add_hex(s, "arg", (uintptr_t)v->arg);
	rte_tel_data_add_dict_int(s, "internal", v->internal);
	return extmem_tel_add_container(d, v->name, s);
}

static int
tel_subscribers(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	if (extmem_tel_no_params(params) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	return extmem_event_subscriber_walk(tel_subscriber_cb, d);
}

/* Pools of the library: of heaps, pinned external buffers, slicers. */
enum tel_pool_kind { TEL_POOL_HEAP, TEL_POOL_EXTBUF, TEL_POOL_SLICER };
static const char * const tel_pool_kind_names[] = { "heap", "extbuf",
	"slicer" };

/* Called for every pool: kind, pool name, owner (heap, slicer, region). */
typedef int (*tel_pool_fn)(enum tel_pool_kind kind, const char *pool,
	const char *owner, void *arg);

struct tel_pool_walk {
	tel_pool_fn fn;
	void *arg;
};

static int
tel_pool_heap_cb(const struct rte_extmem_heap *heap __rte_unused,
	const struct rte_extmem_heap_info *info, void *arg)
{
	struct tel_pool_walk *w = arg;

	return info->pool[0] == '\0' ? 0 :
		w->fn(TEL_POOL_HEAP, info->pool, info->name, w->arg);
}

static int
tel_pool_extbuf_cb(const struct rte_mempool *mp, unsigned int n_regions,
	struct rte_extmem_region *const regions[], void *arg)
{
	struct tel_pool_walk *w = arg;

	return w->fn(TEL_POOL_EXTBUF, mp->name, n_regions > 0 ?
		regions[0]->name : "", w->arg);
}

static int
tel_pool_slicer_cb(const struct extmem_slicer_view *v, void *arg)
{
	struct tel_pool_walk *w = arg;

	return w->fn(TEL_POOL_SLICER, v->mp->name, v->name, w->arg);
}

static int
tel_pool_walk(tel_pool_fn fn, void *arg)
{
	struct tel_pool_walk w = { fn, arg };
	int ret;

	ret = rte_extmem_heap_walk(tel_pool_heap_cb, &w);
	if (ret == 0)
		ret = extmem_extbuf_pool_walk(tel_pool_extbuf_cb, &w);
	if (ret == 0)
		ret = extmem_slicer_walk(tel_pool_slicer_cb, &w);
	return ret;
}

static int
tel_pool_name_cb(enum tel_pool_kind kind __rte_unused, const char *pool,
	const char *owner __rte_unused, void *arg)
{
	return extmem_tel_add_name(arg, pool);
}

static int
tel_pools(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	if (extmem_tel_list_start(params, d) != 0)
		return -EINVAL;
	tel_pool_walk(tel_pool_name_cb, d);
	return 0;
}

struct tel_pool_find {
	const char *name;
	enum tel_pool_kind kind;
	char owner[RTE_EXTMEM_NAMESIZE];
	bool found;
};

static int
tel_pool_find_cb(enum tel_pool_kind kind, const char *pool,
	const char *owner, void *arg)
{
	struct tel_pool_find *f = arg;

	if (strcmp(pool, f->name) != 0)
		return 0;
	f->kind = kind;
	snprintf(f->owner, sizeof(f->owner), "%s", owner);
	f->found = true;
	return 1;
}

static int
tel_pool_info(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct tel_pool_find f = { .name = params };
	struct rte_mempool *mp;

	if (!extmem_name_valid(params, RTE_MEMPOOL_NAMESIZE))
		return -EINVAL;
	tel_pool_walk(tel_pool_find_cb, &f);
	if (!f.found)
		return -ENOENT;
	/* EAL's list of pools keeps the pool alive while it is listed */
	mp = rte_mempool_lookup(params);
	if (mp == NULL)
		return -ENOENT;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", mp->name);
	rte_tel_data_add_dict_string(d, "kind", tel_pool_kind_names[f.kind]);
	rte_tel_data_add_dict_string(d, f.kind == TEL_POOL_HEAP ? "heap" :
		f.kind == TEL_POOL_SLICER ? "slicer" : "region", f.owner);
	rte_tel_data_add_dict_int(d, "socket_id", mp->socket_id);
	rte_tel_data_add_dict_u64(d, "size", mp->size);
	rte_tel_data_add_dict_u64(d, "elt_size", mp->elt_size);
	rte_tel_data_add_dict_u64(d, "avail", rte_mempool_avail_count(mp));
	rte_tel_data_add_dict_u64(d, "in_use", rte_mempool_in_use_count(mp));
	rte_tel_data_add_dict_u64(d, "data_room",
		rte_pktmbuf_data_room_size(mp));
	return 0;
}

static void
extmem_telemetry_users_register(void)
{
	rte_telemetry_register_cmd("/extmem/dma_map", tel_dma_map,
		"Returns, for every region, the devices it is DMA-mapped on. "
		"Takes no parameters");
	rte_telemetry_register_cmd("/extmem/dma_devices", tel_dma_devices,
		"Returns the dispatcher state of every ethdev port's device "
		"(pending, active, no_dma, failed). Takes no parameters");
	rte_telemetry_register_cmd("/extmem/dma_dev_info", tel_dma_dev_info,
		"Returns the dispatcher's record of a device, its DMA faults "
		"and the regions mapped on it. Parameters: device name");
	rte_telemetry_register_cmd("/extmem/slicers", tel_slicers,
		"Returns the names of the slicers. Takes no parameters");
	rte_telemetry_register_cmd("/extmem/slicer_info", tel_slicer_info,
		"Returns a slicer's slices out and free callbacks pending. "
		"Parameters: slicer name");
	rte_telemetry_register_cmd("/extmem/subscribers", tel_subscribers,
		"Returns the event subscribers in delivery order. "
		"Takes no parameters");
	rte_telemetry_register_cmd("/extmem/pools", tel_pools,
		"Returns the names of the mempools made by librte_extmem. "
		"Takes no parameters");
	rte_telemetry_register_cmd("/extmem/pool_info", tel_pool_info,
		"Returns the description of a mempool made by librte_extmem. "
		"Parameters: pool name");
}

/* Registered when the library is used in the process (extmem_lazy_add()). */
RTE_INIT(extmem_telemetry_users_init)
{
	extmem_lazy_add(extmem_telemetry_users_register);
}
