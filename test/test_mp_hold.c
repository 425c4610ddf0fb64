/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* The proxy's test hold and its announcements, counted (test_mp_hold.h). */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>

#include <rte_extmem.h>
#include <rte_extmem_event.h>

#include "test_mp_hold.h"

#define WAIT_MS 20000

/* Until cond(arg), WAIT_MS at most: 0 or -1. */
static int
wait_until(bool (*cond)(const void *arg), const void *arg)
{
	unsigned int ms;

	for (ms = 0; ms < WAIT_MS; ms++) {
		if (cond(arg))
			return 0;
		usleep(1000);
	}
	return -1;
}

static bool
file_there(const void *path)
{
	return access(path, F_OK) == 0;
}

static bool
file_gone(const void *path)
{
	return access(path, F_OK) != 0;
}

int
test_mp_gate_init(struct test_mp_gate *g)
{
	snprintf(g->path, sizeof(g->path), "/tmp/extmem_mp_gate.%d",
		(int)getpid());
	snprintf(g->held, sizeof(g->held), "%s.held", g->path);
	test_mp_gate_fini(g);
	return setenv("EXTMEM_MP_TEST_PROXY_HOLD", g->path, 1);
}

void
test_mp_gate_fini(struct test_mp_gate *g)
{
	unlink(g->path);
	unlink(g->held);
}

int
test_mp_gate_close(struct test_mp_gate *g)
{
	int fd = open(g->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int
test_mp_gate_wait_held(struct test_mp_gate *g)
{
	return wait_until(file_there, g->held);
}

int
test_mp_gate_open(struct test_mp_gate *g)
{
	unlink(g->path);
	return wait_until(file_gone, g->held);
}

static int
seen_cb(const struct rte_extmem_event *ev, void *arg)
{
	struct rte_extmem_region_info i;
	struct test_mp_seen *s = arg;
	unsigned int k;

	if (ev->type != RTE_EXTMEM_EVENT_REGION_REGISTERED &&
			ev->type != RTE_EXTMEM_EVENT_REGION_UNREGISTERED)
		return 0;
	if (rte_extmem_region_info_get(ev->region, &i) != 0)
		return 0;
	for (k = 0; k < RTE_DIM(s->name); k++)
		if (s->name[k] != NULL && strcmp(i.name, s->name[k]) == 0)
			__atomic_fetch_add(ev->type ==
				RTE_EXTMEM_EVENT_REGION_REGISTERED ?
				&s->added[k] : &s->removed[k], 1,
				__ATOMIC_RELEASE);
	return 0;
}

int
test_mp_seen_start(struct test_mp_seen *s, const char *sub)
{
	return rte_extmem_event_subscribe(sub, 0, seen_cb, s);
}

void
test_mp_seen_stop(const char *sub)
{
	rte_extmem_event_unsubscribe(sub);
}

unsigned int
test_mp_seen_get(const unsigned int *v)
{
	return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

struct count_want {
	const unsigned int *v;
	unsigned int n;
};

static bool
count_is(const void *arg)
{
	const struct count_want *w = arg;

	return test_mp_seen_get(w->v) == w->n;
}

int
test_mp_seen_wait(const unsigned int *v, unsigned int n)
{
	struct count_want w = { .v = v, .n = n };

	return wait_until(count_is, &w);
}

static bool
region_gone(const void *name)
{
	return rte_extmem_region_lookup(name) == NULL;
}

int
test_mp_wait_gone(const char *name)
{
	return wait_until(region_gone, name);
}
