/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Every standard allocator on a heap of each CPU-writable backing, through
 * the heap's socket ID: rte_malloc_socket, rte_zmalloc_socket,
 * rte_memzone_reserve (also IOVA-contiguous), rte_ring_create,
 * rte_mempool_create, rte_pktmbuf_pool_create. Objects lie inside the
 * heap's regions and their IOVAs (as EAL and DPDK report them) equal the
 * library's translation.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_memzone.h>
#include <rte_ring.h>

#include "test.h"
#include "test_heap_util.h"

#define HEAP_LEN (16UL << 20)

struct obj_check {
	const struct rte_extmem_heap *h;
	unsigned int n;
	unsigned int bad;
};

/* mempool object: inside the heap, never across a non-contiguous page
 * boundary, IOVA of the mempool header = translation
 */
static void
obj_cb(struct rte_mempool *mp, void *arg, void *obj,
	unsigned int idx __rte_unused)
{
	struct obj_check *c = arg;
	size_t total = mp->header_size + mp->elt_size + mp->trailer_size;
	uint8_t *start = (uint8_t *)obj - mp->header_size;
	rte_iova_t iova = rte_extmem_virt2iova(obj);

	c->n++;
	if (!test_heap_contains(c->h, start, total) ||
			iova == RTE_BAD_IOVA ||
			rte_mempool_virt2iova(obj) != iova ||
			rte_extmem_range2iova(start, total) == RTE_BAD_IOVA)
		c->bad++;
}

static void
mbuf_cb(struct rte_mempool *mp __rte_unused, void *arg, void *obj,
	unsigned int idx __rte_unused)
{
	struct obj_check *c = arg;
	struct rte_mbuf *m = obj;

	c->n++;
	if (!test_heap_contains(c->h, m->buf_addr, m->buf_len) ||
			m->buf_iova != rte_extmem_virt2iova(m->buf_addr) ||
			rte_extmem_range2iova(m->buf_addr, m->buf_len) !=
				m->buf_iova)
		c->bad++;
}

static int
check_area(const struct test_heap *th, const void *p, size_t len,
	const char *what)
{
	rte_iova_t iova = rte_extmem_virt2iova(p);

	TEST_ASSERT(test_heap_contains(th->h, p, len), "%s %p +%zu outside "
		"the heap", what, p, len);
	TEST_ASSERT_NE(iova, RTE_BAD_IOVA, "%s: no IOVA", what);
	TEST_ASSERT_EQ(rte_mem_virt2iova(p), iova, "%s: EAL IOVA", what);
	return TEST_SUCCESS;
}

static int
alloc_malloc(const struct test_heap *th)
{
	uint8_t *p, *z;
	size_t i;

	p = rte_malloc_socket("alloc", 10000, 256, th->socket);
	TEST_ASSERT_NOT_NULL(p, "rte_malloc_socket: %s",
		rte_strerror(rte_errno));
	TEST_RUN(check_area(th, p, 10000, "rte_malloc_socket"));
	TEST_ASSERT_EQ((uintptr_t)p % 256, 0, "alignment");
	TEST_ASSERT_EQ(rte_malloc_virt2iova(p), rte_extmem_virt2iova(p),
		"rte_malloc_virt2iova");
	for (i = 0; i < 10000; i++)
		p[i] = (uint8_t)i;
	for (i = 0; i < 10000; i++)
		TEST_ASSERT_EQ(p[i], (uint8_t)i, "byte %zu", i);
	rte_free(p);
	/* the same block again: zeroed by rte_zmalloc_socket */
	z = rte_zmalloc_socket("alloc", 10000, 256, th->socket);
	TEST_ASSERT_NOT_NULL(z, "rte_zmalloc_socket: %s",
		rte_strerror(rte_errno));
	TEST_RUN(check_area(th, z, 10000, "rte_zmalloc_socket"));
	for (i = 0; i < 10000; i++)
		TEST_ASSERT_EQ(z[i], 0, "zmalloc byte %zu", i);
	rte_free(z);
	return TEST_SUCCESS;
}

static int
alloc_memzone(const struct test_heap *th, bool huge_pages)
{
	const struct rte_memzone *mz;
	rte_iova_t iova;

	mz = rte_memzone_reserve("alloc_mz", 3 * 4096 + 100, th->socket, 0);
	TEST_ASSERT_NOT_NULL(mz, "rte_memzone_reserve: %s",
		rte_strerror(rte_errno));
	TEST_RUN(check_area(th, mz->addr, mz->len, "memzone"));
	TEST_ASSERT_EQ(mz->iova, rte_extmem_virt2iova(mz->addr),
		"memzone IOVA");
	TEST_ASSERT_EQ(mz->socket_id, th->socket, "memzone socket");
	TEST_ASSERT(rte_memzone_lookup("alloc_mz") == mz, "memzone lookup");
	rte_memzone_free(mz);

	mz = rte_memzone_reserve("alloc_cmz", 64 * 1024, th->socket,
		RTE_MEMZONE_IOVA_CONTIG);
	/* 4K pages in PA mode are rarely physically contiguous */
	if (rte_eal_iova_mode() == RTE_IOVA_VA || huge_pages)
		TEST_ASSERT_NOT_NULL(mz, "IOVA-contiguous memzone: %s",
			rte_strerror(rte_errno));
	if (mz == NULL) {
		TEST_LOG("no 64K of physically contiguous 4K pages: the "
			"IOVA-contiguous memzone is refused (correct)");
		return TEST_SUCCESS;
	}
	iova = rte_extmem_range2iova(mz->addr, mz->len);
	TEST_ASSERT_NE(iova, RTE_BAD_IOVA, "contiguous memzone is not");
	TEST_ASSERT_EQ(mz->iova, iova, "contiguous memzone IOVA");
	rte_memzone_free(mz);
	return TEST_SUCCESS;
}

static int
alloc_ring(const struct test_heap *th)
{
	struct rte_ring *r;
	void *in = (void *)(uintptr_t)0x1234, *out = NULL;

	r = rte_ring_create("alloc_ring", 1024, th->socket, 0);
	TEST_ASSERT_NOT_NULL(r, "rte_ring_create: %s", rte_strerror(rte_errno));
	TEST_RUN(check_area(th, r, rte_ring_get_memsize(1024), "ring"));
	TEST_ASSERT_EQ(r->memzone->iova, rte_extmem_virt2iova(r), "ring IOVA");
	TEST_ASSERT_EQ(rte_ring_enqueue(r, in), 0, "enqueue");
	TEST_ASSERT_EQ(rte_ring_dequeue(r, &out), 0, "dequeue");
	TEST_ASSERT(out == in, "ring content");
	rte_ring_free(r);
	return TEST_SUCCESS;
}

/* The n objects of a pool made on the heap pass cb, its header is there. */
static int
check_pool(const struct test_heap *th, struct rte_mempool *mp,
	unsigned int n, rte_mempool_obj_cb_t *cb, const char *what)
{
	struct obj_check c = { .h = th->h };

	TEST_RUN(check_area(th, mp, sizeof(*mp), what));
	TEST_ASSERT_EQ(rte_mempool_obj_iter(mp, cb, &c), n, "objects of %s",
		what);
	TEST_ASSERT_EQ(c.bad, 0, "%u of %u objects of %s outside the heap or "
		"with a wrong or non-contiguous IOVA", c.bad, c.n, what);
	return TEST_SUCCESS;
}

static int
alloc_mempool(const struct test_heap *th)
{
	struct rte_mempool *mp;
	void *obj;

	mp = rte_mempool_create("alloc_mp", 1023, 512, 32, 0, NULL, NULL,
		NULL, NULL, th->socket, 0);
	TEST_ASSERT_NOT_NULL(mp, "rte_mempool_create: %s",
		rte_strerror(rte_errno));
	TEST_RUN(check_pool(th, mp, 1023, obj_cb, "mempool"));
	TEST_ASSERT_EQ(rte_mempool_get(mp, &obj), 0, "get");
	memset(obj, 0x77, 512);
	rte_mempool_put(mp, obj);
	rte_mempool_free(mp);
	return TEST_SUCCESS;
}

static int
alloc_pktmbuf(const struct test_heap *th)
{
	struct rte_mempool *mp;
	struct rte_mbuf *m;
	char *d;

	mp = rte_pktmbuf_pool_create("alloc_pk", 1023, 32, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, th->socket);
	TEST_ASSERT_NOT_NULL(mp, "rte_pktmbuf_pool_create: %s",
		rte_strerror(rte_errno));
	TEST_RUN(check_pool(th, mp, 1023, mbuf_cb, "mbuf pool"));
	m = rte_pktmbuf_alloc(mp);
	TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
	d = rte_pktmbuf_append(m, 1000);
	TEST_ASSERT_NOT_NULL(d, "append");
	memset(d, 0x42, 1000);
	TEST_ASSERT_EQ(rte_pktmbuf_mtod_offset(m, uint8_t *, 999)[0], 0x42,
		"data");
	TEST_ASSERT_EQ(rte_pktmbuf_iova(m), rte_extmem_virt2iova(d),
		"data IOVA");
	rte_pktmbuf_free(m);
	rte_mempool_free(mp);
	return TEST_SUCCESS;
}

static int
heap_allocators(enum rte_extmem_backing b)
{
	struct rte_extmem_heap_info info;
	struct test_heap_snap s;
	struct test_heap th;
	int ret;

	test_heap_snap(&s);
	ret = test_heap_make(&th, "alloc", b, HEAP_LEN, 0, 0);
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_LOG("%s heap on socket %d", rte_extmem_backing_name(b),
		th.socket);
	ret = alloc_malloc(&th);
	if (ret == TEST_SUCCESS)
		ret = alloc_memzone(&th, b == RTE_EXTMEM_BACKING_HUGETLB);
	if (ret == TEST_SUCCESS)
		ret = alloc_ring(&th);
	if (ret == TEST_SUCCESS)
		ret = alloc_mempool(&th);
	if (ret == TEST_SUCCESS)
		ret = alloc_pktmbuf(&th);
	if (ret != TEST_SUCCESS) {
		rte_malloc_dump_stats(stdout, "alloc");
		return ret;
	}
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(th.h, &info), 0, "info");
	TEST_ASSERT_EQ(info.alloc_count, 0, "everything freed");
	TEST_ASSERT_EQ(info.free, HEAP_LEN, "all bytes free");
	TEST_RUN(test_heap_free(&th));
	return test_heap_snap_same(&s, "allocators");
}

REGISTER_EXTMEM_TEST_ARG(heap_alloc_anon, heap_allocators,
	RTE_EXTMEM_BACKING_ANON, 0);
REGISTER_EXTMEM_TEST_ARG(heap_alloc_thp, heap_allocators,
	RTE_EXTMEM_BACKING_ANON_THP, 0);
REGISTER_EXTMEM_TEST_ARG(heap_alloc_hugetlb, heap_allocators,
	RTE_EXTMEM_BACKING_HUGETLB, 0);
REGISTER_EXTMEM_TEST_ARG(heap_alloc_shared, heap_allocators,
	RTE_EXTMEM_BACKING_SHARED, 0);
REGISTER_EXTMEM_TEST_ARG(heap_alloc_user, heap_allocators,
	RTE_EXTMEM_BACKING_USER, 0);
