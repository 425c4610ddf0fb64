/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * A secondary's side of multi-process (extmem_mp_proto.h for the wire):
 * the attach during rte_eal_init() (the compat bus's probe), the views of
 * the primary's regions and heaps it builds, and the thread that applies
 * the primary's later changes and answers them.
 *
 * A view region is a struct rte_extmem_region like the primary's, with
 * the primary's name, address, length, page size and IOVAs (from its
 * runs, never re-read here), mapped at the same address from the fd the
 * primary sent (MAP_FIXED_NOREPLACE: a clash is an error naming what
 * holds the address), attached to EAL (rte_malloc_heap_memory_attach()
 * for a heap chunk, rte_extmem_attach() for a region alone) and entered
 * in this process's translation table; it is never announced on this
 * process's event bus (the primary owns the devices). A view heap has the
 * primary's name and socket ID and lives while it has regions. A region
 * the primary cannot share is listed, marked, and not mapped; a heap
 * with such a region is refused as a whole (EAL's allocator would walk
 * its unmapped chunk): its regions are listed unmapped, it has no view.
 *
 * Locking: views change inside operations of this process, EAL is called
 * with the state lock released (its memory events may query).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_tailq.h>

#include "extmem_compat.h"
#include "extmem_event_private.h"
#include "extmem_heap_private.h"
#include "extmem_mp_private.h"
#include "extmem_mp_proto.h"
#include "extmem_mp_secondary.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* The secondary's state, changed by the attach (EAL init thread), then
 * by the client thread and by the stop (which marks it detached before
 * it ends the connection), under sec_lock; conn_fd is read under it and
 * closed with req_lock held too.
 */
static pthread_mutex_t sec_lock = PTHREAD_MUTEX_INITIALIZER;
static struct extmem_mp_secondary_stats sec;
static int conn_fd = -1;
static pthread_t client_thread;
static bool client_running;

/* Requests to the primary (region creation, destruction): one at a time
 * (req_lock, held from the request to its answer or its ABANDON: the
 * primary refuses a second one with EBUSY), answered by DONE, which the
 * client thread records under sec_lock.
 */
#define REQ_TIMEOUT_MS_DEFAULT 60000
static pthread_mutex_t req_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond;
static uint64_t req_seq, done_seq;
static int done_result;
static char done_text[EXTMEM_MP_TEXT];

/* Heaps refused (they hold memory the primary cannot share). */
struct refused_heap {
	TAILQ_ENTRY(refused_heap) next;
	char name[RTE_EXTMEM_NAMESIZE];
};
static TAILQ_HEAD(, refused_heap) refused =
	TAILQ_HEAD_INITIALIZER(refused);

static bool
heap_refused(const char *name)
{
	return EXTMEM_TAILQ_FIND(&refused, h, strcmp(h->name, name) == 0) !=
		NULL;
}

/* Refuse heap d->heap: it holds region d, which cannot be shared. */
static int
heap_refuse(const struct extmem_mp_region_desc *d)
{
	struct refused_heap *h;

	if (heap_refused(d->heap))
		return 0;
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory to refuse heap %s", d->heap);
		return -1;
	}
	snprintf(h->name, sizeof(h->name), "%s", d->heap);
	TAILQ_INSERT_TAIL(&refused, h, next);
	EXTMEM_LOG(ERR, "heap %s of the primary is refused in this process: "
		"its region %s cannot be shared (private memory, no file "
		"descriptor); allocating from socket %d here would touch "
		"unmapped memory", d->heap, d->name, d->socket_id);
	pthread_mutex_lock(&sec_lock);
	sec.n_heaps_refused++;
	if (sec.refused[0] == '\0')
		snprintf(sec.refused, sizeof(sec.refused), "heap %s (region %s "
			"is not shared)", d->heap, d->name);
	pthread_mutex_unlock(&sec_lock);
	return 0;
}

/* The mapping of this process holding an address of [va, +len). */
static void
maps_holder(uintptr_t va, size_t len, char *buf, size_t size)
{
	char line[512];
	FILE *f;

	snprintf(buf, size, "an unknown mapping");
	f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2 || e <= va ||
				s >= va + len)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "[%s]", line);
		break;
	}
	fclose(f);
}

static struct rte_extmem_region *
view_find(const char *name)
{
	return EXTMEM_TAILQ_FIND(extmem_regions(), r,
		r->mp_remote && strcmp(r->name, name) == 0);
}

static struct rte_extmem_heap *
view_heap_find(const char *name)
{
	return EXTMEM_TAILQ_FIND(extmem_heaps(), h, strcmp(h->name, name) == 0);
}

/* Inside an operation: r joins the view of its heap (made if needed). */
static int
view_heap_join(struct rte_extmem_region *r)
{
	struct rte_extmem_heap *h = view_heap_find(r->heap);
	struct rte_extmem_region **a;

	if (h == NULL) {
		h = calloc(1, sizeof(*h));
		if (h == NULL)
			goto nomem;
		snprintf(h->name, sizeof(h->name), "%s", r->heap);
		h->socket_id = r->socket_id;
		rte_extmem_region_params_init(&h->tmpl);
		h->page_sz = r->page_sz;
		h->magic = EXTMEM_HEAP_MAGIC;
		TAILQ_INSERT_TAIL(extmem_heaps(), h, next);
	}
	if (h->n_regions == h->cap_regions) {
		unsigned int cap = h->cap_regions == 0 ? 4 :
			h->cap_regions * 2;

		a = realloc(h->regions, sizeof(*a) * cap);
		if (a == NULL)
			goto nomem;
		h->regions = a;
		h->cap_regions = cap;
	}
	h->regions[h->n_regions++] = r;
	h->size += r->len;
	r->owner_priv = h;
	return 0;
nomem:
	if (h != NULL && h->n_regions == 0) {
		TAILQ_REMOVE(extmem_heaps(), h, next);
		free(h);
	}
	EXTMEM_FAIL(ENOMEM, "no memory for the view of heap %s", r->heap);
	return -1;
}

static void
view_heap_leave(struct rte_extmem_region *r)
{
	struct rte_extmem_heap *h = r->owner_priv;
	unsigned int i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n_regions; i++)
		if (h->regions[i] == r) {
			memmove(&h->regions[i], &h->regions[i + 1],
				sizeof(h->regions[0]) * (h->n_regions - i - 1));
			h->n_regions--;
			h->size -= r->len;
			break;
		}
	r->owner_priv = NULL;
	if (h->n_regions > 0)
		return;
	TAILQ_REMOVE(extmem_heaps(), h, next);
	h->magic = 0;
	free(h->regions);
	free(h);
}

/* The per-page IOVAs and the runs of r, from the primary's runs. */
static int
view_iovas(struct rte_extmem_region *r, int runs_fd, unsigned int n_runs)
{
	struct extmem_iova_run *runs;
	unsigned int i, p = 0, k;

	runs = extmem_mp_runs_read(runs_fd, n_runs);
	if (runs == NULL) {
		EXTMEM_FAIL(EPROTO, "region %s: cannot read its IOVA runs: %s",
			r->name, strerror(errno));
		return -1;
	}
	r->iovas = malloc(sizeof(*r->iovas) * r->n_pages);
	if (r->iovas == NULL) {
		free(runs);
		EXTMEM_FAIL(ENOMEM, "region %s: no memory for %u IOVAs",
			r->name, r->n_pages);
		return -1;
	}
	for (i = 0; i < n_runs; i++) {
		if (runs[i].va_off != (size_t)p * r->page_sz ||
				runs[i].len % r->page_sz != 0 ||
				runs[i].len / r->page_sz > r->n_pages - p)
			break;
		for (k = 0; k < runs[i].len / r->page_sz; k++, p++)
			r->iovas[p] = runs[i].iova == RTE_BAD_IOVA ?
				RTE_BAD_IOVA : runs[i].iova +
					(size_t)k * r->page_sz;
	}
	free(runs);
	if (i != n_runs || p != r->n_pages) {
		EXTMEM_FAIL(EPROTO, "region %s: its IOVA runs do not tile it",
			r->name);
		return -1;
	}
	return extmem_iova_runs_build(r);
}

/* EAL's view of the memory, as the primary registered it. */
static int
view_eal(struct rte_extmem_region *r, bool attach)
{
	unsigned int self = extmem_event_eal_self_begin();
	bool heap = r->eal == EXTMEM_EAL_HEAP;
	int ret;

	if (heap)
		ret = attach ? rte_malloc_heap_memory_attach(r->heap,
				(void *)r->va, r->len) :
			rte_malloc_heap_memory_detach(r->heap, (void *)r->va,
				r->len);
	else
		ret = attach ? rte_extmem_attach((void *)r->va, r->len) :
			rte_extmem_detach((void *)r->va, r->len);
	extmem_event_eal_self_end(self);
	return ret;
}

/*
 * Inside an operation: the view of region d (fds: its memory and runs,
 * closed here unless kept), mapped unless unmapped; linked. NULL with
 * rte_errno and a log line; nothing left behind.
 */
static struct rte_extmem_region *
view_region_new(const struct extmem_mp_region_desc *d, int fds[2],
	bool unmapped)
{
	char holder[600];
	struct rte_extmem_region *r;
	bool callout;
	void *va;
	int err;

	/* what comes from another process is checked before it is used */
	if (d->name[0] == '\0' || d->page_sz < 4096 ||
			(d->page_sz & (d->page_sz - 1)) != 0 || d->len == 0 ||
			d->len % d->page_sz != 0 || d->va % d->page_sz != 0 ||
			d->va + d->len < d->va ||
			d->len / d->page_sz > UINT32_MAX) {
		EXTMEM_FAIL(EPROTO, "region %s: malformed description from "
			"the primary (%#" PRIx64 " +%" PRIu64 ", pages of %"
			PRIu64 ")", d->name, d->va, d->len, d->page_sz);
		goto fail_fds;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		EXTMEM_FAIL(ENOMEM, "no memory for the view of region %s",
			d->name);
		goto fail_fds;
	}
	snprintf(r->name, sizeof(r->name), "%s", d->name);
	snprintf(r->heap, sizeof(r->heap), "%s", d->heap);
	r->backing = (enum rte_extmem_backing)d->backing;
	r->va = (uintptr_t)d->va;
	r->len = (size_t)d->len;
	r->page_sz = (size_t)d->page_sz;
	r->n_pages = (unsigned int)(d->len / d->page_sz);
	r->numa_node = d->numa_node;
	r->flags = d->flags;
	r->socket_id = d->socket_id;
	r->id = d->id;
	r->n_bad_iova = d->n_bad_iova;
	r->n_iova_runs = d->n_iova_runs;
	r->fd = -1;
	r->mp_remote = true;
	/* attached between the primary's PREPARE and its REMOVE */
	r->mp_removing = d->removing != 0;
	r->eal = d->eal == EXTMEM_MP_EAL_HEAP ? EXTMEM_EAL_HEAP :
		EXTMEM_EAL_EXTMEM;
	if (!unmapped && d->shared && (fds[0] < 0 || fds[1] < 0)) {
		/* never taken for memory the primary does not share */
		EXTMEM_FAIL(EMFILE, "region %s: its file descriptors did not "
			"arrive (this process at its RLIMIT_NOFILE?)", r->name);
		goto fail;
	}
	if (unmapped || !d->shared) {
		r->mp_unmapped = true;
		r->eal = EXTMEM_EAL_NONE;
		goto link;
	}
	if (view_iovas(r, fds[1], d->n_runs) != 0)
		goto fail;
	close(fds[1]);
	fds[1] = -1;
	callout = extmem_op_callout_begin();
	extmem_mp_test_delay();
	/* never more than the primary's mapping allows (device memory the
	 * CPU must not touch stays PROT_NONE)
	 */
	va = mmap((void *)r->va, r->len, d->prot & (PROT_READ | PROT_WRITE),
		MAP_SHARED | MAP_FIXED_NOREPLACE, fds[0], (off_t)d->fd_offset);
	if (va != (void *)r->va) {
		err = va == MAP_FAILED ? errno : EEXIST;
		if (va != MAP_FAILED)
			munmap(va, r->len); /* old kernel: no NOREPLACE */
		maps_holder(r->va, r->len, holder, sizeof(holder));
		extmem_op_callout_end(callout);
		if (err == EEXIST)
			EXTMEM_FAIL(EADDRINUSE, "region %s: its address range "
				"[%p, +%zu) is taken in this process by %s: "
				"start the primary with another "
				"--base-virtaddr or create the region "
				"elsewhere", r->name,
				(void *)r->va, r->len, holder);
		else
			EXTMEM_FAIL(err == ENOMEM ? ENOMEM : EACCES,
				"region %s: cannot map [%p, +%zu): %s", r->name,
				(void *)r->va, r->len, strerror(err));
		goto fail;
	}
	r->map_addr = va;
	r->map_len = r->len;
	r->fd = fds[0];
	fds[0] = -1;
	if (d->eal_later) {
		/* a heap chunk EAL does not list yet: ATTACH follows */
		r->eal = EXTMEM_EAL_NONE;
	} else if (view_eal(r, true) != 0) {
		err = rte_errno;
		extmem_op_callout_end(callout);
		EXTMEM_FAIL(err, "region %s: EAL cannot attach it: %s",
			r->name, rte_strerror(err));
		r->eal = EXTMEM_EAL_NONE;
		goto fail;
	}
	extmem_op_callout_end(callout);
	if (extmem_xlate_insert(r) != 0) {
		err = rte_errno;
		callout = extmem_op_callout_begin();
		view_eal(r, false);
		extmem_op_callout_end(callout);
		rte_errno = err;
		goto fail;
	}
link:
	if (r->heap[0] != '\0' && !r->mp_unmapped &&
			view_heap_join(r) != 0) {
		err = rte_errno;
		extmem_xlate_remove(r);
		callout = extmem_op_callout_begin();
		view_eal(r, false);
		extmem_op_callout_end(callout);
		rte_errno = err;
		goto fail;
	}
	r->magic = EXTMEM_REGION_MAGIC;
	TAILQ_INSERT_TAIL(extmem_regions(), r, next);
	EXTMEM_LOG(DEBUG, "region %s of the primary: %s at %p +%zu%s%s",
		r->name, r->mp_unmapped ? "listed, not mapped" : "attached",
		(void *)r->va, r->len, r->heap[0] != '\0' ? ", heap " : "",
		r->heap);
	goto close_fds;
fail:
	err = rte_errno;
	extmem_region_delete(r);
	rte_errno = err;
	r = NULL;
	goto close_fds;
fail_fds:
	r = NULL;
close_fds:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	fds[0] = fds[1] = -1;
	return r;
}

/* Inside an operation: the view of r goes. */
static void
view_region_delete(struct rte_extmem_region *r)
{
	bool callout;

	TAILQ_REMOVE(extmem_regions(), r, next);
	r->magic = 0;
	view_heap_leave(r);
	if (r->mp_unmapped) {
		extmem_region_delete(r);
		return;
	}
	extmem_xlate_remove(r);
	if (__atomic_load_n(&r->users, __ATOMIC_ACQUIRE) != 0) {
		/* a rolled back addition someone here took already: it stays
		 * mapped (its memory lives while mapped), unknown otherwise
		 */
		EXTMEM_LOG(ERR, "region %s: withdrawn by the primary while "
			"%u users hold it here: left mapped", r->name,
			__atomic_load_n(&r->users, __ATOMIC_ACQUIRE));
		return;
	}
	callout = extmem_op_callout_begin();
	if (r->eal != EXTMEM_EAL_NONE && view_eal(r, false) != 0)
		EXTMEM_LOG(ERR, "region %s: EAL detach failed: %s", r->name,
			rte_strerror(rte_errno));
	extmem_op_callout_end(callout);
	extmem_region_delete(r);
}

/* A heap chunk's EAL step (ATTACH, DETACH); its mapping stays. */
static int
view_region_eal(struct rte_extmem_region *r, bool attach, char *text,
	size_t size)
{
	bool callout;
	int err = 0;

	if (r->mp_unmapped || (r->eal != EXTMEM_EAL_NONE) == attach)
		return 0;
	r->eal = EXTMEM_EAL_HEAP;
	callout = extmem_op_callout_begin();
	if (view_eal(r, attach) != 0)
		err = rte_errno;
	extmem_op_callout_end(callout);
	if (err != 0) {
		snprintf(text, size, "region %s: EAL cannot %s it: %s", r->name,
			attach ? "attach" : "detach", rte_strerror(err));
		EXTMEM_LOG(ERR, "%s", text);
		if (attach)
			r->eal = EXTMEM_EAL_NONE;
		return err;
	}
	if (!attach)
		r->eal = EXTMEM_EAL_NONE;
	return 0;
}

/*
 * Tests (EXTMEM_MP_TEST_HEAP_ORDER set): a heap chunk EAL's heap lists
 * before this process mapped it is refused (EAL's allocator here could
 * hand it out unmapped).
 */
static int
test_heap_order(const struct extmem_mp_region_desc *d, char *text,
	size_t size)
{
	if (d->heap[0] == '\0' || getenv("EXTMEM_MP_TEST_HEAP_ORDER") == NULL ||
			rte_mem_virt2memseg_list((void *)(uintptr_t)d->va) ==
			NULL)
		return 0;
	snprintf(text, size, "heap %s: EAL lists region %s before this "
		"process mapped it", d->heap, d->name);
	EXTMEM_LOG(ERR, "%s: refused", text);
	return EPROTO;
}

/* A region the primary added: its view; an error text for the answer. */
static int
apply_add(const struct extmem_mp_region_desc *d, int fds[2], char *text,
	size_t size)
{
	bool heap = d->heap[0] != '\0';
	int err;

	err = test_heap_order(d, text, size);
	if (err != 0)
		return err;

	if (heap && !d->shared && view_heap_find(d->heap) != NULL) {
		snprintf(text, size, "heap %s is in use here and region %s "
			"cannot be shared (not backed by a file descriptor)",
			d->heap, d->name);
		EXTMEM_LOG(ERR, "%s: refused", text);
		return EACCES;
	}
	if (heap && !d->shared && heap_refuse(d) != 0) {
		snprintf(text, size, "%s", rte_strerror(rte_errno));
		return rte_errno;
	}
	if (view_region_new(d, fds, heap && heap_refused(d->heap)) == NULL) {
		snprintf(text, size, "region %s: %s", d->name,
			rte_strerror(rte_errno));
		return rte_errno;
	}
	return 0;
}

static void
views_clear(void)
{
	struct rte_extmem_region *r, *t;

	RTE_TAILQ_FOREACH_SAFE(r, extmem_regions(), next, t)
		if (r->mp_remote)
			view_region_delete(r);
}

static int
answer(uint64_t seq, int result, const char *text)
{
	struct extmem_mp_msg m;

	extmem_mp_msg_init(&m, EXTMEM_MP_ACK, seq);
	m.result = result;
	snprintf(m.text, sizeof(m.text), "%s", text);
	extmem_mp_test_delay();
	return extmem_mp_send(conn_fd, &m, NULL, 0);
}

/* One change of the primary, inside an operation; its answer. */
static int
apply_change(const struct extmem_mp_msg *m, int fds[2], char *text,
	size_t size)
{
	struct rte_extmem_region *r;
	uint32_t users;

	if (m->type == EXTMEM_MP_ADD)
		return apply_add(&m->r, fds, text, size);
	r = view_find(m->r.name);
	if (r == NULL)
		return 0;	/* never attached here (refused, failed add) */
	switch (m->type) {
	case EXTMEM_MP_PREPARE:
		users = __atomic_load_n(&r->users, __ATOMIC_ACQUIRE);
		if (users != 0) {
			snprintf(text, size, "region %s has %u users here "
				"(slices, pools or references)", r->name,
				users);
			return EBUSY;
		}
		r->mp_removing = true;
		return 0;
	case EXTMEM_MP_CANCEL:
		r->mp_removing = false;
		return 0;
	case EXTMEM_MP_REMOVE:
		view_region_delete(r);
		return 0;
	case EXTMEM_MP_ATTACH:
	case EXTMEM_MP_DETACH:
		return view_region_eal(r, m->type == EXTMEM_MP_ATTACH, text,
			size);
	default:
		snprintf(text, size, "unknown change %u", m->type);
		return EPROTO;
	}
}

static void *
client_main(void *arg __rte_unused)
{
	char text[EXTMEM_MP_TEXT];
	struct extmem_mp_msg m;
	int fds[EXTMEM_MP_MAX_FDS], ret, res;

	for (;;) {
		ret = extmem_mp_recv(conn_fd, &m, fds);
		if (ret <= 0)
			break;
		if (m.type == EXTMEM_MP_DONE) {
			pthread_mutex_lock(&sec_lock);
			done_seq = m.seq;
			done_result = m.result;
			snprintf(done_text, sizeof(done_text), "%s", m.text);
			pthread_cond_broadcast(&done_cond);
			pthread_mutex_unlock(&sec_lock);
			continue;
		}
		text[0] = '\0';
		extmem_mp_test_delay();
		RTE_VERIFY(extmem_op_begin() == 0);
		res = apply_change(&m, fds, text, sizeof(text));
		extmem_op_end();
		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		pthread_mutex_lock(&sec_lock);
		sec.seq = m.seq;
		sec.n_changes++;
		pthread_mutex_unlock(&sec_lock);
		if (answer(m.seq, res, text) != 0)
			break;
	}
	pthread_mutex_lock(&sec_lock);
	pthread_cond_broadcast(&done_cond);	/* no answer will come */
	if (sec.state == RTE_EXTMEM_MP_STATE_ATTACHED) {
		sec.state = RTE_EXTMEM_MP_STATE_PRIMARY_GONE;
		EXTMEM_LOG(INFO, "the primary closed the connection: its later "
			"changes are not seen here");
	}
	pthread_mutex_unlock(&sec_lock);
	return NULL;
}

/* The snapshot, as received: its messages and their fds. */
struct snap_item {
	struct extmem_mp_msg m;
	int fds[EXTMEM_MP_MAX_FDS];
};

static void
snap_free(struct snap_item *items, unsigned int n)
{
	unsigned int i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < EXTMEM_MP_MAX_FDS; k++)
			if (items[i].fds[k] >= 0)
				close(items[i].fds[k]);
	free(items);
}

/* Receive the snapshot up to SNAP_END (its change number in *seq). */
static int
snap_recv(struct snap_item **itemsp, unsigned int *np, uint64_t *seq)
{
	struct snap_item *items = NULL, *a;
	unsigned int n = 0, cap = 0;
	struct extmem_mp_msg m;
	int fds[EXTMEM_MP_MAX_FDS], ret;

	for (;;) {
		ret = extmem_mp_recv(conn_fd, &m, fds);
		if (ret <= 0) {
			EXTMEM_FAIL(ret == 0 ? ECONNRESET : EPROTO, "the "
				"primary ended the attach: %s", ret == 0 ?
				"connection closed" : strerror(errno));
			goto fail;
		}
		if (m.type == EXTMEM_MP_SNAP_END) {
			*seq = m.seq;
			break;
		}
		if (m.type != EXTMEM_MP_SNAP_REGION) {
			EXTMEM_FAIL(EPROTO, "unexpected message %u during the "
				"attach", m.type);
			goto fail_fds;
		}
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			a = realloc(items, sizeof(*items) * cap);
			if (a == NULL) {
				EXTMEM_FAIL(ENOMEM, "no memory for the "
					"snapshot");
				goto fail_fds;
			}
			items = a;
		}
		items[n].m = m;
		memcpy(items[n].fds, fds, sizeof(fds));
		n++;
	}
	*itemsp = items;
	*np = n;
	return 0;
fail_fds:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
fail:
	snap_free(items, n);
	return -1;
}

/* Heaps of the snapshot holding a region that cannot be shared. */
static int
snap_refuse_heaps(const struct snap_item *items, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct extmem_mp_region_desc *d = &items[i].m.r;

		if (d->heap[0] != '\0' && !d->shared && heap_refuse(d) != 0)
			return -1;
	}
	return 0;
}

static int
snap_apply(struct snap_item *items, unsigned int n)
{
	unsigned int i;
	int ret = 0;

	if (snap_refuse_heaps(items, n) != 0)
		return -1;
	RTE_VERIFY(extmem_op_begin() == 0);
	for (i = 0; i < n && ret == 0; i++) {
		const struct extmem_mp_region_desc *d = &items[i].m.r;

		extmem_mp_test_delay();
		if (view_region_new(d, items[i].fds, d->heap[0] != '\0' &&
				heap_refused(d->heap)) == NULL)
			ret = -1;
	}
	if (ret != 0) {
		int err = rte_errno;

		views_clear();
		rte_errno = err;
	}
	extmem_op_end();
	return ret;
}

static int
attach_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[sizeof(sa.sun_path)];
	int fd;

	if (extmem_mp_socket_path(path, sizeof(path)) != 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		EXTMEM_LOG(DEBUG, "no multi-process service of the library in "
			"the primary (%s: %s): nothing to attach", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
attach_failed(int err)
{
	pthread_mutex_lock(&sec_lock);
	sec.state = RTE_EXTMEM_MP_STATE_FAILED;
	sec.error = err;
	pthread_mutex_unlock(&sec_lock);
}

int
extmem_mp_secondary_attach(void)
{
	struct snap_item *items = NULL;
	struct extmem_mp_msg m;
	unsigned int n = 0, i, n_mapped = 0;
	uint64_t seq = 0;
	int err;

	const char *no = getenv("EXTMEM_MP_NO_ATTACH");
	struct timespec t0, t1;

	if (rte_eal_process_type() != RTE_PROC_SECONDARY)
		return 0;
	if (no != NULL && strcmp(no, "1") == 0) {
		EXTMEM_LOG(INFO, "EXTMEM_MP_NO_ATTACH=1: not attaching to the "
			"primary's external memory");
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	conn_fd = attach_connect();
	if (conn_fd < 0)
		return 0;
	extmem_mp_msg_init(&m, EXTMEM_MP_HELLO, 0);
	if (extmem_mp_send(conn_fd, &m, NULL, 0) != 0) {
		EXTMEM_FAIL(ECONNRESET, "cannot reach the primary: %s",
			strerror(errno));
		goto fail;
	}
	if (snap_recv(&items, &n, &seq) != 0)
		goto fail;
	for (i = 0; i < n; i++)
		n_mapped += items[i].m.r.shared;
	if (snap_apply(items, n) != 0) {
		err = rte_errno;
		answer(seq, err, "attach failed (see its log)");
		snap_free(items, n);
		rte_errno = err;
		goto fail;
	}
	snap_free(items, n);
	pthread_mutex_lock(&sec_lock);
	sec.state = RTE_EXTMEM_MP_STATE_ATTACHED;
	sec.seq = seq;
	pthread_mutex_unlock(&sec_lock);
	if (answer(seq, 0, "") == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		sec.attach_ns = (uint64_t)(t1.tv_sec - t0.tv_sec) *
			1000000000ull + t1.tv_nsec - t0.tv_nsec;
	}
	if (sec.attach_ns == 0 ||
			rte_ctrl_thread_create(&client_thread, "extmem-mp-sec",
				NULL, client_main, NULL) != 0) {
		EXTMEM_LOG(ERR, "attached, but cannot follow the primary's "
			"changes: detaching");
		RTE_VERIFY(extmem_op_begin() == 0);
		views_clear();
		extmem_op_end();
		rte_errno = ECONNRESET;
		goto fail;
	}
	client_running = true;
	/* the library is in use here: what its constructors deferred */
	extmem_lazy_run();
	EXTMEM_LOG(INFO, "attached to the primary's external memory: %u "
		"regions (%u shared), change %" PRIu64, n, n_mapped, seq);
	return 0;
fail:
	err = rte_errno;
	EXTMEM_LOG(ERR, "attach to the primary's external memory failed: %s",
		rte_strerror(err));
	close(conn_fd);
	conn_fd = -1;
	attach_failed(err);
	return -1;
}

void
extmem_mp_secondary_stop(void)
{
	int fd;

	if (!client_running)
		return;
	/* detached first: the end of the connection is ours, not the
	 * primary's, and a request waiting for its answer gives up
	 */
	pthread_mutex_lock(&sec_lock);
	if (sec.state == RTE_EXTMEM_MP_STATE_ATTACHED ||
			sec.state == RTE_EXTMEM_MP_STATE_PRIMARY_GONE)
		sec.state = RTE_EXTMEM_MP_STATE_DETACHED;
	fd = conn_fd;
	pthread_cond_broadcast(&done_cond);
	pthread_mutex_unlock(&sec_lock);
	/* the primary stops waiting for us at once (end of file) */
	shutdown(fd, SHUT_RDWR);
	pthread_join(client_thread, NULL);
	client_running = false;
	/* no request uses the descriptor any more */
	pthread_mutex_lock(&req_lock);
	pthread_mutex_lock(&sec_lock);
	conn_fd = -1;
	pthread_mutex_unlock(&sec_lock);
	pthread_mutex_unlock(&req_lock);
	close(fd);
}

void
extmem_mp_secondary_stats(struct extmem_mp_secondary_stats *st)
{
	pthread_mutex_lock(&sec_lock);
	*st = sec;
	pthread_mutex_unlock(&sec_lock);
}

/* How long a request waits for its answer (EXTMEM_MP_REQUEST_TIMEOUT_MS,
 * read once; under req_lock).
 */
static long
req_timeout_ms(void)
{
	static long ms;
	const char *v;

	if (ms == 0) {
		v = getenv("EXTMEM_MP_REQUEST_TIMEOUT_MS");
		ms = v != NULL ? strtol(v, NULL, 10) : 0;
		if (ms <= 0)
			ms = REQ_TIMEOUT_MS_DEFAULT;
	}
	return ms;
}

/*
 * Ask the primary (m: CREATE or DESTROY) and wait for its DONE: 0 or an
 * errno, the primary's text in text. Outside any operation: the client
 * thread applies the change the request makes before the answer comes.
 * On ETIMEDOUT the request is abandoned (ABANDON, before any later
 * request): the primary drops it, or destroys the region it made for it.
 */
static int
request(struct extmem_mp_msg *m, char *text, size_t size)
{
	struct extmem_mp_msg ab;
	struct timespec dl;
	uint64_t id;
	int res = 0, fd;
	long ms;

	pthread_mutex_lock(&req_lock);
	pthread_mutex_lock(&sec_lock);
	/* valid while req_lock is held (the stop closes it under it) */
	fd = conn_fd;
	if (sec.state != RTE_EXTMEM_MP_STATE_ATTACHED || fd < 0) {
		pthread_mutex_unlock(&sec_lock);
		pthread_mutex_unlock(&req_lock);
		snprintf(text, size, "not attached to a primary");
		return E_RTE_SECONDARY;
	}
	id = ++req_seq;
	pthread_mutex_unlock(&sec_lock);
	m->seq = id;
	if (extmem_mp_send(fd, m, NULL, 0) != 0) {
		pthread_mutex_unlock(&req_lock);
		snprintf(text, size, "cannot reach the primary: %s",
			strerror(errno));
		return ECONNRESET;
	}
	ms = req_timeout_ms();
	extmem_mp_deadline(&dl, ms);
	pthread_mutex_lock(&sec_lock);
	while (done_seq < id && sec.state == RTE_EXTMEM_MP_STATE_ATTACHED &&
			res == 0)
		res = pthread_cond_timedwait(&done_cond, &sec_lock, &dl);
	if (done_seq == id) {
		res = done_result;
		snprintf(text, size, "%s", done_text);
	} else {
		res = res == ETIMEDOUT ? ETIMEDOUT : ECONNRESET;
		snprintf(text, size, res == ETIMEDOUT ? "no answer from the "
			"primary in %ld ms: request withdrawn" :
			"no answer from the primary", ms);
	}
	pthread_mutex_unlock(&sec_lock);
	if (res == ETIMEDOUT) {
		/* the link stays: the primary undoes it (or it is gone, and
		 * undoes everything of ours)
		 */
		extmem_mp_msg_init(&ab, EXTMEM_MP_ABANDON, id);
		ab.r = m->r;
		if (extmem_mp_send(fd, &ab, NULL, 0) != 0)
			EXTMEM_LOG(WARNING, "request %" PRIu64 ": cannot "
				"withdraw it: %s", id, strerror(errno));
	}
	pthread_mutex_unlock(&req_lock);
	return res;
}

/* rte_extmem_region_create() in a secondary: the primary makes it. */
static struct rte_extmem_region *
proxy_region_create(const struct rte_extmem_region_params *p)
{
	char text[EXTMEM_MP_TEXT] = "";
	struct rte_extmem_region *r;
	struct extmem_mp_msg m;
	int res;

	if (extmem_op_inside()) {
		EXTMEM_FAIL(EDEADLK, "refused: called from inside an operation "
			"of this library in the same thread");
		return NULL;
	}
	if (p == NULL) {
		EXTMEM_FAIL(EINVAL, "params is NULL");
		return NULL;
	}
	if (extmem_struct_size_check(p, p->struct_size, sizeof(*p), "params",
			"rte_extmem_region_params_init") != 0 ||
			extmem_name_check("region", p->name,
				RTE_EXTMEM_NAMESIZE) != 0)
		return NULL;
	if ((p->backing != RTE_EXTMEM_BACKING_SHARED &&
			p->backing != RTE_EXTMEM_BACKING_HUGETLB) ||
			p->addr != NULL || p->iovas != NULL || p->fd >= 0 ||
			(p->flags & RTE_EXTMEM_REGION_F_PRIVATE)) {
		EXTMEM_FAIL(E_RTE_SECONDARY, "region %s: a secondary process "
			"has the primary make shared or hugetlb regions for "
			"it (memory every process can map); other regions "
			"only the primary creates", p->name);
		return NULL;
	}
	extmem_mp_msg_init(&m, EXTMEM_MP_CREATE, 0);
	snprintf(m.r.name, sizeof(m.r.name), "%s", p->name);
	m.r.backing = (uint32_t)p->backing;
	m.r.len = p->len;
	m.r.page_sz = p->page_sz;
	m.r.numa_node = p->numa_node;
	m.r.flags = p->flags;
	res = request(&m, text, sizeof(text));
	if (res != 0) {
		EXTMEM_FAIL(res, "region %s: the primary did not make it: %s",
			p->name, text);
		return NULL;
	}
	RTE_VERIFY(extmem_op_begin() == 0);
	r = view_find(p->name);
	if (r != NULL)
		r->mp_own = true;
	extmem_op_end();
	if (r == NULL)
		EXTMEM_FAIL(EPROTO, "region %s: made by the primary but not "
			"attached here", p->name);
	return r;
}

/* rte_extmem_region_destroy() in a secondary: of a region made for it. */
static int
proxy_region_destroy(struct rte_extmem_region *region)
{
	char text[EXTMEM_MP_TEXT] = "", name[RTE_EXTMEM_NAMESIZE];
	struct extmem_mp_msg m;
	bool own = false, live;
	uint32_t id = 0;
	int res;

	if (extmem_op_inside()) {
		EXTMEM_FAIL(EDEADLK, "refused: called from inside an operation "
			"of this library in the same thread");
		return -1;
	}
	extmem_query_begin();
	live = EXTMEM_REGION_LIVE(region);
	if (live) {
		own = region->mp_own;
		id = region->id;
		snprintf(name, sizeof(name), "%s", region->name);
	}
	extmem_query_end();
	if (!live)
		return -1;	/* EINVAL, logged */
	if (!own) {
		EXTMEM_FAIL(E_RTE_SECONDARY, "region %s: refused in a "
			"secondary process: only the primary destroys its "
			"regions", name);
		return -1;
	}
	extmem_mp_msg_init(&m, EXTMEM_MP_DESTROY, 0);
	snprintf(m.r.name, sizeof(m.r.name), "%s", name);
	m.r.id = id;	/* that region, not a later one of the same name */
	res = request(&m, text, sizeof(text));
	if (res != 0) {
		EXTMEM_FAIL(res, "region %s: the primary did not destroy it: "
			"%s", name, text);
		return -1;
	}
	return 0;
}

/* EAL's hooks (extmem_compat.c's bus): attach at probe, stop at cleanup. */
static int
mp_probe(void)
{
	return extmem_mp_secondary_attach();
}

static void
mp_cleanup(void)
{
	extmem_mp_secondary_stop();
	extmem_mp_primary_stop();
}

RTE_INIT(extmem_mp_hooks)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&done_cond, &ca);
	pthread_condattr_destroy(&ca);
	extmem_compat_mp_hooks_set(mp_probe, mp_cleanup);
	extmem_region_proxy_set(proxy_region_create, proxy_region_destroy);
}
