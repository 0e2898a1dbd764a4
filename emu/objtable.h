/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The emulator's object table: every TEE object but the root, by ID.
 *
 * IDs run from 2 to 0x7fffffff (0 is NULL, 1 the root, bit 31 names
 * normal-world objects).  Each object is refcounted; the count includes
 * the references the normal world (NW) holds, which are also counted apart
 * in nw_refs so that a RELEASE or RETAIN from the NW can be checked against
 * what it was actually given (docs/wire-protocol.md, "reference rule").
 * The other references are the emulator's own: the creator's, and the one
 * a secure thread holds on the object it is invoking, so a concurrent
 * RELEASE never frees an object under a running method.
 *
 * An object leaves the table (and its ID becomes free) only when its count
 * reaches zero, under the table lock that lookups take their reference
 * under; IDs are handed out cyclically, so a freed ID is not reused soon.
 */
#ifndef EMU_OBJTABLE_H
#define EMU_OBJTABLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/tree.h>

enum emu_obj_type {
	EMU_OBJ_CLIENT_ENV = 1,
	EMU_OBJ_TEST_SERVICE,
	EMU_OBJ_FEATURE_VERSION,
	EMU_OBJ_COUNTER,
	EMU_OBJ_CALLBACK_SERVICE,
	EMU_OBJ_MEM_SERVICE,
};

struct emu_call;
struct emu_obj;

/* What a type of object does; one static instance per type. */
struct emu_obj_ops {
	enum emu_obj_type type;
	const char *name;
	/* Run a method (never RELEASE/RETAIN); returns the result. */
	int32_t (*invoke)(struct emu_obj *self, struct emu_call *c);
	/* Free the object's container; called once, outside the lock. */
	void (*destroy)(struct emu_obj *self);
};

/*
 * Embedded in each type's own struct.  @id, @ops and @table are invariant
 * once the object is in the table; @node, @refs and @nw_refs are protected
 * by the table's lock.
 */
struct emu_obj {
	RB_ENTRY(emu_obj) node;
	uint32_t id;
	uint32_t refs;
	uint32_t nw_refs;
	const struct emu_obj_ops *ops;
	struct emu_objtable *table;
};

RB_HEAD(emu_obj_tree, emu_obj);

struct emu_objtable {
	pthread_mutex_t lock;
	struct emu_obj_tree tree;	/* lock */
	uint32_t count;			/* lock: objects in the tree */
	uint32_t max;			/* invariant: most objects at once */
	uint32_t next_id;		/* lock: where the ID search starts */
};

#define EMU_OBJ_ID_MIN		2U
#define EMU_OBJ_ID_MAX		0x7fffffffU
#define EMU_OBJTABLE_DEFAULT_MAX	65536U

void emu_objtable_init(struct emu_objtable *t, uint32_t max);
/* Frees whatever is left (at exit: the NW is gone with the device). */
void emu_objtable_destroy(struct emu_objtable *t);
uint32_t emu_objtable_count(struct emu_objtable *t);

/*
 * Put a new object in the table with one reference, the caller's (drop it
 * with emu_obj_put()).  Returns 0, or QTEE_ERROR_NOSLOTS when the table is
 * full (the object is then not in the table and still the caller's).
 */
int32_t emu_obj_add(struct emu_objtable *t, struct emu_obj *o,
		    const struct emu_obj_ops *ops);

/*
 * Allocate a zeroed object of @size bytes (struct emu_obj first) and add
 * it as above; *out is the caller's reference.  QTEE_ERROR_MEM or
 * QTEE_ERROR_NOSLOTS on failure.
 */
int32_t emu_obj_alloc(struct emu_objtable *t, size_t size,
		      const struct emu_obj_ops *ops, struct emu_obj **out);
/* A destroy for objects from emu_obj_alloc() that own nothing else. */
void emu_obj_free(struct emu_obj *o);

/* Look an ID up and take a reference (put it with emu_obj_put()), or NULL. */
struct emu_obj *emu_obj_get(struct emu_objtable *t, uint32_t id);
/* Take another reference on an object the caller holds one on. */
void emu_obj_ref(struct emu_obj *o);
/* Drop a reference taken by emu_obj_add/get/ref; frees at zero. */
void emu_obj_put(struct emu_obj *o);

/*
 * The NW's references.  give_nw: the object goes to the NW as an output
 * object; takes a new reference that is the NW's (the caller keeps its
 * own).  release/retain: op RELEASE/RETAIN from the NW; QTEE_OK, or
 * QTEE_ERROR_BADOBJ when the ID is unknown or the NW holds no reference.
 */
void emu_obj_give_nw(struct emu_obj *o);
int32_t emu_obj_nw_release(struct emu_objtable *t, uint32_t id);
int32_t emu_obj_nw_retain(struct emu_objtable *t, uint32_t id);

#endif /* EMU_OBJTABLE_H */
