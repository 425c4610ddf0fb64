/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_PRIVATE_H
#define EXTMEM_PRIVATE_H

/*
 * What the concerns of librte_extmem share; not installed.
 *
 * Layers, lowest first: core (this header, locks, log, EAL readiness,
 * compat) -> backing -> region (IOVAs and their runs, computed once in
 * r->runs) -> translation -> events -> device mapping -> region
 * operations (EAL registration, translation, announcement, and the
 * explicit start extmem_init()) -> heaps -> mbufs -> observers (limits,
 * telemetry). A file includes only headers of its own layer and below
 * (devtools/check-layers.py, test "layers").
 *
 * extmem_compat.c is the only place that relies on behaviour of EAL,
 * mempool, ethdev or the buses that is not their public API; no other
 * file includes a driver SDK header or defines ALLOW_INTERNAL_API (the
 * same check refuses the known internal symbols elsewhere).
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_branch_prediction.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include <rte_log.h>

#include "rte_extmem.h"

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

/*
 * The start of every *_params_init(): EAL is up and params is not NULL
 * (else false, rte_errno and a log line of the caller, as
 * EXTMEM_EAL_READY()); then *params is zeroed and its struct_size set.
 */
#define EXTMEM_PARAMS_RESET(params) __extension__ ({ \
	bool ok_ = EXTMEM_EAL_READY(); \
	if (ok_ && (params) == NULL) { \
		EXTMEM_FAIL(EINVAL, "params is NULL"); \
		ok_ = false; \
	} \
	if (ok_) { \
		memset((params), 0, sizeof(*(params))); \
		(params)->struct_size = sizeof(*(params)); \
	} \
	ok_; \
})

/*
 * lazy.c: work of constructors (telemetry commands) done only once the
 * library is used in the process, never when it is merely loaded (as a
 * dependency of a driver or of the EAL plugin): extmem_lazy_add() queues
 * it (or runs it at once in a program linking the library, before
 * rte_eal_init()), extmem_lazy_run() runs the queue once (idempotent; no
 * lock held), extmem_lazy_pending() tells whether work still waits.
 */
void extmem_lazy_add(void (*fn)(void));
void extmem_lazy_run(void);
bool extmem_lazy_pending(void);

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

/* [va + va_off, +len) of a region is IOVA-contiguous from iova. */
struct extmem_iova_run {
	size_t va_off;
	rte_iova_t iova;	/* RTE_BAD_IOVA: pages of unknown IOVA */
	size_t len;
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
	/* the memory's file (shareable: a secondary maps fd at fd_offset),
	 * the library's own descriptor; -1: the region is not shared
	 */
	int fd;
	uint64_t fd_offset;
	/* what a secondary maps it with: PROT_READ | PROT_WRITE for the
	 * library's memory, what the caller's mapping allowed at creation
	 * for the caller's
	 */
	int share_prot;
	bool pinned;		/* mlock()ed by the library */
	rte_iova_t *iovas;	/* n_pages entries */
	unsigned int n_bad_iova;
	unsigned int n_iova_runs;	/* reported: n_known_runs */
	/* The region's IOVA runs, computed once (extmem_iova.c) and used by
	 * every consumer: maximal IOVA-contiguous runs of known pages, and
	 * maximal runs of consecutive pages of unknown IOVA (RTE_BAD_IOVA),
	 * in VA order, tiling the region.
	 */
	struct extmem_iova_run *runs;
	unsigned int n_runs;
	unsigned int n_known_runs;	/* of them, with a known IOVA */
	enum extmem_eal_mode eal;
	char heap[RTE_EXTMEM_NAMESIZE];
	int socket_id;
	uint32_t users;		/* atomic */
	uint32_t app_users;	/* part of users from rte_extmem_region_user_get() */
	void *owner_priv;	/* for the owning heap */
	/* multi-process (extmem_mp_*.c) */
	bool mp_prepared;	/* primary: the secondaries agreed it may go */
	bool mp_remote;		/* secondary: the primary's region, attached */
	bool mp_unmapped;	/* secondary: not shared, so not mapped here */
	bool mp_removing;	/* secondary: the primary is removing it */
	bool mp_own;		/* secondary: the primary made it for us */
	bool heap_kept;		/* heap chunk EAL kept after a failed add */
};

TAILQ_HEAD(extmem_region_list, rte_extmem_region);

/*
 * Locking (the rule every file follows):
 *
 * - Operations (whatever changes the library's state: regions, heaps,
 *   subscribers, pools, slicers, device mappings, and the EAL alarm,
 *   ethdev and mempool callbacks that update it) run one at a time:
 *   extmem_op_begin() takes the operation mutex and then the state lock
 *   for writing, extmem_op_end() releases both. Neither lock is recursive.
 * - Queries (info_get, lookup, count, walks, telemetry) take the state
 *   lock for reading only (extmem_query_begin/end), never the operation
 *   mutex: they wait at most for the few instructions a writer needs to
 *   change a list, not for its calls out.
 * - An operation calls out of the library (application event callbacks,
 *   rte_dev_dma_map()/unmap() and so drivers' hooks, EAL heap and mempool
 *   calls that raise callbacks) only between extmem_op_callout_begin() and
 *   _end(), which release and re-take the state lock around the call and
 *   leave the state consistent: what is called may run queries. The
 *   operation mutex stays held, so subscribers see one operation's events
 *   in order.
 * - A thread inside an operation is marked (thread-local): starting a
 *   second operation from a callback or hook is refused with EDEADLK by
 *   that marker, never by asking a lock whether the thread holds it.
 * - Walks copy what they report under the state lock and call their
 *   callback without any lock held.
 * - Helper threads (extmem_thread.c) run steps of an operation that call
 *   nothing of the library and nothing that can call back; they take no
 *   lock of the library, carry no operation marker, and the operation
 *   joins them before it goes on.
 * - The translation table's readers take no lock at all (extmem_xlate.c);
 *   the event bus's subscriber list has its own reader lock for EAL's
 *   memory events, which arrive with EAL's memory lock held.
 */
int extmem_op_begin(void);
void extmem_op_end(void);
/* Is the calling thread inside an operation (callouts included)? */
bool extmem_op_inside(void);
/* Returns whether it released the lock (pass it to _end). */
bool extmem_op_callout_begin(void);
void extmem_op_callout_end(bool began);
void extmem_query_begin(void);
void extmem_query_end(void);

/*
 * Calls that create or destroy regions and heaps: true in the primary;
 * in a secondary false with rte_errno E_RTE_SECONDARY and a log line of
 * the caller (the primary owns the memory; doc multiprocess.rst).
 */
#define EXTMEM_PRIMARY_ONLY() __extension__ ({ \
	bool prim_ = rte_eal_process_type() != RTE_PROC_SECONDARY; \
	if (unlikely(!prim_)) \
		EXTMEM_FAIL(E_RTE_SECONDARY, "refused in a secondary process: " \
			"only the primary creates and destroys regions and " \
			"heaps"); \
	prim_; \
})

/*
 * May a new user (a slice, a pool, a reference) take region r? In a
 * secondary, not a region the primary could not share (EACCES) nor one
 * the primary is removing (EBUSY): -1 with rte_errno and a log line.
 */
int extmem_region_use_check(const struct rte_extmem_region *r);

/*
 * Start an operation; when the thread is inside one already, false with
 * rte_errno EDEADLK and a log line of the caller.
 */
#define EXTMEM_OP_BEGIN() __extension__ ({ \
	bool ok_ = extmem_op_begin() == 0; \
	if (unlikely(!ok_)) \
		EXTMEM_FAIL(EDEADLK, "refused: called from inside an " \
			"operation of this library in the same thread (an " \
			"event callback or a driver hook)"); \
	ok_; \
})

/* The region list, in creation order (state lock). */
struct extmem_region_list *extmem_regions(void);
bool extmem_region_valid(const struct rte_extmem_region *r);
/* Is r a live region? If not, rte_errno EINVAL and a log line. */
#define EXTMEM_REGION_LIVE(r) EXTMEM_LIVE(extmem_region_valid, r, "region")

/*
 * backing.c: where a region's pages come from, one ops table per backing
 * (mempool ops are the model): its rules (page sizes, length alignment)
 * and its alloc/free.
 */
enum extmem_backing_pgsz_rule {
	EXTMEM_BACKING_PGSZ_ANY = 0,	/* any power of two >= the base page */
	EXTMEM_BACKING_PGSZ_BASE,	/* the system's base page only */
	EXTMEM_BACKING_PGSZ_HUGE,	/* a hugepage size only */
};
struct extmem_backing_ops {
	const char *name;
	bool caller_mem;	/* the caller's memory (address given) */
	bool page_sz_detect;	/* default page size: the mapping's */
	enum extmem_backing_pgsz_rule page_sz_rule;
	size_t default_page_sz;	/* 0: the system's base page */
	size_t len_align;	/* lengths a multiple of it too (0: none) */
	/* obtain the memory (r->va; r->len, r->page_sz set), or -1 */
	int (*alloc)(struct rte_extmem_region *r,
		const struct rte_extmem_region_params *p);
	void (*free)(struct rte_extmem_region *r);
};
/* The ops of a backing, NULL if unknown. */
const struct extmem_backing_ops *extmem_backing_ops(
	enum rte_extmem_backing backing);
/* The page size a backing uses when none is asked for (caller memory:
 * see page_sz_detect).
 */
size_t extmem_backing_default_page_sz(enum rte_extmem_backing backing);
/* len rounded up to what the backing needs (THP: whole 2M pages). */
size_t extmem_backing_len_round(enum rte_extmem_backing backing, size_t len);
/* backing.c: obtain/release the memory of a region (r->va, r->len set). */
int extmem_backing_alloc(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p);
void extmem_backing_free(struct rte_extmem_region *r);
size_t extmem_sys_page_size(void);
/* thread.c: the CPUs helper threads run on in *set (the caller's and
 * the idle EAL lcores'), and how many; how many CPUs the calling thread
 * may run on (0: unknown); start a helper thread bound to that set
 * (pthread_create()'s return). A helper calls nothing of the library and
 * nothing that can call back; the operation that starts one joins it.
 */
unsigned int extmem_thread_cpus(rte_cpuset_t *set);
unsigned int extmem_thread_self_cpus(void);
int extmem_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);
/* Is the caller's [va, va+len) entirely mapped? 0 and the smallest kernel
 * page size of its mappings in *kpgsz, or -1 with rte_errno EINVAL.
 */
int extmem_backing_caller_range(uintptr_t va, size_t len, size_t *kpgsz);
/* Is [va, va+len) a shared mapping of the regular file fd from offset off,
 * which is large enough? 0, or -1 with rte_errno EINVAL and a log line.
 */
int extmem_backing_caller_fd_check(const char *name, uintptr_t va,
	size_t len, int fd, uint64_t off);

/*
 * backing_va.c: the library's VA window (rte_extmem.h). Map len bytes
 * read-write (flags and fd as for mmap, offset 0) at a free address of
 * the window aligned to align (at least the system page), or NULL with
 * rte_errno ENOMEM (window full, mmap failed) or EINVAL (the environment
 * variable is malformed) and a log line naming what. Unmap with
 * extmem_va_unmap(), which makes the range free for the next.
 */
void *extmem_va_map(const char *what, size_t len, size_t align, int flags,
	int fd);
void extmem_va_unmap(void *addr, size_t len);

/* iova.c: fill r->iovas (and pin pages in PA mode). */
/* Threads that resolving r's IOVAs pins it with (PA mode: pinning and
 * pagemap reads), 0 if it does not pin.
 */
unsigned int extmem_iova_pin_threads(const struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p);
/*
 * Work to run beside a region's pinning by one thread: once the pages
 * are locked, fn(arg) runs in the calling thread while a helper thread
 * (extmem_thread_start()) reads their pagemap entries; ran says whether
 * it ran (it does not when the pinning fails or is not by one thread).
 */
struct extmem_pin_beside {
	void *(*fn)(void *arg);
	void *arg;
	bool ran;
};
/* Fill r->iovas (and pin pages in PA mode); beside may be NULL. */
int extmem_iova_resolve(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p,
	struct extmem_pin_beside *beside);
void extmem_iova_release(struct rte_extmem_region *r);
/* r->runs (and the run counts) from r->iovas. */
int extmem_iova_runs_build(struct rte_extmem_region *r);
/* The run of r holding byte offset off (< r->len); its index. */
unsigned int extmem_iova_run_find(const struct rte_extmem_region *r,
	size_t off);

/* xlate.c: translation table updates (inside an operation). */
int extmem_xlate_insert(struct rte_extmem_region *r);
void extmem_xlate_remove(struct rte_extmem_region *r);
/* xlate.c: bytes the table holds (rte_extmem_limits::xlate_mem); lock-free. */
size_t extmem_xlate_mem_size(void);

/* Region creation in steps, for owners (heaps) that register with EAL
 * their own way. extmem_region_new() validates, allocates the backing and
 * resolves IOVAs: extmem_region_begin() (validation, backing, no IOVAs
 * yet) then extmem_region_resolve() (IOVAs and runs; on failure the
 * region is still to be deleted); extmem_region_publish() enters the
 * translation table, announces the region and links it;
 * extmem_region_unpublish() and extmem_region_delete() undo them.
 */
struct rte_extmem_region *extmem_region_new(
	const struct rte_extmem_region_params *p);
struct rte_extmem_region *extmem_region_begin(
	const struct rte_extmem_region_params *p);
int extmem_region_resolve(struct rte_extmem_region *r,
	const struct rte_extmem_region_params *p,
	struct extmem_pin_beside *beside);
int extmem_region_publish(struct rte_extmem_region *r);
/*
 * One operation: destroy region name of ID id if owned(r, arg) says so
 * (called inside it: the region cannot change meanwhile); -1 with
 * rte_errno ENOENT (no such region, or another of that name), EPERM (not
 * owned) or what the destroy gives, and a log line.
 */
int extmem_region_destroy_owned(const char *name, uint32_t id,
	bool (*owned)(const struct rte_extmem_region *r, void *arg),
	void *arg);
int extmem_region_unpublish(struct rte_extmem_region *r);
void extmem_region_delete(struct rte_extmem_region *r);
/* The public description of a region (under the state lock). */
void extmem_region_fill_info(const struct rte_extmem_region *r,
	struct rte_extmem_region_info *info);
/* Users keep a region alive (destroy fails with EBUSY). */
void extmem_region_get(struct rte_extmem_region *r);
void extmem_region_put(struct rte_extmem_region *r);
/* Ranges: does [va, va+len) overlap a region or EAL memory? */
bool extmem_range_in_use(uintptr_t va, size_t len);

/*
 * region_ops.c: in a secondary, rte_extmem_region_create() and _destroy()
 * go through these (set by the secondary views layer: the primary does
 * them for it); without them they are refused with E_RTE_SECONDARY.
 */
void extmem_region_proxy_set(
	struct rte_extmem_region *(*create)(
		const struct rte_extmem_region_params *p),
	int (*destroy)(struct rte_extmem_region *r));

/* region_ops.c: the library's explicit start (the event bus, then the DMA
 * dispatcher), idempotent, inside an operation.
 */
void extmem_init(void);
/* Outside any operation: extmem_init() as an operation of its own. */
void extmem_start(void);
/* dma.c: the DMA dispatcher, first subscriber of the bus (idempotent). */
void extmem_dma_init(void);

#endif /* EXTMEM_PRIVATE_H */
