// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: the object core
 *
 * Every object, wherever it lives (the TEE, a process's server, the kernel
 * itself), is a struct oi_object: a reference count and the operations of
 * its kind (struct oi_object_ops).  Bottom layer: what a kind of object
 * does is reached only through its ops, so this file calls nothing above
 * it.  How objects become fds is object_fd.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>

#include "internal.h"
#include "trace.h"

void oi_object_init(struct oi_object *obj, const struct oi_object_ops *ops)
{
	kref_init(&obj->ref);
	obj->ops = ops;
}

static void oi_object_destroy(struct kref *ref)
{
	struct oi_object *obj = container_of(ref, struct oi_object, ref);

	oi_dbg(OI_DBG_OBJECT, "destroy %s object %p\n", obj->ops->name, obj);
	trace_objinvoke_release(obj);
	obj->ops->destroy(obj);
}

/**
 * oi_object_put() - drop a reference taken with oi_object_get() or owned
 * since oi_object_init()
 * @obj: the object; NULL is allowed and ignored.
 *
 * The last put destroys the object, and destroy functions sleep (they
 * take mutexes, queue release requests, unmap bridge pages), so every put
 * may: never call this under a spinlock or from an atomic context.
 *
 * Context: process context; may sleep.
 */
void oi_object_put(struct oi_object *obj)
{
	might_sleep();	/* even when this put is not the last */
	if (obj)
		kref_put(&obj->ref, oi_object_destroy);
}
