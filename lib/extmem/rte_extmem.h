/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_EXTMEM_H
#define RTE_EXTMEM_H

/**
 * @file
 * librte_extmem: externally allocated memory as first-class DPDK memory.
 *
 * A *region* is a named, page-granular virtual address range of memory
 * that DPDK did not allocate. Creating a region in one call:
 *  - obtains the memory from a *backing* (anonymous pages, transparent
 *    hugepages, hugetlb through memfd, a shareable memfd, the caller's own
 *    memory, or device memory the CPU must never touch);
 *  - resolves the IOVA of every page (the VA in IOVA-as-VA mode; the
 *    physical address, with the page pinned, in PA mode; or IOVAs given
 *    by the caller);
 *  - registers the range with EAL, so that rte_mem_virt2memseg(),
 *    rte_mem_virt2iova() and rte_dev_dma_map() work on it;
 *  - enters it into the library's translation table, read without locks
 *    by rte_extmem_virt2iova() in a few nanoseconds.
 *
 * Regions never overlap each other or EAL's own memory. A region that has
 * users (heap allocations, mbuf slices, pools) cannot be destroyed.
 *
 * These names do not clash with EAL's rte_extmem_register(),
 * rte_extmem_unregister(), rte_extmem_attach() and rte_extmem_detach(),
 * which this library uses underneath.
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_compat.h>
#include <rte_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Maximum length of a region name, including the terminating NUL. */
#define RTE_EXTMEM_NAMESIZE 32

/** Where the pages of a region come from. */
enum rte_extmem_backing {
	/** Anonymous memory in base (4K) pages, allocated by the library. */
	RTE_EXTMEM_BACKING_ANON = 0,
	/**
	 * Anonymous memory with transparent hugepages requested
	 * (madvise(MADV_HUGEPAGE)); the address and length are aligned to the
	 * THP size. The region's page size is the base page size, since the
	 * kernel may still back any part with base pages.
	 */
	RTE_EXTMEM_BACKING_ANON_THP,
	/**
	 * Hugetlb pages from memfd_create(MFD_HUGETLB) of the requested size
	 * (2M or 1G); no hugetlbfs mount is needed.
	 */
	RTE_EXTMEM_BACKING_HUGETLB,
	/**
	 * A shareable memfd mapping (base pages, or hugetlb pages if page_sz is
	 * a hugepage size); another process can map the same file at the same
	 * address (see rte_extmem_region_info::fd).
	 */
	RTE_EXTMEM_BACKING_SHARED,
	/**
	 * The caller's memory: @c addr and @c len give the range, @c iovas
	 * optionally the IOVA of each page. The caller keeps ownership; the
	 * range must stay mapped until the region is destroyed.
	 */
	RTE_EXTMEM_BACKING_USER,
	/**
	 * Device memory (GPU, storage controller) the CPU must never touch:
	 * the library never reads, writes or pins it. @c addr and @c len give
	 * the range and @c iovas the IOVA of each page (optional only in
	 * IOVA-as-VA mode, where the IOVA is the address).
	 */
	RTE_EXTMEM_BACKING_DEVICE,
	RTE_EXTMEM_BACKING_MAX /**< Number of backings. */
};

/** Do not map this region for DMA to any device (per-region opt-out). */
#define RTE_EXTMEM_REGION_F_NO_DMA RTE_BIT64(0)
/** Do not pin pages or resolve physical addresses: IOVAs stay unknown. */
#define RTE_EXTMEM_REGION_F_NO_IOVA RTE_BIT64(1)

/**
 * Parameters of rte_extmem_region_create().
 *
 * Always initialise with rte_extmem_region_params_init(): it sets
 * @c struct_size, so that fields appended in later versions keep their
 * defaults for programs built against this version.
 */
struct rte_extmem_region_params {
	/** sizeof(struct rte_extmem_region_params) of the caller's build. */
	size_t struct_size;
	/** Unique name, 1 to RTE_EXTMEM_NAMESIZE - 1 characters. */
	const char *name;
	/** Where the pages come from. */
	enum rte_extmem_backing backing;
	/** Length in bytes; a non-zero multiple of the page size. */
	size_t len;
	/**
	 * Page size: a power of two >= the system page size. 0 picks the
	 * backing's natural size (system page size; 2M for hugetlb). For user
	 * and device backings it is the granularity of @c iovas.
	 */
	size_t page_sz;
	/** NUMA node to place the memory on, or SOCKET_ID_ANY. */
	int numa_node;
	/** Start of the range (user and device backings only), page aligned. */
	void *addr;
	/**
	 * IOVA of each page (user: optional, device: required unless IOVA-as-VA),
	 * @c n_iovas entries, each page aligned or RTE_BAD_IOVA.
	 */
	const rte_iova_t *iovas;
	/** Number of entries in @c iovas: len / page_sz. */
	unsigned int n_iovas;
	/** RTE_EXTMEM_REGION_F_* flags. */
	uint64_t flags;
};

/** Opaque handle of a region. */
struct rte_extmem_region;

/** Description of a region, filled by rte_extmem_region_info_get(). */
struct rte_extmem_region_info {
	char name[RTE_EXTMEM_NAMESIZE]; /**< Region name. */
	enum rte_extmem_backing backing; /**< Backing. */
	void *addr;            /**< Start address. */
	size_t len;            /**< Length in bytes. */
	size_t page_sz;        /**< Page size. */
	unsigned int n_pages;  /**< len / page_sz. */
	int numa_node;         /**< Requested NUMA node or SOCKET_ID_ANY. */
	/** Pages whose IOVA is unknown (RTE_BAD_IOVA). */
	unsigned int n_bad_iova;
	/** Number of maximal IOVA-contiguous runs covering the region. */
	unsigned int n_iova_runs;
	/** Users (allocations, slices, pools) that keep the region alive. */
	uint32_t users;
	/** File descriptor of a shared backing, -1 otherwise. */
	int fd;
	/** Socket ID of the owning heap, or SOCKET_ID_ANY if it has none. */
	int socket_id;
	/** Name of the owning heap, empty if it has none. */
	char heap[RTE_EXTMEM_NAMESIZE];
	uint64_t flags;        /**< RTE_EXTMEM_REGION_F_* flags. */
	uint32_t id;           /**< Small integer unique among live regions. */
};

/**
 * Initialise region parameters to their defaults: struct_size set, anonymous
 * backing, natural page size, no NUMA preference, no flags.
 *
 * @param params
 *   Parameters to initialise.
 * @return
 *   0 on success, -1 with rte_errno EINVAL if @p params is NULL.
 */
__rte_experimental
int rte_extmem_region_params_init(struct rte_extmem_region_params *params);

/**
 * Create a region: obtain or adopt the memory, resolve the IOVA of every
 * page, register it with EAL and the translation table, and announce it to
 * event subscribers (which map it for DMA). On any failure nothing is left
 * behind.
 *
 * @param params
 *   Region parameters, initialised with rte_extmem_region_params_init().
 * @return
 *   The region, or NULL with rte_errno set:
 *   - EINVAL: NULL or malformed parameters (name, backing, zero or
 *     misaligned length or address, page size not a power of two or not
 *     matching the backing, IOVA table count or alignment, flags, NUMA node);
 *   - EEXIST: a region with this name exists;
 *   - EADDRINUSE: the range overlaps another region or EAL memory;
 *   - ENOSPC: EAL has no free memseg list left;
 *   - ENOMEM: the backing memory could not be allocated;
 *   - ENOTSUP: the backing is not available (e.g. hugetlb pool empty or
 *     page size unsupported by the kernel, libnuma missing);
 *   - EPERM: physical addresses are needed but not readable;
 *   - ECANCELED: an event subscriber refused the region.
 */
__rte_experimental
struct rte_extmem_region *
rte_extmem_region_create(const struct rte_extmem_region_params *params);

/**
 * Destroy a region: announce its removal (devices unmap it), remove it from
 * the translation table and EAL, and release memory the library allocated.
 *
 * @param region
 *   Region to destroy.
 * @return
 *   0 on success, -1 with rte_errno set and nothing changed:
 *   - EINVAL: @p region is NULL or not a live region;
 *   - EBUSY: the region has users, or it belongs to a heap (remove it
 *     through the heap API).
 */
__rte_experimental
int rte_extmem_region_destroy(struct rte_extmem_region *region);

/**
 * Find a region by name.
 *
 * @param name
 *   Region name.
 * @return
 *   The region, or NULL with rte_errno EINVAL (bad name) or ENOENT.
 */
__rte_experimental
struct rte_extmem_region *rte_extmem_region_lookup(const char *name);

/**
 * Get the description of a region.
 *
 * @param region
 *   The region.
 * @param info
 *   Filled on success.
 * @return
 *   0 on success, -1 with rte_errno EINVAL on a NULL or dead region or NULL
 *   @p info.
 */
__rte_experimental
int rte_extmem_region_info_get(const struct rte_extmem_region *region,
	struct rte_extmem_region_info *info);

/**
 * Copy the per-page IOVA table of a region.
 *
 * @param region
 *   The region.
 * @param iovas
 *   Receives up to @p n entries (RTE_BAD_IOVA for unknown pages).
 * @param n
 *   Capacity of @p iovas.
 * @return
 *   The number of pages of the region (which may exceed @p n), or -1 with
 *   rte_errno EINVAL on bad arguments.
 */
__rte_experimental
int rte_extmem_region_iovas_get(const struct rte_extmem_region *region,
	rte_iova_t *iovas, unsigned int n);

/**
 * Callback of rte_extmem_region_walk().
 *
 * @param region
 *   The region.
 * @param info
 *   Its description.
 * @param arg
 *   The walk's argument.
 * @return
 *   0 to continue, non-zero to stop the walk and return that value.
 */
typedef int (*rte_extmem_region_walk_t)(const struct rte_extmem_region *region,
	const struct rte_extmem_region_info *info, void *arg);

/**
 * Call @p fn for every region, in creation order. The region list is locked
 * for the duration: @p fn must not create or destroy regions.
 *
 * @param fn
 *   Callback.
 * @param arg
 *   Argument passed to @p fn.
 * @return
 *   0 after a full walk, the non-zero value a callback returned, or -1
 *   with rte_errno EINVAL if @p fn is NULL.
 */
__rte_experimental
int rte_extmem_region_walk(rte_extmem_region_walk_t fn, void *arg);

/**
 * Number of live regions.
 *
 * @return
 *   The count.
 */
__rte_experimental
unsigned int rte_extmem_region_count(void);

/**
 * Look up the region that contains an address (slow path of the translation
 * table, lock-free).
 *
 * @param addr
 *   Any address.
 * @return
 *   The region containing @p addr, or NULL with rte_errno ENOENT.
 */
__rte_experimental
struct rte_extmem_region *rte_extmem_virt2region(const void *addr);

/** Name of a backing ("anon", "thp", "hugetlb", "shared", "user", "device"),
 * or NULL for an invalid value.
 *
 * @param backing
 *   The backing.
 * @return
 *   A constant string, or NULL.
 */
__rte_experimental
const char *rte_extmem_backing_name(enum rte_extmem_backing backing);

/* ----------------------------------------------------------------------
 * Translation table fast path (lock-free, inline).
 *
 * The table has three levels: a directory indexed by VA bits 47..30 (one
 * entry per GiB), leaves of 512 entries per 2 MiB, and, only where a 2 MiB
 * granule is not IOVA-linear or is shared by regions, sub-tables of 512
 * entries per 4 KiB. An entry is one 64-bit word: the IOVA of the start of
 * its granule with RTE_EXTMEM_XLATE_* flags in the low bits, so a hit is
 * two or three dependent loads and an add. Tables are never freed while
 * the process runs, so readers take no lock; entries are read with
 * acquire loads (the __atomic builtins DPDK 22.11 uses).
 * ---------------------------------------------------------------------- */

/** @internal Entry flag: the entry describes registered memory. */
#define RTE_EXTMEM_XLATE_VALID 0x1ULL
/** @internal Entry flag: the entry points at a 4 KiB sub-table. */
#define RTE_EXTMEM_XLATE_SUB 0x2ULL
/** @internal Entry flag: registered memory whose IOVA is unknown. */
#define RTE_EXTMEM_XLATE_NOIOVA 0x4ULL
/** @internal Mask of the flag bits of an entry. */
#define RTE_EXTMEM_XLATE_FLAGS 0xfffULL
/** @internal log2 of the directory granule (1 GiB). */
#define RTE_EXTMEM_XLATE_DIR_SHIFT 30
/** @internal log2 of the leaf granule (2 MiB). */
#define RTE_EXTMEM_XLATE_LEAF_SHIFT 21
/** @internal log2 of the sub-table granule (4 KiB). */
#define RTE_EXTMEM_XLATE_SUB_SHIFT 12
/** @internal Number of directory entries (48-bit virtual addresses). */
#define RTE_EXTMEM_XLATE_DIR_ENTRIES (1u << (48 - RTE_EXTMEM_XLATE_DIR_SHIFT))
/** @internal Entries per leaf or sub-table. */
#define RTE_EXTMEM_XLATE_ENTRIES 512

/** @internal A leaf (2 MiB granules) or sub-table (4 KiB granules). */
struct rte_extmem_xlate_table {
	/** Packed entries: granule IOVA | flags, or sub-table address | flags. */
	uint64_t entry[RTE_EXTMEM_XLATE_ENTRIES];
	/** Region owning each granule (NULL where entry is a sub-table). */
	struct rte_extmem_region *region[RTE_EXTMEM_XLATE_ENTRIES];
};

/** @internal The directory, one leaf pointer per GiB of address space. */
extern struct rte_extmem_xlate_table *
	rte_extmem_xlate_dir[RTE_EXTMEM_XLATE_DIR_ENTRIES];

/**
 * @internal Load the translation entry of an address.
 *
 * @param va
 *   The address.
 * @param tblp
 *   Receives the leaf or sub-table holding the entry.
 * @param idxp
 *   Receives the index of the entry in *tblp.
 * @param shiftp
 *   Receives log2 of the granule the entry covers.
 * @return
 *   The entry, 0 if no table covers @p va.
 */
static __rte_always_inline uint64_t
rte_extmem_xlate_entry_(uintptr_t va, struct rte_extmem_xlate_table **tblp,
	unsigned int *idxp, unsigned int *shiftp)
{
	struct rte_extmem_xlate_table *t;
	uint64_t e;
	unsigned int i;

	if (unlikely(va >> 48))
		return 0;
	t = __atomic_load_n(
		&rte_extmem_xlate_dir[va >> RTE_EXTMEM_XLATE_DIR_SHIFT],
		__ATOMIC_ACQUIRE);
	if (unlikely(t == NULL))
		return 0;
	i = (va >> RTE_EXTMEM_XLATE_LEAF_SHIFT) & (RTE_EXTMEM_XLATE_ENTRIES - 1);
	e = __atomic_load_n(&t->entry[i], __ATOMIC_ACQUIRE);
	*shiftp = RTE_EXTMEM_XLATE_LEAF_SHIFT;
	if (e & RTE_EXTMEM_XLATE_SUB) {
		t = (struct rte_extmem_xlate_table *)(uintptr_t)
			(e & ~RTE_EXTMEM_XLATE_FLAGS);
		i = (va >> RTE_EXTMEM_XLATE_SUB_SHIFT) &
			(RTE_EXTMEM_XLATE_ENTRIES - 1);
		e = __atomic_load_n(&t->entry[i], __ATOMIC_ACQUIRE);
		*shiftp = RTE_EXTMEM_XLATE_SUB_SHIFT;
	}
	*tblp = t;
	*idxp = i;
	return e;
}

/**
 * Translate a virtual address inside any region to its IOVA.
 *
 * Lock-free and safe on any lcore while other regions are created and
 * destroyed.
 *
 * @param addr
 *   Any address.
 * @return
 *   The IOVA of @p addr, or RTE_BAD_IOVA if @p addr is not inside a region
 *   or its page's IOVA is unknown.
 */
static __rte_always_inline rte_iova_t
rte_extmem_virt2iova(const void *addr)
{
	uintptr_t va = (uintptr_t)addr;
	struct rte_extmem_xlate_table *t;
	unsigned int i, shift;
	uint64_t e;

	e = rte_extmem_xlate_entry_(va, &t, &i, &shift);
	if (unlikely((e & (RTE_EXTMEM_XLATE_VALID | RTE_EXTMEM_XLATE_NOIOVA))
			!= RTE_EXTMEM_XLATE_VALID))
		return RTE_BAD_IOVA;
	return (e & ~RTE_EXTMEM_XLATE_FLAGS) + (va & ((1ULL << shift) - 1));
}

/**
 * Tell whether a whole range lies inside one region and is IOVA-contiguous,
 * and return its IOVA.
 *
 * @param addr
 *   Start of the range.
 * @param len
 *   Length of the range (> 0).
 * @return
 *   The IOVA of @p addr if [addr, addr + len) is in one region with known,
 *   contiguous IOVAs; RTE_BAD_IOVA otherwise.
 */
__rte_experimental
rte_iova_t rte_extmem_range2iova(const void *addr, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EXTMEM_H */
