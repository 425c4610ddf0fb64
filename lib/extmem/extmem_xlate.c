/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The translation table: VA -> (IOVA, region) for every registered byte.
 *
 * A directory slot per GiB points at a leaf of one entry per 4 KiB page
 * (the complement of the page's IOVA, 0 for none; see rte_extmem.h) and,
 * in a parallel directory, at a leaf of region pointers. Leaves are
 * reserved with mmap(MAP_NORESERVE) when a region first lands in their
 * GiB, so only the pages of entries actually written take memory, and are
 * never freed, so a reader never follows a dangling pointer.
 *
 * Writers hold extmem_lock(); readers (rte_extmem_virt2iova() inline in
 * rte_extmem.h, rte_extmem_virt2region()) take no lock. Every store a
 * reader can observe is an atomic store of a complete value; a leaf is
 * published only once mapped; a page's region pointer is set before its
 * entry and cleared after it.
 *
 * Why not SPDK's 2 MiB leaves with 4 KiB sub-tables: with 4K pages in PA
 * mode every lookup took three dependent loads and a branch on the entry
 * kind, about four times a flat array's cost; one entry per 4 KiB page
 * makes every lookup two loads at a cost of 4 KiB of table per 2 MiB of
 * registered memory, the same as the sub-tables needed there.
 */

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "extmem_private.h"

#define DIR_SHIFT RTE_EXTMEM_XLATE_DIR_SHIFT
#define PG_SHIFT RTE_EXTMEM_XLATE_PAGE_SHIFT
#define PG_SZ (1ULL << PG_SHIFT)
#define NDIR RTE_EXTMEM_XLATE_DIR_ENTRIES
#define NLEAF RTE_EXTMEM_XLATE_LEAF_ENTRIES
#define VA_LIMIT (1ULL << RTE_EXTMEM_XLATE_VA_BITS)

uintptr_t rte_extmem_xlate_dir[NDIR];

/* The leaf of every unused GiB: never written, so it costs no memory. */
static uint64_t zero_leaf[NLEAF] __rte_aligned(4096);
/* The region of every page, one leaf per GiB in use (NULL otherwise). */
static struct rte_extmem_region **region_dir[NDIR];

/* What the directory holds for leaf l of GiB g (see rte_extmem.h). */
static uintptr_t
dir_value(unsigned int g, const uint64_t *l)
{
	return (uintptr_t)l - ((uintptr_t)g << (DIR_SHIFT - PG_SHIFT)) *
		sizeof(uint64_t);
}

RTE_INIT(extmem_xlate_init)
{
	unsigned int i;

	for (i = 0; i < NDIR; i++)
		rte_extmem_xlate_dir[i] = dir_value(i, zero_leaf);
}

static void *
leaf_map(size_t sz)
{
	void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Make sure GiB slot g has its two leaves. */
static int
leaves_get(unsigned int g)
{
	struct rte_extmem_region **rl;
	uint64_t *el;

	if (region_dir[g] != NULL)
		return 0;
	el = leaf_map(NLEAF * sizeof(*el));
	rl = leaf_map(NLEAF * sizeof(*rl));
	if (el == NULL || rl == NULL) {
		if (el != NULL)
			munmap(el, NLEAF * sizeof(*el));
		if (rl != NULL)
			munmap(rl, NLEAF * sizeof(*rl));
		return -1;
	}
	/* region leaf first: virt2region() looks at it without the entry */
	__atomic_store_n(&region_dir[g], rl, __ATOMIC_RELEASE);
	__atomic_store_n(&rte_extmem_xlate_dir[g], dir_value(g, el),
		__ATOMIC_RELEASE);
	return 0;
}

/* The writable entry leaf of slot g (leaves_get() succeeded). */
static uint64_t *
entry_leaf(unsigned int g)
{
	return (uint64_t *)(rte_extmem_xlate_dir[g] +
		((uintptr_t)g << (DIR_SHIFT - PG_SHIFT)) * sizeof(uint64_t));
}

static void
clear_range(uintptr_t va, uintptr_t end)
{
	for (; va < end; va += PG_SZ) {
		unsigned int g = va >> DIR_SHIFT;
		unsigned int i = (va >> PG_SHIFT) & (NLEAF - 1);

		if (region_dir[g] == NULL)
			continue;
		__atomic_store_n(&entry_leaf(g)[i], 0, __ATOMIC_RELEASE);
		__atomic_store_n(&region_dir[g][i], NULL, __ATOMIC_RELEASE);
	}
}

int
extmem_xlate_insert(struct rte_extmem_region *r)
{
	uintptr_t end = r->va + r->len, va;
	unsigned int g, p;

	if (end > VA_LIMIT || end < r->va || r->va % PG_SZ != 0) {
		EXTMEM_FAIL(EINVAL, "region %s at %p is outside the %d-bit "
			"address space the translation table covers", r->name,
			(void *)r->va, RTE_EXTMEM_XLATE_VA_BITS);
		return -1;
	}
	for (g = r->va >> DIR_SHIFT; g <= (end - 1) >> DIR_SHIFT; g++) {
		if (leaves_get(g) != 0) {
			EXTMEM_FAIL(ENOMEM, "no memory for translation tables "
				"of region %s", r->name);
			return -1;
		}
	}
	va = r->va;
	for (p = 0; p < r->n_pages; p++) {
		rte_iova_t io = r->iovas[p];
		size_t sub;

		for (sub = 0; sub < r->page_sz; sub += PG_SZ, va += PG_SZ) {
			unsigned int i = (va >> PG_SHIFT) & (NLEAF - 1);

			g = va >> DIR_SHIFT;
			__atomic_store_n(&region_dir[g][i], r, __ATOMIC_RELEASE);
			__atomic_store_n(&entry_leaf(g)[i], io == RTE_BAD_IOVA ?
				0 : ~(io + sub), __ATOMIC_RELEASE);
		}
	}
	return 0;
}

void
extmem_xlate_remove(struct rte_extmem_region *r)
{
	clear_range(r->va, r->va + r->len);
}

struct rte_extmem_region *
rte_extmem_virt2region(const void *addr)
{
	uintptr_t va = (uintptr_t)addr;
	struct rte_extmem_region **rl;
	struct rte_extmem_region *r = NULL;

	if (va < VA_LIMIT) {
		rl = __atomic_load_n(&region_dir[va >> DIR_SHIFT],
			__ATOMIC_ACQUIRE);
		if (rl != NULL)
			r = __atomic_load_n(&rl[(va >> PG_SHIFT) & (NLEAF - 1)],
				__ATOMIC_ACQUIRE);
	}
	if (r == NULL)
		rte_errno = ENOENT;
	return r;
}

rte_iova_t
rte_extmem_range2iova(const void *addr, size_t len)
{
	struct rte_extmem_region *r;
	size_t off, p, p_last;
	rte_iova_t first;

	if (unlikely(len == 0)) {
		EXTMEM_LOG(DEBUG, "zero length at %p", addr);
		rte_errno = EINVAL;
		return RTE_BAD_IOVA;
	}
	r = rte_extmem_virt2region(addr);
	if (r == NULL)
		return RTE_BAD_IOVA;
	off = (uintptr_t)addr - r->va;
	if (len > r->len - off) {
		rte_errno = ENOENT;
		return RTE_BAD_IOVA;
	}
	p = off / r->page_sz;
	p_last = (off + len - 1) / r->page_sz;
	first = r->iovas[p];
	if (first == RTE_BAD_IOVA) {
		rte_errno = EFAULT;
		return RTE_BAD_IOVA;
	}
	for (; p < p_last; p++) {
		if (r->iovas[p + 1] != r->iovas[p] + r->page_sz) {
			rte_errno = EFAULT;
			return RTE_BAD_IOVA;
		}
	}
	return first + off % r->page_sz;
}
