/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef MRNIC_MR_H
#define MRNIC_MR_H

/*
 * The memory-region (MR) table of an mrnic device: what it may DMA to or
 * from, VA -> IOVA/key, like the MTT of an RDMA-capable NIC.
 *
 * Entries come from two sources:
 *  - dma_map()/dma_unmap() (rte_dev_dma_map(), the DMA dispatcher);
 *  - registration on a lookup miss: memory of an EAL malloc heap (internal,
 *    or external memory added to a heap) is DMA-able the way VFIO maps it
 *    through memory events; the VA- and IOVA-contiguous run of memsegs
 *    around the missed address is entered. Dropped again on EAL memory
 *    events.
 *
 * A table is a port's own, or shared by the ports of one DMA domain
 * (devarg domain=): then it behaves like a VFIO container, one IOMMU
 * table for all of them: a map overlapping a mapped range is accepted
 * without effect (the kernel's EEXIST, which EAL takes as success), an
 * unmap removes the range for every port, and at most max_map ranges are
 * mapped (EAL's 256 user maps per container by default).
 *
 * Every process of the application reads and writes the same tables
 * (EAL memory, the same addresses everywhere): a secondary's queues
 * translate through the ranges the primary's dma_map entered, and
 * register on miss into the same array. The array never grows inside a
 * reader section nor under a lock: allocating EAL memory may run memory
 * event callbacks, which take the table's lock and wait for readers. A
 * registration that finds the array full is used once without being
 * entered (the table is marked overflowing, so memory events wait for
 * every reader), and the array grows at the next burst of the table's
 * port, outside its section (mrnic_mr_table_grow()).
 *
 * Readers are the Tx queues (a queue translates source buffers in its own
 * device's table and destination buffers in its peer's table), each
 * through a private mrnic_mr_ctrl: an MRU entry, a small linear cache and,
 * in extmem mode, the last librte_extmem region hit. They take no lock on
 * a hit; a miss reads the sorted global array under a reader lock. Every
 * removal bumps the table generation (flushing the queue caches at their
 * next burst) and then waits until no queue is still inside a burst that
 * started before (see mrnic_quiesce), so a removed range is never read or
 * written once the removal has returned.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_memory.h>
#include <rte_rwlock.h>

#include <rte_extmem.h>

/** Translation mode (devarg mr=). */
enum mrnic_mr_mode {
	MRNIC_MR_CACHE = 0,	/* mlx5-style caches + registration on miss */
	MRNIC_MR_EXTMEM,	/* librte_extmem table + dma_map state */
	MRNIC_MR_OFF,		/* no validation (baseline) */
};

#define MRNIC_MR_F_MAP 0x1	/* given through dma_map */
#define MRNIC_MR_F_MISS 0x2	/* registered on a lookup miss */

/*
 * One registered range [start, end). Either IOVA-contiguous (msl NULL:
 * IOVA of va = iova + (va - start)), or, for memory registered on miss
 * whose pages are not IOVA-contiguous, translated page by page through
 * EAL's memsegs of msl, the way a NIC's MTT holds one entry per page.
 */
struct mrnic_mr {
	uintptr_t start;
	uintptr_t end;
	rte_iova_t iova;	/* IOVA of start (msl NULL) */
	const struct rte_memseg_list *msl;	/* per-page IOVAs, or NULL */
	uint64_t pgmask;	/* page size - 1 (msl set) */
	uint32_t key;		/* lkey, unique in the table */
	uint32_t flags;		/* MRNIC_MR_F_* */
};

/* IOVA of va inside e; *end: where the IOVA-contiguous piece ends. A
 * per-page entry reads the page's memseg through EAL's public lookup.
 */
static __rte_always_inline rte_iova_t
mrnic_mr_iova(const struct mrnic_mr *e, uintptr_t va, uintptr_t *end)
{
	const struct rte_memseg *ms;

	if (likely(e->msl == NULL)) {
		*end = e->end;
		return e->iova + (va - e->start);
	}
	*end = RTE_MIN((va | e->pgmask) + 1, e->end);
	ms = rte_mem_virt2memseg((const void *)va, e->msl);
	return ms == NULL || ms->iova == RTE_BAD_IOVA ? RTE_BAD_IOVA :
		ms->iova + (va & e->pgmask);
}

/* A librte_extmem region wholly mapped through dma_map (extmem mode),
 * known by its start address: the same in every process, where a region
 * handle is each process's own.
 */
struct mrnic_xreg {
	uintptr_t region;	/* region start; 0 free, 1 deleted */
	uintptr_t start;
	uintptr_t end;
	uint64_t pgmask;	/* region page size - 1 */
	uint32_t key;
	uint32_t del_gen;	/* table generation when deleted */
};

/* Bytes of a librte_extmem region mapped through dma_map (the dispatcher
 * maps a region in IOVA-contiguous runs): wholly mapped regions enter the
 * set above. The primary's own bookkeeping (dma_map happens there only):
 * process-local memory that no reader and no other process follows.
 */
struct mrnic_xacct {
	uintptr_t region;
	uintptr_t start;
	uintptr_t end;
	size_t mapped;
};

struct mrnic_port;

#define MRNIC_XSET_SIZE 256	/* power of two; EAL has 128 memseg lists */
#define MRNIC_XREG_FREE 0
#define MRNIC_XREG_DELETED 1

struct mrnic_mr_table {
	rte_rwlock_t lock;	/* writers; readers on a cache miss */
	uint32_t gen;		/* bumped on every removal */
	uint32_t quiesced_gen;	/* readers of generations before it are gone */
	uint32_t n;		/* entries in mrs, sorted by start */
	uint32_t n_dead;	/* of them unmapped (flags 0), not yet dropped */
	uint32_t cap;
	struct mrnic_mr *mrs;	/* EAL memory (rte_malloc) */
	uint32_t overflow;	/* a registration found mrs full */
	uint32_t grow;		/* mrs should grow (atomic) */
	uint32_t next_key;
	uint64_t mem_seq;	/* bumped by every EAL memory event */
	enum mrnic_mr_mode mode;
	bool events;		/* EAL memory events reach the table */
	bool shared;		/* a domain's table (VFIO rules) */
	bool eal_heap;		/* heap memory DMA-able unmapped */
	uint32_t max_map;	/* F_MAP entries at most, 0: no limit */
	uint32_t n_map;		/* F_MAP entries */
	uint64_t dup_maps;	/* overlapping maps accepted without effect */
	uint64_t reg_on_miss;	/* registrations on miss (atomic) */
	uint32_t xset_used;	/* slots not free (live + deleted) */
	uint32_t n_xacct;	/* primary only, see struct mrnic_xacct */
	uint32_t cap_xacct;
	struct mrnic_xacct *xacct;
	struct mrnic_xreg xset[MRNIC_XSET_SIZE];
	/* whose readers a removal waits for: the Tx queues of this port and
	 * its peer, or (NULL, a domain's table) of every port
	 */
	struct mrnic_port *owner;
	char name[64];
};

#define MRNIC_CACHE_N 8

/* Per-queue view of one table; owned by one lcore. */
struct mrnic_mr_ctrl {
	struct mrnic_mr_table *tbl;
	uint32_t gen;
	uint16_t mru;		/* index of the last hit in cache[] */
	uint16_t head;		/* next slot to replace */
	struct mrnic_mr cache[MRNIC_CACHE_N];
	/* extmem mode: last region hit */
	uintptr_t x_start;
	uintptr_t x_end;
	uint64_t x_pgmask;
	uint32_t x_key;
	uint64_t hit;		/* lookups served without the global table */
	uint64_t miss;		/* lookups that read the global table */
};

int mrnic_mr_table_init(struct mrnic_mr_table *tbl, const char *name,
	enum mrnic_mr_mode mode, struct mrnic_port *owner);
/* Forget every entry (takes the table's lock, frees after it). */
void mrnic_mr_table_fini(struct mrnic_mr_table *tbl);
/* Grow the entry array if a registration found it full; no lock held,
 * outside any reader section.
 */
void mrnic_mr_table_grow(struct mrnic_mr_table *tbl);

static __rte_always_inline void
mrnic_mr_grow_pending(struct mrnic_mr_table *tbl)
{
	if (unlikely(__atomic_load_n(&tbl->grow, __ATOMIC_RELAXED) != 0))
		mrnic_mr_table_grow(tbl);
}

/* 0, or -1 with rte_errno (EINVAL, EEXIST, ENOMEM, ENOENT). */
int mrnic_mr_dma_map(struct mrnic_mr_table *tbl, uintptr_t va,
	rte_iova_t iova, size_t len);
int mrnic_mr_dma_unmap(struct mrnic_mr_table *tbl, uintptr_t va,
	rte_iova_t iova, size_t len);
/* EAL memory event (RTE_MEM_EVENT_ALLOC / FREE) on [va, va + len). */
void mrnic_mr_mem_event(struct mrnic_mr_table *tbl, bool alloc, uintptr_t va,
	size_t len);

/* Is [va, va + len) inside ranges given through dma_map? */
bool mrnic_mr_dma_mapped(struct mrnic_mr_table *tbl, uintptr_t va,
	size_t len);
uint32_t mrnic_mr_entries(struct mrnic_mr_table *tbl);

void mrnic_mr_ctrl_init(struct mrnic_mr_ctrl *c, struct mrnic_mr_table *tbl);
void mrnic_mr_ctrl_flush(struct mrnic_mr_ctrl *c, struct mrnic_mr_table *tbl);

/* Miss path: fill *end, *iova (of va) and *key for the range holding va. */
int mrnic_mr_xlate_slow(struct mrnic_mr_ctrl *c, uintptr_t va,
	uintptr_t *end, rte_iova_t *iova, uint32_t *key);

/* At the start of a burst (inside the reader section): drop the caches if
 * the table changed since they were filled or is another table now.
 */
static __rte_always_inline void
mrnic_mr_ctrl_sync(struct mrnic_mr_ctrl *c, struct mrnic_mr_table *tbl)
{
	if (unlikely(c->tbl != tbl ||
			c->gen != __atomic_load_n(&tbl->gen, __ATOMIC_ACQUIRE)))
		mrnic_mr_ctrl_flush(c, tbl);
}

/*
 * Translate [va, va + len) (len > 0) piece by piece: every byte must be
 * covered by the table. Returns 0 with the IOVA and key of va, or -1 if
 * any byte is not mapped (nothing may then be read or written).
 */
static __rte_always_inline int
mrnic_mr_xlate(struct mrnic_mr_ctrl *c, uintptr_t va, size_t len,
	rte_iova_t *iova, uint32_t *key)
{
	rte_iova_t first = RTE_BAD_IOVA, pi;
	uintptr_t end;
	uint32_t k;
	bool head = true;

	for (;;) {
		const struct mrnic_mr *e = &c->cache[c->mru];

		if (va - c->x_start < c->x_end - c->x_start &&
				(pi = rte_extmem_virt2iova((const void *)va)) !=
					RTE_BAD_IOVA) {
			/* librte_extmem region known mapped: O(1) table */
			c->hit++;
			end = RTE_MIN((va | c->x_pgmask) + 1, c->x_end);
			k = c->x_key;
		} else if (va - e->start < e->end - e->start) {
			c->hit++;
			pi = mrnic_mr_iova(e, va, &end);
			k = e->key;
		} else if (mrnic_mr_xlate_slow(c, va, &end, &pi, &k) < 0) {
			return -1;
		}
		if (unlikely(pi == RTE_BAD_IOVA))
			return -1;	/* a per-page entry's page lost its IOVA */
		if (head) {
			first = pi;
			*key = k;
			head = false;
		}
		if (end - va >= len)
			break;
		len -= end - va;
		va = end;
	}
	*iova = first;
	return 0;
}

#endif /* MRNIC_MR_H */
