// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The root object (ID 1): registration with credentials.  The caller hands
 * in a kernel-hosted credentials object; the root asks it who the caller is
 * (two callbacks) and returns a client environment bound to the answer.
 */
#include <endian.h>
#include <string.h>

#include <linux/objinvoke.h>

#include "IClientEnv.h"
#include "call.h"
#include "emu.h"
#include "log.h"
#include "services.h"

/* Ask the credentials object @id for uid, gid, pid and executable. */
static int32_t query_creds(struct emu_call *c, uint32_t id,
			   struct emu_creds *cr)
{
	struct objinvoke_creds_info info;
	struct emu_cb cb = {
		.id = id,
		.op = OBJINVOKE_CREDS_OP_GET_INFO,
		.nbo = 1,
		.bo[0] = { .ptr = &info, .cap = sizeof(info) },
	};
	int32_t r;

	r = emu_call_callback(c, &cb);
	if (r)
		return r;
	/* Whatever answers get-info in another shape is no credentials. */
	if (cb.bo[0].len != sizeof(info))
		return QTEE_ERROR_BADOBJ;
	cr->uid = le32toh(info.uid);
	cr->gid = le32toh(info.gid);
	cr->pid = le32toh(info.pid);

	cb = (struct emu_cb){
		.id = id,
		.op = OBJINVOKE_CREDS_OP_GET_EXE,
		.nbo = 1,
		.bo[0] = { .ptr = cr->exe, .cap = sizeof(cr->exe) },
	};
	r = emu_call_callback(c, &cb);
	/* A path longer than we keep is no reason to refuse the caller. */
	if (r == QTEE_ERROR_SIZE_OUT) {
		emu_warn("register: executable path of pid %u too long; "
			  "kept empty", cr->pid);
		cb.bo[0].len = 0;
	} else if (r) {
		return r;
	}
	cr->exe_len = cb.bo[0].len;
	return QTEE_OK;
}

static int32_t register_with_creds(struct emu_call *c)
{
	struct emu_creds cr;
	struct emu_obj *env;
	uint32_t id;
	int32_t r;

	r = emu_call_expect(c, 0, 0, 1, 1);
	if (r)
		return r;
	/*
	 * Only an NW object can be credentials; its reference was owed back
	 * when the invocation was parsed, so every path here releases it.
	 */
	id = emu_call_io(c, 0);
	if (!(id & QTEE_OBJ_NS_BIT) || id == QTEE_OBJ_PRIMORDIAL)
		return QTEE_ERROR_BADOBJ;

	memset(&cr, 0, sizeof(cr));
	r = query_creds(c, id, &cr);
	if (r) {
		emu_info("register: credentials %#x answered %d", id, r);
		return r;
	}
	r = emu_clientenv_new(c->emu, &cr, &env);
	if (r)
		return r;
	emu_call_set_oo_obj(c, 0, env);
	emu_dbg("client env %#x for uid %u pid %u (%.*s)", env->id, cr.uid,
		cr.pid, (int)cr.exe_len, cr.exe);
	return QTEE_OK;
}

int32_t emu_root_invoke(struct emu_call *c)
{
	/*
	 * Everything else, RELEASE and RETAIN included, is refused: the root
	 * is permanent, and 4, 8 and 9 are privileged in QTEE.
	 */
	if (emu_call_method(c) != IRootObject_OP_registerWithCredentials)
		return QTEE_ERROR_INVALID;
	return register_with_creds(c);
}
