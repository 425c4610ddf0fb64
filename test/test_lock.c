/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The locking rule (extmem_private.h): queries from another thread do not
 * wait for an operation that is calling out (an event callback running),
 * a walk's callback runs with no lock held (another thread may run an
 * operation meanwhile), and an operation started from inside one in the
 * same thread is refused with EDEADLK.
 *
 * A helper thread does the work and the test waits for it with a timeout:
 * under a library-wide lock held across the callback, the helper blocks
 * and the wait times out (the test fails instead of hanging).
 */

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>

#include <rte_extmem.h>
#include <rte_extmem_event.h>
#include <rte_extmem_heap.h>
#include <rte_extmem_limits.h>

#include "test.h"
#include "test_dma_util.h"
#include "test_region_util.h"

#define LOCK_WAIT_S 20

struct helper {
	pthread_t tid;
	bool started;
	/* results */
	unsigned int n_regions;
	unsigned int n_walked;
	int info_ret;
	struct rte_extmem_region_info info;
	int heap_walk_ret;
	int limits_ret;
	struct rte_extmem_region *lookup;
	struct rte_extmem_region *created;
	int destroy_ret;
	const char *name;	/* region the helper queries */
	bool create;		/* the helper creates and destroys a region */
};

static int
walk_count_cb(const struct rte_extmem_region *r __rte_unused,
	const struct rte_extmem_region_info *info __rte_unused, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static int
heap_walk_cb(const struct rte_extmem_heap *h __rte_unused,
	const struct rte_extmem_heap_info *info __rte_unused,
	void *arg __rte_unused)
{
	return 0;
}

static void *
helper_main(void *arg)
{
	struct helper *hp = arg;
	struct rte_extmem_limits l;

	if (hp->create) {
		hp->created = test_anon_region("lock_helper", 1, 0);
		if (hp->created != NULL)
			hp->destroy_ret = rte_extmem_region_destroy(hp->created);
		return NULL;
	}
	hp->n_regions = test_region_count();
	rte_extmem_region_walk(walk_count_cb, &hp->n_walked);
	hp->lookup = rte_extmem_region_lookup(hp->name);
	hp->info_ret = hp->lookup == NULL ? -1 :
		rte_extmem_region_info_get(hp->lookup, &hp->info);
	hp->heap_walk_ret = rte_extmem_heap_walk(heap_walk_cb, NULL);
	hp->limits_ret = rte_extmem_limits_get(&l);
	return NULL;
}

static int
helper_start(struct helper *hp)
{
	hp->started = pthread_create(&hp->tid, NULL, helper_main, hp) == 0;
	return hp->started ? 0 : -1;
}

/* 0 once the helper finished, -1 if it is still blocked after the wait. */
static int
helper_wait(struct helper *hp)
{
	struct timespec ts;

	if (!hp->started)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += LOCK_WAIT_S;
	if (pthread_timedjoin_np(hp->tid, NULL, &ts) != 0)
		return -1;
	hp->started = false;
	return 0;
}

struct lock_sub {
	struct helper query;
	int query_wait;
	unsigned int calls;
	struct rte_extmem_heap *heap;
	int heap_err;
	int destroy_ret, destroy_err;
};

/* From inside the event: queries in another thread finish meanwhile; an
 * operation in this thread is refused.
 */
static int
lock_sub_cb(const struct rte_extmem_event *ev, void *arg)
{
	struct lock_sub *ls = arg;
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;

	if (ev->type != RTE_EXTMEM_EVENT_REGION_REGISTERED || ev->replay)
		return 0;
	ls->calls++;
	ls->query.name = ev->region != NULL ? "lock_outer" : "";
	ls->query_wait = helper_start(&ls->query) == 0 ?
		helper_wait(&ls->query) : -1;

	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	hp.name = "lock_nested_heap";
	hp_r.len = 4096;
	ls->heap = rte_extmem_heap_create(&hp);
	ls->heap_err = rte_errno;
	ls->destroy_ret = rte_extmem_region_destroy(ev->region);
	ls->destroy_err = rte_errno;
	return 0;
}

static int
test_lock_queries(void)
{
	struct lock_sub ls;
	unsigned int nregions = test_region_count();
	struct rte_extmem_region *r;
	int ret;

	memset(&ls, 0, sizeof(ls));
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("lock_sub", 0, lock_sub_cb,
		&ls), 0, "subscribe: %s", rte_strerror(rte_errno));
	r = test_anon_region("lock_outer", 2, 0);
	ret = rte_extmem_event_unsubscribe("lock_sub");
	if (ls.query.started)	/* still blocked: let it finish now */
		pthread_join(ls.query.tid, NULL);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(ret, 0, "unsubscribe");
	TEST_ASSERT_EQ(ls.calls, 1, "callback calls");
	TEST_ASSERT_EQ(ls.query_wait, 0, "queries of another thread waited "
		"for the event callback");
	/* the region is linked before it is announced: queries see it */
	TEST_ASSERT_EQ(ls.query.n_regions, nregions + 1, "count");
	TEST_ASSERT_EQ(ls.query.n_walked, nregions + 1, "walk");
	TEST_ASSERT(ls.query.lookup == r, "lookup");
	TEST_ASSERT_EQ(ls.query.info_ret, 0, "info_get");
	TEST_ASSERT_EQ(ls.query.info.len, 2 * 4096, "info len");
	TEST_ASSERT_EQ(ls.query.heap_walk_ret, 0, "heap walk");
	TEST_ASSERT_EQ(ls.query.limits_ret, 0, "limits");
	/* the same thread, inside the operation */
	TEST_ASSERT_NULL(ls.heap, "heap created inside a callback");
	TEST_ASSERT_EQ(ls.heap_err, EDEADLK, "heap create errno");
	TEST_ASSERT_EQ(ls.destroy_ret, -1, "destroy inside a callback");
	TEST_ASSERT_EQ(ls.destroy_err, EDEADLK, "destroy errno");
	TEST_ASSERT_NULL(rte_extmem_heap_lookup("lock_nested_heap"),
		"no nested heap");
	TEST_ASSERT_EQ(test_region_count(), nregions + 1, "regions");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(lock_queries, test_lock_queries, 0);

struct walk_op {
	struct helper op;
	int op_wait;
	unsigned int calls;
};

/* From a walk's callback: another thread creates and destroys a region. */
static int
walk_op_cb(const struct rte_extmem_region *r __rte_unused,
	const struct rte_extmem_region_info *info __rte_unused, void *arg)
{
	struct walk_op *w = arg;

	if (w->calls++ > 0)
		return 0;
	w->op.create = true;
	w->op_wait = helper_start(&w->op) == 0 ? helper_wait(&w->op) : -1;
	return 0;
}

static int
test_lock_walk(void)
{
	struct walk_op w;
	struct rte_extmem_region *r;
	int ret;

	memset(&w, 0, sizeof(w));
	r = test_anon_region("lock_walked", 1, 0);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	ret = rte_extmem_region_walk(walk_op_cb, &w);
	if (w.op.started)
		pthread_join(w.op.tid, NULL);
	TEST_ASSERT_EQ(ret, 0, "walk");
	TEST_ASSERT(w.calls >= 1, "walk calls");
	TEST_ASSERT_EQ(w.op_wait, 0, "an operation of another thread waited "
		"for the walk's callback");
	TEST_ASSERT_NOT_NULL(w.op.created, "helper's region: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(w.op.destroy_ret, 0, "helper's destroy");
	TEST_ASSERT_NULL(rte_extmem_region_lookup("lock_helper"), "gone");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(lock_walk, test_lock_walk, 0);
