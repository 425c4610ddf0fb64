/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The slicer: zero-copy mbufs over any (offset, length) of a region.
 *
 * A slice is an mbuf of the slicer's pool attached with
 * rte_pktmbuf_attach_extbuf() to the range. Its rte_mbuf_ext_shared_info
 * is the head of a struct extmem_slice in the private area of the slice's
 * first mbuf (host memory, never the region), so a slice costs no more
 * than its mbufs: no second allocation, no shared counter. All the
 * segments of one slice share that entry: its reference count starts at
 * the number of segments, clones add to it, and the last free calls
 * slice_free_cb(), which runs the owner's callback.
 *
 * The first mbuf may go back to the pool while clones of the slice still
 * use its entry. Its state word then stays BUSY; when the slicer draws
 * such an mbuf for a new slice, it sets it aside (BUSY -> ZOMBIE, one CAS)
 * instead of reusing it, and the callback of the last clone returns it to
 * the pool. The common case (the first mbuf freed last, e.g. no clone)
 * takes no atomic operation at all.
 *
 * The IOVA of a segment is read from the region's per-page table; a
 * per-page "end of IOVA run" table (absent when the region is one run)
 * tells in O(1) how far a segment may extend.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "extmem_private.h"
#include "extmem_walk_private.h"
#include "rte_extmem_mbuf.h"

#define SLICER_MAGIC 0x534c4352 /* "SLCR" */
#define SLICER_CACHE_MAX 256u

/* Counters of one lcore; slot RTE_MAX_LCORE is shared by non-EAL threads. */
struct slicer_lcore_stats {
	uint64_t slices;
	uint64_t extra_segs;	/* segments beyond the first of each slice */
	uint64_t fails;
	uint64_t set_aside;
} __rte_cache_aligned;

/* States of an entry. */
#define SLICE_FREE 0u	/* no slice uses it */
#define SLICE_BUSY 1u	/* a slice uses it */
#define SLICE_ZOMBIE 2u	/* busy, and its mbuf was set aside by the slicer */

/* One slice's out-of-band shared information, in its first mbuf's
 * private area.
 */
struct extmem_slice {
	struct rte_mbuf_ext_shared_info shinfo;
	uint32_t state;
	struct rte_extmem_slicer *slicer;
	void *addr;
	size_t len;
};

#define SLICE_PRIV_SIZE RTE_ALIGN(sizeof(struct extmem_slice), \
	RTE_MBUF_PRIV_ALIGN)

static __rte_always_inline struct extmem_slice *
mbuf_slice(struct rte_mbuf *m)
{
	return (struct extmem_slice *)(m + 1);
}

static __rte_always_inline struct rte_mbuf *
slice_mbuf(struct extmem_slice *sl)
{
	return (struct rte_mbuf *)sl - 1;
}

struct rte_extmem_slicer {
	TAILQ_ENTRY(rte_extmem_slicer) next;
	uint32_t magic;
	char name[RTE_EXTMEM_NAMESIZE];
	struct rte_extmem_region *region;
	/* copies of the region's geometry, read on the fast path */
	uintptr_t va;
	size_t len;
	unsigned int page_shift;
	size_t page_mask;
	const rte_iova_t *iovas;
	/* NULL when the region is one IOVA run: IOVA = base_iova + offset */
	uint32_t *run_end;	/* per page: first page after its run */
	rte_iova_t base_iova;
	uint16_t max_seg;
	struct rte_mempool *mp;
	rte_extmem_slice_free_cb_t free_cb;
	void *free_cb_arg;
	struct slicer_lcore_stats stats[RTE_MAX_LCORE + 1];
};

TAILQ_HEAD(slicer_list, rte_extmem_slicer);
static struct slicer_list slicer_list = TAILQ_HEAD_INITIALIZER(slicer_list);
static uint32_t slicer_seq;

/* Count on the calling lcore's line (non-EAL threads share the last). */
#define SLICER_STAT_ADD(s, field, v) do { \
	unsigned int lc_ = rte_lcore_id(); \
	if (likely(lc_ < RTE_MAX_LCORE)) \
		__atomic_store_n(&(s)->stats[lc_].field, \
			(s)->stats[lc_].field + (v), __ATOMIC_RELEASE); \
	else \
		__atomic_fetch_add(&(s)->stats[RTE_MAX_LCORE].field, (v), \
			__ATOMIC_RELEASE); \
} while (0)

/* A slice of nseg segments was made. */
static __rte_always_inline void
slicer_count(struct rte_extmem_slicer *s, unsigned int nseg)
{
	unsigned int lc = rte_lcore_id();

	if (likely(lc < RTE_MAX_LCORE)) {
		struct slicer_lcore_stats *st = &s->stats[lc];

		if (nseg > 1)
			__atomic_store_n(&st->extra_segs,
				st->extra_segs + nseg - 1, __ATOMIC_RELAXED);
		/* last: a slice is counted before anyone can free it */
		__atomic_store_n(&st->slices, st->slices + 1,
			__ATOMIC_RELEASE);
	} else {
		__atomic_fetch_add(&s->stats[RTE_MAX_LCORE].extra_segs,
			nseg - 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&s->stats[RTE_MAX_LCORE].slices, 1,
			__ATOMIC_RELEASE);
	}
}

/* n single-segment slices were made on lcore lc (rte_lcore_id(), read
 * once by the caller before its stores: the compiler cannot keep it
 * across them).
 */
static __rte_always_inline void
slicer_count_lc(struct rte_extmem_slicer *s, unsigned int lc, unsigned int n)
{
	if (likely(lc < RTE_MAX_LCORE))
		__atomic_store_n(&s->stats[lc].slices, s->stats[lc].slices + n,
			__ATOMIC_RELEASE);
	else
		__atomic_fetch_add(&s->stats[RTE_MAX_LCORE].slices, n,
			__ATOMIC_RELEASE);
}

/* n single-segment slices were made. */
static __rte_always_inline void
slicer_count_n(struct rte_extmem_slicer *s, unsigned int n)
{
	slicer_count_lc(s, rte_lcore_id(), n);
}

int
rte_extmem_slicer_params_init(struct rte_extmem_slicer_params *params)
{
	if (!EXTMEM_PARAMS_RESET(params))
		return -1;
	params->socket_id = SOCKET_ID_ANY;
	params->max_seg_len = UINT16_MAX;
	return 0;
}

static struct rte_extmem_slicer *
slicer_find(const char *name)
{
	return EXTMEM_TAILQ_FIND(&slicer_list, s, strcmp(s->name, name) == 0);
}

static bool
slicer_valid(const struct rte_extmem_slicer *s)
{
	return s != NULL && EXTMEM_TAILQ_FIND(&slicer_list, it,
		it == s && it->magic == SLICER_MAGIC) != NULL;
}

static int
params_check(const struct rte_extmem_slicer_params *p)
{
	if (p == NULL) {
		EXTMEM_FAIL(EINVAL, "params is NULL");
		return -1;
	}
	if (extmem_struct_size_check(p, p->struct_size, sizeof(*p), "params",
			"rte_extmem_slicer_params_init") != 0)
		return -1;
	if (extmem_name_check("slicer", p->name, RTE_EXTMEM_NAMESIZE) != 0)
		return -1;
	if (p->n_mbufs == 0) {
		EXTMEM_FAIL(EINVAL, "slicer %s: n_mbufs is 0", p->name);
		return -1;
	}
	if (p->cache_size > RTE_MEMPOOL_CACHE_MAX_SIZE) {
		EXTMEM_FAIL(EINVAL, "slicer %s: cache size %u is larger than "
			"%u", p->name, p->cache_size,
			RTE_MEMPOOL_CACHE_MAX_SIZE);
		return -1;
	}
	if (p->socket_id != SOCKET_ID_ANY &&
			(p->socket_id < 0 || p->socket_id >= RTE_MAX_NUMA_NODES)) {
		EXTMEM_FAIL(EINVAL, "slicer %s: bad socket %d", p->name,
			p->socket_id);
		return -1;
	}
	return 0;
}

/* Default per-lcore cache: mempool wants 1.5 * cache <= size. */
static unsigned int
cache_for(unsigned int n, unsigned int asked)
{
	if (asked != 0)
		return asked;
	return RTE_MIN(SLICER_CACHE_MAX, n * 2 / 3 / 2);
}

/*
 * The last reference to a slice went. Common case: that reference is the
 * slice's first mbuf, still attached to the entry and being freed, so no
 * other thread can see the entry until the mbuf is back in the pool, and
 * the slicer cannot be freed before that either (its pool is not full):
 * the entry is released first, and the owner's callback is the last
 * call (a tail call). Otherwise (a clone or a later segment went last) the owner's
 * callback runs first, while the entry still holds the slice. Nothing is
 * counted here: a slice is alive while its entry is not free (see
 * slicer_in_flight()).
 */
static __rte_noinline void
slice_free_late(struct extmem_slice *sl)
{
	struct rte_extmem_slicer *s = sl->slicer;

	if (s->free_cb != NULL)
		s->free_cb(sl->addr, sl->len, s->free_cb_arg);
	if (__atomic_exchange_n(&sl->state, SLICE_FREE, __ATOMIC_ACQ_REL) ==
			SLICE_ZOMBIE) {
		/* It went back to the pool before this last reference and
		 * the slicer has set it aside since: return it.
		 */
		rte_mbuf_raw_free(slice_mbuf(sl));
	}
	/* the slicer may be freed from here on */
}

static void
slice_free_cb(void *addr __rte_unused, void *opaque)
{
	struct extmem_slice *sl = opaque;
	struct rte_extmem_slicer *s = sl->slicer;
	struct rte_mbuf *m = slice_mbuf(sl);
	rte_extmem_slice_free_cb_t cb;

	if (unlikely(!(m->ol_flags & RTE_MBUF_F_EXTERNAL) ||
			m->shinfo != &sl->shinfo)) {
		slice_free_late(sl);
		return;
	}
	cb = s->free_cb;
	__atomic_store_n(&sl->state, SLICE_FREE, __ATOMIC_RELEASE);
	if (cb != NULL)
		cb(sl->addr, sl->len, s->free_cb_arg);
}

static void
slice_obj_init(struct rte_mempool *mp __rte_unused, void *arg, void *obj,
	unsigned int idx __rte_unused)
{
	struct extmem_slice *sl = mbuf_slice(obj);

	memset(sl, 0, sizeof(*sl));
	sl->shinfo.free_cb = slice_free_cb;
	sl->shinfo.fcb_opaque = sl;
	sl->slicer = arg;
	sl->state = SLICE_FREE;
}

/* Geometry and the run table, from the region (its IOVAs never change). */
static int
slicer_geometry(struct rte_extmem_slicer *s, int socket)
{
	const struct rte_extmem_region *r = s->region;
	unsigned int k, p, q, end;

	s->va = r->va;
	s->len = r->len;
	s->page_shift = rte_bsf64(r->page_sz);
	s->page_mask = r->page_sz - 1;
	s->iovas = r->iovas;
	s->base_iova = r->iovas[0];
	if (r->n_iova_runs == 1 && r->n_bad_iova == 0)
		return 0;
	s->run_end = rte_malloc_socket("extmem_slicer_runs",
		sizeof(*s->run_end) * r->n_pages, 0, socket);
	if (s->run_end == NULL) {
		EXTMEM_FAIL(ENOMEM, "slicer %s: no memory for %u run entries",
			s->name, r->n_pages);
		return -1;
	}
	/* every page of a known run ends where the run does; a page of
	 * unknown IOVA is a run of its own
	 */
	for (k = 0; k < r->n_runs; k++) {
		p = r->runs[k].va_off >> s->page_shift;
		end = (r->runs[k].va_off + r->runs[k].len) >> s->page_shift;
		for (q = p; q < end; q++)
			s->run_end[q] = r->runs[k].iova == RTE_BAD_IOVA ?
				q + 1 : end;
	}
	return 0;
}

static int
slicer_pool(struct rte_extmem_slicer *s,
	const struct rte_extmem_slicer_params *p)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	uint32_t seq = __atomic_fetch_add(&slicer_seq, 1, __ATOMIC_RELAXED);

	snprintf(name, sizeof(name), "extmem_slc%" PRIu32, seq);
	s->mp = rte_pktmbuf_pool_create(name, p->n_mbufs,
		cache_for(p->n_mbufs, p->cache_size), SLICE_PRIV_SIZE, 0,
		p->socket_id);
	if (s->mp == NULL) {
		EXTMEM_FAIL(rte_errno == EINVAL ? EINVAL : ENOMEM, "slicer %s: "
			"cannot create its pool of %u mbufs: %s", s->name,
			p->n_mbufs, rte_strerror(rte_errno));
		return -1;
	}
	rte_mempool_obj_iter(s->mp, slice_obj_init, s);
	return 0;
}

static void
slicer_release(struct rte_extmem_slicer *s)
{
	rte_mempool_free(s->mp);
	rte_free(s->run_end);
	rte_free(s);
}

struct rte_extmem_slicer *
rte_extmem_slicer_create(const struct rte_extmem_slicer_params *params)
{
	struct rte_extmem_slicer *s;
	int err;

	if (!EXTMEM_EAL_READY())
		return NULL;
	if (params_check(params) != 0)
		return NULL;
	s = rte_zmalloc_socket("extmem_slicer", sizeof(*s), RTE_CACHE_LINE_SIZE,
		params->socket_id);
	if (s == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for slicer %s", params->name);
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", params->name);
	s->max_seg = params->max_seg_len != 0 ? params->max_seg_len :
		UINT16_MAX;
	s->free_cb = params->free_cb;
	s->free_cb_arg = params->free_cb_arg;

	/* Reserve the name and take the region, then build the pools
	 * unlocked (EAL may raise memory events while they are created).
	 */
	if (!EXTMEM_OP_BEGIN()) {
		rte_free(s);
		return NULL;
	}
	if (!extmem_region_valid(params->region)) {
		EXTMEM_FAIL(EINVAL, "slicer %s: %p is not a live region",
			params->name, (void *)params->region);
		goto fail_unlock;
	}
	if (extmem_region_use_check(params->region) != 0)
		goto fail_unlock;
	if (slicer_find(params->name) != NULL) {
		EXTMEM_FAIL(EEXIST, "a slicer named %s exists", params->name);
		goto fail_unlock;
	}
	s->region = params->region;
	extmem_region_get(s->region);
	TAILQ_INSERT_TAIL(&slicer_list, s, next);
	extmem_op_end();

	if (slicer_geometry(s, params->socket_id) != 0 ||
			slicer_pool(s, params) != 0) {
		err = rte_errno;
		/* cannot be refused: no operation since the one above */
		RTE_VERIFY(extmem_op_begin() == 0);
		TAILQ_REMOVE(&slicer_list, s, next);
		extmem_region_put(s->region);
		extmem_op_end();
		slicer_release(s);
		rte_errno = err;
		return NULL;
	}
	__atomic_store_n(&s->magic, SLICER_MAGIC, __ATOMIC_RELEASE);
	EXTMEM_LOG(INFO, "slicer %s over region %s: %u mbufs, segments up "
		"to %u bytes, %s IOVA runs", s->name, s->region->name,
		params->n_mbufs, s->max_seg,
		s->run_end == NULL ? "one" : "several");
	return s;
fail_unlock:
	extmem_op_end();
	rte_free(s);
	return NULL;
}

static void
slice_entry_busy(struct rte_mempool *mp __rte_unused, void *arg, void *obj,
	unsigned int idx __rte_unused)
{
	uint64_t *busy = arg;

	if (__atomic_load_n(&mbuf_slice(obj)->state, __ATOMIC_ACQUIRE) !=
			SLICE_FREE)
		(*busy)++;
}

/*
 * Slices alive: the entries not free, one per live slice (busy from
 * before the slice is counted until its last reference's callback has
 * run, set aside ones included), by a pass over the pool's objects, so
 * that releasing a slice counts nothing. Slices released: those counted
 * (summed over the lcores, read after the pass) minus those alive. Exact
 * when nothing runs concurrently; otherwise a slice made during the pass
 * may be missed, never one alive before it.
 */
static uint64_t
slicer_in_flight(const struct rte_extmem_slicer *s, uint64_t *slicesp,
	uint64_t *freedp)
{
	uint64_t busy = 0, slices = 0;
	unsigned int i;

	rte_mempool_obj_iter(s->mp, slice_entry_busy, &busy);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (i = 0; i <= RTE_MAX_LCORE; i++)
		slices += __atomic_load_n(&s->stats[i].slices,
			__ATOMIC_ACQUIRE);
	if (slicesp != NULL)
		*slicesp = slices;
	if (freedp != NULL)
		*freedp = slices > busy ? slices - busy : 0;
	return busy;
}

int
rte_extmem_slicer_free(struct rte_extmem_slicer *slicer)
{
	uint64_t busy;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (!EXTMEM_OP_BEGIN())
		return -1;
	if (!EXTMEM_LIVE(slicer_valid, slicer, "slicer")) {
		extmem_op_end();
		return -1;
	}
	busy = slicer_in_flight(slicer, NULL, NULL);
	if (busy != 0) {
		EXTMEM_FAIL(EBUSY, "slicer %s has %" PRIu64 " slices in flight",
			slicer->name, busy);
		extmem_op_end();
		return -1;
	}
	if (!rte_mempool_full(slicer->mp)) {
		EXTMEM_FAIL(EBUSY, "slicer %s: %u mbufs of its pool are in use",
			slicer->name, rte_mempool_in_use_count(slicer->mp));
		extmem_op_end();
		return -1;
	}
	TAILQ_REMOVE(&slicer_list, slicer, next);
	slicer->magic = 0;
	extmem_region_put(slicer->region);
	extmem_op_end();
	EXTMEM_LOG(INFO, "slicer %s freed", slicer->name);
	slicer_release(slicer);
	return 0;
}

struct rte_extmem_slicer *
rte_extmem_slicer_lookup(const char *name)
{
	struct rte_extmem_slicer *s;

	if (!EXTMEM_EAL_READY())
		return NULL;
	if (extmem_name_check("slicer", name, RTE_EXTMEM_NAMESIZE) != 0)
		return NULL;
	extmem_query_begin();
	s = slicer_find(name);
	if (s != NULL && s->magic != SLICER_MAGIC)
		s = NULL;
	extmem_query_end();
	if (s == NULL)
		rte_errno = ENOENT;
	return s;
}

int
rte_extmem_slicer_info_get(const struct rte_extmem_slicer *slicer,
	struct rte_extmem_slicer_info *stats)
{
	unsigned int i;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (slicer == NULL || stats == NULL) {
		EXTMEM_FAIL(EINVAL, "NULL %s", slicer == NULL ? "slicer" :
			"stats");
		return -1;
	}
	memset(stats, 0, sizeof(*stats));
	stats->region = slicer->region;
	stats->in_flight = slicer_in_flight(slicer, &stats->slices,
		&stats->freed);
	for (i = 0; i <= RTE_MAX_LCORE; i++) {
		const struct slicer_lcore_stats *st = &slicer->stats[i];

		stats->segments += __atomic_load_n(&st->extra_segs,
			__ATOMIC_RELAXED);
		stats->fails += __atomic_load_n(&st->fails, __ATOMIC_RELAXED);
		stats->set_aside += __atomic_load_n(&st->set_aside,
			__ATOMIC_RELAXED);
	}
	stats->segments += stats->slices;
	return 0;
}

/* IOVA of offset off and the IOVA-contiguous length from there (0: unknown). */
static __rte_always_inline rte_iova_t
slicer_iova(const struct rte_extmem_slicer *s, size_t off, size_t *contig)
{
	size_t p;
	rte_iova_t io;

	if (likely(s->run_end == NULL)) {
		*contig = s->len - off;
		return s->base_iova + off;
	}
	p = off >> s->page_shift;
	io = s->iovas[p];
	if (unlikely(io == RTE_BAD_IOVA)) {
		*contig = 0;
		return io;
	}
	*contig = ((size_t)s->run_end[p] << s->page_shift) - off;
	return io + (off & s->page_mask);
}

static __rte_always_inline void
slice_attach(struct rte_mbuf *m, struct extmem_slice *sl, uintptr_t va,
	rte_iova_t iova, uint16_t seg_len)
{
	rte_pktmbuf_attach_extbuf(m, (void *)va, iova, seg_len, &sl->shinfo);
	m->data_len = seg_len;
	m->pkt_len = seg_len;
}

/* The slice [off, +len) begins in the entry of its first mbuf m, shared
 * by its nseg segments.
 */
static __rte_always_inline struct extmem_slice *
slice_begin(const struct rte_extmem_slicer *s, struct rte_mbuf *m, size_t off,
	size_t len, unsigned int nseg)
{
	struct extmem_slice *sl = mbuf_slice(m);

	sl->addr = (void *)(s->va + off);
	sl->len = len;
	rte_mbuf_ext_refcnt_set(&sl->shinfo, (uint16_t)nseg);
	return sl;
}

/*
 * A single-segment slice [off, +len) at iova in m, an mbuf taken from the
 * pool with rte_mempool_get*() (so refcnt 1, one segment, no flags: the
 * pool's mbufs all come back detached): what rte_pktmbuf_reset() and
 * rte_pktmbuf_attach_extbuf() would store, each field once. The entry is
 * written in the same pass.
 */
static __rte_always_inline void
slice_single(const struct rte_extmem_slicer *s, struct rte_mbuf *m,
	size_t off, size_t len, rte_iova_t iova)
{
	struct extmem_slice *sl = mbuf_slice(m);
	void *va = (void *)(s->va + off);

	sl->addr = va;
	sl->len = len;
	rte_mbuf_ext_refcnt_set(&sl->shinfo, 1);
	m->buf_addr = va;
	rte_mbuf_iova_set(m, iova);
	m->data_off = 0;
	rte_mbuf_refcnt_set(m, 1);
	m->nb_segs = 1;
	m->port = RTE_MBUF_PORT_INVALID;
	/*
	 * ol_flags in one store of its own: the compiler would otherwise
	 * merge its halves into stores with the neighbouring fields, and
	 * the 8-byte load of it on the free path (RTE_MBUF_DIRECT()) could
	 * not be forwarded from two stores: a store-forwarding stall per
	 * slice (single slices went from 1.10 to 1.03 times the hand-rolled
	 * attach with this alone).
	 */
	rte_compiler_barrier();
	m->ol_flags = RTE_MBUF_F_EXTERNAL;
	rte_compiler_barrier();
	m->packet_type = 0;
	m->pkt_len = (uint32_t)len;
	m->data_len = (uint16_t)len;
	m->vlan_tci = 0;
	m->vlan_tci_outer = 0;
	m->buf_len = (uint16_t)len;
	m->next = NULL;
	m->tx_offload = 0;
	m->shinfo = &sl->shinfo;
	__rte_mbuf_sanity_check(m, 1);
}

/* Take a drawn mbuf's entry if it is free (not used by clones any more). */
static __rte_always_inline bool
slice_claim(struct rte_mbuf *m)
{
	struct extmem_slice *sl = mbuf_slice(m);

	if (likely(__atomic_load_n(&sl->state, __ATOMIC_ACQUIRE) ==
			SLICE_FREE)) {
		__atomic_store_n(&sl->state, SLICE_BUSY, __ATOMIC_RELAXED);
		return true;
	}
	return false;
}

static __rte_noinline struct rte_mbuf *
slice_bad_args(const struct rte_extmem_slicer *s, size_t off, size_t len)
{
	if (s == NULL)
		EXTMEM_FAIL(EINVAL, "slicer is NULL");
	else if (len == 0 || len > UINT32_MAX)
		EXTMEM_FAIL(EINVAL, "slicer %s: length %zu is not in "
			"[1, UINT32_MAX]", s->name, len);
	else
		EXTMEM_FAIL(EINVAL, "slicer %s: range [%zu, +%zu) is outside "
			"the %zu bytes of region %s", s->name, off, len, s->len,
			s->region->name);
	return NULL;
}

static __rte_noinline struct rte_mbuf *
slice_no_buffers(struct rte_extmem_slicer *s)
{
	SLICER_STAT_ADD(s, fails, 1);
	EXTMEM_LOG(DEBUG, "slicer %s: no mbuf left", s->name);
	rte_errno = ENOBUFS;
	return NULL;
}

/*
 * The drawn mbuf's entry is still used by clones of an earlier slice: set
 * the mbuf aside for that slice's last callback to return, and draw
 * another. Returns an mbuf whose entry is ours, or NULL.
 */
static __rte_noinline struct rte_mbuf *
slice_head_busy(struct rte_extmem_slicer *s, struct rte_mbuf *m)
{
	struct extmem_slice *sl;
	uint32_t expected;

	for (;;) {
		sl = mbuf_slice(m);
		expected = SLICE_BUSY;
		if (!__atomic_compare_exchange_n(&sl->state, &expected,
				SLICE_ZOMBIE, false, __ATOMIC_ACQ_REL,
				__ATOMIC_ACQUIRE)) {
			/* the last clone went meanwhile: the entry is free */
			__atomic_store_n(&sl->state, SLICE_BUSY,
				__ATOMIC_RELAXED);
			return m;
		}
		SLICER_STAT_ADD(s, set_aside, 1);
		m = rte_pktmbuf_alloc(s->mp);
		if (m == NULL)
			return NULL;
		if (slice_claim(m))
			return m;
	}
}

/* An mbuf to be the first of a slice, its entry marked busy; raw: only
 * what the pool guarantees (see slice_single()).
 */
static __rte_always_inline struct rte_mbuf *
slice_head_get(struct rte_extmem_slicer *s)
{
	void *obj;

	if (unlikely(rte_mempool_get(s->mp, &obj) != 0))
		return NULL;
	if (likely(slice_claim(obj)))
		return obj;
	return slice_head_busy(s, obj);
}

/* The same, reset as by rte_pktmbuf_alloc() (for chains). */
static struct rte_mbuf *
slice_head_alloc(struct rte_extmem_slicer *s)
{
	struct rte_mbuf *m = slice_head_get(s);

	if (m != NULL)
		rte_pktmbuf_reset(m);
	return m;
}

/* A slice needing several segments: IOVA breaks or longer than a segment. */
static __rte_noinline struct rte_mbuf *
slice_chain(struct rte_extmem_slicer *s, size_t off, size_t len)
{
	struct rte_mbuf *segs[RTE_EXTMEM_SLICE_MAX_SEGS];
	size_t o, seg, contig, end = off + len;
	struct extmem_slice *sl;
	unsigned int i, nseg = 0;
	rte_iova_t iova;

	for (o = off; o < end; o += seg) {
		slicer_iova(s, o, &contig);
		if (contig == 0) {
			EXTMEM_FAIL(EFAULT, "slicer %s: offset %zu of region "
				"%s has no known IOVA", s->name, o,
				s->region->name);
			return NULL;
		}
		seg = RTE_MIN(RTE_MIN(end - o, contig), (size_t)s->max_seg);
		if (++nseg > RTE_EXTMEM_SLICE_MAX_SEGS) {
			EXTMEM_FAIL(E2BIG, "slicer %s: [%zu, +%zu) needs more "
				"than %d segments", s->name, off, len,
				RTE_EXTMEM_SLICE_MAX_SEGS);
			return NULL;
		}
	}
	segs[0] = slice_head_alloc(s);
	if (segs[0] == NULL)
		return slice_no_buffers(s);
	if (nseg > 1 && rte_pktmbuf_alloc_bulk(s->mp, segs + 1, nseg - 1) != 0) {
		__atomic_store_n(&mbuf_slice(segs[0])->state, SLICE_FREE,
			__ATOMIC_RELEASE);
		rte_pktmbuf_free(segs[0]);
		return slice_no_buffers(s);
	}
	sl = slice_begin(s, segs[0], off, len, nseg);
	for (o = off, i = 0; i < nseg; i++, o += seg) {
		iova = slicer_iova(s, o, &contig);
		seg = RTE_MIN(RTE_MIN(end - o, contig), (size_t)s->max_seg);
		slice_attach(segs[i], sl, s->va + o, iova, (uint16_t)seg);
		if (i > 0)
			segs[i - 1]->next = segs[i];
	}
	segs[0]->nb_segs = (uint16_t)nseg;
	segs[0]->pkt_len = (uint32_t)len;
	slicer_count(s, nseg);
	return segs[0];
}

/* Every case: bad arguments, chains, no mbuf in the lcore's cache, an
 * entry still used by clones, non-EAL threads.
 */
static __rte_noinline struct rte_mbuf *
slice_alloc_any(struct rte_extmem_slicer *slicer, size_t off, size_t len)
{
	struct rte_extmem_slicer *s = slicer;
	struct rte_mbuf *m;
	unsigned int lc;
	rte_iova_t iova;
	size_t contig;

	if (!EXTMEM_EAL_READY())
		return NULL;
	if (unlikely(s == NULL || len == 0 || len > UINT32_MAX ||
			off >= s->len || len > s->len - off))
		return slice_bad_args(s, off, len);
	iova = slicer_iova(s, off, &contig);
	if (unlikely(len > contig || len > s->max_seg))
		return slice_chain(s, off, len);
	lc = rte_lcore_id();
	m = slice_head_get(s);
	if (unlikely(m == NULL))
		return slice_no_buffers(s);
	slice_single(s, m, off, len, iova);
	slicer_count_lc(s, lc, 1);
	return m;
}

/*
 * The fast path of a single-segment slice: all its slow cases are one
 * tail call (slice_alloc_any()), so that it saves no register. It takes
 * the mbuf from the lcore's mempool cache itself when the mempool keeps
 * no statistics and no debug cookies (what rte_mempool_get() then does),
 * and only once the entry is known to be free.
 */
struct rte_mbuf *
rte_extmem_slice_alloc(struct rte_extmem_slicer *slicer, size_t off, size_t len)
{
#if !defined(RTE_LIBRTE_MEMPOOL_STATS) && !defined(RTE_LIBRTE_MEMPOOL_DEBUG)
	struct rte_extmem_slicer *s = slicer;
	struct rte_mempool_cache *cache;
	struct rte_mbuf *m;
	unsigned int lc;
	rte_iova_t iova;
	size_t contig;

	/* len - 1 < max_seg (<= UINT16_MAX): 1 <= len <= max_seg */
	if (unlikely(!__atomic_load_n(&extmem_eal_up, __ATOMIC_ACQUIRE) ||
			s == NULL || len - 1 >= s->max_seg || off >= s->len ||
			len > s->len - off))
		return slice_alloc_any(s, off, len);
	iova = slicer_iova(s, off, &contig);
	lc = rte_lcore_id();
	if (unlikely(len > contig || lc >= RTE_MAX_LCORE))
		return slice_alloc_any(s, off, len);
	/* rte_mempool_default_cache(), lc known to be an EAL lcore */
	cache = &s->mp->local_cache[lc];
	if (unlikely(s->mp->cache_size == 0 || cache->len == 0))
		return slice_alloc_any(s, off, len);
	m = cache->objs[cache->len - 1];
	if (unlikely(__atomic_load_n(&mbuf_slice(m)->state,
			__ATOMIC_ACQUIRE) != SLICE_FREE))
		return slice_alloc_any(s, off, len);
	__atomic_store_n(&mbuf_slice(m)->state, SLICE_BUSY, __ATOMIC_RELAXED);
	cache->len--;
	slice_single(s, m, off, len, iova);
	slicer_count_lc(s, lc, 1);
	return m;
#else
	return slice_alloc_any(slicer, off, len);
#endif
}

#define SLICE_BULK_CHUNK 32u

/*
 * Up to k (<= SLICE_BULK_CHUNK) single-segment slices in one pass over
 * mbufs taken from the pool in bulk: each range checked, its IOVA found,
 * its mbuf claimed and filled in turn. Stops at the first range that is
 * bad or needs a chain (the mbufs left go back untouched). Returns how
 * many were made; *nobufs set when it stopped for want of an mbuf
 * (rte_errno ENOBUFS).
 */
static unsigned int
slice_bulk_chunk(struct rte_extmem_slicer *s, struct rte_mbuf **m,
	const size_t *off, const size_t *len, unsigned int k, bool *nobufs)
{
	unsigned int i, lc;
	rte_iova_t iova;
	size_t contig;

	if (unlikely(rte_mempool_get_bulk(s->mp, (void **)m, k) != 0)) {
		/* not k left: as many as there are, one by one */
		for (i = 0; i < k; i++) {
			m[i] = slice_alloc_any(s, off[i], len[i]);
			if (m[i] == NULL)
				break;
		}
		*nobufs = i < k;
		return i;
	}
	lc = rte_lcore_id();
	for (i = 0; i < k; i++) {
		/* len - 1 < max_seg (<= UINT16_MAX): 1 <= len <= max_seg */
		if (unlikely(len[i] - 1 >= s->max_seg || off[i] >= s->len ||
				len[i] > s->len - off[i]))
			break;
		iova = slicer_iova(s, off[i], &contig);
		if (unlikely(len[i] > contig))
			break;
		if (unlikely(!slice_claim(m[i]))) {
			m[i] = slice_head_busy(s, m[i]);
			if (unlikely(m[i] == NULL)) {
				*nobufs = true;
				i++;	/* the drawn ones after i go back */
				break;
			}
		}
		slice_single(s, m[i], off[i], len[i], iova);
	}
	if (i < k)
		rte_mempool_put_bulk(s->mp, (void **)(m + i), k - i);
	if (*nobufs) {
		i--;
		slicer_count_lc(s, lc, i);
		slice_no_buffers(s);
		return i;
	}
	slicer_count_lc(s, lc, i);
	return i;
}

unsigned int
rte_extmem_slice_alloc_bulk(struct rte_extmem_slicer *slicer, const size_t *off,
	const size_t *len, struct rte_mbuf **mbufs, unsigned int n)
{
	struct rte_extmem_slicer *s = slicer;
	unsigned int k, made, done = 0;
	bool nobufs = false;

	if (!EXTMEM_EAL_READY())
		return 0;
	if (unlikely(s == NULL || off == NULL || len == NULL ||
			mbufs == NULL)) {
		EXTMEM_FAIL(EINVAL, "NULL slicer or array");
		return 0;
	}
	while (done < n) {
		k = RTE_MIN(n - done, SLICE_BULK_CHUNK);
		made = slice_bulk_chunk(s, mbufs + done, off + done,
			len + done, k, &nobufs);
		done += made;
		if (unlikely(nobufs))
			return done;
		if (unlikely(made < k)) {
			/* a chain, or bad arguments: the single path says */
			mbufs[done] = slice_alloc_any(s, off[done], len[done]);
			if (mbufs[done] == NULL)
				return done;
			done++;
		}
	}
	return done;
}

struct rte_mbuf *
rte_extmem_slice_alloc_hdr(struct rte_extmem_slicer *slicer,
	struct rte_mempool *hdr_pool, const void *hdr, uint16_t hdr_len,
	size_t off, size_t len)
{
	struct rte_mbuf *h, *payload;
	char *p;

	if (!EXTMEM_EAL_READY())
		return NULL;
	if (slicer == NULL || hdr_pool == NULL) {
		EXTMEM_FAIL(EINVAL, "NULL %s", slicer == NULL ? "slicer" :
			"header pool");
		return NULL;
	}
	h = rte_pktmbuf_alloc(hdr_pool);
	if (h == NULL) {
		EXTMEM_LOG(DEBUG, "slicer %s: no header mbuf in %s",
			slicer->name, hdr_pool->name);
		rte_errno = ENOBUFS;
		return NULL;
	}
	if (rte_pktmbuf_tailroom(h) < hdr_len) {
		EXTMEM_FAIL(EINVAL, "slicer %s: a %u-byte header does not fit "
			"in an mbuf of pool %s", slicer->name, hdr_len,
			hdr_pool->name);
		rte_pktmbuf_free(h);
		return NULL;
	}
	p = rte_pktmbuf_append(h, hdr_len);
	if (hdr != NULL && hdr_len > 0)
		memcpy(p, hdr, hdr_len);
	payload = rte_extmem_slice_alloc(slicer, off, len);
	if (payload == NULL) {
		int err = rte_errno;

		rte_pktmbuf_free(h);
		rte_errno = err;
		return NULL;
	}
	/* a slice has at most RTE_EXTMEM_SLICE_MAX_SEGS: this cannot overflow */
	rte_pktmbuf_chain(h, payload);
	return h;
}

int
extmem_slicer_walk(extmem_slicer_walk_t fn, void *arg)
{
	struct extmem_slicer_view v;
	const struct rte_extmem_slicer *s;
	int ret = 0;

	/* the library's own callbacks (telemetry): they only query */
	extmem_query_begin();
	TAILQ_FOREACH(s, &slicer_list, next) {
		v.name = s->name;
		v.slicer = s;
		v.region = s->region->name;
		v.mp = s->mp;
		v.free_cb = (uintptr_t)s->free_cb;
		ret = fn(&v, arg);
		if (ret != 0)
			break;
	}
	extmem_query_end();
	return ret;
}
