/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Unmapping memory while another thread keeps transmitting from it: once
 * rte_dev_dma_unmap() has returned the device never reads the range again.
 * The test makes the memory unreadable (PROT_NONE) right after every
 * unmap, so a late read would crash it; packets that did go out carry
 * exactly the bytes of their buffer.
 */

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <rte_extmem.h>

#include "test.h"
#include "test_dma_util.h"
#include "test_mrnic_util.h"

#define DROOM 2048
#define SLOT 4096
#define NSLOT 64
#define PLEN 1200
#define ITERS 300

struct inflight {
	struct mrnic_t_pair *p;
	struct rte_mempool *mp;
	uint8_t *buf;
	struct rte_mbuf_ext_shared_info shinfo;
	volatile int stop;
	uint64_t sent;
	uint64_t ok;
	uint64_t bad;
	uint8_t pat[NSLOT][PLEN];	/* what each slot holds */
};

static void
noop_free_cb(void *addr __rte_unused, void *opaque __rte_unused)
{
}

static void *
traffic_thread(void *arg)
{
	struct inflight *t = arg;
	struct rte_mbuf *m[32], *r[32];
	unsigned int i, n, slot = 0;

	while (!t->stop) {
		for (n = 0; n < RTE_DIM(m); n++) {
			m[n] = rte_pktmbuf_alloc(t->mp);
			if (m[n] == NULL)
				break;
			rte_mbuf_ext_refcnt_update(&t->shinfo, 1);
			/* the CPU never touches the data, only the device */
			rte_pktmbuf_attach_extbuf(m[n],
				t->buf + (size_t)slot * SLOT, RTE_BAD_IOVA, SLOT,
				&t->shinfo);
			m[n]->data_off = 0;
			m[n]->data_len = PLEN;
			m[n]->pkt_len = PLEN;
			slot = (slot + 1) % NSLOT;
		}
		t->sent += rte_eth_tx_burst(t->p->port[0], 0, m, (uint16_t)n);
		n = rte_eth_rx_burst(t->p->port[1], 0, r, RTE_DIM(r));
		for (i = 0; i < n; i++) {
			uint8_t got[PLEN];
			const uint8_t *d = rte_pktmbuf_read(r[i], 0, PLEN, got);
			unsigned int s;
			bool match = false;

			/* which slot: any slot's bytes must match exactly */
			for (s = 0; d != NULL && r[i]->pkt_len == PLEN &&
					s < NSLOT && !match; s++)
				match = memcmp(d, t->pat[s], PLEN) == 0;
			if (match)
				t->ok++;
			else
				t->bad++;
			rte_pktmbuf_free(r[i]);
		}
	}
	return NULL;
}

static int
inflight(const char *mode)
{
	struct mrnic_t_pair p;
	struct rte_eth_dev_info info;
	struct rte_mempool *mp;
	static struct inflight t;
	struct test_ureg u;
	pthread_t th;
	rte_iova_t iova;
	unsigned int i;
	uint64_t faults;
	char tag[32], name[64];
	int ret = TEST_FAILED;

	memset(&t, 0, sizeof(t));
	snprintf(name, sizeof(name), "mrnic_if_%s", mode);
	mp = mrnic_t_pool(name, 2048, DROOM);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	snprintf(name, sizeof(name), "mrnic_ifr_%s", mode);
	if (test_ureg_create(&u, name, NSLOT * SLOT / TEST_PG, NULL,
			RTE_EXTMEM_REGION_F_NO_DEVMAP) == NULL) {
		rte_mempool_free(mp);
		TEST_ASSERT(0, "region: %s", rte_strerror(rte_errno));
	}
	for (i = 0; i < NSLOT; i++) {
		mrnic_t_pattern(t.pat[i], PLEN, 1000 + i);
		memcpy((uint8_t *)u.buf + (size_t)i * SLOT, t.pat[i], PLEN);
	}
	iova = rte_extmem_virt2iova(u.buf);
	snprintf(tag, sizeof(tag), "if%s", mode);
	if (mrnic_t_pair_create(&p, tag, mode, 1, 512, mp, mp, false) !=
			TEST_SUCCESS || rte_eth_dev_info_get(p.port[0], &info) != 0)
		goto out;

	t.p = &p;
	t.mp = mp;
	t.buf = u.buf;
	t.shinfo.free_cb = noop_free_cb;
	rte_mbuf_ext_refcnt_set(&t.shinfo, 1);
	TEST_ASSERT_EQ(mprotect(u.buf, u.len, PROT_NONE), 0, "mprotect");
	TEST_ASSERT_EQ(pthread_create(&th, NULL, traffic_thread, &t), 0,
		"thread");
	for (i = 0; i < ITERS; i++) {
		if (mprotect(u.buf, u.len, PROT_READ) != 0 ||
				rte_dev_dma_map(info.device, u.buf, iova,
					u.len) != 0) {
			TEST_LOG("map %u: %s", i, rte_strerror(rte_errno));
			break;
		}
		rte_delay_us_sleep(300);
		if (rte_dev_dma_unmap(info.device, u.buf, iova, u.len) != 0) {
			TEST_LOG("unmap %u: %s", i, rte_strerror(rte_errno));
			break;
		}
		/* any read by the device from now on is a crash */
		if (mprotect(u.buf, u.len, PROT_NONE) != 0)
			break;
		rte_delay_us_sleep(100);
	}
	t.stop = 1;
	pthread_join(th, NULL);
	mprotect(u.buf, u.len, PROT_READ | PROT_WRITE);
	TEST_ASSERT_EQ(i, ITERS, "every map/unmap cycle");
	faults = mrnic_t_xstat(p.port[0], "tx_dma_fault_errors");
	TEST_LOG("%s: %u map/unmap cycles, %" PRIu64 " sent, %" PRIu64
		" received intact, %" PRIu64 " bad, %" PRIu64 " faults",
		mode, ITERS, t.sent, t.ok, t.bad, faults);
	TEST_ASSERT_EQ(t.bad, 0, "received bytes are the buffer's bytes");
	TEST_ASSERT_GT(t.ok, 0, "traffic flowed while mapped");
	TEST_ASSERT_GT(faults, 0, "traffic faulted while unmapped");
	TEST_ASSERT_EQ(rte_mbuf_ext_refcnt_read(&t.shinfo), 1,
		"every Tx mbuf completed");
	ret = TEST_SUCCESS;
out:
	mrnic_t_pair_destroy(&p);
	rte_mempool_free(mp);
	TEST_ASSERT_EQ(test_ureg_destroy(&u), 0, "destroy region");
	return ret;
}

REGISTER_EXTMEM_TEST_ARG(mrnic_unmap_inflight_cache, inflight, "cache", 0);
REGISTER_EXTMEM_TEST_ARG(mrnic_unmap_inflight_extmem, inflight, "extmem", 0);
