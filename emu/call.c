// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * An invocation's arguments and answer (see call.h).  Methods write output
 * payloads in place, but output sizes and objects are staged here and reach
 * the message only in emu_call_finish(), so that an error result never
 * hands out objects (or references) the NW will not read.
 */
#include "call.h"

#include <endian.h>
#include <string.h>

#include "emu.h"
#include "log.h"
#include "objtable.h"

void emu_call_init(struct emu_call *c, struct emu *e,
		   const struct emu_transport *tx, void *inbound,
		   uint32_t in_size, void *outbound, uint32_t out_size)
{
	memset(c, 0, sizeof(*c));
	c->emu = e;
	c->tx = tx;
	c->inbound = inbound;
	c->in_size = in_size;
	c->outbound = outbound;
	c->out_size = out_size;
}

int32_t emu_call_expect(const struct emu_call *c, unsigned int bi,
			unsigned int bo, unsigned int io, unsigned int oo)
{
	if (emu_call_nbi(c) != bi)
		return QTEE_ERROR_SIZE_IN;
	if (emu_call_nbo(c) != bo || emu_call_nio(c) != io ||
	    emu_call_noo(c) != oo)
		return QTEE_ERROR_INVALID;
	return QTEE_OK;
}

const void *emu_call_bi(const struct emu_call *c, unsigned int i,
			uint32_t *len)
{
	*len = c->msg.len[i];
	return qtee_msg_payload(&c->msg, i);
}

int32_t emu_call_bi_u32(const struct emu_call *c, unsigned int i,
			uint32_t *v)
{
	uint32_t len;
	const void *p = emu_call_bi(c, i, &len);

	if (len != sizeof(*v))
		return QTEE_ERROR_SIZE_IN;
	/* Payloads are 8-aligned, but copy anyway: no alignment assumptions. */
	memcpy(v, p, sizeof(*v));
	*v = le32toh(*v);
	return QTEE_OK;
}

void *emu_call_bo(struct emu_call *c, unsigned int i, uint32_t *cap)
{
	unsigned int arg = QTEE_IDX_BO(c->msg.counts) + i;

	*cap = c->msg.len[arg];
	return qtee_msg_payload(&c->msg, arg);
}

void emu_call_bo_written(struct emu_call *c, unsigned int i, uint32_t len)
{
	c->bo_size[i] = len;
}

int32_t emu_call_bo_put(struct emu_call *c, unsigned int i,
			const void *data, uint32_t len)
{
	uint32_t cap;
	void *p = emu_call_bo(c, i, &cap);

	if (len > cap)
		return QTEE_ERROR_SIZE_OUT;
	memmove(p, data, len);	/* mirror may copy within the inbound */
	emu_call_bo_written(c, i, len);
	return QTEE_OK;
}

int32_t emu_call_bo_put_u32(struct emu_call *c, unsigned int i, uint32_t v)
{
	v = htole32(v);
	return emu_call_bo_put(c, i, &v, sizeof(v));
}

uint32_t emu_call_io(const struct emu_call *c, unsigned int i)
{
	return qtee_msg_get_obj(&c->msg, qtee_idx_io(c->msg.counts) + i);
}

static void drop_oo(struct emu_call *c, unsigned int i)
{
	if (c->oo[i].obj)
		emu_obj_put(c->oo[i].obj);
	c->oo[i].obj = NULL;
	c->oo[i].id = QTEE_OBJ_NULL;
}

void emu_call_set_oo_obj(struct emu_call *c, unsigned int i,
			 struct emu_obj *o)
{
	drop_oo(c, i);
	c->oo[i].obj = o;
	c->oo[i].id = o->id;
}

void emu_call_set_oo_id(struct emu_call *c, unsigned int i, uint32_t id)
{
	drop_oo(c, i);
	c->oo[i].id = id;
}

void emu_call_owe_release(struct emu_call *c, uint32_t id)
{
	/* Only NW objects carry references; the primordial one is not counted. */
	if (!(id & QTEE_OBJ_NS_BIT) || id == QTEE_OBJ_PRIMORDIAL)
		return;
	if (c->n_releases == EMU_MAX_RELEASES) {
		emu_relq_push(&c->emu->relq, id);
		return;
	}
	c->releases[c->n_releases++] = id;
}

bool emu_call_keep_ref(struct emu_call *c, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < c->n_releases; i++) {
		if (c->releases[i] == id) {
			c->releases[i] = c->releases[--c->n_releases];
			return true;
		}
	}
	return false;
}

/* The owed releases, then the queue's, from offset 0 of the outbound. */
static uint32_t put_releases(struct emu_call *c)
{
	uint32_t pos = 0;
	unsigned int i;

	/* Async messages nobody will read: keep the references queued. */
	if (c->async_unread) {
		for (i = 0; i < c->n_releases; i++)
			emu_relq_push(&c->emu->relq, c->releases[i]);
		return 0;
	}
	if (c->n_releases) {
		if (qtee_async_put_release(c->outbound, c->out_size, &pos,
					   c->releases, c->n_releases)) {
			emu_warn("no room to release %u NW references: queued",
				 c->n_releases);
			for (i = 0; i < c->n_releases; i++)
				emu_relq_push(&c->emu->relq, c->releases[i]);
		} else {
			emu_trace("released %u NW references", c->n_releases);
		}
	}
	emu_relq_drain(&c->emu->relq, c->outbound, c->out_size, &pos,
		       EMU_ASYNC_RESERVE);
	return pos;
}

/* Output sizes and objects into the inbound buffer, for an OK answer. */
static void write_outputs(struct emu_call *c)
{
	unsigned int i, bo = QTEE_IDX_BO(c->msg.counts);
	unsigned int oo = qtee_idx_oo(c->msg.counts);

	for (i = 0; i < emu_call_nbo(c); i++)
		qtee_msg_write_out_size(&c->msg, bo + i, c->bo_size[i]);
	for (i = 0; i < emu_call_noo(c); i++) {
		/* The NW gets a reference of its own; ours goes below. */
		if (c->oo[i].obj)
			emu_obj_give_nw(c->oo[i].obj);
		qtee_msg_set_obj(&c->msg, oo + i, c->oo[i].id);
	}
}

void emu_call_finish(struct emu_call *c, int32_t result)
{
	unsigned int i;

	c->status = EMU_STATUS_DONE;
	c->result = result;
	c->reply_in_size = c->in_size;
	c->reply_out_size = c->out_size;

	/*
	 * The NW reads outputs only on success; otherwise leave them be.
	 * An owed NW ID the answer also names is released in this same
	 * answer: the kernel takes hold of what a reply names before it
	 * processes the reply's releases, while a release in any other
	 * message (another thread's) could reach it first.
	 */
	if (c->parsed && result == QTEE_OK)
		write_outputs(c);
	for (i = 0; i < QTEE_MAX_PER_KIND; i++)
		drop_oo(c, i);

	/* The outbound buffer now carries only the async messages. */
	memset(c->outbound, 0, c->out_size);
	c->async_end = put_releases(c);
}
