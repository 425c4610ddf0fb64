/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_HEAP_PRIVATE_H
#define EXTMEM_HEAP_PRIVATE_H

/* What the heap files (heap, heap_alloc, heap_pool, telemetry) share. */

#include <stdbool.h>
#include <sys/queue.h>

#include <rte_mempool.h>

#include "extmem_private.h"
#include "rte_extmem_heap.h"

#define EXTMEM_HEAP_MAGIC 0x48504d58 /* "XMPH" */

struct rte_extmem_heap {
	TAILQ_ENTRY(rte_extmem_heap) next;
	uint32_t magic;
	char name[RTE_EXTMEM_NAMESIZE];
	int socket_id;			/* read without the lock (fast path) */
	uint64_t flags;
	/* template of regions added on demand (name, addr, iovas cleared) */
	struct rte_extmem_region_params tmpl;
	size_t page_sz;			/* page size of the first region */
	size_t grow_len;
	size_t max_len;
	struct rte_extmem_region **regions;	/* in the order added */
	unsigned int n_regions;
	unsigned int cap_regions;
	unsigned int seq;		/* for generated region names */
	size_t size;			/* sum of the regions' lengths */
	uint64_t n_grown;
	uint64_t n_grow_failed;
	/* owning mbuf pool (extmem_heap_pool.c); the heap lives as long as
	 * the pool, however the pool is freed
	 */
	struct rte_mempool *pool;
	char pool_name[RTE_MEMPOOL_NAMESIZE];
	unsigned int pool_allocs;	/* heap allocations the pool made */
	bool pool_freeing;	/* rte_extmem_pktmbuf_pool_free() is freeing the
				 * pool and destroys the heap: no reaper does
				 */
	bool pool_gone;		/* pool freed: destroy the heap once idle */
};

TAILQ_HEAD(extmem_heap_list, rte_extmem_heap);

/* The heap list, in creation order; changed inside an operation, read under the state lock. */
struct extmem_heap_list *extmem_heaps(void);
bool extmem_heap_valid(const struct rte_extmem_heap *h);
/* Is h a live heap? If not, rte_errno EINVAL and a log line. */
#define EXTMEM_HEAP_LIVE(h) EXTMEM_LIVE(extmem_heap_valid, h, "heap")

/* Inside an operation. */
struct rte_extmem_heap *extmem_heap_create_locked(
	const struct rte_extmem_heap_params *p);
int extmem_heap_destroy_locked(struct rte_extmem_heap *h);
struct rte_extmem_region *extmem_heap_region_add_locked(
	struct rte_extmem_heap *h, const struct rte_extmem_region_params *p,
	const struct rte_extmem_heap_params *hp);
int extmem_heap_region_remove_locked(struct rte_extmem_heap *h,
	struct rte_extmem_region *r);
void extmem_heap_fill_info(const struct rte_extmem_heap *h,
	struct rte_extmem_heap_info *info);

/*
 * Is h idle: no allocations but the n_allocs expected, no region user but
 * the n_users expected per region, and no memory added behind this
 * library's back? If not, rte_errno EBUSY and a log line (when verbose).
 */
bool extmem_heap_idle_locked(const struct rte_extmem_heap *h,
	unsigned int n_allocs, uint32_t n_users, bool verbose);
/* heap_pool.c: destroy the heaps whose pool was freed and that are idle
 * now; the number destroyed.
 */
unsigned int extmem_heap_pool_reap_locked(void);
/* The same from a query, outside any operation, when some heap waits. */
void extmem_heap_pool_reap(void);

/* heap_usage.c: allocations inside region r of heap h (looking at h and
 * r only); -1 with rte_errno ENOTSUP if EAL's description is not
 * understood. Under the state lock.
 */
int extmem_heap_region_usage_locked(const struct rte_extmem_heap *h,
	const struct rte_extmem_region *r, unsigned int *n_alloc,
	size_t *alloc_bytes);
/* heap_alloc.c: */
/* Grow h so that one allocation of size/align fits (inside an operation). */
int extmem_heap_ensure_locked(struct rte_extmem_heap *h, size_t size,
	unsigned int align);

#endif /* EXTMEM_HEAP_PRIVATE_H */
