/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * What is allocated inside one region of one of this library's heaps.
 *
 * Only the heap in question is looked at, and only memory this process
 * mapped (the region's own pages; the heap's lock and statistics in EAL's
 * shared configuration). Other heaps, including heaps another process
 * made whose memory is not mapped here, are never touched.
 *
 *  - Whole-heap counts come from rte_malloc_get_socket_stats() of the
 *    heap's socket, which EAL computes under the heap's lock from that
 *    heap's free lists. They are exact for every region at once when the
 *    heap holds no allocation, and for the region when it is the heap's
 *    only memory.
 *  - Otherwise the region's malloc elements are walked. EAL has no public
 *    iterator over them; the walk reads the element headers EAL keeps at
 *    the start of every element, which of external memory never span two
 *    memseg lists: the first element of a region is at its start, and
 *    each element's size leads to the next one, up to the region's end.
 *    The walk (extmem_compat_heap_region_allocs()) relies on EAL's private
 *    malloc_elem and malloc_heap layouts (DPDK 22.11, unchanged since
 *    20.11), so it lives in extmem_compat.c; every header
 *    read is checked against what the region must hold (inside the
 *    region, cache-line aligned, the region's memseg list, a known state,
 *    elements tiling the region exactly). If one check fails, the walk
 *    stops with ENOTSUP and reads nothing more; removal then relies on
 *    EAL's own refusal of rte_malloc_heap_memory_remove().
 *  - The walk holds the heap's lock (the first member of EAL's heap, as
 *    rte_malloc_dump_heaps() takes it), so the counts are exact at one
 *    instant even while other threads allocate.
 */

#include <errno.h>
#include <stdint.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include "extmem_compat.h"
#include "extmem_heap_private.h"

int
extmem_heap_region_usage_locked(const struct rte_extmem_heap *h,
	const struct rte_extmem_region *r, unsigned int *n_alloc,
	size_t *alloc_bytes)
{
	struct rte_malloc_socket_stats st;
	unsigned int n;
	size_t bytes;

	if (rte_malloc_get_socket_stats(h->socket_id, &st) != 0) {
		EXTMEM_FAIL(ENOTSUP, "heap %s: EAL has no statistics for socket "
			"%d", h->name, h->socket_id);
		return -1;
	}
	if (st.alloc_count == 0) {
		n = 0;
		bytes = 0;
	} else if (h->n_regions == 1 && st.heap_totalsz_bytes == r->len) {
		n = st.alloc_count;
		bytes = st.heap_allocsz_bytes;
	} else if (extmem_compat_heap_region_allocs(r->va, r->len,
			rte_mem_virt2memseg_list((void *)r->va), &n,
			&bytes) != 0) {
		return -1;
	}
	if (n_alloc != NULL)
		*n_alloc = n;
	if (alloc_bytes != NULL)
		*alloc_bytes = bytes;
	return 0;
}

int
rte_extmem_heap_region_usage(const struct rte_extmem_heap *heap,
	const struct rte_extmem_region *region, unsigned int *n_alloc,
	size_t *alloc_bytes)
{
	unsigned int i;
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	extmem_query_begin();
	if (!EXTMEM_HEAP_LIVE(heap))
		goto out;
	for (i = 0; i < heap->n_regions; i++)
		if (heap->regions[i] == region)
			break;
	if (region == NULL || i == heap->n_regions) {
		EXTMEM_FAIL(EINVAL, "%p is not a region of heap %s",
			(const void *)region, heap->name);
		goto out;
	}
	ret = extmem_heap_region_usage_locked(heap, region, n_alloc,
		alloc_bytes);
out:
	extmem_query_end();
	return ret;
}
