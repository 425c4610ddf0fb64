/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Is EAL up? Nothing of this library works before rte_eal_init(): region
 * creation pins pages and reads physical addresses according to EAL's
 * IOVA mode, heaps and pools need EAL's allocator, events and DMA need
 * EAL's memory and devices. EAL decides its IOVA mode (RTE_IOVA_DC, "don't
 * care", until then) before it sets up memory and probes devices, so a
 * decided mode is the public sign that the library can be used (drivers
 * probed by rte_eal_init() included). Once seen, it is latched.
 */

#include <stdbool.h>

#include <rte_eal.h>

#include "extmem_private.h"

bool extmem_eal_up;

bool
extmem_eal_probe(void)
{
	if (rte_eal_iova_mode() == RTE_IOVA_DC)
		return false;
	__atomic_store_n(&extmem_eal_up, true, __ATOMIC_RELEASE);
	return true;
}
