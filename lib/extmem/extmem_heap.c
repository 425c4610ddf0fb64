/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Named external heaps: life cycle, regions, lookup and description. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "extmem_compat.h"
#include "extmem_event_private.h"
#include "extmem_heap_private.h"
#include "extmem_mp_private.h"
#include "extmem_walk_private.h"

static struct extmem_heap_list heap_list = TAILQ_HEAD_INITIALIZER(heap_list);

#define HEAP_KNOWN_FLAGS RTE_EXTMEM_HEAP_F_NO_IOVA

struct extmem_heap_list *
extmem_heaps(void)
{
	return &heap_list;
}

bool
extmem_heap_valid(const struct rte_extmem_heap *h)
{
	return h != NULL && EXTMEM_TAILQ_FIND(&heap_list, it,
		it == h && it->magic == EXTMEM_HEAP_MAGIC) != NULL;
}

/* Is name a native heap of EAL, or of the form reserved for them? */
static bool
heap_name_native(const char *name)
{
	int sock;

	if (extmem_compat_heap_name_native(name))
		return true;
	sock = rte_malloc_heap_get_socket(name);
	return sock >= 0 && sock < RTE_MAX_NUMA_NODES;
}

static struct rte_extmem_heap *
heap_find(const char *name)
{
	return EXTMEM_TAILQ_FIND(&heap_list, h, strcmp(h->name, name) == 0);
}

int
rte_extmem_heap_params_init(struct rte_extmem_heap_params *params)
{
	if (!EXTMEM_PARAMS_RESET(params))
		return -1;
	return 0;
}

/* A region name for heap h that no region has yet. */
static void
heap_region_name(struct rte_extmem_heap *h, char *buf, size_t size)
{
	const struct rte_extmem_region *r;
	bool used;

	do {
		if ((size_t)snprintf(buf, size, "%s.%u", h->name, h->seq) >=
				size)
			snprintf(buf, size, "heap%d.%u", h->socket_id, h->seq);
		h->seq++;
		used = false;
		TAILQ_FOREACH(r, extmem_regions(), next)
			if (strcmp(r->name, buf) == 0)
				used = true;
	} while (used);
}

static int
heap_regions_reserve(struct rte_extmem_heap *h)
{
	struct rte_extmem_region **a;
	unsigned int cap;

	if (h->n_regions < h->cap_regions)
		return 0;
	cap = h->cap_regions == 0 ? 4 : h->cap_regions * 2;
	a = realloc(h->regions, sizeof(*a) * cap);
	if (a == NULL) {
		EXTMEM_FAIL(ENOMEM, "heap %s: no memory for %u regions",
			h->name, cap);
		return -1;
	}
	h->regions = a;
	h->cap_regions = cap;
	return 0;
}

/* Can r join heap h (and, at creation, do hp's growth settings fit r)? */
static int
heap_region_acceptable(const struct rte_extmem_heap *h,
	const struct rte_extmem_region *r,
	const struct rte_extmem_heap_params *hp)
{
	if (!(h->flags & RTE_EXTMEM_HEAP_F_NO_IOVA)) {
		if (r->n_bad_iova != 0) {
			EXTMEM_FAIL(ENOTSUP, "heap %s: %u pages of region %s "
				"have no known IOVA (create the heap with "
				"RTE_EXTMEM_HEAP_F_NO_IOVA for CPU-only memory)",
				h->name, r->n_bad_iova, r->name);
			return -1;
		}
		if (r->n_iova_runs > 1 && extmem_compat_eal_legacy_mem()) {
			EXTMEM_FAIL(ENOTSUP, "heap %s: region %s has %u IOVA "
				"runs, but EAL in legacy memory mode treats all "
				"memory as IOVA-contiguous", h->name, r->name,
				r->n_iova_runs);
			return -1;
		}
	}
	if (hp == NULL)
		return 0;
	if (hp->grow_len % r->page_sz != 0) {
		EXTMEM_FAIL(EINVAL, "heap %s: grow_len %zu is not a multiple "
			"of the page size %zu", h->name, hp->grow_len,
			r->page_sz);
		return -1;
	}
	if (hp->max_len != 0 && hp->max_len < r->len) {
		EXTMEM_FAIL(EINVAL, "heap %s: max_len %zu is smaller than the "
			"first region (%zu bytes)", h->name, hp->max_len,
			r->len);
		return -1;
	}
	return 0;
}

/*
 * The library's own EAL heap memory calls: callouts (EAL calls memory
 * event callbacks, which may query), and their ALLOC/FREE events are not
 * forwarded by the bus (heap events announce the region instead).
 */
static int
heap_eal_add(const struct rte_extmem_heap *h, const struct rte_extmem_region *r)
{
	unsigned int self = extmem_event_eal_self_begin();
	bool callout = extmem_op_callout_begin();
	int ret;

	ret = rte_malloc_heap_memory_add(h->name, (void *)r->va, r->len,
		r->iovas, r->n_pages, r->page_sz);
	extmem_op_callout_end(callout);
	extmem_event_eal_self_end(self);
	return ret;
}

static int
heap_eal_remove(const struct rte_extmem_heap *h,
	const struct rte_extmem_region *r)
{
	unsigned int self = extmem_event_eal_self_begin();
	bool callout = extmem_op_callout_begin();
	int ret;

	ret = rte_malloc_heap_memory_remove(h->name, (void *)r->va, r->len);
	extmem_op_callout_end(callout);
	extmem_event_eal_self_end(self);
	return ret;
}

/*
 * Out of EAL's heap, and then out of the secondaries (which detach
 * first: EAL's heap keeps memory a process still attaches); 0, or -1 with
 * rte_errno when EAL keeps the memory (it stays mapped everywhere).
 */
static int
heap_region_withdraw(struct rte_extmem_heap *h, struct rte_extmem_region *r)
{
	extmem_mp_heap_detach(r);
	if (heap_eal_remove(h, r) != 0)
		return -1;
	r->eal = EXTMEM_EAL_NONE;
	extmem_mp_heap_unmap(r);
	return 0;
}

struct rte_extmem_region *
extmem_heap_region_add_locked(struct rte_extmem_heap *h,
	const struct rte_extmem_region_params *p,
	const struct rte_extmem_heap_params *hp)
{
	struct rte_extmem_region_params rp;
	char name[RTE_EXTMEM_NAMESIZE];
	struct rte_extmem_region *r;
	int err;

	if (p == NULL) {
		EXTMEM_FAIL(EINVAL, "heap %s: region params is NULL", h->name);
		return NULL;
	}
	if (extmem_struct_size_check(p, p->struct_size, sizeof(*p),
			"region params", "rte_extmem_region_params_init") != 0)
		return NULL;
	if (p->backing == RTE_EXTMEM_BACKING_DEVICE) {
		EXTMEM_FAIL(EINVAL, "heap %s: device memory cannot be a heap "
			"(EAL writes malloc headers into it)", h->name);
		return NULL;
	}
	if ((p->flags & RTE_EXTMEM_REGION_F_NO_IOVA) &&
			!(h->flags & RTE_EXTMEM_HEAP_F_NO_IOVA)) {
		EXTMEM_FAIL(ENOTSUP, "heap %s: region without IOVAs in a heap "
			"without RTE_EXTMEM_HEAP_F_NO_IOVA", h->name);
		return NULL;
	}
	memcpy(&rp, p, sizeof(rp));
	rp.struct_size = sizeof(rp);
	if (rp.name == NULL) {
		heap_region_name(h, name, sizeof(name));
		rp.name = name;
	}
	if (heap_regions_reserve(h) != 0)
		return NULL;

	r = extmem_region_new(&rp);
	if (r == NULL)
		return NULL;
	if (heap_region_acceptable(h, r, hp) != 0)
		goto fail;
	snprintf(r->heap, sizeof(r->heap), "%s", h->name);
	r->socket_id = h->socket_id;
	r->owner_priv = h;
	/* every process's allocator may hand the chunk out once EAL's heap
	 * has it: every secondary maps it before
	 */
	extmem_init();
	if (extmem_mp_heap_map(r) != 0)
		goto fail;
	if (heap_eal_add(h, r) != 0) {
		err = rte_errno;
		extmem_mp_heap_unmap(r);
		EXTMEM_FAIL(err, "heap %s: EAL refused region %s: %s", h->name,
			r->name, rte_strerror(err));
		goto fail;
	}
	r->eal = EXTMEM_EAL_HEAP;
	EXTMEM_LOG(DEBUG, "region %s: added to EAL heap %s "
		"(rte_malloc_heap_memory_add)", r->name, h->name);
	if (extmem_region_publish(r) != 0) {
		err = rte_errno;
		if (heap_region_withdraw(h, r) != 0) {
			/* EAL may have handed it out already: it stays */
			EXTMEM_LOG(ERR, "heap %s: region %s refused (%s) but "
				"EAL keeps it (%s): it stays in the heap, "
				"mapped, unannounced, until the heap goes",
				h->name, r->name, rte_strerror(err),
				rte_strerror(rte_errno));
			extmem_mp_heap_attach(r);
			r->heap_kept = true;
			h->regions[h->n_regions++] = r;
			h->size += r->len;
			rte_errno = err;
			return NULL;
		}
		rte_errno = err;
		goto fail;
	}
	h->regions[h->n_regions++] = r;
	h->size += r->len;
	EXTMEM_LOG(INFO, "heap %s (socket %d): region %s added, %s, %p +%zu, "
		"%u x %zu-byte pages, heap size %zu", h->name, h->socket_id,
		r->name, rte_extmem_backing_name(r->backing), (void *)r->va,
		r->len, r->n_pages, r->page_sz, h->size);
	return r;
fail:
	err = rte_errno;
	extmem_region_delete(r);
	rte_errno = err;
	return NULL;
}

static int
heap_region_index(const struct rte_extmem_heap *h,
	const struct rte_extmem_region *r)
{
	unsigned int i;

	for (i = 0; i < h->n_regions; i++)
		if (h->regions[i] == r)
			return (int)i;
	return -1;
}

int
extmem_heap_region_remove_locked(struct rte_extmem_heap *h,
	struct rte_extmem_region *r)
{
	unsigned int n_alloc = 0;
	uint32_t users;
	int i, err;

	i = heap_region_index(h, r);
	if (i >= 0 && r->heap_kept) {
		/* refused at its addition, kept for EAL: no announcement */
		if (heap_region_withdraw(h, r) != 0) {
			err = rte_errno;
			extmem_mp_heap_attach(r);
			EXTMEM_FAIL(err == ENOENT ? EINVAL : err, "heap %s: EAL "
				"still keeps region %s: %s", h->name, r->name,
				rte_strerror(err));
			return -1;
		}
		goto unlink;
	}
	if (i < 0 || !extmem_region_valid(r)) {
		EXTMEM_FAIL(EINVAL, "%p is not a region of heap %s",
			(void *)r, h->name);
		return -1;
	}
	users = __atomic_load_n(&r->users, __ATOMIC_ACQUIRE);
	if (users != 0) {
		EXTMEM_FAIL(EBUSY, "heap %s: region %s has %u users", h->name,
			r->name, users);
		return -1;
	}
	/* Check first without changing anything: removal is announced to
	 * subscribers (which unmap it) while EAL still knows the memory.
	 */
	if (extmem_heap_region_usage_locked(h, r, &n_alloc, NULL) == 0 &&
			n_alloc != 0) {
		EXTMEM_FAIL(EBUSY, "heap %s: region %s holds %u allocations",
			h->name, r->name, n_alloc);
		return -1;
	}
	/* the secondaries' users (slices, their pools) too */
	if (extmem_mp_remove_prepare(r) != 0)
		return -1;
	if (extmem_region_unpublish(r) != 0) {
		extmem_mp_remove_cancel(r);
		return -1;
	}
	/* EAL checks again, atomically with its allocator. */
	if (heap_region_withdraw(h, r) != 0) {
		err = rte_errno;
		EXTMEM_LOG(ERR, "heap %s: EAL refused to remove region %s: %s",
			h->name, r->name, rte_strerror(err));
		/* the secondaries attach it again, then let go of it */
		if (extmem_region_publish(r) != 0)
			EXTMEM_LOG(ERR, "heap %s: region %s could not be "
				"announced again: %s", h->name, r->name,
				rte_strerror(rte_errno));
		extmem_mp_remove_cancel(r);
		rte_errno = err == ENOENT ? EINVAL : err;
		return -1;
	}
	EXTMEM_LOG(DEBUG, "region %s: removed from EAL heap %s "
		"(rte_malloc_heap_memory_remove)", r->name, h->name);
unlink:
	r->heap[0] = '\0';
	r->socket_id = SOCKET_ID_ANY;
	r->owner_priv = NULL;
	memmove(&h->regions[i], &h->regions[i + 1],
		sizeof(h->regions[0]) * (h->n_regions - i - 1));
	h->n_regions--;
	h->size -= r->len;
	EXTMEM_LOG(INFO, "heap %s: region %s removed, heap size %zu", h->name,
		r->name, h->size);
	extmem_region_delete(r);
	return 0;
}

static int
heap_params_check(const struct rte_extmem_heap_params *p)
{
	if (p == NULL) {
		EXTMEM_FAIL(EINVAL, "heap params is NULL");
		return -1;
	}
	if (extmem_struct_size_check(p, p->struct_size, sizeof(*p),
			"heap params", "rte_extmem_heap_params_init") != 0)
		return -1;
	if (extmem_name_check("heap", p->name, RTE_EXTMEM_NAMESIZE) != 0)
		return -1;
	if (heap_name_native(p->name)) {
		EXTMEM_FAIL(EPERM, "heap name %s is (reserved for) a native "
			"heap of EAL", p->name);
		return -1;
	}
	if (p->flags & ~HEAP_KNOWN_FLAGS) {
		EXTMEM_FAIL(EINVAL, "heap %s: unknown flags 0x%" PRIx64,
			p->name, p->flags & ~HEAP_KNOWN_FLAGS);
		return -1;
	}
	if (p->region == NULL) {
		EXTMEM_FAIL(EINVAL, "heap %s: region params is NULL", p->name);
		return -1;
	}
	if (extmem_struct_size_check(p->region, p->region->struct_size,
			sizeof(*p->region), "region params",
			"rte_extmem_region_params_init") != 0)
		return -1;
	if (p->region->backing == RTE_EXTMEM_BACKING_DEVICE) {
		EXTMEM_FAIL(EINVAL, "heap %s: device memory cannot be a heap "
			"(EAL writes malloc headers into it)", p->name);
		return -1;
	}
	if (p->grow_len != 0 && p->region->backing == RTE_EXTMEM_BACKING_USER) {
		EXTMEM_FAIL(EINVAL, "heap %s: user memory cannot grow on "
			"demand (grow_len must be 0)", p->name);
		return -1;
	}
	if (heap_find(p->name) != NULL ||
			rte_malloc_heap_get_socket(p->name) >= 0) {
		EXTMEM_FAIL(EEXIST, "a heap named %s exists", p->name);
		return -1;
	}
	/* heaps and regions share one namespace */
	if (EXTMEM_TAILQ_FIND(extmem_regions(), r,
			strcmp(r->name, p->name) == 0) != NULL) {
		EXTMEM_FAIL(EEXIST, "a region named %s exists", p->name);
		return -1;
	}
	return 0;
}

struct rte_extmem_heap *
extmem_heap_create_locked(const struct rte_extmem_heap_params *p)
{
	struct rte_extmem_heap *h;
	int err;

	if (heap_params_check(p) != 0)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for heap %s", p->name);
		return NULL;
	}
	snprintf(h->name, sizeof(h->name), "%s", p->name);
	h->flags = p->flags;
	h->grow_len = p->grow_len;
	h->max_len = p->max_len;
	/* the caller's struct may be shorter (older build): defaults first */
	rte_extmem_region_params_init(&h->tmpl);
	memcpy(&h->tmpl, p->region, RTE_MIN(p->region->struct_size,
		sizeof(h->tmpl)));
	h->tmpl.struct_size = sizeof(h->tmpl);
	h->tmpl.name = NULL;
	h->tmpl.addr = NULL;
	h->tmpl.iovas = NULL;
	h->tmpl.n_iovas = 0;

	if (rte_malloc_heap_create(h->name) != 0) {
		err = rte_errno;
		EXTMEM_FAIL(err, "heap %s: EAL cannot create it: %s", h->name,
			err == ENOSPC ? "all RTE_MAX_HEAPS heaps are in use" :
			rte_strerror(err));
		free(h);
		return NULL;
	}
	h->socket_id = rte_malloc_heap_get_socket(h->name);
	if (extmem_heap_region_add_locked(h, p->region, p) == NULL)
		goto fail;
	h->page_sz = h->regions[0]->page_sz;
	h->tmpl.page_sz = h->page_sz;
	h->magic = EXTMEM_HEAP_MAGIC;
	TAILQ_INSERT_TAIL(&heap_list, h, next);
	EXTMEM_LOG(INFO, "heap %s created: socket %d, %zu bytes, grow by %zu "
		"up to %zu", h->name, h->socket_id, h->size, h->grow_len,
		h->max_len);
	return h;
fail:
	err = rte_errno;
	if (rte_malloc_heap_destroy(h->name) != 0)
		EXTMEM_LOG(ERR, "heap %s: EAL heap not destroyed: %s", h->name,
			rte_strerror(rte_errno));
	free(h->regions);
	free(h);
	rte_errno = err;
	return NULL;
}

struct rte_extmem_heap *
rte_extmem_heap_create(const struct rte_extmem_heap_params *params)
{
	struct rte_extmem_heap *h;

	if (!EXTMEM_EAL_READY() || !EXTMEM_PRIMARY_ONLY())
		return NULL;
	extmem_compat_eal_legacy_mem();
	if (!EXTMEM_OP_BEGIN())
		return NULL;
	extmem_heap_pool_reap_locked();
	h = extmem_heap_create_locked(params);
	extmem_op_end();
	return h;
}

#define HEAP_BUSY(verbose, fmt, ...) do { \
	if (verbose) \
		EXTMEM_FAIL(EBUSY, fmt, ##__VA_ARGS__); \
	else \
		rte_errno = EBUSY; \
} while (0)

bool
extmem_heap_idle_locked(const struct rte_extmem_heap *h,
	unsigned int n_allocs, uint32_t n_users, bool verbose)
{
	struct rte_malloc_socket_stats st;
	unsigned int i;
	uint32_t users;

	if (rte_malloc_get_socket_stats(h->socket_id, &st) != 0) {
		EXTMEM_FAIL(EINVAL, "heap %s: EAL has no heap for socket %d",
			h->name, h->socket_id);
		return false;
	}
	if (st.alloc_count != n_allocs) {
		HEAP_BUSY(verbose, "heap %s holds %u allocations (%zu bytes)%s",
			h->name, st.alloc_count, st.heap_allocsz_bytes,
			n_allocs != 0 ? ", not only its pool's" : "");
		return false;
	}
	if (st.heap_totalsz_bytes != h->size) {
		HEAP_BUSY(verbose, "heap %s holds %zu bytes, %zu of them not "
			"added through this library", h->name,
			st.heap_totalsz_bytes, st.heap_totalsz_bytes - h->size);
		return false;
	}
	for (i = 0; i < h->n_regions; i++) {
		users = __atomic_load_n(&h->regions[i]->users,
			__ATOMIC_ACQUIRE);
		if (users != n_users) {
			HEAP_BUSY(verbose, "heap %s: region %s has %u users "
				"(%u expected)", h->name, h->regions[i]->name,
				users, n_users);
			return false;
		}
	}
	return true;
}

int
extmem_heap_destroy_locked(struct rte_extmem_heap *h)
{
	unsigned int i;

	if (!extmem_heap_idle_locked(h, 0, 0, true))
		return -1;
	/* every region may go in every secondary, or nothing changes */
	for (i = 0; i < h->n_regions; i++)
		if (extmem_mp_remove_prepare(h->regions[i]) != 0) {
			while (i-- > 0)
				extmem_mp_remove_cancel(h->regions[i]);
			return -1;
		}
	while (h->n_regions > 0)
		if (extmem_heap_region_remove_locked(h,
				h->regions[h->n_regions - 1]) != 0) {
			/* what stays is usable in the secondaries again */
			for (i = 0; i < h->n_regions; i++)
				extmem_mp_remove_cancel(h->regions[i]);
			return -1;
		}
	if (rte_malloc_heap_destroy(h->name) != 0) {
		EXTMEM_LOG(ERR, "heap %s: EAL refused to destroy it: %s",
			h->name, rte_strerror(rte_errno));
		return -1;
	}
	TAILQ_REMOVE(&heap_list, h, next);
	EXTMEM_LOG(INFO, "heap %s destroyed", h->name);
	h->magic = 0;
	free(h->regions);
	free(h);
	return 0;
}

int
rte_extmem_heap_destroy(struct rte_extmem_heap *heap)
{
	int ret = -1;

	if (!EXTMEM_EAL_READY() || !EXTMEM_PRIMARY_ONLY())
		return -1;
	if (!EXTMEM_OP_BEGIN())
		return -1;
	extmem_heap_pool_reap_locked();
	if (!EXTMEM_HEAP_LIVE(heap))
		goto out;
	if (heap->pool != NULL || heap->pool_freeing) {
		EXTMEM_FAIL(EBUSY, "heap %s belongs to mbuf pool %s%s: free the "
			"pool (the heap goes with it)", heap->name,
			heap->pool_name, heap->pool_freeing ?
			", being freed" : "");
		goto out;
	}
	ret = extmem_heap_destroy_locked(heap);
out:
	extmem_op_end();
	return ret;
}

struct rte_extmem_heap *
rte_extmem_heap_lookup(const char *name)
{
	struct rte_extmem_heap *h;

	if (!EXTMEM_EAL_READY())
		return NULL;
	if (extmem_name_check("heap", name, RTE_EXTMEM_NAMESIZE) != 0)
		return NULL;
	if (heap_name_native(name)) {
		EXTMEM_FAIL(EPERM, "%s is a native heap of EAL", name);
		return NULL;
	}
	extmem_heap_pool_reap();
	extmem_query_begin();
	h = heap_find(name);
	extmem_query_end();
	if (h == NULL)
		rte_errno = ENOENT;
	return h;
}

struct rte_extmem_heap *
rte_extmem_heap_lookup_by_socket(int socket_id)
{
	struct rte_extmem_heap *h;

	if (!EXTMEM_EAL_READY())
		return NULL;
	if (socket_id < 0) {
		EXTMEM_FAIL(EINVAL, "bad socket ID %d", socket_id);
		return NULL;
	}
	if (socket_id < RTE_MAX_NUMA_NODES) {
		EXTMEM_FAIL(EPERM, "socket %d is a native NUMA socket",
			socket_id);
		return NULL;
	}
	extmem_heap_pool_reap();
	extmem_query_begin();
	h = EXTMEM_TAILQ_FIND(&heap_list, it, it->socket_id == socket_id);
	extmem_query_end();
	if (h == NULL)
		rte_errno = ENOENT;
	return h;
}

void
extmem_heap_fill_info(const struct rte_extmem_heap *h,
	struct rte_extmem_heap_info *info)
{
	struct rte_malloc_socket_stats st;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", h->name);
	info->socket_id = h->socket_id;
	info->size = h->size;
	if (rte_malloc_get_socket_stats(h->socket_id, &st) == 0) {
		info->size = st.heap_totalsz_bytes;
		info->free = st.heap_freesz_bytes;
		info->greatest_free = st.greatest_free_size;
		info->alloc_bytes = st.heap_allocsz_bytes;
		info->alloc_count = st.alloc_count;
		info->free_count = st.free_count;
	}
	info->n_regions = h->n_regions;
	for (i = 0; i < h->n_regions; i++)
		if (info->min_page_sz == 0 ||
				h->regions[i]->page_sz < info->min_page_sz)
			info->min_page_sz = h->regions[i]->page_sz;
	info->grow_len = h->grow_len;
	info->max_len = h->max_len;
	info->n_grown = h->n_grown;
	info->n_grow_failed = h->n_grow_failed;
	info->flags = h->flags;
	if (h->pool != NULL)
		snprintf(info->pool, sizeof(info->pool), "%s", h->pool_name);
}

int
rte_extmem_heap_info_get(const struct rte_extmem_heap *heap,
	struct rte_extmem_heap_info *info)
{
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (info == NULL) {
		EXTMEM_FAIL(EINVAL, "info is NULL");
		return -1;
	}
	extmem_query_begin();
	if (EXTMEM_HEAP_LIVE(heap)) {
		extmem_heap_fill_info(heap, info);
		ret = 0;
	}
	extmem_query_end();
	return ret;
}

int
rte_extmem_heap_regions_get(const struct rte_extmem_heap *heap,
	struct rte_extmem_region **regions, unsigned int n)
{
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (regions == NULL && n != 0) {
		EXTMEM_FAIL(EINVAL, "regions is NULL with n = %u", n);
		return -1;
	}
	extmem_query_begin();
	if (EXTMEM_HEAP_LIVE(heap)) {
		if (n > 0)
			memcpy(regions, heap->regions, sizeof(*regions) *
				RTE_MIN(n, heap->n_regions));
		ret = (int)heap->n_regions;
	}
	extmem_query_end();
	return ret;
}

struct rte_extmem_region *
rte_extmem_heap_region_add(struct rte_extmem_heap *heap,
	const struct rte_extmem_region_params *params)
{
	struct rte_extmem_region *r = NULL;

	if (!EXTMEM_EAL_READY() || !EXTMEM_PRIMARY_ONLY())
		return NULL;
	extmem_compat_eal_legacy_mem();
	if (!EXTMEM_OP_BEGIN())
		return NULL;
	if (!EXTMEM_HEAP_LIVE(heap))
		goto out;
	/* the pool's references and its free check cover the regions it
	 * was made with; a pool does not grow
	 */
	if (heap->pool != NULL || heap->pool_gone) {
		EXTMEM_FAIL(EPERM, "heap %s belongs to mbuf pool %s: it takes "
			"no new region", heap->name, heap->pool_name);
		goto out;
	}
	r = extmem_heap_region_add_locked(heap, params, NULL);
out:
	extmem_op_end();
	return r;
}

int
rte_extmem_heap_region_remove(struct rte_extmem_heap *heap,
	struct rte_extmem_region *region)
{
	int ret = -1;

	if (!EXTMEM_EAL_READY() || !EXTMEM_PRIMARY_ONLY())
		return -1;
	if (!EXTMEM_OP_BEGIN())
		return -1;
	if (EXTMEM_HEAP_LIVE(heap))
		ret = extmem_heap_region_remove_locked(heap, region);
	extmem_op_end();
	return ret;
}

/* One heap as a walk reports it (copied under the state lock). */
struct heap_walk_item {
	const struct rte_extmem_heap *h;
	struct rte_extmem_heap_info info;
};

struct heap_walk {
	rte_extmem_heap_walk_t fn;
	void *arg;
};

static unsigned int
heap_walk_copy(void *items)
{
	struct heap_walk_item *it = items;
	const struct rte_extmem_heap *h;
	unsigned int n = 0;

	TAILQ_FOREACH(h, &heap_list, next) {
		if (it != NULL) {
			it[n].h = h;
			extmem_heap_fill_info(h, &it[n].info);
		}
		n++;
	}
	return n;
}

static int
heap_walk_call(const void *item, void *arg)
{
	const struct heap_walk_item *it = item;
	const struct heap_walk *w = arg;

	return w->fn(it->h, &it->info, w->arg);
}

int
rte_extmem_heap_walk(rte_extmem_heap_walk_t fn, void *arg)
{
	struct heap_walk w = { fn, arg };
	const struct extmem_snapshot s = {
		.what = "heaps",
		.item_size = sizeof(struct heap_walk_item),
		.lock = extmem_query_begin,
		.copy = heap_walk_copy,
		.call = fn != NULL ? heap_walk_call : NULL,
	};

	if (!EXTMEM_EAL_READY())
		return -1;
	extmem_heap_pool_reap();
	return extmem_snapshot_walk(&s, &w);
}
