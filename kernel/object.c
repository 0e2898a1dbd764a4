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

static const char *const oi_kind_names[OI_KIND_COUNT] = {
	[OI_KIND_TEE] = "tee",
	[OI_KIND_USER] = "user",
	[OI_KIND_MEMORY] = "memory",
	[OI_KIND_MAPPING] = "mapping",
	[OI_KIND_CREDENTIALS] = "credentials",
	[OI_KIND_PRIMORDIAL] = "primordial",
};

/*
 * Live objects of each kind, made with oi_object_init() and not yet
 * destroyed (the permanent root and primordial objects are not made so).
 */
static atomic_long_t oi_live[OI_KIND_COUNT];

void oi_object_init(struct oi_object *obj, const struct oi_object_ops *ops)
{
	kref_init(&obj->ref);
	obj->ops = ops;
	atomic_long_inc(&oi_live[ops->kind]);
}

/**
 * oi_kind_name() - the name of a kind of object ("tee", "user", ...)
 * @kind: the kind.
 *
 * Context: any.
 * Return: a string of the module's that lives as long as the module.
 */
const char *oi_kind_name(enum oi_kind kind)
{
	return oi_kind_names[kind];
}

/* The name of @obj's kind, as oi_kind_name(). */
const char *oi_object_kind(const struct oi_object *obj)
{
	return oi_kind_name(obj->ops->kind);
}

/**
 * oi_objects_live() - how many objects of @kind are alive now
 * @kind: the kind.
 *
 * Context: any.
 * Return: the count, a snapshot.
 */
long oi_objects_live(enum oi_kind kind)
{
	return atomic_long_read(&oi_live[kind]);
}

static void oi_object_destroy(struct kref *ref)
{
	struct oi_object *obj = container_of(ref, struct oi_object, ref);

	oi_dbg(OI_DBG_OBJECT, "destroy %s object %p\n", oi_object_kind(obj), obj);
	trace_objinvoke_release(obj);
	atomic_long_dec(&oi_live[obj->ops->kind]);
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
