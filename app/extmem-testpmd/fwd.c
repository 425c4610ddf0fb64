/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memcpy.h>
#include <rte_rcu_qsbr.h>
#include <rte_udp.h>

#include "etp.h"
#include "etp_mem.h"

/* Streams and their assignment to forwarding lcores. */
static struct etp_stream *streams;
static unsigned int nb_streams;
static unsigned int fwd_lcores[RTE_MAX_LCORE];
static unsigned int nb_fwd_lcores;

uint64_t etp_tx_first_pkts; /* packets made by --tx-first */

unsigned int
etp_nb_streams(void)
{
	return nb_streams;
}

struct etp_stream *
etp_stream_get(unsigned int i)
{
	return i < nb_streams ? &streams[i] : NULL;
}

/* Peer address of testpmd: 02:00:00:00:00:<port id>. */
static void
peer_addr(uint16_t port, struct rte_ether_addr *ea)
{
	memset(ea, 0, sizeof(*ea));
	ea->addr_bytes[0] = 0x02;
	ea->addr_bytes[5] = (uint8_t)port;
}

static void
stream_init(struct etp_stream *s, uint16_t rx_idx, uint16_t rxq,
	uint16_t tx_idx, uint16_t txq, struct rte_mempool *pool)
{
	memset(s, 0, sizeof(*s));
	s->rx_port = etp_port_id(rx_idx);
	s->rx_queue = rxq;
	s->tx_port = etp_port_id(tx_idx);
	s->tx_queue = txq;
	s->pool = pool;
	if (rte_eth_macaddr_get(s->tx_port, &s->tx_src) != 0)
		memset(&s->tx_src, 0, sizeof(s->tx_src));
	peer_addr(s->tx_port, &s->tx_dst);
}

int
etp_streams_setup(struct rte_mempool *pool)
{
	const struct etp_config *c = &etp_cfg;
	uint16_t nb_ports = etp_nb_ports(), p, q, nq;
	unsigned int lcore, i = 0;

	nq = c->fwd_mode == ETP_FWD_TXONLY ? c->nb_txq : c->nb_rxq;
	if (c->fwd_mode == ETP_FWD_FLOWGEN)
		nq = RTE_MIN(c->nb_rxq, c->nb_txq);
	nb_streams = (unsigned int)nb_ports * nq;
	streams = rte_zmalloc("etp_streams", sizeof(*streams) * nb_streams,
		RTE_CACHE_LINE_SIZE);
	if (streams == NULL) {
		fprintf(stderr, "cannot allocate %u streams\n", nb_streams);
		return -1;
	}
	/*
	 * Receive queue q sends on queue q of the peer (io and mac check
	 * there are enough; rxonly sends only with --tx-first, from the main
	 * lcore, on q modulo the transmit queues).
	 */
	for (p = 0; p < nb_ports; p++)
		for (q = 0; q < nq; q++)
			stream_init(&streams[i++], p, q, etp_peer_idx(p),
				q % c->nb_txq, pool);
	nb_fwd_lcores = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (nb_fwd_lcores == c->nb_cores)
			break;
		fwd_lcores[nb_fwd_lcores++] = lcore;
	}
	if (nb_fwd_lcores == 0 ||
			(nb_streams + nb_fwd_lcores - 1) / nb_fwd_lcores >
			ETP_MAX_LCORE_STREAMS) {
		fprintf(stderr, "%u streams on %u forwarding lcore(s): at most "
			"%u per lcore\n", nb_streams, nb_fwd_lcores,
			ETP_MAX_LCORE_STREAMS);
		return -1;
	}
	return 0;
}

void
etp_streams_free(void)
{
	rte_free(streams);
	streams = NULL;
	nb_streams = 0;
}

static inline void
count(uint64_t *ctr, uint64_t n)
{
	__atomic_store_n(ctr, *ctr + n, __ATOMIC_RELAXED);
}

static inline bool
stopping(void)
{
	return __atomic_load_n(&etp_stop, __ATOMIC_RELAXED) != 0;
}

/* Write Ethernet/IPv4/UDP headers for a packet of len bytes into m. */
void
etp_write_hdrs(struct rte_mbuf *m, const struct etp_stream *s, uint16_t len)
{
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(&s->tx_dst, &eth->dst_addr);
	rte_ether_addr_copy(&s->tx_src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eth));
	/* unsigned octets: RTE_IPV4() shifts them as given, 198 << 24
	 * overflows an int
	 */
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198U, 18U, 0U, 1U));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198U, 18U, 0U, 2U));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = rte_cpu_to_be_16(9);
	udp->dst_port = rte_cpu_to_be_16(9);
	udp->dgram_len = rte_cpu_to_be_16(len - sizeof(*eth) - sizeof(*ip));
	udp->dgram_cksum = 0;
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
}

/* One txonly packet of length len in a single mbuf. */
static inline void
build_pkt(struct rte_mbuf *m, const struct etp_stream *s, uint16_t len)
{
	etp_write_hdrs(m, s, len);
	m->data_len = len;
	m->pkt_len = len;
}

/* Allocate and fill n packets of the stream; returns how many. */
static uint16_t
make_pkts(struct etp_stream *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	if (etp_cfg.mp_alloc == ETP_MP_DEVBUF)
		return etp_devbuf_make_pkts(s, pkts, n, etp_cfg.tx_pkt_len);
	if (rte_pktmbuf_alloc_bulk(s->pool, pkts, n) != 0) {
		count(&s->alloc_failed, 1);
		return 0;
	}
	for (i = 0; i < n; i++)
		build_pkt(pkts[i], s, etp_cfg.tx_pkt_len);
	return n;
}

static __rte_always_inline void
stream_send(struct etp_stream *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent;

	sent = rte_eth_tx_burst(s->tx_port, s->tx_queue, pkts, n);
	count(&s->tx_pkts, sent);
	if (unlikely(sent < n)) {
		count(&s->fwd_dropped, n - sent);
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
}

/* Receive a burst on the stream's Rx queue and count it. */
static __rte_always_inline uint16_t
stream_recv(struct etp_stream *s, struct rte_mbuf **pkts, uint16_t burst)
{
	uint16_t n;

	n = rte_eth_rx_burst(s->rx_port, s->rx_queue, pkts, burst);
	if (n != 0)
		count(&s->rx_pkts, n);
	return n;
}

static __rte_always_inline void
fwd_io(struct etp_stream *s, uint16_t burst)
{
	struct rte_mbuf *pkts[ETP_MAX_BURST];
	uint16_t n;

	n = stream_recv(s, pkts, burst);
	if (n == 0)
		return;
	stream_send(s, pkts, n);
}

static __rte_always_inline void
fwd_mac(struct etp_stream *s, uint16_t burst)
{
	struct rte_mbuf *pkts[ETP_MAX_BURST];
	struct rte_ether_hdr *eth;
	uint16_t n, i;

	n = stream_recv(s, pkts, burst);
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		rte_ether_addr_copy(&s->tx_dst, &eth->dst_addr);
		rte_ether_addr_copy(&s->tx_src, &eth->src_addr);
	}
	stream_send(s, pkts, n);
}

static __rte_always_inline void
fwd_rxonly(struct etp_stream *s, uint16_t burst)
{
	struct rte_mbuf *pkts[ETP_MAX_BURST];
	uint16_t n;

	n = stream_recv(s, pkts, burst);
	if (n == 0)
		return;
	rte_pktmbuf_free_bulk(pkts, n);
}

static __rte_always_inline void
fwd_txonly(struct etp_stream *s, uint16_t burst)
{
	struct rte_mbuf *pkts[ETP_MAX_BURST];
	uint16_t n;

	n = make_pkts(s, pkts, burst);
	if (n != 0)
		stream_send(s, pkts, n);
}

/* Receive and drop, then send a burst spread over 1024 UDP flows. */
static __rte_always_inline void
fwd_flowgen(struct etp_stream *s, uint16_t burst)
{
	struct rte_mbuf *pkts[ETP_MAX_BURST];
	struct rte_udp_hdr *udp;
	uint16_t n, i;

	fwd_rxonly(s, burst);
	n = make_pkts(s, pkts, burst);
	for (i = 0; i < n; i++) {
		udp = rte_pktmbuf_mtod_offset(pkts[i], struct rte_udp_hdr *,
			sizeof(struct rte_ether_hdr) +
			sizeof(struct rte_ipv4_hdr));
		udp->src_port = rte_cpu_to_be_16(1024 + (s->flow++ & 1023));
	}
	if (n != 0)
		stream_send(s, pkts, n);
}

/* Collect the streams of this lcore (round-robin assignment). */
static unsigned int
my_streams(unsigned int lcore, struct etp_stream **mine, unsigned int max)
{
	unsigned int slot, i, n = 0;

	for (slot = 0; slot < nb_fwd_lcores; slot++)
		if (fwd_lcores[slot] == lcore)
			break;
	for (i = slot; i < nb_streams && n < max; i += nb_fwd_lcores)
		mine[n++] = &streams[i];
	return n;
}

/*
 * The forwarding lcores are readers of an RCU (QSBR) variable: between two
 * rounds over their streams they are inside no burst function and so in
 * no ethdev callback. etp_fwd_grace_period() waits for that moment of
 * every forwarding lcore: whoever removes a callback and then frees what
 * it uses calls it in between (capture.c). Allocated once, never freed:
 * a removal may come at any time, even after forwarding.
 */
static struct rte_rcu_qsbr *fwd_qsbr;

static int
fwd_qsbr_init(void)
{
	size_t sz;

	if (fwd_qsbr != NULL)
		return 0;
	sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	fwd_qsbr = aligned_alloc(RTE_CACHE_LINE_SIZE,
		RTE_ALIGN_CEIL(sz, RTE_CACHE_LINE_SIZE));
	if (fwd_qsbr == NULL || rte_rcu_qsbr_init(fwd_qsbr, RTE_MAX_LCORE)) {
		fprintf(stderr, "forwarding: no RCU variable\n");
		free(fwd_qsbr);
		fwd_qsbr = NULL;
		return -1;
	}
	return 0;
}

void
etp_fwd_grace_period(void)
{
	struct rte_rcu_qsbr *v = __atomic_load_n(&fwd_qsbr, __ATOMIC_ACQUIRE);
	unsigned int self = rte_lcore_id();

	if (v == NULL)
		return;
	/* a forwarding lcore does not wait for itself */
	rte_rcu_qsbr_synchronize(v, self < RTE_MAX_LCORE ? self :
		RTE_QSBR_THRID_INVALID);
}

#define FWD_LOOP(engine) do { \
	while (!stopping()) { \
		for (i = 0; i < n; i++) \
			engine(mine[i], burst); \
		rte_rcu_qsbr_quiescent(fwd_qsbr, lcore); \
	} \
} while (0)

static int
fwd_lcore_main(void *arg __rte_unused)
{
	struct etp_stream *mine[ETP_MAX_LCORE_STREAMS];
	unsigned int lcore = rte_lcore_id();
	uint16_t burst = etp_cfg.burst;
	unsigned int i, n;
	int ret = 0;

	n = my_streams(lcore, mine, RTE_DIM(mine));
	if (n == 0)
		return 0;
	rte_rcu_qsbr_thread_register(fwd_qsbr, lcore);
	rte_rcu_qsbr_thread_online(fwd_qsbr, lcore);
	switch (etp_cfg.fwd_mode) {
	case ETP_FWD_IO:
		FWD_LOOP(fwd_io);
		break;
	case ETP_FWD_MAC:
		FWD_LOOP(fwd_mac);
		break;
	case ETP_FWD_TXONLY:
		FWD_LOOP(fwd_txonly);
		break;
	case ETP_FWD_RXONLY:
		FWD_LOOP(fwd_rxonly);
		break;
	case ETP_FWD_FLOWGEN:
		FWD_LOOP(fwd_flowgen);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	rte_rcu_qsbr_thread_offline(fwd_qsbr, lcore);
	rte_rcu_qsbr_thread_unregister(fwd_qsbr, lcore);
	return ret;
}

/*
 * Send one burst on every stream before forwarding starts, so that ports
 * connected back to back (net_mrnic pairs) have packets to forward. What
 * it sent is etp_tx_first_pkts, not in the streams' counters: those count
 * the forwarding loops only.
 */
int
etp_tx_first(void)
{
	struct rte_mbuf *pkts[ETP_MAX_BURST];
	unsigned int i;
	uint16_t n;
	uint64_t total = 0, refused = 0;

	for (i = 0; i < nb_streams; i++) {
		struct etp_stream *s = &streams[i];

		n = make_pkts(s, pkts, etp_cfg.burst);
		if (n == 0) {
			fprintf(stderr, "tx-first: no mbuf for stream %u\n", i);
			return -1;
		}
		stream_send(s, pkts, n);
		total += s->tx_pkts;
		refused += s->fwd_dropped;
		s->tx_pkts = 0;
		s->fwd_dropped = 0;
	}
	etp_tx_first_pkts = total;
	if (!etp_cfg.quiet)
		printf("tx-first: sent %" PRIu64 " packets on %u streams%s\n",
			total, nb_streams, refused != 0 ?
			" (some not accepted by the ports, freed)" : "");
	return 0;
}

int
etp_fwd_start(void)
{
	unsigned int i;
	int ret;

	if (fwd_qsbr_init() != 0)
		return -1;
	for (i = 0; i < nb_fwd_lcores; i++) {
		ret = rte_eal_remote_launch(fwd_lcore_main, NULL,
			fwd_lcores[i]);
		if (ret != 0) {
			fprintf(stderr, "cannot launch lcore %u: %s\n",
				fwd_lcores[i], strerror(-ret));
			__atomic_store_n(&etp_stop, 1, __ATOMIC_RELAXED);
			while (i-- > 0)
				rte_eal_wait_lcore(fwd_lcores[i]);
			return -1;
		}
	}
	return 0;
}

void
etp_fwd_wait(void)
{
	unsigned int i;

	__atomic_store_n(&etp_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < nb_fwd_lcores; i++)
		rte_eal_wait_lcore(fwd_lcores[i]);
}

unsigned int
etp_fwd_nb_lcores(void)
{
	return nb_fwd_lcores;
}
