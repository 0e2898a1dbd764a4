// SPDX-License-Identifier: MIT
/*
 * object.h semantics with a local counting object: NULL handling, the
 * retain/release helpers and macros, and the counts and op arithmetic
 * that IDL-generated code relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "object.h"

struct counter {
	int refs;
	int calls;		/* invocations other than retain/release */
	ObjectOp last_op;
	ObjectCounts last_counts;
	ObjectArg *last_args;
};

static int32_t counter_invoke(ObjectCxt h, ObjectOp op, ObjectArg *args,
			      ObjectCounts counts)
{
	struct counter *c = h;

	switch (ObjectOp_methodID(op)) {
	case Object_OP_retain:
		c->refs++;
		return Object_OK;
	case Object_OP_release:
		c->refs--;
		return Object_OK;
	}
	c->calls++;
	c->last_op = op;
	c->last_counts = counts;
	c->last_args = args;
	return Object_ERROR_USERBASE + 1;
}

static Object counter_object(struct counter *c)
{
	*c = (struct counter){ .refs = 1 };
	return (Object){ counter_invoke, c };
}

static void test_null(void **state)
{
	Object o = Object_NULL;

	assert_true(Object_isNull(o));
	assert_null(o.invoke);
	assert_null(o.context);
	/* Releasing NULL through the IF helper is a no-op, not a crash. */
	Object_RELEASE_IF(o);
}

static void test_value_layout(void **state)
{
	/* An Object is two pointers; an ObjectArg is the largest member. */
	assert_int_equal(sizeof(Object), 2 * sizeof(void *));
	assert_int_equal(sizeof(ObjectArg), 2 * sizeof(void *));
	assert_int_equal(sizeof(ObjectBuf), sizeof(ObjectBufIn));
}

static void test_retain_release(void **state)
{
	struct counter c;
	Object o = counter_object(&c);

	assert_false(Object_isNull(o));
	assert_int_equal(Object_retain(o), Object_OK);
	assert_int_equal(c.refs, 2);
	assert_int_equal(Object_release(o), Object_OK);
	Object_RELEASE_IF(o);
	assert_int_equal(c.refs, 0);
	assert_int_equal(c.calls, 0);
}

static void test_replace(void **state)
{
	struct counter ca, cb;
	Object a = counter_object(&ca), b = counter_object(&cb);
	Object slot = Object_NULL;

	Object_replace(&slot, a);
	assert_int_equal(ca.refs, 2);
	assert_ptr_equal(slot.context, &ca);

	Object_replace(&slot, b);
	assert_int_equal(ca.refs, 1);
	assert_int_equal(cb.refs, 2);
	assert_ptr_equal(slot.context, &cb);

	/* Replacing with itself must not drop the last reference first. */
	Object_replace(&slot, b);
	assert_int_equal(cb.refs, 2);

	Object_replace(&slot, Object_NULL);
	assert_true(Object_isNull(slot));
	assert_int_equal(cb.refs, 1);
}

static void test_assign_init(void **state)
{
	struct counter ca, cb;
	Object a = counter_object(&ca), b = counter_object(&cb);
	Object slot;

	Object_INIT(slot, a);
	assert_int_equal(ca.refs, 2);
	assert_ptr_equal(slot.invoke, counter_invoke);

	Object_ASSIGN(slot, b);
	assert_int_equal(ca.refs, 1);
	assert_int_equal(cb.refs, 2);

	Object_ASSIGN_NULL(slot);
	assert_true(Object_isNull(slot));
	assert_int_equal(cb.refs, 1);

	Object_INIT(slot, Object_NULL);
	assert_true(Object_isNull(slot));
}

static void test_invoke_passes_through(void **state)
{
	struct counter c;
	Object o = counter_object(&c);
	ObjectArg a[2] = {{{0, 0}}};

	assert_int_equal(Object_invoke(o, 0x1234, a, ObjectCounts_pack(1, 1, 0, 0)),
			 Object_ERROR_USERBASE + 1);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.last_op, 0x1234);
	assert_int_equal(c.last_counts, 0x11);
	assert_ptr_equal(c.last_args, a);
}

static void test_counts(void **state)
{
	unsigned int bi, bo, oi, oo;

	for (bi = 0; bi <= ObjectCounts_maxBI; bi += 5)
	for (bo = 0; bo <= ObjectCounts_maxBO; bo += 3)
	for (oi = 0; oi <= ObjectCounts_maxOI; oi += 7)
	for (oo = 0; oo <= ObjectCounts_maxOO; oo += 5) {
		ObjectCounts k = ObjectCounts_pack(bi, bo, oi, oo);

		assert_int_equal(k, bi | bo << 4 | oi << 8 | oo << 12);
		assert_int_equal(ObjectCounts_numBI(k), bi);
		assert_int_equal(ObjectCounts_numBO(k), bo);
		assert_int_equal(ObjectCounts_numOI(k), oi);
		assert_int_equal(ObjectCounts_numOO(k), oo);
		assert_int_equal(ObjectCounts_numBuffers(k), bi + bo);
		assert_int_equal(ObjectCounts_numObjects(k), oi + oo);
		assert_int_equal(ObjectCounts_total(k), bi + bo + oi + oo);
		assert_int_equal(ObjectCounts_indexBI(k), 0);
		assert_int_equal(ObjectCounts_indexBO(k), bi);
		assert_int_equal(ObjectCounts_indexOI(k), bi + bo);
		assert_int_equal(ObjectCounts_indexOO(k), bi + bo + oi);
		assert_int_equal(ObjectCounts_indexBuffers(k), 0);
		assert_int_equal(ObjectCounts_indexObjects(k), bi + bo);
	}
	assert_int_equal(ObjectCounts_pack(15, 15, 15, 15), 0xFFFF);
	assert_int_equal(ObjectCounts_total(ObjectCounts_pack(15, 15, 15, 15)), 60);
}

static void test_ops(void **state)
{
	assert_int_equal(ObjectOp_methodID(0xABCD1234u), 0x1234);
	assert_int_equal(ObjectOp_METHOD_USERMAX, 0x3FFF);
	assert_int_equal(ObjectOp_MODIFIER_MASK, 0xFFFF0000u);
	assert_int_equal(ObjectOp_REMOTE_BUFS, 0x00010000u);
	assert_int_equal(Object_OP_release, 0xFFFF);
	assert_int_equal(Object_OP_retain, 0xFFFE);
	assert_true(ObjectOp_isLocal(0x8000));
	assert_true(ObjectOp_isLocal(Object_OP_release));
	assert_false(ObjectOp_isLocal(ObjectOp_METHOD_USERMAX));
	assert_false(ObjectOp_isLocal(ObjectOp_REMOTE_BUFS | 1));
}

static void test_results(void **state)
{
	assert_true(Object_isOK(Object_OK));
	assert_false(Object_isERROR(Object_OK));
	assert_true(Object_isERROR(Object_ERROR_BADOBJ));
	assert_int_equal(Object_ERROR_USERBASE, 10);
	assert_int_equal(Object_ERROR_DEFUNCT, -90);
	assert_int_equal(Object_ERROR_KMEM, -97);
	assert_int_equal(Object_ERROR_AUTH, -100);
	assert_int_equal(Object_ERROR_TIMEOUT, -103);
}

/* The way generated code builds and reads argument arrays. */
static void test_generated_style(void **state)
{
	ObjectArg a[3] = {{{0, 0}}};
	const char in[] = "hi";
	char out[8];
	size_t i;

	for (i = 0; i < 3; i++) {
		assert_null(a[i].b.ptr);
		assert_int_equal(a[i].b.size, 0);
		assert_true(Object_isNull(a[i].o));
	}
	a[0].bi = (ObjectBufIn){ in, sizeof(in) };
	a[1].b = (ObjectBuf){ out, sizeof(out) };
	a[2].o = Object_NULL;
	assert_ptr_equal(a[0].bi.ptr, in);
	assert_int_equal(a[1].b.size, sizeof(out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_value_layout),
		cmocka_unit_test(test_retain_release),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_assign_init),
		cmocka_unit_test(test_invoke_passes_through),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_generated_style),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
