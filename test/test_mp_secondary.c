/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * dpdk-extmem-test-mp-secondary: a secondary process linking librte_extmem
 * for the mp_* tests. It runs rte_eal_init() (which attaches it to the
 * primary's external memory), then answers commands, one line each, read
 * from file descriptor <fd>, with one line on the same descriptor. It ends
 * at "quit", when the descriptor closes, or after two minutes.
 *
 *   dpdk-extmem-test-mp-secondary <fd> [--reserve <hex addr> <len>] <EAL args>
 *
 * --reserve maps [addr, +len) before rte_eal_init() (a clash test).
 *
 * Commands and answers ("ERR <errno>" for a failed call):
 *   info                 -> <state> <error> <n_heaps_refused> <seq>
 *   regions              -> <n> then per region "<name> <va> <len> <pgsz>
 *                           <shared> <attached> <heap> <socket>" joined by ';'
 *   heaps                -> <n> then "<name> <socket>" joined by ';'
 *   iova <hex addr>      -> <hex IOVA of rte_extmem_virt2iova()>
 *   region <name>        -> OK or ERR
 *   malloc <socket> <sz> -> <hex addr> (filled with 0xa5)
 *   free <hex addr>      -> OK
 *   mbuf <pool>          -> OK after an alloc, a write and a free
 *   slice <region>       -> OK, holding a slicer and one slice of it
 *   unslice              -> OK, both released
 *   user <region>        -> OK or ERR (rte_extmem_region_user_get())
 *   devmap <region>      -> ERR <errno> of rte_extmem_devmap_map() on it
 *   create [name]        -> <address> of the region <name> (default
 *                           mp_sec_create; 1 MiB, shared) the primary made
 *                           for it, or ERR
 *   createmany <pfx> <n> -> OK when two threads each created n regions
 *                           <pfx>a<i> and <pfx>b<i> at once, every call
 *                           returning the region of its own name; else
 *                           ERR <errno> <name>
 *   destroymany <pfx> <n> -> OK when those 2n are destroyed, or ERR
 *   destroy <region>     -> OK or ERR of rte_extmem_region_destroy()
 *   heapcreate           -> ERR <errno> of a heap creation
 *   quit
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <rte_extmem.h>
#include <rte_extmem_devmap.h>
#include <rte_extmem_heap.h>
#include <rte_extmem_mbuf.h>
#include <rte_extmem_mp.h>

static int cmd_fd;
static struct rte_extmem_slicer *slicer;
static struct rte_mbuf *slice;

static void
reply(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(cmd_fd, buf, n) != n)
		exit(3);
}

static void
reply_err(void)
{
	reply("ERR %d", rte_errno);
}

struct walk_buf {
	char *p;
	size_t left;
	unsigned int n;
};

/* One more entry of a walk's answer (';' between them); 0 or -1 (full). */
static int
walk_add(struct walk_buf *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
walk_add(struct walk_buf *w, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(w->p, w->left, "%s", w->n > 0 ? ";" : "");
	if (n < 0 || (size_t)n >= w->left)
		return -1;
	va_start(ap, fmt);
	m = vsnprintf(w->p + n, w->left - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)(n + m) >= w->left)
		return -1;
	w->p += n + m;
	w->left -= n + m;
	w->n++;
	return 0;
}

static int
region_cb(const struct rte_extmem_region *r __rte_unused,
	const struct rte_extmem_region_info *i, void *arg)
{
	return walk_add(arg, "%s %p %zu %zu %u %u %s %d", i->name, i->addr,
		i->len, i->page_sz, i->shared, i->attached,
		i->heap[0] != '\0' ? i->heap : "-", i->socket_id);
}

static int
heap_cb(const struct rte_extmem_heap *h __rte_unused,
	const struct rte_extmem_heap_info *i, void *arg)
{
	return walk_add(arg, "%s %d", i->name, i->socket_id);
}

static void
cmd_walk(bool regions)
{
	char buf[7000];
	struct walk_buf w = { .p = buf, .left = sizeof(buf) };
	int ret;

	buf[0] = '\0';
	ret = regions ? rte_extmem_region_walk(region_cb, &w) :
		rte_extmem_heap_walk(heap_cb, &w);
	if (ret != 0)
		reply_err();
	else
		reply("%u %s", w.n, buf);
}

static void
cmd_mbuf(const char *name)
{
	struct rte_mempool *mp = rte_mempool_lookup(name);
	struct rte_mbuf *m;

	if (mp == NULL) {
		reply_err();
		return;
	}
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL) {
		reply("ERR %d", ENOBUFS);
		return;
	}
	memset(rte_pktmbuf_mtod(m, void *), 0x5a, 64);
	rte_pktmbuf_free(m);
	reply("OK");
}

static void
cmd_slice(const char *name)
{
	struct rte_extmem_slicer_params p;
	struct rte_extmem_region *r = rte_extmem_region_lookup(name);

	if (r == NULL || rte_extmem_slicer_params_init(&p) != 0) {
		reply_err();
		return;
	}
	p.name = "mp_sec_slicer";
	p.region = r;
	p.n_mbufs = 64;
	slicer = rte_extmem_slicer_create(&p);
	if (slicer == NULL) {
		reply_err();
		return;
	}
	slice = rte_extmem_slice_alloc(slicer, 0, 256);
	if (slice == NULL) {
		reply_err();
		rte_extmem_slicer_free(slicer);
		slicer = NULL;
		return;
	}
	reply("OK");
}

static void
cmd_unslice(void)
{
	rte_pktmbuf_free(slice);
	slice = NULL;
	if (rte_extmem_slicer_free(slicer) != 0) {
		reply_err();
		return;
	}
	slicer = NULL;
	reply("OK");
}

static void
cmd_create(bool heap, const char *name)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_heap_params hp;

	rte_extmem_region_params_init(&rp);
	rp.name = name != NULL ? name : "mp_sec_create";
	rp.backing = RTE_EXTMEM_BACKING_SHARED;
	rp.len = 1 << 20;
	if (!heap) {
		struct rte_extmem_region *r = rte_extmem_region_create(&rp);
		struct rte_extmem_region_info i;

		if (r != NULL && rte_extmem_region_info_get(r, &i) == 0)
			reply("%p", i.addr);
		else
			reply_err();
		return;
	}
	rte_extmem_heap_params_init(&hp);
	hp.name = "mp_sec_heap";
	hp.region = &rp;
	if (rte_extmem_heap_create(&hp) != NULL)
		reply("OK");
	else
		reply_err();
}

/* "prot <name>": the permissions /proc/self/maps shows for the start of
 * region <name> here ("rw-s", "---s"), or ERR.
 */
static void
cmd_prot(const char *name)
{
	struct rte_extmem_region *r = rte_extmem_region_lookup(name);
	struct rte_extmem_region_info i;
	char line[512], perms[8] = "";
	unsigned long s, e;
	FILE *f;

	if (r == NULL || rte_extmem_region_info_get(r, &i) != 0) {
		reply_err();
		return;
	}
	f = fopen("/proc/self/maps", "re");
	if (f == NULL) {
		reply_err();
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) == 3 &&
				s <= (uintptr_t)i.addr && (uintptr_t)i.addr < e)
			break;
		else
			perms[0] = '\0';
	fclose(f);
	if (perms[0] == '\0')
		reply("ERR %d", ENOENT);
	else
		reply("%s", perms);
}

/* One thread of createmany / destroymany. */
struct many {
	pthread_t t;
	char prefix[32];
	char tag;
	unsigned int n;
	bool destroy;
	int err;		/* 0, or the first failure's errno */
	char failed[64];	/* and the region's name */
};

static void *
many_main(void *arg)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_region_info info;
	struct many *m = arg;
	struct rte_extmem_region *r;
	char name[64];
	unsigned int i;

	for (i = 0; i < m->n && m->err == 0; i++) {
		snprintf(name, sizeof(name), "%s%c%u", m->prefix, m->tag, i);
		if (m->destroy) {
			r = rte_extmem_region_lookup(name);
			if (r == NULL || rte_extmem_region_destroy(r) != 0)
				m->err = rte_errno;
		} else {
			rte_extmem_region_params_init(&rp);
			rp.name = name;
			rp.backing = RTE_EXTMEM_BACKING_SHARED;
			rp.len = 64u << 10;
			r = rte_extmem_region_create(&rp);
			/* the answer to this call, not to the other thread's */
			if (r == NULL)
				m->err = rte_errno;
			else if (rte_extmem_region_info_get(r, &info) != 0 ||
					strcmp(info.name, name) != 0 ||
					rte_extmem_region_lookup(name) != r)
				m->err = EPROTO;
		}
		if (m->err != 0)
			snprintf(m->failed, sizeof(m->failed), "%s", name);
	}
	return NULL;
}

static void
cmd_many(const char *arg, bool destroy)
{
	struct many m[2];
	unsigned int i, n = 0;
	char prefix[32];

	if (sscanf(arg, "%31s %u", prefix, &n) != 2) {
		reply("ERR %d", EINVAL);
		return;
	}
	for (i = 0; i < RTE_DIM(m); i++) {
		memset(&m[i], 0, sizeof(m[i]));
		snprintf(m[i].prefix, sizeof(m[i].prefix), "%s", prefix);
		m[i].tag = (char)('a' + i);
		m[i].n = n;
		m[i].destroy = destroy;
		if (pthread_create(&m[i].t, NULL, many_main, &m[i]) != 0) {
			reply("ERR %d", EAGAIN);
			exit(3);
		}
	}
	for (i = 0; i < RTE_DIM(m); i++)
		pthread_join(m[i].t, NULL);
	for (i = 0; i < RTE_DIM(m); i++)
		if (m[i].err != 0) {
			reply("ERR %d %s", m[i].err, m[i].failed);
			return;
		}
	reply("OK");
}

/*
 * "nofile 1": no new file descriptor from now on (RLIMIT_NOFILE at the
 * lowest free one); "nofile 0": the limit as it was.
 */
static void
cmd_nofile(const char *arg)
{
	static struct rlimit saved;
	static bool lowered;
	struct rlimit rl;
	int fd;

	if (atoi(arg) == 0) {
		if (lowered && setrlimit(RLIMIT_NOFILE, &saved) != 0) {
			reply("ERR %d", errno);
			return;
		}
		lowered = false;
		reply("OK");
		return;
	}
	fd = dup(0);
	if (fd < 0 || (!lowered && getrlimit(RLIMIT_NOFILE, &saved) != 0)) {
		reply("ERR %d", errno);
		return;
	}
	close(fd);
	rl = saved;
	rl.rlim_cur = (rlim_t)fd;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		reply("ERR %d", errno);
		return;
	}
	lowered = true;
	reply("OK");
}

static void
command(char *line)
{
	char *arg = strchr(line, ' ');
	struct rte_extmem_mp_info info;
	struct rte_extmem_region *r;
	void *p;

	if (arg != NULL)
		*arg++ = '\0';
	if (strcmp(line, "info") == 0) {
		if (rte_extmem_mp_info_get(&info) != 0)
			reply_err();
		else
			reply("%d %d %u %" PRIu64, info.state, info.error,
				info.n_heaps_refused, info.seq);
	} else if (strcmp(line, "regions") == 0) {
		cmd_walk(true);
	} else if (strcmp(line, "heaps") == 0) {
		cmd_walk(false);
	} else if (strcmp(line, "iova") == 0 && arg != NULL) {
		reply("%" PRIx64, rte_extmem_virt2iova(
			(void *)(uintptr_t)strtoull(arg, NULL, 16)));
	} else if (strcmp(line, "prot") == 0 && arg != NULL) {
		cmd_prot(arg);
	} else if (strcmp(line, "region") == 0 && arg != NULL) {
		if (rte_extmem_region_lookup(arg) != NULL)
			reply("OK");
		else
			reply_err();
	} else if (strcmp(line, "malloc") == 0 && arg != NULL) {
		int socket = atoi(arg);
		size_t sz = strtoul(strchr(arg, ' ') != NULL ?
			strchr(arg, ' ') + 1 : "0", NULL, 10);

		p = rte_malloc_socket("mp_sec", sz, 0, socket);
		if (p == NULL) {
			reply_err();
			return;
		}
		memset(p, 0xa5, sz);
		reply("%p", p);
	} else if (strcmp(line, "free") == 0 && arg != NULL) {
		rte_free((void *)(uintptr_t)strtoull(arg, NULL, 16));
		reply("OK");
	} else if (strcmp(line, "mbuf") == 0 && arg != NULL) {
		cmd_mbuf(arg);
	} else if (strcmp(line, "slice") == 0 && arg != NULL) {
		cmd_slice(arg);
	} else if (strcmp(line, "unslice") == 0) {
		cmd_unslice();
	} else if (strcmp(line, "user") == 0 && arg != NULL) {
		r = rte_extmem_region_lookup(arg);
		if (r != NULL && rte_extmem_region_user_get(r) == 0) {
			rte_extmem_region_user_put(r);
			reply("OK");
		} else {
			reply_err();
		}
	} else if (strcmp(line, "devmap") == 0 && arg != NULL) {
		r = rte_extmem_region_lookup(arg);
		if (r != NULL && rte_extmem_devmap_map(r, "net_null0") == 0)
			reply("OK");
		else
			reply_err();
	} else if (strcmp(line, "destroy") == 0 && arg != NULL) {
		r = rte_extmem_region_lookup(arg);
		if (r != NULL && rte_extmem_region_destroy(r) == 0)
			reply("OK");
		else
			reply_err();
	} else if (strcmp(line, "nofile") == 0 && arg != NULL) {
		cmd_nofile(arg);
	} else if (strcmp(line, "create") == 0) {
		cmd_create(false, arg);
	} else if (strcmp(line, "createmany") == 0 && arg != NULL) {
		cmd_many(arg, false);
	} else if (strcmp(line, "destroymany") == 0 && arg != NULL) {
		cmd_many(arg, true);
	} else if (strcmp(line, "heapcreate") == 0) {
		cmd_create(true, NULL);
	} else {
		reply("ERR %d", EINVAL);
	}
}

int
main(int argc, char **argv)
{
	char line[256];
	size_t used = 0;
	ssize_t n;
	int skip = 1;

	if (argc < 2)
		return 2;
	/* never outlive a test that died (SIGALRM ends the process) */
	alarm(120);
	cmd_fd = atoi(argv[1]);
	if (argc > 4 && strcmp(argv[2], "--reserve") == 0) {
		uintptr_t a = strtoull(argv[3], NULL, 16);
		size_t len = strtoull(argv[4], NULL, 0);

		/* taken already (by a library of ours): a clash either way */
		if (mmap((void *)a, len, PROT_NONE, MAP_PRIVATE |
				MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) !=
				(void *)a)
			fprintf(stderr, "mp secondary: %#lx is taken already\n",
				(unsigned long)a);
		skip = 4;
	}
	argv[skip] = argv[0];
	if (rte_eal_init(argc - skip, argv + skip) < 0) {
		fprintf(stderr, "mp secondary: rte_eal_init: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	reply("READY");
	for (;;) {
		char *nl;

		n = read(cmd_fd, line + used, sizeof(line) - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
		line[used] = '\0';
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			if (strcmp(line, "quit") == 0)
				goto out;
			command(line);
			used -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, used + 1);
		}
		if (used == sizeof(line) - 1)
			used = 0;
	}
out:
	if (slice != NULL)
		rte_pktmbuf_free(slice);
	if (slicer != NULL)
		rte_extmem_slicer_free(slicer);
	rte_eal_cleanup();
	return 0;
}
