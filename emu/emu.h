/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The emulated TEE: its object table and the few things its services need
 * from the outside, gathered so the unit tests can build one without a
 * device.  The root object (ID 1) is not in the table: it is permanent and
 * stateless (services/root.c).
 */
#ifndef EMU_EMU_H
#define EMU_EMU_H

#include <stdint.h>

#include "objtable.h"
#include "relq.h"
#include "bridge.h"

/* The QTEE version the feature-version service reports: 5.22.0. */
#define EMU_QTEE_MAJOR		5U
#define EMU_QTEE_MINOR		22U
#define EMU_QTEE_PATCH		0U

/* The longest delay ITestService_OP_delay sleeps, in ms. */
#define EMU_DELAY_MAX_MS	10000U

struct emu {
	struct emu_objtable table;
	/* NW references to give back with some later COMPLETE. */
	struct emu_relq relq;
	/*
	 * The SHM bridge: mmap of the device the whole pool shares; tests
	 * replace its map/unmap with a model of the kernel's windows.
	 */
	struct emu_bridge bridge;
	/* Sleeps the secure thread; tests replace it to keep time. */
	void (*sleep_ms)(uint32_t ms);
};

void emu_init(struct emu *e);
void emu_fini(struct emu *e);
/* The default sleep_ms: a full sleep no signal cuts short. */
void emu_sleep_ms(uint32_t ms);

#endif /* EMU_EMU_H */
