/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_LIMITS_PRIVATE_H
#define EXTMEM_LIMITS_PRIVATE_H

/* What the limits report shares with its telemetry command. */

#include "rte_extmem_limits.h"

/* One line of the report: a resource and what it means for the next
 * registration.
 */
typedef void (*extmem_limits_note_t)(void *arg, const char *key,
	const char *text);

/* Call fn for every resource of l, in the order of the report. */
void extmem_limits_notes(const struct rte_extmem_limits *l,
	extmem_limits_note_t fn, void *arg);

#endif /* EXTMEM_LIMITS_PRIVATE_H */
