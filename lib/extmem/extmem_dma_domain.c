/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The DMA dispatcher's IOMMU domains: which devices share one translation
 * table, how many entries it holds, which memory EAL maps there itself.
 *
 * A device is in a shared domain when
 *  - its driver declared one (rte_extmem_devmap_driver.h; net_mrnic's
 *    "domain" devarg), or
 *  - it is a PCI device bound to vfio-pci: DPDK 22.11's PCI bus maps a
 *    device whose driver has no dma_map hook into VFIO's default container
 *    (pci_dma_map() -> rte_vfio_container_dma_map(default fd)), one
 *    container for all of them, at most 256 user maps
 *    (VFIO_MAX_USER_MEM_MAPS), and EAL's own memory-event callback maps
 *    external heap memory there (vfio_mem_event_callback()). The kernel
 *    driver is read from sysfs; the only PCI driver with its own hook in
 *    22.11 (mlx5) binds to mlx5_core, not vfio-pci. If a later DPDK gives
 *    PCI drivers on VFIO their own hooks, such devices would be counted in
 *    the container although they are not: over-cautious (fewer entries
 *    left, heap memory not mapped by us), which is wrong only for drivers
 *    that then rely on rte_dev_dma_map() for heap memory.
 * Otherwise it is its own domain (dma_dev::dom NULL, the dispatcher's
 * per-device behaviour).
 *
 * Domains, mappings and counts change inside an operation; the drivers'
 * declarations under their own lock (a probe may run before the library
 * is started, or with the vdev bus lock held), never held while another
 * lock is taken.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_errno.h>
#include <rte_spinlock.h>

#include "extmem_dma_private.h"
#include "rte_extmem_devmap_driver.h"

#define VFIO_DOMAIN_NAME "vfio_default_container"
/* EAL's VFIO_MAX_USER_MEM_MAPS (lib/eal/linux/eal_vfio.c, 22.11) */
#define VFIO_DOMAIN_ENTRIES 256
#define DOMAIN_FLAGS_VALID (RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP)

TAILQ_HEAD(dma_domain_list, dma_domain);
TAILQ_HEAD(dma_dmap_list, dma_dmap);

static struct dma_domain_list domain_list =
	TAILQ_HEAD_INITIALIZER(domain_list);
static struct dma_dmap_list dmap_list = TAILQ_HEAD_INITIALIZER(dmap_list);

/* ------------------------------------------------------------------ */
/* Drivers' declarations */

struct dma_decl {
	TAILQ_ENTRY(dma_decl) next;
	char dev[RTE_EXTMEM_DEVMAP_DEV_NAMESIZE];
	char domain[RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE];
	unsigned int max_entries;
	uint32_t flags;
};

TAILQ_HEAD(dma_decl_list, dma_decl);

static struct dma_decl_list decl_list = TAILQ_HEAD_INITIALIZER(decl_list);
static rte_spinlock_t decl_lock = RTE_SPINLOCK_INITIALIZER;

int
rte_extmem_devmap_driver_domain_set(const char *dev_name, const char *domain,
	unsigned int max_entries, uint32_t flags)
{
	struct dma_decl *d, *o;
	int err = 0;

	if (extmem_name_check("device", dev_name,
			RTE_EXTMEM_DEVMAP_DEV_NAMESIZE) != 0 ||
			extmem_name_check("DMA domain", domain,
				RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE) != 0)
		return -1;
	if (flags & ~DOMAIN_FLAGS_VALID) {
		EXTMEM_FAIL(EINVAL, "DMA domain %s: unknown flags 0x%x",
			domain, flags & ~DOMAIN_FLAGS_VALID);
		return -1;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for DMA domain %s of %s",
			domain, dev_name);
		return -1;
	}
	snprintf(d->dev, sizeof(d->dev), "%s", dev_name);
	snprintf(d->domain, sizeof(d->domain), "%s", domain);
	d->max_entries = max_entries;
	d->flags = flags;
	rte_spinlock_lock(&decl_lock);
	TAILQ_FOREACH(o, &decl_list, next) {
		if (strcmp(o->dev, dev_name) == 0) {
			err = 1;
			break;
		}
		if (strcmp(o->domain, domain) == 0 &&
				(o->max_entries != max_entries ||
				 o->flags != flags)) {
			err = 2;
			break;
		}
	}
	if (err == 0)
		TAILQ_INSERT_TAIL(&decl_list, d, next);
	rte_spinlock_unlock(&decl_lock);
	if (err == 0)
		return 0;
	free(d);
	if (err == 1)
		EXTMEM_FAIL(EEXIST, "device %s already declared a DMA domain",
			dev_name);
	else
		EXTMEM_FAIL(EEXIST, "DMA domain %s exists with another limit "
			"or other flags than %u entries, flags 0x%x", domain,
			max_entries, flags);
	return -1;
}

void
rte_extmem_devmap_driver_domain_clear(const char *dev_name)
{
	struct dma_decl *d;

	if (dev_name == NULL)
		return;
	rte_spinlock_lock(&decl_lock);
	d = EXTMEM_TAILQ_FIND(&decl_list, o, strcmp(o->dev, dev_name) == 0);
	if (d != NULL)
		TAILQ_REMOVE(&decl_list, d, next);
	rte_spinlock_unlock(&decl_lock);
	free(d);
}

static bool
decl_get(const char *dev_name, struct dma_decl *out)
{
	struct dma_decl *d;

	rte_spinlock_lock(&decl_lock);
	d = EXTMEM_TAILQ_FIND(&decl_list, o, strcmp(o->dev, dev_name) == 0);
	if (d != NULL)
		*out = *d;
	rte_spinlock_unlock(&decl_lock);
	return d != NULL;
}

/* ------------------------------------------------------------------ */
/* Domains */

/* Is dev a PCI device bound to vfio-pci (VFIO's default container)? */
static bool
dev_on_vfio(const struct rte_device *dev)
{
	const struct rte_bus *bus = rte_dev_bus(dev);
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	if (bus == NULL || strcmp(rte_bus_name(bus), "pci") != 0)
		return false;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
		rte_dev_name(dev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base == NULL ? link : base + 1;
	return strcmp(base, "vfio-pci") == 0;
}

struct dma_domain *
extmem_dma_domain_find(const char *name)
{
	return EXTMEM_TAILQ_FIND(&domain_list, d, strcmp(d->name, name) == 0);
}

struct dma_domain *
extmem_dma_domain_attach(const struct rte_device *dev, int *err)
{
	struct dma_decl decl;
	struct dma_domain *dom;

	*err = 0;
	if (!decl_get(rte_dev_name(dev), &decl)) {
		if (!dev_on_vfio(dev))
			return NULL;
		memset(&decl, 0, sizeof(decl));
		snprintf(decl.domain, sizeof(decl.domain), "%s",
			VFIO_DOMAIN_NAME);
		decl.max_entries = VFIO_DOMAIN_ENTRIES;
		decl.flags = RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP;
	}
	dom = extmem_dma_domain_find(decl.domain);
	if (dom == NULL) {
		dom = calloc(1, sizeof(*dom));
		if (dom == NULL) {
			EXTMEM_FAIL(ENOMEM, "no memory for DMA domain %s",
				decl.domain);
			*err = ENOMEM;
			return NULL;
		}
		snprintf(dom->name, sizeof(dom->name), "%s", decl.domain);
		dom->max_entries = decl.max_entries;
		dom->flags = decl.flags | RTE_EXTMEM_DEVMAP_DOMAIN_F_SHARED;
		TAILQ_INSERT_TAIL(&domain_list, dom, next);
		EXTMEM_LOG(INFO, "DMA domain %s (%u entries%s)", dom->name,
			dom->max_entries, (dom->flags &
				RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP) ?
				", EAL maps heap memory" : "");
	}
	dom->n_devs++;
	EXTMEM_LOG(DEBUG, "device %s is in DMA domain %s", rte_dev_name(dev),
		dom->name);
	return dom;
}

void
extmem_dma_domain_detach(struct dma_domain *dom)
{
	if (dom == NULL || --dom->n_devs > 0)
		return;
	/* a device's entries go before the device: none is left */
	TAILQ_REMOVE(&domain_list, dom, next);
	free(dom);
}

/* ------------------------------------------------------------------ */
/* Mappings in shared domains */

struct dma_dmap *
extmem_dma_dmap_find(const struct rte_extmem_region *r,
	const struct dma_domain *dom)
{
	return EXTMEM_TAILQ_FIND(&dmap_list, m,
		m->region == r && m->dom == dom);
}

static unsigned int
domain_left(const struct dma_domain *dom)
{
	if (dom->max_entries == 0)
		return UINT_MAX;
	return dom->max_entries > dom->n_entries ?
		dom->max_entries - dom->n_entries : 0;
}

static int
domain_room(const struct rte_extmem_region *r, const struct dma_domain *dom,
	unsigned int n)
{
	if (n <= domain_left(dom))
		return 0;
	EXTMEM_FAIL(ENOSPC, "region %s needs %u mapping entries in DMA domain "
		"%s, which has %u of %u left", r->name, n, dom->name,
		domain_left(dom), dom->max_entries);
	return -1;
}

struct dma_dmap *
extmem_dma_dmap_new(const struct rte_extmem_region *r, struct dma_domain *dom,
	unsigned int n)
{
	struct dma_dmap *dm;

	if (domain_room(r, dom, n) != 0)
		return NULL;
	dm = calloc(1, sizeof(*dm));
	if (dm == NULL) {
		EXTMEM_FAIL(ENOMEM, "region %s: no memory for its mapping in "
			"DMA domain %s", r->name, dom->name);
		return NULL;
	}
	dm->region = r;
	dm->dom = dom;
	dm->n_chunks = n;
	dom->n_entries += n;
	TAILQ_INSERT_TAIL(&dmap_list, dm, next);
	return dm;
}

void
extmem_dma_dmap_free(struct dma_dmap *dm)
{
	dm->dom->n_entries -= dm->n_chunks;
	TAILQ_REMOVE(&dmap_list, dm, next);
	free(dm);
}

bool
extmem_dma_eal_maps(const struct rte_extmem_region *r,
	const struct dma_domain *dom)
{
	return dom != NULL &&
		(dom->flags & RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP) &&
		(r->eal == EXTMEM_EAL_HEAP || r->heap[0] != '\0');
}

int
extmem_dma_region_fits(const struct rte_extmem_region *r)
{
	const struct dma_dev *dd;
	unsigned int n = extmem_dma_region_runs(r);

	TAILQ_FOREACH(dd, &extmem_dma_devs, next) {
		if (dd->dom == NULL || !extmem_dma_dev_auto(dd) ||
				extmem_dma_eal_maps(r, dd->dom) ||
				extmem_dma_dmap_find(r, dd->dom) != NULL)
			continue;
		if (domain_room(r, dd->dom, n) != 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Queries */

int
extmem_dma_domain_info(const char *name,
	struct rte_extmem_devmap_domain_info *info)
{
	const struct dma_domain *dom = extmem_dma_domain_find(name);
	const struct dma_dmap *dm;
	const struct dma_dev *dd;
	unsigned int n_regions, n_chunks;

	memset(info, 0, sizeof(*info));
	if (dom != NULL) {
		info->flags = dom->flags;
		info->n_devs = dom->n_devs;
		info->max_entries = dom->max_entries;
		info->n_entries = dom->n_entries;
		info->entries_left = domain_left(dom);
		info->map_calls = dom->map_calls;
		info->unmap_calls = dom->unmap_calls;
		TAILQ_FOREACH(dm, &dmap_list, next)
			if (dm->dom == dom)
				info->n_regions++;
		return 0;
	}
	/* a device's own domain */
	dd = EXTMEM_TAILQ_FIND(&extmem_dma_devs, d,
		d->dom == NULL && strcmp(d->name, name) == 0);
	if (dd == NULL) {
		EXTMEM_FAIL(ENOENT, "no DMA domain named %s", name);
		return -1;
	}
	extmem_dma_dev_maps_count(dd, &n_regions, &n_chunks);
	info->n_devs = 1;
	info->n_regions = n_regions;
	info->n_entries = n_chunks;
	info->entries_left = UINT_MAX;
	info->map_calls = dd->map_calls;
	info->unmap_calls = dd->unmap_calls;
	return 0;
}

int
extmem_dma_domain_walk(int (*fn)(const char *name, void *arg), void *arg)
{
	const struct dma_domain *dom;
	const struct dma_dev *dd;
	int ret;

	TAILQ_FOREACH(dom, &domain_list, next) {
		ret = fn(dom->name, arg);
		if (ret != 0)
			return ret;
	}
	TAILQ_FOREACH(dd, &extmem_dma_devs, next) {
		if (dd->dom != NULL)
			continue;
		ret = fn(dd->name, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}
