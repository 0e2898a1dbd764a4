// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The object table (see objtable.h for the rules it keeps). */
#include "objtable.h"

#include <stdbool.h>
#include <stdlib.h>

#include "log.h"
#include "qtee_wire.h"

static int obj_cmp(const struct emu_obj *a, const struct emu_obj *b)
{
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * RB_GENERATE_STATIC relies on __unused, which libbsd leaves undefined (it
 * clashes with a Linux struct member), so spell the attribute out: not
 * every generated function is used.
 */
RB_GENERATE_INTERNAL(emu_obj_tree, emu_obj, node, obj_cmp,
		     __attribute__((unused)) static)

void emu_objtable_init(struct emu_objtable *t, uint32_t max)
{
	pthread_mutex_init(&t->lock, NULL);
	RB_INIT(&t->tree);
	t->count = 0;
	t->max = max;
	t->next_id = EMU_OBJ_ID_MIN;
}

void emu_objtable_destroy(struct emu_objtable *t)
{
	struct emu_obj *o, *next;

	/* Single-threaded by now: the secure threads have been joined. */
	RB_FOREACH_SAFE(o, emu_obj_tree, &t->tree, next) {
		RB_REMOVE(emu_obj_tree, &t->tree, o);
		o->ops->destroy(o);
	}
	t->count = 0;
	pthread_mutex_destroy(&t->lock);
}

uint32_t emu_objtable_count(struct emu_objtable *t)
{
	uint32_t n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}

static struct emu_obj *find_locked(struct emu_objtable *t, uint32_t id)
{
	struct emu_obj key = { .id = id };

	return RB_FIND(emu_obj_tree, &t->tree, &key);
}

int32_t emu_obj_add(struct emu_objtable *t, struct emu_obj *o,
		    const struct emu_obj_ops *ops)
{
	uint32_t id;

	pthread_mutex_lock(&t->lock);
	if (t->count >= t->max) {
		pthread_mutex_unlock(&t->lock);
		return QTEE_ERROR_NOSLOTS;
	}
	/*
	 * Cyclic allocation: a freed ID comes back only after the rest of
	 * the space was used, so a late message naming an old object is
	 * very unlikely to hit a new one.  max is far below the ID space,
	 * so a free ID is always found within count + 1 steps.
	 */
	id = t->next_id;
	while (find_locked(t, id))
		id = id == EMU_OBJ_ID_MAX ? EMU_OBJ_ID_MIN : id + 1;
	t->next_id = id == EMU_OBJ_ID_MAX ? EMU_OBJ_ID_MIN : id + 1;

	o->id = id;
	o->refs = 1;
	o->nw_refs = 0;
	o->ops = ops;
	o->table = t;
	RB_INSERT(emu_obj_tree, &t->tree, o);
	t->count++;
	pthread_mutex_unlock(&t->lock);
	emu_trace("new %s %#x", ops->name, id);
	return QTEE_OK;
}

struct emu_obj *emu_obj_get(struct emu_objtable *t, uint32_t id)
{
	struct emu_obj *o;

	pthread_mutex_lock(&t->lock);
	o = find_locked(t, id);
	if (o)
		o->refs++;	/* put by the caller's emu_obj_put() */
	pthread_mutex_unlock(&t->lock);
	return o;
}

void emu_obj_ref(struct emu_obj *o)
{
	pthread_mutex_lock(&o->table->lock);
	o->refs++;
	pthread_mutex_unlock(&o->table->lock);
}

/* Drop one reference with the lock held; true when the caller must free. */
static bool unref_locked(struct emu_objtable *t, struct emu_obj *o)
{
	if (--o->refs)
		return false;
	RB_REMOVE(emu_obj_tree, &t->tree, o);
	t->count--;
	return true;
}

static void destroy(struct emu_obj *o)
{
	emu_trace("free %s %#x", o->ops->name, o->id);
	o->ops->destroy(o);
}

void emu_obj_put(struct emu_obj *o)
{
	struct emu_objtable *t = o->table;
	bool dead;

	pthread_mutex_lock(&t->lock);
	dead = unref_locked(t, o);
	pthread_mutex_unlock(&t->lock);
	if (dead)
		destroy(o);
}

void emu_obj_give_nw(struct emu_obj *o)
{
	pthread_mutex_lock(&o->table->lock);
	o->refs++;	/* dropped by the NW's RELEASE: emu_obj_nw_release() */
	o->nw_refs++;
	pthread_mutex_unlock(&o->table->lock);
}

int32_t emu_obj_nw_release(struct emu_objtable *t, uint32_t id)
{
	struct emu_obj *o;
	bool dead;

	pthread_mutex_lock(&t->lock);
	o = find_locked(t, id);
	if (!o || !o->nw_refs) {
		pthread_mutex_unlock(&t->lock);
		emu_warn("RELEASE of %#x: the NW holds no reference", id);
		return QTEE_ERROR_BADOBJ;
	}
	o->nw_refs--;
	dead = unref_locked(t, o);
	pthread_mutex_unlock(&t->lock);
	if (dead)
		destroy(o);
	return QTEE_OK;
}

int32_t emu_obj_nw_retain(struct emu_objtable *t, uint32_t id)
{
	struct emu_obj *o;

	pthread_mutex_lock(&t->lock);
	o = find_locked(t, id);
	/* Only a holder can retain: a reference cannot be made from an ID. */
	if (!o || !o->nw_refs) {
		pthread_mutex_unlock(&t->lock);
		emu_warn("RETAIN of %#x: the NW holds no reference", id);
		return QTEE_ERROR_BADOBJ;
	}
	o->nw_refs++;
	o->refs++;
	pthread_mutex_unlock(&t->lock);
	return QTEE_OK;
}

int32_t emu_obj_alloc(struct emu_objtable *t, size_t size,
		      const struct emu_obj_ops *ops, struct emu_obj **out)
{
	struct emu_obj *o = calloc(1, size);
	int32_t r;

	*out = NULL;
	if (!o)
		return QTEE_ERROR_MEM;
	r = emu_obj_add(t, o, ops);
	if (r) {
		free(o);
		return r;
	}
	*out = o;
	return QTEE_OK;
}

void emu_obj_free(struct emu_obj *o)
{
	free(o);
}
