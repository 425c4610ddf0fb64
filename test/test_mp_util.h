/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_MP_UTIL_H
#define TEST_MP_UTIL_H

/* The mp_* tests' secondary processes (dpdk-extmem-test-mp-secondary). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <rte_extmem.h>

struct test_mp_sec {
	pid_t pid;
	int fd;		/* commands and answers */
};

/*
 * Why the mp tests cannot run here (NULL: they can): no hugepages (DPDK
 * 22.11 gives a --no-huge primary no secondaries), no secondary program,
 * no --file-prefix.
 */
const char *test_mp_skip_reason(void);
/* A region of the primary (page size pgsz, 0: the backing's; addr: the
 * caller's memory or NULL), or NULL with rte_errno.
 */
struct rte_extmem_region *test_mp_region_make(const char *name,
	enum rte_extmem_backing b, size_t len, size_t pgsz, void *addr);
/*
 * Start a secondary; reserve: an address range it maps before
 * rte_eal_init() (len 0: none); delay_us: EXTMEM_MP_TEST_DELAY_US for it
 * (0: none); wait: until it answered READY (its attach is over). 0 or -1.
 */
int test_mp_sec_start(struct test_mp_sec *s, uintptr_t reserve, size_t len,
	unsigned int delay_us, bool wait);
/* Send a command line and read the answer (without its newline). */
int test_mp_sec_cmd(struct test_mp_sec *s, char *out, size_t size,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The two halves of test_mp_sec_cmd(): send a command, read its answer
 * (one minute at most). 0 or -1.
 */
int test_mp_sec_send(struct test_mp_sec *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int test_mp_sec_answer(struct test_mp_sec *s, char *out, size_t size);
/* "quit" and reap it: 0 if it exited with status 0. */
int test_mp_sec_stop(struct test_mp_sec *s);
/* SIGKILL and reap it. */
void test_mp_sec_kill(struct test_mp_sec *s);
/* Wait (bounded) until the primary counts n live secondaries: 0 or -1. */
int test_mp_wait_secondaries(unsigned int n);
/*
 * This process's open fds and, of them, memfds (EAL's hugepage files
 * aside), and the kB of hugetlb pages it maps beyond EAL's native heaps.
 */
void test_mp_resources(unsigned int *fds, unsigned int *memfds,
	unsigned long *hugetlb_kb);
/*
 * SIGSTOP pid and wait until it is stopped: 0, or -1 if it is gone (or a
 * zombie). The kill tests check, while it is stopped, that it is inside
 * none of DPDK's shared structures that a killed process leaves stuck,
 * and SIGKILL it still stopped (or SIGCONT and try again).
 */
int test_mp_proc_stop(pid_t pid);

#endif /* TEST_MP_UTIL_H */
