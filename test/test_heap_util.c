/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Helpers shared by the heap tests. */

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_region_util.h"

const enum rte_extmem_backing test_heap_backings[] = {
	RTE_EXTMEM_BACKING_ANON,
	RTE_EXTMEM_BACKING_ANON_THP,
	RTE_EXTMEM_BACKING_HUGETLB,
	RTE_EXTMEM_BACKING_SHARED,
	RTE_EXTMEM_BACKING_USER,
};
const unsigned int test_heap_n_backings = RTE_DIM(test_heap_backings);

int
test_heap_make(struct test_heap *th, const char *name,
	enum rte_extmem_backing b, size_t len, size_t grow_len,
	size_t max_len)
{
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;

	memset(th, 0, sizeof(*th));
	TEST_ASSERT_EQ(rte_extmem_heap_params_init(&hp), 0, "params_init");
	TEST_ASSERT_EQ(rte_extmem_region_params_init(&hp_r), 0, "params_init");
	hp.region = &hp_r;
	hp.name = name;
	hp_r.backing = b;
	hp_r.len = len;
	hp.grow_len = grow_len;
	hp.max_len = max_len;
	if (b == RTE_EXTMEM_BACKING_USER) {
		th->user_mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		TEST_ASSERT(th->user_mem != MAP_FAILED, "mmap %zu", len);
		th->user_len = len;
		hp_r.addr = th->user_mem;
	}
	th->h = rte_extmem_heap_create(&hp);
	if (th->h == NULL && b == RTE_EXTMEM_BACKING_HUGETLB &&
			(rte_errno == ENOMEM || rte_errno == ENOTSUP))
		TEST_SKIP("heap %s: no %zu bytes of free 2M hugetlb pages "
			"(%s); other tests share the pool", name, len,
			rte_strerror(rte_errno));
	if (th->h == NULL && th->user_mem != NULL)
		munmap(th->user_mem, th->user_len);
	TEST_ASSERT_NOT_NULL(th->h, "heap %s on %s: %s", name,
		rte_extmem_backing_name(b), rte_strerror(rte_errno));
	th->socket = test_heap_socket(th->h);
	TEST_ASSERT_GE(th->socket, RTE_MAX_NUMA_NODES, "external socket ID");
	return TEST_SUCCESS;
}

int
test_heap_free(struct test_heap *th)
{
	if (th->h != NULL)
		TEST_ASSERT_EQ(rte_extmem_heap_destroy(th->h), 0,
			"destroy heap: %s", rte_strerror(rte_errno));
	th->h = NULL;
	if (th->user_mem != NULL)
		munmap(th->user_mem, th->user_len);
	th->user_mem = NULL;
	return TEST_SUCCESS;
}

bool
test_heap_contains(const struct rte_extmem_heap *h, const void *p, size_t len)
{
	struct rte_extmem_region *regions[64];
	struct rte_extmem_region_info info;
	int i, n;

	n = rte_extmem_heap_regions_get(h, regions, RTE_DIM(regions));
	for (i = 0; i < RTE_MIN(n, (int)RTE_DIM(regions)); i++) {
		if (rte_extmem_region_info_get(regions[i], &info) != 0)
			continue;
		if ((uintptr_t)p >= (uintptr_t)info.addr &&
				(uintptr_t)p + len <= (uintptr_t)info.addr +
					info.len)
			return true;
	}
	return false;
}

void
test_heap_snap(struct test_heap_snap *s)
{
	s->heaps = test_heap_count();
	s->regions = test_region_count();
	s->msls = test_msl_count();
}

int
test_heap_snap_same(const struct test_heap_snap *s, const char *what)
{
	struct test_heap_snap now;

	test_heap_snap(&now);
	TEST_ASSERT_EQ(now.heaps, s->heaps, "heap count after %s", what);
	TEST_ASSERT_EQ(now.regions, s->regions, "region count after %s", what);
	TEST_ASSERT_EQ(now.msls, s->msls, "memseg lists after %s", what);
	return TEST_SUCCESS;
}

unsigned int
test_heap_free_eal_heaps(void)
{
	/* native heaps (one per socket in use) and this library's heaps:
	 * the tests create no other EAL heap
	 */
	return RTE_MAX_HEAPS - rte_socket_count() - test_heap_count();
}
