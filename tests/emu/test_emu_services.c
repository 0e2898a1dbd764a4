// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Dispatch, the root object, client environments, the feature-version
 * service and counters; and the reference rule as the NW sees it: which
 * IDs come back, which references the emulator keeps and which it releases.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/objinvoke.h>

#include "IClientEnv.h"
#include "IFeatureVersion.h"
#include "ITestService.h"
#include "dispatch.h"
#include "emu_harness.h"

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

/* Register with @creds as the credentials object; the result. */
static int32_t try_register(struct harness *h, uint32_t creds)
{
	h_begin(h, QTEE_OBJ_ROOT, IRootObject_OP_registerWithCredentials,
		0, 0, 1, 1);
	h_io(h, 0, creds);
	return h_run(h);
}

/* The callback request number i, parsed. */
static void sent_cb(struct harness *h, unsigned int i, struct qtee_msg *m)
{
	assert_int_equal(qtee_msg_parse(m, h->cb[i], EMU_OUTBOUND_SIZE,
					QTEE_MSG_CALLBACK), 0);
}

static void register_asks_credentials(void **state)
{
	struct harness *h = *state;
	struct qtee_msg m;
	uint32_t env, ids[4];

	env = h_register(h);
	assert_true(env >= 2 && !(env & QTEE_OBJ_NS_BIT));
	assert_int_equal(h_nw_refs(h, env), 1);
	assert_int_equal(h_live(h), 1);

	/* get info, then get exe, both on the credentials object. */
	assert_int_equal(h->n_cb, 2);
	sent_cb(h, 0, &m);
	assert_int_equal(m.cxt, H_CREDS_ID);
	assert_int_equal(m.op, OBJINVOKE_CREDS_OP_GET_INFO);
	assert_int_equal(m.counts, QTEE_COUNTS(0U, 1U, 0U, 0U));
	assert_int_equal(m.len[0], sizeof(struct objinvoke_creds_info));
	sent_cb(h, 1, &m);
	assert_int_equal(m.op, OBJINVOKE_CREDS_OP_GET_EXE);
	assert_int_equal(m.len[0], 256);

	/* The credentials reference goes back with the answer. */
	assert_int_equal(h_releases(h, ids, 4), 1);
	assert_int_equal(ids[0], H_CREDS_ID);
}

static void register_rejects_non_credentials(void **state)
{
	struct harness *h = *state;
	uint32_t ids[4], env = h_register(h);
	const uint32_t bad[] = { QTEE_OBJ_NULL, QTEE_OBJ_PRIMORDIAL,
				 QTEE_OBJ_ROOT, env };
	unsigned int i;

	/* NULL, the primordial object, and TEE objects are no credentials. */
	for (i = 0; i < 4; i++) {
		assert_int_equal(try_register(h, bad[i]), QTEE_ERROR_BADOBJ);
		assert_int_equal(h->n_cb, 0);
		assert_int_equal(h_releases(h, ids, 4), 0);
		assert_int_equal(h_oo(h, 0), 0);
	}
	assert_int_equal(h_live(h), 1);
}

static void register_failing_credentials_still_releases(void **state)
{
	struct harness *h = *state;
	uint32_t ids[4];

	/* The model kernel answers BADOBJ for this object's methods. */
	assert_int_equal(try_register(h, H_OTHER_ID), QTEE_ERROR_BADOBJ);
	assert_int_equal(h_releases(h, ids, 4), 1);
	assert_int_equal(ids[0], H_OTHER_ID);
	assert_int_equal(h_live(h), 0);

	/* And when the NW is gone altogether. */
	h->roundtrip_error = 19;	/* ENODEV */
	assert_int_equal(try_register(h, H_CREDS_ID), QTEE_ERROR_DEFUNCT);
	assert_int_equal(h_live(h), 0);
}

/* A credentials object whose get-info answers 8 bytes. */
static void short_info_responder(struct harness *h, struct qtee_msg *req)
{
	qtee_msg_write_out_size(req, 0, 8);
	qtee_msg_set_result(req, QTEE_OK);
}

static void register_rejects_short_info(void **state)
{
	struct harness *h = *state;

	h->responder = short_info_responder;
	assert_int_equal(try_register(h, H_CREDS_ID), QTEE_ERROR_BADOBJ);
	assert_int_equal(h_live(h), 0);
}

/* A credentials object that claims more bytes than were reserved. */
static void grown_responder(struct harness *h, struct qtee_msg *req)
{
	qtee_msg_write_out_size(req, 0, req->len[0] + 4);
	qtee_msg_set_result(req, QTEE_OK);
}

static void register_rejects_grown_response(void **state)
{
	struct harness *h = *state;

	h->responder = grown_responder;
	assert_int_equal(try_register(h, H_CREDS_ID), QTEE_ERROR_INVALID);
	assert_int_equal(h_live(h), 0);
}

static void register_with_long_exe_keeps_it_empty(void **state)
{
	struct harness *h = *state;
	char path[300];
	uint32_t ts;

	memset(path, 'x', sizeof(path) - 1);
	path[sizeof(path) - 1] = 0;
	h->exe = path;
	ts = h_test_service(h);
	h_begin(h, ts, ITestService_OP_whoami, 0, 2, 0, 0);
	h_bo(h, 0, 16);
	h_bo(h, 1, 256);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_out_size(h, 1), 0);
}

static void root_refuses_other_ops(void **state)
{
	struct harness *h = *state;
	static const uint32_t ops[] = { 0, 4, 8, 9, QTEE_OP_RELEASE,
					QTEE_OP_RETAIN };
	unsigned int i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		h_begin(h, QTEE_OBJ_ROOT, ops[i], 0, 0, 0, 0);
		assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
	}
	/* Register with the wrong shape. */
	h_begin(h, QTEE_OBJ_ROOT, IRootObject_OP_registerWithCredentials,
		0, 0, 1, 0);
	h_io(h, 0, H_CREDS_ID);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
}

static void unknown_targets_are_badobj(void **state)
{
	struct harness *h = *state;
	uint32_t ids[4];

	h_begin(h, 77, ITestService_OP_echo, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_BADOBJ);
	h_begin(h, QTEE_OBJ_NULL, 0, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_BADOBJ);
	h_begin(h, H_OTHER_ID, 0, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_BADOBJ);
	assert_int_equal(h_release(h, 77), QTEE_ERROR_BADOBJ);

	/* NW input objects are released even so; the primordial is not. */
	h_begin(h, 77, 0, 0, 0, 3, 0);
	h_io(h, 0, H_OTHER_ID);
	h_io(h, 1, QTEE_OBJ_PRIMORDIAL);
	h_io(h, 2, H_CREDS_ID);
	assert_int_equal(h_run(h), QTEE_ERROR_BADOBJ);
	assert_int_equal(h_releases(h, ids, 4), 2);
	assert_int_equal(ids[0], H_OTHER_ID);
	assert_int_equal(ids[1], H_CREDS_ID);
}

static void unparsable_invocation_is_invalid(void **state)
{
	struct harness *h = *state;

	h_begin(h, QTEE_OBJ_ROOT, 5, 0, 0, 0, 0);
	/* Counts with upper bits: rejected before anything is looked up. */
	memcpy(h->in + 8, &(uint32_t){ 0x10000 }, 4);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
	assert_int_equal(h->call.status, EMU_STATUS_DONE);
}

static void env_opens_services(void **state)
{
	struct harness *h = *state;
	uint32_t env = h_register(h), ts, fv, v;

	ts = h_open(h, env, ITestService_UID);
	fv = h_open(h, env, IFeatureVersion_UID);
	assert_int_not_equal(ts, fv);
	assert_int_equal(h_live(h), 3);
	assert_int_equal(h_get_u32(h, ts, ITestService_OP_liveObjects, &v),
			 QTEE_OK);
	assert_int_equal(v, 3);

	/* An unknown UID gives nothing and leaves no object behind. */
	h_begin(h, env, IClientEnv_OP_open, 1, 0, 0, 1);
	h_bi_u32(h, 0, 0xdead);
	assert_int_equal(h_run(h), IClientEnv_ERROR_NOT_FOUND);
	assert_int_equal(h_oo(h, 0), 0);
	assert_int_equal(h_live(h), 3);

	/* Wrong shapes and methods. */
	h_begin(h, env, IClientEnv_OP_open, 1, 0, 0, 1);
	h_bi(h, 0, "ab", 2);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_IN);
	h_begin(h, env, IClientEnv_OP_open, 1, 0, 0, 0);
	h_bi_u32(h, 0, ITestService_UID);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
	h_begin(h, env, 1, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
	assert_int_equal(h_live(h), 3);
}

static void services_outlive_their_env(void **state)
{
	struct harness *h = *state;
	uint32_t env = h_register(h), ts = h_open(h, env, ITestService_UID);

	assert_int_equal(h_release(h, env), QTEE_OK);
	assert_int_equal(h_live(h), 1);
	/* The env is gone: its ID names nothing now. */
	h_begin(h, env, IClientEnv_OP_open, 1, 0, 0, 1);
	h_bi_u32(h, 0, ITestService_UID);
	assert_int_equal(h_run(h), QTEE_ERROR_BADOBJ);
	assert_int_equal(h_call_u32(h, ts, ITestService_OP_fail, 0), QTEE_OK);
}

static void feature_versions(void **state)
{
	struct harness *h = *state;
	uint32_t fv = h_open(h, h_register(h), IFeatureVersion_UID), v;

	h_begin(h, fv, IFeatureVersion_OP_get, 1, 1, 0, 0);
	h_bi_u32(h, 0, 1);
	h_bo(h, 0, 4);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_out_u32(h, 0), 0x00010002);

	h_begin(h, fv, IFeatureVersion_OP_get, 1, 1, 0, 0);
	h_bi_u32(h, 0, 9999);
	h_bo(h, 0, 8);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_out_u32(h, 0), 0);	/* unknown feature */

	assert_int_equal(h_get_u32(h, fv, IFeatureVersion_OP_qteeVersion, &v),
			 QTEE_OK);
	assert_int_equal(IFeatureVersion_MAJOR(v), 5);
	assert_int_equal(IFeatureVersion_MINOR(v), 22);
	assert_int_equal(IFeatureVersion_PATCH(v), 0);

	h_begin(h, fv, IFeatureVersion_OP_qteeVersion, 0, 1, 0, 0);
	h_bo(h, 0, 2);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_OUT);
	h_begin(h, fv, 3, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
}

static void counters_count(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), k, v;

	h_begin(h, ts, ITestService_OP_newCounter, 1, 0, 0, 1);
	h_bi_u32(h, 0, 40);
	assert_int_equal(h_run(h), QTEE_OK);
	k = h_oo(h, 0);
	assert_int_equal(h_nw_refs(h, k), 1);

	assert_int_equal(h_call_u32(h, k, ITestCounter_OP_add, 2), QTEE_OK);
	assert_int_equal(h_get_u32(h, k, ITestCounter_OP_get, &v), QTEE_OK);
	assert_int_equal(v, 42);
	assert_int_equal(h_call_u32(h, k, ITestCounter_OP_add, 0xffffffffU),
			 QTEE_OK);
	assert_int_equal(h_get_u32(h, k, ITestCounter_OP_get, &v), QTEE_OK);
	assert_int_equal(v, 41);	/* wraps */

	h_begin(h, k, ITestCounter_OP_add, 1, 0, 0, 0);
	h_bi(h, 0, "x", 1);
	assert_int_equal(h_run(h), QTEE_ERROR_SIZE_IN);
	h_begin(h, k, 7, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_INVALID);
}

static void retain_and_release(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h);

	h_begin(h, ts, QTEE_OP_RETAIN, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_OK);
	assert_int_equal(h_nw_refs(h, ts), 2);
	assert_int_equal(h_release(h, ts), QTEE_OK);
	assert_int_equal(h_live(h), 1);
	assert_int_equal(h_release(h, ts), QTEE_OK);
	assert_int_equal(h_live(h), 0);
	assert_int_equal(h_release(h, ts), QTEE_ERROR_BADOBJ);
	h_begin(h, ts, QTEE_OP_RETAIN, 0, 0, 0, 0);
	assert_int_equal(h_run(h), QTEE_ERROR_BADOBJ);
}

static void own_objects_as_input_carry_no_reference(void **state)
{
	struct harness *h = *state;
	uint32_t ts = h_test_service(h), ids[4];

	/* A TEE object passed in only names itself: nothing to release. */
	h_begin(h, ts, ITestService_OP_readCounter, 0, 1, 1, 0);
	h_bo(h, 0, 4);
	h_io(h, 0, ts);
	assert_int_equal(h_run(h), QTEE_ERROR_BADOBJ);
	assert_int_equal(h_releases(h, ids, 4), 0);
	assert_int_equal(h_nw_refs(h, ts), 1);
}

/* One secure thread of the concurrency test: its own buffers, one emu. */
struct worker {
	struct harness *h;
	uint32_t ts;
	unsigned int failures;
};

/* Build and dispatch one invocation with one u32 input and one output. */
static int32_t worker_call(struct worker *w, unsigned char *in,
			   unsigned char *out, uint32_t cxt, uint32_t op,
			   uint32_t counts, uint32_t *oo)
{
	struct qtee_msg m;
	struct emu_call c;
	void *p;

	memset(in, 0, 256);
	if (qtee_msg_init(&m, in, 256, QTEE_MSG_INVOKE, cxt, op, counts) ||
	    (QTEE_NUM_BI(counts) && qtee_msg_add_buf(&m, 0, 4, &p)))
		return -1;
	emu_call_init(&c, &w->h->emu, &w->h->tx, in, m.end, out,
		      EMU_OUTBOUND_SIZE);
	emu_dispatch(&c);
	if (oo && QTEE_NUM_OO(counts))
		*oo = qtee_msg_get_obj(&m, qtee_idx_oo(counts));
	return c.result;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	unsigned char in[256], out[EMU_OUTBOUND_SIZE];
	unsigned int i;
	uint32_t k = 0;

	for (i = 0; i < 500; i++) {
		if (worker_call(w, in, out, w->ts, ITestService_OP_newCounter,
				QTEE_COUNTS(1U, 0U, 0U, 1U), &k) ||
		    worker_call(w, in, out, k, ITestCounter_OP_add,
				QTEE_COUNTS(1U, 0U, 0U, 0U), NULL) ||
		    worker_call(w, in, out, k, QTEE_OP_RELEASE, 0, NULL))
			w->failures++;
	}
	return NULL;
}

static void concurrent_invocations(void **state)
{
	struct harness *h = *state;
	struct worker w[4];
	pthread_t th[4];
	unsigned int i;

	w[0].ts = h_test_service(h);
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ .h = h, .ts = w[0].ts };
		assert_int_equal(pthread_create(&th[i], NULL, worker_run,
						&w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	assert_int_equal(h_live(h), 1);	/* only the service is left */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(register_asks_credentials),
		T(register_rejects_non_credentials),
		T(register_failing_credentials_still_releases),
		T(register_rejects_short_info),
		T(register_rejects_grown_response),
		T(register_with_long_exe_keeps_it_empty),
		T(root_refuses_other_ops),
		T(unknown_targets_are_badobj),
		T(unparsable_invocation_is_invalid),
		T(env_opens_services),
		T(services_outlive_their_env),
		T(feature_versions),
		T(counters_count),
		T(retain_and_release),
		T(own_objects_as_input_carry_no_reference),
		T(concurrent_invocations),
	};

	return cmocka_run_group_tests_name("emu-services", tests, NULL, NULL);
}
