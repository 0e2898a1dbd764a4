// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Fault injection: each ITestService_FAULT_* makes exactly the malformed
 * message it names, once, on the next answer to the service it was armed
 * on.  The bytes are checked with the same codec the kernel uses.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ITestService.h"
#include "fault.h"
#include "emu_harness.h"

struct bench {
	struct harness *h;
	uint32_t ts;
};

static int setup(void **state)
{
	static struct bench b;

	b.h = h_new();
	b.ts = h_test_service(b.h);
	*state = &b;
	return 0;
}

static int teardown(void **state)
{
	struct bench *b = *state;

	h_free(b->h);
	return 0;
}

static void arm(struct bench *b, uint32_t fault)
{
	assert_int_equal(h_call_u32(b->h, b->ts, ITestService_OP_injectFault,
				    fault), QTEE_OK);
}

/* add(1, 2) on the bench's service: the usual target of a fault. */
static int32_t run_add(struct bench *b)
{
	uint32_t ab[2] = { 1, 2 };

	h_begin(b->h, b->ts, ITestService_OP_add, 1, 1, 0, 0);
	h_bi(b->h, 0, ab, sizeof(ab));
	h_bo(b->h, 0, 4);
	return h_run(b->h);
}

/* The next add is answered normally: faults are one-shot. */
static void assert_normal_add(struct bench *b)
{
	assert_int_equal(run_add(b), QTEE_OK);
	assert_int_equal(b->h->call.status, EMU_STATUS_DONE);
	assert_int_equal(b->h->n_cb, 0);
	assert_int_equal(h_out_u32(b->h, 0), 3);
}

static void out_size_grown(void **state)
{
	struct bench *b = *state;
	uint32_t size;

	arm(b, ITestService_FAULT_OUT_SIZE_GROWN);
	assert_int_equal(run_add(b), QTEE_OK);
	/* The codec the kernel uses refuses the answer... */
	assert_int_not_equal(qtee_msg_read_out_size(&b->h->sent, 1, &size), 0);
	/* ...because the size word is one past what was reserved. */
	memcpy(&size, b->h->in + QTEE_INVOKE_HDR + QTEE_ARG_SIZE + 4, 4);
	assert_int_equal(size, 5);
	assert_normal_add(b);
}

static void out_unknown_ns_obj(void **state)
{
	struct bench *b = *state;
	uint32_t live = h_live(b->h);

	arm(b, ITestService_FAULT_OUT_UNKNOWN_NS_OBJ);
	h_begin(b->h, b->ts, ITestService_OP_newCounter, 1, 0, 0, 1);
	h_bi_u32(b->h, 0, 1);
	assert_int_equal(h_run(b->h), QTEE_OK);
	assert_int_equal(h_oo(b->h, 0), EMU_FAULT_OUT_ID);
	/* The counter was never handed out, so it is gone again. */
	assert_int_equal(h_live(b->h), live);
	assert_normal_add(b);
}

/* The single callback a CB_* fault sent, as raw bytes and parsed. */
static int parse_cb(struct bench *b, struct qtee_msg *m)
{
	assert_int_equal(b->h->n_cb, 1);
	return qtee_msg_parse(m, b->h->cb[0], EMU_OUTBOUND_SIZE,
			      QTEE_MSG_CALLBACK);
}

static uint32_t cb_word(struct bench *b, uint32_t off)
{
	uint32_t v;

	memcpy(&v, b->h->cb[0] + off, 4);
	return v;
}

static void cb_bad_counts(void **state)
{
	struct bench *b = *state;
	struct qtee_msg m;

	arm(b, ITestService_FAULT_CB_BAD_COUNTS);
	/* The model kernel answers what it cannot parse with INVALID. */
	assert_int_equal(run_add(b), QTEE_ERROR_INVALID);
	assert_int_not_equal(parse_cb(b, &m), 0);
	assert_int_equal(cb_word(b, 4), QTEE_OBJ_PRIMORDIAL);
	assert_int_equal(cb_word(b, 12), 0x10000);
	assert_normal_add(b);
}

static void cb_offset(void **state)
{
	struct bench *b = *state;
	struct qtee_msg m;

	arm(b, ITestService_FAULT_CB_OFFSET);
	assert_int_equal(run_add(b), QTEE_ERROR_INVALID);
	assert_int_not_equal(parse_cb(b, &m), 0);
	assert_int_equal(cb_word(b, 12), QTEE_COUNTS(1U, 0U, 0U, 0U));
	/* The input buffer starts at the end of the 4 KiB buffer. */
	assert_int_equal(cb_word(b, QTEE_CALLBACK_HDR), EMU_OUTBOUND_SIZE);
	assert_int_equal(cb_word(b, QTEE_CALLBACK_HDR + 4), 4);
	assert_normal_add(b);
}

static void cb_unknown_obj(void **state)
{
	struct bench *b = *state;
	struct qtee_msg m;

	arm(b, ITestService_FAULT_CB_UNKNOWN_OBJ);
	assert_int_equal(run_add(b), QTEE_ERROR_BADOBJ);
	assert_int_equal(parse_cb(b, &m), 0);	/* well formed */
	assert_int_equal(m.cxt, EMU_FAULT_CB_ID);
	assert_int_equal(m.op, 0);
	assert_int_equal(m.counts, 0);
	assert_normal_add(b);
}

static void accept_everything(struct harness *h, struct qtee_msg *req)
{
	qtee_msg_set_result(&(struct qtee_msg){ .buf = h->out }, QTEE_OK);
}

static void cb_fault_accepted_runs_the_method(void **state)
{
	struct bench *b = *state;

	/* A kernel that wrongly accepts the callback: the method still runs. */
	b->h->responder = accept_everything;
	arm(b, ITestService_FAULT_CB_UNKNOWN_OBJ);
	assert_int_equal(run_add(b), QTEE_OK);
	assert_int_equal(b->h->n_cb, 1);
	assert_int_equal(h_out_u32(b->h, 0), 3);
}

static void async_garbage(void **state)
{
	struct bench *b = *state;
	struct qtee_async a;
	uint32_t pos = 0;

	arm(b, ITestService_FAULT_ASYNC_GARBAGE);
	/* With one real release first, which must stay readable. */
	h_begin(b->h, b->ts, ITestService_OP_mirror, 0, 0, 1, 0);
	h_io(b->h, 0, H_OTHER_ID);
	assert_int_equal(h_run(b->h), QTEE_OK);
	assert_int_equal(qtee_async_next(b->h->out, EMU_OUTBOUND_SIZE, &pos,
					 &a), 0);
	assert_int_equal(a.count, 1);
	assert_int_equal(qtee_async_id(&a, 0), H_OTHER_ID);
	/* Then a release header whose count runs past the buffer. */
	assert_int_equal(qtee_async_next(b->h->out, EMU_OUTBOUND_SIZE, &pos,
					 &a), -EINVAL);
	assert_normal_add(b);
	assert_int_equal(qtee_async_next(b->h->out, EMU_OUTBOUND_SIZE,
					 &(uint32_t){ 0 }, &a), -ENOENT);
}

static void async_unknown_id(void **state)
{
	struct bench *b = *state;
	uint32_t ids[4];

	arm(b, ITestService_FAULT_ASYNC_UNKNOWN_ID);
	assert_int_equal(run_add(b), QTEE_OK);
	assert_int_equal(h_out_u32(b->h, 0), 3);
	assert_int_equal(h_releases(b->h, ids, 4), 1);
	assert_int_equal(ids[0], EMU_FAULT_RELEASE_ID);
	assert_normal_add(b);
	assert_int_equal(h_releases(b->h, ids, 4), 0);
}

static void bad_status(void **state)
{
	struct bench *b = *state;

	arm(b, ITestService_FAULT_BAD_STATUS);
	assert_int_equal(run_add(b), QTEE_OK);
	assert_int_equal(b->h->call.status, 7);
	assert_normal_add(b);
}

static void fault_stays_on_its_service(void **state)
{
	struct bench *b = *state;
	struct bench other = { b->h, h_test_service(b->h) };

	arm(b, ITestService_FAULT_BAD_STATUS);
	/* Another service, and RETAIN/RELEASE of this one, do not take it. */
	assert_normal_add(&other);
	h_begin(b->h, b->ts, QTEE_OP_RETAIN, 0, 0, 0, 0);
	assert_int_equal(h_run(b->h), QTEE_OK);
	assert_int_equal(b->h->call.status, EMU_STATUS_DONE);
	assert_int_equal(h_release(b->h, b->ts), QTEE_OK);
	assert_int_equal(b->h->call.status, EMU_STATUS_DONE);
	assert_int_equal(run_add(b), QTEE_OK);
	assert_int_equal(b->h->call.status, 7);
}

static void fault_with_nothing_to_corrupt_is_spent(void **state)
{
	struct bench *b = *state;

	/* fail() has no output buffer to grow: answered as usual, once. */
	arm(b, ITestService_FAULT_OUT_SIZE_GROWN);
	assert_int_equal(h_call_u32(b->h, b->ts, ITestService_OP_fail, 0),
			 QTEE_OK);
	assert_normal_add(b);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(out_size_grown),
		T(out_unknown_ns_obj),
		T(cb_bad_counts),
		T(cb_offset),
		T(cb_unknown_obj),
		T(cb_fault_accepted_runs_the_method),
		T(async_garbage),
		T(async_unknown_id),
		T(bad_status),
		T(fault_stays_on_its_service),
		T(fault_with_nothing_to_corrupt_is_spent),
	};

	return cmocka_run_group_tests_name("emu-faults", tests, NULL, NULL);
}
