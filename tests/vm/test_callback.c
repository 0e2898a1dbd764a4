// SPDX-License-Identifier: MIT
/*
 * test_callback: the TEE calls back objects a process hosts, through the
 * emulator's callback service (include/ICallbackService.h), with raw
 * ioctls: served by another thread, served on the invoking thread itself,
 * buffers and objects both ways, a kept object and its release, callbacks
 * that invoke the TEE again (to the depth bound), a host that dies in a
 * callback, a malformed answer, several clients at once.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "ITestService.h"
#include "vmharness.h"
#include "vmhost.h"
#include "vmutil.h"

/* Methods of the same-thread client's object, beyond vmhost's. */
#define CB_REENTER	10	/* invoke the test service from the callback */
#define CB_RECURSE	11	/* have the TEE call us back again, forever */

/* A client that hosts an object and serves it on its own thread. */
struct client {
	int srv;
	int obj;
	int cbsvc;	/* the callback service */
	int testsvc;	/* the test service */
	int calls;	/* requests served */
	int deepest;
	int depth;
};

static int32_t invoke_serving(struct client *cl, int fd, uint32_t op,
			      uint32_t counts, struct objinvoke_arg *a);

/* Answer one request on the client's thread; REPLY carries on. */
static int client_serve(struct client *cl, struct inbox *in)
{
	struct objinvoke_request *r = &in->req;
	struct objinvoke_arg out[60];
	struct objinvoke_reply rep = { .id = r->id, .args = (uintptr_t)out };
	unsigned int bo = ObjectCounts_indexBO(r->counts);
	unsigned int oo = ObjectCounts_indexOO(r->counts);
	char data[64] = { 0 };

	cl->calls++;
	memcpy(out, in->args, sizeof(out));
	switch (r->op) {
	case HOST_ECHO:
		if (ObjectCounts_numBI(r->counts) && ObjectCounts_numBO(r->counts))
			out[bo] = vm_buf(vm_ptr(in->args[0].addr),
					 in->args[0].size);
		break;
	case HOST_GIVE:
		out[oo] = vm_obj(cl->obj);
		break;
	case HOST_BIG:
		out[bo] = vm_buf(data, in->args[bo].size + 1);
		break;
	case CB_REENTER: {
		struct objinvoke_arg e[2] = { vm_buf("nested", 6),
					      vm_buf(data, sizeof(data)) };

		rep.result = (uint32_t)invoke_serving(cl, cl->testsvc,
						      ITestService_OP_echo,
						      ObjectCounts_pack(1, 1, 0, 0),
						      e);
		if (!rep.result && memcmp(data, "nested", 6))
			rep.result = Object_ERROR;
		break;
	}
	case CB_RECURSE: {
		uint32_t again = CB_RECURSE;
		struct objinvoke_arg c[2] = { vm_buf(&again, sizeof(again)),
					      vm_obj(cl->obj) };

		cl->depth++;
		if (cl->depth > cl->deepest)
			cl->deepest = cl->depth;
		rep.result = (uint32_t)invoke_serving(cl, cl->cbsvc,
						      ICallbackService_OP_call,
						      ObjectCounts_pack(1, 0, 1, 0),
						      c);
		cl->depth--;
		break;
	}
	default:
		rep.result = Object_ERROR_INVALID;
	}
	/* Input objects arrive as fds of ours; this host keeps none. */
	for (unsigned int i = ObjectCounts_indexOI(r->counts); i < oo; i++)
		if (in->args[i].fd != OBJINVOKE_FD_NONE)
			close((int)in->args[i].fd);
	/* The continuation may hand us the next request in the same inbox. */
	inbox_arm(in, 0);
	return ioctl(cl->srv, OBJINVOKE_IOC_SERVER_REPLY, &rep);
}

/*
 * Invoke fd serving the client's own objects on this thread until the
 * invocation is over.  The result, or 1000 + errno when an ioctl failed.
 */
static int32_t invoke_serving(struct client *cl, int fd, uint32_t op,
			      uint32_t counts, struct objinvoke_arg *a)
{
	struct inbox *in = calloc(1, sizeof(*in));
	struct objinvoke_invoke inv = {
		.op = op, .counts = counts, .args = (uintptr_t)a,
		.flags = OBJINVOKE_INVOKE_SERVE,
		.server_fd = (uint32_t)cl->srv,
		.request = (uintptr_t)&in->req,
	};
	int32_t ret;

	VT_ASSERT(in);
	inbox_arm(in, 0);
	if (ioctl(fd, OBJINVOKE_IOC_INVOKE, &inv)) {
		ret = 1000 + errno;
		goto out;
	}
	while (inv.state == OBJINVOKE_STATE_REQUEST) {
		if (client_serve(cl, in)) {
			ret = 1000 + errno;
			goto out;
		}
	}
	ret = (int32_t)inv.result;
out:
	free(in);
	return ret;
}

static void client_open(struct client *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->srv = server_new();
	cl->obj = server_add(cl->srv, 0xc1, NULL);
	cl->cbsvc = vm_service_fd_raw(ICallbackService_UID);
	cl->testsvc = vm_service_fd_raw(ITestService_UID);
}

static void client_close(struct client *cl)
{
	close(cl->testsvc);
	close(cl->cbsvc);
	close(cl->obj);
	close(cl->srv);
}

static int32_t cb_call(struct client *cl, int target, uint32_t op)
{
	struct objinvoke_arg a[2] = { vm_buf(&op, sizeof(op)), vm_obj(target) };

	return invoke_serving(cl, cl->cbsvc, ICallbackService_OP_call,
			      ObjectCounts_pack(1, 0, 1, 0), a);
}

static void served_by_another_thread(void)
{
	struct host h;
	int svc = vm_service_fd_raw(ICallbackService_UID);
	uint32_t op = HOST_ECHO;
	char out[32] = { 0 };
	struct objinvoke_arg a[4] = { vm_buf(&op, sizeof(op)),
				      vm_buf("to the host", 11),
				      vm_buf(out, sizeof(out)), vm_obj(-1) };
	int32_t result;

	host_start(&h, 2);
	a[3] = vm_obj(h.obj);
	VT_ASSERT_OK(vm_invoke_raw(svc, ICallbackService_OP_callBufs,
				   ObjectCounts_pack(2, 1, 1, 0), a, &result));
	VT_ASSERT_EQ(result, Object_OK);
	VT_ASSERT_EQ(a[2].size, 11);
	VT_ASSERT_MEM_EQ(out, "to the host", 11);
	close(svc);
	host_stop(&h);
}

static void served_on_the_invoking_thread(void)
{
	struct client cl;
	char out[32] = { 0 };
	uint32_t op = HOST_ECHO;
	struct objinvoke_arg a[4];

	client_open(&cl);
	VT_ASSERT_EQ(cb_call(&cl, cl.obj, HOST_ECHO), Object_OK);
	VT_ASSERT_EQ(cl.calls, 1);

	a[0] = vm_buf(&op, sizeof(op));
	a[1] = vm_buf("same thread", 11);
	a[2] = vm_buf(out, sizeof(out));
	a[3] = vm_obj(cl.obj);
	VT_ASSERT_EQ(invoke_serving(&cl, cl.cbsvc, ICallbackService_OP_callBufs,
				    ObjectCounts_pack(2, 1, 1, 0), a),
		     Object_OK);
	VT_ASSERT_EQ(a[2].size, 11);
	VT_ASSERT_MEM_EQ(out, "same thread", 11);
	/* An unknown method's error comes back through the TEE. */
	VT_ASSERT_EQ(cb_call(&cl, cl.obj, 99), Object_ERROR_INVALID);
	client_close(&cl);
}

static void objects_come_back_from_a_callback(void)
{
	struct client cl;
	uint32_t op = HOST_GIVE, v = 0;
	struct objinvoke_arg a[4];
	int counter;

	client_open(&cl);
	/* An argument the TEE passes on: one of its own counters. */
	v = 5;
	a[0] = vm_buf(&v, sizeof(v));
	a[1] = vm_obj(-1);
	VT_ASSERT_OK(vm_invoke_raw(cl.testsvc, ITestService_OP_newCounter,
				   ObjectCounts_pack(1, 0, 0, 1), a, NULL));
	counter = (int)a[1].fd;

	a[0] = vm_buf(&op, sizeof(op));
	a[1] = vm_obj(cl.obj);
	a[2] = vm_obj(counter);
	a[3] = vm_obj(-1);
	VT_ASSERT_EQ(invoke_serving(&cl, cl.cbsvc, ICallbackService_OP_callObjects,
				    ObjectCounts_pack(1, 0, 2, 1), a),
		     Object_OK);
	/* The object the callback returned (ours) reached us again. */
	VT_ASSERT_NE(a[3].fd, OBJINVOKE_FD_NONE);
	char out[16];
	struct objinvoke_arg e[2] = { vm_buf("back", 4), vm_buf(out, sizeof(out)) };

	VT_ASSERT_EQ(invoke_serving(&cl, (int)a[3].fd, HOST_ECHO,
				    ObjectCounts_pack(1, 1, 0, 0), e),
		     Object_OK);
	VT_ASSERT_MEM_EQ(out, "back", 4);
	close((int)a[3].fd);
	close(counter);
	client_close(&cl);
}

static void kept_object_is_released_once(void)
{
	struct inbox *in = calloc(1, sizeof(*in));
	struct client cl;
	uint32_t handle, op = HOST_ECHO;
	char out[16];
	struct objinvoke_arg a[3];
	int obj2;

	client_open(&cl);
	obj2 = server_add(cl.srv, 0xbeef, &handle);
	a[0] = vm_obj(obj2);
	VT_ASSERT_EQ(invoke_serving(&cl, cl.cbsvc, ICallbackService_OP_keep,
				    ObjectCounts_pack(0, 0, 1, 0), a),
		     Object_OK);
	close(obj2);	/* only the TEE holds it now */

	a[0] = vm_buf(&op, sizeof(op));
	a[1] = vm_buf("kept", 4);
	a[2] = vm_buf(out, sizeof(out));
	VT_ASSERT_EQ(invoke_serving(&cl, cl.cbsvc, ICallbackService_OP_callKept,
				    ObjectCounts_pack(2, 1, 0, 0), a),
		     Object_OK);
	VT_ASSERT_MEM_EQ(out, "kept", 4);
	inbox_arm(in, OBJINVOKE_RECV_NONBLOCK);
	VT_ASSERT_ERRNO(ioctl(cl.srv, OBJINVOKE_IOC_SERVER_RECV, &in->req),
			EAGAIN);

	VT_ASSERT_EQ(invoke_serving(&cl, cl.cbsvc, ICallbackService_OP_dropKept,
				    0, NULL), Object_OK);
	/* The TEE's release arrives with some later message. */
	for (int i = 0; i < 100; i++) {
		inbox_arm(in, OBJINVOKE_RECV_NONBLOCK);
		if (!ioctl(cl.srv, OBJINVOKE_IOC_SERVER_RECV, &in->req))
			break;
		VT_ASSERT_EQ(errno, EAGAIN);
		VT_ASSERT_EQ(cb_call(&cl, cl.obj, HOST_ECHO), Object_OK);
		vt_msleep(20);
	}
	VT_ASSERT_EQ(in->req.kind, OBJINVOKE_REQUEST_RELEASE);
	VT_ASSERT_EQ(in->req.cookie, 0xbeef);
	VT_ASSERT_EQ(in->req.handle, handle);
	VT_ASSERT_EQ(cb_call(&cl, cl.obj, HOST_ECHO), Object_OK);
	inbox_arm(in, OBJINVOKE_RECV_NONBLOCK);
	VT_ASSERT_ERRNO(ioctl(cl.srv, OBJINVOKE_IOC_SERVER_RECV, &in->req),
			EAGAIN);
	client_close(&cl);
	free(in);
}

static void callback_invokes_the_tee_again(void)
{
	struct client cl;

	client_open(&cl);
	VT_ASSERT_EQ(cb_call(&cl, cl.obj, CB_REENTER), Object_OK);
	VT_ASSERT_EQ(cl.calls, 1);
	client_close(&cl);
}

static void recursion_stops_at_the_depth_bound(void)
{
	struct client cl;

	client_open(&cl);
	/* The innermost invocation fails with ELOOP, passed up by each level. */
	VT_ASSERT_EQ(cb_call(&cl, cl.obj, CB_RECURSE), 1000 + ELOOP);
	VT_ASSERT_EQ(cl.deepest, OBJINVOKE_MAX_DEPTH);
	client_close(&cl);
}

static void too_large_callback_output(void)
{
	struct client cl;
	uint32_t op = HOST_BIG;
	char out[16];
	struct objinvoke_arg a[4];

	client_open(&cl);
	a[0] = vm_buf(&op, sizeof(op));
	a[1] = vm_buf("x", 1);
	a[2] = vm_buf(out, sizeof(out));
	a[3] = vm_obj(cl.obj);
	/* Our own reply was malformed: the TEE got SIZE_OUT for it. */
	VT_ASSERT_EQ(invoke_serving(&cl, cl.cbsvc, ICallbackService_OP_callBufs,
				    ObjectCounts_pack(2, 1, 1, 0), a),
		     Object_ERROR_SIZE_OUT);
	client_close(&cl);
}

static void host_killed_in_a_callback(void)
{
	int svc = vm_service_fd_raw(ICallbackService_UID);
	int sv[2], obj, status;
	pid_t child;
	int32_t result;
	uint32_t op = HOST_ECHO;

	VT_ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	child = fork();
	VT_ASSERT_OK(child);
	if (child == 0) {
		struct inbox *in = calloc(1, sizeof(*in));
		int srv = server_new();

		obj = server_add(srv, 9, NULL);
		if (vm_send_fd(sv[1], obj))
			_exit(2);
		close(obj);
		inbox_arm(in, 0);
		ioctl(srv, OBJINVOKE_IOC_SERVER_RECV, &in->req);
		/* Holds the TEE's callback, and dies with it. */
		kill(getpid(), SIGKILL);
		_exit(3);
	}
	obj = vm_recv_fd(sv[0]);
	VT_ASSERT_GE(obj, 0);
	struct objinvoke_arg a[2] = { vm_buf(&op, sizeof(op)), vm_obj(obj) };

	VT_ASSERT_OK(vm_invoke_raw(svc, ICallbackService_OP_call,
				   ObjectCounts_pack(1, 0, 1, 0), a, &result));
	VT_ASSERT_EQ(result, Object_ERROR_DEFUNCT);
	VT_ASSERT_EQ(waitpid(child, &status, 0), child);
	close(obj);
	close(sv[0]);
	close(sv[1]);
	close(svc);
}

static void *client_thread(void *arg)
{
	int *bad = arg;
	struct client cl;

	client_open(&cl);
	for (int i = 0; i < 100; i++)
		if (cb_call(&cl, cl.obj, HOST_ECHO) != Object_OK)
			(*bad)++;
	if (cl.calls != 100)
		(*bad)++;
	client_close(&cl);
	return NULL;
}

static void four_clients_with_callbacks(void)
{
	pthread_t t[4];
	int bad[4] = { 0 };

	for (int i = 0; i < 4; i++)
		VT_ASSERT_EQ(pthread_create(&t[i], NULL, client_thread, &bad[i]),
			     0);
	for (int i = 0; i < 4; i++) {
		VT_ASSERT_EQ(pthread_join(t[i], NULL), 0);
		VT_ASSERT_EQ(bad[i], 0);
	}
}

static void kernel_object_as_a_target(void)
{
	struct client cl;
	struct objinvoke_get_object g = { 0 };
	struct objinvoke_creds_info info = { 0 };
	uint32_t op = OBJINVOKE_CREDS_OP_GET_INFO;
	struct objinvoke_arg a[4];
	int dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);

	VT_ASSERT_OK(dev);
	VT_ASSERT_OK(ioctl(dev, OBJINVOKE_IOC_GET_CREDENTIALS, &g));
	close(dev);
	client_open(&cl);
	a[0] = vm_buf(&op, sizeof(op));
	a[1] = vm_buf("", 0);
	a[2] = vm_buf(&info, sizeof(info));
	a[3] = vm_obj((int)g.fd);
	/* The credentials object takes exactly one output buffer: its own
	 * answer to callBufs' shape comes back through the TEE. */
	VT_ASSERT_EQ(invoke_serving(&cl, cl.cbsvc, ICallbackService_OP_callBufs,
				    ObjectCounts_pack(2, 1, 1, 0), a),
		     Object_ERROR_INVALID);
	VT_ASSERT_EQ(cl.calls, 0);	/* the kernel answered, not us */
	close((int)g.fd);
	client_close(&cl);
}

static const struct vt_case cases[] = {
	VT_CASE(served_by_another_thread),
	VT_CASE(served_on_the_invoking_thread),
	VT_CASE(objects_come_back_from_a_callback),
	VT_CASE(kept_object_is_released_once),
	VT_CASE(callback_invokes_the_tee_again),
	VT_CASE(recursion_stops_at_the_depth_bound),
	VT_CASE(too_large_callback_output),
	VT_CASE(host_killed_in_a_callback),
	VT_CASE_TIMEOUT(four_clients_with_callbacks, 300),
	VT_CASE(kernel_object_as_a_target),
};

VT_MAIN(cases)
