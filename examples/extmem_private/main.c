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
 * memseg view. It prints what it does and exits 0 when everything agrees.
 *
 *   dpdk-extmem-private [EAL options] [-- --no-hugetlb]
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
	struct rte_extmem_region *r;
	struct app_pool pool;
	int bad;

	app_pool_init(&pool, mem, len);
	r = register_memory(name, mem, len);
	if (r == NULL) {
		printf("rte_extmem_region_create(%s): %s\n", name,
			rte_strerror(rte_errno));
		return -1;
	}
	show_region(r);
	bad = use_buffers(&pool, r);
	if (unregister_memory(r, mem) != 0 || bad != 0)
		return -1;
	printf("region %s: %s, unregistered; the memory stays the "
		"application's\n", name, "all translations agree with EAL");
	return 0;
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
	for (i = ret + 1; i < argc; i++)
		if (strcmp(argv[i], "--no-hugetlb") == 0)
			try_huge = false;
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
