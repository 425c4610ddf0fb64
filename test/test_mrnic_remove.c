/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * net_mrnic leaving: the vdev removed while its port runs and its peer
 * keeps transmitting into it (no stop or close by the application), and
 * a port the application closed before the vdev is removed. Either way
 * the peer loops back, every mbuf the port held is back in its pool, a
 * region mapped to the port can still be destroyed, and the name can be
 * probed again (the port's domain reference and declaration are gone).
 */

#include <pthread.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include <rte_extmem.h>
#include <rte_pmd_mrnic.h>

#include "test.h"
#include "test_dma_util.h"
#include "test_mrnic_util.h"

#define NB_MBUF 2048
#define PLEN 256

struct tx_loop {
	struct rte_mempool *mp;
	uint16_t port;
	volatile int stop;
	uint64_t sent;
	uint64_t received;
};

/* Transmit on the surviving port and free what comes back, until told. */
static void *
tx_loop_thread(void *arg)
{
	struct tx_loop *t = arg;
	struct rte_mbuf *m[32];
	uint16_t n, i, sent;

	while (!t->stop) {
		for (n = 0; n < RTE_DIM(m); n++) {
			m[n] = mrnic_t_pkt(t->mp, PLEN, 1, n);
			if (m[n] == NULL)
				break;
		}
		sent = rte_eth_tx_burst(t->port, 0, m, n);
		t->sent += sent;
		for (i = sent; i < n; i++)
			rte_pktmbuf_free(m[i]);
		n = rte_eth_rx_burst(t->port, 0, m, RTE_DIM(m));
		t->received += n;
		for (i = 0; i < n; i++)
			rte_pktmbuf_free(m[i]);
	}
	return NULL;
}

static int
peer_is(uint16_t port, uint16_t want)
{
	uint16_t q;

	TEST_ASSERT_EQ(rte_pmd_mrnic_peer(port, &q), 0, "peer of %u", port);
	TEST_ASSERT_EQ(q, want, "peer of port %u", port);
	return TEST_SUCCESS;
}

/* The pool of a case: "mrnic_<what>_<mode>". */
static struct rte_mempool *
case_pool(const char *what, const char *mode)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "mrnic_%s_%s", what, mode);
	return mrnic_t_pool(name, NB_MBUF, 2048);
}

/* The started pair of a case, tagged "<what><mode>", Rx from mp. */
static int
case_pair(struct mrnic_t_pair *p, const char *what, const char *mode,
	uint16_t nq, struct rte_mempool *mp)
{
	char tag[16];

	snprintf(tag, sizeof(tag), "%s%s", what, mode);
	return mrnic_t_pair_create(p, tag, mode, nq, 256, mp, mp, false);
}

/* p's second vdev probed again (extra devargs after mr and peer): it
 * pairs with the first as before.
 */
static int
reprobe_paired(const struct mrnic_t_pair *p, const char *mode,
	const char *extra)
{
	uint16_t port;

	TEST_RUN(mrnic_t_probe(p->name[1], mode, p->name[0], extra, &port));
	return peer_is(p->port[0], port);
}

/* The vdev of a started port removed under traffic from its peer. */
static int
remove_started(const char *mode)
{
	struct mrnic_t_pair p;
	struct rte_mempool *mp;
	struct test_ureg u;
	static struct tx_loop t;
	pthread_t th;
	uint16_t port;
	char name[64];
	int ret = TEST_FAILED;

	mp = case_pool("rms", mode);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	/* mapped to every device, the removed one included */
	snprintf(name, sizeof(name), "mrnic_rmsr_%s", mode);
	if (test_ureg_create(&u, name, 16, NULL, 0) == NULL) {
		rte_mempool_free(mp);
		TEST_ASSERT(0, "region: %s", rte_strerror(rte_errno));
	}
	if (case_pair(&p, "rms", mode, 1, mp) != TEST_SUCCESS)
		goto out;
	if (mrnic_t_roundtrip(mp, p.port[0], 0, p.port[1], 0, 8, PLEN, 1, 1))
		goto out;
	/* packets left in the removed port's Rx queue */
	if (mrnic_t_roundtrip(mp, p.port[1], 0, p.port[0], 0, 4, PLEN, 1, 2))
		goto out;

	memset(&t, 0, sizeof(t));
	t.mp = mp;
	t.port = p.port[0];
	TEST_ASSERT_EQ(pthread_create(&th, NULL, tx_loop_thread, &t), 0,
		"thread");
	while (__atomic_load_n(&t.sent, __ATOMIC_RELAXED) < 1000)
		rte_pause();
	ret = rte_vdev_uninit(p.name[1]);
	/* the survivor keeps going, into its own Rx queue now */
	while (__atomic_load_n(&t.received, __ATOMIC_RELAXED) == 0)
		rte_pause();
	t.stop = 1;
	pthread_join(th, NULL);
	TEST_ASSERT_EQ(ret, 0, "remove of a started port");
	ret = TEST_FAILED;
	TEST_ASSERT_NE(rte_eth_dev_get_port_by_name(p.name[1], &port), 0,
		"port released");
	TEST_ASSERT(!rte_eth_dev_is_valid_port(p.port[1]), "port id free");
	if (peer_is(p.port[0], p.port[0]))
		goto out;
	mrnic_t_drain(p.port[0], 1);
	if (mrnic_t_roundtrip(mp, p.port[0], 0, p.port[0], 0, 8, PLEN, 1, 3))
		goto out;
	/* the name again: pairs with the survivor as before */
	if (reprobe_paired(&p, mode, ""))
		goto out;
	ret = TEST_SUCCESS;
out:
	mrnic_t_pair_destroy(&p);
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "region destroyed after its "
		"device went");
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), NB_MBUF, "every mbuf back");
	rte_mempool_free(mp);
	return ret;
}

/* The application closes a port (stop first), then the vdev goes. */
static int
close_then_remove(const char *mode)
{
	struct mrnic_t_pair p;
	struct rte_mempool *mp;
	struct rte_mbuf *m;
	uint16_t port;
	char extra[48];
	int ret = TEST_FAILED;

	mp = case_pool("rmc", mode);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	if (case_pair(&p, "rmc", mode, 2, mp) != TEST_SUCCESS)
		goto out;
	if (mrnic_t_roundtrip(mp, p.port[1], 1, p.port[0], 1, 4, PLEN, 1, 4))
		goto out;
	if (mrnic_t_roundtrip(mp, p.port[0], 0, p.port[1], 0, 4, PLEN, 1, 5))
		goto out;
	/* left in port 1's Rx queue 0 for the close op to free */
	m = mrnic_t_pkt(mp, PLEN, 1, 6);
	TEST_ASSERT_NOT_NULL(m, "pkt");
	TEST_ASSERT_EQ(rte_eth_tx_burst(p.port[0], 0, &m, 1), 1, "Tx");
	TEST_ASSERT_NE(rte_eth_dev_close(p.port[1]), 0,
		"ethdev refuses to close a started port");
	TEST_ASSERT(rte_eth_dev_is_valid_port(p.port[1]), "still there");
	if (mrnic_t_roundtrip(mp, p.port[0], 1, p.port[1], 1, 4, PLEN, 1, 7))
		goto out;
	TEST_ASSERT_EQ(rte_eth_dev_stop(p.port[1]), 0, "stop");
	TEST_ASSERT_EQ(rte_eth_dev_close(p.port[1]), 0, "close");
	TEST_ASSERT(!rte_eth_dev_is_valid_port(p.port[1]),
		"close released the port");
	if (peer_is(p.port[0], p.port[0]))
		goto out;
	TEST_ASSERT_EQ(rte_vdev_uninit(p.name[1]), 0, "remove after close");
	TEST_ASSERT_NE(rte_vdev_uninit(p.name[1]), 0, "the vdev is gone");
	/* own domain: a stale reference or declaration refuses other
	 * parameters (EEXIST)
	 */
	snprintf(extra, sizeof(extra), ",domain=rmc_%s", mode);
	TEST_RUN(mrnic_t_probe(p.name[1], mode, p.name[0], extra, &port));
	TEST_ASSERT_EQ(rte_eth_dev_close(port), 0, "close never started");
	TEST_ASSERT_EQ(rte_vdev_uninit(p.name[1]), 0, "remove");
	/* the domain went with its last port */
	snprintf(extra, sizeof(extra), ",domain=rmc_%s,domain_entries=16",
		mode);
	if (reprobe_paired(&p, mode, extra))
		goto out;
	ret = TEST_SUCCESS;
out:
	mrnic_t_pair_destroy(&p);
	TEST_ASSERT_EQ(rte_mempool_avail_count(mp), NB_MBUF, "every mbuf back");
	rte_mempool_free(mp);
	return ret;
}

static int
test_mrnic_remove(const char *mode)
{
	TEST_RUN(remove_started(mode));
	TEST_RUN(close_then_remove(mode));
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST_ARG(mrnic_remove_cache, test_mrnic_remove, "cache", 0);
REGISTER_EXTMEM_TEST_ARG(mrnic_remove_extmem, test_mrnic_remove, "extmem",
	0);
