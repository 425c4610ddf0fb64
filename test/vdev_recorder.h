/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_TEST_VDEV_RECORDER_H
#define EXTMEM_TEST_VDEV_RECORDER_H

/*
 * net_extmem_rec: a test-only vdev ethdev driver built against the DPDK
 * driver SDK headers. It records every dma_map/dma_unmap call it receives
 * (including the ones it was told to fail) and can be told to fail the
 * Nth. Devargs: "ports=N" (1 to VDEV_REC_MAX_PORTS ethdev ports on the
 * one device, named <dev>, <dev>_p1, ...).
 *
 * net_extmem_nohook: the same ethdev without DMA hooks (the vdev bus
 * then answers rte_dev_dma_map() with 0 and does nothing).
 */

#include <stdbool.h>
#include <stdint.h>
#include <rte_memory.h>

#define VDEV_REC_DRIVER "net_extmem_rec"
#define VDEV_REC_NOHOOK_DRIVER "net_extmem_nohook"
#define VDEV_REC_MAX_CALLS 4096
#define VDEV_REC_MAX_PORTS 4

struct vdev_rec_call {
	int map;		/**< 1 dma_map, 0 dma_unmap */
	int ret;		/**< what the driver returned (0 or -errno) */
	uint64_t va;
	uint64_t iova;
	size_t len;
	char dev[64];
};

/** Calls recorded since the last vdev_rec_reset(), in order. */
unsigned int vdev_rec_ncalls(void);
const struct vdev_rec_call *vdev_rec_call(unsigned int i);
/** Forget recorded calls and any planned failure. */
void vdev_rec_reset(void);
/**
 * Make the nth call (counted from now, 1-based) on device @p dev (NULL:
 * any) fail with -err; 0 disables. Only calls of kind @p map (1 map, 0
 * unmap, -1 both) count.
 */
void vdev_rec_fail_nth_kind(const char *dev, int map, unsigned int nth,
	int err);
/**
 * How a planned failure is returned: false (default) -err, the way most
 * drivers do; true -1 with rte_errno set to err, the way others (and the
 * buses) do. The recorded ret is -err either way.
 */
void vdev_rec_fail_rte_errno(bool on);
/** vdev_rec_fail_nth_kind() counting both kinds. */
void vdev_rec_fail_nth(const char *dev, unsigned int nth, int err);
/** Number of successful probes since start (both drivers). */
unsigned int vdev_rec_probes(void);

#endif
