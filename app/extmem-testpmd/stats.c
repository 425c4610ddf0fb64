/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Periodic statistics, the final summary and the JSON result. */

#include <inttypes.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_version.h>

#include "etp.h"
#include "etp_mem.h"

static struct etp_port_stats prev[RTE_MAX_ETHPORTS];
static struct etp_port_stats last[RTE_MAX_ETHPORTS];
static uint64_t prev_fwd_drop[RTE_MAX_ETHPORTS];
static uint64_t tsc_start, tsc_prev, tsc_end;
static double period_rx_pps[ETP_MAX_PERIODS];
static double period_tx_pps[ETP_MAX_PERIODS];
static unsigned int nb_periods;

int etp_signal; /* the signal that stopped the run, 0 if none */

static double
elapsed(uint64_t from, uint64_t to)
{
	return (double)(to - from) / (double)rte_get_tsc_hz();
}

/* Forwarding drops (tx failures) of the streams sending on a port. */
static uint64_t
fwd_dropped_on(uint16_t pid)
{
	unsigned int i;
	uint64_t n = 0;
	struct etp_stream *s;

	for (i = 0; (s = etp_stream_get(i)) != NULL; i++)
		if (s->tx_port == pid)
			n += __atomic_load_n(&s->fwd_dropped, __ATOMIC_RELAXED);
	return n;
}

static uint64_t
port_drops(const struct etp_port_stats *st)
{
	return st->rx_missed + st->rx_errors + st->rx_nombuf + st->tx_errors;
}

static void
snapshot(struct etp_port_stats *st)
{
	uint16_t i;

	for (i = 0; i < etp_nb_ports(); i++)
		etp_port_stats_get(etp_port_id(i), &st[i]);
}

void
etp_stats_begin(void)
{
	uint16_t i;

	snapshot(prev);
	for (i = 0; i < etp_nb_ports(); i++)
		prev_fwd_drop[i] = fwd_dropped_on(etp_port_id(i));
	tsc_start = rte_get_tsc_cycles();
	tsc_prev = tsc_start;
	tsc_end = 0;
	nb_periods = 0;
}

void
etp_stats_period(void)
{
	struct etp_port_stats cur[RTE_MAX_ETHPORTS];
	uint64_t now = rte_get_tsc_cycles();
	double dt = elapsed(tsc_prev, now);
	double trx = 0, ttx = 0, trxb = 0, ttxb = 0;
	uint64_t tdrop = 0, tfault = 0;
	bool any_fault = false;
	uint16_t i;

	if (dt <= 0)
		return;
	snapshot(cur);
	printf("---- %.1f s ----\n", elapsed(tsc_start, now));
	for (i = 0; i < etp_nb_ports(); i++) {
		uint16_t pid = etp_port_id(i);
		uint64_t fd = fwd_dropped_on(pid);
		double rx = (cur[i].rx_packets - prev[i].rx_packets) / dt;
		double tx = (cur[i].tx_packets - prev[i].tx_packets) / dt;
		double rxb = (cur[i].rx_bytes - prev[i].rx_bytes) * 8.0 / dt;
		double txb = (cur[i].tx_bytes - prev[i].tx_bytes) * 8.0 / dt;
		uint64_t drop = port_drops(&cur[i]) - port_drops(&prev[i]) +
			fd - prev_fwd_drop[i];

		printf("  port %u: rx %8.3f Mpps %7.3f Gbps | tx %8.3f Mpps "
			"%7.3f Gbps | drops %" PRIu64, pid, rx / 1e6,
			rxb / 1e9, tx / 1e6, txb / 1e9, drop);
		if (cur[i].has_dma_fault) {
			printf(" | dma_fault %" PRIu64, cur[i].dma_fault);
			tfault += cur[i].dma_fault;
			any_fault = true;
		}
		printf("\n");
		trx += rx;
		ttx += tx;
		trxb += rxb;
		ttxb += txb;
		tdrop += drop;
		prev_fwd_drop[i] = fd;
	}
	printf("  total : rx %8.3f Mpps %7.3f Gbps | tx %8.3f Mpps %7.3f Gbps"
		" | drops %" PRIu64, trx / 1e6, trxb / 1e9, ttx / 1e6,
		ttxb / 1e9, tdrop);
	if (any_fault)
		printf(" | dma_fault %" PRIu64, tfault);
	printf("\n");
	fflush(stdout);
	if (nb_periods < ETP_MAX_PERIODS) {
		period_rx_pps[nb_periods] = trx;
		period_tx_pps[nb_periods] = ttx;
		nb_periods++;
	}
	memcpy(prev, cur, sizeof(prev[0]) * etp_nb_ports());
	tsc_prev = now;
}

void
etp_stats_end(void)
{
	tsc_end = rte_get_tsc_cycles();
	snapshot(last);
}

/* Totals of a run, from the port counters at stop and the streams. */
struct totals {
	uint64_t rx, tx, rx_bytes, tx_bytes, missed, nombuf, rx_err, tx_err;
	uint64_t fault, fwd_rx, fwd_tx, fwd_drop, alloc_failed;
	bool has_fault;
};

static void
totals_get(struct totals *t)
{
	struct etp_stream *s;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < etp_nb_ports(); i++) {
		t->rx += last[i].rx_packets;
		t->tx += last[i].tx_packets;
		t->rx_bytes += last[i].rx_bytes;
		t->tx_bytes += last[i].tx_bytes;
		t->missed += last[i].rx_missed;
		t->nombuf += last[i].rx_nombuf;
		t->rx_err += last[i].rx_errors;
		t->tx_err += last[i].tx_errors;
		t->fault += last[i].dma_fault;
		t->has_fault |= last[i].has_dma_fault;
	}
	for (i = 0; (s = etp_stream_get(i)) != NULL; i++) {
		t->fwd_rx += s->rx_pkts;
		t->fwd_tx += s->tx_pkts;
		t->fwd_drop += s->fwd_dropped;
		t->alloc_failed += s->alloc_failed;
	}
}

static void
print_summary(const struct totals *t, double dt)
{
	uint16_t i;

	printf("\n==== forward statistics (%s, mp-alloc %s, %.2f s) ====\n",
		etp_fwd_mode_name(etp_cfg.fwd_mode),
		etp_mp_alloc_name(etp_cfg.mp_alloc), dt);
	for (i = 0; i < etp_nb_ports(); i++) {
		const struct etp_port_stats *p = &last[i];

		printf("  port %u: RX-packets %" PRIu64 " RX-missed %" PRIu64
			" RX-nombuf %" PRIu64 " TX-packets %" PRIu64
			" TX-errors %" PRIu64, etp_port_id(i), p->rx_packets,
			p->rx_missed, p->rx_nombuf, p->tx_packets,
			p->tx_errors);
		if (p->has_dma_fault)
			printf(" dma_fault %" PRIu64, p->dma_fault);
		printf("\n");
	}
	printf("  all ports: RX-packets %" PRIu64 " TX-packets %" PRIu64
		" forwarded %" PRIu64 " fwd-dropped %" PRIu64 " tx-first %"
		PRIu64 "\n", t->rx, t->tx, t->fwd_tx, t->fwd_drop,
		etp_tx_first_pkts);
	printf("  throughput: rx %.3f Mpps tx %.3f Mpps (%.3f / %.3f Gbps)\n",
		dt > 0 ? t->rx / dt / 1e6 : 0, dt > 0 ? t->tx / dt / 1e6 : 0,
		dt > 0 ? t->rx_bytes * 8.0 / dt / 1e9 : 0,
		dt > 0 ? t->tx_bytes * 8.0 / dt / 1e9 : 0);
	if (t->has_fault)
		printf("  dma faults: %" PRIu64 "\n", t->fault);
}

static void
json_periods(FILE *f, const char *key, const double *v)
{
	unsigned int i;

	fprintf(f, ", \"%s\": [", key);
	for (i = 0; i < nb_periods; i++)
		fprintf(f, "%s%.0f", i ? ", " : "", v[i]);
	fprintf(f, "]");
}

static void
json_write(FILE *f, const struct totals *t, double dt,
	const struct etp_mem *mem, uint32_t nb_mbufs, unsigned int avail)
{
	uint16_t i;

	fprintf(f, "{\"app\": \"dpdk-extmem-testpmd\", \"dpdk_version\": "
		"\"%s\", \"mp_alloc\": \"%s\", \"backing\": \"%s\", "
		"\"page_size\": %zu, \"forward_mode\": \"%s\", "
		"\"nb_cores\": %u, \"nb_ports\": %u, \"nb_rxq\": %u, "
		"\"nb_txq\": %u, \"burst\": %u, \"duration_s\": %.6f, ",
		rte_version(), mem->mode_name,
		mem->backing_name ? mem->backing_name : "",
		mem->page_sz, etp_fwd_mode_name(etp_cfg.fwd_mode),
		etp_fwd_nb_lcores(), etp_nb_ports(), etp_cfg.nb_rxq,
		etp_cfg.nb_txq, etp_cfg.burst, dt);
	fprintf(f, "\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
		", \"rx_bytes\": %" PRIu64 ", \"tx_bytes\": %" PRIu64
		", \"rx_pps\": %.1f, \"tx_pps\": %.1f, \"rx_gbps\": %.4f, "
		"\"tx_gbps\": %.4f, ", t->rx, t->tx, t->rx_bytes, t->tx_bytes,
		dt > 0 ? t->rx / dt : 0.0, dt > 0 ? t->tx / dt : 0.0,
		dt > 0 ? t->rx_bytes * 8.0 / dt / 1e9 : 0.0,
		dt > 0 ? t->tx_bytes * 8.0 / dt / 1e9 : 0.0);
	fprintf(f, "\"fwd_rx_packets\": %" PRIu64 ", \"fwd_tx_packets\": %"
		PRIu64 ", \"fwd_dropped\": %" PRIu64 ", \"alloc_failed\": %"
		PRIu64 ", \"rx_missed\": %" PRIu64 ", \"rx_nombuf\": %" PRIu64
		", \"rx_errors\": %" PRIu64 ", \"tx_errors\": %" PRIu64
		", \"dma_fault\": %" PRIu64 ", \"has_dma_fault\": %s, ",
		t->fwd_rx, t->fwd_tx, t->fwd_drop, t->alloc_failed, t->missed,
		t->nombuf, t->rx_err, t->tx_err, t->fault,
		t->has_fault ? "true" : "false");
	fprintf(f, "\"mbufs_total\": %u, \"mbufs_avail_after_stop\": %u, "
		"\"mbufs_in_use_after_stop\": %u, \"signal\": %d, "
		"\"tx_first_packets\": %" PRIu64, nb_mbufs, avail,
		nb_mbufs >= avail ? nb_mbufs - avail : 0, etp_signal,
		etp_tx_first_pkts);
	json_periods(f, "periods_rx_pps", period_rx_pps);
	json_periods(f, "periods_tx_pps", period_tx_pps);
	fprintf(f, ", \"ports\": [");
	for (i = 0; i < etp_nb_ports(); i++) {
		const struct etp_port_stats *p = &last[i];

		fprintf(f, "%s{\"port\": %u, \"name\": \"%s\", "
			"\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
			", \"rx_pps\": %.1f, \"tx_pps\": %.1f, \"rx_missed\": %"
			PRIu64 ", \"tx_errors\": %" PRIu64 ", \"dma_fault\": %"
			PRIu64 "}", i ? ", " : "", etp_port_id(i), etp_port_name(i),
			p->rx_packets, p->tx_packets,
			dt > 0 ? p->rx_packets / dt : 0.0,
			dt > 0 ? p->tx_packets / dt : 0.0, p->rx_missed,
			p->tx_errors, p->dma_fault);
	}
	fprintf(f, "]}\n");
}

void
etp_stats_summary(const struct etp_mem *mem, uint32_t nb_mbufs,
	unsigned int avail)
{
	struct totals t;
	double dt = tsc_end > tsc_start ? elapsed(tsc_start, tsc_end) : 0;
	FILE *f;

	totals_get(&t);
	print_summary(&t, dt);
	printf("  mbufs: %u in the pool, %u available after stop%s\n",
		nb_mbufs, avail, avail == nb_mbufs ? " (no leak)" : "");
	if (etp_cfg.json) {
		json_write(stdout, &t, dt, mem, nb_mbufs, avail);
		fflush(stdout);
	}
	if (etp_cfg.json_file != NULL) {
		f = fopen(etp_cfg.json_file, "w");
		if (f == NULL) {
			fprintf(stderr, "cannot write %s\n",
				etp_cfg.json_file);
			return;
		}
		json_write(f, &t, dt, mem, nb_mbufs, avail);
		fclose(f);
	}
}
