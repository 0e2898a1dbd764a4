// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: the attached TEE: generations and the NS table
 *
 * The state every part of the QTEE transport shares: the backend SMC
 * calls go through, the TEE generation, and the NS table.
 *
 * Objects the TEE holds in the other direction from TEE objects
 * (normal-world objects named by IDs with bit 31 set) live in the NS
 * table, an xarray from the ID's low bits to a reference on the object.
 * Every send of an object to the TEE allocates a new ID with its own
 * reference; the TEE's release of that ID (an async message) erases it and
 * drops the reference.
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
 * answers DEFUNCT and is freed without a RELEASE (qtee_call.c).
 *
 * Bottom of the transport: calls only the object core.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/seq_file.h>
#include <linux/xarray.h>

#include "qtee.h"
#include "testpoint.h"

/* NS IDs: index = ID & ~bit31; 0 is the primordial object, never stored. */
static DEFINE_XARRAY_ALLOC1(qtee_ns_ids);
static u32 qtee_ns_next;
static atomic_t qtee_gen = ATOMIC_INIT(1);
static const struct qtee_backend_ops *qtee_backend;

struct workqueue_struct *qtee_wq;

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
 * Return: a new reference (put with oi_object_put()), or ERR_PTR(-ENOENT)
 *         for an ID that names nothing the TEE holds.
 */
struct oi_object *qtee_ns_lookup(u32 id)
{
	struct oi_object *obj;

	if (id == QTEE_OBJ_PRIMORDIAL)
		return oi_object_get(&oi_primordial);
	if (!(id & QTEE_OBJ_NS_BIT))
		return ERR_PTR(-ENOENT);
	/* Under the lock that erases IDs, so the reference cannot be the last. */
	xa_lock(&qtee_ns_ids);
	obj = xa_load(&qtee_ns_ids, id & ~QTEE_OBJ_NS_BIT);
	if (obj)
		oi_object_get(obj);
	xa_unlock(&qtee_ns_ids);
	return obj ?: ERR_PTR(-ENOENT);
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

/**
 * qtee_show() - the TEE as the transport sees it, for debugfs
 * @m: where to print.
 *
 * Context: process context.
 */
void qtee_show(struct seq_file *m)
{
	struct oi_object *obj;
	unsigned long index;
	unsigned int ns = 0;

	/* The NS table's own lock keeps the walk safe; the count is a snapshot. */
	xa_for_each(&qtee_ns_ids, index, obj)
		ns++;
	seq_printf(m, "generation: %u\n", qtee_generation());
	seq_printf(m, "ns-ids: %u\n", ns);
	if (qtee_backend && qtee_backend->show)
		qtee_backend->show(m);
}

/* The backend registers itself at init (backend_emu.c). */
void qtee_set_backend(const struct qtee_backend_ops *ops)
{
	qtee_backend = ops;
}

const struct qtee_backend_ops *qtee_get_backend(void)
{
	return qtee_backend;
}

/**
 * qtee_init() - set up the transport's shared state
 *
 * Context: module init.
 * Return: 0 or -ENOMEM.
 */
int qtee_init(void)
{
	qtee_wq = alloc_workqueue("objinvoke_release", WQ_UNBOUND, 0);
	return qtee_wq ? 0 : -ENOMEM;
}

/**
 * qtee_exit() - undo qtee_init(): no TEE holds anything any more
 *
 * Context: module exit, the backend gone.
 */
void qtee_exit(void)
{
	destroy_workqueue(qtee_wq);	/* drains pending releases */
	qtee_generation_end();
	qtee_ns_flush();
	xa_destroy(&qtee_ns_ids);
}
