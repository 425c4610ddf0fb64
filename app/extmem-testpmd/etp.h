/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef ETP_H
#define ETP_H

/*
 * dpdk-extmem-testpmd: a testpmd-compatible forwarding application whose
 * --mp-alloc modes are implemented through librte_extmem.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define ETP_MAX_BURST 512
#define ETP_DEF_BURST 32
#define ETP_DEF_CACHE 250
#define ETP_MAX_PERIODS 4096
#define ETP_MAX_LCORE_STREAMS 256

/** Where the mbuf pool comes from (--mp-alloc). */
enum etp_mp_alloc {
	ETP_MP_NATIVE,     /**< EAL memory, rte_pktmbuf_pool_create() */
	ETP_MP_ANON,       /**< pool header in EAL memory, objects in a region */
	ETP_MP_XMEM,       /**< whole pool on an external heap (fast backing) */
	ETP_MP_XMEM4K,     /**< whole pool on an external heap of 4K pages */
	ETP_MP_XMEMHUGE,   /**< whole pool on an external heap of hugepages */
	ETP_MP_XMEMSHARED, /**< whole pool on a memfd-backed external heap */
	ETP_MP_XBUF,       /**< pinned external data buffers in a region */
	ETP_MP_DEVBUF,     /**< payloads sliced from a device-memory region */
	ETP_MP_MAX
};

/** Forwarding engine (--forward-mode). */
enum etp_fwd_mode {
	ETP_FWD_IO,
	ETP_FWD_MAC,
	ETP_FWD_TXONLY,
	ETP_FWD_RXONLY,
	ETP_FWD_FLOWGEN,   /**< receive and drop, send generated flows */
	ETP_FWD_MAX
};

/** Backing asked for external memory modes (--xmem-backing). */
enum etp_backing_pref {
	ETP_BACKING_AUTO,      /**< hugetlb if free pages, else THP, else 4K */
	ETP_BACKING_4K,
	ETP_BACKING_THP,
	ETP_BACKING_HUGE2M,
	ETP_BACKING_HUGE1G,
};

/** Run-time configuration, from the command line. */
struct etp_config {
	enum etp_mp_alloc mp_alloc;
	enum etp_fwd_mode fwd_mode;
	enum etp_backing_pref backing;
	unsigned int nb_cores;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t nb_rxd;
	uint16_t nb_txd;
	uint16_t burst;
	uint16_t mbuf_data_size;  /**< data room, headroom included */
	uint16_t tx_pkt_len;      /**< txonly packet length */
	unsigned int mb_cache;
	uint32_t total_mbufs;     /**< 0: computed from the ports */
	double stats_period;      /**< seconds, 0: no periodic statistics */
	double duration;          /**< seconds, 0: until SIGINT/SIGTERM */
	int tx_first;             /**< -1: automatic */
	bool auto_start;
	bool json;
	const char *json_file;
	const char *mrnic_args;   /**< devargs of the net_mrnic pair created */
	bool quiet;
};

/** One forwarding stream: receive on (rx_port, rx_queue), send on (tx_...). */
struct etp_stream {
	uint16_t rx_port;
	uint16_t rx_queue;
	uint16_t tx_port;
	uint16_t tx_queue;
	struct rte_mempool *pool;
	struct rte_ether_addr tx_src; /**< mac: source address */
	struct rte_ether_addr tx_dst; /**< mac: destination address */
	/* Counters, written by the owning lcore only. */
	uint64_t rx_pkts;
	uint64_t tx_pkts;
	uint64_t fwd_dropped;
	uint64_t alloc_failed;
	size_t devbuf_off;            /**< devbuf: next payload offset */
	uint16_t flow;                /**< flowgen: next flow */
} __rte_cache_aligned;

/** Memory the pool lives in, for the report. */
struct etp_mem {
	struct rte_mempool *pool;
	const char *mode_name;
	const char *backing_name;
	size_t page_sz;
	int socket_id;
	void *priv;            /**< owner state of the mode (region, heap) */
	void (*release)(struct etp_mem *mem);
};

/** Per-port figures of a run. */
struct etp_port_stats {
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint64_t rx_missed;
	uint64_t rx_errors;
	uint64_t tx_errors;
	uint64_t rx_nombuf;
	uint64_t dma_fault;
	bool has_dma_fault;
};

extern struct etp_config etp_cfg;
extern volatile int etp_stop;   /**< set by signals and the run timer */

/* capture.c: serve dpdk-dumpcap and dpdk-pdump (no-ops without pdump) */
#ifdef ETP_PDUMP
void etp_capture_init(void);
void etp_capture_uninit(void);
#else
static inline void etp_capture_init(void) {}
static inline void etp_capture_uninit(void) {}
#endif

/* eal_args.c */
char **etp_eal_args(int *argc, char **argv);
/* Free what etp_eal_args(..., argv) returned, once EAL is cleaned up. */
void etp_eal_args_free(char **eal_argv, char **argv);

/* params.c */
int etp_parse_args(int argc, char **argv);
const char *etp_mp_alloc_name(enum etp_mp_alloc m);
const char *etp_fwd_mode_name(enum etp_fwd_mode m);

/* ports.c */
int etp_ports_probe(bool *created_mrnic);
uint16_t etp_nb_ports(void);
uint16_t etp_port_id(uint16_t idx);
const char *etp_port_name(uint16_t idx);
uint16_t etp_peer_idx(uint16_t idx);
int etp_ports_configure(struct rte_mempool *pool);
void etp_ports_stop_close(void);
int etp_port_stats_get(uint16_t port, struct etp_port_stats *st);
void etp_ports_drain(void);
uint32_t etp_mbufs_needed(void);

/* mempool.c */
int etp_mem_create(struct etp_mem *mem, uint32_t nb_mbufs, int socket_id);
void etp_mem_release(struct etp_mem *mem);
void etp_mem_report(const struct etp_mem *mem);
/** Name every region secondary processes cannot map, and why. */
void etp_mem_report_sharing(void);

/* fwd.c */
int etp_streams_setup(struct rte_mempool *pool);
void etp_streams_free(void);
unsigned int etp_nb_streams(void);
struct etp_stream *etp_stream_get(unsigned int i);
int etp_tx_first(void);
extern uint64_t etp_tx_first_pkts;
int etp_fwd_start(void);
void etp_fwd_wait(void);
unsigned int etp_fwd_nb_lcores(void);
/** Wait until every forwarding lcore is outside its burst functions (and
 * so outside every ethdev callback) at least once.
 */
void etp_fwd_grace_period(void);

/* stats.c */
void etp_stats_begin(void);
void etp_stats_period(void);
void etp_stats_end(void);
void etp_stats_summary(const struct etp_mem *mem, uint32_t nb_mbufs,
	unsigned int mbufs_avail_after);

#endif /* ETP_H */
