/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The DMA dispatcher: the (region x device) table of rte_dev_dma_map()
 * mappings, kept by the first subscriber of the event bus and by ethdev's
 * NEW/DESTROY events. All state changes under extmem_lock.
 *
 * It reads two internal structures of the DPDK it is built against (the
 * driver SDK headers the project requires): the vdev driver's DMA hooks,
 * to tell "no hook" from "mapped" (the vdev bus returns 0 for both), and
 * rte_eth_devices[] for a port's device at NEW/DESTROY time.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_bus.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <bus_driver.h>
#include <bus_vdev_driver.h>
#include <dev_driver.h>
#include <ethdev_driver.h>

#include "extmem_private.h"
#include "rte_extmem_dma.h"
#include "rte_extmem_event.h"

#define DMA_SUB_NAME "extmem.dma"
/* Period of the check for devices whose probe has not finished. */
#define DMA_PENDING_US 100

struct dma_dev {
	TAILQ_ENTRY(dma_dev) next;
	struct rte_device *dev;
	char name[RTE_EXTMEM_DMA_DEV_NAMESIZE];
	enum rte_extmem_dma_dev_state state;
	unsigned int n_ports;	/* > 0: an ethdev port's device (automatic) */
	uint64_t map_calls;
	uint64_t unmap_calls;
	int error;
};

struct dma_chunk {
	uintptr_t va;
	rte_iova_t iova;
	size_t len;
};

/* One (region x device) mapping: the runs that were mapped. */
struct dma_map {
	TAILQ_ENTRY(dma_map) next;
	struct rte_extmem_region *region;
	struct dma_dev *dd;
	bool explicit_map;
	bool unmapped;		/* transiently, while a removal is decided */
	uint64_t op;		/* operation that made it (for rollback) */
	unsigned int n_pages_skipped;
	size_t len;
	unsigned int n_chunks;
	struct dma_chunk chunks[];
};

struct dma_optout {
	TAILQ_ENTRY(dma_optout) next;
	char name[RTE_EXTMEM_DMA_DEV_NAMESIZE];
};

TAILQ_HEAD(dma_dev_list, dma_dev);
TAILQ_HEAD(dma_map_list, dma_map);
TAILQ_HEAD(dma_optout_list, dma_optout);

static struct dma_dev_list dev_list = TAILQ_HEAD_INITIALIZER(dev_list);
static struct dma_map_list map_list = TAILQ_HEAD_INITIALIZER(map_list);
static struct dma_optout_list optout_list =
	TAILQ_HEAD_INITIALIZER(optout_list);
/* Device of each ethdev port known to the dispatcher. */
static struct dma_dev *port_dev[RTE_MAX_ETHPORTS];
static bool dma_subscribed;
static bool dma_eth_ready;
static bool dma_auto = true;
static bool dma_alarm_armed;
static uint64_t dma_op_seq;

/* ------------------------------------------------------------------ */
/* Devices */

static struct dma_dev *
dev_find(const struct rte_device *dev)
{
	struct dma_dev *dd;

	TAILQ_FOREACH(dd, &dev_list, next)
		if (dd->dev == dev)
			return dd;
	return NULL;
}

static struct dma_dev *
dev_find_name(const char *name)
{
	struct dma_dev *dd;

	TAILQ_FOREACH(dd, &dev_list, next)
		if (strcmp(dd->name, name) == 0)
			return dd;
	return NULL;
}

static struct dma_optout *
optout_find(const char *name)
{
	struct dma_optout *o;

	TAILQ_FOREACH(o, &optout_list, next)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* What a probed or probing device does about DMA mapping. */
static enum rte_extmem_dma_dev_state
dev_classify(const struct rte_device *dev)
{
	const struct rte_bus *bus = rte_dev_bus(dev);
	const struct rte_vdev_driver *vdrv;

	if (!rte_dev_is_probed(dev))
		return RTE_EXTMEM_DMA_DEV_PENDING;
	if (bus == NULL || bus->dma_map == NULL)
		return RTE_EXTMEM_DMA_DEV_NO_DMA;
	if (strcmp(rte_bus_name(bus), "vdev") == 0) {
		vdrv = container_of(rte_dev_driver(dev),
			const struct rte_vdev_driver, driver);
		if (vdrv->dma_map == NULL)
			return RTE_EXTMEM_DMA_DEV_NO_DMA;
	}
	return RTE_EXTMEM_DMA_DEV_ACTIVE;
}

static struct dma_dev *
dev_add(struct rte_device *dev)
{
	struct dma_dev *dd;

	dd = calloc(1, sizeof(*dd));
	if (dd == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for device %s",
			rte_dev_name(dev));
		return NULL;
	}
	dd->dev = dev;
	snprintf(dd->name, sizeof(dd->name), "%s", rte_dev_name(dev));
	dd->state = dev_classify(dev);
	TAILQ_INSERT_TAIL(&dev_list, dd, next);
	if (dd->state == RTE_EXTMEM_DMA_DEV_NO_DMA)
		EXTMEM_LOG(INFO, "device %s does not do DMA mapping: regions "
			"are not mapped on it", dd->name);
	return dd;
}

static bool
dev_has_maps(const struct dma_dev *dd)
{
	const struct dma_map *m;

	TAILQ_FOREACH(m, &map_list, next)
		if (m->dd == dd)
			return true;
	return false;
}

/* Forget a device that has neither ports nor mappings. */
static void
dev_release_if_unused(struct dma_dev *dd)
{
	if (dd->n_ports > 0 || dev_has_maps(dd))
		return;
	TAILQ_REMOVE(&dev_list, dd, next);
	free(dd);
}

static bool
dev_auto(const struct dma_dev *dd)
{
	return dma_auto && dd->n_ports > 0 &&
		dd->state == RTE_EXTMEM_DMA_DEV_ACTIVE &&
		optout_find(dd->name) == NULL;
}

/* Does a region take automatic mappings (not opted out, some IOVA known)? */
static bool
region_auto(const struct rte_extmem_region *r)
{
	unsigned int i;

	if (r->flags & RTE_EXTMEM_REGION_F_NO_DMA)
		return false;
	for (i = 0; i < r->n_pages; i++)
		if (r->iovas[i] != RTE_BAD_IOVA)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Calls into the bus, normalised */

/*
 * Returns 0 when done, 1 when the device has no driver bound yet (vdev),
 * -1 with rte_errno otherwise (ENOTSUP: the device does not do DMA
 * mapping). Buses return -1 with rte_errno, drivers -errno or -1.
 */
static int
dma_call(struct dma_dev *dd, bool map, const struct dma_chunk *c)
{
	int ret, err;

	rte_errno = 0;
	if (map)
		ret = rte_dev_dma_map(dd->dev, (void *)c->va, c->iova, c->len);
	else
		ret = rte_dev_dma_unmap(dd->dev, (void *)c->va, c->iova,
			c->len);
	if (ret == 0) {
		if (map)
			dd->map_calls++;
		else
			dd->unmap_calls++;
		return 0;
	}
	if (ret > 0) {
		rte_errno = ENODEV;
		return 1;
	}
	err = ret == -1 && rte_errno != 0 ? rte_errno : -ret;
	dd->error = err;
	rte_errno = err;
	return -1;
}

static void
chunk_log(const char *what, const struct dma_map *m, unsigned int i)
{
	const struct dma_chunk *c = &m->chunks[i];

	EXTMEM_LOG(ERR, "region %s: %s of run %u/%u (va 0x%" PRIxPTR
		" iova 0x%" PRIx64 " len %zu) on %s failed: %s",
		m->region->name, what, i + 1, m->n_chunks, c->va, c->iova,
		c->len, m->dd->name, rte_strerror(rte_errno));
}

/* Map every run of an entry; on failure unmap the runs already mapped. */
static int
map_apply(struct dma_map *m)
{
	unsigned int i, j;
	int ret, err;

	for (i = 0; i < m->n_chunks; i++) {
		ret = dma_call(m->dd, true, &m->chunks[i]);
		if (ret == 0)
			continue;
		err = rte_errno;
		if (ret < 0 && err != ENOTSUP)
			chunk_log("map", m, i);
		for (j = i; j-- > 0; )
			if (dma_call(m->dd, false, &m->chunks[j]) < 0)
				chunk_log("rollback unmap", m, j);
		rte_errno = err;
		return ret;
	}
	return 0;
}

/*
 * Unmap every run of an entry. strict: on failure map again the runs
 * unmapped (nothing changed); otherwise unmap what can be and report the
 * last failure.
 */
static int
unmap_apply(struct dma_map *m, bool strict)
{
	unsigned int i, j;
	int err = 0;

	for (i = 0; i < m->n_chunks; i++) {
		/* a device without its driver (1) holds no mapping */
		if (dma_call(m->dd, false, &m->chunks[i]) >= 0)
			continue;
		err = rte_errno;
		chunk_log("unmap", m, i);
		if (!strict)
			continue;
		for (j = i; j-- > 0; )
			if (dma_call(m->dd, true, &m->chunks[j]) != 0)
				chunk_log("rollback map", m, j);
		rte_errno = err;
		return -1;
	}
	if (err == 0)
		return 0;
	rte_errno = err;
	return -1;
}

/* ------------------------------------------------------------------ */
/* The table */

static struct dma_map *
map_find(const struct rte_extmem_region *r, const struct dma_dev *dd)
{
	struct dma_map *m;

	TAILQ_FOREACH(m, &map_list, next)
		if (m->region == r && m->dd == dd)
			return m;
	return NULL;
}

/* An entry with the IOVA-contiguous runs of the region's known pages. */
static struct dma_map *
map_new(struct rte_extmem_region *r, struct dma_dev *dd)
{
	unsigned int i, n = 0, skipped = 0;
	struct dma_map *m;
	struct dma_chunk *c;

	for (i = 0; i < r->n_pages; i++) {
		if (r->iovas[i] == RTE_BAD_IOVA)
			skipped++;
		else if (i == 0 || r->iovas[i - 1] == RTE_BAD_IOVA ||
				r->iovas[i] != r->iovas[i - 1] + r->page_sz)
			n++;
	}
	if (n == 0) {
		EXTMEM_FAIL(EINVAL, "region %s: no page has a known IOVA, "
			"nothing to map on %s", r->name, dd->name);
		return NULL;
	}
	m = calloc(1, sizeof(*m) + n * sizeof(m->chunks[0]));
	if (m == NULL) {
		EXTMEM_FAIL(ENOMEM, "region %s: no memory for the mapping "
			"on %s", r->name, dd->name);
		return NULL;
	}
	m->region = r;
	m->dd = dd;
	m->n_pages_skipped = skipped;
	c = NULL;
	for (i = 0; i < r->n_pages; i++) {
		if (r->iovas[i] == RTE_BAD_IOVA) {
			c = NULL;
			continue;
		}
		if (c == NULL || r->iovas[i] != c->iova + c->len) {
			c = &m->chunks[m->n_chunks++];
			c->va = r->va + (uintptr_t)i * r->page_sz;
			c->iova = r->iovas[i];
			c->len = 0;
		}
		c->len += r->page_sz;
		m->len += r->page_sz;
	}
	return m;
}

/*
 * Map a region on a device and record it. Returns 0, 1 (driver not bound
 * yet) or -1 with rte_errno (ENOTSUP: the device was found not to do DMA
 * mapping and is marked so).
 */
static int
pair_map(struct rte_extmem_region *r, struct dma_dev *dd, bool explicit_map,
	uint64_t op)
{
	struct dma_map *m;
	int ret;

	m = map_new(r, dd);
	if (m == NULL)
		return -1;
	ret = map_apply(m);
	if (ret != 0) {
		if (ret < 0 && rte_errno == ENOTSUP) {
			dd->state = RTE_EXTMEM_DMA_DEV_NO_DMA;
			dd->error = 0;
			EXTMEM_LOG(INFO, "device %s does not do DMA mapping: "
				"regions are not mapped on it", dd->name);
		}
		free(m);
		return ret;
	}
	m->explicit_map = explicit_map;
	m->op = op;
	TAILQ_INSERT_TAIL(&map_list, m, next);
	if (m->n_pages_skipped > 0)
		EXTMEM_LOG(NOTICE, "region %s: %u of %u pages have no known "
			"IOVA and are not mapped on %s", r->name,
			m->n_pages_skipped, r->n_pages, dd->name);
	EXTMEM_LOG(DEBUG, "region %s mapped on %s in %u runs", r->name,
		dd->name, m->n_chunks);
	return 0;
}

static void
map_drop(struct dma_map *m)
{
	TAILQ_REMOVE(&map_list, m, next);
	free(m);
}

/* Undo the automatic mappings an operation made (on one device or, dd
 * NULL, on all), newest first.
 */
static void
op_rollback(uint64_t op, const struct dma_dev *dd)
{
	struct dma_map *m, *prev;

	for (m = TAILQ_LAST(&map_list, dma_map_list); m != NULL; m = prev) {
		prev = TAILQ_PREV(m, dma_map_list, next);
		if (m->op != op || m->explicit_map ||
				(dd != NULL && m->dd != dd))
			continue;
		if (unmap_apply(m, false) != 0)
			EXTMEM_LOG(ERR, "region %s: rollback could not unmap "
				"everything on %s", m->region->name,
				m->dd->name);
		map_drop(m);
	}
}

static bool
map_match(const struct dma_map *m, const struct rte_extmem_region *r,
	const struct dma_dev *dd, bool auto_only)
{
	return (r == NULL || m->region == r) && (dd == NULL || m->dd == dd) &&
		(!auto_only || !m->explicit_map);
}

/*
 * Unmap the matching entries. strict: all or nothing (a failure maps
 * again what was unmapped and returns -1); otherwise failures are logged
 * and the entries forgotten all the same.
 */
static int
unmap_matching(const struct rte_extmem_region *r, const struct dma_dev *dd,
	bool auto_only, bool strict)
{
	struct dma_map *m, *u, *next;
	int err;

	TAILQ_FOREACH(m, &map_list, next) {
		if (!map_match(m, r, dd, auto_only))
			continue;
		if (unmap_apply(m, strict) == 0 || !strict) {
			m->unmapped = true;
			continue;
		}
		err = rte_errno;
		for (u = TAILQ_PREV(m, dma_map_list, next); u != NULL;
				u = TAILQ_PREV(u, dma_map_list, next)) {
			if (!u->unmapped)
				continue;
			if (map_apply(u) == 0)
				u->unmapped = false;
			else
				EXTMEM_LOG(ERR, "region %s: lost its mapping "
					"on %s while rolling back",
					u->region->name, u->dd->name);
		}
		rte_errno = err;
		err = -1;
		goto drop;
	}
	err = 0;
drop:
	for (m = TAILQ_FIRST(&map_list); m != NULL; m = next) {
		next = TAILQ_NEXT(m, next);
		if (m->unmapped)
			map_drop(m);
	}
	return err;
}

/*
 * Map every eligible region to an automatic device. A failure rolls back
 * what this operation mapped; PENDING or NO_DMA found on the way are
 * recorded in the device state and are not failures.
 */
static int
dev_replay(struct dma_dev *dd, uint64_t op)
{
	struct rte_extmem_region *r;
	int ret;

	if (!dev_auto(dd))
		return 0;
	TAILQ_FOREACH(r, extmem_regions(), next) {
		if (!region_auto(r) || map_find(r, dd) != NULL)
			continue;
		ret = pair_map(r, dd, false, op);
		if (ret == 0)
			continue;
		if (ret > 0)
			dd->state = RTE_EXTMEM_DMA_DEV_PENDING;
		if (ret > 0 || dd->state == RTE_EXTMEM_DMA_DEV_NO_DMA) {
			op_rollback(op, dd);
			return 0;
		}
		return -1;
	}
	return 0;
}

/* A device appeared (or finished probing): give it the regions. */
static void
dev_replay_async(struct dma_dev *dd)
{
	uint64_t op = ++dma_op_seq;
	int err;

	if (dev_replay(dd, op) == 0)
		return;
	err = rte_errno;
	op_rollback(op, dd);
	dd->state = RTE_EXTMEM_DMA_DEV_FAILED;
	dd->error = err;
	EXTMEM_LOG(ERR, "device %s: mapping the existing regions failed (%s): "
		"it gets no automatic mapping until opted in again",
		dd->name, rte_strerror(err));
}

/* ------------------------------------------------------------------ */
/* Devices whose probe had not finished */

static void dma_alarm_cb(void *arg);

static void
pending_arm(void)
{
	if (dma_alarm_armed)
		return;
	if (rte_eal_alarm_set(DMA_PENDING_US, dma_alarm_cb, NULL) == 0)
		dma_alarm_armed = true;
	else
		EXTMEM_LOG(WARNING, "cannot set an alarm: devices still "
			"probing get their mappings at the next call of the "
			"DMA API");
}

/* Returns the number of devices still probing. */
static int
pending_process(void)
{
	struct dma_dev *dd;
	int n = 0;

	TAILQ_FOREACH(dd, &dev_list, next) {
		if (dd->state != RTE_EXTMEM_DMA_DEV_PENDING)
			continue;
		dd->state = dev_classify(dd->dev);
		if (dd->state == RTE_EXTMEM_DMA_DEV_PENDING) {
			n++;
			continue;
		}
		if (dd->state == RTE_EXTMEM_DMA_DEV_NO_DMA)
			EXTMEM_LOG(INFO, "device %s does not do DMA mapping: "
				"regions are not mapped on it", dd->name);
		dev_replay_async(dd);
		if (dd->state == RTE_EXTMEM_DMA_DEV_PENDING)
			n++;
	}
	if (n > 0)
		pending_arm();
	return n;
}

static void
dma_alarm_cb(void *arg __rte_unused)
{
	extmem_lock();
	dma_alarm_armed = false;
	pending_process();
	extmem_unlock();
}

/* ------------------------------------------------------------------ */
/* ethdev ports */

static void
port_new(uint16_t port)
{
	struct rte_device *dev = rte_eth_devices[port].device;
	struct dma_dev *dd;

	if (dev == NULL || port_dev[port] != NULL)
		return;
	dd = dev_find(dev);
	if (dd == NULL) {
		dd = dev_add(dev);
		if (dd == NULL)
			return;
	}
	port_dev[port] = dd;
	if (dd->n_ports++ > 0)
		return;
	EXTMEM_LOG(DEBUG, "device %s (port %u) is known", dd->name, port);
	if (dd->state == RTE_EXTMEM_DMA_DEV_PENDING)
		pending_arm();
	else
		dev_replay_async(dd);
}

static void
port_destroy(uint16_t port)
{
	struct dma_dev *dd = port_dev[port];

	if (dd == NULL)
		return;
	port_dev[port] = NULL;
	if (--dd->n_ports > 0)
		return;
	/* the driver is still bound while its ports are released */
	unmap_matching(NULL, dd, false, false);
	EXTMEM_LOG(DEBUG, "device %s removed: forgotten", dd->name);
	TAILQ_REMOVE(&dev_list, dd, next);
	free(dd);
}

static int
dma_eth_cb(uint16_t port, enum rte_eth_event_type type,
	void *arg __rte_unused, void *ret_param __rte_unused)
{
	if (port >= RTE_MAX_ETHPORTS)
		return 0;
	extmem_lock();
	if (type == RTE_ETH_EVENT_NEW)
		port_new(port);
	else if (type == RTE_ETH_EVENT_DESTROY)
		port_destroy(port);
	extmem_unlock();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Region events */

static int
region_added(struct rte_extmem_region *r)
{
	struct dma_dev *dd;
	uint64_t op;
	int ret, err;

	if (!region_auto(r)) {
		if (!(r->flags & RTE_EXTMEM_REGION_F_NO_DMA))
			EXTMEM_LOG(NOTICE, "region %s has no known IOVA: not "
				"mapped on any device", r->name);
		return 0;
	}
	op = ++dma_op_seq;
	TAILQ_FOREACH(dd, &dev_list, next) {
		if (!dev_auto(dd) || map_find(r, dd) != NULL)
			continue;
		ret = pair_map(r, dd, false, op);
		if (ret == 0)
			continue;
		if (ret > 0) {
			dd->state = RTE_EXTMEM_DMA_DEV_PENDING;
			pending_arm();
			continue;
		}
		err = rte_errno;
		if (dd->state == RTE_EXTMEM_DMA_DEV_NO_DMA)
			continue;
		EXTMEM_LOG(ERR, "region %s: mapping on %s failed (%s): "
			"unmapping it from the devices mapped before",
			r->name, dd->name, rte_strerror(err));
		op_rollback(op, NULL);
		/* and any mapping made for it by a replay on the way */
		unmap_matching(r, NULL, false, false);
		return -err;
	}
	return 0;
}

static int
dma_event_cb(const struct rte_extmem_event *ev, void *arg __rte_unused)
{
	switch (ev->type) {
	case RTE_EXTMEM_EVENT_REGION_REGISTERED:
	case RTE_EXTMEM_EVENT_HEAP_REGION_ADDED:
		return region_added(ev->region);
	case RTE_EXTMEM_EVENT_REGION_UNREGISTERED:
	case RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED:
		/* a rollback cannot be refused: the region goes away */
		if (unmap_matching(ev->region, NULL, false, !ev->rollback) != 0)
			return -rte_errno;
		return 0;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* Start */

void
extmem_dma_init(void)
{
	uint16_t port;

	if (!dma_subscribed) {
		if (extmem_event_subscribe_internal(DMA_SUB_NAME, dma_event_cb,
				NULL) != 0) {
			EXTMEM_LOG(ERR, "cannot start the DMA dispatcher: %s",
				rte_strerror(rte_errno));
			return;
		}
		dma_subscribed = true;
	}
	if (dma_eth_ready || rte_eal_iova_mode() == RTE_IOVA_DC)
		return;
	if (rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_NEW,
			dma_eth_cb, NULL) != 0)
		goto fail;
	if (rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_DESTROY,
			dma_eth_cb, NULL) != 0) {
		rte_eth_dev_callback_unregister(RTE_ETH_ALL, RTE_ETH_EVENT_NEW,
			dma_eth_cb, NULL);
		goto fail;
	}
	dma_eth_ready = true;
	for (port = rte_eth_find_next(0); port < RTE_MAX_ETHPORTS;
			port = rte_eth_find_next(port + 1))
		port_new(port);
	return;
fail:
	EXTMEM_LOG(WARNING, "cannot register for ethdev events; devices "
		"will be looked for again at the next call");
}

/* Every public entry: lock, start, catch up with finished probes. */
static void
dma_enter(void)
{
	extmem_lock();
	extmem_event_init();
	pending_process();
}

/* ------------------------------------------------------------------ */
/* API */

int
rte_extmem_dma_map(struct rte_extmem_region *region, struct rte_device *dev)
{
	struct dma_dev *dd;
	int ret = -1, err;

	if (dev == NULL) {
		EXTMEM_FAIL(EINVAL, "device is NULL");
		return -1;
	}
	/* outside the library lock: the vdev bus takes its own lock */
	if (rte_bus_find_by_device(dev) == NULL) {
		EXTMEM_FAIL(ENODEV, "%p is not a device of any bus",
			(void *)dev);
		return -1;
	}
	dma_enter();
	if (!extmem_region_valid(region)) {
		EXTMEM_FAIL(EINVAL, "%p is not a live region", (void *)region);
		goto out;
	}
	dd = dev_find(dev);
	if (dd != NULL && map_find(region, dd) != NULL) {
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
		dd = dev_add(dev);
		if (dd == NULL)
			goto out;
	}
	if (dd->state == RTE_EXTMEM_DMA_DEV_NO_DMA) {
		EXTMEM_FAIL(ENOTSUP, "device %s does not do DMA mapping",
			dd->name);
		goto release;
	}
	ret = pair_map(region, dd, true, ++dma_op_seq);
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
	dev_release_if_unused(dd);
	rte_errno = err;
out:
	extmem_unlock();
	return ret;
}

int
rte_extmem_dma_unmap(struct rte_extmem_region *region, struct rte_device *dev)
{
	struct dma_map *m = NULL;
	struct dma_dev *dd;
	int ret = -1;

	if (dev == NULL) {
		EXTMEM_FAIL(EINVAL, "device is NULL");
		return -1;
	}
	dma_enter();
	if (!extmem_region_valid(region)) {
		EXTMEM_FAIL(EINVAL, "%p is not a live region", (void *)region);
		goto out;
	}
	dd = dev_find(dev);
	if (dd != NULL)
		m = map_find(region, dd);
	if (m == NULL) {
		EXTMEM_FAIL(ENOENT, "region %s is not mapped on device %p",
			region->name, (void *)dev);
		goto out;
	}
	if (unmap_apply(m, true) != 0)
		goto out;
	map_drop(m);
	dev_release_if_unused(dd);
	ret = 0;
out:
	extmem_unlock();
	return ret;
}

int
rte_extmem_dma_is_mapped(const struct rte_extmem_region *region,
	const struct rte_device *dev)
{
	const struct dma_dev *dd;
	int ret = -1;

	if (dev == NULL) {
		EXTMEM_FAIL(EINVAL, "device is NULL");
		return -1;
	}
	dma_enter();
	if (!extmem_region_valid(region)) {
		EXTMEM_FAIL(EINVAL, "%p is not a live region",
			(const void *)region);
		goto out;
	}
	dd = dev_find(dev);
	ret = dd != NULL && map_find(region, dd) != NULL;
out:
	extmem_unlock();
	return ret;
}

int
rte_extmem_dma_mapping_info_get(const struct rte_extmem_region *region,
	const struct rte_device *dev, struct rte_extmem_dma_mapping_info *info)
{
	const struct dma_map *m = NULL;
	const struct dma_dev *dd;
	int ret = -1;

	if (dev == NULL || info == NULL) {
		EXTMEM_FAIL(EINVAL, "device or info is NULL");
		return -1;
	}
	dma_enter();
	if (!extmem_region_valid(region)) {
		EXTMEM_FAIL(EINVAL, "%p is not a live region",
			(const void *)region);
		goto out;
	}
	dd = dev_find(dev);
	if (dd != NULL)
		m = map_find(region, dd);
	if (m == NULL) {
		EXTMEM_FAIL(ENOENT, "region %s is not mapped on device %p",
			region->name, (const void *)dev);
		goto out;
	}
	memset(info, 0, sizeof(*info));
	info->explicit_map = m->explicit_map;
	info->n_chunks = m->n_chunks;
	info->len = m->len;
	info->n_pages_skipped = m->n_pages_skipped;
	ret = 0;
out:
	extmem_unlock();
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
	dd = dev_find_name(name);
	if (dd != NULL && unmap_matching(NULL, dd, true, true) != 0) {
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
	enum rte_extmem_dma_dev_state state;
	struct dma_dev *dd;
	uint64_t op;
	int err;

	if (o != NULL)
		TAILQ_REMOVE(&optout_list, o, next);
	dd = dev_find_name(name);
	if (dd == NULL || dd->n_ports == 0) {
		free(o);
		return 0;
	}
	state = dd->state;
	if (dd->state == RTE_EXTMEM_DMA_DEV_FAILED)
		dd->state = dev_classify(dd->dev);
	op = ++dma_op_seq;
	if (dev_replay(dd, op) == 0) {
		if (dd->state == RTE_EXTMEM_DMA_DEV_PENDING)
			pending_arm();
		free(o);
		return 0;
	}
	err = rte_errno;
	op_rollback(op, dd);
	dd->state = state;
	if (o != NULL)
		TAILQ_INSERT_TAIL(&optout_list, o, next);
	rte_errno = err;
	return -1;
}

int
rte_extmem_dma_dev_optout(const char *dev_name, bool optout)
{
	int ret;

	if (extmem_name_check("device", dev_name,
			RTE_EXTMEM_DMA_DEV_NAMESIZE) != 0)
		return -1;
	dma_enter();
	ret = optout ? optout_set(dev_name) : optout_clear(dev_name);
	if (ret == 0)
		EXTMEM_LOG(INFO, "device %s opted %s automatic DMA mapping",
			dev_name, optout ? "out of" : "in to");
	extmem_unlock();
	return ret;
}

int
rte_extmem_dma_dev_info_get(const char *dev_name,
	struct rte_extmem_dma_dev_info *info)
{
	const struct dma_map *m;
	const struct dma_dev *dd;

	if (!extmem_name_valid(dev_name, RTE_EXTMEM_DMA_DEV_NAMESIZE) ||
			info == NULL) {
		EXTMEM_FAIL(EINVAL, "bad device name or NULL info");
		return -1;
	}
	dma_enter();
	memset(info, 0, sizeof(*info));
	info->opted_out = optout_find(dev_name) != NULL;
	dd = dev_find_name(dev_name);
	if (dd != NULL) {
		info->state = dd->state;
		info->automatic = dd->n_ports > 0;
		info->n_ports = dd->n_ports;
		info->map_calls = dd->map_calls;
		info->unmap_calls = dd->unmap_calls;
		info->error = dd->error;
		TAILQ_FOREACH(m, &map_list, next) {
			if (m->dd != dd)
				continue;
			info->n_regions++;
			info->n_chunks += m->n_chunks;
		}
	}
	extmem_unlock();
	return 0;
}

int
rte_extmem_dma_auto_set(bool enable)
{
	struct dma_dev *dd;
	uint64_t op;
	int ret = 0, err;

	dma_enter();
	if (enable == dma_auto)
		goto out;
	dma_auto = enable;
	if (!enable)
		goto out;
	op = ++dma_op_seq;
	TAILQ_FOREACH(dd, &dev_list, next) {
		if (dev_replay(dd, op) == 0)
			continue;
		err = rte_errno;
		op_rollback(op, NULL);
		dma_auto = false;
		EXTMEM_LOG(ERR, "automatic DMA mapping stays off: mapping on "
			"%s failed: %s", dd->name, rte_strerror(err));
		rte_errno = err;
		ret = -1;
		break;
	}
	if (ret == 0)
		pending_process();
out:
	extmem_unlock();
	return ret;
}

int
rte_extmem_dma_auto_get(void)
{
	int ret;

	extmem_lock();
	ret = dma_auto;
	extmem_unlock();
	return ret;
}

int
rte_extmem_dma_sync(void)
{
	int n;

	dma_enter();
	n = pending_process();
	extmem_unlock();
	return n;
}
