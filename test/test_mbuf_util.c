/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Helpers of the mbuf slice and pinned pool tests (see test_mbuf.h). */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_errno.h>

#include "test.h"
#include "test_mbuf.h"
#include "test_region_util.h"

int
test_devmem_map(struct test_devmem *d, size_t len, size_t align, int prot)
{
	uintptr_t a;

	memset(d, 0, sizeof(*d));
	d->map_len = len + align;
	d->map = mmap(NULL, d->map_len, prot,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (d->map == MAP_FAILED) {
		printf("    mmap of %zu bytes: %s\n", d->map_len, strerror(errno));
		d->map = NULL;
		return -1;
	}
	a = RTE_ALIGN_CEIL((uintptr_t)d->map, align);
	d->addr = (void *)a;
	d->len = len;
	return 0;
}

void
test_devmem_unmap(struct test_devmem *d)
{
	if (d->map != NULL)
		munmap(d->map, d->map_len);
	memset(d, 0, sizeof(*d));
}

int
test_devmem_release(struct test_devmem *d)
{
	TEST_ASSERT_EQ(test_resident_pages(d->addr, d->len), 0, "resident");
	test_devmem_unmap(d);
	return TEST_SUCCESS;
}

long
test_resident_pages(const void *addr, size_t len)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = RTE_ALIGN_FLOOR((uintptr_t)addr, pg);
	size_t n = (RTE_ALIGN_CEIL((uintptr_t)addr + len, pg) - start) / pg;
	unsigned char *vec;
	long resident = 0;
	size_t i;

	vec = malloc(n);
	if (vec == NULL)
		return -1;
	if (mincore((void *)start, n * pg, vec) != 0) {
		printf("    mincore: %s\n", strerror(errno));
		free(vec);
		return -1;
	}
	for (i = 0; i < n; i++)
		resident += vec[i] & 1;
	free(vec);
	return resident;
}

long
test_smaps_rss_kb(const void *addr)
{
	uintptr_t a = (uintptr_t)addr, lo, hi;
	bool inside = false;
	char line[512];
	long rss = -1;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &lo, &hi) == 2 &&
				strchr(line, '-') < strchr(line, ' ')) {
			inside = a >= lo && a < hi;
			continue;
		}
		if (inside && sscanf(line, "Rss: %ld kB", &rss) == 1)
			break;
	}
	fclose(f);
	return rss;
}

void
test_fake_iovas(rte_iova_t *iovas, unsigned int n, size_t page_sz,
	rte_iova_t base, unsigned int run_pages)
{
	rte_iova_t io = base;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (i > 0 && run_pages != 0 && i % run_pages == 0)
			io += 16 * page_sz; /* jump: a discontinuity */
		iovas[i] = io;
		io += page_sz;
	}
}

struct rte_extmem_region *
test_device_region(const char *name, const struct test_devmem *d,
	size_t page_sz, const rte_iova_t *iovas, uint64_t flags)
{
	struct rte_extmem_region_params p;

	test_region_params(&p, name, RTE_EXTMEM_BACKING_DEVICE, d->addr,
		d->len);
	p.page_sz = page_sz;
	p.iovas = iovas;
	p.n_iovas = iovas == NULL ? 0 : d->len / page_sz;
	p.flags = flags;
	return rte_extmem_region_create(&p);
}

uint32_t
test_region_users(const struct rte_extmem_region *r)
{
	struct rte_extmem_region_info info;

	if (rte_extmem_region_info_get(r, &info) != 0)
		return UINT32_MAX;
	return info.users;
}

int
test_slice_verify(const struct rte_mbuf *m, uintptr_t start, size_t pkt_len)
{
	const struct rte_mbuf *seg;
	const char *reason = NULL;
	uintptr_t expect = start;
	size_t total = 0;

	if (rte_mbuf_check(m, 1, &reason) != 0) {
		printf("    bad mbuf chain: %s\n", reason);
		return -1;
	}
	if (m->pkt_len != pkt_len) {
		printf("    pkt_len %u, expected %zu\n", m->pkt_len, pkt_len);
		return -1;
	}
	for (seg = m; seg != NULL; seg = seg->next) {
		uintptr_t data = (uintptr_t)rte_pktmbuf_mtod(seg, void *);
		rte_iova_t io = rte_pktmbuf_iova(seg);

		if (!RTE_MBUF_HAS_EXTBUF(seg) || seg->shinfo == NULL) {
			printf("    segment at %p is not an external buffer\n",
				(const void *)seg);
			return -1;
		}
		if ((uintptr_t)seg->shinfo >= start &&
				(uintptr_t)seg->shinfo < start + pkt_len) {
			printf("    shared info %p lies in the sliced memory\n",
				(void *)seg->shinfo);
			return -1;
		}
		if (data != expect || seg->data_len == 0) {
			printf("    segment data at %p (len %u), expected %p\n",
				(void *)data, seg->data_len, (void *)expect);
			return -1;
		}
		if (io != rte_extmem_virt2iova((void *)data) ||
				io != rte_extmem_range2iova((void *)data,
					seg->data_len)) {
			printf("    segment %p +%u: IOVA 0x%" PRIx64 ", "
				"translation 0x%" PRIx64 ", range 0x%" PRIx64 "\n",
				(void *)data, seg->data_len, io,
				rte_extmem_virt2iova((void *)data),
				rte_extmem_range2iova((void *)data,
					seg->data_len));
			return -1;
		}
		expect += seg->data_len;
		total += seg->data_len;
	}
	if (total != pkt_len) {
		printf("    segments hold %zu bytes, expected %zu\n", total,
			pkt_len);
		return -1;
	}
	return 0;
}

void
test_count_cb(void *addr, size_t len, void *arg)
{
	struct test_cb_count *cb = arg;

	__atomic_fetch_add(&cb->calls, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&cb->bytes, len, __ATOMIC_RELAXED);
	__atomic_fetch_add(&cb->sum,
		test_slice_key((uintptr_t)addr - cb->base, len),
		__ATOMIC_RELAXED);
}

struct rte_extmem_slicer *
test_slicer(const char *name, struct rte_extmem_region *r,
	unsigned int n_mbufs, uint16_t max_seg, struct test_cb_count *cb)
{
	struct rte_extmem_slicer_params p;
	struct rte_extmem_region_info info;

	rte_extmem_slicer_params_init(&p);
	p.name = name;
	p.region = r;
	p.n_mbufs = n_mbufs;
	p.max_seg_len = max_seg;
	if (cb != NULL) {
		memset(cb, 0, sizeof(*cb));
		if (rte_extmem_region_info_get(r, &info) == 0)
			cb->base = (uintptr_t)info.addr;
		p.free_cb = test_count_cb;
		p.free_cb_arg = cb;
	}
	return rte_extmem_slicer_create(&p);
}
