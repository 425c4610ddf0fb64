/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Pinning and resolving a region of 4 GiB or more in PA mode, which the
 * library splits among one thread per EAL lcore: every page pinned and
 * its physical address right, the same as pagemap says, in every slice.
 * The memory is a private read-only anonymous mapping: pinning it maps
 * the kernel's zero page everywhere, so 4 GiB cost only page tables.
 */

#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_lcore.h>

#include "test.h"
#include "test_region_util.h"

#define SZ_4K 4096UL
#define SZ_1G (1UL << 30)
#define PIN_LEN (4 * SZ_1G + 16 * SZ_4K)

static int
test_region_pin_parallel(void)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	size_t n = PIN_LEN / SZ_4K, k;
	rte_iova_t zero_pa, io;
	uint8_t *m;
	int ret = TEST_FAILED;

	if (rte_eal_iova_mode() != RTE_IOVA_PA)
		TEST_SKIP("IOVA-as-VA mode: nothing is pinned");
	m = mmap(NULL, PIN_LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_NORESERVE, -1, 0);
	TEST_ASSERT(m != MAP_FAILED, "mmap");
	test_region_params(&p, "pin_parallel", RTE_EXTMEM_BACKING_USER, m,
		PIN_LEN);
	r = rte_extmem_region_create(&p);
	if (r == NULL) {
		TEST_LOG("region create: %s", rte_strerror(rte_errno));
		goto out;
	}
	TEST_LOG("%zu pages pinned with %u EAL lcores", n, rte_lcore_count());
	if (rte_extmem_region_info_get(r, &info) != 0 ||
			info.n_pages != n || info.n_bad_iova != 0) {
		TEST_LOG("info: %u pages, %u without IOVA", info.n_pages,
			info.n_bad_iova);
		goto destroy;
	}
	zero_pa = test_pagemap_pa(m);
	if (zero_pa == RTE_BAD_IOVA) {
		TEST_LOG("the first page is not pinned");
		goto destroy;
	}
	/* every slice of every thread: a page in each 64 MiB, the last */
	for (k = 0; k < n; k += (64UL << 20) / SZ_4K + 1) {
		io = rte_extmem_virt2iova(m + k * SZ_4K + 7);
		if (io != zero_pa + 7 || test_pagemap_pa(m + k * SZ_4K) !=
				zero_pa) {
			TEST_LOG("page %zu: IOVA %#" PRIx64 ", expected %#"
				PRIx64, k, io, zero_pa + 7);
			goto destroy;
		}
	}
	if (rte_extmem_virt2iova(m + PIN_LEN - 1) != zero_pa + SZ_4K - 1) {
		TEST_LOG("last page");
		goto destroy;
	}
	ret = TEST_SUCCESS;
destroy:
	if (rte_extmem_region_destroy(r) != 0) {
		TEST_LOG("destroy: %s", rte_strerror(rte_errno));
		ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS && test_region_gone("pin_parallel", m,
			PIN_LEN) != TEST_SUCCESS)
		ret = TEST_FAILED;
out:
	munmap(m, PIN_LEN);
	return ret;
}

REGISTER_EXTMEM_TEST(region_pin_parallel, test_region_pin_parallel, 0);
