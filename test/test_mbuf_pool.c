/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Pinned external-buffer pools over regions: descriptors split at IOVA
 * discontinuities, every buffer IOVA-contiguous with the IOVA the library
 * translates, regions busy while the pool lives and released by
 * rte_mempool_free(), argument checking. The regions are PROT_NONE.
 */

#include <stdlib.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>

#include "test.h"
#include "test_mbuf.h"

#define PG 4096u
#define IOVA_BASE 0x400000000000ULL
#define ROOM 2176u	/* 2048 + headroom, a multiple of the cache line */

struct pool_walk {
	unsigned int n;
	unsigned int bad;
	uintptr_t lo[2], hi[2];
};

static void
pool_obj_check(struct rte_mempool *mp __rte_unused, void *arg, void *obj,
	unsigned int idx __rte_unused)
{
	struct pool_walk *w = arg;
	struct rte_mbuf *m = obj;
	uintptr_t a = (uintptr_t)m->buf_addr;
	bool inside = false;
	unsigned int i;

	for (i = 0; i < RTE_DIM(w->lo); i++)
		inside |= a >= w->lo[i] && a + m->buf_len <= w->hi[i];
	/* host metadata, IOVA-contiguous buffer with the translated IOVA */
	if (!inside || m->buf_len != ROOM ||
			!RTE_MBUF_HAS_PINNED_EXTBUF(m) ||
			((uintptr_t)m->shinfo >= w->lo[0] &&
			(uintptr_t)m->shinfo < w->hi[0]) ||
			rte_extmem_range2iova(m->buf_addr, m->buf_len) !=
				rte_mbuf_iova_get(m))
		w->bad++;
	w->n++;
}

/*
 * Regions whose second half has no IOVA, or no page one: refused with
 * EFAULT, alone or with a good region, nothing created or taken.
 */
static int
pool_no_iova(struct rte_extmem_region *good)
{
	const unsigned int n = 64;
	struct rte_extmem_region *r[2];
	struct test_devmem d;
	uint32_t users0[2];
	rte_iova_t *io;
	unsigned int i, k;

	TEST_ASSERT_EQ(test_devmem_map(&d, n * PG, PG, PROT_NONE), 0, "map");
	io = calloc(n, sizeof(*io));
	TEST_ASSERT_NOT_NULL(io, "calloc");
	test_fake_iovas(io, n, PG, IOVA_BASE + (2ULL << 32), 0);
	for (k = 0; k < 2; k++) {
		for (i = k == 0 ? n / 2 : 0; i < n; i++)
			io[i] = RTE_BAD_IOVA;
		r[0] = good;
		r[1] = test_device_region("mbp_noiova", &d, PG, io, 0);
		TEST_ASSERT_NOT_NULL(r[1], "region: %s",
			rte_strerror(rte_errno));
		users0[0] = test_region_users(r[0]);
		users0[1] = test_region_users(r[1]);
		TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf(
			"mbp_noiova", 0, 0, 0, ROOM, SOCKET_ID_ANY, &r[1], 1) ==
			NULL, EFAULT, "pool over %s pages without IOVA",
			k == 0 ? "32 of 64" : "all");
		TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf(
			"mbp_noiova", 8, 0, 0, ROOM, SOCKET_ID_ANY, r, 2) ==
			NULL, EFAULT, "pool over a good region and one without "
			"IOVAs");
		TEST_ASSERT_NULL(rte_mempool_lookup("mbp_noiova"), "no pool");
		TEST_ASSERT_EQ(test_region_users(r[0]), users0[0], "users");
		TEST_ASSERT_EQ(test_region_users(r[1]), users0[1], "users");
		TEST_ASSERT_EQ(rte_extmem_region_destroy(r[1]), 0, "destroy");
	}
	test_devmem_unmap(&d);
	free(io);
	return TEST_SUCCESS;
}

static int
test_mbuf_pool_extbuf(void)
{
	const size_t len1 = 2u << 20, len2 = 1u << 20;
	const unsigned int n1 = len1 / PG, n2 = len2 / PG;
	struct rte_extmem_region *r[2], *dup[2];
	struct rte_pktmbuf_extmem *ext;
	struct test_devmem d1, d2;
	struct rte_mempool *mp;
	struct rte_mbuf *m[64];
	rte_iova_t *io1, *io2;
	struct pool_walk w;
	uint32_t users0[2];
	uint64_t bufs, expect;
	unsigned int i;
	int n_ext;

	TEST_ASSERT_EQ(test_devmem_map(&d1, len1, PG, PROT_NONE), 0, "map");
	TEST_ASSERT_EQ(test_devmem_map(&d2, len2, PG, PROT_NONE), 0, "map");
	io1 = calloc(n1, sizeof(*io1));
	io2 = calloc(n2, sizeof(*io2));
	TEST_ASSERT(io1 != NULL && io2 != NULL, "calloc");
	/* region 1: IOVA runs of 3 pages (5 buffers each); region 2: runs
	 * of one page (1 buffer each)
	 */
	test_fake_iovas(io1, n1, PG, IOVA_BASE, 3);
	test_fake_iovas(io2, n2, PG, IOVA_BASE + (1ULL << 32), 1);
	r[0] = test_device_region("mbp_1", &d1, PG, io1, 0);
	r[1] = test_device_region("mbp_2", &d2, PG, io2, 0);
	TEST_ASSERT(r[0] != NULL && r[1] != NULL, "regions: %s",
		rte_strerror(rte_errno));
	users0[0] = test_region_users(r[0]);
	users0[1] = test_region_users(r[1]);
	expect = (n1 / 3) * (3 * PG / ROOM) + (n1 % 3) * PG / ROOM +
		n2 * (PG / ROOM);

	/* descriptors: one per IOVA run, all buffers counted */
	n_ext = rte_extmem_pktmbuf_extmem_get(r, 2, ROOM, NULL, 0, &bufs);
	TEST_ASSERT_EQ(n_ext, (n1 + 2) / 3 + n2, "descriptors");
	TEST_ASSERT_EQ(bufs, expect, "buffers");
	ext = calloc(n_ext, sizeof(*ext));
	TEST_ASSERT_NOT_NULL(ext, "calloc");
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_extmem_get(r, 2, ROOM, ext, n_ext,
		NULL), n_ext, "descriptors");
	for (i = 0; i < (unsigned int)n_ext; i++) {
		TEST_ASSERT_EQ(rte_extmem_range2iova(ext[i].buf_ptr,
			ext[i].buf_len), ext[i].buf_iova, "descriptor %u", i);
		TEST_ASSERT_EQ(ext[i].elt_size, ROOM, "elt_size");
	}
	/* a run smaller than a buffer is left out (upstream would overrun) */
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_extmem_get(r, 2, PG + 64, NULL, 0,
		&bufs), (n1 + 2) / 3, "one-page runs left out");
	TEST_ASSERT_EQ(bufs, (n1 / 3) * 2 + (n1 % 3 == 2 ? 1 : 0), "buffers");
	free(ext);

	/* the pool, with every buffer the regions hold */
	mp = rte_extmem_pktmbuf_pool_create_extbuf("mbp_pool", 0, 32, 0, ROOM,
		SOCKET_ID_ANY, r, 2);
	TEST_ASSERT_NOT_NULL(mp, "pool: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(mp->size, expect, "pool size");
	TEST_ASSERT_EQ(rte_pktmbuf_data_room_size(mp), ROOM, "data room");
	memset(&w, 0, sizeof(w));
	w.lo[0] = (uintptr_t)d1.addr;
	w.hi[0] = w.lo[0] + len1;
	w.lo[1] = (uintptr_t)d2.addr;
	w.hi[1] = w.lo[1] + len2;
	rte_mempool_obj_iter(mp, pool_obj_check, &w);
	TEST_ASSERT_EQ(w.n, expect, "mbufs walked");
	TEST_ASSERT_EQ(w.bad, 0, "buffers outside, straddling or mistranslated");
	TEST_ASSERT_EQ(test_region_users(r[0]), users0[0] + 1, "pool is a user");
	TEST_ASSERT_EQ(test_region_users(r[1]), users0[1] + 1, "pool is a user");
	TEST_ASSERT_ERRNO(rte_extmem_region_destroy(r[0]) != 0, EBUSY,
		"region of a live pool");
	TEST_ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, m, RTE_DIM(m)), 0, "alloc");
	for (i = 0; i < RTE_DIM(m); i++)
		TEST_ASSERT_EQ(rte_pktmbuf_headroom(m[i]), RTE_PKTMBUF_HEADROOM,
			"headroom");
	rte_pktmbuf_free_bulk(m, RTE_DIM(m));
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), expect, "mbufs back");
	rte_mempool_free(mp);
	TEST_ASSERT_EQ(test_region_users(r[0]), users0[0], "released");
	TEST_ASSERT_EQ(test_region_users(r[1]), users0[1], "released");

	/* arguments; nothing is taken on failure */
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf("mbp_x",
		expect + 1, 0, 0, ROOM, SOCKET_ID_ANY, r, 2) == NULL, ENOMEM,
		"more mbufs than buffers");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf(NULL, 8, 0, 0,
		ROOM, SOCKET_ID_ANY, r, 2) == NULL, EINVAL, "name");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf("mbp_x", 8, 0,
		0, 0, SOCKET_ID_ANY, r, 2) == NULL, EINVAL, "data room");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf("mbp_x", 8, 0,
		3, ROOM, SOCKET_ID_ANY, r, 2) == NULL, EINVAL, "priv size");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf("mbp_x", 8, 0,
		0, ROOM, SOCKET_ID_ANY, NULL, 1) == NULL, EINVAL, "regions");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf("mbp_x", 8, 0,
		0, ROOM, SOCKET_ID_ANY, r, 0) == NULL, EINVAL, "no regions");
	dup[0] = dup[1] = r[0];
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf("mbp_x", 8, 0,
		0, ROOM, SOCKET_ID_ANY, dup, 2) == NULL, EINVAL, "region twice");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_extmem_get(dup, 2, ROOM, NULL, 0,
		NULL) < 0, EINVAL, "region twice");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_extmem_get(r, 2, 0, NULL, 0,
		NULL) < 0, EINVAL, "elt_size 0");
	mp = rte_extmem_pktmbuf_pool_create_extbuf("mbp_y", 8, 0, 0, ROOM,
		SOCKET_ID_ANY, r, 1);
	TEST_ASSERT_NOT_NULL(mp, "pool: %s", rte_strerror(rte_errno));
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_create_extbuf("mbp_y", 8, 0,
		0, ROOM, SOCKET_ID_ANY, r, 1) == NULL, EEXIST, "same name");
	TEST_ASSERT_EQ(test_region_users(r[0]), users0[0] + 1, "one pool");
	rte_mempool_free(mp);
	TEST_ASSERT_EQ(test_region_users(r[0]), users0[0], "users back");
	TEST_ASSERT_EQ(test_region_users(r[1]), users0[1], "users back");

	/* the checked free: refused while an mbuf is out, then the same */
	mp = rte_extmem_pktmbuf_pool_create_extbuf("mbp_y", 8, 0, 0, ROOM,
		SOCKET_ID_ANY, r, 1);
	TEST_ASSERT_NOT_NULL(mp, "pool: %s", rte_strerror(rte_errno));
	m[0] = rte_pktmbuf_alloc(mp);
	TEST_ASSERT_NOT_NULL(m[0], "mbuf");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_pool_free(mp) == -1, EBUSY,
		"mbuf in use");
	TEST_ASSERT(rte_mempool_lookup("mbp_y") == mp, "pool kept");
	TEST_ASSERT_EQ(test_region_users(r[0]), users0[0] + 1, "users kept");
	rte_pktmbuf_free(m[0]);
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(mp), 0, "free: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT(rte_mempool_lookup("mbp_y") == NULL, "pool gone");
	TEST_ASSERT_EQ(test_region_users(r[0]), users0[0], "users back");

	/* a region with pages without IOVA: refused, nothing taken */
	TEST_RUN(pool_no_iova(r[0]));

	TEST_ASSERT_EQ(rte_extmem_region_destroy(r[0]), 0, "destroy");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r[1]), 0, "destroy");
	TEST_ASSERT_ERRNO(rte_extmem_pktmbuf_extmem_get(r, 1, ROOM, NULL, 0,
		NULL) < 0, EINVAL, "destroyed region");
	TEST_ASSERT_EQ(test_resident_pages(d1.addr, len1), 0, "resident");
	TEST_ASSERT_EQ(test_resident_pages(d2.addr, len2), 0, "resident");
	test_devmem_unmap(&d1);
	test_devmem_unmap(&d2);
	free(io1);
	free(io2);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mbuf_pool_extbuf, test_mbuf_pool_extbuf, 0);
