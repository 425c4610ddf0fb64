/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * dpdk-extmem-test-preinit: the library called before rte_eal_init().
 *
 * Every entry point must refuse (rte_errno E_RTE_NO_CONFIG) and change
 * nothing, so that the rte_eal_init() that follows succeeds in every
 * memory and IOVA mode (a region created before it used to pin pages
 * and read physical addresses while the IOVA mode was undecided, then
 * EAL crashed in PA mode with hugepages and failed with --no-huge), and
 * the library then works normally. A program of its own: EAL is
 * initialised once per process.
 */

#include <stdio.h>
#include <string.h>
#include <glob.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <rte_extmem.h>
#include <rte_extmem_devmap.h>
#include <rte_extmem_event.h>
#include <rte_extmem_heap.h>
#include <rte_extmem_limits.h>
#include <rte_extmem_mbuf.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_region_util.h"

static int
domain_cb(const char *name __rte_unused, void *arg __rte_unused)
{
	return 0;
}

static int
ev_cb(const struct rte_extmem_event *ev __rte_unused, void *arg __rte_unused)
{
	return 0;
}

#define REFUSED(expr, what) \
	TEST_ASSERT_ERRNO((expr), E_RTE_NO_CONFIG, "before rte_eal_init: %s", \
		what)

static int
before_init(void)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;
	struct rte_extmem_slicer_params sp;
	struct rte_extmem_region_info ri;
	struct rte_extmem_devmap_dev_info di;
	struct rte_extmem_limits lim;
	static char mem[4 << 12] __rte_aligned(4096);

	/* parameters made by hand: params_init refuses too */
	memset(&rp, 0, sizeof(rp));
	rp.struct_size = sizeof(rp);
	rp.backing = RTE_EXTMEM_BACKING_ANON;
	rp.numa_node = SOCKET_ID_ANY;
	rp.name = "preinit";
	rp.len = 2 << 12;
	memset(&hp, 0, sizeof(hp));
	hp.struct_size = sizeof(hp);
	hp.name = "preinit_heap";
	hp_r = rp;
	hp_r.name = NULL;
	hp.region = &hp_r;
	memset(&sp, 0, sizeof(sp));

	REFUSED(rte_extmem_region_params_init(&rp) == -1, "region params");
	REFUSED(rte_extmem_heap_params_init(&hp) == -1, "heap params");
	REFUSED(rte_extmem_slicer_params_init(&sp) == -1, "slicer params");
	REFUSED(rte_extmem_region_create(&rp) == NULL, "region create");
	rp.backing = RTE_EXTMEM_BACKING_USER;
	rp.addr = mem;
	REFUSED(rte_extmem_region_create(&rp) == NULL, "user region create");
	REFUSED(rte_extmem_region_lookup("preinit") == NULL, "region lookup");
	REFUSED(rte_extmem_region_info_get(NULL, &ri) == -1, "region info");
	REFUSED(rte_extmem_region_walk(NULL, NULL) == -1, "region count");
	/* the data-path lookups: no log line, but the same rte_errno */
	REFUSED(rte_extmem_virt2region(mem) == NULL, "virt2region");
	REFUSED(rte_extmem_range2iova(mem, 8) == RTE_BAD_IOVA, "range2iova");
	TEST_ASSERT_EQ(rte_extmem_virt2iova(mem), RTE_BAD_IOVA,
		"virt2iova before rte_eal_init");
	REFUSED(rte_extmem_heap_create(&hp) == NULL, "heap create");
	REFUSED(rte_extmem_heap_lookup("preinit_heap") == NULL, "heap lookup");
	REFUSED(rte_extmem_heap_walk(NULL, NULL) == -1, "heap count");
	REFUSED(rte_extmem_pktmbuf_pool_create("preinit_pool", 63, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, hp.region) == NULL, "pool create");
	REFUSED(rte_extmem_pktmbuf_pool_mem_size(63, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, 4096) == 0, "pool size");
	REFUSED(rte_extmem_event_subscribe("preinit", 0, ev_cb, NULL) == -1,
		"event subscribe");
	REFUSED(rte_extmem_event_eal_forwarding() == 0, "event forwarding");
	REFUSED(rte_extmem_slicer_lookup("preinit") == NULL, "slicer lookup");
	REFUSED(rte_extmem_backing_name(RTE_EXTMEM_BACKING_ANON) == NULL,
		"backing name");
	REFUSED(rte_extmem_limits_get(&lim) == -1, "limits");
	REFUSED(rte_extmem_devmap_auto_get() == -1, "DMA auto get");
	REFUSED(rte_extmem_devmap_auto_set(false) == -1, "DMA auto set");
	REFUSED(rte_extmem_devmap_dev_info_get("net_null0", &di) == -1,
		"DMA device info");
	REFUSED(rte_extmem_devmap_dev_auto_set("net_null0", false) == -1,
		"DMA device opt-out");
	REFUSED(rte_extmem_devmap_domain_walk(domain_cb, NULL) == -1,
		"DMA domain walk");
	return TEST_SUCCESS;
}

static int
after_init(void)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_region_params hp_r;
	struct rte_extmem_heap_params hp;
	struct rte_extmem_region_info ri;
	struct rte_extmem_region *r;
	struct rte_extmem_heap *h;
	struct rte_mempool *mp;
	uint8_t *p;

	TEST_ASSERT_EQ(test_region_count(), 0, "no region was made");
	TEST_ASSERT_EQ(test_heap_count(), 0, "no heap was made");
	TEST_ASSERT_EQ(rte_extmem_region_params_init(&rp), 0, "params");
	rp.name = "preinit";
	rp.len = 4 << 12;
	r = rte_extmem_region_create(&rp);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &ri), 0, "info");
	TEST_ASSERT_NE(rte_extmem_virt2iova(ri.addr), RTE_BAD_IOVA, "IOVA");
	/* IOVAs resolved by the library: EAL's own lookup agrees */
	TEST_ASSERT_EQ(rte_extmem_virt2iova(ri.addr),
		rte_mem_virt2iova(ri.addr), "EAL's IOVA");
	memset(ri.addr, 0x3c, ri.len);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "region destroy");
	/* EAL up: not found is ENOENT again */
	TEST_ASSERT_ERRNO(rte_extmem_virt2region(ri.addr) == NULL, ENOENT,
		"virt2region after the region went");
	TEST_ASSERT_ERRNO(rte_extmem_range2iova(ri.addr, 8) == RTE_BAD_IOVA,
		ENOENT, "range2iova after the region went");

	TEST_ASSERT_EQ(rte_extmem_heap_params_init(&hp), 0, "heap params");
	TEST_ASSERT_EQ(rte_extmem_region_params_init(&hp_r), 0, "params");
	hp.region = &hp_r;
	hp.name = "preinit_heap";
	hp_r.len = 1 << 20;
	h = rte_extmem_heap_create(&hp);
	TEST_ASSERT_NOT_NULL(h, "heap: %s", rte_strerror(rte_errno));
	p = rte_malloc_socket("preinit", 4096, 0, test_heap_socket(h));
	TEST_ASSERT_NOT_NULL(p, "allocation");
	memset(p, 0x7e, 4096);
	TEST_ASSERT_EQ(rte_malloc_virt2iova(p), rte_extmem_virt2iova(p),
		"allocation IOVA");
	rte_free(p);
	TEST_ASSERT_EQ(rte_extmem_heap_destroy(h), 0, "heap destroy");

	rte_extmem_region_params_init(&rp);
	mp = rte_extmem_pktmbuf_pool_create("preinit_pool", 255, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, &rp);
	TEST_ASSERT_NOT_NULL(mp, "pool: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(mp), 0, "pool free");
	return TEST_SUCCESS;
}

/* Any free hugepage in any of the kernel's pools? */
static bool
hugepages_free(void)
{
	unsigned long n = 0, total = 0;
	glob_t g;
	size_t i;

	if (glob("/sys/kernel/mm/hugepages/hugepages-*/free_hugepages", 0,
			NULL, &g) != 0)
		return false;
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");

		if (f != NULL && fscanf(f, "%lu", &n) == 1)
			total += n;
		if (f != NULL)
			fclose(f);
	}
	globfree(&g);
	return total > 0;
}

int
main(int argc, char **argv)
{
	bool nohuge = false;
	int i, ret;

	for (i = 1; i < argc; i++)
		nohuge |= strcmp(argv[i], "--no-huge") == 0;
	if (!nohuge && !hugepages_free()) {
		printf("SKIP: hugepage mode requested but no free hugepages are "
			"reserved (see devtools/setup.sh)\n");
		printf("0 passed, 0 failed, 1 skipped\n");
		return TEST_SKIPPED;
	}
	printf("RUN  preinit\n");
	ret = before_init();
	if (ret == TEST_SUCCESS) {
		if (rte_eal_init(argc, argv) < 0) {
			printf("    FAIL: rte_eal_init after the library was "
				"called: %s\n", rte_strerror(rte_errno));
			ret = TEST_FAILED;
		} else {
			ret = after_init();
			rte_eal_cleanup();
		}
	}
	printf("%s preinit\n", ret == TEST_SUCCESS ? "OK  " : "FAIL");
	printf("%d passed, %d failed, 0 skipped\n", ret == TEST_SUCCESS,
		ret != TEST_SUCCESS);
	return ret == TEST_SUCCESS ? 0 : 1;
}
