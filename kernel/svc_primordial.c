// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: the primordial object
 *
 * The kernel-hosted object the TEE reaches by the fixed NS ID 0x80000000
 * without ever being given it.  It runs on the invoking thread during a
 * callback: it maps memory objects for the TEE (memobj.c), yields and
 * sleeps.  Permanent: its reference count never reaches zero.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "internal.h"

/* A TEE asking for longer is buggy; do not pin the caller's thread. */
#define PRIMORDIAL_SLEEP_MAX_MS		10000

static int primordial_sleep(struct oi_invocation *inv)
{
	u32 ms;
	int ret;

	if (inv->counts != QTEE_COUNTS(1, 0, 0, 0) ||
	    inv->args[0].b.size != sizeof(ms))
		return QTEE_ERROR_SIZE_IN;
	ret = oi_arg_read(inv, 0, &ms, sizeof(ms));
	if (ret)
		return oi_errno_to_result(ret);
	if (ms > PRIMORDIAL_SLEEP_MAX_MS)
		return QTEE_ERROR_INVALID;
	/* Killable: a dying caller stops sleeping for the TEE. */
	schedule_timeout_killable(msecs_to_jiffies(ms));
	return fatal_signal_pending(current) ? QTEE_ERROR_ABORT : QTEE_OK;
}

static int primordial_invoke(struct oi_object *obj, struct oi_invocation *inv)
{
	switch (inv->op) {
	case QTEE_PRIMORDIAL_YIELD:
		cond_resched();
		inv->result = QTEE_OK;
		break;
	case QTEE_PRIMORDIAL_SLEEP:
		inv->result = primordial_sleep(inv);
		break;
	case QTEE_PRIMORDIAL_MAP_REGION:
		return oi_map_region(inv);
	default:
		inv->result = QTEE_ERROR_INVALID;
		break;
	}
	return 0;
}

static void primordial_destroy(struct oi_object *obj)
{
	WARN_ONCE(1, "primordial object released\n");
}

static const struct oi_object_ops primordial_ops = {
	.kind = OI_KIND_PRIMORDIAL,
	.invoke = primordial_invoke,
	.destroy = primordial_destroy,
};

struct oi_object oi_primordial = {
	.ref = KREF_INIT(1),
	.ops = &primordial_ops,
};
