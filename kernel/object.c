// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: object core and object fds
 *
 * Every object a process holds, wherever it lives, is a struct oi_object
 * behind an anonymous-inode file whose file operations are this file's
 * oi_object_fops.  The file holds one reference to the object, taken when
 * the file is made and dropped in ->release(), so close() of the last fd
 * (or the last fput of a file in flight in a UNIX socket) lets the object
 * go.  An fd is taken for an object only if its file has these file
 * operations: nothing else a process can open is ever mistaken for one,
 * except a dma-buf, which is taken for what it is: a memory object
 * (memobj.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "internal.h"

void oi_object_init(struct oi_object *obj, const struct oi_object_ops *ops)
{
	kref_init(&obj->ref);
	obj->ops = ops;
}

static void oi_object_destroy(struct kref *ref)
{
	struct oi_object *obj = container_of(ref, struct oi_object, ref);

	oi_dbg(OI_DBG_OBJECT, "destroy %s object %p\n", obj->ops->name, obj);
	obj->ops->destroy(obj);
}

/**
 * oi_object_put() - drop a reference taken with oi_object_get() or owned
 * since oi_object_init()
 * @obj: the object; NULL is allowed and ignored.
 *
 * The last put destroys the object, and destroy functions sleep (they
 * take mutexes, queue release requests, unmap bridge pages), so every put
 * may: never call this under a spinlock or from an atomic context.
 *
 * Context: process context; may sleep.
 */
void oi_object_put(struct oi_object *obj)
{
	might_sleep();	/* even when this put is not the last */
	if (obj)
		kref_put(&obj->ref, oi_object_destroy);
}

static int oi_object_release(struct inode *inode, struct file *file)
{
	oi_object_put(file->private_data);	/* get: oi_object_file() */
	return 0;
}

static long oi_object_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	return oi_invoke_ioctl(file->private_data, cmd, (void __user *)arg);
}

static const struct file_operations oi_object_fops = {
	.owner = THIS_MODULE,
	.release = oi_object_release,
	.unlocked_ioctl = oi_object_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * oi_object_from_fd() - the object behind an object fd
 * @fd:  a file descriptor of the calling process.
 * @err: out: -EBADF for a closed fd, -EINVAL for an fd that is neither an
 *       object nor a dma-buf, or the dma-buf import's error.
 *
 * Context: process context.
 * Return: a new reference (put with oi_object_put()), or NULL.
 */
struct oi_object *oi_object_from_fd(int fd, int *err)
{
	struct oi_object *obj = NULL;
	struct fd f = fdget(fd);

	if (!f.file) {
		*err = -EBADF;
		return NULL;
	}
	if (f.file->f_op == &oi_object_fops)
		obj = oi_object_get(f.file->private_data);
	fdput(f);
	return obj ?: oi_memobj_from_fd(fd, err);
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

/**
 * oi_install_for_user() - hand @file to the caller as a new fd, reported
 * in the struct the caller passed
 * @file:  the file, or an ERR_PTR() to pass on; consumed either way.
 * @k:     the kernel's copy of the caller's struct.
 * @ksize: its size.
 * @fd:    the struct's fd field (inside @k), set here.
 * @uarg:  the caller's struct.
 *
 * The struct is written before the fd is installed, so on any failure the
 * caller's fd table is as it was.
 *
 * Context: process context.
 * Return: 0 or -errno.
 */
int oi_install_for_user(struct file *file, void *k, size_t ksize, u32 *fd,
			void __user *uarg)
{
	int ufd;

	if (IS_ERR(file))
		return PTR_ERR(file);
	ufd = get_unused_fd_flags(O_CLOEXEC);
	if (ufd < 0) {
		fput(file);
		return ufd;
	}
	*fd = ufd;
	if (copy_to_user(uarg, k, ksize)) {
		put_unused_fd(ufd);
		fput(file);
		return -EFAULT;
	}
	fd_install(ufd, file);
	return 0;
}
