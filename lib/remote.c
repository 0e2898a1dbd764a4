// SPDX-License-Identifier: MIT
/*
 * Remote objects: an Object standing for an object fd.
 *
 * What a remote object does when invoked is the invoke path's business
 * (remote_invoke.c); this file only makes them and tells them apart, so
 * that everything below the invoke path (marshaling, serving requests,
 * sockets) can wrap an fd without calling up into it.
 *
 * The one reference that points up: each Object made here names
 * objinvoke_remote_invoke() as its invoke function.  It is not called
 * here; it is how a local object's handler, run while an invocation
 * serves callbacks on its thread (invoke.c), invokes again and so
 * re-enters the invoke path: the library's one place of recursion.
 */
#include <stdlib.h>
#include <unistd.h>

#include "libobject_private.h"

/* The invoke pointer is what tells a remote object from any other. */
bool objinvoke_is_remote(Object obj)
{
	return obj.invoke == objinvoke_remote_invoke;
}

OBJINVOKE_EXPORT int32_t objinvoke_object_from_fd(int fd, Object *obj)
{
	struct objinvoke_remote *r;

	if (!obj) {
		if (fd >= 0)
			close(fd);
		return Object_ERROR_INVALID;
	}
	*obj = Object_NULL;
	if (fd < 0)
		return Object_ERROR_BADOBJ;

	r = malloc(sizeof(*r));
	if (!r) {
		objinvoke_log("no memory to wrap object fd %d", fd);
		close(fd);
		return Object_ERROR_KMEM;
	}
	r->fd = fd;
	atomic_init(&r->refs, 1);
	*obj = (Object){ objinvoke_remote_invoke, r };
	return Object_OK;
}
