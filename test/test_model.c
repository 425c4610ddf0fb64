/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Model-based random-sequence test: from a seed, a bounded number of
 * public-API operations (regions of every backing, bad parameters
 * included; heaps, their growth and allocations; one-call pools freed
 * both ways; slicers and slices; a subscriber that sometimes refuses;
 * DMA map and unmap on two mrnic ports), each checked against the test's
 * own model, and the whole model compared after every operation (counts,
 * users, translation of sampled addresses, per-region allocations, DMA
 * state, events). Bounded by the number of operations, never by time.
 *
 * Each run takes EXTMEM_MODEL_SEEDS seeds (default 4): 1, 2, 3 and one
 * new each run, all printed. Reproduce one with EXTMEM_MODEL_SEED=<seed>
 * (and EXTMEM_MODEL_OPS=<n>, default 3000 operations per seed).
 */

#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_extmem_devmap.h>

#include "test.h"
#include "test_heap_util.h"
#include "test_region_util.h"
#include "test_dma_util.h"
#include "test_mrnic_util.h"
#include "test_model.h"

#define MODEL_OPS 3000
#define MODEL_SEEDS 4

static const char *const model_ports[M_PORTS] = {
	"net_mrnic_model0", "net_mrnic_model1",
};

static uint64_t
env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	char *end;
	uint64_t x;

	if (v == NULL || *v == '\0')
		return def;
	x = strtoull(v, &end, 0);
	return *end == '\0' ? x : def;
}

static int
model_run(uint64_t seed, unsigned int n_ops, struct rte_device *const *dev,
	const uint16_t *port)
{
	struct model *m;
	unsigned int i;
	int ret = TEST_SUCCESS;

	m = calloc(1, sizeof(*m));
	TEST_ASSERT_NOT_NULL(m, "no memory");
	m->seed = seed;
	m->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	m->hugetlb_ok = true;
	m->sub.refuse = -1;
	for (i = 0; i < M_PORTS; i++) {
		m->dev[i] = dev[i];
		m->port[i] = port[i];
	}
	m->regions0 = test_region_count();
	m->heaps0 = test_heap_count();
	for (m->op = 0; m->op < n_ops && ret == TEST_SUCCESS; m->op++) {
		ret = m_op(m);
		if (ret == TEST_SUCCESS)
			ret = m_check(m);
	}
	if (ret != TEST_SUCCESS) {
		printf("    FAIL: seed %" PRIu64 ", operation %u (%s); "
			"reproduce with EXTMEM_MODEL_SEED=%" PRIu64
			" EXTMEM_MODEL_OPS=%u\n", seed, m->op - 1, m->op_name,
			seed, m->op);
	} else {
		ret = m_teardown(m);
		if (ret != TEST_SUCCESS)
			printf("    FAIL: seed %" PRIu64 " at teardown\n", seed);
	}
	if (ret == TEST_SUCCESS)
		TEST_LOG("seed %" PRIu64 ": %u operations, %" PRIu64
			" succeeded, %" PRIu64 " failed as predicted, %" PRIu64
			" found nothing to act on", seed, n_ops, m->n_ok,
			m->n_refused, n_ops - m->n_ok - m->n_refused);
	for (i = 0; i < M_REGIONS; i++)
		free(m->r[i].iovas);
	free(m);
	return ret;
}

static int
test_model(void)
{
	struct rte_device *dev[M_PORTS];
	uint64_t seeds[MODEL_SEEDS + 1], one;
	unsigned int i, n_seeds, n_ops;
	uint16_t port[M_PORTS];
	int ret = TEST_SUCCESS;

	n_ops = (unsigned int)env_u64("EXTMEM_MODEL_OPS", MODEL_OPS);
	one = env_u64("EXTMEM_MODEL_SEED", 0);
	if (one != 0) {
		seeds[0] = one;
		n_seeds = 1;
	} else {
		n_seeds = (unsigned int)RTE_MIN(env_u64("EXTMEM_MODEL_SEEDS",
			MODEL_SEEDS), (uint64_t)RTE_DIM(seeds));
		for (i = 0; i < n_seeds; i++)
			seeds[i] = i + 1;
		if (n_seeds == MODEL_SEEDS)	/* and one new each run */
			seeds[n_seeds - 1] = (uint64_t)time(NULL) % 1000000007 +
				1000;
	}
	for (i = 0; i < M_PORTS; i++) {
		dev[i] = test_vdev_probe(model_ports[i], "peer=self");
		TEST_ASSERT_NOT_NULL(dev[i], "probe %s", model_ports[i]);
		TEST_RUN(mrnic_t_port(model_ports[i], &port[i]));
	}
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "ports still probing");
	for (i = 0; i < n_seeds && ret == TEST_SUCCESS; i++) {
		TEST_LOG("seed %" PRIu64 " (EXTMEM_MODEL_SEED=%" PRIu64
			"), %u operations", seeds[i], seeds[i], n_ops);
		ret = model_run(seeds[i], n_ops, dev, port);
	}
	for (i = 0; i < M_PORTS; i++)
		TEST_ASSERT_EQ(rte_dev_remove(dev[i]), 0, "remove %s",
			model_ports[i]);
	return ret;
}

REGISTER_EXTMEM_TEST(model_random, test_model, 0);
