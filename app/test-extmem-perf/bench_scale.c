/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * scale: how translation and registration hold as registered memory
 * grows, per page size, against a flat per-page IOVA array (the floor) on
 * the same addresses in the same run. The memory is device memory
 * (PROT_NONE reservation, never touched, IOVA table given), so a TiB can
 * be registered on a small machine; EAL's own per-page memseg array is
 * what limits the small pages (--scale-4k-max-gb, --scale-64k-max-gb).
 *
 * Size curve: for page sizes 4K, 64K, 2M, 1G and registered sizes 1, 16,
 * 64, 256 and 1024 GiB (up to --scale-max-gb), one region, IOVAs either
 * scattered (no two neighbouring pages IOVA-contiguous: what physical
 * pages look like) or linear (what IOVA-as-VA and a device's own linear
 * window look like). Keys scale_<pg>_<N>g_<iova>_<what>:
 *   create_ms, destroy_ms   rte_extmem_region_create() / _destroy()
 *   table_bytes             rte_extmem_limits::xlate_mem growth
 *   flat_bytes              a flat array of one IOVA per page
 *   table_vs_flat           table_bytes / flat_bytes
 *   extmem_ns, flat_ns      rte_extmem_virt2iova() and the flat array on
 *                           random addresses over the whole range,
 *                           independent lookups (throughput)
 *   extmem_vs_flat          median of the per-chunk ratios (chunks of
 *                           4096 lookups, the two methods alternating)
 *   hot_extmem_ns, hot_flat_ns, hot_vs_flat  the same over its first
 *                           16 MiB (a reused buffer pool)
 *   dep_*, hot_dep_*        the same three as a dependent chain (each
 *                           address depends on the previous answer:
 *                           latency)
 *   flat_bc_ns, extmem_vs_flat_bc, hot_flat_bc_ns, hot_vs_flat_bc,
 *   dep_flat_bc_ns, dep_vs_flat_bc, hot_dep_flat_bc_ns, hot_dep_vs_flat_bc
 *                           the four measures again against the flat
 *                           array with the bounds check a lookup of any
 *                           address needs (not the floor)
 * With --scale-dma 1, two net_mrnic ports (mr=extmem and mr=cache) get
 * every region mapped by the DMA dispatcher:
 *   dma_map_calls, dma_map_ms  rte_dev_dma_map() calls made to the
 *                           mr=extmem port (one per IOVA-contiguous run),
 *                           and create_ms minus the same create with
 *                           automatic mapping off (both ports; made
 *                           first, twice when cheap, best of each)
 *   dma_unmap_ms            destroy_ms minus the same destroy unmapped
 *   mrnic_extmem_ns, mrnic_cache_ns  a port's own translation of 64-byte
 *                           buffers at the random addresses, through a Tx
 *                           queue's datapath (rte_pmd_mrnic_xlate_burst,
 *                           bursts of 32): mr=extmem reads librte_extmem's
 *                           table, mr=cache its queue cache and sorted
 *                           table of every mapped run
 *   mrnic_cache_vs_extmem
 * Region-count curve: 16 GiB (4K, 64K) or 64 GiB (2M, 1G) of scattered
 * IOVAs split into 1, 64 and the most regions EAL accepts (its memseg
 * lists; found by trying): scale_<pg>_<N>g_r<k>_<what>, same keys.
 * scale_region_limit is that most. Every lookup of every method is
 * checked against the region's IOVA table first (scale_mismatches).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_extmem.h>
#include <rte_extmem_devmap.h>
#include <rte_extmem_limits.h>
#include <rte_memory.h>

#include <rte_pmd_mrnic.h>

#include "perf.h"

/* Bytes the translation table holds (rte_extmem_limits::xlate_mem). */
static size_t
table_bytes(void)
{
	struct rte_extmem_limits l;

	return rte_extmem_limits_get(&l) == 0 ? (size_t)l.xlate_mem : 0;
}

/* Creations without device mapping cheaper than this are made twice. */
#define NODMA_TWICE_MS 200.0
#define GIB (1ULL << 30)
#define HOT_LEN (16ULL << 20)
#define IOVA_BASE 0x100000000000ULL	/* 16 TiB, aligned to any page */
#define MAX_REGS 1024
#define MAX_ROUNDS 15
#define CHUNK 4096
#define MRNIC_BURST 32
#define MRNIC_BUF 64

/* The two mrnic ports regions are mapped to (--scale-dma 1). */
struct scale_dma {
	const char *name[2];	/* mr=extmem, mr=cache */
	uint16_t port[2];
	bool created[2];
};

struct scale_run {
	uint8_t *base;		/* GiB-aligned PROT_NONE reservation */
	size_t len;
	size_t pg;
	unsigned int shift;
	size_t n_pages;
	bool linear;
	unsigned int n_regs;
	struct rte_extmem_region *regs[MAX_REGS];
	rte_iova_t *flat;	/* IOVA of every page: the table given, and
				 * the flat array measured */
	const void **cold, **hot;
	size_t n_addrs;
	uint64_t cap_ns;
};

/* Where the next reservation is asked for (a hint: 32 TiB upwards). */
static uintptr_t next_va = 0x200000000000ULL;

static inline rte_iova_t
flat_lookup(const struct scale_run *s, const void *a)
{
	uintptr_t off = (uintptr_t)a - (uintptr_t)s->base;

	return s->flat[off >> s->shift] + (off & (s->pg - 1));
}

/* The flat array as a lookup that takes any address must use it: outside
 * the range, RTE_BAD_IOVA (a compare and a branch more). Not the floor:
 * it tells the cost of the check from the cost of the table.
 */
static inline rte_iova_t
flat_bc_lookup(const struct scale_run *s, const void *a)
{
	uintptr_t off = (uintptr_t)a - (uintptr_t)s->base;
	/* read before the branch, so that the compiler keeps them in
	 * registers across the loop as it does for flat_lookup()
	 */
	const rte_iova_t *flat = s->flat;
	unsigned int shift = s->shift;
	size_t mask = s->pg - 1;

	if (unlikely(off >= s->len))
		return RTE_BAD_IOVA;
	return flat[off >> shift] + (off & mask);
}

PERF_CHUNK_FNS(chunk_flat, struct scale_run, flat_lookup(c, a))
PERF_CHUNK_FNS(chunk_flat_bc, struct scale_run, flat_bc_lookup(c, a))
PERF_CHUNK_FNS(chunk_extmem, struct scale_run, rte_extmem_virt2iova(a))

/* A permutation of [0, n) for n a power of two: an odd multiplier; no two
 * neighbours map to neighbours, so no two pages are IOVA-contiguous.
 */
static inline size_t
scatter(size_t i, size_t n)
{
	return n == 1 ? 0 : (i * 0x9e3779b97f4a7c15ULL + 2) & (n - 1);
}

static int
run_reserve(struct scale_run *s, size_t len, size_t pg, bool linear,
	uint64_t lookups)
{
	size_t i;
	uint8_t *p;

	memset(s, 0, sizeof(*s));
	/* a range no earlier run used, so that the table's growth is this
	 * run's alone (a table may keep what an earlier run left)
	 */
	p = mmap((void *)next_va, len + GIB, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p != MAP_FAILED)
		next_va = RTE_MAX(next_va, (uintptr_t)p + len + 2 * GIB);
	if (p == MAP_FAILED) {
		PERF_LOG("reserving %zu GiB of address space: %s", len >> 30,
			strerror(errno));
		return -1;
	}
	s->base = RTE_PTR_ALIGN_CEIL(p, GIB);
	if (s->base != p)
		munmap(p, s->base - p);
	munmap(s->base + len, p + GIB - s->base);
	s->len = len;
	s->pg = pg;
	s->shift = __builtin_ctzll(pg);
	s->n_pages = len / pg;
	s->linear = linear;
	s->flat = malloc(sizeof(*s->flat) * s->n_pages);
	s->n_addrs = lookups;
	s->cold = malloc(sizeof(*s->cold) * lookups);
	s->hot = malloc(sizeof(*s->hot) * lookups);
	if (s->flat == NULL || s->cold == NULL || s->hot == NULL) {
		PERF_LOG("no memory for the IOVA table or addresses");
		return -1;
	}
	for (i = 0; i < s->n_pages; i++)
		s->flat[i] = IOVA_BASE + (linear ? i : scatter(i, s->n_pages)) *
			pg;
	return 0;
}

static void
run_release(struct scale_run *s)
{
	if (s->base != NULL)
		munmap(s->base, s->len);
	free(s->flat);
	free(s->cold);
	free(s->hot);
	s->base = NULL;
	s->flat = NULL;
	s->cold = s->hot = NULL;
}

/* Create n regions splitting [base, +len) in equal page multiples (the
 * last one takes the rest). Returns the number created (< n on failure).
 */
static unsigned int
regs_create(struct scale_run *s, unsigned int n)
{
	struct rte_extmem_region_params p;
	char name[RTE_EXTMEM_NAMESIZE];
	size_t per = (s->n_pages / n) * s->pg, off = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t len = i == n - 1 ? s->len - off : per;

		rte_extmem_region_params_init(&p);
		snprintf(name, sizeof(name), "perf_scale_%u", i);
		p.name = name;
		p.backing = RTE_EXTMEM_BACKING_DEVICE;
		p.addr = s->base + off;
		p.len = len;
		p.page_sz = s->pg;
		p.iovas = s->flat + off / s->pg;
		p.n_iovas = len / s->pg;
		s->regs[i] = rte_extmem_region_create(&p);
		if (s->regs[i] == NULL)
			break;
		off += len;
	}
	s->n_regs = i;
	return i;
}

static void
regs_destroy(struct scale_run *s)
{
	unsigned int i;

	for (i = 0; i < s->n_regs; i++)
		if (rte_extmem_region_destroy(s->regs[i]) != 0)
			PERF_LOG("region destroy: %s", rte_strerror(rte_errno));
	s->n_regs = 0;
}

static void
key(char *buf, size_t sz, const char *pfx, const char *what)
{
	snprintf(buf, sz, "%s_%s", pfx, what);
}

/* One configuration: create, check, measure, destroy; results under pfx. */
/* ns per buffer of port's translation of the first n of addrs (64-byte
 * buffers, 64-byte aligned: never across a page), bursts of 32, for at
 * most cap_ns; translations that disagree with the flat array counted.
 */
static double
mrnic_measure(const struct scale_run *s, uint16_t port, const void **addrs,
	size_t n, uint64_t cap_ns, uint64_t *bad)
{
	static const uint32_t lens[MRNIC_BURST] = {
		[0 ... MRNIC_BURST - 1] = MRNIC_BUF
	};
	const void *b[MRNIC_BURST];
	rte_iova_t io[MRNIC_BURST];
	uint64_t start = perf_now_ns(), t0, el = 0;
	size_t i = 0, j;
	int ret;

	/* only the bursts are timed, not the checks */
	while (i + MRNIC_BURST <= n && perf_now_ns() - start < cap_ns) {
		for (j = 0; j < MRNIC_BURST; j++)
			b[j] = (const void *)((uintptr_t)addrs[i + j] &
				~(uintptr_t)(MRNIC_BUF - 1));
		t0 = perf_now_ns();
		ret = rte_pmd_mrnic_xlate_burst(port, 0, b, lens, io,
			MRNIC_BURST);
		el += perf_now_ns() - t0;
		if (ret != MRNIC_BURST) {
			(*bad)++;
			break;
		}
		for (j = 0; j < MRNIC_BURST; j++)
			if (io[j] != flat_lookup(s, b[j]))
				(*bad)++;
		i += MRNIC_BURST;
	}
	return i == 0 ? 0 : (double)el / (double)i;
}

static int
run_one(struct scale_run *s, unsigned int n_regs, const char *pfx,
	const struct perf_opts *o, struct perf_result *res, uint64_t *bad_total,
	const struct scale_dma *dma)
{
	static const char *const what[4] = { "", "hot_", "dep_", "hot_dep_" };
	static const perf_chunk_fn flat_fn[2][2] = {
		{ chunk_flat, chunk_flat_dep },
		{ chunk_flat_bc, chunk_flat_bc_dep },
	};
	unsigned int rounds = perf_opt_u64(o, "rounds", 5), r;
	struct perf_ab ab[8];
	size_t tbl0, tbl1, i, hot_len;
	uint64_t x = 0x2545f4914f6cdd1dULL, sum = 0, bad = 0, t0, t1, t2;
	const char *dma_ports = dma == NULL ? NULL : dma->name[0];
	struct rte_extmem_devmap_dev_info di;
	uint64_t calls0 = 0;
	double nodma_ms = 0, nodma_destroy_ms = 0, mx[2] = { 0, 0 };
	char k[96];

	hot_len = RTE_MIN((size_t)HOT_LEN, s->len);
	for (i = 0; i < s->n_addrs; i++) {
		perf_rand(&x);
		s->cold[i] = s->base + x % s->len;
		s->hot[i] = s->base + x % hot_len;
	}
	if (dma_ports != NULL) {
		/* the same regions without device mapping first: twice when
		 * cheap (the first creation also pays one-time costs, which
		 * made the difference negative), the best of each
		 */
		rte_extmem_devmap_auto_set(false);
		for (i = 0; i < 2; i++) {
			double c, d;

			t0 = perf_now_ns();
			if (regs_create(s, n_regs) != n_regs) {
				rte_extmem_devmap_auto_set(true);
				PERF_LOG("%s: region %u of %u: %s", pfx,
					s->n_regs, n_regs,
					rte_strerror(rte_errno));
				regs_destroy(s);
				return -1;
			}
			c = perf_ms(t0, perf_now_ns());
			t0 = perf_now_ns();
			regs_destroy(s);
			d = perf_ms(t0, perf_now_ns());
			nodma_ms = i == 0 ? c : RTE_MIN(nodma_ms, c);
			nodma_destroy_ms = i == 0 ? d :
				RTE_MIN(nodma_destroy_ms, d);
			if (c + d > NODMA_TWICE_MS)
				break;
		}
		rte_extmem_devmap_auto_set(true);
		if (rte_extmem_devmap_dev_info_get(dma_ports, &di) == 0)
			calls0 = di.map_calls;
	}
	tbl0 = table_bytes();
	t0 = perf_now_ns();
	if (regs_create(s, n_regs) != n_regs) {
		PERF_LOG("%s: region %u of %u: %s", pfx, s->n_regs, n_regs,
			rte_strerror(rte_errno));
		regs_destroy(s);
		return -1;
	}
	t1 = perf_now_ns();
	tbl1 = table_bytes();
	if (dma_ports != NULL && rte_extmem_devmap_dev_info_get(dma_ports,
			&di) == 0) {
		key(k, sizeof(k), pfx, "dma_map_calls");
		perf_result_u64(res, k, di.map_calls - calls0);
		key(k, sizeof(k), pfx, "dma_map_ms");
		perf_result_f64(res, k, perf_ms(t0, t1) - nodma_ms);
	}
	for (i = 0; i < s->n_addrs; i++) {
		if (rte_extmem_virt2iova(s->cold[i]) != flat_lookup(s, s->cold[i]))
			bad++;
		if (rte_extmem_virt2iova(s->hot[i]) != flat_lookup(s, s->hot[i]))
			bad++;
		if (flat_bc_lookup(s, s->cold[i]) != flat_lookup(s, s->cold[i]))
			bad++;
	}
	if (flat_bc_lookup(s, s->base + s->len) != RTE_BAD_IOVA ||
			flat_bc_lookup(s, s->base - 1) != RTE_BAD_IOVA)
		bad++;
	/* random and hot, independent lookups and a dependent chain (what[r
	 * & 3]), against the flat array, then the bounds-checked one (r >= 4)
	 */
	s->cap_ns = (uint64_t)(o->max_time * 1e9 / 4);
	for (r = 0; r < RTE_DIM(ab); r++) {
		bool dep = (r & 3) >= 2;

		if (perf_ab_measure(s, flat_fn[r >= 4][dep],
				dep ? chunk_extmem_dep : chunk_extmem,
				(r & 1) ? s->hot : s->cold, s->n_addrs, CHUNK,
				rounds, s->cap_ns * 4 / RTE_DIM(ab), &sum,
				&ab[r]) != 0) {
			PERF_LOG("%s: no memory for the measures", pfx);
			regs_destroy(s);
			return -1;
		}
	}
	if (sum == 1)
		PERF_LOG("improbable checksum");
	/* the devices' own translation: the two modes interleaved */
	for (r = 0; dma != NULL && r < rounds; r++) {
		for (i = 0; i < 2; i++) {
			double v = mrnic_measure(s, dma->port[i], s->cold,
				s->n_addrs, s->cap_ns / rounds, &bad);

			if (r == 0 || v < mx[i])
				mx[i] = v;
		}
	}
	t2 = perf_now_ns();
	regs_destroy(s);
	t2 = perf_now_ns() - t2;

	if (dma != NULL) {
		key(k, sizeof(k), pfx, "dma_unmap_ms");
		perf_result_f64(res, k, (double)t2 / 1e6 - nodma_destroy_ms);
		key(k, sizeof(k), pfx, "mrnic_extmem_ns");
		perf_result_f64(res, k, mx[0]);
		key(k, sizeof(k), pfx, "mrnic_cache_ns");
		perf_result_f64(res, k, mx[1]);
		key(k, sizeof(k), pfx, "mrnic_cache_vs_extmem");
		perf_result_f64(res, k, mx[0] > 0 ? mx[1] / mx[0] : 0);
	}
	key(k, sizeof(k), pfx, "create_ms");
	perf_result_f64(res, k, perf_ms(t0, t1));
	key(k, sizeof(k), pfx, "destroy_ms");
	perf_result_f64(res, k, (double)t2 / 1e6);
	key(k, sizeof(k), pfx, "table_bytes");
	perf_result_u64(res, k, tbl1 - tbl0);
	key(k, sizeof(k), pfx, "flat_bytes");
	perf_result_u64(res, k, s->n_pages * sizeof(rte_iova_t));
	key(k, sizeof(k), pfx, "table_vs_flat");
	perf_result_f64(res, k, (double)(tbl1 - tbl0) /
		(double)(s->n_pages * sizeof(rte_iova_t)));
	for (r = 0; r < RTE_DIM(ab); r++) {
		char w[32];

		if (r >= 4) {
			/* extmem_ns is the one measured against the plain
			 * array
			 */
			snprintf(w, sizeof(w), "%sflat_bc_ns", what[r & 3]);
			key(k, sizeof(k), pfx, w);
			perf_result_f64(res, k, ab[r].a_ns);
			snprintf(w, sizeof(w), "%s%s", what[r & 3], r == 4 ?
				"extmem_vs_flat_bc" : "vs_flat_bc");
			key(k, sizeof(k), pfx, w);
			perf_result_f64(res, k, ab[r].b_vs_a);
			continue;
		}
		snprintf(w, sizeof(w), "%sflat_ns", what[r]);
		key(k, sizeof(k), pfx, w);
		perf_result_f64(res, k, ab[r].a_ns);
		snprintf(w, sizeof(w), "%sextmem_ns", what[r]);
		key(k, sizeof(k), pfx, w);
		perf_result_f64(res, k, ab[r].b_ns);
		snprintf(w, sizeof(w), "%s%s", what[r], r == 0 ?
			"extmem_vs_flat" : "vs_flat");
		key(k, sizeof(k), pfx, w);
		perf_result_f64(res, k, ab[r].b_vs_a);
	}
	if (bad != 0)
		PERF_LOG("%s: %" PRIu64 " translations disagree with the IOVA "
			"table", pfx, bad);
	*bad_total += bad;
	return 0;
}

/* The most regions EAL accepts now: create one-page regions until one
 * fails, then destroy them.
 */
static unsigned int
region_limit(void)
{
	struct scale_run s;
	unsigned int n;

	if (run_reserve(&s, MAX_REGS * (2u << 20), 2u << 20, false, 1) != 0) {
		run_release(&s);
		return 0;
	}
	n = regs_create(&s, MAX_REGS);
	regs_destroy(&s);
	run_release(&s);
	return n;
}

static const char *
pg_name(size_t pg)
{
	switch (pg) {
	case 4096: return "4k";
	case 65536: return "64k";
	case 2u << 20: return "2m";
	default: return "1g";
	}
}

static void
dma_ports_destroy(struct scale_dma *d)
{
	unsigned int i;
	int ret;

	for (i = 0; i < 2; i++) {
		if (!d->created[i])
			continue;
		ret = rte_eth_dev_stop(d->port[i]);
		if (ret != 0)
			PERF_LOG("cannot stop %s: %s", d->name[i],
				rte_strerror(-ret));
		if (rte_vdev_uninit(d->name[i]) != 0)
			PERF_LOG("cannot remove %s", d->name[i]);
		d->created[i] = false;
	}
}

/* Two mrnic ports, one Tx queue each (what xlate_burst reads), started. */
static int
dma_ports_create(struct scale_dma *d)
{
	static const char *const args[2] = { "mr=extmem", "mr=cache" };
	struct rte_eth_conf conf;
	unsigned int i;

	memset(&conf, 0, sizeof(conf));
	d->name[0] = "net_mrnic_scale_x";
	d->name[1] = "net_mrnic_scale_c";
	for (i = 0; i < 2; i++) {
		if (rte_vdev_init(d->name[i], args[i]) != 0 ||
				rte_eth_dev_get_port_by_name(d->name[i],
					&d->port[i]) != 0) {
			PERF_LOG("cannot create %s", d->name[i]);
			dma_ports_destroy(d);
			return -1;
		}
		d->created[i] = true;
		if (rte_eth_dev_configure(d->port[i], 0, 1, &conf) != 0 ||
				rte_eth_tx_queue_setup(d->port[i], 0, 1024,
					SOCKET_ID_ANY, NULL) != 0 ||
				rte_eth_dev_start(d->port[i]) != 0) {
			PERF_LOG("cannot set up %s", d->name[i]);
			dma_ports_destroy(d);
			return -1;
		}
	}
	return 0;
}

static int
bench_scale(const struct perf_opts *o, struct perf_result *res)
{
	static const size_t pgs[] = { 4096, 65536, 2u << 20, GIB };
	static const unsigned int gbs[] = { 1, 16, 64, 256, 1024 };
	uint64_t max_gb = perf_opt_u64(o, "scale-max-gb", 1024);
	uint64_t max_small[2] = {
		perf_opt_u64(o, "scale-4k-max-gb", 64),
		perf_opt_u64(o, "scale-64k-max-gb", 64),
	};
	uint64_t which = perf_opt_u64(o, "scale-iova", 3);
	uint64_t pg_mask = perf_opt_u64(o, "scale-pg", 15);
	struct scale_dma dma_ports, *dma = NULL;
	uint64_t bad = 0;
	unsigned int limit, p, g, l, c;
	struct scale_run s;
	char pfx[64];
	int ret = 0;

	memset(&dma_ports, 0, sizeof(dma_ports));
	if (perf_opt_u64(o, "scale-dma", 0) != 0) {
		if (dma_ports_create(&dma_ports) != 0)
			return -1;
		dma = &dma_ports;
	}
	limit = RTE_MIN(region_limit(), (unsigned int)perf_opt_u64(o,
		"scale-regions", MAX_REGS));
	perf_result_u64(res, "scale_region_limit", limit);
	perf_result_u64(res, "scale_addresses", o->lookups);
	for (p = 0; p < RTE_DIM(pgs); p++) {
		uint64_t cap = p < 2 ? RTE_MIN(max_gb, max_small[p]) : max_gb;

		if ((pg_mask & (1u << p)) == 0)
			continue;

		for (g = 0; g < RTE_DIM(gbs) && gbs[g] <= cap; g++) {
			for (l = 0; l < 2; l++) {
				if ((which & (1u << l)) == 0)
					continue;
				snprintf(pfx, sizeof(pfx), "scale_%s_%ug_%s",
					pg_name(pgs[p]), gbs[g],
					l ? "linear" : "scattered");
				PERF_LOG("%s", pfx);
				if (run_reserve(&s, gbs[g] * GIB, pgs[p], l == 1,
						o->lookups) != 0 ||
						run_one(&s, 1, pfx, o, res, &bad,
						dma) != 0)
					ret = -1;
				run_release(&s);
			}
		}
		/* region count, scattered IOVAs */
		for (c = 0; c < 3; c++) {
			unsigned int k = c == 0 ? 1 : c == 1 ? 64 : limit;
			uint64_t gb = RTE_MIN(cap, p < 2 ? 16u : 64u);

			if (k > gb * GIB / pgs[p] || (c == 2 && limit <= 64))
				continue;
			snprintf(pfx, sizeof(pfx), "scale_%s_%" PRIu64 "g_r%u",
				pg_name(pgs[p]), gb, k);
			PERF_LOG("%s", pfx);
			if (run_reserve(&s, gb * GIB, pgs[p], false,
					o->lookups) != 0 ||
					run_one(&s, k, pfx, o, res, &bad,
					dma) != 0)
				ret = -1;
			run_release(&s);
		}
	}
	perf_result_u64(res, "scale_mismatches", bad);
	if (dma != NULL)
		dma_ports_destroy(dma);
	return bad == 0 ? ret : -1;
}

static const struct perf_opt_def scale_opts[] = {
	{ .name = "scale-max-gb", .min = 1, .max = 1024 },
	{ .name = "scale-4k-max-gb", .min = 1, .max = 1024 },
	{ .name = "scale-64k-max-gb", .min = 1, .max = 1024 },
	{ .name = "scale-regions", .min = 1, .max = MAX_REGS },
	{ .name = "scale-iova", .min = 1, .max = 3 },
	{ .name = "scale-pg", .min = 1, .max = 15 },
	{ .name = "rounds", .min = 1, .max = MAX_ROUNDS },
	{ .name = "scale-dma", .min = 0, .max = 1 },
	{ .name = NULL },
};

REGISTER_PERF_BENCH_OPTS(scale, bench_scale,
	"translation (ns, table bytes) and registration vs registered size "
	"(1 GiB..1 TiB) and region count, per page size, vs a flat array",
	scale_opts);
