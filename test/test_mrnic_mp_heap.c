/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * mrnic_mp_heap_*: a secondary's Rx and Tx over pools on a shared
 * external heap (see test_mrnic_mp.c for the others).
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include <rte_extmem.h>
#include <rte_extmem_devmap.h>
#include <rte_extmem_heap.h>

#include "test.h"
#include "test_mrnic_mp_primary.h"
#include "test_mrnic_util.h"

#define MP_HEAP "mrnic_mp_heap"

struct mp_heap {
	struct rte_extmem_heap *heap;
	struct rte_mempool *rx[2];	/* queue 1 of port a, of port b */
	struct rte_mempool *tx;		/* Tx of both processes */
};

static void
mp_heap_fini(struct mp_heap *h)
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		rte_mempool_free(h->rx[i]);
	rte_mempool_free(h->tx);
	if (h->heap != NULL && rte_extmem_heap_destroy(h->heap) != 0)
		TEST_LOG("heap destroy: %s", rte_strerror(rte_errno));
	memset(h, 0, sizeof(*h));
}

/* A heap on shared memory (a memfd, 4K pages) and pools on it. */
static int
mp_heap_init(struct mp_heap *h)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_heap_params hp;
	const char *names[2] = { "mrnic_mp_hrx0", "mrnic_mp_hrx1" };
	unsigned int i;
	int socket;

	memset(h, 0, sizeof(*h));
	rte_extmem_region_params_init(&rp);
	rp.backing = RTE_EXTMEM_BACKING_SHARED;
	rp.len = 24u << 20;
	rte_extmem_heap_params_init(&hp);
	hp.name = MP_HEAP;
	hp.region = &rp;
	h->heap = rte_extmem_heap_create(&hp);
	TEST_ASSERT_NOT_NULL(h->heap, "heap: %s", rte_strerror(rte_errno));
	socket = rte_malloc_heap_get_socket(MP_HEAP);
	TEST_ASSERT(socket >= 0, "heap socket");
	for (i = 0; i < 2; i++) {
		h->rx[i] = rte_pktmbuf_pool_create(names[i], 1023, 0, 0,
			2048 + RTE_PKTMBUF_HEADROOM, socket);
		TEST_ASSERT_NOT_NULL(h->rx[i], "pool %s: %s", names[i],
			rte_strerror(rte_errno));
	}
	h->tx = rte_pktmbuf_pool_create("mrnic_mp_htx", 1023, 0, 0,
		2048 + RTE_PKTMBUF_HEADROOM, socket);
	TEST_ASSERT_NOT_NULL(h->tx, "pool: %s", rte_strerror(rte_errno));
	return TEST_SUCCESS;
}

/* Queue 1 of both ports receives into the heap's pools. */
static int
mp_heap_queues(struct mrnic_mp_ctx *c, struct mp_heap *h)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		uint16_t port = c->pair.port[i];

		TEST_ASSERT_EQ(rte_eth_dev_stop(port), 0, "stop");
		TEST_ASSERT_EQ(rte_eth_rx_queue_setup(port, 1, MP_NDESC,
			SOCKET_ID_ANY, NULL, h->rx[i]), 0, "Rx queue 1");
	}
	for (i = 0; i < 2; i++)
		TEST_ASSERT_EQ(rte_eth_dev_start(c->pair.port[i]), 0, "start");
	return TEST_SUCCESS;
}

/* The dispatcher's view of the pair's devices. */
static int
mp_devmap(const struct mrnic_mp_ctx *c,
	struct rte_extmem_devmap_dev_info info[2])
{
	unsigned int i;

	for (i = 0; i < 2; i++)
		TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get(c->pair.name[i],
			&info[i]), 0, "devmap info of %s", c->pair.name[i]);
	return TEST_SUCCESS;
}

/*
 * Packets on external memory, both ways: the secondary transmits mbufs
 * of a pool on a shared heap (its Tx queue translates their buffers to
 * the primary's IOVAs) into the primary's Rx buffers on that heap, then
 * receives into buffers on the heap what the primary sends from it.
 * Bytes checked on both sides, no DMA fault, every count exact, the
 * devices' mappings (the primary's) untouched.
 */
static int
test_mrnic_mp_heap(const char *mode)
{
	struct rte_extmem_devmap_dev_info dm0[2], dm1[2];
	uint64_t dma0[2], fault0[2];
	struct mp_heap h;
	struct mrnic_mp_ctx c;
	char cmds[256];
	unsigned int i;
	uint16_t a, b;
	int ret;

	TEST_RUN(mrnic_mp_skip());
	ret = mp_heap_init(&h);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_init(&c, mode);
	else
		memset(&c, 0, sizeof(c));
	if (ret == TEST_SUCCESS)
		ret = mp_heap_queues(&c, &h);
	if (ret != TEST_SUCCESS)
		goto out;
	a = c.pair.port[0];
	b = c.pair.port[1];
	ret = mp_devmap(&c, dm0);
	if (ret != TEST_SUCCESS)
		goto out;
	for (i = 0; i < 2; i++) {
		if (dm0[i].n_regions == 0 || dm0[i].error != 0) {
			TEST_LOG("%s: %u regions mapped, error %d",
				c.pair.name[i], dm0[i].n_regions, dm0[i].error);
			ret = TEST_FAILED;
			goto out;
		}
		dma0[i] = mrnic_t_xstat(c.pair.port[i], "rx_dma_packets");
		fault0[i] = mrnic_t_xstat_rxtx(c.pair.port[i],
			"dma_fault_errors");
	}
	snprintf(cmds, sizeof(cmds), "tx %u 1 %u %u 300 mrnic_mp_htx;wait;"
		"rx %u 1 %u %u 400;report %u;report %u", a, MP_N, MP_LEN, a,
		MP_N, MP_LEN, a, b);
	ret = mrnic_mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_read_until(&c, "waiting", NULL, 0);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_receive(b, 1, MP_N, 300);
	if (ret == TEST_SUCCESS && write(c.fd, "go\n", 3) != 3)
		ret = TEST_FAILED;
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_send(&c, h.tx, b, 1, MP_N, 400);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_join_views(&c);
	if (ret == TEST_SUCCESS && c.nxlate != 8) {
		TEST_LOG("%u translations checked", c.nxlate);
		ret = TEST_FAILED;
	}
	for (i = 0; i < 2 && ret == TEST_SUCCESS; i++) {
		uint16_t port = c.pair.port[i];

		if (mrnic_t_xstat(port, "rx_dma_packets") - dma0[i] != MP_N ||
				mrnic_t_xstat_rxtx(port, "dma_fault_errors") !=
					fault0[i]) {
			TEST_LOG("port %u: rx_dma_packets +%" PRIu64 ", faults "
				"+%" PRIu64, port,
				mrnic_t_xstat(port, "rx_dma_packets") - dma0[i],
				mrnic_t_xstat_rxtx(port, "dma_fault_errors") -
					fault0[i]);
			ret = TEST_FAILED;
		}
		/* mr=extmem: every buffer found through librte_extmem's
		 * table of the process and the region set of the device (by
		 * the region's address, the same in both processes), never
		 * through a lookup of the device's global table
		 */
		/* the secondary mapped nothing on the devices */
		if (ret == TEST_SUCCESS && (mp_devmap(&c, dm1) != TEST_SUCCESS ||
				dm1[i].n_regions != dm0[i].n_regions ||
				dm1[i].n_chunks != dm0[i].n_chunks ||
				dm1[i].map_calls != dm0[i].map_calls ||
				dm1[i].unmap_calls != dm0[i].unmap_calls ||
				dm1[i].error != 0)) {
			TEST_LOG("%s: the dispatcher's mappings changed",
				c.pair.name[i]);
			ret = TEST_FAILED;
		}
		if (ret == TEST_SUCCESS && strcmp(mode, "extmem") == 0 &&
				mrnic_t_xstat_rxtx(port, "mr_cache_misses") != 0) {
			TEST_LOG("port %u: %" PRIu64 " MR cache misses", port,
				mrnic_t_xstat_rxtx(port, "mr_cache_misses"));
			ret = TEST_FAILED;
		}
	}
out:
	mrnic_mp_fini(&c);
	mp_heap_fini(&h);
	return ret;
}

REGISTER_EXTMEM_TEST_ARG(mrnic_mp_heap_cache, test_mrnic_mp_heap, "cache",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_heap_extmem, test_mrnic_mp_heap, "extmem",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
