/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * net_mrnic with a secondary process (dpdk-extmem-test-secondary-mrnic,
 * named by EXTMEM_TEST_SECONDARY_MRNIC): the primary makes a started pair
 * of ports on native pktmbuf pools, the secondary attaches them and
 *  - mrnic_mp_info_*: describes both ports (information, link, stats,
 *    every xstat) exactly as the primary does, and every control
 *    operation it tries is refused with the primary's state unchanged;
 *  - mrnic_mp_tx_*: transmits on a Tx queue it is given while the primary
 *    receives (bytes checked), translates buffers to the primary's IOVAs,
 *    sends one packet from its own memory (one DMA fault, counted once);
 *    counters checked in both processes;
 *  - mrnic_mp_rx_*: receives (bytes checked) what the primary transmits;
 *  - mrnic_mp_table_*: translates through the table the primary's
 *    dma_map filled and grew, to the IOVAs it was given;
 *  - mrnic_mp_heap_* (test_mrnic_mp_heap.c): both ways over pools on a
 *    shared external heap;
 *  - mrnic_mp_kill, mrnic_mp_kill_section (test_mrnic_mp_kill.c): is
 *    killed while it transmits, repeatedly, or dies inside a burst; the
 *    primary then moves packets on every queue, stops and closes its ports.
 * With hugepages only: a --no-huge primary cannot have secondaries. The
 * primary's side: test_mrnic_mp_primary.c.
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
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include "test.h"
#include "test_mrnic_mp_primary.h"
#include "test_mrnic_util.h"

static int
test_mrnic_mp_info(const char *mode)
{
	struct mrnic_mp_ctx c;
	uint16_t a, b;
	char cmds[128];
	int ret;

	TEST_RUN(mrnic_mp_skip());
	TEST_RUN(mrnic_mp_init(&c, mode));
	a = c.pair.port[0];
	b = c.pair.port[1];
	/* counters that are not all zero, in both directions */
	ret = mrnic_t_roundtrip(c.ptx, a, 0, b, 0, 16, MP_LEN, 1, 10);
	if (ret == TEST_SUCCESS)
		ret = mrnic_t_roundtrip(c.ptx, b, 1, a, 1, 8, MP_LEN, 2, 20);
	snprintf(cmds, sizeof(cmds), "report %u;report %u;control %u;"
		"control %u", a, b, a, b);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_join_views(&c);
	/* the refused operations changed nothing: traffic as before */
	if (ret == TEST_SUCCESS)
		ret = mrnic_t_roundtrip(c.ptx, a, 1, b, 1, 16, MP_LEN, 1, 30);
	mrnic_mp_fini(&c);
	return ret;
}

static int
test_mrnic_mp_tx(const char *mode)
{
	uint64_t op0, ob0, ip0, ib0, dma0, fault0, rxfault0, oerr0;
	struct mrnic_mp_ctx c;
	uint16_t a, b;
	char cmds[256];
	int ret;

	TEST_RUN(mrnic_mp_skip());
	TEST_RUN(mrnic_mp_init(&c, mode));
	a = c.pair.port[0];
	b = c.pair.port[1];
	op0 = mrnic_mp_q_stat(a, 1, false, false);
	ob0 = mrnic_mp_q_stat(a, 1, false, true);
	ip0 = mrnic_mp_q_stat(b, 1, true, false);
	ib0 = mrnic_mp_q_stat(b, 1, true, true);
	oerr0 = mrnic_mp_oerrors(a);
	dma0 = mrnic_t_xstat(b, "rx_dma_packets");
	rxfault0 = mrnic_t_xstat(b, "rx_dma_fault_errors");
	fault0 = mrnic_t_xstat(a, "tx_dma_fault_errors");
	snprintf(cmds, sizeof(cmds), "tx %u 1 %u %u 100 mrnic_mp_tx;"
		"txfault %u 1;wait;report %u;report %u", a, MP_N, MP_LEN, a, a,
		b);
	ret = mrnic_mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_read_until(&c, "waiting", cmds, sizeof(cmds));
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_receive(b, 1, MP_N, 100);
	if (ret == TEST_SUCCESS && write(c.fd, "go\n", 3) != 3)
		ret = TEST_FAILED;
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_join_views(&c);
	if (ret != TEST_SUCCESS) {
		mrnic_mp_fini(&c);
		return ret;
	}
	/* every packet counted once, in the primary, exactly */
	ret = TEST_FAILED;
	if (c.nxlate != 8)
		TEST_LOG("%u translations from the secondary", c.nxlate);
	else if (mrnic_mp_q_stat(a, 1, false, false) - op0 != MP_N)
		TEST_LOG("opackets of queue 1: +%" PRIu64,
			mrnic_mp_q_stat(a, 1, false, false) - op0);
	else if (mrnic_mp_q_stat(a, 1, false, true) - ob0 != (uint64_t)MP_N * MP_LEN)
		TEST_LOG("obytes of queue 1");
	else if (mrnic_mp_q_stat(b, 1, true, false) - ip0 != MP_N ||
			mrnic_mp_q_stat(b, 1, true, true) - ib0 !=
				(uint64_t)MP_N * MP_LEN)
		TEST_LOG("ipackets/ibytes of queue 1");
	else if (mrnic_t_xstat(b, "rx_dma_packets") - dma0 != MP_N)
		TEST_LOG("rx_dma_packets: +%" PRIu64,
			mrnic_t_xstat(b, "rx_dma_packets") - dma0);
	else if (mrnic_t_xstat(a, "tx_dma_fault_errors") - fault0 != 1 ||
			mrnic_mp_oerrors(a) - oerr0 != 1)
		TEST_LOG("the fault packet: tx_dma_fault_errors +%" PRIu64
			", oerrors +%" PRIu64,
			mrnic_t_xstat(a, "tx_dma_fault_errors") - fault0,
			mrnic_mp_oerrors(a) - oerr0);
	else if (mrnic_t_xstat(b, "rx_dma_fault_errors") != rxfault0)
		TEST_LOG("rx_dma_fault_errors moved");
	else
		ret = TEST_SUCCESS;
	mrnic_mp_fini(&c);
	return ret;
}

static int
test_mrnic_mp_rx(const char *mode)
{
	uint64_t ip0, ib0;
	struct mrnic_mp_ctx c;
	char cmds[128];
	uint16_t a, b;
	int ret;

	TEST_RUN(mrnic_mp_skip());
	TEST_RUN(mrnic_mp_init(&c, mode));
	a = c.pair.port[0];
	b = c.pair.port[1];
	ip0 = mrnic_mp_q_stat(b, 1, true, false);
	ib0 = mrnic_mp_q_stat(b, 1, true, true);
	snprintf(cmds, sizeof(cmds), "rx %u 1 %u %u 500;report %u;report %u",
		b, MP_N, MP_LEN, a, b);
	ret = mrnic_mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_send(&c, c.ptx, a, 1, MP_N, 500);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_join_views(&c);
	/* the secondary's Rx bursts counted in the shared counters */
	if (ret == TEST_SUCCESS && (mrnic_mp_q_stat(b, 1, true, false) - ip0 != MP_N ||
			mrnic_mp_q_stat(b, 1, true, true) - ib0 !=
				(uint64_t)MP_N * MP_LEN)) {
		TEST_LOG("queue 1 of port %u: +%" PRIu64 " packets", b,
			mrnic_mp_q_stat(b, 1, true, false) - ip0);
		ret = TEST_FAILED;
	}
	mrnic_mp_fini(&c);
	return ret;
}

#define MP_TBL_PAGES 40
#define MP_TBL_PG 4096

/*
 * The MR table the primary's dma_map filled (and grew, past its first 16
 * entries) translates the same in a secondary: the primary maps each page
 * of external memory on its own, at scattered IOVAs, and the secondary's
 * Tx queue translates every page to the IOVA it was mapped with.
 */
static int
test_mrnic_mp_table(const char *mode)
{
	rte_iova_t iovas[MP_TBL_PAGES];
	size_t len = MP_TBL_PAGES * MP_TBL_PG;
	struct rte_device *dev;
	struct mrnic_mp_ctx c;
	char cmds[128], last[64];
	unsigned int i, mapped = 0;
	uint8_t *mem;
	uint16_t a;
	int ret;

	TEST_RUN(mrnic_mp_skip());
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	for (i = 0; i < MP_TBL_PAGES; i++)
		iovas[i] = UINT64_C(0x7000000000) + (rte_iova_t)i * 0x20000;
	if (rte_extmem_register(mem, len, iovas, MP_TBL_PAGES,
			MP_TBL_PG) != 0) {
		munmap(mem, len);
		TEST_LOG("rte_extmem_register: %s", rte_strerror(rte_errno));
		return TEST_FAILED;
	}
	ret = mrnic_mp_init(&c, mode);
	a = c.pair.port[0];
	dev = ret == TEST_SUCCESS ? mrnic_t_port_dev(a) : NULL;
	if (dev == NULL)
		ret = TEST_FAILED;
	for (i = 0; i < MP_TBL_PAGES && ret == TEST_SUCCESS; i++) {
		if (rte_dev_dma_map(dev, mem + i * MP_TBL_PG, iovas[i],
				MP_TBL_PG) != 0) {
			TEST_LOG("dma_map of page %u: %s", i,
				rte_strerror(rte_errno));
			ret = TEST_FAILED;
		} else {
			mapped++;
		}
	}
	if (ret == TEST_SUCCESS && mrnic_t_xstat(a, "mr_entries") <
			MP_TBL_PAGES) {
		TEST_LOG("mr_entries %" PRIu64, mrnic_t_xstat(a, "mr_entries"));
		ret = TEST_FAILED;
	}
	snprintf(cmds, sizeof(cmds), "xlate %u 1 %#" PRIxPTR " %u %u", a,
		(uintptr_t)mem, MP_TBL_PG, MP_TBL_PAGES);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_spawn(&c, cmds);
	/* every "xlate" line is checked against this process's IOVA */
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_read_until(&c, "xlated", last, sizeof(last));
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_join(&c);
	if (ret == TEST_SUCCESS && c.nxlate != MP_TBL_PAGES) {
		TEST_LOG("%u translations checked", c.nxlate);
		ret = TEST_FAILED;
	}
	for (i = 0; i < mapped; i++)
		if (rte_dev_dma_unmap(dev, mem + i * MP_TBL_PG, iovas[i],
				MP_TBL_PG) != 0)
			ret = TEST_FAILED;
	mrnic_mp_fini(&c);
	if (rte_extmem_unregister(mem, len) != 0)
		ret = TEST_FAILED;
	munmap(mem, len);
	return ret;
}

REGISTER_EXTMEM_TEST_ARG(mrnic_mp_table_cache, test_mrnic_mp_table, "cache",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_table_extmem, test_mrnic_mp_table, "extmem",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_info_cache, test_mrnic_mp_info, "cache",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_info_extmem, test_mrnic_mp_info, "extmem",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_tx_cache, test_mrnic_mp_tx,
	"cache", EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_tx_extmem, test_mrnic_mp_tx,
	"extmem", EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_rx_cache, test_mrnic_mp_rx, "cache",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_rx_extmem, test_mrnic_mp_rx, "extmem",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
