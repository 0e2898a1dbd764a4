// SPDX-License-Identifier: MIT
/*
 * test_failslab: make the Nth kernel allocation of this thread fail, for
 * every N along the invoke path (fail-nth with failslab), and check each
 * time that the call either succeeds or fails cleanly, with nothing leaked
 * in the emulator's table or in our fd table (kmemleak checks the kernel
 * side at the end of the VM run).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ITestService.h"
#include "vmharness.h"
#include "vmutil.h"

#define FAILSLAB "/sys/kernel/debug/failslab/"

static void write_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		vt_skip("%s: %s", path, strerror(errno));
	VT_ASSERT_EQ(write(fd, value, strlen(value)), (ssize_t)strlen(value));
	close(fd);
}

/* Fail the nth slab allocation of this thread from now on (0: none). */
static int fail_nth_fd(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth",
		 (long)syscall(SYS_gettid));
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		vt_skip("%s: %s", path, strerror(errno));
	return fd;
}

static void arm(int fd, unsigned int nth)
{
	char v[16];
	int len = snprintf(v, sizeof(v), "%u", nth);

	VT_ASSERT_EQ(pwrite(fd, v, (size_t)len, 0), len);
}

/* Whether the armed failure was consumed (fail-nth reads back 0). */
static int fired(int fd)
{
	char v[16] = { 0 };

	VT_ASSERT_GT(pread(fd, v, sizeof(v) - 1, 0), 0);
	return atoi(v) == 0;
}

static void enable_failslab(void)
{
	/* Sleeping allocations are what the module makes. */
	write_file(FAILSLAB "ignore-gfp-wait", "N");
	write_file(FAILSLAB "verbose", "0");
}

/* One invocation that yields one output object on success. */
typedef int (*invoke_fn)(int target, struct objinvoke_arg *a,
			 int32_t *result);

static int new_counter(int svc, struct objinvoke_arg *a, int32_t *result)
{
	static uint32_t value = 4;

	a[0] = vm_buf(&value, sizeof(value));
	a[1] = vm_obj(-1);
	return vm_invoke_raw(svc, ITestService_OP_newCounter,
			     ObjectCounts_pack(1, 0, 0, 1), a, result);
}

/* Registration: the kernel makes credentials, the TEE calls them back. */
static int register_env(int root, struct objinvoke_arg *a, int32_t *result)
{
	a[0] = vm_obj(-1);
	a[1] = vm_obj(-1);
	return vm_invoke_raw(root, 5, ObjectCounts_pack(0, 0, 1, 1), a,
			     result);
}

/*
 * Fail allocation 1, 2, ... of fn until one run needs fewer allocations
 * than that; each run must succeed or fail cleanly.
 */
static void fail_each_allocation(const char *what, int target, invoke_fn fn)
{
	Object osvc = vm_open_service(ITestService_UID);
	uint32_t base = vm_settled_live_objects(osvc);
	int fd = fail_nth_fd();
	unsigned int nth, clean = 0;

	for (nth = 1; nth < 200 && !clean; nth++) {
		struct objinvoke_arg a[2];
		int32_t result = 0;
		int ret, err;

		arm(fd, nth);
		ret = fn(target, a, &result);
		err = errno;
		int hit = fired(fd);

		arm(fd, 0);
		if (!hit) {
			/* Fewer allocations than nth: the path is covered. */
			VT_ASSERT_OK(ret);
			VT_ASSERT_EQ(result, Object_OK);
			clean = nth;
		} else if (ret == -1) {
			VT_ASSERT(err == ENOMEM || err == EMFILE);
			continue;
		} else if (result != Object_OK) {
			VT_ASSERT(result == Object_ERROR_KMEM ||
				  result == Object_ERROR_MEM);
			continue;
		}
		close((int)a[1].fd);
	}
	VT_ASSERT_GT(clean, 1);
	vt_log("%s survived a failure at each of its %u allocations", what,
	       clean - 1);
	close(fd);
	vm_expect_live_objects(osvc, base);
	Object_release(osvc);
}

static void new_counter_may_fail_anywhere(void)
{
	int svc;

	enable_failslab();
	svc = vm_service_fd_raw(ITestService_UID);
	fail_each_allocation("newCounter", svc, new_counter);
	close(svc);
}

static void registration_may_fail_anywhere(void)
{
	int root;

	enable_failslab();
	root = vm_root_fd();
	fail_each_allocation("register", root, register_env);
	close(root);
}

static const struct vt_case cases[] = {
	VT_CASE_TIMEOUT(new_counter_may_fail_anywhere, 300),
	VT_CASE_TIMEOUT(registration_may_fail_anywhere, 300),
};

VT_MAIN(cases)
