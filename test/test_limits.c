/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The limits report: every figure against what the test reads itself
 * (memseg lists walked, sysfs hugepage pools and THP, VFIO's module,
 * RLIMIT_MEMLOCK), and its changes when a region and a heap are created
 * (one memseg list each, one heap slot, the region's IOVA runs as
 * mapping entries, its bytes pinned in PA mode); the same figures through
 * the stock telemetry client (/extmem/limits) and through
 * dpdk-extmem-info --attach on this process.
 */

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sys/mman.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>

#include "test.h"
#include "test_dma_util.h"
#include "test_heap_util.h"
#include "test_region_util.h"
#include "test_telemetry_util.h"

#include "rte_extmem_devmap.h"
#include "rte_extmem_limits.h"

#define MB (1UL << 20)

static int
test_limits_bad_input(void)
{
	TEST_ASSERT_ERRNO(rte_extmem_limits_get(NULL) != 0, EINVAL,
		"limits_get(NULL)");
	TEST_ASSERT_ERRNO(rte_extmem_limits_dump(NULL) != 0, EINVAL,
		"limits_dump(NULL)");
	return TEST_SUCCESS;
}

static uint64_t
sysfs_u64(const char *path)
{
	unsigned long long v = UINT64_MAX;
	FILE *f = fopen(path, "r");

	if (f != NULL) {
		if (fscanf(f, "%llu", &v) != 1)
			v = UINT64_MAX;
		fclose(f);
	}
	return v;
}

/* Every figure that does not depend on this library, read here. */
static int
check_system(const struct rte_extmem_limits *l)
{
	char path[256], thp[256], *s;
	struct rlimit rl;
	unsigned int i;
	FILE *f;

	TEST_ASSERT_EQ(l->memseg_lists_max, RTE_MAX_MEMSEG_LISTS, "msl max");
	TEST_ASSERT_EQ(l->memseg_lists_used, test_msl_count(), "msl used");
	TEST_ASSERT_EQ(l->heaps_max, RTE_MAX_HEAPS, "heaps max");
	TEST_ASSERT_EQ(l->iova_mode, rte_eal_iova_mode(), "iova mode");
	TEST_ASSERT_EQ(l->registration_pins, rte_eal_iova_mode() == RTE_IOVA_PA,
		"pins in PA mode only");
	for (i = 0; i < l->n_hugepage_sizes; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/"
			"hugepages-%" PRIu64 "kB/nr_hugepages",
			l->hugepages[i].page_sz >> 10);
		TEST_ASSERT_EQ(l->hugepages[i].total, sysfs_u64(path),
			"%s", path);
		TEST_ASSERT(i == 0 || l->hugepages[i].page_sz >
			l->hugepages[i - 1].page_sz, "sizes in order");
		TEST_ASSERT_LE(l->hugepages[i].free, l->hugepages[i].total,
			"free <= total");
	}
	TEST_ASSERT_EQ(l->n_hugepage_sizes > 0,
		access("/sys/kernel/mm/hugepages", F_OK) == 0, "pools seen");
	TEST_ASSERT_EQ(getrlimit(RLIMIT_MEMLOCK, &rl), 0, "getrlimit");
	TEST_ASSERT_EQ(l->memlock_limit, rl.rlim_cur == RLIM_INFINITY ?
		UINT64_MAX : (uint64_t)rl.rlim_cur, "memlock limit");
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f != NULL) {
		TEST_ASSERT_NOT_NULL(fgets(thp, sizeof(thp), f), "thp");
		fclose(f);
		s = strchr(thp, '[');
		TEST_ASSERT_NOT_NULL(s, "thp format");
		TEST_ASSERT(strncmp(s + 1, l->thp, strlen(l->thp)) == 0 &&
			s[1 + strlen(l->thp)] == ']', "thp %s vs %s", l->thp,
			thp);
	} else {
		TEST_ASSERT(strcmp(l->thp, "unknown") == 0, "thp unknown");
	}
	TEST_ASSERT_EQ(l->vfio,
		access("/sys/module/vfio_iommu_type1", F_OK) == 0, "vfio");
	if (!l->vfio)
		TEST_ASSERT(l->vfio_dma_entry_limit == 0 &&
			l->vfio_user_maps_max == 0, "no VFIO figures");
	return TEST_SUCCESS;
}

/* dpdk-extmem-info next to this binary (build tree or installed). */
static int
info_tool(char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	dirname(exe);
	snprintf(path, size, "%s/dpdk-extmem-info", exe);
	if (access(path, X_OK) == 0)
		return 0;
	snprintf(path, size, "%s/../app/extmem-info/dpdk-extmem-info", exe);
	return access(path, X_OK);
}

static int
check_tools(const struct rte_extmem_limits *l)
{
	char exp[256], tool[PATH_MAX + 64], cmd[PATH_MAX + 256], *out;
	size_t len;
	FILE *f;
	int ret;

	out = test_tel_run("/extmem/limits\n/extmem/limits,extra\n");
	TEST_ASSERT_NOT_NULL(out, "client output");
	printf("%s", out);
	snprintf(exp, sizeof(exp), "{\"/extmem/limits\": {\"memseg_lists_max\""
		": %u, \"memseg_lists_used\": %u, \"heaps_max\": %u, "
		"\"heaps_used\": %u, ", l->memseg_lists_max,
		l->memseg_lists_used, l->heaps_max, l->heaps_used);
	ret = strstr(out, exp) != NULL ? TEST_SUCCESS : TEST_FAILED;
	snprintf(exp, sizeof(exp), "\"dma_entries_needed\": %" PRIu64
		", \"next_registration\": {\"memseg_lists\": \"%u of %u free: ",
		l->dma_entries_needed, l->memseg_lists_max -
		l->memseg_lists_used, l->memseg_lists_max);
	if (ret == TEST_SUCCESS && strstr(out, exp) == NULL)
		ret = TEST_FAILED;
	if (ret == TEST_SUCCESS && (strstr(out, "\"vfio\": \"") == NULL ||
			strstr(out, "{\"/extmem/limits\": null}") == NULL))
		ret = TEST_FAILED;
	free(out);
	TEST_ASSERT_EQ(ret, TEST_SUCCESS, "telemetry /extmem/limits lacks "
		"'%s' (output above)", exp);

	if (info_tool(tool, sizeof(tool)) != 0) {
		TEST_LOG("dpdk-extmem-info not found next to the test: "
			"--attach not checked");
		return TEST_SUCCESS;
	}
	snprintf(cmd, sizeof(cmd), "%s --attach %s", tool,
		extmem_test_file_prefix);
	f = popen(cmd, "r");
	TEST_ASSERT_NOT_NULL(f, "popen %s", cmd);
	out = calloc(1, 16384);
	TEST_ASSERT_NOT_NULL(out, "buffer");
	len = fread(out, 1, 16383, f);
	out[len] = '\0';
	ret = pclose(f);
	printf("%s: %s", cmd, out);
	/* the raw socket reply, without the client's spaces */
	snprintf(exp, sizeof(exp), "\"memseg_lists_used\":%u,\"heaps_max\":"
		"%u,\"heaps_used\":%u,", l->memseg_lists_used, l->heaps_max,
		l->heaps_used);
	ret = ret == 0 && strstr(out, exp) != NULL ? TEST_SUCCESS :
		TEST_FAILED;
	free(out);
	TEST_ASSERT_EQ(ret, TEST_SUCCESS, "%s: no '%s'", cmd, exp);
	return TEST_SUCCESS;
}

static int
test_limits_report(void)
{
	struct rte_extmem_limits l0, l1, l2;
	struct rte_extmem_region_params rp;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	struct test_heap th;
	int ret;

	TEST_ASSERT_EQ(rte_extmem_limits_get(&l0), 0, "limits");
	TEST_RUN(check_system(&l0));

	test_region_params(&rp, "limits_region", RTE_EXTMEM_BACKING_ANON,
		NULL, 4 * MB);
	r = rte_extmem_region_create(&rp);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info");
	TEST_ASSERT_EQ(rte_extmem_limits_get(&l1), 0, "limits");
	TEST_RUN(check_system(&l1));
	TEST_ASSERT_EQ(l1.memseg_lists_used, l0.memseg_lists_used + 1,
		"a region takes one memseg list");
	TEST_ASSERT_EQ(l1.heaps_used, l0.heaps_used, "a region takes no heap");
	TEST_ASSERT_EQ(l1.dma_entries_needed, l0.dma_entries_needed +
		info.n_iova_runs, "a region's runs");
	TEST_ASSERT_EQ(l1.pinned_by_regions, l0.pinned_by_regions +
		(l1.registration_pins ? info.len : 0), "pinned bytes");

	ret = test_heap_make(&th, "limits_heap", RTE_EXTMEM_BACKING_ANON, MB,
		MB, 2 * MB);
	if (ret != TEST_SUCCESS) {
		rte_extmem_region_destroy(r);
		return ret;
	}
	TEST_ASSERT_EQ(rte_extmem_limits_get(&l2), 0, "limits");
	TEST_ASSERT_EQ(l2.heaps_used, l1.heaps_used + 1, "a heap takes a slot");
	TEST_ASSERT_EQ(l2.memseg_lists_used, l1.memseg_lists_used + 1,
		"its chunk takes a memseg list");

	ret = test_tel_available();
	if (ret == TEST_SUCCESS)
		ret = check_tools(&l2);
	else if (ret == TEST_SKIPPED)
		ret = TEST_SUCCESS; /* the API part ran; the reason is printed */
	TEST_RUN(test_heap_free(&th));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT_EQ(rte_extmem_limits_get(&l2), 0, "limits");
	TEST_ASSERT_EQ(l2.memseg_lists_used, l0.memseg_lists_used,
		"lists given back");
	TEST_ASSERT_EQ(l2.heaps_used, l0.heaps_used, "heap slot given back");
	TEST_ASSERT_EQ(l2.pinned_by_regions, l0.pinned_by_regions, "unpinned");
	TEST_ASSERT_EQ(rte_extmem_limits_dump(stdout), 0, "dump");
	return ret;
}

/* A region of the caller's memory with fake IOVAs in runs of run pages. */
static struct rte_extmem_region *
fake_iova_region(const char *name, void *mem, unsigned int n_pages,
	unsigned int run)
{
	struct rte_extmem_region_params rp;
	rte_iova_t iovas[64];
	unsigned int i;

	for (i = 0; i < n_pages && i < RTE_DIM(iovas); i++)
		/* a gap of one page between runs */
		iovas[i] = 0x100000000ULL + (uint64_t)(i + i / run) * 4096;
	test_region_params(&rp, name, RTE_EXTMEM_BACKING_USER, mem,
		(size_t)n_pages * 4096);
	rp.page_sz = 4096;
	rp.iovas = iovas;
	rp.n_iovas = n_pages;
	return rte_extmem_region_create(&rp);
}

/*
 * DMA domains with an entry limit: two net_mrnic ports in one domain of 8
 * entries. The report names it with 8 left, 7 after a one-run region;
 * a region of 9 runs is refused and the report is unchanged.
 */
static int
test_limits_domain(void)
{
	struct rte_extmem_limits l0, l1, l2;
	struct rte_extmem_region *r, *big;
	char note[128];
	uint8_t *mem;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;
	int ret = TEST_SUCCESS;

	mem = mmap(NULL, 64 * 4096, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_limd0",
		"domain=limD,domain_entries=8"), 0, "vdev 0");
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_limd1",
		"domain=limD,domain_entries=8"), 0, "vdev 1");
	test_devmap_sync();
	TEST_ASSERT_EQ(rte_extmem_limits_get(&l0), 0, "limits");
	TEST_ASSERT(strcmp(l0.dma_domain_tightest, "limD") == 0,
		"tightest domain '%s'", l0.dma_domain_tightest);
	TEST_ASSERT_EQ(l0.dma_domain_max_entries, 8, "max entries");
	TEST_ASSERT_GE(l0.dma_domains, 1, "domains");

	r = fake_iova_region("limits_dom_r", mem, 4, 4);
	TEST_ASSERT_NOT_NULL(r, "one-run region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_limits_get(&l1), 0, "limits");
	TEST_ASSERT_EQ(l1.dma_domain_entries_left, l0.dma_domain_entries_left - 1,
		"one entry taken");
	big = fake_iova_region("limits_dom_big", mem + 8 * 4096, 18, 2);
	if (big != NULL) {
		rte_extmem_region_destroy(big);
		ret = TEST_FAILED;
		printf("    FAIL: a region of 9 runs fit in %u entries\n",
			l1.dma_domain_entries_left);
	}
	TEST_ASSERT_EQ(rte_extmem_limits_get(&l2), 0, "limits");
	TEST_ASSERT_EQ(l2.dma_domain_entries_left, l1.dma_domain_entries_left,
		"the refused region took nothing");
	snprintf(note, sizeof(note), "fewest entries left: limD, %u of 8",
		l2.dma_domain_entries_left);
	f = open_memstream(&buf, &len);
	TEST_ASSERT_NOT_NULL(f, "memstream");
	TEST_ASSERT_EQ(rte_extmem_limits_dump(f), 0, "dump");
	fclose(f);
	if (strstr(buf, note) == NULL) {
		printf("    FAIL: no '%s' in the report:\n%s", note, buf);
		ret = TEST_FAILED;
	}
	free(buf);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_limd0"), 0, "uninit 0");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_limd1"), 0, "uninit 1");
	munmap(mem, 64 * 4096);
	return ret;
}

REGISTER_EXTMEM_TEST(limits_bad_input, test_limits_bad_input, 0);
REGISTER_EXTMEM_TEST(limits_domain, test_limits_domain, 0);
REGISTER_EXTMEM_TEST(limits_report, test_limits_report, 0);
