// SPDX-License-Identifier: MIT
/*
 * test_abi: the invoke ioctl and /dev/objinvoke with raw syscalls, one case
 * per rule of docs/uapi.md, each bad input showing its errno and leaving
 * no fd behind (the harness counts fds around every case).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ITestService.h"
#include "vmharness.h"
#include "vmutil.h"

/* An invoke ioctl number for a struct of another size. */
#define INVOKE_SIZED(n) _IOC(_IOC_READ | _IOC_WRITE, OBJINVOKE_IOC_MAGIC, 0x00, n)

static void echo_args(struct objinvoke_arg *a, const char *in, char *out,
		      size_t out_len)
{
	a[0] = vm_buf(in, strlen(in));
	a[1] = vm_buf(out, out_len);
}

static void raw_echo_round_trip(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct objinvoke_arg a[2];
	char out[32] = { 0 };
	int32_t result;

	echo_args(a, "hello, TEE", out, sizeof(out));
	VT_ASSERT_OK(vm_invoke_raw(svc, ITestService_OP_echo,
				   ObjectCounts_pack(1, 1, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(a[1].size, 10);
	VT_ASSERT_MEM_EQ(out, "hello, TEE", 10);
	close(svc);
}

static void output_fds_are_cloexec(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	int flags = fcntl(svc, F_GETFD);

	VT_ASSERT_OK(flags);
	VT_ASSERT(flags & FD_CLOEXEC);
	close(svc);
}

static void bad_args_pointer_is_efault(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct objinvoke_invoke inv = {
		.op = ITestService_OP_echo,
		.counts = ObjectCounts_pack(1, 1, 0, 0),
		.args = 0x10,
	};

	VT_ASSERT_ERRNO(ioctl(svc, OBJINVOKE_IOC_INVOKE, &inv), EFAULT);
	VT_ASSERT_ERRNO(ioctl(svc, OBJINVOKE_IOC_INVOKE, (void *)0x10), EFAULT);
	close(svc);
}

static void bad_buffer_pointer_is_efault(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct objinvoke_arg a[2];
	char out[8];

	a[0] = vm_buf((void *)0x1000, 8);	/* unmapped input */
	a[1] = vm_buf(out, sizeof(out));
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_echo,
				      ObjectCounts_pack(1, 1, 0, 0), a, NULL),
			EFAULT);

	/* An output buffer the kernel cannot write back. */
	a[0] = vm_buf("12345678", 8);
	a[1] = vm_buf((void *)0x1000, 8);
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_echo,
				      ObjectCounts_pack(1, 1, 0, 0), a, NULL),
			EFAULT);
	close(svc);
}

static void counts_upper_bits_are_einval(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct objinvoke_arg a[2];
	char out[8];

	echo_args(a, "x", out, sizeof(out));
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_echo,
				      ObjectCounts_pack(1, 1, 0, 0) | 0x10000,
				      a, NULL), EINVAL);
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_echo | 0x10000,
				      ObjectCounts_pack(1, 1, 0, 0), a, NULL),
			EINVAL);
	close(svc);
}

static void release_and_retain_are_refused(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);

	VT_ASSERT_ERRNO(vm_invoke_raw(svc, Object_OP_release, 0, NULL, NULL),
			EINVAL);
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, Object_OP_retain, 0, NULL, NULL),
			EINVAL);
	close(svc);
}

static void reserved_fields_must_be_zero(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct objinvoke_invoke inv = { .op = ITestService_OP_liveObjects };
	struct objinvoke_arg a[2];
	uint32_t n;
	char out[8];

	inv.flags = 1;
	VT_ASSERT_ERRNO(ioctl(svc, OBJINVOKE_IOC_INVOKE, &inv), EINVAL);
	inv.flags = 0;
	inv.reserved = 1;
	VT_ASSERT_ERRNO(ioctl(svc, OBJINVOKE_IOC_INVOKE, &inv), EINVAL);
	inv.reserved = 0;
	inv.result = 5;
	VT_ASSERT_ERRNO(ioctl(svc, OBJINVOKE_IOC_INVOKE, &inv), EINVAL);

	a[0] = vm_buf(&n, sizeof(n));
	a[0].flags = 1;
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_liveObjects,
				      ObjectCounts_pack(0, 1, 0, 0), a, NULL),
			EINVAL);
	/* A buffer with an fd, an object with an address. */
	a[0] = vm_buf(&n, sizeof(n));
	a[0].fd = 0;
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_liveObjects,
				      ObjectCounts_pack(0, 1, 0, 0), a, NULL),
			EINVAL);
	a[0] = vm_buf(out, 4);
	a[1] = vm_obj(-1);
	a[1].addr = (uintptr_t)out;
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_readCounter,
				      ObjectCounts_pack(0, 1, 1, 0), a, NULL),
			EINVAL);
	/* An output object slot must come in empty. */
	a[0] = vm_buf(&n, sizeof(n));
	a[1] = vm_obj(svc);
	n = 1;
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_newCounter,
				      ObjectCounts_pack(1, 0, 0, 1), a, NULL),
			EINVAL);
	close(svc);
}

static void oversized_buffers_are_e2big(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	size_t big = OBJINVOKE_MAX_BUF_BYTES;
	struct objinvoke_arg a[2];
	char *p = mmap(NULL, big, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	VT_ASSERT(p != MAP_FAILED);
	/* Each alone fits; together they pass the bound. */
	a[0] = vm_buf(p, big / 2 + 1);
	a[1] = vm_buf(p, big / 2);
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_echo,
				      ObjectCounts_pack(1, 1, 0, 0), a, NULL),
			E2BIG);
	a[0] = vm_buf(p, (uint64_t)1 << 40);
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_echo,
				      ObjectCounts_pack(1, 0, 0, 0), a, NULL),
			E2BIG);
	munmap(p, big);
	close(svc);
}

static void largest_buffers_work(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	size_t half = OBJINVOKE_MAX_BUF_BYTES / 2;
	struct objinvoke_arg a[2];
	char *in = malloc(half), *out = malloc(half);
	int32_t result;

	VT_ASSERT(in && out);
	for (size_t i = 0; i < half; i++)
		in[i] = (char)(i * 7 + 3);
	a[0] = vm_buf(in, half);
	a[1] = vm_buf(out, half);
	VT_ASSERT_OK(vm_invoke_raw(svc, ITestService_OP_echo,
				   ObjectCounts_pack(1, 1, 0, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(a[1].size, half);
	VT_ASSERT_MEM_EQ(in, out, half);
	free(in);
	free(out);
	close(svc);
}

static void closed_fd_as_object_is_ebadf(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	int dead = dup(svc);
	struct objinvoke_arg a[2];
	uint32_t v;

	close(dead);
	a[0] = vm_buf(&v, sizeof(v));
	a[1] = vm_obj(dead);
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_readCounter,
				      ObjectCounts_pack(0, 1, 1, 0), a, NULL),
			EBADF);
	a[1] = vm_obj(0x7ffffff0);
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_readCounter,
				      ObjectCounts_pack(0, 1, 1, 0), a, NULL),
			EBADF);
	close(svc);
}

static void other_fds_are_not_objects(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
	int sv[2];
	struct objinvoke_arg a[2];
	uint32_t v;

	VT_ASSERT_OK(file);
	VT_ASSERT_OK(dev);
	VT_ASSERT_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	int bad[] = { file, dev, sv[0] };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a[0] = vm_buf(&v, sizeof(v));
		a[1] = vm_obj(bad[i]);
		VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_readCounter,
					      ObjectCounts_pack(0, 1, 1, 0), a,
					      NULL), EINVAL);
		/* And none of them can be invoked. */
		VT_ASSERT_ERRNO(vm_invoke_raw(bad[i], 0, 0, NULL, NULL),
				ENOTTY);
	}
	close(file);
	close(dev);
	close(sv[0]);
	close(sv[1]);
	close(svc);
}

static void smaller_struct_is_einval(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct objinvoke_invoke inv = { .op = ITestService_OP_liveObjects };

	/* Version 1 ended at ->reserved: 32 bytes is the least. */
	VT_ASSERT_ERRNO(ioctl(svc, INVOKE_SIZED(24), &inv), EINVAL);
	VT_ASSERT_ERRNO(ioctl(svc, INVOKE_SIZED(8), &inv), EINVAL);
	close(svc);
}

static void version_1_struct_still_works(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct objinvoke_invoke inv = { .op = ITestService_OP_liveObjects };
	struct objinvoke_arg a[1];
	uint32_t n = 0;

	a[0] = vm_buf(&n, sizeof(n));
	inv.counts = ObjectCounts_pack(0, 1, 0, 0);
	inv.args = (uintptr_t)a;
	inv.state = 77;	/* past version 1: neither read nor written */
	VT_ASSERT_OK(ioctl(svc, INVOKE_SIZED(32), &inv));
	VT_ASSERT_EQ((int32_t)inv.result, Object_OK);
	VT_ASSERT_GT(n, 0);
	VT_ASSERT_EQ(inv.state, 77);
	close(svc);
}

static void larger_struct_needs_zero_tail(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct {
		struct objinvoke_invoke inv;
		uint64_t future[2];
	} big = { { 0 }, { 0, 0 } };
	struct objinvoke_arg a[1];
	uint32_t n = 0;

	a[0] = vm_buf(&n, sizeof(n));
	big.inv.op = ITestService_OP_liveObjects;
	big.inv.counts = ObjectCounts_pack(0, 1, 0, 0);
	big.inv.args = (uintptr_t)a;
	VT_ASSERT_OK(ioctl(svc, INVOKE_SIZED(sizeof(big)), &big));
	VT_ASSERT_EQ((int32_t)big.inv.result, Object_OK);
	VT_ASSERT_GT(n, 0);

	big.inv.result = 0;
	big.future[1] = 1;
	VT_ASSERT_ERRNO(ioctl(svc, INVOKE_SIZED(sizeof(big)), &big), E2BIG);
	close(svc);
}

static void unknown_ioctls_are_enotty(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	int dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
	struct objinvoke_get_object g = { 0 };

	VT_ASSERT_OK(dev);
	VT_ASSERT_ERRNO(ioctl(svc, _IOWR(OBJINVOKE_IOC_MAGIC, 0x7f, int), &g),
			ENOTTY);
	VT_ASSERT_ERRNO(ioctl(svc, OBJINVOKE_IOC_GET_ROOT, &g), ENOTTY);
	VT_ASSERT_ERRNO(ioctl(dev, OBJINVOKE_IOC_INVOKE, &g), ENOTTY);
	close(dev);
	close(svc);
}

static void get_object_checks_reserved(void)
{
	int dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
	struct objinvoke_get_object g = { .flags = 1 };

	VT_ASSERT_OK(dev);
	VT_ASSERT_ERRNO(ioctl(dev, OBJINVOKE_IOC_GET_ROOT, &g), EINVAL);
	g.flags = 0;
	g.reserved = 1;
	VT_ASSERT_ERRNO(ioctl(dev, OBJINVOKE_IOC_GET_CREDENTIALS, &g), EINVAL);
	VT_ASSERT_ERRNO(ioctl(dev, OBJINVOKE_IOC_GET_ROOT, NULL), EFAULT);
	close(dev);
}

static void root_accepts_only_register(void)
{
	int root = vm_root_fd();
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int svc = vm_service_fd_raw(ITestService_UID);
	struct objinvoke_arg a[2];
	uint32_t ops[] = { 0, 4, 8, 9 };

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		VT_ASSERT_ERRNO(vm_invoke_raw(root, ops[i], 0, NULL, NULL),
				EPERM);
	/* Register with something that is not kernel credentials. */
	a[0] = vm_obj(svc);
	a[1] = vm_obj(-1);
	VT_ASSERT_ERRNO(vm_invoke_raw(root, 5, ObjectCounts_pack(0, 0, 1, 1), a,
				      NULL), EPERM);
	/* Right method, wrong shape. */
	VT_ASSERT_ERRNO(vm_invoke_raw(root, 5, ObjectCounts_pack(0, 0, 1, 0), a,
				      NULL), EPERM);
	close(file);
	close(svc);
	close(root);
}

/* The answer cannot be written back: no fd may appear, the object goes. */
static void unwritable_answer_installs_no_fd(void)
{
	Object osvc = vm_open_service(ITestService_UID);
	uint32_t base = vm_settled_live_objects(osvc), value = 1;
	int svc = vm_service_fd_raw(ITestService_UID);
	long page = sysconf(_SC_PAGESIZE);
	struct objinvoke_arg *a = mmap(NULL, (size_t)page,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fds_before;

	VT_ASSERT(a != MAP_FAILED);
	a[0] = vm_buf(&value, sizeof(value));
	a[1] = vm_obj(-1);
	VT_ASSERT_OK(mprotect(a, (size_t)page, PROT_READ));
	fds_before = vt_count_fds();
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_newCounter,
				      ObjectCounts_pack(1, 0, 0, 1), a, NULL),
			EFAULT);
	VT_ASSERT_EQ(vt_count_fds(), fds_before);
	vm_expect_live_objects(osvc, base + 1);	/* svc's own */
	munmap(a, (size_t)page);
	close(svc);
	vm_expect_live_objects(osvc, base);
	Object_release(osvc);
}

/* No room in the fd table for the outputs: EMFILE, nothing half-done. */
static void full_fd_table_is_emfile(void)
{
	int svc = vm_service_fd_raw(ITestService_UID);
	struct rlimit old, low;
	struct objinvoke_arg a[2];
	uint32_t value = 1;

	VT_ASSERT_OK(getrlimit(RLIMIT_NOFILE, &old));
	/* The limit at the lowest free fd number: no fd can be had. */
	low = old;
	for (low.rlim_cur = 0; fcntl((int)low.rlim_cur, F_GETFD) != -1;
	     low.rlim_cur++)
		;
	VT_ASSERT_OK(setrlimit(RLIMIT_NOFILE, &low));
	a[0] = vm_buf(&value, sizeof(value));
	a[1] = vm_obj(-1);
	VT_ASSERT_ERRNO(vm_invoke_raw(svc, ITestService_OP_newCounter,
				      ObjectCounts_pack(1, 0, 0, 1), a, NULL),
			EMFILE);
	VT_ASSERT_EQ(a[1].fd, OBJINVOKE_FD_NONE);
	VT_ASSERT_OK(setrlimit(RLIMIT_NOFILE, &old));
	close(svc);
}

/* The other ioctls take smaller and larger structs like INVOKE does. */
static void get_object_struct_sizes(void)
{
	int dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
	struct {
		struct objinvoke_get_object g;
		uint64_t future;
	} big = { { 0 }, 0 };
	unsigned long nr = _IOC_NR(OBJINVOKE_IOC_GET_ROOT);

	VT_ASSERT_OK(dev);
	VT_ASSERT_ERRNO(ioctl(dev, _IOC(_IOC_READ | _IOC_WRITE,
					OBJINVOKE_IOC_MAGIC, nr, 4), &big),
			EINVAL);
	VT_ASSERT_OK(ioctl(dev, _IOC(_IOC_READ | _IOC_WRITE,
				     OBJINVOKE_IOC_MAGIC, nr, sizeof(big)), &big));
	VT_ASSERT_GE((int)big.g.fd, 0);
	close((int)big.g.fd);
	big.g.fd = 0;
	big.future = 1;
	VT_ASSERT_ERRNO(ioctl(dev, _IOC(_IOC_READ | _IOC_WRITE,
					OBJINVOKE_IOC_MAGIC, nr, sizeof(big)),
			      &big), E2BIG);
	close(dev);
}

static void emulator_device_is_exclusive(void)
{
	/* The VM's emulator holds it. */
	VT_ASSERT_ERRNO(open(OBJINVOKE_EMU_DEVICE, O_RDWR | O_CLOEXEC), EBUSY);
}

static const struct vt_case cases[] = {
	VT_CASE(raw_echo_round_trip),
	VT_CASE(output_fds_are_cloexec),
	VT_CASE(bad_args_pointer_is_efault),
	VT_CASE(bad_buffer_pointer_is_efault),
	VT_CASE(counts_upper_bits_are_einval),
	VT_CASE(release_and_retain_are_refused),
	VT_CASE(reserved_fields_must_be_zero),
	VT_CASE(oversized_buffers_are_e2big),
	VT_CASE(largest_buffers_work),
	VT_CASE(closed_fd_as_object_is_ebadf),
	VT_CASE(other_fds_are_not_objects),
	VT_CASE(smaller_struct_is_einval),
	VT_CASE(version_1_struct_still_works),
	VT_CASE(larger_struct_needs_zero_tail),
	VT_CASE(unknown_ioctls_are_enotty),
	VT_CASE(get_object_checks_reserved),
	VT_CASE(root_accepts_only_register),
	VT_CASE(unwritable_answer_installs_no_fd),
	VT_CASE(full_fd_table_is_emfile),
	VT_CASE(get_object_struct_sizes),
	VT_CASE(emulator_device_is_exclusive),
};

VT_MAIN(cases)
