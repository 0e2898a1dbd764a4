// SPDX-License-Identifier: MIT
/*
 * Remote object lifetime and the small public API of libobject.h: the fd
 * is closed exactly once, by the last release; local ops never reach the
 * kernel; the log handler sees diagnostics and only when set.
 */
#include <errno.h>
#include <string.h>

#include "fake_sys.h"
#include "libobject.h"

static void test_from_fd_bad(void **state)
{
	Object o = { (ObjectInvoke)1, (ObjectCxt)1 };

	/* Negative fds: nothing to close, and the output is NULL. */
	assert_int_equal(objinvoke_object_from_fd(-1, &o), Object_ERROR_BADOBJ);
	assert_true(Object_isNull(o));
	/* No place to put the object: the fd still belongs to us. */
	fake_expect_close(5);
	assert_int_equal(objinvoke_object_from_fd(5, NULL),
			 Object_ERROR_INVALID);
}

static void test_from_fd_no_memory(void **state)
{
	Object o;

	fake_malloc_scripted = true;
	will_return(__wrap_malloc, false);
	fake_expect_close(6);
	assert_int_equal(objinvoke_object_from_fd(6, &o), Object_ERROR_KMEM);
	fake_malloc_scripted = false;
	assert_true(Object_isNull(o));
}

static void test_refcount_closes_once(void **state)
{
	Object o = fake_remote(7);

	assert_int_equal(Object_retain(o), Object_OK);
	assert_int_equal(Object_retain(o), Object_OK);
	/* close is not queued yet: a close here would fail the test. */
	assert_int_equal(Object_release(o), Object_OK);
	assert_int_equal(Object_release(o), Object_OK);
	assert_int_equal(objinvoke_object_fd(o), 7);
	fake_release(o, 7);
}

/* The Mink helpers work on remote objects as on any other. */
static void test_replace_macros(void **state)
{
	Object a = fake_remote(8), b = fake_remote(9), slot = Object_NULL;

	Object_INIT(slot, a);		/* a: 2 refs */
	Object_ASSIGN(slot, b);		/* a: 1, b: 2 */
	fake_release(a, 8);
	Object_ASSIGN(slot, b);		/* same object: stays at 2 */
	assert_int_equal(Object_release(b), Object_OK);
	fake_expect_close(9);
	Object_ASSIGN_NULL(slot);
	assert_true(Object_isNull(slot));
}

static void test_release_with_modifier(void **state)
{
	Object o = fake_remote(10);

	assert_int_equal(Object_invoke(o, Object_OP_retain | ObjectOp_REMOTE_BUFS,
				       NULL, 0),
			 Object_OK);
	assert_int_equal(Object_invoke(o, Object_OP_release | ObjectOp_REMOTE_BUFS,
				       NULL, 0),
			 Object_OK);
	fake_release(o, 10);
}

static void test_local_ops_refused(void **state)
{
	Object o = fake_remote(11);

	/* No ioctl queued: forwarding would fail the test. */
	assert_int_equal(Object_invoke(o, ObjectOp_LOCAL, NULL, 0),
			 Object_ERROR_REMOTE);
	assert_int_equal(Object_invoke(o, ObjectOp_LOCAL | 0x7ffd, NULL, 0),
			 Object_ERROR_REMOTE);
	fake_release(o, 11);
}

static void test_invoke_uses_fd(void **state)
{
	Object o = fake_remote(12);
	struct fake_reply reply = { .result = 42 };

	fake_expect_ioctl(12, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(o, ObjectOp_METHOD_USERMAX, NULL, 0), 42);
	assert_int_equal(fake_last.inv.op, ObjectOp_METHOD_USERMAX);
	assert_int_equal(fake_last.inv.counts, 0);
	fake_release(o, 12);
}

static int32_t local_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args,
			    ObjectCounts counts)
{
	return Object_OK;
}

static void test_object_fd_of_others(void **state)
{
	Object local = { local_invoke, NULL };

	assert_int_equal(objinvoke_object_fd(Object_NULL), -1);
	assert_int_equal(objinvoke_object_fd(local), -1);
}

static void test_log_handler(void **state)
{
	Object o = fake_remote(13);
	struct fake_reply reply = { .err = EPROTO };

	fake_log_buf[0] = '\0';
	fake_expect_ioctl(13, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(o, 1, NULL, 0), Object_ERROR_REMOTE);
	assert_string_equal(fake_log_buf, "");	/* no handler: silence */

	objinvoke_set_log_handler(fake_log_capture);
	fake_expect_ioctl(13, OBJINVOKE_IOC_INVOKE, &reply);
	errno = 0;
	assert_int_equal(Object_invoke(o, 1, NULL, 0), Object_ERROR_REMOTE);
	assert_non_null(strstr(fake_log_buf, "errno"));
	objinvoke_set_log_handler(NULL);
	fake_release(o, 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_fd_bad),
		cmocka_unit_test(test_from_fd_no_memory),
		cmocka_unit_test(test_refcount_closes_once),
		cmocka_unit_test(test_replace_macros),
		cmocka_unit_test(test_release_with_modifier),
		cmocka_unit_test(test_local_ops_refused),
		cmocka_unit_test(test_invoke_uses_fd),
		cmocka_unit_test(test_object_fd_of_others),
		cmocka_unit_test(test_log_handler),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
