/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * librte_extmem_plugin.so: brings librte_extmem into a DPDK program that
 * does not link it (dpdk-proc-info, dpdk-pdump, dpdk-dumpcap, stock
 * dpdk-testpmd as a secondary), so that the library's EAL hook attaches
 * the program to the primary's external memory during rte_eal_init().
 * EAL loads it with -d, or by itself from the installed DPDK's default
 * driver directory, where it is installed.
 *
 * The plugin has no code of its own: the library's constructors and its
 * hook do the work, and in a process with nothing to attach they do
 * nothing visible (extmem_lazy.c). The one reference below makes the
 * link keep librte_extmem as a dependency of the plugin (--as-needed
 * would drop a library nothing refers to), so that loading the plugin
 * loads the library.
 */

#include <rte_common.h>

#include <rte_extmem.h>

/* Never called: the reference is what keeps the library a dependency. */
__rte_used static int (*const extmem_plugin_needs)(rte_extmem_region_walk_t,
	void *) = rte_extmem_region_walk;
