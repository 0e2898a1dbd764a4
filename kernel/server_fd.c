// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: the server fd
 *
 * A server fd (OBJINVOKE_IOC_SERVER_NEW on /dev/objinvoke) is how a
 * process hosts objects: its ioctls add objects (SERVER_ADD), get fds for
 * them again (SERVER_GET), take requests (SERVER_RECV), answer them
 * (SERVER_REPLY) and end the server (SERVER_SHUTDOWN, or the last close).
 * This file takes each ioctl's struct in and checks it; what the server
 * does with it, the requests' life, is server_request.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/seq_file.h>

#include "server.h"

static long oi_server_fd_add(struct oi_server *srv, unsigned int cmd,
			     void __user *uarg)
{
	struct objinvoke_server_add k;
	struct oi_object *obj;
	struct file *file;
	int ret;

	ret = oi_copy_struct_in(&k, sizeof(k), sizeof(k), cmd, uarg);
	if (ret)
		return ret;
	if (k.flags || k.reserved || k.fd || k.handle)
		return -EINVAL;

	obj = oi_server_add_object(srv, k.cookie, &k.handle);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	file = oi_object_file(obj);
	/* The fd holds its own reference; a failed add releases at once. */
	oi_object_put(obj);
	return oi_install_for_user(file, &k, sizeof(k), &k.fd, uarg);
}

static long oi_server_fd_get(struct oi_server *srv, unsigned int cmd,
			     void __user *uarg)
{
	struct objinvoke_server_get k;
	struct oi_object *obj;
	struct file *file;
	int ret;

	ret = oi_copy_struct_in(&k, sizeof(k), sizeof(k), cmd, uarg);
	if (ret)
		return ret;
	if (k.reserved || k.fd)
		return -EINVAL;

	obj = oi_server_get_object(srv, k.handle);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	file = oi_object_file(obj);
	oi_object_put(obj);	/* the file holds its own */
	return oi_install_for_user(file, &k, sizeof(k), &k.fd, uarg);
}

static long oi_server_fd_recv(struct oi_server *srv, unsigned int cmd,
			      void __user *uarg)
{
	struct objinvoke_request k;
	int ret;

	ret = oi_copy_struct_in(&k, sizeof(k), sizeof(k), cmd, uarg);
	if (ret)
		return ret;
	if (k.flags & ~OBJINVOKE_RECV_NONBLOCK || k.reserved)
		return -EINVAL;
	return oi_server_recv(srv, &k, uarg);
}

static long oi_server_fd_reply(struct oi_server *srv, unsigned int cmd,
			       void __user *uarg)
{
	struct objinvoke_reply k;
	int ret;

	ret = oi_copy_struct_in(&k, sizeof(k), sizeof(k), cmd, uarg);
	if (ret)
		return ret;
	if (k.flags || k.reserved || !k.id || k.id > U32_MAX)
		return -EINVAL;
	return oi_server_reply(srv, &k);
}

static long oi_server_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct oi_server *srv = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (oi_ioctl_matches(cmd, OBJINVOKE_IOC_SERVER_ADD))
		return oi_server_fd_add(srv, cmd, uarg);
	if (oi_ioctl_matches(cmd, OBJINVOKE_IOC_SERVER_GET))
		return oi_server_fd_get(srv, cmd, uarg);
	if (oi_ioctl_matches(cmd, OBJINVOKE_IOC_SERVER_RECV))
		return oi_server_fd_recv(srv, cmd, uarg);
	if (oi_ioctl_matches(cmd, OBJINVOKE_IOC_SERVER_REPLY))
		return oi_server_fd_reply(srv, cmd, uarg);
	if (cmd == OBJINVOKE_IOC_SERVER_SHUTDOWN) {
		oi_server_kill(srv);
		return 0;
	}
	return -ENOTTY;
}

static __poll_t oi_server_fd_poll(struct file *file, poll_table *pt)
{
	return oi_server_poll(file->private_data, file, pt);
}

static int oi_server_file_release(struct inode *inode, struct file *file)
{
	struct oi_server *srv = file->private_data;

	oi_server_kill(srv);
	oi_server_put(srv);	/* get: oi_server_new_file() */
	return 0;
}

/* /proc/PID/fdinfo/FD of a server fd: the number debugfs lists it by. */
static void oi_server_show_fdinfo(struct seq_file *m, struct file *file)
{
	seq_printf(m, "server-id:\t%llu\n", oi_server_id(file->private_data));
}

static const struct file_operations oi_server_fops = {
	.owner = THIS_MODULE,
	.show_fdinfo = oi_server_show_fdinfo,
	.release = oi_server_file_release,
	.unlocked_ioctl = oi_server_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = oi_server_fd_poll,
	.llseek = noop_llseek,
};

/**
 * oi_server_from_fd() - the server behind a server fd
 * @fd: a file descriptor of the calling process.
 *
 * Context: process context.
 * Return: a reference (put with oi_server_put()), or ERR_PTR(): -EBADF
 *         for a closed fd, -EINVAL for another kind of file.
 */
struct oi_server *oi_server_from_fd(int fd)
{
	struct oi_server *srv = ERR_PTR(-EINVAL);
	struct fd f = fdget(fd);

	if (!f.file)
		return ERR_PTR(-EBADF);
	if (f.file->f_op == &oi_server_fops)	/* put: the caller's */
		srv = oi_server_get(f.file->private_data);
	fdput(f);
	return srv;
}

/**
 * oi_server_new_file() - a new server, as the file of a server fd
 *
 * Context: process context.
 * Return: the file (which holds the server), or ERR_PTR().
 */
struct file *oi_server_new_file(void)
{
	struct oi_server *srv;
	struct file *file;

	srv = oi_server_new();	/* the file's; put: oi_server_file_release() */
	if (IS_ERR(srv))
		return ERR_CAST(srv);
	file = anon_inode_getfile("[objinvoke-server]", &oi_server_fops, srv,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file))
		oi_server_put(srv);
	return file;
}
