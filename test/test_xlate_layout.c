/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The translation table's corners: regions sharing leaves, a region across
 * a 1 GiB directory boundary, IOVA-linear granules whose IOVA is not 2M
 * aligned, regions of 4K, 64K, 2M and 1G pages in one GiB and next to
 * each other (a GiB's leaves replaced by finer ones while regions live),
 * whole IOVA-linear GiBs (translated by their directory word) next to
 * partial ones and to a GiB whose linearity one page breaks, and the top
 * of the address space. Every translation is compared with
 * EAL's memsegs. The table's memory stays within twice a flat array of one
 * IOVA per page.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_extmem_limits.h>

#include "test.h"
#include "test_region_util.h"

#define SZ_4K 4096UL
#define SZ_2M (2UL << 20)
#define SZ_1G (1UL << 30)

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Bytes the translation table holds (rte_extmem_limits::xlate_mem). */
static size_t
table_bytes(void)
{
	struct rte_extmem_limits l;

	return rte_extmem_limits_get(&l) == 0 ? (size_t)l.xlate_mem : 0;
}

static rte_iova_t table[(4 * SZ_2M) / SZ_4K + 8];

static void
params_caller(struct rte_extmem_region_params *p, const char *name,
	enum rte_extmem_backing b, void *addr, size_t len, rte_iova_t io0,
	bool linear)
{
	unsigned int i, n = len / SZ_4K;

	for (i = 0; i < n; i++)
		table[i] = io0 + (uint64_t)(linear ? i : (i * 7) % n) * SZ_4K;
	test_region_params(p, name, b, addr, len);
	p->iovas = table;
	p->n_iovas = n;
}

/* The whole life of a region of the caller's memory with the IOVAs of
 * params_caller(); the CPU touches it unless it is device memory.
 */
static int
caller_lifecycle(const char *name, enum rte_extmem_backing b, void *addr,
	size_t len, rte_iova_t io0, bool linear)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_TABLE,
		.cpu_access = b != RTE_EXTMEM_BACKING_DEVICE,
		.page_sz = SZ_4K,
		.iovas = table,
	};
	struct rte_extmem_region_params p;

	params_caller(&p, name, b, addr, len, io0, linear);
	return test_region_lifecycle(&p, &chk);
}

#define GRANULE_PAGES 16

/* A user region of GRANULE_PAGES at addr with the IOVAs of
 * params_caller(), which io keeps.
 */
static struct rte_extmem_region *
granule_region(const char *name, void *addr, rte_iova_t io0, bool linear,
	rte_iova_t *io)
{
	struct rte_extmem_region_params p;

	params_caller(&p, name, RTE_EXTMEM_BACKING_USER, addr,
		GRANULE_PAGES * SZ_4K, io0, linear);
	memcpy(io, table, GRANULE_PAGES * sizeof(*io));
	return rte_extmem_region_create(&p);
}

/* Check a granule region against its IOVA table. */
static int
granule_verify(struct rte_extmem_region *r, const rte_iova_t *io)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_TABLE,
		.cpu_access = true,
		.page_sz = SZ_4K,
		.iovas = io,
	};

	return test_region_verify(r, &chk);
}

/* Two regions in one 2M granule, one replaced while the other lives. */
static int
shared_granule(void)
{
	static rte_iova_t io_a[GRANULE_PAGES], io_b[GRANULE_PAGES];
	struct rte_extmem_region *a, *b;
	uint8_t *raw, *g;

	raw = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	g = RTE_PTR_ALIGN_CEIL(raw, SZ_2M);

	a = granule_region("granule_a", g, 0x10000000000ULL, false, io_a);
	TEST_ASSERT_NOT_NULL(a, "a: %s", rte_strerror(rte_errno));
	b = granule_region("granule_b", g + 16 * SZ_4K, 0x20000000000ULL, true,
		io_b);
	TEST_ASSERT_NOT_NULL(b, "b: %s", rte_strerror(rte_errno));
	TEST_RUN(granule_verify(a, io_a));
	TEST_RUN(granule_verify(b, io_b));

	/* a goes, b is untouched, a's range translates to nothing */
	TEST_ASSERT_EQ(rte_extmem_region_destroy(a), 0, "destroy a");
	TEST_RUN(test_region_gone("granule_a", g, 16 * SZ_4K));
	TEST_RUN(granule_verify(b, io_b));
	/* a new region in a's place, other IOVAs */
	a = granule_region("granule_a2", g, 0x30000000000ULL, true, io_a);
	TEST_ASSERT_NOT_NULL(a, "a2: %s", rte_strerror(rte_errno));
	TEST_RUN(granule_verify(a, io_a));
	TEST_RUN(granule_verify(b, io_b));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(b), 0, "destroy b");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(a), 0, "destroy a2");
	TEST_RUN(test_region_gone("granule_b", g, 32 * SZ_4K));
	munmap(raw, 2 * SZ_2M);
	return TEST_SUCCESS;
}

/* Device memory (PROT_NONE) across a 1 GiB directory boundary. */
static int
gib_boundary(void)
{
	size_t len = 2 * SZ_2M + 2 * SZ_4K;
	uint8_t *raw, *b;
	int ret;

	raw = mmap(NULL, 2 * SZ_1G, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_NORESERVE, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	b = RTE_PTR_ALIGN_CEIL(raw + SZ_2M + SZ_4K, SZ_1G);
	/* linear IOVAs: whole granules become 2M entries */
	ret = caller_lifecycle("gib_boundary", RTE_EXTMEM_BACKING_DEVICE,
		b - SZ_2M - SZ_4K, len, 0x40000000000ULL - SZ_2M - SZ_4K, true);
	munmap(raw, 2 * SZ_1G);
	return ret;
}

/* IOVA-linear granules whose IOVA is 4K but not 2M aligned. */
static int
unaligned_linear(void)
{
	uint8_t *raw;
	int ret;

	raw = mmap(NULL, 5 * SZ_2M, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	ret = caller_lifecycle("unaligned_linear", RTE_EXTMEM_BACKING_USER,
		RTE_PTR_ALIGN_CEIL(raw, SZ_2M), 4 * SZ_2M, 0x500000001000ULL,
		true);
	munmap(raw, 5 * SZ_2M);
	return ret;
}

/* The last GiB below the 47-bit user address space limit. */
static int
top_of_address_space(void)
{
	uint8_t *hint = (uint8_t *)((1ULL << 47) - SZ_1G);
	uint8_t *m;
	int ret;

	m = mmap(hint, 2 * SZ_2M, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (m != hint) {
		if (m != MAP_FAILED)
			munmap(m, 2 * SZ_2M);
		TEST_LOG("cannot map at %p (%s): top of the address space "
			"not checked", (void *)hint, strerror(errno));
		return TEST_SUCCESS;
	}
	ret = caller_lifecycle("top", RTE_EXTMEM_BACKING_DEVICE, m, 2 * SZ_2M,
		0x7f0000000000ULL, false);
	munmap(m, 2 * SZ_2M);
	return ret;
}

/* A device region of pages pg at addr, IOVAs scattered (never two
 * neighbours contiguous) from io0; io receives them.
 */
static struct rte_extmem_region *
dev_region(const char *name, void *addr, size_t len, size_t pg,
	rte_iova_t io0, rte_iova_t *io)
{
	struct rte_extmem_region_params p;
	size_t k, n = len / pg;

	for (k = 0; k < n; k++)
		io[k] = io0 + ((k * 7 + 3) % n) * pg;
	test_region_params(&p, name, RTE_EXTMEM_BACKING_DEVICE, addr, len);
	p.page_sz = pg;
	p.iovas = io;
	p.n_iovas = n;
	return rte_extmem_region_create(&p);
}

static int
dev_verify(struct rte_extmem_region *r, const rte_iova_t *io, size_t pg)
{
	struct region_check chk = {
		.iova_src = REGION_IOVA_TABLE,
		.cpu_access = false,
		.page_sz = pg,
		.iovas = io,
	};

	return test_region_verify(r, &chk);
}

#define LIN_PAGES ((3 * SZ_1G - 2 * SZ_2M) / SZ_2M)

/* A region of 2M device pages with linear IOVAs over [1G + 2M, 4G - 2M):
 * its middle GiBs whole and linear (one directory word each), its ends
 * partial (leaves); then the same with one page of the second GiB moved
 * (that GiB needs a leaf) and with the whole GiBs' IOVAs unknown.
 */
static int
linear_gibs(void)
{
	static rte_iova_t io[LIN_PAGES];
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	unsigned int pass, k;
	uint8_t *raw, *b;

	raw = mmap(NULL, 5 * SZ_1G, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_NORESERVE, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	b = RTE_PTR_ALIGN_CEIL(raw, SZ_1G) + SZ_2M;
	for (pass = 0; pass < 3; pass++) {
		for (k = 0; k < LIN_PAGES; k++)
			io[k] = 0x680000000000ULL + (uint64_t)k * SZ_2M;
		if (pass == 1)	/* a page of the second GiB elsewhere */
			io[SZ_1G / SZ_2M + 100] = 0x690000000000ULL;
		if (pass == 2)	/* the second GiB's pages without IOVAs */
			for (k = SZ_1G / SZ_2M - 1; k < 2 * SZ_1G / SZ_2M - 1;
					k++)
				io[k] = RTE_BAD_IOVA;
		test_region_params(&p, "linear_gibs", RTE_EXTMEM_BACKING_DEVICE,
			b, LIN_PAGES * SZ_2M);
		p.page_sz = SZ_2M;
		p.iovas = io;
		p.n_iovas = LIN_PAGES;
		r = rte_extmem_region_create(&p);
		TEST_ASSERT_NOT_NULL(r, "pass %u: %s", pass,
			rte_strerror(rte_errno));
		TEST_RUN(dev_verify(r, io, SZ_2M));
		/* the first and last byte of each GiB part */
		for (k = 0; k < LIN_PAGES; k += SZ_1G / SZ_2M - 1) {
			rte_iova_t e = io[k];

			TEST_ASSERT_EQ(rte_extmem_virt2iova(b + k * SZ_2M), e,
				"pass %u page %u", pass, k);
			TEST_ASSERT_EQ(rte_extmem_virt2region(b + k * SZ_2M), r,
				"pass %u page %u region", pass, k);
		}
		TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
		TEST_RUN(test_region_gone("linear_gibs", b, LIN_PAGES * SZ_2M));
	}
	munmap(raw, 5 * SZ_1G);
	return TEST_SUCCESS;
}

#define SZ_64K (64UL << 10)
#define MIX_N 4
#define MIX_PAGES 64

/* 2M, 64K and 4K regions in one GiB, created coarsest first (each one
 * makes the GiB's leaves finer under the others), a 1G-page region in the
 * next GiB; one removed and put back at another page size.
 */
static int
mixed_page_sizes(void)
{
	static const struct {
		size_t off, len, pg;
	} mix[MIX_N] = {
		{ 0, 32 * SZ_2M, SZ_2M },
		{ 32 * SZ_2M, 64 * SZ_64K, SZ_64K },
		{ 32 * SZ_2M + 64 * SZ_64K, 64 * SZ_4K, SZ_4K },
		{ SZ_1G, SZ_1G, SZ_1G },
	};
	static rte_iova_t io[MIX_N][MIX_PAGES];
	struct rte_extmem_region *r[MIX_N];
	char name[RTE_EXTMEM_NAMESIZE];
	uint8_t *raw, *b;
	unsigned int i, j;

	raw = mmap(NULL, 3 * SZ_1G, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_NORESERVE, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	b = RTE_PTR_ALIGN_CEIL(raw, SZ_1G);
	for (i = 0; i < MIX_N; i++) {
		snprintf(name, sizeof(name), "mix_%u", i);
		r[i] = dev_region(name, b + mix[i].off, mix[i].len, mix[i].pg,
			0x600000000000ULL + (uint64_t)i * 0x10000000000ULL,
			io[i]);
		TEST_ASSERT_NOT_NULL(r[i], "%s: %s", name,
			rte_strerror(rte_errno));
		/* every region so far is still right */
		for (j = 0; j <= i; j++)
			TEST_RUN(dev_verify(r[j], io[j], mix[j].pg));
	}
	/* the 64K region goes; its range is free, the others right */
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r[1]), 0, "destroy mix_1");
	TEST_RUN(test_region_gone("mix_1", b + mix[1].off, mix[1].len));
	for (j = 0; j < MIX_N; j++)
		if (j != 1)
			TEST_RUN(dev_verify(r[j], io[j], mix[j].pg));
	/* 4K pages in the first part of its place */
	r[1] = dev_region("mix_1b", b + mix[1].off, MIX_PAGES * SZ_4K, SZ_4K,
		0x700000000000ULL, io[1]);
	TEST_ASSERT_NOT_NULL(r[1], "mix_1b: %s", rte_strerror(rte_errno));
	for (j = 0; j < MIX_N; j++)
		TEST_RUN(dev_verify(r[j], io[j], j == 1 ? SZ_4K : mix[j].pg));
	TEST_RUN(test_region_gone("mix_1 rest", b + mix[1].off +
		MIX_PAGES * SZ_4K, mix[1].len - MIX_PAGES * SZ_4K));
	for (j = 0; j < MIX_N; j++)
		TEST_ASSERT_EQ(rte_extmem_region_destroy(r[j]), 0, "destroy");
	TEST_RUN(test_region_gone("mix_0", b, 2 * SZ_1G));
	munmap(raw, 3 * SZ_1G);
	return TEST_SUCCESS;
}

/* The table's growth for len bytes of device pages pg with scattered
 * IOVAs is at most twice a flat array of one IOVA per page (plus a page
 * of directory), and is given back when the region goes.
 */
static int
memory_of(size_t len, size_t pg)
{
	size_t n = len / pg, before, during, after, k;
	struct rte_extmem_region *r;
	rte_iova_t *io = malloc(sizeof(*io) * n);
	uint8_t *raw, *b;

	TEST_ASSERT_NOT_NULL(io, "malloc");
	raw = mmap(NULL, len + SZ_1G, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_NORESERVE, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	b = RTE_PTR_ALIGN_CEIL(raw, SZ_1G);
	before = table_bytes();
	r = dev_region("xlate_mem", b, len, pg, 0x600000000000ULL, io);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	during = table_bytes();
	/* spot checks: first, last and a middle page */
	for (k = 0; k < n; k += RTE_MAX(n / 3, (size_t)1))
		TEST_ASSERT_EQ(rte_extmem_virt2iova(b + k * pg + 5), io[k] + 5,
			"page %zu", k);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	after = table_bytes();
	TEST_LOG("%zu MiB of %zu KiB pages: table %zu -> %zu -> %zu bytes "
		"(flat array %zu)", len >> 20, pg >> 10, before, during, after,
		n * sizeof(rte_iova_t));
	TEST_ASSERT(during - before <= 2 * n * sizeof(rte_iova_t) + SZ_4K,
		"table grew by %zu bytes for %zu pages", during - before, n);
	TEST_ASSERT(after <= before + SZ_4K, "table kept %zu bytes",
		after - before);
	munmap(raw, len + SZ_1G);
	free(io);
	return TEST_SUCCESS;
}

static int
test_xlate_layout(void)
{
	TEST_RUN(mixed_page_sizes());
	TEST_RUN(linear_gibs());
	TEST_RUN(memory_of(SZ_1G, SZ_4K));
	TEST_RUN(memory_of(SZ_1G, SZ_64K));
	TEST_RUN(memory_of(4 * SZ_1G, SZ_2M));
	TEST_RUN(memory_of(4 * SZ_1G, SZ_1G));
	TEST_RUN(shared_granule());
	TEST_RUN(gib_boundary());
	TEST_RUN(unaligned_linear());
	TEST_RUN(top_of_address_space());
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(xlate_layout, test_xlate_layout, 0);
