/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_MRNIC_MP_UTIL_H
#define TEST_MRNIC_MP_UTIL_H

/*
 * What the primary and the secondary of the net_mrnic multi-process tests
 * share: a port described as text (information, link, statistics, every
 * xstat by name, driver API answers), written the same way in both
 * processes so that the two descriptions compare byte for byte; and the
 * line protocol of the secondary (dpdk-extmem-test-secondary-mrnic).
 *
 * The secondary reads its commands from the environment variable
 * MRNIC_MP_CMDS, separated by ';', and writes lines on the descriptor
 * given as its first argument:
 *   report <port>                 "report <port>", the description,
 *                                 "endreport"
 *   control <port>                every control operation refused, the
 *                                 port unchanged: "control ok"
 *   tx <port> <q> <n> <len> <seed> <pool>
 *                                 n packets from pool, then the IOVAs its
 *                                 Tx queue gives 8 buffers of the pool
 *                                 ("xlate <va> <iova>"), "sent <n>"
 *   xlate <port> <q> <va> <stride> <n>
 *                                 what the Tx queue translates va + i *
 *                                 stride to ("xlate <va> <iova>"),
 *                                 "xlated <n>"
 *   txfault <port> <q>            one packet from process-local memory
 *                                 (a DMA fault), "sent 1"
 *   rx <port> <q> <n> <len> <seed>
 *                                 "ready", then n packets checked:
 *                                 "received <n> ok <k>"
 *   txloop <port> <q> <len> <pool>
 *                                 "ready" after a while, then transmits
 *                                 until killed
 *   txcrash <port> <q>            "crashing", then dies inside a Tx
 *                                 burst (mr=off: SIGSEGV)
 *   wait                          "waiting", then reads a line
 * and "end <0|1>" last (1: a command failed, "fail <why>" before).
 */

#include <stddef.h>
#include <stdint.h>

#define MRNIC_MP_DESC_SZ 16384

/** Describe a port into buf (NUL-terminated); 0, or -1 if a query failed. */
int mrnic_mp_describe(uint16_t port, char *buf, size_t len);

/**
 * Read the next line from fd into line (without its newline); waits up to
 * timeout_s seconds. 0, or -1 on EOF, error or timeout.
 */
int mrnic_mp_read_line(int fd, char *line, size_t len, int timeout_s);

#endif /* TEST_MRNIC_MP_UTIL_H */
