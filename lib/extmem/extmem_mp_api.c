/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* The multi-process link's public description (rte_extmem_mp.h). */

#include <stdio.h>
#include <string.h>

#include <rte_eal.h>

#include "extmem_mp_private.h"
#include "extmem_mp_secondary.h"

int
rte_extmem_mp_info_get(struct rte_extmem_mp_info *info)
{
	struct extmem_mp_secondary_stats s;
	struct extmem_mp_primary_stats p;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (info == NULL) {
		EXTMEM_FAIL(EINVAL, "info is NULL");
		return -1;
	}
	memset(info, 0, sizeof(*info));
	if (rte_eal_process_type() != RTE_PROC_SECONDARY) {
		extmem_mp_primary_stats(&p);
		info->state = p.serving ? RTE_EXTMEM_MP_STATE_SERVING :
			RTE_EXTMEM_MP_STATE_NONE;
		info->n_secondaries = p.n_secondaries;
		info->n_connections = p.n_connections;
		info->n_attached = p.n_attached;
		info->n_gone = p.n_gone;
		info->seq = p.seq;
		return 0;
	}
	extmem_mp_secondary_stats(&s);
	info->state = s.state;
	info->seq = s.seq;
	info->n_changes = s.n_changes;
	info->attach_ns = s.attach_ns;
	info->n_heaps_refused = s.n_heaps_refused;
	snprintf(info->refused, sizeof(info->refused), "%s", s.refused);
	info->error = s.error;
	return 0;
}
