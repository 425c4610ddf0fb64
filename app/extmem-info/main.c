/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * dpdk-extmem-info: the limits report of librte_extmem (what the next
 * registration of external memory can get), for a machine before
 * deployment or for a running application.
 *
 *   dpdk-extmem-info [EAL options] [-- --json]
 *       starts its own EAL (without EAL options: --in-memory --no-pci,
 *       so it disturbs no other process) and prints the report;
 *   dpdk-extmem-info --attach <file prefix>
 *       asks a running DPDK application linked with librte_extmem for
 *       its report (telemetry command /extmem/limits) and prints the
 *       JSON reply.
 * Exit status: 0, or 1 with the reason on stderr.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <rte_extmem_limits.h>

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] [-- --json]\n"
		"       %s --attach <file prefix of a running application>\n"
		"Prints what EAL, the kernel and the process limits leave for "
		"the next\nregistration of external memory (librte_extmem).\n",
		prog, prog);
}

static void
print_json(const struct rte_extmem_limits *l)
{
	unsigned int i;

	printf("{\"memseg_lists_max\": %u, \"memseg_lists_used\": %u, "
		"\"heaps_max\": %u, \"heaps_used\": %u, \"hugepages\": [",
		l->memseg_lists_max, l->memseg_lists_used, l->heaps_max,
		l->heaps_used);
	for (i = 0; i < l->n_hugepage_sizes; i++)
		printf("%s{\"page_sz\": %" PRIu64 ", \"total\": %" PRIu64
			", \"free\": %" PRIu64 "}", i == 0 ? "" : ", ",
			l->hugepages[i].page_sz, l->hugepages[i].total,
			l->hugepages[i].free);
	printf("], \"memlock_limit\": %" PRIu64 ", \"memlock_used\": %" PRIu64
		", \"memlock_unlimited_cap\": %s, \"pinned_by_regions\": %"
		PRIu64 ", \"registration_pins\": %s, \"iova_mode\": \"%s\", "
		"\"thp\": \"%s\", \"vfio\": %s, \"vfio_dma_entry_limit\": %"
		PRIu64 ", \"vfio_user_maps_max\": %u, \"dma_entries_needed\": %"
		PRIu64 ", \"dma_domains\": %u, \"dma_domain_tightest\": \"%s\", "
		"\"dma_domain_max_entries\": %u, \"dma_domain_entries_left\": "
		"%u}\n", l->memlock_limit, l->memlock_used,
		l->memlock_unlimited_cap ? "true" : "false",
		l->pinned_by_regions, l->registration_pins ? "true" : "false",
		l->iova_mode == RTE_IOVA_PA ? "PA" : "VA", l->thp,
		l->vfio ? "true" : "false", l->vfio_dma_entry_limit,
		l->vfio_user_maps_max, l->dma_entries_needed, l->dma_domains,
		l->dma_domain_tightest, l->dma_domain_max_entries,
		l->dma_domain_entries_left);
}

/* The telemetry socket of a running application (EAL's runtime dir). */
static int
attach(const char *prefix)
{
	static const char cmd[] = "/extmem/limits";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *run = getuid() == 0 ? "/var/run" :
		getenv("XDG_RUNTIME_DIR") != NULL ? getenv("XDG_RUNTIME_DIR") :
		"/tmp";
	char buf[16384];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path),
			"%s/dpdk/%s/dpdk_telemetry.v2", run, prefix) >=
			sizeof(sun.sun_path)) {
		fprintf(stderr, "file prefix %s is too long\n", prefix);
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		fprintf(stderr, "cannot connect to %s: %s (is an application "
			"running with --file-prefix=%s?)\n", sun.sun_path,
			strerror(errno), prefix);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	/* the first message describes the server; then the reply */
	if (read(fd, buf, sizeof(buf)) <= 0 ||
			write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd) ||
			(n = read(fd, buf, sizeof(buf) - 1)) <= 0) {
		fprintf(stderr, "telemetry exchange with %s failed\n",
			sun.sun_path);
		close(fd);
		return 1;
	}
	close(fd);
	buf[n] = '\0';
	if (strstr(buf, "\"/extmem/limits\": null") != NULL ||
			strstr(buf, "\"/extmem/limits\"") == NULL) {
		fprintf(stderr, "the application has no /extmem/limits (not "
			"linked with librte_extmem?): %s\n", buf);
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}

int
main(int argc, char **argv)
{
	char *def[] = { argv[0], "--in-memory", "--no-pci",
		"--log-level=lib.eal:error", "--", "--json", NULL };
	struct rte_extmem_limits l;
	bool json = false;
	int i, n;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
			strcmp(argv[1], "--help") == 0)) {
		usage(argv[0]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--attach") == 0)
		return attach(argv[2]);
	/* no EAL option: EAL's defaults for a tool that disturbs nothing */
	if (argc == 1 || strcmp(argv[1], "--json") == 0) {
		argc = argc == 1 ? 4 : 6;
		argv = def;
	}
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	for (i = n + 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else {
			usage(argv[0]);
			rte_eal_cleanup();
			return 1;
		}
	}
	if (rte_extmem_limits_get(&l) != 0) {
		fprintf(stderr, "limits: %s\n", rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	if (json)
		print_json(&l);
	else
		rte_extmem_limits_dump(stdout);
	rte_eal_cleanup();
	return 0;
}
