/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Heaps: parameter checking on every call, native heaps, names, and the
 * acceptance scenario of upstream's external heap test (user memory with
 * and without an IOVA table, per-page memseg checks, allocation inside the
 * area, EBUSY while allocated, memzones) expressed on the heap API.
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

#define EXT_LEN (4UL << 20)	/* 4M, as upstream's test */

static size_t
sys_pg(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Every heap call with a NULL or dead handle fails with EINVAL. */
static int
bad_handles(void)
{
	static uint64_t fake[64];
	struct rte_extmem_heap *dead = (struct rte_extmem_heap *)fake;
	struct rte_extmem_region_params rp;
	struct rte_extmem_heap_info info;
	struct rte_extmem_region *r;
	unsigned int i;

	rte_extmem_region_params_init(&rp);
	rp.len = 65536;
	for (i = 0; i < 2; i++) {
		struct rte_extmem_heap *h = i == 0 ? NULL : dead;

		TEST_ASSERT_ERRNO(rte_extmem_heap_destroy(h) == -1, EINVAL,
			"destroy");
		TEST_ASSERT_ERRNO(rte_extmem_heap_info_get(h, &info) == -1,
			EINVAL, "info_get");
		TEST_ASSERT_ERRNO(rte_extmem_heap_regions_get(h, &r, 1) == -1,
			EINVAL, "regions_get");
		TEST_ASSERT_ERRNO(rte_extmem_heap_region_add(h, &rp) == NULL,
			EINVAL, "region_add");
		TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(h, NULL) == -1,
			EINVAL, "region_remove");
		TEST_ASSERT_ERRNO(rte_extmem_heap_region_usage(h, NULL, NULL,
			NULL) == -1, EINVAL, "region_usage");
		TEST_ASSERT_ERRNO(rte_extmem_heap_trim(h) == -1, EINVAL,
			"trim");
		TEST_ASSERT_ERRNO(rte_extmem_heap_ensure(h, 64, 0) == -1,
			EINVAL, "ensure");
		TEST_ASSERT_ERRNO(rte_extmem_heap_malloc(h, NULL, 64, 0) ==
			NULL, EINVAL, "malloc");
		TEST_ASSERT_ERRNO(rte_extmem_heap_zmalloc(h, NULL, 64, 0) ==
			NULL, EINVAL, "zmalloc");
	}
	TEST_ASSERT_ERRNO(rte_extmem_heap_params_init(NULL) == -1, EINVAL,
		"params_init");
	TEST_ASSERT_ERRNO(rte_extmem_heap_create(NULL) == NULL, EINVAL,
		"create(NULL)");
	return TEST_SUCCESS;
}

/* A create that must fail with err and leave everything as it was. */
#define CREATE_FAILS(hp, err, what) do { \
	struct test_heap_snap s_; \
	test_heap_snap(&s_); \
	TEST_ASSERT_ERRNO(rte_extmem_heap_create(hp) == NULL, err, what); \
	TEST_RUN(test_heap_snap_same(&s_, what)); \
} while (0)

static int
bad_params(void *mem, size_t len)
{
	static const char * const names[] = {
		NULL, "", "this heap name is definitely way too long to be valid"
	};
	struct {
		struct rte_extmem_heap_params p;
		uint64_t extra;
	} big;
	size_t pg = sys_pg(), n = len / pg;
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;
	rte_iova_t *iovas;
	unsigned int i;

	for (i = 0; i < RTE_DIM(names); i++) {
		rte_extmem_heap_params_init(&hp);
		rte_extmem_region_params_init(&hp_r);
		hp.region = &hp_r;
		hp.name = names[i];
		hp_r.len = 65536;
		CREATE_FAILS(&hp, EINVAL, "invalid name");
		TEST_ASSERT_ERRNO(rte_extmem_heap_lookup(names[i]) == NULL,
			EINVAL, "lookup of an invalid name");
	}
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup("valid heap name") == NULL,
		ENOENT, "lookup of an unknown heap");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup_by_socket(SOCKET_ID_ANY) ==
		NULL, EINVAL, "lookup SOCKET_ID_ANY");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup_by_socket(RTE_MAX_NUMA_NODES +
		1000) == NULL, ENOENT, "lookup of an unknown socket");

	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	hp.name = "bad";
	hp_r.len = 65536;
	hp.struct_size = 0;
	CREATE_FAILS(&hp, EINVAL, "struct_size 0");
	memset(&big, 0, sizeof(big));
	rte_extmem_heap_params_init(&big.p);
	rte_extmem_region_params_init(&hp_r);
	big.p.region = &hp_r;
	big.p.name = "bad";
	hp_r.len = 65536;
	big.p.struct_size = sizeof(big);
	big.extra = 1;
	CREATE_FAILS(&big.p, ENOTSUP, "unknown trailing field");
	hp.struct_size = sizeof(hp);
	hp.flags = RTE_BIT64(40);
	CREATE_FAILS(&hp, EINVAL, "unknown heap flag");
	hp.flags = 0;
	hp_r.len = 0;
	CREATE_FAILS(&hp, EINVAL, "zero length");
	hp_r.len = 65536 + 100;
	CREATE_FAILS(&hp, EINVAL, "length not a multiple of the page size");
	hp_r.len = 65536;
	hp_r.backing = RTE_EXTMEM_BACKING_SHARED;
	hp_r.page_sz = 3 * pg;
	CREATE_FAILS(&hp, EINVAL, "page size not a power of two");
	hp_r.backing = RTE_EXTMEM_BACKING_HUGETLB;
	hp_r.page_sz = 3UL << 20;
	hp_r.len = 6UL << 20;
	CREATE_FAILS(&hp, EINVAL, "hugetlb page size not a power of two");
	hp_r.page_sz = 0;
	hp_r.len = 65536;
	hp_r.backing = RTE_EXTMEM_BACKING_DEVICE;
	hp_r.addr = mem;
	CREATE_FAILS(&hp, EINVAL, "device memory heap");
	hp_r.backing = RTE_EXTMEM_BACKING_ANON;
	hp_r.addr = NULL;
	hp.grow_len = pg + 1;
	CREATE_FAILS(&hp, EINVAL, "grow_len not a multiple of the page size");
	hp.grow_len = 65536;
	hp.max_len = 4096;
	CREATE_FAILS(&hp, EINVAL, "max_len below the first region");
	hp.grow_len = 0;
	hp.max_len = 0;
	hp_r.flags = RTE_EXTMEM_REGION_F_NO_IOVA;
	CREATE_FAILS(&hp, ENOTSUP, "region without IOVAs, heap without "
		"RTE_EXTMEM_HEAP_F_NO_IOVA");
	hp_r.flags = 0;

	/* user memory: NULL and misaligned address, wrong page counts */
	hp_r.backing = RTE_EXTMEM_BACKING_USER;
	hp_r.len = len;
	hp_r.addr = NULL;
	CREATE_FAILS(&hp, EINVAL, "user memory at NULL");
	hp_r.addr = (uint8_t *)mem + 64;
	hp_r.len = len - pg;
	CREATE_FAILS(&hp, EINVAL, "misaligned user memory");
	hp_r.addr = mem;
	hp_r.len = len;
	iovas = malloc(sizeof(*iovas) * (n + 1));
	TEST_ASSERT_NOT_NULL(iovas, "no memory");
	for (i = 0; i <= n; i++)
		iovas[i] = 0x100000000ULL + (uint64_t)i * pg;
	hp_r.iovas = iovas;
	hp_r.n_iovas = 0;
	CREATE_FAILS(&hp, EINVAL, "IOVA table of 0 pages");
	hp_r.n_iovas = n - 1;
	CREATE_FAILS(&hp, EINVAL, "IOVA table of n - 1 pages");
	hp_r.n_iovas = n + 1;
	CREATE_FAILS(&hp, EINVAL, "IOVA table of n + 1 pages");
	hp_r.n_iovas = n;
	iovas[1] += 8;
	CREATE_FAILS(&hp, EINVAL, "misaligned IOVA");
	iovas[1] -= 8;
	hp.grow_len = pg;
	CREATE_FAILS(&hp, EINVAL, "user memory cannot grow on demand");
	free(iovas);
	return TEST_SUCCESS;
}

/* Native heaps: EPERM on every path; socket IDs; EEXIST. */
static int
names_and_natives(void)
{
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;
	struct rte_extmem_region_params rp;
	struct rte_extmem_region *r, *other;
	struct test_heap th, th2;
	struct rte_extmem_heap_info info;
	void *mem;

	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	hp_r.len = 65536;
	hp.name = "socket_0";
	CREATE_FAILS(&hp, EPERM, "native heap name");
	hp.name = "socket_9";
	CREATE_FAILS(&hp, EPERM, "name reserved for native heaps");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup("socket_0") == NULL, EPERM,
		"lookup of a native heap");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup_by_socket(0) == NULL, EPERM,
		"lookup of a native socket");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup_by_socket(
		RTE_MAX_NUMA_NODES - 1) == NULL, EPERM,
		"lookup of the last native socket");
	/* upstream refuses native heaps too */
	mem = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	TEST_ASSERT_ERRNO(rte_malloc_heap_memory_add("socket_0", mem, 65536,
		NULL, 0, sys_pg()) != 0, EPERM, "EAL: add to a native heap");
	munmap(mem, 65536);

	TEST_RUN(test_heap_make(&th, "dup", RTE_EXTMEM_BACKING_ANON, 65536,
		0, 0));
	TEST_ASSERT_EQ(rte_malloc_heap_socket_is_external(th.socket), 1,
		"heap socket is external");
	TEST_ASSERT_EQ(rte_malloc_heap_socket_is_external(0), 0,
		"socket 0 is native");
	TEST_ASSERT_EQ(rte_malloc_heap_get_socket("dup"), th.socket,
		"EAL's socket of the heap");
	TEST_ASSERT(rte_extmem_heap_lookup("dup") == th.h, "lookup by name");
	TEST_ASSERT(rte_extmem_heap_lookup_by_socket(th.socket) == th.h,
		"lookup by socket");
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(th.h, &info), 0, "info");
	TEST_ASSERT(strcmp(info.name, "dup") == 0, "info name");
	TEST_ASSERT_EQ(info.socket_id, th.socket, "info socket");
	TEST_ASSERT_EQ(info.size, 65536, "info size");
	TEST_ASSERT_EQ(info.n_regions, 1, "info regions");
	TEST_ASSERT_EQ(info.alloc_count, 0, "info allocations");
	TEST_ASSERT_EQ(info.free, 65536, "info free bytes");

	hp.name = "dup";
	CREATE_FAILS(&hp, EEXIST, "heap name in use");
	TEST_ASSERT_EQ(rte_malloc_heap_create("raw_dup"), 0, "EAL heap");
	hp.name = "raw_dup";
	CREATE_FAILS(&hp, EEXIST, "name of a heap made with EAL's API");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup("raw_dup") == NULL, ENOENT,
		"EAL's own heap is not one of ours");
	TEST_ASSERT_EQ(rte_malloc_heap_destroy("raw_dup"), 0, "EAL heap");
	rte_extmem_region_params_init(&rp);
	rp.name = "clash";
	rp.len = 65536;
	other = rte_extmem_region_create(&rp);
	TEST_ASSERT_NOT_NULL(other, "region: %s", rte_strerror(rte_errno));
	hp.name = "clash_heap";
	hp_r.name = "clash";
	CREATE_FAILS(&hp, EEXIST, "region name in use");
	hp_r.name = NULL;
	/* one namespace: a heap cannot take a region's name, nor a region
	 * a heap's; nothing changes
	 */
	hp.name = "clash";
	CREATE_FAILS(&hp, EEXIST, "heap named like a region");
	TEST_ASSERT_EQ(test_heap_count(), 1, "no heap made");
	TEST_ASSERT_ERRNO(rte_malloc_heap_get_socket("clash") == -1, ENOENT,
		"no EAL heap left behind");
	TEST_ASSERT(rte_extmem_region_lookup("clash") == other,
		"the region keeps its name");
	rp.name = "dup";
	TEST_ASSERT_ERRNO(rte_extmem_region_create(&rp) == NULL, EEXIST,
		"region named like a heap");
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, NULL, 0), 1,
		"the heap keeps its region");
	rp.name = "clash";

	/* a region not of this heap; regions of a heap are not destroyed
	 * through the region API
	 */
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(th.h, other) == -1,
		EINVAL, "remove a region of no heap");
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(th.h, NULL) == -1,
		EINVAL, "remove NULL");
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_usage(th.h, other, NULL,
		NULL) == -1, EINVAL, "usage of a region of no heap");
	TEST_RUN(test_heap_make(&th2, "dup2", RTE_EXTMEM_BACKING_ANON, 65536,
		0, 0));
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th2.h, &r, 1), 1, "regions");
	TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(th.h, r) == -1, EINVAL,
		"remove a region of another heap");
	TEST_ASSERT_ERRNO(rte_extmem_region_destroy(r) == -1, EBUSY,
		"rte_extmem_region_destroy on a heap's region");
	TEST_ASSERT_EQ(test_heap_count(), 2, "heap count");

	/* allocation arguments */
	TEST_ASSERT_ERRNO(rte_extmem_heap_malloc(th.h, NULL, 0, 0) == NULL,
		EINVAL, "malloc of 0 bytes");
	TEST_ASSERT_ERRNO(rte_extmem_heap_malloc(th.h, NULL, 64, 3) == NULL,
		EINVAL, "alignment not a power of two");
	TEST_ASSERT_ERRNO(rte_extmem_heap_ensure(th.h, 0, 64) == -1, EINVAL,
		"ensure 0 bytes");
	TEST_ASSERT_ERRNO(rte_extmem_heap_ensure(th.h, 64, 48) == -1, EINVAL,
		"ensure with alignment 48");

	TEST_ASSERT_EQ(rte_extmem_region_destroy(other), 0, "region");
	TEST_RUN(test_heap_free(&th2));
	TEST_RUN(test_heap_free(&th));
	TEST_ASSERT_ERRNO(rte_extmem_heap_destroy(th.h) == -1, EINVAL,
		"destroy a destroyed heap");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup("dup") == NULL, ENOENT,
		"lookup a destroyed heap");
	TEST_ASSERT_ERRNO(rte_malloc_heap_get_socket("dup") == -1, ENOENT,
		"EAL heap gone");
	TEST_ASSERT_EQ(test_heap_count(), 0, "heap count");
	return TEST_SUCCESS;
}

static int
test_heap_bad_input(void)
{
	struct test_heap_snap s;
	void *mem;
	int ret;

	test_heap_snap(&s);
	TEST_RUN(bad_handles());
	mem = mmap(NULL, EXT_LEN, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	ret = bad_params(mem, EXT_LEN);
	munmap(mem, EXT_LEN);
	TEST_RUN(ret);
	TEST_RUN(names_and_natives());
	return test_heap_snap_same(&s, "all bad inputs");
}

REGISTER_EXTMEM_TEST(heap_bad_input, test_heap_bad_input, 0);

/*
 * Upstream's basic scenario. The heap's only region is trimmed away first
 * so that "an empty heap cannot allocate" is checked, then the user memory
 * is added again as a region.
 */
static int
basic_pass(const rte_iova_t *iovas, const char *what)
{
	size_t pg = sys_pg(), n = EXT_LEN / pg;
	struct rte_extmem_region_params rp;
	const struct rte_memzone *mz, *cmz;
	struct rte_extmem_heap_params hp;
	struct rte_extmem_heap_info info;
	struct region_check chk;
	struct rte_extmem_region *r;
	struct rte_extmem_heap *h;
	unsigned int n_alloc;
	rte_iova_t iova;
	uint8_t *mem, *p;
	int socket;

	TEST_LOG("pass: %s", what);
	mem = mmap(NULL, EXT_LEN, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	test_region_params(&rp, NULL, RTE_EXTMEM_BACKING_USER, mem, EXT_LEN);
	rp.page_sz = pg;
	rp.iovas = iovas;
	rp.n_iovas = iovas == NULL ? 0 : n;
	rte_extmem_heap_params_init(&hp);
	hp.name = "heap";
	hp.region = &rp;
	h = rte_extmem_heap_create(&hp);
	TEST_ASSERT_NOT_NULL(h, "create: %s", rte_strerror(rte_errno));
	socket = test_heap_socket(h);

	/* an empty heap allocates nothing */
	TEST_ASSERT_EQ(rte_extmem_heap_trim(h), 1, "trim the unused region");
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(h, &info), 0, "info");
	TEST_ASSERT_EQ(info.size, 0, "empty heap size");
	TEST_ASSERT_EQ(info.n_regions, 0, "empty heap regions");
	TEST_ASSERT_NULL(rte_malloc_socket("EXTMEM", 64, 0, socket),
		"allocated from an empty heap");
	TEST_ASSERT_NULL(rte_memzone_reserve("heap_test", 64, socket, 0),
		"memzone in an empty heap");

	r = rte_extmem_heap_region_add(h, &rp);
	TEST_ASSERT_NOT_NULL(r, "add memory: %s", rte_strerror(rte_errno));
	memset(&chk, 0, sizeof(chk));
	chk.iova_src = iovas == NULL ? REGION_IOVA_RESOLVED : REGION_IOVA_TABLE;
	chk.iovas = iovas;
	chk.cpu_access = true;
	chk.page_sz = pg;
	TEST_RUN(test_region_verify(r, &chk));

	p = rte_malloc_socket("EXTMEM", 64, 0, socket);
	TEST_ASSERT_NOT_NULL(p, "allocate from the heap");
	TEST_ASSERT(p >= mem && p + 64 <= mem + EXT_LEN, "%p outside the area",
		(void *)p);
	memset(p, 0xa5, 64);
	TEST_ASSERT_EQ(rte_extmem_heap_region_usage(h, r, &n_alloc, NULL), 0,
		"usage");
	TEST_ASSERT_EQ(n_alloc, 1, "allocations in the region");

	TEST_ASSERT_ERRNO(rte_extmem_heap_region_remove(h, r) == -1, EBUSY,
		"remove memory in use");
	TEST_ASSERT_ERRNO(rte_extmem_heap_destroy(h) == -1, EBUSY,
		"destroy a heap in use");
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(h, NULL, 0), 1,
		"the region stays");
	TEST_ASSERT_NOT_NULL(rte_mem_virt2memseg_list(p), "EAL still has it");
	TEST_ASSERT(rte_extmem_virt2region(p) == r, "translation stays");
	TEST_ASSERT_EQ(p[0] + p[63], 0xa5 + 0xa5, "content stays");

	mz = rte_memzone_reserve("heap_test", pg * 2, socket, 0);
	TEST_ASSERT_NOT_NULL(mz, "memzone: %s", rte_strerror(rte_errno));
	TEST_ASSERT((uint8_t *)mz->addr >= mem &&
		(uint8_t *)mz->addr + mz->len <= mem + EXT_LEN, "memzone area");
	TEST_ASSERT_EQ(mz->socket_id, socket, "memzone socket");
	TEST_ASSERT_EQ(mz->iova, rte_extmem_virt2iova(mz->addr),
		"memzone IOVA vs translation");
	/* IOVA-contiguous: upstream expects it only with a contiguous
	 * table; ours resolves IOVAs, so it is there whenever the pages
	 * really are contiguous, and its IOVA is always right
	 */
	cmz = rte_memzone_reserve("heap_test_contig", pg * 2, socket,
		RTE_MEMZONE_IOVA_CONTIG);
	if (iovas != NULL || rte_eal_iova_mode() == RTE_IOVA_VA)
		TEST_ASSERT_NOT_NULL(cmz, "IOVA-contiguous memzone: %s",
			rte_strerror(rte_errno));
	if (cmz != NULL) {
		iova = rte_extmem_range2iova(cmz->addr, cmz->len);
		TEST_ASSERT_NE(iova, RTE_BAD_IOVA, "memzone not contiguous");
		TEST_ASSERT_EQ(cmz->iova, iova, "contiguous memzone IOVA");
	} else {
		TEST_LOG("PA mode: no two physically contiguous free pages "
			"for an IOVA-contiguous memzone (refused, correctly)");
	}

	rte_free(p);
	TEST_ASSERT_EQ(rte_memzone_free(mz), 0, "memzone free");
	if (cmz != NULL)
		TEST_ASSERT_EQ(rte_memzone_free(cmz), 0, "memzone free");
	TEST_ASSERT_EQ(rte_extmem_heap_region_usage(h, r, &n_alloc, NULL), 0,
		"usage");
	TEST_ASSERT_EQ(n_alloc, 0, "allocations after free");
	TEST_ASSERT_EQ(rte_extmem_heap_region_remove(h, r), 0, "remove: %s",
		rte_strerror(rte_errno));
	TEST_RUN(test_region_gone("heap.1", mem, EXT_LEN));
	TEST_ASSERT_EQ(rte_extmem_heap_destroy(h), 0, "destroy: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_ERRNO(rte_malloc_heap_get_socket("heap") == -1, ENOENT,
		"EAL heap gone");
	munmap(mem, EXT_LEN);
	return TEST_SUCCESS;
}

static int
test_heap_basic(void)
{
	size_t pg = sys_pg(), n = EXT_LEN / pg, i;
	struct test_heap_snap s;
	rte_iova_t *iovas;
	int ret;

	test_heap_snap(&s);
	iovas = malloc(sizeof(*iovas) * n);
	TEST_ASSERT_NOT_NULL(iovas, "no memory");
	for (i = 0; i < n; i++)
		iovas[i] = 0x100000000ULL + i * pg;	/* arbitrary IOVAs */
	ret = basic_pass(iovas, "user memory, IOVA table given");
	free(iovas);
	TEST_RUN(ret);
	TEST_RUN(basic_pass(NULL, "user memory, IOVAs resolved"));
	return test_heap_snap_same(&s, "basic");
}

REGISTER_EXTMEM_TEST(heap_basic, test_heap_basic, 0);

/*
 * Memory added to a library heap with upstream rte_malloc_heap_memory_add()
 * is counted in rte_extmem_heap_info::size (EAL's heap size) and is not a
 * region: n_regions and the region list stay the library's.
 */
static int
test_heap_info_upstream(void)
{
	size_t pg = sys_pg(), len = 16 * pg;
	struct rte_extmem_heap_info info;
	struct rte_extmem_region *r[2];
	struct test_heap_snap s;
	struct test_heap th;
	void *mem;
	int ret;

	test_heap_snap(&s);
	TEST_RUN(test_heap_make(&th, "info_up", RTE_EXTMEM_BACKING_ANON,
		1 << 20, 0, 0));
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	ret = rte_malloc_heap_memory_add("info_up", mem, len, NULL, 0, pg);
	TEST_ASSERT_EQ(ret, 0, "EAL: add to a library heap: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(th.h, &info), 0, "info");
	TEST_ASSERT_EQ(info.size, (1 << 20) + len, "size counts EAL's heap: "
		"the region and the chunk added outside the library");
	TEST_ASSERT_EQ(info.free, info.size, "all of it free");
	TEST_ASSERT_EQ(info.n_regions, 1, "the chunk is not a region");
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, r, 2), 1,
		"one region listed");
	TEST_ASSERT_ERRNO(rte_extmem_heap_destroy(th.h) == -1, EBUSY,
		"destroy a heap holding memory added outside the library");
	TEST_ASSERT_EQ(rte_malloc_heap_memory_remove("info_up", mem, len), 0,
		"EAL: remove the chunk");
	munmap(mem, len);
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(th.h, &info), 0, "info");
	TEST_ASSERT_EQ(info.size, 1 << 20, "size of the region alone");
	TEST_RUN(test_heap_free(&th));
	return test_heap_snap_same(&s, "heap with an upstream chunk");
}

REGISTER_EXTMEM_TEST(heap_info_upstream, test_heap_info_upstream, 0);
