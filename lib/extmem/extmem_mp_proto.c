/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/*
 * The multi-process protocol's records on the wire: framing, file
 * descriptors, the runs memfd (extmem_mp_proto.h).
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>

#include "extmem_mp_proto.h"

#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif

void
extmem_mp_msg_init(struct extmem_mp_msg *m, enum extmem_mp_type t,
	uint64_t seq)
{
	memset(m, 0, sizeof(*m));
	m->magic = EXTMEM_MP_MAGIC;
	m->version = EXTMEM_MP_VERSION;
	m->type = (uint16_t)t;
	m->seq = seq;
	m->pid = (int32_t)getpid();
}

int
extmem_mp_socket_path(char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", rte_eal_get_runtime_dir(),
		EXTMEM_MP_SOCKET);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
extmem_mp_send(int sock, const struct extmem_mp_msg *m, const int *fds,
	unsigned int n)
{
	return extmem_mp_send_flags(sock, m, fds, n, 0);
}

int
extmem_mp_send_flags(int sock, const struct extmem_mp_msg *m, const int *fds,
	unsigned int n, int flags)
{
	char cbuf[CMSG_SPACE(sizeof(int) * EXTMEM_MP_MAX_FDS)];
	struct iovec iov = {
		.iov_base = (void *)(uintptr_t)m,
		.iov_len = sizeof(*m),
	};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	struct cmsghdr *c;
	ssize_t ret;

	if (n > EXTMEM_MP_MAX_FDS) {
		errno = EINVAL;
		return -1;
	}
	if (n > 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	do
		ret = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -1;
	if ((size_t)ret != sizeof(*m)) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int
extmem_mp_recv(int sock, struct extmem_mp_msg *m, int fds[EXTMEM_MP_MAX_FDS])
{
	/* room for more than we take: extra descriptors are closed */
	char cbuf[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	unsigned int i, nfd = 0;
	ssize_t ret;

	for (i = 0; i < EXTMEM_MP_MAX_FDS; i++)
		fds[i] = -1;
	do
		ret = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (ret < 0 && errno == EINTR);
	if (ret <= 0)
		return ret < 0 ? -1 : 0;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		int *p = (int *)CMSG_DATA(c);
		unsigned int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < k; i++) {
			if (nfd < EXTMEM_MP_MAX_FDS)
				fds[nfd++] = p[i];
			else
				close(p[i]);
		}
	}
	if ((size_t)ret != sizeof(*m) || (mh.msg_flags & MSG_TRUNC) ||
			m->magic != EXTMEM_MP_MAGIC ||
			m->version != EXTMEM_MP_VERSION) {
		for (i = 0; i < nfd; i++) {
			close(fds[i]);
			fds[i] = -1;
		}
		errno = EPROTO;
		return -1;
	}
	m->text[sizeof(m->text) - 1] = '\0';
	m->r.name[sizeof(m->r.name) - 1] = '\0';
	m->r.heap[sizeof(m->r.heap) - 1] = '\0';
	if (mh.msg_flags & MSG_CTRUNC) {
		/* descriptors lost (this process at its RLIMIT_NOFILE): none
		 * is half used, and the caller says so to the sender
		 */
		for (i = 0; i < nfd; i++) {
			close(fds[i]);
			fds[i] = -1;
		}
		return 2;
	}
	return 1;
}

int
extmem_mp_runs_write(const struct extmem_iova_run *runs, unsigned int n)
{
	size_t len = sizeof(*runs) * n, off = 0;
	ssize_t w;
	int fd;

	fd = memfd_create("extmem_runs", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	while (off < len) {
		w = write(fd, (const char *)runs + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	/* what the secondaries read cannot change under them */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
			F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct extmem_iova_run *
extmem_mp_runs_read(int fd, unsigned int n)
{
	size_t len = sizeof(struct extmem_iova_run) * n, off = 0;
	struct extmem_iova_run *runs;
	ssize_t r;

	runs = malloc(len == 0 ? 1 : len);
	if (runs == NULL)
		return NULL;
	while (off < len) {
		r = pread(fd, (char *)runs + off, len - off, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(runs);
			errno = r == 0 ? EPROTO : errno;
			return NULL;
		}
		off += (size_t)r;
	}
	return runs;
}

void
extmem_mp_deadline(struct timespec *dl, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, dl);
	dl->tv_sec += ms / 1000;
	dl->tv_nsec += (ms % 1000) * 1000000L;
	if (dl->tv_nsec >= 1000000000L) {
		dl->tv_sec++;
		dl->tv_nsec -= 1000000000L;
	}
}

void
extmem_mp_test_delay(void)
{
	static long us = -1;
	const char *v;

	if (us < 0) {
		v = getenv("EXTMEM_MP_TEST_DELAY_US");
		us = v != NULL ? strtol(v, NULL, 10) : 0;
		if (us < 0)
			us = 0;
	}
	if (us > 0)
		usleep((useconds_t)us);
}
