/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * dpdk-extmem-testpmd: forwards packets between ethdev ports with the mbuf
 * pool on memory chosen by --mp-alloc, most modes through librte_extmem.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "etp.h"
#include "etp_mem.h"

volatile int etp_stop;
extern int etp_signal;

static void
on_signal(int sig)
{
	etp_signal = sig;
	__atomic_store_n(&etp_stop, 1, __ATOMIC_RELAXED);
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void
sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL); /* a signal ends it early */
}

/* Main lcore: statistics until --duration or a signal. */
static void
run_loop(void)
{
	uint64_t hz = rte_get_tsc_hz(), start = rte_get_tsc_cycles();
	uint64_t period = (uint64_t)(etp_cfg.stats_period * hz);
	uint64_t end = etp_cfg.duration > 0 ?
		start + (uint64_t)(etp_cfg.duration * hz) : UINT64_MAX;
	uint64_t next = period ? start + period : UINT64_MAX;
	uint64_t now, wake;

	while (!__atomic_load_n(&etp_stop, __ATOMIC_RELAXED)) {
		now = rte_get_tsc_cycles();
		if (now >= next) {
			etp_stats_period();
			next += period;
			if (next <= now)
				next = now + period;
		}
		if (now >= end)
			break;
		wake = RTE_MIN(RTE_MIN(next, end), now + hz / 10);
		sleep_s((double)(wake - now) / hz);
	}
}

static int
print_start(const struct etp_mem *mem, uint32_t nb_mbufs)
{
	uint16_t i;

	printf("dpdk-extmem-testpmd: %s forwarding, mp-alloc %s (%s), "
		"%u mbufs, %u forwarding core(s), %u streams, burst %u\n",
		etp_fwd_mode_name(etp_cfg.fwd_mode), mem->mode_name,
		mem->backing_name ? mem->backing_name : "?", nb_mbufs,
		etp_fwd_nb_lcores(), etp_nb_streams(), etp_cfg.burst);
	for (i = 0; i < etp_nb_ports(); i++) {
		printf("  port %u (%s) -> port %u\n", etp_port_id(i),
			etp_port_name(i),
			etp_port_id(etp_peer_idx(i)));
	}
	etp_mem_report(mem);
	return 0;
}

static int
pool_socket(void)
{
	int s = etp_nb_ports() > 0 ? rte_eth_dev_socket_id(etp_port_id(0)) :
		-1;

	return s >= 0 ? s : (int)rte_socket_id();
}

int
main(int argc, char **argv)
{
	char **eal_argv, **user_argv = argv;
	struct etp_mem mem;
	bool created_mrnic = false, fwd_started = false;
	unsigned int avail;
	uint32_t nb_mbufs;
	int ret, rc = EXIT_FAILURE;

	memset(&mem, 0, sizeof(mem));
	eal_argv = etp_eal_args(&argc, argv);
	ret = rte_eal_init(argc, eal_argv);
	if (ret < 0) {
		fprintf(stderr, "EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		etp_eal_args_free(eal_argv, user_argv);
		return EXIT_FAILURE;
	}
	argc -= ret;
	argv = eal_argv + ret;
	argv[0] = (char *)(uintptr_t)"dpdk-extmem-testpmd";
	ret = etp_parse_args(argc, argv);
	if (ret != 0) {
		rte_eal_cleanup();
		etp_eal_args_free(eal_argv, user_argv);
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	install_signals();
	etp_capture_init();

	if (etp_ports_probe(&created_mrnic) != 0)
		goto out;
	if (etp_cfg.tx_first < 0)
		etp_cfg.tx_first = created_mrnic &&
			etp_cfg.fwd_mode != ETP_FWD_TXONLY;
	nb_mbufs = etp_cfg.total_mbufs ? etp_cfg.total_mbufs :
		etp_mbufs_needed();
	if (etp_mem_create(&mem, nb_mbufs, pool_socket()) != 0)
		goto out;
	if (etp_ports_configure(mem.pool) != 0)
		goto out;
	if (etp_streams_setup(mem.pool) != 0)
		goto out;
	if (!etp_cfg.quiet)
		print_start(&mem, nb_mbufs);
	etp_mem_report_sharing();
	if (etp_cfg.tx_first && etp_tx_first() != 0)
		goto out;

	etp_stats_begin();
	if (etp_fwd_start() != 0)
		goto out;
	fwd_started = true;
	run_loop();
	etp_fwd_wait();
	etp_stats_end();
	if (etp_signal != 0)
		printf("\nsignal %d received, stopping\n", etp_signal);

	/* Packets still in the devices go back to the pool. */
	etp_ports_drain();
	etp_ports_stop_close();
	avail = rte_mempool_avail_count(mem.pool);
	if (etp_cfg.mp_alloc == ETP_MP_DEVBUF)
		etp_devbuf_report();
	etp_stats_summary(&mem, nb_mbufs, avail);
	rc = EXIT_SUCCESS;
out:
	if (!fwd_started)
		etp_fwd_wait();
	if (rc != EXIT_SUCCESS)
		etp_ports_stop_close();
	etp_streams_free();
	etp_mem_release(&mem);
	etp_capture_uninit();
	rte_eal_cleanup();
	etp_eal_args_free(eal_argv, user_argv);
	return rc;
}
