/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Telemetry of the multi-process link: /extmem/mp, the fields of
 * rte_extmem_mp_info_get() (doc/guides/prog_guide/multiprocess.rst).
 */

#include <errno.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "extmem_private.h"
#include "extmem_telemetry_private.h"
#include "rte_extmem_mp.h"

#define MP_U(m) EXTMEM_TEL_U(struct rte_extmem_mp_info, m)
#define MP_I(m) EXTMEM_TEL_I(struct rte_extmem_mp_info, m)
#define MP_S(m) EXTMEM_TEL_S(struct rte_extmem_mp_info, m)

static const struct extmem_tel_field mp_fields[] = {
	MP_U(n_secondaries), MP_U(n_connections), MP_U(n_attached),
	MP_U(n_gone), MP_U(seq), MP_U(attach_ns), MP_U(n_changes),
	MP_U(n_heaps_refused), MP_S(refused), MP_I(error),
};

static const char * const mp_state_names[] = {
	[RTE_EXTMEM_MP_STATE_NONE] = "none",
	[RTE_EXTMEM_MP_STATE_SERVING] = "serving",
	[RTE_EXTMEM_MP_STATE_ATTACHED] = "attached",
	[RTE_EXTMEM_MP_STATE_PRIMARY_GONE] = "primary_gone",
	[RTE_EXTMEM_MP_STATE_FAILED] = "failed",
	[RTE_EXTMEM_MP_STATE_DETACHED] = "detached",
};

static int
tel_mp(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	struct rte_extmem_mp_info info;
	const char *state;

	if (extmem_tel_no_params(params) != 0)
		return -EINVAL;
	if (rte_extmem_mp_info_get(&info) != 0)
		return -EAGAIN;
	state = extmem_table_name(mp_state_names, RTE_DIM(mp_state_names),
		(unsigned int)info.state);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state", state != NULL ? state : "?");
	extmem_tel_add_fields(d, &info, mp_fields, RTE_DIM(mp_fields));
	return 0;
}

static void
extmem_telemetry_mp_register(void)
{
	rte_telemetry_register_cmd("/extmem/mp", tel_mp,
		"Returns the multi-process link of this process: state, live "
		"secondaries, change number. Takes no parameters");
}

/* Registered when the library is used in the process (extmem_lazy_add()). */
RTE_INIT(extmem_telemetry_mp_init)
{
	extmem_lazy_add(extmem_telemetry_mp_register);
}
