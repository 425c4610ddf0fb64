/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The operations of the model-based random-sequence test. Each draws its
 * arguments (sometimes bad ones) from the model's generator, predicts
 * the result from the model alone (return value, rte_errno), calls the
 * public API, asserts the prediction and updates the model. Only public
 * behaviour is asserted, never how the library does it.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_extmem_devmap.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_model.h"
#include "test_region_util.h"

#define PG 4096UL
#define MB (1UL << 20)

/* Expect a failure with err; nothing else is asserted here (m_check
 * compares the whole model afterwards: nothing changed).
 */
#define M_FAILS(expr_failed, err, what) do { \
	int expected_errno = (err); \
	TEST_ASSERT_ERRNO((expr_failed), expected_errno, "%s (expected %s)", \
		(what), rte_strerror(expected_errno)); \
	m->n_refused++; \
} while (0)

static int
free_slot(const bool *live, size_t stride, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!*(const bool *)((const char *)live + i * stride))
			return (int)i;
	return -1;
}

#define M_FREE_SLOT(arr) free_slot(&(arr)[0].live, sizeof((arr)[0]), \
	RTE_DIM(arr))

/* A random live element of arr for which cond(i) holds, or -1. */
#define M_PICK(m, arr, cond) __extension__ ({ \
	unsigned int k_, n_ = RTE_DIM(arr), s_ = m_below(m, n_); \
	int r_ = -1; \
	for (k_ = 0; k_ < n_; k_++) { \
		unsigned int i = (s_ + k_) % n_; \
		if ((arr)[i].live && (cond)) { \
			r_ = (int)i; \
			break; \
		} \
	} \
	r_; \
})

int
m_sub_cb(const struct rte_extmem_event *ev, void *arg)
{
	struct m_sub *s = arg;

	if (ev->rollback || ev->type >= TEST_EVENT_TYPES)
		return 0;
	if (s->refuse == (int)ev->type) {
		s->refused++;
		return -EPERM;
	}
	if (ev->replay)
		s->replayed++;
	else
		s->seen[ev->type]++;
	return 0;
}

/* Arm the subscriber to refuse the next event of type t (pct %). */
static bool
m_arm_refusal(struct model *m, enum rte_extmem_event_type t, unsigned int pct)
{
	if (!m->sub.live || !m_chance(m, pct))
		return false;
	m->sub.refuse = (int)t;
	return true;
}

static void
m_expect_event(struct model *m, enum rte_extmem_event_type t, unsigned int n)
{
	if (m->sub.live)
		m->sub_expect[t] += n;
}

/* Fill slot i from the library's description of a new region. */
static int
m_region_adopt(struct model *m, int i, struct rte_extmem_region *h, int heap,
	const rte_iova_t *table, bool no_iova)
{
	struct rte_extmem_region_info info;
	struct m_region *r = &m->r[i];
	unsigned int p;

	TEST_ASSERT_EQ(rte_extmem_region_info_get(h, &info), 0, "info");
	free(r->iovas);
	memset(r, 0, sizeof(*r));
	r->h = h;
	snprintf(r->name, sizeof(r->name), "%s", info.name);
	r->backing = info.backing;
	r->va = (uintptr_t)info.addr;
	r->len = info.len;
	r->pgsz = info.page_sz;
	r->n_pages = info.n_pages;
	r->heap = heap;
	r->iovas = calloc(r->n_pages, sizeof(*r->iovas));
	TEST_ASSERT_NOT_NULL(r->iovas, "no memory");
	/* the model's own IOVAs: the table, none, or from the system */
	for (p = 0; p < r->n_pages; p++) {
		uintptr_t va = r->va + (size_t)p * r->pgsz;

		if (table != NULL)
			r->iovas[p] = table[p];
		else if (no_iova)
			r->iovas[p] = RTE_BAD_IOVA;
		else if (rte_eal_iova_mode() == RTE_IOVA_VA)
			r->iovas[p] = va;
		else
			r->iovas[p] = test_pagemap_pa((void *)va);
		r->n_known += r->iovas[p] != RTE_BAD_IOVA;
	}
	for (p = 0; p < M_PORTS; p++)
		r->mapped[p] = m->dev[p] != NULL && r->n_known > 0;
	r->live = true;
	return TEST_SUCCESS;
}

static void
m_region_forget(struct model *m, unsigned int i)
{
	struct m_region *r = &m->r[i];

	r->live = false;
	if (r->mem != NULL)
		munmap(r->mem, r->mem_len);
	r->mem = NULL;
}

enum m_kind {
	K_ANON, K_THP, K_HUGETLB, K_SHARED, K_USER, K_USER_TABLE, K_DEVICE,
	K_NO_IOVA, K_MAX
};

static unsigned int
m_count_backing(const struct model *m, enum rte_extmem_backing b)
{
	unsigned int i, n = 0;

	for (i = 0; i < M_REGIONS; i++)
		n += m->r[i].live && m->r[i].backing == b;
	return n;
}

/* A bad variant of p for the region create test: the errno expected. */
static int
m_region_mutate(struct model *m, struct rte_extmem_region_params *p,
	bool table, char *longname, size_t longsz)
{
	int live_r = M_PICK(m, m->r, true);
	int live_h = M_PICK(m, m->hp, true);

	switch (m_below(m, 12)) {
	case 0:
		p->len = 0;
		return EINVAL;
	case 1:
		p->name = NULL;
		return EINVAL;
	case 2:
		memset(longname, 'n', longsz - 1);
		longname[longsz - 1] = '\0';
		p->name = longname;
		return EINVAL;
	case 3:
		if (live_r < 0)
			break;
		p->name = m->r[live_r].name;
		return EEXIST;
	case 4:
		if (live_h < 0)
			break;
		p->name = m->hp[live_h].name;	/* one namespace */
		return EEXIST;
	case 5:
		p->backing = TEST_BACKING_INVALID;
		return EINVAL;
	case 6:
		p->flags = RTE_BIT64(40);
		return EINVAL;
	case 7:
		if (p->addr == NULL)
			break;
		p->addr = (char *)p->addr + 64;
		return EINVAL;
	case 8:
		/* the caller's range over a live region */
		if (live_r < 0 || m->r[live_r].backing == RTE_EXTMEM_BACKING_DEVICE)
			break;
		p->backing = RTE_EXTMEM_BACKING_USER;
		p->addr = (void *)m->r[live_r].va;
		p->len = PG;
		p->page_sz = 0;
		p->iovas = NULL;
		p->n_iovas = 0;
		p->flags = 0;
		return EADDRINUSE;
	case 9:
		p->page_sz = 12345;
		return EINVAL;
	case 10:
		p->struct_size = 8;
		return EINVAL;
	default:
		if (!table)
			break;
		p->n_iovas--;
		return EINVAL;
	}
	p->len = 0;
	return EINVAL;
}

static int
op_region_create(struct model *m)
{
	struct rte_extmem_region_params p;
	rte_iova_t table[M_PAGES_MAX];
	char name[RTE_EXTMEM_NAMESIZE], longname[48];
	enum m_kind k = (enum m_kind)m_below(m, K_MAX);
	unsigned int n = 1 + m_below(m, M_PAGES_MAX), i;
	struct rte_extmem_region *h;
	void *mem = NULL;
	size_t mem_len = 0;
	bool refuse;
	int slot = M_FREE_SLOT(m->r), err = 0;

	if (slot < 0)
		return TEST_SUCCESS;
	rte_extmem_region_params_init(&p);
	snprintf(name, sizeof(name), "mr%u", m->serial++);
	p.name = name;
	p.len = n * PG;
	switch (k) {
	case K_THP:
		if (m_count_backing(m, RTE_EXTMEM_BACKING_ANON_THP) >= 2)
			return TEST_SUCCESS;
		p.backing = RTE_EXTMEM_BACKING_ANON_THP;
		p.len = RTE_PGSIZE_2M;
		break;
	case K_HUGETLB:
		if (!m->hugetlb_ok ||
				m_count_backing(m, RTE_EXTMEM_BACKING_HUGETLB) > 0)
			return TEST_SUCCESS;
		p.backing = RTE_EXTMEM_BACKING_HUGETLB;
		p.len = RTE_PGSIZE_2M;
		p.page_sz = RTE_PGSIZE_2M;
		break;
	case K_SHARED:
		p.backing = RTE_EXTMEM_BACKING_SHARED;
		break;
	case K_USER:
	case K_USER_TABLE:
	case K_DEVICE:
		mem_len = p.len;
		mem = mmap(NULL, mem_len, k == K_DEVICE ? PROT_NONE :
			PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
			(k == K_DEVICE ? 0 : MAP_POPULATE), -1, 0);
		TEST_ASSERT(mem != MAP_FAILED, "mmap");
		p.backing = k == K_DEVICE ? RTE_EXTMEM_BACKING_DEVICE :
			RTE_EXTMEM_BACKING_USER;
		p.addr = mem;
		p.page_sz = PG;
		if (k != K_USER) {
			/* made-up IOVAs, pairs of pages swapped */
			for (i = 0; i < n; i++)
				table[i] = 0x5a0000000000ULL +
					((uint64_t)m->serial << 24) +
					(uint64_t)(i ^ 1) * PG;
			if (n % 2 == 1)
				table[n - 1] = 0x5a0000000000ULL +
					((uint64_t)m->serial << 24) +
					(uint64_t)(n - 1) * PG;
			p.iovas = table;
			p.n_iovas = n;
		}
		break;
	case K_NO_IOVA:
		p.flags = RTE_EXTMEM_REGION_F_NO_IOVA;
		break;
	default:
		break;
	}
	if (m_chance(m, 20))
		err = m_region_mutate(m, &p, p.iovas != NULL, longname,
			sizeof(longname));
	refuse = err == 0 &&
		m_arm_refusal(m, RTE_EXTMEM_EVENT_REGION_REGISTERED, 15);
	h = rte_extmem_region_create(&p);
	m->sub.refuse = -1;
	if (err != 0 || refuse) {
		if (mem != NULL)
			munmap(mem, mem_len);
		M_FAILS(h == NULL, err != 0 ? err : ECANCELED,
			err != 0 ? "bad region parameters" : "refused region");
		return TEST_SUCCESS;
	}
	if (h == NULL && (k == K_HUGETLB || k == K_THP) &&
			(rte_errno == ENOMEM || rte_errno == ENOTSUP)) {
		TEST_LOG("%s backing unavailable here (%s): not used further",
			k == K_HUGETLB ? "hugetlb" : "thp",
			rte_strerror(rte_errno));
		m->hugetlb_ok = m->hugetlb_ok && k != K_HUGETLB;
		return TEST_SUCCESS;
	}
	TEST_ASSERT_NOT_NULL(h, "region %s (kind %d): %s", name, k,
		rte_strerror(rte_errno));
	TEST_RUN(m_region_adopt(m, slot, h, -1, p.iovas, k == K_NO_IOVA));
	m->r[slot].mem = mem;
	m->r[slot].mem_len = mem_len;
	if (mem != NULL)
		TEST_ASSERT_EQ(m->r[slot].va, (uintptr_t)mem, "caller's address");
	if (k != K_DEVICE) {
		/* the CPU can use the memory */
		((volatile uint8_t *)m->r[slot].va)[0] = 0x5a;
		((volatile uint8_t *)m->r[slot].va)[m->r[slot].len - 1] = 0xa5;
	}
	m_expect_event(m, RTE_EXTMEM_EVENT_REGION_REGISTERED, 1);
	m->n_ok++;
	return TEST_SUCCESS;
}

/* A handle of a dead region that no live region reuses, or NULL. */
static struct rte_extmem_region *
m_stale_region(struct model *m)
{
	unsigned int k, j;

	for (k = 0; k < M_REGIONS; k++) {
		if (m->r[k].live || m->r[k].h == NULL)
			continue;
		for (j = 0; j < M_REGIONS; j++)
			if (m->r[j].live && m->r[j].h == m->r[k].h)
				break;
		if (j == M_REGIONS)
			return m->r[k].h;
	}
	return NULL;
}

static int
op_region_destroy(struct model *m)
{
	struct rte_extmem_region *stale;
	struct m_region *r;
	bool refuse;
	int i, err;

	if (m_chance(m, 10)) {
		stale = m_stale_region(m);
		if (stale != NULL)
			M_FAILS(rte_extmem_region_destroy(stale) == -1, EINVAL,
				"destroy a dead region");
		return TEST_SUCCESS;
	}
	i = M_PICK(m, m->r, true);
	if (i < 0)
		return TEST_SUCCESS;
	r = &m->r[i];
	err = r->heap >= 0 || r->app_users + r->lib_users > 0 ? EBUSY : 0;
	refuse = err == 0 &&
		m_arm_refusal(m, RTE_EXTMEM_EVENT_REGION_UNREGISTERED, 15);
	if (err != 0 || refuse) {
		int ret = rte_extmem_region_destroy(r->h);

		m->sub.refuse = -1;
		M_FAILS(ret == -1, err != 0 ? err : ECANCELED,
			"refused destroy");
		return TEST_SUCCESS;
	}
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r->h), 0, "destroy %s: %s",
		r->name, rte_strerror(rte_errno));
	r->live = false;
	TEST_ASSERT_EQ(rte_extmem_virt2iova((void *)r->va), RTE_BAD_IOVA,
		"region %s still translated", r->name);
	m_region_forget(m, i);
	m_expect_event(m, RTE_EXTMEM_EVENT_REGION_UNREGISTERED, 1);
	m->n_ok++;
	return TEST_SUCCESS;
}

/* Heap hi goes (pool freed, last user gone): forget it and its regions. */
static void
m_heap_gone(struct model *m, int hi)
{
	unsigned int i;

	for (i = 0; i < M_REGIONS; i++)
		if (m->r[i].live && m->r[i].heap == hi) {
			m_region_forget(m, i);
			m_expect_event(m, RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED, 1);
		}
	m->hp[hi].live = false;
	m->hp[hi].pool = -1;
	m->hp[hi].pool_gone = false;
}

/* A heap whose pool was freed with rte_mempool_free() goes once idle. */
static void
m_heap_maybe_gone(struct model *m, int hi)
{
	unsigned int i;

	if (hi < 0 || !m->hp[hi].live || !m->hp[hi].pool_gone)
		return;
	for (i = 0; i < M_REGIONS; i++)
		if (m->r[i].live && m->r[i].heap == hi &&
				(m->r[i].app_users + m->r[i].lib_users > 0 ||
				 m->r[i].allocs > 0))
			return;
	m_heap_gone(m, hi);
}

static int
op_region_user(struct model *m)
{
	struct m_region *r;
	int i = M_PICK(m, m->r, true);

	if (i < 0)
		return TEST_SUCCESS;
	r = &m->r[i];
	if (m_chance(m, 50) && r->app_users < 3) {
		TEST_ASSERT_EQ(rte_extmem_region_user_get(r->h), 0, "user get");
		r->app_users++;
	} else if (r->app_users == 0) {
		M_FAILS(rte_extmem_region_user_put(r->h) == -1, EINVAL,
			"put without get");
		return TEST_SUCCESS;
	} else {
		TEST_ASSERT_EQ(rte_extmem_region_user_put(r->h), 0, "user put");
		r->app_users--;
		m_heap_maybe_gone(m, r->heap);
	}
	m->n_ok++;
	return TEST_SUCCESS;
}

/* All live regions of the model. */
static unsigned int
m_live_regions(const struct model *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < M_REGIONS; i++)
		n += m->r[i].live;
	return n;
}

/* The live regions of heap hi, in the model. */
static unsigned int
m_heap_regions(const struct model *m, int hi)
{
	unsigned int i, n = 0;

	for (i = 0; i < M_REGIONS; i++)
		n += m->r[i].live && m->r[i].heap == hi;
	return n;
}

/* Adopt the regions of heap hi that the model does not know yet. */
static int
m_heap_adopt_new(struct model *m, int hi, unsigned int *n_new)
{
	struct rte_extmem_region *regs[M_REGIONS];
	int n, j, slot;
	unsigned int i;

	*n_new = 0;
	n = rte_extmem_heap_regions_get(m->hp[hi].h, regs, RTE_DIM(regs));
	TEST_ASSERT(n >= 0, "regions_get");
	for (j = 0; j < n; j++) {
		for (i = 0; i < M_REGIONS; i++)
			if (m->r[i].live && m->r[i].h == regs[j])
				break;
		if (i < M_REGIONS)
			continue;
		slot = M_FREE_SLOT(m->r);
		TEST_ASSERT(slot >= 0, "no model slot for a new heap region");
		TEST_RUN(m_region_adopt(m, slot, regs[j], hi, NULL, false));
		(*n_new)++;
	}
	return TEST_SUCCESS;
}

static int
op_heap_create(struct model *m)
{
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;
	char name[RTE_EXTMEM_NAMESIZE];
	struct rte_extmem_heap *h;
	int slot = M_FREE_SLOT(m->hp), err = 0, live_r, live_h;
	unsigned int n_new;
	bool refuse;

	if (slot < 0 || m_live_regions(m) + 4 > M_REGIONS)
		return TEST_SUCCESS;
	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	snprintf(name, sizeof(name), "mh%u", m->serial++);
	hp.name = name;
	hp_r.len = m_chance(m, 50) ? 256 * 1024 : MB;
	hp.grow_len = m_chance(m, 50) ? MB : 0;
	if (m_chance(m, 20)) {
		live_r = M_PICK(m, m->r, true);
		live_h = M_PICK(m, m->hp, true);
		switch (m_below(m, 5)) {
		case 0:
			hp.name = "socket_0";
			err = EPERM;
			break;
		case 1:
			if (live_h < 0)
				break;
			hp.name = m->hp[live_h].name;
			err = EEXIST;
			break;
		case 2:
			if (live_r < 0)
				break;
			hp.name = m->r[live_r].name;	/* one namespace */
			err = EEXIST;
			break;
		case 3:
			hp_r.backing = RTE_EXTMEM_BACKING_DEVICE;
			err = EINVAL;
			break;
		default:
			hp.grow_len = 12345;
			err = EINVAL;
			break;
		}
	}
	refuse = err == 0 &&
		m_arm_refusal(m, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED, 15);
	h = rte_extmem_heap_create(&hp);
	m->sub.refuse = -1;
	if (err != 0 || refuse) {
		M_FAILS(h == NULL, err != 0 ? err : ECANCELED,
			"bad or refused heap");
		return TEST_SUCCESS;
	}
	TEST_ASSERT_NOT_NULL(h, "heap %s: %s", name, rte_strerror(rte_errno));
	memset(&m->hp[slot], 0, sizeof(m->hp[slot]));
	m->hp[slot].h = h;
	snprintf(m->hp[slot].name, sizeof(m->hp[slot].name), "%s", name);
	m->hp[slot].socket = test_heap_socket(h);
	TEST_ASSERT(m->hp[slot].socket >= RTE_MAX_NUMA_NODES, "heap socket");
	m->hp[slot].grow_len = hp.grow_len;
	m->hp[slot].pool = -1;
	m->hp[slot].live = true;
	TEST_RUN(m_heap_adopt_new(m, slot, &n_new));
	TEST_ASSERT_EQ(n_new, 1, "one region");
	m_expect_event(m, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED, 1);
	m->n_ok++;
	return TEST_SUCCESS;
}

static bool
m_heap_busy(const struct model *m, int hi)
{
	unsigned int i;

	if (m->hp[hi].pool >= 0 || m->hp[hi].pool_gone)
		return true;
	for (i = 0; i < M_REGIONS; i++)
		if (m->r[i].live && m->r[i].heap == hi &&
				(m->r[i].allocs > 0 ||
				 m->r[i].app_users + m->r[i].lib_users > 0))
			return true;
	return false;
}

static int
op_heap_destroy(struct model *m)
{
	int hi = M_PICK(m, m->hp, true);
	unsigned int n;

	if (hi < 0)
		return TEST_SUCCESS;
	if (m_heap_busy(m, hi)) {
		M_FAILS(rte_extmem_heap_destroy(m->hp[hi].h) == -1, EBUSY,
			"destroy a busy heap");
		return TEST_SUCCESS;
	}
	n = m_heap_regions(m, hi);
	TEST_ASSERT_EQ(rte_extmem_heap_destroy(m->hp[hi].h), 0, "destroy %s: %s",
		m->hp[hi].name, rte_strerror(rte_errno));
	m_heap_gone(m, hi);
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup(m->hp[hi].name) == NULL,
		ENOENT, "heap gone");
	RTE_SET_USED(n);
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_heap_alloc(struct model *m)
{
	int hi = M_PICK(m, m->hp, m->hp[i].pool < 0 && !m->hp[i].pool_gone);
	int ai = M_FREE_SLOT(m->a), ri;
	unsigned int n_reg, n_new;
	bool upstream = m_chance(m, 40), big, full;
	rte_iova_t io;
	size_t sz;
	void *p;

	if (hi < 0 || ai < 0)
		return TEST_SUCCESS;
	n_reg = m_heap_regions(m, hi);
	big = !upstream && m->hp[hi].grow_len != 0 && n_reg < 4 &&
		m_live_regions(m) + 2 < M_REGIONS && m_chance(m, 15);
	sz = big ? MB + MB / 2 : 64 + m_below(m, 4033);
	/* regions nearly filled by a big allocation may or may not have
	 * room for a small one
	 */
	for (ri = 0; ri < M_REGIONS; ri++)
		if (m->r[ri].live && m->r[ri].heap == hi &&
				m->r[ri].bigs == 0)
			break;
	full = ri == M_REGIONS;
	if (n_reg == 0 && (upstream || m->hp[hi].grow_len == 0)) {
		p = upstream ? rte_malloc_socket("model", sz, 0,
			m->hp[hi].socket) :
			rte_extmem_heap_malloc(m->hp[hi].h, "model", sz, 0);
		TEST_ASSERT_NULL(p, "allocation from a heap without memory");
		m->n_refused++;
		return TEST_SUCCESS;
	}
	if ((n_reg == 0 || full) && m_live_regions(m) + 2 >= M_REGIONS)
		return TEST_SUCCESS;
	p = upstream ? rte_malloc_socket("model", sz, 0, m->hp[hi].socket) :
		rte_extmem_heap_malloc(m->hp[hi].h, "model", sz, 0);
	if (p == NULL && full && (upstream || m->hp[hi].grow_len == 0)) {
		m->n_refused++;
		return TEST_SUCCESS;	/* no room left, no growth */
	}
	TEST_ASSERT_NOT_NULL(p, "%zu bytes from heap %s (%s)", sz,
		m->hp[hi].name, upstream ? "rte_malloc_socket" :
		"rte_extmem_heap_malloc");
	TEST_RUN(m_heap_adopt_new(m, hi, &n_new));
	TEST_ASSERT(n_new <= 1, "grown by %u regions", n_new);
	if (n_reg == 0 || (!big && !full))
		TEST_ASSERT_EQ(n_new, n_reg == 0 ? 1 : 0,
			"growth for %zu bytes", sz);
	if (upstream)
		TEST_ASSERT_EQ(n_new, 0, "upstream allocation grew the heap");
	m_expect_event(m, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED, n_new);
	ri = m_region_of(m, (uintptr_t)p, &io);
	TEST_ASSERT(ri >= 0 && m->r[ri].heap == hi, "allocation %p not in "
		"a region of heap %s", p, m->hp[hi].name);
	TEST_ASSERT((uintptr_t)p + sz <= m->r[ri].va + m->r[ri].len,
		"allocation %p +%zu beyond region %s", p, sz, m->r[ri].name);
	TEST_ASSERT_EQ(rte_malloc_virt2iova(p), io, "EAL's IOVA of %p", p);
	m->r[ri].allocs++;
	m->r[ri].bigs += big;
	m->a[ai].big = big;
	m->a[ai].live = true;
	m->a[ai].p = p;
	m->a[ai].sz = sz;
	m->a[ai].heap = hi;
	m->a[ai].region = ri;
	m->a[ai].pattern = (uint8_t)m_rand(m);
	m->a[ai].p[0] = m->a[ai].pattern;
	m->a[ai].p[sz - 1] = m->a[ai].pattern;
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_heap_free(struct model *m)
{
	int ai = M_PICK(m, m->a, true);
	struct m_alloc *a;

	if (ai < 0)
		return TEST_SUCCESS;
	a = &m->a[ai];
	TEST_ASSERT(a->p[0] == a->pattern && a->p[a->sz - 1] == a->pattern,
		"allocation %p content", (void *)a->p);
	rte_free(a->p);
	a->live = false;
	m->r[a->region].allocs--;
	m->r[a->region].bigs -= a->big;
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_heap_region_add(struct model *m)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region *h;
	int hi = M_PICK(m, m->hp, true), slot = M_FREE_SLOT(m->r), err = 0;
	bool refuse;

	if (hi < 0 || slot < 0 || m_live_regions(m) + 2 >= M_REGIONS)
		return TEST_SUCCESS;
	rte_extmem_region_params_init(&p);
	p.len = 256 * 1024;
	if (m->hp[hi].pool >= 0 || m->hp[hi].pool_gone)
		err = EPERM;	/* a pool's heap takes no region */
	else if (m_chance(m, 15)) {
		p.backing = RTE_EXTMEM_BACKING_DEVICE;
		err = EINVAL;
	}
	refuse = err == 0 &&
		m_arm_refusal(m, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED, 15);
	h = rte_extmem_heap_region_add(m->hp[hi].h, &p);
	m->sub.refuse = -1;
	if (err != 0 || refuse) {
		M_FAILS(h == NULL, err != 0 ? err : ECANCELED,
			"bad or refused heap region");
		return TEST_SUCCESS;
	}
	TEST_ASSERT_NOT_NULL(h, "region add: %s", rte_strerror(rte_errno));
	TEST_RUN(m_region_adopt(m, slot, h, hi, NULL, false));
	m_expect_event(m, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED, 1);
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_heap_region_remove(struct model *m)
{
	int hi = M_PICK(m, m->hp, true), ri;
	struct m_region *r;
	bool refuse;
	int err;

	if (hi < 0)
		return TEST_SUCCESS;
	ri = M_PICK(m, m->r, m->r[i].heap == hi);
	if (ri < 0)
		return TEST_SUCCESS;
	r = &m->r[ri];
	err = r->allocs > 0 || r->app_users + r->lib_users > 0 ? EBUSY : 0;
	refuse = err == 0 &&
		m_arm_refusal(m, RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED, 15);
	if (err != 0 || refuse) {
		int ret = rte_extmem_heap_region_remove(m->hp[hi].h, r->h);

		m->sub.refuse = -1;
		M_FAILS(ret == -1, err != 0 ? err : ECANCELED,
			"busy or refused region removal");
		return TEST_SUCCESS;
	}
	TEST_ASSERT_EQ(rte_extmem_heap_region_remove(m->hp[hi].h, r->h), 0,
		"remove %s: %s", r->name, rte_strerror(rte_errno));
	m_region_forget(m, ri);
	m_expect_event(m, RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED, 1);
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_heap_trim(struct model *m)
{
	int hi = M_PICK(m, m->hp, true);
	unsigned int i, n = 0;

	if (hi < 0)
		return TEST_SUCCESS;
	for (i = 0; i < M_REGIONS; i++)
		if (m->r[i].live && m->r[i].heap == hi && m->r[i].allocs == 0 &&
				m->r[i].app_users + m->r[i].lib_users == 0)
			n++;
	TEST_ASSERT_EQ(rte_extmem_heap_trim(m->hp[hi].h), (int)n,
		"trim of heap %s", m->hp[hi].name);
	for (i = 0; i < M_REGIONS; i++)
		if (m->r[i].live && m->r[i].heap == hi && m->r[i].allocs == 0 &&
				m->r[i].app_users + m->r[i].lib_users == 0)
			m_region_forget(m, i);
	m_expect_event(m, RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED, n);
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_pool_create(struct model *m)
{
	struct rte_extmem_region_params bp;
	char name[RTE_EXTMEM_NAMESIZE];
	struct rte_mempool *mp;
	unsigned int n = 127, n_new;
	int hi = M_FREE_SLOT(m->hp), live_h, err = 0;

	if (m->pool.live || hi < 0 || m_live_regions(m) + 4 > M_REGIONS)
		return TEST_SUCCESS;
	rte_extmem_region_params_init(&bp);
	snprintf(name, sizeof(name), "mp%u", m->serial++);
	if (m_chance(m, 15)) {
		live_h = M_PICK(m, m->hp, true);
		if (live_h >= 0 && m_chance(m, 50)) {
			snprintf(name, sizeof(name), "%s", m->hp[live_h].name);
			err = EEXIST;
		} else {
			n = 0;
			err = EINVAL;
		}
	}
	mp = rte_extmem_pktmbuf_pool_create(name, n, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, &bp);
	if (err != 0) {
		M_FAILS(mp == NULL, err, "bad pool");
		return TEST_SUCCESS;
	}
	TEST_ASSERT_NOT_NULL(mp, "pool %s: %s", name, rte_strerror(rte_errno));
	memset(&m->hp[hi], 0, sizeof(m->hp[hi]));
	m->hp[hi].h = rte_extmem_heap_lookup(mp->name);
	TEST_ASSERT_NOT_NULL(m->hp[hi].h, "pool heap");
	TEST_ASSERT(rte_extmem_heap_lookup(name) == m->hp[hi].h, "by name");
	snprintf(m->hp[hi].name, sizeof(m->hp[hi].name), "%s", name);
	m->hp[hi].socket = test_heap_socket(m->hp[hi].h);
	m->hp[hi].pool = 0;
	m->hp[hi].live = true;
	TEST_RUN(m_heap_adopt_new(m, hi, &n_new));
	TEST_ASSERT_EQ(n_new, 1, "pool heap regions");
	m_expect_event(m, RTE_EXTMEM_EVENT_HEAP_REGION_ADDED, 1);
	for (n = 0; n < M_REGIONS; n++)
		if (m->r[n].live && m->r[n].heap == hi)
			m->r[n].lib_users = 1;
	memset(&m->pool, 0, sizeof(m->pool));
	m->pool.mp = mp;
	m->pool.heap = hi;
	m->pool.live = true;
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_pool_mbuf(struct model *m)
{
	struct m_pool *pl = &m->pool;
	struct rte_mbuf *mb;
	rte_iova_t io;
	unsigned int k;
	int ri;

	if (!pl->live)
		return TEST_SUCCESS;
	if (pl->n_out < M_POOL_MBUFS && m_chance(m, 55)) {
		mb = rte_pktmbuf_alloc(pl->mp);
		TEST_ASSERT_NOT_NULL(mb, "mbuf");
		ri = m_region_of(m, (uintptr_t)mb->buf_addr, &io);
		TEST_ASSERT(ri >= 0 && m->r[ri].heap == pl->heap,
			"mbuf outside its pool's heap");
		TEST_ASSERT_EQ(mb->buf_iova, io, "mbuf IOVA");
		memset(rte_pktmbuf_mtod(mb, void *), 0x6b, 64);
		pl->out[pl->n_out++] = mb;
	} else if (pl->n_out > 0) {
		k = m_below(m, pl->n_out);
		rte_pktmbuf_free(pl->out[k]);
		pl->out[k] = pl->out[--pl->n_out];
	}
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_pool_free(struct model *m)
{
	struct m_pool *pl = &m->pool;
	int hi = pl->heap;
	unsigned int i;
	bool users = false;

	if (!pl->live)
		return TEST_SUCCESS;
	for (i = 0; i < M_REGIONS; i++)
		if (m->r[i].live && m->r[i].heap == hi && m->r[i].app_users > 0)
			users = true;
	if (m_chance(m, 50)) {
		if (pl->n_out > 0 || users) {
			M_FAILS(rte_extmem_pktmbuf_pool_free(pl->mp) == -1, EBUSY,
				"free a busy pool");
			TEST_ASSERT(rte_mempool_lookup(m->hp[hi].name) == pl->mp,
				"the refused pool stays");
			return TEST_SUCCESS;
		}
		TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(pl->mp), 0,
			"pool free: %s", rte_strerror(rte_errno));
		m_heap_gone(m, hi);
	} else {
		/* upstream's free, as a DPDK user would; mbufs given back */
		if (pl->n_out > 0)
			return TEST_SUCCESS;
		rte_mempool_free(pl->mp);
		for (i = 0; i < M_REGIONS; i++)
			if (m->r[i].live && m->r[i].heap == hi)
				m->r[i].lib_users = 0;
		m->hp[hi].pool = -1;
		m->hp[hi].pool_gone = true;
		m_heap_maybe_gone(m, hi);
	}
	pl->live = false;
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_slicer(struct model *m)
{
	struct rte_extmem_slicer_params sp;
	struct m_slicer *s;
	int si = M_PICK(m, m->sl, true), ri, slot, err = 0;
	char name[RTE_EXTMEM_NAMESIZE];

	if (si >= 0 && m_chance(m, 40)) {
		s = &m->sl[si];
		if (s->n_slices > 0) {
			M_FAILS(rte_extmem_slicer_free(s->s) == -1, EBUSY,
				"free a slicer with slices");
			return TEST_SUCCESS;
		}
		TEST_ASSERT_EQ(rte_extmem_slicer_free(s->s), 0, "slicer free");
		s->live = false;
		m->r[s->region].lib_users--;
		m->n_ok++;
		return TEST_SUCCESS;
	}
	slot = M_FREE_SLOT(m->sl);
	ri = M_PICK(m, m->r, m->r[i].heap < 0 &&
		m->r[i].n_known == m->r[i].n_pages);
	if (slot < 0 || ri < 0)
		return TEST_SUCCESS;
	rte_extmem_slicer_params_init(&sp);
	snprintf(name, sizeof(name), "ms%u", m->serial++);
	sp.name = name;
	sp.region = m->r[ri].h;
	sp.n_mbufs = M_SLICER_MBUFS;
	if (m_chance(m, 15)) {
		si = M_PICK(m, m->sl, true);
		if (si >= 0 && m_chance(m, 50)) {
			sp.name = m->sl[si].name;
			err = EEXIST;
		} else {
			sp.region = NULL;
			err = EINVAL;
		}
	}
	s = &m->sl[slot];
	s->s = rte_extmem_slicer_create(&sp);
	if (err != 0) {
		M_FAILS(s->s == NULL, err, "bad slicer");
		return TEST_SUCCESS;
	}
	TEST_ASSERT_NOT_NULL(s->s, "slicer: %s", rte_strerror(rte_errno));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->region = ri;
	s->n_slices = 0;
	s->n_segs = 0;
	s->live = true;
	m->r[ri].lib_users++;
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_slice(struct model *m)
{
	int si = M_PICK(m, m->sl, true);
	const struct m_region *r;
	struct rte_mbuf *mb, *seg;
	struct m_slicer *s;
	size_t off, len, room;
	uintptr_t at;
	rte_iova_t io;
	unsigned int k;

	if (si < 0)
		return TEST_SUCCESS;
	s = &m->sl[si];
	r = &m->r[s->region];
	if (s->n_slices > 0 && (s->n_slices == M_SLICES ||
			s->n_segs >= M_SLICER_MBUFS || m_chance(m, 40))) {
		k = m_below(m, s->n_slices);
		s->n_segs -= s->slices[k]->nb_segs;
		rte_pktmbuf_free(s->slices[k]);
		s->slices[k] = s->slices[--s->n_slices];
		m->n_ok++;
		return TEST_SUCCESS;
	}
	off = m_below(m, r->len);
	/* within one page (one segment), or across up to three base pages
	 * when the slicer's mbufs have room for three more segments
	 */
	room = s->n_segs + 3 <= M_SLICER_MBUFS && m_chance(m, 50) ?
		RTE_MIN(r->len - off, 2 * PG) :
		RTE_MIN(r->pgsz - off % r->pgsz, (size_t)2048);
	len = 1 + m_below(m, room);
	if (m_chance(m, 10)) {
		mb = rte_extmem_slice_alloc(s->s,
			m_chance(m, 50) ? r->len : off,
			m_chance(m, 50) ? 0 : r->len + 1);
		M_FAILS(mb == NULL, EINVAL, "bad slice");
		return TEST_SUCCESS;
	}
	mb = rte_extmem_slice_alloc(s->s, off, len);
	TEST_ASSERT_NOT_NULL(mb, "slice %zu +%zu of %s: %s", off, len,
		r->name, rte_strerror(rte_errno));
	TEST_ASSERT_EQ(mb->pkt_len, len, "slice length");
	/* segments: back to back over the range, each IOVA-contiguous
	 * with the model's IOVA of its data
	 */
	at = r->va + off;
	for (seg = mb, k = 0; seg != NULL; seg = seg->next, k++) {
		rte_iova_t last;

		TEST_ASSERT_EQ(rte_pktmbuf_mtod(seg, uintptr_t), at,
			"segment %u data address", k);
		TEST_ASSERT(seg->data_len > 0 && at + seg->data_len <=
			r->va + off + len, "segment %u length %u", k,
			seg->data_len);
		m_region_of(m, at, &io);
		TEST_ASSERT_EQ(rte_pktmbuf_iova(seg), io, "segment %u IOVA", k);
		m_region_of(m, at + seg->data_len - 1, &last);
		TEST_ASSERT_EQ(last, io + seg->data_len - 1,
			"segment %u not IOVA-contiguous", k);
		at += seg->data_len;
	}
	TEST_ASSERT_EQ(at, r->va + off + len, "segments cover the slice");
	TEST_ASSERT_EQ(mb->nb_segs, k, "segment count");
	s->n_segs += k;
	s->slices[s->n_slices++] = mb;
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_subscriber(struct model *m)
{
	unsigned int i, n_live = 0;
	bool replay = m_chance(m, 50);

	if (m->sub.live) {
		TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("model_sub"), 0,
			"unsubscribe");
		m->sub.live = false;
		m->n_ok++;
		return TEST_SUCCESS;
	}
	memset(&m->sub, 0, sizeof(m->sub));
	memset(m->sub_expect, 0, sizeof(m->sub_expect));
	m->sub.refuse = -1;
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("model_sub",
		replay ? RTE_EXTMEM_EVENT_F_REPLAY : 0, m_sub_cb, &m->sub), 0,
		"subscribe: %s", rte_strerror(rte_errno));
	m->sub.live = true;
	TEST_ASSERT_ERRNO(rte_extmem_event_subscribe("model_sub", 0, m_sub_cb,
		&m->sub) == -1, EEXIST, "subscriber name taken");
	for (i = 0; i < M_REGIONS; i++)
		n_live += m->r[i].live;
	TEST_ASSERT_EQ(m->sub.replayed, replay ? n_live : 0,
		"regions replayed");
	m->n_ok++;
	return TEST_SUCCESS;
}

static int
op_dma(struct model *m)
{
	int ri = M_PICK(m, m->r, true);
	unsigned int p = m_below(m, M_PORTS);
	struct m_region *r;

	if (ri < 0 || m->dev[p] == NULL)
		return TEST_SUCCESS;
	r = &m->r[ri];
	if (r->mapped[p]) {
		if (m_chance(m, 20)) {
			M_FAILS(rte_extmem_devmap_map(r->h,
				rte_dev_name(m->dev[p])) == -1,
				EEXIST, "map twice");
			return TEST_SUCCESS;
		}
		TEST_ASSERT_EQ(rte_extmem_devmap_unmap(r->h,
			rte_dev_name(m->dev[p])), 0,
			"unmap %s: %s", r->name, rte_strerror(rte_errno));
		r->mapped[p] = false;
	} else if (m_chance(m, 20)) {
		M_FAILS(rte_extmem_devmap_unmap(r->h,
			rte_dev_name(m->dev[p])) == -1, ENOENT,
			"unmap what is not mapped");
		return TEST_SUCCESS;
	} else if (r->n_known == 0) {
		M_FAILS(rte_extmem_devmap_map(r->h,
			rte_dev_name(m->dev[p])) == -1, EINVAL,
			"map a region without IOVA");
		return TEST_SUCCESS;
	} else {
		TEST_ASSERT_EQ(rte_extmem_devmap_map(r->h,
			rte_dev_name(m->dev[p])), 0,
			"map %s: %s", r->name, rte_strerror(rte_errno));
		r->mapped[p] = true;
	}
	m->n_ok++;
	return TEST_SUCCESS;
}

static const struct {
	const char *name;
	int (*fn)(struct model *m);
	unsigned int weight;
} m_ops[] = {
	{ "region_create", op_region_create, 14 },
	{ "region_destroy", op_region_destroy, 9 },
	{ "region_user", op_region_user, 6 },
	{ "heap_create", op_heap_create, 4 },
	{ "heap_destroy", op_heap_destroy, 3 },
	{ "heap_alloc", op_heap_alloc, 10 },
	{ "heap_free", op_heap_free, 8 },
	{ "heap_region_add", op_heap_region_add, 4 },
	{ "heap_region_remove", op_heap_region_remove, 4 },
	{ "heap_trim", op_heap_trim, 2 },
	{ "pool_create", op_pool_create, 2 },
	{ "pool_mbuf", op_pool_mbuf, 6 },
	{ "pool_free", op_pool_free, 2 },
	{ "slicer", op_slicer, 4 },
	{ "slice", op_slice, 8 },
	{ "subscriber", op_subscriber, 2 },
	{ "dma", op_dma, 6 },
};

int
m_op(struct model *m)
{
	unsigned int total = 0, i, w;

	for (i = 0; i < RTE_DIM(m_ops); i++)
		total += m_ops[i].weight;
	w = m_below(m, total);
	for (i = 0; w >= m_ops[i].weight; i++)
		w -= m_ops[i].weight;
	m->op_name = m_ops[i].name;
	return m_ops[i].fn(m);
}

int
m_teardown(struct model *m)
{
	unsigned int i, k;

	m->op_name = "teardown";
	m->sub.refuse = -1;
	for (i = 0; i < M_SLICERS; i++) {
		if (!m->sl[i].live)
			continue;
		for (k = 0; k < m->sl[i].n_slices; k++)
			rte_pktmbuf_free(m->sl[i].slices[k]);
		TEST_ASSERT_EQ(rte_extmem_slicer_free(m->sl[i].s), 0,
			"slicer free");
		m->r[m->sl[i].region].lib_users--;
		m->sl[i].live = false;
	}
	for (i = 0; i < M_ALLOCS; i++)
		if (m->a[i].live) {
			rte_free(m->a[i].p);
			m->r[m->a[i].region].allocs--;
			m->r[m->a[i].region].bigs -= m->a[i].big;
			m->a[i].live = false;
		}
	for (i = 0; i < M_REGIONS; i++)
		for (; m->r[i].live && m->r[i].app_users > 0;
				m->r[i].app_users--)
			TEST_ASSERT_EQ(rte_extmem_region_user_put(m->r[i].h), 0,
				"user put");
	for (i = 0; i < M_HEAPS; i++)
		m_heap_maybe_gone(m, (int)i);
	if (m->pool.live) {
		for (k = 0; k < m->pool.n_out; k++)
			rte_pktmbuf_free(m->pool.out[k]);
		TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(m->pool.mp), 0,
			"pool free: %s", rte_strerror(rte_errno));
		m_heap_gone(m, m->pool.heap);
		m->pool.live = false;
	}
	for (i = 0; i < M_HEAPS; i++)
		if (m->hp[i].live) {
			TEST_ASSERT_EQ(rte_extmem_heap_destroy(m->hp[i].h), 0,
				"heap %s destroy: %s", m->hp[i].name,
				rte_strerror(rte_errno));
			m_heap_gone(m, (int)i);
		}
	for (i = 0; i < M_REGIONS; i++)
		if (m->r[i].live) {
			TEST_ASSERT_EQ(rte_extmem_region_destroy(m->r[i].h), 0,
				"region %s destroy: %s", m->r[i].name,
				rte_strerror(rte_errno));
			m_region_forget(m, i);
			m_expect_event(m, RTE_EXTMEM_EVENT_REGION_UNREGISTERED,
				1);
		}
	TEST_RUN(m_check(m));
	if (m->sub.live) {
		TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("model_sub"), 0,
			"unsubscribe");
		m->sub.live = false;
	}
	for (i = 0; i < M_REGIONS; i++) {
		free(m->r[i].iovas);
		m->r[i].iovas = NULL;
	}
	return TEST_SUCCESS;
}
