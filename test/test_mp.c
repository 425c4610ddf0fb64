/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Multi-process: a secondary linking the library (test_mp_secondary.c)
 * against this process as the primary.
 *
 * mp_views: the secondary sees the primary's regions (names, addresses,
 * lengths, page sizes, shared or not) and heaps (names, socket IDs), the
 * same IOVAs (the primary's own, and a device region's given ones),
 * allocates from and frees to the heap and a pktmbuf pool on it (the
 * bytes it writes are read here) and uses a one-call pool (whose heap
 * leaves it with the pool), slices a device region shared with its fd
 * (whose destruction is then EBUSY with nothing changed), is refused the
 * creation of heaps (E_RTE_SECONDARY, device mappings too) and the use of
 * private
 * memory (EACCES); a region it creates is made by the primary for it (in
 * every process, its users keep it, it alone destroys it); regions and
 * heap regions created and destroyed here appear and disappear there
 * before the calls return; a private region added to the heap it uses
 * fails here and is rolled back.
 * mp_refused: a heap holding private memory is refused as a whole by a
 * secondary (no view, its region listed unmapped, EACCES), the attach
 * stands.
 * mp_proxy_gone: a region the primary made for a secondary goes when the
 * secondary is killed.
 * mp_clash: a secondary whose address range of a region is taken fails
 * its attach with EADDRINUSE; the primary is unharmed.
 * mp_joiner: a secondary that attaches while a region is being removed
 * (after the secondaries agreed, before it is gone) takes no new user of
 * it, and has no view of it once the removal is done.
 * mp_nofds: a secondary that cannot receive a shared region's file
 * descriptors (at its RLIMIT_NOFILE) refuses the region: the primary's
 * create fails with EMFILE and nothing is left; with descriptors again
 * the same create works.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <rte_extmem.h>
#include <rte_extmem_event.h>
#include <rte_extmem_heap.h>
#include <rte_extmem_mbuf.h>
#include <rte_extmem_mp.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_mp_hold.h"
#include "test_mp_util.h"
#include "test_telemetry_util.h"

#define MP_HEAP "mp_heap"
#define MP_POOL "mp_pool"
#define MP_XPOOL "mp_xpool"
#define MP_PRIV_LEN (64u << 10)
#define MP_DEV_LEN (1u << 20)
#define MP_DEV_IOVA 0x7100000000ull	/* the "device's" addresses */
#define MP_DEV_VA 0x2f0000000000ull	/* where it is mapped */

struct mp_setup {
	struct rte_extmem_region *shared;
	struct rte_extmem_region *huge;
	struct rte_extmem_region *priv;
	struct rte_extmem_region *dev;
	struct rte_extmem_heap *heap;
	struct rte_mempool *pool;
	struct rte_mempool *xpool;	/* one-call pool (its own heap) */
	void *priv_mem;
	void *dev_mem;
};

static void
setup_free(struct mp_setup *m)
{
	if (m->pool != NULL)
		rte_mempool_free(m->pool);
	if (m->xpool != NULL && rte_extmem_pktmbuf_pool_free(m->xpool) != 0)
		printf("    one-call pool not freed: %s\n",
			rte_strerror(rte_errno));
	if (m->heap != NULL && rte_extmem_heap_destroy(m->heap) != 0)
		printf("    heap not destroyed: %s\n", rte_strerror(rte_errno));
	if (m->priv != NULL)
		rte_extmem_region_destroy(m->priv);
	if (m->dev != NULL && rte_extmem_region_destroy(m->dev) != 0)
		printf("    device region not destroyed: %s\n",
			rte_strerror(rte_errno));
	if (m->dev_mem != NULL)
		munmap(m->dev_mem, MP_DEV_LEN);
	if (m->huge != NULL)
		rte_extmem_region_destroy(m->huge);
	if (m->shared != NULL)
		rte_extmem_region_destroy(m->shared);
	if (m->priv_mem != NULL)
		munmap(m->priv_mem, MP_PRIV_LEN);
	memset(m, 0, sizeof(*m));
}

/*
 * Device memory a secondary can map: a memfd mapped here, given with its
 * fd and the device's own IOVAs (the CPU never touches it).
 */
static int
device_make(struct mp_setup *m)
{
	rte_iova_t iovas[MP_DEV_LEN / 4096];
	struct rte_extmem_region_params p;
	unsigned int i;
	int fd;

	fd = memfd_create("mp_device", MFD_CLOEXEC);
	TEST_ASSERT(fd >= 0 && ftruncate(fd, MP_DEV_LEN) == 0, "memfd");
	/* at an address a secondary has free too (not where the kernel
	 * puts mappings, among a secondary's libraries): a reserved range
	 * between the library's VA window and the tests' --base-virtaddr
	 */
	m->dev_mem = MAP_FAILED;
	for (i = 0; i < 64 && m->dev_mem == MAP_FAILED; i++)
		m->dev_mem = mmap((void *)(uintptr_t)(MP_DEV_VA +
			(uint64_t)i * MP_DEV_LEN), MP_DEV_LEN,
			PROT_NONE, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (m->dev_mem == MAP_FAILED) {
		m->dev_mem = NULL;
		close(fd);
		TEST_ASSERT(false, "mmap of the memfd");
	}
	for (i = 0; i < RTE_DIM(iovas); i++)
		iovas[i] = MP_DEV_IOVA + (rte_iova_t)i * 4096;
	rte_extmem_region_params_init(&p);
	p.name = "mp_device";
	p.backing = RTE_EXTMEM_BACKING_DEVICE;
	p.addr = m->dev_mem;
	p.len = MP_DEV_LEN;
	p.page_sz = 4096;
	p.iovas = iovas;
	p.n_iovas = RTE_DIM(iovas);
	p.fd = fd;
	m->dev = rte_extmem_region_create(&p);
	close(fd);	/* the library keeps its own */
	TEST_ASSERT_NOT_NULL(m->dev, "device region: %s",
		rte_strerror(rte_errno));
	return TEST_SUCCESS;
}

static int
setup_make(struct mp_setup *m)
{
	struct rte_extmem_region_params rp;
	struct test_heap th;

	memset(m, 0, sizeof(*m));
	m->shared = test_mp_region_make("mp_shared", RTE_EXTMEM_BACKING_SHARED,
		2u << 20, 0, NULL);
	TEST_ASSERT_NOT_NULL(m->shared, "shared region: %s",
		rte_strerror(rte_errno));
	m->huge = test_mp_region_make("mp_huge", RTE_EXTMEM_BACKING_HUGETLB,
		4u << 20, RTE_PGSIZE_2M, NULL);
	TEST_ASSERT_NOT_NULL(m->huge, "hugetlb region: %s",
		rte_strerror(rte_errno));
	m->priv_mem = mmap(NULL, MP_PRIV_LEN, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(m->priv_mem != MAP_FAILED, "mmap");
	m->priv = test_mp_region_make("mp_private", RTE_EXTMEM_BACKING_USER,
		MP_PRIV_LEN, 0, m->priv_mem);
	TEST_ASSERT_NOT_NULL(m->priv, "user region: %s",
		rte_strerror(rte_errno));
	TEST_RUN(device_make(m));
	TEST_RUN(test_heap_make(&th, MP_HEAP, RTE_EXTMEM_BACKING_HUGETLB,
		8u << 20, 0, 0));
	m->heap = th.h;
	m->pool = rte_pktmbuf_pool_create(MP_POOL, 511, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, rte_malloc_heap_get_socket(MP_HEAP));
	TEST_ASSERT_NOT_NULL(m->pool, "pool on the heap: %s",
		rte_strerror(rte_errno));
	rte_extmem_region_params_init(&rp);
	rp.backing = RTE_EXTMEM_BACKING_SHARED;
	m->xpool = rte_extmem_pktmbuf_pool_create(MP_XPOOL, 255, 0, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, &rp);
	TEST_ASSERT_NOT_NULL(m->xpool, "one-call pool: %s",
		rte_strerror(rte_errno));
	return TEST_SUCCESS;
}

struct expect {
	char buf[8192];
	unsigned int n;
};

static int
expect_cb(const struct rte_extmem_region *r __rte_unused,
	const struct rte_extmem_region_info *i, void *arg)
{
	struct expect *e = arg;
	size_t used = strlen(e->buf);

	snprintf(e->buf + used, sizeof(e->buf) - used, "%s%s %p %zu %zu %u 1 "
		"%s %d", e->n > 0 ? ";" : "", i->name, i->addr, i->len,
		i->page_sz, i->shared, i->heap[0] != '\0' ? i->heap : "-",
		i->socket_id);
	e->n++;
	return 0;
}

/* The secondary's region list is the primary's, in the same order. */
static int
check_regions(struct test_mp_sec *s)
{
	struct expect e = { .n = 0 };
	char got[8192], want[8300];

	e.buf[0] = '\0';
	TEST_ASSERT_EQ(rte_extmem_region_walk(expect_cb, &e), 0, "walk");
	snprintf(want, sizeof(want), "%u %s", e.n, e.buf);
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "regions"), 0,
		"regions");
	TEST_ASSERT(strcmp(got, want) == 0, "secondary regions\n      %s\n"
		"    primary\n      %s", got, want);
	return TEST_SUCCESS;
}

/* rte_extmem_virt2iova() there equals the primary's at sampled bytes. */
static int
check_iovas(struct test_mp_sec *s, const struct rte_extmem_region *r,
	bool mapped)
{
	struct rte_extmem_region_info i;
	size_t offs[4];
	char got[64];
	unsigned int k;

	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &i), 0, "info");
	offs[0] = 0;
	offs[1] = i.page_sz + 123;
	offs[2] = i.len / 2 + 4095;
	offs[3] = i.len - 1;
	for (k = 0; k < RTE_DIM(offs); k++) {
		uint8_t *a = (uint8_t *)i.addr + offs[k];
		rte_iova_t want = mapped ? rte_extmem_virt2iova(a) :
			RTE_BAD_IOVA;

		TEST_ASSERT(!mapped || want != RTE_BAD_IOVA, "%s: no IOVA "
			"here", i.name);
		TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "iova %p",
			a), 0, "iova");
		TEST_ASSERT_EQ(strtoull(got, NULL, 16), want, "region %s + %zu",
			i.name, offs[k]);
	}
	return TEST_SUCCESS;
}

static int
check_errno(struct test_mp_sec *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A command answers want, exactly. */
static int
check_answer(struct test_mp_sec *s, const char *want, const char *cmd)
{
	char got[64];

	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "%s", cmd), 0,
		"%s", cmd);
	TEST_ASSERT(strcmp(got, want) == 0, "%s: got '%s', want '%s'", cmd,
		got, want);
	return TEST_SUCCESS;
}

/* A command answers "ERR <err>". */
static int
check_errno(struct test_mp_sec *s, int err, const char *fmt, ...)
{
	char cmd[128], want[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(want, sizeof(want), "ERR %d", err);
	return check_answer(s, want, cmd);
}

static int
check_ok(struct test_mp_sec *s, const char *cmd, const char *arg)
{
	char got[64];

	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "%s %s", cmd,
		arg), 0, "%s", cmd);
	TEST_ASSERT(strcmp(got, "OK") == 0, "%s %s: %s", cmd, arg, got);
	return TEST_SUCCESS;
}

static int
heap_expect_cb(const struct rte_extmem_heap *h __rte_unused,
	const struct rte_extmem_heap_info *i, void *arg)
{
	struct expect *e = arg;
	size_t used = strlen(e->buf);

	snprintf(e->buf + used, sizeof(e->buf) - used, "%s%s %d",
		e->n > 0 ? ";" : "", i->name, i->socket_id);
	e->n++;
	return 0;
}

/* The secondary's heaps are the primary's (names, socket IDs). */
static int
check_heaps(struct test_mp_sec *s)
{
	struct expect e = { .n = 0 };
	char got[8192], want[8300];

	e.buf[0] = '\0';
	TEST_ASSERT_EQ(rte_extmem_heap_walk(heap_expect_cb, &e), 0, "walk");
	snprintf(want, sizeof(want), "%u %s", e.n, e.buf);
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "heaps"), 0, "h");
	TEST_ASSERT(strcmp(got, want) == 0, "secondary heaps '%s', primary "
		"'%s'", got, want);
	return TEST_SUCCESS;
}

/* Heap memory: the secondary's allocation is the primary's memory. */
static int
check_heap_alloc(struct test_mp_sec *s, struct mp_setup *m)
{
	struct rte_extmem_heap_info before, during, after;
	struct rte_extmem_region_info ri;
	struct rte_extmem_region *hr;
	char got[64];
	uint8_t pattern[4096];
	void *p;

	TEST_RUN(check_heaps(s));
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(m->heap, &before), 0, "info");
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "malloc %d 4096",
		before.socket_id), 0, "malloc");
	p = (void *)(uintptr_t)strtoull(got, NULL, 16);
	TEST_ASSERT_NOT_NULL(p, "secondary malloc: %s", got);
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(m->heap, &hr, 1), 1, "r");
	TEST_ASSERT_EQ(rte_extmem_region_info_get(hr, &ri), 0, "info");
	TEST_ASSERT((uintptr_t)p >= (uintptr_t)ri.addr &&
		(uintptr_t)p + 4096 <= (uintptr_t)ri.addr + ri.len,
		"%p outside the heap's region", p);
	memset(pattern, 0xa5, sizeof(pattern));
	TEST_ASSERT_MEM_EQ(p, pattern, sizeof(pattern), "bytes written there");
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(m->heap, &during), 0, "info");
	TEST_ASSERT_EQ(during.alloc_count, before.alloc_count + 1, "count");
	TEST_RUN(check_ok(s, "free", got));
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(m->heap, &after), 0, "info");
	TEST_ASSERT_EQ(after.alloc_count, before.alloc_count, "freed there");
	TEST_RUN(check_ok(s, "mbuf", MP_POOL));
	TEST_ASSERT_EQ(rte_mempool_avail_count(m->pool), 511, "mbuf back");
	TEST_RUN(check_ok(s, "mbuf", MP_XPOOL));
	TEST_ASSERT_EQ(rte_mempool_avail_count(m->xpool), 255, "mbuf back");
	/* the one-call pool's heap goes with it, there too */
	TEST_ASSERT_EQ(rte_extmem_pktmbuf_pool_free(m->xpool), 0, "free: %s",
		rte_strerror(rte_errno));
	m->xpool = NULL;
	TEST_RUN(check_heaps(s));
	TEST_RUN(check_regions(s));
	return TEST_SUCCESS;
}

/* A slice there of the device region keeps it here: EBUSY, nothing
 * changed; then it goes everywhere.
 */
static int
check_slice_busy(struct test_mp_sec *s, struct mp_setup *m)
{
	struct rte_extmem_mp_info before, after;

	/* mapped there as here: device memory the CPU must not touch
	 * stays PROT_NONE, the library's memory is read-write
	 */
	TEST_RUN(check_answer(s, "---s", "prot mp_device"));
	TEST_RUN(check_answer(s, "rw-s", "prot mp_shared"));
	TEST_RUN(check_ok(s, "slice", "mp_device"));
	TEST_ASSERT_EQ(rte_extmem_mp_info_get(&before), 0, "mp info");
	TEST_ASSERT_ERRNO(rte_extmem_region_destroy(m->dev) != 0, EBUSY,
		"destroy of a region a secondary slices");
	TEST_ASSERT_EQ(rte_extmem_region_lookup("mp_device"), m->dev,
		"still here");
	TEST_RUN(check_ok(s, "region", "mp_device"));
	TEST_RUN(check_regions(s));
	TEST_RUN(check_iovas(s, m->dev, true));
	TEST_RUN(check_ok(s, "unslice", ""));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(m->dev), 0, "destroy: %s",
		rte_strerror(rte_errno));
	m->dev = NULL;
	TEST_RUN(check_errno(s, ENOENT, "region mp_device"));
	TEST_RUN(check_regions(s));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(m->shared), 0, "destroy: %s",
		rte_strerror(rte_errno));
	m->shared = NULL;
	TEST_RUN(check_errno(s, ENOENT, "region mp_shared"));
	TEST_ASSERT_EQ(rte_extmem_mp_info_get(&after), 0, "mp info");
	TEST_ASSERT_GT(after.seq, before.seq, "the removal was a change");
	return TEST_SUCCESS;
}

/* Changes made here are there when the calls return. */
static int
check_sync(struct test_mp_sec *s, struct mp_setup *m)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_region *r, *hr;
	struct rte_extmem_heap_info hi;
	void *mem;

	r = test_mp_region_make("mp_dyn", RTE_EXTMEM_BACKING_SHARED, 1u << 20,
		0, NULL);
	TEST_ASSERT_NOT_NULL(r, "dyn: %s", rte_strerror(rte_errno));
	TEST_RUN(check_ok(s, "region", "mp_dyn"));
	TEST_RUN(check_iovas(s, r, true));
	TEST_RUN(check_regions(s));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	TEST_RUN(check_errno(s, ENOENT, "region mp_dyn"));

	rte_extmem_region_params_init(&rp);
	rp.name = "mp_heap_more";
	rp.backing = RTE_EXTMEM_BACKING_SHARED;
	rp.len = 2u << 20;
	hr = rte_extmem_heap_region_add(m->heap, &rp);
	TEST_ASSERT_NOT_NULL(hr, "heap region: %s", rte_strerror(rte_errno));
	TEST_RUN(check_regions(s));
	TEST_RUN(check_iovas(s, hr, true));
	TEST_ASSERT_EQ(rte_extmem_heap_region_remove(m->heap, hr), 0,
		"remove: %s", rte_strerror(rte_errno));
	TEST_RUN(check_errno(s, ENOENT, "region mp_heap_more"));

	/* private memory in the heap the secondary uses: refused there, so
	 * refused here, rolled back everywhere
	 */
	TEST_ASSERT_EQ(rte_extmem_heap_info_get(m->heap, &hi), 0, "info");
	mem = mmap(NULL, 1u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	rp.name = "mp_heap_priv";
	rp.backing = RTE_EXTMEM_BACKING_USER;
	rp.addr = mem;
	rp.len = 1u << 20;
	hr = rte_extmem_heap_region_add(m->heap, &rp);
	TEST_ASSERT(hr == NULL, "a heap region no secondary can map");
	TEST_ASSERT_EQ(rte_errno, EACCES, "errno %s", rte_strerror(rte_errno));
	TEST_ASSERT(rte_extmem_region_lookup("mp_heap_priv") == NULL, "gone");
	TEST_RUN(check_errno(s, ENOENT, "region mp_heap_priv"));
	TEST_RUN(check_regions(s));
	munmap(mem, 1u << 20);
	TEST_ASSERT_EQ(rte_extmem_heap_regions_get(m->heap, NULL, 0),
		(int)hi.n_regions, "heap regions unchanged");
	return TEST_SUCCESS;
}

/* The operator's view: /extmem/mp of the primary counts the secondary. */
static int
check_telemetry(void)
{
	const char *exp = "{\"/extmem/mp\": {\"state\": \"serving\", "
		"\"n_secondaries\": 1, \"n_connections\": 1, ";
	char *out;
	bool ok;

	if (test_tel_available() != TEST_SUCCESS)
		return TEST_SUCCESS;	/* the reason is printed */
	out = test_tel_run("/extmem/mp\n");
	TEST_ASSERT_NOT_NULL(out, "client output");
	ok = strstr(out, exp) != NULL;
	if (!ok)
		printf("%s", out);
	free(out);
	TEST_ASSERT(ok, "telemetry /extmem/mp lacks '%s' (output above)", exp);
	return TEST_SUCCESS;
}

/*
 * A region the secondary creates is made by the primary for it: in every
 * process (the primary's list, the same address), destroyed by it only;
 * the primary's own regions it cannot destroy.
 */
static int
check_proxy(struct test_mp_sec *s, struct mp_setup *m)
{
	struct rte_extmem_region_info i;
	struct rte_extmem_region *r;
	char got[64];

	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "create"), 0,
		"create");
	r = rte_extmem_region_lookup("mp_sec_create");
	TEST_ASSERT_NOT_NULL(r, "made in the primary (secondary: %s)", got);
	TEST_ASSERT_EQ(rte_extmem_region_info_get(r, &i), 0, "info");
	TEST_ASSERT_EQ(strtoull(got, NULL, 16), (uintptr_t)i.addr, "address");
	TEST_ASSERT_EQ(i.shared, 1, "shared");
	TEST_RUN(check_regions(s));
	TEST_RUN(check_iovas(s, r, true));
	/* the secondary's users keep it, as any region */
	TEST_RUN(check_ok(s, "slice", "mp_sec_create"));
	TEST_RUN(check_errno(s, EBUSY, "destroy mp_sec_create"));
	TEST_RUN(check_ok(s, "unslice", ""));
	TEST_RUN(check_errno(s, E_RTE_SECONDARY, "destroy mp_huge"));
	TEST_ASSERT_EQ(rte_extmem_region_lookup("mp_huge"), m->huge, "kept");
	TEST_RUN(check_ok(s, "destroy", "mp_sec_create"));
	TEST_ASSERT_NULL(rte_extmem_region_lookup("mp_sec_create"), "gone");
	TEST_RUN(check_regions(s));
	return TEST_SUCCESS;
}

static int
views_run(struct test_mp_sec *s, struct mp_setup *m)
{
	char got[64];

	TEST_ASSERT_EQ(test_mp_wait_secondaries(1), 0, "attached");
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "info"), 0, "i");
	TEST_ASSERT(strncmp(got, "2 0 0 ", 6) == 0, "secondary state '%s' "
		"(want attached, no error, no heap refused)", got);
	TEST_RUN(check_regions(s));
	TEST_RUN(check_telemetry());
	TEST_RUN(check_iovas(s, m->shared, true));
	TEST_RUN(check_iovas(s, m->huge, true));
	TEST_RUN(check_iovas(s, m->priv, false));
	TEST_RUN(check_iovas(s, m->dev, true));
	TEST_RUN(check_heap_alloc(s, m));
	TEST_RUN(check_errno(s, EACCES, "user mp_private"));
	TEST_RUN(check_ok(s, "user", "mp_huge"));
	TEST_RUN(check_proxy(s, m));
	TEST_RUN(check_errno(s, E_RTE_SECONDARY, "heapcreate"));
	TEST_RUN(check_errno(s, E_RTE_SECONDARY, "devmap mp_huge"));
	TEST_RUN(check_sync(s, m));
	TEST_RUN(check_slice_busy(s, m));
	return TEST_SUCCESS;
}

static int
test_mp_views(void)
{
	const char *why = test_mp_skip_reason();
	struct test_mp_sec s;
	struct mp_setup m;
	int ret;

	if (why != NULL)
		TEST_SKIP("%s", why);
	ret = setup_make(&m);
	if (ret == TEST_SUCCESS) {
		if (test_mp_sec_start(&s, 0, 0, 0, true) != 0) {
			ret = TEST_FAILED;
		} else {
			ret = views_run(&s, &m);
			if (test_mp_sec_stop(&s) != 0)
				ret = TEST_FAILED;
		}
	}
	setup_free(&m);
	TEST_RUN(ret);
	TEST_ASSERT_EQ(test_mp_wait_secondaries(0), 0, "secondary gone");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mp_views, test_mp_views, EXTMEM_TEST_F_MULTIPROC);

static int
clash_run(struct test_mp_sec *s)
{
	struct rte_extmem_region *r;
	char got[64], want[64];

	snprintf(want, sizeof(want), "%d %d 0 ", RTE_EXTMEM_MP_STATE_FAILED,
		EADDRINUSE);
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "info"), 0, "i");
	TEST_ASSERT(strncmp(got, want, strlen(want)) == 0, "secondary state "
		"'%s', want '%s...'", got, want);
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "regions"), 0,
		"regions");
	TEST_ASSERT(strcmp(got, "0 ") == 0, "nothing attached: '%s'", got);
	TEST_ASSERT_EQ(test_mp_wait_secondaries(0), 0, "not counted");
	/* the primary goes on */
	r = test_mp_region_make("mp_after_clash", RTE_EXTMEM_BACKING_SHARED,
		1u << 20, 0, NULL);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

static int
test_mp_clash(void)
{
	const char *why = test_mp_skip_reason();
	struct rte_extmem_region_info i;
	struct rte_extmem_region *r;
	struct test_mp_sec s;
	int ret;

	if (why != NULL)
		TEST_SKIP("%s", why);
	r = test_mp_region_make("mp_clash", RTE_EXTMEM_BACKING_SHARED, 1u << 20,
		0, NULL);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	rte_extmem_region_info_get(r, &i);
	ret = test_mp_sec_start(&s, (uintptr_t)i.addr, i.len, 0, true);
	if (ret == 0) {
		ret = clash_run(&s);
		if (test_mp_sec_stop(&s) != 0)
			ret = TEST_FAILED;
	} else {
		ret = TEST_FAILED;
	}
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return ret;
}

REGISTER_EXTMEM_TEST(mp_clash, test_mp_clash, EXTMEM_TEST_F_MULTIPROC);

struct joiner {
	const struct rte_extmem_region *r;
	struct test_mp_sec s;
	bool started;
	char user[64];	/* the joiner's answer to "user" */
};

/* Between the secondaries' PREPARE and REMOVE: a secondary attaches. */
static int
joiner_cb(const struct rte_extmem_event *ev, void *arg)
{
	struct joiner *j = arg;

	if (ev->type != RTE_EXTMEM_EVENT_REGION_UNREGISTERED ||
			ev->region != j->r || j->started)
		return 0;
	if (test_mp_sec_start(&j->s, 0, 0, 0, true) != 0)
		return 0;
	j->started = true;
	if (test_mp_sec_cmd(&j->s, j->user, sizeof(j->user),
			"user mp_joiner") != 0)
		snprintf(j->user, sizeof(j->user), "no answer");
	return 0;
}

static int
test_mp_joiner(void)
{
	const char *why = test_mp_skip_reason();
	struct joiner j = { .started = false };
	struct rte_extmem_region *r;
	char got[64];
	int ret = TEST_SUCCESS;

	if (why != NULL)
		TEST_SKIP("%s", why);
	r = test_mp_region_make("mp_joiner", RTE_EXTMEM_BACKING_SHARED,
		1u << 20, 0, NULL);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	j.r = r;
	TEST_ASSERT_EQ(rte_extmem_event_subscribe("mp_joiner", 0, joiner_cb,
		&j), 0, "subscribe");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy: %s",
		rte_strerror(rte_errno));
	TEST_ASSERT_EQ(rte_extmem_event_unsubscribe("mp_joiner"), 0, "unsub");
	TEST_ASSERT(j.started, "the joiner started during the removal");
	if (strcmp(j.user, "OK") == 0) {
		printf("    FAIL the joiner took a user of a region being "
			"removed\n");
		ret = TEST_FAILED;
	}
	if (test_mp_sec_cmd(&j.s, got, sizeof(got), "region mp_joiner") != 0 ||
			strcmp(got, "OK") == 0) {
		printf("    FAIL the joiner still has the region: %s\n", got);
		ret = TEST_FAILED;
	}
	if (test_mp_sec_stop(&j.s) != 0)
		ret = TEST_FAILED;
	return ret;
}

REGISTER_EXTMEM_TEST(mp_joiner, test_mp_joiner, EXTMEM_TEST_F_MULTIPROC);

static int
nofds_run(struct test_mp_sec *s)
{
	struct rte_extmem_region *r;
	char got[64];

	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "nofile 1"), 0,
		"nofile");
	TEST_ASSERT(strcmp(got, "OK") == 0, "nofile: %s", got);
	r = test_mp_region_make("mp_nofds", RTE_EXTMEM_BACKING_SHARED, 1u << 20,
		0, NULL);
	TEST_ASSERT_ERRNO(r == NULL, EMFILE, "create without descriptors "
		"there");
	TEST_ASSERT(rte_extmem_region_lookup("mp_nofds") == NULL,
		"withdrawn here");
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "region mp_nofds"),
		0, "lookup there");
	TEST_ASSERT(strcmp(got, "OK") != 0, "withdrawn there: %s", got);
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "nofile 0"), 0,
		"nofile");
	TEST_ASSERT(strcmp(got, "OK") == 0, "nofile 0: %s", got);
	r = test_mp_region_make("mp_nofds", RTE_EXTMEM_BACKING_SHARED, 1u << 20,
		0, NULL);
	TEST_ASSERT_NOT_NULL(r, "create: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "region mp_nofds"),
		0, "lookup there");
	TEST_ASSERT(strcmp(got, "OK") == 0, "attached there: %s", got);
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

static int
test_mp_nofds(void)
{
	const char *why = test_mp_skip_reason();
	struct rte_extmem_region *first;
	struct test_mp_sec s;
	int ret;

	if (why != NULL)
		TEST_SKIP("%s", why);
	/* the service starts with the primary's first region */
	first = test_mp_region_make("mp_nofds_first", RTE_EXTMEM_BACKING_SHARED,
		1u << 20, 0, NULL);
	TEST_ASSERT_NOT_NULL(first, "region: %s", rte_strerror(rte_errno));
	if (test_mp_sec_start(&s, 0, 0, 0, true) == 0) {
		ret = test_mp_wait_secondaries(1) == 0 ? nofds_run(&s) :
			TEST_FAILED;
		if (test_mp_sec_stop(&s) != 0)
			ret = TEST_FAILED;
	} else {
		ret = TEST_FAILED;
	}
	TEST_ASSERT_EQ(rte_extmem_region_destroy(first), 0, "destroy");
	return ret;
}

REGISTER_EXTMEM_TEST(mp_nofds, test_mp_nofds, EXTMEM_TEST_F_MULTIPROC);

static int
refused_run(struct test_mp_sec *s, const struct rte_extmem_heap *heap)
{
	struct rte_extmem_heap_info hi;
	char got[512], want[512];

	TEST_ASSERT_EQ(rte_extmem_heap_info_get(heap, &hi), 0, "info");
	/* attached (the rest of the memory is usable), one heap refused */
	snprintf(want, sizeof(want), "%d 0 1 ", RTE_EXTMEM_MP_STATE_ATTACHED);
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "info"), 0, "i");
	TEST_ASSERT(strncmp(got, want, strlen(want)) == 0, "secondary state "
		"'%s', want '%s...'", got, want);
	TEST_ASSERT_EQ(test_mp_sec_cmd(s, got, sizeof(got), "heaps"), 0, "h");
	TEST_ASSERT(strcmp(got, "0 ") == 0, "no view of the heap: '%s'", got);
	/* its region is listed, not shared, not mapped */
	TEST_RUN(check_regions(s));
	TEST_RUN(check_errno(s, EACCES, "user mp_refused_heap.0"));
	TEST_RUN(check_ok(s, "region", "mp_refused_heap.0"));
	TEST_ASSERT(hi.n_regions == 1, "one region");
	return TEST_SUCCESS;
}

/* A heap holding memory that cannot be shared is refused by a secondary
 * as a whole; the rest of its attach stands.
 */
static int
test_mp_refused(void)
{
	const char *why = test_mp_skip_reason();
	struct test_mp_sec s;
	struct test_heap th;
	int ret;

	if (why != NULL)
		TEST_SKIP("%s", why);
	/* its region is mp_refused_heap.0 */
	TEST_RUN(test_heap_make(&th, "mp_refused_heap", RTE_EXTMEM_BACKING_USER,
		1u << 20, 0, 0));
	ret = test_mp_sec_start(&s, 0, 0, 0, true) == 0 ? TEST_SUCCESS :
		TEST_FAILED;
	if (ret == TEST_SUCCESS) {
		ret = refused_run(&s, th.h);
		if (test_mp_sec_stop(&s) != 0)
			ret = TEST_FAILED;
	}
	TEST_RUN(test_heap_free(&th));
	return ret;
}

REGISTER_EXTMEM_TEST(mp_refused, test_mp_refused, EXTMEM_TEST_F_MULTIPROC);

/* A region made for a secondary goes when the secondary does. */
static int
test_mp_proxy_gone(void)
{
	const char *why = test_mp_skip_reason();
	struct rte_extmem_region *r = NULL;
	struct test_mp_sec s;
	char got[64];

	if (why != NULL)
		TEST_SKIP("%s", why);
	/* the service starts with the library: one region of the primary */
	r = test_mp_region_make("mp_proxy_base", RTE_EXTMEM_BACKING_SHARED,
		1u << 20, 0, NULL);
	TEST_ASSERT_NOT_NULL(r, "region: %s", rte_strerror(rte_errno));
	TEST_ASSERT_EQ(test_mp_sec_start(&s, 0, 0, 0, true), 0, "secondary");
	if (test_mp_sec_cmd(&s, got, sizeof(got), "create") != 0 ||
			rte_extmem_region_lookup("mp_sec_create") == NULL) {
		test_mp_sec_kill(&s);
		rte_extmem_region_destroy(r);
		TEST_ASSERT(false, "the primary made no region: %s", got);
	}
	test_mp_sec_kill(&s);
	TEST_ASSERT_EQ(test_mp_wait_secondaries(0), 0, "secondary gone");
	/* a bounded wait for the proxy thread's clean-up */
	TEST_ASSERT_EQ(test_mp_wait_gone("mp_sec_create"), 0, "the dead "
		"secondary's region stays");
	TEST_ASSERT_EQ(rte_extmem_region_destroy(r), 0, "destroy");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mp_proxy_gone, test_mp_proxy_gone,
	EXTMEM_TEST_F_MULTIPROC);
