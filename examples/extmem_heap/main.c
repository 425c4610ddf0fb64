/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Case 2 of dpdk-extmem: integrate external memory as a named DPDK heap.
 *
 * A heap named "case2" is created small (one 2M region) from 2M hugetlb
 * pages (memfd, no mount needed), falling back to anonymous 4K pages when
 * no hugepage is free, and allowed to grow to 64M. Every standard DPDK
 * allocator then uses it through its socket ID: rte_malloc_socket(), a
 * memzone, a plain mempool, an mbuf pool made by the upstream
 * rte_pktmbuf_pool_create() and a ring. EAL does not grow an external
 * heap by itself: before each of those calls the program makes room with
 * rte_extmem_heap_ensure() (for the mbuf pool: sized the way upstream
 * mempool places mbufs, see upstream_pool_mem()). Packets are built in mbufs, passed
 * through the ring and checked: every object lies in the heap, every
 * mbuf's buf_iova equals the library's translation. Removing the region
 * the pool lives in, and destroying the heap, are refused while they are
 * in use, and change nothing. The program prints what happened and
 * exits 0 on success.
 *
 *   dpdk-extmem-heap [EAL options] [-- --no-hugetlb]
 *
 * Any other argument is refused with the usage and exit status 2.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_extmem_heap.h>
#include <rte_extmem_mbuf.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_ring.h>

#define HEAP_NAME "case2"
#define HEAP_LEN (2UL << 20)	/* the first region */
#define HEAP_MAX (64UL << 20)	/* growth on demand up to this */
#define NB_MBUF 4095
#define MBUF_CACHE 64
#define BURST 32

static struct rte_extmem_heap *
heap_create(bool try_hugetlb)
{
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;
	struct rte_extmem_heap *h;

	rte_extmem_heap_params_init(&hp);
	rte_extmem_region_params_init(&hp_r);
	hp.region = &hp_r;
	hp.name = HEAP_NAME;
	hp_r.len = HEAP_LEN;
	hp.grow_len = HEAP_LEN;
	hp.max_len = HEAP_MAX;
	if (try_hugetlb) {
		hp_r.backing = RTE_EXTMEM_BACKING_HUGETLB;
		h = rte_extmem_heap_create(&hp);
		if (h != NULL)
			return h;
		printf("hugetlb heap: %s; falling back to anonymous memory\n",
			rte_strerror(rte_errno));
	}
	hp_r.backing = RTE_EXTMEM_BACKING_ANON;
	return rte_extmem_heap_create(&hp);
}

/* The region of the heap holding [p, p + len), or NULL. */
static struct rte_extmem_region *
region_of(struct rte_extmem_heap *h, const void *p, size_t len)
{
	struct rte_extmem_region *r[64];
	struct rte_extmem_region_info info;
	int i, n;

	n = rte_extmem_heap_regions_get(h, r, RTE_DIM(r));
	for (i = 0; i < RTE_MIN(n, (int)RTE_DIM(r)); i++)
		if (rte_extmem_region_info_get(r[i], &info) == 0 &&
				(uintptr_t)p >= (uintptr_t)info.addr &&
				(uintptr_t)p + len <=
					(uintptr_t)info.addr + info.len)
			return r[i];
	return NULL;
}

static bool
in_heap(struct rte_extmem_heap *h, const void *p, size_t len)
{
	return region_of(h, p, len) != NULL;
}

/* Room for one allocation of size bytes, growing the heap if needed. */
static int
make_room(struct rte_extmem_heap *h, size_t size, const char *what)
{
	if (rte_extmem_heap_ensure(h, size, RTE_CACHE_LINE_SIZE) != 0) {
		fprintf(stderr, "heap_ensure(%zu) for %s: %s\n", size, what,
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/*
 * Memory the upstream rte_pktmbuf_pool_create() takes from a heap whose
 * pages are pg_sz bytes. It wants IOVA-contiguous mbufs, so it never lets
 * one cross a page of the heap: a page holds pg_sz / obj of them (an mbuf
 * larger than a page needs IOVA-contiguous memory, e.g. IOVA as VA). Add
 * the pool header with its per-lcore caches, the ring of the default
 * mempool ops, a page to align the mbufs' memory to a page (mempool asks
 * for that) and room for the malloc headers of the three allocations. (rte_extmem_pktmbuf_pool_mem_size() sizes the library's own
 * rte_extmem_pktmbuf_pool_create(), which packs mbufs within IOVA runs.)
 */
static size_t
upstream_pool_mem(unsigned int n, uint16_t data_room, size_t pg_sz)
{
	struct rte_mempool_objsz sz;
	size_t obj, per_page, objs;

	obj = rte_mempool_calc_obj_size(sizeof(struct rte_mbuf) + data_room,
		0, &sz);
	per_page = pg_sz / obj;
	objs = per_page != 0 ? (n + per_page - 1) / per_page * pg_sz :
		(size_t)n * obj;
	return objs + sizeof(struct rte_mempool) +
		RTE_MAX_LCORE * sizeof(struct rte_mempool_cache) +
		sizeof(struct rte_pktmbuf_pool_private) +
		rte_ring_get_memsize(rte_align32pow2(n + 1)) + pg_sz + 16384;
}

/* rte_malloc_socket(), a memzone and a plain mempool on the heap. */
static int
other_allocators(struct rte_extmem_heap *h, int socket)
{
	const struct rte_memzone *mz;
	struct rte_mempool *objs;
	void *buf, *obj;
	int ret = -1;

	buf = rte_malloc_socket("case2", 4096, 64, socket);
	if (make_room(h, 1 << 20, "a memzone") != 0)
		goto out_buf;
	mz = rte_memzone_reserve("case2_mz", 1 << 20, socket, 0);
	if (make_room(h, 1 << 20, "a mempool") != 0)
		goto out_mz;
	objs = rte_mempool_create("case2_objs", 511, 256, 32, 0, NULL, NULL,
		NULL, NULL, socket, 0);
	obj = NULL;
	if (buf == NULL || mz == NULL || objs == NULL ||
			rte_mempool_get(objs, &obj) != 0) {
		fprintf(stderr, "allocation on socket %d failed: %s\n",
			socket, rte_strerror(rte_errno));
		goto out_objs;
	}
	printf("rte_malloc_socket: %p, memzone %s: %p, mempool %s object: "
		"%p; in the heap: %s, %s, %s; memzone IOVA 0x%" PRIx64
		" = 0x%" PRIx64 "\n", buf, mz->name, mz->addr, objs->name, obj,
		in_heap(h, buf, 4096) ? "yes" : "no",
		in_heap(h, mz->addr, mz->len) ? "yes" : "no",
		in_heap(h, obj, 256) ? "yes" : "no", mz->iova,
		rte_extmem_virt2iova(mz->addr));
	if (in_heap(h, buf, 4096) && in_heap(h, mz->addr, mz->len) &&
			in_heap(h, obj, 256) &&
			mz->iova == rte_extmem_virt2iova(mz->addr))
		ret = 0;
	rte_mempool_put(objs, obj);
out_objs:
	rte_mempool_free(objs);
out_mz:
	rte_memzone_free(mz);
out_buf:
	rte_free(buf);
	return ret;
}

/* Removing the region under the pool is refused and changes nothing. */
static int
busy_removal(struct rte_extmem_heap *h, struct rte_mempool *mp)
{
	struct rte_extmem_heap_info before, after;
	struct rte_mbuf *m;
	struct rte_extmem_region *r;

	m = rte_pktmbuf_alloc(mp);
	r = m != NULL ? region_of(h, m->buf_addr, m->buf_len) : NULL;
	if (r == NULL || rte_extmem_heap_info_get(h, &before) != 0)
		return -1;
	if (rte_extmem_heap_region_remove(h, r) == 0 || rte_errno != EBUSY) {
		fprintf(stderr, "a region in use was removed\n");
		return -1;
	}
	printf("remove the region under the pool: refused (%s)\n",
		rte_strerror(rte_errno));
	if (rte_extmem_heap_info_get(h, &after) != 0 ||
			after.n_regions != before.n_regions ||
			after.size != before.size ||
			region_of(h, m->buf_addr, m->buf_len) != r) {
		fprintf(stderr, "the refused removal changed the heap\n");
		return -1;
	}
	rte_pktmbuf_free(m);
	return 0;
}

/* Build BURST packets, pass them through the ring, check them. */
static int
traffic(struct rte_extmem_heap *h, struct rte_mempool *mp,
	struct rte_ring *ring, unsigned int round)
{
	struct rte_mbuf *tx[BURST], *rx[BURST];
	unsigned int i, n;

	if (rte_pktmbuf_alloc_bulk(mp, tx, BURST) != 0) {
		printf("cannot allocate %d mbufs\n", BURST);
		return -1;
	}
	for (i = 0; i < BURST; i++) {
		char *d = rte_pktmbuf_append(tx[i], 64 + i);

		memset(d, (int)(round + i), 64 + i);
		if (!in_heap(h, tx[i]->buf_addr, tx[i]->buf_len) ||
				rte_pktmbuf_iova(tx[i]) !=
					rte_extmem_virt2iova(d)) {
			printf("mbuf %u: not in the heap or wrong IOVA\n", i);
			return -1;
		}
	}
	n = rte_ring_enqueue_burst(ring, (void **)tx, BURST, NULL);
	if (n != BURST)
		return -1;
	n = rte_ring_dequeue_burst(ring, (void **)rx, BURST, NULL);
	if (n != BURST)
		return -1;
	for (i = 0; i < BURST; i++) {
		uint8_t *d = rte_pktmbuf_mtod(rx[i], uint8_t *);

		if (rx[i] != tx[i] || rte_pktmbuf_data_len(rx[i]) != 64 + i ||
				d[0] != (uint8_t)(round + i) ||
				d[63 + i] != (uint8_t)(round + i)) {
			printf("packet %u corrupted\n", i);
			return -1;
		}
	}
	rte_pktmbuf_free_bulk(rx, BURST);
	return 0;
}

static void
print_heap(struct rte_extmem_heap *h, const char *when)
{
	struct rte_extmem_region *r[8];
	struct rte_extmem_region_info ri;
	struct rte_extmem_heap_info info;
	int i, n;

	if (rte_extmem_heap_info_get(h, &info) != 0)
		return;
	printf("heap %s (%s): socket %d, %zu bytes, %zu free, %u "
		"allocations\n", info.name, when, info.socket_id, info.size,
		info.free, info.alloc_count);
	n = rte_extmem_heap_regions_get(h, r, RTE_DIM(r));
	for (i = 0; i < RTE_MIN(n, (int)RTE_DIM(r)); i++)
		if (rte_extmem_region_info_get(r[i], &ri) == 0)
			printf("  region %s: %s, %p + %zu, %u x %zu-byte pages, "
				"%u IOVA run(s), first IOVA 0x%" PRIx64 "\n",
				ri.name, rte_extmem_backing_name(ri.backing),
				ri.addr, ri.len, ri.n_pages, ri.page_sz,
				ri.n_iova_runs, rte_extmem_virt2iova(ri.addr));
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [EAL options] [-- --no-hugetlb]\n"
		"  --no-hugetlb  anonymous 4K pages for the heap, no hugetlb memfd\n"
		"  -h, --help    this help\n", prog);
}

int
main(int argc, char **argv)
{
	struct rte_extmem_region_info first;
	struct rte_extmem_heap_info hinfo;
	struct rte_extmem_region *r0;
	struct rte_mempool *mp = NULL;
	struct rte_ring *ring = NULL;
	struct rte_extmem_heap *h;
	bool try_hugetlb = true;
	int ret, socket, i, rc = 1;
	size_t need;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* what follows EAL's options: --no-hugetlb or help, nothing else */
	for (i = ret + 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-hugetlb") == 0) {
			try_hugetlb = false;
			continue;
		}
		if (strcmp(argv[i], "-h") != 0 &&
				strcmp(argv[i], "--help") != 0)
			fprintf(stderr, "unknown argument '%s'\n", argv[i]);
		usage(argv[0]);
		rte_eal_cleanup();
		return strcmp(argv[i], "-h") == 0 ||
			strcmp(argv[i], "--help") == 0 ? 0 : 2;
	}
	printf("EAL: hugepages %s, IOVA as %s\n",
		rte_eal_has_hugepages() ? "yes" : "no (--no-huge)",
		rte_eal_iova_mode() == RTE_IOVA_VA ? "VA" : "PA");

	h = heap_create(try_hugetlb);
	if (h == NULL) {
		fprintf(stderr, "heap: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	if (rte_extmem_heap_info_get(h, &hinfo) != 0)
		goto out;
	socket = hinfo.socket_id;
	print_heap(h, "created");
	if (rte_extmem_heap_regions_get(h, &r0, 1) < 1 ||
			rte_extmem_region_info_get(r0, &first) != 0)
		goto out;

	/* standard allocators, by socket ID */
	if (other_allocators(h, socket) != 0)
		goto out;

	/* an upstream mbuf pool: room for all of it first */
	need = upstream_pool_mem(NB_MBUF, RTE_MBUF_DEFAULT_BUF_SIZE,
		first.page_sz);
	if (make_room(h, need, "the mbuf pool") != 0)
		goto out;
	print_heap(h, "grown for the mbuf pool");
	mp = rte_pktmbuf_pool_create("case2_pool", NB_MBUF, MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (mp == NULL) {
		fprintf(stderr, "rte_pktmbuf_pool_create on socket %d: %s\n",
			socket, rte_strerror(rte_errno));
		goto out;
	}
	if (make_room(h, rte_ring_get_memsize(1024), "the ring") != 0)
		goto out;
	ring = rte_ring_create("case2_ring", 1024, socket,
		RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (ring == NULL) {
		fprintf(stderr, "rte_ring_create on socket %d: %s\n", socket,
			rte_strerror(rte_errno));
		goto out;
	}
	printf("mbuf pool %s: %u mbufs on socket %d, header in heap: %s\n",
		mp->name, mp->size, mp->socket_id,
		in_heap(h, mp, sizeof(*mp)) ? "yes" : "no");
	printf("ring %s: on socket %d, in heap: %s\n", ring->name, socket,
		in_heap(h, ring, sizeof(*ring)) ? "yes" : "no");
	if (!in_heap(h, mp, sizeof(*mp)) || !in_heap(h, ring, sizeof(*ring)))
		goto out;
	print_heap(h, "in use");

	for (i = 0; i < 100; i++)
		if (traffic(h, mp, ring, i) != 0)
			goto out;
	printf("traffic: %d bursts of %d packets through the ring, all "
		"checked\n", 100, BURST);

	if (busy_removal(h, mp) != 0)
		goto out;
	/* the heap cannot go while the pool and ring live */
	if (rte_extmem_heap_destroy(h) == 0 || rte_errno != EBUSY) {
		fprintf(stderr, "heap destroyed while in use\n");
		goto out;
	}
	printf("destroy while in use: refused (%s)\n",
		rte_strerror(rte_errno));
	rc = 0;
out:
	rte_ring_free(ring);
	rte_mempool_free(mp);
	if (h != NULL) {
		print_heap(h, "after free");
		if (rte_extmem_heap_destroy(h) != 0) {
			fprintf(stderr, "heap destroy: %s\n",
				rte_strerror(rte_errno));
			rc = 1;
		}
	}
	rte_eal_cleanup();
	printf("%s\n", rc == 0 ? "SUCCESS" : "FAILURE");
	return rc;
}
