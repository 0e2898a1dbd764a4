// SPDX-License-Identifier: MIT
/*
 * Marshaling of remote invocations against the fake kernel of fake_sys.c:
 * how each argument kind is translated into struct objinvoke_arg, what is
 * copied back and when, and that every fd the kernel installs is either
 * wrapped for the caller or closed.
 */
#include <errno.h>
#include <string.h>

#include "fake_sys.h"
#include "libobject.h"

#define RFD	FAKE_TARGET_FD	/* the remote object invoked */
#define NONE	OBJINVOKE_FD_NONE


static void assert_arg(size_t i, uint64_t addr, uint64_t size, uint32_t fd)
{
	assert_int_equal(fake_last.args[i].addr, addr);
	assert_int_equal(fake_last.args[i].size, size);
	assert_int_equal(fake_last.args[i].fd, fd);
	assert_int_equal(fake_last.args[i].flags, 0);
}

static void test_buffers(void **state)
{
	char in0[3], in1[5], out0[8], out1[16];
	ObjectArg a[4] = {{{0, 0}}};
	struct fake_reply reply = { .size = { 2, 16 } };

	a[0].bi = (ObjectBufIn){ in0, sizeof(in0) };
	a[1].bi = (ObjectBufIn){ in1, sizeof(in1) };
	a[2].b = (ObjectBuf){ out0, sizeof(out0) };
	a[3].b = (ObjectBuf){ out1, sizeof(out1) };
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 7, a,
				       ObjectCounts_pack(2, 2, 0, 0)),
			 Object_OK);

	assert_int_equal(fake_last.inv.op, 7);
	assert_int_equal(fake_last.inv.counts, ObjectCounts_pack(2, 2, 0, 0));
	assert_int_equal(fake_last.inv.flags, 0);
	assert_int_equal(fake_last.inv.reserved, 0);
	assert_arg(0, (uintptr_t)in0, sizeof(in0), NONE);
	assert_arg(1, (uintptr_t)in1, sizeof(in1), NONE);
	assert_arg(2, (uintptr_t)out0, sizeof(out0), NONE);
	assert_arg(3, (uintptr_t)out1, sizeof(out1), NONE);
	/* Output sizes come back; input sizes stay. */
	assert_int_equal(a[2].b.size, 2);
	assert_int_equal(a[3].b.size, 16);
	assert_int_equal(a[0].bi.size, sizeof(in0));
	assert_ptr_equal(a[2].b.ptr, out0);
}

static void test_sizes_only_on_ok(void **state)
{
	char out[8];
	ObjectArg a[1] = {{{0, 0}}};
	struct fake_reply reply = { .result = Object_ERROR_USERBASE + 3,
				    .size = { 1 } };

	a[0].b = (ObjectBuf){ out, sizeof(out) };
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(0, 1, 0, 0)),
			 Object_ERROR_USERBASE + 3);
	assert_int_equal(a[0].b.size, sizeof(out));
}

static void test_negative_result_passes(void **state)
{
	struct fake_reply reply = { .result = (uint32_t)Object_ERROR_BUSY };

	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 1, NULL, 0), Object_ERROR_BUSY);
}

static void test_input_objects(void **state)
{
	Object o1 = fake_remote(41), o2 = fake_remote(42);
	ObjectArg a[3] = {{{0, 0}}};
	struct fake_reply reply = { 0 };

	a[0].o = o1;
	a[1].o = Object_NULL;
	a[2].o = o2;
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 2, a,
				       ObjectCounts_pack(0, 0, 3, 0)),
			 Object_OK);
	assert_arg(0, 0, 0, 41);
	assert_arg(1, 0, 0, NONE);
	assert_arg(2, 0, 0, 42);
	/* Input objects are borrowed: still ours, released by us. */
	assert_int_equal(objinvoke_object_fd(a[0].o), 41);
	fake_release(o1, 41);
	fake_release(o2, 42);
}

static void test_output_objects(void **state)
{
	ObjectArg a[3] = {{{0, 0}}};
	struct fake_reply reply = { .fd = { 50, NONE, 51 } };

	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 3, a,
				       ObjectCounts_pack(0, 0, 0, 3)),
			 Object_OK);
	/* Output objects go in as "no fd". */
	assert_arg(0, 0, 0, NONE);
	assert_arg(1, 0, 0, NONE);
	assert_arg(2, 0, 0, NONE);
	assert_int_equal(objinvoke_object_fd(a[0].o), 50);
	assert_true(Object_isNull(a[1].o));
	assert_int_equal(objinvoke_object_fd(a[2].o), 51);
	fake_release(a[0].o, 50);
	fake_release(a[2].o, 51);
}

/* One of each kind: each lands at its index in the ordered array. */
static void test_all_kinds(void **state)
{
	Object in = fake_remote(43);
	uint32_t x = 1, y = 0;
	ObjectArg a[4] = {{{0, 0}}};
	struct fake_reply reply = { .size = { 4 }, .fd = { 52 } };

	a[0].bi = (ObjectBufIn){ &x, sizeof(x) };
	a[1].b = (ObjectBuf){ &y, sizeof(y) };
	a[2].o = in;
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 4, a,
				       ObjectCounts_pack(1, 1, 1, 1)),
			 Object_OK);
	assert_arg(0, (uintptr_t)&x, 4, NONE);
	assert_arg(1, (uintptr_t)&y, 4, NONE);
	assert_arg(2, 0, 0, 43);
	assert_arg(3, 0, 0, NONE);
	assert_int_equal(a[1].b.size, 4);
	assert_int_equal(objinvoke_object_fd(a[3].o), 52);
	fake_release(a[3].o, 52);
	fake_release(in, 43);
}

/* The largest array: 15 of every kind. */
static void test_max_args(void **state)
{
	ObjectArg a[60] = {{{0, 0}}};
	char bufs[30][4];
	struct fake_reply reply = { 0 };
	ObjectCounts k = ObjectCounts_pack(15, 15, 15, 15);
	size_t i;

	for (i = 0; i < 30; i++)
		a[i].b = (ObjectBuf){ bufs[i], i % 4 };
	for (i = 0; i < 15; i++)
		reply.fd[i] = NONE;
	for (i = 0; i < 15; i++)
		reply.size[i] = (15 + i) % 4;
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 5, a, k), Object_OK);
	assert_int_equal(fake_last.inv.counts, k);
	for (i = 0; i < 30; i++)
		assert_arg(i, (uintptr_t)bufs[i], i % 4, NONE);
	for (i = 30; i < 60; i++)
		assert_arg(i, 0, 0, NONE);
}

static void test_op_modifiers(void **state)
{
	struct fake_reply reply = { 0 };

	/* REMOTE_BUFS is dropped; other modifier bits go to the kernel. */
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 9 | ObjectOp_REMOTE_BUFS, NULL, 0),
			 Object_OK);
	assert_int_equal(fake_last.inv.op, 9);

	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 9 | 0x00020000u | ObjectOp_REMOTE_BUFS,
				       NULL, 0),
			 Object_OK);
	assert_int_equal(fake_last.inv.op, 9 | 0x00020000u);
}

static void test_errno_mapping(void **state)
{
	static const struct {
		int err;
		int32_t result;
	} map[] = {
		{ ENOMEM, Object_ERROR_KMEM },
		{ ENODEV, Object_ERROR_DEFUNCT },
		{ EBADF, Object_ERROR_BADOBJ },
		{ ENOTTY, Object_ERROR_BADOBJ },
		{ E2BIG, Object_ERROR_MAXDATA },
		{ EPROTO, Object_ERROR_REMOTE },
		{ EPERM, Object_ERROR_AUTH },
		{ EACCES, Object_ERROR_AUTH },
		{ EMFILE, Object_ERROR_NOSLOTS },
		{ ENFILE, Object_ERROR_NOSLOTS },
		{ EBUSY, Object_ERROR_BUSY },
		{ EAGAIN, Object_ERROR_BUSY },
		{ EINTR, Object_ERROR_ABORT },
		{ ETIMEDOUT, Object_ERROR_TIMEOUT },
		{ ENOENT, Object_ERROR_UNAVAIL },
		{ EFAULT, Object_ERROR_INVALID },
		{ EINVAL, Object_ERROR_INVALID },
		{ EIO, Object_ERROR_INVALID },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct fake_reply reply = { .err = map[i].err };
		char out[4];
		ObjectArg a[2] = {{{0, 0}}};

		a[0].b = (ObjectBuf){ out, sizeof(out) };
		a[1].o = Object_NULL;
		fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
		assert_int_equal(Object_invoke(fake_target, 1, a,
					       ObjectCounts_pack(0, 1, 0, 1)),
				 map[i].result);
		assert_int_equal(a[0].b.size, sizeof(out));
		assert_true(Object_isNull(a[1].o));
		/* The errno is logged for whoever wants to know. */
		assert_non_null(strstr(fake_log_buf, "errno"));
	}
}

/* A local object: anything whose invoke is not libobject's. */
static int32_t local_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args,
			    ObjectCounts counts)
{
	fail_msg("a local input object was invoked");
	return Object_ERROR;
}

/*
 * A local input object is exported through the process's server; when
 * the server cannot be created the call fails before reaching the kernel
 * (test_local.c covers exports that work).
 */
static void test_local_input_no_server(void **state)
{
	static int dummy;
	Object local = { local_invoke, &dummy };
	ObjectArg a[1] = {{{0, 0}}};

	a[0].o = local;
	fake_expect_open(-1, ENOENT);
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(0, 0, 1, 0)),
			 Object_ERROR_UNAVAIL);
	assert_non_null(strstr(fake_log_buf, "export failed"));
}

static void test_bad_requests_not_sent(void **state)
{
	char big;
	ObjectArg a[2] = {{{0, 0}}};

	assert_int_equal(Object_invoke(fake_target, 1, a, 0x10000 | 1),
			 Object_ERROR_INVALID);
	assert_int_equal(Object_invoke(fake_target, 1, NULL,
				       ObjectCounts_pack(1, 0, 0, 0)),
			 Object_ERROR_INVALID);
	a[0].bi = (ObjectBufIn){ NULL, 1 };
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(1, 0, 0, 0)),
			 Object_ERROR_INVALID);
	/* The fake never reads the buffers, so their size can be a lie. */
	a[0].bi = (ObjectBufIn){ &big, OBJINVOKE_MAX_BUF_BYTES };
	a[1].b = (ObjectBuf){ &big, 1 };
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(1, 1, 0, 0)),
			 Object_ERROR_MAXDATA);
	a[1].b = (ObjectBuf){ &big, SIZE_MAX };
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(1, 1, 0, 0)),
			 Object_ERROR_MAXDATA);
}

static void test_exactly_max_data(void **state)
{
	char big;
	ObjectArg a[2] = {{{0, 0}}};
	struct fake_reply reply = { .size = { 0 } };

	a[0].bi = (ObjectBufIn){ &big, OBJINVOKE_MAX_BUF_BYTES - 1 };
	a[1].b = (ObjectBuf){ &big, 1 };
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(1, 1, 0, 0)),
			 Object_OK);
}

/* Out of memory while wrapping: every installed fd is closed once. */
static void test_wrap_failure_closes_all(void **state)
{
	char out[4];
	ObjectArg a[4] = {{{0, 0}}};
	struct fake_reply reply = { .size = { 2 }, .fd = { 60, 61, NONE } };

	a[0].b = (ObjectBuf){ out, sizeof(out) };
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	fake_malloc_scripted = true;
	will_return(__wrap_malloc, true);	/* 60 wrapped */
	will_return(__wrap_malloc, false);	/* 61 fails */
	fake_expect_close(61);	/* by the failed wrap */
	fake_expect_close(60);	/* released again */
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(0, 1, 0, 3)),
			 Object_ERROR_KMEM);
	fake_malloc_scripted = false;
	/* Nothing of the answer reached the caller. */
	assert_int_equal(a[0].b.size, sizeof(out));
	assert_true(Object_isNull(a[1].o));
	assert_true(Object_isNull(a[2].o));
	assert_true(Object_isNull(a[3].o));
}

static void test_wrap_failure_first(void **state)
{
	ObjectArg a[2] = {{{0, 0}}};
	struct fake_reply reply = { .fd = { 62, 63 } };

	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &reply);
	fake_malloc_scripted = true;
	will_return(__wrap_malloc, false);
	fake_expect_close(62);
	fake_expect_close(63);
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(0, 0, 0, 2)),
			 Object_ERROR_KMEM);
	fake_malloc_scripted = false;
}

/* A kernel answer that breaks the ABI fails the call and leaks nothing. */
static void test_bad_answer_closes_fds(void **state)
{
	char out[4];
	ObjectArg a[3] = {{{0, 0}}};
	struct fake_reply grown = { .size = { 5 }, .fd = { 70, 71 } };
	struct fake_reply badfd = { .size = { 4 }, .fd = { 72, 0x80000000u } };

	a[0].b = (ObjectBuf){ out, sizeof(out) };
	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &grown);
	fake_expect_close(70);
	fake_expect_close(71);
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(0, 1, 0, 2)),
			 Object_ERROR_REMOTE);
	assert_int_equal(a[0].b.size, sizeof(out));
	assert_true(Object_isNull(a[1].o));

	fake_expect_ioctl(RFD, OBJINVOKE_IOC_INVOKE, &badfd);
	fake_expect_close(72);
	assert_int_equal(Object_invoke(fake_target, 1, a,
				       ObjectCounts_pack(0, 1, 0, 2)),
			 Object_ERROR_REMOTE);
	assert_true(Object_isNull(a[1].o));
	assert_true(Object_isNull(a[2].o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, fake_target_setup, fake_target_teardown)
		T(test_buffers),
		T(test_sizes_only_on_ok),
		T(test_negative_result_passes),
		T(test_input_objects),
		T(test_output_objects),
		T(test_all_kinds),
		T(test_max_args),
		T(test_op_modifiers),
		T(test_errno_mapping),
		T(test_local_input_no_server),
		T(test_bad_requests_not_sent),
		T(test_exactly_max_data),
		T(test_wrap_failure_closes_all),
		T(test_wrap_failure_first),
		T(test_bad_answer_closes_fds),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
