/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_WALK_PRIVATE_H
#define EXTMEM_WALK_PRIVATE_H

/*
 * Walks over objects the public API has no list of, for telemetry. Each
 * walk holds the state lock for reading while it calls fn: fn only copies
 * what it is given and may only query. A non-zero return of fn
 * stops the walk and is returned.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

struct rte_extmem_region;
struct rte_extmem_slicer;

/* extmem_event.c: subscribers in delivery order. */
struct extmem_subscriber_view {
	const char *name;
	uintptr_t cb;		/* callback address */
	const void *arg;
	bool internal;		/* a part of the library */
};
typedef int (*extmem_subscriber_walk_t)(
	const struct extmem_subscriber_view *v, void *arg);
int extmem_event_subscriber_walk(extmem_subscriber_walk_t fn, void *arg);

/* extmem_mbuf_slice.c: live slicers in creation order. */
struct extmem_slicer_view {
	const char *name;
	const struct rte_extmem_slicer *slicer;
	const char *region;	/* name of its region */
	const struct rte_mempool *mp;
	uintptr_t free_cb;	/* 0 if none */
};
typedef int (*extmem_slicer_walk_t)(const struct extmem_slicer_view *v,
	void *arg);
int extmem_slicer_walk(extmem_slicer_walk_t fn, void *arg);

/* extmem_mbuf_pool.c: pinned external-buffer pools and their regions. */
typedef int (*extmem_extbuf_pool_walk_t)(const struct rte_mempool *mp,
	unsigned int n_regions, struct rte_extmem_region *const regions[],
	void *arg);
int extmem_extbuf_pool_walk(extmem_extbuf_pool_walk_t fn, void *arg);

/* mbuf_pool.c: rte_extmem_pktmbuf_pool_free() of a pool of
 * rte_extmem_pktmbuf_pool_create_extbuf(): 0 freed, -1 (EBUSY) mbufs in
 * use, 1 mp is not such a pool. Takes and releases the library lock.
 */
int extmem_extbuf_pool_free(struct rte_mempool *mp);

#endif /* EXTMEM_WALK_PRIVATE_H */
