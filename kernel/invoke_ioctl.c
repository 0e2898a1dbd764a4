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
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"
#include "trace.h"

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
	struct oi_object *obj;
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
	obj = oi_object_from_fd(u->fd);	/* put: oi_invocation_put_in_objects() */
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	inv->args[i].o = obj;
	return 0;
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
	oi_invocation_put_in_objects(&uc->inv);
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
	trace_objinvoke_invoke_done(uc->obj, inv->op, ret, inv->result);
	oi_user_call_free(uc);
	return ret;
}

/**
 * oi_invoke_continue() - the request a parked invocation waited for was
 * answered: carry it on in this thread
 * @uc: the parked ioctl.
 *
 * Called from below, by oi_server_reply() (server_request.c): with
 * oi_invoke_abandon() the module's one recursion, the way back up from
 * oi_server_park() (docs/architecture.md, "What may call what").
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
	struct oi_server *srv;

	if (!(uc->k.flags & OBJINVOKE_INVOKE_SERVE))
		return 0;
	srv = oi_server_from_fd((int)uc->k.server_fd);
	if (IS_ERR(srv))
		return PTR_ERR(srv);
	uc->inv.serve = srv;	/* put: oi_user_call_free() */
	/* Each request the thread holds is a level of nesting below us. */
	if (oi_server_depth(uc->inv.serve) >= OBJINVOKE_MAX_DEPTH)
		return -ELOOP;
	return 0;
}

/**
 * oi_invoke_ioctl() - the ioctl of an object fd: OBJINVOKE_IOC_INVOKE
 * @file: the object fd's file (object_fd.c); it holds the object.
 * @cmd:  the ioctl number (its size field may differ from ours).
 * @arg:  the caller's struct objinvoke_invoke.
 *
 * Context: process context; may sleep for as long as the object takes.
 * Return: 0 when the object answered (the answer is in ->result) or
 *         handed this thread a request to serve (->state), or -errno.
 */
long oi_invoke_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct oi_object *obj = file->private_data;
	void __user *uarg = (void __user *)arg;
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

	oi_dbg(OI_DBG_INVOKE, "invoke %s op %#x counts %#x\n", oi_object_kind(obj),
	       uc->k.op, uc->k.counts);
	trace_objinvoke_invoke(obj, inv->op, inv->counts);
	return oi_invoke_settle(uc, obj->ops->invoke(obj, inv));

out_free:
	oi_user_call_free(uc);
	return ret;
}
