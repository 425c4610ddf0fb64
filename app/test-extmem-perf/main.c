/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * dpdk-test-extmem-perf [EAL options] -- <bench> [<bench> ...] [options]
 * dpdk-test-extmem-perf <bench> [...] [options]     (default EAL options)
 * dpdk-test-extmem-perf --list
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_memory.h>

#include "perf.h"

#define PERF_MAX_SELECTED 16

static TAILQ_HEAD(, perf_bench) benches = TAILQ_HEAD_INITIALIZER(benches);

void
perf_bench_register(struct perf_bench *b)
{
	struct perf_bench *it;

	TAILQ_FOREACH(it, &benches, next) {
		if (strcmp(b->name, it->name) < 0) {
			TAILQ_INSERT_BEFORE(it, b, next);
			return;
		}
	}
	TAILQ_INSERT_TAIL(&benches, b, next);
}

static struct perf_bench *
bench_find(const char *name)
{
	struct perf_bench *b;

	TAILQ_FOREACH(b, &benches, next)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

/* ---- results ---- */

enum res_type { RES_U64, RES_F64, RES_STR, RES_BOOL };

struct res_item {
	char key[64];
	enum res_type type;
	uint64_t u;
	double f;
	char s[128];
};

struct perf_result {
	unsigned int n;
	struct res_item item[4096];
};

static struct res_item *
res_add(struct perf_result *res, const char *key, enum res_type t)
{
	struct res_item *it = NULL;
	unsigned int i;

	for (i = 0; i < res->n; i++)
		if (strcmp(res->item[i].key, key) == 0)
			it = &res->item[i];
	if (it == NULL) {
		if (res->n == RTE_DIM(res->item)) {
			PERF_LOG("too many results, %s dropped", key);
			return NULL;
		}
		it = &res->item[res->n++];
	}
	memset(it, 0, sizeof(*it));
	snprintf(it->key, sizeof(it->key), "%s", key);
	it->type = t;
	return it;
}

void
perf_result_u64(struct perf_result *res, const char *key, uint64_t v)
{
	struct res_item *it = res_add(res, key, RES_U64);

	if (it != NULL)
		it->u = v;
}

void
perf_result_f64(struct perf_result *res, const char *key, double v)
{
	struct res_item *it = res_add(res, key, RES_F64);

	if (it != NULL)
		it->f = v;
}

void
perf_result_str(struct perf_result *res, const char *key, const char *v)
{
	struct res_item *it = res_add(res, key, RES_STR);

	if (it != NULL)
		snprintf(it->s, sizeof(it->s), "%s", v);
}

void
perf_result_bool(struct perf_result *res, const char *key, bool v)
{
	struct res_item *it = res_add(res, key, RES_BOOL);

	if (it != NULL)
		it->u = v;
}

static void
json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void
results_print(const struct perf_result *res, bool json)
{
	unsigned int i;

	if (json)
		printf("{");
	for (i = 0; i < res->n; i++) {
		const struct res_item *it = &res->item[i];

		if (json) {
			printf("%s\n  ", i == 0 ? "" : ",");
			json_string(it->key);
			printf(": ");
		} else {
			printf("%-40s ", it->key);
		}
		switch (it->type) {
		case RES_U64:
			printf("%" PRIu64, it->u);
			break;
		case RES_F64:
			printf("%.3f", it->f);
			break;
		case RES_BOOL:
			printf("%s", it->u ? "true" : "false");
			break;
		case RES_STR:
			if (json)
				json_string(it->s);
			else
				printf("%s", it->s);
			break;
		}
		if (!json)
			printf("\n");
	}
	if (json)
		printf("\n}\n");
	fflush(stdout);
}

/* ---- options ---- */

const char *
perf_opt_str(const struct perf_opts *o, const char *key, const char *def)
{
	unsigned int i;

	for (i = 0; i < o->n_kv; i++)
		if (strcmp(o->kv[i][0], key) == 0)
			return o->kv[i][1];
	return def;
}

uint64_t
perf_opt_u64(const struct perf_opts *o, const char *key, uint64_t def)
{
	const char *v = perf_opt_str(o, key, NULL);

	/* checked by check_bench_opts() before the run */
	return v == NULL ? def : strtoull(v, NULL, 0);
}

static void
usage(const char *prog)
{
	struct perf_bench *b;

	fprintf(stderr,
		"usage: %s [EAL options] -- <bench> [<bench> ...] [options]\n"
		"       %s <bench> [...] [options]   (default EAL options)\n"
		"       %s --list\n"
		"options: --json  --mem-mb N (1024, 2..1048576)\n"
		"         --lookups N (4194304, 1..2^28)\n"
		"         --min-time S (0.5)  --max-time S (3)  (0 < S <= 3600)\n"
		"         --repeat N (3, 1..1000)\n"
		"         --<key>=<value> for a benchmark's own options\n"
		"benchmarks:\n", prog, prog, prog);
	TAILQ_FOREACH(b, &benches, next) {
		const struct perf_opt_def *d;

		fprintf(stderr, "  %-12s %s\n", b->name, b->help);
		for (d = b->opts; d != NULL && d->name != NULL; d++)
			fprintf(stderr, "  %-12s   --%s N (%" PRIu64 "..%" PRIu64
				")\n", "", d->name, d->min, d->max);
	}
}

/* A time option in seconds: a finite number in (0, 3600]. */
static int
parse_seconds(const char *key, const char *val, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (errno != 0 || end == val || *end != '\0' || !(v > 0) ||
			v > 3600) {
		PERF_LOG("--%s: '%s' is not a number of seconds in (0, 3600]",
			key, val);
		return -1;
	}
	*out = v;
	return 0;
}

/* The definition of option key among the selected benchmarks' options. */
static const struct perf_opt_def *
opt_def_find(struct perf_bench **sel, unsigned int n_sel, const char *key)
{
	const struct perf_opt_def *d;
	unsigned int i;

	for (i = 0; i < n_sel; i++)
		for (d = sel[i]->opts; d != NULL && d->name != NULL; d++)
			if (strcmp(d->name, key) == 0)
				return d;
	return NULL;
}

/* Check every benchmark-specific option against its definition. */
static int
check_bench_opts(const struct perf_opts *o, struct perf_bench **sel,
	unsigned int n_sel)
{
	const struct perf_opt_def *d;
	unsigned int i;
	uint64_t v;

	for (i = 0; i < o->n_kv; i++) {
		d = opt_def_find(sel, n_sel, o->kv[i][0]);
		if (d == NULL) {
			PERF_LOG("option --%s is not an option of the benchmarks "
				"selected", o->kv[i][0]);
			return -1;
		}
		if (perf_parse_u64(d->name, o->kv[i][1], d->min, d->max,
				&v) != 0)
			return -1;
	}
	return 0;
}

/* Split the benchmark arguments into names and options, and check every
 * value: a bad one stops the tool before EAL starts.
 */
static int
parse_bench_args(int argc, char **argv, struct perf_opts *o,
	struct perf_bench **sel, unsigned int *n_sel)
{
	uint64_t v;
	int i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *eq, *val;
		char key[64];

		if (strncmp(a, "--", 2) != 0) {
			struct perf_bench *b = bench_find(a);

			if (b == NULL) {
				PERF_LOG("unknown benchmark '%s' (--list)", a);
				return -1;
			}
			if (*n_sel == PERF_MAX_SELECTED) {
				PERF_LOG("more than %d benchmarks named",
					PERF_MAX_SELECTED);
				return -1;
			}
			sel[(*n_sel)++] = b;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			o->json = true;
			continue;
		}
		eq = strchr(a, '=');
		if (eq != NULL) {
			snprintf(key, sizeof(key), "%.*s", (int)(eq - a - 2),
				a + 2);
			val = eq + 1;
		} else {
			if (i + 1 >= argc) {
				PERF_LOG("option %s needs a value", a);
				return -1;
			}
			snprintf(key, sizeof(key), "%s", a + 2);
			val = argv[++i];
		}
		if (strcmp(key, "mem-mb") == 0) {
			if (perf_parse_u64(key, val, 2, 1u << 20, &v) != 0)
				return -1;
			o->mem_bytes = (size_t)v << 20;
		} else if (strcmp(key, "lookups") == 0) {
			if (perf_parse_u64(key, val, 1, 1u << 28, &v) != 0)
				return -1;
			o->lookups = v;
		} else if (strcmp(key, "min-time") == 0) {
			if (parse_seconds(key, val, &o->min_time) != 0)
				return -1;
		} else if (strcmp(key, "max-time") == 0) {
			if (parse_seconds(key, val, &o->max_time) != 0)
				return -1;
		} else if (strcmp(key, "repeat") == 0) {
			if (perf_parse_u64(key, val, 1, 1000, &v) != 0)
				return -1;
			o->repeat = (unsigned int)v;
		} else if (o->n_kv < RTE_DIM(o->kv)) {
			o->kv[o->n_kv][0] = strdup(key);
			o->kv[o->n_kv][1] = val;
			if (o->kv[o->n_kv][0] == NULL)
				return -1;
			o->n_kv++;
		} else {
			PERF_LOG("too many options");
			return -1;
		}
	}
	if (o->max_time < o->min_time) {
		PERF_LOG("--max-time %g is below --min-time %g", o->max_time,
			o->min_time);
		return -1;
	}
	if (*n_sel == 0) {
		PERF_LOG("no benchmark named");
		return -1;
	}
	return check_bench_opts(o, sel, *n_sel);
}

/* The keys parse_bench_args() copied. */
static void
opts_free(struct perf_opts *o)
{
	unsigned int i;

	for (i = 0; i < o->n_kv; i++)
		free((void *)(uintptr_t)o->kv[i][0]);
	o->n_kv = 0;
}

static bool
has_arg(int argc, char **argv, const char *opt)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], opt, strlen(opt)) == 0)
			return true;
	return false;
}

const char *perf_eal_file_prefix;

int
main(int argc, char **argv)
{
	static const char * const defaults[] = {
		"--no-pci", "--no-telemetry", "--log-level=lib.eal:error",
	};
	struct perf_opts opts = {
		.mem_bytes = 1UL << 30,
		.lookups = 1UL << 22,
		.min_time = 0.5,
		.max_time = 3.0,
		.repeat = 3,
	};
	static struct perf_result res;
	struct perf_bench *sel[PERF_MAX_SELECTED];
	unsigned int n_sel = 0, i;
	char **eal_argv, prefix[64];
	int n_eal = 0, dd, eal_user, ret = 0;
	bool mp = false;

	if (argc > 1 && strcmp(argv[1], "--mp-secondary") == 0)
		return perf_mp_secondary(argc, argv);
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		struct perf_bench *b;

		TAILQ_FOREACH(b, &benches, next)
			printf("%s\n", b->name);
		return 0;
	}
	for (dd = 1; dd < argc && strcmp(argv[dd], "--") != 0; dd++)
		;
	/* without "--" everything is for the benchmarks */
	eal_user = dd < argc ? dd - 1 : 0;
	if (parse_bench_args(dd < argc ? argc - dd - 1 : argc - 1,
			dd < argc ? argv + dd + 1 : argv + 1, &opts, sel,
			&n_sel) != 0) {
		opts_free(&opts);
		usage(argv[0]);
		return 2;
	}

	eal_argv = calloc(argc + RTE_DIM(defaults) + 2, sizeof(*eal_argv));
	if (eal_argv == NULL) {
		opts_free(&opts);
		return 1;
	}
	eal_argv[n_eal++] = argv[0];
	for (i = 0; i < RTE_DIM(defaults); i++)
		eal_argv[n_eal++] = (char *)(uintptr_t)defaults[i];
	/* no clash with other DPDK processes unless the user names a
	 * prefix: in-memory, or (legacy --no-huge mode cannot be in-memory)
	 * a prefix of our own
	 */
	/* benchmarks with secondaries need a prefix (not in-memory) */
	for (i = 0; i < n_sel; i++)
		if (strcmp(sel[i]->name, "mp") == 0)
			mp = true;
	if (!has_arg(eal_user, argv + 1, "--file-prefix") &&
			!has_arg(eal_user, argv + 1, "--in-memory")) {
		if (mp || has_arg(eal_user, argv + 1, "--no-huge")) {
			snprintf(prefix, sizeof(prefix),
				"--file-prefix=extmem_perf_%d", (int)getpid());
			eal_argv[n_eal++] = prefix;
			perf_eal_file_prefix = prefix + strlen("--file-prefix=");
		} else {
			eal_argv[n_eal++] = (char *)(uintptr_t)"--in-memory";
		}
	}
	for (i = 0; i < (unsigned int)eal_user; i++) {
		eal_argv[n_eal++] = argv[1 + i];
		if (strncmp(argv[1 + i], "--file-prefix=", 14) == 0)
			perf_eal_file_prefix = argv[1 + i] + 14;
	}

	/* EAL and library messages to stderr: stdout is for results */
	rte_openlog_stream(stderr);
	if (rte_eal_init(n_eal, eal_argv) < 0) {
		PERF_LOG("rte_eal_init: %s", rte_strerror(rte_errno));
		free(eal_argv);
		opts_free(&opts);
		return 1;
	}

	perf_result_str(&res, "tool", "dpdk-test-extmem-perf");
	perf_result_str(&res, "iova_mode",
		rte_eal_iova_mode() == RTE_IOVA_PA ? "pa" : "va");
	perf_result_bool(&res, "hugepages", rte_eal_has_hugepages() != 0);
	perf_result_u64(&res, "mem_mb", opts.mem_bytes >> 20);
	for (i = 0; i < n_sel; i++) {
		PERF_LOG("running %s", sel[i]->name);
		if (sel[i]->fn(&opts, &res) != 0) {
			PERF_LOG("%s failed", sel[i]->name);
			ret = 1;
		}
	}
	results_print(&res, opts.json);
	rte_eal_cleanup();
	free(eal_argv);
	opts_free(&opts);
	return ret;
}
