/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * A heap chunk refused after EAL's heap had it, once EAL's allocator
 * handed part of it out (a subscriber allocates from it, then refuses):
 * EAL cannot take it back, so the chunk stays in the heap and mapped (the
 * allocation's bytes stay readable), the add fails with the refusal's
 * errno, and the chunk goes with the heap once the allocation is freed.
 */

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include <rte_extmem.h>
#include <rte_extmem_event.h>
#include <rte_extmem_heap.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_dma_util.h"

#define KEPT_HEAP "kept_heap"
#define KEPT_FIRST_PAGES 64	/* the heap's first chunk */
#define KEPT_PAGES 1024		/* the chunk added, then refused */
#define KEPT_ALLOC (512 * TEST_PG)	/* fits only in the added chunk */

struct kept {
	int socket;
	void *alloc;		/* taken from the chunk before refusing it */
	unsigned int n_refused;
};

static int
kept_cb(const struct rte_extmem_event *ev, void *arg)
{
	struct kept *k = arg;

	if (ev->type != RTE_EXTMEM_EVENT_HEAP_REGION_ADDED || ev->rollback ||
			k->alloc != NULL || k->socket < 0)
		return 0;
	k->alloc = rte_malloc_socket("kept", KEPT_ALLOC, TEST_PG, k->socket);
	if (k->alloc == NULL)
		return 0;
	memset(k->alloc, 0x5a, KEPT_ALLOC);
	k->n_refused++;
	return -ENOSPC;
}

static int
test_heap_add_kept(void)
{
	struct rte_extmem_region_params hp_r, rp;
	struct rte_extmem_heap_params hp;
	struct rte_extmem_heap_info hi;
	struct rte_extmem_region *r;
	struct rte_extmem_heap *h;
	struct kept k = { .socket = -1 };
	const unsigned char *b;
	size_t i;

	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	hp.name = KEPT_HEAP;
	hp_r.backing = RTE_EXTMEM_BACKING_ANON;
	hp_r.len = KEPT_FIRST_PAGES * TEST_PG;
	h = rte_extmem_heap_create(&hp);
	TEST_ASSERT_NOT_NULL(h, "heap: %s", rte_strerror(rte_errno));
	k.socket = test_heap_socket(h);
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("kept", 0, kept_cb, &k), 0,
		"subscribe");

	rte_extmem_region_params_init(&rp);
	rp.backing = RTE_EXTMEM_BACKING_ANON;
	rp.len = KEPT_PAGES * TEST_PG;
	r = rte_extmem_heap_region_add(h, &rp);
	TEST_ASSERT_ERRNO(r == NULL, ECANCELED, "refused chunk");
	TEST_ASSERT_EQ(k.n_refused, 1, "the subscriber allocated, refused");
	TEST_ASSERT_NOT_NULL(k.alloc, "allocation from the chunk");

	/* still mapped: msync() says ENOMEM for an unmapped page */
	for (i = 0; i < KEPT_ALLOC; i += TEST_PG) {
		void *pg = RTE_PTR_ALIGN_FLOOR(RTE_PTR_ADD(k.alloc, i),
			TEST_PG);

		TEST_ASSERT_EQ(msync(pg, TEST_PG, MS_ASYNC), 0,
			"page %zu of the allocation unmapped", i / TEST_PG);
	}
	b = k.alloc;
	for (i = 0; i < KEPT_ALLOC; i++)
		TEST_ASSERT_EQ(b[i], 0x5a, "byte %zu", i);
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(h, &hi), 0, "heap info");
	TEST_ASSERT_EQ(hi.n_regions, 2, "the chunk stays in the heap");
	TEST_ASSERT_EQ(hi.size, (KEPT_FIRST_PAGES + KEPT_PAGES) * TEST_PG,
		"heap size");

	/* in use: the heap keeps it; freed: it goes with the heap */
	TEST_ASSERT_ERRNO(rte_extmem_heap_destroy(h) != 0, EBUSY,
		"destroy while allocated");
	rte_free(k.alloc);
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("kept"), 0, "unsub");
	TEST_ASSERT_EQ(rte_extmem_heap_destroy(h), 0, "destroy: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT(rte_malloc_heap_get_socket(KEPT_HEAP) < 0, "EAL heap gone");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(heap_add_kept, test_heap_add_kept, 0);
