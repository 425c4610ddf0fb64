/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Heaps: growth (explicit and on demand, up to the maximum), shrinking
 * only what is unused (EBUSY with nothing changed for every allocator's
 * objects), trimming, and the limits (RTE_MAX_HEAPS, memseg lists).
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_memzone.h>
#include <rte_ring.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_region_util.h"

#define MB (1UL << 20)

static int
heap_info(struct rte_extmem_heap *h, struct rte_extmem_heap_info *info)
{
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(h, info), 0, "info: %s",
		rte_strerror(rte_errno));
	return TEST_SUCCESS;
}

/* The region of h holding p. */
static struct rte_extmem_region *
region_of(struct rte_extmem_heap *h, const void *p)
{
	struct rte_extmem_region *r = rte_extmem_virt2region(p);
	struct rte_extmem_region_info info;

	if (r == NULL || rte_extmem_region_info_get(r, &info) != 0)
		return NULL;
	return info.socket_id == test_heap_socket(h) ? r : NULL;
}

static int
test_heap_grow_shrink(void)
{
	struct rte_extmem_region *regions[8], *r2, *rs;
	struct rte_extmem_region_params rp;
	struct rte_extmem_heap_info info;
	struct test_heap_snap s;
	struct test_heap th;
	unsigned int n_alloc, i;
	size_t bytes;
	uint8_t *p[4];

	test_heap_snap(&s);
	TEST_RUN(test_heap_make(&th, "grow", RTE_EXTMEM_BACKING_ANON, MB, MB,
		3 * MB));
	/* three allocations of 700K: each needs a region of its own */
	for (i = 0; i < 3; i++) {
		p[i] = rte_extmem_heap_malloc(th.h, "grow", 700 * 1024, 64);
		TEST_ASSERT_NOT_NULL(p[i], "allocation %u: %s", i,
			rte_strerror(rte_errno));
		TEST_ASSERT(test_heap_contains(th.h, p[i], 700 * 1024),
			"allocation %u inside the heap", i);
		TEST_ASSERT_EQ((uintptr_t)p[i] % 64, 0, "alignment");
		TEST_ASSERT_NE(rte_extmem_virt2iova(p[i]), RTE_BAD_IOVA,
			"IOVA of allocation %u", i);
		TEST_ASSERT_EQ(rte_malloc_virt2iova(p[i]),
			rte_extmem_virt2iova(p[i]), "EAL IOVA %u", i);
		memset(p[i], 0x30 + i, 700 * 1024);
	}
	TEST_RUN(heap_info(th.h, &info));
	TEST_ASSERT_EQ(info.n_regions, 3, "regions after growth");
	TEST_ASSERT_EQ(info.size, 3 * MB, "size after growth");
	TEST_ASSERT_EQ(info.n_grown, 2, "regions added on demand");
	TEST_ASSERT_EQ(info.alloc_count, 3, "allocations");
	TEST_ASSERT_EQ(test_msl_count(), s.msls + 3, "memseg lists");
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, regions,
		RTE_DIM(regions)), 3, "regions_get");
	for (i = 0; i < 3; i++) {
		TEST_ASSERT_EQ(rte_extmem_heap_region_usage(th.h, regions[i],
			&n_alloc, &bytes), 0, "usage %u", i);
		TEST_ASSERT_EQ(n_alloc, 1, "one allocation in region %u", i);
		TEST_ASSERT_GE(bytes, 700 * 1024, "bytes in region %u", i);
	}

	/* the maximum is reached: no growth, nothing changed */
	test_heap_snap(&s);
	TEST_ASSERT_ERRNO(rte_extmem_heap_malloc(th.h, "grow", 700 * 1024, 0)
		== NULL, ENOMEM, "growth beyond max_len");
	TEST_ASSERT_ERRNO(rte_extmem_heap_ensure(th.h, 2 * MB, 0) == -1,
		ENOMEM, "ensure beyond max_len");
	TEST_RUN(test_heap_snap_same(&s, "refused growth"));
	TEST_RUN(heap_info(th.h, &info));
	TEST_ASSERT_EQ(info.n_grow_failed, 2, "failed growths counted");
	TEST_ASSERT_EQ(info.size, 3 * MB, "size unchanged");

	/* a region holding an allocation cannot go: EBUSY, nothing changed */
	r2 = region_of(th.h, p[1]);
	TEST_ASSERT_NOT_NULL(r2, "region of allocation 1");
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(th.h, r2) == -1, EBUSY,
		"remove a region with an allocation");
	TEST_RUN(test_heap_snap_same(&s, "refused removal"));
	TEST_ASSERT(rte_extmem_virt2region(p[1]) == r2, "translation kept");
	TEST_ASSERT_NOT_NULL(rte_mem_virt2memseg_list(p[1]), "EAL kept it");
	TEST_ASSERT_EQ(p[1][0] + p[1][700 * 1024 - 1], 2 * 0x31,
		"content kept");
	/* a user of the region blocks it too */
	rte_free(p[1]);
	TEST_ASSERT_EQ(rte_extmem_region_user_get(r2), 0, "user_get");
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(th.h, r2) == -1, EBUSY,
		"remove a region with a user");
	TEST_ASSERT_EQ(rte_extmem_region_user_put(r2), 0, "user_put");
	TEST_ASSERT_EQ(rte_extmem_heap_region_remove(th.h, r2), 0, "remove: %s",
		rte_strerror(rte_errno));
	TEST_RUN(heap_info(th.h, &info));
	TEST_ASSERT_EQ(info.n_regions, 2, "regions after removal");
	TEST_ASSERT_EQ(info.size, 2 * MB, "size after removal");
	TEST_ASSERT_EQ(test_msl_count(), s.msls - 1, "memseg list released");

	/* explicit growth with another backing; ensure() */
	rte_extmem_region_params_init(&rp);
	rp.backing = RTE_EXTMEM_BACKING_SHARED;
	rp.len = MB / 2;
	rs = rte_extmem_heap_region_add(th.h, &rp);
	TEST_ASSERT_NOT_NULL(rs, "add a shared region: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, regions,
		RTE_DIM(regions)), 3, "regions_get");
	TEST_ASSERT(regions[2] == rs, "regions in the order added");
	TEST_ASSERT_EQ(rte_extmem_heap_ensure(th.h, 400 * 1024, 0), 0,
		"ensure a fitting size");
	TEST_RUN(heap_info(th.h, &info));
	TEST_ASSERT_EQ(info.n_regions, 3, "no growth when it fits");
	p[1] = rte_extmem_heap_zmalloc(th.h, NULL, 400 * 1024, 0);
	TEST_ASSERT_NOT_NULL(p[1], "zmalloc");
	TEST_ASSERT(region_of(th.h, p[1]) == rs, "in the shared region");
	for (i = 0; i < 400 * 1024; i += 4096)
		TEST_ASSERT_EQ(p[1][i], 0, "zeroed at %u", i);

	/* trim removes exactly the regions without allocations */
	rte_free(p[0]);
	TEST_ASSERT_EQ(rte_extmem_heap_trim(th.h), 1, "trim");
	TEST_RUN(heap_info(th.h, &info));
	TEST_ASSERT_EQ(info.n_regions, 2, "regions after trim");
	TEST_ASSERT_ERRNO(rte_extmem_heap_destroy(th.h) == -1, EBUSY,
		"destroy with allocations");
	rte_free(p[1]);
	rte_free(p[2]);
	TEST_RUN(test_heap_free(&th));
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(heap_grow_shrink, test_heap_grow_shrink, 0);

/* An object of each standard allocator keeps its region busy. */
enum busy_kind {
	BUSY_MALLOC, BUSY_ZMALLOC, BUSY_MEMZONE, BUSY_RING, BUSY_MEMPOOL,
	BUSY_PKTMBUF, BUSY_MAX
};

static const char * const busy_names[BUSY_MAX] = {
	"rte_malloc_socket", "rte_zmalloc_socket", "rte_memzone_reserve",
	"rte_ring_create", "rte_mempool_create", "rte_pktmbuf_pool_create",
};

static int
busy_one(struct test_heap *th, struct rte_extmem_region *r,
	enum busy_kind k)
{
	const struct rte_memzone *mz = NULL;
	struct rte_mempool *mp = NULL;
	struct rte_ring *ring = NULL;
	struct test_heap_snap s;
	unsigned int n_alloc;
	void *p = NULL;

	switch (k) {
	case BUSY_MALLOC:
		p = rte_malloc_socket("busy", 100, 0, th->socket);
		break;
	case BUSY_ZMALLOC:
		p = rte_zmalloc_socket("busy", 100, 0, th->socket);
		break;
	case BUSY_MEMZONE:
		mz = rte_memzone_reserve("busy_mz", 8192, th->socket, 0);
		p = mz == NULL ? NULL : mz->addr;
		break;
	case BUSY_RING:
		ring = rte_ring_create("busy_ring", 256, th->socket, 0);
		p = ring;
		break;
	case BUSY_MEMPOOL:
		mp = rte_mempool_create("busy_mp", 63, 128, 0, 0, NULL, NULL,
			NULL, NULL, th->socket, 0);
		p = mp;
		break;
	case BUSY_PKTMBUF:
		mp = rte_pktmbuf_pool_create("busy_pk", 63, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, th->socket);
		p = mp;
		break;
	default:
		return TEST_FAILED;
	}
	TEST_ASSERT_NOT_NULL(p, "%s: %s", busy_names[k],
		rte_strerror(rte_errno));
	TEST_ASSERT(test_heap_contains(th->h, p, 1), "%s inside the heap",
		busy_names[k]);
	TEST_ASSERT_EQ(rte_extmem_heap_region_usage(th->h, r, &n_alloc, NULL),
		0, "usage");
	TEST_ASSERT_GE(n_alloc, 1, "%s counted", busy_names[k]);
	test_heap_snap(&s);
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(th->h, r) == -1, EBUSY,
		"remove a region holding a %s object", busy_names[k]);
	TEST_ASSERT_ERRNO(rte_extmem_heap_destroy(th->h) == -1, EBUSY,
		"destroy a heap holding a %s object", busy_names[k]);
	TEST_RUN(test_heap_snap_same(&s, busy_names[k]));
	TEST_ASSERT(rte_extmem_virt2region(p) == r, "translation kept");
	switch (k) {
	case BUSY_MALLOC:
	case BUSY_ZMALLOC:
		rte_free(p);
		break;
	case BUSY_MEMZONE:
		rte_memzone_free(mz);
		break;
	case BUSY_RING:
		rte_ring_free(ring);
		break;
	default:
		rte_mempool_free(mp);
		break;
	}
	TEST_ASSERT_EQ(rte_extmem_heap_region_usage(th->h, r, &n_alloc, NULL),
		0, "usage");
	TEST_ASSERT_EQ(n_alloc, 0, "%s freed", busy_names[k]);
	return TEST_SUCCESS;
}

static int
test_heap_busy(void)
{
	struct rte_extmem_region *r;
	struct test_heap th;
	unsigned int k;

	TEST_RUN(test_heap_make(&th, "busy", RTE_EXTMEM_BACKING_ANON, 4 * MB,
		0, 0));
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, &r, 1), 1, "region");
	for (k = 0; k < BUSY_MAX; k++)
		TEST_RUN(busy_one(&th, r, k));
	TEST_ASSERT_EQ(rte_extmem_heap_region_remove(th.h, r), 0,
		"remove the emptied region: %s", rte_strerror(rte_errno));
	TEST_RUN(test_heap_free(&th));
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(heap_busy, test_heap_busy, 0);

/* RTE_MAX_HEAPS: heaps until ENOSPC, which changes nothing. */
static int
test_heap_enospc_heaps(void)
{
	struct rte_extmem_heap *heaps[RTE_MAX_HEAPS];
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;
	unsigned int expect, n = 0, i;
	struct test_heap_snap s;
	char name[32];

	expect = test_heap_free_eal_heaps();
	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	hp_r.len = 65536;
	hp.name = name;
	for (;;) {
		snprintf(name, sizeof(name), "many%u", n);
		test_heap_snap(&s);
		heaps[n] = rte_extmem_heap_create(&hp);
		if (heaps[n] == NULL)
			break;
		TEST_ASSERT_LT(++n, RTE_MAX_HEAPS, "more heaps than EAL has");
	}
	TEST_ASSERT_EQ(rte_errno, ENOSPC, "error when out of heaps: %s",
		rte_strerror(rte_errno));
	TEST_RUN(test_heap_snap_same(&s, "ENOSPC"));
	TEST_LOG("%u external heaps fit (RTE_MAX_HEAPS %d, %u native)", n,
		RTE_MAX_HEAPS, rte_socket_count());
	TEST_ASSERT_EQ(n, expect, "heaps created");
	/* a freed slot is usable again */
	TEST_ASSERT_EQ(rte_extmem_heap_destroy(heaps[0]), 0, "destroy");
	heaps[0] = rte_extmem_heap_create(&hp);
	TEST_ASSERT_NOT_NULL(heaps[0], "create after a destroy: %s",
		rte_strerror(rte_errno));
	for (i = 0; i < n; i++)
		TEST_ASSERT_EQ(rte_extmem_heap_destroy(heaps[i]), 0,
			"destroy %u", i);
	TEST_ASSERT_EQ(test_heap_count(), 0, "no heap left");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(heap_enospc_heaps, test_heap_enospc_heaps, 0);

/* Memseg lists: regions until ENOSPC, which changes nothing. */
static int
test_heap_enospc_msl(void)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_heap_info info;
	unsigned int expect, n = 1;
	struct test_heap_snap s;
	struct test_heap th;

	expect = RTE_MAX_MEMSEG_LISTS - test_msl_count();
	TEST_RUN(test_heap_make(&th, "msl", RTE_EXTMEM_BACKING_ANON, 65536,
		0, 0));
	rte_extmem_region_params_init(&rp);
	rp.len = 65536;
	for (;;) {
		test_heap_snap(&s);
		if (rte_extmem_heap_region_add(th.h, &rp) == NULL)
			break;
		TEST_ASSERT_LT(++n, RTE_MAX_MEMSEG_LISTS, "too many lists");
	}
	TEST_ASSERT_EQ(rte_errno, ENOSPC, "error when out of memseg lists: %s",
		rte_strerror(rte_errno));
	TEST_RUN(test_heap_snap_same(&s, "ENOSPC"));
	TEST_RUN(heap_info(th.h, &info));
	TEST_ASSERT_EQ(info.n_regions, n, "regions in the heap");
	TEST_ASSERT_EQ(n, expect, "one memseg list per region");
	TEST_LOG("%u regions fit in the free memseg lists", n);
	/* every region of the full heap is unused: trim takes them all */
	TEST_ASSERT_EQ(rte_extmem_heap_trim(th.h), (int)n, "trim all");
	TEST_RUN(test_heap_free(&th));
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(heap_enospc_msl, test_heap_enospc_msl, 0);

/*
 * Upstream's hole this library closes: EAL's rte_extmem_unregister() on a
 * chunk of a bare EAL heap "succeeds" while the chunk holds an allocation
 * (the heap keeps pointing at the destroyed memseg list), whereas the heap
 * API and rte_extmem_region_destroy() refuse (EBUSY).
 */
static int
test_heap_upstream_unregister(void)
{
	size_t len = MB, pg = (size_t)sysconf(_SC_PAGESIZE);
	struct rte_extmem_region *r;
	struct test_heap th;
	void *mem, *p;

	/* upstream: the memory must stay mapped, the EAL heap stays broken */
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	TEST_ASSERT_EQ(rte_malloc_heap_create("raw_unreg"), 0, "EAL heap");
	TEST_ASSERT_EQ(rte_malloc_heap_memory_add("raw_unreg", mem, len, NULL,
		len / pg, pg), 0, "EAL heap memory");
	p = rte_malloc_socket("x", 64, 0,
		rte_malloc_heap_get_socket("raw_unreg"));
	TEST_ASSERT_NOT_NULL(p, "allocation");
	TEST_ASSERT_ERRNO(rte_malloc_heap_memory_remove("raw_unreg", mem,
		len) != 0, EBUSY, "EAL refuses to remove a busy chunk");
	TEST_ASSERT_EQ(rte_extmem_unregister(mem, len), 0,
		"EAL's rte_extmem_unregister refused a heap chunk: fixed "
		"upstream?");
	TEST_ASSERT_NULL(rte_mem_virt2memseg_list(p), "memseg list gone "
		"under a live allocation");
	TEST_LOG("upstream: rte_extmem_unregister() of a heap chunk holding "
		"an allocation succeeded; the allocation has no memseg now");

	/* this library */
	TEST_RUN(test_heap_make(&th, "unreg", RTE_EXTMEM_BACKING_ANON, MB, 0,
		0));
	p = rte_extmem_heap_malloc(th.h, "x", 64, 0);
	TEST_ASSERT_NOT_NULL(p, "allocation");
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, &r, 1), 1, "region");
	TEST_ASSERT_ERRNO(rte_extmem_region_destroy(r) == -1, EBUSY,
		"destroy a heap's region");
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(th.h, r) == -1, EBUSY,
		"remove a busy region");
	TEST_ASSERT_NOT_NULL(rte_mem_virt2memseg_list(p), "memseg list kept");
	rte_free(p);
	TEST_RUN(test_heap_free(&th));
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(heap_upstream_unregister, test_heap_upstream_unregister,
	0);
