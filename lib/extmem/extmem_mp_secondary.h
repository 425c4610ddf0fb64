/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_MP_SECONDARY_H
#define EXTMEM_MP_SECONDARY_H

/* A secondary's side of multi-process (extmem_mp_secondary.c). */

#include <stdint.h>

#include "rte_extmem_mp.h"

/* In a secondary during rte_eal_init(): attach to the primary's service;
 * 0 also when there is nothing to attach (a primary, no service).
 */
int extmem_mp_secondary_attach(void);
/* At EAL cleanup: end the link (the primary stops waiting at once). */
void extmem_mp_secondary_stop(void);

struct extmem_mp_secondary_stats {
	enum rte_extmem_mp_state state;
	uint64_t seq;
	uint64_t n_changes;
	uint64_t attach_ns;
	unsigned int n_heaps_refused;
	char refused[96];
	int error;
};
void extmem_mp_secondary_stats(struct extmem_mp_secondary_stats *st);

#endif /* EXTMEM_MP_SECONDARY_H */
