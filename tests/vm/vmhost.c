// SPDX-License-Identifier: MIT
/*
 * vmhost.c - the test host of vmhost.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmharness.h"
#include "vmhost.h"
#include "vmutil.h"

int server_new(void)
{
	return vm_dev_object(OBJINVOKE_IOC_SERVER_NEW);
}

int server_add(int srv, uint64_t cookie, uint32_t *handle)
{
	struct objinvoke_server_add a = { .cookie = cookie };

	VT_ASSERT_OK(ioctl(srv, OBJINVOKE_IOC_SERVER_ADD, &a));
	if (handle)
		*handle = a.handle;
	return (int)a.fd;
}

void inbox_arm(struct inbox *in, uint32_t flags)
{
	memset(&in->req, 0, sizeof(in->req));
	in->req.flags = flags;
	in->req.args = (uintptr_t)in->args;
	in->req.args_cap = 60;
	in->req.buf = (uintptr_t)in->buf;
	in->req.buf_size = sizeof(in->buf);
}

int host_serve(struct host *h, struct inbox *in)
{
	struct objinvoke_request *r = &in->req;
	struct objinvoke_arg out[60];
	struct objinvoke_reply rep = { .id = r->id, .args = (uintptr_t)out };
	unsigned int bo = ObjectCounts_indexBO(r->counts);
	unsigned int io = ObjectCounts_indexOI(r->counts);
	unsigned int oo = ObjectCounts_indexOO(r->counts);
	char data[256] = { 0 };
	int closed, file = -1, ret;

	memcpy(out, in->args, sizeof(out));
	switch (r->op) {
	case HOST_ECHO:
		out[bo] = vm_buf(vm_ptr(in->args[0].addr), in->args[0].size);
		if (in->args[0].size > in->args[bo].size)
			rep.result = Object_ERROR_SIZE_OUT;
		break;
	case HOST_GIVE:
		out[oo] = vm_obj(h->obj);
		break;
	case HOST_TAKE: {
		struct objinvoke_arg a[2] = { vm_buf("inner", 5),
					      vm_buf(data, sizeof(data)) };
		int32_t result;

		if (vm_invoke_raw((int)in->args[io].fd, HOST_ECHO,
				  ObjectCounts_pack(1, 1, 0, 0), a, &result) ||
		    result)
			rep.result = Object_ERROR;
		out[bo] = vm_buf(data, a[1].size);
		break;
	}
	case HOST_BIG:
		out[bo] = vm_buf(data, in->args[bo].size + 1);
		break;
	case HOST_BADFD:
		closed = dup(h->srv);
		close(closed);
		out[oo] = vm_obj(closed);
		break;
	case HOST_FILEFD:
		file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		out[oo] = vm_obj(file);
		break;
	default:
		rep.result = Object_ERROR_INVALID;
	}
	ret = ioctl(h->srv, OBJINVOKE_IOC_SERVER_REPLY, &rep);
	h->reply_errno = ret ? errno : 0;
	__atomic_add_fetch(&h->replies, 1, __ATOMIC_SEQ_CST);
	if (file >= 0)
		close(file);
	/* Input objects arrive as fds of ours; this host keeps none. */
	for (unsigned int i = io; i < oo; i++)
		if (in->args[i].fd != OBJINVOKE_FD_NONE)
			close((int)in->args[i].fd);
	return ret;
}

void *host_loop(void *arg)
{
	struct host *h = arg;
	struct inbox *in = malloc(sizeof(*in));

	for (;;) {
		inbox_arm(in, 0);
		if (ioctl(h->srv, OBJINVOKE_IOC_SERVER_RECV, &in->req))
			break;	/* ESHUTDOWN ends the loop */
		if (in->req.kind == OBJINVOKE_REQUEST_RELEASE)
			__atomic_add_fetch(&h->releases, 1, __ATOMIC_SEQ_CST);
		else
			host_serve(h, in);
	}
	free(in);
	return NULL;
}

void host_start(struct host *h, int threads)
{
	memset(h, 0, sizeof(*h));
	h->srv = server_new();
	h->obj = server_add(h->srv, 0xc0ffee, &h->handle);
	VT_ASSERT(threads >= 1 && threads <= HOST_MAX_THREADS);
	h->threads = threads;
	for (int i = 0; i < threads; i++)
		VT_ASSERT_EQ(pthread_create(i ? &h->more[i - 1] : &h->thread,
					    NULL, host_loop, h), 0);
}

void host_stop(struct host *h)
{
	VT_ASSERT_OK(ioctl(h->srv, OBJINVOKE_IOC_SERVER_SHUTDOWN));
	VT_ASSERT_EQ(pthread_join(h->thread, NULL), 0);
	for (int i = 1; i < h->threads; i++)
		VT_ASSERT_EQ(pthread_join(h->more[i - 1], NULL), 0);
	close(h->obj);
	close(h->srv);
}

int32_t host_echo(int obj, const char *msg, char *out, size_t out_len,
		    uint64_t *got)
{
	struct objinvoke_arg a[2] = { vm_buf(msg, strlen(msg)),
				      vm_buf(out, out_len) };
	int32_t result = 12345;

	VT_ASSERT_OK(vm_invoke_raw(obj, HOST_ECHO, ObjectCounts_pack(1, 1, 0, 0),
				   a, &result));
	if (got)
		*got = a[1].size;
	return result;
}


void host_wait_replies(struct host *h, int n)
{
	for (int i = 0; i < 5000; i++) {
		if (__atomic_load_n(&h->replies, __ATOMIC_SEQ_CST) >= n)
			return;
		vt_msleep(1);
	}
	vt_fail("the host made %d replies, want %d", h->replies, n);
}
