/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The event bus's public (un)subscription: the library is started first
 * (the bus, then the DMA dispatcher, its first subscriber), as an
 * operation of its own, then the bus does the rest (extmem_event.c).
 */

#include "extmem_event_private.h"

int
rte_extmem_event_subscribe(const char *name, uint32_t flags,
	rte_extmem_event_cb_t cb, void *arg)
{
	if (!EXTMEM_EAL_READY())
		return -1;
	extmem_start();
	return extmem_event_subscribe_app(name, flags, cb, arg);
}

int
rte_extmem_event_unsubscribe(const char *name)
{
	if (!EXTMEM_EAL_READY())
		return -1;
	return extmem_event_unsubscribe_app(name);
}

int
rte_extmem_event_eal_forwarding(void)
{
	if (!EXTMEM_EAL_READY())
		return 0;
	extmem_start();
	return extmem_event_eal_forwarding_state();
}
