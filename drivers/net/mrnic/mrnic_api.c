/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Driver-specific API (rte_pmd_mrnic.h). */

#include <errno.h>

#include <rte_errno.h>

#include "mrnic.h"
#include "rte_pmd_mrnic.h"

int
rte_pmd_mrnic_mr_mode(uint16_t port_id)
{
	struct mrnic_port *port = mrnic_port_get(port_id);

	if (port == NULL)
		return -1;
	switch (port->mrt->mode) {
	case MRNIC_MR_EXTMEM:
		return RTE_PMD_MRNIC_MR_EXTMEM;
	case MRNIC_MR_OFF:
		return RTE_PMD_MRNIC_MR_OFF;
	default:
		return RTE_PMD_MRNIC_MR_CACHE;
	}
}

int
rte_pmd_mrnic_peer(uint16_t port_id, uint16_t *peer)
{
	struct mrnic_port *port = mrnic_port_get(port_id);

	if (port == NULL)
		return -1;
	if (peer == NULL) {
		MRNIC_LOG(ERR, "peer is NULL");
		rte_errno = EINVAL;
		return -1;
	}
	mrnic_ctl_lock();
	*peer = port->peer->data->port_id;
	mrnic_ctl_unlock();
	return 0;
}

int
rte_pmd_mrnic_translate(uint16_t port_id, const void *addr, size_t len,
	rte_iova_t *iova)
{
	struct mrnic_port *port = mrnic_port_get(port_id);
	struct mrnic_mr_ctrl c;
	uint32_t key;

	if (port == NULL)
		return -1;
	if (addr == NULL || len == 0 || iova == NULL ||
			(uintptr_t)addr + len < (uintptr_t)addr) {
		MRNIC_LOG(ERR, "bad arguments addr %p len %zu iova %p", addr,
			len, (void *)iova);
		rte_errno = EINVAL;
		return -1;
	}
	if (port->mrt->mode == MRNIC_MR_OFF) {
		*iova = (uintptr_t)addr;
		return 0;
	}
	mrnic_mr_ctrl_init(&c, port->mrt);
	if (mrnic_mr_xlate(&c, (uintptr_t)addr, len, iova, &key) < 0) {
		rte_errno = EFAULT;
		return -1;
	}
	mrnic_mr_grow_pending(port->mrt);
	return 0;
}

int
rte_pmd_mrnic_dma_mapped(uint16_t port_id, const void *addr, size_t len)
{
	struct mrnic_port *port = mrnic_port_get(port_id);

	if (port == NULL)
		return -1;
	if (addr == NULL || len == 0) {
		MRNIC_LOG(ERR, "bad arguments addr %p len %zu", addr, len);
		rte_errno = EINVAL;
		return -1;
	}
	return mrnic_mr_dma_mapped(port->mrt, (uintptr_t)addr, len) ? 1 : 0;
}

int
rte_pmd_mrnic_xlate_burst(uint16_t port_id, uint16_t queue_id,
	const void *const *addrs, const uint32_t *lens, rte_iova_t *iovas,
	unsigned int n)
{
	struct mrnic_port *port = mrnic_port_get(port_id);
	struct mrnic_txq *txq;
	unsigned int i, ok = 0;
	uint32_t key;
	bool off;

	if (port == NULL)
		return -1;
	if (queue_id >= MRNIC_MAX_QUEUES || port->txqs[queue_id] == NULL ||
			(n > 0 && (addrs == NULL || lens == NULL ||
				iovas == NULL))) {
		MRNIC_LOG(ERR, "bad arguments: queue %u, n %u", queue_id, n);
		rte_errno = EINVAL;
		return -1;
	}
	txq = port->txqs[queue_id];
	off = port->mrt->mode == MRNIC_MR_OFF;
	/* the reader sections of a burst, as the datapath has them */
	for (i = 0; i < n; i++) {
		if (i % MRNIC_BURST == 0) {
			if (i > 0)
				mrnic_txq_leave(txq);
			mrnic_txq_enter(txq);
			if (!off)
				mrnic_mr_ctrl_sync(&txq->src, port->mrt);
		}
		if (off) {
			iovas[i] = (uintptr_t)addrs[i];
			ok++;
			continue;
		}
		if (lens[i] == 0 || mrnic_mr_xlate(&txq->src,
				(uintptr_t)addrs[i], lens[i], &iovas[i],
				&key) < 0) {
			iovas[i] = RTE_BAD_IOVA;
			continue;
		}
		ok++;
	}
	if (n > 0)
		mrnic_txq_leave(txq);
	mrnic_mr_grow_pending(port->mrt);
	return (int)ok;
}
