/* SPDX-License-Identifier: MIT */
/*
 * The TEE's root object and client environment, as Mink IDL would declare
 * them.  A client environment is what the root object's register method
 * returns: a view of the TEE bound to the credentials it was registered
 * with, from which services are opened by UID.
 */
#ifndef ICLIENTENV_H
#define ICLIENTENV_H

#include "object.h"

/* Root object (TEE object ID 1). */
#define IRootObject_OP_registerWithCredentials	5

/* Client environment. */
#define IClientEnv_OP_open			0
#define IClientEnv_ERROR_NOT_FOUND		(Object_ERROR_USERBASE + 0)

static inline int32_t IClientEnv_open(Object self, uint32_t uid, Object *obj)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &uid, sizeof(uid) };
	int32_t r = Object_invoke(self, IClientEnv_OP_open, a,
				  ObjectCounts_pack(1, 0, 0, 1));
	*obj = r == Object_OK ? a[1].o : Object_NULL;
	return r;
}

#endif /* ICLIENTENV_H */
