/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * One-call mbuf pool on external memory: exact sizing, objects inside the
 * heap and never across a page boundary that is not IOVA-contiguous,
 * mbuf IOVAs equal to translation, freeing releases the heap, EBUSY with
 * mbufs out or foreign allocations, bad arguments.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_region_util.h"

#define POOL_N 4095
#define POOL_CACHE 32
#define POOL_PRIV 64

struct pool_check {
	const struct rte_extmem_heap *h;
	size_t pgsz;
	unsigned int n, outside, crossing, spanning, bad_iova;
};

static void
pool_obj_cb(struct rte_mempool *mp, void *arg, void *obj,
	unsigned int idx __rte_unused)
{
	struct pool_check *c = arg;
	size_t total = mp->header_size + mp->elt_size + mp->trailer_size;
	uintptr_t start = (uintptr_t)obj - mp->header_size;
	struct rte_mbuf *m = obj;

	c->n++;
	if (!test_heap_contains(c->h, (void *)start, total))
		c->outside++;
	/* packed across pages, but the whole element IOVA-contiguous */
	if (rte_extmem_range2iova((void *)start, total) == RTE_BAD_IOVA)
		c->crossing++;
	if (total <= c->pgsz && start / c->pgsz !=
			(start + total - 1) / c->pgsz)
		c->spanning++;
	if (rte_mempool_virt2iova(obj) != rte_extmem_virt2iova(obj) ||
			m->buf_iova != rte_extmem_virt2iova(m->buf_addr) ||
			m->buf_iova == RTE_BAD_IOVA)
		c->bad_iova++;
}

static size_t
natural_page(enum rte_extmem_backing b)
{
	return b == RTE_EXTMEM_BACKING_HUGETLB ? RTE_PGSIZE_2M :
		(size_t)sysconf(_SC_PAGESIZE);
}

/* What upstream testpmd's xmem modes would map for the same pool. */
static size_t
testpmd_estimate(unsigned int n, uint16_t room, size_t pgsz)
{
	size_t obj = rte_mempool_calc_obj_size(sizeof(struct rte_mbuf) + room,
		0, NULL);
	size_t per = pgsz / obj, pages = (n + per - 1) / per;

	return RTE_ALIGN_CEIL((128UL << 20) + pages * pgsz, pgsz);
}

/* Is addr in a native (not external) memseg list of EAL? */
static int
native_mem(const void *addr, const char *what)
{
	const struct rte_memseg_list *msl = rte_mem_virt2memseg_list(addr);

	TEST_ASSERT_NOT_NULL(msl, "%s %p is not EAL memory", what, addr);
	TEST_ASSERT(!msl->external, "%s %p is in external memory (socket %d)",
		what, addr, msl->socket_id);
	return TEST_SUCCESS;
}

static int
pool_checks(struct rte_mempool *mp, struct rte_extmem_heap *h, size_t pgsz,
	unsigned int n)
{
	struct pool_check c = { .h = h, .pgsz = pgsz };
	struct rte_mbuf **bufs;
	unsigned int i;
	int ret = TEST_FAILED;

	/* header and ring in EAL's native memory, where every process of
	 * the application (and the tools) can read them
	 */
	TEST_ASSERT(!test_heap_contains(h, mp, sizeof(*mp)), "pool header "
		"in the heap");
	TEST_ASSERT(!test_heap_contains(h, mp->pool_data, 64), "pool ring in "
		"the heap");
	TEST_RUN(native_mem(mp, "pool header"));
	TEST_RUN(native_mem(mp->pool_data, "pool ring"));
	TEST_ASSERT_EQ(rte_mempool_obj_iter(mp, pool_obj_cb, &c), n, "objects");
	TEST_ASSERT_EQ(c.outside, 0, "%u objects outside the heap", c.outside);
	TEST_ASSERT_EQ(c.crossing, 0, "%u objects across a page boundary that "
		"is not IOVA-contiguous", c.crossing);
	/* packed within IOVA-contiguous runs: with IOVA as VA (one run)
	 * objects of 2 KiB+ on 4K pages straddle page boundaries
	 */
	if (rte_eal_iova_mode() == RTE_IOVA_VA && pgsz == 4096)
		TEST_ASSERT(c.spanning > 0, "objects packed across pages");
	TEST_ASSERT_EQ(c.bad_iova, 0, "%u objects with a wrong IOVA",
		c.bad_iova);
	TEST_ASSERT(!(mp->flags & RTE_MEMPOOL_F_NON_IO), "pool usable for IO");
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), n, "available");
	TEST_ASSERT_EQ(rte_pktmbuf_data_room_size(mp),
		RTE_MBUF_DEFAULT_BUF_SIZE, "data room");
	TEST_ASSERT_EQ(rte_pktmbuf_priv_size(mp), POOL_PRIV, "priv size");

	/* every mbuf can be taken, written and given back */
	bufs = calloc(n, sizeof(*bufs));
	TEST_ASSERT_NOT_NULL(bufs, "no memory");
	if (rte_pktmbuf_alloc_bulk(mp, bufs, n) != 0) {
		printf("    FAIL: cannot take all %u mbufs\n", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *d = rte_pktmbuf_append(bufs[i], 1500);

		if (d == NULL || rte_pktmbuf_iova(bufs[i]) !=
				rte_extmem_virt2iova(d)) {
			printf("    FAIL: mbuf %u data\n", i);
			goto out;
		}
		memset(d, (int)i, 1500);
	}
	for (i = 0; i < n; i++)
		if (rte_pktmbuf_mtod_offset(bufs[i], uint8_t *, 1499)[0] !=
				(uint8_t)i) {
			printf("    FAIL: mbuf %u content\n", i);
			goto out;
		}
	rte_pktmbuf_free_bulk(bufs, n);
	ret = TEST_SUCCESS;
out:
	free(bufs);
	return ret;
}

static int
pool_busy_checks(struct rte_mempool *mp, struct rte_extmem_heap *h)
{
	struct rte_mbuf *m;
	void *p;

	m = rte_pktmbuf_alloc(mp);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_free(mp) == -1, EBUSY,
		"free a pool with an mbuf out");
	TEST_ASSERT(rte_mempool_lookup(mp->name) == mp, "pool kept");
	TEST_ASSERT(rte_extmem_heap_lookup(mp->name) == h, "heap kept");
	rte_pktmbuf_free(m);
	TEST_ASSERT_ERRNO(rte_extmem_heap_destroy(h) == -1, EBUSY,
		"destroy the heap of a pool");
	/* the heap is sized for the pool; a few bytes may be left */
	p = rte_malloc_socket("foreign", 64, 0, test_heap_socket(h));
	if (p != NULL) {
		TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_free(mp) == -1, EBUSY,
			"free a pool whose heap holds a foreign allocation");
		rte_free(p);
	} else {
		TEST_LOG("no 64 bytes left in the heap for a foreign "
			"allocation");
	}
	return TEST_SUCCESS;
}

static int
pool_on(enum rte_extmem_backing b)
{
	size_t pgsz = natural_page(b), need;
	struct rte_extmem_region_params bp;
	struct rte_extmem_heap_info info;
	struct test_heap_snap s;
	struct rte_extmem_heap *h;
	struct rte_mempool *mp;
	void *mem = NULL;
	int ret;

	test_heap_snap(&s);
	need = rte_extmem_pktmbuf_pool_mem_size(POOL_N, POOL_CACHE, POOL_PRIV,
		RTE_MBUF_DEFAULT_BUF_SIZE, pgsz);
	TEST_ASSERT_NE(need, 0, "mem_size: %s", rte_strerror(rte_errno));
	rte_extmem_region_params_init(&bp);
	bp.backing = b;
	if (b == RTE_EXTMEM_BACKING_USER) {
		mem = mmap(NULL, need, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		TEST_ASSERT(mem != MAP_FAILED, "mmap");
		bp.addr = mem;
		bp.len = need;
	}
	mp = rte_extmem_pktmbuf_pool_create("xpool", POOL_N, POOL_CACHE,
		POOL_PRIV, RTE_MBUF_DEFAULT_BUF_SIZE, &bp);
	if (mp == NULL && b == RTE_EXTMEM_BACKING_HUGETLB &&
			(rte_errno == ENOMEM || rte_errno == ENOTSUP)) {
		TEST_LOG("SKIP hugetlb: no %zu bytes of free 2M pages (%s); "
			"other tests share the pool", need,
			rte_strerror(rte_errno));
		return test_heap_snap_same(&s, "skipped hugetlb pool");
	}
	TEST_ASSERT_NOT_NULL(mp, "%s pool: %s", rte_extmem_backing_name(b),
		rte_strerror(rte_errno));
	h = rte_extmem_heap_lookup(mp->name);
	TEST_ASSERT_NOT_NULL(h, "pool heap");
	TEST_ASSERT(rte_extmem_heap_lookup("xpool") == h, "heap by name");
	TEST_ASSERT(rte_mempool_lookup("xpool") == mp, "pool by name");
	TEST_ASSERT_EQ(mp->socket_id, test_heap_socket(h),
		"pool on the heap's socket");
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(h, &info), 0, "info");
	TEST_ASSERT_EQ(info.size, b == RTE_EXTMEM_BACKING_ANON_THP ?
		RTE_ALIGN_CEIL(need, RTE_PGSIZE_2M) : need,
		"heap sized by pool_mem_size");
	TEST_ASSERT_EQ(info.n_regions, 1, "one region");
	TEST_ASSERT_EQ(info.n_grown, 0, "no growth");
	/* 4K pages, IOVA as VA: objects packed, far fewer pages than mbufs
	 * (one per mbuf if each page were its own IOVA run, as in PA mode)
	 */
	if (pgsz == 4096 && rte_eal_iova_mode() == RTE_IOVA_VA)
		TEST_ASSERT(info.size < (size_t)POOL_N * pgsz,
			"%s pool of %u mbufs in %zu bytes: not below one "
			"4K page per mbuf", rte_extmem_backing_name(b),
			POOL_N, info.size);
	else if (rte_eal_iova_mode() != RTE_IOVA_VA)
		TEST_LOG("%s: IOVA PA mode, any page may be its own IOVA "
			"run: objects counted per %zu-byte page",
			rte_extmem_backing_name(b), pgsz);
	TEST_ASSERT(strcmp(info.pool, "xpool") == 0, "owner pool %s",
		info.pool);
	TEST_LOG("%-7s %u mbufs: heap %zu bytes (%zu free), objects of %u "
		"bytes on %zu-byte pages; testpmd's xmem sizing: %zu bytes",
		rte_extmem_backing_name(b), POOL_N, info.size, info.free,
		mp->header_size + mp->elt_size + mp->trailer_size, pgsz,
		testpmd_estimate(POOL_N, RTE_MBUF_DEFAULT_BUF_SIZE, pgsz));
	ret = pool_checks(mp, h, info.min_page_sz, POOL_N);
	if (ret == TEST_SUCCESS)
		ret = pool_busy_checks(mp, h);
	TEST_RUN(ret);
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(mp), 0, "pool free: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup("xpool") == NULL, ENOENT,
		"heap released with the pool");
	TEST_ASSERT_NULL(rte_mempool_lookup("xpool"), "pool gone");
	if (mem != NULL)
		munmap(mem, need);
	return test_heap_snap_same(&s, "pool free");
}

/* fn on every CPU-writable backing, up to the first failure */
static int
on_backings(int (*fn)(enum rte_extmem_backing b))
{
	unsigned int i;

	for (i = 0; i < test_heap_n_backings; i++)
		TEST_RUN(fn(test_heap_backings[i]));
	return TEST_SUCCESS;
}

static int
test_heap_pool(void)
{
	return on_backings(pool_on);
}

REGISTER_EXTMEM_TEST(heap_pool, test_heap_pool, 0);

/*
 * The size table of heaps.rst ("Measured by ..."): the figures of
 * rte_extmem_pktmbuf_pool_mem_size(4095, 32, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
 * page) in this IOVA mode, and of testpmd's xmem sizing, as documented.
 * They depend on RTE_MAX_LCORE (the per-lcore caches in the pool header):
 * the table is for Debian's DPDK 22.11 (128).
 */
#define DOC_SIZES_MAX_LCORE 128
static const struct {
	const char *row;
	size_t page;
	enum rte_iova_mode mode;	/* RTE_IOVA_DC: either mode */
	size_t lib, testpmd;
} doc_sizes[] = {
	{ "4K pages, IOVA as VA", 4096, RTE_IOVA_VA, 10792960, 150990848 },
	{ "4K pages, IOVA as PA", 4096, RTE_IOVA_PA, 17866752, 150990848 },
	{ "2M hugetlb pages", RTE_PGSIZE_2M, RTE_IOVA_DC, 12582912,
		144703488 },
};

static int
test_heap_pool_doc_sizes(void)
{
	size_t got, tp;
	unsigned int i, n = 0;

	if (RTE_MAX_LCORE != DOC_SIZES_MAX_LCORE)
		TEST_SKIP("RTE_MAX_LCORE is %d, the table of heaps.rst is for "
			"%d", RTE_MAX_LCORE, DOC_SIZES_MAX_LCORE);
	for (i = 0; i < RTE_DIM(doc_sizes); i++) {
		if (doc_sizes[i].mode != RTE_IOVA_DC &&
				doc_sizes[i].mode != rte_eal_iova_mode())
			continue;
		got = rte_extmem_pktmbuf_pool_mem_size(4095, 32, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, doc_sizes[i].page);
		tp = testpmd_estimate(4095, RTE_MBUF_DEFAULT_BUF_SIZE,
			doc_sizes[i].page);
		TEST_LOG("%-22s this library %zu, testpmd's sizing %zu",
			doc_sizes[i].row, got, tp);
		TEST_ASSERT_EQ(got, doc_sizes[i].lib, "heaps.rst row '%s': "
			"the library's size is %zu, the table says %zu",
			doc_sizes[i].row, got, doc_sizes[i].lib);
		TEST_ASSERT_EQ(tp, doc_sizes[i].testpmd, "heaps.rst row '%s': "
			"testpmd's sizing is %zu, the table says %zu",
			doc_sizes[i].row, tp, doc_sizes[i].testpmd);
		n++;
	}
	TEST_ASSERT(n > 0, "no row of the table for this IOVA mode");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(heap_pool_doc_sizes, test_heap_pool_doc_sizes, 0);

/* Objects larger than a page: placed per IOVA-contiguous run. */
#define JUMBO_N 511
#define JUMBO_ROOM 9018

static int
jumbo_ok(struct rte_mempool *mp, const char *what)
{
	struct pool_check c = { .pgsz = (size_t)sysconf(_SC_PAGESIZE) };

	c.h = rte_extmem_heap_lookup(mp->name);
	TEST_ASSERT_NOT_NULL(c.h, "%s: heap", what);
	TEST_ASSERT_EQ(rte_mempool_obj_iter(mp, pool_obj_cb, &c), JUMBO_N,
		"%s: objects", what);
	TEST_ASSERT_EQ(c.outside + c.crossing + c.bad_iova, 0,
		"%s: %u outside, %u not contiguous, %u wrong IOVA", what,
		c.outside, c.crossing, c.bad_iova);
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(mp), 0, "%s: free", what);
	return TEST_SUCCESS;
}

/*
 * Base pages are IOVA-contiguous only in IOVA-as-VA mode: in PA mode the
 * pool over them is refused at once (ENOTSUP, nothing made, the log line
 * names the sizes and what to use instead), every time; 2M pages and the
 * caller's memory with an IOVA-contiguous table work in both modes.
 */
static int
jumbo_on(enum rte_extmem_backing b)
{
	bool pa = rte_eal_iova_mode() == RTE_IOVA_PA;
	struct rte_extmem_region_params bp;
	struct test_log_capture cap;
	const char *bn = rte_extmem_backing_name(b);
	struct test_heap_snap s;
	struct rte_mempool *mp;
	rte_iova_t *io = NULL;
	size_t need = 0, pg = (size_t)sysconf(_SC_PAGESIZE), i;
	void *mem = NULL;
	char *log;
	int round, ret = TEST_SUCCESS;

	rte_extmem_region_params_init(&bp);
	bp.backing = b;
	if (b == RTE_EXTMEM_BACKING_USER) {
		need = rte_extmem_pktmbuf_pool_mem_size(JUMBO_N, 0, 0,
			JUMBO_ROOM, pg);
		TEST_ASSERT_NE(need, 0, "mem_size");
		mem = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		TEST_ASSERT(mem != MAP_FAILED, "mmap");
		io = calloc(need / pg, sizeof(*io));
		TEST_ASSERT_NOT_NULL(io, "calloc");
		for (i = 0; i < need / pg; i++)
			io[i] = 0x500000000000ULL + i * pg;
		bp.addr = mem;
		bp.len = need;
		bp.iovas = io;
		bp.n_iovas = need / pg;
	}
	/* twice: the outcome does not depend on where the pages are */
	for (round = 0; round < 2 && ret == TEST_SUCCESS; round++) {
		test_heap_snap(&s);
		test_log_capture_begin(&cap);
		mp = rte_extmem_pktmbuf_pool_create("jumbo", JUMBO_N, 0, 0,
			JUMBO_ROOM, &bp);
		log = test_log_capture_end(&cap);
		if (mp == NULL && b == RTE_EXTMEM_BACKING_HUGETLB &&
				rte_errno == ENOMEM) {
			TEST_LOG("SKIP hugetlb: no free 2M pages");
			free(log);
			break;
		}
		if (pa && b != RTE_EXTMEM_BACKING_HUGETLB &&
				b != RTE_EXTMEM_BACKING_USER) {
			if (mp != NULL)
				rte_extmem_pktmbuf_pool_free(mp);
			if (mp != NULL || rte_errno != ENOTSUP ||
					log == NULL ||
					strstr(log, "--iova-mode=va") == NULL ||
					strstr(log, "4096-byte pages") == NULL) {
				printf("    FAIL: %s, PA mode: pool %s (%s), "
					"expected ENOTSUP and a log line naming "
					"the page size and --iova-mode=va:\n%s",
					bn, mp != NULL ? "created" : "refused",
					rte_strerror(rte_errno),
					log != NULL ? log : "(none)");
				ret = TEST_FAILED;
			} else {
				ret = test_heap_snap_same(&s, "refused jumbo");
			}
			free(log);
			continue;
		}
		free(log);
		if (mp == NULL) {
			printf("    FAIL: %s jumbo pool: %s\n", bn,
				rte_strerror(rte_errno));
			ret = TEST_FAILED;
			break;
		}
		ret = jumbo_ok(mp, bn);
		if (ret == TEST_SUCCESS)
			ret = test_heap_snap_same(&s, "jumbo pool freed");
	}
	if (mem != NULL)
		munmap(mem, need);
	free(io);
	if (ret == TEST_SUCCESS)
		TEST_LOG("%-7s %u x %u-byte data rooms, %s mode: %s", bn,
			JUMBO_N, JUMBO_ROOM, pa ? "PA" : "VA",
			pa && b != RTE_EXTMEM_BACKING_HUGETLB &&
			b != RTE_EXTMEM_BACKING_USER ? "refused (ENOTSUP)" :
			"created");
	return ret;
}

static int
test_heap_pool_jumbo(void)
{
	return on_backings(jumbo_on);
}

REGISTER_EXTMEM_TEST(heap_pool_jumbo, test_heap_pool_jumbo, 0);

#define POOL_FAILS(expr, err, what) do { \
	struct test_heap_snap s_; \
	test_heap_snap(&s_); \
	TEST_ASSERT_ERRNO((expr) == NULL, err, what); \
	TEST_RUN(test_heap_snap_same(&s_, what)); \
} while (0)

static int
test_heap_pool_args(void)
{
	const uint16_t room = RTE_MBUF_DEFAULT_BUF_SIZE;
	struct rte_extmem_region_params bp, dev;
	struct {
		struct rte_extmem_region_params p;
		uint64_t later;	/* a field of a later version */
	} big;
	struct rte_mempool *native, *mp;
	size_t small = 1UL << 20;
	void *mem;

	rte_extmem_region_params_init(&bp);
	POOL_FAILS(rte_extmem_pktmbuf_pool_create(NULL, 63, 0, 0, room, &bp),
		EINVAL, "NULL name");
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("", 63, 0, 0, room, &bp),
		EINVAL, "empty name");
	/* RTE_MEMPOOL_NAMESIZE - 1 characters at most */
	POOL_FAILS(rte_extmem_pktmbuf_pool_create(
		"a_name_of_26_characters___", 63, 0, 0, room, &bp),
		EINVAL, "name too long for a mempool");
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 0, 0, 0, room, &bp),
		EINVAL, "0 mbufs");
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 63, 0, 3, room, &bp),
		EINVAL, "misaligned priv_size");
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 4095, 600, 0, room,
		&bp), EINVAL, "cache above RTE_MEMPOOL_CACHE_MAX_SIZE");
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 100, 100, 0, room, &bp),
		EINVAL, "cache too large for n");
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 63, 0, 0, room, NULL),
		EINVAL, "NULL backing");
	bp.struct_size = 0;
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 63, 0, 0, room, &bp),
		EINVAL, "backing not initialised");
	/* a newer caller's structure: its unknown fields are never ignored */
	memset(&big, 0, sizeof(big));
	rte_extmem_region_params_init(&big.p);
	big.p.struct_size = sizeof(big);
	big.later = 1;
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 63, 0, 0, room, &big.p),
		ENOTSUP, "backing with an unknown field set");
	big.later = 0;
	mp = rte_extmem_pktmbuf_pool_create("p", 63, 0, 0, room, &big.p);
	TEST_ASSERT_NOT_NULL(mp, "backing with an unknown field 0: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(mp), 0, "free");
	rte_extmem_region_params_init(&bp);
	bp.page_sz = 3 * 4096;
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 63, 0, 0, room, &bp),
		EINVAL, "page size not a power of two");
	bp.page_sz = 0;

	mem = mmap(NULL, small, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	test_region_params(&dev, NULL, RTE_EXTMEM_BACKING_DEVICE, mem, small);
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 63, 0, 0, room, &dev),
		EINVAL, "device memory");
	dev.backing = RTE_EXTMEM_BACKING_USER;
	dev.len = 0;
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 63, 0, 0, room, &dev),
		EINVAL, "user memory without a length");
	dev.len = small;
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("p", 4095, 0, 0, room, &dev),
		ENOMEM, "user memory too small");
	munmap(mem, small);

	native = rte_mempool_create_empty("taken", 63, 64, 0, 0, 0, 0);
	TEST_ASSERT_NOT_NULL(native, "native mempool");
	POOL_FAILS(rte_extmem_pktmbuf_pool_create("taken", 63, 0, 0, room,
		&bp), EEXIST, "mempool name in use");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_free(native) == -1, EINVAL,
		"free a pool the library did not make");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_free(NULL) == -1, EINVAL,
		"free NULL");
	TEST_ASSERT_ERRNO(rte_extmem_heap_lookup(native->name) == NULL, ENOENT,
		"a native pool has no heap");
	rte_mempool_free(native);

	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_mem_size(0, 0, 0, room,
		4096) == 0, EINVAL, "mem_size of 0 mbufs");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_mem_size(63, 0, 0, room,
		3000) == 0, EINVAL, "mem_size with a bad page size");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_mem_size(63, 0, 1, room,
		4096) == 0, EINVAL, "mem_size with a bad priv_size");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(heap_pool_args, test_heap_pool_args, 0);
