/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Bad input, table-driven: every parameter of every public region and
 * translation function, each case asserting rte_errno and that nothing
 * changed (region count, EAL memseg lists, the live regions' state and
 * translations).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_malloc.h>

#include "test.h"
#include "test_region_util.h"
#include "test_va_util.h"

#define SZ_4K 4096UL
#define SZ_2M (2UL << 20)
#define BUF_LEN (8 * SZ_2M / 2)		/* 8M */
#define NAME_32 "abcdefghijklmnopqrstuvwxyz012345"	/* one too long */

/* What the cases work on. */
struct bad_ctx {
	uint8_t *buf;		/* 8M of caller memory, 2M aligned */
	struct rte_extmem_region *existing;	/* user, [buf + 2M, +2M) */
	struct rte_extmem_region *noiova;	/* anon, 2 pages, no IOVA */
	struct rte_extmem_region *stale;	/* destroyed: a dead handle */
	uint8_t *hole;		/* 4 pages: mapped, hole, mapped, hole */
	void *crowd[2];		/* mappings that asked for the holes */
	void *eal_mem;		/* from rte_malloc */
	uint8_t *upstream;	/* registered with rte_extmem_register */
	rte_iova_t iovas[16];
	rte_iova_t existing_iova;	/* translation of existing + 4K */
};

static struct bad_ctx ctx;

/* The params every create case starts from: valid user memory. */
static void
base_params(struct rte_extmem_region_params *p)
{
	test_region_params(p, "bad", RTE_EXTMEM_BACKING_USER, ctx.buf,
		16 * SZ_4K);
}

typedef void (*mutate_t)(struct rte_extmem_region_params *p);

#define MUT(fn, body) \
	static void fn(struct rte_extmem_region_params *p) { body; }

MUT(m_size0, p->struct_size = 0)
MUT(m_size_small, p->struct_size = sizeof(*p) - 1)
MUT(m_name_null, p->name = NULL)
MUT(m_name_empty, p->name = "")
MUT(m_name_long, p->name = NAME_32)
MUT(m_name_exists, p->name = "bad_existing")
MUT(m_backing_max, p->backing = TEST_BACKING_INVALID)
MUT(m_backing_neg, p->backing = (enum rte_extmem_backing)-1)
MUT(m_flags, p->flags = RTE_BIT64(40))
MUT(m_anon_len0, p->backing = RTE_EXTMEM_BACKING_ANON; p->addr = NULL;
	p->len = 0)
MUT(m_anon_len_odd, p->backing = RTE_EXTMEM_BACKING_ANON; p->addr = NULL;
	p->len = SZ_4K + 1)
MUT(m_anon_len_huge, p->backing = RTE_EXTMEM_BACKING_ANON; p->addr = NULL;
	p->len = 1ULL << 44)
MUT(m_pg3, p->page_sz = 3)
MUT(m_pg_12k, p->page_sz = 3 * SZ_4K)
MUT(m_pg_2k, p->page_sz = 2048)
MUT(m_anon_pg2m, p->backing = RTE_EXTMEM_BACKING_ANON; p->addr = NULL;
	p->len = SZ_2M; p->page_sz = SZ_2M)
MUT(m_thp_pg2m, p->backing = RTE_EXTMEM_BACKING_ANON_THP; p->addr = NULL;
	p->len = SZ_2M; p->page_sz = SZ_2M)
MUT(m_thp_len4k, p->backing = RTE_EXTMEM_BACKING_ANON_THP; p->addr = NULL;
	p->len = SZ_4K)
MUT(m_huge_pg4k, p->backing = RTE_EXTMEM_BACKING_HUGETLB; p->addr = NULL;
	p->len = SZ_2M; p->page_sz = SZ_4K)
MUT(m_huge_pg64k, p->backing = RTE_EXTMEM_BACKING_HUGETLB; p->addr = NULL;
	p->len = SZ_2M; p->page_sz = 65536)
MUT(m_huge_len1m, p->backing = RTE_EXTMEM_BACKING_HUGETLB; p->addr = NULL;
	p->len = SZ_2M / 2)
MUT(m_shared_pg64k, p->backing = RTE_EXTMEM_BACKING_SHARED; p->addr = NULL;
	p->len = SZ_2M; p->page_sz = 65536)
MUT(m_anon_addr, p->backing = RTE_EXTMEM_BACKING_ANON)
MUT(m_anon_iovas, p->backing = RTE_EXTMEM_BACKING_ANON; p->addr = NULL;
	p->iovas = ctx.iovas; p->n_iovas = 16)
MUT(m_anon_niovas, p->backing = RTE_EXTMEM_BACKING_ANON; p->addr = NULL;
	p->n_iovas = 16)
MUT(m_anon_numa_neg, p->backing = RTE_EXTMEM_BACKING_ANON; p->addr = NULL;
	p->numa_node = -5)
MUT(m_anon_numa_big, p->backing = RTE_EXTMEM_BACKING_ANON; p->addr = NULL;
	p->numa_node = 1000)
MUT(m_user_addr_null, p->addr = NULL)
MUT(m_user_addr_odd, p->addr = ctx.buf + 1)
MUT(m_user_addr_2m_odd, p->addr = ctx.buf + SZ_4K; p->page_sz = SZ_2M;
	p->len = SZ_2M; p->iovas = ctx.iovas; p->n_iovas = 1)
MUT(m_user_len0, p->len = 0)
MUT(m_user_len_odd, p->len = SZ_4K + 512)
MUT(m_user_wrap, p->len = ~(size_t)(SZ_4K - 1))
MUT(m_user_hole, p->addr = ctx.hole; p->len = 3 * SZ_4K)
MUT(m_user_unmapped, p->addr = ctx.hole + SZ_4K; p->len = SZ_4K)
MUT(m_user_past_end, p->addr = ctx.hole + 2 * SZ_4K; p->len = 2 * SZ_4K)
MUT(m_user_numa, p->numa_node = 0)
MUT(m_user_pg_gt_kernel, p->page_sz = SZ_2M; p->len = SZ_2M)
MUT(m_user_niovas_only, p->n_iovas = 16)
MUT(m_user_iovas_count, p->iovas = ctx.iovas; p->n_iovas = 15)
MUT(m_user_iovas_count0, p->iovas = ctx.iovas; p->n_iovas = 0)
MUT(m_user_iovas_odd, ctx.iovas[7] += 8; p->iovas = ctx.iovas;
	p->n_iovas = 16)
MUT(m_user_iovas_wrap, ctx.iovas[3] = ~(rte_iova_t)(SZ_4K - 1);
	p->iovas = ctx.iovas; p->n_iovas = 16)
MUT(m_user_iovas_noiova, p->iovas = ctx.iovas; p->n_iovas = 16;
	p->flags = RTE_EXTMEM_REGION_F_NO_IOVA)
MUT(m_dev_numa, p->backing = RTE_EXTMEM_BACKING_DEVICE;
	p->iovas = ctx.iovas; p->n_iovas = 16; p->numa_node = 0)
MUT(m_dev_addr_null, p->backing = RTE_EXTMEM_BACKING_DEVICE; p->addr = NULL;
	p->iovas = ctx.iovas; p->n_iovas = 16)
MUT(m_dev_no_iovas, p->backing = RTE_EXTMEM_BACKING_DEVICE)
MUT(m_overlap_same, p->addr = ctx.buf + SZ_2M; p->len = SZ_2M)
MUT(m_overlap_head, p->addr = ctx.buf + SZ_2M / 2; p->len = SZ_2M)
MUT(m_overlap_tail, p->addr = ctx.buf + 3 * SZ_2M / 2; p->len = SZ_2M)
MUT(m_overlap_inside, p->addr = ctx.buf + SZ_2M + SZ_4K; p->len = SZ_4K)
MUT(m_overlap_around, p->addr = ctx.buf; p->len = BUF_LEN)
MUT(m_overlap_eal, p->addr = RTE_PTR_ALIGN_CEIL(ctx.eal_mem, SZ_4K);
	p->len = SZ_4K)
MUT(m_overlap_upstream, p->addr = ctx.upstream + SZ_4K; p->len = SZ_4K)
MUT(m_overlap_upstream_edge, p->addr = ctx.upstream - SZ_4K;
	p->len = 2 * SZ_4K)

/* Expected rte_errno that depends on the machine or mode (computed). */
#define ERR_NUMA_BIG -1	/* EINVAL with NUMA, ENOTSUP without */
#define ERR_DEV_NO_IOVA -2	/* EINVAL in PA mode, accepted in VA mode */

static const struct {
	const char *what;
	mutate_t mutate;
	int err;
} create_cases[] = {
	{ "struct_size 0", m_size0, EINVAL },
	{ "struct_size too small", m_size_small, EINVAL },
	{ "name NULL", m_name_null, EINVAL },
	{ "name empty", m_name_empty, EINVAL },
	{ "name of 32 characters", m_name_long, EINVAL },
	{ "name taken", m_name_exists, EEXIST },
	{ "backing MAX", m_backing_max, EINVAL },
	{ "backing -1", m_backing_neg, EINVAL },
	{ "unknown flag", m_flags, EINVAL },
	{ "anon: length 0", m_anon_len0, EINVAL },
	{ "anon: length not a page multiple", m_anon_len_odd, EINVAL },
	{ "anon: 2^32 pages", m_anon_len_huge, EINVAL },
	{ "page size 3", m_pg3, EINVAL },
	{ "page size 12K", m_pg_12k, EINVAL },
	{ "page size 2K", m_pg_2k, EINVAL },
	{ "anon: page size 2M", m_anon_pg2m, EINVAL },
	{ "thp: page size 2M", m_thp_pg2m, EINVAL },
	{ "thp: length 4K", m_thp_len4k, EINVAL },
	{ "hugetlb: page size 4K", m_huge_pg4k, EINVAL },
	{ "hugetlb: no 64K pool", m_huge_pg64k, ENOTSUP },
	{ "hugetlb: length 1M", m_huge_len1m, EINVAL },
	{ "shared: no 64K pool", m_shared_pg64k, ENOTSUP },
	{ "anon: address given", m_anon_addr, EINVAL },
	{ "anon: IOVA table given", m_anon_iovas, EINVAL },
	{ "anon: n_iovas given", m_anon_niovas, EINVAL },
	{ "anon: NUMA node -5", m_anon_numa_neg, EINVAL },
	{ "anon: NUMA node 1000", m_anon_numa_big, ERR_NUMA_BIG },
	{ "user: address NULL", m_user_addr_null, EINVAL },
	{ "user: address not page aligned", m_user_addr_odd, EINVAL },
	{ "user: address not 2M aligned", m_user_addr_2m_odd, EINVAL },
	{ "user: length 0", m_user_len0, EINVAL },
	{ "user: length not a page multiple", m_user_len_odd, EINVAL },
	{ "user: range wraps", m_user_wrap, EINVAL },
	{ "user: hole in the range", m_user_hole, EINVAL },
	{ "user: range unmapped", m_user_unmapped, EINVAL },
	{ "user: range past the mapping", m_user_past_end, EINVAL },
	{ "user: NUMA node", m_user_numa, EINVAL },
	{ "user: 2M pages over 4K memory", m_user_pg_gt_kernel, EINVAL },
	{ "user: n_iovas without table", m_user_niovas_only, EINVAL },
	{ "user: 15 IOVAs for 16 pages", m_user_iovas_count, EINVAL },
	{ "user: table with n_iovas 0", m_user_iovas_count0, EINVAL },
	{ "user: IOVA not page aligned", m_user_iovas_odd, EINVAL },
	{ "user: IOVA page wraps", m_user_iovas_wrap, EINVAL },
	{ "user: table with NO_IOVA", m_user_iovas_noiova, EINVAL },
	{ "device: NUMA node", m_dev_numa, EINVAL },
	{ "device: address NULL", m_dev_addr_null, EINVAL },
	{ "device: no IOVAs", m_dev_no_iovas, ERR_DEV_NO_IOVA },
	{ "overlap: same range as a region", m_overlap_same, EADDRINUSE },
	{ "overlap: head of a region", m_overlap_head, EADDRINUSE },
	{ "overlap: tail of a region", m_overlap_tail, EADDRINUSE },
	{ "overlap: inside a region", m_overlap_inside, EADDRINUSE },
	{ "overlap: around a region", m_overlap_around, EADDRINUSE },
	{ "overlap: EAL heap memory", m_overlap_eal, EADDRINUSE },
	{ "overlap: rte_extmem_register memory", m_overlap_upstream,
		EADDRINUSE },
	{ "overlap: edge of rte_extmem_register memory",
		m_overlap_upstream_edge, EADDRINUSE },
};

/* State that no failed call may change. */
struct bad_state {
	unsigned int regions;
	unsigned int msls;
	struct rte_extmem_region_info existing;
	rte_iova_t existing_iova;
};

static int
state_get(struct bad_state *s)
{
	s->regions = test_region_count();
	s->msls = test_msl_count();
	TEST_ASSERT_EQ(rte_extmem_region_info_get(ctx.existing, &s->existing),
		0, "existing region info");
	s->existing_iova = rte_extmem_virt2iova(ctx.buf + SZ_2M + SZ_4K);
	return TEST_SUCCESS;
}

static int
state_same(const struct bad_state *a, const char *what)
{
	struct bad_state b;

	TEST_RUN(state_get(&b));
	TEST_ASSERT_EQ(b.regions, a->regions, "%s: region count", what);
	TEST_ASSERT_EQ(b.msls, a->msls, "%s: EAL memseg lists", what);
	TEST_ASSERT(memcmp(&a->existing, &b.existing, sizeof(b.existing)) == 0,
		"%s: the existing region changed", what);
	TEST_ASSERT_EQ(b.existing_iova, a->existing_iova,
		"%s: translation of the existing region", what);
	TEST_ASSERT(rte_extmem_virt2region(ctx.buf + SZ_2M) == ctx.existing,
		"%s: region of the existing range", what);
	return TEST_SUCCESS;
}

static int
ctx_setup(void)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region *tmp;
	unsigned int i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.buf = mmap(NULL, BUF_LEN + SZ_2M, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(ctx.buf != MAP_FAILED, "mmap");
	ctx.buf = RTE_PTR_ALIGN_CEIL(ctx.buf, SZ_2M);
	memset(ctx.buf, 0, BUF_LEN);

	test_region_params(&p, "bad_existing", RTE_EXTMEM_BACKING_USER,
		ctx.buf + SZ_2M, SZ_2M);
	ctx.existing = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(ctx.existing, "existing: %s",
		rte_strerror(rte_errno));
	rte_extmem_region_params_init(&p);
	p.name = "bad_noiova";
	p.len = 2 * SZ_4K;
	p.flags = RTE_EXTMEM_REGION_F_NO_IOVA;
	ctx.noiova = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(ctx.noiova, "noiova: %s", rte_strerror(rte_errno));
	p.name = "bad_stale";
	p.flags = 0;
	tmp = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(tmp, "stale: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(tmp), 0, "destroy stale");
	ctx.stale = tmp;

	/* pages: mapped, hole, mapped, hole; the holes stay reserved but
	 * for the calls that need them (holes_open())
	 */
	ctx.hole = mmap(NULL, 4 * SZ_4K, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(ctx.hole != MAP_FAILED, "mmap");
	TEST_ASSERT(test_va_reserve(ctx.hole + SZ_4K, SZ_4K) == 0 &&
		test_va_reserve(ctx.hole + 3 * SZ_4K, SZ_4K) == 0,
		"reserve the holes: %s", strerror(errno));
	/* What the process maps meanwhile (EAL, a sanitizer's allocator)
	 * takes a free hole: by address hint (EAL's way), or as the highest
	 * free gap that fits. Ask for the holes' addresses, as they would.
	 */
	for (i = 0; i < RTE_DIM(ctx.crowd); i++) {
		uint8_t *want = ctx.hole + (2 * i + 1) * SZ_4K;

		ctx.crowd[i] = mmap(want, SZ_4K, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		TEST_ASSERT(ctx.crowd[i] != MAP_FAILED, "mmap");
	}

	ctx.eal_mem = rte_malloc("bad_input", 4 * SZ_4K, SZ_4K);
	TEST_ASSERT_NOT_NULL(ctx.eal_mem, "rte_malloc");

	/* memory EAL knows through upstream's API, not through us */
	ctx.upstream = mmap(NULL, 6 * SZ_4K, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(ctx.upstream != MAP_FAILED, "mmap");
	ctx.upstream += SZ_4K; /* mapped pages on both sides */
	TEST_ASSERT_EQ(rte_extmem_register(ctx.upstream, 4 * SZ_4K, NULL, 0,
		SZ_4K), 0, "rte_extmem_register: %s", rte_strerror(rte_errno));

	for (i = 0; i < RTE_DIM(ctx.iovas); i++)
		ctx.iovas[i] = 0x100000000ULL + i * SZ_4K;
	return TEST_SUCCESS;
}

static void
ctx_teardown(void)
{
	unsigned int i;

	if (ctx.existing != NULL)
		rte_extmem_region_destroy(ctx.existing);
	if (ctx.noiova != NULL)
		rte_extmem_region_destroy(ctx.noiova);
	if (ctx.upstream != NULL) {
		rte_extmem_unregister(ctx.upstream, 4 * SZ_4K);
		munmap(ctx.upstream - SZ_4K, 6 * SZ_4K);
	}
	rte_free(ctx.eal_mem);
	if (ctx.hole != NULL)
		munmap(ctx.hole, 4 * SZ_4K);
	for (i = 0; i < RTE_DIM(ctx.crowd); i++)
		if (ctx.crowd[i] != NULL && ctx.crowd[i] != MAP_FAILED)
			munmap(ctx.crowd[i], SZ_4K);
}

/* Cases whose log line is checked: it names the problem. */
static const struct {
	mutate_t mutate;
	const char *log;
} create_logs[] = {
	{ m_user_iovas_odd, "is not page aligned" },
	{ m_user_iovas_wrap, "wraps past the top of the IOVA space" },
};

static const char *
create_log_expected(mutate_t m)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(create_logs); i++)
		if (create_logs[i].mutate == m)
			return create_logs[i].log;
	return NULL;
}

/* Unmap the holes of ctx.hole for one call, reserve them again after it. */
static int
holes_open(void)
{
	TEST_ASSERT(test_va_hole_open(ctx.hole + SZ_4K, SZ_4K) == 0 &&
		test_va_hole_open(ctx.hole + 3 * SZ_4K, SZ_4K) == 0,
		"open the holes: %s", strerror(errno));
	return TEST_SUCCESS;
}

static int
holes_close(const char *what)
{
	TEST_ASSERT(test_va_hole_close(ctx.hole + SZ_4K, SZ_4K) == 0 &&
		test_va_hole_close(ctx.hole + 3 * SZ_4K, SZ_4K) == 0,
		"%s: another mapping took a hole during the call, the result "
		"does not count", what);
	return TEST_SUCCESS;
}

static int
run_create_cases(void)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	struct bad_state st;
	unsigned int i, j;
	struct test_log_capture cap;
	const char *want;
	int err, err_got;
	char *log;
	bool hole;

	TEST_RUN(state_get(&st));
	/* the base case is valid: prove it once */
	base_params(&p);
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "base params: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy base");
	TEST_RUN(state_same(&st, "base case"));

	rte_errno = 0;
	TEST_ASSERT_ERRNO(rte_extmem_region_create(NULL) == NULL, EINVAL,
		"params NULL");
	TEST_RUN(state_same(&st, "params NULL"));

	for (i = 0; i < RTE_DIM(create_cases); i++) {
		for (j = 0; j < RTE_DIM(ctx.iovas); j++)
			ctx.iovas[j] = 0x100000000ULL + j * SZ_4K;
		base_params(&p);
		create_cases[i].mutate(&p);
		err = create_cases[i].err;
		if (err == ERR_NUMA_BIG)
			err = access("/sys/devices/system/node/node0", F_OK) == 0 ?
				EINVAL : ENOTSUP;
		if (err == ERR_DEV_NO_IOVA) {
			if (rte_eal_iova_mode() == RTE_IOVA_VA)
				continue; /* valid there: region_device_va */
			err = EINVAL;
		}
		hole = create_cases[i].mutate == m_user_hole ||
			create_cases[i].mutate == m_user_unmapped ||
			create_cases[i].mutate == m_user_past_end;
		if (hole)
			TEST_RUN(holes_open());
		rte_errno = 0;
		test_log_capture_begin(&cap);
		r = rte_extmem_region_create(&p);
		log = test_log_capture_end(&cap);
		err_got = rte_errno;
		if (hole)
			TEST_RUN(holes_close(create_cases[i].what));
		if (r != NULL)
			rte_extmem_region_destroy(r);
		rte_errno = err_got;
		want = create_log_expected(create_cases[i].mutate);
		if (want != NULL && (log == NULL || strstr(log, want) == NULL)) {
			printf("    FAIL: create case '%s': the log does not say "
				"'%s':\n%s", create_cases[i].what, want,
				log != NULL ? log : "(none)");
			free(log);
			return TEST_FAILED;
		}
		free(log);
		TEST_ASSERT_ERRNO(r == NULL, err, "create case '%s'",
			create_cases[i].what);
		TEST_RUN(state_same(&st, create_cases[i].what));
	}
	TEST_LOG("%u create cases refused with the documented rte_errno",
		(unsigned int)RTE_DIM(create_cases));
	return TEST_SUCCESS;
}

/* struct_size: a bigger structure is fine when its tail is zero. */
static int
run_struct_size_cases(void)
{
	struct {
		struct rte_extmem_region_params p;
		uint64_t later_field;
	} big;
	struct rte_extmem_region *r;
	struct bad_state st;

	TEST_RUN(state_get(&st));
	memset(&big, 0, sizeof(big));
	base_params(&big.p);
	big.p.struct_size = sizeof(big);
	big.later_field = 1;
	rte_errno = 0;
	TEST_ASSERT_ERRNO(rte_extmem_region_create(&big.p) == NULL, ENOTSUP,
		"unknown non-zero field");
	TEST_RUN(state_same(&st, "unknown non-zero field"));
	big.later_field = 0;
	r = rte_extmem_region_create(&big.p);
	TEST_ASSERT_NOT_NULL(r, "bigger params with zero tail: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_RUN(state_same(&st, "bigger params"));
	return TEST_SUCCESS;
}

static int
test_walk_stop(const struct rte_extmem_region *r __rte_unused,
	const struct rte_extmem_region_info *info __rte_unused,
	void *arg __rte_unused)
{
	return 1;
}

/* Each entry: a call that must fail, and the rte_errno it must set. */
enum other_case {
	OC_PARAMS_INIT_NULL,
	OC_DESTROY_NULL,
	OC_DESTROY_BOGUS,
	OC_DESTROY_STALE,
	OC_LOOKUP_NULL,
	OC_LOOKUP_EMPTY,
	OC_LOOKUP_LONG,
	OC_LOOKUP_MISSING,
	OC_INFO_NULL_REGION,
	OC_INFO_STALE,
	OC_INFO_NULL_INFO,
	OC_IOVAS_NULL_REGION,
	OC_IOVAS_STALE,
	OC_IOVAS_NULL_BUF,
	OC_USER_GET_NULL,
	OC_USER_GET_STALE,
	OC_USER_PUT_NULL,
	OC_USER_PUT_STALE,
	OC_USER_PUT_UNHELD,
	OC_V2R_NULL,
	OC_V2R_UNREGISTERED,
	OC_V2R_NONCANONICAL,
	OC_R2I_LEN0,
	OC_R2I_NULL,
	OC_R2I_PAST_END,
	OC_R2I_NOIOVA,
	OC_BACKING_NAME_MAX,
	OC_BACKING_NAME_NEG,
	OC_MAX
};

static const char * const other_names[OC_MAX] = {
	[OC_PARAMS_INIT_NULL] = "params_init(NULL)",
	[OC_DESTROY_NULL] = "destroy(NULL)",
	[OC_DESTROY_BOGUS] = "destroy(not a region)",
	[OC_DESTROY_STALE] = "destroy(destroyed region)",
	[OC_LOOKUP_NULL] = "lookup(NULL)",
	[OC_LOOKUP_EMPTY] = "lookup(\"\")",
	[OC_LOOKUP_LONG] = "lookup(32 characters)",
	[OC_LOOKUP_MISSING] = "lookup(unknown name)",
	[OC_INFO_NULL_REGION] = "info_get(NULL, info)",
	[OC_INFO_STALE] = "info_get(destroyed, info)",
	[OC_INFO_NULL_INFO] = "info_get(region, NULL)",
	[OC_IOVAS_NULL_REGION] = "iovas_get(NULL, buf, 1)",
	[OC_IOVAS_STALE] = "iovas_get(destroyed, buf, 1)",
	[OC_IOVAS_NULL_BUF] = "iovas_get(region, NULL, 1)",
	[OC_USER_GET_NULL] = "user_get(NULL)",
	[OC_USER_GET_STALE] = "user_get(destroyed)",
	[OC_USER_PUT_NULL] = "user_put(NULL)",
	[OC_USER_PUT_STALE] = "user_put(destroyed)",
	[OC_USER_PUT_UNHELD] = "user_put(region without a reference)",
	[OC_V2R_NULL] = "virt2region(NULL)",
	[OC_V2R_UNREGISTERED] = "virt2region(unregistered address)",
	[OC_V2R_NONCANONICAL] = "virt2region(non-canonical address)",
	[OC_R2I_LEN0] = "range2iova(region, 0)",
	[OC_R2I_NULL] = "range2iova(NULL, 1)",
	[OC_R2I_PAST_END] = "range2iova(across the end of a region)",
	[OC_R2I_NOIOVA] = "range2iova(page without IOVA)",
	[OC_BACKING_NAME_MAX] = "backing_name(MAX)",
	[OC_BACKING_NAME_NEG] = "backing_name(-1)",
};

static const int other_errno[OC_MAX] = {
	[OC_PARAMS_INIT_NULL] = EINVAL, [OC_DESTROY_NULL] = EINVAL,
	[OC_DESTROY_BOGUS] = EINVAL, [OC_DESTROY_STALE] = EINVAL,
	[OC_LOOKUP_NULL] = EINVAL, [OC_LOOKUP_EMPTY] = EINVAL,
	[OC_LOOKUP_LONG] = EINVAL, [OC_LOOKUP_MISSING] = ENOENT,
	[OC_INFO_NULL_REGION] = EINVAL, [OC_INFO_STALE] = EINVAL,
	[OC_INFO_NULL_INFO] = EINVAL, [OC_IOVAS_NULL_REGION] = EINVAL,
	[OC_IOVAS_STALE] = EINVAL, [OC_IOVAS_NULL_BUF] = EINVAL,
	[OC_USER_GET_NULL] = EINVAL,
	[OC_USER_GET_STALE] = EINVAL, [OC_USER_PUT_NULL] = EINVAL,
	[OC_USER_PUT_STALE] = EINVAL, [OC_USER_PUT_UNHELD] = EINVAL,
	[OC_V2R_NULL] = ENOENT, [OC_V2R_UNREGISTERED] = ENOENT,
	[OC_V2R_NONCANONICAL] = ENOENT, [OC_R2I_LEN0] = EINVAL,
	[OC_R2I_NULL] = ENOENT, [OC_R2I_PAST_END] = ENOENT,
	[OC_R2I_NOIOVA] = EFAULT, [OC_BACKING_NAME_MAX] = EINVAL,
	[OC_BACKING_NAME_NEG] = EINVAL,
};

/* Run one case; true if the call reported failure. */
static bool
other_call(enum other_case c)
{
	struct rte_extmem_region_info info;
	struct rte_extmem_region_info *noinfo = NULL;
	struct rte_extmem_region_info noi;
	rte_iova_t iobuf[1];
	static uint64_t bogus[64];
	uint8_t *noiova_addr;

	rte_extmem_region_info_get(ctx.noiova, &noi);
	noiova_addr = noi.addr;
	switch (c) {
	case OC_PARAMS_INIT_NULL:
		return rte_extmem_region_params_init(NULL) == -1;
	case OC_DESTROY_NULL:
		return rte_extmem_region_destroy(NULL) == -1;
	case OC_DESTROY_BOGUS:
		return rte_extmem_region_destroy(
			(struct rte_extmem_region *)bogus) == -1;
	case OC_DESTROY_STALE:
		return rte_extmem_region_destroy(ctx.stale) == -1;
	case OC_LOOKUP_NULL:
		return rte_extmem_region_lookup(NULL) == NULL;
	case OC_LOOKUP_EMPTY:
		return rte_extmem_region_lookup("") == NULL;
	case OC_LOOKUP_LONG:
		return rte_extmem_region_lookup(NAME_32) == NULL;
	case OC_LOOKUP_MISSING:
		return rte_extmem_region_lookup("bad_missing") == NULL;
	case OC_INFO_NULL_REGION:
		return rte_extmem_region_info_get(NULL, &info) == -1;
	case OC_INFO_STALE:
		return rte_extmem_region_info_get(ctx.stale, &info) == -1;
	case OC_INFO_NULL_INFO:
		return rte_extmem_region_info_get(ctx.existing, noinfo) == -1;
	case OC_IOVAS_NULL_REGION:
		return rte_extmem_region_iovas_get(NULL, iobuf, 1) == -1;
	case OC_IOVAS_STALE:
		return rte_extmem_region_iovas_get(ctx.stale, iobuf, 1) == -1;
	case OC_IOVAS_NULL_BUF:
		return rte_extmem_region_iovas_get(ctx.existing, NULL, 1) == -1;
	case OC_USER_GET_NULL:
		return rte_extmem_region_user_get(NULL) == -1;
	case OC_USER_GET_STALE:
		return rte_extmem_region_user_get(ctx.stale) == -1;
	case OC_USER_PUT_NULL:
		return rte_extmem_region_user_put(NULL) == -1;
	case OC_USER_PUT_STALE:
		return rte_extmem_region_user_put(ctx.stale) == -1;
	case OC_USER_PUT_UNHELD:
		return rte_extmem_region_user_put(ctx.existing) == -1;
	case OC_V2R_NULL:
		return rte_extmem_virt2region(NULL) == NULL &&
			rte_extmem_virt2iova(NULL) == RTE_BAD_IOVA;
	case OC_V2R_UNREGISTERED:
		return rte_extmem_virt2region(ctx.buf) == NULL &&
			rte_extmem_virt2iova(ctx.buf) == RTE_BAD_IOVA;
	case OC_V2R_NONCANONICAL:
		return rte_extmem_virt2region((void *)(1ULL << 60)) == NULL &&
			rte_extmem_virt2iova((void *)(1ULL << 60)) ==
				RTE_BAD_IOVA;
	case OC_R2I_LEN0:
		return rte_extmem_range2iova(ctx.buf + SZ_2M, 0) == RTE_BAD_IOVA;
	case OC_R2I_NULL:
		return rte_extmem_range2iova(NULL, 1) == RTE_BAD_IOVA;
	case OC_R2I_PAST_END:
		return rte_extmem_range2iova(ctx.buf + 2 * SZ_2M - 1, 2) ==
			RTE_BAD_IOVA;
	case OC_R2I_NOIOVA:
		return rte_extmem_range2iova(noiova_addr, 8) == RTE_BAD_IOVA &&
			rte_extmem_virt2iova(noiova_addr) == RTE_BAD_IOVA &&
			rte_extmem_virt2region(noiova_addr) == ctx.noiova;
	case OC_BACKING_NAME_MAX:
		return rte_extmem_backing_name(TEST_BACKING_INVALID) == NULL;
	case OC_BACKING_NAME_NEG:
		return rte_extmem_backing_name((enum rte_extmem_backing)-1) ==
			NULL;
	case OC_MAX:
		break;
	}
	return false;
}

static int
run_other_cases(void)
{
	struct bad_state st;
	unsigned int c;

	TEST_RUN(state_get(&st));
	for (c = 0; c < OC_MAX; c++) {
		rte_errno = 0;
		TEST_ASSERT_ERRNO(other_call(c), other_errno[c], "%s",
			other_names[c]);
		TEST_RUN(state_same(&st, other_names[c]));
	}
	/* functions without failure modes leave the state alone too */
	TEST_ASSERT_EQ(rte_extmem_region_walk(test_walk_stop, NULL), 1,
		"walk stops with the callback's value");
	TEST_ASSERT_EQ(rte_extmem_region_iovas_get(ctx.existing, NULL, 0),
		(int)(SZ_2M / SZ_4K), "iovas_get(region, NULL, 0) counts");
	TEST_RUN(state_same(&st, "walk/iovas_get"));
	TEST_LOG("%u other cases refused with the documented rte_errno",
		(unsigned int)OC_MAX);
	return TEST_SUCCESS;
}

static int
test_region_bad_input(void)
{
	unsigned int regions0 = test_region_count();
	unsigned int msls0 = test_msl_count();
	int ret;

	ret = ctx_setup();
	if (ret == TEST_SUCCESS)
		ret = run_create_cases();
	if (ret == TEST_SUCCESS)
		ret = run_struct_size_cases();
	if (ret == TEST_SUCCESS)
		ret = run_other_cases();
	ctx_teardown();
	TEST_ASSERT_EQ(test_region_count(), regions0, "regions at end");
	TEST_ASSERT_EQ(test_msl_count(), msls0, "memseg lists at end");
	return ret;
}

REGISTER_EXTMEM_TEST(region_bad_input, test_region_bad_input, 0);
