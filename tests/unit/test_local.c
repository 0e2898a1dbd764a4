// SPDX-License-Identifier: MIT
/*
 * Local objects as input objects: the process's server is created once,
 * each Object is registered once (SERVER_ADD) and reused (SERVER_GET)
 * while its kernel object lives, registered anew after ENOENT, and the
 * release request drops the library's reference exactly once.
 */
#include <errno.h>
#include <string.h>

#include "counting_obj.h"
#include "fake_server.h"
#include "libobject.h"

#define SFD	FAKE_SFD
#define RFD	FAKE_TARGET_FD	/* the remote object invoked */


static int32_t invoke_with(Object o, int fd)
{
	return fake_invoke_with(fake_target, RFD, o, fd);
}

/* The same call when exporting @o fails: no INVOKE, no fd to close. */
static int32_t invoke_export_fails(Object o)
{
	ObjectArg a[1] = {{{0, 0}}};

	a[0].o = o;
	return Object_invoke(fake_target, 1, a, ObjectCounts_pack(0, 0, 1, 0));
}

static void test_no_server_nothing_pending(void **state)
{
	/* No ioctl queued: without a server there is nothing to ask. */
	assert_int_equal(objinvoke_server_dispatch_pending(), Object_OK);
}

static void test_register_once(void **state)
{
	struct counting_obj c;
	Object o = counting_obj_init(&c);
	struct fake_reply srv = { .fd = { SFD } }, add, get = { .fd = { 61 },
								.handle = 7 };
	uint64_t cookie;

	/* First export: the server is created, then the object added. */
	fake_expect_open(FAKE_DEV, 0);
	fake_expect_ioctl(FAKE_DEV, OBJINVOKE_IOC_SERVER_NEW, &srv);
	fake_expect_close(FAKE_DEV);
	fake_expect_add(&add, 60, 7);
	assert_int_equal(invoke_with(o, 60), Object_OK);
	assert_int_equal(fake_last.args[0].fd, 60);
	/* Same-thread serving is on from now on. */
	assert_int_equal(fake_last.inv.flags, OBJINVOKE_INVOKE_SERVE);
	assert_int_equal(fake_last.inv.server_fd, SFD);
	assert_int_not_equal(fake_last.inv.request, 0);
	assert_int_equal(atomic_load(&c.retains), 1);
	cookie = fake_last_cookie;
	assert_int_not_equal(cookie, 0);

	/* Again while it lives: the same kernel object, a fresh fd. */
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_GET, &get);
	assert_int_equal(invoke_with(o, 61), Object_OK);
	assert_int_equal(fake_last.args[0].fd, 61);
	assert_int_equal(atomic_load(&c.retains), 1);
	assert_int_equal(atomic_load(&c.calls), 0);

	/* The last holder is gone: one release, and only one. */
	fake_release_request(cookie, 7);
	assert_int_equal(atomic_load(&c.releases), 1);
	fake_release_request(cookie, 7);
	assert_int_equal(atomic_load(&c.releases), 1);
	assert_non_null(strstr(fake_log_buf, "unknown cookie"));
	assert_int_equal(atomic_load(&c.refs), 1);
}

static void test_enoent_registers_anew(void **state)
{
	struct counting_obj c;
	Object o = counting_obj_init(&c);
	struct fake_reply add1, add2, gone = { .err = ENOENT, .handle = 8 };
	uint64_t first;

	fake_expect_add(&add1, 62, 8);
	assert_int_equal(invoke_with(o, 62), Object_OK);
	first = fake_last_cookie;

	/* Its release is on its way: a new kernel object, a new cookie. */
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_GET, &gone);
	fake_expect_add(&add2, 63, 9);
	assert_int_equal(invoke_with(o, 63), Object_OK);
	assert_int_not_equal(fake_last_cookie, first);
	assert_int_equal(atomic_load(&c.retains), 2);

	/* Each registration ends with its own release request. */
	fake_release_request(first, 8);
	assert_int_equal(atomic_load(&c.releases), 1);
	fake_release_request(fake_last_cookie, 9);
	assert_int_equal(atomic_load(&c.releases), 2);
	assert_int_equal(atomic_load(&c.refs), 1);
}

static void test_release_handle_mismatch(void **state)
{
	struct counting_obj c;
	Object o = counting_obj_init(&c);
	struct fake_reply add;

	fake_expect_add(&add, 64, 10);
	assert_int_equal(invoke_with(o, 64), Object_OK);
	/* A cookie with the wrong handle, and a cookie never given out. */
	fake_release_request(fake_last_cookie, 11);
	fake_release_request(fake_last_cookie + 1000, 10);
	assert_int_equal(atomic_load(&c.releases), 0);
	fake_release_request(fake_last_cookie, 10);
	assert_int_equal(atomic_load(&c.releases), 1);
}

static void test_add_fails(void **state)
{
	struct counting_obj c;
	Object o = counting_obj_init(&c);
	struct fake_reply nomem = { .err = ENOMEM };
	ObjectArg a[1] = {{{0, 0}}};

	a[0].o = o;
	/* The reference taken for the table is given back; no INVOKE. */
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_ADD, &nomem);
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(0, 0, 1, 0)),
			 Object_ERROR_KMEM);
	assert_int_equal(atomic_load(&c.retains), 1);
	assert_int_equal(atomic_load(&c.releases), 1);

	/* No memory for the entry: nothing retained at all. */
	fake_malloc_scripted = true;
	will_return(__wrap_calloc, false);
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(0, 0, 1, 0)),
			 Object_ERROR_KMEM);
	fake_malloc_scripted = false;
	assert_int_equal(atomic_load(&c.retains), 1);
	assert_int_equal(atomic_load(&c.refs), 1);
}

/* A broken kernel's SERVER_ADD: handle 0 beside a real fd, which is closed. */
static void test_add_handle_zero(void **state)
{
	struct counting_obj c;
	Object o = counting_obj_init(&c);
	struct fake_reply add;

	fake_expect_add(&add, 64, 0);
	fake_expect_close(64);
	assert_int_equal(invoke_export_fails(o), Object_ERROR_REMOTE);
	assert_int_equal(atomic_load(&c.refs), 1);
}

/*
 * SERVER_GET failing otherwise than ENOENT (ESHUTDOWN maps to DEFUNCT
 * too) fails the export: the entry stays, nothing is registered twice.
 */
static void test_get_fails_no_second_add(void **state)
{
	struct counting_obj c;
	Object o = counting_obj_init(&c);
	struct fake_reply add, down = { .err = ESHUTDOWN, .handle = 9 };
	uint64_t cookie;

	fake_expect_add(&add, 65, 9);
	assert_int_equal(invoke_with(o, 65), Object_OK);
	cookie = fake_last_cookie;
	/* No SERVER_ADD queued: a second registration fails the test. */
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_GET, &down);
	assert_int_equal(invoke_export_fails(o), Object_ERROR_DEFUNCT);
	assert_int_equal(atomic_load(&c.retains), 1);
	fake_release_request(cookie, 9);
	assert_int_equal(atomic_load(&c.refs), 1);
}

/* A second local object fails to export: the first one's fd is closed. */
static void test_second_export_fails(void **state)
{
	struct counting_obj c1, c2;
	ObjectArg a[2] = {{{0, 0}}};
	struct fake_reply add, bad = { .err = EINVAL };

	a[0].o = counting_obj_init(&c1);
	a[1].o = counting_obj_init(&c2);
	fake_expect_add(&add, 65, 12);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_ADD, &bad);
	fake_expect_close(65);
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(0, 0, 2, 0)),
			 Object_ERROR_INVALID);
	assert_int_equal(atomic_load(&c2.refs), 1);
	/* The first one stays registered until its release request. */
	fake_release_request(fake_last_cookie, 12);
	assert_int_equal(atomic_load(&c1.releases), 1);
}

/*
 * A release request that arrives while a request to the same object is
 * being served: the reference is dropped when that call returns.
 */
static int32_t release_meanwhile(struct counting_obj *c, ObjectOp op,
				 ObjectArg *args, ObjectCounts k)
{
	fake_release_request(*(uint64_t *)c->data, 13);
	assert_int_equal(atomic_load(&c->releases), 0);
	/* What the outer dispatch does next (cmocka queues are FIFO). */
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_REPLY, &fake_ok);
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	return Object_OK;
}

static void test_release_during_call(void **state)
{
	struct counting_obj c;
	Object o = counting_obj_init(&c);
	struct fake_reply add, call;
	struct fake_request req = { .id = 5, .handle = 13,
				    .kind = OBJINVOKE_REQUEST_INVOKE, .op = 3 };
	uint64_t cookie;

	fake_expect_add(&add, 66, 13);
	assert_int_equal(invoke_with(o, 66), Object_OK);
	cookie = req.cookie = fake_last_cookie;
	c.handler = release_meanwhile;
	c.data = &cookie;

	call = (struct fake_reply){ .request = &req };
	fake_expect_ioctl(SFD, OBJINVOKE_IOC_SERVER_RECV, &call);
	assert_int_equal(objinvoke_server_dispatch_pending(), Object_OK);
	assert_int_equal(atomic_load(&c.calls), 1);
	assert_int_equal(atomic_load(&c.releases), 1);
	assert_int_equal(fake_last_reply.rep.id, 5);
	assert_int_equal(fake_last_reply.rep.result, Object_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_server_nothing_pending),
		cmocka_unit_test(test_register_once),
		cmocka_unit_test(test_enoent_registers_anew),
		cmocka_unit_test(test_release_handle_mismatch),
		cmocka_unit_test(test_add_fails),
		cmocka_unit_test(test_add_handle_zero),
		cmocka_unit_test(test_get_fails_no_second_add),
		cmocka_unit_test(test_second_export_fails),
		cmocka_unit_test(test_release_during_call),
	};

	return cmocka_run_group_tests(tests, fake_target_setup,
				      fake_target_teardown);
}
