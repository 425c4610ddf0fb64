/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The translation table: VA -> (IOVA, region) for every registered byte,
 * in memory proportional to the number of pages (or IOVA-linear runs),
 * not to bytes.
 *
 * A directory word per GiB (see rte_extmem.h) holds either IOVA - VA of
 * the whole GiB, when one region covers it with one IOVA-linear piece
 * (1G pages, IOVA-as-VA mode, a device's linear window: a lookup is one
 * load and an add), or the address of the GiB's entry leaf plus the
 * leaf's shift S in its low 6 bits: one 64-bit entry (IOVA - VA + 1, 0
 * for none) per 2^S bytes. S is the coarsest granule that
 * describes every region of the GiB exactly: at most the region's page
 * shift where IOVAs are scattered, up to 30 (one entry for the GiB) where
 * a region's IOVAs are linear, and never coarser than the alignment of a
 * region's ends inside the GiB. A lookup is then two dependent loads, a
 * shift and an add, whatever the page size. Leaves are 64-byte aligned,
 * so that their address leaves the low 6 bits to S.
 *
 * The region of an address: a GiB wholly covered by one region names it
 * in dir_id[]; any other GiB has an id leaf of 16-bit region ids (id + 1,
 * 0 for none) at its own shift, read by rte_extmem_virt2region() only.
 *
 * Writers run inside an operation; readers take no lock. Every store a reader
 * can observe is an atomic store of a complete value; a leaf is filled
 * before it is published. When a region needs a finer granule than its
 * GiB has, the GiB gets new, finer leaves holding the old contents
 * expanded; the old ones are kept for the library's life (a reader may
 * still hold them; at most one per distinct shift per GiB between two
 * times the GiB empties). When a GiB empties its leaves go to a free list
 * for the next GiB of that shift (large ones handed back to the kernel
 * with MADV_DONTNEED: they read as zeros, "no IOVA"): a reader still
 * looking up an address whose region was destroyed during the lookup may
 * then get any answer, never a fault.
 *
 * Leaves of 2 MiB (4K granules) are 2 MiB aligned and asked for
 * transparent hugepages: one TLB entry covers a GiB of 4K pages. Smaller
 * leaves are carved from 64 KiB arena chunks, so a GiB of 1G pages costs
 * 8 bytes of leaf.
 */

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_errno.h>

#include "extmem_private.h"

#define DIR_SHIFT RTE_EXTMEM_XLATE_DIR_SHIFT
#define GIB (1ULL << DIR_SHIFT)
#define MIN_SHIFT 12
#define NDIR RTE_EXTMEM_XLATE_DIR_ENTRIES
#define VA_LIMIT (1ULL << RTE_EXTMEM_XLATE_VA_BITS)
#define SHIFT_MASK RTE_EXTMEM_XLATE_SHIFT_MASK
/* alignment of every leaf: its address leaves the low bits to the shift */
#define LEAF_ALIGN (SHIFT_MASK + 1)
#define N_SHIFTS (DIR_SHIFT - MIN_SHIFT + 1)
/* leaves at least this large get their own mapping */
#define BIG_LEAF (64u << 10)
#define CHUNK_SZ (64u << 10)
#define PAGE_4K 4096u
/* region ids a leaf can name (0 is "none") */
#define MAX_IDS 65535u

struct rte_extmem_xlate_table rte_extmem_xlate;

/* The leaf of every unused GiB: shift 30, its one entry 0. */
static uint64_t zero_leaf __rte_aligned(LEAF_ALIGN);

/* Per GiB wholly in one region: its id + 1 (0: see the id leaf). */
static uint16_t dir_id[NDIR];

/* Per GiB, the id leaf (NULL: none). ids[0] is the leaf's shift. */
static uint16_t *id_leaf[NDIR];
/* The region of each id + 1. */
static struct rte_extmem_region *id_region[MAX_IDS + 1];

/* Free leaves by kind (entry, id) and shift; a node per leaf. */
struct free_leaf {
	struct free_leaf *next;
	void *p;
};
static struct free_leaf *free_leaves[2][N_SHIFTS];

/* Small-leaf arena. */
static uint8_t *chunk;
static size_t chunk_used = CHUNK_SZ;

/* Accounting: bytes of leaves in use or kept (replaced), dir pages. */
static size_t leaf_bytes;
static uint64_t dir_pages[(NDIR * sizeof(uintptr_t) / PAGE_4K + 63) / 64];
static uint64_t idl_pages[(NDIR * sizeof(void *) / PAGE_4K + 63) / 64];
static uint64_t id_pages[(NDIR * sizeof(uint16_t) / PAGE_4K + 63) / 64];

static inline uintptr_t
dir_encode(const uint64_t *leaf, unsigned int shift)
{
	return (uintptr_t)leaf | shift;
}

RTE_INIT(extmem_xlate_init)
{
	rte_extmem_xlate.zero = dir_encode(&zero_leaf, DIR_SHIFT);
}

static inline uintptr_t
dir_get(unsigned int g)
{
	return rte_extmem_xlate.dir[g] ^ rte_extmem_xlate.zero;
}

static inline void
dir_set(unsigned int g, uintptr_t d)
{
	dir_pages[g / 512 / 64] |= 1ULL << (g / 512 % 64);
	__atomic_store_n(&rte_extmem_xlate.dir[g], d ^ rte_extmem_xlate.zero,
		__ATOMIC_RELEASE);
}

/* Is d the word of a GiB translated in the directory (IOVA - VA)? */
static inline bool
dir_linear(uintptr_t d)
{
	return (d & SHIFT_MASK) == 0;
}

/* Is d the word of an unused GiB? */
static inline bool
dir_empty(uintptr_t d)
{
	return d == dir_encode(&zero_leaf, DIR_SHIFT);
}

/* The leaf and shift of a word not linear. */
static inline uint64_t *
dir_leaf(uintptr_t d)
{
	return (uint64_t *)(d & ~SHIFT_MASK);
}

static inline unsigned int
dir_shift(uintptr_t d)
{
	return d & SHIFT_MASK;
}

static inline void
dir_id_set(unsigned int g, uint16_t id1)
{
	id_pages[g / 2048 / 64] |= 1ULL << (g / 2048 % 64);
	__atomic_store_n(&dir_id[g], id1, __ATOMIC_RELEASE);
}

static inline void
idl_set(unsigned int g, uint16_t *l)
{
	idl_pages[g / 512 / 64] |= 1ULL << (g / 512 % 64);
	__atomic_store_n(&id_leaf[g], l, __ATOMIC_RELEASE);
}

static size_t
leaf_size(unsigned int kind, unsigned int shift)
{
	size_t n = (size_t)1 << (DIR_SHIFT - shift);

	return kind == 0 ? n * sizeof(uint64_t) : (n + 1) * sizeof(uint16_t);
}

/* A zeroed leaf of kind 0 (entries) or 1 (ids) for shift, or NULL. */
static void *
leaf_alloc(unsigned int kind, unsigned int shift)
{
	struct free_leaf *f = free_leaves[kind][shift - MIN_SHIFT];
	size_t sz = leaf_size(kind, shift);
	void *p;

	if (f != NULL) {
		free_leaves[kind][shift - MIN_SHIFT] = f->next;
		p = f->p;
		free(f);
	} else if (sz >= BIG_LEAF) {
		size_t al = sz >= (2u << 20) ? (2u << 20) : PAGE_4K;
		size_t map = RTE_ALIGN_CEIL(sz, PAGE_4K) + al - PAGE_4K;
		uint8_t *m = mmap(NULL, map, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		uint8_t *a;

		if (m == MAP_FAILED)
			return NULL;
		a = RTE_PTR_ALIGN_CEIL(m, al);
		if (a != m)
			munmap(m, a - m);
		if (a + RTE_ALIGN_CEIL(sz, PAGE_4K) != m + map)
			munmap(a + RTE_ALIGN_CEIL(sz, PAGE_4K),
				m + map - a - RTE_ALIGN_CEIL(sz, PAGE_4K));
		if (al == (2u << 20))
			madvise(a, sz, MADV_HUGEPAGE);
		p = a;
	} else {
		sz = RTE_ALIGN_CEIL(sz, LEAF_ALIGN);
		if (chunk_used + sz > CHUNK_SZ) {
			uint8_t *c = mmap(NULL, CHUNK_SZ, PROT_READ |
				PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
				MAP_NORESERVE, -1, 0);

			if (c == MAP_FAILED)
				return NULL;
			chunk = c;
			chunk_used = 0;
		}
		p = chunk + chunk_used;
		chunk_used += sz;
	}
	leaf_bytes += leaf_size(kind, shift);
	if (kind == 1)
		((uint16_t *)p)[0] = shift;
	return p;
}

/* Give a leaf no reader can need any more back for reuse (zeroed). */
static void
leaf_free(unsigned int kind, unsigned int shift, void *p)
{
	struct free_leaf *f = malloc(sizeof(*f));
	size_t sz = leaf_size(kind, shift);

	leaf_bytes -= sz;
	if (f == NULL)
		return;	/* kept, unused: costs memory, nothing else */
	if (sz >= BIG_LEAF)
		madvise(p, RTE_ALIGN_CEIL(sz, PAGE_4K), MADV_DONTNEED);
	/* entries and ids of the GiB's regions were cleared already */
	f->p = p;
	f->next = free_leaves[kind][shift - MIN_SHIFT];
	free_leaves[kind][shift - MIN_SHIFT] = f;
}

static inline unsigned int
ctz_or(uint64_t v, unsigned int dflt)
{
	return v == 0 ? dflt : (unsigned int)__builtin_ctzll(v);
}

/* [*a, *b): the part of region r in GiB g. */
static void
part_in_gib(const struct rte_extmem_region *r, unsigned int g, uintptr_t *a,
	uintptr_t *b)
{
	uintptr_t lo = (uintptr_t)g << DIR_SHIFT;

	*a = RTE_MAX(r->va, lo);
	*b = RTE_MIN(r->va + r->len, lo + GIB);
}

/* IOVA of byte va of r, or RTE_BAD_IOVA. */
static inline rte_iova_t
region_iova(const struct rte_extmem_region *r, unsigned int pshift,
	uintptr_t va)
{
	size_t off = va - r->va;
	rte_iova_t io = r->iovas[off >> pshift];

	return io == RTE_BAD_IOVA ? io : io + (off & ((1ULL << pshift) - 1));
}

/* The coarsest shift that describes [a, b) of r exactly: every granule
 * inside the part, and within one granule either no IOVA or one IOVA - VA.
 */
static unsigned int
part_shift(const struct rte_extmem_region *r, unsigned int pshift,
	uintptr_t a, uintptr_t b)
{
	unsigned int s = RTE_MIN(ctz_or(a, DIR_SHIFT), ctz_or(b, DIR_SHIFT));
	size_t psz = (size_t)1 << pshift;
	rte_iova_t prev_io = RTE_BAD_IOVA;
	uintptr_t va;

	s = RTE_MIN(s, (unsigned int)DIR_SHIFT);
	for (va = a; va < b && s > pshift; va += psz) {
		rte_iova_t io = region_iova(r, pshift, va);

		if (va != a && (io == RTE_BAD_IOVA) != (prev_io == RTE_BAD_IOVA))
			s = RTE_MIN(s, ctz_or(va, DIR_SHIFT));
		else if (va != a && io != RTE_BAD_IOVA && io - prev_io != psz)
			s = RTE_MIN(s, ctz_or(va, DIR_SHIFT));
		prev_io = io;
	}
	return RTE_MAX(s, (unsigned int)MIN_SHIFT);
}

/* Does a region other than r intersect GiB g? */
static bool
gib_shared(const struct rte_extmem_region *r, unsigned int g)
{
	const struct rte_extmem_region *o;
	uintptr_t lo = (uintptr_t)g << DIR_SHIFT;

	TAILQ_FOREACH(o, extmem_regions(), next)
		if (o != r && o->va < lo + GIB && o->va + o->len > lo)
			return true;
	return false;
}

/* Copies of the leaves of GiB g at a finer shift ns; NULL on no memory. */
static int
gib_refine(unsigned int g, unsigned int ns)
{
	uintptr_t d = dir_get(g);
	unsigned int os = dir_shift(d), k = os - ns;
	uint64_t *ol = dir_leaf(d), *nl;
	uint16_t *oi = id_leaf[g], *ni;
	size_t n = (size_t)1 << (DIR_SHIFT - ns), j;

	nl = leaf_alloc(0, ns);
	ni = leaf_alloc(1, ns);
	if (nl == NULL || ni == NULL) {
		if (nl != NULL)
			leaf_free(0, ns, nl);
		if (ni != NULL)
			leaf_free(1, ns, ni);
		return -1;
	}
	/* an entry holds IOVA - VA: the same in every finer granule */
	for (j = 0; j < n; j++) {
		nl[j] = ol[j >> k];
		if (oi != NULL)
			ni[1 + j] = oi[1 + ((j << ns) >> oi[0])];
	}
	/* the id leaf first: its own shift makes either pairing right */
	idl_set(g, ni);
	dir_set(g, dir_encode(nl, ns));
	/* the old leaves stay: a reader may hold them (counted as kept) */
	return 0;
}

/* Write r's part [a, b) into GiB g's leaves (shift s <= part's). */
static void
gib_write(struct rte_extmem_region *r, unsigned int pshift, unsigned int g,
	uintptr_t a, uintptr_t b, bool clear)
{
	uintptr_t d = dir_get(g), va;
	unsigned int s = dir_shift(d);
	uint64_t *l = dir_leaf(d);
	uint16_t *il = id_leaf[g];
	uintptr_t lo = (uintptr_t)g << DIR_SHIFT;
	uint16_t id1 = clear ? 0 : r->id + 1;

	/* a linear GiB: its word is all there is (gib_prepare, _release) */
	if (dir_linear(d))
		return;

	/* ids before entries on insertion, after them on removal */
	if (!clear && il != NULL)
		for (va = a; va < b; va += 1ULL << il[0])
			__atomic_store_n(&il[1 + ((va - lo) >> il[0])], id1,
				__ATOMIC_RELEASE);
	for (va = a; va < b; va += 1ULL << s) {
		rte_iova_t io = clear ? RTE_BAD_IOVA :
			region_iova(r, pshift, va);

		__atomic_store_n(&l[(va - lo) >> s], io == RTE_BAD_IOVA ? 0 :
			io - va + 1, __ATOMIC_RELEASE);
	}
	if (clear && il != NULL)
		for (va = a; va < b; va += 1ULL << il[0])
			__atomic_store_n(&il[1 + ((va - lo) >> il[0])], 0,
				__ATOMIC_RELEASE);
}

/* Make GiB g ready for r's part [a, b): the GiB's IOVA - VA in its word
 * if r covers it with one known linear piece; otherwise leaves at a shift
 * no coarser than the part needs, an id leaf unless r covers the whole
 * GiB.
 */
static int
gib_prepare(const struct rte_extmem_region *r, unsigned int pshift,
	unsigned int g, unsigned int ps, uintptr_t a, uintptr_t b)
{
	uintptr_t d = dir_get(g);
	bool whole = b - a == GIB;
	uint64_t *l;
	uint16_t *il = NULL;
	rte_iova_t io;

	/* (a linear GiB is wholly another region's: never here) */
	if (!dir_empty(d))
		return dir_shift(d) > ps ? gib_refine(g, ps) : 0;
	if (whole)
		dir_id_set(g, r->id + 1);
	io = region_iova(r, pshift, a);
	if (whole && ps == DIR_SHIFT && io != RTE_BAD_IOVA &&
			dir_linear(io - a)) {
		/* one IOVA - VA for the GiB: the word says it all */
		dir_set(g, io - a);
		return 0;
	}
	/* empty GiB */
	l = leaf_alloc(0, ps);
	if (l == NULL) {
		if (whole)
			dir_id_set(g, 0);
		return -1;
	}
	if (!whole) {
		il = leaf_alloc(1, ps);
		if (il == NULL) {
			leaf_free(0, ps, l);
			return -1;
		}
		idl_set(g, il);
	}
	dir_set(g, dir_encode(l, ps));
	return 0;
}

/* Return GiB g's leaves once no region is left in it. */
static void
gib_release(unsigned int g)
{
	uintptr_t d = dir_get(g);
	uint16_t *il = id_leaf[g];

	dir_set(g, dir_encode(&zero_leaf, DIR_SHIFT));
	if (dir_id[g] != 0)
		dir_id_set(g, 0);
	if (il != NULL)
		idl_set(g, NULL);
	if (!dir_linear(d))
		leaf_free(0, dir_shift(d), dir_leaf(d));
	if (il != NULL)
		leaf_free(1, il[0], il);
}

static void
xlate_clear(struct rte_extmem_region *r, unsigned int pshift,
	unsigned int g_end)
{
	unsigned int g;
	uintptr_t a, b;

	for (g = r->va >> DIR_SHIFT; g < g_end; g++) {
		if (dir_empty(dir_get(g)))
			continue;
		part_in_gib(r, g, &a, &b);
		gib_write(r, pshift, g, a, b, true);
		if (!gib_shared(r, g))
			gib_release(g);
	}
}

int
extmem_xlate_insert(struct rte_extmem_region *r)
{
	uintptr_t end = r->va + r->len, a, b;
	unsigned int pshift = __builtin_ctzll(r->page_sz), g, g_end;

	if (end > VA_LIMIT || end < r->va || r->va % PAGE_4K != 0 ||
			r->len % PAGE_4K != 0 || r->len == 0) {
		EXTMEM_FAIL(EINVAL, "region %s at %p is outside the %d-bit "
			"address space the translation table covers", r->name,
			(void *)r->va, RTE_EXTMEM_XLATE_VA_BITS);
		return -1;
	}
	if (r->id >= MAX_IDS) {
		EXTMEM_FAIL(ENOSPC, "region %s: id %u beyond the %u regions "
			"the translation table names", r->name, r->id, MAX_IDS);
		return -1;
	}
	__atomic_store_n(&id_region[r->id + 1], r, __ATOMIC_RELEASE);
	g_end = ((end - 1) >> DIR_SHIFT) + 1;
	for (g = r->va >> DIR_SHIFT; g < g_end; g++) {
		unsigned int ps;

		part_in_gib(r, g, &a, &b);
		ps = part_shift(r, pshift, a, b);
		if (gib_prepare(r, pshift, g, ps, a, b) != 0) {
			xlate_clear(r, pshift, g);
			EXTMEM_FAIL(ENOMEM, "no memory for translation tables "
				"of region %s", r->name);
			return -1;
		}
		gib_write(r, pshift, g, a, b, false);
	}
	return 0;
}

void
extmem_xlate_remove(struct rte_extmem_region *r)
{
	uintptr_t end = r->va + r->len;

	xlate_clear(r, __builtin_ctzll(r->page_sz),
		((end - 1) >> DIR_SHIFT) + 1);
	__atomic_store_n(&id_region[r->id + 1], NULL, __ATOMIC_RELEASE);
}

struct rte_extmem_region *
rte_extmem_virt2region(const void *addr)
{
	uintptr_t va = (uintptr_t)addr;
	unsigned int g = va >> DIR_SHIFT, id1 = 0;
	const uint16_t *il;

	if (va < VA_LIMIT) {
		id1 = __atomic_load_n(&dir_id[g], __ATOMIC_ACQUIRE);
		if (id1 == 0) {
			il = __atomic_load_n(&id_leaf[g], __ATOMIC_ACQUIRE);
			/* a leaf handed back to the kernel reads shift 0 */
			if (il != NULL && il[0] >= MIN_SHIFT &&
					il[0] <= DIR_SHIFT)
				id1 = __atomic_load_n(&il[1 + ((va & (GIB - 1)) >>
					il[0])], __ATOMIC_ACQUIRE);
		}
	}
	if (id1 != 0) {
		struct rte_extmem_region *r = __atomic_load_n(&id_region[id1],
			__ATOMIC_ACQUIRE);

		if (r != NULL)
			return r;
	}
	/* not found: before rte_eal_init() the table is empty by design */
	rte_errno = extmem_eal_ready() ? ENOENT : E_RTE_NO_CONFIG;
	return NULL;
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

static size_t
pages_bytes(const uint64_t *bits, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += __builtin_popcountll(__atomic_load_n(&bits[i],
			__ATOMIC_RELAXED));
	return c * PAGE_4K;
}

size_t
extmem_xlate_mem_size(void)
{
	return __atomic_load_n(&leaf_bytes, __ATOMIC_RELAXED) +
		pages_bytes(dir_pages, RTE_DIM(dir_pages)) +
		pages_bytes(idl_pages, RTE_DIM(idl_pages)) +
		pages_bytes(id_pages, RTE_DIM(id_pages));
}
