// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Counter objects (made by ITestService_OP_newCounter): a u32 to read and
 * add to, shared by every holder, so tests can see that an object passed
 * around is one object.
 */
#include "ITestService.h"
#include "call.h"
#include "emu.h"
#include "services.h"

struct counter {
	struct emu_obj obj;
	uint32_t value;		/* atomic: concurrent adds must all count */
};

static int32_t counter_invoke(struct emu_obj *self, struct emu_call *c)
{
	struct counter *k = (struct counter *)self;
	uint32_t v;
	int32_t r;

	switch (emu_call_method(c)) {
	case ITestCounter_OP_get:
		r = emu_call_expect(c, 0, 1, 0, 0);
		if (r)
			return r;
		v = __atomic_load_n(&k->value, __ATOMIC_RELAXED);
		return emu_call_bo_put_u32(c, 0, v);
	case ITestCounter_OP_add:
		r = emu_call_expect(c, 1, 0, 0, 0);
		if (!r)
			r = emu_call_bi_u32(c, 0, &v);
		if (!r)
			__atomic_add_fetch(&k->value, v, __ATOMIC_RELAXED);
		return r;
	default:
		return QTEE_ERROR_INVALID;
	}
}

static const struct emu_obj_ops counter_ops = {
	.type = EMU_OBJ_COUNTER,
	.name = "counter",
	.invoke = counter_invoke,
	.destroy = emu_obj_free,
};

int32_t emu_counter_new(struct emu *e, uint32_t value, struct emu_obj **out)
{
	int32_t r = emu_obj_alloc(&e->table, sizeof(struct counter),
				  &counter_ops, out);

	if (!r)
		((struct counter *)*out)->value = value;
	return r;
}

bool emu_counter_value(struct emu_obj *o, uint32_t *value)
{
	if (o->ops != &counter_ops)
		return false;
	*value = __atomic_load_n(&((struct counter *)o)->value,
				 __ATOMIC_RELAXED);
	return true;
}
