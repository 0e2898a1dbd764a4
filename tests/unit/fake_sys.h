/* SPDX-License-Identifier: MIT */
/*
 * The syscall seam of the libobject unit tests.  The tests link
 * libobject's objects with -Wl,--wrap for ioctl, close, open (open64 with
 * _FILE_OFFSET_BITS=64), malloc and calloc, so the library's own calls
 * land in fake_sys.c, which answers them from cmocka's queues
 * (will_return/expect_*): an unexpected call fails the test.
 */
#ifndef FAKE_SYS_H
#define FAKE_SYS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/objinvoke.h>

#include "object.h"

/*
 * A request the fake kernel delivers (SERVER_RECV, or an INVOKE or
 * SERVER_REPLY that hands the invoking thread a request).  Input buffer
 * args hold offsets into @data; the fake turns them into addresses in
 * the library's buffer after copying @data there.
 */
struct fake_request {
	uint64_t id;
	uint64_t cookie;
	uint32_t handle;
	uint32_t kind;
	uint32_t op;
	uint32_t counts;
	struct objinvoke_arg args[4 * OBJINVOKE_MAX_ARGS_PER_KIND];
	const void *data;
	size_t data_len;
};

/* What the fake kernel answers to one ioctl. */
struct fake_reply {
	int err;		/* nonzero: the ioctl fails with this errno */
	uint32_t result;	/* INVOKE: written to inv.result */
	/* INVOKE: written to the output buffers' sizes and the output
	 * objects' fds, in order, whatever the result (so the tests see
	 * what the library takes from a non-OK answer).  GET_*, SERVER_NEW,
	 * SERVER_ADD, SERVER_GET: fd[0]. */
	uint64_t size[OBJINVOKE_MAX_ARGS_PER_KIND];
	uint32_t fd[OBJINVOKE_MAX_ARGS_PER_KIND];
	/* INVOKE: the output objects' flags (OBJINVOKE_ARG_MEMORY). */
	uint32_t flags[OBJINVOKE_MAX_ARGS_PER_KIND];
	/* INVOKE without @request: nonzero, the state written instead of
	 * DONE (one the kernel never writes). */
	uint32_t bad_state;
	/* SERVER_ADD: the handle given out; SERVER_GET: the one expected. */
	uint32_t handle;
	/* SERVER_RECV: the request (ENOSPC when it does not fit).
	 * INVOKE, and SERVER_REPLY with @carry_on: a request for the
	 * invoking thread (state REQUEST); NULL: the invocation is done. */
	const struct fake_request *request;
	/* SERVER_REPLY: carry the same-thread invocation on, answering it
	 * as an INVOKE reply does (@result, @size, @fd, @request). */
	bool carry_on;
};

/* The last INVOKE request, copied: the library's array is on its stack. */
struct fake_invoke {
	struct objinvoke_invoke inv;
	struct objinvoke_arg args[4 * OBJINVOKE_MAX_ARGS_PER_KIND];
};
extern struct fake_invoke fake_last;

/* The last SERVER_REPLY, copied, with its output buffers' bytes. */
struct fake_answer {
	struct objinvoke_reply rep;
	struct objinvoke_arg args[4 * OBJINVOKE_MAX_ARGS_PER_KIND];
	char data[4 * OBJINVOKE_MAX_ARGS_PER_KIND][64];
};
extern struct fake_answer fake_last_reply;
/* The cookie of the last SERVER_ADD. */
extern uint64_t fake_last_cookie;

/* When set, every ioctl goes here instead of the cmocka queues (for
 * tests with threads: cmocka's queues are not thread-safe). */
extern int (*fake_ioctl_hook)(int fd, unsigned long request, void *arg);

/* When set, tried before the queues: true when it answered the ioctl
 * (its return value in *@ret), false to leave it to them.  For fakes of
 * other devices (fake_mem.c). */
extern bool (*fake_ioctl_extra)(int fd, unsigned long request, void *arg,
				int *ret);
/* Likewise for close(): true when it closed @fd. */
extern bool (*fake_close_extra)(int fd);

/* Queue one ioctl(@fd, @request) and its answer (@reply must outlive it). */
void fake_expect_ioctl(int fd, unsigned long request,
		       const struct fake_reply *reply);
/* When set, close() is the real one, unchecked (for tests with threads,
 * whose fds are all real). */
extern bool fake_close_real;
/* Queue one close(@fd). */
void fake_expect_close(int fd);
/* Queue one open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC) returning @ret,
 * failing with @err when @ret is negative. */
void fake_expect_open(int ret, int err);
/* The same for open(@path, @flags). */
void fake_expect_open_path(const char *path, int flags, int ret, int err);
/* From now on malloc and calloc take their fate from the queue:
 * will_return(__wrap_malloc, true) (or __wrap_calloc) to succeed, false
 * to fail.  Off by default. */
extern bool fake_malloc_scripted;

/* A remote object over fake fd @fd, created through the public API. */
Object fake_remote(int fd);
/* Release a remote object and check that it closes @fd. */
void fake_release(Object obj, int fd);

/*
 * The common fixture: fake_target, a remote object over FAKE_TARGET_FD,
 * and the library's log captured in fake_log_buf.
 */
#define FAKE_TARGET_FD	30
extern Object fake_target;
int fake_target_setup(void **state);
int fake_target_teardown(void **state);

/* Log handler that keeps the last message in fake_log_buf. */
extern char fake_log_buf[512];
void fake_log_capture(const char *fmt, va_list ap);
/* Install it with an empty buffer; and take it away again. */
void fake_log_start(void);
void fake_log_stop(void);

/* The wrapped functions (prototypes for -Wmissing-prototypes). */
int __wrap_ioctl(int fd, unsigned long request, ...);
int __wrap_close(int fd);
int __real_close(int fd);
int __wrap_open(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
void *__wrap_malloc(size_t size);
void *__real_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__real_calloc(size_t n, size_t size);

#endif /* FAKE_SYS_H */
