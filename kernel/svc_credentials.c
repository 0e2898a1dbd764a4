// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: credentials objects
 *
 * A credentials object is the kernel's statement of who a process is:
 * its effective uid and gid, its pid and its executable (only where the
 * system sees that file at that path: see oi_exe_path_verified()), taken
 * from the process itself when the object is made (OBJINVOKE_IOC_GET_CREDENTIALS,
 * or implicitly when a client registers with the TEE).  Only the kernel
 * makes them, and the root object accepts no other kind, so the TEE can
 * trust what one says.  Immutable after creation: no lock needed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mm.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "internal.h"

/**
 * struct oi_credentials - what the kernel saw of a process
 * @base: the object.
 * @info: uid, gid, pid; invariant.
 * @exe:  the executable's path, or "" for a kernel thread; invariant.
 * @exe_len: its length.
 */
struct oi_credentials {
	struct oi_object base;
	struct objinvoke_creds_info info;
	char *exe;
	size_t exe_len;
};

static const struct oi_object_ops credentials_ops;

/* The caller's executable file, as get_mm_exe_file() would give it. */
static struct file *oi_current_exe(void)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;

	if (!mm)
		return NULL;
	rcu_read_lock();
	exe = rcu_dereference(mm->exe_file);
	if (exe && !get_file_rcu(exe))
		exe = NULL;
	rcu_read_unlock();
	return exe;
}

/* The root directory of the system's init process (pid 1). */
static int oi_init_root(struct path *root)
{
	struct task_struct *init;
	int ret = -ESRCH;

	rcu_read_lock();
	init = pid_task(find_pid_ns(1, &init_pid_ns), PIDTYPE_PID);
	if (init)
		get_task_struct(init);
	rcu_read_unlock();
	if (!init)
		return ret;
	task_lock(init);
	if (init->fs) {
		get_fs_root(init->fs, root);
		ret = 0;
	}
	task_unlock(init);
	put_task_struct(init);
	return ret;
}

/*
 * Does @name, looked up as the init process would, lead to @exe's very
 * file?  In a mount namespace of its own (a user namespace gives one to
 * anybody) a process can bind-mount any file over a trusted path, run it
 * from there, or pass it to a process outside; under a root of its own,
 * any path is its to fill.  The path as the caller sees it proves nothing:
 * only that the system sees the same dentry at the same path does.
 */
static bool oi_exe_path_verified(struct file *exe, const char *name)
{
	struct file *found;
	struct path root;
	bool same;

	if (name[0] != '/' || oi_init_root(&root))
		return false;
	/* O_PATH: a lookup, nothing opened for reading or run. */
	found = file_open_root(&root, name, O_PATH | O_NOFOLLOW, 0);
	path_put(&root);
	if (IS_ERR(found))
		return false;
	same = found->f_path.dentry == exe->f_path.dentry;
	fput(found);
	return same;
}

/* The executable's path, or "" and *flags set when it is not verified. */
static char *oi_current_exe_path(size_t *len, u32 *flags)
{
	struct file *exe = oi_current_exe();
	char *buf, *path, *copy = NULL;

	*len = 0;
	if (!exe)
		return kstrdup("", GFP_KERNEL_ACCOUNT);
	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (buf) {
		path = d_path(&exe->f_path, buf, PATH_MAX);
		if (IS_ERR(path) || !oi_exe_path_verified(exe, path)) {
			*flags |= OBJINVOKE_CREDS_EXE_UNVERIFIED;
			path = "";
		}
		copy = kstrdup(path, GFP_KERNEL_ACCOUNT);
		kfree(buf);
	}
	fput(exe);
	if (copy)
		*len = strlen(copy);
	return copy;
}

static int credentials_invoke(struct oi_object *obj, struct oi_invocation *inv)
{
	struct oi_credentials *c = container_of(obj, struct oi_credentials, base);
	unsigned int bo = QTEE_IDX_BO(inv->counts);
	const void *src;
	size_t len;
	int ret;

	if (inv->counts != QTEE_COUNTS(0, 1, 0, 0)) {
		inv->result = QTEE_ERROR_INVALID;
		return 0;
	}
	switch (inv->op) {
	case OBJINVOKE_CREDS_OP_GET_INFO:
		src = &c->info;
		len = sizeof(c->info);
		break;
	case OBJINVOKE_CREDS_OP_GET_EXE:
		src = c->exe;
		len = c->exe_len;
		break;
	default:
		inv->result = QTEE_ERROR_INVALID;
		return 0;
	}
	ret = oi_arg_write(inv, bo, src, len);
	if (ret == -ENOSPC) {
		inv->result = QTEE_ERROR_SIZE_OUT;
		return 0;
	}
	inv->result = QTEE_OK;
	return ret;
}

static void credentials_destroy(struct oi_object *obj)
{
	struct oi_credentials *c = container_of(obj, struct oi_credentials, base);

	kfree(c->exe);
	kfree(c);
}

/* Whose credentials these are: fixed when the object was made. */
static void credentials_show_fdinfo(struct oi_object *obj, struct seq_file *m)
{
	struct oi_credentials *c = container_of(obj, struct oi_credentials, base);

	seq_printf(m, "credentials-pid:\t%u\n", c->info.pid);
	seq_printf(m, "credentials-uid:\t%u\n", c->info.uid);
}

static const struct oi_object_ops credentials_ops = {
	.kind = OI_KIND_CREDENTIALS,
	.show_fdinfo = credentials_show_fdinfo,
	.invoke = credentials_invoke,
	.destroy = credentials_destroy,
};

/**
 * oi_credentials_create() - a credentials object for the calling process
 *
 * Context: process context.
 * Return: the new object, one reference owned by the caller, or
 *         ERR_PTR(-ENOMEM).
 */
struct oi_object *oi_credentials_create(void)
{
	struct oi_credentials *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->exe = oi_current_exe_path(&c->exe_len, &c->info.flags);
	if (!c->exe) {
		kfree(c);
		return ERR_PTR(-ENOMEM);
	}
	oi_object_init(&c->base, &credentials_ops);
	c->info.uid = from_kuid_munged(&init_user_ns, current_euid());
	c->info.gid = from_kgid_munged(&init_user_ns, current_egid());
	c->info.pid = task_tgid_nr(current);
	return &c->base;
}

bool oi_object_is_credentials(struct oi_object *obj)
{
	return obj->ops == &credentials_ops;
}
