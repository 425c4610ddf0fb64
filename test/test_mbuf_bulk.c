/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * rte_extmem_slice_alloc_bulk(): bursts mixing single segments and chains give
 * the same slices as one call each; a burst stops at the first range that
 * cannot be sliced (bad range, unknown IOVA, no mbuf) with what was made
 * before it; first mbufs still used by clones are set aside inside a
 * burst too. Device memory PROT_NONE throughout.
 */

#include <stdlib.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>

#include "test.h"
#include "test_mbuf.h"

#define PG 4096u
#define LEN (4u << 20)
#define IOVA_BASE 0x600000000000ULL
#define N 100u
#define BAD_PAGE 900u

static int
verify_all(struct rte_mbuf **m, const size_t *off, const size_t *len,
	unsigned int n, uintptr_t base)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		TEST_ASSERT_EQ(test_slice_verify(m[i], base + off[i], len[i]),
			0, "slice %u [%zu, +%zu)", i, off[i], len[i]);
	return TEST_SUCCESS;
}

static int
test_mbuf_slice_bulk(void)
{
	size_t off[N], len[N];
	struct rte_mbuf *m[N], *one, *cl;
	struct rte_extmem_slicer_info st;
	struct rte_mempool *clone_pool;
	struct rte_extmem_slicer *s, *small;
	struct rte_extmem_region *r;
	struct test_cb_count cb;
	struct test_devmem d;
	unsigned int i, got, chains = 0;
	uint64_t x = 0x2545f4914f6cdd1dULL, sum = 0;
	rte_iova_t *iovas;
	uintptr_t base;

	TEST_ASSERT_EQ(test_devmem_map(&d, LEN, PG, PROT_NONE), 0, "map");
	base = (uintptr_t)d.addr;
	iovas = calloc(LEN / PG, sizeof(*iovas));
	TEST_ASSERT_NOT_NULL(iovas, "calloc");
	test_fake_iovas(iovas, LEN / PG, PG, IOVA_BASE, 3);
	iovas[BAD_PAGE] = RTE_BAD_IOVA;
	r = test_device_region("mbs_bulk", &d, PG, iovas, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	s = test_slicer("mbs_bulk", r, 1024, 0, &cb);
	TEST_ASSERT_NOT_NULL(s, "slicer: %s", rte_strerror(rte_errno));

	/* a burst of singles and chains, below the page without IOVA */
	for (i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len[i] = i % 10 == 7 ? 70000 + x % 5000 : 1 + x % 3000;
		off[i] = (x >> 16) % (BAD_PAGE * PG - len[i]);
		sum += test_slice_key(off[i], len[i]);
	}
	TEST_ASSERT_EQ(rte_extmem_slice_alloc_bulk(s, off, len, m, N), N,
		"burst: %s", rte_strerror(rte_errno));
	TEST_RUN(verify_all(m, off, len, N, base));
	for (i = 0; i < N; i++)
		chains += m[i]->nb_segs > 1;
	TEST_ASSERT_GE(chains, N / 10, "chains in the burst");
	rte_pktmbuf_free_bulk(m, N);
	TEST_ASSERT_EQ(cb.calls, N, "callbacks");
	TEST_ASSERT_EQ(cb.sum, sum, "callback arguments");

	/* it stops at a bad range, at the page without IOVA */
	len[40] = 0;
	got = rte_extmem_slice_alloc_bulk(s, off, len, m, N);
	TEST_ASSERT_EQ(got, 40, "stops at the empty range");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "errno");
	TEST_RUN(verify_all(m, off, len, got, base));
	rte_pktmbuf_free_bulk(m, got);
	len[40] = 100;
	off[10] = BAD_PAGE * PG + 5;
	len[10] = 10;
	got = rte_extmem_slice_alloc_bulk(s, off, len, m, N);
	TEST_ASSERT_EQ(got, 10, "stops at the unknown IOVA");
	TEST_ASSERT_EQ(rte_errno, EFAULT, "errno");
	rte_pktmbuf_free_bulk(m, got);
	TEST_ASSERT_EQ(rte_extmem_slice_alloc_bulk(s, off, len, m, 0), 0,
		"empty");
	TEST_ASSERT_EQ(rte_extmem_slice_alloc_bulk(NULL, off, len, m, 1), 0,
		"NULL");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "errno");
	TEST_ASSERT_EQ(rte_extmem_slice_alloc_bulk(s, NULL, len, m, 1), 0,
		"NULL");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "errno");

	/* as many as there are mbufs */
	small = test_slicer("mbs_bulk_small", r, 16, 0, NULL);
	TEST_ASSERT_NOT_NULL(small, "slicer: %s", rte_strerror(rte_errno));
	for (i = 0; i < 20; i++) {
		off[i] = i * 100;
		len[i] = 100;
	}
	got = rte_extmem_slice_alloc_bulk(small, off, len, m, 20);
	TEST_ASSERT_EQ(got, 16, "limited by the pool");
	TEST_ASSERT_EQ(rte_errno, ENOBUFS, "errno");
	TEST_RUN(verify_all(m, off, len, got, base));
	rte_pktmbuf_free_bulk(m, got);

	/* a first mbuf still used by a clone is set aside in a burst too */
	clone_pool = rte_pktmbuf_pool_create("mbs_bulk_clone", 16, 0, 0, 0,
		SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(clone_pool, "pool: %s", rte_strerror(rte_errno));
	one = rte_extmem_slice_alloc(small, 0, 64);
	TEST_ASSERT_NOT_NULL(one, "slice");
	cl = rte_pktmbuf_clone(one, clone_pool);
	TEST_ASSERT_NOT_NULL(cl, "clone");
	rte_pktmbuf_free(one);
	got = rte_extmem_slice_alloc_bulk(small, off, len, m, 4);
	TEST_ASSERT_EQ(got, 4, "burst: %s", rte_strerror(rte_errno));
	TEST_RUN(verify_all(m, off, len, got, base));
	for (i = 0; i < got; i++)
		TEST_ASSERT(m[i] != one, "busy first mbuf reused");
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(small, &st), 0, "stats");
	TEST_ASSERT_EQ(st.set_aside, 1, "set aside");
	rte_pktmbuf_free_bulk(m, got);
	rte_pktmbuf_free(cl);
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(small, &st), 0, "stats");
	TEST_ASSERT_EQ(st.in_flight, 0, "in flight");
	TEST_ASSERT_EQ(rte_mempool_avail_count(one->pool), 16, "mbufs back");

	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s, &st), 0, "stats");
	TEST_ASSERT_EQ(st.slices, st.freed, "all released");
	TEST_ASSERT_EQ(rte_extmem_slicer_free(small), 0, "free");
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s), 0, "free");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	rte_mempool_free(clone_pool);
	TEST_RUN(test_devmem_release(&d));
	free(iovas);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mbuf_slice_bulk, test_mbuf_slice_bulk, 0);
