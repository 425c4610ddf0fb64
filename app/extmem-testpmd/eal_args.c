/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * No hugepages needed by default: on a system without free hugepages (or
 * without a hugetlbfs mount), and when the user says nothing about EAL
 * memory, EAL is started with --no-huge. The external memory modes still
 * use whatever hugetlb or transparent hugepages the system offers.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etp.h"

#define ETP_NOHUGE_MEM "1024"

static bool
eal_hugepages_usable(void)
{
	const char *dir = "/sys/kernel/mm/hugepages";
	unsigned long free_pages = 0, v;
	char path[512], line[512];
	struct dirent *e;
	bool mounted = false;
	DIR *d;
	FILE *f;

	f = fopen("/proc/mounts", "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, " hugetlbfs ") != NULL)
				mounted = true;
		fclose(f);
	}
	d = opendir(dir);
	if (d == NULL)
		return false;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "hugepages-", 10) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", dir,
			e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%lu", &v) == 1)
			free_pages += v;
		fclose(f);
	}
	closedir(d);
	return mounted && free_pages > 0;
}

/* Did the user pass an EAL option about memory? */
static bool
eal_memory_given(int argc, char **argv)
{
	static const char * const opts[] = {
		"--no-huge", "-m", "--socket-mem", "--in-memory",
		"--legacy-mem", "--huge-dir", "--socket-limit",
	};
	unsigned int j;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		for (j = 0; j < RTE_DIM(opts); j++)
			if (strncmp(argv[i], opts[j], strlen(opts[j])) == 0)
				return true;
	return false;
}

char **
etp_eal_args(int *argc, char **argv)
{
	char **nargv;
	int i;

	if (eal_memory_given(*argc, argv) || eal_hugepages_usable())
		return argv;
	nargv = calloc(*argc + 4, sizeof(*nargv));
	if (nargv == NULL)
		return argv;
	nargv[0] = argv[0];
	nargv[1] = (char *)(uintptr_t)"--no-huge";
	nargv[2] = (char *)(uintptr_t)"-m";
	nargv[3] = (char *)(uintptr_t)ETP_NOHUGE_MEM;
	for (i = 1; i < *argc; i++)
		nargv[i + 3] = argv[i];
	*argc += 3;
	printf("no usable hugepages and no EAL memory option: running EAL "
		"with --no-huge -m " ETP_NOHUGE_MEM "\n");
	return nargv;
}

void
etp_eal_args_free(char **eal_argv, char **argv)
{
	/* the strings are the caller's, only the vector is ours */
	if (eal_argv != argv)
		free(eal_argv);
}
