/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Region facts for drivers (rte_extmem_devmap_driver.h), lock-free: a
 * driver's dma_map/dma_unmap hook runs inside a call of the dispatcher,
 * which may hold the library lock, so the hook must not call the public
 * API (rte_extmem_region_info_get() takes that lock). The translation
 * table gives the region; the fields read here are set before the region
 * enters the table and never change afterwards.
 */

#include <errno.h>

#include <rte_errno.h>

#include "extmem_private.h"
#include "rte_extmem_devmap_driver.h"

int
rte_extmem_devmap_driver_region_get(const void *addr,
	struct rte_extmem_devmap_driver_region *info)
{
	const struct rte_extmem_region *r;

	if (info == NULL) {
		EXTMEM_FAIL(EINVAL, "NULL info");
		return -1;
	}
	r = rte_extmem_virt2region(addr);
	if (r == NULL)
		return -1;	/* rte_errno ENOENT */
	info->handle = r;
	info->addr = (void *)r->va;
	info->len = r->len;
	info->page_sz = r->page_sz;
	info->id = r->id;
	return 0;
}
