/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_DMA_PRIVATE_H
#define EXTMEM_DMA_PRIVATE_H

/*
 * What the files of the DMA dispatcher share: extmem_dma.c (the
 * (region x device) table and the region events), extmem_dma_dev.c (the
 * devices: discovery, bus quirks, ethdev events, probes in progress),
 * extmem_dma_domain.c (IOMMU domains: which devices share one, entry
 * limits, drivers' declarations) and extmem_dma_api.c (the public API,
 * automatic mode and opt-outs). All of it is changed inside an operation
 * and read under the state lock (extmem_private.h), except the drivers' declarations (their own lock, never
 * held while taking another).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_dev.h>

#include "extmem_private.h"
#include "rte_extmem_devmap.h"

/*
 * A shared IOMMU domain: one translation table for several devices (VFIO's
 * default container, a driver-declared one). A device without one is its
 * own domain, handled exactly as a lone device (dma_dev::dom NULL).
 */
struct dma_domain {
	TAILQ_ENTRY(dma_domain) next;
	char name[RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE];
	uint32_t flags;			/* RTE_EXTMEM_DEVMAP_DOMAIN_F_* */
	unsigned int max_entries;	/* 0: no known limit */
	unsigned int n_entries;		/* runs mapped there by us */
	unsigned int n_devs;
	uint64_t map_calls;
	uint64_t unmap_calls;
};

/*
 * A region in a shared domain: mapped once, through whichever device of the
 * domain needed it first, and unmapped when no device's entry needs it.
 */
struct dma_dmap {
	TAILQ_ENTRY(dma_dmap) next;
	const struct rte_extmem_region *region;
	struct dma_domain *dom;
	unsigned int refs;	/* dma_map entries sharing it */
	unsigned int active;	/* of them, not (being) unmapped */
	unsigned int n_chunks;	/* entries counted in dom->n_entries */
};

struct dma_dev {
	TAILQ_ENTRY(dma_dev) next;
	struct rte_device *dev;
	struct dma_domain *dom;	/* shared domain, NULL: its own */
	char name[RTE_EXTMEM_DEVMAP_DEV_NAMESIZE];
	enum rte_extmem_devmap_dev_state state;
	unsigned int n_ports;	/* > 0: an ethdev port's device (automatic) */
	uint64_t map_calls;
	uint64_t unmap_calls;
	int error;
};

struct dma_chunk {
	uintptr_t va;
	rte_iova_t iova;
	size_t len;
};

/* One (region x device) mapping: the runs that were mapped. */
struct dma_map {
	TAILQ_ENTRY(dma_map) next;
	struct rte_extmem_region *region;
	struct dma_dev *dd;
	struct dma_dmap *dmap;	/* shared domain's mapping, or NULL */
	bool explicit_map;
	bool unmapped;		/* transiently, while a removal is decided */
	uint64_t op;		/* operation that made it (for rollback) */
	unsigned int n_pages_skipped;
	size_t len;
	unsigned int n_chunks;
	struct dma_chunk chunks[];
};

TAILQ_HEAD(dma_dev_list, dma_dev);

/* extmem_dma.c: the table. */

/* A new operation number (mappings made by it are rolled back together). */
uint64_t extmem_dma_op_new(void);
struct dma_map *extmem_dma_map_find(const struct rte_extmem_region *r,
	const struct dma_dev *dd);
/*
 * Map a region on a device and record it. Returns 0, 1 (driver not bound
 * yet) or -1 with rte_errno (ENOTSUP: the device was found not to do DMA
 * mapping and is marked so).
 */
int extmem_dma_pair_map(struct rte_extmem_region *r, struct dma_dev *dd,
	bool explicit_map, uint64_t op);
/*
 * Unmap every run of an entry. strict: on failure map again the runs
 * unmapped (nothing changed); otherwise unmap what can be and report the
 * last failure.
 */
int extmem_dma_unmap_apply(struct dma_map *m, bool strict);
/* Forget an entry. */
void extmem_dma_map_drop(struct dma_map *m);
/* Undo the automatic mappings an operation made (on one device or, dd
 * NULL, on all), newest first.
 */
void extmem_dma_op_rollback(uint64_t op, const struct dma_dev *dd);
/*
 * Unmap the entries of region r and device dd (NULL: any), only the
 * automatic ones if auto_only. strict: all or nothing (a failure maps
 * again what was unmapped and returns -1); otherwise failures are logged
 * and the entries forgotten all the same.
 */
int extmem_dma_unmap_matching(const struct rte_extmem_region *r,
	const struct dma_dev *dd, bool auto_only, bool strict);
/*
 * Map every eligible region to an automatic device. A failure rolls back
 * what this operation mapped; PENDING or NO_DMA found on the way are
 * recorded in the device state and are not failures.
 */
int extmem_dma_dev_replay(struct dma_dev *dd, uint64_t op);
/* Number of regions mapped on a device and of runs (calls) in effect. */
void extmem_dma_dev_maps_count(const struct dma_dev *dd,
	unsigned int *n_regions, unsigned int *n_chunks);

/* extmem_dma_dev.c: the devices. */

/* Every device known: ports' devices and those of explicit mappings. */
extern struct dma_dev_list extmem_dma_devs;
struct dma_dev *extmem_dma_dev_find(const struct rte_device *dev);
struct dma_dev *extmem_dma_dev_find_name(const char *name);
/* What a probed or probing device does about DMA mapping. */
enum rte_extmem_devmap_dev_state extmem_dma_dev_classify(
	const struct rte_device *dev);
struct dma_dev *extmem_dma_dev_add(struct rte_device *dev);
/* Forget a device that has neither ports nor mappings. */
void extmem_dma_dev_release_if_unused(struct dma_dev *dd);
/* Does the device take automatic mappings? */
bool extmem_dma_dev_auto(const struct dma_dev *dd);
/* Check again soon the devices whose probe had not finished. */
void extmem_dma_pending_arm(void);
/* Is a device known to be still probing? (no lock) */
bool extmem_dma_pending_any(void);
/* Give the devices whose probe finished their regions; returns the
 * number of devices still probing.
 */
int extmem_dma_pending_process(void);
/* Follow ethdev ports (NEW/DESTROY) and take the existing ones. */
void extmem_dma_eth_init(void);
/* Has the dispatcher started following ethdev ports? (no lock) */
bool extmem_dma_eth_started(void);
/* A device whose probe had not finished: give it its regions now if its
 * driver is bound (inside an operation).
 */
void extmem_dma_dev_pending_one(struct dma_dev *dd);

/* extmem_dma_domain.c: the domains. */

/* The shared domain of a device being added (NULL: its own), with a new
 * device counted in it; NULL with rte_errno ENOMEM on failure (then *err).
 */
struct dma_domain *extmem_dma_domain_attach(const struct rte_device *dev,
	int *err);
/* A device of the domain is forgotten. */
void extmem_dma_domain_detach(struct dma_domain *dom);
/* The shared domain of this name, or NULL. */
struct dma_domain *extmem_dma_domain_find(const char *name);
/* The mapping of region r in domain dom, or NULL. */
struct dma_dmap *extmem_dma_dmap_find(const struct rte_extmem_region *r,
	const struct dma_domain *dom);
/* A new mapping of r in dom taking n entries, refused (ENOSPC, logged)
 * if the domain has fewer left; NULL with rte_errno.
 */
struct dma_dmap *extmem_dma_dmap_new(const struct rte_extmem_region *r,
	struct dma_domain *dom, unsigned int n);
/* Forget a mapping (no entry refers to it any more). */
void extmem_dma_dmap_free(struct dma_dmap *dm);
/* Would r fit in every shared domain of an automatic device that does not
 * have it yet? -1 with rte_errno ENOSPC (logged) if not.
 */
int extmem_dma_region_fits(const struct rte_extmem_region *r);
/* Is r a heap region that EAL maps itself in dom? */
bool extmem_dma_eal_maps(const struct rte_extmem_region *r,
	const struct dma_domain *dom);
/* Fill info of a shared domain or a device's own domain by name; -1 with
 * rte_errno ENOENT if none.
 */
int extmem_dma_domain_info(const char *name,
	struct rte_extmem_devmap_domain_info *info);
/* fn(name, arg) for every domain, shared ones first, until non-zero. */
int extmem_dma_domain_walk(int (*fn)(const char *name, void *arg),
	void *arg);
/* Number of runs of a region (pages of unknown IOVA excluded). */
unsigned int extmem_dma_region_runs(const struct rte_extmem_region *r);

/* extmem_dma_api.c: what the application asked for. */

/* Automatic mapping on, and the device not opted out of it? */
bool extmem_dma_wanted(const char *dev_name);

#endif /* EXTMEM_DMA_PRIVATE_H */
