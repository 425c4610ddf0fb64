/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * net_mrnic: a software NIC that moves packets by "DMA" through its own
 * memory-region table. Probe/remove, devargs, pairing and the ethdev
 * control operations.
 *
 * Multi-process, as net_null and net_ring: the primary creates the ports;
 * a secondary's probe attaches them (rte_eth_dev_attach_secondary()) with
 * the datapath, statistics, information and link operations only
 * (mrnic_secondary_ops): ethdev answers -ENOTSUP for configuration, queue
 * setup, stop, MTU, MAC and Rx modes before it touches the port's shared
 * data, and start and dma_map are refused here. Closing in a secondary
 * releases that process's port only.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_errno.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_pause.h>

#include <rte_extmem_devmap_driver.h>

#include "mrnic.h"

RTE_LOG_REGISTER_DEFAULT(mrnic_logtype, NOTICE);

#define MRNIC_ARG_MR "mr"
#define MRNIC_ARG_PEER "peer"
#define MRNIC_ARG_QUEUES "queues"
#define MRNIC_ARG_DOMAIN "domain"
#define MRNIC_ARG_DOMAIN_ENTRIES "domain_entries"
#define MRNIC_ARG_DOMAIN_HEAP "domain_heap"
#define MRNIC_PARAMS \
	MRNIC_ARG_MR "=cache|extmem|off " \
	MRNIC_ARG_PEER "=<name>|self " \
	MRNIC_ARG_QUEUES "=<1-16> " \
	MRNIC_ARG_DOMAIN "=<name> " \
	MRNIC_ARG_DOMAIN_ENTRIES "=<1-65535> " \
	MRNIC_ARG_DOMAIN_HEAP "=eal|dispatcher"
/* EAL's user maps per VFIO container (VFIO_MAX_USER_MEM_MAPS) */
#define MRNIC_DOMAIN_ENTRIES 256
/* the kernel's dma_entry_limit per container */
#define MRNIC_DOMAIN_ENTRIES_MAX 65535

static const struct eth_dev_ops mrnic_ops;
static const struct eth_dev_ops mrnic_secondary_ops;

/* How many pauses a wait for a Tx queue's section makes between two
 * looks at whether the process running it is still there.
 */
#define MRNIC_OWNER_CHECK_MASK ((UINT64_C(1) << 16) - 1)

static TAILQ_HEAD(, mrnic_port) mrnic_ports =
	TAILQ_HEAD_INITIALIZER(mrnic_ports);
/*
 * A mutex, not a spinlock: its holder may wait for the datapath to leave
 * its reader sections (mrnic_quiesce_txqs()), which lasts up to a burst;
 * other control threads then sleep rather than spin. The datapath never
 * takes it.
 */
static pthread_mutex_t mrnic_ctl = PTHREAD_MUTEX_INITIALIZER;

void
mrnic_ctl_lock(void)
{
	pthread_mutex_lock(&mrnic_ctl);
}

void
mrnic_ctl_unlock(void)
{
	pthread_mutex_unlock(&mrnic_ctl);
}

int
mrnic_primary_only(const struct mrnic_port *port, const char *op)
{
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		return 0;
	MRNIC_LOG(ERR, "%s: %s refused in a secondary process (the primary "
		"controls the port)", port->name, op);
	return -E_RTE_SECONDARY;
}

/*
 * A Tx queue still in the section it was in at seq: if the process running
 * it died there (a secondary killed inside a burst), end the section in
 * its place, so that the wait ends. The dead process copies nothing any
 * more.
 */
static bool
mrnic_txq_abandoned(const struct mrnic_port *port, struct mrnic_txq *q,
	uint64_t seq)
{
	uint64_t owner = __atomic_load_n(&q->owner, __ATOMIC_RELAXED);

	if (!mrnic_proc_gone(owner))
		return false;
	if (__atomic_compare_exchange_n(&q->seq, &seq, seq + 1, false,
			__ATOMIC_RELEASE, __ATOMIC_RELAXED))
		MRNIC_LOG(WARNING, "%s: Tx queue %u was left inside a burst "
			"by process %" PRIu64 ", which is gone: section ended",
			port->name, q->qid, owner >> 32);
	return true;
}

void
mrnic_quiesce_txqs(struct mrnic_port *port)
{
	uint64_t seq[MRNIC_MAX_QUEUES];
	unsigned int i;

	/* pairs with the fence of mrnic_txq_enter() */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < MRNIC_MAX_QUEUES; i++)
		seq[i] = port->txqs[i] == NULL ? 0 :
			__atomic_load_n(&port->txqs[i]->seq, __ATOMIC_ACQUIRE);
	for (i = 0; i < MRNIC_MAX_QUEUES; i++) {
		uint64_t spins = 0;

		if ((seq[i] & 1) == 0)
			continue;
		while (__atomic_load_n(&port->txqs[i]->seq, __ATOMIC_ACQUIRE) ==
				seq[i]) {
			rte_pause();
			if ((++spins & MRNIC_OWNER_CHECK_MASK) == 0 &&
					mrnic_txq_abandoned(port, port->txqs[i],
						seq[i]))
				break;
		}
	}
}

void
mrnic_quiesce_all(void)
{
	struct mrnic_port *p;

	mrnic_ctl_lock();
	TAILQ_FOREACH(p, &mrnic_ports, next)
		mrnic_quiesce_txqs(p);
	mrnic_ctl_unlock();
}

void
mrnic_quiesce(void *arg)
{
	struct mrnic_port *port = arg;
	struct mrnic_port *peer;

	mrnic_ctl_lock();
	mrnic_quiesce_txqs(port);
	peer = __atomic_load_n(&port->peer, __ATOMIC_ACQUIRE);
	if (peer != port)
		mrnic_quiesce_txqs(peer);
	mrnic_ctl_unlock();
}

struct mrnic_port *
mrnic_port_get(uint16_t port_id)
{
	struct rte_eth_dev *eth;

	if (!rte_eth_dev_is_valid_port(port_id)) {
		MRNIC_LOG(ERR, "invalid port %u", port_id);
		rte_errno = ENODEV;
		return NULL;
	}
	eth = &rte_eth_devices[port_id];
	if ((eth->dev_ops != &mrnic_ops &&
			eth->dev_ops != &mrnic_secondary_ops) || eth->data == NULL ||
			eth->data->dev_private == NULL) {
		MRNIC_LOG(ERR, "port %u is not an mrnic port", port_id);
		rte_errno = ENOTSUP;
		return NULL;
	}
	return eth->data->dev_private;
}

/* ---- control operations ---- */

/*
 * A port probed after regions exist gets them from the DMA dispatcher
 * once its probe has returned (the vdev bus binds the driver only then):
 * have them mapped before the port can move a packet.
 */
static int
mrnic_dma_ready(struct mrnic_port *port)
{
	if (rte_extmem_devmap_driver_dev_ready(mrnic_eth(port)->device) == 0)
		return 0;
	MRNIC_LOG(ERR, "%s: memory could not be mapped: %s", port->name,
		rte_strerror(rte_errno));
	return -rte_errno;
}

static int
mrnic_dev_configure(struct rte_eth_dev *dev)
{
	struct mrnic_port *port = dev->data->dev_private;

	if (dev->data->nb_rx_queues > port->max_queues ||
			dev->data->nb_tx_queues > port->max_queues)
		return -EINVAL;
	return mrnic_dma_ready(port);
}

static int
mrnic_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct mrnic_port *port = dev->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = MRNIC_MAX_PKTLEN;
	info->min_rx_bufsize = 64;
	info->max_rx_queues = port->max_queues;
	info->max_tx_queues = port->max_queues;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = MRNIC_MAX_PKTLEN - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->rx_desc_lim.nb_max = MRNIC_MAX_DESC;
	info->rx_desc_lim.nb_min = MRNIC_MIN_DESC;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = MRNIC_MAX_DESC;
	info->tx_desc_lim.nb_min = MRNIC_MIN_DESC;
	info->tx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_seg_max = MRNIC_MAX_SEGS;
	info->tx_desc_lim.nb_mtu_seg_max = MRNIC_MAX_SEGS;
	info->speed_capa = RTE_ETH_LINK_SPEED_100G;
	return 0;
}

static int
mrnic_link_update(struct rte_eth_dev *dev, int wait __rte_unused)
{
	struct mrnic_port *port = dev->data->dev_private;
	struct mrnic_port *peer = __atomic_load_n(&port->peer, __ATOMIC_ACQUIRE);
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	link.link_speed = RTE_ETH_SPEED_NUM_100G;
	link.link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	link.link_autoneg = RTE_ETH_LINK_FIXED;
	link.link_status = __atomic_load_n(&port->started, __ATOMIC_ACQUIRE) &&
		__atomic_load_n(&peer->started, __ATOMIC_ACQUIRE) ?
		RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN;
	return rte_eth_linkstatus_set(dev, &link);
}

static int
mrnic_dev_start(struct rte_eth_dev *dev)
{
	struct mrnic_port *port = dev->data->dev_private;
	struct mrnic_port *peer;
	uint16_t i;
	int ret;

	for (i = 0; i < dev->data->nb_rx_queues; i++)
		if (port->rxqs[i] == NULL)
			return -EINVAL;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		if (port->txqs[i] == NULL)
			return -EINVAL;
	ret = mrnic_dma_ready(port);
	if (ret != 0)
		return ret;
	/* nothing delivers into a stopped port: an Rx ring that a process
	 * killed inside an enqueue left unfinished (its producer head ahead
	 * of its tail; what was complete was drained at stop) is usable again
	 */
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		struct rte_ring *r = port->rxqs[i]->ring;

		if (__atomic_load_n(&r->prod.head, __ATOMIC_ACQUIRE) !=
				__atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE)) {
			MRNIC_LOG(WARNING, "%s: Rx queue %u: an enqueue was left "
				"unfinished, ring reset", port->name, i);
			mrnic_rxq_drain(port->rxqs[i]);
			rte_ring_reset(r);
		}
	}
	__atomic_store_n(&port->started, 1, __ATOMIC_RELEASE);
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STARTED;
	mrnic_link_update(dev, 0);
	mrnic_ctl_lock();
	peer = port->peer;
	if (peer != port && peer->data->dev_started)
		mrnic_link_update(mrnic_eth(peer), 0);
	mrnic_ctl_unlock();
	return 0;
}

static int
mrnic_dev_stop(struct rte_eth_dev *dev)
{
	struct mrnic_port *port = dev->data->dev_private;
	struct mrnic_port *peer;
	uint16_t i;

	__atomic_store_n(&port->started, 0, __ATOMIC_SEQ_CST);
	/* nobody delivers into our Rx queues or reads our table any more */
	mrnic_quiesce(port);
	mrnic_ctl_lock();
	peer = port->peer;
	if (peer != port && peer->data->dev_started)
		mrnic_link_update(mrnic_eth(peer), 0);
	mrnic_ctl_unlock();
	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		if (port->rxqs[i] != NULL)
			mrnic_rxq_drain(port->rxqs[i]);
		dev->data->rx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		dev->data->tx_queue_state[i] = RTE_ETH_QUEUE_STATE_STOPPED;
	mrnic_link_update(dev, 0);
	return 0;
}

static void
mrnic_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct mrnic_port *port = dev->data->dev_private;
	struct mrnic_rxq *rxq = dev->data->rx_queues[qid];

	if (rxq == NULL)
		return;
	mrnic_ctl_lock();
	port->rxqs[qid] = NULL;
	mrnic_ctl_unlock();
	/* a peer burst that read the pointer before is over */
	mrnic_quiesce(port);
	dev->data->rx_queues[qid] = NULL;
	mrnic_rxq_drain(rxq);
	rte_ring_free(rxq->ring);
	rte_free(rxq);
}

static void
mrnic_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct mrnic_port *port = dev->data->dev_private;
	struct mrnic_txq *txq = dev->data->tx_queues[qid];

	if (txq == NULL)
		return;
	mrnic_ctl_lock();
	port->txqs[qid] = NULL;
	mrnic_ctl_unlock();
	dev->data->tx_queues[qid] = NULL;
	rte_free(txq);
}

static int
mrnic_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
	unsigned int socket, const struct rte_eth_rxconf *conf __rte_unused,
	struct rte_mempool *mp)
{
	struct mrnic_port *port = dev->data->dev_private;
	char name[RTE_RING_NAMESIZE];
	struct mrnic_rxq *rxq;
	int room;

	if (qid >= port->max_queues || mp == NULL)
		return -EINVAL;
	room = (int)rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	if (room <= 0) {
		MRNIC_LOG(ERR, "%s: mempool %s has no data room", port->name,
			mp->name);
		return -EINVAL;
	}
	if (dev->data->rx_queues[qid] != NULL)
		mrnic_rx_queue_release(dev, qid);
	rxq = rte_zmalloc_socket("mrnic_rxq", sizeof(*rxq),
		RTE_CACHE_LINE_SIZE, (int)socket);
	if (rxq == NULL)
		return -ENOMEM;
	snprintf(name, sizeof(name), "mrnic_rx_%u_%u", dev->data->port_id, qid);
	rxq->ring = rte_ring_create_elem(name, sizeof(struct mrnic_rx_desc),
		nb_desc, (int)socket, RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (rxq->ring == NULL) {
		MRNIC_LOG(ERR, "%s: Rx ring %s: %s", port->name, name,
			rte_strerror(rte_errno));
		rte_free(rxq);
		return -rte_errno;
	}
	rxq->port = port;
	rxq->qid = qid;
	rxq->mp = mp;
	rxq->buf_room = (uint16_t)room;
	dev->data->rx_queues[qid] = rxq;
	mrnic_ctl_lock();
	port->rxqs[qid] = rxq;
	mrnic_ctl_unlock();
	return 0;
}

static int
mrnic_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
	unsigned int socket, const struct rte_eth_txconf *conf __rte_unused)
{
	struct mrnic_port *port = dev->data->dev_private;
	struct mrnic_txq *txq;

	if (qid >= port->max_queues)
		return -EINVAL;
	if (dev->data->tx_queues[qid] != NULL)
		mrnic_tx_queue_release(dev, qid);
	txq = rte_zmalloc_socket("mrnic_txq", sizeof(*txq),
		RTE_CACHE_LINE_SIZE, (int)socket);
	if (txq == NULL)
		return -ENOMEM;
	txq->port = port;
	txq->qid = qid;
	txq->nb_desc = nb_desc;
	mrnic_mr_ctrl_init(&txq->src, NULL);
	mrnic_mr_ctrl_init(&txq->dst, NULL);
	dev->data->tx_queues[qid] = txq;
	mrnic_ctl_lock();
	port->txqs[qid] = txq;
	mrnic_ctl_unlock();
	return 0;
}

static int
mrnic_promisc(struct rte_eth_dev *dev __rte_unused)
{
	/* ethdev keeps the flag; the Rx side reads it */
	return 0;
}

static int
mrnic_mtu_set(struct rte_eth_dev *dev __rte_unused, uint16_t mtu)
{
	if (mtu < RTE_ETHER_MIN_MTU ||
			mtu > MRNIC_MAX_PKTLEN - RTE_ETHER_HDR_LEN -
				RTE_ETHER_CRC_LEN)
		return -EINVAL;
	return 0;
}

static int
mrnic_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	struct mrnic_port *port = dev->data->dev_private;

	rte_ether_addr_copy(addr, &port->mac);
	return 0;
}

static void
mrnic_mem_event_cb(enum rte_mem_event type, const void *addr, size_t len,
	void *arg)
{
	struct mrnic_port *port = arg;

	mrnic_mr_mem_event(port->mrt, type == RTE_MEM_EVENT_ALLOC,
		(uintptr_t)addr, len);
}

static void
mrnic_unpair(struct mrnic_port *port)
{
	struct mrnic_port *peer;

	mrnic_ctl_lock();
	peer = port->peer;
	if (peer != port) {
		__atomic_store_n(&peer->peer, peer, __ATOMIC_SEQ_CST);
		__atomic_store_n(&port->peer, port, __ATOMIC_SEQ_CST);
		/* no burst of either still holds the other */
		mrnic_quiesce_txqs(peer);
		mrnic_quiesce_txqs(port);
		MRNIC_LOG(INFO, "%s: unpaired from %s, %s loops back",
			port->name, peer->name, peer->name);
	}
	TAILQ_REMOVE(&mrnic_ports, port, next);
	mrnic_ctl_unlock();
	if (peer != port && peer->data->dev_started)
		mrnic_link_update(mrnic_eth(peer), 0);
}

static int
mrnic_dev_close(struct rte_eth_dev *dev)
{
	struct mrnic_port *port = dev->data->dev_private;
	char cb_name[RTE_DEV_NAME_MAX_LEN + 8];
	uint16_t i;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* ethdev releases this process's port next; the port, its
		 * queues and tables stay the primary's
		 */
		MRNIC_LOG(INFO, "%s: detached from this secondary process",
			port->name);
		return 0;
	}
	if (port->closed)
		return 0;
	if (dev->data->dev_started) {
		mrnic_dev_stop(dev);
		dev->data->dev_started = 0;
	}
	for (i = 0; i < dev->data->nb_rx_queues; i++)
		mrnic_rx_queue_release(dev, i);
	for (i = 0; i < dev->data->nb_tx_queues; i++)
		mrnic_tx_queue_release(dev, i);
	mrnic_unpair(port);
	if (port->mem_cb) {
		snprintf(cb_name, sizeof(cb_name), "mrnic_%s", port->name);
		rte_mem_event_callback_unregister(cb_name, port);
		port->mem_cb = false;
	}
	port->closed = true;
	mrnic_mr_table_fini(&port->mr);
	if (port->mrt != &port->mr) {
		/* the domain's table stays while another port has it */
		rte_extmem_devmap_driver_domain_clear(port->name);
		mrnic_domain_put(port->mrt);
		port->mrt = &port->mr;
	}
	/* not allocated separately: ethdev must not free it */
	dev->data->mac_addrs = NULL;
	return 0;
}

static const struct eth_dev_ops mrnic_ops = {
	.dev_configure = mrnic_dev_configure,
	.dev_infos_get = mrnic_dev_infos_get,
	.dev_start = mrnic_dev_start,
	.dev_stop = mrnic_dev_stop,
	.dev_close = mrnic_dev_close,
	.link_update = mrnic_link_update,
	.promiscuous_enable = mrnic_promisc,
	.promiscuous_disable = mrnic_promisc,
	.allmulticast_enable = mrnic_promisc,
	.allmulticast_disable = mrnic_promisc,
	.mtu_set = mrnic_mtu_set,
	.mac_addr_set = mrnic_mac_addr_set,
	.rx_queue_setup = mrnic_rx_queue_setup,
	.rx_queue_release = mrnic_rx_queue_release,
	.tx_queue_setup = mrnic_tx_queue_setup,
	.tx_queue_release = mrnic_tx_queue_release,
	.stats_get = mrnic_stats_get,
	.stats_reset = mrnic_stats_reset,
	.xstats_get = mrnic_xstats_get,
	.xstats_get_names = mrnic_xstats_get_names,
	.xstats_reset = mrnic_xstats_reset,
};

/* In a secondary process: refused with a log line, nothing changed. */
static int
mrnic_dev_start_secondary(struct rte_eth_dev *dev)
{
	return mrnic_primary_only(dev->data->dev_private, "dev_start");
}

/*
 * A secondary's port: what reads the shared state, or only this
 * process's. The operations left out make ethdev answer -ENOTSUP before
 * it writes anything (rte_eth_dev_configure() would otherwise change the
 * shared dev_conf and queue arrays of a stopped port before calling the
 * driver; rte_eth_promiscuous_disable() writes the flag first).
 */
static const struct eth_dev_ops mrnic_secondary_ops = {
	.dev_infos_get = mrnic_dev_infos_get,
	.dev_start = mrnic_dev_start_secondary,
	.dev_close = mrnic_dev_close,
	.link_update = mrnic_link_update,
	.stats_get = mrnic_stats_get,
	.stats_reset = mrnic_stats_reset,
	.xstats_get = mrnic_xstats_get,
	.xstats_get_names = mrnic_xstats_get_names,
	.xstats_reset = mrnic_xstats_reset,
};

/* ---- devargs ---- */

struct mrnic_args {
	enum mrnic_mr_mode mode;
	char peer[RTE_DEV_NAME_MAX_LEN];
	unsigned int queues;
	char domain[RTE_EXTMEM_DEVMAP_DOMAIN_NAMESIZE];	/* "" own table */
	unsigned int domain_entries;
	bool domain_eal_heap;
};

static int
mrnic_arg_mr(const char *key __rte_unused, const char *value, void *opaque)
{
	struct mrnic_args *a = opaque;

	if (value == NULL)
		return -EINVAL;
	if (strcmp(value, "cache") == 0)
		a->mode = MRNIC_MR_CACHE;
	else if (strcmp(value, "extmem") == 0)
		a->mode = MRNIC_MR_EXTMEM;
	else if (strcmp(value, "off") == 0)
		a->mode = MRNIC_MR_OFF;
	else
		return -EINVAL;
	return 0;
}

/* A non-empty string that fits buf (size bytes with its NUL). */
static int
mrnic_arg_str(const char *value, char *buf, size_t size)
{
	if (value == NULL || value[0] == '\0' || strlen(value) >= size)
		return -EINVAL;
	snprintf(buf, size, "%s", value);
	return 0;
}

static int
mrnic_arg_peer(const char *key __rte_unused, const char *value, void *opaque)
{
	struct mrnic_args *a = opaque;

	return mrnic_arg_str(value, a->peer, sizeof(a->peer));
}

/* An unsigned integer in [lo, hi]. */
static int
mrnic_arg_uint(const char *value, unsigned long lo, unsigned long hi,
	unsigned int *out)
{
	unsigned long v;
	char *end;

	if (value == NULL || value[0] == '\0' || value[0] == '-')
		return -EINVAL;
	errno = 0;
	v = strtoul(value, &end, 0);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int
mrnic_arg_queues(const char *key __rte_unused, const char *value,
	void *opaque)
{
	struct mrnic_args *a = opaque;

	return mrnic_arg_uint(value, 1, MRNIC_MAX_QUEUES, &a->queues);
}

static int
mrnic_arg_domain(const char *key __rte_unused, const char *value,
	void *opaque)
{
	struct mrnic_args *a = opaque;

	return mrnic_arg_str(value, a->domain, sizeof(a->domain));
}

static int
mrnic_arg_domain_entries(const char *key __rte_unused, const char *value,
	void *opaque)
{
	struct mrnic_args *a = opaque;

	return mrnic_arg_uint(value, 1, MRNIC_DOMAIN_ENTRIES_MAX,
		&a->domain_entries);
}

static int
mrnic_arg_domain_heap(const char *key __rte_unused, const char *value,
	void *opaque)
{
	struct mrnic_args *a = opaque;

	if (value == NULL)
		return -EINVAL;
	if (strcmp(value, "eal") == 0)
		a->domain_eal_heap = true;
	else if (strcmp(value, "dispatcher") == 0)
		a->domain_eal_heap = false;
	else
		return -EINVAL;
	return 0;
}

/* One handler per key, each validating its value. */
static const struct mrnic_devarg {
	const char *key;
	arg_handler_t handler;
} mrnic_devargs[] = {
	{ MRNIC_ARG_MR, mrnic_arg_mr },
	{ MRNIC_ARG_PEER, mrnic_arg_peer },
	{ MRNIC_ARG_QUEUES, mrnic_arg_queues },
	{ MRNIC_ARG_DOMAIN, mrnic_arg_domain },
	{ MRNIC_ARG_DOMAIN_ENTRIES, mrnic_arg_domain_entries },
	{ MRNIC_ARG_DOMAIN_HEAP, mrnic_arg_domain_heap },
};

/* Handler of every pair: refuse a key no handler knows, naming it. */
static int
mrnic_arg_known(const char *key, const char *value __rte_unused,
	void *opaque)
{
	const char *name = opaque;
	unsigned int i;

	for (i = 0; i < RTE_DIM(mrnic_devargs); i++)
		if (strcmp(key, mrnic_devargs[i].key) == 0)
			return 0;
	MRNIC_LOG(ERR, "%s: unknown devarg '%s' (valid: %s)", name, key,
		MRNIC_PARAMS);
	return -EINVAL;
}

static int
mrnic_parse_args(const char *name, const char *params, struct mrnic_args *a)
{
	struct rte_kvargs *kv;
	unsigned int i;
	int ret = -EINVAL;

	a->mode = MRNIC_MR_CACHE;
	a->peer[0] = '\0';
	a->queues = MRNIC_DEFAULT_QUEUES;
	a->domain[0] = '\0';
	a->domain_entries = MRNIC_DOMAIN_ENTRIES;
	a->domain_eal_heap = false;
	if (params == NULL || params[0] == '\0')
		return 0;
	/* every key first, so an unknown one is named in the log */
	kv = rte_kvargs_parse(params, NULL);
	if (kv == NULL) {
		MRNIC_LOG(ERR, "%s: malformed devargs '%s' (valid: %s)", name,
			params, MRNIC_PARAMS);
		return -EINVAL;
	}
	if (rte_kvargs_process(kv, NULL, mrnic_arg_known,
			(void *)(uintptr_t)name) < 0)
		goto out;
	for (i = 0; i < RTE_DIM(mrnic_devargs); i++) {
		const char *key = mrnic_devargs[i].key;
		const char *value;

		if (rte_kvargs_count(kv, key) > 1) {
			MRNIC_LOG(ERR, "%s: devarg '%s' given more than once",
				name, key);
			goto out;
		}
		if (rte_kvargs_process(kv, key, mrnic_devargs[i].handler,
				a) < 0) {
			value = rte_kvargs_get(kv, key);
			MRNIC_LOG(ERR, "%s: bad value '%s' for devarg '%s' "
				"(valid: %s)", name, value == NULL ? "" : value,
				key, MRNIC_PARAMS);
			goto out;
		}
	}
	if (a->domain[0] == '\0' &&
			(rte_kvargs_count(kv, MRNIC_ARG_DOMAIN_ENTRIES) > 0 ||
			 rte_kvargs_count(kv, MRNIC_ARG_DOMAIN_HEAP) > 0)) {
		MRNIC_LOG(ERR, "%s: %s and %s need %s", name,
			MRNIC_ARG_DOMAIN_ENTRIES, MRNIC_ARG_DOMAIN_HEAP,
			MRNIC_ARG_DOMAIN);
		goto out;
	}
	if (strcmp(a->peer, "self") != 0 && strcmp(a->peer, name) == 0) {
		MRNIC_LOG(ERR, "%s: peer=%s names the port itself (use "
			"peer=self)", name, a->peer);
		goto out;
	}
	ret = 0;
out:
	rte_kvargs_free(kv);
	return ret;
}

/* ---- pairing (under the control lock) ---- */

static struct mrnic_port *
mrnic_find(const char *name)
{
	struct mrnic_port *p;

	TAILQ_FOREACH(p, &mrnic_ports, next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static void
mrnic_pair(struct mrnic_port *port)
{
	struct mrnic_port *p, *peer = NULL;

	if (strcmp(port->peer_name, "self") == 0)
		return;
	if (port->peer_name[0] != '\0') {
		p = mrnic_find(port->peer_name);
		if (p != NULL && p->peer == p && (p->auto_pair ||
				strcmp(p->peer_name, port->name) == 0))
			peer = p;
		else if (p != NULL)
			MRNIC_LOG(WARNING, "%s: peer %s is taken or wants "
				"another peer: looping back", port->name,
				port->peer_name);
	} else {
		/* by creation order: the oldest unpaired automatic port, or
		 * one that named us
		 */
		TAILQ_FOREACH(p, &mrnic_ports, next) {
			if (p == port || p->peer != p)
				continue;
			if ((p->auto_pair && peer == NULL) ||
					strcmp(p->peer_name, port->name) == 0) {
				peer = p;
				if (!p->auto_pair)
					break;
			}
		}
	}
	if (peer == NULL)
		return;
	__atomic_store_n(&port->peer, peer, __ATOMIC_RELEASE);
	__atomic_store_n(&peer->peer, port, __ATOMIC_RELEASE);
	MRNIC_LOG(INFO, "%s paired with %s", port->name, peer->name);
}

/* ---- probe / remove ---- */

/* Use the table of a shared domain and tell the DMA dispatcher. */
static int
mrnic_domain_join(struct mrnic_port *port, const struct mrnic_args *a)
{
	struct mrnic_mr_table *tbl;
	int err;

	tbl = mrnic_domain_get(a->domain, a->mode, a->domain_entries,
		a->domain_eal_heap);
	if (tbl == NULL)
		return -rte_errno;
	if (rte_extmem_devmap_driver_domain_set(port->name, a->domain,
			a->domain_entries, a->domain_eal_heap ?
				RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP : 0) != 0) {
		err = rte_errno;
		MRNIC_LOG(ERR, "%s: domain %s refused by the DMA dispatcher: "
			"%s", port->name, a->domain, rte_strerror(err));
		mrnic_domain_put(tbl);
		return -err;
	}
	port->mrt = tbl;
	return 0;
}

/*
 * A secondary process attaches the primary's port (the vdev bus probes the
 * primary's devices in every secondary): the shared data and private state
 * are the primary's; this process's ethdev gets the secondary's operations
 * and the datapath. Queues set up after the attach are seen as well
 * (ethdev's queue arrays are shared), but the application must attach once
 * the primary has configured the port, as with every PMD (the fast-path
 * table a secondary's probe fills points at the queue arrays of then).
 */
static int
mrnic_probe_secondary(struct rte_vdev_device *vdev, const char *name)
{
	struct rte_eth_dev *eth;
	struct mrnic_port *port;

	eth = rte_eth_dev_attach_secondary(name);
	if (eth == NULL) {
		MRNIC_LOG(ERR, "%s: not a port of the primary process", name);
		return -ENODEV;
	}
	port = eth->data->dev_private;
	if (port == NULL || port->data != eth->data ||
			strcmp(port->name, name) != 0) {
		MRNIC_LOG(ERR, "%s: the primary's port %u is not an mrnic "
			"port this driver knows", name, eth->data->port_id);
		return -ENODEV;
	}
	eth->device = &vdev->device;
	eth->dev_ops = &mrnic_secondary_ops;
	eth->rx_pkt_burst = mrnic_rx_burst;
	eth->tx_pkt_burst = mrnic_tx_burst;
	rte_eth_dev_probing_finish(eth);
	MRNIC_LOG(INFO, "%s: port %u attached in a secondary process "
		"(datapath, statistics, information; control stays with the "
		"primary)", name, eth->data->port_id);
	return 0;
}

static int
mrnic_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	char cb_name[RTE_DEV_NAME_MAX_LEN + 8];
	struct rte_eth_dev *eth;
	struct mrnic_port *port;
	struct mrnic_args args;
	int ret;

	mrnic_proc_init();
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return mrnic_probe_secondary(vdev, name);
	ret = mrnic_parse_args(name, rte_vdev_device_args(vdev), &args);
	if (ret < 0)
		return ret;
	if (vdev->device.numa_node == SOCKET_ID_ANY)
		vdev->device.numa_node = rte_socket_id();
	eth = rte_eth_vdev_allocate(vdev, sizeof(*port));
	if (eth == NULL)
		return -ENOMEM;
	port = eth->data->dev_private;
	port->data = eth->data;
	snprintf(port->name, sizeof(port->name), "%s", name);
	snprintf(port->peer_name, sizeof(port->peer_name), "%s", args.peer);
	port->auto_pair = args.peer[0] == '\0';
	port->peer = port;
	port->max_queues = (uint16_t)args.queues;
	if (mrnic_mr_table_init(&port->mr, name, args.mode, port) < 0) {
		rte_eth_dev_release_port(eth);
		return -ENOMEM;
	}
	port->mrt = &port->mr;
	if (args.domain[0] != '\0') {
		ret = mrnic_domain_join(port, &args);
		if (ret != 0) {
			mrnic_mr_table_fini(&port->mr);
			rte_eth_dev_release_port(eth);
			return ret;
		}
	}
	snprintf(cb_name, sizeof(cb_name), "mrnic_%s", name);
	if (rte_mem_event_callback_register(cb_name, mrnic_mem_event_cb,
			port) == 0) {
		port->mem_cb = true;
		port->mr.events = true;
		port->mrt->events = true;
	} else {
		/* legacy memory (--no-huge): EAL never frees its memory */
		MRNIC_LOG(INFO, "%s: no memory event callback (%s)", name,
			rte_strerror(rte_errno));
	}
	port->mac.addr_bytes[0] = 0x02;
	port->mac.addr_bytes[1] = 0x6d;
	port->mac.addr_bytes[2] = 0x72;
	port->mac.addr_bytes[3] = 0x6e;
	port->mac.addr_bytes[4] = (uint8_t)(eth->data->port_id >> 8);
	port->mac.addr_bytes[5] = (uint8_t)eth->data->port_id;
	eth->data->mac_addrs = &port->mac;
	eth->data->promiscuous = 1;
	eth->data->all_multicast = 1;
	eth->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	eth->dev_ops = &mrnic_ops;
	eth->rx_pkt_burst = mrnic_rx_burst;
	eth->tx_pkt_burst = mrnic_tx_burst;

	mrnic_ctl_lock();
	TAILQ_INSERT_TAIL(&mrnic_ports, port, next);
	mrnic_pair(port);
	mrnic_ctl_unlock();

	MRNIC_LOG(INFO, "%s: port %u, mr=%s, peer %s, %u queues%s%s", name,
		eth->data->port_id, args.mode == MRNIC_MR_CACHE ? "cache" :
		args.mode == MRNIC_MR_EXTMEM ? "extmem" : "off",
		port->peer == port ? "none (loopback)" : port->peer->name,
		args.queues, args.domain[0] != '\0' ? ", domain " : "",
		args.domain);
	rte_eth_dev_probing_finish(eth);
	return 0;
}

/*
 * The way net_null and net_ring leave: the close op, then the port is
 * released. Nothing goes through the public ethdev API on our own port.
 * A port the application closed is gone already (rte_eth_dev_close()
 * releases the port, RTE_ETH_DEV_CLOSE_REMOVE): nothing left to do. A
 * started port is stopped by the close op; in a secondary process the
 * close op frees nothing and only the process's port is released.
 */
static int
mrnic_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth;
	int ret;

	if (vdev == NULL)
		return -EINVAL;
	eth = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (eth == NULL)
		return 0;
	ret = mrnic_dev_close(eth);
	rte_eth_dev_release_port(eth);
	return ret;
}

static struct mrnic_port *
mrnic_vdev_port(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth;

	eth = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (eth == NULL || eth->data->dev_private == NULL ||
			(eth->dev_ops != &mrnic_ops &&
			 eth->dev_ops != &mrnic_secondary_ops))
		return NULL;
	return eth->data->dev_private;
}

/*
 * The device's table is the primary's to change. A secondary asking for a
 * mapping the device has already (the primary's dma_map of the same range
 * and IOVA) is told so; anything else is refused, nothing changed.
 */
static int
mrnic_dma_secondary(struct mrnic_port *port, bool map, uintptr_t va,
	uint64_t iova, size_t len)
{
	rte_iova_t got;

	if (map && port->mrt->mode != MRNIC_MR_OFF &&
			mrnic_mr_dma_mapped(port->mrt, va, len)) {
		struct mrnic_mr_ctrl c;
		uint32_t key;

		mrnic_mr_ctrl_init(&c, port->mrt);
		if (mrnic_mr_xlate(&c, va, len, &got, &key) == 0 &&
				got == iova)
			return 0;
	}
	MRNIC_LOG(ERR, "%s: %s %#" PRIxPTR " len %zu refused in a secondary "
		"process (the primary maps memory for the device)", port->name,
		map ? "dma_map" : "dma_unmap", va, len);
	rte_errno = E_RTE_SECONDARY;
	return -1;
}

static int
mrnic_dma_map(struct rte_vdev_device *vdev, void *addr, uint64_t iova,
	size_t len)
{
	struct mrnic_port *port = mrnic_vdev_port(vdev);

	if (port != NULL && rte_eal_process_type() != RTE_PROC_PRIMARY)
		return mrnic_dma_secondary(port, true, (uintptr_t)addr, iova,
			len);
	if (port == NULL || port->closed) {
		MRNIC_LOG(ERR, "%s: dma_map on a closed device",
			rte_vdev_device_name(vdev));
		rte_errno = ENODEV;
		return -1;
	}
	return mrnic_mr_dma_map(port->mrt, (uintptr_t)addr, iova, len);
}

static int
mrnic_dma_unmap(struct rte_vdev_device *vdev, void *addr, uint64_t iova,
	size_t len)
{
	struct mrnic_port *port = mrnic_vdev_port(vdev);

	if (port != NULL && rte_eal_process_type() != RTE_PROC_PRIMARY)
		return mrnic_dma_secondary(port, false, (uintptr_t)addr, iova,
			len);
	/* a closed device has forgotten every mapping already */
	if (port == NULL || port->closed)
		return 0;
	return mrnic_mr_dma_unmap(port->mrt, (uintptr_t)addr, iova, len);
}

static struct rte_vdev_driver mrnic_vdev_drv = {
	.probe = mrnic_probe,
	.remove = mrnic_remove,
	.dma_map = mrnic_dma_map,
	.dma_unmap = mrnic_dma_unmap,
};

RTE_PMD_REGISTER_VDEV(net_mrnic, mrnic_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_mrnic, MRNIC_PARAMS);

/* What DPDK's pmdinfogen would generate at build time, read by the stock
 * dpdk-pmdinfo.py from .rodata.
 */
static const char mrnic_pmd_info[] __rte_used =
	"PMD_INFO_STRING= {\"name\": \"net_mrnic\", \"params\": \""
	MRNIC_PARAMS "\", \"pci_ids\": []}";
