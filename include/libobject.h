/* SPDX-License-Identifier: MIT */
/*
 * libobject.h: libobject's own API, beyond the Mink names of object.h and
 * MinkCom.h.
 *
 * Every object the kernel hands a process is a file descriptor.  libobject
 * wraps such an fd in an Object (a "remote object"): invoking the Object is
 * the invoke ioctl on the fd, and releasing its last reference closes the
 * fd.  The functions here convert between the two and reach the kernel's
 * own objects.  docs/libobject.md explains the design.
 *
 * A process can also host objects: any local Object (an invoke function
 * and its context) passed as an input object of a remote invocation, or
 * sent with objinvoke_send_object(), is registered with the process's
 * server, and invocations of it come back as requests the library
 * dispatches to it.  See "Hosting objects" below.
 *
 * The library never prints and never exits.  Functions return Object
 * results (Object_OK or an Object_ERROR_* value); what went wrong in more
 * detail goes to the log handler, if one is set.
 */
#ifndef OBJINVOKE_H
#define OBJINVOKE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "object.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * objinvoke_object_from_fd() - wrap an object fd in an Object
 * @fd:  an objinvoke object fd.  Ownership passes to the library whatever
 *       the result: on failure the fd has been closed.
 * @obj: out: the remote Object, holding one reference; Object_NULL on
 *       failure.  Release it with Object_release().
 *
 * The fd is not checked to be an object fd here: the kernel rejects other
 * fds at the first invocation (Object_ERROR_BADOBJ).
 *
 * Return: Object_OK; Object_ERROR_BADOBJ when @fd is negative;
 * Object_ERROR_KMEM when out of memory; Object_ERROR_INVALID when @obj is
 * NULL.
 */
int32_t objinvoke_object_from_fd(int fd, Object *obj);

/**
 * objinvoke_object_fd() - the fd behind a remote or memory Object
 * @obj: any Object.
 *
 * The fd is borrowed: it stays valid while the caller holds a reference to
 * @obj and must not be closed.  dup() it to keep it longer or to pass it
 * to another process (SCM_RIGHTS), which delegates the capability.  A
 * memory object's fd is its dma-buf.
 *
 * Return: the fd, or -1 when @obj is Object_NULL or neither a libobject
 * remote object nor a memory object (a local object has no fd).
 */
int objinvoke_object_fd(Object obj);

/**
 * objinvoke_get_credentials() - an object describing this process
 * @creds: out: a kernel-hosted credentials object (uid, gid, pid and
 *         executable as they are at this call), or Object_NULL on failure.
 *
 * Pass it to MinkCom_getClientEnvObjectWithCreds() to register a client
 * environment with credentials taken now, or hand it to another process to
 * let it act with them.
 *
 * Return: Object_OK, or an error mapped from the kernel's errno
 * (docs/libobject.md); Object_ERROR_UNAVAIL when /dev/objinvoke is absent.
 */
int32_t objinvoke_get_credentials(Object *creds);

/**
 * objinvoke_log_func_t - a log handler
 * @fmt: printf-style format of one message, without a trailing newline.
 * @ap:  its arguments.
 */
typedef void (*objinvoke_log_func_t)(const char *fmt, va_list ap);

/**
 * objinvoke_set_log_handler() - where the library's diagnostics go
 * @handler: called for each diagnostic, from the thread that hit it; NULL
 *           (the default) drops them.
 *
 * Diagnostics explain error results (which errno the kernel returned, why
 * an argument was refused); they never replace them.
 */
void objinvoke_set_log_handler(objinvoke_log_func_t handler);

/*
 * ---------------------------------------------------------------------
 * Versions.
 *
 * OBJINVOKE_VERSION_MAJOR and _MINOR are the version of the headers a
 * program is built with (the project's VERSION file, whose major.minor is
 * also the newest symbol version node, LIBOBJECT_<major>.<minor>).
 * objinvoke_version_major() and _minor() are the version of the library
 * the program runs with.  Within a major version each minor only adds, so
 * a library is good for a program when its major is the same and its
 * minor at least as high.
 * ---------------------------------------------------------------------
 */
#define OBJINVOKE_VERSION_MAJOR	0
#define OBJINVOKE_VERSION_MINOR	3

/**
 * objinvoke_version_major() - the major version of the running library
 *
 * Return: the OBJINVOKE_VERSION_MAJOR the library was built with.
 */
int objinvoke_version_major(void);

/**
 * objinvoke_version_minor() - the minor version of the running library
 *
 * Return: the OBJINVOKE_VERSION_MINOR the library was built with.
 */
int objinvoke_version_minor(void);

/**
 * objinvoke_check_version() - whether the running library is recent enough
 * @major: the major version the program needs, usually
 *         OBJINVOKE_VERSION_MAJOR.
 * @minor: the lowest minor version it needs, usually
 *         OBJINVOKE_VERSION_MINOR.
 *
 * As liburing's io_uring_check_version(), for a program that wants to say
 * so plainly rather than fail later: the dynamic linker already refuses a
 * library that lacks a versioned symbol the program calls, but not one
 * that merely behaves as an older version did.
 *
 * Return: Object_OK when the library's major version is @major and its
 * minor version at least @minor; Object_ERROR_UNAVAIL otherwise (the log
 * handler is told both versions).
 */
int objinvoke_check_version(int major, int minor);

/*
 * ---------------------------------------------------------------------
 * Memory objects.
 *
 * A memory object is an Object standing for a dma-buf and this process's
 * mapping of all of it (MinkCom_getMemoryObjectInfo() gives both).  Passed
 * as an input object of an invocation, an output object of a reply, or
 * with objinvoke_send_object(), it travels as its dma-buf fd: the TEE or
 * the peer maps the same pages, and nothing is copied.  Memory objects
 * that come back (output objects, input objects of requests, objects
 * received with objinvoke_recv_object()) are mapped on arrival.
 *
 * Retain and release are counted; the last release unmaps and closes the
 * fd.  Every other op answers Object_ERROR_INVALID: memory has no
 * methods.  A memory object whose fd is read-only (O_RDONLY) is mapped
 * read-only here, and the kernel maps it read-only for the TEE.
 * ---------------------------------------------------------------------
 */

/* objinvoke_memory_alloc() flags. */
#define OBJINVOKE_MEMORY_READONLY	(1U << 0)	/* an O_RDONLY dma-buf */

/**
 * objinvoke_memory_alloc() - allocate a new memory object
 * @size:  bytes wanted (nonzero); rounded up to whole pages, and the
 *         object's size is the rounded size.
 * @flags: 0, or OBJINVOKE_MEMORY_READONLY: a dma-buf whose fd is read-only
 *         from the start, so neither this process nor the TEE can write
 *         it.  Its contents are the heap's fresh pages: all zero.  Only
 *         the dma-buf heap can allocate one (udmabuf cannot).
 * @mem:   out: the memory object, or Object_NULL on failure.
 *
 * Allocates from /dev/dma_heap/system; where that device does not exist,
 * from a memfd turned into a dma-buf by /dev/udmabuf.  The environment
 * variable OBJINVOKE_MEMORY=heap or =udmabuf allows only that path.
 * Read-write memory starts zeroed too.
 *
 * Return: Object_OK; Object_ERROR_UNAVAIL when neither device exists (or
 * the forced one does not, or read-only memory was asked of udmabuf);
 * Object_ERROR_INVALID for a bad size, flag or OBJINVOKE_MEMORY value;
 * Object_ERROR_KMEM when out of memory; another error mapped from the
 * failing call's errno (docs/libobject.md).
 */
int32_t objinvoke_memory_alloc(size_t size, uint32_t flags, Object *mem);

/**
 * objinvoke_memory_from_fd() - wrap a dma-buf fd from any exporter
 * @fd:  a dma-buf fd, read-write or read-only.  Ownership passes to the
 *       library whatever the result: on failure the fd has been closed.
 * @mem: out: the memory object, mapped; Object_NULL on failure.
 *
 * Return: Object_OK; Object_ERROR_BADOBJ when @fd is negative or not a
 * dma-buf; Object_ERROR_INVALID when it cannot be mapped (write-only, size
 * 0) or @mem is NULL; an error mapped from mmap's errno.
 */
int32_t objinvoke_memory_from_fd(int fd, Object *mem);

/* objinvoke_memory_begin_cpu() and _end_cpu() flags (DMA_BUF_SYNC_*). */
#define OBJINVOKE_CPU_READ	(1U << 0)
#define OBJINVOKE_CPU_WRITE	(1U << 1)

/**
 * objinvoke_memory_begin_cpu() - start CPU access to a memory object
 * @mem:   a memory object (borrowed).
 * @flags: OBJINVOKE_CPU_READ, OBJINVOKE_CPU_WRITE or both: what the CPU
 *         is about to do.  WRITE is refused on read-only memory.
 *
 * Bracket every access through the mapping, including the first fill,
 * with begin and a matching objinvoke_memory_end_cpu() (same flags), so
 * that an exporter with non-coherent memory can flush or invalidate
 * caches (DMA_BUF_IOCTL_SYNC).  Do not hold a bracket open across an
 * invocation that hands the memory to the TEE.
 *
 * Return: Object_OK; Object_ERROR_INVALID for a non-memory object or bad
 * flags; an error mapped from the ioctl's errno.
 */
int32_t objinvoke_memory_begin_cpu(Object mem, unsigned int flags);

/**
 * objinvoke_memory_end_cpu() - end CPU access begun with begin_cpu
 * @mem:   the memory object.
 * @flags: the flags given to objinvoke_memory_begin_cpu().
 *
 * Return: as objinvoke_memory_begin_cpu().
 */
int32_t objinvoke_memory_end_cpu(Object mem, unsigned int flags);

/*
 * ---------------------------------------------------------------------
 * Hosting objects.
 *
 * The first local object the process exports creates its server (one per
 * process).  The library holds one reference to each exported Object from
 * its first export until the last holder anywhere (the TEE, the kernel,
 * another process, an fd of ours) is gone; then it calls Object_release()
 * once.  Exporting the same Object again while it is held reuses its
 * kernel object.  Object_retain() of a local object must not call into
 * libobject: the library calls it with its table locked.
 *
 * Requests for hosted objects are served:
 *  - on the thread that invoked, for callbacks its own invocation caused
 *    (the TEE calling back an object passed to it): always, nothing to set
 *    up, so a single-threaded process can pass its objects to the TEE;
 *  - by dispatch threads (objinvoke_server_start()), for everything else:
 *    invocations from other processes, from the TEE outside any call of
 *    ours, from other threads' calls;
 *  - or by objinvoke_server_dispatch_pending(), from the program's own
 *    event loop polling objinvoke_server_fd().
 * A handler may invoke remote objects again, the TEE included; the kernel
 * bounds how deep callbacks nest (OBJINVOKE_MAX_DEPTH), and an invocation
 * past it fails with Object_ERROR_ABORT.
 * ---------------------------------------------------------------------
 */

/**
 * struct objinvoke_server_threads - a running group of dispatch threads
 *
 * Opaque: from objinvoke_server_start(), ended by objinvoke_server_stop()
 * and freed by objinvoke_server_join().
 */
struct objinvoke_server_threads;

/**
 * objinvoke_server_start() - serve this process's objects on new threads
 * @nthreads: how many threads (1 to 1024).  Each serves one request at a
 *            time, so this bounds the requests served at once.
 * @threads:  out: the group, for objinvoke_server_stop() and
 *            objinvoke_server_join(); NULL on failure.
 *
 * Creates the process's server if it has none.  The threads block all
 * signals.  Several groups may run at once; they share the requests.
 *
 * Return: Object_OK; Object_ERROR_INVALID for a bad argument;
 * Object_ERROR_NOSLOTS or Object_ERROR_KMEM when threads cannot be
 * created; an error from creating the server.
 */
int32_t objinvoke_server_start(unsigned int nthreads,
			       struct objinvoke_server_threads **threads);

/**
 * objinvoke_server_stop() - ask a group of dispatch threads to end
 * @threads: the group; NULL does nothing.
 *
 * Returns at once; each thread ends after the request it is serving.
 * Callable from any thread, a handler or a signal handler
 * (async-signal-safe).  Hosted objects stay registered: callbacks on
 * invoking threads go on working.
 */
void objinvoke_server_stop(struct objinvoke_server_threads *threads);

/**
 * objinvoke_server_join() - wait for a group of dispatch threads to end
 * @threads: the group; freed on return.
 *
 * Blocks until objinvoke_server_stop() was called (before or during the
 * wait) and every thread ended, or until the server ended.  Must not be
 * called from one of the group's own threads.
 *
 * Return: Object_OK when stopped; otherwise the error that ended the
 * threads first, e.g. Object_ERROR_DEFUNCT when the server was shut down.
 */
int32_t objinvoke_server_join(struct objinvoke_server_threads *threads);

/**
 * objinvoke_server_dispatch_pending() - serve waiting requests here
 *
 * Serves every request that waits on the process's server, on the calling
 * thread, and returns when none is left; never blocks for new ones.  For
 * programs that poll objinvoke_server_fd() in their own event loop, or a
 * single-threaded process that wants its objects called (or released)
 * between invocations.  Does nothing when the process has no server.
 *
 * Return: Object_OK, or the error that stopped the server
 * (Object_ERROR_DEFUNCT once it is shut down).
 */
int32_t objinvoke_server_dispatch_pending(void);

/**
 * objinvoke_server_fd() - the process's server fd, for poll()
 * @fd: out: the fd, which polls readable while requests wait.  Borrowed:
 *      never close it (the process's objects would all end).
 *
 * Creates the server if the process has none.
 *
 * Return: Object_OK, or an error from creating the server.
 */
int32_t objinvoke_server_fd(int *fd);

/**
 * objinvoke_send_object() - pass an object to another process
 * @sock: a connected UNIX socket.
 * @obj:  the object (borrowed): a remote object, or a local object, which
 *        is exported first and from then on served by this process.
 *
 * Sends one byte with the object's fd (SCM_RIGHTS).  The receiver holds
 * its own reference once the message is received.
 *
 * Return: Object_OK; Object_ERROR_BADOBJ for Object_NULL;
 * Object_ERROR_DEFUNCT when the peer is gone; an error from exporting a
 * local object or from sendmsg's errno.
 */
int32_t objinvoke_send_object(int sock, Object obj);

/**
 * objinvoke_recv_object() - receive an object objinvoke_send_object() sent
 * @sock: a connected UNIX socket.
 * @obj:  out: a remote Object owned by the caller; Object_NULL on failure.
 *
 * Blocks for one message.  Its fd is received close-on-exec.  A message
 * that is not exactly one byte with one fd (no fd, several, a truncated
 * control message) fails, and every fd that came with it is closed.
 *
 * Return: Object_OK; Object_ERROR_INVALID for such a message or a NULL
 * @obj; Object_ERROR_DEFUNCT when the peer closed the socket; an error
 * from recvmsg's errno.
 */
int32_t objinvoke_recv_object(int sock, Object *obj);

#ifdef __cplusplus
}
#endif

#endif /* OBJINVOKE_H */
