/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Helpers of the event and DMA dispatcher tests. */

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <rte_extmem_devmap.h>
#include <rte_extmem_devmap_driver.h>

#include "test.h"
#include "test_dma_util.h"
#include "test_region_util.h"
#include "vdev_recorder.h"

struct rte_extmem_region *
test_ureg_create(struct test_ureg *u, const char *name, unsigned int npages,
	const rte_iova_t *iovas, uint64_t flags)
{
	struct rte_extmem_region_params p;
	int err;

	memset(u, 0, sizeof(*u));
	u->len = (size_t)npages * TEST_PG;
	u->buf = mmap(NULL, u->len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->buf == MAP_FAILED) {
		u->buf = NULL;
		rte_errno = ENOMEM;
		return NULL;
	}
	memset(u->buf, 0x11, u->len);
	test_region_params(&p, name, RTE_EXTMEM_BACKING_USER, u->buf, u->len);
	p.page_sz = TEST_PG;
	p.iovas = iovas;
	p.n_iovas = iovas != NULL ? npages : 0;
	p.flags = flags;
	u->r = rte_extmem_region_create(&p);
	if (u->r == NULL) {
		err = rte_errno;
		munmap(u->buf, u->len);
		u->buf = NULL;
		rte_errno = err;
	}
	return u->r;
}

int
test_ureg_destroy(struct test_ureg *u)
{
	int ret;

	if (u->r == NULL)
		return 0;
	ret = rte_extmem_region_destroy(u->r);
	if (ret == 0) {
		u->r = NULL;
		munmap(u->buf, u->len);
		u->buf = NULL;
	}
	return ret;
}

struct rte_extmem_region *
test_anon_region(const char *name, unsigned int npages, uint64_t flags)
{
	struct rte_extmem_region_params p;

	rte_extmem_region_params_init(&p);
	p.name = name;
	p.backing = RTE_EXTMEM_BACKING_ANON;
	p.len = (size_t)npages * TEST_PG;
	p.flags = flags;
	return rte_extmem_region_create(&p);
}

struct rte_device *
test_vdev_probe(const char *name, const char *args)
{
	char devargs[256];
	struct rte_eth_dev_info info;
	uint16_t port;

	if (args != NULL)
		snprintf(devargs, sizeof(devargs), "%s,%s", name, args);
	else
		snprintf(devargs, sizeof(devargs), "%s", name);
	if (rte_dev_probe(devargs) != 0) {
		TEST_LOG("rte_dev_probe(%s) failed", devargs);
		return NULL;
	}
	if (rte_eth_dev_get_port_by_name(name, &port) != 0 ||
			rte_eth_dev_info_get(port, &info) != 0) {
		TEST_LOG("no port for %s", name);
		return NULL;
	}
	return info.device;
}

int
test_vdevs_probe(const char *const *names, struct rte_device **devs,
	unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		devs[i] = test_vdev_probe(names[i], NULL);
		TEST_ASSERT_NOT_NULL(devs[i], "probe %s", names[i]);
	}
	/* the probes have finished: nothing left for the dispatcher */
	TEST_ASSERT_EQ(test_devmap_sync(), 0, "devices still probing");
	vdev_rec_reset();
	return TEST_SUCCESS;
}

int
test_vdev_remove(const char *name)
{
	struct rte_eth_dev_info info;
	uint16_t port;

	if (rte_eth_dev_get_port_by_name(name, &port) != 0 ||
			rte_eth_dev_info_get(port, &info) != 0)
		return -ENODEV;
	return rte_dev_remove(info.device);
}

int
test_region_runs(const struct rte_extmem_region *r, struct test_run *runs,
	unsigned int max)
{
	struct rte_extmem_region_info info;
	rte_iova_t *io;
	unsigned int i, n = 0;
	struct test_run *cur = NULL;

	if (rte_extmem_region_info_get(r, &info) != 0)
		return -1;
	io = calloc(info.n_pages, sizeof(*io));
	if (io == NULL)
		return -1;
	if (rte_extmem_region_iovas_get(r, io, info.n_pages) !=
			(int)info.n_pages) {
		free(io);
		return -1;
	}
	for (i = 0; i < info.n_pages; i++) {
		if (io[i] == RTE_BAD_IOVA) {
			cur = NULL;
			continue;
		}
		if (cur == NULL || io[i] != cur->iova + cur->len) {
			if (n == max) {
				free(io);
				return -1;
			}
			cur = &runs[n++];
			cur->va = (uintptr_t)info.addr +
				(uint64_t)i * info.page_sz;
			cur->iova = io[i];
			cur->len = 0;
		}
		cur->len += info.page_sz;
	}
	free(io);
	return (int)n;
}

static int
rec_check(unsigned int i, const char *dev, int map, const struct test_run *run,
	int ret)
{
	const struct vdev_rec_call *c = vdev_rec_call(i);

	TEST_ASSERT_NOT_NULL(c, "call %u was not made (%u recorded)", i,
		vdev_rec_ncalls());
	TEST_ASSERT(strcmp(c->dev, dev) == 0, "call %u on %s, expected %s",
		i, c->dev, dev);
	TEST_ASSERT_EQ(c->map, map, "call %u kind (1 map, 0 unmap)", i);
	TEST_ASSERT_EQ(c->va, run->va, "call %u va", i);
	TEST_ASSERT_EQ(c->iova, run->iova, "call %u iova", i);
	TEST_ASSERT_EQ(c->len, run->len, "call %u len", i);
	TEST_ASSERT_EQ(c->ret, ret, "call %u result", i);
	return TEST_SUCCESS;
}

int
test_rec_expect(unsigned int *idx, const char *dev, int map,
	const struct test_run *runs, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		if (rec_check(*idx, dev, map, &runs[k], 0) != TEST_SUCCESS) {
			printf("    (run %u of %u of %s on %s)\n", k + 1, n,
				map ? "map" : "unmap", dev);
			return TEST_FAILED;
		}
		(*idx)++;
	}
	return TEST_SUCCESS;
}

int
test_rec_expect_failed(unsigned int *idx, const char *dev, int map,
	const struct test_run *run, int err)
{
	TEST_RUN(rec_check(*idx, dev, map, run, -err));
	(*idx)++;
	return TEST_SUCCESS;
}

unsigned int
test_rec_count(const char *dev, unsigned int from)
{
	unsigned int i, n = 0, total = vdev_rec_ncalls();

	for (i = from; i < total; i++)
		if (strcmp(vdev_rec_call(i)->dev, dev) == 0)
			n++;
	return n;
}

bool
test_rec_wait(unsigned int n)
{
	unsigned int i;

	/* up to 20 s: the dispatcher's alarm fires after 100 us */
	for (i = 0; i < 20000; i++) {
		if (vdev_rec_ncalls() >= n)
			return true;
		rte_delay_us_sleep(1000);
	}
	return vdev_rec_ncalls() >= n;
}

int
test_is_mapped(const struct rte_extmem_region *region,
	const struct rte_device *dev)
{
	struct rte_extmem_devmap_mapping_info mi;

	if (rte_extmem_devmap_mapping_info_get(region,
			dev == NULL ? NULL : rte_dev_name(dev), &mi) == 0)
		return 1;
	return rte_errno == ENOENT ? 0 : -1;
}

int
test_devmap_sync(void)
{
	return rte_extmem_devmap_driver_sync();
}
