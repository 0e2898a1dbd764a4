// SPDX-License-Identifier: MIT
/*
 * test_server: servers and hosted objects with raw ioctls: requests and
 * replies, same-thread serving, release requests exactly once, shutdown,
 * a host that dies or answers malformed replies, objects crossing
 * processes over a UNIX socket, nesting depth.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmharness.h"
#include "vmhost.h"
#include "vmutil.h"

static void request_and_reply(void)
{
	struct host h;
	char out[32];
	uint64_t n = 0;

	host_start(&h, 1);
	VT_ASSERT_EQ(host_echo(h.obj, "ping", out, sizeof(out), &n), Object_OK);
	VT_ASSERT_EQ(n, 4);
	VT_ASSERT_MEM_EQ(out, "ping", 4);
	VT_ASSERT_EQ(host_echo(h.obj, "too long", out, 3, NULL),
		     Object_ERROR_SIZE_OUT);
	host_stop(&h);
}

static void objects_cross_both_ways(void)
{
	struct host h;
	struct objinvoke_arg a[2];
	char out[32];
	int32_t result;

	host_start(&h, 2);
	/* Out: the host hands its object back; it is the same object. */
	a[0] = vm_obj(-1);
	VT_ASSERT_OK(vm_invoke_raw(h.obj, HOST_GIVE, ObjectCounts_pack(0, 0, 0, 1),
				   a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_NE(a[0].fd, OBJINVOKE_FD_NONE);
	VT_ASSERT_EQ(host_echo((int)a[0].fd, "again", out, sizeof(out), NULL),
		     Object_OK);
	close((int)a[0].fd);

	/* In: the host gets our object as an fd and invokes it. */
	a[0] = vm_buf(out, sizeof(out));
	a[1] = vm_obj(h.obj);
	VT_ASSERT_OK(vm_invoke_raw(h.obj, HOST_TAKE, ObjectCounts_pack(0, 1, 1, 0),
				   a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(a[0].size, 5);
	VT_ASSERT_MEM_EQ(out, "inner", 5);
	host_stop(&h);
}

static void release_request_exactly_once(void)
{
	struct inbox *in = calloc(1, sizeof(*in));
	struct objinvoke_server_get g = { 0 };
	int srv = server_new();
	uint32_t handle;
	int obj = server_add(srv, 77, &handle), copy;

	/* A second fd, got by handle, is the same object. */
	g.handle = handle;
	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_GET, &g));
	copy = (int)g.fd;
	close(obj);
	inbox_arm(in, OBJINVOKE_RECV_NONBLOCK);
	VT_ASSERT_ERRNO(ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &in->req), EAGAIN);
	close(copy);

	inbox_arm(in, OBJINVOKE_RECV_NONBLOCK);
	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &in->req));
	VT_ASSERT_EQ(in->req.kind, OBJINVOKE_REQUEST_RELEASE);
	VT_ASSERT_EQ(in->req.cookie, 77);
	VT_ASSERT_EQ(in->req.handle, handle);
	inbox_arm(in, OBJINVOKE_RECV_NONBLOCK);
	VT_ASSERT_ERRNO(ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &in->req), EAGAIN);

	/* Gone: no fd can be had for it any more. */
	g.fd = 0;
	VT_ASSERT_ERRNO(ioctl(srv, OBJINVOKE_IOC_SERVER_GET, &g), ENOENT);
	close(srv);
	free(in);
}

static void same_thread_serving(void)
{
	struct inbox *in = calloc(1, sizeof(*in));
	struct host h = { .srv = server_new() };
	char out[32];
	struct objinvoke_arg a[2] = { vm_buf("self", 4), vm_buf(out, sizeof(out)) };
	struct objinvoke_invoke inv = {
		.op = HOST_ECHO,
		.counts = ObjectCounts_pack(1, 1, 0, 0),
		.args = (uintptr_t)a,
		.flags = OBJINVOKE_INVOKE_SERVE,
		.server_fd = (uint32_t)h.srv,
		.request = (uintptr_t)&in->req,
	};

	h.obj = server_add(h.srv, 1, NULL);
	inbox_arm(in, 0);
	VT_ASSERT_OK(ioctl(h.obj, OBJINVOKE_IOC_INVOKE, &inv));
	VT_ASSERT_EQ(inv.state, OBJINVOKE_STATE_REQUEST);
	VT_ASSERT_EQ(in->req.kind, OBJINVOKE_REQUEST_INVOKE);
	VT_ASSERT_EQ(in->req.op, HOST_ECHO);
	VT_ASSERT_EQ(in->req.cookie, 1);
	/* Replying carries the invocation on and updates inv. */
	VT_ASSERT_OK(host_serve(&h, in));
	VT_ASSERT_EQ(inv.state, OBJINVOKE_STATE_DONE);
	VT_ASSERT_EQ((int32_t)inv.result, Object_OK);
	VT_ASSERT_EQ(a[1].size, 4);
	VT_ASSERT_MEM_EQ(out, "self", 4);

	close(h.obj);
	close(h.srv);
	free(in);
}

/* A thread that serves nested invocations of its own object, recursing. */
static int nest(int srv, int obj, struct inbox *in, int *deepest, int level)
{
	struct objinvoke_invoke inv = {
		.op = HOST_ECHO, .counts = 0,
		.flags = OBJINVOKE_INVOKE_SERVE,
		.server_fd = (uint32_t)srv, .request = (uintptr_t)&in->req,
	};
	struct objinvoke_reply rep = { 0 };

	inbox_arm(in, 0);
	if (ioctl(obj, OBJINVOKE_IOC_INVOKE, &inv))
		return errno;
	if (level > *deepest)
		*deepest = level;
	VT_ASSERT_EQ(inv.state, OBJINVOKE_STATE_REQUEST);
	/* While holding the request, invoke again: one level deeper. */
	rep.id = in->req.id;
	rep.result = (uint32_t)nest(srv, obj, in + 1, deepest, level + 1);
	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_REPLY, &rep));
	VT_ASSERT_EQ(inv.state, OBJINVOKE_STATE_DONE);
	return (int)(int32_t)inv.result;
}

static void nesting_is_bounded(void)
{
	struct inbox *in = calloc(OBJINVOKE_MAX_DEPTH + 2, sizeof(*in));
	int srv = server_new(), obj = server_add(srv, 2, NULL), deepest = 0;

	/* The innermost call fails with ELOOP; each level passes it up. */
	VT_ASSERT_EQ(nest(srv, obj, in, &deepest, 1), ELOOP);
	VT_ASSERT_EQ(deepest, OBJINVOKE_MAX_DEPTH);
	close(obj);
	close(srv);
	free(in);
}

static void malformed_replies(void)
{
	struct host h;
	struct objinvoke_arg a[1];
	char out[8];
	int32_t result;

	host_start(&h, 1);
	a[0] = vm_buf(out, sizeof(out));
	VT_ASSERT_OK(vm_invoke_raw(h.obj, HOST_BIG, ObjectCounts_pack(0, 1, 0, 0),
				   a, &result));
	VT_ASSERT_EQ(result, Object_ERROR_SIZE_OUT);
	VT_ASSERT_EQ(a[0].size, sizeof(out));
	/* The invoker wakes as the reply lands, before the host's ioctl
	 * returns: wait for the host to see its error. */
	host_wait_replies(&h, 1);
	VT_ASSERT_EQ(h.reply_errno, EMSGSIZE);

	a[0] = vm_obj(-1);
	VT_ASSERT_OK(vm_invoke_raw(h.obj, HOST_BADFD, ObjectCounts_pack(0, 0, 0, 1),
				   a, &result));
	VT_ASSERT_EQ(result, Object_ERROR_BADOBJ);
	VT_ASSERT_EQ(a[0].fd, OBJINVOKE_FD_NONE);
	host_wait_replies(&h, 2);
	VT_ASSERT_EQ(h.reply_errno, EBADF);

	VT_ASSERT_OK(vm_invoke_raw(h.obj, HOST_FILEFD,
				   ObjectCounts_pack(0, 0, 0, 1), a, &result));
	VT_ASSERT_EQ(result, Object_ERROR_BADOBJ);
	host_wait_replies(&h, 3);
	VT_ASSERT_EQ(h.reply_errno, EINVAL);
	host_stop(&h);
}

struct blocked {
	int obj;
	int32_t result;
};

static void *invoke_blocked(void *arg)
{
	struct blocked *b = arg;
	char out[8];

	b->result = host_echo(b->obj, "x", out, sizeof(out), NULL);
	return NULL;
}

static void shutdown_wakes_everyone(void)
{
	struct host h = { .srv = server_new() };
	struct blocked b;
	pthread_t waiter, invoker;
	struct pollfd p;

	h.obj = server_add(h.srv, 3, NULL);
	b.obj = h.obj;
	/* A RECV waiter, and an invoker nobody serves. */
	VT_ASSERT_EQ(pthread_create(&waiter, NULL, host_loop, &h), 0);
	VT_ASSERT_EQ(pthread_create(&invoker, NULL, invoke_blocked, &b), 0);
	vt_msleep(300);
	VT_ASSERT_OK(ioctl(h.srv, OBJINVOKE_IOC_SERVER_SHUTDOWN));
	VT_ASSERT_EQ(pthread_join(waiter, NULL), 0);
	VT_ASSERT_EQ(pthread_join(invoker, NULL), 0);
	/* The invoker may have been served before the shutdown. */
	VT_ASSERT(b.result == Object_ERROR_DEFUNCT || b.result == Object_OK);

	char out[8];

	VT_ASSERT_EQ(host_echo(h.obj, "late", out, sizeof(out), NULL),
		     Object_ERROR_DEFUNCT);
	p = (struct pollfd){ .fd = h.srv, .events = POLLIN };
	VT_ASSERT_EQ(poll(&p, 1, 0), 1);
	VT_ASSERT(p.revents & POLLHUP);
	close(h.obj);
	close(h.srv);
}

static void poll_says_requests_wait(void)
{
	struct host h = { .srv = server_new() };
	struct blocked b;
	pthread_t invoker;
	struct pollfd p = { .events = POLLIN };

	h.obj = server_add(h.srv, 4, NULL);
	p.fd = h.srv;
	VT_ASSERT_EQ(poll(&p, 1, 0), 0);
	b.obj = h.obj;
	VT_ASSERT_EQ(pthread_create(&invoker, NULL, invoke_blocked, &b), 0);
	VT_ASSERT_EQ(poll(&p, 1, 5000), 1);
	VT_ASSERT(p.revents & POLLIN);
	VT_ASSERT_EQ(pthread_create(&h.thread, NULL, host_loop, &h), 0);
	VT_ASSERT_EQ(pthread_join(invoker, NULL), 0);
	VT_ASSERT_EQ(b.result, Object_OK);
	host_stop(&h);
}

/* The host is a child process that dies in the middle of a request. */
static void host_death_is_defunct(void)
{
	int sv[2], obj;
	pid_t child;
	char out[8];

	VT_ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	child = fork();
	VT_ASSERT_OK(child);
	if (child == 0) {
		struct inbox *in = calloc(1, sizeof(*in));
		int srv = server_new();

		close(sv[0]);
		obj = server_add(srv, 5, NULL);
		if (vm_send_fd(sv[1], obj))
			_exit(2);
		close(obj);
		inbox_arm(in, 0);
		ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &in->req);
		pause();	/* holds the request; killed here */
		_exit(3);
	}
	close(sv[1]);
	obj = vm_recv_fd(sv[0]);
	VT_ASSERT_GE(obj, 0);
	struct blocked b = { .obj = obj };
	pthread_t invoker;

	VT_ASSERT_EQ(pthread_create(&invoker, NULL, invoke_blocked, &b), 0);
	vt_msleep(500);
	VT_ASSERT_OK(kill(child, SIGKILL));
	VT_ASSERT_EQ(pthread_join(invoker, NULL), 0);
	VT_ASSERT_EQ(b.result, Object_ERROR_DEFUNCT);
	VT_ASSERT_EQ(host_echo(obj, "after", out, sizeof(out), NULL),
		     Object_ERROR_DEFUNCT);
	VT_ASSERT_EQ(waitpid(child, NULL, 0), child);
	close(obj);
	close(sv[0]);
}

/* An invoker killed while the host holds its request. */
static void invoker_killed_while_host_holds_it(void)
{
	struct inbox *in = calloc(1, sizeof(*in));
	struct host h = { .srv = server_new() };
	struct pollfd p = { .events = POLLIN };
	char out[8];
	pid_t child;

	h.obj = server_add(h.srv, 6, NULL);
	child = fork();
	VT_ASSERT_OK(child);
	if (child == 0) {
		host_echo(h.obj, "x", out, sizeof(out), NULL);
		_exit(3);
	}
	p.fd = h.srv;
	VT_ASSERT_EQ(poll(&p, 1, 10000), 1);
	inbox_arm(in, 0);
	VT_ASSERT_OK(ioctl(h.srv, OBJINVOKE_IOC_SERVER_RECV, &in->req));
	VT_ASSERT_OK(kill(child, SIGKILL));
	VT_ASSERT_EQ(waitpid(child, NULL, 0), child);
	/* Answering finds nobody waiting; nothing leaks, nothing breaks. */
	VT_ASSERT_OK(host_serve(&h, in));
	close(h.obj);
	close(h.srv);
	free(in);
}

static void process_to_process_over_a_socket(void)
{
	struct host h;
	int sv[2];
	pid_t child;
	int status;

	host_start(&h, 1);
	VT_ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	child = fork();
	VT_ASSERT_OK(child);
	if (child == 0) {
		char out[16];
		int obj = vm_recv_fd(sv[1]);

		_exit(obj >= 0 && host_echo(obj, "child", out, sizeof(out), NULL) ==
					  Object_OK &&
			      !memcmp(out, "child", 5) ? 0 : 1);
	}
	VT_ASSERT_OK(vm_send_fd(sv[0], h.obj));
	VT_ASSERT_EQ(waitpid(child, &status, 0), child);
	VT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sv[0]);
	close(sv[1]);
	host_stop(&h);
}

static void server_abi(void)
{
	struct inbox *in = calloc(1, sizeof(*in));
	struct objinvoke_server_add add = { .flags = 1 };
	struct objinvoke_reply rep = { .id = 999 };
	int srv = server_new(), obj;

	VT_ASSERT_ERRNO(ioctl(srv, OBJINVOKE_IOC_SERVER_ADD, &add), EINVAL);
	VT_ASSERT_ERRNO(ioctl(srv, OBJINVOKE_IOC_SERVER_REPLY, &rep), ENOENT);
	rep.id = 0;
	VT_ASSERT_ERRNO(ioctl(srv, OBJINVOKE_IOC_SERVER_REPLY, &rep), EINVAL);
	inbox_arm(in, 0x80);
	VT_ASSERT_ERRNO(ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &in->req), EINVAL);
	VT_ASSERT_ERRNO(ioctl(srv, OBJINVOKE_IOC_INVOKE, &rep), ENOTTY);

	/* A server fd is not an object, an object fd is not a server. */
	obj = server_add(srv, 8, NULL);
	struct objinvoke_arg a[1] = { vm_obj(srv) };

	VT_ASSERT_ERRNO(vm_invoke_raw(obj, 0, ObjectCounts_pack(0, 0, 1, 0), a,
				      NULL), EINVAL);
	struct objinvoke_invoke inv = {
		.flags = OBJINVOKE_INVOKE_SERVE, .server_fd = (uint32_t)obj,
		.request = (uintptr_t)&in->req,
	};

	VT_ASSERT_ERRNO(ioctl(obj, OBJINVOKE_IOC_INVOKE, &inv), EINVAL);
	close(obj);
	close(srv);
	free(in);
}

static const struct vt_case cases[] = {
	VT_CASE(request_and_reply),
	VT_CASE(objects_cross_both_ways),
	VT_CASE(release_request_exactly_once),
	VT_CASE(same_thread_serving),
	VT_CASE(nesting_is_bounded),
	VT_CASE(malformed_replies),
	VT_CASE(shutdown_wakes_everyone),
	VT_CASE(poll_says_requests_wait),
	VT_CASE(host_death_is_defunct),
	VT_CASE(invoker_killed_while_host_holds_it),
	VT_CASE(process_to_process_over_a_socket),
	VT_CASE(server_abi),
};

VT_MAIN(cases)
