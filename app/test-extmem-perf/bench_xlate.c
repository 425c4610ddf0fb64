/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * xlate: VA -> IOVA translation of random addresses over --mem-mb of
 * 4K-page memory in several regions, the same address array for every
 * method, in one run; --rounds=N (9) rounds with the methods interleaved,
 * the median of each reported; one round of one method is a pass over
 * the array or, for slow methods, its prefix that --max-time allows:
 *   xlate_extmem_ns              rte_extmem_virt2iova() (inline table)
 *   xlate_rte_mem_virt2iova_ns   upstream (pagemap read in PA mode)
 *   xlate_rte_mem_virt2memseg_ns upstream memseg list search
 *   xlate_flat_array_ns          a flat per-4K IOVA array: the floor
 * and the same over the first --hot-mb (16) only, whose table stays in
 * the CPU caches as a reused buffer pool's does: xlate_hot_*.
 * Those are independent lookups (the CPU overlaps them: throughput). The
 * table against the flat array is also compared chunk by chunk (4096
 * lookups, the order alternating, medians over the chunks) as
 * independent lookups and as a dependent chain (each address depends on
 * the previous answer: latency), random and hot:
 *   xlate_[hot_][dep_]extmem_vs_flat, xlate_[hot_][dep_]chunk_extmem_ns,
 *   xlate_[hot_][dep_]chunk_flat_array_ns
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_memory.h>

#include "perf.h"

#define PG 4096UL
#define N_REGIONS 4
#define CHUNK 256

struct xlate_ctx {
	uint8_t *base;
	size_t len;
	rte_iova_t *flat;	/* IOVA of every 4K page of [base, +len) */
	const void **addrs;	/* the array being measured */
	const void **cold;	/* random over the whole range */
	const void **hot;	/* random over its first hot_len bytes */
	size_t hot_len;		/* --hot-mb */
	size_t n_addrs;
	uint64_t cap_ns;	/* time limit of one round of one method */
};

/* Keep the compiler from vectorising a lookup loop: a datapath
 * translates one buffer address at a time. The empty asm costs nothing.
 */
#define ONE_AT_A_TIME(a) __asm__ volatile("" : "+r"(a))
#define VECTORISABLE(a) RTE_SET_USED(a)

/* Time EXPR (using const void *a) over one pass of the address array,
 * or over its prefix that cap_ns allow (slow methods).
 */
#define XLATE_MEASURE(c, ns_per, checksum, EXPR, HOW) do { \
	uint64_t t0_ = perf_now_ns(), sum_ = 0, el_; \
	size_t i_ = 0; \
	do { \
		size_t end_ = RTE_MIN(i_ + CHUNK, (c)->n_addrs); \
		for (; i_ < end_; i_++) { \
			const void *a = (c)->addrs[i_]; \
			HOW(a); \
			sum_ += (EXPR); \
		} \
		el_ = perf_now_ns() - t0_; \
	} while (i_ < (c)->n_addrs && el_ < (c)->cap_ns); \
	(ns_per) = (double)el_ / (double)i_; \
	(checksum) += sum_; \
} while (0)

static inline rte_iova_t
flat_lookup(const struct xlate_ctx *c, const void *a)
{
	uintptr_t off = (uintptr_t)a - (uintptr_t)c->base;

	return c->flat[off / PG] + off % PG;
}

static inline rte_iova_t
memseg_lookup(const void *a)
{
	const struct rte_memseg *ms = rte_mem_virt2memseg(a, NULL);

	return ms->iova + RTE_PTR_DIFF(a, ms->addr);
}

/* One function per method: each loop gets the registers to itself. */
#define MEASURE_FN(name, EXPR, HOW) \
static __rte_noinline double \
name(const struct xlate_ctx *c, uint64_t *checksum) \
{ \
	double ns; \
	XLATE_MEASURE(c, ns, *checksum, EXPR, HOW); \
	return ns; \
}

MEASURE_FN(measure_flat, flat_lookup(c, a), ONE_AT_A_TIME)
MEASURE_FN(measure_extmem, rte_extmem_virt2iova(a), ONE_AT_A_TIME)
MEASURE_FN(measure_memseg, memseg_lookup(a), ONE_AT_A_TIME)
MEASURE_FN(measure_virt2iova, rte_mem_virt2iova(a), ONE_AT_A_TIME)
MEASURE_FN(measure_flat_vec, flat_lookup(c, a), VECTORISABLE)

PERF_CHUNK_FNS(chunk_flat, struct xlate_ctx, flat_lookup(c, a))
PERF_CHUNK_FNS(chunk_extmem, struct xlate_ctx, rte_extmem_virt2iova(a))

/* The chunk-by-chunk comparisons: random/hot x independent/dependent. */
static int
xlate_ab(const struct xlate_ctx *c, unsigned int rounds, uint64_t *sum,
	struct perf_result *res)
{
	static const char *const what[4] = { "", "hot_", "dep_", "hot_dep_" };
	struct perf_ab ab;
	char k[64];
	unsigned int v;

	for (v = 0; v < 4; v++) {
		if (perf_ab_measure(c, v < 2 ? chunk_flat : chunk_flat_dep,
				v < 2 ? chunk_extmem : chunk_extmem_dep,
				(const void *const *)((v & 1) ? c->hot : c->cold),
				c->n_addrs, 4096, rounds, c->cap_ns, sum,
				&ab) != 0)
			return -1;
		snprintf(k, sizeof(k), "xlate_%schunk_extmem_ns", what[v]);
		perf_result_f64(res, k, ab.b_ns);
		snprintf(k, sizeof(k), "xlate_%schunk_flat_array_ns", what[v]);
		perf_result_f64(res, k, ab.a_ns);
		if (v == 0)
			continue;	/* xlate_extmem_vs_flat: the rounds' */
		snprintf(k, sizeof(k), "xlate_%sextmem_vs_flat", what[v]);
		perf_result_f64(res, k, ab.b_vs_a);
	}
	return 0;
}

static int
xlate_setup(struct xlate_ctx *c, const struct perf_opts *o,
	struct rte_extmem_region **regs)
{
	struct rte_extmem_region_params p;
	size_t reg_len, hot_len, i;
	uint64_t x = 0x2545f4914f6cdd1dULL;
	char name[RTE_EXTMEM_NAMESIZE];
	int n;

	c->len = RTE_ALIGN_FLOOR(o->mem_bytes, N_REGIONS * PG);
	reg_len = c->len / N_REGIONS;
	c->base = mmap(NULL, c->len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->base == MAP_FAILED) {
		PERF_LOG("mmap of %zu bytes failed", c->len);
		return -1;
	}
	/* the application's memory, in 4K pages, populated */
	madvise(c->base, c->len, MADV_NOHUGEPAGE);
	memset(c->base, 0, c->len);
	c->flat = malloc(sizeof(*c->flat) * (c->len / PG));
	c->n_addrs = o->lookups;
	c->cold = malloc(sizeof(*c->cold) * c->n_addrs);
	c->hot = malloc(sizeof(*c->hot) * c->n_addrs);
	if (c->flat == NULL || c->cold == NULL || c->hot == NULL)
		return -1;
	for (i = 0; i < N_REGIONS; i++) {
		snprintf(name, sizeof(name), "perf_xlate_%zu", i);
		perf_user_params(&p, name, c->base + i * reg_len, reg_len);
		regs[i] = rte_extmem_region_create(&p);
		if (regs[i] == NULL) {
			PERF_LOG("region create: %s", rte_strerror(rte_errno));
			return -1;
		}
		n = rte_extmem_region_iovas_get(regs[i],
			c->flat + i * (reg_len / PG), reg_len / PG);
		if (n != (int)(reg_len / PG))
			return -1;
	}
	hot_len = RTE_MAX(RTE_MIN(perf_opt_u64(o, "hot-mb", 16) << 20,
		(uint64_t)c->len), (uint64_t)PG);
	c->hot_len = hot_len;
	for (i = 0; i < c->n_addrs; i++) {
		perf_rand(&x);
		c->cold[i] = c->base + x % c->len;
		c->hot[i] = c->base + x % hot_len;
	}
	c->addrs = c->cold;
	c->cap_ns = (uint64_t)(o->max_time * 1e9 /
		perf_opt_u64(o, "rounds", 9));
	return 0;
}

enum { M_FLAT, M_EXT, M_MEMSEG, M_V2I, M_VEC, H_FLAT, H_EXT, H_V2I, M_MAX };
#define MAX_ROUNDS 64

static int
bench_xlate(const struct perf_opts *o, struct perf_result *res)
{
	struct rte_extmem_region *regs[N_REGIONS] = { NULL };
	unsigned int rounds = perf_opt_u64(o, "rounds", 9), r;
	double ext, v2i, v2m, flat, flat_vec, m[M_MAX][MAX_ROUNDS], med[M_MAX];
	uint64_t sum = 0, bad = 0, bad_eal = 0;
	struct xlate_ctx c;
	size_t i;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	if (xlate_setup(&c, o, regs) != 0)
		goto out;

	/* all methods agree before anything is timed */
	for (i = 0; i < c.n_addrs; i++)
		if (rte_extmem_virt2iova(c.addrs[i]) !=
				flat_lookup(&c, c.addrs[i]) ||
				memseg_lookup(c.addrs[i]) !=
				flat_lookup(&c, c.addrs[i]))
			bad++;
	for (i = 0; i < RTE_MIN(c.n_addrs, 1000u); i++)
		if (rte_mem_virt2iova(c.addrs[i]) != flat_lookup(&c, c.addrs[i]))
			bad_eal++;

	/* rounds, the methods interleaved in each, medians reported: a
	 * machine busy with other jobs affects all methods alike
	 */
	for (r = 0; r < rounds; r++) {
		m[M_FLAT][r] = measure_flat(&c, &sum);
		m[M_EXT][r] = measure_extmem(&c, &sum);
		m[M_MEMSEG][r] = measure_memseg(&c, &sum);
		m[M_V2I][r] = measure_virt2iova(&c, &sum);
		/* for reference: the flat loop as the compiler vectorises it */
		m[M_VEC][r] = measure_flat_vec(&c, &sum);
		/* hot: the table of a small, reused range is in the caches */
		c.addrs = c.hot;
		m[H_FLAT][r] = measure_flat(&c, &sum);
		m[H_EXT][r] = measure_extmem(&c, &sum);
		m[H_V2I][r] = measure_virt2iova(&c, &sum);
		c.addrs = c.cold;
	}
	if (sum == 1)	/* keep the sums alive */
		PERF_LOG("improbable checksum");
	for (i = 0; i < M_MAX; i++)
		med[i] = perf_median(m[i], rounds);
	flat = med[M_FLAT];
	ext = med[M_EXT];
	v2m = med[M_MEMSEG];
	v2i = med[M_V2I];
	flat_vec = med[M_VEC];

	perf_result_u64(res, "xlate_regions", N_REGIONS);
	perf_result_u64(res, "xlate_addresses", c.n_addrs);
	perf_result_u64(res, "xlate_rounds", rounds);
	perf_result_u64(res, "xlate_mismatches", bad);
	perf_result_u64(res, "xlate_rte_mem_virt2iova_mismatches", bad_eal);
	perf_result_f64(res, "xlate_extmem_ns", ext);
	perf_result_f64(res, "xlate_rte_mem_virt2iova_ns", v2i);
	perf_result_f64(res, "xlate_rte_mem_virt2memseg_ns", v2m);
	perf_result_f64(res, "xlate_flat_array_ns", flat);
	perf_result_f64(res, "xlate_flat_array_vectorised_ns", flat_vec);
	perf_result_f64(res, "xlate_extmem_vs_flat", ext / flat);
	perf_result_f64(res, "xlate_rte_mem_virt2iova_vs_extmem", v2i / ext);
	perf_result_f64(res, "xlate_rte_mem_virt2memseg_vs_extmem", v2m / ext);
	perf_result_u64(res, "xlate_hot_mb", c.hot_len >> 20);
	perf_result_f64(res, "xlate_hot_extmem_ns", med[H_EXT]);
	perf_result_f64(res, "xlate_hot_flat_array_ns", med[H_FLAT]);
	perf_result_f64(res, "xlate_hot_rte_mem_virt2iova_ns", med[H_V2I]);
	perf_result_f64(res, "xlate_hot_rte_mem_virt2iova_vs_extmem",
		med[H_V2I] / med[H_EXT]);
	if (xlate_ab(&c, rounds, &sum, res) != 0) {
		PERF_LOG("no memory for the chunk comparisons");
		goto out;
	}
	ret = bad == 0 && bad_eal == 0 ? 0 : -1;
	if (ret != 0)
		PERF_LOG("%" PRIu64 " translations disagree with the flat "
			"array, %" PRIu64 " with rte_mem_virt2iova", bad,
			bad_eal);
out:
	for (i = 0; i < N_REGIONS; i++)
		if (regs[i] != NULL)
			rte_extmem_region_destroy(regs[i]);
	if (c.base != NULL && c.base != MAP_FAILED)
		munmap(c.base, c.len);
	free(c.flat);
	free(c.cold);
	free(c.hot);
	return ret;
}

static const struct perf_opt_def xlate_opts[] = {
	{ .name = "hot-mb", .min = 1, .max = 1u << 20 },
	{ .name = "rounds", .min = 1, .max = MAX_ROUNDS },
	{ .name = NULL },
};

REGISTER_PERF_BENCH_OPTS(xlate, bench_xlate,
	"VA->IOVA of random addresses: extmem vs rte_mem_virt2iova, "
	"rte_mem_virt2memseg, a flat array", xlate_opts);
