// SPDX-License-Identifier: MIT
/*
 * From the errno of a failed objinvoke syscall to an Object result.
 *
 * The kernel answers "the request itself is wrong or cannot be carried
 * out" with -1 and errno; Mink callers only look at Object results, so each
 * errno becomes the Object error that best tells them what to do next.
 * docs/libobject.md has the table and the reasons.
 */
#include <errno.h>

#include "libobject_private.h"

int32_t objinvoke_result_from_errno(int err)
{
	switch (err) {
	case ENOMEM:
		return Object_ERROR_KMEM;
	case ENODEV:		/* the TEE (or emulator) is gone */
	case ESHUTDOWN:		/* the server was shut down */
		return Object_ERROR_DEFUNCT;
	case EBADF:
	case ENOTTY:		/* an fd, but not an object fd */
		return Object_ERROR_BADOBJ;
	case E2BIG:
		return Object_ERROR_MAXDATA;
	case EPROTO:		/* the TEE answered malformed */
		return Object_ERROR_REMOTE;
	case EPERM:
	case EACCES:
		return Object_ERROR_AUTH;
	case EMFILE:
	case ENFILE:		/* no fd slot for an output object */
		return Object_ERROR_NOSLOTS;
	case EBUSY:
	case EAGAIN:
		return Object_ERROR_BUSY;
	case EINTR:
	case ELOOP:		/* callbacks nested past OBJINVOKE_MAX_DEPTH */
		return Object_ERROR_ABORT;
	case EMSGSIZE:		/* an output larger than was reserved */
		return Object_ERROR_SIZE_OUT;
	case ETIMEDOUT:
		return Object_ERROR_TIMEOUT;
	case ENOENT:
	case ENXIO:		/* no /dev/objinvoke: module not loaded */
		return Object_ERROR_UNAVAIL;
	default:		/* EFAULT, EINVAL and anything unforeseen */
		return Object_ERROR_INVALID;
	}
}
