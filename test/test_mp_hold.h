/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_MP_HOLD_H
#define TEST_MP_HOLD_H

/*
 * The primary's proxy held and watched, for the tests of regions made for
 * secondaries (this process being the primary): the test hook
 * EXTMEM_MP_TEST_PROXY_HOLD, and the primary's announcements of regions
 * counted by name.
 */

#include <stdbool.h>

/* The hold: while path exists, a creation taken waits; held exists while
 * a creation is taken (held or not) and not answered.
 */
struct test_mp_gate {
	char path[96];
	char held[112];
};

/*
 * Paths of this process, neither existing, and the hook set: before the
 * proxy's first request (it reads it once). 0 or -1.
 */
int test_mp_gate_init(struct test_mp_gate *g);
/* The files gone (the hook stays set: nothing is held without them). */
void test_mp_gate_fini(struct test_mp_gate *g);
/* From now on the proxy holds the next creation it takes. */
int test_mp_gate_close(struct test_mp_gate *g);
/* Until the proxy holds (or has taken) a creation, 20 s at most: 0 or -1. */
int test_mp_gate_wait_held(struct test_mp_gate *g);
/* The held creation goes on: 0 once it has been answered (20 s at most). */
int test_mp_gate_open(struct test_mp_gate *g);

/* The primary's announcements (registered, unregistered) of two names. */
struct test_mp_seen {
	const char *name[2];
	unsigned int added[2];
	unsigned int removed[2];
};

/* Count them from now on (an event subscriber of that name): 0 or -1. */
int test_mp_seen_start(struct test_mp_seen *s, const char *sub);
void test_mp_seen_stop(const char *sub);
/* The count *v now. */
unsigned int test_mp_seen_get(const unsigned int *v);
/* Until *v is n (20 s at most): 0 or -1. */
int test_mp_seen_wait(const unsigned int *v, unsigned int n);

/* Until the primary has no region of that name (20 s at most): 0 or -1. */
int test_mp_wait_gone(const char *name);

#endif /* TEST_MP_HOLD_H */
