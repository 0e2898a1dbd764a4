// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: TEE objects and the NS table
 *
 * A TEE object is the kernel's handle for one reference to an object the
 * secure world hosts (an ID below 2^31).  Each ID the TEE hands out gives
 * the kernel one reference (docs/wire-protocol.md, "reference rule"), so
 * each is wrapped in its own struct qtee_object, and when that object's
 * last kernel reference goes, a worker invokes RELEASE on the ID: never
 * the closing thread, which may be in a context that cannot wait for the
 * TEE.  The root object (ID 1) is permanent and shared.
 *
 * Objects the TEE holds in the other direction (normal-world objects
 * named by IDs with bit 31 set) live in the NS table, an xarray from the
 * ID's low bits to a reference on the object.  Every send of an object to
 * the TEE allocates a new ID with its own reference; the TEE's release of
 * that ID (an async message) erases it and drops the reference.
 *
 * Each attach of a TEE is a generation, and every TEE ID belongs to one:
 * the same number means another object in the next TEE, which numbers its
 * objects from the same start.  An ID therefore only ever goes to the TEE
 * of its own generation.  The backend ends a generation under its own
 * lock, the lock its submit checks the call's generation under, so a call
 * built for a TEE that is gone never reaches the next one however long
 * its marshalling took (a user copy can be stalled at will).  Then,
 * before a new TEE can attach, every reference the old one held is
 * dropped (qtee_ns_flush()), and every TEE object of the old generation
 * answers DEFUNCT and is freed without a RELEASE.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/xarray.h>

#include "qtee.h"
#include "testpoint.h"

/**
 * struct qtee_object - one reference to a TEE-hosted object
 * @base:       the object; @base.ref counts its holders.
 * @id:         the TEE's ID; invariant.
 * @generation: the TEE generation the ID belongs to; invariant.
 * @release:    sends RELEASE once the last reference is gone.
 */
struct qtee_object {
	struct oi_object base;
	u32 id;
	u32 generation;
	struct work_struct release;
};

static const struct oi_object_ops qtee_object_ops;

static struct qtee_object qtee_root = {
	.id = QTEE_OBJ_ROOT,
};

/* NS IDs: index = ID & ~bit31; 0 is the primordial object, never stored. */
static DEFINE_XARRAY_ALLOC1(qtee_ns_ids);
static u32 qtee_ns_next;
static atomic_t qtee_gen = ATOMIC_INIT(1);
static const struct qtee_backend_ops *qtee_backend;

struct workqueue_struct *qtee_wq;

static struct qtee_object *to_qtee_object(struct oi_object *obj)
{
	return container_of(obj, struct qtee_object, base);
}

/**
 * qtee_generation() - the current TEE generation
 *
 * Context: any.
 * Return: a number that changes every time a TEE detaches.
 */
u32 qtee_generation(void)
{
	return atomic_read(&qtee_gen);
}

/**
 * qtee_generation_end() - the attached TEE is gone: end its generation
 *
 * The backend calls this under the lock its submit checks generations
 * under, then qtee_ns_flush() before it lets another TEE attach.
 *
 * Context: any; does not sleep.
 */
void qtee_generation_end(void)
{
	/* Fully ordered: pairs with the barrier in qtee_ns_id_get(). */
	atomic_inc_return(&qtee_gen);
}

/* Drop the table's reference behind @index if it is still there. */
static void qtee_ns_erase(unsigned long index)
{
	/* Only the eraser that removed the entry owns its reference. */
	oi_object_put(xa_erase(&qtee_ns_ids, index));	/* get: qtee_ns_id_get() */
}

/**
 * qtee_ns_id_get() - give the TEE a reference to a normal-world object
 * @obj:        the object; the NS table takes its own reference.
 * @generation: the generation of the TEE the ID is for.
 * @id:         out: the NS ID naming it.
 *
 * Context: process context.
 * Return: 0, -ENODEV when @generation has ended, or -ENOMEM / -EBUSY
 *         (table full).
 */
int qtee_ns_id_get(struct oi_object *obj, u32 generation, u32 *id)
{
	u32 index;
	int ret;

	if (obj == &oi_primordial) {
		*id = QTEE_OBJ_PRIMORDIAL;
		return 0;
	}
	oi_object_get(obj);	/* put: qtee_ns_erase() */
	/* Cyclic, so an ID the TEE may still name is not handed out again. */
	ret = xa_alloc_cyclic(&qtee_ns_ids, &index, obj,
			      XA_LIMIT(1, ~QTEE_OBJ_NS_BIT), &qtee_ns_next,
			      GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		oi_object_put(obj);
		return ret;
	}
	/*
	 * The entry is in before the generation is read, and a generation
	 * ends before its flush walks the table (both fully ordered): either
	 * we see the end and take the entry out again, or the flush sees the
	 * entry.  No ID of an ended generation outlives its flush.
	 */
	smp_mb();
	if (generation != qtee_generation()) {
		qtee_ns_erase(index);
		return -ENODEV;
	}
	*id = QTEE_OBJ_NS_BIT | index;
	return 0;
}

/**
 * qtee_ns_lookup() - the object an NS ID names
 * @id: an ID with bit 31 set.
 *
 * Context: any.
 * Return: a new reference (put with oi_object_put()), or NULL.
 */
struct oi_object *qtee_ns_lookup(u32 id)
{
	struct oi_object *obj;

	if (id == QTEE_OBJ_PRIMORDIAL)
		return oi_object_get(&oi_primordial);
	if (!(id & QTEE_OBJ_NS_BIT))
		return NULL;
	/* Under the lock that erases IDs, so the reference cannot be the last. */
	xa_lock(&qtee_ns_ids);
	obj = xa_load(&qtee_ns_ids, id & ~QTEE_OBJ_NS_BIT);
	if (obj)
		oi_object_get(obj);
	xa_unlock(&qtee_ns_ids);
	return obj;
}

/**
 * qtee_ns_release() - the TEE dropped its reference behind @id
 * @id: an NS ID.
 *
 * Context: any context that may call oi_object_put().
 * Return: 0, or -ENOENT for an ID the TEE does not hold.
 */
int qtee_ns_release(u32 id)
{
	struct oi_object *obj;

	if (id == QTEE_OBJ_PRIMORDIAL)
		return 0;	/* permanent */
	if (!(id & QTEE_OBJ_NS_BIT))
		return -ENOENT;
	obj = xa_erase(&qtee_ns_ids, id & ~QTEE_OBJ_NS_BIT);
	if (!obj)
		return -ENOENT;
	oi_object_put(obj);	/* get: qtee_ns_id_get() */
	return 0;
}

/**
 * qtee_ns_flush() - drop every reference a TEE that is gone held
 *
 * After qtee_generation_end().  Other erasers (an invoker taking back the
 * IDs of a call that never reached a TEE, a late async release) may race
 * with the walk: whoever's erase removes an entry puts its reference.
 *
 * Context: process context.
 */
void qtee_ns_flush(void)
{
	struct oi_object *obj;
	unsigned long index;

	smp_mb();	/* pairs with qtee_ns_id_get(): see the entries */
	xa_for_each(&qtee_ns_ids, index, obj) {
		oi_test_point(OI_TP_NS_FLUSH_ENTRY);
		qtee_ns_erase(index);
	}
}

static void qtee_object_release_work(struct work_struct *work)
{
	struct qtee_object *qo = container_of(work, struct qtee_object,
					      release);

	qtee_call_release_remote(qo->id, qo->generation);
	kfree(qo);
}

static void qtee_object_destroy(struct oi_object *obj)
{
	struct qtee_object *qo = to_qtee_object(obj);

	if (WARN_ON_ONCE(qo == &qtee_root))
		return;
	if (qo->generation != qtee_generation()) {
		kfree(qo);	/* the TEE that knew this ID is gone */
		return;
	}
	INIT_WORK(&qo->release, qtee_object_release_work);
	queue_work(qtee_wq, &qo->release);
}

/*
 * From userspace the root object offers one method: register with
 * credentials, and only with credentials the kernel made.  A NULL input
 * object means "the caller's own"; anything else that is not a kernel
 * credentials object is refused, so no process can register as another.
 */
static int qtee_root_policy(struct oi_invocation *inv,
			    struct oi_object **own_creds)
{
	unsigned int io = qtee_idx_io(inv->counts);
	int ret;

	if (inv->op != 5 || inv->counts != QTEE_COUNTS(0, 0, 1, 1))
		return -EPERM;
	if (inv->args[io].o)
		return oi_object_is_credentials(inv->args[io].o) ? 0 : -EPERM;
	ret = oi_credentials_create(own_creds);
	if (ret)
		return ret;
	inv->args[io].o = *own_creds;
	return 0;
}

static int qtee_object_invoke(struct oi_object *obj,
			      struct oi_invocation *inv)
{
	struct qtee_object *qo = to_qtee_object(obj);
	struct oi_object *own_creds = NULL;
	u32 generation = qtee_object_generation(obj);
	int ret;

	if (generation != qtee_generation()) {
		inv->result = QTEE_ERROR_DEFUNCT;
		return 0;
	}
	if (inv->from_user && qo == &qtee_root) {
		ret = qtee_root_policy(inv, &own_creds);
		if (ret)
			return ret;
	}
	ret = qtee_call_invoke(qo->id, generation, inv);
	if (own_creds) {
		inv->args[qtee_idx_io(inv->counts)].o = NULL;
		oi_object_put(own_creds);	/* get: oi_credentials_create() */
	}
	return ret;
}

static int qtee_object_resume(struct oi_object *obj,
			      struct oi_invocation *inv)
{
	return qtee_call_resume(inv);
}

static void qtee_object_abandon(struct oi_object *obj,
				struct oi_invocation *inv)
{
	qtee_call_abandon_parked(inv);
}

static const struct oi_object_ops qtee_object_ops = {
	.name = "tee",
	.invoke = qtee_object_invoke,
	.resume = qtee_object_resume,
	.abandon = qtee_object_abandon,
	.destroy = qtee_object_destroy,
};

/**
 * qtee_object_new() - wrap one reference to TEE object @id
 * @id:         an ID below 2^31, not NULL.
 * @generation: the generation the TEE gave it in.
 *
 * The root object is returned shared.  When allocation fails the
 * reference is released at once, so the TEE never leaks it.
 *
 * Context: process context.
 * Return: a reference owned by the caller, or NULL.
 */
struct oi_object *qtee_object_new(u32 id, u32 generation)
{
	struct qtee_object *qo;

	if (id == QTEE_OBJ_ROOT)
		return oi_object_get(&qtee_root.base);
	qo = kzalloc(sizeof(*qo), GFP_KERNEL_ACCOUNT);
	if (!qo) {
		qtee_call_release_remote(id, generation);
		return NULL;
	}
	oi_object_init(&qo->base, &qtee_object_ops);
	qo->id = id;
	qo->generation = generation;
	return &qo->base;
}

bool qtee_object_is_tee(struct oi_object *obj)
{
	return obj->ops == &qtee_object_ops;
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
	struct qtee_object *qo = to_qtee_object(obj);

	return qo == &qtee_root ? qtee_generation() : qo->generation;
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

void qtee_set_backend(const struct qtee_backend_ops *ops)
{
	qtee_backend = ops;
}

const struct qtee_backend_ops *qtee_get_backend(void)
{
	return qtee_backend;
}

int qtee_init(void)
{
	oi_object_init(&qtee_root.base, &qtee_object_ops);
	qtee_wq = alloc_workqueue("objinvoke_release", WQ_UNBOUND, 0);
	return qtee_wq ? 0 : -ENOMEM;
}

void qtee_exit(void)
{
	destroy_workqueue(qtee_wq);	/* drains pending releases */
	qtee_generation_end();
	qtee_ns_flush();
	xa_destroy(&qtee_ns_ids);
}
