/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The DMA dispatcher: the (region x device) table of rte_dev_dma_map()
 * mappings, kept by the first subscriber of the event bus (region events,
 * here) and by ethdev's NEW/DESTROY events (extmem_dma_dev.c). All state
 * changes inside an operation (extmem_private.h).
 *
 * A device in a shared domain (extmem_dma_domain.c) has its entries too,
 * but they share one dma_dmap per region and domain: the first entry to
 * be applied makes the calls, through its device; the last one to be
 * unmapped undoes them, through its device; the others make none.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "extmem_dma_private.h"
#include "extmem_event_private.h"

#define DMA_SUB_NAME EXTMEM_SUB_DMA

TAILQ_HEAD(dma_map_list, dma_map);

static struct dma_map_list map_list = TAILQ_HEAD_INITIALIZER(map_list);
static bool dma_subscribed;
static uint64_t dma_op_seq;

uint64_t
extmem_dma_op_new(void)
{
	return ++dma_op_seq;
}

/* Does a region take automatic mappings (not opted out, some IOVA known)? */
static bool
region_auto(const struct rte_extmem_region *r)
{
	return !(r->flags & RTE_EXTMEM_REGION_F_NO_DEVMAP) && r->n_known_runs > 0;
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

	bool callout;

	/* a callout: the driver's hook may query the library */
	callout = extmem_op_callout_begin();
	rte_errno = 0;
	if (map)
		ret = rte_dev_dma_map(dd->dev, (void *)c->va, c->iova, c->len);
	else
		ret = rte_dev_dma_unmap(dd->dev, (void *)c->va, c->iova,
			c->len);
	err = rte_errno;
	extmem_op_callout_end(callout);
	rte_errno = err;
	if (ret == 0) {
		if (map)
			dd->map_calls++;
		else
			dd->unmap_calls++;
		if (dd->dom != NULL && map)
			dd->dom->map_calls++;
		else if (dd->dom != NULL)
			dd->dom->unmap_calls++;
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

/* Debug trace of one run (--log-level=lib.extmem:debug). */
static void
chunk_trace(const char *what, const struct dma_map *m, unsigned int i)
{
	const struct dma_chunk *c = &m->chunks[i];

	EXTMEM_LOG(DEBUG, "region %s: run %u/%u (va 0x%" PRIxPTR " iova 0x%"
		PRIx64 " len %zu) %s on %s", m->region->name, i + 1,
		m->n_chunks, c->va, c->iova, c->len, what, m->dd->name);
}

/*
 * Map every run of an entry; on failure unmap the runs already mapped. In a
 * shared domain where another entry has the region mapped, nothing to do.
 */
static int
map_apply(struct dma_map *m)
{
	unsigned int i, j;
	int ret, err;

	if (m->dmap != NULL && m->dmap->active++ > 0)
		return 0;
	for (i = 0; i < m->n_chunks; i++) {
		ret = dma_call(m->dd, true, &m->chunks[i]);
		if (ret == 0) {
			chunk_trace("mapped", m, i);
			continue;
		}
		err = rte_errno;
		if (ret < 0 && err != ENOTSUP)
			chunk_log("map", m, i);
		for (j = i; j-- > 0; )
			if (dma_call(m->dd, false, &m->chunks[j]) < 0)
				chunk_log("rollback unmap", m, j);
		if (m->dmap != NULL)
			m->dmap->active--;
		rte_errno = err;
		return ret;
	}
	return 0;
}

int
extmem_dma_unmap_apply(struct dma_map *m, bool strict)
{
	unsigned int i, j;
	int err = 0;

	if (m->dmap != NULL) {
		/* another device of the domain still needs the region */
		if (m->dmap->active > 1) {
			m->dmap->active--;
			return 0;
		}
		if (m->dmap->active == 0)
			return 0;
	}
	for (i = 0; i < m->n_chunks; i++) {
		/* a device without its driver (1) holds no mapping */
		if (dma_call(m->dd, false, &m->chunks[i]) >= 0) {
			chunk_trace("unmapped", m, i);
			continue;
		}
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
	if (m->dmap != NULL)
		m->dmap->active = 0;
	if (err == 0)
		return 0;
	rte_errno = err;
	return -1;
}

/* ------------------------------------------------------------------ */
/* The table */

struct dma_map *
extmem_dma_map_find(const struct rte_extmem_region *r,
	const struct dma_dev *dd)
{
	return EXTMEM_TAILQ_FIND(&map_list, m, m->region == r && m->dd == dd);
}

unsigned int
extmem_dma_region_runs(const struct rte_extmem_region *r)
{
	return r->n_known_runs;
}

/* An entry with the IOVA-contiguous runs of the region's known pages. */
static struct dma_map *
map_new(struct rte_extmem_region *r, struct dma_dev *dd)
{
	unsigned int i, n = r->n_known_runs;
	struct dma_map *m;
	struct dma_chunk *c;

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
	m->n_pages_skipped = r->n_bad_iova;
	for (i = 0; i < r->n_runs; i++) {
		if (r->runs[i].iova == RTE_BAD_IOVA)
			continue;
		c = &m->chunks[m->n_chunks++];
		c->va = r->va + r->runs[i].va_off;
		c->iova = r->runs[i].iova;
		c->len = r->runs[i].len;
		m->len += c->len;
	}
	return m;
}

int
extmem_dma_pair_map(struct rte_extmem_region *r, struct dma_dev *dd,
	bool explicit_map, uint64_t op)
{
	struct dma_dmap *dm = NULL;
	struct dma_map *m;
	int ret;

	if (extmem_dma_eal_maps(r, dd->dom)) {
		if (!explicit_map)
			return 0;
		EXTMEM_FAIL(EEXIST, "region %s is heap memory, which EAL maps "
			"itself in DMA domain %s of %s", r->name,
			dd->dom->name, dd->name);
		return -1;
	}
	m = map_new(r, dd);
	if (m == NULL)
		return -1;
	if (dd->dom != NULL) {
		dm = extmem_dma_dmap_find(r, dd->dom);
		if (dm == NULL)
			dm = extmem_dma_dmap_new(r, dd->dom, m->n_chunks);
		if (dm == NULL) {
			free(m);
			return -1;
		}
		dm->refs++;
		m->dmap = dm;
	}
	ret = map_apply(m);
	if (ret != 0) {
		if (dm != NULL && --dm->refs == 0)
			extmem_dma_dmap_free(dm);
		if (ret < 0 && rte_errno == ENOTSUP) {
			dd->state = RTE_EXTMEM_DEVMAP_DEV_NO_DMA;
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
	EXTMEM_LOG(DEBUG, "region %s mapped on %s in %u runs%s%s", r->name,
		dd->name, m->n_chunks, dm != NULL ? ", domain " : "",
		dm != NULL ? dd->dom->name : "");
	return 0;
}

void
extmem_dma_map_drop(struct dma_map *m)
{
	TAILQ_REMOVE(&map_list, m, next);
	if (m->dmap != NULL && --m->dmap->refs == 0)
		extmem_dma_dmap_free(m->dmap);
	free(m);
}

void
extmem_dma_op_rollback(uint64_t op, const struct dma_dev *dd)
{
	struct dma_map *m, *prev;

	for (m = TAILQ_LAST(&map_list, dma_map_list); m != NULL; m = prev) {
		prev = TAILQ_PREV(m, dma_map_list, next);
		if (m->op != op || m->explicit_map ||
				(dd != NULL && m->dd != dd))
			continue;
		if (extmem_dma_unmap_apply(m, false) != 0)
			EXTMEM_LOG(ERR, "region %s: rollback could not unmap "
				"everything on %s", m->region->name,
				m->dd->name);
		extmem_dma_map_drop(m);
	}
}

static bool
map_match(const struct dma_map *m, const struct rte_extmem_region *r,
	const struct dma_dev *dd, bool auto_only)
{
	return (r == NULL || m->region == r) && (dd == NULL || m->dd == dd) &&
		(!auto_only || !m->explicit_map);
}

int
extmem_dma_unmap_matching(const struct rte_extmem_region *r,
	const struct dma_dev *dd, bool auto_only, bool strict)
{
	struct dma_map *m, *u, *next;
	int err;

	TAILQ_FOREACH(m, &map_list, next) {
		if (!map_match(m, r, dd, auto_only))
			continue;
		if (extmem_dma_unmap_apply(m, strict) == 0 || !strict) {
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
			extmem_dma_map_drop(m);
	}
	return err;
}

int
extmem_dma_dev_replay(struct dma_dev *dd, uint64_t op)
{
	struct rte_extmem_region *r;
	int ret;

	if (!extmem_dma_dev_auto(dd))
		return 0;
	TAILQ_FOREACH(r, extmem_regions(), next) {
		if (!region_auto(r) || extmem_dma_map_find(r, dd) != NULL)
			continue;
		ret = extmem_dma_pair_map(r, dd, false, op);
		if (ret == 0)
			continue;
		if (ret > 0)
			dd->state = RTE_EXTMEM_DEVMAP_DEV_PENDING;
		if (ret > 0 || dd->state == RTE_EXTMEM_DEVMAP_DEV_NO_DMA) {
			extmem_dma_op_rollback(op, dd);
			return 0;
		}
		return -1;
	}
	return 0;
}

void
extmem_dma_dev_maps_count(const struct dma_dev *dd, unsigned int *n_regions,
	unsigned int *n_chunks)
{
	const struct dma_map *m;

	*n_regions = 0;
	*n_chunks = 0;
	TAILQ_FOREACH(m, &map_list, next) {
		if (m->dd != dd)
			continue;
		(*n_regions)++;
		*n_chunks += m->n_chunks;
	}
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
		if (!(r->flags & RTE_EXTMEM_REGION_F_NO_DEVMAP))
			EXTMEM_LOG(NOTICE, "region %s has no known IOVA: not "
				"mapped on any device", r->name);
		return 0;
	}
	/* every shared domain has room, or nothing is mapped */
	if (extmem_dma_region_fits(r) != 0)
		return -(EXTMEM_EVENT_KEEP_ERRNO | rte_errno);
	op = extmem_dma_op_new();
	TAILQ_FOREACH(dd, &extmem_dma_devs, next) {
		if (!extmem_dma_dev_auto(dd) ||
				extmem_dma_map_find(r, dd) != NULL)
			continue;
		ret = extmem_dma_pair_map(r, dd, false, op);
		if (ret == 0)
			continue;
		if (ret > 0) {
			dd->state = RTE_EXTMEM_DEVMAP_DEV_PENDING;
			extmem_dma_pending_arm();
			continue;
		}
		err = rte_errno;
		if (dd->state == RTE_EXTMEM_DEVMAP_DEV_NO_DMA)
			continue;
		EXTMEM_LOG(ERR, "region %s: mapping on %s failed (%s): "
			"unmapping it from the devices mapped before",
			r->name, dd->name, rte_strerror(err));
		extmem_dma_op_rollback(op, NULL);
		/* and any mapping made for it by a replay on the way */
		extmem_dma_unmap_matching(r, NULL, false, false);
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
		if (extmem_dma_unmap_matching(ev->region, NULL, false,
				!ev->rollback) != 0)
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
	if (!dma_subscribed) {
		if (extmem_event_subscribe_internal(DMA_SUB_NAME, dma_event_cb,
				NULL) != 0) {
			EXTMEM_LOG(ERR, "cannot start the DMA dispatcher: %s",
				rte_strerror(rte_errno));
			return;
		}
		dma_subscribed = true;
	}
	if (rte_eal_iova_mode() == RTE_IOVA_DC)
		return;
	extmem_dma_eth_init();
}
