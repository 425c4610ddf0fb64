/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_EXTMEM_DEVMAP_DRIVER_H
#define RTE_EXTMEM_DEVMAP_DRIVER_H

/**
 * @file
 * @internal
 * librte_extmem DMA dispatcher, driver side: not part of the public API.
 *
 * A driver whose devices share one IOMMU-like translation domain (one
 * table for several devices, the way every PCI device on VFIO's default
 * container shares one container) says so here, so the dispatcher maps a
 * range once per domain rather than once per device and stays within the
 * domain's entry limit. A driver that says nothing gets one domain per
 * device, without a known limit.
 *
 * The functions below take no lock of the library's dispatcher except
 * rte_extmem_devmap_driver_dev_ready(), and may be called from a probe (even
 * one run by rte_eal_init(), before the library is used).
 * rte_extmem_devmap_driver_region_get() takes no lock at all: it is what a
 * driver's dma_map/dma_unmap hook may call, since the dispatcher may run
 * the hook with its own lock held; the public API, which takes the
 * library's lock, is not to be called from a hook.
 */

#include <stdint.h>

#include <rte_compat.h>
#include <rte_dev.h>

#include "rte_extmem_devmap.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @internal
 * Declare the domain of a device, before its ethdev ports are announced
 * (RTE_ETH_EVENT_NEW). Every device declaring the same name is in the same
 * domain; the first declaration fixes its limit and flags, a later one
 * with other values is refused.
 *
 * @param dev_name
 *   The device (rte_dev_name()).
 * @param domain
 *   Domain name, 1 to RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE - 1 characters.
 * @param max_entries
 *   Mappings (IOVA-contiguous runs) the domain holds at most, 0 if no
 *   limit is known.
 * @param flags
 *   RTE_EXTMEM_DEVMAP_DOMAIN_F_* flags.
 * @return
 *   0 on success, -1 with rte_errno set and nothing changed:
 *   - EINVAL: bad name, unknown flag;
 *   - EEXIST: the device already declared a domain, or the domain exists
 *     with another limit or other flags;
 *   - ENOMEM: out of memory.
 */
__rte_internal
int rte_extmem_devmap_driver_domain_set(const char *dev_name,
	const char *domain, unsigned int max_entries, uint32_t flags);

/**
 * @internal
 * Forget the domain declaration of a device (at its removal, after its
 * ports are gone). Unknown names are ignored.
 *
 * @param dev_name
 *   The device (rte_dev_name()).
 */
__rte_internal
void rte_extmem_devmap_driver_domain_clear(const char *dev_name);

/**
 * @internal
 * Finish now the device's automatic mappings (the existing regions): a
 * driver calls it before its device may carry traffic (dev_configure,
 * dev_start), so a device probed after regions exist never moves a
 * packet before its mappings are made. Returns at once when the library
 * is not in use.
 *
 * @param dev
 *   A probed device.
 * @return
 *   0 when the device has every mapping it is owed (or takes none), -1
 *   with rte_errno set when mapping failed (the device is then in the
 *   RTE_EXTMEM_DEVMAP_DEV_FAILED state) or EINVAL on a NULL @p dev.
 */
__rte_internal
int rte_extmem_devmap_driver_dev_ready(struct rte_device *dev);

/**
 * @internal
 * Finish the work waiting for device probes: map the existing regions to
 * every device whose probe has finished since it appeared. The public
 * functions of rte_extmem_devmap.h do this on entry and drivers call
 * rte_extmem_devmap_driver_dev_ready() for their own device; this is for
 * a bus or test that needs every device settled at once.
 *
 * @return
 *   The number of devices whose probe has still not finished.
 */
__rte_internal
int rte_extmem_devmap_driver_sync(void);

/**
 * @internal
 * What a driver may learn of the region that holds an address: immutable
 * for the region's life.
 */
struct rte_extmem_devmap_driver_region {
	const void *handle;	/**< The region (rte_extmem_region), as a key. */
	void *addr;		/**< Start of the region. */
	size_t len;		/**< Length of the region. */
	size_t page_sz;		/**< Page size of the region. */
	uint32_t id;		/**< Region id, unique while the region lives. */
};

/**
 * @internal
 * Describe the region that holds an address, lock-free, through the
 * translation table (like rte_extmem_virt2region()). Meant for a driver's
 * dma_map/dma_unmap hook run by the dispatcher, which keeps the region
 * alive for the duration of the call; elsewhere the caller must know the
 * region is not being destroyed meanwhile.
 *
 * @param addr
 *   Any address.
 * @param[out] info
 *   Filled on success.
 * @return
 *   0 on success, -1 with rte_errno set and @p info unchanged:
 *   - EINVAL: @p info is NULL;
 *   - ENOENT: no region holds @p addr.
 */
__rte_internal
int rte_extmem_devmap_driver_region_get(const void *addr,
	struct rte_extmem_devmap_driver_region *info);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EXTMEM_DEVMAP_DRIVER_H */
