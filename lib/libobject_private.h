/* SPDX-License-Identifier: MIT */
/*
 * libobject internals shared between its source files.  Nothing here is
 * part of the ABI: every name below is hidden by -fvisibility=hidden and
 * the version script, except the definitions marked OBJINVOKE_EXPORT.
 */
#ifndef OBJINVOKE_PRIVATE_H
#define OBJINVOKE_PRIVATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/objinvoke.h>

#include "object.h"
#include "libobject.h"

/* The one marker of an exported definition (the rest stays hidden). */
#define OBJINVOKE_EXPORT __attribute__((visibility("default")))

/* Most arguments one invocation can carry: four kinds of at most 15. */
#define OBJINVOKE_MAX_ARGS	(4 * OBJINVOKE_MAX_ARGS_PER_KIND)

/*
 * The context of a remote object.  The fd is the kernel's reference to
 * the object; the count is ours, of the Object copies that retained it, so
 * the fd is closed exactly once, when the last one is released.
 */
struct objinvoke_remote {
	int fd;			/* invariant after creation */
	atomic_uint refs;
};

/* remote.c */
bool objinvoke_is_remote(Object obj);

/*
 * The counts of remote and memory objects: retain adds one; release
 * reports whether it dropped the last, acq_rel so that the last releaser
 * sees every other user's writes before it frees.
 */
static inline void objinvoke_ref_get(atomic_uint *refs)
{
	atomic_fetch_add_explicit(refs, 1, memory_order_relaxed);
}

static inline bool objinvoke_ref_put(atomic_uint *refs)
{
	return atomic_fetch_sub_explicit(refs, 1, memory_order_acq_rel) == 1;
}

/*
 * The context of a memory object: a dma-buf fd and our mapping of all of
 * it, read-write or (for an O_RDONLY fd) read-only.  Counted as remote
 * objects are; the last release unmaps and closes.
 */
struct objinvoke_memory {
	int fd;			/* invariant after creation, as are the rest */
	void *addr;
	size_t size;
	bool writable;
	atomic_uint refs;
};

/* memory.c: the memory object behind @obj, or NULL for any other. */
struct objinvoke_memory *objinvoke_memory_get(Object obj);
/* memory.c: map dma-buf @fd (taken, closed on failure) as a memory
 * object; the caller knows it is a dma-buf. */
int32_t objinvoke_memory_wrap(int fd, Object *mem);
/* memory.c: whether @fd is a dma-buf. */
bool objinvoke_is_dma_buf(int fd);
/* memory.c: an fd the kernel handed us, as a memory object when
 * @arg_flags has OBJINVOKE_ARG_MEMORY, else as a remote object; the fd
 * is taken (closed on failure). */
int32_t objinvoke_object_from_kernel(int fd, uint32_t arg_flags, Object *obj);

/* marshal.c: forward one invocation to the kernel through @fd. */
int32_t objinvoke_marshal_invoke(int fd, ObjectOp op, ObjectArg *args,
				 ObjectCounts counts);

/* errno_map.c: the Object result that stands for a failed syscall. */
int32_t objinvoke_result_from_errno(int err);

/* device.c: one of the kernel's own objects, from /dev/objinvoke. */
int32_t objinvoke_device_get_object(unsigned long request, Object *obj);
/* device.c: OBJINVOKE_IOC_GET_ROOT and friends, returning the raw fd. */
int32_t objinvoke_device_get_fd(unsigned long request, int *fd);

/* server.c: the process's server fd, or -1 while it has none. */
int objinvoke_server_peek(void);
/* server.c: the process's server fd, created on first use. */
int32_t objinvoke_server_get(int *fd);
/* server.c: threads of objinvoke_server_start() now running. */
extern atomic_uint objinvoke_server_threads_running;

/*
 * local.c: the table of local objects this process hosts.
 *
 * objinvoke_local_export() yields a new fd (the caller's, to close) for
 * the kernel object standing for @obj, registering @obj on first use.
 * objinvoke_local_get() finds the object a request is for and pins it
 * until objinvoke_local_put(); objinvoke_local_released() handles the
 * server's release request, dropping the table's reference exactly once.
 */
struct objinvoke_local;
int32_t objinvoke_local_export(Object obj, int *fd);
struct objinvoke_local *objinvoke_local_get(uint64_t cookie, uint32_t handle,
					    Object *obj);
void objinvoke_local_put(struct objinvoke_local *e);
void objinvoke_local_released(uint64_t cookie, uint32_t handle);

/*
 * reqbuf.c: where one request is received: the request struct, its
 * argument array and the bytes of its input buffers.
 */
struct objinvoke_reqbuf {
	struct objinvoke_request req;
	struct objinvoke_arg args[OBJINVOKE_MAX_ARGS];
	void *buf;
	size_t cap;		/* bytes at buf */
	bool growable;		/* buf is ours to replace on ENOSPC */
};
/* Most input-buffer bytes a request can carry, alignment included. */
#define OBJINVOKE_REQBUF_MAX \
	(OBJINVOKE_MAX_BUF_BYTES + 8 * OBJINVOKE_MAX_ARGS_PER_KIND)
void objinvoke_reqbuf_init(struct objinvoke_reqbuf *rb);
void objinvoke_reqbuf_free(struct objinvoke_reqbuf *rb);
void objinvoke_reqbuf_arm(struct objinvoke_reqbuf *rb, uint32_t flags);
/* SERVER_RECV into @rb, growing it on ENOSPC: 0, or -1 with errno. */
int objinvoke_reqbuf_recv(int sfd, struct objinvoke_reqbuf *rb,
			  uint32_t flags);

/* serve_stack.c: this thread's request buffer for nesting level now. */
struct objinvoke_reqbuf *objinvoke_serve_stack_push(void);
void objinvoke_serve_stack_pop(void);

/*
 * dispatch_request.c: answer the request in @rb (an invoke: run the local object
 * and send SERVER_REPLY; a release: drop the object).  Returns the reply
 * ioctl's 0 or -1 with errno; 0 when no reply was due.
 */
int objinvoke_serve_request(int sfd, struct objinvoke_reqbuf *rb);

/* pending.c: serve what waits on @sfd without blocking, into @rb. */
int32_t objinvoke_serve_pending(int sfd, struct objinvoke_reqbuf *rb);

/* invoke.c: OBJINVOKE_IOC_INVOKE, serving callbacks on this thread. */
int32_t objinvoke_invoke_ioctl(int fd, struct objinvoke_invoke *inv);

/* log_handler.c: hand a diagnostic to the user's handler, if any. */
void objinvoke_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* fork() support (local.c), used by server.c's atfork handlers. */
void objinvoke_local_lock(void);
void objinvoke_local_unlock(void);
void objinvoke_local_forget_in_child(void);

#endif /* OBJINVOKE_PRIVATE_H */
