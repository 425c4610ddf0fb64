/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * dpdk-extmem-test-secondary-heap: the secondary process of the
 * heap_usage_mp test. It makes an EAL heap over memory only it maps,
 * allocates from it, writes "ready" on file descriptor <fd> and waits
 * until that descriptor's peer closes (the primary has checked what it
 * wanted), then removes the heap and exits 0. It ends itself after a
 * minute whatever happens.
 *
 *   dpdk-extmem-test-secondary-heap <fd> <EAL arguments>
 */

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#define SEC_HEAP "secondary_heap"
#define SEC_LEN (1UL << 20)

int
main(int argc, char **argv)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *mem, *p = NULL;
	char c;
	int fd, ret = 1;

	if (argc < 2)
		return 2;
	/* never outlive a primary that died (SIGALRM ends the process) */
	alarm(60);
	fd = atoi(argv[1]);
	argv[1] = argv[0];
	if (rte_eal_init(argc - 1, argv + 1) < 0) {
		fprintf(stderr, "secondary: rte_eal_init: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	mem = mmap(NULL, SEC_LEN, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED ||
			rte_malloc_heap_create(SEC_HEAP) != 0 ||
			rte_malloc_heap_memory_add(SEC_HEAP, mem, SEC_LEN, NULL,
				0, pg) != 0) {
		fprintf(stderr, "secondary: heap: %s\n",
			rte_strerror(rte_errno));
		goto out;
	}
	p = rte_malloc_socket("secondary", 4096, 0,
		rte_malloc_heap_get_socket(SEC_HEAP));
	if (p == NULL) {
		fprintf(stderr, "secondary: allocation failed\n");
		goto out;
	}
	if (write(fd, "ready", 5) != 5)
		goto out;
	/* until the primary closes its end */
	while (read(fd, &c, 1) > 0)
		;
	ret = 0;
out:
	rte_free(p);
	if (rte_malloc_heap_memory_remove(SEC_HEAP, mem, SEC_LEN) != 0 ||
			rte_malloc_heap_destroy(SEC_HEAP) != 0) {
		fprintf(stderr, "secondary: heap not removed: %s\n",
			rte_strerror(rte_errno));
		ret = 1;
	}
	rte_eal_cleanup();
	return ret;
}
