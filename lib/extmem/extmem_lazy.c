/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * What the library's constructors must not do when it is merely loaded.
 *
 * librte_extmem is loaded into processes that never use it: net_mrnic and
 * the EAL plugin (plugin/) sit in the installed DPDK's default driver
 * directory, which EAL loads into every DPDK program during
 * rte_eal_init(). There, loading must change nothing a user can see: no
 * thread, no file, no telemetry command. So a constructor queues its work
 * here (telemetry commands), and the queue runs once, when the library is
 * used in the process: at its explicit start (extmem_init(): the first
 * region, heap or subscriber) or when a secondary process attaches to a
 * primary's memory.
 *
 * A program that links the library is a user of it by definition: its
 * constructors run before main(), before rte_eal_init(), which is when
 * EAL has counted no lcore yet (rte_eal_init() counts them before it
 * loads plugins); there the work is done at once, as a plain constructor
 * would.
 */

#include <pthread.h>

#include <rte_common.h>
#include <rte_lcore.h>

#include "extmem_private.h"

#define LAZY_MAX 16

static struct {
	pthread_mutex_t lock;
	void (*fn[LAZY_MAX])(void);
	unsigned int n;
	bool ran;
} lazy = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

void
extmem_lazy_add(void (*fn)(void))
{
	bool now;

	pthread_mutex_lock(&lazy.lock);
	now = lazy.ran || rte_lcore_count() == 0;
	if (!now) {
		RTE_VERIFY(lazy.n < LAZY_MAX);
		lazy.fn[lazy.n++] = fn;
	}
	pthread_mutex_unlock(&lazy.lock);
	if (now)
		fn();
}

void
extmem_lazy_run(void)
{
	void (*fn[LAZY_MAX])(void);
	unsigned int n, i;

	pthread_mutex_lock(&lazy.lock);
	n = lazy.ran ? 0 : lazy.n;
	for (i = 0; i < n; i++)
		fn[i] = lazy.fn[i];
	lazy.ran = true;
	lazy.n = 0;
	pthread_mutex_unlock(&lazy.lock);
	for (i = 0; i < n; i++)
		fn[i]();
}

bool
extmem_lazy_pending(void)
{
	bool pending;

	pthread_mutex_lock(&lazy.lock);
	pending = !lazy.ran && lazy.n > 0;
	pthread_mutex_unlock(&lazy.lock);
	return pending;
}
