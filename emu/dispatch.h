/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Answering one direct invocation: given the inbound message in a
 * prepared struct emu_call, run the target object's method (with whatever
 * callbacks it makes through the call's transport) and leave the answer
 * in the call: status, result, the inbound rewritten in place and the
 * async messages in the outbound buffer.  It sits above the services
 * (it calls the root object and the table's methods) and below the device
 * loop (smc_loop.c) and the tests that drive it.
 */
#ifndef EMU_DISPATCH_H
#define EMU_DISPATCH_H

#include "call.h"

void emu_dispatch(struct emu_call *c);

#endif /* EMU_DISPATCH_H */
