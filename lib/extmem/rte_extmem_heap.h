/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_EXTMEM_HEAP_H
#define RTE_EXTMEM_HEAP_H

/**
 * @file
 * Named external heaps: external memory as a DPDK malloc heap.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * A heap is an EAL malloc heap (rte_malloc_heap_create()) made of
 * regions (rte_extmem.h). It has a socket ID of its own, greater than or
 * equal to RTE_MAX_NUMA_NODES, through which every standard allocator
 * uses it: rte_malloc_socket(), rte_zmalloc_socket(),
 * rte_memzone_reserve(), rte_ring_create(), rte_mempool_create(),
 * rte_pktmbuf_pool_create().
 *
 * Unlike a bare upstream external heap, a heap of this library:
 *  - is created from backing parameters in one call (the library maps the
 *    memory, resolves every page's IOVA and registers it);
 *  - grows by adding regions, also on demand (rte_extmem_heap_malloc(),
 *    rte_extmem_heap_ensure()) up to a configured maximum;
 *  - shrinks by removing a region only when nothing is allocated in it,
 *    and is destroyed only when empty (EBUSY otherwise, nothing changed);
 *  - always knows the IOVA of its memory (unless created with
 *    RTE_EXTMEM_HEAP_F_NO_IOVA), so IOVA-contiguous memzones never
 *    "succeed" with RTE_BAD_IOVA, also in legacy memory mode (--no-huge).
 *
 * EAL's native heaps (one per NUMA socket, named "socket_<n>") cannot be
 * managed through this API (EPERM).
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_compat.h>
#include <rte_mempool.h>

#include "rte_extmem.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The heap accepts regions whose IOVAs are unknown (CPU-only memory):
 * memzones and mbufs on it may then have RTE_BAD_IOVA, and an
 * IOVA-contiguous memzone on it may "succeed" without an IOVA in legacy
 * memory mode. Without this flag such regions are refused (ENOTSUP).
 */
#define RTE_EXTMEM_HEAP_F_NO_IOVA RTE_BIT64(0)

/**
 * Parameters of rte_extmem_heap_create().
 *
 * Always initialise with rte_extmem_heap_params_init(): it sets
 * @c struct_size. The first region's parameters are a separate structure,
 * initialised with rte_extmem_region_params_init() and versioned by its
 * own @c struct_size.
 */
struct rte_extmem_heap_params {
	/** sizeof(struct rte_extmem_heap_params) of the caller's build. */
	size_t struct_size;
	/**
	 * Heap name, 1 to RTE_EXTMEM_NAMESIZE - 1 characters, unique among
	 * all EAL heaps; names of the form "socket_<n>" are reserved for
	 * EAL's native heaps.
	 */
	const char *name;
	/**
	 * The first region: any backing the CPU can write (anon, thp,
	 * hugetlb, shared, user; not device), its length, page size, NUMA
	 * node, flags and, for user memory, address and IOVAs; required.
	 * If its @c name is NULL the region is named after the heap. It is
	 * also the template of the regions added on demand (with length
	 * @c grow_len and a generated name); the heap keeps a copy, so it
	 * need not outlive rte_extmem_heap_create().
	 */
	const struct rte_extmem_region_params *region;
	/**
	 * Length of each region added on demand by rte_extmem_heap_malloc()
	 * and rte_extmem_heap_ensure() (at least what the request needs); a
	 * multiple of the page size. 0: the heap never grows on demand.
	 * Must be 0 for user memory, which the library cannot allocate.
	 */
	size_t grow_len;
	/**
	 * Upper bound of the heap size (sum of its regions' lengths) that
	 * growth on demand may reach; 0 means no bound. Explicit
	 * rte_extmem_heap_region_add() calls are not bounded.
	 */
	size_t max_len;
	/** RTE_EXTMEM_HEAP_F_* flags. */
	uint64_t flags;
};

/** Opaque handle of a heap. */
struct rte_extmem_heap;

/** Description and statistics of a heap, from rte_extmem_heap_info_get(). */
struct rte_extmem_heap_info {
	char name[RTE_EXTMEM_NAMESIZE]; /**< Heap name. */
	int socket_id;          /**< Socket ID of the heap. */
	/**
	 * Total bytes of the heap's EAL malloc heap
	 * (rte_malloc_get_socket_stats()): its regions plus any memory added
	 * to it outside this library with rte_malloc_heap_memory_add().
	 * The statistics below are EAL's for the same heap.
	 */
	size_t size;
	size_t free;            /**< Free bytes. */
	size_t greatest_free;   /**< Largest free block in bytes. */
	size_t alloc_bytes;     /**< Allocated bytes (with malloc overhead). */
	unsigned int alloc_count; /**< Number of allocated elements. */
	unsigned int free_count;  /**< Number of free elements. */
	/**
	 * Number of the library's regions in the heap (memory added with
	 * rte_malloc_heap_memory_add() is not a region).
	 */
	unsigned int n_regions;
	size_t min_page_sz;     /**< Smallest page size among its regions. */
	size_t grow_len;        /**< Growth chunk (0: no growth on demand). */
	size_t max_len;         /**< Growth bound (0: none). */
	uint64_t n_grown;       /**< Regions added on demand so far. */
	uint64_t n_grow_failed; /**< Growths on demand that failed. */
	uint64_t flags;         /**< RTE_EXTMEM_HEAP_F_* flags. */
	/** Name of the mbuf pool that owns the heap, empty if none. */
	char pool[RTE_MEMPOOL_NAMESIZE];
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Initialise heap parameters to their defaults: struct_size set, no
 * region parameters (@c region must be set), no growth, no flags.
 *
 * @param params
 *   Parameters to initialise.
 * @return
 *   0 on success, -1 with rte_errno EINVAL if @p params is NULL.
 */
__rte_experimental
int rte_extmem_heap_params_init(struct rte_extmem_heap_params *params);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Create a named heap with its first region.
 *
 * The region's memory is obtained from its backing, its IOVAs resolved,
 * and it is added to a new EAL malloc heap, the translation table and the
 * event subscribers (which map it for DMA). On failure nothing is left.
 *
 * @param params
 *   Heap parameters, initialised with rte_extmem_heap_params_init().
 * @return
 *   The heap, or NULL with rte_errno set:
 *   - EINVAL: NULL or malformed parameters (name, struct_size smaller
 *     than this version's structure, NULL @c region or its struct_size
 *     too small, device
 *     backing, grow_len not a multiple of the page size or given for user
 *     memory, max_len smaller than the first region, unknown flags), or
 *     invalid region parameters (see rte_extmem_region_create());
 *   - EEXIST: a heap (any EAL malloc heap) or a region with this name
 *     exists (heaps and regions share one namespace);
 *   - EPERM: the name is the name of, or reserved for, a native heap;
 *   - ENOSPC: EAL has no free heap (RTE_MAX_HEAPS) or memseg list left,
 *     or a DMA domain has fewer mapping entries left than the region
 *     needs (as for rte_extmem_region_create());
 *   - ENOTSUP: some pages of the region have no known IOVA and the heap
 *     lacks RTE_EXTMEM_HEAP_F_NO_IOVA, or EAL runs in legacy memory mode
 *     and the region's IOVAs are not contiguous (EAL would treat them as
 *     contiguous); or the backing is not available; or the heap's or the
 *     region's @c struct_size is larger than this version's structure
 *     and the fields it does not know are not zero;
 *   - ENOMEM, EADDRINUSE, ECANCELED: as for rte_extmem_region_create();
 *   - E_RTE_SECONDARY: called in a secondary process: only the primary
 *     creates and destroys regions and heaps (nothing changed);
 *   - EACCES, EADDRINUSE, ...: a secondary process cannot map the
 *     memory (its error, logged in both processes); it is withdrawn from
 *     every process;
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
struct rte_extmem_heap *
rte_extmem_heap_create(const struct rte_extmem_heap_params *params);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Destroy a heap: remove all its regions and the EAL heap.
 *
 * @param heap
 *   The heap.
 * @return
 *   0 on success, -1 with rte_errno set and nothing changed:
 *   - EINVAL: @p heap is NULL or not a live heap;
 *   - EBUSY: something is allocated in the heap, it holds memory not added
 *     through this library, it is owned by an mbuf pool, one that
 *     another thread is freeing included (free the pool: its heap goes
 *     with it), or a region has users;
 *   - E_RTE_SECONDARY: called in a secondary process: only the primary
 *     creates and destroys regions and heaps (nothing changed);
 *   - EBUSY also: a secondary process has users of a region of the heap;
 *     nothing changed in any process;
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 *   If another thread allocates from the heap while it is destroyed, or
 *   an event subscriber refuses a removal (ECANCELED), the regions removed
 *   so far stay removed and the heap stays usable.
 */
__rte_experimental
int rte_extmem_heap_destroy(struct rte_extmem_heap *heap);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Find a heap by name.
 *
 * @param name
 *   Heap name.
 * @return
 *   The heap, or NULL with rte_errno set:
 *   - EINVAL: @p name is NULL, empty or too long;
 *   - EPERM: @p name is a native heap;
 *   - ENOENT: no heap of this library has this name.
 */
__rte_experimental
struct rte_extmem_heap *rte_extmem_heap_lookup(const char *name);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Find a heap by socket ID.
 *
 * @param socket_id
 *   Socket ID (rte_extmem_heap_info::socket_id).
 * @return
 *   The heap, or NULL with rte_errno set:
 *   - EINVAL: @p socket_id is negative (e.g. SOCKET_ID_ANY);
 *   - EPERM: @p socket_id is a native NUMA socket (< RTE_MAX_NUMA_NODES);
 *   - ENOENT: no heap of this library has this socket ID.
 */
__rte_experimental
struct rte_extmem_heap *rte_extmem_heap_lookup_by_socket(int socket_id);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Get the description and statistics of a heap.
 *
 * @param heap
 *   The heap.
 * @param info
 *   Filled on success.
 * @return
 *   0 on success, -1 with rte_errno EINVAL on a NULL or dead heap or NULL
 *   @p info.
 */
__rte_experimental
int rte_extmem_heap_info_get(const struct rte_extmem_heap *heap,
	struct rte_extmem_heap_info *info);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Get the regions of a heap, in the order they were added.
 *
 * @param heap
 *   The heap.
 * @param regions
 *   Receives up to @p n regions.
 * @param n
 *   Capacity of @p regions.
 * @return
 *   The number of regions of the heap (which may exceed @p n), or -1 with
 *   rte_errno EINVAL on bad arguments.
 */
__rte_experimental
int rte_extmem_heap_regions_get(const struct rte_extmem_heap *heap,
	struct rte_extmem_region **regions, unsigned int n);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Count what is allocated inside one region of a heap.
 *
 * Only @p heap and @p region are looked at: EAL's statistics of the heap
 * where they are exact (no allocation in the heap, or the region is all
 * of it), else the region's malloc elements, walked under the heap's
 * lock. Other heaps, including heaps of other processes whose memory is
 * not mapped in this one, are never read. The counts are exact at one
 * instant; other threads may allocate or free right after.
 *
 * @param heap
 *   The heap.
 * @param region
 *   One of its regions.
 * @param n_alloc
 *   Receives the number of allocated elements inside @p region (may be
 *   NULL).
 * @param alloc_bytes
 *   Receives their total size in bytes, malloc overhead included (may be
 *   NULL).
 * @return
 *   0 on success, -1 with rte_errno set:
 *   - EINVAL: bad heap or region, or @p region is not in @p heap;
 *   - ENOTSUP: EAL's description of the heap is not understood (its
 *     private element layout is not the one of DPDK 22.11).
 */
__rte_experimental
int rte_extmem_heap_region_usage(const struct rte_extmem_heap *heap,
	const struct rte_extmem_region *region, unsigned int *n_alloc,
	size_t *alloc_bytes);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Grow a heap by a new region.
 *
 * @param heap
 *   The heap.
 * @param params
 *   Region parameters (any CPU-writable backing, as for
 *   rte_extmem_heap_create()); a NULL name is replaced by a generated one.
 * @return
 *   The new region, or NULL with rte_errno set and nothing changed:
 *   - EINVAL: bad heap or region parameters (device backing included,
 *     @c struct_size smaller than this version's structure);
 *   - EPERM: the heap is the heap of an mbuf pool of
 *     rte_extmem_pktmbuf_pool_create() (a pool's heap is sized for the
 *     pool and takes no new region, also after the pool was freed with
 *     rte_mempool_free() and while its heap waits for its last user);
 *   - ENOTSUP, ENOSPC, EEXIST, ENOMEM, EADDRINUSE, ECANCELED: as for
 *     rte_extmem_heap_create() (ENOTSUP also for a larger @c struct_size
 *     whose unknown fields are not zero);
 *   - E_RTE_SECONDARY: called in a secondary process: only the primary
 *     creates and destroys regions and heaps (nothing changed);
 *   - EACCES, EADDRINUSE, ...: a secondary process cannot map the region
 *     (EACCES: memory that cannot be shared, added to a heap a secondary
 *     uses); the region is withdrawn from every process;
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
struct rte_extmem_region *
rte_extmem_heap_region_add(struct rte_extmem_heap *heap,
	const struct rte_extmem_region_params *params);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Shrink a heap by removing one of its regions; its memory is released.
 *
 * @param heap
 *   The heap.
 * @param region
 *   The region to remove.
 * @return
 *   0 on success, -1 with rte_errno set and nothing changed:
 *   - EINVAL: bad heap or region, or @p region is not in @p heap;
 *   - EBUSY: something is allocated inside @p region, or it has users;
 *   - ECANCELED: an event subscriber refused the removal;
 *   - E_RTE_SECONDARY: called in a secondary process: only the primary
 *     creates and destroys regions and heaps (nothing changed);
 *   - EBUSY also: a secondary process has users of the region; nothing
 *     changed in any process;
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
int rte_extmem_heap_region_remove(struct rte_extmem_heap *heap,
	struct rte_extmem_region *region);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Remove every region of a heap that has nothing allocated in it and no
 * users. The heap may become empty; growth on demand refills it.
 *
 * @param heap
 *   The heap.
 * @return
 *   The number of regions removed, or -1 with rte_errno EINVAL (bad heap)
 *   ENOMEM/ENOTSUP (the heap could not be walked), E_RTE_SECONDARY (called
 *   in a secondary process: only the primary changes heaps) or EDEADLK
 *   (called from inside an operation of this library in the same thread:
 *   an event callback or a driver hook). In the primary, a region that a
 *   secondary process uses is kept (not removed).
 */
__rte_experimental
int rte_extmem_heap_trim(struct rte_extmem_heap *heap);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Make sure one allocation of @p size bytes aligned to @p align can be
 * made from a heap, growing the heap by one region of at least
 * @c grow_len bytes if its largest free block is too small.
 *
 * Call it before rte_memzone_reserve(), rte_ring_create(),
 * rte_mempool_create() etc. on a heap that grows on demand.
 *
 * @param heap
 *   The heap.
 * @param size
 *   Size of the allocation in bytes (> 0).
 * @param align
 *   Alignment: 0 or a power of two.
 * @return
 *   0 if the allocation fits (now), -1 with rte_errno set:
 *   - EINVAL: bad heap, zero size, alignment not a power of two;
 *   - ENOMEM: the heap does not grow on demand, would exceed its
 *     @c max_len, or the new region could not be created (the region's
 *     error is logged);
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
int rte_extmem_heap_ensure(struct rte_extmem_heap *heap, size_t size,
	unsigned int align);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Allocate from a heap, growing it on demand (see rte_extmem_heap_ensure()).
 * Free with rte_free().
 *
 * The fast path is rte_malloc_socket() on the heap's socket ID; the heap
 * lock is taken only to grow.
 *
 * @param heap
 *   The heap.
 * @param type
 *   A string identifying the allocation in statistics (may be NULL), as
 *   for rte_malloc_socket().
 * @param size
 *   Size in bytes (> 0).
 * @param align
 *   Alignment: 0 or a power of two.
 * @return
 *   The allocation, or NULL with rte_errno EINVAL (bad arguments),
 *   ENOMEM (no room and the heap cannot grow) or EDEADLK (the heap must
 *   grow, and the call comes from inside an operation of this library in
 *   the same thread: an event callback or a driver hook).
 */
__rte_experimental
void *rte_extmem_heap_malloc(struct rte_extmem_heap *heap, const char *type,
	size_t size, unsigned int align);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Like rte_extmem_heap_malloc(), with the memory zeroed.
 *
 * @param heap
 *   The heap.
 * @param type
 *   A string identifying the allocation in statistics (may be NULL).
 * @param size
 *   Size in bytes (> 0).
 * @param align
 *   Alignment: 0 or a power of two.
 * @return
 *   The zeroed allocation, or NULL with rte_errno as for
 *   rte_extmem_heap_malloc().
 */
__rte_experimental
void *rte_extmem_heap_zmalloc(struct rte_extmem_heap *heap, const char *type,
	size_t size, unsigned int align);

/**
 * Callback of rte_extmem_heap_walk().
 *
 * @param heap
 *   The heap.
 * @param info
 *   Its description and statistics.
 * @param arg
 *   The walk's argument.
 * @return
 *   0 to continue, non-zero to stop the walk and return that value.
 */
typedef int (*rte_extmem_heap_walk_t)(const struct rte_extmem_heap *heap,
	const struct rte_extmem_heap_info *info, void *arg);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Call @p fn for every heap of this library, in creation order, or count
 * the heaps; the walk is over a snapshot taken when the walk starts: @p fn
 * runs with no lock of the library held and may call any function of it
 * (a heap it is given may have been destroyed meanwhile by another
 * thread).
 *
 * @param fn
 *   Callback, or NULL to count the heaps.
 * @param arg
 *   Argument passed to @p fn.
 * @return
 *   With @p fn NULL, the number of live heaps; otherwise 0 after a full
 *   walk or the non-zero value a callback returned. -1 with rte_errno
 *   E_RTE_NO_CONFIG before rte_eal_init() or
 *   ENOMEM (no memory for the snapshot).
 */
__rte_experimental
int rte_extmem_heap_walk(rte_extmem_heap_walk_t fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EXTMEM_HEAP_H */
