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
 *   register_1g_4k_extmem_after_ms the same creation with EAL's
 *                                  registration after the pinning
 *                                  (EXTMEM_EAL_BESIDE=0), and
 *   register_eal_beside_speedup    after_ms / extmem_ms
 *   register_big_4k_*              PA mode, --register-big-mb (4096; 0:
 *                                  not measured) of caller 4K pages, which
 *                                  the library pins and resolves with one
 *                                  thread per CPU of the helpers (the
 *                                  caller's and the idle EAL lcores',
 *                                  at most 16, 1 GiB each): extmem_ms (those
 *                                  threads), extmem_1t_ms (one), speedup,
 *                                  the CPU of each, the one-thread floor,
 *                                  and the parallel scheme by hand phase by
 *                                  phase (par_*) against the earlier one
 *                                  (par_mlock_*); register_big_4k_untouched_*
 *                                  the same over memory never touched
 * The keys say 1g; mem_mb gives the size actually used.
 */

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <rte_errno.h>
#include <rte_extmem.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "perf.h"

#define PG 4096UL
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
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

/* Process CPU time (user + system) in ms. */
static double
cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/*
 * rte_extmem_region_create(p) timed (ms, and the process's CPU ms when
 * cpu is not NULL), with the environment variable env set to val for it
 * (env NULL: none), then destroyed; what names it in a failure.
 */
static int
create_timed(const struct rte_extmem_region_params *p, const char *env,
	const char *val, const char *what, double *ms, double *cpu)
{
	struct rte_extmem_region *r;
	uint64_t t0, t1;
	double c0;

	if (env != NULL)
		setenv(env, val, 1);
	c0 = cpu_ms();
	t0 = perf_now_ns();
	r = rte_extmem_region_create(p);
	t1 = perf_now_ns();
	if (cpu != NULL)
		*cpu = cpu_ms() - c0;
	if (env != NULL)
		unsetenv(env);
	if (r == NULL) {
		PERF_LOG("%s region create: %s", what, rte_strerror(rte_errno));
		return -1;
	}
	rte_extmem_region_destroy(r);
	*ms = perf_ms(t0, t1);
	return 0;
}

static int
bench_register(const struct perf_opts *o, struct perf_result *res)
{
	double ext = 1e300, up = 1e300, up_tbl = 1e300, up_reg = 1e300;
	double heap = 1e300, anon = 1e300, floor = 1e300, f, after = 1e300;
	size_t len = RTE_ALIGN_FLOOR(o->mem_bytes, PG), n = len / PG, i;
	struct rte_extmem_region_params p;
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
		if (create_timed(&p, NULL, NULL, "user", &f, NULL) != 0)
			goto out;
		ext = RTE_MIN(ext, f);
		/* EAL's registration after the pinning, not beside it */
		if (create_timed(&p, "EXTMEM_EAL_BESIDE", "0", "user (EAL "
				"after)", &f, NULL) != 0)
			goto out;
		after = RTE_MIN(after, f);

		/* the library allocating the memory too (not comparable with
		 * the others, which start from populated memory)
		 */
		rte_extmem_region_params_init(&p);
		p.name = "perf_register_anon";
		p.len = len;
		if (create_timed(&p, NULL, NULL, "anon", &f, NULL) != 0)
			goto out;
		anon = RTE_MIN(anon, f);

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
	perf_result_f64(res, "register_1g_4k_extmem_after_ms", after);
	perf_result_f64(res, "register_eal_beside_speedup", after / ext);
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

static double
thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One share of the parallel floor: MADV_POPULATE_WRITE + its pagemap
 * entries (the range locked on fault already).
 */
struct floor_job {
	uint8_t *va;
	size_t len;
	uint64_t *ent;
	int fd;
	bool mlock;		/* mlock() the share instead (earlier scheme) */
	int err;
	double cpu_ms;		/* this thread's CPU time */
	double blocked_ms;	/* wall - CPU - run-queue wait: lock waits */
	pthread_t th;
};

/* Time this thread has waited on a run queue, ms (0 if unknown). */
static double
thread_rq_wait_ms(void)
{
	unsigned long long run = 0, wait = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	fclose(f);
	return wait / 1e6;
}

static void *
floor_job_run(void *arg)
{
	struct floor_job *j = arg;
	size_t want = j->len / PG * sizeof(uint64_t), done = 0;
	double c0 = thread_cpu_ms(), q0 = thread_rq_wait_ms();
	uint64_t t0 = perf_now_ns();
	ssize_t got;

	/* what the library's threads do: fault in, under the read lock */
	j->err = (j->mlock ? mlock(j->va, j->len) :
		madvise(j->va, j->len, MADV_POPULATE_WRITE)) != 0;
	while (j->err == 0 && done < want) {
		got = pread(j->fd, (uint8_t *)j->ent + done, want - done,
			(off_t)((uintptr_t)j->va / PG * sizeof(uint64_t) + done));
		if (got <= 0)
			j->err = 1;
		else
			done += got;
	}
	j->cpu_ms = thread_cpu_ms() - c0;
	j->blocked_ms = RTE_MAX(perf_ms(t0, perf_now_ns()) - j->cpu_ms -
		(thread_rq_wait_ms() - q0), 0.0);
	return NULL;
}

/* The kernel's side of the library's parallel pinning, by hand, phase by
 * phase: one mlock2(MLOCK_ONFAULT) of the whole range (serial), then n
 * threads each fault in and read a share. Wall and CPU of each phase.
 */
struct par_floor {
	double lock_ms, lock_cpu_ms;	/* the serial phase */
	double par_ms;			/* the parallel phase, wall */
	double par_cpu_ms;		/* its CPU, summed over the threads */
	double par_cpu_max_ms;		/* the busiest thread's CPU */
	double par_blocked_max_ms;	/* the longest lock wait of a thread */
};

/* The CPUs the library's helper threads run on: the caller's and those
 * of the idle EAL lcores (regions guide, parallel pinning); how many.
 */
static unsigned int
helper_cpus(rte_cpuset_t *cpus)
{
	rte_cpuset_t c;
	unsigned int lc;

	if (pthread_getaffinity_np(pthread_self(), sizeof(*cpus), cpus) != 0)
		CPU_ZERO(cpus);
	RTE_LCORE_FOREACH(lc) {
		if (rte_eal_get_lcore_state(lc) != WAIT)
			continue;
		c = rte_lcore_cpuset(lc);
		RTE_CPU_OR(cpus, cpus, &c);
	}
	return (unsigned int)CPU_COUNT(cpus);
}

/* The threads the library pins len bytes with. */
static unsigned int
helper_threads(size_t len)
{
	rte_cpuset_t cpus;

	return RTE_MAX(RTE_MIN(RTE_MIN(helper_cpus(&cpus), 16u),
		(unsigned int)(len >> 30)), 1u);
}

/* A floor thread on the library's helpers' CPUs: started from the main
 * lcore, it would otherwise share its one CPU.
 */
static int
floor_thread_start(struct floor_job *j)
{
	rte_cpuset_t cpus;
	pthread_attr_t attr;
	int ret;

	helper_cpus(&cpus);
	if (pthread_attr_init(&attr) != 0)
		return -1;
	(void)pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	ret = pthread_create(&j->th, &attr, floor_job_run, j);
	pthread_attr_destroy(&attr);
	return ret;
}

static int
pin_floor_parallel(uint8_t *mem, size_t len, uint64_t *ent, unsigned int n,
	bool old_scheme, struct par_floor *pf)
{
	struct floor_job j[16];
	size_t per = RTE_ALIGN_CEIL(len / n, PG);
	uint64_t t0, t1, t2;
	unsigned int i;
	double c0;
	int fd, err = 0;

	n = RTE_MIN(n, 16u);
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	t0 = perf_now_ns();
	c0 = thread_cpu_ms();
	/* the earlier scheme: every thread mlock()s its share, no first step */
	if (!old_scheme && syscall(SYS_mlock2, mem, len, MLOCK_ONFAULT) != 0) {
		close(fd);
		return -1;
	}
	pf->lock_cpu_ms = thread_cpu_ms() - c0;
	t1 = perf_now_ns();
	for (i = 0; i < n; i++) {
		j[i].va = mem + (size_t)i * per;
		j[i].len = i == n - 1 ? len - (size_t)i * per : per;
		j[i].ent = ent + (size_t)i * per / PG;
		j[i].fd = fd;
		j[i].mlock = old_scheme;
		if (i > 0 && floor_thread_start(&j[i]) != 0)
			err = 1;
	}
	floor_job_run(&j[0]);
	for (i = 1; i < n; i++)
		pthread_join(j[i].th, NULL);
	t2 = perf_now_ns();
	munlock(mem, len);
	close(fd);
	pf->lock_ms = perf_ms(t0, t1);
	pf->par_ms = perf_ms(t1, t2);
	pf->par_cpu_ms = pf->par_cpu_max_ms = pf->par_blocked_max_ms = 0;
	for (i = 0; i < n; i++) {
		err |= j[i].err;
		pf->par_cpu_ms += j[i].cpu_ms;
		pf->par_cpu_max_ms = RTE_MAX(pf->par_cpu_max_ms, j[i].cpu_ms);
		pf->par_blocked_max_ms = RTE_MAX(pf->par_blocked_max_ms,
			j[i].blocked_ms);
	}
	return err ? -1 : 0;
}

/* rte_extmem_region_create() + destroy of [mem, +len) with the library's
 * pinning threads forced to threads (0: its default): wall and CPU ms.
 */
static int
big_create(uint8_t *mem, size_t len, unsigned int threads, double *ms,
	double *cpu)
{
	struct rte_extmem_region_params p;
	char v[16];

	snprintf(v, sizeof(v), "%u", threads);
	perf_user_params(&p, "perf_register_big", mem, len);
	return create_timed(&p, threads != 0 ? "EXTMEM_PIN_THREADS" : NULL, v,
		"big", ms, cpu);
}

static uint8_t *
big_map(size_t len, bool populate)
{
	uint8_t *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (mem == MAP_FAILED)
		return NULL;
	madvise(mem, len, MADV_NOHUGEPAGE);
	if (populate)
		memset(mem, 1, len);
	return mem;
}

#define BIG_KEY(b, k) (snprintf(b, sizeof(b), "register_big_4k_%s%s", \
	untouched ? "untouched_" : "", k), b)

/*
 * A big region of the caller's 4K pages (populated, or mapped and never
 * touched): region create with the library's default threads (one per
 * EAL lcore) against one thread (EXTMEM_PIN_THREADS=1), alternately, and
 * the kernel's floors: one thread (mlock + one pagemap read), and the
 * parallel scheme by hand with the CPU of each phase. Best of repeat (PA
 * mode only: nothing is pinned otherwise). Untouched memory is mapped
 * afresh for every measurement.
 */
static int
bench_register_big_one(const struct perf_opts *o, struct perf_result *res,
	size_t len, bool untouched)
{
	double ext = 1e300, ext1 = 1e300, floor = 1e300, cpu = 1e300;
	double cpu1 = 1e300, ms, c, f;
	unsigned int n = helper_threads(len), rep, k;
	struct par_floor pf, best = { .par_ms = 1e300 };
	struct par_floor best_old = { .par_ms = 1e300 };
	uint64_t *ent = malloc(len / PG * sizeof(*ent));
	uint8_t *mem = NULL;
	char key[96];
	int ret = -1;

	if (ent == NULL) {
		PERF_LOG("no memory for %zu pagemap entries", len / PG);
		return -1;
	}
	for (rep = 0; rep < o->repeat; rep++) {
		/* alternate the order: one thread first on odd rounds */
		for (k = 0; k < 5; k++) {
			unsigned int step = (k + rep) % 5;

			if (mem == NULL || untouched) {
				if (mem != NULL)
					munmap(mem, len);
				mem = big_map(len, !untouched);
				if (mem == NULL) {
					PERF_LOG("no memory for %zu MiB",
						len >> 20);
					goto out;
				}
			}
			if (step == 0) {
				if (big_create(mem, len, 0, &ms, &c) != 0)
					goto out;
				ext = RTE_MIN(ext, ms);
				cpu = RTE_MIN(cpu, c);
			} else if (step == 1) {
				if (big_create(mem, len, 1, &ms, &c) != 0)
					goto out;
				ext1 = RTE_MIN(ext1, ms);
				cpu1 = RTE_MIN(cpu1, c);
			} else if (step == 2) {
				f = pin_floor_ms(mem, len, ent);
				if (f >= 0)
					floor = RTE_MIN(floor, f);
			} else if (step == 3) {
				if (pin_floor_parallel(mem, len, ent, n, false,
						&pf) == 0 && pf.lock_ms +
						pf.par_ms < best.lock_ms +
						best.par_ms)
					best = pf;
			} else if (pin_floor_parallel(mem, len, ent, n, true,
					&pf) == 0 && pf.par_ms < best_old.par_ms) {
				best_old = pf;
			}
		}
	}
	perf_result_f64(res, BIG_KEY(key, "extmem_ms"), ext);
	perf_result_f64(res, BIG_KEY(key, "extmem_1t_ms"), ext1);
	perf_result_f64(res, BIG_KEY(key, "speedup"), ext1 / ext);
	perf_result_f64(res, BIG_KEY(key, "extmem_cpu_ms"), cpu);
	perf_result_f64(res, BIG_KEY(key, "extmem_1t_cpu_ms"), cpu1);
	if (floor < 1e300) {
		perf_result_f64(res, BIG_KEY(key, "floor_ms"), floor);
		perf_result_f64(res, BIG_KEY(key, "extmem_1t_vs_floor"),
			ext1 / floor);
	}
	if (best.par_ms < 1e300) {
		perf_result_f64(res, BIG_KEY(key, "par_lock_ms"), best.lock_ms);
		perf_result_f64(res, BIG_KEY(key, "par_lock_cpu_ms"),
			best.lock_cpu_ms);
		perf_result_f64(res, BIG_KEY(key, "par_fault_read_ms"),
			best.par_ms);
		perf_result_f64(res, BIG_KEY(key, "par_fault_read_cpu_ms"),
			best.par_cpu_ms);
		perf_result_f64(res, BIG_KEY(key, "par_fault_read_cpu_max_ms"),
			best.par_cpu_max_ms);
		perf_result_f64(res, BIG_KEY(key, "par_fault_read_blocked_ms"),
			best.par_blocked_max_ms);
		/* with a free core per thread: the serial phase and the
		 * busiest thread, against all of it on one
		 */
		perf_result_f64(res, BIG_KEY(key, "par_cpu_speedup"),
			(best.lock_cpu_ms + best.par_cpu_ms) /
			(best.lock_cpu_ms + best.par_cpu_max_ms));
	}
	if (best_old.par_ms < 1e300) {
		perf_result_f64(res, BIG_KEY(key, "par_mlock_ms"),
			best_old.par_ms);
		perf_result_f64(res, BIG_KEY(key, "par_mlock_cpu_ms"),
			best_old.par_cpu_ms);
		perf_result_f64(res, BIG_KEY(key, "par_mlock_blocked_ms"),
			best_old.par_blocked_max_ms);
	}
	ret = 0;
out:
	if (mem != NULL)
		munmap(mem, len);
	free(ent);
	return ret;
}

static int
bench_register_big(const struct perf_opts *o, struct perf_result *res)
{
	size_t len = (size_t)perf_opt_u64(o, "register-big-mb", 4096) << 20;

	if (len == 0 || rte_eal_iova_mode() != RTE_IOVA_PA)
		return 0;
	perf_result_u64(res, "register_big_4k_mb", len >> 20);
	perf_result_u64(res, "register_big_4k_threads", helper_threads(len));
	if (bench_register_big_one(o, res, len, false) != 0)
		return -1;
	if (perf_opt_u64(o, "register-big-untouched", 1) == 0)
		return 0;
	return bench_register_big_one(o, res, len, true);
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
	{ .name = "register-big-untouched", .min = 0, .max = 1 },
	{ .name = NULL },
};

REGISTER_PERF_BENCH_OPTS(register, bench_register_all,
	"registering 4K-page memory: region create vs rte_extmem_register "
	"vs rte_malloc_heap_memory_add vs the kernel's floor",
	register_opts);
