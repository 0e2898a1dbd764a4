// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Bound objects (struct emu_bound_obj, services.h): a client environment
 * and each service opened from it keep the credentials the environment
 * was registered with.  Shared by every service that makes one, below
 * all of them, so that no service calls another for it.
 */
#include "emu.h"
#include "qtee_wire.h"
#include "services.h"

int32_t emu_bound_new(struct emu *e, const struct emu_obj_ops *ops,
		      const struct emu_creds *cr, struct emu_obj **out)
{
	struct emu_bound_obj *b;
	int32_t r;

	r = emu_obj_alloc(&e->table, sizeof(*b), ops, out);
	if (r)
		return r;
	b = (struct emu_bound_obj *)*out;
	b->creds = *cr;
	return QTEE_OK;
}
