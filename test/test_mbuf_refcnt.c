/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Reference counting of slices: clones, mbuf reference counts, chains of
 * slices and multi-segment slices; the owner's callback runs exactly when
 * the last reference goes; region and slicer stay busy (EBUSY, nothing
 * changed) until then; pools and counters return to their start.
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
#define IOVA_BASE 0x200000000000ULL

/* Both the region and the slicer refuse to go, and nothing changes. */
static int
check_busy(struct rte_extmem_region *r, struct rte_extmem_slicer *s,
	uint64_t in_flight)
{
	struct rte_extmem_region_info before, after;
	struct rte_extmem_slicer_info st;

	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &before), 0, "info");
	TEST_ASSERT_ERRNO(rte_extmem_region_destroy(r) != 0, EBUSY,
		"region destroy with %" PRIu64 " slices in flight", in_flight);
	TEST_ASSERT_ERRNO(rte_extmem_slicer_free(s) != 0, EBUSY,
		"slicer free with %" PRIu64 " slices in flight", in_flight);
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &after), 0, "info");
	TEST_ASSERT_MEM_EQ(&before, &after, sizeof(before), "region changed");
	TEST_ASSERT(rte_extmem_slicer_lookup("mbs_ref") == s, "slicer gone");
	TEST_ASSERT(rte_extmem_virt2region(after.addr) == r, "translation");
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s, &st), 0, "stats");
	TEST_ASSERT_EQ(st.in_flight, in_flight, "in flight");
	return TEST_SUCCESS;
}

static int
test_mbuf_slice_refcnt(void)
{
	const size_t len = 2u << 20;
	struct rte_mbuf *a, *b, *c1, *c2, *cb_chain, *x, *y, *first;
	struct rte_mempool *clone_pool, *mp;
	struct rte_extmem_slicer_info st;
	struct rte_extmem_region *r;
	struct rte_extmem_slicer *s;
	struct test_cb_count cb;
	struct test_devmem d;
	unsigned int n = len / PG, mbufs0, clones0;
	rte_iova_t *iovas;
	uint64_t sum = 0;

	TEST_ASSERT_EQ(test_devmem_map(&d, len, PG, PROT_NONE), 0, "map");
	iovas = calloc(n, sizeof(*iovas));
	TEST_ASSERT_NOT_NULL(iovas, "calloc");
	test_fake_iovas(iovas, n, PG, IOVA_BASE, 2);
	r = test_device_region("mbs_ref", &d, PG, iovas, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	s = test_slicer("mbs_ref", r, 128, 0, &cb);
	TEST_ASSERT_NOT_NULL(s, "slicer: %s", rte_strerror(rte_errno));
	clone_pool = rte_pktmbuf_pool_create("mbs_ref_clone", 64, 0, 0, 0,
		SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(clone_pool, "pool: %s", rte_strerror(rte_errno));
	/* the slicer's own pool: the mbuf of a slice */
	a = rte_extmem_slice_alloc(s, 10, 100);
	TEST_ASSERT_NOT_NULL(a, "slice");
	mp = a->pool;
	rte_pktmbuf_free(a);
	cb.calls = 0;
	cb.sum = 0;
	mbufs0 = rte_mempool_avail_count(mp);
	clones0 = rte_mempool_avail_count(clone_pool);

	/* one segment, two clones: the last of the three triggers */
	a = rte_extmem_slice_alloc(s, 100, 1000);
	TEST_ASSERT_NOT_NULL(a, "slice: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_mbuf_ext_refcnt_read(a->shinfo), 1, "refcnt");
	c1 = rte_pktmbuf_clone(a, clone_pool);
	c2 = rte_pktmbuf_clone(c1, clone_pool);
	TEST_ASSERT(c1 != NULL && c2 != NULL, "clones");
	TEST_ASSERT(c2->shinfo == a->shinfo, "shared info shared");
	TEST_ASSERT_EQ(rte_mbuf_ext_refcnt_read(a->shinfo), 3, "refcnt");
	TEST_RUN(check_busy(r, s, 1));
	rte_pktmbuf_free(a);
	rte_pktmbuf_free(c2);
	TEST_ASSERT_EQ(cb.calls, 0, "callback before the last reference");
	TEST_RUN(check_busy(r, s, 1));
	rte_pktmbuf_free(c1);
	TEST_ASSERT_EQ(cb.calls, 1, "callback at the last reference");
	sum += test_slice_key(100, 1000);
	TEST_ASSERT_EQ(cb.sum, sum, "callback arguments");

	/* the first mbuf is reused at once when its slice is gone ... */
	a = rte_extmem_slice_alloc(s, 200, 300);
	TEST_ASSERT_NOT_NULL(a, "slice");
	first = a;
	rte_pktmbuf_free(a);
	sum += test_slice_key(200, 300);
	a = rte_extmem_slice_alloc(s, 200, 300);
	TEST_ASSERT(a == first, "a free first mbuf is reused (LIFO cache)");
	/* ... but not while a clone of its slice lives: it is set aside and
	 * returned to the pool by the clone's last free
	 */
	c1 = rte_pktmbuf_clone(a, clone_pool);
	TEST_ASSERT_NOT_NULL(c1, "clone");
	rte_pktmbuf_free(a);
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), mbufs0, "first mbuf back");
	b = rte_extmem_slice_alloc(s, 400, 500);
	TEST_ASSERT_NOT_NULL(b, "slice");
	TEST_ASSERT(b != first, "busy first mbuf reused");
	TEST_ASSERT_EQ(test_slice_verify(b, (uintptr_t)d.addr + 400, 500), 0,
		"slice after a set-aside mbuf");
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), mbufs0 - 2,
		"first mbuf set aside, the new one in use");
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s, &st), 0, "stats");
	TEST_ASSERT_EQ(st.set_aside, 1, "set aside counted");
	TEST_ASSERT_EQ(cb.calls, 2, "clone alive");
	rte_pktmbuf_free(c1);
	TEST_ASSERT_EQ(cb.calls, 3, "callback of the cloned slice");
	sum += test_slice_key(200, 300);
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), mbufs0 - 1,
		"set-aside mbuf returned");
	rte_pktmbuf_free(b);
	sum += test_slice_key(400, 500);
	TEST_ASSERT_EQ(cb.calls, 4, "callback");
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), mbufs0, "all back");
	TEST_ASSERT_EQ(cb.sum, sum, "callback arguments");

	/* mbuf reference count instead of a clone */
	a = rte_extmem_slice_alloc(s, 0, 64);
	TEST_ASSERT_NOT_NULL(a, "slice");
	rte_mbuf_refcnt_update(a, 1);
	rte_pktmbuf_free(a);
	TEST_ASSERT_EQ(cb.calls, 4, "mbuf still referenced");
	rte_pktmbuf_free(a);
	TEST_ASSERT_EQ(cb.calls, 5, "callback");
	sum += test_slice_key(0, 64);

	/* a slice of three segments (IOVA runs of two pages), cloned whole */
	b = rte_extmem_slice_alloc(s, PG, 4 * PG);
	TEST_ASSERT_NOT_NULL(b, "slice");
	TEST_ASSERT_EQ(b->nb_segs, 3, "segments");
	TEST_ASSERT_EQ(rte_mbuf_ext_refcnt_read(b->shinfo), 3,
		"segments share one count");
	cb_chain = rte_pktmbuf_clone(b, clone_pool);
	TEST_ASSERT_NOT_NULL(cb_chain, "clone of a chain");
	TEST_ASSERT_EQ(cb_chain->nb_segs, 3, "clone segments");
	TEST_ASSERT_EQ(rte_mbuf_ext_refcnt_read(b->shinfo), 6, "refcnt");
	rte_pktmbuf_free(b);
	TEST_ASSERT_EQ(cb.calls, 5, "clone of the chain alive");
	TEST_RUN(check_busy(r, s, 1));
	/* free the clone's segments one at a time */
	x = cb_chain->next;
	cb_chain->next = NULL;
	cb_chain->nb_segs = 1;
	rte_pktmbuf_free(cb_chain);
	y = x->next;
	x->next = NULL;
	rte_pktmbuf_free_seg(x);
	TEST_ASSERT_EQ(cb.calls, 5, "one segment left");
	rte_pktmbuf_free_seg(y);
	TEST_ASSERT_EQ(cb.calls, 6, "callback once for the three segments");
	sum += test_slice_key(PG, 4 * PG);

	/* two slices chained into one packet, freed together */
	x = rte_extmem_slice_alloc(s, 5 * PG, 1500);
	y = rte_extmem_slice_alloc(s, 9 * PG, 3 * PG);
	TEST_ASSERT(x != NULL && y != NULL, "slices");
	TEST_ASSERT_EQ(rte_pktmbuf_chain(x, y), 0, "chain");
	TEST_ASSERT_EQ(x->nb_segs, 3, "segments");
	TEST_ASSERT_EQ(x->pkt_len, 1500 + 3 * PG, "length");
	c1 = rte_pktmbuf_clone(x, clone_pool);
	TEST_ASSERT_NOT_NULL(c1, "clone");
	rte_pktmbuf_free(x);
	TEST_ASSERT_EQ(cb.calls, 6, "clone keeps both slices");
	TEST_RUN(check_busy(r, s, 2));
	rte_pktmbuf_free(c1);
	TEST_ASSERT_EQ(cb.calls, 8, "both callbacks");
	sum += test_slice_key(5 * PG, 1500) + test_slice_key(9 * PG, 3 * PG);
	TEST_ASSERT_EQ(cb.sum, sum, "callback arguments");

	/* everything back */
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s, &st), 0, "stats");
	TEST_ASSERT_EQ(st.in_flight, 0, "in flight");
	TEST_ASSERT_EQ(st.slices, st.freed, "slices vs freed");
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), mbufs0, "slicer mbufs");
	TEST_ASSERT_EQ(rte_mempool_avail_count(clone_pool), clones0,
		"clone mbufs");
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s), 0, "free: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy: %s",
		rte_strerror(rte_errno));
	rte_mempool_free(clone_pool);
	TEST_RUN(test_devmem_release(&d));
	free(iovas);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mbuf_slice_refcnt, test_mbuf_slice_refcnt, 0);
