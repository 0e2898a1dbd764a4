// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: /dev/objinvoke and the module's life
 *
 * /dev/objinvoke is where a process gets its first capabilities: the
 * TEE's root object and a credentials object describing itself, and where
 * it makes servers to host objects of its own.  Every further object comes
 * as an output object of an invocation, from a server, or from another
 * process.  The device
 * is world-usable: the root object only lets userspace register with
 * credentials the kernel made (qtee_object.c), so opening it grants
 * nothing a process could abuse.
 *
 * The top of the module: it sets up and tears down every layer below
 * (docs/architecture.md, "What may call what") and nothing calls it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "qtee.h"

/* GET_ROOT, GET_CREDENTIALS, SERVER_NEW: a new fd for what @make makes. */
static long oi_dev_get_object(unsigned int cmd, void __user *uarg,
			      struct file *(*make)(void))
{
	struct objinvoke_get_object k;
	int ret;

	ret = oi_copy_struct_in(&k, sizeof(k), sizeof(k), cmd, uarg);
	if (ret)
		return ret;
	if (k.flags || k.reserved || k.fd)
		return -EINVAL;
	return oi_install_for_user(make(), &k, sizeof(k), &k.fd, uarg);
}

/* A file for @obj, whose reference it consumes. */
static struct file *oi_file_of(struct oi_object *obj)
{
	struct file *file = oi_object_file(obj);

	oi_object_put(obj);	/* the file holds its own */
	return file;
}

static struct file *oi_make_root(void)
{
	return oi_file_of(qtee_root_object());
}

static struct file *oi_make_credentials(void)
{
	struct oi_object *obj = oi_credentials_create();

	return IS_ERR(obj) ? ERR_CAST(obj) : oi_file_of(obj);
}

static long oi_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (oi_ioctl_matches(cmd, OBJINVOKE_IOC_GET_ROOT))
		return oi_dev_get_object(cmd, uarg, oi_make_root);
	if (oi_ioctl_matches(cmd, OBJINVOKE_IOC_GET_CREDENTIALS))
		return oi_dev_get_object(cmd, uarg, oi_make_credentials);
	if (oi_ioctl_matches(cmd, OBJINVOKE_IOC_SERVER_NEW))
		return oi_dev_get_object(cmd, uarg, oi_server_new_file);
	return -ENOTTY;
}

static const struct file_operations oi_dev_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = oi_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice oi_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "objinvoke",
	.fops = &oi_dev_fops,
	.mode = 0666,
};

static int __init objinvoke_init(void)
{
	int ret;

	ret = qtee_init();
	if (ret)
		return ret;
	ret = backend_emu_init();
	if (ret)
		goto err_qtee;
	ret = misc_register(&oi_misc);
	if (ret)
		goto err_emu;
	ret = oi_memory_init();
	if (ret)
		goto err_misc;
	ret = oi_debugfs_init();
	if (ret)
		goto err_memory;
	return 0;

err_memory:
	oi_memory_exit();
err_misc:
	misc_deregister(&oi_misc);
err_emu:
	backend_emu_exit();
err_qtee:
	qtee_exit();
	return ret;
}

static void __exit objinvoke_exit(void)
{
	oi_debugfs_exit();
	misc_deregister(&oi_misc);
	backend_emu_exit();
	qtee_exit();
	oi_memory_exit();
}

module_init(objinvoke_init);
module_exit(objinvoke_exit);

MODULE_DESCRIPTION("objinvoke: capability-based object invocation");
MODULE_LICENSE("GPL");
MODULE_VERSION(OBJINVOKE_VERSION);	/* the top VERSION file, via Kbuild */
