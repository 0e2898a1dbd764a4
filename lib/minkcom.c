// SPDX-License-Identifier: MIT
/*
 * MinkCom: the entry points Mink client code calls to reach the TEE,
 * built on the root object the kernel hands out.
 */
#include <linux/objinvoke.h>

#include "IClientEnv.h"
#include "MinkCom.h"
#include "libobject_private.h"

OBJINVOKE_EXPORT int MinkCom_getRootEnvObject(Object *obj)
{
	return objinvoke_device_get_object(OBJINVOKE_IOC_GET_ROOT, obj);
}

OBJINVOKE_EXPORT int MinkCom_getClientEnvObjectWithCreds(Object root,
							 Object creds,
							 Object *obj)
{
	ObjectArg a[2] = {{{0, 0}}};
	int32_t r;

	if (!obj)
		return Object_ERROR_INVALID;
	*obj = Object_NULL;
	if (Object_isNull(root))
		return Object_ERROR_BADOBJ;

	/* A NULL credentials object asks the kernel for the caller's own. */
	a[0].o = creds;
	r = Object_invoke(root, IRootObject_OP_registerWithCredentials, a,
			  ObjectCounts_pack(0, 0, 1, 1));
	if (r == Object_OK)
		*obj = a[1].o;
	/*
	 * The root object always stands for the TEE attached now, so its
	 * DEFUNCT means there is none (docs/uapi.md), the first thing a
	 * new user meets without the emulator running.
	 */
	else if (r == Object_ERROR_DEFUNCT)
		objinvoke_log_no_tee();
	return r;
}

OBJINVOKE_EXPORT int MinkCom_getClientEnvObject(Object root, Object *obj)
{
	return MinkCom_getClientEnvObjectWithCreds(root, Object_NULL, obj);
}
