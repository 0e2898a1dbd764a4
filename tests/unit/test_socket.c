// SPDX-License-Identifier: MIT
/*
 * objinvoke_send_object() / objinvoke_recv_object() over a real
 * socketpair with real fds (close() is the real one here): an object
 * arrives as a new close-on-exec fd, and a message that is not exactly
 * one object (no fd, two, or more than fit: MSG_CTRUNC) fails with every
 * fd that came closed, which the tests check by counting open fds.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "counting_obj.h"
#include "fake_server.h"
#include "libobject.h"

static int sv[2];

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int setup(void **state)
{
	fake_close_real = true;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			 0);
	return 0;
}

static int teardown(void **state)
{
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* Send @n fds (dups of stdin's... any open fd) with @len bytes. */
static void send_raw(size_t n, size_t len)
{
	int fds[32];
	char ctl[CMSG_SPACE(sizeof(fds))];
	char data[4] = "OOOO";
	struct iovec iov = { data, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	size_t i;

	for (i = 0; i < n; i++)
		fds[i] = dup(sv[0]);
	if (n) {
		msg.msg_control = ctl;
		msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	assert_int_equal(sendmsg(sv[0], &msg, 0), (ssize_t)len);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

static void test_round_trip(void **state)
{
	int before = open_fds(), fd = dup(sv[0]);
	Object sent = Object_NULL, got = Object_NULL;

	assert_int_equal(objinvoke_object_from_fd(fd, &sent), Object_OK);
	assert_int_equal(objinvoke_send_object(sv[0], sent), Object_OK);
	assert_int_equal(objinvoke_recv_object(sv[1], &got), Object_OK);
	assert_int_not_equal(objinvoke_object_fd(got), fd);
	assert_true(fcntl(objinvoke_object_fd(got), F_GETFD) & FD_CLOEXEC);
	Object_release(sent);
	Object_release(got);
	assert_int_equal(open_fds(), before);
}

static void test_refusals(void **state)
{
	Object got = { (ObjectInvoke)1, NULL };

	assert_int_equal(objinvoke_send_object(sv[0], Object_NULL),
			 Object_ERROR_BADOBJ);
	assert_int_equal(objinvoke_recv_object(sv[1], NULL),
			 Object_ERROR_INVALID);
	/* The peer went away. */
	close(sv[0]);
	sv[0] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(objinvoke_recv_object(sv[1], &got),
			 Object_ERROR_DEFUNCT);
	assert_true(Object_isNull(got));
}

static void expect_refused(size_t nfds, size_t len)
{
	int before = open_fds();
	Object got = Object_NULL;

	send_raw(nfds, len);
	assert_int_equal(objinvoke_recv_object(sv[1], &got),
			 Object_ERROR_INVALID);
	assert_true(Object_isNull(got));
	/* Everything that arrived was closed again. */
	assert_int_equal(open_fds(), before);
}

static void test_no_fd(void **state)
{
	expect_refused(0, 1);
}

static void test_two_fds(void **state)
{
	expect_refused(2, 1);
}

static void test_truncated(void **state)
{
	/* More than the receiver has room for: MSG_CTRUNC. */
	expect_refused(20, 1);
}

/* A local object is exported (SERVER_ADD), its fd sent, then closed. */
static void test_send_local(void **state)
{
	struct counting_obj c;
	struct fake_reply add;
	Object got = Object_NULL;
	int before, pipefd[2];

	fake_close_real = false;	/* FAKE_DEV is no real fd of ours */
	fake_server_create();
	fake_close_real = true;
	before = open_fds();
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	close(pipefd[1]);
	/* The fake kernel's "object fd": a real fd, so it can travel. */
	fake_expect_add(&add, (uint32_t)pipefd[0], 3);
	assert_int_equal(objinvoke_send_object(sv[0], counting_obj_init(&c)),
			 Object_OK);
	assert_int_equal(objinvoke_recv_object(sv[1], &got), Object_OK);
	assert_int_equal(atomic_load(&c.retains), 1);
	Object_release(got);
	assert_int_equal(open_fds(), before);
	fake_release_request(fake_last_cookie, 3);
	assert_int_equal(atomic_load(&c.releases), 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_round_trip),
		T(test_refusals),
		T(test_no_fd),
		T(test_two_fds),
		T(test_truncated),
		T(test_send_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
