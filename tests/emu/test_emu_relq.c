// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The pending-release queue: order, what it ignores, overflow, draining
 * only what fits, and how answers use it (every DONE drains it; a reply
 * the kernel will not read keeps its releases queued).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ITestService.h"
#include "emu_harness.h"
#include "relq.h"

#define NW(i)	(QTEE_OBJ_NS_BIT | (0x200U + (i)))

static int setup(void **state)
{
	*state = h_new();
	return 0;
}

static int teardown(void **state)
{
	h_free(*state);
	return 0;
}

/* Give the harness's emulator a queue of @cap entries. */
static void small_queue(struct harness *h, uint32_t cap)
{
	emu_relq_destroy(&h->emu.relq);
	emu_relq_init(&h->emu.relq, cap);
}

static void fifo_and_ignored_ids(void **state)
{
	struct harness *h = *state;
	struct emu_relq *q = &h->emu.relq;
	unsigned char buf[EMU_OUTBOUND_SIZE] = { 0 };
	uint32_t ids[8], pos = 0;

	/* IDs without a reference to give back are not queued at all. */
	assert_true(emu_relq_push(q, QTEE_OBJ_NULL));
	assert_true(emu_relq_push(q, QTEE_OBJ_ROOT));
	assert_true(emu_relq_push(q, 0x1234));
	assert_true(emu_relq_push(q, QTEE_OBJ_PRIMORDIAL));
	assert_int_equal(emu_relq_count(q), 0);

	assert_true(emu_relq_push(q, NW(1)));
	assert_true(emu_relq_push(q, NW(2)));
	assert_true(emu_relq_push(q, NW(1)));	/* one per reference */
	assert_int_equal(emu_relq_drain(q, buf, sizeof(buf), &pos, 0), 3);
	assert_int_equal(pos, 24);	/* 8 + 4 + 3 * 4, aligned */
	assert_int_equal(h_async_ids(buf, 0, ids, 8), 3);
	assert_int_equal(ids[0], NW(1));
	assert_int_equal(ids[1], NW(2));
	assert_int_equal(ids[2], NW(1));
	/* Empty: nothing written. */
	assert_int_equal(emu_relq_drain(q, buf, sizeof(buf), &pos, 0), 0);
	assert_int_equal(pos, 24);
}

static void overflow_loses_and_counts(void **state)
{
	struct harness *h = *state;
	struct emu_relq *q = &h->emu.relq;
	unsigned char buf[EMU_OUTBOUND_SIZE] = { 0 };
	uint32_t ids[8], pos = 0, i;

	small_queue(h, 4);
	for (i = 0; i < 4; i++)
		assert_true(emu_relq_push(q, NW(i)));
	assert_false(emu_relq_push(q, NW(4)));
	assert_false(emu_relq_push(q, NW(5)));
	assert_int_equal(emu_relq_count(q), 4);
	assert_int_equal(emu_relq_lost(q), 2);
	/* What was queued is intact, and room comes back after a drain. */
	assert_int_equal(emu_relq_drain(q, buf, sizeof(buf), &pos, 0), 4);
	assert_int_equal(h_async_ids(buf, 0, ids, 8), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(ids[i], NW(i));
	assert_true(emu_relq_push(q, NW(6)));
	assert_int_equal(emu_relq_lost(q), 2);
}

static void drain_leaves_what_does_not_fit(void **state)
{
	struct harness *h = *state;
	struct emu_relq *q = &h->emu.relq;
	unsigned char buf[64] = { 0 };
	uint32_t ids[16], pos, i;

	small_queue(h, 8);
	for (i = 0; i < 8; i++)
		emu_relq_push(q, NW(i));
	/* 40 bytes from 24 with 0 reserved: header 12, room for 1 ID... */
	pos = 24;
	assert_int_equal(emu_relq_drain(q, buf, 40, &pos, 0), 1);
	assert_int_equal(pos, 40);
	/* ...none at all when the header does not fit or the reserve eats it. */
	assert_int_equal(emu_relq_drain(q, buf, 40, &pos, 0), 0);
	pos = 0;
	assert_int_equal(emu_relq_drain(q, buf, 24, &pos, 12), 0);
	assert_int_equal(pos, 0);
	/* The rest, in order, from where the first stopped. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(emu_relq_drain(q, buf, sizeof(buf), &pos, 0), 7);
	assert_int_equal(h_async_ids(buf, 0, ids, 16), 7);
	for (i = 0; i < 7; i++)
		assert_int_equal(ids[i], NW(i + 1));
}

static void a_full_queue_drains_over_several_answers(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), v, i, n, total = 0;
	static uint32_t ids[EMU_RELQ_MAX];

	for (i = 0; i < EMU_RELQ_MAX; i++)
		assert_true(emu_relq_push(&h->emu.relq, NW(i)));
	/*
	 * One DONE carries what fits of 4 KiB less the fault reserve; the
	 * rest waits for the next answer.
	 */
	assert_int_equal(h_get_u32(h, ts, ITestService_OP_liveObjects, &v),
			 QTEE_OK);
	n = h_releases(h, ids, EMU_RELQ_MAX);
	assert_int_equal(n, (EMU_OUTBOUND_SIZE - 12 - EMU_ASYNC_RESERVE) / 4);
	for (i = 0; i < n; i++)
		assert_int_equal(ids[i], NW(i));
	total = n;
	assert_int_equal(h_get_u32(h, ts, ITestService_OP_liveObjects, &v),
			 QTEE_OK);
	n = h_releases(h, ids, EMU_RELQ_MAX);
	for (i = 0; i < n; i++)
		assert_int_equal(ids[i], NW(total + i));
	total += n;
	assert_int_equal(total, EMU_RELQ_MAX);
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);
}

static void named_outputs_go_with_the_answer(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), ids[16], v, i;

	/*
	 * mirror hands 6 NW IDs back: their releases ride in the same
	 * answer, whatever room the queue has, and none is queued.
	 */
	small_queue(h, 4);
	h_begin(h, ts, ITestService_OP_mirror, 0, 0, 6, 6);
	for (i = 0; i < 6; i++)
		h_io(h, i, NW(i));
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_releases(h, ids, 16), 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(ids[i], NW(i));
	assert_int_equal(emu_relq_lost(&h->emu.relq), 0);
	assert_int_equal(emu_relq_count(&h->emu.relq), 0);
	assert_int_equal(h_get_u32(h, ts, ITestService_OP_liveObjects, &v),
			 QTEE_OK);
	assert_int_equal(h_releases(h, ids, 16), 0);
}

static void unread_answer_keeps_its_releases(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), ids[4], v;

	/*
	 * A BAD_STATUS completion is refused whole: its releases would be
	 * lost, so they wait for the next answer instead.
	 */
	assert_int_equal(h_call_u32(h, ts, ITestService_OP_injectFault,
				    ITestService_FAULT_BAD_STATUS), QTEE_OK);
	h_begin(h, ts, ITestService_OP_readCounter, 0, 1, 1, 0);
	h_bo(h, 0, 4);
	h_io(h, 0, NW(7));
	assert_int_equal(h_run(h), QTEE_ERROR_BADOBJ);
	assert_int_equal(h->call.status, 7);
	assert_int_equal(h_releases(h, ids, 4), 0);
	assert_int_equal(h_get_u32(h, ts, ITestService_OP_liveObjects, &v),
			 QTEE_OK);
	assert_int_equal(h_releases(h, ids, 4), 1);
	assert_int_equal(ids[0], NW(7));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(fifo_and_ignored_ids),
		T(overflow_loses_and_counts),
		T(drain_leaves_what_does_not_fit),
		T(a_full_queue_drains_over_several_answers),
		T(named_outputs_go_with_the_answer),
		T(unread_answer_keeps_its_releases),
	};

	return cmocka_run_group_tests_name("emu-relq", tests, NULL, NULL);
}
