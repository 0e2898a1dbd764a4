// SPDX-License-Identifier: GPL-2.0-only
/*
 * DOC: debug output
 *
 * The debug_mask module parameter that oi_dbg() (internal.h) reads.  In a
 * file of its own, at the bottom, because every layer prints.
 */
#include <linux/module.h>

#include "internal.h"

unsigned int oi_debug_mask;
module_param_named(debug_mask, oi_debug_mask, uint, 0644);
MODULE_PARM_DESC(debug_mask,
		 "debug output: 1 invoke, 2 TEE calls, 4 objects, 8 emulator, 16 servers");
