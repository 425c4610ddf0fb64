/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Pinned external-buffer mbuf pools over regions.
 *
 * Upstream's rte_pktmbuf_pool_create_extbuf() takes descriptors that it
 * assumes IOVA-contiguous, and gives a descriptor shorter than one buffer a
 * buffer anyway. Here each region is cut into maximal IOVA-contiguous runs
 * of pages, runs shorter than a buffer are left out, a region with a page
 * without an IOVA is refused (EFAULT), and the pool is a user
 * of its regions until rte_mempool_free(), which is observed through
 * mempool's (internal) life-cycle event callback.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "extmem_compat.h"
#include "extmem_private.h"
#include "extmem_walk_private.h"
#include "rte_extmem_mbuf.h"

/* A pool made here and the regions it keeps busy. */
struct extmem_mbuf_pool {
	TAILQ_ENTRY(extmem_mbuf_pool) next;
	struct rte_mempool *mp;
	unsigned int n_regions;
	struct rte_extmem_region *regions[];
};

static TAILQ_HEAD(, extmem_mbuf_pool) pool_list =
	TAILQ_HEAD_INITIALIZER(pool_list);
static bool pool_cb_registered;

/* Under the state lock: every region live and listed once. */
static int
regions_check(struct rte_extmem_region *const regions[], unsigned int n)
{
	unsigned int i, j;

	if (regions == NULL || n == 0) {
		EXTMEM_FAIL(EINVAL, "no regions given");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!extmem_region_valid(regions[i])) {
			EXTMEM_FAIL(EINVAL, "regions[%u] = %p is not a live "
				"region", i, (void *)regions[i]);
			return -1;
		}
		if (extmem_region_use_check(regions[i]) != 0)
			return -1;
		for (j = 0; j < i; j++)
			if (regions[j] == regions[i]) {
				EXTMEM_FAIL(EINVAL, "region %s is listed twice",
					regions[i]->name);
				return -1;
			}
	}
	return 0;
}

/* Under the state lock, regions checked: fill up to n_ext, count all. */
static uint64_t
extmem_fill(struct rte_extmem_region *const regions[], unsigned int n_regions,
	uint16_t elt_size, struct rte_pktmbuf_extmem *ext, uint64_t n_ext,
	uint64_t *n_bufs)
{
	uint64_t count = 0, bufs = 0;
	unsigned int i, k;

	for (i = 0; i < n_regions; i++) {
		const struct rte_extmem_region *r = regions[i];

		for (k = 0; k < r->n_runs; k++) {
			size_t run = r->runs[k].len;

			if (run < elt_size)
				continue;
			if (count < n_ext) {
				ext[count].buf_ptr = (void *)(r->va +
					r->runs[k].va_off);
				ext[count].buf_iova = r->runs[k].iova;
				ext[count].buf_len = run;
				ext[count].elt_size = elt_size;
			}
			count++;
			bufs += run / elt_size;
		}
	}
	if (n_bufs != NULL)
		*n_bufs = bufs;
	return count;
}

int
rte_extmem_pktmbuf_extmem_get(struct rte_extmem_region *const regions[],
	unsigned int n_regions, uint16_t elt_size,
	struct rte_pktmbuf_extmem *ext, unsigned int n_ext, uint64_t *n_bufs)
{
	uint64_t count;
	int ret = -1;

	if (!EXTMEM_EAL_READY())
		return -1;
	if (elt_size == 0 || (ext == NULL && n_ext != 0)) {
		EXTMEM_FAIL(EINVAL, "elt_size %u, ext %p for %u descriptors",
			elt_size, (void *)ext, n_ext);
		return -1;
	}
	extmem_query_begin();
	if (regions_check(regions, n_regions) != 0)
		goto out;
	count = extmem_fill(regions, n_regions, elt_size, ext, n_ext, n_bufs);
	if (count > INT_MAX) {
		EXTMEM_FAIL(EINVAL, "%" PRIu64 " descriptors are too many",
			count);
		goto out;
	}
	ret = (int)count;
out:
	extmem_query_end();
	return ret;
}

static void
pool_destroy_cb(struct rte_mempool *mp)
{
	struct extmem_mbuf_pool *e;
	unsigned int i;

	if (extmem_op_begin() != 0) {
		EXTMEM_LOG(ERR, "pool %s freed from inside an operation of this "
			"library (an event callback): if it is a pool of "
			"rte_extmem_pktmbuf_pool_create_extbuf(), its regions "
			"keep its references", mp->name);
		return;
	}
	e = EXTMEM_TAILQ_FIND(&pool_list, it, it->mp == mp);
	if (e != NULL) {
		TAILQ_REMOVE(&pool_list, e, next);
		for (i = 0; i < e->n_regions; i++)
			extmem_region_put(e->regions[i]);
	}
	extmem_op_end();
	if (e != NULL) {
		EXTMEM_LOG(INFO, "pool %s freed, its %u regions released",
			mp->name, e->n_regions);
		free(e);
	}
}

int
extmem_extbuf_pool_free(struct rte_mempool *mp)
{
	unsigned int avail;
	bool found;

	extmem_query_begin();
	found = EXTMEM_TAILQ_FIND(&pool_list, it, it->mp == mp) != NULL;
	extmem_query_end();
	if (!found)
		return 1;
	avail = rte_mempool_avail_count(mp);
	if (avail < mp->size) {
		EXTMEM_FAIL(EBUSY, "pool %s: %u of %u mbufs are still in use",
			mp->name, mp->size - avail, mp->size);
		return -1;
	}
	/* the destroy event releases the regions */
	rte_mempool_free(mp);
	return 0;
}

static int
args_check(const char *name, uint16_t priv_size, uint16_t data_room_size)
{
	if (extmem_name_check("pool", name, RTE_MEMPOOL_NAMESIZE) != 0)
		return -1;
	if (data_room_size == 0) {
		EXTMEM_FAIL(EINVAL, "pool %s: data room size is 0", name);
		return -1;
	}
	if (RTE_ALIGN(priv_size, RTE_MBUF_PRIV_ALIGN) != priv_size) {
		EXTMEM_FAIL(EINVAL, "pool %s: private size %u is not a multiple "
			"of %u", name, priv_size, (unsigned int)RTE_MBUF_PRIV_ALIGN);
		return -1;
	}
	return 0;
}

/* Under the state lock: check, describe and take the regions. */
static struct rte_pktmbuf_extmem *
pool_describe(const char *name, unsigned int *np, uint16_t elt_size,
	struct extmem_mbuf_pool *e, struct rte_extmem_region *const regions[],
	unsigned int n_regions, unsigned int *n_ext)
{
	struct rte_pktmbuf_extmem *ext;
	uint64_t count, bufs;
	unsigned int i;

	if (!pool_cb_registered) {
		if (extmem_compat_mempool_watch_destroy(pool_destroy_cb) != 0) {
			EXTMEM_FAIL(ENOMEM, "cannot watch mempool destruction: "
				"%s", rte_strerror(rte_errno));
			return NULL;
		}
		pool_cb_registered = true;
	}
	if (regions_check(regions, n_regions) != 0)
		return NULL;
	/* every buffer goes to devices: a page without an IOVA would give
	 * mbufs with buf_iova RTE_BAD_IOVA
	 */
	for (i = 0; i < n_regions; i++)
		if (regions[i]->n_bad_iova != 0) {
			EXTMEM_FAIL(EFAULT, "pool %s: %u of the %u pages of "
				"region %s have no IOVA: an external-buffer pool "
				"needs the IOVA of every page", name,
				regions[i]->n_bad_iova, regions[i]->n_pages,
				regions[i]->name);
			return NULL;
		}
	count = extmem_fill(regions, n_regions, elt_size, NULL, 0, &bufs);
	if (*np == 0)
		*np = (unsigned int)RTE_MIN(bufs, (uint64_t)UINT_MAX);
	if (count == 0 || bufs < *np) {
		EXTMEM_FAIL(ENOMEM, "pool %s: the regions hold %" PRIu64
			" IOVA-contiguous buffers of %u bytes, %u asked",
			name, bufs, elt_size, *np);
		return NULL;
	}
	if (count > UINT_MAX) {
		EXTMEM_FAIL(EINVAL, "pool %s: %" PRIu64 " descriptors are too "
			"many", name, count);
		return NULL;
	}
	ext = calloc(count, sizeof(*ext));
	if (ext == NULL) {
		EXTMEM_FAIL(ENOMEM, "pool %s: no memory for %" PRIu64
			" descriptors", name, count);
		return NULL;
	}
	extmem_fill(regions, n_regions, elt_size, ext, count, NULL);
	for (i = 0; i < n_regions; i++) {
		e->regions[i] = regions[i];
		extmem_region_get(regions[i]);
	}
	e->n_regions = n_regions;
	*n_ext = (unsigned int)count;
	return ext;
}

struct rte_mempool *
rte_extmem_pktmbuf_pool_create_extbuf(const char *name, unsigned int n,
	unsigned int cache_size, uint16_t priv_size, uint16_t data_room_size,
	int socket_id, struct rte_extmem_region *const regions[],
	unsigned int n_regions)
{
	struct rte_pktmbuf_extmem *ext;
	struct extmem_mbuf_pool *e;
	struct rte_mempool *mp;
	unsigned int i, n_ext = 0;
	uint16_t elt_size;
	int err;

	if (!EXTMEM_EAL_READY())
		return NULL;
	if (args_check(name, priv_size, data_room_size) != 0)
		return NULL;
	if (regions == NULL || n_regions == 0) {
		EXTMEM_FAIL(EINVAL, "pool %s: no regions given", name);
		return NULL;
	}
	/* cache-line aligned buffers where the 16-bit element size allows */
	elt_size = RTE_ALIGN_CEIL((uint32_t)data_room_size,
		RTE_CACHE_LINE_SIZE) <= UINT16_MAX ?
		(uint16_t)RTE_ALIGN_CEIL((uint32_t)data_room_size,
		RTE_CACHE_LINE_SIZE) : data_room_size;
	e = calloc(1, sizeof(*e) + sizeof(e->regions[0]) * n_regions);
	if (e == NULL) {
		EXTMEM_FAIL(ENOMEM, "pool %s: no memory", name);
		return NULL;
	}
	if (!EXTMEM_OP_BEGIN()) {
		free(e);
		return NULL;
	}
	ext = pool_describe(name, &n, elt_size, e, regions, n_regions, &n_ext);
	extmem_op_end();
	if (ext == NULL) {
		free(e);
		return NULL;
	}

	/* unlocked: creating a pool may raise EAL memory events */
	mp = rte_pktmbuf_pool_create_extbuf(name, n, cache_size, priv_size,
		data_room_size, socket_id, ext, n_ext);
	err = rte_errno;
	free(ext);
	/* cannot be refused: this thread was in no operation above */
	RTE_VERIFY(extmem_op_begin() == 0);
	if (mp == NULL) {
		for (i = 0; i < e->n_regions; i++)
			extmem_region_put(e->regions[i]);
	} else {
		e->mp = mp;
		TAILQ_INSERT_TAIL(&pool_list, e, next);
	}
	extmem_op_end();
	if (mp == NULL) {
		free(e);
		EXTMEM_FAIL(err, "pool %s: rte_pktmbuf_pool_create_extbuf "
			"failed: %s", name, rte_strerror(err));
		return NULL;
	}
	EXTMEM_LOG(INFO, "pool %s: %u mbufs of %u bytes in %u IOVA-contiguous "
		"descriptors over %u regions", name, n, data_room_size, n_ext,
		n_regions);
	return mp;
}

int
extmem_extbuf_pool_walk(extmem_extbuf_pool_walk_t fn, void *arg)
{
	const struct extmem_mbuf_pool *e;
	int ret = 0;

	/* the library's own callbacks (telemetry): they only query */
	extmem_query_begin();
	TAILQ_FOREACH(e, &pool_list, next) {
		ret = fn(e->mp, e->n_regions, e->regions, arg);
		if (ret != 0)
			break;
	}
	extmem_query_end();
	return ret;
}
