// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* Every method of the test service, with its error paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ITestService.h"
#include "emu_harness.h"

static int setup(void **state)
{
	struct harness *h = h_new();

	*state = h;
	return 0;
}

static int teardown(void **state)
{
	h_free(*state);
	return 0;
}

static void echo_copies_and_shrinks(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h);

	h_begin(h, ts, ITestService_OP_echo, 1, 1, 0, 0);
	h_bi(h, 0, "hello", 5);
	h_bo(h, 0, 64);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_out_size(h, 0), 5);
	assert_memory_equal(h_out(h, 0), "hello", 5);

	h_begin(h, ts, ITestService_OP_echo, 1, 1, 0, 0);
	h_bi(h, 0, "", 0);
	h_bo(h, 0, 8);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_out_size(h, 0), 0);
}

static void echo_errors(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h);

	h_begin(h, ts, ITestService_OP_echo, 1, 1, 0, 0);
	h_bi(h, 0, "hello", 5);
	h_bo(h, 0, 4);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_OUT);

	h_begin(h, ts, ITestService_OP_echo, 0, 1, 0, 0);
	h_bo(h, 0, 4);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_IN);
	h_begin(h, ts, ITestService_OP_echo, 2, 1, 0, 0);
	h_bi(h, 0, "a", 1);
	h_bi(h, 1, "b", 1);
	h_bo(h, 0, 4);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_IN);
	h_begin(h, ts, ITestService_OP_echo, 1, 0, 0, 0);
	h_bi(h, 0, "a", 1);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
}

static void add_wraps(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), ab[2] = { 0xfffffffeU, 5 };

	h_begin(h, ts, ITestService_OP_add, 1, 1, 0, 0);
	h_bi(h, 0, ab, sizeof(ab));
	h_bo(h, 0, 16);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_out_u32(h, 0), 3);

	h_begin(h, ts, ITestService_OP_add, 1, 1, 0, 0);
	h_bi(h, 0, ab, 4);
	h_bo(h, 0, 4);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_IN);
	h_begin(h, ts, ITestService_OP_add, 1, 1, 0, 0);
	h_bi(h, 0, ab, sizeof(ab));
	h_bo(h, 0, 2);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_OUT);
}

static void fail_returns_the_code(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h);

	assert_int_equal(h_call_u32(h, ts, ITestService_OP_fail, 0), QTEE_OK);
	assert_int_equal(h_call_u32(h, ts, ITestService_OP_fail, 1234), 1234);
	assert_int_equal(h_call_u32(h, ts, ITestService_OP_fail, (uint32_t)-98),
			 -98);
}

static uint32_t new_counter(struct harness *h, uint32_t ts, uint32_t value)
{
	h_begin(h, ts, ITestService_OP_newCounter, 1, 0, 0, 1);
	h_bi_u32(h, 0, value);
	assert_int_equal(h_run(h), QTEE_OK);
	return h_oo(h, 0);
}

static int32_t read_counter(struct harness *h, uint32_t ts, uint32_t k,
			    uint32_t *v)
{
	int32_t r;

	h_begin(h, ts, ITestService_OP_readCounter, 0, 1, 1, 0);
	h_bo(h, 0, 4);
	h_io(h, 0, k);
	r = h_run(h);
	if (!r)
		*v = h_out_u32(h, 0);
	return r;
}

static void counters_made_and_read(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), k, v, ids[2];

	k = new_counter(h, ts, 7);
	assert_int_equal(h_live(h), 2);
	assert_int_equal(read_counter(h, ts, k, &v), QTEE_OK);
	assert_int_equal(v, 7);
	assert_int_equal(h_nw_refs(h, k), 1);	/* no reference taken */

	/* Not counters: the service itself, NULL, an NW object. */
	assert_int_equal(read_counter(h, ts, ts, &v), QTEE_ERROR_BADOBJ);
	assert_int_equal(read_counter(h, ts, 0, &v), QTEE_ERROR_BADOBJ);
	assert_int_equal(read_counter(h, ts, H_OTHER_ID, &v),
			 QTEE_ERROR_BADOBJ);
	assert_int_equal(h_releases(h, ids, 2), 1);
	assert_int_equal(ids[0], H_OTHER_ID);

	assert_int_equal(h_release(h, k), QTEE_OK);
	assert_int_equal(read_counter(h, ts, k, &v), QTEE_ERROR_BADOBJ);
}

static void live_objects_exclude_root(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), k, v;

	assert_int_equal(h_get_u32(h, ts, ITestService_OP_liveObjects, &v), 0);
	assert_int_equal(v, 1);
	k = new_counter(h, ts, 0);
	assert_int_equal(h_get_u32(h, ts, ITestService_OP_liveObjects, &v), 0);
	assert_int_equal(v, 2);
	h_release(h, k);
	assert_int_equal(h_get_u32(h, ts, ITestService_OP_liveObjects, &v), 0);
	assert_int_equal(v, 1);
}

static void whoami_reports_registration(void **state)
{
	struct harness *h = *state;
	struct ITestService_whoami who;
	uint32_t ts;

	h->uid = 0;
	h->gid = 5;
	h->pid = 99;
	h->exe = "/opt/t/bin/probe";
	ts = h_test_service(h);

	h_begin(h, ts, ITestService_OP_whoami, 0, 2, 0, 0);
	h_bo(h, 0, sizeof(who));
	h_bo(h, 1, 256);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_out_size(h, 0), sizeof(who));
	memcpy(&who, h_out(h, 0), sizeof(who));
	assert_int_equal(who.uid, 0);
	assert_int_equal(who.gid, 5);
	assert_int_equal(who.pid, 99);
	assert_int_equal(who.reserved, 0);
	assert_int_equal(h_out_size(h, 1), strlen(h->exe));
	assert_memory_equal(h_out(h, 1), h->exe, strlen(h->exe));

	h_begin(h, ts, ITestService_OP_whoami, 0, 2, 0, 0);
	h_bo(h, 0, sizeof(who));
	h_bo(h, 1, 4);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_OUT);
}

static void inject_fault_checks_its_argument(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), ab[2] = { 1, 2 };

	assert_int_equal(h_call_u32(h, ts, ITestService_OP_injectFault,
				    ITestService_FAULT_MAX + 1),
			 QTEE_ERROR_INVALID);
	/* Armed, then disarmed with NONE: the next answer is normal. */
	assert_int_equal(h_call_u32(h, ts, ITestService_OP_injectFault,
				    ITestService_FAULT_BAD_STATUS), QTEE_OK);
	assert_int_equal(h_call_u32(h, ts, ITestService_OP_injectFault,
				    ITestService_FAULT_NONE), QTEE_OK);
	h_begin(h, ts, ITestService_OP_add, 1, 1, 0, 0);
	h_bi(h, 0, ab, sizeof(ab));
	h_bo(h, 0, 4);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h->call.status, EMU_STATUS_DONE);
}

static void primordial_calls_back(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), in[2] = { 2, 150 }, ms;
	struct qtee_msg m;

	h_begin(h, ts, ITestService_OP_primordial, 1, 0, 0, 0);
	h_bi(h, 0, in, sizeof(in));
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h->n_cb, 1);
	assert_int_equal(qtee_msg_parse(&m, h->cb[0], EMU_OUTBOUND_SIZE,
					QTEE_MSG_CALLBACK), 0);
	assert_int_equal(m.cxt, QTEE_OBJ_PRIMORDIAL);
	assert_int_equal(m.op, 2);
	assert_int_equal(m.counts, QTEE_COUNTS(1U, 0U, 0U, 0U));
	assert_int_equal(m.len[0], 4);
	memcpy(&ms, qtee_msg_payload(&m, 0), 4);
	assert_int_equal(ms, 150);

	/* yield takes no argument; map region without memory is invalid. */
	in[0] = 1;
	h_begin(h, ts, ITestService_OP_primordial, 1, 0, 0, 0);
	h_bi(h, 0, in, sizeof(in));
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(qtee_msg_parse(&m, h->cb[0], EMU_OUTBOUND_SIZE,
					QTEE_MSG_CALLBACK), 0);
	assert_int_equal(m.op, 1);
	assert_int_equal(m.counts, 0);
	in[0] = 0;
	h_begin(h, ts, ITestService_OP_primordial, 1, 0, 0, 0);
	h_bi(h, 0, in, sizeof(in));
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);

	h_begin(h, ts, ITestService_OP_primordial, 1, 0, 0, 0);
	h_bi(h, 0, in, 4);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_IN);
	assert_int_equal(h->n_cb, 0);
}

static void delay_sleeps_capped(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h);

	assert_int_equal(h_call_u32(h, ts, ITestService_OP_delay, 25), QTEE_OK);
	assert_int_equal(h->slept_ms, 25);
	assert_int_equal(h_call_u32(h, ts, ITestService_OP_delay, 3600000),
			 QTEE_OK);
	assert_int_equal(h->slept_ms, 25 + EMU_DELAY_MAX_MS);
}

static void mirror_buffers(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h);

	/* Two inputs, three outputs: the third stays empty. */
	h_begin(h, ts, ITestService_OP_mirror, 2, 3, 0, 0);
	h_bi(h, 0, "one", 3);
	h_bi(h, 1, "second", 6);
	h_bo(h, 0, 8);
	h_bo(h, 1, 8);
	h_bo(h, 2, 8);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_out_size(h, 0), 3);
	assert_memory_equal(h_out(h, 0), "one", 3);
	assert_int_equal(h_out_size(h, 1), 6);
	assert_memory_equal(h_out(h, 1), "second", 6);
	assert_int_equal(h_out_size(h, 2), 0);

	h_begin(h, ts, ITestService_OP_mirror, 2, 2, 0, 0);
	h_bi(h, 0, "one", 3);
	h_bi(h, 1, "second", 6);
	h_bo(h, 0, 8);
	h_bo(h, 1, 4);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_OUT);
}

static void mirror_objects(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), ids[4];

	h_begin(h, ts, ITestService_OP_mirror, 0, 0, 4, 4);
	h_io(h, 0, ts);
	h_io(h, 1, H_OTHER_ID);
	h_io(h, 2, QTEE_OBJ_NULL);
	h_io(h, 3, QTEE_OBJ_PRIMORDIAL);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_oo(h, 0), ts);
	assert_int_equal(h_oo(h, 1), H_OTHER_ID);
	assert_int_equal(h_oo(h, 2), 0);
	assert_int_equal(h_oo(h, 3), QTEE_OBJ_PRIMORDIAL);
	/* A TEE object returned is a new NW reference... */
	assert_int_equal(h_nw_refs(h, ts), 2);
	/*
	 * ...an NW object returned carries none, and ours goes back in this
	 * same answer: the kernel takes hold of what a reply names before it
	 * processes the reply's releases (a later message could overtake it).
	 */
	assert_int_equal(h_releases(h, ids, 4), 1);
	assert_int_equal(ids[0], H_OTHER_ID);

	/* On failure no reference is given. */
	h_begin(h, ts, ITestService_OP_mirror, 0, 0, 2, 2);
	h_io(h, 0, ts);
	h_io(h, 1, 0x777);
	assert_int_equal(h_run(h), QTEE_ERROR_BADOBJ);
	assert_int_equal(h_oo(h, 0), 0);
	assert_int_equal(h_nw_refs(h, ts), 2);
	assert_int_equal(h_releases(h, ids, 4), 0);
}

static void mirror_the_largest_arrays(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), ids[16], i, v;

	h_begin(h, ts, ITestService_OP_mirror, 15, 15, 15, 15);
	for (i = 0; i < 15; i++) {
		h_bi_u32(h, i, i * 3);
		h_io(h, i, QTEE_OBJ_NS_BIT | (0x100 + i));
	}
	for (i = 0; i < 15; i++)
		h_bo(h, i, 4);
	assert_int_equal(h_run(h), QTEE_OK);
	for (i = 0; i < 15; i++) {
		memcpy(&v, h_out(h, i), 4);
		assert_int_equal(v, i * 3);
		assert_int_equal(h_oo(h, i), QTEE_OBJ_NS_BIT | (0x100 + i));
	}
	/* Released by this same answer, in order (see mirror_objects). */
	assert_int_equal(h_releases(h, ids, 16), 15);
	for (i = 0; i < 15; i++)
		assert_int_equal(ids[i], QTEE_OBJ_NS_BIT | (0x100 + i));
	assert_int_equal(h_get_u32(h, ts, ITestService_OP_liveObjects, &v),
			 QTEE_OK);
	assert_int_equal(h_releases(h, ids, 16), 0);
}

static void unknown_method_is_invalid(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h);

	h_begin(h, ts, 11, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
	h_begin(h, ts, 0x3fff, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(echo_copies_and_shrinks),
		T(echo_errors),
		T(add_wraps),
		T(fail_returns_the_code),
		T(counters_made_and_read),
		T(live_objects_exclude_root),
		T(whoami_reports_registration),
		T(inject_fault_checks_its_argument),
		T(primordial_calls_back),
		T(delay_sleeps_capped),
		T(mirror_buffers),
		T(mirror_objects),
		T(mirror_the_largest_arrays),
		T(unknown_method_is_invalid),
	};

	return cmocka_run_group_tests_name("emu-testsvc", tests, NULL, NULL);
}
