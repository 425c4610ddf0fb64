/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* IOVA resolution of the pages of a region. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "extmem_private.h"

#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_PFN_MASK ((1ULL << 55) - 1)

unsigned int
extmem_iova_count_runs(const rte_iova_t *iovas, unsigned int n, size_t page_sz)
{
	unsigned int i, runs = 0;

	for (i = 0; i < n; i++) {
		if (i == 0 || iovas[i] == RTE_BAD_IOVA ||
				iovas[i - 1] == RTE_BAD_IOVA ||
				iovas[i] != iovas[i - 1] + page_sz)
			runs++;
	}
	return runs;
}

/*
 * Read the physical address of every page from /proc/self/pagemap, one
 * read for the whole range. Each page is checked: present and with a
 * non-zero frame number (zero means the PFN is hidden from us).
 */
static int
iova_from_pagemap(struct rte_extmem_region *r)
{
	size_t sys_pgsz = extmem_sys_page_size();
	size_t n_small = r->len / sys_pgsz;
	size_t step = r->page_sz / sys_pgsz;
	uint64_t *ent;
	unsigned int i;
	size_t done;
	ssize_t got;
	off_t off;
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
	off = (off_t)(r->va / sys_pgsz * sizeof(*ent));
	for (done = 0; done < n_small * sizeof(*ent); done += got) {
		got = pread(fd, (uint8_t *)ent + done,
			n_small * sizeof(*ent) - done, off + (off_t)done);
		if (got <= 0)
			break;
	}
	close(fd);
	if (done != n_small * sizeof(*ent)) {
		free(ent);
		EXTMEM_FAIL(EPERM, "short read of /proc/self/pagemap for "
			"region %s", r->name);
		return -1;
	}
	for (i = 0; i < r->n_pages; i++) {
		const uint64_t *pe = &ent[(size_t)i * step];
		uint64_t pfn = pe[0] & PAGEMAP_PFN_MASK;
		size_t k;

		r->iovas[i] = RTE_BAD_IOVA;
		if (!(pe[0] & PAGEMAP_PRESENT) || pfn == 0)
			continue;
		/* A page larger than the base page is one frame: aligned, and
		 * every base page in it present and at the next frame.
		 */
		if (step > 1 && (pfn & (step - 1)) != 0)
			continue;
		for (k = 1; k < step; k++)
			if (!(pe[k] & PAGEMAP_PRESENT) ||
					(pe[k] & PAGEMAP_PFN_MASK) != pfn + k)
				break;
		if (k == step)
			r->iovas[i] = pfn * sys_pgsz;
	}
	free(ent);
	return 0;
}

int
extmem_iova_resolve(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p)
{
	unsigned int i;

	r->iovas = malloc(sizeof(rte_iova_t) * r->n_pages);
	if (r->iovas == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for %u IOVAs", r->n_pages);
		return -1;
	}

	if (p->iovas != NULL) {
		memcpy(r->iovas, p->iovas, sizeof(rte_iova_t) * r->n_pages);
	} else if (r->flags & RTE_EXTMEM_REGION_F_NO_IOVA) {
		for (i = 0; i < r->n_pages; i++)
			r->iovas[i] = RTE_BAD_IOVA;
	} else if (rte_eal_iova_mode() == RTE_IOVA_VA) {
		for (i = 0; i < r->n_pages; i++)
			r->iovas[i] = r->va + (size_t)i * r->page_sz;
	} else if (r->backing == RTE_EXTMEM_BACKING_DEVICE) {
		/* Validation requires IOVAs for device memory outside VA mode. */
		for (i = 0; i < r->n_pages; i++)
			r->iovas[i] = RTE_BAD_IOVA;
	} else {
		/* PA mode: pin, then read the frames. */
		if (mlock((void *)r->va, r->len) != 0) {
			EXTMEM_FAIL(errno == EPERM ? EPERM : ENOMEM,
				"cannot pin region %s (%zu bytes) for physical "
				"addresses: %s", r->name, r->len,
				strerror(errno));
			goto fail;
		}
		r->pinned = true;
		if (iova_from_pagemap(r) != 0)
			goto fail;
	}

	r->n_bad_iova = 0;
	for (i = 0; i < r->n_pages; i++)
		if (r->iovas[i] == RTE_BAD_IOVA)
			r->n_bad_iova++;
	r->n_iova_runs = extmem_iova_count_runs(r->iovas, r->n_pages,
		r->page_sz);
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
		munlock((void *)r->va, r->len);
		r->pinned = false;
	}
	free(r->iovas);
	r->iovas = NULL;
}
