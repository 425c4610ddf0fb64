/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Which process runs a Tx queue's bursts, and whether it is still there.
 *
 * Every process that probes an mrnic port holds a shared flock() on a file
 * of its own in EAL's runtime directory, named by a token (its pid and the
 * TSC when it made the file), until it dies: the kernel drops the lock
 * with the process, however it ends, and in whatever PID namespace it runs
 * (the processes of a DPDK application share the runtime directory, not
 * necessarily PIDs). A Tx queue records the token of the process running
 * its bursts; a wait for a queue left inside a section asks whether the
 * token's lock is still held. A process that exits removes its file; the
 * first waiter that finds a dead process's file removes it, and so does
 * the first probe of every process for the files of processes gone.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>

#include "mrnic.h"

uint64_t mrnic_proc_token;
static int mrnic_proc_fd = -1;

static int
mrnic_proc_path(char *buf, size_t len, const char *kind, uint64_t token)
{
	int n = snprintf(buf, len, "%s/mrnic_%s_%016" PRIx64,
		rte_eal_get_runtime_dir(), kind, token);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Remove the files of processes gone (killed ones leave theirs). */
static void
mrnic_proc_sweep(void)
{
	const char *dir = rte_eal_get_runtime_dir();
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		uint64_t token;
		char *end;

		if (strncmp(de->d_name, "mrnic_proc_", 11) != 0)
			continue;
		errno = 0;
		token = strtoull(de->d_name + 11, &end, 16);
		if (errno == 0 && *end == '\0' && mrnic_proc_gone(token))
			MRNIC_LOG(DEBUG, "removed the liveness file of a "
				"process gone (%s)", de->d_name);
	}
	closedir(d);
}

void
mrnic_proc_init(void)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	uint64_t token;
	int fd;

	if (mrnic_proc_token != 0)
		return;
	token = ((uint64_t)getpid() << 32) ^ (rte_rdtsc() & UINT32_MAX);
	if (token == 0)
		token = 1;
	if (mrnic_proc_path(tmp, sizeof(tmp), "tmp", token) != 0 ||
			mrnic_proc_path(path, sizeof(path), "proc", token) != 0)
		goto fail;
	/* locked before it has its name: a file of that name is never
	 * found unlocked while its process lives
	 */
	fd = open(tmp, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	if (flock(fd, LOCK_SH) != 0 || rename(tmp, path) != 0) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	mrnic_proc_fd = fd;
	mrnic_proc_token = token;
	mrnic_proc_sweep();
	return;
fail:
	/* queues of this process then cannot be told dead: a wait for one
	 * left inside a section by a killed process would not end (a
	 * process without shared runtime files has no secondaries anyway)
	 */
	MRNIC_LOG(INFO, "no liveness file in %s (%s): a process killed "
		"inside a Tx burst of this one will not be noticed",
		rte_eal_get_runtime_dir(), strerror(errno));
}

bool
mrnic_proc_gone(uint64_t token)
{
	char path[PATH_MAX];
	int fd;

	if (token == 0 || token == mrnic_proc_token ||
			mrnic_proc_path(path, sizeof(path), "proc", token) != 0)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		/* removed by a waiter that found the process dead */
		return errno == ENOENT;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return false;	/* held: the process lives */
	}
	unlink(path);
	close(fd);
	return true;
}

RTE_FINI(mrnic_proc_fini)
{
	char path[PATH_MAX];

	if (mrnic_proc_fd < 0)
		return;
	if (mrnic_proc_path(path, sizeof(path), "proc", mrnic_proc_token) == 0)
		unlink(path);
	close(mrnic_proc_fd);
	mrnic_proc_fd = -1;
}
