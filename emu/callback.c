// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Callbacks from a method to normal-world objects: build the request in
 * the outbound buffer with the codec, let the transport carry it, and read
 * the response through the codec's record of what was sent.
 */
#include <string.h>

#include "call.h"
#include "emu.h"
#include "log.h"

int32_t emu_call_send_raw(struct emu_call *c, const struct qtee_msg *req)
{
	int err;

	emu_trace("callback to %#x op %#x counts %#x", req->cxt, req->op,
		  req->counts);
	err = c->tx->roundtrip(c->tx->priv, c->outbound, c->out_size);
	if (err) {
		emu_err("callback to %#x: no response (%s)", req->cxt,
			strerror(-err));
		return QTEE_ERROR_DEFUNCT;
	}
	return qtee_msg_get_result(req);
}

/* Lay the request out: input payloads copied, output space reserved. */
static int build(struct emu_call *c, struct qtee_msg *req,
		 const struct emu_cb *cb)
{
	unsigned int i;
	void *p;

	/* Zero everything: stale bytes past the request would read as async. */
	memset(c->outbound, 0, c->out_size);
	if (qtee_msg_init(req, c->outbound, c->out_size, QTEE_MSG_CALLBACK,
			  cb->id, cb->op,
			  QTEE_COUNTS(cb->nbi, cb->nbo, cb->nio, cb->noo)))
		return -1;
	for (i = 0; i < cb->nbi; i++) {
		if (qtee_msg_add_buf(req, i, cb->bi[i].len, &p))
			return -1;
		memcpy(p, cb->bi[i].ptr, cb->bi[i].len);
	}
	for (i = 0; i < cb->nbo; i++)
		if (qtee_msg_add_buf(req, cb->nbi + i, cb->bo[i].cap, &p))
			return -1;
	for (i = 0; i < cb->nio; i++)
		qtee_msg_set_obj(req, qtee_idx_io(req->counts) + i, cb->io[i]);
	return 0;
}

/*
 * The caller's releases first in the tail.  At most EMU_CB_MAX IDs, 24
 * bytes; should even those not fit behind the request, the queue takes
 * them (sent later, never lost or doubled).
 */
static void put_own_releases(struct emu_call *c, const struct emu_cb *cb,
			     uint32_t *pos)
{
	unsigned int i;

	if (!cb->nrel)
		return;
	if (qtee_async_put_release(c->outbound, c->out_size, pos, cb->rel,
				   cb->nrel) == 0) {
		emu_trace("callback to %#x releases %u NW references", cb->id,
			  cb->nrel);
		return;
	}
	emu_warn("callback to %#x: no room for %u releases: queued", cb->id,
		 cb->nrel);
	for (i = 0; i < cb->nrel; i++)
		emu_relq_push(&c->emu->relq, cb->rel[i]);
}

int32_t emu_call_callback(struct emu_call *c, struct emu_cb *cb)
{
	struct qtee_msg req;
	unsigned int i;
	uint32_t len, pos;
	int32_t r;

	if (cb->nbi > EMU_CB_MAX || cb->nbo > EMU_CB_MAX ||
	    cb->nio > EMU_CB_MAX || cb->noo > EMU_CB_MAX ||
	    cb->nrel > EMU_CB_MAX || build(c, &req, cb)) {
		emu_err("callback to %#x op %#x does not fit", cb->id, cb->op);
		/* Nothing is sent: the caller's releases must still go. */
		for (i = 0; i < cb->nrel && i < EMU_CB_MAX; i++)
			emu_relq_push(&c->emu->relq, cb->rel[i]);
		return QTEE_ERROR_INVALID;
	}
	/*
	 * Pending releases ride in the request's tail.  None of them names
	 * this request's target or inputs: those are references still held.
	 */
	pos = qtee_async_start(&req);
	put_own_releases(c, cb, &pos);
	emu_relq_drain(&c->emu->relq, c->outbound, c->out_size, &pos, 0);
	r = emu_call_send_raw(c, &req);
	if (r != QTEE_OK)
		return r;

	/* Objects first: each carries a reference even if a size is bad. */
	for (i = 0; i < cb->noo; i++) {
		cb->oo[i] = qtee_msg_get_obj(&req, qtee_idx_oo(req.counts) + i);
		emu_call_owe_release(c, cb->oo[i]);
	}
	for (i = 0; i < cb->nbo; i++) {
		if (qtee_msg_read_out_size(&req, cb->nbi + i, &len)) {
			emu_err("callback to %#x: output %u grew", cb->id, i);
			return QTEE_ERROR_INVALID;
		}
		memcpy(cb->bo[i].ptr, qtee_msg_payload(&req, cb->nbi + i), len);
		cb->bo[i].len = len;
	}
	return QTEE_OK;
}
