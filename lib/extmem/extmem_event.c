/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The event bus for external memory: named subscribers, region and heap
 * events delivered in order with rollback on refusal, replay on
 * subscription, and EAL's memory events forwarded where EAL has them.
 *
 * Locking: the subscriber list changes inside an operation and, for
 * writing, under sub_lock. Region and heap events are delivered inside the
 * caller's operation: the library's own subscribers with the state lock
 * held, the application's as callouts (state lock released, so they may
 * query). EAL events arrive from inside EAL, with EAL's memory lock held,
 * so they take no lock of the library (it calls EAL inside operations):
 * they read the list under sub_lock only.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_per_lcore.h>

#include "extmem_compat.h"
#include "extmem_event_private.h"
#include "extmem_walk_private.h"

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
/*
 * 1 + event_cb_depth at the time the library itself called EAL to add or
 * remove heap memory in this thread (0: it is not): EAL's ALLOC/FREE
 * events of those calls are announced as heap events instead.
 */
static RTE_DEFINE_PER_LCORE(unsigned int, eal_self_depth);

unsigned int
extmem_event_eal_self_begin(void)
{
	unsigned int prev = RTE_PER_LCORE(eal_self_depth);

	RTE_PER_LCORE(eal_self_depth) = RTE_PER_LCORE(event_cb_depth) + 1;
	return prev;
}

void
extmem_event_eal_self_end(unsigned int prev)
{
	RTE_PER_LCORE(eal_self_depth) = prev;
}

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

/*
 * The library's own subscribers run inside the operation with the state
 * lock held (they change the library's state); the application's run as
 * callouts, free to query.
 */
static int
sub_call(const struct event_sub *s, const struct rte_extmem_event *ev)
{
	bool callout = false;
	int ret;

	if (!s->internal)
		callout = extmem_op_callout_begin();
	RTE_PER_LCORE(event_cb_depth)++;
	ret = s->cb(ev, s->arg);
	RTE_PER_LCORE(event_cb_depth)--;
	extmem_op_callout_end(callout);
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

	memset(&ev, 0, sizeof(ev));
	ev.external = msl != NULL && msl->external;
	/* the library's own heap chunks are announced as heap events */
	if (ev.external && RTE_PER_LCORE(eal_self_depth) ==
			RTE_PER_LCORE(event_cb_depth) + 1)
		return;
	ev.type = type == RTE_MEM_EVENT_ALLOC ? RTE_EXTMEM_EVENT_EAL_ALLOC :
		RTE_EXTMEM_EVENT_EAL_FREE;
	ev.addr = (void *)(uintptr_t)addr;
	ev.len = len;
	ev.page_sz = msl != NULL ? msl->page_sz : 0;
	/* the owning heap's socket: an external heap's ID, or for EAL's own
	 * memory the NUMA socket of its heap socket_<N> (both are the
	 * memseg list's socket_id)
	 */
	ev.socket_id = msl != NULL ? msl->socket_id : SOCKET_ID_ANY;
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
	} else if (extmem_compat_mem_events_unsupported(rte_errno)) {
		eal_fwd = EVENT_EAL_FWD_UNSUPPORTED;
		EXTMEM_LOG(INFO, "EAL has no memory events (legacy memory, "
			"e.g. --no-huge): EAL allocations are not forwarded; "
			"region and heap events work");
	} else {
		EXTMEM_LOG(WARNING, "cannot register for EAL memory events: %s",
			rte_strerror(rte_errno));
	}
}

/* Inside an operation: start the bus on first use, and its EAL part once
 * EAL is up. The bus starts nothing else (extmem_init() starts the DMA
 * dispatcher after it).
 */
void
extmem_event_init(void)
{
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
	struct event_sub *last = NULL, *it;

	/* the library's own, in the order they subscribed, ahead of the
	 * application's (the DMA dispatcher first)
	 */
	TAILQ_FOREACH(it, &sub_list, next)
		if (it->internal)
			last = it;
	pthread_rwlock_wrlock(&sub_lock);
	if (s->internal && last != NULL)
		TAILQ_INSERT_AFTER(&sub_list, last, s, next);
	else if (s->internal)
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

/* The removal that undoes an addition, and the other way round. */
static enum rte_extmem_event_type
event_opposite(enum rte_extmem_event_type type)
{
	switch (type) {
	case RTE_EXTMEM_EVENT_REGION_REGISTERED:
		return RTE_EXTMEM_EVENT_REGION_UNREGISTERED;
	case RTE_EXTMEM_EVENT_REGION_UNREGISTERED:
		return RTE_EXTMEM_EVENT_REGION_REGISTERED;
	case RTE_EXTMEM_EVENT_HEAP_REGION_ADDED:
		return RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED;
	case RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED:
		return RTE_EXTMEM_EVENT_HEAP_REGION_ADDED;
	default:
		return type;
	}
}

static bool
event_is_addition(enum rte_extmem_event_type type)
{
	return type == RTE_EXTMEM_EVENT_REGION_REGISTERED ||
		type == RTE_EXTMEM_EVENT_HEAP_REGION_ADDED;
}

/* The event of a region described by the caller (opposite: its undo). */
static void
event_of_region(struct rte_extmem_event *ev,
	const struct extmem_event_region *er, bool opposite)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = opposite ? event_opposite(er->type) : er->type;
	ev->region = er->region;
	ev->addr = er->info.addr;
	ev->len = er->info.len;
	ev->page_sz = er->info.page_sz;
	ev->socket_id = er->info.socket_id;
	ev->heap = er->info.heap;
	ev->info = &er->info;
}

static extmem_event_replay_source_t replay_source;

void
extmem_event_replay_source_set(extmem_event_replay_source_t fn)
{
	replay_source = fn;
}

static void
sub_refused(const struct event_sub *s, const struct rte_extmem_event *ev,
	int ret)
{
	EXTMEM_LOG(ERR, "subscriber %s refused %s of region %s%s: %s",
		s->name, event_type_names[ev->type], ev->info->name,
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
	struct extmem_event_region *ers = NULL;
	struct rte_extmem_event ev;
	unsigned int n = 0, i, u;
	int ret;

	if (replay_source != NULL && replay_source(&ers, &n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		event_of_region(&ev, &ers[i], false);
		ev.replay = true;
		ret = sub_call(s, &ev);
		if (ret == 0)
			continue;
		sub_refused(s, &ev, ret);
		for (u = i; u-- > 0;) {
			event_of_region(&ev, &ers[u], true);
			ev.replay = true;
			ev.rollback = true;
			sub_call(s, &ev);
		}
		free(ers);
		rte_errno = ECANCELED;
		return -1;
	}
	free(ers);
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

static bool
sub_name_reserved(const char *name)
{
	return strcmp(name, EXTMEM_SUB_DMA) == 0 ||
		strcmp(name, EXTMEM_SUB_MP) == 0;
}

int
extmem_event_subscribe_app(const char *name, uint32_t flags,
	rte_extmem_event_cb_t cb, void *arg)
{
	struct event_sub *s;
	int ret = -1;

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
	if (sub_name_reserved(name)) {
		EXTMEM_FAIL(EEXIST, "subscriber name %s is reserved for the "
			"library", name);
		return -1;
	}
	if (sub_outside_callback(name, "subscribe") != 0 ||
			!EXTMEM_OP_BEGIN())
		return -1;
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
	extmem_op_end();
	return ret;
}

int
extmem_event_unsubscribe_app(const char *name)
{
	struct event_sub *s;
	int ret = -1;

	if (extmem_name_check("subscriber", name, RTE_EXTMEM_NAMESIZE) != 0 ||
			sub_outside_callback(name, "unsubscribe") != 0 ||
			!EXTMEM_OP_BEGIN())
		return -1;
	s = sub_find(name);
	if (s == NULL && !sub_name_reserved(name)) {
		EXTMEM_FAIL(ENOENT, "no subscriber named %s", name);
		goto out;
	}
	if (s == NULL || s->internal) {
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
	extmem_op_end();
	return ret;
}

int
extmem_event_eal_forwarding_state(void)
{
	enum event_eal_fwd st;

	extmem_query_begin();
	st = eal_fwd;
	extmem_query_end();
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
extmem_event_publish(const struct extmem_event_region *er)
{
	bool add = event_is_addition(er->type);
	struct rte_extmem_event ev, undo;
	struct event_sub *s, *u;
	int ret;

	if (event_in_callback()) {
		EXTMEM_FAIL(EDEADLK, "region %s: regions cannot be created or "
			"destroyed from inside an event callback", er->info.name);
		return -1;
	}
	extmem_event_init();
	event_of_region(&ev, er, false);
	s = add ? TAILQ_FIRST(&sub_list) :
		TAILQ_LAST(&sub_list, event_sub_list);
	for (; s != NULL; s = add ? TAILQ_NEXT(s, next) :
			TAILQ_PREV(s, event_sub_list, next)) {
		ret = sub_call(s, &ev);
		if (ret == 0)
			continue;
		sub_refused(s, &ev, ret);
		event_of_region(&undo, er, true);
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
