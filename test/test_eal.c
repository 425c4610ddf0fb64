/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* EAL comes up in the mode the harness was started in. */

#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "test.h"

static int
arg_present(const char *opt, const char *val)
{
	int i;

	for (i = 1; i < extmem_test_argc; i++) {
		const char *a = extmem_test_argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (val == NULL && strcmp(a, opt) == 0)
			return 1;
		if (val != NULL && strncmp(a, opt, strlen(opt)) == 0 &&
				a[strlen(opt)] == '=' &&
				strcmp(a + strlen(opt) + 1, val) == 0)
			return 1;
	}
	return 0;
}

static int
test_eal_mode(void)
{
	int nohuge = arg_present("--no-huge", NULL);
	void *p;
	rte_iova_t iova;

	TEST_ASSERT_EQ(rte_eal_has_hugepages(), !nohuge,
		"hugepage mode does not match --no-huge=%d", nohuge);
	if (arg_present("--iova-mode", "va"))
		TEST_ASSERT_EQ(rte_eal_iova_mode(), RTE_IOVA_VA, "IOVA mode");
	/* without hugepages EAL has no physical addresses: it selects VA */
	if (arg_present("--iova-mode", "pa"))
		TEST_ASSERT_EQ(rte_eal_iova_mode(),
			nohuge ? RTE_IOVA_VA : RTE_IOVA_PA, "IOVA mode");

	/* EAL's own allocator works and memory is readable/writable. */
	p = rte_malloc("extmem_eal_test", 1 << 20, 0);
	TEST_ASSERT_NOT_NULL(p, "rte_malloc: %s", rte_strerror(rte_errno));
	memset(p, 0x5a, 1 << 20);
	TEST_ASSERT_EQ(((uint8_t *)p)[(1 << 20) - 1], 0x5a, "memory content");
	iova = rte_malloc_virt2iova(p);
	if (rte_eal_iova_mode() == RTE_IOVA_VA)
		TEST_ASSERT_EQ(iova, (uintptr_t)p, "IOVA-as-VA");
	else if (!nohuge)
		TEST_ASSERT_NE(iova, RTE_BAD_IOVA, "PA mode IOVA of EAL memory");
	rte_free(p);
	TEST_LOG("hugepages=%d iova_mode=%s", rte_eal_has_hugepages(),
		rte_eal_iova_mode() == RTE_IOVA_VA ? "va" : "pa");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(eal_mode, test_eal_mode, 0);
