/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * mr=cache registers EAL memory on a lookup miss and drops it on EAL's
 * FREE memory event ("registered by lookup miss, deregistered by free
 * event"): the generation moves on, the entry goes, and the freed address
 * no longer translates.
 */

#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_mrnic_util.h"

#define BIG (64u << 20)

struct ev_seen {
	uintptr_t start;
	uintptr_t end;
	unsigned int frees;	/* FREE events overlapping [start, end) */
};

static void
ev_cb(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	struct ev_seen *s = arg;
	uintptr_t a = (uintptr_t)addr;

	if (type == RTE_MEM_EVENT_FREE && a < s->end && a + len > s->start)
		s->frees++;
}

static int
test_mrnic_mem_event(void)
{
	static struct ev_seen seen;
	struct rte_mempool *mp;
	struct mrnic_t_pair p;
	struct rte_mbuf *m;
	uint64_t reg, ent, gen;
	rte_iova_t iova;
	uint8_t *big;
	int ret = TEST_FAILED;

	if (rte_mem_event_callback_register("mrnic_test_ev", ev_cb,
			&seen) != 0) {
		TEST_ASSERT_EQ(rte_errno, ENOTSUP, "callback: %s",
			rte_strerror(rte_errno));
		TEST_SKIP("EAL has no memory events (legacy memory)");
	}
	mp = mrnic_t_pool("mrnic_mev", 512, 2048);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	if (mrnic_t_pair_create(&p, "mev", "cache", 1, 64, mp, mp, false) !=
			TEST_SUCCESS)
		goto out;
	/* warm up: the pool's memory is registered */
	if (mrnic_t_roundtrip(mp, p.port[0], 0, p.port[1], 0, 4, 200, 1, 1))
		goto out;

	big = rte_malloc("mrnic_mev_big", BIG, 2u << 20);
	if (big == NULL) {
		ret = TEST_SKIPPED;
		TEST_LOG("SKIP: no %u MiB of hugepage memory free", BIG >> 20);
		goto out;
	}
	seen.start = (uintptr_t)big;
	seen.end = (uintptr_t)big + BIG;
	reg = mrnic_t_xstat(p.port[0], "mr_miss_registrations");
	/* a Tx buffer in the new memory: a miss registers its chunk */
	m = rte_pktmbuf_alloc(mp);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	mrnic_t_pattern(big + BIG / 2, 300, 77);
	TEST_ASSERT_EQ(rte_pmd_mrnic_translate(p.port[0], big + BIG / 2, 300,
		&iova), 0, "new EAL memory translates");
	TEST_ASSERT_EQ(iova, rte_mem_virt2iova(big + BIG / 2), "its IOVA");
	TEST_ASSERT_GT(mrnic_t_xstat(p.port[0], "mr_miss_registrations"), reg,
		"registered on miss");
	memcpy(rte_pktmbuf_append(m, 300), big + BIG / 2, 300);
	TEST_ASSERT_EQ(rte_eth_tx_burst(p.port[0], 0, &m, 1), 1, "Tx");
	TEST_ASSERT_EQ(mrnic_t_drain(p.port[1], 1), 1, "received");
	ent = mrnic_t_xstat(p.port[0], "mr_entries");
	gen = mrnic_t_xstat(p.port[0], "mr_generation");

	rte_free(big);
	if (seen.frees == 0) {
		ret = TEST_SKIPPED;
		TEST_LOG("SKIP: EAL kept the pages of the freed memory (no "
			"FREE event)");
		goto out;
	}
	TEST_ASSERT_GT(mrnic_t_xstat(p.port[0], "mr_generation"), gen,
		"FREE event bumped the generation");
	TEST_ASSERT_LT(mrnic_t_xstat(p.port[0], "mr_entries"), ent,
		"the chunk's entry is gone");
	TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(p.port[0], big + BIG / 2,
		300, &iova) < 0, EFAULT, "freed memory does not translate");
	/* the pool's memory registers again on the next miss */
	ret = mrnic_t_roundtrip(mp, p.port[0], 0, p.port[1], 0, 4, 200, 1, 2);
	TEST_ASSERT_EQ(mrnic_t_xstat_rxtx(p.port[0], "dma_fault_errors"), 0,
		"no fault");
out:
	mrnic_t_pair_destroy(&p);
	rte_mempool_free(mp);
	rte_mem_event_callback_unregister("mrnic_test_ev", &seen);
	if (ret == TEST_SKIPPED)
		printf("    SKIP (%s)\n", __FILE__);
	return ret;
}

REGISTER_EXTMEM_TEST(mrnic_mem_event, test_mrnic_mem_event,
	EXTMEM_TEST_F_NEEDS_HUGE);
