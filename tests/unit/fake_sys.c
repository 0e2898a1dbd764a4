// SPDX-License-Identifier: MIT
/*
 * The fake kernel behind the -Wl,--wrap seam (see fake_sys.h).  It copies
 * each INVOKE request for the test to inspect and writes back what the
 * test queued, as the real ioctl would.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fake_sys.h"
#include "libobject.h"

struct fake_invoke fake_last;
struct fake_answer fake_last_reply;
uint64_t fake_last_cookie;
int (*fake_ioctl_hook)(int fd, unsigned long request, void *arg);
bool (*fake_ioctl_extra)(int fd, unsigned long request, void *arg, int *ret);
bool (*fake_close_extra)(int fd);
bool fake_malloc_scripted;
bool fake_close_real;
/* Same-thread invocations in progress, innermost last: SERVER_REPLY
 * carries the innermost on. */
static struct objinvoke_invoke *inv_open[OBJINVOKE_MAX_DEPTH + 1];
static size_t inv_depth;
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

void fake_expect_open_path(const char *path, int flags, int ret, int err)
{
	expect_string(fake_open, path, path);
	expect_value(fake_open, flags, flags);
	will_return(fake_open, ret);
	if (ret < 0)
		will_return(fake_open, err);
}

void fake_expect_open(int ret, int err)
{
	fake_expect_open_path(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC, ret, err);
}

/* Deliver @fr into the library's request struct, as RECV would. */
static int deliver(struct objinvoke_request *req, const struct fake_request *fr)
{
	struct objinvoke_arg *args = (void *)(uintptr_t)req->args;
	size_t i, n = ObjectCounts_total(fr->counts & 0xFFFF);

	assert_int_equal(req->reserved, 0);
	assert_true(req->args_cap >= n);
	if (req->buf_size < fr->data_len) {
		req->buf_size = fr->data_len;
		errno = ENOSPC;
		return -1;
	}
	if (fr->data_len)
		memcpy((void *)(uintptr_t)req->buf, fr->data, fr->data_len);
	memcpy(args, fr->args, n * sizeof(*args));
	/* Input buffers point into the request's buffer.
	 * real: test_server.c:request_and_reply */
	for (i = 0; i < ObjectCounts_numBI(fr->counts); i++)
		args[i].addr += req->buf;
	req->id = fr->id;
	req->cookie = fr->cookie;
	req->handle = fr->handle;
	req->kind = fr->kind;
	req->op = fr->op;
	req->counts = fr->counts;
	req->buf_size = fr->data_len;
	return 0;
}

/* Answer an invocation: a request for the invoker, or its result. */
static void answer_invoke(struct objinvoke_invoke *inv,
			  const struct fake_reply *reply)
{
	struct objinvoke_arg *args = (void *)(uintptr_t)inv->args;
	ObjectCounts k = inv->counts;
	size_t i;

	/* A request for the invoking thread, which then serves it.
	 * real: test_server.c:same_thread_serving */
	if (reply->request) {
		assert_int_equal(inv->flags, OBJINVOKE_INVOKE_SERVE);
		assert_int_equal(deliver((void *)(uintptr_t)inv->request,
					 reply->request), 0);
		inv->state = OBJINVOKE_STATE_REQUEST;
		if (!inv_depth || inv_open[inv_depth - 1] != inv) {
			/* real: test_server.c:nesting_is_bounded */
			assert_true(inv_depth <= OBJINVOKE_MAX_DEPTH);
			inv_open[inv_depth++] = inv;
		}
		return;
	}
	inv->state = reply->bad_state ? reply->bad_state : OBJINVOKE_STATE_DONE;
	if (inv_depth && inv_open[inv_depth - 1] == inv)
		inv_depth--;
	inv->result = reply->result;
	/* Output sizes, fds and their flags written back.
	 * real: test_server.c:objects_cross_both_ways
	 * real: test_abi.c:output_fds_are_cloexec */
	for (i = 0; i < ObjectCounts_numBO(k); i++)
		args[ObjectCounts_indexBO(k) + i].size = reply->size[i];
	for (i = 0; i < ObjectCounts_numOO(k); i++) {
		args[ObjectCounts_indexOO(k) + i].fd = reply->fd[i];
		args[ObjectCounts_indexOO(k) + i].flags = reply->flags[i];
	}
}

static void record_invoke(struct objinvoke_invoke *inv)
{
	struct objinvoke_arg *args = (void *)(uintptr_t)inv->args;
	size_t n = ObjectCounts_total(inv->counts);

	/* The real kernel rejects these too; the library must not send them.
	 * real: test_invoke.c:mirror_fills_every_slot
	 * real: test_abi.c:counts_upper_bits_are_einval */
	assert_true(n <= 4 * OBJINVOKE_MAX_ARGS_PER_KIND);
	assert_int_equal(inv->state, 0);
	fake_last.inv = *inv;
	memcpy(fake_last.args, args, n * sizeof(*args));
}

static void record_reply(const struct objinvoke_reply *rep)
{
	const struct objinvoke_arg *args = (void *)(uintptr_t)rep->args;
	size_t i;

	assert_int_equal(rep->flags, 0);
	assert_int_equal(rep->reserved, 0);
	memset(&fake_last_reply, 0, sizeof(fake_last_reply));
	fake_last_reply.rep = *rep;
	if (!args)
		return;
	memcpy(fake_last_reply.args, args, sizeof(fake_last_reply.args));
	for (i = 0; i < 4 * OBJINVOKE_MAX_ARGS_PER_KIND; i++)
		if (args[i].addr && args[i].size <= 64)
			memcpy(fake_last_reply.data[i],
			       (void *)(uintptr_t)args[i].addr, args[i].size);
}

static int answer_server(unsigned long request, void *arg,
			 const struct fake_reply *reply)
{
	struct objinvoke_server_add *add = arg;
	struct objinvoke_server_get *get = arg;

	switch (request) {
	/* An fd and a handle per registration; GET another fd by handle.
	 * real: test_server.c:release_request_exactly_once */
	case OBJINVOKE_IOC_SERVER_ADD:
		fake_last_cookie = add->cookie;
		add->fd = reply->fd[0];
		add->handle = reply->handle;
		return 0;
	case OBJINVOKE_IOC_SERVER_GET:
		assert_int_equal(get->handle, reply->handle);
		get->fd = reply->fd[0];
		return 0;
	case OBJINVOKE_IOC_SERVER_RECV:
		return deliver(arg, reply->request);
	case OBJINVOKE_IOC_SERVER_REPLY:
		record_reply(arg);
		/* real: test_server.c:same_thread_serving */
		if (reply->carry_on) {
			assert_true(inv_depth > 0);
			answer_invoke(inv_open[inv_depth - 1], reply);
		}
		return 0;
	}
	return 1;	/* not a server ioctl */
}

/* GET_ROOT, GET_CREDENTIALS, SERVER_NEW.
 * real: test_abi.c:get_object_checks_reserved */
static int answer_get_object(struct objinvoke_get_object *req,
			     const struct fake_reply *reply)
{
	assert_int_equal(req->flags, 0);
	assert_int_equal(req->reserved, 0);
	req->fd = reply->fd[0];
	return 0;
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	const struct fake_reply *reply;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (fake_ioctl_hook)
		return fake_ioctl_hook(fd, request, arg);
	if (fake_ioctl_extra && fake_ioctl_extra(fd, request, arg, &ret))
		return ret;
	check_expected(fd);
	check_expected(request);
	reply = mock_ptr_type(const struct fake_reply *);
	if (request == OBJINVOKE_IOC_INVOKE)
		record_invoke(arg);
	if (reply->err) {
		if (request == OBJINVOKE_IOC_SERVER_RECV && reply->request)
			((struct objinvoke_request *)arg)->buf_size =
				reply->request->data_len;
		errno = reply->err;
		return -1;
	}
	if (request == OBJINVOKE_IOC_INVOKE) {
		answer_invoke(arg, reply);
		return 0;
	}
	ret = answer_server(request, arg, reply);
	if (ret <= 0)
		return ret;
	return answer_get_object(arg, reply);
}

int __wrap_close(int fd)
{
	if (fake_close_extra && fake_close_extra(fd))
		return 0;
	if (fake_close_real)
		return __real_close(fd);
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

void *__wrap_calloc(size_t n, size_t size)
{
	if (fake_malloc_scripted && !mock_type(bool))
		return NULL;
	return __real_calloc(n, size);
}

Object fake_remote(int fd)
{
	Object o = Object_NULL;

	assert_int_equal(objinvoke_object_from_fd(fd, &o), Object_OK);
	assert_int_equal(objinvoke_object_fd(o), fd);
	return o;
}

Object fake_target;

int fake_target_setup(void **state)
{
	fake_target = fake_remote(FAKE_TARGET_FD);
	fake_log_buf[0] = '\0';
	objinvoke_set_log_handler(fake_log_capture);
	return 0;
}

int fake_target_teardown(void **state)
{
	objinvoke_set_log_handler(NULL);
	fake_release(fake_target, FAKE_TARGET_FD);
	return 0;
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

void fake_log_start(void)
{
	fake_log_buf[0] = '\0';
	objinvoke_set_log_handler(fake_log_capture);
}

void fake_log_stop(void)
{
	objinvoke_set_log_handler(NULL);
}
