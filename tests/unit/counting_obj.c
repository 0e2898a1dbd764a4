// SPDX-License-Identifier: MIT
/* A local object that counts what is done to it (counting_obj.h). */
#include <string.h>

#include "counting_obj.h"

static int32_t counting_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args,
			       ObjectCounts k)
{
	struct counting_obj *c = h;

	switch (ObjectOp_methodID(op)) {
	case Object_OP_retain:
		atomic_fetch_add(&c->retains, 1);
		atomic_fetch_add(&c->refs, 1);
		return Object_OK;
	case Object_OP_release:
		atomic_fetch_add(&c->releases, 1);
		atomic_fetch_sub(&c->refs, 1);
		return Object_OK;
	}
	atomic_fetch_add(&c->calls, 1);
	return c->handler ? c->handler(c, op, args, k) : Object_OK;
}

Object counting_obj_init(struct counting_obj *c)
{
	memset(c, 0, sizeof(*c));
	atomic_init(&c->refs, 1);
	return (Object){ counting_invoke, c };
}
