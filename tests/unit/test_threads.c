// SPDX-License-Identifier: MIT
/*
 * Dispatch threads: they serve requests (invocations and releases) off
 * the caller's thread, stop when asked from any thread (a handler too),
 * and end with Object_ERROR_DEFUNCT when the server is shut down.
 *
 * cmocka's queues are not thread-safe, so the kernel here is a small
 * locked fake of its own (fake_ioctl_hook), and close() is the real one;
 * the server fd is a real eventfd so that poll() works, made readable
 * while requests wait, and object fds are real fds (dups of it).
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "counting_obj.h"
#include "fake_server.h"
#include "libobject.h"

#define QUEUE	8

static int server;			/* the eventfd standing in */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct objinvoke_request queue[QUEUE];	/* under lock */
static unsigned int queued, taken;		/* under lock */
static bool shut_down;				/* under lock */
static atomic_int replies;
static uint64_t cookie;

static struct counting_obj host;
static Object host_obj, target;
static pthread_t main_thread;
static atomic_bool served_elsewhere;

static int kernel(int fd, unsigned long request, void *arg)
{
	struct objinvoke_request *req = arg;
	struct objinvoke_server_add *add = arg;
	uint64_t n;
	int ret = 0;

	pthread_mutex_lock(&lock);
	switch (request) {
	case OBJINVOKE_IOC_SERVER_ADD:
		cookie = add->cookie;
		add->fd = (uint32_t)dup(server);
		add->handle = 1;
		break;
	case OBJINVOKE_IOC_INVOKE:
		break;		/* done at once, result 0 */
	case OBJINVOKE_IOC_SERVER_REPLY:
		atomic_fetch_add(&replies, 1);
		break;
	case OBJINVOKE_IOC_SERVER_RECV:
		if (taken < queued) {
			uint64_t args = req->args, buf = req->buf;

			*req = queue[taken++ % QUEUE];
			req->args = args;
			req->buf = buf;
			if (taken == queued && !shut_down)
				(void)!read(server, &n, sizeof(n));
		} else {
			errno = shut_down ? ESHUTDOWN : EAGAIN;
			ret = -1;
		}
		break;
	default:
		errno = ENOTTY;
		ret = -1;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

static void push(uint32_t kind, uint64_t id)
{
	uint64_t one = 1;

	pthread_mutex_lock(&lock);
	memset(&queue[queued % QUEUE], 0, sizeof(queue[0]));
	queue[queued % QUEUE] = (struct objinvoke_request){
		.id = id, .cookie = cookie, .handle = 1, .kind = kind, .op = 1 };
	queued++;
	pthread_mutex_unlock(&lock);
	assert_int_equal(write(server, &one, sizeof(one)), sizeof(one));
}

/* Wait up to 5 s for *@v to reach @want. */
static void wait_for(atomic_int *v, int want)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000 && atomic_load(v) < want; i++)
		nanosleep(&ms, NULL);
	assert_int_equal(atomic_load(v), want);
}

static int32_t note_thread(struct counting_obj *c, ObjectOp op, ObjectArg *a,
			   ObjectCounts k)
{
	if (!pthread_equal(pthread_self(), main_thread))
		atomic_store(&served_elsewhere, true);
	if (c->data)
		objinvoke_server_stop(c->data);
	return Object_OK;
}

static int group_setup(void **state)
{
	struct fake_reply srv = { .fd = { 0 } };
	ObjectArg a[1] = {{{0, 0}}};
	int fd = -1;

	main_thread = pthread_self();
	server = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(server >= 0);
	srv.fd[0] = (uint32_t)server;
	fake_expect_open(FAKE_DEV, 0);
	fake_expect_ioctl(FAKE_DEV, OBJINVOKE_IOC_SERVER_NEW, &srv);
	fake_expect_close(FAKE_DEV);
	assert_int_equal(objinvoke_server_fd(&fd), Object_OK);

	/* Register the host object through an invocation. */
	fake_ioctl_hook = kernel;
	fake_close_real = true;
	target = fake_remote(dup(server));
	host_obj = counting_obj_init(&host);
	host.handler = note_thread;
	a[0].o = host_obj;
	assert_int_equal(Object_invoke(target, 1, a,
				       ObjectCounts_pack(0, 0, 1, 0)),
			 Object_OK);
	return 0;
}

static int group_teardown(void **state)
{
	Object_release(target);
	return 0;
}

static void test_serve_and_release(void **state)
{
	struct objinvoke_server_threads *t;

	assert_int_equal(objinvoke_server_start(3, &t), Object_OK);
	push(OBJINVOKE_REQUEST_INVOKE, 1);
	wait_for(&replies, 1);
	assert_int_equal(atomic_load(&host.calls), 1);
	assert_true(atomic_load(&served_elsewhere));

	/* While threads run, invocations leave the queue to them. */
	push(OBJINVOKE_REQUEST_INVOKE, 2);
	wait_for(&replies, 2);

	push(OBJINVOKE_REQUEST_RELEASE, 0);
	wait_for(&host.releases, 1);
	objinvoke_server_stop(t);
	objinvoke_server_stop(t);	/* twice is harmless */
	assert_int_equal(objinvoke_server_join(t), Object_OK);
}

static void test_stop_before_work(void **state)
{
	struct objinvoke_server_threads *t;

	assert_int_equal(objinvoke_server_start(2, &t), Object_OK);
	objinvoke_server_stop(t);
	assert_int_equal(objinvoke_server_join(t), Object_OK);
	objinvoke_server_stop(NULL);
}

static void test_shutdown_ends_threads(void **state)
{
	struct objinvoke_server_threads *t;
	uint64_t one = 1;

	assert_int_equal(objinvoke_server_start(4, &t), Object_OK);
	pthread_mutex_lock(&lock);
	shut_down = true;
	pthread_mutex_unlock(&lock);
	assert_int_equal(write(server, &one, sizeof(one)), sizeof(one));
	assert_int_equal(objinvoke_server_join(t), Object_ERROR_DEFUNCT);
}

static void test_bad_arguments(void **state)
{
	struct objinvoke_server_threads *t = (void *)1;

	assert_int_equal(objinvoke_server_start(0, &t), Object_ERROR_INVALID);
	assert_null(t);
	assert_int_equal(objinvoke_server_start(1, NULL), Object_ERROR_INVALID);
	assert_int_equal(objinvoke_server_join(NULL), Object_ERROR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_and_release),
		cmocka_unit_test(test_stop_before_work),
		cmocka_unit_test(test_shutdown_ends_threads),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
