/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * slice: zero-copy 1500-byte mbufs over device memory, per packet
 * (allocate, attach, free), in bursts of 32 as a Tx path works, random
 * offsets over a PROT_NONE device region of --mem-mb, the same offsets
 * for every method. The methods are timed in short windows (WIN_OPS
 * packets, one burst for the copies and for rte_mem_virt2iova()), one
 * window of each method in turn, the order rotating, until --min-time
 * has gone by (and at least MIN_WINDOWS, at most --max-time), and the
 * median window of each method is reported: a machine busy with other
 * jobs slows every method alike, and a preempted window is an outlier:
 *   slice_attach_free_ns            rte_extmem_slice_alloc_bulk() +
 *                                   rte_pktmbuf_free_bulk(), owner
 *                                   callback included
 *   slice_handrolled_known_iova_ns  upstream by hand, IOVA already known:
 *                                   rte_pktmbuf_alloc_bulk() +
 *                                   rte_pktmbuf_attach_extbuf() with one
 *                                   shared rte_mbuf_ext_shared_info (its
 *                                   count updated atomically) +
 *                                   rte_pktmbuf_free_bulk()
 *   slice_handrolled_virt2iova_ns   the same with rte_mem_virt2iova()
 *   slice_memcpy_1500_ns            copying instead: rte_pktmbuf_alloc_bulk()
 *                                   + memcpy of 1500 bytes into each +
 *                                   rte_pktmbuf_free_bulk(), the source not
 *                                   in the CPU caches (flushed before each
 *                                   timed burst, as a payload a device
 *                                   wrote would be)
 *   slice_memcpy_1500_hot_ns        the same copy from cache-hot memory
 *                                   (for reference only)
 *   *_single_ns                     one mbuf at a time: slice_alloc()
 *                                   and rte_pktmbuf_alloc() + free
 * Targets: slice within 1.5x of the hand-rolled known-IOVA attach, and
 * >= 15x faster than the copy.
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#if defined(RTE_ARCH_X86)
#include <emmintrin.h>
#endif

#include "perf.h"

#define PG 4096UL
#define PKT 1500u
#define WIN_OPS 128u	/* packets per window (a multiple of BURST) */
#define MIN_WINDOWS 512u
#define MAX_WINDOWS 65536u
#define BURST 32u
#define COPY_SRC (64UL << 20)
#define IOVA_BASE 0x100000000000ULL

struct slice_ctx {
	void *dev;		/* PROT_NONE "device memory" */
	size_t len;
	rte_iova_t base_iova;	/* IOVA of dev (contiguous) */
	struct rte_extmem_region *r;
	struct rte_extmem_slicer *s;
	struct rte_mempool *mp;		/* hand-rolled: attached mbufs */
	struct rte_mempool *copy_mp;	/* copies: 2K data room */
	uint8_t *src;			/* copy source, CPU memory */
	size_t *off;
	size_t n_off;		/* a multiple of BURST */
	size_t lens[BURST];
	uint64_t min_ns, max_ns;
	double hz;		/* TSC ticks per second */
	uint64_t callbacks;
};

static struct rte_mbuf_ext_shared_info handrolled_shinfo;

static void
handrolled_free_cb(void *addr __rte_unused, void *opaque __rte_unused)
{
}

static void
owner_cb(void *addr __rte_unused, size_t len __rte_unused, void *arg)
{
	struct slice_ctx *c = arg;

	c->callbacks++;
}

static inline void
handrolled(struct slice_ctx *c, size_t off, rte_iova_t iova)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(c->mp);

	rte_mbuf_ext_refcnt_update(&handrolled_shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, RTE_PTR_ADD(c->dev, off), iova, PKT,
		&handrolled_shinfo);
	m->data_len = PKT;
	m->pkt_len = PKT;
	rte_pktmbuf_free(m);
}

static inline void
sliced(struct slice_ctx *c, size_t off)
{
	rte_pktmbuf_free(rte_extmem_slice_alloc(c->s, off, PKT));
}

static inline void
sliced_burst(struct slice_ctx *c, const size_t *off)
{
	struct rte_mbuf *m[BURST];
	unsigned int n;

	n = rte_extmem_slice_alloc_bulk(c->s, off, c->lens, m, BURST);
	rte_pktmbuf_free_bulk(m, n);
}

static inline void
handrolled_burst(struct slice_ctx *c, const size_t *off, bool v2i)
{
	struct rte_mbuf *m[BURST];
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(c->mp, m, BURST) != 0)
		return;
	for (i = 0; i < BURST; i++) {
		void *va = RTE_PTR_ADD(c->dev, off[i]);

		rte_mbuf_ext_refcnt_update(&handrolled_shinfo, 1);
		rte_pktmbuf_attach_extbuf(m[i], va, v2i ?
			rte_mem_virt2iova(va) : c->base_iova + off[i], PKT,
			&handrolled_shinfo);
		m[i]->data_len = PKT;
		m[i]->pkt_len = PKT;
	}
	rte_pktmbuf_free_bulk(m, BURST);
}

/* Flush the cache lines holding [p, p + len) and no other: the line of
 * the last byte may be the last of the mapping.
 */
static inline void
flush_range(const uint8_t *p, size_t len)
{
#if defined(RTE_ARCH_X86)
	const uint8_t *l = RTE_PTR_ALIGN_FLOOR(p, RTE_CACHE_LINE_SIZE);

	for (; l < p + len; l += RTE_CACHE_LINE_SIZE)
		_mm_clflush(l);
#else
	RTE_SET_USED(p);
	RTE_SET_USED(len);
#endif
}

/* One burst of the copy alternative, its cycles: the sources flushed
 * from the caches before (cold) or not (hot: offsets folded into 64K);
 * single: one mbuf at a time instead of bulk alloc and free.
 */
static uint64_t
copy_burst(struct slice_ctx *c, size_t *pos, bool cold, bool single)
{
	size_t i = *pos, j, src_off[BURST];
	struct rte_mbuf *m[BURST];
	uint64_t t0, t1;

	for (j = 0; j < BURST; j++, i = (i + 1) % c->n_off) {
		src_off[j] = cold ? c->off[i] % (COPY_SRC - PKT) :
			c->off[i] % (65536 - PKT);
		if (cold)
			flush_range(c->src + src_off[j], PKT);
	}
	*pos = i;
#if defined(RTE_ARCH_X86)
	_mm_mfence();
#endif
	t0 = rte_rdtsc_precise();
	if (single) {
		for (j = 0; j < BURST; j++) {
			struct rte_mbuf *s1 = rte_pktmbuf_alloc(c->copy_mp);

			memcpy(rte_pktmbuf_append(s1, PKT), c->src + src_off[j],
				PKT);
			rte_pktmbuf_free(s1);
		}
	} else if (rte_pktmbuf_alloc_bulk(c->copy_mp, m, BURST) == 0) {
		for (j = 0; j < BURST; j++)
			memcpy(rte_pktmbuf_append(m[j], PKT),
				c->src + src_off[j], PKT);
		rte_pktmbuf_free_bulk(m, BURST);
	}
	t1 = rte_rdtsc_precise();
	return t1 - t0;
}

static int
slice_setup(struct slice_ctx *c, const struct perf_opts *o)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_slicer_params sp;
	rte_iova_t *iovas = NULL;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t i, n;

	c->len = RTE_ALIGN_FLOOR(o->mem_bytes, PG);
	n = c->len / PG;
	c->dev = mmap(NULL, c->len, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	c->src = mmap(NULL, COPY_SRC, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->dev == MAP_FAILED || c->src == MAP_FAILED) {
		PERF_LOG("mmap failed");
		return -1;
	}
	memset(c->src, 0x5a, COPY_SRC);
	/* device memory: IOVAs given (contiguous) unless IOVA-as-VA */
	rte_extmem_region_params_init(&rp);
	rp.name = "perf_slice_dev";
	rp.backing = RTE_EXTMEM_BACKING_DEVICE;
	rp.addr = c->dev;
	rp.len = c->len;
	rp.page_sz = PG;
	if (rte_eal_iova_mode() == RTE_IOVA_VA) {
		c->base_iova = (uintptr_t)c->dev;
	} else {
		c->base_iova = IOVA_BASE;
		iovas = malloc(sizeof(*iovas) * n);
		if (iovas == NULL)
			return -1;
		for (i = 0; i < n; i++)
			iovas[i] = IOVA_BASE + i * PG;
		rp.iovas = iovas;
		rp.n_iovas = n;
	}
	c->r = rte_extmem_region_create(&rp);
	free(iovas);
	if (c->r == NULL) {
		PERF_LOG("device region: %s", rte_strerror(rte_errno));
		return -1;
	}
	rte_extmem_slicer_params_init(&sp);
	sp.name = "perf_slice";
	sp.region = c->r;
	sp.n_mbufs = 4096;
	sp.free_cb = owner_cb;
	sp.free_cb_arg = c;
	c->s = rte_extmem_slicer_create(&sp);
	c->mp = rte_pktmbuf_pool_create("perf_slice_hr", 4096, 256, 0, 0,
		SOCKET_ID_ANY);
	c->copy_mp = rte_pktmbuf_pool_create("perf_slice_cp", 4096, 256, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (c->s == NULL || c->mp == NULL || c->copy_mp == NULL) {
		PERF_LOG("slicer or pools: %s", rte_strerror(rte_errno));
		return -1;
	}
	handrolled_shinfo.free_cb = handrolled_free_cb;
	rte_mbuf_ext_refcnt_set(&handrolled_shinfo, 1);
	c->n_off = RTE_ALIGN_CEIL(o->lookups, BURST);
	for (i = 0; i < BURST; i++)
		c->lens[i] = PKT;
	c->off = malloc(sizeof(*c->off) * c->n_off);
	if (c->off == NULL)
		return -1;
	for (i = 0; i < c->n_off; i++)
		c->off[i] = perf_rand(&x) % (c->len - PKT);
	/* the copy's last source packet first, so that its edge is always
	 * exercised (the device range is at least as long with --mem-mb 64)
	 */
	if (c->len >= COPY_SRC)
		c->off[0] = COPY_SRC - PKT - 1;
	c->min_ns = (uint64_t)(o->min_time * 1e9);
	c->max_ns = (uint64_t)(o->max_time * 1e9);
	c->hz = (double)rte_get_tsc_hz();
	return 0;
}

/*
 * Slices carry the IOVAs the hand-rolled code knows, checked before
 * anything is timed. Upstream rte_mem_virt2iova() is counted apart: in PA
 * mode it reads /proc/self/pagemap, which knows nothing of device memory
 * (the hand-rolled virt2iova mbufs get wrong IOVAs there).
 */
static uint64_t
slice_check(struct slice_ctx *c, uint64_t *v2i_wrong)
{
	uint64_t bad = 0;
	size_t i;

	*v2i_wrong = 0;
	for (i = 0; i < RTE_MIN(c->n_off, (size_t)4096); i++) {
		struct rte_mbuf *m = rte_extmem_slice_alloc(c->s, c->off[i],
			PKT);
		void *va = RTE_PTR_ADD(c->dev, c->off[i]);

		if (m == NULL || m->buf_addr != va || m->data_len != PKT ||
				rte_mbuf_iova_get(m) != c->base_iova + c->off[i] ||
				rte_extmem_virt2iova(va) != rte_mbuf_iova_get(m))
			bad++;
		else if (i < 256 && rte_mem_virt2iova(va) !=
				rte_mbuf_iova_get(m))
			(*v2i_wrong)++;
		rte_pktmbuf_free(m);
	}
	return bad;
}

enum slice_measure {
	M_SLICE, M_KNOWN, M_V2I, M_COLD, M_HOT,
	M_SLICE_1, M_KNOWN_1, M_COLD_1,
	M_N
};

static const char * const measure_keys[M_N] = {
	[M_SLICE] = "slice_attach_free_ns",
	[M_KNOWN] = "slice_handrolled_known_iova_ns",
	[M_V2I] = "slice_handrolled_virt2iova_ns",
	[M_COLD] = "slice_memcpy_1500_ns",
	[M_HOT] = "slice_memcpy_1500_hot_ns",
	[M_SLICE_1] = "slice_attach_free_single_ns",
	[M_KNOWN_1] = "slice_handrolled_known_iova_single_ns",
	[M_COLD_1] = "slice_memcpy_1500_single_ns",
};

/* One window of method j from offset *pos: its ns per packet. */
static double
slice_window(struct slice_ctx *c, unsigned int j, size_t *pos)
{
	uint64_t t0, t1 = 0;
	size_t i = *pos, k;

	t0 = rte_rdtsc_precise();
	switch (j) {
	case M_SLICE:
		for (k = 0; k < WIN_OPS; k += BURST)
			sliced_burst(c, &c->off[(i + k) % c->n_off]);
		break;
	case M_KNOWN:
		for (k = 0; k < WIN_OPS; k += BURST)
			handrolled_burst(c, &c->off[(i + k) % c->n_off], false);
		break;
	case M_V2I:
		/* about 4 us a packet in PA mode: one burst */
		handrolled_burst(c, &c->off[i], true);
		t1 = rte_rdtsc_precise();
		*pos = (i + BURST) % c->n_off;
		return (double)(t1 - t0) * 1e9 / c->hz / BURST;
	case M_SLICE_1:
		for (k = 0; k < WIN_OPS; k++)
			sliced(c, c->off[(i + k) % c->n_off]);
		break;
	case M_KNOWN_1:
		for (k = 0; k < WIN_OPS; k++) {
			size_t o = c->off[(i + k) % c->n_off];

			handrolled(c, o, c->base_iova + o);
		}
		break;
	default:
		/* the copies time their burst only (not the flush) */
		return (double)copy_burst(c, pos, j != M_HOT,
			j == M_COLD_1) * 1e9 / c->hz / BURST;
	}
	t1 = rte_rdtsc_precise();
	*pos = (i + WIN_OPS) % c->n_off;
	return (double)(t1 - t0) * 1e9 / c->hz / WIN_OPS;
}

/* Windows of every method in turn, the first method rotating, until the
 * time is up; returns the number of windows of each method (in v[j]).
 */
static unsigned int
slice_windows(struct slice_ctx *c, double *v[M_N])
{
	uint64_t t0 = perf_now_ns(), el;
	size_t pos[M_N] = { 0 };
	unsigned int w = 0, k, j;

	do {
		for (k = 0; k < M_N; k++) {
			j = (w + k) % M_N;
			v[j][w] = slice_window(c, j, &pos[j]);
		}
		w++;
		el = perf_now_ns() - t0;
	} while (w < MAX_WINDOWS && el < c->max_ns &&
		(el < c->min_ns || w < MIN_WINDOWS));
	return w;
}

static int
bench_slice(const struct perf_opts *o, struct perf_result *res)
{
	double *v[M_N] = { NULL }, med[M_N];
	struct rte_extmem_slicer_info st;
	uint64_t bad, v2i_wrong;
	unsigned int windows, j;
	struct slice_ctx c;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	for (j = 0; j < M_N; j++) {
		v[j] = malloc(sizeof(*v[j]) * MAX_WINDOWS);
		if (v[j] == NULL)
			goto out;
	}
	if (slice_setup(&c, o) != 0)
		goto out;
	bad = slice_check(&c, &v2i_wrong);
	windows = slice_windows(&c, v);
	for (j = 0; j < M_N; j++)
		med[j] = perf_median(v[j], windows);
	rte_extmem_slicer_info_get(c.s, &st);

	perf_result_u64(res, "slice_len", PKT);
	perf_result_u64(res, "slice_burst", BURST);
	perf_result_u64(res, "slice_windows", windows);
	perf_result_u64(res, "slice_window_packets", WIN_OPS);
	perf_result_u64(res, "slice_mismatches", bad);
	perf_result_u64(res, "slice_rte_mem_virt2iova_wrong_of_256", v2i_wrong);
	perf_result_u64(res, "slice_callbacks", c.callbacks);
	perf_result_u64(res, "slice_in_flight", st.in_flight);
	for (j = 0; j < M_N; j++)
		perf_result_f64(res, measure_keys[j], med[j]);
	perf_result_f64(res, "slice_vs_handrolled_known",
		med[M_SLICE] / med[M_KNOWN]);
	perf_result_f64(res, "slice_memcpy_vs_slice", med[M_COLD] / med[M_SLICE]);
	perf_result_f64(res, "slice_virt2iova_vs_slice",
		med[M_V2I] / med[M_SLICE]);
	perf_result_f64(res, "slice_single_vs_handrolled_known",
		med[M_SLICE_1] / med[M_KNOWN_1]);
	perf_result_f64(res, "slice_single_memcpy_vs_slice",
		med[M_COLD_1] / med[M_SLICE_1]);
	perf_result_bool(res, "slice_target_known_1_5x",
		med[M_SLICE] <= 1.5 * med[M_KNOWN]);
	perf_result_bool(res, "slice_target_memcpy_15x",
		med[M_COLD] >= 15 * med[M_SLICE]);
	ret = bad == 0 && st.in_flight == 0 && c.callbacks == st.slices ?
		0 : -1;
	if (ret != 0)
		PERF_LOG("%" PRIu64 " slices disagree with the hand-rolled "
			"ones, %" PRIu64 " in flight, %" PRIu64 " callbacks for "
			"%" PRIu64 " slices", bad, st.in_flight, c.callbacks,
			st.slices);
out:
	if (c.s != NULL)
		rte_extmem_slicer_free(c.s);
	if (c.r != NULL)
		rte_extmem_region_destroy(c.r);
	rte_mempool_free(c.mp);
	rte_mempool_free(c.copy_mp);
	if (c.dev != NULL && c.dev != MAP_FAILED)
		munmap(c.dev, c.len);
	if (c.src != NULL && c.src != MAP_FAILED)
		munmap(c.src, COPY_SRC);
	free(c.off);
	for (j = 0; j < M_N; j++)
		free(v[j]);
	return ret;
}

REGISTER_PERF_BENCH(slice, bench_slice,
	"zero-copy mbuf slices of device memory vs hand-rolled "
	"rte_pktmbuf_attach_extbuf (IOVA known / rte_mem_virt2iova) vs "
	"copying 1500 bytes");
