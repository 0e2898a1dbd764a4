// SPDX-License-Identifier: MIT
/*
 * Remote objects: an Object standing for an object fd.
 *
 * Retain and release are counted here and never reach the kernel (it
 * refuses them: the fd's lifetime is the kernel's reference).  Other local
 * ops are answered with Object_ERROR_REMOTE, as a Mink transport must;
 * everything else is marshaled into the invoke ioctl.
 */
#include <stdlib.h>
#include <unistd.h>

#include "libobject_private.h"

static int32_t remote_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args,
			     ObjectCounts counts)
{
	struct objinvoke_remote *r = h;

	/* Before the local test: release and retain have the LOCAL bit set. */
	switch (ObjectOp_methodID(op)) {
	case Object_OP_retain:
		objinvoke_ref_get(&r->refs);
		return Object_OK;
	case Object_OP_release:
		if (objinvoke_ref_put(&r->refs)) {
			close(r->fd);
			free(r);
		}
		return Object_OK;
	}
	if (ObjectOp_isLocal(op))
		return Object_ERROR_REMOTE;
	return objinvoke_marshal_invoke(r->fd, op, args, counts);
}

/* The invoke pointer is what tells a remote object from any other. */
bool objinvoke_is_remote(Object obj)
{
	return obj.invoke == remote_invoke;
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
	*obj = (Object){ remote_invoke, r };
	return Object_OK;
}

/* Memory objects have an fd too: the dma-buf, which is what they pass as. */
OBJINVOKE_EXPORT int objinvoke_object_fd(Object obj)
{
	struct objinvoke_memory *m = objinvoke_memory_get(obj);

	if (m)
		return m->fd;
	if (!objinvoke_is_remote(obj))
		return -1;
	return ((struct objinvoke_remote *)obj.context)->fd;
}
