/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_spinlock.h>

#include "vdev_recorder.h"

static struct vdev_rec_call rec_calls[VDEV_REC_MAX_CALLS];
static unsigned int rec_ncalls;
static unsigned int rec_seen;
static unsigned int rec_fail_at;
static int rec_fail_kind;
static int rec_fail_err;
static bool rec_fail_rte_errno;
static char rec_fail_dev[64];
static unsigned int rec_probes;
static rte_spinlock_t rec_lock = RTE_SPINLOCK_INITIALIZER;

unsigned int
vdev_rec_ncalls(void)
{
	unsigned int n;

	rte_spinlock_lock(&rec_lock);
	n = rec_ncalls;
	rte_spinlock_unlock(&rec_lock);
	return n;
}

const struct vdev_rec_call *
vdev_rec_call(unsigned int i)
{
	return i < vdev_rec_ncalls() ? &rec_calls[i] : NULL;
}

void
vdev_rec_reset(void)
{
	rte_spinlock_lock(&rec_lock);
	rec_ncalls = 0;
	rec_seen = 0;
	rec_fail_at = 0;
	rec_fail_rte_errno = false;
	rte_spinlock_unlock(&rec_lock);
}

void
vdev_rec_fail_nth_kind(const char *dev, int map, unsigned int nth, int err)
{
	rte_spinlock_lock(&rec_lock);
	rec_seen = 0;
	rec_fail_at = nth;
	rec_fail_kind = map;
	rec_fail_err = err;
	rec_fail_dev[0] = '\0';
	if (dev != NULL)
		snprintf(rec_fail_dev, sizeof(rec_fail_dev), "%s", dev);
	rte_spinlock_unlock(&rec_lock);
}

void
vdev_rec_fail_rte_errno(bool on)
{
	rte_spinlock_lock(&rec_lock);
	rec_fail_rte_errno = on;
	rte_spinlock_unlock(&rec_lock);
}

void
vdev_rec_fail_nth(const char *dev, unsigned int nth, int err)
{
	vdev_rec_fail_nth_kind(dev, -1, nth, err);
}

unsigned int
vdev_rec_probes(void)
{
	return __atomic_load_n(&rec_probes, __ATOMIC_RELAXED);
}

static int
rec_record(struct rte_vdev_device *vdev, int map, void *addr, uint64_t iova,
	size_t len)
{
	const char *name = rte_vdev_device_name(vdev);
	int ret = 0;

	rte_spinlock_lock(&rec_lock);
	if (rec_fail_at != 0 && (rec_fail_kind < 0 || rec_fail_kind == map) &&
			(rec_fail_dev[0] == '\0' ||
			strcmp(rec_fail_dev, name) == 0)) {
		if (++rec_seen == rec_fail_at) {
			rec_fail_at = 0;
			ret = -rec_fail_err;
		}
	}
	if (rec_ncalls < VDEV_REC_MAX_CALLS) {
		struct vdev_rec_call *c = &rec_calls[rec_ncalls++];

		c->map = map;
		c->ret = ret;
		c->va = (uintptr_t)addr;
		c->iova = iova;
		c->len = len;
		snprintf(c->dev, sizeof(c->dev), "%s", name);
	}
	if (ret != 0 && rec_fail_rte_errno) {
		rte_errno = -ret;
		ret = -1;
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
rec_ports_arg(const char *key __rte_unused, const char *value, void *arg)
{
	char *end;
	unsigned long n = strtoul(value, &end, 10);

	if (*value == '\0' || *end != '\0' || n == 0 || n > VDEV_REC_MAX_PORTS)
		return -EINVAL;
	*(unsigned int *)arg = n;
	return 0;
}

static int
rec_nports(struct rte_vdev_device *vdev, unsigned int *n)
{
	static const char * const keys[] = { "ports", NULL };
	const char *params = rte_vdev_device_args(vdev);
	struct rte_kvargs *kv;
	int ret;

	*n = 1;
	if (params == NULL || *params == '\0')
		return 0;
	kv = rte_kvargs_parse(params, keys);
	if (kv == NULL)
		return -EINVAL;
	ret = rte_kvargs_process(kv, "ports", rec_ports_arg, n);
	rte_kvargs_free(kv);
	return ret;
}

static int
rec_remove(struct rte_vdev_device *vdev)
{
	uint16_t port;

	RTE_ETH_FOREACH_DEV_OF(port, &vdev->device)
		rte_eth_dev_close(port);
	return 0;
}

static int
rec_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	char pname[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_dev *eth;
	unsigned int i, n;
	int ret;

	if (name == NULL)
		return -EINVAL;
	ret = rec_nports(vdev, &n);
	if (ret != 0)
		return ret;
	for (i = 0; i < n; i++) {
		if (i == 0) {
			eth = rte_eth_vdev_allocate(vdev, 0);
		} else {
			snprintf(pname, sizeof(pname), "%s_p%u", name, i);
			eth = rte_eth_dev_allocate(pname);
			if (eth != NULL) {
				eth->device = &vdev->device;
				eth->data->numa_node = vdev->device.numa_node;
			}
		}
		if (eth == NULL) {
			rec_remove(vdev);
			return -ENOMEM;
		}
		eth->dev_ops = &rec_ops;
		eth->data->mac_addrs = &rec_mac;
		eth->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
		rte_eth_dev_probing_finish(eth);
	}
	__atomic_fetch_add(&rec_probes, 1, __ATOMIC_RELAXED);
	return 0;
}

static struct rte_vdev_driver vdev_rec_drv = {
	.probe = rec_probe,
	.remove = rec_remove,
	.dma_map = rec_dma_map,
	.dma_unmap = rec_dma_unmap,
};

RTE_PMD_REGISTER_VDEV(net_extmem_rec, vdev_rec_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_extmem_rec, "ports=<1-4>");

/* The same ethdev, without DMA hooks. */
static struct rte_vdev_driver vdev_nohook_drv = {
	.probe = rec_probe,
	.remove = rec_remove,
};

RTE_PMD_REGISTER_VDEV(net_extmem_nohook, vdev_nohook_drv);
