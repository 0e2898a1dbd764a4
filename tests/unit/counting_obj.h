/* SPDX-License-Identifier: MIT */
/*
 * A local object for the tests: it counts retains, releases and calls,
 * and answers calls with a handler the test sets.
 */
#ifndef COUNTING_OBJ_H
#define COUNTING_OBJ_H

#include <stdatomic.h>

#include "object.h"

struct counting_obj {
	atomic_int refs;	/* 1 when made: the test's own reference */
	atomic_int retains;
	atomic_int releases;
	atomic_int calls;
	/* Answers non-lifetime ops; NULL: Object_OK. */
	int32_t (*handler)(struct counting_obj *c, ObjectOp op,
			   ObjectArg *args, ObjectCounts k);
	void *data;		/* for the handler */
};

/* The Object for @c, whose refs start at 1. */
Object counting_obj_init(struct counting_obj *c);

#endif /* COUNTING_OBJ_H */
