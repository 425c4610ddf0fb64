/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Helper threads on the CPUs EAL was given. The library splits a few
 * long, cold steps of an operation among threads of its own (pinning and
 * resolving a large region; reading a region's physical addresses while
 * the caller registers it with EAL); the operation joins them before it
 * goes on, and a helper calls nothing of the library and nothing that
 * can call back into it.
 *
 * A thread inherits the CPU set of the thread that starts it, and EAL
 * binds each lcore thread to its own CPUs: started from the main lcore,
 * every helper would share that one CPU and nothing would run in
 * parallel. So a helper is bound to the caller's own CPUs and those of
 * every EAL lcore that is idle (waiting for work, not running a function
 * the application launched on it): the CPUs the application gave DPDK,
 * less those its lcores are busy on (a forwarding lcore keeps its CPU).
 * Service cores and non-EAL threads are not counted.
 */

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "extmem_private.h"

/* Enough for what helpers run (pinning, EAL's registration). */
#define HELPER_STACK_SIZE (256u << 10)
#define HELPER_NAME "extmem-helper"

unsigned int
extmem_thread_cpus(rte_cpuset_t *set)
{
	rte_cpuset_t c;
	unsigned int lc;

	CPU_ZERO(set);
	if (pthread_getaffinity_np(pthread_self(), sizeof(*set), set) != 0)
		CPU_ZERO(set);
	RTE_LCORE_FOREACH(lc) {
		if (rte_eal_get_lcore_state(lc) != WAIT)
			continue;
		c = rte_lcore_cpuset(lc);
		RTE_CPU_OR(set, set, &c);
	}
	return (unsigned int)CPU_COUNT(set);
}

unsigned int
extmem_thread_self_cpus(void)
{
	rte_cpuset_t set;

	if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		return 0;
	return (unsigned int)CPU_COUNT(&set);
}

/* A helper thread, bound to the helpers' CPUs or not. */
static int
helper_create(pthread_t *th, void *(*fn)(void *), void *arg, bool on_cpus)
{
	pthread_attr_t attr;
	rte_cpuset_t set;
	int ret;

	if (pthread_attr_init(&attr) != 0)
		return pthread_create(th, NULL, fn, arg);
	(void)pthread_attr_setstacksize(&attr, HELPER_STACK_SIZE);
	if (on_cpus && extmem_thread_cpus(&set) > 0 &&
			pthread_attr_setaffinity_np(&attr, sizeof(set), &set) != 0)
		EXTMEM_LOG(DEBUG, "helper thread: cannot ask for the EAL "
			"lcores' CPUs");
	ret = pthread_create(th, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return ret;
}

int
extmem_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	int ret = helper_create(th, fn, arg, true);

	if (ret == EINVAL) {
		/* none of those CPUs allowed any more (cpuset changed since
		 * rte_eal_init()): where the caller runs
		 */
		EXTMEM_LOG(DEBUG, "helper thread: the EAL lcores' CPUs are "
			"refused, starting it on the caller's");
		ret = helper_create(th, fn, arg, false);
	}
	if (ret == 0)
		(void)pthread_setname_np(*th, HELPER_NAME);
	return ret;
}
