// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The emulator test bench (see emu_harness.h). */
#include "emu_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/objinvoke.h>

#include "ICallbackService.h"
#include "IClientEnv.h"
#include "ITestService.h"
#include "dispatch.h"
#include "log.h"

/* The harness whose delay method is running; tests are single-threaded. */
static struct harness *sleeping;

static void fake_sleep(uint32_t ms)
{
	sleeping->slept_ms += ms;
}

/* The transport: record the request, answer it in place. */
static int roundtrip(void *priv, void *outbound, uint32_t out_size)
{
	struct harness *h = priv;
	struct qtee_msg req;

	assert_ptr_equal(outbound, h->out);
	assert_int_equal(out_size, EMU_OUTBOUND_SIZE);
	if (h->n_cb < H_MAX_CB)
		memcpy(h->cb[h->n_cb], outbound, out_size);
	h->n_cb++;
	if (h->roundtrip_error)
		return -h->roundtrip_error;
	if (qtee_msg_parse(&req, outbound, out_size, QTEE_MSG_CALLBACK))
		h->responder(h, NULL);
	else
		h->responder(h, &req);
	return 0;
}

struct harness *h_new(void)
{
	struct harness *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	emu_log_level = EMU_LOG_ERR;
	emu_init(&h->emu);
	h->emu.sleep_ms = fake_sleep;
	sleeping = h;
	h->tx.roundtrip = roundtrip;
	h->tx.priv = h;
	h->responder = h_kernel_responder;
	h->uid = 1000;
	h->gid = 100;
	h->pid = 4242;
	h->exe = "/usr/bin/client";
	return h;
}

void h_free(struct harness *h)
{
	emu_fini(&h->emu);
	free(h);
}

/* Answer a credentials method: one output buffer.
 * real: test_credentials.c:credentials_describe_the_caller */
static void answer_creds(struct harness *h, struct qtee_msg *req)
{
	struct objinvoke_creds_info info = { h->uid, h->gid, h->pid, 0 };
	const void *data = req->op == OBJINVOKE_CREDS_OP_GET_INFO ?
		(const void *)&info : (const void *)h->exe;
	uint32_t len = req->op == OBJINVOKE_CREDS_OP_GET_INFO ?
		sizeof(info) : (uint32_t)strlen(h->exe);

	if (req->counts != QTEE_COUNTS(0U, 1U, 0U, 0U) || req->op > 1) {
		qtee_msg_set_result(req, QTEE_ERROR_INVALID);
		return;
	}
	if (len > req->len[0]) {
		qtee_msg_set_result(req, QTEE_ERROR_SIZE_OUT);
		return;
	}
	memcpy(qtee_msg_payload(req, 0), data, len);
	qtee_msg_write_out_size(req, 0, len);
	qtee_msg_set_result(req, QTEE_OK);
}

void h_kernel_responder(struct harness *h, struct qtee_msg *req)
{
	/* What the kernel does with what it cannot parse or look up.
	 * real: test_faults.c:callback_with_bad_counts_is_invalid
	 * real: test_faults.c:callback_to_unknown_object_is_badobj */
	if (!req) {
		qtee_msg_set_result(&(struct qtee_msg){ .buf = h->out },
				    QTEE_ERROR_INVALID);
		return;
	}
	if (req->cxt == H_CREDS_ID)
		answer_creds(h, req);
	else if (req->cxt == QTEE_OBJ_PRIMORDIAL)
		/* yield and sleep succeed; anything else is invalid here
		 * (map region needs memkernel.c's memory objects).
		 * real: test_invoke.c:primordial_callbacks_run */
		qtee_msg_set_result(req, req->op == 1 || req->op == 2 ?
				    QTEE_OK : QTEE_ERROR_INVALID);
	else
		qtee_msg_set_result(req, QTEE_ERROR_BADOBJ);
}

void h_begin(struct harness *h, uint32_t cxt, uint32_t op, unsigned int bi,
	     unsigned int bo, unsigned int io, unsigned int oo)
{
	memset(h->in, 0, sizeof(h->in));
	assert_int_equal(qtee_msg_init(&h->sent, h->in, sizeof(h->in),
				       QTEE_MSG_INVOKE, cxt, op,
				       QTEE_COUNTS(bi, bo, io, oo)), 0);
}

void h_bi(struct harness *h, unsigned int i, const void *data, uint32_t len)
{
	void *p;

	assert_int_equal(qtee_msg_add_buf(&h->sent, i, len, &p), 0);
	memcpy(p, data, len);
}

void h_bi_u32(struct harness *h, unsigned int i, uint32_t v)
{
	h_bi(h, i, &v, sizeof(v));
}

void h_bo(struct harness *h, unsigned int i, uint32_t cap)
{
	void *p;

	assert_int_equal(qtee_msg_add_buf(&h->sent,
					  QTEE_IDX_BO(h->sent.counts) + i,
					  cap, &p), 0);
}

void h_io(struct harness *h, unsigned int i, uint32_t id)
{
	qtee_msg_set_obj(&h->sent, qtee_idx_io(h->sent.counts) + i, id);
}

int32_t h_run(struct harness *h)
{
	/* The kernel's inbound buffer is sized to the message. */
	memset(h->out, 0, sizeof(h->out));
	h->n_cb = 0;
	emu_call_init(&h->call, &h->emu, &h->tx, h->in, h->sent.end, h->out,
		      sizeof(h->out));
	emu_dispatch(&h->call);
	return h->call.result;
}

uint32_t h_out_size(struct harness *h, unsigned int bo)
{
	uint32_t size;

	assert_int_equal(qtee_msg_read_out_size(&h->sent,
				QTEE_IDX_BO(h->sent.counts) + bo, &size), 0);
	return size;
}

const void *h_out(struct harness *h, unsigned int bo)
{
	return qtee_msg_payload(&h->sent, QTEE_IDX_BO(h->sent.counts) + bo);
}

uint32_t h_out_u32(struct harness *h, unsigned int bo)
{
	uint32_t v;

	assert_int_equal(h_out_size(h, bo), sizeof(v));
	memcpy(&v, h_out(h, bo), sizeof(v));
	return v;
}

uint32_t h_oo(struct harness *h, unsigned int oo)
{
	return qtee_msg_get_obj(&h->sent, qtee_idx_oo(h->sent.counts) + oo);
}

unsigned int h_releases(struct harness *h, uint32_t *ids, unsigned int max)
{
	return h_async_ids(h->out, 0, ids, max);
}

unsigned int h_async_ids(const void *buf, uint32_t pos, uint32_t *ids,
			 unsigned int max)
{
	struct qtee_async a;
	unsigned int n = 0;
	uint32_t i;

	while (qtee_async_next(buf, EMU_OUTBOUND_SIZE, &pos, &a) == 0) {
		assert_int_equal(a.op, QTEE_ASYNC_OP_RELEASE);
		for (i = 0; i < a.count; i++) {
			assert_true(n < max);
			ids[n++] = qtee_async_id(&a, i);
		}
	}
	return n;
}

void h_cb_msg(struct harness *h, unsigned int i, struct qtee_msg *m)
{
	assert_true(i < H_MAX_CB && i < h->n_cb);
	assert_int_equal(qtee_msg_parse(m, h->cb[i], EMU_OUTBOUND_SIZE,
					QTEE_MSG_CALLBACK), 0);
}

uint32_t h_register(struct harness *h)
{
	h_begin(h, QTEE_OBJ_ROOT, IRootObject_OP_registerWithCredentials,
		0, 0, 1, 1);
	h_io(h, 0, H_CREDS_ID);
	assert_int_equal(h_run(h), QTEE_OK);
	return h_oo(h, 0);
}

uint32_t h_open(struct harness *h, uint32_t env, uint32_t uid)
{
	h_begin(h, env, IClientEnv_OP_open, 1, 0, 0, 1);
	h_bi_u32(h, 0, uid);
	assert_int_equal(h_run(h), QTEE_OK);
	return h_oo(h, 0);
}

uint32_t h_test_service(struct harness *h)
{
	uint32_t env = h_register(h), svc = h_open(h, env, ITestService_UID);

	assert_int_equal(h_release(h, env), QTEE_OK);
	return svc;
}

uint32_t h_callback_service(struct harness *h)
{
	uint32_t env = h_register(h), svc = h_open(h, env, ICallbackService_UID);

	assert_int_equal(h_release(h, env), QTEE_OK);
	return svc;
}

int32_t h_call_u32(struct harness *h, uint32_t obj, uint32_t op, uint32_t v)
{
	h_begin(h, obj, op, 1, 0, 0, 0);
	h_bi_u32(h, 0, v);
	return h_run(h);
}

int32_t h_get_u32(struct harness *h, uint32_t obj, uint32_t op, uint32_t *v)
{
	int32_t r;

	h_begin(h, obj, op, 0, 1, 0, 0);
	h_bo(h, 0, sizeof(*v));
	r = h_run(h);
	if (r == QTEE_OK)
		*v = h_out_u32(h, 0);
	return r;
}

int32_t h_release(struct harness *h, uint32_t obj)
{
	h_begin(h, obj, QTEE_OP_RELEASE, 0, 0, 0, 0);
	return h_run(h);
}

uint32_t h_live(struct harness *h)
{
	return emu_objtable_count(&h->emu.table);
}

uint32_t h_nw_refs(struct harness *h, uint32_t id)
{
	struct emu_obj *o = emu_obj_get(&h->emu.table, id);
	uint32_t n;

	if (!o)
		return 0;
	n = o->nw_refs;		/* single-threaded: no lock needed */
	emu_obj_put(o);
	return n;
}
