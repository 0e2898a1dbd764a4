// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Dispatch of direct invocations to the root object, the transports'
 * RELEASE/RETAIN, and the methods of objects in the table.
 */
#include "dispatch.h"

#include "emu.h"
#include "fault.h"
#include "log.h"
#include "services.h"

/* A method of an object in the table, with the test service's faults. */
static int32_t invoke_obj(struct emu_call *c, uint32_t *fault)
{
	struct emu_obj *o = emu_obj_get(&c->emu->table, c->msg.cxt);
	int32_t r;

	if (!o) {
		emu_dbg("invocation of unknown object %#x", c->msg.cxt);
		return QTEE_ERROR_BADOBJ;
	}
	/* The reference from emu_obj_get() keeps o alive until the put. */
	*fault = emu_testsvc_take_fault(o);
	if (!emu_fault_before_invoke(c, *fault, &r))
		r = o->ops->invoke(o, c);
	emu_obj_put(o);
	return r;
}

static int32_t invoke(struct emu_call *c, uint32_t *fault)
{
	uint32_t id = c->msg.cxt, method = c->msg.op & QTEE_OP_METHOD_MASK;

	if (id == QTEE_OBJ_ROOT)
		return emu_root_invoke(c);
	if (id == QTEE_OBJ_NULL || (id & QTEE_OBJ_NS_BIT))
		return QTEE_ERROR_BADOBJ;	/* not a TEE object at all */
	if (method == QTEE_OP_RELEASE)
		return emu_obj_nw_release(&c->emu->table, id);
	if (method == QTEE_OP_RETAIN)
		return emu_obj_nw_retain(&c->emu->table, id);
	return invoke_obj(c, fault);
}

void emu_dispatch(struct emu_call *c)
{
	uint32_t fault = 0;
	unsigned int i;
	int32_t r;

	if (qtee_msg_parse(&c->msg, c->inbound, c->in_size, QTEE_MSG_INVOKE)) {
		/* Not even its input objects are known: nothing to release. */
		emu_err("unparsable invocation of %u bytes", c->in_size);
		emu_call_finish(c, QTEE_ERROR_INVALID);
		return;
	}
	c->parsed = true;
	/*
	 * Every NW object among the inputs carries a reference; no method
	 * keeps one past the invocation, so all go back with the answer.
	 */
	for (i = 0; i < emu_call_nio(c); i++)
		emu_call_owe_release(c, emu_call_io(c, i));

	r = invoke(c, &fault);
	emu_fault_finish(c, r, fault);
	emu_dbg("invoke %#x op %#x counts %#x: result %d", c->msg.cxt,
		c->msg.op, c->msg.counts, r);
}
