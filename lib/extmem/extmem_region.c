/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Regions: validation, life cycle, EAL registration, lookup and walk. */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "extmem_private.h"
#include "extmem_walk_private.h"

static struct extmem_region_list region_list =
	TAILQ_HEAD_INITIALIZER(region_list);


#define REGION_KNOWN_FLAGS (RTE_EXTMEM_REGION_F_NO_DEVMAP | \
	RTE_EXTMEM_REGION_F_NO_IOVA | RTE_EXTMEM_REGION_F_PRIVATE)

struct extmem_region_list *
extmem_regions(void)
{
	return &region_list;
}

const char *
rte_extmem_backing_name(enum rte_extmem_backing backing)
{
	const struct extmem_backing_ops *ops;

	if (!EXTMEM_EAL_READY())
		return NULL;
	ops = extmem_backing_ops(backing);
	if (ops == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	return ops->name;
}

int
rte_extmem_region_params_init(struct rte_extmem_region_params *params)
{
	if (!EXTMEM_PARAMS_RESET(params))
		return -1;
	params->backing = RTE_EXTMEM_BACKING_ANON;
	params->numa_node = SOCKET_ID_ANY;
	params->fd = -1;
	return 0;
}

bool
extmem_region_valid(const struct rte_extmem_region *r)
{
	return r != NULL && EXTMEM_TAILQ_FIND(&region_list, it,
		it == r && it->magic == EXTMEM_REGION_MAGIC) != NULL;
}

static struct rte_extmem_region *
region_find(const char *name)
{
	return EXTMEM_TAILQ_FIND(&region_list, r, strcmp(r->name, name) == 0);
}

static int
msl_overlap_cb(const struct rte_memseg_list *msl, void *arg)
{
	const uintptr_t *range = arg;
	uintptr_t base = (uintptr_t)msl->base_va;

	if (msl->base_va == NULL || msl->len == 0)
		return 0;
	return range[0] < base + msl->len && base < range[0] + range[1];
}

bool
extmem_range_in_use(uintptr_t va, size_t len)
{
	const struct rte_extmem_region *r;
	uintptr_t range[2] = { va, len };

	TAILQ_FOREACH(r, &region_list, next)
		if (va < r->va + r->len && r->va < va + len)
			return true;
	return rte_memseg_list_walk(msl_overlap_cb, range) > 0;
}

static bool
is_pow2(size_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* The params struct itself, the name, the backing and the flags. */
static int
params_check_basic(const struct rte_extmem_region_params *p)
{
	if (p == NULL) {
		EXTMEM_FAIL(EINVAL, "params is NULL");
		return -1;
	}
	if (extmem_struct_size_check(p, p->struct_size, sizeof(*p), "params",
			"rte_extmem_region_params_init") != 0)
		return -1;
	if (extmem_name_check("region", p->name, RTE_EXTMEM_NAMESIZE) != 0)
		return -1;
	if (extmem_backing_ops(p->backing) == NULL) {
		EXTMEM_FAIL(EINVAL, "region %s: unknown backing %d", p->name,
			p->backing);
		return -1;
	}
	if (p->flags & ~REGION_KNOWN_FLAGS) {
		EXTMEM_FAIL(EINVAL, "region %s: unknown flags 0x%" PRIx64,
			p->name, p->flags & ~REGION_KNOWN_FLAGS);
		return -1;
	}
	return 0;
}

/* The caller's memory: given, not wrapping, mapped; *kpgsz the smallest
 * kernel page size of its mappings.
 */
static int
params_check_caller_range(const struct rte_extmem_region_params *p,
	const struct extmem_backing_ops *ops, size_t *kpgsz)
{
	if (p->addr == NULL) {
		EXTMEM_FAIL(EINVAL, "region %s: %s backing needs an address",
			p->name, ops->name);
		return -1;
	}
	if (p->len == 0 || (uintptr_t)p->addr + p->len < (uintptr_t)p->addr) {
		EXTMEM_FAIL(EINVAL, "region %s: length %zu is zero or the "
			"range wraps around", p->name, p->len);
		return -1;
	}
	return extmem_backing_caller_range((uintptr_t)p->addr, p->len, kpgsz);
}

/* The page size: asked for, detected or the backing's default; allowed
 * by the backing's rule.
 */
static int
params_page_size(const struct rte_extmem_region_params *p,
	const struct extmem_backing_ops *ops, size_t kpgsz, size_t *pgszp)
{
	size_t sys = extmem_sys_page_size();
	size_t pgsz = p->page_sz;

	/* the caller's memory: detect the page size of the mapping */
	if (pgsz == 0 && ops->page_sz_detect && kpgsz != 0 &&
			(uintptr_t)p->addr % kpgsz == 0 && p->len % kpgsz == 0)
		pgsz = kpgsz;
	if (pgsz == 0)
		pgsz = extmem_backing_default_page_sz(p->backing);
	if (!is_pow2(pgsz) || pgsz < sys) {
		EXTMEM_FAIL(EINVAL, "region %s: page size %zu is not a power "
			"of two >= %zu", p->name, pgsz, sys);
		return -1;
	}
	if (ops->page_sz_rule == EXTMEM_BACKING_PGSZ_BASE && pgsz != sys) {
		EXTMEM_FAIL(EINVAL, "region %s: %s backing uses %zu-byte "
			"pages, not %zu", p->name, ops->name, sys, pgsz);
		return -1;
	}
	if (ops->page_sz_rule == EXTMEM_BACKING_PGSZ_HUGE && pgsz == sys) {
		EXTMEM_FAIL(EINVAL, "region %s: %s backing needs a "
			"hugepage size, not %zu", p->name, ops->name, pgsz);
		return -1;
	}
	*pgszp = pgsz;
	return 0;
}

/* The length: whole pages, the backing's alignment, not too many pages. */
static int
params_check_len(const struct rte_extmem_region_params *p,
	const struct extmem_backing_ops *ops, size_t pgsz)
{
	if (p->len == 0 || p->len % pgsz != 0) {
		EXTMEM_FAIL(EINVAL, "region %s: length %zu is not a non-zero "
			"multiple of the page size %zu", p->name, p->len, pgsz);
		return -1;
	}
	if (ops->len_align != 0 && p->len % ops->len_align != 0) {
		EXTMEM_FAIL(EINVAL, "region %s: %s backing needs a length "
			"multiple of %zuM, not %zu", p->name, ops->name,
			ops->len_align >> 20, p->len);
		return -1;
	}
	if (p->len / pgsz > INT32_MAX) {
		EXTMEM_FAIL(EINVAL, "region %s: %zu pages is too many",
			p->name, p->len / pgsz);
		return -1;
	}
	return 0;
}

/* Where the memory is: the caller's aligned and without a NUMA choice,
 * the library's without an address or IOVAs.
 */
static int
params_check_placement(const struct rte_extmem_region_params *p,
	const struct extmem_backing_ops *ops, size_t pgsz, size_t kpgsz)
{
	if (!ops->caller_mem) {
		if (p->addr != NULL || p->iovas != NULL || p->n_iovas != 0) {
			EXTMEM_FAIL(EINVAL, "region %s: address and IOVAs are "
				"only given for user and device backings",
				p->name);
			return -1;
		}
		if (p->numa_node != SOCKET_ID_ANY && p->numa_node < 0) {
			EXTMEM_FAIL(EINVAL, "region %s: bad NUMA node %d",
				p->name, p->numa_node);
			return -1;
		}
		return 0;
	}
	if ((uintptr_t)p->addr % pgsz != 0) {
		EXTMEM_FAIL(EINVAL, "region %s: address %p is not aligned to "
			"the page size %zu", p->name, p->addr, pgsz);
		return -1;
	}
	if (ops->page_sz_detect && pgsz > kpgsz && p->iovas == NULL &&
			!(p->flags & RTE_EXTMEM_REGION_F_NO_IOVA)) {
		EXTMEM_FAIL(EINVAL, "region %s: page size %zu is larger than "
			"the %zu-byte pages of the memory, so their IOVAs cannot "
			"be resolved per page", p->name, pgsz, kpgsz);
		return -1;
	}
	if (p->numa_node != SOCKET_ID_ANY) {
		EXTMEM_FAIL(EINVAL, "region %s: a NUMA node cannot be chosen "
			"for the caller's memory", p->name);
		return -1;
	}
	return 0;
}

/* The IOVA table: one page-aligned IOVA per page, or none where needed. */
static int
params_check_iovas(const struct rte_extmem_region_params *p, size_t pgsz)
{
	size_t n = p->len / pgsz, i;

	if (p->iovas == NULL && p->n_iovas != 0) {
		EXTMEM_FAIL(EINVAL, "region %s: n_iovas %u without an IOVA "
			"table", p->name, p->n_iovas);
		return -1;
	}
	if (p->iovas == NULL) {
		if (p->backing == RTE_EXTMEM_BACKING_DEVICE &&
				rte_eal_iova_mode() != RTE_IOVA_VA &&
				!(p->flags & RTE_EXTMEM_REGION_F_NO_IOVA)) {
			EXTMEM_FAIL(EINVAL, "region %s: device memory needs "
				"its IOVAs unless EAL runs in IOVA-as-VA mode",
				p->name);
			return -1;
		}
		return 0;
	}
	if (p->n_iovas != n) {
		EXTMEM_FAIL(EINVAL, "region %s: %u IOVAs given for %zu pages",
			p->name, p->n_iovas, n);
		return -1;
	}
	if (p->flags & RTE_EXTMEM_REGION_F_NO_IOVA) {
		EXTMEM_FAIL(EINVAL, "region %s: IOVAs given with "
			"RTE_EXTMEM_REGION_F_NO_IOVA", p->name);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (p->iovas[i] == RTE_BAD_IOVA)
			continue;
		if (p->iovas[i] % pgsz != 0) {
			EXTMEM_FAIL(EINVAL, "region %s: IOVA 0x%" PRIx64 " of "
				"page %zu is not page aligned", p->name,
				p->iovas[i], i);
			return -1;
		}
		/* the page must end below 2^64: its last byte at 2^64 - 1
		 * would translate to RTE_BAD_IOVA
		 */
		if (p->iovas[i] + pgsz <= p->iovas[i]) {
			EXTMEM_FAIL(EINVAL, "region %s: IOVA 0x%" PRIx64 " of "
				"page %zu: the %zu-byte page wraps past the top "
				"of the IOVA space (2^64)", p->name, p->iovas[i],
				i, pgsz);
			return -1;
		}
	}
	return 0;
}

/* Sharing: a file descriptor for the caller's memory only, of that memory;
 * no private request against something shareable by definition.
 */
static int
params_check_share(const struct rte_extmem_region_params *p,
	const struct extmem_backing_ops *ops)
{
	bool priv = p->flags & RTE_EXTMEM_REGION_F_PRIVATE;

	if (p->fd < -1) {
		EXTMEM_FAIL(EINVAL, "region %s: fd %d is neither a descriptor "
			"nor -1", p->name, p->fd);
		return -1;
	}
	if (p->fd < 0 && p->fd_offset != 0) {
		EXTMEM_FAIL(EINVAL, "region %s: fd_offset without an fd",
			p->name);
		return -1;
	}
	if (p->fd >= 0 && !ops->caller_mem) {
		EXTMEM_FAIL(EINVAL, "region %s: an fd is only given for user "
			"and device backings (the %s backing makes its own)",
			p->name, ops->name);
		return -1;
	}
	if (priv && p->fd >= 0) {
		EXTMEM_FAIL(EINVAL, "region %s: RTE_EXTMEM_REGION_F_PRIVATE "
			"with an fd to share", p->name);
		return -1;
	}
	if (priv && p->backing == RTE_EXTMEM_BACKING_SHARED) {
		EXTMEM_FAIL(EINVAL, "region %s: RTE_EXTMEM_REGION_F_PRIVATE "
			"with the shared backing (use anon or hugetlb)", p->name);
		return -1;
	}
	if (p->fd >= 0)
		return extmem_backing_caller_fd_check(p->name,
			(uintptr_t)p->addr, p->len, p->fd, p->fd_offset);
	return 0;
}

/* Check every parameter, one concern after the other; on success *pgszp
 * is the page size to use.
 */
static int
params_check(const struct rte_extmem_region_params *p, size_t *pgszp)
{
	const struct extmem_backing_ops *ops;
	size_t kpgsz = 0;

	if (params_check_basic(p) != 0)
		return -1;
	ops = extmem_backing_ops(p->backing);
	if (ops->caller_mem && params_check_caller_range(p, ops, &kpgsz) != 0)
		return -1;
	if (params_page_size(p, ops, kpgsz, pgszp) != 0 ||
			params_check_len(p, ops, *pgszp) != 0 ||
			params_check_placement(p, ops, *pgszp, kpgsz) != 0 ||
			params_check_iovas(p, *pgszp) != 0 ||
			params_check_share(p, ops) != 0)
		return -1;
	return 0;
}

static uint32_t
region_free_id(void)
{
	const struct rte_extmem_region *r;
	uint32_t id = 0;
	bool used;

	do {
		used = false;
		TAILQ_FOREACH(r, &region_list, next)
			if (r->id == id) {
				used = true;
				id++;
				break;
			}
	} while (used);
	return id;
}

struct rte_extmem_region *
extmem_region_begin(const struct rte_extmem_region_params *p)
{
	struct rte_extmem_region *r;
	bool callout;
	size_t pgsz;
	int err;

	if (params_check(p, &pgsz) != 0)
		return NULL;
	if (region_find(p->name) != NULL) {
		EXTMEM_FAIL(EEXIST, "a region named %s exists", p->name);
		return NULL;
	}
	/* regions and heaps share one namespace: EAL knows every heap */
	if (rte_malloc_heap_get_socket(p->name) >= 0) {
		EXTMEM_FAIL(EEXIST, "a heap named %s exists", p->name);
		return NULL;
	}
	if (p->addr != NULL && extmem_range_in_use((uintptr_t)p->addr, p->len)) {
		EXTMEM_FAIL(EADDRINUSE, "region %s: [%p, +%zu) overlaps a "
			"region or EAL memory", p->name, p->addr, p->len);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for region %s", p->name);
		return NULL;
	}
	snprintf(r->name, sizeof(r->name), "%s", p->name);
	r->backing = p->backing;
	r->len = p->len;
	r->page_sz = pgsz;
	r->n_pages = p->len / pgsz;
	r->numa_node = p->numa_node;
	r->flags = p->flags;
	r->socket_id = SOCKET_ID_ANY;
	r->fd = -1;
	/* the library's memory; the caller's backings read their own */
	r->share_prot = PROT_READ | PROT_WRITE;
	/* the slow part (mmap, faulting) touches nothing queries read:
	 * they do not wait for it
	 */
	callout = extmem_op_callout_begin();
	if (extmem_backing_alloc(r, p) != 0)
		goto fail;
	EXTMEM_LOG(DEBUG, "region %s: %s backing at %p +%zu, %u pages of %zu "
		"bytes", r->name, extmem_backing_ops(r->backing)->name, (void *)r->va,
		r->len, r->n_pages, r->page_sz);
	extmem_op_callout_end(callout);
	r->id = region_free_id();
	return r;
fail:
	err = rte_errno;
	extmem_op_callout_end(callout);
	free(r);
	rte_errno = err;
	return NULL;
}

int
extmem_region_resolve(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p,
	struct extmem_pin_beside *beside)
{
	/* pinning and reading IOVAs touch nothing queries read */
	bool callout = extmem_op_callout_begin();
	int ret = extmem_iova_resolve(r, p, beside);

	extmem_op_callout_end(callout);
	if (ret != 0)
		return -1;
	EXTMEM_LOG(DEBUG, "region %s: IOVAs resolved (IOVA as %s%s): %u runs, "
		"%u pages unknown", r->name,
		rte_eal_iova_mode() == RTE_IOVA_PA ? "PA" : "VA",
		r->pinned ? ", pinned" : "", r->n_iova_runs, r->n_bad_iova);
	return 0;
}

struct rte_extmem_region *
extmem_region_new(const struct rte_extmem_region_params *p)
{
	struct rte_extmem_region *r = extmem_region_begin(p);
	int err;

	if (r == NULL || extmem_region_resolve(r, p, NULL) == 0)
		return r;
	err = rte_errno;
	extmem_region_delete(r);
	rte_errno = err;
	return NULL;
}

void
extmem_region_delete(struct rte_extmem_region *r)
{
	EXTMEM_LOG(DEBUG, "region %s: IOVAs released%s, backing freed",
		r->name, r->pinned ? " (unpinned)" : "");
	extmem_iova_release(r);
	extmem_backing_free(r);
	r->magic = 0;
	free(r);
}

void
extmem_region_get(struct rte_extmem_region *r)
{
	__atomic_fetch_add(&r->users, 1, __ATOMIC_ACQ_REL);
}

void
extmem_region_put(struct rte_extmem_region *r)
{
	__atomic_fetch_sub(&r->users, 1, __ATOMIC_ACQ_REL);
}

int
extmem_region_use_check(const struct rte_extmem_region *r)
{
	if (r->mp_unmapped) {
		EXTMEM_FAIL(EACCES, "region %s is the primary's memory that "
			"cannot be shared: it is not mapped in this process",
			r->name);
		return -1;
	}
	if (r->mp_removing) {
		EXTMEM_FAIL(EBUSY, "region %s is being removed by the primary",
			r->name);
		return -1;
	}
	return 0;
}

/* The application takes (get) or drops a reference on a live region. */
static int
region_app_user(struct rte_extmem_region *region, bool get)
{
	int ret = -1;

	if (!EXTMEM_OP_BEGIN())
		return -1;
	if (!EXTMEM_REGION_LIVE(region))
		goto out;
	if (get && extmem_region_use_check(region) != 0)
		goto out;
	if (get && (region->app_users == UINT32_MAX ||
			__atomic_load_n(&region->users, __ATOMIC_ACQUIRE) ==
				UINT32_MAX)) {
		EXTMEM_FAIL(EOVERFLOW, "region %s has too many users",
			region->name);
		goto out;
	}
	if (!get && region->app_users == 0) {
		EXTMEM_FAIL(EINVAL, "region %s holds no reference taken by "
			"rte_extmem_region_user_get()", region->name);
		goto out;
	}
	if (get) {
		region->app_users++;
		extmem_region_get(region);
	} else {
		region->app_users--;
		extmem_region_put(region);
	}
	ret = 0;
out:
	extmem_op_end();
	return ret;
}

int
rte_extmem_region_user_get(struct rte_extmem_region *region)
{
	if (!EXTMEM_EAL_READY())
		return -1;
	return region_app_user(region, true);
}

int
rte_extmem_region_user_put(struct rte_extmem_region *region)
{
	if (!EXTMEM_EAL_READY())
		return -1;
	return region_app_user(region, false);
}

struct rte_extmem_region *
rte_extmem_region_lookup(const char *name)
{
	struct rte_extmem_region *r;

	if (!EXTMEM_EAL_READY())
		return NULL;
	if (extmem_name_check("region", name, RTE_EXTMEM_NAMESIZE) != 0)
		return NULL;
	extmem_query_begin();
	r = region_find(name);
	extmem_query_end();
	if (r == NULL)
		rte_errno = ENOENT;
	return r;
}

void
extmem_region_fill_info(const struct rte_extmem_region *r,
	struct rte_extmem_region_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", r->name);
	info->backing = r->backing;
	info->addr = (void *)r->va;
	info->len = r->len;
	info->page_sz = r->page_sz;
	info->n_pages = r->n_pages;
	info->numa_node = r->numa_node;
	info->n_bad_iova = r->n_bad_iova;
	info->n_iova_runs = r->n_iova_runs;
	info->users = __atomic_load_n(&r->users, __ATOMIC_ACQUIRE);
	info->fd = r->fd;
	info->socket_id = r->socket_id;
	snprintf(info->heap, sizeof(info->heap), "%s", r->heap);
	info->flags = r->flags;
	info->id = r->id;
	info->fd_offset = r->fd_offset;
	info->shared = r->fd >= 0;
	info->attached = r->mp_remote;
}

int
rte_extmem_region_info_get(const struct rte_extmem_region *region,
	struct rte_extmem_region_info *info)
{
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (info == NULL) {
		EXTMEM_FAIL(EINVAL, "info is NULL");
		return -1;
	}
	extmem_query_begin();
	if (EXTMEM_REGION_LIVE(region)) {
		extmem_region_fill_info(region, info);
		ret = 0;
	}
	extmem_query_end();
	return ret;
}

int
rte_extmem_region_iovas_get(const struct rte_extmem_region *region,
	rte_iova_t *iovas, unsigned int n)
{
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (iovas == NULL && n != 0) {
		EXTMEM_FAIL(EINVAL, "iovas is NULL with n = %u", n);
		return -1;
	}
	extmem_query_begin();
	if (!EXTMEM_REGION_LIVE(region)) {
		/* EINVAL */
	} else if (region->iovas == NULL) {
		EXTMEM_FAIL(EACCES, "region %s is not mapped in this process: "
			"its IOVAs are not known here", region->name);
	} else {
		if (n > 0)
			memcpy(iovas, region->iovas, sizeof(*iovas) *
				RTE_MIN(n, region->n_pages));
		ret = (int)region->n_pages;
	}
	extmem_query_end();
	return ret;
}

/* One region as a walk reports it (copied under the state lock). */
struct region_walk_item {
	const struct rte_extmem_region *r;
	struct rte_extmem_region_info info;
};

struct region_walk {
	rte_extmem_region_walk_t fn;
	void *arg;
};

static unsigned int
region_walk_copy(void *items)
{
	struct region_walk_item *it = items;
	const struct rte_extmem_region *r;
	unsigned int n = 0;

	TAILQ_FOREACH(r, &region_list, next) {
		if (it != NULL) {
			it[n].r = r;
			extmem_region_fill_info(r, &it[n].info);
		}
		n++;
	}
	return n;
}

static int
region_walk_call(const void *item, void *arg)
{
	const struct region_walk_item *it = item;
	const struct region_walk *w = arg;

	return w->fn(it->r, &it->info, w->arg);
}

int
rte_extmem_region_walk(rte_extmem_region_walk_t fn, void *arg)
{
	struct region_walk w = { fn, arg };
	const struct extmem_snapshot s = {
		.what = "regions",
		.item_size = sizeof(struct region_walk_item),
		.lock = extmem_query_begin,
		.copy = region_walk_copy,
		.call = fn != NULL ? region_walk_call : NULL,
	};

	if (!EXTMEM_EAL_READY())
		return -1;
	return extmem_snapshot_walk(&s, &w);
}
