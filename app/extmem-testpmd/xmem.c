/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * xmem, xmem4k, xmemhuge, xmemshared: the whole mbuf pool (header, ring,
 * mbufs) on a named external heap, created in one call by
 * rte_extmem_pktmbuf_pool_create(). The backing is the best the system
 * has (hugetlb, else transparent hugepages, else 4K) unless one is asked;
 * a backing that fails (e.g. hugepages taken meanwhile) gives way to the
 * next.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>

#include <rte_extmem_heap.h>
#include <rte_extmem_mbuf.h>

#include "etp.h"
#include "etp_mem.h"

#define XMEM_POOL_NAME "etp_xmem"

struct xmem_state {
	struct etp_backing backing;
};

static void
xmem_release(struct etp_mem *mem)
{
	struct xmem_state *x = mem->priv;

	if (mem->pool != NULL && rte_extmem_pktmbuf_pool_free(mem->pool) != 0)
		fprintf(stderr, "rte_extmem_pktmbuf_pool_free: %s\n",
			rte_strerror(rte_errno));
	mem->pool = NULL;
	if (x != NULL) {
		free(x->backing.name);
		free(x);
	}
	mem->priv = NULL;
}

int
etp_mem_xmem(struct etp_mem *mem, uint32_t n, bool shared)
{
	struct rte_extmem_region_params p;
	struct etp_backing c[4];
	struct xmem_state *x;
	unsigned int nc, i;
	size_t bytes;

	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -1;
	mem->priv = x;
	mem->release = xmem_release;
	bytes = rte_extmem_pktmbuf_pool_mem_size(n, etp_cfg.mb_cache, 0,
		etp_cfg.mbuf_data_size, RTE_PGSIZE_2M);
	nc = etp_backing_candidates(bytes, shared, c, RTE_DIM(c));
	for (i = 0; i < nc && mem->pool == NULL; i++) {
		rte_extmem_region_params_init(&p);
		p.backing = c[i].backing;
		p.page_sz = c[i].page_sz;
		mem->pool = rte_extmem_pktmbuf_pool_create(XMEM_POOL_NAME, n,
			etp_cfg.mb_cache, 0, etp_cfg.mbuf_data_size, &p);
		if (mem->pool == NULL) {
			fprintf(stderr, "mbuf pool on a %s heap: %s%s\n",
				c[i].name, rte_strerror(rte_errno),
				i + 1 < nc ? ", trying the next backing" : "");
			continue;
		}
		x->backing = c[i];
		c[i].name = NULL;
	}
	etp_backing_candidates_free(c, nc);
	if (mem->pool == NULL)
		return -1;
	mem->backing_name = x->backing.name;
	mem->page_sz = etp_backing_page_size(&x->backing);
	mem->socket_id = mem->pool->socket_id;
	return 0;
}
