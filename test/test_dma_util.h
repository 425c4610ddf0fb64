/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_DMA_UTIL_H
#define TEST_DMA_UTIL_H

/* Helpers of the event and DMA dispatcher tests. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_dev.h>
#include <rte_extmem.h>
#include <rte_memory.h>

#define TEST_PG 4096UL

/** A region over the test's own anonymous memory (user backing). */
struct test_ureg {
	struct rte_extmem_region *r;
	void *buf;
	size_t len;
};

/**
 * Map npages anonymous base pages and make a user region of them, with
 * the given IOVA table (NULL: resolved by the library) and flags.
 * Returns the region, or NULL with rte_errno (the memory is unmapped).
 */
struct rte_extmem_region *test_ureg_create(struct test_ureg *u,
	const char *name, unsigned int npages, const rte_iova_t *iovas,
	uint64_t flags);

/** Destroy the region and unmap the memory; returns what destroy did. */
int test_ureg_destroy(struct test_ureg *u);

/** Create an anonymous (library-allocated) region of npages base pages. */
struct rte_extmem_region *test_anon_region(const char *name,
	unsigned int npages, uint64_t flags);

/** Probe a vdev ("name" or "name,args") and return its device. */
struct rte_device *test_vdev_probe(const char *name, const char *args);

/**
 * Probe the vdevs names[0..n-1] (no arguments) into devs[], let the
 * dispatcher finish with them (nothing left probing) and clear the
 * recorder. Returns TEST_SUCCESS or TEST_FAILED.
 */
int test_vdevs_probe(const char *const *names, struct rte_device **devs,
	unsigned int n);

/** Remove a probed vdev by name. Returns rte_dev_remove()'s result. */
int test_vdev_remove(const char *name);

/** An IOVA-contiguous run the dispatcher is expected to map. */
struct test_run {
	uint64_t va;
	uint64_t iova;
	size_t len;
};

#define TEST_MAX_RUNS 1024

/**
 * Expected runs of a region, computed from its IOVA table (pages with an
 * unknown IOVA are left out). Returns the count (at most max), -1 on error.
 */
int test_region_runs(const struct rte_extmem_region *r,
	struct test_run *runs, unsigned int max);

/**
 * Check that the recorder's calls from index *idx on are, in order, one
 * call of kind map (1 map, 0 unmap) per run on device dev, all
 * successful; advance *idx past them.
 */
int test_rec_expect(unsigned int *idx, const char *dev, int map,
	const struct test_run *runs, unsigned int n);

/** Check that recorded call *idx is a failed call (ret == -err) of kind
 * map on dev for run; advance *idx.
 */
int test_rec_expect_failed(unsigned int *idx, const char *dev, int map,
	const struct test_run *run, int err);

/** Number of recorded calls on dev from index from on. */
unsigned int test_rec_count(const char *dev, unsigned int from);

/** Wait (polling the recorder, without calling the library) until at
 * least n calls are recorded; false after a generous timeout.
 */
bool test_rec_wait(unsigned int n);

struct rte_extmem_region;

/** 1 if region is mapped on dev (its mapping info exists), 0 if not
 * (ENOENT), -1 on another error.
 */
int test_is_mapped(const struct rte_extmem_region *region,
	const struct rte_device *dev);

/** Settle every device whose probe has finished (the driver-side
 * rte_extmem_devmap_driver_sync()); returns the devices still probing.
 */
int test_devmap_sync(void);

#endif /* TEST_DMA_UTIL_H */
