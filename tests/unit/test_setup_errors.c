// SPDX-License-Identifier: MIT
/*
 * What a new user reads when setting up fails: each failure a first run
 * meets (no module, no TEE, device nodes not theirs, no memory allocator
 * in the kernel) gives its Object result and, in the log, one line that
 * says what to do.  The lines are compared whole: they are what
 * docs/libobject.md ("Diagnostics") shows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fake_mem.h"
#include "MinkCom.h"
#include "libobject.h"

#define HEAP	"/dev/dma_heap/system"
#define UDMABUF	"/dev/udmabuf"
#define SEE_RULE \
	"(see the udev rule, docs/packaging.md: join group objinvoke)"


static void test_module_not_loaded(void **state)
{
	Object root;

	fake_expect_open(-1, ENOENT);
	assert_int_equal(MinkCom_getRootEnvObject(&root), Object_ERROR_UNAVAIL);
	assert_string_equal(fake_log_buf,
		"open /dev/objinvoke: errno 2: module not loaded (modprobe objinvoke)");
}

static void test_objinvoke_permission(void **state)
{
	Object root;

	fake_expect_open(-1, EACCES);
	assert_int_equal(MinkCom_getRootEnvObject(&root), Object_ERROR_AUTH);
	assert_string_equal(fake_log_buf,
		"open /dev/objinvoke: errno 13: permission denied " SEE_RULE);
}

/* GET_ROOT works without a TEE; the root's first invocation tells. */
static void test_no_tee(void **state)
{
	struct fake_reply defunct = {
		.result = (uint32_t)Object_ERROR_DEFUNCT,
	};
	Object root = fake_remote(20), env;

	fake_expect_ioctl(20, OBJINVOKE_IOC_INVOKE, &defunct);
	assert_int_equal(MinkCom_getClientEnvObject(root, &env),
			 Object_ERROR_DEFUNCT);
	assert_string_equal(fake_log_buf,
		"no TEE attached (start objinvoke-emu, or systemctl start objinvoke-emu): the root object answered Object_ERROR_DEFUNCT");
	fake_release(root, 20);
}

static void test_heap_permission(void **state)
{
	Object mem;

	fake_expect_open_path(HEAP, O_RDONLY | O_CLOEXEC, -1, EACCES);
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, 4096, &mem),
			 Object_ERROR_AUTH);
	assert_string_equal(fake_log_buf,
		"open /dev/dma_heap/system: errno 13: permission denied " SEE_RULE);
}

static void test_udmabuf_permission(void **state)
{
	Object mem;

	fake_expect_open_path(HEAP, O_RDONLY | O_CLOEXEC, -1, ENOENT);
	fake_expect_open_path(UDMABUF, O_RDWR | O_CLOEXEC, -1, EPERM);
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, 4096, &mem),
			 Object_ERROR_AUTH);
	assert_string_equal(fake_log_buf,
		"open /dev/udmabuf: errno 1: permission denied " SEE_RULE);
}

/* Debian's stock kernel: neither allocator, whatever the rule says. */
static void test_no_allocator(void **state)
{
	Object mem;

	fake_expect_open_path(HEAP, O_RDONLY | O_CLOEXEC, -1, ENOENT);
	fake_expect_open_path(UDMABUF, O_RDWR | O_CLOEXEC, -1, ENOENT);
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, 4096, &mem),
			 Object_ERROR_UNAVAIL);
	assert_string_equal(fake_log_buf,
		"no shareable memory: neither /dev/dma_heap/system nor /dev/udmabuf exists (the kernel needs CONFIG_DMABUF_HEAPS_SYSTEM or CONFIG_UDMABUF, docs/packaging.md)");
}

/* A forced path names the one device missing and what provides it. */
static void test_forced_path_missing(void **state)
{
	Object mem;

	setenv("OBJINVOKE_MEMORY", "heap", 1);
	fake_expect_open_path(HEAP, O_RDONLY | O_CLOEXEC, -1, ENOENT);
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, 4096, &mem),
			 Object_ERROR_UNAVAIL);
	assert_string_equal(fake_log_buf,
		"open /dev/dma_heap/system: errno 2: no dma-buf heap (a kernel without CONFIG_DMABUF_HEAPS_SYSTEM)");

	setenv("OBJINVOKE_MEMORY", "udmabuf", 1);
	fake_expect_open_path(UDMABUF, O_RDWR | O_CLOEXEC, -1, ENODEV);
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, 4096, &mem),
			 Object_ERROR_UNAVAIL);
	assert_string_equal(fake_log_buf,
		"open /dev/udmabuf: errno 19: no udmabuf (a kernel without CONFIG_UDMABUF, or modprobe udmabuf)");
}

/* An errno with no advice keeps the plain line. */
static void test_other_errno(void **state)
{
	Object root;

	fake_expect_open(-1, EMFILE);
	assert_int_equal(MinkCom_getRootEnvObject(&root),
			 Object_ERROR_NOSLOTS);
	assert_string_equal(fake_log_buf, "open /dev/objinvoke: errno 24");
}

/* Each case from a fresh fake, checked clean after. */
#define T(f) cmocka_unit_test_setup_teardown(f, fake_mem_setup, fake_mem_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_module_not_loaded),
		T(test_objinvoke_permission),
		T(test_no_tee),
		T(test_heap_permission),
		T(test_udmabuf_permission),
		T(test_no_allocator),
		T(test_forced_path_missing),
		T(test_other_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
