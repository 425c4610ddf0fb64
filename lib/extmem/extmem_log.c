/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#include <rte_log.h>

#include "extmem_private.h"

RTE_LOG_REGISTER_DEFAULT(extmem_logtype, NOTICE);
