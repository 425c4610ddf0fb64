/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The snapshot walk of the public walks (regions, heaps, DMA domains):
 * their objects are copied under the state lock and the callback is called
 * with no lock held, so it may call the library, even destroy what it is
 * given. What a walk copies and reports is its own (extmem_walk_private.h).
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>

#include "extmem_private.h"
#include "extmem_walk_private.h"

int
extmem_snapshot_walk(const struct extmem_snapshot *s, void *arg)
{
	unsigned char *items;
	unsigned int n, i;
	int ret = 0;

	s->lock();
	n = s->copy(NULL);
	if (s->call == NULL) {
		extmem_query_end();
		return (int)n;
	}
	items = n > 0 ? calloc(n, s->item_size) : NULL;
	if (n > 0 && items == NULL) {
		extmem_query_end();
		EXTMEM_FAIL(ENOMEM, "no memory to walk %u %s", n, s->what);
		return -1;
	}
	if (n > 0)
		s->copy(items);
	extmem_query_end();
	for (i = 0; i < n && ret == 0; i++)
		ret = s->call(items + (size_t)i * s->item_size, arg);
	free(items);
	return ret;
}
