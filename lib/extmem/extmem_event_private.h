/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_EVENT_PRIVATE_H
#define EXTMEM_EVENT_PRIVATE_H

/* The event bus, for the layers above it (extmem_event.c). */

#include "extmem_private.h"
#include "rte_extmem_event.h"

/*
 * A region as the bus announces it, described by the caller: the bus reads
 * nothing of the region itself (it chooses no event type, walks no list).
 */
struct extmem_event_region {
	/* REGION_REGISTERED or HEAP_REGION_ADDED, or their removals */
	enum rte_extmem_event_type type;
	struct rte_extmem_region *region;
	struct rte_extmem_region_info info;
};
/*
 * Announce a region change to subscribers: additions in subscription
 * order, removals in reverse. Returns 0, or -1 with rte_errno ECANCELED
 * (or a library subscriber's own errno) after rolling back the
 * subscribers that had accepted the event.
 */
int extmem_event_publish(const struct extmem_event_region *er);
/*
 * The existing regions for a replay, in creation order: *ers an array of
 * *n entries the bus frees with free() (NULL when none); -1 with
 * rte_errno ENOMEM. Given by the layer that owns the regions.
 */
typedef int (*extmem_event_replay_source_t)(struct extmem_event_region **ers,
	unsigned int *n);
void extmem_event_replay_source_set(extmem_event_replay_source_t fn);
/* Start the event bus (idempotent, inside an operation). */
void extmem_event_init(void);
/* Subscribe a part of the library, ahead of applications; it cannot be
 * unsubscribed.
 */
/*
 * A library subscriber refusing an event with -(EXTMEM_EVENT_KEEP_ERRNO |
 * err) makes the operation fail with err itself rather than ECANCELED
 * (the dispatcher's "no room in a DMA domain": ENOSPC).
 */
#define EXTMEM_EVENT_KEEP_ERRNO 0x10000
/*
 * Around the library's own rte_malloc_heap_memory_add()/_remove() calls:
 * EAL's ALLOC/FREE events they raise in this thread are not forwarded
 * (they are announced as heap events). Returns what _end() restores.
 */
unsigned int extmem_event_eal_self_begin(void);
void extmem_event_eal_self_end(unsigned int prev);
/* The application's (un)subscription and the EAL forwarding state,
 * behind the public API (extmem_event_api.c, which starts the library
 * first).
 */
int extmem_event_subscribe_app(const char *name, uint32_t flags,
	rte_extmem_event_cb_t cb, void *arg);
int extmem_event_unsubscribe_app(const char *name);
int extmem_event_eal_forwarding_state(void);
int extmem_event_subscribe_internal(const char *name,
	rte_extmem_event_cb_t cb, void *arg);

/* The library's own subscribers. Their names are reserved whether they
 * are subscribed or not: the application can neither take them (EEXIST)
 * nor remove them (EPERM).
 */
#define EXTMEM_SUB_DMA "extmem.dma" /* the DMA dispatcher */
#define EXTMEM_SUB_MP "extmem.mp"   /* the multi-process sync (primary) */

#endif /* EXTMEM_EVENT_PRIVATE_H */
