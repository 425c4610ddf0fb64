/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * What a region shares with secondary processes: which backings have a
 * file descriptor (rte_extmem_region_info::shared, fd), the private
 * opt-out, and the caller's memory given with an fd + offset: the
 * library's descriptor maps the very bytes of the region, outlives the
 * caller's descriptor and is closed at destroy. Bad fd parameters,
 * table-driven: EINVAL, nothing created, the caller's descriptor intact.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_extmem.h>

#include "test.h"
#include "test_region_util.h"

#define SZ_4K 4096UL
#define SZ_2M (2UL << 20)
#define FILE_LEN (4 * SZ_2M)

static int
info_of(const struct rte_extmem_region *r, struct rte_extmem_region_info *i)
{
	return rte_extmem_region_info_get(r, i);
}

/* A library backing: is it shared as documented? */
static int
check_lib(const char *name, enum rte_extmem_backing b, size_t len,
	size_t pgsz, uint64_t flags, int want_shared)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	int fd;

	test_region_params(&p, name, b, NULL, len);
	p.page_sz = pgsz;
	p.flags = flags;
	r = rte_extmem_region_create(&p);
	if (r == NULL && b == RTE_EXTMEM_BACKING_HUGETLB &&
			rte_errno == ENOMEM) {
		TEST_LOG("%s: no free hugepages, not checked", name);
		return TEST_SUCCESS;
	}
	TEST_ASSERT_NOT_NULL(r, "%s: %s", name, rte_strerror(rte_errno));
	TEST_ASSERT_EQ(info_of(r, &info), 0, "info");
	TEST_ASSERT_EQ(info.shared, want_shared, "%s: shared", name);
	TEST_ASSERT_EQ(info.fd >= 0, want_shared, "%s: fd %d", name, info.fd);
	TEST_ASSERT_EQ(info.fd_offset, 0, "%s: fd_offset", name);
	memset(info.addr, 0x11, len);
	fd = info.fd;
	if (fd >= 0) {
		/* the descriptor is the memory: map it a second time */
		uint8_t *again = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

		TEST_ASSERT(again != MAP_FAILED, "%s: map fd: %s", name,
			strerror(errno));
		TEST_ASSERT_MEM_EQ(again, info.addr, len, "%s: fd content",
			name);
		munmap(again, len);
	}
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	if (fd >= 0)
		TEST_ASSERT(fcntl(fd, F_GETFD) < 0 && errno == EBADF,
			"%s: fd %d still open after destroy", name, fd);
	return TEST_SUCCESS;
}

/* Does this kernel give memfds transparent hugepages? (as documented) */
static int
thp_shmem(void)
{
	char buf[128] = "", *o;
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled",
		"r");

	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	o = strchr(buf, '[');
	return o != NULL && (strncmp(o, "[always]", 8) == 0 ||
		strncmp(o, "[within_size]", 13) == 0 ||
		strncmp(o, "[advise]", 8) == 0 || strncmp(o, "[force]", 7) == 0);
}

static int
test_region_share_backings(void)
{
	struct rte_extmem_region_params p;
	int n = rte_extmem_region_walk(NULL, NULL);

	TEST_RUN(check_lib("sh_anon", RTE_EXTMEM_BACKING_ANON, SZ_2M, 0, 0, 0));
	TEST_RUN(check_lib("sh_anon_priv", RTE_EXTMEM_BACKING_ANON, SZ_2M, 0,
		RTE_EXTMEM_REGION_F_PRIVATE, 0));
	TEST_RUN(check_lib("sh_thp", RTE_EXTMEM_BACKING_ANON_THP, SZ_2M, 0, 0,
		thp_shmem()));
	TEST_RUN(check_lib("sh_thp_priv", RTE_EXTMEM_BACKING_ANON_THP, SZ_2M,
		0, RTE_EXTMEM_REGION_F_PRIVATE, 0));
	TEST_RUN(check_lib("sh_shared", RTE_EXTMEM_BACKING_SHARED, SZ_2M, 0, 0,
		1));
	TEST_RUN(check_lib("sh_huge", RTE_EXTMEM_BACKING_HUGETLB, SZ_2M, 0, 0,
		1));
	TEST_RUN(check_lib("sh_huge_priv", RTE_EXTMEM_BACKING_HUGETLB, SZ_2M,
		0, RTE_EXTMEM_REGION_F_PRIVATE, 0));
	/* private shared memory is a contradiction: refused */
	test_region_params(&p, "sh_bad", RTE_EXTMEM_BACKING_SHARED, NULL,
		SZ_2M);
	p.flags = RTE_EXTMEM_REGION_F_PRIVATE;
	TEST_ASSERT_ERRNO(rte_extmem_region_create(&p) == NULL, EINVAL,
		"private shared backing");
	TEST_ASSERT_EQ(rte_extmem_region_walk(NULL, NULL), n, "count changed");
	return TEST_SUCCESS;
}

/* The caller's memory: fd + offset shared, the library's own descriptor. */
static int
test_region_share_caller(void)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region_info info;
	struct rte_extmem_region *r;
	uint8_t *mem, *again;
	int fd, lib_fd;

	fd = memfd_create("test_share", MFD_CLOEXEC);
	TEST_ASSERT(fd >= 0 && ftruncate(fd, FILE_LEN) == 0, "memfd");
	/* the second and third 2M of the file */
	mem = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		SZ_2M);
	TEST_ASSERT(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(mem, 0x3c, 2 * SZ_2M);

	test_region_params(&p, "sh_user", RTE_EXTMEM_BACKING_USER, mem,
		2 * SZ_2M);
	p.fd = fd;
	p.fd_offset = SZ_2M;
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "user with fd: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(info_of(r, &info), 0, "info");
	TEST_ASSERT_EQ(info.shared, 1, "user with fd not shared");
	TEST_ASSERT(info.fd >= 0 && info.fd != fd, "fd %d is not the "
		"library's own (caller's %d)", info.fd, fd);
	TEST_ASSERT_EQ(info.fd_offset, SZ_2M, "fd_offset");
	lib_fd = info.fd;
	/* the caller closes its descriptor: the region's still maps it */
	close(fd);
	again = mmap(NULL, 2 * SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED,
		lib_fd, (off_t)info.fd_offset);
	TEST_ASSERT(again != MAP_FAILED, "map the library's fd: %s",
		strerror(errno));
	again[SZ_4K] = 0xa5;
	TEST_ASSERT_EQ(mem[SZ_4K], 0xa5, "not the region's memory");
	TEST_ASSERT_MEM_EQ(again + 2 * SZ_4K, mem + 2 * SZ_4K, 2 * SZ_2M -
		2 * SZ_4K, "content");
	munmap(again, 2 * SZ_2M);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_ASSERT(fcntl(lib_fd, F_GETFD) < 0 && errno == EBADF,
		"the library's fd %d is still open after destroy", lib_fd);
	/* the caller's memory itself is untouched by destroy */
	TEST_ASSERT_EQ(mem[SZ_4K], 0xa5, "memory changed by destroy");

	/* the same memory without an fd: not shared */
	test_region_params(&p, "sh_user_nofd", RTE_EXTMEM_BACKING_USER, mem,
		2 * SZ_2M);
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "user without fd: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(info_of(r, &info), 0, "info");
	TEST_ASSERT_EQ(info.shared, 0, "user without fd shared");
	TEST_ASSERT_EQ(info.fd, -1, "fd");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	munmap(mem, 2 * SZ_2M);

	/* device memory (never touched): a PROT_NONE shared mapping */
	fd = memfd_create("test_share_dev", MFD_CLOEXEC);
	TEST_ASSERT(fd >= 0 && ftruncate(fd, FILE_LEN) == 0, "memfd");
	mem = mmap(NULL, FILE_LEN, PROT_NONE, MAP_SHARED, fd, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	test_region_params(&p, "sh_dev", RTE_EXTMEM_BACKING_DEVICE, mem,
		FILE_LEN);
	p.flags = RTE_EXTMEM_REGION_F_NO_IOVA;
	p.fd = fd;
	r = rte_extmem_region_create(&p);
	TEST_ASSERT_NOT_NULL(r, "device with fd: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(info_of(r, &info), 0, "info");
	TEST_ASSERT_EQ(info.shared, 1, "device with fd not shared");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	munmap(mem, FILE_LEN);
	close(fd);
	return TEST_SUCCESS;
}

/* What the bad cases work on. */
static struct {
	int fd;			/* memfd of FILE_LEN bytes */
	uint8_t *mem;		/* its first 2M, shared */
	uint8_t *priv;		/* its first 2M, MAP_PRIVATE */
	int other;		/* another memfd of FILE_LEN bytes */
	int closed;		/* a descriptor number that is not open */
	int pipe[2];
	int small;		/* a memfd of 4K */
} bx;

typedef void (*share_mut_t)(struct rte_extmem_region_params *p);
#define SMUT(fn, body) \
	static void fn(struct rte_extmem_region_params *p) { body; }

SMUT(s_fd_neg, p->fd = -2)
SMUT(s_off_nofd, p->fd = -1; p->fd_offset = SZ_4K)
SMUT(s_fd_anon, p->backing = RTE_EXTMEM_BACKING_ANON; p->addr = NULL)
SMUT(s_fd_closed, p->fd = bx.closed)
SMUT(s_fd_pipe, p->fd = bx.pipe[0])
SMUT(s_fd_small, p->fd = bx.small)
SMUT(s_off_odd, p->fd_offset = 512)
SMUT(s_off_past, p->fd_offset = FILE_LEN - SZ_4K)
SMUT(s_off_wrap, p->fd_offset = UINT64_MAX - SZ_4K + 1)
SMUT(s_off_wrong, p->fd_offset = SZ_2M)
SMUT(s_fd_other, p->fd = bx.other)
SMUT(s_map_private, p->addr = bx.priv)
SMUT(s_private_flag, p->flags = RTE_EXTMEM_REGION_F_PRIVATE)

static const struct {
	const char *what;
	share_mut_t mut;
} share_bad[] = {
	{ "fd below -1", s_fd_neg },
	{ "fd_offset without an fd", s_off_nofd },
	{ "fd with a library backing", s_fd_anon },
	{ "fd not open", s_fd_closed },
	{ "fd of a pipe", s_fd_pipe },
	{ "fd smaller than the range", s_fd_small },
	{ "fd_offset not page aligned", s_off_odd },
	{ "fd_offset + len past the end", s_off_past },
	{ "fd_offset + len wraps", s_off_wrap },
	{ "fd_offset not where addr maps", s_off_wrong },
	{ "fd of other memory", s_fd_other },
	{ "a private mapping of the fd", s_map_private },
	{ "private with an fd", s_private_flag },
};

static int
test_region_share_bad(void)
{
	struct rte_extmem_region_params p;
	unsigned int i;
	int n;

	bx.fd = memfd_create("test_share_bad", MFD_CLOEXEC);
	bx.other = memfd_create("test_share_other", MFD_CLOEXEC);
	bx.small = memfd_create("test_share_small", MFD_CLOEXEC);
	TEST_ASSERT(bx.fd >= 0 && bx.other >= 0 && bx.small >= 0 &&
		ftruncate(bx.fd, FILE_LEN) == 0 &&
		ftruncate(bx.other, FILE_LEN) == 0 &&
		ftruncate(bx.small, SZ_4K) == 0, "memfds");
	TEST_ASSERT_EQ(pipe(bx.pipe), 0, "pipe");
	bx.closed = dup(bx.fd);
	TEST_ASSERT(bx.closed >= 0 && close(bx.closed) == 0, "closed fd");
	bx.mem = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED, bx.fd,
		0);
	bx.priv = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		bx.fd, 0);
	TEST_ASSERT(bx.mem != MAP_FAILED && bx.priv != MAP_FAILED, "mmap");
	/* the valid case, as a control */
	test_region_params(&p, "sh_ok", RTE_EXTMEM_BACKING_USER, bx.mem, SZ_2M);
	p.fd = bx.fd;
	{
		struct rte_extmem_region *r = rte_extmem_region_create(&p);

		TEST_ASSERT_NOT_NULL(r, "control case: %s",
			rte_strerror(rte_errno));
		TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	}
	n = rte_extmem_region_walk(NULL, NULL);
	for (i = 0; i < RTE_DIM(share_bad); i++) {
		test_region_params(&p, "sh_bad", RTE_EXTMEM_BACKING_USER,
			bx.mem, SZ_2M);
		p.fd = bx.fd;
		share_bad[i].mut(&p);
		TEST_ASSERT_ERRNO(rte_extmem_region_create(&p) == NULL, EINVAL,
			"%s", share_bad[i].what);
		TEST_ASSERT_EQ(rte_extmem_region_walk(NULL, NULL), n,
			"%s: region count changed", share_bad[i].what);
		TEST_ASSERT_NULL(rte_extmem_region_lookup("sh_bad"), "%s: "
			"created", share_bad[i].what);
		TEST_ASSERT(fcntl(bx.fd, F_GETFD) >= 0, "%s: the caller's fd "
			"was closed", share_bad[i].what);
	}
	munmap(bx.mem, SZ_2M);
	munmap(bx.priv, SZ_2M);
	close(bx.fd);
	close(bx.other);
	close(bx.small);
	close(bx.pipe[0]);
	close(bx.pipe[1]);
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(region_share_backings, test_region_share_backings, 0);
REGISTER_EXTMEM_TEST(region_share_caller, test_region_share_caller, 0);
REGISTER_EXTMEM_TEST(region_share_bad, test_region_share_bad, 0);
