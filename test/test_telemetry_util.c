/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_telemetry_util.h"

int
test_tel_available(void)
{
	char sock[256];
	struct stat sb;

	if (access(TEST_TEL_CLIENT, R_OK) != 0) {
		printf("    skipped: %s is not installed\n", TEST_TEL_CLIENT);
		return TEST_SKIPPED;
	}
	if (extmem_test_file_prefix[0] == '\0') {
		printf("    skipped: the test runs without --file-prefix\n");
		return TEST_SKIPPED;
	}
	snprintf(sock, sizeof(sock), "%s/dpdk/%s/dpdk_telemetry.v2",
		getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR") ?
		getenv("XDG_RUNTIME_DIR") : "/tmp", extmem_test_file_prefix);
	if (stat(sock, &sb) != 0) {
		printf("    skipped: no telemetry socket %s (EAL telemetry "
			"disabled?)\n", sock);
		return TEST_SKIPPED;
	}
	return TEST_SUCCESS;
}

char *
test_tel_run(const char *cmds)
{
	char in[] = "/tmp/extmem_tel_in_XXXXXX";
	char out[] = "/tmp/extmem_tel_out_XXXXXX";
	char cmd[512], *buf = NULL;
	int fi, fo, st;
	size_t len;
	FILE *f;

	fi = mkstemp(in);
	fo = mkstemp(out);
	if (fi < 0 || fo < 0)
		goto out;
	if (write(fi, cmds, strlen(cmds)) != (ssize_t)strlen(cmds))
		goto out;
	snprintf(cmd, sizeof(cmd), "python3 %s -f %s < %s > %s 2>&1",
		TEST_TEL_CLIENT, extmem_test_file_prefix, in, out);
	st = system(cmd);
	if (st != 0)
		printf("    client exit status %d\n", st);
	f = fopen(out, "r");
	if (f == NULL)
		goto out;
	buf = calloc(1, 65536);
	if (buf != NULL) {
		len = fread(buf, 1, 65535, f);
		buf[len] = '\0';
	}
	fclose(f);
out:
	if (fi >= 0) {
		close(fi);
		unlink(in);
	}
	if (fo >= 0) {
		close(fo);
		unlink(out);
	}
	return buf;
}
