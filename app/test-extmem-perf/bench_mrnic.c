/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * mrnic: what a DMA device's own address translation costs per buffer and
 * per packet, net_mrnic's mr=cache (mlx5-style caches + sorted table) vs
 * mr=extmem (librte_extmem's O(1) table + the dma_map state) vs mr=off (no
 * validation), on the same buffers in one run:
 *   hot     buffers of one region (one MR: the queue's MRU hits)
 *   random  buffers spread at random over --mrnic-regions regions (more
 *           MRs than the 8-entry queue cache)
 * mrnic_xlate_<set>_<mode>_ns   per buffer, through a Tx queue's datapath
 *                               translation (rte_pmd_mrnic_xlate_burst)
 * mrnic_pkt_<set>_<mode>_ns     per 64-byte packet, Tx burst to the peer
 *                               and Rx burst back (source and Rx buffer
 *                               translated, copied, completed)
 * Regions are mapped to the ports by the DMA dispatcher (or explicitly
 * with rte_dev_dma_map() when it does not). Each figure is the best of
 * --repeat interleaved measures.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_extmem.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include <rte_pmd_mrnic.h>

#include "perf.h"

#define PG 4096UL
#define SLOT 2048UL		/* one buffer per 2K: never crosses a page */
#define BUF_LEN 1500
#define PKT_LEN 64
#define BURST 32
#define N_MODES 3
#define MAX_REGIONS 128

static const char *const modes[N_MODES] = { "cache", "extmem", "off" };

struct mrnic_bench {
	uint8_t *base;
	size_t len;
	unsigned int n_regions;
	struct rte_extmem_region *regs[MAX_REGIONS];
	size_t reg_len;
	const void **addrs[2];		/* hot, random */
	uint32_t *lens;
	rte_iova_t *iovas;
	size_t n;
	uint16_t port[N_MODES][2];
	bool created[N_MODES][2];	/* vdev probed, port known */
	bool started[N_MODES][2];
	/* regions we dma_map()ed ourselves (no dispatcher at work) */
	bool mapped[MAX_REGIONS][N_MODES][2];
	struct rte_mempool *mp;
	struct rte_mbuf_ext_shared_info shinfo;
	uint64_t min_ns, max_ns;
};

static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
			rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

/* Lookups in a port's table for both directions (its Rx and Tx buffers). */
static uint64_t
xstat_rxtx(uint16_t port, const char *name)
{
	char rx[RTE_ETH_XSTATS_NAME_SIZE], tx[RTE_ETH_XSTATS_NAME_SIZE];
	uint64_t r, t;

	snprintf(rx, sizeof(rx), "rx_%s", name);
	snprintf(tx, sizeof(tx), "tx_%s", name);
	r = xstat(port, rx);
	t = xstat(port, tx);
	return r == UINT64_MAX || t == UINT64_MAX ? UINT64_MAX : r + t;
}

static void
noop_free_cb(void *addr __rte_unused, void *opaque __rte_unused)
{
}

static int
ports_create(struct mrnic_bench *b)
{
	struct rte_eth_conf conf;
	char name[64], args[96];
	unsigned int m, i;

	memset(&conf, 0, sizeof(conf));
	for (m = 0; m < N_MODES; m++) {
		for (i = 0; i < 2; i++) {
			snprintf(name, sizeof(name), "net_mrnic_perf%s%u",
				modes[m], i);
			snprintf(args, sizeof(args), "mr=%s,peer=net_mrnic_perf%s%u",
				modes[m], modes[m], 1 - i);
			if (rte_vdev_init(name, args) != 0) {
				PERF_LOG("cannot create %s", name);
				return -1;
			}
			if (rte_eth_dev_get_port_by_name(name,
					&b->port[m][i]) != 0) {
				PERF_LOG("no port for %s", name);
				rte_vdev_uninit(name);
				return -1;
			}
			b->created[m][i] = true;
		}
		for (i = 0; i < 2; i++) {
			uint16_t p = b->port[m][i];

			if (rte_eth_dev_configure(p, 1, 1, &conf) != 0 ||
					rte_eth_rx_queue_setup(p, 0, 1024,
						SOCKET_ID_ANY, NULL, b->mp) != 0 ||
					rte_eth_tx_queue_setup(p, 0, 1024,
						SOCKET_ID_ANY, NULL) != 0) {
				PERF_LOG("cannot set up port %u", p);
				return -1;
			}
		}
		for (i = 0; i < 2; i++) {
			if (rte_eth_dev_start(b->port[m][i]) != 0) {
				PERF_LOG("cannot start port %u",
					b->port[m][i]);
				return -1;
			}
			b->started[m][i] = true;
		}
	}
	return 0;
}

static void
ports_stop(struct mrnic_bench *b)
{
	unsigned int m, i;
	int ret;

	for (m = 0; m < N_MODES; m++)
		for (i = 0; i < 2; i++) {
			if (!b->started[m][i])
				continue;
			ret = rte_eth_dev_stop(b->port[m][i]);
			if (ret != 0)
				PERF_LOG("cannot stop port %u: %s",
					b->port[m][i], rte_strerror(-ret));
			b->started[m][i] = false;
		}
}

/* Stopped ports: close them (vdev removal) and release their vdevs. */
static void
ports_destroy(struct mrnic_bench *b)
{
	char name[64];
	unsigned int m, i;

	for (m = 0; m < N_MODES; m++)
		for (i = 0; i < 2; i++) {
			if (!b->created[m][i])
				continue;
			snprintf(name, sizeof(name), "net_mrnic_perf%s%u",
				modes[m], i);
			if (rte_vdev_uninit(name) != 0)
				PERF_LOG("cannot remove %s", name);
			b->created[m][i] = false;
		}
}

/* Undo our own dma_map() of region r; ports still present. */
static void
region_unmap(struct mrnic_bench *b, unsigned int r)
{
	struct rte_eth_dev_info info;
	uint8_t *a = b->base + r * b->reg_len;
	unsigned int m, i;

	for (m = 0; m < N_MODES; m++)
		for (i = 0; i < 2; i++) {
			if (!b->mapped[r][m][i])
				continue;
			if (rte_eth_dev_info_get(b->port[m][i], &info) != 0 ||
					rte_dev_dma_unmap(info.device, a,
						rte_extmem_virt2iova(a),
						b->reg_len) != 0)
				PERF_LOG("dma_unmap region %u on port %u: %s",
					r, b->port[m][i],
					rte_strerror(rte_errno));
			b->mapped[r][m][i] = false;
		}
}

/* Regions over our memory; mapped on every port by the dispatcher. */
static int
regions_create(struct mrnic_bench *b)
{
	struct rte_extmem_region_params p;
	struct rte_eth_dev_info info;
	char name[RTE_EXTMEM_NAMESIZE];
	unsigned int r, m, i;

	b->reg_len = RTE_ALIGN_FLOOR(b->len / b->n_regions, PG);
	for (r = 0; r < b->n_regions; r++) {
		uint8_t *a = b->base + r * b->reg_len;

		snprintf(name, sizeof(name), "perf_mrnic_%u", r);
		perf_user_params(&p, name, a, b->reg_len);
		b->regs[r] = rte_extmem_region_create(&p);
		if (b->regs[r] == NULL) {
			PERF_LOG("region %u: %s", r, rte_strerror(rte_errno));
			return -1;
		}
		for (m = 0; m < N_MODES; m++)
			for (i = 0; i < 2; i++) {
				uint16_t port = b->port[m][i];

				if (rte_pmd_mrnic_dma_mapped(port, a,
						b->reg_len) == 1)
					continue;
				/* no dispatcher at work: map it ourselves */
				if (rte_eth_dev_info_get(port, &info) != 0 ||
						rte_dev_dma_map(info.device, a,
							rte_extmem_virt2iova(a),
							b->reg_len) != 0) {
					PERF_LOG("dma_map region %u on port "
						"%u: %s", r, port,
						rte_strerror(rte_errno));
					return -1;
				}
				b->mapped[r][m][i] = true;
			}
	}
	return 0;
}

static void
addrs_fill(struct mrnic_bench *b)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t slots_reg = b->reg_len / SLOT, i;
	size_t slots_all = slots_reg * b->n_regions;
	size_t hot = RTE_MIN(slots_reg, (size_t)4096);

	for (i = 0; i < b->n; i++) {
		size_t s;

		perf_rand(&x);
		/* hot: a few thousand buffers of region 0 */
		b->addrs[0][i] = b->base + (x % hot) * SLOT;
		s = (x >> 20) % slots_all;
		b->addrs[1][i] = b->base + (s / slots_reg) * b->reg_len +
			(s % slots_reg) * SLOT;
		b->lens[i] = BUF_LEN;
	}
}

/* ns per buffer through port's Tx queue 0 translation. */
static double
measure_xlate(struct mrnic_bench *b, uint16_t port, const void **addrs,
	uint64_t *bad)
{
	uint64_t t0 = perf_now_ns(), el, done = 0;
	size_t i = 0;

	do {
		size_t k = RTE_MIN((size_t)BURST, b->n - i);
		int ret;

		ret = rte_pmd_mrnic_xlate_burst(port, 0, addrs + i,
			b->lens + i, b->iovas + i, (unsigned int)k);
		if (ret != (int)k)
			(*bad) += k - (ret < 0 ? 0 : (unsigned int)ret);
		done += k;
		i += k;
		if (i == b->n)
			i = 0;
		el = perf_now_ns() - t0;
	} while (el < b->max_ns && (el < b->min_ns || done < b->n));
	return (double)el / (double)done;
}

/* ns per packet: extbuf mbufs over the buffers, Tx to the peer, Rx. */
static double
measure_pkt(struct mrnic_bench *b, unsigned int m, const void **addrs,
	uint64_t *bad)
{
	struct rte_mbuf *tx[BURST], *rx[BURST];
	uint64_t t0 = perf_now_ns(), el = 0, done = 0;
	uint16_t p0 = b->port[m][0], p1 = b->port[m][1];
	size_t i = 0;
	unsigned int k, got;

	do {
		if (rte_pktmbuf_alloc_bulk(b->mp, tx, BURST) != 0) {
			(*bad)++;
			break;
		}
		for (k = 0; k < BURST; k++) {
			rte_mbuf_ext_refcnt_update(&b->shinfo, 1);
			rte_pktmbuf_attach_extbuf(tx[k],
				(void *)(uintptr_t)addrs[i], RTE_BAD_IOVA,
				(uint16_t)SLOT, &b->shinfo);
			tx[k]->data_off = 0;
			tx[k]->data_len = PKT_LEN;
			tx[k]->pkt_len = PKT_LEN;
			if (++i == b->n)
				i = 0;
		}
		rte_eth_tx_burst(p0, 0, tx, BURST);
		got = rte_eth_rx_burst(p1, 0, rx, BURST);
		if (got != BURST)
			(*bad) += BURST - got;
		rte_pktmbuf_free_bulk(rx, got);
		done += BURST;
		el = perf_now_ns() - t0;
	} while (el < b->max_ns && (el < b->min_ns || done < b->n));
	return (double)el / (double)done;
}

static int
bench_setup(struct mrnic_bench *b, const struct perf_opts *o)
{
	size_t i;

	b->n_regions = (unsigned int)perf_opt_u64(o, "mrnic-regions", 64);
	b->len = RTE_ALIGN_FLOOR(o->mem_bytes, b->n_regions * PG);
	b->n = RTE_MAX((size_t)o->lookups / 16, (size_t)65536);
	b->min_ns = (uint64_t)(o->min_time * 1e9);
	b->max_ns = (uint64_t)(o->max_time * 1e9);
	b->base = mmap(NULL, b->len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b->base == MAP_FAILED) {
		b->base = NULL;
		PERF_LOG("mmap of %zu bytes failed", b->len);
		return -1;
	}
	madvise(b->base, b->len, MADV_NOHUGEPAGE);
	/* buffers hold frames for the broadcast MAC */
	for (i = 0; i < b->len; i += SLOT)
		memset(b->base + i, 0xff, 6);
	b->addrs[0] = malloc(sizeof(void *) * b->n);
	b->addrs[1] = malloc(sizeof(void *) * b->n);
	b->lens = malloc(sizeof(uint32_t) * b->n);
	b->iovas = malloc(sizeof(rte_iova_t) * b->n);
	if (b->addrs[0] == NULL || b->addrs[1] == NULL || b->lens == NULL ||
			b->iovas == NULL)
		return -1;
	b->mp = rte_pktmbuf_pool_create("perf_mrnic", 8192, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (b->mp == NULL) {
		PERF_LOG("mbuf pool: %s", rte_strerror(rte_errno));
		return -1;
	}
	b->shinfo.free_cb = noop_free_cb;
	rte_mbuf_ext_refcnt_set(&b->shinfo, 1);
	if (ports_create(b) != 0 || regions_create(b) != 0)
		return -1;
	addrs_fill(b);
	return 0;
}

static void
bench_teardown(struct mrnic_bench *b)
{
	unsigned int r;

	/* Stop the ports, then unmap and destroy the regions while the
	 * ports exist (the dispatcher unmaps them there), then close and
	 * remove the ports, and only then free the pool their queues used.
	 */
	ports_stop(b);
	for (r = 0; r < b->n_regions && r < MAX_REGIONS; r++) {
		region_unmap(b, r);
		if (b->regs[r] != NULL &&
				rte_extmem_region_destroy(b->regs[r]) != 0)
			PERF_LOG("cannot destroy region %u: %s", r,
				rte_strerror(rte_errno));
		b->regs[r] = NULL;
	}
	ports_destroy(b);
	rte_mempool_free(b->mp);
	b->mp = NULL;
	if (b->base != NULL)
		munmap(b->base, b->len);
	free(b->addrs[0]);
	free(b->addrs[1]);
	free(b->lens);
	free(b->iovas);
}

/* Every mode translates every buffer, to the region's IOVA. */
static uint64_t
check_xlate(struct mrnic_bench *b)
{
	uint64_t bad = 0;
	unsigned int m, s;
	size_t i;

	for (m = 0; m < 2; m++)
		for (s = 0; s < 2; s++) {
			if (rte_pmd_mrnic_xlate_burst(b->port[m][0], 0,
					b->addrs[s], b->lens, b->iovas,
					(unsigned int)RTE_MIN(b->n, (size_t)4096))
					!= (int)RTE_MIN(b->n, (size_t)4096))
				bad++;
			for (i = 0; i < RTE_MIN(b->n, (size_t)4096); i++)
				if (b->iovas[i] !=
						rte_extmem_virt2iova(b->addrs[s][i]))
					bad++;
		}
	return bad;
}

static int
bench_mrnic(const struct perf_opts *o, struct perf_result *res)
{
	static const char *const sets[2] = { "hot", "random" };
	double x[2][N_MODES], p[2][N_MODES];
	struct mrnic_bench b;
	uint64_t bad = 0, bad_pkt = 0;
	char key[96];
	unsigned int m, s, r;
	int ret = -1;

	memset(&b, 0, sizeof(b));
	if (bench_setup(&b, o) != 0)
		goto out;
	bad = check_xlate(&b);
	/* modes interleaved, best of --repeat: other load on the machine
	 * hits every mode alike
	 */
	for (r = 0; r < o->repeat; r++)
		for (s = 0; s < 2; s++)
			for (m = 0; m < N_MODES; m++) {
				double v;

				v = measure_xlate(&b, b.port[m][0], b.addrs[s],
					&bad);
				x[s][m] = r == 0 ? v : RTE_MIN(x[s][m], v);
				v = measure_pkt(&b, m, b.addrs[s], &bad_pkt);
				p[s][m] = r == 0 ? v : RTE_MIN(p[s][m], v);
			}

	perf_result_u64(res, "mrnic_regions", b.n_regions);
	perf_result_u64(res, "mrnic_region_mb", b.reg_len >> 20);
	perf_result_u64(res, "mrnic_buffers", b.n);
	perf_result_str(res, "mrnic_iova_mode",
		rte_eal_iova_mode() == RTE_IOVA_VA ? "va" : "pa");
	for (m = 0; m < 2; m++) {
		snprintf(key, sizeof(key), "mrnic_mr_entries_%s", modes[m]);
		perf_result_u64(res, key, xstat(b.port[m][0], "mr_entries"));
		snprintf(key, sizeof(key), "mrnic_mr_cache_miss_%s", modes[m]);
		perf_result_u64(res, key,
			xstat_rxtx(b.port[m][0], "mr_cache_misses"));
		snprintf(key, sizeof(key), "mrnic_mr_cache_hit_%s", modes[m]);
		perf_result_u64(res, key,
			xstat_rxtx(b.port[m][0], "mr_cache_hits"));
	}
	for (s = 0; s < 2; s++) {
		for (m = 0; m < N_MODES; m++) {
			snprintf(key, sizeof(key), "mrnic_xlate_%s_%s_ns",
				sets[s], modes[m]);
			perf_result_f64(res, key, x[s][m]);
		}
		for (m = 0; m < N_MODES; m++) {
			snprintf(key, sizeof(key), "mrnic_pkt_%s_%s_ns",
				sets[s], modes[m]);
			perf_result_f64(res, key, p[s][m]);
		}
		snprintf(key, sizeof(key), "mrnic_xlate_%s_cache_vs_extmem",
			sets[s]);
		perf_result_f64(res, key, x[s][0] / x[s][1]);
		snprintf(key, sizeof(key),
			"mrnic_pkt_%s_xlate_cost_cache_ns", sets[s]);
		perf_result_f64(res, key, p[s][0] - p[s][2]);
		snprintf(key, sizeof(key),
			"mrnic_pkt_%s_xlate_cost_extmem_ns", sets[s]);
		perf_result_f64(res, key, p[s][1] - p[s][2]);
	}
	perf_result_u64(res, "mrnic_xlate_errors", bad);
	perf_result_u64(res, "mrnic_pkt_lost", bad_pkt);
	ret = bad == 0 && bad_pkt == 0 ? 0 : -1;
	if (ret != 0)
		PERF_LOG("%" PRIu64 " translation errors, %" PRIu64
			" packets lost", bad, bad_pkt);
out:
	bench_teardown(&b);
	return ret;
}

static const struct perf_opt_def mrnic_opts[] = {
	{ .name = "mrnic-regions", .min = 1, .max = MAX_REGIONS },
	{ .name = NULL },
};

REGISTER_PERF_BENCH_OPTS(mrnic, bench_mrnic,
	"net_mrnic translation per buffer and per packet: mr=cache vs "
	"mr=extmem vs mr=off, one hot region and random buffers over "
	"--mrnic-regions N (64)", mrnic_opts);
