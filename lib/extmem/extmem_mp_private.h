/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_MP_PRIVATE_H
#define EXTMEM_MP_PRIVATE_H

/*
 * The primary's side of multi-process (extmem_mp_primary.c), for the
 * region operations and heaps above it: the service that secondaries
 * attach to, and the bus subscriber that sends every region change to
 * them and waits for their answers.
 */

#include <stdint.h>

#include "extmem_private.h"

/* Inside an operation, in a primary: subscribe to the bus and start the
 * service (idempotent; without hugepages, where no secondary can exist,
 * only the subscriber).
 */
void extmem_mp_primary_start(void);
/* At EAL cleanup: stop the service, close its connections, unlink it. */
void extmem_mp_primary_stop(void);
/*
 * Before a region goes (inside its operation): ask every attached
 * secondary whether it may; 0 and every secondary refuses new users of
 * it until REMOVE or extmem_mp_remove_cancel(); -1 with rte_errno EBUSY
 * (a secondary uses it; nothing changed anywhere) and a log line.
 */
int extmem_mp_remove_prepare(struct rte_extmem_region *r);
/* The removal did not happen after all: the secondaries let go of it. */
void extmem_mp_remove_cancel(struct rte_extmem_region *r);

/*
 * A heap chunk's steps around EAL's heap (inside its operation; r has
 * its heap, not yet in EAL): extmem_mp_heap_map() before
 * rte_malloc_heap_memory_add() (every secondary maps r; -1 with rte_errno
 * and a log line when one cannot, none keeps it), extmem_mp_heap_attach()
 * after it (the region's announcement does it too), and for taking it
 * back extmem_mp_heap_detach() before rte_malloc_heap_memory_remove() and
 * extmem_mp_heap_unmap() after it succeeded (never before: a secondary's
 * allocator would walk memory it no longer maps).
 */
int extmem_mp_heap_map(struct rte_extmem_region *r);
int extmem_mp_heap_attach(struct rte_extmem_region *r);
void extmem_mp_heap_detach(struct rte_extmem_region *r);
void extmem_mp_heap_unmap(struct rte_extmem_region *r);

/*
 * The process ID of the secondary a region was made for (only that
 * secondary destroys it, and it goes when that secondary goes); -1 when
 * that secondary is gone and its regions are being removed; 0 when the
 * region is the primary's. Takes only the sync's mutex.
 */
int extmem_mp_region_owner_pid(const struct rte_extmem_region *r);

/* The primary's figures for rte_extmem_mp_info_get(). */
struct extmem_mp_primary_stats {
	bool serving;
	unsigned int n_secondaries;	/* attached, live */
	unsigned int n_connections;	/* any state */
	uint64_t seq;			/* last change number */
	uint64_t n_attached;		/* attaches served since start */
	uint64_t n_gone;		/* connections ended */
};
void extmem_mp_primary_stats(struct extmem_mp_primary_stats *st);

#endif /* EXTMEM_MP_PRIVATE_H */
