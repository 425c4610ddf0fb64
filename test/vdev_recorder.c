/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_spinlock.h>

#include "vdev_recorder.h"

static struct vdev_rec_call rec_calls[VDEV_REC_MAX_CALLS];
static unsigned int rec_ncalls;
static unsigned int rec_seen;
static unsigned int rec_fail_at;
static int rec_fail_err;
static char rec_fail_dev[64];
static unsigned int rec_probes;
static rte_spinlock_t rec_lock = RTE_SPINLOCK_INITIALIZER;

unsigned int
vdev_rec_ncalls(void)
{
	return rec_ncalls;
}

const struct vdev_rec_call *
vdev_rec_call(unsigned int i)
{
	return i < rec_ncalls ? &rec_calls[i] : NULL;
}

void
vdev_rec_reset(void)
{
	rte_spinlock_lock(&rec_lock);
	rec_ncalls = 0;
	rec_seen = 0;
	rec_fail_at = 0;
	rte_spinlock_unlock(&rec_lock);
}

void
vdev_rec_fail_nth(const char *dev, unsigned int nth, int err)
{
	rte_spinlock_lock(&rec_lock);
	rec_seen = 0;
	rec_fail_at = nth;
	rec_fail_err = err;
	rec_fail_dev[0] = '\0';
	if (dev != NULL)
		snprintf(rec_fail_dev, sizeof(rec_fail_dev), "%s", dev);
	rte_spinlock_unlock(&rec_lock);
}

unsigned int
vdev_rec_probes(void)
{
	return rec_probes;
}

static int
rec_record(struct rte_vdev_device *vdev, int map, void *addr, uint64_t iova,
	size_t len)
{
	const char *name = rte_vdev_device_name(vdev);
	int ret = 0;

	rte_spinlock_lock(&rec_lock);
	if (rec_fail_at != 0 && (rec_fail_dev[0] == '\0' ||
			strcmp(rec_fail_dev, name) == 0)) {
		if (++rec_seen == rec_fail_at) {
			rec_fail_at = 0;
			ret = -rec_fail_err;
		}
	}
	if (ret == 0 && rec_ncalls < VDEV_REC_MAX_CALLS) {
		struct vdev_rec_call *c = &rec_calls[rec_ncalls++];

		c->map = map;
		c->va = (uintptr_t)addr;
		c->iova = iova;
		c->len = len;
		snprintf(c->dev, sizeof(c->dev), "%s", name);
	}
	rte_spinlock_unlock(&rec_lock);
	return ret;
}

static int
rec_dma_map(struct rte_vdev_device *vdev, void *addr, uint64_t iova,
	size_t len)
{
	return rec_record(vdev, 1, addr, iova, len);
}

static int
rec_dma_unmap(struct rte_vdev_device *vdev, void *addr, uint64_t iova,
	size_t len)
{
	return rec_record(vdev, 0, addr, iova, len);
}

static int
rec_dev_configure(struct rte_eth_dev *dev __rte_unused)
{
	return 0;
}

static int
rec_dev_info(struct rte_eth_dev *dev __rte_unused,
	struct rte_eth_dev_info *info)
{
	info->max_rx_queues = 1;
	info->max_tx_queues = 1;
	info->max_rx_pktlen = RTE_ETHER_MAX_LEN;
	info->max_mac_addrs = 1;
	return 0;
}

static int
rec_dev_close(struct rte_eth_dev *dev)
{
	dev->data->mac_addrs = NULL;
	return 0;
}

static const struct eth_dev_ops rec_ops = {
	.dev_configure = rec_dev_configure,
	.dev_infos_get = rec_dev_info,
	.dev_close = rec_dev_close,
};

static struct rte_ether_addr rec_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0xec, 0x01 }
};

static int
rec_probe(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth;

	eth = rte_eth_vdev_allocate(vdev, 0);
	if (eth == NULL)
		return -ENOMEM;
	eth->dev_ops = &rec_ops;
	eth->data->mac_addrs = &rec_mac;
	eth->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	rte_eth_dev_probing_finish(eth);
	rec_probes++;
	return 0;
}

static int
rec_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth;

	eth = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (eth == NULL)
		return 0;
	rte_eth_dev_close(eth->data->port_id);
	return rte_eth_dev_release_port(eth);
}

static struct rte_vdev_driver vdev_rec_drv = {
	.probe = rec_probe,
	.remove = rec_remove,
	.dma_map = rec_dma_map,
	.dma_unmap = rec_dma_unmap,
};

RTE_PMD_REGISTER_VDEV(net_extmem_rec, vdev_rec_drv);
