// SPDX-License-Identifier: MIT
/*
 * Serving what waits on the server without blocking: the same-thread
 * invoke path drains release requests this way after each invocation,
 * and objinvoke_server_dispatch_pending() offers it to programs with an
 * event loop of their own.  Whatever kind of request comes is served by
 * whoever receives it: a request taken off the queue has no other taker.
 */
#include <errno.h>

#include "libobject_private.h"

int32_t objinvoke_serve_pending(int sfd, struct objinvoke_reqbuf *rb)
{
	for (;;) {
		if (objinvoke_reqbuf_recv(sfd, rb, OBJINVOKE_RECV_NONBLOCK) < 0) {
			int err = errno;

			if (err == EAGAIN)
				return Object_OK;
			if (err == EINTR)
				continue;
			objinvoke_log("SERVER_RECV: errno %d", err);
			return objinvoke_result_from_errno(err);
		}
		/* A failed reply was logged; the next request is still ours. */
		(void)objinvoke_serve_request(sfd, rb);
	}
}

OBJINVOKE_EXPORT int32_t objinvoke_server_dispatch_pending(void)
{
	struct objinvoke_reqbuf rb;
	int sfd = objinvoke_server_peek();
	int32_t r;

	if (sfd < 0)
		return Object_OK;	/* no server, nothing can be pending */
	objinvoke_reqbuf_init(&rb);
	r = objinvoke_serve_pending(sfd, &rb);
	objinvoke_reqbuf_free(&rb);
	return r;
}
