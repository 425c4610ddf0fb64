/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The DMA dispatcher against net_extmem_rec: the exact rte_dev_dma_map()
 * calls per IOVA run, unmapping on destruction, rollback of failures on
 * device k of several (map and unmap), refusal by a later subscriber.
 */

#include <errno.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <rte_extmem.h>
#include <rte_extmem_devmap.h>
#include <rte_extmem_event.h>

#include "test.h"
#include "test_region_util.h"
#include "test_dma_util.h"
#include "vdev_recorder.h"

#define D0 VDEV_REC_DRIVER "_dma0"
#define D1 VDEV_REC_DRIVER "_dma1"
#define D2 VDEV_REC_DRIVER "_dma2"

static const char * const dev_names[] = { D0, D1, D2 };
static struct rte_device *devs[3];
static struct test_run runs[TEST_MAX_RUNS];

static int
devs_probe(unsigned int n)
{
	return test_vdevs_probe(dev_names, devs, n);
}

static int
devs_remove(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		TEST_ASSERT_EQ(test_vdev_remove(dev_names[i]), 0, "remove %s",
			dev_names[i]);
	return TEST_SUCCESS;
}

/* The region is mapped on the n devices in order, run by run. */
static int
expect_mapped(unsigned int *idx, const struct rte_extmem_region *r,
	unsigned int ndev, int map)
{
	struct rte_extmem_devmap_mapping_info mi;
	unsigned int i;
	int n;

	n = test_region_runs(r, runs, TEST_MAX_RUNS);
	TEST_ASSERT_GT(n, 0, "expected runs");
	for (i = 0; i < ndev; i++) {
		TEST_RUN(test_rec_expect(idx, dev_names[i], map, runs, n));
		TEST_ASSERT_EQ(test_is_mapped(r, devs[i]), map,
			"is_mapped on %s", dev_names[i]);
		if (!map)
			continue;
		TEST_ASSERT_EQ(rte_extmem_devmap_mapping_info_get(r,
			rte_dev_name(devs[i]), &mi), 0, "mapping info");
		TEST_ASSERT_EQ(mi.n_chunks, n, "runs in the mapping");
		TEST_ASSERT(!mi.explicit_map, "automatic mapping");
	}
	return TEST_SUCCESS;
}

/*
 * A user region with a chosen IOVA table: 8 pages, runs of 2, 3 and 1
 * pages separated by pages without IOVA.
 */
static const rte_iova_t holes_iovas[8] = {
	0x10000000, 0x10001000, RTE_BAD_IOVA,
	0x20000000, 0x20001000, 0x20002000, RTE_BAD_IOVA,
	0x30000000,
};
#define HOLES_RUNS 3

/* The runs of holes_iovas for a region at va. */
static void
holes_runs(struct test_run *exp, uintptr_t va)
{
	exp[0] = (struct test_run){ va, 0x10000000, 2 * TEST_PG };
	exp[1] = (struct test_run){ va + 3 * TEST_PG, 0x20000000,
		3 * TEST_PG };
	exp[2] = (struct test_run){ va + 7 * TEST_PG, 0x30000000, TEST_PG };
}

static int
check_holes(void)
{
	struct rte_extmem_devmap_mapping_info mi;
	struct rte_extmem_devmap_dev_info di;
	struct rte_extmem_region *r;
	struct test_run exp[HOLES_RUNS];
	struct test_ureg u;
	unsigned int idx = 0, i;

	r = test_ureg_create(&u, "dma_holes", 8, holes_iovas, 0);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	holes_runs(exp, (uintptr_t)u.buf);
	for (i = 0; i < 2; i++)
		TEST_RUN(test_rec_expect(&idx, dev_names[i], 1, exp, 3));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");
	TEST_ASSERT_EQ(rte_extmem_devmap_mapping_info_get(r,
		rte_dev_name(devs[1]), &mi), 0, "info");
	TEST_ASSERT_EQ(mi.n_chunks, 3, "runs");
	TEST_ASSERT_EQ(mi.len, 6 * TEST_PG, "bytes mapped");
	TEST_ASSERT_EQ(mi.n_pages_skipped, 2, "pages without IOVA skipped");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(D0, &di), 0, "dev info");
	TEST_ASSERT_EQ(di.state, RTE_EXTMEM_DEVMAP_DEV_ACTIVE, "state");
	TEST_ASSERT(di.automatic && di.auto_enabled, "automatic");
	TEST_ASSERT_EQ(di.n_ports, 1, "ports");
	TEST_ASSERT_EQ(di.n_regions, 1, "regions mapped");
	TEST_ASSERT_EQ(di.n_chunks, 3, "calls in effect");
	TEST_ASSERT_EQ(di.map_calls, 3, "map calls");

	/* destruction unmaps exactly the runs that were mapped */
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy");
	for (i = 0; i < 2; i++)
		TEST_RUN(test_rec_expect(&idx, dev_names[i], 0, exp, 3));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(D0, &di), 0, "dev info");
	TEST_ASSERT_EQ(di.n_regions, 0, "regions mapped");
	TEST_ASSERT_EQ(di.unmap_calls, 3, "unmap calls");
	return TEST_SUCCESS;
}

/* Library-allocated memory: runs follow the resolved IOVAs. */
static int
check_resolved(const char *what, struct rte_extmem_region *r)
{
	struct rte_extmem_region_info info;
	unsigned int idx = 0;
	int n;

	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info");
	n = test_region_runs(r, runs, TEST_MAX_RUNS);
	TEST_ASSERT_GT(n, 0, "runs of %s", what);
	if (rte_eal_iova_mode() == RTE_IOVA_VA)
		TEST_ASSERT_EQ(n, 1, "%s in IOVA-as-VA mode is one run", what);
	TEST_ASSERT_EQ(n, info.n_iova_runs, "runs the region reports");
	TEST_RUN(expect_mapped(&idx, r, 2, 1));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");
	TEST_LOG("%s: %u pages of %zu bytes mapped in %d calls per device",
		what, info.n_pages, info.page_sz, n);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT_EQ(test_rec_count(D0, idx), n, "unmaps on %s", D0);
	TEST_RUN(test_rec_expect(&idx, D0, 0, runs, n));
	TEST_RUN(test_rec_expect(&idx, D1, 0, runs, n));
	vdev_rec_reset();
	return TEST_SUCCESS;
}

static int
test_dma_runs(void)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;

	TEST_RUN(devs_probe(2));
	TEST_RUN(check_holes());
	vdev_rec_reset();

	/* 4K pages: one run in VA mode, many in PA mode */
	r = test_anon_region("dma_anon", 256, 0);
	TEST_ASSERT_NOT_NULL(r, "anon: %s", rte_strerror(rte_errno));
	TEST_RUN(check_resolved("anon 1M", r));

	rte_extmem_region_params_init(&p);
	p.name = "dma_hugetlb";
	p.backing = RTE_EXTMEM_BACKING_HUGETLB;
	p.len = 4 * RTE_PGSIZE_2M;
	r = rte_extmem_region_create(&p);
	if (r == NULL && (rte_errno == ENOMEM || rte_errno == ENOTSUP))
		TEST_LOG("hugetlb part skipped: no free 2M pages (%s)",
			rte_strerror(rte_errno));
	else {
		TEST_ASSERT_NOT_NULL(r, "hugetlb: %s", rte_strerror(rte_errno));
		TEST_RUN(check_resolved("hugetlb 8M", r));
	}
	TEST_RUN(devs_remove(2));
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_runs, test_dma_runs, 0);

/* A subscriber after the dispatcher that refuses every region. */
static int
refuse_cb(const struct rte_extmem_event *ev, void *arg __rte_unused)
{
	return ev->type == RTE_EXTMEM_EVENT_REGION_REGISTERED && !ev->rollback ?
		-EACCES : 0;
}

static int
test_dma_rollback(void)
{
	unsigned int nregions = test_region_count();
	struct rte_extmem_region *r;
	struct test_ureg u;
	unsigned int idx = 0;
	int n;

	TEST_RUN(devs_probe(3));

	/* device 3 of 3 fails its first map: devices 2 then 1 unmapped */
	vdev_rec_fail_nth_kind(D2, 1, 1, EIO);
	r = test_ureg_create(&u, "dma_rb", 8, holes_iovas, 0);
	TEST_ASSERT_ERRNO(r == NULL, ECANCELED, "creation with a failing "
		"device");
	TEST_ASSERT_EQ(test_region_count(), nregions, "no region");
	/* the runs of holes_iovas, at the address the attempt used */
	n = HOLES_RUNS;
	holes_runs(runs, vdev_rec_call(0)->va);
	TEST_RUN(test_rec_expect(&idx, D0, 1, runs, n));
	TEST_RUN(test_rec_expect(&idx, D1, 1, runs, n));
	TEST_RUN(test_rec_expect_failed(&idx, D2, 1, &runs[0], EIO));
	TEST_RUN(test_rec_expect(&idx, D1, 0, runs, n));
	TEST_RUN(test_rec_expect(&idx, D0, 0, runs, n));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");

	/* device 2 fails its second run: its first run is unmapped too */
	vdev_rec_reset();
	idx = 0;
	vdev_rec_fail_nth_kind(D1, 1, 2, ENOSPC);
	r = test_ureg_create(&u, "dma_rb", 8, holes_iovas, 0);
	TEST_ASSERT_ERRNO(r == NULL, ECANCELED, "creation, failing 2nd run");
	holes_runs(runs, vdev_rec_call(0)->va);
	TEST_RUN(test_rec_expect(&idx, D0, 1, runs, n));
	TEST_RUN(test_rec_expect(&idx, D1, 1, runs, 1));
	TEST_RUN(test_rec_expect_failed(&idx, D1, 1, &runs[1], ENOSPC));
	TEST_RUN(test_rec_expect(&idx, D1, 0, runs, 1));
	TEST_RUN(test_rec_expect(&idx, D0, 0, runs, n));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");

	/* a later subscriber refuses: the dispatcher unmaps everything */
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("dma_refuse", 0, refuse_cb,
		NULL), 0, "subscribe");
	vdev_rec_reset();
	idx = 0;
	r = test_ureg_create(&u, "dma_rb", 8, holes_iovas, 0);
	TEST_ASSERT_ERRNO(r == NULL, ECANCELED, "creation refused");
	holes_runs(runs, vdev_rec_call(0)->va);
	TEST_RUN(test_rec_expect(&idx, D0, 1, runs, n));
	TEST_RUN(test_rec_expect(&idx, D1, 1, runs, n));
	TEST_RUN(test_rec_expect(&idx, D2, 1, runs, n));
	TEST_RUN(test_rec_expect(&idx, D0, 0, runs, n));
	TEST_RUN(test_rec_expect(&idx, D1, 0, runs, n));
	TEST_RUN(test_rec_expect(&idx, D2, 0, runs, n));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("dma_refuse"), 0, "unsub");

	/* now it works, on all three */
	vdev_rec_reset();
	idx = 0;
	r = test_ureg_create(&u, "dma_rb", 8, holes_iovas, 0);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_RUN(expect_mapped(&idx, r, 3, 1));

	/* device 2 refuses to unmap: destruction refused, device 1 mapped
	 * again, the region intact and mapped everywhere
	 */
	vdev_rec_reset();
	idx = 0;
	vdev_rec_fail_nth_kind(D1, 0, 1, EBUSY);
	TEST_ASSERT_ERRNO(test_ureg_destroy(&u) != 0, ECANCELED,
		"destruction with a failing unmap");
	TEST_RUN(test_rec_expect(&idx, D0, 0, runs, n));
	TEST_RUN(test_rec_expect_failed(&idx, D1, 0, &runs[0], EBUSY));
	TEST_RUN(test_rec_expect(&idx, D0, 1, runs, n));
	TEST_ASSERT_EQ(vdev_rec_ncalls(), idx, "no other call");
	TEST_ASSERT(rte_extmem_region_lookup("dma_rb") == r, "region alive");
	TEST_ASSERT_EQ(test_is_mapped(r, devs[0]), 1, "on " D0);
	TEST_ASSERT_EQ(test_is_mapped(r, devs[1]), 1, "on " D1);
	TEST_ASSERT_EQ(test_is_mapped(r, devs[2]), 1, "on " D2);

	vdev_rec_reset();
	idx = 0;
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy: %s",
		rte_strerror(rte_errno));
	TEST_RUN(test_rec_expect(&idx, D0, 0, runs, n));
	TEST_RUN(test_rec_expect(&idx, D1, 0, runs, n));
	TEST_RUN(test_rec_expect(&idx, D2, 0, runs, n));
	TEST_RUN(devs_remove(3));
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_rollback, test_dma_rollback, 0);
