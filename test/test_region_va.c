/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The library's VA window (rte_extmem.h): the backings the library maps
 * land in the window, aligned to their page size; a destroyed region's
 * range is used again; an address something else holds is skipped, never
 * replaced; a full window and a malformed RTE_EXTMEM_VA_WINDOW fail
 * cleanly. The window is read once per process: the _env and _bad tests
 * set the variable before the first region, each in its own process.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>

#include "test.h"
#include "test_region_util.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define SZ_4K 4096UL
#define SZ_2M (2UL << 20)
#define SZ_1G (1UL << 30)

/* the window the _env test chooses: 64 MiB at 80 TiB */
#define ENV_BASE UINT64_C(0x500000000000)
#define ENV_LEN (64UL << 20)

static struct rte_extmem_region *
create(const char *name, enum rte_extmem_backing b, size_t len)
{
	struct rte_extmem_region_params p;

	test_region_params(&p, name, b, NULL, len);
	return rte_extmem_region_create(&p);
}

static uintptr_t
addr_of(const struct rte_extmem_region *r)
{
	struct rte_extmem_region_info info;

	if (rte_extmem_region_info_get(r, &info) != 0)
		return 0;
	return (uintptr_t)info.addr;
}

/* Is [a, +len) inside [base, +wlen) and aligned to align? */
static int
check_in_window(const char *what, uintptr_t a, size_t len, size_t align,
	uint64_t base, uint64_t wlen)
{
	TEST_ASSERT(a >= base && a + len <= base + wlen, "%s at 0x%lx +%zu "
		"is outside the window [0x%lx, +0x%lx)", what, (unsigned long)a,
		len, (unsigned long)base, (unsigned long)wlen);
	TEST_ASSERT_EQ(a % align, 0, "%s at 0x%lx is not %zu-aligned", what,
		(unsigned long)a, align);
	return TEST_SUCCESS;
}

/* Placement, alignment, reuse and clash handling in [base, +wlen). */
static int
window_checks(uint64_t base, uint64_t wlen)
{
	struct rte_extmem_region *a, *b, *t;
	uintptr_t va_a, va_b, va_t;
	uint8_t *p;
	void *hold;

	/* every library backing in the window, aligned to its page size */
	a = create("va_anon", RTE_EXTMEM_BACKING_ANON, 4 * SZ_4K);
	TEST_ASSERT_NOT_NULL(a, "anon: %s", rte_strerror(rte_errno));
	va_a = addr_of(a);
	TEST_RUN(check_in_window("anon", va_a, 4 * SZ_4K, SZ_4K, base, wlen));
	t = create("va_thp", RTE_EXTMEM_BACKING_ANON_THP, 2 * SZ_2M);
	TEST_ASSERT_NOT_NULL(t, "thp: %s", rte_strerror(rte_errno));
	va_t = addr_of(t);
	TEST_RUN(check_in_window("thp", va_t, 2 * SZ_2M, SZ_2M, base, wlen));
	b = create("va_shared", RTE_EXTMEM_BACKING_SHARED, 8 * SZ_4K);
	TEST_ASSERT_NOT_NULL(b, "shared: %s", rte_strerror(rte_errno));
	va_b = addr_of(b);
	TEST_RUN(check_in_window("shared", va_b, 8 * SZ_4K, SZ_4K, base,
		wlen));
	/* the memory is there and usable */
	p = (uint8_t *)va_b;
	memset(p, 0x5a, 8 * SZ_4K);
	TEST_ASSERT_EQ(p[8 * SZ_4K - 1], 0x5a, "shared memory readable");
	/* no two overlap */
	TEST_ASSERT(va_a + 4 * SZ_4K <= va_t || va_t + 2 * SZ_2M <= va_a,
		"anon and thp overlap");
	TEST_ASSERT(va_b + 8 * SZ_4K <= va_t || va_t + 2 * SZ_2M <= va_b,
		"shared and thp overlap");
	TEST_ASSERT(va_b + 8 * SZ_4K <= va_a || va_a + 4 * SZ_4K <= va_b,
		"shared and anon overlap");

	/* a destroyed region's range is used again */
	TEST_ASSERT_EQ(rte_extmem_region_destroy(a), 0, "destroy anon");
	a = create("va_anon2", RTE_EXTMEM_BACKING_ANON, 4 * SZ_4K);
	TEST_ASSERT_NOT_NULL(a, "anon again: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(addr_of(a), va_a, "the freed range is not reused");

	/* something else holds the freed range: skipped, not replaced */
	TEST_ASSERT_EQ(rte_extmem_region_destroy(a), 0, "destroy anon2");
	hold = mmap((void *)va_a, 4 * SZ_4K, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	TEST_ASSERT(hold == (void *)va_a, "cannot hold the freed range: %s",
		strerror(errno));
	memset(hold, 0xc3, 4 * SZ_4K);
	a = create("va_anon3", RTE_EXTMEM_BACKING_ANON, 4 * SZ_4K);
	TEST_ASSERT_NOT_NULL(a, "anon past a clash: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT(addr_of(a) >= va_a + 4 * SZ_4K ||
		addr_of(a) + 4 * SZ_4K <= va_a, "placed over the held range");
	TEST_RUN(check_in_window("anon past a clash", addr_of(a), 4 * SZ_4K,
		SZ_4K, base, wlen));
	TEST_ASSERT_EQ(((uint8_t *)hold)[0], 0xc3, "the held range changed");
	TEST_ASSERT_EQ(((uint8_t *)hold)[4 * SZ_4K - 1], 0xc3,
		"the held range changed");
	munmap(hold, 4 * SZ_4K);

	TEST_ASSERT_EQ(rte_extmem_region_destroy(a), 0, "destroy anon3");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(b), 0, "destroy shared");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(t), 0, "destroy thp");
	return TEST_SUCCESS;
}

static int
test_region_va_window(void)
{
	TEST_ASSERT_NULL(getenv(RTE_EXTMEM_VA_WINDOW_ENV), "%s is set: this "
		"test checks the default window", RTE_EXTMEM_VA_WINDOW_ENV);
	return window_checks(RTE_EXTMEM_VA_WINDOW_BASE,
		RTE_EXTMEM_VA_WINDOW_LEN);
}

/* A window of the application's choice, and what happens when full. */
static int
test_region_va_window_env(void)
{
	struct rte_extmem_region *r, *big;
	int n;

	TEST_ASSERT_EQ(setenv(RTE_EXTMEM_VA_WINDOW_ENV,
		"0x500000000000,64M", 1), 0, "setenv");
	TEST_RUN(window_checks(ENV_BASE, ENV_LEN));
	/* a region larger than the free part of the window: ENOMEM,
	 * nothing created
	 */
	r = create("va_fill", RTE_EXTMEM_BACKING_ANON, ENV_LEN / 2);
	TEST_ASSERT_NOT_NULL(r, "half the window: %s",
		rte_strerror(rte_errno));
	n = rte_extmem_region_walk(NULL, NULL);
	big = create("va_big", RTE_EXTMEM_BACKING_ANON, ENV_LEN / 2 + SZ_4K);
	TEST_ASSERT_NULL(big, "a region larger than the free window");
	TEST_ASSERT_EQ(rte_errno, ENOMEM, "rte_errno %d", rte_errno);
	TEST_ASSERT_EQ(rte_extmem_region_walk(NULL, NULL), n,
		"region count changed");
	TEST_ASSERT_NULL(rte_extmem_region_lookup("va_big"), "va_big exists");
	/* what fits still fits, above the first */
	big = create("va_rest", RTE_EXTMEM_BACKING_ANON, ENV_LEN / 4);
	TEST_ASSERT_NOT_NULL(big, "a quarter: %s", rte_strerror(rte_errno));
	TEST_RUN(check_in_window("rest", addr_of(big), ENV_LEN / 4, SZ_4K,
		ENV_BASE, ENV_LEN));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(big), 0, "destroy");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

/* A malformed window: the library's backings refuse, caller memory works. */
static int
test_region_va_window_bad(void)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	int n = rte_extmem_region_walk(NULL, NULL);
	void *mem;

	TEST_ASSERT_EQ(setenv(RTE_EXTMEM_VA_WINDOW_ENV, "0x500000000000", 1),
		0, "setenv");
	r = create("va_bad", RTE_EXTMEM_BACKING_ANON, SZ_4K);
	TEST_ASSERT_NULL(r, "created with a malformed window");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	r = create("va_bad_shared", RTE_EXTMEM_BACKING_SHARED, SZ_4K);
	TEST_ASSERT_NULL(r, "created with a malformed window");
	TEST_ASSERT_EQ(rte_errno, EINVAL, "rte_errno %d", rte_errno);
	TEST_ASSERT_EQ(rte_extmem_region_walk(NULL, NULL), n, "count changed");
	mem = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	test_region_params(&p, "va_bad_user", RTE_EXTMEM_BACKING_USER, mem,
		SZ_2M);
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "user memory: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	munmap(mem, SZ_2M);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(region_va_window, test_region_va_window, 0);
REGISTER_EXTMEM_TEST(region_va_window_env, test_region_va_window_env, 0);
REGISTER_EXTMEM_TEST(region_va_window_bad, test_region_va_window_bad, 0);
