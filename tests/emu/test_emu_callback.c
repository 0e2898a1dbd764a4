// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The callback service: each method's request as the NW receives it, the
 * answer the caller gets, and every NW reference given back exactly once,
 * in a message that no longer names it.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ICallbackService.h"
#include "ITestService.h"
#include "dispatch.h"
#include "emu_harness.h"

/* NW objects the model process hosts (H_OTHER_ID is one more). */
#define T_ARG	0x80000020U	/* an argument the caller passes */
#define T_OUT	0x80000021U	/* what the target returns */
#define T_NEXT	0x80000022U

/* How the model NW target answers; reset before each test. */
static struct {
	int32_t result;
	uint32_t out_id;	/* its output object */
	uint32_t grow;		/* added to the BO size it answers */
	void (*during)(struct harness *h);	/* runs inside the callback */
} nw;

/*
 * The model target: BO 0 = BI 0 in upper case; OO 0 = nw.out_id.  The
 * kernel's own objects keep the harness's model.
 */
static void target_responder(struct harness *h, struct qtee_msg *req)
{
	unsigned int i, c;
	uint32_t n = 0;

	if (!req || req->cxt == QTEE_OBJ_PRIMORDIAL || req->cxt == H_CREDS_ID) {
		h_kernel_responder(h, req);
		return;
	}
	if (nw.during)
		nw.during(h);
	c = req->counts;
	if (nw.result) {
		qtee_msg_set_result(req, nw.result);
		return;
	}
	if (QTEE_NUM_BO(c)) {
		unsigned char *out = qtee_msg_payload(req, QTEE_IDX_BO(c));
		const unsigned char *in = qtee_msg_payload(req, 0);

		n = QTEE_NUM_BI(c) ? req->len[0] : 0;
		if (n > req->len[QTEE_IDX_BO(c)])
			n = req->len[QTEE_IDX_BO(c)];
		for (i = 0; i < n; i++)
			out[i] = (unsigned char)toupper(in[i]);
		qtee_msg_write_out_size(req, QTEE_IDX_BO(c), n + nw.grow);
	}
	if (QTEE_NUM_OO(c))
		qtee_msg_set_obj(req, qtee_idx_oo(c), nw.out_id);
	qtee_msg_set_result(req, QTEE_OK);
}

static int setup(void **state)
{
	struct harness *h = h_new();

	memset(&nw, 0, sizeof(nw));
	h->responder = target_responder;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	h_free(*state);
	return 0;
}

static int32_t cs_call(struct harness *h, uint32_t svc, uint32_t target,
		       uint32_t op)
{
	h_begin(h, svc, ICallbackService_OP_call, 1, 0, 1, 0);
	h_bi_u32(h, 0, op);
	h_io(h, 0, target);
	return h_run(h);
}

/* callBufs (target != 0) or callKept (target == 0). */
static int32_t cs_bufs(struct harness *h, uint32_t svc, uint32_t target,
		       uint32_t op, const char *data, uint32_t len,
		       uint32_t cap)
{
	h_begin(h, svc, target ? ICallbackService_OP_callBufs :
		ICallbackService_OP_callKept, 2, 1, target ? 1 : 0, 0);
	h_bi_u32(h, 0, op);
	h_bi(h, 1, data, len);
	h_bo(h, 0, cap);
	if (target)
		h_io(h, 0, target);
	return h_run(h);
}

static int32_t cs_objects(struct harness *h, uint32_t svc, uint32_t target,
			  uint32_t arg)
{
	h_begin(h, svc, ICallbackService_OP_callObjects, 1, 0, 2, 1);
	h_bi_u32(h, 0, 9);
	h_io(h, 0, target);
	h_io(h, 1, arg);
	return h_run(h);
}

static int32_t cs_keep(struct harness *h, uint32_t svc, uint32_t target)
{
	h_begin(h, svc, ICallbackService_OP_keep, 0, 0, 1, 0);
	h_io(h, 0, target);
	return h_run(h);
}

static int32_t cs_drop(struct harness *h, uint32_t svc)
{
	h_begin(h, svc, ICallbackService_OP_dropKept, 0, 0, 0, 0);
	return h_run(h);
}

/* The answer's releases: exactly @want, in any order. */
static void expect_releases(struct harness *h, const uint32_t *want,
			    unsigned int n)
{
	uint32_t ids[16];
	unsigned int i, j, got = h_releases(h, ids, 16);

	if (got != n)
		print_error("releases: got %u, want %u (first %#x)\n", got, n,
			    got ? ids[0] : 0);
	assert_int_equal(got, n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < got && ids[j] != want[i]; j++)
			;
		assert_true(j < got);
		ids[j] = 0;	/* each counts once */
	}
}

#define EXPECT_RELEASES(h, ...) do { \
	const uint32_t want_[] = { __VA_ARGS__ }; \
	expect_releases(h, want_, sizeof(want_) / sizeof(want_[0])); \
} while (0)
#define EXPECT_NO_RELEASES(h) expect_releases(h, NULL, 0)

static void service_opens(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);

	assert_true(svc >= 2 && !(svc & QTEE_OBJ_NS_BIT));
	assert_int_equal(h_nw_refs(h, svc), 1);
	assert_int_equal(h_live(h), 1);
	assert_int_equal(h_release(h, svc), QTEE_OK);
	assert_int_equal(h_live(h), 0);
}

static void call_calls_back(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);
	struct qtee_msg m;

	assert_int_equal(cs_call(h, svc, H_OTHER_ID, 0x1234), QTEE_OK);
	assert_int_equal(h->n_cb, 1);
	h_cb_msg(h, 0, &m);
	assert_int_equal(m.cxt, H_OTHER_ID);
	assert_int_equal(m.op, 0x1234);
	assert_int_equal(m.counts, 0);
	EXPECT_RELEASES(h, H_OTHER_ID);

	/* The callback's result is the answer's, and the target goes back. */
	nw.result = 77;
	assert_int_equal(cs_call(h, svc, H_OTHER_ID, 1), 77);
	EXPECT_RELEASES(h, H_OTHER_ID);
	nw.result = QTEE_ERROR_BADOBJ;
	assert_int_equal(cs_call(h, svc, H_OTHER_ID, 1), QTEE_ERROR_BADOBJ);
	EXPECT_RELEASES(h, H_OTHER_ID);

	/* The primordial object is a target too, and never released. */
	assert_int_equal(cs_call(h, svc, QTEE_OBJ_PRIMORDIAL, 1), QTEE_OK);
	EXPECT_NO_RELEASES(h);
}

static void call_refuses_non_nw_targets(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);
	const uint32_t bad[] = { QTEE_OBJ_NULL, QTEE_OBJ_ROOT, svc, 0x777 };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(cs_call(h, svc, bad[i], 0), QTEE_ERROR_BADOBJ);
		assert_int_equal(h->n_cb, 0);
	}
	/* Wrong shapes. */
	h_begin(h, svc, ICallbackService_OP_call, 0, 0, 1, 0);
	h_io(h, 0, H_OTHER_ID);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_IN);
	EXPECT_RELEASES(h, H_OTHER_ID);
	h_begin(h, svc, ICallbackService_OP_call, 1, 0, 0, 0);
	h_bi_u32(h, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
	h_begin(h, svc, 6, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
}

static void call_when_the_nw_is_gone(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);

	h->roundtrip_error = 19;	/* ENODEV */
	assert_int_equal(cs_call(h, svc, H_OTHER_ID, 0), QTEE_ERROR_DEFUNCT);
}

static void call_bufs_round_trip(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);
	struct qtee_msg m;

	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 3, "hello", 5, 16),
			 QTEE_OK);
	assert_int_equal(h_out_size(h, 0), 5);
	assert_memory_equal(h_out(h, 0), "HELLO", 5);

	/* The request: op, one BI with the data, one BO of the caller's size. */
	h_cb_msg(h, 0, &m);
	assert_int_equal(m.cxt, H_OTHER_ID);
	assert_int_equal(m.op, 3);
	assert_int_equal(m.counts, QTEE_COUNTS(1U, 1U, 0U, 0U));
	assert_int_equal(m.len[0], 5);
	assert_memory_equal(qtee_msg_payload(&m, 0), "hello", 5);
	assert_int_equal(m.len[1], 16);
	EXPECT_RELEASES(h, H_OTHER_ID);

	/* An answer shorter than the data, and empty buffers. */
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 3, "hello", 5, 2),
			 QTEE_OK);
	assert_int_equal(h_out_size(h, 0), 2);
	assert_memory_equal(h_out(h, 0), "HE", 2);
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 3, "", 0, 0), QTEE_OK);
	assert_int_equal(h_out_size(h, 0), 0);

	/* The callback's error comes back; the BO is not written. */
	nw.result = 50;
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 3, "x", 1, 4), 50);
	assert_int_equal(h_out_size(h, 0), 4);
}

static void call_bufs_rejects_a_grown_size(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);

	nw.grow = 12;	/* answers 5 + 12 bytes into 16 reserved */
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 3, "hello", 5, 16),
			 QTEE_ERROR_INVALID);
	assert_int_equal(h_out_size(h, 0), 16);	/* untouched */
	EXPECT_RELEASES(h, H_OTHER_ID);

	/* Exactly the reserved size is fine. */
	nw.grow = 11;
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 3, "hello", 5, 16),
			 QTEE_OK);
	assert_int_equal(h_out_size(h, 0), 16);
}

static void call_bufs_limits_the_data(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);
	static char big[ICallbackService_MAX_DATA + 1];

	memset(big, 'a', sizeof(big));
	/* Data and BO space together up to MAX_DATA... */
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 0, big, 1024, 1024),
			 QTEE_OK);
	assert_int_equal(h_out_size(h, 0), 1024);
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 0, big,
				 ICallbackService_MAX_DATA, 0), QTEE_OK);
	/* ...one byte more is MAXDATA, with no callback made. */
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 0, big, 1024, 1025),
			 QTEE_ERROR_MAXDATA);
	assert_int_equal(h->n_cb, 0);
	EXPECT_RELEASES(h, H_OTHER_ID);
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 0, big,
				 ICallbackService_MAX_DATA + 1, 0),
			 QTEE_ERROR_MAXDATA);
	assert_int_equal(cs_bufs(h, svc, H_OTHER_ID, 0, big, 0, 60000),
			 QTEE_ERROR_MAXDATA);
}

static void call_objects_null(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);
	struct qtee_msg m;

	assert_int_equal(cs_objects(h, svc, H_OTHER_ID, QTEE_OBJ_NULL),
			 QTEE_OK);
	assert_int_equal(h_oo(h, 0), QTEE_OBJ_NULL);
	h_cb_msg(h, 0, &m);
	assert_int_equal(m.op, 9);
	assert_int_equal(m.counts, QTEE_COUNTS(0U, 0U, 1U, 1U));
	assert_int_equal(qtee_msg_get_obj(&m, 0), QTEE_OBJ_NULL);
	EXPECT_RELEASES(h, H_OTHER_ID);
	assert_int_equal(h_live(h), 1);
}

static void call_objects_nw(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);
	struct qtee_msg m;

	/* An NW argument only names its object; the NW returns another. */
	nw.out_id = T_OUT;
	assert_int_equal(cs_objects(h, svc, H_OTHER_ID, T_ARG), QTEE_OK);
	h_cb_msg(h, 0, &m);
	assert_int_equal(qtee_msg_get_obj(&m, 0), T_ARG);
	assert_int_equal(h_oo(h, 0), T_OUT);
	/*
	 * Target, argument and T_OUT all go back in this answer: the kernel
	 * takes hold of what a reply names before its releases.
	 */
	EXPECT_RELEASES(h, H_OTHER_ID, T_ARG, T_OUT);
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);
	assert_int_equal(cs_drop(h, svc), QTEE_OK);
	EXPECT_NO_RELEASES(h);

	/*
	 * The NW returning the ID it was given (the kernel would issue a new
	 * one): two references, both given back with the answer.
	 */
	nw.out_id = T_ARG;
	assert_int_equal(cs_objects(h, svc, H_OTHER_ID, T_ARG), QTEE_OK);
	assert_int_equal(h_oo(h, 0), T_ARG);
	EXPECT_RELEASES(h, H_OTHER_ID, T_ARG, T_ARG);
	assert_int_equal(h_release(h, svc), QTEE_OK);
	EXPECT_NO_RELEASES(h);
}

static void call_objects_unknown_tee_result(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);

	/* The NW names a TEE object that does not exist: nothing handed out. */
	nw.out_id = 0x7ff;	/* a TEE ID that names nothing */
	assert_int_equal(cs_objects(h, svc, H_OTHER_ID, QTEE_OBJ_NULL),
			 QTEE_ERROR_BADOBJ);
	assert_int_equal(h_oo(h, 0), QTEE_OBJ_NULL);
	EXPECT_RELEASES(h, H_OTHER_ID);
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);
}

/* A counter made by a test service: a TEE object to pass around. */
static uint32_t new_counter(struct harness *h)
{
	uint32_t ts = h_test_service(h), k;

	h_begin(h, ts, ITestService_OP_newCounter, 1, 0, 0, 1);
	h_bi_u32(h, 0, 5);
	assert_int_equal(h_run(h), QTEE_OK);
	k = h_oo(h, 0);
	assert_int_equal(h_release(h, ts), QTEE_OK);
	return k;
}

static void call_objects_tee(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h), k = new_counter(h);
	struct qtee_msg m;

	assert_int_equal(h_nw_refs(h, k), 1);
	/* Passing a TEE object to the NW gives it a reference... */
	nw.out_id = QTEE_OBJ_NULL;
	assert_int_equal(cs_objects(h, svc, H_OTHER_ID, k), QTEE_OK);
	h_cb_msg(h, 0, &m);
	assert_int_equal(qtee_msg_get_obj(&m, 0), k);
	assert_int_equal(h_nw_refs(h, k), 2);
	EXPECT_RELEASES(h, H_OTHER_ID);
	/* ...which the NW gives back with RELEASE. */
	assert_int_equal(h_release(h, k), QTEE_OK);
	assert_int_equal(h_nw_refs(h, k), 1);

	/* The NW returning a TEE object names it: the caller gets a ref. */
	nw.out_id = k;
	assert_int_equal(cs_objects(h, svc, H_OTHER_ID, QTEE_OBJ_NULL),
			 QTEE_OK);
	assert_int_equal(h_oo(h, 0), k);
	assert_int_equal(h_nw_refs(h, k), 2);
	EXPECT_RELEASES(h, H_OTHER_ID);

	/* A TEE argument that names nothing: BADOBJ, no callback. */
	assert_int_equal(cs_objects(h, svc, H_OTHER_ID, 0x7ff),
			 QTEE_ERROR_BADOBJ);
	assert_int_equal(h->n_cb, 0);
	EXPECT_RELEASES(h, H_OTHER_ID);
	/* The root passes as a bare ID. */
	nw.out_id = QTEE_OBJ_ROOT;
	assert_int_equal(cs_objects(h, svc, H_OTHER_ID, QTEE_OBJ_ROOT),
			 QTEE_OK);
	assert_int_equal(h_oo(h, 0), QTEE_OBJ_ROOT);
	assert_int_equal(h_live(h), 2);
}

static void keep_replace_drop(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);
	struct qtee_msg m;

	/* Nothing kept yet. */
	assert_int_equal(cs_bufs(h, svc, 0, 1, "a", 1, 4), QTEE_ERROR_BADOBJ);
	assert_int_equal(h->n_cb, 0);

	/* Kept: its reference is not given back with the answer. */
	assert_int_equal(cs_keep(h, svc, T_ARG), QTEE_OK);
	EXPECT_NO_RELEASES(h);
	assert_int_equal(cs_bufs(h, svc, 0, 4, "kept", 4, 8), QTEE_OK);
	assert_memory_equal(h_out(h, 0), "KEPT", 4);
	h_cb_msg(h, 0, &m);
	assert_int_equal(m.cxt, T_ARG);
	assert_int_equal(m.op, 4);
	EXPECT_NO_RELEASES(h);

	/* Replaced: the old one goes back with that answer, once. */
	assert_int_equal(cs_keep(h, svc, T_OUT), QTEE_OK);
	EXPECT_RELEASES(h, T_ARG);
	assert_int_equal(cs_bufs(h, svc, 0, 4, "x", 1, 8), QTEE_OK);
	h_cb_msg(h, 0, &m);
	assert_int_equal(m.cxt, T_OUT);
	EXPECT_NO_RELEASES(h);

	/* callKept passes the callback's errors through. */
	nw.grow = 100;
	assert_int_equal(cs_bufs(h, svc, 0, 4, "x", 1, 8), QTEE_ERROR_INVALID);
	nw.grow = 0;

	/* Dropped: released once; dropping again is fine and says nothing. */
	assert_int_equal(cs_drop(h, svc), QTEE_OK);
	EXPECT_RELEASES(h, T_OUT);
	assert_int_equal(cs_drop(h, svc), QTEE_OK);
	EXPECT_NO_RELEASES(h);
	assert_int_equal(cs_bufs(h, svc, 0, 1, "a", 1, 4), QTEE_ERROR_BADOBJ);
	EXPECT_NO_RELEASES(h);
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);
}

static void keep_refuses_non_nw(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);

	assert_int_equal(cs_keep(h, svc, QTEE_OBJ_NULL), QTEE_ERROR_BADOBJ);
	assert_int_equal(cs_keep(h, svc, svc), QTEE_ERROR_BADOBJ);
	/* The primordial object can be kept; it has no reference to give. */
	assert_int_equal(cs_keep(h, svc, QTEE_OBJ_PRIMORDIAL), QTEE_OK);
	assert_int_equal(cs_drop(h, svc), QTEE_OK);
	EXPECT_NO_RELEASES(h);
	/* Wrong shape: the input's reference still goes back. */
	h_begin(h, svc, ICallbackService_OP_keep, 0, 0, 2, 0);
	h_io(h, 0, T_ARG);
	h_io(h, 1, T_OUT);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
	EXPECT_RELEASES(h, T_ARG, T_OUT);
}

static void releasing_the_service_drops_the_kept(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h);

	assert_int_equal(cs_keep(h, svc, T_ARG), QTEE_OK);
	EXPECT_NO_RELEASES(h);
	/* The NW's last RELEASE destroys the service; its answer carries it. */
	assert_int_equal(h_release(h, svc), QTEE_OK);
	EXPECT_RELEASES(h, T_ARG);
	assert_int_equal(h_live(h), 0);
	assert_int_equal(h_release(h, svc), QTEE_ERROR_BADOBJ);
	EXPECT_NO_RELEASES(h);

	/* Two references: only the last one drops it. */
	svc = h_callback_service(h);
	h_begin(h, svc, QTEE_OP_RETAIN, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(cs_keep(h, svc, T_OUT), QTEE_OK);
	assert_int_equal(h_release(h, svc), QTEE_OK);
	EXPECT_NO_RELEASES(h);
	assert_int_equal(h_release(h, svc), QTEE_OK);
	EXPECT_RELEASES(h, T_OUT);
}

/* Dispatch an invocation without arguments from inside a callback. */
static uint32_t nested_svc;
static uint32_t nested_ids[4];
static unsigned int nested_n;

static void nested_drop(struct harness *h)
{
	unsigned char in[64] = { 0 }, out[EMU_OUTBOUND_SIZE];
	struct qtee_msg m;
	struct emu_call c;

	assert_int_equal(qtee_msg_init(&m, in, sizeof(in), QTEE_MSG_INVOKE,
				       nested_svc, ICallbackService_OP_dropKept,
				       0), 0);
	emu_call_init(&c, &h->emu, &h->tx, in, m.end, out, sizeof(out));
	emu_dispatch(&c);
	assert_int_equal(c.result, QTEE_OK);
	nested_n = h_async_ids(out, 0, nested_ids, 4);
}

static void drop_during_call_kept_waits_for_it(void **state)
{
	struct harness *h = *state;

	/*
	 * The process answering callKept's callback drops the kept object
	 * (a nested invocation): the ID is still named by the callback in
	 * flight, so its release waits for callKept to finish.
	 */
	nested_svc = h_callback_service(h);
	assert_int_equal(cs_keep(h, nested_svc, T_ARG), QTEE_OK);
	nw.during = nested_drop;
	assert_int_equal(cs_bufs(h, nested_svc, 0, 1, "a", 1, 4), QTEE_OK);
	assert_int_equal(nested_n, 0);
	EXPECT_RELEASES(h, T_ARG);
	nw.during = NULL;
	assert_int_equal(cs_bufs(h, nested_svc, 0, 1, "a", 1, 4),
			 QTEE_ERROR_BADOBJ);
}

static void releases_ride_in_callback_requests(void **state)
{
	struct harness *h = *state;
	uint32_t svc = h_callback_service(h), ids[4];
	struct qtee_msg m;

	/* Kept, then dropped: the release waits in the queue... */
	assert_int_equal(cs_keep(h, svc, T_OUT), QTEE_OK);
	EXPECT_NO_RELEASES(h);
	emu_relq_push(&h->emu.relq, T_OUT);
	/* ...and is given back in the tail of the next callback request. */
	assert_int_equal(cs_call(h, svc, T_NEXT, 0), QTEE_OK);
	h_cb_msg(h, 0, &m);
	assert_int_equal(h_async_ids(h->cb[0], qtee_async_start(&m), ids, 4),
			 1);
	assert_int_equal(ids[0], T_OUT);
	EXPECT_RELEASES(h, T_NEXT);
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);
}

/*
 * Threads keeping, calling and dropping on one service: every kept ID is
 * released exactly once, and never before a callback that names it.
 */
#define W_THREADS	4U
#define W_ROUNDS	300U
/* IDs from 1 up: NS | 0 would be the primordial object. */
#define W_ID(t, i)	(QTEE_OBJ_NS_BIT | ((t) << 16) | ((i) + 1))
#define W_SLOT(id)	w_released[((id) >> 16) & 0x7fff][((id) & 0xffff) - 1]

static uint32_t w_released[W_THREADS][W_ROUNDS];	/* atomic */
static uint32_t w_bad;					/* atomic */

static void w_count(const void *buf, uint32_t pos)
{
	uint32_t ids[EMU_RELQ_MAX];
	unsigned int i, n = h_async_ids(buf, pos, ids, EMU_RELQ_MAX);

	for (i = 0; i < n; i++)
		__atomic_add_fetch(&W_SLOT(ids[i]), 1, __ATOMIC_SEQ_CST);
}

/* The kernel's order: the request's releases first, then its target. */
static int w_roundtrip(void *priv, void *outbound, uint32_t out_size)
{
	struct qtee_msg req;
	uint32_t id;

	(void)priv;
	if (qtee_msg_parse(&req, outbound, out_size, QTEE_MSG_CALLBACK))
		return -EPROTO;
	w_count(outbound, qtee_async_start(&req));
	id = req.cxt;
	if (__atomic_load_n(&W_SLOT(id), __ATOMIC_SEQ_CST))
		__atomic_add_fetch(&w_bad, 1, __ATOMIC_SEQ_CST);
	qtee_msg_write_out_size(&req, QTEE_IDX_BO(req.counts), 0);
	qtee_msg_set_result(&req, QTEE_OK);
	return 0;
}

struct w_arg {
	struct harness *h;
	uint32_t svc, t;
};

static int32_t w_call(struct w_arg *w, uint32_t op, uint32_t counts,
		      uint32_t io)
{
	static const struct emu_transport tx = { .roundtrip = w_roundtrip };
	unsigned char in[128] = { 0 }, out[EMU_OUTBOUND_SIZE];
	struct qtee_msg m;
	struct emu_call c;
	void *p;

	qtee_msg_init(&m, in, sizeof(in), QTEE_MSG_INVOKE, w->svc, op, counts);
	if (QTEE_NUM_BI(counts)) {
		qtee_msg_add_buf(&m, 0, 4, &p);
		qtee_msg_add_buf(&m, 1, 0, &p);
		qtee_msg_add_buf(&m, 2, 8, &p);
	}
	if (QTEE_NUM_IO(counts))
		qtee_msg_set_obj(&m, 0, io);
	emu_call_init(&c, &w->h->emu, &tx, in, m.end, out, sizeof(out));
	emu_dispatch(&c);
	w_count(out, 0);
	return c.result;
}

static void *w_run(void *arg)
{
	struct w_arg *w = arg;
	uint32_t i;
	int32_t r;

	for (i = 0; i < W_ROUNDS; i++) {
		if (w_call(w, ICallbackService_OP_keep,
			   QTEE_COUNTS(0U, 0U, 1U, 0U), W_ID(w->t, i)))
			__atomic_add_fetch(&w_bad, 1, __ATOMIC_SEQ_CST);
		/* Another thread may have dropped it already: BADOBJ is fine. */
		r = w_call(w, ICallbackService_OP_callKept,
			   QTEE_COUNTS(2U, 1U, 0U, 0U), 0);
		if (r && r != QTEE_ERROR_BADOBJ)
			__atomic_add_fetch(&w_bad, 1, __ATOMIC_SEQ_CST);
		if (i % 3 == 2)
			w_call(w, ICallbackService_OP_dropKept, 0, 0);
	}
	return NULL;
}

static void concurrent_keep_call_drop(void **state)
{
	struct harness *h = *state;
	struct w_arg w[W_THREADS];
	pthread_t th[W_THREADS];
	uint32_t t, i, svc = h_callback_service(h);

	memset(w_released, 0, sizeof(w_released));
	w_bad = 0;
	for (t = 0; t < W_THREADS; t++) {
		w[t] = (struct w_arg){ .h = h, .svc = svc, .t = t };
		assert_int_equal(pthread_create(&th[t], NULL, w_run, &w[t]), 0);
	}
	for (t = 0; t < W_THREADS; t++)
		pthread_join(th[t], NULL);
	/* The service's release gives back whatever it still kept. */
	w[0].svc = svc;
	assert_int_equal(w_call(&w[0], QTEE_OP_RELEASE, 0, 0), QTEE_OK);
	assert_int_equal(w_bad, 0);
	for (t = 0; t < W_THREADS; t++)
		for (i = 0; i < W_ROUNDS; i++)
			assert_int_equal(w_released[t][i], 1);
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);
	assert_int_equal(h_live(h), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(service_opens),
		T(call_calls_back),
		T(call_refuses_non_nw_targets),
		T(call_when_the_nw_is_gone),
		T(call_bufs_round_trip),
		T(call_bufs_rejects_a_grown_size),
		T(call_bufs_limits_the_data),
		T(call_objects_null),
		T(call_objects_nw),
		T(call_objects_unknown_tee_result),
		T(call_objects_tee),
		T(keep_replace_drop),
		T(keep_refuses_non_nw),
		T(releasing_the_service_drops_the_kept),
		T(drop_during_call_kept_waits_for_it),
		T(releases_ride_in_callback_requests),
		T(concurrent_keep_call_drop),
	};

	return cmocka_run_group_tests_name("emu-callback", tests, NULL, NULL);
}
