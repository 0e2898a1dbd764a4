// SPDX-License-Identifier: MIT
/*
 * The kernel's own objects, reached through /dev/objinvoke.  The device fd
 * is only a door: it is closed again at once, and the object fd the kernel
 * hands out is the capability the caller keeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/objinvoke.h>

#include "libobject_private.h"

int32_t objinvoke_device_get_fd(unsigned long request, int *fd)
{
	struct objinvoke_get_object req;
	int dev, ret, err;

	*fd = -1;
	dev = open(OBJINVOKE_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		err = errno;
		objinvoke_log_open_failure(OBJINVOKE_DEVICE, err);
		return objinvoke_result_from_errno(err);
	}

	memset(&req, 0, sizeof(req));
	ret = ioctl(dev, request, &req);
	err = errno;
	close(dev);
	if (ret < 0) {
		objinvoke_log("ioctl 0x%lx on %s: errno %d", request,
			      OBJINVOKE_DEVICE, err);
		return objinvoke_result_from_errno(err);
	}
	if (req.fd > INT_MAX) {
		objinvoke_log("kernel returned bad fd %u", (unsigned int)req.fd);
		return Object_ERROR_REMOTE;
	}
	*fd = (int)req.fd;
	return Object_OK;
}

int32_t objinvoke_device_get_object(unsigned long request, Object *obj)
{
	int32_t r;
	int fd;

	if (!obj)
		return Object_ERROR_INVALID;
	*obj = Object_NULL;
	r = objinvoke_device_get_fd(request, &fd);
	if (r)
		return r;
	return objinvoke_object_from_fd(fd, obj);
}

OBJINVOKE_EXPORT int32_t objinvoke_get_credentials(Object *creds)
{
	return objinvoke_device_get_object(OBJINVOKE_IOC_GET_CREDENTIALS,
					   creds);
}
