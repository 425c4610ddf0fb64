/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_MBUF_H
#define TEST_MBUF_H

/* Helpers of the mbuf slice and pinned pool tests. */

#include <stddef.h>
#include <stdint.h>

#include <rte_extmem.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>

/** A stand-in for device memory: an anonymous mapping, page_sz aligned. */
struct test_devmem {
	void *addr;	/* aligned start */
	size_t len;
	void *map;	/* what mmap returned */
	size_t map_len;
};

/**
 * Map len bytes aligned to align with protection prot (PROT_NONE: any CPU
 * access is a SIGSEGV, i.e. a test crash). Returns 0 or -1.
 */
int test_devmem_map(struct test_devmem *d, size_t len, size_t align, int prot);
void test_devmem_unmap(struct test_devmem *d);

/**
 * The end of a device memory stand-in: check that not one page of it was
 * populated (the CPU never touched it), then unmap it. Returns
 * TEST_SUCCESS or TEST_FAILED (still mapped).
 */
int test_devmem_release(struct test_devmem *d);

/** Number of pages of [addr, addr + len) the kernel has populated (mincore). */
long test_resident_pages(const void *addr, size_t len);

/** Rss in kB of the mapping holding addr (/proc/self/smaps), -1 if not found. */
long test_smaps_rss_kb(const void *addr);

/**
 * A fake IOVA table for n pages of page_sz: pages run contiguously from
 * base, and every run_pages pages the IOVAs jump (a discontinuity).
 */
void test_fake_iovas(rte_iova_t *iovas, unsigned int n, size_t page_sz,
	rte_iova_t base, unsigned int run_pages);

/** Create a device-backed region over d with an IOVA table (may be NULL). */
struct rte_extmem_region *test_device_region(const char *name,
	const struct test_devmem *d, size_t page_sz, const rte_iova_t *iovas,
	uint64_t flags);

/** Users count of a region (rte_extmem_region_info_get), UINT32_MAX on error. */
uint32_t test_region_users(const struct rte_extmem_region *r);

/**
 * Check every segment of a slice chain: consistent chain (rte_mbuf_check),
 * each segment attached as an external buffer inside [base, base + len)
 * with buf_iova equal to the library's translation and IOVA-contiguous over
 * its data; data addresses consecutive from start, total pkt_len. Prints
 * the reason and returns -1 on a mismatch.
 */
int test_slice_verify(const struct rte_mbuf *m, uintptr_t start,
	size_t pkt_len);

/** What test_count_cb() records (atomically: callbacks run on any lcore). */
struct test_cb_count {
	uint64_t calls;
	uint64_t bytes;
	uint64_t sum;		/* sum of test_slice_key() of every call */
	uintptr_t base;		/* region start, for the keys */
};

/** A key for a slice (offset and length), summed to compare call sets. */
static inline uint64_t
test_slice_key(size_t off, size_t len)
{
	return ((uint64_t)off << 20) ^ (uint64_t)len ^ 0x9e3779b9ULL;
}

/** Owner callback of the test slicers; arg is a struct test_cb_count. */
void test_count_cb(void *addr, size_t len, void *arg);

/**
 * A slicer over r with a pool of n_mbufs, the counting callback on cb (may
 * be NULL) and max_seg (0: default).
 */
struct rte_extmem_slicer *test_slicer(const char *name,
	struct rte_extmem_region *r, unsigned int n_mbufs, uint16_t max_seg,
	struct test_cb_count *cb);

#endif /* TEST_MBUF_H */
