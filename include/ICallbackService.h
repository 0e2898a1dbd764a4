/* SPDX-License-Identifier: MIT */
/*
 * The TEE emulator's callback service: it calls back the normal-world
 * objects it is given, so tests and examples can drive callbacks from the
 * TEE into the kernel and into processes.  Opened through a client
 * environment by UID; docs/emulator.md describes each method.
 *
 * Callback buffers travel in the 4 KiB outbound buffer: keep BI data plus
 * BO space of one callback under ICallbackService_MAX_DATA bytes.
 */
#ifndef ICALLBACKSERVICE_H
#define ICALLBACKSERVICE_H

#include "object.h"

#define ICallbackService_UID		0x0000a002
#define ICallbackService_MAX_DATA	2048

/* IO target, BI u32 op: target(op) with no arguments; returns its result. */
#define ICallbackService_OP_call	0
/* IO target, BI u32 op, BI data, BO out: target(op, BI data, BO of out's
 * size); what it wrote lands in out; returns its result. */
#define ICallbackService_OP_callBufs	1
/* IO target, IO arg, BI u32 op, OO result: target(op, IO arg, one OO);
 * the object it returned is handed to the caller as OO.  */
#define ICallbackService_OP_callObjects	2
/* IO target: the service keeps a reference (dropping any it kept). */
#define ICallbackService_OP_keep	3
/* BI u32 op, BI data, BO out: callBufs on the kept object; BADOBJ if
 * none is kept. */
#define ICallbackService_OP_callKept	4
/* The service drops the kept object: its release reaches the kernel. */
#define ICallbackService_OP_dropKept	5

static inline int32_t ICallbackService_call(Object self, Object target,
					    uint32_t op)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &op, sizeof(op) };
	a[1].o = target;
	return Object_invoke(self, ICallbackService_OP_call, a,
			     ObjectCounts_pack(1, 0, 1, 0));
}

static inline int32_t ICallbackService_callBufs(Object self, Object target,
						uint32_t op, const void *in,
						size_t in_len, void *out,
						size_t out_len,
						size_t *out_lenout)
{
	ObjectArg a[4] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &op, sizeof(op) };
	a[1].bi = (ObjectBufIn){ in, in_len };
	a[2].b = (ObjectBuf){ out, out_len };
	a[3].o = target;
	int32_t r = Object_invoke(self, ICallbackService_OP_callBufs, a,
				  ObjectCounts_pack(2, 1, 1, 0));
	if (out_lenout)
		*out_lenout = a[2].b.size;
	return r;
}

static inline int32_t ICallbackService_callObjects(Object self, Object target,
						   Object arg, uint32_t op,
						   Object *result)
{
	ObjectArg a[4] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &op, sizeof(op) };
	a[1].o = target;
	a[2].o = arg;
	int32_t r = Object_invoke(self, ICallbackService_OP_callObjects, a,
				  ObjectCounts_pack(1, 0, 2, 1));
	*result = r == Object_OK ? a[3].o : Object_NULL;
	return r;
}

static inline int32_t ICallbackService_keep(Object self, Object target)
{
	ObjectArg a[1] = {{{0, 0}}};

	a[0].o = target;
	return Object_invoke(self, ICallbackService_OP_keep, a,
			     ObjectCounts_pack(0, 0, 1, 0));
}

static inline int32_t ICallbackService_callKept(Object self, uint32_t op,
						const void *in, size_t in_len,
						void *out, size_t out_len,
						size_t *out_lenout)
{
	ObjectArg a[3] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &op, sizeof(op) };
	a[1].bi = (ObjectBufIn){ in, in_len };
	a[2].b = (ObjectBuf){ out, out_len };
	int32_t r = Object_invoke(self, ICallbackService_OP_callKept, a,
				  ObjectCounts_pack(2, 1, 0, 0));
	if (out_lenout)
		*out_lenout = a[2].b.size;
	return r;
}

static inline int32_t ICallbackService_dropKept(Object self)
{
	return Object_invoke(self, ICallbackService_OP_dropKept, NULL,
			     ObjectCounts_pack(0, 0, 0, 0));
}

#endif /* ICALLBACKSERVICE_H */
