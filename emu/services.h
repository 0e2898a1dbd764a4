/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The objects the emulated TEE hosts: the root object (ID 1), client
 * environments, the feature-version service, the test service and its
 * counters, the callback service and the memory service.  Each file of
 * services/ holds one type's methods; services/bound.c, below them all,
 * what several of them share.
 */
#ifndef EMU_SERVICES_H
#define EMU_SERVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "objtable.h"

struct emu;
struct emu_call;

/* The longest executable path kept from a credentials object. */
#define EMU_EXE_MAX	256U

/* Who registered a client environment (from the credentials object). */
struct emu_creds {
	uint32_t uid;
	uint32_t gid;
	uint32_t pid;
	uint32_t exe_len;
	char exe[EMU_EXE_MAX];
};

/*
 * Client environments and the services opened from them are bound to the
 * credentials the environment was registered with; each keeps a copy, so
 * a service outlives the environment it came from without keeping it.
 * @fault is the test service's armed fault (ITestService_FAULT_*), read
 * and cleared atomically: concurrent invocations take it once.
 */
struct emu_bound_obj {
	struct emu_obj obj;
	struct emu_creds creds;		/* invariant */
	uint32_t fault;			/* atomic */
};

int32_t emu_root_invoke(struct emu_call *c);

int32_t emu_clientenv_new(struct emu *e, const struct emu_creds *cr,
			  struct emu_obj **out);
int32_t emu_featver_new(struct emu *e, const struct emu_creds *cr,
			struct emu_obj **out);
int32_t emu_testsvc_new(struct emu *e, const struct emu_creds *cr,
			struct emu_obj **out);
int32_t emu_counter_new(struct emu *e, uint32_t value, struct emu_obj **out);
int32_t emu_cbsvc_new(struct emu *e, struct emu_obj **out);
int32_t emu_memsvc_new(struct emu *e, struct emu_obj **out);

/* A bound object of type @ops with a copy of @cr (services/bound.c). */
int32_t emu_bound_new(struct emu *e, const struct emu_obj_ops *ops,
		      const struct emu_creds *cr, struct emu_obj **out);

/* A counter's value; false when @o is not a counter. */
bool emu_counter_value(struct emu_obj *o, uint32_t *value);
/* Take the fault armed on a test service (0 for any other object). */
uint32_t emu_testsvc_take_fault(struct emu_obj *o);

#endif /* EMU_SERVICES_H */
