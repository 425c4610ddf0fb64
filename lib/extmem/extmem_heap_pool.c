/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * One-call mbuf pool on external memory: a heap sized for the pool, the
 * objects reserved first at page-aligned addresses and packed within each
 * IOVA-contiguous run; the pool header and ring in EAL's native memory
 * (the heap keeps room for them, used when EAL has none).
 *
 * One lifetime rule: the heap lives exactly as long as its pool, however
 * the pool is freed. rte_extmem_pktmbuf_pool_free() checks everything
 * first and then frees both; a pool freed with upstream rte_mempool_free()
 * is seen through mempool's (internal) life-cycle event, which fires
 * before the mempool library frees the pool's memory: the heap is marked
 * and destroyed once idle, at the next heap call of this library or from
 * an EAL alarm, whichever comes first. Neither touches a heap whose pool
 * rte_extmem_pktmbuf_pool_free() is freeing: that call holds the heap
 * across its unlocked rte_mempool_free() and destroys it itself.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_memzone.h>
#include <rte_ring.h>

#include "extmem_compat.h"
#include "extmem_heap_private.h"
#include "extmem_walk_private.h"
#include "rte_extmem_mbuf.h"

/* Per allocation in the heap: element header, cache-line rounding and
 * alignment slack of EAL's allocator.
 */
#define POOL_ALLOC_OVERHEAD extmem_compat_malloc_elem_overhead()

struct pool_layout {
	size_t obj_sz;		/* object with mempool header and trailer */
	size_t obj_bytes;	/* the objects' memzone, a multiple of pages */
	size_t front;		/* pool header, ring, malloc overhead */
	size_t total;		/* heap size */
};

static int
pool_args_check(unsigned int n, unsigned int cache_size, uint16_t priv_size)
{
	if (n == 0) {
		EXTMEM_FAIL(EINVAL, "a pool of 0 mbufs");
		return -1;
	}
	if (RTE_ALIGN(priv_size, RTE_MBUF_PRIV_ALIGN) != priv_size) {
		EXTMEM_FAIL(EINVAL, "priv_size %u is not a multiple of %u",
			priv_size, RTE_MBUF_PRIV_ALIGN);
		return -1;
	}
	/* as rte_mempool_create_empty() checks, with its 1.5 flush factor */
	if (cache_size > RTE_MEMPOOL_CACHE_MAX_SIZE ||
			(uint64_t)cache_size * 3 / 2 > n) {
		EXTMEM_FAIL(EINVAL, "cache size %u is too large for %u mbufs "
			"(max %u, and 1.5 x cache <= n)", cache_size, n,
			RTE_MEMPOOL_CACHE_MAX_SIZE);
		return -1;
	}
	if (n > RTE_RING_SZ_MASK) {
		EXTMEM_FAIL(EINVAL, "%u mbufs is too many for a ring", n);
		return -1;
	}
	return 0;
}

static int
pool_layout(unsigned int n, unsigned int cache_size, uint16_t priv_size,
	uint16_t data_room_size, size_t pgsz, struct pool_layout *l)
{
	uint32_t elt = sizeof(struct rte_mbuf) + priv_size + data_room_size;
	size_t hdr, per_page, pages;
	ssize_t ring;

	if (!rte_is_power_of_2(pgsz)) {
		EXTMEM_FAIL(EINVAL, "page size %zu is not a power of two",
			pgsz);
		return -1;
	}
	l->obj_sz = rte_mempool_calc_obj_size(elt, RTE_MEMPOOL_F_NO_IOVA_CONTIG,
		NULL);
	if (rte_eal_iova_mode() == RTE_IOVA_VA || l->obj_sz > pgsz) {
		/* Packed: with IOVA as VA the heap's memory is one
		 * IOVA-contiguous run; objects larger than a page need runs
		 * anyway.
		 */
		l->obj_bytes = RTE_ALIGN_CEIL((size_t)n * l->obj_sz, pgsz);
	} else {
		/* any page may be its own run: objects packed per page */
		per_page = pgsz / l->obj_sz;
		pages = (n + per_page - 1) / per_page;
		l->obj_bytes = pages * pgsz;
	}
	hdr = RTE_ALIGN_CEIL(RTE_MEMPOOL_HEADER_SIZE((struct rte_mempool *)NULL,
		cache_size) + sizeof(struct rte_pktmbuf_pool_private),
		RTE_MEMPOOL_ALIGN);
	ring = rte_ring_get_memsize(rte_align32pow2(n + 1));
	if (ring < 0) {
		EXTMEM_FAIL(EINVAL, "no ring for %u mbufs", n);
		return -1;
	}
	/* header, ring, and the element header of the objects' memzone */
	l->front = hdr + (size_t)ring + 3 * POOL_ALLOC_OVERHEAD;
	l->total = l->obj_bytes + RTE_ALIGN_CEIL(l->front, pgsz);
	return 0;
}

size_t
rte_extmem_pktmbuf_pool_mem_size(unsigned int n, unsigned int cache_size,
	uint16_t priv_size, uint16_t data_room_size, size_t page_sz)
{
	struct pool_layout l;

	if (!EXTMEM_EAL_READY())
		return 0;
	if (pool_args_check(n, cache_size, priv_size) != 0 ||
			pool_layout(n, cache_size, priv_size, data_room_size,
				page_sz, &l) != 0)
		return 0;
	return l.total;
}

static void
pool_mz_free(struct rte_mempool_memhdr *memhdr __rte_unused, void *opaque)
{
	rte_memzone_free(opaque);
}

/*
 * Populate mp from the memzone per IOVA-contiguous run of pages: the pool
 * has RTE_MEMPOOL_F_NO_IOVA_CONTIG, so objects are packed within each run,
 * across the page boundaries inside it, and never straddle two runs; every
 * object stays IOVA-contiguous. Consecutive pages without an IOVA form one
 * run (RTE_BAD_IOVA; never in a pool's heap, made without
 * RTE_EXTMEM_HEAP_F_NO_IOVA).
 * *attached tells whether a chunk took ownership of the memzone.
 */
static int
pool_populate(struct rte_mempool *mp, const struct rte_memzone *mz,
	const struct rte_extmem_heap *h, bool *attached)
{
	rte_mempool_memchunk_free_cb_t *cb = pool_mz_free;
	const struct rte_extmem_region *r;
	const struct extmem_iova_run *rr;
	char *va = mz->addr;
	size_t off = 0, len = mz->len, roff;
	rte_iova_t iova;
	size_t run;
	int ret;

	*attached = false;
	/* the memzone is inside the heap's region: its runs, once */
	r = h->regions[0];
	if ((uintptr_t)va < r->va || (uintptr_t)va + len > r->va + r->len) {
		EXTMEM_FAIL(EINVAL, "pool %s: memzone outside heap %s's region",
			mp->name, h->name);
		return -1;
	}
	while (off < len && mp->populated_size < mp->size) {
		roff = (uintptr_t)va + off - r->va;
		rr = &r->runs[extmem_iova_run_find(r, roff)];
		iova = rr->iova == RTE_BAD_IOVA ? RTE_BAD_IOVA :
			rr->iova + (roff - rr->va_off);
		run = RTE_MIN(rr->va_off + rr->len - roff, len - off);
		ret = rte_mempool_populate_iova(mp, va + off, iova, run, cb,
			(void *)(uintptr_t)mz);
		if (ret < 0) {
			EXTMEM_FAIL(-ret, "pool %s: populating %zu bytes at %p "
				"failed: %s", mp->name, run, va + off,
				rte_strerror(-ret));
			return -1;
		}
		if (ret > 0 && cb != NULL) {
			cb = NULL;
			*attached = true;
		}
		off += run;
	}
	if (mp->populated_size < mp->size) {
		EXTMEM_FAIL(ENOMEM, "pool %s: only %u of %u objects of %u "
			"bytes fit the IOVA-contiguous runs of %zu bytes of "
			"%zu-byte pages", mp->name, mp->populated_size,
			mp->size, mp->header_size + mp->elt_size +
			mp->trailer_size, len, h->page_sz);
		return -1;
	}
	return 0;
}

/* The heap of a live pool (not being freed), under the state lock. */
static struct rte_extmem_heap *
pool_heap_find(const struct rte_mempool *mp)
{
	struct rte_extmem_heap *h;

	TAILQ_FOREACH(h, extmem_heaps(), next)
		if (mp != NULL && h->pool == mp && !h->pool_freeing)
			return h;
	return NULL;
}

/* Heaps whose pool is gone are waiting to be reaped (atomic). */
static bool reap_pending;

/* Release the pool's references on its heap's regions (in an operation). */
static void
pool_detach_locked(struct rte_extmem_heap *h)
{
	unsigned int i;

	for (i = 0; i < h->n_regions; i++)
		extmem_region_put(h->regions[i]);
	h->pool = NULL;
	h->pool_gone = true;
	__atomic_store_n(&reap_pending, true, __ATOMIC_RELEASE);
}

unsigned int
extmem_heap_pool_reap_locked(void)
{
	struct rte_extmem_heap *h, *tmp;
	unsigned int n = 0;
	bool pending = false;

	for (h = TAILQ_FIRST(extmem_heaps()); h != NULL; h = tmp) {
		tmp = TAILQ_NEXT(h, next);
		/* a heap whose pool rte_extmem_pktmbuf_pool_free() is freeing
		 * is that call's to destroy: it still holds the heap
		 */
		if (!h->pool_gone || h->pool_freeing)
			continue;
		if (extmem_heap_idle_locked(h, 0, 0, false) &&
				extmem_heap_destroy_locked(h) == 0)
			n++;
		else
			pending = true;
	}
	__atomic_store_n(&reap_pending, pending, __ATOMIC_RELEASE);
	return n;
}

void
extmem_heap_pool_reap(void)
{
	/* the common case: nothing to reap, queries stay queries */
	if (!__atomic_load_n(&reap_pending, __ATOMIC_ACQUIRE) ||
			extmem_op_inside() || extmem_op_begin() != 0)
		return;
	extmem_heap_pool_reap_locked();
	extmem_op_end();
}

/* EAL alarm: reap the heaps of pools freed with rte_mempool_free(), the
 * next time in POOL_REAP_US while one of them is still busy (its pool
 * being freed, or the application's allocations in it), at most
 * POOL_REAP_TRIES times; later heap calls reap them anyway.
 */
#define POOL_REAP_US 1000
#define POOL_REAP_TRIES 1000
static unsigned int pool_reap_tries;

static void
pool_reap_alarm(void *arg __rte_unused)
{
	const struct rte_extmem_heap *h;
	bool pending = false;

	if (extmem_op_begin() != 0)
		return; /* never: the alarm thread runs no operation */
	extmem_heap_pool_reap_locked();
	TAILQ_FOREACH(h, extmem_heaps(), next)
		pending |= h->pool_gone;
	if (pending && pool_reap_tries++ < POOL_REAP_TRIES &&
			rte_eal_alarm_set(POOL_REAP_US, pool_reap_alarm,
				NULL) != 0)
		EXTMEM_LOG(WARNING, "cannot re-arm the pool heap alarm: %s",
			rte_strerror(rte_errno));
	extmem_op_end();
}

static void
pool_destroy_cb(struct rte_mempool *mp)
{
	struct rte_extmem_heap *h;

	if (extmem_op_begin() != 0) {
		EXTMEM_LOG(ERR, "pool %s freed from inside an operation of this "
			"library (an event callback): if it is a pool of "
			"rte_extmem_pktmbuf_pool_create(), its heap is kept",
			mp->name);
		return;
	}
	TAILQ_FOREACH(h, extmem_heaps(), next)
		if (h->pool == mp)
			break;
	if (h != NULL) {
		if (!h->pool_freeing) {
			EXTMEM_LOG(INFO, "pool %s freed with rte_mempool_free(): "
				"heap %s goes once idle", h->pool_name,
				h->name);
			pool_reap_tries = 0;
			if (rte_eal_alarm_set(POOL_REAP_US, pool_reap_alarm,
					NULL) != 0)
				EXTMEM_LOG(WARNING, "heap %s: no alarm (%s): "
					"released at the next heap call",
					h->name, rte_strerror(rte_errno));
		}
		pool_detach_locked(h);
	}
	extmem_op_end();
}

/* Watch mempool destruction (once per process). */
static int
pool_watch(void)
{
	static bool registered;
	int ret = 0;

	if (!EXTMEM_OP_BEGIN())
		return -1;
	if (!registered) {
		if (extmem_compat_mempool_watch_destroy(pool_destroy_cb) == 0)
			registered = true;
		else
			ret = -1;
	}
	extmem_op_end();
	if (ret != 0)
		EXTMEM_FAIL(ENOMEM, "cannot watch mempool destruction: %s",
			rte_strerror(rte_errno));
	return ret;
}

static int
pool_name_check(const char *name, char *mz_name, size_t mz_size)
{
	/* the longest pool name leaves room for its memzone names */
	RTE_BUILD_BUG_ON(sizeof(RTE_MEMPOOL_MZ_PREFIX) - 1 +
		RTE_MEMPOOL_NAMESIZE - 1 + sizeof("_0") - 1 >=
		RTE_MEMZONE_NAMESIZE);
	if (extmem_name_check("pool", name, RTE_MEMPOOL_NAMESIZE) != 0)
		return -1;
	snprintf(mz_name, mz_size, RTE_MEMPOOL_MZ_FORMAT "_0", name);
	return 0;
}

/*
 * IOVA-as-PA mode: an object larger than a page needs IOVA-contiguous
 * pages, which memory of base pages (anon, thp, shared with 4K pages, the
 * caller's memory without an IOVA table) has only by chance. Whether the
 * pool fits would then depend on where the kernel put the pages: refused
 * before anything is made. With the caller's IOVA table the runs are
 * known, and the pool fits or not the same way every time.
 */
static int
pool_pages_check(const char *name, const struct rte_extmem_region_params *rp,
	uint16_t priv_size, uint16_t data_room_size)
{
	size_t obj_sz, pgsz = rp->page_sz, kpgsz = 0;

	if (rte_eal_iova_mode() != RTE_IOVA_PA || rp->iovas != NULL ||
			rp->backing == RTE_EXTMEM_BACKING_DEVICE ||
			rte_extmem_backing_name(rp->backing) == NULL)
		return 0; /* nothing to check, or refused by the heap */
	if (pgsz == 0 && rp->backing == RTE_EXTMEM_BACKING_USER &&
			rp->addr != NULL && rp->len != 0) {
		/* as region creation detects it: the mapping's page size */
		if (extmem_backing_caller_range((uintptr_t)rp->addr, rp->len,
				&kpgsz) != 0)
			return -1;
		if (kpgsz != 0 && (uintptr_t)rp->addr % kpgsz == 0 &&
				rp->len % kpgsz == 0)
			pgsz = kpgsz;
	}
	if (pgsz == 0)
		pgsz = extmem_backing_default_page_sz(rp->backing);
	obj_sz = rte_mempool_calc_obj_size(sizeof(struct rte_mbuf) +
		priv_size + data_room_size, RTE_MEMPOOL_F_NO_IOVA_CONTIG, NULL);
	if (obj_sz <= pgsz)
		return 0;
	EXTMEM_FAIL(ENOTSUP, "pool %s: objects of %zu bytes span %zu-byte "
		"pages of %s memory, which are not IOVA-contiguous in "
		"IOVA-as-PA mode (each object must be): use hugetlb pages "
		"(the hugetlb backing, or shared with 2M pages), EAL's "
		"IOVA-as-VA mode (--iova-mode=va), or user memory with its IOVA "
		"table", name, obj_sz, pgsz, rte_extmem_backing_name(rp->backing));
	return -1;
}

static struct rte_extmem_heap *
pool_heap_create(const char *name, unsigned int n, unsigned int cache_size,
	uint16_t priv_size, uint16_t data_room_size,
	const struct rte_extmem_region_params *backing)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_heap_params hp;
	struct pool_layout l;
	size_t pgsz;

	if (backing == NULL) {
		EXTMEM_FAIL(EINVAL, "pool %s: backing params is NULL", name);
		return NULL;
	}
	/* too small: EINVAL; larger with fields unknown here set: ENOTSUP
	 * (never ignored: the copy below keeps only this version's fields)
	 */
	if (extmem_struct_size_check(backing, backing->struct_size,
			sizeof(*backing), "pool backing params",
			"rte_extmem_region_params_init") != 0)
		return NULL;
	rte_extmem_heap_params_init(&hp);
	hp.name = name;
	memcpy(&rp, backing, sizeof(rp));
	rp.struct_size = sizeof(rp);
	rp.name = NULL;
	hp.region = &rp;
	if (pool_pages_check(name, &rp, priv_size, data_room_size) != 0)
		return NULL;
	if (rp.len == 0) {
		if (rp.backing == RTE_EXTMEM_BACKING_USER ||
				rp.backing == RTE_EXTMEM_BACKING_DEVICE) {
			EXTMEM_FAIL(EINVAL, "pool %s: %s memory needs its "
				"length", name,
				rte_extmem_backing_name(rp.backing));
			return NULL;
		}
		pgsz = rp.page_sz;
		if (pgsz == 0)
			pgsz = extmem_backing_default_page_sz(
				rp.backing);
		if (pool_layout(n, cache_size, priv_size, data_room_size, pgsz,
				&l) != 0)
			return NULL;
		rp.len = extmem_backing_len_round(rp.backing,
			l.total);
	}
	return rte_extmem_heap_create(&hp);
}

struct rte_mempool *
rte_extmem_pktmbuf_pool_create(const char *name, unsigned int n,
	unsigned int cache_size, uint16_t priv_size, uint16_t data_room_size,
	const struct rte_extmem_region_params *backing)
{
	struct rte_pktmbuf_pool_private mbp_priv;
	const struct rte_memzone *mz = NULL;
	char mz_name[RTE_MEMZONE_NAMESIZE];
	struct rte_malloc_socket_stats st;
	struct rte_mempool *mp = NULL;
	struct rte_extmem_heap *h;
	bool attached = false;
	struct pool_layout l;
	unsigned int i;
	int ret, err;

	if (!EXTMEM_EAL_READY() || !EXTMEM_PRIMARY_ONLY())
		return NULL;
	if (pool_name_check(name, mz_name, sizeof(mz_name)) != 0 ||
			pool_args_check(n, cache_size, priv_size) != 0)
		return NULL;
	if (rte_mempool_lookup(name) != NULL) {
		EXTMEM_FAIL(EEXIST, "a mempool named %s exists", name);
		return NULL;
	}
	if (pool_watch() != 0)
		return NULL;
	h = pool_heap_create(name, n, cache_size, priv_size, data_room_size,
		backing);
	if (h == NULL)
		return NULL;
	if (pool_layout(n, cache_size, priv_size, data_room_size, h->page_sz,
			&l) != 0)
		goto fail;

	/* Objects first: malloc takes memory from the end of the free block,
	 * so the page-aligned objects fill the last pages of the region and
	 * the header and ring share the first ones.
	 */
	mz = rte_memzone_reserve_aligned(mz_name, l.obj_bytes, h->socket_id,
		0, h->page_sz);
	if (mz == NULL) {
		EXTMEM_FAIL(ENOMEM, "pool %s: heap of %zu bytes has no room "
			"for %zu bytes of objects: %s", name, h->size,
			l.obj_bytes, rte_strerror(rte_errno));
		goto fail;
	}
	/* The header (with the private area and the caches) and the ring
	 * in EAL's own memory, which every process of the application maps:
	 * tools that read them (dpdk-proc-info --show-mempool/--show-ring,
	 * rte_mempool_lookup() in dpdk-pdump) work even when the heap
	 * cannot be shared. The ring goes where the socket argument says
	 * (rte_ring_create() at the first populate, with mp->socket_id);
	 * SOCKET_ID_ANY is every native heap and never an external one.
	 * In the heap itself only when EAL's memory has no room.
	 */
	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) +
		priv_size + data_room_size, cache_size,
		sizeof(struct rte_pktmbuf_pool_private), SOCKET_ID_ANY,
		RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL && rte_errno == ENOMEM) {
		EXTMEM_LOG(INFO, "pool %s: no room in EAL's memory for the "
			"pool header: in heap %s (tools of other processes "
			"reach it only if the heap is shared)", name, h->name);
		mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) +
			priv_size + data_room_size, cache_size,
			sizeof(struct rte_pktmbuf_pool_private), h->socket_id,
			RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	}
	if (mp == NULL) {
		EXTMEM_FAIL(rte_errno, "pool %s: rte_mempool_create_empty: %s",
			name, rte_strerror(rte_errno));
		goto fail;
	}
	ret = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(),
		NULL);
	if (ret != 0) {
		EXTMEM_FAIL(-ret, "pool %s: cannot set mempool ops %s", name,
			rte_mbuf_best_mempool_ops());
		goto fail;
	}
	memset(&mbp_priv, 0, sizeof(mbp_priv));
	mbp_priv.mbuf_data_room_size = data_room_size;
	mbp_priv.mbuf_priv_size = priv_size;
	rte_pktmbuf_pool_init(mp, &mbp_priv);
	if (pool_populate(mp, mz, h, &attached) != 0)
		goto fail;
	/* the ring exists now: the pool's socket is where its objects, the
	 * packet memory, are (what NUMA-aware callers look at)
	 */
	mp->socket_id = h->socket_id;
	/* RTE_MEMPOOL_F_NO_IOVA_CONTIG only let the mempool place objects
	 * across the page boundaries inside a run; every object is
	 * IOVA-contiguous and has its IOVA, so the pool is usable for IO
	 * (the mempool library keeps RTE_MEMPOOL_F_NON_IO on pools with that
	 * flag).
	 */
	extmem_compat_mempool_set_io(mp);
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);

	if (!EXTMEM_OP_BEGIN())
		goto fail;
	if (rte_malloc_get_socket_stats(h->socket_id, &st) == 0)
		h->pool_allocs = st.alloc_count;
	h->pool = mp;
	snprintf(h->pool_name, sizeof(h->pool_name), "%s", mp->name);
	for (i = 0; i < h->n_regions; i++)
		extmem_region_get(h->regions[i]);
	extmem_op_end();
	EXTMEM_LOG(INFO, "pool %s: %u mbufs of %zu bytes (%u-byte data room) "
		"in heap %s (socket %d), %zu bytes: %zu of objects, %zu-byte "
		"pages", name, n, l.obj_sz, data_room_size, h->name,
		h->socket_id, h->size, l.obj_bytes, h->page_sz);
	return mp;
fail:
	err = rte_errno;
	if (mp != NULL)
		rte_mempool_free(mp);
	if (mz != NULL && !attached)
		rte_memzone_free(mz);
	if (rte_extmem_heap_destroy(h) != 0)
		EXTMEM_LOG(ERR, "pool %s: heap not destroyed: %s", name,
			rte_strerror(rte_errno));
	rte_errno = err;
	return NULL;
}

int
rte_extmem_pktmbuf_pool_free(struct rte_mempool *mp)
{
	struct rte_extmem_heap *h;
	unsigned int avail;
	int ret;

	if (!EXTMEM_EAL_READY() || !EXTMEM_PRIMARY_ONLY())
		return -1;
	if (mp == NULL) {
		EXTMEM_FAIL(EINVAL, "pool is NULL");
		return -1;
	}
	ret = extmem_extbuf_pool_free(mp);
	if (ret <= 0)
		return ret;
	/* Everything is checked before anything is freed. */
	if (!EXTMEM_OP_BEGIN())
		return -1;
	h = pool_heap_find(mp);
	if (h == NULL) {
		extmem_op_end();
		EXTMEM_FAIL(EINVAL, "%p is not a pool of "
			"rte_extmem_pktmbuf_pool_create()", (void *)mp);
		return -1;
	}
	avail = rte_mempool_avail_count(mp);
	if (avail < mp->size) {
		EXTMEM_FAIL(EBUSY, "pool %s: %u of %u mbufs are still in use",
			mp->name, mp->size - avail, mp->size);
		extmem_op_end();
		return -1;
	}
	/* only the pool's allocations, only the pool's region references */
	if (!extmem_heap_idle_locked(h, h->pool_allocs, 1, true)) {
		extmem_op_end();
		return -1;
	}
	h->pool_freeing = true;
	extmem_op_end();

	/* Unlocked: mempool calls its event callbacks (ours takes the lock)
	 * under its own lock. The callback releases the pool's references.
	 */
	rte_mempool_free(mp);

	/* cannot be refused: this thread was in no operation above */
	RTE_VERIFY(extmem_op_begin() == 0);
	if (h->pool != NULL) /* no event: do its work */
		pool_detach_locked(h);
	h->pool_freeing = false;
	/* idle unless another thread allocated from the heap meanwhile;
	 * then it goes with the last of those allocations
	 */
	extmem_heap_pool_reap_locked();
	if (extmem_heap_valid(h))
		EXTMEM_LOG(WARNING, "heap %s of pool %s: busy after the pool "
			"was freed, released once idle", h->name, h->pool_name);
	extmem_op_end();
	return 0;
}
