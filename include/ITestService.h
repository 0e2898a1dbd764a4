/* SPDX-License-Identifier: MIT */
/*
 * The TEE emulator's test service: one method per argument kind and error
 * path, so tests and examples can drive the whole invoke path.  Hosted by
 * the emulator (emu/), opened through a client environment by UID.
 * docs/emulator.md describes each method.
 */
#ifndef ITESTSERVICE_H
#define ITESTSERVICE_H

#include "object.h"

#define ITestService_UID		0x0000a001

/* BI data -> BO copy; SIZE_OUT when the output buffer is too small. */
#define ITestService_OP_echo		0
/* BI {u32 a, u32 b} -> BO u32 a + b (wrapping). */
#define ITestService_OP_add		1
/* BI u32 code -> returns code as the result (any int32). */
#define ITestService_OP_fail		2
/* BI u32 value -> OO a new counter object holding value. */
#define ITestService_OP_newCounter	3
/* IO counter -> BO u32 its value; BADOBJ if it is not a counter. */
#define ITestService_OP_readCounter	4
/* BO u32: objects live in the emulator's table (root excluded). */
#define ITestService_OP_liveObjects	5
/* BO objinvoke_creds_info-layout {uid, gid, pid, 0}, BO exe path: the
 * credentials this service's client environment was registered with. */
#define ITestService_OP_whoami		6
/* BI u32 fault (ITestService_FAULT_*): the emulator's next answer to an
 * invocation of this service object is malformed in that way. */
#define ITestService_OP_injectFault	7
/* BI {u32 op, u32 arg}: call the kernel's primordial object back
 * (op 1 yield, op 2 sleep arg ms) and return its result. */
#define ITestService_OP_primordial	8
/* BI u32 ms: the secure thread sleeps that long, then returns OK. */
#define ITestService_OP_delay		9
/* BI[i] -> BO[i] copies and IO[i] -> OO[i] returned, pairwise, for up to
 * 15 of each: exercises the largest argument arrays. */
#define ITestService_OP_mirror		10

/* Counter objects. */
#define ITestCounter_OP_get		0	/* BO u32 */
#define ITestCounter_OP_add		1	/* BI u32 */

/* Faults ITestService_OP_injectFault can arm (one shot). */
#define ITestService_FAULT_NONE			0
#define ITestService_FAULT_OUT_SIZE_GROWN	1 /* BO size > reserved */
#define ITestService_FAULT_OUT_UNKNOWN_NS_OBJ	2 /* OO names an NS ID never issued */
#define ITestService_FAULT_CB_BAD_COUNTS	3 /* callback counts upper bits set */
#define ITestService_FAULT_CB_OFFSET		4 /* callback buffer past the end */
#define ITestService_FAULT_CB_UNKNOWN_OBJ	5 /* callback to an NS ID never issued */
#define ITestService_FAULT_ASYNC_GARBAGE	6 /* release count past the buffer */
#define ITestService_FAULT_BAD_STATUS		7 /* SMC status neither done nor callback */
#define ITestService_FAULT_ASYNC_UNKNOWN_ID	8 /* release of an NS ID never issued */
#define ITestService_FAULT_MAX			8

struct ITestService_whoami {
	uint32_t uid;
	uint32_t gid;
	uint32_t pid;
	uint32_t reserved;
};

static inline int32_t ITestService_echo(Object self, const void *in,
					size_t in_len, void *out,
					size_t out_len, size_t *out_lenout)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ in, in_len };
	a[1].b = (ObjectBuf){ out, out_len };
	int32_t r = Object_invoke(self, ITestService_OP_echo, a,
				  ObjectCounts_pack(1, 1, 0, 0));
	if (out_lenout)
		*out_lenout = a[1].b.size;
	return r;
}

static inline int32_t ITestService_add(Object self, uint32_t x, uint32_t y,
				       uint32_t *sum)
{
	uint32_t in[2] = { x, y };
	ObjectArg a[2] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ in, sizeof(in) };
	a[1].b = (ObjectBuf){ sum, sizeof(*sum) };
	return Object_invoke(self, ITestService_OP_add, a,
			     ObjectCounts_pack(1, 1, 0, 0));
}

static inline int32_t ITestService_u32(Object self, ObjectOp op, uint32_t v)
{
	ObjectArg a[1] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &v, sizeof(v) };
	return Object_invoke(self, op, a, ObjectCounts_pack(1, 0, 0, 0));
}

static inline int32_t ITestService_fail(Object self, int32_t code)
{
	return ITestService_u32(self, ITestService_OP_fail, (uint32_t)code);
}

static inline int32_t ITestService_injectFault(Object self, uint32_t fault)
{
	return ITestService_u32(self, ITestService_OP_injectFault, fault);
}

static inline int32_t ITestService_delay(Object self, uint32_t ms)
{
	return ITestService_u32(self, ITestService_OP_delay, ms);
}

static inline int32_t ITestService_newCounter(Object self, uint32_t value,
					      Object *counter)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ &value, sizeof(value) };
	int32_t r = Object_invoke(self, ITestService_OP_newCounter, a,
				  ObjectCounts_pack(1, 0, 0, 1));
	*counter = r == Object_OK ? a[1].o : Object_NULL;
	return r;
}

static inline int32_t ITestService_readCounter(Object self, Object counter,
					       uint32_t *value)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].b = (ObjectBuf){ value, sizeof(*value) };
	a[1].o = counter;
	return Object_invoke(self, ITestService_OP_readCounter, a,
			     ObjectCounts_pack(0, 1, 1, 0));
}

static inline int32_t ITestService_liveObjects(Object self, uint32_t *n)
{
	ObjectArg a[1] = {{{0, 0}}};

	a[0].b = (ObjectBuf){ n, sizeof(*n) };
	return Object_invoke(self, ITestService_OP_liveObjects, a,
			     ObjectCounts_pack(0, 1, 0, 0));
}

static inline int32_t ITestService_primordial(Object self, uint32_t op,
					      uint32_t arg)
{
	uint32_t in[2] = { op, arg };
	ObjectArg a[1] = {{{0, 0}}};

	a[0].bi = (ObjectBufIn){ in, sizeof(in) };
	return Object_invoke(self, ITestService_OP_primordial, a,
			     ObjectCounts_pack(1, 0, 0, 0));
}

static inline int32_t ITestService_whoami(Object self,
					  struct ITestService_whoami *who,
					  char *exe, size_t exe_len,
					  size_t *exe_lenout)
{
	ObjectArg a[2] = {{{0, 0}}};

	a[0].b = (ObjectBuf){ who, sizeof(*who) };
	a[1].b = (ObjectBuf){ exe, exe_len };
	int32_t r = Object_invoke(self, ITestService_OP_whoami, a,
				  ObjectCounts_pack(0, 2, 0, 0));
	if (exe_lenout)
		*exe_lenout = a[1].b.size;
	return r;
}

static inline int32_t ITestCounter_get(Object self, uint32_t *value)
{
	ObjectArg a[1] = {{{0, 0}}};

	a[0].b = (ObjectBuf){ value, sizeof(*value) };
	return Object_invoke(self, ITestCounter_OP_get, a,
			     ObjectCounts_pack(0, 1, 0, 0));
}

static inline int32_t ITestCounter_add(Object self, uint32_t delta)
{
	return ITestService_u32(self, ITestCounter_OP_add, delta);
}

#endif /* ITESTSERVICE_H */
