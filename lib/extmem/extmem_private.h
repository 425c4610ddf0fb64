/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_PRIVATE_H
#define EXTMEM_PRIVATE_H

/* What the concerns of librte_extmem share; not installed. */

#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_branch_prediction.h>
#include <rte_errno.h>

#include <rte_log.h>

#include "rte_extmem.h"
#include "rte_extmem_event.h"

extern int extmem_logtype;
/* Number of backings and of event types (public enums have no _MAX). */
#define EXTMEM_BACKING_COUNT (RTE_EXTMEM_BACKING_DEVICE + 1)
#define EXTMEM_EVENT_TYPE_COUNT (RTE_EXTMEM_EVENT_EAL_FREE + 1)

#define RTE_LOGTYPE_EXTMEM extmem_logtype
#define EXTMEM_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, extmem_logtype, "EXTMEM: %s(): " fmt "\n", \
		__func__, ##__VA_ARGS__)

/* Fail with rte_errno and a log line naming the problem. */
#define EXTMEM_FAIL(err, fmt, ...) do { \
	EXTMEM_LOG(ERR, fmt, ##__VA_ARGS__); \
	rte_errno = (err); \
} while (0)

/* eal.c: has rte_eal_init() set EAL up (decided its IOVA mode)? */
extern bool extmem_eal_up;
bool extmem_eal_probe(void);

static inline bool
extmem_eal_ready(void)
{
	return __atomic_load_n(&extmem_eal_up, __ATOMIC_ACQUIRE) ||
		extmem_eal_probe();
}

/*
 * Every public entry point starts with it: true once EAL is up; before,
 * false with rte_errno E_RTE_NO_CONFIG and a log line of the caller.
 */
#define EXTMEM_EAL_READY() __extension__ ({ \
	bool up_ = extmem_eal_ready(); \
	if (unlikely(!up_)) \
		EXTMEM_FAIL(E_RTE_NO_CONFIG, "EAL is not initialised: call " \
			"rte_eal_init() before using this library"); \
	up_; \
})

/* names[v] of a table of n names, or NULL with rte_errno EINVAL. */
static inline const char *
extmem_table_name(const char * const *names, unsigned int n, unsigned int v)
{
	if (v >= n) {
		rte_errno = EINVAL;
		return NULL;
	}
	return names[v];
}

/*
 * The first element of a TAILQ linked through "next" for which cond holds,
 * or NULL; cond reads the element through var.
 */
#define EXTMEM_TAILQ_FIND(head, var, cond) __extension__ ({ \
	__typeof__(TAILQ_FIRST(head)) var; \
	TAILQ_FOREACH(var, head, next) \
		if (cond) \
			break; \
	var; \
})

/*
 * valid(obj), a bool; when false, also fails with rte_errno EINVAL and a
 * log line of the calling function: "<obj> is not a live <what>".
 */
#define EXTMEM_LIVE(valid, obj, what) __extension__ ({ \
	bool live_ = valid(obj); \
	if (!live_) \
		EXTMEM_FAIL(EINVAL, "%p is not a live " what, \
			(const void *)(obj)); \
	live_; \
})

/*
 * Caller's struct_size of a params struct p of size bytes: smaller is
 * EINVAL (not initialised with init()), larger must be zero-padded
 * (ENOTSUP otherwise: fields of a newer library).
 */
static inline int
extmem_struct_size_check(const void *p, size_t struct_size, size_t size,
	const char *what, const char *init)
{
	const uint8_t *extra = (const uint8_t *)p + size;
	size_t i;

	if (struct_size < size) {
		EXTMEM_FAIL(EINVAL, "%s.struct_size %zu is smaller than %zu: "
			"initialise it with %s()", what, struct_size, size,
			init);
		return -1;
	}
	for (i = 0; i < struct_size - size; i++)
		if (extra[i] != 0) {
			EXTMEM_FAIL(ENOTSUP, "%s has fields this library "
				"version does not know", what);
			return -1;
		}
	return 0;
}

/* Is name a string of 1 to size - 1 characters? */
static inline bool
extmem_name_valid(const char *name, size_t size)
{
	size_t len;

	if (name == NULL)
		return false;
	len = strnlen(name, size);
	return len > 0 && len < size;
}

/* Check a name; on failure set rte_errno EINVAL and log what it names. */
static inline int
extmem_name_check(const char *what, const char *name, size_t size)
{
	if (extmem_name_valid(name, size))
		return 0;
	if (name == NULL)
		EXTMEM_FAIL(EINVAL, "%s name is NULL", what);
	else
		EXTMEM_FAIL(EINVAL, "%s name must have 1 to %zu characters",
			what, size - 1);
	return -1;
}

#define EXTMEM_REGION_MAGIC 0x52474e4d /* "MNGR" */

/* How a region is known to EAL. */
enum extmem_eal_mode {
	EXTMEM_EAL_NONE = 0,	/* not yet / no longer registered */
	EXTMEM_EAL_EXTMEM,	/* rte_extmem_register() */
	EXTMEM_EAL_HEAP,	/* rte_malloc_heap_memory_add() to a heap */
};

struct rte_extmem_region {
	TAILQ_ENTRY(rte_extmem_region) next;
	uint32_t magic;
	uint32_t id;
	char name[RTE_EXTMEM_NAMESIZE];
	enum rte_extmem_backing backing;
	uintptr_t va;
	size_t len;
	size_t page_sz;
	unsigned int n_pages;
	int numa_node;
	uint64_t flags;
	/* memory the library mapped (to munmap), fd it opened (to close) */
	void *map_addr;
	size_t map_len;
	int fd;
	bool pinned;		/* mlock()ed by the library */
	rte_iova_t *iovas;	/* n_pages entries */
	unsigned int n_bad_iova;
	unsigned int n_iova_runs;
	enum extmem_eal_mode eal;
	char heap[RTE_EXTMEM_NAMESIZE];
	int socket_id;
	uint32_t users;		/* atomic */
	uint32_t app_users;	/* part of users from rte_extmem_region_user_get() */
	void *owner_priv;	/* for the owning heap */
};

TAILQ_HEAD(extmem_region_list, rte_extmem_region);

/* The library-wide writer lock (region, heap, event, dma state). Recursive:
 * event callbacks may query the library. Readers of the translation table
 * never take it.
 */
void extmem_lock(void);
void extmem_unlock(void);
/* Does the calling thread hold extmem_lock? */
bool extmem_lock_held(void);
/* The region list, in creation order; read or changed under extmem_lock. */
struct extmem_region_list *extmem_regions(void);
bool extmem_region_valid(const struct rte_extmem_region *r);
/* Is r a live region? If not, rte_errno EINVAL and a log line. */
#define EXTMEM_REGION_LIVE(r) EXTMEM_LIVE(extmem_region_valid, r, "region")

/* backing.c: obtain/release the memory of a region (r->va, r->len set). */
int extmem_backing_alloc(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p);
void extmem_backing_free(struct rte_extmem_region *r);
size_t extmem_sys_page_size(void);
/* Is the caller's [va, va+len) entirely mapped? 0 and the smallest kernel
 * page size of its mappings in *kpgsz, or -1 with rte_errno EINVAL.
 */
int extmem_backing_caller_range(uintptr_t va, size_t len, size_t *kpgsz);

/* iova.c: fill r->iovas (and pin pages in PA mode). */
int extmem_iova_resolve(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p);
void extmem_iova_release(struct rte_extmem_region *r);
/* Number of maximal IOVA-contiguous runs (unknown pages are runs of their own). */
unsigned int extmem_iova_count_runs(const rte_iova_t *iovas, unsigned int n,
	size_t page_sz);

/* xlate.c: translation table updates (under extmem_lock). */
int extmem_xlate_insert(struct rte_extmem_region *r);
void extmem_xlate_remove(struct rte_extmem_region *r);
/* xlate.c: bytes the table holds (rte_extmem_limits::xlate_mem); lock-free. */
size_t extmem_xlate_mem_size(void);

/* Region creation in steps, for owners (heaps) that register with EAL
 * their own way. extmem_region_new() validates, allocates the backing and
 * resolves IOVAs; extmem_region_publish() enters the translation table,
 * announces the region and links it; extmem_region_unpublish() and
 * extmem_region_delete() undo them.
 */
struct rte_extmem_region *extmem_region_new(
	const struct rte_extmem_region_params *p);
int extmem_region_publish(struct rte_extmem_region *r);
int extmem_region_unpublish(struct rte_extmem_region *r);
void extmem_region_delete(struct rte_extmem_region *r);
/* Users keep a region alive (destroy fails with EBUSY). */
void extmem_region_get(struct rte_extmem_region *r);
void extmem_region_put(struct rte_extmem_region *r);
/* Ranges: does [va, va+len) overlap a region or EAL memory? */
bool extmem_range_in_use(uintptr_t va, size_t len);

/* event.c: announce a region change to subscribers, in subscription order.
 * Returns 0, or -1 with rte_errno ECANCELED after rolling back the
 * subscribers that had accepted the event.
 */
enum extmem_event_kind {
	EXTMEM_EV_REGION_ADD,
	EXTMEM_EV_REGION_REMOVE,
};
int extmem_event_publish(enum extmem_event_kind kind,
	struct rte_extmem_region *r);
/* Start the event bus and the DMA dispatcher (under extmem_lock). */
void extmem_event_init(void);
/* Subscribe a part of the library, ahead of applications; it cannot be
 * unsubscribed.
 */
/*
 * A library subscriber refusing an event with -(EXTMEM_EVENT_KEEP_ERRNO |
 * err) makes the operation fail with err itself rather than ECANCELED
 * (the dispatcher's "no room in a DMA domain": ENOSPC).
 */
#define EXTMEM_EVENT_KEEP_ERRNO 0x10000
int extmem_event_subscribe_internal(const char *name,
	rte_extmem_event_cb_t cb, void *arg);
/* dma.c: the DMA dispatcher, first subscriber of the bus (idempotent). */
void extmem_dma_init(void);

#endif /* EXTMEM_PRIVATE_H */
