/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Events carry the region's whole description (rte_extmem_event::info),
 * equal to what rte_extmem_region_info_get() reports, for registration,
 * heap, replay and rollback events: a subscriber never needs to call back.
 */

#include <errno.h>
#include <string.h>

#include <rte_errno.h>

#include <rte_extmem.h>
#include <rte_extmem_event.h>
#include <rte_extmem_heap.h>

#include "test.h"
#include "test_dma_util.h"

#define INFO_MAX 16

struct info_rec {
	enum rte_extmem_event_type type;
	bool has_info, replay, rollback;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *region;
	void *addr;
	size_t len;
};

struct info_sub {
	struct info_rec rec[INFO_MAX];
	unsigned int n;
	bool refuse_add;	/* refuse every addition (not replays) */
};

static int
info_cb(const struct rte_extmem_event *ev, void *arg)
{
	struct info_sub *s = arg;
	struct info_rec *r;

	if (ev->type == RTE_EXTMEM_EVENT_EAL_ALLOC ||
			ev->type == RTE_EXTMEM_EVENT_EAL_FREE)
		return ev->info == NULL ? 0 : -EINVAL;
	if (s->n == INFO_MAX)
		return 0;
	r = &s->rec[s->n++];
	r->type = ev->type;
	r->has_info = ev->info != NULL;
	if (r->has_info)
		r->info = *ev->info;
	r->region = ev->region;
	r->addr = ev->addr;
	r->len = ev->len;
	r->replay = ev->replay;
	r->rollback = ev->rollback;
	if (s->refuse_add && !ev->replay && !ev->rollback &&
			(ev->type == RTE_EXTMEM_EVENT_REGION_REGISTERED ||
			ev->type == RTE_EXTMEM_EVENT_HEAP_REGION_ADDED))
		return -EPERM;
	return 0;
}

/* rec describes region r as info_get() does (users aside). */
static int
info_matches(const struct info_rec *rec, const struct rte_extmem_region *r,
	const struct rte_extmem_region_info *want)
{
	TEST_ASSERT(rec->has_info, "event without info");
	TEST_ASSERT(rec->region == r, "event region");
	TEST_ASSERT_EQ(strcmp(rec->info.name, want->name), 0, "name %s",
		rec->info.name);
	TEST_ASSERT(rec->info.addr == want->addr, "addr");
	TEST_ASSERT(rec->addr == want->addr, "event addr");
	TEST_ASSERT_EQ(rec->info.len, want->len, "len");
	TEST_ASSERT_EQ(rec->len, want->len, "event len");
	TEST_ASSERT_EQ(rec->info.page_sz, want->page_sz, "page size");
	TEST_ASSERT_EQ(rec->info.n_pages, want->n_pages, "pages");
	TEST_ASSERT_EQ(rec->info.n_iova_runs, want->n_iova_runs, "runs");
	TEST_ASSERT_EQ(rec->info.n_bad_iova, want->n_bad_iova, "bad IOVAs");
	TEST_ASSERT_EQ(rec->info.backing, want->backing, "backing");
	TEST_ASSERT_EQ(rec->info.socket_id, want->socket_id, "socket");
	TEST_ASSERT_EQ(strcmp(rec->info.heap, want->heap), 0, "heap %s",
		rec->info.heap);
	TEST_ASSERT_EQ(rec->info.id, want->id, "id");
	return TEST_SUCCESS;
}

static int
test_event_info(void)
{
	struct info_sub s, late, refuse;
	struct rte_extmem_region_info want;
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;
	struct rte_extmem_region *r, *hr;
	struct rte_extmem_heap *h;

	memset(&s, 0, sizeof(s));
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("info_sub", 0, info_cb, &s),
		0, "subscribe: %s", rte_strerror(rte_errno));

	/* a region alone: registered, then unregistered, with its info */
	r = test_anon_region("info_region", 3, 0);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &want), 0, "info");
	TEST_ASSERT_EQ(s.n, 1, "events");
	TEST_ASSERT_EQ(s.rec[0].type, RTE_EXTMEM_EVENT_REGION_REGISTERED,
		"type");
	TEST_RUN(info_matches(&s.rec[0], r, &want));

	/* a late subscriber's replay carries it too */
	memset(&late, 0, sizeof(late));
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("info_late",
		RTE_EXTMEM_EVENT_F_REPLAY, info_cb, &late), 0, "replay");
	TEST_ASSERT(late.n >= 1, "replayed");
	TEST_ASSERT(late.rec[late.n - 1].replay, "replay flag");
	TEST_RUN(info_matches(&late.rec[late.n - 1], r, &want));
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("info_late"), 0, "unsub");

	s.n = 0;
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT_EQ(s.n, 1, "events");
	TEST_ASSERT_EQ(s.rec[0].type, RTE_EXTMEM_EVENT_REGION_UNREGISTERED,
		"type");
	TEST_RUN(info_matches(&s.rec[0], r, &want));

	/* a heap region: heap event, the heap's name and socket in info */
	s.n = 0;
	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	hp.name = "info_heap";
	hp_r.len = 4 * 4096;
	h = rte_extmem_heap_create(&hp);
	TEST_ASSERT_NOT_NULL(h, "heap: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(h, &hr, 1), 1, "regions");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(hr, &want), 0, "info");
	TEST_ASSERT_EQ(s.n, 1, "events");
	TEST_ASSERT_EQ(s.rec[0].type, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED,
		"type");
	TEST_ASSERT_EQ(strcmp(want.heap, "info_heap"), 0, "heap name");
	TEST_RUN(info_matches(&s.rec[0], hr, &want));
	s.n = 0;
	TEST_ASSERT_EQ(rte_extmem_heap_destroy(h), 0, "heap destroy");
	TEST_ASSERT(s.n >= 1, "events");
	TEST_ASSERT_EQ(s.rec[s.n - 1].type,
		RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED, "type");
	TEST_RUN(info_matches(&s.rec[s.n - 1], hr, &want));

	/* a refusal: the rollback event carries the same description */
	memset(&refuse, 0, sizeof(refuse));
	refuse.refuse_add = true;
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("info_refuse", 0, info_cb,
		&refuse), 0, "subscribe");
	s.n = 0;
	r = test_anon_region("info_refused", 2, 0);
	TEST_ASSERT_NULL(r, "refused region created");
	TEST_ASSERT_EQ(rte_errno, ECANCELED, "errno");
	TEST_ASSERT_EQ(s.n, 2, "added, then rolled back");
	TEST_ASSERT(s.rec[1].rollback, "rollback flag");
	TEST_ASSERT_EQ(s.rec[1].type, RTE_EXTMEM_EVENT_REGION_UNREGISTERED,
		"rollback type");
	TEST_ASSERT(s.rec[1].has_info && s.rec[0].has_info, "info");
	TEST_ASSERT_EQ(strcmp(s.rec[1].info.name, "info_refused"), 0, "name");
	TEST_ASSERT_EQ(s.rec[1].info.len, s.rec[0].info.len, "len");
	TEST_ASSERT_EQ(s.rec[1].info.len, 2 * 4096, "len value");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("info_refuse"), 0, "unsub");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("info_sub"), 0, "unsub");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(event_info, test_event_info, 0);
