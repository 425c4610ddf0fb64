/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The model-based test's check after every operation: counts, every live
 * region's description and users, translation of sampled addresses (live
 * and dead), heap allocation counts per region, DMA state on the mrnic
 * ports and the events the test's subscriber received.
 */

#include <rte_errno.h>
#include <rte_extmem_devmap.h>
#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_dma_util.h"
#include "test_heap_util.h"
#include "test_region_util.h"
#include "test_model.h"

int
m_region_of(const struct model *m, uintptr_t va, rte_iova_t *iova)
{
	const struct m_region *r;
	unsigned int i, pg;

	for (i = 0; i < M_REGIONS; i++) {
		r = &m->r[i];
		if (!r->live || va < r->va || va >= r->va + r->len)
			continue;
		pg = (va - r->va) / r->pgsz;
		*iova = r->iovas[pg] == RTE_BAD_IOVA ? RTE_BAD_IOVA :
			r->iovas[pg] + (va - r->va) % r->pgsz;
		return (int)i;
	}
	*iova = RTE_BAD_IOVA;
	return -1;
}

static int
check_region(struct model *m, unsigned int i)
{
	struct rte_extmem_region_info info;
	const struct m_region *r = &m->r[i];

	TEST_ASSERT_EQ(rte_extmem_region_info_get(r->h, &info), 0,
		"region %s info: %s", r->name, rte_strerror(rte_errno));
	TEST_ASSERT(strcmp(info.name, r->name) == 0, "name %s", info.name);
	TEST_ASSERT_EQ((uintptr_t)info.addr, r->va, "region %s address",
		r->name);
	TEST_ASSERT_EQ(info.len, r->len, "region %s length", r->name);
	TEST_ASSERT_EQ(info.page_sz, r->pgsz, "region %s page size", r->name);
	TEST_ASSERT_EQ(info.n_bad_iova, r->n_pages - r->n_known,
		"region %s pages without IOVA", r->name);
	TEST_ASSERT_EQ(info.users, r->app_users + r->lib_users,
		"region %s users", r->name);
	TEST_ASSERT(r->heap < 0 ? info.heap[0] == '\0' :
		strcmp(info.heap, m->hp[r->heap].name) == 0,
		"region %s: heap '%s'", r->name, info.heap);
	TEST_ASSERT(rte_extmem_region_lookup(r->name) == r->h,
		"region %s by name", r->name);
	return TEST_SUCCESS;
}

/* One address: the model says which live region holds it, if any. */
static int
check_address(struct model *m, uintptr_t va)
{
	rte_iova_t exp, got;
	int i = m_region_of(m, va, &exp);

	got = rte_extmem_virt2iova((void *)va);
	TEST_ASSERT_EQ(got, exp, "virt2iova(%p), %s", (void *)va,
		i < 0 ? "no region" : m->r[i].name);
	TEST_ASSERT(rte_extmem_virt2region((void *)va) ==
		(i < 0 ? NULL : m->r[i].h), "virt2region(%p)", (void *)va);
	TEST_ASSERT_EQ(rte_extmem_range2iova((void *)va, 1), exp,
		"range2iova(%p, 1)", (void *)va);
	return TEST_SUCCESS;
}

static int
check_translation(struct model *m)
{
	const struct m_region *r;
	unsigned int k, i;

	for (k = 0; k < 4; k++) {
		i = m_below(m, M_REGIONS);
		r = &m->r[i];
		if (r->len == 0)
			continue;	/* never used */
		TEST_RUN(check_address(m, r->va + m_below(m, r->len)));
	}
	return TEST_SUCCESS;
}

static int
check_heap(struct model *m, unsigned int hi)
{
	struct rte_extmem_region *regs[M_REGIONS];
	struct rte_extmem_heap_info info;
	const struct m_heap *h = &m->hp[hi];
	unsigned int i, n_model = 0, allocs = 0, n_alloc;
	int n, j;

	TEST_ASSERT(rte_extmem_heap_lookup(h->name) == h->h, "heap %s",
		h->name);
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(h->h, &info), 0,
		"heap %s info", h->name);
	for (i = 0; i < M_REGIONS; i++)
		if (m->r[i].live && m->r[i].heap == (int)hi) {
			n_model++;
			allocs += m->r[i].allocs;
		}
	TEST_ASSERT_EQ(info.n_regions, n_model, "heap %s regions", h->name);
	TEST_ASSERT_EQ(info.socket_id, h->socket, "heap %s socket", h->name);
	TEST_ASSERT(h->pool >= 0 ? strcmp(info.pool, h->name) == 0 :
		info.pool[0] == '\0', "heap %s pool '%s'", h->name, info.pool);
	if (h->pool >= 0)
		return TEST_SUCCESS;	/* the pool's own allocations */
	TEST_ASSERT_EQ(info.alloc_count, allocs, "heap %s allocations",
		h->name);
	n = rte_extmem_heap_regions_get(h->h, regs, RTE_DIM(regs));
	TEST_ASSERT_EQ(n, (int)n_model, "heap %s regions_get", h->name);
	for (j = 0; j < n; j++) {
		for (i = 0; i < M_REGIONS; i++)
			if (m->r[i].live && m->r[i].h == regs[j])
				break;
		TEST_ASSERT(i < M_REGIONS && m->r[i].heap == (int)hi,
			"heap %s: region %d unknown to the model", h->name, j);
		TEST_ASSERT_EQ(rte_extmem_heap_region_usage(h->h, regs[j],
			&n_alloc, NULL), 0, "usage: %s",
			rte_strerror(rte_errno));
		TEST_ASSERT_EQ(n_alloc, m->r[i].allocs,
			"allocations in region %s", m->r[i].name);
	}
	return TEST_SUCCESS;
}

static int
check_dma(struct model *m)
{
	const struct m_region *r;
	unsigned int i, p;

	i = m_below(m, M_REGIONS);
	r = &m->r[i];
	if (!r->live || m->dev[0] == NULL)
		return TEST_SUCCESS;
	for (p = 0; p < M_PORTS; p++) {
		TEST_ASSERT_EQ(test_is_mapped(r->h, m->dev[p]),
			r->mapped[p], "region %s on port %u", r->name, p);
		if (r->mapped[p] && r->n_known == r->n_pages)
			TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(m->port[p],
				(void *)r->va, r->len), 1,
				"region %s in the driver of port %u", r->name,
				p);
		else if (!r->mapped[p] && r->heap < 0)
			TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(m->port[p],
				(void *)r->va, r->len), 0,
				"region %s not in the driver of port %u",
				r->name, p);
	}
	return TEST_SUCCESS;
}

int
m_check(struct model *m)
{
	unsigned int i, regions = 0, heaps = 0;

	/* heaps first: a heap call releases the heaps of freed pools */
	for (i = 0; i < M_HEAPS; i++)
		heaps += m->hp[i].live;
	TEST_ASSERT_EQ(test_heap_count(), m->heaps0 + heaps,
		"heap count");
	for (i = 0; i < M_REGIONS; i++)
		if (m->r[i].live) {
			regions++;
			TEST_RUN(check_region(m, i));
		}
	TEST_ASSERT_EQ(test_region_count(), m->regions0 + regions,
		"region count");
	TEST_RUN(check_translation(m));
	i = m_below(m, M_HEAPS);
	if (m->hp[i].live)
		TEST_RUN(check_heap(m, i));
	TEST_RUN(check_dma(m));
	if (m->sub.live)
		for (i = 0; i <= RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED; i++)
			TEST_ASSERT_EQ(m->sub.seen[i], m->sub_expect[i],
				"subscriber: %s events",
				rte_extmem_event_type_name(i));
	return TEST_SUCCESS;
}
