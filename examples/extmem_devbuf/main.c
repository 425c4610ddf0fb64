/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Case 3 of dpdk-extmem: transfer device buffers over the network.
 *
 * A "device buffer" (here host memory standing in for GPU or storage
 * controller memory, in 64K device pages whose IOVAs are scattered the way
 * a device's would be) is registered as a device-backed region: no
 * allocator header in it, nothing written into it by the library. A
 * slicer cuts it into zero-copy mbufs (EXT_ATTACHED_MBUF): each packet is
 * an Ethernet header in a host mbuf chained to a slice of the device
 * buffer (header/data split); slices crossing a discontinuity of the
 * device IOVAs become chains. The packets are sent on one port of a pair
 * (two net_mrnic ports by default: a software DMA NIC that reads only
 * memory mapped to it), received on the other and compared with the
 * device buffer. The owner callback counts the device bytes released.
 * The program prints what happened and exits 0 when every packet arrived
 * byte-identical with no DMA fault.
 *
 *   dpdk-extmem-devbuf [EAL options] [-- --packets N]
 *
 * N is 1 to 1000000 (default 1024); any other argument is refused with
 * the usage and exit status 2.
 *
 * With fewer than two ethdev ports, two net_mrnic ports are created.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_extmem.h>
#include <rte_extmem_devmap.h>
#include <rte_extmem_mbuf.h>
#include <rte_mbuf.h>

#define DEV_PAGE (64UL << 10)
#define DEV_LEN (8UL << 20)
#define DEV_IOVA 0x7f0000000000ULL
#define BURST 32
#define MAX_PAYLOAD 8000u

struct app {
	void *map;
	uint8_t *dev;
	struct rte_extmem_region *region;
	struct rte_extmem_slicer *slicer;
	struct rte_mempool *hdr_pool;
	struct rte_mempool *rx_pool;
	uint16_t tx_port, rx_port;
	uint64_t released_bytes;	/* owner callback */
	uint64_t released_slices;
};

/* The owner learns when the device memory of a slice is free again. */
static void
slice_released(void *addr, size_t len, void *arg)
{
	struct app *a = arg;

	RTE_SET_USED(addr);
	a->released_bytes += len;
	a->released_slices++;
}

/* The device buffer: page-granular, filled by "the device". */
static int
devbuf_register(struct app *a)
{
	struct rte_extmem_region_params rp;
	struct rte_extmem_region_info info;
	rte_iova_t iovas[DEV_LEN / DEV_PAGE];
	size_t i;

	a->map = mmap(NULL, DEV_LEN + DEV_PAGE, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a->map == MAP_FAILED) {
		a->map = NULL;
		return -1;
	}
	a->dev = RTE_PTR_ALIGN_CEIL(a->map, DEV_PAGE);
	for (i = 0; i < DEV_LEN; i++)
		a->dev[i] = (uint8_t)(i ^ (i >> 8) ^ (i >> 16));
	/* device pages: pairs contiguous, pairs scattered */
	for (i = 0; i < RTE_DIM(iovas); i++)
		iovas[i] = DEV_IOVA + (i / 2) * 8 * DEV_PAGE +
			(i % 2) * DEV_PAGE;

	rte_extmem_region_params_init(&rp);
	rp.name = "case3_devbuf";
	rp.backing = RTE_EXTMEM_BACKING_DEVICE;
	rp.addr = a->dev;
	rp.len = DEV_LEN;
	rp.page_sz = DEV_PAGE;
	rp.iovas = iovas;
	rp.n_iovas = RTE_DIM(iovas);
	a->region = rte_extmem_region_create(&rp);
	if (a->region == NULL) {
		printf("device region: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	rte_extmem_region_info_get(a->region, &info);
	printf("device buffer %p: %zu bytes in %u pages of %zu, %u IOVA runs, "
		"registered without any header in it\n", info.addr, info.len,
		info.n_pages, info.page_sz, info.n_iova_runs);
	return 0;
}

static int
port_start(uint16_t port, struct rte_mempool *rx_pool)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
			rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL,
				rx_pool) != 0 ||
			rte_eth_tx_queue_setup(port, 0, 512, SOCKET_ID_ANY,
				NULL) != 0 ||
			rte_eth_dev_start(port) != 0 ||
			rte_eth_promiscuous_enable(port) != 0) {
		printf("port %u: setup failed\n", port);
		return -1;
	}
	return 0;
}

static int
ports_setup(struct app *a)
{
	int ret;

	if (rte_eth_dev_count_avail() < 2) {
		/* > 0: no driver took the name; < 0: the probe's -errno */
		ret = rte_vdev_init("net_mrnic_devbuf0", "mr=extmem");
		if (ret == 0)
			ret = rte_vdev_init("net_mrnic_devbuf1", "mr=extmem");
		if (ret > 0) {
			printf("cannot create net_mrnic ports: no net_mrnic "
				"driver in the process (link it with "
				"pkg-config --libs libdpdk-net-mrnic or load "
				"it with -d)\n");
			return -1;
		} else if (ret < 0) {
			printf("cannot create net_mrnic ports: %s\n",
				rte_strerror(-ret));
			return -1;
		}
		if (rte_eth_dev_get_port_by_name("net_mrnic_devbuf0",
				&a->tx_port) != 0 ||
				rte_eth_dev_get_port_by_name("net_mrnic_devbuf1",
				&a->rx_port) != 0)
			return -1;
	} else {
		a->tx_port = rte_eth_find_next(0);
		a->rx_port = rte_eth_find_next(a->tx_port + 1);
	}
	if (port_start(a->tx_port, a->rx_pool) != 0 ||
			port_start(a->rx_port, a->rx_pool) != 0)
		return -1;
	printf("sending on port %u, receiving on port %u\n", a->tx_port,
		a->rx_port);
	return 0;
}

static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
			rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return 0;
	return v;
}

/* One burst: slices behind headers out, the same bytes in. */
static int
burst(struct app *a, uint64_t *seed, unsigned int n, unsigned int *segs)
{
	static const struct rte_ether_hdr eth = {
		.dst_addr.addr_bytes = { 0x02, 0, 0, 0, 0, 0x02 },
		.src_addr.addr_bytes = { 0x02, 0, 0, 0, 0, 0x01 },
		.ether_type = RTE_BE16(0x88b5),
	};
	struct rte_mbuf *tx[BURST], *rx[BURST];
	size_t off[BURST], len[BURST];
	uint8_t buf[sizeof(eth) + MAX_PAYLOAD];
	unsigned int i, sent = 0, got = 0, idle = 0;
	const uint8_t *p;
	int ret = 0;

	for (i = 0; i < n; i++) {
		*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
		len[i] = 64 + (*seed >> 33) % (MAX_PAYLOAD - 64);
		off[i] = (*seed >> 11) % (DEV_LEN - len[i]);
		tx[i] = rte_extmem_slice_alloc_hdr(a->slicer, a->hdr_pool, &eth,
			sizeof(eth), off[i], len[i]);
		if (tx[i] == NULL) {
			printf("slice: %s\n", rte_strerror(rte_errno));
			rte_pktmbuf_free_bulk(tx, i);
			return -1;
		}
		*segs += tx[i]->nb_segs;
	}
	while (sent < n && idle < 1000) {
		uint16_t k = rte_eth_tx_burst(a->tx_port, 0, tx + sent,
			n - sent);

		sent += k;
		idle = k == 0 ? idle + 1 : 0;
	}
	if (sent < n) {
		rte_pktmbuf_free_bulk(tx + sent, n - sent);
		printf("only %u of %u packets sent\n", sent, n);
		return -1;
	}
	idle = 0;
	while (got < n && idle < 1000) {
		uint16_t k = rte_eth_rx_burst(a->rx_port, 0, rx + got,
			n - got);

		got += k;
		if (k == 0) {
			idle++;
			rte_delay_us(100);
		}
	}
	for (i = 0; i < got; i++) {
		p = rte_pktmbuf_read(rx[i], 0, rx[i]->pkt_len, buf);
		if (rx[i]->pkt_len != sizeof(eth) + len[i] || p == NULL ||
				memcmp(p, &eth, sizeof(eth)) != 0 ||
				memcmp(p + sizeof(eth), a->dev + off[i],
					len[i]) != 0) {
			printf("packet %u differs from the device buffer\n", i);
			ret = -1;
		}
	}
	rte_pktmbuf_free_bulk(rx, got);
	if (got != n) {
		printf("%u of %u packets received\n", got, n);
		ret = -1;
	}
	return ret;
}

#define MAX_PACKETS 1000000

static void
usage(const char *prog)
{
	fprintf(stderr, "usage: %s [EAL options] [-- --packets N]\n"
		"  --packets N   packets to send, 1 to %u (default 1024)\n"
		"  -h, --help    this help\n", prog, MAX_PACKETS);
}

/* The arguments after EAL's: 0, 1 for --help, -1 (said why) if bad. */
static int
parse_args(int argc, char **argv, unsigned int *packets)
{
	unsigned long v;
	char *end;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
				strcmp(argv[i], "--help") == 0)
			return 1;
		if (strcmp(argv[i], "--packets") != 0) {
			fprintf(stderr, "unknown argument '%s'\n", argv[i]);
			return -1;
		}
		if (++i == argc) {
			fprintf(stderr, "--packets needs a value\n");
			return -1;
		}
		errno = 0;
		v = strtoul(argv[i], &end, 10);
		if (errno != 0 || end == argv[i] || *end != '\0' ||
				argv[i][0] == '-' || v < 1 || v > MAX_PACKETS) {
			fprintf(stderr, "invalid --packets '%s': expected 1 "
				"to %u\n", argv[i], MAX_PACKETS);
			return -1;
		}
		*packets = (unsigned int)v;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct rte_extmem_slicer_params sp;
	struct rte_extmem_slicer_info st;
	unsigned int packets = 1024, done = 0, segs = 0;
	struct app a;
	uint64_t seed = 1, faults;
	int n, i, ret = 1;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		printf("rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	/* what follows EAL's options, with argv[0] in front */
	argv[n] = argv[0];
	i = parse_args(argc - n, argv + n, &packets);
	if (i != 0) {
		usage(argv[0]);
		rte_eal_cleanup();
		return i > 0 ? 0 : 2;
	}
	memset(&a, 0, sizeof(a));
	a.tx_port = a.rx_port = RTE_MAX_ETHPORTS;

	a.hdr_pool = rte_pktmbuf_pool_create("case3_hdr", 1023, 32, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	a.rx_pool = rte_pktmbuf_pool_create("case3_rx", 2047, 32, 0,
		RTE_PKTMBUF_HEADROOM + sizeof(struct rte_ether_hdr) +
		MAX_PAYLOAD, SOCKET_ID_ANY);
	if (a.hdr_pool == NULL || a.rx_pool == NULL) {
		printf("host pools: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	/* the NIC first: a region created then is mapped to it at once (a
	 * region created before a port probe is mapped to the new port by
	 * the time the port is configured or started)
	 */
	if (ports_setup(&a) != 0)
		goto out;
	if (devbuf_register(&a) != 0)
		goto out;

	rte_extmem_slicer_params_init(&sp);
	sp.name = "case3";
	sp.region = a.region;
	sp.n_mbufs = 4 * BURST * 4;
	sp.free_cb = slice_released;
	sp.free_cb_arg = &a;
	a.slicer = rte_extmem_slicer_create(&sp);
	if (a.slicer == NULL) {
		printf("slicer: %s\n", rte_strerror(rte_errno));
		goto out;
	}

	while (done < packets) {
		unsigned int k = RTE_MIN(packets - done, (unsigned int)BURST);

		if (burst(&a, &seed, k, &segs) != 0)
			goto out;
		done += k;
	}
	/* the sender faults on its source buffers, the receiver on its own */
	faults = xstat(a.tx_port, "tx_dma_fault_errors") +
		xstat(a.rx_port, "rx_dma_fault_errors");
	rte_extmem_slicer_info_get(a.slicer, &st);
	printf("%u packets sent zero-copy from the device buffer and received "
		"byte-identical\n", done);
	printf("payload segments: %" PRIu64 " in %" PRIu64 " slices (%u mbufs "
		"with the headers)\n", st.segments, st.slices, segs);
	printf("released to the owner: %" PRIu64 " slices, %" PRIu64
		" bytes; in flight: %" PRIu64 "\n", a.released_slices,
		a.released_bytes, st.in_flight);
	printf("dma_fault: %" PRIu64 "\n", faults);
	if (faults == 0 && st.in_flight == 0 &&
			a.released_slices == st.slices)
		ret = 0;
out:
	if (a.tx_port < RTE_MAX_ETHPORTS && a.rx_port < RTE_MAX_ETHPORTS) {
		rte_eth_dev_stop(a.tx_port);
		rte_eth_dev_stop(a.rx_port);
		rte_eth_dev_close(a.tx_port);
		rte_eth_dev_close(a.rx_port);
	}
	if (a.slicer != NULL && rte_extmem_slicer_free(a.slicer) != 0)
		ret = 1;
	if (a.region != NULL && rte_extmem_region_destroy(a.region) != 0)
		ret = 1;
	rte_mempool_free(a.hdr_pool);
	rte_mempool_free(a.rx_pool);
	if (a.map != NULL)
		munmap(a.map, DEV_LEN + DEV_PAGE);
	printf("%s\n", ret == 0 ? "OK" : "FAILED");
	rte_eal_cleanup();
	return ret;
}
