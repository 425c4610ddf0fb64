/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_REGION_UTIL_H
#define TEST_REGION_UTIL_H

/* Checks shared by the region and translation tests. */

#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_extmem.h>
#include <rte_extmem_event.h>
#include <rte_memory.h>

/** How the test expects the IOVAs of a region to be known. */
enum region_iova_src {
	/** Resolved by the library: VA in VA mode, pagemap in PA mode. */
	REGION_IOVA_RESOLVED,
	/** Given by the caller in a table (EAL's memsegs carry them). */
	REGION_IOVA_TABLE,
	/** Unknown: every page RTE_BAD_IOVA. */
	REGION_IOVA_NONE,
};

/** What region_lifecycle() does besides the common checks. */
struct region_check {
	enum region_iova_src iova_src;
	/** Table given by the caller (REGION_IOVA_TABLE). */
	const rte_iova_t *iovas;
	/** The CPU may read and write the memory (false for device). */
	bool cpu_access;
	/** Expected page size (0: not checked). */
	size_t page_sz;
};

/**
 * Initialise p for a region of len bytes with the given backing, at addr
 * for the caller's memory (user, device; NULL for the others); the page
 * size, IOVA table and flags stay the defaults, for the caller to set.
 */
void test_region_params(struct rte_extmem_region_params *p, const char *name,
	enum rte_extmem_backing backing, void *addr, size_t len);

/**
 * Does EAL have memory event callbacks? 1 yes, 0 no (legacy memory mode:
 * ENOTSUP), -1 the probe failed otherwise.
 */
int test_eal_mem_events(void);

/** Number of memseg lists EAL has in use (rte_memseg_list_walk). */
unsigned int test_msl_count(void);

/** Locked memory of the process in kB (VmLck), -1 if unknown. */
long test_vm_locked_kb(void);

/** Physical address of the 4K page holding va from /proc/self/pagemap,
 * RTE_BAD_IOVA if not present or hidden.
 */
rte_iova_t test_pagemap_pa(const void *va);

/** IOVA EAL's memseg of va gives, RTE_BAD_IOVA if EAL has no memseg. */
rte_iova_t test_eal_memseg_iova(const void *va);

/**
 * Check a live region against EAL (memsegs; rte_mem_virt2iova and, in PA
 * mode, pagemap when the library resolved the IOVAs) and the translation
 * functions, for every page and several offsets. Returns TEST_SUCCESS or
 * TEST_FAILED (printing why).
 */
int test_region_verify(struct rte_extmem_region *r,
	const struct region_check *chk);

/** Write a pattern to every base page of a region and read it back. */
int test_region_rw(struct rte_extmem_region *r);

/**
 * Check a region is gone after destroy: EAL (rte_mem_virt2memseg_list),
 * translation and lookup know nothing of [addr, addr + len).
 */
int test_region_gone(const char *name, void *addr, size_t len);

/**
 * Create a region from params, verify everything, write/read it when the
 * CPU may touch it, destroy it and verify it is gone and that the region
 * and memseg list counts are back. Returns TEST_SKIPPED (with the reason)
 * when the backing is unavailable here (hugetlb pool empty: ENOMEM;
 * no such pool: ENOTSUP).
 */
int test_region_lifecycle(const struct rte_extmem_region_params *p,
	const struct region_check *chk);

/** Number of event types (the library's enum has no _MAX). */
#define TEST_EVENT_TYPES (RTE_EXTMEM_EVENT_EAL_FREE + 1)
/** A backing value past the last one. */
#define TEST_BACKING_INVALID \
	((enum rte_extmem_backing)(RTE_EXTMEM_BACKING_DEVICE + 1))

/** The log (all of EAL's, the library's included) sent to memory. */
struct test_log_capture {
	FILE *old;	/* the stream to restore */
	FILE *f;	/* NULL: open_memstream() failed, nothing captured */
	char *buf;
	size_t len;
};

/** Start capturing the log. */
void test_log_capture_begin(struct test_log_capture *c);

/**
 * Stop capturing: the text logged since test_log_capture_begin() (to
 * free()), or NULL if nothing could be captured. rte_errno is kept.
 */
char *test_log_capture_end(struct test_log_capture *c);

/** Number of live regions (0 before rte_eal_init()). */
static inline unsigned int
test_region_count(void)
{
	int n = rte_extmem_region_walk(NULL, NULL);

	return n < 0 ? 0 : (unsigned int)n;
}

#endif /* TEST_REGION_UTIL_H */
