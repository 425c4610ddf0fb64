/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_MODEL_H
#define TEST_MODEL_H

/*
 * The model of the model-based random-sequence test (test_model*.c):
 * what the test itself expects the library to hold, kept independently
 * of the library and compared with what the public API says after every
 * operation.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_extmem.h>
#include <rte_extmem_event.h>
#include <rte_extmem_heap.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>

#include "test_region_util.h"

#define M_REGIONS 24	/* live and dead region slots */
#define M_HEAPS 4
#define M_ALLOCS 32
#define M_POOL_MBUFS 16
#define M_SLICERS 2
#define M_SLICES 4
#define M_SLICER_MBUFS 8
#define M_PORTS 2
#define M_PAGES_MAX 8	/* base pages of a small region */

struct m_region {
	bool live;
	struct rte_extmem_region *h;
	char name[RTE_EXTMEM_NAMESIZE];
	enum rte_extmem_backing backing;
	uintptr_t va;
	size_t len;
	size_t pgsz;
	unsigned int n_pages;
	rte_iova_t *iovas;	/* the model's own copy, n_pages entries */
	unsigned int n_known;	/* pages with a known IOVA */
	int heap;		/* model heap index, -1 without */
	uint32_t app_users;	/* rte_extmem_region_user_get() */
	uint32_t lib_users;	/* slicers, the pool of its heap */
	unsigned int allocs;	/* heap allocations inside */
	unsigned int bigs;	/* of them, ones that nearly fill it */
	bool mapped[M_PORTS];	/* on each mrnic port */
	void *mem;		/* the test's memory (user, device) */
	size_t mem_len;
};

struct m_heap {
	bool live;
	struct rte_extmem_heap *h;
	char name[RTE_EXTMEM_NAMESIZE];
	int socket;
	size_t grow_len;
	int pool;		/* model pool index, -1 without */
	bool pool_gone;		/* pool freed with rte_mempool_free() */
};

struct m_alloc {
	bool live;
	uint8_t *p;
	size_t sz;
	int heap;
	int region;
	bool big;
	uint8_t pattern;
};

struct m_pool {
	bool live;
	struct rte_mempool *mp;
	int heap;
	unsigned int n_out;
	struct rte_mbuf *out[M_POOL_MBUFS];
};

struct m_slicer {
	bool live;
	struct rte_extmem_slicer *s;
	char name[RTE_EXTMEM_NAMESIZE];
	int region;
	unsigned int n_slices;
	unsigned int n_segs;	/* mbufs of the slices alive */
	struct rte_mbuf *slices[M_SLICES];
};

/* A subscriber of the test: counts the events it accepts, refuses the
 * kind it is told to refuse.
 */
struct m_sub {
	bool live;
	uint64_t seen[TEST_EVENT_TYPES];	/* accepted, not rollback */
	int refuse;				/* event type, or -1 */
	uint64_t refused;
	uint64_t replayed;			/* replay events */
};

struct model {
	uint64_t rng;
	uint64_t seed;
	unsigned int op;	/* index of the operation running */
	const char *op_name;
	unsigned int serial;	/* for unique names */
	struct m_region r[M_REGIONS];
	struct m_heap hp[M_HEAPS];
	struct m_alloc a[M_ALLOCS];
	struct m_pool pool;
	struct m_slicer sl[M_SLICERS];
	struct m_sub sub;
	uint64_t sub_expect[TEST_EVENT_TYPES];
	struct rte_device *dev[M_PORTS];
	uint16_t port[M_PORTS];
	bool hugetlb_ok;	/* a 2M hugetlb region could be made once */
	unsigned int regions0, heaps0;	/* counts at the start */
	/* statistics */
	uint64_t n_ok, n_refused;
};

/* Pseudo-random numbers from the model's seed (xorshift64*). */
static inline uint64_t
m_rand(struct model *m)
{
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dULL;
}

/* Uniform in [0, n). */
static inline unsigned int
m_below(struct model *m, unsigned int n)
{
	return n == 0 ? 0 : (unsigned int)(m_rand(m) % n);
}

/* True with probability pct %. */
static inline bool
m_chance(struct model *m, unsigned int pct)
{
	return m_below(m, 100) < pct;
}

/* test_model_ops.c: one random operation, checked; TEST_* result. */
int m_op(struct model *m);
/* Undo everything the model holds; TEST_* result. */
int m_teardown(struct model *m);
/* Which live region holds va (-1 if none) and its IOVA by the model. */
int m_region_of(const struct model *m, uintptr_t va, rte_iova_t *iova);
/* The subscriber's callback. */
int m_sub_cb(const struct rte_extmem_event *ev, void *arg);

/* test_model_check.c: compare the model with the library; TEST_*. */
int m_check(struct model *m);

#endif /* TEST_MODEL_H */
