/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The library's only reliance on what EAL, mempool and the buses do not
 * promise (extmem_compat.h). Every function names what it relies on, what
 * happens if DPDK changes it, and why no public API does the job.
 */

#ifndef ALLOW_INTERNAL_API
#define ALLOW_INTERNAL_API /* rte_mempool_event_callback_register() */
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>

#include <bus_driver.h>
#include <bus_vdev_driver.h>
#include <dev_driver.h>
#include <ethdev_driver.h>

#include "extmem_compat.h"
#include "extmem_private.h"

/* ------------------------------------------------------------------ */
/* EAL */

static void
legacy_probe_cb(enum rte_mem_event type __rte_unused,
	const void *addr __rte_unused, size_t len __rte_unused,
	void *arg __rte_unused)
{
}

/*
 * Relies on: rte_mem_event_callback_register() failing with ENOTSUP
 * exactly in legacy memory mode (EAL has no public getter of the mode).
 * If that changes: legacy mode is taken for dynamic memory, and a heap
 * region of several IOVA runs is accepted where EAL would later refuse
 * the memory of its pages (creation then fails with EAL's error).
 */
bool
extmem_compat_eal_legacy_mem(void)
{
	static int legacy = -1;

	if (__atomic_load_n(&legacy, __ATOMIC_ACQUIRE) < 0) {
		int v;

		if (rte_mem_event_callback_register("extmem_legacy_probe",
				legacy_probe_cb, NULL) == 0) {
			rte_mem_event_callback_unregister("extmem_legacy_probe",
				NULL);
			v = 0;
		} else {
			v = extmem_compat_mem_events_unsupported(rte_errno);
		}
		__atomic_store_n(&legacy, v, __ATOMIC_RELEASE);
	}
	return __atomic_load_n(&legacy, __ATOMIC_ACQUIRE) == 1;
}

/*
 * Relies on: ENOTSUP from rte_mem_event_callback_register() meaning
 * legacy memory (EAL's memory events do not exist there). If EAL picks
 * another errno: the bus logs a warning instead of the explanation, and
 * rte_extmem_event_eal_forwarding() reports EAGAIN instead of ENOTSUP.
 */
bool
extmem_compat_mem_events_unsupported(int err)
{
	return err == ENOTSUP;
}

/*
 * Relies on: EAL naming its native heaps "socket_<n>" (malloc_heap.c),
 * a name rte_malloc_heap_create() does not refuse. A heap of that name
 * made by the library would shadow a NUMA socket's heap that EAL adds
 * later. If EAL renames them: such names are accepted for external heaps
 * (harmless unless EAL creates a native heap of that very name later);
 * the native heaps that exist are still recognised by their socket ID.
 */
bool
extmem_compat_heap_name_native(const char *name)
{
	unsigned int n;
	int end = 0;

	return sscanf(name, "socket_%u%n", &n, &end) == 1 &&
		end == (int)strlen(name);
}

/*
 * Relies on: EAL's malloc element header being one cache line (struct
 * malloc_elem, 64 bytes on x86_64 in 22.11) with no trailer outside
 * RTE_MALLOC_DEBUG, plus up to one cache line of rounding. EAL has no
 * public figure for it. If it grows: a heap grown for one allocation, or
 * a one-call pool sized for its objects, is too small; the allocation
 * fails with ENOMEM ("do not fit even after growing") or the pool
 * creation fails with ENOMEM; nothing is corrupted.
 */
size_t
extmem_compat_malloc_elem_overhead(void)
{
	return 2 * RTE_CACHE_LINE_SIZE;
}

/* The leading fields of EAL's struct malloc_elem (lib/eal/common/
 * malloc_elem.h of DPDK 22.11): what the walk reads.
 */
struct eal_malloc_elem {
	void *heap;			/* struct malloc_heap, lock first */
	void *prev;
	void *next;
	void *free_list[2];
	const struct rte_memseg_list *msl;
	uint32_t state_bits;		/* enum elem_state state : 3, ... */
	uint32_t pad;
	size_t size;			/* header, data and trailer */
};

#define ELEM_STATE(e) ((e)->state_bits & 0x7)
#define ELEM_FREE 0
#define ELEM_BUSY 1

/*
 * Relies on: rte_extmem_register() copying the IOVAs into the memsegs of
 * the memseg list it makes (one per page, in order), and nowhere else
 * (DPDK 22.11: it raises no memory event, so no subscriber such as
 * VFIO's has seen them, and VFIO skips external lists that are not a
 * heap's; lookups, dumps and secondaries read the memsegs themselves);
 * memseg lists being changed under EAL's memory lock held for writing
 * (its walks take it for reading; rte_mem_virt2memseg() takes none, and
 * reads each 8-byte IOVA whole). If that changes: the list must be
 * exactly that memory (external, no heap's, the page size and length),
 * and each memseg at its page with no IOVA yet, or -1 with ENOENT; the
 * caller then unregisters the range and registers it again with its
 * IOVAs.
 */
int
extmem_compat_eal_iovas_set(uintptr_t va, const rte_iova_t *iovas,
	unsigned int n, size_t pgsz)
{
	struct rte_memseg_list *msl;
	struct rte_memseg *ms;
	unsigned int i;
	int ret = -1;

	rte_mcfg_mem_write_lock();
	msl = rte_mem_virt2memseg_list((void *)va);
	if (msl == NULL || msl->base_va != (void *)va || !msl->external ||
			msl->heap || msl->page_sz != pgsz ||
			msl->len != (size_t)n * pgsz ||
			msl->memseg_arr.len != n) {
		rte_errno = ENOENT;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ms = rte_fbarray_get(&msl->memseg_arr, i);
		if (ms == NULL || ms->iova != RTE_BAD_IOVA ||
				ms->addr != RTE_PTR_ADD((void *)va,
					(size_t)i * pgsz)) {
			rte_errno = ENOENT;
			goto out;
		}
		ms->iova = iovas[i];
	}
	ret = 0;
out:
	rte_mcfg_mem_write_unlock();
	return ret;
}

/*
 * Relies on: the leading fields of EAL's private struct malloc_elem and
 * the heap's spinlock being the first member of struct malloc_heap
 * (DPDK 22.11, unchanged since 20.11); EAL has no public iterator over a
 * heap's elements. If the layout changes: every header read is checked
 * against what the region must hold (inside the region, cache-line
 * aligned, the region's memseg list and heap, a known state, elements
 * tiling the region exactly); the first check that fails stops the walk
 * with ENOTSUP before anything else is read or the lock taken wrongly,
 * and removal relies on EAL's own refusal of
 * rte_malloc_heap_memory_remove().
 */
int
extmem_compat_heap_region_allocs(uintptr_t va, size_t len,
	const struct rte_memseg_list *msl, unsigned int *n_alloc,
	size_t *alloc_bytes)
{
	const struct eal_malloc_elem *e = (const void *)va;
	uintptr_t end = va + len, at = va;
	rte_spinlock_t *lock;
	unsigned int n = 0;
	size_t bytes = 0;
	const char *bad = NULL;

	if (msl == NULL || len < sizeof(*e) ||
			va % RTE_CACHE_LINE_SIZE != 0) {
		EXTMEM_FAIL(ENOTSUP, "[%p, +%zu) is not a heap region EAL "
			"describes", (void *)va, len);
		return -1;
	}
	/* the first element is at the region's start; its heap pointer
	 * never changes while the region is in the heap
	 */
	if (e->msl != msl || e->heap == NULL) {
		EXTMEM_FAIL(ENOTSUP, "no EAL malloc element at %p: EAL's "
			"element layout is not the one this library knows",
			(void *)va);
		return -1;
	}
	lock = e->heap;
	rte_spinlock_lock(lock);
	while (at < end) {
		e = (const void *)at;
		if (at % RTE_CACHE_LINE_SIZE != 0 || end - at < sizeof(*e)) {
			bad = "misplaced element";
			break;
		}
		if (e->msl != msl || e->heap != (void *)lock) {
			bad = "element of another memseg list or heap";
			break;
		}
		if (ELEM_STATE(e) != ELEM_FREE && ELEM_STATE(e) != ELEM_BUSY) {
			bad = "element in an unknown state";
			break;
		}
		if (e->size < sizeof(*e) || e->size > end - at) {
			bad = "element size outside the region";
			break;
		}
		if (at + e->size < end && e->next != (void *)(at + e->size)) {
			bad = "elements do not tile the region";
			break;
		}
		if (ELEM_STATE(e) == ELEM_BUSY) {
			n++;
			bytes += e->size;
		}
		at += e->size;
	}
	rte_spinlock_unlock(lock);
	if (bad != NULL) {
		EXTMEM_FAIL(ENOTSUP, "heap region [%p, +%zu): %s at %p: EAL's "
			"element layout is not the one this library knows",
			(void *)va, len, bad, (void *)at);
		return -1;
	}
	*n_alloc = n;
	*alloc_bytes = bytes;
	return 0;
}

/* ------------------------------------------------------------------ */
/* mempool */

static void
mempool_event_cb(enum rte_mempool_event event, struct rte_mempool *mp,
	void *arg)
{
	void (*cb)(struct rte_mempool *mp) = (void (*)(struct rte_mempool *))
		(uintptr_t)arg;

	if (event == RTE_MEMPOOL_EVENT_DESTROY)
		cb(mp);
}

/*
 * Relies on: rte_mempool_event_callback_register(), __rte_internal in
 * 22.11, and its DESTROY event fired by rte_mempool_free() before the
 * pool's memory is freed (with mempool's tailq lock not held). No public
 * API tells a library that an application freed a pool with
 * rte_mempool_free(). If it goes away: the library does not link (the
 * symbol is missing); if the event stops firing: a pool freed with
 * rte_mempool_free() keeps its regions referenced (their destruction
 * fails with EBUSY), rte_extmem_pktmbuf_pool_free() still works.
 */
int
extmem_compat_mempool_watch_destroy(void (*cb)(struct rte_mempool *mp))
{
	if (rte_mempool_event_callback_register(mempool_event_cb,
			(void *)(uintptr_t)cb) == 0 || rte_errno == EEXIST)
		return 0;
	return -1;
}

/*
 * Relies on: mempool setting RTE_MEMPOOL_F_NON_IO on a pool created with
 * RTE_MEMPOOL_F_NO_IOVA_CONTIG, and nothing else reading either flag
 * after population but drivers and rte_mempool_*() (22.11). The library
 * asks for NO_IOVA_CONTIG only to place objects itself within
 * IOVA-contiguous runs, and every object has its IOVA; no public call
 * clears the flags. If mempool stores them elsewhere: the pool stays
 * marked NON_IO and drivers that check the flag refuse it (an error at
 * queue setup, never wrong DMA).
 */
void
extmem_compat_mempool_set_io(struct rte_mempool *mp)
{
	if (mp->nb_mem_chunks > 0 && STAILQ_FIRST(&mp->mem_list)->iova !=
			RTE_BAD_IOVA)
		mp->flags &= ~(RTE_MEMPOOL_F_NO_IOVA_CONTIG |
			RTE_MEMPOOL_F_NON_IO);
	else
		mp->flags &= ~RTE_MEMPOOL_F_NO_IOVA_CONTIG;
}

/* ------------------------------------------------------------------ */
/* buses and drivers */

/*
 * Relies on: struct rte_bus's dma_map member (bus_driver.h, driver SDK);
 * rte_dev_dma_map() answers ENOTSUP both for a bus without it and for a
 * zero length, so no call tells them apart. If the layout changes: the
 * library does not build against that DPDK (the header is compiled in).
 */
bool
extmem_compat_bus_does_dma_map(const struct rte_device *dev)
{
	const struct rte_bus *bus = rte_dev_bus(dev);

	return bus != NULL && bus->dma_map != NULL;
}

/*
 * Relies on: struct rte_vdev_driver embedding its struct rte_driver and
 * holding the dma_map hook (bus_vdev_driver.h); the vdev bus returns 0
 * from rte_dev_dma_map() without doing anything when the hook is NULL,
 * so only the driver structure tells "mapped" from "no DMA". If it
 * changes: the library does not build against that DPDK.
 */
bool
extmem_compat_vdev_no_dma_map(const struct rte_device *dev)
{
	const struct rte_bus *bus = rte_dev_bus(dev);
	const struct rte_vdev_driver *vdrv;

	if (bus == NULL || strcmp(rte_bus_name(bus), "vdev") != 0 ||
			rte_dev_driver(dev) == NULL)
		return false;
	vdrv = container_of(rte_dev_driver(dev), const struct rte_vdev_driver,
		driver);
	return vdrv->dma_map == NULL;
}

static int
dev_name_cmp(const struct rte_device *dev, const void *name)
{
	return strcmp(rte_dev_name(dev), name);
}

/* rte_bus_find() callback: 0 (a match) when the bus has the device. */
static int
bus_lacks_dev(const struct rte_bus *bus, const void *name)
{
	return bus->find_device == NULL ||
		bus->find_device(NULL, dev_name_cmp, name) == NULL;
}

/*
 * Relies on: struct rte_bus's find_device member (bus_driver.h, driver
 * SDK): DPDK 22.11 has no public lookup of a device by name across
 * buses. If the layout changes: the library does not build against that
 * DPDK (the header is compiled in).
 */
struct rte_device *
extmem_compat_dev_find_by_name(const char *name)
{
	struct rte_bus *bus = rte_bus_find(NULL, bus_lacks_dev, name);

	return bus == NULL ? NULL : bus->find_device(NULL, dev_name_cmp, name);
}

/*
 * Relies on: rte_eth_devices[] (ethdev_driver.h). ethdev raises
 * RTE_ETH_EVENT_NEW before it marks the port attached, so during the
 * event rte_eth_dev_info_get() refuses the port as invalid; the device
 * is only in the port's struct rte_eth_dev. If it changes: the library
 * does not build against that DPDK (the array is compiled in).
 */
struct rte_device *
extmem_compat_eth_port_device(uint16_t port)
{
	if (port >= RTE_MAX_ETHPORTS)
		return NULL;
	return rte_eth_devices[port].device;
}

/* ------------------------------------------------------------------ */
/* the EAL hook of multi-process */

static int (*mp_probe_hook)(void);
static void (*mp_cleanup_hook)(void);

void
extmem_compat_mp_hooks_set(int (*probe)(void), void (*cleanup)(void))
{
	mp_probe_hook = probe;
	mp_cleanup_hook = cleanup;
}

static int
mp_bus_scan(void)
{
	return 0;
}

static int
mp_bus_probe(void)
{
	return mp_probe_hook != NULL ? mp_probe_hook() : 0;
}

static struct rte_device *
mp_bus_find_device(const struct rte_device *start __rte_unused,
	rte_dev_cmp_t cmp __rte_unused, const void *data __rte_unused)
{
	return NULL;
}

static int
mp_bus_cleanup(void)
{
	if (mp_cleanup_hook != NULL)
		mp_cleanup_hook();
	return 0;
}

/*
 * Relies on: a bus registered with RTE_REGISTER_BUS (bus_driver.h, driver
 * SDK) being probed by rte_eal_init() in every process, primary and
 * secondary, after EAL's memory (and the secondary's attach to EAL's
 * shared configuration) is set up and before the application's code runs,
 * and its cleanup being called by rte_eal_cleanup() (DPDK 22.11:
 * rte_bus_probe(), eal_bus_cleanup()). The bus has no devices: its probe
 * is the library's hook, which also runs when the library is loaded as
 * an EAL plugin (-d) into a program that does not link it. No public API
 * runs code at that point of every process's initialisation. If buses
 * stop being probed there: a secondary does not attach (it sees no region
 * of the primary) and the primary is unaffected; a failed probe is only
 * logged by EAL ("Bus (extmem) probe failed").
 */
static struct rte_bus extmem_mp_bus = {
	.scan = mp_bus_scan,
	.probe = mp_bus_probe,
	.find_device = mp_bus_find_device,
	.cleanup = mp_bus_cleanup,
};

RTE_REGISTER_BUS(extmem, extmem_mp_bus);
