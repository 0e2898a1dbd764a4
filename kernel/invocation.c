// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: reading and finishing an invocation
 *
 * What every object's invoke function uses on the struct oi_invocation it
 * is handed: its buffers, wherever they are (the invoking process's
 * memory or the kernel's), and the references its object slots hold.
 * Bottom layer: calls nothing in the module but the object core.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/uaccess.h>

#include "internal.h"

/**
 * oi_arg_read() - read input buffer @i of @inv
 * @inv: the invocation.
 * @i:   index of a buffer argument.
 * @dst: where to put the bytes.
 * @len: bytes to read, at most the buffer's size.
 *
 * Context: process context when the buffers are __user.
 * Return: 0 or -EFAULT.
 */
int oi_arg_read(struct oi_invocation *inv, unsigned int i, void *dst,
		size_t len)
{
	if (WARN_ON_ONCE(len > inv->args[i].b.size))
		return -EINVAL;
	if (!inv->user_bufs) {
		memcpy(dst, inv->args[i].b.kptr, len);
		return 0;
	}
	return copy_from_user(dst, inv->args[i].b.uptr, len) ? -EFAULT : 0;
}

/**
 * oi_arg_write() - write output buffer @i of @inv and set its size
 * @inv: the invocation.
 * @i:   index of an output buffer.
 * @src: the bytes.
 * @len: how many; more than the buffer holds is refused.
 *
 * Context: process context when the buffers are __user.
 * Return: 0, -EFAULT, or -ENOSPC when @len does not fit.
 */
int oi_arg_write(struct oi_invocation *inv, unsigned int i, const void *src,
		 size_t len)
{
	struct oi_arg *a = &inv->args[i];

	if (len > a->b.size)
		return -ENOSPC;
	if (!inv->user_bufs)
		memcpy(a->b.kptr, src, len);
	else if (copy_to_user(a->b.uptr, src, len))
		return -EFAULT;
	a->b.size = len;
	return 0;
}

/* Drop the references in @n object slots of @inv from @first on. */
static void oi_invocation_put_objects(struct oi_invocation *inv,
				      unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		oi_object_put(inv->args[i].o);
		inv->args[i].o = NULL;
	}
}

/**
 * oi_invocation_put_in_objects() - drop the input objects of @inv
 * @inv: an invocation whose input object slots hold references.
 *
 * Context: process context; may sleep (oi_object_put()).
 */
void oi_invocation_put_in_objects(struct oi_invocation *inv)
{
	oi_invocation_put_objects(inv, qtee_idx_io(inv->counts),
				  QTEE_NUM_IO(inv->counts));
}

/**
 * oi_invocation_put_out_objects() - drop the output objects of @inv
 * @inv: an invocation whose callee filled its output object slots.
 *
 * Context: process context; may sleep (oi_object_put()).
 */
void oi_invocation_put_out_objects(struct oi_invocation *inv)
{
	oi_invocation_put_objects(inv, qtee_idx_oo(inv->counts),
				  QTEE_NUM_OO(inv->counts));
}

/**
 * oi_errno_to_result() - the Mink result for a kernel error
 * @err: 0 or -errno.
 *
 * Upstream's mapping, so a TEE sees the same results from us as from it.
 * Return: an Object_ERROR_* value.
 */
int oi_errno_to_result(int err)
{
	switch (err) {
	case 0:
		return QTEE_OK;
	case -ENOMEM:
		return QTEE_ERROR_KMEM;
	case -ENODEV:
		return QTEE_ERROR_DEFUNCT;
	case -EBUSY:
	case -ENOSPC:
	case -ENOBUFS:
		return QTEE_ERROR_BUSY;
	case -EINVAL:
	case -EBADF:
		return QTEE_ERROR_UNAVAIL;
	default:
		return QTEE_ERROR;
	}
}
