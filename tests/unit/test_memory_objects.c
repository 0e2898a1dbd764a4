// SPDX-License-Identifier: MIT
/*
 * Memory objects on their own: allocation from the heap, the udmabuf
 * fallback, neither, OBJINVOKE_MEMORY; wrapping dma-bufs from elsewhere
 * and refusing other fds; the mapping and its size; retain and release,
 * which unmap and close exactly once; the CPU access brackets.  Every
 * failure path must leave no fd and no mapping behind (fake_mem.h checks
 * after each test).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#include "fake_mem.h"
#include "MinkCom.h"
#include "libobject.h"

#define HEAP	"/dev/dma_heap/system"
#define UDMABUF	"/dev/udmabuf"

static size_t page;

static int setup(void **state)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	return fake_mem_setup(state);
}

static void expect_heap(void)
{
	fake_expect_open_path(HEAP, O_RDONLY | O_CLOEXEC, fake_heap_device(),
			      0);
}

static void expect_no_heap(void)
{
	fake_expect_open_path(HEAP, O_RDONLY | O_CLOEXEC, -1, ENOENT);
}

static void expect_udmabuf(void)
{
	fake_expect_open_path(UDMABUF, O_RDWR | O_CLOEXEC,
			      fake_udmabuf_device(), 0);
}

static void expect_no_udmabuf(void)
{
	fake_expect_open_path(UDMABUF, O_RDWR | O_CLOEXEC, -1, ENOENT);
}

/* @mem is mapped read-write, @size bytes, zeroed, and writable. */
static void check_mapped(Object mem, size_t size)
{
	void *addr = NULL;
	size_t got = 0;

	assert_int_equal(MinkCom_getMemoryObjectInfo(mem, &addr, &got),
			 Object_OK);
	assert_non_null(addr);
	assert_int_equal(got, size);
	assert_int_equal(fake_mem_seen.mmap_prot, PROT_READ | PROT_WRITE);
	assert_int_equal(((char *)addr)[size - 1], 0);
	memset(addr, 0x5a, size);
}

static void test_heap(void **state)
{
	Object mem;
	int fd;

	expect_heap();
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page + 1, &mem),
			 Object_OK);
	assert_int_equal(fake_mem_seen.heap_len, 2 * page);
	assert_int_equal(fake_mem_seen.heap_fd_flags, O_RDWR | O_CLOEXEC);
	check_mapped(mem, 2 * page);
	fd = objinvoke_object_fd(mem);
	assert_true(fake_mem_is_open(fd));
	assert_int_equal(Object_release(mem), Object_OK);
	assert_false(fake_mem_is_open(fd));
}

static void test_udmabuf_fallback(void **state)
{
	Object mem;

	expect_no_heap();
	expect_udmabuf();
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, 5000, &mem),
			 Object_OK);
	assert_int_equal(fake_mem_seen.memfd_flags,
			 MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_int_equal(fake_mem_seen.udmabuf_size, 2 * page);
	assert_int_equal(fake_mem_seen.udmabuf_flags, UDMABUF_FLAGS_CLOEXEC);
	/* The memfd and the device are closed already: checked at the end. */
	check_mapped(mem, 2 * page);
	Object_release(mem);
}

static void test_neither(void **state)
{
	Object mem = { (ObjectInvoke)1, NULL };

	expect_no_heap();
	expect_no_udmabuf();
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_UNAVAIL);
	assert_true(Object_isNull(mem));
	assert_non_null(strstr(fake_log_buf, HEAP));
	assert_non_null(strstr(fake_log_buf, UDMABUF));
}

/* A heap that is there but refuses us is an answer: no fallback. */
static void test_heap_refuses(void **state)
{
	Object mem;

	fake_expect_open_path(HEAP, O_RDONLY | O_CLOEXEC, -1, EACCES);
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_AUTH);
	expect_heap();
	fake_alloc_errno = ENOMEM;
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_KMEM);
	assert_true(Object_isNull(mem));
}

static void test_forced_paths(void **state)
{
	Object mem;

	/* udmabuf even where the heap exists: the heap is never opened. */
	setenv("OBJINVOKE_MEMORY", "udmabuf", 1);
	expect_udmabuf();
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_OK);
	assert_int_equal(fake_mem_seen.udmabuf_size, page);
	Object_release(mem);

	/* heap only: its absence is final. */
	setenv("OBJINVOKE_MEMORY", "heap", 1);
	expect_no_heap();
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_UNAVAIL);
	expect_heap();
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_OK);
	Object_release(mem);

	setenv("OBJINVOKE_MEMORY", "udmabuf", 1);
	expect_no_udmabuf();
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_UNAVAIL);

	setenv("OBJINVOKE_MEMORY", "ion", 1);
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_INVALID);
	assert_non_null(strstr(fake_log_buf, "OBJINVOKE_MEMORY=ion"));
}

static void test_readonly(void **state)
{
	Object mem;
	void *addr;
	size_t size;

	expect_heap();
	assert_int_equal(objinvoke_memory_alloc(page, OBJINVOKE_MEMORY_READONLY,
						&mem), Object_OK);
	assert_int_equal(fake_mem_seen.heap_fd_flags, O_RDONLY | O_CLOEXEC);
	assert_int_equal(fake_mem_seen.mmap_prot, PROT_READ);
	assert_int_equal(fcntl(objinvoke_object_fd(mem), F_GETFL) & O_ACCMODE,
			 O_RDONLY);
	assert_int_equal(MinkCom_getMemoryObjectInfo(mem, &addr, &size),
			 Object_OK);
	assert_int_equal(size, page);
	assert_int_equal(((char *)addr)[0], 0);
	assert_int_equal(objinvoke_memory_begin_cpu(mem, OBJINVOKE_CPU_WRITE),
			 Object_ERROR_INVALID);
	assert_int_equal(objinvoke_memory_begin_cpu(mem, OBJINVOKE_CPU_READ),
			 Object_OK);
	assert_int_equal(objinvoke_memory_end_cpu(mem, OBJINVOKE_CPU_READ),
			 Object_OK);
	Object_release(mem);

	/* udmabuf cannot: refused before a memfd is made. */
	expect_no_heap();
	expect_udmabuf();
	assert_int_equal(objinvoke_memory_alloc(page, OBJINVOKE_MEMORY_READONLY,
						&mem), Object_ERROR_UNAVAIL);
	assert_int_equal(fake_mem_seen.memfd_flags, 0);
	assert_non_null(strstr(fake_log_buf, "read-only"));
}

static void test_alloc_arguments(void **state)
{
	Object mem;

	assert_int_equal(objinvoke_memory_alloc(page, 0, NULL),
			 Object_ERROR_INVALID);
	assert_int_equal(objinvoke_memory_alloc(0, 0, &mem),
			 Object_ERROR_INVALID);
	assert_int_equal(objinvoke_memory_alloc(SIZE_MAX, 0, &mem),
			 Object_ERROR_INVALID);
	assert_int_equal(objinvoke_memory_alloc(page, 2, &mem),
			 Object_ERROR_INVALID);
	assert_true(Object_isNull(mem));
}

/* Each step of the udmabuf path failing: memfd and device closed. */
static void test_udmabuf_failures(void **state)
{
	Object mem;

	setenv("OBJINVOKE_MEMORY", "udmabuf", 1);
	expect_udmabuf();
	fake_memfd_errno = EMFILE;
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_NOSLOTS);
	expect_udmabuf();
	fake_alloc_errno = EINVAL;
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_INVALID);
	assert_true(Object_isNull(mem));
}

/* A dma-buf that cannot be mapped, or wrapped, is closed. */
static void test_map_failures(void **state)
{
	Object mem = { (ObjectInvoke)1, NULL };

	expect_heap();
	fake_mmap_errno = ENOMEM;
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_KMEM);
	assert_true(Object_isNull(mem));

	expect_heap();
	fake_malloc_scripted = true;
	will_return(__wrap_malloc, false);
	assert_int_equal(MinkCom_getMemoryObject(Object_NULL, page, &mem),
			 Object_ERROR_KMEM);
	fake_malloc_scripted = false;
}

static void test_from_fd(void **state)
{
	Object mem;
	void *addr;
	size_t size;
	int fd = fake_dmabuf_new(3 * page, O_RDWR);

	assert_int_equal(objinvoke_memory_from_fd(fd, &mem), Object_OK);
	assert_int_equal(objinvoke_object_fd(mem), fd);
	check_mapped(mem, 3 * page);
	Object_release(mem);

	fd = fake_dmabuf_new(page, O_RDONLY);
	assert_int_equal(objinvoke_memory_from_fd(fd, &mem), Object_OK);
	assert_int_equal(fake_mem_seen.mmap_prot, PROT_READ);
	assert_int_equal(MinkCom_getMemoryObjectInfo(mem, &addr, &size),
			 Object_OK);
	assert_int_equal(size, page);
	Object_release(mem);
}

static void test_from_fd_refused(void **state)
{
	Object mem = { (ObjectInvoke)1, NULL };

	/* Not a dma-buf: refused and closed. */
	assert_int_equal(objinvoke_memory_from_fd(fake_plain_fd(), &mem),
			 Object_ERROR_BADOBJ);
	assert_true(Object_isNull(mem));
	assert_non_null(strstr(fake_log_buf, "not a dma-buf"));
	assert_int_equal(objinvoke_memory_from_fd(-1, &mem),
			 Object_ERROR_BADOBJ);
	/* A dma-buf of no size cannot be mapped. */
	assert_int_equal(objinvoke_memory_from_fd(fake_dmabuf_new(0, O_RDWR),
						  &mem), Object_ERROR_INVALID);
	/* No place for the object: the fd is still the library's to close. */
	assert_int_equal(objinvoke_memory_from_fd(fake_dmabuf_new(page, O_RDWR),
						  NULL), Object_ERROR_INVALID);
}

/* Copies share one mapping; the last release unmaps and closes once. */
static void test_retain_release(void **state)
{
	Object mem, copy;
	int fd = fake_dmabuf_new(page, O_RDWR);

	assert_int_equal(objinvoke_memory_from_fd(fd, &mem), Object_OK);
	copy = mem;
	assert_int_equal(Object_retain(copy), Object_OK);
	assert_int_equal(Object_retain(copy), Object_OK);
	Object_release(copy);
	Object_release(copy);
	assert_true(fake_mem_is_open(fd));
	Object_release(mem);
	assert_false(fake_mem_is_open(fd));
	/* A second close would have reached fake-sys's queue and failed. */
}

static void test_no_methods(void **state)
{
	ObjectArg a[1] = {{{0, 0}}};
	Object mem;
	char buf[4];

	assert_int_equal(objinvoke_memory_from_fd(fake_dmabuf_new(page, O_RDWR),
						  &mem), Object_OK);
	a[0].b = (ObjectBuf){ buf, sizeof(buf) };
	assert_int_equal(Object_invoke(mem, 0, a, ObjectCounts_pack(0, 1, 0, 0)),
			 Object_ERROR_INVALID);
	assert_int_equal(Object_invoke(mem, ObjectOp_LOCAL | 1, NULL, 0),
			 Object_ERROR_INVALID);
	Object_release(mem);
}

static void test_info_of_others(void **state)
{
	Object remote = fake_remote(40);
	void *addr = &addr;
	size_t size = 1;

	assert_int_equal(MinkCom_getMemoryObjectInfo(remote, &addr, &size),
			 Object_ERROR_INVALID);
	assert_null(addr);
	assert_int_equal(size, 0);
	assert_int_equal(MinkCom_getMemoryObjectInfo(Object_NULL, NULL, NULL),
			 Object_ERROR_INVALID);
	assert_int_equal(objinvoke_memory_begin_cpu(remote, OBJINVOKE_CPU_READ),
			 Object_ERROR_INVALID);
	fake_release(remote, 40);
}

static void test_sync(void **state)
{
	Object mem;

	assert_int_equal(objinvoke_memory_from_fd(fake_dmabuf_new(page, O_RDWR),
						  &mem), Object_OK);
	/* EINTR and EAGAIN are retried, as the kernel asks. */
	fake_sync_errno[0] = EINTR;
	fake_sync_errno[1] = EAGAIN;
	assert_int_equal(objinvoke_memory_begin_cpu(mem, OBJINVOKE_CPU_READ |
						    OBJINVOKE_CPU_WRITE),
			 Object_OK);
	assert_int_equal(fake_mem_seen.syncs, 3);
	assert_int_equal(fake_mem_seen.sync_flags[2],
			 DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	assert_int_equal(objinvoke_memory_end_cpu(mem, OBJINVOKE_CPU_WRITE),
			 Object_OK);
	assert_int_equal(fake_mem_seen.sync_flags[3],
			 DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	/* Other errors are reported; bad flags never reach the kernel. */
	fake_sync_errno[0] = EIO;
	assert_int_equal(objinvoke_memory_end_cpu(mem, OBJINVOKE_CPU_READ),
			 Object_ERROR_INVALID);
	assert_int_equal(objinvoke_memory_begin_cpu(mem, 0),
			 Object_ERROR_INVALID);
	assert_int_equal(objinvoke_memory_begin_cpu(mem, 4),
			 Object_ERROR_INVALID);
	assert_int_equal(fake_mem_seen.syncs, 5);
	Object_release(mem);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, fake_mem_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_heap),
		T(test_udmabuf_fallback),
		T(test_neither),
		T(test_heap_refuses),
		T(test_forced_paths),
		T(test_readonly),
		T(test_alloc_arguments),
		T(test_udmabuf_failures),
		T(test_map_failures),
		T(test_from_fd),
		T(test_from_fd_refused),
		T(test_retain_release),
		T(test_no_methods),
		T(test_info_of_others),
		T(test_sync),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
