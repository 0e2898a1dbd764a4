// SPDX-License-Identifier: MIT
/*
 * vmutil.c - raw ioctl helpers and service shortcuts for the VM tests.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "IClientEnv.h"
#include "ITestService.h"
#include "MinkCom.h"
#include "vmharness.h"
#include "vmutil.h"

int vm_dev_object(unsigned long ioc)
{
	struct objinvoke_get_object g = { 0 };
	int dev;

	dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
	VT_ASSERT_OK(dev);
	VT_ASSERT_OK(ioctl(dev, ioc, &g));
	close(dev);
	return (int)g.fd;
}

int vm_root_fd(void)
{
	return vm_dev_object(OBJINVOKE_IOC_GET_ROOT);
}

int vm_invoke_raw(int fd, uint32_t op, uint32_t counts,
		  struct objinvoke_arg *args, int32_t *result)
{
	struct objinvoke_invoke inv = {
		.op = op,
		.counts = counts,
		.args = (uintptr_t)args,
	};
	int ret = ioctl(fd, OBJINVOKE_IOC_INVOKE, &inv);

	if (result)
		*result = (int32_t)inv.result;
	return ret;
}

struct objinvoke_arg vm_buf(const void *p, uint64_t size)
{
	return (struct objinvoke_arg){ .addr = (uintptr_t)p, .size = size,
				       .fd = OBJINVOKE_FD_NONE };
}

struct objinvoke_arg vm_obj(int fd)
{
	return (struct objinvoke_arg){ .fd = (uint32_t)fd };
}

bool vm_echo_works(int svc, const char *msg)
{
	size_t len = strlen(msg);
	char out[64];
	struct objinvoke_arg a[2] = { vm_buf(msg, len), vm_buf(out, sizeof(out)) };
	int32_t result = Object_ERROR;

	if (len > sizeof(out) ||
	    vm_invoke_raw(svc, ITestService_OP_echo,
			  ObjectCounts_pack(1, 1, 0, 0), a, &result))
		return false;
	return result == Object_OK && a[1].size == len &&
	       !memcmp(out, msg, len);
}

int32_t vm_try_service_fd_raw(uint32_t uid, int *fd)
{
	struct objinvoke_arg a[2];
	int root = vm_root_fd(), env;
	int32_t result = Object_ERROR;

	*fd = -1;
	a[0] = vm_obj(-1);
	a[1] = vm_obj(-1);
	if (vm_invoke_raw(root, IRootObject_OP_registerWithCredentials,
			  ObjectCounts_pack(0, 0, 1, 1), a, &result))
		result = Object_ERROR;
	close(root);
	if (result != Object_OK)
		return result;
	env = (int)a[1].fd;

	a[0] = vm_buf(&uid, sizeof(uid));
	a[1] = vm_obj(-1);
	if (vm_invoke_raw(env, IClientEnv_OP_open,
			  ObjectCounts_pack(1, 0, 0, 1), a, &result))
		result = Object_ERROR;
	close(env);
	if (result == Object_OK)
		*fd = (int)a[1].fd;
	return result;
}

int vm_service_fd_raw(uint32_t uid)
{
	int fd;

	VT_ASSERT_EQ(vm_try_service_fd_raw(uid, &fd), Object_OK);
	return fd;
}

int vm_send_fd(int sock, int fd)
{
	char byte = 'o';
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} c = { 0 };
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = c.space,
			    .msg_controllen = sizeof(c.space) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

int vm_recv_fd(int sock)
{
	char byte;
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = c.space,
			    .msg_controllen = sizeof(c.space) };
	struct cmsghdr *h;
	int fd;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1 || m.msg_flags & MSG_CTRUNC)
		return -1;
	h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_type != SCM_RIGHTS ||
	    h->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(h), sizeof(int));
	return fd;
}

bool vm_stop_requested(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;	/* EOF: the write end is closed */
}

void vm_log_kernel_stacks(pid_t pid)
{
	char path[320], line[256];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", (int)pid,
			 d->d_name);
		f = fopen(path, "re");
		vt_log("hung %d thread %s:", (int)pid, d->d_name);
		while (f && fgets(line, sizeof(line), f))
			vt_log("  %s", strtok(line, "\n"));
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
}

int vm_reap(pid_t pid)
{
	int status, i;

	for (i = 0; i < 600; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		vt_msleep(100);
	}
	vm_log_kernel_stacks(pid);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

Object vm_open_service(uint32_t uid)
{
	Object root = Object_NULL, env = Object_NULL, svc = Object_NULL;

	VT_ASSERT_EQ(MinkCom_getRootEnvObject(&root), Object_OK);
	VT_ASSERT_EQ(MinkCom_getClientEnvObject(root, &env), Object_OK);
	VT_ASSERT_EQ(IClientEnv_open(env, uid, &svc), Object_OK);
	Object_release(env);
	Object_release(root);
	return svc;
}

uint32_t vm_live_objects(Object svc)
{
	uint32_t n = 0;

	VT_ASSERT_EQ(ITestService_liveObjects(svc, &n), Object_OK);
	return n;
}

uint32_t vm_settled_live_objects(Object svc)
{
	uint32_t prev, n = vm_live_objects(svc);
	int i;

	for (i = 0; i < 50; i++) {
		vt_msleep(150);
		prev = n;
		n = vm_live_objects(svc);
		if (n == prev)
			return n;
	}
	vt_fail("emulator's live object count never settled (%u)", n);
}

uint32_t vm_fresh_live_objects(void)
{
	Object svc = vm_open_service(ITestService_UID);
	uint32_t n = vm_settled_live_objects(svc);

	Object_release(svc);
	return n;
}

void vm_expect_live_objects(Object svc, uint32_t want)
{
	uint32_t n = 0;
	int i;

	for (i = 0; i < 100; i++) {
		n = vm_live_objects(svc);
		if (n == want)
			return;
		vt_msleep(50);
	}
	vt_fail("emulator holds %u live objects, want %u", n, want);
}

int vm_try_heap_alloc(uint64_t size, unsigned int mode)
{
	struct dma_heap_allocation_data d = {
		.len = size, .fd_flags = mode | O_CLOEXEC,
	};
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC), ret;

	if (heap < 0)
		return -1;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d);
	close(heap);
	return ret ? -1 : (int)d.fd;
}

int vm_heap_alloc(uint64_t size, unsigned int mode)
{
	int fd;

	if (access("/dev/dma_heap/system", F_OK))
		vt_skip("no system dma-buf heap");
	fd = vm_try_heap_alloc(size, mode);
	VT_ASSERT_OK(fd);
	return fd;
}

int vm_try_udmabuf_alloc(uint64_t size)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = size };
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC), memfd, fd = -1;

	if (dev < 0)
		return -1;
	memfd = memfd_create("test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd >= 0 && ftruncate(memfd, (off_t)size) == 0 &&
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0) {
		c.memfd = (uint32_t)memfd;
		fd = ioctl(dev, UDMABUF_CREATE, &c);
	}
	if (memfd >= 0)
		close(memfd);
	close(dev);
	return fd;
}

int vm_udmabuf_alloc(uint64_t size)
{
	int fd;

	if (access("/dev/udmabuf", F_OK))
		vt_skip("no /dev/udmabuf");
	fd = vm_try_udmabuf_alloc(size);
	VT_ASSERT_OK(fd);
	return fd;
}
