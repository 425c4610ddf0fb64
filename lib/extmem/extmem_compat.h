/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_COMPAT_H
#define EXTMEM_COMPAT_H

/*
 * Everything librte_extmem relies on in EAL, mempool and the buses that
 * is not their public API, behind functions of extmem_compat.c: the only
 * file of the library that includes a driver SDK header, defines
 * ALLOW_INTERNAL_API or knows a private layout or naming rule
 * (devtools/check-layers.py enforces it). Each function's comment in
 * extmem_compat.c says what it relies on and how it fails if DPDK
 * changes it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_dev.h>
#include <rte_memory.h>
#include <rte_mempool.h>

/* EAL */

/* Does EAL run in legacy memory mode (--no-huge, --legacy-mem)? Call it
 * outside any operation the first time (it probes EAL).
 */
bool extmem_compat_eal_legacy_mem(void);
/* Did rte_mem_event_callback_register() fail with err because EAL has no
 * memory events (legacy memory)?
 */
bool extmem_compat_mem_events_unsupported(int err);
/* Is name of the form EAL gives its native (per-NUMA-socket) heaps? */
bool extmem_compat_heap_name_native(const char *name);
/* Bytes EAL's allocator may add around one allocation (element header,
 * trailer, cache-line rounding).
 */
size_t extmem_compat_malloc_elem_overhead(void);
/*
 * Allocations inside [va, va + len) of an external heap's memseg list
 * msl, read from EAL's malloc elements under the heap's lock: 0, or -1
 * with rte_errno ENOTSUP when EAL's layout is not the one known.
 */
int extmem_compat_heap_region_allocs(uintptr_t va, size_t len,
	const struct rte_memseg_list *msl, unsigned int *n_alloc,
	size_t *alloc_bytes);
/*
 * Give each memseg of the memory EAL registered at [va, +n * pgsz) with
 * rte_extmem_register() and no IOVAs its IOVA from iovas (n of them): 0,
 * or -1 with rte_errno ENOENT (no such memseg list, or not as expected:
 * some memsegs may then have their IOVA; unregister the range).
 */
int extmem_compat_eal_iovas_set(uintptr_t va, const rte_iova_t *iovas,
	unsigned int n, size_t pgsz);

/* mempool */

/* Call cb(mp) when any mempool is being freed (before its memory is). */
int extmem_compat_mempool_watch_destroy(void (*cb)(struct rte_mempool *mp));
/* Let a pool whose objects all have their IOVA be used for IO. */
void extmem_compat_mempool_set_io(struct rte_mempool *mp);

/* buses and drivers */

/* Has the device's bus a DMA map operation at all? */
bool extmem_compat_bus_does_dma_map(const struct rte_device *dev);
/* A vdev bound to a driver without a dma_map hook (the bus then "maps"
 * successfully without doing anything)?
 */
bool extmem_compat_vdev_no_dma_map(const struct rte_device *dev);
/* The device named name (rte_dev_name()) on any bus, or NULL. */
struct rte_device *extmem_compat_dev_find_by_name(const char *name);

/* The device of an ethdev port, also while RTE_ETH_EVENT_NEW is raised
 * for it; NULL if none.
 */
struct rte_device *extmem_compat_eth_port_device(uint16_t port);

/* The EAL hook of multi-process */

/*
 * What runs in every process at the end of rte_eal_init() (probe: a
 * secondary attaches to the primary's memory) and in rte_eal_cleanup()
 * (cleanup); set once by the multi-process layer's constructor.
 */
void extmem_compat_mp_hooks_set(int (*probe)(void), void (*cleanup)(void));

#endif /* EXTMEM_COMPAT_H */
