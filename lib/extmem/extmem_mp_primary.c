/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The primary's side of multi-process (extmem_mp_proto.h for the wire).
 *
 * Two parts meet here, under mp_lock only:
 * - the bus subscriber, called inside the operation that adds or removes
 *   a region: it keeps the table of regions the secondaries must have
 *   (their descriptions and file descriptors), numbers the change, sends
 *   it to every attached live secondary and waits (the state lock
 *   released) until each has answered or is gone;
 * - the service thread: it accepts connections, sends a secondary that
 *   says HELLO the table as a snapshot stamped with the last change
 *   number, records answers and notices a secondary's death at once (end
 *   of file on its connection). It never takes the operation mutex or the
 *   state lock, and it never waits for a secondary to process anything
 *   (sends do not block; a snapshot waits for room 2 s at most in all).
 *
 * A change therefore waits for the secondaries attached before it (a
 * secondary that attaches during it gets the new table in its snapshot),
 * never for a process without the library (it never connects), and for a
 * stuck secondary at most EXTMEM_MP_TIMEOUT_MS, after which the secondary
 * is disconnected.
 *
 * A third part, the proxy thread, creates and destroys regions that
 * secondaries ask for, as operations of this process (the service thread
 * only queues the requests, one per connection at a time, and refuses a
 * second with EBUSY); a region made for a secondary goes when that
 * secondary's connection ends, or when it abandons the request that made
 * it (its wait timed out).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_tailq.h>

#include "extmem_event_private.h"
#include "extmem_mp_private.h"
#include "extmem_mp_proto.h"

#define MP_SUB_NAME EXTMEM_SUB_MP
#define MP_TIMEOUT_MS_DEFAULT 10000
#define MP_SNAPSHOT_SEND_S 2

/* A region the secondaries must have. */
struct mp_entry {
	TAILQ_ENTRY(mp_entry) next;
	const struct rte_extmem_region *r;
	struct extmem_mp_region_desc d;
	int mem_fd;	/* the region's own (borrowed, valid while listed) */
	int runs_fd;	/* its IOVA runs (owned) */
	uint64_t owner;	/* the secondary it was made for (its id), 0 */
	bool phased;	/* heap chunk: mapped before EAL, taken back after */
};
TAILQ_HEAD(mp_entry_list, mp_entry);

enum conn_state {
	CONN_NEW,	/* connected, no HELLO yet */
	CONN_LIVE,	/* has the snapshot, gets every later change */
	CONN_DEAD,	/* to be closed by the service thread */
};

struct mp_conn {
	TAILQ_ENTRY(mp_conn) next;
	uint64_t id;		/* never 0, never reused */
	int fd;
	int pid;
	enum conn_state state;
	uint64_t joined;	/* its snapshot holds changes up to this one */
	uint64_t acked;		/* last change it answered */
	int result;		/* of that answer */
	char text[EXTMEM_MP_TEXT];
	/* its requests, one at a time (the service thread accepts them,
	 * the proxy thread answers them)
	 */
	bool req_busy;		/* accepted, not answered yet */
	bool req_open;		/* the last one may still be abandoned */
	uint64_t req_seq;	/* the last one's number */
	bool made;		/* a creation was done for it: */
	uint64_t made_seq;	/* the request's number, */
	uint32_t made_id;	/* the region it made */
	char made_name[RTE_EXTMEM_NAMESIZE];
};
TAILQ_HEAD(mp_conn_list, mp_conn);

static pthread_mutex_t mp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mp_cond;
static struct mp_entry_list entries = TAILQ_HEAD_INITIALIZER(entries);
static struct mp_conn_list conns = TAILQ_HEAD_INITIALIZER(conns);
static uint64_t mp_seq;
static uint64_t n_attached, n_gone;
static uint64_t conn_ids;

/*
 * A secondary's request (create or destroy a region for it), done by the
 * proxy thread: a region operation takes the operation mutex, which the
 * service thread never does. A DESTROY without a name is the clean-up of
 * the regions of a secondary that is gone; an ABANDON undoes the creation
 * of the secondary's request m.seq, which it no longer waits for.
 */
struct mp_req {
	TAILQ_ENTRY(mp_req) next;
	uint64_t conn_id;
	int pid;
	struct extmem_mp_msg m;
};
static TAILQ_HEAD(, mp_req) reqs = TAILQ_HEAD_INITIALIZER(reqs);
static pthread_cond_t req_cond;
static pthread_t proxy_thread;
static bool proxy_stop;
/* The proxy thread, inside a creation: the connection it is made for. */
static __thread uint64_t creating_for;

/* Set up inside operations (op mutex): */
static bool subscribed;
static bool serving;
static int listen_fd = -1;
static int wake_fd[2] = { -1, -1 };
static pthread_t service_thread;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static long
mp_timeout_ms(void)
{
	const char *v = getenv("EXTMEM_MP_TIMEOUT_MS");
	long t = v != NULL ? strtol(v, NULL, 10) : 0;

	return t > 0 ? t : MP_TIMEOUT_MS_DEFAULT;
}

/* Under mp_lock: a connection is over; the service thread closes it. */
static void
conn_kill(struct mp_conn *c, const char *why)
{
	if (c->state == CONN_DEAD)
		return;
	EXTMEM_LOG(WARNING, "secondary %d: %s; disconnected", c->pid, why);
	c->state = CONN_DEAD;
	shutdown(c->fd, SHUT_RDWR);
	pthread_cond_broadcast(&mp_cond);
}

/*
 * Under mp_lock, never blocking: a change or an answer is one message at
 * a time per connection, so a full socket means a secondary that does not
 * read; it is disconnected. A snapshot (many messages) may wait for room
 * until *dl (NULL: not at all).
 */
static int
conn_send(struct mp_conn *c, const struct extmem_mp_msg *m,
	const struct mp_entry *e, const struct timespec *dl)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
	int fds[EXTMEM_MP_MAX_FDS];
	struct timespec now;
	unsigned int n = 0;
	long ms;

	if (e != NULL && e->d.shared) {
		fds[n++] = e->mem_fd;
		fds[n++] = e->runs_fd;
	}
	for (;;) {
		if (extmem_mp_send_flags(c->fd, m, fds, n, MSG_DONTWAIT) == 0)
			return 0;
		if (errno != EAGAIN || dl == NULL)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (dl->tv_sec - now.tv_sec) * 1000L +
			(dl->tv_nsec - now.tv_nsec) / 1000000L;
		if (ms <= 0 || poll(&pfd, 1, (int)ms) <= 0) {
			errno = EAGAIN;
			break;
		}
	}
	conn_kill(c, errno == EAGAIN ? "it does not read its connection" :
		strerror(errno));
	return -1;
}

/* Under mp_lock: the table, then its change number. */
static void
snapshot_send(struct mp_conn *c)
{
	struct extmem_mp_msg m;
	struct timespec dl;
	struct mp_entry *e;

	/* it reads as it receives: a bounded wait for room, in all */
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += MP_SNAPSHOT_SEND_S;
	TAILQ_FOREACH(e, &entries, next) {
		extmem_mp_msg_init(&m, EXTMEM_MP_SNAP_REGION, mp_seq);
		m.r = e->d;
		if (conn_send(c, &m, e, &dl) != 0)
			return;
	}
	extmem_mp_msg_init(&m, EXTMEM_MP_SNAP_END, mp_seq);
	if (conn_send(c, &m, NULL, &dl) != 0)
		return;
	c->state = CONN_LIVE;
	c->joined = mp_seq;
	c->acked = mp_seq;
	n_attached++;
	EXTMEM_LOG(DEBUG, "secondary %d: snapshot of %s sent at change %"
		PRIu64, c->pid, TAILQ_EMPTY(&entries) ? "no region" :
		"the regions", mp_seq);
}

/* Under mp_lock: number a change and send it to every live secondary. */
static uint64_t
broadcast(enum extmem_mp_type t, const struct mp_entry *e)
{
	struct extmem_mp_msg m;
	struct mp_conn *c;

	mp_seq++;
	extmem_mp_msg_init(&m, t, mp_seq);
	m.r = e->d;
	TAILQ_FOREACH(c, &conns, next)
		if (c->state == CONN_LIVE)
			conn_send(c, &m, t == EXTMEM_MP_ADD ? e : NULL, NULL);
	return mp_seq;
}

static bool
conn_owes(const struct mp_conn *c, uint64_t seq)
{
	return c->state == CONN_LIVE && c->joined < seq && c->acked < seq;
}

/*
 * Under mp_lock: wait until every secondary that got change seq answered
 * it or is gone; the first refusal's errno (0: none) and text.
 */
static int
wait_answers(uint64_t seq, char *text, size_t size)
{
	struct timespec dl;
	struct mp_conn *c;
	long ms = mp_timeout_ms();
	bool owed;
	int err = 0;

	extmem_mp_deadline(&dl, ms);
	for (;;) {
		owed = false;
		TAILQ_FOREACH(c, &conns, next)
			owed |= conn_owes(c, seq);
		if (!owed)
			break;
		if (pthread_cond_timedwait(&mp_cond, &mp_lock, &dl) ==
				ETIMEDOUT) {
			TAILQ_FOREACH(c, &conns, next)
				if (conn_owes(c, seq))
					conn_kill(c, "no answer in time");
			break;
		}
	}
	TAILQ_FOREACH(c, &conns, next)
		if (c->state == CONN_LIVE && c->joined < seq &&
				c->acked == seq && c->result != 0 && err == 0) {
			err = c->result;
			snprintf(text, size, "secondary %d: %s", c->pid,
				c->text);
		}
	return err;
}

static struct mp_entry *
entry_find(const struct rte_extmem_region *r)
{
	return EXTMEM_TAILQ_FIND(&entries, e, e->r == r);
}

/* Under mp_lock: the region id (all: every region) made for conn_id is
 * the primary's now.
 */
static void
owner_drop(uint64_t conn_id, bool all, uint32_t id)
{
	struct mp_entry *e;

	TAILQ_FOREACH(e, &entries, next)
		if (e->owner == conn_id && (all || e->d.id == id))
			e->owner = 0;
}

static void
desc_fill(struct extmem_mp_region_desc *d, const struct rte_extmem_region *r)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", r->name);
	snprintf(d->heap, sizeof(d->heap), "%s", r->heap);
	d->va = r->va;
	d->len = r->len;
	d->page_sz = r->page_sz;
	d->fd_offset = r->fd_offset;
	d->prot = (uint8_t)r->share_prot;
	d->flags = r->flags;
	d->socket_id = r->socket_id;
	d->numa_node = r->numa_node;
	d->backing = (uint32_t)r->backing;
	d->id = r->id;
	d->n_runs = r->n_runs;
	d->n_bad_iova = r->n_bad_iova;
	d->n_iova_runs = r->n_iova_runs;
	d->shared = r->fd >= 0;
	d->eal = r->eal == EXTMEM_EAL_HEAP ? EXTMEM_MP_EAL_HEAP :
		EXTMEM_MP_EAL_EXTMEM;
}

/* A new entry for r (its IOVA runs written), or NULL with a log line. */
static struct mp_entry *
entry_new(struct rte_extmem_region *r)
{
	struct mp_entry *e;

	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		EXTMEM_LOG(ERR, "region %s: no memory to describe it to "
			"secondaries", r->name);
		errno = ENOMEM;
		return NULL;
	}
	e->r = r;
	e->owner = creating_for;
	desc_fill(&e->d, r);
	e->mem_fd = r->fd;
	e->runs_fd = -1;
	if (e->d.shared) {
		e->runs_fd = extmem_mp_runs_write(r->runs, r->n_runs);
		if (e->runs_fd < 0) {
			EXTMEM_LOG(ERR, "region %s: cannot write its IOVA runs "
				"for secondaries: %s", r->name,
				strerror(errno));
			free(e);
			errno = ENOMEM;
			return NULL;
		}
	}
	return e;
}

static void
entry_free(struct mp_entry *e)
{
	if (e->runs_fd >= 0)
		close(e->runs_fd);
	free(e);
}

/* Under mp_lock: e is withdrawn from the table and every secondary. */
static void
entry_remove(struct mp_entry *e)
{
	uint64_t s;

	TAILQ_REMOVE(&entries, e, next);
	s = broadcast(EXTMEM_MP_REMOVE, e);
	wait_answers(s, NULL, 0);
}

/* Every secondary maps e's region, or none keeps it; 0 or an errno. */
static int
entry_add(struct mp_entry *e, char *text, size_t size)
{
	bool callout;
	uint64_t s;
	int err;

	callout = extmem_op_callout_begin();
	pthread_mutex_lock(&mp_lock);
	TAILQ_INSERT_TAIL(&entries, e, next);
	s = broadcast(EXTMEM_MP_ADD, e);
	err = wait_answers(s, text, size);
	if (err != 0)
		entry_remove(e);	/* those that mapped it unmap it */
	pthread_mutex_unlock(&mp_lock);
	extmem_op_callout_end(callout);
	return err;
}

/* A region was added: every secondary maps it, or none keeps it. */
static int
mp_region_added(struct rte_extmem_region *r)
{
	char text[EXTMEM_MP_TEXT + 32] = "";
	struct mp_entry *e;
	int err;

	e = entry_find(r);
	if (e != NULL && e->phased)
		return extmem_mp_heap_attach(r) == 0 ? 0 :
			-(EXTMEM_EVENT_KEEP_ERRNO | rte_errno);
	e = entry_new(r);
	if (e == NULL)
		return -(EXTMEM_EVENT_KEEP_ERRNO | ENOMEM);
	err = entry_add(e, text, sizeof(text));
	if (err == 0)
		return 0;
	EXTMEM_LOG(ERR, "region %s: a secondary cannot attach it (%s): "
		"withdrawn", r->name, text);
	entry_free(e);
	return -(EXTMEM_EVENT_KEEP_ERRNO | err);
}

int
extmem_mp_heap_map(struct rte_extmem_region *r)
{
	char text[EXTMEM_MP_TEXT + 32] = "";
	struct mp_entry *e;
	int err;

	if (!subscribed)
		return 0;
	e = entry_new(r);
	if (e == NULL) {
		EXTMEM_FAIL(ENOMEM, "region %s: cannot describe it to "
			"secondaries", r->name);
		return -1;
	}
	e->phased = true;
	e->d.eal = EXTMEM_MP_EAL_HEAP;
	e->d.eal_later = 1;
	err = entry_add(e, text, sizeof(text));
	if (err == 0)
		return 0;
	entry_free(e);
	EXTMEM_FAIL(err, "region %s: a secondary cannot map it (%s): not "
		"added to heap %s", r->name, text, r->heap);
	return -1;
}

/* Under mp_lock: change t of phased entry e everywhere; 0 or an errno. */
static int
entry_phase(struct mp_entry *e, enum extmem_mp_type t, char *text,
	size_t size)
{
	uint64_t s;

	/* a secondary attaching from now on does the same */
	e->d.eal_later = t == EXTMEM_MP_ATTACH ? 0 : 1;
	s = broadcast(t, e);
	return wait_answers(s, text, size);
}

/* Inside r's operation: phase t of r's heap chunk everywhere (if it is
 * one); 0 or an errno and its text.
 */
static int
region_phase(struct rte_extmem_region *r, enum extmem_mp_type t, char *text,
	size_t size)
{
	struct mp_entry *e;
	bool callout;
	int err = 0;

	callout = extmem_op_callout_begin();
	pthread_mutex_lock(&mp_lock);
	e = entry_find(r);
	if (e != NULL && e->phased)
		err = entry_phase(e, t, text, size);
	pthread_mutex_unlock(&mp_lock);
	extmem_op_callout_end(callout);
	return err;
}

int
extmem_mp_heap_attach(struct rte_extmem_region *r)
{
	char text[EXTMEM_MP_TEXT + 32] = "";
	int err;

	err = region_phase(r, EXTMEM_MP_ATTACH, text, sizeof(text));
	if (err == 0)
		return 0;
	/* it stays mapped there: EAL's heap lists it */
	EXTMEM_FAIL(err, "region %s: a secondary cannot attach it to EAL "
		"(%s)", r->name, text);
	return -1;
}

void
extmem_mp_heap_detach(struct rte_extmem_region *r)
{
	char text[EXTMEM_MP_TEXT + 32] = "";

	if (region_phase(r, EXTMEM_MP_DETACH, text, sizeof(text)) != 0)
		EXTMEM_LOG(ERR, "region %s: a secondary cannot detach it from "
			"EAL (%s)", r->name, text);
}

/* Inside r's operation: r is gone from every secondary. */
static void
region_withdraw(struct rte_extmem_region *r)
{
	struct mp_entry *e;
	bool callout;

	callout = extmem_op_callout_begin();
	pthread_mutex_lock(&mp_lock);
	e = entry_find(r);
	if (e != NULL)
		entry_remove(e);
	pthread_mutex_unlock(&mp_lock);
	extmem_op_callout_end(callout);
	r->mp_prepared = false;
	if (e != NULL)
		entry_free(e);
}

void
extmem_mp_heap_unmap(struct rte_extmem_region *r)
{
	region_withdraw(r);
}

/* A region is gone (or its addition rolled back): every secondary too. */
static void
mp_region_removed(struct rte_extmem_region *r)
{
	struct mp_entry *e;

	pthread_mutex_lock(&mp_lock);
	e = entry_find(r);
	pthread_mutex_unlock(&mp_lock);
	/* a heap chunk: taken back after EAL let go (extmem_mp_heap_unmap) */
	if (e != NULL && e->phased)
		return;
	region_withdraw(r);
}

static int
mp_event_cb(const struct rte_extmem_event *ev, void *arg __rte_unused)
{
	switch (ev->type) {
	case RTE_EXTMEM_EVENT_REGION_REGISTERED:
	case RTE_EXTMEM_EVENT_HEAP_REGION_ADDED:
		return mp_region_added(ev->region);
	case RTE_EXTMEM_EVENT_REGION_UNREGISTERED:
	case RTE_EXTMEM_EVENT_HEAP_REGION_REMOVED:
		mp_region_removed(ev->region);
		return 0;
	default:
		return 0;
	}
}

/* Under mp_lock: e stays after all; every secondary lets go of it. */
static void
entry_cancel(struct mp_entry *e)
{
	uint64_t s;

	e->d.removing = 0;
	s = broadcast(EXTMEM_MP_CANCEL, e);
	wait_answers(s, NULL, 0);
}

int
extmem_mp_remove_prepare(struct rte_extmem_region *r)
{
	char text[EXTMEM_MP_TEXT + 32] = "";
	struct mp_entry *e;
	bool callout;
	uint64_t s;
	int err = 0;

	if (r->mp_prepared)
		return 0;
	callout = extmem_op_callout_begin();
	pthread_mutex_lock(&mp_lock);
	e = entry_find(r);
	if (e != NULL) {
		/* a secondary attaching from now on has it going too */
		e->d.removing = 1;
		s = broadcast(EXTMEM_MP_PREPARE, e);
		err = wait_answers(s, text, sizeof(text));
		if (err != 0)
			entry_cancel(e);
	}
	pthread_mutex_unlock(&mp_lock);
	extmem_op_callout_end(callout);
	if (err != 0) {
		EXTMEM_FAIL(EBUSY, "region %s is in use in a secondary process "
			"(%s)", r->name, text);
		return -1;
	}
	r->mp_prepared = e != NULL;
	return 0;
}

void
extmem_mp_remove_cancel(struct rte_extmem_region *r)
{
	struct mp_entry *e;
	bool callout;

	if (!r->mp_prepared)
		return;
	callout = extmem_op_callout_begin();
	pthread_mutex_lock(&mp_lock);
	e = entry_find(r);
	if (e != NULL)
		entry_cancel(e);
	pthread_mutex_unlock(&mp_lock);
	extmem_op_callout_end(callout);
	r->mp_prepared = false;
}

/* ------------------------------------------------------------------ */
/* The service thread */

static void
conn_accept(void)
{
	struct mp_conn *c;
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->pid = -1;
	c->state = CONN_NEW;
	pthread_mutex_lock(&mp_lock);
	c->id = ++conn_ids;
	TAILQ_INSERT_TAIL(&conns, c, next);
	pthread_mutex_unlock(&mp_lock);
}

/* Under mp_lock: a request for the proxy thread; 0 or -1 (logged). */
static int
req_queue(uint64_t conn_id, int pid, const struct extmem_mp_msg *m)
{
	struct mp_req *q = calloc(1, sizeof(*q));

	if (q == NULL) {
		EXTMEM_LOG(ERR, "secondary %d: no memory for its request", pid);
		return -1;
	}
	q->conn_id = conn_id;
	q->pid = pid;
	q->m = *m;
	TAILQ_INSERT_TAIL(&reqs, q, next);
	pthread_cond_signal(&req_cond);
	return 0;
}

/* Under mp_lock: answer request m of c (never blocking). */
static void
done_send(struct mp_conn *c, const struct extmem_mp_msg *req, int res,
	const char *text)
{
	struct extmem_mp_msg m;

	extmem_mp_msg_init(&m, EXTMEM_MP_DONE, req->seq);
	m.result = res;
	m.r = req->r;
	snprintf(m.text, sizeof(m.text), "%s", text);
	conn_send(c, &m, NULL, NULL);
}

/*
 * Under mp_lock: a request of c. One at a time per connection: the
 * library's secondary never sends a second before the answer to the first
 * (or its ABANDON), so a second is a peer's fault; it gets DONE EBUSY at
 * once (its own number) and nothing else happens. The connection stays:
 * its regions and the first request are not the second's fault.
 */
static void
conn_request(struct mp_conn *c, const struct extmem_mp_msg *m)
{
	char text[EXTMEM_MP_TEXT];

	if (c->req_busy) {
		EXTMEM_LOG(WARNING, "secondary %d: request %" PRIu64 " refused "
			"(EBUSY): its request %" PRIu64 " is in progress",
			c->pid, m->seq, c->req_seq);
		snprintf(text, sizeof(text), "one request at a time: request %"
			PRIu64 " is in progress", c->req_seq);
		done_send(c, m, EBUSY, text);
		return;
	}
	if (req_queue(c->id, c->pid, m) != 0) {
		done_send(c, m, ENOMEM, "no memory in the primary");
		return;
	}
	c->req_busy = true;
	c->req_open = true;
	c->req_seq = m->seq;
}

/*
 * Under mp_lock: c gave up waiting for its request m->seq. Not started:
 * dropped. Started or done: the proxy destroys what it made, in turn (so
 * before the connection's next request).
 */
static void
conn_abandon(struct mp_conn *c, const struct extmem_mp_msg *m)
{
	struct mp_req *q;

	if (!c->req_open || m->seq != c->req_seq)
		return;	/* not its last request, or abandoned already */
	c->req_open = false;
	c->req_busy = false;
	q = EXTMEM_TAILQ_FIND(&reqs, it, it->conn_id == c->id &&
		it->m.seq == m->seq && it->m.type != EXTMEM_MP_ABANDON);
	if (q != NULL) {
		TAILQ_REMOVE(&reqs, q, next);
		free(q);
		EXTMEM_LOG(INFO, "secondary %d: request %" PRIu64 " abandoned "
			"before it started: dropped", c->pid, m->seq);
		return;
	}
	if (req_queue(c->id, c->pid, m) != 0)
		EXTMEM_LOG(ERR, "secondary %d: abandoned request %" PRIu64
			" not undone: its region goes with the secondary",
			c->pid, m->seq);
}

/*
 * The process at the other end of fd, as the kernel knows it (what a peer
 * says of itself is only logged when it differs: it may be anything).
 */
static int
peer_pid(int fd, int said)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
			cred.pid <= 0) {
		EXTMEM_LOG(WARNING, "a secondary's process ID is unknown: %s",
			strerror(errno));
		return -1;
	}
	if (cred.pid != said)
		EXTMEM_LOG(WARNING, "secondary %d says it is process %d",
			(int)cred.pid, said);
	return (int)cred.pid;
}

/* Under mp_lock: one message from a secondary. */
static void
conn_handle(struct mp_conn *c, const struct extmem_mp_msg *m)
{
	switch (m->type) {
	case EXTMEM_MP_HELLO:
		if (c->state != CONN_NEW) {
			conn_kill(c, "HELLO twice");
			return;
		}
		c->pid = peer_pid(c->fd, m->pid);
		snapshot_send(c);
		return;
	case EXTMEM_MP_ACK:
		if (c->state != CONN_LIVE)
			return;
		c->acked = m->seq;
		c->result = m->result;
		snprintf(c->text, sizeof(c->text), "%s", m->text);
		pthread_cond_broadcast(&mp_cond);
		return;
	case EXTMEM_MP_CREATE:
	case EXTMEM_MP_DESTROY:
		if (c->state != CONN_LIVE || m->r.name[0] == '\0') {
			conn_kill(c, "request before the attach");
			return;
		}
		conn_request(c, m);
		return;
	case EXTMEM_MP_ABANDON:
		if (c->state == CONN_LIVE)
			conn_abandon(c, m);
		return;
	default:
		conn_kill(c, "unexpected message");
	}
}

static void
conn_read(struct mp_conn *c)
{
	int fds[EXTMEM_MP_MAX_FDS], ret, i;
	struct extmem_mp_msg m;

	ret = extmem_mp_recv(c->fd, &m, fds);
	for (i = 0; i < EXTMEM_MP_MAX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	pthread_mutex_lock(&mp_lock);
	if (ret > 0)
		conn_handle(c, &m);
	else if (c->state != CONN_DEAD) {
		/* end of file: the process exited, was killed, or detached */
		EXTMEM_LOG(DEBUG, "secondary %d: connection closed", c->pid);
		c->state = CONN_DEAD;
		pthread_cond_broadcast(&mp_cond);
	}
	pthread_mutex_unlock(&mp_lock);
}

/* Under mp_lock: close the connections that are over. */
static void
conns_reap(void)
{
	struct mp_req *q, *qt;
	struct mp_conn *c, *t;
	struct extmem_mp_msg m;

	RTE_TAILQ_FOREACH_SAFE(c, &conns, next, t) {
		if (c->state != CONN_DEAD)
			continue;
		/* what it asked for and the proxy has not begun is moot */
		RTE_TAILQ_FOREACH_SAFE(q, &reqs, next, qt)
			if (q->conn_id == c->id) {
				TAILQ_REMOVE(&reqs, q, next);
				free(q);
			}
		/* the regions it had made go with it; if the clean-up cannot
		 * be queued, they are the primary's
		 */
		if (EXTMEM_TAILQ_FIND(&entries, e, e->owner == c->id) != NULL) {
			extmem_mp_msg_init(&m, EXTMEM_MP_DESTROY, 0);
			if (req_queue(c->id, c->pid, &m) != 0)
				owner_drop(c->id, true, 0);
		}
		TAILQ_REMOVE(&conns, c, next);
		close(c->fd);
		free(c);
		n_gone++;
	}
}

static void *
service_main(void *arg __rte_unused)
{
	struct pollfd *pfd = NULL;
	struct mp_conn **pc = NULL;
	unsigned int n, cap = 0, i;
	struct mp_conn *c;

	for (;;) {
		pthread_mutex_lock(&mp_lock);
		conns_reap();
		n = 2;
		TAILQ_FOREACH(c, &conns, next)
			n++;
		if (n > cap) {
			struct pollfd *np = realloc(pfd, sizeof(*pfd) * n);
			struct mp_conn **nc = realloc(pc, sizeof(*pc) * n);

			if (np != NULL)
				pfd = np;
			if (nc != NULL)
				pc = nc;
			if (np == NULL || nc == NULL) {
				pthread_mutex_unlock(&mp_lock);
				usleep(10000);
				continue;
			}
			cap = n;
		}
		pfd[0] = (struct pollfd){ .fd = wake_fd[0], .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
		i = 2;
		TAILQ_FOREACH(c, &conns, next) {
			pc[i] = c;
			pfd[i++] = (struct pollfd){ .fd = c->fd,
				.events = POLLIN };
		}
		pthread_mutex_unlock(&mp_lock);
		if (poll(pfd, n, -1) < 0)
			continue;
		if (pfd[0].revents != 0)
			break;
		if (pfd[1].revents & POLLIN)
			conn_accept();
		/* only this thread frees connections: pc[] stays valid */
		for (i = 2; i < n; i++)
			if (pfd[i].revents != 0)
				conn_read(pc[i]);
	}
	free(pfd);
	free(pc);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The proxy thread: regions made for secondaries */

bool
extmem_mp_region_secondary_owner(const struct rte_extmem_region *r,
	int *pid)
{
	struct mp_conn *c = NULL;
	struct mp_entry *e;

	pthread_mutex_lock(&mp_lock);
	e = entry_find(r);
	if (e != NULL && e->owner != 0)
		c = EXTMEM_TAILQ_FIND(&conns, it, it->id == e->owner &&
			it->state != CONN_DEAD);
	if (c != NULL)
		*pid = c->pid;
	pthread_mutex_unlock(&mp_lock);
	return c != NULL;
}

/* Is r made for connection *arg (it is listed with that owner)? */
static bool
owned_by(const struct rte_extmem_region *r, void *arg)
{
	uint64_t conn_id = *(const uint64_t *)arg;
	struct mp_entry *e;
	bool own;

	pthread_mutex_lock(&mp_lock);
	e = entry_find(r);
	own = e != NULL && e->owner == conn_id;
	pthread_mutex_unlock(&mp_lock);
	return own;
}

/* The ID of the region called name made for conn_id; false if none. */
static bool
owned_id(const char *name, uint64_t conn_id, uint32_t *id)
{
	struct mp_entry *e;

	pthread_mutex_lock(&mp_lock);
	e = EXTMEM_TAILQ_FIND(&entries, it, it->owner == conn_id &&
		strcmp(it->d.name, name) == 0);
	if (e != NULL)
		*id = e->d.id;
	pthread_mutex_unlock(&mp_lock);
	return e != NULL;
}

/*
 * Create a region a secondary asked for; an errno (0: *id is the region's)
 * and a text. What the secondary checked is checked again: it may be a
 * peer that does not run this library.
 */
static int
proxy_create(const struct mp_req *q, char *text, size_t size, uint32_t *id)
{
	const struct extmem_mp_region_desc *d = &q->m.r;
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	bool alive;

	if ((d->backing != RTE_EXTMEM_BACKING_SHARED &&
			d->backing != RTE_EXTMEM_BACKING_HUGETLB) ||
			(d->flags & RTE_EXTMEM_REGION_F_PRIVATE) != 0) {
		snprintf(text, size, "only shared and hugetlb regions (not "
			"private) are made for a secondary");
		EXTMEM_LOG(WARNING, "secondary %d: region %s refused: backing "
			"%u, flags %#" PRIx64 ": %s", q->pid, d->name,
			d->backing, d->flags, text);
		return E_RTE_SECONDARY;
	}
	rte_extmem_region_params_init(&p);
	p.name = d->name;
	p.backing = (enum rte_extmem_backing)d->backing;
	p.len = d->len;
	p.page_sz = d->page_sz;
	p.numa_node = d->numa_node;
	p.flags = d->flags;
	/* its entry gets the owner inside the creating operation */
	creating_for = q->conn_id;
	r = rte_extmem_region_create(&p);
	creating_for = 0;
	if (r == NULL) {
		snprintf(text, size, "%s", rte_strerror(rte_errno));
		return rte_errno;
	}
	/* r is not used from here: it may be gone (the primary stopping) */
	EXTMEM_LOG(INFO, "region %s made for secondary %d", d->name, q->pid);
	pthread_mutex_lock(&mp_lock);
	alive = EXTMEM_TAILQ_FIND(&conns, c, c->id == q->conn_id &&
		c->state == CONN_LIVE) != NULL;
	pthread_mutex_unlock(&mp_lock);
	if (alive) {
		/* not found: destroyed meanwhile */
		(void)owned_id(d->name, q->conn_id, id);
		return 0;
	}
	snprintf(text, size, "the secondary is gone");
	if (owned_id(d->name, q->conn_id, id) &&
			extmem_region_destroy_owned(d->name, *id, owned_by,
				(void *)(uintptr_t)&q->conn_id) != 0 &&
			rte_errno != ENOENT) {
		/* nobody would ever destroy it: the primary may */
		EXTMEM_LOG(WARNING, "region %s made for secondary %d, gone "
			"meanwhile, stays as the primary's: %s", d->name,
			q->pid, rte_strerror(rte_errno));
		pthread_mutex_lock(&mp_lock);
		owner_drop(q->conn_id, false, *id);
		pthread_mutex_unlock(&mp_lock);
	}
	return ECONNRESET;
}

/* Destroy a region a secondary made (all of them: a clean-up). */
static int
proxy_destroy(const struct mp_req *q, char *text, size_t size)
{
	char name[RTE_EXTMEM_NAMESIZE];
	struct mp_entry *e;
	uint32_t id = 0;
	int err;

	if (q->m.r.name[0] == '\0') {
		for (;;) {
			/* the next region still made for it */
			pthread_mutex_lock(&mp_lock);
			e = EXTMEM_TAILQ_FIND(&entries, it,
				it->owner == q->conn_id);
			if (e != NULL) {
				snprintf(name, sizeof(name), "%s", e->d.name);
				id = e->d.id;
			}
			pthread_mutex_unlock(&mp_lock);
			if (e == NULL)
				return 0;
			if (extmem_region_destroy_owned(name, id, owned_by,
					(void *)(uintptr_t)&q->conn_id) == 0)
				continue;
			if (rte_errno != ENOENT) /* not destroyed meanwhile */
				EXTMEM_LOG(WARNING, "region %s made for "
					"secondary %d stays after it, as the "
					"primary's: %s", name, q->pid,
					rte_strerror(rte_errno));
			pthread_mutex_lock(&mp_lock);
			owner_drop(q->conn_id, false, id);
			pthread_mutex_unlock(&mp_lock);
		}
	}
	/* looked up, checked and destroyed in one operation */
	if (extmem_region_destroy_owned(q->m.r.name, q->m.r.id, owned_by,
			(void *)(uintptr_t)&q->conn_id) != 0) {
		err = rte_errno;
		if (err == EPERM) {
			snprintf(text, size, "region %s was not made for this "
				"secondary", q->m.r.name);
			return E_RTE_SECONDARY;
		}
		snprintf(text, size, "%s", rte_strerror(err));
		return err;
	}
	EXTMEM_LOG(INFO, "region %s destroyed for secondary %d", q->m.r.name,
		q->pid);
	return 0;
}

/*
 * The creation of abandoned request q->m.seq is undone (the secondary's
 * call failed ETIMEDOUT). A region with users (someone looked it up and
 * took one) stays, the secondary's, and goes with it.
 */
static void
proxy_abandon(const struct mp_req *q)
{
	char name[RTE_EXTMEM_NAMESIZE];
	struct mp_conn *c;
	uint32_t id = 0;
	bool made;

	pthread_mutex_lock(&mp_lock);
	c = EXTMEM_TAILQ_FIND(&conns, it, it->id == q->conn_id);
	made = c != NULL && c->made && c->made_seq == q->m.seq;
	if (made) {
		c->made = false;
		snprintf(name, sizeof(name), "%s", c->made_name);
		id = c->made_id;
	}
	pthread_mutex_unlock(&mp_lock);
	if (!made)
		return;	/* failed, or the secondary is gone (its clean-up) */
	if (extmem_region_destroy_owned(name, id, owned_by,
			(void *)(uintptr_t)&q->conn_id) == 0 ||
			rte_errno == ENOENT)
		EXTMEM_LOG(INFO, "region %s made for secondary %d's abandoned "
			"request %" PRIu64 ": destroyed", name, q->pid,
			q->m.seq);
	else
		EXTMEM_LOG(WARNING, "region %s made for secondary %d's "
			"abandoned request %" PRIu64 " stays until the "
			"secondary exits: %s", name, q->pid, q->m.seq,
			rte_strerror(rte_errno));
}

/*
 * Test hook (EXTMEM_MP_TEST_PROXY_HOLD=<path>, read once): while the file
 * <path> exists, a creation for a secondary waits before it starts, for
 * 120 s at most; the file <path>.held exists from the moment the request
 * is taken until it has been answered. True when it held.
 */
static bool
proxy_test_hold(char *held, size_t size)
{
	static const char *gate;
	static bool read;
	unsigned int ms;
	int fd;

	if (!read) {
		gate = getenv("EXTMEM_MP_TEST_PROXY_HOLD");
		read = true;
	}
	if (gate == NULL || access(gate, F_OK) != 0)
		return false;
	snprintf(held, size, "%s.held", gate);
	fd = open(held, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	EXTMEM_LOG(INFO, "test hook: creation held while %s exists", gate);
	for (ms = 0; ms < 120000 && access(gate, F_OK) == 0 &&
			!__atomic_load_n(&proxy_stop, __ATOMIC_RELAXED); ms++)
		usleep(1000);
	return true;
}

/* Under mp_lock: request q of c is done with res (id: what it made). */
static void
proxy_answer(struct mp_conn *c, const struct mp_req *q, int res,
	const char *text, uint32_t id)
{
	if (c->req_seq == q->m.seq)
		c->req_busy = false;
	if (q->m.type == EXTMEM_MP_CREATE && res == 0) {
		c->made = true;
		c->made_seq = q->m.seq;
		c->made_id = id;
		snprintf(c->made_name, sizeof(c->made_name), "%s", q->m.r.name);
	}
	done_send(c, &q->m, res, text);
}

static void *
proxy_main(void *arg __rte_unused)
{
	char text[EXTMEM_MP_TEXT] = "", held[PATH_MAX];
	struct mp_conn *c;
	struct mp_req *q;
	bool hold;
	uint32_t id;
	int res;

	for (;;) {
		pthread_mutex_lock(&mp_lock);
		while (TAILQ_EMPTY(&reqs) && !proxy_stop)
			pthread_cond_wait(&req_cond, &mp_lock);
		q = TAILQ_FIRST(&reqs);
		if (proxy_stop || q == NULL) {
			pthread_mutex_unlock(&mp_lock);
			break;
		}
		TAILQ_REMOVE(&reqs, q, next);
		pthread_mutex_unlock(&mp_lock);
		if (q->m.type == EXTMEM_MP_ABANDON) {
			proxy_abandon(q);	/* no answer */
			free(q);
			continue;
		}
		text[0] = '\0';
		id = 0;
		hold = false;
		if (q->m.type == EXTMEM_MP_CREATE) {
			hold = proxy_test_hold(held, sizeof(held));
			res = proxy_create(q, text, sizeof(text), &id);
		} else {
			res = proxy_destroy(q, text, sizeof(text));
		}
		pthread_mutex_lock(&mp_lock);
		c = EXTMEM_TAILQ_FIND(&conns, it, it->id == q->conn_id);
		if (c != NULL && c->state == CONN_LIVE &&
				q->m.r.name[0] != '\0')
			proxy_answer(c, q, res, text, id);
		pthread_mutex_unlock(&mp_lock);
		if (hold)
			unlink(held);
		free(q);
	}
	return NULL;
}

static void
proxy_halt(void)
{
	struct mp_req *q;

	pthread_mutex_lock(&mp_lock);
	proxy_stop = true;
	pthread_cond_broadcast(&req_cond);
	pthread_mutex_unlock(&mp_lock);
	pthread_join(proxy_thread, NULL);
	while ((q = TAILQ_FIRST(&reqs)) != NULL) {
		TAILQ_REMOVE(&reqs, q, next);
		free(q);
	}
}

static int
service_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (extmem_mp_socket_path(sock_path, sizeof(sock_path)) != 0) {
		EXTMEM_LOG(WARNING, "runtime directory path too long for the "
			"multi-process socket: secondaries will not attach");
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		goto fail;
	/* the primary owns its runtime directory (EAL's config lock): a
	 * socket there is a dead primary's
	 */
	unlink(sock_path);
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
			listen(listen_fd, 64) != 0)
		goto fail;
	if (pipe2(wake_fd, O_CLOEXEC) != 0)
		goto fail;
	if (rte_ctrl_thread_create(&proxy_thread, "extmem-mp-proxy", NULL,
			proxy_main, NULL) != 0) {
		errno = rte_errno != 0 ? rte_errno : EAGAIN;
		goto fail;
	}
	if (rte_ctrl_thread_create(&service_thread, "extmem-mp", NULL,
			service_main, NULL) != 0) {
		errno = rte_errno != 0 ? rte_errno : EAGAIN;
		proxy_halt();
		goto fail;
	}
	return 0;
fail:
	EXTMEM_LOG(WARNING, "multi-process service %s not started: %s; "
		"secondaries will not attach", sock_path, strerror(errno));
	if (wake_fd[0] >= 0) {
		close(wake_fd[0]);
		close(wake_fd[1]);
		wake_fd[0] = wake_fd[1] = -1;
	}
	if (listen_fd >= 0) {
		close(listen_fd);
		unlink(sock_path);
		listen_fd = -1;
	}
	return -1;
}

void
extmem_mp_primary_start(void)
{
	pthread_condattr_t ca;

	if (subscribed || rte_eal_process_type() != RTE_PROC_PRIMARY)
		return;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&mp_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&req_cond, NULL);
	if (extmem_event_subscribe_internal(MP_SUB_NAME, mp_event_cb,
			NULL) != 0) {
		EXTMEM_LOG(ERR, "cannot subscribe the multi-process sync: %s",
			rte_strerror(rte_errno));
		return;
	}
	subscribed = true;
	/* DPDK 22.11: a --no-huge primary cannot have secondaries */
	if (!rte_eal_has_hugepages()) {
		EXTMEM_LOG(DEBUG, "no hugepages: no secondary can attach, no "
			"multi-process service");
		return;
	}
	if (service_open() == 0) {
		serving = true;
		EXTMEM_LOG(DEBUG, "multi-process service on %s", sock_path);
	}
}

void
extmem_mp_primary_stop(void)
{
	struct mp_conn *c;
	struct mp_req *q;

	if (!serving)
		return;
	/* first the proxy: a request being done waits for answers, which
	 * the service thread receives
	 */
	proxy_halt();
	if (write(wake_fd[1], "x", 1) != 1)
		EXTMEM_LOG(ERR, "cannot wake the multi-process service");
	pthread_join(service_thread, NULL);
	pthread_mutex_lock(&mp_lock);
	TAILQ_FOREACH(c, &conns, next)
		c->state = CONN_DEAD;
	conns_reap();
	while ((q = TAILQ_FIRST(&reqs)) != NULL) {
		TAILQ_REMOVE(&reqs, q, next);
		free(q);
	}
	pthread_cond_broadcast(&mp_cond);
	pthread_mutex_unlock(&mp_lock);
	close(wake_fd[0]);
	close(wake_fd[1]);
	wake_fd[0] = wake_fd[1] = -1;
	close(listen_fd);
	listen_fd = -1;
	unlink(sock_path);
	serving = false;
	EXTMEM_LOG(DEBUG, "multi-process service stopped");
}

void
extmem_mp_primary_stats(struct extmem_mp_primary_stats *st)
{
	struct mp_conn *c;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&mp_lock);
	st->serving = serving;
	TAILQ_FOREACH(c, &conns, next) {
		st->n_connections++;
		if (c->state == CONN_LIVE)
			st->n_secondaries++;
	}
	st->seq = mp_seq;
	st->n_attached = n_attached;
	st->n_gone = n_gone;
	pthread_mutex_unlock(&mp_lock);
}
