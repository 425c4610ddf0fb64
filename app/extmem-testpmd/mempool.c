/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The --mp-alloc modes. Every mode but native takes its memory from
 * librte_extmem, which registers it with EAL, resolves its IOVAs, enters it
 * into the translation table and announces it so devices map it for DMA.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include <rte_extmem.h>

#include "etp.h"
#include "etp_mem.h"

#define POOL_NAME "etp_mbuf_pool"

/* Name of a backing for reports: "hugetlb-2M", "thp", "anon"... */
static char *
backing_pref_name(const struct etp_backing *b)
{
	const char *name = rte_extmem_backing_name(b->backing);
	char buf[48];

	if (name == NULL)
		name = "?";
	if (b->page_sz > RTE_PGSIZE_4K)
		snprintf(buf, sizeof(buf), "%s%s-%zuM",
			b->backing == RTE_EXTMEM_BACKING_SHARED ?
			"shared-" : "", "hugetlb", b->page_sz >> 20);
	else
		snprintf(buf, sizeof(buf), "%s", name);
	return strdup(buf);
}

static unsigned long
sysfs_ulong(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static size_t
free_hugepages(size_t pgsz)
{
	char path[128];

	snprintf(path, sizeof(path),
		"/sys/kernel/mm/hugepages/hugepages-%zukB/free_hugepages",
		pgsz >> 10);
	return sysfs_ulong(path);
}

static bool
thp_available(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (f == NULL)
		return false;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "[never]") == NULL && buf[0] != '\0';
}

/*
 * The backings to try, best first, for the external memory of a mode:
 * hugetlb where free hugepages can hold the pool, then transparent
 * hugepages, then base pages. 4K only when asked.
 */
unsigned int
etp_backing_candidates(size_t bytes, bool shared, struct etp_backing *c,
	unsigned int max)
{
	enum etp_backing_pref pref = etp_cfg.backing;
	unsigned int n = 0, i;
	size_t need2m = RTE_ALIGN_CEIL(bytes, RTE_PGSIZE_2M) / RTE_PGSIZE_2M;
	size_t need1g = RTE_ALIGN_CEIL(bytes, RTE_PGSIZE_1G) / RTE_PGSIZE_1G;

	if (etp_cfg.mp_alloc == ETP_MP_XMEM4K || etp_cfg.mp_alloc == ETP_MP_ANON)
		pref = pref == ETP_BACKING_AUTO ? ETP_BACKING_4K : pref;

#define ADD(b, sz) do { if (n < max) { \
		c[n].backing = (b); c[n].page_sz = (sz); n++; } } while (0)
	switch (pref) {
	case ETP_BACKING_HUGE1G:
		ADD(shared ? RTE_EXTMEM_BACKING_SHARED :
			RTE_EXTMEM_BACKING_HUGETLB, RTE_PGSIZE_1G);
		break;
	case ETP_BACKING_HUGE2M:
		ADD(shared ? RTE_EXTMEM_BACKING_SHARED :
			RTE_EXTMEM_BACKING_HUGETLB, RTE_PGSIZE_2M);
		break;
	case ETP_BACKING_THP:
		ADD(RTE_EXTMEM_BACKING_ANON_THP, 0);
		break;
	case ETP_BACKING_4K:
		ADD(shared ? RTE_EXTMEM_BACKING_SHARED :
			RTE_EXTMEM_BACKING_ANON, 0);
		break;
	case ETP_BACKING_AUTO:
	default:
		if (free_hugepages(RTE_PGSIZE_2M) >= need2m)
			ADD(shared ? RTE_EXTMEM_BACKING_SHARED :
				RTE_EXTMEM_BACKING_HUGETLB, RTE_PGSIZE_2M);
		else if (free_hugepages(RTE_PGSIZE_1G) >= need1g)
			ADD(shared ? RTE_EXTMEM_BACKING_SHARED :
				RTE_EXTMEM_BACKING_HUGETLB, RTE_PGSIZE_1G);
		if (!shared && thp_available())
			ADD(RTE_EXTMEM_BACKING_ANON_THP, 0);
		if (etp_cfg.mp_alloc == ETP_MP_XMEMHUGE && n > 0)
			break;
		ADD(shared ? RTE_EXTMEM_BACKING_SHARED :
			RTE_EXTMEM_BACKING_ANON, 0);
		break;
	}
#undef ADD
	for (i = 0; i < n; i++)
		c[i].name = backing_pref_name(&c[i]);
	return n;
}

void
etp_backing_candidates_free(struct etp_backing *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		free(c[i].name);
		c[i].name = NULL;
	}
}

/* Round a length up to what a backing accepts. */
size_t
etp_backing_len(const struct etp_backing *b, size_t len)
{
	size_t gran = (size_t)sysconf(_SC_PAGESIZE);

	if (b->backing == RTE_EXTMEM_BACKING_ANON_THP)
		gran = RTE_PGSIZE_2M;
	else if (b->page_sz > gran)
		gran = b->page_sz;
	return RTE_ALIGN_CEIL(len, gran);
}

/* The page size a backing gives (THP: the huge page it asks for). */
size_t
etp_backing_page_size(const struct etp_backing *b)
{
	if (b->backing == RTE_EXTMEM_BACKING_ANON_THP)
		return RTE_PGSIZE_2M;
	return b->page_sz != 0 ? b->page_sz : (size_t)getpagesize();
}

/* Create a region of at least len bytes on the first backing that works. */
struct rte_extmem_region *
etp_region_create(const char *name, size_t len, bool shared,
	uint64_t flags, struct etp_backing *used)
{
	struct etp_backing c[4];
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r = NULL;
	unsigned int n, i;

	n = etp_backing_candidates(len, shared, c, RTE_DIM(c));
	for (i = 0; i < n && r == NULL; i++) {
		rte_extmem_region_params_init(&p);
		p.name = name;
		p.backing = c[i].backing;
		p.page_sz = c[i].page_sz;
		p.len = etp_backing_len(&c[i], len);
		p.flags = flags;
		r = rte_extmem_region_create(&p);
		if (r == NULL) {
			fprintf(stderr, "region %s on %s (%zu bytes): %s%s\n",
				name, c[i].name, p.len, rte_strerror(rte_errno),
				i + 1 < n ? ", trying the next backing" : "");
			continue;
		}
		*used = c[i];
		used->name = c[i].name;
		c[i].name = NULL;
	}
	etp_backing_candidates_free(c, n);
	return r;
}

/* ---- native ---------------------------------------------------------- */

/* The largest page size under the pool's memory chunks (EAL's memseg
 * lists say it: hugepages, or the system page with --no-huge).
 */
static void
pool_chunk_page_sz(struct rte_mempool *mp __rte_unused, void *opaque,
	struct rte_mempool_memhdr *memhdr, unsigned int idx __rte_unused)
{
	const struct rte_memseg_list *msl =
		rte_mem_virt2memseg_list(memhdr->addr);
	size_t *pg = opaque;

	if (msl != NULL && msl->page_sz > *pg)
		*pg = msl->page_sz;
}

static int
mem_native(struct etp_mem *mem, uint32_t n, int socket)
{
	mem->pool = rte_pktmbuf_pool_create(POOL_NAME, n, etp_cfg.mb_cache, 0,
		etp_cfg.mbuf_data_size, socket);
	if (mem->pool == NULL) {
		fprintf(stderr, "rte_pktmbuf_pool_create(%u mbufs): %s\n", n,
			rte_strerror(rte_errno));
		return -1;
	}
	mem->backing_name = rte_eal_has_hugepages() ? "eal-hugepages" :
		"eal-no-huge";
	mem->page_sz = 0;
	rte_mempool_mem_iter(mem->pool, pool_chunk_page_sz, &mem->page_sz);
	if (mem->page_sz == 0 && !rte_eal_has_hugepages())
		mem->page_sz = (size_t)getpagesize();
	return 0;
}

/* ---- anon: pool header in EAL memory, mbufs in a region ------------- */

static void
region_mem_release(struct etp_mem *mem)
{
	struct etp_region_mem *rm = mem->priv;

	rte_mempool_free(mem->pool);
	mem->pool = NULL;
	if (rm == NULL)
		return;
	if (rm->region != NULL && rte_extmem_region_destroy(rm->region) != 0)
		fprintf(stderr, "cannot destroy region: %s\n",
			rte_strerror(rte_errno));
	free(rm->backing.name);
	free(rm);
	mem->priv = NULL;
}

struct etp_region_mem *
etp_region_mem_new(struct etp_mem *mem)
{
	struct etp_region_mem *rm = calloc(1, sizeof(*rm));

	if (rm == NULL)
		return NULL;
	mem->priv = rm;
	mem->release = region_mem_release;
	return rm;
}

/*
 * Pool header in EAL memory, every mbuf in one region: the mempool is
 * populated with the region's memory page by page, split where IOVAs are
 * not contiguous.
 */
static int
mem_region_pool(struct etp_mem *mem, uint32_t n, int socket)
{
	struct rte_pktmbuf_pool_private priv;
	struct rte_extmem_region_info info;
	struct etp_region_mem *rp;
	struct rte_mempool *mp;
	size_t elt, pg, per_page, sz;
	int ret;

	rp = etp_region_mem_new(mem);
	if (rp == NULL)
		return -1;
	/*
	 * Objects may cross page boundaries: the pool is populated by
	 * IOVA-contiguous chunks, so no object spans an IOVA discontinuity.
	 */
	mp = rte_mempool_create_empty(POOL_NAME, n,
		sizeof(struct rte_mbuf) + etp_cfg.mbuf_data_size,
		etp_cfg.mb_cache, sizeof(struct rte_pktmbuf_pool_private),
		socket, RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL) {
		fprintf(stderr, "rte_mempool_create_empty: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	mem->pool = mp;
	ret = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(),
		NULL);
	if (ret != 0) {
		fprintf(stderr, "mempool ops: %s\n", strerror(-ret));
		return -1;
	}
	memset(&priv, 0, sizeof(priv));
	priv.mbuf_data_room_size = etp_cfg.mbuf_data_size;
	rte_pktmbuf_pool_init(mp, &priv);

	/*
	 * With IOVA as VA every region is IOVA-contiguous and the objects are
	 * packed; otherwise size for the smallest page a backing may give,
	 * each page possibly its own chunk.
	 */
	elt = mp->header_size + mp->elt_size + mp->trailer_size;
	pg = (size_t)getpagesize();
	if (rte_eal_iova_mode() == RTE_IOVA_VA || elt > pg) {
		sz = (size_t)n * elt + RTE_MEMPOOL_ALIGN;
	} else {
		per_page = pg / elt;
		sz = ((size_t)n + per_page - 1) / per_page * pg;
	}
	rp->region = etp_region_create("etp_pool", sz, false, 0, &rp->backing);
	if (rp->region == NULL)
		return -1;
	rte_extmem_region_info_get(rp->region, &info);
	ret = rte_mempool_populate_virt(mp, info.addr, info.len,
		info.page_sz, NULL, NULL);
	if (ret < 0 || mp->populated_size != n) {
		fprintf(stderr, "populating the pool from region %s: %s "
			"(%u of %u mbufs)\n", info.name,
			ret < 0 ? strerror(-ret) : "too small",
			mp->populated_size, n);
		return -1;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	mem->backing_name = rp->backing.name;
	mem->page_sz = etp_backing_page_size(&rp->backing);
	mem->socket_id = socket;
	return 0;
}

static int
mem_anon(struct etp_mem *mem, uint32_t n, int socket)
{
	return mem_region_pool(mem, n, socket);
}

int
etp_mem_create(struct etp_mem *mem, uint32_t n, int socket)
{
	int ret;

	memset(mem, 0, sizeof(*mem));
	mem->mode_name = etp_mp_alloc_name(etp_cfg.mp_alloc);
	mem->socket_id = socket;
	switch (etp_cfg.mp_alloc) {
	case ETP_MP_NATIVE:
		ret = mem_native(mem, n, socket);
		break;
	case ETP_MP_ANON:
		ret = mem_anon(mem, n, socket);
		break;
	case ETP_MP_XMEM:
	case ETP_MP_XMEM4K:
	case ETP_MP_XMEMHUGE:
		ret = etp_mem_xmem(mem, n, false);
		break;
	case ETP_MP_XMEMSHARED:
		ret = etp_mem_xmem(mem, n, true);
		break;
	case ETP_MP_XBUF:
		ret = etp_mem_xbuf(mem, n, socket);
		break;
	case ETP_MP_DEVBUF:
		ret = etp_mem_devbuf(mem, n, socket);
		break;
	default:
		ret = -1;
		break;
	}
	if (ret != 0) {
		etp_mem_release(mem);
		return -1;
	}
	return 0;
}

void
etp_mem_release(struct etp_mem *mem)
{
	if (mem->release != NULL) {
		mem->release(mem);
		mem->release = NULL;
	} else if (mem->pool != NULL) {
		rte_mempool_free(mem->pool);
	}
	mem->pool = NULL;
}

