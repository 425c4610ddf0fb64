/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Backings: where the pages of a region come from. */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/memfd.h>
#include <numa.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "extmem_private.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define EXTMEM_THP_SIZE RTE_PGSIZE_2M

size_t
extmem_sys_page_size(void)
{
	static size_t pgsz;

	if (pgsz == 0)
		pgsz = (size_t)sysconf(_SC_PAGESIZE);
	return pgsz;
}

/*
 * Walk a /proc/self maps file: is [va, va + len) covered by mappings
 * without a gap? With want_pgsz (smaps), *pgsz is the smallest
 * KernelPageSize of those mappings; without (maps, which is much cheaper:
 * smaps walks the page tables of the whole process), *file tells whether
 * any of them is file-backed (only those can be hugetlb mappings).
 */
static int
maps_walk(const char *path, uintptr_t va, size_t len, bool want_pgsz,
	size_t *pgsz, bool *file)
{
	uintptr_t end = va + len, covered = va;
	size_t min_pg = SIZE_MAX;
	bool in_range = false;
	char line[512];
	FILE *f;

	f = fopen(path, "re");
	if (f == NULL) {
		EXTMEM_FAIL(EINVAL, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	*file = false;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long s, e, inode;
		size_t kb;

		/* a mapping's line: "start-end perms offset dev inode path";
		 * no smaps attribute ("AnonHugePages:") parses as two numbers
		 */
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &s, &e,
				&inode) == 3) {
			if (s >= end || s > covered)
				break; /* past the range, or a hole */
			in_range = e > covered;
			if (in_range) {
				covered = e;
				*file |= inode != 0;
			}
		} else if (want_pgsz && in_range &&
				sscanf(line, "KernelPageSize: %zu kB", &kb) == 1) {
			min_pg = RTE_MIN(min_pg, kb << 10);
		}
	}
	fclose(f);
	if (covered < end) {
		EXTMEM_FAIL(EINVAL, "[%p, +%zu) is not entirely mapped (hole at "
			"%p)", (void *)va, len, (void *)covered);
		return -1;
	}
	*pgsz = min_pg == SIZE_MAX ? extmem_sys_page_size() : min_pg;
	return 0;
}

int
extmem_backing_caller_range(uintptr_t va, size_t len, size_t *kpgsz)
{
	bool file;

	if (maps_walk("/proc/self/maps", va, len, false, kpgsz, &file) != 0)
		return -1;
	/* anonymous memory has base pages (THP included); a file mapping
	 * may be hugetlb (hugetlbfs, memfd, MAP_HUGETLB): ask smaps
	 */
	if (file)
		return maps_walk("/proc/self/smaps", va, len, true, kpgsz,
			&file);
	return 0;
}

int
extmem_backing_caller_fd_check(const char *name, uintptr_t va, size_t len,
	int fd, uint64_t off)
{
	uintptr_t end = va + len, covered = va;
	char line[512];
	struct stat st;
	FILE *f;

	if (fstat(fd, &st) != 0) {
		EXTMEM_FAIL(EINVAL, "region %s: fd %d: %s", name, fd,
			strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		EXTMEM_FAIL(EINVAL, "region %s: fd %d is not a regular file "
			"(memfd, hugetlbfs, tmpfs) a secondary could map", name,
			fd);
		return -1;
	}
	if (off % extmem_sys_page_size() != 0) {
		EXTMEM_FAIL(EINVAL, "region %s: fd_offset %" PRIu64 " is not a "
			"multiple of the page size %zu", name, off,
			extmem_sys_page_size());
		return -1;
	}
	if (off + len < off || st.st_size < 0 ||
			(uint64_t)st.st_size < off + len) {
		EXTMEM_FAIL(EINVAL, "region %s: fd %d has %jd bytes, fewer "
			"than fd_offset %" PRIu64 " + length %zu", name, fd,
			(intmax_t)st.st_size, off, len);
		return -1;
	}
	/* the range must be that file, shared, at that offset: what a
	 * secondary maps from the descriptor is then the same memory
	 */
	f = fopen("/proc/self/maps", "re");
	if (f == NULL) {
		EXTMEM_FAIL(EINVAL, "cannot read /proc/self/maps: %s",
			strerror(errno));
		return -1;
	}
	while (covered < end && fgets(line, sizeof(line), f) != NULL) {
		unsigned long s, e, foff, inode;
		unsigned int maj, mnr;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &s, &e, perms,
				&foff, &maj, &mnr, &inode) != 7 || e <= covered)
			continue;
		if (s > covered)
			break;
		if (perms[3] != 's' || inode != st.st_ino ||
				maj != major(st.st_dev) || mnr != minor(st.st_dev) ||
				foff + (covered - s) != off + (covered - va))
			break;
		covered = e;
	}
	fclose(f);
	if (covered < end) {
		EXTMEM_FAIL(EINVAL, "region %s: [%p, +%zu) is not a shared "
			"mapping of fd %d at offset %" PRIu64 " (from %p on)",
			name, (void *)va, len, fd, off, (void *)covered);
		return -1;
	}
	return 0;
}

int
extmem_backing_share_prot(const struct rte_extmem_region *r)
{
	uintptr_t end = r->va + r->len, covered = r->va;
	int prot = PROT_READ | PROT_WRITE;
	char line[512];
	FILE *f;

	if (!extmem_backing_ops(r->backing)->caller_mem)
		return prot; /* the library's own mapping */
	/* the caller's: what its mapping allows everywhere in the range */
	f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return PROT_NONE;
	while (covered < end && fgets(line, sizeof(line), f) != NULL) {
		unsigned long s, e;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) != 3 ||
				e <= covered)
			continue;
		if (s > covered)
			break;
		if (perms[0] != 'r')
			prot &= ~PROT_READ;
		if (perms[1] != 'w')
			prot &= ~PROT_WRITE;
		covered = e;
	}
	fclose(f);
	return covered < end ? PROT_NONE : prot;
}

/* Does the kernel have a hugetlb pool of this size? */
static bool
hugetlb_size_supported(size_t sz)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%zukB",
		sz >> 10);
	return access(path, F_OK) == 0;
}

/* Bind [addr, addr+len) to a NUMA node before the pages are touched. */
static int
backing_bind_numa(void *addr, size_t len, int node)
{
	unsigned long mask[16];

	if (node == SOCKET_ID_ANY)
		return 0;
	if (numa_available() < 0) {
		EXTMEM_FAIL(ENOTSUP, "NUMA node %d requested but libnuma "
			"reports NUMA unavailable", node);
		return -1;
	}
	if (node < 0 || node > numa_max_node() ||
			(unsigned int)node >= sizeof(mask) * 8) {
		EXTMEM_FAIL(EINVAL, "NUMA node %d does not exist (max %d)",
			node, numa_max_node());
		return -1;
	}
	memset(mask, 0, sizeof(mask));
	mask[node / (8 * sizeof(mask[0]))] |= 1UL << (node % (8 * sizeof(mask[0])));
	if (mbind(addr, len, MPOL_BIND, mask, sizeof(mask) * 8, 0) != 0) {
		EXTMEM_FAIL(errno == EINVAL ? EINVAL : ENOMEM,
			"mbind to NUMA node %d failed: %s", node,
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Make every page exist (placed by the NUMA policy) before IOVAs are read:
 * one MADV_POPULATE_WRITE call (Linux 5.14; faults the range in batches,
 * a quarter faster than touching), or a write to each page on a kernel
 * without it.
 */
static void
backing_populate(struct rte_extmem_region *r)
{
	volatile uint8_t *p = (volatile uint8_t *)r->va;
	size_t off;

	if (madvise((void *)r->va, r->len, MADV_POPULATE_WRITE) == 0)
		return;
	for (off = 0; off < r->len; off += r->page_sz)
		p[off] = 0;
}

/*
 * A memfd of r->len bytes (hugetlb pages of r->page_sz if huge) mapped
 * shared at an address of the VA window aligned to align (0: the page
 * size); the whole size allocated up front, so that running out of pages
 * fails here, not with SIGBUS at first touch.
 */
static int
backing_memfd(struct rte_extmem_region *r, bool huge, size_t align)
{
	unsigned int mflags = MFD_CLOEXEC;
	char name[RTE_EXTMEM_NAMESIZE + 8];
	void *va;
	int fd;

	if (huge)
		mflags |= MFD_HUGETLB |
			(rte_log2_u64(r->page_sz) << MFD_HUGE_SHIFT);
	snprintf(name, sizeof(name), "extmem_%s", r->name);
	fd = memfd_create(name, mflags);
	if (fd < 0) {
		EXTMEM_FAIL(errno == EINVAL ? ENOTSUP : ENOMEM,
			"memfd_create(%s%s) failed: %s", name,
			huge ? ", MFD_HUGETLB" : "", strerror(errno));
		return -1;
	}
	if (ftruncate(fd, r->len) != 0) {
		EXTMEM_FAIL(ENOMEM, "ftruncate(%zu) of memfd failed: %s",
			r->len, strerror(errno));
		close(fd);
		return -1;
	}
	va = extmem_va_map(r->name, r->len, align != 0 ? align : r->page_sz,
		MAP_SHARED, fd);
	if (va == NULL) {
		close(fd);
		return -1;
	}
	r->va = (uintptr_t)va;
	r->map_addr = va;
	r->map_len = r->len;
	r->fd = fd;
	if (backing_bind_numa(va, r->len, r->numa_node) != 0)
		goto fail;
	if (align > r->page_sz && madvise(va, r->len, MADV_HUGEPAGE) != 0)
		EXTMEM_LOG(WARNING, "region %s: madvise(MADV_HUGEPAGE) failed "
			"(%s), base pages will be used", r->name,
			strerror(errno));
	/* after the NUMA policy, which places what fallocate allocates */
	if (fallocate(fd, 0, 0, r->len) != 0) {
		if (huge)
			EXTMEM_FAIL(ENOMEM, "not enough free %zukB hugepages "
				"for %zu bytes: %s", r->page_sz >> 10, r->len,
				strerror(errno));
		else
			EXTMEM_FAIL(ENOMEM, "cannot allocate %zu bytes of "
				"shared memory: %s", r->len, strerror(errno));
		goto fail;
	}
	backing_populate(r);
	/* private asked for: the mapping keeps the memory, nothing else can
	 * reach it
	 */
	if (r->flags & RTE_EXTMEM_REGION_F_PRIVATE) {
		close(fd);
		r->fd = -1;
	}
	return 0;
fail:
	extmem_va_unmap(va, r->len);
	close(fd);
	r->map_addr = NULL;
	r->fd = -1;
	return -1;
}

static int
backing_anon(struct rte_extmem_region *r, bool thp)
{
	void *va;

	/* THP: aligned, so that whole 2M pages can be used */
	va = extmem_va_map(r->name, r->len, thp ? EXTMEM_THP_SIZE : 0,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);
	if (va == NULL)
		return -1;
	if (thp && madvise(va, r->len, MADV_HUGEPAGE) != 0)
		EXTMEM_LOG(WARNING, "region %s: madvise(MADV_HUGEPAGE) failed "
			"(%s), base pages will be used", r->name,
			strerror(errno));
	r->va = (uintptr_t)va;
	r->map_addr = va;
	r->map_len = r->len;
	if (backing_bind_numa(va, r->len, r->numa_node) != 0) {
		extmem_va_unmap(va, r->len);
		r->map_addr = NULL;
		return -1;
	}
	backing_populate(r);
	return 0;
}

/*
 * Can a memfd get transparent hugepages? The bracketed choice of
 * shmem_enabled: always, within_size and advise (the library asks with
 * madvise) and force do; never and deny do not, and neither does a
 * kernel without the file. Read at each THP region: the administrator
 * may change it.
 */
static bool
thp_shmem_enabled(void)
{
	char buf[128], *open_br, *close_br;
	size_t n;
	FILE *f;

	f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "re");
	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	open_br = strchr(buf, '[');
	close_br = open_br != NULL ? strchr(open_br, ']') : NULL;
	if (close_br == NULL)
		return false;
	*close_br = '\0';
	open_br++;
	return strcmp(open_br, "always") == 0 ||
		strcmp(open_br, "within_size") == 0 ||
		strcmp(open_br, "advise") == 0 || strcmp(open_br, "force") == 0;
}

/*
 * Base pages: private anonymous memory. A memfd would make it shareable
 * at no cost on the datapath, but region create takes a fifth longer and
 * destroy two to three times as long (dpdk-test-extmem-perf share): the
 * shared backing is the shareable 4K choice.
 */
static int
backing_alloc_anon(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p __rte_unused)
{
	return backing_anon(r, false);
}

/* THP: a memfd where the kernel gives shared memory transparent
 * hugepages, private anonymous memory otherwise (and when asked for).
 */
static int
backing_alloc_thp(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p __rte_unused)
{
	if (!(r->flags & RTE_EXTMEM_REGION_F_PRIVATE) && thp_shmem_enabled())
		return backing_memfd(r, false, EXTMEM_THP_SIZE);
	if (!(r->flags & RTE_EXTMEM_REGION_F_PRIVATE))
		EXTMEM_LOG(DEBUG, "region %s: shared memory gets no transparent "
			"hugepages here (transparent_hugepage/shmem_enabled): "
			"private memory, not shared", r->name);
	return backing_anon(r, true);
}

static int
backing_alloc_hugetlb(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p __rte_unused)
{
	if (!hugetlb_size_supported(r->page_sz)) {
		EXTMEM_FAIL(ENOTSUP, "kernel has no %zukB hugepage pool",
			r->page_sz >> 10);
		return -1;
	}
	return backing_memfd(r, true, 0);
}

static int
backing_alloc_shared(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p __rte_unused)
{
	if (r->page_sz != extmem_sys_page_size() &&
			!hugetlb_size_supported(r->page_sz)) {
		EXTMEM_FAIL(ENOTSUP, "kernel has no %zukB hugepage pool",
			r->page_sz >> 10);
		return -1;
	}
	return backing_memfd(r, r->page_sz != extmem_sys_page_size(), 0);
}

static int
backing_alloc_caller(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p)
{
	r->va = (uintptr_t)p->addr;
	if (p->fd < 0)
		return 0;
	/* the library's own descriptor: the caller may close its one */
	r->fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 0);
	if (r->fd < 0) {
		EXTMEM_FAIL(ENOMEM, "region %s: cannot duplicate fd %d: %s",
			r->name, p->fd, strerror(errno));
		return -1;
	}
	r->fd_offset = p->fd_offset;
	return 0;
}

/* What the library mapped or opened, if anything. */
static void
backing_free_mapped(struct rte_extmem_region *r)
{
	if (r->map_addr != NULL) {
		extmem_va_unmap(r->map_addr, r->map_len);
		r->map_addr = NULL;
	}
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
}

/* Every backing's rules, in one place. */
static const struct extmem_backing_ops backing_ops[EXTMEM_BACKING_COUNT] = {
	[RTE_EXTMEM_BACKING_ANON] = {
		.name = "anon",
		.page_sz_rule = EXTMEM_BACKING_PGSZ_BASE,
		.alloc = backing_alloc_anon,
		.free = backing_free_mapped,
	},
	[RTE_EXTMEM_BACKING_ANON_THP] = {
		.name = "thp",
		.page_sz_rule = EXTMEM_BACKING_PGSZ_BASE,
		.len_align = RTE_PGSIZE_2M,	/* whole transparent hugepages */
		.alloc = backing_alloc_thp,
		.free = backing_free_mapped,
	},
	[RTE_EXTMEM_BACKING_HUGETLB] = {
		.name = "hugetlb",
		.page_sz_rule = EXTMEM_BACKING_PGSZ_HUGE,
		.default_page_sz = RTE_PGSIZE_2M,
		.alloc = backing_alloc_hugetlb,
		.free = backing_free_mapped,
	},
	[RTE_EXTMEM_BACKING_SHARED] = {
		.name = "shared",
		.alloc = backing_alloc_shared,
		.free = backing_free_mapped,
	},
	[RTE_EXTMEM_BACKING_USER] = {
		.name = "user",
		.caller_mem = true,
		.page_sz_detect = true,
		.alloc = backing_alloc_caller,
		.free = backing_free_mapped,
	},
	[RTE_EXTMEM_BACKING_DEVICE] = {
		.name = "device",
		.caller_mem = true,
		.alloc = backing_alloc_caller,
		.free = backing_free_mapped,
	},
};

const struct extmem_backing_ops *
extmem_backing_ops(enum rte_extmem_backing backing)
{
	if ((unsigned int)backing >= RTE_DIM(backing_ops))
		return NULL;
	return &backing_ops[backing];
}

size_t
extmem_backing_default_page_sz(enum rte_extmem_backing backing)
{
	const struct extmem_backing_ops *ops = extmem_backing_ops(backing);

	return ops != NULL && ops->default_page_sz != 0 ?
		ops->default_page_sz : extmem_sys_page_size();
}

size_t
extmem_backing_len_round(enum rte_extmem_backing backing, size_t len)
{
	const struct extmem_backing_ops *ops = extmem_backing_ops(backing);

	return ops != NULL && ops->len_align != 0 ?
		RTE_ALIGN_CEIL(len, ops->len_align) : len;
}

int
extmem_backing_alloc(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p)
{
	const struct extmem_backing_ops *ops = extmem_backing_ops(r->backing);

	r->fd = -1;
	if (ops == NULL) {
		EXTMEM_FAIL(EINVAL, "unknown backing %d", r->backing);
		return -1;
	}
	return ops->alloc(r, p);
}

void
extmem_backing_free(struct rte_extmem_region *r)
{
	const struct extmem_backing_ops *ops = extmem_backing_ops(r->backing);

	if (ops != NULL)
		ops->free(r);
}
