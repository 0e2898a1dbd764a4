// SPDX-License-Identifier: MIT
/*
 * Request buffers for same-thread serving, one per nesting level of each
 * thread.
 *
 * A callback that arrives on the invoking thread is dispatched while the
 * invocation that brought it is still open, and its handler may invoke
 * again (a nested invocation) before it returns: the outer request's input
 * buffers must stay intact meanwhile, so each level has its own buffer.
 *
 * A same-thread request cannot be received again after an ENOSPC (the
 * invocation that carries it is this very thread's), so each level's
 * buffer holds the largest request there can be.  It is reserved with
 * MAP_NORESERVE and costs only the pages requests actually touch.  The
 * buffers are kept for the thread's next invocations and unmapped when
 * the thread exits.
 */
#include <pthread.h>
#include <sys/mman.h>

#include "libobject_private.h"

/* The kernel refuses nesting past OBJINVOKE_MAX_DEPTH, with ELOOP. */
#define LEVELS	(OBJINVOKE_MAX_DEPTH + 1)

struct serve_stack {
	unsigned int depth;
	struct objinvoke_reqbuf *level[LEVELS];
};

static __thread struct serve_stack stack;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

static size_t level_size(void)
{
	return sizeof(struct objinvoke_reqbuf) + OBJINVOKE_REQBUF_MAX;
}

static void unmap_levels(void *arg)
{
	struct serve_stack *s = arg;
	unsigned int i;

	for (i = 0; i < LEVELS; i++) {
		if (s->level[i])
			munmap(s->level[i], level_size());
		s->level[i] = NULL;
	}
}

static void make_exit_key(void)
{
	/* Without the key buffers of exiting threads leak: only memory. */
	if (pthread_key_create(&exit_key, unmap_levels))
		objinvoke_log("no thread key: request buffers outlive threads");
}

static struct objinvoke_reqbuf *map_level(void)
{
	struct objinvoke_reqbuf *rb;

	rb = mmap(NULL, level_size(), PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (rb == MAP_FAILED) {
		objinvoke_log("no memory for a request buffer");
		return NULL;
	}
	rb->buf = rb + 1;
	rb->cap = OBJINVOKE_REQBUF_MAX;
	rb->growable = false;
	pthread_once(&exit_key_once, make_exit_key);
	pthread_setspecific(exit_key, &stack);
	return rb;
}

struct objinvoke_reqbuf *objinvoke_serve_stack_push(void)
{
	struct objinvoke_reqbuf *rb;

	if (stack.depth >= LEVELS) {
		objinvoke_log("invocations nested deeper than %u on one thread",
			      (unsigned int)OBJINVOKE_MAX_DEPTH);
		return NULL;
	}
	rb = stack.level[stack.depth];
	if (!rb) {
		rb = map_level();
		if (!rb)
			return NULL;
		stack.level[stack.depth] = rb;
	}
	stack.depth++;
	return rb;
}

void objinvoke_serve_stack_pop(void)
{
	stack.depth--;
}
