/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Slices of device memory: the memory is mapped PROT_NONE, so any CPU
 * access by the library is a SIGSEGV (the test crashes); at the end
 * mincore and smaps prove no page was even populated. Also the geometry of
 * slices (segments, IOVAs, splits at IOVA discontinuities and 16-bit
 * lengths) and argument checking.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>

#include "test.h"
#include "test_mbuf.h"

#define PG 4096u
#define IOVA_BASE 0x100000000000ULL

/* Expected number of segments of [off, off + len) when IOVA runs are
 * run_pages pages long from the region start and segments hold max_seg.
 */
static unsigned int
expected_segs(size_t off, size_t len, unsigned int run_pages, size_t max_seg)
{
	size_t o = off, end = off + len, run = (size_t)run_pages * PG;
	unsigned int n = 0;

	while (o < end) {
		size_t run_end = run_pages == 0 ? end : (o / run + 1) * run;

		o += RTE_MIN(RTE_MIN(end, run_end) - o, max_seg);
		n++;
	}
	return n;
}

static int
test_mbuf_slice_untouched(void)
{
	static const uint8_t hdr[42] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	const size_t len = 4u << 20, pin_len = 1u << 20;
	struct rte_extmem_slicer_info st;
	struct rte_mbuf *m1, *m2, *m3, *c1, *h, *pin[8];
	struct rte_mempool *clone_pool, *hdr_pool, *pinned;
	struct rte_extmem_region *r, *r2;
	struct test_devmem d, d2;
	struct test_cb_count cb;
	struct rte_extmem_slicer *s;
	rte_iova_t *iovas, *iovas2;
	unsigned int i, n = len / PG;
	uintptr_t base;
	uint32_t users0;

	TEST_ASSERT_EQ(test_devmem_map(&d, len, 1u << 16, PROT_NONE), 0, "map");
	TEST_ASSERT_EQ(test_devmem_map(&d2, pin_len, 1u << 16, PROT_NONE), 0,
		"map");
	base = (uintptr_t)d.addr;
	iovas = calloc(n, sizeof(*iovas));
	iovas2 = calloc(pin_len / PG, sizeof(*iovas2));
	TEST_ASSERT(iovas != NULL && iovas2 != NULL, "calloc");
	test_fake_iovas(iovas, n, PG, IOVA_BASE, 5);
	test_fake_iovas(iovas2, pin_len / PG, PG, IOVA_BASE + (1ULL << 32), 3);

	/* create */
	r = test_device_region("mbs_dev", &d, PG, iovas, 0);
	TEST_ASSERT_NOT_NULL(r, "device region: %s", rte_strerror(rte_errno));
	r2 = test_device_region("mbs_dev2", &d2, PG, iovas2, 0);
	TEST_ASSERT_NOT_NULL(r2, "device region: %s", rte_strerror(rte_errno));
	users0 = test_region_users(r);
	s = test_slicer("mbs_untouched", r, 128, 0, &cb);
	TEST_ASSERT_NOT_NULL(s, "slicer: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_region_users(r), users0 + 1, "slicer is a user");
	clone_pool = rte_pktmbuf_pool_create("mbs_clone", 256, 0, 0, 0,
		SOCKET_ID_ANY);
	hdr_pool = rte_pktmbuf_pool_create("mbs_hdr", 64, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	TEST_ASSERT(clone_pool != NULL && hdr_pool != NULL, "pools: %s",
		rte_strerror(rte_errno));

	/* slice, attach */
	m1 = rte_extmem_slice_alloc(s, 100, 1500);
	TEST_ASSERT_NOT_NULL(m1, "slice: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_slice_verify(m1, base + 100, 1500), 0, "m1");
	TEST_ASSERT_EQ(m1->nb_segs, 1, "one segment");
	TEST_ASSERT_EQ(rte_pktmbuf_iova(m1), IOVA_BASE + 100, "IOVA");
	m2 = rte_extmem_slice_alloc(s, 4 * PG + 10, 9000);
	TEST_ASSERT_NOT_NULL(m2, "slice: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_slice_verify(m2, base + 4 * PG + 10, 9000), 0,
		"m2");
	TEST_ASSERT_EQ(m2->nb_segs, 2, "split at the IOVA jump after page 4");
	m3 = rte_extmem_slice_alloc(s, 0, 200000);
	TEST_ASSERT_NOT_NULL(m3, "slice: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_slice_verify(m3, base, 200000), 0, "m3");
	TEST_ASSERT_EQ(m3->nb_segs, expected_segs(0, 200000, 5, UINT16_MAX),
		"segments");

	/* clone, chain, header split */
	c1 = rte_pktmbuf_clone(m2, clone_pool);
	TEST_ASSERT_NOT_NULL(c1, "clone");
	TEST_ASSERT_EQ(test_slice_verify(c1, base + 4 * PG + 10, 9000), 0,
		"clone");
	TEST_ASSERT_EQ(rte_pktmbuf_chain(m1, c1), 0, "chain");
	TEST_ASSERT_EQ(m1->nb_segs, 3, "chained segments");
	TEST_ASSERT_EQ(m1->pkt_len, 10500, "chained length");
	h = rte_extmem_slice_alloc_hdr(s, hdr_pool, hdr, sizeof(hdr), 8 * PG,
		3000);
	TEST_ASSERT_NOT_NULL(h, "header split: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(h->data_len, sizeof(hdr), "header length");
	TEST_ASSERT_MEM_EQ(rte_pktmbuf_mtod(h, void *), hdr, sizeof(hdr),
		"header bytes");
	TEST_ASSERT_EQ(h->pkt_len, sizeof(hdr) + 3000, "packet length");
	TEST_ASSERT_EQ(test_slice_verify(h->next, base + 8 * PG, 3000), 0,
		"payload");

	/* a pinned pool over the second region */
	pinned = rte_extmem_pktmbuf_pool_create_extbuf("mbs_pin", 0, 0, 0,
		2048, SOCKET_ID_ANY, &r2, 1);
	TEST_ASSERT_NOT_NULL(pinned, "pinned pool: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_pktmbuf_alloc_bulk(pinned, pin, RTE_DIM(pin)), 0,
		"alloc from the pinned pool");
	for (i = 0; i < RTE_DIM(pin); i++)
		TEST_ASSERT_EQ(rte_extmem_range2iova(pin[i]->buf_addr,
			pin[i]->buf_len), rte_mbuf_iova_get(pin[i]),
			"pinned buffer %u IOVA", i);
	rte_pktmbuf_free_bulk(pin, RTE_DIM(pin));

	/* free everything: one callback per slice */
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), -1, "destroy while busy");
	TEST_ASSERT_EQ(rte_errno, EBUSY, "EBUSY");
	rte_pktmbuf_free(m2);
	TEST_ASSERT_EQ(cb.calls, 0, "m2 still has a clone");
	rte_pktmbuf_free(m1);
	rte_pktmbuf_free(m3);
	rte_pktmbuf_free(h);
	TEST_ASSERT_EQ(cb.calls, 4, "callbacks");
	TEST_ASSERT_EQ(cb.sum, test_slice_key(100, 1500) +
		test_slice_key(4 * PG + 10, 9000) + test_slice_key(0, 200000) +
		test_slice_key(8 * PG, 3000), "callback arguments");
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s, &st), 0, "stats");
	TEST_ASSERT_EQ(st.in_flight, 0, "in flight");
	TEST_ASSERT_EQ(st.slices, 4, "slices");
	TEST_ASSERT_EQ(st.freed, 4, "freed");

	/* destroy */
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s), 0, "slicer free: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_region_users(r), users0, "users back");
	rte_mempool_free(pinned);
	rte_mempool_free(clone_pool);
	rte_mempool_free(hdr_pool);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r2), 0, "destroy: %s",
		rte_strerror(rte_errno));

	/* not a single page of device memory was populated */
	TEST_ASSERT_EQ(test_resident_pages(d.addr, d.len), 0, "resident");
	TEST_ASSERT_EQ(test_resident_pages(d2.addr, d2.len), 0, "resident");
	TEST_ASSERT_EQ(test_smaps_rss_kb(d.addr), 0, "smaps Rss");
	TEST_ASSERT_EQ(test_smaps_rss_kb(d2.addr), 0, "smaps Rss");
	test_devmem_unmap(&d);
	test_devmem_unmap(&d2);
	free(iovas);
	free(iovas2);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mbuf_slice_untouched, test_mbuf_slice_untouched, 0);

struct slice_case {
	size_t off;
	size_t len;
};

/* Slice every case, verify and free; the segment counts follow the runs. */
static int
slice_cases(struct rte_extmem_slicer *s, uintptr_t base,
	const struct slice_case *c, unsigned int n, unsigned int run_pages,
	size_t max_seg)
{
	struct rte_mbuf *m;
	unsigned int i;

	for (i = 0; i < n; i++) {
		m = rte_extmem_slice_alloc(s, c[i].off, c[i].len);
		TEST_ASSERT_NOT_NULL(m, "slice [%zu, +%zu): %s", c[i].off,
			c[i].len, rte_strerror(rte_errno));
		TEST_ASSERT_EQ(test_slice_verify(m, base + c[i].off, c[i].len),
			0, "slice [%zu, +%zu)", c[i].off, c[i].len);
		TEST_ASSERT_EQ(m->nb_segs, expected_segs(c[i].off, c[i].len,
			run_pages, max_seg), "segments of [%zu, +%zu)",
			c[i].off, c[i].len);
		rte_pktmbuf_free(m);
	}
	return TEST_SUCCESS;
}

static int
test_mbuf_slice_chain(void)
{
	const size_t len = 8u << 20;
	const unsigned int n = len / PG, bad = 40;
	static const struct slice_case cases[] = {
		{ 0, 1 }, { 100, 1500 }, { PG - 10, 20 }, { 3 * PG - 1, 2 },
		{ 3 * PG, 3 * PG }, { 0, 3 * PG }, { 5000, 100000 },
		{ 41 * PG, 65535 }, { 42 * PG, 65536 }, { 1u << 20, 1u << 20 },
		{ (8u << 20) - 1500, 1500 }, { (8u << 20) - 1, 1 },
	};
	struct rte_extmem_slicer_info st;
	struct rte_extmem_slicer *s, *s64, *s2;
	struct rte_mbuf *m, *held[2];
	struct rte_extmem_region *r;
	struct test_devmem d;
	struct test_cb_count cb;
	rte_iova_t *iovas;
	uintptr_t base;

	TEST_ASSERT_EQ(test_devmem_map(&d, len, 1u << 16, PROT_NONE), 0, "map");
	base = (uintptr_t)d.addr;
	iovas = calloc(n, sizeof(*iovas));
	TEST_ASSERT_NOT_NULL(iovas, "calloc");
	test_fake_iovas(iovas, n, PG, IOVA_BASE, 3);
	iovas[bad] = RTE_BAD_IOVA;
	r = test_device_region("mbs_chain", &d, PG, iovas, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));

	s = test_slicer("mbs_chain", r, 256, 0, &cb);
	TEST_ASSERT_NOT_NULL(s, "slicer: %s", rte_strerror(rte_errno));
	TEST_RUN(slice_cases(s, base, cases, RTE_DIM(cases), 3, UINT16_MAX));

	/* the page with no IOVA cannot be sliced; its neighbours can */
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc(s, bad * PG + 7, 10) == NULL,
		EFAULT, "unknown IOVA");
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc(s, (bad - 1) * PG,
		PG + 1) == NULL,
		EFAULT, "range reaching the unknown page");
	m = rte_extmem_slice_alloc(s, (bad - 1) * PG, PG);
	TEST_ASSERT_NOT_NULL(m, "page before: %s", rte_strerror(rte_errno));
	rte_pktmbuf_free(m);

	/* small segments; the segment limit */
	s64 = test_slicer("mbs_chain64", r, 2048, 64, NULL);
	TEST_ASSERT_NOT_NULL(s64, "slicer: %s", rte_strerror(rte_errno));
	TEST_RUN(slice_cases(s64, base, (const struct slice_case[]){
		{ 0, 64 * RTE_EXTMEM_SLICE_MAX_SEGS }, { 10, 1500 } }, 2, 3, 64));
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc(s64, 0,
		64 * RTE_EXTMEM_SLICE_MAX_SEGS + 1) == NULL, E2BIG,
		"too many segments");

	/* as many segments in flight as the pool has mbufs */
	s2 = test_slicer("mbs_chain2", r, 2, 0, NULL);
	TEST_ASSERT_NOT_NULL(s2, "slicer: %s", rte_strerror(rte_errno));
	held[0] = rte_extmem_slice_alloc(s2, 0, 100);
	held[1] = rte_extmem_slice_alloc(s2, 0, 100);
	TEST_ASSERT(held[0] != NULL && held[1] != NULL, "two slices");
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc(s2, 0, 100) == NULL, ENOBUFS,
		"third slice");
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s2, &st), 0, "stats");
	TEST_ASSERT_EQ(st.fails, 1, "failure counted");
	TEST_ASSERT_EQ(st.in_flight, 2, "in flight");
	rte_pktmbuf_free(held[0]);
	m = rte_extmem_slice_alloc(s2, 0, 100);
	TEST_ASSERT_NOT_NULL(m, "slice after a free");
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(held[1]);

	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s, &st), 0, "stats");
	TEST_ASSERT_EQ(st.slices, RTE_DIM(cases) + 1, "slices");
	TEST_ASSERT_EQ(cb.calls, st.slices, "a callback per slice");
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s), 0, "free");
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s64), 0, "free");
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s2), 0, "free");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy: %s",
		rte_strerror(rte_errno));
	TEST_RUN(test_devmem_release(&d));
	free(iovas);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mbuf_slice_chain, test_mbuf_slice_chain, 0);

/* Without an IOVA table in IOVA-as-VA mode, slices carry their VA. */
static int
test_mbuf_slice_va(void)
{
	const size_t len = 2u << 20, pg = 1u << 16;
	struct rte_extmem_region *r;
	struct rte_extmem_slicer *s;
	struct test_devmem d;
	struct rte_mbuf *m;

	if (rte_eal_iova_mode() != RTE_IOVA_VA)
		TEST_SKIP("device memory without IOVAs needs IOVA-as-VA mode");
	TEST_ASSERT_EQ(test_devmem_map(&d, len, pg, PROT_NONE), 0, "map");
	r = test_device_region("mbs_va", &d, pg, NULL, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	s = test_slicer("mbs_va", r, 8, 0, NULL);
	TEST_ASSERT_NOT_NULL(s, "slicer: %s", rte_strerror(rte_errno));
	m = rte_extmem_slice_alloc(s, pg - 100, 300000);
	TEST_ASSERT_NOT_NULL(m, "slice: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_slice_verify(m, (uintptr_t)d.addr + pg - 100,
		300000), 0, "slice");
	TEST_ASSERT_EQ(rte_pktmbuf_iova(m), (uintptr_t)d.addr + pg - 100,
		"IOVA is the VA");
	TEST_ASSERT_EQ(m->nb_segs, (300000 + UINT16_MAX - 1) / UINT16_MAX,
		"only 16-bit lengths split a contiguous region");
	rte_pktmbuf_free(m);
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s), 0, "free");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_RUN(test_devmem_release(&d));
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mbuf_slice_va, test_mbuf_slice_va, 0);

static int
test_mbuf_slice_args(void)
{
	const size_t len = 1u << 20;
	struct rte_extmem_slicer_params p;
	struct rte_extmem_slicer_info st, si;
	struct {
		struct rte_extmem_slicer_params p;
		uint64_t later;	/* a field of a later version */
	} big;
	struct rte_extmem_region *r, *dead;
	struct rte_mempool *hdr_pool;
	struct rte_extmem_slicer *s;
	struct rte_mbuf *m, *own;
	struct test_devmem d, d2;
	rte_iova_t *iovas;
	unsigned int avail;
	uint32_t users0;

	TEST_ASSERT_EQ(test_devmem_map(&d, len, PG, PROT_NONE), 0, "map");
	TEST_ASSERT_EQ(test_devmem_map(&d2, len, PG, PROT_NONE), 0, "map");
	iovas = calloc(len / PG, sizeof(*iovas));
	TEST_ASSERT_NOT_NULL(iovas, "calloc");
	test_fake_iovas(iovas, len / PG, PG, IOVA_BASE, 0);
	r = test_device_region("mbs_args", &d, PG, iovas, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	dead = test_device_region("mbs_dead", &d2, PG, iovas, 0);
	TEST_ASSERT_NOT_NULL(dead, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(dead), 0, "destroy");
	users0 = test_region_users(r);

	TEST_ASSERT_ERRNO(rte_extmem_slicer_params_init(NULL) != 0, EINVAL,
		"params_init(NULL)");
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(NULL) == NULL, EINVAL,
		"NULL params");
	rte_extmem_slicer_params_init(&p);
	p.name = "mbs_args";
	p.region = r;
	p.n_mbufs = 8;
	p.struct_size = sizeof(p) - 1;
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EINVAL,
		"struct_size");
	memset(&big, 0, sizeof(big));
	memcpy(&big.p, &p, sizeof(p));
	big.p.struct_size = sizeof(big);
	big.later = 1;
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&big.p) == NULL, ENOTSUP,
		"struct_size of a later version with an unknown field set");
	p.struct_size = sizeof(p);
	p.name = "";
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EINVAL, "name");
	p.name = "a_name_that_is_far_too_long_for_a_slicer";
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EINVAL, "name");
	p.name = "mbs_args";
	p.region = NULL;
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EINVAL,
		"no region");
	p.region = dead;
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EINVAL,
		"destroyed region");
	p.region = r;
	p.n_mbufs = 0;
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EINVAL,
		"n_mbufs 0");
	p.n_mbufs = 8;
	p.cache_size = RTE_MEMPOOL_CACHE_MAX_SIZE + 1;
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EINVAL,
		"cache size");
	p.cache_size = 100;
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EINVAL,
		"cache size larger than the pool allows");
	p.cache_size = 0;
	p.socket_id = RTE_MAX_NUMA_NODES;
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EINVAL,
		"socket");
	p.socket_id = SOCKET_ID_ANY;
	TEST_ASSERT_EQ(test_region_users(r), users0, "failures took no user");

	s = rte_extmem_slicer_create(&p);
	TEST_ASSERT_NOT_NULL(s, "slicer: %s", rte_strerror(rte_errno));
	TEST_ASSERT_ERRNO(rte_extmem_slicer_create(&p) == NULL, EEXIST,
		"same name");
	TEST_ASSERT(rte_extmem_slicer_lookup("mbs_args") == s, "lookup");
	TEST_ASSERT_ERRNO(rte_extmem_slicer_lookup("nope") == NULL, ENOENT,
		"lookup");
	TEST_ASSERT_ERRNO(rte_extmem_slicer_lookup(NULL) == NULL, EINVAL,
		"lookup");
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s, &si), 0, "info");
	TEST_ASSERT(si.region == r, "region");
	TEST_ASSERT_ERRNO(rte_extmem_slicer_info_get(NULL, &si) != 0, EINVAL,
		"info of NULL");

	/* an mbuf of the slicer's pool in use, even without a slice */
	m = rte_extmem_slice_alloc(s, 0, 100);
	TEST_ASSERT_NOT_NULL(m, "slice: %s", rte_strerror(rte_errno));
	own = rte_pktmbuf_alloc(m->pool);
	TEST_ASSERT_NOT_NULL(own, "mbuf of the slicer's pool");
	rte_pktmbuf_free(m);
	TEST_ASSERT_ERRNO(rte_extmem_slicer_free(s) != 0, EBUSY,
		"pool mbuf in use");
	rte_pktmbuf_free(own);
	hdr_pool = rte_pktmbuf_pool_create("mbs_args_hdr", 16, 0, 0, 256,
		SOCKET_ID_ANY);
	TEST_ASSERT_NOT_NULL(hdr_pool, "pool: %s", rte_strerror(rte_errno));

	/* slice arguments */
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc(NULL, 0, 1) == NULL, EINVAL,
		"NULL");
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc(s, 0, 0) == NULL, EINVAL,
		"len 0");
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc(s, len, 1) == NULL, EINVAL,
		"offset at the end");
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc(s, len - 10, 11) == NULL,
		EINVAL, "past the end");
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc(s, 1, SIZE_MAX) == NULL,
		EINVAL, "huge length");

	/* header split arguments; the header mbuf is not leaked */
	avail = rte_mempool_avail_count(hdr_pool);
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc_hdr(NULL, hdr_pool, NULL, 10,
		0, 10) == NULL, EINVAL, "NULL slicer");
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc_hdr(s, NULL, NULL, 10, 0,
		10) ==
		NULL, EINVAL, "NULL pool");
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc_hdr(s, hdr_pool, NULL, 257, 0,
		10) == NULL, EINVAL, "header too large");
	TEST_ASSERT_ERRNO(rte_extmem_slice_alloc_hdr(s, hdr_pool, NULL, 10, len,
		10) == NULL, EINVAL, "payload outside");
	TEST_ASSERT_EQ(rte_mempool_avail_count(hdr_pool), avail,
		"header mbufs returned");

	TEST_ASSERT_ERRNO(rte_extmem_slicer_info_get(NULL, &st) != 0, EINVAL,
		"stats");
	TEST_ASSERT_ERRNO(rte_extmem_slicer_info_get(s, NULL) != 0, EINVAL,
		"stats");
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s), 0, "free");
	TEST_ASSERT_ERRNO(rte_extmem_slicer_free(s) != 0, EINVAL, "double free");
	TEST_ASSERT_ERRNO(rte_extmem_slicer_free(NULL) != 0, EINVAL,
		"free NULL");
	rte_mempool_free(hdr_pool);
	TEST_ASSERT_EQ(test_region_users(r), users0, "users back");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	test_devmem_unmap(&d);
	test_devmem_unmap(&d2);
	free(iovas);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mbuf_slice_args, test_mbuf_slice_args, 0);

/* Every field a fresh slice must have, as rte_pktmbuf_reset() and
 * rte_pktmbuf_attach_extbuf() would leave it.
 */
static int
slice_fields_check(const struct rte_mbuf *m, uintptr_t va, rte_iova_t iova,
	uint16_t len)
{
	TEST_ASSERT_EQ((uintptr_t)m->buf_addr, va, "buf_addr");
	TEST_ASSERT_EQ(rte_mbuf_iova_get(m), iova, "iova");
	TEST_ASSERT_EQ(m->buf_len, len, "buf_len");
	TEST_ASSERT_EQ(m->data_off, 0, "data_off");
	TEST_ASSERT_EQ(m->data_len, len, "data_len");
	TEST_ASSERT_EQ(m->pkt_len, len, "pkt_len");
	TEST_ASSERT_EQ(rte_mbuf_refcnt_read(m), 1, "refcnt");
	TEST_ASSERT_EQ(m->nb_segs, 1, "nb_segs");
	TEST_ASSERT_EQ(m->port, RTE_MBUF_PORT_INVALID, "port");
	TEST_ASSERT_EQ(m->ol_flags, RTE_MBUF_F_EXTERNAL, "ol_flags %#" PRIx64,
		m->ol_flags);
	TEST_ASSERT_EQ(m->packet_type, 0, "packet_type");
	TEST_ASSERT_EQ(m->vlan_tci, 0, "vlan_tci");
	TEST_ASSERT_EQ(m->vlan_tci_outer, 0, "vlan_tci_outer");
	TEST_ASSERT_EQ(m->tx_offload, 0, "tx_offload");
	TEST_ASSERT(m->next == NULL, "next");
	TEST_ASSERT(m->shinfo != NULL && m->shinfo->free_cb != NULL &&
		rte_mbuf_ext_refcnt_read(m->shinfo) == 1, "shinfo");
	return TEST_SUCCESS;
}

/* What a transmit path leaves in an mbuf before freeing it. */
static void
slice_dirty(struct rte_mbuf *m)
{
	m->port = 3;
	m->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4;
	m->vlan_tci = 7;
	m->vlan_tci_outer = 9;
	m->l2_len = 14;
	m->l3_len = 20;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
		RTE_MBUF_F_TX_VLAN;
}

/*
 * A slice drawn again from the lcore's cache (the mbuf just freed, which
 * the pool hands out first) has every field of a fresh slice, whatever
 * the previous user left in it: one at a time and in bursts.
 */
static int
test_mbuf_slice_fields(void)
{
	const size_t len = 1u << 20;
	struct rte_extmem_slicer_info st;
	struct rte_mbuf *m, *prev, *b[8];
	struct rte_extmem_region *r;
	struct rte_extmem_slicer *s;
	struct test_cb_count cb;
	struct test_devmem d;
	size_t offs[8], lens[8];
	unsigned int n = len / PG, i, k;
	rte_iova_t *iovas;
	uintptr_t base;

	TEST_ASSERT_EQ(test_devmem_map(&d, len, 1u << 16, PROT_NONE), 0, "map");
	base = (uintptr_t)d.addr;
	iovas = calloc(n, sizeof(*iovas));
	TEST_ASSERT(iovas != NULL, "calloc");
	test_fake_iovas(iovas, n, PG, IOVA_BASE, 0);
	r = test_device_region("mbs_fields", &d, PG, iovas, 0);
	TEST_ASSERT_NOT_NULL(r, "device region: %s", rte_strerror(rte_errno));
	s = test_slicer("mbs_fields", r, 64, 0, &cb);
	TEST_ASSERT_NOT_NULL(s, "slicer: %s", rte_strerror(rte_errno));

	prev = NULL;
	for (k = 0; k < 4; k++) {
		size_t off = 1000 + k * 5000, l = 1500 + k;

		m = rte_extmem_slice_alloc(s, off, l);
		TEST_ASSERT_NOT_NULL(m, "slice %u: %s", k,
			rte_strerror(rte_errno));
		if (prev != NULL)
			TEST_ASSERT(m == prev, "the freed mbuf comes back");
		if (slice_fields_check(m, base + off, IOVA_BASE + off,
				(uint16_t)l) != TEST_SUCCESS)
			return TEST_FAILED;
		slice_dirty(m);
		rte_pktmbuf_free(m);
		prev = m;
	}
	for (k = 0; k < 3; k++) {
		for (i = 0; i < RTE_DIM(b); i++) {
			offs[i] = 64 + i * 3000 + k;
			lens[i] = 60 + i * 100;
		}
		TEST_ASSERT_EQ(rte_extmem_slice_alloc_bulk(s, offs, lens, b,
			RTE_DIM(b)), RTE_DIM(b), "burst %u: %s", k,
			rte_strerror(rte_errno));
		for (i = 0; i < RTE_DIM(b); i++) {
			if (slice_fields_check(b[i], base + offs[i],
					IOVA_BASE + offs[i], (uint16_t)lens[i]) !=
					TEST_SUCCESS)
				return TEST_FAILED;
			slice_dirty(b[i]);
		}
		rte_pktmbuf_free_bulk(b, RTE_DIM(b));
	}
	TEST_ASSERT_EQ(rte_extmem_slicer_info_get(s, &st), 0, "info");
	TEST_ASSERT_EQ(st.slices, 4 + 3 * RTE_DIM(b), "slices");
	TEST_ASSERT_EQ(st.freed, st.slices, "freed");
	TEST_ASSERT_EQ(st.in_flight, 0, "in flight");
	TEST_ASSERT_EQ(cb.calls, st.slices, "owner callbacks");
	TEST_ASSERT_EQ(rte_extmem_slicer_free(s), 0, "slicer free");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "region destroy");
	free(iovas);
	return test_devmem_release(&d);
}

REGISTER_EXTMEM_TEST(mbuf_slice_fields, test_mbuf_slice_fields, 0);
