// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Client environments: open a service by UID, bound to the env's caller. */
#include "ICallbackService.h"
#include "IClientEnv.h"
#include "IFeatureVersion.h"
#include "IMemService.h"
#include "ITestService.h"
#include "call.h"
#include "emu.h"
#include "services.h"

static int32_t env_open(struct emu_obj *self, struct emu_call *c)
{
	const struct emu_creds *cr = &((struct emu_bound_obj *)self)->creds;
	struct emu_obj *svc;
	uint32_t uid;
	int32_t r;

	r = emu_call_expect(c, 1, 0, 0, 1);
	if (!r)
		r = emu_call_bi_u32(c, 0, &uid);
	if (r)
		return r;
	switch (uid) {
	case ITestService_UID:
		r = emu_testsvc_new(c->emu, cr, &svc);
		break;
	case IFeatureVersion_UID:
		r = emu_featver_new(c->emu, cr, &svc);
		break;
	case ICallbackService_UID:
		/* Bound to nobody: it only calls what it is given. */
		r = emu_cbsvc_new(c->emu, &svc);
		break;
	case IMemService_UID:
		/* Bound to nobody either: it maps only what it is given. */
		r = emu_memsvc_new(c->emu, &svc);
		break;
	default:
		return IClientEnv_ERROR_NOT_FOUND;
	}
	if (!r)
		emu_call_set_oo_obj(c, 0, svc);
	return r;
}

static int32_t env_invoke(struct emu_obj *self, struct emu_call *c)
{
	if (emu_call_method(c) == IClientEnv_OP_open)
		return env_open(self, c);
	return QTEE_ERROR_INVALID;
}

static const struct emu_obj_ops clientenv_ops = {
	.type = EMU_OBJ_CLIENT_ENV,
	.name = "client env",
	.invoke = env_invoke,
	.destroy = emu_obj_free,
};

int32_t emu_clientenv_new(struct emu *e, const struct emu_creds *cr,
			  struct emu_obj **out)
{
	return emu_bound_new(e, &clientenv_ops, cr, out);
}
