// SPDX-License-Identifier: MIT
/*
 * Serving requests: the same-thread loop (INVOKE says REQUEST, the
 * library serves it and replies until the state is DONE), the translation
 * of every argument kind both ways, the request buffer growing on ENOSPC,
 * and malformed requests, which are refused without calling the object
 * and without leaking the fds they carried.
 */
#include <errno.h>
#include <string.h>

#include "counting_obj.h"
#include "fake_server.h"
#include "libobject.h"

#define SFD	FAKE_SFD
#define RFD	30
#define NONE	OBJINVOKE_FD_NONE

static Object target;
static struct counting_obj host;	/* the object the "TEE" calls back */
static Object host_obj;
static uint64_t host_cookie;
#define HOST_HANDLE	1

static int group_setup(void **state)
{
	target = fake_remote(RFD);
	fake_server_create();
	host_obj = counting_obj_init(&host);
	host_cookie = fake_register(target, RFD, host_obj, 60, HOST_HANDLE);
	return 0;
}

static int group_teardown(void **state)
{
	fake_release_request(host_cookie, HOST_HANDLE);
	assert_int_equal(atomic_load(&host.releases), 1);
	fake_release(target, RFD);
	return 0;
}

static int setup(void **state)
{
	host.handler = NULL;
	atomic_store(&host.calls, 0);
	fake_log_start();
	return 0;
}

static int teardown(void **state)
{
	fake_log_stop();
	return 0;
}

/* A request to the host object: op, counts, no arguments yet. */
static struct fake_request host_request(uint64_t id, uint32_t op,
					ObjectCounts k)
{
	struct fake_request r = { .id = id, .cookie = host_cookie,
				  .handle = HOST_HANDLE,
				  .kind = OBJINVOKE_REQUEST_INVOKE,
				  .op = op, .counts = k };
	size_t i;

	for (i = 0; i < ObjectCounts_total(k); i++)
		r.args[i].fd = NONE;
	return r;
}

/* ---- every argument kind, on the invoking thread ---- */

static struct counting_obj second;	/* a local object handed back */

static int32_t all_kinds(struct counting_obj *c, ObjectOp op,
			 ObjectArg *a, ObjectCounts k)
{
	assert_int_equal(op, 0x21);
	assert_int_equal(k, ObjectCounts_pack(2, 2, 2, 2));
	assert_int_equal(a[0].bi.size, 3);
	assert_memory_equal(a[0].bi.ptr, "abc", 3);
	assert_int_equal(a[1].bi.size, 5);
	assert_memory_equal(a[1].bi.ptr, "defgh", 5);
	/* Output buffers: zeroed library space of the reserved sizes. */
	assert_int_equal(a[2].b.size, 8);
	assert_int_equal(a[3].b.size, 4);
	assert_int_equal(((char *)a[2].b.ptr)[7], 0);
	memcpy(a[2].b.ptr, "xy", 2);
	a[2].b.size = 2;
	memcpy(a[3].b.ptr, "1234", 4);
	/* Input objects: a remote Object for the fd, and NULL. */
	assert_int_equal(objinvoke_object_fd(a[4].o), 71);
	assert_true(Object_isNull(a[5].o));
	/* Output objects: a remote one and a local one, ours to give. */
	a[6].o = fake_remote(72);
	a[7].o = counting_obj_init(&second);
	return Object_OK;
}

static void test_inline_all_kinds(void **state)
{
	static const char data[16] = "abc\0\0\0\0\0defgh";
	struct fake_request req = host_request(9, 0x21,
					       ObjectCounts_pack(2, 2, 2, 2));
	struct fake_reply get = { .fd = { 61 }, .handle = HOST_HANDLE };
	struct fake_reply call = { .request = &req }, add;
	struct fake_reply done = { .carry_on = true, .result = 0 };
	ObjectArg a[1] = {{{0, 0}}};

	req.args[0] = (struct objinvoke_arg){ 0, 3, NONE, 0 };
	req.args[1] = (struct objinvoke_arg){ 8, 5, NONE, 0 };
	req.args[2].size = 8;
	req.args[3].size = 4;
	req.args[4].fd = 71;
	req.data = data;
	req.data_len = sizeof(data);
	host.handler = all_kinds;
	a[0].o = host_obj;

	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_GET, &get);
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &call);
	fake_expect_close(71);		/* the input object, after the call */
	fake_expect_add(&add, 73, 2);	/* the local output object */
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_REPLY, &done);
	fake_expect_close(72);		/* the remote output's reference */
	fake_expect_close(73);		/* the local one's fd */
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	fake_expect_close(61);		/* the call's fd for the host */
	assert_int_equal(Object_invoke(target, 1, a,
				       ObjectCounts_pack(0, 0, 1, 0)),
			 Object_OK);

	assert_int_equal(atomic_load(&host.calls), 1);
	assert_int_equal(fake_last_reply.rep.id, 9);
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_OK);
	assert_int_equal(fake_last_reply.args[2].size, 2);
	assert_memory_equal(fake_last_reply.data[2], "xy", 2);
	assert_int_equal(fake_last_reply.args[3].size, 4);
	assert_memory_equal(fake_last_reply.data[3], "1234", 4);
	assert_int_equal(fake_last_reply.args[4].fd, NONE);
	assert_int_equal(fake_last_reply.args[6].fd, 72);
	assert_int_equal(fake_last_reply.args[7].fd, 73);
	/* The reference the callee gave with it was dropped after the reply;
	 * the table keeps its own until the release request. */
	assert_int_equal(atomic_load(&second.retains), 1);
	assert_int_equal(atomic_load(&second.releases), 1);
	fake_release_request(fake_last_cookie, 2);
	assert_int_equal(atomic_load(&second.releases), 2);
}

/* ---- the loop: several requests, then the invocation's result ---- */

static void test_inline_loop(void **state)
{
	struct fake_request r1 = host_request(1, 5, 0), r2 = host_request(2, 6, 0);
	struct fake_reply get = { .fd = { 62 }, .handle = HOST_HANDLE };
	struct fake_reply first = { .request = &r1 };
	struct fake_reply next = { .carry_on = true, .request = &r2 };
	struct fake_reply done = { .carry_on = true, .result = 42 };
	ObjectArg a[1] = {{{0, 0}}};

	a[0].o = host_obj;
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_GET, &get);
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &first);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_REPLY, &next);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_REPLY, &done);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	fake_expect_close(62);
	assert_int_equal(Object_invoke(target, 1, a,
				       ObjectCounts_pack(0, 0, 1, 0)), 42);
	assert_int_equal(atomic_load(&host.calls), 2);
	assert_int_equal(fake_last_reply.rep.id, 2);
}

/* A refused reply that did not carry the call on ends it with an error. */
static void test_inline_reply_refused(void **state)
{
	struct fake_request r1 = host_request(1, 5, 0);
	struct fake_reply call = { .request = &r1 }, bad = { .err = EBADF };

	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &call);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_REPLY, &bad);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	assert_int_equal(Object_invoke(target, 1, NULL, 0),
			 Object_ERROR_BADOBJ);
}

/* A state the kernel never writes, in INVOKE's own answer: no result. */
static void test_unknown_state(void **state)
{
	struct fake_reply odd = { .bad_state = 2 };

	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &odd);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	assert_int_equal(Object_invoke(target, 1, NULL, 0),
			 Object_ERROR_REMOTE);
	assert_non_null(strstr(fake_log_buf, "state 2 unknown"));
}

static void test_depth_exceeded(void **state)
{
	struct fake_reply loop = { .err = ELOOP };

	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &loop);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	assert_int_equal(Object_invoke(target, 1, NULL, 0),
			 Object_ERROR_ABORT);
	assert_non_null(strstr(fake_log_buf, "ELOOP"));
}

/* A callback that invokes again: its own request buffer, one level up. */
static int32_t nested(struct counting_obj *c, ObjectOp op, ObjectArg *a,
		      ObjectCounts k)
{
	struct fake_reply inner = { .result = 7 };
	const void *outer = a[0].bi.ptr;
	uint64_t outer_request = fake_last.inv.request;

	assert_memory_equal(outer, "outer", 5);
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &inner);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	assert_int_equal(Object_invoke(target, 2, NULL, 0), 7);
	assert_int_not_equal(fake_last.inv.request, outer_request);
	assert_memory_equal(outer, "outer", 5);
	/* What the outer call does next (cmocka queues are FIFO). */
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_REPLY, c->data);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	return Object_OK;
}

static void test_nested_invoke(void **state)
{
	struct fake_request r1 = host_request(3, 5, ObjectCounts_pack(1, 0, 0, 0));
	struct fake_reply call = { .request = &r1 };
	struct fake_reply done = { .carry_on = true };

	r1.args[0].size = 5;
	r1.data = "outer";
	r1.data_len = 5;
	host.handler = nested;
	host.data = &done;
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &call);
	assert_int_equal(Object_invoke(target, 1, NULL, 0), Object_OK);
	assert_int_equal(atomic_load(&host.calls), 1);
}

/* ---- the request buffer grows to what the kernel asks for ---- */

static int32_t big_input(struct counting_obj *c, ObjectOp op, ObjectArg *a,
			 ObjectCounts k)
{
	assert_int_equal(a[0].bi.size, 10000);
	assert_int_equal(((const char *)a[0].bi.ptr)[9999], 'z');
	return Object_OK;
}

static void test_enospc_grows(void **state)
{
	static char data[10000];
	struct fake_request req = host_request(4, 1, ObjectCounts_pack(1, 0, 0, 0));
	struct fake_reply small = { .err = ENOSPC, .request = &req };
	struct fake_reply deliver = { .request = &req };

	memset(data, 'z', sizeof(data));
	req.args[0].size = sizeof(data);
	req.data = data;
	req.data_len = sizeof(data);
	host.handler = big_input;
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &small);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &deliver);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_REPLY, &fake_ok);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	assert_int_equal(objinvoke_server_dispatch_pending(), Object_OK);
	assert_int_equal(atomic_load(&host.calls), 1);
}

static void test_enospc_absurd(void **state)
{
	struct fake_request req = host_request(4, 1, 0);
	struct fake_reply huge = { .err = ENOSPC, .request = &req };

	req.data_len = OBJINVOKE_MAX_BUF_BYTES * 2;
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &huge);
	assert_int_equal(objinvoke_server_dispatch_pending(),
			 Object_ERROR_REMOTE);
	assert_int_equal(atomic_load(&host.calls), 0);
}

static void test_server_shut_down(void **state)
{
	struct fake_reply down = { .err = ESHUTDOWN };

	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &down);
	assert_int_equal(objinvoke_server_dispatch_pending(),
			 Object_ERROR_DEFUNCT);
}

/* ---- malformed requests: refused, fds closed, object not called ---- */

static void test_unknown_cookie(void **state)
{
	struct fake_request req = host_request(5, 1, ObjectCounts_pack(0, 0, 2, 0));

	req.cookie = host_cookie + 999;
	req.args[0].fd = 74;
	fake_expect_close(74);
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_ERROR_BADOBJ);
	assert_int_equal(fake_last_reply.rep.args, 0);
	assert_int_equal(atomic_load(&host.calls), 0);
}

static void test_buffer_outside_request(void **state)
{
	struct fake_request req = host_request(6, 1, ObjectCounts_pack(1, 0, 1, 0));

	req.args[0] = (struct objinvoke_arg){ 4, 8, NONE, 0 };	/* past 8 */
	req.args[1].fd = 75;
	req.data = "12345678";
	req.data_len = 8;
	fake_expect_close(75);
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_ERROR_INVALID);
	assert_int_equal(atomic_load(&host.calls), 0);
}

static void test_bad_counts_and_ops(void **state)
{
	struct fake_request req = host_request(7, 1, 0);

	req.counts = 0x10000;
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_ERROR_INVALID);
	/* Lifetime ops are the library's business, never a request's. */
	req = host_request(8, Object_OP_release, 0);
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_ERROR_INVALID);
	req = host_request(8, 1, ObjectCounts_pack(0, 0, 1, 0));
	req.args[0].fd = 0x80000000u;	/* no process has such an fd */
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_ERROR_INVALID);
	assert_int_equal(atomic_load(&host.calls), 0);
	assert_int_equal(atomic_load(&host.releases), 0);
}

static void test_unknown_kind(void **state)
{
	struct fake_request req = host_request(10, 1, 0);

	req.kind = 77;
	fake_serve_pending(&req, true);	/* someone may wait: told no */
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_ERROR_INVALID);
	req.id = 0;
	fake_serve_pending(&req, false);	/* nobody waits: ignored */
	assert_int_equal(atomic_load(&host.calls), 0);
}

static int32_t grown_output(struct counting_obj *c, ObjectOp op, ObjectArg *a,
			    ObjectCounts k)
{
	a[0].b.size = 9;
	a[1].o = fake_remote(76);
	return Object_OK;
}

static int32_t failing_with_output(struct counting_obj *c, ObjectOp op,
				   ObjectArg *a, ObjectCounts k)
{
	a[1].o = *(Object *)c->data;	/* not valid on error: ignored */
	return Object_ERROR_USERBASE;
}

static void test_callee_errors(void **state)
{
	struct fake_request req = host_request(11, 1, ObjectCounts_pack(0, 1, 0, 1));
	Object borrowed = fake_remote(77);

	req.args[0].size = 8;
	host.handler = grown_output;
	fake_expect_close(76);	/* the output object, dropped */
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_ERROR_SIZE_OUT);
	assert_int_equal(fake_last_reply.rep.args, 0);

	host.handler = failing_with_output;
	host.data = &borrowed;
	fake_serve_pending(&req, true);
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_ERROR_USERBASE);
	fake_release(borrowed, 77);
}

static void test_no_memory_for_outputs(void **state)
{
	struct fake_request req = host_request(12, 1, ObjectCounts_pack(0, 1, 1, 0));
	struct fake_reply recv = { .request = &req };

	req.args[0].size = 8;
	req.args[1].fd = 78;
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &recv);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_REPLY, &fake_ok);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	fake_expect_close(78);
	fake_malloc_scripted = true;
	will_return(__wrap_malloc, true);	/* the request buffer */
	will_return(__wrap_malloc, true);	/* the input object */
	will_return(__wrap_calloc, false);	/* the output space */
	assert_int_equal(objinvoke_server_dispatch_pending(), Object_OK);
	fake_malloc_scripted = false;
	assert_int_equal(fake_last_reply.rep.result, (uint32_t)Object_ERROR_KMEM);
	assert_int_equal(atomic_load(&host.calls), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_inline_all_kinds),
		T(test_inline_loop),
		T(test_inline_reply_refused),
		T(test_unknown_state),
		T(test_depth_exceeded),
		T(test_nested_invoke),
		T(test_enospc_grows),
		T(test_enospc_absurd),
		T(test_server_shut_down),
		T(test_unknown_cookie),
		T(test_buffer_outside_request),
		T(test_bad_counts_and_ops),
		T(test_unknown_kind),
		T(test_callee_errors),
		T(test_no_memory_for_outputs),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
