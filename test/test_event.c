/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The event bus: validation, delivery order, refusal and rollback, replay,
 * what callbacks may not do, and EAL's memory events forwarded (with
 * hugepages) or reported unavailable (--no-huge).
 */

#include <errno.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include <rte_extmem.h>
#include <rte_extmem_event.h>

#include "test.h"
#include "test_region_util.h"
#include "test_dma_util.h"

#define EV_MAX 64

/* One event as a subscriber saw it. */
struct ev_rec {
	unsigned int sub;
	struct rte_extmem_event ev;
	char heap[RTE_EXTMEM_NAMESIZE];
	int ret;
};

/* A recording subscriber; it refuses the nth event of type refuse_type
 * (rollbacks not counted) when refuse_nth > 0.
 */
struct ev_sub {
	unsigned int id;
	bool eal;		/* record EAL events (others: region/heap) */
	enum rte_extmem_event_type refuse_type;
	unsigned int refuse_nth;
	int refuse_err;
	unsigned int seen;
};

static struct ev_rec ev_log[EV_MAX];
static unsigned int ev_n;

static void
ev_reset(void)
{
	ev_n = 0;
}

static bool
is_eal(enum rte_extmem_event_type t)
{
	return t == RTE_EXTMEM_EVENT_EAL_ALLOC ||
		t == RTE_EXTMEM_EVENT_EAL_FREE;
}

static int
ev_cb(const struct rte_extmem_event *ev, void *arg)
{
	struct ev_sub *s = arg;
	int ret = 0;

	if (is_eal(ev->type) != s->eal)
		return 0;
	if (s->refuse_nth > 0 && ev->type == s->refuse_type && !ev->rollback &&
			++s->seen == s->refuse_nth)
		ret = -s->refuse_err;
	if (ev_n < EV_MAX) {
		ev_log[ev_n].sub = s->id;
		ev_log[ev_n].ev = *ev;
		snprintf(ev_log[ev_n].heap, sizeof(ev_log[ev_n].heap), "%s",
			ev->heap != NULL ? ev->heap : "(null)");
		ev_log[ev_n].ev.heap = NULL;
		ev_log[ev_n].ret = ret;
		ev_n++;
	}
	return ret;
}

static int
ev_expect(unsigned int i, unsigned int sub, enum rte_extmem_event_type type,
	const struct rte_extmem_region *r, bool replay, bool rollback)
{
	const struct ev_rec *e = &ev_log[i];

	TEST_ASSERT_LT(i, ev_n, "event %u was not delivered", i);
	TEST_ASSERT_EQ(e->sub, sub, "event %u went to subscriber %u", i,
		e->sub);
	TEST_ASSERT_EQ(e->ev.type, type, "event %u type %s", i,
		rte_extmem_event_type_name(e->ev.type));
	TEST_ASSERT(e->ev.region == r, "event %u region", i);
	TEST_ASSERT_EQ(e->ev.replay, replay, "event %u replay flag", i);
	TEST_ASSERT_EQ(e->ev.rollback, rollback, "event %u rollback flag", i);
	return TEST_SUCCESS;
}

static int
test_event_api(void)
{
	struct ev_sub s = { .id = 1 };
	const char *long_name = "a_subscriber_name_of_32_chars_xx";

	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe(NULL, 0, ev_cb, &s) != 0,
		EINVAL, "NULL name");
	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe("", 0, ev_cb, &s) != 0,
		EINVAL, "empty name");
	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe(long_name, 0, ev_cb,
		&s) != 0, EINVAL, "name of %zu chars", strlen(long_name));
	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe("ev_api", 0, NULL,
		&s) != 0, EINVAL, "NULL callback");
	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe("ev_api", 0x2, ev_cb,
		&s) != 0, EINVAL, "unknown flag");
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_api", 0, ev_cb, &s), 0,
		"subscribe: %s", rte_strerror(rte_errno));
	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe("ev_api", 0, ev_cb,
		&s) != 0, EEXIST, "duplicate name");
	/* the dispatcher is a subscriber the application cannot remove */
	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe("extmem.dma", 0, ev_cb,
		&s) != 0, EEXIST, "the dispatcher's name");
	TEST_ASSERT_ERRNO(rte_extmem_event_unsubscribe("extmem.dma") != 0,
		EPERM, "unsubscribe the dispatcher");
	/* the multi-process sync's name is reserved as well, subscribed
	 * (a primary that made a region) or not
	 */
	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe("extmem.mp", 0, ev_cb,
		&s) != 0, EEXIST, "the multi-process sync's name");
	TEST_ASSERT_ERRNO(rte_extmem_event_unsubscribe("extmem.mp") != 0,
		EPERM, "unsubscribe the multi-process sync");
	TEST_ASSERT_ERRNO(rte_extmem_event_unsubscribe(NULL) != 0, EINVAL,
		"NULL name");
	TEST_ASSERT_ERRNO(rte_extmem_event_unsubscribe(long_name) != 0, EINVAL,
		"long name");
	TEST_ASSERT_ERRNO(rte_extmem_event_unsubscribe("ev_nope") != 0, ENOENT,
		"unknown name");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_api"), 0,
		"unsubscribe");
	TEST_ASSERT_ERRNO(rte_extmem_event_unsubscribe("ev_api") != 0, ENOENT,
		"unsubscribed twice");

	TEST_ASSERT(strcmp(rte_extmem_event_type_name(
		RTE_EXTMEM_EVENT_REGION_REGISTERED), "region_registered") == 0,
		"type name");
	TEST_ASSERT(strcmp(rte_extmem_event_type_name(
		RTE_EXTMEM_EVENT_EAL_FREE), "eal_free") == 0, "type name");
	TEST_ASSERT_ERRNO(rte_extmem_event_type_name(TEST_EVENT_TYPES) ==
		NULL, EINVAL, "type name of an invalid type");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(event_api, test_event_api, 0);

static int
test_event_order(void)
{
	struct ev_sub s1 = { .id = 1 }, s2 = { .id = 2 }, s3 = { .id = 3 };
	struct rte_extmem_region_info info;
	struct rte_extmem_region *a, *b;
	struct test_ureg ua;
	const struct ev_rec *e;
	unsigned int i;

	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_o1", 0, ev_cb, &s1), 0,
		"s1");
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_o2", 0, ev_cb, &s2), 0,
		"s2");
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_o3", 0, ev_cb, &s3), 0,
		"s3");
	ev_reset();
	a = test_ureg_create(&ua, "ev_order_a", 4, NULL, 0);
	TEST_ASSERT_NOT_NULL(a, "region a: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(a, &info), 0, "info");

	/* additions in subscription order, with the region's description */
	TEST_ASSERT_EQ(ev_n, 3, "events of the creation");
	for (i = 0; i < 3; i++) {
		TEST_RUN(ev_expect(i, i + 1, RTE_EXTMEM_EVENT_REGION_REGISTERED,
			a, false, false));
		e = &ev_log[i];
		TEST_ASSERT(e->ev.addr == ua.buf, "event %u address", i);
		TEST_ASSERT_EQ(e->ev.len, 4 * TEST_PG, "event %u length", i);
		TEST_ASSERT_EQ(e->ev.page_sz, TEST_PG, "event %u page size", i);
		TEST_ASSERT_EQ(e->ev.socket_id, SOCKET_ID_ANY,
			"event %u socket", i);
		TEST_ASSERT(strcmp(e->heap, "") == 0, "event %u heap '%s'", i,
			e->heap);
	}

	/* removals in the reverse order */
	ev_reset();
	TEST_ASSERT_EQ(test_ureg_destroy(&ua), 0, "destroy a");
	TEST_ASSERT_EQ(ev_n, 3, "events of the destruction");
	for (i = 0; i < 3; i++)
		TEST_RUN(ev_expect(i, 3 - i,
			RTE_EXTMEM_EVENT_REGION_UNREGISTERED, a, false, false));

	/* an unsubscribed callback hears nothing more */
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_o2"), 0, "unsub s2");
	ev_reset();
	b = test_anon_region("ev_order_b", 2, 0);
	TEST_ASSERT_NOT_NULL(b, "region b: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(ev_n, 2, "events without s2");
	TEST_RUN(ev_expect(0, 1, RTE_EXTMEM_EVENT_REGION_REGISTERED, b, false,
		false));
	TEST_RUN(ev_expect(1, 3, RTE_EXTMEM_EVENT_REGION_REGISTERED, b, false,
		false));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(b), 0, "destroy b");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_o1"), 0, "unsub s1");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_o3"), 0, "unsub s3");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(event_order, test_event_order, 0);

static int
test_event_rollback(void)
{
	struct ev_sub s1 = { .id = 1 }, s2 = { .id = 2 }, s3 = { .id = 3 };
	unsigned int nregions = test_region_count();
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	struct test_ureg u;
	void *buf;

	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_r1", 0, ev_cb, &s1), 0,
		"s1");
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_r2", 0, ev_cb, &s2), 0,
		"s2");
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_r3", 0, ev_cb, &s3), 0,
		"s3");

	/* s3 refuses the region: creation fails, s2 then s1 undo it */
	s3.refuse_type = RTE_EXTMEM_EVENT_REGION_REGISTERED;
	s3.refuse_nth = 1;
	s3.refuse_err = EPERM;
	ev_reset();
	r = test_ureg_create(&u, "ev_rollback", 4, NULL, 0);
	TEST_ASSERT_ERRNO(r == NULL, ECANCELED, "refused creation");
	TEST_ASSERT_EQ(ev_n, 5, "events of the refused creation");
	/* the region handle in the events is the one that was refused */
	r = ev_log[0].ev.region;
	TEST_RUN(ev_expect(0, 1, RTE_EXTMEM_EVENT_REGION_REGISTERED, r, false,
		false));
	TEST_RUN(ev_expect(1, 2, RTE_EXTMEM_EVENT_REGION_REGISTERED, r, false,
		false));
	TEST_RUN(ev_expect(2, 3, RTE_EXTMEM_EVENT_REGION_REGISTERED, r, false,
		false));
	TEST_ASSERT_EQ(ev_log[2].ret, -EPERM, "s3 refused");
	TEST_RUN(ev_expect(3, 2, RTE_EXTMEM_EVENT_REGION_UNREGISTERED, r, false,
		true));
	TEST_RUN(ev_expect(4, 1, RTE_EXTMEM_EVENT_REGION_UNREGISTERED, r, false,
		true));
	/* nothing half-done: no region, nothing in EAL or the table */
	TEST_ASSERT_EQ(test_region_count(), nregions, "region count");
	TEST_ASSERT_ERRNO(rte_extmem_region_lookup("ev_rollback") == NULL,
		ENOENT, "lookup");

	/* a positive return value refuses as well (documented) */
	s3.refuse_nth = s3.seen + 1;
	s3.refuse_err = -1;
	ev_reset();
	r = test_ureg_create(&u, "ev_rollback", 4, NULL, 0);
	TEST_ASSERT_ERRNO(r == NULL, ECANCELED, "creation refused with 1");
	TEST_ASSERT_EQ(ev_n, 5, "events of the creation refused with 1");
	TEST_ASSERT_EQ(ev_log[2].ret, 1, "s3 returned 1");
	TEST_ASSERT(ev_log[3].ev.rollback && ev_log[4].ev.rollback,
		"rolled back");
	TEST_ASSERT_EQ(test_region_count(), nregions, "region count");

	/* the same memory and name work once accepted */
	buf = mmap(NULL, 4 * TEST_PG, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(buf != MAP_FAILED, "mmap");
	TEST_ASSERT_NULL(rte_mem_virt2memseg_list(buf), "EAL knows %p", buf);
	munmap(buf, 4 * TEST_PG);
	r = test_ureg_create(&u, "ev_rollback", 4, NULL, 0);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_NOT_NULL(rte_mem_virt2memseg_list(u.buf), "EAL memseg");

	/* s2 refuses the removal (heard second): s3 gets the region back */
	s2.refuse_type = RTE_EXTMEM_EVENT_REGION_UNREGISTERED;
	s2.refuse_nth = 1;
	s2.refuse_err = EBUSY;
	ev_reset();
	TEST_ASSERT_ERRNO(test_ureg_destroy(&u) != 0, ECANCELED,
		"refused destruction");
	TEST_ASSERT_EQ(ev_n, 3, "events of the refused destruction");
	TEST_RUN(ev_expect(0, 3, RTE_EXTMEM_EVENT_REGION_UNREGISTERED, r, false,
		false));
	TEST_RUN(ev_expect(1, 2, RTE_EXTMEM_EVENT_REGION_UNREGISTERED, r, false,
		false));
	TEST_RUN(ev_expect(2, 3, RTE_EXTMEM_EVENT_REGION_REGISTERED, r, false,
		true));
	/* the region is intact */
	TEST_ASSERT(rte_extmem_region_lookup("ev_rollback") == r, "lookup");
	TEST_ASSERT(rte_extmem_virt2region(u.buf) == r, "translation table");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info");
	TEST_ASSERT_NOT_NULL(rte_mem_virt2memseg_list(u.buf), "EAL memseg");

	ev_reset();
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(ev_n, 3, "events of the destruction");
	TEST_ASSERT_EQ(test_region_count(), nregions, "region count");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_r1"), 0, "unsub");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_r2"), 0, "unsub");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_r3"), 0, "unsub");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(event_rollback, test_event_rollback, 0);

static int
test_event_replay(void)
{
	struct ev_sub s1 = { .id = 1 }, s2 = { .id = 2 }, s3 = { .id = 3 };
	struct rte_extmem_region *r1, *r2;
	unsigned int nold = test_region_count();

	r1 = test_anon_region("ev_replay1", 2, 0);
	TEST_ASSERT_NOT_NULL(r1, "r1: %s", rte_strerror(rte_errno));
	r2 = test_anon_region("ev_replay2", 3, 0);
	TEST_ASSERT_NOT_NULL(r2, "r2: %s", rte_strerror(rte_errno));

	/* without replay: nothing delivered */
	ev_reset();
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_p1", 0, ev_cb, &s1), 0,
		"s1");
	TEST_ASSERT_EQ(ev_n, 0, "no replay asked");

	/* with replay: the existing regions in creation order */
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_p2",
		RTE_EXTMEM_EVENT_F_REPLAY, ev_cb, &s2), 0, "s2");
	TEST_ASSERT_EQ(ev_n, nold + 2, "replayed regions");
	TEST_RUN(ev_expect(nold, 2, RTE_EXTMEM_EVENT_REGION_REGISTERED, r1,
		true, false));
	TEST_RUN(ev_expect(nold + 1, 2, RTE_EXTMEM_EVENT_REGION_REGISTERED, r2,
		true, false));

	/* a subscriber refusing a replayed region is not subscribed, and
	 * what was replayed to it before is rolled back
	 */
	s3.refuse_type = RTE_EXTMEM_EVENT_REGION_REGISTERED;
	s3.refuse_nth = nold + 2;
	s3.refuse_err = ENOMEM;
	ev_reset();
	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe("ev_p3",
		RTE_EXTMEM_EVENT_F_REPLAY, ev_cb, &s3) != 0, ECANCELED,
		"refused replay");
	TEST_ASSERT_EQ(ev_n, 2 * (nold + 1) + 1, "replay and rollback");
	TEST_RUN(ev_expect(nold, 3, RTE_EXTMEM_EVENT_REGION_REGISTERED, r1,
		true, false));
	TEST_RUN(ev_expect(nold + 1, 3, RTE_EXTMEM_EVENT_REGION_REGISTERED, r2,
		true, false));
	TEST_RUN(ev_expect(nold + 2, 3, RTE_EXTMEM_EVENT_REGION_UNREGISTERED,
		r1, true, true));
	TEST_ASSERT_ERRNO(rte_extmem_event_unsubscribe("ev_p3") != 0, ENOENT,
		"not subscribed");

	/* subscribers hear the later regions */
	ev_reset();
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r2), 0, "destroy r2");
	TEST_ASSERT_EQ(ev_n, 2, "events");
	TEST_RUN(ev_expect(0, 2, RTE_EXTMEM_EVENT_REGION_UNREGISTERED, r2,
		false, false));
	TEST_RUN(ev_expect(1, 1, RTE_EXTMEM_EVENT_REGION_UNREGISTERED, r2,
		false, false));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r1), 0, "destroy r1");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_p1"), 0, "unsub");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_p2"), 0, "unsub");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(event_replay, test_event_replay, 0);

/* What a callback tries from inside an event. */
struct nested {
	const char *name;
	int sub_ret, sub_err;
	int unsub_ret, unsub_err;
	struct rte_extmem_region *created;
	int create_err;
	struct rte_extmem_region *found;
	unsigned int calls;
};

static int
nested_cb(const struct rte_extmem_event *ev, void *arg)
{
	struct nested *n = arg;

	if (ev->type != RTE_EXTMEM_EVENT_REGION_REGISTERED)
		return 0;
	n->calls++;
	n->sub_ret = rte_extmem_event_subscribe("ev_nested2", 0, nested_cb, n);
	n->sub_err = rte_errno;
	n->unsub_ret = rte_extmem_event_unsubscribe("ev_nested");
	n->unsub_err = rte_errno;
	n->created = test_anon_region("ev_nested_inner", 1, 0);
	n->create_err = rte_errno;
	/* queries work */
	n->found = rte_extmem_region_lookup(n->name);
	return 0;
}

static int
test_event_nested(void)
{
	struct nested n = { .name = "ev_nested_outer" };
	unsigned int nregions = test_region_count();
	struct rte_extmem_region *r;

	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_nested", 0, nested_cb,
		&n), 0, "subscribe");
	r = test_anon_region(n.name, 1, 0);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(n.calls, 1, "callback calls");
	TEST_ASSERT_EQ(n.sub_ret, -1, "subscribe inside a callback");
	TEST_ASSERT_EQ(n.sub_err, EDEADLK, "subscribe errno");
	TEST_ASSERT_EQ(n.unsub_ret, -1, "unsubscribe inside a callback");
	TEST_ASSERT_EQ(n.unsub_err, EDEADLK, "unsubscribe errno");
	TEST_ASSERT_NULL(n.created, "region created inside a callback");
	TEST_ASSERT_EQ(n.create_err, EDEADLK, "create errno");
	TEST_ASSERT(n.found == r, "lookup inside a callback");
	TEST_ASSERT_EQ(test_region_count(), nregions + 1, "regions");
	TEST_ASSERT_ERRNO(rte_extmem_event_unsubscribe("ev_nested2") != 0,
		ENOENT, "nested subscription did not happen");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_nested"), 0, "unsub");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(event_nested, test_event_nested, 0);

/* Find the recorded EAL event of a type for [addr, addr + len). */
static const struct ev_rec *
eal_event_find(enum rte_extmem_event_type type, const void *addr, size_t len)
{
	unsigned int i;

	for (i = 0; i < ev_n; i++)
		if (ev_log[i].ev.type == type && ev_log[i].ev.addr == addr &&
				ev_log[i].ev.len == len)
			return &ev_log[i];
	return NULL;
}

static int
test_event_eal(void)
{
	const char *heap = "ev_app_heap";
	struct ev_sub s = { .id = 1, .eal = true };
	const size_t len = 4 * TEST_PG;
	struct rte_extmem_region *r;
	const struct ev_rec *e;
	int fwd, socket;
	void *buf;

	fwd = rte_extmem_event_eal_forwarding();
	if (rte_eal_has_hugepages()) {
		TEST_ASSERT_EQ(fwd, 1, "EAL events forwarded with hugepages");
	} else {
		/* legacy memory: EAL refuses memory callbacks; handled */
		TEST_ASSERT_EQ(fwd, 0, "forwarding in legacy memory mode");
		TEST_ASSERT_EQ(rte_errno, ENOTSUP, "reason");
	}
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("ev_eal", 0, ev_cb, &s), 0,
		"subscribe");

	/* an application's own external heap memory */
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(buf != MAP_FAILED, "mmap");
	TEST_ASSERT_EQ(rte_malloc_heap_create(heap), 0, "heap create: %s",
		rte_strerror(rte_errno));
	socket = rte_malloc_heap_get_socket(heap);
	ev_reset();
	TEST_ASSERT_EQ(rte_malloc_heap_memory_add(heap, buf, len, NULL, 0,
		TEST_PG), 0, "heap memory add: %s", rte_strerror(rte_errno));
	e = eal_event_find(RTE_EXTMEM_EVENT_EAL_ALLOC, buf, len);
	if (fwd) {
		TEST_ASSERT_NOT_NULL(e, "EAL_ALLOC of the heap memory");
		TEST_ASSERT(e->ev.external, "external memory");
		TEST_ASSERT_NULL(e->ev.region, "no region");
		TEST_ASSERT_EQ(e->ev.page_sz, TEST_PG, "page size");
		TEST_ASSERT_EQ(e->ev.socket_id, socket, "heap socket");
		TEST_ASSERT(strcmp(e->heap, "") == 0, "heap name");
		TEST_ASSERT(!e->ev.replay && !e->ev.rollback, "flags");
	} else {
		TEST_ASSERT_NULL(e, "no EAL event without EAL memory events");
	}
	ev_reset();
	TEST_ASSERT_EQ(rte_malloc_heap_memory_remove(heap, buf, len), 0,
		"heap memory remove: %s", rte_strerror(rte_errno));
	e = eal_event_find(RTE_EXTMEM_EVENT_EAL_FREE, buf, len);
	if (fwd) {
		TEST_ASSERT_NOT_NULL(e, "EAL_FREE of the heap memory");
		TEST_ASSERT(e->ev.external, "external memory");
	} else {
		TEST_ASSERT_NULL(e, "no EAL event without EAL memory events");
	}
	TEST_ASSERT_EQ(rte_malloc_heap_destroy(heap), 0, "heap destroy");
	munmap(buf, len);

	/* EAL's own hugepages: an allocation larger than what the socket's
	 * heap has free makes EAL map pages; the event carries that heap's
	 * socket (the memseg list's), not SOCKET_ID_ANY
	 */
	if (fwd && rte_eal_iova_mode() != RTE_IOVA_DC) {
		struct rte_malloc_socket_stats st;
		const struct rte_memseg_list *msl;
		unsigned int i;
		size_t sz;
		void *p;

		socket = rte_socket_id() == (unsigned int)SOCKET_ID_ANY ? 0 :
			(int)rte_socket_id();
		TEST_ASSERT_EQ(rte_malloc_get_socket_stats(socket, &st), 0,
			"socket %d stats", socket);
		ev_reset();
		sz = st.heap_freesz_bytes + RTE_PGSIZE_2M;
		p = rte_malloc_socket("ev_eal_huge", sz, 0, socket);
		TEST_ASSERT_NOT_NULL(p, "EAL allocation of %zu bytes", sz);
		msl = rte_mem_virt2memseg_list(p);
		TEST_ASSERT_NOT_NULL(msl, "memseg list of %p", p);
		e = NULL;
		for (i = 0; i < ev_n; i++)
			if (ev_log[i].ev.type == RTE_EXTMEM_EVENT_EAL_ALLOC &&
					!ev_log[i].ev.external)
				e = &ev_log[i];
		rte_free(p);
		TEST_ASSERT_NOT_NULL(e, "EAL_ALLOC of EAL's hugepages");
		TEST_ASSERT_EQ(e->ev.socket_id, msl->socket_id,
			"EAL memory event socket (heap socket_%d)",
			msl->socket_id);
		TEST_ASSERT_EQ(e->ev.socket_id, socket, "the socket asked for");
		TEST_ASSERT_EQ(e->ev.page_sz, msl->page_sz, "page size");
		TEST_ASSERT(strcmp(e->heap, "") == 0, "heap name");
	}

	/* library regions come as region events, never as EAL events */
	ev_reset();
	s.eal = false;
	r = test_anon_region("ev_eal_region", 2, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(ev_n, 1, "one event");
	TEST_RUN(ev_expect(0, 1, RTE_EXTMEM_EVENT_REGION_REGISTERED, r, false,
		false));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("ev_eal"), 0, "unsub");
	TEST_LOG("EAL memory events %s", fwd ? "forwarded" :
		"not available (legacy memory)");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(event_eal, test_event_eal, 0);
