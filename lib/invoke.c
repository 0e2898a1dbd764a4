// SPDX-License-Identifier: MIT
/*
 * The invoke ioctl, serving callbacks on the invoking thread.
 *
 * Once the process has a server, every invocation says
 * OBJINVOKE_INVOKE_SERVE: a callback to one of our own objects that the
 * invocation causes (the TEE calling back an object we passed it) comes
 * back to this thread as state OBJINVOKE_STATE_REQUEST.  We serve it and
 * answer with SERVER_REPLY, which carries the invocation on and returns
 * once the same struct objinvoke_invoke holds the next state.  This is
 * what lets a single-threaded process pass its own objects to the TEE.
 *
 * A handler may invoke again (nesting); each level has its own request
 * buffer (serve_stack.c) and the kernel bounds the depth with ELOOP.
 * This is the library's one place of recursion, and the only one on
 * purpose: serve_inline() -> objinvoke_serve_request() -> the local
 * object's handler -> Object_invoke() of a remote object
 * (objinvoke_remote_invoke()) -> objinvoke_invoke_ioctl() again.  Every
 * other call in libobject goes down its layers (libobject_private.h).
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "libobject_private.h"

/* What the kernel never writes to state: tells whether REPLY updated it. */
#define STATE_UNSET	0xFFFFFFFFU

static int32_t failed(const char *what, int err)
{
	if (err == ELOOP)
		objinvoke_log("%s: callbacks nested deeper than %u invocations (ELOOP)",
			      what, (unsigned int)OBJINVOKE_MAX_DEPTH);
	else
		objinvoke_log("%s: errno %d", what, err);
	return objinvoke_result_from_errno(err);
}

/* Serve requests that come back to this thread until the call is over. */
static int32_t serve_inline(int sfd, struct objinvoke_reqbuf *rb,
			    struct objinvoke_invoke *inv)
{
	while (inv->state == OBJINVOKE_STATE_REQUEST) {
		uint32_t kind = rb->req.kind;
		int ret;

		inv->state = STATE_UNSET;
		ret = objinvoke_serve_request(sfd, rb);
		if (inv->state == STATE_UNSET) {
			/* Nothing carried the invocation on: it is lost to us. */
			if (ret < 0)
				return failed("SERVER_REPLY", errno);
			objinvoke_log("request of kind %u came to the invoking thread",
				      (unsigned int)kind);
			return Object_ERROR_REMOTE;
		}
		/* A refused reply still carried the call on (the invoker of
		 * our object got an error): go on with what came next. */
	}
	/*
	 * Only DONE means result and outputs were written.  Checked here, at
	 * the loop's end, so that an unknown state in the INVOKE's own answer
	 * is refused too, not only one after a reply (found by the libobject
	 * fuzzer: a state of 2 straight from INVOKE was taken as DONE).
	 */
	if (inv->state != OBJINVOKE_STATE_DONE) {
		objinvoke_log("invoke state %u unknown",
			      (unsigned int)inv->state);
		return Object_ERROR_REMOTE;
	}
	return Object_OK;
}

static int32_t invoke_serving(int fd, int sfd, struct objinvoke_invoke *inv)
{
	struct objinvoke_reqbuf *rb;
	int32_t r;

	rb = objinvoke_serve_stack_push();
	if (!rb)
		return Object_ERROR_ABORT;	/* as the kernel's ELOOP */
	objinvoke_reqbuf_arm(rb, 0);
	inv->flags = OBJINVOKE_INVOKE_SERVE;
	inv->server_fd = (uint32_t)sfd;
	inv->request = (uintptr_t)&rb->req;

	if (ioctl(fd, OBJINVOKE_IOC_INVOKE, inv) < 0)
		r = failed("invoke", errno);
	else
		r = serve_inline(sfd, rb, inv);

	/* A single-threaded process gets its release requests here. */
	if (!atomic_load_explicit(&objinvoke_server_threads_running,
				  memory_order_relaxed))
		(void)objinvoke_serve_pending(sfd, rb);
	objinvoke_serve_stack_pop();
	return r;
}

int32_t objinvoke_invoke_ioctl(int fd, struct objinvoke_invoke *inv)
{
	int sfd = objinvoke_server_peek();

	if (sfd >= 0)
		return invoke_serving(fd, sfd, inv);
	if (ioctl(fd, OBJINVOKE_IOC_INVOKE, inv) < 0)
		return failed("invoke", errno);
	return Object_OK;
}
