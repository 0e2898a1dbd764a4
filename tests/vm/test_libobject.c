// SPDX-License-Identifier: MIT
/*
 * test_libobject: local objects through libobject, against the real
 * module and emulator: passed to the TEE transparently, the same object
 * one kernel object, released exactly once when the TEE and the process
 * are done, served on the calling thread or by dispatch threads, handed
 * to another process over a UNIX socket, invoking the TEE again from a
 * callback.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ICallbackService.h"
#include "ITestService.h"
#include "vmharness.h"
#include "libobject.h"
#include "vmutil.h"

#define LOCAL_OP_PING	1
#define LOCAL_OP_UPPER	2	/* BI text -> BO upper case */
#define LOCAL_OP_NESTED	3	/* echo through the test service */
#define LOCAL_OP_SELF	4	/* IO anything, OO this object */

struct local {
	atomic_int refs;
	atomic_int calls;
	atomic_int released;	/* the last release happened */
	pthread_t last_thread;
	Object testsvc;
};

static int32_t local_invoke(ObjectCxt h, ObjectOp op, ObjectArg *a,
			    ObjectCounts k)
{
	struct local *l = h;
	char out[16];
	size_t n;

	switch (ObjectOp_methodID(op)) {
	case Object_OP_retain:
		atomic_fetch_add(&l->refs, 1);
		return Object_OK;
	case Object_OP_release:
		if (atomic_fetch_sub(&l->refs, 1) == 1)
			atomic_fetch_add(&l->released, 1);
		return Object_OK;
	}
	atomic_fetch_add(&l->calls, 1);
	l->last_thread = pthread_self();
	switch (ObjectOp_methodID(op)) {
	case LOCAL_OP_PING:
		return Object_OK;
	case LOCAL_OP_UPPER:
		if (k != ObjectCounts_pack(1, 1, 0, 0) ||
		    a[1].b.size < a[0].bi.size)
			return Object_ERROR_SIZE_OUT;
		for (size_t i = 0; i < a[0].bi.size; i++) {
			char c = ((const char *)a[0].bi.ptr)[i];

			((char *)a[1].b.ptr)[i] =
				c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
		}
		a[1].b.size = a[0].bi.size;
		return Object_OK;
	case LOCAL_OP_SELF:
		if (k != ObjectCounts_pack(0, 0, 1, 1))
			return Object_ERROR_INVALID;
		/* An output object belongs to the caller: one more reference. */
		atomic_fetch_add(&l->refs, 1);
		a[1].o = (Object){ local_invoke, l };
		return Object_OK;
	case LOCAL_OP_NESTED:
		if (ITestService_echo(l->testsvc, "deep", 4, out, sizeof(out),
				      &n) || n != 4)
			return Object_ERROR;
		return Object_OK;
	}
	return Object_ERROR_INVALID;
}

static Object local_object(struct local *l)
{
	memset(l, 0, sizeof(*l));
	atomic_store(&l->refs, 1);
	return (Object){ local_invoke, l };
}

/* Drop our own reference and wait for libobject to drop its one. */
static void expect_released(struct local *l, Object obj)
{
	Object_release(obj);
	for (int i = 0; i < 200 && !atomic_load(&l->released); i++) {
		objinvoke_server_dispatch_pending();
		vt_msleep(20);
	}
	VT_ASSERT_EQ(atomic_load(&l->released), 1);
	VT_ASSERT_EQ(atomic_load(&l->refs), 0);
}

static void tee_calls_a_local_object(void)
{
	Object cb = vm_open_service(ICallbackService_UID);
	struct local l;
	Object obj = local_object(&l);
	char out[16];
	size_t n = 0;

	VT_ASSERT_EQ(ICallbackService_call(cb, obj, LOCAL_OP_PING), Object_OK);
	VT_ASSERT_EQ(atomic_load(&l.calls), 1);
	/* Served right here, on the invoking thread. */
	VT_ASSERT(pthread_equal(l.last_thread, pthread_self()));
	VT_ASSERT_EQ(ICallbackService_callBufs(cb, obj, LOCAL_OP_UPPER, "tee", 3,
					       out, sizeof(out), &n),
		     Object_OK);
	VT_ASSERT_EQ(n, 3);
	VT_ASSERT_MEM_EQ(out, "TEE", 3);
	Object_release(cb);
	expect_released(&l, obj);
}

static void same_object_is_one_kernel_object(void)
{
	Object cb = vm_open_service(ICallbackService_UID);
	struct local l;
	Object obj = local_object(&l);

	VT_ASSERT_EQ(ICallbackService_keep(cb, obj), Object_OK);
	VT_ASSERT_EQ(ICallbackService_call(cb, obj, LOCAL_OP_PING), Object_OK);
	VT_ASSERT_EQ(ICallbackService_call(cb, obj, LOCAL_OP_PING), Object_OK);
	/* One registration: libobject holds exactly one reference. */
	VT_ASSERT_EQ(atomic_load(&l.refs), 2);
	/* We are done; the TEE is not: nothing is released yet. */
	Object_release(obj);
	VT_ASSERT_EQ(ICallbackService_callKept(cb, LOCAL_OP_PING, "", 0, NULL, 0,
					       NULL), Object_OK);
	VT_ASSERT_EQ(atomic_load(&l.released), 0);
	VT_ASSERT_EQ(ICallbackService_dropKept(cb), Object_OK);
	for (int i = 0; i < 200 && !atomic_load(&l.released); i++) {
		/* The TEE's release rides on a later message. */
		VT_ASSERT_EQ(ICallbackService_dropKept(cb), Object_OK);
		objinvoke_server_dispatch_pending();
		vt_msleep(20);
	}
	VT_ASSERT_EQ(atomic_load(&l.released), 1);
	VT_ASSERT_EQ(atomic_load(&l.refs), 0);
	Object_release(cb);
}

static void callback_invokes_the_tee_again(void)
{
	Object cb = vm_open_service(ICallbackService_UID);
	struct local l;
	Object obj = local_object(&l);

	l.testsvc = vm_open_service(ITestService_UID);
	VT_ASSERT_EQ(ICallbackService_call(cb, obj, LOCAL_OP_NESTED), Object_OK);
	VT_ASSERT_EQ(atomic_load(&l.calls), 1);
	Object_release(l.testsvc);
	Object_release(cb);
	expect_released(&l, obj);
}

static void dispatch_threads_serve_other_processes(void)
{
	struct objinvoke_server_threads *threads = NULL;
	struct local l;
	Object obj = local_object(&l);
	int sv[2], status;
	pid_t child;

	VT_ASSERT_EQ(objinvoke_server_start(2, &threads), Object_OK);
	VT_ASSERT_OK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
	child = fork();
	VT_ASSERT_OK(child);
	if (child == 0) {
		Object remote = Object_NULL;
		char out[16];
		ObjectArg a[2] = {{{0, 0}}};
		int ok;

		close(sv[0]);
		a[0].bi = (ObjectBufIn){ "child", 5 };
		a[1].b = (ObjectBuf){ out, sizeof(out) };
		ok = objinvoke_recv_object(sv[1], &remote) == Object_OK &&
		     Object_invoke(remote, LOCAL_OP_UPPER, a,
				   ObjectCounts_pack(1, 1, 0, 0)) == Object_OK &&
		     a[1].b.size == 5 && !memcmp(out, "CHILD", 5);
		Object_release(remote);
		_exit(ok ? 0 : 1);
	}
	close(sv[1]);
	VT_ASSERT_EQ(objinvoke_send_object(sv[0], obj), Object_OK);
	VT_ASSERT_EQ(waitpid(child, &status, 0), child);
	VT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	VT_ASSERT_EQ(atomic_load(&l.calls), 1);
	/* A dispatch thread served it, not us. */
	VT_ASSERT(!pthread_equal(l.last_thread, pthread_self()));
	close(sv[0]);
	expect_released(&l, obj);
	objinvoke_server_stop(threads);
	VT_ASSERT_EQ(objinvoke_server_join(threads), Object_OK);
}

static void *stopper(void *arg)
{
	vt_msleep(200);
	objinvoke_server_stop(arg);
	return NULL;
}

static void stop_from_another_thread(void)
{
	struct objinvoke_server_threads *threads = NULL;
	pthread_t t;

	VT_ASSERT_EQ(objinvoke_server_start(3, &threads), Object_OK);
	VT_ASSERT_EQ(pthread_create(&t, NULL, stopper, threads), 0);
	VT_ASSERT_EQ(objinvoke_server_join(threads), Object_OK);
	VT_ASSERT_EQ(pthread_join(t, NULL), 0);
}

static void tee_returns_the_local_object(void)
{
	Object cb = vm_open_service(ICallbackService_UID);
	struct local l;
	Object obj = local_object(&l), back = Object_NULL;

	/* The callback's answer is our object; the TEE hands it back. */
	VT_ASSERT_EQ(ICallbackService_callObjects(cb, obj, obj, LOCAL_OP_SELF,
						  &back),
		     Object_OK);
	VT_ASSERT(!Object_isNull(back));
	/* It still reaches us, through the kernel. */
	ObjectArg a[2] = {{{0, 0}}};
	char out[8];

	a[0].bi = (ObjectBufIn){ "back", 4 };
	a[1].b = (ObjectBuf){ out, sizeof(out) };
	VT_ASSERT_EQ(Object_invoke(back, LOCAL_OP_UPPER, a,
				   ObjectCounts_pack(1, 1, 0, 0)), Object_OK);
	VT_ASSERT_MEM_EQ(out, "BACK", 4);
	Object_release(back);
	Object_release(cb);
	expect_released(&l, obj);
}

static const struct vt_case cases[] = {
	VT_CASE(tee_calls_a_local_object),
	VT_CASE(same_object_is_one_kernel_object),
	VT_CASE(callback_invokes_the_tee_again),
	VT_CASE(dispatch_threads_serve_other_processes),
	VT_CASE(stop_from_another_thread),
	VT_CASE(tee_returns_the_local_object),
};

/* libobject's process-wide server fd lives as long as the process. */
static void make_the_server(void)
{
	int fd;

	VT_ASSERT_EQ(objinvoke_server_fd(&fd), Object_OK);
}

VT_MAIN_SETUP(cases, make_the_server)
