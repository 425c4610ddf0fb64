/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include <rte_pmd_mrnic.h>

#include "test_mrnic_mp_util.h"

struct desc_buf {
	char *p;
	size_t len;
	size_t off;
	int err;
};

static void __rte_format_printf(2, 3)
put(struct desc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->off, b->len - b->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->off) {
		b->err = 1;
		return;
	}
	b->off += (size_t)n;
}

static void
describe_info(struct desc_buf *b, uint16_t port)
{
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	struct rte_eth_link link;
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t mtu, peer;

	if (rte_eth_dev_get_name_by_port(port, name) != 0 ||
			rte_eth_dev_info_get(port, &info) != 0 ||
			rte_eth_macaddr_get(port, &mac) != 0 ||
			rte_eth_link_get_nowait(port, &link) != 0 ||
			rte_eth_dev_get_mtu(port, &mtu) != 0 ||
			rte_pmd_mrnic_peer(port, &peer) != 0) {
		b->err = 1;
		return;
	}
	put(b, "name %s\ndriver %s\n", name, info.driver_name);
	put(b, "queues max %u/%u configured %u/%u\n", info.max_rx_queues,
		info.max_tx_queues, info.nb_rx_queues, info.nb_tx_queues);
	put(b, "max_rx_pktlen %u min_rx_bufsize %u mtu %u [%u, %u]\n",
		info.max_rx_pktlen, info.min_rx_bufsize, mtu, info.min_mtu,
		info.max_mtu);
	put(b, "offloads rx %#" PRIx64 " tx %#" PRIx64 " speed %#x\n",
		info.rx_offload_capa, info.tx_offload_capa, info.speed_capa);
	put(b, "desc rx [%u, %u] tx [%u, %u] segs %u\n",
		info.rx_desc_lim.nb_min, info.rx_desc_lim.nb_max,
		info.tx_desc_lim.nb_min, info.tx_desc_lim.nb_max,
		info.tx_desc_lim.nb_seg_max);
	put(b, "mac " RTE_ETHER_ADDR_PRT_FMT "\n", RTE_ETHER_ADDR_BYTES(&mac));
	put(b, "link %s %u Mbps %s\n", link.link_status ? "up" : "down",
		link.link_speed, link.link_duplex ? "full" : "half");
	put(b, "promiscuous %d allmulticast %d\n",
		rte_eth_promiscuous_get(port), rte_eth_allmulticast_get(port));
	put(b, "peer %u mr_mode %d\n", peer, rte_pmd_mrnic_mr_mode(port));
}

static void
describe_stats(struct desc_buf *b, uint16_t port)
{
	struct rte_eth_stats st;
	unsigned int q;

	if (rte_eth_stats_get(port, &st) != 0) {
		b->err = 1;
		return;
	}
	put(b, "stats ipackets %" PRIu64 " opackets %" PRIu64 " ibytes %"
		PRIu64 " obytes %" PRIu64 " imissed %" PRIu64 " ierrors %"
		PRIu64 " oerrors %" PRIu64 " rx_nombuf %" PRIu64 "\n",
		st.ipackets, st.opackets, st.ibytes, st.obytes, st.imissed,
		st.ierrors, st.oerrors, st.rx_nombuf);
	for (q = 0; q < 4; q++)
		put(b, "queue %u ipackets %" PRIu64 " ibytes %" PRIu64
			" opackets %" PRIu64 " obytes %" PRIu64 " errors %"
			PRIu64 "\n", q, st.q_ipackets[q], st.q_ibytes[q],
			st.q_opackets[q], st.q_obytes[q], st.q_errors[q]);
}

static void
describe_xstats(struct desc_buf *b, uint16_t port)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *xs = NULL;
	int n, i;

	n = rte_eth_xstats_get_names(port, NULL, 0);
	if (n <= 0)
		goto fail;
	names = calloc((size_t)n, sizeof(*names));
	xs = calloc((size_t)n, sizeof(*xs));
	if (names == NULL || xs == NULL ||
			rte_eth_xstats_get_names(port, names, (unsigned int)n) !=
				n ||
			rte_eth_xstats_get(port, xs, (unsigned int)n) != n)
		goto fail;
	put(b, "xstats %d\n", n);
	for (i = 0; i < n; i++)
		put(b, "xstat %s %" PRIu64 "\n", names[xs[i].id].name,
			xs[i].value);
	free(names);
	free(xs);
	return;
fail:
	free(names);
	free(xs);
	b->err = 1;
}

int
mrnic_mp_describe(uint16_t port, char *buf, size_t len)
{
	struct desc_buf b = { .p = buf, .len = len };

	if (len == 0)
		return -1;
	buf[0] = '\0';
	put(&b, "port %u\n", port);
	describe_info(&b, port);
	describe_stats(&b, port);
	describe_xstats(&b, port);
	return b.err ? -1 : 0;
}

int
mrnic_mp_read_line(int fd, char *line, size_t len, int timeout_s)
{
	struct timespec t0, t;
	size_t off = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (off + 1 < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		long left;
		char c;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = (long)timeout_s * 1000 -
			((t.tv_sec - t0.tv_sec) * 1000 +
			 (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return -1;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n = read(fd, &c, 1);
		if (n <= 0)
			return -1;
		if (c == '\n') {
			line[off] = '\0';
			return 0;
		}
		line[off++] = c;
	}
	line[off] = '\0';
	return 0;
}
