// SPDX-License-Identifier: MIT
/*
 * Diagnostics.  The library never prints: a program that wants to know
 * why a call failed installs a handler, as with wl_log_set_handler().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>

#include "libobject_private.h"

/* Atomic so that a handler set by one thread is seen whole by others. */
static _Atomic(objinvoke_log_func_t) log_handler;

OBJINVOKE_EXPORT void objinvoke_set_log_handler(objinvoke_log_func_t handler)
{
	atomic_store(&log_handler, handler);
}

void objinvoke_log(const char *fmt, ...)
{
	objinvoke_log_func_t handler = atomic_load(&log_handler);
	int saved_errno = errno;
	va_list ap;

	if (!handler)
		return;
	va_start(ap, fmt);
	handler(fmt, ap);
	va_end(ap);
	/* Callers log first and inspect errno after; keep it for them. */
	errno = saved_errno;
}
