// SPDX-License-Identifier: MIT
/*
 * MinkCom entry points and objinvoke_get_credentials() against the fake
 * kernel: the device is opened and closed again, the right ioctl is made,
 * and the client environment is registered with the right arguments.
 */
#include <errno.h>

#include "fake_sys.h"
#include "IClientEnv.h"
#include "MinkCom.h"
#include "libobject.h"

#define DEVFD	9

/* The device is opened, asked once, and closed again whatever happened. */
static void expect_device_call(unsigned long request,
			       const struct fake_reply *reply)
{
	fake_expect_open(DEVFD, 0);
	fake_expect_ioctl(DEVFD, request, reply);
	fake_expect_close(DEVFD);
}

static void test_root(void **state)
{
	struct fake_reply reply = { .fd = { 20 } };
	Object root;

	expect_device_call(OBJINVOKE_IOC_GET_ROOT, &reply);
	assert_int_equal(MinkCom_getRootEnvObject(&root), Object_OK);
	assert_int_equal(objinvoke_object_fd(root), 20);
	fake_release(root, 20);
}

static void test_root_no_device(void **state)
{
	Object root = { (ObjectInvoke)1, NULL };

	fake_expect_open(-1, ENOENT);
	assert_int_equal(MinkCom_getRootEnvObject(&root), Object_ERROR_UNAVAIL);
	assert_true(Object_isNull(root));
}

static void test_root_refused(void **state)
{
	struct fake_reply reply = { .err = EPERM };
	Object root;

	expect_device_call(OBJINVOKE_IOC_GET_ROOT, &reply);
	assert_int_equal(MinkCom_getRootEnvObject(&root), Object_ERROR_AUTH);
	assert_true(Object_isNull(root));
}

static void test_root_bad_fd(void **state)
{
	struct fake_reply reply = { .fd = { 0x80000001u } };
	Object root;

	expect_device_call(OBJINVOKE_IOC_GET_ROOT, &reply);
	assert_int_equal(MinkCom_getRootEnvObject(&root), Object_ERROR_REMOTE);
	assert_true(Object_isNull(root));
}

static void test_credentials(void **state)
{
	struct fake_reply reply = { .fd = { 21 } };
	Object creds;

	expect_device_call(OBJINVOKE_IOC_GET_CREDENTIALS, &reply);
	assert_int_equal(objinvoke_get_credentials(&creds), Object_OK);
	assert_int_equal(objinvoke_object_fd(creds), 21);
	fake_release(creds, 21);
	assert_int_equal(objinvoke_get_credentials(NULL), Object_ERROR_INVALID);
}

static void check_register(uint32_t creds_fd)
{
	assert_int_equal(fake_last.inv.op, IRootObject_OP_registerWithCredentials);
	assert_int_equal(fake_last.inv.counts, ObjectCounts_pack(0, 0, 1, 1));
	assert_int_equal(fake_last.args[0].fd, creds_fd);
	assert_int_equal(fake_last.args[1].fd, OBJINVOKE_FD_NONE);
}

static void test_client_env(void **state)
{
	Object root = fake_remote(20), env;
	struct fake_reply reply = { .fd = { 22 } };

	fake_expect_ioctl(20, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(MinkCom_getClientEnvObject(root, &env), Object_OK);
	check_register(OBJINVOKE_FD_NONE);
	assert_int_equal(objinvoke_object_fd(env), 22);
	fake_release(env, 22);
	fake_release(root, 20);
}

static void test_client_env_with_creds(void **state)
{
	Object root = fake_remote(20), creds = fake_remote(21), env;
	struct fake_reply reply = { .fd = { 23 } };

	fake_expect_ioctl(20, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(MinkCom_getClientEnvObjectWithCreds(root, creds, &env),
			 Object_OK);
	check_register(21);
	assert_int_equal(objinvoke_object_fd(env), 23);
	fake_release(env, 23);
	fake_release(creds, 21);
	fake_release(root, 20);
}

static void test_client_env_errors(void **state)
{
	Object root = fake_remote(20), env = { (ObjectInvoke)1, NULL };
	struct fake_reply refused = { .result = (uint32_t)Object_ERROR_AUTH };

	fake_expect_ioctl(20, OBJINVOKE_IOC_INVOKE, &refused);
	assert_int_equal(MinkCom_getClientEnvObject(root, &env),
			 Object_ERROR_AUTH);
	assert_true(Object_isNull(env));

	env = (Object){ (ObjectInvoke)1, NULL };
	assert_int_equal(MinkCom_getClientEnvObject(Object_NULL, &env),
			 Object_ERROR_BADOBJ);
	assert_true(Object_isNull(env));
	assert_int_equal(MinkCom_getClientEnvObject(root, NULL),
			 Object_ERROR_INVALID);
	fake_release(root, 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_root_no_device),
		cmocka_unit_test(test_root_refused),
		cmocka_unit_test(test_root_bad_fd),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_client_env),
		cmocka_unit_test(test_client_env_with_creds),
		cmocka_unit_test(test_client_env_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
