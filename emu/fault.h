/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Fault injection: the test service can arm one ITestService_FAULT_* that
 * makes the emulator's next answer to an invocation of that service
 * malformed in exactly the named way, so the kernel's checks of what the
 * TEE writes can be tested.  docs/emulator.md lists each fault, the
 * method to aim it at and the error the kernel should give.
 */
#ifndef EMU_FAULT_H
#define EMU_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "call.h"

/* The status a BAD_STATUS answer completes with: neither DONE nor CALLBACK. */
#define EMU_STATUS_BAD		7U
/* The NW IDs the faults name, which the kernel never issued. */
#define EMU_FAULT_CB_ID		0x8000fff0U
#define EMU_FAULT_RELEASE_ID	0x8000fff1U
#define EMU_FAULT_OUT_ID	0x8000fff2U

const char *emu_fault_name(uint32_t fault);

/*
 * Before the method: the callback faults send their malformed callback.
 * Returns true when the invocation ends there with *result (the result
 * the NW's response carried, when it was not OK).
 */
bool emu_fault_before_invoke(struct emu_call *c, uint32_t fault,
			     int32_t *result);
/* Finish the answer (emu_call_finish) and corrupt it as @fault says. */
void emu_fault_finish(struct emu_call *c, int32_t result, uint32_t fault);

#endif /* EMU_FAULT_H */
