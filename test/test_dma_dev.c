/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The DMA dispatcher and devices: replay to ports probed after the
 * regions exist, unmapping on device removal, per-region and per-device
 * opt-outs, automatic mode off and on, drivers without DMA hooks, the
 * explicit API and its errors.
 */

#include <errno.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <rte_extmem.h>
#include <rte_extmem_devmap.h>

#include "test.h"
#include "test_dma_util.h"
#include "vdev_recorder.h"

#define H0 VDEV_REC_DRIVER "_hp0"
#define H1 VDEV_REC_DRIVER "_hp1"
#define NOHOOK VDEV_REC_NOHOOK_DRIVER "_hp2"

static struct test_run runs[TEST_MAX_RUNS];

static int
test_dma_hotplug(void)
{
	struct rte_extmem_devmap_dev_info di;
	struct rte_device *d0, *d1;
	struct rte_extmem_region *r;
	unsigned int idx = 0;
	int n;

	r = test_anon_region("dma_hp", 16, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	n = test_region_runs(r, runs, TEST_MAX_RUNS);
	TEST_ASSERT_GT(n, 0, "runs");
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "nothing probing");
	vdev_rec_reset();

	/*
	 * A port probed after the region exists: its driver is bound only
	 * when the probe returns, so the dispatcher maps it from EAL's
	 * interrupt thread right after. Wait for the calls without calling
	 * the library.
	 */
	d0 = test_vdev_probe(H0, NULL);
	TEST_ASSERT_NOT_NULL(d0, "probe " H0);
	TEST_ASSERT(test_rec_wait(n), "the region was not mapped on the new "
		"port (%u calls)", vdev_rec_ncalls());
	TEST_RUN(test_rec_expect(&idx, H0, 1, runs, n));
	TEST_ASSERT_EQ(test_is_mapped(r, d0), 1, "is_mapped");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(H0, &di), 0, "info");
	TEST_ASSERT_EQ(di.state, RTE_EXTMEM_DEVMAP_DEV_ACTIVE, "state");
	TEST_ASSERT_EQ(di.n_ports, 1, "ports");

	/* a device with two ports: one mapping, known through both ports */
	d1 = test_vdev_probe(H1, "ports=2");
	TEST_ASSERT_NOT_NULL(d1, "probe " H1);
	/* test_devmap_sync() finishes the work without waiting */
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "still probing");
	TEST_RUN(test_rec_expect(&idx, H1, 1, runs, n));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(H1, &di), 0, "info");
	TEST_ASSERT_EQ(di.n_ports, 2, "ports of " H1);
	TEST_ASSERT_EQ(di.n_regions, 1, "regions on " H1);

	/* device removal unmaps what was mapped and forgets the device */
	TEST_ASSERT_EQ(rte_dev_remove(d0), 0, "remove " H0);
	TEST_RUN(test_rec_expect(&idx, H0, 0, runs, n));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(H0, &di), 0, "info");
	TEST_ASSERT_EQ(di.state, RTE_EXTMEM_DEVMAP_DEV_UNKNOWN, "forgotten");
	TEST_ASSERT_EQ(test_is_mapped(r, d1), 1, "still on " H1);

	/* both ports go: unmapped once */
	TEST_ASSERT_EQ(rte_dev_remove(d1), 0, "remove " H1);
	TEST_RUN(test_rec_expect(&idx, H1, 0, runs, n));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(H1, &di), 0, "info");
	TEST_ASSERT_EQ(di.state, RTE_EXTMEM_DEVMAP_DEV_UNKNOWN, "forgotten");

	/* the region outlives the devices; destroying it calls nobody */
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no call after removal");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_hotplug, test_dma_hotplug, 0);

static int
test_dma_optout(void)
{
	struct rte_extmem_devmap_mapping_info mi;
	struct rte_extmem_devmap_dev_info di;
	static const char *const names[] = { H0, H1 };
	struct rte_extmem_region *r, *nodma, *r2;
	struct rte_device *d[2], *d0, *d1;
	unsigned int idx = 0;
	int n, n2;

	/* opted out by name before it exists */
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_auto_set(H1, false), 0, "optout");
	TEST_RUN(test_vdevs_probe(names, d, 2));
	d0 = d[0];
	d1 = d[1];

	r = test_anon_region("dma_opt", 4, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	n = test_region_runs(r, runs, TEST_MAX_RUNS);
	TEST_RUN(test_rec_expect(&idx, H0, 1, runs, n));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "nothing on opted-out " H1);
	TEST_ASSERT_EQ(test_is_mapped(r, d1), 0, "not on " H1);
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(H1, &di), 0, "info");
	TEST_ASSERT(!di.auto_enabled && di.automatic, "opted out");

	/* opting back in maps the existing regions */
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_auto_set(H1, true), 0, "opt in");
	TEST_RUN(test_rec_expect(&idx, H1, 1, runs, n));
	TEST_ASSERT_EQ(test_is_mapped(r, d1), 1, "on " H1);
	/* opting out unmaps them */
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_auto_set(H1, false), 0, "opt out");
	TEST_RUN(test_rec_expect(&idx, H1, 0, runs, n));
	TEST_ASSERT_EQ(test_is_mapped(r, d1), 0, "off " H1);
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");

	/* explicit mapping works on an opted-out device and stays */
	TEST_ASSERT_EQ(rte_extmem_devmap_map(r, rte_dev_name(d1)), 0,
		"explicit map: %s", rte_strerror(rte_errno));
	TEST_RUN(test_rec_expect(&idx, H1, 1, runs, n));
	TEST_ASSERT_EQ(rte_extmem_devmap_mapping_info_get(r, rte_dev_name(d1),
		&mi), 0, "info");
	TEST_ASSERT(mi.explicit_map, "explicit");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_auto_set(H1, true), 0, "opt in");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_auto_set(H1, false), 0, "opt out");
	TEST_ASSERT_EQ(test_is_mapped(r, d1), 1, "explicit stays");
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "explicit mapping untouched");

	/* a region opted out of DMA: nothing automatic, explicit on demand */
	nodma = test_anon_region("dma_nodma", 2, RTE_EXTMEM_REGION_F_NO_DEVMAP);
	TEST_ASSERT_NOT_NULL(nodma, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no call for a NO_DMA region");
	TEST_ASSERT_EQ(test_is_mapped(nodma, d0), 0, "not mapped");
	TEST_ASSERT_EQ(rte_extmem_devmap_map(nodma, rte_dev_name(d0)), 0,
		"explicit map");
	n2 = test_region_runs(nodma, runs + n, TEST_MAX_RUNS - n);
	TEST_RUN(test_rec_expect(&idx, H0, 1, runs + n, n2));
	TEST_ASSERT_EQ(rte_extmem_devmap_unmap(nodma, rte_dev_name(d0)), 0,
		"explicit unmap");
	TEST_RUN(test_rec_expect(&idx, H0, 0, runs + n, n2));
	TEST_ASSERT_ERRNO(rte_extmem_devmap_unmap(nodma, rte_dev_name(d0)) != 0,
		ENOENT, "unmap twice");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(nodma), 0, "destroy");
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");

	/* automatic mode off: new regions stay unmapped until it is on */
	TEST_ASSERT_EQ(rte_extmem_devmap_auto_get(), 1, "on by default");
	TEST_ASSERT_EQ(rte_extmem_devmap_auto_set(false), 0, "off");
	TEST_ASSERT_EQ(rte_extmem_devmap_auto_get(), 0, "off");
	r2 = test_anon_region("dma_opt2", 2, 0);
	TEST_ASSERT_NOT_NULL(r2, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no call while off");
	TEST_ASSERT_EQ(rte_extmem_devmap_auto_set(true), 0, "on");
	n2 = test_region_runs(r2, runs + n, TEST_MAX_RUNS - n);
	TEST_RUN(test_rec_expect(&idx, H0, 1, runs + n, n2));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "only r2 on " H0);
	/* switching on fails on a device: rolled back, stays off */
	TEST_ASSERT_EQ(rte_extmem_devmap_auto_set(false), 0, "off");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r2), 0, "destroy r2");
	TEST_RUN(test_rec_expect(&idx, H0, 0, runs + n, n2));
	r2 = test_anon_region("dma_opt2", 2, 0);
	TEST_ASSERT_NOT_NULL(r2, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_auto_set(H1, true), 0, "opt in");
	vdev_rec_reset();
	idx = 0;
	n2 = test_region_runs(r2, runs + n, TEST_MAX_RUNS - n);
	vdev_rec_fail_nth_kind(H1, 1, 1, EFAULT);
	TEST_ASSERT_ERRNO(rte_extmem_devmap_auto_set(true) != 0, EFAULT,
		"switching on with a failing device");
	TEST_ASSERT_EQ(rte_extmem_devmap_auto_get(), 0, "stays off");
	TEST_RUN(test_rec_expect(&idx, H0, 1, runs + n, n2));
	TEST_RUN(test_rec_expect_failed(&idx, H1, 1, &runs[n], EFAULT));
	TEST_RUN(test_rec_expect(&idx, H0, 0, runs + n, n2));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");
	TEST_ASSERT_EQ(rte_extmem_devmap_auto_set(true), 0, "on");
	TEST_ASSERT_EQ(test_is_mapped(r2, d0), 1, "r2 on " H0);
	TEST_ASSERT_EQ(test_is_mapped(r2, d1), 1, "r2 on " H1);

	TEST_ASSERT_EQ(rte_extmem_region_destroy(r2), 0, "destroy r2");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy r");
	TEST_ASSERT_EQ(rte_dev_remove(d0), 0, "remove");
	TEST_ASSERT_EQ(rte_dev_remove(d1), 0, "remove");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_optout, test_dma_optout, 0);

/*
 * H0's driver fails the explicit map of r on d (its first run) with err,
 * as -err or (rte_errno_style) as -1 with rte_errno: the map fails with
 * err and nothing is left mapped.
 */
static int
map_driver_fails(struct rte_extmem_region *r, struct rte_device *d,
	unsigned int *idx, int err, bool rte_errno_style)
{
	vdev_rec_fail_rte_errno(rte_errno_style);
	vdev_rec_fail_nth_kind(H0, 1, 1, err);
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(r, rte_dev_name(d)) != 0, err,
		"driver failure with %s%s", rte_strerror(err),
		rte_errno_style ? ", -1 and rte_errno" : "");
	vdev_rec_fail_rte_errno(false);
	TEST_RUN(test_rec_expect_failed(idx, H0, 1, &runs[0], err));
	TEST_ASSERT_EQ(test_is_mapped(r, d), 0, "not mapped");
	return TEST_SUCCESS;
}

static int
test_dma_errors(void)
{
	struct rte_extmem_devmap_mapping_info mi;
	struct rte_extmem_devmap_dev_info di;
	static const char *const names[] = { H0, NOHOOK };
	struct rte_extmem_region *r, *noiova, *fake_r;
	struct rte_device *d[2], *d0, *nohook;
	unsigned int idx = 0;
	uint64_t junk[16] = { 0 };
	int n;

	TEST_RUN(test_vdevs_probe(names, d, 2));
	d0 = d[0];
	nohook = d[1];
	r = test_anon_region("dma_err", 4, 0);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	n = test_region_runs(r, runs, TEST_MAX_RUNS);
	TEST_RUN(test_rec_expect(&idx, H0, 1, runs, n));
	fake_r = (struct rte_extmem_region *)junk;

	/* NULL device: upstream rte_dev_dma_map(NULL, ...) would crash */
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(r, NULL) != 0, EINVAL, "map");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_unmap(r, NULL) != 0, EINVAL,
		"unmap");
	TEST_ASSERT_ERRNO(test_is_mapped(r, NULL) < 0, EINVAL,
		"is_mapped");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_mapping_info_get(r, NULL, &mi) != 0,
		EINVAL, "mapping info");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_mapping_info_get(r,
		rte_dev_name(d0), NULL) != 0,
		EINVAL, "mapping info without info");
	/* not a region, not a device */
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(fake_r, rte_dev_name(d0)) != 0,
		EINVAL, "map");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(NULL, rte_dev_name(d0)) != 0,
		EINVAL, "map");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_unmap(fake_r,
		rte_dev_name(d0)) != 0, EINVAL, "unmap");
	TEST_ASSERT_ERRNO(test_is_mapped(fake_r, d0) < 0, EINVAL,
		"is_mapped");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(r, "no_such_dev") != 0, ENODEV,
		"map on a device of no bus");
	/* the arguments before the device, in map and unmap alike */
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(NULL, "no_such_dev") != 0,
		EINVAL, "map of no region on no device");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_unmap(NULL, "no_such_dev") != 0,
		EINVAL, "unmap of no region on no device");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(fake_r, "no_such_dev") != 0,
		EINVAL, "map of no region on no device");
	/* double map, unmap of what is not mapped */
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(r, rte_dev_name(d0)) != 0,
		EEXIST, "double map");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_unmap(r, "no_such_dev") != 0,
		ENOENT, "unmap on another device");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_mapping_info_get(r,
		rte_dev_name(nohook), &mi) != 0,
		ENOENT, "mapping info of nothing");
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no call for bad input");

	/* a driver without DMA hooks: recorded, skipped, refused */
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(NOHOOK, &di), 0, "info");
	TEST_ASSERT_EQ(di.state, RTE_EXTMEM_DEVMAP_DEV_NO_DMA, "no DMA");
	TEST_ASSERT_EQ(di.n_regions, 0, "nothing mapped");
	TEST_ASSERT_EQ(test_is_mapped(r, nohook), 0, "not mapped");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(r, rte_dev_name(nohook)) != 0,
		ENOTSUP, "explicit map without hook");

	/* a region without any known IOVA */
	noiova = test_anon_region("dma_noiova", 2, RTE_EXTMEM_REGION_F_NO_IOVA);
	TEST_ASSERT_NOT_NULL(noiova, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "nothing to map");
	TEST_ASSERT_EQ(test_is_mapped(noiova, d0), 0, "not mapped");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(noiova, rte_dev_name(d0)) != 0,
		EINVAL, "explicit map without IOVA");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(noiova), 0, "destroy");

	/* the driver fails an explicit map (-errno): nothing is left */
	TEST_ASSERT_EQ(rte_extmem_devmap_unmap(r, rte_dev_name(d0)), 0,
		"unmap");
	TEST_RUN(test_rec_expect(&idx, H0, 0, runs, n));
	TEST_RUN(map_driver_fails(r, d0, &idx, E2BIG, false));
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(H0, &di), 0, "info");
	TEST_ASSERT_EQ(di.error, E2BIG, "last error");
	/* the same, returned as -1 with rte_errno */
	TEST_RUN(map_driver_fails(r, d0, &idx, ENOBUFS, true));
	TEST_ASSERT_EQ(rte_extmem_devmap_map(r, rte_dev_name(d0)), 0,
		"map again");
	TEST_RUN(test_rec_expect(&idx, H0, 1, runs, n));
	/* the driver fails an explicit unmap: still mapped */
	vdev_rec_fail_nth_kind(H0, 0, 1, EBUSY);
	TEST_ASSERT_ERRNO(rte_extmem_devmap_unmap(r, rte_dev_name(d0)) != 0,
		EBUSY, "unmap");
	TEST_RUN(test_rec_expect_failed(&idx, H0, 0, &runs[0], EBUSY));
	TEST_ASSERT_EQ(test_is_mapped(r, d0), 1, "still mapped");
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");

	/* names */
	TEST_ASSERT_ERRNO(rte_extmem_devmap_dev_auto_set(NULL, false) != 0,
		EINVAL, "optout NULL");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_dev_auto_set("", false) != 0,
		EINVAL, "optout empty");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_dev_info_get(NULL, &di) != 0,
		EINVAL, "info NULL name");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_dev_info_get(H0, NULL) != 0, EINVAL,
		"info NULL");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get("no_such_dev", &di), 0,
		"info of an unknown device");
	TEST_ASSERT_EQ(di.state, RTE_EXTMEM_DEVMAP_DEV_UNKNOWN, "unknown");

	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_RUN(test_rec_expect(&idx, H0, 0, runs, n));
	TEST_ASSERT_EQ(rte_dev_remove(d0), 0, "remove");
	TEST_ASSERT_EQ(rte_dev_remove(nohook), 0, "remove");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_errors, test_dma_errors, 0);
