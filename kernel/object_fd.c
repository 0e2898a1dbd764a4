// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: object fds
 *
 * Every object a process holds is behind an anonymous-inode file whose
 * file operations are this file's oi_object_fops.  The file holds one
 * reference to the object, taken when the file is made and dropped in
 * ->release(), so close() of the last fd (or the last fput of a file in
 * flight in a UNIX socket) lets the object go.  An fd is taken for an
 * object only if its file has these file operations: nothing else a
 * process can open is ever mistaken for one, except a dma-buf, which is
 * taken for what it is: a memory object (memobj.c).
 *
 * The one ioctl of an object fd is the invoke ioctl (invoke_ioctl.c),
 * which sits above this file: the VFS reaches it through the table below;
 * nothing here calls it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "internal.h"

static int oi_object_release(struct inode *inode, struct file *file)
{
	oi_object_put(file->private_data);	/* get: oi_object_file() */
	return 0;
}

/* /proc/PID/fdinfo/FD of an object fd: what the object is. */
static void oi_object_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct oi_object *obj = file->private_data;

	seq_printf(m, "objinvoke-kind:\t%s\n", oi_object_kind(obj));
	if (obj->ops->show_fdinfo)
		obj->ops->show_fdinfo(obj, m);
}

static const struct file_operations oi_object_fops = {
	.owner = THIS_MODULE,
	.release = oi_object_release,
	.show_fdinfo = oi_object_show_fdinfo,
	.unlocked_ioctl = oi_invoke_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * oi_object_from_fd() - the object behind an object fd
 * @fd: a file descriptor of the calling process.
 *
 * Context: process context.
 * Return: a new reference (put with oi_object_put()), or ERR_PTR():
 *         -EBADF for a closed fd, -EINVAL for an fd that is neither an
 *         object nor a dma-buf, or the dma-buf import's error.
 */
struct oi_object *oi_object_from_fd(int fd)
{
	struct oi_object *obj = NULL;
	struct fd f = fdget(fd);

	if (!f.file)
		return ERR_PTR(-EBADF);
	if (f.file->f_op == &oi_object_fops)
		obj = oi_object_get(f.file->private_data);
	fdput(f);
	return obj ?: oi_memobj_from_fd(fd);
}

/**
 * oi_object_file() - a new object file for @obj
 * @obj: the object; the file takes its own reference.
 *
 * Context: process context.
 * Return: the file, or ERR_PTR().
 */
struct file *oi_object_file(struct oi_object *obj)
{
	struct file *file;

	oi_object_get(obj);	/* put: oi_object_release() */
	file = anon_inode_getfile("[objinvoke]", &oi_object_fops, obj,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file))
		oi_object_put(obj);
	return file;
}

/**
 * oi_object_out_file() - the file @obj goes to userspace as
 * @obj:   the object; the file takes its own reference.
 * @flags: out: OBJINVOKE_ARG_MEMORY for a memory object (a dma-buf file),
 *         0 otherwise.
 *
 * Context: process context.
 * Return: the file, or ERR_PTR().
 */
struct file *oi_object_out_file(struct oi_object *obj, u32 *flags)
{
	if (oi_object_is_memory(obj)) {
		*flags = OBJINVOKE_ARG_MEMORY;
		return oi_memobj_file(obj);
	}
	*flags = 0;
	return oi_object_file(obj);
}
