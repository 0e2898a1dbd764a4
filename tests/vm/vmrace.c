// SPDX-License-Identifier: MIT
/*
 * vmrace.c - test points and stalled pages for the VM race tests.
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmharness.h"
#include "vmrace.h"

#define TP_DIR "/sys/kernel/debug/objinvoke/test_points/"

static int tp_open(const char *name, int flags)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), TP_DIR "%s", name);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0 && access(TP_DIR, F_OK))
		vt_skip("the module has no test points (a release build)");
	if (fd < 0)
		vt_fail("%s: %s", path, strerror(errno));
	return fd;
}

int vm_tp_arm(const char *name, unsigned int ms, unsigned int count)
{
	int before = vm_tp_hits(name);
	int fd = tp_open(name, O_WRONLY), n;
	char line[32];

	n = snprintf(line, sizeof(line), "%u %u\n", ms, count);
	VT_ASSERT_EQ(write(fd, line, (size_t)n), n);
	close(fd);
	return before;
}

int vm_tp_hits(const char *name)
{
	char line[32] = { 0 };
	int fd = tp_open(name, O_RDONLY);

	VT_ASSERT_GT(read(fd, line, sizeof(line) - 1), 0);
	close(fd);
	return atoi(line);
}

void vm_tp_wait(const char *name, int before)
{
	for (int i = 0; i < 1000; i++) {
		if (vm_tp_hits(name) > before)
			return;
		vt_msleep(10);
	}
	vt_fail("test point %s not reached in 10 s", name);
}

void vm_stall_new(struct vm_stall *st)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };

	st->size = (size_t)sysconf(_SC_PAGESIZE);
	st->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (st->uffd < 0)
		vt_skip("no userfaultfd: %s", strerror(errno));
	VT_ASSERT_OK(ioctl(st->uffd, UFFDIO_API, &api));
	st->page = mmap(NULL, st->size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VT_ASSERT(st->page != MAP_FAILED);
	reg.range.start = (uintptr_t)st->page;
	reg.range.len = st->size;
	VT_ASSERT_OK(ioctl(st->uffd, UFFDIO_REGISTER, &reg));
}

void vm_stall_wait(struct vm_stall *st)
{
	struct pollfd p = { .fd = st->uffd, .events = POLLIN };
	struct uffd_msg msg;

	VT_ASSERT_EQ(poll(&p, 1, 10000), 1);
	VT_ASSERT_EQ(read(st->uffd, &msg, sizeof(msg)), (ssize_t)sizeof(msg));
	VT_ASSERT_EQ(msg.event, UFFD_EVENT_PAGEFAULT);
}

void vm_stall_release(struct vm_stall *st, const void *data, size_t len)
{
	char *src = calloc(1, st->size);
	struct uffdio_copy copy = {
		.dst = (uintptr_t)st->page,
		.src = (uintptr_t)src,
		.len = st->size,
	};

	VT_ASSERT(src && len <= st->size);
	memcpy(src, data, len);
	VT_ASSERT_OK(ioctl(st->uffd, UFFDIO_COPY, &copy));
	free(src);
}

void vm_stall_free(struct vm_stall *st)
{
	munmap(st->page, st->size);
	close(st->uffd);
}
