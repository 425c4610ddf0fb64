/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Every backing through its whole life: create, IOVAs against EAL and
 * pagemap, translation against EAL, write/read, destroy, gone from EAL and
 * from the translation table. Run by meson in both IOVA modes, with and
 * without hugepages.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_extmem.h>

#include "test.h"
#include "test_region_util.h"

#define SZ_4K 4096UL
#define SZ_2M (2UL << 20)
#define SZ_1G (1UL << 30)

/* A PROT_NONE reservation aligned to align (device memory stand-in). */
static void *
reserve_aligned(size_t len, size_t align, int prot)
{
	uint8_t *p, *a;

	p = mmap(NULL, len + align, prot, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = RTE_PTR_ALIGN_CEIL(p, align);
	if (a > p)
		munmap(p, a - p);
	munmap(a + len, p + align - a);
	return a;
}

static void
params_lib(struct rte_extmem_region_params *p, const char *name,
	enum rte_extmem_backing b, size_t len, size_t pg)
{
	test_region_params(p, name, b, NULL, len);
	p->page_sz = pg;
}

static int
test_region_anon(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true,
		.page_sz = SZ_4K,
	};
	struct rte_extmem_region_params p;

	params_lib(&p, "anon_16m", RTE_EXTMEM_BACKING_ANON, 16 * SZ_2M / 2, 0);
	TEST_RUN(test_region_lifecycle(&p, &chk));
	/* three pages: granules shared with whatever lies around */
	params_lib(&p, "anon_12k", RTE_EXTMEM_BACKING_ANON, 3 * SZ_4K, 0);
	TEST_RUN(test_region_lifecycle(&p, &chk));
	/* no IOVA resolution asked for */
	params_lib(&p, "anon_noiova", RTE_EXTMEM_BACKING_ANON, SZ_2M, 0);
	p.flags = RTE_EXTMEM_REGION_F_NO_IOVA;
	chk.iova_src = REGION_IOVA_NONE;
	TEST_RUN(test_region_lifecycle(&p, &chk));
	/* NUMA placement on node 0 */
	chk.iova_src = REGION_IOVA_RESOLVED;
	params_lib(&p, "anon_node0", RTE_EXTMEM_BACKING_ANON, SZ_2M, 0);
	p.numa_node = 0;
	if (access("/sys/devices/system/node/node0", F_OK) == 0) {
		TEST_RUN(test_region_lifecycle(&p, &chk));
	} else {
		TEST_ASSERT_ERRNO(rte_extmem_region_create(&p) == NULL, ENOTSUP,
			"NUMA node without NUMA");
		TEST_LOG("no NUMA: node 0 refused with ENOTSUP as documented");
	}
	return TEST_SUCCESS;
}

static int
test_region_thp(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true,
		.page_sz = SZ_4K,
	};
	struct rte_extmem_region_info info;
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;

	params_lib(&p, "thp_8m", RTE_EXTMEM_BACKING_ANON_THP, 4 * SZ_2M, 0);
	TEST_RUN(test_region_lifecycle(&p, &chk));
	/* the range is aligned to the THP size */
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info");
	TEST_ASSERT_EQ((uintptr_t)info.addr % SZ_2M, 0, "THP alignment");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

static int
test_region_hugetlb_2m(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true,
		.page_sz = SZ_2M,
	};
	struct rte_extmem_region_params p;

	/* page size 0 means 2M for hugetlb */
	params_lib(&p, "hugetlb_2m", RTE_EXTMEM_BACKING_HUGETLB, 8 * SZ_2M, 0);
	return test_region_lifecycle(&p, &chk);
}

static int
test_region_hugetlb_1g(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true,
		.page_sz = SZ_1G,
	};
	struct rte_extmem_region_params p;

	if (access("/sys/kernel/mm/hugepages/hugepages-1048576kB", F_OK) != 0)
		TEST_SKIP("the kernel has no 1G hugepage pool");
	params_lib(&p, "hugetlb_1g", RTE_EXTMEM_BACKING_HUGETLB, SZ_1G, SZ_1G);
	return test_region_lifecycle(&p, &chk);
}

/* Write through the region, read through a second mapping of its fd. */
static int
check_shared_fd(const struct rte_extmem_region_params *p)
{
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	uint8_t *alias;
	size_t off;

	r = rte_extmem_region_create(p);
	if (r == NULL && rte_errno == ENOMEM && p->page_sz > SZ_4K)
		TEST_SKIP("no free %zukB hugepages for the shared region",
			p->page_sz >> 10);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info");
	TEST_ASSERT_GE(info.fd, 0, "shared backing has a descriptor");
	alias = mmap(NULL, info.len, PROT_READ, MAP_SHARED, info.fd, 0);
	TEST_ASSERT(alias != MAP_FAILED, "mmap of the region's fd");
	for (off = 0; off < info.len; off += SZ_4K)
		((volatile uint8_t *)info.addr)[off + 7] = (uint8_t)(off >> 12);
	for (off = 0; off < info.len; off += SZ_4K)
		TEST_ASSERT_EQ(alias[off + 7], (uint8_t)(off >> 12),
			"byte at +%zu through the second mapping", off + 7);
	munmap(alias, info.len);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

static int
test_region_shared(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true,
		.page_sz = SZ_4K,
	};
	struct rte_extmem_region_params p;

	params_lib(&p, "shared_8m", RTE_EXTMEM_BACKING_SHARED, 4 * SZ_2M, 0);
	TEST_RUN(test_region_lifecycle(&p, &chk));
	return check_shared_fd(&p);
}

static int
test_region_shared_2m(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true,
		.page_sz = SZ_2M,
	};
	struct rte_extmem_region_params p;

	params_lib(&p, "shared_huge", RTE_EXTMEM_BACKING_SHARED, 4 * SZ_2M,
		SZ_2M);
	TEST_RUN(test_region_lifecycle(&p, &chk));
	return check_shared_fd(&p);
}

static int
test_region_user(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true,
		.page_sz = SZ_4K,
	};
	struct rte_extmem_region_params p;
	size_t len = 6 * SZ_2M + 5 * SZ_4K;
	struct rte_extmem_region *r;
	uint64_t *mem;
	size_t i;
	int ret;

	/* the application's own allocator, with its data already in it */
	TEST_ASSERT_EQ(posix_memalign((void **)&mem, SZ_4K, len), 0,
		"posix_memalign");
	for (i = 0; i < len / 8; i++)
		mem[i] = i * 0x9e3779b97f4a7c15ULL;
	test_region_params(&p, "user_malloc", RTE_EXTMEM_BACKING_USER, mem, len);
	/* registering and unregistering leaves the caller's data alone */
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	for (i = 0; i < len / 8; i++)
		TEST_ASSERT_EQ(mem[i], i * 0x9e3779b97f4a7c15ULL,
			"caller data at word %zu while registered", i);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	for (i = 0; i < len / 8; i++)
		TEST_ASSERT_EQ(mem[i], i * 0x9e3779b97f4a7c15ULL,
			"caller data at word %zu after destroy", i);
	ret = test_region_lifecycle(&p, &chk);
	if (ret == TEST_SUCCESS) {
		/* same memory, no IOVAs wanted */
		p.flags = RTE_EXTMEM_REGION_F_NO_IOVA;
		chk.iova_src = REGION_IOVA_NONE;
		ret = test_region_lifecycle(&p, &chk);
	}
	free(mem);
	return ret;
}

/* n_iova_runs counts the runs of known pages: unknown pages are in none. */
static int
runs_of(void *mem, const rte_iova_t *io, uint64_t flags, unsigned int runs,
	unsigned int bad, const char *what)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;

	test_region_params(&p, "user_runs", RTE_EXTMEM_BACKING_USER, mem,
		16 * SZ_4K);
	p.iovas = io;
	p.n_iovas = io != NULL ? 16 : 0;
	p.flags = flags;
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "%s: %s", what, rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT_EQ(info.n_bad_iova, bad, "%s: pages without IOVA", what);
	TEST_ASSERT_EQ(info.n_iova_runs, runs, "%s: IOVA-contiguous runs",
		what);
	return TEST_SUCCESS;
}

static int
runs_counted(void *mem)
{
	rte_iova_t io[16];
	unsigned int i;

	for (i = 0; i < 16; i++)
		io[i] = 0x3c0000000000ULL + (uint64_t)i * SZ_4K;
	TEST_RUN(runs_of(mem, io, 0, 1, 0, "linear table"));
	io[5] = io[6] = io[7] = RTE_BAD_IOVA;
	TEST_RUN(runs_of(mem, io, 0, 2, 3, "linear, pages 5-7 unknown"));
	io[15] = RTE_BAD_IOVA;
	io[0] = RTE_BAD_IOVA;
	TEST_RUN(runs_of(mem, io, 0, 2, 5, "pages 0, 5-7, 15 unknown"));
	for (i = 0; i < 16; i++)
		io[i] = RTE_BAD_IOVA;
	TEST_RUN(runs_of(mem, io, 0, 0, 16, "no page known"));
	return runs_of(mem, NULL, RTE_EXTMEM_REGION_F_NO_IOVA, 0, 16,
		"RTE_EXTMEM_REGION_F_NO_IOVA");
}

static int
test_region_user_iova(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_TABLE,
		.cpu_access = true,
		.page_sz = SZ_4K,
	};
	struct rte_extmem_region_params p;
	unsigned int i, n = 1024 + 3;
	rte_iova_t *io;
	void *mem;
	int ret;

	mem = reserve_aligned(n * SZ_4K, SZ_2M, PROT_READ | PROT_WRITE);
	TEST_ASSERT_NOT_NULL(mem, "mmap");
	io = malloc(sizeof(*io) * n);
	TEST_ASSERT_NOT_NULL(io, "malloc");
	/* the first 2M IOVA-linear, then pairs swapped, one page unknown */
	for (i = 0; i < n; i++)
		io[i] = 0x3c0000000000ULL + (uint64_t)(i < 512 ? i : i ^ 1) *
			SZ_4K;
	io[700] = RTE_BAD_IOVA;
	test_region_params(&p, "user_table", RTE_EXTMEM_BACKING_USER, mem,
		n * SZ_4K);
	p.iovas = io;
	p.n_iovas = n;
	chk.iovas = io;
	ret = test_region_lifecycle(&p, &chk);
	if (ret == TEST_SUCCESS)
		ret = runs_counted(mem);
	munmap(mem, n * SZ_4K);
	free(io);
	return ret;
}

static int
test_region_user_huge(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true,
		.page_sz = SZ_2M,	/* detected from the mapping */
	};
	struct rte_extmem_region_params p;
	size_t len = 4 * SZ_2M;
	void *mem;
	int ret;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
	if (mem == MAP_FAILED)
		TEST_SKIP("no free 2M hugepages for the caller's memory: %s",
			strerror(errno));
	memset(mem, 0x11, len);
	test_region_params(&p, "user_hugetlb", RTE_EXTMEM_BACKING_USER, mem,
		len);
	ret = test_region_lifecycle(&p, &chk);
	if (ret == TEST_SUCCESS) {
		/* 4K pages of it are fine too */
		p.page_sz = SZ_4K;
		chk.page_sz = SZ_4K;
		ret = test_region_lifecycle(&p, &chk);
	}
	munmap(mem, len);
	return ret;
}

static int
test_region_device(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_TABLE,
		.cpu_access = false,
	};
	struct rte_extmem_region_params p;
	size_t len = 8 * SZ_2M, pg;
	unsigned int i, n;
	rte_iova_t *io;
	void *mem;
	int ret = TEST_SUCCESS;

	/* PROT_NONE: any CPU access by the library would fault */
	mem = reserve_aligned(len, SZ_2M, PROT_NONE);
	TEST_ASSERT_NOT_NULL(mem, "mmap");
	io = malloc(sizeof(*io) * (len / SZ_4K));
	TEST_ASSERT_NOT_NULL(io, "malloc");
	/* 4K device pages, then 2M device pages (bigger than the CPU's) */
	for (pg = SZ_4K; ret == TEST_SUCCESS && pg <= SZ_2M; pg = SZ_2M) {
		n = len / pg;
		for (i = 0; i < n; i++)
			io[i] = 0x7e0000000000ULL + (uint64_t)(n - 1 - i) * pg;
		test_region_params(&p, "device", RTE_EXTMEM_BACKING_DEVICE, mem,
			len);
		p.page_sz = pg;
		p.iovas = io;
		p.n_iovas = n;
		chk.iovas = io;
		chk.page_sz = pg;
		ret = test_region_lifecycle(&p, &chk);
		if (pg == SZ_2M)
			break;
	}
	munmap(mem, len);
	free(io);
	return ret;
}

/* Device memory without an IOVA table: IOVA = VA, which only VA mode has. */
static int
test_region_device_va(void)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = false,
		.page_sz = SZ_4K,
	};
	struct rte_extmem_region_params p;
	unsigned int n_regions = test_region_count();
	unsigned int n_msl = test_msl_count();
	size_t len = 2 * SZ_2M;
	void *mem;
	int ret;

	mem = reserve_aligned(len, SZ_2M, PROT_NONE);
	TEST_ASSERT_NOT_NULL(mem, "mmap");
	test_region_params(&p, "device_va", RTE_EXTMEM_BACKING_DEVICE, mem, len);
	if (rte_eal_iova_mode() == RTE_IOVA_VA) {
		ret = test_region_lifecycle(&p, &chk);
	} else {
		ret = TEST_FAILED;
		rte_errno = 0;
		if (rte_extmem_region_create(&p) != NULL)
			printf("    FAIL: device memory without IOVAs accepted "
				"in PA mode\n");
		else if (rte_errno != EINVAL)
			printf("    FAIL: rte_errno %d, not EINVAL\n", rte_errno);
		else if (test_region_count() != n_regions ||
				test_msl_count() != n_msl)
			printf("    FAIL: state changed by a refused create\n");
		else
			ret = TEST_SUCCESS;
		TEST_LOG("PA mode: device memory without IOVAs refused (EINVAL)");
	}
	munmap(mem, len);
	return ret;
}

REGISTER_EXTMEM_TEST(region_anon, test_region_anon, 0);
REGISTER_EXTMEM_TEST(region_thp, test_region_thp, 0);
REGISTER_EXTMEM_TEST(region_hugetlb_2m, test_region_hugetlb_2m, 0);
REGISTER_EXTMEM_TEST(region_hugetlb_1g, test_region_hugetlb_1g, 0);
REGISTER_EXTMEM_TEST(region_shared, test_region_shared, 0);
REGISTER_EXTMEM_TEST(region_shared_2m, test_region_shared_2m, 0);
REGISTER_EXTMEM_TEST(region_user, test_region_user, 0);
REGISTER_EXTMEM_TEST(region_user_iova, test_region_user_iova, 0);
REGISTER_EXTMEM_TEST(region_user_huge, test_region_user_huge, 0);
REGISTER_EXTMEM_TEST(region_device, test_region_device, 0);
REGISTER_EXTMEM_TEST(region_device_va, test_region_device_va, 0);
