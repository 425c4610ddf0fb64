/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Slices on every lcore at once: each lcore slices, clones, chains and
 * frees, and hands slices and clones to the others through a ring, so the
 * last reference often goes on another lcore than the first; clones kept
 * for a while make the slicer draw busy first mbufs and set them aside. The main
 * lcore holds a slice throughout and checks that the region and the slicer
 * refuse to go (EBUSY) while the others run. At the end every callback ran
 * once with its slice's arguments, and every pool and counter is back.
 */

#include <stdlib.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_extmem_mbuf.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "test.h"
#include "test_mbuf.h"

#define PG 4096u
#define IOVA_BASE 0x300000000000ULL
#define REGION_LEN (8u << 20)
#define ITERS 60000u
#define XFER_BURST 8u
#define DELAY 8u

struct lcore_ctx {
	struct rte_extmem_slicer *s;
	struct rte_extmem_region *r;
	struct rte_mempool *clone_pool;
	struct rte_ring *xfer;
	uint32_t started;
	/* totals over lcores, added at the end of each lcore's run */
	uint64_t created;
	uint64_t key_sum;
	uint64_t nobufs;
	uint64_t busy_checks;
	uint32_t errors;
};

static uint64_t
lcg(uint64_t *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return *state >> 33;
}

static void
free_some(struct rte_ring *xfer)
{
	void *objs[XFER_BURST];
	unsigned int i, n;

	n = rte_ring_dequeue_burst(xfer, objs, XFER_BURST, NULL);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(objs[i]);
}

/* Main lcore only: the region and the slicer are busy, nothing changes. */
static int
busy_check(struct lcore_ctx *c)
{
	struct rte_extmem_region_info before, after;

	if (rte_extmem_region_info_get(c->r, &before) != 0 ||
			rte_extmem_region_destroy(c->r) == 0 ||
			rte_errno != EBUSY ||
			rte_extmem_slicer_free(c->s) == 0 || rte_errno != EBUSY ||
			rte_extmem_region_info_get(c->r, &after) != 0 ||
			memcmp(&before, &after, sizeof(before)) != 0) {
		printf("    region or slicer not busy while slices are alive\n");
		return -1;
	}
	return 0;
}

static int
lcore_run(void *arg)
{
	static const size_t lens[] = { 64, 1500, 9000, 70000, 3 * PG };
	struct lcore_ctx *c = arg;
	uint64_t state = rte_lcore_id() * 7919 + 1;
	uint64_t created = 0, key_sum = 0, nobufs = 0, checks = 0;
	unsigned int nlcores = rte_lcore_count(), i, errors = 0;
	struct rte_mbuf *m, *m2, *cl, *delayed[DELAY] = { NULL };
	bool is_main = rte_lcore_id() == rte_get_main_lcore();
	size_t off, len;

	__atomic_fetch_add(&c->started, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&c->started, __ATOMIC_ACQUIRE) < nlcores)
		rte_pause();
	for (i = 0; i < ITERS && errors == 0; i++) {
		len = lens[lcg(&state) % RTE_DIM(lens)];
		off = lcg(&state) % (REGION_LEN - len);
		m = rte_extmem_slice_alloc(c->s, off, len);
		if (m == NULL) {
			if (rte_errno != ENOBUFS)
				errors++;
			nobufs++;
			free_some(c->xfer);
			continue;
		}
		created++;
		key_sum += test_slice_key(off, len);
		switch (i % 4) {
		case 0:
			rte_pktmbuf_free(m);
			break;
		case 1:
			/* the clone outlives the slice's first mbuf: it goes
			 * to whichever lcore dequeues it, or waits here for
			 * a few slices (which draw that first mbuf again)
			 */
			cl = rte_pktmbuf_clone(m, c->clone_pool);
			rte_pktmbuf_free(m);
			/* draws m's first mbuf again (top of the lcore cache)
			 * while cl still uses its entry
			 */
			m2 = rte_extmem_slice_alloc(c->s, off, len);
			if (m2 != NULL) {
				created++;
				key_sum += test_slice_key(off, len);
				rte_pktmbuf_free(m2);
			}
			if (cl != NULL && (lcg(&state) & 1)) {
				if (rte_ring_enqueue(c->xfer, cl) != 0)
					rte_pktmbuf_free(cl);
			} else {
				rte_pktmbuf_free(delayed[i / 4 % DELAY]);
				delayed[i / 4 % DELAY] = cl;
			}
			break;
		case 2:
			len = lens[lcg(&state) % RTE_DIM(lens)];
			off = lcg(&state) % (REGION_LEN - len);
			m2 = rte_extmem_slice_alloc(c->s, off, len);
			if (m2 != NULL) {
				created++;
				key_sum += test_slice_key(off, len);
				if (rte_pktmbuf_chain(m, m2) != 0) {
					rte_pktmbuf_free(m2);
					errors++;
				}
			}
			rte_pktmbuf_free(m);
			break;
		default:
			if (rte_ring_enqueue(c->xfer, m) != 0)
				rte_pktmbuf_free(m);
			break;
		}
		free_some(c->xfer);
		if (is_main && i % 4096 == 0) {
			if (busy_check(c) != 0)
				errors++;
			checks++;
		}
	}
	for (i = 0; i < DELAY; i++)
		rte_pktmbuf_free(delayed[i]);
	__atomic_fetch_add(&c->created, created, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->key_sum, key_sum, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->nobufs, nobufs, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->busy_checks, checks, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->errors, errors, __ATOMIC_RELAXED);
	return errors == 0 ? 0 : -1;
}

static int
test_mbuf_slice_lcores(void)
{
	const unsigned int n = REGION_LEN / PG;
	struct rte_extmem_slicer_info st;
	struct lcore_ctx c = { 0 };
	struct test_cb_count cb;
	struct rte_mempool *mp;
	struct test_devmem d;
	struct rte_mbuf *held;
	unsigned int lcore, mbufs0, clones0;
	rte_iova_t *iovas;
	uint32_t users0;
	int ret = 0;

	if (rte_lcore_count() < 2)
		TEST_SKIP("needs at least 2 lcores, EAL has %u",
			rte_lcore_count());
	TEST_ASSERT_EQ(test_devmem_map(&d, REGION_LEN, PG, PROT_NONE), 0,
		"map");
	iovas = calloc(n, sizeof(*iovas));
	TEST_ASSERT_NOT_NULL(iovas, "calloc");
	test_fake_iovas(iovas, n, PG, IOVA_BASE, 7);
	c.r = test_device_region("mbs_lcores", &d, PG, iovas, 0);
	TEST_ASSERT_NOT_NULL(c.r, "region: %s", rte_strerror(rte_errno));
	users0 = test_region_users(c.r);
	c.s = test_slicer("mbs_lcores", c.r, 16384, 0, &cb);
	TEST_ASSERT_NOT_NULL(c.s, "slicer: %s", rte_strerror(rte_errno));
	c.clone_pool = rte_pktmbuf_pool_create("mbs_lc_clone", 4096, 64, 0, 0,
		SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(c.clone_pool, "pool: %s", rte_strerror(rte_errno));
	c.xfer = rte_ring_create("mbs_lc_xfer", 1024, SOCKET_ID_ANY, 0);
	TEST_ASSERT_NOT_NULL(c.xfer, "ring: %s", rte_strerror(rte_errno));

	held = rte_extmem_slice_alloc(c.s, 0, 1500);
	TEST_ASSERT_NOT_NULL(held, "slice");
	mp = held->pool;
	clones0 = rte_mempool_avail_count(c.clone_pool);

	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_remote_launch(lcore_run, &c, lcore);
	if (lcore_run(&c) != 0)
		ret = -1;
	RTE_LCORE_FOREACH_WORKER(lcore)
		if (rte_eal_wait_lcore(lcore) != 0)
			ret = -1;
	TEST_ASSERT_EQ(ret, 0, "%u errors on the lcores", c.errors);
	TEST_ASSERT_GT(c.busy_checks, 0, "busy checks ran");
	while (rte_ring_count(c.xfer) > 0)
		free_some(c.xfer);
	TEST_ASSERT_EQ(cb.calls, c.created, "one callback per slice");
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(c.s, &st), 0, "stats");
	TEST_ASSERT_EQ(st.in_flight, 1, "only the held slice is alive");
	rte_pktmbuf_free(held);
	TEST_ASSERT_EQ(cb.calls, c.created + 1, "callbacks");
	TEST_ASSERT_EQ(cb.sum, c.key_sum + test_slice_key(0, 1500),
		"callback arguments");
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(c.s, &st), 0, "stats");
	TEST_ASSERT_EQ(st.slices, c.created + 1, "slices counted");
	TEST_ASSERT_EQ(st.freed, st.slices, "freed counted");
	TEST_ASSERT_EQ(st.fails, c.nobufs, "failures counted");
	TEST_ASSERT_EQ(st.in_flight, 0, "in flight");
	mbufs0 = mp->size;
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), mbufs0, "slicer mbufs");
	TEST_ASSERT_EQ(rte_mempool_avail_count(c.clone_pool), clones0,
		"clone mbufs");
	TEST_LOG("%u lcores, %" PRIu64 " slices, %" PRIu64 " segments, %"
		PRIu64 " first mbufs set aside, %" PRIu64 " busy checks, %"
		PRIu64 " ENOBUFS", rte_lcore_count(), st.slices, st.segments,
		st.set_aside, c.busy_checks, c.nobufs);
	TEST_ASSERT_GT(st.set_aside, 0, "clones outlived their first mbuf");

	TEST_ASSERT_EQ(rte_extmem_slicer_free(c.s), 0, "free: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_region_users(c.r), users0, "users back");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(c.r), 0, "destroy: %s",
		rte_strerror(rte_errno));
	rte_ring_free(c.xfer);
	rte_mempool_free(c.clone_pool);
	TEST_RUN(test_devmem_release(&d));
	free(iovas);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mbuf_slice_lcores, test_mbuf_slice_lcores, 0);
