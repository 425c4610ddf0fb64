/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Checks shared by the region and translation tests. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "test.h"
#include "test_region_util.h"

#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_PFN_MASK ((1ULL << 55) - 1)
#define BASE_PG 4096UL

void
test_region_params(struct rte_extmem_region_params *p, const char *name,
	enum rte_extmem_backing backing, void *addr, size_t len)
{
	rte_extmem_region_params_init(p);
	p->name = name;
	p->backing = backing;
	p->addr = addr;
	p->len = len;
}

static void
noop_mem_event_cb(enum rte_mem_event type __rte_unused,
	const void *addr __rte_unused, size_t len __rte_unused,
	void *arg __rte_unused)
{
}

int
test_eal_mem_events(void)
{
	if (rte_mem_event_callback_register("extmem_test_probe",
			noop_mem_event_cb, NULL) == 0) {
		rte_mem_event_callback_unregister("extmem_test_probe", NULL);
		return 1;
	}
	return rte_errno == ENOTSUP ? 0 : -1;
}

static int
msl_count_cb(const struct rte_memseg_list *msl __rte_unused, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

/* Locked memory of the process in kB (VmLck), -1 if unknown. */
long
test_vm_locked_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

unsigned int
test_msl_count(void)
{
	unsigned int n = 0;

	rte_memseg_list_walk(msl_count_cb, &n);
	return n;
}

rte_iova_t
test_pagemap_pa(const void *va)
{
	uint64_t e;
	ssize_t got;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return RTE_BAD_IOVA;
	got = pread(fd, &e, sizeof(e),
		(off_t)((uintptr_t)va / BASE_PG * sizeof(e)));
	close(fd);
	if (got != sizeof(e) || !(e & PAGEMAP_PRESENT) ||
			(e & PAGEMAP_PFN_MASK) == 0)
		return RTE_BAD_IOVA;
	return (e & PAGEMAP_PFN_MASK) * BASE_PG + (uintptr_t)va % BASE_PG;
}

rte_iova_t
test_eal_memseg_iova(const void *va)
{
	const struct rte_memseg *ms = rte_mem_virt2memseg(va, NULL);

	if (ms == NULL || ms->iova == RTE_BAD_IOVA)
		return RTE_BAD_IOVA;
	return ms->iova + RTE_PTR_DIFF(va, ms->addr);
}

/* The expected IOVA of page i, independently of the library. */
static int
expected_page_iova(const struct rte_extmem_region_info *info,
	const struct region_check *chk, unsigned int i, rte_iova_t *exp)
{
	uint8_t *va = (uint8_t *)info->addr + (size_t)i * info->page_sz;
	size_t sub, step;

	switch (chk->iova_src) {
	case REGION_IOVA_TABLE:
		*exp = chk->iovas[i];
		return TEST_SUCCESS;
	case REGION_IOVA_NONE:
		*exp = RTE_BAD_IOVA;
		return TEST_SUCCESS;
	case REGION_IOVA_RESOLVED:
		break;
	}
	if (rte_eal_iova_mode() == RTE_IOVA_VA) {
		*exp = (uintptr_t)va;
		return TEST_SUCCESS;
	}
	/* PA mode: the page is pinned, its frames are in pagemap */
	*exp = test_pagemap_pa(va);
	TEST_ASSERT_NE(*exp, RTE_BAD_IOVA, "page %u at %p not in pagemap",
		i, (void *)va);
	TEST_ASSERT_EQ(*exp % info->page_sz, 0, "page %u frame alignment", i);
	/* every base page of a huge page at the next frame (sampled) */
	step = RTE_MAX(BASE_PG, info->page_sz / 64);
	for (sub = BASE_PG; sub < info->page_sz; sub += step)
		TEST_ASSERT_EQ(test_pagemap_pa(va + sub), *exp + sub,
			"page %u: base page at +%zu not contiguous", i, sub);
	if (info->page_sz > BASE_PG)
		TEST_ASSERT_EQ(test_pagemap_pa(va + info->page_sz - BASE_PG),
			*exp + info->page_sz - BASE_PG,
			"page %u: last base page not contiguous", i);
	return TEST_SUCCESS;
}

static unsigned int
count_runs(const rte_iova_t *io, unsigned int n, size_t pg)
{
	unsigned int i, runs = 0;

	/* maximal IOVA-contiguous runs of known pages; unknown pages are in
	 * none (rte_extmem_region_info::n_iova_runs)
	 */
	for (i = 0; i < n; i++)
		if (io[i] != RTE_BAD_IOVA && (i == 0 ||
				io[i - 1] == RTE_BAD_IOVA ||
				io[i] != io[i - 1] + pg))
			runs++;
	return runs;
}

/* Offsets inside a page that every translation is checked at. */
static unsigned int
page_offsets(size_t pg, size_t *off)
{
	static const size_t cand[] = {
		0, 1, 71, 2048, 4095, 4096, 4096 + 5, 65536 - 8,
		(1UL << 21) - 1, 1UL << 21, (1UL << 21) + 4096 + 3,
		(1UL << 29) + 12345,
	};
	unsigned int i, n = 0;

	for (i = 0; i < RTE_DIM(cand); i++)
		if (cand[i] < pg)
			off[n++] = cand[i];
	off[n++] = pg / 2 + 24;
	off[n++] = pg - 1;
	return n;
}

static int
verify_page(struct rte_extmem_region *r,
	const struct rte_extmem_region_info *info, const rte_iova_t *io,
	const struct region_check *chk, unsigned int i)
{
	uint8_t *va = (uint8_t *)info->addr + (size_t)i * info->page_sz;
	size_t pg = info->page_sz, off[16];
	const struct rte_memseg_list *msl;
	const struct rte_memseg *ms;
	unsigned int k, n_off;
	rte_iova_t exp;

	/* EAL knows the page, with the library's IOVA */
	msl = rte_mem_virt2memseg_list(va);
	TEST_ASSERT_NOT_NULL(msl, "page %u at %p unknown to EAL", i,
		(void *)va);
	TEST_ASSERT(msl->external, "page %u: memseg list not external", i);
	TEST_ASSERT_EQ(msl->base_va, info->addr, "page %u: msl base", i);
	TEST_ASSERT_EQ(msl->len, info->len, "page %u: msl length", i);
	TEST_ASSERT_EQ(msl->page_sz, pg, "page %u: msl page size", i);
	ms = rte_mem_virt2memseg(va, msl);
	TEST_ASSERT_NOT_NULL(ms, "page %u: no memseg", i);
	TEST_ASSERT_EQ(ms->addr, va, "page %u: memseg address", i);
	TEST_ASSERT_EQ(ms->len, pg, "page %u: memseg length", i);
	TEST_ASSERT_EQ(ms->iova, io[i], "page %u: EAL memseg IOVA vs region",
		i);
	TEST_RUN(expected_page_iova(info, chk, i, &exp));
	TEST_ASSERT_EQ(io[i], exp, "page %u at %p: region IOVA vs expected",
		i, (void *)va);
	/* where the library resolved the IOVA, EAL's own lookup agrees */
	if (chk->iova_src == REGION_IOVA_RESOLVED)
		TEST_ASSERT_EQ(rte_mem_virt2iova(va), io[i],
			"page %u: rte_mem_virt2iova vs region", i);
	/* with the caller's IOVAs it does not (as rte_extmem.h says):
	 * it returns the VA (VA mode) or reads the pagemap (PA mode)
	 */
	if (chk->iova_src == REGION_IOVA_TABLE && io[i] != RTE_BAD_IOVA) {
		TEST_ASSERT_NE(rte_mem_virt2iova(va), io[i],
			"page %u: rte_mem_virt2iova knows the caller's IOVA", i);
		if (rte_eal_iova_mode() == RTE_IOVA_VA)
			TEST_ASSERT_EQ(rte_mem_virt2iova(va), (uintptr_t)va,
				"page %u: rte_mem_virt2iova in VA mode", i);
	}

	n_off = page_offsets(pg, off);
	for (k = 0; k < n_off; k++) {
		const uint8_t *a = va + off[k];
		rte_iova_t e = test_eal_memseg_iova(a);
		rte_iova_t e2;

		TEST_ASSERT_EQ(e, io[i] == RTE_BAD_IOVA ? RTE_BAD_IOVA :
			io[i] + off[k], "page %u +%zu: EAL memseg", i, off[k]);
		TEST_ASSERT_EQ(rte_extmem_virt2iova(a), e,
			"page %u +%zu: virt2iova vs EAL", i, off[k]);
		TEST_ASSERT(rte_extmem_virt2region(a) == r,
			"page %u +%zu: virt2region", i, off[k]);
		TEST_ASSERT_EQ(rte_extmem_range2iova(a, 1), e,
			"page %u +%zu: range2iova(1)", i, off[k]);
		TEST_ASSERT_EQ(rte_extmem_range2iova(a, pg - off[k]), e,
			"page %u +%zu: range2iova to end of page", i, off[k]);
		if (i + 1 < info->n_pages) {
			/* one byte into the next page: contiguous or not */
			e2 = e != RTE_BAD_IOVA && io[i + 1] == io[i] + pg ?
				e : RTE_BAD_IOVA;
			TEST_ASSERT_EQ(rte_extmem_range2iova(a, pg - off[k] + 1),
				e2, "page %u +%zu: range2iova across pages",
				i, off[k]);
		}
	}
	return TEST_SUCCESS;
}

int
test_region_verify(struct rte_extmem_region *r, const struct region_check *chk)
{
	struct rte_extmem_region_info info;
	unsigned int i, bad = 0;
	rte_iova_t *io;
	int ret = TEST_FAILED;
	uint8_t *end;

	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info_get");
	TEST_ASSERT(rte_extmem_region_lookup(info.name) == r, "lookup %s",
		info.name);
	if (chk->page_sz != 0)
		TEST_ASSERT_EQ(info.page_sz, chk->page_sz, "page size");
	TEST_ASSERT_EQ(info.len, (size_t)info.n_pages * info.page_sz,
		"len = n_pages x page_sz");
	TEST_ASSERT_EQ((uintptr_t)info.addr % info.page_sz, 0, "alignment");
	TEST_ASSERT_EQ(rte_extmem_region_iovas_get(r, NULL, 0),
		(int)info.n_pages, "page count from iovas_get");
	io = malloc(sizeof(*io) * info.n_pages);
	TEST_ASSERT_NOT_NULL(io, "no memory");
	if (rte_extmem_region_iovas_get(r, io, info.n_pages) !=
			(int)info.n_pages) {
		printf("    FAIL: iovas_get\n");
		goto out;
	}
	for (i = 0; i < info.n_pages; i++) {
		if (io[i] == RTE_BAD_IOVA)
			bad++;
		if (verify_page(r, &info, io, chk, i) != TEST_SUCCESS)
			goto out;
	}
	if (bad != info.n_bad_iova || count_runs(io, info.n_pages,
			info.page_sz) != info.n_iova_runs) {
		printf("    FAIL: info says %u unknown IOVAs, %u runs; table "
			"has %u, %u\n", info.n_bad_iova, info.n_iova_runs, bad,
			count_runs(io, info.n_pages, info.page_sz));
		goto out;
	}
	/* whole region in one call; ranges leaving it */
	end = (uint8_t *)info.addr + info.len;
	if (rte_extmem_range2iova(info.addr, info.len) !=
			(bad == 0 && info.n_iova_runs == 1 ? io[0] : RTE_BAD_IOVA) ||
			rte_extmem_range2iova(end - 1, 2) != RTE_BAD_IOVA ||
			rte_extmem_virt2region(end) == r ||
			rte_extmem_virt2region((uint8_t *)info.addr - 1) == r) {
		printf("    FAIL: whole-region or edge translation\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	free(io);
	return ret;
}

int
test_region_rw(struct rte_extmem_region *r)
{
	struct rte_extmem_region_info info;
	size_t n, j;
	uint64_t *w;

	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info_get");
	n = info.len / BASE_PG;
	for (j = 0; j < n; j++) {
		w = (uint64_t *)((uint8_t *)info.addr + j * BASE_PG);
		w[j % (BASE_PG / 8 - 1)] = 0x5eed0000ULL + j;
		w[BASE_PG / 8 - 1] = ~(uint64_t)j;
	}
	for (j = 0; j < n; j++) {
		w = (uint64_t *)((uint8_t *)info.addr + j * BASE_PG);
		TEST_ASSERT_EQ(w[j % (BASE_PG / 8 - 1)], 0x5eed0000ULL + j,
			"word in base page %zu", j);
		TEST_ASSERT_EQ(w[BASE_PG / 8 - 1], ~(uint64_t)j,
			"last word of base page %zu", j);
	}
	return TEST_SUCCESS;
}

int
test_region_gone(const char *name, void *addr, size_t len)
{
	size_t off;

	rte_errno = 0;
	TEST_ASSERT_ERRNO(rte_extmem_region_lookup(name) == NULL, ENOENT,
		"lookup %s after destroy", name);
	for (off = 0; off < len; off += BASE_PG) {
		const uint8_t *a = (uint8_t *)addr + off;

		TEST_ASSERT_NULL(rte_mem_virt2memseg_list(a),
			"EAL still knows +%zu", off);
		TEST_ASSERT_EQ(rte_extmem_virt2iova(a), RTE_BAD_IOVA,
			"translation of +%zu", off);
		TEST_ASSERT_ERRNO(rte_extmem_virt2region(a) == NULL, ENOENT,
			"region of +%zu", off);
	}
	TEST_ASSERT_ERRNO(rte_extmem_range2iova(addr, 1) == RTE_BAD_IOVA,
		ENOENT, "range2iova after destroy");
	return TEST_SUCCESS;
}

int
test_region_lifecycle(const struct rte_extmem_region_params *p,
	const struct region_check *chk)
{
	unsigned int n_regions = test_region_count();
	unsigned int n_msl = test_msl_count();
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	int ret;

	r = rte_extmem_region_create(p);
	if (r == NULL && (rte_errno == ENOMEM || rte_errno == ENOTSUP) &&
			(p->backing == RTE_EXTMEM_BACKING_HUGETLB ||
			p->backing == RTE_EXTMEM_BACKING_SHARED))
		TEST_SKIP("no %zukB hugetlb page free for %zu bytes (%s); "
			"other tests share the pool", p->page_sz >> 10, p->len,
			rte_strerror(rte_errno));
	TEST_ASSERT_NOT_NULL(r, "create %s (%s): %s", p->name,
		rte_extmem_backing_name(p->backing), rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_region_count(), n_regions + 1,
		"region count");
	TEST_ASSERT_EQ(test_msl_count(), n_msl + 1, "EAL memseg lists");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info_get");
	TEST_ASSERT(strcmp(info.name, p->name) == 0, "name %s", info.name);
	TEST_ASSERT_EQ(info.backing, p->backing, "backing");
	TEST_ASSERT_EQ(info.len, p->len, "length");
	TEST_ASSERT_EQ(info.flags, p->flags, "flags");
	TEST_ASSERT_EQ(info.users, 0, "users");
	TEST_ASSERT_EQ(info.socket_id, SOCKET_ID_ANY, "no heap");
	if (p->addr != NULL)
		TEST_ASSERT_EQ(info.addr, p->addr, "address");
	TEST_LOG("%s: %s at %p, %u x %zu-byte pages, %u IOVA runs, %u "
		"unknown, iova mode %s", info.name,
		rte_extmem_backing_name(info.backing), info.addr, info.n_pages,
		info.page_sz, info.n_iova_runs, info.n_bad_iova,
		rte_eal_iova_mode() == RTE_IOVA_VA ? "va" : "pa");

	ret = test_region_verify(r, chk);
	if (ret == TEST_SUCCESS && chk->cpu_access)
		ret = test_region_rw(r);
	/* destroy even after a failure, so the next test starts clean */
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy: %s",
		rte_strerror(rte_errno));
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_RUN(test_region_gone(info.name, info.addr, info.len));
	TEST_ASSERT_EQ(test_region_count(), n_regions,
		"region count after destroy");
	TEST_ASSERT_EQ(test_msl_count(), n_msl,
		"EAL memseg lists after destroy");
	return TEST_SUCCESS;
}

void
test_log_capture_begin(struct test_log_capture *c)
{
	c->old = rte_log_get_stream();
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	if (c->f != NULL)
		rte_openlog_stream(c->f);
}

char *
test_log_capture_end(struct test_log_capture *c)
{
	int err = rte_errno;

	if (c->f == NULL)
		return NULL;
	rte_openlog_stream(c->old);
	fclose(c->f);
	rte_errno = err;
	return c->buf;
}
