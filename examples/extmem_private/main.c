/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Case 1 of dpdk-extmem: private memory management.
 *
 * The application keeps its own allocator: here a tiny fixed-size buffer
 * pool carved out of memory from posix_memalign() (and, when a 2M
 * hugepage is free, out of a MAP_HUGETLB mapping). It makes that memory
 * usable by DPDK and the devices with one call,
 * rte_extmem_region_create() with the USER backing, then shows the IOVA
 * of every page and translates buffer addresses with the library's O(1)
 * table, checking each answer against EAL's own rte_mem_virt2iova() and
 * memseg view. The other half of the memory becomes a DPDK mempool built
 * by hand on the region (rte_mempool_create_empty(), then
 * rte_mempool_populate_iova() once per IOVA-contiguous run of the
 * region), whose objects carry the right IOVAs for devices. It prints
 * what it does and exits 0 when everything agrees.
 *
 *   dpdk-extmem-private [EAL options] [-- --no-hugetlb]
 *
 * Any other argument is refused with the usage and exit status 2.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#define ARENA_LEN (8UL << 20)
#define HUGE_LEN (4UL << 20)
#define BUF_SZ 2048u

/* The application's own allocator: a free list of BUF_SZ buffers. */
struct app_pool {
	uint8_t *base;
	size_t len;
	void *free_list;
};

static void
app_pool_init(struct app_pool *p, void *mem, size_t len)
{
	size_t off;

	p->base = mem;
	p->len = len;
	p->free_list = NULL;
	for (off = len; off >= BUF_SZ; off -= BUF_SZ) {
		void **b = (void **)(p->base + off - BUF_SZ);

		*b = p->free_list;
		p->free_list = b;
	}
}

static void *
app_alloc(struct app_pool *p)
{
	void **b = p->free_list;

	if (b != NULL)
		p->free_list = *b;
	return b;
}

static void
app_free(struct app_pool *p, void *buf)
{
	*(void **)buf = p->free_list;
	p->free_list = buf;
}

/*
 * A mempool on [mem, mem + len) of region r, made by hand: created empty,
 * then populated once per IOVA-contiguous run of the region's pages, so
 * that no object straddles an IOVA discontinuity and every object's
 * IOVA (rte_mempool_virt2iova()) is right for a device. Objects may cross
 * page boundaries inside a run (RTE_MEMPOOL_F_NO_IOVA_CONTIG turns off
 * mempool's own rule of one page per object: the runs do its job). The
 * region is kept busy (rte_extmem_region_user_get()) while the pool
 * lives.
 */
static struct rte_mempool *
mempool_on_region(const char *name, struct rte_extmem_region *r,
	uint8_t *mem, size_t len)
{
	struct rte_extmem_region_info info;
	struct rte_mempool_objsz sz;
	struct rte_mempool *mp = NULL;
	unsigned int start, p, end, n_objs = 0, pass;
	rte_iova_t *iovas;
	size_t obj;
	int ret = 0;

	if (rte_extmem_region_info_get(r, &info) != 0)
		return NULL;
	iovas = malloc(sizeof(*iovas) * info.n_pages);
	if (iovas == NULL || rte_extmem_region_iovas_get(r, iovas,
			info.n_pages) != (int)info.n_pages)
		goto fail;
	obj = rte_mempool_calc_obj_size(BUF_SZ, 0, &sz);
	/* pass 0 counts the objects each run holds, pass 1 populates */
	for (pass = 0; pass < 2 && ret >= 0; pass++) {
		if (pass == 1) {
			/* objects placed by run here, not by mempool's
			 * page rule: each lies within one IOVA run
			 */
			mp = rte_mempool_create_empty(name, n_objs, BUF_SZ, 0,
				0, SOCKET_ID_ANY, RTE_MEMPOOL_F_NO_IOVA_CONTIG);
			if (mp == NULL || n_objs == 0 ||
					rte_mempool_set_ops_byname(mp,
						"ring_mp_mc", NULL) != 0)
				goto fail;
		}
		start = RTE_PTR_DIFF(mem, info.addr) / info.page_sz;
		end = start + len / info.page_sz;
		for (p = start; p < end && ret >= 0; start = p) {
			if (iovas[start] == RTE_BAD_IOVA) {
				p = start + 1;	/* no IOVA: no object */
				continue;
			}
			/* one run: pages whose IOVAs follow each other */
			for (p = start + 1; p < end &&
					iovas[p] != RTE_BAD_IOVA &&
					iovas[p] == iovas[p - 1] + info.page_sz;
					p++)
				;
			if (pass == 0)
				n_objs += ((p - start) * info.page_sz -
					RTE_CACHE_LINE_SIZE) / obj;
			else
				ret = rte_mempool_populate_iova(mp,
					(char *)info.addr +
					(size_t)start * info.page_sz,
					iovas[start],
					(size_t)(p - start) * info.page_sz,
					NULL, NULL);
		}
	}
	if (ret < 0 || mp->populated_size != mp->size ||
			rte_extmem_region_user_get(r) != 0)
		goto fail;
	free(iovas);
	return mp;
fail:
	printf("mempool %s on region %s: %u of %u objects: %s\n", name,
		info.name, mp != NULL ? mp->populated_size : 0, n_objs,
		rte_strerror(ret < 0 ? -ret : rte_errno));
	free(iovas);
	rte_mempool_free(mp);
	return NULL;
}

/* Objects of the pool: in the region, with the library's IOVAs. */
static int
use_mempool(struct rte_mempool *mp, struct rte_extmem_region *r)
{
	void *objs[64];
	unsigned int i, n = RTE_MIN(RTE_DIM(objs), mp->size);
	int bad = 0;

	if (rte_mempool_get_bulk(mp, objs, n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		memset(objs[i], (int)i, BUF_SZ);
		if (rte_extmem_virt2region(objs[i]) != r ||
				rte_mempool_virt2iova(objs[i]) !=
					rte_extmem_virt2iova(objs[i]) ||
				rte_extmem_range2iova(objs[i], BUF_SZ) ==
					RTE_BAD_IOVA)
			bad++;
	}
	printf("  mempool %s: %u objects in %u memory chunk(s), %u checked: "
		"%s\n", mp->name, mp->size, mp->nb_mem_chunks, n,
		bad == 0 ? "in the region, IOVAs right" : "MISMATCH");
	rte_mempool_put_bulk(mp, objs, n);
	return bad;
}

/* The one call that makes the application's memory DPDK memory. */
static struct rte_extmem_region *
register_memory(const char *name, void *mem, size_t len)
{
	struct rte_extmem_region_params params;

	rte_extmem_region_params_init(&params);
	params.name = name;
	params.backing = RTE_EXTMEM_BACKING_USER;
	params.addr = mem;
	params.len = len;	/* page size: detected from the mapping */
	return rte_extmem_region_create(&params);
}

static void
show_region(struct rte_extmem_region *r)
{
	struct rte_extmem_region_info info;
	rte_iova_t iova[4];
	int n, i;

	rte_extmem_region_info_get(r, &info);
	printf("region %s: %p + %zu bytes, %u pages of %zu bytes, %u IOVA-"
		"contiguous run(s), %u page(s) without IOVA\n", info.name,
		info.addr, info.len, info.n_pages, info.page_sz,
		info.n_iova_runs, info.n_bad_iova);
	n = rte_extmem_region_iovas_get(r, iova, RTE_DIM(iova));
	for (i = 0; i < RTE_MIN(n, (int)RTE_DIM(iova)); i++)
		printf("  page %d: va %p iova 0x%" PRIx64 "\n", i,
			(uint8_t *)info.addr + (size_t)i * info.page_sz,
			iova[i]);
	if (n > (int)RTE_DIM(iova))
		printf("  ... %d pages in all\n", n);
}

/* Translate buffers of the pool, each checked against EAL. */
static int
use_buffers(struct app_pool *pool, struct rte_extmem_region *r)
{
	const struct rte_memseg *ms;
	void *all[640];
	unsigned int i, n;
	int bad = 0;

	/* allocate as the application would; look at every 127th buffer */
	for (n = 0; n < RTE_DIM(all); n++) {
		all[n] = app_alloc(pool);
		if (all[n] == NULL)
			break;
		memset(all[n], (int)n, BUF_SZ);
	}
	for (i = 0; i < n; i += 127) {
		void *buf = all[i];
		rte_iova_t ours = rte_extmem_virt2iova(buf);
		rte_iova_t eal = rte_mem_virt2iova(buf);
		rte_iova_t whole = rte_extmem_range2iova(buf, BUF_SZ);

		ms = rte_mem_virt2memseg(buf, NULL);
		printf("  buffer %p: iova 0x%" PRIx64 " (rte_mem_virt2iova "
			"0x%" PRIx64 "), %u bytes %s\n", buf, ours, eal, BUF_SZ,
			whole == ours ? "IOVA-contiguous" :
			"not IOVA-contiguous");
		if (ours == RTE_BAD_IOVA || ours != eal || ms == NULL ||
				ms->iova + RTE_PTR_DIFF(buf, ms->addr) != ours ||
				rte_extmem_virt2region(buf) != r) {
			printf("  MISMATCH for buffer %p\n", buf);
			bad++;
		}
	}
	while (n > 0)
		app_free(pool, all[--n]);
	return bad;
}

/* Destroy a region; its memory stays the application's. */
static int
unregister_memory(struct rte_extmem_region *r, void *mem)
{
	if (rte_extmem_region_destroy(r) != 0) {
		printf("destroy: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	if (rte_extmem_virt2iova(mem) != RTE_BAD_IOVA ||
			rte_mem_virt2memseg_list(mem) != NULL) {
		printf("memory still known after destroy\n");
		return -1;
	}
	return 0;
}

static int
run(void *mem, size_t len, const char *name)
{
	char pool_name[RTE_MEMPOOL_NAMESIZE];
	struct rte_extmem_region *r;
	struct rte_mempool *mp;
	struct app_pool pool;
	int bad;

	/* the application's memory, in use (every page present) */
	memset(mem, 0, len);
	/* first half: the application's allocator; second: a mempool */
	app_pool_init(&pool, mem, len / 2);
	r = register_memory(name, mem, len);
	if (r == NULL) {
		printf("rte_extmem_region_create(%s): %s\n", name,
			rte_strerror(rte_errno));
		return -1;
	}
	show_region(r);
	bad = use_buffers(&pool, r);
	snprintf(pool_name, sizeof(pool_name), "%s_mp", name);
	mp = mempool_on_region(pool_name, r, (uint8_t *)mem + len / 2,
		len / 2);
	bad += mp == NULL ? 1 : use_mempool(mp, r);
	if (mp != NULL) {
		/* the region cannot go while the pool uses it */
		if (rte_extmem_region_destroy(r) == 0 || rte_errno != EBUSY)
			bad++;
		else
			printf("  destroy while the mempool lives: refused "
				"(%s)\n", rte_strerror(rte_errno));
		rte_mempool_free(mp);
		rte_extmem_region_user_put(r);
	}
	if (unregister_memory(r, mem) != 0 || bad != 0)
		return -1;
	printf("region %s: %s, unregistered; the memory stays the "
		"application's\n", name, "all translations agree with EAL");
	return 0;
}

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [EAL options] [-- --no-hugetlb]\n"
		"  --no-hugetlb  skip the part on a 2M hugetlb mapping\n"
		"  -h, --help    this help\n", prog);
}

int
main(int argc, char **argv)
{
	bool try_huge = true;
	void *arena, *huge;
	int ret, i;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* what follows EAL's options: --no-hugetlb or help, nothing else */
	for (i = ret + 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-hugetlb") == 0) {
			try_huge = false;
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
	printf("EAL: IOVA mode %s, %s\n",
		rte_eal_iova_mode() == RTE_IOVA_PA ? "PA" : "VA",
		rte_eal_has_hugepages() ? "hugepages" : "no hugepages");

	/* 1. the application's heap memory (4K pages) */
	if (posix_memalign(&arena, 4096, ARENA_LEN) != 0) {
		printf("posix_memalign failed\n");
		rte_eal_cleanup();
		return 1;
	}
	ret = run(arena, ARENA_LEN, "app_arena");
	free(arena);

	/* 2. the application's own hugepage mapping (2M pages detected) */
	huge = try_huge ? mmap(NULL, HUGE_LEN, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0) : MAP_FAILED;
	if (huge == MAP_FAILED) {
		printf("no 2M hugepage mapping (%s): hugetlb part skipped\n",
			try_huge ? strerror(errno) : "--no-hugetlb");
	} else {
		if (ret == 0)
			ret = run(huge, HUGE_LEN, "app_hugetlb");
		munmap(huge, HUGE_LEN);
	}

	rte_eal_cleanup();
	printf("%s\n", ret == 0 ? "OK" : "FAILED");
	return ret == 0 ? 0 : 1;
}
