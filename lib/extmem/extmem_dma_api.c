/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The DMA dispatcher's public API: explicit map and unmap, queries,
 * automatic mode and per-device opt-outs. Every changing entry is an operation,
 * starts the dispatcher and catches up with finished probes.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_errno.h>

#include "extmem_compat.h"
#include "extmem_dma_private.h"
#include "extmem_event_private.h"
#include "extmem_walk_private.h"

struct dma_optout {
	TAILQ_ENTRY(dma_optout) next;
	char name[RTE_EXTMEM_DEVMAP_DEV_NAMESIZE];
};

TAILQ_HEAD(dma_optout_list, dma_optout);

static struct dma_optout_list optout_list =
	TAILQ_HEAD_INITIALIZER(optout_list);
static bool dma_auto = true;

static struct dma_optout *
optout_find(const char *name)
{
	return EXTMEM_TAILQ_FIND(&optout_list, o, strcmp(o->name, name) == 0);
}

bool
extmem_dma_wanted(const char *dev_name)
{
	return dma_auto && optout_find(dev_name) == NULL;
}

/* Every changing entry: start an operation and the dispatcher, catch up
 * with finished probes; false (EDEADLK) inside an operation already.
 */
#define DMA_OP_BEGIN() __extension__ ({ \
	bool began_ = EXTMEM_OP_BEGIN(); \
	if (began_) { \
		extmem_event_init(); \
		extmem_dma_init(); \
		extmem_dma_pending_process(); \
	} \
	began_; \
})

/*
 * Explicit map and unmap open with it: EAL up, the primary, a well-formed
 * device name; else false with rte_errno and a log line of the caller.
 */
#define DMA_MAP_ENTRY_OK(dev_name) __extension__ ({ \
	bool ok_ = EXTMEM_EAL_READY(); \
	if (ok_ && rte_eal_process_type() == RTE_PROC_SECONDARY) { \
		EXTMEM_FAIL(E_RTE_SECONDARY, "refused in a secondary process: " \
			"the primary owns the devices and maps every region " \
			"on them"); \
		ok_ = false; \
	} \
	ok_ && extmem_name_check("device", (dev_name), \
		RTE_EXTMEM_DEVMAP_DEV_NAMESIZE) == 0; \
})

/*
 * Every query: first, only when the dispatcher has not started or a probe
 * is pending and the thread is in no operation, the same catch-up as an
 * operation of its own; then the state lock for reading.
 */
static void
dma_query_begin(void)
{
	if (!extmem_op_inside() && (!extmem_dma_eth_started() ||
			extmem_dma_pending_any()) && extmem_op_begin() == 0) {
		extmem_event_init();
		extmem_dma_init();
		extmem_dma_pending_process();
		extmem_op_end();
	}
	extmem_query_begin();
}

int
rte_extmem_devmap_map(struct rte_extmem_region *region, const char *dev_name)
{
	struct rte_device *dev;
	struct dma_dev *dd;
	int ret = -1, err;

	if (!DMA_MAP_ENTRY_OK(dev_name))
		return -1;
	/* outside the library lock: a bus takes its own lock to search */
	dev = extmem_compat_dev_find_by_name(dev_name);
	if (!DMA_OP_BEGIN())
		return -1;
	/* the arguments first (as unmap does), then the device */
	if (!EXTMEM_REGION_LIVE(region))
		goto out;
	if (dev == NULL) {
		EXTMEM_FAIL(ENODEV, "no bus has a device named %s", dev_name);
		goto out;
	}
	dd = extmem_dma_dev_find(dev);
	if (dd != NULL && extmem_dma_map_find(region, dd) != NULL) {
		EXTMEM_FAIL(EEXIST, "region %s is already mapped on %s",
			region->name, dd->name);
		goto out;
	}
	if (!rte_dev_is_probed(dev)) {
		EXTMEM_FAIL(ENODEV, "device %s has no driver bound",
			rte_dev_name(dev));
		goto out;
	}
	if (dd == NULL) {
		dd = extmem_dma_dev_add(dev);
		if (dd == NULL)
			goto out;
	}
	if (dd->state == RTE_EXTMEM_DEVMAP_DEV_NO_DMA) {
		EXTMEM_FAIL(ENOTSUP, "device %s does not do DMA mapping",
			dd->name);
		goto release;
	}
	ret = extmem_dma_pair_map(region, dd, true, extmem_dma_op_new());
	if (ret > 0) {
		EXTMEM_FAIL(ENODEV, "device %s has no driver bound", dd->name);
		ret = -1;
	} else if (ret < 0) {
		err = rte_errno;
		if (err != EINVAL && err != ENOMEM && err != ENOTSUP)
			EXTMEM_LOG(ERR, "region %s: mapping on %s failed: %s",
				region->name, dd->name, rte_strerror(err));
		rte_errno = err;
	}
release:
	err = rte_errno;
	extmem_dma_dev_release_if_unused(dd);
	rte_errno = err;
out:
	extmem_op_end();
	return ret;
}

/*
 * Under the state lock: the mapping of a live region on dev, or NULL with
 * rte_errno (EINVAL: not a live region, ENOENT: not mapped there).
 */
static struct dma_map *
mapping_get(const struct rte_extmem_region *region, const char *dev_name)
{
	struct dma_map *m = NULL;
	struct dma_dev *dd;

	if (!EXTMEM_REGION_LIVE(region))
		return NULL;
	dd = extmem_dma_dev_find_name(dev_name);
	if (dd != NULL)
		m = extmem_dma_map_find(region, dd);
	if (m == NULL)
		rte_errno = ENOENT; /* an answer, not a mistake: no log */
	return m;
}

int
rte_extmem_devmap_unmap(struct rte_extmem_region *region,
	const char *dev_name)
{
	struct dma_map *m;
	struct dma_dev *dd;
	int ret = -1;

	if (!DMA_MAP_ENTRY_OK(dev_name))
		return -1;
	if (!DMA_OP_BEGIN())
		return -1;
	m = mapping_get(region, dev_name);
	if (m == NULL && rte_errno == ENOENT)
		EXTMEM_LOG(ERR, "region %s is not mapped on device %s",
			region->name, dev_name);
	if (m == NULL || extmem_dma_unmap_apply(m, true) != 0)
		goto out;
	dd = m->dd;
	extmem_dma_map_drop(m);
	extmem_dma_dev_release_if_unused(dd);
	ret = 0;
out:
	extmem_op_end();
	return ret;
}

int
rte_extmem_devmap_mapping_info_get(const struct rte_extmem_region *region,
	const char *dev_name, struct rte_extmem_devmap_mapping_info *info)
{
	const struct dma_map *m;
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (extmem_name_check("device", dev_name,
			RTE_EXTMEM_DEVMAP_DEV_NAMESIZE) != 0)
		return -1;
	if (info == NULL) {
		EXTMEM_FAIL(EINVAL, "device %s: info is NULL", dev_name);
		return -1;
	}
	dma_query_begin();
	m = mapping_get(region, dev_name);
	if (m != NULL) {
		memset(info, 0, sizeof(*info));
		info->explicit_map = m->explicit_map;
		info->n_chunks = m->n_chunks;
		info->len = m->len;
		info->n_pages_skipped = m->n_pages_skipped;
		ret = 0;
	}
	extmem_query_end();
	return ret;
}

static int
optout_set(const char *name)
{
	struct dma_optout *o;
	struct dma_dev *dd;

	if (optout_find(name) != NULL)
		return 0;
	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory to opt %s out", name);
		return -1;
	}
	snprintf(o->name, sizeof(o->name), "%s", name);
	dd = extmem_dma_dev_find_name(name);
	if (dd != NULL && extmem_dma_unmap_matching(NULL, dd, true, true) != 0) {
		free(o);
		return -1;
	}
	TAILQ_INSERT_TAIL(&optout_list, o, next);
	return 0;
}

static int
optout_clear(const char *name)
{
	struct dma_optout *o = optout_find(name);
	enum rte_extmem_devmap_dev_state state;
	struct dma_dev *dd;
	uint64_t op;
	int err;

	if (o != NULL)
		TAILQ_REMOVE(&optout_list, o, next);
	dd = extmem_dma_dev_find_name(name);
	if (dd == NULL || dd->n_ports == 0) {
		free(o);
		return 0;
	}
	state = dd->state;
	if (dd->state == RTE_EXTMEM_DEVMAP_DEV_FAILED)
		dd->state = extmem_dma_dev_classify(dd->dev);
	op = extmem_dma_op_new();
	if (extmem_dma_dev_replay(dd, op) == 0) {
		if (dd->state == RTE_EXTMEM_DEVMAP_DEV_PENDING)
			extmem_dma_pending_arm();
		free(o);
		return 0;
	}
	err = rte_errno;
	extmem_dma_op_rollback(op, dd);
	dd->state = state;
	if (o != NULL)
		TAILQ_INSERT_TAIL(&optout_list, o, next);
	rte_errno = err;
	return -1;
}

int
rte_extmem_devmap_dev_auto_set(const char *dev_name, bool enable)
{
	int ret;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (extmem_name_check("device", dev_name,
			RTE_EXTMEM_DEVMAP_DEV_NAMESIZE) != 0)
		return -1;
	if (!DMA_OP_BEGIN())
		return -1;
	ret = enable ? optout_clear(dev_name) : optout_set(dev_name);
	if (ret == 0)
		EXTMEM_LOG(INFO, "device %s opted %s automatic DMA mapping",
			dev_name, enable ? "in to" : "out of");
	extmem_op_end();
	return ret;
}

int
rte_extmem_devmap_dev_info_get(const char *dev_name,
	struct rte_extmem_devmap_dev_info *info)
{
	const struct dma_dev *dd;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (!extmem_name_valid(dev_name, RTE_EXTMEM_DEVMAP_DEV_NAMESIZE) ||
			info == NULL) {
		EXTMEM_FAIL(EINVAL, "bad device name or NULL info");
		return -1;
	}
	dma_query_begin();
	memset(info, 0, sizeof(*info));
	info->auto_enabled = optout_find(dev_name) == NULL;
	dd = extmem_dma_dev_find_name(dev_name);
	if (dd != NULL) {
		info->state = dd->state;
		info->automatic = dd->n_ports > 0;
		info->n_ports = dd->n_ports;
		info->map_calls = dd->map_calls;
		info->unmap_calls = dd->unmap_calls;
		info->error = dd->error;
		snprintf(info->domain, sizeof(info->domain), "%s",
			dd->dom != NULL ? dd->dom->name : dd->name);
		extmem_dma_dev_maps_count(dd, &info->n_regions,
			&info->n_chunks);
	}
	extmem_query_end();
	return 0;
}

int
rte_extmem_devmap_domain_info_get(const char *name,
	struct rte_extmem_devmap_domain_info *info)
{
	int ret;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (extmem_name_check("DMA domain", name,
			RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE) != 0)
		return -1;
	if (info == NULL) {
		EXTMEM_FAIL(EINVAL, "DMA domain %s: info is NULL", name);
		return -1;
	}
	dma_query_begin();
	ret = extmem_dma_domain_info(name, info);
	extmem_query_end();
	return ret;
}

/* A domain as a walk reports it: its name (copied under the state lock). */
typedef char domain_walk_item[RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE];

struct domain_walk_copy {
	domain_walk_item *v;	/* NULL: count only */
	unsigned int n;
};

static int
domain_walk_copy_one(const char *name, void *arg)
{
	struct domain_walk_copy *c = arg;

	if (c->v != NULL)
		snprintf(c->v[c->n], sizeof(c->v[0]), "%s", name);
	c->n++;
	return 0;
}

static unsigned int
domain_walk_copy(void *items)
{
	struct domain_walk_copy c = { items, 0 };

	extmem_dma_domain_walk(domain_walk_copy_one, &c);
	return c.n;
}

struct domain_walk {
	int (*fn)(const char *name, void *arg);
	void *arg;
};

static int
domain_walk_call(const void *item, void *arg)
{
	const struct domain_walk *w = arg;

	return w->fn(item, w->arg);
}

int
rte_extmem_devmap_domain_walk(int (*fn)(const char *name, void *arg), void *arg)
{
	struct domain_walk w = { fn, arg };
	static const struct extmem_snapshot s = {
		.what = "DMA domains",
		.item_size = sizeof(domain_walk_item),
		.lock = dma_query_begin,
		.copy = domain_walk_copy,
		.call = domain_walk_call,
	};

	if (!EXTMEM_EAL_READY())
		return -1;
	if (fn == NULL) {
		EXTMEM_FAIL(EINVAL, "walk function is NULL");
		return -1;
	}
	return extmem_snapshot_walk(&s, &w);
}

int
rte_extmem_devmap_auto_set(bool enable)
{
	struct dma_dev *dd;
	uint64_t op;
	int ret = 0, err;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (!DMA_OP_BEGIN())
		return -1;
	if (enable == dma_auto)
		goto out;
	dma_auto = enable;
	if (!enable)
		goto out;
	op = extmem_dma_op_new();
	TAILQ_FOREACH(dd, &extmem_dma_devs, next) {
		if (extmem_dma_dev_replay(dd, op) == 0)
			continue;
		err = rte_errno;
		extmem_dma_op_rollback(op, NULL);
		dma_auto = false;
		EXTMEM_LOG(ERR, "automatic DMA mapping stays off: mapping on "
			"%s failed: %s", dd->name, rte_strerror(err));
		rte_errno = err;
		ret = -1;
		break;
	}
	if (ret == 0)
		extmem_dma_pending_process();
out:
	extmem_op_end();
	return ret;
}

int
rte_extmem_devmap_auto_get(void)
{
	int ret;

	if (!EXTMEM_EAL_READY())
		return -1;
	extmem_query_begin();
	ret = dma_auto;
	extmem_query_end();
	return ret;
}

int
rte_extmem_devmap_driver_sync(void)
{
	int n;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (!DMA_OP_BEGIN())
		return -1;
	n = extmem_dma_pending_process();
	extmem_op_end();
	return n;
}
