/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * Bad input to the DMA domain functions, table-driven: the public queries,
 * the driver-facing declarations and net_mrnic's domain devargs. Each case
 * asserts rte_errno (or the probe's failure) and that nothing changed: no
 * domain, no declaration, no port.
 */

#include <errno.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <rte_extmem_devmap.h>
#include <rte_extmem_devmap_driver.h>

#include "test.h"
#include "test_dma_util.h"

#define NAME_64 "a123456789b123456789c123456789d123456789" \
	"e123456789f123456789abcd"	/* one too long */

static int
walk_count(const char *name __rte_unused, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static unsigned int
n_domains(void)
{
	unsigned int n = 0;

	rte_extmem_devmap_domain_walk(walk_count, &n);
	return n;
}

struct decl_case {
	const char *what;
	const char *dev;
	const char *domain;
	unsigned int max;
	uint32_t flags;
	int err;
};

static const struct decl_case decl_cases[] = {
	{ "NULL device", NULL, "dbad", 4, 0, EINVAL },
	{ "empty device", "", "dbad", 4, 0, EINVAL },
	{ "long device", NAME_64, "dbad", 4, 0, EINVAL },
	{ "NULL domain", "bad_dev", NULL, 4, 0, EINVAL },
	{ "empty domain", "bad_dev", "", 4, 0, EINVAL },
	{ "long domain", "bad_dev", NAME_64, 4, 0, EINVAL },
	{ "unknown flag", "bad_dev", "dbad", 4, RTE_BIT32(7), EINVAL },
	{ "SHARED is not the driver's to set", "bad_dev", "dbad", 4,
		RTE_EXTMEM_DEVMAP_DOMAIN_F_SHARED, EINVAL },
	{ "device declared twice", "decl_dev", "dother", 4, 0, EEXIST },
	{ "domain with another limit", "bad_dev", "ddecl", 5, 0, EEXIST },
	{ "domain with other flags", "bad_dev", "ddecl", 4,
		RTE_EXTMEM_DEVMAP_DOMAIN_F_EAL_HEAP, EEXIST },
};

/* mrnic devargs that must fail the probe. */
static const char *const bad_devargs[] = {
	"domain=",
	"domain=" NAME_64,
	"domain=dm,domain_entries=0",
	"domain=dm,domain_entries=65536",
	"domain=dm,domain_entries=-1",
	"domain=dm,domain_entries=4x",
	"domain=dm,domain_heap=maybe",
	"domain_entries=8",
	"domain_heap=eal",
	"domain=dm,mr=extmem",	/* dm exists with mr=cache */
	"domain=dm,domain_entries=9",	/* dm exists with 8 */
};

static int
test_dma_domain_bad_input(void)
{
	struct rte_extmem_devmap_domain_info di;
	struct rte_extmem_devmap_dev_info dv;
	unsigned int i, n;
	uint16_t port;

	/* queries */
	TEST_ASSERT_ERRNO(rte_extmem_devmap_domain_info_get(NULL, &di), EINVAL,
		"NULL name");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_domain_info_get("", &di), EINVAL,
		"empty name");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_domain_info_get(NAME_64, &di),
		EINVAL, "long name");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_domain_info_get("nosuch", &di),
		ENOENT, "unknown domain");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_domain_info_get("nosuch", NULL),
		EINVAL, "NULL info");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_domain_walk(NULL, NULL), EINVAL,
		"NULL function");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_driver_dev_ready(NULL), EINVAL,
		"NULL device");

	/* declarations: a good one, then the bad ones beside it */
	TEST_ASSERT_EQ(rte_extmem_devmap_driver_domain_set("decl_dev", "ddecl",
		4, 0), 0, "declaration");
	for (i = 0; i < RTE_DIM(decl_cases); i++) {
		const struct decl_case *c = &decl_cases[i];

		TEST_ASSERT_ERRNO(rte_extmem_devmap_driver_domain_set(c->dev,
			c->domain, c->max, c->flags), c->err, "%s", c->what);
		/* nothing was recorded: the device can still declare */
		if (c->dev != NULL && strcmp(c->dev, "bad_dev") == 0) {
			TEST_ASSERT_EQ(rte_extmem_devmap_driver_domain_set(
				"bad_dev", "dfresh", 1, 0), 0, "after: %s",
				c->what);
			rte_extmem_devmap_driver_domain_clear("bad_dev");
		}
	}
	rte_extmem_devmap_driver_domain_clear("decl_dev");
	rte_extmem_devmap_driver_domain_clear("never_declared");
	rte_extmem_devmap_driver_domain_clear(NULL);
	TEST_ASSERT_EQ(rte_extmem_devmap_driver_domain_set("decl_dev", "dother",
		4, 0), 0, "cleared: declares again");
	rte_extmem_devmap_driver_domain_clear("decl_dev");

	/* net_mrnic's devargs, beside a good port of domain dm */
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_dbad0",
		"domain=dm,domain_entries=8"), 0, "a good port");
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "probing");
	n = n_domains();
	TEST_ASSERT_EQ(rte_extmem_devmap_domain_info_get("dm", &di), 0, "dm");
	TEST_ASSERT_EQ(di.max_entries, 8, "limit of dm");
	for (i = 0; i < RTE_DIM(bad_devargs); i++) {
		TEST_ASSERT_NE(rte_vdev_init("net_mrnic_dbad1", bad_devargs[i]),
			0, "probe with '%s'", bad_devargs[i]);
		TEST_ASSERT_NE(rte_eth_dev_get_port_by_name("net_mrnic_dbad1",
			&port), 0, "no port after '%s'", bad_devargs[i]);
		TEST_ASSERT_EQ(rte_extmem_devmap_dev_info_get("net_mrnic_dbad1",
			&dv), 0, "info");
		TEST_ASSERT_EQ(dv.state, RTE_EXTMEM_DEVMAP_DEV_UNKNOWN,
			"unknown to the dispatcher after '%s'", bad_devargs[i]);
		TEST_ASSERT_EQ(n_domains(), n, "no domain after '%s'",
			bad_devargs[i]);
		TEST_ASSERT_EQ(rte_extmem_devmap_domain_info_get("dm", &di), 0,
			"dm");
		TEST_ASSERT_EQ(di.n_devs, 1, "dm unchanged after '%s'",
			bad_devargs[i]);
	}
	/* and the name is free for a good probe */
	TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_dbad1",
		"domain=dm,domain_entries=8"), 0, "good probe after");
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "probing");
	TEST_ASSERT_EQ(rte_extmem_devmap_domain_info_get("dm", &di), 0, "dm");
	TEST_ASSERT_EQ(di.n_devs, 2, "two ports in dm");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_dbad1"), 0, "remove");
	TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_dbad0"), 0, "remove");
	TEST_ASSERT_ERRNO(rte_extmem_devmap_domain_info_get("dm", &di), ENOENT,
		"dm gone with its ports");
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(dma_domain_bad_input, test_dma_domain_bad_input, 0);
