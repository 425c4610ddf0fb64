/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_PERF_H
#define EXTMEM_PERF_H

/*
 * dpdk-test-extmem-perf: micro-benchmarks, one file each, registered by
 * name with REGISTER_PERF_BENCH(). A benchmark measures and adds named
 * results (perf_result_*); the tool prints all of them at the end, as one
 * JSON object with --json. Timing lives here only: tests never assert it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <rte_common.h>

/** Options common to all benchmarks, and the ones a benchmark defines. */
struct perf_opts {
	bool json;		/**< --json: one JSON object on stdout */
	size_t mem_bytes;	/**< --mem-mb N: memory a benchmark works on */
	uint64_t lookups;	/**< --lookups N: size of address arrays */
	double min_time;	/**< --min-time S: minimum seconds per measure */
	double max_time;	/**< --max-time S: stop a slow measure after it */
	unsigned int repeat;	/**< --repeat N: best of N for one-shot costs */
	/** Other --key=value / --key value pairs, for perf_opt_*(). */
	unsigned int n_kv;
	const char *kv[32][2];
};

/** Value of a benchmark-specific option, or def when not given (a given
 * value was checked against its perf_opt_def before the run).
 */
const char *perf_opt_str(const struct perf_opts *o, const char *key,
	const char *def);
uint64_t perf_opt_u64(const struct perf_opts *o, const char *key,
	uint64_t def);

/** Results of a run (opaque); keys are unique, printed in insert order. */
struct perf_result;
void perf_result_u64(struct perf_result *res, const char *key, uint64_t v);
void perf_result_f64(struct perf_result *res, const char *key, double v);
void perf_result_str(struct perf_result *res, const char *key,
	const char *v);
void perf_result_bool(struct perf_result *res, const char *key, bool v);

/**
 * A benchmark: returns 0, or -1 after printing why to stderr (the tool
 * then exits non-zero). Results it added are printed either way.
 */
typedef int (*perf_bench_fn)(const struct perf_opts *opts,
	struct perf_result *res);

/**
 * An option of a benchmark (--name=value): an unsigned integer in
 * [min, max]. The tool refuses, before EAL starts, an option that no
 * benchmark of the run declares and a value that is not a number in range.
 */
struct perf_opt_def {
	const char *name;
	uint64_t min;
	uint64_t max;
};

struct perf_bench {
	TAILQ_ENTRY(perf_bench) next;
	const char *name;
	const char *help;
	perf_bench_fn fn;
	const struct perf_opt_def *opts;	/**< NULL-name terminated, or NULL */
};

void perf_bench_register(struct perf_bench *b);

#define REGISTER_PERF_BENCH(bname, bfn, bhelp) \
	REGISTER_PERF_BENCH_OPTS(bname, bfn, bhelp, NULL)

/** A benchmark with its own options (an array ending with a NULL name). */
#define REGISTER_PERF_BENCH_OPTS(bname, bfn, bhelp, bopts) \
	static struct perf_bench perf_bench_##bfn = { \
		.name = RTE_STR(bname), \
		.help = bhelp, \
		.fn = bfn, \
		.opts = bopts, \
	}; \
	RTE_INIT(perf_bench_init_##bfn) \
	{ \
		perf_bench_register(&perf_bench_##bfn); \
	}

/** The --file-prefix EAL runs with (NULL: --in-memory); for benchmarks
 * that start secondary processes.
 */
extern const char *perf_eal_file_prefix;

/** bench_mp.c: the tool run as a secondary (argv[1] "--mp-secondary"). */
int perf_mp_secondary(int argc, char **argv);

/* perf_util.c: helpers the benchmarks share. */

/**
 * Parse an unsigned decimal or 0x number in [min, max] (no sign, no
 * trailing characters, no overflow). Returns 0, or -1 after logging why.
 */
int perf_parse_u64(const char *key, const char *val, uint64_t min,
	uint64_t max, uint64_t *out);

/** Monotonic time in nanoseconds. */
uint64_t perf_now_ns(void);

/** Milliseconds between two perf_now_ns() values. */
static inline double
perf_ms(uint64_t t0, uint64_t t1)
{
	return (double)(t1 - t0) / 1e6;
}

/** Median of n values (v is sorted in place). */
double perf_median(double *v, unsigned int n);

/** Next value of a xorshift64 sequence in *x (not zero): random
 * addresses and offsets, the same for every method measured.
 */
static inline uint64_t
perf_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

struct rte_extmem_region_params;

/** Parameters of a region of the application's memory [addr, +len). */
void perf_user_params(struct rte_extmem_region_params *p, const char *name,
	void *addr, size_t len);

/** Messages go to stderr, so that stdout holds only the results. */
#define PERF_LOG(fmt, ...) \
	fprintf(stderr, "perf: " fmt "\n", ##__VA_ARGS__)

#endif /* EXTMEM_PERF_H */
