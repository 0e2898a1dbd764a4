// SPDX-License-Identifier: MIT
/*
 * Objects as the fds that stand for them, both ways: what an invocation,
 * a request and a socket send (a remote object's own fd, a memory
 * object's dma-buf) and what an fd from the kernel becomes.  Above
 * remote.c and memory.c, so that neither of the two calls the other.
 */
#include <linux/objinvoke.h>

#include "libobject_private.h"

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

int32_t objinvoke_object_from_kernel(int fd, uint32_t arg_flags, Object *obj)
{
	/* The kernel vouches for the dma-buf: no fstatfs needed. */
	if (arg_flags & OBJINVOKE_ARG_MEMORY)
		return objinvoke_memory_wrap(fd, obj);
	return objinvoke_object_from_fd(fd, obj);
}
