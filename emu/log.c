// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* The emulator's stderr log (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

int emu_log_level = EMU_LOG_INFO;

void emu_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > emu_log_level)
		return;
	/*
	 * Secure threads log concurrently: hold the stream's lock across the
	 * prefix, the message and the newline so lines never interleave.
	 */
	flockfile(stderr);
	fputs("objinvoke-emu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}
