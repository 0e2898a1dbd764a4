// SPDX-License-Identifier: MIT
/*
 * Passing objects between processes over a UNIX socket.
 *
 * An object is an fd, so sending one is SCM_RIGHTS with one byte of data
 * (a stream socket carries ancillary data only along with some).  The
 * receiver accepts exactly one fd: anything else that arrived (more fds,
 * a truncated control message) is closed at once, so a confused or
 * malicious peer cannot leave fds behind in our table.  A memory object
 * travels as its dma-buf fd and is mapped again on arrival.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "libobject_private.h"

/* The data byte that goes with each object. */
#define OBJ_MARK	'O'
/* Room for more fds than we expect, to see (and close) extra ones. */
#define RECV_FDS	8

static int32_t send_fd(int sock, int fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	char mark = OBJ_MARK;
	struct iovec iov = { &mark, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		return Object_OK;
	if (n < 0) {
		objinvoke_log("sendmsg: errno %d", errno);
		return errno == EPIPE ? Object_ERROR_DEFUNCT
				      : objinvoke_result_from_errno(errno);
	}
	objinvoke_log("sendmsg sent nothing");
	return Object_ERROR_REMOTE;
}

OBJINVOKE_EXPORT int32_t objinvoke_send_object(int sock, Object obj)
{
	int32_t r;
	int fd;

	if (Object_isNull(obj))
		return Object_ERROR_BADOBJ;
	/* A remote object's fd, or a memory object's dma-buf fd. */
	fd = objinvoke_object_fd(obj);
	if (fd >= 0)
		return send_fd(sock, fd);
	/* The receiver's fd keeps the kernel object; ours is the call's. */
	r = objinvoke_server_export(obj, &fd);
	if (r)
		return r;
	r = send_fd(sock, fd);
	close(fd);
	return r;
}

/* Collect the SCM_RIGHTS fds of @msg; the count may exceed @max. */
static size_t take_fds(struct msghdr *msg, int *fds, size_t max)
{
	struct cmsghdr *c;
	size_t n = 0, i, k;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++, n++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (n < max)
				fds[n] = fd;
			else
				close(fd);	/* cannot happen: sized to fit */
		}
	}
	return n;
}

static void close_fds(const int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

OBJINVOKE_EXPORT int32_t objinvoke_recv_object(int sock, Object *obj)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(RECV_FDS * sizeof(int))];
	} ctl;
	int fds[RECV_FDS];
	char mark = 0;
	struct iovec iov = { &mark, 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	size_t n;
	ssize_t got;

	if (!obj)
		return Object_ERROR_INVALID;
	*obj = Object_NULL;
	do
		got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		objinvoke_log("recvmsg: errno %d", errno);
		return objinvoke_result_from_errno(errno);
	}
	n = take_fds(&msg, fds, RECV_FDS);
	if (got == 0 && n == 0) {
		objinvoke_log("recv_object: the peer closed the socket");
		return Object_ERROR_DEFUNCT;
	}
	if (msg.msg_flags & MSG_CTRUNC || n != 1 || got != 1 ||
	    mark != OBJ_MARK) {
		objinvoke_log("recv_object: %zu fds, %zd bytes%s: not one object",
			      n, got,
			      msg.msg_flags & MSG_CTRUNC ? ", truncated" : "");
		close_fds(fds, n < RECV_FDS ? n : RECV_FDS);
		return Object_ERROR_INVALID;
	}
	/* A dma-buf came from objinvoke_send_object() of a memory object. */
	if (objinvoke_is_dma_buf(fds[0]))
		return objinvoke_memory_wrap(fds[0], obj);
	return objinvoke_object_from_fd(fds[0], obj);
}
