/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Lock-free readers: one thread translates continuously over two stable
 * regions while this one creates and destroys other regions of mixed page
 * sizes: 4K regions sharing the first stable region's leaves (written
 * around it), a 4K device region in the GiB of the second stable region
 * (2M pages, scattered IOVAs: its GiB's leaves are replaced by finer ones
 * while it is read), a 2M region sharing its other GiB, and 64K, 1G and
 * anonymous regions elsewhere (leaves of every size allocated, released
 * and reused). One GiB changes form while it is read: a 1G page (the
 * GiB's IOVA - VA held in its directory word) in even cycles, a 64K region
 * over part of it (a leaf) in odd ones; another GiB, wholly one linear
 * region of 2M pages, is read through its directory word throughout.
 * Every answer is checked; not a single wrong one is allowed over
 * millions of lookups.
 */

#include <pthread.h>
#include <sched.h>
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
/* the device reservation: DEV_GIBS + 2 GiB; in each of its first
 * DEV_GIBS GiBs a stable region of 2M pages after DEV_HOLE bytes
 */
#define SZ_64K (64UL << 10)
#define SZ_1G (1UL << 30)
#define DEV_GIBS 16u
/* then: a GiB of 64K pages, the GiB changing form, the linear GiB */
#define DEV_FORM_GIB (DEV_GIBS + 1)
#define DEV_LINEAR_GIB (DEV_GIBS + 2)
#define DEV_LEN ((DEV_GIBS + 3) * SZ_1G)
/* the odd cycles' 64K region of the GiB changing form */
#define FORM_64K_LEN (64 * SZ_1M)
#define FORM_64K_PAGES (FORM_64K_LEN / SZ_64K)
#define DEV_HOLE (64 * SZ_1M)
#define DEV_STABLE_LEN (SZ_1G - DEV_HOLE)
#define DEV_STABLE_PAGES (DEV_STABLE_LEN / SZ_2M)
#define DEV_IOVA 0x200000000000ULL
/* IOVAs of the region of the GiB changing form (either one) */
#define FORM_IOVA (DEV_IOVA + 4 * 0x1000000000ULL)
#define LINEAR_IOVA (DEV_IOVA + 8 * 0x1000000000ULL)

struct reader {
	uint8_t *area;
	struct rte_extmem_region *stable;
	const rte_iova_t *stable_iovas;
	uint8_t *dev;			/* GiB aligned */
	struct rte_extmem_region *dev_stable[DEV_GIBS];
	const rte_iova_t *dev_iovas;	/* of their 2M pages */
	struct rte_extmem_region *dev_linear;	/* DEV_LINEAR_GIB, whole */
	uint64_t form_linear_hits;	/* the 1G page seen */
	uint64_t form_leaf_hits;	/* the 64K region seen */
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
			if ((x & 7) == 2) {
				/* the linear GiB: its directory word */
				off = (x >> 3) % SZ_1G;
				a = rd->dev + DEV_LINEAR_GIB * SZ_1G + off;
				if (rte_extmem_virt2iova(a) != LINEAR_IOVA + off ||
						rte_extmem_virt2region(a) !=
						rd->dev_linear)
					goto wrong;
				continue;
			}
			if ((x & 7) == 4) {
				/* the GiB changing form: either region or none */
				off = (x >> 3) % SZ_1G;
				a = rd->dev + DEV_FORM_GIB * SZ_1G + off;
				io = rte_extmem_virt2iova(a);
				r = rte_extmem_virt2region(a);
				if (io == FORM_IOVA + off)
					rd->form_linear_hits++;
				else if (off < FORM_64K_LEN && io == FORM_IOVA +
						((off / SZ_64K * 7 + 3) %
						FORM_64K_PAGES) * SZ_64K +
						off % SZ_64K)
					rd->form_leaf_hits++;
				else if (io != RTE_BAD_IOVA)
					goto wrong;
				if (r == rd->stable || r == rd->dev_linear)
					goto wrong;
				continue;
			}
			if (x & 1) {
				/* a 2M-page device region */
				unsigned int d = (x >> 1) % DEV_GIBS;

				off = (x >> 5) % DEV_STABLE_LEN;
				a = rd->dev + d * SZ_1G + DEV_HOLE + off;
				exp = rd->dev_iovas[d * DEV_STABLE_PAGES +
					off / SZ_2M] + off % SZ_2M;
				if (rte_extmem_virt2iova(a) != exp ||
						rte_extmem_virt2region(a) !=
						rd->dev_stable[d] ||
						rte_extmem_range2iova(a, 1) != exp)
					goto wrong;
				continue;
			}
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

/* A device region at dev + off of pages pg, IOVAs scattered over the
 * pages (never contiguous) from base io0.
 */
static struct rte_extmem_region *
dev_create(uint8_t *dev, size_t off, size_t len, size_t pg, rte_iova_t io0,
	const char *name, rte_iova_t *io)
{
	struct rte_extmem_region_params p;
	size_t k, n = len / pg;

	for (k = 0; k < n; k++)
		io[k] = io0 + ((k * 7 + 3) % n) * pg;
	test_region_params(&p, name, RTE_EXTMEM_BACKING_DEVICE, dev + off,
		len);
	p.page_sz = pg;
	p.iovas = io;
	p.n_iovas = n;
	return rte_extmem_region_create(&p);
}

/* Device regions of mixed page sizes around and far from the stable
 * ones: created in the order of the table, destroyed in reverse.
 */
static const struct {
	size_t off, len, pg;
} dev_churn[] = {
	/* 4K pages in a stable region's GiB (which one: the cycle's):
	 * finer leaves for it while it is read
	 */
	{ DEV_HOLE - 16 * SZ_4K, 16 * SZ_4K, SZ_4K },
	/* 2M pages sharing a stable region's GiB */
	{ DEV_HOLE - 8 * SZ_2M, 4 * SZ_2M, SZ_2M },
	/* 64K pages, a GiB of their own */
	{ DEV_GIBS * SZ_1G + 3 * SZ_64K, 100 * SZ_64K, SZ_64K },
};

/* The region of the GiB changing form for a cycle: one 1G page (the
 * GiB's IOVA - VA in its directory word) in even cycles, FORM_64K_LEN of
 * 64K pages (a leaf) in odd ones; it lives until the next cycle's.
 */
static struct rte_extmem_region *
form_create(uint8_t *dev, unsigned int cycle, rte_iova_t *io)
{
	bool leaf = cycle & 1;

	return dev_create(dev, DEV_FORM_GIB * SZ_1G, leaf ? FORM_64K_LEN :
		SZ_1G, leaf ? SZ_64K : SZ_1G, FORM_IOVA, "churn_form", io);
}

static int
dev_churn_cycle(uint8_t *dev, unsigned int cycle, rte_iova_t *io)
{
	struct rte_extmem_region *r[RTE_DIM(dev_churn)];
	char name[RTE_EXTMEM_NAMESIZE];
	unsigned int i;

	for (i = 0; i < RTE_DIM(dev_churn); i++) {
		size_t off = dev_churn[i].off + (i < 2 ?
			(cycle + i) % DEV_GIBS * SZ_1G : 0);

		snprintf(name, sizeof(name), "churn_dev_%u", i);
		r[i] = dev_create(dev, off, dev_churn[i].len,
			dev_churn[i].pg, DEV_IOVA + (i + 1) * 0x1000000000ULL,
			name, io);
		if (r[i] == NULL)
			return -1;
	}
	for (i = RTE_DIM(dev_churn); i-- > 0; )
		if (rte_extmem_region_destroy(r[i]) != 0)
			return -1;
	return 0;
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
	struct rte_extmem_region *churn[RTE_DIM(slot_off)], *far, *form = NULL;
	struct rte_extmem_region_params p;
	struct reader rd;
	rte_iova_t *io, *stable_io, *dev_io, *dev_churn_io;
	static rte_iova_t dev_linear_io[SZ_1G / SZ_2M];
	uint8_t *dev_raw;
	unsigned int cycles = 0, i, regions0 = test_region_count();
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
	dev_io = malloc(sizeof(*dev_io) * DEV_STABLE_PAGES * DEV_GIBS);
	dev_churn_io = malloc(sizeof(*dev_churn_io) * FORM_64K_PAGES);
	TEST_ASSERT(io != NULL && stable_io != NULL && dev_io != NULL &&
		dev_churn_io != NULL, "malloc");
	/* device memory: a reservation the CPU never touches */
	dev_raw = mmap(NULL, DEV_LEN + SZ_1G, PROT_NONE, MAP_PRIVATE |
		MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(dev_raw != MAP_FAILED, "mmap of the device range");
	rd.dev = RTE_PTR_ALIGN_CEIL(dev_raw, SZ_1G);
	for (i = 0; i < DEV_GIBS; i++) {
		char name[RTE_EXTMEM_NAMESIZE];

		snprintf(name, sizeof(name), "dev_stable_%u", i);
		rd.dev_stable[i] = dev_create(rd.dev, i * SZ_1G + DEV_HOLE,
			DEV_STABLE_LEN, SZ_2M, DEV_IOVA + i * SZ_1G, name,
			dev_io + i * DEV_STABLE_PAGES);
		TEST_ASSERT_NOT_NULL(rd.dev_stable[i], "%s: %s", name,
			rte_strerror(rte_errno));
	}
	rd.dev_iovas = dev_io;
	/* a whole GiB of 2M pages with linear IOVAs */
	for (i = 0; i < SZ_1G / SZ_2M; i++)
		dev_linear_io[i] = LINEAR_IOVA + i * SZ_2M;
	test_region_params(&p, "dev_linear", RTE_EXTMEM_BACKING_DEVICE,
		rd.dev + DEV_LINEAR_GIB * SZ_1G, SZ_1G);
	p.page_sz = SZ_2M;
	p.iovas = dev_linear_io;
	p.n_iovas = SZ_1G / SZ_2M;
	rd.dev_linear = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(rd.dev_linear, "dev_linear: %s",
		rte_strerror(rte_errno));

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
	/* the first cycles replace leaves being read: the reader runs */
	while (__atomic_load_n(&rd.lookups_live, __ATOMIC_ACQUIRE) == 0)
		sched_yield();
	while (cycles < MIN_CYCLES || __atomic_load_n(&rd.lookups_live,
			__ATOMIC_ACQUIRE) < MIN_LOOKUPS) {
		/* the GiB changing form: last cycle's region out, this one's in */
		if (form != NULL && rte_extmem_region_destroy(form) != 0)
			break;
		form = form_create(rd.dev, cycles, dev_churn_io);
		if (form == NULL)
			break;
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
		if (dev_churn_cycle(rd.dev, cycles, dev_churn_io) != 0)
			break;
		cycles++;
	}
	__atomic_store_n(&rd.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	if (form != NULL)
		TEST_ASSERT_EQ(rte_extmem_region_destroy(form), 0,
			"destroy churn_form");

	TEST_LOG("%u create/destroy cycles of %u regions, %" PRIu64
		" lookups (%" PRIu64 " hit churn regions; the GiB changing "
		"form: %" PRIu64 " as a word, %" PRIu64 " as a leaf), %" PRIu64
		" wrong", cycles, (unsigned int)RTE_DIM(slot_off) + 1,
		rd.lookups, rd.churn_hits, rd.form_linear_hits,
		rd.form_leaf_hits, rd.wrong);
	TEST_ASSERT_GE(cycles, MIN_CYCLES, "writer stopped early: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_GE(rd.lookups, MIN_LOOKUPS, "lookups");
	TEST_ASSERT_GT(rd.churn_hits, 0, "the reader saw churn regions");
	TEST_ASSERT_GT(rd.form_linear_hits, 0, "the reader saw the 1G page");
	TEST_ASSERT_GT(rd.form_leaf_hits, 0, "the reader saw the 64K region");
	TEST_ASSERT_EQ(rd.wrong, 0, "wrong answers (first at %p)",
		(void *)rd.first_wrong);
	TEST_ASSERT_EQ(test_region_count(), regions0 + 2 + DEV_GIBS,
		"count");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(rd.stable), 0, "destroy");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(rd.dev_linear), 0,
		"destroy dev_linear");
	TEST_ASSERT_EQ(rte_extmem_virt2iova(rd.dev + DEV_LINEAR_GIB * SZ_1G),
		RTE_BAD_IOVA, "dev_linear gone");
	for (i = 0; i < DEV_GIBS; i++) {
		TEST_ASSERT_EQ(rte_extmem_region_destroy(rd.dev_stable[i]), 0,
			"destroy dev_stable_%u", i);
		TEST_ASSERT_NULL(rte_extmem_virt2region(rd.dev + i * SZ_1G +
			DEV_HOLE), "dev_stable_%u gone", i);
		TEST_ASSERT_EQ(rte_extmem_virt2iova(rd.dev + i * SZ_1G +
			DEV_HOLE), RTE_BAD_IOVA, "dev_stable_%u gone", i);
	}
	munmap(dev_raw, DEV_LEN + SZ_1G);
	free(dev_io);
	free(dev_churn_io);
	munmap(raw, AREA_LEN + SZ_2M);
	free(io);
	free(stable_io);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(xlate_concurrency, test_xlate_concurrency, 0);
