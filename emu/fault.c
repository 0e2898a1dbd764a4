// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The faults themselves.  Each builds a well-formed message with the codec
 * and then breaks exactly one field of it, so the kernel sees one named
 * defect and nothing else.
 */
#include "fault.h"

#include <endian.h>
#include <string.h>

#include "ITestService.h"
#include "log.h"

/* Primordial methods the malformed callbacks pretend to call. */
#define PRIMORDIAL_OP_YIELD	1U
#define PRIMORDIAL_OP_SLEEP	2U

/* Overwrite one little-endian word of a message the codec built. */
static void poke32(void *buf, uint32_t off, uint32_t v)
{
	v = htole32(v);
	memcpy((unsigned char *)buf + off, &v, sizeof(v));
}

const char *emu_fault_name(uint32_t fault)
{
	static const char *const names[] = {
		[ITestService_FAULT_NONE] = "NONE",
		[ITestService_FAULT_OUT_SIZE_GROWN] = "OUT_SIZE_GROWN",
		[ITestService_FAULT_OUT_UNKNOWN_NS_OBJ] = "OUT_UNKNOWN_NS_OBJ",
		[ITestService_FAULT_CB_BAD_COUNTS] = "CB_BAD_COUNTS",
		[ITestService_FAULT_CB_OFFSET] = "CB_OFFSET",
		[ITestService_FAULT_CB_UNKNOWN_OBJ] = "CB_UNKNOWN_OBJ",
		[ITestService_FAULT_ASYNC_GARBAGE] = "ASYNC_GARBAGE",
		[ITestService_FAULT_BAD_STATUS] = "BAD_STATUS",
		[ITestService_FAULT_ASYNC_UNKNOWN_ID] = "ASYNC_UNKNOWN_ID",
	};

	return fault <= ITestService_FAULT_MAX ? names[fault] : "?";
}

/* Build the malformed callback request of a CB_* fault; false if none. */
static bool build_bad_callback(struct emu_call *c, uint32_t fault,
			       struct qtee_msg *req)
{
	void *ms;

	memset(c->outbound, 0, c->out_size);
	switch (fault) {
	case ITestService_FAULT_CB_BAD_COUNTS:
		/* A yield whose counts word has an upper-half bit set. */
		qtee_msg_init(req, c->outbound, c->out_size, QTEE_MSG_CALLBACK,
			      QTEE_OBJ_PRIMORDIAL, PRIMORDIAL_OP_YIELD, 0);
		poke32(c->outbound, QTEE_CALLBACK_HDR - 4, 1U << 16);
		return true;
	case ITestService_FAULT_CB_OFFSET:
		/* A sleep(0) whose input buffer starts at the buffer's end. */
		if (qtee_msg_init(req, c->outbound, c->out_size,
				  QTEE_MSG_CALLBACK, QTEE_OBJ_PRIMORDIAL,
				  PRIMORDIAL_OP_SLEEP, QTEE_COUNTS(1U, 0U, 0U, 0U)) ||
		    qtee_msg_add_buf(req, 0, sizeof(uint32_t), &ms))
			return false;
		poke32(c->outbound, QTEE_CALLBACK_HDR, c->out_size);
		return true;
	case ITestService_FAULT_CB_UNKNOWN_OBJ:
		/* Well formed, but to an NW object the kernel never issued. */
		qtee_msg_init(req, c->outbound, c->out_size, QTEE_MSG_CALLBACK,
			      EMU_FAULT_CB_ID, 0, 0);
		return true;
	default:
		return false;
	}
}

bool emu_fault_before_invoke(struct emu_call *c, uint32_t fault,
			     int32_t *result)
{
	struct qtee_msg req;
	int32_t r;

	if (!build_bad_callback(c, fault, &req))
		return false;
	r = emu_call_send_raw(c, &req);
	emu_info("fault %s: malformed callback answered %d",
		 emu_fault_name(fault), r);
	/* Should the kernel accept it after all, run the method as usual. */
	if (r == QTEE_OK)
		return false;
	*result = r;
	return true;
}

/* OUT_UNKNOWN_NS_OBJ: output object 0 names an NW object never issued. */
static bool swap_out_object(struct emu_call *c)
{
	if (!emu_call_noo(c))
		return false;
	/* The TEE object the method returned there is not given out. */
	emu_call_set_oo_id(c, 0, EMU_FAULT_OUT_ID);
	return true;
}

/* OUT_SIZE_GROWN: output buffer 0 claims one byte more than reserved. */
static bool grow_out_size(struct emu_call *c)
{
	unsigned int bo = QTEE_IDX_BO(c->msg.counts);

	if (!emu_call_nbo(c))
		return false;
	qtee_msg_write_out_size(&c->msg, bo, c->msg.len[bo] + 1);
	return true;
}

/* ASYNC_GARBAGE: after the real releases, one whose count runs past. */
static bool put_garbage_release(struct emu_call *c)
{
	uint32_t at = c->async_end, pos = at;

	if (qtee_async_put_release(c->outbound, c->out_size, &pos, NULL, 0))
		return false;
	/* More IDs than the rest of the buffer could ever hold. */
	poke32(c->outbound, at + QTEE_ASYNC_HDR, (c->out_size - at) / 4 + 1);
	return true;
}

/* ASYNC_UNKNOWN_ID: after the real releases, one of an ID never issued. */
static bool put_unknown_release(struct emu_call *c)
{
	uint32_t id = EMU_FAULT_RELEASE_ID, pos = c->async_end;

	if (qtee_async_put_release(c->outbound, c->out_size, &pos, &id, 1))
		return false;
	c->async_end = pos;
	return true;
}

void emu_fault_finish(struct emu_call *c, int32_t result, uint32_t fault)
{
	bool applied = true;

	if (fault == ITestService_FAULT_OUT_UNKNOWN_NS_OBJ)
		applied = swap_out_object(c);
	/* The kernel reads no async message of a refused completion. */
	if (fault == ITestService_FAULT_BAD_STATUS)
		c->async_unread = true;
	emu_call_finish(c, result);

	switch (fault) {
	case ITestService_FAULT_NONE:
		return;
	case ITestService_FAULT_OUT_SIZE_GROWN:
		applied = grow_out_size(c);
		break;
	case ITestService_FAULT_ASYNC_GARBAGE:
		applied = put_garbage_release(c);
		break;
	case ITestService_FAULT_ASYNC_UNKNOWN_ID:
		applied = put_unknown_release(c);
		break;
	case ITestService_FAULT_BAD_STATUS:
		c->status = EMU_STATUS_BAD;
		break;
	case ITestService_FAULT_OUT_UNKNOWN_NS_OBJ:
		break;	/* applied above, before the objects were written */
	default:
		return;	/* the CB_* faults acted (and logged) before the method */
	}
	if (applied)
		emu_info("fault %s applied", emu_fault_name(fault));
	else
		emu_info("fault %s: nothing to corrupt in this answer",
			 emu_fault_name(fault));
}
