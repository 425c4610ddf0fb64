/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * A DPDK program that does not link librte_extmem (as the stock tools):
 * after rte_eal_init() it prints what a loaded plugin could have changed,
 * one "key value" per line, for check_plugin.py to compare with and
 * without -d librte_extmem_plugin.so:
 *   extmem_loaded  1 if librte_extmem is in the process
 *   threads        threads of the process
 *   fds            open file descriptors
 *   telemetry      telemetry commands (primary only: -1 in a secondary)
 *   extmem_cmds    of them, /extmem/ ones
 * Then, with "wait" as its last argument, it waits for its standard input
 * to close (a primary that secondaries attach to).
 */

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>

static int
count_dir(const char *path)
{
	struct dirent *e;
	DIR *d = opendir(path);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Ask the process's own telemetry socket for its command list. */
static void
telemetry_cmds(int *n, int *ext)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static char buf[65536];
	ssize_t got;
	char *p;
	int s;

	*n = -1;
	*ext = -1;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		rte_eal_get_runtime_dir());
	s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		goto out;
	if (read(s, buf, sizeof(buf) - 1) <= 0 || write(s, "/", 1) != 1)
		goto out;
	got = read(s, buf, sizeof(buf) - 1);
	if (got <= 0)
		goto out;
	buf[got] = '\0';
	*n = 0;
	*ext = 0;
	for (p = strchr(buf, '"'); p != NULL; p = strchr(p + 1, '"')) {
		char *end = strchr(p + 1, '"');

		if (end == NULL)
			break;
		if (p[1] == '/' && end - p > 2) {
			(*n)++;
			*ext += strncmp(p + 1, "/extmem/", 8) == 0;
		}
		p = end;
	}
out:
	if (s >= 0)
		close(s);
}

int
main(int argc, char **argv)
{
	bool wait = argc > 1 && strcmp(argv[argc - 1], "wait") == 0;
	int n, ext, ret;
	void *h;

	ret = rte_eal_init(wait ? argc - 1 : argc, argv);
	if (ret < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	h = dlopen("librte_extmem.so.0", RTLD_NOW | RTLD_NOLOAD);
	printf("extmem_loaded %d\n", h != NULL);
	if (h != NULL)
		dlclose(h);
	printf("threads %d\n", count_dir("/proc/self/task"));
	printf("fds %d\n", count_dir("/proc/self/fd") - 1); /* the DIR's */
	telemetry_cmds(&n, &ext);
	printf("telemetry %d\nextmem_cmds %d\n", n, ext);
	fflush(stdout);
	if (wait) {
		char c;

		while (read(0, &c, 1) > 0)
			;
	}
	rte_eal_cleanup();
	return 0;
}
