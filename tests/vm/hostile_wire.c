// SPDX-License-Identifier: MIT
/*
 * hostile_wire.c - the messages of test_hostile_tee's secure world: the
 * object IDs, results and session numbers it names, DONE replies and
 * callback requests built with the kernel's own codec, the releases it
 * sends in their tails, and the mutations that corrupt them.  Only
 * building: hostile_tee.c sends them and judges the answers.
 */
#include <stdatomic.h>
#include <string.h>

#include "hostile.h"

/* ---- sessions and IDs seen, shared so threads can meddle in others' */

#define SEEN 64

static _Atomic uint64_t seen_sessions[SEEN];
static _Atomic uint32_t seen_ns_ids[SEEN];

void remember_session(struct rng *r, uint64_t session)
{
	atomic_store(&seen_sessions[rng_below(r, SEEN)], session);
}

void remember_ns_id(struct rng *r, uint32_t id)
{
	atomic_store(&seen_ns_ids[rng_below(r, SEEN)], id);
}

/* A session number: seen (maybe another thread's, maybe over) or not. */
uint64_t some_session(struct rng *r)
{
	switch (rng_below(r, 4)) {
	case 0:
		return rng_next(r);	/* mostly past U32_MAX */
	case 1:
		return rng_below(r, 1000000) + 1;
	default:
		return atomic_load(&seen_sessions[rng_below(r, SEEN)]);
	}
}

/* An object ID for the TEE to name: anything from NULL to garbage. */
uint32_t some_object_id(struct secure_thread *t)
{
	struct rng *r = &t->rng;

	switch (rng_below(r, 9)) {
	case 0:
		return QTEE_OBJ_NULL;
	case 1:
		return QTEE_OBJ_ROOT;
	case 2:
		return QTEE_OBJ_PRIMORDIAL;
	case 3:
		return rng_below(r, 64) + 2;	/* a TEE object */
	case 4:
		return (uint32_t)rng_next(r);
	case 5:
		return QTEE_OBJ_NS_BIT | (rng_below(r, 4096) + 1);
	case 6:
		return atomic_load(&seen_ns_ids[rng_below(r, SEEN)]);
	default:
		return t->h.n_ns ? t->h.ns_ids[rng_below(r, t->h.n_ns)] :
				   QTEE_OBJ_NS_BIT | rng_below(r, 64);
	}
}

int32_t some_result(struct rng *r)
{
	static const int32_t results[] = {
		QTEE_OK, QTEE_OK, QTEE_OK, QTEE_ERROR, QTEE_ERROR_INVALID,
		QTEE_ERROR_SIZE_OUT, QTEE_ERROR_USERBASE, QTEE_ERROR_DEFUNCT,
		QTEE_ERROR_BADOBJ, QTEE_ERROR_BUSY, INT32_MIN, INT32_MAX,
	};

	if (rng_chance(r, 20))
		return (int32_t)rng_next(r);
	return results[rng_below(r, sizeof(results) / sizeof(results[0]))];
}

/* Flip a few words or bytes of a message, its header and arguments most. */
void mutate(struct rng *r, unsigned char *buf, uint32_t len)
{
	unsigned int n = rng_below(r, 4) + 1;
	uint32_t head = len < 16 + 8 * 8 ? len : 16 + 8 * 8;

	while (n-- && len >= 4) {
		uint32_t pos = rng_chance(r, 75) ? rng_below(r, head) :
						   rng_below(r, len);
		uint32_t word;

		pos &= ~3U;
		if (pos + 4 > len)
			continue;
		switch (rng_below(r, 5)) {
		case 0:
			word = (uint32_t)rng_next(r);
			break;
		case 1:
			word = 0xffffffffU;
			break;
		case 2:
			word = QTEE_OBJ_NS_BIT | rng_below(r, 64);
			break;
		case 3:
			memcpy(&word, buf + pos, 4);
			word ^= 1U << rng_below(r, 32);
			break;
		default:
			memcpy(&word, buf + pos, 4);
			word += rng_below(r, 16) - 8;
		}
		memcpy(buf + pos, &word, 4);
	}
}

/*
 * The NS IDs a thread owes (or pretends to) go in a release at *pos: the
 * ones it got in callbacks, and with the final answer (@done) the
 * invocation's own input objects, which the session's callbacks may
 * still name.
 */
void put_releases(struct secure_thread *t, void *buf, uint32_t *pos,
		  bool done)
{
	struct held *h = &t->h;
	struct rng *r = &t->rng;
	uint32_t ids[QTEE_MAX_PER_KIND + 40];
	uint32_t n = 0;

	for (unsigned int i = 0; i < h->n_owed; i++)
		if (rng_chance(r, 90))	/* the rest stay until the flush */
			ids[n++] = h->owed[i];
	h->n_owed = 0;
	for (unsigned int i = 0; done && i < h->n_ns; i++)
		if (rng_chance(r, 90))
			ids[n++] = h->ns_ids[i];
	while (n < sizeof(ids) / sizeof(ids[0]) && rng_chance(r, 15))
		ids[n++] = some_object_id(t);	/* random IDs, twice maybe */
	if (n)
		qtee_async_put_release(buf, OUTBOUND_SIZE, pos, ids, n);
	if (rng_chance(r, 3) && *pos + 16 <= OUTBOUND_SIZE) {
		rng_fill(r, (unsigned char *)buf + *pos, 16);	/* garbage */
		*pos += 16;
	}
}

void owe(struct held *h, uint32_t id)
{
	if ((id & QTEE_OBJ_NS_BIT) && id != QTEE_OBJ_PRIMORDIAL &&
	    h->n_owed < sizeof(h->owed) / sizeof(h->owed[0]))
		h->owed[h->n_owed++] = id;
}

/* ---- DONE replies */

/* Rewrite the direct invocation in place as a well-formed reply. */
void write_reply(struct secure_thread *t)
{
	struct qtee_msg *m = &t->h.invoke;
	struct rng *r = &t->rng;
	uint32_t c = m->counts;

	for (uint32_t i = QTEE_IDX_BO(c); i < qtee_idx_io(c); i++) {
		uint32_t size = rng_below(r, m->len[i] + 1);

		rng_fill(r, qtee_msg_payload(m, i), size);
		qtee_msg_write_out_size(m, i, size);
	}
	/* TEE objects half the time: clients invoke those again, with
	 * memory objects the next callbacks can map. */
	for (uint32_t i = qtee_idx_oo(c); i < qtee_num_args(c); i++)
		qtee_msg_set_obj(m, i, rng_chance(r, 50) ?
				 rng_below(r, 64) + 2 : some_object_id(t));
}

/* ---- callback requests */

/* The object a callback is for, and its op. */
void pick_callback_target(struct secure_thread *t, uint32_t *cxt,
			  uint32_t *op)
{
	struct rng *r = &t->rng;

	/*
	 * Map what the invocation brought, each object in turn, as QTEE
	 * maps the memory objects it is given: the TEE cannot tell a dma-buf
	 * from the other objects, and picked at random a session's few
	 * callbacks left map regions of memory to a handful a run.
	 */
	if (t->h.n_mapped < t->h.n_ns && rng_chance(r, 70)) {
		*cxt = QTEE_OBJ_PRIMORDIAL;
		*op = QTEE_PRIMORDIAL_MAP_REGION;
		return;
	}
	*op = rng_below(r, 8);
	switch (rng_below(r, 10)) {
	case 0: case 1: case 2:
		*cxt = QTEE_OBJ_PRIMORDIAL;
		*op = rng_chance(r, 70) ? QTEE_PRIMORDIAL_MAP_REGION :
					  rng_below(r, 5);
		break;
	case 3:
		*cxt = some_object_id(t);
		if (rng_chance(r, 10))
			*op = rng_chance(r, 50) ? QTEE_OP_RELEASE :
						  QTEE_OP_RETAIN;
		break;
	default:
		*cxt = t->h.n_ns ? t->h.ns_ids[rng_below(r, t->h.n_ns)] :
				   some_object_id(t);
	}
}

/* Map region of one of the invocation's objects, as QTEE asks it. */
int build_map_region(struct secure_thread *t, struct qtee_msg *req)
{
	struct rng *r = &t->rng;
	uint32_t bo = rng_chance(r, 90) ? QTEE_MAP_REGION_SIZE : rng_below(r, 40);
	uint32_t obj;
	void *payload;
	int ret;

	ret = qtee_msg_init(req, t->out, OUTBOUND_SIZE, QTEE_MSG_CALLBACK,
			    QTEE_OBJ_PRIMORDIAL, QTEE_PRIMORDIAL_MAP_REGION,
			    QTEE_COUNTS(0, 1, 1, 1));
	if (!ret)
		ret = qtee_msg_add_buf(req, 0, bo, &payload);
	if (ret)
		return ret;
	/* Mostly an object the invocation brought: a memory object maybe. */
	if (t->h.n_mapped < t->h.n_ns && rng_chance(r, 90))
		obj = t->h.ns_ids[t->h.n_mapped++];
	else if (t->h.n_ns && rng_chance(r, 80))
		obj = t->h.ns_ids[rng_below(r, t->h.n_ns)];
	else
		obj = some_object_id(t);
	qtee_msg_set_obj(req, 1, obj);
	return 0;
}

/* Any request: random counts, buffers and objects. */
int build_any_callback(struct secure_thread *t, struct qtee_msg *req,
		       uint32_t cxt, uint32_t op)
{
	struct rng *r = &t->rng;
	uint32_t c = QTEE_COUNTS(rng_below(r, 3), rng_below(r, 3),
				 rng_below(r, 3), rng_below(r, 3));
	void *payload;
	int ret;

	if (cxt == QTEE_OBJ_PRIMORDIAL && op == QTEE_PRIMORDIAL_SLEEP &&
	    rng_chance(r, 80))
		c = QTEE_COUNTS(1, 0, 0, 0);
	ret = qtee_msg_init(req, t->out, OUTBOUND_SIZE, QTEE_MSG_CALLBACK,
			    cxt, op, c);
	for (uint32_t i = 0; !ret && i < qtee_num_bufs(c); i++) {
		uint32_t size = rng_below(r, 64);

		if (cxt == QTEE_OBJ_PRIMORDIAL && op == QTEE_PRIMORDIAL_SLEEP)
			size = 4;
		ret = qtee_msg_add_buf(req, i, size, &payload);
		if (!ret && i < QTEE_NUM_BI(c))
			rng_fill(r, payload, size);
	}
	/* Sleep a few ms at most (the callers are real threads), or ask
	 * for more than the kernel allows. */
	if (!ret && cxt == QTEE_OBJ_PRIMORDIAL && op == QTEE_PRIMORDIAL_SLEEP &&
	    QTEE_NUM_BI(c) && req->len[0] == 4)
		*(uint32_t *)qtee_msg_payload(req, 0) = rng_chance(r, 90) ?
			rng_below(r, 5) : 10001 + rng_below(r, 9);
	for (uint32_t i = qtee_idx_io(c); !ret && i < qtee_idx_oo(c); i++)
		qtee_msg_set_obj(req, i, some_object_id(t));
	return ret;
}
