/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_EXTMEM_MBUF_H
#define RTE_EXTMEM_MBUF_H

/**
 * @file
 * Mbufs over external memory: mbuf pools made on it, and zero-copy mbuf
 * slices of a region.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Two kinds of pool, one lifetime rule:
 *  - rte_extmem_pktmbuf_pool_create(): the pool's objects in a heap of
 *    its own (rte_extmem_heap.h) named after the pool, its header and
 *    ring in EAL's native memory (which every process maps);
 *  - rte_extmem_pktmbuf_pool_create_extbuf(): mbuf headers in host memory,
 *    pinned data buffers carved from regions.
 * Either is freed with upstream rte_mempool_free(), and what the library
 * made or holds for it (the heap, the user references on the regions)
 * goes with it; rte_extmem_pktmbuf_pool_free() is the checked form of the
 * same free: it refuses (EBUSY, nothing changed) while mbufs of the pool
 * are in use.
 *
 * A *slicer* hands out mbufs whose data is any (offset, length) range of a
 * region, typically device memory (RTE_EXTMEM_BACKING_DEVICE) that the CPU
 * never touches. Each mbuf comes from the slicer's own host pktmbuf pool
 * and is attached with rte_pktmbuf_attach_extbuf() to the range, with the
 * range's IOVA taken from the region. The shared information of the
 * external buffer (reference count, free callback) lives in the private
 * area of the slice's first mbuf, in host memory, never in the region:
 * nothing is written into device memory. Standard mbuf operations work on
 * slices: free, clone (rte_pktmbuf_clone(), into any pool), reference
 * counts, chaining (rte_pktmbuf_chain()), transmission. When the last
 * reference to a slice is gone (the slice and all its clones are freed),
 * the slicer's owner callback runs once for the slice.
 *
 * A slice longer than a segment can hold (UINT16_MAX bytes, or the
 * slicer's maximum segment length) or crossing a discontinuity of the
 * region's IOVAs is returned as a chain of segments, each IOVA-contiguous;
 * the segments of one slice share one reference count, and the callback
 * still runs once per slice.
 *
 * A slicer is a user of its region (rte_extmem_region_destroy() fails with
 * EBUSY while the slicer exists) and cannot itself be freed while any of
 * its slices is alive (EBUSY).
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_compat.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "rte_extmem.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Maximum number of segments of one slice. The segments of a slice share
 * one 16-bit reference count: this leaves room for 63 clones of a slice of
 * the maximum length.
 */
#define RTE_EXTMEM_SLICE_MAX_SEGS 1024

/** Opaque handle of a slicer. */
struct rte_extmem_slicer;

/**
 * Owner callback of a slicer: runs once per slice, when the last mbuf
 * referencing the slice (the slice's segments and all their clones) is
 * freed. It runs on the lcore or thread that frees that last mbuf, must
 * not block, and must not free the slicer.
 *
 * @param addr
 *   Start of the slice (region address + offset given to
 *   rte_extmem_slice_alloc()).
 * @param len
 *   Length of the slice in bytes.
 * @param arg
 *   The slicer's rte_extmem_slicer_params::free_cb_arg.
 */
typedef void (*rte_extmem_slice_free_cb_t)(void *addr, size_t len, void *arg);

/**
 * Parameters of rte_extmem_slicer_create().
 *
 * Always initialise with rte_extmem_slicer_params_init().
 */
struct rte_extmem_slicer_params {
	/** sizeof(struct rte_extmem_slicer_params) of the caller's build. */
	size_t struct_size;
	/** Unique slicer name, 1 to RTE_EXTMEM_NAMESIZE - 1 characters. */
	const char *name;
	/** The region to slice (any backing; typically device memory). */
	struct rte_extmem_region *region;
	/**
	 * Number of mbufs of the slicer's pool (> 0): a slice takes one per
	 * segment, so this bounds the slices alive at once.
	 */
	unsigned int n_mbufs;
	/** Per-lcore cache size of the pool; 0: picked from its size (<= 256). */
	unsigned int cache_size;
	/** NUMA socket of the slicer's host memory, or SOCKET_ID_ANY. */
	int socket_id;
	/** Maximum data length of one segment; 0: UINT16_MAX. */
	uint16_t max_seg_len;
	/** Owner callback run when the last reference to a slice goes; may be NULL. */
	rte_extmem_slice_free_cb_t free_cb;
	/** Argument of @c free_cb. */
	void *free_cb_arg;
};

/** Description and counters of a slicer, from rte_extmem_slicer_info_get(). */
struct rte_extmem_slicer_info {
	/** The region the slicer slices. */
	struct rte_extmem_region *region;
	uint64_t slices;    /**< Slices handed out. */
	uint64_t segments;  /**< Segments (mbufs) attached to the region. */
	/** Slices whose last reference went (callbacks run): slices - in_flight. */
	uint64_t freed;
	uint64_t fails;     /**< Slice requests that failed for lack of mbufs. */
	/**
	 * Mbufs drawn for a new slice while clones of their previous slice
	 * were alive, set aside until the last clone was freed.
	 */
	uint64_t set_aside;
	/** Slices alive now: entries of the slicer's pool still in use, counted
	 * by a pass over the pool (O(n_mbufs)).
	 */
	uint64_t in_flight;
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Initialise slicer parameters to their defaults: struct_size set, no
 * region, no pool size, default cache, SOCKET_ID_ANY, maximum segment
 * length UINT16_MAX, no callback.
 *
 * @param params
 *   Parameters to initialise.
 * @return
 *   0 on success, -1 with rte_errno EINVAL if @p params is NULL.
 */
__rte_experimental
int rte_extmem_slicer_params_init(struct rte_extmem_slicer_params *params);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Create a slicer over a region. The slicer becomes a user of the region.
 *
 * @param params
 *   Parameters, initialised with rte_extmem_slicer_params_init().
 * @return
 *   The slicer, or NULL with rte_errno set and nothing changed:
 *   - EINVAL: NULL or malformed parameters (struct_size smaller than
 *     this version's structure, name, region not live, n_mbufs 0, cache
 *     size too large for the pool, socket);
 *   - EEXIST: a slicer with this name exists;
 *   - ENOMEM: no host memory for the slicer or its pool;
 *   - ENOTSUP: @c struct_size is larger than this version's structure and
 *     the fields it does not know are not zero;
 *   - EACCES: in a secondary, a region of the primary that is not shared;
 *   - EBUSY: in a secondary, the primary is removing the region;
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
struct rte_extmem_slicer *
rte_extmem_slicer_create(const struct rte_extmem_slicer_params *params);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Free a slicer and its pool, and release its region.
 *
 * @param slicer
 *   The slicer.
 * @return
 *   0 on success, -1 with rte_errno set and nothing changed:
 *   - EINVAL: @p slicer is NULL or not a live slicer;
 *   - EBUSY: slices of this slicer are still alive, or mbufs of its pool
 *     are still in use (e.g. as clones);
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
int rte_extmem_slicer_free(struct rte_extmem_slicer *slicer);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Find a slicer by name.
 *
 * @param name
 *   Slicer name.
 * @return
 *   The slicer, or NULL with rte_errno EINVAL (bad name) or ENOENT.
 */
__rte_experimental
struct rte_extmem_slicer *rte_extmem_slicer_lookup(const char *name);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Describe a slicer: its region and its counters. The counters are exact
 * when no slice is being created or freed concurrently.
 *
 * @param slicer
 *   The slicer.
 * @param stats
 *   Filled on success.
 * @return
 *   0 on success, -1 with rte_errno EINVAL on a NULL argument.
 */
__rte_experimental
int rte_extmem_slicer_info_get(const struct rte_extmem_slicer *slicer,
	struct rte_extmem_slicer_info *stats);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Slice a range of the slicer's region into an mbuf, zero-copy.
 *
 * The returned mbuf (a chain if the range needs several segments) has its
 * data at region address + @p off, @c pkt_len = @p len, no headroom, and
 * each segment's @c buf_iova is the IOVA of its data. Nothing is read from
 * or written to the range. Safe on any lcore or thread, concurrently.
 *
 * @param slicer
 *   The slicer.
 * @param off
 *   Offset of the range in the region.
 * @param len
 *   Length of the range; > 0 and at most UINT32_MAX.
 * @return
 *   The mbuf, or NULL with rte_errno set:
 *   - EINVAL: NULL slicer, @p len 0 or larger than UINT32_MAX, or the range
 *     is not inside the region;
 *   - EFAULT: part of the range has no known IOVA;
 *   - E2BIG: the range needs more than RTE_EXTMEM_SLICE_MAX_SEGS segments;
 *   - ENOBUFS: no mbuf left in the slicer's pool.
 */
__rte_experimental
struct rte_mbuf *
rte_extmem_slice_alloc(struct rte_extmem_slicer *slicer, size_t off,
	size_t len);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Slice several ranges of the slicer's region at once: the same as
 * rte_extmem_slice_alloc() for each range in order, with the mbufs of
 * single-segment slices allocated in bulk. Stops at the first range that
 * cannot be sliced, like a burst function.
 *
 * @param slicer
 *   The slicer.
 * @param off
 *   @p n offsets in the region.
 * @param len
 *   @p n lengths, each > 0 and at most UINT32_MAX.
 * @param mbufs
 *   Receives the mbufs (chains where needed).
 * @param n
 *   Number of ranges.
 * @return
 *   The number of slices made, in mbufs[0] onwards. If fewer than @p n,
 *   rte_errno says why the range at that index could not be sliced, as
 *   for rte_extmem_slice_alloc() (EINVAL also for NULL arguments, then 0 is
 *   returned).
 */
__rte_experimental
unsigned int rte_extmem_slice_alloc_bulk(struct rte_extmem_slicer *slicer,
	const size_t *off, const size_t *len, struct rte_mbuf **mbufs,
	unsigned int n);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Header/data split: allocate a header mbuf from a host pool and chain a
 * zero-copy slice of the region behind it as the payload.
 *
 * The header mbuf gets @p hdr_len bytes of data (copied from @p hdr, or left
 * for the caller to write through rte_pktmbuf_mtod() when @p hdr is NULL);
 * the packet's @c pkt_len is @p hdr_len + @p len.
 *
 * @param slicer
 *   The slicer of the payload.
 * @param hdr_pool
 *   A pktmbuf pool with host data buffers for the header.
 * @param hdr
 *   Header bytes to copy, or NULL.
 * @param hdr_len
 *   Header length; must fit in the header mbuf's tailroom.
 * @param off
 *   Offset of the payload in the region.
 * @param len
 *   Payload length.
 * @return
 *   The header mbuf with the payload chained, or NULL with rte_errno set:
 *   - EINVAL: NULL slicer or pool, header does not fit, or payload range
 *     invalid as for rte_extmem_slice_alloc();
 *   - EFAULT, E2BIG, ENOBUFS: as for rte_extmem_slice_alloc(); ENOBUFS also
 *     when @p hdr_pool is empty.
 */
__rte_experimental
struct rte_mbuf *
rte_extmem_slice_alloc_hdr(struct rte_extmem_slicer *slicer,
	struct rte_mempool *hdr_pool, const void *hdr, uint16_t hdr_len,
	size_t off, size_t len);

/**
 * @internal
 * Describe regions as external memory for upstream's
 * rte_pktmbuf_pool_create_extbuf(): one descriptor per IOVA-contiguous run
 * of pages (upstream assumes each descriptor is IOVA-contiguous), runs
 * shorter than @p elt_size left out. Pages with unknown IOVA form runs
 * whose descriptor has buf_iova RTE_BAD_IOVA
 * (rte_extmem_pktmbuf_pool_create_extbuf() refuses such regions).
 *
 * @param regions
 *   The regions.
 * @param n_regions
 *   Number of regions (> 0).
 * @param elt_size
 *   Size of each buffer (> 0).
 * @param ext
 *   Receives up to @p n_ext descriptors; may be NULL if @p n_ext is 0.
 * @param n_ext
 *   Capacity of @p ext.
 * @param n_bufs
 *   If not NULL, receives the number of buffers the descriptors hold.
 * @return
 *   The number of descriptors needed (may exceed @p n_ext), or -1 with
 *   rte_errno EINVAL on bad arguments or a region that is not live.
 *
 * Not public API: applications call
 * rte_extmem_pktmbuf_pool_create_extbuf(), which does this and creates
 * the pool in one call; exported for the library's own tests.
 */
__rte_internal
int rte_extmem_pktmbuf_extmem_get(struct rte_extmem_region *const regions[],
	unsigned int n_regions, uint16_t elt_size,
	struct rte_pktmbuf_extmem *ext, unsigned int n_ext, uint64_t *n_bufs);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Create a pktmbuf pool with pinned external data buffers carved from
 * regions, in one call: the regions are split into IOVA-contiguous
 * descriptors (one per IOVA-contiguous run of pages, buffers of
 * @p data_room_size rounded up to a cache line where it fits in 16 bits) and
 * handed to rte_pktmbuf_pool_create_extbuf(). Every page of the regions
 * must have an IOVA: a region with pages without one is refused (EFAULT),
 * so that every mbuf's buf_iova is usable by a device. The mbuf headers and shared
 * information are in host memory; nothing is written into the regions.
 *
 * The pool is a user of every region until it is freed with
 * rte_mempool_free() or rte_extmem_pktmbuf_pool_free().
 *
 * @param name
 *   Pool name (at most RTE_MEMPOOL_NAMESIZE - 1 characters).
 * @param n
 *   Number of mbufs; 0: as many as the regions hold.
 * @param cache_size
 *   Per-lcore cache size (see rte_pktmbuf_pool_create()).
 * @param priv_size
 *   Application private area size of each mbuf, RTE_MBUF_PRIV_ALIGN aligned.
 * @param data_room_size
 *   Data buffer size, headroom included; > 0.
 * @param socket_id
 *   NUMA socket of the mbuf headers, or SOCKET_ID_ANY.
 * @param regions
 *   The regions holding the data buffers.
 * @param n_regions
 *   Number of regions (> 0).
 * @return
 *   The pool, or NULL with rte_errno set and nothing changed:
 *   - EINVAL: bad arguments, or a region that is not live;
 *   - EFAULT: a page of a region has no IOVA (RTE_BAD_IOVA in its table,
 *     or RTE_EXTMEM_REGION_F_NO_IOVA): every page must have one, even
 *     pages in runs too short for a buffer;
 *   - ENOMEM: the regions hold fewer than @p n buffers, or no host memory;
 *   - EEXIST: a memory pool with this name exists;
 *   - other values from rte_pktmbuf_pool_create_extbuf();
 *   - EACCES: in a secondary, a region of the primary that is not shared;
 *   - EBUSY: in a secondary, the primary is removing a region;
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
struct rte_mempool *
rte_extmem_pktmbuf_pool_create_extbuf(const char *name, unsigned int n,
	unsigned int cache_size, uint16_t priv_size, uint16_t data_room_size,
	int socket_id, struct rte_extmem_region *const regions[],
	unsigned int n_regions);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Memory a heap needs for rte_extmem_pktmbuf_pool_create() with these
 * arguments: the pool header (with its per-lcore caches), the ring of the
 * default mempool ops, the objects, and malloc overhead, rounded up to the
 * page size. Objects are packed within IOVA-contiguous runs: in IOVA-as-VA
 * mode (where the heap's memory is one run) they are packed back to back;
 * in IOVA-as-PA mode any page may be a run of its own, so objects that fit
 * a page are counted per page, and objects larger than a page are packed
 * back to back, which only memory whose pages are IOVA-contiguous can hold
 * (the caller's memory with such an IOVA table: the one-call pool refuses
 * other memory of pages smaller than an object in that mode, see
 * rte_extmem_pktmbuf_pool_create()). The result thus depends on
 * rte_eal_iova_mode().
 *
 * @param n
 *   Number of mbufs.
 * @param cache_size
 *   Per-lcore cache size.
 * @param priv_size
 *   Application private area size of each mbuf.
 * @param data_room_size
 *   Data buffer size of each mbuf, headroom included.
 * @param page_sz
 *   Page size of the heap's memory (a power of two).
 * @return
 *   The size in bytes, or 0 with rte_errno EINVAL on bad arguments
 *   (n == 0, page_sz not a power of two, priv_size not aligned to
 *   RTE_MBUF_PRIV_ALIGN, cache_size too large for @p n).
 */
__rte_experimental
size_t rte_extmem_pktmbuf_pool_mem_size(unsigned int n,
	unsigned int cache_size, uint16_t priv_size, uint16_t data_room_size,
	size_t page_sz);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Create an mbuf pool on external memory in one call.
 *
 * A heap named @p name is created from @p backing, sized with
 * rte_extmem_pktmbuf_pool_mem_size() unless @c backing->len is given
 * (mandatory for user memory); the pool's objects are reserved first, at
 * page-aligned addresses, and packed within each IOVA-contiguous run
 * (RTE_MEMPOOL_F_NO_IOVA_CONTIG, one chunk per run) so that every object
 * is IOVA-contiguous and none straddles two runs. The pool header (with
 * its caches and private area) and its ring are in EAL's native memory,
 * so that other processes (dpdk-proc-info, dpdk-pdump) can read them even
 * when the heap cannot be shared; in the heap only when EAL's memory has
 * no room for them. mp->socket_id is the heap's socket. Every mbuf's buf_iova
 * equals rte_extmem_virt2iova() of its buffer. The pool keeps a user
 * reference on the heap's regions.
 *
 * @param name
 *   Name of the pool and of its heap (1 to RTE_MEMPOOL_NAMESIZE - 1
 *   characters).
 * @param n
 *   Number of mbufs.
 * @param cache_size
 *   Per-lcore cache size, as for rte_pktmbuf_pool_create().
 * @param priv_size
 *   Application private area size, a multiple of RTE_MBUF_PRIV_ALIGN.
 * @param data_room_size
 *   Data buffer size of each mbuf, headroom included.
 * @param backing
 *   Region parameters of the heap's memory (initialised with
 *   rte_extmem_region_params_init()); @c name is ignored; @c len 0 means
 *   "as much as needed" (rounded up to 2M for the thp backing). Any
 *   CPU-writable backing; in IOVA-as-PA mode, objects larger than a page
 *   (sizeof(struct rte_mbuf) + @p priv_size + @p data_room_size plus the
 *   mempool's header, e.g. a 9018-byte data room on 4K pages) need
 *   hugetlb pages (the hugetlb backing, or shared with 2M pages) or the
 *   caller's memory with its IOVA table: over anon, thp, shared with 4K
 *   pages or the caller's memory without a table the pool is refused
 *   (ENOTSUP, before anything is made), since those pages are
 *   IOVA-contiguous only by chance.
 * @return
 *   The pool, or NULL with rte_errno set and nothing left behind:
 *   - EINVAL: bad arguments (@p backing NULL, or its struct_size smaller
 *     than this version's structure);
 *   - ENOTSUP: @p backing's struct_size is larger than this version's
 *     structure and the fields it does not know are not zero (they are
 *     never ignored); in IOVA-as-PA mode, objects larger than the pages of
 *     a backing whose pages are not IOVA-contiguous (see @p backing; the
 *     log line names the sizes and what to use instead: hugetlb pages or
 *     --iova-mode=va); other reasons as for rte_extmem_heap_create();
 *   - EEXIST: a pool or heap with this name exists;
 *   - ENOMEM: the memory (as given, or as it could be allocated) cannot
 *     hold the pool (with the caller's IOVA table in IOVA-as-PA mode: its
 *     IOVA-contiguous runs cannot hold the objects);
 *   - other values as for rte_extmem_heap_create();
 *   - E_RTE_SECONDARY: called in a secondary process: only the primary
 *     creates and destroys regions and heaps (nothing changed);
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
struct rte_mempool *
rte_extmem_pktmbuf_pool_create(const char *name, unsigned int n,
	unsigned int cache_size, uint16_t priv_size, uint16_t data_room_size,
	const struct rte_extmem_region_params *backing);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Free a pool made by rte_extmem_pktmbuf_pool_create() (and destroy its
 * heap) or by rte_extmem_pktmbuf_pool_create_extbuf() (and release its
 * regions), after checking that none of its mbufs is in use.
 *
 * Everything is checked before anything is freed: either the pool, its
 * heap, the heap's regions and their memseg lists are all released, or
 * nothing changes.
 *
 * The pool and its heap share one lifetime, however the pool is freed:
 * a pool freed with upstream rte_mempool_free() takes its heap with it
 * too. Since mempool tells of the free before it releases the pool's
 * memory, that heap is destroyed right after, at the next heap call of
 * this library (lookup, count, walk, create, destroy, pool create) or from
 * an EAL alarm, whichever comes first; if a region of the heap still has
 * a user then, or the application allocated something else in the heap,
 * the heap goes once they are gone. Either way the pool's name (and the
 * heap's) can be used again as soon as the heap is gone.
 *
 * @param mp
 *   The pool.
 * @return
 *   0 on success, -1 with rte_errno set and nothing changed:
 *   - EINVAL: @p mp is NULL or not made by rte_extmem_pktmbuf_pool_create()
 *     or rte_extmem_pktmbuf_pool_create_extbuf() (or already freed);
 *   - EBUSY: mbufs of the pool are still in use (not back in the pool or
 *     its caches), something else was allocated in its heap, or a region
 *     of its heap has another user (rte_extmem_region_user_get(), a
 *     slicer, a pinned pool);
 *   - E_RTE_SECONDARY: called in a secondary process: only the primary
 *     creates and destroys regions and heaps (nothing changed);
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
int rte_extmem_pktmbuf_pool_free(struct rte_mempool *mp);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EXTMEM_MBUF_H */
