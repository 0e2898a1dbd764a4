// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: the invoke ioctl
 *
 * OBJINVOKE_IOC_INVOKE on an object fd copies the request in, checks every
 * field (docs/uapi.md lists the errors), turns input object fds into
 * object references, lets the object carry out the invocation, and writes
 * the answer back.  Buffers are never copied here: the invocation carries
 * the caller's __user pointers and the object reads and writes them with
 * oi_arg_read() and oi_arg_write(), so a TEE object copies each byte once,
 * straight between the caller and the wire message.
 *
 * Output objects become fds only when the whole call succeeded: fds are
 * reserved first, the answer is written to userspace, and only then are
 * the files installed, all together, so a failure at any step leaves the
 * caller's fd table as it was.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/* The first version of struct objinvoke_invoke ended at ->reserved. */
#define OI_INVOKE_SIZE_V1	offsetofend(struct objinvoke_invoke, reserved)

/**
 * struct oi_user_call - one OBJINVOKE_IOC_INVOKE, possibly parked
 * @inv:     the invocation.
 * @uargs:   the caller's argument array, as copied in.
 * @k:       the caller's struct, as copied in.
 * @obj:     the invoked object; a reference.
 * @uinvoke: where the caller's struct is, to write the answer to.
 * @usize:   its size.
 *
 * Too large for the stack, and it must outlive the ioctl when the
 * invocation parks: the reply that resumes it runs in a later ioctl of the
 * same thread, and writes the answer to the same user memory.
 */
struct oi_user_call {
	struct oi_invocation inv;
	struct objinvoke_arg uargs[QTEE_MAX_ARGS];
	struct objinvoke_invoke k;
	struct oi_object *obj;
	void __user *uinvoke;
	size_t usize;
};

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

/**
 * oi_invocation_put_out_objects() - drop the output objects of @inv
 * @inv: an invocation whose callee filled its output object slots.
 *
 * Context: process context; may sleep (oi_object_put()).
 */
void oi_invocation_put_out_objects(struct oi_invocation *inv)
{
	unsigned int i, first = qtee_idx_oo(inv->counts);

	for (i = first; i < first + QTEE_NUM_OO(inv->counts); i++) {
		oi_object_put(inv->args[i].o);
		inv->args[i].o = NULL;
	}
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

/**
 * oi_ioctl_matches() - whether @cmd is the ioctl @ref
 * @cmd: what userspace passed.
 * @ref: our definition.
 *
 * The size field is left out: callers built against another version of
 * the ABI pass another struct size, which oi_copy_struct_in() handles.
 * Return: true when type, number and direction agree.
 */
bool oi_ioctl_matches(unsigned int cmd, unsigned int ref)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(ref) && _IOC_NR(cmd) == _IOC_NR(ref) &&
	       _IOC_DIR(cmd) == _IOC_DIR(ref);
}

/**
 * oi_copy_struct_in() - copy an ioctl struct of any ABI version in
 * @k:     the kernel's struct.
 * @ksize: its size.
 * @min:   the size of the struct's first version: the smallest accepted.
 * @cmd:   the ioctl number, whose size field is the caller's struct size.
 * @uarg:  the caller's struct.
 *
 * Context: process context.
 * Return: 0, -EINVAL for a struct smaller than the first version, -E2BIG
 *         for a larger one whose extra bytes are not zero, or -EFAULT.
 */
int oi_copy_struct_in(void *k, size_t ksize, size_t min, unsigned int cmd,
		      void __user *uarg)
{
	size_t usize = _IOC_SIZE(cmd);

	if (usize < min)
		return -EINVAL;
	return copy_struct_from_user(k, ksize, uarg, usize);
}

static int oi_copy_in_header(struct objinvoke_invoke *k, unsigned int cmd,
			     void __user *uarg)
{
	int ret;

	ret = oi_copy_struct_in(k, sizeof(*k), OI_INVOKE_SIZE_V1, cmd, uarg);
	if (ret)
		return ret;
	if (k->flags & ~OBJINVOKE_INVOKE_SERVE || k->reserved || k->result ||
	    k->state)
		return -EINVAL;
	/* Serving needs the fields version 1 did not have. */
	if (k->flags & OBJINVOKE_INVOKE_SERVE &&
	    (_IOC_SIZE(cmd) < offsetofend(struct objinvoke_invoke, request) ||
	     !k->request))
		return -EINVAL;
	if (!(k->flags & OBJINVOKE_INVOKE_SERVE) && (k->server_fd || k->request))
		return -EINVAL;
	if (k->op & ~QTEE_OP_METHOD_MASK || !qtee_counts_valid(k->counts))
		return -EINVAL;
	/* The fd is the reference: retain and release are close() and dup(). */
	if (k->op == QTEE_OP_RELEASE || k->op == QTEE_OP_RETAIN)
		return -EINVAL;
	return 0;
}

/* Check one argument; resolve input objects (a reference each). */
static int oi_take_arg(struct oi_invocation *inv, unsigned int i,
		       const struct objinvoke_arg *u, u64 *total)
{
	u32 c = inv->counts;

	if (u->flags)
		return -EINVAL;
	if (i < qtee_num_bufs(c)) {
		if (u->fd != OBJINVOKE_FD_NONE)
			return -EINVAL;
		if (u->size > OBJINVOKE_MAX_BUF_BYTES ||
		    *total + u->size > OBJINVOKE_MAX_BUF_BYTES)
			return -E2BIG;
		*total += u->size;
		inv->args[i].b.uptr = u64_to_user_ptr(u->addr);
		inv->args[i].b.size = u->size;
		return 0;
	}
	if (u->addr || u->size)
		return -EINVAL;
	if (i >= qtee_idx_oo(c))
		return u->fd == OBJINVOKE_FD_NONE ? 0 : -EINVAL;
	if (u->fd == OBJINVOKE_FD_NONE)
		return 0;
	if (u->fd > INT_MAX)
		return -EBADF;
	{
		int err = 0;

		/* put: oi_put_in_objects() */
		inv->args[i].o = oi_object_from_fd(u->fd, &err);
		return err;
	}
}

static void oi_put_in_objects(struct oi_invocation *inv)
{
	unsigned int i, first = qtee_idx_io(inv->counts);

	for (i = first; i < first + QTEE_NUM_IO(inv->counts); i++) {
		oi_object_put(inv->args[i].o);
		inv->args[i].o = NULL;
	}
}

/*
 * Write the answer: output buffer sizes and output fds.  Reserve every fd
 * and make every file first; install them only when all is written.
 */
static int oi_copy_out_answer(struct oi_invocation *inv,
			      struct objinvoke_arg *uargs,
			      struct objinvoke_arg __user *uptr)
{
	unsigned int n = qtee_num_args(inv->counts);
	unsigned int oo = qtee_idx_oo(inv->counts);
	struct file *files[QTEE_MAX_PER_KIND] = {};
	unsigned int i, k;
	int fd, ret = 0;

	for (i = QTEE_IDX_BO(inv->counts); i < qtee_idx_io(inv->counts); i++)
		uargs[i].size = inv->args[i].b.size;

	for (i = oo; i < n && !ret; i++) {
		uargs[i].fd = OBJINVOKE_FD_NONE;
		if (!inv->args[i].o)
			continue;
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			ret = fd;
			break;
		}
		files[i - oo] = oi_object_out_file(inv->args[i].o,
						   &uargs[i].flags);
		if (IS_ERR(files[i - oo])) {
			ret = PTR_ERR(files[i - oo]);
			files[i - oo] = NULL;
			put_unused_fd(fd);
			break;
		}
		uargs[i].fd = fd;
	}

	if (!ret && copy_to_user(uptr, uargs, n * sizeof(*uargs)))
		ret = -EFAULT;

	/* All or nothing. */
	for (k = 0; k < n - oo; k++) {
		if (!files[k])
			continue;
		if (ret) {
			put_unused_fd(uargs[oo + k].fd);
			fput(files[k]);
		} else {
			fd_install(uargs[oo + k].fd, files[k]);
		}
	}
	return ret;
}

static void oi_user_call_free(struct oi_user_call *uc)
{
	oi_invocation_put_out_objects(&uc->inv);
	oi_put_in_objects(&uc->inv);
	oi_server_put(uc->inv.serve);
	oi_object_put(uc->obj);
	kfree(uc);
}

/* Write @val to field @off of the caller's invoke struct, if it has it. */
static int oi_put_field(struct oi_user_call *uc, size_t off, u32 val)
{
	if (uc->usize < off + sizeof(val))
		return 0;
	return put_user(val, (u32 __user *)(uc->uinvoke + off)) ? -EFAULT : 0;
}

/*
 * An invocation step ended with @ret: park it with its request in this
 * thread, or write its answer and free it.
 */
static long oi_invoke_settle(struct oi_user_call *uc, int ret)
{
	struct oi_invocation *inv = &uc->inv;

	while (ret == OI_PARKED) {
		/*
		 * Once parked, @uc belongs to the server (a shutdown on
		 * another thread may free it): return without touching it.
		 * SERVE guarantees the struct has the state field.
		 */
		if (!oi_server_park(inv->serve, inv->parked, uc,
				    u64_to_user_ptr(uc->k.request),
				    uc->uinvoke +
				    offsetof(struct objinvoke_invoke, state)))
			return 0;
		/* Answered on the thread's behalf (an error): go on. */
		ret = uc->obj->ops->resume(uc->obj, inv);
	}
	if (ret)
		goto out_free;

	/* The result first: once fds are installed nothing may fail. */
	ret = oi_put_field(uc, offsetof(struct objinvoke_invoke, state),
			   OBJINVOKE_STATE_DONE);
	if (!ret)
		ret = oi_put_field(uc, offsetof(struct objinvoke_invoke, result),
				   inv->result);
	if (!ret && inv->result == QTEE_OK)
		ret = oi_copy_out_answer(inv, uc->uargs,
					 u64_to_user_ptr(uc->k.args));
out_free:
	oi_user_call_free(uc);
	return ret;
}

/**
 * oi_invoke_continue() - the request a parked invocation waited for was
 * answered: carry it on in this thread
 * @uc: the parked ioctl.
 *
 * Context: process context, the thread that parked it.
 * Return: as OBJINVOKE_IOC_INVOKE returns.
 */
long oi_invoke_continue(struct oi_user_call *uc)
{
	return oi_invoke_settle(uc, uc->obj->ops->resume(uc->obj, &uc->inv));
}

/**
 * oi_invoke_abandon() - a parked invocation will never be resumed
 * @uc: the parked ioctl (its thread's server died).
 *
 * Context: process context, any thread.
 */
void oi_invoke_abandon(struct oi_user_call *uc)
{
	uc->obj->ops->abandon(uc->obj, &uc->inv);
	oi_user_call_free(uc);
}

/* OBJINVOKE_INVOKE_SERVE: the server this thread serves, depth-checked. */
static int oi_take_serve(struct oi_user_call *uc)
{
	int err = 0;

	if (!(uc->k.flags & OBJINVOKE_INVOKE_SERVE))
		return 0;
	uc->inv.serve = oi_server_from_fd((int)uc->k.server_fd, &err);
	if (!uc->inv.serve)
		return err;
	/* Each request the thread holds is a level of nesting below us. */
	if (oi_server_depth(uc->inv.serve) >= OBJINVOKE_MAX_DEPTH)
		return -ELOOP;
	return 0;
}

/**
 * oi_invoke_ioctl() - OBJINVOKE_IOC_INVOKE on the fd of @obj
 * @obj:  the object the fd holds.
 * @cmd:  the ioctl number (its size field may differ from ours).
 * @uarg: the caller's struct objinvoke_invoke.
 *
 * Context: process context; may sleep for as long as the object takes.
 * Return: 0 when the object answered (the answer is in ->result) or
 *         handed this thread a request to serve (->state), or -errno.
 */
long oi_invoke_ioctl(struct oi_object *obj, unsigned int cmd,
		     void __user *uarg)
{
	struct objinvoke_invoke k;
	struct oi_invocation *inv;
	struct oi_user_call *uc;
	unsigned int i, n;
	u64 total = 0;
	long ret;

	if (!oi_ioctl_matches(cmd, OBJINVOKE_IOC_INVOKE))
		return -ENOTTY;
	/* A malformed header costs the caller nothing but this check. */
	ret = oi_copy_in_header(&k, cmd, uarg);
	if (ret)
		return ret;

	uc = kzalloc(sizeof(*uc), GFP_KERNEL_ACCOUNT);
	if (!uc)
		return -ENOMEM;
	uc->obj = oi_object_get(obj);	/* put: oi_user_call_free() */
	uc->uinvoke = uarg;
	uc->usize = _IOC_SIZE(cmd);
	uc->k = k;
	inv = &uc->inv;

	n = qtee_num_args(uc->k.counts);
	if (n && copy_from_user(uc->uargs, u64_to_user_ptr(uc->k.args),
				n * sizeof(*uc->uargs))) {
		ret = -EFAULT;
		goto out_free;
	}
	inv->op = uc->k.op;
	inv->counts = uc->k.counts;
	inv->user_bufs = true;
	inv->from_user = true;

	for (i = 0; i < n; i++) {
		ret = oi_take_arg(inv, i, &uc->uargs[i], &total);
		if (ret)
			goto out_free;
	}
	ret = oi_take_serve(uc);
	if (ret)
		goto out_free;

	oi_dbg(OI_DBG_INVOKE, "invoke %s op %#x counts %#x\n", obj->ops->name,
	       uc->k.op, uc->k.counts);
	return oi_invoke_settle(uc, obj->ops->invoke(obj, inv));

out_free:
	oi_user_call_free(uc);
	return ret;
}
