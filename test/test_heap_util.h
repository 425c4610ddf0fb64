/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_HEAP_UTIL_H
#define TEST_HEAP_UTIL_H

/* Helpers shared by the heap tests (test_heap*.c). */

#include <stdbool.h>
#include <stddef.h>

#include <rte_extmem.h>
#include <rte_extmem_heap.h>

/** A heap made by test_heap_make(), with the memory the test mapped. */
struct test_heap {
	struct rte_extmem_heap *h;
	int socket;
	void *user_mem;		/* user backing: munmap'ed by test_heap_free */
	size_t user_len;
};

/** Counters that must not move when an operation fails. */
struct test_heap_snap {
	unsigned int heaps;	/* test_heap_count() */
	unsigned int regions;	/* test_region_count() */
	unsigned int msls;	/* EAL memseg lists in use */
};

/** CPU-writable backings a heap can use. */
extern const enum rte_extmem_backing test_heap_backings[];
/** Number of entries of test_heap_backings. */
extern const unsigned int test_heap_n_backings;

/**
 * Create a heap of @p len bytes on backing @p b (user: the test maps
 * anonymous memory; hugetlb and shared: 2M pages for hugetlb, base pages
 * for shared). Returns TEST_SUCCESS, TEST_SKIPPED (printing the reason:
 * the hugetlb pool is empty or missing) or TEST_FAILED.
 */
int test_heap_make(struct test_heap *th, const char *name,
	enum rte_extmem_backing b, size_t len, size_t grow_len,
	size_t max_len);

/** Destroy the heap and unmap the test's memory; TEST_* result. */
int test_heap_free(struct test_heap *th);

/** Is [p, p + len) inside a single region of heap h? */
bool test_heap_contains(const struct rte_extmem_heap *h, const void *p,
	size_t len);

/** Take a snapshot of the counters. */
void test_heap_snap(struct test_heap_snap *s);

/** TEST_SUCCESS if the counters equal the snapshot. */
int test_heap_snap_same(const struct test_heap_snap *s, const char *what);

/** Number of free elements EAL heaps can still take (RTE_MAX_HEAPS). */
unsigned int test_heap_free_eal_heaps(void);

/** Number of live heaps of the library (0 before rte_eal_init()). */
static inline unsigned int
test_heap_count(void)
{
	int n = rte_extmem_heap_walk(NULL, NULL);

	return n < 0 ? 0 : (unsigned int)n;
}

/** Socket ID of a heap (rte_extmem_heap_info::socket_id), -1 if dead. */
static inline int
test_heap_socket(const struct rte_extmem_heap *h)
{
	struct rte_extmem_heap_info info;

	return rte_extmem_heap_info_get(h, &info) == 0 ? info.socket_id : -1;
}

#endif /* TEST_HEAP_UTIL_H */
