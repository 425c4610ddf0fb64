/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Telemetry: /extmem/limits, the limits report (rte_extmem_limits.h):
 * every figure, the hugepage pools by size, and under "next_registration"
 * what each resource means for the next registration (the lines of
 * rte_extmem_limits_dump()).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "extmem_limits_private.h"
#include "extmem_private.h"

static void
tel_note(void *arg, const char *key, const char *text)
{
	rte_tel_data_add_dict_string(arg, key, text);
}

static int
tel_limits(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct rte_tel_data *hp_free, *hp_total, *notes;
	struct rte_extmem_limits l;
	char key[32];
	unsigned int i;

	if (params != NULL && params[0] != '\0')
		return -EINVAL;
	if (rte_extmem_limits_get(&l) != 0)
		return -EAGAIN;
	hp_free = rte_tel_data_alloc();
	hp_total = rte_tel_data_alloc();
	notes = rte_tel_data_alloc();
	if (hp_free == NULL || hp_total == NULL || notes == NULL) {
		rte_tel_data_free(hp_free);
		rte_tel_data_free(hp_total);
		rte_tel_data_free(notes);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(hp_free);
	rte_tel_data_start_dict(hp_total);
	for (i = 0; i < l.n_hugepage_sizes; i++) {
		snprintf(key, sizeof(key), "%" PRIu64 "kB",
			l.hugepages[i].page_sz >> 10);
		rte_tel_data_add_dict_u64(hp_free, key, l.hugepages[i].free);
		rte_tel_data_add_dict_u64(hp_total, key, l.hugepages[i].total);
	}
	rte_tel_data_start_dict(notes);
	extmem_limits_notes(&l, tel_note, notes);

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "memseg_lists_max", l.memseg_lists_max);
	rte_tel_data_add_dict_u64(d, "memseg_lists_used", l.memseg_lists_used);
	rte_tel_data_add_dict_u64(d, "heaps_max", l.heaps_max);
	rte_tel_data_add_dict_u64(d, "heaps_used", l.heaps_used);
	rte_tel_data_add_dict_container(d, "hugepages_free", hp_free, 0);
	rte_tel_data_add_dict_container(d, "hugepages_total", hp_total, 0);
	rte_tel_data_add_dict_u64(d, "memlock_limit", l.memlock_limit);
	rte_tel_data_add_dict_u64(d, "memlock_used", l.memlock_used);
	rte_tel_data_add_dict_int(d, "memlock_unlimited_cap",
		l.memlock_unlimited_cap);
	rte_tel_data_add_dict_u64(d, "pinned_by_regions", l.pinned_by_regions);
	rte_tel_data_add_dict_int(d, "registration_pins", l.registration_pins);
	rte_tel_data_add_dict_string(d, "iova_mode",
		l.iova_mode == RTE_IOVA_PA ? "PA" : "VA");
	rte_tel_data_add_dict_string(d, "thp", l.thp);
	rte_tel_data_add_dict_int(d, "vfio", l.vfio);
	rte_tel_data_add_dict_u64(d, "vfio_dma_entry_limit",
		l.vfio_dma_entry_limit);
	rte_tel_data_add_dict_u64(d, "vfio_user_maps_max",
		l.vfio_user_maps_max);
	rte_tel_data_add_dict_u64(d, "dma_domains", l.dma_domains);
	rte_tel_data_add_dict_string(d, "dma_domain_tightest",
		l.dma_domain_tightest);
	rte_tel_data_add_dict_u64(d, "dma_domain_max_entries",
		l.dma_domain_max_entries);
	rte_tel_data_add_dict_u64(d, "dma_domain_entries_left",
		l.dma_domain_entries_left);
	rte_tel_data_add_dict_u64(d, "dma_entries_needed",
		l.dma_entries_needed);
	rte_tel_data_add_dict_container(d, "next_registration", notes, 0);
	return 0;
}

static void
extmem_telemetry_limits_register(void)
{
	rte_telemetry_register_cmd("/extmem/limits", tel_limits,
		"Returns what EAL, the kernel and the process limits leave for "
		"the next external memory registration. Takes no parameters");
}

/* Registered when the library is used in the process (extmem_lazy_add()). */
RTE_INIT(extmem_telemetry_limits_init)
{
	extmem_lazy_add(extmem_telemetry_limits_register);
}
