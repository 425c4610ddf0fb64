/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Telemetry, queried the way an operator would: the stock
 * dpdk-telemetry.py client, run as a subprocess against this process's
 * --file-prefix, commands on its standard input, one JSON reply per line
 * on its output (compared as Python's json.dumps prints them).
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_telemetry_util.h"

#define MB (1UL << 20)
#define EXPECT TEST_TEL_EXPECT

static int
check_output(const char *out, const struct test_heap *th, const void *p)
{
	struct rte_extmem_heap_info info;
	char exp[512];

	RTE_SET_USED(p);
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(th->h, &info), 0, "info");
	EXPECT(out, "{\"/extmem/heaps\": [\"tel_heap\"]}");
	snprintf(exp, sizeof(exp), "{\"/extmem/heap_info\": {\"name\": "
		"\"tel_heap\", \"socket_id\": %d, \"size\": %zu, \"free\": %zu, "
		"\"greatest_free\": %zu, \"alloc_count\": 1, ", th->socket,
		info.size, info.free, info.greatest_free);
	EXPECT(out, exp);
	snprintf(exp, sizeof(exp), "\"n_regions\": 2, \"min_page_sz\": %zu, "
		"\"grow_len\": %zu, \"max_len\": %zu, \"n_grown\": 1, "
		"\"n_grow_failed\": 0, \"flags\": 0, \"pool\": \"\", "
		"\"regions\": [\"tel_heap.0\", \"tel_heap.1\"]}}",
		info.min_page_sz, MB, 4 * MB);
	EXPECT(out, exp);
	EXPECT(out, "{\"/extmem/regions\": [\"tel_heap.0\", \"tel_heap.1\", "
		"\"tel_plain\"]}");
	snprintf(exp, sizeof(exp), "{\"/extmem/region_info\": {\"name\": "
		"\"tel_heap.1\", \"backing\": \"anon\", ");
	EXPECT(out, exp);
	snprintf(exp, sizeof(exp), "\"heap\": \"tel_heap\", \"socket_id\": %d, ",
		th->socket);
	EXPECT(out, exp);
	EXPECT(out, "\"heap_alloc_count\": 1, ");
	EXPECT(out, "{\"/extmem/region_info\": {\"name\": \"tel_plain\", "
		"\"backing\": \"anon\", ");
	/* private anonymous memory: not shared with secondaries */
	EXPECT(out, "\"shared\": 0, \"fd_offset\": 0}");
	/* invalid parameters: the command answers null */
	EXPECT(out, "{\"/extmem/heap_info\": null}");
	EXPECT(out, "{\"/extmem/heaps\": null}");
	EXPECT(out, "{\"/extmem/regions\": null}");
	EXPECT(out, "{\"/extmem/region_info\": null}");
	return TEST_SUCCESS;
}

static int
test_heap_telemetry(void)
{
	static const char cmds[] =
		"/extmem/heaps\n"
		"/extmem/heap_info,tel_heap\n"
		"/extmem/regions\n"
		"/extmem/region_info,tel_heap.1\n"
		"/extmem/region_info,tel_plain\n"
		"/extmem/heap_info\n"
		"/extmem/heap_info,no_such_heap\n"
		"/extmem/heap_info,socket_0\n"
		"/extmem/heap_info,a_name_that_is_longer_than_31_characters\n"
		"/extmem/heaps,extra\n"
		"/extmem/regions,extra\n"
		"/extmem/region_info\n"
		"/extmem/region_info,no_such_region\n";
	struct rte_extmem_region_params rp;
	struct rte_extmem_region *plain;
	char *out;
	struct test_heap th;
	void *p;
	int ret;

	ret = test_tel_available();
	if (ret != TEST_SUCCESS)
		return ret;

	TEST_RUN(test_heap_make(&th, "tel_heap", RTE_EXTMEM_BACKING_ANON, MB,
		MB, 4 * MB));
	/* grow to two regions, with one allocation in the second */
	p = rte_extmem_heap_malloc(th.h, "tel", MB, 0);
	TEST_ASSERT_NOT_NULL(p, "allocation: %s", rte_strerror(rte_errno));
	rte_extmem_region_params_init(&rp);
	rp.name = "tel_plain";
	rp.len = 65536;
	plain = rte_extmem_region_create(&rp);
	TEST_ASSERT_NOT_NULL(plain, "region: %s", rte_strerror(rte_errno));

	out = test_tel_run(cmds);
	TEST_ASSERT_NOT_NULL(out, "client output");
	printf("%s", out);
	ret = check_output(out, &th, p);
	free(out);
	TEST_RUN(ret);

	rte_free(p);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(plain), 0, "region");
	TEST_RUN(test_heap_free(&th));
	/* and an empty list afterwards */
	out = test_tel_run("/extmem/heaps\n");
	TEST_ASSERT_NOT_NULL(out, "client output");
	ret = strstr(out, "{\"/extmem/heaps\": []}") != NULL ? TEST_SUCCESS :
		TEST_FAILED;
	if (ret != TEST_SUCCESS)
		printf("    FAIL: empty heap list expected, got:\n%s", out);
	free(out);
	return ret;
}

REGISTER_EXTMEM_TEST(heap_telemetry, test_heap_telemetry, 0);
