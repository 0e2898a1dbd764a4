// SPDX-License-Identifier: MIT
/*
 * What to do when setting up fails.
 *
 * A new user's first call fails for one of a few reasons that have
 * nothing to do with their code: the module is not loaded, no TEE is
 * attached, the device nodes are not theirs to open, or the kernel has no
 * way to allocate shareable memory.  The Object result alone
 * (Object_ERROR_UNAVAIL, _AUTH, _DEFUNCT) cannot say which, nor what to
 * do about it, so the log line written where it happened does: the
 * diagnosis and the remedy first, the path and errno after.  The texts
 * live here, together, so they read alike; docs/libobject.md
 * ("Diagnostics") lists them.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/objinvoke.h>

#include "libobject_private.h"

/* Where a user learns about the udev rule and the group. */
#define SEE_PACKAGING	"see the udev rule, docs/packaging.md: join group objinvoke"

/* The errnos with which open() says the device is not there at all. */
bool objinvoke_device_absent(int err)
{
	return err == ENOENT || err == ENODEV || err == ENXIO;
}

/* Why @path is missing, and what brings it; NULL when we cannot tell. */
static const char *absent_hint(const char *path)
{
	if (!strcmp(path, OBJINVOKE_DEVICE))
		return "module not loaded (modprobe objinvoke)";
	if (!strcmp(path, OBJINVOKE_HEAP_DEVICE))
		return "no dma-buf heap (a kernel without CONFIG_DMABUF_HEAPS_SYSTEM)";
	if (!strcmp(path, OBJINVOKE_UDMABUF_DEVICE))
		return "no udmabuf (a kernel without CONFIG_UDMABUF, or modprobe udmabuf)";
	return NULL;
}

void objinvoke_log_open_failure(const char *path, int err)
{
	const char *hint = NULL;

	if (objinvoke_device_absent(err))
		hint = absent_hint(path);
	else if (err == EACCES || err == EPERM)
		hint = "permission denied (" SEE_PACKAGING ")";
	if (hint)
		objinvoke_log("open %s: errno %d: %s", path, err, hint);
	else
		objinvoke_log("open %s: errno %d", path, err);
}

void objinvoke_log_no_tee(void)
{
	objinvoke_log("no TEE attached (start objinvoke-emu, or systemctl start objinvoke-emu): the root object answered Object_ERROR_DEFUNCT");
}

void objinvoke_log_no_allocator(void)
{
	objinvoke_log("no shareable memory: neither %s nor %s exists (the kernel needs CONFIG_DMABUF_HEAPS_SYSTEM or CONFIG_UDMABUF, docs/packaging.md)",
		      OBJINVOKE_HEAP_DEVICE, OBJINVOKE_UDMABUF_DEVICE);
}
