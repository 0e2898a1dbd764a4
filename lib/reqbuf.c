// SPDX-License-Identifier: MIT
/*
 * Request buffers: where SERVER_RECV (or a same-thread invocation) puts a
 * request.  Most requests are small, so a growable buffer starts small
 * and grows to exactly what the kernel says a request needs (ENOSPC
 * leaves that request queued, so the retry receives it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libobject_private.h"

/* Enough for the argument data of ordinary calls. */
#define REQBUF_INITIAL	4096

void objinvoke_reqbuf_init(struct objinvoke_reqbuf *rb)
{
	memset(rb, 0, sizeof(*rb));
	rb->growable = true;
}

void objinvoke_reqbuf_free(struct objinvoke_reqbuf *rb)
{
	if (rb->growable)
		free(rb->buf);
	rb->buf = NULL;
	rb->cap = 0;
}

/* Fill the in fields; out fields and reserved are zero, as required. */
void objinvoke_reqbuf_arm(struct objinvoke_reqbuf *rb, uint32_t flags)
{
	memset(&rb->req, 0, sizeof(rb->req));
	rb->req.flags = flags;
	rb->req.args = (uintptr_t)rb->args;
	rb->req.args_cap = OBJINVOKE_MAX_ARGS;
	rb->req.buf = (uintptr_t)rb->buf;
	rb->req.buf_size = rb->cap;
}

static int grow(struct objinvoke_reqbuf *rb, uint64_t need)
{
	void *buf;

	/* Only a kernel bug asks for less than we had, or more than can be. */
	if (!rb->growable || need <= rb->cap || need > OBJINVOKE_REQBUF_MAX) {
		objinvoke_log("request needs %llu bytes, have %zu",
			      (unsigned long long)need, rb->cap);
		errno = EPROTO;
		return -1;
	}
	buf = malloc(need);
	if (!buf) {
		objinvoke_log("no memory for a %llu-byte request",
			      (unsigned long long)need);
		errno = ENOMEM;
		return -1;
	}
	free(rb->buf);
	rb->buf = buf;
	rb->cap = need;
	return 0;
}

int objinvoke_reqbuf_recv(int sfd, struct objinvoke_reqbuf *rb,
			  uint32_t flags)
{
	if (!rb->buf && grow(rb, REQBUF_INITIAL) < 0)
		return -1;
	for (;;) {
		objinvoke_reqbuf_arm(rb, flags);
		if (ioctl(sfd, OBJINVOKE_IOC_SERVER_RECV, &rb->req) == 0)
			return 0;
		if (errno != ENOSPC)
			return -1;
		if (grow(rb, rb->req.buf_size) < 0)
			return -1;
	}
}
