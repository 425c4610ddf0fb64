/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* The primary's side of the net_mrnic multi-process tests. */

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
#include "test_mrnic_mp_util.h"

static char sec_desc[2][MRNIC_MP_DESC_SZ];
static char own_desc[MRNIC_MP_DESC_SZ];

int
mrnic_mp_skip(void)
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

void
mrnic_mp_fini(struct mrnic_mp_ctx *c)
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

int
mrnic_mp_init(struct mrnic_mp_ctx *c, const char *mode)
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
int
mrnic_mp_spawn(struct mrnic_mp_ctx *c, const char *cmds)
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
		/* under LeakSanitizer: what DPDK's vdev bus leaks in every
		 * secondary (test/lsan_secondary_vdev.supp)
		 */
		if (getenv("EXTMEM_TEST_LSAN_SECONDARY") != NULL) {
			char opts[512];

			snprintf(opts, sizeof(opts), "suppressions=%s",
				getenv("EXTMEM_TEST_LSAN_SECONDARY"));
			setenv("LSAN_OPTIONS", opts, 1);
		}
		if (strncmp(cmds, "txcrash", 7) == 0) {
			/* the fault is the test's: under AddressSanitizer,
			 * die of it rather than report it
			 */
			const char *o = getenv("ASAN_OPTIONS");
			char opts[512];

			snprintf(opts, sizeof(opts), "%s%shandle_segv=0",
				o != NULL ? o : "", o != NULL && *o ? ":" : "");
			setenv("ASAN_OPTIONS", opts, 1);
		}
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
int
mrnic_mp_read_until(struct mrnic_mp_ctx *c, const char *until, char *last, size_t len)
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
int
mrnic_mp_join(struct mrnic_mp_ctx *c)
{
	char last[64];
	int st = 0;

	TEST_RUN(mrnic_mp_read_until(c, "end", last, sizeof(last)));
	TEST_ASSERT(strcmp(last, "end 0") == 0, "secondary said '%s'", last);
	TEST_ASSERT_EQ(waitpid(c->pid, &st, 0), c->pid, "waitpid");
	c->pid = 0;
	TEST_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		"secondary exit status %#x", st);
	return TEST_SUCCESS;
}

/* The secondary's i-th report is what the primary sees of port now. */
int
mrnic_mp_same_view(unsigned int i, uint16_t port)
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

int
mrnic_mp_join_views(struct mrnic_mp_ctx *c)
{
	int ret = mrnic_mp_join(c);

	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_same_view(0, c->pair.port[0]);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_same_view(1, c->pair.port[1]);
	return ret;
}

uint64_t
mrnic_mp_q_stat(uint16_t port, uint16_t q, bool rx, bool bytes)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(port, &st) != 0)
		return UINT64_MAX;
	if (rx)
		return bytes ? st.q_ibytes[q] : st.q_ipackets[q];
	return bytes ? st.q_obytes[q] : st.q_opackets[q];
}

uint64_t
mrnic_mp_oerrors(uint16_t port)
{
	struct rte_eth_stats st;

	return rte_eth_stats_get(port, &st) != 0 ? UINT64_MAX : st.oerrors;
}

/* Receive n packets (seed + i) on port/queue and check their bytes. */
int
mrnic_mp_receive(uint16_t port, uint16_t q, unsigned int n, uint32_t seed)
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

int
mrnic_mp_send(struct mrnic_mp_ctx *c, struct rte_mempool *mp, uint16_t port,
	uint16_t q, unsigned int n, uint32_t seed)
{
	char last[64], want[64];
	unsigned int i;
	int ret;

	ret = mrnic_mp_read_until(c, "ready", NULL, 0);
	for (i = 0; i < n && ret == TEST_SUCCESS; i++) {
		struct rte_mbuf *m = mrnic_t_pkt(mp, MP_LEN, 2, seed + i);

		if (m == NULL || rte_eth_tx_burst(port, q, &m, 1) != 1)
			ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_read_until(c, "received", last, sizeof(last));
	if (ret == TEST_SUCCESS) {
		snprintf(want, sizeof(want), "received %u ok %u", n, n);
		if (strcmp(last, want) != 0) {
			printf("    FAIL: secondary: %s (want %s)\n", last, want);
			ret = TEST_FAILED;
		}
	}
	return ret;
}
