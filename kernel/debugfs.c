// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: the debugfs view
 *
 * /sys/kernel/debug/objinvoke/ shows what the module holds, for an
 * administrator or a test wondering where things are (docs/tracing.md):
 *
 *   objects  live objects of each kind
 *   servers  one line per server: its process, hosted objects, requests
 *            queued, delivered to a thread and parked, bytes pinned
 *   tee      the TEE generation, the NS IDs the TEE holds, the backend
 *            and its calls
 *
 * Every file is a snapshot taken with the locks each part already has;
 * reading one never blocks an invocation for longer than a walk of a
 * list.  Root only (debugfs), and the test kernel's test points live in
 * the same directory (testpoint.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "qtee.h"
#include "testpoint.h"

static struct dentry *oi_debugfs_dir;

static int objects_show(struct seq_file *m, void *unused)
{
	enum oi_kind kind;

	for (kind = 0; kind < OI_KIND_COUNT; kind++)
		seq_printf(m, "%-12s %ld\n", oi_kind_name(kind),
			   oi_objects_live(kind));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

static int servers_show(struct seq_file *m, void *unused)
{
	oi_servers_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(servers);

static int tee_show(struct seq_file *m, void *unused)
{
	qtee_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tee);

/**
 * oi_debugfs_init() - make /sys/kernel/debug/objinvoke/
 *
 * debugfs failures are not errors (the module works without the view).
 *
 * Context: module init.
 * Return: 0 or the test points' error.
 */
int oi_debugfs_init(void)
{
	int ret;

	oi_debugfs_dir = debugfs_create_dir("objinvoke", NULL);
	debugfs_create_file("objects", 0400, oi_debugfs_dir, NULL,
			    &objects_fops);
	debugfs_create_file("servers", 0400, oi_debugfs_dir, NULL,
			    &servers_fops);
	debugfs_create_file("tee", 0400, oi_debugfs_dir, NULL, &tee_fops);
	ret = oi_test_points_init(oi_debugfs_dir);
	if (ret)
		debugfs_remove_recursive(oi_debugfs_dir);
	return ret;
}

/* Context: module exit. */
void oi_debugfs_exit(void)
{
	debugfs_remove_recursive(oi_debugfs_dir);
}
