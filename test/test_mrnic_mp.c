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
 *  - mrnic_mp_heap_*: both ways over pools on a shared external heap;
 *  - mrnic_mp_table_*: translates through the table the primary's
 *    dma_map filled and grew, to the IOVAs it was given;
 *  - mrnic_mp_kill: is killed while it transmits, repeatedly; the primary
 *    then moves packets on every queue and stops and closes its ports;
 *  - mrnic_mp_kill_section: dies inside a burst, every time.
 * With hugepages only: a --no-huge primary cannot have secondaries.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include <rte_extmem.h>
#include <rte_extmem_heap.h>

#include "test.h"
#include "test_mrnic_mp_util.h"
#include "test_mrnic_util.h"

#define MP_NQ 2
#define MP_NDESC 512
#define MP_N 48
#define MP_LEN 200
#define MP_TIMEOUT 60

/* the primary's side of one test */
struct mp_ctx {
	struct mrnic_t_pair pair;
	struct rte_mempool *rx[2];	/* Rx buffers of port a, port b */
	struct rte_mempool *tx;		/* the secondary's Tx pool */
	struct rte_mempool *ptx;	/* the primary's Tx pool */
	struct rte_mempool *rxb1;	/* Rx buffers of queue 1 of port b */
	pid_t pid;
	int fd;
	unsigned int nreport;	/* reports read from the secondary */
	unsigned int nxlate;	/* translations checked */
};

static char sec_desc[2][MRNIC_MP_DESC_SZ];
static char own_desc[MRNIC_MP_DESC_SZ];

static int
mp_skip_reason(void)
{
	const char *helper = getenv("EXTMEM_TEST_SECONDARY_MRNIC");

	if (!rte_eal_has_hugepages())
		TEST_SKIP("secondary processes need hugepage memory (a "
			"--no-huge primary cannot have any in DPDK 22.11)");
	if (helper == NULL || *helper == '\0')
		TEST_SKIP("EXTMEM_TEST_SECONDARY_MRNIC does not name the "
			"secondary program");
	if (extmem_test_file_prefix[0] == '\0')
		TEST_SKIP("the test runs without --file-prefix");
	return TEST_SUCCESS;
}

static void
mp_fini(struct mp_ctx *c)
{
	unsigned int i;

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	mrnic_t_pair_destroy(&c->pair);
	for (i = 0; i < 2; i++)
		rte_mempool_free(c->rx[i]);
	rte_mempool_free(c->tx);
	rte_mempool_free(c->ptx);
	rte_mempool_free(c->rxb1);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int
mp_init(struct mp_ctx *c, const char *mode)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->rx[0] = mrnic_t_pool("mrnic_mp_rx0", 2047, 2048);
	c->rx[1] = mrnic_t_pool("mrnic_mp_rx1", 2047, 2048);
	c->tx = mrnic_t_pool("mrnic_mp_tx", 2047, 2048);
	c->ptx = mrnic_t_pool("mrnic_mp_ptx", 1023, 2048);
	TEST_ASSERT(c->rx[0] != NULL && c->rx[1] != NULL && c->tx != NULL &&
		c->ptx != NULL, "pools: %s", rte_strerror(rte_errno));
	TEST_RUN(mrnic_t_pair_create(&c->pair, "mp", mode, MP_NQ, MP_NDESC,
		c->rx[0], c->rx[1], false));
	/* queue 1 of b (where the secondary transmits to) on a pool of its
	 * own: a killed process may leave a pool it was using unusable
	 */
	c->rxb1 = mrnic_t_pool("mrnic_mp_rxb1", 2047, 2048);
	TEST_ASSERT_NOT_NULL(c->rxb1, "pool");
	TEST_ASSERT_EQ(rte_eth_dev_stop(c->pair.port[1]), 0, "stop");
	TEST_ASSERT_EQ(rte_eth_rx_queue_setup(c->pair.port[1], 1, MP_NDESC,
		SOCKET_ID_ANY, NULL, c->rxb1), 0, "Rx queue 1");
	TEST_ASSERT_EQ(rte_eth_dev_start(c->pair.port[1]), 0, "start");
	return TEST_SUCCESS;
}

/* Start the secondary with commands; c->fd is the primary's end. */
static int
mp_spawn(struct mp_ctx *c, const char *cmds)
{
	const char *helper = getenv("EXTMEM_TEST_SECONDARY_MRNIC");
	char fdarg[16], prefix[128];
	int sv[2];
	pid_t pid;

	TEST_ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
		0, "socketpair");
	snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s",
		extmem_test_file_prefix);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		/* the secondary's end survives the exec */
		int fd = dup(sv[1]);

		snprintf(fdarg, sizeof(fdarg), "%d", fd);
		setenv("MRNIC_MP_CMDS", cmds, 1);
		execl(helper, helper, fdarg, "--proc-type=secondary", prefix,
			"--no-pci", "--log-level=lib.eal:error",
			"--log-level=pmd.net.mrnic:info", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	c->pid = pid;
	c->fd = sv[0];
	return TEST_SUCCESS;
}

/* The secondary's Tx queue translated a buffer to the IOVA it has here. */
static int
mp_check_xlate(const char *line)
{
	const struct rte_memseg *ms;
	unsigned long long va, iova;
	rte_iova_t want;

	TEST_ASSERT_EQ(sscanf(line, "xlate %llx %llx", &va, &iova), 2,
		"line '%s'", line);
	/* the IOVA EAL's memseg has here (what mbufs and dma_map got) */
	ms = rte_mem_virt2memseg((const void *)(uintptr_t)va, NULL);
	TEST_ASSERT(ms != NULL && ms->iova != RTE_BAD_IOVA, "IOVA of %#llx",
		va);
	want = ms->iova + (va - ms->addr_64);
	TEST_ASSERT_EQ(iova, want, "the secondary's translation of %#llx",
		va);
	return TEST_SUCCESS;
}

/*
 * Read the secondary's lines until one starting with @p until (kept in
 * @p last); reports go to sec_desc[] in order. A "fail" line or the end
 * of the secondary before @p until fails.
 */
static int
mp_read_until(struct mp_ctx *c, const char *until, char *last, size_t len)
{
	char line[1024];
	char *d = NULL;
	size_t off = 0;
	bool failed = false;

	for (;;) {
		if (mrnic_mp_read_line(c->fd, line, sizeof(line),
				MP_TIMEOUT) != 0) {
			printf("    FAIL: the secondary stopped answering\n");
			return TEST_FAILED;
		}
		if (d != NULL) {
			if (strcmp(line, "endreport") == 0) {
				d = NULL;
				continue;
			}
			off += snprintf(d + off, MRNIC_MP_DESC_SZ - off, "%s\n",
				line);
			continue;
		}
		if (strncmp(line, "report ", 7) == 0) {
			TEST_ASSERT(c->nreport < RTE_DIM(sec_desc), "reports");
			d = sec_desc[c->nreport++];
			d[0] = '\0';
			off = 0;
			continue;
		}
		if (strncmp(line, "fail", 4) == 0 || failed) {
			/* the reason may take several lines */
			printf("    secondary: %s\n", line);
			failed = true;
			if (strncmp(line, "end", 3) == 0)
				return TEST_FAILED;
			continue;
		}
		if (strncmp(line, until, strlen(until)) == 0) {
			if (last != NULL)
				strlcpy(last, line, len);
			return TEST_SUCCESS;
		}
		if (strncmp(line, "end ", 4) == 0) {
			printf("    FAIL: the secondary ended (%s) before '%s'\n",
				line, until);
			return TEST_FAILED;
		}
		if (strncmp(line, "xlate ", 6) == 0) {
			TEST_RUN(mp_check_xlate(line));
			c->nxlate++;
		}
	}
}

/* Wait for the secondary's "end 0" and exit status 0. */
static int
mp_join(struct mp_ctx *c)
{
	char last[64];
	int st = 0;

	TEST_RUN(mp_read_until(c, "end", last, sizeof(last)));
	TEST_ASSERT(strcmp(last, "end 0") == 0, "secondary said '%s'", last);
	TEST_ASSERT_EQ(waitpid(c->pid, &st, 0), c->pid, "waitpid");
	c->pid = 0;
	TEST_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		"secondary exit status %#x", st);
	return TEST_SUCCESS;
}

/* The secondary's i-th report is what the primary sees of port now. */
static int
mp_same_view(unsigned int i, uint16_t port)
{
	TEST_ASSERT_EQ(mrnic_mp_describe(port, own_desc, sizeof(own_desc)), 0,
		"describe port %u", port);
	if (strcmp(own_desc, sec_desc[i]) != 0) {
		printf("    FAIL: port %u seen differently\n--- primary ---\n%s"
			"--- secondary ---\n%s", port, own_desc, sec_desc[i]);
		return TEST_FAILED;
	}
	/* a description that says nothing would compare equal too */
	TEST_ASSERT(strstr(own_desc, "xstat rx_dma_packets ") != NULL &&
		strstr(own_desc, "driver net_mrnic") != NULL &&
		strstr(own_desc, "link up") != NULL, "description of %u", port);
	return TEST_SUCCESS;
}

static uint64_t
q_stat(uint16_t port, uint16_t q, bool rx, bool bytes)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(port, &st) != 0)
		return UINT64_MAX;
	if (rx)
		return bytes ? st.q_ibytes[q] : st.q_ipackets[q];
	return bytes ? st.q_obytes[q] : st.q_opackets[q];
}

static uint64_t
oerrors(uint16_t port)
{
	struct rte_eth_stats st;

	return rte_eth_stats_get(port, &st) != 0 ? UINT64_MAX : st.oerrors;
}

/* Receive n packets (seed + i) on port/queue and check their bytes. */
static int
mp_receive(uint16_t port, uint16_t q, unsigned int n, uint32_t seed)
{
	struct rte_mbuf *pkts[32];
	unsigned int got = 0, i, k, idle = 0;

	while (got < n && idle < 100000) {
		k = rte_eth_rx_burst(port, q, pkts, RTE_MIN(32u, n - got));
		for (i = 0; i < k; i++) {
			int ret = mrnic_t_pkt_check(pkts[i], MP_LEN,
				seed + got + i);

			rte_pktmbuf_free(pkts[i]);
			if (ret != TEST_SUCCESS) {
				TEST_LOG("packet %u", got + i);
				return TEST_FAILED;
			}
		}
		got += k;
		idle = k == 0 ? idle + 1 : 0;
		if (k == 0)
			usleep(10);
	}
	TEST_ASSERT_EQ(got, n, "received on port %u queue %u", port, q);
	return TEST_SUCCESS;
}

static int
test_mrnic_mp_info(const char *mode)
{
	struct mp_ctx c;
	uint16_t a, b;
	char cmds[128];
	int ret;

	TEST_RUN(mp_skip_reason());
	TEST_RUN(mp_init(&c, mode));
	a = c.pair.port[0];
	b = c.pair.port[1];
	/* counters that are not all zero, in both directions */
	ret = mrnic_t_roundtrip(c.ptx, a, 0, b, 0, 16, MP_LEN, 1, 10);
	if (ret == TEST_SUCCESS)
		ret = mrnic_t_roundtrip(c.ptx, b, 1, a, 1, 8, MP_LEN, 2, 20);
	snprintf(cmds, sizeof(cmds), "report %u;report %u;control %u;"
		"control %u", a, b, a, b);
	if (ret == TEST_SUCCESS)
		ret = mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mp_join(&c);
	if (ret == TEST_SUCCESS)
		ret = mp_same_view(0, a);
	if (ret == TEST_SUCCESS)
		ret = mp_same_view(1, b);
	/* the refused operations changed nothing: traffic as before */
	if (ret == TEST_SUCCESS)
		ret = mrnic_t_roundtrip(c.ptx, a, 1, b, 1, 16, MP_LEN, 1, 30);
	mp_fini(&c);
	return ret;
}

static int
test_mrnic_mp_tx(const char *mode)
{
	uint64_t op0, ob0, ip0, ib0, dma0, fault0, rxfault0, oerr0;
	struct mp_ctx c;
	uint16_t a, b;
	char cmds[256];
	int ret;

	TEST_RUN(mp_skip_reason());
	TEST_RUN(mp_init(&c, mode));
	a = c.pair.port[0];
	b = c.pair.port[1];
	op0 = q_stat(a, 1, false, false);
	ob0 = q_stat(a, 1, false, true);
	ip0 = q_stat(b, 1, true, false);
	ib0 = q_stat(b, 1, true, true);
	oerr0 = oerrors(a);
	dma0 = mrnic_t_xstat(b, "rx_dma_packets");
	rxfault0 = mrnic_t_xstat(b, "rx_dma_fault_errors");
	fault0 = mrnic_t_xstat(a, "tx_dma_fault_errors");
	snprintf(cmds, sizeof(cmds), "tx %u 1 %u %u 100 mrnic_mp_tx;"
		"txfault %u 1;wait;report %u;report %u", a, MP_N, MP_LEN, a, a,
		b);
	ret = mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mp_read_until(&c, "waiting", cmds, sizeof(cmds));
	if (ret == TEST_SUCCESS)
		ret = mp_receive(b, 1, MP_N, 100);
	if (ret == TEST_SUCCESS && write(c.fd, "go\n", 3) != 3)
		ret = TEST_FAILED;
	if (ret == TEST_SUCCESS)
		ret = mp_join(&c);
	if (ret == TEST_SUCCESS)
		ret = mp_same_view(0, a);
	if (ret == TEST_SUCCESS)
		ret = mp_same_view(1, b);
	if (ret != TEST_SUCCESS) {
		mp_fini(&c);
		return ret;
	}
	/* every packet counted once, in the primary, exactly */
	ret = TEST_FAILED;
	if (c.nxlate != 8)
		TEST_LOG("%u translations from the secondary", c.nxlate);
	else if (q_stat(a, 1, false, false) - op0 != MP_N)
		TEST_LOG("opackets of queue 1: +%" PRIu64,
			q_stat(a, 1, false, false) - op0);
	else if (q_stat(a, 1, false, true) - ob0 != (uint64_t)MP_N * MP_LEN)
		TEST_LOG("obytes of queue 1");
	else if (q_stat(b, 1, true, false) - ip0 != MP_N ||
			q_stat(b, 1, true, true) - ib0 !=
				(uint64_t)MP_N * MP_LEN)
		TEST_LOG("ipackets/ibytes of queue 1");
	else if (mrnic_t_xstat(b, "rx_dma_packets") - dma0 != MP_N)
		TEST_LOG("rx_dma_packets: +%" PRIu64,
			mrnic_t_xstat(b, "rx_dma_packets") - dma0);
	else if (mrnic_t_xstat(a, "tx_dma_fault_errors") - fault0 != 1 ||
			oerrors(a) - oerr0 != 1)
		TEST_LOG("the fault packet: tx_dma_fault_errors +%" PRIu64
			", oerrors +%" PRIu64,
			mrnic_t_xstat(a, "tx_dma_fault_errors") - fault0,
			oerrors(a) - oerr0);
	else if (mrnic_t_xstat(b, "rx_dma_fault_errors") != rxfault0)
		TEST_LOG("rx_dma_fault_errors moved");
	else
		ret = TEST_SUCCESS;
	mp_fini(&c);
	return ret;
}

static int
test_mrnic_mp_rx(const char *mode)
{
	uint64_t ip0, ib0;
	struct mp_ctx c;
	char cmds[128], last[64];
	unsigned int i;
	uint16_t a, b;
	int ret;

	TEST_RUN(mp_skip_reason());
	TEST_RUN(mp_init(&c, mode));
	a = c.pair.port[0];
	b = c.pair.port[1];
	ip0 = q_stat(b, 1, true, false);
	ib0 = q_stat(b, 1, true, true);
	snprintf(cmds, sizeof(cmds), "rx %u 1 %u %u 500;report %u;report %u",
		b, MP_N, MP_LEN, a, b);
	ret = mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mp_read_until(&c, "ready", NULL, 0);
	for (i = 0; i < MP_N && ret == TEST_SUCCESS; i++) {
		struct rte_mbuf *m = mrnic_t_pkt(c.ptx, MP_LEN, 2, 500 + i);

		if (m == NULL || rte_eth_tx_burst(a, 1, &m, 1) != 1)
			ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS)
		ret = mp_read_until(&c, "received", last, sizeof(last));
	if (ret == TEST_SUCCESS) {
		snprintf(cmds, sizeof(cmds), "received %u ok %u", MP_N, MP_N);
		if (strcmp(last, cmds) != 0) {
			printf("    FAIL: secondary: %s (want %s)\n", last, cmds);
			ret = TEST_FAILED;
		}
	}
	if (ret == TEST_SUCCESS)
		ret = mp_join(&c);
	if (ret == TEST_SUCCESS)
		ret = mp_same_view(0, a);
	if (ret == TEST_SUCCESS)
		ret = mp_same_view(1, b);
	/* the secondary's Rx bursts counted in the shared counters */
	if (ret == TEST_SUCCESS && (q_stat(b, 1, true, false) - ip0 != MP_N ||
			q_stat(b, 1, true, true) - ib0 !=
				(uint64_t)MP_N * MP_LEN)) {
		TEST_LOG("queue 1 of port %u: +%" PRIu64 " packets", b,
			q_stat(b, 1, true, false) - ip0);
		ret = TEST_FAILED;
	}
	mp_fini(&c);
	return ret;
}

/*
 * Kill the secondary while it transmits on queue 1 of port a, at a
 * different moment each time; the primary then moves packets on both
 * queues (queue 1 set up again: the Rx buffers' pool a killed process was
 * taking from may be unusable, as any mempool's ring would be), and
 * finally stops and closes its ports.
 */
static int
test_mrnic_mp_kill(const char *mode)
{
	struct rte_mempool *fresh[3] = { NULL };
	struct mp_ctx c;
	char cmds[128];
	unsigned int round;
	uint16_t a, b;
	int ret = TEST_SUCCESS, st;

	TEST_RUN(mp_skip_reason());
	TEST_RUN(mp_init(&c, mode));
	a = c.pair.port[0];
	b = c.pair.port[1];
	for (round = 0; round < RTE_DIM(fresh) && ret == TEST_SUCCESS;
			round++) {
		char name[32];

		snprintf(cmds, sizeof(cmds), "txloop %u 1 %u mrnic_mp_tx", a,
			MP_LEN);
		ret = mp_spawn(&c, cmds);
		if (ret == TEST_SUCCESS)
			ret = mp_read_until(&c, "ready", NULL, 0);
		if (ret != TEST_SUCCESS)
			break;
		/* the primary drains what arrives meanwhile */
		usleep(1000 + 7919 * round);
		mrnic_t_drain(b, MP_NQ);
		kill(c.pid, SIGKILL);
		if (waitpid(c.pid, &st, 0) != c.pid || !WIFSIGNALED(st)) {
			printf("    FAIL: the secondary was not killed\n");
			ret = TEST_FAILED;
		}
		c.pid = 0;
		close(c.fd);
		c.fd = -1;
		if (ret != TEST_SUCCESS)
			break;
		/* the other queue, untouched by the secondary, works */
		ret = mrnic_t_roundtrip(c.ptx, a, 0, b, 0, 16, MP_LEN, 1,
			round * 100);
		if (ret != TEST_SUCCESS)
			break;
		/* stop (waits for the dead queue's section), set queue 1 of
		 * b up again on a fresh pool, start: queue 1 works in the
		 * primary, both ways
		 */
		snprintf(name, sizeof(name), "mrnic_mp_fresh%u", round);
		fresh[round] = mrnic_t_pool(name, 1023, 2048);
		if (fresh[round] == NULL ||
				rte_eth_dev_stop(a) != 0 ||
				rte_eth_dev_stop(b) != 0 ||
				rte_eth_rx_queue_setup(b, 1, MP_NDESC,
					SOCKET_ID_ANY, NULL, fresh[round]) != 0 ||
				rte_eth_dev_start(a) != 0 ||
				rte_eth_dev_start(b) != 0) {
			printf("    FAIL: port restart after the kill\n");
			ret = TEST_FAILED;
			break;
		}
		ret = mrnic_t_roundtrip(c.ptx, a, 1, b, 1, 16, MP_LEN, 1,
			round * 100 + 50);
		if (ret == TEST_SUCCESS)
			ret = mrnic_t_roundtrip(c.ptx, b, 1, a, 1, 16, MP_LEN, 1,
				round * 100 + 70);
	}
	/* stop and close after a last kill in flight */
	if (ret == TEST_SUCCESS) {
		snprintf(cmds, sizeof(cmds), "txloop %u 1 %u mrnic_mp_tx", a,
			MP_LEN);
		ret = mp_spawn(&c, cmds);
		if (ret == TEST_SUCCESS)
			ret = mp_read_until(&c, "ready", NULL, 0);
		kill(c.pid, SIGKILL);
		waitpid(c.pid, NULL, 0);
		c.pid = 0;
	}
	if (ret == TEST_SUCCESS && (rte_eth_dev_stop(a) != 0 ||
			rte_eth_dev_stop(b) != 0 || rte_eth_dev_close(a) != 0 ||
			rte_eth_dev_close(b) != 0)) {
		printf("    FAIL: stop/close after the kill\n");
		ret = TEST_FAILED;
	}
	mp_fini(&c);
	for (round = 0; round < RTE_DIM(fresh); round++)
		rte_mempool_free(fresh[round]);
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
	struct mp_ctx c;
	char cmds[128], last[64];
	unsigned int i, mapped = 0;
	uint8_t *mem;
	uint16_t a;
	int ret;

	TEST_RUN(mp_skip_reason());
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
	ret = mp_init(&c, mode);
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
		ret = mp_spawn(&c, cmds);
	/* every "xlate" line is checked against this process's IOVA */
	if (ret == TEST_SUCCESS)
		ret = mp_read_until(&c, "xlated", last, sizeof(last));
	if (ret == TEST_SUCCESS)
		ret = mp_join(&c);
	if (ret == TEST_SUCCESS && c.nxlate != MP_TBL_PAGES) {
		TEST_LOG("%u translations checked", c.nxlate);
		ret = TEST_FAILED;
	}
	for (i = 0; i < mapped; i++)
		if (rte_dev_dma_unmap(dev, mem + i * MP_TBL_PG, iovas[i],
				MP_TBL_PG) != 0)
			ret = TEST_FAILED;
	mp_fini(&c);
	if (rte_extmem_unregister(mem, len) != 0)
		ret = TEST_FAILED;
	munmap(mem, len);
	return ret;
}

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
mp_heap_queues(struct mp_ctx *c, struct mp_heap *h)
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

/*
 * Packets on external memory, both ways: the secondary transmits mbufs
 * of a pool on a shared heap (its Tx queue translates their buffers to
 * the primary's IOVAs) into the primary's Rx buffers on that heap, then
 * receives into buffers on the heap what the primary sends from it.
 * Bytes checked on both sides, no DMA fault, every count exact.
 */
static int
test_mrnic_mp_heap(const char *mode)
{
	uint64_t dma0[2], fault0[2];
	struct mp_heap h;
	struct mp_ctx c;
	char cmds[256], last[64];
	unsigned int i;
	uint16_t a, b;
	int ret;

	TEST_RUN(mp_skip_reason());
	ret = mp_heap_init(&h);
	if (ret == TEST_SUCCESS)
		ret = mp_init(&c, mode);
	else
		memset(&c, 0, sizeof(c));
	if (ret == TEST_SUCCESS)
		ret = mp_heap_queues(&c, &h);
	if (ret != TEST_SUCCESS)
		goto out;
	a = c.pair.port[0];
	b = c.pair.port[1];
	for (i = 0; i < 2; i++) {
		dma0[i] = mrnic_t_xstat(c.pair.port[i], "rx_dma_packets");
		fault0[i] = mrnic_t_xstat_rxtx(c.pair.port[i],
			"dma_fault_errors");
	}
	snprintf(cmds, sizeof(cmds), "tx %u 1 %u %u 300 mrnic_mp_htx;wait;"
		"rx %u 1 %u %u 400;report %u;report %u", a, MP_N, MP_LEN, a,
		MP_N, MP_LEN, a, b);
	ret = mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mp_read_until(&c, "waiting", NULL, 0);
	if (ret == TEST_SUCCESS)
		ret = mp_receive(b, 1, MP_N, 300);
	if (ret == TEST_SUCCESS && write(c.fd, "go\n", 3) != 3)
		ret = TEST_FAILED;
	if (ret == TEST_SUCCESS)
		ret = mp_read_until(&c, "ready", NULL, 0);
	for (i = 0; i < MP_N && ret == TEST_SUCCESS; i++) {
		struct rte_mbuf *m = mrnic_t_pkt(h.tx, MP_LEN, 2, 400 + i);

		if (m == NULL || rte_eth_tx_burst(b, 1, &m, 1) != 1)
			ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS)
		ret = mp_read_until(&c, "received", last, sizeof(last));
	if (ret == TEST_SUCCESS) {
		snprintf(cmds, sizeof(cmds), "received %u ok %u", MP_N, MP_N);
		if (strcmp(last, cmds) != 0) {
			printf("    FAIL: secondary: %s (want %s)\n", last, cmds);
			ret = TEST_FAILED;
		}
	}
	if (ret == TEST_SUCCESS)
		ret = mp_join(&c);
	if (ret == TEST_SUCCESS)
		ret = mp_same_view(0, a);
	if (ret == TEST_SUCCESS)
		ret = mp_same_view(1, b);
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
		if (ret == TEST_SUCCESS && strcmp(mode, "extmem") == 0 &&
				mrnic_t_xstat_rxtx(port, "mr_cache_misses") != 0) {
			TEST_LOG("port %u: %" PRIu64 " MR cache misses", port,
				mrnic_t_xstat_rxtx(port, "mr_cache_misses"));
			ret = TEST_FAILED;
		}
	}
out:
	mp_fini(&c);
	mp_heap_fini(&h);
	return ret;
}

/*
 * The secondary dies inside a Tx burst (SIGSEGV in the device's copy,
 * mr=off): the primary's stop waits for that queue's section, which only
 * ends because its process is gone; then the primary takes the queue
 * over, and closes the ports.
 */
static int
test_mrnic_mp_kill_section(void)
{
	struct mp_ctx c;
	char cmds[64];
	uint16_t a, b;
	int ret, st = 0;

	TEST_RUN(mp_skip_reason());
	TEST_RUN(mp_init(&c, "off"));
	a = c.pair.port[0];
	b = c.pair.port[1];
	snprintf(cmds, sizeof(cmds), "txcrash %u 1", a);
	ret = mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mp_read_until(&c, "crashing", NULL, 0);
	if (ret == TEST_SUCCESS) {
		TEST_ASSERT_EQ(waitpid(c.pid, &st, 0), c.pid, "waitpid");
		c.pid = 0;
		/* killed by the fault, or ended by a sanitizer's report */
		if (!(WIFSIGNALED(st) || (WIFEXITED(st) &&
				WEXITSTATUS(st) != 0))) {
			printf("    FAIL: the secondary survived (%#x)\n", st);
			ret = TEST_FAILED;
		}
	}
	/* the wait for the dead section ends */
	if (ret == TEST_SUCCESS && (rte_eth_dev_stop(a) != 0 ||
			rte_eth_dev_start(a) != 0)) {
		printf("    FAIL: restart of port %u\n", a);
		ret = TEST_FAILED;
	}
	/* the primary runs the queue the dead process left */
	if (ret == TEST_SUCCESS)
		ret = mrnic_t_roundtrip(c.ptx, a, 1, b, 1, 16, MP_LEN, 1, 900);
	if (ret == TEST_SUCCESS && (rte_eth_dev_stop(a) != 0 ||
			rte_eth_dev_stop(b) != 0 || rte_eth_dev_close(a) != 0 ||
			rte_eth_dev_close(b) != 0)) {
		printf("    FAIL: stop/close after the crash\n");
		ret = TEST_FAILED;
	}
	mp_fini(&c);
	return ret;
}

REGISTER_EXTMEM_TEST(mrnic_mp_kill_section, test_mrnic_mp_kill_section,
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_heap_cache, test_mrnic_mp_heap, "cache",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_heap_extmem, test_mrnic_mp_heap, "extmem",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
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
REGISTER_EXTMEM_TEST_ARG(mrnic_mp_kill, test_mrnic_mp_kill, "cache",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
