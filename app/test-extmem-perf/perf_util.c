/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Helpers the benchmarks share: time, statistics, regions. */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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
