/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Shared DMA domains of net_mrnic (devarg domain=<name>): one MR table
 * for every port of the domain, the way every PCI device falling back to
 * VFIO's default container shares one IOMMU table. The ports tell the
 * DMA dispatcher of librte_extmem through its driver-facing header, so it
 * maps a range once per domain and stays within the domain's limit.
 *
 * A domain (with its table) is EAL memory, read by the datapath of every
 * process; the list of domains is the primary's, where ports are created.
 */

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "mrnic.h"

struct mrnic_domain {
	TAILQ_ENTRY(mrnic_domain) next;
	unsigned int refs;
	struct mrnic_mr_table tbl;
};

/* Under the control lock. */
static TAILQ_HEAD(, mrnic_domain) mrnic_domains =
	TAILQ_HEAD_INITIALIZER(mrnic_domains);

struct mrnic_mr_table *
mrnic_domain_get(const char *name, enum mrnic_mr_mode mode,
	uint32_t max_map, bool eal_heap)
{
	struct mrnic_domain *d, *fresh;

	/* EAL memory is never allocated under the control lock (memory
	 * event callbacks take it): a domain made in advance, dropped if
	 * one exists
	 */
	fresh = rte_zmalloc("mrnic_domain", sizeof(*fresh), 0);
	if (fresh == NULL || mrnic_mr_table_init(&fresh->tbl, name, mode,
			NULL) < 0) {
		rte_free(fresh);
		MRNIC_LOG(ERR, "domain %s: no memory", name);
		rte_errno = ENOMEM;
		return NULL;
	}
	mrnic_ctl_lock();
	TAILQ_FOREACH(d, &mrnic_domains, next)
		if (strcmp(d->tbl.name, name) == 0)
			break;
	if (d != NULL) {
		if (d->tbl.mode != mode || d->tbl.max_map != max_map ||
				d->tbl.eal_heap != eal_heap) {
			mrnic_ctl_unlock();
			mrnic_mr_table_fini(&fresh->tbl);
			rte_free(fresh);
			MRNIC_LOG(ERR, "domain %s exists with another mr mode, "
				"entry limit or heap rule", name);
			rte_errno = EEXIST;
			return NULL;
		}
		d->refs++;
		mrnic_ctl_unlock();
		mrnic_mr_table_fini(&fresh->tbl);
		rte_free(fresh);
		return &d->tbl;
	}
	/* readers of a shared table are the Tx queues of any port (owner
	 * NULL: a removal waits for all of them)
	 */
	d = fresh;
	d->tbl.shared = true;
	d->tbl.max_map = max_map;
	d->tbl.eal_heap = eal_heap;
	d->refs = 1;
	TAILQ_INSERT_TAIL(&mrnic_domains, d, next);
	mrnic_ctl_unlock();
	MRNIC_LOG(INFO, "domain %s: %u mapping entries%s", name, max_map,
		eal_heap ? ", heap memory DMA-able without dma_map" : "");
	return &d->tbl;
}

void
mrnic_domain_put(struct mrnic_mr_table *tbl)
{
	struct mrnic_domain *d = container_of(tbl, struct mrnic_domain, tbl);

	mrnic_ctl_lock();
	if (--d->refs > 0) {
		mrnic_ctl_unlock();
		return;
	}
	TAILQ_REMOVE(&mrnic_domains, d, next);
	mrnic_ctl_unlock();
	/* no port of the domain is left: nobody reads the table */
	mrnic_mr_table_fini(tbl);
	MRNIC_LOG(INFO, "domain %s: last port gone", tbl->name);
	rte_free(d);
}
