/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Telemetry of what uses the regions, through the stock client: the DMA
 * mapping table on a pair of net_mrnic ports (a region mapped on both,
 * a NO_DMA region on none), the devices' dispatcher state and DMA faults
 * (a packet sent from the NO_DMA region), a slicer with
 * slices out and free callbacks pending (one slice made and freed on a
 * worker lcore, so that the per-lcore counters are summed and the slice
 * released is seen from another lcore), the event subscribers (the
 * library's dispatcher first, under a key made valid for telemetry, then
 * this test's with its callback address) and
 * the pools the library made; then the same after everything is undone.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "test.h"
#include "test_mrnic_util.h"
#include "test_telemetry_util.h"

#include "rte_extmem_devmap.h"
#include "rte_extmem_event.h"
#include "rte_extmem_mbuf.h"

#define KB64 65536

static int
tel_sub_cb(const struct rte_extmem_event *ev __rte_unused, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static void
tel_free_cb(void *addr __rte_unused, size_t len __rte_unused, void *arg)
{
	(*(unsigned int *)arg)++;
}

/* On a worker lcore: one slice made and freed (0), or -1. */
static int
tel_slice_remote(void *arg)
{
	struct rte_mbuf *m = rte_extmem_slice_alloc(arg, 2 * 4096, 1024);

	if (m == NULL)
		return -1;
	rte_pktmbuf_free(m);
	return 0;
}

static struct rte_extmem_region *
tel_region(const char *name, uint64_t flags)
{
	struct rte_extmem_region_params rp;

	rte_extmem_region_params_init(&rp);
	rp.name = name;
	rp.len = 4 * KB64;
	rp.flags = flags;
	return rte_extmem_region_create(&rp);
}

static int
check_users(const char *out, const struct mrnic_t_pair *p,
	unsigned int *events)
{
	char exp[512];

	snprintf(exp, sizeof(exp), "{\"/extmem/dma_map\": {\"tel_u_dma\": "
		"[\"%s\", \"%s\"], \"tel_u_nodma\": []}}", p->name[0],
		p->name[1]);
	TEST_TEL_EXPECT(out, exp);
	snprintf(exp, sizeof(exp), "{\"/extmem/dma_devices\": {\"%s\": "
		"\"active\", \"%s\": \"active\"}}", p->name[0], p->name[1]);
	TEST_TEL_EXPECT(out, exp);
	snprintf(exp, sizeof(exp), "{\"/extmem/dma_dev_info\": {\"name\": "
		"\"%s\", \"state\": \"active\", \"automatic\": 1, "
		"\"opted_out\": 0, \"n_ports\": 1, \"n_regions\": 1, ",
		p->name[0]);
	TEST_TEL_EXPECT(out, exp);
	/* one Tx fault on port a: a buffer in the NO_DMA region */
	TEST_TEL_EXPECT(out, "\"error\": \"\", \"dma_faults\": 1, "
		"\"regions\": [\"tel_u_dma\"]}}");
	TEST_TEL_EXPECT(out, "{\"/extmem/slicers\": [\"tel_u_slicer\"]}");
	snprintf(exp, sizeof(exp), "{\"/extmem/slicer_info\": {\"name\": "
		"\"tel_u_slicer\", \"region\": \"tel_u_dma\", \"pool\": ");
	TEST_TEL_EXPECT(out, exp);
	snprintf(exp, sizeof(exp), "\"free_cb\": \"0x%" PRIxPTR "\", "
		"\"slices\": 3, \"segments\": 3, \"freed\": 1, \"in_flight\": 2, "
		"\"callbacks_pending\": 2, \"fails\": 0",
		(uintptr_t)tel_free_cb);
	TEST_TEL_EXPECT(out, exp);
	/* the library's dispatcher first: its name "extmem.dma" has a
	 * character telemetry refuses in keys, so the key is extmem_dma
	 */
	TEST_TEL_EXPECT(out, "{\"/extmem/subscribers\": {\"extmem_dma\": "
		"{\"name\": \"extmem.dma\", ");
	snprintf(exp, sizeof(exp), "\"internal\": 1}, \"tel_u_sub\": {"
		"\"name\": \"tel_u_sub\", \"callback\": \"0x%" PRIxPTR "\", "
		"\"arg\": \"0x%" PRIxPTR "\", \"internal\": 0}}}",
		(uintptr_t)tel_sub_cb, (uintptr_t)events);
	TEST_TEL_EXPECT(out, exp);
	TEST_TEL_EXPECT(out, "{\"/extmem/pools\": [\"tel_u_extbuf\", "
		"\"tel_u_fault\", ");
	TEST_TEL_EXPECT(out, "{\"/extmem/pool_info\": {\"name\": "
		"\"tel_u_extbuf\", \"kind\": \"extbuf\", \"region\": "
		"\"tel_u_dma\", ");
	TEST_TEL_EXPECT(out, "\"size\": 32, ");
	snprintf(exp, sizeof(exp), "\"avail\": 31, \"in_use\": 1, "
		"\"data_room\": %u}}", RTE_MBUF_DEFAULT_BUF_SIZE);
	TEST_TEL_EXPECT(out, exp);
	/* bad and unknown parameters */
	TEST_TEL_EXPECT(out, "{\"/extmem/slicer_info\": null}");
	TEST_TEL_EXPECT(out, "{\"/extmem/pool_info\": null}");
	TEST_TEL_EXPECT(out, "{\"/extmem/dma_dev_info\": null}");
	TEST_TEL_EXPECT(out, "{\"/extmem/dma_map\": null}");
	return TEST_SUCCESS;
}

static int
test_telemetry_users(void)
{
	static const char cmds[] =
		"/extmem/dma_map\n"
		"/extmem/dma_devices\n"
		"/extmem/dma_dev_info,net_mrnic_telua\n"
		"/extmem/slicers\n"
		"/extmem/slicer_info,tel_u_slicer\n"
		"/extmem/subscribers\n"
		"/extmem/pools\n"
		"/extmem/pool_info,tel_u_extbuf\n"
		"/extmem/slicer_info,no_such_slicer\n"
		"/extmem/pool_info\n"
		"/extmem/dma_dev_info,no_such_device\n"
		"/extmem/dma_map,extra\n";
	struct rte_extmem_slicer_params sp;
	struct rte_extmem_region *dma, *nodma;
	struct rte_extmem_slicer *slicer;
	struct rte_mempool *rxmp, *xmp, *fmp;
	struct rte_mbuf *m[3], *xm, *fm;
	unsigned int events = 0, freed = 0, i;
	uint16_t sent;
	struct mrnic_t_pair p;
	char *out;
	int ret;

	ret = test_tel_available();
	if (ret != TEST_SUCCESS)
		return ret;
	rxmp = mrnic_t_pool("tel_u_rx", 512, RTE_MBUF_DEFAULT_BUF_SIZE);
	TEST_ASSERT_NOT_NULL(rxmp, "rx pool");
	TEST_ASSERT_EQ(mrnic_t_pair_create(&p, "telu", "extmem", 1, 64, rxmp,
		rxmp, false), TEST_SUCCESS, "mrnic pair");
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("tel_u_sub", 0, tel_sub_cb,
		&events), 0, "subscribe");
	dma = tel_region("tel_u_dma", 0);
	nodma = tel_region("tel_u_nodma", RTE_EXTMEM_REGION_F_NO_DEVMAP);
	TEST_ASSERT(dma != NULL && nodma != NULL, "regions: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(events, 2, "the subscriber heard both regions");

	rte_extmem_slicer_params_init(&sp);
	sp.name = "tel_u_slicer";
	sp.region = dma;
	sp.n_mbufs = 64;
	sp.free_cb = tel_free_cb;
	sp.free_cb_arg = &freed;
	slicer = rte_extmem_slicer_create(&sp);
	TEST_ASSERT_NOT_NULL(slicer, "slicer: %s", rte_strerror(rte_errno));
	for (i = 0; i < 2; i++) {
		m[i] = rte_extmem_slice_alloc(slicer, i * 4096, 1024);
		TEST_ASSERT_NOT_NULL(m[i], "slice %u", i);
	}
	/* the third made and freed on a worker when there is one */
	i = rte_get_next_lcore(-1, 1, 0);
	if (i < RTE_MAX_LCORE) {
		TEST_ASSERT_EQ(rte_eal_remote_launch(tel_slice_remote, slicer,
			i), 0, "launch on lcore %u", i);
		TEST_ASSERT_EQ(rte_eal_wait_lcore(i), 0, "slice on lcore %u", i);
	} else {
		TEST_ASSERT_EQ(tel_slice_remote(slicer), 0, "third slice");
	}
	TEST_ASSERT_EQ(freed, 1, "one free callback ran");

	xmp = rte_extmem_pktmbuf_pool_create_extbuf("tel_u_extbuf", 32, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY, &dma, 1);
	TEST_ASSERT_NOT_NULL(xmp, "extbuf pool: %s", rte_strerror(rte_errno));
	xm = rte_pktmbuf_alloc(xmp);
	TEST_ASSERT_NOT_NULL(xm, "extbuf mbuf");

	/* a packet from memory the device was not given: one DMA fault */
	fmp = rte_extmem_pktmbuf_pool_create_extbuf("tel_u_fault", 8, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY, &nodma, 1);
	TEST_ASSERT_NOT_NULL(fmp, "fault pool: %s", rte_strerror(rte_errno));
	fm = rte_pktmbuf_alloc(fmp);
	TEST_ASSERT_NOT_NULL(fm, "fault mbuf");
	TEST_ASSERT_NOT_NULL(rte_pktmbuf_append(fm, 64), "append");
	sent = rte_eth_tx_burst(p.port[0], 0, &fm, 1);
	if (sent == 0)
		rte_pktmbuf_free(fm);
	mrnic_t_drain(p.port[1], p.nq);

	out = test_tel_run(cmds);
	TEST_ASSERT_NOT_NULL(out, "client output");
	printf("%s", out);
	ret = check_users(out, &p, &events);
	free(out);

	rte_pktmbuf_free(xm);
	rte_mempool_free(xmp);
	rte_mempool_free(fmp);
	rte_pktmbuf_free(m[0]);
	rte_pktmbuf_free(m[1]);
	TEST_ASSERT_EQ(rte_extmem_slicer_free(slicer), 0, "slicer free");
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("tel_u_sub"), 0, "unsub");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(nodma), 0, "nodma");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(dma), 0, "dma");
	mrnic_t_pair_destroy(&p);
	rte_mempool_free(rxmp);
	TEST_RUN(ret);

	/* everything undone: empty lists */
	out = test_tel_run("/extmem/dma_map\n/extmem/slicers\n/extmem/pools\n"
		"/extmem/slicer_info,tel_u_slicer\n");
	TEST_ASSERT_NOT_NULL(out, "client output");
	ret = strstr(out, "{\"/extmem/dma_map\": {}}") != NULL &&
		strstr(out, "{\"/extmem/slicers\": []}") != NULL &&
		strstr(out, "{\"/extmem/pools\": []}") != NULL &&
		strstr(out, "{\"/extmem/slicer_info\": null}") != NULL ?
		TEST_SUCCESS : TEST_FAILED;
	if (ret != TEST_SUCCESS)
		printf("    FAIL: empty lists expected, got:\n%s", out);
	free(out);
	return ret;
}

REGISTER_EXTMEM_TEST(telemetry_users, test_telemetry_users, 0);
