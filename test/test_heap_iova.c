/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * IOVA-contiguous memzones on external heaps, with and without hugepages.
 *
 * Upstream (22.11): in legacy memory mode (--no-huge, --legacy-mem) EAL
 * treats all memory as IOVA-contiguous, so an RTE_MEMZONE_IOVA_CONTIG
 * reservation on external memory "succeeds" whether its pages have no
 * IOVA at all (the memzone's iova is RTE_BAD_IOVA) or IOVAs that are not
 * contiguous. This test shows that on a bare EAL heap, then what a heap of
 * this library does: it refuses regions without IOVAs (unless the heap is
 * declared CPU-only) and, in legacy mode, regions whose IOVAs are not one
 * contiguous run, so every IOVA-contiguous memzone it gives is right.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memzone.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_region_util.h"

#define AREA_LEN (1UL << 20)

/* Reversed page IOVAs: every page known, no two contiguous. */
static rte_iova_t *
scattered_iovas(size_t n, size_t pg)
{
	rte_iova_t *io = malloc(sizeof(*io) * n);
	size_t i;

	if (io != NULL)
		for (i = 0; i < n; i++)
			io[i] = 0x200000000ULL + (n - 1 - i) * pg;
	return io;
}

/* What a bare EAL heap does with an IOVA-contiguous memzone. */
static int
upstream_contig(void *mem, const rte_iova_t *iovas, bool legacy,
	const char *what)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	const struct rte_memzone *mz;
	int socket;

	TEST_ASSERT_EQ(rte_malloc_heap_create("raw"), 0, "EAL heap");
	TEST_ASSERT_EQ(rte_malloc_heap_memory_add("raw", mem, AREA_LEN,
		(rte_iova_t *)(uintptr_t)iovas, AREA_LEN / pg, pg), 0,
		"EAL heap memory");
	socket = rte_malloc_heap_get_socket("raw");
	mz = rte_memzone_reserve("raw_contig", 4 * pg, socket,
		RTE_MEMZONE_IOVA_CONTIG);
	if (legacy) {
		/* upstream's flaw: "succeeds" */
		TEST_ASSERT_NOT_NULL(mz, "upstream refused the contiguous "
			"memzone (%s) in legacy mode: fixed upstream?", what);
		TEST_LOG("upstream, legacy memory, %s: IOVA-contiguous memzone "
			"granted, iova 0x%" PRIx64 "%s", what, mz->iova,
			mz->iova == RTE_BAD_IOVA ? " (RTE_BAD_IOVA)" :
			" (pages are not contiguous)");
		if (iovas == NULL)
			TEST_ASSERT_EQ(mz->iova, RTE_BAD_IOVA, "iova");
		rte_memzone_free(mz);
	} else {
		TEST_ASSERT_NULL(mz, "upstream granted a contiguous memzone "
			"(%s) with hugepages", what);
	}
	TEST_ASSERT_EQ(rte_malloc_heap_memory_remove("raw", mem, AREA_LEN), 0,
		"EAL heap memory remove");
	TEST_ASSERT_EQ(rte_malloc_heap_destroy("raw"), 0, "EAL heap destroy");
	return TEST_SUCCESS;
}

static struct rte_extmem_heap *
user_heap(void *mem, const rte_iova_t *iovas, uint64_t rflags,
	uint64_t hflags)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;

	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	hp.name = "iova";
	hp.flags = hflags;
	hp_r.backing = RTE_EXTMEM_BACKING_USER;
	hp_r.addr = mem;
	hp_r.len = AREA_LEN;
	hp_r.page_sz = pg;
	hp_r.iovas = iovas;
	hp_r.n_iovas = iovas == NULL ? 0 : AREA_LEN / pg;
	hp_r.flags = rflags;
	return rte_extmem_heap_create(&hp);
}

static int
ours(void *mem, const rte_iova_t *scattered, bool legacy)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	const struct rte_memzone *mz;
	struct test_heap_snap s;
	struct rte_extmem_heap *h;
	rte_iova_t iova;
	int socket;

	/* no IOVAs: refused unless the heap is declared CPU-only */
	test_heap_snap(&s);
	TEST_ASSERT_ERRNO(user_heap(mem, NULL, RTE_EXTMEM_REGION_F_NO_IOVA,
		0) == NULL, ENOTSUP, "heap of memory without IOVAs");
	TEST_RUN(test_heap_snap_same(&s, "refused heap"));
	h = user_heap(mem, NULL, RTE_EXTMEM_REGION_F_NO_IOVA,
		RTE_EXTMEM_HEAP_F_NO_IOVA);
	TEST_ASSERT_NOT_NULL(h, "CPU-only heap: %s", rte_strerror(rte_errno));
	socket = test_heap_socket(h);
	mz = rte_memzone_reserve("cpu_only", 4 * pg, socket, 0);
	TEST_ASSERT_NOT_NULL(mz, "memzone in a CPU-only heap");
	TEST_ASSERT_EQ(mz->iova, RTE_BAD_IOVA, "CPU-only memory has no IOVA");
	rte_memzone_free(mz);
	TEST_ASSERT_EQ(rte_extmem_heap_destroy(h), 0, "destroy");

	/* IOVAs known but scattered */
	h = user_heap(mem, scattered, 0, 0);
	if (legacy) {
		TEST_ASSERT_ERRNO(h == NULL, ENOTSUP, "heap of scattered IOVAs "
			"in legacy mode");
		TEST_RUN(test_heap_snap_same(&s, "refused heap"));
	} else {
		TEST_ASSERT_NOT_NULL(h, "scattered IOVAs: %s",
			rte_strerror(rte_errno));
		socket = test_heap_socket(h);
		TEST_ASSERT_NULL(rte_memzone_reserve("scat", 4 * pg, socket,
			RTE_MEMZONE_IOVA_CONTIG), "contiguous memzone across "
			"scattered pages");
		mz = rte_memzone_reserve("scat1", pg / 2, socket,
			RTE_MEMZONE_IOVA_CONTIG);
		TEST_ASSERT_NOT_NULL(mz, "contiguous memzone in one page");
		TEST_ASSERT_EQ(mz->iova, rte_extmem_virt2iova(mz->addr),
			"its IOVA");
		TEST_ASSERT_EQ(rte_extmem_range2iova(mz->addr, mz->len),
			mz->iova, "really contiguous");
		rte_memzone_free(mz);
		TEST_ASSERT_EQ(rte_extmem_heap_destroy(h), 0, "destroy");
	}

	/* resolved IOVAs (the default): right in every mode */
	h = user_heap(mem, NULL, 0, 0);
	TEST_ASSERT_NOT_NULL(h, "heap: %s", rte_strerror(rte_errno));
	socket = test_heap_socket(h);
	mz = rte_memzone_reserve("resolved", 4 * pg, socket,
		RTE_MEMZONE_IOVA_CONTIG);
	if (rte_eal_iova_mode() == RTE_IOVA_VA)
		TEST_ASSERT_NOT_NULL(mz, "contiguous memzone in VA mode");
	if (mz != NULL) {
		iova = rte_extmem_range2iova(mz->addr, mz->len);
		TEST_ASSERT_NE(iova, RTE_BAD_IOVA, "contiguous");
		TEST_ASSERT_EQ(mz->iova, iova, "its IOVA");
		rte_memzone_free(mz);
	}
	TEST_ASSERT_EQ(rte_extmem_heap_destroy(h), 0, "destroy");
	return test_heap_snap_same(&s, "IOVA checks");
}

static int
test_heap_iova_contig(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	/* legacy memory mode, as EAL exposes it: no memory event callbacks */
	bool legacy = test_eal_mem_events() == 0;
	rte_iova_t *scattered;
	void *mem;
	int ret;

	TEST_LOG("EAL legacy memory mode: %s", legacy ? "yes" : "no");
	TEST_ASSERT_EQ(legacy, !rte_eal_has_hugepages(),
		"--no-huge implies legacy memory (and the tests use no "
		"--legacy-mem)");
	mem = mmap(NULL, AREA_LEN, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	scattered = scattered_iovas(AREA_LEN / pg, pg);
	TEST_ASSERT_NOT_NULL(scattered, "no memory");
	ret = upstream_contig(mem, NULL, legacy, "no IOVAs");
	if (ret == TEST_SUCCESS)
		ret = upstream_contig(mem, scattered, legacy,
			"scattered IOVAs");
	if (ret == TEST_SUCCESS)
		ret = ours(mem, scattered, legacy);
	free(scattered);
	munmap(mem, AREA_LEN);
	return ret;
}

REGISTER_EXTMEM_TEST(heap_iova_contig, test_heap_iova_contig, 0);
