/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Lock-free readers: one thread translates continuously over a stable
 * region while this one creates and destroys other regions, some sharing
 * the stable region's 2 MiB granules (so its sub-tables are written
 * around it), some elsewhere (new leaves). Every answer is checked; not a
 * single wrong one is allowed over millions of lookups.
 */

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>

#include "test.h"
#include "test_region_util.h"

#define SZ_4K 4096UL
#define SZ_1M (1UL << 20)
#define SZ_2M (2UL << 20)
#define AREA_LEN (8 * SZ_1M)
/* the stable region: not 2M aligned at either end */
#define STABLE_OFF (SZ_1M + 2 * SZ_4K)
#define STABLE_LEN (4 * SZ_1M)
/* churn regions get IOVA = VA + CHURN_IOVA_OFF */
#define CHURN_IOVA_OFF 0x100000000000ULL
#define MIN_LOOKUPS 5000000ULL
#define MIN_CYCLES 200u

struct reader {
	uint8_t *area;
	struct rte_extmem_region *stable;
	const rte_iova_t *stable_iovas;
	volatile int stop;
	uint64_t lookups;	/* written by the reader, read at the end */
	uint64_t lookups_live;	/* atomic, for the writer's progress check */
	uint64_t wrong;
	uint64_t churn_hits;
	uintptr_t first_wrong;
};

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	uint64_t x = 0x9e3779b97f4a7c15ULL, n = 0;

	while (!__atomic_load_n(&rd->stop, __ATOMIC_ACQUIRE)) {
		unsigned int k;

		for (k = 0; k < 1024; k++, n++) {
			size_t off;
			uint8_t *a;
			rte_iova_t io, exp;
			struct rte_extmem_region *r;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			off = x % AREA_LEN;
			a = rd->area + off;
			io = rte_extmem_virt2iova(a);
			r = rte_extmem_virt2region(a);
			if (off >= STABLE_OFF && off < STABLE_OFF + STABLE_LEN) {
				size_t so = off - STABLE_OFF;

				exp = rd->stable_iovas[so / SZ_4K];
				if (exp != RTE_BAD_IOVA)
					exp += so % SZ_4K;
				if (io != exp || r != rd->stable ||
						rte_extmem_range2iova(a, 1) != exp)
					goto wrong;
			} else {
				/* a churn region or nothing, never wrong */
				if (io != RTE_BAD_IOVA) {
					if (io != (uintptr_t)a + CHURN_IOVA_OFF)
						goto wrong;
					rd->churn_hits++;
				}
				if (r == rd->stable)
					goto wrong;
			}
			continue;
wrong:
			if (rd->wrong++ == 0)
				rd->first_wrong = (uintptr_t)a;
		}
		__atomic_store_n(&rd->lookups_live, n, __ATOMIC_RELEASE);
	}
	rd->lookups = n;
	return NULL;
}

/* A user region over [area + off, + len) with IOVA = VA + CHURN_IOVA_OFF. */
static struct rte_extmem_region *
churn_create(uint8_t *area, size_t off, size_t len, unsigned int i,
	rte_iova_t *io)
{
	struct rte_extmem_region_params p;
	char name[RTE_EXTMEM_NAMESIZE];
	size_t k;

	for (k = 0; k < len / SZ_4K; k++)
		io[k] = (uintptr_t)area + off + k * SZ_4K + CHURN_IOVA_OFF;
	snprintf(name, sizeof(name), "churn_%u", i);
	test_region_params(&p, name, RTE_EXTMEM_BACKING_USER, area + off, len);
	p.iovas = io;
	p.n_iovas = len / SZ_4K;
	return rte_extmem_region_create(&p);
}

static int
test_xlate_concurrency(void)
{
	/* churn slots around the stable region, in its shared granules */
	static const size_t slot_off[] = {
		0, SZ_4K, SZ_1M, STABLE_OFF + STABLE_LEN,
		STABLE_OFF + STABLE_LEN + 3 * SZ_4K, 6 * SZ_1M,
	};
	static const size_t slot_len[] = {
		SZ_4K, SZ_1M - SZ_4K, 2 * SZ_4K, 3 * SZ_4K,
		SZ_1M - 5 * SZ_4K, 2 * SZ_1M,
	};
	struct rte_extmem_region *churn[RTE_DIM(slot_off)], *far;
	struct rte_extmem_region_params p;
	struct reader rd;
	rte_iova_t *io, *stable_io;
	unsigned int cycles = 0, i, regions0 = rte_extmem_region_count();
	uint8_t *raw;
	pthread_t th;

	memset(&rd, 0, sizeof(rd));
	raw = mmap(NULL, AREA_LEN + SZ_2M, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(raw != MAP_FAILED, "mmap");
	rd.area = RTE_PTR_ALIGN_CEIL(raw, SZ_2M);
	memset(rd.area, 0, AREA_LEN);
	io = malloc(sizeof(*io) * (AREA_LEN / SZ_4K));
	stable_io = malloc(sizeof(*stable_io) * (STABLE_LEN / SZ_4K));
	TEST_ASSERT(io != NULL && stable_io != NULL, "malloc");

	/* the stable region: IOVAs resolved (VA, or pinned frames in PA) */
	test_region_params(&p, "stable", RTE_EXTMEM_BACKING_USER,
		rd.area + STABLE_OFF, STABLE_LEN);
	rd.stable = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(rd.stable, "stable: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_iovas_get(rd.stable, stable_io,
		STABLE_LEN / SZ_4K), (int)(STABLE_LEN / SZ_4K), "iovas_get");
	rd.stable_iovas = stable_io;

	TEST_ASSERT_EQ(pthread_create(&th, NULL, reader_main, &rd), 0,
		"reader thread");
	while (cycles < MIN_CYCLES || __atomic_load_n(&rd.lookups_live,
			__ATOMIC_ACQUIRE) < MIN_LOOKUPS) {
		for (i = 0; i < RTE_DIM(slot_off); i++) {
			churn[i] = churn_create(rd.area, slot_off[i],
				slot_len[i], i, io);
			if (churn[i] == NULL)
				break;
		}
		if (i < RTE_DIM(slot_off))
			break;
		/* a region far away: new leaves, directory entries */
		rte_extmem_region_params_init(&p);
		p.name = "churn_far";
		p.len = (cycles % 4 + 1) * SZ_2M + SZ_4K;
		far = rte_extmem_region_create(&p);
		if (far == NULL)
			break;
		/* destroy in another order than creation */
		if (rte_extmem_region_destroy(far) != 0)
			break;
		for (i = RTE_DIM(slot_off); i-- > 0; )
			if (rte_extmem_region_destroy(churn[(i * 5) %
					RTE_DIM(slot_off)]) != 0)
				break;
		if (i != (unsigned int)-1)
			break;
		cycles++;
	}
	__atomic_store_n(&rd.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);

	TEST_LOG("%u create/destroy cycles of %u regions, %" PRIu64
		" lookups (%" PRIu64 " hit churn regions), %" PRIu64 " wrong",
		cycles, (unsigned int)RTE_DIM(slot_off) + 1, rd.lookups,
		rd.churn_hits, rd.wrong);
	TEST_ASSERT_GE(cycles, MIN_CYCLES, "writer stopped early: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_GE(rd.lookups, MIN_LOOKUPS, "lookups");
	TEST_ASSERT_GT(rd.churn_hits, 0, "the reader saw churn regions");
	TEST_ASSERT_EQ(rd.wrong, 0, "wrong answers (first at %p)",
		(void *)rd.first_wrong);
	TEST_ASSERT_EQ(rte_extmem_region_count(), regions0 + 1, "count");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(rd.stable), 0, "destroy");
	munmap(raw, AREA_LEN + SZ_2M);
	free(io);
	free(stable_io);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(xlate_concurrency, test_xlate_concurrency, 0);
