/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * MR table of an mrnic device: sorted global array, per-queue caches,
 * registration on miss from EAL's memseg lists (public memseg API only), dma_map/dma_unmap and
 * EAL memory events. See mrnic_mr.h for the concurrency rules.
 *
 * The global array is EAL memory, shared by every process of the
 * application; it is allocated and freed with no lock held and outside
 * any reader section (memory event callbacks, which run with EAL's hotplug
 * lock held, take these locks and wait for readers).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include <rte_extmem_devmap_driver.h>

#include "mrnic.h"
#include "mrnic_mr.h"

#define MRNIC_MR_CAP0 16

int
mrnic_mr_table_init(struct mrnic_mr_table *tbl, const char *name,
	enum mrnic_mr_mode mode, struct mrnic_port *owner)
{
	memset(tbl, 0, sizeof(*tbl));
	rte_rwlock_init(&tbl->lock);
	tbl->mode = mode;
	tbl->next_key = 1;
	tbl->owner = owner;
	snprintf(tbl->name, sizeof(tbl->name), "%s", name);
	tbl->mrs = rte_malloc("mrnic_mr", MRNIC_MR_CAP0 * sizeof(*tbl->mrs),
		0);
	if (tbl->mrs == NULL) {
		rte_errno = ENOMEM;
		return -1;
	}
	tbl->cap = MRNIC_MR_CAP0;
	return 0;
}

void
mrnic_mr_table_fini(struct mrnic_mr_table *tbl)
{
	struct mrnic_xacct *xacct;
	struct mrnic_mr *mrs;

	rte_rwlock_write_lock(&tbl->lock);
	xacct = tbl->xacct;
	tbl->xacct = NULL;
	tbl->n_xacct = 0;
	tbl->cap_xacct = 0;
	mrs = tbl->mrs;
	tbl->mrs = NULL;
	tbl->n = 0;
	tbl->n_dead = 0;
	tbl->cap = 0;
	rte_rwlock_write_unlock(&tbl->lock);
	free(xacct);
	rte_free(mrs);
}

/* Double the entry array (none of the driver's locks held). */
static int
tbl_grow(struct mrnic_mr_table *tbl)
{
	struct mrnic_mr *a, *old = NULL;
	uint32_t cap;

	rte_rwlock_read_lock(&tbl->lock);
	cap = tbl->cap;
	rte_rwlock_read_unlock(&tbl->lock);
	if (cap == 0 || cap > UINT32_MAX / 2)
		return -1;	/* finished, or absurdly large */
	a = rte_malloc("mrnic_mr", 2 * (size_t)cap * sizeof(*a), 0);
	if (a == NULL) {
		MRNIC_LOG(ERR, "%s: no memory for %u MR entries", tbl->name,
			2 * cap);
		rte_errno = ENOMEM;
		return -1;
	}
	rte_rwlock_write_lock(&tbl->lock);
	if (tbl->cap == cap) {
		memcpy(a, tbl->mrs, tbl->n * sizeof(*a));
		old = tbl->mrs;
		tbl->mrs = a;
		tbl->cap = 2 * cap;
		tbl->overflow = 0;
		a = NULL;
	}
	__atomic_store_n(&tbl->grow, 0, __ATOMIC_RELAXED);
	rte_rwlock_write_unlock(&tbl->lock);
	/* readers read the array under the lock only */
	rte_free(a);
	rte_free(old);
	return 0;
}

void
mrnic_mr_table_grow(struct mrnic_mr_table *tbl)
{
	tbl_grow(tbl);
}

/* Index of the entry holding va, or -1; *pos receives the insert position
 * (first entry with start > va).
 */
static int
tbl_search(const struct mrnic_mr_table *tbl, uintptr_t va, uint32_t *pos)
{
	uint32_t lo = 0, hi = tbl->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (tbl->mrs[mid].start <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos != NULL)
		*pos = lo;
	if (lo > 0 && va < tbl->mrs[lo - 1].end)
		return (int)(lo - 1);
	return -1;
}

/* First entry that can overlap a range starting at start. */
static uint32_t
tbl_first_from(const struct mrnic_mr_table *tbl, uintptr_t start)
{
	uint32_t pos;
	int i = tbl_search(tbl, start, &pos);

	return i >= 0 ? (uint32_t)i : pos;
}

static int
tbl_insert(struct mrnic_mr_table *tbl, struct mrnic_mr *m)
{
	uint32_t pos;

	if (tbl->n == tbl->cap) {
		/* grown outside the lock (tbl_grow) */
		rte_errno = ENOSPC;
		return -1;
	}
	tbl_search(tbl, m->start, &pos);
	memmove(&tbl->mrs[pos + 1], &tbl->mrs[pos],
		(tbl->n - pos) * sizeof(*m));
	m->key = tbl->next_key++;
	if (tbl->next_key == 0)
		tbl->next_key = 1;
	tbl->mrs[pos] = *m;
	__atomic_store_n(&tbl->n, tbl->n + 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * An unmapped entry stays in place with flags 0 ("dead": no lookup
 * matches it, and it overlaps no live entry) until the table is compacted:
 * when dead entries are half of it, or before anything is inserted (so a
 * new entry never overlaps a dead one). Removing the entries of many runs
 * in a row, as destroying a region with scattered IOVAs does, is then
 * linear in the table's size rather than quadratic (a memmove each).
 */
static void
tbl_compact(struct mrnic_mr_table *tbl)
{
	uint32_t i, j = 0;

	if (tbl->n_dead == 0)
		return;
	for (i = 0; i < tbl->n; i++)
		if (tbl->mrs[i].flags != 0)
			tbl->mrs[j++] = tbl->mrs[i];
	__atomic_store_n(&tbl->n_dead, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&tbl->n, j, __ATOMIC_RELEASE);
}

static void
tbl_kill(struct mrnic_mr_table *tbl, uint32_t i)
{
	tbl->mrs[i].flags = 0;
	__atomic_store_n(&tbl->n_dead, tbl->n_dead + 1, __ATOMIC_RELEASE);
	if (tbl->n_dead > tbl->n / 2)
		tbl_compact(tbl);
}

static void
tbl_remove(struct mrnic_mr_table *tbl, uint32_t i)
{
	memmove(&tbl->mrs[i], &tbl->mrs[i + 1],
		(tbl->n - i - 1) * sizeof(tbl->mrs[0]));
	__atomic_store_n(&tbl->n, tbl->n - 1, __ATOMIC_RELEASE);
}

/* Remove entries with any of @flags overlapping [start, end); count. */
static unsigned int
tbl_remove_overlap(struct mrnic_mr_table *tbl, uintptr_t start,
	uintptr_t end, uint32_t flags)
{
	unsigned int removed = 0;
	uint32_t i = tbl_first_from(tbl, start);

	while (i < tbl->n && tbl->mrs[i].start < end) {
		const struct mrnic_mr *m = &tbl->mrs[i];

		if (m->end > start && (m->flags & flags)) {
			tbl_remove(tbl, i);
			removed++;
		} else {
			i++;
		}
	}
	return removed;
}

/* ---- set of librte_extmem regions wholly mapped (extmem mode) ---- */

static uint32_t
xset_hash(uintptr_t r)
{
	return (uint32_t)(((uint64_t)r * 0x9e3779b97f4a7c15ULL) >> 40) &
		(MRNIC_XSET_SIZE - 1);
}

/* Lock-free read side: the slot of the region starting at r that holds
 * va, or NULL.
 */
static const struct mrnic_xreg *
xset_find(const struct mrnic_mr_table *tbl, uintptr_t r, uintptr_t va)
{
	uint32_t h = xset_hash(r), i;

	for (i = 0; i < MRNIC_XSET_SIZE; i++) {
		const struct mrnic_xreg *x =
			&tbl->xset[(h + i) & (MRNIC_XSET_SIZE - 1)];
		uintptr_t v = __atomic_load_n(&x->region, __ATOMIC_ACQUIRE);

		if (v == MRNIC_XREG_FREE)
			return NULL;
		if (v == r && va - x->start < x->end - x->start)
			return x;
	}
	return NULL;
}

/* Writer: add the region starting at r. A deleted slot is reused only once every reader
 * that could have matched it has left its burst, so a reader always sees
 * the bounds a slot was published with.
 */
static void
xset_add(struct mrnic_mr_table *tbl, uintptr_t r, uintptr_t start,
	uintptr_t end, uint64_t page_sz, uint32_t key)
{
	uint32_t h = xset_hash(r), i;
	uint32_t qgen = __atomic_load_n(&tbl->quiesced_gen, __ATOMIC_ACQUIRE);

	if (xset_find(tbl, r, start) != NULL)
		return;
	for (i = 0; i < MRNIC_XSET_SIZE; i++) {
		struct mrnic_xreg *x = &tbl->xset[(h + i) & (MRNIC_XSET_SIZE - 1)];

		if (x->region == MRNIC_XREG_FREE) {
			if (tbl->xset_used >= MRNIC_XSET_SIZE * 3 / 4)
				break;
			tbl->xset_used++;
		} else if (x->region != MRNIC_XREG_DELETED ||
				(int32_t)(x->del_gen - qgen) > 0) {
			continue;
		}
		x->start = start;
		x->end = end;
		x->pgmask = page_sz - 1;
		x->key = key;
		__atomic_store_n(&x->region, r, __ATOMIC_RELEASE);
		return;
	}
	/* full: the region stays reachable through the global table */
	MRNIC_LOG(INFO, "%s: extmem region set full", tbl->name);
}

/* Writer: forget regions overlapping [start, end); count. */
static unsigned int
xset_remove_overlap(struct mrnic_mr_table *tbl, uintptr_t start,
	uintptr_t end)
{
	unsigned int i, n = 0;

	for (i = 0; i < MRNIC_XSET_SIZE; i++) {
		struct mrnic_xreg *x = &tbl->xset[i];

		if (x->region <= MRNIC_XREG_DELETED)
			continue;
		if (x->start < end && x->end > start) {
			/* the caller bumps the generation next */
			x->del_gen = __atomic_load_n(&tbl->gen,
				__ATOMIC_RELAXED) + 1;
			__atomic_store_n(&x->region, MRNIC_XREG_DELETED,
				__ATOMIC_RELEASE);
			n++;
		}
	}
	return n;
}

/* Account [va, va + len) mapped inside region r; true once it is whole. */
static bool
xacct_add(struct mrnic_mr_table *tbl, uintptr_t r, uintptr_t rs, size_t rlen,
	uintptr_t va, size_t len)
{
	struct mrnic_xacct *a = NULL;
	uintptr_t lo = RTE_MAX(va, rs), hi = RTE_MIN(va + len, rs + rlen);
	uint32_t i;

	if (lo >= hi)
		return false;
	for (i = 0; i < tbl->n_xacct; i++) {
		if (tbl->xacct[i].start == rs) {
			a = &tbl->xacct[i];
			break;
		}
	}
	if (a != NULL && (a->region != r || a->end != rs + rlen)) {
		/* a region gone without its unmaps: start over */
		a->mapped = 0;
	} else if (a == NULL) {
		if (tbl->n_xacct == tbl->cap_xacct) {
			uint32_t cap = tbl->cap_xacct == 0 ? 8 :
				2 * tbl->cap_xacct;
			struct mrnic_xacct *x;

			x = realloc(tbl->xacct, cap * sizeof(*x));
			if (x == NULL)
				return false;
			tbl->xacct = x;
			tbl->cap_xacct = cap;
		}
		a = &tbl->xacct[tbl->n_xacct++];
		a->mapped = 0;
	}
	a->region = r;
	a->start = rs;
	a->end = rs + rlen;
	a->mapped += hi - lo;
	return a->mapped >= rlen;
}

static void
xacct_sub(struct mrnic_mr_table *tbl, uintptr_t va, size_t len)
{
	uint32_t i = 0;

	while (i < tbl->n_xacct) {
		struct mrnic_xacct *a = &tbl->xacct[i];
		uintptr_t lo = RTE_MAX(va, a->start);
		uintptr_t hi = RTE_MIN(va + len, a->end);

		if (lo < hi)
			a->mapped -= RTE_MIN(a->mapped, hi - lo);
		if (a->mapped == 0) {
			*a = tbl->xacct[--tbl->n_xacct];
			continue;
		}
		i++;
	}
}

/* Do F_MAP entries cover [start, end) without a gap? */
static bool
tbl_mapped_cover(const struct mrnic_mr_table *tbl, uintptr_t start,
	uintptr_t end)
{
	int i = tbl_search(tbl, start, NULL);

	while (i >= 0 && (uint32_t)i < tbl->n) {
		const struct mrnic_mr *m = &tbl->mrs[i];

		if (m->start > start || !(m->flags & MRNIC_MR_F_MAP))
			return false;
		if (m->end >= end)
			return true;
		start = m->end;
		i++;
	}
	return false;
}

static void
tbl_changed(struct mrnic_mr_table *tbl)
{
	__atomic_add_fetch(&tbl->gen, 1, __ATOMIC_SEQ_CST);
}

static void
tbl_quiesce(struct mrnic_mr_table *tbl)
{
	uint32_t g = __atomic_load_n(&tbl->gen, __ATOMIC_SEQ_CST);
	uint32_t q = __atomic_load_n(&tbl->quiesced_gen, __ATOMIC_ACQUIRE);

#ifndef MRNIC_TEST_SKIP_QUIESCE
	/* removals happen in the primary only (dma_unmap, memory events);
	 * the Tx queues waited for run in any process (shared counters)
	 */
	if (tbl->owner != NULL)
		mrnic_quiesce(tbl->owner);
	else
		mrnic_quiesce_all();
#else
	/* only in the test canary (test/meson.build): proves that the
	 * unmap-in-flight test catches a removal that does not wait
	 */
	RTE_SET_USED(tbl->owner);
#endif
	/* readers of every generation before g have left their bursts */
	while ((int32_t)(g - q) > 0 &&
			!__atomic_compare_exchange_n(&tbl->quiesced_gen, &q, g,
				false, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
		;
}

/* One attempt of mrnic_mr_dma_map(): 1 if the entry array is full (grow
 * it and try again).
 */
static int
mr_dma_map_once(struct mrnic_mr_table *tbl, uintptr_t va, rte_iova_t iova,
	size_t len, const struct rte_extmem_devmap_driver_region *region)
{
	const struct rte_extmem_devmap_driver_region info =
		region != NULL ? *region :
		(struct rte_extmem_devmap_driver_region){ 0 };
	struct mrnic_mr m;
	unsigned int removed = 0;
	uint32_t i;
	bool have_region = region != NULL;
	int ret = 0;

	rte_rwlock_write_lock(&tbl->lock);
	tbl_compact(tbl);
	for (i = tbl_first_from(tbl, va);
			i < tbl->n && tbl->mrs[i].start < va + len; i++) {
		const struct mrnic_mr *e = &tbl->mrs[i];

		if (e->end > va && (e->flags & MRNIC_MR_F_MAP) &&
				tbl->shared) {
			/* VFIO: kernel EEXIST, EAL logs, succeeds */
			tbl->dup_maps++;
			MRNIC_LOG(INFO, "%s: dma_map %#" PRIxPTR " len %zu "
				"overlaps mapped %#" PRIxPTR "-%#" PRIxPTR
				": accepted without effect", tbl->name, va, len,
				e->start, e->end);
			goto out;
		}
		if (e->end > va && (e->flags & MRNIC_MR_F_MAP)) {
			MRNIC_LOG(ERR, "%s: dma_map %#" PRIxPTR " len %zu "
				"overlaps mapped %#" PRIxPTR "-%#" PRIxPTR,
				tbl->name, va, len, e->start, e->end);
			rte_errno = EEXIST;
			ret = -1;
			goto out;
		}
	}
	if (tbl->max_map != 0 && tbl->n_map >= tbl->max_map) {
		MRNIC_LOG(ERR, "%s: dma_map %#" PRIxPTR " len %zu: all %u "
			"mapping entries in use", tbl->name, va, len,
			tbl->max_map);
		rte_errno = ENOSPC;
		ret = -1;
		goto out;
	}
	/* ranges registered on miss are superseded by the mapping */
	removed = tbl_remove_overlap(tbl, va, va + len, MRNIC_MR_F_MISS);
	memset(&m, 0, sizeof(m));
	m.start = va;
	m.end = va + len;
	m.iova = iova;
	m.flags = MRNIC_MR_F_MAP;
	if (tbl_insert(tbl, &m) < 0) {
		ret = 1;
		goto out;
	}
	tbl->n_map++;
	if (have_region && xacct_add(tbl, (uintptr_t)info.handle,
			(uintptr_t)info.addr, info.len, va, len))
		xset_add(tbl, (uintptr_t)info.addr, (uintptr_t)info.addr,
			(uintptr_t)info.addr + info.len, info.page_sz, info.id);
	MRNIC_LOG(DEBUG, "%s: dma_map %#" PRIxPTR " iova %#" PRIx64
		" len %zu%s", tbl->name, va, iova, len,
		have_region ? " (extmem region)" : "");
out:
	if (removed > 0)
		tbl_changed(tbl);
	rte_rwlock_write_unlock(&tbl->lock);
	if (removed > 0)
		tbl_quiesce(tbl);
	return ret;
}

int
mrnic_mr_dma_map(struct mrnic_mr_table *tbl, uintptr_t va, rte_iova_t iova,
	size_t len)
{
	struct rte_extmem_devmap_driver_region info;
	bool have_region = false;
	unsigned int attempt;
	int ret;

	if (len == 0 || va + len < va) {
		MRNIC_LOG(ERR, "%s: dma_map of bad range %#" PRIxPTR
			" len %zu", tbl->name, va, len);
		rte_errno = EINVAL;
		return -1;
	}
	/* lock-free: the dispatcher calling us may hold the library's lock,
	 * so nothing here may call the library's locking API
	 */
	if (rte_extmem_devmap_driver_region_get((const void *)va, &info) == 0)
		have_region = true;
	/* the datapath may take the room a grow made: a few times at most */
	for (attempt = 0; attempt < 8; attempt++) {
		ret = mr_dma_map_once(tbl, va, iova, len,
			have_region ? &info : NULL);
		if (ret <= 0)
			return ret;
		if (tbl_grow(tbl) < 0)
			break;
	}
	MRNIC_LOG(ERR, "%s: no memory for an MR entry", tbl->name);
	rte_errno = ENOMEM;
	return -1;
}

int
mrnic_mr_dma_unmap(struct mrnic_mr_table *tbl, uintptr_t va,
	rte_iova_t iova, size_t len)
{
	const struct mrnic_mr *e;
	int found;

	rte_rwlock_write_lock(&tbl->lock);
	found = tbl_search(tbl, va, NULL);
	e = found >= 0 ? &tbl->mrs[found] : NULL;
	if (e == NULL || e->start != va || e->end - e->start != len ||
			!(e->flags & MRNIC_MR_F_MAP)) {
		rte_rwlock_write_unlock(&tbl->lock);
		MRNIC_LOG(ERR, "%s: dma_unmap %#" PRIxPTR " iova %#" PRIx64
			" len %zu: no such mapping", tbl->name, va, iova, len);
		rte_errno = ENOENT;
		return -1;
	}
	tbl_kill(tbl, (uint32_t)found);
	tbl->n_map--;
	xset_remove_overlap(tbl, va, va + len);
	xacct_sub(tbl, va, len);
	tbl_changed(tbl);
	rte_rwlock_write_unlock(&tbl->lock);
	/* no queue may still be copying from or to the range */
	tbl_quiesce(tbl);
	MRNIC_LOG(DEBUG, "%s: dma_unmap %#" PRIxPTR " len %zu", tbl->name,
		va, len);
	return 0;
}

void
mrnic_mr_mem_event(struct mrnic_mr_table *tbl, bool alloc, uintptr_t va,
	size_t len)
{
	unsigned int removed;
	bool overflow;

	rte_rwlock_write_lock(&tbl->lock);
	__atomic_add_fetch(&tbl->mem_seq, 1, __ATOMIC_SEQ_CST);
	/* FREE: the chunk goes away; ALLOC: a range registered from stale
	 * memseg state (pages being freed) must not outlive the new pages
	 */
	removed = tbl_remove_overlap(tbl, va, va + len, MRNIC_MR_F_MISS);
	if (removed > 0)
		tbl_changed(tbl);
	/* a registration not entered (full array) may be in use */
	overflow = tbl->overflow != 0;
	rte_rwlock_write_unlock(&tbl->lock);
	if (removed > 0 || overflow) {
		MRNIC_LOG(DEBUG, "%s: %s event %#" PRIxPTR " len %zu dropped "
			"%u MR(s)", tbl->name, alloc ? "alloc" : "free", va,
			len, removed);
		tbl_quiesce(tbl);
	}
}

bool
mrnic_mr_dma_mapped(struct mrnic_mr_table *tbl, uintptr_t va, size_t len)
{
	bool ret;

	if (len == 0 || va + len < va)
		return false;
	rte_rwlock_read_lock(&tbl->lock);
	ret = tbl_mapped_cover(tbl, va, va + len);
	rte_rwlock_read_unlock(&tbl->lock);
	return ret;
}

uint32_t
mrnic_mr_entries(struct mrnic_mr_table *tbl)
{
	return __atomic_load_n(&tbl->n, __ATOMIC_ACQUIRE) -
		__atomic_load_n(&tbl->n_dead, __ATOMIC_ACQUIRE);
}

void
mrnic_mr_ctrl_init(struct mrnic_mr_ctrl *c, struct mrnic_mr_table *tbl)
{
	memset(c, 0, sizeof(*c));
	mrnic_mr_ctrl_flush(c, tbl);
}

void
mrnic_mr_ctrl_flush(struct mrnic_mr_ctrl *c, struct mrnic_mr_table *tbl)
{
	memset(c->cache, 0, sizeof(c->cache));
	c->mru = 0;
	c->head = 0;
	c->x_start = 0;
	c->x_end = 0;
	c->x_pgmask = 0;
	c->x_key = 0;
	c->tbl = tbl;
	c->gen = tbl == NULL ? 0 :
		__atomic_load_n(&tbl->gen, __ATOMIC_ACQUIRE);
}

/* The run of used memsegs of msl holding va (rte_memseg_contig_walk). */
struct mr_miss_run {
	const struct rte_memseg_list *msl;
	uintptr_t va;
	uintptr_t start;
	uintptr_t end;
};

static int
mr_miss_run_cb(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
	size_t len, void *arg)
{
	struct mr_miss_run *run = arg;

	if (msl != run->msl || run->va < ms->addr_64 ||
			run->va - ms->addr_64 >= len)
		return 0;
	run->start = ms->addr_64;
	run->end = ms->addr_64 + len;
	return 1;
}

/* IOVA of the page at va of msl, RTE_BAD_IOVA if unknown. */
static rte_iova_t
mr_page_iova(const struct rte_memseg_list *msl, uintptr_t va)
{
	const struct rte_memseg *ms = rte_mem_virt2memseg((const void *)va, msl);

	return ms == NULL ? RTE_BAD_IOVA : ms->iova;
}

/*
 * Registration on miss: the run of allocated memsegs (VA-contiguous, with
 * known IOVAs) around va, if va belongs to an EAL malloc heap; external
 * memory not in a heap (rte_extmem_register) must come through dma_map.
 * An IOVA-contiguous run is one linear entry; otherwise the entry reads
 * the IOVA of each page from the memsegs: EAL's own lists are never freed,
 * and an external heap's list is destroyed only after the FREE event that
 * drops the entry. Without memory events (legacy memory) external heap
 * memory is registered by IOVA-contiguous run only.
 *
 * Only EAL's public memseg API is used: rte_memseg_contig_walk for the
 * run, rte_mem_virt2memseg for a page's IOVA. The walk is the thread-unsafe
 * one: this runs on a datapath lcore that a memory event callback (EAL's
 * hotplug lock held for writing) may be waiting for, and the
 * memory-event sequence number makes the result retry if memory changed
 * meanwhile.
 *
 * A full array is not grown here (inside a reader section): the entry is
 * returned with *transient set, for the caller to use in this section
 * only, and the table overflows until it grows (see mrnic_mr.h).
 */
static int
mr_register_on_miss(struct mrnic_mr_table *tbl, uintptr_t va,
	struct mrnic_mr *out, bool *transient)
{
	const struct rte_memseg_list *msl;
	unsigned int attempt;

	msl = rte_mem_virt2memseg_list((const void *)va);
	if (msl == NULL || (msl->external && !msl->heap) || msl->page_sz == 0 ||
			!rte_is_power_of_2(msl->page_sz))
		return -1;
	for (attempt = 0; attempt < 4; attempt++) {
		uint64_t seq = __atomic_load_n(&tbl->mem_seq, __ATOMIC_ACQUIRE);
		const uint64_t pg = msl->page_sz;
		struct mr_miss_run run = { .msl = msl, .va = va };
		uintptr_t page = RTE_ALIGN_FLOOR(va, pg), lo, hi, p;
		rte_iova_t iova, lo_iova;
		struct mrnic_mr m;
		bool linear = true;
		uint32_t pos;
		int i;

		if (rte_memseg_contig_walk_thread_unsafe(mr_miss_run_cb,
				&run) != 1)
			return -1;
		iova = mr_page_iova(msl, page);
		if (iova == RTE_BAD_IOVA)
			return -1;
		/* [lo, hi): pages around va with known IOVAs; IOVA-contiguous
		 * only if the list may vanish without a FREE event
		 */
		for (lo = page; lo > run.start; lo -= pg) {
			rte_iova_t pi = mr_page_iova(msl, lo - pg);

			if (pi == RTE_BAD_IOVA || (msl->external &&
					!tbl->events && pi + (page - lo + pg) !=
						iova))
				break;
		}
		for (hi = page + pg; hi < run.end; hi += pg) {
			rte_iova_t pi = mr_page_iova(msl, hi);

			if (pi == RTE_BAD_IOVA || (msl->external &&
					!tbl->events && pi != iova + (hi - page)))
				break;
		}
		lo_iova = mr_page_iova(msl, lo);
		for (p = lo + pg; p < hi && linear; p += pg)
			linear = mr_page_iova(msl, p) == lo_iova + (p - lo);
		memset(&m, 0, sizeof(m));
		m.start = lo;
		m.end = hi;
		m.iova = lo_iova;
		m.msl = linear ? NULL : msl;
		m.pgmask = pg - 1;
		m.flags = MRNIC_MR_F_MISS;

		rte_rwlock_write_lock(&tbl->lock);
		if (__atomic_load_n(&tbl->mem_seq, __ATOMIC_ACQUIRE) != seq) {
			/* memory changed while we read it: read again */
			rte_rwlock_write_unlock(&tbl->lock);
			continue;
		}
		tbl_compact(tbl);
		i = tbl_search(tbl, va, &pos);
		if (i >= 0) {
			/* another queue registered it meanwhile */
			*out = tbl->mrs[i];
			rte_rwlock_write_unlock(&tbl->lock);
			return 0;
		}
		/* never overlap a neighbour (e.g. a dma_map inside a heap) */
		if (pos > 0 && tbl->mrs[pos - 1].end > m.start) {
			if (m.msl == NULL)
				m.iova += tbl->mrs[pos - 1].end - m.start;
			m.start = tbl->mrs[pos - 1].end;
		}
		if (pos < tbl->n && tbl->mrs[pos].start < m.end)
			m.end = tbl->mrs[pos].start;
		if (tbl_insert(tbl, &m) < 0) {
			tbl->overflow = 1;
			__atomic_store_n(&tbl->grow, 1, __ATOMIC_RELAXED);
			rte_rwlock_write_unlock(&tbl->lock);
			/* not counted: it is registered again once entered */
			*out = m;
			*transient = true;
			return 0;
		}
		rte_rwlock_write_unlock(&tbl->lock);
		__atomic_add_fetch(&tbl->reg_on_miss, 1, __ATOMIC_RELAXED);
		MRNIC_LOG(DEBUG, "%s: registered on miss %#" PRIxPTR "-%#"
			PRIxPTR " iova %#" PRIx64 "%s key %u", tbl->name,
			m.start, m.end, m.iova, m.msl != NULL ?
			" (per page)" : "", m.key);
		*out = m;
		return 0;
	}
	return -1;
}

/* Global table lookup of an entry with any of @flags; may register. */
static int
mr_global_lookup(struct mrnic_mr_table *tbl, uintptr_t va, uint32_t flags,
	bool reg, struct mrnic_mr *out, bool *transient)
{
	int i;

	rte_rwlock_read_lock(&tbl->lock);
	i = tbl_search(tbl, va, NULL);
	if (i >= 0 && tbl->mrs[i].flags == 0)
		i = -1;	/* unmapped, not yet dropped */
	if (i >= 0 && (tbl->mrs[i].flags & flags)) {
		*out = tbl->mrs[i];
		rte_rwlock_read_unlock(&tbl->lock);
		return 0;
	}
	rte_rwlock_read_unlock(&tbl->lock);
	if (i >= 0 || !reg)
		return -1;
	return mr_register_on_miss(tbl, va, out, transient);
}

int
mrnic_mr_xlate_slow(struct mrnic_mr_ctrl *c, uintptr_t va, uintptr_t *end,
	rte_iova_t *iova, uint32_t *key)
{
	struct mrnic_mr_table *tbl = c->tbl;
	struct mrnic_mr m;
	unsigned int i;
	bool reg = true, transient = false;

	/* extmem: librte_extmem's regions first, the O(1) way (this
	 * process's translation table: a secondary's has the primary's IOVAs)
	 */
	if (tbl->mode == MRNIC_MR_EXTMEM) {
		struct rte_extmem_devmap_driver_region r;
		const struct mrnic_xreg *x;

		if (rte_extmem_devmap_driver_region_get((const void *)va,
				&r) == 0) {
			rte_iova_t pi = rte_extmem_virt2iova((const void *)va);

			/* a page of unknown IOVA: only the IOVA the device was
			 * given through dma_map can do
			 */
			x = pi == RTE_BAD_IOVA ? NULL :
				xset_find(tbl, (uintptr_t)r.addr, va);
			if (x != NULL) {
				c->x_start = x->start;
				c->x_end = x->end;
				c->x_pgmask = x->pgmask;
				c->x_key = x->key;
				c->hit++;
				*end = RTE_MIN((va | x->pgmask) + 1, x->end);
				*iova = pi;
				*key = x->key;
				return 0;
			}
			/* a region not wholly mapped: only what dma_map gave
			 * counts, never the region's memseg list, unless heap
			 * memory is DMA-able here without it (EAL maps heap
			 * memory into a VFIO container itself)
			 */
			reg = tbl->eal_heap;
		}
	}
	/* memory outside regions, or a region mapped only in parts */
	for (i = 0; i < MRNIC_CACHE_N; i++) {
		const struct mrnic_mr *e = &c->cache[i];

		if (va - e->start < e->end - e->start) {
			c->mru = i;
			c->hit++;
			*iova = mrnic_mr_iova(e, va, end);
			*key = e->key;
			return 0;
		}
	}
	c->miss++;
	if (mr_global_lookup(tbl, va, reg ? MRNIC_MR_F_MAP | MRNIC_MR_F_MISS :
			MRNIC_MR_F_MAP, reg, &m, &transient) < 0) {
		MRNIC_LOG(DEBUG, "%s: DMA fault at %#" PRIxPTR "%s", tbl->name,
			va, reg ? "" : " (extmem region not mapped)");
		return -1;
	}
	if (unlikely(transient)) {
		/* not in the table: good for this section only, not cached */
		*iova = mrnic_mr_iova(&m, va, end);
		*key = m.key;
		return 0;
	}
	c->cache[c->head] = m;
	c->mru = c->head;
	c->head = (c->head + 1) % MRNIC_CACHE_N;
	*iova = mrnic_mr_iova(&c->cache[c->mru], va, end);
	*key = m.key;
	return 0;
}
