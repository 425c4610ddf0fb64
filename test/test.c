/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * dpdk-extmem-test main: registry, selection and the result summary.
 *
 * usage: dpdk-extmem-test --list
 *        dpdk-extmem-test [EAL options] [--] [test name ...]
 *        DPDK_TEST=name dpdk-extmem-test [EAL options]
 * Without a name every registered test runs (the suite).
 * Exit status: 0 all run tests passed (or were skipped with at least one
 * pass), 77 every selected test was skipped, 1 a test failed.
 */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "test.h"

static TAILQ_HEAD(, extmem_test) extmem_tests =
	TAILQ_HEAD_INITIALIZER(extmem_tests);

int extmem_test_argc;
char **extmem_test_argv;
const char *extmem_test_file_prefix = "";

void
extmem_test_register(struct extmem_test *t)
{
	struct extmem_test *it;

	/* keep the list sorted by name so --list is stable */
	TAILQ_FOREACH(it, &extmem_tests, next) {
		if (strcmp(t->name, it->name) < 0) {
			TAILQ_INSERT_BEFORE(it, t, next);
			return;
		}
	}
	TAILQ_INSERT_TAIL(&extmem_tests, t, next);
}

static struct extmem_test *
test_find(const char *name)
{
	struct extmem_test *t;

	TAILQ_FOREACH(t, &extmem_tests, next)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* Free hugepages of any size, summed over the kernel's pools. */
static unsigned long
free_hugepages(void)
{
	const char *base = "/sys/kernel/mm/hugepages";
	unsigned long total = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(base);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[512];
		unsigned long n;
		FILE *f;

		if (strncmp(de->d_name, "hugepages-", 10) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", base,
			de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%lu", &n) == 1)
			total += n;
		fclose(f);
	}
	closedir(d);
	return total;
}

static bool
args_have(int argc, char **argv, const char *opt)
{
	size_t len = strlen(opt);
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], opt, len) == 0)
			return true;
	}
	return false;
}

static const char *
args_value(int argc, char **argv, const char *opt)
{
	size_t len = strlen(opt);
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], opt, len) == 0 && argv[i][len] == '=')
			return argv[i] + len + 1;
		if (strcmp(argv[i], opt) == 0 && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

static int
run_one(struct extmem_test *t, bool nohuge)
{
	int ret;

	printf("RUN  %s\n", t->name);
	fflush(stdout);
	if (nohuge && (t->flags & EXTMEM_TEST_F_NEEDS_HUGE)) {
		printf("    SKIP: %s needs hugepages and EAL runs --no-huge\n",
			t->name);
		ret = TEST_SKIPPED;
	} else {
		ret = t->fn();
	}
	printf("%s %s\n", ret == TEST_SUCCESS ? "OK  " :
		ret == TEST_SKIPPED ? "SKIP" : "FAIL", t->name);
	fflush(stdout);
	return ret;
}

int
main(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0, skipped = 0;
	struct extmem_test *t;
	bool nohuge;
	int i, n;

	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		TAILQ_FOREACH(t, &extmem_tests, next)
			printf("%s\n", t->name);
		return 0;
	}

	extmem_test_argc = argc;
	extmem_test_argv = argv;
	extmem_test_file_prefix = args_value(argc, argv, "--file-prefix");
	if (extmem_test_file_prefix == NULL)
		extmem_test_file_prefix = "";
	nohuge = args_have(argc, argv, "--no-huge");

	if (!nohuge && free_hugepages() == 0) {
		printf("SKIP: hugepage mode requested but no free hugepages are "
			"reserved (see devtools/setup.sh)\n");
		return TEST_SKIPPED;
	}

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		printf("FAIL: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	if (argc > 1 && strcmp(argv[1], "--") == 0) {
		argc--;
		argv++;
	}

	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			t = test_find(argv[i]);
			if (t == NULL) {
				printf("FAIL: unknown test '%s' (--list shows "
					"them)\n", argv[i]);
				failed++;
				continue;
			}
			switch (run_one(t, nohuge)) {
			case TEST_SUCCESS: passed++; break;
			case TEST_SKIPPED: skipped++; break;
			default: failed++; break;
			}
		}
	} else if (getenv("DPDK_TEST") != NULL && *getenv("DPDK_TEST")) {
		t = test_find(getenv("DPDK_TEST"));
		if (t == NULL) {
			printf("FAIL: unknown test '%s'\n", getenv("DPDK_TEST"));
			failed++;
		} else {
			switch (run_one(t, nohuge)) {
			case TEST_SUCCESS: passed++; break;
			case TEST_SKIPPED: skipped++; break;
			default: failed++; break;
			}
		}
	} else {
		TAILQ_FOREACH(t, &extmem_tests, next) {
			switch (run_one(t, nohuge)) {
			case TEST_SUCCESS: passed++; break;
			case TEST_SKIPPED: skipped++; break;
			default: failed++; break;
			}
		}
	}

	rte_eal_cleanup();
	printf("%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	if (failed > 0)
		return 1;
	if (passed == 0 && skipped > 0)
		return TEST_SKIPPED;
	return 0;
}
