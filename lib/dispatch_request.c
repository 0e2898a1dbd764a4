// SPDX-License-Identifier: MIT
/*
 * Serving one request: from the kernel's struct objinvoke_request to a
 * call of the local object, and from its answer to SERVER_REPLY.
 *
 * The request comes from the kernel, but every length and fd in it is
 * still checked before use (a broken kernel must not make us read outside
 * the request buffer).  Every input object fd the kernel installed for us
 * is closed or wrapped on every path, and every reference the callee hands
 * back is dropped once the kernel has taken its own in SERVER_REPLY.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "libobject_private.h"

/* One request's answer, kept until the reply has been sent. */
struct answer {
	ObjectCounts k;
	ObjectArg oa[OBJINVOKE_MAX_ARGS];	/* what the callee sees */
	struct objinvoke_arg ka[OBJINVOKE_MAX_ARGS];	/* the reply's */
	void *out_space;			/* output buffers */
	bool fd_owned[OBJINVOKE_MAX_ARGS_PER_KIND];	/* exported for OO */
};

/* Close the input object fds of @rb from index @from on. */
static void close_in_fds(const struct objinvoke_reqbuf *rb, ObjectCounts k,
			 size_t from)
{
	size_t i, oi = ObjectCounts_indexOI(k);

	for (i = from; i < ObjectCounts_numOI(k); i++) {
		uint32_t fd = rb->args[oi + i].fd;

		if (fd != OBJINVOKE_FD_NONE && fd <= INT_MAX)
			close((int)fd);
	}
}

/* Input buffers must lie inside the bytes the kernel says it used. */
static int32_t check_in_bufs(const struct objinvoke_reqbuf *rb,
			     ObjectCounts k)
{
	uint64_t base = (uintptr_t)rb->buf, used = rb->req.buf_size;
	size_t i;

	if (used > rb->cap)
		return Object_ERROR_INVALID;
	for (i = 0; i < ObjectCounts_numBI(k); i++) {
		const struct objinvoke_arg *a = &rb->args[i];

		if (a->size == 0)
			continue;	/* addr is not used */
		if (a->addr < base || a->addr - base > used ||
		    a->size > used - (a->addr - base)) {
			objinvoke_log("request input buffer %zu outside the request",
				      i);
			return Object_ERROR_INVALID;
		}
	}
	return Object_OK;
}

static int32_t check_request(const struct objinvoke_reqbuf *rb,
			     ObjectCounts k)
{
	size_t i, bo = ObjectCounts_indexBO(k), oi = ObjectCounts_indexOI(k);
	uint64_t out = 0;

	if (rb->req.counts >> 16 || ObjectOp_isLocal(rb->req.op)) {
		objinvoke_log("request with counts 0x%x op 0x%x refused",
			      (unsigned int)rb->req.counts,
			      (unsigned int)rb->req.op);
		return Object_ERROR_INVALID;
	}
	for (i = bo; i < bo + ObjectCounts_numBO(k); i++) {
		if (rb->args[i].size > OBJINVOKE_MAX_BUF_BYTES - out) {
			objinvoke_log("request output buffers too large");
			return Object_ERROR_MAXDATA;
		}
		out += rb->args[i].size;
	}
	for (i = oi; i < oi + ObjectCounts_numOI(k); i++) {
		uint32_t fd = rb->args[i].fd;

		if (fd != OBJINVOKE_FD_NONE && fd > INT_MAX) {
			objinvoke_log("request input object: bad fd %u",
				      (unsigned int)fd);
			return Object_ERROR_INVALID;
		}
		if (rb->args[i].flags & ~OBJINVOKE_ARG_MEMORY) {
			objinvoke_log("request input object: unknown flags 0x%x",
				      (unsigned int)rb->args[i].flags);
			return Object_ERROR_INVALID;
		}
	}
	return check_in_bufs(rb, k);
}

/* Buffers: inputs point into the request, outputs into our own space. */
static int32_t set_bufs(const struct objinvoke_reqbuf *rb, struct answer *ans)
{
	size_t i, bo = ObjectCounts_indexBO(ans->k), total = 0;
	char *p;

	for (i = 0; i < ObjectCounts_numBI(ans->k); i++)
		ans->oa[i].bi = (ObjectBufIn){
			rb->args[i].size ? (const void *)(uintptr_t)rb->args[i].addr
					 : NULL,
			rb->args[i].size };
	for (i = bo; i < bo + ObjectCounts_numBO(ans->k); i++)
		total += rb->args[i].size;
	if (!total)
		return Object_OK;
	/* Zeroed: bytes the callee claims but never wrote leak nothing. */
	p = ans->out_space = calloc(1, total);
	if (!p) {
		objinvoke_log("no memory for %zu bytes of output buffers",
			      total);
		return Object_ERROR_KMEM;
	}
	for (i = bo; i < bo + ObjectCounts_numBO(ans->k); i++) {
		ans->oa[i].b = (ObjectBuf){ p, rb->args[i].size };
		p += rb->args[i].size;
	}
	return Object_OK;
}

/*
 * Input object fds become remote Objects (or, flagged
 * OBJINVOKE_ARG_MEMORY, mapped memory objects) the library owns for the
 * call.
 */
static int32_t wrap_in_objs(const struct objinvoke_reqbuf *rb,
			    struct answer *ans)
{
	size_t i, oi = ObjectCounts_indexOI(ans->k);
	int32_t r;

	for (i = 0; i < ObjectCounts_numOI(ans->k); i++) {
		uint32_t fd = rb->args[oi + i].fd;

		if (fd == OBJINVOKE_FD_NONE)
			continue;
		r = objinvoke_object_from_kernel((int)fd, rb->args[oi + i].flags,
						 &ans->oa[oi + i].o);
		if (r) {
			close_in_fds(rb, ans->k, i + 1);
			return r;
		}
	}
	return Object_OK;
}

static void release_in_objs(struct answer *ans)
{
	size_t i, oi = ObjectCounts_indexOI(ans->k);

	for (i = oi; i < oi + ObjectCounts_numOI(ans->k); i++) {
		Object_RELEASE_IF(ans->oa[i].o);
		ans->oa[i].o = Object_NULL;
	}
}

static void release_out_objs(struct answer *ans)
{
	size_t i, oo = ObjectCounts_indexOO(ans->k);

	for (i = 0; i < ObjectCounts_numOO(ans->k); i++) {
		if (ans->fd_owned[i])
			close((int)ans->ka[oo + i].fd);
		ans->fd_owned[i] = false;
		ans->ka[oo + i].fd = OBJINVOKE_FD_NONE;
		Object_RELEASE_IF(ans->oa[oo + i].o);
		ans->oa[oo + i].o = Object_NULL;
	}
}

static void forget_out_objs(struct answer *ans)
{
	size_t i, oo = ObjectCounts_indexOO(ans->k);

	for (i = oo; i < oo + ObjectCounts_numOO(ans->k); i++)
		ans->oa[i].o = Object_NULL;
}

/*
 * An output object as an fd: a remote one's own, a memory object's
 * dma-buf, or a local one exported.
 */
static int32_t out_obj_fd(struct answer *ans, size_t i)
{
	size_t oo = ObjectCounts_indexOO(ans->k);
	Object o = ans->oa[oo + i].o;
	int fd;
	int32_t r;

	if (Object_isNull(o))
		return Object_OK;
	fd = objinvoke_object_fd(o);
	if (fd >= 0) {
		ans->ka[oo + i].fd = (uint32_t)fd;
		return Object_OK;
	}
	r = objinvoke_server_export(o, &fd);
	if (r)
		return r;
	ans->ka[oo + i].fd = (uint32_t)fd;
	ans->fd_owned[i] = true;
	return Object_OK;
}

/* The callee's answer as the reply's argument array. */
static int32_t fill_reply_args(const struct objinvoke_reqbuf *rb,
			       struct answer *ans)
{
	size_t i, bo = ObjectCounts_indexBO(ans->k);
	int32_t r;

	for (i = bo; i < bo + ObjectCounts_numBO(ans->k); i++) {
		ObjectBuf b = ans->oa[i].b;

		if (b.size > rb->args[i].size || (!b.ptr && b.size)) {
			objinvoke_log("local object wrote %zu bytes into a %llu-byte output buffer",
				      b.size,
				      (unsigned long long)rb->args[i].size);
			return Object_ERROR_SIZE_OUT;
		}
		ans->ka[i].addr = (uintptr_t)b.ptr;
		ans->ka[i].size = b.size;
	}
	for (i = 0; i < ObjectCounts_numOO(ans->k); i++) {
		r = out_obj_fd(ans, i);
		if (r)
			return r;
	}
	return Object_OK;
}

/* Run the request on @obj; the answer stays in @ans until the reply. */
static int32_t call_local(Object obj, const struct objinvoke_reqbuf *rb,
			  struct answer *ans)
{
	int32_t r;

	r = check_request(rb, ans->k);
	if (r) {
		close_in_fds(rb, ans->k, 0);
		return r;
	}
	r = wrap_in_objs(rb, ans);
	if (r == Object_OK)
		r = set_bufs(rb, ans);
	/* The handler may invoke again: nested serving (invoke.c). */
	if (r == Object_OK)
		r = Object_invoke(obj, rb->req.op, ans->oa, ans->k);
	/* The callee retained what it keeps; the call's references end. */
	release_in_objs(ans);
	if (r != Object_OK) {
		/* Outputs of a failed call are not valid: no references. */
		forget_out_objs(ans);
		return r;
	}
	r = fill_reply_args(rb, ans);
	if (r)
		release_out_objs(ans);
	return r;
}

static void answer_init(struct answer *ans, ObjectCounts k)
{
	size_t i;

	memset(ans, 0, sizeof(*ans));
	ans->k = k & 0xFFFF;
	for (i = 0; i < OBJINVOKE_MAX_ARGS; i++)
		ans->ka[i].fd = OBJINVOKE_FD_NONE;
}

/*
 * Reply to request @id of @rb.  A reply to a same-thread request fills the
 * next one into @rb, so its in fields are set again first, as they were
 * for the invocation; nothing of the old request is read afterwards.
 */
static int send_reply(int sfd, struct objinvoke_reqbuf *rb, uint64_t id,
		      int32_t r, struct answer *ans)
{
	struct objinvoke_reply rep;

	objinvoke_reqbuf_arm(rb, 0);
	memset(&rep, 0, sizeof(rep));
	rep.id = id;
	rep.result = (uint32_t)r;
	if (r == Object_OK && ObjectCounts_total(ans->k))
		rep.args = (uintptr_t)ans->ka;
	if (ioctl(sfd, OBJINVOKE_IOC_SERVER_REPLY, &rep) == 0)
		return 0;
	objinvoke_log("SERVER_REPLY id %llu: errno %d",
		      (unsigned long long)id, errno);
	return -1;
}

static int serve_invoke(int sfd, struct objinvoke_reqbuf *rb)
{
	uint64_t id = rb->req.id;
	struct objinvoke_local *e;
	struct answer ans;
	Object obj;
	int32_t r;
	int ret, err;

	answer_init(&ans, rb->req.counts);
	e = objinvoke_local_get(rb->req.cookie, rb->req.handle, &obj);
	if (e) {
		r = call_local(obj, rb, &ans);
		objinvoke_local_put(e);
	} else {
		close_in_fds(rb, ans.k, 0);
		r = Object_ERROR_BADOBJ;
	}
	ret = send_reply(sfd, rb, id, r, &ans);
	err = errno;
	/* The kernel holds its own references now; ours end here. */
	release_out_objs(&ans);
	free(ans.out_space);
	errno = err;
	return ret;
}

int objinvoke_serve_request(int sfd, struct objinvoke_reqbuf *rb)
{
	struct answer ans;

	switch (rb->req.kind) {
	case OBJINVOKE_REQUEST_INVOKE:
		return serve_invoke(sfd, rb);
	case OBJINVOKE_REQUEST_RELEASE:
		objinvoke_local_released(rb->req.cookie, rb->req.handle);
		return 0;
	}
	objinvoke_log("request of unknown kind %u", (unsigned int)rb->req.kind);
	if (!rb->req.id)
		return 0;
	/* Someone may be waiting for an answer: tell them no. */
	answer_init(&ans, 0);
	return send_reply(sfd, rb, rb->req.id, Object_ERROR_INVALID, &ans);
}
