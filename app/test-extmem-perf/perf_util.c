/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Helpers the benchmarks share: time, statistics, regions. */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_extmem.h>

#include "perf.h"

uint64_t
perf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
perf_median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
perf_ab_measure(const void *ctx, perf_chunk_fn a, perf_chunk_fn b,
	const void *const *addrs, size_t n_addrs, size_t chunk,
	unsigned int rounds, uint64_t cap_ns, uint64_t *sum,
	struct perf_ab *out)
{
	size_t per_round = RTE_MAX(n_addrs / chunk, (size_t)1), k, off;
	size_t max_pairs = per_round * RTE_MAX(rounds, 1u), n = 0;
	double *ta = malloc(sizeof(*ta) * max_pairs);
	double *tb = malloc(sizeof(*tb) * max_pairs);
	double *rt = malloc(sizeof(*rt) * max_pairs);
	uint64_t t0 = perf_now_ns();
	unsigned int r;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (ta == NULL || tb == NULL || rt == NULL)
		goto out;
	chunk = RTE_MIN(chunk, n_addrs);
	for (r = 0; r < RTE_MAX(rounds, 1u); r++) {
		for (k = 0; k < per_round; k++) {
			uint64_t xa, xb;

			off = k * chunk;
			if ((n & 1) == 0) {
				xa = a(ctx, addrs + off, chunk, sum);
				xb = b(ctx, addrs + off, chunk, sum);
			} else {
				xb = b(ctx, addrs + off, chunk, sum);
				xa = a(ctx, addrs + off, chunk, sum);
			}
			ta[n] = (double)xa / (double)chunk;
			tb[n] = (double)xb / (double)chunk;
			rt[n] = xa == 0 ? 1 : (double)xb / (double)xa;
			n++;
			if (perf_now_ns() - t0 > cap_ns && n >= 16)
				goto done;
		}
	}
done:
	out->chunks = n;
	out->a_ns = perf_median(ta, n);
	out->b_ns = perf_median(tb, n);
	out->b_vs_a = perf_median(rt, n);
	ret = 0;
out:
	free(ta);
	free(tb);
	free(rt);
	return ret;
}

void
perf_user_params(struct rte_extmem_region_params *p, const char *name,
	void *addr, size_t len)
{
	rte_extmem_region_params_init(p);
	p->name = name;
	p->backing = RTE_EXTMEM_BACKING_USER;
	p->addr = addr;
	p->len = len;
}

int
perf_parse_u64(const char *key, const char *val, uint64_t min, uint64_t max,
	uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (val == NULL || !isdigit((unsigned char)val[0])) {
		PERF_LOG("--%s: '%s' is not an unsigned number", key,
			val == NULL ? "" : val);
		return -1;
	}
	errno = 0;
	v = strtoull(val, &end, 0);
	if (errno != 0 || *end != '\0') {
		PERF_LOG("--%s: '%s' is not an unsigned number", key, val);
		return -1;
	}
	if (v < min || v > max) {
		PERF_LOG("--%s: %llu is outside [%" PRIu64 ", %" PRIu64 "]",
			key, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}
