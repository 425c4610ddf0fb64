/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Helper threads on the CPUs EAL was given. The library splits a few
 * long, cold operations (pinning and resolving a large region, EAL's
 * registration beside it) among threads of its own. A thread inherits
 * the CPU set of the thread that starts it, and EAL binds each lcore
 * thread to its own CPUs: started from the main lcore, every helper
 * would share that one CPU and nothing would run in parallel. So a
 * helper is bound to the union of the CPU sets of all EAL lcores (the
 * kernel spreads the helpers over them), which is also where the
 * application allowed DPDK to run.
 */

#include <pthread.h>
#include <sched.h>

#include <rte_lcore.h>

#include "extmem_private.h"

unsigned int
extmem_thread_cpus(rte_cpuset_t *set)
{
	unsigned int lc;

	CPU_ZERO(set);
	RTE_LCORE_FOREACH(lc) {
		rte_cpuset_t c = rte_lcore_cpuset(lc);

		CPU_OR(set, set, &c);
	}
	return (unsigned int)CPU_COUNT(set);
}

int
extmem_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	rte_cpuset_t set;
	int ret;

	if (pthread_attr_init(&attr) != 0)
		return pthread_create(th, NULL, fn, arg);
	if (extmem_thread_cpus(&set) > 0)
		(void)pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	ret = pthread_create(th, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return ret;
}
