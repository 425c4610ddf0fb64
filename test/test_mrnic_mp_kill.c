/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * mrnic_mp_kill and mrnic_mp_kill_section: a secondary killed while it
 * transmits, and one that dies inside a burst; the primary's ports keep
 * working and close.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
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
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_string_fns.h>

#include "test.h"
#include "test_mp_util.h"
#include "test_mrnic_mp_primary.h"
#include "test_mrnic_util.h"

static void
ring_quiet(struct rte_mempool *mp, void *arg)
{
	const struct rte_ring *r = mp->pool_data;
	bool *quiet = arg;

	if (strncmp(mp->ops_index < RTE_MEMPOOL_MAX_OPS_IDX ?
			rte_mempool_get_ops(mp->ops_index)->name : "", "ring_",
			5) != 0 || r == NULL)
		return;
	if (r->prod.head != r->prod.tail || r->cons.head != r->cons.tail)
		*quiet = false;
}

/*
 * SIGKILL the secondary where it is inside no operation on a pool's ring.
 * A process killed between moving a ring's head and its tail leaves the
 * ring waiting for it forever (DPDK's rings, any process, any PMD): every
 * later get or put of that pool, and rte_mempool_free() which empties the
 * ring, then spins. That is the ring's limit, not this test's point: the
 * process is stopped, every pool's ring checked, and the process killed
 * while still stopped, or let run on and stopped again a moment later.
 */
static void
kill_outside_ring_ops(pid_t pid)
{
	unsigned int tries;
	bool quiet;

	for (tries = 0; tries < 1000; tries++) {
		if (test_mp_proc_stop(pid) != 0)
			break;
		quiet = true;
		rte_mempool_walk(ring_quiet, &quiet);
		if (quiet)
			break;
		kill(pid, SIGCONT);
		usleep((unsigned int)(rand() % 500));
	}
	kill(pid, SIGKILL);
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
	struct mrnic_mp_ctx c;
	char cmds[128];
	unsigned int round;
	uint16_t a, b;
	int ret = TEST_SUCCESS, st;

	TEST_RUN(mrnic_mp_skip());
	TEST_RUN(mrnic_mp_init(&c, mode));
	a = c.pair.port[0];
	b = c.pair.port[1];
	for (round = 0; round < RTE_DIM(fresh) && ret == TEST_SUCCESS;
			round++) {
		char name[32];

		snprintf(cmds, sizeof(cmds), "txloop %u 1 %u mrnic_mp_tx", a,
			MP_LEN);
		ret = mrnic_mp_spawn(&c, cmds);
		if (ret == TEST_SUCCESS)
			ret = mrnic_mp_read_until(&c, "ready", NULL, 0);
		if (ret != TEST_SUCCESS)
			break;
		/* the primary drains what arrives meanwhile */
		usleep(1000 + 7919 * round);
		mrnic_t_drain(b, MP_NQ);
		kill_outside_ring_ops(c.pid);
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
		ret = mrnic_mp_spawn(&c, cmds);
		if (ret == TEST_SUCCESS)
			ret = mrnic_mp_read_until(&c, "ready", NULL, 0);
		kill_outside_ring_ops(c.pid);
		waitpid(c.pid, NULL, 0);
		c.pid = 0;
	}
	if (ret == TEST_SUCCESS && (rte_eth_dev_stop(a) != 0 ||
			rte_eth_dev_stop(b) != 0 || rte_eth_dev_close(a) != 0 ||
			rte_eth_dev_close(b) != 0)) {
		printf("    FAIL: stop/close after the kill\n");
		ret = TEST_FAILED;
	}
	mrnic_mp_fini(&c);
	for (round = 0; round < RTE_DIM(fresh); round++)
		rte_mempool_free(fresh[round]);
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
	struct mrnic_mp_ctx c;
	char cmds[64];
	uint16_t a, b;
	int ret, st = 0;

	TEST_RUN(mrnic_mp_skip());
	TEST_RUN(mrnic_mp_init(&c, "off"));
	a = c.pair.port[0];
	b = c.pair.port[1];
	snprintf(cmds, sizeof(cmds), "txcrash %u 1", a);
	ret = mrnic_mp_spawn(&c, cmds);
	if (ret == TEST_SUCCESS)
		ret = mrnic_mp_read_until(&c, "crashing", NULL, 0);
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
	mrnic_mp_fini(&c);
	return ret;
}

REGISTER_EXTMEM_TEST_ARG(mrnic_mp_kill, test_mrnic_mp_kill, "cache",
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
REGISTER_EXTMEM_TEST(mrnic_mp_kill_section, test_mrnic_mp_kill_section,
	EXTMEM_TEST_F_NEEDS_HUGE | EXTMEM_TEST_F_MULTIPROC);
