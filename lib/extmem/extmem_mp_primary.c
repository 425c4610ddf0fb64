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
 *   state lock, and it never waits for a secondary to process anything.
 *
 * A change therefore waits for the secondaries attached before it (a
 * secondary that attaches during it gets the new table in its snapshot),
 * never for a process without the library (it never connects), and for a
 * stuck secondary at most EXTMEM_MP_TIMEOUT_MS, after which the secondary
 * is disconnected.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

#define MP_SUB_NAME "extmem_mp"
#define MP_TIMEOUT_MS_DEFAULT 10000
#define MP_SEND_TIMEOUT_S 2

/* A region the secondaries must have. */
struct mp_entry {
	TAILQ_ENTRY(mp_entry) next;
	const struct rte_extmem_region *r;
	struct extmem_mp_region_desc d;
	int mem_fd;	/* the region's own (borrowed, valid while listed) */
	int runs_fd;	/* its IOVA runs (owned) */
};
TAILQ_HEAD(mp_entry_list, mp_entry);

enum conn_state {
	CONN_NEW,	/* connected, no HELLO yet */
	CONN_LIVE,	/* has the snapshot, gets every later change */
	CONN_DEAD,	/* to be closed by the service thread */
};

struct mp_conn {
	TAILQ_ENTRY(mp_conn) next;
	int fd;
	int pid;
	enum conn_state state;
	uint64_t joined;	/* its snapshot holds changes up to this one */
	uint64_t acked;		/* last change it answered */
	int result;		/* of that answer */
	char text[EXTMEM_MP_TEXT];
};
TAILQ_HEAD(mp_conn_list, mp_conn);

static pthread_mutex_t mp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mp_cond;
static struct mp_entry_list entries = TAILQ_HEAD_INITIALIZER(entries);
static struct mp_conn_list conns = TAILQ_HEAD_INITIALIZER(conns);
static uint64_t mp_seq;
static uint64_t n_attached, n_gone;

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

static int
conn_send(struct mp_conn *c, const struct extmem_mp_msg *m,
	const struct mp_entry *e)
{
	int fds[EXTMEM_MP_MAX_FDS];
	unsigned int n = 0;

	if (e != NULL && e->d.shared) {
		fds[n++] = e->mem_fd;
		fds[n++] = e->runs_fd;
	}
	if (extmem_mp_send(c->fd, m, fds, n) == 0)
		return 0;
	conn_kill(c, strerror(errno));
	return -1;
}

/* Under mp_lock: the table, then its change number. */
static void
snapshot_send(struct mp_conn *c)
{
	struct extmem_mp_msg m;
	struct mp_entry *e;

	TAILQ_FOREACH(e, &entries, next) {
		extmem_mp_msg_init(&m, EXTMEM_MP_SNAP_REGION, mp_seq);
		m.r = e->d;
		if (conn_send(c, &m, e) != 0)
			return;
	}
	extmem_mp_msg_init(&m, EXTMEM_MP_SNAP_END, mp_seq);
	if (conn_send(c, &m, NULL) != 0)
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
			conn_send(c, &m, t == EXTMEM_MP_ADD ? e : NULL);
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

	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
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

/* A region was added: every secondary maps it, or none keeps it. */
static int
mp_region_added(struct rte_extmem_region *r)
{
	char text[EXTMEM_MP_TEXT + 32] = "";
	struct mp_entry *e;
	bool callout;
	uint64_t s;
	int err;

	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		EXTMEM_LOG(ERR, "region %s: no memory to describe it to "
			"secondaries", r->name);
		return -(EXTMEM_EVENT_KEEP_ERRNO | ENOMEM);
	}
	e->r = r;
	desc_fill(&e->d, r);
	e->mem_fd = r->fd;
	e->runs_fd = -1;
	if (e->d.shared) {
		e->runs_fd = extmem_mp_runs_write(r->runs, r->n_runs);
		if (e->runs_fd < 0) {
			EXTMEM_LOG(ERR, "region %s: cannot write its IOVA runs "
				"for secondaries: %s", r->name, strerror(errno));
			free(e);
			return -(EXTMEM_EVENT_KEEP_ERRNO | ENOMEM);
		}
	}
	callout = extmem_op_callout_begin();
	pthread_mutex_lock(&mp_lock);
	TAILQ_INSERT_TAIL(&entries, e, next);
	s = broadcast(EXTMEM_MP_ADD, e);
	err = wait_answers(s, text, sizeof(text));
	if (err != 0) {
		/* withdrawn everywhere: those that mapped it unmap it */
		TAILQ_REMOVE(&entries, e, next);
		s = broadcast(EXTMEM_MP_REMOVE, e);
		wait_answers(s, NULL, 0);
	}
	pthread_mutex_unlock(&mp_lock);
	extmem_op_callout_end(callout);
	if (err == 0)
		return 0;
	EXTMEM_LOG(ERR, "region %s: a secondary cannot attach it (%s): "
		"withdrawn", r->name, text);
	if (e->runs_fd >= 0)
		close(e->runs_fd);
	free(e);
	return -(EXTMEM_EVENT_KEEP_ERRNO | err);
}

/* A region is gone (or its addition rolled back): every secondary too. */
static void
mp_region_removed(struct rte_extmem_region *r)
{
	struct mp_entry *e;
	bool callout;
	uint64_t s;

	callout = extmem_op_callout_begin();
	pthread_mutex_lock(&mp_lock);
	e = entry_find(r);
	if (e != NULL) {
		TAILQ_REMOVE(&entries, e, next);
		s = broadcast(EXTMEM_MP_REMOVE, e);
		wait_answers(s, NULL, 0);
	}
	pthread_mutex_unlock(&mp_lock);
	extmem_op_callout_end(callout);
	r->mp_prepared = false;
	if (e == NULL)
		return;
	if (e->runs_fd >= 0)
		close(e->runs_fd);
	free(e);
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
		s = broadcast(EXTMEM_MP_PREPARE, e);
		err = wait_answers(s, text, sizeof(text));
		if (err != 0) {
			s = broadcast(EXTMEM_MP_CANCEL, e);
			wait_answers(s, NULL, 0);
		}
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
	uint64_t s;

	if (!r->mp_prepared)
		return;
	callout = extmem_op_callout_begin();
	pthread_mutex_lock(&mp_lock);
	e = entry_find(r);
	if (e != NULL) {
		s = broadcast(EXTMEM_MP_CANCEL, e);
		wait_answers(s, NULL, 0);
	}
	pthread_mutex_unlock(&mp_lock);
	extmem_op_callout_end(callout);
	r->mp_prepared = false;
}

/* ------------------------------------------------------------------ */
/* The service thread */

static void
conn_accept(void)
{
	struct timeval tv = { .tv_sec = MP_SEND_TIMEOUT_S };
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
	/* a secondary that stops reading cannot hold the service */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c->fd = fd;
	c->pid = -1;
	c->state = CONN_NEW;
	pthread_mutex_lock(&mp_lock);
	TAILQ_INSERT_TAIL(&conns, c, next);
	pthread_mutex_unlock(&mp_lock);
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
		c->pid = m->pid;
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
	struct mp_conn *c, *t;

	RTE_TAILQ_FOREACH_SAFE(c, &conns, next, t) {
		if (c->state != CONN_DEAD)
			continue;
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
	if (rte_ctrl_thread_create(&service_thread, "extmem-mp", NULL,
			service_main, NULL) != 0) {
		errno = rte_errno != 0 ? rte_errno : EAGAIN;
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

	if (!serving)
		return;
	if (write(wake_fd[1], "x", 1) != 1)
		EXTMEM_LOG(ERR, "cannot wake the multi-process service");
	pthread_join(service_thread, NULL);
	pthread_mutex_lock(&mp_lock);
	TAILQ_FOREACH(c, &conns, next)
		c->state = CONN_DEAD;
	conns_reap();
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
