// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The object table: ID allocation, refcounts, the NW's references, and
 * that concurrent secure threads keep the counts straight.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "log.h"
#include "objtable.h"
#include "qtee_wire.h"

static unsigned int destroyed;

static void count_destroy(struct emu_obj *o)
{
	__atomic_add_fetch(&destroyed, 1, __ATOMIC_RELAXED);
	free(o);
}

static const struct emu_obj_ops test_ops = {
	.type = EMU_OBJ_COUNTER,
	.name = "test",
	.destroy = count_destroy,
};

static struct emu_obj *new_obj(struct emu_objtable *t)
{
	struct emu_obj *o;

	assert_int_equal(emu_obj_alloc(t, sizeof(*o), &test_ops, &o), 0);
	return o;
}

static int setup(void **state)
{
	struct emu_objtable *t = malloc(sizeof(*t));

	emu_log_level = -1;	/* the BADOBJ cases log errors on purpose */
	emu_objtable_init(t, 16);
	destroyed = 0;
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	emu_objtable_destroy(*state);
	free(*state);
	return 0;
}

static void ids_start_at_two(void **state)
{
	struct emu_objtable *t = *state;
	struct emu_obj *a = new_obj(t), *b = new_obj(t);

	assert_int_equal(a->id, 2);
	assert_int_equal(b->id, 3);
	assert_int_equal(emu_objtable_count(t), 2);
	emu_obj_put(a);
	emu_obj_put(b);
	assert_int_equal(emu_objtable_count(t), 0);
	assert_int_equal(destroyed, 2);
}

static void get_finds_and_holds(void **state)
{
	struct emu_objtable *t = *state;
	struct emu_obj *a = new_obj(t);
	uint32_t id = a->id;

	assert_ptr_equal(emu_obj_get(t, id), a);
	emu_obj_put(a);		/* the creator's reference */
	assert_int_equal(destroyed, 0);	/* the get still holds it */
	emu_obj_put(a);
	assert_int_equal(destroyed, 1);
	assert_null(emu_obj_get(t, id));
	assert_null(emu_obj_get(t, QTEE_OBJ_ROOT));
	assert_null(emu_obj_get(t, QTEE_OBJ_NULL));
}

static void nw_reference_frees_at_release(void **state)
{
	struct emu_objtable *t = *state;
	struct emu_obj *a = new_obj(t);
	uint32_t id = a->id;

	emu_obj_give_nw(a);
	emu_obj_put(a);		/* only the NW holds it now */
	assert_int_equal(emu_objtable_count(t), 1);
	assert_int_equal(emu_obj_nw_release(t, id), QTEE_OK);
	assert_int_equal(destroyed, 1);
	assert_int_equal(emu_objtable_count(t), 0);
	/* A second release names nothing. */
	assert_int_equal(emu_obj_nw_release(t, id), QTEE_ERROR_BADOBJ);
}

static void release_needs_nw_reference(void **state)
{
	struct emu_objtable *t = *state;
	struct emu_obj *a = new_obj(t);

	/* Never given to the NW: a RELEASE must not eat our reference. */
	assert_int_equal(emu_obj_nw_release(t, a->id), QTEE_ERROR_BADOBJ);
	assert_int_equal(emu_obj_nw_retain(t, a->id), QTEE_ERROR_BADOBJ);
	assert_int_equal(destroyed, 0);
	assert_int_equal(emu_obj_nw_release(t, 0x1234), QTEE_ERROR_BADOBJ);
	emu_obj_put(a);
}

static void retain_takes_one_more(void **state)
{
	struct emu_objtable *t = *state;
	struct emu_obj *a = new_obj(t);
	uint32_t id = a->id;

	emu_obj_give_nw(a);
	emu_obj_put(a);
	assert_int_equal(emu_obj_nw_retain(t, id), QTEE_OK);
	assert_int_equal(emu_obj_nw_release(t, id), QTEE_OK);
	assert_int_equal(destroyed, 0);
	assert_int_equal(emu_obj_nw_release(t, id), QTEE_OK);
	assert_int_equal(destroyed, 1);
}

static void ids_reused_only_after_free(void **state)
{
	struct emu_objtable *t = *state;
	struct emu_obj *a = new_obj(t), *b = new_obj(t), *c;

	emu_obj_put(a);		/* ID 2 is free, but allocation moves on */
	c = new_obj(t);
	assert_int_equal(c->id, 4);

	/* At the top of the space it wraps, skipping the live IDs 3 and 4. */
	t->next_id = EMU_OBJ_ID_MAX;
	a = new_obj(t);
	assert_int_equal(a->id, EMU_OBJ_ID_MAX);
	emu_obj_put(a);
	a = new_obj(t);
	assert_int_equal(a->id, 2);
	emu_obj_put(a);
	emu_obj_put(b);
	a = new_obj(t);
	assert_int_equal(a->id, 3);	/* freed, so available again */
	emu_obj_put(a);
	emu_obj_put(c);
}

static void full_table_says_noslots(void **state)
{
	struct emu_objtable *t = *state;
	struct emu_obj *objs[16], *o;
	unsigned int i;

	for (i = 0; i < 16; i++)
		objs[i] = new_obj(t);
	assert_int_equal(emu_obj_alloc(t, sizeof(*o), &test_ops, &o),
			 QTEE_ERROR_NOSLOTS);
	assert_null(o);
	for (i = 0; i < 16; i++)
		emu_obj_put(objs[i]);
	assert_int_equal(destroyed, 16);
}

static void destroy_frees_leftovers(void **state)
{
	struct emu_objtable *t = *state;
	struct emu_obj *a = new_obj(t);

	emu_obj_give_nw(a);	/* the NW "died" holding it */
	emu_obj_put(a);
	new_obj(t);		/* and a reference nobody put */
	emu_objtable_destroy(t);
	assert_int_equal(destroyed, 2);
	emu_objtable_init(t, 16);	/* for teardown */
}

/* Secure threads creating, handing out, looking up and releasing. */
static void *churn(void *arg)
{
	struct emu_objtable *t = arg;
	struct emu_obj *o, *g;
	unsigned int i;
	uint32_t id;

	for (i = 0; i < 2000; i++) {
		if (emu_obj_alloc(t, sizeof(*o), &test_ops, &o))
			continue;	/* full for a moment: fine */
		id = o->id;
		emu_obj_give_nw(o);
		emu_obj_put(o);
		g = emu_obj_get(t, id);
		assert_non_null(g);
		assert_int_equal(emu_obj_nw_retain(t, id), QTEE_OK);
		assert_int_equal(emu_obj_nw_release(t, id), QTEE_OK);
		assert_int_equal(emu_obj_nw_release(t, id), QTEE_OK);
		emu_obj_put(g);
	}
	return NULL;
}

static void concurrent_threads_balance(void **state)
{
	struct emu_objtable *t = *state;
	pthread_t th[4];
	unsigned int i, made;

	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, churn, t), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	made = destroyed;
	assert_int_equal(emu_objtable_count(t), 0);
	assert_true(made > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ids_start_at_two, setup, teardown),
		cmocka_unit_test_setup_teardown(get_finds_and_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(nw_reference_frees_at_release, setup, teardown),
		cmocka_unit_test_setup_teardown(release_needs_nw_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(retain_takes_one_more, setup, teardown),
		cmocka_unit_test_setup_teardown(ids_reused_only_after_free, setup, teardown),
		cmocka_unit_test_setup_teardown(full_table_says_noslots, setup, teardown),
		cmocka_unit_test_setup_teardown(destroy_frees_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_threads_balance, setup, teardown),
	};

	return cmocka_run_group_tests_name("emu-objtable", tests, NULL, NULL);
}
