/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_EXTMEM_H
#define RTE_EXTMEM_H

/**
 * @file
 * librte_extmem: externally allocated memory as first-class DPDK memory.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * A *region* is a named, page-granular virtual address range of memory
 * that DPDK did not allocate. Creating a region in one call:
 *  - obtains the memory from a *backing* (anonymous pages, transparent
 *    hugepages, hugetlb through memfd, a shareable memfd, the caller's own
 *    memory, or device memory the CPU must never touch);
 *  - resolves the IOVA of every page (the VA in IOVA-as-VA mode; the
 *    physical address, with the page pinned, in PA mode; or IOVAs given
 *    by the caller);
 *  - registers the range with EAL, with the region's IOVAs, so that
 *    rte_mem_virt2memseg_list(), rte_mem_virt2memseg() (whose iova is the
 *    region's), rte_malloc_virt2iova() of heap memory and rte_dev_dma_map()
 *    work on it;
 *  - enters it into the library's translation table, read without locks
 *    by rte_extmem_virt2iova() in a few nanoseconds.
 *
 * The region's IOVA of an address is given by rte_extmem_virt2iova(),
 * rte_extmem_range2iova(), rte_extmem_region_iovas_get(), EAL's memseg of
 * the address (rte_mem_virt2memseg()->iova plus the offset) and, for heap
 * memory, rte_malloc_virt2iova() and the IOVAs of mempools and mbufs made
 * on it. Upstream rte_mem_virt2iova() does not look at registrations: it
 * returns the VA in IOVA-as-VA mode and the physical address from
 * /proc/self/pagemap in PA mode. It agrees with the region only where the
 * library resolved the IOVAs itself, not for IOVAs the caller supplied
 * (user and device backings with a table).
 *
 * Call rte_eal_init() first. Until EAL is initialised (has decided its
 * IOVA mode, before it sets up memory and probes drivers), every function
 * of this library fails as its documentation says it fails (-1, NULL or
 * 0), with rte_errno E_RTE_NO_CONFIG and a log line, and changes nothing;
 * lookups of the translation table find nothing: rte_extmem_virt2region()
 * and rte_extmem_range2iova() set E_RTE_NO_CONFIG without a log line (they
 * are data-path functions), rte_extmem_virt2iova() returns RTE_BAD_IOVA.
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
	/**
	 * Private anonymous memory in base (4K) pages, allocated by the
	 * library; not shared with secondary processes (the shared backing
	 * is the shareable choice of base pages).
	 */
	RTE_EXTMEM_BACKING_ANON = 0,
	/**
	 * Anonymous memory with transparent hugepages requested
	 * (madvise(MADV_HUGEPAGE)); the address and length are aligned to the
	 * THP size. The region's page size is the base page size, since the
	 * kernel may still back any part with base pages. Shareable (a memfd)
	 * when the kernel gives shared memory transparent hugepages
	 * (/sys/kernel/mm/transparent_hugepage/shmem_enabled is always,
	 * within_size, advise or force, read at each creation), private
	 * anonymous memory otherwise.
	 */
	RTE_EXTMEM_BACKING_ANON_THP,
	/**
	 * Hugetlb pages from memfd_create(MFD_HUGETLB) of the requested size
	 * (2M or 1G); no hugetlbfs mount is needed. Shareable.
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
};

/**
 * @name The library's VA window
 *
 * The backings the library maps itself (anon, thp, hugetlb, shared) are
 * placed in a window of the address space of their own, far from where
 * the kernel puts shared libraries and mmap(NULL) memory, so that a
 * secondary process can map a shareable region at the primary's address.
 * Placement is first fit, aligned to the region's page size; a destroyed
 * region's range is used again; an address something else holds is
 * skipped (MAP_FIXED_NOREPLACE), never replaced.
 *
 * The environment variable RTE_EXTMEM_VA_WINDOW, read once at the first
 * region the library maps, chooses another window as
 * "<base>,<length>" (numbers in C notation, the length with an optional
 * K, M, G or T suffix, both page aligned: e.g. "0x500000000000,1T"), or
 * "none" for the kernel's choice (mmap(NULL)). A malformed value makes
 * every such region creation fail with EINVAL. Only the primary process
 * places memory: every process of an application should see the same
 * value.
 * @{
 */
/** Name of the environment variable that chooses the window. */
#define RTE_EXTMEM_VA_WINDOW_ENV "RTE_EXTMEM_VA_WINDOW"
/** Default start of the window (32 TiB). */
#define RTE_EXTMEM_VA_WINDOW_BASE UINT64_C(0x200000000000)
/** Default length of the window (4 TiB). */
#define RTE_EXTMEM_VA_WINDOW_LEN UINT64_C(0x40000000000)
/** @} */

/** Do not map this region for DMA automatically (per-region opt-out;
 * rte_extmem_devmap_map() still maps it on a device on request).
 */
#define RTE_EXTMEM_REGION_F_NO_DEVMAP RTE_BIT64(0)
/** Do not pin pages or resolve physical addresses: IOVAs stay unknown. */
#define RTE_EXTMEM_REGION_F_NO_IOVA RTE_BIT64(1)
/**
 * Keep this region to the process that creates it: the library's backings
 * use private memory (or close their file descriptor once mapped) and the
 * region is not shared with secondary processes
 * (rte_extmem_region_info::shared is 0). Refused (EINVAL) with the shared
 * backing, which is shareable by definition, and with a caller's @c fd.
 */
#define RTE_EXTMEM_REGION_F_PRIVATE RTE_BIT64(2)

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
	 * backing's natural size: the system page size; 2M for hugetlb; for
	 * user memory, the kernel page size of the mapping (e.g. 2M or 1G for
	 * the caller's hugetlb memory) when the range is aligned to it. For
	 * user and device backings it is the granularity of @c iovas; user
	 * memory whose IOVAs the library resolves (no @c iovas) cannot have a
	 * page size larger than the kernel page size of its mapping.
	 */
	size_t page_sz;
	/** NUMA node to place the memory on, or SOCKET_ID_ANY. */
	int numa_node;
	/**
	 * Start of the range (user and device backings only), page aligned.
	 * The whole range must be mapped (device memory may be mapped
	 * PROT_NONE) and stay mapped until the region is destroyed.
	 */
	void *addr;
	/**
	 * IOVA of each page (user: optional, device: required unless IOVA-as-VA),
	 * @c n_iovas entries, each page aligned or RTE_BAD_IOVA; a page must
	 * end below 2^64 (its last byte's IOVA is not RTE_BAD_IOVA).
	 */
	const rte_iova_t *iovas;
	/** Number of entries in @c iovas: len / page_sz (0 without a table). */
	unsigned int n_iovas;
	/** RTE_EXTMEM_REGION_F_* flags. */
	uint64_t flags;
	/**
	 * User and device backings: a file descriptor of the memory at
	 * @c addr (e.g. the memfd it was mapped from), which makes the region
	 * shareable with secondary processes; -1 (the default) for memory
	 * that has none, which stays in this process. It must be a regular
	 * file (memfd, hugetlbfs, tmpfs) of at least @c fd_offset + @c len
	 * bytes, and @c addr must be a shared mapping of it at @c fd_offset.
	 * The library keeps a duplicate: the caller may close its own.
	 */
	int fd;
	/** Offset of @c addr in @c fd: a multiple of the system page size. */
	uint64_t fd_offset;
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
	/**
	 * Number of maximal IOVA-contiguous runs of pages with a known IOVA:
	 * consecutive pages whose IOVAs follow each other. Pages without an
	 * IOVA (@c n_bad_iova) are in no run: 0 for a region of
	 * RTE_EXTMEM_REGION_F_NO_IOVA, 1 for one IOVA-contiguous region
	 * (always in IOVA-as-VA mode, without a table). A device maps one
	 * entry per run (rte_extmem_devmap.h).
	 */
	unsigned int n_iova_runs;
	/** Users (allocations, slices, pools) that keep the region alive. */
	uint32_t users;
	/**
	 * File descriptor of the memory when it is shareable (hugetlb,
	 * shared and, where the kernel allows it, thp, unless
	 * RTE_EXTMEM_REGION_F_PRIVATE; the caller's memory given with an fd:
	 * the library's own descriptor), -1 otherwise.
	 */
	int fd;
	/** Socket ID of the owning heap, or SOCKET_ID_ANY if it has none. */
	int socket_id;
	/** Name of the owning heap, empty if it has none. */
	char heap[RTE_EXTMEM_NAMESIZE];
	uint64_t flags;        /**< RTE_EXTMEM_REGION_F_* flags. */
	uint32_t id;           /**< Small integer unique among live regions. */
	/** Offset of @c addr in @c fd (0 without one). */
	uint64_t fd_offset;
	/**
	 * 1 if secondary processes can map the region (it has a file
	 * descriptor, @c fd), 0 if it stays in the process that made it.
	 */
	uint8_t shared;
	/** In a secondary process, 1 for a region of the primary attached
	 * here (mapped at the same address when it is shared; a region that
	 * is not shared is listed but not mapped, and library calls that
	 * would use its memory fail with EACCES); 0 in the primary.
	 */
	uint8_t attached;
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Initialise region parameters to their defaults: struct_size set, anonymous
 * backing, natural page size, no NUMA preference, no flags, no file
 * descriptor (@c fd -1).
 *
 * @param params
 *   Parameters to initialise.
 * @return
 *   0 on success, -1 with rte_errno EINVAL if @p params is NULL.
 */
__rte_experimental
int rte_extmem_region_params_init(struct rte_extmem_region_params *params);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Create a region: obtain or adopt the memory, resolve the IOVA of every
 * page, register it with EAL and the translation table, and announce it to
 * event subscribers (which map it for DMA). On any failure nothing is left
 * behind.
 *
 * With secondary processes attached, the call returns once every live
 * attached secondary has mapped the region (a stuck one is disconnected
 * after EXTMEM_MP_TIMEOUT_MS, 10 s by default). In an attached secondary
 * the call asks the primary and blocks until it answers (at most
 * EXTMEM_MP_REQUEST_TIMEOUT_MS, 60 s by default, then ETIMEDOUT); the
 * primary's event subscribers are then called in the primary, on its
 * multi-process control thread. Calls of several threads of a secondary
 * go to the primary one at a time.
 *
 * @param params
 *   Region parameters, initialised with rte_extmem_region_params_init().
 * @return
 *   The region, or NULL with rte_errno set:
 *   - EINVAL: NULL or malformed parameters (name, backing, zero or
 *     misaligned length or address, page size not a power of two or not
 *     matching the backing, IOVA table count or alignment, an IOVA whose
 *     page would reach 2^64, flags, NUMA
 *     node, struct_size too small), or a user or device range that is not
 *     entirely mapped; an @c fd that is not a regular file large enough,
 *     of which the range is not a shared mapping at @c fd_offset, or that
 *     comes with a library backing or RTE_EXTMEM_REGION_F_PRIVATE;
 *     RTE_EXTMEM_REGION_F_PRIVATE with the shared backing; a malformed
 *     RTE_EXTMEM_VA_WINDOW (library backings);
 *   - EEXIST: a region or a heap (any EAL malloc heap, native heaps
 *     included) with this name exists: regions and heaps share one
 *     namespace;
 *   - EADDRINUSE: the range overlaps another region or EAL memory;
 *   - ENOSPC: EAL has no free memseg list left, or a DMA domain of a
 *     device has fewer mapping entries left than the region needs
 *     (rte_extmem_devmap.h; the log line names the domain and the numbers);
 *   - ENOMEM: the backing memory could not be allocated (e.g. not enough
 *     free pages in the hugetlb pool, no room left in the library's VA
 *     window), or not pinned, or the caller's @c fd not duplicated;
 *   - ENOTSUP: the backing is not available (the kernel has no hugetlb
 *     pool of this page size, NUMA unavailable), or @c struct_size is
 *     larger than this version's structure and the unknown fields are not
 *     zero;
 *   - EPERM: physical addresses are needed but not readable;
 *   - ECANCELED: an event subscriber refused the region;
 *   - E_RTE_SECONDARY: called in a secondary process that is not attached
 *     to a primary's library, or for a region other than one the primary
 *     can make for it (the shared or hugetlb backing, no address, IOVAs,
 *     fd or RTE_EXTMEM_REGION_F_PRIVATE); nothing changed. In an attached
 *     secondary the primary makes the region, in every process, and it
 *     goes when this secondary exits (doc multiprocess.rst);
 *   - ETIMEDOUT: in a secondary, the primary did not answer within
 *     EXTMEM_MP_REQUEST_TIMEOUT_MS; the request is withdrawn: the primary
 *     drops it if it has not started it, and otherwise destroys the
 *     region again in every process once it is made, before it does any
 *     later request of this secondary (so creating the same name again
 *     works). No region is this secondary's from that call (one that
 *     another user holds by then stays until this secondary exits);
 *   - ECONNRESET: in a secondary, the primary went away (or this
 *     process's link ended during the call);
 *   - EPROTO: in a secondary, the primary made the region but this
 *     process has no view of it (the primary destroyed it again before
 *     the answer arrived, or the primary is of another build);
 *   - EACCES, EADDRINUSE, ...: a secondary process cannot map the
 *     memory (its error, logged in both processes); it is withdrawn from
 *     every process;
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
struct rte_extmem_region *
rte_extmem_region_create(const struct rte_extmem_region_params *params);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Destroy a region: announce its removal (devices unmap it), remove it from
 * the translation table and EAL, and release memory the library allocated.
 * With secondary processes attached, every live attached secondary is asked
 * first (two phases: none may hold users of the region) and has unmapped it
 * when the call returns; in a secondary the call blocks until the primary
 * answers (at most EXTMEM_MP_REQUEST_TIMEOUT_MS, 60 s by default).
 *
 * @param region
 *   Region to destroy.
 * @return
 *   0 on success, -1 with rte_errno set and nothing changed:
 *   - EINVAL: @p region is NULL or not a live region;
 *   - EBUSY: the region has users, or it belongs to a heap (remove it
 *     through the heap API);
 *   - E_RTE_SECONDARY: called in a secondary process for a region the
 *     primary did not make for it (only the primary destroys its own);
 *     nothing changed;
 *   - EPERM: called in the primary for a region it made for a secondary
 *     process (rte_extmem_region_create() in that secondary): only that
 *     secondary destroys it, and it goes when that secondary exits;
 *   - ETIMEDOUT, ECONNRESET: in a secondary, the primary did not answer
 *     within EXTMEM_MP_REQUEST_TIMEOUT_MS or went away; after ETIMEDOUT
 *     the primary drops the request if it has not started it, and
 *     finishes it otherwise (rte_extmem_region_lookup() tells; a region
 *     the primary made for this secondary goes when the secondary exits);
 *   - EBUSY also: a secondary process has users of the region (slices,
 *     pools, references); nothing changed in any process;
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
int rte_extmem_region_destroy(struct rte_extmem_region *region);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Take a user reference on a region on behalf of the application.
 *
 * While a region has users, rte_extmem_region_destroy() fails with EBUSY
 * and changes nothing. The library's own consumers (heap allocations, mbuf
 * slices, pinned pools) count as users too; this pair lets an application
 * component that hands buffers of a region to others (a device queue, a
 * storage stack) protect it the same way. Every successful call must be
 * balanced by one rte_extmem_region_user_put().
 *
 * @param region
 *   The region.
 * @return
 *   0 on success, -1 with rte_errno set:
 *   - EINVAL: @p region is NULL or not a live region;
 *   - EOVERFLOW: the region already has UINT32_MAX users;
 *   - EACCES: in a secondary, a region of the primary that is not shared
 *     (not mapped in this process);
 *   - EBUSY: in a secondary, the primary is removing the region;
 *   - EDEADLK: called from inside an operation of this library in the
 *     same thread (an event callback or a driver hook).
 */
__rte_experimental
int rte_extmem_region_user_get(struct rte_extmem_region *region);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Release a user reference taken with rte_extmem_region_user_get().
 *
 * @param region
 *   The region.
 * @return
 *   0 on success, -1 with rte_errno EINVAL if @p region is NULL or not a
 *   live region, or holds no reference taken by
 *   rte_extmem_region_user_get() (references of the library's own
 *   consumers cannot be released through this function), or EDEADLK
 *   (called from inside an operation of this library in the same
 *   thread: an event callback or a driver hook).
 */
__rte_experimental
int rte_extmem_region_user_put(struct rte_extmem_region *region);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
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
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
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
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
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
 *   rte_errno EINVAL on bad arguments, or EACCES in a secondary process
 *   for a region of the primary that is not shared (its IOVAs are not
 *   known there).
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
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Call @p fn for every region, in creation order, or count the regions;
 * the walk is over a snapshot taken
 * when the walk starts: @p fn runs with no lock of the library held and
 * may call any function of it (a region it is given may have been
 * destroyed meanwhile by another thread).
 *
 * @param fn
 *   Callback, or NULL to count the regions.
 * @param arg
 *   Argument passed to @p fn.
 * @return
 *   With @p fn NULL, the number of live regions; otherwise 0 after a full
 *   walk or the non-zero value a callback returned. -1 with rte_errno
 *   E_RTE_NO_CONFIG before rte_eal_init() or
 *   ENOMEM (no memory for the snapshot).
 */
__rte_experimental
int rte_extmem_region_walk(rte_extmem_region_walk_t fn, void *arg);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Look up the region that contains an address, through the translation
 * table: lock-free, safe on any lcore while other regions are created and
 * destroyed.
 *
 * @param addr
 *   Any address.
 * @return
 *   The region containing @p addr, or NULL with rte_errno (no log: this
 *   is a data-path function):
 *   - ENOENT: no region contains @p addr;
 *   - E_RTE_NO_CONFIG: EAL is not initialised (no region can exist yet).
 */
__rte_experimental
struct rte_extmem_region *rte_extmem_virt2region(const void *addr);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Name of a backing ("anon", "thp", "hugetlb", "shared", "user", "device"),
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
 * A directory word per GiB of the 47-bit user address space says how to
 * translate the GiB, in one of two forms told apart by its low 6 bits:
 * - 0: the GiB is one IOVA-linear piece of one region (1G pages,
 *   IOVA-as-VA, a device's linear window): the word is IOVA - VA itself
 *   (page aligned, so its low bits are 0) and a lookup is one load and an
 *   add;
 * - S (12..30): the word is the address of the GiB's leaf (64-byte
 *   aligned) plus S, the leaf holding one 64-bit entry per 2^S bytes, S
 *   being the coarsest granule that describes the GiB's regions exactly
 *   (the page size where IOVAs are scattered). An entry is IOVA - VA + 1
 *   for its granule, so 0 (no region, or IOVA unknown: IOVA - VA + 1 is
 *   never 0, both being page aligned) stands for RTE_BAD_IOVA. A lookup is
 *   two dependent loads, a shift, an add and a branch.
 * The shift count is the word's low byte as it is: x86 and arm64 shifts
 * read only the low 6 bits of the count, so no instruction extracts it.
 * The table's memory grows with the number of pages or linear runs, not
 * with bytes. Directory words are stored XORed with a constant, so that
 * the words of unused GiBs are zero (untouched memory) and still name a
 * shared leaf whose one entry is 0. Leaves a reader can reach are never
 * unmapped while the process runs, so readers take no lock. The region of
 * each address is kept apart (rte_extmem_virt2region()).
 * ---------------------------------------------------------------------- */

/** @internal Bits of virtual address the table covers. */
#define RTE_EXTMEM_XLATE_VA_BITS 47
/** @internal log2 of the span of one directory word (1 GiB). */
#define RTE_EXTMEM_XLATE_DIR_SHIFT 30
/** @internal Number of directory words. */
#define RTE_EXTMEM_XLATE_DIR_ENTRIES \
	(1u << (RTE_EXTMEM_XLATE_VA_BITS - RTE_EXTMEM_XLATE_DIR_SHIFT))
/** @internal Low bits of a directory word: a leaf's shift, 0 if linear. */
#define RTE_EXTMEM_XLATE_SHIFT_MASK UINT64_C(63)

/**
 * @internal The directory: dir[g] XOR zero is, for GiB g, either IOVA - VA
 * of the whole GiB (low 6 bits 0), or the address of its leaf plus the
 * leaf's shift S (low 6 bits); the entry of address va is then the 64-bit
 * word ((va & (1 GiB - 1)) >> S) of the leaf: IOVA - VA + 1, or 0 for none.
 */
struct rte_extmem_xlate_table {
	/** One word per GiB (first: its address is the table's). */
	uintptr_t dir[RTE_EXTMEM_XLATE_DIR_ENTRIES];
	uintptr_t zero;	/**< XORed into every word; set at load time */
};

/** @internal The table (read by rte_extmem_virt2iova()). */
extern struct rte_extmem_xlate_table rte_extmem_xlate;

/**
 * Translate a virtual address inside any region to its IOVA.
 *
 * Lock-free and safe on any lcore (or any thread) while other regions are
 * created and destroyed: one load and an add where the address's GiB is
 * IOVA-linear, two dependent loads, a shift and an add otherwise.
 *
 * @param addr
 *   Any address.
 * @return
 *   The IOVA of @p addr, or RTE_BAD_IOVA if @p addr is not inside a region
 *   or its page's IOVA is unknown. rte_errno is not set (fast path).
 */
static __rte_always_inline rte_iova_t
rte_extmem_virt2iova(const void *addr)
{
	uintptr_t va = (uintptr_t)addr;
	uintptr_t g = va >> RTE_EXTMEM_XLATE_DIR_SHIFT;
	uintptr_t d;
	const uint64_t *leaf;
	uint64_t e;

	if (unlikely(g >= RTE_EXTMEM_XLATE_DIR_ENTRIES))
		return RTE_BAD_IOVA;
	/* relaxed: a leaf is filled before it is published, and only the
	 * entry's own value is read through it (the address dependency
	 * orders the two loads)
	 */
	d = __atomic_load_n(&rte_extmem_xlate.dir[g], __ATOMIC_RELAXED) ^
		rte_extmem_xlate.zero;
	if ((d & RTE_EXTMEM_XLATE_SHIFT_MASK) == 0)
		return va + d;
	leaf = (const uint64_t *)(d & ~RTE_EXTMEM_XLATE_SHIFT_MASK);
	e = __atomic_load_n(&leaf[(va & ((UINT64_C(1) <<
		RTE_EXTMEM_XLATE_DIR_SHIFT) - 1)) >>
		(d & RTE_EXTMEM_XLATE_SHIFT_MASK)], __ATOMIC_RELAXED);
	return e != 0 ? va + e - 1 : RTE_BAD_IOVA;
}

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Tell whether a whole range lies inside one region and is IOVA-contiguous,
 * and return its IOVA. Lock-free, like rte_extmem_virt2iova(); its cost
 * grows with the number of pages the range spans.
 *
 * @param addr
 *   Start of the range.
 * @param len
 *   Length of the range (> 0).
 * @return
 *   The IOVA of @p addr if [addr, addr + len) is in one region with known,
 *   contiguous IOVAs; RTE_BAD_IOVA otherwise, with rte_errno:
 *   - EINVAL: @p len is 0;
 *   - ENOENT: the range is not entirely inside one region;
 *   - E_RTE_NO_CONFIG: EAL is not initialised (no region can exist yet);
 *   - EFAULT: a page of the range has no known IOVA, or the IOVAs of the
 *     range are not contiguous.
 */
__rte_experimental
rte_iova_t rte_extmem_range2iova(const void *addr, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EXTMEM_H */
