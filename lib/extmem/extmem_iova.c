/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* IOVA resolution of the pages of a region. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "extmem_private.h"

/* <linux/mman.h>, not in older C libraries */
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_PFN_MASK ((1ULL << 55) - 1)

/* Do pages p - 1 and p belong to one run? */
static bool
iova_same_run(const struct rte_extmem_region *r, unsigned int p)
{
	rte_iova_t a = r->iovas[p - 1], b = r->iovas[p];

	if (a == RTE_BAD_IOVA || b == RTE_BAD_IOVA)
		return a == b;
	return b == a + r->page_sz;
}

/* r->runs from r->iovas: the one place that cuts a region into runs. */
int
extmem_iova_runs_build(struct rte_extmem_region *r)
{
	struct extmem_iova_run *run;
	unsigned int p, n = 1;

	for (p = 1; p < r->n_pages; p++)
		if (!iova_same_run(r, p))
			n++;
	r->runs = malloc(sizeof(*r->runs) * n);
	if (r->runs == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for %u IOVA runs", n);
		return -1;
	}
	r->n_runs = n;
	r->n_known_runs = 0;
	run = r->runs;
	for (p = 0; p < r->n_pages; p++) {
		if (p > 0 && iova_same_run(r, p)) {
			run->len += r->page_sz;
			continue;
		}
		if (p > 0)
			run++;
		run->va_off = (size_t)p * r->page_sz;
		run->iova = r->iovas[p];
		run->len = r->page_sz;
		if (run->iova != RTE_BAD_IOVA)
			r->n_known_runs++;
	}
	return 0;
}

unsigned int
extmem_iova_run_find(const struct rte_extmem_region *r, size_t off)
{
	unsigned int lo = 0, hi = r->n_runs - 1, mid;

	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (r->runs[mid].va_off <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * mlock() and munlock() as system calls, not through the C library's
 * symbols: a sanitizer runtime (AddressSanitizer) replaces those by no-ops
 * that report success, and then nothing is pinned or faulted in, and the
 * pages the caller never touched have no frame in the pagemap. Pinning is
 * what keeps a physical address valid, so it must happen in every build.
 */
static int
pages_pin(uintptr_t va, size_t len)
{
	return (int)syscall(SYS_mlock, va, len);
}

static void
pages_unpin(uintptr_t va, size_t len)
{
	(void)syscall(SYS_munlock, va, len);
}

/* Regions at least this large are pinned and read by several threads. */
#define PARALLEL_MIN_LEN (4ULL << 30)
/* Each thread gets at least this much of the range. */
#define PARALLEL_SLICE_MIN (1ULL << 30)
#define PARALLEL_MAX 16u

/*
 * Test and benchmark hooks (environment): EXTMEM_PIN_THREADS=N pins and
 * resolves any region with N threads (1: one, whatever the size);
 * EXTMEM_PIN_TEST_FAIL=K makes thread K (0: the caller's) fail with
 * ENOMEM once its share is done, to exercise the rollback.
 */
#define PIN_THREADS_ENV "EXTMEM_PIN_THREADS"
#define PIN_FAIL_ENV "EXTMEM_PIN_TEST_FAIL"

static long
env_long(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long x;

	if (v == NULL || *v == '\0')
		return -1;
	x = strtol(v, &end, 10);
	return *end == '\0' && x >= 0 ? x : -1;
}

/* One thread's share: pin [va, +len) and read its pagemap entries. */
struct pin_job {
	uintptr_t va;
	size_t len;
	uint64_t *ent;
	int fd;
	bool populate;	/* fault the share in (the range is locked on
			 * fault), or it is in already (one mlock())
			 */
	bool fail;	/* fault injection */
	int err;	/* 0, or the errno of pinning (EIO: short read) */
	unsigned int cpus;	/* how many CPUs the thread may run on */
	pthread_t th;
};

/*
 * Fault in the missing pages of a share of a range already locked on
 * fault: they are locked as they come. MADV_POPULATE_WRITE (what mlock()
 * does for a private writable mapping: write faults, copy-on-write
 * broken), or MADV_POPULATE_READ where the mapping refuses writes; both
 * hold mmap_lock for reading only, so the threads run side by side.
 * Where neither is known (before Linux 5.14, EINVAL) mlock() does it,
 * though its change of flags takes mmap_lock for writing, and waits for
 * the other threads' faulting.
 */
static int
share_populate(const struct pin_job *j)
{
	if (madvise((void *)j->va, j->len, MADV_POPULATE_WRITE) == 0)
		return 0;
	if (errno == EINVAL &&
			madvise((void *)j->va, j->len, MADV_POPULATE_READ) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	return pages_pin(j->va, j->len);
}

static void *
pin_job_run(void *arg)
{
	struct pin_job *j = arg;
	size_t sys_pgsz = extmem_sys_page_size();
	size_t want = j->len / sys_pgsz * sizeof(uint64_t), done;
	off_t off = (off_t)(j->va / sys_pgsz * sizeof(uint64_t));
	ssize_t got = 0;

	j->cpus = extmem_thread_self_cpus();
	if (j->populate && share_populate(j) != 0) {
		j->err = errno;
		return NULL;
	}
	for (done = 0; done < want; done += got) {
		got = pread(j->fd, (uint8_t *)j->ent + done, want - done,
			off + (off_t)done);
		if (got <= 0)
			break;
	}
	j->err = done == want ? (j->fail ? ENOMEM : 0) : EIO;
	return NULL;
}

/* Threads for a region: one per CPU helper threads may use
 * (extmem_thread.c) for PARALLEL_MIN_LEN or more (at most PARALLEL_MAX,
 * each at least PARALLEL_SLICE_MIN), or the hook's.
 */
static unsigned int
pin_threads(const struct rte_extmem_region *r)
{
	long forced = env_long(PIN_THREADS_ENV);
	unsigned int n = 1;
	rte_cpuset_t cpus;

	if (forced > 0)
		return RTE_MIN((unsigned int)RTE_MIN(forced, (long)PARALLEL_MAX),
			r->n_pages);
	if (r->len >= PARALLEL_MIN_LEN)
		n = RTE_MIN(RTE_MIN(extmem_thread_cpus(&cpus), PARALLEL_MAX),
			(unsigned int)(r->len / PARALLEL_SLICE_MIN));
	return RTE_MAX(n, 1u);
}

/*
 * Pin the region and read the pagemap entry of every base page into ent:
 * one mlock() and one read for the whole range, or, for a region of
 * PARALLEL_MIN_LEN or more, in two steps that put the parallel part where
 * the kernel can run it in parallel. mlock() changes the VMA's flags and
 * mlocks every page already present with mmap_lock held for writing, so
 * several threads calling it on disjoint ranges only queue for the lock
 * (what an earlier version did, for no gain); only faulting the missing
 * pages in, after the flags are set, runs with mmap_lock held for
 * reading. So: one mlock2(MLOCK_ONFAULT) of the whole range by the
 * caller (flags set once, present pages mlocked, nothing faulted in),
 * then one thread per share (helper threads: extmem_thread.c) faults its
 * missing pages in
 * (share_populate(): read-locked, each page locked as it comes) and
 * reads its pagemap entries (pread() of disjoint ranges of one
 * descriptor). Every page ends present and locked, as after one mlock()
 * (the range keeps VM_LOCKONFAULT, which munlock() clears with the
 * rest). On failure nothing stays pinned.
 * A region pinned by one thread is locked by one mlock() first; then,
 * with mmap_lock no longer held for writing, if there is beside's work,
 * a helper thread reads the pagemap while the caller does that work.
 * The caller keeps what faults pages in (the locking, EAL's memseg
 * array): faults take pages from the free lists of the CPU they run on,
 * which the caller's earlier work filled; in a helper, locking untouched
 * memory took twice as long and EAL's faults up to four times (measured
 * on a virtual machine).
 */
static int
pin_and_read(struct rte_extmem_region *r, uint64_t *ent, int fd,
	struct extmem_pin_beside *beside)
{
	size_t sys_pgsz = extmem_sys_page_size();
	struct pin_job jobs[PARALLEL_MAX];
	unsigned int n = pin_threads(r), i, started;
	long fail = env_long(PIN_FAIL_ENV);
	size_t per, done = 0;
	int err = 0;

	if (n > 1 && syscall(SYS_mlock2, r->va, r->len, MLOCK_ONFAULT) != 0) {
		err = errno;
		if (err != ENOSYS && err != EINVAL)
			goto fail;
		/* no mlock2(): one thread does it all */
		err = 0;
		n = 1;
	}
	if (n == 1 && pages_pin(r->va, r->len) != 0) {
		err = errno;
		goto fail;
	}
	per = RTE_ALIGN_CEIL(r->len / n, r->page_sz);
	for (i = 0; i < n; i++) {
		jobs[i].va = r->va + done;
		jobs[i].len = i == n - 1 ? r->len - done :
			RTE_MIN(per, r->len - done);
		jobs[i].ent = ent + done / sys_pgsz;
		jobs[i].fd = fd;
		jobs[i].populate = n > 1;
		jobs[i].fail = fail == (long)i;
		jobs[i].err = 0;
		done += jobs[i].len;
	}
	if (n == 1 && beside != NULL) {
		/* locked, mmap_lock released: the pagemap read in a helper,
		 * beside's work here
		 */
		started = extmem_thread_start(&jobs[0].th, pin_job_run,
			&jobs[0]) == 0;
		if (!started)
			pin_job_run(&jobs[0]);
		beside->fn(beside->arg);
		beside->ran = true;
		if (started)
			pthread_join(jobs[0].th, NULL);
		started = 1;
	} else {
		/* jobs 1..n-1 in threads (fewer if a thread cannot start:
		 * the caller's thread does what is left), job 0 here
		 */
		for (started = 1; started < n; started++)
			if (jobs[started].len == 0 || extmem_thread_start(
					&jobs[started].th, pin_job_run,
					&jobs[started]) != 0)
				break;
		pin_job_run(&jobs[0]);
	}
	for (i = started; i < n; i++)
		if (jobs[i].len != 0)
			pin_job_run(&jobs[i]);
	for (i = 1; i < started; i++)
		pthread_join(jobs[i].th, NULL);
	for (i = 0; i < n && err == 0; i++)
		err = jobs[i].err;
	if (n > 1)
		/* where a thread of ours ran: the helpers' CPUs */
		EXTMEM_LOG(DEBUG, "region %s: pinned and resolved by %u "
			"threads (%u started) on %u CPUs", r->name, n,
			started - 1, jobs[started > 1 ? 1 : 0].cpus);
	if (err == 0)
		return 0;
fail:
	pages_unpin(r->va, r->len);
	if (err == EIO)
		EXTMEM_FAIL(EPERM, "short read of /proc/self/pagemap for "
			"region %s", r->name);
	else
		EXTMEM_FAIL(err == EPERM ? EPERM : ENOMEM,
			"cannot pin region %s (%zu bytes) for physical "
			"addresses: %s", r->name, r->len, strerror(err));
	return -1;
}

/*
 * A locked page can still be moved by the kernel (compaction migrates
 * locked base pages unless vm.compact_unevictable_allowed is 0): while a
 * page moves, its pagemap entry is a migration entry, not present. Read
 * the entries of such pages again, a few times, before calling their
 * IOVA unknown.
 */
#define PAGEMAP_REREAD_TRIES 8
#define PAGEMAP_REREAD_WAIT_US 1000

static bool
pagemap_page_ok(const uint64_t *pe, size_t step)
{
	uint64_t pfn = pe[0] & PAGEMAP_PFN_MASK;
	size_t k;

	if (!(pe[0] & PAGEMAP_PRESENT) || pfn == 0)
		return false;
	/* A page larger than the base page is one frame: aligned, and
	 * every base page in it present and at the next frame.
	 */
	if (step > 1 && (pfn & (step - 1)) != 0)
		return false;
	for (k = 1; k < step; k++)
		if (!(pe[k] & PAGEMAP_PRESENT) ||
				(pe[k] & PAGEMAP_PFN_MASK) != pfn + k)
			return false;
	return true;
}

static void
pagemap_reread_moving(const struct rte_extmem_region *r, uint64_t *ent,
	int fd)
{
	size_t sys_pgsz = extmem_sys_page_size();
	size_t step = r->page_sz / sys_pgsz;
	size_t want = step * sizeof(uint64_t);
	unsigned int i, tries, left;

	for (tries = 0; tries < PAGEMAP_REREAD_TRIES; tries++) {
		left = 0;
		for (i = 0; i < r->n_pages; i++) {
			uint64_t *pe = &ent[(size_t)i * step];
			off_t off = (off_t)((r->va + (size_t)i * r->page_sz) /
				sys_pgsz * sizeof(uint64_t));

			if (pagemap_page_ok(pe, step))
				continue;
			if (pread(fd, pe, want, off) != (ssize_t)want)
				return;
			if (!pagemap_page_ok(pe, step))
				left++;
		}
		if (left == 0)
			return;
		usleep(PAGEMAP_REREAD_WAIT_US);
	}
}

/*
 * Say once per process, for memory that is not hugetlb, that a locked
 * page may still move while vm.compact_unevictable_allowed is 1 (the
 * kernel's default): the IOVA read here would then no longer be the
 * page's, and a device given it would reach another page.
 */
static void
warn_if_locked_pages_move(const struct rte_extmem_region *r)
{
	static bool warned;
	char c = '0';
	int fd;

	if (warned || r->backing == RTE_EXTMEM_BACKING_HUGETLB ||
			(r->backing == RTE_EXTMEM_BACKING_SHARED &&
			 r->page_sz != extmem_sys_page_size()))
		return;
	fd = open("/proc/sys/vm/compact_unevictable_allowed",
		O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (read(fd, &c, 1) == 1 && c == '1') {
		warned = true;
		EXTMEM_LOG(WARNING, "region %s: PA mode over pages that are "
			"not hugetlb, and vm.compact_unevictable_allowed is 1: "
			"the kernel may move locked pages, changing their "
			"physical address; set it to 0, or use hugetlb "
			"memory or IOVA-as-VA mode", r->name);
	}
	close(fd);
}

/*
 * Pin the region and read the physical address of every page from
 * /proc/self/pagemap (pin_and_read()). Each page is checked: present and
 * with a non-zero frame number (zero means the PFN is hidden from us);
 * pages caught moving are read again (pagemap_reread_moving()).
 */
static int
iova_from_pagemap(struct rte_extmem_region *r,
	struct extmem_pin_beside *beside)
{
	size_t sys_pgsz = extmem_sys_page_size();
	size_t n_small = r->len / sys_pgsz;
	size_t step = r->page_sz / sys_pgsz;
	uint64_t *ent;
	unsigned int i;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		EXTMEM_FAIL(EPERM, "cannot open /proc/self/pagemap: %s",
			strerror(errno));
		return -1;
	}
	ent = malloc(n_small * sizeof(*ent));
	if (ent == NULL) {
		close(fd);
		EXTMEM_FAIL(ENOMEM, "no memory for %zu pagemap entries",
			n_small);
		return -1;
	}
	if (pin_and_read(r, ent, fd, beside) != 0) {
		close(fd);
		free(ent);
		return -1;
	}
	pagemap_reread_moving(r, ent, fd);
	close(fd);
	warn_if_locked_pages_move(r);
	r->pinned = true;
	for (i = 0; i < r->n_pages; i++) {
		const uint64_t *pe = &ent[(size_t)i * step];

		r->iovas[i] = pagemap_page_ok(pe, step) ?
			(pe[0] & PAGEMAP_PFN_MASK) * sys_pgsz : RTE_BAD_IOVA;
	}
	free(ent);
	return 0;
}

static bool
iova_pins(const struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p)
{
	return p->iovas == NULL && !(r->flags & RTE_EXTMEM_REGION_F_NO_IOVA) &&
		rte_eal_iova_mode() == RTE_IOVA_PA &&
		r->backing != RTE_EXTMEM_BACKING_DEVICE;
}

unsigned int
extmem_iova_pin_threads(const struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p)
{
	return iova_pins(r, p) ? pin_threads(r) : 0;
}

int
extmem_iova_resolve(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p,
	struct extmem_pin_beside *beside)
{
	unsigned int i;

	r->iovas = malloc(sizeof(rte_iova_t) * r->n_pages);
	if (r->iovas == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for %u IOVAs", r->n_pages);
		return -1;
	}

	if (iova_pins(r, p)) {
		/* PA mode: pin, then read the frames. */
		if (iova_from_pagemap(r, beside) != 0)
			goto fail;
	} else if (p->iovas != NULL) {
		memcpy(r->iovas, p->iovas, sizeof(rte_iova_t) * r->n_pages);
	} else if (r->flags & RTE_EXTMEM_REGION_F_NO_IOVA) {
		for (i = 0; i < r->n_pages; i++)
			r->iovas[i] = RTE_BAD_IOVA;
	} else if (rte_eal_iova_mode() == RTE_IOVA_VA) {
		for (i = 0; i < r->n_pages; i++)
			r->iovas[i] = r->va + (size_t)i * r->page_sz;
	} else {
		/* device memory: validation requires IOVAs outside VA mode */
		for (i = 0; i < r->n_pages; i++)
			r->iovas[i] = RTE_BAD_IOVA;
	}

	r->n_bad_iova = 0;
	for (i = 0; i < r->n_pages; i++)
		if (r->iovas[i] == RTE_BAD_IOVA)
			r->n_bad_iova++;
	if (extmem_iova_runs_build(r) != 0)
		goto fail;
	/* what the region info reports: the maximal IOVA-contiguous runs,
	 * pages without an IOVA not counted (n_bad_iova counts them)
	 */
	r->n_iova_runs = r->n_known_runs;
	if (r->n_bad_iova != 0 && !(r->flags & RTE_EXTMEM_REGION_F_NO_IOVA))
		EXTMEM_LOG(WARNING, "region %s: %u of %u pages have no known "
			"IOVA", r->name, r->n_bad_iova, r->n_pages);
	return 0;
fail:
	extmem_iova_release(r);
	return -1;
}

void
extmem_iova_release(struct rte_extmem_region *r)
{
	if (r->pinned) {
		pages_unpin(r->va, r->len);
		r->pinned = false;
	}
	free(r->runs);
	r->runs = NULL;
	r->n_runs = 0;
	r->n_known_runs = 0;
	free(r->iovas);
	r->iovas = NULL;
}
