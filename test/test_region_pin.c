/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Pinning and resolving a region of 4 GiB or more in PA mode, which the
 * library splits among threads on the EAL lcores' CPUs: every page
 * pinned and its physical address right, the same as pagemap says, in
 * every slice.
 * The memory is a private read-only anonymous mapping: pinning it maps
 * the kernel's zero page everywhere, so 4 GiB cost only page tables.
 * region_pin_threads forces the threads (EXTMEM_PIN_THREADS) on 64 MiB of
 * real, distinct pages, half of them never touched before, checks every
 * page's IOVA against pagemap, and makes each thread in turn fail
 * (EXTMEM_PIN_TEST_FAIL): the creation fails with ENOMEM and nothing
 * stays locked (VmLck) or registered.
 * region_pin_eal checks that EAL's registration runs beside the pinning
 * (another thread, when helpers have more than one CPU) and that each
 * memseg then has its page's IOVA; a pinning failure undoes that
 * registration; EXTMEM_EAL_BESIDE=0 and a region under 64 MiB register
 * after the pinning; a pinning thread runs on the caller's and the idle
 * lcores' CPUs (the thread's own affinity, logged).
 */

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "test.h"
#include "test_region_util.h"

#define SZ_4K 4096UL
#define SZ_1G (1UL << 30)
#define PIN_LEN (4 * SZ_1G + 16 * SZ_4K)
#define THR_LEN (64UL << 20)
#define THR_N 4

static int
test_region_pin_parallel(void)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	size_t n = PIN_LEN / SZ_4K, k;
	rte_iova_t zero_pa, io;
	long lck0;
	uint8_t *m;
	int ret = TEST_FAILED;

	if (rte_eal_iova_mode() != RTE_IOVA_PA)
		TEST_SKIP("IOVA-as-VA mode: nothing is pinned");
	m = mmap(NULL, PIN_LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_NORESERVE, -1, 0);
	TEST_ASSERT(m != MAP_FAILED, "mmap");
	lck0 = test_vm_locked_kb();
	test_region_params(&p, "pin_parallel", RTE_EXTMEM_BACKING_USER, m,
		PIN_LEN);
	r = rte_extmem_region_create(&p);
	if (r == NULL) {
		TEST_LOG("region create: %s", rte_strerror(rte_errno));
		goto out;
	}
	TEST_LOG("%zu pages pinned with %u EAL lcores", n, rte_lcore_count());
	if (rte_extmem_region_info_get(r, &info) != 0 ||
			info.n_pages != n || info.n_bad_iova != 0) {
		TEST_LOG("info: %u pages, %u without IOVA", info.n_pages,
			info.n_bad_iova);
		goto destroy;
	}
	zero_pa = test_pagemap_pa(m);
	if (zero_pa == RTE_BAD_IOVA) {
		TEST_LOG("the first page is not pinned");
		goto destroy;
	}
	/* every slice of every thread: a page in each 64 MiB, the last */
	for (k = 0; k < n; k += (64UL << 20) / SZ_4K + 1) {
		io = rte_extmem_virt2iova(m + k * SZ_4K + 7);
		if (io != zero_pa + 7 || test_pagemap_pa(m + k * SZ_4K) !=
				zero_pa) {
			TEST_LOG("page %zu: IOVA %#" PRIx64 ", expected %#"
				PRIx64, k, io, zero_pa + 7);
			goto destroy;
		}
	}
	if (rte_extmem_virt2iova(m + PIN_LEN - 1) != zero_pa + SZ_4K - 1) {
		TEST_LOG("last page");
		goto destroy;
	}
	ret = TEST_SUCCESS;
destroy:
	if (rte_extmem_region_destroy(r) != 0) {
		TEST_LOG("destroy: %s", rte_strerror(rte_errno));
		ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS && test_region_gone("pin_parallel", m,
			PIN_LEN) != TEST_SUCCESS)
		ret = TEST_FAILED;
	if (ret == TEST_SUCCESS && test_vm_locked_kb() != lck0) {
		TEST_LOG("VmLck %ld kB after destroy, %ld before",
			test_vm_locked_kb(), lck0);
		ret = TEST_FAILED;
	}
out:
	munmap(m, PIN_LEN);
	return ret;
}

#define KPF_MLOCKED (1ULL << 33)	/* /proc/kpageflags */

/* Every page of [m, +len) has the IOVA pagemap gives, distinct frames
 * where the memory was written with distinct data, and its frame is
 * mlocked (/proc/kpageflags, when readable: every share's pages were
 * locked, however they were faulted in).
 */
static int
pin_check_all(uint8_t *m, size_t len)
{
	size_t k, n = len / SZ_4K, locked = 0;
	rte_iova_t pa, prev = RTE_BAD_IOVA;
	int kfd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	uint64_t fl;

	for (k = 0; k < n; k++) {
		pa = test_pagemap_pa(m + k * SZ_4K);
		if (pa == RTE_BAD_IOVA || pa == prev ||
				rte_extmem_virt2iova(m + k * SZ_4K + 9) != pa + 9) {
			TEST_LOG("page %zu of %zu: IOVA %#" PRIx64 ", pagemap %#"
				PRIx64, k, n, rte_extmem_virt2iova(m +
				k * SZ_4K + 9), pa);
			goto fail;
		}
		if (kfd >= 0 && pread(kfd, &fl, sizeof(fl), (off_t)(pa /
				SZ_4K * sizeof(fl))) == sizeof(fl)) {
			if (!(fl & KPF_MLOCKED)) {
				TEST_LOG("page %zu of %zu (frame %#" PRIx64
					") is not mlocked", k, n, pa / SZ_4K);
				goto fail;
			}
			locked++;
		}
		prev = pa;
	}
	TEST_LOG("%zu pages checked, %zu of them mlocked per kpageflags", n,
		locked);
	if (kfd >= 0)
		close(kfd);
	return TEST_SUCCESS;
fail:
	if (kfd >= 0)
		close(kfd);
	return TEST_FAILED;
}

static int
test_region_pin_threads(void)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	char v[16];
	long lck0;
	uint8_t *m;
	int k, ret = TEST_FAILED;

	if (rte_eal_iova_mode() != RTE_IOVA_PA)
		TEST_SKIP("IOVA-as-VA mode: nothing is pinned");
	m = mmap(NULL, THR_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(m != MAP_FAILED, "mmap");
	madvise(m, THR_LEN, MADV_NOHUGEPAGE);
	/* the first half written (present), the second never touched */
	memset(m, 0x5a, THR_LEN / 2);
	lck0 = test_vm_locked_kb();
	snprintf(v, sizeof(v), "%d", THR_N);
	setenv("EXTMEM_PIN_THREADS", v, 1);
	test_region_params(&p, "pin_threads", RTE_EXTMEM_BACKING_USER, m,
		THR_LEN);

	/* each thread failing in turn: everything rolled back */
	for (k = 0; k < THR_N; k++) {
		snprintf(v, sizeof(v), "%d", k);
		setenv("EXTMEM_PIN_TEST_FAIL", v, 1);
		r = rte_extmem_region_create(&p);
		if (r != NULL || rte_errno != ENOMEM) {
			TEST_LOG("thread %d failing: region %p, %s", k,
				(void *)r, rte_strerror(rte_errno));
			if (r != NULL)
				rte_extmem_region_destroy(r);
			goto out;
		}
		if (test_vm_locked_kb() != lck0 || rte_extmem_region_lookup(
				"pin_threads") != NULL ||
				rte_extmem_virt2iova(m) != RTE_BAD_IOVA) {
			TEST_LOG("thread %d failing: VmLck %ld kB (%ld before) "
				"or the region is known", k, test_vm_locked_kb(),
				lck0);
			goto out;
		}
	}
	unsetenv("EXTMEM_PIN_TEST_FAIL");

	r = rte_extmem_region_create(&p);
	if (r == NULL) {
		TEST_LOG("region create: %s", rte_strerror(rte_errno));
		goto out;
	}
	if (test_vm_locked_kb() < lck0 + (long)(THR_LEN >> 10)) {
		TEST_LOG("VmLck %ld kB: not all %lu kB locked", test_vm_locked_kb(),
			THR_LEN >> 10);
		rte_extmem_region_destroy(r);
		goto out;
	}
	/* distinct frames: write every untouched page too (pinned pages
	 * keep their frames)
	 */
	for (k = 0; k < (int)(THR_LEN / SZ_4K); k++)
		m[(size_t)k * SZ_4K] = (uint8_t)k;
	ret = pin_check_all(m, THR_LEN);
	if (rte_extmem_region_destroy(r) != 0) {
		TEST_LOG("destroy: %s", rte_strerror(rte_errno));
		ret = TEST_FAILED;
	}
	if (ret == TEST_SUCCESS && test_vm_locked_kb() != lck0) {
		TEST_LOG("VmLck %ld kB after destroy, %ld before",
			test_vm_locked_kb(), lck0);
		ret = TEST_FAILED;
	}
out:
	unsetenv("EXTMEM_PIN_THREADS");
	unsetenv("EXTMEM_PIN_TEST_FAIL");
	munmap(m, THR_LEN);
	return ret;
}

/* Is every line of want[] (NULL-ended) in the log text? */
static bool
log_has(const char *log, const char *const want[])
{
	unsigned int i;

	for (i = 0; want[i] != NULL; i++)
		if (log == NULL || strstr(log, want[i]) == NULL) {
			TEST_LOG("log lacks \"%s\"", want[i]);
			return false;
		}
	return true;
}

/* rte_extmem_region_create(p) with the library's debug log captured. */
static struct rte_extmem_region *
create_logged(const struct rte_extmem_region_params *p, char **log)
{
	int lvl = rte_log_get_level(rte_log_register("lib.extmem"));
	struct test_log_capture c;
	struct rte_extmem_region *r;

	test_log_capture_begin(&c);
	rte_log_set_level_pattern("lib.extmem", RTE_LOG_DEBUG);
	r = rte_extmem_region_create(p);
	rte_log_set_level_pattern("lib.extmem", (uint32_t)lvl);
	*log = test_log_capture_end(&c);
	return r;
}

/* r was registered with EAL after its pinning, and is right; destroyed. */
static int
after_pinning(struct rte_extmem_region *r, const char *log, uint8_t *m,
	size_t len)
{
	const struct region_check chk = { .iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true, .page_sz = SZ_4K };
	int ret = TEST_FAILED;

	if (r == NULL) {
		TEST_LOG("create: %s", rte_strerror(rte_errno));
		return TEST_FAILED;
	}
	if (log == NULL || strstr(log, "while pinned") != NULL)
		TEST_LOG("registered beside the pinning (or no log)");
	else if (log_has(log, (const char *const []){ "registered with EAL "
			"(rte_extmem_register", NULL }) &&
			test_region_verify(r, &chk) == TEST_SUCCESS)
		ret = TEST_SUCCESS;
	if (rte_extmem_region_destroy(r) != 0 ||
			test_region_gone("pin_eal", m, len) !=
			TEST_SUCCESS)
		ret = TEST_FAILED;
	return ret;
}

static int
test_region_pin_eal(void)
{
	const struct region_check chk = { .iova_src = REGION_IOVA_RESOLVED,
		.cpu_access = true, .page_sz = SZ_4K };
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	char *log = NULL, want_cpus[64];
	rte_cpuset_t cpus, c;
	unsigned int lc, n_cpus;
	int ret = TEST_FAILED;
	long lck0;
	uint8_t *m;

	if (rte_eal_iova_mode() != RTE_IOVA_PA)
		TEST_SKIP("IOVA-as-VA mode: nothing is pinned");
	/* the caller's CPUs and the idle lcores' */
	if (pthread_getaffinity_np(pthread_self(), sizeof(cpus), &cpus) != 0)
		CPU_ZERO(&cpus);
	RTE_LCORE_FOREACH(lc) {
		c = rte_lcore_cpuset(lc);
		RTE_CPU_OR(&cpus, &cpus, &c);
	}
	n_cpus = (unsigned int)CPU_COUNT(&cpus);
	if (n_cpus < 2)
		TEST_SKIP("EAL has one CPU: nothing runs beside the pinning");
	m = mmap(NULL, THR_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(m != MAP_FAILED, "mmap");
	madvise(m, THR_LEN, MADV_NOHUGEPAGE);
	memset(m, 0xa5, THR_LEN);
	lck0 = test_vm_locked_kb();
	test_region_params(&p, "pin_eal", RTE_EXTMEM_BACKING_USER, m,
		THR_LEN);

	/* pinned while EAL registered it; every memseg has its IOVA */
	r = create_logged(&p, &log);
	if (r == NULL) {
		TEST_LOG("create: %s", rte_strerror(rte_errno));
		goto out;
	}
	if (!log_has(log, (const char *const []){ "registered with EAL "
			"(rte_extmem_register", "registered with EAL while "
			"pinned, IOVAs given", NULL }) ||
			test_region_verify(r, &chk) != TEST_SUCCESS ||
			pin_check_all(m, THR_LEN) != TEST_SUCCESS) {
		rte_extmem_region_destroy(r);
		goto out;
	}
	free(log);
	log = NULL;
	if (rte_extmem_region_destroy(r) != 0 || test_vm_locked_kb() != lck0 ||
			test_region_gone("pin_eal", m, THR_LEN) != TEST_SUCCESS) {
		TEST_LOG("after destroy: VmLck %ld kB, %ld before",
			test_vm_locked_kb(), lck0);
		goto out;
	}

	/* the pinning fails: EAL's registration made beside it is undone */
	setenv("EXTMEM_PIN_THREADS", "1", 1);
	setenv("EXTMEM_PIN_TEST_FAIL", "0", 1);
	r = create_logged(&p, &log);
	unsetenv("EXTMEM_PIN_TEST_FAIL");
	if (r != NULL || rte_errno != ENOMEM) {
		TEST_LOG("failing pinning: region %p, %s", (void *)r,
			rte_strerror(rte_errno));
		if (r != NULL)
			rte_extmem_region_destroy(r);
		goto out;
	}
	if (!log_has(log, (const char *const []){ "unregistered from EAL",
			NULL }) || test_vm_locked_kb() != lck0 ||
			test_region_gone("pin_eal", m, THR_LEN) != TEST_SUCCESS) {
		TEST_LOG("after the failure: VmLck %ld kB, %ld before",
			test_vm_locked_kb(), lck0);
		goto out;
	}
	free(log);
	log = NULL;

	/* the hook, and a region under 64 MiB: registered after pinning */
	unsetenv("EXTMEM_PIN_THREADS");
	setenv("EXTMEM_EAL_BESIDE", "0", 1);
	r = create_logged(&p, &log);
	unsetenv("EXTMEM_EAL_BESIDE");
	if (after_pinning(r, log, m, THR_LEN) != TEST_SUCCESS)
		goto out;
	free(log);
	log = NULL;
	p.len = THR_LEN / 2;
	r = create_logged(&p, &log);
	p.len = THR_LEN;
	if (after_pinning(r, log, m, THR_LEN / 2) != TEST_SUCCESS)
		goto out;
	free(log);
	log = NULL;

	/* a pinning thread runs on the CPUs EAL has, not the caller's one */
	setenv("EXTMEM_PIN_THREADS", "2", 1);
	r = create_logged(&p, &log);
	snprintf(want_cpus, sizeof(want_cpus), "by 2 threads (1 started) on "
		"%u CPUs", n_cpus);
	if (r == NULL || !log_has(log, (const char *const []){ want_cpus,
			NULL }) || pin_check_all(m, THR_LEN) != TEST_SUCCESS) {
		TEST_LOG("two threads: region %p, %s", (void *)r,
			r == NULL ? rte_strerror(rte_errno) : "log");
		if (r != NULL)
			rte_extmem_region_destroy(r);
		goto out;
	}
	if (rte_extmem_region_destroy(r) != 0 || test_vm_locked_kb() != lck0)
		goto out;
	ret = TEST_SUCCESS;
out:
	free(log);
	unsetenv("EXTMEM_PIN_THREADS");
	unsetenv("EXTMEM_PIN_TEST_FAIL");
	munmap(m, THR_LEN);
	return ret;
}

REGISTER_EXTMEM_TEST(region_pin_parallel, test_region_pin_parallel, 0);
REGISTER_EXTMEM_TEST(region_pin_eal, test_region_pin_eal, 0);
REGISTER_EXTMEM_TEST(region_pin_threads, test_region_pin_threads, 0);
