/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The limits report: what EAL (memseg lists, heap slots, IOVA mode), the
 * kernel (hugepage pools, THP, VFIO's mapping entries) and the process
 * limits (locked memory) leave for the next registration, read from
 * public EAL calls, sysfs and procfs, plus what this library's live
 * regions already take and the DMA domains' entries left (through
 * rte_extmem_devmap.h only). extmem_limits_notes() says what each figure
 * means for the next registration; the dump, the telemetry command
 * /extmem/limits and dpdk-extmem-info all print those notes.
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "extmem_limits_private.h"
#include "extmem_private.h"
#include "rte_extmem_devmap.h"
#include "rte_extmem_heap.h"

/*
 * EAL's table of user DMA mappings per VFIO container
 * (VFIO_MAX_USER_MEM_MAPS in lib/eal/linux/eal_vfio.h of DPDK 22.11, not
 * exported): a mapping beyond it fails with ENOMEM in rte_vfio_*_dma_map.
 */
#define EXTMEM_EAL_VFIO_USER_MAPS 256
#define CAP_IPC_LOCK_BIT 14

/* A decimal number read from a sysfs/procfs file, or 0. */
static uint64_t
read_u64_file(const char *path)
{
	uint64_t v = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%" SCNu64, &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static int
hp_cmp(const void *a, const void *b)
{
	const struct rte_extmem_limits_hugepages *x = a, *y = b;

	return x->page_sz < y->page_sz ? -1 : x->page_sz > y->page_sz;
}

static void
limits_hugepages(struct rte_extmem_limits *l)
{
	const char *base = "/sys/kernel/mm/hugepages";
	struct rte_extmem_limits_hugepages *hp;
	uint64_t kb;
	struct dirent *de;
	char path[512];
	DIR *d;

	d = opendir(base);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL &&
			l->n_hugepage_sizes < RTE_EXTMEM_LIMITS_HUGEPAGE_SIZES) {
		if (sscanf(de->d_name, "hugepages-%" SCNu64 "kB", &kb) != 1)
			continue;
		hp = &l->hugepages[l->n_hugepage_sizes++];
		hp->page_sz = (uint64_t)kb << 10;
		snprintf(path, sizeof(path), "%s/%s/nr_hugepages", base,
			de->d_name);
		hp->total = read_u64_file(path);
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", base,
			de->d_name);
		hp->free = read_u64_file(path);
	}
	closedir(d);
	qsort(l->hugepages, l->n_hugepage_sizes, sizeof(l->hugepages[0]),
		hp_cmp);
}

/* VmLck and CAP_IPC_LOCK from /proc/self/status. */
static void
limits_memlock(struct rte_extmem_limits *l)
{
	uint64_t kb, cap;
	struct rlimit rl;
	char line[256];
	FILE *f;

	l->memlock_limit = UINT64_MAX;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		l->memlock_limit = rl.rlim_cur;
	f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmLck: %" SCNu64 " kB", &kb) == 1)
			l->memlock_used = (uint64_t)kb << 10;
		else if (sscanf(line, "CapEff: %" SCNx64, &cap) == 1)
			l->memlock_unlimited_cap =
				(cap >> CAP_IPC_LOCK_BIT) & 1;
	}
	fclose(f);
}

/* The bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
static void
limits_thp(struct rte_extmem_limits *l)
{
	char buf[128], *s, *e;
	FILE *f;

	snprintf(l->thp, sizeof(l->thp), "unknown");
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f == NULL)
		return;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		s = strchr(buf, '[');
		e = s != NULL ? strchr(s, ']') : NULL;
		if (e != NULL && e - s - 1 < (int)sizeof(l->thp)) {
			*e = '\0';
			snprintf(l->thp, sizeof(l->thp), "%s", s + 1);
		}
	}
	fclose(f);
}

static void
limits_vfio(struct rte_extmem_limits *l)
{
	if (access("/sys/module/vfio_iommu_type1", F_OK) != 0)
		return;
	l->vfio = true;
	l->vfio_dma_entry_limit = read_u64_file(
		"/sys/module/vfio_iommu_type1/parameters/dma_entry_limit");
	l->vfio_user_maps_max = EXTMEM_EAL_VFIO_USER_MAPS;
}

struct msl_count {
	unsigned int n;
	int max_socket;
};

static int
msl_count_cb(const struct rte_memseg_list *msl, void *arg)
{
	struct msl_count *c = arg;

	c->n++;
	if (msl->socket_id > c->max_socket)
		c->max_socket = msl->socket_id;
	return 0;
}

static int
heap_socket_cb(const struct rte_extmem_heap *heap __rte_unused,
	const struct rte_extmem_heap_info *info, void *arg)
{
	int *max_socket = arg;

	if (info->socket_id > *max_socket)
		*max_socket = info->socket_id;
	return 0;
}

/*
 * External heaps have socket IDs from RTE_MAX_NUMA_NODES up, handed out
 * in increasing order and never reused: look from there to past the
 * highest one known (memseg lists and this library's heaps).
 */
static unsigned int
limits_external_heaps(int max_socket)
{
	unsigned int n = 0;
	int s;

	if (max_socket < RTE_MAX_NUMA_NODES)
		max_socket = RTE_MAX_NUMA_NODES;
	for (s = RTE_MAX_NUMA_NODES; s <= max_socket + RTE_MAX_HEAPS &&
			n < RTE_MAX_HEAPS; s++)
		if (rte_malloc_heap_socket_is_external(s) == 1)
			n++;
	return n;
}

static int
region_entries_cb(const struct rte_extmem_region *region __rte_unused,
	const struct rte_extmem_region_info *info, void *arg)
{
	uint64_t *n = arg;

	/* one entry per IOVA-contiguous run; pages without an IOVA are in
	 * no run and are not mapped
	 */
	if (!(info->flags & RTE_EXTMEM_REGION_F_NO_DEVMAP))
		*n += info->n_iova_runs;
	return 0;
}

/* The domain with an entry limit that has the fewest entries left. */
static int
domain_cb(const char *name, void *arg)
{
	struct rte_extmem_devmap_domain_info info;
	struct rte_extmem_limits *l = arg;

	l->dma_domains++;
	if (rte_extmem_devmap_domain_info_get(name, &info) != 0 ||
			info.max_entries == 0)
		return 0;
	if (l->dma_domain_tightest[0] == '\0' ||
			info.entries_left < l->dma_domain_entries_left) {
		snprintf(l->dma_domain_tightest,
			sizeof(l->dma_domain_tightest), "%s", name);
		l->dma_domain_max_entries = info.max_entries;
		l->dma_domain_entries_left = info.entries_left;
	}
	return 0;
}

int
rte_extmem_limits_get(struct rte_extmem_limits *limits)
{
	struct rte_extmem_limits l;
	struct msl_count msl = { 0, -1 };
	const struct rte_extmem_region *r;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (limits == NULL) {
		EXTMEM_FAIL(EINVAL, "limits is NULL");
		return -1;
	}
	if (!EXTMEM_EAL_READY())
		return -1;
	memset(&l, 0, sizeof(l));
	l.memseg_lists_max = RTE_MAX_MEMSEG_LISTS;
	rte_memseg_list_walk(msl_count_cb, &msl);
	l.memseg_lists_used = msl.n;
	rte_extmem_heap_walk(heap_socket_cb, &msl.max_socket);
	l.heaps_max = RTE_MAX_HEAPS;
	l.heaps_used = rte_socket_count() +
		limits_external_heaps(msl.max_socket);
	limits_hugepages(&l);
	limits_memlock(&l);
	l.iova_mode = rte_eal_iova_mode();
	l.registration_pins = l.iova_mode == RTE_IOVA_PA;
	extmem_query_begin();
	TAILQ_FOREACH(r, extmem_regions(), next)
		if (r->pinned)
			l.pinned_by_regions += r->len;
	extmem_query_end();
	limits_thp(&l);
	limits_vfio(&l);
	rte_extmem_region_walk(region_entries_cb, &l.dma_entries_needed);
	rte_extmem_devmap_domain_walk(domain_cb, &l);
	l.xlate_mem = extmem_xlate_mem_size();
	*limits = l;
	return 0;
}

static const char *
iova_mode_name(enum rte_iova_mode m)
{
	return m == RTE_IOVA_PA ? "PA" : m == RTE_IOVA_VA ? "VA" : "DC";
}

static uint64_t
left_of(uint64_t max, uint64_t used)
{
	return max > used ? max - used : 0;
}

void
extmem_limits_notes(const struct rte_extmem_limits *l,
	extmem_limits_note_t fn, void *arg)
{
	char text[256], part[96];
	uint64_t left, lim;
	unsigned int i;

	left = left_of(l->memseg_lists_max, l->memseg_lists_used);
	snprintf(text, sizeof(text), "%" PRIu64 " of %u free: %s", left,
		l->memseg_lists_max, left == 0 ? "the next region or heap "
		"chunk fails with ENOSPC" : "each region or heap chunk takes "
		"one");
	fn(arg, "memseg_lists", text);

	left = left_of(l->heaps_max, l->heaps_used);
	snprintf(text, sizeof(text), "%" PRIu64 " of %u free: %s", left,
		l->heaps_max, left == 0 ? "the next heap fails with ENOSPC" :
		"each heap takes one");
	fn(arg, "heap_slots", text);

	if (l->n_hugepage_sizes == 0) {
		snprintf(text, sizeof(text), "none: hugetlb regions fail, "
			"anon and THP backings work");
	} else {
		snprintf(text, sizeof(text), "free/reserved:");
		for (i = 0; i < l->n_hugepage_sizes; i++) {
			snprintf(part, sizeof(part), " %" PRIu64 "M %" PRIu64
				"/%" PRIu64 ",", l->hugepages[i].page_sz >> 20,
				l->hugepages[i].free, l->hugepages[i].total);
			strncat(text, part, sizeof(text) - strlen(text) - 1);
		}
		strncat(text, " a hugetlb region of L bytes takes L / page "
			"size free pages", sizeof(text) - strlen(text) - 1);
	}
	fn(arg, "hugepages", text);

	if (!l->registration_pins) {
		snprintf(text, sizeof(text), "IOVA as VA: registration pins "
			"nothing");
	} else if (l->memlock_unlimited_cap ||
			l->memlock_limit == UINT64_MAX) {
		snprintf(text, sizeof(text), "IOVA as PA: a region is pinned "
			"whole; no limit applies (%s), %" PRIu64 " bytes pinned "
			"by regions", l->memlock_unlimited_cap ?
			"CAP_IPC_LOCK" : "unlimited", l->pinned_by_regions);
	} else {
		lim = left_of(l->memlock_limit, l->memlock_used);
		snprintf(text, sizeof(text), "IOVA as PA: a region is pinned "
			"whole; %" PRIu64 " of %" PRIu64 " bytes left (regions "
			"pin %" PRIu64 "): a larger region fails with ENOMEM",
			lim, l->memlock_limit, l->pinned_by_regions);
	}
	fn(arg, "memlock", text);

	snprintf(text, sizeof(text), "%s: %s", iova_mode_name(l->iova_mode),
		l->iova_mode == RTE_IOVA_PA ? "IOVAs are physical addresses "
		"read from /proc/self/pagemap (root), regions are pinned" :
		"a region's IOVA is its virtual address");
	fn(arg, "iova_mode", text);

	snprintf(text, sizeof(text), "%s: %s", l->thp,
		strcmp(l->thp, "always") == 0 || strcmp(l->thp, "madvise") == 0 ?
		"anon+THP regions get 2M pages where the kernel has them" :
		"anon+THP regions get 4K pages (no TLB gain)");
	fn(arg, "thp", text);

	if (!l->vfio) {
		snprintf(text, sizeof(text), "no VFIO: %" PRIu64 " mapping "
			"entries would be needed on one container%s",
			l->dma_entries_needed, l->dma_entries_needed >
			EXTMEM_EAL_VFIO_USER_MAPS ? " (more than the 256 EAL "
			"keeps per container: use hugepages or IOVA as VA)" :
			"");
	} else {
		lim = l->vfio_dma_entry_limit != 0 ?
			RTE_MIN(l->vfio_dma_entry_limit,
				(uint64_t)l->vfio_user_maps_max) :
			l->vfio_user_maps_max;
		snprintf(text, sizeof(text), "%" PRIu64 " entries needed of "
			"%" PRIu64 " (EAL %u per container, kernel "
			"dma_entry_limit %" PRIu64 "): each IOVA-contiguous run "
			"of the next region takes one%s", l->dma_entries_needed,
			lim, l->vfio_user_maps_max, l->vfio_dma_entry_limit,
			l->dma_entries_needed >= lim ? "; none is left" : "");
	}
	fn(arg, "vfio", text);

	if (l->dma_domain_tightest[0] == '\0')
		snprintf(text, sizeof(text), "%u domain(s), none with an entry "
			"limit", l->dma_domains);
	else
		snprintf(text, sizeof(text), "%u domain(s); fewest entries "
			"left: %s, %u of %u: a region of more IOVA runs is "
			"refused (ENOSPC)", l->dma_domains,
			l->dma_domain_tightest, l->dma_domain_entries_left,
			l->dma_domain_max_entries);
	fn(arg, "dma_domains", text);
}

static void
dump_note(void *arg, const char *key, const char *text)
{
	fprintf(arg, "  %-13s %s\n", key, text);
}

int
rte_extmem_limits_dump(FILE *f)
{
	struct rte_extmem_limits l;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (f == NULL) {
		EXTMEM_FAIL(EINVAL, "output stream is NULL");
		return -1;
	}
	if (rte_extmem_limits_get(&l) != 0)
		return -1;
	fprintf(f, "external memory limits (for the next registration):\n");
	extmem_limits_notes(&l, dump_note, f);
	return 0;
}
