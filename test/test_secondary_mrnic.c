/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * dpdk-extmem-test-secondary-mrnic: the secondary process of the net_mrnic
 * multi-process tests (test_mrnic_mp.c). It attaches the primary's ports
 * (the vdev bus probes them), runs the commands of MRNIC_MP_CMDS and
 * answers on file descriptor <fd>; see test_mrnic_mp_util.h. It ends
 * itself after two minutes whatever happens.
 *
 *   MRNIC_MP_CMDS='cmd;cmd' dpdk-extmem-test-secondary-mrnic <fd> <EAL args>
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_mrnic_mp_util.h"
#include "test_mrnic_util.h"

#define SEC_XLATE_N 8

static int out_fd;
static char desc[MRNIC_MP_DESC_SZ];

#define FAIL(fmt, ...) do { \
	dprintf(out_fd, "fail " fmt "\n", ##__VA_ARGS__); \
	return -1; \
} while (0)

static int
cmd_report(uint16_t port)
{
	if (mrnic_mp_describe(port, desc, sizeof(desc)) != 0)
		FAIL("describe port %u", port);
	dprintf(out_fd, "report %u\n%sendreport\n", port, desc);
	return 0;
}

/* Every control operation is refused; the port's description (the
 * primary's state as this process sees it) stays the same.
 */
static int
cmd_control(uint16_t port)
{
	static char before[MRNIC_MP_DESC_SZ];
	struct rte_eth_conf conf;
	struct rte_ether_addr mac = {{ 0x02, 0, 0, 0, 0, 0x42 }};
	struct rte_mempool *mp;
	struct rte_eth_dev_info info;
	struct rte_mbuf *m;
	void *buf;
	int ret, err;

	if (mrnic_mp_describe(port, before, sizeof(before)) != 0 ||
			rte_eth_dev_info_get(port, &info) != 0)
		FAIL("describe port %u", port);
	memset(&conf, 0, sizeof(conf));
	mp = rte_mempool_lookup("mrnic_mp_rx1");
	if (mp == NULL)
		FAIL("pool mrnic_mp_rx1 not found");
	if ((ret = rte_eth_dev_configure(port, 1, 1, &conf)) >= 0)
		FAIL("configure: %d", ret);
	if ((ret = rte_eth_rx_queue_setup(port, 0, 128, SOCKET_ID_ANY, NULL,
			mp)) >= 0)
		FAIL("rx_queue_setup: %d", ret);
	if ((ret = rte_eth_tx_queue_setup(port, 0, 128, SOCKET_ID_ANY,
			NULL)) >= 0)
		FAIL("tx_queue_setup: %d", ret);
	if ((ret = rte_eth_dev_set_mtu(port, 1400)) >= 0)
		FAIL("set_mtu: %d", ret);
	if ((ret = rte_eth_dev_default_mac_addr_set(port, &mac)) >= 0)
		FAIL("mac_addr_set: %d", ret);
	if ((ret = rte_eth_promiscuous_disable(port)) >= 0)
		FAIL("promiscuous_disable: %d", ret);
	if ((ret = rte_eth_allmulticast_disable(port)) >= 0)
		FAIL("allmulticast_disable: %d", ret);
	/* a mapping the primary did not make (of memory EAL knows, or EAL
	 * refuses before the driver is asked), then an unmap
	 */
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL)
		FAIL("mbuf");
	buf = rte_pktmbuf_mtod(m, void *);
	ret = rte_dev_dma_map(info.device, buf, rte_pktmbuf_iova(m), 64);
	err = rte_errno;
	if (ret >= 0 || err != E_RTE_SECONDARY) {
		rte_pktmbuf_free(m);
		FAIL("dma_map: %d, rte_errno %d", ret, err);
	}
	ret = rte_dev_dma_unmap(info.device, buf, rte_pktmbuf_iova(m), 64);
	err = rte_errno;
	rte_pktmbuf_free(m);
	if (ret >= 0 || err != E_RTE_SECONDARY)
		FAIL("dma_unmap: %d, rte_errno %d", ret, err);
	/* stop last: ethdev resets this process's fast path first */
	if ((ret = rte_eth_dev_stop(port)) >= 0)
		FAIL("stop: %d", ret);
	if (mrnic_mp_describe(port, desc, sizeof(desc)) != 0)
		FAIL("describe port %u", port);
	if (strcmp(before, desc) != 0)
		FAIL("port %u changed:\n%s\n--- became ---\n%s", port, before,
			desc);
	dprintf(out_fd, "control ok\n");
	return 0;
}

static int
cmd_tx(uint16_t port, uint16_t q, unsigned int n, uint32_t len,
	uint32_t seed, const char *pool)
{
	struct rte_mbuf *m[SEC_XLATE_N];
	const void *addrs[SEC_XLATE_N];
	uint32_t lens[SEC_XLATE_N];
	rte_iova_t iovas[SEC_XLATE_N];
	struct rte_mempool *mp = rte_mempool_lookup(pool);
	unsigned int i;
	int ret;

	if (mp == NULL)
		FAIL("pool %s not found", pool);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *pkt = mrnic_t_pkt(mp, len, 1, seed + i);

		if (pkt == NULL)
			FAIL("packet %u", i);
		if (rte_eth_tx_burst(port, q, &pkt, 1) != 1)
			FAIL("tx_burst of packet %u", i);
	}
	/* what this process's Tx queue translates buffers of the pool to */
	if (rte_pktmbuf_alloc_bulk(mp, m, SEC_XLATE_N) != 0)
		FAIL("mbufs for translation");
	for (i = 0; i < SEC_XLATE_N; i++) {
		addrs[i] = rte_pktmbuf_mtod(m[i], void *);
		lens[i] = 64;
	}
	ret = rte_pmd_mrnic_xlate_burst(port, q, addrs, lens, iovas,
		SEC_XLATE_N);
	for (i = 0; i < SEC_XLATE_N; i++)
		dprintf(out_fd, "xlate %#" PRIxPTR " %#" PRIx64 "\n",
			(uintptr_t)addrs[i], iovas[i]);
	rte_pktmbuf_free_bulk(m, SEC_XLATE_N);
	if (ret != SEC_XLATE_N)
		FAIL("xlate_burst translated %d of %d", ret, SEC_XLATE_N);
	dprintf(out_fd, "sent %u\n", n);
	return 0;
}

/* What the Tx queue translates n addresses va + i * stride to (the
 * memory is the primary's, maybe not mapped here: a lookup reads only
 * the device's table).
 */
static int
cmd_xlate(uint16_t port, uint16_t q, uintptr_t va, uint32_t stride,
	unsigned int n)
{
	const void *addrs[64] = { NULL };
	uint32_t lens[64] = { 0 };
	rte_iova_t iovas[64];
	unsigned int i;
	int ret;

	if (n > RTE_DIM(addrs))
		FAIL("at most %zu addresses", RTE_DIM(addrs));
	for (i = 0; i < n; i++) {
		addrs[i] = (const void *)(va + (uintptr_t)i * stride);
		lens[i] = 64;
	}
	ret = rte_pmd_mrnic_xlate_burst(port, q, addrs, lens, iovas, n);
	for (i = 0; i < n; i++)
		dprintf(out_fd, "xlate %#" PRIxPTR " %#" PRIx64 "\n",
			(uintptr_t)addrs[i], iovas[i]);
	if (ret != (int)n)
		FAIL("xlate_burst translated %d of %u", ret, n);
	dprintf(out_fd, "xlated %u\n", n);
	return 0;
}

static void
ext_free(void *addr __rte_unused, void *opaque __rte_unused)
{
}

/* A packet whose data is this process's own memory: the device has no
 * mapping for it.
 */
static int
cmd_txfault(uint16_t port, uint16_t q)
{
	static uint8_t buf[2048];
	struct rte_mbuf_ext_shared_info *shinfo;
	struct rte_mempool *mp = rte_mempool_lookup("mrnic_mp_tx");
	struct rte_mbuf *m;
	uint16_t blen = 1024;

	if (mp == NULL || (m = rte_pktmbuf_alloc(mp)) == NULL)
		FAIL("mbuf for the fault packet");
	shinfo = rte_pktmbuf_ext_shinfo_init_helper(buf, &blen, ext_free,
		NULL);
	if (shinfo == NULL)
		FAIL("extbuf shinfo");
	rte_pktmbuf_attach_extbuf(m, buf, RTE_BAD_IOVA, blen, shinfo);
	mrnic_t_pattern(buf, 128, 1);
	m->data_off = 0;
	m->data_len = 128;
	m->pkt_len = 128;
	if (rte_eth_tx_burst(port, q, &m, 1) != 1)
		FAIL("tx_burst of the fault packet");
	dprintf(out_fd, "sent 1\n");
	return 0;
}

/*
 * Die inside a Tx burst: with mr=off the device reads a packet from
 * wherever it says, here a page that is not accessible (SIGSEGV while
 * the queue is inside its reader section).
 */
static int
cmd_txcrash(uint16_t port, uint16_t q)
{
	static struct rte_mbuf_ext_shared_info shinfo = {
		.free_cb = ext_free,
	};
	struct rte_mempool *mp = rte_mempool_lookup("mrnic_mp_tx");
	struct rte_mbuf *m;
	void *va;

	if (rte_pmd_mrnic_mr_mode(port) != RTE_PMD_MRNIC_MR_OFF)
		FAIL("txcrash needs mr=off");
	va = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (va == MAP_FAILED || mp == NULL ||
			(m = rte_pktmbuf_alloc(mp)) == NULL)
		FAIL("mbuf for the crash packet");
	rte_mbuf_ext_refcnt_set(&shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, va, RTE_BAD_IOVA, 4096, &shinfo);
	m->data_off = 0;
	m->data_len = 128;
	m->pkt_len = 128;
	dprintf(out_fd, "crashing\n");
	rte_eth_tx_burst(port, q, &m, 1);
	FAIL("the device read an inaccessible page");
}

static double
now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int
cmd_rx(uint16_t port, uint16_t q, unsigned int n, uint32_t len, uint32_t seed)
{
	struct rte_mbuf *pkts[32];
	unsigned int got = 0, ok = 0, i, k;
	double end = now_s() + 20;

	dprintf(out_fd, "ready\n");
	while (got < n && now_s() < end) {
		k = rte_eth_rx_burst(port, q, pkts, RTE_MIN(32u, n - got));
		for (i = 0; i < k; i++) {
			if (mrnic_t_pkt_check(pkts[i], len, seed + got + i) ==
					TEST_SUCCESS && pkts[i]->port == port)
				ok++;
			rte_pktmbuf_free(pkts[i]);
		}
		got += k;
		if (k == 0)
			usleep(100);
	}
	dprintf(out_fd, "received %u ok %u\n", got, ok);
	return got == n && ok == n ? 0 : -1;
}

static int
cmd_txloop(uint16_t port, uint16_t q, uint32_t len, const char *pool)
{
	struct rte_mempool *mp = rte_mempool_lookup(pool);
	struct rte_mbuf *pkts[32];
	unsigned long bursts = 0;
	unsigned int i;

	if (mp == NULL)
		FAIL("pool %s not found", pool);
	for (;;) {
		for (i = 0; i < RTE_DIM(pkts); i++) {
			pkts[i] = mrnic_t_pkt(mp, len, 1, (uint32_t)i);
			if (pkts[i] == NULL)
				break;
		}
		rte_eth_tx_burst(port, q, pkts, (uint16_t)i);
		if (++bursts == 200)
			dprintf(out_fd, "ready\n");
	}
	return 0;
}

static int
cmd_wait(void)
{
	char line[64];

	dprintf(out_fd, "waiting\n");
	if (mrnic_mp_read_line(out_fd, line, sizeof(line), 60) != 0)
		FAIL("no answer from the primary");
	return 0;
}

static int
run(char *cmd)
{
	char *tok[8], *save = NULL, *t;
	unsigned int n = 0;

	for (t = strtok_r(cmd, " ", &save); t != NULL && n < RTE_DIM(tok);
			t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	if (n == 0)
		return 0;
#define ARG(i) ((uint32_t)strtoul(tok[i], NULL, 0))
	if (strcmp(tok[0], "report") == 0 && n == 2)
		return cmd_report((uint16_t)ARG(1));
	if (strcmp(tok[0], "control") == 0 && n == 2)
		return cmd_control((uint16_t)ARG(1));
	if (strcmp(tok[0], "tx") == 0 && n == 7)
		return cmd_tx((uint16_t)ARG(1), (uint16_t)ARG(2), ARG(3),
			ARG(4), ARG(5), tok[6]);
	if (strcmp(tok[0], "xlate") == 0 && n == 6)
		return cmd_xlate((uint16_t)ARG(1), (uint16_t)ARG(2),
			(uintptr_t)strtoull(tok[3], NULL, 0), ARG(4), ARG(5));
	if (strcmp(tok[0], "txfault") == 0 && n == 3)
		return cmd_txfault((uint16_t)ARG(1), (uint16_t)ARG(2));
	if (strcmp(tok[0], "txcrash") == 0 && n == 3)
		return cmd_txcrash((uint16_t)ARG(1), (uint16_t)ARG(2));
	if (strcmp(tok[0], "rx") == 0 && n == 6)
		return cmd_rx((uint16_t)ARG(1), (uint16_t)ARG(2), ARG(3),
			ARG(4), ARG(5));
	if (strcmp(tok[0], "txloop") == 0 && n == 5)
		return cmd_txloop((uint16_t)ARG(1), (uint16_t)ARG(2), ARG(3),
			tok[4]);
	if (strcmp(tok[0], "wait") == 0 && n == 1)
		return cmd_wait();
#undef ARG
	FAIL("unknown command '%s' (%u words)", tok[0], n);
}

int
main(int argc, char **argv)
{
	const char *env = getenv("MRNIC_MP_CMDS");
	char *cmds, *cmd, *save = NULL;
	int ret = 0;

	if (argc < 2 || env == NULL)
		return 2;
	/* never outlive a primary that died (SIGALRM ends the process) */
	alarm(120);
	out_fd = atoi(argv[1]);
	argv[1] = argv[0];
	if (rte_eal_init(argc - 1, argv + 1) < 0) {
		dprintf(out_fd, "fail rte_eal_init: %s\nend 1\n",
			rte_strerror(rte_errno));
		return 1;
	}
	cmds = strdup(env);
	for (cmd = strtok_r(cmds, ";", &save); cmd != NULL && ret == 0;
			cmd = strtok_r(NULL, ";", &save))
		ret = run(cmd);
	free(cmds);
	dprintf(out_fd, "end %d\n", ret == 0 ? 0 : 1);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
