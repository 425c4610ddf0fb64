/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * net_mrnic devargs, table-driven: every bad value and every unknown or
 * repeated key is refused, leaves no port behind and is named in the
 * driver's log line; every accepted form gives the port it describes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include <rte_pmd_mrnic.h>

#include "test.h"

#define BAD_NAME "net_mrnic_dabad"
/* 70 characters: longer than a device or domain name may be */
#define LONG_NAME "x123456789x123456789x123456789x123456789x123456789" \
	"x123456789x123456789"

struct devargs_bad {
	const char *args;
	const char *log;	/* what the log line must contain */
};

static const struct devargs_bad devargs_bad[] = {
	{ "colour=blue", "unknown devarg 'colour'" },
	{ "mr=cache,speed=10", "unknown devarg 'speed'" },
	{ "mr=bogus", "bad value 'bogus' for devarg 'mr'" },
	{ "mr=", "for devarg 'mr'" },
	{ "mr", "'mr'" },
	{ "mr=CACHE", "bad value 'CACHE' for devarg 'mr'" },
	{ "mr=off,mr=cache", "devarg 'mr' given more than once" },
	{ "queues=0", "bad value '0' for devarg 'queues'" },
	{ "queues=17", "bad value '17' for devarg 'queues'" },
	{ "queues=x", "bad value 'x' for devarg 'queues'" },
	{ "queues=-1", "bad value '-1' for devarg 'queues'" },
	{ "queues=3x", "bad value '3x' for devarg 'queues'" },
	{ "queues=99999999999999999999", "for devarg 'queues'" },
	{ "peer=", "for devarg 'peer'" },
	{ "peer=" LONG_NAME, "for devarg 'peer'" },
	{ "peer=" BAD_NAME, "names the port itself" },
	{ "domain=", "for devarg 'domain'" },
	{ "domain=" LONG_NAME, "for devarg 'domain'" },
	{ "domain_entries=8", "need domain" },
	{ "domain_heap=eal", "need domain" },
	{ "domain=fd,domain_entries=0", "for devarg 'domain_entries'" },
	{ "domain=fd,domain_entries=65536", "for devarg 'domain_entries'" },
	{ "domain=fd,domain_heap=vfio", "bad value 'vfio' for devarg "
		"'domain_heap'" },
};

struct devargs_good {
	const char *args;
	int mode;		/* RTE_PMD_MRNIC_MR_* */
	uint16_t queues;
};

static const struct devargs_good devargs_good[] = {
	{ "", RTE_PMD_MRNIC_MR_CACHE, 8 },
	{ "mr=extmem,queues=16", RTE_PMD_MRNIC_MR_EXTMEM, 16 },
	{ "mr=off,peer=self,queues=1", RTE_PMD_MRNIC_MR_OFF, 1 },
	{ "queues=0x4", RTE_PMD_MRNIC_MR_CACHE, 4 },
	{ "peer=net_mrnic_daother", RTE_PMD_MRNIC_MR_CACHE, 8 },
	{ "domain=fdgood,domain_entries=65535,domain_heap=eal",
		RTE_PMD_MRNIC_MR_CACHE, 8 },
	{ "mr=extmem,domain=fdgood2,domain_entries=1,domain_heap=dispatcher",
		RTE_PMD_MRNIC_MR_EXTMEM, 8 },
};

/* Probe BAD_NAME with args; the driver's log while doing so. */
static char *
probe_logged(const char *args, int *ret)
{
	FILE *old = rte_log_get_stream(), *f;
	char *buf = NULL;
	size_t len = 0;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	rte_openlog_stream(f);
	*ret = rte_vdev_init(BAD_NAME, args);
	rte_openlog_stream(old);
	fclose(f);
	return buf;
}

static int
devargs_refused(void)
{
	unsigned int i;
	uint16_t p;
	char *log;
	int ret = 0;

	for (i = 0; i < RTE_DIM(devargs_bad); i++) {
		const struct devargs_bad *c = &devargs_bad[i];

		log = probe_logged(c->args, &ret);
		TEST_ASSERT_NOT_NULL(log, "log stream");
		if (ret == 0 || strstr(log, c->log) == NULL) {
			TEST_LOG("devargs '%s': probe %d, log:\n%s", c->args,
				ret, log);
			free(log);
			if (ret == 0)
				rte_vdev_uninit(BAD_NAME);
			TEST_ASSERT(0, "'%s' refused with \"%s\" in the log",
				c->args, c->log);
		}
		free(log);
		TEST_ASSERT_NE(rte_eth_dev_get_port_by_name(BAD_NAME, &p), 0,
			"no port left behind by '%s'", c->args);
	}
	return TEST_SUCCESS;
}

static int
devargs_accepted(void)
{
	struct rte_eth_dev_info info;
	unsigned int i;
	uint16_t p;

	for (i = 0; i < RTE_DIM(devargs_good); i++) {
		const struct devargs_good *c = &devargs_good[i];

		TEST_ASSERT_EQ(rte_vdev_init("net_mrnic_dagood", c->args), 0,
			"probe with '%s'", c->args);
		TEST_ASSERT_EQ(rte_eth_dev_get_port_by_name("net_mrnic_dagood",
			&p), 0, "port of '%s'", c->args);
		TEST_ASSERT_EQ(rte_pmd_mrnic_mr_mode(p), c->mode, "mode of "
			"'%s'", c->args);
		TEST_ASSERT_EQ(rte_eth_dev_info_get(p, &info), 0, "info");
		TEST_ASSERT_EQ(info.max_rx_queues, c->queues, "Rx queues of "
			"'%s'", c->args);
		TEST_ASSERT_EQ(info.max_tx_queues, c->queues, "Tx queues of "
			"'%s'", c->args);
		TEST_ASSERT_EQ(rte_vdev_uninit("net_mrnic_dagood"), 0,
			"remove '%s'", c->args);
	}
	return TEST_SUCCESS;
}

static int
test_mrnic_devargs(void)
{
	TEST_RUN(devargs_refused());
	TEST_RUN(devargs_accepted());
	return TEST_SUCCESS;
}

REGISTER_EXTMEM_TEST(mrnic_devargs, test_mrnic_devargs, 0);
