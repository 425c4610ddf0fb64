/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef RTE_PMD_MRNIC_H
#define RTE_PMD_MRNIC_H

/**
 * @file
 * net_mrnic driver-specific API: look into the device's memory-region
 * table, for tests and benchmarks. The datapath does not need any of it.
 *
 * Every function works in a secondary process too, on the port the
 * primary created: the tables are shared, so the answers are the
 * primary's (a translation may register a range on a lookup miss there,
 * as the datapath of any process does).
 */

#include <stddef.h>
#include <stdint.h>

#include <rte_compat.h>
#include <rte_memory.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Translation mode of a port (devarg mr=). */
enum rte_pmd_mrnic_mr_mode {
	/** mlx5-style caches, registration on miss. */
	RTE_PMD_MRNIC_MR_CACHE = 0,
	/** librte_extmem's table plus the device's dma_map state. */
	RTE_PMD_MRNIC_MR_EXTMEM,
	/** No validation. */
	RTE_PMD_MRNIC_MR_OFF,
};

/**
 * Translation mode of an mrnic port.
 *
 * @param port_id
 *   Ethdev port.
 * @return
 *   An rte_pmd_mrnic_mr_mode value, or -1 with rte_errno ENODEV (no such
 *   port) or ENOTSUP (not an mrnic port).
 */
__rte_experimental
int rte_pmd_mrnic_mr_mode(uint16_t port_id);

/**
 * Port the packets of @p port_id arrive on (itself when looping back).
 *
 * @param port_id
 *   Ethdev port.
 * @param peer
 *   Receives the peer's port id.
 * @return
 *   0, or -1 with rte_errno ENODEV, ENOTSUP or EINVAL (NULL @p peer).
 */
__rte_experimental
int rte_pmd_mrnic_peer(uint16_t port_id, uint16_t *peer);

/**
 * Translate a buffer the way the device would before a DMA (control
 * path: no queue cache is used, registration on miss may happen).
 *
 * @param port_id
 *   Ethdev port.
 * @param addr
 *   Start of the buffer.
 * @param len
 *   Length (> 0).
 * @param iova
 *   Receives the IOVA of @p addr.
 * @return
 *   0 if every byte is mapped; -1 with rte_errno EFAULT (not mapped),
 *   EINVAL (bad arguments), ENODEV or ENOTSUP. In mode off every buffer
 *   translates to the address itself.
 */
__rte_experimental
int rte_pmd_mrnic_translate(uint16_t port_id, const void *addr, size_t len,
	rte_iova_t *iova);

/**
 * Tell whether a range was given to the device through dma_map
 * (rte_dev_dma_map()), as opposed to registered on a lookup miss.
 *
 * @param port_id
 *   Ethdev port.
 * @param addr
 *   Start of the range.
 * @param len
 *   Length (> 0).
 * @return
 *   1 if wholly covered by dma_map ranges, 0 if not, -1 with rte_errno
 *   ENODEV, ENOTSUP or EINVAL.
 */
__rte_experimental
int rte_pmd_mrnic_dma_mapped(uint16_t port_id, const void *addr, size_t len);

/**
 * Translate buffers through the datapath of a Tx queue (its per-queue
 * caches and counters), as a burst would for source buffers. The caller
 * must be the only user of that queue during the call.
 *
 * @param port_id
 *   Ethdev port.
 * @param queue_id
 *   Tx queue, set up.
 * @param addrs
 *   @p n buffer addresses.
 * @param lens
 *   @p n buffer lengths (> 0).
 * @param iovas
 *   Receives @p n IOVAs, RTE_BAD_IOVA where a buffer is not mapped. In
 *   mode off, the address itself.
 * @param n
 *   Number of buffers.
 * @return
 *   Number of buffers translated, or -1 with rte_errno ENODEV, ENOTSUP or
 *   EINVAL.
 */
__rte_experimental
int rte_pmd_mrnic_xlate_burst(uint16_t port_id, uint16_t queue_id,
	const void *const *addrs, const uint32_t *lens, rte_iova_t *iovas,
	unsigned int n);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_MRNIC_H */
