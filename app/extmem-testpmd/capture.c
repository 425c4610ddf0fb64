/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Packet capture: as the primary process, answer the requests of
 * dpdk-dumpcap and dpdk-pdump (secondary processes), which then see every
 * packet the ports receive and send. Capture is a convenience: when it
 * cannot be offered, forwarding goes on without it.
 */

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_pdump.h>

#include "etp.h"

/*
 * DPDK 22.11's pdump, told by a tool to stop a capture, removes its
 * callbacks from the ports and answers at once, without waiting for the
 * forwarding lcores to leave a callback they are running; the tool then
 * frees the pool and ring that callback copies into (and EAL zeroes freed
 * memory): a forwarding lcore still in the callback follows a NULL
 * pointer and the application dies (measured: 1 of 100 dpdk-dumpcap -c
 * stops, more on a loaded machine). The callback-removal functions of
 * ethdev require the caller to make sure no callback is running before
 * freeing what it uses, and pdump cannot know the application's threads:
 * so this application defines them (its executable exports them, and
 * the dynamic linker binds librte_pdump's calls to these): ethdev's own
 * removal (the next definition, from librte_ethdev), then a grace period
 * of the forwarding lcores (fwd.c). The answer pdump sends afterwards
 * reaches the tool when no lcore can be in the removed callback.
 */
typedef int (*remove_cb_t)(uint16_t, uint16_t,
	const struct rte_eth_rxtx_callback *);

static int
remove_then_wait(const char *sym, uint16_t port_id, uint16_t queue_id,
	const struct rte_eth_rxtx_callback *user_cb)
{
	remove_cb_t real = (remove_cb_t)(uintptr_t)dlsym(RTLD_NEXT, sym);
	int ret;

	if (real == NULL) {
		fprintf(stderr, "%s: not found in ethdev: %s\n", sym, dlerror());
		return -ENOTSUP;
	}
	ret = real(port_id, queue_id, user_cb);
	if (ret == 0)
		etp_fwd_grace_period();
	return ret;
}

int
rte_eth_remove_rx_callback(uint16_t port_id, uint16_t queue_id,
	const struct rte_eth_rxtx_callback *user_cb)
{
	return remove_then_wait("rte_eth_remove_rx_callback", port_id,
		queue_id, user_cb);
}

int
rte_eth_remove_tx_callback(uint16_t port_id, uint16_t queue_id,
	const struct rte_eth_rxtx_callback *user_cb)
{
	return remove_then_wait("rte_eth_remove_tx_callback", port_id,
		queue_id, user_cb);
}

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
