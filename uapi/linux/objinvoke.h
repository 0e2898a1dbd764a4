/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * objinvoke: capability-based object invocation.
 *
 * This header is the only definition of the ABI between the objinvoke
 * kernel module and userspace; the module, libobject and the TEE emulator
 * all include it.  docs/uapi.md explains every field and rule.
 *
 * Every object a process holds is a file descriptor.  Invoking the object
 * is OBJINVOKE_IOC_INVOKE on that fd.  Holding the fd is the capability;
 * close() drops it; passing the fd on delegates it.
 *
 * Conventions: fixed-width fields only, pointers as __u64, explicit
 * padding.  Each field says whether userspace writes it (in) or the kernel
 * does (out).  Reserved fields and unknown flags must be zero.  Structs may
 * grow at the end: the kernel takes the size from the ioctl number, treats
 * missing trailing bytes as zero and requires unknown trailing bytes to be
 * zero.
 */
#ifndef _UAPI_LINUX_OBJINVOKE_H
#define _UAPI_LINUX_OBJINVOKE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define OBJINVOKE_DEVICE	"/dev/objinvoke"

/*
 * Registered as 0xBC 00-4F in the kernel's ioctl-number registry form
 * (docs/uapi.md): 00-2F for this header, 40-4F for objinvoke_emu.h.
 */
#define OBJINVOKE_IOC_MAGIC	0xBC

/* struct objinvoke_arg.flags (out): the fd is a dma-buf, a memory object. */
#define OBJINVOKE_ARG_MEMORY	(1U << 0)

/* "No object" in an fd field. */
#define OBJINVOKE_FD_NONE	0xffffffffU

/* Per-kind argument limit (4-bit fields of the counts word). */
#define OBJINVOKE_MAX_ARGS_PER_KIND	15
/* Upper bound on the sum of all buffer sizes of one invocation. */
#define OBJINVOKE_MAX_BUF_BYTES		(4U << 20)

/**
 * struct objinvoke_arg - one argument of an invocation
 * @addr:  in: user address of the buffer (input and output buffers);
 *         must be 0 for object arguments.
 * @size:  input buffer: in, its length.  Output buffer: in, the bytes
 *         reserved at @addr; out, the bytes written (never more).
 *         Must be 0 for object arguments.
 * @fd:    input object: in, an object fd or OBJINVOKE_FD_NONE (the NULL
 *         object).  Output object: out, a new O_CLOEXEC object fd, or
 *         OBJINVOKE_FD_NONE for a NULL object; in, must be
 *         OBJINVOKE_FD_NONE.  Must be OBJINVOKE_FD_NONE for buffers.
 * @flags: in: must be 0.  Out, on output objects (and on input objects
 *         of a request a server receives): OBJINVOKE_ARG_MEMORY when @fd
 *         is a dma-buf fd, a memory object, rather than an object fd.
 *
 * The arguments of an invocation are an array ordered as the counts word
 * orders them: input buffers, output buffers, input objects, output
 * objects.
 *
 * Memory objects: a dma-buf fd (from a dma-buf heap, udmabuf or any
 * exporter) passed as an input object is a memory object: the TEE maps it
 * instead of the data being copied.  A memory object that comes back
 * (an output object, or an input object of a request) arrives as a new
 * dma-buf fd with the same access mode it was given with.
 */
struct objinvoke_arg {
	__u64 addr;
	__u64 size;
	__u32 fd;
	__u32 flags;
};

/* struct objinvoke_invoke.flags */
#define OBJINVOKE_INVOKE_SERVE		(1U << 0)

/* struct objinvoke_invoke.state */
#define OBJINVOKE_STATE_DONE		0 /* the invocation is over */
#define OBJINVOKE_STATE_REQUEST		1 /* serve *request, then reply */

/**
 * struct objinvoke_invoke - OBJINVOKE_IOC_INVOKE argument
 * @op:       in: operation; the low 16 bits are the method.  Methods
 *            0xFFFE (retain) and 0xFFFF (release) are refused: the fd's
 *            lifetime is the reference.  The upper 16 bits must be 0.
 * @counts:   in: ObjectCounts, BI | BO << 4 | IO << 8 | OO << 12; the
 *            upper 16 bits must be 0.
 * @args:     in: user address of struct objinvoke_arg[total count].
 * @result:   out: the object's result as an int32_t (0 is Object_OK,
 *            negative values are the transport errors of object.h,
 *            positive values come from the object).
 * @flags:    in: OBJINVOKE_INVOKE_SERVE or 0.
 * @reserved: in: must be 0.
 * @server_fd: in, with OBJINVOKE_INVOKE_SERVE: a server fd of the calling
 *            process.  Requests for objects it hosts that arise from this
 *            invocation (callbacks from the TEE) come back to this thread
 *            instead of waiting for another one to serve them.
 * @state:    out: OBJINVOKE_STATE_DONE when the invocation is over;
 *            OBJINVOKE_STATE_REQUEST when *@request holds a request for
 *            this thread to serve: the thread answers it with
 *            OBJINVOKE_IOC_SERVER_REPLY, which carries the invocation on
 *            and returns when it is over or has the next request, having
 *            updated this struct (at the same address) again.
 * @request:  in, with OBJINVOKE_INVOKE_SERVE: user address of a struct
 *            objinvoke_request to fill, its args/buf fields set as for
 *            OBJINVOKE_IOC_SERVER_RECV.
 *
 * The ioctl returns 0 when the invocation was delivered and answered; the
 * answer is in @result.  Output buffer sizes and output object fds are
 * written back only when @result is 0, and output fds are installed all
 * together or not at all.  It returns -1 with errno set when the request
 * itself is malformed or cannot be carried out (see docs/uapi.md).
 * Version 1 of this struct ended at @reserved (32 bytes).
 */
struct objinvoke_invoke {
	__u32 op;
	__u32 counts;
	__u64 args;
	__u32 result;
	__u32 flags;
	__u64 reserved;
	__u32 server_fd;
	__u32 state;
	__u64 request;
};

/**
 * struct objinvoke_get_object - OBJINVOKE_IOC_GET_ROOT / _GET_CREDENTIALS
 * @fd:       out: a new O_CLOEXEC object fd.
 * @flags:    in: reserved, must be 0.
 * @reserved: in: must be 0.
 */
struct objinvoke_get_object {
	__u32 fd;
	__u32 flags;
	__u64 reserved;
};

/* On an object fd: invoke the object. */
#define OBJINVOKE_IOC_INVOKE \
	_IOWR(OBJINVOKE_IOC_MAGIC, 0x00, struct objinvoke_invoke)

/* On /dev/objinvoke: an fd for the TEE's root object. */
#define OBJINVOKE_IOC_GET_ROOT \
	_IOWR(OBJINVOKE_IOC_MAGIC, 0x01, struct objinvoke_get_object)

/*
 * On /dev/objinvoke: an fd for a kernel-hosted credentials object that
 * describes the calling process (uid, gid, pid, executable) as it is at
 * this call.  The only kind of object the root object's register method
 * accepts from userspace.
 */
#define OBJINVOKE_IOC_GET_CREDENTIALS \
	_IOWR(OBJINVOKE_IOC_MAGIC, 0x02, struct objinvoke_get_object)

/* On /dev/objinvoke: a new server fd (struct objinvoke_get_object). */
#define OBJINVOKE_IOC_SERVER_NEW \
	_IOWR(OBJINVOKE_IOC_MAGIC, 0x03, struct objinvoke_get_object)

/*
 * ---------------------------------------------------------------------
 * Servers: hosting objects in a process.
 *
 * A server fd hosts the objects its process registers with
 * OBJINVOKE_IOC_SERVER_ADD; each is an object fd like any other, which
 * the process may pass to the TEE, to the kernel or to another process.
 * Invocations of such an object become requests on the server: threads
 * take them with OBJINVOKE_IOC_SERVER_RECV (the server fd polls readable
 * while requests wait) and answer with OBJINVOKE_IOC_SERVER_REPLY.  When
 * the last reference to a hosted object is gone anywhere, the server gets
 * one release request for it (no reply).  Closing the server fd, or
 * OBJINVOKE_IOC_SERVER_SHUTDOWN, ends it: waiting threads return
 * ESHUTDOWN and every invocation of its objects, pending or later, gets
 * Object_ERROR_DEFUNCT.
 * ---------------------------------------------------------------------
 */

/**
 * struct objinvoke_server_add - OBJINVOKE_IOC_SERVER_ADD argument
 * @cookie:   in: the host's value, handed back with every request.
 * @fd:       out: a new O_CLOEXEC object fd for the object.
 * @handle:   out: the object's handle on this server (nonzero).
 * @flags:    in: 0.
 * @reserved: in: 0.
 */
struct objinvoke_server_add {
	__u64 cookie;
	__u32 fd;
	__u32 handle;
	__u32 flags;
	__u32 reserved;
};

/**
 * struct objinvoke_server_get - OBJINVOKE_IOC_SERVER_GET argument
 * @handle:   in: a handle from OBJINVOKE_IOC_SERVER_ADD.
 * @fd:       out: a new object fd for it; ENOENT once its release request
 *            is on its way.
 * @reserved: in: 0.
 */
struct objinvoke_server_get {
	__u32 handle;
	__u32 fd;
	__u64 reserved;
};

/* struct objinvoke_request.kind */
#define OBJINVOKE_REQUEST_INVOKE	1 /* answer with SERVER_REPLY */
#define OBJINVOKE_REQUEST_RELEASE	2 /* the object is gone; no reply */

/* struct objinvoke_request.flags */
#define OBJINVOKE_RECV_NONBLOCK		(1U << 0) /* EAGAIN when none waits */

/**
 * struct objinvoke_request - OBJINVOKE_IOC_SERVER_RECV argument
 * @id:       out: the request, for the reply (0 for release requests).
 * @cookie:   out: the target object's cookie.
 * @handle:   out: the target object's handle.
 * @kind:     out: OBJINVOKE_REQUEST_*.
 * @op:       out: the operation.
 * @counts:   out: its ObjectCounts.
 * @flags:    in: OBJINVOKE_RECV_NONBLOCK or 0.
 * @args:     in: user address of struct objinvoke_arg[@args_cap].
 *            Filled: input buffers point into @buf; output buffers have
 *            addr 0 and the size the invoker reserved; input objects are
 *            new O_CLOEXEC fds in the receiving process (or FD_NONE);
 *            output objects FD_NONE.
 * @args_cap: in: entries at @args; 60 always suffices.
 * @reserved: in: 0.
 * @buf:      in: user address for the input buffers' bytes (each 8-byte
 *            aligned).
 * @buf_size: in: bytes at @buf; out: bytes used.  Too small: ENOSPC with
 *            the size needed here, and the request stays queued.
 */
struct objinvoke_request {
	__u64 id;
	__u64 cookie;
	__u32 handle;
	__u32 kind;
	__u32 op;
	__u32 counts;
	__u32 flags;
	__u32 args_cap;
	__u64 args;
	__u64 buf;
	__u64 buf_size;
	__u64 reserved;
};

/**
 * struct objinvoke_reply - OBJINVOKE_IOC_SERVER_REPLY argument
 * @id:       in: the request's id.
 * @result:   in: the answer (int32).
 * @flags:    in: 0.
 * @args:     in: with result 0: user address of struct
 *            objinvoke_arg[total] shaped like the request: output buffers
 *            (addr, size at most what was reserved) and output objects
 *            (an object fd of the host, or FD_NONE); other entries are
 *            ignored.
 * @reserved: in: 0.
 *
 * A malformed reply (an output larger than reserved: EMSGSIZE; a bad
 * output fd: EBADF or EINVAL; an unreadable buffer: EFAULT) fails here and
 * the invoker gets Object_ERROR_SIZE_OUT, Object_ERROR_BADOBJ or
 * Object_ERROR_INVALID.  When the request came back to an invoking thread
 * (OBJINVOKE_STATE_REQUEST), this ioctl then carries that invocation on
 * and returns when its struct objinvoke_invoke was updated.
 */
struct objinvoke_reply {
	__u64 id;
	__u32 result;
	__u32 flags;
	__u64 args;
	__u64 reserved;
};

#define OBJINVOKE_IOC_SERVER_ADD \
	_IOWR(OBJINVOKE_IOC_MAGIC, 0x20, struct objinvoke_server_add)
#define OBJINVOKE_IOC_SERVER_GET \
	_IOWR(OBJINVOKE_IOC_MAGIC, 0x21, struct objinvoke_server_get)
#define OBJINVOKE_IOC_SERVER_RECV \
	_IOWR(OBJINVOKE_IOC_MAGIC, 0x22, struct objinvoke_request)
#define OBJINVOKE_IOC_SERVER_REPLY \
	_IOW(OBJINVOKE_IOC_MAGIC, 0x23, struct objinvoke_reply)
#define OBJINVOKE_IOC_SERVER_SHUTDOWN \
	_IO(OBJINVOKE_IOC_MAGIC, 0x24)

/* How deep callbacks may nest invocations on one thread. */
#define OBJINVOKE_MAX_DEPTH		8

/*
 * Methods of the kernel-hosted credentials object (callable by the TEE and
 * by any holder of its fd).
 */
#define OBJINVOKE_CREDS_OP_GET_INFO	0	/* out buf: objinvoke_creds_info */
#define OBJINVOKE_CREDS_OP_GET_EXE	1	/* out buf: path, no NUL */

/*
 * struct objinvoke_creds_info.flags: the executable's path could not be
 * verified (the process runs in a mount namespace or under a root of its
 * own, where any file can sit at any path, or its file was deleted), so
 * OBJINVOKE_CREDS_OP_GET_EXE answers an empty path.
 */
#define OBJINVOKE_CREDS_EXE_UNVERIFIED	(1U << 0)

/**
 * struct objinvoke_creds_info - what a credentials object reports
 * @uid:   the process's effective uid in the initial user namespace.
 * @gid:   its effective gid.
 * @pid:   its thread-group id in the initial pid namespace.
 * @flags: OBJINVOKE_CREDS_*.
 *
 * None of these can be chosen by the process they describe: no user or
 * pid namespace changes them, and the executable's path is reported only
 * when the system's init process sees that very file at that path.
 */
struct objinvoke_creds_info {
	__u32 uid;
	__u32 gid;
	__u32 pid;
	__u32 flags;
};

#endif /* _UAPI_LINUX_OBJINVOKE_H */
