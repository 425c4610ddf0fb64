/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Heaps: growth on demand, allocation helpers and trimming. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "extmem_compat.h"
#include "extmem_heap_private.h"

/* Bytes a single allocation needs beyond its size: the element header and
 * trailer and the cache-line rounding of EAL's allocator, twice (margin).
 */
#define HEAP_ALLOC_OVERHEAD (2 * extmem_compat_malloc_elem_overhead())

static int
alloc_args_check(size_t size, unsigned int align)
{
	if (size == 0) {
		EXTMEM_FAIL(EINVAL, "allocation size is 0");
		return -1;
	}
	if (align != 0 && !rte_is_power_of_2(align)) {
		EXTMEM_FAIL(EINVAL, "alignment %u is not a power of two",
			align);
		return -1;
	}
	if (size > SIZE_MAX / 2) {
		EXTMEM_FAIL(EINVAL, "allocation size %zu is too large", size);
		return -1;
	}
	return 0;
}

/* Would an allocation of size/align succeed now? (Tried, then freed.) */
static bool
heap_fits(const struct rte_extmem_heap *h, size_t size, unsigned int align)
{
	void *p = rte_malloc_socket(NULL, size, align, h->socket_id);

	if (p == NULL)
		return false;
	rte_free(p);
	return true;
}

static int
heap_grow(struct rte_extmem_heap *h, size_t size, unsigned int align)
{
	struct rte_extmem_region_params p;
	size_t chunk;

	if (h->grow_len == 0) {
		EXTMEM_FAIL(ENOMEM, "heap %s has no room for %zu bytes and "
			"does not grow on demand", h->name, size);
		return -1;
	}
	chunk = RTE_ALIGN_CEIL(size + align + HEAP_ALLOC_OVERHEAD, h->page_sz);
	chunk = RTE_MAX(chunk, h->grow_len);
	chunk = extmem_backing_len_round(h->tmpl.backing, chunk);
	if (h->max_len != 0 && (chunk > h->max_len ||
			h->size > h->max_len - chunk)) {
		h->n_grow_failed++;
		EXTMEM_FAIL(ENOMEM, "heap %s: growing by %zu bytes for %zu "
			"would exceed its maximum %zu (size %zu)", h->name,
			chunk, size, h->max_len, h->size);
		return -1;
	}
	memcpy(&p, &h->tmpl, sizeof(p));
	p.len = chunk;
	if (extmem_heap_region_add_locked(h, &p, NULL) == NULL) {
		h->n_grow_failed++;
		EXTMEM_FAIL(ENOMEM, "heap %s: cannot grow by %zu bytes: %s",
			h->name, chunk, rte_strerror(rte_errno));
		return -1;
	}
	h->n_grown++;
	return 0;
}

int
extmem_heap_ensure_locked(struct rte_extmem_heap *h, size_t size,
	unsigned int align)
{
	if (heap_fits(h, size, align))
		return 0;
	return heap_grow(h, size, align);
}

int
rte_extmem_heap_ensure(struct rte_extmem_heap *heap, size_t size,
	unsigned int align)
{
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (alloc_args_check(size, align) != 0)
		return -1;
	extmem_compat_eal_legacy_mem();
	if (!EXTMEM_OP_BEGIN())
		return -1;
	if (EXTMEM_HEAP_LIVE(heap))
		ret = extmem_heap_ensure_locked(heap, size, align);
	extmem_op_end();
	return ret;
}

static void *
socket_alloc(const char *type, size_t size, unsigned int align, int socket,
	bool zero)
{
	return zero ? rte_zmalloc_socket(type, size, align, socket) :
		rte_malloc_socket(type, size, align, socket);
}

static void *
heap_alloc(struct rte_extmem_heap *h, const char *type, size_t size,
	unsigned int align, bool zero)
{
	int socket;
	void *p;

	if (alloc_args_check(size, align) != 0)
		return NULL;
	/* Fast path, a query: a live heap's socket ID never changes, and
	 * h is only read once it is known to be a live heap.
	 */
	extmem_query_begin();
	socket = extmem_heap_valid(h) ? h->socket_id : -1;
	extmem_query_end();
	if (socket < 0) {
		EXTMEM_FAIL(EINVAL, "%p is not a live heap", (void *)h);
		return NULL;
	}
	p = socket_alloc(type, size, align, socket, zero);
	if (p != NULL)
		return p;

	extmem_compat_eal_legacy_mem();
	if (!EXTMEM_OP_BEGIN())
		return NULL;
	if (!EXTMEM_HEAP_LIVE(h))
		goto out;
	/* Another thread may have grown the heap meanwhile: retry first,
	 * then grow once by a region large enough for this request.
	 */
	p = socket_alloc(type, size, align, h->socket_id, zero);
	if (p == NULL && heap_grow(h, size, align) == 0) {
		p = socket_alloc(type, size, align, h->socket_id, zero);
		if (p == NULL)
			EXTMEM_FAIL(ENOMEM, "heap %s: %zu bytes do not fit "
				"even after growing", h->name, size);
	}
out:
	extmem_op_end();
	return p;
}

void *
rte_extmem_heap_malloc(struct rte_extmem_heap *heap, const char *type,
	size_t size, unsigned int align)
{
	if (!EXTMEM_EAL_READY())
		return NULL;
	return heap_alloc(heap, type, size, align, false);
}

void *
rte_extmem_heap_zmalloc(struct rte_extmem_heap *heap, const char *type,
	size_t size, unsigned int align)
{
	if (!EXTMEM_EAL_READY())
		return NULL;
	return heap_alloc(heap, type, size, align, true);
}

int
rte_extmem_heap_trim(struct rte_extmem_heap *heap)
{
	struct rte_extmem_region *r;
	unsigned int i, n_alloc;
	int removed = 0;

	if (!EXTMEM_EAL_READY() || !EXTMEM_PRIMARY_ONLY())
		return -1;
	if (!EXTMEM_OP_BEGIN())
		return -1;
	if (!EXTMEM_HEAP_LIVE(heap)) {
		removed = -1;
		goto out;
	}
	for (i = heap->n_regions; i > 0; i--) {
		r = heap->regions[i - 1];
		if (__atomic_load_n(&r->users, __ATOMIC_ACQUIRE) != 0)
			continue;
		if (extmem_heap_region_usage_locked(heap, r, &n_alloc,
				NULL) != 0) {
			removed = -1;
			goto out;
		}
		if (n_alloc == 0 &&
				extmem_heap_region_remove_locked(heap, r) == 0)
			removed++;
	}
out:
	extmem_op_end();
	return removed;
}
