/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The dpdk-extmem authors
 */

/* Secondary processes for the mp_* tests (test_mp_util.h). */

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_malloc.h>

#include <rte_extmem_mp.h>

#include "test.h"
#include "test_mp_util.h"
#include "test_region_util.h"

#define MP_SEC_ENV "EXTMEM_TEST_MP_SECONDARY"
/* a secondary's EAL init and attach, with the kill test's delays */
#define MP_ANSWER_MS 60000

const char *
test_mp_skip_reason(void)
{
	const char *helper = getenv(MP_SEC_ENV);

	if (!rte_eal_has_hugepages())
		return "DPDK 22.11: a --no-huge primary cannot have secondary "
			"processes";
	if (helper == NULL || *helper == '\0')
		return MP_SEC_ENV " does not name the secondary program";
	if (extmem_test_file_prefix[0] == '\0')
		return "the test runs without --file-prefix";
	return NULL;
}

static int
read_line(int fd, char *out, size_t size, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;
	ssize_t r;

	while (n + 1 < size) {
		if (poll(&p, 1, ms) <= 0)
			return -1;
		r = read(fd, out + n, 1);
		if (r <= 0)
			return -1;
		if (out[n] == '\n')
			break;
		n++;
	}
	out[n] = '\0';
	return 0;
}

struct rte_extmem_region *
test_mp_region_make(const char *name, enum rte_extmem_backing b, size_t len,
	size_t pgsz, void *addr)
{
	struct rte_extmem_region_params p;

	test_region_params(&p, name, b, addr, len);
	p.page_sz = pgsz;
	return rte_extmem_region_create(&p);
}

int
test_mp_sec_start(struct test_mp_sec *s, uintptr_t reserve, size_t len,
	unsigned int delay_us, bool wait)
{
	const char *helper = getenv(MP_SEC_ENV);
	char fdarg[16], prefix[160], addr[32], lenarg[32], delay[32];
	char line[64];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s",
		extmem_test_file_prefix);
	snprintf(addr, sizeof(addr), "%#lx", (unsigned long)reserve);
	snprintf(lenarg, sizeof(lenarg), "%zu", len);
	snprintf(delay, sizeof(delay), "%u", delay_us);
	s->pid = fork();
	if (s->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (s->pid == 0) {
		int fd = dup(sv[1]);	/* without close-on-exec */

		snprintf(fdarg, sizeof(fdarg), "%d", fd);
		if (delay_us != 0)
			setenv("EXTMEM_MP_TEST_DELAY_US", delay, 1);
		/* a heap chunk reaches it before EAL's heap has it */
		setenv("EXTMEM_MP_TEST_HEAP_ORDER", "1", 1);
		if (len != 0)
			execl(helper, helper, fdarg, "--reserve", addr, lenarg,
				"--proc-type=secondary", prefix, "--no-pci",
				"--log-level=lib.eal:error", (char *)NULL);
		else
			execl(helper, helper, fdarg, "--proc-type=secondary",
				prefix, "--no-pci", "--log-level=lib.eal:error",
				(char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	s->fd = sv[0];
	if (!wait)
		return 0;
	if (read_line(s->fd, line, sizeof(line), MP_ANSWER_MS) != 0 ||
			strcmp(line, "READY") != 0) {
		printf("    secondary %d did not start\n", (int)s->pid);
		test_mp_sec_kill(s);
		return -1;
	}
	return 0;
}

static int
send_cmd(struct test_mp_sec *s, const char *fmt, va_list ap)
{
	char line[256];
	int n;

	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return -1;
	line[n++] = '\n';
	return write(s->fd, line, n) == n ? 0 : -1;
}

int
test_mp_sec_cmd(struct test_mp_sec *s, char *out, size_t size,
	const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = send_cmd(s, fmt, ap);
	va_end(ap);
	if (ret != 0)
		return -1;
	return read_line(s->fd, out, size, MP_ANSWER_MS);
}

int
test_mp_sec_send(struct test_mp_sec *s, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = send_cmd(s, fmt, ap);
	va_end(ap);
	return ret;
}

int
test_mp_sec_answer(struct test_mp_sec *s, char *out, size_t size)
{
	return read_line(s->fd, out, size, MP_ANSWER_MS);
}

int
test_mp_sec_stop(struct test_mp_sec *s)
{
	int st = 0;

	if (write(s->fd, "quit\n", 5) != 5)
		printf("    secondary %d: quit not sent\n", (int)s->pid);
	close(s->fd);
	if (waitpid(s->pid, &st, 0) != s->pid)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		printf("    secondary %d ended with status 0x%x\n",
			(int)s->pid, st);
		return -1;
	}
	return 0;
}

void
test_mp_sec_kill(struct test_mp_sec *s)
{
	kill(s->pid, SIGKILL);
	close(s->fd);
	waitpid(s->pid, NULL, 0);
}

int
test_mp_wait_secondaries(unsigned int n)
{
	struct rte_extmem_mp_info info;
	unsigned int i;

	/* a bounded wait for the service to see the end of a connection */
	for (i = 0; i < 20000; i++) {
		if (rte_extmem_mp_info_get(&info) != 0)
			return -1;
		/* and, when none is expected, no connection left either */
		if (info.n_secondaries == n &&
				(n != 0 || info.n_connections == 0))
			return 0;
		usleep(1000);
	}
	printf("    the primary counts %u secondaries (%u connections), not "
		"%u\n", info.n_secondaries, info.n_connections, n);
	return -1;
}

void
test_mp_resources(unsigned int *fds, unsigned int *memfds,
	unsigned long *hugetlb_kb)
{
	char path[300], target[256], line[256];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	struct rte_malloc_socket_stats st;
	size_t native = 0;
	int sock;
	FILE *f;
	ssize_t n;

	*fds = 0;
	*memfds = 0;
	*hugetlb_kb = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		/* EAL's own hugepage files: its native heap grows when a
		 * secondary's EAL init allocates (and a killed one never
		 * frees); counted below with EAL's heap size
		 */
		if (strncmp(target, "/dev/hugepages/", 15) == 0)
			continue;
		(*fds)++;
		if (strncmp(target, "/memfd:", 7) == 0)
			(*memfds)++;
	}
	if (d != NULL)
		closedir(d);
	f = fopen("/proc/self/status", "re");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugetlbPages: %lu kB", hugetlb_kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	/* the hugepages this library maps: all but EAL's native heaps' */
	for (sock = 0; sock < RTE_MAX_NUMA_NODES; sock++)
		if (rte_malloc_get_socket_stats(sock, &st) == 0)
			native += st.heap_totalsz_bytes;
	*hugetlb_kb -= native >> 10;
}

/* The state letter of /proc/<pid>/stat, or 0 when the process is gone. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return 0;
	return p[2];
}

int
test_mp_proc_stop(pid_t pid)
{
	char st;

	if (kill(pid, SIGSTOP) != 0)
		return -1;
	while ((st = proc_state(pid)) != 0 && st != 'T' && st != 'Z')
		usleep(100);
	return st == 'T' ? 0 : -1;
}
