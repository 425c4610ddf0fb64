/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Limits and ownership: EAL running out of memseg lists (ENOSPC with
 * nothing half-registered), destroy of a region with users (EBUSY with
 * nothing changed), names, lookup, walk and the IOVA table copy.
 */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_memory.h>

#include "test.h"
#include "test_region_util.h"

#define SZ_4K 4096UL
#define MAX_TRY (RTE_MAX_MEMSEG_LISTS + 8)

static int
anon_create(const char *name, size_t len, struct rte_extmem_region **rp)
{
	struct rte_extmem_region_params p;

	rte_extmem_region_params_init(&p);
	p.name = name;
	p.len = len;
	*rp = rte_extmem_region_create(&p);
	return *rp == NULL ? -1 : 0;
}

/* Nothing of a refused user range is known anywhere. */
static int
range_unknown(const char *name, void *addr, size_t len)
{
	size_t off;

	TEST_ASSERT_ERRNO(rte_extmem_region_lookup(name) == NULL, ENOENT,
		"lookup %s", name);
	for (off = 0; off < len; off += SZ_4K) {
		TEST_ASSERT_NULL(rte_mem_virt2memseg_list(
			(uint8_t *)addr + off), "EAL knows +%zu", off);
		TEST_ASSERT_EQ(rte_extmem_virt2iova((uint8_t *)addr + off),
			RTE_BAD_IOVA, "translation of +%zu", off);
		TEST_ASSERT_NULL(rte_extmem_virt2region((uint8_t *)addr + off),
			"region of +%zu", off);
	}
	return TEST_SUCCESS;
}

static int
test_region_enospc(void)
{
	static struct rte_extmem_region *regs[MAX_TRY];
	unsigned int regions0 = test_region_count();
	unsigned int msls0 = test_msl_count();
	struct rte_extmem_region_params p;
	unsigned int n = 0, i;
	char name[RTE_EXTMEM_NAMESIZE];
	uint8_t *user;
	long lck0;
	int ret = TEST_FAILED;

	user = mmap(NULL, 4 * SZ_4K, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(user != MAP_FAILED, "mmap");
	memset(user, 0x3c, 4 * SZ_4K);

	/* register until EAL has no memseg list left */
	for (n = 0; n < MAX_TRY; n++) {
		snprintf(name, sizeof(name), "enospc_%u", n);
		if (anon_create(name, SZ_4K, &regs[n]) != 0)
			break;
	}
	if (n == MAX_TRY || rte_errno != ENOSPC) {
		printf("    FAIL: %u regions created, then rte_errno %d (%s), "
			"expected ENOSPC\n", n, rte_errno,
			rte_strerror(rte_errno));
		goto out;
	}
	TEST_LOG("%u regions until ENOSPC (%u memseg lists were in use, %d "
		"in all)", n, msls0, RTE_MAX_MEMSEG_LISTS);
	if (test_msl_count() != RTE_MAX_MEMSEG_LISTS ||
			test_region_count() != regions0 + n) {
		printf("    FAIL: %u memseg lists, %u regions after ENOSPC\n",
			test_msl_count(), test_region_count());
		goto out;
	}
	/* the refused region left nothing behind; user memory too */
	if (range_unknown(name, NULL, 0) != TEST_SUCCESS)
		goto out;
	test_region_params(&p, "enospc_user", RTE_EXTMEM_BACKING_USER, user,
		4 * SZ_4K);
	lck0 = test_vm_locked_kb();
	rte_errno = 0;
	if (rte_extmem_region_create(&p) != NULL || rte_errno != ENOSPC) {
		printf("    FAIL: user region at the limit: rte_errno %d\n",
			rte_errno);
		goto out;
	}
	if (range_unknown("enospc_user", user, 4 * SZ_4K) != TEST_SUCCESS ||
			test_msl_count() != RTE_MAX_MEMSEG_LISTS ||
			test_region_count() != regions0 + n ||
			user[4 * SZ_4K - 1] != 0x3c)
		goto out;
	/* pinned in PA mode while EAL refused it: unpinned */
	if (test_vm_locked_kb() != lck0) {
		printf("    FAIL: VmLck %ld kB after the refusal, %ld before\n",
			test_vm_locked_kb(), lck0);
		goto out;
	}
	/* one list freed: one region fits again */
	if (rte_extmem_region_destroy(regs[n - 1]) != 0)
		goto out;
	regs[n - 1] = rte_extmem_region_create(&p);
	if (regs[n - 1] == NULL) {
		printf("    FAIL: create after a destroy: %s\n",
			rte_strerror(rte_errno));
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	for (i = 0; i < n; i++)
		if (regs[i] != NULL && rte_extmem_region_destroy(regs[i]) != 0)
			ret = TEST_FAILED;
	munmap(user, 4 * SZ_4K);
	TEST_ASSERT_EQ(test_region_count(), regions0, "regions at end");
	TEST_ASSERT_EQ(test_msl_count(), msls0, "memseg lists at end");
	return ret;
}

static int
test_region_busy(void)
{
	struct rte_extmem_region_info info, info2;
	struct rte_extmem_region *r;
	unsigned int msls;
	rte_iova_t io;
	uint8_t *va;

	TEST_ASSERT_EQ(anon_create("busy", 4 * SZ_4K, &r), 0, "create: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info), 0, "info");
	va = info.addr;
	memset(va, 0x77, info.len);
	io = rte_extmem_virt2iova(va + 100);
	msls = test_msl_count();

	TEST_ASSERT_EQ(rte_extmem_region_user_get(r), 0, "user_get");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info2), 0, "info");
	TEST_ASSERT_EQ(info2.users, 1, "one user");
	rte_errno = 0;
	TEST_ASSERT_ERRNO(rte_extmem_region_destroy(r) == -1, EBUSY,
		"destroy with a user");
	/* nothing changed */
	TEST_ASSERT(rte_extmem_region_lookup("busy") == r, "lookup");
	TEST_ASSERT_EQ(rte_extmem_virt2iova(va + 100), io, "translation");
	TEST_ASSERT(rte_extmem_virt2region(va) == r, "virt2region");
	TEST_ASSERT_NOT_NULL(rte_mem_virt2memseg_list(va), "EAL");
	TEST_ASSERT_EQ(test_msl_count(), msls, "memseg lists");
	TEST_ASSERT_EQ(va[info.len - 1], 0x77, "memory still mapped");

	TEST_ASSERT_EQ(rte_extmem_region_user_get(r), 0, "second user_get");
	TEST_ASSERT_EQ(rte_extmem_region_user_put(r), 0, "user_put");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &info2), 0, "info");
	TEST_ASSERT_EQ(info2.users, 1, "one user left");
	TEST_ASSERT_ERRNO(rte_extmem_region_destroy(r) == -1, EBUSY,
		"destroy with the last user");
	TEST_ASSERT_EQ(rte_extmem_region_user_put(r), 0, "last user_put");
	TEST_ASSERT_ERRNO(rte_extmem_region_user_put(r) == -1, EINVAL,
		"user_put without a reference");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy: %s",
		rte_strerror(rte_errno));
	TEST_RUN(test_region_gone("busy", va, info.len));
	return TEST_SUCCESS;
}

static int
walk_collect(const struct rte_extmem_region *r,
	const struct rte_extmem_region_info *info, void *arg)
{
	const struct rte_extmem_region **seen = arg;
	unsigned int i;

	for (i = 0; seen[i] != NULL; i++)
		;
	seen[i] = r;
	return strcmp(info->name, "walk_stop") == 0 ? 42 : 0;
}

static int
test_region_names(void)
{
	const struct rte_extmem_region *seen[8];
	struct rte_extmem_region *a, *b, *c, *r;
	struct rte_extmem_region_info ia, ib;
	char longest[RTE_EXTMEM_NAMESIZE];
	unsigned int regions0 = test_region_count();
	rte_iova_t io[4];

	memset(longest, 'n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	TEST_ASSERT_EQ(anon_create(longest, SZ_4K, &a), 0,
		"31-character name: %s", rte_strerror(rte_errno));
	TEST_ASSERT(rte_extmem_region_lookup(longest) == a, "lookup longest");
	TEST_ASSERT_ERRNO(anon_create(longest, SZ_4K, &r) == -1, EEXIST,
		"same name twice");
	TEST_ASSERT_EQ(anon_create("walk_b", 3 * SZ_4K, &b), 0, "create b");
	TEST_ASSERT_EQ(anon_create("walk_stop", SZ_4K, &c), 0, "create c");
	TEST_ASSERT_EQ(test_region_count(), regions0 + 3, "count");

	/* ids unique, walk in creation order, stops with the value */
	TEST_ASSERT_EQ(rte_extmem_region_info_get(a, &ia), 0, "info a");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(b, &ib), 0, "info b");
	TEST_ASSERT_NE(ia.id, ib.id, "ids");
	memset(seen, 0, sizeof(seen));
	if (regions0 == 0) {
		TEST_ASSERT_EQ(rte_extmem_region_walk(walk_collect, seen), 42,
			"walk return value");
		TEST_ASSERT(seen[0] == a && seen[1] == b && seen[2] == c &&
			seen[3] == NULL, "walk order");
	}

	/* the IOVA copy honours the caller's capacity */
	io[0] = io[1] = io[2] = io[3] = 0xabcdULL;
	TEST_ASSERT_EQ(rte_extmem_region_iovas_get(b, io, 2), 3,
		"page count beyond capacity");
	TEST_ASSERT_EQ(io[2], 0xabcdULL, "no write beyond capacity");
	TEST_ASSERT_EQ(io[0], rte_extmem_virt2iova(ib.addr), "first IOVA");

	/* a name is free again after destroy */
	TEST_ASSERT_EQ(rte_extmem_region_destroy(a), 0, "destroy a");
	TEST_ASSERT_EQ(anon_create(longest, 2 * SZ_4K, &a), 0, "reuse name");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(a), 0, "destroy a");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(b), 0, "destroy b");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(c), 0, "destroy c");
	TEST_ASSERT_ERRNO(rte_extmem_region_destroy(c) == -1, EINVAL,
		"double destroy");
	TEST_ASSERT_EQ(test_region_count(), regions0, "count at end");
	TEST_ASSERT(strcmp(rte_extmem_backing_name(RTE_EXTMEM_BACKING_DEVICE),
		"device") == 0, "backing name");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(region_enospc, test_region_enospc, 0);
REGISTER_EXTMEM_TEST(region_busy, test_region_busy, 0);
REGISTER_EXTMEM_TEST(region_names, test_region_names, 0);
