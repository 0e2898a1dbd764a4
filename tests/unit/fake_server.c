// SPDX-License-Identifier: MIT
/* The process's server against the fake kernel (fake_server.h). */
#include <errno.h>
#include <string.h>

#include "fake_server.h"
#include "libobject.h"

/* RECV with nothing pending and the server non-blocking: EAGAIN.
 * real: test_server.c:release_request_exactly_once */
const struct fake_reply fake_ok, fake_eagain = { .err = EAGAIN };

void fake_server_create(void)
{
	static const struct fake_reply srv = { .fd = { FAKE_SFD } };
	int fd = -1;

	fake_expect_open(FAKE_DEV, 0);
	fake_expect_ioctl(FAKE_DEV, OBJINVOKE_IOC_SERVER_NEW, &srv);
	fake_expect_close(FAKE_DEV);
	assert_int_equal(objinvoke_server_fd(&fd), Object_OK);
	assert_int_equal(fd, FAKE_SFD);
}

void fake_expect_add(struct fake_reply *r, uint32_t fd, uint32_t handle)
{
	*r = (struct fake_reply){ .fd = { fd }, .handle = handle };
	fake_expect_ioctl(FAKE_SFD, OBJINVOKE_IOC_SERVER_ADD, r);
}

int32_t fake_invoke_with(Object target, int target_fd, Object o, int fd)
{
	ObjectArg a[1] = {{{0, 0}}};

	a[0].o = o;
	fake_expect_ioctl(target_fd, OBJINVOKE_IOC_INVOKE, &fake_ok);
	fake_expect_close(fd);	/* the call's fd, after the call */
	fake_expect_ioctl(FAKE_SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	return Object_invoke(target, 1, a, ObjectCounts_pack(0, 0, 1, 0));
}

uint64_t fake_register(Object target, int target_fd, Object o, int fd,
		       uint32_t handle)
{
	struct fake_reply add;

	fake_expect_add(&add, fd, handle);
	assert_int_equal(fake_invoke_with(target, target_fd, o, fd),
			 Object_OK);
	return fake_last_cookie;
}

/* The last fd of a registration closed: one RELEASE, cookie and handle.
 * real: test_server.c:release_request_exactly_once */
void fake_release_request(uint64_t cookie, uint32_t handle)
{
	struct fake_request rel = { .cookie = cookie, .handle = handle,
				    .kind = OBJINVOKE_REQUEST_RELEASE };
	struct fake_reply r = { .request = &rel };

	fake_expect_ioctl(FAKE_SFD, OBJINVOKE_IOC_SERVER_RECV, &r);
	fake_expect_ioctl(FAKE_SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	assert_int_equal(objinvoke_server_dispatch_pending(), Object_OK);
}

void fake_serve_pending(const struct fake_request *req, bool reply)
{
	struct fake_reply recv = { .request = req };

	fake_expect_ioctl(FAKE_SFD, OBJINVOKE_IOC_SERVER_RECV, &recv);
	if (reply)
		fake_expect_ioctl(FAKE_SFD, OBJINVOKE_IOC_SERVER_REPLY,
				  &fake_ok);
	fake_expect_ioctl(FAKE_SFD, OBJINVOKE_IOC_SERVER_RECV, &fake_eagain);
	memset(&fake_last_reply, 0xA5, sizeof(fake_last_reply));
	assert_int_equal(objinvoke_server_dispatch_pending(), Object_OK);
}
