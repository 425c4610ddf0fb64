/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The debug trace of a region's life (--log-level=lib.extmem:debug): with
 * a net_mrnic pair present, creating and destroying a region logs, in this
 * order, its backing, its IOVAs, its EAL registration, its entry in the
 * translation table, every run mapped on each port's device, its removal
 * announced, every run unmapped, its exit from the table and from EAL and
 * the release of its memory. At the default level none of it is logged.
 */

#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "test.h"
#include "test_mrnic_util.h"

#include "rte_extmem.h"

/* Run one region's life with lib.extmem at level; return its log. */
static char *
region_life(uint32_t level)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_region *r;
	FILE *old = rte_log_get_stream(), *f;
	char *buf = NULL;
	size_t len = 0;
	int prev;

	prev = rte_log_get_level(rte_log_register("lib.extmem"));
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	rte_openlog_stream(f);
	rte_log_set_level_pattern("lib.extmem", level);
	rte_extmem_region_params_init(&rp);
	rp.name = "trace_region";
	rp.len = 65536;
	r = rte_extmem_region_create(&rp);
	if (r != NULL)
		rte_extmem_region_destroy(r);
	rte_log_set_level_pattern("lib.extmem", prev);
	rte_openlog_stream(old);
	fclose(f);
	if (r == NULL) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Each of the n strings found after the previous one. */
static int
expect_in_order(const char *log, const char *const *s, unsigned int n)
{
	const char *at = log, *p;
	unsigned int i;

	for (i = 0; i < n; i++) {
		p = strstr(at, s[i]);
		TEST_ASSERT_NOT_NULL(p, "trace lacks '%s' after '%s'; log:\n%s",
			s[i], i == 0 ? "(start)" : s[i - 1], log);
		at = p + strlen(s[i]);
	}
	return TEST_SUCCESS;
}

static int
test_log_region_trace(void)
{
	struct rte_mempool *mp;
	struct mrnic_t_pair p;
	char mapped[2][128], unmapped[2][128];
	const char *order[12];
	char *log;
	int ret;

	mp = mrnic_t_pool("trace_rx", 256, RTE_MBUF_DEFAULT_BUF_SIZE);
	TEST_ASSERT_NOT_NULL(mp, "rx pool");
	TEST_ASSERT_EQ(mrnic_t_pair_create(&p, "trace", "extmem", 1, 64, mp,
		mp, false), TEST_SUCCESS, "mrnic pair");
	snprintf(mapped[0], sizeof(mapped[0]), ") mapped on %s", p.name[0]);
	snprintf(mapped[1], sizeof(mapped[1]), ") mapped on %s", p.name[1]);
	snprintf(unmapped[0], sizeof(unmapped[0]), ") unmapped on %s",
		p.name[0]);
	snprintf(unmapped[1], sizeof(unmapped[1]), ") unmapped on %s",
		p.name[1]);

	log = region_life(RTE_LOG_DEBUG);
	ret = log != NULL ? TEST_SUCCESS : TEST_FAILED;
	if (log != NULL) {
		order[0] = "region trace_region: anon backing at ";
		order[1] = "region trace_region: IOVAs resolved";
		order[2] = "region trace_region: registered with EAL";
		order[3] = "region trace_region: in the translation table";
		order[4] = mapped[0];
		order[5] = mapped[1];
		order[6] = "region trace_region: announcing its removal";
		order[7] = unmapped[0];
		order[8] = unmapped[1];
		order[9] = "region trace_region: out of the translation table";
		order[10] = "region trace_region: unregistered from EAL";
		order[11] = "region trace_region: IOVAs released";
		ret = expect_in_order(log, order, RTE_DIM(order));
		free(log);
	}
	if (ret == TEST_SUCCESS) {
		/* at the default level: the INFO lines only */
		log = region_life(RTE_LOG_INFO);
		ret = log != NULL && strstr(log, "trace_region") != NULL &&
			strstr(log, "IOVAs resolved") == NULL &&
			strstr(log, "mapped on") == NULL ? TEST_SUCCESS :
			TEST_FAILED;
		if (ret != TEST_SUCCESS)
			printf("    FAIL: trace at INFO level:\n%s\n",
				log != NULL ? log : "(none)");
		free(log);
	}
	mrnic_t_pair_destroy(&p);
	rte_mempool_free(mp);
	return ret;
}

REGISTER_EXTMEM_TEST(log_region_trace, test_log_region_trace, 0);
