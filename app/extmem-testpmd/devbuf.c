/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * devbuf: the seed's case 3. Packet payloads are zero-copy slices of a
 * device-memory region (page-granular, no allocator header inside it);
 * each packet is a header mbuf from the host pool with the slice chained
 * behind it (rte_extmem_slice_alloc_hdr()). Here the "device" memory is a
 * memfd mapping filled with a pattern, registered with its descriptor (so
 * secondary processes map it too) with the device backing (the library
 * never touches it), or as user memory where IOVAs must be resolved (IOVA
 * as PA).
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_errno.h>

#include <rte_extmem_mbuf.h>

#include "etp.h"
#include "etp_mem.h"

#define DEVBUF_LEN (8u << 20)
#define DEVBUF_NAME "etp_devbuf"

struct devbuf_state {
	struct etp_mem host;          /**< headers and receive buffers */
	void *dev_mem;                /**< the "device" mapping */
	size_t dev_len;
	int dev_fd;                   /**< its memfd */
	struct rte_extmem_region *region;
	struct rte_extmem_slicer *slicer;
};

static struct devbuf_state devbuf;

/*
 * Where the device memory stand-in goes: an address of the app's own,
 * away from the library's VA window and from where the kernel puts
 * libraries, so that a secondary process can map it at the same address
 * (anywhere if that is taken).
 */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define DEVBUF_ADDR ((void *)(uintptr_t)0x280000000000ULL)

/* One try: a memfd (hugetlb pages of huge, else base pages), mapped shared
 * at DEVBUF_ADDR if free.
 */
static uint8_t *
devbuf_memfd(bool huge, int *fdp)
{
	unsigned int flags = MFD_CLOEXEC | (huge ? MFD_HUGETLB : 0);
	uint8_t *p;
	int fd;

	fd = memfd_create(DEVBUF_NAME, flags);
	if (fd < 0)
		return NULL;
	if (ftruncate(fd, DEVBUF_LEN) != 0 ||
			fallocate(fd, 0, 0, DEVBUF_LEN) != 0) {
		close(fd);
		return NULL;
	}
	p = mmap(DEVBUF_ADDR, DEVBUF_LEN, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (p == MAP_FAILED)
		p = mmap(NULL, DEVBUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	*fdp = fd;
	return p;
}

/*
 * Device memory stand-in: a memfd (the descriptor makes the region
 * shareable with secondary processes, as a device's exported buffer
 * would be), hugetlb pages if there are, else base pages.
 */
static int
devbuf_map(size_t *page_sz)
{
	uint8_t *p;
	size_t i;
	int fd = -1;

	p = devbuf_memfd(true, &fd);
	*page_sz = RTE_PGSIZE_2M;
	if (p == NULL) {
		p = devbuf_memfd(false, &fd);
		*page_sz = 4096;
	}
	if (p == NULL) {
		fprintf(stderr, "devbuf: memfd of %u bytes: %s\n", DEVBUF_LEN,
			strerror(errno));
		return -1;
	}
	/* What the device would have produced. */
	for (i = 0; i < DEVBUF_LEN; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	devbuf.dev_mem = p;
	devbuf.dev_len = DEVBUF_LEN;
	devbuf.dev_fd = fd;
	return 0;
}

void
etp_devbuf_report(void)
{
	struct rte_extmem_slicer_info st;

	if (devbuf.slicer == NULL ||
			rte_extmem_slicer_info_get(devbuf.slicer, &st) != 0)
		return;
	printf("devbuf: %" PRIu64 " payloads sliced zero-copy from device "
		"memory (%" PRIu64 " segments), %" PRIu64 " freed, %" PRIu64
		" in flight, %" PRIu64 " failed\n", st.slices, st.segments,
		st.freed, st.in_flight, st.fails);
}

static void
devbuf_release(struct etp_mem *mem)
{
	struct devbuf_state *d = &devbuf;

	if (d->slicer != NULL && rte_extmem_slicer_free(d->slicer) != 0)
		fprintf(stderr, "devbuf: slicer free: %s\n",
			rte_strerror(rte_errno));
	d->slicer = NULL;
	if (d->region != NULL && rte_extmem_region_destroy(d->region) != 0)
		fprintf(stderr, "devbuf: region destroy: %s\n",
			rte_strerror(rte_errno));
	d->region = NULL;
	if (d->dev_mem != NULL)
		munmap(d->dev_mem, d->dev_len);
	d->dev_mem = NULL;
	if (d->dev_fd >= 0)
		close(d->dev_fd);
	d->dev_fd = -1;
	etp_mem_release(&d->host);
	mem->pool = NULL;
}

int
etp_mem_devbuf(struct etp_mem *mem, uint32_t n, int socket)
{
	struct devbuf_state *d = &devbuf;
	struct rte_extmem_region_params rp;
	struct rte_extmem_slicer_params sp;
	size_t page_sz;

	memset(d, 0, sizeof(*d));
	d->dev_fd = -1;
	mem->release = devbuf_release;
	/* Headers (and anything received) on an external heap. */
	d->host.socket_id = socket;
	if (etp_mem_xmem(&d->host, n, false) != 0)
		return -1;
	mem->pool = d->host.pool;
	if (devbuf_map(&page_sz) != 0)
		return -1;
	rte_extmem_region_params_init(&rp);
	rp.name = DEVBUF_NAME;
	rp.backing = rte_eal_iova_mode() == RTE_IOVA_VA ?
		RTE_EXTMEM_BACKING_DEVICE : RTE_EXTMEM_BACKING_USER;
	rp.addr = d->dev_mem;
	rp.len = d->dev_len;
	rp.page_sz = page_sz;
	rp.fd = d->dev_fd;
	d->region = rte_extmem_region_create(&rp);
	if (d->region == NULL) {
		fprintf(stderr, "devbuf: region on device memory: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	rte_extmem_slicer_params_init(&sp);
	sp.name = DEVBUF_NAME;
	sp.region = d->region;
	sp.n_mbufs = n;
	sp.socket_id = socket;
	d->slicer = rte_extmem_slicer_create(&sp);
	if (d->slicer == NULL) {
		fprintf(stderr, "devbuf: slicer: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	mem->backing_name = d->host.backing_name;
	mem->page_sz = d->host.page_sz;
	return 0;
}

uint16_t
etp_devbuf_make_pkts(struct etp_stream *s, struct rte_mbuf **pkts,
	uint16_t n, uint16_t len)
{
	struct devbuf_state *d = &devbuf;
	size_t plen = len - ETP_HDR_LEN;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (s->devbuf_off + plen > d->dev_len)
			s->devbuf_off = 0;
		pkts[i] = rte_extmem_slice_alloc_hdr(d->slicer, s->pool, NULL,
			ETP_HDR_LEN, s->devbuf_off, plen);
		if (pkts[i] == NULL) {
			__atomic_store_n(&s->alloc_failed, s->alloc_failed + 1,
				__ATOMIC_RELAXED);
			break;
		}
		etp_write_hdrs(pkts[i], s, len);
		s->devbuf_off += plen;
	}
	return i;
}
