/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef TEST_TELEMETRY_UTIL_H
#define TEST_TELEMETRY_UTIL_H

/*
 * Telemetry queried the way an operator would: the stock
 * dpdk-telemetry.py client run as a subprocess against this process's
 * --file-prefix, commands on its standard input, one JSON reply per line
 * (as Python's json.dumps prints them).
 */

#include <string.h>

#include "test.h"

#define TEST_TEL_CLIENT "/usr/bin/dpdk-telemetry.py"

/** TEST_SUCCESS if the client and this process's socket are there, else
 * TEST_SKIPPED with the reason printed.
 */
int test_tel_available(void);

/** Output of the client for newline-separated commands (free() it), or
 * NULL.
 */
char *test_tel_run(const char *cmds);

/** Fail unless the client output contains s. */
#define TEST_TEL_EXPECT(out, s) TEST_ASSERT(strstr(out, s) != NULL, \
	"telemetry output lacks '%s'; output:\n%s", s, out)

#endif /* TEST_TELEMETRY_UTIL_H */
