// SPDX-License-Identifier: MIT
/*
 * Memory objects crossing boundaries: as input objects of an invocation
 * and output objects of a reply they are their dma-buf fds; output objects
 * and request input objects flagged OBJINVOKE_ARG_MEMORY become mapped
 * memory objects, and when one cannot be mapped the call fails with every
 * fd closed; over a UNIX socket they travel as the dma-buf and are mapped
 * on arrival.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "counting_obj.h"
#include "fake_mem.h"
#include "fake_server.h"
#include "MinkCom.h"
#include "libobject.h"

#define RFD	30
#define NONE	OBJINVOKE_FD_NONE
#define MEMFLAG	OBJINVOKE_ARG_MEMORY
#define HOST_HANDLE	1

static Object target;
static struct counting_obj host;
static uint64_t host_cookie;
static size_t page;

static int group_setup(void **state)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	fake_mem_install();
	target = fake_remote(RFD);
	fake_server_create();
	host_cookie = fake_register(target, RFD, counting_obj_init(&host), 60,
				    HOST_HANDLE);
	return 0;
}

static int group_teardown(void **state)
{
	fake_release_request(host_cookie, HOST_HANDLE);
	fake_release(target, RFD);
	return 0;
}

static int setup(void **state)
{
	host.handler = NULL;
	host.data = NULL;
	atomic_store(&host.calls, 0);
	fake_log_start();
	return 0;
}

static int teardown(void **state)
{
	fake_log_stop();
	fake_mem_check_clean();
	return 0;
}

/* A read-write memory object over a new fake dma-buf of @size bytes. */
static Object new_memory(size_t size)
{
	Object mem;

	assert_int_equal(objinvoke_memory_from_fd(fake_dmabuf_new(size, O_RDWR),
						  &mem), Object_OK);
	return mem;
}

static void *addr_of(Object mem)
{
	void *addr = NULL;

	assert_int_equal(MinkCom_getMemoryObjectInfo(mem, &addr, NULL),
			 Object_OK);
	return addr;
}

/* ---- invocations ---- */

/* One invocation of the target; with a server, pending requests are
 * looked for after it (none). */
static void expect_invoke(const struct fake_reply *reply)
{
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, reply);
	fake_expect_ioctl(FAKE_SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
}

static void test_input_is_dma_buf_fd(void **state)
{
	Object mem = new_memory(page);
	int fd = objinvoke_object_fd(mem);
	ObjectArg a[1] = {{{0, 0}}};

	a[0].o = mem;
	expect_invoke(&fake_ok);
	assert_int_equal(Object_invoke(target, 3, a,
				       ObjectCounts_pack(0, 0, 1, 0)),
			 Object_OK);
	assert_int_equal(fake_last.args[0].fd, fd);
	assert_int_equal(fake_last.args[0].flags, 0);
	/* Lent, not given: still ours. */
	assert_true(fake_mem_is_open(fd));
	Object_release(mem);
}

static void test_output_becomes_memory(void **state)
{
	int dfd = fake_dmabuf_new(2 * page, O_RDWR);
	struct fake_reply reply = { .fd = { 41, (uint32_t)dfd },
				    .flags = { 0, MEMFLAG } };
	ObjectArg a[2] = {{{0, 0}}};
	size_t size = 0;
	void *addr;

	expect_invoke(&reply);
	assert_int_equal(Object_invoke(target, 4, a,
				       ObjectCounts_pack(0, 0, 0, 2)),
			 Object_OK);
	assert_int_equal(objinvoke_object_fd(a[0].o), 41);
	assert_int_equal(MinkCom_getMemoryObjectInfo(a[0].o, &addr, &size),
			 Object_ERROR_INVALID);
	assert_int_equal(objinvoke_object_fd(a[1].o), dfd);
	assert_int_equal(MinkCom_getMemoryObjectInfo(a[1].o, &addr, &size),
			 Object_OK);
	assert_int_equal(size, 2 * page);
	fake_release(a[0].o, 41);
	Object_release(a[1].o);
}

/* The second output cannot be mapped: all three fds closed, once each. */
static void test_output_map_fails(void **state)
{
	int bad = fake_dmabuf_new(page, O_RDWR), next = fake_dmabuf_new(page,
									O_RDWR);
	struct fake_reply reply = {
		.fd = { 42, (uint32_t)bad, (uint32_t)next },
		.flags = { 0, MEMFLAG, MEMFLAG } };
	Object sentinel = { (ObjectInvoke)1, NULL };
	ObjectArg a[3] = {{{0, 0}}};
	size_t i;

	for (i = 0; i < 3; i++)
		a[i].o = sentinel;
	fake_mmap_errno = ENOMEM;
	expect_invoke(&reply);
	fake_expect_close(42);	/* the remote object wrapped first */
	assert_int_equal(Object_invoke(target, 4, a,
				       ObjectCounts_pack(0, 0, 0, 3)),
			 Object_ERROR_KMEM);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(a[i].o.invoke, sentinel.invoke);
	assert_false(fake_mem_is_open(bad));
	assert_false(fake_mem_is_open(next));
}

/* A kind of fd we do not know is not wrapped as anything. */
static void test_output_unknown_flags(void **state)
{
	int dfd = fake_dmabuf_new(page, O_RDWR);
	struct fake_reply reply = { .fd = { (uint32_t)dfd },
				    .flags = { MEMFLAG | 2 } };
	ObjectArg a[1] = {{{0, 0}}};

	expect_invoke(&reply);
	assert_int_equal(Object_invoke(target, 4, a,
				       ObjectCounts_pack(0, 0, 0, 1)),
			 Object_ERROR_REMOTE);
	assert_true(Object_isNull(a[0].o));
}

/* ---- requests ---- */

static struct fake_request host_request(uint64_t id, ObjectCounts k)
{
	struct fake_request r = { .id = id, .cookie = host_cookie,
				  .handle = HOST_HANDLE,
				  .kind = OBJINVOKE_REQUEST_INVOKE,
				  .op = 8, .counts = k };
	size_t i;

	for (i = 0; i < ObjectCounts_total(k); i++)
		r.args[i].fd = NONE;
	return r;
}

/* The callee reads what the invoker wrote and writes its answer in place. */
static int32_t use_memory(struct counting_obj *c, ObjectOp op, ObjectArg *a,
			  ObjectCounts k)
{
	char *p = addr_of(a[0].o);

	assert_int_equal(objinvoke_memory_begin_cpu(a[0].o, OBJINVOKE_CPU_READ |
						    OBJINVOKE_CPU_WRITE),
			 Object_OK);
	assert_memory_equal(p, "ping", 4);
	memcpy(p + 8, "pong", 4);
	return objinvoke_memory_end_cpu(a[0].o, OBJINVOKE_CPU_READ |
					OBJINVOKE_CPU_WRITE);
}

static void test_request_input_memory(void **state)
{
	int dfd = fake_dmabuf_new(page, O_RDWR), mine = dup(dfd);
	struct fake_request req = host_request(5, ObjectCounts_pack(0, 0, 1, 0));
	char back[4];

	assert_int_equal(pwrite(mine, "ping", 4, 0), 4);
	req.args[0].fd = (uint32_t)dfd;
	req.args[0].flags = MEMFLAG;
	host.handler = use_memory;
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result, Object_OK);
	assert_int_equal(atomic_load(&host.calls), 1);
	/* The library's object for the call is gone: unmapped and closed. */
	assert_false(fake_mem_is_open(dfd));
	assert_int_equal(pread(mine, back, 4, 8), 4);
	assert_memory_equal(back, "pong", 4);
	assert_int_equal(__real_close(mine), 0);
}

static void test_request_input_map_fails(void **state)
{
	int dfd = fake_dmabuf_new(page, O_RDWR);
	struct fake_request req = host_request(6, ObjectCounts_pack(0, 0, 2, 0));

	req.args[0].fd = (uint32_t)dfd;
	req.args[0].flags = MEMFLAG;
	req.args[1].fd = 73;
	fake_mmap_errno = EACCES;
	fake_expect_close(73);
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result,
			 (uint32_t)Object_ERROR_AUTH);
	assert_int_equal(atomic_load(&host.calls), 0);
	assert_false(fake_mem_is_open(dfd));
}

static void test_request_unknown_flags(void **state)
{
	struct fake_request req = host_request(7, ObjectCounts_pack(0, 0, 1, 0));

	req.args[0].fd = 74;
	req.args[0].flags = 4;
	fake_expect_close(74);
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result,
			 (uint32_t)Object_ERROR_INVALID);
	assert_int_equal(atomic_load(&host.calls), 0);
}

/* The callee hands back a memory object: a new reference, as Mink wants. */
static int32_t give_memory(struct counting_obj *c, ObjectOp op, ObjectArg *a,
			   ObjectCounts k)
{
	Object *mem = c->data;

	Object_retain(*mem);
	a[0].o = *mem;
	return Object_OK;
}

static void test_reply_output_memory(void **state)
{
	Object mem = new_memory(page);
	struct fake_request req = host_request(8, ObjectCounts_pack(0, 0, 0, 1));

	host.handler = give_memory;
	host.data = &mem;
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result, Object_OK);
	assert_int_equal(fake_last_reply.args[0].fd, objinvoke_object_fd(mem));
	assert_int_equal(fake_last_reply.args[0].flags, 0);
	/* The reply's reference was dropped after the reply; ours remains. */
	assert_true(fake_mem_is_open(objinvoke_object_fd(mem)));
	Object_release(mem);
}

/* ---- sockets ---- */

static void test_socket(void **state)
{
	Object mem = new_memory(page), got;
	size_t size = 0;
	void *addr;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	assert_int_equal(objinvoke_send_object(sv[0], mem), Object_OK);
	assert_int_equal(objinvoke_recv_object(sv[1], &got), Object_OK);
	assert_int_not_equal(objinvoke_object_fd(got),
			     objinvoke_object_fd(mem));
	assert_int_equal(MinkCom_getMemoryObjectInfo(got, &addr, &size),
			 Object_OK);
	assert_int_equal(size, page);
	/* Two mappings of the same pages. */
	memcpy(addr_of(mem), "shared", 6);
	assert_memory_equal(addr, "shared", 6);
	Object_release(got);
	Object_release(mem);
	assert_int_equal(__real_close(sv[0]), 0);
	assert_int_equal(__real_close(sv[1]), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_input_is_dma_buf_fd),
		T(test_output_becomes_memory),
		T(test_output_map_fails),
		T(test_output_unknown_flags),
		T(test_request_input_memory),
		T(test_request_input_map_fails),
		T(test_request_unknown_flags),
		T(test_reply_output_memory),
		T(test_socket),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
