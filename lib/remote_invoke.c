// SPDX-License-Identifier: MIT
/*
 * Invoking a remote object: the top of the invoke path.
 *
 * Retain and release are counted here and never reach the kernel (it
 * refuses them: the fd's lifetime is the kernel's reference).  Other local
 * ops are answered with Object_ERROR_REMOTE, as a Mink transport must;
 * everything else is marshaled (marshal.c) into the invoke ioctl
 * (invoke.c) and its answer back into the caller's arguments.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/objinvoke.h>

#include "libobject_private.h"

static int32_t call_remote(int fd, ObjectOp op, ObjectArg *args,
			   ObjectCounts counts)
{
	bool exported[OBJINVOKE_MAX_ARGS_PER_KIND] = { false };
	struct objinvoke_arg ka[OBJINVOKE_MAX_ARGS];
	struct objinvoke_invoke inv;
	int32_t r;

	r = objinvoke_marshal_in(args, counts, ka, exported);
	if (r)
		return r;

	memset(&inv, 0, sizeof(inv));
	/* REMOTE_BUFS is a hint between transports, not for the kernel. */
	inv.op = op & ~ObjectOp_REMOTE_BUFS;
	inv.counts = counts;
	inv.args = (uintptr_t)ka;
	r = objinvoke_invoke_ioctl(fd, &inv);
	objinvoke_marshal_close_exported(counts, ka, exported);
	if (r)
		return r;

	r = (int32_t)inv.result;
	if (r != Object_OK)
		return r;	/* the kernel wrote nothing back */
	return objinvoke_unmarshal_out(args, counts, ka);
}

int32_t objinvoke_remote_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args,
				ObjectCounts counts)
{
	struct objinvoke_remote *r = h;

	/* Before the local test: release and retain have the LOCAL bit set. */
	switch (ObjectOp_methodID(op)) {
	case Object_OP_retain:
		objinvoke_ref_get(&r->refs);
		return Object_OK;
	case Object_OP_release:
		if (objinvoke_ref_put(&r->refs)) {
			close(r->fd);
			free(r);
		}
		return Object_OK;
	}
	if (ObjectOp_isLocal(op))
		return Object_ERROR_REMOTE;
	return call_remote(r->fd, op, args, counts);
}
