/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * register: making --mem-mb of the application's prepopulated 4K-page
 * memory known to DPDK, three ways, best of --repeat:
 *   register_1g_4k_extmem_ms       rte_extmem_region_create(), USER
 *                                  backing: page size check, pinning and
 *                                  IOVA resolution, EAL registration,
 *                                  translation table
 *   register_1g_4k_rte_extmem_ms   upstream: an IOVA table computed the
 *                                  upstream way (rte_mem_virt2iova() per
 *                                  page) + rte_extmem_register()
 *   register_1g_4k_heap_add_ms     upstream: rte_malloc_heap_create() +
 *                                  rte_malloc_heap_memory_add() with that
 *                                  table already computed (registration
 *                                  alone)
 *   register_1g_4k_extmem_anon_ms  rte_extmem_region_create() with the
 *                                  ANON backing: the library also maps
 *                                  and populates the memory (reference)
 *   register_1g_4k_floor_ms        the kernel's own cost of what PA mode
 *                                  needs: mlock() of the memory and one
 *                                  read of its /proc/self/pagemap entries
 *                                  (measured when pagemap is readable)
 *   register_extmem_vs_floor       register_1g_4k_extmem_ms / the floor
 *   register_big_4k_*              the same for --register-big-mb (4096;
 *                                  0: not measured) of caller 4K pages in
 *                                  PA mode, which the library pins and
 *                                  resolves with as many threads as EAL
 *                                  has lcores: extmem_ms, floor_ms (one
 *                                  thread), speedup (floor / extmem),
 *                                  threads (EAL lcores)
 * The keys say 1g; mem_mb gives the size actually used.
 */

#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "perf.h"

#define PG 4096UL
#define HEAP "perf_register_heap"

/* mlock() + one pagemap read of [mem, +len): ms, or -1 if pagemap cannot
 * be read.
 */
static double
pin_floor_ms(uint8_t *mem, size_t len, uint64_t *ent)
{
	size_t want = len / PG * sizeof(*ent), done = 0;
	uint64_t t0, t1;
	ssize_t got;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	t0 = perf_now_ns();
	if (mlock(mem, len) != 0) {
		close(fd);
		return -1;
	}
	while (done < want) {
		got = pread(fd, (uint8_t *)ent + done, want - done,
			(off_t)((uintptr_t)mem / PG * sizeof(*ent) + done));
		if (got <= 0)
			break;
		done += got;
	}
	t1 = perf_now_ns();
	munlock(mem, len);
	close(fd);
	return done == want ? perf_ms(t0, t1) : -1;
}

static int
bench_register(const struct perf_opts *o, struct perf_result *res)
{
	double ext = 1e300, up = 1e300, up_tbl = 1e300, up_reg = 1e300;
	double heap = 1e300, anon = 1e300, floor = 1e300, f;
	size_t len = RTE_ALIGN_FLOOR(o->mem_bytes, PG), n = len / PG, i;
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	rte_iova_t *io = NULL;
	unsigned int rep;
	uint64_t t0, t1, t2;
	uint8_t *mem;
	int ret = -1;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	io = malloc(sizeof(*io) * n);
	if (mem == MAP_FAILED || io == NULL) {
		PERF_LOG("no memory for %zu bytes", len);
		goto out;
	}
	madvise(mem, len, MADV_NOHUGEPAGE);
	memset(mem, 1, len);

	for (rep = 0; rep < o->repeat; rep++) {
		perf_user_params(&p, "perf_register", mem, len);
		t0 = perf_now_ns();
		r = rte_extmem_region_create(&p);
		t1 = perf_now_ns();
		if (r == NULL) {
			PERF_LOG("region create: %s", rte_strerror(rte_errno));
			goto out;
		}
		rte_extmem_region_destroy(r);
		ext = RTE_MIN(ext, perf_ms(t0, t1));

		/* the library allocating the memory too (not comparable with
		 * the others, which start from populated memory)
		 */
		rte_extmem_region_params_init(&p);
		p.name = "perf_register_anon";
		p.len = len;
		t0 = perf_now_ns();
		r = rte_extmem_region_create(&p);
		t1 = perf_now_ns();
		if (r == NULL) {
			PERF_LOG("anon region create: %s",
				rte_strerror(rte_errno));
			goto out;
		}
		rte_extmem_region_destroy(r);
		anon = RTE_MIN(anon, perf_ms(t0, t1));

		t0 = perf_now_ns();
		for (i = 0; i < n; i++)
			io[i] = rte_mem_virt2iova(mem + i * PG);
		t1 = perf_now_ns();
		if (rte_extmem_register(mem, len, io, n, PG) != 0) {
			PERF_LOG("rte_extmem_register: %s",
				rte_strerror(rte_errno));
			goto out;
		}
		t2 = perf_now_ns();
		rte_extmem_unregister(mem, len);
		up = RTE_MIN(up, perf_ms(t0, t2));
		up_tbl = RTE_MIN(up_tbl, perf_ms(t0, t1));
		up_reg = RTE_MIN(up_reg, perf_ms(t1, t2));

		t0 = perf_now_ns();
		if (rte_malloc_heap_create(HEAP) != 0 ||
				rte_malloc_heap_memory_add(HEAP, mem, len, io, n,
					PG) != 0) {
			PERF_LOG("heap: %s", rte_strerror(rte_errno));
			rte_malloc_heap_destroy(HEAP);
			goto out;
		}
		t1 = perf_now_ns();
		rte_malloc_heap_memory_remove(HEAP, mem, len);
		rte_malloc_heap_destroy(HEAP);
		heap = RTE_MIN(heap, perf_ms(t0, t1));

		/* the floor, in the same run (io reused as the buffer) */
		f = pin_floor_ms(mem, len, io);
		if (f >= 0)
			floor = RTE_MIN(floor, f);
	}
	if (floor < 1e300) {
		perf_result_f64(res, "register_1g_4k_floor_ms", floor);
		perf_result_f64(res, "register_extmem_vs_floor", ext / floor);
	}
	perf_result_f64(res, "register_1g_4k_extmem_ms", ext);
	perf_result_f64(res, "register_1g_4k_rte_extmem_ms", up);
	perf_result_f64(res, "register_1g_4k_rte_extmem_iova_table_ms", up_tbl);
	perf_result_f64(res, "register_1g_4k_rte_extmem_register_ms", up_reg);
	perf_result_f64(res, "register_1g_4k_heap_add_ms", heap);
	perf_result_f64(res, "register_1g_4k_extmem_anon_ms", anon);
	perf_result_f64(res, "register_extmem_vs_heap_add", ext / heap);
	perf_result_f64(res, "register_extmem_vs_rte_extmem", ext / up);
	ret = 0;
out:
	if (mem != MAP_FAILED)
		munmap(mem, len);
	free(io);
	return ret;
}

/* A big region of the caller's populated 4K pages: region create against
 * the one-thread floor, best of repeat (PA mode only: nothing is pinned
 * otherwise).
 */
static int
bench_register_big(const struct perf_opts *o, struct perf_result *res)
{
	size_t len = (size_t)perf_opt_u64(o, "register-big-mb", 4096) << 20;
	double ext = 1e300, floor = 1e300, f;
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	uint64_t *ent = NULL, t0, t1;
	unsigned int rep;
	uint8_t *mem;
	int ret = -1;

	if (len == 0 || rte_eal_iova_mode() != RTE_IOVA_PA)
		return 0;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ent = malloc(len / PG * sizeof(*ent));
	if (mem == MAP_FAILED || ent == NULL) {
		PERF_LOG("no memory for %zu MiB", len >> 20);
		goto out;
	}
	madvise(mem, len, MADV_NOHUGEPAGE);
	memset(mem, 1, len);
	for (rep = 0; rep < o->repeat; rep++) {
		perf_user_params(&p, "perf_register_big", mem, len);
		t0 = perf_now_ns();
		r = rte_extmem_region_create(&p);
		t1 = perf_now_ns();
		if (r == NULL) {
			PERF_LOG("big region create: %s",
				rte_strerror(rte_errno));
			goto out;
		}
		rte_extmem_region_destroy(r);
		ext = RTE_MIN(ext, perf_ms(t0, t1));
		f = pin_floor_ms(mem, len, ent);
		if (f >= 0)
			floor = RTE_MIN(floor, f);
	}
	perf_result_u64(res, "register_big_4k_mb", len >> 20);
	perf_result_u64(res, "register_big_4k_threads", rte_lcore_count());
	perf_result_f64(res, "register_big_4k_extmem_ms", ext);
	if (floor < 1e300) {
		perf_result_f64(res, "register_big_4k_floor_ms", floor);
		perf_result_f64(res, "register_big_4k_speedup", floor / ext);
	}
	ret = 0;
out:
	if (mem != MAP_FAILED)
		munmap(mem, len);
	free(ent);
	return ret;
}

static int
bench_register_all(const struct perf_opts *o, struct perf_result *res)
{
	if (bench_register(o, res) != 0)
		return -1;
	return bench_register_big(o, res);
}

static const struct perf_opt_def register_opts[] = {
	{ .name = "register-big-mb", .min = 0, .max = 1u << 20 },
	{ .name = NULL },
};

REGISTER_PERF_BENCH_OPTS(register, bench_register_all,
	"registering 4K-page memory: region create vs rte_extmem_register "
	"vs rte_malloc_heap_memory_add vs the kernel's floor",
	register_opts);
