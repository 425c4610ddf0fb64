/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_WALK_PRIVATE_H
#define EXTMEM_WALK_PRIVATE_H

/*
 * Walks. A non-zero return of a walk's callback stops the walk and is
 * returned.
 *
 * The public walks (regions, heaps, DMA domains) take a snapshot, so that
 * their callback runs with no lock held and may call the library:
 * extmem_snapshot_walk() below, the one place that does it.
 *
 * The walks after it are over objects the public API has no list of, for
 * telemetry. Each holds the state lock for reading while it calls fn: fn
 * only copies what it is given and may only query.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

struct rte_extmem_region;
struct rte_extmem_slicer;

/* extmem_walk.c: what a snapshot walk copies and how it calls back. */
struct extmem_snapshot {
	const char *what;	/* what is walked, plural, for the log */
	size_t item_size;	/* of one item of the snapshot */
	/* takes the state lock for reading (extmem_query_end() releases it) */
	void (*lock)(void);
	/* Under the lock: the number of objects; each copied into items[i]
	 * too unless items is NULL.
	 */
	unsigned int (*copy)(void *items);
	/* No lock held: one item and the walk's arg. NULL: count only. */
	int (*call)(const void *item, void *arg);
};

/*
 * The walk of s: a snapshot of its objects taken under the state lock,
 * then call() of each item in order, the lock released, until one returns
 * non-zero. Returns that value, or 0; the number of objects if call is
 * NULL; -1 (ENOMEM, logged) if there is no memory for the snapshot.
 */
int extmem_snapshot_walk(const struct extmem_snapshot *s, void *arg);

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
