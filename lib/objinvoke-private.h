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

#include "object.h"
#include "objinvoke.h"

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

/* marshal.c: forward one invocation to the kernel through @fd. */
int32_t objinvoke_marshal_invoke(int fd, ObjectOp op, ObjectArg *args,
				 ObjectCounts counts);

/* errno-map.c: the Object result that stands for a failed syscall. */
int32_t objinvoke_result_from_errno(int err);

/* device.c: one of the kernel's own objects, from /dev/objinvoke. */
int32_t objinvoke_device_get_object(unsigned long request, Object *obj);

/* log.c: hand a diagnostic to the user's handler, if any. */
void objinvoke_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* OBJINVOKE_PRIVATE_H */
