/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Heap regions on the event bus: heap_region_added/removed with the heap's
 * name and socket, never EAL events for the library's own chunks, DMA
 * mapping of every chunk, and a refused chunk that leaves the heap as it
 * was.
 */

#include <errno.h>

#include <rte_errno.h>

#include <rte_extmem.h>
#include <rte_extmem_devmap.h>
#include <rte_extmem_event.h>
#include <rte_extmem_heap.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_dma_util.h"
#include "vdev_recorder.h"

#define HE0 VDEV_REC_DRIVER "_heap0"
#define HEAP_PAGES 256
#define EVH_MAX 32

struct evh {
	struct rte_extmem_event ev[EVH_MAX];
	char heap[EVH_MAX][RTE_EXTMEM_NAMESIZE];
	unsigned int n;
	/* ranges of the EAL events seen */
	uintptr_t eal_va[EVH_MAX];
	size_t eal_len[EVH_MAX];
	unsigned int n_eal;
	bool refuse_next_add;
};

static struct test_run runs[TEST_MAX_RUNS];

static int
evh_cb(const struct rte_extmem_event *ev, void *arg)
{
	struct evh *h = arg;

	if (ev->type == RTE_EXTMEM_EVENT_EAL_ALLOC ||
			ev->type == RTE_EXTMEM_EVENT_EAL_FREE) {
		/* compared by the test with the heap's ranges */
		if (h->n_eal < EVH_MAX) {
			h->eal_va[h->n_eal] = (uintptr_t)ev->addr;
			h->eal_len[h->n_eal] = ev->len;
			h->n_eal++;
		}
		return 0;
	}
	if (h->n < EVH_MAX) {
		h->ev[h->n] = *ev;
		snprintf(h->heap[h->n], sizeof(h->heap[0]), "%s", ev->heap);
		h->ev[h->n].heap = NULL;
		h->n++;
	}
	if (h->refuse_next_add && !ev->rollback &&
			ev->type == RTE_EXTMEM_EVENT_HEAP_REGION_ADDED) {
		h->refuse_next_add = false;
		return -ENOSPC;
	}
	return 0;
}

static int
evh_expect(const struct evh *h, unsigned int i,
	enum rte_extmem_event_type type, const struct rte_extmem_region *r,
	const char *heap, int socket)
{
	TEST_ASSERT_LT(i, h->n, "event %u was not delivered", i);
	TEST_ASSERT_EQ(h->ev[i].type, type, "event %u type %s", i,
		rte_extmem_event_type_name(h->ev[i].type));
	if (r != NULL)
		TEST_ASSERT(h->ev[i].region == r, "event %u region", i);
	TEST_ASSERT(strcmp(h->heap[i], heap) == 0, "event %u heap '%s'", i,
		h->heap[i]);
	TEST_ASSERT_EQ(h->ev[i].socket_id, socket, "event %u socket", i);
	return TEST_SUCCESS;
}

static int
test_event_heap(void)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;
	struct rte_extmem_region *r0, *r1, *refused;
	struct rte_extmem_heap_info hi;
	struct rte_extmem_heap *h;
	struct rte_device *dev;
	struct evh ev = { .n = 0 };
	unsigned int idx = 0, j;
	int socket, n0, n1, nr, i;

	dev = test_vdev_probe(HE0, NULL);
	TEST_ASSERT_NOT_NULL(dev, "probe");
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "probing");
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_heap", 0, evh_cb, &ev),
		0, "subscribe");
	vdev_rec_reset();

	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	hp.name = "ev_heap";
	hp_r.backing = RTE_EXTMEM_BACKING_ANON;
	hp_r.len = HEAP_PAGES * TEST_PG;
	h = rte_extmem_heap_create(&hp);
	TEST_ASSERT_NOT_NULL(h, "heap: %s", rte_strerror(rte_errno));
	socket = test_heap_socket(h);
	TEST_ASSERT_GE(socket, RTE_MAX_NUMA_NODES, "heap socket");
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(h, &r0, 1), 1, "regions");
	TEST_ASSERT_EQ(ev.n, 1, "events of the creation");
	TEST_RUN(evh_expect(&ev, 0, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED, r0,
		"ev_heap", socket));
	n0 = test_region_runs(r0, runs, TEST_MAX_RUNS);
	TEST_ASSERT_GT(n0, 0, "runs");
	TEST_RUN(test_rec_expect(&idx, HE0, 1, runs, n0));
	TEST_ASSERT_EQ(test_is_mapped(r0, dev), 1, "chunk mapped");

	/* the heap grows by a region: announced and mapped */
	rte_extmem_region_params_init(&rp);
	rp.backing = RTE_EXTMEM_BACKING_ANON;
	rp.len = HEAP_PAGES * TEST_PG;
	r1 = rte_extmem_heap_region_add(h, &rp);
	TEST_ASSERT_NOT_NULL(r1, "region add: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(ev.n, 2, "events");
	TEST_RUN(evh_expect(&ev, 1, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED, r1,
		"ev_heap", socket));
	n1 = test_region_runs(r1, runs + n0, TEST_MAX_RUNS - n0);
	TEST_RUN(test_rec_expect(&idx, HE0, 1, runs + n0, n1));

	/* a refused chunk: mapped, unmapped, the heap unchanged */
	ev.refuse_next_add = true;
	refused = rte_extmem_heap_region_add(h, &rp);
	TEST_ASSERT_ERRNO(refused == NULL, ECANCELED, "refused region");
	TEST_ASSERT_EQ(ev.n, 3, "events");
	TEST_RUN(evh_expect(&ev, 2, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED, NULL,
		"ev_heap", socket));
	/* the dispatcher had mapped it: each run unmapped, in order */
	nr = test_rec_count(HE0, idx);
	TEST_ASSERT_EQ(nr, vdev_rec_ncalls() - idx, "calls on " HE0 " only");
	TEST_ASSERT(nr > 0 && nr % 2 == 0, "%d calls for the refused chunk",
		nr);
	for (i = 0; i < nr / 2; i++) {
		const struct vdev_rec_call *m = vdev_rec_call(idx + i);
		const struct vdev_rec_call *u = vdev_rec_call(idx + nr / 2 + i);

		TEST_ASSERT(m->map == 1 && u->map == 0, "map then unmap");
		TEST_ASSERT(m->va == u->va && m->iova == u->iova &&
			m->len == u->len, "run %d unmapped as mapped", i);
		TEST_ASSERT(m->va >= (uintptr_t)ev.ev[2].addr &&
			m->va + m->len <= (uintptr_t)ev.ev[2].addr +
			ev.ev[2].len, "run %d inside the refused chunk", i);
	}
	idx += nr;
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(h, &hi), 0, "heap info");
	TEST_ASSERT_EQ(hi.n_regions, 2, "regions of the heap");
	TEST_ASSERT_EQ(hi.size, 2 * HEAP_PAGES * TEST_PG, "heap size");

	/* the chunk leaves: announced, unmapped exactly */
	TEST_ASSERT_EQ(rte_extmem_heap_region_remove(h, r1), 0, "remove: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(ev.n, 4, "events");
	TEST_RUN(evh_expect(&ev, 3, RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED, r1,
		"ev_heap", socket));
	TEST_RUN(test_rec_expect(&idx, HE0, 0, runs + n0, n1));

	TEST_ASSERT_EQ(rte_extmem_heap_destroy(h), 0, "destroy: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(ev.n, 5, "events");
	TEST_RUN(evh_expect(&ev, 4, RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED, r0,
		"ev_heap", socket));
	TEST_RUN(test_rec_expect(&idx, HE0, 0, runs, n0));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");

	/* the library's own chunks never came as EAL events */
	for (i = 0; i < (int)ev.n_eal; i++)
		for (j = 0; j < ev.n; j++)
			TEST_ASSERT(ev.eal_va[i] + ev.eal_len[i] <=
				(uintptr_t)ev.ev[j].addr || ev.eal_va[i] >=
				(uintptr_t)ev.ev[j].addr + ev.ev[j].len,
				"EAL event for heap chunk %u", j);
	TEST_LOG("%u EAL events seen, none for the heap's chunks", ev.n_eal);
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_heap"), 0, "unsub");
	TEST_ASSERT_EQ(rte_dev_remove(dev), 0, "remove");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(event_heap, test_event_heap, 0);
