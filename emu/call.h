/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * One invocation being answered on a secure thread.
 *
 * This is the seam between the device loop and the TEE's logic: the loop
 * (smc_loop.c) fills in the buffers and a transport, emu_dispatch() runs
 * the target object's method, and the answer comes back as a status, a
 * result and the rewritten buffers.  Callbacks to normal-world (NW) objects
 * go through the transport, which the loop implements with the device and
 * the unit tests with a script.
 *
 * Methods read their arguments and write their outputs through the
 * accessors below and never touch the wire format; the codec in
 * common/qtee_wire.c does that.
 */
#ifndef EMU_CALL_H
#define EMU_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include "qtee_wire.h"

struct emu;
struct emu_obj;

/* Upstream QTEE's outbound buffer. */
#define EMU_OUTBOUND_SIZE	4096U
/* The largest inbound message: 4 MiB of payload plus header and args. */
#define EMU_INBOUND_MAX		((4U << 20) + 64U * 1024U)
/* NW references one invocation can give back in its final COMPLETE. */
#define EMU_MAX_RELEASES	128U
/*
 * Outbound bytes the pending-release queue leaves free after the async
 * messages of a DONE: room for the one message a fault appends.
 */
#define EMU_ASYNC_RESERVE	16U

/* struct objinvoke_emu_done.status values, restated for the logic. */
#define EMU_STATUS_DONE		0U
#define EMU_STATUS_CALLBACK	3U

/*
 * How a callback request reaches the NW: send the request the outbound
 * buffer holds and wait until the buffer holds the response.  Returns 0
 * or a negative errno (the NW is gone).
 */
struct emu_transport {
	int (*roundtrip)(void *priv, void *outbound, uint32_t out_size);
	void *priv;
};

/* An output object slot: a TEE object (one reference held) or an ID. */
struct emu_out_obj {
	struct emu_obj *obj;
	uint32_t id;
};

struct emu_call {
	struct emu *emu;
	const struct emu_transport *tx;

	/* The inbound buffer: the direct invocation, rewritten in place. */
	void *inbound;
	uint32_t in_size;
	/* The outbound buffer: callbacks, then the final async messages. */
	void *outbound;
	uint32_t out_size;

	struct qtee_msg msg;		/* the invocation as parsed */
	bool parsed;
	uint32_t bo_size[QTEE_MAX_PER_KIND];	/* bytes written per BO */
	struct emu_out_obj oo[QTEE_MAX_PER_KIND];

	/* NW references to give back with the answer. */
	uint32_t releases[EMU_MAX_RELEASES];
	unsigned int n_releases;
	/* The answer's async messages will not be read (a refused status). */
	bool async_unread;

	/* The answer, set by emu_call_finish(). */
	uint32_t status;
	int32_t result;
	uint32_t reply_in_size;
	uint32_t reply_out_size;
	uint32_t async_end;		/* end of the async messages written */
};

void emu_call_init(struct emu_call *c, struct emu *e,
		   const struct emu_transport *tx, void *inbound,
		   uint32_t in_size, void *outbound, uint32_t out_size);

/* The method: the low 16 bits of op (the rest is for transports). */
static inline uint32_t emu_call_method(const struct emu_call *c)
{
	return c->msg.op & QTEE_OP_METHOD_MASK;
}

/* Argument counts. */
static inline unsigned int emu_call_nbi(const struct emu_call *c)
{
	return QTEE_NUM_BI(c->msg.counts);
}

static inline unsigned int emu_call_nbo(const struct emu_call *c)
{
	return QTEE_NUM_BO(c->msg.counts);
}

static inline unsigned int emu_call_nio(const struct emu_call *c)
{
	return QTEE_NUM_IO(c->msg.counts);
}

static inline unsigned int emu_call_noo(const struct emu_call *c)
{
	return QTEE_NUM_OO(c->msg.counts);
}

/*
 * Check a method's argument shape: QTEE_ERROR_SIZE_IN when the number of
 * input buffers is wrong, QTEE_ERROR_INVALID when another count is, else
 * QTEE_OK.
 */
int32_t emu_call_expect(const struct emu_call *c, unsigned int bi,
			unsigned int bo, unsigned int io, unsigned int oo);

/* Input buffer i (0-based among the BIs) and its length. */
const void *emu_call_bi(const struct emu_call *c, unsigned int i,
			uint32_t *len);
/* Input buffer i as a little-endian u32: QTEE_ERROR_SIZE_IN unless 4 bytes. */
int32_t emu_call_bi_u32(const struct emu_call *c, unsigned int i,
			uint32_t *v);
/* Output buffer i's space and its reserved size. */
void *emu_call_bo(struct emu_call *c, unsigned int i, uint32_t *cap);
/* Copy len bytes to output buffer i: QTEE_ERROR_SIZE_OUT if too small. */
int32_t emu_call_bo_put(struct emu_call *c, unsigned int i,
			const void *data, uint32_t len);
/* Output buffer i as a little-endian u32: QTEE_ERROR_SIZE_OUT if < 4. */
int32_t emu_call_bo_put_u32(struct emu_call *c, unsigned int i, uint32_t v);
/* Record that len bytes of output buffer i were written directly. */
void emu_call_bo_written(struct emu_call *c, unsigned int i, uint32_t len);

/* Input object i's ID. */
uint32_t emu_call_io(const struct emu_call *c, unsigned int i);
/* Output object i: a TEE object (consumes the caller's reference)... */
void emu_call_set_oo_obj(struct emu_call *c, unsigned int i,
			 struct emu_obj *o);
/* ...or an ID that carries no reference (NULL, or an NW object). */
void emu_call_set_oo_id(struct emu_call *c, unsigned int i, uint32_t id);

/*
 * Owe the NW one release of an NW ID (the primordial object is exempt).
 * Past EMU_MAX_RELEASES the release goes to the pending-release queue.
 */
void emu_call_owe_release(struct emu_call *c, uint32_t id);
/*
 * Keep one owed reference beyond the invocation: the release of @id is no
 * longer owed by this call, and the caller must give it back later
 * (emu_relq_push()).  False if no release of @id was owed.
 */
bool emu_call_keep_ref(struct emu_call *c, uint32_t id);

/* A callback to an NW object with up to four of each buffer kind. */
#define EMU_CB_MAX	4
struct emu_cb {
	uint32_t id;
	uint32_t op;
	unsigned int nbi, nbo, noo;
	struct {
		const void *ptr;
		uint32_t len;
	} bi[EMU_CB_MAX];
	struct {
		void *ptr;
		uint32_t cap;
		uint32_t len;	/* out: bytes the NW wrote */
	} bo[EMU_CB_MAX];
	/*
	 * Input objects, sent as they are: the caller gives the NW a
	 * reference for each TEE object among them (emu_obj_give_nw()).
	 */
	unsigned int nio;
	uint32_t io[EMU_CB_MAX];
	uint32_t oo[EMU_CB_MAX];	/* out: IDs the NW returned */
	/*
	 * NW references given back in this request's own tail, ahead of the
	 * pending-release queue: the kernel processes them before it runs
	 * the callback, so the caller knows they are gone once it returns
	 * (the queue may be drained by another thread's later message).
	 */
	unsigned int nrel;
	uint32_t rel[EMU_CB_MAX];
};

/*
 * Call an NW object and wait for its answer.  Returns the response's
 * result; QTEE_ERROR_DEFUNCT when the NW went away, QTEE_ERROR_INVALID
 * when the response is unusable.  NW objects the response returns carry
 * a reference: they are owed back with this invocation's answer.  The
 * request's outbound tail carries @cb's releases, then what fits of the
 * pending releases.
 */
int32_t emu_call_callback(struct emu_call *c, struct emu_cb *cb);
/*
 * Send @req, already built in the outbound buffer (fault injection builds
 * malformed ones), and return the response's result word, or
 * QTEE_ERROR_DEFUNCT when the NW went away.
 */
int32_t emu_call_send_raw(struct emu_call *c, const struct qtee_msg *req);

/*
 * Finish with a DONE answer: write output sizes and objects into the
 * inbound buffer (only when result is QTEE_OK; output objects are then
 * given to the NW), and at the start of the outbound buffer the owed
 * releases, then what fits of the pending-release queue.  An owed NW ID
 * that is also an output object goes to the queue instead: the kernel
 * processes releases before it reads outputs, so releasing it here would
 * make the output name an ID it just forgot.
 */
void emu_call_finish(struct emu_call *c, int32_t result);

#endif /* EMU_CALL_H */
