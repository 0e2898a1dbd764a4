// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: test points (test kernel only)
 *
 * See testpoint.h.  Each point has an armed count and a delay; a thread
 * that reaches an armed point takes one from the count and sleeps,
 * uninterruptibly, so that a signal cannot cut the window short: the
 * delays are bounded by what the test writes (at most TP_MAX_MS).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/uaccess.h>

#include "testpoint.h"

#define TP_MAX_MS 30000

static const char *const tp_names[OI_TP_COUNT] = {
	[OI_TP_RECV_TAKEN]	= "recv_taken",
	[OI_TP_PARK_PUBLISHED]	= "park_published",
	[OI_TP_NS_FLUSH_ENTRY]	= "ns_flush_entry",
	[OI_TP_UNSEND]		= "unsend",
	[OI_TP_RELEASE_SUBMIT]	= "release_submit",
	[OI_TP_BRIDGE_FAULT]	= "bridge_fault",
	[OI_TP_MEM_NO_VMAP]	= "mem_no_vmap",
};

/**
 * struct tp_state - one test point
 * @armed: threads still to stop here.
 * @ms:    how long each stops; written before @armed (release/acquire).
 * @hits:  threads that stopped here since the module loaded.
 */
static struct tp_state {
	atomic_t armed;
	unsigned int ms;
	atomic_t hits;
} tp_state[OI_TP_COUNT];


/* Whether an armed thread reached @tp (counted as a hit). */
static bool tp_take(enum oi_test_point tp)
{
	struct tp_state *s = &tp_state[tp];

	if (atomic_dec_if_positive(&s->armed) < 0)
		return false;
	atomic_inc(&s->hits);
	return true;
}

void oi_test_point(enum oi_test_point tp)
{
	unsigned int ms;

	if (!tp_take(tp))
		return;
	ms = smp_load_acquire(&tp_state[tp].ms);
	pr_info("test point %s: stopping %u ms\n", tp_names[tp], ms);
	msleep(ms);
}

bool oi_test_fault(enum oi_test_point tp)
{
	if (!tp_take(tp))
		return false;
	pr_info("test point %s: failing here\n", tp_names[tp]);
	return true;
}

static ssize_t tp_write(struct file *file, const char __user *ubuf,
			size_t len, loff_t *ppos)
{
	struct tp_state *s = file->private_data;
	unsigned int ms, count = 1;
	char buf[32];
	int n;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	n = sscanf(buf, "%u %u", &ms, &count);
	if (n < 1 || ms > TP_MAX_MS || count > 1000)
		return -EINVAL;
	smp_store_release(&s->ms, ms);
	atomic_set(&s->armed, count);
	return len;
}

static ssize_t tp_read(struct file *file, char __user *ubuf, size_t len,
		       loff_t *ppos)
{
	struct tp_state *s = file->private_data;
	char buf[16];
	int n = scnprintf(buf, sizeof(buf), "%d\n", atomic_read(&s->hits));

	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations tp_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = tp_read,
	.write = tp_write,
	.llseek = default_llseek,
};

/* In @dir (debugfs.c's, removed with it at exit): test_points/NAME. */
int oi_test_points_init(struct dentry *dir)
{
	struct dentry *points;
	int i;

	points = debugfs_create_dir("test_points", dir);
	for (i = 0; i < OI_TP_COUNT; i++)
		debugfs_create_file(tp_names[i], 0600, points, &tp_state[i],
				    &tp_fops);
	pr_info("test points compiled in: not a release build\n");
	return 0;
}
