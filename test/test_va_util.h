/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_VA_UTIL_H
#define TEST_VA_UTIL_H

/*
 * Address ranges a test relies on being free of other mappings. An address
 * the test unmapped, or the one past its mapping, is where the kernel puts
 * the next mapping of that size (the process's, EAL's, a sanitizer's), so
 * a test never leaves such a range to chance: it keeps it reserved
 * (PROT_NONE, no memory behind it) for as long as it relies on it.
 */

#include <stddef.h>

/**
 * Map len bytes read-write with guard bytes reserved right after them
 * (a multiple of the page size, may be 0). Returns the start or NULL
 * (errno set). Free with test_va_unmap_guarded(addr, len, guard).
 */
void *test_va_map_guarded(size_t len, size_t guard);

/** Unmap what test_va_map_guarded() made. */
void test_va_unmap_guarded(void *addr, size_t len, size_t guard);

/**
 * Turn [addr, addr + len) of the caller's own mapping into a reservation
 * (PROT_NONE): what was there is gone, nothing else can be mapped there.
 * 0 or -1 (errno set).
 */
int test_va_reserve(void *addr, size_t len);

/**
 * A true hole for the call that needs one, e.g. a range that must read as
 * unmapped in /proc/self/maps: test_va_hole_open() unmaps the reservation
 * made by test_va_reserve(), test_va_hole_close() reserves it again at
 * once. The latter fails (-1, errno EEXIST) when another mapping took the
 * range while it was open: a result obtained meanwhile does not count.
 */
int test_va_hole_open(void *addr, size_t len);
int test_va_hole_close(void *addr, size_t len);

#endif /* TEST_VA_UTIL_H */
