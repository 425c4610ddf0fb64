/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_EXTMEM_DEVMAP_H
#define RTE_EXTMEM_DEVMAP_H

/**
 * @file
 * librte_extmem device mapping (devmap): every region mapped to every
 * device's IOMMU with rte_dev_dma_map(), by the library's dispatcher.
 * (Nothing to do with dmadev, DPDK's DMA engine class.)
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * The dispatcher keeps the table of (region x device) mappings made with
 * rte_dev_dma_map(). In automatic mode (the default) it:
 *  - maps every new region to every ethdev port's device, before any
 *    other event subscriber hears of the region; a failure on device k
 *    unmaps devices 1..k-1 and the region creation fails (ECANCELED);
 *  - maps the existing regions to a device probed or hot-plugged later
 *    (RTE_ETH_EVENT_NEW, raised from inside the driver's probe). A PCI
 *    device is mapped right then (the PCI bus binds its driver before the
 *    probe). A vdev's driver is bound only after its probe returns, so the
 *    mapping is done as soon as the probe has finished: when the driver
 *    asks before its port can carry traffic (rte_extmem_devmap_driver.h,
 *    net_mrnic does at configure and start), from EAL's interrupt thread,
 *    or at the latest at the next call of a function of this header;
 *  - unmaps a region from every device before the region goes away (a
 *    failing unmap refuses the removal and re-maps what it had unmapped);
 *  - unmaps everything from a device that is removed (RTE_ETH_EVENT_DESTROY)
 *    and forgets it.
 *
 * A region is mapped in IOVA-contiguous runs, one rte_dev_dma_map() call
 * per run of pages whose IOVAs follow each other (one call for a region
 * in IOVA-as-VA mode); pages whose IOVA is unknown are skipped and
 * counted. Unmapping repeats exactly the calls of the mapping.
 *
 * Bus and driver quirks are normalised: a device whose driver has no DMA
 * map hook (the vdev bus then returns 0 without doing anything) or whose
 * bus does not support DMA mapping (ENOTSUP) is recorded as not doing DMA
 * mapping (RTE_EXTMEM_DEVMAP_DEV_NO_DMA) and skipped; a vdev whose driver is
 * not bound yet (the bus returns 1) waits; drivers returning -errno or -1
 * with rte_errno are both reported through rte_errno.
 *
 * Regions created with RTE_EXTMEM_REGION_F_NO_DEVMAP and devices opted out
 * with rte_extmem_devmap_dev_auto_set() are left out of automatic mapping;
 * rte_extmem_devmap_map() still maps them on request.
 *
 * Only regions of this library are mapped; memory forwarded from EAL's
 * events is not (EAL and VFIO handle EAL's own memory).
 *
 * Mappings are made per IOMMU domain: every device belongs to one domain
 * (its own, unless its driver declares a shared one, or it is a PCI
 * device on VFIO's default container). A range is mapped once per domain,
 * through any of its devices, and unmapped when the last device of the
 * domain that has it stops needing it. A domain may have an entry limit:
 * a region needing more entries than are left is refused (ENOSPC) before
 * anything is mapped. On a domain flagged RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP
 * regions added to a heap are neither mapped nor unmapped by the
 * dispatcher: EAL maps heap memory there itself. See the device-mapping
 * guide for the domain model.
 *
 * @anchor devmap_conventions
 * @par Conventions of every function of this header
 * Each function's @@return lists every rte_errno value it sets; these are
 * what the lists refer to:
 *  - a device is named by its name (rte_dev_name()), so that a choice
 *    about a device can be made before it is probed; a device name is bad
 *    if it is NULL, empty or RTE_EXTMEM_DEVMAP_DEV_NAMESIZE characters or
 *    longer (EINVAL);
 *  - a region argument must be a live region: created and not destroyed
 *    (EINVAL otherwise);
 *  - the arguments are checked before anything they name is looked up:
 *    a bad device name or a region that is not live gives EINVAL whether
 *    or not the device exists (rte_extmem_devmap_map(NULL, "nosuchdev")
 *    and rte_extmem_devmap_unmap(NULL, "nosuchdev") both fail with
 *    EINVAL); only then ENODEV, ENOENT and the others;
 *  - the functions that change mappings or the mode are refused with
 *    EDEADLK, changing nothing, when called from inside an operation of
 *    this library in the same thread (an event callback or a driver
 *    hook);
 *  - before rte_eal_init() every function fails with E_RTE_NO_CONFIG
 *    (rte_extmem.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_compat.h>
#include <rte_dev.h>

#include "rte_extmem.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Maximum length of a device name in dispatcher records, with the NUL. */
#define RTE_EXTMEM_DEVMAP_DEV_NAMESIZE 64
/** Maximum length of a DMA domain name, with the NUL. */
#define RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE 64

/** The domain is shared by several devices (otherwise it is one device's). */
#define RTE_EXTMEM_DEVMAP_DOMAIN_F_SHARED RTE_BIT32(0)
/** EAL maps heap memory into the domain itself (VFIO's default container):
 * regions added to a heap are not mapped there by the dispatcher.
 */
#define RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP RTE_BIT32(1)

/** What the dispatcher knows about a device. */
enum rte_extmem_devmap_dev_state {
	/** The dispatcher has no record of the device. */
	RTE_EXTMEM_DEVMAP_DEV_UNKNOWN = 0,
	/** The device's probe has not finished: mapped when it has. */
	RTE_EXTMEM_DEVMAP_DEV_PENDING,
	/** The device takes DMA mappings. */
	RTE_EXTMEM_DEVMAP_DEV_ACTIVE,
	/** The device does not do DMA mapping (its driver has no hook or its
	 * bus no support): nothing is mapped on it.
	 */
	RTE_EXTMEM_DEVMAP_DEV_NO_DMA,
	/** Mapping the existing regions to the device failed when it
	 * appeared (see rte_extmem_devmap_dev_info::error); it gets no
	 * automatic mapping until rte_extmem_devmap_dev_auto_set(name, true)
	 * succeeds.
	 */
	RTE_EXTMEM_DEVMAP_DEV_FAILED,
};

/** A device as seen by the dispatcher. */
struct rte_extmem_devmap_dev_info {
	/** State of the device. */
	enum rte_extmem_devmap_dev_state state;
	/** The device is an ethdev port's device: it gets regions
	 * automatically unless opted out.
	 */
	bool automatic;
	/** Automatic mapping is enabled for the device name (true unless
	 * rte_extmem_devmap_dev_auto_set(name, false) switched it off).
	 */
	bool auto_enabled;
	/** Number of ethdev ports of the device. */
	unsigned int n_ports;
	/** Regions currently mapped on the device. */
	unsigned int n_regions;
	/** rte_dev_dma_map() calls currently in effect on the device. */
	unsigned int n_chunks;
	/** Successful rte_dev_dma_map() calls since the device was known. */
	uint64_t map_calls;
	/** Successful rte_dev_dma_unmap() calls since the device was known. */
	uint64_t unmap_calls;
	/** errno of the last failure on the device, 0 if none. */
	int error;
	/** Domain of the device (its own name when not shared); "" while
	 * the dispatcher does not know the device.
	 */
	char domain[RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE];
};

/** A DMA domain as seen by the dispatcher. */
struct rte_extmem_devmap_domain_info {
	/** RTE_EXTMEM_DEVMAP_DOMAIN_F_* flags. */
	uint32_t flags;
	/** Devices of the domain known to the dispatcher. */
	unsigned int n_devs;
	/** Regions mapped in the domain by the dispatcher. */
	unsigned int n_regions;
	/** Entries the domain holds at most, 0 if no limit is known. */
	unsigned int max_entries;
	/** Entries (IOVA-contiguous runs) the dispatcher has mapped now. */
	unsigned int n_entries;
	/** max_entries - n_entries, UINT_MAX without a known limit. */
	unsigned int entries_left;
	/** Successful rte_dev_dma_map() calls made for the domain. */
	uint64_t map_calls;
	/** Successful rte_dev_dma_unmap() calls made for the domain. */
	uint64_t unmap_calls;
};

/** One (region x device) mapping. */
struct rte_extmem_devmap_mapping_info {
	/** Made by rte_extmem_devmap_map() rather than automatically. */
	bool explicit_map;
	/** Number of rte_dev_dma_map() calls (IOVA-contiguous runs). */
	unsigned int n_chunks;
	/** Bytes mapped. */
	size_t len;
	/** Pages of the region left out because their IOVA is unknown. */
	unsigned int n_pages_skipped;
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Map a region on a device now, in addition to or instead of automatic
 * mapping (e.g. a region with RTE_EXTMEM_REGION_F_NO_DEVMAP, an opted-out
 * device, a device that is not an ethdev port). The mapping is undone by
 * rte_extmem_devmap_unmap(), the region's destruction or the device's
 * removal. For a device that is not an ethdev port the dispatcher hears
 * of no removal: unmap before removing the device.
 *
 * @param region
 *   A live region.
 * @param dev_name
 *   Name of a probed device, of any bus.
 * @return
 *   0 on success, -1 with rte_errno set and nothing mapped (see
 *   @ref devmap_conventions "the conventions"):
 *   - EINVAL: bad @p dev_name, @p region not live, or no page of the
 *     region has a known IOVA;
 *   - ENODEV: no bus has a device of this name, or no driver is bound;
 *   - EEXIST: the region is already mapped on the device, or it is a heap
 *     region in a domain where EAL maps heap memory;
 *   - ENOSPC: the device's domain has fewer entries left than the region
 *     needs (the log line names the domain and the numbers);
 *   - ENOTSUP: the device does not do DMA mapping;
 *   - another errno: the driver's failure (every run mapped before the
 *     failing one was unmapped);
 *   - E_RTE_SECONDARY: called in a secondary process (the primary owns
 *     the devices and maps every region on them);
 *   - EDEADLK: called from inside an operation of this library;
 *   - E_RTE_NO_CONFIG: before rte_eal_init().
 */
__rte_experimental
int rte_extmem_devmap_map(struct rte_extmem_region *region,
	const char *dev_name);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Unmap a region from a device (automatic or explicit mapping), with
 * exactly the calls that mapped it.
 *
 * @param region
 *   A live region.
 * @param dev_name
 *   Device name.
 * @return
 *   0 on success, -1 with rte_errno set
 *   (see @ref devmap_conventions "the conventions"):
 *   - EINVAL: bad @p dev_name, or @p region not live;
 *   - ENOENT: the region is not mapped on the device;
 *   - another errno: the driver refused to unmap (the runs unmapped
 *     before the failing one were mapped again: nothing changed);
 *   - E_RTE_SECONDARY: called in a secondary process (the primary owns
 *     the devices and maps every region on them);
 *   - EDEADLK: called from inside an operation of this library;
 *   - E_RTE_NO_CONFIG: before rte_eal_init().
 */
__rte_experimental
int rte_extmem_devmap_unmap(struct rte_extmem_region *region,
	const char *dev_name);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Describe the mapping of a region on a device.
 *
 * @param region
 *   A live region.
 * @param dev_name
 *   Device name.
 * @param info
 *   Filled on success.
 * @return
 *   0 on success, -1 with rte_errno set
 *   (see @ref devmap_conventions "the conventions"):
 *   - EINVAL: bad @p dev_name, NULL @p info, or @p region not live;
 *   - ENOENT: the region is not mapped on the device (no log line);
 *   - E_RTE_NO_CONFIG: before rte_eal_init().
 */
__rte_experimental
int rte_extmem_devmap_mapping_info_get(const struct rte_extmem_region *region,
	const char *dev_name, struct rte_extmem_devmap_mapping_info *info);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Enable or disable automatic mapping for one device (enabled by
 * default). The choice is kept by name, so automatic mapping can be
 * disabled for a device before it is probed.
 *
 * Disabling unmaps the automatic mappings of the device (explicit ones
 * stay); enabling maps the existing regions to it (if automatic mode is
 * on and the device is known), and retries a device in the FAILED state.
 *
 * @param dev_name
 *   Device name.
 * @param enable
 *   true to enable automatic mapping for the device, false to disable it.
 * @return
 *   0 on success, -1 with rte_errno set and nothing changed (see
 *   @ref devmap_conventions "the conventions"):
 *   - EINVAL: bad @p dev_name;
 *   - ENOMEM: out of memory;
 *   - another errno: a driver refused a map or unmap (rolled back);
 *   - EDEADLK: called from inside an operation of this library;
 *   - E_RTE_NO_CONFIG: before rte_eal_init().
 */
__rte_experimental
int rte_extmem_devmap_dev_auto_set(const char *dev_name, bool enable);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Describe a device as seen by the dispatcher.
 *
 * @param dev_name
 *   Device name.
 * @param info
 *   Filled on success (state RTE_EXTMEM_DEVMAP_DEV_UNKNOWN for a device the
 *   dispatcher does not know).
 * @return
 *   0 on success, -1 with rte_errno set
 *   (see @ref devmap_conventions "the conventions"):
 *   - EINVAL: bad @p dev_name or NULL @p info;
 *   - E_RTE_NO_CONFIG: before rte_eal_init().
 */
__rte_experimental
int rte_extmem_devmap_dev_info_get(const char *dev_name,
	struct rte_extmem_devmap_dev_info *info);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Describe a DMA domain: a shared domain by its name, or a device's own
 * domain by the device name.
 *
 * @param name
 *   Domain name (rte_extmem_devmap_dev_info::domain).
 * @param info
 *   Filled on success.
 * @return
 *   0 on success, -1 with rte_errno set
 *   (see @ref devmap_conventions "the conventions"):
 *   - EINVAL: NULL, empty or too long @p name, or NULL @p info;
 *   - ENOENT: no such domain;
 *   - E_RTE_NO_CONFIG: before rte_eal_init().
 */
__rte_experimental
int rte_extmem_devmap_domain_info_get(const char *name,
	struct rte_extmem_devmap_domain_info *info);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Call a function for every DMA domain, shared ones first, until it
 * returns non-zero.
 *
 * @param fn
 *   Called with each domain's name and @p arg, over a snapshot of the
 *   names taken when the walk starts, with no lock of the library held.
 * @param arg
 *   Passed to @p fn.
 * @return
 *   0 when every domain was visited, what @p fn returned when it stopped
 *   the walk, or -1 with rte_errno set
 *   (see @ref devmap_conventions "the conventions"):
 *   - EINVAL: NULL @p fn;
 *   - ENOMEM: no memory for the snapshot;
 *   - E_RTE_NO_CONFIG: before rte_eal_init().
 */
__rte_experimental
int rte_extmem_devmap_domain_walk(int (*fn)(const char *name, void *arg),
	void *arg);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Switch automatic mapping on or off (on by default). Switching it off
 * keeps the existing mappings (they are still undone when their region
 * or device goes away); switching it on maps every region that is not
 * opted out to every device that is not.
 *
 * @param enable
 *   true for on.
 * @return
 *   0 on success, -1 with rte_errno set and the mode unchanged (see
 *   @ref devmap_conventions "the conventions"):
 *   - the driver's errno: switching on failed on a device (what it had
 *     mapped is unmapped);
 *   - EDEADLK: called from inside an operation of this library;
 *   - E_RTE_NO_CONFIG: before rte_eal_init().
 */
__rte_experimental
int rte_extmem_devmap_auto_set(bool enable);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Tell whether automatic mapping is on.
 *
 * @return
 *   1 if on, 0 if off, -1 with rte_errno E_RTE_NO_CONFIG before
 *   rte_eal_init() (see @ref devmap_conventions "the conventions").
 */
__rte_experimental
int rte_extmem_devmap_auto_get(void);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EXTMEM_DEVMAP_H */
