// SPDX-License-Identifier: MIT
/*
 * The fake kernel behind the -Wl,--wrap seam (see fake-sys.h).  It copies
 * each INVOKE request for the test to inspect and writes back what the
 * test queued, as the real ioctl would.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fake-sys.h"
#include "objinvoke.h"

struct fake_invoke fake_last;
bool fake_malloc_scripted;
char fake_log_buf[512];

void fake_expect_ioctl(int fd, unsigned long request,
		       const struct fake_reply *reply)
{
	expect_value(__wrap_ioctl, fd, fd);
	expect_value(__wrap_ioctl, request, request);
	will_return(__wrap_ioctl, reply);
}

void fake_expect_close(int fd)
{
	expect_value(__wrap_close, fd, fd);
}

void fake_expect_open(int ret, int err)
{
	expect_string(fake_open, path, OBJINVOKE_DEVICE);
	expect_value(fake_open, flags, O_RDWR | O_CLOEXEC);
	will_return(fake_open, ret);
	if (ret < 0)
		will_return(fake_open, err);
}

static void answer_invoke(struct objinvoke_invoke *inv,
			  const struct fake_reply *reply)
{
	struct objinvoke_arg *args = (void *)(uintptr_t)inv->args;
	ObjectCounts k = inv->counts;
	size_t i, n = ObjectCounts_total(k);

	/* The real kernel rejects these too; the library must not send them. */
	assert_true(n <= 4 * OBJINVOKE_MAX_ARGS_PER_KIND);
	fake_last.inv = *inv;
	memcpy(fake_last.args, args, n * sizeof(*args));

	inv->result = reply->result;
	for (i = 0; i < ObjectCounts_numBO(k); i++)
		args[ObjectCounts_indexBO(k) + i].size = reply->size[i];
	for (i = 0; i < ObjectCounts_numOO(k); i++)
		args[ObjectCounts_indexOO(k) + i].fd = reply->fd[i];
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	const struct fake_reply *reply;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	check_expected(fd);
	check_expected(request);
	reply = mock_ptr_type(const struct fake_reply *);
	if (reply->err) {
		errno = reply->err;
		return -1;
	}
	if (request == OBJINVOKE_IOC_INVOKE) {
		answer_invoke(arg, reply);
	} else {
		struct objinvoke_get_object *req = arg;

		assert_int_equal(req->flags, 0);
		assert_int_equal(req->reserved, 0);
		req->fd = reply->fd[0];
	}
	return 0;
}

int __wrap_close(int fd)
{
	check_expected(fd);
	return 0;
}

static int fake_open(const char *path, int flags)
{
	int ret;

	check_expected(path);
	check_expected(flags);
	ret = mock_type(int);
	if (ret < 0)
		errno = mock_type(int);
	return ret;
}

int __wrap_open(const char *path, int flags, ...)
{
	return fake_open(path, flags);
}

/* What open() becomes in glibc with _FILE_OFFSET_BITS=64 (meson's default). */
int __wrap_open64(const char *path, int flags, ...)
{
	return fake_open(path, flags);
}

void *__wrap_malloc(size_t size)
{
	if (fake_malloc_scripted && !mock_type(bool))
		return NULL;
	return __real_malloc(size);
}

Object fake_remote(int fd)
{
	Object o = Object_NULL;

	assert_int_equal(objinvoke_object_from_fd(fd, &o), Object_OK);
	assert_int_equal(objinvoke_object_fd(o), fd);
	return o;
}

void fake_release(Object obj, int fd)
{
	fake_expect_close(fd);
	assert_int_equal(Object_release(obj), Object_OK);
}

void fake_log_capture(const char *fmt, va_list ap)
{
	vsnprintf(fake_log_buf, sizeof(fake_log_buf), fmt, ap);
}
