/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Region operations: the layer above every mechanism, which puts them
 * together in their order. Creating a region validates and builds it
 * (extmem_region.c: backing, IOVAs), registers it with EAL, enters it in
 * the translation table, links it (queries see it) and announces it on
 * the event bus, whose first subscriber maps it on every device.
 * Destroying it undoes the same in reverse. Heaps (extmem_heap.c) use the
 * same steps with their own EAL registration.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "extmem_compat.h"
#include "extmem_event_private.h"
#include "extmem_mp_private.h"
#include "extmem_private.h"

/*
 * The library's explicit start, idempotent, inside an operation: the
 * event bus, then the DMA dispatcher (the bus's first subscriber).
 */
/* How the bus announces a region: the type by its owner, its description. */
static void
region_event(struct extmem_event_region *er, struct rte_extmem_region *r,
	bool add)
{
	bool heap = r->eal == EXTMEM_EAL_HEAP || r->heap[0] != '\0';

	if (heap)
		er->type = add ? RTE_EXTMEM_EVENT_HEAP_REGION_ADDED :
			RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED;
	else
		er->type = add ? RTE_EXTMEM_EVENT_REGION_REGISTERED :
			RTE_EXTMEM_EVENT_REGION_UNREGISTERED;
	er->region = r;
	extmem_region_fill_info(r, &er->info);
}

/* The bus's replay source: the existing regions, in creation order. */
static int
region_replay_source(struct extmem_event_region **ers, unsigned int *n)
{
	struct rte_extmem_region *r;
	unsigned int i = 0;

	*ers = NULL;
	*n = 0;
	/* a secondary's regions of the primary are never announced here:
	 * the primary maps them on the devices, which it owns
	 */
	TAILQ_FOREACH(r, extmem_regions(), next)
		if (!r->mp_remote)
			i++;
	if (i == 0)
		return 0;
	*ers = calloc(i, sizeof(**ers));
	if (*ers == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory to replay %u regions", i);
		return -1;
	}
	TAILQ_FOREACH(r, extmem_regions(), next)
		if (!r->mp_remote)
			region_event(&(*ers)[(*n)++], r, true);
	return 0;
}

void
extmem_init(void)
{
	/* the library is in use: what its constructors deferred */
	extmem_lazy_run();
	extmem_event_replay_source_set(region_replay_source);
	extmem_event_init();
	extmem_dma_init();
	/* after the dispatcher: secondaries hear of a region once the
	 * devices can reach it, and let go of it before they are unmapped
	 */
	extmem_mp_primary_start();
}

void
extmem_start(void)
{
	/* inside an operation the library is started already */
	if (extmem_op_inside() || extmem_op_begin() != 0)
		return;
	extmem_init();
	extmem_op_end();
}

int
extmem_region_publish(struct rte_extmem_region *r)
{
	struct extmem_event_region er;

	/* start the bus and the DMA dispatcher (which maps the existing
	 * regions to the existing ports) before r exists: r is announced as
	 * new, never replayed as existing
	 */
	extmem_init();
	if (extmem_xlate_insert(r) != 0)
		return -1;
	r->magic = EXTMEM_REGION_MAGIC;
	TAILQ_INSERT_TAIL(extmem_regions(), r, next);
	EXTMEM_LOG(DEBUG, "region %s: in the translation table; announcing it "
		"(device mapping first)", r->name);
	region_event(&er, r, true);
	if (extmem_event_publish(&er) != 0) {
		TAILQ_REMOVE(extmem_regions(), r, next);
		r->magic = 0;
		extmem_xlate_remove(r);
		EXTMEM_LOG(DEBUG, "region %s: refused by a subscriber, withdrawn",
			r->name);
		return -1;
	}
	return 0;
}

int
extmem_region_unpublish(struct rte_extmem_region *r)
{
	struct extmem_event_region er;

	EXTMEM_LOG(DEBUG, "region %s: announcing its removal (device "
		"unmapping first)", r->name);
	region_event(&er, r, false);
	if (extmem_event_publish(&er) != 0)
		return -1;
	extmem_xlate_remove(r);
	TAILQ_REMOVE(extmem_regions(), r, next);
	EXTMEM_LOG(DEBUG, "region %s: out of the translation table", r->name);
	return 0;
}

/* The outcome of rte_extmem_register() for r: ret, and its rte_errno. */
static int
region_eal_registered(struct rte_extmem_region *r, int ret, int err)
{
	if (ret != 0) {
		EXTMEM_FAIL(err == ENOSPC ? ENOSPC :
			err == EEXIST ? EADDRINUSE : err,
			"region %s: EAL refused the memory: %s", r->name,
			rte_strerror(err));
		return -1;
	}
	r->eal = EXTMEM_EAL_EXTMEM;
	EXTMEM_LOG(DEBUG, "region %s: registered with EAL "
		"(rte_extmem_register, %u pages)", r->name, r->n_pages);
	return 0;
}

static int
region_eal_register(struct rte_extmem_region *r)
{
	int ret = rte_extmem_register((void *)r->va, r->len, r->iovas,
		r->n_pages, r->page_sz);

	return region_eal_registered(r, ret, ret != 0 ? rte_errno : 0);
}

static void
region_eal_unregister(struct rte_extmem_region *r)
{
	if (r->eal != EXTMEM_EAL_EXTMEM)
		return;
	if (rte_extmem_unregister((void *)r->va, r->len) != 0)
		EXTMEM_LOG(ERR, "region %s: EAL unregister failed: %s",
			r->name, rte_strerror(rte_errno));
	else
		EXTMEM_LOG(DEBUG, "region %s: unregistered from EAL", r->name);
	r->eal = EXTMEM_EAL_NONE;
}

/* EAL's registration of a region without its IOVAs, while its pages'
 * physical addresses are read.
 */
struct eal_beside {
	const struct rte_extmem_region *r;
	int ret;
	int err;	/* its rte_errno (a per-thread variable) */
};

static void *
eal_register_beside(void *arg)
{
	struct eal_beside *b = arg;

	b->ret = rte_extmem_register((void *)b->r->va, b->r->len, NULL,
		b->r->n_pages, b->r->page_sz);
	b->err = b->ret != 0 ? rte_errno : 0;
	return NULL;
}

/* Regions this large or more are registered with EAL beside their
 * pinning (smaller: the thread costs more than EAL's work).
 */
#define EAL_BESIDE_MIN_LEN (64ULL << 20)
/* Test and benchmark hook: EXTMEM_EAL_BESIDE=0 registers after pinning. */
#define EAL_BESIDE_ENV "EXTMEM_EAL_BESIDE"

static bool
eal_beside_wanted(const struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p)
{
	const char *env = getenv(EAL_BESIDE_ENV);
	rte_cpuset_t cpus;

	return (env == NULL || strcmp(env, "0") != 0) &&
		r->len >= EAL_BESIDE_MIN_LEN &&
		extmem_iova_pin_threads(r, p) == 1 &&
		extmem_thread_cpus(&cpus) >= 2;
}

/*
 * The memsegs EAL made beside the pinning get their IOVAs; if EAL's
 * layout is not the one known (extmem_compat_eal_iovas_set()), the range
 * is registered again, with its IOVAs, as without the overlap.
 */
static int
region_eal_iovas_give(struct rte_extmem_region *r)
{
	static bool warned;

	if (extmem_compat_eal_iovas_set(r->va, r->iovas, r->n_pages,
			r->page_sz) == 0) {
		EXTMEM_LOG(DEBUG, "region %s: registered with EAL while "
			"pinned, IOVAs given", r->name);
		return 0;
	}
	if (!warned) {
		warned = true;
		EXTMEM_LOG(WARNING, "region %s: EAL's memsegs are not as "
			"expected, registering regions after pinning",
			r->name);
	}
	region_eal_unregister(r);
	return region_eal_register(r);
}

/*
 * r's IOVAs, then its registration with EAL. When the IOVAs come from
 * pinning by one thread (PA mode, no IOVA table given, from
 * EAL_BESIDE_MIN_LEN to 4 GiB) and helpers have more than one CPU, EAL
 * registers the range without IOVAs (10 to 20 ms per GiB of 4K pages: a
 * memseg per page) once the pages are locked, while a helper thread
 * reads their physical addresses, and each memseg is given its IOVA once
 * they are known. Not earlier: EAL's mappings would race mlock() for
 * mmap_lock, and when they lost, the creation took up to half again as
 * long as without the overlap (measured). Until then EAL lists those
 * memsegs with RTE_BAD_IOVA; rte_extmem_register() raises no event and
 * calls nothing of this library, and nothing of the region is visible
 * through the library until it is published. Either step failing undoes
 * the other; when both fail, the pinning's error is the one reported.
 * Not beside several pinning threads: they take mmap_lock for reading
 * over and over (faulting in, pagemap reads), and EAL's mmap() calls,
 * waiting to write, make them take turns (measured: no speed-up left on
 * 4 GiB of untouched memory). The whole step runs as a callout: queries
 * do not wait for EAL.
 */
static int
region_resolve_register(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p)
{
	struct eal_beside b = { .r = r };
	struct extmem_pin_beside beside = {
		.fn = eal_register_beside, .arg = &b,
	};
	bool callout = extmem_op_callout_begin();
	int ret, err;

	ret = extmem_region_resolve(r, p, eal_beside_wanted(r, p) ?
		&beside : NULL);
	if (!beside.ran) {
		/* not pinned by one thread: nothing is registered yet */
		if (ret == 0)
			ret = region_eal_register(r);
		goto out;
	}
	err = rte_errno;
	if (ret != 0) {
		if (b.ret == 0) {
			r->eal = EXTMEM_EAL_EXTMEM;
			region_eal_unregister(r);
		}
		rte_errno = err;
		ret = -1;
	} else if (region_eal_registered(r, b.ret, b.err) != 0) {
		ret = -1;
	} else {
		ret = region_eal_iovas_give(r);
	}
out:
	err = rte_errno;
	extmem_op_callout_end(callout);
	rte_errno = err;
	return ret;
}

static struct rte_extmem_region *(*proxy_create)(
	const struct rte_extmem_region_params *p);
static int (*proxy_destroy)(struct rte_extmem_region *r);

void
extmem_region_proxy_set(
	struct rte_extmem_region *(*create)(
		const struct rte_extmem_region_params *p),
	int (*destroy)(struct rte_extmem_region *r))
{
	proxy_create = create;
	proxy_destroy = destroy;
}

struct rte_extmem_region *
rte_extmem_region_create(const struct rte_extmem_region_params *params)
{
	struct rte_extmem_region *r;
	int err;

	if (!EXTMEM_EAL_READY())
		return NULL;
	/* a secondary's region: made by the primary, for it */
	if (rte_eal_process_type() == RTE_PROC_SECONDARY &&
			proxy_create != NULL)
		return proxy_create(params);
	if (!EXTMEM_PRIMARY_ONLY() || !EXTMEM_OP_BEGIN())
		return NULL;
	r = extmem_region_begin(params);
	if (r == NULL)
		goto out;
	if (region_resolve_register(r, params) != 0)
		goto fail;
	if (extmem_region_publish(r) != 0)
		goto fail_eal;
	EXTMEM_LOG(INFO, "region %s: %s, %p +%zu, %u x %zu-byte pages, %u "
		"IOVA runs, %u unknown", r->name, rte_extmem_backing_name(r->backing),
		(void *)r->va, r->len, r->n_pages, r->page_sz, r->n_iova_runs,
		r->n_bad_iova);
	goto out;
fail_eal:
	err = rte_errno;
	region_eal_unregister(r);
	rte_errno = err;
fail:
	err = rte_errno;
	extmem_region_delete(r);
	rte_errno = err;
	r = NULL;
out:
	extmem_op_end();
	return r;
}

/* Inside an operation: destroy live region r (not a heap's). */
static int
region_destroy_locked(struct rte_extmem_region *region)
{
	if (!EXTMEM_REGION_LIVE(region))
		return -1;
	if (region->eal == EXTMEM_EAL_HEAP) {
		EXTMEM_FAIL(EBUSY, "region %s belongs to heap %s: remove it "
			"through the heap", region->name, region->heap);
		return -1;
	}
	if (__atomic_load_n(&region->users, __ATOMIC_ACQUIRE) != 0) {
		EXTMEM_FAIL(EBUSY, "region %s still has %u users",
			region->name,
			__atomic_load_n(&region->users, __ATOMIC_ACQUIRE));
		return -1;
	}
	/* the secondaries' users too, before anything changes */
	if (extmem_mp_remove_prepare(region) != 0)
		return -1;
	if (extmem_region_unpublish(region) != 0) {
		extmem_mp_remove_cancel(region);
		return -1;
	}
	region_eal_unregister(region);
	EXTMEM_LOG(INFO, "region %s destroyed", region->name);
	extmem_region_delete(region);
	return 0;
}

/*
 * A region the primary made for a secondary is that secondary's: only it
 * destroys it (through the proxy, extmem_region_destroy_owned()), and it
 * goes when that secondary goes. The application's destroy refuses it.
 */
static bool
region_made_for_secondary(const struct rte_extmem_region *region)
{
	int pid;

	if (!extmem_mp_region_secondary_owner(region, &pid))
		return false;
	EXTMEM_FAIL(EPERM, "region %s was made for secondary process %d: "
		"only that process destroys it (it goes when the process "
		"exits)", region->name, pid);
	return true;
}

int
rte_extmem_region_destroy(struct rte_extmem_region *region)
{
	int ret;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (rte_eal_process_type() == RTE_PROC_SECONDARY &&
			proxy_destroy != NULL)
		return proxy_destroy(region);
	if (!EXTMEM_PRIMARY_ONLY() || !EXTMEM_OP_BEGIN())
		return -1;
	ret = -1;
	if (EXTMEM_REGION_LIVE(region) && !region_made_for_secondary(region))
		ret = region_destroy_locked(region);
	extmem_op_end();
	return ret;
}

int
extmem_region_destroy_owned(const char *name, uint32_t id,
	bool (*owned)(const struct rte_extmem_region *r, void *arg),
	void *arg)
{
	struct rte_extmem_region *r;
	int ret = -1;

	if (!EXTMEM_OP_BEGIN())
		return -1;
	r = EXTMEM_TAILQ_FIND(extmem_regions(), it, !it->mp_remote &&
		strcmp(it->name, name) == 0);
	if (r == NULL || r->id != id) {
		EXTMEM_FAIL(ENOENT, "no region %s of ID %u", name, id);
		goto out;
	}
	if (!owned(r, arg)) {
		EXTMEM_FAIL(EPERM, "region %s was not made for the requester",
			name);
		goto out;
	}
	ret = region_destroy_locked(r);
out:
	extmem_op_end();
	return ret;
}

