/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The translation table: VA -> (IOVA, region) for every registered byte.
 *
 * Writers hold extmem_lock(); readers (rte_extmem_virt2iova() inline in
 * rte_extmem.h, rte_extmem_virt2region()) take no lock. Every store a
 * reader can observe is a release store of a complete value; a table is
 * fully initialised before the pointer to it is published, and no table
 * is ever freed, so a reader never follows a dangling pointer.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "extmem_private.h"

#define LEAF_SZ (1ULL << RTE_EXTMEM_XLATE_LEAF_SHIFT)
#define SUB_SZ (1ULL << RTE_EXTMEM_XLATE_SUB_SHIFT)
#define NENT RTE_EXTMEM_XLATE_ENTRIES

struct rte_extmem_xlate_table *rte_extmem_xlate_dir[RTE_EXTMEM_XLATE_DIR_ENTRIES];

static struct rte_extmem_xlate_table *
table_new(void)
{
	struct rte_extmem_xlate_table *t;

	/* 4K-aligned: a sub-table's address shares a word with entry flags */
	t = aligned_alloc(SUB_SZ, RTE_ALIGN_CEIL(sizeof(*t), SUB_SZ));
	if (t != NULL)
		memset(t, 0, sizeof(*t));
	return t;
}

static void
entry_set(struct rte_extmem_xlate_table *t, unsigned int i, uint64_t e,
	struct rte_extmem_region *r)
{
	/* region first: a reader that sees a valid entry sees its region */
	__atomic_store_n(&t->region[i], r, __ATOMIC_RELEASE);
	__atomic_store_n(&t->entry[i], e, __ATOMIC_RELEASE);
}

/* IOVA of the byte at offset off of region r, RTE_BAD_IOVA if unknown. */
static rte_iova_t
region_iova_at(const struct rte_extmem_region *r, size_t off)
{
	rte_iova_t io = r->iovas[off / r->page_sz];

	return io == RTE_BAD_IOVA ? io : io + off % r->page_sz;
}

static uint64_t
make_entry(const struct rte_extmem_region *r, size_t off)
{
	rte_iova_t io = region_iova_at(r, off);

	if (io == RTE_BAD_IOVA)
		return RTE_EXTMEM_XLATE_VALID | RTE_EXTMEM_XLATE_NOIOVA;
	return io | RTE_EXTMEM_XLATE_VALID;
}

/* Can one 2M entry describe the granule at offset off of r? */
static bool
granule_linear(const struct rte_extmem_region *r, size_t off)
{
	rte_iova_t first = region_iova_at(r, off);
	size_t o;

	if (off + LEAF_SZ > r->len)
		return false;
	/* the IOVA is stored with 12 flag bits below it */
	if (first != RTE_BAD_IOVA && (first & RTE_EXTMEM_XLATE_FLAGS) != 0)
		return false;
	for (o = RTE_MAX(r->page_sz, SUB_SZ); o < LEAF_SZ;
			o += RTE_MAX(r->page_sz, SUB_SZ)) {
		rte_iova_t io = region_iova_at(r, off + o);

		if (first == RTE_BAD_IOVA ? io != RTE_BAD_IOVA :
				io != first + o)
			return false;
	}
	return true;
}

static struct rte_extmem_xlate_table *
leaf_get(uintptr_t va)
{
	struct rte_extmem_xlate_table **slot;
	struct rte_extmem_xlate_table *t;

	slot = &rte_extmem_xlate_dir[va >> RTE_EXTMEM_XLATE_DIR_SHIFT];
	t = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (t != NULL)
		return t;
	t = table_new();
	if (t == NULL)
		return NULL;
	__atomic_store_n(slot, t, __ATOMIC_RELEASE);
	return t;
}

/* Fill [va, va + len) (inside one 2M granule) at 4K granularity. */
static int
fill_sub(struct rte_extmem_xlate_table *leaf, unsigned int li,
	struct rte_extmem_region *r, uintptr_t va, size_t len)
{
	uint64_t e = __atomic_load_n(&leaf->entry[li], __ATOMIC_ACQUIRE);
	struct rte_extmem_xlate_table *sub;
	uintptr_t a;

	if (e & RTE_EXTMEM_XLATE_SUB) {
		sub = (struct rte_extmem_xlate_table *)(uintptr_t)
			(e & ~RTE_EXTMEM_XLATE_FLAGS);
	} else {
		sub = table_new();
		if (sub == NULL)
			return -1;
	}
	for (a = va; a < va + len; a += SUB_SZ)
		entry_set(sub, (a >> RTE_EXTMEM_XLATE_SUB_SHIFT) & (NENT - 1),
			make_entry(r, a - r->va), r);
	if (!(e & RTE_EXTMEM_XLATE_SUB))
		entry_set(leaf, li, (uintptr_t)sub | RTE_EXTMEM_XLATE_SUB, NULL);
	return 0;
}

static void
clear_range(uintptr_t va, size_t len)
{
	uintptr_t a = va, end = va + len;

	while (a < end) {
		struct rte_extmem_xlate_table *leaf, *sub;
		unsigned int li;
		uint64_t e;

		leaf = rte_extmem_xlate_dir[a >> RTE_EXTMEM_XLATE_DIR_SHIFT];
		if (leaf == NULL) {
			a = RTE_ALIGN_FLOOR(a, 1ULL << RTE_EXTMEM_XLATE_DIR_SHIFT) +
				(1ULL << RTE_EXTMEM_XLATE_DIR_SHIFT);
			continue;
		}
		li = (a >> RTE_EXTMEM_XLATE_LEAF_SHIFT) & (NENT - 1);
		e = leaf->entry[li];
		if (e & RTE_EXTMEM_XLATE_SUB) {
			uintptr_t gend = RTE_MIN(end,
				RTE_ALIGN_FLOOR(a, LEAF_SZ) + LEAF_SZ);

			/* sub-tables stay; emptied entries read as invalid */
			sub = (struct rte_extmem_xlate_table *)(uintptr_t)
				(e & ~RTE_EXTMEM_XLATE_FLAGS);
			for (; a < gend; a += SUB_SZ) {
				unsigned int si = (a >> RTE_EXTMEM_XLATE_SUB_SHIFT) &
					(NENT - 1);

				__atomic_store_n(&sub->entry[si], 0,
					__ATOMIC_RELEASE);
				__atomic_store_n(&sub->region[si], NULL,
					__ATOMIC_RELEASE);
			}
		} else {
			__atomic_store_n(&leaf->entry[li], 0, __ATOMIC_RELEASE);
			__atomic_store_n(&leaf->region[li], NULL,
				__ATOMIC_RELEASE);
			a = RTE_ALIGN_FLOOR(a, LEAF_SZ) + LEAF_SZ;
		}
	}
}

int
extmem_xlate_insert(struct rte_extmem_region *r)
{
	uintptr_t a = r->va, end = r->va + r->len;

	if (end > (1ULL << 48) || end < r->va) {
		EXTMEM_FAIL(EINVAL, "region %s at %p is outside the 48-bit "
			"address space", r->name, (void *)r->va);
		return -1;
	}
	while (a < end) {
		struct rte_extmem_xlate_table *leaf = leaf_get(a);
		uintptr_t gstart = RTE_ALIGN_FLOOR(a, LEAF_SZ);
		uintptr_t gend = RTE_MIN(end, gstart + LEAF_SZ);
		unsigned int li;
		uint64_t e;

		if (leaf == NULL)
			goto nomem;
		li = (a >> RTE_EXTMEM_XLATE_LEAF_SHIFT) & (NENT - 1);
		e = leaf->entry[li];
		if (a == gstart && gend == gstart + LEAF_SZ &&
				!(e & RTE_EXTMEM_XLATE_SUB) &&
				granule_linear(r, a - r->va)) {
			entry_set(leaf, li, make_entry(r, a - r->va), r);
		} else if (fill_sub(leaf, li, r, a, gend - a) != 0) {
			goto nomem;
		}
		a = gend;
	}
	return 0;
nomem:
	clear_range(r->va, a - r->va);
	EXTMEM_FAIL(ENOMEM, "no memory for translation tables of region %s",
		r->name);
	return -1;
}

void
extmem_xlate_remove(struct rte_extmem_region *r)
{
	clear_range(r->va, r->len);
}

struct rte_extmem_region *
rte_extmem_virt2region(const void *addr)
{
	struct rte_extmem_xlate_table *t;
	unsigned int i, shift;
	uint64_t e;

	e = rte_extmem_xlate_entry_((uintptr_t)addr, &t, &i, &shift);
	if (!(e & RTE_EXTMEM_XLATE_VALID)) {
		rte_errno = ENOENT;
		return NULL;
	}
	return __atomic_load_n(&t->region[i], __ATOMIC_ACQUIRE);
}

rte_iova_t
rte_extmem_range2iova(const void *addr, size_t len)
{
	struct rte_extmem_region *r = rte_extmem_virt2region(addr);
	size_t off, p, p_last;
	rte_iova_t first;

	if (r == NULL || len == 0)
		return RTE_BAD_IOVA;
	off = (uintptr_t)addr - r->va;
	if (len > r->len - off)
		return RTE_BAD_IOVA;
	p = off / r->page_sz;
	p_last = (off + len - 1) / r->page_sz;
	first = r->iovas[p];
	if (first == RTE_BAD_IOVA)
		return RTE_BAD_IOVA;
	for (; p < p_last; p++)
		if (r->iovas[p + 1] != r->iovas[p] + r->page_sz)
			return RTE_BAD_IOVA;
	return first + off % r->page_sz;
}
