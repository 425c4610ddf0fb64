/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Regions a secondary has the primary make for it (the proxy), this
 * process being the primary:
 *
 * mp_proxy_timeout: a creation the secondary stops waiting for (its
 * EXTMEM_MP_REQUEST_TIMEOUT_MS shortened, the primary's proxy held by
 * EXTMEM_MP_TEST_PROXY_HOLD) fails there with ETIMEDOUT and leaves nothing:
 * started, it is made and destroyed again in every process; still queued,
 * it is never made; the same name is created afterwards.
 * mp_proxy_parallel: two threads of one secondary create 50 regions each
 * at once; every call gets its own region, the secondary owns all of
 * them (another one cannot destroy them, it can).
 * mp_proxy_owner: the primary's own destroy of a region a secondary had
 * it make fails EPERM and changes nothing in any process; the secondary
 * destroys it.
 * mp_proxy_peer: a peer on the service's socket (the wire of
 * extmem_mp_proto.h, not the library) sending two requests back to back
 * gets the second refused with EBUSY and the first done; a private or
 * anonymous region is refused (E_RTE_SECONDARY); an ABANDON after the
 * answer undoes the last request's region only; the primary and its
 * other secondary go on, and the peer's regions go with its connection.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <rte_extmem.h>
#include <rte_extmem_event.h>
#include <rte_extmem_mp.h>

#include "extmem_mp_proto.h"
#include "test.h"
#include "test_mp_hold.h"
#include "test_mp_util.h"

#define WAIT_MS 20000

static struct rte_extmem_region *
shared_make(const char *name)
{
	return test_mp_region_make(name, RTE_EXTMEM_BACKING_SHARED, 1u << 20,
		0, NULL);
}

/* A secondary's answer to cmd is want (exactly). */
static int
sec_expect(struct test_mp_sec *s, const char *want, const char *cmd)
{
	char got[128];

	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "%s", cmd), 0,
		"%s: no answer", cmd);
	TEST_ASSERT(strcmp(got, want) == 0, "%s: '%s', want '%s'", cmd, got,
		want);
	return TEST_SUCCESS;
}

/* "region <name>" there: not found. */
static int
sec_lacks(struct test_mp_sec *s, const char *name)
{
	char cmd[96], want[32];

	snprintf(cmd, sizeof(cmd), "region %s", name);
	snprintf(want, sizeof(want), "ERR %d", ENOENT);
	return sec_expect(s, want, cmd);
}

/*
 * The frame of each test: a region of the primary (the service starts
 * with it), n secondaries attached (the first waiting timeout_ms for its
 * requests' answers, NULL: the default), run, all gone again.
 */
static int
proxy_test(unsigned int n, const char *timeout_ms,
	int (*run)(struct test_mp_sec *s, void *arg), void *arg)
{
	const char *why = test_mp_skip_reason();
	struct rte_extmem_region *base;
	struct test_mp_sec s[2];
	unsigned int started = 0, i;
	int ret = TEST_FAILED;

	if (why != NULL)
		TEST_SKIP("%s", why);
	base = shared_make("mp_proxy_base");
	TEST_ASSERT_NOT_NULL(base, "region: %s", rte_strerror(rte_errno));
	for (i = 0; i < n && i < RTE_DIM(s); i++) {
		/* read at its first request */
		if (i == 0 && timeout_ms != NULL)
			setenv("EXTMEM_MP_REQUEST_TIMEOUT_MS", timeout_ms, 1);
		ret = test_mp_sec_start(&s[i], 0, 0, 0, true);
		unsetenv("EXTMEM_MP_REQUEST_TIMEOUT_MS");
		if (ret != 0)
			break;
		started++;
	}
	ret = started == n && test_mp_wait_secondaries(n) == 0 ?
		run(s, arg) : TEST_FAILED;
	for (i = 0; i < started; i++)
		if (test_mp_sec_stop(&s[i]) != 0)
			ret = TEST_FAILED;
	TEST_ASSERT_EQ(rte_extmem_region_destroy(base), 0, "destroy");
	TEST_RUN(ret);
	TEST_ASSERT_EQ(test_mp_wait_secondaries(0), 0, "secondaries gone");
	return TEST_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* mp_proxy_timeout */

/* The creation running when the secondary gives up: made, then undone. */
static int
abandon_running(struct test_mp_sec *s1, struct test_mp_sec *s2,
	struct test_mp_gate *g, struct test_mp_seen *seen)
{
	char want[32];

	TEST_ASSERT_EQ(test_mp_gate_close(g), 0, "gate");
	snprintf(want, sizeof(want), "ERR %d", ETIMEDOUT);
	TEST_RUN(sec_expect(s1, want, "create mp_abandoned"));
	/* the primary had it, and had not made it yet */
	TEST_ASSERT_EQ(access(g->held, F_OK), 0, "the proxy did not get the "
		"request");
	TEST_ASSERT_NULL(rte_extmem_region_lookup("mp_abandoned"), "made "
		"before the hold ended");
	TEST_ASSERT_EQ(test_mp_gate_open(g), 0, "the held creation was "
		"not answered");
	/* made for it after all, then destroyed: in every process */
	TEST_ASSERT_EQ(test_mp_seen_wait(&seen->added[0], 1), 0, "never made");
	TEST_ASSERT_EQ(test_mp_seen_wait(&seen->removed[0], 1), 0, "the "
		"region of the abandoned request stays");
	TEST_ASSERT_EQ(test_mp_wait_gone("mp_abandoned"), 0, "primary");
	TEST_RUN(sec_lacks(s1, "mp_abandoned"));
	TEST_RUN(sec_lacks(s2, "mp_abandoned"));
	/* the name is free again */
	TEST_ASSERT_EQ(test_mp_sec_cmd(s1, want, sizeof(want),
		"create mp_abandoned"), 0, "create");
	TEST_ASSERT(strncmp(want, "0x", 2) == 0, "create again: %s", want);
	TEST_ASSERT_NOT_NULL(rte_extmem_region_lookup("mp_abandoned"), "made");
	TEST_RUN(sec_expect(s2, "OK", "region mp_abandoned"));
	TEST_RUN(sec_expect(s1, "OK", "destroy mp_abandoned"));
	TEST_ASSERT_NULL(rte_extmem_region_lookup("mp_abandoned"), "gone");
	TEST_ASSERT_EQ(test_mp_seen_get(&seen->added[0]), 2,
		"made twice in all");
	return TEST_SUCCESS;
}

/* A creation still queued when the secondary gives up: never made. */
static int
abandon_queued(struct test_mp_sec *s1, struct test_mp_sec *s2,
	struct test_mp_gate *g, struct test_mp_seen *seen)
{
	char got[64], want[32];

	TEST_ASSERT_EQ(test_mp_gate_close(g), 0, "gate");
	TEST_ASSERT_EQ(test_mp_sec_send(s2, "create mp_held"), 0, "send");
	TEST_ASSERT_EQ(test_mp_gate_wait_held(g), 0, "the proxy did not get "
		"the request");
	snprintf(want, sizeof(want), "ERR %d", ETIMEDOUT);
	TEST_RUN(sec_expect(s1, want, "create mp_dropped"));
	TEST_ASSERT_EQ(test_mp_gate_open(g), 0, "the held creation was "
		"not answered");
	TEST_ASSERT_EQ(test_mp_sec_answer(s2, got, sizeof(got)), 0, "answer");
	TEST_ASSERT(strncmp(got, "0x", 2) == 0, "held create: %s", got);
	/* the proxy does its requests in turn: were the dropped one still
	 * queued, it would be made before this one
	 */
	TEST_ASSERT_EQ(test_mp_sec_cmd(s1, got, sizeof(got),
		"create mp_dropped"), 0, "create");
	TEST_ASSERT(strncmp(got, "0x", 2) == 0, "create again: %s", got);
	TEST_ASSERT_EQ(test_mp_seen_get(&seen->added[1]), 1,
		"the abandoned request was made too");
	TEST_ASSERT_EQ(test_mp_seen_get(&seen->removed[1]), 0,
		"removed");
	TEST_RUN(sec_expect(s1, "OK", "destroy mp_dropped"));
	TEST_RUN(sec_expect(s2, "OK", "destroy mp_held"));
	return TEST_SUCCESS;
}

struct timeout_ctx {
	struct test_mp_gate g;
	struct test_mp_seen seen;
};

static int
timeout_run(struct test_mp_sec *s, void *arg)
{
	struct timeout_ctx *t = arg;
	int ret;

	ret = abandon_running(&s[0], &s[1], &t->g, &t->seen);
	if (ret == TEST_SUCCESS)
		ret = abandon_queued(&s[0], &s[1], &t->g, &t->seen);
	test_mp_gate_fini(&t->g);	/* never hold the clean-up */
	return ret;
}

static int
test_mp_proxy_timeout(void)
{
	struct timeout_ctx t = {
		.seen = { .name = { "mp_abandoned", "mp_dropped" } },
	};
	int ret;

	/* before the proxy's first request (it reads it once) */
	TEST_ASSERT_EQ(test_mp_gate_init(&t.g), 0, "hold hook");
	TEST_ASSERT_EQ(test_mp_seen_start(&t.seen, "mp_proxy_seen"), 0,
		"subscribe: %s", rte_strerror(rte_errno));
	/* the first secondary waits 2 s for an answer (its other requests,
	 * not held, must be answered by then, even on a loaded machine)
	 */
	ret = proxy_test(2, "2000", timeout_run, &t);
	test_mp_seen_stop("mp_proxy_seen");
	test_mp_gate_fini(&t.g);
	return ret;
}

REGISTER_EXTMEM_TEST(mp_proxy_timeout, test_mp_proxy_timeout,
	EXTMEM_TEST_F_MULTIPROC);

/* ------------------------------------------------------------------ */
/* mp_proxy_parallel */

#define PAR_N 50

/* The 2 * PAR_N regions of the two threads here (want) or not. */
static int
par_check(bool want)
{
	char name[32];
	unsigned int i, t;

	for (t = 0; t < 2; t++)
		for (i = 0; i < PAR_N; i++) {
			snprintf(name, sizeof(name), "mp_par%c%u", 'a' + t, i);
			TEST_ASSERT((rte_extmem_region_lookup(name) != NULL) ==
				want, "region %s %s in the primary", name,
				want ? "missing" : "left");
		}
	return TEST_SUCCESS;
}

static int
parallel_run(struct test_mp_sec *s, void *arg __rte_unused)
{
	char want[32];

	TEST_RUN(sec_expect(&s[0], "OK", "createmany mp_par " RTE_STR(PAR_N)));
	TEST_RUN(par_check(true));
	TEST_RUN(sec_expect(&s[1], "OK", "region mp_para0"));
	/* they are the first secondary's: not the second's to destroy */
	snprintf(want, sizeof(want), "ERR %d", E_RTE_SECONDARY);
	TEST_RUN(sec_expect(&s[1], want, "destroy mp_para0"));
	TEST_RUN(sec_expect(&s[1], want, "destroy mp_parb49"));
	TEST_RUN(sec_expect(&s[0], "OK", "destroymany mp_par " RTE_STR(PAR_N)));
	TEST_RUN(par_check(false));
	TEST_RUN(sec_lacks(&s[1], "mp_parb49"));
	return TEST_SUCCESS;
}

static int
test_mp_proxy_parallel(void)
{
	return proxy_test(2, NULL, parallel_run, NULL);
}

REGISTER_EXTMEM_TEST(mp_proxy_parallel, test_mp_proxy_parallel,
	EXTMEM_TEST_F_MULTIPROC);

/* ------------------------------------------------------------------ */
/* mp_proxy_owner */

static int
count_regions_cb(const struct rte_extmem_region *region __rte_unused,
	const struct rte_extmem_region_info *info __rte_unused, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static unsigned int
count_regions(void)
{
	unsigned int n = 0;

	(void)rte_extmem_region_walk(count_regions_cb, &n);
	return n;
}

static int
owner_run(struct test_mp_sec *s, void *arg __rte_unused)
{
	struct rte_extmem_region_info before, after;
	struct rte_extmem_region *r;
	rte_iova_t iova;
	unsigned int n;
	char got[64];

	TEST_ASSERT_EQ(test_mp_sec_cmd(&s[0], got, sizeof(got),
		"create mp_own"), 0, "create: no answer");
	TEST_ASSERT(strncmp(got, "ERR", 3) != 0, "create: %s", got);
	r = rte_extmem_region_lookup("mp_own");
	TEST_ASSERT_NOT_NULL(r, "mp_own not in the primary");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &before), 0, "info");
	iova = rte_extmem_virt2iova(before.addr);
	TEST_ASSERT(iova != RTE_BAD_IOVA, "mp_own has no IOVA");
	n = count_regions();
	rte_errno = 0;
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), -1,
		"the primary destroyed the secondary's region");
	TEST_ASSERT_EQ(rte_errno, EPERM, "errno %d, want EPERM", rte_errno);
	/* nothing changed, here and in both secondaries */
	TEST_ASSERT(rte_extmem_region_lookup("mp_own") == r, "lookup");
	TEST_ASSERT_EQ(count_regions(), n, "region count");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &after), 0, "info");
	TEST_ASSERT(before.addr == after.addr && before.len == after.len &&
		before.id == after.id, "info changed");
	TEST_ASSERT_EQ(rte_extmem_virt2iova(before.addr), iova, "IOVA");
	TEST_RUN(sec_expect(&s[0], "OK", "region mp_own"));
	TEST_RUN(sec_expect(&s[1], "OK", "region mp_own"));
	/* its owner can */
	TEST_RUN(sec_expect(&s[0], "OK", "destroy mp_own"));
	TEST_ASSERT(rte_extmem_region_lookup("mp_own") == NULL,
		"mp_own left in the primary");
	TEST_RUN(sec_lacks(&s[1], "mp_own"));
	return TEST_SUCCESS;
}

static int
test_mp_proxy_owner(void)
{
	return proxy_test(2, NULL, owner_run, NULL);
}

REGISTER_EXTMEM_TEST(mp_proxy_owner, test_mp_proxy_owner,
	EXTMEM_TEST_F_MULTIPROC);

/* ------------------------------------------------------------------ */
/* mp_proxy_peer: the wire, by hand */

static int
peer_send(int fd, enum extmem_mp_type t, uint64_t seq,
	const struct extmem_mp_region_desc *d)
{
	struct extmem_mp_msg m;

	memset(&m, 0, sizeof(m));
	m.magic = EXTMEM_MP_MAGIC;
	m.version = EXTMEM_MP_VERSION;
	m.type = (uint16_t)t;
	m.seq = seq;
	m.pid = (int32_t)getpid();
	if (d != NULL)
		m.r = *d;
	return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ?
		0 : -1;
}

/* One message (its descriptors closed) within ms (-1: no limit). */
static int
peer_recv(int fd, struct extmem_mp_msg *m, int ms)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 8)];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	unsigned int i, n;
	ssize_t r;

	if (poll(&p, 1, ms) != 1)
		return -1;
	r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	for (c = CMSG_FIRSTHDR(&mh); r > 0 && c != NULL;
			c = CMSG_NXTHDR(&mh, c)) {
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++)
			close(((int *)CMSG_DATA(c))[i]);
	}
	return r == (ssize_t)sizeof(*m) && m->magic == EXTMEM_MP_MAGIC ? 0 : -1;
}

/*
 * The peer's reader: it answers every change as a secondary must (ACK,
 * result 0) and records the DONE of requests 1 to PEER_REQS - 1.
 */
#define PEER_REQS 8

struct peer {
	int fd;
	pthread_t t;
	int done[PEER_REQS];	/* 0: none yet, else result + 1 */
};

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	struct extmem_mp_msg m;

	while (peer_recv(p->fd, &m, -1) == 0) {
		if (m.type != EXTMEM_MP_DONE) {
			if (peer_send(p->fd, EXTMEM_MP_ACK, m.seq, NULL) != 0)
				break;
		} else if (m.seq > 0 && m.seq < PEER_REQS) {
			__atomic_store_n(&p->done[m.seq], m.result + 1,
				__ATOMIC_RELEASE);
		}
	}
	return NULL;
}

/* The result of request seq (bounded wait), or -1. */
static int
peer_result(struct peer *p, uint64_t seq)
{
	unsigned int ms;
	int v;

	for (ms = 0; ms < WAIT_MS; ms++) {
		v = __atomic_load_n(&p->done[seq], __ATOMIC_ACQUIRE);
		if (v != 0)
			return v - 1;
		usleep(1000);
	}
	return -1;
}

/* Connected and attached (the snapshot taken): the socket, or -1. */
static int
peer_attach(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct extmem_mp_msg m;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s",
		rte_eal_get_runtime_dir(), EXTMEM_MP_SOCKET);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
			peer_send(fd, EXTMEM_MP_HELLO, 0, NULL) != 0)
		goto fail;
	do
		if (peer_recv(fd, &m, WAIT_MS) != 0)
			goto fail;
	while (m.type != EXTMEM_MP_SNAP_END);
	if (peer_send(fd, EXTMEM_MP_ACK, m.seq, NULL) != 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

static void
peer_desc(struct extmem_mp_region_desc *d, const char *name,
	enum rte_extmem_backing b, uint64_t flags)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->backing = (uint32_t)b;
	d->len = 2u << 20;
	d->page_sz = b == RTE_EXTMEM_BACKING_HUGETLB ? 2u << 20 : 0;
	d->numa_node = SOCKET_ID_ANY;
	d->flags = flags;
}

/* Two requests back to back: the second is refused, the first done. */
static int
peer_twice(struct peer *p, struct test_mp_sec *s)
{
	struct extmem_mp_region_desc d;
	int res;

	peer_desc(&d, "mp_peer_a", RTE_EXTMEM_BACKING_SHARED, 0);
	TEST_ASSERT_EQ(peer_send(p->fd, EXTMEM_MP_CREATE, 1, &d), 0, "send");
	peer_desc(&d, "mp_peer_b", RTE_EXTMEM_BACKING_SHARED, 0);
	TEST_ASSERT_EQ(peer_send(p->fd, EXTMEM_MP_CREATE, 2, &d), 0, "send");
	res = peer_result(p, 2);
	TEST_ASSERT_EQ(res, EBUSY, "request 2, during request 1: %d", res);
	res = peer_result(p, 1);
	TEST_ASSERT_EQ(res, 0, "request 1: %d", res);
	TEST_ASSERT_NOT_NULL(rte_extmem_region_lookup("mp_peer_a"), "made");
	TEST_ASSERT_NULL(rte_extmem_region_lookup("mp_peer_b"), "refused");
	TEST_RUN(sec_expect(s, "OK", "region mp_peer_a"));
	TEST_RUN(sec_lacks(s, "mp_peer_b"));
	return TEST_SUCCESS;
}

/* A region the primary must not make for a secondary: refused. */
static int
peer_refused(struct peer *p, uint64_t seq, const char *name,
	enum rte_extmem_backing b, uint64_t flags)
{
	struct extmem_mp_region_desc d;
	int res;

	peer_desc(&d, name, b, flags);
	TEST_ASSERT_EQ(peer_send(p->fd, EXTMEM_MP_CREATE, seq, &d), 0, "send");
	res = peer_result(p, seq);
	TEST_ASSERT_EQ(res, E_RTE_SECONDARY, "%s: %d", name, res);
	TEST_ASSERT_NULL(rte_extmem_region_lookup(name), "%s made", name);
	return TEST_SUCCESS;
}

/*
 * ABANDON after the answer (a timeout crossing the DONE): the region of
 * the connection's last request is destroyed again; an older request, or
 * a number it has not sent, is not abandoned.
 */
static int
peer_abandon(struct peer *p, struct test_mp_sec *s)
{
	struct extmem_mp_region_desc d;

	peer_desc(&d, "mp_peer_old", RTE_EXTMEM_BACKING_SHARED, 0);
	TEST_ASSERT_EQ(peer_send(p->fd, EXTMEM_MP_CREATE, 5, &d), 0, "send");
	TEST_ASSERT_EQ(peer_result(p, 5), 0, "request 5");
	/* not sent yet: ignored */
	TEST_ASSERT_EQ(peer_send(p->fd, EXTMEM_MP_ABANDON, 6, NULL), 0, "ab");
	peer_desc(&d, "mp_peer_late", RTE_EXTMEM_BACKING_SHARED, 0);
	TEST_ASSERT_EQ(peer_send(p->fd, EXTMEM_MP_CREATE, 6, &d), 0, "send");
	TEST_ASSERT_EQ(peer_result(p, 6), 0, "request 6");
	TEST_ASSERT_NOT_NULL(rte_extmem_region_lookup("mp_peer_late"), "made");
	/* 5 is no longer its last request: ignored; 6 is undone */
	TEST_ASSERT_EQ(peer_send(p->fd, EXTMEM_MP_ABANDON, 5, NULL), 0, "ab");
	TEST_ASSERT_EQ(peer_send(p->fd, EXTMEM_MP_ABANDON, 6, NULL), 0, "ab");
	TEST_ASSERT_EQ(test_mp_wait_gone("mp_peer_late"), 0, "the region of "
		"an abandoned request stays");
	TEST_RUN(sec_lacks(s, "mp_peer_late"));
	TEST_ASSERT_NOT_NULL(rte_extmem_region_lookup("mp_peer_old"), "the "
		"region of an answered, older request was destroyed");
	TEST_RUN(sec_expect(s, "OK", "region mp_peer_old"));
	return TEST_SUCCESS;
}

static int
peer_steps(struct peer *p, struct test_mp_sec *s)
{
	struct rte_extmem_region *r;
	char got[64];

	TEST_RUN(peer_twice(p, s));
	TEST_RUN(peer_refused(p, 3, "mp_peer_priv", RTE_EXTMEM_BACKING_HUGETLB,
		RTE_EXTMEM_REGION_F_PRIVATE));
	TEST_RUN(peer_refused(p, 4, "mp_peer_anon", RTE_EXTMEM_BACKING_ANON,
		0));
	TEST_RUN(peer_abandon(p, s));
	/* the other secondary and the primary go on */
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "create"), 0, "c");
	TEST_ASSERT(strncmp(got, "0x", 2) == 0, "secondary create: %s", got);
	TEST_RUN(sec_expect(s, "OK", "destroy mp_sec_create"));
	r = shared_make("mp_peer_primary");
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_RUN(sec_expect(s, "OK", "region mp_peer_primary"));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

static int
peer_run(struct test_mp_sec *s, void *arg __rte_unused)
{
	struct rte_extmem_mp_info info;
	struct peer p = { .fd = -1 };
	int ret;

	p.fd = peer_attach();
	TEST_ASSERT(p.fd >= 0, "the peer cannot attach");
	if (pthread_create(&p.t, NULL, peer_main, &p) != 0) {
		close(p.fd);
		TEST_ASSERT(false, "thread");
	}
	ret = peer_steps(&p, s);
	/* still attached: it was never disconnected */
	TEST_ASSERT_EQ(rte_extmem_mp_info_get(&info), 0, "info");
	if (ret == TEST_SUCCESS && info.n_secondaries != 2) {
		printf("    %u secondaries, want 2 (the peer's link ended)\n",
			info.n_secondaries);
		ret = TEST_FAILED;
	}
	/* the peer's region goes with its connection */
	shutdown(p.fd, SHUT_RDWR);
	pthread_join(p.t, NULL);
	close(p.fd);
	TEST_RUN(ret);
	TEST_ASSERT_EQ(test_mp_wait_gone("mp_peer_a"), 0, "the peer's region "
		"kept");
	TEST_ASSERT_EQ(test_mp_wait_gone("mp_peer_old"), 0, "the peer's region "
		"kept");
	TEST_RUN(sec_lacks(s, "mp_peer_a"));
	return TEST_SUCCESS;
}

static int
test_mp_proxy_peer(void)
{
	return proxy_test(1, NULL, peer_run, NULL);
}

REGISTER_EXTMEM_TEST(mp_proxy_peer, test_mp_proxy_peer,
	EXTMEM_TEST_F_MULTIPROC);
