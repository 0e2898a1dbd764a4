// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The readiness notification (emu/notify.c) against sockets this test
 * binds itself, as systemd would: a path, an abstract name, no socket
 * asked for, addresses it must refuse, and a socket nobody listens on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "notify.h"

/* A datagram socket bound to @name ('@' = abstract), like systemd's. */
static int bind_listener(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sa.sun_path, name, n);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	assert_int_equal(bind(fd, (struct sockaddr *)&sa,
			      offsetof(struct sockaddr_un, sun_path) + n), 0);
	return fd;
}

/* What arrived on @fd, as a string (nothing waiting fails the test). */
static void expect_message(int fd, const char *want)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void path_socket(void **state)
{
	char dir[] = "/tmp/test-notify.XXXXXX", path[64];
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = bind_listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(emu_notify("READY=1\nSTATUS=serving"), 1);
	expect_message(fd, "READY=1\nSTATUS=serving");
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void abstract_socket(void **state)
{
	char name[64];
	int fd;

	/* Unique per process: parallel test runs share the namespace. */
	snprintf(name, sizeof(name), "@objinvoke-test-notify-%ld",
		 (long)getpid());
	fd = bind_listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(emu_notify("STOPPING=1"), 1);
	expect_message(fd, "STOPPING=1");
	close(fd);
}

/* Not under a service manager: nothing to do, and no error. */
static void no_socket(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(emu_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(emu_notify("READY=1"), 0);
}

static void refused_addresses(void **state)
{
	char long_name[200];

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(emu_notify("READY=1"), -EAFNOSUPPORT);
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	assert_int_equal(emu_notify("READY=1"), -EAFNOSUPPORT);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[0] = '/';
	long_name[sizeof(long_name) - 1] = '\0';
	setenv("NOTIFY_SOCKET", long_name, 1);
	assert_int_equal(emu_notify("READY=1"), -ENAMETOOLONG);
}

/* A manager that went away: the error comes back, nothing crashes. */
static void nobody_listening(void **state)
{
	setenv("NOTIFY_SOCKET", "/nonexistent/objinvoke-test-notify", 1);
	assert_int_equal(emu_notify("READY=1"), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_socket),
		cmocka_unit_test(abstract_socket),
		cmocka_unit_test(no_socket),
		cmocka_unit_test(refused_addresses),
		cmocka_unit_test(nobody_listening),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
