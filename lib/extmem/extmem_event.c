/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The event bus for external memory: named subscribers, region and heap
 * events delivered in order with rollback on refusal, replay on
 * subscription, and EAL's memory events forwarded where EAL has them.
 *
 * Locking: the subscriber list changes under extmem_lock and, for writing,
 * sub_lock. Region and heap events are delivered under extmem_lock (the
 * caller's). EAL events arrive from inside EAL, with EAL's memory lock
 * held, so they must not take extmem_lock (the library takes EAL's memory
 * lock under it): they read the list under sub_lock only.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_per_lcore.h>

#include "extmem_private.h"
#include "extmem_walk_private.h"
#include "rte_extmem_event.h"

#define EVENT_EAL_CB_NAME "librte_extmem"

struct event_sub {
	TAILQ_ENTRY(event_sub) next;
	char name[RTE_EXTMEM_NAMESIZE];
	rte_extmem_event_cb_t cb;
	void *arg;
	bool internal;
};

TAILQ_HEAD(event_sub_list, event_sub);

static struct event_sub_list sub_list = TAILQ_HEAD_INITIALIZER(sub_list);
static pthread_rwlock_t sub_lock = PTHREAD_RWLOCK_INITIALIZER;

enum event_eal_fwd {
	EVENT_EAL_FWD_NONE,	/* not registered yet (EAL not initialised) */
	EVENT_EAL_FWD_ON,
	EVENT_EAL_FWD_UNSUPPORTED,	/* legacy memory: EAL has no events */
};
static enum event_eal_fwd eal_fwd;

/* Event callbacks running in this thread. */
static RTE_DEFINE_PER_LCORE(unsigned int, event_cb_depth);

static const char * const event_type_names[EXTMEM_EVENT_TYPE_COUNT] = {
	[RTE_EXTMEM_EVENT_REGION_REGISTERED] = "region_registered",
	[RTE_EXTMEM_EVENT_REGION_UNREGISTERED] = "region_unregistered",
	[RTE_EXTMEM_EVENT_HEAP_REGION_ADDED] = "heap_region_added",
	[RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED] = "heap_region_removed",
	[RTE_EXTMEM_EVENT_EAL_ALLOC] = "eal_alloc",
	[RTE_EXTMEM_EVENT_EAL_FREE] = "eal_free",
};

const char *
rte_extmem_event_type_name(enum rte_extmem_event_type type)
{
	if (!EXTMEM_EAL_READY())
		return NULL;
	return extmem_table_name(event_type_names, RTE_DIM(event_type_names),
		(unsigned int)type);
}

static bool
event_in_callback(void)
{
	return RTE_PER_LCORE(event_cb_depth) > 0;
}

static int
sub_call(const struct event_sub *s, const struct rte_extmem_event *ev)
{
	int ret;

	RTE_PER_LCORE(event_cb_depth)++;
	ret = s->cb(ev, s->arg);
	RTE_PER_LCORE(event_cb_depth)--;
	return ret;
}

static struct event_sub *
sub_find(const char *name)
{
	return EXTMEM_TAILQ_FIND(&sub_list, s, strcmp(s->name, name) == 0);
}

/* EAL's memory events, for memory the library did not create. */
static void
event_eal_cb(enum rte_mem_event type, const void *addr, size_t len,
	void *arg __rte_unused)
{
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(addr);
	struct rte_extmem_event ev;
	const struct event_sub *s;
	bool nested = RTE_PER_LCORE(event_cb_depth) > 0;

	memset(&ev, 0, sizeof(ev));
	ev.external = msl != NULL && msl->external;
	/*
	 * The library adds and removes its heap chunks with its lock held,
	 * outside any callback: those are announced as heap events.
	 */
	if (ev.external && extmem_lock_held() && !nested)
		return;
	ev.type = type == RTE_MEM_EVENT_ALLOC ? RTE_EXTMEM_EVENT_EAL_ALLOC :
		RTE_EXTMEM_EVENT_EAL_FREE;
	ev.addr = (void *)(uintptr_t)addr;
	ev.len = len;
	ev.page_sz = msl != NULL ? msl->page_sz : 0;
	ev.socket_id = msl != NULL && ev.external ? msl->socket_id :
		SOCKET_ID_ANY;
	ev.heap = "";

	pthread_rwlock_rdlock(&sub_lock);
	TAILQ_FOREACH(s, &sub_list, next) {
		if (s->internal)
			continue;
		sub_call(s, &ev);
	}
	pthread_rwlock_unlock(&sub_lock);
}

static void
event_eal_fwd_init(void)
{
	if (eal_fwd != EVENT_EAL_FWD_NONE)
		return;
	/* EAL resolves the IOVA mode during its initialisation */
	if (rte_eal_iova_mode() == RTE_IOVA_DC)
		return;
	if (rte_mem_event_callback_register(EVENT_EAL_CB_NAME, event_eal_cb,
			NULL) == 0 || rte_errno == EEXIST) {
		eal_fwd = EVENT_EAL_FWD_ON;
		EXTMEM_LOG(DEBUG, "forwarding EAL memory events");
	} else if (rte_errno == ENOTSUP) {
		eal_fwd = EVENT_EAL_FWD_UNSUPPORTED;
		EXTMEM_LOG(INFO, "EAL has no memory events (legacy memory, "
			"e.g. --no-huge): EAL allocations are not forwarded; "
			"region and heap events work");
	} else {
		EXTMEM_LOG(WARNING, "cannot register for EAL memory events: %s",
			rte_strerror(rte_errno));
	}
}

/* Under extmem_lock: start the bus (and the DMA dispatcher, its first
 * subscriber) on first use, and the EAL parts once EAL is up.
 */
void
extmem_event_init(void)
{
	extmem_dma_init();
	event_eal_fwd_init();
}

static int
sub_add(const char *name, rte_extmem_event_cb_t cb, void *arg,
	bool internal, struct event_sub **subp)
{
	struct event_sub *s;

	if (sub_find(name) != NULL) {
		EXTMEM_FAIL(EEXIST, "a subscriber named %s exists", name);
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for subscriber %s", name);
		return -1;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->cb = cb;
	s->arg = arg;
	s->internal = internal;
	*subp = s;
	return 0;
}

static void
sub_link(struct event_sub *s)
{
	pthread_rwlock_wrlock(&sub_lock);
	if (s->internal)
		TAILQ_INSERT_HEAD(&sub_list, s, next);
	else
		TAILQ_INSERT_TAIL(&sub_list, s, next);
	pthread_rwlock_unlock(&sub_lock);
}

int
extmem_event_subscribe_internal(const char *name, rte_extmem_event_cb_t cb,
	void *arg)
{
	struct event_sub *s;

	if (sub_add(name, cb, arg, true, &s) != 0)
		return -1;
	sub_link(s);
	return 0;
}

static bool
region_in_heap(const struct rte_extmem_region *r)
{
	return r->eal == EXTMEM_EAL_HEAP || r->heap[0] != '\0';
}

static void
event_of_region(struct rte_extmem_event *ev, struct rte_extmem_region *r,
	bool add)
{
	memset(ev, 0, sizeof(*ev));
	if (region_in_heap(r))
		ev->type = add ? RTE_EXTMEM_EVENT_HEAP_REGION_ADDED :
			RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED;
	else
		ev->type = add ? RTE_EXTMEM_EVENT_REGION_REGISTERED :
			RTE_EXTMEM_EVENT_REGION_UNREGISTERED;
	ev->region = r;
	ev->addr = (void *)r->va;
	ev->len = r->len;
	ev->page_sz = r->page_sz;
	ev->socket_id = r->socket_id;
	ev->heap = r->heap;
}

static void
sub_refused(const struct event_sub *s, const struct rte_extmem_event *ev,
	int ret)
{
	EXTMEM_LOG(ERR, "subscriber %s refused %s of region %s%s: %s",
		s->name, event_type_names[ev->type], ev->region->name,
		ev->replay ? " (replay)" : "",
		ret < 0 ? rte_strerror(-ret & ~EXTMEM_EVENT_KEEP_ERRNO) :
			"refused");
}

/* Replay the existing regions to a new subscriber; on refusal, roll back
 * the regions replayed before, in reverse order.
 */
static int
sub_replay(const struct event_sub *s)
{
	struct extmem_region_list *regions = extmem_regions();
	struct rte_extmem_region *r, *u;
	struct rte_extmem_event ev;
	int ret;

	TAILQ_FOREACH(r, regions, next) {
		event_of_region(&ev, r, true);
		ev.replay = true;
		ret = sub_call(s, &ev);
		if (ret == 0)
			continue;
		sub_refused(s, &ev, ret);
		for (u = TAILQ_PREV(r, extmem_region_list, next); u != NULL;
				u = TAILQ_PREV(u, extmem_region_list, next)) {
			event_of_region(&ev, u, false);
			ev.replay = true;
			ev.rollback = true;
			sub_call(s, &ev);
		}
		rte_errno = ECANCELED;
		return -1;
	}
	return 0;
}

/* (Un)subscribing is refused inside a callback: the bus is being walked. */
static int
sub_outside_callback(const char *name, const char *what)
{
	if (!event_in_callback())
		return 0;
	EXTMEM_FAIL(EDEADLK, "subscriber %s: cannot %s from inside an event "
		"callback", name, what);
	return -1;
}

int
rte_extmem_event_subscribe(const char *name, uint32_t flags,
	rte_extmem_event_cb_t cb, void *arg)
{
	struct event_sub *s;
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (extmem_name_check("subscriber", name, RTE_EXTMEM_NAMESIZE) != 0)
		return -1;
	if (cb == NULL) {
		EXTMEM_FAIL(EINVAL, "subscriber %s: callback is NULL", name);
		return -1;
	}
	if (flags & ~RTE_EXTMEM_EVENT_F_REPLAY) {
		EXTMEM_FAIL(EINVAL, "subscriber %s: unknown flags 0x%x", name,
			flags & ~RTE_EXTMEM_EVENT_F_REPLAY);
		return -1;
	}
	if (sub_outside_callback(name, "subscribe") != 0)
		return -1;
	extmem_lock();
	extmem_event_init();
	if (sub_add(name, cb, arg, false, &s) != 0)
		goto out;
	if ((flags & RTE_EXTMEM_EVENT_F_REPLAY) && sub_replay(s) != 0) {
		free(s);
		goto out;
	}
	sub_link(s);
	EXTMEM_LOG(DEBUG, "subscriber %s added", name);
	ret = 0;
out:
	extmem_unlock();
	return ret;
}

int
rte_extmem_event_unsubscribe(const char *name)
{
	struct event_sub *s;
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (extmem_name_check("subscriber", name, RTE_EXTMEM_NAMESIZE) != 0 ||
			sub_outside_callback(name, "unsubscribe") != 0)
		return -1;
	extmem_lock();
	s = sub_find(name);
	if (s == NULL) {
		EXTMEM_FAIL(ENOENT, "no subscriber named %s", name);
		goto out;
	}
	if (s->internal) {
		EXTMEM_FAIL(EPERM, "subscriber %s belongs to the library",
			name);
		goto out;
	}
	pthread_rwlock_wrlock(&sub_lock);
	TAILQ_REMOVE(&sub_list, s, next);
	pthread_rwlock_unlock(&sub_lock);
	free(s);
	ret = 0;
out:
	extmem_unlock();
	return ret;
}

int
rte_extmem_event_eal_forwarding(void)
{
	enum event_eal_fwd st;

	if (!EXTMEM_EAL_READY())
		return 0;
	extmem_lock();
	extmem_event_init();
	st = eal_fwd;
	extmem_unlock();
	if (st == EVENT_EAL_FWD_ON)
		return 1;
	rte_errno = st == EVENT_EAL_FWD_UNSUPPORTED ? ENOTSUP : EAGAIN;
	return 0;
}

/*
 * Additions are delivered in subscription order (the DMA dispatcher maps
 * first), removals in the reverse order (it unmaps last): while any
 * subscriber knows a region, the devices can reach it. A refusal sends
 * the opposite event, flagged as a rollback, to the subscribers that had
 * accepted, in the reverse of the order they received it.
 */
int
extmem_event_publish(enum extmem_event_kind kind, struct rte_extmem_region *r)
{
	bool add = kind == EXTMEM_EV_REGION_ADD;
	struct rte_extmem_event ev, undo;
	struct event_sub *s, *u;
	int ret;

	if (event_in_callback()) {
		EXTMEM_FAIL(EDEADLK, "region %s: regions cannot be created or "
			"destroyed from inside an event callback", r->name);
		return -1;
	}
	extmem_event_init();
	event_of_region(&ev, r, add);
	s = add ? TAILQ_FIRST(&sub_list) :
		TAILQ_LAST(&sub_list, event_sub_list);
	for (; s != NULL; s = add ? TAILQ_NEXT(s, next) :
			TAILQ_PREV(s, event_sub_list, next)) {
		ret = sub_call(s, &ev);
		if (ret == 0)
			continue;
		sub_refused(s, &ev, ret);
		event_of_region(&undo, r, !add);
		undo.rollback = true;
		for (u = add ? TAILQ_PREV(s, event_sub_list, next) :
				TAILQ_NEXT(s, next); u != NULL;
				u = add ? TAILQ_PREV(u, event_sub_list, next) :
				TAILQ_NEXT(u, next))
			sub_call(u, &undo);
		if (s->internal && ret < 0 && (-ret & EXTMEM_EVENT_KEEP_ERRNO))
			rte_errno = -ret & ~EXTMEM_EVENT_KEEP_ERRNO;
		else
			rte_errno = ECANCELED;
		return -1;
	}
	return 0;
}

int
extmem_event_subscriber_walk(extmem_subscriber_walk_t fn, void *arg)
{
	struct extmem_subscriber_view v;
	const struct event_sub *s;
	int ret = 0;

	pthread_rwlock_rdlock(&sub_lock);
	TAILQ_FOREACH(s, &sub_list, next) {
		v.name = s->name;
		v.cb = (uintptr_t)s->cb;
		v.arg = s->arg;
		v.internal = s->internal;
		ret = fn(&v, arg);
		if (ret != 0)
			break;
	}
	pthread_rwlock_unlock(&sub_lock);
	return ret;
}
