/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_EXTMEM_EVENT_H
#define RTE_EXTMEM_EVENT_H

/**
 * @file
 * librte_extmem events: one bus for every change of external memory.
 *
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * A subscriber is a named callback. It hears, in order:
 *  - regions registered and unregistered (rte_extmem_region_create() and
 *    rte_extmem_region_destroy());
 *  - regions added to and removed from a heap;
 *  - EAL's own memory events (RTE_MEM_EVENT_ALLOC / RTE_MEM_EVENT_FREE)
 *    for memory this library did not create, e.g. an application's own
 *    rte_malloc_heap_memory_add(), where EAL provides them (not in legacy
 *    memory mode, which --no-huge implies).
 *
 * Subscribers are called in subscription order; the library's DMA
 * dispatcher (see rte_extmem_devmap.h) is always the first. A subscriber may
 * refuse a region or heap event by returning a negative value: the
 * operation then fails with ECANCELED and is rolled back, and every
 * subscriber that had already accepted the event receives the opposite
 * event, flagged as a rollback, in reverse order. Nothing is left half
 * done. EAL events and rollback events cannot be refused.
 *
 * A subscriber that asks for replay receives, when it subscribes, a
 * registration (or heap addition) event for every existing region in
 * creation order.
 *
 * Callbacks of region and heap events run in the thread that changes the
 * region, inside the library's operation (its operation mutex held, its
 * state lock not): they may query the library, from this thread or
 * another, but every call that changes the library's state (creating or
 * destroying regions, heaps, pools or slicers, (un)subscribing, DMA
 * mapping) fails with EDEADLK from this thread, and another thread's
 * waits until the operation ends; they must not probe or remove devices. Callbacks of EAL
 * events run inside EAL with its memory lock held, like EAL's own memory
 * callbacks: they must not allocate or free DPDK memory nor call any
 * function of this library.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_compat.h>

#include "rte_extmem.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of events. */
enum rte_extmem_event_type {
	/** A region without a heap was registered. */
	RTE_EXTMEM_EVENT_REGION_REGISTERED = 0,
	/** A region without a heap is about to be unregistered. */
	RTE_EXTMEM_EVENT_REGION_UNREGISTERED,
	/** A region was added to a heap (a new chunk of the heap). */
	RTE_EXTMEM_EVENT_HEAP_REGION_ADDED,
	/** A region is about to be removed from a heap. */
	RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED,
	/** EAL made memory available (RTE_MEM_EVENT_ALLOC), forwarded. */
	RTE_EXTMEM_EVENT_EAL_ALLOC,
	/** EAL is about to release memory (RTE_MEM_EVENT_FREE), forwarded. */
	RTE_EXTMEM_EVENT_EAL_FREE,
};

/** An event, as given to a subscriber's callback. */
struct rte_extmem_event {
	/** What happened. */
	enum rte_extmem_event_type type;
	/** The region; NULL for EAL events. */
	struct rte_extmem_region *region;
	/** Start of the memory the event is about. */
	void *addr;
	/** Length of the memory in bytes. */
	size_t len;
	/** Page size of the memory (0 if EAL does not know it). */
	size_t page_sz;
	/** Socket ID of the owning heap (EAL events: an external heap's ID,
	 * or for EAL's own hugepages the NUMA socket N of heap socket_N), or
	 * SOCKET_ID_ANY if it has none.
	 */
	int socket_id;
	/** Name of the owning heap; empty if none (always for EAL events). */
	const char *heap;
	/** EAL events: the memory is external (not EAL's own hugepages). */
	bool external;
	/** Delivered because the subscriber asked for replay of existing
	 * regions (RTE_EXTMEM_EVENT_F_REPLAY).
	 */
	bool replay;
	/** Undoes an event this subscriber accepted, because a later
	 * subscriber refused it. Its return value is ignored.
	 */
	bool rollback;
	/** Region and heap events: the region's whole description, as
	 * rte_extmem_region_info_get() gives it at the time of the event, so
	 * a subscriber needs no call back into the library; NULL for EAL
	 * events. Valid during the call only.
	 */
	const struct rte_extmem_region_info *info;
};

/**
 * Event callback.
 *
 * @param event
 *   The event; valid during the call only.
 * @param arg
 *   The argument given at subscription.
 * @return
 *   0 to accept the event; a negative value (-errno) to refuse a region
 *   or heap event, which rolls the operation back (any non-zero value
 *   refuses: a positive one does too). Ignored for EAL and rollback
 *   events.
 */
typedef int (*rte_extmem_event_cb_t)(const struct rte_extmem_event *event,
	void *arg);

/** Subscription flag: deliver the existing regions at subscription. */
#define RTE_EXTMEM_EVENT_F_REPLAY RTE_BIT32(0)

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Subscribe to events.
 *
 * @param name
 *   Unique subscriber name, 1 to RTE_EXTMEM_NAMESIZE - 1 characters.
 * @param flags
 *   0 or RTE_EXTMEM_EVENT_F_REPLAY.
 * @param cb
 *   Callback.
 * @param arg
 *   Argument passed to @p cb.
 * @return
 *   0 on success, -1 with rte_errno set and nothing changed:
 *   - EINVAL: NULL or bad @p name, NULL @p cb, unknown @p flags;
 *   - EEXIST: a subscriber with this name exists, or the name is one the
 *     library reserves for its own subscribers ("extmem.dma", the DMA
 *     dispatcher; "extmem.mp", the multi-process sync of a primary),
 *     subscribed at the moment or not;
 *   - EDEADLK: called from inside an event callback;
 *   - ENOMEM: out of memory;
 *   - ECANCELED: @p cb refused a replayed region (the regions replayed
 *     before it were rolled back with unregistration events).
 */
__rte_experimental
int rte_extmem_event_subscribe(const char *name, uint32_t flags,
	rte_extmem_event_cb_t cb, void *arg);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Unsubscribe. When this returns, the callback is not running and will
 * not be called again.
 *
 * @param name
 *   Name given at subscription.
 * @return
 *   0 on success, -1 with rte_errno set:
 *   - EINVAL: NULL or bad @p name;
 *   - ENOENT: no subscriber has this name;
 *   - EPERM: the subscriber belongs to the library: "extmem.dma" (the DMA
 *     dispatcher: use rte_extmem_devmap_auto_set() instead) or
 *     "extmem.mp" (the multi-process sync), subscribed or not;
 *   - EDEADLK: called from inside an event callback.
 */
__rte_experimental
int rte_extmem_event_unsubscribe(const char *name);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Name of an event type, e.g. "region_registered".
 *
 * @param type
 *   Event type.
 * @return
 *   A constant string, or NULL with rte_errno EINVAL for an invalid type.
 */
__rte_experimental
const char *rte_extmem_event_type_name(enum rte_extmem_event_type type);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Tell whether EAL's memory events are forwarded.
 *
 * @return
 *   1 if EAL_ALLOC and EAL_FREE events are forwarded; 0 with rte_errno
 *   ENOTSUP if EAL does not provide memory events (legacy memory mode,
 *   e.g. --no-huge), E_RTE_NO_CONFIG if EAL is not initialised yet, or
 *   EAGAIN if EAL refused the registration (logged).
 */
__rte_experimental
int rte_extmem_event_eal_forwarding(void);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EXTMEM_EVENT_H */
