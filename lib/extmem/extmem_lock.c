/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The library's two locks and the thread's "inside an operation" marker;
 * the rule they implement is written at the top of extmem_private.h.
 *
 * op_mutex serialises operations (writers) from their start to their end,
 * across their calls out. state_lock protects what queries read: an
 * operation holds it for writing except while it calls out, queries hold
 * it for reading. Neither is recursive: a thread inside an operation that
 * starts another one is refused by its marker (EDEADLK), never by asking
 * a lock whether it holds it.
 */

#include <errno.h>
#include <pthread.h>

#include <rte_debug.h>
#include <rte_per_lcore.h>

#include "extmem_private.h"

static pthread_mutex_t op_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t state_lock = PTHREAD_RWLOCK_INITIALIZER;

/* What the calling thread is doing in the library. */
enum op_state {
	OP_NONE,	/* no operation */
	OP_WRITING,	/* in an operation, state_lock held for writing */
	OP_CALLOUT,	/* in an operation, calling out (state_lock free) */
};
static RTE_DEFINE_PER_LCORE(enum op_state, op_state);

bool
extmem_op_inside(void)
{
	return RTE_PER_LCORE(op_state) != OP_NONE;
}

int
extmem_op_begin(void)
{
	if (RTE_PER_LCORE(op_state) != OP_NONE) {
		rte_errno = EDEADLK;
		return -1;
	}
	RTE_VERIFY(pthread_mutex_lock(&op_mutex) == 0);
	RTE_VERIFY(pthread_rwlock_wrlock(&state_lock) == 0);
	RTE_PER_LCORE(op_state) = OP_WRITING;
	return 0;
}

void
extmem_op_end(void)
{
	RTE_VERIFY(RTE_PER_LCORE(op_state) == OP_WRITING);
	RTE_PER_LCORE(op_state) = OP_NONE;
	RTE_VERIFY(pthread_rwlock_unlock(&state_lock) == 0);
	RTE_VERIFY(pthread_mutex_unlock(&op_mutex) == 0);
}

bool
extmem_op_callout_begin(void)
{
	if (RTE_PER_LCORE(op_state) != OP_WRITING)
		return false;
	RTE_PER_LCORE(op_state) = OP_CALLOUT;
	RTE_VERIFY(pthread_rwlock_unlock(&state_lock) == 0);
	return true;
}

void
extmem_op_callout_end(bool began)
{
	if (!began)
		return;
	RTE_VERIFY(pthread_rwlock_wrlock(&state_lock) == 0);
	RTE_PER_LCORE(op_state) = OP_WRITING;
}

void
extmem_query_begin(void)
{
	/* the operation's own thread reads its state without the lock */
	if (RTE_PER_LCORE(op_state) == OP_WRITING)
		return;
	RTE_VERIFY(pthread_rwlock_rdlock(&state_lock) == 0);
}

void
extmem_query_end(void)
{
	if (RTE_PER_LCORE(op_state) == OP_WRITING)
		return;
	RTE_VERIFY(pthread_rwlock_unlock(&state_lock) == 0);
}
