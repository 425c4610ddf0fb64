/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Address ranges reserved for the tests that rely on them (see header). */

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "test_va_util.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

void *
test_va_map_guarded(size_t len, size_t guard)
{
	uint8_t *va;

	va = mmap(NULL, len + guard, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (va == MAP_FAILED)
		return NULL;
	if (guard > 0 && test_va_reserve(va + len, guard) != 0) {
		int err = errno;

		munmap(va, len + guard);
		errno = err;
		return NULL;
	}
	return va;
}

void
test_va_unmap_guarded(void *addr, size_t len, size_t guard)
{
	if (addr != NULL)
		munmap(addr, len + guard);
}

int
test_va_reserve(void *addr, size_t len)
{
	void *va;

	/* MAP_FIXED over the caller's own pages: replaced atomically, the
	 * range is never free in between
	 */
	va = mmap(addr, len, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	return va == addr ? 0 : -1;
}

int
test_va_hole_open(void *addr, size_t len)
{
	return munmap(addr, len);
}

int
test_va_hole_close(void *addr, size_t len)
{
	void *va;

	va = mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (va == addr)
		return 0;
	/* a kernel without MAP_FIXED_NOREPLACE takes it as a hint */
	if (va != MAP_FAILED)
		munmap(va, len);
	errno = EEXIST;
	return -1;
}
