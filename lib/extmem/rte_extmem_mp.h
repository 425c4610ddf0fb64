/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_EXTMEM_MP_H
#define RTE_EXTMEM_MP_H

/**
 * @file
 * External memory in several processes: the state of this process's
 * multi-process link (doc/guides/prog_guide/multiprocess.rst).
 *
 * The primary's library serves its secondaries: a secondary that has this
 * library (linked, or loaded as an EAL plugin) attaches during
 * rte_eal_init() to every region and heap of the primary, and follows
 * their later changes. Only the primary creates and destroys heaps, and
 * regions: a secondary's rte_extmem_region_create() of a shared or hugetlb
 * region has the primary make it for that secondary; other creations and
 * destructions fail there with rte_errno E_RTE_SECONDARY.
 *
 * A secondary started with the environment variable EXTMEM_MP_NO_ATTACH
 * set to 1 does not attach (it maps and attaches memory by hand, the
 * upstream way). EXTMEM_MP_REQUEST_TIMEOUT_MS (milliseconds, default
 * 60000, read at its first request) bounds how long a secondary waits for
 * the primary to do its region creation or destruction (then ETIMEDOUT,
 * and the request is withdrawn: rte_extmem_region_create()).
 */

#include <stdint.h>

#include <rte_compat.h>

#include "rte_extmem.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Where this process stands. */
enum rte_extmem_mp_state {
	/** No link: a primary whose library has not started (no region or
	 * heap yet) or cannot serve (no hugepages: DPDK 22.11 gives a
	 * --no-huge primary no secondaries), or a secondary whose primary
	 * has no library service.
	 */
	RTE_EXTMEM_MP_STATE_NONE = 0,
	/** Primary: serving secondaries. */
	RTE_EXTMEM_MP_STATE_SERVING,
	/** Secondary: attached, following the primary's changes. */
	RTE_EXTMEM_MP_STATE_ATTACHED,
	/** Secondary: attached, but the primary has closed the link (it
	 * exited): its regions stay mapped here, later changes are unknown.
	 */
	RTE_EXTMEM_MP_STATE_PRIMARY_GONE,
	/** Secondary: the attach failed (see error); nothing is attached. */
	RTE_EXTMEM_MP_STATE_FAILED,
	/** Secondary: detached by rte_eal_cleanup(). */
	RTE_EXTMEM_MP_STATE_DETACHED,
};

/** The multi-process link of this process. */
struct rte_extmem_mp_info {
	enum rte_extmem_mp_state state; /**< Where this process stands. */
	/** Primary: secondaries attached and alive now. */
	unsigned int n_secondaries;
	/** Primary: connections open now (attached secondaries, and
	 * processes connected that have not attached yet or whose end the
	 * service has not processed yet).
	 */
	unsigned int n_connections;
	/** Primary: attaches served; secondary: 0. */
	uint64_t n_attached;
	/** Primary: links ended (secondaries exited, were killed or were
	 * disconnected); secondary: 0.
	 */
	uint64_t n_gone;
	/** Number of the last change: primary, made; secondary, applied.
	 * Every region creation, destruction, heap region addition or
	 * removal is one change (a removal three: prepare, remove and, if
	 * refused, cancel).
	 */
	uint64_t seq;
	/** Secondary: nanoseconds its attach took in rte_eal_init(), from
	 * the connection to the answer of the snapshot (mapping, EAL attach,
	 * translation table of every region included).
	 */
	uint64_t attach_ns;
	/** Secondary: changes applied since the attach. */
	uint64_t n_changes;
	/** Secondary: heaps of the primary refused here because they hold
	 * memory that cannot be shared.
	 */
	unsigned int n_heaps_refused;
	/** Secondary: the first heap refused and why (empty if none). */
	char refused[96];
	/** Secondary, state FAILED: why the attach failed (an errno:
	 * EADDRINUSE when a region's address is taken in this process,
	 * ECONNRESET when the primary went away, ENOMEM, EPROTO).
	 */
	int error;
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * The state of this process's multi-process link.
 *
 * @param info
 *   Filled on success.
 * @return
 *   0, or -1 with rte_errno EINVAL (@p info is NULL) or E_RTE_NO_CONFIG
 *   (EAL is not initialised).
 */
__rte_experimental
int rte_extmem_mp_info_get(struct rte_extmem_mp_info *info);

#ifdef __cplusplus
}
#endif

#endif /* RTE_EXTMEM_MP_H */
