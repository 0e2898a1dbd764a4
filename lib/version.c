// SPDX-License-Identifier: MIT
/*
 * The library's version at run time, against the one a program was built
 * with (libobject.h, "Versions").  The numbers are the header's, which
 * lib/meson.build holds to the VERSION file.
 */
#include "libobject_private.h"

OBJINVOKE_EXPORT int objinvoke_version_major(void)
{
	return OBJINVOKE_VERSION_MAJOR;
}

OBJINVOKE_EXPORT int objinvoke_version_minor(void)
{
	return OBJINVOKE_VERSION_MINOR;
}

OBJINVOKE_EXPORT int objinvoke_check_version(int major, int minor)
{
	if (major == OBJINVOKE_VERSION_MAJOR && minor <= OBJINVOKE_VERSION_MINOR)
		return Object_OK;
	objinvoke_log("libobject %d.%d is running; this program needs %d.%d or a later %d.x",
		      OBJINVOKE_VERSION_MAJOR, OBJINVOKE_VERSION_MINOR,
		      major, minor, major);
	return Object_ERROR_UNAVAIL;
}
