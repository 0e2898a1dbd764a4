/* SPDX-License-Identifier: MIT */
/*
 * libobject internals shared between its source files.  Nothing here is
 * part of the ABI: every name below is hidden by -fvisibility=hidden and
 * the version script, except the definitions marked OBJINVOKE_EXPORT.
 *
 * The sections follow the library's layers, bottom to top; a file calls
 * only what its own layer's earlier files and the layers below it declare
 * (docs/libobject.md, "Source layout").  The one way back up is the
 * invoke function of remote objects (remote.c): a local object's handler,
 * run while an invocation serves callbacks on its thread, may invoke a
 * remote object again; the nesting this makes is bounded by the kernel
 * (ELOOP) and by the serve stack.
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

/* ---- 1. Base: diagnostics, errno mapping, request buffers ---- */

/* log_handler.c: hand a diagnostic to the user's handler, if any. */
void objinvoke_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* errno_map.c: the Object result that stands for a failed syscall. */
int32_t objinvoke_result_from_errno(int err);

/* The devices memory objects are allocated from (memory_alloc.c). */
#define OBJINVOKE_HEAP_DEVICE		"/dev/dma_heap/system"
#define OBJINVOKE_UDMABUF_DEVICE	"/dev/udmabuf"

/*
 * setup_hints.c: the log lines that tell a user what to do when the
 * setting up fails: a device that cannot be opened (missing, or not
 * theirs), no TEE attached, no memory allocator in the kernel.
 */
bool objinvoke_device_absent(int err);
void objinvoke_log_open_failure(const char *path, int err);
void objinvoke_log_no_tee(void);
void objinvoke_log_no_allocator(void);

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

/* ---- 2. Objects: remote, memory, the kernel's own, local ---- */

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
 * The context of a remote object.  The fd is the kernel's reference to
 * the object; the count is ours, of the Object copies that retained it, so
 * the fd is closed exactly once, when the last one is released.
 */
struct objinvoke_remote {
	int fd;			/* invariant after creation */
	atomic_uint refs;
};

/* remote.c: whether @obj is a remote object (made by object_from_fd). */
bool objinvoke_is_remote(Object obj);

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

/* fd_convert.c: an fd the kernel handed us, as a memory object when
 * @arg_flags has OBJINVOKE_ARG_MEMORY, else as a remote object; the fd
 * is taken (closed on failure).  (objinvoke_object_fd(), the other way,
 * is public.) */
int32_t objinvoke_object_from_kernel(int fd, uint32_t arg_flags, Object *obj);

/* device.c: OBJINVOKE_IOC_GET_ROOT and friends, returning the raw fd. */
int32_t objinvoke_device_get_fd(unsigned long request, int *fd);
/* device.c: one of the kernel's own objects, from /dev/objinvoke. */
int32_t objinvoke_device_get_object(unsigned long request, Object *obj);

/*
 * local.c: the table of local objects this process hosts.
 *
 * objinvoke_local_export() yields a new fd (the caller's, to close) for
 * the kernel object standing for @obj, registering @obj with server @sfd
 * on first use.  objinvoke_local_get() finds the object a request is for
 * and pins it until objinvoke_local_put(); objinvoke_local_released()
 * handles the server's release request, dropping the table's reference
 * exactly once.
 */
struct objinvoke_local;
int32_t objinvoke_local_export(int sfd, Object obj, int *fd);
struct objinvoke_local *objinvoke_local_get(uint64_t cookie, uint32_t handle,
					    Object *obj);
void objinvoke_local_put(struct objinvoke_local *e);
void objinvoke_local_released(uint64_t cookie, uint32_t handle);
/* local.c: fork() support, used by server.c's atfork handlers. */
void objinvoke_local_lock(void);
void objinvoke_local_unlock(void);
void objinvoke_local_forget_in_child(void);

/* ---- 3. The process's server ---- */

/* server.c: the process's server fd, or -1 while it has none. */
int objinvoke_server_peek(void);
/* server.c: the process's server fd, created on first use. */
int32_t objinvoke_server_get(int *fd);
/* server.c: objinvoke_local_export() through the process's server. */
int32_t objinvoke_server_export(Object obj, int *fd);
/* server.c: threads of objinvoke_server_start() now running (threads.c
 * counts them). */
extern atomic_uint objinvoke_server_threads_running;

/* ---- 4. Marshaling and serving ---- */

/*
 * marshal.c: the caller's arguments as the kernel's argument array @ka;
 * local input objects are exported, each such fd marked in @exported
 * and closed by objinvoke_marshal_close_exported() after the call.
 * objinvoke_unmarshal_out() checks and takes the kernel's answer into
 * @args, writing nothing on failure.
 */
int32_t objinvoke_marshal_in(const ObjectArg *args, ObjectCounts k,
			     struct objinvoke_arg *ka, bool *exported);
void objinvoke_marshal_close_exported(ObjectCounts k,
				      const struct objinvoke_arg *ka,
				      const bool *exported);
int32_t objinvoke_unmarshal_out(ObjectArg *args, ObjectCounts k,
				const struct objinvoke_arg *ka);

/*
 * dispatch_request.c: answer the request in @rb (an invoke: run the local
 * object and send SERVER_REPLY; a release: drop the object).  Returns the
 * reply ioctl's 0 or -1 with errno; 0 when no reply was due.
 */
int objinvoke_serve_request(int sfd, struct objinvoke_reqbuf *rb);

/* pending.c: serve what waits on @sfd without blocking, into @rb. */
int32_t objinvoke_serve_pending(int sfd, struct objinvoke_reqbuf *rb);

/* serve_stack.c: this thread's request buffer for nesting level now. */
struct objinvoke_reqbuf *objinvoke_serve_stack_push(void);
void objinvoke_serve_stack_pop(void);

/* ---- 5. The invoke path ---- */

/* invoke.c: OBJINVOKE_IOC_INVOKE, serving callbacks on this thread. */
int32_t objinvoke_invoke_ioctl(int fd, struct objinvoke_invoke *inv);

/* remote_invoke.c: the invoke function of every remote object. */
int32_t objinvoke_remote_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args,
				ObjectCounts counts);

/*
 * ---- 6. Public entry points ----
 * minkcom.c, socket.c, memory_alloc.c, memory_sync.c and the
 * OBJINVOKE_EXPORT definitions of the files above: nothing internal.
 */

#endif /* OBJINVOKE_PRIVATE_H */
