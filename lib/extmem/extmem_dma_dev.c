/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The DMA dispatcher's devices: the devices known, what each does about
 * DMA mapping (bus quirks normalised), ethdev's NEW/DESTROY events, and
 * devices whose probe had not finished. All state changes under
 * an operation (extmem_private.h).
 *
 * What a bus or vdev driver does about DMA mapping is read through
 * extmem_compat.c (the vdev bus returns 0 both for "no hook" and for
 * "mapped") and a port's device too (at RTE_ETH_EVENT_NEW the port is
 * not valid for the public API yet).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_bus.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "extmem_compat.h"
#include "extmem_dma_private.h"

/* Period of the check for devices whose probe has not finished. */
#define DMA_PENDING_US 100

struct dma_dev_list extmem_dma_devs = TAILQ_HEAD_INITIALIZER(extmem_dma_devs);
/* Device of each ethdev port known to the dispatcher. */
static struct dma_dev *port_dev[RTE_MAX_ETHPORTS];
static bool dma_eth_ready;	/* atomic: read without the lock */
static bool dma_alarm_armed;

/* ------------------------------------------------------------------ */
/* Devices */

struct dma_dev *
extmem_dma_dev_find(const struct rte_device *dev)
{
	return EXTMEM_TAILQ_FIND(&extmem_dma_devs, dd, dd->dev == dev);
}

struct dma_dev *
extmem_dma_dev_find_name(const char *name)
{
	return EXTMEM_TAILQ_FIND(&extmem_dma_devs, dd,
		strcmp(dd->name, name) == 0);
}

enum rte_extmem_devmap_dev_state
extmem_dma_dev_classify(const struct rte_device *dev)
{
	const struct rte_bus *bus = rte_dev_bus(dev);

	if (!extmem_compat_bus_does_dma_map(dev))
		return rte_dev_is_probed(dev) ? RTE_EXTMEM_DEVMAP_DEV_NO_DMA :
			RTE_EXTMEM_DEVMAP_DEV_PENDING;
	/*
	 * The PCI bus of 22.11 sets the PCI driver (which its dma_map uses)
	 * before calling the driver's probe, the generic one (which
	 * rte_dev_is_probed() reads) after: a PCI port announced from its
	 * probe can be mapped at once. A vdev's driver is set only after the
	 * probe (its dma_map answers 1 until then): it waits, and its driver
	 * may finish the wait itself (rte_extmem_devmap_driver_dev_ready()).
	 */
	if (!rte_dev_is_probed(dev))
		return strcmp(rte_bus_name(bus), "pci") == 0 ?
			RTE_EXTMEM_DEVMAP_DEV_ACTIVE : RTE_EXTMEM_DEVMAP_DEV_PENDING;
	if (extmem_compat_vdev_no_dma_map(dev))
		return RTE_EXTMEM_DEVMAP_DEV_NO_DMA;
	return RTE_EXTMEM_DEVMAP_DEV_ACTIVE;
}

static void
dev_no_dma_log(const struct dma_dev *dd)
{
	EXTMEM_LOG(INFO, "device %s does not do DMA mapping: regions are not "
		"mapped on it", dd->name);
}

struct dma_dev *
extmem_dma_dev_add(struct rte_device *dev)
{
	struct dma_dev *dd;
	int err;

	dd = calloc(1, sizeof(*dd));
	if (dd == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for device %s",
			rte_dev_name(dev));
		return NULL;
	}
	dd->dom = extmem_dma_domain_attach(dev, &err);
	if (dd->dom == NULL && err != 0) {
		free(dd);
		rte_errno = err;
		return NULL;
	}
	dd->dev = dev;
	snprintf(dd->name, sizeof(dd->name), "%s", rte_dev_name(dev));
	dd->state = extmem_dma_dev_classify(dev);
	TAILQ_INSERT_TAIL(&extmem_dma_devs, dd, next);
	if (dd->state == RTE_EXTMEM_DEVMAP_DEV_NO_DMA)
		dev_no_dma_log(dd);
	return dd;
}

void
extmem_dma_dev_release_if_unused(struct dma_dev *dd)
{
	unsigned int n_regions, n_chunks;

	if (dd->n_ports > 0)
		return;
	extmem_dma_dev_maps_count(dd, &n_regions, &n_chunks);
	if (n_regions > 0)
		return;
	TAILQ_REMOVE(&extmem_dma_devs, dd, next);
	extmem_dma_domain_detach(dd->dom);
	free(dd);
}

bool
extmem_dma_dev_auto(const struct dma_dev *dd)
{
	return dd->n_ports > 0 && dd->state == RTE_EXTMEM_DEVMAP_DEV_ACTIVE &&
		extmem_dma_wanted(dd->name);
}

/* A device appeared (or finished probing): give it the regions. */
static void
dev_replay_async(struct dma_dev *dd)
{
	uint64_t op = extmem_dma_op_new();
	int err;

	if (extmem_dma_dev_replay(dd, op) == 0)
		return;
	err = rte_errno;
	extmem_dma_op_rollback(op, dd);
	dd->state = RTE_EXTMEM_DEVMAP_DEV_FAILED;
	dd->error = err;
	EXTMEM_LOG(ERR, "device %s: mapping the existing regions failed (%s): "
		"it gets no automatic mapping until opted in again",
		dd->name, rte_strerror(err));
}

/* ------------------------------------------------------------------ */
/* Devices whose probe had not finished */

static void dma_alarm_cb(void *arg);

/* Devices still probing at the last look, or an alarm armed (atomic). */
static bool dma_pending;

bool
extmem_dma_pending_any(void)
{
	return __atomic_load_n(&dma_pending, __ATOMIC_ACQUIRE);
}

void
extmem_dma_pending_arm(void)
{
	__atomic_store_n(&dma_pending, true, __ATOMIC_RELEASE);
	if (dma_alarm_armed)
		return;
	if (rte_eal_alarm_set(DMA_PENDING_US, dma_alarm_cb, NULL) == 0)
		dma_alarm_armed = true;
	else
		EXTMEM_LOG(WARNING, "cannot set an alarm: devices still "
			"probing get their mappings at the next call of the "
			"DMA API");
}

void
extmem_dma_dev_pending_one(struct dma_dev *dd)
{
	if (dd->state != RTE_EXTMEM_DEVMAP_DEV_PENDING)
		return;
	dd->state = extmem_dma_dev_classify(dd->dev);
	if (dd->state == RTE_EXTMEM_DEVMAP_DEV_PENDING)
		return;
	if (dd->state == RTE_EXTMEM_DEVMAP_DEV_NO_DMA)
		dev_no_dma_log(dd);
	dev_replay_async(dd);
}

int
extmem_dma_pending_process(void)
{
	struct dma_dev *dd;
	int n = 0;

	TAILQ_FOREACH(dd, &extmem_dma_devs, next) {
		extmem_dma_dev_pending_one(dd);
		if (dd->state == RTE_EXTMEM_DEVMAP_DEV_PENDING)
			n++;
	}
	if (n > 0)
		extmem_dma_pending_arm();
	else if (!dma_alarm_armed)
		__atomic_store_n(&dma_pending, false, __ATOMIC_RELEASE);
	return n;
}

static void
dma_alarm_cb(void *arg __rte_unused)
{
	if (extmem_op_begin() != 0)
		return; /* never: the alarm thread runs no operation */
	dma_alarm_armed = false;
	extmem_dma_pending_process();
	extmem_op_end();
}

/* ------------------------------------------------------------------ */
/* ethdev ports */

static void
port_new(uint16_t port)
{
	struct rte_device *dev = extmem_compat_eth_port_device(port);
	struct dma_dev *dd;

	if (dev == NULL || port_dev[port] != NULL)
		return;
	dd = extmem_dma_dev_find(dev);
	if (dd == NULL) {
		dd = extmem_dma_dev_add(dev);
		if (dd == NULL)
			return;
	}
	port_dev[port] = dd;
	if (dd->n_ports++ > 0)
		return;
	EXTMEM_LOG(DEBUG, "device %s (port %u) is known", dd->name, port);
	if (dd->state == RTE_EXTMEM_DEVMAP_DEV_PENDING)
		extmem_dma_pending_arm();
	else
		dev_replay_async(dd);
}

static void
port_destroy(uint16_t port)
{
	struct dma_dev *dd = port_dev[port];

	if (dd == NULL)
		return;
	port_dev[port] = NULL;
	if (--dd->n_ports > 0)
		return;
	/* the driver is still bound while its ports are released */
	extmem_dma_unmap_matching(NULL, dd, false, false);
	EXTMEM_LOG(DEBUG, "device %s removed: forgotten", dd->name);
	TAILQ_REMOVE(&extmem_dma_devs, dd, next);
	extmem_dma_domain_detach(dd->dom);
	free(dd);
}

static int
dma_eth_cb(uint16_t port, enum rte_eth_event_type type,
	void *arg __rte_unused, void *ret_param __rte_unused)
{
	if (port >= RTE_MAX_ETHPORTS)
		return 0;
	if (extmem_op_begin() != 0) {
		/* a port probed or released from an event callback */
		EXTMEM_LOG(ERR, "port %u: %s from inside an operation of this "
			"library: the DMA dispatcher does not follow it", port,
			type == RTE_ETH_EVENT_NEW ? "probed" : "released");
		return 0;
	}
	if (type == RTE_ETH_EVENT_NEW)
		port_new(port);
	else if (type == RTE_ETH_EVENT_DESTROY)
		port_destroy(port);
	extmem_op_end();
	return 0;
}

void
extmem_dma_eth_init(void)
{
	uint16_t port;

	if (dma_eth_ready)
		return;
	if (rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_NEW,
			dma_eth_cb, NULL) != 0)
		goto fail;
	if (rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_DESTROY,
			dma_eth_cb, NULL) != 0) {
		rte_eth_dev_callback_unregister(RTE_ETH_ALL, RTE_ETH_EVENT_NEW,
			dma_eth_cb, NULL);
		goto fail;
	}
	__atomic_store_n(&dma_eth_ready, true, __ATOMIC_RELEASE);
	for (port = rte_eth_find_next(0); port < RTE_MAX_ETHPORTS;
			port = rte_eth_find_next(port + 1))
		port_new(port);
	return;
fail:
	EXTMEM_LOG(WARNING, "cannot register for ethdev events; devices "
		"will be looked for again at the next call");
}

bool
extmem_dma_eth_started(void)
{
	return __atomic_load_n(&dma_eth_ready, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------------ */
/* Drivers finishing the wait of their device */

int
rte_extmem_devmap_driver_dev_ready(struct rte_device *dev)
{
	struct dma_dev *dd;
	int ret = 0;

	if (dev == NULL) {
		EXTMEM_FAIL(EINVAL, "device is NULL");
		return -1;
	}
	/* the library not in use: nobody owes the device a mapping */
	if (!extmem_dma_eth_started())
		return 0;
	if (!EXTMEM_OP_BEGIN())
		return -1;
	dd = extmem_dma_dev_find(dev);
	if (dd != NULL)
		extmem_dma_dev_pending_one(dd);
	if (dd != NULL && dd->state == RTE_EXTMEM_DEVMAP_DEV_FAILED) {
		EXTMEM_FAIL(dd->error != 0 ? dd->error : EIO, "device %s: "
			"its regions could not be mapped", dd->name);
		ret = -1;
	}
	extmem_op_end();
	return ret;
}
