/* SPDX-License-Identifier: MIT */
/*
 * Steps of the process's server against the fake kernel, shared by the
 * tests of local objects and serving: create the server, register a local
 * object through an invocation, deliver a release request.
 */
#ifndef FAKE_SERVER_H
#define FAKE_SERVER_H

#include "fake_sys.h"

#define FAKE_DEV	3	/* /dev/objinvoke, opened for SERVER_NEW */
#define FAKE_SFD	100	/* the process's server */

extern const struct fake_reply fake_ok, fake_eagain;

/* Create the process's server (once per test program). */
void fake_server_create(void);
/* Queue one SERVER_ADD giving out @fd and @handle (@r must outlive it). */
void fake_expect_add(struct fake_reply *r, uint32_t fd, uint32_t handle);
/* Invoke @target with @o as its one input object, exported as @fd (the
 * SERVER_ADD or SERVER_GET must be queued already). */
int32_t fake_invoke_with(Object target, int target_fd, Object o, int fd);
/* Register @o as (@fd, @handle) through an invocation; its cookie. */
uint64_t fake_register(Object target, int target_fd, Object o, int fd,
		       uint32_t handle);
/* Deliver the release request of (@cookie, @handle). */
void fake_release_request(uint64_t cookie, uint32_t handle);
/* Serve @req through objinvoke_server_dispatch_pending(); @reply: it is
 * answered with SERVER_REPLY (fake_last_reply, poisoned before). */
void fake_serve_pending(const struct fake_request *req, bool reply);

#endif /* FAKE_SERVER_H */
