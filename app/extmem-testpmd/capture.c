/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Packet capture: as the primary process, answer the requests of
 * dpdk-dumpcap and dpdk-pdump (secondary processes), which then see every
 * packet the ports receive and send. Capture is a convenience: when it
 * cannot be offered, forwarding goes on without it.
 */

#include <stdbool.h>
#include <stdio.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>

#include "etp.h"

static bool capture_on;

void
etp_capture_init(void)
{
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return;
	if (rte_pdump_init() != 0) {
		fprintf(stderr, "packet capture unavailable: rte_pdump_init: "
			"%s\n", rte_strerror(rte_errno));
		return;
	}
	capture_on = true;
}

void
etp_capture_uninit(void)
{
	if (capture_on)
		rte_pdump_uninit();
	capture_on = false;
}
