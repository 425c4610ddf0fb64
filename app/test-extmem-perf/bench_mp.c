/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * mp: external memory in secondary processes (the tool re-executes itself
 * as the secondaries, --mp-secondary), best of --repeat:
 *   mp_attach_1g_4k_extmem_ms     a secondary's attach to a heap of
 *                                 --mem-mb of 4K pages (shared backing)
 *                                 during rte_eal_init(), as the secondary
 *                                 measures it (rte_extmem_mp_info::
 *                                 attach_ns): snapshot, mapping, EAL
 *                                 attach, IOVAs, translation table
 *   mp_attach_1g_4k_upstream_ms   upstream: a hand-written secondary
 *                                 mapping the heap's memfd at its address
 *                                 and calling rte_malloc_heap_memory_attach()
 *                                 (no IOVA table, no translation)
 *   mp_attach_1g_2m_*             the same with 2M hugetlb pages
 *   mp_region_cycle_<k>_us        one rte_extmem_region_create() +
 *                                 rte_extmem_region_destroy() of a 2 MiB
 *                                 shared region with k = 0, 1, 2, 4 live
 *                                 attached secondaries (mean of
 *                                 --mp-cycles, best of --repeat)
 *   mp_region_cycle_per_secondary_us  (cycle_4 - cycle_0) / 4
 * Upstream has no equivalent of the cycle: it does not sync secondaries.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <rte_extmem.h>
#include <rte_extmem_heap.h>
#include <rte_extmem_mp.h>

#include "perf.h"

#define MP_MAX_SEC 4

struct mp_sec {
	pid_t pid;
	int fd;
};

/* ---- the secondary side (the tool re-executed) ---- */

static int
sec_report(int fd, uint64_t v)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%" PRIu64 "\n", v);

	return write(fd, line, n) == n ? 0 : -1;
}

/*
 * --mp-secondary <extmem|upstream> <fd> <memfd> <va> <len> <heap> <EAL>:
 * report the attach time in ns on fd, then stay until fd closes.
 */
int
perf_mp_secondary(int argc, char **argv)
{
	struct rte_extmem_mp_info info;
	const char *mode, *heap;
	int fd, memfd;
	uintptr_t va;
	size_t len;
	uint64_t t0, ns;
	bool up;
	char c;

	/* argv: exe --mp-secondary mode fd memfd va len heap <EAL args> */
	if (argc < 8)
		return 2;
	mode = argv[2];
	up = strcmp(mode, "upstream") == 0;
	fd = atoi(argv[3]);
	memfd = atoi(argv[4]);
	va = strtoull(argv[5], NULL, 16);
	len = strtoull(argv[6], NULL, 10);
	heap = argv[7];
	if (up)
		setenv("EXTMEM_MP_NO_ATTACH", "1", 1);
	argv[7] = argv[0];
	rte_openlog_stream(stderr);
	if (rte_eal_init(argc - 7, argv + 7) < 0) {
		PERF_LOG("secondary: rte_eal_init: %s", rte_strerror(rte_errno));
		return 1;
	}
	if (up) {
		t0 = perf_now_ns();
		if (mmap((void *)va, len, PROT_READ | PROT_WRITE, MAP_SHARED |
				MAP_FIXED_NOREPLACE, memfd, 0) != (void *)va ||
				rte_malloc_heap_memory_attach(heap, (void *)va,
					len) != 0) {
			PERF_LOG("secondary: upstream attach failed: %s",
				rte_strerror(rte_errno));
			return 1;
		}
		ns = perf_now_ns() - t0;
	} else {
		if (rte_extmem_mp_info_get(&info) != 0 ||
				info.state != RTE_EXTMEM_MP_STATE_ATTACHED) {
			PERF_LOG("secondary: not attached");
			return 1;
		}
		ns = info.attach_ns;
	}
	if (sec_report(fd, ns) != 0)
		return 1;
	while (read(fd, &c, 1) > 0)
		;
	if (up)
		rte_malloc_heap_memory_detach(heap, (void *)va, len);
	rte_eal_cleanup();
	return 0;
}

/* ---- the primary side ---- */

static int
sec_start(struct mp_sec *s, const char *mode, int memfd, uintptr_t va,
	size_t len, const char *heap)
{
	char fdarg[16], memfdarg[16], vaarg[32], lenarg[32], prefix[160];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s",
		perf_eal_file_prefix);
	snprintf(vaarg, sizeof(vaarg), "%lx", (unsigned long)va);
	snprintf(lenarg, sizeof(lenarg), "%zu", len);
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		/* what the child keeps: its end and the memory's fd */
		int cfd = dup(sv[1]);
		int cmem = memfd >= 0 ? dup(memfd) : -1;

		snprintf(fdarg, sizeof(fdarg), "%d", cfd);
		snprintf(memfdarg, sizeof(memfdarg), "%d", cmem);
		execl("/proc/self/exe", "dpdk-test-extmem-perf",
			"--mp-secondary", mode, fdarg, memfdarg, vaarg, lenarg,
			heap, "--proc-type=secondary", prefix, "--no-pci",
			"--no-telemetry", "--log-level=lib.eal:error",
			(char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	s->fd = sv[0];
	return 0;
}

/* The secondary's reported number (its attach ns), or UINT64_MAX. */
static uint64_t
sec_read(struct mp_sec *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	char line[32];
	size_t n = 0;

	while (n + 1 < sizeof(line)) {
		if (poll(&p, 1, 120000) <= 0 || read(s->fd, line + n, 1) != 1)
			return UINT64_MAX;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	return strtoull(line, NULL, 10);
}

static int
sec_end(struct mp_sec *s)
{
	int st = 0;

	close(s->fd);
	if (waitpid(s->pid, &st, 0) != s->pid || !WIFEXITED(st) ||
			WEXITSTATUS(st) != 0) {
		PERF_LOG("mp: secondary %d ended with status 0x%x",
			(int)s->pid, st);
		return -1;
	}
	return 0;
}

/* Best attach time (ms) of a secondary of this mode over repeat runs. */
static double
attach_best_ms(const char *mode, unsigned int repeat, int memfd,
	uintptr_t va, size_t len, const char *heap)
{
	double best = -1;
	struct mp_sec s;
	unsigned int i;
	uint64_t ns;

	for (i = 0; i < repeat; i++) {
		if (sec_start(&s, mode, memfd, va, len, heap) != 0)
			return -1;
		ns = sec_read(&s);
		if (sec_end(&s) != 0 || ns == UINT64_MAX)
			return -1;
		if (best < 0 || ns / 1e6 < best)
			best = ns / 1e6;
	}
	return best;
}

static int
bench_attach(const struct perf_opts *o, struct perf_result *res,
	bool huge)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_heap_params hp;
	struct rte_extmem_region_info ri;
	struct rte_extmem_region *r;
	struct rte_extmem_heap *h;
	const char *heap = huge ? "perf_mp_2m" : "perf_mp_4k";
	char key[64];
	double ext, up;

	rte_extmem_region_params_init(&rp);
	rp.backing = huge ? RTE_EXTMEM_BACKING_HUGETLB :
		RTE_EXTMEM_BACKING_SHARED;
	rp.page_sz = huge ? RTE_PGSIZE_2M : 0;
	rp.len = RTE_ALIGN_CEIL(o->mem_bytes, RTE_PGSIZE_2M);
	rte_extmem_heap_params_init(&hp);
	hp.name = heap;
	hp.region = &rp;
	h = rte_extmem_heap_create(&hp);
	if (h == NULL) {
		PERF_LOG("mp: heap %s: %s", heap, rte_strerror(rte_errno));
		return -1;
	}
	if (rte_extmem_heap_regions_get(h, &r, 1) != 1 ||
			rte_extmem_region_info_get(r, &ri) != 0) {
		rte_extmem_heap_destroy(h);
		return -1;
	}
	ext = attach_best_ms("extmem", o->repeat, -1, 0, 0, heap);
	up = attach_best_ms("upstream", o->repeat, ri.fd,
		(uintptr_t)ri.addr, ri.len, heap);
	if (rte_extmem_heap_destroy(h) != 0)
		PERF_LOG("mp: heap %s not destroyed: %s", heap,
			rte_strerror(rte_errno));
	if (ext < 0 || up < 0) {
		PERF_LOG("mp: a secondary failed to attach heap %s", heap);
		return -1;
	}
	snprintf(key, sizeof(key), "mp_attach_1g_%s_extmem_ms",
		huge ? "2m" : "4k");
	perf_result_f64(res, key, ext);
	snprintf(key, sizeof(key), "mp_attach_1g_%s_upstream_ms",
		huge ? "2m" : "4k");
	perf_result_f64(res, key, up);
	return 0;
}

static int
wait_secondaries(unsigned int n)
{
	struct rte_extmem_mp_info info;
	unsigned int i;

	for (i = 0; i < 60000; i++) {
		if (rte_extmem_mp_info_get(&info) != 0)
			return -1;
		if (info.n_secondaries == n)
			return 0;
		usleep(1000);
	}
	return -1;
}

/* Mean us of a create + destroy cycle, best of repeat. */
static double
cycle_us(unsigned int cycles, unsigned int repeat)
{
	struct rte_extmem_region_params p;
	struct rte_extmem_region *r;
	double best = -1, us;
	unsigned int i, k;
	uint64_t t0;

	rte_extmem_region_params_init(&p);
	p.name = "perf_mp_cycle";
	p.backing = RTE_EXTMEM_BACKING_SHARED;
	p.len = RTE_PGSIZE_2M;
	for (k = 0; k < repeat; k++) {
		t0 = perf_now_ns();
		for (i = 0; i < cycles; i++) {
			r = rte_extmem_region_create(&p);
			if (r == NULL || rte_extmem_region_destroy(r) != 0) {
				PERF_LOG("mp: cycle %u: %s", i,
					rte_strerror(rte_errno));
				return -1;
			}
		}
		us = (perf_now_ns() - t0) / 1e3 / cycles;
		if (best < 0 || us < best)
			best = us;
	}
	return best;
}

static int
bench_cycles(const struct perf_opts *o, struct perf_result *res)
{
	static const unsigned int ks[] = { 0, 1, 2, 4 };
	unsigned int cycles = perf_opt_u64(o, "mp-cycles", 200);
	struct mp_sec s[MP_MAX_SEC];
	unsigned int n = 0, i;
	double c[RTE_DIM(ks)];
	char key[64];
	int ret = 0;

	for (i = 0; i < RTE_DIM(ks) && ret == 0; i++) {
		while (n < ks[i] && ret == 0) {
			if (sec_start(&s[n], "extmem", -1, 0, 0, "-") != 0 ||
					sec_read(&s[n]) == UINT64_MAX)
				ret = -1;
			n++;
		}
		if (ret == 0 && wait_secondaries(n) != 0)
			ret = -1;
		c[i] = ret == 0 ? cycle_us(cycles, o->repeat) : -1;
		if (c[i] < 0)
			ret = -1;
	}
	while (n-- > 0)
		if (sec_end(&s[n]) != 0)
			ret = -1;
	if (ret != 0)
		return -1;
	for (i = 0; i < RTE_DIM(ks); i++) {
		snprintf(key, sizeof(key), "mp_region_cycle_%u_us", ks[i]);
		perf_result_f64(res, key, c[i]);
	}
	perf_result_f64(res, "mp_region_cycle_per_secondary_us",
		(c[RTE_DIM(ks) - 1] - c[0]) / ks[RTE_DIM(ks) - 1]);
	return 0;
}

static int
bench_mp(const struct perf_opts *o, struct perf_result *res)
{
	if (!rte_eal_has_hugepages() || perf_eal_file_prefix == NULL) {
		PERF_LOG("mp: needs hugepages and a --file-prefix (DPDK 22.11 "
			"gives a --no-huge or in-memory primary no "
			"secondaries)");
		return -1;
	}
	if (bench_attach(o, res, false) != 0 ||
			bench_attach(o, res, true) != 0)
		return -1;
	return bench_cycles(o, res);
}

static const struct perf_opt_def mp_opts[] = {
	{ .name = "mp-cycles", .min = 1, .max = 1000000 },
	{ .name = NULL },
};

REGISTER_PERF_BENCH_OPTS(mp, bench_mp, "secondary attach time of a heap "
	"(4K, 2M pages) against the upstream way; region create/destroy cost "
	"per live secondary", mp_opts);
