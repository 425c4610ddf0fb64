/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

#ifndef EXTMEM_TEST_H
#define EXTMEM_TEST_H

/**
 * @file
 * dpdk-extmem-test: an autotest-style harness.
 *
 * Each test registers itself by name with REGISTER_EXTMEM_TEST(). A test
 * function returns TEST_SUCCESS, TEST_FAILED or TEST_SKIPPED; a skip
 * always prints its reason through TEST_SKIP().
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>

#include <rte_common.h>

#define TEST_SUCCESS 0
#define TEST_FAILED -1
#define TEST_SKIPPED 77

/** The test runs without hugepages too (default: it runs in both modes). */
#define EXTMEM_TEST_F_NEEDS_HUGE (1u << 0)
/** The test starts or needs a second (secondary) process. */
#define EXTMEM_TEST_F_MULTIPROC (1u << 1)

typedef int (*extmem_test_fn_t)(void);

struct extmem_test {
	TAILQ_ENTRY(extmem_test) next;
	const char *name;
	extmem_test_fn_t fn;
	unsigned int flags;
};

void extmem_test_register(struct extmem_test *t);

#define REGISTER_EXTMEM_TEST(tname, tfn, tflags) \
	static struct extmem_test extmem_test_##tfn = { \
		.name = RTE_STR(tname), \
		.fn = tfn, \
		.flags = tflags, \
	}; \
	RTE_INIT(extmem_test_init_##tfn) \
	{ \
		extmem_test_register(&extmem_test_##tfn); \
	}

/**
 * Register test tname running fn(arg): one test per mode of a test
 * function taking the mode (int fn(<type of arg>)).
 */
#define REGISTER_EXTMEM_TEST_ARG(tname, fn, arg, tflags) \
	static int extmem_test_arg_##tname(void) \
	{ \
		return fn(arg); \
	} \
	REGISTER_EXTMEM_TEST(tname, extmem_test_arg_##tname, tflags)

/** Argument vector the harness was started with (for secondary processes). */
extern int extmem_test_argc;
extern char **extmem_test_argv;
/** The --file-prefix this process runs with ("" if none). */
extern const char *extmem_test_file_prefix;

#define TEST_LOG(fmt, ...) \
	printf("    %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

#define TEST_SKIP(fmt, ...) do { \
	printf("    SKIP (%s:%d): " fmt "\n", __FILE__, __LINE__, \
		##__VA_ARGS__); \
	return TEST_SKIPPED; \
} while (0)

#define TEST_ASSERT(cond, fmt, ...) do { \
	if (!(cond)) { \
		printf("    FAIL %s:%d: assertion '%s' failed: " fmt "\n", \
			__FILE__, __LINE__, #cond, ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

/* Integer comparisons print both sides as unsigned 64-bit hex and decimal. */
#define TEST_ASSERT_OP_(a, op, b, fmt, ...) do { \
	uint64_t va_ = (uint64_t)(a); \
	uint64_t vb_ = (uint64_t)(b); \
	if (!(va_ op vb_)) { \
		printf("    FAIL %s:%d: '%s %s %s' is false: " \
			"0x%" PRIx64 " (%" PRId64 ") vs 0x%" PRIx64 \
			" (%" PRId64 "): " fmt "\n", __FILE__, __LINE__, \
			#a, #op, #b, va_, (int64_t)va_, vb_, (int64_t)vb_, \
			##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

#define TEST_ASSERT_EQ(a, b, fmt, ...) TEST_ASSERT_OP_(a, ==, b, fmt, ##__VA_ARGS__)
#define TEST_ASSERT_NE(a, b, fmt, ...) TEST_ASSERT_OP_(a, !=, b, fmt, ##__VA_ARGS__)
#define TEST_ASSERT_LT(a, b, fmt, ...) TEST_ASSERT_OP_(a, <, b, fmt, ##__VA_ARGS__)
#define TEST_ASSERT_LE(a, b, fmt, ...) TEST_ASSERT_OP_(a, <=, b, fmt, ##__VA_ARGS__)
#define TEST_ASSERT_GT(a, b, fmt, ...) TEST_ASSERT_OP_(a, >, b, fmt, ##__VA_ARGS__)
#define TEST_ASSERT_GE(a, b, fmt, ...) TEST_ASSERT_OP_(a, >=, b, fmt, ##__VA_ARGS__)

#define TEST_ASSERT_NULL(p, fmt, ...) \
	TEST_ASSERT((p) == NULL, fmt, ##__VA_ARGS__)
#define TEST_ASSERT_NOT_NULL(p, fmt, ...) \
	TEST_ASSERT((p) != NULL, fmt, ##__VA_ARGS__)

/** Assert that an expression failed with the given rte_errno. */
#define TEST_ASSERT_ERRNO(expr_failed, err, fmt, ...) do { \
	int ok_ = (expr_failed); \
	int e_ = rte_errno; \
	if (!ok_ || e_ != (err)) { \
		printf("    FAIL %s:%d: expected failure with %s (%d), got %s " \
			"rte_errno %d (%s): " fmt "\n", __FILE__, __LINE__, \
			#err, (err), ok_ ? "failure with" : "success,", \
			e_, rte_strerror(e_), ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

#define TEST_ASSERT_MEM_EQ(a, b, len, fmt, ...) do { \
	size_t l_ = (len); \
	const uint8_t *pa_ = (const uint8_t *)(a); \
	const uint8_t *pb_ = (const uint8_t *)(b); \
	size_t i_; \
	for (i_ = 0; i_ < l_; i_++) \
		if (pa_[i_] != pb_[i_]) \
			break; \
	if (i_ != l_) { \
		printf("    FAIL %s:%d: %s and %s differ at byte %zu of %zu " \
			"(0x%02x vs 0x%02x): " fmt "\n", __FILE__, __LINE__, \
			#a, #b, i_, l_, pa_[i_], pb_[i_], ##__VA_ARGS__); \
		return TEST_FAILED; \
	} \
} while (0)

/** Run a sub-test function, propagate failure/skip. */
#define TEST_RUN(fn) do { \
	int r_ = (fn); \
	if (r_ != TEST_SUCCESS) \
		return r_; \
} while (0)

#endif /* EXTMEM_TEST_H */
