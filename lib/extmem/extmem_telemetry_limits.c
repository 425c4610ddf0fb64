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
#include "extmem_telemetry_private.h"

#define LIMITS_U(m) EXTMEM_TEL_U(struct rte_extmem_limits, m)
#define LIMITS_I(m) EXTMEM_TEL_I(struct rte_extmem_limits, m)
#define LIMITS_S(m) EXTMEM_TEL_S(struct rte_extmem_limits, m)
/* The figures of the report, in its order: before the hugepage pools,
 * then up to the IOVA mode, then after it.
 */
static const struct extmem_tel_field limits_eal_fields[] = {
	LIMITS_U(memseg_lists_max), LIMITS_U(memseg_lists_used),
	LIMITS_U(heaps_max), LIMITS_U(heaps_used),
};
static const struct extmem_tel_field limits_memlock_fields[] = {
	LIMITS_U(memlock_limit), LIMITS_U(memlock_used),
	LIMITS_I(memlock_unlimited_cap), LIMITS_U(pinned_by_regions),
	LIMITS_I(registration_pins),
};
static const struct extmem_tel_field limits_dma_fields[] = {
	LIMITS_S(thp), LIMITS_I(vfio), LIMITS_U(vfio_dma_entry_limit),
	LIMITS_U(vfio_user_maps_max), LIMITS_U(dma_domains),
	LIMITS_S(dma_domain_tightest), LIMITS_U(dma_domain_max_entries),
	LIMITS_U(dma_domain_entries_left), LIMITS_U(dma_entries_needed),
};

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

	if (extmem_tel_no_params(params) != 0)
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
	extmem_tel_add_fields(d, &l, limits_eal_fields,
		RTE_DIM(limits_eal_fields));
	rte_tel_data_add_dict_container(d, "hugepages_free", hp_free, 0);
	rte_tel_data_add_dict_container(d, "hugepages_total", hp_total, 0);
	extmem_tel_add_fields(d, &l, limits_memlock_fields,
		RTE_DIM(limits_memlock_fields));
	rte_tel_data_add_dict_string(d, "iova_mode",
		l.iova_mode == RTE_IOVA_PA ? "PA" : "VA");
	extmem_tel_add_fields(d, &l, limits_dma_fields,
		RTE_DIM(limits_dma_fields));
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
