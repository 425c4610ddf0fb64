/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef ETP_MEM_H
#define ETP_MEM_H

/* Internals shared by the --mp-alloc mode implementations. */

#include <stdbool.h>
#include <stddef.h>

#include <rte_extmem.h>

#include "etp.h"

/** A backing to try for external memory. */
struct etp_backing {
	enum rte_extmem_backing backing;
	size_t page_sz;     /**< 0: the backing's natural size */
	char *name;         /**< for reports, e.g. "hugetlb-2M", "thp" */
};

unsigned int etp_backing_candidates(size_t bytes, bool shared,
	struct etp_backing *c, unsigned int max);
void etp_backing_candidates_free(struct etp_backing *c, unsigned int n);
size_t etp_backing_len(const struct etp_backing *b, size_t len);
size_t etp_backing_page_size(const struct etp_backing *b);
struct rte_extmem_region *etp_region_create(const char *name, size_t len,
	bool shared, uint64_t flags, struct etp_backing *used);

/** The region of a pool's mbufs and its backing (anon, xbuf). */
struct etp_region_mem {
	struct rte_extmem_region *region;
	struct etp_backing backing;
};
/**
 * A zeroed etp_region_mem as mem->priv, with a mem->release that frees
 * the pool, then destroys the region; NULL if out of memory.
 */
struct etp_region_mem *etp_region_mem_new(struct etp_mem *mem);

int etp_mem_xmem(struct etp_mem *mem, uint32_t n, bool shared);
int etp_mem_xbuf(struct etp_mem *mem, uint32_t n, int socket);

/* devbuf: txonly payloads sliced from a device-memory region. */
void etp_devbuf_report(void);
int etp_mem_devbuf(struct etp_mem *mem, uint32_t n, int socket);
uint16_t etp_devbuf_make_pkts(struct etp_stream *s, struct rte_mbuf **pkts,
	uint16_t n, uint16_t len);

/* fwd.c */
/** Length of the Ethernet + IPv4 + UDP headers of txonly packets. */
#define ETP_HDR_LEN 42
void etp_write_hdrs(struct rte_mbuf *m, const struct etp_stream *s,
	uint16_t len);

#endif /* ETP_MEM_H */
