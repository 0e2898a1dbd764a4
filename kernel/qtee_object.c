// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: TEE objects
 *
 * A TEE object is the kernel's handle for one reference to an object the
 * secure world hosts (an ID below 2^31).  Each ID the TEE hands out gives
 * the kernel one reference (docs/wire-protocol.md, "reference rule"), so
 * each is wrapped in its own struct qtee_object, and when that object's
 * last kernel reference goes, a worker invokes RELEASE on the ID: never
 * the closing thread, which may be in a context that cannot wait for the
 * TEE.  The root object (ID 1) is permanent and shared.  A TEE object
 * belongs to the generation its ID came in (qtee_ns.c).
 *
 * This file is what a TEE object is; what it does, an invocation or a
 * RELEASE, is a call (qtee_call.c), which sits above it and makes TEE
 * objects of the IDs the TEE returns.  The ops table below points up into
 * qtee_call.c; the code here never calls it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/seq_file.h>
#include <linux/slab.h>

#include "qtee.h"

/*
 * The TEE's ID and generation; "defunct" once that TEE is gone (every
 * invocation then answers DEFUNCT).  The root object always stands for
 * the TEE attached now.
 */
static void qtee_object_show_fdinfo(struct oi_object *obj, struct seq_file *m)
{
	u32 generation = qtee_object_generation(obj);

	seq_printf(m, "tee-id:\t%#x\n", qtee_object_id(obj));
	seq_printf(m, "tee-generation:\t%u%s\n", generation,
		   generation == qtee_generation() ? "" : " (defunct)");
}

static const struct oi_object_ops qtee_object_ops = {
	.kind = OI_KIND_TEE,
	.show_fdinfo = qtee_object_show_fdinfo,
	.invoke = qtee_call_invoke,
	.resume = qtee_call_resume,
	.abandon = qtee_call_abandon_parked,
	.destroy = qtee_call_release,
};

static struct qtee_object qtee_root = {
	.base = { .ref = KREF_INIT(1), .ops = &qtee_object_ops },
	.id = QTEE_OBJ_ROOT,
};

/**
 * qtee_object_new() - wrap one reference to TEE object @id
 * @id:         an ID below 2^31, not NULL.
 * @generation: the generation the TEE gave it in.
 *
 * The root object is returned shared.  When allocation fails the caller
 * still owns the TEE's reference (qtee_call.c releases it at once).
 *
 * Context: process context.
 * Return: a reference owned by the caller, or ERR_PTR(-ENOMEM).
 */
struct oi_object *qtee_object_new(u32 id, u32 generation)
{
	struct qtee_object *qo;

	if (id == QTEE_OBJ_ROOT)
		return oi_object_get(&qtee_root.base);
	qo = kzalloc(sizeof(*qo), GFP_KERNEL_ACCOUNT);
	if (!qo)
		return ERR_PTR(-ENOMEM);
	oi_object_init(&qo->base, &qtee_object_ops);
	qo->id = id;
	qo->generation = generation;
	return &qo->base;
}

bool qtee_object_is_tee(struct oi_object *obj)
{
	return obj->ops == &qtee_object_ops;
}

/* Whether a TEE object is the root object. */
bool qtee_object_is_root(struct oi_object *obj)
{
	return obj == &qtee_root.base;
}

/* The TEE ID of a TEE object. */
u32 qtee_object_id(struct oi_object *obj)
{
	return to_qtee_object(obj)->id;
}

/*
 * The generation whose TEE a TEE object's ID means something to.  The
 * root object is permanent: it belongs to whichever TEE is attached.
 */
u32 qtee_object_generation(struct oi_object *obj)
{
	return qtee_object_is_root(obj) ? qtee_generation() :
					  to_qtee_object(obj)->generation;
}

/**
 * qtee_root_object() - the TEE's root object
 *
 * Context: any.
 * Return: a new reference.
 */
struct oi_object *qtee_root_object(void)
{
	return oi_object_get(&qtee_root.base);
}

/**
 * qtee_root_policy() - what userspace may ask of the root object
 * @inv:       an invocation of the root object from userspace.
 * @own_creds: out: a credentials object made for the caller and put in
 *             the input slot, for the caller to drop after the call; or
 *             untouched.
 *
 * One method: register with credentials, and only with credentials the
 * kernel made.  A NULL input object means "the caller's own"; anything
 * else that is not a kernel credentials object is refused, so no process
 * can register as another.
 *
 * Context: process context.
 * Return: 0, -EPERM, or -ENOMEM.
 */
int qtee_root_policy(struct oi_invocation *inv, struct oi_object **own_creds)
{
	unsigned int io = qtee_idx_io(inv->counts);
	struct oi_object *creds;

	if (inv->op != 5 || inv->counts != QTEE_COUNTS(0, 0, 1, 1))
		return -EPERM;
	if (inv->args[io].o)
		return oi_object_is_credentials(inv->args[io].o) ? 0 : -EPERM;
	creds = oi_credentials_create();
	if (IS_ERR(creds))
		return PTR_ERR(creds);
	*own_creds = creds;
	inv->args[io].o = creds;
	return 0;
}

