/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * mp_kill: 20 secondaries SIGKILLed at random points, half of them during
 * their attach (once connected: a snapshot of several regions and a heap,
 * each step widened by EXTMEM_MP_TEST_DELAY_US), half while this primary creates
 * and destroys regions and heap regions that they must apply and answer.
 * Each of the latter has asked the primary for a region first, and the
 * primary's proxy holds that creation (EXTMEM_MP_TEST_PROXY_HOLD) from the
 * moment it has the request until the secondary is killed and its link
 * has ended; then the creation goes on, for a secondary that is gone:
 * the region is made and destroyed again at once (both announced here).
 * Every operation of the primary succeeds meanwhile; afterwards it counts
 * no secondary and no region made for one, creates and destroys 100
 * regions, and holds exactly the file descriptors, memfds and hugetlb
 * pages it held before.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <rte_extmem.h>
#include <rte_extmem_heap.h>
#include <rte_extmem_mp.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_mp_hold.h"
#include "test_mp_util.h"

#define KILLS 20
#define N_BASE 4
#define SEC_REGION "mp_sec_create"	/* what a secondary's "create" asks */
/* far beyond a run (seconds), well within meson's timeout */
#define WATCHDOG_S 240

/*
 * A kill inside EAL's shared memory lock leaves it held (DPDK 22.11,
 * doc multiprocess.rst): the primary's next change then waits forever.
 * The test fails then, with a message, rather than hang.
 */
static void
watchdog(int sig __rte_unused)
{
	static const char msg[] = "    FAIL mp_kill: no end after "
		RTE_STR(WATCHDOG_S) " s: the primary is blocked (a secondary "
		"killed inside EAL's memory hotplug lock?)\n";

	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

struct killer {
	pid_t pid;
	unsigned int delay_us;
	volatile bool done;
};

static void *
mem_lock_probe(void *arg)
{
	volatile bool *taken = arg;

	rte_mcfg_mem_write_lock();
	rte_mcfg_mem_write_unlock();
	__atomic_store_n(taken, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * SIGKILL pid where it holds none of EAL's shared memory lock. DPDK 22.11
 * leaves that lock held by a process killed inside rte_extmem_attach(),
 * rte_malloc_heap_memory_attach() or their detach calls (any secondary,
 * with or without this library; multiprocess.rst), and the primary's next
 * memory change then waits forever: that is EAL's limit, not a point of
 * this test. So the process is stopped, a writer takes and drops the lock
 * (it can only if the stopped process holds none), and the process is
 * killed while still stopped; if it holds the lock it runs on and is
 * stopped again a moment later.
 */
static void
kill_outside_eal_mem_lock(pid_t pid)
{
	unsigned int tries, ms;
	volatile bool taken;
	pthread_t t;

	for (tries = 0; tries < 1000; tries++) {
		if (test_mp_proc_stop(pid) != 0)
			break;
		taken = false;
		if (pthread_create(&t, NULL, mem_lock_probe, (void *)&taken)
				!= 0)
			break;
		for (ms = 0; ms < 20 && !__atomic_load_n(&taken,
				__ATOMIC_ACQUIRE); ms++)
			usleep(1000);
		if (__atomic_load_n(&taken, __ATOMIC_ACQUIRE)) {
			kill(pid, SIGKILL);
			pthread_join(t, NULL);
			return;
		}
		kill(pid, SIGCONT);
		pthread_join(t, NULL);
		usleep((unsigned int)(rand() % 2000));
	}
	kill(pid, SIGKILL);
}

static void *
killer_main(void *arg)
{
	struct killer *k = arg;

	usleep(k->delay_us);
	kill_outside_eal_mem_lock(k->pid);
	__atomic_store_n(&k->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* 2 MiB, hugetlb (2M pages) for even i, shared for odd i. */
static struct rte_extmem_region *
make_2m(const char *name, unsigned int i)
{
	return test_mp_region_make(name, i % 2 ? RTE_EXTMEM_BACKING_SHARED :
		RTE_EXTMEM_BACKING_HUGETLB, 2u << 20, i % 2 ? 0 : RTE_PGSIZE_2M,
		NULL);
}

/* One change each way the secondaries must follow. */
static int
churn_once(struct rte_extmem_heap *heap, unsigned int i)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	char name[32];

	snprintf(name, sizeof(name), "mp_churn%u", i);
	r = test_mp_region_make(name, RTE_EXTMEM_BACKING_SHARED, 256u << 10,
		0, NULL);
	TEST_ASSERT_NOT_NULL(r, "create %s: %s", name,
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy %s: %s",
		name, rte_strerror(rte_errno));
	rte_extmem_region_params_init(&p);
	p.name = name;
	p.backing = RTE_EXTMEM_BACKING_SHARED;
	p.len = 2u << 20;
	r = rte_extmem_heap_region_add(heap, &p);
	TEST_ASSERT_NOT_NULL(r, "heap add %s: %s", name,
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_heap_region_remove(heap, r), 0,
		"heap remove %s: %s", name, rte_strerror(rte_errno));
	return TEST_SUCCESS;
}

/* Until the service has a connection (bounded). */
static int
wait_connected(void)
{
	struct rte_extmem_mp_info info;
	unsigned int i;

	for (i = 0; i < 60000; i++) {
		if (rte_extmem_mp_info_get(&info) != 0)
			return -1;
		if (info.n_connections > 0)
			return 0;
		usleep(1000);
	}
	return -1;
}

struct kill_ctx {
	struct rte_extmem_heap *heap;
	struct test_mp_gate gate;	/* holds the proxied creations */
	struct test_mp_seen seen;	/* of SEC_REGION */
	unsigned int n;			/* changes made */
	unsigned int held;		/* creations held until a kill */
};

/* The creation s asked for is held: the primary has the request. */
static int
create_held(struct kill_ctx *x, struct test_mp_sec *s)
{
	TEST_ASSERT_EQ(test_mp_gate_close(&x->gate), 0, "gate");
	TEST_ASSERT_EQ(test_mp_sec_send(s, "create"), 0, "create not sent");
	TEST_ASSERT_EQ(test_mp_gate_wait_held(&x->gate), 0, "the primary did "
		"not get the create request");
	TEST_ASSERT_NULL(rte_extmem_region_lookup(SEC_REGION), "made early");
	return TEST_SUCCESS;
}

/* Its secondary is dead: the held creation goes on, and is undone. */
static int
create_released(struct kill_ctx *x)
{
	TEST_ASSERT_EQ(test_mp_wait_secondaries(0), 0, "the killed "
		"secondary's link did not end");
	TEST_ASSERT_EQ(test_mp_gate_open(&x->gate), 0, "the held creation did "
		"not end");
	x->held++;
	/* made, then destroyed since its secondary is gone */
	TEST_ASSERT_EQ(test_mp_seen_get(&x->seen.added[0]), x->held, "the "
		"creation for the dead secondary was not made");
	TEST_ASSERT_EQ(test_mp_seen_get(&x->seen.removed[0]), x->held, "the "
		"region made for the dead secondary was not destroyed");
	TEST_ASSERT_NULL(rte_extmem_region_lookup(SEC_REGION), "the region "
		"made for the dead secondary stays");
	return TEST_SUCCESS;
}

static int
kill_one(struct kill_ctx *x, unsigned int i)
{
	struct test_mp_sec s;
	struct killer k;
	pthread_t t;
	bool attach = i % 2 == 0;

	/* the previous one's connection is over */
	TEST_ASSERT_EQ(test_mp_wait_secondaries(0), 0, "before %u", i);
	/* random delays per step of the secondary and before the kill */
	TEST_ASSERT_EQ(test_mp_sec_start(&s, 0, 0, 200 + rand() % 3000,
		!attach), 0, "secondary %u", i);
	/*
	 * An attach is killed once it has begun (the secondary connected):
	 * not earlier, inside EAL's own initialisation, where a process
	 * killed while it maps EAL's memory leaves EAL's shared memory lock
	 * held and every primary's next heap change waits forever (DPDK
	 * 22.11, any secondary; doc multiprocess.rst).
	 */
	if (attach && wait_connected() != 0) {
		test_mp_sec_kill(&s);
		TEST_ASSERT(false, "secondary %u never connected", i);
	}
	k.pid = s.pid;
	k.delay_us = attach ? (unsigned int)(rand() % 20000) :
		(unsigned int)(rand() % 40000);
	/* and a region the primary is to make for it, held */
	if (!attach && create_held(x, &s) != TEST_SUCCESS) {
		test_mp_sec_kill(&s);
		return TEST_FAILED;
	}
	k.done = false;
	TEST_ASSERT_EQ(pthread_create(&t, NULL, killer_main, &k), 0, "thread");
	while (!__atomic_load_n(&k.done, __ATOMIC_ACQUIRE))
		if (churn_once(x->heap, x->n++) != TEST_SUCCESS) {
			pthread_join(t, NULL);
			test_mp_sec_kill(&s);
			return TEST_FAILED;
		}
	pthread_join(t, NULL);
	test_mp_sec_kill(&s);
	if (!attach)
		TEST_RUN(create_released(x));
	/* the primary answers at once after it */
	TEST_RUN(churn_once(x->heap, x->n++));
	return TEST_SUCCESS;
}

static int
kill_run(struct kill_ctx *x)
{
	struct rte_extmem_mp_info info;
	struct rte_extmem_region *r;
	unsigned int i;
	char name[32];

	for (i = 0; i < KILLS; i++)
		TEST_RUN(kill_one(x, i));
	TEST_ASSERT_EQ(test_mp_wait_secondaries(0), 0, "all gone");
	/* what the primary made for them went with them */
	TEST_ASSERT_EQ(test_mp_wait_gone(SEC_REGION), 0, "a region made for a "
		"killed secondary");
	TEST_ASSERT_EQ(x->held, KILLS / 2, "creations held");
	TEST_ASSERT_EQ(rte_extmem_mp_info_get(&info), 0, "info");
	TEST_ASSERT_EQ(info.state, RTE_EXTMEM_MP_STATE_SERVING, "serving");
	TEST_ASSERT_GE(info.n_gone, info.n_attached, "every link ended");
	printf("    %u changes during %u kills; %" PRIu64 " attaches "
		"completed before their kill; %u creations for a killed "
		"secondary made and undone\n", x->n, KILLS, info.n_attached,
		x->held);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "mp_after%u", i);
		r = make_2m(name, i);
		TEST_ASSERT_NOT_NULL(r, "create %s: %s", name,
			rte_strerror(rte_errno));
		TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy %s",
			name);
	}
	return TEST_SUCCESS;
}

static int
test_mp_kill(void)
{
	const char *why = test_mp_skip_reason();
	struct kill_ctx x = { .seen = { .name = { SEC_REGION } } };
	struct rte_extmem_region *base[N_BASE];
	struct test_heap th;
	unsigned int fds0, memfds0, fds1, memfds1, i;
	unsigned long huge0, huge1;
	void (*old_alarm)(int);
	char name[32];
	int ret;

	if (why != NULL)
		TEST_SKIP("%s", why);
	old_alarm = signal(SIGALRM, watchdog);
	alarm(WATCHDOG_S);
	srand((unsigned int)getpid());
	/* before the proxy's first request (it reads it once) */
	TEST_ASSERT_EQ(test_mp_gate_init(&x.gate), 0, "hold hook");
	/* a snapshot of several steps for the attaches to die in */
	for (i = 0; i < N_BASE; i++) {
		snprintf(name, sizeof(name), "mp_base%u", i);
		base[i] = make_2m(name, i);
		TEST_ASSERT_NOT_NULL(base[i], "%s: %s", name,
			rte_strerror(rte_errno));
	}
	TEST_RUN(test_heap_make(&th, "mp_kill_heap", RTE_EXTMEM_BACKING_HUGETLB,
		4u << 20, 0, 0));
	x.heap = th.h;
	TEST_ASSERT_EQ(test_mp_seen_start(&x.seen, "mp_kill_seen"), 0,
		"subscribe: %s", rte_strerror(rte_errno));
	test_mp_resources(&fds0, &memfds0, &huge0);
	ret = kill_run(&x);
	test_mp_resources(&fds1, &memfds1, &huge1);
	test_mp_seen_stop("mp_kill_seen");
	test_mp_gate_fini(&x.gate);
	TEST_RUN(test_heap_free(&th));
	for (i = 0; i < N_BASE; i++)
		TEST_ASSERT_EQ(rte_extmem_region_destroy(base[i]), 0, "base");
	alarm(0);
	signal(SIGALRM, old_alarm);
	TEST_RUN(ret);
	if (fds1 != fds0) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "ls -l /proc/%d/fd", (int)getpid());
		if (system(cmd) != 0)
			printf("    (cannot list the fds)\n");
	}
	TEST_ASSERT_EQ(fds1, fds0, "open file descriptors");
	TEST_ASSERT_EQ(memfds1, memfds0, "memfds");
	TEST_ASSERT_EQ(huge1, huge0, "hugetlb kB mapped");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mp_kill, test_mp_kill, EXTMEM_TEST_F_MULTIPROC);
