/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The library's VA window: where the backings the library maps itself
 * (anon, thp, hugetlb, shared) are placed.
 *
 * mmap(NULL) puts memory just below the process's shared libraries; a
 * secondary process, which must map a shareable region at the primary's
 * address, often has its own libraries there (different binaries,
 * sanitizer runtimes). So the library places its mappings in a window of
 * its own, far from where the kernel puts anything by itself:
 * [RTE_EXTMEM_VA_WINDOW_BASE, +RTE_EXTMEM_VA_WINDOW_LEN) unless the
 * environment variable RTE_EXTMEM_VA_WINDOW says otherwise (read once).
 *
 * Placement is first fit over the ranges this file placed (sorted, so a
 * destroyed region's range is used again), aligned to the region's page
 * size; the mapping is made with MAP_FIXED_NOREPLACE, so it never
 * replaces anything. When something else holds the address (the
 * application mapped it, a kernel without MAP_FIXED_NOREPLACE put the
 * mapping elsewhere), the next fit is searched over what
 * /proc/self/maps shows in the window, a few times (another thread may
 * be mapping at once). With the window off ("none"), mmap(NULL) places
 * the memory, aligned by over-reserving.
 *
 * The lock is this file's own: backings are allocated by operations
 * (the operation mutex is held) but outside the state lock.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include <rte_common.h>

#include "extmem_private.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* attempts after a clash before giving up */
#define VA_CLASH_RETRIES 8

struct va_range {
	uintptr_t va;
	size_t len;
};

static struct {
	pthread_mutex_t lock;
	bool parsed;
	bool off;		/* "none": mmap(NULL) */
	bool bad;		/* the variable could not be parsed */
	uintptr_t base;
	size_t len;
	/* what this file placed, sorted by address */
	struct va_range *taken;
	unsigned int n_taken, cap_taken;
} va = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* "123", "0x1f", with an optional K/M/G/T suffix; 0 on success. */
static int
va_parse_size(const char *s, char **end, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, end, 0);
	if (errno != 0)
		return -1;
	switch (**end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	default:
		break;
	}
	if (shift != 0) {
		(*end)++;
		if (v > (UINT64_MAX >> shift))
			return -1;
		v <<= shift;
	}
	*out = v;
	return 0;
}

/* The window from the environment, or the default (va.lock held). */
static void
va_window_parse(void)
{
	const char *env = getenv(RTE_EXTMEM_VA_WINDOW_ENV);
	size_t pg = extmem_sys_page_size();
	uint64_t base, len;
	char *end;

	va.parsed = true;
	va.base = RTE_EXTMEM_VA_WINDOW_BASE;
	va.len = RTE_EXTMEM_VA_WINDOW_LEN;
	if (env == NULL || *env == '\0')
		return;
	if (strcasecmp(env, "none") == 0) {
		va.off = true;
		EXTMEM_LOG(INFO, "%s=none: the kernel places the library's "
			"memory", RTE_EXTMEM_VA_WINDOW_ENV);
		return;
	}
	if (va_parse_size(env, &end, &base) != 0 || *end != ',' ||
			va_parse_size(end + 1, &end, &len) != 0 ||
			*end != '\0' || base == 0 || len == 0 ||
			base % pg != 0 || len % pg != 0 ||
			base + len < base || base + len > UINTPTR_MAX) {
		va.bad = true;
		EXTMEM_LOG(ERR, "%s=\"%s\" is not \"none\" or \"<base>,<length>\" "
			"(page-aligned, e.g. 0x200000000000,4T): the library "
			"creates no memory of its own until it is fixed",
			RTE_EXTMEM_VA_WINDOW_ENV, env);
		return;
	}
	va.base = (uintptr_t)base;
	va.len = (size_t)len;
	EXTMEM_LOG(INFO, "library VA window [0x%" PRIxPTR ", 0x%" PRIxPTR
		") from %s", va.base, va.base + va.len, RTE_EXTMEM_VA_WINDOW_ENV);
}

static int
range_cmp(const void *a, const void *b)
{
	const struct va_range *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/*
 * The first address >= lo, aligned to align, with len bytes free of the
 * n sorted ranges and inside [lo, hi); 0 if none.
 */
static uintptr_t
va_first_fit(const struct va_range *rg, unsigned int n, uintptr_t lo,
	uintptr_t hi, size_t len, size_t align)
{
	uintptr_t cand = RTE_ALIGN_CEIL(lo, align);
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (cand < lo || cand + len < cand || cand + len > hi)
			return 0;
		if (rg[i].va + rg[i].len <= cand)
			continue;	/* before the candidate */
		if (rg[i].va >= cand + len)
			break;		/* the candidate fits before it */
		cand = RTE_ALIGN_CEIL(rg[i].va + rg[i].len, align);
	}
	if (cand < lo || cand + len < cand || cand + len > hi)
		return 0;
	return cand;
}

/* What /proc/self/maps shows in the window, with what this file placed,
 * sorted; *n entries (caller frees), NULL with *n = 0 if unreadable.
 */
static struct va_range *
va_window_mapped(unsigned int *n)
{
	struct va_range *rg = NULL, *grown;
	unsigned int cap = 0, cnt = 0;
	char line[512];
	FILE *f;

	*n = 0;
	f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) != 2 ||
				e <= va.base || s >= va.base + va.len)
			continue;
		if (cnt == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			grown = realloc(rg, cap * sizeof(*rg));
			if (grown == NULL)
				break;
			rg = grown;
		}
		rg[cnt].va = s;
		rg[cnt].len = e - s;
		cnt++;
	}
	fclose(f);
	/* maps is sorted and our ranges are in it: nothing to merge */
	*n = cnt;
	return rg;
}

static int
va_taken_insert(uintptr_t addr, size_t len)
{
	unsigned int i;

	if (va.n_taken == va.cap_taken) {
		unsigned int cap = va.cap_taken == 0 ? 16 : va.cap_taken * 2;
		struct va_range *grown;

		grown = realloc(va.taken, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		va.taken = grown;
		va.cap_taken = cap;
	}
	for (i = va.n_taken; i > 0 && va.taken[i - 1].va > addr; i--)
		va.taken[i] = va.taken[i - 1];
	va.taken[i].va = addr;
	va.taken[i].len = len;
	va.n_taken++;
	return 0;
}

/* mmap(NULL) aligned to align: over-reserve, map at the aligned address
 * over the reservation, return the rest.
 */
static void *
va_map_anywhere(size_t len, size_t align, int flags, int fd)
{
	size_t rlen = len + (align > extmem_sys_page_size() ? align : 0);
	uintptr_t res, at;
	void *addr;

	addr = mmap(NULL, rlen, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (addr == MAP_FAILED)
		return MAP_FAILED;
	res = (uintptr_t)addr;
	at = RTE_ALIGN_CEIL(res, align);
	addr = mmap((void *)at, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED,
		fd, 0);
	if (addr == MAP_FAILED) {
		int err = errno;

		munmap((void *)res, rlen);
		errno = err;
		return MAP_FAILED;
	}
	if (at > res)
		munmap((void *)res, at - res);
	if (res + rlen > at + len)
		munmap((void *)(at + len), res + rlen - at - len);
	return addr;
}

/* Try [at, +len): 0 mapped, 1 something holds it, -1 another error. */
static int
va_map_at(uintptr_t at, size_t len, int flags, int fd)
{
	void *addr;

	addr = mmap((void *)at, len, PROT_READ | PROT_WRITE,
		flags | MAP_FIXED_NOREPLACE, fd, 0);
	if (addr == MAP_FAILED)
		return errno == EEXIST ? 1 : -1;
	if ((uintptr_t)addr != at) {
		/* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
		munmap(addr, len);
		return 1;
	}
	return 0;
}

void *
extmem_va_map(const char *what, size_t len, size_t align, int flags, int fd)
{
	struct va_range *mapped = NULL;
	unsigned int n_mapped = 0, attempt;
	uintptr_t at = 0;
	void *ret = NULL;
	int rc = 1;

	if (align < extmem_sys_page_size())
		align = extmem_sys_page_size();
	pthread_mutex_lock(&va.lock);
	if (!va.parsed)
		va_window_parse();
	if (va.bad) {
		EXTMEM_FAIL(EINVAL, "%s: %s is malformed (see the log at its "
			"first use)", what, RTE_EXTMEM_VA_WINDOW_ENV);
		goto out;
	}
	if (va.off) {
		ret = va_map_anywhere(len, align, flags, fd);
		if (ret == MAP_FAILED) {
			EXTMEM_FAIL(ENOMEM, "%s: mmap of %zu bytes failed: %s",
				what, len, strerror(errno));
			ret = NULL;
		}
		goto out;
	}
	for (attempt = 0; attempt <= VA_CLASH_RETRIES && rc == 1; attempt++) {
		if (attempt == 0) {
			at = va_first_fit(va.taken, va.n_taken, va.base,
				va.base + va.len, len, align);
		} else {
			free(mapped);
			mapped = va_window_mapped(&n_mapped);
			at = va_first_fit(mapped, n_mapped, va.base,
				va.base + va.len, len, align);
		}
		if (at == 0)
			break;
		rc = va_map_at(at, len, flags, fd);
		if (rc == 1)
			EXTMEM_LOG(DEBUG, "%s: [0x%" PRIxPTR ", +%zu) of the VA "
				"window is taken by another mapping, looking "
				"further", what, at, len);
	}
	if (rc == 0 && va_taken_insert(at, len) != 0) {
		munmap((void *)at, len);
		EXTMEM_FAIL(ENOMEM, "%s: no memory to track the VA window",
			what);
		goto out;
	}
	if (rc == 0) {
		ret = (void *)at;
	} else if (rc < 0) {
		EXTMEM_FAIL(ENOMEM, "%s: mmap of %zu bytes at 0x%" PRIxPTR
			" failed: %s", what, len, at, strerror(errno));
	} else {
		EXTMEM_FAIL(ENOMEM, "%s: the library's VA window [0x%" PRIxPTR
			", 0x%" PRIxPTR ") has no free %zu bytes aligned to %zu "
			"(%s chooses another)", what, va.base, va.base + va.len,
			len, align, RTE_EXTMEM_VA_WINDOW_ENV);
	}
out:
	pthread_mutex_unlock(&va.lock);
	free(mapped);
	return ret;
}

void
extmem_va_unmap(void *addr, size_t len)
{
	struct va_range key = { .va = (uintptr_t)addr };
	struct va_range *it;
	unsigned int i;

	pthread_mutex_lock(&va.lock);
	munmap(addr, len);
	it = va.n_taken == 0 ? NULL : bsearch(&key, va.taken, va.n_taken,
		sizeof(key), range_cmp);
	if (it != NULL) {
		for (i = it - va.taken; i + 1 < va.n_taken; i++)
			va.taken[i] = va.taken[i + 1];
		va.n_taken--;
	}
	pthread_mutex_unlock(&va.lock);
}
