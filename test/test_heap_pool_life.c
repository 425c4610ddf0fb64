/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * One lifetime for a pool of rte_extmem_pktmbuf_pool_create() and its
 * heap: rte_extmem_pktmbuf_pool_free() checks every other user before it
 * frees anything; a pool's heap takes no new region; a pool freed with
 * upstream rte_mempool_free() takes its heap, regions and memseg lists
 * with it, and its name can be used again; a library free beside the
 * alarm that reaps such heaps destroys its heap once.
 */

#include <errno.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test.h"
#include "test_heap_util.h"

#define LIFE_N 511
#define LIFE_NAME "life_pool"

static struct rte_mempool *
life_pool_named(const char *name)
{
	struct rte_extmem_region_params bp;

	rte_extmem_region_params_init(&bp);
	bp.backing = RTE_EXTMEM_BACKING_ANON;
	return rte_extmem_pktmbuf_pool_create(name, LIFE_N, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, &bp);
}

static struct rte_mempool *
life_pool(void)
{
	return life_pool_named(LIFE_NAME);
}

static int
life_region(struct rte_mempool *mp, struct rte_extmem_region **r)
{
	struct rte_extmem_heap *h = rte_extmem_heap_lookup(mp->name);

	TEST_ASSERT_NOT_NULL(h, "pool heap: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(h, r, 1), 1, "one region");
	return TEST_SUCCESS;
}

static int
region_users(const struct rte_extmem_region *r, uint32_t expected)
{
	struct rte_extmem_region_info ri;

	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &ri), 0, "region info");
	TEST_ASSERT_EQ(ri.users, expected, "users of region %s", ri.name);
	return TEST_SUCCESS;
}

/* The pool works: every mbuf can be taken and given back. */
static int
pool_usable(struct rte_mempool *mp)
{
	struct rte_mbuf *m[LIFE_N];

	TEST_ASSERT(rte_mempool_lookup(LIFE_NAME) == mp, "pool by name");
	TEST_ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, m, LIFE_N), 0, "all mbufs");
	memset(rte_pktmbuf_mtod(m[LIFE_N - 1], void *), 0x5a, 64);
	rte_pktmbuf_free_bulk(m, LIFE_N);
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), LIFE_N, "all back");
	return TEST_SUCCESS;
}

/* Another user of a region: EBUSY before anything is freed. */
static int
free_refused_first(void)
{
	struct rte_extmem_region *r;
	struct test_heap_snap s, s0;
	struct rte_mempool *mp;

	test_heap_snap(&s0);
	mp = life_pool();
	TEST_ASSERT_NOT_NULL(mp, "pool: %s", rte_strerror(rte_errno));
	TEST_RUN(life_region(mp, &r));
	TEST_RUN(region_users(r, 1));
	TEST_ASSERT_EQ(rte_extmem_region_user_get(r), 0, "user get");
	test_heap_snap(&s);
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_free(mp) == -1, EBUSY,
		"free a pool whose region has another user");
	TEST_RUN(test_heap_snap_same(&s, "refused pool free"));
	TEST_RUN(pool_usable(mp));
	TEST_RUN(region_users(r, 2));
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_free(mp) == -1, EBUSY,
		"second refused free");
	TEST_RUN(pool_usable(mp));
	TEST_ASSERT_EQ(rte_extmem_region_user_put(r), 0, "user put");
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(mp), 0, "pool free: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_NULL(rte_mempool_lookup(LIFE_NAME), "pool gone");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_free(mp) == -1, EINVAL,
		"free a freed pool");
	return test_heap_snap_same(&s0, "pool freed");
}

/* A pool's heap takes no new region; counts stay exact. */
static int
no_region_added(void)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_region *r;
	struct rte_extmem_heap *h;
	struct test_heap_snap s, s0;
	struct rte_mempool *mp;

	test_heap_snap(&s0);
	mp = life_pool();
	TEST_ASSERT_NOT_NULL(mp, "pool: %s", rte_strerror(rte_errno));
	h = rte_extmem_heap_lookup(mp->name);
	TEST_RUN(life_region(mp, &r));
	rte_extmem_region_params_init(&rp);
	rp.len = 1 << 20;
	test_heap_snap(&s);
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_add(h, &rp) == NULL, EPERM,
		"add a region to a pool's heap");
	TEST_RUN(test_heap_snap_same(&s, "refused region add"));
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(h, NULL, 0), 1,
		"still one region");
	TEST_RUN(region_users(r, 1));
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(mp), 0, "pool free: %s",
		rte_strerror(rte_errno));
	return test_heap_snap_same(&s0, "pool freed");
}

/* rte_mempool_free(): the heap goes with the pool; the name is free. */
static int
upstream_free(void)
{
	struct rte_extmem_heap_info info;
	struct rte_extmem_region *r;
	struct rte_extmem_heap *h;
	struct test_heap_snap s0;
	struct rte_mempool *mp;

	test_heap_snap(&s0);
	mp = life_pool();
	TEST_ASSERT_NOT_NULL(mp, "pool: %s", rte_strerror(rte_errno));
	TEST_RUN(pool_usable(mp));
	rte_mempool_free(mp);
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup(LIFE_NAME) == NULL, ENOENT,
		"heap gone with the pool");
	TEST_RUN(test_heap_snap_same(&s0, "rte_mempool_free"));
	TEST_ASSERT_ERRNO(rte_malloc_heap_get_socket(LIFE_NAME) == -1, ENOENT,
		"EAL heap gone");

	/* the name again; a user keeps the heap after rte_mempool_free() */
	mp = life_pool();
	TEST_ASSERT_NOT_NULL(mp, "pool again: %s", rte_strerror(rte_errno));
	h = rte_extmem_heap_lookup(mp->name);
	TEST_RUN(life_region(mp, &r));
	TEST_ASSERT_EQ(rte_extmem_region_user_get(r), 0, "user get");
	rte_mempool_free(mp);
	TEST_ASSERT(rte_extmem_heap_lookup(LIFE_NAME) == h,
		"heap kept by the region's user");
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(h, &info), 0, "info");
	TEST_ASSERT_EQ(info.pool[0], '\0', "no pool any more");
	TEST_ASSERT_EQ(info.alloc_count, 0, "pool memory freed");
	TEST_RUN(region_users(r, 1));
	TEST_ASSERT_ERRNO(rte_extmem_heap_destroy(h) == -1, EBUSY,
		"destroy while the region has a user");
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_add(h, NULL) == NULL, EPERM,
		"the freed pool's heap takes no region either");
	TEST_ASSERT_EQ(rte_extmem_region_user_put(r), 0, "user put");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup(LIFE_NAME) == NULL, ENOENT,
		"heap gone with its last user");
	TEST_RUN(test_heap_snap_same(&s0, "last user gone"));

	/* and once more through the library */
	mp = life_pool();
	TEST_ASSERT_NOT_NULL(mp, "pool a third time: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(mp), 0, "pool free: %s",
		rte_strerror(rte_errno));
	return test_heap_snap_same(&s0, "pool freed");
}

/*
 * rte_extmem_pktmbuf_pool_free() while the EAL alarm reaps: a heap kept
 * by a region user after rte_mempool_free() keeps the alarm re-arming
 * every millisecond; each library free beside it must destroy its own
 * heap exactly once (the alarm once reaped it between mempool's event and
 * the free's last step: a use after free ASan caught 1 run in ~25).
 */
#define LIFE_REAP_ROUNDS 200

static int
free_beside_reaper(void)
{
	struct rte_extmem_region *kept;
	struct test_heap_snap s0;
	struct rte_mempool *mp;
	unsigned int i;

	test_heap_snap(&s0);
	mp = life_pool_named("life_kept");
	TEST_ASSERT_NOT_NULL(mp, "kept pool: %s", rte_strerror(rte_errno));
	TEST_RUN(life_region(mp, &kept));
	TEST_ASSERT_EQ(rte_extmem_region_user_get(kept), 0, "user get");
	rte_mempool_free(mp); /* its heap waits for the user: alarm armed */
	for (i = 0; i < LIFE_REAP_ROUNDS; i++) {
		mp = life_pool();
		TEST_ASSERT_NOT_NULL(mp, "pool %u: %s", i,
			rte_strerror(rte_errno));
		TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(mp), 0,
			"pool free %u: %s", i, rte_strerror(rte_errno));
		TEST_ASSERT_ERRNO(rte_extmem_heap_lookup(LIFE_NAME) == NULL,
			ENOENT, "heap of pool %u gone", i);
	}
	TEST_ASSERT_NOT_NULL(rte_extmem_heap_lookup("life_kept"),
		"the kept heap waits for its user");
	TEST_RUN(region_users(kept, 1));
	TEST_ASSERT_EQ(rte_extmem_region_user_put(kept), 0, "user put");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup("life_kept") == NULL, ENOENT,
		"kept heap gone with its user");
	return test_heap_snap_same(&s0, "pools freed beside the reaper");
}

static int
test_heap_pool_life(void)
{
	TEST_RUN(free_refused_first());
	TEST_RUN(no_region_added());
	TEST_RUN(upstream_free());
	TEST_RUN(free_beside_reaper());
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(heap_pool_life, test_heap_pool_life, 0);
