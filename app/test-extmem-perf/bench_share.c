/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * share: what making 4K-page memory shareable costs. The same --mem-mb of
 * base pages from the library, two ways, in the same run, best of
 * --repeat (the access figure: median of --repeat):
 *   share_4k_private_*   the ANON backing with RTE_EXTMEM_REGION_F_PRIVATE:
 *                        private anonymous memory (not shareable)
 *   share_4k_memfd_*     the SHARED backing on base pages: a memfd that a
 *                        secondary process can map (what ANON uses by
 *                        default)
 * each with:
 *   _create_ms           region create: map, first touch of every page
 *                        (the library populates), IOVAs, EAL, table
 *   _destroy_ms          region destroy: the pages returned
 *   _access_ns           one random 64-byte read-modify-write in the
 *                        region (what forwarding does to packet memory;
 *                        the TLB reach is the same: both are 4K pages)
 *   share_4k_memfd_vs_private_create, _destroy, _access: memfd / private
 */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_extmem.h>

#include "perf.h"

#define PG 4096UL
#define LINE 64
#define ACCESS_SAMPLES 11

struct share_fig {
	double create_ms, destroy_ms, access_ns;
};

/* ns per random cache-line read-modify-write over [va, +len) */
static double
access_ns(uint8_t *va, size_t len, uint64_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, t0, t1, i;
	size_t lines = len / LINE;

	t0 = perf_now_ns();
	for (i = 0; i < n; i++) {
		volatile uint64_t *w = (volatile uint64_t *)(va +
			(perf_rand(&x) % lines) * LINE);

		*w = *w + 1;
	}
	t1 = perf_now_ns();
	return (double)(t1 - t0) / (double)n;
}

/* One round of one kind: create, access, destroy. */
static int
share_round(const struct perf_opts *o, bool memfd, struct share_fig *f)
{
	size_t len = RTE_ALIGN_FLOOR(o->mem_bytes, PG);
	struct rte_extmem_region_params p;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	uint64_t t0, t1;

	rte_extmem_region_params_init(&p);
	p.name = memfd ? "perf_share_memfd" : "perf_share_private";
	p.backing = memfd ? RTE_EXTMEM_BACKING_SHARED : RTE_EXTMEM_BACKING_ANON;
	p.flags = memfd ? 0 : RTE_EXTMEM_REGION_F_PRIVATE;
	p.len = len;
	t0 = perf_now_ns();
	r = rte_extmem_region_create(&p);
	t1 = perf_now_ns();
	if (r == NULL) {
		PERF_LOG("%s create: %s", p.name, rte_strerror(rte_errno));
		return -1;
	}
	f->create_ms = perf_ms(t0, t1);
	rte_extmem_region_info_get(r, &info);
	f->access_ns = access_ns(info.addr, len, o->lookups);
	t0 = perf_now_ns();
	rte_extmem_region_destroy(r);
	t1 = perf_now_ns();
	f->destroy_ms = perf_ms(t0, t1);
	return 0;
}

static int
bench_share(const struct perf_opts *o, struct perf_result *res)
{
	double pa[ACCESS_SAMPLES], ma[ACCESS_SAMPLES];
	struct share_fig priv, mfd, a, b;
	unsigned int rep, n = 0;

	priv.create_ms = priv.destroy_ms = 1e300;
	mfd.create_ms = mfd.destroy_ms = 1e300;
	/* alternate the two, so that a noisy moment hits both */
	for (rep = 0; rep < o->repeat; rep++) {
		if (share_round(o, false, &a) != 0 ||
				share_round(o, true, &b) != 0)
			return -1;
		priv.create_ms = RTE_MIN(priv.create_ms, a.create_ms);
		priv.destroy_ms = RTE_MIN(priv.destroy_ms, a.destroy_ms);
		mfd.create_ms = RTE_MIN(mfd.create_ms, b.create_ms);
		mfd.destroy_ms = RTE_MIN(mfd.destroy_ms, b.destroy_ms);
		if (n < ACCESS_SAMPLES) {
			pa[n] = a.access_ns;
			ma[n] = b.access_ns;
			n++;
		}
	}
	priv.access_ns = perf_median(pa, n);
	mfd.access_ns = perf_median(ma, n);
	perf_result_u64(res, "share_mem_mb", o->mem_bytes >> 20);
	perf_result_f64(res, "share_4k_private_create_ms", priv.create_ms);
	perf_result_f64(res, "share_4k_memfd_create_ms", mfd.create_ms);
	perf_result_f64(res, "share_4k_private_destroy_ms", priv.destroy_ms);
	perf_result_f64(res, "share_4k_memfd_destroy_ms", mfd.destroy_ms);
	perf_result_f64(res, "share_4k_private_access_ns", priv.access_ns);
	perf_result_f64(res, "share_4k_memfd_access_ns", mfd.access_ns);
	perf_result_f64(res, "share_4k_memfd_vs_private_create",
		mfd.create_ms / priv.create_ms);
	perf_result_f64(res, "share_4k_memfd_vs_private_destroy",
		mfd.destroy_ms / priv.destroy_ms);
	perf_result_f64(res, "share_4k_memfd_vs_private_access",
		mfd.access_ns / priv.access_ns);
	return 0;
}

REGISTER_PERF_BENCH(share, bench_share,
	"4K-page memory from the library: private anonymous vs a shareable "
	"memfd (create with first touch, destroy, random access)");
