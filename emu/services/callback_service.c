// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The callback service (ICallbackService_UID): it calls back the
 * normal-world (NW) objects it is given, so tests can drive callbacks from
 * the TEE into kernel- and process-hosted objects, and it keeps one NW
 * reference across invocations, the one case where the emulator lets go
 * of an NW reference outside the answer that brought it (relq.h).
 *
 * include/ICallbackService.h gives each method's contract; the details
 * are in docs/emulator.md.  Targets must be NW IDs (BADOBJ otherwise):
 * calling one of the emulator's own objects is not a callback.
 */
#include <endian.h>
#include <stdlib.h>

#include "ICallbackService.h"
#include "call.h"
#include "emu.h"
#include "kept.h"
#include "log.h"
#include "services.h"

/*
 * The kept reference, in a slot shared by every callKept running on it
 * (kept.h), so a keep or dropKept on another thread never releases an ID
 * a callback request is about to name.
 */
struct kept {
	struct emu_kept base;
	uint32_t id;		/* invariant */
	struct emu_relq *relq;	/* invariant */
};

struct cbsvc {
	struct emu_obj obj;
	struct emu_relq *relq;	/* invariant */
	struct emu_kept_slot slot;
};

static struct cbsvc *to_cbsvc(struct emu_obj *o)
{
	return (struct cbsvc *)o;
}

/* The last user is gone: a later COMPLETE carries the release. */
static void kept_drop(struct emu_kept *base)
{
	struct kept *k = (struct kept *)base;

	emu_relq_push(k->relq, k->id);
	free(k);
}

static bool is_nw(uint32_t id)
{
	return id & QTEE_OBJ_NS_BIT;
}

static int32_t target_op(struct emu_call *c, uint32_t *target, uint32_t *op)
{
	int32_t r = emu_call_bi_u32(c, 0, op);

	if (r)
		return r;
	*target = emu_call_io(c, 0);
	return is_nw(*target) ? QTEE_OK : QTEE_ERROR_BADOBJ;
}

static int32_t cs_call(struct emu_call *c)
{
	struct emu_cb cb = { 0 };
	int32_t r;

	r = emu_call_expect(c, 1, 0, 1, 0);
	if (!r)
		r = target_op(c, &cb.id, &cb.op);
	return r ? r : emu_call_callback(c, &cb);
}

/*
 * target(op, BI = the caller's BI 1, BO reserving the caller's BO 0); the
 * NW's answer is copied straight into the caller's BO.  Both must fit
 * ICallbackService_MAX_DATA together, which keeps half the 4 KiB outbound
 * buffer for the request's header and the pending releases in its tail.
 */
static int32_t call_bufs(struct emu_call *c, uint32_t target, uint32_t op)
{
	struct emu_cb cb = { .id = target, .op = op, .nbi = 1, .nbo = 1 };
	uint32_t len, cap;
	const void *in = emu_call_bi(c, 1, &len);
	void *out = emu_call_bo(c, 0, &cap);
	int32_t r;

	if (len > ICallbackService_MAX_DATA ||
	    cap > ICallbackService_MAX_DATA - len)
		return QTEE_ERROR_MAXDATA;
	cb.bi[0].ptr = in;
	cb.bi[0].len = len;
	cb.bo[0].ptr = out;
	cb.bo[0].cap = cap;
	/* A size grown past cap comes back INVALID, with nothing copied. */
	r = emu_call_callback(c, &cb);
	if (!r)
		emu_call_bo_written(c, 0, cb.bo[0].len);
	return r;
}

static int32_t cs_call_bufs(struct emu_call *c)
{
	uint32_t target, op;
	int32_t r;

	r = emu_call_expect(c, 2, 1, 1, 0);
	if (!r)
		r = target_op(c, &target, &op);
	return r ? r : call_bufs(c, target, op);
}

/*
 * An input object of the callback: an NW ID (or NULL, or the root) only
 * names its object; one of the emulator's objects gives the NW a
 * reference, which the NW gives back with RELEASE like any other.
 */
static int32_t lend(struct emu_call *c, uint32_t id)
{
	struct emu_obj *o;

	if (id <= QTEE_OBJ_ROOT || is_nw(id))
		return QTEE_OK;
	o = emu_obj_get(&c->emu->table, id);
	if (!o)
		return QTEE_ERROR_BADOBJ;
	emu_obj_give_nw(o);	/* put by the NW's RELEASE */
	emu_obj_put(o);
	return QTEE_OK;
}

/*
 * The callback's output object, handed to the caller.  An NW ID carries
 * the reference the response gave: it is owed back, and emu_call_finish()
 * defers that release past the answer that names it.  One of the
 * emulator's own IDs only named the object: the caller gets a new
 * reference to it.
 */
static int32_t hand_out(struct emu_call *c, uint32_t id)
{
	struct emu_obj *o;

	if (id <= QTEE_OBJ_ROOT || is_nw(id)) {
		emu_call_set_oo_id(c, 0, id);
		return QTEE_OK;
	}
	o = emu_obj_get(&c->emu->table, id);
	if (!o)
		return QTEE_ERROR_BADOBJ;
	emu_call_set_oo_obj(c, 0, o);
	return QTEE_OK;
}

static int32_t cs_call_objects(struct emu_call *c)
{
	struct emu_cb cb = { .nio = 1, .noo = 1 };
	int32_t r;

	r = emu_call_expect(c, 1, 0, 2, 1);
	if (!r)
		r = target_op(c, &cb.id, &cb.op);
	if (r)
		return r;
	cb.io[0] = emu_call_io(c, 1);
	r = lend(c, cb.io[0]);
	if (!r)
		r = emu_call_callback(c, &cb);
	return r ? r : hand_out(c, cb.oo[0]);
}

static int32_t cs_keep(struct cbsvc *s, struct emu_call *c)
{
	struct kept *k;
	int32_t r;

	r = emu_call_expect(c, 0, 0, 1, 0);
	if (r)
		return r;
	if (!is_nw(emu_call_io(c, 0)))
		return QTEE_ERROR_BADOBJ;
	k = malloc(sizeof(*k));
	if (!k)
		return QTEE_ERROR_MEM;
	k->base.users = 1;	/* the slot's */
	k->base.drop = kept_drop;
	k->id = emu_call_io(c, 0);
	k->relq = s->relq;
	/* The input's reference is now the slot's, not this answer's. */
	emu_call_keep_ref(c, k->id);
	emu_dbg("callback service %#x keeps %#x", s->obj.id, k->id);
	/* From here another thread may replace k and free it. */
	emu_kept_swap(&s->slot, &k->base);
	return QTEE_OK;
}

static int32_t cs_call_kept(struct cbsvc *s, struct emu_call *c)
{
	struct kept *k;
	uint32_t op;
	int32_t r;

	r = emu_call_expect(c, 2, 1, 0, 0);
	if (!r)
		r = emu_call_bi_u32(c, 0, &op);
	if (r)
		return r;
	k = (struct kept *)emu_kept_get(&s->slot);
	if (!k)
		return QTEE_ERROR_BADOBJ;
	r = call_bufs(c, k->id, op);
	emu_kept_put(&s->slot, &k->base);
	return r;
}

static int32_t cs_drop_kept(struct cbsvc *s, struct emu_call *c)
{
	int32_t r = emu_call_expect(c, 0, 0, 0, 0);

	/* Dropping when nothing is kept is no error: the end state is met. */
	if (!r)
		emu_kept_swap(&s->slot, NULL);
	return r;
}

static int32_t cbsvc_invoke(struct emu_obj *self, struct emu_call *c)
{
	struct cbsvc *s = to_cbsvc(self);

	switch (emu_call_method(c)) {
	case ICallbackService_OP_call:
		return cs_call(c);
	case ICallbackService_OP_callBufs:
		return cs_call_bufs(c);
	case ICallbackService_OP_callObjects:
		return cs_call_objects(c);
	case ICallbackService_OP_keep:
		return cs_keep(s, c);
	case ICallbackService_OP_callKept:
		return cs_call_kept(s, c);
	case ICallbackService_OP_dropKept:
		return cs_drop_kept(s, c);
	default:
		return QTEE_ERROR_INVALID;
	}
}

/* The last reference is gone (the NW's RELEASE, or exit): drop the kept. */
static void cbsvc_destroy(struct emu_obj *self)
{
	struct cbsvc *s = to_cbsvc(self);

	emu_kept_slot_destroy(&s->slot);
	free(s);
}

static const struct emu_obj_ops cbsvc_ops = {
	.type = EMU_OBJ_CALLBACK_SERVICE,
	.name = "callback service",
	.invoke = cbsvc_invoke,
	.destroy = cbsvc_destroy,
};

int32_t emu_cbsvc_new(struct emu *e, struct emu_obj **out)
{
	struct cbsvc *s = calloc(1, sizeof(*s));
	int32_t r;

	*out = NULL;
	if (!s)
		return QTEE_ERROR_MEM;
	/* Ready before it is in the table, where a lookup can find it. */
	s->relq = &e->relq;
	emu_kept_slot_init(&s->slot);
	r = emu_obj_add(&e->table, &s->obj, &cbsvc_ops);
	if (r) {
		emu_kept_slot_destroy(&s->slot);
		free(s);
		return r;
	}
	*out = &s->obj;
	return QTEE_OK;
}
