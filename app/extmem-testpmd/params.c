/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>

#include "etp.h"

struct etp_config etp_cfg = {
	.mp_alloc = ETP_MP_NATIVE,
	.fwd_mode = ETP_FWD_IO,
	.backing = ETP_BACKING_AUTO,
	.nb_cores = 1,
	.nb_rxq = 1,
	.nb_txq = 1,
	.burst = ETP_DEF_BURST,
	.mbuf_data_size = RTE_MBUF_DEFAULT_BUF_SIZE,
	.tx_pkt_len = 64,
	.mb_cache = ETP_DEF_CACHE,
	.tx_first = -1,
};

static const char * const mp_alloc_names[ETP_MP_MAX] = {
	[ETP_MP_NATIVE] = "native",
	[ETP_MP_ANON] = "anon",
	[ETP_MP_XMEM] = "xmem",
	[ETP_MP_XMEM4K] = "xmem4k",
	[ETP_MP_XMEMHUGE] = "xmemhuge",
	[ETP_MP_XMEMSHARED] = "xmemshared",
	[ETP_MP_XBUF] = "xbuf",
	[ETP_MP_DEVBUF] = "devbuf",
};

static const char * const fwd_mode_names[ETP_FWD_MAX] = {
	[ETP_FWD_IO] = "io",
	[ETP_FWD_MAC] = "mac",
	[ETP_FWD_TXONLY] = "txonly",
	[ETP_FWD_RXONLY] = "rxonly",
	[ETP_FWD_FLOWGEN] = "flowgen",
};

const char *
etp_mp_alloc_name(enum etp_mp_alloc m)
{
	return m < ETP_MP_MAX ? mp_alloc_names[m] : "?";
}

const char *
etp_fwd_mode_name(enum etp_fwd_mode m)
{
	return m < ETP_FWD_MAX ? fwd_mode_names[m] : "?";
}

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [options]\n"
"\n"
"Forwards packets between ethdev ports (EAL --vdev or -a); with no port it\n"
"creates a pair of net_mrnic ports. No hugepages are needed.\n"
"\n"
"  --mp-alloc MODE        mbuf pool memory (default native):\n"
"      native      EAL memory (rte_pktmbuf_pool_create)\n"
"      anon        pool in EAL memory, mbufs in an anonymous region\n"
"      xmem        pool on a named external heap; hugetlb or THP backing\n"
"                  when the system has it (see --xmem-backing)\n"
"      xmem4k      pool on an external heap of 4K pages\n"
"      xmemhuge    pool on an external heap of hugepages (hugetlb, else THP)\n"
"      xmemshared  pool on an external heap on a shareable memfd\n"
"      xbuf        pinned external data buffers in a region\n"
"      devbuf      txonly/flowgen payloads sliced from a device-memory\n"
"                  region, zero-copy\n"
"  --xmem-backing B       auto|4k|thp|2m|1g: backing of the external memory\n"
"  --forward-mode MODE    io|mac|txonly|rxonly|flowgen (default io);\n"
"                         flowgen receives and drops, and sends packets of\n"
"                         1024 UDP flows\n"
"  --nb-cores N           forwarding lcores (default 1)\n"
"  --rxq N, --txq N       queues per port (default 1)\n"
"  --rxd N, --txd N       descriptors per queue (default: driver's)\n"
"  --burst N              packets per burst (default %u, max %u)\n"
"  --total-num-mbufs N    mbufs in the pool (default: from the ports)\n"
"  --mbuf-size N          mbuf data room size (default %u)\n"
"  --mbcache N            mempool per-lcore cache size (default %u)\n"
"  --txpkts N             txonly packet length (default 64)\n"
"  --tx-first             send a burst on every stream before forwarding\n"
"                         (default: on for the net_mrnic pair it creates)\n"
"  --no-tx-first          never do so\n"
"  --stats-period SEC     print statistics every SEC seconds (0: never)\n"
"  -a, --auto-start       start forwarding at once (always done here: this\n"
"                         application has no interactive mode)\n"
"  --duration SEC         stop after SEC seconds; 0 (the default): on\n"
"                         SIGINT or SIGTERM only\n"
"  --json                 print one JSON object with the results at exit\n"
"  --json-file PATH       write that JSON object to PATH\n"
"  --mrnic-args ARGS      devargs of the net_mrnic ports created when no\n"
"                         port is given (e.g. mr=cache)\n"
"  --quiet                no port and memory report at start\n"
"  -h, --help             this help\n",
		prog, ETP_DEF_BURST, ETP_MAX_BURST, RTE_MBUF_DEFAULT_BUF_SIZE,
		ETP_DEF_CACHE);
}

static int
parse_uint(const char *opt, const char *s, unsigned long min,
	unsigned long max, unsigned long *val)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' ||
			v < min || v > max) {
		fprintf(stderr, "invalid --%s %s: expected %lu..%lu\n",
			opt, s, min, max);
		return -1;
	}
	*val = v;
	return 0;
}

static int
parse_seconds(const char *opt, const char *s, double *val)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > 1e7) {
		fprintf(stderr, "invalid --%s %s: expected seconds >= 0 "
			"(0: no limit)\n", opt, s);
		return -1;
	}
	*val = v;
	return 0;
}

static int
parse_name(const char *opt, const char *s, const char * const *names,
	int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(s, names[i]) == 0)
			return i;
	fprintf(stderr, "invalid --%s %s: expected one of", opt, s);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %s", names[i]);
	fprintf(stderr, "\n");
	return -1;
}

enum {
	OPT_MP_ALLOC = 256,
	OPT_XMEM_BACKING,
	OPT_FWD_MODE,
	OPT_NB_CORES,
	OPT_RXQ,
	OPT_TXQ,
	OPT_RXD,
	OPT_TXD,
	OPT_BURST,
	OPT_TOTAL_MBUFS,
	OPT_MBUF_SIZE,
	OPT_MBCACHE,
	OPT_TXPKTS,
	OPT_TX_FIRST,
	OPT_NO_TX_FIRST,
	OPT_STATS_PERIOD,
	OPT_DURATION,
	OPT_JSON,
	OPT_JSON_FILE,
	OPT_QUIET,
	OPT_MRNIC_ARGS,
};

static const struct option lgopts[] = {
	{ "mp-alloc", required_argument, NULL, OPT_MP_ALLOC },
	{ "xmem-backing", required_argument, NULL, OPT_XMEM_BACKING },
	{ "forward-mode", required_argument, NULL, OPT_FWD_MODE },
	{ "nb-cores", required_argument, NULL, OPT_NB_CORES },
	{ "rxq", required_argument, NULL, OPT_RXQ },
	{ "txq", required_argument, NULL, OPT_TXQ },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "total-num-mbufs", required_argument, NULL, OPT_TOTAL_MBUFS },
	{ "mbuf-size", required_argument, NULL, OPT_MBUF_SIZE },
	{ "mbcache", required_argument, NULL, OPT_MBCACHE },
	{ "txpkts", required_argument, NULL, OPT_TXPKTS },
	{ "tx-first", no_argument, NULL, OPT_TX_FIRST },
	{ "no-tx-first", no_argument, NULL, OPT_NO_TX_FIRST },
	{ "stats-period", required_argument, NULL, OPT_STATS_PERIOD },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "json-file", required_argument, NULL, OPT_JSON_FILE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "mrnic-args", required_argument, NULL, OPT_MRNIC_ARGS },
	{ "auto-start", no_argument, NULL, 'a' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char * const backing_names[] = {
	[ETP_BACKING_AUTO] = "auto",
	[ETP_BACKING_4K] = "4k",
	[ETP_BACKING_THP] = "thp",
	[ETP_BACKING_HUGE2M] = "2m",
	[ETP_BACKING_HUGE1G] = "1g",
};

/* Check the options against each other once all are known. */
static int
check_config(void)
{
	struct etp_config *c = &etp_cfg;
	unsigned int workers = rte_lcore_count() - 1;

	if (c->nb_cores > workers) {
		fprintf(stderr, "--nb-cores %u: only %u worker lcore(s) "
			"(give more with EAL -l)\n", c->nb_cores, workers);
		return -1;
	}
	if ((c->fwd_mode == ETP_FWD_IO || c->fwd_mode == ETP_FWD_MAC) &&
			c->nb_txq < c->nb_rxq) {
		fprintf(stderr, "--txq %u < --rxq %u: each receive queue "
			"forwards to the same queue of the peer port\n",
			c->nb_txq, c->nb_rxq);
		return -1;
	}
	if (c->tx_pkt_len > c->mbuf_data_size - RTE_PKTMBUF_HEADROOM) {
		fprintf(stderr, "--txpkts %u does not fit --mbuf-size %u\n",
			c->tx_pkt_len, c->mbuf_data_size);
		return -1;
	}
	if (c->mp_alloc == ETP_MP_DEVBUF && c->fwd_mode != ETP_FWD_TXONLY &&
			c->fwd_mode != ETP_FWD_FLOWGEN) {
		fprintf(stderr, "--mp-alloc devbuf sends device-memory "
			"payloads: it needs --forward-mode txonly or flowgen\n");
		return -1;
	}
	return 0;
}

int
etp_parse_args(int argc, char **argv)
{
	struct etp_config *c = &etp_cfg;
	unsigned long v;
	int opt, i;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "aih", lgopts, NULL)) != -1) {
		switch (opt) {
		case OPT_MP_ALLOC:
			i = parse_name("mp-alloc", optarg, mp_alloc_names,
				ETP_MP_MAX);
			if (i < 0)
				return -1;
			c->mp_alloc = i;
			break;
		case OPT_XMEM_BACKING:
			i = parse_name("xmem-backing", optarg, backing_names,
				RTE_DIM(backing_names));
			if (i < 0)
				return -1;
			c->backing = i;
			break;
		case OPT_FWD_MODE:
			i = parse_name("forward-mode", optarg, fwd_mode_names,
				ETP_FWD_MAX);
			if (i < 0)
				return -1;
			c->fwd_mode = i;
			break;
		case OPT_NB_CORES:
			if (parse_uint("nb-cores", optarg, 1, RTE_MAX_LCORE,
					&v) < 0)
				return -1;
			c->nb_cores = v;
			break;
		case OPT_RXQ:
			if (parse_uint("rxq", optarg, 1, 1024, &v) < 0)
				return -1;
			c->nb_rxq = v;
			break;
		case OPT_TXQ:
			if (parse_uint("txq", optarg, 1, 1024, &v) < 0)
				return -1;
			c->nb_txq = v;
			break;
		case OPT_RXD:
			if (parse_uint("rxd", optarg, 1, 16384, &v) < 0)
				return -1;
			c->nb_rxd = v;
			break;
		case OPT_TXD:
			if (parse_uint("txd", optarg, 1, 16384, &v) < 0)
				return -1;
			c->nb_txd = v;
			break;
		case OPT_BURST:
			if (parse_uint("burst", optarg, 1, ETP_MAX_BURST,
					&v) < 0)
				return -1;
			c->burst = v;
			break;
		case OPT_TOTAL_MBUFS:
			if (parse_uint("total-num-mbufs", optarg, 1024,
					UINT32_MAX / 2, &v) < 0)
				return -1;
			c->total_mbufs = v;
			break;
		case OPT_MBUF_SIZE:
			if (parse_uint("mbuf-size", optarg,
					RTE_PKTMBUF_HEADROOM + 64, UINT16_MAX,
					&v) < 0)
				return -1;
			c->mbuf_data_size = v;
			break;
		case OPT_MBCACHE:
			if (parse_uint("mbcache", optarg, 0,
					RTE_MEMPOOL_CACHE_MAX_SIZE, &v) < 0)
				return -1;
			c->mb_cache = v;
			break;
		case OPT_TXPKTS:
			if (parse_uint("txpkts", optarg, 64, 9600, &v) < 0)
				return -1;
			c->tx_pkt_len = v;
			break;
		case OPT_TX_FIRST:
			c->tx_first = 1;
			break;
		case OPT_NO_TX_FIRST:
			c->tx_first = 0;
			break;
		case OPT_STATS_PERIOD:
			if (parse_seconds("stats-period", optarg,
					&c->stats_period) < 0)
				return -1;
			break;
		case OPT_DURATION:
			if (parse_seconds("duration", optarg, &c->duration) < 0)
				return -1;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_JSON_FILE:
			c->json_file = optarg;
			break;
		case OPT_QUIET:
			c->quiet = true;
			break;
		case OPT_MRNIC_ARGS:
			c->mrnic_args = optarg;
			break;
		case 'a':
			c->auto_start = true;
			break;
		case 'i':
			fprintf(stderr, "interactive mode is not supported: "
				"forwarding starts at once and runs for "
				"--duration or until SIGINT\n");
			return -1;
		case 'h':
			usage(argv[0]);
			return 1;
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "unexpected argument: %s\n", argv[optind]);
		return -1;
	}
	return check_config();
}
