/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Region usage looks at its own heap only: another EAL heap whose memory
 * this process cannot read (as a heap another process made, whose memory
 * is not mapped here; simulated by a heap made with EAL's API over pages
 * then made inaccessible) is never touched by usage, trim, region removal
 * or heap destruction. The counts are exact: per region, and summing to
 * the heap's own statistics.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include <rte_extmem_mp.h>

#include "test.h"
#include "test_heap_util.h"

#define MB (1UL << 20)
#define FOREIGN_LEN (1UL << 20)
#define ALLOC_SZ (700 * 1024)

static int
usage_of(const struct test_heap *th, struct rte_extmem_region *r,
	unsigned int expected)
{
	unsigned int n = UINT32_MAX;
	size_t bytes = 0;

	TEST_ASSERT_EQ(rte_extmem_heap_region_usage(th->h, r, &n, &bytes), 0,
		"usage: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(n, expected, "allocations in the region");
	if (expected == 0)
		TEST_ASSERT_EQ(bytes, 0, "bytes of no allocation");
	else
		TEST_ASSERT_GE(bytes, (size_t)expected * ALLOC_SZ,
			"bytes of %u allocations", expected);
	return TEST_SUCCESS;
}

/* Per-region counts sum to EAL's statistics of the heap. */
static int
usage_sums(const struct test_heap *th)
{
	struct rte_extmem_region *regions[8];
	struct rte_extmem_heap_info info;
	unsigned int i, n, sum_n = 0;
	size_t bytes, sum_b = 0;
	int nr;

	nr = rte_extmem_heap_regions_get(th->h, regions, RTE_DIM(regions));
	TEST_ASSERT(nr > 0 && nr <= (int)RTE_DIM(regions), "regions");
	for (i = 0; i < (unsigned int)nr; i++) {
		TEST_ASSERT_EQ(rte_extmem_heap_region_usage(th->h, regions[i],
			&n, &bytes), 0, "usage %u", i);
		sum_n += n;
		sum_b += bytes;
	}
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(th->h, &info), 0, "info");
	TEST_ASSERT_EQ(sum_n, info.alloc_count, "allocation count");
	TEST_ASSERT_EQ(sum_b, info.alloc_bytes, "allocated bytes");
	return TEST_SUCCESS;
}

static int
own_heap_checks(void)
{
	struct rte_extmem_region *r[3];
	struct test_heap th;
	void *p[3];
	unsigned int i;

	TEST_RUN(test_heap_make(&th, "usage", RTE_EXTMEM_BACKING_ANON, MB, MB,
		3 * MB));
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, r, 1), 1, "region");
	TEST_RUN(usage_of(&th, r[0], 0));
	/* one region: the heap's statistics are the region's */
	p[0] = rte_extmem_heap_malloc(th.h, "usage", ALLOC_SZ, 0);
	TEST_ASSERT_NOT_NULL(p[0], "allocation 0");
	TEST_RUN(usage_of(&th, r[0], 1));
	/* more regions: each counted on its own */
	for (i = 1; i < 3; i++) {
		p[i] = rte_extmem_heap_malloc(th.h, "usage", ALLOC_SZ, 0);
		TEST_ASSERT_NOT_NULL(p[i], "allocation %u", i);
	}
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, r, 3), 3, "regions");
	for (i = 0; i < 3; i++)
		TEST_RUN(usage_of(&th, r[i], 1));
	TEST_RUN(usage_sums(&th));
	rte_free(p[2]);
	TEST_RUN(usage_of(&th, r[2], 0));
	TEST_RUN(usage_of(&th, r[1], 1));
	TEST_RUN(usage_sums(&th));
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(th.h, r[1]) == -1,
		EBUSY, "remove a region with an allocation");
	TEST_ASSERT_EQ(rte_extmem_heap_trim(th.h), 1, "trim the free region");
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, NULL, 0), 2,
		"two regions left");
	rte_free(p[1]);
	rte_free(p[0]);
	TEST_RUN(usage_sums(&th));
	return test_heap_free(&th);
}

static int
test_heap_usage(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct test_heap_snap s;
	void *mem;
	int ret;

	test_heap_snap(&s);
	mem = mmap(NULL, FOREIGN_LEN, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	TEST_ASSERT_EQ(rte_malloc_heap_create("foreign"), 0, "EAL heap: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_malloc_heap_memory_add("foreign", mem, FOREIGN_LEN,
		NULL, 0, pg), 0, "EAL heap memory: %s",
		rte_strerror(rte_errno));
	/* from here on, reading the foreign heap's memory is a SIGSEGV */
	TEST_ASSERT_EQ(mprotect(mem, FOREIGN_LEN, PROT_NONE), 0, "mprotect");
	ret = own_heap_checks();
	TEST_ASSERT_EQ(mprotect(mem, FOREIGN_LEN, PROT_READ | PROT_WRITE), 0,
		"mprotect");
	TEST_ASSERT_EQ(rte_malloc_heap_memory_remove("foreign", mem,
		FOREIGN_LEN), 0, "EAL heap memory remove");
	TEST_ASSERT_EQ(rte_malloc_heap_destroy("foreign"), 0, "EAL heap");
	munmap(mem, FOREIGN_LEN);
	TEST_RUN(ret);
	return test_heap_snap_same(&s, "usage test");
}

REGISTER_EXTMEM_TEST(heap_usage, test_heap_usage, 0);

/*
 * The same with a heap another process made: a secondary process makes an
 * EAL heap over memory only it maps (dpdk-extmem-test-secondary-heap) and
 * allocates from it; this primary then counts, trims and removes in its
 * own heap. Nothing reads the secondary's memory.
 */
/*
 * A secondary without the library (as a stock tool) never connects to
 * the multi-process service: region changes do not wait for it.
 */
static int
no_library_secondary_checks(void)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_mp_info info;
	struct rte_extmem_region *r;

	rte_extmem_region_params_init(&p);
	p.name = "usage_mp_shared";
	p.backing = RTE_EXTMEM_BACKING_SHARED;
	p.len = 1u << 20;
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_mp_info_get(&info), 0, "mp info");
	TEST_ASSERT_EQ(info.state, RTE_EXTMEM_MP_STATE_SERVING, "serving");
	TEST_ASSERT_EQ(info.n_connections, 0, "the secondary is not linked");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy: %s",
		rte_strerror(rte_errno));
	return TEST_SUCCESS;
}

static int
test_heap_usage_mp(void)
{
	const char *helper = getenv("EXTMEM_TEST_SECONDARY_HEAP");
	char fdarg[16], prefix[128], ready[6] = "";
	struct test_heap_snap s;
	int sv[2], st = 0, ret;
	pid_t pid;

	if (!rte_eal_has_hugepages())
		TEST_SKIP("secondary processes need hugepage memory");
	if (helper == NULL || *helper == '\0')
		TEST_SKIP("EXTMEM_TEST_SECONDARY_HEAP does not name the "
			"secondary program");
	if (extmem_test_file_prefix[0] == '\0')
		TEST_SKIP("the test runs without --file-prefix");
	test_heap_snap(&s);
	TEST_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0,
		"socketpair");
	snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s",
		extmem_test_file_prefix);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		close(sv[0]);
		execl(helper, helper, fdarg, "--proc-type=secondary", prefix,
			"--no-pci", "--log-level=lib.eal:error", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	ret = read(sv[0], ready, 5) == 5 && strcmp(ready, "ready") == 0 ?
		TEST_SUCCESS : TEST_FAILED;
	if (ret != TEST_SUCCESS)
		printf("    FAIL: the secondary did not make its heap\n");
	else if (rte_malloc_heap_get_socket("secondary_heap") < 0)
		ret = TEST_FAILED;	/* EAL's heaps are shared */
	if (ret == TEST_SUCCESS)
		ret = own_heap_checks();
	if (ret == TEST_SUCCESS)
		ret = no_library_secondary_checks();
	close(sv[0]);
	TEST_ASSERT_EQ(waitpid(pid, &st, 0), pid, "waitpid");
	TEST_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		"secondary exit status 0x%x", st);
	TEST_RUN(ret);
	return test_heap_snap_same(&s, "usage with a secondary's heap");
}

REGISTER_EXTMEM_TEST(heap_usage_mp, test_heap_usage_mp, EXTMEM_TEST_F_MULTIPROC);
