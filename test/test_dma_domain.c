/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Device mapping per IOMMU domain, with net_mrnic ports in a shared domain
 * (devarg domain=: one MR table for all of them, VFIO-container rules)
 * next to a port in its own: a region is mapped once per domain, the
 * domain keeps it while one of its ports needs it, a region that does not
 * fit a domain's entry limit is refused with nothing mapped, and heap
 * memory in a domain where "EAL maps heap memory" is left to EAL.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <rte_extmem.h>
#include <rte_extmem_devmap.h>
#include <rte_extmem_heap.h>
#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_region_util.h"
#include "test_dma_util.h"
#include "test_heap_util.h"
#include "test_mrnic_util.h"

#define DROOM 2048
#define NPKT 16
#define REG_PAGES 160

static int
port_probe(const char *name, const char *args, uint16_t *port)
{
	TEST_ASSERT_EQ(rte_vdev_init(name, args), 0, "probe %s,%s", name,
		args);
	TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name(name, port), 0,
		"port of %s", name);
	return TEST_SUCCESS;
}

/* One queue pair, Rx buffers from mp, started. */
static int
port_start(uint16_t port, struct rte_mempool *mp)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	TEST_ASSERT_EQ(rte_eth_dev_configure(port, 1, 1, &conf), 0,
		"configure port %u", port);
	TEST_ASSERT_EQ(rte_eth_rx_queue_setup(port, 0, 256, SOCKET_ID_ANY,
		NULL, mp), 0, "rxq of port %u", port);
	TEST_ASSERT_EQ(rte_eth_tx_queue_setup(port, 0, 256, SOCKET_ID_ANY,
		NULL), 0, "txq of port %u", port);
	TEST_ASSERT_EQ(rte_eth_dev_start(port), 0, "start port %u", port);
	return TEST_SUCCESS;
}

static int
domain_info(const char *name, struct rte_extmem_devmap_domain_info *di)
{
	TEST_ASSERT_EQ(rte_extmem_devmap_domain_info_get(name, di), 0,
		"domain %s: %s", name, rte_strerror(rte_errno));
	return TEST_SUCCESS;
}

/* A field of a domain's info and the value it must have. */
struct domain_want {
	const char *field;
	size_t off;
	size_t size;
	uint64_t v;
};

#define DW(f, val) { #f, \
	offsetof(struct rte_extmem_devmap_domain_info, f), \
	sizeof(((struct rte_extmem_devmap_domain_info *)0)->f), (val) }

/* Fail unless every field of want[n] has its value in the domain's info. */
static int
domain_check_fields(const char *name, const struct domain_want *want,
	unsigned int n)
{
	struct rte_extmem_devmap_domain_info di;
	const unsigned char *p;
	unsigned int i;
	uint32_t v32;
	uint64_t v;

	TEST_RUN(domain_info(name, &di));
	for (i = 0; i < n; i++) {
		p = (const unsigned char *)&di + want[i].off;
		if (want[i].size == sizeof(v32)) {
			memcpy(&v32, p, sizeof(v32));
			v = v32;
		} else {
			memcpy(&v, p, sizeof(v));
		}
		TEST_ASSERT_EQ(v, want[i].v, "domain %s: %s", name,
			want[i].field);
	}
	return TEST_SUCCESS;
}

/* domain_check(name, DW(field, value), ...) */
#define domain_check(name, ...) domain_check_fields(name, \
	(const struct domain_want[]){ __VA_ARGS__ }, \
	RTE_DIM(((const struct domain_want[]){ __VA_ARGS__ })))

#define A0 "net_mrnic_domA0"
#define A1 "net_mrnic_domA1"
#define A2 "net_mrnic_domA2"
#define OWN "net_mrnic_domO"

static int
test_dma_domain_shared(void)
{
	struct rte_extmem_devmap_domain_info da;
	struct rte_extmem_devmap_mapping_info mi;
	struct rte_extmem_devmap_dev_info dv;
	struct rte_mempool *mp;
	struct test_ureg u;
	uint16_t a0, a1, a2, o;
	unsigned int runs;

	TEST_RUN(port_probe(A0, "domain=domA,peer=" A1, &a0));
	TEST_RUN(port_probe(A1, "domain=domA,peer=" A0, &a1));
	TEST_RUN(port_probe(OWN, "peer=self", &o));
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "probing");
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(A1, &dv), 0, "dev info");
	TEST_ASSERT(strcmp(dv.domain, "domA") == 0, "domain of " A1 ": %s",
		dv.domain);
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(OWN, &dv), 0, "dev info");
	TEST_ASSERT(strcmp(dv.domain, OWN) == 0, "own domain: %s", dv.domain);

	/* a region: mapped once in domA, once on the port of its own */
	TEST_ASSERT_NOT_NULL(test_ureg_create(&u, "dom_shared", REG_PAGES,
		NULL, 0), "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_devmap_mapping_info_get(u.r,
		rte_dev_name(mrnic_t_port_dev(a0)), &mi), 0, "mapping info");
	runs = mi.n_chunks;
	/* one map per run in domA, not one per port; mrnic's default
	 * limit (EAL's); the port of its own has no known limit
	 */
	TEST_RUN(domain_check("domA",
		DW(flags, RTE_EXTMEM_DEVMAP_DOMAIN_F_SHARED), DW(n_devs, 2),
		DW(map_calls, runs), DW(n_entries, runs), DW(max_entries, 256),
		DW(entries_left, 256 - runs), DW(n_regions, 1)));
	TEST_RUN(domain_check(OWN, DW(map_calls, runs),
		DW(entries_left, UINT_MAX)));
	TEST_ASSERT_EQ(test_is_mapped(u.r, mrnic_t_port_dev(a1)), 1,
		"recorded for " A1);
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(a1, u.buf, u.len), 1,
		"in domA's table");
	TEST_LOG("%u runs; domA: as many map calls for 2 ports", runs);

	/* traffic from and into the region */
	mp = mrnic_t_pool_on("dom_shared_mp", 200, DROOM, u.buf, u.len,
		TEST_PG);
	TEST_ASSERT_NOT_NULL(mp, "pool on the region");
	TEST_RUN(port_start(a0, mp));
	TEST_RUN(port_start(a1, mp));
	TEST_RUN(port_start(o, mp));
	TEST_RUN(mrnic_t_roundtrip(mp, a0, 0, a1, 0, NPKT, 1000, 1, 1));
	TEST_RUN(mrnic_t_roundtrip(mp, a1, 0, a0, 0, NPKT, 1000, 2, 2));
	TEST_RUN(mrnic_t_roundtrip(mp, o, 0, o, 0, NPKT, 1000, 1, 3));

	/* a third port joins domA: nothing new mapped, traffic at once
	 * (no call of the library in between)
	 */
	TEST_RUN(port_probe(A2, "domain=domA,peer=self", &a2));
	TEST_RUN(port_start(a2, mp));
	TEST_RUN(mrnic_t_roundtrip(mp, a2, 0, a2, 0, NPKT, 1000, 1, 4));
	TEST_RUN(domain_check("domA", DW(n_devs, 3), DW(map_calls, runs)));
	TEST_ASSERT_EQ(test_is_mapped(u.r, mrnic_t_port_dev(a2)), 1,
		"recorded for " A2);

	/* one port of domA goes: the others keep the mapping */
	TEST_ASSERT_EQ(rte_vdev_uninit(A0), 0, "remove " A0);
	TEST_RUN(domain_check("domA", DW(n_devs, 2), DW(unmap_calls, 0),
		DW(n_entries, runs)));
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(a1, u.buf, u.len), 1,
		"still in domA's table");
	/* A1 lost its peer and loops back */
	TEST_RUN(mrnic_t_roundtrip(mp, a1, 0, a1, 0, NPKT, 1000, 1, 5));
	TEST_RUN(mrnic_t_roundtrip(mp, a2, 0, a2, 0, NPKT, 1000, 3, 6));
	TEST_RUN(mrnic_t_roundtrip(mp, o, 0, o, 0, NPKT, 1000, 1, 7));

	/* the region goes: unmapped once per domain */
	mrnic_t_drain(a1, 1);
	mrnic_t_drain(a2, 1);
	mrnic_t_drain(o, 1);
	TEST_ASSERT_EQ(rte_eth_dev_stop(a1), 0, "stop");
	TEST_ASSERT_EQ(rte_eth_dev_stop(a2), 0, "stop");
	TEST_ASSERT_EQ(rte_eth_dev_stop(o), 0, "stop");
	rte_mempool_free(mp);
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy");
	TEST_RUN(domain_check("domA", DW(unmap_calls, runs), DW(n_entries, 0),
		DW(n_regions, 0)));
	TEST_RUN(domain_check(OWN, DW(unmap_calls, runs)));

	TEST_ASSERT_EQ(rte_vdev_uninit(A1), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit(A2), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit(OWN), 0, "remove");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_domain_info_get("domA", &da),
		ENOENT, "domA is gone with its ports");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_domain_shared, test_dma_domain_shared, 0);

#define L0 "net_mrnic_domL0"
#define L1 "net_mrnic_domL1"
#define LOWN "net_mrnic_domLO"
#define LIMIT 4

/* IOVAs of n pages in runs of run_pages pages each. */
static void
iovas_in_runs(rte_iova_t *iovas, unsigned int n, unsigned int run_pages,
	rte_iova_t base)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		iovas[i] = base + (rte_iova_t)(i / run_pages) * 16 * TEST_PG +
			(rte_iova_t)(i % run_pages) * TEST_PG;
}

static int
test_dma_domain_limit(void)
{
	rte_iova_t iovas[8];
	struct test_ureg u, v, w;
	unsigned int n_regions;
	uint16_t l0, l1, o;

	TEST_RUN(port_probe(L0, "domain=domL,domain_entries=4,peer=self",
		&l0));
	TEST_RUN(port_probe(L1, "domain=domL,domain_entries=4,peer=self",
		&l1));
	TEST_RUN(port_probe(LOWN, "peer=self", &o));
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "probing");
	/* a port cannot join with another limit */
	TEST_ASSERT_NE(rte_vdev_init("net_mrnic_domLx",
		"domain=domL,domain_entries=5"), 0, "other limit refused");

	/* 8 runs: more than the domain holds; nothing mapped anywhere */
	n_regions = test_region_count();
	iovas_in_runs(iovas, 8, 1, 0x40000000);
	TEST_ASSERT_ERRNO(test_ureg_create(&u, "dom_limit_8", 8, iovas, 0) ==
		NULL, ENOSPC, "8 runs in a domain of %u entries", LIMIT);
	TEST_ASSERT_EQ(test_region_count(), n_regions, "no region");
	TEST_RUN(domain_check("domL", DW(map_calls, 0), DW(n_entries, 0)));
	TEST_RUN(domain_check(LOWN, DW(map_calls, 0)));

	/* 4 runs fit exactly */
	iovas_in_runs(iovas, 8, 2, 0x50000000);
	TEST_ASSERT_NOT_NULL(test_ureg_create(&v, "dom_limit_4", 8, iovas, 0),
		"4 runs: %s", rte_strerror(rte_errno));
	/* mapped once for 2 ports */
	TEST_RUN(domain_check("domL", DW(n_entries, LIMIT),
		DW(entries_left, 0), DW(map_calls, LIMIT)));
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(l1, v.buf, v.len), 1,
		"mapped in domL");

	/* and then not one more */
	iovas_in_runs(iovas, 1, 1, 0x60000000);
	TEST_ASSERT_ERRNO(test_ureg_create(&w, "dom_limit_1", 1, iovas, 0) ==
		NULL, ENOSPC, "a full domain");
	TEST_RUN(domain_check("domL", DW(map_calls, LIMIT)));
	TEST_RUN(domain_check(LOWN, DW(map_calls, LIMIT)));

	TEST_ASSERT_EQ(test_ureg_destroy(&v), 0, "destroy");
	TEST_RUN(domain_check("domL", DW(n_entries, 0),
		DW(unmap_calls, LIMIT)));
	TEST_ASSERT_EQ(rte_vdev_uninit(L0), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit(L1), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit(LOWN), 0, "remove");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_domain_limit, test_dma_domain_limit, 0);

#define H0 "net_mrnic_domH0"
#define HX "net_mrnic_domHX"
#define HOWN "net_mrnic_domHO"

static int
test_dma_domain_eal_heap(void)
{
	struct rte_extmem_devmap_domain_info dob;
	struct rte_extmem_region_info ri;
	struct rte_extmem_region *hr;
	struct rte_mempool *mp;
	struct test_heap th;
	uint16_t h0, hx, o;
	int ret;

	TEST_RUN(port_probe(H0, "domain=domH,domain_heap=eal,peer=self", &h0));
	TEST_RUN(port_probe(HX, "mr=extmem,domain=domHX,domain_heap=eal,"
		"peer=self", &hx));
	TEST_RUN(port_probe(HOWN, "peer=self", &o));
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "probing");
	TEST_RUN(domain_check("domH", DW(flags,
		RTE_EXTMEM_DEVMAP_DOMAIN_F_SHARED |
		RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP)));

	ret = test_heap_make(&th, "dom_eal_heap", RTE_EXTMEM_BACKING_ANON,
		4 << 20, 0, 0);
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(th.h, &hr, 1), 1,
		"the heap's region");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(hr, &ri), 0, "info");
	/* EAL maps heap memory in domH: no region of ours there */
	TEST_RUN(domain_check("domH", DW(map_calls, 0), DW(n_regions, 0)));
	TEST_ASSERT_EQ(test_is_mapped(hr, mrnic_t_port_dev(h0)), 0,
		"not recorded for " H0);
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(h0, ri.addr, ri.len), 0,
		"not in domH's table through dma_map");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_map(hr, rte_dev_name(mrnic_t_port_dev(h0))),
		EEXIST, "explicit map of EAL-mapped heap memory");
	TEST_RUN(domain_info(HOWN, &dob));
	TEST_ASSERT_GT(dob.map_calls, 0, "a device's own domain gets it");

	/* the device reaches heap memory all the same (as VFIO does through
	 * EAL's own mapping), in both translation modes
	 */
	mp = rte_pktmbuf_pool_create("dom_eal_heap_mp", 128, 0, 0,
		RTE_PKTMBUF_HEADROOM + DROOM, th.socket);
	TEST_ASSERT_NOT_NULL(mp, "pool on the heap: %s",
		rte_strerror(rte_errno));
	TEST_RUN(port_start(h0, mp));
	TEST_RUN(port_start(hx, mp));
	TEST_RUN(mrnic_t_roundtrip(mp, h0, 0, h0, 0, NPKT, 1000, 1, 1));
	TEST_RUN(mrnic_t_roundtrip(mp, hx, 0, hx, 0, NPKT, 1000, 2, 2));
	TEST_RUN(domain_check("domHX", DW(map_calls, 0)));
	mrnic_t_drain(h0, 1);
	mrnic_t_drain(hx, 1);
	TEST_ASSERT_EQ(rte_eth_dev_stop(h0), 0, "stop");
	TEST_ASSERT_EQ(rte_eth_dev_stop(hx), 0, "stop");
	rte_mempool_free(mp);

	TEST_RUN(test_heap_free(&th));
	TEST_RUN(domain_check("domH", DW(unmap_calls, 0)));
	TEST_RUN(domain_info(HOWN, &dob));
	TEST_ASSERT_EQ(dob.unmap_calls, dob.map_calls, "own domain unmapped");
	TEST_ASSERT_EQ(rte_vdev_uninit(H0), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit(HX), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit(HOWN), 0, "remove");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_domain_eal_heap, test_dma_domain_eal_heap, 0);

#define HP_ITER 64

/*
 * Issue 11 item 7: a port probed after regions exist, configured, started
 * and sending at once (no call of the library in between) must find its
 * mappings made: not one packet of any iteration faults. The vdev bus
 * binds the driver only after the probe, so the dispatcher cannot map from
 * RTE_ETH_EVENT_NEW; mrnic has it finish before configure/start.
 */
static int
test_dma_hotplug_traffic(void)
{
	struct rte_eth_stats st;
	struct rte_mempool *mp;
	struct test_ureg u;
	unsigned int i, failed = 0;
	uint64_t lost = 0;
	char name[32];
	uint16_t port;

	TEST_ASSERT_NOT_NULL(test_ureg_create(&u, "dom_hotplug", REG_PAGES,
		NULL, 0), "region: %s", rte_strerror(rte_errno));
	mp = mrnic_t_pool_on("dom_hotplug_mp", 200, DROOM, u.buf, u.len,
		TEST_PG);
	TEST_ASSERT_NOT_NULL(mp, "pool on the region");
	for (i = 0; i < HP_ITER; i++) {
		snprintf(name, sizeof(name), "net_mrnic_hp%u", i % 2);
		TEST_RUN(port_probe(name, "peer=self", &port));
		TEST_RUN(port_start(port, mp));
		if (mrnic_t_roundtrip(mp, port, 0, port, 0, NPKT, 1000, 1, i) !=
				TEST_SUCCESS)
			failed++;
		TEST_ASSERT_EQ(rte_eth_stats_get(port, &st), 0, "stats");
		lost += st.oerrors + st.ierrors;
		mrnic_t_drain(port, 1);
		TEST_ASSERT_EQ(rte_vdev_uninit(name), 0, "remove %s", name);
	}
	TEST_LOG("%u iterations of %u packets: %u failed, %" PRIu64
		" packets lost", HP_ITER, NPKT, failed, lost);
	TEST_ASSERT_EQ(failed, 0, "iterations that lost packets");
	TEST_ASSERT_EQ(lost, 0, "packets lost to DMA faults");
	rte_mempool_free(mp);
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_hotplug_traffic, test_dma_hotplug_traffic, 0);

#define F0 "net_mrnic_domF0"
#define F1 "net_mrnic_domF1"

/*
 * Ports that exist before the library's first use (probed by rte_eal_init()
 * in most applications), and a first region that does not fit their
 * domain: the region is refused with ENOSPC, the devices stay usable and
 * take the next region that fits. The dispatcher starts with that first
 * region; it must not replay it to the ports as an existing one.
 */
static int
test_dma_domain_first_use(void)
{
	struct rte_extmem_devmap_dev_info dv;
	rte_iova_t iovas[8];
	struct test_ureg u;
	uint16_t f0, f1;

	TEST_RUN(port_probe(F0, "domain=domF,domain_entries=4,peer=self",
		&f0));
	TEST_RUN(port_probe(F1, "domain=domF,domain_entries=4,peer=self",
		&f1));
	/* the first call of the library */
	iovas_in_runs(iovas, 8, 1, 0x40000000);
	TEST_ASSERT_ERRNO(test_ureg_create(&u, "dom_first_8", 8, iovas, 0) ==
		NULL, ENOSPC, "8 runs in a domain of %u entries", LIMIT);
	TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(F0, &dv), 0, "info");
	TEST_ASSERT_EQ(dv.state, RTE_EXTMEM_DEVMAP_DEV_ACTIVE, "state of " F0
		" (error %d)", dv.error);
	TEST_RUN(domain_check("domF", DW(map_calls, 0)));

	iovas_in_runs(iovas, 8, 2, 0x50000000);
	TEST_ASSERT_NOT_NULL(test_ureg_create(&u, "dom_first_4", 8, iovas, 0),
		"4 runs: %s", rte_strerror(rte_errno));
	TEST_RUN(domain_check("domF", DW(map_calls, LIMIT)));
	TEST_ASSERT_EQ(rte_pmd_mrnic_dma_mapped(f1, u.buf, u.len), 1,
		"mapped in domF");
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy");
	TEST_ASSERT_EQ(rte_vdev_uninit(F0), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit(F1), 0, "remove");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_domain_first_use, test_dma_domain_first_use, 0);
