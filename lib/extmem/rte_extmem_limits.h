/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_EXTMEM_LIMITS_H
#define RTE_EXTMEM_LIMITS_H

/**
 * @file
 * librte_extmem limits report: what the next registration of external
 * memory can still get from EAL, the kernel and the process limits, read
 * before deploying or when a registration fails.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Each resource, and what a registration takes of it:
 *  - memseg lists (RTE_MAX_MEMSEG_LISTS, shared with EAL's own memory):
 *    every region takes one, every chunk of a heap one;
 *  - heap slots (RTE_MAX_HEAPS, shared with EAL's per-socket heaps):
 *    every heap takes one;
 *  - hugepages of each size: a hugetlb region of L bytes on P-byte pages
 *    takes L / P free pages of that size;
 *  - locked memory: in IOVA-as-PA mode a region whose IOVAs the library
 *    resolves is pinned (mlock()), counted against RLIMIT_MEMLOCK unless
 *    the process has CAP_IPC_LOCK; in IOVA-as-VA mode nothing is pinned;
 *  - transparent hugepages: the anon+THP backing gets 2M pages only when
 *    the kernel's setting is "always" or "madvise";
 *  - VFIO mapping entries: every IOVA-contiguous run of a region mapped
 *    on a VFIO device is one mapping entry of its container: EAL keeps at
 *    most 256 per container, the kernel's vfio_iommu_type1
 *    dma_entry_limit (65535 by default) counts them too;
 *  - DMA domains with an entry limit (rte_extmem_devmap.h): a region needing
 *    more IOVA-contiguous runs than the domain has entries left is refused
 *    (ENOSPC) before anything is mapped.
 * Every function requires rte_eal_init() to have succeeded.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_compat.h>
#include <rte_eal.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Size of the names in the report, with the NUL. */
#define RTE_EXTMEM_LIMITS_NAMESIZE 64

/** Hugepage sizes described at most in rte_extmem_limits::hugepages. */
#define RTE_EXTMEM_LIMITS_HUGEPAGE_SIZES 4

/** The kernel's hugepage pool of one page size. */
struct rte_extmem_limits_hugepages {
	uint64_t page_sz;	/**< Page size in bytes. */
	uint64_t total;		/**< Pages reserved (nr_hugepages). */
	uint64_t free;		/**< Pages free (free_hugepages). */
};

/** The limits report. */
struct rte_extmem_limits {
	/** Memseg lists EAL has (RTE_MAX_MEMSEG_LISTS). */
	unsigned int memseg_lists_max;
	/** Memseg lists in use, EAL's own and external. */
	unsigned int memseg_lists_used;
	/** Heaps EAL has room for (RTE_MAX_HEAPS). */
	unsigned int heaps_max;
	/** Heaps in use: one per NUMA socket plus every external heap
	 * (this library's and any other code's).
	 */
	unsigned int heaps_used;
	/** Number of valid entries in @c hugepages. */
	unsigned int n_hugepage_sizes;
	/** Hugepage pools by size, smallest first. */
	struct rte_extmem_limits_hugepages
		hugepages[RTE_EXTMEM_LIMITS_HUGEPAGE_SIZES];
	/** RLIMIT_MEMLOCK soft limit in bytes; UINT64_MAX if unlimited. */
	uint64_t memlock_limit;
	/** Bytes the process has locked (VmLck), whoever locked them. */
	uint64_t memlock_used;
	/** The process has CAP_IPC_LOCK: the memlock limit does not apply. */
	bool memlock_unlimited_cap;
	/** Bytes of live regions this library pinned. */
	uint64_t pinned_by_regions;
	/** A region registered now is pinned (IOVA-as-PA mode). */
	bool registration_pins;
	/** EAL's IOVA mode. */
	enum rte_iova_mode iova_mode;
	/** The kernel's transparent hugepage setting: "always", "madvise",
	 * "never", or "unknown" when it cannot be read.
	 */
	char thp[16];
	/** VFIO (vfio_iommu_type1) is loaded; the fields below are 0 if not. */
	bool vfio;
	/** The kernel's vfio_iommu_type1 dma_entry_limit; 0 if unreadable. */
	uint64_t vfio_dma_entry_limit;
	/** EAL's limit of user mappings per VFIO container. */
	unsigned int vfio_user_maps_max;
	/** Mapping entries the live regions need on one VFIO container: the
	 * sum of their rte_extmem_region_info::n_iova_runs (runs of pages with
	 * a known IOVA; regions with RTE_EXTMEM_REGION_F_NO_DEVMAP excluded).
	 * Counted whether or not VFIO is there.
	 */
	uint64_t dma_entries_needed;
	/** DMA domains the dispatcher knows
	 * (rte_extmem_devmap_domain_walk()).
	 */
	unsigned int dma_domains;
	/** Of the domains with an entry limit, the one with the fewest
	 * entries left; "" if no domain has a limit.
	 */
	char dma_domain_tightest[RTE_EXTMEM_LIMITS_NAMESIZE];
	/** Entries that domain holds at most (0 if none has a limit). */
	unsigned int dma_domain_max_entries;
	/** Entries left in that domain. */
	unsigned int dma_domain_entries_left;
	/** Bytes the library's translation table holds now: its directory
	 * pages and leaves, leaves kept for reuse included (a snapshot while
	 * regions are created or destroyed concurrently). It grows with the
	 * number of pages or IOVA-linear runs registered, not with bytes.
	 */
	uint64_t xlate_mem;
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Read the limits report.
 *
 * @param limits
 *   Filled on success.
 * @return
 *   0 on success, -1 with rte_errno set and @p limits unchanged:
 *   - EINVAL: NULL @p limits;
 *   - E_RTE_NO_CONFIG: EAL is not initialised.
 */
__rte_experimental
int rte_extmem_limits_get(struct rte_extmem_limits *limits);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Print the limits report, one line per resource with what it means for
 * the next registration (the text dpdk-extmem-info prints).
 *
 * @param f
 *   Output stream.
 * @return
 *   0 on success, -1 with rte_errno EINVAL (NULL @p f) or E_RTE_NO_CONFIG
 *   (EAL is not initialised).
 */
__rte_experimental
int rte_extmem_limits_dump(FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EXTMEM_LIMITS_H */
