// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: what every ioctl of the module shares
 *
 * Each of the module's files (/dev/objinvoke, object fds, server fds, the
 * emulator's device) takes its ioctl structs the same way: the number
 * matched without its size field, the struct copied in whatever ABI
 * version the caller was built against, and a new fd handed back only
 * once the struct that names it is written.  Bottom layer: calls nothing
 * in the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/uaccess.h>

#include "internal.h"

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
