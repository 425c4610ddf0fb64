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

/**
 * Time n lookups of addrs (one method), adding the results to *sum;
 * returns the nanoseconds they took.
 */
typedef uint64_t (*perf_chunk_fn)(const void *ctx, const void *const *addrs,
	size_t n, uint64_t *sum);

/** Two methods compared chunk by chunk (perf_ab_measure()). */
struct perf_ab {
	double a_ns;	/**< median ns per lookup of method a */
	double b_ns;	/**< median ns per lookup of method b */
	double b_vs_a;	/**< median over chunks of b's time / a's */
	unsigned int chunks;	/**< chunk pairs measured */
};

/**
 * Compare methods a and b on the same addresses, interleaved at a fine
 * grain so that a machine busy with other jobs affects both alike: the
 * address array is cut into chunks of chunk lookups, each timed with a
 * then b, or b then a (alternating, so neither always finds the other's
 * data in the caches), over --rounds passes or until cap_ns; medians over
 * the chunks (a preempted chunk disturbs one pair only). Returns 0, or -1
 * with no memory.
 */
int perf_ab_measure(const void *ctx, perf_chunk_fn a, perf_chunk_fn b,
	const void *const *addrs, size_t n_addrs, size_t chunk,
	unsigned int rounds, uint64_t cap_ns, uint64_t *sum,
	struct perf_ab *out);

/** Keep the compiler from vectorising a lookup loop: a datapath
 * translates one buffer address at a time. The empty asm costs nothing.
 */
#define PERF_ONE_AT_A_TIME(a) __asm__ volatile("" : "+r"(a))

/**
 * Define two chunk functions of EXPR (an rte_iova_t of const void *a and
 * const CTX *c): name (independent lookups: what the CPU can overlap,
 * throughput) and name_dep (each address depends on the previous
 * result through an opaque zero: latency, a pointer chase).
 */
#define PERF_CHUNK_FNS(name, CTX, EXPR) \
static __rte_noinline uint64_t \
name(const void *ctx_, const void *const *addrs, size_t n, uint64_t *sum) \
{ \
	const CTX *c = ctx_; \
	uint64_t t0 = perf_now_ns(), s_ = 0; \
	size_t i_; \
	RTE_SET_USED(c); \
	for (i_ = 0; i_ < n; i_++) { \
		const void *a = addrs[i_]; \
		PERF_ONE_AT_A_TIME(a); \
		s_ += (EXPR); \
	} \
	*sum += s_; \
	return perf_now_ns() - t0; \
} \
static __rte_noinline uint64_t \
name##_dep(const void *ctx_, const void *const *addrs, size_t n, \
	uint64_t *sum) \
{ \
	const CTX *c = ctx_; \
	uint64_t t0 = perf_now_ns(), s_ = 0, prev_ = 0, zero_ = 0; \
	size_t i_; \
	RTE_SET_USED(c); \
	__asm__ volatile("" : "+r"(zero_)); \
	for (i_ = 0; i_ < n; i_++) { \
		const void *a = (const char *)addrs[i_] + (prev_ & zero_); \
		prev_ = (EXPR); \
		s_ += prev_; \
	} \
	*sum += s_; \
	return perf_now_ns() - t0; \
}

struct rte_extmem_region_params;

/** Parameters of a region of the application's memory [addr, +len). */
void perf_user_params(struct rte_extmem_region_params *p, const char *name,
	void *addr, size_t len);

/** Messages go to stderr, so that stdout holds only the results. */
#define PERF_LOG(fmt, ...) \
	fprintf(stderr, "perf: " fmt "\n", ##__VA_ARGS__)

#endif /* EXTMEM_PERF_H */
