/* SPDX-License-Identifier: MIT */
/*
 * objinvoke.h: libobject's own API, beyond the Mink names of object.h and
 * MinkCom.h.
 *
 * Every object the kernel hands a process is a file descriptor.  libobject
 * wraps such an fd in an Object (a "remote object"): invoking the Object is
 * the invoke ioctl on the fd, and releasing its last reference closes the
 * fd.  The functions here convert between the two and reach the kernel's
 * own objects.  docs/libobject.md explains the design.
 *
 * The library never prints and never exits.  Functions return Object
 * results (Object_OK or an Object_ERROR_* value); what went wrong in more
 * detail goes to the log handler, if one is set.
 */
#ifndef OBJINVOKE_H
#define OBJINVOKE_H

#include <stdarg.h>
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
 * objinvoke_object_fd() - the fd behind a remote Object
 * @obj: any Object.
 *
 * The fd is borrowed: it stays valid while the caller holds a reference to
 * @obj and must not be closed.  dup() it to keep it longer or to pass it
 * to another process (SCM_RIGHTS), which delegates the capability.
 *
 * Return: the fd, or -1 when @obj is Object_NULL or not a libobject remote
 * object (a local object has no fd).
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

#ifdef __cplusplus
}
#endif

#endif /* OBJINVOKE_H */
