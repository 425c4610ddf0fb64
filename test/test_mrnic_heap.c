/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * External memory added to a named EAL heap (the way upstream testpmd's
 * --mp-alloc=xmem does) is registered on a lookup miss like EAL's own
 * memory, with the IOVA of every page taken from the heap's memsegs even
 * when the pages are not IOVA-contiguous, and dropped when the memory
 * leaves the heap (FREE event).
 */

#include <string.h>
#include <errno.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_bus_vdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_mrnic_util.h"
#include "test_region_util.h"
#include "test_va_util.h"

#define PG 4096UL
#define NPG 64

static void
noop_free_cb(void *addr __rte_unused, void *opaque __rte_unused)
{
}

/* A packet whose data is in the heap crosses the link intact. */
static int
heap_send(struct rte_mempool *mp, uint16_t port, uint8_t *data)
{
	struct rte_mbuf_ext_shared_info shinfo;
	struct rte_mbuf *m, *r = NULL;
	unsigned int tries;

	memset(&shinfo, 0, sizeof(shinfo));
	shinfo.free_cb = noop_free_cb;
	rte_mbuf_ext_refcnt_set(&shinfo, 2);
	/* 3000 bytes over a page boundary with non-contiguous IOVAs */
	mrnic_t_pattern(data, 3000, 31);
	m = rte_pktmbuf_alloc(mp);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	rte_pktmbuf_attach_extbuf(m, data, RTE_BAD_IOVA, 3000, &shinfo);
	m->data_off = 0;
	m->data_len = 3000;
	m->pkt_len = 3000;
	TEST_ASSERT_EQ(rte_eth_tx_burst(port, 0, &m, 1), 1, "Tx");
	for (tries = 0; tries < 10 && r == NULL; tries++)
		if (rte_eth_rx_burst(port, 0, &r, 1) == 0)
			r = NULL;
	TEST_ASSERT_NOT_NULL(r, "received");
	TEST_RUN(mrnic_t_pkt_check(r, 3000, 31));
	rte_pktmbuf_free(r);
	TEST_ASSERT_EQ(rte_mbuf_ext_refcnt_read(&shinfo), 1, "completed");
	return TEST_SUCCESS;
}

static int
heap(const char *mode)
{
	rte_iova_t iovas[NPG], iova;
	struct rte_eth_conf conf;
	struct rte_mempool *mp;
	char name[64], args[64], hname[32];
	bool events = test_eal_mem_events() == 1;
	uint64_t reg, ent;
	unsigned int i, off;
	uint8_t *mem, *elem;
	uint16_t port;
	int socket;

	snprintf(hname, sizeof(hname), "mrnic_heap_%s", mode);
	/* the page after the heap's memory stays reserved: nobody's memory
	 * (EAL's least of all) may be there when a buffer runs past the end
	 */
	mem = test_va_map_guarded(NPG * PG, PG);
	TEST_ASSERT_NOT_NULL(mem, "mmap: %s", strerror(errno));
	/* IOVAs in reverse order with holes: no two pages contiguous */
	for (i = 0; i < NPG; i++)
		iovas[i] = 0x40000000ULL + (uint64_t)(NPG - 1 - i) * 2 * PG;
	TEST_ASSERT_EQ(rte_malloc_heap_create(hname), 0, "heap: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_malloc_heap_memory_add(hname, mem, NPG * PG, iovas,
		NPG, PG), 0, "memory add: %s", rte_strerror(rte_errno));
	socket = rte_malloc_heap_get_socket(hname);
	TEST_ASSERT(socket >= 0, "heap socket");

	mp = mrnic_t_pool("mrnic_heap_mp", 256, 4096);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	snprintf(name, sizeof(name), "net_mrnic_heap%s", mode);
	snprintf(args, sizeof(args), "mr=%s,peer=self", mode);
	TEST_ASSERT_EQ(rte_vdev_init(name, args), 0, "probe");
	TEST_RUN(mrnic_t_port(name, &port));
	memset(&conf, 0, sizeof(conf));
	TEST_ASSERT_EQ(rte_eth_dev_configure(port, 1, 1, &conf), 0, "conf");
	TEST_ASSERT_EQ(rte_eth_rx_queue_setup(port, 0, 64, SOCKET_ID_ANY, NULL,
		mp), 0, "rxq");
	TEST_ASSERT_EQ(rte_eth_tx_queue_setup(port, 0, 64, SOCKET_ID_ANY,
		NULL), 0, "txq");
	TEST_ASSERT_EQ(rte_eth_dev_start(port), 0, "start");

	reg = mrnic_t_xstat(port, "mr_miss_registrations");
	for (i = 0; i < NPG; i++) {
		static const unsigned int offs[] = { 0, 100, 4000 };

		for (off = 0; off < RTE_DIM(offs); off++) {
			/* 200 bytes cross into the next page, but not past
			 * the end of the heap's memory
			 */
			size_t len = i == NPG - 1 && offs[off] == 4000 ? 96 :
				200;

			TEST_ASSERT_EQ(rte_pmd_mrnic_translate(port,
				mem + i * PG + offs[off], len, &iova), 0,
				"heap page %u", i);
			TEST_ASSERT_EQ(iova, iovas[i] + offs[off],
				"IOVA of page %u + %u", i, offs[off]);
		}
	}
	TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(port, mem + NPG * PG - 100,
		200, &iova) < 0, EFAULT, "a buffer running past the memory");
	TEST_LOG("%s: %" PRIu64 " registration(s) for %u pages without "
		"contiguous IOVAs (memory events: %s)", mode,
		mrnic_t_xstat(port, "mr_miss_registrations") - reg, NPG,
		events ? "yes" : "no");
	if (events)
		TEST_ASSERT_EQ(mrnic_t_xstat(port, "mr_miss_registrations"),
			reg + 1, "the heap chunk is one per-page MR");
	else
		TEST_ASSERT_EQ(mrnic_t_xstat(port, "mr_miss_registrations"),
			reg + NPG, "without events: one MR per IOVA run");

	elem = rte_malloc_socket("mrnic_heap_buf", 16 * PG, PG, socket);
	TEST_ASSERT_NOT_NULL(elem, "allocation from the heap");
	TEST_RUN(heap_send(mp, port, elem + PG - 1000));
	TEST_ASSERT_EQ(mrnic_t_xstat_rxtx(port, "dma_fault_errors"), 0,
		"no fault");
	rte_free(elem);

	ent = mrnic_t_xstat(port, "mr_entries");
	TEST_ASSERT_EQ(rte_malloc_heap_memory_remove(hname, mem, NPG * PG), 0,
		"memory remove: %s", rte_strerror(rte_errno));
	if (events) {
		TEST_ASSERT_EQ(mrnic_t_xstat(port, "mr_entries"), ent - 1,
			"the FREE event dropped the heap's MR");
		TEST_ASSERT_ERRNO(rte_pmd_mrnic_translate(port, mem, 64,
			&iova) < 0, EFAULT, "memory out of the heap");
	} else {
		TEST_LOG("legacy memory: EAL announces no removal, the MRs "
			"stay (as VFIO's mappings do)");
	}
	rte_eth_dev_stop(port);
	TEST_ASSERT_EQ(rte_vdev_uninit(name), 0, "remove");
	rte_mempool_free(mp);
	TEST_ASSERT_EQ(rte_malloc_heap_destroy(hname), 0, "heap destroy");
	test_va_unmap_guarded(mem, NPG * PG, PG);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST_ARG(mrnic_heap_cache, heap, "cache", 0);
REGISTER_EXTMEM_TEST_ARG(mrnic_heap_extmem, heap, "extmem", 0);
