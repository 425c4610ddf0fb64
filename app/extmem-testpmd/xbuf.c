/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * xbuf: mbuf headers in EAL memory, data buffers pinned in a region,
 * through rte_extmem_pktmbuf_pool_create_extbuf() (one external-buffer
 * descriptor per IOVA-contiguous run of the region).
 */

#include <unistd.h>

#include <rte_errno.h>
#include <rte_mbuf.h>

#include <rte_extmem_mbuf.h>

#include "etp.h"
#include "etp_mem.h"

int
etp_mem_xbuf(struct etp_mem *mem, uint32_t n, int socket)
{
	struct etp_region_mem *x;
	uint16_t elt = RTE_ALIGN_CEIL(etp_cfg.mbuf_data_size,
		RTE_CACHE_LINE_SIZE);
	size_t pg = (size_t)getpagesize(), len;

	x = etp_region_mem_new(mem);
	if (x == NULL)
		return -1;
	/* Worst case without IOVA as VA: every base page its own run. */
	if (rte_eal_iova_mode() == RTE_IOVA_VA || elt > pg)
		len = (size_t)n * elt;
	else
		len = (size_t)(n + pg / elt - 1) / (pg / elt) * pg;
	x->region = etp_region_create("etp_xbuf", len, false, 0, &x->backing);
	if (x->region == NULL)
		return -1;
	mem->pool = rte_extmem_pktmbuf_pool_create_extbuf("etp_xbuf_pool", n,
		etp_cfg.mb_cache, 0, etp_cfg.mbuf_data_size, socket,
		&x->region, 1);
	if (mem->pool == NULL) {
		fprintf(stderr, "rte_extmem_pktmbuf_pool_create_extbuf: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	mem->backing_name = x->backing.name;
	mem->page_sz = etp_backing_page_size(&x->backing);
	return 0;
}
